//! The same run, source construction and pruning on permutation-equivariant
//! networks (DeepSets, 2-IGN, message passing): every coefficient within ε,
//! the literal masked source equal to the collapsed ticket, the ticket
//! matching the target, live negative pools where inputs can be negative,
//! and the ticket as equivariant (node readout) or invariant (graph
//! readout) as the target.

use eslt::group::permutation::Permutation;
use eslt::nn::graph::tasks::{names, task};
use eslt::nn::graph::{GraphNetwork, Readout};
use eslt::slt::graph_inputs::GraphRows;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::{drive, Eval, PruneConfig, RunHooks, RunOptions};

fn max_abs(v: &[f32]) -> f32 {
    v.iter().fold(0.0f32, |m, x| m.max(x.abs()))
}

#[test]
fn every_graph_task_prunes_within_eps_into_an_equivariant_ticket() {
    for name in names() {
        let t = task(name).unwrap();
        let target: GraphNetwork = t.build(7);
        let examples: Vec<_> = t.test_examples().into_iter().take(150).collect();
        let rows = GraphRows::new(&examples);
        let labels = rows.labels();
        let cfg = PruneConfig {
            eps: 0.01,
            seed: 3,
            input_nonnegative: !t.input.can_be_negative(),
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
                literal_sample: 4,
                target_logits: None,
            }),
            RunHooks {
                now: &|| 0.0,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = &out.report;
        eprintln!(
            "{name}: {} coefficients, n {:?}, max error {:.2e}, agreement {}, pools {:?}, literal {:.1e}",
            r.target_params,
            r.n_per_layer,
            r.max_coef_error,
            r.agreement,
            r.layers.iter().map(|l| l.negative_pool).collect::<Vec<_>>(),
            r.literal_check.max_rel_diff
        );
        assert!(r.within_eps, "{name}: max error {}", r.max_coef_error);
        assert!(
            r.literal_check.max_rel_diff <= 1e-4,
            "{name}: literal {:?}",
            r.literal_check
        );
        assert!(r.agreement >= 0.95, "{name}: agreement {}", r.agreement);
        assert!(
            r.max_logit_error <= 0.05 * r.max_abs_logit.max(1e-3),
            "{name}: logit error {} of {}",
            r.max_logit_error,
            r.max_abs_logit
        );
        if t.input.can_be_negative() {
            assert_eq!(
                r.layers[0].negative_pool, "live",
                "{name}: negative inputs need the negative pool"
            );
        }
        // The ticket (rebalanced scale) under node permutations.
        let ticket = &out.ticket;
        for (k, ex) in examples.iter().take(5).enumerate() {
            let sigma = Permutation::seeded(ex.input.n, 100 + k as u64);
            let y = ticket.forward(&ex.input).unwrap();
            let yp = ticket
                .forward(&ex.input.permuted(&sigma, t.input.order()))
                .unwrap();
            let expected = match t.readout {
                Readout::Graph => y.clone(),
                Readout::Node => sigma.act_on_nodes(target.classes(), &y),
            };
            let diff = yp
                .iter()
                .zip(&expected)
                .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
            assert!(
                diff <= 1e-5 * max_abs(&y).max(1.0),
                "{name}, graph {k}: permuted ticket differs by {diff}"
            );
        }
    }
}
