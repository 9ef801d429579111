//! The shipped reference curves, `www/scaling/<model>.json` (what the page
//! draws beside the selected task), cannot go stale: each is the output of
//!
//! ```text
//! eslt sweep --model www/models/<model>.json --eps 0.1,0.03,0.01,0.003,0.001 \
//!     --seed 1 --test-digits 0 --json > www/scaling/<model>.json
//! ```
//!
//! and this test runs that command again and compares every value but
//! `seconds`. Every shipped model has its file and every file its model.
//!
//! Time: the whole list takes about a minute on two free cores for the
//! cheap models together, but rotmnist-cnn's full sweep several minutes and
//! rotmnist-mlp's over one (224,064 and 101,632 problems, n up to 28 at
//! ε = 0.001). Those two are regenerated at the ε values of
//! [`PARTIAL`] only — their other points are checked by nothing but this
//! file's history — to keep the native suite within its time budget.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use eslt::slt::scaling::{REFERENCE_EPS, REFERENCE_SEED};
use serde_json::Value;

/// Expensive models and the ε values at which they are regenerated.
const PARTIAL: [(&str, &[f64]); 2] = [
    ("rotmnist-cnn", &[0.1, 0.03]),
    ("rotmnist-mlp", &[0.1, 0.01]),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stems(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "json").then(|| p.file_stem().unwrap().to_string_lossy().into())
        })
        .collect()
}

/// `eslt sweep` of `model` at `eps`, as the reference command runs it.
fn sweep(model: &str, eps: &[f64]) -> Value {
    let list: Vec<String> = eps.iter().map(|e| e.to_string()).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(["sweep", "--model", &format!("www/models/{model}.json")])
        .args(["--eps", &list.join(",")])
        .args(["--seed", &REFERENCE_SEED.to_string()])
        .args(["--test-digits", "0", "--json"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{model}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `v` without its timing.
fn untimed(mut v: Value) -> Value {
    if let Some(obj) = v.as_object_mut() {
        obj.remove("seconds");
    }
    v
}

#[test]
fn every_shipped_model_has_its_reference_curve() {
    assert_eq!(stems("www/models"), stems("www/scaling"));
}

#[test]
fn reference_curves_are_what_eslt_sweep_makes() {
    for model in stems("www/scaling") {
        let path = root().join(format!("www/scaling/{model}.json"));
        let shipped: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(shipped["seed"], REFERENCE_SEED, "{model}");
        assert_eq!(shipped["test_digits"], 0, "{model}");
        let points = shipped["points"].as_array().unwrap();
        let eps: Vec<f64> = points.iter().map(|p| p["eps"].as_f64().unwrap()).collect();
        assert_eq!(eps, REFERENCE_EPS, "{model}: the documented ε list");

        let subset = PARTIAL
            .iter()
            .find(|(m, _)| *m == model)
            .map_or(&REFERENCE_EPS[..], |(_, e)| e);
        let clock = Instant::now();
        let fresh = sweep(&model, subset);
        eprintln!(
            "{model}: {} of {} points regenerated in {:.1} s",
            subset.len(),
            eps.len(),
            clock.elapsed().as_secs_f64()
        );
        for key in ["task", "seed", "problems", "test_digits"] {
            assert_eq!(fresh[key], shipped[key], "{model}: {key}");
        }
        for p in fresh["points"].as_array().unwrap() {
            let at = points
                .iter()
                .find(|q| q["eps"] == p["eps"])
                .unwrap_or_else(|| panic!("{model}: no shipped point at ε = {}", p["eps"]));
            assert_eq!(
                untimed(p.clone()),
                untimed(at.clone()),
                "{model} at ε = {}: regenerate www/scaling/{model}.json with the command above",
                p["eps"]
            );
        }
    }
}
