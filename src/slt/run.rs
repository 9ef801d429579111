//! One pruning run as a state machine that never solves, evaluates or
//! waits by itself.
//!
//! The driver — the CLI with rayon or a blocking GPU, the page with a pool
//! of Web Workers and async WebGPU — asks for work and hands back results:
//!
//! ```text
//! let mut run = PruneRun::new(&target, task, &cfg, &opts, labels)?;
//! loop {
//!     match run.next_work()? {
//!         Work::Solve(b)   => run.submit(b.id, &subsets_of(&b.problems))?, // any order
//!         Work::Verify(r)  => run.submit_logits(r.id, &target_logits, &ticket_logits)?,
//!         Work::Literal(r) => run.submit_literal(r.id, &literal_logits, &ticket_logits)?,
//!         Work::Wait       => { /* results still out: wait for one */ }
//!         Work::Done       => break,
//!     }
//!     for e in run.drain_events() { show(e) }
//! }
//! let outcome = run.finish(timing)?;
//! ```
//!
//! A verify request may also be answered with the unpruned random source's
//! logits on the same inputs ([`PruneRun::submit_verify`], the network from
//! [`PruneRun::source_network`] or its β from [`PruneRun::source_betas`]):
//! the report then carries the source's own accuracy. A driver gives them
//! for every slice or for none ([`PruneRun::submit_logits`]); with none,
//! `source_accuracy` is null.
//!
//! Every layer's problems are known from the start (the source is drawn per
//! layer from the seed, α is the target's), so batches of any layer can be
//! out at once, solved anywhere, in any order. A layer is judged only once
//! all its solutions are in: if its worst error exceeds ε it is redrawn with
//! a larger n (growth stays in here), otherwise it is pruned. The mask is a
//! function of the seed and the target only — the same for any batch size,
//! worker count or backend. Cancelling is the driver's business: it stops
//! asking. The run has no clock; the driver reports the times at the end.
//!
//! Events ([`Event`]: layer start, progress, grown, done, verify progress,
//! literal check, done) come out of [`PruneRun::drain_events`] for the
//! driver to show. The CLI drives a run through [`crate::slt::driver`]
//! (rayon, or a blocking GPU); the page through the wasm `WebRun` in its
//! coordinator worker, with solver workers answering the batches.
//! `tests/slt_run.rs` checks that the mask is the same for batch sizes 1, 7,
//! 1,000 and 2^20, for 1 and 2 solver threads, with answers in reverse order
//! and verify slices of 1, 7, 25 and 60 digits; `tests/web_run.rs` does the
//! same in Chromium against the native CLI's mask.

use std::collections::{BTreeMap, VecDeque};

use crate::nn::Network;
use crate::slt::coefficient::{CoefficientId, CoefficientLayout};
use crate::slt::config::{n_from_bound, PruneConfig};
use crate::slt::mask::LayerMask;
use crate::slt::prune::{layer_problems, PrunedLayer};
use crate::slt::rebalance::{rebalance, Rebalanced};
use crate::slt::report::{LayerReport, PruneReport, RunSummary};
use crate::slt::source::SourceLayer;
use crate::slt::source_network::{literal_source_network, source_betas};
use crate::slt::subset_sum::{ProblemBatch, Solution, MAX_N};
use crate::slt::target::{LinearLayer, TargetNetwork};
use crate::slt::ticket::{collapsed_network, masked_source_network, Betas};
use crate::slt::verify::{Comparison, LiteralCheck, Tally};
use crate::{Error, Result};

/// Relative disagreement above which the literal and collapsed tickets are
/// declared different (a bug, not rounding: both are f32 sums of the same
/// products in different orders).
pub const LITERAL_TOLERANCE: f64 = 1e-5;

/// Progress of a run.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A layer starts (or restarts with a larger n).
    LayerStart {
        layer: usize,
        layers: usize,
        problems: usize,
        n: usize,
    },
    /// Problems solved so far in a layer.
    Progress {
        layer: usize,
        done: usize,
        total: usize,
    },
    /// A layer missed ε at n and is redrawn with a larger n.
    LayerGrown {
        layer: usize,
        from: usize,
        to: usize,
        max_error: f64,
        /// Problems whose error exceeded ε.
        misses: usize,
    },
    LayerDone {
        report: Box<LayerReport>,
    },
    /// Every layer is pruned; evaluating target and ticket on `total` inputs.
    Verifying {
        total: usize,
    },
    /// Inputs compared so far, and the comparison over them.
    VerifyProgress {
        done: usize,
        total: usize,
        comparison: Comparison,
    },
    /// The literal masked source agreed with the collapsed ticket.
    LiteralChecked {
        check: LiteralCheck,
    },
    /// Nothing is left to do: `finish` may be called.
    Done,
}

