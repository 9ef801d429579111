//! The random source's own accuracy (`source_accuracy` in the report): the
//! unpruned source collapsed with every candidate kept equals the literal
//! source network (2L layers, c_in·2n fields each, every weight) on real
//! rows — images (dead negative pools) and the karate club (a live one) —
//! and the run's figure is that network's accuracy; the verify protocol
//! takes the source's logits for every slice or for none.

mod slt_common;

use slt_common::solved_subsets;
use std::path::Path;

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::nn::graph::{graph_model, tasks, GraphNetwork};
use eslt::nn::{model, Network};
use eslt::slt::graph_inputs::GraphRows;
use eslt::slt::source_network::{literal_source_network, source_betas};
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::target::{LinearLayer, TargetNetwork};
use eslt::slt::ticket::{collapsed_network, Betas};
use eslt::slt::verify::{literal_check, logits, LiteralCheck};
use eslt::slt::{
    drive, prune_network, Eval, EvalSet, PruneConfig, PruneOutcome, PruneRun, RunHooks, RunOptions,
    VerifyInputs, VerifyLogits, Work,
};
use ndarray::{s, Array4};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn hooks() -> RunHooks<'static> {
    RunHooks {
        now: &|| 0.0,
        on_event: Box::leak(Box::new(|_: eslt::slt::Event| {})),
        cancel: &|| false,
    }
}

fn test_digits(count: usize) -> (Array4<f32>, Vec<u8>) {
    let path = root().join("target/data/mnist-t10k.digits");
    let digits = Digits::load(&path)
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    let idx: Vec<usize> = (0..count).collect();
    let px = rotated_images(&digits, &idx, &test_angles(count));
    (
        Array4::from_shape_vec((count, 1, digits.rows, digits.cols), px).unwrap(),
        digits.labels[..count].to_vec(),
    )
}

/// The unpruned source of a finished run: collapsed and literal.
fn source_networks<N: TargetNetwork>(out: &PruneOutcome<N>) -> (N, N, Vec<Betas>) {
    let layers = out.rebalanced.network.linear_layers();
    let betas: Vec<Betas> = layers
        .iter()
        .zip(&out.pruned)
        .map(|(l, p)| source_betas(*l, &p.source, p.beta_neg.is_some()).unwrap())
        .collect();
    let collapsed = collapsed_network(&out.rebalanced.network, &betas).unwrap();
    let sources: Vec<_> = out.pruned.iter().map(|p| p.source.clone()).collect();
    let literal = literal_source_network(&out.rebalanced.network, &sources).unwrap();
    (collapsed, literal, betas)
}

fn accuracy(logits: &[f32], labels: &[u8]) -> f64 {
    let classes = logits.len() / labels.len();
    let right = logits
        .chunks_exact(classes)
        .zip(labels)
        .filter(|(row, &l)| {
            let best = row
                .iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                )
                .0;
            best == usize::from(l)
        })
        .count();
    right as f64 / labels.len() as f64
}

/// Every β is the full subset sum of its pool: Σ_j u·|v| (f64, then f32).
fn check_betas<L: LinearLayer>(layer: &L, p: &eslt::slt::prune::PrunedLayer, b: &Betas) {
    let s = &p.source;
    let k = s.k;
    for (idx, &beta) in b.pos.iter().enumerate().step_by(97) {
        let (o, i, kk) = (idx / (s.c_in * k), idx / k % s.c_in, idx % k);
        let sum: f64 = (0..s.n)
            .map(|j| f64::from(s.u[s.u_index(o, i, j, kk)]) * f64::from(s.v[s.v_index(i, j)]))
            .sum();
        assert!(
            (f64::from(beta) - sum).abs() <= 1e-5 * sum.abs().max(1.0),
            "β⁺ {idx}"
        );
    }
    assert_eq!(b.pos.len(), layer.coef().len());
}

