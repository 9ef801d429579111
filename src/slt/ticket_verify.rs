//! Verifying an exported ticket against its target model: rebuild the
//! ticket from the file alone (seed → source, bits → mask), re-run the
//! pruning from the file's configuration, re-evaluate target and ticket on
//! the test rows the report counted, and compare everything with the file.
//! [`TicketFile::verify`] returns the whole [`TicketVerdict`]; what to print
//! and which exit code to give is the caller's.

use serde::Serialize;

use crate::nn::{CpuForward, Model};
use crate::slt::config::PruneConfig;
use crate::slt::driver::{drive, RunHooks, VerifyInputs};
use crate::slt::mask::digest_of;
use crate::slt::rebalance::rebalance;
use crate::slt::run::RunOptions;
use crate::slt::subset_sum::BatchSolver;
use crate::slt::target::TargetNetwork;
use crate::slt::test_rows::TestRows;
use crate::slt::ticket::collapsed_network;
use crate::slt::ticket_file::TicketFile;
use crate::slt::verify::{compare_rows, Comparison};
use crate::{Error, Result};

/// Everything a verification found, in the order of `eslt ticket verify
/// --json`'s keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketVerdict {
    /// Every check below passed.
    pub ticket_valid: bool,
    /// Digest of the mask rebuilt from the file's bits.
    pub mask_digest: String,
    pub mask_digest_matches: bool,
    /// Re-running the pruning gives the same subsets, β and ticket.
    pub rerun_matches: bool,
    pub model_sha256_matches: bool,
    /// Target and ticket now, on the report's test rows.
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    pub agreement: f64,
    #[serde(rename = "test_digits")]
    pub rows: usize,
    /// The same, as the file's report says.
    pub report_target_accuracy: f64,
    pub report_ticket_accuracy: f64,
    pub report_agreement: f64,
    /// Same count of correct answers (and agreements) as the report.
    pub accuracies_match: bool,
    /// Size of the ticket file.
    pub file_bytes: u64,
}

impl TicketVerdict {
    /// What failed, in words (empty when the ticket is valid).
    pub fn failures(&self) -> Vec<&'static str> {
        [
            (
                self.mask_digest_matches,
                "the rebuilt mask's digest differs from the file's",
            ),
            (
                self.rerun_matches,
                "re-running the pruning gives a different mask or β",
            ),
            (
                self.accuracies_match,
                "the accuracies differ from the report's",
            ),
        ]
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, why)| *why)
        .collect()
    }
}

/// The mask and re-run checks and the comparison, for one network kind.
struct Checked {
    mask_digest: String,
    mask_digest_matches: bool,
    rerun_matches: bool,
    comparison: Comparison,
}

/// Same accuracy over `rows` inputs: the same count of correct answers.
fn same_fraction(a: f64, b: f64, rows: usize) -> bool {
    let n = rows as f64;
    (a * n).round() == (b * n).round()
}

impl TicketFile {
    /// The model file whose bytes hash to `model_sha256` is the one the
    /// ticket was pruned from.
    pub fn check_model_sha256(&self, model_sha256: &str) -> Result<()> {
        if model_sha256 != self.model_sha256 {
            return Err(Error::InvalidArgument(format!(
                "the model has sha256 {model_sha256}, the ticket was pruned from {} with sha256 {}",
                self.model, self.model_sha256
            )));
        }
        Ok(())
    }

    /// The ticket is for `task`.
    pub fn check_task(&self, task: &str) -> Result<()> {
        if task != self.task {
            return Err(Error::InvalidArgument(format!(
                "the ticket is for task {}, the model is {task}",
                self.task
            )));
        }
        Ok(())
    }

    /// Verifies the ticket against `model` (whose file's bytes hash to
    /// `model_sha256`) on `tests` — the report's test rows, see
    /// [`TestRows::exactly`] — re-running the pruning with `solver`.
    /// `file_bytes` is the ticket file's size, for the verdict. Errors are
    /// for input that cannot be verified at all (another model or task,
    /// rows of the other kind); a ticket that does not verify is a verdict
    /// with `ticket_valid` false.
    pub fn verify(
        &self,
        model: &Model,
        model_sha256: &str,
        tests: &TestRows,
        solver: &dyn BatchSolver,
        file_bytes: u64,
    ) -> Result<TicketVerdict> {
        self.check_model_sha256(model_sha256)?;
        self.check_task(model.task())?;
        let reported = &self.report;
        let labels = tests.labels();
        let cpu = CpuForward::new();
        let checked = match (model, tests.image_rows(&cpu), tests.graph_rows()) {
            (Model::Image { net, .. }, Some(rows), _) => {
                self.check_against(net, solver, &rows, &labels)?
            }
            (Model::Graph { net, .. }, _, Some(rows)) => {
                self.check_against(net, solver, &rows, &labels)?
            }
            _ => {
                return Err(Error::InvalidArgument(
                    "the test rows are not of the model's kind".into(),
                ))
            }
        };
        let cmp = checked.comparison;
        let d = reported.rows;
        let accuracies_match = cmp.rows == d
            && same_fraction(cmp.target_accuracy, reported.target_accuracy, d)
            && same_fraction(cmp.ticket_accuracy, reported.ticket_accuracy, d)
            && same_fraction(cmp.agreement, reported.agreement, d);
        Ok(TicketVerdict {
            ticket_valid: checked.mask_digest_matches && checked.rerun_matches && accuracies_match,
            mask_digest: checked.mask_digest,
            mask_digest_matches: checked.mask_digest_matches,
            rerun_matches: checked.rerun_matches,
            model_sha256_matches: true,
            target_accuracy: cmp.target_accuracy,
            ticket_accuracy: cmp.ticket_accuracy,
            agreement: cmp.agreement,
            rows: cmp.rows,
            report_target_accuracy: reported.target_accuracy,
            report_ticket_accuracy: reported.ticket_accuracy,
            report_agreement: reported.agreement,
            accuracies_match,
            file_bytes,
        })
    }

    /// Rebuilds the ticket from the file alone, re-runs the pruning
    /// natively from the file's configuration, and compares target and
    /// ticket on `inputs`.
    fn check_against<N: TargetNetwork + PartialEq>(
        &self,
        target: &N,
        solver: &dyn BatchSolver,
        inputs: &dyn VerifyInputs<N>,
        labels: &[u8],
    ) -> Result<Checked> {
        let pruned = self.rebuild(target)?;
        let mask_digest = digest_of(&pruned);
        let rebalanced = rebalance(target, self.headroom);
        let ticket = collapsed_network(&rebalanced.network, &pruned)?;
        let cfg: PruneConfig = self.config();
        let now = || 0.0;
        let rerun = drive(
            target,
            &self.task,
            &cfg,
            &RunOptions::default(),
            solver,
            None,
            RunHooks {
                now: &now,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        )?;
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
        let same_beta = rerun.pruned.len() == pruned.len()
            && rerun.pruned.iter().zip(&pruned).all(|(r, p)| {
                bits(&r.beta_pos) == bits(&p.beta_pos)
                    && r.beta_neg.as_deref().map(bits) == p.beta_neg.as_deref().map(bits)
                    && r.subsets == p.subsets
            });
        let rerun_matches =
            same_beta && digest_of(&rerun.pruned) == self.mask_digest && rerun.ticket == ticket;
        Ok(Checked {
            mask_digest_matches: mask_digest == self.mask_digest,
            mask_digest,
            rerun_matches,
            comparison: compare_rows(target, &ticket, rebalanced.output_scale, inputs, labels)?,
        })
    }
}