/// How a run hands out its work. None of it changes the result.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Problems per solve batch.
    pub batch_problems: usize,
    /// Inputs per verify request.
    pub verify_slice: usize,
    /// Inputs run through the literal (full-size) masked source network.
    pub literal_sample: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            batch_problems: 2048,
            verify_slice: 500,
            literal_sample: 16,
        }
    }
}

/// Subset-sum problems to solve: problems `first..first + problems.len()`
/// of layer `layer` (numbered as in [`crate::slt::coefficient`]).
#[derive(Clone, Debug)]
pub struct SolveBatch {
    pub id: u64,
    pub layer: usize,
    pub first: usize,
    pub problems: ProblemBatch,
}

/// Evaluate target and ticket on test inputs `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyRequest {
    pub id: u64,
    pub start: usize,
    pub end: usize,
}

/// A driver's answer to a [`VerifyRequest`]: logits row-major
/// `[end − start, classes]` of the target, the (rebalanced) ticket and,
/// optionally, the unpruned source.
#[derive(Clone, Copy, Debug)]
pub struct VerifyLogits<'a> {
    pub target: &'a [f32],
    pub ticket: &'a [f32],
    pub source: Option<&'a [f32]>,
}

/// Evaluate the literal masked source and the ticket on inputs `0..count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiteralRequest {
    pub id: u64,
    pub count: usize,
}

/// What the driver should do next.
#[derive(Clone, Debug)]
pub enum Work {
    Solve(SolveBatch),
    Verify(VerifyRequest),
    Literal(LiteralRequest),
    /// Everything is handed out; submit an outstanding result first.
    Wait,
    Done,
}

/// Wall-clock times the driver measured (the core has no clock).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    pub seconds: f64,
    pub solve_seconds: f64,
}

/// The products of a run.
pub struct PruneOutcome<N = Network> {
    pub report: PruneReport,
    pub rebalanced: Rebalanced<N>,
    pub pruned: Vec<PrunedLayer>,
    /// The collapsed ticket (rebalanced scale; × output_scale = original).
    pub ticket: N,
    /// Top-1 predictions of target and ticket on the verified inputs.
    pub target_predictions: Vec<u8>,
    pub ticket_predictions: Vec<u8>,
}

enum Outstanding {
    Solve {
        layer: usize,
        first: usize,
        len: usize,
    },
    Verify {
        start: usize,
        end: usize,
    },
    Literal {
        count: usize,
    },
}

struct LayerRun {
    n: usize,
    n_initial: usize,
    /// Problems of the live pools (α.len(), or twice that).
    problems: usize,
    source: SourceLayer,
    issued: usize,
    received: usize,
    solutions: Vec<Solution>,
    started: bool,
    pruned: Option<PrunedLayer>,
}

struct Verification {
    labels: Vec<u8>,
    issued: usize,
    tally: Tally,
    target_predictions: Vec<u8>,
    ticket_predictions: Vec<u8>,
    literal_issued: bool,
    literal: Option<LiteralCheck>,
}

/// A pruning run (see the module docs).
pub struct PruneRun<N: TargetNetwork = Network> {
    task: String,
    cfg: PruneConfig,
    opts: RunOptions,
    target: N,
    rebalanced: Rebalanced<N>,
    layers: Vec<LayerRun>,
    reports: Vec<Option<LayerReport>>,
    ticket: Option<N>,
    verification: Option<Verification>,
    outstanding: BTreeMap<u64, Outstanding>,
    next_id: u64,
    events: VecDeque<Event>,
    backend: String,
}

