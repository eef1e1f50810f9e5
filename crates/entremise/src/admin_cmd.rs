//! `entremise admin roles HANDLE [--admin] [--moderator]`: grants (or, with
//! neither flag, revokes) a member's instance roles from the shell, to name
//! the first administrator; later ones are named from `/admin`. A running
//! server sees the change at the member's next sign-in.

use anyhow::Context;
use clap::{Args, Subcommand};
use entremise::config::{Config, Settings};
use entremise_domain::store::{ModerationStore, ProfileStore};
use entremise_domain::validate::Handle;

#[derive(Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Sets a member's instance roles: the flags given are granted, the others revoked.
    Roles {
        /// The member's handle (with or without @).
        handle: String,
        /// Administrator: runs /admin (and moderates).
        #[arg(long)]
        admin: bool,
        /// Moderator: works the instance's moderation queue.
        #[arg(long)]
        moderator: bool,
        #[command(flatten)]
        settings: Settings,
    },
}

pub fn run(config_file: Option<&std::path::Path>, args: AdminArgs) -> anyhow::Result<()> {
    let AdminCommand::Roles {
        handle,
        admin,
        moderator,
        settings,
    } = args.command;
    let config = Config::load(config_file, settings)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = entremise::server::open_store(&config)?;
        let raw = handle.trim_start_matches('@');
        let handle =
            Handle::parse(raw).map_err(|e| anyhow::anyhow!("handle {raw:?}: {}", e.message))?;
        let profile = store
            .profile_by_handle(&handle)
            .await?
            .with_context(|| format!("no member @{handle} in this data directory"))?;
        let account = profile
            .account
            .filter(|_| profile.kind == entremise_domain::profile::ProfileKind::Person)
            .with_context(|| format!("@{handle} is a page, not a member"))?;
        store.set_instance_roles(account, admin, moderator).await?;
        eprintln!("@{handle}: administrator {admin}, moderator {moderator}");
        anyhow::Ok(())
    })
}
