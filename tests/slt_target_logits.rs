//! Known target logits ([`Eval::target_logits`], what `eslt sweep` and
//! the page compute once per target) change nothing: the run gives the
//! report it gives when it evaluates the target itself — and they are
//! really used (wrong ones change the report; too few are an error).

use std::path::Path;

use eslt::nn::graph::{graph_model, tasks};
use eslt::slt::driver::target_logits;
use eslt::slt::graph_inputs::GraphRows;
use eslt::slt::report::PruneReport;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::{drive, Eval, PruneConfig, RunHooks, RunOptions};

fn hooks() -> RunHooks<'static> {
    RunHooks {
        now: &|| 0.0,
        on_event: Box::leak(Box::new(|_: eslt::slt::Event| {})),
        cancel: &|| false,
    }
}

/// The karate club pruned at ε = 0.01, seed 4, verified on every member in
/// slices of 8, with `known` as the target's logits.
fn karate_run(known: Option<&[f32]>) -> eslt::Result<PruneReport> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (net, meta) = graph_model::load(&root.join("www/models/karate-mpgnn.json"))?;
    let task = tasks::task(&meta.task)?;
    let tests = task.test_examples();
    let rows = GraphRows::new(&tests);
    let labels = rows.labels();
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 4,
        input_nonnegative: !task.input.can_be_negative(),
        ..Default::default()
    };
    let opts = RunOptions {
        verify_slice: 8,
        ..Default::default()
    };
    let eval = Eval {
        inputs: &rows,
        labels: &labels,
        literal_sample: 4,
        target_logits: known,
    };
    let out = drive(
        &net,
        "karate-mpgnn",
        &cfg,
        &opts,
        &CpuSolver::new(),
        Some(eval),
        hooks(),
    )?;
    Ok(out.report)
}

fn karate_target_logits() -> Vec<f32> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (net, meta) = graph_model::load(&root.join("www/models/karate-mpgnn.json")).unwrap();
    let tests = tasks::task(&meta.task).unwrap().test_examples();
    let rows = GraphRows::new(&tests);
    let n = rows.labels().len();
    target_logits(&rows, &net, n).unwrap()
}

#[test]
fn known_target_logits_give_the_same_report() {
    let own = karate_run(None).unwrap();
    let known = karate_target_logits();
    let given = karate_run(Some(&known)).unwrap();
    assert_eq!(given.mask_digest, own.mask_digest);
    assert_eq!(given.target_accuracy, own.target_accuracy);
    assert_eq!(given.ticket_accuracy, own.ticket_accuracy);
    assert_eq!(given.source_accuracy, own.source_accuracy);
    assert_eq!(given.agreement, own.agreement);
    assert_eq!(given.max_logit_error, own.max_logit_error);
}

#[test]
fn known_target_logits_are_used() {
    let own = karate_run(None).unwrap();
    // Every row's logits favour class 0: the target's accuracy becomes the
    // share of class 0, and the ticket no longer agrees with it everywhere.
    let mut wrong = karate_target_logits();
    let rows = own.test_digits;
    let classes = wrong.len() / rows;
    for (i, v) in wrong.iter_mut().enumerate() {
        *v = if i % classes == 0 { 10.0 } else { -10.0 };
    }
    let given = karate_run(Some(&wrong)).unwrap();
    assert_eq!(
        given.mask_digest, own.mask_digest,
        "the mask never depends on it"
    );
    assert_ne!(given.max_logit_error, own.max_logit_error);
    // Too few rows: a clear error, not a panic.
    let short = karate_target_logits();
    let err = karate_run(Some(&short[..short.len() / 2])).unwrap_err();
    assert!(err.to_string().contains("target logits"), "{err}");
}
