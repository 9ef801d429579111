//! The literal check's streamed forward (`slt::literal_forward`): the same
//! logits as the literal masked source network built whole, through kernel
//! chunks, row chunks and passes of images; and a wrong mask makes the
//! run's literal check fail.

mod slt_common;

use slt_common::solved_subsets;
use std::path::Path;

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::test_images;
use eslt::nn::{model, CpuForward, Network, PreparedForward};
use eslt::slt::literal_forward::{literal_check_logits, literal_logits, memory_bytes};
use eslt::slt::mask::LayerMask;
use eslt::slt::run::LITERAL_TOLERANCE;
use eslt::slt::source::SourceLayer;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::ticket::literal_network;
use eslt::slt::verify::LiteralCheck;
use eslt::slt::{prune_network, PruneConfig, PruneOutcome, PruneRun, RunHooks, RunOptions, Work};
use eslt::Error;
use ndarray::{s, Array4};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shipped(task: &str) -> Network {
    let path = root().join(format!("www/models/rotmnist-{task}.json"));
    model::from_json(&std::fs::read_to_string(path).unwrap())
        .unwrap()
        .0
}

fn digits(count: usize) -> (Array4<f32>, Vec<u8>) {
    let d = Digits::load(&root().join("target/data/mnist-t10k.digits"))
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    (
        test_images(&d, 0, count).unwrap(),
        d.labels[..count].to_vec(),
    )
}

/// `net` pruned at a fixed n (no verification).
fn pruned(net: &Network, n: usize) -> PruneOutcome {
    let cfg = PruneConfig {
        eps: 0.05,
        n: Some(n),
        seed: 5,
        grow: false,
        ..Default::default()
    };
    prune_network(
        net,
        "literal",
        &cfg,
        &CpuSolver::new(),
        None,
        RunHooks {
            now: &|| 0.0,
            on_event: &mut |_| {},
            cancel: &|| false,
        },
    )
    .unwrap()
}

fn layers(out: &PruneOutcome) -> Vec<(&SourceLayer, &LayerMask)> {
    out.pruned.iter().map(|p| (&p.source, &p.mask)).collect()
}

/// Largest |a − b| over the largest |b|.
fn rel_diff(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f64, |m, &v| m.max(f64::from(v).abs()));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (&x, &y)| m.max(f64::from(x - y).abs()));
    diff / scale
}

#[test]
fn streamed_logits_are_the_built_literal_networks() {
    // c8 at n = 20 takes two kernel chunks and 14 patch chunks in its last
    // convolution, and 25 digits take two passes; cnn and mlp at n = 6.
    let (images, _) = digits(25);
    let cpu = CpuForward::with_threads(2).unwrap();
    for (task, n, count) in [("c8", 20, 25), ("cnn", 6, 5), ("mlp", 6, 5)] {
        let out = pruned(&shipped(task), n);
        let x = images.slice(s![..count, .., .., ..]);
        let streamed = literal_logits(&out.rebalanced.network, &layers(&out), x, &cpu).unwrap();
        let built = literal_network(&out.rebalanced.network, &out.pruned).unwrap();
        // The built network's convolutions as the streamed ones compute
        // them: one direct product each (no Winograd form).
        let whole = cpu
            .clone()
            .direct_convs()
            .prepare_cpu(&built)
            .unwrap()
            .logits_flat(x)
            .unwrap();
        let d = rel_diff(&streamed, &whole);
        assert!(d <= 1e-6, "{task}: streamed and built differ by {d:.3e}");
        // One thread gives the same bits: the chunks do not depend on it.
        let one = CpuForward::with_threads(1).unwrap();
        let again = literal_logits(&out.rebalanced.network, &layers(&out), x, &one).unwrap();
        assert_eq!(streamed, again, "{task}");
    }
}

#[test]
fn the_working_set_does_not_grow_with_n() {
    // The literal network of c8's last convolution alone has k²·c_in·2n·|G|
    // × c_out·|G| expanded weights: 38 MB at n = 32, 4× those at n = 8. The
    // streamed check's working set (two threads) stays under its bound.
    let net = shipped("c8");
    for n in [8, 16, 24, 32] {
        let bytes = memory_bytes(&net, &[n; 4], 16, 2).unwrap();
        assert!(bytes < 70 << 20, "n = {n}: {bytes} bytes");
    }
}

#[test]
fn a_wrong_mask_fails_the_literal_check() {
    let net = shipped("c8");
    let (images, labels) = digits(8);
    let cfg = PruneConfig {
        eps: 0.05,
        n: Some(8),
        seed: 7,
        grow: false,
        ..Default::default()
    };
    let opts = RunOptions {
        literal_sample: 4,
        ..Default::default()
    };
    let mut run = PruneRun::new(&net, "rotmnist-c8", &cfg, &opts, labels).unwrap();
    let solver = CpuSolver::new();
    let cpu = CpuForward::new();
    loop {
        match run.next_work().unwrap() {
            Work::Solve(b) => {
                run.submit(b.id, &solved_subsets(&solver, &b).unwrap())
                    .unwrap();
            }
            Work::Verify(r) => {
                let x = images.slice(s![r.start..r.end, .., .., ..]);
                let yt = cpu
                    .prepare_cpu(run.target())
                    .unwrap()
                    .logits_flat(x)
                    .unwrap();
                let ticket = run.ticket().unwrap();
                let yk = cpu.prepare_cpu(ticket).unwrap().logits_flat(x).unwrap();
                run.submit_logits(r.id, &yt, &yk).unwrap();
            }
            Work::Literal(r) => {
                let x = images.slice(s![..r.count, .., .., ..]);
                let target = run.rebalanced().network.clone();
                let ticket = run.ticket().unwrap().clone();
                let right: Vec<(SourceLayer, LayerMask)> = run
                    .literal_layers()
                    .unwrap()
                    .into_iter()
                    .map(|(s, m)| (s.clone(), m.clone()))
                    .collect();
                let check = |layers: &[(SourceLayer, LayerMask)]| {
                    let refs: Vec<_> = layers.iter().map(|(s, m)| (s, m)).collect();
                    literal_check_logits(&target, &refs, &ticket, x, &cpu).unwrap()
                };
                let (yl, yk) = check(&right);
                let ok = LiteralCheck::from_logits(r.count, &yl, &yk).unwrap();
                assert!(ok.max_rel_diff <= LITERAL_TOLERANCE, "{ok:?}");
                // Drop the kept weight of the last layer with the largest |u|.
                let mut wrong = right.clone();
                let (source, mask) = wrong.last_mut().unwrap();
                let kept = (0..source.u.len())
                    .filter(|&i| mask.u_keep[i])
                    .max_by(|&a, &b| source.u[a].abs().total_cmp(&source.u[b].abs()))
                    .unwrap();
                mask.u_keep[kept] = false;
                let (yl, yk) = check(&wrong);
                match run.submit_literal(r.id, &yl, &yk) {
                    Err(Error::Model(why)) => assert!(why.contains("disagree"), "{why}"),
                    other => panic!("a wrong mask passed the literal check: {other:?}"),
                }
                break;
            }
            Work::Wait | Work::Done => panic!("the run ended before its literal check"),
        }
    }
}
