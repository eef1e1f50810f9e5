//! `entremise graph …` commands: generate the reference network, benchmark
//! the contact graph engine on an edge list.
use std::path::PathBuf;

use clap::{Args, Subcommand};

mod bench;
mod gen_cmd;
pub mod load;

#[derive(Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    pub command: GraphCommand,
}

#[derive(Subcommand)]
pub enum GraphCommand {
    /// Write the seeded reference network (PERFORMANCE.md) as an edge list on standard output.
    Gen(GenArgs),
    /// Load an edge list into the engine, answer pairs as TSV, print timings beside a baseline.
    Bench(BenchArgs),
}

#[derive(Args)]
pub struct GenArgs {
    /// Number of members.
    #[arg(long, default_value_t = 1_000_000)]
    pub members: u32,
    /// Average number of contacts per member.
    #[arg(long, default_value_t = 50.0)]
    pub avg_degree: f64,
    /// Seed: the same parameters always give the same network.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Edge list: `a b` lines with `#` comments, or LDBC SNB `Person_knows_Person` files
    /// (`|`-separated with a header). Repeat to load several files into one graph.
    #[arg(long, required = true)]
    pub edges: Vec<PathBuf>,
    /// Pairs to answer, `a b` per line (external ids); without it, seeded random pairs.
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// Where to write the answers (`a<TAB>b<TAB>degree<TAB>mutual_count<TAB>shortest_path_count`);
    /// standard output by default.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Also write the timings as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Number of random pairs drawn without `--pairs`.
    #[arg(long, default_value_t = 10_000)]
    pub count: usize,
    /// Seed of the random pairs.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// At most this many pairs per query kind for the hash-map baseline (which
    /// is also stopped after 10 s per kind).
    #[arg(long, default_value_t = 200)]
    pub baseline_pairs: usize,
    /// Seconds spent measuring degree-query throughput, per thread count.
    #[arg(long, default_value_t = 2.0)]
    pub throughput_secs: f64,
}

pub fn run(args: GraphArgs) -> anyhow::Result<()> {
    match args.command {
        GraphCommand::Gen(args) => gen_cmd::run(&args),
        GraphCommand::Bench(args) => bench::run(&args),
    }
}
