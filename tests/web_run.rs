//! The page's API in headless Chromium: `WebRun` driven as the page's
//! coordinator drives it, with `solveSubsetSum` and an `Evaluator` standing
//! in for the solver workers. Same seed, same mask as the native CLI (build.sh
//! writes its report first: `eslt prune --model www/models/rotmnist-c8.json
//! --n 8 --no-grow --seed 1 … --json > target/golden/prune-c8-n8.json`), for
//! any batch and slice sizes; bad configurations are JS errors.

#![cfg(target_arch = "wasm32")]

use eslt::data::Digits;
use eslt::web::{
    model_kind_js, sha256_hex_js, solve_subset_sum, ticket_settings, Evaluator, WebRun,
};
use js_sys::{Float32Array, Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = include_str!("../www/models/rotmnist-c8.json");
const NATIVE: &str = include_str!("../target/golden/prune-c8-n8.json");

fn digits() -> Vec<u8> {
    let (rows, cols, count) = (28, 28, 12);
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    let pixels = (0..count * rows * cols)
        .map(|i| ((i * 37 + i / 97) % 256) as u8)
        .collect();
    Digits::new(rows, cols, labels, pixels).unwrap().to_bytes()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().expect("a number")
}

fn config(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in pairs {
        Reflect::set(&obj, &JsValue::from_str(k), v).unwrap();
    }
    obj.into()
}

/// Where a run's verify slices get the unpruned source's logits.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    /// The run evaluates them itself.
    Run,
    /// The solver's evaluator, beside the ticket's (from `sourceBlob` once
    /// solved).
    Solver,
    /// Computed before the run was solved, from a fresh run's
    /// `sourceBlob` with `sourceLogits` (the page's preview), and handed
    /// back with each slice.
    Ahead,
}

/// Runs to the end; returns (mask digest, report, events seen).
fn drive(batch: f64, slice: f64, source: Source) -> (String, JsValue, usize) {
    let (_, digest, report, events) = drive_run(batch, slice, source);
    (digest, report, events)
}

/// [`drive`], returning the finished run too.
fn drive_run(batch: f64, slice: f64, source: Source) -> (WebRun, String, JsValue, usize) {
    let bytes = digits();
    let cfg = config(&[
        ("eps", 0.01.into()),
        ("n", 8.into()),
        ("grow", false.into()),
        ("seed", 1.into()),
        ("testDigits", 12.into()),
        ("batchProblems", batch.into()),
        ("verifySlice", slice.into()),
        ("literalSample", 1.into()),
    ]);
    let mut run = WebRun::new(MODEL, &bytes, cfg).expect("run starts");
    let mut eval = Evaluator::new(MODEL, &bytes).expect("evaluator starts");
    // The source it will verify, known before any problem is solved.
    let ahead = run.source_blob().expect("source before solving").to_vec();
    let ahead_logits = (source == Source::Ahead).then(|| {
        eval.set_source(&ahead).expect("source loads");
        eval.source_logits(0, 12).expect("source logits").to_vec()
    });
    let mut events = 0;
    let mut ticket_set = false;
    loop {
        let w = run.next_work().expect("work");
        let kind = get(&w, "kind").as_string().unwrap();
        match kind.as_str() {
            "solve" => {
                let c: Float64Array = get(&w, "candidates").dyn_into().unwrap();
                let t: Float64Array = get(&w, "targets").dyn_into().unwrap();
                let subsets = solve_subset_sum(num(&w, "n") as usize, &c.to_vec(), &t.to_vec())
                    .expect("solves");
                run.submit_solve(num(&w, "id"), &subsets.to_vec())
                    .expect("accepted");
            }
            "verify" => {
                if !ticket_set {
                    let blob: Uint8Array = run.ticket_blob().expect("ticket after solving");
                    eval.set_ticket(&blob.to_vec()).expect("ticket loads");
                    let blob = run.source_blob().expect("source after solving").to_vec();
                    assert_eq!(
                        blob, ahead,
                        "no layer grew: the source is the one drawn first"
                    );
                    if source == Source::Solver {
                        eval.set_source(&blob).expect("source loads");
                    }
                    ticket_set = true;
                }
                let (start, end) = (num(&w, "start") as usize, num(&w, "end") as usize);
                let r = eval.evaluate(start, end, None, None).expect("evaluates");
                assert_eq!(
                    get(&r, "source").is_undefined(),
                    source != Source::Solver,
                    "the source is evaluated only where set"
                );
                let yt: Float32Array = get(&r, "target").dyn_into().unwrap();
                let yk: Float32Array = get(&r, "ticket").dyn_into().unwrap();
                let ys = match source {
                    Source::Run => None,
                    Source::Solver => Some(
                        get(&r, "source")
                            .dyn_into::<Float32Array>()
                            .unwrap()
                            .to_vec(),
                    ),
                    Source::Ahead => {
                        let all = ahead_logits.as_ref().unwrap();
                        let classes = all.len() / 12;
                        Some(all[start * classes..end * classes].to_vec())
                    }
                };
                run.submit_logits(num(&w, "id"), &yt.to_vec(), &yk.to_vec(), ys)
                    .expect("accepted");
            }
            // The literal check, done inside `nextWork`.
            "local" => {}
            "done" => break,
            other => panic!("a single driver never waits, got {other}"),
        }
        let ev: js_sys::Array = run.drain_events().unwrap().dyn_into().unwrap();
        events += ev.length() as usize;
    }
    assert_eq!(run.progress(), 1.0);
    let out = run.finish(1.0, 0.5).expect("finished");
    let report = get(&out, "report");
    let digest = get(&report, "mask_digest").as_string().unwrap();
    let preds: Uint8Array = get(&out, "ticketPredictions").dyn_into().unwrap();
    assert_eq!(preds.length(), 12);
    (run, digest, report, events)
}

