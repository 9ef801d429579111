//! `eslt completions SHELL`: a completion script generated from the
//! command's own clap definitions.

use clap_complete::Shell;

#[derive(clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(a: Args, mut command: clap::Command) {
    clap_complete::generate(a.shell, &mut command, "eslt", &mut std::io::stdout());
}
