//! `entremise search …` commands: benchmark the search index on generated
//! profiles, and post search over a data directory's posts, each beside an
//! SQLite FTS5 baseline.
use std::path::PathBuf;

use clap::{Args, Subcommand};

mod bench;
mod data;
mod fts;
mod posts_bench;

#[derive(Args)]
pub struct SearchArgs {
    #[command(subcommand)]
    pub command: SearchCommand,
}

#[derive(Subcommand)]
pub enum SearchCommand {
    /// Index seeded profiles with the search engine and with SQLite FTS5, time
    /// privacy-filtered searches from random signed-in members.
    Bench(BenchArgs),
    /// Time privacy-filtered post searches over the posts of a data
    /// directory (`import edges`, then `import posts`) from random
    /// signed-in members, through the service and beside SQLite FTS5.
    BenchPosts(Box<posts_bench::PostBenchArgs>),
}

#[derive(Args)]
pub struct BenchArgs {
    /// Number of generated profiles (person ids 1..=N).
    #[arg(long, default_value_t = 1_000_000)]
    pub profiles: u32,
    /// Average number of contacts per member of the reference network.
    #[arg(long, default_value_t = 50.0)]
    pub avg_degree: f64,
    /// Seed of the profiles, the network and the queries.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Timed queries per kind (name, skill + location, type-ahead prefix).
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    /// Directory for both indexes (kept); a temporary directory, removed at
    /// the end, by default.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The FTS5 baseline stops timing a kind after this many seconds (at
    /// least 20 queries are timed).
    #[arg(long, default_value_t = 60.0)]
    pub baseline_secs: f64,
    /// Queries per kind whose results both engines must agree on (compared
    /// 1,000 deep).
    #[arg(long, default_value_t = 100)]
    pub check: usize,
}

pub fn run(args: SearchArgs) -> anyhow::Result<()> {
    match args.command {
        SearchCommand::Bench(args) => bench::run(&args),
        SearchCommand::BenchPosts(args) => posts_bench::run(&args),
    }
}
