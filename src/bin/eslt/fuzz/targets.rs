//! The fuzz targets: every loader and parser that takes outside input, each
//! run exactly as the CLI or the page runs it, with its seed inputs.
//!
//! | target     | what runs on the input                                       |
//! |------------|--------------------------------------------------------------|
//! | `model`    | UTF-8 check, `nn::model::from_json`; Ok ⇒ `to_json` reloads   |
//! | `graph-model` | the same for `nn::graph::graph_model::from_json`          |
//! | `digits`   | `Digits::from_bytes`; Ok ⇒ `to_bytes` gives the input back    |
//! | `digits-gz`| `Digits::from_gzip` (64 MiB cap), as `Digits::load` a `.gz`   |
//! | `idx`      | `Digits::from_idx` on an (images, labels) pair                |
//! | `ticket`   | `TicketFile::from_json`, `rebuild` on rotmnist-c8, the ticket |
//! | `instances`| `subset_sum::parse_instances`; small batches are solved       |
//! | `config`   | `PruneConfig` from JSON, `validate`, `PruneRun::new`, 1st work|
//!
//! Seeds are the shipped files (www/models/*.json, target/data's page file
//! when present), inputs made in-process (small models, digit sets, IDX
//! pairs, tickets pruned from rotmnist-c8 at n = 8 and n = 5 without growth,
//! instance files, configurations) and small corrupted variants of them.
//! The `idx` input is one byte string: a little-endian u32 L, then L bytes
//! of the images file, then the labels file.

use std::ops::Range;
use std::path::Path;

use eslt::data::Digits;
use eslt::group::Group;
use eslt::nn::architecture::BasisKind;
use eslt::nn::model::{from_json, round_for_storage, to_json, ModelMeta, TrainingInfo};
use eslt::nn::{tasks, Network};
use eslt::slt::rebalance::rebalance;
use eslt::slt::subset_sum::{parse_instances, BatchSolver, CpuSolver, MAX_N};
use eslt::slt::ticket::collapsed_network;
use eslt::slt::ticket_file::{sha256_hex, TicketFile};
use eslt::slt::{prune_network, PruneConfig, PruneRun, RunHooks, RunOptions};
use eslt::{Error, Result};

use super::mutate::{gzip, HotRanges, Kind, Seed};

/// Every target's name, in `--list` order.
pub const NAMES: [&str; 8] = [
    "model",
    "graph-model",
    "digits",
    "digits-gz",
    "idx",
    "ticket",
    "instances",
    "config",
];

/// One-line descriptions, in [`NAMES`] order.
pub const ABOUT: [&str; 8] = [
    "model JSON: nn::model::from_json (www/models/*.json and small models)",
    "graph model JSON: nn::graph::graph_model::from_json (the shipped graph and set models)",
    "packed digit files: Digits::from_bytes",
    "gzipped packed digit files: Digits::from_gzip, as Digits::load reads .gz",
    "MNIST IDX image + label files: Digits::from_idx",
    "ticket files: TicketFile::from_json, then rebuild against rotmnist-c8",
    "subset-sum instance files (eslt bench subset-sum --instances): parse_instances",
    "run configuration: PruneConfig from JSON, validate, PruneRun::new",
];

/// A hidden target (not in `--list`) whose input panics when it starts
/// with `panic` and allocates 1 GiB when it starts with `alloc`: it tests
/// the harness (caught panics, saved inputs, the allocation cap, exit 1).
pub const SELFTEST: &str = "selftest";

fn selftest() -> Target {
    Target {
        name: SELFTEST,
        kind: Kind::Binary,
        hot: None,
        max_len: 1 << 10,
        seeds: vec![
            seed("fine", b"fine".to_vec(), 1),
            seed("panic", b"panic now".to_vec(), 1),
        ],
        run: Box::new(|input| {
            if input.starts_with(b"panic") {
                panic!("selftest panic");
            }
            if input.starts_with(b"alloc") {
                let v: Vec<u8> = Vec::with_capacity(1 << 30);
                std::hint::black_box(&v);
            }
            Ok(())
        }),
    }
}

/// Unpacked size cap of the `digits-gz` target.
pub const GZ_MAX_LEN: usize = 64 << 20;

/// How one input ended (a panic is caught by the caller).
pub enum Outcome {
    Ok,
    Rejected,
}

/// How a target runs one input.
type RunFn = Box<dyn Fn(&[u8]) -> Result<()>>;

