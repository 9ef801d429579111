//! `eslt ticket verify`: read the ticket file and the model, and print the
//! library's verdict ([`TicketFile::verify`]) — for image models (test
//! digits from `--data`) and graph models (the task's test graphs,
//! regenerated) alike. Also writes the ticket file of `eslt prune`.
//!
//! Exit codes (chosen in `main`): 0 when every check passes, 1 when the
//! file is well-formed but does not verify (stderr names the failed
//! checks), 2 on bad input.

use crate::backend::{solver, Backend};
use eslt::nn::model_file::with_path;
use eslt::nn::Model;
use eslt::sha256::sha256_hex;
use eslt::slt::ticket_file::{TicketFile, MAX_FILE_BYTES};
use eslt::slt::{ModelOutcome, PruneConfig, TestRows, TicketVerdict};
use eslt::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: TicketCommand,
}

#[derive(clap::Subcommand)]
pub enum TicketCommand {
    /// Rebuild a ticket file's ticket, re-run its pruning and re-evaluate it.
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Ticket file (as written by `eslt prune --ticket-out`).
    #[arg(long)]
    pub ticket: PathBuf,
    /// The target model the ticket was pruned from (image or graph model).
    #[arg(long)]
    pub model: PathBuf,
    /// Directory of the packed MNIST files (image models).
    #[arg(long, default_value = "target/data")]
    pub data: PathBuf,
    /// Solver threads for the re-run (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What a ticket command found: Ok(false) when a well-formed ticket does
/// not verify.
pub fn run(a: Args) -> Result<bool> {
    match a.command {
        TicketCommand::Verify(v) => verify(v),
    }
}

fn read_capped(path: &Path, what: &str) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {what} {}: {e}", path.display())))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(Error::InvalidArgument(format!(
            "{what} {} is {len} bytes, more than {MAX_FILE_BYTES}",
            path.display()
        )));
    }
    std::fs::read(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {what} {}: {e}", path.display())))
}

/// The model file's text and the SHA-256 of its bytes (one read).
fn read_model(path: &Path) -> Result<(String, String)> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Model(format!("cannot read {}: {e}", path.display())))?;
    let sha = sha256_hex(&bytes);
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Model(format!("{}: not UTF-8 text", path.display())))?;
    Ok((text, sha))
}

/// Writes the ticket file of a finished `eslt prune` run to `out` (through
/// a temporary file, then a rename).
pub fn write_ticket(
    out: &Path,
    outcome: &ModelOutcome,
    cfg: &PruneConfig,
    model: &Path,
) -> Result<()> {
    let bytes = std::fs::read(model)
        .map_err(|e| Error::Model(format!("cannot read {}: {e}", model.display())))?;
    let name = model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = outcome
        .ticket_file(cfg, &name, &sha256_hex(&bytes))?
        .to_json()?;
    // Through a temporary file, removed on error or a second Ctrl-C.
    crate::interrupt::write_atomic(out, "--ticket-out", text.as_bytes())
}

fn verify(a: VerifyArgs) -> Result<bool> {
    let ticket_bytes = read_capped(&a.ticket, "ticket file")?;
    let text = std::str::from_utf8(&ticket_bytes).map_err(|_| {
        Error::InvalidArgument(format!(
            "ticket file {}: not UTF-8 text",
            a.ticket.display()
        ))
    })?;
    let file = TicketFile::from_json(text).map_err(|e| match e {
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("{}: {m}", a.ticket.display())),
        Error::Json(j) => {
            Error::InvalidArgument(format!("ticket file {}: {j}", a.ticket.display()))
        }
        e => e,
    })?;
    let (text, sha) = read_model(&a.model)?;
    let in_model = |e: Error| match e {
        Error::InvalidArgument(m) => {
            Error::InvalidArgument(format!("model {}: {m}", a.model.display()))
        }
        e => e,
    };
    file.check_model_sha256(&sha).map_err(in_model)?;
    let model = Model::from_json(&text).map_err(with_path(&a.model))?;
    file.check_task(model.task())?;
    let tests = TestRows::exactly(&model, &a.data, file.report.rows)?;
    let cpu = solver(Backend::Cpu, a.threads)?;
    let v = file.verify(
        &model,
        &sha,
        &tests,
        cpu.as_ref(),
        ticket_bytes.len() as u64,
    )?;
    if a.json {
        println!("{}", serde_json::to_string(&v)?);
    } else {
        print_table(&file, &v, &tests);
    }
    if !v.ticket_valid {
        eprintln!(
            "eslt: the ticket does not verify: {}",
            v.failures().join("; ")
        );
    }
    Ok(v.ticket_valid)
}

fn print_table(file: &TicketFile, v: &TicketVerdict, tests: &TestRows) {
    let yes = |b: bool| if b { "yes" } else { "NO" };
    println!(
        "ticket of {} (task {}, seed {}, ε = {}, n per layer {:?}), {} bytes",
        file.model, file.task, file.seed, file.eps, file.n_per_layer, v.file_bytes
    );
    println!(
        "{:<34} {}",
        "model sha256 matches",
        yes(v.model_sha256_matches)
    );
    println!(
        "{:<34} {} ({})",
        "mask digest matches",
        yes(v.mask_digest_matches),
        v.mask_digest
    );
    println!(
        "{:<34} {}",
        "re-run gives the same mask and β",
        yes(v.rerun_matches)
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10}",
        format!("on {}", tests.describe(v.rows)),
        "target",
        "ticket",
        "agreement"
    );
    println!(
        "{:<34} {:>9.2}% {:>9.2}% {:>9.2}%",
        "  now",
        100.0 * v.target_accuracy,
        100.0 * v.ticket_accuracy,
        100.0 * v.agreement
    );
    println!(
        "{:<34} {:>9.2}% {:>9.2}% {:>9.2}%",
        "  in the report",
        100.0 * v.report_target_accuracy,
        100.0 * v.report_ticket_accuracy,
        100.0 * v.report_agreement
    );
    println!("{:<34} {}", "accuracies match", yes(v.accuracies_match));
    println!(
        "{}",
        if v.ticket_valid {
            "ticket valid"
        } else {
            "ticket NOT valid"
        }
    );
}
