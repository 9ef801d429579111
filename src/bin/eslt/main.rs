//! The eslt command-line tool: data, train, eval, prune, bench, sweep, ticket.
//!
//! Errors on user input print one line on stderr and exit with code 2 (clap's
//! own errors print their whole message: error, tip, usage); a run whose
//! result misses its own promise exits 1 (`eslt ticket verify` on a ticket
//! that does not verify, `eslt prune` not within ε). `eslt --help` lists the
//! codes.

#[cfg(not(target_arch = "wasm32"))]
mod backend;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_bench;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_data;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_eval;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_fuzz;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_prune;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_sweep;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_ticket;
#[cfg(not(target_arch = "wasm32"))]
mod cmd_train;
#[cfg(not(target_arch = "wasm32"))]
mod completions;
#[cfg(not(target_arch = "wasm32"))]
mod fuzz;
#[cfg(not(target_arch = "wasm32"))]
mod interrupt;
#[cfg(not(target_arch = "wasm32"))]
mod peak_rss;
#[cfg(not(target_arch = "wasm32"))]
mod plot;
#[cfg(not(target_arch = "wasm32"))]
mod progress;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};

    /// What each exit code means, and the conventions every command shares.
    const CONVENTIONS: &str = "\
Exit codes:
  0    the command ran and every result it promises holds
  1    the command ran, but its result misses its own promise (prune: not
       within ε, or no test row verified; ticket verify: the ticket does
       not verify); the report is still printed
  2    bad input: an argument, value or file that cannot mean anything
       (nothing is computed); also a bare `eslt`, `eslt bench`, `eslt ticket`,
       which print their help
  130  interrupted (Ctrl-C)

With --json, an error is one JSON line on stderr instead of text:
{\"error\": \"...\", \"exit\": 2}; stdout holds only reports.
Threads: --threads N, else RAYON_NUM_THREADS, else all cores.

Example:
  eslt prune --model www/models/rotmnist-c8.json --eps 0.01 --seed 1";

    #[derive(Parser)]
    #[command(
        name = "eslt",
        about = "Equivariant strong lottery tickets",
        arg_required_else_help = true,
        after_help = CONVENTIONS
    )]
    pub struct Cli {
        #[command(subcommand)]
        pub command: Command,
    }

    #[derive(Subcommand)]
    pub enum Command {
        /// Convert MNIST IDX files to the packed digit format.
        Data(super::cmd_data::Args),
        /// Train a target model.
        Train(super::cmd_train::Args),
        /// Evaluate a model on its task's test rows (rotated digits, or test graphs).
        Eval(super::cmd_eval::Args),
        /// Prune a random source network into a ticket matching a target.
        Prune(super::cmd_prune::Args),
        /// Benchmarks (`eslt bench subset-sum`, `eslt bench forward`).
        #[command(arg_required_else_help = true)]
        Bench(super::cmd_bench::Args),
        /// Coefficient error and ticket accuracy for a range of n.
        Sweep(super::cmd_sweep::Args),
        /// Exported ticket files: `eslt ticket verify`.
        #[command(arg_required_else_help = true)]
        Ticket(super::cmd_ticket::Args),
        /// Fuzz the loaders and parsers of outside input (`--list` names them).
        Fuzz(super::cmd_fuzz::Args),
        /// Print a shell completion script (bash, zsh or fish) on stdout.
        #[command(
            after_help = "Example:\n  eslt completions bash > ~/.local/share/bash-completion/completions/eslt"
        )]
        Completions(super::completions::Args),
    }

    /// The version `--version` prints: the crate's, plus the commit when the
    /// binary was built from a checkout (build.sh exports ESLT_COMMIT).
    pub fn version() -> &'static str {
        match option_env!("ESLT_COMMIT") {
            Some(c) if !c.is_empty() => {
                Box::leak(format!("{} ({c})", env!("CARGO_PKG_VERSION")).into_boxed_str())
            }
            _ => env!("CARGO_PKG_VERSION"),
        }
    }

    /// The whole command tree, with its version.
    pub fn command() -> clap::Command {
        use clap::CommandFactory;
        Cli::command().version(version())
    }
}

/// Whether the command line asks for JSON output: its errors are then JSON
/// too.
#[cfg(not(target_arch = "wasm32"))]
fn wants_json() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// Prints an error on stderr — `eslt: error: MESSAGE`, or with `--json`
/// one JSON line — and exits with `code`.
#[cfg(not(target_arch = "wasm32"))]
fn fail(message: &str, code: i32) -> ! {
    if wants_json() {
        eprintln!("{}", serde_json::json!({ "error": message, "exit": code }));
    } else {
        eprintln!("eslt: error: {message}");
    }
    std::process::exit(code);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::FromArgMatches;
    let parsed = cli::command()
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                std::process::exit(0);
            }
            // A bare group (`eslt`, `eslt bench`) prints its help, exit 2.
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                let _ = e.print();
                std::process::exit(2);
            }
            // clap's whole message: the error, any tip, the usage.
            let text = e.render().to_string();
            if wants_json() {
                fail(text.trim_end().trim_start_matches("error: "), 2);
            }
            let _ = e.print();
            std::process::exit(2);
        }
    };
    // Ok(false): the command ran, and its result misses its own promise.
    let result = match cli.command {
        cli::Command::Data(a) => cmd_data::run(a).map(|()| true),
        cli::Command::Train(a) => cmd_train::run(a).map(|()| true),
        cli::Command::Eval(a) => cmd_eval::run(a).map(|()| true),
        cli::Command::Prune(a) => cmd_prune::run(a),
        cli::Command::Bench(a) => cmd_bench::run(a).map(|()| true),
        cli::Command::Sweep(a) => cmd_sweep::run(a).map(|()| true),
        cli::Command::Ticket(a) => cmd_ticket::run(a),
        cli::Command::Fuzz(a) => cmd_fuzz::run(a).map(|()| true),
        cli::Command::Completions(a) => {
            completions::run(a, cli::command());
            Ok(true)
        }
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => fail(&e.to_string(), 2),
    }
}

// The binary is native-only; this keeps `cargo test --target wasm32` building.
#[cfg(target_arch = "wasm32")]
fn main() {}