/// A target ready to run: its seeds, how to mutate and how to run.
pub struct Target {
    pub name: &'static str,
    pub kind: Kind,
    pub hot: Option<HotRanges>,
    pub seeds: Vec<Seed>,
    /// Inputs are cut to this length.
    pub max_len: usize,
    run: RunFn,
}

impl Target {
    /// Runs one input: Ok, a typed error, or a panic (left to the caller).
    pub fn run(&self, input: &[u8]) -> Outcome {
        match (self.run)(input) {
            Ok(()) => Outcome::Ok,
            Err(_) => Outcome::Rejected,
        }
    }
}

fn seed(name: &str, bytes: Vec<u8>, weight: u32) -> Seed {
    Seed {
        name: name.into(),
        bytes,
        weight,
    }
}

fn text(input: &[u8]) -> Result<&str> {
    std::str::from_utf8(input).map_err(|e| Error::InvalidArgument(format!("not UTF-8: {e}")))
}

/// An invariant of a successful parse that does not hold: a harness
/// finding, reported like a crash.
fn invariant(what: &str) -> ! {
    panic!("invariant violated: {what}")
}

/// Sets up target `name`, reading shipped seeds under `root`.
pub fn make(name: &str, root: &Path) -> Result<Target> {
    let models = root.join("www/models");
    if !models.is_dir() {
        return Err(Error::InvalidArgument(format!(
            "{} not found: run from the repository root or pass --root",
            models.display()
        )));
    }
    match name {
        "model" => model(&models),
        "graph-model" => graph_model(&models),
        "digits" => Ok(digits(root)),
        "digits-gz" => Ok(digits_gz(root)),
        "idx" => Ok(idx(root)),
        "ticket" => ticket(&models, root),
        "instances" => Ok(instances()),
        "config" => config(),
        SELFTEST => Ok(selftest()),
        other => Err(Error::InvalidArgument(format!(
            "unknown fuzz target {other:?} (known: {})",
            NAMES.join(", ")
        ))),
    }
}

fn meta(task: &str, arch: eslt::nn::architecture::Architecture) -> ModelMeta {
    ModelMeta {
        task: task.into(),
        architecture: arch,
        training: TrainingInfo {
            seed: 3,
            epochs: 1,
            train_digits: 10,
            batch_size: 2,
            lr: 1e-3,
            seconds: 0.5,
            cpu_seconds: Some(0.5),
            command: "eslt fuzz seed".into(),
        },
        test_accuracy: 0.25,
        test_digits: 8,
        test_predictions_digest: Some("ab".repeat(32)),
    }
}

/// A small model of `task`'s shape: `fields` per layer, coefficients from
/// `seed`, as a model file.
fn small_model(task: &str, fields: [usize; 3], ksize: [usize; 3]) -> Result<String> {
    let g = tasks::group(task)?;
    let arch = if task == "rotmnist-mlp" {
        tasks::mlp(fields[0])
    } else {
        let basis = if g.order() == 1 {
            BasisKind::Pixel
        } else {
            BasisKind::Steerable
        };
        tasks::steerable_cnn(g, fields, ksize, basis)
    };
    let mut net = arch.build()?;
    net.init_coefficients(7);
    round_for_storage(&mut net);
    to_json(&net, &meta(task, arch))
}

