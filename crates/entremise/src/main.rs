use clap::{Parser, Subcommand};

mod graph_cmd;

#[derive(Parser)]
#[command(name = "entremise", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Exercise the contact graph engine: generate a reference network, benchmark queries.
    Graph(graph_cmd::GraphArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Graph(args) => graph_cmd::run(args),
    }
}