impl<N: TargetNetwork> PruneRun<N> {
    /// Sets up the run: validates, rebalances the target and draws every
    /// layer's source at its initial n. `labels` are the test inputs'
    /// labels (empty: no verification).
    pub fn new(
        target: &N,
        task: &str,
        cfg: &PruneConfig,
        opts: &RunOptions,
        labels: Vec<u8>,
    ) -> Result<Self> {
        cfg.validate()?;
        target.validate()?;
        if opts.batch_problems == 0 || opts.verify_slice == 0 {
            return Err(Error::InvalidArgument(
                "batch sizes must be at least 1".into(),
            ));
        }
        let rebalanced = rebalance(target, cfg.headroom);
        let nonneg = target.nonnegative_inputs(cfg.input_nonnegative);
        let layers: Vec<LayerRun> = rebalanced
            .network
            .linear_layers()
            .into_iter()
            .enumerate()
            .map(|(idx, layer)| {
                let problems = layer.coef().len() * if nonneg[idx] { 1 } else { 2 };
                let n = cfg.n.unwrap_or_else(|| n_from_bound(problems, cfg.eps));
                LayerRun::new(cfg.seed, idx, layer, n, n, problems)
            })
            .collect();
        let count = layers.len();
        let verification = (!labels.is_empty()).then(|| Verification {
            labels,
            issued: 0,
            tally: Tally::default(),
            target_predictions: Vec::new(),
            ticket_predictions: Vec::new(),
            literal_issued: opts.literal_sample == 0,
            literal: None,
        });
        Ok(Self {
            task: task.to_string(),
            cfg: cfg.clone(),
            opts: opts.clone(),
            target: target.clone(),
            rebalanced,
            layers,
            reports: vec![None; count],
            ticket: None,
            verification,
            outstanding: BTreeMap::new(),
            next_id: 0,
            events: VecDeque::new(),
            backend: "cpu".into(),
        })
    }

    /// Pools per layer: the current n (the initial one until a layer grows).
    pub fn n_per_layer(&self) -> Vec<usize> {
        self.layers.iter().map(|l| l.n).collect()
    }

    /// Names the solver backend in the report ("cpu", "gpu", "webgpu").
    pub fn set_backend(&mut self, name: &str) {
        self.backend = name.to_string();
    }

    /// The next piece of work.
    pub fn next_work(&mut self) -> Result<Work> {
        let layer_count = self.layers.len();
        if let Some((idx, l)) = self
            .layers
            .iter_mut()
            .enumerate()
            .find(|(_, l)| l.pruned.is_none() && l.issued < l.problems)
        {
            if !l.started {
                l.started = true;
                self.events.push_back(Event::LayerStart {
                    layer: idx,
                    layers: layer_count,
                    problems: l.problems,
                    n: l.n,
                });
            }
            let first = l.issued;
            let len = self.opts.batch_problems.min(l.problems - first);
            let alpha = nth_layer(&self.rebalanced.network, idx)?.coef();
            let problems = layer_problems(&l.source, alpha, first..first + len)?;
            l.issued += len;
            let id = self.issue(Outstanding::Solve {
                layer: idx,
                first,
                len,
            });
            return Ok(Work::Solve(SolveBatch {
                id,
                layer: idx,
                first,
                problems,
            }));
        }
        if self.ticket.is_none() {
            return Ok(Work::Wait);
        }
        // Verify slices first, the literal check last: a page's coordinator
        // runs the literal check itself while its workers verify.
        if let Some(v) = &mut self.verification {
            if v.issued < v.labels.len() {
                let start = v.issued;
                let end = (start + self.opts.verify_slice).min(v.labels.len());
                v.issued = end;
                let id = self.issue(Outstanding::Verify { start, end });
                return Ok(Work::Verify(VerifyRequest { id, start, end }));
            }
            if !v.literal_issued {
                v.literal_issued = true;
                let count = self.opts.literal_sample.min(v.labels.len());
                let id = self.issue(Outstanding::Literal { count });
                return Ok(Work::Literal(LiteralRequest { id, count }));
            }
        }
        Ok(if self.outstanding.is_empty() {
            Work::Done
        } else {
            Work::Wait
        })
    }

