//! The graph tasks' acceptance, on the shipped models and several seeds at
//! ε = 0.01: ticket accuracy within 0.5 pp of the target's and agreement
//! ≥ 99 % on the whole held-out test set (≥ 1,000 graphs), and for the
//! karate club agreement on all 34 members (the 32 test members and the two
//! leaders, whose labels trained the target).

use eslt::nn::graph::evaluate::argmax;
use eslt::nn::graph::{graph_model, tasks};
use eslt::slt::graph_inputs::GraphRows;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::{drive, Eval, PruneConfig, RunHooks, RunOptions};

const MODELS: [&str; 5] = [
    "graph-families-ign",
    "graph-families-mpgnn",
    "connectivity-mpgnn",
    "sets-deepsets",
    "karate-mpgnn",
];

#[test]
fn shipped_graph_models_prune_into_matching_tickets_for_any_seed() {
    for name in MODELS {
        let path = format!("{}/www/models/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let (target, meta) = graph_model::load(std::path::Path::new(&path)).unwrap();
        let task = tasks::task(&meta.task).unwrap();
        let tests = task.test_examples();
        let rows = GraphRows::new(&tests);
        let labels = rows.labels();
        if task.readout == eslt::nn::graph::Readout::Graph {
            assert!(tests.len() >= 1000, "{name}: {} test graphs", tests.len());
        }
        for seed in [1, 2, 3] {
            let cfg = PruneConfig {
                eps: 0.01,
                seed,
                input_nonnegative: !task.input.can_be_negative(),
                ..Default::default()
            };
            let out = drive(
                &target,
                name,
                &cfg,
                &RunOptions::default(),
                &CpuSolver::new(),
                Some(Eval {
                    inputs: &rows,
                    labels: &labels,
                    literal_sample: 2,
                    target_logits: None,
                }),
                RunHooks {
                    now: &|| 0.0,
                    on_event: &mut |_| {},
                    cancel: &|| false,
                },
            )
            .unwrap_or_else(|e| panic!("{name}, seed {seed}: {e}"));
            let r = &out.report;
            eprintln!(
                "{name}, seed {seed}: target {:.4}, ticket {:.4}, agreement {:.4} on {} rows, n {:?}",
                r.target_accuracy, r.ticket_accuracy, r.agreement, r.test_digits, r.n_per_layer
            );
            assert!(r.within_eps, "{name}, seed {seed}");
            assert!(
                (r.ticket_accuracy - r.target_accuracy).abs() <= 0.005,
                "{name}, seed {seed}: target {} vs ticket {}",
                r.target_accuracy,
                r.ticket_accuracy
            );
            assert!(
                r.agreement >= 0.99,
                "{name}, seed {seed}: agreement {}",
                r.agreement
            );
            if name == "karate-mpgnn" {
                // Every member, the two leaders included.
                let g = &tests[0].input;
                let yt = target.forward(g).unwrap();
                let yk = out.ticket.forward(g).unwrap();
                let classes = target.classes();
                let same = yt
                    .chunks_exact(classes)
                    .zip(yk.chunks_exact(classes))
                    .filter(|(a, b)| argmax(a) == argmax(b))
                    .count();
                assert_eq!(g.n, 34);
                assert_eq!(
                    same, 34,
                    "karate, seed {seed}: ticket = target on {same} of 34 members"
                );
            }
        }
    }
}