fn model(models: &Path) -> Result<Target> {
    let mut seeds = Vec::new();
    for t in tasks::TASKS {
        let path = models.join(format!("{t}.json"));
        let bytes = std::fs::read(&path).map_err(|e| {
            Error::InvalidArgument(format!("cannot read seed {}: {e}", path.display()))
        })?;
        // The big files cost a millisecond or more each: picked less often.
        let weight = if bytes.len() > 300_000 { 1 } else { 2 };
        seeds.push(seed(t, bytes, weight));
    }
    for (t, f, k) in [
        ("rotmnist-c8", [1, 1, 1], [5, 3, 3]),
        ("rotmnist-d4", [1, 2, 1], [3, 3, 3]),
        ("rotmnist-c4", [2, 1, 1], [3, 1, 3]),
        ("rotmnist-cnn", [2, 2, 2], [3, 3, 1]),
        ("rotmnist-mlp", [3, 0, 0], [1, 1, 1]),
    ] {
        let json = small_model(t, f, k)?;
        seeds.push(seed(&format!("small {t}"), json.clone().into_bytes(), 8));
        // Small corrupted variants.
        seeds.push(seed(
            &format!("small {t}, version 2"),
            json.replacen("\"version\": 1", "\"version\": 2", 1)
                .into_bytes(),
            1,
        ));
        seeds.push(seed(
            &format!("small {t}, cut"),
            json.as_bytes()[..json.len() * 2 / 3].to_vec(),
            1,
        ));
        seeds.push(seed(
            &format!("small {t}, wide"),
            json.replacen("\"c_out\": 1,", "\"c_out\": 65536,", 1)
                .replacen("\"c_in\": 1,", "\"c_in\": 65536,", 1)
                .into_bytes(),
            1,
        ));
    }
    Ok(Target {
        name: "model",
        kind: Kind::Json,
        hot: None,
        max_len: 2 << 20,
        seeds,
        run: Box::new(|input| {
            let (net, meta) = from_json(text(input)?)?;
            // What loads must save and load again, to the same network.
            if input.len() < 64 << 10 {
                let again = to_json(&net, &meta)
                    .unwrap_or_else(|e| invariant(&format!("a loaded model does not save: {e}")));
                let (net2, _) = from_json(&again)
                    .unwrap_or_else(|e| invariant(&format!("a saved model does not load: {e}")));
                if net2 != net {
                    invariant("a model changes through save and load");
                }
            }
            Ok(())
        }),
    })
}

fn graph_model(models: &Path) -> Result<Target> {
    use eslt::nn::graph::{graph_model, tasks as graph_tasks};
    let mut seeds = Vec::new();
    for t in graph_tasks::names() {
        let path = models.join(format!("{t}.json"));
        let json = std::fs::read_to_string(&path).map_err(|e| {
            Error::InvalidArgument(format!("cannot read seed {}: {e}", path.display()))
        })?;
        seeds.push(seed(t, json.clone().into_bytes(), 4));
        // Small corrupted variants: a future version, cut short, a layer
        // claiming huge widths, an unknown basis.
        seeds.push(seed(
            &format!("{t}, version 2"),
            json.replacen("\"version\": 1", "\"version\": 2", 1)
                .into_bytes(),
            1,
        ));
        seeds.push(seed(
            &format!("{t}, cut"),
            json.as_bytes()[..json.len() / 2].to_vec(),
            1,
        ));
        seeds.push(seed(
            &format!("{t}, wide"),
            json.replacen("\"c_out\": 16", "\"c_out\": 1048576", 1)
                .replacen("\"c_out\": 12", "\"c_out\": 1048576", 1)
                .into_bytes(),
            1,
        ));
        seeds.push(seed(
            &format!("{t}, unknown basis"),
            json.replacen("\"kind\": \"", "\"kind\": \"x", 1)
                .into_bytes(),
            1,
        ));
    }
    Ok(Target {
        name: "graph-model",
        kind: Kind::Json,
        hot: None,
        max_len: 1 << 20,
        seeds,
        run: Box::new(|input| {
            let (net, meta) = graph_model::from_json(text(input)?)?;
            // What loads must save and load again, to the same network.
            let again = graph_model::to_json(&net, &meta)
                .unwrap_or_else(|e| invariant(&format!("a loaded graph model does not save: {e}")));
            let (net2, _) = graph_model::from_json(&again)
                .unwrap_or_else(|e| invariant(&format!("a saved graph model does not load: {e}")));
            if net2 != net {
                invariant("a graph model changes through save and load");
            }
            Ok(())
        }),
    })
}

