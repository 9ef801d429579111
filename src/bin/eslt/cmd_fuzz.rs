//! `eslt fuzz`: a fuzz harness on stable Rust over every loader and parser
//! of outside input (see [`crate::fuzz`]).
//!
//! `eslt fuzz --list` names the targets (with `--target NAME`: its seeds);
//! `eslt fuzz --target NAME
//! --iterations N --seed S [--json]` runs N inputs: the target's seeds
//! unchanged, then seeded mutants (input i depends only on S, NAME and i).
//! Every input must end in Ok or a typed error:
//!
//! - a panic is caught (`catch_unwind`), reported with its message, and the
//!   input saved to `<crash-dir>/<target>-<sha256[..16]>.bin`;
//! - an input slower than `--budget-ms` is reported as slow (and saved as
//!   `….slow.bin`); one still running after `--hang-seconds` is a hang: the
//!   watchdog saves it (`….hang.bin`) and ends the run with exit code 1;
//! - a single allocation over `--max-alloc-mb` is refused (the binary's
//!   allocator): a crash of that input, or, where the code cannot handle
//!   the failure, an abort of the run with a message naming the input.
//!
//! Exit code 0 when every input ended in Ok or a typed error, 1 otherwise,
//! 2 on bad arguments. `--json` prints one object with `target`,
//! `iterations`, `ok`, `rejected`, `seconds` (the loop, without setting up
//! the seeds), `crashes`, `slow`, `max_input_seconds`, `seed`, `start`,
//! `seeds`, `budget_ms`. `--input FILE` runs one file instead (a saved
//! crash); `--dump FILE` writes the last generated input to FILE.

use crate::fuzz::guard;
use crate::fuzz::mutate::Mutator;
use crate::fuzz::targets::{self, Outcome, Target, ABOUT, NAMES};
use eslt::{Error, Result};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
#[command(after_help = "Examples:
  eslt fuzz --list
  eslt fuzz --target ticket --iterations 10000 --seed 1")]
pub struct Args {
    /// List the targets and exit.
    #[arg(long)]
    pub list: bool,
    /// Target to fuzz (see --list).
    #[arg(long, required_unless_present = "list")]
    pub target: Option<String>,
    /// Inputs to run (the seeds first, then mutants).
    #[arg(long, default_value_t = 10_000)]
    pub iterations: u64,
    /// Seed of the mutations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Index of the first input (to replay input i: --start i --iterations 1).
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// Run this file as the only input (e.g. a saved crash).
    #[arg(long, conflicts_with_all = ["start"])]
    pub input: Option<PathBuf>,
    /// Write the last input run to this file.
    #[arg(long)]
    pub dump: Option<PathBuf>,
    /// Time budget of one input (ms): slower inputs are reported.
    #[arg(long, default_value_t = 1000)]
    pub budget_ms: u64,
    /// An input still running after this long is a hang (exit 1).
    #[arg(long, default_value_t = 60)]
    pub hang_seconds: u64,
    /// Largest single allocation allowed while fuzzing (MiB).
    #[arg(long, default_value_t = 512)]
    pub max_alloc_mb: usize,
    /// Where crashing, slow and hanging inputs are saved.
    #[arg(long, default_value = "target/fuzz-crashes")]
    pub crash_dir: PathBuf,
    /// Repository root (www/models, target/data) for the seeds; default:
    /// the current directory, or the source tree this binary was built from.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Summary {
    target: String,
    iterations: u64,
    ok: u64,
    rejected: u64,
    seconds: f64,
    crashes: u64,
    slow: u64,
    max_input_seconds: f64,
    seed: u64,
    start: u64,
    seeds: usize,
    budget_ms: u64,
    setup_seconds: f64,
    crash_files: Vec<String>,
}

fn short_hash(bytes: &[u8]) -> String {
    eslt::slt::ticket_file::sha256_hex(bytes)[..16].to_string()
}

/// Saves `input` as `<dir>/<target>-<hash><suffix>`; returns the path.
fn save(dir: &Path, target: &str, suffix: &str, input: &[u8]) -> String {
    let path = dir.join(format!("{target}-{}{suffix}", short_hash(input)));
    let _ = std::fs::create_dir_all(dir);
    match std::fs::write(&path, input) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {e})"),
    }
}

fn root(a: &Args) -> PathBuf {
    if let Some(r) = &a.root {
        return r.clone();
    }
    if Path::new("www/models").is_dir() {
        PathBuf::from(".")
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }
}

/// The message of the last panic, recorded by the hook installed in `run`.
static PANIC: Mutex<String> = Mutex::new(String::new());

pub fn run(a: Args) -> Result<()> {
    if let (true, Some(name)) = (a.list, &a.target) {
        // `--list --target NAME`: that target's seeds.
        let target = targets::make(name, &root(&a))?;
        for s in &target.seeds {
            println!(
                "{:>9} bytes  weight {:>2}  {}",
                s.bytes.len(),
                s.weight,
                s.name
            );
        }
        return Ok(());
    }
    if a.list {
        for (name, about) in NAMES.iter().zip(ABOUT) {
            println!("{name:<10} {about}");
        }
        return Ok(());
    }
    let name = a.target.clone().unwrap_or_default();
    let index = NAMES
        .iter()
        .position(|n| *n == name)
        .or((name == targets::SELFTEST).then_some(NAMES.len()))
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "unknown fuzz target {name:?} (known: {})",
                NAMES.join(", ")
            ))
        })?;
    if a.budget_ms == 0 || a.hang_seconds == 0 || a.max_alloc_mb == 0 {
        return Err(Error::InvalidArgument(
            "--budget-ms, --hang-seconds and --max-alloc-mb must be positive".into(),
        ));
    }
    let setup = Instant::now();
    let target = targets::make(&name, &root(&a))?;
    let single = match &a.input {
        Some(p) => Some(
            std::fs::read(p)
                .map_err(|e| Error::InvalidArgument(format!("--input {}: {e}", p.display())))?,
        ),
        None => None,
    };
    let setup_seconds = setup.elapsed().as_secs_f64();
    let summary = fuzz(&a, index, &target, single, setup_seconds);
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "fuzz {}: {} inputs ({} seeds), {} ok, {} rejected, {} crashes, {} slow (slowest {:.3} s), {:.2} s",
            summary.target,
            summary.iterations,
            summary.seeds,
            summary.ok,
            summary.rejected,
            summary.crashes,
            summary.slow,
            summary.max_input_seconds,
            summary.seconds
        );
    }
    if summary.crashes > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// The input under way, for the watchdog: (start, index, bytes).
