//! `entremise graph …` commands.
use clap::{Args, Subcommand};

#[derive(Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    pub command: GraphCommand,
}

#[derive(Subcommand)]
pub enum GraphCommand {}

pub fn run(args: GraphArgs) -> anyhow::Result<()> {
    match args.command {}
}
