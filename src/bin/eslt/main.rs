//! The eslt command-line tool: data, train, eval, prune, bench, sweep, ticket.
//!
//! Errors on user input print one line on stderr and exit with code 2
//! (`eslt ticket verify` exits 1 when a well-formed ticket does not verify).

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
mod fuzz;
#[cfg(not(target_arch = "wasm32"))]
mod interrupt;
#[cfg(not(target_arch = "wasm32"))]
mod peak_rss;
#[cfg(not(target_arch = "wasm32"))]
mod plot;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};

    #[derive(Parser)]
    #[command(name = "eslt", version, about = "Equivariant strong lottery tickets")]
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
        /// Evaluate a model on rotated test digits.
        Eval(super::cmd_eval::Args),
        /// Prune a random source network into a ticket matching a target.
        Prune(super::cmd_prune::Args),
        /// Benchmarks.
        Bench(super::cmd_bench::Args),
        /// Coefficient error and ticket accuracy for a range of n.
        Sweep(super::cmd_sweep::Args),
        /// Exported ticket files: `eslt ticket verify`.
        Ticket(super::cmd_ticket::Args),
        /// Fuzz the loaders and parsers of outside input (`--list` names them).
        Fuzz(super::cmd_fuzz::Args),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::Parser;
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                std::process::exit(0);
            }
            // One clear line: clap's first line carries the message.
            let rendered = e.render().to_string();
            let line = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!("eslt: {}", line.trim_start_matches("error: "));
            std::process::exit(2);
        }
    };
    // Ok(false): the command ran, and what it checked does not hold.
    let result = match cli.command {
        cli::Command::Data(a) => cmd_data::run(a).map(|()| true),
        cli::Command::Train(a) => cmd_train::run(a).map(|()| true),
        cli::Command::Eval(a) => cmd_eval::run(a).map(|()| true),
        cli::Command::Prune(a) => cmd_prune::run(a).map(|()| true),
        cli::Command::Bench(a) => cmd_bench::run(a).map(|()| true),
        cli::Command::Sweep(a) => cmd_sweep::run(a).map(|()| true),
        cli::Command::Ticket(a) => cmd_ticket::run(a),
        cli::Command::Fuzz(a) => cmd_fuzz::run(a).map(|()| true),
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("eslt: error: {e}");
            std::process::exit(2);
        }
    }
}

// The binary is native-only; this keeps `cargo test --target wasm32` building.
#[cfg(target_arch = "wasm32")]
fn main() {}