#[test]
fn image_source_collapses_exactly_and_its_accuracy_is_reported() {
    let (net, meta) = model::load(&root().join("www/models/rotmnist-c8.json")).unwrap();
    let (x, labels) = test_digits(200);
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 4,
        ..Default::default()
    };
    let out = prune_network(
        &net,
        &meta.task,
        &cfg,
        &CpuSolver::new(),
        Some(EvalSet {
            images: x.view(),
            labels: &labels,
            literal_sample: 0,
        }),
        hooks(),
    )
    .unwrap();
    let (collapsed, literal, betas): (Network, Network, _) = source_networks(&out);
    // Pixels and ReLU outputs: every pool of σ(−x) is dead.
    assert!(betas.iter().all(|b| b.neg.is_none()));
    for ((l, p), b) in net.linear_layers().iter().zip(&out.pruned).zip(&betas) {
        check_betas(*l, p, b);
    }
    let chk = literal_check(&literal, &collapsed, x.slice(s![..4, .., .., ..])).unwrap();
    eprintln!(
        "c8: literal vs collapsed source, max rel diff {:.2e}",
        chk.max_rel_diff
    );
    assert!(chk.max_rel_diff <= 1e-5, "{chk:?}");

    let y = logits(&collapsed, x.view()).unwrap();
    let acc = accuracy(y.as_slice().unwrap(), &labels);
    let r = &out.report;
    assert_eq!(r.source_accuracy, Some(acc));
    eprintln!(
        "c8 on {} digits: source {acc:.3}, target {:.3}, ticket {:.3}",
        labels.len(),
        r.target_accuracy,
        r.ticket_accuracy
    );
    // Nothing is trained: a random network is near chance (10 classes); a
    // source that were the ticket would not be.
    assert!(
        acc < 0.5 && r.ticket_accuracy > 0.9,
        "{acc} {}",
        r.ticket_accuracy
    );
}

fn karate() -> (
    GraphNetwork,
    PruneConfig,
    Vec<eslt::nn::graph::GraphExample>,
) {
    let (net, meta) = graph_model::load(&root().join("www/models/karate-mpgnn.json")).unwrap();
    let task = tasks::task(&meta.task).unwrap();
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 4,
        input_nonnegative: !task.input.can_be_negative(),
        ..Default::default()
    };
    (net, cfg, task.test_examples())
}

#[test]
fn graph_source_with_a_live_negative_pool_collapses_exactly() {
    let (net, cfg, tests) = karate();
    let rows = GraphRows::new(&tests);
    let labels = rows.labels();
    let out = drive(
        &net,
        "karate-mpgnn",
        &cfg,
        &RunOptions::default(),
        &CpuSolver::new(),
        Some(Eval {
            inputs: &rows,
            labels: &labels,
            literal_sample: 0,
            target_logits: None,
        }),
        hooks(),
    )
    .unwrap();
    let (collapsed, literal, betas) = source_networks(&out);
    // Karate's input features can be negative: the first layer's σ(−x)
    // pool lives, and β⁻ = Σ_{j ≥ n} u·|v| carries it.
    assert!(betas[0].neg.is_some());
    let n = labels.len();
    let yc = rows.prepare(&collapsed).unwrap().logits(0..n).unwrap();
    let yl = rows.prepare(&literal).unwrap().logits(0..n).unwrap();
    let chk = LiteralCheck::from_logits(n, &yl, &yc).unwrap();
    eprintln!(
        "karate: literal vs collapsed source, max rel diff {:.2e}",
        chk.max_rel_diff
    );
    assert!(chk.max_rel_diff <= 1e-5, "{chk:?}");
    let acc = accuracy(&yc, &labels);
    assert_eq!(out.report.source_accuracy, Some(acc));
    eprintln!(
        "karate on {n} members: source {acc:.3}, target {:.3}, ticket {:.3}",
        out.report.target_accuracy, out.report.ticket_accuracy
    );
}

