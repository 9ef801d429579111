//! `eslt sweep --eps …` (the scaling law) from the outside: every point is
//! the ticket `eslt prune --eps ε --seed S` finds (same n per layer, same
//! mask digest) for an image and a graph model; the JSON contract with and
//! without verification; the bound; the fit; bad input.

use std::process::{Command, Output};

use eslt::slt::scaling::{bits, parse_eps_list, LineFit};
use serde_json::Value;

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let out = eslt(args);
    assert!(
        out.status.success(),
        "eslt {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

const C8: &str = "www/models/rotmnist-c8.json";
const KARATE: &str = "www/models/karate-mpgnn.json";

/// Each sweep point against `eslt prune` at its ε and the same seed.
fn points_are_prune_runs(model: &str, eps: &str, seed: &str, prune_rows: &str) {
    let sweep = json_of(&[
        "sweep",
        "--model",
        model,
        "--eps",
        eps,
        "--seed",
        seed,
        "--test-digits",
        "0",
        "--json",
    ]);
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), eps.split(',').count());
    for p in points {
        let e = p["eps"].as_f64().unwrap().to_string();
        let r = json_of(&[
            "prune",
            "--model",
            model,
            "--eps",
            &e,
            "--seed",
            seed,
            "--test-digits",
            prune_rows,
            "--json",
        ]);
        for key in [
            "n_per_layer",
            "mask_digest",
            "source_params",
            "ticket_params",
            "target_params",
            "max_coef_error",
            "within_eps",
        ] {
            assert_eq!(p[key], r[key], "{model} ε = {e}: {key}");
        }
        eprintln!(
            "{model} ε = {e}: n {}, digest {}",
            p["n_per_layer"], p["mask_digest"]
        );
    }
}

#[test]
fn image_points_are_the_tickets_prune_finds() {
    points_are_prune_runs(C8, "0.1,0.01", "3", "20");
}

#[test]
fn graph_points_are_the_tickets_prune_finds() {
    // The karate club's one test graph: prune refuses 0 test rows.
    points_are_prune_runs(KARATE, "0.1,0.01,0.001", "3", "1");
}

#[test]
fn json_contract_solve_only_and_verified() {
    let keys = [
        "eps",
        "n_per_layer",
        "source_params",
        "ticket_params",
        "bound_params",
        "target_params",
        "max_coef_error",
        "within_eps",
        "seconds",
        "target_accuracy",
        "ticket_accuracy",
        "agreement",
    ];
    let accuracies = ["target_accuracy", "ticket_accuracy", "agreement"];
    let solved = json_of(&[
        "sweep",
        "--model",
        C8,
        "--eps",
        "0.1,0.03",
        "--seed",
        "2",
        "--test-digits",
        "0",
        "--json",
    ]);
    for top in ["task", "seed", "problems", "test_digits", "points"] {
        assert!(solved.get(top).is_some(), "missing {top}");
    }
    assert_eq!(solved["task"], "rotmnist-c8");
    assert_eq!(solved["seed"], 2);
    assert_eq!(solved["test_digits"], 0);
    for p in solved["points"].as_array().unwrap() {
        for k in keys {
            assert!(p.get(k).is_some(), "missing {k}");
        }
        for k in accuracies {
            assert!(p[k].is_null(), "{k} should be null without verification");
        }
        // d·log₂(1/ε), d = the target's basis coefficients.
        let d = p["target_params"].as_f64().unwrap();
        assert_eq!(d, 18680.0, "c8's basis coefficients");
        let eps = p["eps"].as_f64().unwrap();
        assert_eq!(p["bound_params"].as_f64().unwrap(), d * bits(eps));
        assert!(p["max_coef_error"].as_f64().unwrap() <= eps);
        assert_eq!(p["within_eps"], true);
    }
    let verified = json_of(&[
        "sweep",
        "--model",
        C8,
        "--eps",
        "0.1",
        "--seed",
        "2",
        "--test-digits",
        "30",
        "--json",
    ]);
    assert_eq!(verified["test_digits"], 30);
    let p = &verified["points"][0];
    for k in accuracies.iter().chain(&["source_accuracy"]) {
        let a = p[k].as_f64().unwrap_or_else(|| panic!("{k} is {}", p[k]));
        assert!((0.0..=1.0).contains(&a), "{k} = {a}");
    }
    // Verification does not change the ticket.
    assert_eq!(p["mask_digest"], solved["points"][0]["mask_digest"]);
}

#[test]
fn text_table_and_plot() {
    let dir = std::env::temp_dir().join(format!("eslt-scaling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("scaling.png");
    let out = eslt(&[
        "sweep",
        "--model",
        KARATE,
        "--eps",
        "0.1,0.01",
        "--test-digits",
        "0",
        "--plot",
        png.to_str().unwrap(),
        "--compare",
        "www/scaling/graph-families-mpgnn.json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("parameters per bit"), "{text}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_eps_lists_are_one_line_errors() {
    for (args, needle) in [
        (vec!["--eps", "0.1,0"], "(0, 1)"),
        (vec!["--eps", "0.1,x"], "comma-separated"),
        (vec!["--eps", "0.1,0.1"], "twice"),
        (vec!["--eps", "0.1", "--n", "4..8"], "cannot be used with"),
    ] {
        let mut all = vec!["sweep", "--model", KARATE, "--test-digits", "0"];
        all.extend(args);
        let out = eslt(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        // One line; clap's argument errors print their whole message
        // (error, usage).
        let clap_whole = err.starts_with("error:") && err.contains("try '--help'");
        assert!(err.trim_end().lines().count() == 1 || clap_whole, "{err}");
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    }
}

#[test]
fn eps_lists_parse_in_order() {
    assert_eq!(parse_eps_list("0.1, 0.01").unwrap(), vec![0.1, 0.01]);
    assert!(parse_eps_list("").is_err());
    assert!(parse_eps_list("1").is_err());
}

#[test]
fn least_squares_recovers_a_line_and_refuses_one_x() {
    let xy: Vec<(f64, f64)> = (0..5)
        .map(|i| (f64::from(i), 3.0 + 2.5 * f64::from(i)))
        .collect();
    let fit = LineFit::least_squares(&xy).unwrap();
    assert!((fit.slope - 2.5).abs() < 1e-12 && (fit.intercept - 3.0).abs() < 1e-12);
    assert!(LineFit::least_squares(&[(1.0, 2.0), (1.0, 3.0)]).is_none());
    assert!(LineFit::least_squares(&[]).is_none());
}
