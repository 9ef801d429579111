//! What differs between an image run and a graph run in the page's
//! coordinator ([`super::WebRun`]): the test rows, how a network (and the
//! literal check, streamed for images) is evaluated on them in this worker,
//! and who verifies. Everything else —
//! the run, its work, its views — is written once over [`PageInputs`].

use std::ops::Range;

use crate::data::rotated_mnist::test_images;
use crate::data::Digits;
use crate::nn::graph::tasks::GraphTask;
use crate::nn::graph::{GraphExample, GraphNetwork};
use crate::nn::{CpuForward, Network, PreparedForward};
use crate::slt::driver::VerifyInputs;
use crate::slt::graph_inputs::GraphRows;
use crate::slt::literal_forward::literal_check_logits;
use crate::slt::memory::{self, MemoryEstimate};
use crate::slt::target::TargetNetwork;
use crate::slt::PruneRun;
use crate::{Error, Result};

/// The test rows of one kind of network, as the page's run uses them.
pub(crate) trait PageInputs {
    type Net: TargetNetwork;
    /// Whether verify slices go to the solver workers (which then hold the
    /// model and the ticket) rather than being evaluated here.
    const SOLVERS_VERIFY: bool;

    /// Logits of `net` on test rows `rows`, row-major.
    fn logits(&self, net: &Self::Net, rows: Range<usize>) -> Result<Vec<f32>>;

    /// The literal check on test rows `rows`: logits of the literal masked
    /// source network and of the ticket (by default both built whole).
    fn literal_check(
        &self,
        run: &PruneRun<Self::Net>,
        rows: Range<usize>,
    ) -> Result<(Vec<f32>, Vec<f32>)> {
        let ticket = run.pruned_ticket()?;
        let literal = self.logits(&run.literal_network()?, rows.clone())?;
        Ok((literal, self.logits(ticket, rows)?))
    }

    /// Err when `run` may need more memory than allowed; `when` says at
    /// which point of the run.
    fn check_memory(&self, _run: &PruneRun<Self::Net>, _when: &str) -> Result<()> {
        Ok(())
    }
}

/// Rotated test digits (the image tasks), and the run's memory budget.
pub(crate) struct ImageTests {
    pub digits: Digits,
    /// Test digits verified on (the first of `digits`).
    pub rows: usize,
    /// Bytes the run may hold at its peak (from `memoryBudgetMib`).
    pub budget: Option<u64>,
}

impl ImageTests {
    /// The run's estimated peak memory at its current n per layer.
    pub fn estimate(run: &PruneRun<Network>) -> Result<MemoryEstimate> {
        memory::estimate(
            run.target(),
            &run.n_per_layer(),
            run.options().literal_sample,
            &CpuForward::new(),
        )
    }
}

impl PageInputs for ImageTests {
    type Net = Network;
    // Image networks are large: the solver workers verify, each with an
    // `Evaluator` (or its WebGPU twin) of the model.
    const SOLVERS_VERIFY: bool = true;

    fn logits(&self, net: &Network, rows: Range<usize>) -> Result<Vec<f32>> {
        let images = test_images(&self.digits, rows.start, rows.end)?;
        CpuForward::new()
            .prepare_cpu(net)?
            .logits_flat(images.view())
    }

    /// Streamed (see [`literal_check_logits`]).
    fn literal_check(
        &self,
        run: &PruneRun<Network>,
        rows: Range<usize>,
    ) -> Result<(Vec<f32>, Vec<f32>)> {
        let ticket = run.pruned_ticket()?;
        let images = test_images(&self.digits, rows.start, rows.end)?;
        literal_check_logits(
            &run.rebalanced().network,
            &run.literal_layers()?,
            ticket,
            images.view(),
            &CpuForward::new(),
        )
    }

    fn check_memory(&self, run: &PruneRun<Network>, when: &str) -> Result<()> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let e = Self::estimate(run)?;
        if e.total <= budget {
            return Ok(());
        }
        let mib = |b: u64| (b as f64 / 1048576.0).ceil();
        let n: Vec<String> = run.n_per_layer().iter().map(|n| n.to_string()).collect();
        Err(Error::InvalidArgument(format!(
            "this run{when} needs about {} MiB of WebAssembly memory (literal check {} MiB, \
             source {} MiB, verification {} MiB; n per layer {}), over the budget of {} MiB \
             per worker: choose a larger ε or a smaller n",
            mib(e.total),
            mib(e.literal_check),
            mib(e.source),
            mib(e.verification),
            n.join("/"),
            mib(budget)
        )))
    }
}

/// The test examples of a graph or set task, regenerated from the task
/// table's seeds (no data file).
pub(crate) struct GraphTests {
    pub task: GraphTask,
    pub examples: Vec<GraphExample>,
}

impl GraphTests {
    /// The first `count` test examples of `task` (all of them if it has fewer).
    pub fn new(task: GraphTask, count: usize) -> Self {
        let mut examples = task.test_examples();
        examples.truncate(count);
        GraphTests { task, examples }
    }
}

impl PageInputs for GraphTests {
    type Net = GraphNetwork;
    // Graph networks are small: verifying here costs less than sending
    // the model to every solver.
    const SOLVERS_VERIFY: bool = false;

    fn logits(&self, net: &GraphNetwork, rows: Range<usize>) -> Result<Vec<f32>> {
        GraphRows::new(&self.examples).prepare(net)?.logits(rows)
    }
}
