//! `eslt bench` (placeholder until its issue lands).

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> eslt::Result<()> {
    Err(eslt::Error::InvalidArgument("'bench' is not implemented yet".into()))
}
