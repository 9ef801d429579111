//! `eslt train` / `eslt eval` from the outside: bad input gives one line on
//! stderr and exit code 2; `eval --json` reports what it should, and an
//! exactly rotated test set leaves an invariant model's predictions alone.

use eslt::nn::model::{round_for_storage, to_json, ModelMeta, TrainingInfo};
use eslt::nn::tasks;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Exit code 2 and one line on stderr containing `needle` (clap's argument
/// errors: its whole message).
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

/// A randomly initialised (untrained) C4 model file.
fn write_model(dir: &Path) -> PathBuf {
    let task = "rotmnist-c4";
    let mut net = tasks::build(task, 5).unwrap();
    round_for_storage(&mut net);
    let meta = ModelMeta {
        task: task.into(),
        architecture: tasks::architecture(task).unwrap(),
        training: TrainingInfo {
            seed: 5,
            epochs: 0,
            train_digits: 0,
            batch_size: 1,
            lr: 1e-3,
            seconds: 0.0,
            cpu_seconds: None,
            command: "none".into(),
        },
        test_accuracy: 0.1,
        test_digits: 10,
        test_predictions_digest: None,
    };
    let path = dir.join("c4.json");
    std::fs::write(&path, to_json(&net, &meta).unwrap()).unwrap();
    path
}

#[test]
fn corrupt_or_missing_model_fails_cleanly() {
    let dir = tmp_dir("nn_cli_corrupt");
    let path = write_model(&dir);
    let text = std::fs::read_to_string(&path).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, text.replace("\"version\": 1", "\"version\": 7")).unwrap();
    let out = eslt(&["eval", "--model", bad.to_str().unwrap()]);
    assert_one_line_error(&out, "version 7");
    let out = eslt(&["eval", "--model", dir.join("absent.json").to_str().unwrap()]);
    assert_one_line_error(&out, "cannot read");
}

#[test]
fn bad_arguments_fail_cleanly() {
    assert_one_line_error(&eslt(&["train", "--task", "imagenet"]), "unknown task");
    assert_one_line_error(&eslt(&["train", "--ksize", "5,3"]), "three sizes");
    assert_one_line_error(&eslt(&["eval"]), "required arguments");
    let dir = tmp_dir("nn_cli_args");
    let model = write_model(&dir);
    let m = model.to_str().unwrap();
    assert_one_line_error(
        &eslt(&["eval", "--model", m, "--test-digits", "0"]),
        "test digits",
    );
    assert_one_line_error(
        &eslt(&["eval", "--model", m, "--data", "/nonexistent"]),
        "build.sh",
    );
}

fn eval_json(model: &str, rotate: &str, logit_digits: &str) -> serde_json::Value {
    let out = eslt(&[
        "eval",
        "--model",
        model,
        "--test-digits",
        "100",
        "--logit-change-digits",
        logit_digits,
        "--rotate",
        rotate,
        "--json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "run ./build.sh first if the data is missing: {err}"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn eval_json_reports_and_exact_rotations_keep_predictions() {
    let dir = tmp_dir("nn_cli_eval");
    let model = write_model(&dir);
    let m = model.to_str().unwrap();
    let base = eval_json(m, "0", "20");
    for key in [
        "task",
        "accuracy",
        "test_digits",
        "seconds",
        "predictions_digest",
    ] {
        assert!(base.get(key).is_some(), "no {key} in {base}");
    }
    assert_eq!(base["task"], "rotmnist-c4");
    assert_eq!(base["test_digits"], 100);
    assert_eq!(base["predictions_digest"].as_str().unwrap().len(), 64);
    assert!(base["logit_change_45"]["max_abs"].as_f64().is_some());
    for turn in ["90", "-90", "180", "270"] {
        let r = eval_json(m, turn, "0");
        assert_eq!(r["rotation_exact"], true);
        assert_eq!(
            r["predictions_digest"], base["predictions_digest"],
            "{turn}°"
        );
    }
    let r = eval_json(m, "30", "0");
    assert_eq!(r["rotation_exact"], false);
}