/// Deterministic pseudo-random bytes.
fn noise(n: usize, salt: u64) -> Vec<u8> {
    let mut x = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Small digit sets: synthetic, and the first t10k digits when present.
fn digit_sets(root: &Path) -> Vec<(String, Digits)> {
    let mk = |count: usize, rows: usize, cols: usize, salt: u64| {
        let labels = noise(count, salt).iter().map(|b| b % 10).collect();
        Digits::new(rows, cols, labels, noise(count * rows * cols, salt + 1))
    };
    let mut out = Vec::new();
    for (name, d) in [
        ("0 digits 28x28", mk(0, 28, 28, 1)),
        ("1 digit 1x1", mk(1, 1, 1, 2)),
        ("3 digits 28x28", mk(3, 28, 28, 3)),
        ("4 digits 5x7", mk(4, 5, 7, 4)),
    ] {
        if let Ok(d) = d {
            out.push((name.to_string(), d));
        }
    }
    if let Ok(t10k) = Digits::load(&root.join("target/data/mnist-t10k.digits")) {
        out.push(("t10k[..5]".into(), t10k.subset(0..5)));
    }
    out
}

fn digit_hot(_: &[u8]) -> Vec<Range<usize>> {
    // The count, rows and cols fields.
    vec![8..12, 12..16]
}

fn digits(root: &Path) -> Target {
    let mut seeds: Vec<Seed> = digit_sets(root)
        .into_iter()
        .map(|(n, d)| seed(&n, d.to_bytes(), 4))
        .collect();
    let base = seeds[2].bytes.clone();
    seeds.push(seed("header cut", base[..10].to_vec(), 1));
    seeds.push(seed("bad magic", [b"ESLTDIG2", &base[8..]].concat(), 1));
    seeds.push(seed("one byte short", base[..base.len() - 1].to_vec(), 1));
    seeds.push(seed("one byte long", [&base[..], &[0]].concat(), 1));
    Target {
        name: "digits",
        kind: Kind::Binary,
        hot: Some(digit_hot),
        max_len: 1 << 20,
        seeds,
        run: Box::new(|input| {
            let d = Digits::from_bytes(input)?;
            if d.to_bytes() != input {
                invariant("a parsed digit file does not write back to the same bytes");
            }
            Ok(())
        }),
    }
}

fn digits_gz(root: &Path) -> Target {
    let mut seeds: Vec<Seed> = digit_sets(root)
        .into_iter()
        .map(|(n, d)| seed(&format!("{n}.gz"), gzip(&d.to_bytes()), 4))
        .collect();
    let shipped = root.join("target/data/mnist-t10k-2000.digits.gz");
    if let Ok(bytes) = std::fs::read(&shipped) {
        seeds.push(seed("mnist-t10k-2000.digits.gz", bytes, 1));
    }
    let three = digit_sets(root).swap_remove(2).1.to_bytes();
    // A bomb: a valid 3-digit header followed by 8 MiB of zeros.
    let mut bomb = three.clone();
    bomb.resize(8 << 20, 0);
    seeds.push(seed("trailing 8 MiB of zeros", gzip(&bomb), 1));
    // A header claiming 4 billion digits.
    let mut huge = three.clone();
    huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    seeds.push(seed("4G digits claimed", gzip(&huge), 1));
    let z = gzip(&three);
    seeds.push(seed("gzip cut", z[..z.len() / 2].to_vec(), 1));
    seeds.push(seed("two members", [&z[..], &z[..]].concat(), 1));
    seeds.push(seed("plain, not gzip", three, 1));
    Target {
        name: "digits-gz",
        kind: Kind::Gzip,
        hot: None,
        max_len: 1 << 20,
        seeds,
        run: Box::new(|input| Digits::from_gzip(input, GZ_MAX_LEN).map(|_| ())),
    }
}

fn idx_file(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// The `idx` target's input: LE u32 length of the images file, images, labels.
pub fn idx_pair(images: &[u8], labels: &[u8]) -> Vec<u8> {
    let mut out = (images.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(images);
    out.extend_from_slice(labels);
    out
}

fn split_idx(input: &[u8]) -> (&[u8], &[u8]) {
    if input.len() < 4 {
        return (input, &[]);
    }
    let l = u32::from_le_bytes([input[0], input[1], input[2], input[3]]) as usize;
    let rest = &input[4..];
    rest.split_at(l.min(rest.len()))
}

fn idx_hot(input: &[u8]) -> Vec<Range<usize>> {
    let (images, _) = split_idx(input);
    let l = 4 + images.len();
    vec![0..4, 4..20, l..l + 8]
}

fn idx(root: &Path) -> Target {
    let mut seeds = Vec::new();
    for (name, d) in digit_sets(root) {
        let (c, r, k) = (d.count as u32, d.rows as u32, d.cols as u32);
        let images = idx_file(&[c, r, k], &d.pixels);
        let labels = idx_file(&[c], &d.labels);
        seeds.push(seed(&name, idx_pair(&images, &labels), 4));
    }
    let d = digit_sets(root).swap_remove(2).1;
    let images = idx_file(&[3, 28, 28], &d.pixels);
    let labels = idx_file(&[3], &d.labels);
    seeds.push(seed(
        "label 10",
        idx_pair(&images, &idx_file(&[3], &[1, 10, 2])),
        1,
    ));
    seeds.push(seed(
        "count mismatch",
        idx_pair(&images, &idx_file(&[2], &d.labels[..2])),
        1,
    ));
    seeds.push(seed("images as labels", idx_pair(&labels, &images), 1));
    seeds.push(seed(
        "int32 type",
        idx_pair(&[&[0, 0, 0x0c, 3][..], &images[4..]].concat(), &labels),
        1,
    ));
    Target {
        name: "idx",
        kind: Kind::Binary,
        hot: Some(idx_hot),
        max_len: 1 << 20,
        seeds,
        run: Box::new(|input| {
            let (images, labels) = split_idx(input);
            let d = Digits::from_idx(images, labels)?;
            if d.labels.len() != d.count || d.pixels.len() != d.count * d.rows * d.cols {
                invariant("IDX digits whose buffers disagree with their shape");
            }
            Ok(())
        }),
    }
}

/// Prunes `target` at `cfg` without evaluation (or on `eval` digits).
fn prune_ticket(target: &Network, cfg: &PruneConfig, sha: &str) -> Result<String> {
    let solver = CpuSolver::new();
    let now = || 0.0;
    let outcome = prune_network(
        target,
        "rotmnist-c8",
        cfg,
        &solver,
        None,
        RunHooks {
            now: &now,
            on_event: &mut |_| {},
            cancel: &|| false,
        },
    )?;
    TicketFile::new(&outcome, cfg, "rotmnist-c8.json", sha)?.to_json()
}

fn ticket(models: &Path, _root: &Path) -> Result<Target> {
    let path = models.join("rotmnist-c8.json");
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))?;
    let (target, _) = from_json(text(&bytes)?)?;
    let sha = sha256_hex(&bytes);
    let mut seeds = Vec::new();
    for (name, cfg) in [
        (
            "c8 n=8 no growth",
            PruneConfig {
                n: Some(8),
                grow: false,
                ..PruneConfig::default()
            },
        ),
        (
            "c8 n=5 no growth, eps 0.25",
            PruneConfig {
                n: Some(5),
                grow: false,
                eps: 0.25,
                seed: 9,
                headroom: 0.75,
                ..PruneConfig::default()
            },
        ),
    ] {
        let json = prune_ticket(&target, &cfg, &sha)?;
        // A report that claims an evaluation, so its numbers are checked.
        let mut v: serde_json::Value = serde_json::from_str(&json)?;
        v["report"]["test_digits"] = 16.into();
        v["report"]["target_accuracy"] = 0.75.into();
        let evaluated = serde_json::to_string_pretty(&v)?;
        seeds.push(seed(name, json.clone().into_bytes(), 4));
        seeds.push(seed(
            &format!("{name}, evaluated"),
            evaluated.into_bytes(),
            2,
        ));
        seeds.push(seed(
            &format!("{name}, version 2"),
            json.replacen("\"version\": 1", "\"version\": 2", 1)
                .into_bytes(),
            1,
        ));
        seeds.push(seed(
            &format!("{name}, cut"),
            json.as_bytes()[..json.len() / 2].to_vec(),
            1,
        ));
    }
    Ok(Target {
        name: "ticket",
        kind: Kind::Json,
        hot: None,
        max_len: 1 << 20,
        seeds,
        run: Box::new(move |input| {
            let file = TicketFile::from_json(text(input)?)?;
            // As `eslt ticket verify`: rebuild, then the collapsed ticket.
            let pruned = file.rebuild(&target)?;
            let rebalanced = rebalance(&target, file.headroom);
            collapsed_network(&rebalanced.network, &pruned)?;
            let again = file
                .to_json()
                .unwrap_or_else(|e| invariant(&format!("a loaded ticket does not save: {e}")));
            TicketFile::from_json(&again)
                .unwrap_or_else(|e| invariant(&format!("a saved ticket does not load: {e}")));
            Ok(())
        }),
    })
}

fn instances() -> Target {
    let problems = |n: usize, count: usize, salt: u64| {
        let vals = noise(count * (n + 1) * 2, salt);
        let num = |i: usize| {
            (f64::from(vals[2 * i]) - 127.5) / 128.0 * (f64::from(vals[2 * i + 1]) / 255.0)
        };
        let cands: Vec<Vec<f64>> = (0..count)
            .map(|p| (0..n).map(|j| num(p * (n + 1) + j)).collect())
            .collect();
        let targets: Vec<f64> = (0..count).map(|p| num(p * (n + 1) + n)).collect();
        serde_json::json!({"candidates": cands, "targets": targets}).to_string()
    };
    let mut seeds = vec![
        seed("n=8 x 20", problems(8, 20, 1).into_bytes(), 4),
        seed("n=1 x 3", problems(1, 3, 2).into_bytes(), 2),
        seed("n=24 x 2", problems(24, 2, 3).into_bytes(), 2),
        seed(
            "n=32 x 1",
            serde_json::to_string_pretty(
                &serde_json::from_str::<serde_json::Value>(&problems(32, 1, 4)).unwrap_or_default(),
            )
            .unwrap_or_default()
            .into_bytes(),
            2,
        ),
        seed("empty", br#"{"candidates": [], "targets": []}"#.to_vec(), 1),
        seed(
            "n=0",
            br#"{"candidates": [[], []], "targets": [0.5, -1]}"#.to_vec(),
            1,
        ),
        seed(
            "large values",
            br#"{"candidates": [[1e150, -1e150, 3]], "targets": [1e150]}"#.to_vec(),
            1,
        ),
    ];
    seeds.push(seed(
        "ragged",
        br#"{"candidates": [[1, 2], [3]], "targets": [1, 2]}"#.to_vec(),
        1,
    ));
    let solver = CpuSolver::with_threads(1).ok();
    Target {
        name: "instances",
        kind: Kind::Json,
        hot: None,
        max_len: 1 << 20,
        seeds,
        run: Box::new(move |input| {
            let batch = parse_instances(text(input)?)?;
            if batch.n() > MAX_N {
                invariant("a batch with n over MAX_N");
            }
            // Solve what is small enough: 2^(n/2) per problem, bounded.
            let work = batch.len().saturating_mul(1 << (batch.n() / 2));
            if let (Some(s), true) = (&solver, work <= 1 << 18) {
                let sols = s.solve_batch(&batch, &|_| {}, &|| false)?;
                if sols.len() != batch.len() {
                    invariant("a solution count differs from the problem count");
                }
                let n = batch.n();
                if sols
                    .iter()
                    .any(|x| n < 32 && x.subset >> n != 0 || !x.error.is_finite())
                {
                    invariant("a subset outside n candidates, or a non-finite error");
                }
            }
            Ok(())
        }),
    }
}

fn config() -> Result<Target> {
    // A small C8 network: PruneRun::new draws its sources in microseconds.
    let mut net =
        tasks::steerable_cnn(Group::Cyclic(8), [1, 1, 1], [3, 3, 3], BasisKind::Steerable)
            .build()?;
    net.init_coefficients(5);
    let cfgs = [
        PruneConfig::default(),
        PruneConfig {
            eps: 1e-3,
            n: Some(12),
            seed: 42,
            headroom: 1.0,
            grow: false,
            input_nonnegative: false,
        },
        PruneConfig {
            eps: 0.5,
            n: Some(32),
            seed: u64::MAX,
            headroom: 1e-3,
            grow: true,
            input_nonnegative: true,
        },
    ];
    let mut seeds: Vec<Seed> = cfgs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let json = serde_json::to_string_pretty(c).unwrap_or_default();
            seed(&format!("config {i}"), json.into_bytes(), 4)
        })
        .collect();
    seeds.push(seed(
        "eps 0",
        br#"{"eps": 0, "n": null, "seed": 1, "headroom": 0.5, "grow": true, "input_nonnegative": true}"#
            .to_vec(),
        1,
    ));
    seeds.push(seed(
        "n 33",
        br#"{"eps": 0.01, "n": 33, "seed": 1, "headroom": 0.5, "grow": true, "input_nonnegative": true}"#
            .to_vec(),
        1,
    ));
    Ok(Target {
        name: "config",
        kind: Kind::Json,
        hot: None,
        max_len: 64 << 10,
        seeds,
        run: Box::new(move |input| {
            let cfg: PruneConfig = serde_json::from_slice(input)?;
            cfg.validate()?;
            let mut run = PruneRun::new(&net, "fuzz", &cfg, &RunOptions::default(), vec![])?;
            run.next_work()?;
            let again: PruneConfig = serde_json::from_str(&serde_json::to_string(&cfg)?)?;
            again
                .validate()
                .unwrap_or_else(|e| invariant(&format!("a valid config reloads invalid: {e}")));
            Ok(())
        }),
    })
}
