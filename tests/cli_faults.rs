//! Native faults, forced (issue 11 §2): Ctrl-C during `eslt prune` and
//! `eslt train` stops cleanly (exit 130, no output file, no temporary file
//! left); an unwritable output path and a full disk are one-line errors
//! that leave nothing behind; `eslt train` refuses an existing output
//! unless `--force`.
//!
//! The tests that train or prune need target/data (made by ./build.sh) and
//! are skipped without it; the full-disk test mounts a 64 kB tmpfs and is
//! skipped where `mount` is not permitted (not root).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn eslt() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eslt"));
    c.current_dir(ROOT);
    c
}

fn run(args: &[&str]) -> Output {
    eslt().args(args).output().unwrap()
}

/// A fresh empty directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn have_data() -> bool {
    let d = Path::new(ROOT).join("target/data");
    let ok = d.join("mnist-train.digits").exists() && d.join("mnist-t10k.digits").exists();
    if !ok {
        eprintln!("skipped: target/data has no packed MNIST (run ./build.sh)");
    }
    ok
}

/// Exit code 2 and one line on stderr containing `needle`.
fn assert_one_line_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    let last = err.trim_end().lines().last().unwrap_or("");
    assert!(last.starts_with("eslt: error:"), "stderr: {err}");
    assert!(last.contains(needle), "{last:?} lacks {needle:?}");
}

fn train_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "train",
        "--task",
        "rotmnist-mlp",
        "--train-digits",
        "256",
        "--epochs",
        "1",
        "--test-digits",
        "200",
        "--out",
        out,
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn train_refuses_an_existing_output_unless_forced() {
    let dir = fresh_dir("faults_force");
    let out = dir.join("model.json");
    std::fs::write(&out, "precious").unwrap();
    let o = out.to_str().unwrap();
    let start = Instant::now();
    let r = run(&train_args(o, &[]));
    assert_one_line_error(&r, "exists; pass --force");
    // Refused before loading or training anything.
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    // The default output (www/models/<task>.json) exists too: refused.
    let r = run(&["train", "--task", "rotmnist-c8", "--epochs", "1"]);
    assert_one_line_error(&r, "www/models/rotmnist-c8.json exists");
    if !have_data() {
        return;
    }
    let r = run(&train_args(o, &["--force"]));
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    eslt::nn::model::from_json(&text).unwrap();
    assert_eq!(entries(&dir), ["model.json"]);
}

#[test]
fn unwritable_outputs_fail_before_any_work() {
    let dir = fresh_dir("faults_unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("sub/model.json");
    let start = Instant::now();
    let r = run(&train_args(under_file.to_str().unwrap(), &[]));
    assert_one_line_error(&r, "is not a directory");
    let r = run(&train_args(dir.to_str().unwrap(), &["--force"]));
    assert_one_line_error(&r, "is a directory");
    let r = run(&[
        "prune",
        "--model",
        "www/models/rotmnist-c8.json",
        "--ticket-out",
        under_file.to_str().unwrap(),
    ]);
    assert_one_line_error(&r, "--ticket-out: cannot write");
    // /proc takes no new files, even from root.
    let r = run(&train_args("/proc/eslt-fault-test.json", &[]));
    assert_one_line_error(&r, "--out: cannot write /proc/eslt-fault-test.json");
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(entries(&dir), ["a-file"]);
}

/// A tiny tmpfs, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(name: &str, bytes: usize) -> Option<Tmpfs> {
        let dir = fresh_dir(name);
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        }
        ok.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_nothing() {
    if !have_data() {
        return;
    }
    let Some(fs) = Tmpfs::mount("faults_full_disk", 64 << 10) else {
        return;
    };
    // The MLP's model file is 540 kB: the write fails after training.
    let out = fs.0.join("model.json");
    let r = run(&train_args(out.to_str().unwrap(), &[]));
    assert_one_line_error(&r, "No space left on device");
    assert!(entries(&fs.0).is_empty(), "{:?}", entries(&fs.0));
    // A ticket (30 kB at n = 8) on a disk already nearly full.
    std::fs::write(fs.0.join("filler"), vec![0u8; 48 << 10]).unwrap();
    let ticket = fs.0.join("ticket.json");
    let r = run(&[
        "prune",
        "--model",
        "www/models/rotmnist-c8.json",
        "--n",
        "8",
        "--no-grow",
        "--test-digits",
        "100",
        "--ticket-out",
        ticket.to_str().unwrap(),
    ]);
    assert_one_line_error(&r, "No space left on device");
    assert_eq!(entries(&fs.0), ["filler"]);
}

