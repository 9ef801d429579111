//! `eslt sweep` (placeholder until its issue lands).

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> eslt::Result<()> {
    Err(eslt::Error::InvalidArgument("'sweep' is not implemented yet".into()))
}
