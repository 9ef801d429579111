//! `eslt prune` / `eslt sweep` from the outside: the JSON contract on a
//! shipped model, same seed → same mask digest, and bad input → one line on
//! stderr and exit code 2.

use std::path::Path;
use std::process::{Command, Output};

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn assert_one_line_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    // clap's argument errors print their whole message (error, tip, usage).
    let clap_whole = err.starts_with("error:") && err.contains("try '--help'");
    assert!(
        err.trim_end().lines().count() == 1 || clap_whole,
        "stderr: {err}"
    );
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
}

const C8: &str = "www/models/rotmnist-c8.json";

fn prune_json(seed: &str) -> serde_json::Value {
    let args = vec![
        "prune",
        "--model",
        C8,
        "--eps",
        "0.01",
        "--seed",
        seed,
        "--test-digits",
        "300",
        "--json",
    ];
    let out = eslt(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn prune_json_has_the_contract_keys_and_is_reproducible() {
    let r = prune_json("1");
    for key in [
        "task",
        "eps",
        "n",
        "seed",
        "backend",
        "target_params",
        "source_params",
        "ticket_params",
        "max_coef_error",
        "mean_coef_error",
        "max_logit_error",
        "target_accuracy",
        "ticket_accuracy",
        "agreement",
        "seconds",
        "mask_digest",
        "layers",
    ] {
        assert!(r.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(r["task"], "rotmnist-c8");
    assert_eq!(r["backend"], "cpu");
    assert!(r["max_coef_error"].as_f64().unwrap() <= 0.01);
    assert_eq!(r["layers"].as_array().unwrap().len(), 4);
    assert!(r["literal_check"]["max_rel_diff"].as_f64().unwrap() <= 1e-5);
    assert!(r["agreement"].as_f64().unwrap() >= 0.99);
    let again = prune_json("1");
    assert_eq!(r["mask_digest"], again["mask_digest"]);
    let other = prune_json("2");
    assert_ne!(r["mask_digest"], other["mask_digest"]);
}

#[test]
fn prune_bad_input_is_one_line_and_exit_2() {
    for (args, needle) in [
        (vec!["prune", "--model", C8, "--eps", "0"], "eps"),
        (vec!["prune", "--model", C8, "--eps", "1"], "eps"),
        (vec!["prune", "--model", C8, "--eps", "-0.5"], "eps"),
        (vec!["prune", "--model", C8, "--eps", "abc"], "eps"),
        (vec!["prune", "--model", C8, "--n", "33"], "n must be"),
        (vec!["prune", "--model", C8, "--n", "0"], "n must be"),
        (
            vec!["prune", "--model", "no/such/model.json"],
            "no/such/model.json",
        ),
        (
            vec!["prune", "--model", C8, "--test-digits", "0"],
            "test-digits",
        ),
        (vec!["prune", "--model", C8, "--backend", "tpu"], "tpu"),
        (vec!["sweep", "--model", C8, "--n", "5..40"], "--n"),
        (vec!["sweep", "--model", C8, "--n", "banana"], "--n"),
    ] {
        let out = eslt(&args);
        assert_one_line_error(&out, needle);
    }
}

#[test]
fn prune_rejects_a_corrupt_model_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("corrupt-c8.json");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(C8)).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let out = eslt(&["prune", "--model", path.to_str().unwrap()]);
    assert_one_line_error(&out, "model");
}

#[test]
fn sweep_reports_each_n() {
    let out = eslt(&[
        "sweep",
        "--model",
        C8,
        "--n",
        "6..8",
        "--seed",
        "1",
        "--test-digits",
        "100",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let points = r["points"].as_array().unwrap();
    assert_eq!(
        points
            .iter()
            .map(|p| p["n"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![6, 7, 8]
    );
    // More candidates never hurt the mean error on the same seed's pools by much;
    // across 6 → 8 it must fall.
    assert!(
        points[2]["mean_coef_error"].as_f64().unwrap()
            < points[0]["mean_coef_error"].as_f64().unwrap()
    );
}
