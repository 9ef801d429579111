//! The page's graph-run API in headless Chromium: `WebRun` driven as
//! the coordinator drives it (solve batches through `solveSubsetSum`,
//! verification on the run's own worker) gives the native CLI's mask and
//! accuracies (build.sh writes `eslt prune --model
//! www/models/sets-deepsets.json --seed 1 --test-digits 100 --literal-sample
//! 1 --json > target/golden/prune-sets.json` first); relabelling nodes
//! changes no prediction; bad input is a JS error.

#![cfg(target_arch = "wasm32")]

use eslt::web::{graph_example, solve_subset_sum, WebRun};
use js_sys::{Float32Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = include_str!("../www/models/sets-deepsets.json");
const KARATE: &str = include_str!("../www/models/karate-mpgnn.json");
const NATIVE: &str = include_str!("../target/golden/prune-sets.json");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn config(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (k, v) in pairs {
        Reflect::set(&obj, &JsValue::from_str(k), v).unwrap();
    }
    obj.into()
}

fn run_config(tests: f64) -> JsValue {
    config(&[
        ("eps", 0.01.into()),
        ("seed", 1.into()),
        ("testDigits", tests.into()),
        ("literalSample", 1.into()),
    ])
}

/// Runs to the end; returns the report and how many slices it verified
/// locally.
fn drive(run: &mut WebRun) -> (JsValue, usize) {
    let mut local = 0;
    loop {
        let w = run.next_work().expect("work");
        match get(&w, "kind").as_string().unwrap().as_str() {
            "solve" => {
                let c: Float64Array = get(&w, "candidates").dyn_into().unwrap();
                let t: Float64Array = get(&w, "targets").dyn_into().unwrap();
                let subsets = solve_subset_sum(num(&w, "n") as usize, &c.to_vec(), &t.to_vec())
                    .expect("solves");
                run.submit_solve(num(&w, "id"), &subsets.to_vec())
                    .expect("accepted");
            }
            "local" => local += 1,
            "done" => break,
            k => panic!("unexpected work {k} with nothing outstanding"),
        }
        run.drain_events().expect("events");
    }
    let out = run.finish(1.0, 0.5).expect("finishes");
    (get(&out, "report"), local)
}

#[wasm_bindgen_test]
fn graph_run_gives_the_native_mask_and_accuracies() {
    let native: serde_json::Value = serde_json::from_str(NATIVE).unwrap();
    let mut run = WebRun::new(MODEL, &[], run_config(100.0)).expect("run starts");
    assert_eq!(run.test_graphs(), 100);
    let (report, local) = drive(&mut run);
    assert!(
        local >= 2,
        "verification and the literal check ran locally ({local})"
    );
    assert_eq!(
        get(&report, "mask_digest").as_string().unwrap(),
        native["mask_digest"].as_str().unwrap(),
        "same seed, same ticket as the native CLI"
    );
    for key in [
        "target_accuracy",
        "ticket_accuracy",
        "source_accuracy",
        "agreement",
        "test_digits",
    ] {
        assert_eq!(
            num(&report, key),
            native[key].as_f64().unwrap(),
            "{key} as natively"
        );
    }
    // The first layer reads centred one-hot inputs: its negative pool is live.
    let layers: js_sys::Array = get(&report, "layers").dyn_into().unwrap();
    assert_eq!(
        get(&layers.get(0), "negative_pool").as_string().unwrap(),
        "live"
    );
    // The exported ticket names the task.
    let ticket = run
        .ticket_json("sets-deepsets.json", &"0".repeat(64))
        .unwrap();
    let ticket: serde_json::Value = serde_json::from_str(&ticket).expect("ticket JSON");
    assert_eq!(ticket["task"], "sets-deepsets");
    assert_eq!(ticket["mask_digest"], native["mask_digest"]);
    // One type for both kinds: this run says it is a graph run, verified
    // here, and refuses what only image runs answer.
    assert_eq!(run.model_kind(), "graph");
    assert!(!run.verifies_on_solvers());
    assert!(run.filters("target").is_err());
    assert!(run.feature_maps(0, 0.0).is_err());
    assert!(run.memory_estimate().is_err());
}

#[wasm_bindgen_test]
fn permuting_nodes_changes_no_prediction_and_moves_node_outputs() {
    // The karate club: node outputs must move with their nodes.
    let mut run = WebRun::new(KARATE, &[], run_config(1.0)).expect("run starts");
    drive(&mut run);
    let plain = run.graph(0, None).expect("graph");
    let seed = 12345.0;
    let permuted = run.graph(0, Some(seed)).expect("permuted graph");
    let sigma: Uint32Array = get(&permuted, "sigma").dyn_into().unwrap();
    let sigma = sigma.to_vec();
    assert!(
        sigma.iter().enumerate().any(|(i, &s)| s as usize != i),
        "the permutation moves nodes"
    );
    for key in ["ticketValues", "targetValues"] {
        let a = get(&plain, key)
            .dyn_into::<Float32Array>()
            .unwrap()
            .to_vec();
        let b = get(&permuted, key)
            .dyn_into::<Float32Array>()
            .unwrap()
            .to_vec();
        for (i, &s) in sigma.iter().enumerate() {
            assert!(
                (a[i] - b[s as usize]).abs() <= 1e-5 * (1.0 + a[i].abs()),
                "{key}: node {i} shown as {s}: {} vs {}",
                a[i],
                b[s as usize]
            );
        }
    }
    for key in ["ticketPredictions", "targetPredictions"] {
        let a = get(&plain, key).dyn_into::<Uint8Array>().unwrap().to_vec();
        let b = get(&permuted, key)
            .dyn_into::<Uint8Array>()
            .unwrap()
            .to_vec();
        for (i, &s) in sigma.iter().enumerate() {
            assert_eq!(a[i], b[s as usize], "{key}: node {i}");
        }
    }
    let check = run.permutation_check(seed).expect("check");
    assert_eq!(num(&check, "rows"), 32.0);
    assert_eq!(num(&check, "changedTarget"), 0.0);
    assert_eq!(num(&check, "changedTicket"), 0.0);
    assert!(num(&check, "maxLogitChange") <= 1e-4 * num(&check, "maxAbsLogit"));
}

#[wasm_bindgen_test]
fn structure_before_a_run_and_bad_input_are_errors() {
    let g = graph_example("graph-families-ign", 3, None).expect("structure");
    assert_eq!(get(&g, "readout").as_string().unwrap(), "graph");
    assert_eq!(num(&g, "label"), 3.0, "graph 3 is a lollipop (label 3)");
    let names: js_sys::Array = get(&g, "classNames").dyn_into().unwrap();
    assert_eq!(names.get(3).as_string().unwrap(), "lollipop");
    let edges = get(&g, "edges").dyn_into::<Uint32Array>().unwrap().to_vec();
    assert!(!edges.is_empty() && edges.len() % 2 == 0);
    assert!(edges.iter().all(|&v| (v as f64) < num(&g, "n")));
    assert!(graph_example("no-such-task", 0, None).is_err());
    assert!(graph_example("graph-families-ign", 1_000_000, None).is_err());
    assert!(graph_example("graph-families-ign", 0, Some(-1.0)).is_err());
    assert!(graph_example("graph-families-ign", 0, Some(0.5)).is_err());
    // A config typo, an image model, a bad seed.
    let typo = config(&[
        ("eps", 0.01.into()),
        ("seed", 1.into()),
        ("testDigit", 5.into()),
    ]);
    assert!(WebRun::new(MODEL, &[], typo).is_err());
    // An image model with no digits to verify on.
    let image = include_str!("../www/models/rotmnist-mlp.json");
    assert!(WebRun::new(image, &[], run_config(5.0)).is_err());
    let bad_seed = config(&[
        ("eps", 0.01.into()),
        ("seed", (-1.0).into()),
        ("testDigits", 5.into()),
    ]);
    assert!(WebRun::new(MODEL, &[], bad_seed).is_err());
    // Before the run has pruned anything, there is no ticket to show.
    let run = WebRun::new(MODEL, &[], run_config(5.0)).expect("run starts");
    assert!(run.graph(0, None).is_err());
    assert!(run.permutation_check(1.0).is_err());
}
