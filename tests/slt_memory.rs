//! The run's memory estimate (`slt::memory`): the literal network it sizes
//! has the literal network's exact shapes, and it counts what grows with n.

use eslt::nn::{model, CpuForward, Network, Op};
use eslt::slt::memory::estimate;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::ticket::{literal_network, literal_skeleton};
use eslt::slt::{prune_network, PruneConfig, RunHooks};

const C4: &str = include_str!("../www/models/rotmnist-c4.json");

fn layer_dims(net: &Network) -> Vec<(usize, usize, usize, usize)> {
    net.ops
        .iter()
        .filter_map(|op| match op {
            Op::Conv(l) => Some((l.c_in, l.c_out, l.basis.len(), l.coef.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_skeleton_has_the_literal_networks_shapes() {
    let (target, _) = model::from_json(C4).unwrap();
    let cfg = PruneConfig {
        eps: 0.05,
        seed: 2,
        ..Default::default()
    };
    let out = prune_network(
        &target,
        "rotmnist-c4",
        &cfg,
        &CpuSolver::new(),
        None,
        RunHooks {
            now: &|| 0.0,
            on_event: &mut |_| {},
            cancel: &|| false,
        },
    )
    .unwrap();
    let n = &out.report.n_per_layer;
    let literal = literal_network(&out.rebalanced.network, &out.pruned).unwrap();
    let skeleton = literal_skeleton(&target, n).unwrap();
    assert_eq!(layer_dims(&skeleton), layer_dims(&literal));
    assert_eq!(skeleton.shapes().unwrap(), literal.shapes().unwrap());
    let cpu = CpuForward::with_threads(1).unwrap();
    assert_eq!(
        cpu.memory_bytes(&skeleton).unwrap(),
        cpu.memory_bytes(&literal).unwrap()
    );
}

#[test]
fn the_estimate_grows_with_n_and_counts_the_expanded_kernels() {
    let (target, _) = model::from_json(C4).unwrap();
    let cpu = CpuForward::with_threads(1).unwrap();
    let small = estimate(&target, &[4, 4, 4, 4], &cpu).unwrap();
    let large = estimate(&target, &[16, 16, 16, 16], &cpu).unwrap();
    assert!(
        large.literal_check > 3 * small.literal_check,
        "{small:?} vs {large:?}"
    );
    assert!(large.source > 3 * small.source, "{small:?} vs {large:?}");
    assert_eq!(large.verification, small.verification);
    assert_eq!(
        large.total,
        large.source + large.literal_check + large.verification
    );
    // At least the literal network's expanded kernels: Σ k²·c_in·c_out f32.
    let literal = literal_skeleton(&target, &[16, 16, 16, 16]).unwrap();
    let kernels: u64 = literal
        .layers()
        .map(|l| (l.basis.ksize.pow(2) * l.in_channels() * l.out_channels() * 4) as u64)
        .sum();
    assert!(
        large.literal_check >= kernels,
        "{} < {kernels}",
        large.literal_check
    );
}
