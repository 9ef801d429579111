//! Trains the graph targets with their table settings and writes
//! `www/models/<task>.json` (ignored by default: minutes of work).
//!
//!     ESLT_GRAPH_TASKS=karate-mpgnn,sets-deepsets \
//!         cargo test --release --test graph_make_models -- --ignored --nocapture
//!
//! Without `ESLT_GRAPH_TASKS` every task of the table is trained.

use eslt::nn::graph::{graph_model, tasks, train_task};
use std::path::Path;

/// CPU seconds of this process (user + system) from /proc, where it exists.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[test]
#[ignore = "trains the graph targets (minutes) and rewrites www/models: run with --ignored to remake them"]
fn make_graph_models() {
    let wanted = std::env::var("ESLT_GRAPH_TASKS").unwrap_or_default();
    let names: Vec<&str> = if wanted.is_empty() {
        tasks::names()
    } else {
        wanted.split(',').collect()
    };
    for name in names {
        let mut last_epoch = usize::MAX;
        let (net, meta) = train_task(
            name,
            &mut |p, _| {
                if p.epoch != last_epoch && p.step % (p.steps_total / 10).max(1) == 0 {
                    last_epoch = p.epoch;
                    eprintln!(
                        "{name}: epoch {} step {}/{} loss {:.4} acc {:.4}",
                        p.epoch, p.step, p.steps_total, p.loss, p.accuracy
                    );
                }
                true
            },
            &cpu_seconds,
        )
        .unwrap();
        eprintln!(
            "{name}: {} coefficients, {:.1} s ({:?} cpu s), train acc {:.4}, test acc {:.4} on {} rows",
            net.num_coefficients(),
            meta.training.seconds,
            meta.training.cpu_seconds,
            meta.training.train_accuracy,
            meta.test_accuracy,
            meta.test_examples
        );
        if std::env::var("ESLT_GRAPH_DRY").is_err() {
            graph_model::save(
                &Path::new("www/models").join(format!("{name}.json")),
                &net,
                &meta,
            )
            .unwrap();
        }
    }
}
