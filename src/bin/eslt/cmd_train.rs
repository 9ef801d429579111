//! `eslt train`: train a target model on freshly rotated MNIST digits and
//! write it, with its accuracy on the rotated t10k digits, as a model file.
//!
//! The output is never overwritten silently: when `--out` (default
//! `www/models/<task>.json`) exists, `eslt train` refuses before loading
//! anything, unless `--force` (there is no resuming: a run is cheap to redo
//! with the same seed, and bit-for-bit reproducible). The output's
//! directory is also checked for writability up front. The file is written
//! through a temporary file and renamed (see [`crate::interrupt`]): a full
//! disk or an unwritable path is a one-line error and leaves nothing behind.
//! Ctrl-C stops training after the current step (or after the evaluation
//! under way) and exits with code 130 without writing the model.

use std::path::{Path, PathBuf};
use std::time::Instant;

use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::data::Digits;
use eslt::nn::architecture::Architecture;
use eslt::nn::evaluate::{evaluate, predictions_digest};
use eslt::nn::graph::{graph_model, train_task};
use eslt::nn::model::{round_for_storage, to_json, ModelMeta, TrainingInfo};
use eslt::nn::train::{train, TrainConfig, TrainSet};
use eslt::nn::{tasks, ModelKind};
use eslt::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::interrupt;

#[derive(clap::Args)]
pub struct Args {
    /// Task: rotmnist-c8, rotmnist-d4, rotmnist-c4, rotmnist-cnn, rotmnist-mlp;
    /// graph-families-ign, graph-families-mpgnn, connectivity-mpgnn,
    /// sets-deepsets, karate-mpgnn (graphs and sets, their own settings).
    #[arg(long, default_value = tasks::DEFAULT_TASK)]
    task: String,
    /// Seeds the initial coefficients, the digit order and the rotations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Passes over the training digits (default: the task's).
    #[arg(long)]
    epochs: Option<usize>,
    /// Use the first N training digits (default: the task's).
    #[arg(long)]
    train_digits: Option<usize>,
    /// Mini-batch size (default: the task's).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam's initial step size (default: the task's).
    #[arg(long)]
    lr: Option<f32>,
    /// Kernel sizes of the three convolutions, e.g. 5,3,3 (default: the task's).
    #[arg(long, value_delimiter = ',')]
    ksize: Option<Vec<usize>>,
    /// Channels of the three convolutions, e.g. 64,128,128 (default: the
    /// task's; fields = channels / |G|).
    #[arg(long, value_delimiter = ',')]
    channels: Option<Vec<usize>>,
    /// Rotated t10k digits to measure the accuracy on.
    #[arg(long, default_value_t = 10_000)]
    test_digits: usize,
    /// Model file to write (default: www/models/<task>.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite --out if it exists (without it, an existing file is an
    /// error, reported before training starts).
    #[arg(long)]
    force: bool,
    /// Directory holding mnist-train.digits and mnist-t10k.digits.
    #[arg(long, default_value = "target/data")]
    data: PathBuf,
}

/// CPU seconds used by this process so far (user + system, all threads),
/// from /proc on Linux; None elsewhere.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in USER_HZ = 100 ticks per second.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Loads a packed digit file, saying how to make it if it is missing.
pub fn load_digits(dir: &Path, name: &str) -> Result<Digits> {
    let path = dir.join(name);
    if !path.exists() {
        return Err(Error::Data {
            what: path.display().to_string(),
            why: "not found (run ./build.sh first, or pass --data DIR)".into(),
        });
    }
    Digits::load(&path)
}

/// The first `count` t10k digits, each turned by its seeded test rotation
/// (plus `extra` radians), as pixels in [0, 1].
pub fn rotated_test_set(test: &Digits, count: usize) -> Result<(Vec<f32>, Vec<u8>)> {
    if count == 0 || count > test.count {
        return Err(Error::InvalidArgument(format!(
            "test digits must be in 1..={}, got {count}",
            test.count
        )));
    }
    let indices: Vec<usize> = (0..count).collect();
    let images = rotated_images(test, &indices, &test_angles(count));
    Ok((images, test.labels[..count].to_vec()))
}

pub fn run(args: Args) -> Result<()> {
    interrupt::install();
    interrupt::finish(train_model(args))
}