    fn issue(&mut self, what: Outstanding) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.outstanding.insert(id, what);
        id
    }

    /// Removes outstanding work `id` if `pick` finds it of the `kind`
    /// expected, and returns what `pick` read from it.
    fn take<T>(
        &mut self,
        id: u64,
        kind: &str,
        pick: impl Fn(&Outstanding) -> Option<T>,
    ) -> Result<T> {
        let Some(work) = self.outstanding.get(&id) else {
            return Err(Error::InvalidArgument(format!(
                "no work {id} is outstanding (unknown or already submitted)"
            )));
        };
        let Some(picked) = pick(work) else {
            let k = match work {
                Outstanding::Solve { .. } => "solve batch",
                Outstanding::Verify { .. } => "verify request",
                Outstanding::Literal { .. } => "literal request",
            };
            return Err(Error::InvalidArgument(format!(
                "work {id} is a {k}, not a {kind}"
            )));
        };
        self.outstanding.remove(&id);
        Ok(picked)
    }

    /// Hands back the chosen subsets of solve batch `id`, one per problem in
    /// order. Sums and errors are re-evaluated here in the canonical order
    /// (see [`crate::slt::subset_sum::evaluate()`]), so a solver only
    /// returns bitmasks.
    pub fn submit(&mut self, id: u64, subsets: &[u32]) -> Result<()> {
        let (layer, first, len) = self.take(id, "solve batch", |w| match *w {
            Outstanding::Solve { layer, first, len } => Some((layer, first, len)),
            _ => None,
        })?;
        if subsets.len() != len {
            self.outstanding
                .insert(id, Outstanding::Solve { layer, first, len });
            return Err(Error::InvalidArgument(format!(
                "batch {id} has {len} problems, got {} subsets",
                subsets.len()
            )));
        }
        let alpha = nth_layer(&self.rebalanced.network, layer)?.coef();
        let l = &mut self.layers[layer];
        let n = l.n;
        if let Some(s) = subsets.iter().find(|&&s| n < 32 && s >> n != 0) {
            self.outstanding
                .insert(id, Outstanding::Solve { layer, first, len });
            return Err(Error::InvalidArgument(format!(
                "subset {s:#x} uses candidates beyond n = {n}"
            )));
        }
        let batch = layer_problems(&l.source, alpha, first..first + len)?;
        l.solutions[first..first + len].copy_from_slice(&batch.solutions(subsets));
        l.received += len;
        self.events.push_back(Event::Progress {
            layer,
            done: l.received,
            total: l.problems,
        });
        if l.received == l.problems {
            self.complete_layer(layer)?;
        }
        Ok(())
    }

    /// Linear layer `layer` of the rebalanced target (the α being matched).
    pub fn target_layer(&self, layer: usize) -> Result<&N::Layer> {
        nth_layer(&self.rebalanced.network, layer)
    }

    /// All solutions of `layer` are in: grow it or prune it.
    fn complete_layer(&mut self, idx: usize) -> Result<()> {
        let eps = self.cfg.eps;
        let l = &self.layers[idx];
        let max = l.solutions.iter().fold(0.0f64, |m, s| m.max(s.error));
        if max > eps && self.cfg.grow && l.n < MAX_N {
            // Misses come from pools short of same-signed mass (≈ P·n⁴/2ⁿ),
            // so m misses need about log2(m) more candidates: jump there.
            let misses = l.solutions.iter().filter(|s| s.error > eps).count();
            let step = (usize::BITS - misses.leading_zeros()) as usize + 1;
            let to = (l.n + step.max(2)).min(MAX_N);
            let (n_initial, problems) = (l.n_initial, l.problems);
            self.events.push_back(Event::LayerGrown {
                layer: idx,
                from: l.n,
                to,
                max_error: max,
                misses,
            });
            // The old draw goes before the new one is made.
            let l = &mut self.layers[idx];
            (l.source.u, l.source.v, l.solutions) = (Vec::new(), Vec::new(), Vec::new());
            let target = self.target_layer(idx)?;
            self.layers[idx] = LayerRun::new(self.cfg.seed, idx, target, to, n_initial, problems);
            return Ok(());
        }
        let target = nth_layer(&self.rebalanced.network, idx)?;
        let l = &mut self.layers[idx];
        // The pruned layer keeps the source: the run's copy is let go.
        let source = SourceLayer {
            v: std::mem::take(&mut l.source.v),
            u: std::mem::take(&mut l.source.u),
            ..l.source.clone()
        };
        let pruned = PrunedLayer::from_solutions(target, source, &l.solutions)?;
        let original = nth_layer(&self.target, idx)?;
        let report = LayerReport::new(
            idx,
            target,
            original,
            &pruned,
            l.n_initial,
            self.rebalanced.scales[idx],
        );
        self.events.push_back(Event::LayerDone {
            report: Box::new(report.clone()),
        });
        self.reports[idx] = Some(report);
        let l = &mut self.layers[idx];
        l.pruned = Some(pruned);
        l.solutions = Vec::new();
        if self.layers.iter().all(|l| l.pruned.is_some()) {
            let pruned: Vec<&PrunedLayer> = self.pruned_layers().collect();
            self.ticket = Some(collapsed_network(&self.rebalanced.network, &pruned)?);
            match &self.verification {
                Some(v) => self.events.push_back(Event::Verifying {
                    total: v.labels.len(),
                }),
                None => self.events.push_back(Event::Done),
            }
        }
        Ok(())
    }

    /// Hands back the logits of verify request `id`: the target's and the
    /// (rebalanced) ticket's, row-major `[end − start, classes]`.
    pub fn submit_logits(&mut self, id: u64, target: &[f32], ticket: &[f32]) -> Result<()> {
        self.submit_verify(
            id,
            VerifyLogits {
                target,
                ticket,
                source: None,
            },
        )
    }

    /// Hands back the logits of verify request `id`, the unpruned source's
    /// too if the driver evaluated it (for every request or for none).
    pub fn submit_verify(&mut self, id: u64, logits: VerifyLogits<'_>) -> Result<()> {
        let (start, end) = self.take(id, "verify request", |w| match *w {
            Outstanding::Verify { start, end } => Some((start, end)),
            _ => None,
        })?;
        let scale = self.rebalanced.output_scale;
        let Some(v) = &mut self.verification else {
            return Err(Error::InvalidArgument("this run verifies nothing".into()));
        };
        let labels = &v.labels[start..end];
        let mut tally = v.tally.clone();
        let added = tally
            .add(logits.target, logits.ticket, scale, labels)
            .and_then(|p| {
                let before = v.tally.count > 0;
                if before && logits.source.is_some() != (v.tally.source_count > 0) {
                    return Err(Error::InvalidArgument(
                        "the source's logits must come with every verify request or with none"
                            .into(),
                    ));
                }
                if let Some(source) = logits.source {
                    if source.len() != logits.target.len() {
                        return Err(Error::InvalidArgument(format!(
                            "source logits of {} values, target logits of {}",
                            source.len(),
                            logits.target.len()
                        )));
                    }
                    tally.add_source(source, labels)?;
                }
                Ok(p)
            });
        let (pt, pk) = match added {
            Ok(p) => p,
            Err(e) => {
                self.outstanding
                    .insert(id, Outstanding::Verify { start, end });
                return Err(e);
            }
        };
        v.tally = tally;
        if v.target_predictions.len() < v.labels.len() {
            v.target_predictions.resize(v.labels.len(), u8::MAX);
            v.ticket_predictions.resize(v.labels.len(), u8::MAX);
        }
        v.target_predictions[start..end].copy_from_slice(&pt);
        v.ticket_predictions[start..end].copy_from_slice(&pk);
        let total = v.labels.len();
        self.events.push_back(Event::VerifyProgress {
            done: v.tally.count,
            total,
            comparison: v.tally.comparison(),
        });
        self.check_done();
        Ok(())
    }

    /// Hands back the logits of literal request `id`: the literal masked
    /// source network's and the collapsed ticket's on the same inputs.
    /// They must agree to [`LITERAL_TOLERANCE`] (relative), else it is a bug
    /// and the run fails.
    pub fn submit_literal(&mut self, id: u64, literal: &[f32], ticket: &[f32]) -> Result<()> {
        let count = self.take(id, "literal request", |w| match *w {
            Outstanding::Literal { count } => Some(count),
            _ => None,
        })?;
        let check = LiteralCheck::from_logits(count, literal, ticket)?;
        if check.max_rel_diff > LITERAL_TOLERANCE {
            return Err(Error::Model(format!(
                "the literal masked source network and the collapsed ticket disagree by {:.3e} (relative) — a bug",
                check.max_rel_diff
            )));
        }
        self.events.push_back(Event::LiteralChecked {
            check: check.clone(),
        });
        if let Some(v) = &mut self.verification {
            v.literal = Some(check);
        }
        self.check_done();
        Ok(())
    }

    fn check_done(&mut self) {
        if let Some(v) = &self.verification {
            if v.issued == v.labels.len() && v.literal_issued && self.outstanding.is_empty() {
                self.events.push_back(Event::Done);
            }
        }
    }

    /// Events since the last call, oldest first.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// Is everything done (`finish` will succeed)?
    pub fn is_done(&self) -> bool {
        self.ticket.is_some()
            && self.outstanding.is_empty()
            && self
                .verification
                .as_ref()
                .is_none_or(|v| v.issued == v.labels.len() && v.literal_issued)
    }

    /// Fraction of the run's work done, 0..1: solving counts a quarter when
    /// there is verification (it is the smaller part), all of it otherwise.
    /// Growth adds work, so the fraction can step back.
    pub fn progress(&self) -> f64 {
        let (done, total) = self.layers.iter().fold((0, 0), |(d, t), l| {
            let d1 = if l.pruned.is_some() {
                l.problems
            } else {
                l.received
            };
            (d + d1, t + l.problems)
        });
        let solve = done as f64 / total.max(1) as f64;
        match &self.verification {
            None => solve,
            Some(v) => {
                let verify = v.tally.count as f64 / v.labels.len().max(1) as f64;
                0.25 * solve + 0.75 * verify
            }
        }
    }

    /// The target as given.
    pub fn target(&self) -> &N {
        &self.target
    }

    /// The rebalanced target and its scales.
    pub fn rebalanced(&self) -> &Rebalanced<N> {
        &self.rebalanced
    }

    /// The collapsed ticket, once every layer is pruned.
    pub fn ticket(&self) -> Option<&N> {
        self.ticket.as_ref()
    }

    /// The collapsed ticket, or an error until every layer is pruned.
    pub fn pruned_ticket(&self) -> Result<&N> {
        self.ticket.as_ref().ok_or_else(not_pruned)
    }

    /// The literal masked source network, once every layer is pruned.
    pub fn literal_network(&self) -> Result<N> {
        masked_source_network(&self.rebalanced.network, &self.literal_layers()?)
    }

    /// Each layer's source and mask, once every layer is pruned: the
    /// literal network of the rebalanced target, without building it (see
    /// [`crate::slt::driver::VerifyInputs::literal_check`]).
    pub fn literal_layers(&self) -> Result<Vec<(&SourceLayer, &LayerMask)>> {
        self.pruned_ticket()?;
        Ok(self.pruned_layers().map(|p| (&p.source, &p.mask)).collect())
    }

    /// β of the unpruned random source at every layer's current n (see
    /// [`crate::slt::source_network`]): the final source once every layer
    /// is pruned, and already before solving, the source the run will
    /// verify unless a layer grows — so a page can evaluate it ahead.
    pub fn source_betas(&self) -> Result<Vec<Betas>> {
        self.layers
            .iter()
            .enumerate()
            .map(|(idx, l)| {
                let target = self.target_layer(idx)?;
                match &l.pruned {
                    Some(p) => source_betas(target, &p.source, p.beta_neg.is_some()),
                    None => source_betas(target, &l.source, l.problems > target.coef().len()),
                }
            })
            .collect()
    }

    /// The unpruned random source, collapsed (rebalanced scale, like the
    /// ticket), at every layer's current n: its logits answer verify
    /// requests' optional `source`.
    pub fn source_network(&self) -> Result<N> {
        collapsed_network(&self.rebalanced.network, &self.source_betas()?)
    }

    /// The unpruned random source as it stands (2L layers, c_in·2n
    /// intermediate fields each, every weight kept), once every layer is
    /// pruned: what [`Self::source_network`] is checked against.
    pub fn literal_source_network(&self) -> Result<N> {
        self.pruned_ticket()?;
        let sources: Vec<SourceLayer> = self.pruned_layers().map(|p| p.source.clone()).collect();
        literal_source_network(&self.rebalanced.network, &sources)
    }

    /// β of every layer, once every layer is pruned (see
    /// [`crate::slt::ticket::collapsed_network`]).
    pub fn betas(&self) -> Option<Vec<Betas>> {
        self.ticket.as_ref()?;
        let pruned: Vec<PrunedLayer> = self.pruned_layers().cloned().collect();
        Some(Betas::of(&pruned))
    }

    /// Linear layers of the target.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Layer `idx`, if it is pruned.
    pub fn pruned(&self, idx: usize) -> Option<&PrunedLayer> {
        self.layers.get(idx)?.pruned.as_ref()
    }

    fn pruned_layers(&self) -> impl Iterator<Item = &PrunedLayer> {
        self.layers.iter().filter_map(|l| l.pruned.as_ref())
    }

    /// Problem `p` of pruned layer `layer`, its solution and the
    /// coefficient it matches (for showing one coefficient's subset-sum
    /// problem).
    pub fn problem(&self, layer: usize, p: usize) -> Result<OpenedProblem> {
        let pruned = self
            .pruned(layer)
            .ok_or_else(|| Error::InvalidArgument(format!("layer {layer} is not pruned")))?;
        if p >= pruned.subsets.len() {
            return Err(Error::InvalidArgument(format!(
                "layer {layer} has {} problems, not {p}",
                pruned.subsets.len()
            )));
        }
        let target = self.target_layer(layer)?;
        let batch = layer_problems(&pruned.source, target.coef(), p..p + 1)?;
        let solution = batch.solutions(&pruned.subsets[p..p + 1])[0];
        let layout = CoefficientLayout::of(target);
        let id = layout.coefficient(p);
        let alpha = target.coef()[layout.alpha_index(id.out_field, id.in_field, id.basis_element)];
        Ok(OpenedProblem {
            solution,
            batch,
            id,
            alpha,
        })
    }

    /// The report and products; errors unless [`Self::is_done`]. The run
    /// stays inspectable ([`Self::problem`], [`Self::pruned`]) afterwards.
    pub fn finish(&self, timing: Timing) -> Result<PruneOutcome<N>> {
        if !self.is_done() {
            return Err(Error::InvalidArgument("the run is not finished".into()));
        }
        let ticket = self.pruned_ticket()?.clone();
        let layers: Vec<LayerReport> = self.reports.iter().flatten().cloned().collect();
        let pruned: Vec<PrunedLayer> = self.pruned_layers().cloned().collect();
        let (comparison, literal_check, tp, kp) = match &self.verification {
            Some(v) => (
                v.tally.comparison(),
                v.literal.clone().unwrap_or_default(),
                v.target_predictions.clone(),
                v.ticket_predictions.clone(),
            ),
            None => Default::default(),
        };
        let report = PruneReport::new(
            RunSummary {
                task: &self.task,
                cfg: &self.cfg,
                backend: &self.backend,
                output_scale: self.rebalanced.output_scale,
                comparison,
                literal_check,
                seconds: timing.seconds,
                solve_seconds: timing.solve_seconds,
            },
            &pruned,
            layers,
        );
        Ok(PruneOutcome {
            report,
            rebalanced: self.rebalanced.clone(),
            pruned,
            ticket,
            target_predictions: tp,
            ticket_predictions: kp,
        })
    }

    /// The configuration the run was made with.
    pub fn config(&self) -> &PruneConfig {
        &self.cfg
    }

    /// How the run hands out its work.
    pub fn options(&self) -> &RunOptions {
        &self.opts
    }
}

