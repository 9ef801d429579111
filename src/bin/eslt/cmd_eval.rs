//! `eslt eval`: accuracy of a model file (image or graph) on its task's
//! test rows, with the library's symmetry check of its kind
//! ([`eslt::nn::model_eval`]).

use std::path::PathBuf;

use eslt::data::rotated_mnist::T10K;
use eslt::nn::model_eval::{evaluate_model, EvalOptions};
use eslt::nn::Model;
use eslt::Result;

use super::cmd_train::load_digits;
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

pub fn run(args: Args) -> Result<()> {
    let model = Model::load(&args.model)?;
    let forward = forward_backend(args.backend, None)?;
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
        },
    )?;
    if args.json {
        println!("{}", eval.to_json());
    } else {
        print!("{eval}");
    }
    Ok(())
}