#[wasm_bindgen_test]
fn web_run_gives_the_native_mask_for_any_batch_size() {
    let native: serde_json::Value = serde_json::from_str(NATIVE).expect("native report is JSON");
    let (a, report, events) = drive(2048.0, 100.0, Source::Run);
    assert_eq!(a, native["mask_digest"].as_str().unwrap());
    assert!(events >= 8, "only {events} events");
    assert_eq!(num(&report, "test_digits"), 12.0);
    let literal = get(&report, "literal_check");
    assert_eq!(num(&literal, "digits"), 1.0);
    assert!(num(&literal, "max_rel_diff") <= 1e-5);
    let (b, report_b, _) = drive(97.0, 5.0, Source::Solver);
    let (c, report_c, _) = drive(97.0, 3.0, Source::Ahead);
    assert_eq!(b, a);
    assert_eq!(c, a);
    for key in [
        "target_accuracy",
        "ticket_accuracy",
        "source_accuracy",
        "agreement",
        "max_logit_error",
    ] {
        assert_eq!(num(&report_b, key), num(&report, key), "{key}");
        assert_eq!(num(&report_c, key), num(&report, key), "{key}");
    }
    // The unpruned random source was evaluated on every verified digit:
    // here (run a), by the solver's evaluator (run b) or ahead of the run
    // (c), the same.
    let source = num(&report, "source_accuracy");
    assert!((0.0..=1.0).contains(&source), "source accuracy {source}");
}

#[wasm_bindgen_test]
fn bad_configurations_are_errors() {
    let bytes = digits();
    let good = || {
        vec![
            ("eps", JsValue::from(0.01)),
            ("seed", 1.into()),
            ("testDigits", 4.into()),
        ]
    };
    assert!(WebRun::new(MODEL, &bytes, config(&good())).is_ok());
    let with = |key: &str, v: JsValue| {
        let mut c = good();
        c.retain(|(k, _)| *k != key);
        c.push((Box::leak(key.to_string().into_boxed_str()), v));
        WebRun::new(MODEL, &bytes, config(&c)).is_err()
    };
    assert!(with("eps", 5.0.into()), "eps out of range");
    assert!(with("eps", JsValue::from_str("x")), "eps not a number");
    assert!(with("seed", (-1.0).into()), "negative seed");
    assert!(with("seed", 1.5.into()), "fractional seed");
    assert!(with("testDigits", 13.into()), "more digits than loaded");
    assert!(with("n", 40.into()), "n beyond 32");
    assert!(with("unknownKey", 1.into()), "unknown key");
    assert!(with("memoryBudgetMib", 0.5.into()), "budget below 1 MiB");
    assert!(with("memoryBudgetMib", f64::NAN.into()), "budget NaN");
    // The default run's estimate is ≈ 100 MiB: 16 MiB is refused, 1 GiB not.
    assert!(with("memoryBudgetMib", 16.into()), "a run over its budget");
    assert!(
        !with("memoryBudgetMib", 1024.into()),
        "a run within its budget"
    );
    let run = WebRun::new(MODEL, &bytes, config(&good())).unwrap();
    let estimate = run.memory_estimate().unwrap();
    assert!(
        (32.0 * 1048576.0..1024.0 * 1048576.0).contains(&estimate),
        "estimate {estimate} bytes"
    );
    assert!(
        WebRun::new("{}", &bytes, config(&good())).is_err(),
        "corrupt model"
    );
    assert!(
        WebRun::new(MODEL, &bytes[..100], config(&good())).is_err(),
        "truncated digits"
    );
    let mut eval = Evaluator::new(MODEL, &bytes).unwrap();
    assert!(eval.evaluate(0, 2, None, None).is_err(), "no ticket yet");
    assert!(eval.set_ticket(&[1, 2, 3]).is_err(), "truncated blob");
    assert!(
        eval.set_ticket(&[0, 0, 0, 63, 255, 255, 255, 255]).is_err(),
        "hostile blob"
    );
    assert!(solve_subset_sum(33, &[], &[]).is_err(), "n beyond 32");
    assert!(
        solve_subset_sum(2, &[0.5], &[0.1]).is_err(),
        "wrong candidate count"
    );
}

