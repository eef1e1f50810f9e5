//! `entremise backup DEST` and `entremise restore SRC`: a copy of the data
//! directory taken while the server runs, and a fresh data directory made
//! from it.
//!
//! A backup holds `entremise.db` (SQLite's online backup: one consistent
//! snapshot, checked with `PRAGMA integrity_check`), `media/` (copied after
//! the snapshot, so every image the snapshot refers to is already on disk:
//! images are written before the rows that name them), and `manifest.json`,
//! written last, whose presence marks a complete backup. The search index
//! is not copied: it is a projection of the store that tantivy rewrites and
//! merges while the server runs, so a copy of its files could be torn; a
//! restore rebuilds it from the restored database instead.

use anyhow::{Context, bail};
use clap::Args;
use entremise::config::{Config, Database, Settings};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The manifest's `format`: bumped if the layout of a backup changes.
const FORMAT: u64 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "entremise.db";
const MEDIA: &str = "media";

#[derive(Args)]
pub struct BackupArgs {
    /// A new or empty directory to write the backup into.
    pub dest: PathBuf,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A directory written by `entremise backup`.
    pub src: PathBuf,
    /// The data directory to create (it must be new or empty); also
    /// `--database-url` if the database lives elsewhere.
    #[command(flatten)]
    pub settings: Settings,
}

fn sqlite_path(config: &Config) -> anyhow::Result<&Path> {
    match &config.database {
        Database::Sqlite(path) => Ok(path),
        Database::Postgres(_) => {
            bail!("backup and restore handle the SQLite store; back PostgreSQL up with pg_dump")
        }
    }
}

/// A directory that is missing or holds nothing; otherwise an error
/// naming it.
fn require_empty(dir: &Path, role: &str) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if let Some(entry) = entries.next() {
                let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
                bail!(
                    "{role} {} is not empty (it holds {}, among others): give a new or empty directory",
                    dir.display(),
                    entry.file_name().to_string_lossy()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("reading {role} {}", dir.display())),
    }
}

/// Progress on one line of the terminal, at most a few times a second.
struct Progress {
    what: &'static str,
    last: Option<Instant>,
}

impl Progress {
    fn new(what: &'static str) -> Self {
        Self { what, last: None }
    }

    fn show(&mut self, done: u64, total: u64, unit: &str) {
        let due = self.last.is_none_or(|t| t.elapsed().as_millis() >= 250);
        if due || done == total {
            self.last = Some(Instant::now());
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            eprint!("\r{}: {done} / {total} {unit} ({pct}%)   ", self.what);
            let _ = std::io::stderr().flush();
        }
    }

    fn end(&self) {
        eprintln!();
    }
}

/// Files under `root`, as paths relative to it, in a stable order.
/// Temporary files of the media store (`name#n`, being written) are left
/// out: they are not images yet.
fn files_under(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        let dir = root.join(&rel);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            // A directory emptied and removed by a delete meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !rel.as_os_str().is_empty() => {
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("reading {}", entry.path().display()))?;
            let path = rel.join(entry.file_name());
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() && !entry.file_name().to_string_lossy().contains('#') {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copies every file of `from` into `to` (a new directory), each synced
/// to disk, with progress. Returns (files, bytes) copied; a file deleted
/// meanwhile is skipped.
fn copy_tree(from: &Path, to: &Path, what: &'static str) -> anyhow::Result<(u64, u64)> {
    let files = files_under(from)?;
    let total = files.len() as u64;
    let mut progress = Progress::new(what);
    let (mut copied, mut bytes) = (0, 0);
    progress.show(0, total, "files");
    for (i, rel) in files.iter().enumerate() {
        let (src, dst) = (from.join(rel), to.join(rel));
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        match std::fs::copy(&src, &dst) {
            Ok(n) => {
                std::fs::File::open(&dst)
                    .and_then(|f| f.sync_all())
                    .with_context(|| format!("syncing {}", dst.display()))?;
                copied += 1;
                bytes += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("copying {} to {}", src.display(), dst.display()));
            }
        }
        progress.show(i as u64 + 1, total, "files");
    }
    progress.end();
    Ok((copied, bytes))
}

/// Writes `value` to `dir/name` through a temporary file renamed into
/// place, synced, so that a half-written file never has the final name.
fn write_synced(dir: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let path = dir.join(name);
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("renaming to {}", path.display()))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))?;
    Ok(())
}

/// Media keys the database refers to that the media directory `media`
/// cannot serve.
async fn missing_media(media: &Path, keys: &[String]) -> anyhow::Result<Vec<String>> {
    use entremise_domain::media::MediaStore;
    let store = entremise_media::ObjectMediaStore::local(media)
        .map_err(|e| anyhow::anyhow!("opening {}: {e}", media.display()))?;
    let mut missing = Vec::new();
    for key in keys {
        let found = store
            .read(key, "full")
            .await
            .map_err(|e| anyhow::anyhow!("reading image {key} in {}: {e}", media.display()))?;
        if found.is_none() {
            missing.push(key.clone());
        }
    }
    Ok(missing)
}

