//! The run as a state machine: the mask and the comparison depend only on
//! the seed and the target — not on batch sizes, the order results come
//! back in, or the solver's thread count — and bad submissions are typed
//! errors.

mod slt_common;

use eslt::nn::{model, Network};
use eslt::slt::subset_sum::{BatchSolver, CpuSolver};
use eslt::slt::ticket::{collapsed_network, decode_betas, encode_betas};
use eslt::slt::{
    prune_network, prune_network_with, Event, PruneConfig, PruneRun, RunHooks, RunOptions, Timing,
    Work,
};
use eslt::Error;
use ndarray::Array4;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use slt_common::solved_subsets;

const C8: &str = include_str!("../www/models/rotmnist-c8.json");

fn c8() -> Network {
    model::from_json(C8).expect("shipped model loads").0
}

/// n = 6 misses ε = 0.01 everywhere: every layer grows at least once.
fn growing() -> PruneConfig {
    PruneConfig {
        eps: 0.01,
        n: Some(6),
        seed: 3,
        ..Default::default()
    }
}

fn hooks<'a>(now: &'a dyn Fn() -> f64, on_event: &'a mut dyn FnMut(Event)) -> RunHooks<'a> {
    RunHooks {
        now,
        on_event,
        cancel: &|| false,
    }
}

fn digest_with(
    net: &Network,
    cfg: &PruneConfig,
    opts: &RunOptions,
    solver: &dyn BatchSolver,
) -> String {
    let mut events = Vec::new();
    let out = prune_network_with(
        net,
        "rotmnist-c8",
        cfg,
        opts,
        solver,
        None,
        hooks(&|| 0.0, &mut |e| events.push(e)),
    )
    .expect("run completes");
    assert!(
        events.iter().any(|e| matches!(e, Event::LayerGrown { .. })),
        "the configuration is meant to grow"
    );
    assert!(matches!(events.last(), Some(Event::Done)));
    out.report.mask_digest
}

#[test]
fn same_mask_for_any_batch_size_and_thread_count() {
    let net = c8();
    let cfg = growing();
    let one = CpuSolver::with_threads(1).unwrap();
    let two = CpuSolver::with_threads(2).unwrap();
    let reference = digest_with(&net, &cfg, &RunOptions::default(), &one);
    for batch in [1, 7, 1000, 1 << 20] {
        let opts = RunOptions {
            batch_problems: batch,
            ..Default::default()
        };
        for solver in [&one, &two] {
            assert_eq!(
                digest_with(&net, &cfg, &opts, solver),
                reference,
                "batch {batch}, {} threads",
                solver.threads()
            );
        }
    }
}

/// Determinism under load: runs with 1, 3 and 8 solver threads, all at the
/// same time (so they compete for the cores), give the mask of a run alone.
#[test]
fn same_mask_while_other_runs_compete_for_the_cores() {
    let net = c8();
    let cfg = growing();
    let alone = digest_with(
        &net,
        &cfg,
        &RunOptions::default(),
        &CpuSolver::with_threads(1).unwrap(),
    );
    let digests: Vec<(usize, String)> = std::thread::scope(|scope| {
        let runs: Vec<_> = [1usize, 3, 8]
            .into_iter()
            .map(|threads| {
                let (net, cfg) = (&net, &cfg);
                scope.spawn(move || {
                    let solver = CpuSolver::with_threads(threads).unwrap();
                    let opts = RunOptions {
                        batch_problems: 64 * threads,
                        ..Default::default()
                    };
                    (threads, digest_with(net, cfg, &opts, &solver))
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("run thread"))
            .collect()
    });
    for (threads, digest) in digests {
        assert_eq!(
            digest, alone,
            "{threads} threads, concurrently with the others"
        );
    }
}

/// Drives a run by hand: takes every batch on offer before answering, then
/// answers them in reverse order (as a pool of workers might).
fn drive_out_of_order(net: &Network, cfg: &PruneConfig, batch: usize) -> (String, Vec<Event>) {
    let opts = RunOptions {
        batch_problems: batch,
        ..Default::default()
    };
    let mut run = PruneRun::new(net, "rotmnist-c8", cfg, &opts, Vec::new()).unwrap();
    let solver = CpuSolver::with_threads(1).unwrap();
    let mut events = Vec::new();
    let mut last_progress = 0.0;
    loop {
        let mut taken = Vec::new();
        let done = loop {
            match run.next_work().unwrap() {
                Work::Solve(b) => taken.push(b),
                Work::Wait => break false,
                Work::Done => break true,
                w => panic!("no verification was asked for: {w:?}"),
            }
        };
        if done {
            break;
        }
        assert!(!taken.is_empty(), "the run waits with nothing outstanding");
        for b in taken.into_iter().rev() {
            let subsets = solved_subsets(&solver, &b).unwrap();
            run.submit(b.id, &subsets).unwrap();
            // Submitting twice is refused.
            assert!(matches!(
                run.submit(b.id, &subsets),
                Err(Error::InvalidArgument(_))
            ));
        }
        let p = run.progress();
        assert!((0.0..=1.0).contains(&p));
        last_progress = p;
        events.extend(run.drain_events());
    }
    assert_eq!(last_progress, 1.0);
    events.extend(run.drain_events());
    let out = run.finish(Timing::default()).unwrap();
    (out.report.mask_digest, events)
}

#[test]
fn out_of_order_answers_give_the_same_mask() {
    let net = c8();
    let cfg = growing();
    let reference = digest_with(&net, &cfg, &RunOptions::default(), &CpuSolver::new());
    let (digest, events) = drive_out_of_order(&net, &cfg, 500);
    assert_eq!(digest, reference);
    // Every layer started, and every layer was reported done exactly once.
    let layers = net.layers().count();
    for l in 0..layers {
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::LayerStart { layer, .. } if *layer == l)));
        let done = events
            .iter()
            .filter(|e| matches!(e, Event::LayerDone { report } if report.index == l))
            .count();
        assert_eq!(done, 1, "layer {l}");
    }
}

