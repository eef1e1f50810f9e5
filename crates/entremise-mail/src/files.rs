//! The embedded default: mail written as `.eml` files in a directory.

use crate::{Sender, message_of};
use async_trait::async_trait;
use entremise_domain::mail::{Mailer, OutgoingMail};
use entremise_domain::{Error, Result};
use lettre::message::Mailbox;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The `Mailer` that keeps every message as a file
/// (`20260307T080000.123456789Z-1.eml`, sortable by time) in one
/// directory, and logs its path and subject. A file is written under a
/// temporary name, flushed to disk, then renamed, so a message counted as
/// sent is complete on disk and never half-written.
#[derive(Debug)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
    /// Makes names unique within one process (times may repeat).
    counter: AtomicU64,
}

impl FileMailer {
    /// Creates the directory if needed.
    pub fn new(dir: &Path, from: &Sender) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::internal(format!("creating {}: {e}", dir.display())))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            from: from.mailbox()?,
            counter: AtomicU64::new(0),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_name(&self) -> String {
        let now = time::OffsetDateTime::now_utc();
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}.{:09}Z-{}-{}.eml",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.nanosecond(),
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed),
        )
    }
}

/// Writes `bytes` to `path` durably: a temporary file, fsync, rename.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("eml.partial");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself is on disk once the directory is.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        let bytes = message_of(mail, &self.from)?.formatted();
        let path = self.dir.join(self.file_name());
        let target = path.clone();
        tokio::task::spawn_blocking(move || write_durably(&target, &bytes))
            .await
            .map_err(|e| Error::internal(format!("writing mail: {e}")))?
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::StorageFull {
                    Error::StorageFull(format!("writing mail {}: {e}", path.display()))
                } else {
                    Error::internal(format!("writing mail {}: {e}", path.display()))
                }
            })?;
        tracing::info!(
            path = %path.display(),
            subject = %mail.subject,
            "mail written to a file (no SMTP relay configured)"
        );
        Ok(())
    }
}
