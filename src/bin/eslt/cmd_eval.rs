//! `eslt eval`: accuracy of a model file on the rotated t10k digits.

use std::path::PathBuf;
use std::time::Instant;

use eslt::data::rotate::rotate_quarter;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::nn::evaluate::{evaluate_with, predictions_digest};
use eslt::nn::model::load;
use eslt::nn::PreparedForward;
use eslt::{Error, Result};
use ndarray::ArrayView4;

use super::cmd_train::{load_digits, rotated_test_set};
use crate::backend::{forward_backend, Backend};

#[derive(clap::Args)]
pub struct Args {
    /// Model file (e.g. www/models/rotmnist-c8.json).
    #[arg(long)]
    model: PathBuf,
    /// Turn every test digit by DEG degrees more (counter-clockwise): an
    /// exact pixel permutation for multiples of 90, else one bilinear
    /// rotation of the original digit by its test angle + DEG.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    rotate: f64,
    /// Evaluate on the first N rotated t10k digits.
    #[arg(long, default_value_t = 10_000)]
    test_digits: usize,
    /// Digits on which to measure the logit change under a further 45° turn.
    #[arg(long, default_value_t = 1_000)]
    logit_change_digits: usize,
    /// Directory holding mnist-t10k.digits.
    #[arg(long, default_value = "target/data")]
    data: PathBuf,
    /// Forward pass on cpu or gpu (without a GPU adapter, or if the device
    /// fails during the run, the CPU takes over with one warning line and
    /// gives the same result).
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Graph models: relabel every test graph's nodes by a random
    /// permutation seeded from SEED (and the graph's index); the report adds
    /// `permutation_max_logit_change`.
    #[arg(long, value_name = "SEED")]
    permute: Option<u64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Largest logit change between two batches, absolute and relative to the
/// largest logit, and the fraction of equal predictions.
fn logit_change(
    net: &mut dyn PreparedForward,
    a: &[f32],
    b: &[f32],
    n: usize,
) -> Result<(f64, f64, f64)> {
    let va = ArrayView4::from_shape((n, 1, 28, 28), a)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    let vb = ArrayView4::from_shape((n, 1, 28, 28), b)
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    let (la, lb) = (net.output(va)?, net.output(vb)?);
    let max_abs = la
        .iter()
        .zip(lb.iter())
        .fold(0.0f64, |m, (&x, &y)| m.max((x - y).abs() as f64));
    let scale = la.iter().fold(0.0f64, |m, &x| m.max(x.abs() as f64));
    let pa = eslt::nn::argmax_rows(la.view());
    let pb = eslt::nn::argmax_rows(lb.view());
    let agree = pa.iter().zip(&pb).filter(|(x, y)| x == y).count() as f64 / n.max(1) as f64;
    Ok((
        max_abs,
        if scale > 0.0 { max_abs / scale } else { 0.0 },
        agree,
    ))
}

pub fn run(args: Args) -> Result<()> {
    if crate::graph_task::is_graph_model(&args.model) {
        return crate::graph_task::eval(&args.model, args.permute, None, args.json);
    }
    if args.permute.is_some() {
        return Err(eslt::Error::InvalidArgument(
            "--permute relabels graph nodes: it applies to graph models only".into(),
        ));
    }
    if !args.rotate.is_finite() {
        return Err(Error::InvalidArgument(
            "--rotate must be a finite number of degrees".into(),
        ));
    }
    let (net, meta) = load(&args.model)?;
    let mut forward = forward_backend(args.backend, None)?.prepare(&net)?;
    let test = load_digits(&args.data, "mnist-t10k.digits")?;
    let n = args.test_digits;
    let (mut images, labels) = rotated_test_set(&test, n)?;
    let (rows, cols) = (test.rows, test.cols);
    let pix = rows * cols;
    let quarters = args.rotate / 90.0;
    let exact = quarters == quarters.round();
    if exact {
        let turns = (quarters.round() as i64).rem_euclid(4) as i32;
        let mut dst = vec![0.0f32; pix];
        for img in images.chunks_exact_mut(pix) {
            rotate_quarter(img, rows, cols, turns, &mut dst);
            img.copy_from_slice(&dst);
        }
    } else {
        let extra = args.rotate.to_radians() as f32;
        let angles: Vec<f32> = test_angles(n).iter().map(|a| a + extra).collect();
        let indices: Vec<usize> = (0..n).collect();
        images = rotated_images(&test, &indices, &angles);
    }

    let start = Instant::now();
    let eval = evaluate_with(forward.as_mut(), &images, &labels, rows, cols)?;
    let seconds = start.elapsed().as_secs_f64();
    let digest = predictions_digest(&eval.predictions);

    // Report, not assert: C8 is exact only up to the grid's interpolation.
    let m = args.logit_change_digits.min(n);
    let change = if m > 0 {
        let indices: Vec<usize> = (0..m).collect();
        let base = test_angles(m);
        let turned: Vec<f32> = base
            .iter()
            .map(|a| a + std::f32::consts::FRAC_PI_4)
            .collect();
        let a = rotated_images(&test, &indices, &base);
        let b = rotated_images(&test, &indices, &turned);
        Some(logit_change(forward.as_mut(), &a, &b, m)?)
    } else {
        None
    };

    if args.json {
        let mut obj = serde_json::json!({
            "model": args.model.display().to_string(),
            "task": meta.task,
            "group": meta.architecture.group,
            "num_coefficients": net.num_coefficients(),
            "rotate_deg": args.rotate,
            "rotation_exact": exact,
            "test_digits": n,
            "correct": eval.correct,
            "accuracy": eval.accuracy,
            // Where the forward ran in the end ("cpu" after a fallback).
            "backend": forward.backend(),
            "seconds": seconds,
            "digits_per_second": n as f64 / seconds.max(1e-9),
            "predictions_digest": digest,
        });
        if let Some((abs, rel, agree)) = change {
            obj["logit_change_45"] = serde_json::json!({
                "digits": m,
                "max_abs": abs,
                "max_rel": rel,
                "prediction_agreement": agree,
            });
        }
        println!("{obj}");
    } else {
        println!(
            "{} ({}, {} coefficients): {:.2}% of {n} rotated t10k digits{} in {seconds:.2} s ({:.0} digits/s)",
            meta.task,
            meta.architecture.group,
            net.num_coefficients(),
            100.0 * eval.accuracy,
            if args.rotate != 0.0 { format!(" turned {}° more", args.rotate) } else { String::new() },
            n as f64 / seconds.max(1e-9)
        );
        println!("predictions sha256 {digest}");
        if let Some((abs, rel, agree)) = change {
            println!(
                "under a further 45° turn ({m} digits): max logit change {abs:.4} ({:.2}% of the largest logit), predictions agree on {:.2}%",
                100.0 * rel,
                100.0 * agree
            );
        }
    }
    Ok(())
}