#[test]
fn bad_submissions_are_typed_errors() {
    let net = c8();
    let cfg = PruneConfig {
        n: Some(8),
        grow: false,
        ..Default::default()
    };
    let mut run = PruneRun::new(
        &net,
        "rotmnist-c8",
        &cfg,
        &RunOptions::default(),
        vec![1, 2],
    )
    .unwrap();
    assert!(run.submit(12345, &[0]).is_err(), "unknown id");
    let Work::Solve(b) = run.next_work().unwrap() else {
        panic!("first work is a solve batch")
    };
    assert!(run.submit(b.id, &[0]).is_err(), "wrong length");
    let too_wide = vec![1u32 << 8; b.problems.len()];
    assert!(run.submit(b.id, &too_wide).is_err(), "subset beyond n");
    assert!(
        run.submit_logits(b.id, &[0.0], &[0.0]).is_err(),
        "not a verify request"
    );
    assert!(run.finish(Timing::default()).is_err(), "not finished");
    // After the refusals the batch is still outstanding and can be answered.
    run.submit(b.id, &vec![0u32; b.problems.len()]).unwrap();
    assert!(PruneRun::new(
        &net,
        "x",
        &PruneConfig {
            eps: 2.0,
            ..Default::default()
        },
        &RunOptions::default(),
        Vec::new()
    )
    .is_err());
    let zero = RunOptions {
        batch_problems: 0,
        ..Default::default()
    };
    assert!(PruneRun::new(&net, "x", &cfg, &zero, Vec::new()).is_err());
}

/// Verification in slices of any size gives the same comparison and
/// predictions (random inputs: what matters is the split, not the data).
#[test]
fn verification_does_not_depend_on_the_slices() {
    let net = c8();
    let (c, h, w) = net.input_shape;
    let count = 60;
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let images = Array4::from_shape_fn((count, c, h, w), |_| rng.random_range(0.0f32..1.0));
    let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
    let cfg = PruneConfig {
        n: Some(10),
        grow: false,
        ..Default::default()
    };
    let run = |slice: usize| {
        let opts = RunOptions {
            verify_slice: slice,
            literal_sample: 2,
            ..Default::default()
        };
        prune_network_with(
            &net,
            "rotmnist-c8",
            &cfg,
            &opts,
            &CpuSolver::new(),
            Some(eslt::slt::EvalSet {
                images: images.view(),
                labels: &labels,
                literal_sample: 2,
            }),
            hooks(&|| 0.0, &mut |_| {}),
        )
        .unwrap()
    };
    let a = run(60);
    for slice in [1, 7, 25] {
        let b = run(slice);
        assert_eq!(a.report.mask_digest, b.report.mask_digest);
        assert_eq!(a.report.target_accuracy, b.report.target_accuracy);
        assert_eq!(a.report.ticket_accuracy, b.report.ticket_accuracy);
        assert_eq!(a.report.agreement, b.report.agreement);
        assert_eq!(a.report.max_logit_error, b.report.max_logit_error);
        assert_eq!(a.target_predictions, b.target_predictions);
        assert_eq!(a.ticket_predictions, b.ticket_predictions);
    }
    assert_eq!(a.target_predictions.len(), count);
    assert!(a.report.literal_check.rows == 2);
    assert!(a.report.literal_check.max_rel_diff <= 1e-5);
}

#[test]
fn ticket_from_betas_alone_equals_the_collapsed_ticket() {
    let net = c8();
    let cfg = PruneConfig {
        n: Some(8),
        grow: false,
        ..Default::default()
    };
    let out = prune_network(
        &net,
        "rotmnist-c8",
        &cfg,
        &CpuSolver::new(),
        None,
        hooks(&|| 0.0, &mut |_| {}),
    )
    .unwrap();
    let betas: Vec<_> = out
        .pruned
        .iter()
        .map(|p| eslt::slt::ticket::Betas {
            pos: p.beta_pos.clone(),
            neg: p.beta_neg.clone(),
        })
        .collect();
    let bytes = encode_betas(&betas);
    assert_eq!(decode_betas(&bytes).unwrap(), betas);
    let rebuilt = collapsed_network(&out.rebalanced.network, &betas).unwrap();
    assert_eq!(
        rebuilt,
        collapsed_network(&out.rebalanced.network, &out.pruned).unwrap()
    );
    assert_eq!(rebuilt, out.ticket);
    // Truncated, padded or inflated blobs are refused without panicking.
    assert!(decode_betas(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode_betas(&longer).is_err());
    let mut huge = bytes.clone();
    huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(decode_betas(&huge).is_err());
    assert!(decode_betas(&[]).is_err());
    let mut wrong_layer = betas.clone();
    wrong_layer[0].pos.pop();
    assert!(collapsed_network(&out.rebalanced.network, &wrong_layer).is_err());
}
