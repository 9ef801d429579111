//! The strong lottery ticket: source network, exact subset sum, pruning,
//! verification (DESIGN.md §2–§3).

pub mod config;
pub mod mask;
pub mod prune;
pub mod rebalance;
pub mod report;
pub mod run;
pub mod sign;
pub mod source;
/// Exact subset sum (meet-in-the-middle), the hot loop of pruning.
pub mod subset_sum;
pub mod ticket;
pub mod verify;

pub use config::{n_from_bound, PruneConfig};
pub use run::{prune_network, EvalSet, Event, PruneOutcome, RunHooks};