#[wasm_bindgen_test]
fn the_core_answers_the_pages_questions() {
    // Model kind, from the format tag.
    assert_eq!(model_kind_js(MODEL).unwrap(), "image");
    let graph = include_str!("../www/models/karate-mpgnn.json");
    assert_eq!(model_kind_js(graph).unwrap(), "graph");
    assert!(model_kind_js("{}").is_err(), "no format");
    assert!(model_kind_js("not json").is_err());
    // SHA-256 (FIPS 180-2's "abc").
    assert_eq!(
        sha256_hex_js(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // A finished image run: its kind, the worst problems of each layer
    // (largest error first, as the layer's errors rank them), and its
    // ticket file's settings read back.
    let (mut run, digest, _, _) = drive_run(2048.0, 100.0, Source::Solver);
    assert_eq!(run.model_kind(), "image");
    assert!(run.verifies_on_solvers());
    assert_eq!(run.test_rows(), 12);
    assert!(run.graph(0, None).is_err(), "graph() on an image run");
    assert!(run.permutation_check(1.0).is_err());
    let errors = run.layer_errors(0).unwrap().to_vec();
    let worst: js_sys::Array = run.worst_problems(0, 6).unwrap();
    assert_eq!(worst.length(), 6);
    let ps: Vec<usize> = worst.iter().map(|w| num(&w, "p") as usize).collect();
    let mut ranked: Vec<usize> = (0..errors.len()).collect();
    ranked.sort_by(|&a, &b| errors[b].total_cmp(&errors[a]).then(a.cmp(&b)));
    assert_eq!(ps, ranked[..6]);
    for w in worst.iter() {
        assert_eq!(num(&w, "error"), errors[num(&w, "p") as usize]);
    }
    let filters = run.filters("ticket").unwrap();
    assert_eq!(num(&filters, "groupOrder"), 8.0, "C8");
    // The unpruned source's first layer: the target's shape, other weights.
    let source = run.filters("source").unwrap();
    let target = run.filters("target").unwrap();
    for key in ["out_channels", "in_channels", "ksize", "groupOrder"] {
        assert_eq!(num(&source, key), num(&target, key), "{key}");
    }
    let weights = |f: &JsValue| -> Vec<f32> {
        get(f, "weights")
            .dyn_into::<Float32Array>()
            .unwrap()
            .to_vec()
    };
    assert_ne!(
        weights(&source),
        weights(&target),
        "the source is not the target"
    );
    assert!(run.filters("literal").is_err());
    let text = run
        .ticket_json("rotmnist-c8.json", &sha256_hex_js(MODEL.as_bytes()))
        .unwrap();
    let s = ticket_settings(&text).expect("its own ticket file passes");
    assert_eq!(get(&s, "maskDigest").as_string().unwrap(), digest);
    assert_eq!(num(&s, "seed"), 1.0);
    assert_eq!(num(&s, "eps"), 0.01);
    assert_eq!(num(&s, "n"), 8.0);
    assert_eq!(get(&s, "grow"), JsValue::FALSE);
    assert_eq!(num(&s, "testDigits"), 12.0);
    assert_eq!(get(&s, "task").as_string().unwrap(), "rotmnist-c8");
    assert!(ticket_settings("{}").is_err(), "not a ticket file");
    assert!(ticket_settings(&text.replace("\"version\": 1", "\"version\": 9")).is_err());
}