fn train_model(args: Args) -> Result<()> {
    // The graph tasks train with their table's settings.
    if ModelKind::of_task(&args.task) == ModelKind::Graph {
        return train_graph(&args.task, args.out, args.force);
    }
    let defaults = tasks::train_defaults(&args.task)?;
    let epochs = args.epochs.unwrap_or(defaults.epochs);
    let batch_size = args.batch_size.unwrap_or(defaults.batch_size);
    let lr = args.lr.unwrap_or(defaults.lr);
    let ksize: [usize; 3] = match &args.ksize {
        Some(k) => k
            .clone()
            .try_into()
            .map_err(|_| Error::InvalidArgument("--ksize takes three sizes, e.g. 5,3,3".into()))?,
        None => tasks::KSIZE,
    };
    let channels: [usize; 3] = match &args.channels {
        Some(c) => c.clone().try_into().map_err(|_| {
            Error::InvalidArgument("--channels takes three numbers, e.g. 64,128,128".into())
        })?,
        None => tasks::CHANNELS,
    };
    if !(lr.is_finite() && lr > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "--lr must be positive, got {lr}"
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("www/models/{}.json", args.task)));
    interrupt::prepare_output(&out, "--out", args.force)?;
    let train_all = load_digits(&args.data, "mnist-train.digits")?;
    let test = load_digits(&args.data, "mnist-t10k.digits")?;
    let n = args.train_digits.unwrap_or(defaults.train_digits);
    if n == 0 || n > train_all.count {
        return Err(Error::InvalidArgument(format!(
            "--train-digits must be in 1..={}, got {n}",
            train_all.count
        )));
    }
    let (test_images, test_labels) = rotated_test_set(&test, args.test_digits)?;
    interrupt::check()?;
    let train_digits = train_all.subset(0..n);
    let images: Vec<f32> = train_digits
        .pixels
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();

    let arch: Architecture = tasks::architecture_with(&args.task, ksize, channels)?;
    let mut net = arch.build()?;
    net.init_coefficients(args.seed);
    eprintln!(
        "{}: {} coefficients, {epochs} epochs over {n} digits, batch {batch_size}, lr {lr}",
        args.task,
        net.num_coefficients()
    );
    let cfg = TrainConfig {
        epochs,
        batch_size,
        lr,
        // A stream distinct from the initialisation's.
        seed: args.seed ^ 0x005E_ED0F_0707,
    };
    let data = TrainSet {
        images: &images,
        labels: &train_digits.labels,
        rows: train_digits.rows,
        cols: train_digits.cols,
    };
    let bar = ProgressBar::new((n.div_ceil(batch_size) * epochs) as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} eta {eta} {msg}")
            .map_err(|e| Error::InvalidArgument(format!("progress bar: {e}")))?
            .progress_chars("=> "),
    );
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let probe = 1000.min(test_labels.len());
    let mut probe_seconds = 0.0;
    let last = train(&mut net, &data, &cfg, &mut |p, net| {
        bar.set_position(p.step as u64);
        // Without a terminal the bar is hidden: log a line now and then.
        if bar.is_hidden() && (p.step % 200 == 0 || p.step == p.steps_total) {
            eprintln!(
                "step {}/{} epoch {} loss {:.4} acc {:.2}% ({:.0} s)",
                p.step,
                p.steps_total,
                p.epoch + 1,
                p.loss,
                100.0 * p.accuracy,
                start.elapsed().as_secs_f64()
            );
        }
        if p.step % 10 == 0 || p.step == p.steps_total {
            bar.set_message(format!(
                "epoch {}/{epochs} loss {:.4} acc {:.2}%",
                p.epoch + 1,
                p.loss,
                100.0 * p.accuracy
            ));
        }
        // Accuracy on a few rotated test digits after each epoch (not
        // used for any decision: the schedule is fixed in advance).
        if p.step % p.steps_per_epoch == 0 {
            let t = Instant::now();
            let e = evaluate(
                net,
                &test_images[..probe * test.rows * test.cols],
                &test_labels[..probe],
                test.rows,
                test.cols,
            );
            probe_seconds += t.elapsed().as_secs_f64();
            if let Ok(e) = e {
                bar.println(format!(
                    "epoch {}: train loss {:.4} acc {:.2}%, rotated t10k[..{probe}] {:.2}%",
                    p.epoch + 1,
                    p.loss,
                    100.0 * p.accuracy,
                    100.0 * e.accuracy
                ));
                if bar.is_hidden() {
                    eprintln!(
                        "epoch {}: train loss {:.4} acc {:.2}%, rotated t10k[..{probe}] {:.2}% ({:.0} s)",
                        p.epoch + 1,
                        p.loss,
                        100.0 * p.accuracy,
                        100.0 * e.accuracy,
                        start.elapsed().as_secs_f64()
                    );
                }
            }
        }
        !interrupt::interrupted()
    })?;
    // Training time without the per-epoch probes.
    let seconds = start.elapsed().as_secs_f64() - probe_seconds;
    // The probes' CPU time is not subtracted: it is at most a few percent.
    let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
    bar.finish();
    eprintln!(
        "trained in {seconds:.1} s ({:.0} digits/s; CPU time {}); last epoch: loss {:.4}, accuracy {:.2}%",
        (n * epochs) as f64 / seconds,
        cpu.map_or("unknown".to_string(), |c| format!("{c:.1} s")),
        last.loss,
        100.0 * last.accuracy
    );
    // Evaluate exactly what the file will hold (f16 for the largest models).
    round_for_storage(&mut net);
    let t = Instant::now();
    let eval = evaluate(&net, &test_images, &test_labels, test.rows, test.cols)?;
    interrupt::check()?;
    eprintln!(
        "rotated t10k: {:.2}% of {} digits ({:.1} s)",
        100.0 * eval.accuracy,
        test_labels.len(),
        t.elapsed().as_secs_f64()
    );

    let mut command = format!("eslt train --task {} --seed {}", args.task, args.seed);
    if epochs != defaults.epochs {
        command += &format!(" --epochs {epochs}");
    }
    if n != defaults.train_digits {
        command += &format!(" --train-digits {n}");
    }
    if batch_size != defaults.batch_size {
        command += &format!(" --batch-size {batch_size}");
    }
    if lr != defaults.lr {
        command += &format!(" --lr {lr}");
    }
    if ksize != tasks::KSIZE {
        command += &format!(" --ksize {},{},{}", ksize[0], ksize[1], ksize[2]);
    }
    if channels != tasks::CHANNELS {
        command += &format!(
            " --channels {},{},{}",
            channels[0], channels[1], channels[2]
        );
    }
    let meta = ModelMeta {
        task: args.task.clone(),
        architecture: arch,
        training: TrainingInfo {
            seed: args.seed,
            epochs,
            train_digits: n,
            batch_size,
            lr,
            seconds: (seconds * 10.0).round() / 10.0,
            cpu_seconds: cpu.map(|c| (c * 10.0).round() / 10.0),
            command,
        },
        test_accuracy: eval.accuracy,
        test_digits: test_labels.len(),
        test_predictions_digest: Some(predictions_digest(&eval.predictions)),
    };
    let json = to_json(&net, &meta)?;
    interrupt::check()?;
    interrupt::write_atomic(&out, "--out", json.as_bytes())?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `eslt train --task <graph task>`: the task table's settings.
fn train_graph(task: &str, out: Option<PathBuf>, force: bool) -> Result<()> {
    let out = out.unwrap_or_else(|| PathBuf::from(format!("www/models/{task}.json")));
    interrupt::prepare_output(&out, "--out", force)?;
    let mut last = usize::MAX;
    let (net, meta) = train_task(
        task,
        &mut |p, _| {
            if p.epoch != last {
                last = p.epoch;
                eprintln!(
                    "epoch {}: loss {:.4}, accuracy {:.4}",
                    p.epoch, p.loss, p.accuracy
                );
            }
            !interrupt::interrupted()
        },
        &cpu_seconds,
    )?;
    interrupt::check()?;
    eprintln!(
        "{task}: {} coefficients, {:.1} s, test accuracy {:.4} on {} rows",
        net.num_coefficients(),
        meta.training.seconds,
        meta.test_accuracy,
        meta.test_examples
    );
    let json = graph_model::to_json(&net, &meta)?;
    interrupt::write_atomic(&out, "--out", json.as_bytes())?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
