//! The CLI on graph models: `eslt prune` gives the image tasks' JSON report
//! (every coefficient within ε, ticket = target), and `eslt eval --permute`
//! keeps every prediction of an invariant or equivariant model.

use std::process::{Command, Output};

fn eslt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eslt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("eslt runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "eslt failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rfind(|l| l.starts_with('{'))
        .expect("a JSON line");
    serde_json::from_str(line).expect("JSON")
}

#[test]
fn prune_on_graph_models_reports_like_images() {
    for (model, live) in [("sets-deepsets", true), ("graph-families-mpgnn", false)] {
        let path = format!("www/models/{model}.json");
        let r = json(&eslt(&[
            "prune",
            "--model",
            &path,
            "--eps",
            "0.01",
            "--seed",
            "2",
            "--test-digits",
            "300",
            "--json",
        ]));
        assert_eq!(r["within_eps"], true, "{model}: {r}");
        assert!(r["agreement"].as_f64().unwrap() >= 0.99, "{model}: {r}");
        assert_eq!(r["test_graphs"], 300, "{model}");
        assert_eq!(
            r["layers"][0]["negative_pool"],
            if live { "live" } else { "dead" },
            "{model}"
        );
        for key in [
            "mask_digest",
            "n_per_layer",
            "target_accuracy",
            "ticket_accuracy",
            "literal_check",
        ] {
            assert!(r.get(key).is_some(), "{model}: no {key}");
        }
    }
}

#[test]
fn permuting_nodes_keeps_every_prediction() {
    for model in ["graph-families-ign", "connectivity-mpgnn", "karate-mpgnn"] {
        let path = format!("www/models/{model}.json");
        let plain = json(&eslt(&["eval", "--model", &path, "--json"]));
        let permuted = json(&eslt(&[
            "eval",
            "--model",
            &path,
            "--permute",
            "11",
            "--json",
        ]));
        assert_eq!(
            plain["predictions_digest"], permuted["predictions_digest"],
            "{model}"
        );
        let change = permuted["permutation_max_logit_change"].as_f64().unwrap();
        let scale = permuted["max_abs_logit"].as_f64().unwrap().max(1.0);
        assert!(
            change <= 1e-5 * scale,
            "{model}: logits moved by {change} (scale {scale})"
        );
    }
    let image = eslt(&[
        "eval",
        "--model",
        "www/models/rotmnist-c8.json",
        "--permute",
        "1",
    ]);
    assert_eq!(image.status.code(), Some(2), "--permute on an image model");
}

#[test]
fn graph_tickets_are_written_and_verify_and_a_tampered_one_does_not() {
    let dir = std::env::temp_dir().join(format!("eslt-graph-ticket-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (model, graphs) in [("karate-mpgnn", "1"), ("sets-deepsets", "200")] {
        let path = format!("www/models/{model}.json");
        let ticket = dir.join(format!("{model}.ticket.json"));
        let ticket_s = ticket.to_str().unwrap();
        let r = json(&eslt(&[
            "prune",
            "--model",
            &path,
            "--seed",
            "4",
            "--test-digits",
            graphs,
            "--ticket-out",
            ticket_s,
            "--json",
        ]));
        let v = json(&eslt(&[
            "ticket", "verify", "--ticket", ticket_s, "--model", &path, "--json",
        ]));
        assert_eq!(v["ticket_valid"], true, "{model}: {v}");
        assert_eq!(v["mask_digest"], r["mask_digest"], "{model}");
        assert_eq!(v["test_digits"], r["test_digits"], "{model}");
        // Another seed in the file: the rebuilt mask is not the reported one.
        let text = std::fs::read_to_string(&ticket).unwrap();
        let mut t: serde_json::Value = serde_json::from_str(&text).unwrap();
        t["seed"] = 5.into();
        t["report"]["seed"] = 5.into();
        let bad = dir.join(format!("{model}.bad.ticket.json"));
        std::fs::write(&bad, t.to_string()).unwrap();
        let out = eslt(&[
            "ticket",
            "verify",
            "--ticket",
            bad.to_str().unwrap(),
            "--model",
            &path,
            "--json",
        ]);
        assert_ne!(
            out.status.code(),
            Some(0),
            "{model}: a tampered ticket verified"
        );
    }
    // A graph ticket against an image model is refused with a message.
    let out = eslt(&[
        "ticket",
        "verify",
        "--ticket",
        dir.join("karate-mpgnn.ticket.json").to_str().unwrap(),
        "--model",
        "www/models/rotmnist-mlp.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
    std::fs::remove_dir_all(&dir).ok();
}