/// A karate run driven by hand; `with_source(k)` says whether verify
/// request k gets the source's logits.
fn hand_driven(with_source: impl Fn(usize) -> bool) -> eslt::Result<Option<f64>> {
    let (net, cfg, tests) = karate();
    let rows = GraphRows::new(&tests);
    let labels = rows.labels();
    let opts = RunOptions {
        verify_slice: 8,
        literal_sample: 0,
        ..Default::default()
    };
    let mut run = PruneRun::new(&net, "karate-mpgnn", &cfg, &opts, labels)?;
    let solver = CpuSolver::new();
    let mut verified = 0;
    loop {
        match run.next_work()? {
            Work::Solve(b) => {
                run.submit(b.id, &solved_subsets(&solver, &b)?)?;
            }
            Work::Verify(r) => {
                let range = r.start..r.end;
                let yt = rows.prepare(run.target())?.logits(range.clone())?;
                let yk = rows.prepare(run.ticket().unwrap())?.logits(range.clone())?;
                let ys = rows.prepare(&run.source_network()?)?.logits(range)?;
                let source = with_source(verified).then_some(&ys[..]);
                verified += 1;
                run.submit_verify(
                    r.id,
                    VerifyLogits {
                        target: &yt,
                        ticket: &yk,
                        source,
                    },
                )?;
            }
            Work::Literal(_) | Work::Wait => unreachable!("no literal check, nothing outstanding"),
            Work::Done => break,
        }
    }
    Ok(run.finish(Default::default())?.report.source_accuracy)
}

#[test]
fn the_source_comes_with_every_verify_slice_or_none() {
    let all = hand_driven(|_| true).unwrap();
    assert!(all.is_some());
    assert_eq!(hand_driven(|_| false).unwrap(), None);
    let err = hand_driven(|k| k == 0).unwrap_err().to_string();
    assert!(err.contains("every verify request or with none"), "{err}");
    let err = hand_driven(|k| k == 1).unwrap_err().to_string();
    assert!(err.contains("every verify request or with none"), "{err}");
}

/// A karate run to the end without verification; the source's β before
/// any problem was solved and after the last.
fn source_before_and_after(cfg: &PruneConfig) -> (Vec<Betas>, Vec<Betas>, Vec<(usize, usize)>) {
    let (net, _, _) = karate();
    let mut run = PruneRun::new(
        &net,
        "karate-mpgnn",
        cfg,
        &RunOptions::default(),
        Vec::new(),
    )
    .unwrap();
    let before = run.source_betas().unwrap();
    let solver = CpuSolver::new();
    loop {
        match run.next_work().unwrap() {
            Work::Solve(b) => {
                run.submit(b.id, &solved_subsets(&solver, &b).unwrap())
                    .unwrap();
            }
            Work::Done => break,
            _ => unreachable!("no verification"),
        }
    }
    let after = run.source_betas().unwrap();
    let report = run.finish(Default::default()).unwrap().report;
    let n = report.layers.iter().map(|l| (l.n_initial, l.n)).collect();
    (before, after, n)
}

fn bits(b: &Betas) -> (Vec<u32>, Option<Vec<u32>>) {
    let f = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    (f(&b.pos), b.neg.as_deref().map(f))
}

/// The page evaluates the source before the run is solved: the source a
/// fresh run reports is the one it verifies, unless a layer grows (then
/// that layer's, and only that layer's, is redrawn).
#[test]
fn the_source_is_known_before_solving_unless_a_layer_grows() {
    let (_, cfg, _) = karate();
    let (before, after, n) = source_before_and_after(&cfg);
    assert_eq!(before.len(), after.len());
    let (mut same, mut grown) = (0, 0);
    for ((b, a), (n0, n1)) in before.iter().zip(&after).zip(&n) {
        if n0 == n1 {
            same += 1;
            assert_eq!(bits(b), bits(a), "layer kept n = {n0}");
        } else {
            grown += 1;
            assert_ne!(bits(b), bits(a), "layer grew {n0} → {n1}");
        }
    }
    // Seed 4 grows some layers and not others: both cases are checked.
    assert!(same > 0 && grown > 0, "{n:?}");
    assert!(
        before[0].neg.is_some(),
        "the live pool's β⁻ is known before solving too"
    );
}
