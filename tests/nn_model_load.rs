//! Model files: round trip, and every kind of corruption rejected with a
//! typed `Error::Model` and a message naming the problem.

use eslt::nn::architecture::OpSpec;
use eslt::nn::model::{self, from_json, to_json, ModelMeta, TrainingInfo};
use eslt::nn::{tasks, Network};
use eslt::Error;
use ndarray::Array4;
use serde_json::Value;

fn meta(task: &str) -> ModelMeta {
    ModelMeta {
        task: task.into(),
        architecture: tasks::architecture(task).unwrap(),
        training: TrainingInfo {
            seed: 3,
            epochs: 1,
            train_digits: 10,
            batch_size: 5,
            lr: 1e-3,
            seconds: 1.5,
            cpu_seconds: Some(2.5),
            command: format!("eslt train --task {task} --seed 3"),
        },
        test_accuracy: 0.5,
        test_digits: 100,
        test_predictions_digest: Some("ab".repeat(32)),
    }
}

fn saved(task: &str) -> (Network, String) {
    let mut net = tasks::build(task, 3).unwrap();
    model::round_for_storage(&mut net);
    let json = to_json(&net, &meta(task)).unwrap();
    (net, json)
}

/// The message of the `Error::Model` that loading `v` gives.
fn model_error(v: &Value) -> String {
    match from_json(&v.to_string()) {
        Err(Error::Model(m)) => m,
        Err(e) => panic!("expected Error::Model, got {e:?}"),
        Ok(_) => panic!("corrupt model was accepted"),
    }
}

fn parsed(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

#[test]
fn round_trip_keeps_network_and_meta() {
    for task in tasks::TASKS {
        let (net, json) = saved(task);
        let (loaded, m) = from_json(&json).unwrap();
        // (assert! not assert_eq!: a failure would print 100k coefficients.)
        assert!(
            loaded == net,
            "{task}: network differs after the round trip"
        );
        assert_eq!(m, meta(task));
        let x = Array4::from_shape_fn((2, 1, 28, 28), |(b, _, y, x)| {
            ((b + y * 5 + x * 3) % 7) as f32 / 7.0
        });
        assert_eq!(
            net.forward(x.view()).unwrap(),
            loaded.forward(x.view()).unwrap()
        );
    }
}

#[test]
fn files_stay_well_under_a_megabyte() {
    for task in tasks::TASKS {
        let (_, json) = saved(task);
        assert!(json.len() < 1 << 20, "{task}: {} bytes", json.len());
    }
}

#[test]
fn rejects_wrong_format_and_version() {
    let (_, json) = saved("rotmnist-c4");
    let mut v = parsed(&json);
    v["format"] = "onnx".into();
    assert!(model_error(&v).contains("format"));
    let mut v = parsed(&json);
    v["version"] = 2.into();
    assert!(model_error(&v).contains("version 2"));
}

#[test]
fn rejects_unknown_task_and_group() {
    let (_, json) = saved("rotmnist-c4");
    let mut v = parsed(&json);
    v["task"] = "imagenet".into();
    assert!(model_error(&v).contains("unknown task"));
    let mut v = parsed(&json);
    v["group"] = "Q4".into();
    assert!(model_error(&v).contains("unknown group"));
    let mut v = parsed(&json);
    v["group"] = "C0".into();
    assert!(model_error(&v).contains("unknown group"));
    // A known group that is not the task's.
    let mut v = parsed(&json);
    v["group"] = "C8".into();
    assert!(model_error(&v).contains("uses group C4"));
}

#[test]
fn rejects_shape_mismatches() {
    let (_, json) = saved("rotmnist-c4");
    // One coefficient too few in layer 1.
    let mut v = parsed(&json);
    let count = v["coefficients"][1]["count"].as_u64().unwrap() as usize;
    let fewer: Vec<f32> = vec![0.1; count - 1];
    v["coefficients"][1]["base64"] = eslt::nn::coef_encoding::encode_f32(&fewer).into();
    assert!(model_error(&v).contains("shape mismatch"));
    // Architecture widths that do not chain: layer 1 reads 7 fields.
    let mut v = parsed(&json);
    v["architecture"][3]["c_in"] = 7.into();
    assert!(model_error(&v).contains("input channels"));
    // A layer block missing.
    let mut v = parsed(&json);
    v["coefficients"].as_array_mut().unwrap().pop();
    assert!(model_error(&v).contains("coefficient blocks"));
    // Not 28×28 digits.
    let mut v = parsed(&json);
    v["input_shape"] = serde_json::json!([1, 32, 32]);
    assert!(model_error(&v).contains("input shape"));
    // Even kernel size: no basis.
    let mut v = parsed(&json);
    v["architecture"][0]["ksize"] = 4.into();
    assert!(model_error(&v).contains("kernel size"));
    // Total count disagrees.
    let mut v = parsed(&json);
    v["num_coefficients"] = 5.into();
    assert!(model_error(&v).contains("num_coefficients"));
}

#[test]
fn rejects_non_finite_coefficients() {
    let (net, json) = saved("rotmnist-mlp");
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut v = parsed(&json);
        let mut coef = net.layers().nth(1).unwrap().coef.clone();
        coef[3] = bad;
        v["coefficients"][1]["base64"] = eslt::nn::coef_encoding::encode_f32(&coef).into();
        assert!(model_error(&v).contains("NaN or infinity"), "{bad}");
    }
}