/// Sends SIGINT to `child` (by its pid) after `delay`, then again after
/// `again` if given; waits (at most 60 s) for it to end.
fn interrupt(mut child: Child, delay: Duration, again: Option<Duration>) -> Output {
    std::thread::sleep(delay);
    let sigint = |c: &Child| {
        Command::new("kill")
            .args(["-INT", &c.id().to_string()])
            .status()
            .unwrap();
    };
    sigint(&child);
    if let Some(a) = again {
        std::thread::sleep(a);
        sigint(&child);
    }
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running 60 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Exit 130; after one Ctrl-C the run's own cancel check stopped it. With
/// `--json` the reason is a JSON line `{"error": "interrupted…", "exit":
/// 130}`, as for every other failure, and no line is plain text.
fn assert_interrupted(out: &Output, what: &str, once: bool, json: bool) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{what}: stderr: {err}");
    if json {
        let last = err
            .lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v.get("error").is_some())
            .unwrap_or_else(|| panic!("{what}: no JSON error line: {err}"));
        let msg = last["error"].as_str().unwrap_or_default();
        assert!(msg.starts_with("interrupted"), "{what}: {last}");
        assert_eq!(last["exit"], 130, "{what}: {last}");
        assert!(
            !err.contains("eslt: interrupted"),
            "{what}: plain text: {err}"
        );
    } else {
        assert!(err.contains("eslt: interrupted"), "{what}: stderr: {err}");
    }
    if once {
        assert!(err.contains("stopped cleanly"), "{what}: stderr: {err}");
    }
    assert!(!err.contains("panicked"), "{what}: stderr: {err}");
}

#[test]
fn sigint_stops_train_cleanly_without_output() {
    if !have_data() {
        return;
    }
    let dir = fresh_dir("faults_sigint_train");
    let out = dir.join("model.json");
    // Loading the data, early in training, later in training; then a
    // double Ctrl-C (stop at once).
    for (ms, again) in [(300, None), (1200, None), (3000, None), (1500, Some(30))] {
        let child = eslt()
            .args([
                "train",
                "--task",
                "rotmnist-mlp",
                "--epochs",
                "3",
                "--test-digits",
                "2000",
                "--out",
                out.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let what = format!("SIGINT at {ms} ms (again after {again:?} ms)");
        let r = interrupt(
            child,
            Duration::from_millis(ms),
            again.map(Duration::from_millis),
        );
        assert_interrupted(&r, &what, again.is_none(), false);
        assert!(entries(&dir).is_empty(), "{what}: {:?}", entries(&dir));
    }
}

#[test]
fn sigint_stops_prune_cleanly_without_ticket() {
    if !have_data() {
        return;
    }
    let dir = fresh_dir("faults_sigint_prune");
    let ticket = dir.join("ticket.json");
    // Test-set preparation, solving, verification; then a double Ctrl-C.
    for (ms, again) in [(150, None), (900, None), (2500, None), (1000, Some(20))] {
        let child = eslt()
            .args([
                "prune",
                "--model",
                "www/models/rotmnist-c8.json",
                "--eps",
                "0.0001",
                "--json",
                "--ticket-out",
                ticket.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let what = format!("SIGINT at {ms} ms (again after {again:?} ms)");
        let r = interrupt(
            child,
            Duration::from_millis(ms),
            again.map(Duration::from_millis),
        );
        assert_interrupted(&r, &what, again.is_none(), true);
        assert!(r.stdout.is_empty(), "{what}: a report was printed");
        assert!(entries(&dir).is_empty(), "{what}: {:?}", entries(&dir));
    }
}
