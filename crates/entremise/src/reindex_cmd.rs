//! `entremise reindex search`: rebuilds the search indexes (profiles, posts)
//! of the data directory from the store, with progress. The server must be stopped (the
//! index is locked while it runs); it also rebuilds a missing, corrupt or
//! out-of-step index by itself at start.

use clap::{Args, Subcommand};
use entremise::config::{Config, Settings};

#[derive(Args)]
pub struct ReindexArgs {
    #[command(subcommand)]
    pub command: ReindexCommand,
}

#[derive(Subcommand)]
pub enum ReindexCommand {
    /// The full-text indexes of profiles and pages, and of posts.
    Search {
        #[command(flatten)]
        settings: Settings,
    },
}

pub fn run(config_file: Option<&std::path::Path>, args: ReindexArgs) -> anyhow::Result<()> {
    let ReindexCommand::Search { settings } = args.command;
    let config = Config::load(config_file, settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = entremise::server::open_store(&config)?;
        let dir = entremise::server::search_dir(&config);
        std::fs::create_dir_all(&dir)?;
        let (index, _) = entremise_search::TantivyIndex::open(&dir)
            .map_err(|e| anyhow::anyhow!("opening the search index in {}: {e}", dir.display()))?;
        let started = std::time::Instant::now();
        let (profiles, posts) =
            entremise::server::rebuild_search(&*store, std::sync::Arc::new(index)).await?;
        eprintln!(
            "search indexes rebuilt in {} and {}: {profiles} profiles and {posts} posts in {:.1} s",
            dir.display(),
            entremise_search::posts_dir(&dir).display(),
            started.elapsed().as_secs_f64()
        );
        anyhow::Ok(())
    })
}
