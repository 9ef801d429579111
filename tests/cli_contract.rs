//! The command line's contract for scripts: clap's whole error messages, one
//! validation of the same flag for image and graph models, exit codes
//! (0 holds, 1 a promise missed, 2 bad input), JSON errors with `--json`,
//! help text on every flag and an example on every command, `--version`
//! and shell completions.
//!
//! The bad-input cases are one table: the command, its exit code and a
//! word its message must contain. Cases on image models need target/data
//! (made by ./build.sh) and are skipped without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const C8: &str = "www/models/rotmnist-c8.json";
const SETS: &str = "www/models/sets-deepsets.json";
const KARATE: &str = "www/models/karate-mpgnn.json";

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("eslt runs")
}

fn have_data() -> bool {
    Path::new(ROOT)
        .join("target/data/mnist-t10k.digits")
        .exists()
}

fn fresh_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One bad-input case: arguments, exit code, a word of the message, and
/// whether it reads the MNIST test digits.
struct Case {
    args: &'static [&'static str],
    exit: i32,
    word: &'static str,
    needs_data: bool,
}

const fn case(args: &'static [&'static str], exit: i32, word: &'static str) -> Case {
    Case {
        args,
        exit,
        word,
        needs_data: false,
    }
}

const fn with_data(args: &'static [&'static str], exit: i32, word: &'static str) -> Case {
    Case {
        args,
        exit,
        word,
        needs_data: true,
    }
}

const CASES: &[Case] = &[
    // 1. clap's whole message: the missing flag, the tip, the suggestion, the usage.
    case(&["eval"], 2, "--model <MODEL>"),
    case(
        &["prune", "--model", C8, "--epsilon", "0.01"],
        2,
        "tip: a similar argument exists: '--eps'",
    ),
    case(&["prun"], 2, "'prune'"),
    case(
        &["prune", "--model", C8, "--seed", "-1"],
        2,
        "Usage: eslt prune",
    ),
    // A bare group prints its help.
    case(&[], 2, "Exit codes"),
    case(&["bench"], 2, "subset-sum"),
    case(&["ticket"], 2, "verify"),
    // 2. One validation for both kinds.
    case(
        &["prune", "--model", SETS, "--test-digits", "0"],
        2,
        "--test-digits must be in 1..=",
    ),
    case(
        &["prune", "--model", SETS, "--test-digits", "999999"],
        2,
        "--test-digits must be in 1..=",
    ),
    with_data(
        &["prune", "--model", C8, "--test-digits", "0"],
        2,
        "--test-digits must be in 1..=",
    ),
    with_data(
        &["prune", "--model", C8, "--test-digits", "999999"],
        2,
        "--test-digits must be in 1..=",
    ),
    case(
        &["eval", "--model", SETS, "--test-digits", "0"],
        2,
        "--test-digits must be in 1..=",
    ),
    case(
        &["eval", "--model", SETS, "--test-digits", "999999"],
        2,
        "--test-digits must be in 1..=",
    ),
    with_data(
        &["eval", "--model", C8, "--test-digits", "0"],
        2,
        "--test-digits must be in 1..=",
    ),
    with_data(
        &["eval", "--model", C8, "--test-digits", "999999"],
        2,
        "--test-digits must be in 1..=",
    ),
    case(
        &["prune", "--model", SETS, "--literal-sample", "0"],
        2,
        "--no-literal",
    ),
    case(
        &[
            "prune",
            "--model",
            SETS,
            "--literal-sample",
            "4",
            "--no-literal",
        ],
        2,
        "cannot be used with",
    ),
    case(
        &["eval", "--model", SETS, "--rotate", "90"],
        2,
        "image models only",
    ),
    case(
        &["eval", "--model", SETS, "--logit-change-digits", "5"],
        2,
        "image models only",
    ),
    case(
        &["eval", "--model", C8, "--permute", "3"],
        2,
        "graph models only",
    ),
    case(
        &["bench", "forward", "--model", SETS],
        2,
        "image models only",
    ),
    case(&["train", "--task", "foo"], 2, "sets-deepsets"),
    case(&["train", "--task", "foo"], 2, "rotmnist-c8"),
    case(
        &["eval", "--model", SETS, "--threads", "0"],
        2,
        "--threads must be at least 1",
    ),
    // A run that misses its own promise: exit 1, the report still printed.
    case(
        &[
            "prune",
            "--model",
            SETS,
            "--n",
            "2",
            "--no-grow",
            "--test-digits",
            "5",
            "--no-literal",
        ],
        1,
        "NOT within ε",
    ),
    // 4. bench subset-sum --backend lists its values.
    case(
        &["bench", "subset-sum", "--backend", "tpu"],
        2,
        "[possible values: cpu, gpu]",
    ),
    case(&["completions", "tcsh"], 2, "possible values"),
    // --plot is checked before the sweep runs.
    case(
        &[
            "sweep",
            "--model",
            SETS,
            "--eps",
            "0.1",
            "--plot",
            "/nonexistent/dir/x.png",
        ],
        2,
        "does not exist",
    ),
    case(
        &[
            "sweep",
            "--model",
            SETS,
            "--eps",
            "0.1",
            "--plot",
            "chart.svg",
        ],
        2,
        "PNG",
    ),
];

