//! Pruning a model of either kind: [`prune_model`] picks the network and
//! its verification rows from the [`Model`] and [`TestRows`] and runs the
//! one driver ([`drive`]); [`ModelOutcome`] answers for both kinds what a
//! caller prints or saves (the report, the ticket file).

use crate::nn::graph::GraphNetwork;
use crate::nn::{ForwardBackend, Model, Network};
use crate::slt::config::PruneConfig;
use crate::slt::driver::{drive, Eval, RunHooks, VerifyInputs};
use crate::slt::report::PruneReport;
use crate::slt::run::{PruneOutcome, RunOptions};
use crate::slt::subset_sum::BatchSolver;
use crate::slt::test_rows::TestRows;
use crate::slt::ticket_file::TicketFile;
use crate::{Error, Result};

/// The products of pruning a model, of its kind.
pub enum ModelOutcome {
    Image(PruneOutcome<Network>),
    Graph(PruneOutcome<GraphNetwork>),
}

impl ModelOutcome {
    pub fn report(&self) -> &PruneReport {
        match self {
            ModelOutcome::Image(o) => &o.report,
            ModelOutcome::Graph(o) => &o.report,
        }
    }

    /// The ticket file of this run (configuration `cfg`), pruned from the
    /// model file `model_name` whose bytes hash to `model_sha256`.
    pub fn ticket_file(
        &self,
        cfg: &PruneConfig,
        model_name: &str,
        model_sha256: &str,
    ) -> Result<TicketFile> {
        match self {
            ModelOutcome::Image(o) => TicketFile::new(o, cfg, model_name, model_sha256),
            ModelOutcome::Graph(o) => TicketFile::new(o, cfg, model_name, model_sha256),
        }
    }
}

/// Prunes the random source of `model`'s network into a ticket within
/// `cfg.eps`, solving with `solver` and verifying on `tests` (images
/// through `forward`; `literal_sample` rows also through the literal
/// network). `tests` must be `model`'s kind.
#[allow(clippy::too_many_arguments)]
pub fn prune_model(
    model: &Model,
    cfg: &PruneConfig,
    opts: &RunOptions,
    solver: &dyn BatchSolver,
    forward: &dyn ForwardBackend,
    tests: Option<&TestRows>,
    literal_sample: usize,
    hooks: RunHooks<'_>,
) -> Result<ModelOutcome> {
    let task = model.task();
    match model {
        Model::Image { net, .. } => {
            let rows = tests.map(|t| t.image_rows(forward).ok_or_else(kind_mismatch));
            let rows = rows.transpose()?;
            let labels = rows.as_ref().map(|r| r.labels()).unwrap_or_default();
            let eval = rows.as_ref().map(|r| Eval {
                inputs: r as &dyn VerifyInputs<Network>,
                labels: &labels,
                literal_sample,
                target_logits: None,
            });
            drive(net, task, cfg, opts, solver, eval, hooks).map(ModelOutcome::Image)
        }
        Model::Graph { net, .. } => {
            let rows = tests.map(|t| t.graph_rows().ok_or_else(kind_mismatch));
            let rows = rows.transpose()?;
            let labels = rows.as_ref().map(|r| r.labels()).unwrap_or_default();
            let eval = rows.as_ref().map(|r| Eval {
                inputs: r as &dyn VerifyInputs<GraphNetwork>,
                labels: &labels,
                literal_sample,
                target_logits: None,
            });
            drive(net, task, cfg, opts, solver, eval, hooks).map(ModelOutcome::Graph)
        }
    }
}

fn kind_mismatch() -> Error {
    Error::InvalidArgument("the test rows are not of the model's kind".into())
}
