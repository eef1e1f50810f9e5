use clap::{Parser, Subcommand};
use entremise::config::{Config, Settings};
use std::path::PathBuf;

mod admin_cmd;
mod backup_cmd;
mod graph_cmd;
mod import_cmd;
mod reindex_cmd;
mod search_cmd;
mod stream_cmd;

/// mimalloc: a server answering many small requests spends a tenth of its
/// time in the allocator otherwise (measured on the home feed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// entremise: a professional social network in which nobody is cold-contacted.
#[derive(Parser)]
#[command(name = "entremise", version, about)]
struct Cli {
    /// A TOML configuration file (default: ./entremise.toml if present).
    #[arg(long, global = true, env = "ENTREMISE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: web pages, JSON API.
    Serve {
        #[command(flatten)]
        settings: Settings,
        /// Fill an empty data directory with a generated demo network first.
        #[arg(long)]
        demo: bool,
    },
    /// Load a network into the data directory.
    Import(import_cmd::ImportArgs),
    /// Rebuild an index of the data directory from the store (server stopped).
    Reindex(reindex_cmd::ReindexArgs),
    /// Copy the data directory into DEST (a new or empty directory) while the server runs.
    Backup(backup_cmd::BackupArgs),
    /// Make a new data directory from a backup (server stopped).
    Restore(backup_cmd::RestoreArgs),
    /// Exercise the contact graph engine: generate a reference network, benchmark queries.
    Graph(graph_cmd::GraphArgs),
    /// Exercise the search index: benchmark privacy-filtered searches beside SQLite FTS5.
    Search(search_cmd::SearchArgs),
    /// Exercise the real-time stream: commit → WebSocket latency, memory and fan-out of open streams.
    Stream(stream_cmd::StreamArgs),
    /// Instance roles from the shell (to name the first administrator).
    Admin(admin_cmd::AdminArgs),
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("ENTREMISE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Its complaint about a failed write goes through `eprintln!`, which
        // panics when standard error cannot be written either (a log file on
        // a full disk): the panic hook then logs, fails again, and the
        // process aborts. A line of log lost is the lesser harm.
        .log_internal_errors(false)
        .init();
    // A panic is logged once, here; the web layer answers 500 and goes on.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %info, "a task panicked");
    }));
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { settings, demo } => {
            init_logging();
            let config = Config::load(cli.config.as_deref(), settings)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(entremise::server::serve(config, demo))
        }
        Command::Import(args) => import_cmd::run(cli.config.as_deref(), args),
        Command::Reindex(args) => {
            init_logging();
            reindex_cmd::run(cli.config.as_deref(), args)
        }
        Command::Backup(args) => backup_cmd::backup(cli.config.as_deref(), args),
        Command::Restore(args) => {
            init_logging();
            backup_cmd::restore(cli.config.as_deref(), args)
        }
        Command::Graph(args) => graph_cmd::run(args),
        Command::Search(args) => search_cmd::run(args),
        Command::Stream(args) => stream_cmd::run(args),
        Command::Admin(args) => admin_cmd::run(cli.config.as_deref(), args),
    }
}