#[test]
fn bad_input_table() {
    let data = have_data();
    let mut failures = Vec::new();
    for c in CASES {
        if c.needs_data && !data {
            eprintln!("skipped (no target/data): eslt {}", c.args.join(" "));
            continue;
        }
        let out = eslt(c.args);
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        eprintln!("eslt {:<70} exit {code:?}", c.args.join(" "));
        if code != Some(c.exit) || !err.contains(c.word) || err.contains("panicked") {
            failures.push(format!(
                "eslt {}: exit {code:?} (want {}), stderr lacks {:?}?\n{err}",
                c.args.join(" "),
                c.exit,
                c.word
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

/// With `--json`, an error is one JSON line on stderr, and stdout is empty.
#[test]
fn json_errors_are_json() {
    for args in [
        &["eval", "--model", SETS, "--test-digits", "0", "--json"][..],
        &["prune", "--model", SETS, "--epsilon", "0.01", "--json"][..],
        &["prune", "--model", "/nonexistent.json", "--json"][..],
    ] {
        let out = eslt(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(err.trim()).expect("stderr is JSON");
        assert_eq!(v["exit"], 2, "{v}");
        assert!(!v["error"].as_str().unwrap().is_empty(), "{v}");
    }
}

#[test]
fn version_names_the_crate_version() {
    let out = eslt(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("eslt {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[test]
fn completions_are_scripts_for_each_shell() {
    for (shell, mark) in [
        ("bash", "complete -F _eslt"),
        ("zsh", "#compdef eslt"),
        ("fish", "complete -c eslt"),
    ] {
        let out = eslt(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(mark), "{shell}: no {mark:?}");
        // Subcommands and their flags are in it.
        assert!(script.contains("ticket-out"), "{shell}");
    }
}

const COMMANDS: &[&[&str]] = &[
    &["data"],
    &["train"],
    &["eval"],
    &["prune"],
    &["bench", "subset-sum"],
    &["bench", "forward"],
    &["sweep"],
    &["ticket", "verify"],
    &["fuzz"],
    &["completions"],
];

/// Every subcommand's help ends with an example, and every flag has a
/// description (clap prints a flag without one alone on its line, with no
/// indented description under it).
#[test]
fn every_command_has_an_example_and_every_flag_help() {
    let top = String::from_utf8_lossy(&eslt(&["--help"]).stdout).into_owned();
    assert!(
        top.contains("Exit codes") && top.contains("RAYON_NUM_THREADS"),
        "{top}"
    );
    let mut missing = Vec::new();
    for cmd in COMMANDS {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = String::from_utf8_lossy(&eslt(&args).stdout).into_owned();
        if !help.contains("Example") {
            missing.push(format!("{}: no example", cmd.join(" ")));
        }
        let lines: Vec<&str> = help.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if !l.trim_start().starts_with('-') || !l.starts_with("  ") {
                continue;
            }
            let flag = l.trim();
            let described = flag.contains("  ")
                || lines
                    .get(i + 1)
                    .is_some_and(|n| n.starts_with("          ") && !n.trim().is_empty());
            if !described {
                missing.push(format!("{}: {flag} has no help", cmd.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// `--threads` on every command that computes.
#[test]
fn threads_on_every_computing_command() {
    for cmd in [
        &["train"][..],
        &["eval"],
        &["prune"],
        &["sweep"],
        &["bench", "subset-sum"],
        &["bench", "forward"],
        &["ticket", "verify"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = String::from_utf8_lossy(&eslt(&args).stdout).into_owned();
        assert!(help.contains("--threads"), "{cmd:?}");
    }
}

/// The text report of a graph model: percentages, the mask digest, the
/// model's unit ("rows of 1 test graph"), growth from the initial n shown.
#[test]
fn graph_text_report_is_like_the_image_one() {
    let out = eslt(&["prune", "--model", KARATE, "--seed", "1", "--n", "4"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("rows of 1 test graph:"), "{text}");
    assert!(!text.contains("rotated test digits"), "{text}");
    assert!(text.contains("mask digest"), "{text}");
    assert!(text.contains("target ") && text.contains('%'), "{text}");
    // n = 4 misses ε = 0.01: the layers grow, and the report says so.
    assert!(text.contains("4→") && text.contains("n grown"), "{text}");
}

/// --no-literal says that the literal check was skipped; it is not a pass.
#[test]
fn a_skipped_literal_check_reads_as_skipped() {
    let out = eslt(&["prune", "--model", KARATE, "--no-literal"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped (--no-literal)"), "{text}");
    assert!(!text.contains("max rel diff"), "{text}");
}

/// `--ticket-out` keeps an existing file unless `--force`.
#[test]
fn ticket_out_refuses_to_overwrite_without_force() {
    let dir = fresh_dir("cli-contract-force");
    let ticket = dir.join("t.json");
    std::fs::write(&ticket, "keep").unwrap();
    let t = ticket.to_str().unwrap();
    let out = eslt(&["prune", "--model", KARATE, "--ticket-out", t]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&ticket).unwrap(), "keep");
    let out = eslt(&["prune", "--model", KARATE, "--ticket-out", t, "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(std::fs::read_to_string(&ticket).unwrap(), "keep");
}

/// A ticket whose report verified no row does not verify (exit 1).
#[test]
fn a_ticket_verified_on_no_row_is_not_valid() {
    let dir = fresh_dir("cli-contract-zero-rows");
    let ticket = dir.join("karate.json");
    let t = ticket.to_str().unwrap();
    let out = eslt(&["prune", "--model", KARATE, "--ticket-out", t, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ticket).unwrap()).unwrap();
    file["report"]["test_digits"] = 0.into();
    std::fs::write(&ticket, file.to_string()).unwrap();
    let out = eslt(&["ticket", "verify", "--ticket", t, "--model", KARATE]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no test row was verified"), "{err}");
}
