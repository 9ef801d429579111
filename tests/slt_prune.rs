//! Pruning a small random C4 network: the ticket is a subnetwork within ε,
//! the literal and collapsed evaluators agree, and equivariance survives.

use eslt::basis::{dense_basis, steerable_basis};
use eslt::group::{check_equivariance, FieldType, Group};
use eslt::nn::{EquivariantLayer, Network, Op};
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::ticket::{collapsed_network, literal_network};
use eslt::slt::verify::literal_check;
use eslt::slt::{prune_network, EvalSet, Event, PruneConfig, RunHooks};
use ndarray::Array4;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn layer(
    group: Group,
    t_in: FieldType,
    t_out: FieldType,
    c_in: usize,
    c_out: usize,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> EquivariantLayer {
    let basis = if k == 0 {
        dense_basis()
    } else {
        steerable_basis(group, t_in, t_out, k).unwrap()
    };
    let coef = (0..c_in * c_out * basis.len())
        .map(|_| rng.random_range(-2.0f32..2.0))
        .collect();
    EquivariantLayer {
        group,
        in_type: t_in,
        out_type: t_out,
        c_in,
        c_out,
        basis,
        coef,
    }
}

/// conv 3×3 trivial→2 reg, ReLU, maxpool, conv 2→3 reg, ReLU, group pool,
/// global average, dense 3→4.
fn small_net(seed: u64) -> Network {
    let g = Group::Cyclic(4);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dense = {
        let mut l = layer(
            Group::Cyclic(1),
            FieldType::Trivial,
            FieldType::Trivial,
            3,
            4,
            0,
            &mut rng,
        );
        l.group = g;
        l
    };
    Network {
        group: g,
        input_shape: (1, 8, 8),
        ops: vec![
            Op::Conv(layer(
                g,
                FieldType::Trivial,
                FieldType::Regular,
                1,
                2,
                3,
                &mut rng,
            )),
            Op::Relu,
            Op::MaxPool2,
            Op::Conv(layer(
                g,
                FieldType::Regular,
                FieldType::Regular,
                2,
                3,
                3,
                &mut rng,
            )),
            Op::Relu,
            Op::GroupPool,
            Op::GlobalAvgPool,
            Op::Conv(dense),
        ],
    }
}

fn inputs(count: usize, nonneg: bool, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let lo = if nonneg { 0.0 } else { -1.0 };
    Array4::from_shape_fn((count, 1, 8, 8), |_| rng.random_range(lo..1.0f32))
}

fn run(
    net: &Network,
    cfg: &PruneConfig,
    x: &Array4<f32>,
    labels: &[u8],
) -> eslt::slt::PruneOutcome {
    let mut events = Vec::new();
    let mut on_event = |e: Event| events.push(e);
    let out = prune_network(
        net,
        "test",
        cfg,
        &CpuSolver::new(),
        Some(EvalSet {
            images: x.view(),
            labels,
            literal_sample: x.dim().0,
        }),
        RunHooks {
            now: &|| 0.0,
            on_event: &mut on_event,
            cancel: &|| false,
        },
    )
    .expect("pruning runs");
    assert!(events.iter().any(|e| matches!(e, Event::LayerDone { .. })));
    out
}

#[test]
fn ticket_is_within_eps_and_literal_equals_collapsed() {
    let net = small_net(1);
    let x = inputs(16, true, 2);
    let labels = vec![0u8; 16];
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 7,
        ..Default::default()
    };
    let out = run(&net, &cfg, &x, &labels);
    let r = &out.report;
    assert!(r.max_coef_error <= 0.01, "max error {}", r.max_coef_error);
    assert!(r.within_eps);
    assert!(
        r.literal_check.max_rel_diff <= 1e-5,
        "{:?}",
        r.literal_check
    );
    assert_eq!(r.literal_check.rows, 16);
    // Non-negative inputs everywhere: every negative pool is dead.
    assert!(r.layers.iter().all(|l| l.negative_pool == "dead"));
    assert_eq!(r.problems, net.num_coefficients());
    assert!(r.ticket_params < r.source_params && r.ticket_params > 0);
    // The ticket matches the target: logits close relative to their size.
    assert!(
        r.max_logit_error <= 0.05 * r.max_abs_logit,
        "{} vs {}",
        r.max_logit_error,
        r.max_abs_logit
    );
    assert_eq!(r.agreement, 1.0);
}

