//! `eslt ticket verify`: regenerate an exported ticket from its seed and
//! mask, re-run the pruning, and check both against the file — for image
//! models (test digits from `--data`) and graph models (the task's test
//! graphs, regenerated) alike.
//!
//! Exit codes: 0 when every check passes, 1 when the file is well-formed
//! but does not verify (stderr names the failed checks), 2 on bad input.

use crate::backend::{solver, Backend};
use crate::{graph_task, test_set};
use eslt::nn::graph::graph_model;
use eslt::nn::model_file::with_path;
use eslt::slt::rebalance::rebalance;
use eslt::slt::target::TargetNetwork;
use eslt::slt::ticket::collapsed_network;
use eslt::slt::ticket_file::{digest_of, sha256_hex, TicketFile, MAX_FILE_BYTES};
use eslt::slt::verify::{compare, Comparison};
use eslt::slt::{drive, PruneConfig, PruneOutcome, RunHooks, RunOptions};
use eslt::{Error, Result};
use std::io::Write;
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

pub fn run(a: Args) -> Result<()> {
    match a.command {
        TicketCommand::Verify(v) => verify(v),
    }
}

/// Everything `verify` found, in the order of the `--json` keys.
#[derive(serde::Serialize)]
struct Verdict {
    ticket_valid: bool,
    mask_digest: String,
    mask_digest_matches: bool,
    rerun_matches: bool,
    model_sha256_matches: bool,
    target_accuracy: f64,
    ticket_accuracy: f64,
    agreement: f64,
    test_digits: usize,
    report_target_accuracy: f64,
    report_ticket_accuracy: f64,
    report_agreement: f64,
    accuracies_match: bool,
    file_bytes: u64,
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
pub fn write_ticket<N>(
    out: &Path,
    outcome: &PruneOutcome<N>,
    cfg: &PruneConfig,
    model: &Path,
) -> Result<()> {
    let bytes = std::fs::read(model)
        .map_err(|e| Error::Model(format!("cannot read {}: {e}", model.display())))?;
    let name = model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = TicketFile::new(outcome, cfg, &name, &sha256_hex(&bytes))?.to_json()?;
    // Through a temporary file, removed on error or a second Ctrl-C.
    crate::interrupt::write_atomic(out, "--ticket-out", text.as_bytes())
}

/// Same accuracy over `digits` inputs: the same count of correct answers.
fn same_fraction(a: f64, b: f64, digits: usize) -> bool {
    let n = digits as f64;
    (a * n).round() == (b * n).round()
}

fn verify(a: VerifyArgs) -> Result<()> {
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
    if sha != file.model_sha256 {
        return Err(Error::InvalidArgument(format!(
            "model {} has sha256 {sha}, the ticket was pruned from {} with sha256 {}",
            a.model.display(),
            file.model,
            file.model_sha256
        )));
    }
    let reported = file.report_accuracy()?;
    let d = reported.test_digits;
    let mut v = if graph_task::is_graph_model_text(&text) {
        let (target, meta) = graph_model::from_json(&text).map_err(with_path(&a.model))?;
        same_task(&file, &meta.task)?;
        let tests = graph_task::tests_with_rows(&meta.task, d)?;
        check_ticket(
            &file,
            &target,
            &meta.task,
            a.threads,
            |target, ticket, scale| graph_task::compare_on(target, ticket, scale, &tests),
        )?
    } else {
        let (target, meta) = eslt::nn::model::from_json(&text).map_err(with_path(&a.model))?;
        same_task(&file, &meta.task)?;
        let test = if d > 0 {
            Some(test_set::load(&a.data, Some(d))?)
        } else {
            None
        };
        check_ticket(
            &file,
            &target,
            &meta.task,
            a.threads,
            |target, ticket, scale| match &test {
                Some((images, labels)) => compare(target, ticket, scale, images.view(), labels),
                None => Ok(Comparison::default()),
            },
        )?
    };
    v.accuracies_match = v.test_digits == d
        && same_fraction(v.target_accuracy, reported.target_accuracy, d)
        && same_fraction(v.ticket_accuracy, reported.ticket_accuracy, d)
        && same_fraction(v.agreement, reported.agreement, d);
    v.ticket_valid = v.mask_digest_matches && v.rerun_matches && v.accuracies_match;
    v.report_target_accuracy = reported.target_accuracy;
    v.report_ticket_accuracy = reported.ticket_accuracy;
    v.report_agreement = reported.agreement;
    v.file_bytes = ticket_bytes.len() as u64;
    if a.json {
        println!("{}", serde_json::to_string(&v)?);
    } else {
        print_table(&file, &v);
    }
    if !v.ticket_valid {
        let failed: Vec<&str> = [
            (
                v.mask_digest_matches,
                "the rebuilt mask's digest differs from the file's",
            ),
            (
                v.rerun_matches,
                "re-running the pruning gives a different mask or β",
            ),
            (
                v.accuracies_match,
                "the accuracies differ from the report's",
            ),
        ]
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, why)| *why)
        .collect();
        let _ = std::io::stdout().flush();
        eprintln!("eslt: the ticket does not verify: {}", failed.join("; "));
        std::process::exit(1);
    }
    Ok(())
}