pub fn backup(config_file: Option<&Path>, args: BackupArgs) -> anyhow::Result<()> {
    let config = Config::load(config_file, args.settings)?;
    let source = sqlite_path(&config)?;
    if !source.is_file() {
        bail!(
            "no database at {}: nothing to back up (is --data-dir right?)",
            source.display()
        );
    }
    let dest = &args.dest;
    require_empty(dest, "backup destination")?;
    std::fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    let started = Instant::now();
    let created_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the time")?;

    let mut progress = Progress::new("database");
    let copy =
        entremise_store_sqlite::backup_database(source, &dest.join(DATABASE), |done, all| {
            progress.show(done, all, "pages")
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    progress.end();

    let media_src = config.data_dir.join(MEDIA);
    let media_dst = dest.join(MEDIA);
    let (files, bytes) = copy_tree(&media_src, &media_dst, "media")?;
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let missing = runtime.block_on(missing_media(&media_dst, &copy.media_keys))?;
    if !missing.is_empty() {
        eprintln!(
            "warning: {} image(s) named by the database were gone from {} when copied \
             (deleted with their post after the snapshot?); they are listed in the manifest",
            missing.len(),
            media_src.display()
        );
    }

    let manifest = json!({
        "format": FORMAT,
        "entremise_version": env!("CARGO_PKG_VERSION"),
        "created_at": created_at,
        "source_data_dir": config.data_dir.display().to_string(),
        "database": {
            "file": DATABASE,
            "pages": copy.pages,
            "page_size": copy.page_size,
            "bytes": copy.pages * copy.page_size,
            "integrity_check": "ok",
        },
        "media": {
            "dir": MEDIA,
            "files": files,
            "bytes": bytes,
            "images": copy.media_keys.len(),
            "missing": missing,
        },
        "search": {
            "copied": false,
            "note": "rebuilt from the database by `entremise restore`",
        },
    });
    write_synced(dest, MANIFEST, &serde_json::to_string_pretty(&manifest)?)?;
    eprintln!(
        "backup written to {} in {:.1} s: database {} pages ({:.1} MiB), {files} media files ({:.1} MiB); search index to be rebuilt on restore",
        dest.display(),
        started.elapsed().as_secs_f64(),
        copy.pages,
        (copy.pages * copy.page_size) as f64 / (1024.0 * 1024.0),
        bytes as f64 / (1024.0 * 1024.0),
    );
    Ok(())
}

pub fn restore(config_file: Option<&Path>, args: RestoreArgs) -> anyhow::Result<()> {
    let config = Config::load(config_file, args.settings)?;
    let target = sqlite_path(&config)?.to_path_buf();
    let src = &args.src;
    let manifest_path = src.join(MANIFEST);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).with_context(|| {
            format!(
                "reading {}: not a complete backup (the manifest is written last)",
                manifest_path.display()
            )
        })?)
        .with_context(|| format!("{}: not JSON", manifest_path.display()))?;
    if manifest["format"].as_u64() != Some(FORMAT) {
        bail!(
            "{}: format {} is not one this version restores ({FORMAT})",
            manifest_path.display(),
            manifest["format"]
        );
    }
    require_empty(&config.data_dir, "data directory")?;
    if target.exists() {
        bail!(
            "{} already exists: restore into a new database",
            target.display()
        );
    }
    let started = Instant::now();
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }

    // The database under a temporary name, checked, then renamed: a
    // restore cut short never leaves a half-copied database in place.
    let copied = src.join(DATABASE);
    let tmp = target.with_extension("db.restoring");
    std::fs::copy(&copied, &tmp)
        .with_context(|| format!("copying {} to {}", copied.display(), tmp.display()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {}", tmp.display()))?;
    entremise_store_sqlite::check_database(&tmp).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("renaming {} to {}", tmp.display(), target.display()))?;
    eprintln!("database restored to {}", target.display());

    let (files, _) = copy_tree(&src.join(MEDIA), &config.data_dir.join(MEDIA), "media")?;

    // Opening the store switches it to WAL and applies newer migrations;
    // then the search index is built from it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (profiles, posts) = runtime.block_on(async {
        let store = entremise::server::open_store(&config)?;
        let dir = entremise::server::search_dir(&config);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let (index, _) = entremise_search::TantivyIndex::open(&dir)
            .map_err(|e| anyhow::anyhow!("opening the search index in {}: {e}", dir.display()))?;
        entremise::server::rebuild_search(&*store, std::sync::Arc::new(index)).await
    })?;
    eprintln!(
        "restored {} (backup of {}) into {} in {:.1} s: {files} media files, {profiles} profiles and {posts} posts indexed for search",
        src.display(),
        manifest["created_at"].as_str().unwrap_or("?"),
        config.data_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