#[test]
fn signed_inputs_keep_both_pools_and_stay_exact() {
    let net = small_net(3);
    let x = inputs(8, false, 4);
    let labels = vec![1u8; 8];
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 5,
        input_nonnegative: false,
        ..Default::default()
    };
    let out = run(&net, &cfg, &x, &labels);
    let r = &out.report;
    assert_eq!(r.layers[0].negative_pool, "live");
    assert_eq!(r.layers[1].negative_pool, "dead");
    assert_eq!(r.layers[0].problems, 2 * r.layers[0].coefficients);
    assert!(r.max_coef_error <= 0.01);
    assert!(
        r.literal_check.max_rel_diff <= 1e-5,
        "{:?}",
        r.literal_check
    );
    assert!(r.max_logit_error <= 0.05 * r.max_abs_logit);
}

#[test]
fn same_seed_same_mask_other_seed_other_mask() {
    let net = small_net(1);
    let x = inputs(4, true, 2);
    let labels = vec![0u8; 4];
    let cfg = PruneConfig {
        eps: 0.05,
        seed: 11,
        ..Default::default()
    };
    let a = run(&net, &cfg, &x, &labels).report.mask_digest;
    let b = run(&net, &cfg, &x, &labels).report.mask_digest;
    let c = run(
        &net,
        &PruneConfig {
            seed: 12,
            ..cfg.clone()
        },
        &x,
        &labels,
    )
    .report
    .mask_digest;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn small_n_misses_eps_and_growth_fixes_it() {
    let net = small_net(1);
    let x = inputs(4, true, 2);
    let labels = vec![0u8; 4];
    let fixed = PruneConfig {
        eps: 0.001,
        n: Some(6),
        grow: false,
        seed: 3,
        ..Default::default()
    };
    let r = run(&net, &fixed, &x, &labels).report;
    assert!(
        r.max_coef_error > 0.001,
        "n = 6 should not reach 1e-3 on every coefficient"
    );
    assert!(!r.within_eps);
    let grown = PruneConfig {
        grow: true,
        ..fixed
    };
    let r = run(&net, &grown, &x, &labels).report;
    assert!(r.within_eps, "{}", r.max_coef_error);
    assert!(r.layers.iter().any(|l| l.n > l.n_initial));
}

#[test]
fn ticket_is_exactly_equivariant() {
    let net = small_net(5);
    let x = inputs(3, true, 6);
    let labels = vec![0u8; 3];
    let out = run(
        &net,
        &PruneConfig {
            eps: 0.02,
            seed: 2,
            ..Default::default()
        },
        &x,
        &labels,
    );
    for ticket in [
        collapsed_network(&out.rebalanced.network, &out.pruned).unwrap(),
        literal_network(&out.rebalanced.network, &out.pruned).unwrap(),
    ] {
        let err = check_equivariance(
            net.group,
            x.view(),
            (FieldType::Trivial, 1),
            (FieldType::Trivial, 4),
            |v| ticket.forward(v).unwrap(),
        )
        .unwrap();
        assert!(err <= 1e-5, "ticket equivariance error {err}");
    }
    let lit = literal_network(&out.rebalanced.network, &out.pruned).unwrap();
    let chk = literal_check(&lit, &out.ticket, x.view()).unwrap();
    assert!(chk.max_rel_diff <= 1e-5);
}

#[test]
fn bad_eps_and_n_are_errors() {
    let net = small_net(1);
    for cfg in [
        PruneConfig {
            eps: 0.0,
            ..Default::default()
        },
        PruneConfig {
            eps: 1.0,
            ..Default::default()
        },
        PruneConfig {
            eps: f64::NAN,
            ..Default::default()
        },
        PruneConfig {
            n: Some(33),
            ..Default::default()
        },
        PruneConfig {
            n: Some(0),
            ..Default::default()
        },
    ] {
        let r = prune_network(
            &net,
            "t",
            &cfg,
            &CpuSolver::new(),
            None,
            RunHooks {
                now: &|| 0.0,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        );
        assert!(matches!(r, Err(eslt::Error::InvalidArgument(_))));
    }
}

#[test]
fn cancel_stops_the_run() {
    let net = small_net(1);
    let r = prune_network(
        &net,
        "t",
        &PruneConfig::default(),
        &CpuSolver::new(),
        None,
        RunHooks {
            now: &|| 0.0,
            on_event: &mut |_| {},
            cancel: &|| true,
        },
    );
    assert!(matches!(r, Err(eslt::Error::Cancelled)));
}