type Current = Arc<Mutex<Option<(Instant, u64, Arc<Vec<u8>>)>>>;

fn watchdog(current: Current, limit: Duration, dir: PathBuf, target: &'static str) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        let stuck = match current.lock() {
            Ok(c) => c
                .as_ref()
                .filter(|(t, _, _)| t.elapsed() > limit)
                .map(|(_, i, b)| (*i, b.clone())),
            Err(_) => None,
        };
        if let Some((i, bytes)) = stuck {
            let path = save(&dir, target, ".hang.bin", &bytes);
            eprintln!(
                "eslt fuzz: HANG: {target} input {i} ({} bytes) still running after {} s; saved to {path}",
                bytes.len(),
                limit.as_secs()
            );
            std::process::exit(1);
        }
    });
}

fn fuzz(
    a: &Args,
    index: usize,
    target: &Target,
    single: Option<Vec<u8>>,
    setup_seconds: f64,
) -> Summary {
    let mutator = Mutator::new(&target.seeds, target.kind, target.hot, target.max_len);
    let budget = Duration::from_millis(a.budget_ms);
    let current: Current = Arc::new(Mutex::new(None));
    watchdog(
        current.clone(),
        Duration::from_secs(a.hang_seconds),
        a.crash_dir.clone(),
        target.name,
    );
    // Panics are expected findings: record them instead of printing.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut p) = PANIC.lock() {
            *p = format!("panicked: {msg}{at}");
        }
    }));
    guard::set_run(index, a.seed);
    guard::set_limit(a.max_alloc_mb.saturating_mul(1 << 20));

    let (count, start) = match &single {
        Some(_) => (1, 0),
        None => (a.iterations, a.start),
    };
    let slowest = AtomicU64::new(0);
    let mut s = Summary {
        target: target.name.into(),
        iterations: 0,
        ok: 0,
        rejected: 0,
        seconds: 0.0,
        crashes: 0,
        slow: 0,
        max_input_seconds: 0.0,
        seed: a.seed,
        start,
        seeds: target.seeds.len(),
        budget_ms: a.budget_ms,
        setup_seconds,
        crash_files: Vec::new(),
    };
    let clock = Instant::now();
    let mut last = Vec::new();
    for i in start..start.saturating_add(count) {
        let input = Arc::new(match &single {
            Some(bytes) => bytes.clone(),
            None => mutator.input(a.seed, target.name, i),
        });
        let t = Instant::now();
        if let Ok(mut c) = current.lock() {
            *c = Some((t, i, input.clone()));
        }
        guard::set_input(Some(i));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        guard::set_input(None);
        if let Ok(mut c) = current.lock() {
            *c = None;
        }
        let took = t.elapsed();
        // A refused allocation that was handled is still a finding.
        let outcome = match (outcome, guard::take_refused()) {
            (Ok(_), Some(bytes)) => {
                if let Ok(mut p) = PANIC.lock() {
                    *p = format!(
                        "asked for {bytes} bytes in one allocation (--max-alloc-mb {})",
                        a.max_alloc_mb
                    );
                }
                Err(Box::new(()) as Box<dyn std::any::Any + Send>)
            }
            (o, _) => o,
        };
        slowest.fetch_max(took.as_nanos() as u64, Ordering::Relaxed);
        s.iterations += 1;
        match outcome {
            Ok(Outcome::Ok) => s.ok += 1,
            Ok(Outcome::Rejected) => s.rejected += 1,
            Err(_) => {
                s.crashes += 1;
                let msg = PANIC.lock().map(|p| p.clone()).unwrap_or_default();
                let path = if s.crash_files.len() < 20 {
                    save(&a.crash_dir, target.name, ".bin", &input)
                } else {
                    "(not saved: more than 20 crashes)".into()
                };
                eprintln!(
                    "eslt fuzz: CRASH: {} input {i} ({} bytes) {msg}; saved to {path}",
                    target.name,
                    input.len()
                );
                s.crash_files.push(path);
            }
        }
        if took > budget {
            s.slow += 1;
            let path = if s.slow <= 10 {
                save(&a.crash_dir, target.name, ".slow.bin", &input)
            } else {
                "(not saved)".into()
            };
            eprintln!(
                "eslt fuzz: slow: {} input {i} ({} bytes) took {:.3} s (budget {:.3} s); saved to {path}",
                target.name,
                input.len(),
                took.as_secs_f64(),
                budget.as_secs_f64()
            );
        }
        if a.dump.is_some() {
            last = input.to_vec();
        }
    }
    s.seconds = clock.elapsed().as_secs_f64();
    s.max_input_seconds = slowest.load(Ordering::Relaxed) as f64 * 1e-9;
    guard::set_limit(usize::MAX);
    panic::set_hook(hook);
    if let Some(d) = &a.dump {
        if let Err(e) = std::fs::write(d, &last) {
            eprintln!("eslt fuzz: --dump {}: {e}", d.display());
        }
    }
    s
}