#[test]
fn rejects_malformed_json_and_fields() {
    let (_, json) = saved("rotmnist-c4");
    assert!(matches!(
        from_json(&json[..json.len() / 2]),
        Err(Error::Model(_))
    ));
    assert!(matches!(from_json(""), Err(Error::Model(_))));
    let mut v = parsed(&json);
    v.as_object_mut().unwrap().remove("coefficients");
    assert!(model_error(&v).contains("coefficients"));
    let mut v = parsed(&json);
    v["architecture"][1] = serde_json::json!({"op": "dropout"});
    assert!(model_error(&v).contains("dropout"));
    let mut v = parsed(&json);
    v["coefficients"][0]["base64"] = "not base64!".into();
    assert!(model_error(&v).contains("base64"));
    let mut v = parsed(&json);
    v["test_predictions_digest"] = "xyz".into();
    assert!(model_error(&v).contains("SHA-256"));
    let mut v = parsed(&json);
    v["test_accuracy"] = 1.5.into();
    assert!(model_error(&v).contains("accuracy"));
    let mut v = parsed(&json);
    v["architecture"][0]["basis"] = "pixel".into();
    assert!(model_error(&v).contains("Pixel basis does not fit"));
}

#[test]
fn saving_checks_the_network_against_its_architecture() {
    let net = tasks::build("rotmnist-c4", 1).unwrap();
    let m = meta("rotmnist-c8");
    assert!(matches!(to_json(&net, &m), Err(Error::Model(_))));
    let arch_ops = &meta("rotmnist-c4").architecture.ops;
    assert!(matches!(arch_ops[0], OpSpec::Conv { .. }));
}

/// Regression (found by `eslt fuzz --target model`): `"lr": 1e308` read into
/// the f32 field as infinity, loaded, and saved as `null`, a file that did
/// not load. Non-finite (and non-positive) training numbers are refused.
#[test]
fn rejects_training_numbers_that_do_not_survive_saving() {
    let (_, json) = saved("rotmnist-mlp");
    for (key, value) in [
        ("lr", serde_json::json!(1e308)),
        ("lr", serde_json::json!(3.5e38)),
        ("lr", serde_json::json!(0)),
        ("lr", serde_json::json!(-0.001)),
        ("seconds", serde_json::json!(-1)),
        ("cpu_seconds", serde_json::json!(-2.5)),
    ] {
        let mut v = parsed(&json);
        v["training"][key] = value.clone();
        let e = model_error(&v);
        assert!(
            e.contains(&format!("training.{key}")),
            "{key} = {value}: {e}"
        );
    }
}

/// Regression (hostile widths): a file of a few kB naming a 65536 → 65536
/// field layer used to allocate its zero coefficients (2^32 × basis) before
/// the sizes were compared with the data; now the sizes are checked first
/// and nothing larger than the file's own coefficients is allocated.
#[test]
fn huge_declared_layers_are_refused_before_allocating() {
    let (_, json) = saved("rotmnist-c4");
    // Chained widths that fit the shapes but not the coefficient budget.
    let mut v = parsed(&json);
    for (op, key) in [(0, "c_out"), (3, "c_in"), (3, "c_out"), (6, "c_in")] {
        v["architecture"][op][key] = 65536.into();
    }
    let start = std::time::Instant::now();
    let e = model_error(&v);
    assert!(
        e.contains("shape mismatch") || e.contains("would exceed 67108864 coefficients"),
        "{e}"
    );
    // Building such an architecture directly hits the coefficient budget
    // before allocating (a model file stops earlier, at its data).
    let mut arch = tasks::architecture("rotmnist-c4").unwrap();
    for (op, key) in [(0, "c_out"), (3, "c_in"), (3, "c_out"), (6, "c_in")] {
        if let OpSpec::Conv { c_in, c_out, .. } = &mut arch.ops[op] {
            *if key == "c_in" { c_in } else { c_out } = 65536;
        }
    }
    let e = arch.build().unwrap_err().to_string();
    assert!(e.contains("would exceed 67108864 coefficients"), "{e}");
    assert!(start.elapsed().as_secs_f64() < 1.0);
    // A deep stack of 15×15 regular → regular layers, each with its
    // coefficients: refused by the basis budget, not built 40 times.
    let basis = eslt::basis::steerable_basis(
        eslt::group::Group::Cyclic(4),
        eslt::group::FieldType::Regular,
        eslt::group::FieldType::Regular,
        15,
    )
    .unwrap()
    .len();
    let mut v = parsed(&json);
    let conv = serde_json::json!({"op": "conv", "in_type": "regular", "out_type": "regular",
        "c_in": 1, "c_out": 1, "ksize": 15, "basis": "steerable"});
    let block = serde_json::json!({"count": basis, "dtype": "f32le",
        "base64": eslt::nn::coef_encoding::encode_f32(&vec![0.01; basis])});
    let width = v["architecture"][0]["c_out"].clone();
    v["architecture"][0]["c_out"] = 1.into();
    v["architecture"][3]["c_in"] = 1.into();
    let first = v["coefficients"][0]["count"].as_u64().unwrap() / width.as_u64().unwrap();
    v["coefficients"][0] = serde_json::json!({"count": first, "dtype": "f32le",
        "base64": eslt::nn::coef_encoding::encode_f32(&vec![0.01; first as usize])});
    for _ in 0..40 {
        v["architecture"]
            .as_array_mut()
            .unwrap()
            .insert(1, conv.clone());
        v["coefficients"]
            .as_array_mut()
            .unwrap()
            .insert(1, block.clone());
    }
    let start = std::time::Instant::now();
    let e = model_error(&v);
    assert!(e.contains("bases would exceed"), "{e}");
    assert!(start.elapsed().as_secs_f64() < 2.0);
}