/// One problem of a pruned layer, opened up.
#[derive(Clone, Debug)]
pub struct OpenedProblem {
    /// The problem alone (one target, n candidates).
    pub batch: ProblemBatch,
    pub solution: Solution,
    /// The coefficient it matches, and its pool.
    pub id: CoefficientId,
    /// α of that coefficient (rebalanced units; the negative pool's target
    /// is −α).
    pub alpha: f32,
}

/// Linear layer `idx` of `net`.
fn nth_layer<N: TargetNetwork>(net: &N, idx: usize) -> Result<&N::Layer> {
    net.linear_layers()
        .into_iter()
        .nth(idx)
        .ok_or_else(|| Error::InvalidArgument(format!("no layer {idx}")))
}

impl LayerRun {
    fn new(
        seed: u64,
        idx: usize,
        target: &impl LinearLayer,
        n: usize,
        n_initial: usize,
        problems: usize,
    ) -> Self {
        Self {
            n,
            n_initial,
            problems,
            source: SourceLayer::draw(seed, idx, target, n),
            issued: 0,
            received: 0,
            solutions: vec![Solution::default(); problems],
            started: false,
            pruned: None,
        }
    }
}

/// The error of asking a run for what exists once every layer is pruned.
pub(crate) fn not_pruned() -> Error {
    Error::InvalidArgument("the run has not pruned every layer yet".into())
}