fn same_task(file: &TicketFile, task: &str) -> Result<()> {
    if task != file.task {
        return Err(Error::InvalidArgument(format!(
            "the ticket is for task {}, the model is {task}",
            file.task
        )));
    }
    Ok(())
}

/// Rebuilds the ticket from the file alone (seed → source, bits → mask),
/// re-runs the pruning natively from the file's configuration, and compares
/// target and ticket with `compare(target, ticket, ticket_scale)`. The
/// report's figures are filled in by the caller.
fn check_ticket<N: TargetNetwork + PartialEq>(
    file: &TicketFile,
    target: &N,
    task: &str,
    threads: Option<usize>,
    compare: impl FnOnce(&N, &N, f64) -> Result<Comparison>,
) -> Result<Verdict> {
    let pruned = file.rebuild(target)?;
    let digest = digest_of(&pruned);
    let mask_digest_matches = digest == file.mask_digest;
    let rebalanced = rebalance(target, file.headroom);
    let ticket = collapsed_network(&rebalanced.network, &pruned)?;

    let cfg = file.config();
    let cpu = solver(Backend::Cpu, threads)?;
    let now = || 0.0;
    let rerun = drive(
        target,
        task,
        &cfg,
        &RunOptions::default(),
        cpu.as_ref(),
        None,
        RunHooks {
            now: &now,
            on_event: &mut |_| {},
            cancel: &|| false,
        },
    )?;
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
    let same_beta = rerun.pruned.len() == pruned.len()
        && rerun.pruned.iter().zip(&pruned).all(|(r, p)| {
            bits(&r.beta_pos) == bits(&p.beta_pos)
                && r.beta_neg.as_deref().map(bits) == p.beta_neg.as_deref().map(bits)
                && r.subsets == p.subsets
        });
    let rerun_matches =
        same_beta && digest_of(&rerun.pruned) == file.mask_digest && rerun.ticket == ticket;
    let cmp = compare(target, &ticket, rebalanced.output_scale)?;
    Ok(Verdict {
        ticket_valid: false,
        mask_digest: digest,
        mask_digest_matches,
        rerun_matches,
        model_sha256_matches: true,
        target_accuracy: cmp.target_accuracy,
        ticket_accuracy: cmp.ticket_accuracy,
        agreement: cmp.agreement,
        test_digits: cmp.test_digits,
        report_target_accuracy: 0.0,
        report_ticket_accuracy: 0.0,
        report_agreement: 0.0,
        accuracies_match: false,
        file_bytes: 0,
    })
}

fn print_table(file: &TicketFile, v: &Verdict) {
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
        format!("on {} rotated test digits", v.test_digits),
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
