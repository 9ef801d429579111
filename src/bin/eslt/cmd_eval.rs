//! `eslt eval`: accuracy of a model file (image or graph) on its task's
//! test rows, with the library's symmetry check of its kind
//! ([`eslt::nn::model_eval`]), which also refuses the flags that have no
//! meaning for the model's kind.

use std::path::PathBuf;

use eslt::data::rotated_mnist::T10K;
use eslt::nn::model_eval::{evaluate_model, EvalOptions};
use eslt::nn::Model;
use eslt::Result;

use super::cmd_train::load_digits;
use crate::backend::{forward_backend, global_threads, Backend};
use crate::progress::RowsBar;

#[derive(clap::Args)]
#[command(after_help = "Examples:
  eslt eval --model www/models/rotmnist-c8.json --rotate 90
  eslt eval --model www/models/sets-deepsets.json --permute 7 --json")]
pub struct Args {
    /// Model file (e.g. www/models/rotmnist-c8.json).
    #[arg(long)]
    model: PathBuf,
    /// Image models: turn every test digit by DEG degrees more
    /// (counter-clockwise; default 0): an exact pixel permutation for
    /// multiples of 90, else one bilinear rotation of the original digit by
    /// its test angle + DEG. Refused for graph models.
    #[arg(long, value_name = "DEG", allow_negative_numbers = true)]
    rotate: Option<f64>,
    /// Evaluate on the first N test rows: rotated t10k digits (image
    /// models, default 10,000) or test graphs (graph models, default all);
    /// 1..=available, else refused.
    #[arg(long, value_name = "N")]
    test_digits: Option<usize>,
    /// Image models: digits on which to measure the logit change under a
    /// further 45° turn (default 1,000). Refused for graph models.
    #[arg(long, value_name = "N")]
    logit_change_digits: Option<usize>,
    /// Directory holding mnist-t10k.digits (image models).
    #[arg(long, default_value = "target/data")]
    data: PathBuf,
    /// Forward pass on cpu or gpu (without a GPU adapter, or if the device
    /// fails during the run, the CPU takes over with one warning line and
    /// gives the same result).
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Graph models: relabel every test graph's nodes by a random
    /// permutation seeded from SEED (and the graph's index); the report adds
    /// `permutation_max_logit_change`. Refused for image models.
    #[arg(long, value_name = "SEED")]
    permute: Option<u64>,
    /// Threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object instead of text (and no progress bar).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<()> {
    global_threads(args.threads)?;
    let model = Model::load(&args.model)?;
    let forward = forward_backend(args.backend, args.threads)?;
    let bar = RowsBar::new("evaluating", args.json);
    let eval = evaluate_model(
        &model,
        &EvalOptions {
            model_name: args.model.display().to_string(),
            rotate: args.rotate,
            rows: args.test_digits,
            logit_change_digits: args.logit_change_digits,
            digits: &|| load_digits(&args.data, T10K),
            forward: forward.as_ref(),
            permute: args.permute,
            progress: &|done, all| bar.set(done, all),
        },
    )?;
    bar.finish();
    if args.json {
        println!("{}", eval.to_json());
    } else {
        print!("{eval}");
    }
    Ok(())
}
