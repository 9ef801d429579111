//! `eslt bench subset-sum` end to end: the built binary's JSON against the
//! brute-force reference, and the exit-code-2 paths.

use std::path::PathBuf;
use std::process::{Command, Output};

use eslt::slt::subset_sum::brute_force;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .output()
        .expect("run eslt")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eslt-subset-sum-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Exit code 2, nothing on stdout, exactly one line on stderr.
fn assert_usage_error(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty());
    // One line, or clap's whole message (error, tip, usage) for arguments.
    let clap_whole = err.starts_with("error:") && err.contains("try '--help'");
    assert!(
        err.trim_end().lines().count() == 1 || clap_whole,
        "stderr: {err}"
    );
    assert!(!err.contains("panicked"), "stderr: {err}");
}

#[test]
fn instances_match_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let n = 12;
    let cands: Vec<Vec<f64>> = (0..20)
        .map(|p| {
            (0..n)
                .map(|_| {
                    if p % 2 == 0 {
                        rng.random_range(-1.0..1.0)
                    } else {
                        // Small integers: exact ties, tie-breaking decides.
                        f64::from(rng.random_range(-3i32..=3))
                    }
                })
                .collect()
        })
        .collect();
    let targets: Vec<f64> = (0..20).map(|_| rng.random_range(-2.0..2.0)).collect();
    let file = temp_file(
        "inst.json",
        &serde_json::json!({"candidates": cands, "targets": targets}).to_string(),
    );
    let out = eslt(&[
        "bench",
        "subset-sum",
        "--instances",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["n"], n);
    assert_eq!(v["count"], 20);
    assert_eq!(v["backend"], "cpu");
    for key in [
        "seconds_per_problem",
        "seconds_per_problem_per_core",
        "problems_per_second",
        "threads",
    ] {
        assert!(v[key].is_number(), "{key} missing");
    }
    let sols = v["solutions"].as_array().expect("solutions");
    assert_eq!(sols.len(), 20);
    let (mut max_err, mut sum_err, mut sum_size) = (0.0f64, 0.0, 0.0);
    // FNV-1a (64-bit) over the little-endian bitmasks, as mitm_reference.c.
    let mut fnv = 0xcbf2_9ce4_8422_2325u64;
    for (p, sol) in sols.iter().enumerate() {
        let got: Vec<usize> = sol
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j.as_u64().unwrap() as usize)
            .collect();
        let want = brute_force(&cands[p], targets[p]);
        assert_eq!(got, want.indices(), "problem {p}");
        max_err = max_err.max(want.error);
        sum_err += want.error;
        sum_size += want.size() as f64;
        for b in want.subset.to_le_bytes() {
            fnv = (fnv ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    assert_eq!(v["masks_fnv1a"], format!("{fnv:016x}"));
    assert_eq!(v["max_error"].as_f64().unwrap(), max_err);
    assert!((v["mean_error"].as_f64().unwrap() - sum_err / 20.0).abs() < 1e-15);
    assert!((v["mean_subset_size"].as_f64().unwrap() - sum_size / 20.0).abs() < 1e-12);
}

#[test]
fn random_mode_reports_json() {
    let out = eslt(&[
        "bench",
        "subset-sum",
        "--n",
        "10",
        "--count",
        "50",
        "--seed",
        "3",
        "--threads",
        "1",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 10);
    assert_eq!(v["count"], 50);
    assert_eq!(v["threads"], 1);
    assert!(v.get("solutions").is_none());
    let digest = v["masks_fnv1a"].as_str().expect("masks_fnv1a");
    assert!(digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()));
    let e = v["mean_error"].as_f64().unwrap();
    assert!(e > 0.0 && e < 0.1, "mean error {e}");
}

#[test]
fn bad_arguments_exit_2() {
    assert_usage_error(&eslt(&["bench", "subset-sum", "--n", "33", "--json"]));
    assert_usage_error(&eslt(&["bench", "subset-sum", "--count", "0"]));
    assert_usage_error(&eslt(&[
        "bench",
        "subset-sum",
        "--threads",
        "0",
        "--count",
        "1",
    ]));
    assert_usage_error(&eslt(&["bench", "subset-sum", "--backend", "tpu"]));
    assert_usage_error(&eslt(&[
        "bench",
        "subset-sum",
        "--n",
        "40",
        "--backend",
        "gpu",
    ]));
    assert_usage_error(&eslt(&[
        "bench",
        "subset-sum",
        "--instances",
        "/nonexistent/eslt-instances.json",
    ]));
    let cases = [
        (
            "malformed.json",
            "{\"candidates\": [[1.0, 2.0]], \"targets\": [1.0",
        ),
        (
            "ragged.json",
            "{\"candidates\": [[1.0, 2.0], [1.0]], \"targets\": [1.0, 2.0]}",
        ),
        (
            "counts.json",
            "{\"candidates\": [[1.0, 2.0]], \"targets\": [1.0, 2.0]}",
        ),
        ("empty.json", "{\"candidates\": [], \"targets\": []}"),
        (
            "toolong.json",
            &format!(
                "{{\"candidates\": [{:?}], \"targets\": [1.0]}}",
                vec![0.5; 33]
            ),
        ),
        (
            "huge.json",
            "{\"candidates\": [[1e300]], \"targets\": [1.0]}",
        ),
        (
            "wrongtype.json",
            "{\"candidates\": [[\"a\"]], \"targets\": [1.0]}",
        ),
    ];
    for (name, text) in cases {
        let f = temp_file(name, text);
        let out = eslt(&[
            "bench",
            "subset-sum",
            "--instances",
            f.to_str().unwrap(),
            "--json",
        ]);
        assert_usage_error(&out);
    }
}
