//! A progress bar over the rows of a long phase (evaluation,
//! verification): on stderr, and only when stderr is a terminal and the
//! output is not `--json` (indicatif hides it otherwise).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct RowsBar(ProgressBar);

impl RowsBar {
    /// A bar labelled `what`; hidden with `--json` (`quiet`).
    pub fn new(what: &str, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(0),
            if quiet {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            },
        );
        let style = ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(what.to_string());
        Self(bar)
    }

    /// `done` of `all` rows.
    pub fn set(&self, done: usize, all: usize) {
        self.0.set_length(all as u64);
        self.0.set_position(done as u64);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
