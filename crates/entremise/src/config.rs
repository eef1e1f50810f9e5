//! One typed configuration: defaults, then a TOML file, then `ENTREMISE_*`
//! environment variables, then command-line flags (clap reads the last two).

use anyhow::{Context, bail};
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use entremise_store_sqlite::Durability;

/// Settings that can be given in any layer; `None` means "not said here".
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where the database, the search index and media live.
    #[arg(long, env = "ENTREMISE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "ENTREMISE_LISTEN")]
    pub listen: Option<String>,
    /// `sqlite://FILE` (default: `DATA_DIR/entremise.db`) or `postgres://…`.
    #[arg(long, env = "ENTREMISE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The address members use to reach the server; https makes cookies Secure.
    #[arg(long, env = "ENTREMISE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ENTREMISE_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Address ranges of the proxies in front of the server (CIDR, comma
    /// separated: `10.0.0.0/8,fd00::/8`); their `X-Forwarded-For` names the
    /// client.
    #[arg(long, env = "ENTREMISE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Longest wait between two chunks of a request body, in seconds; then 408.
    #[arg(long, env = "ENTREMISE_BODY_READ_TIMEOUT_SECS")]
    pub body_read_timeout_secs: Option<u64>,
    /// Longest time for a client to send a request's headers, in seconds.
    #[arg(long, env = "ENTREMISE_HEADER_READ_TIMEOUT_SECS")]
    pub header_read_timeout_secs: Option<u64>,
    /// Longest time to answer a request, in seconds; then 503.
    #[arg(long, env = "ENTREMISE_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Longest time to answer an image upload, in seconds; then 503.
    #[arg(long, env = "ENTREMISE_UPLOAD_TIMEOUT_SECS")]
    pub upload_timeout_secs: Option<u64>,
    /// Bodies with images (composer pages, API uploads) read at once; beyond, 503.
    #[arg(long, env = "ENTREMISE_MAX_CONCURRENT_UPLOADS")]
    pub max_concurrent_uploads: Option<usize>,
    /// On Ctrl-C or SIGTERM, how long open requests may finish, in seconds.
    #[arg(long, env = "ENTREMISE_SHUTDOWN_TIMEOUT_SECS")]
    pub shutdown_timeout_secs: Option<u64>,
    /// Multiplies every rate limit's allowance (default 1; a load test
    /// raises it, a small instance under abuse may lower it).
    #[arg(long, env = "ENTREMISE_RATE_LIMIT_SCALE")]
    pub rate_limit_scale: Option<f64>,
    /// `full` (default): a write is on disk before it is acknowledged, and
    /// survives a power cut; `normal`: it survives the server being killed,
    /// but the last ones may be lost on a power cut or system crash.
    #[arg(long, env = "ENTREMISE_SQLITE_SYNCHRONOUS")]
    pub sqlite_synchronous: Option<String>,
    /// The SMTP relay that sends mail (host name). Unset: every mail is
    /// written as an `.eml` file in `DATA_DIR/mail` instead.
    #[arg(long, env = "ENTREMISE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// The relay's port (default: 25 for `none`, 587 for `starttls`, 465
    /// for `tls`).
    #[arg(long, env = "ENTREMISE_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS, "SMTPS") or `none` (plain
    /// text: a relay on this machine only).
    #[arg(long, env = "ENTREMISE_SMTP_TLS")]
    pub smtp_tls: Option<String>,
    /// The user name the relay asks for, if any (with `smtp_password`).
    #[arg(long, env = "ENTREMISE_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// The password the relay asks for, if any (never printed).
    #[arg(long, env = "ENTREMISE_SMTP_PASSWORD")]
    pub smtp_password: Option<Secret>,
    /// The address mail comes from (default: `entremise@` the public URL's
    /// host).
    #[arg(long, env = "ENTREMISE_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The name mail comes from (default: `entremise`).
    #[arg(long, env = "ENTREMISE_MAIL_FROM_NAME")]
    pub mail_from_name: Option<String>,
    /// The token a scraper presents (`Authorization: Bearer`) to read
    /// `/metrics`, at least 16 characters (never printed). Unset: the
    /// metrics are answered to clients on this machine (loopback) only.
    #[arg(long, env = "ENTREMISE_METRICS_TOKEN")]
    pub metrics_token: Option<Secret>,
}

/// A setting that is a secret: never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl Settings {
    /// `self` wins where it says something.
    fn over(self, lower: Settings) -> Settings {
        Settings {
            data_dir: self.data_dir.or(lower.data_dir),
            listen: self.listen.or(lower.listen),
            database_url: self.database_url.or(lower.database_url),
            public_url: self.public_url.or(lower.public_url),
            max_body_bytes: self.max_body_bytes.or(lower.max_body_bytes),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
            body_read_timeout_secs: self.body_read_timeout_secs.or(lower.body_read_timeout_secs),
            header_read_timeout_secs: self
                .header_read_timeout_secs
                .or(lower.header_read_timeout_secs),
            request_timeout_secs: self.request_timeout_secs.or(lower.request_timeout_secs),
            upload_timeout_secs: self.upload_timeout_secs.or(lower.upload_timeout_secs),
            max_concurrent_uploads: self.max_concurrent_uploads.or(lower.max_concurrent_uploads),
            shutdown_timeout_secs: self.shutdown_timeout_secs.or(lower.shutdown_timeout_secs),
            rate_limit_scale: self.rate_limit_scale.or(lower.rate_limit_scale),
            sqlite_synchronous: self.sqlite_synchronous.or(lower.sqlite_synchronous),
            smtp_host: self.smtp_host.or(lower.smtp_host),
            smtp_port: self.smtp_port.or(lower.smtp_port),
            smtp_tls: self.smtp_tls.or(lower.smtp_tls),
            smtp_user: self.smtp_user.or(lower.smtp_user),
            smtp_password: self.smtp_password.or(lower.smtp_password),
            mail_from: self.mail_from.or(lower.mail_from),
            mail_from_name: self.mail_from_name.or(lower.mail_from_name),
            metrics_token: self.metrics_token.or(lower.metrics_token),
        }
    }
}

/// Where the store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            // The URL may hold a password: never print it.
            Self::Postgres(_) => f.write_str("postgres://[redacted]"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub database: Database,
    pub public_url: url::Url,
    pub max_body_bytes: usize,
    pub trusted_proxies: Vec<entremise_web::IpNet>,
    pub body_read_timeout: Duration,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    pub upload_timeout: Duration,
    pub max_concurrent_uploads: usize,
    pub shutdown_timeout: Duration,
    pub rate_limit_scale: f64,
    /// What an acknowledged write survives (SQLite store).
    pub durability: Durability,
    /// Where mail goes.
    pub mail: MailConfig,
    /// What opens `/metrics` to a scraper that is not on this machine.
    pub metrics_token: Option<Secret>,
}

/// Where mail goes: an SMTP relay, or (the embedded default) `.eml` files.
#[derive(Debug, Clone)]
pub enum MailConfig {
    /// Each message written to a file in `dir` (`DATA_DIR/mail`) and logged.
    Files {
        dir: PathBuf,
        from: entremise_mail::Sender,
    },
    Smtp(entremise_mail::SmtpSettings),
}

/// The mail settings: SMTP when `smtp_host` is given, files otherwise.
fn mail_config(s: &Settings, data_dir: &Path, public_url: &url::Url) -> anyhow::Result<MailConfig> {
    let domain = public_url.domain().map(str::to_owned);
    let from = entremise_mail::Sender {
        address: match (&s.mail_from, &domain) {
            (Some(address), _) => address.trim().to_owned(),
            (None, Some(domain)) => format!("entremise@{domain}"),
            (None, None) if s.smtp_host.is_some() => {
                bail!("mail_from: the public URL has no domain name to send from; set mail_from")
            }
            (None, None) => "entremise@localhost".to_owned(),
        },
        name: s
            .mail_from_name
            .clone()
            .unwrap_or_else(|| "entremise".to_owned()),
    };
    from.mailbox()
        .map_err(|e| anyhow::anyhow!("mail_from: {e:?}"))?;
    let Some(host) = s
        .smtp_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    else {
        let stray = [
            ("smtp_port", s.smtp_port.is_some()),
            ("smtp_tls", s.smtp_tls.is_some()),
            ("smtp_user", s.smtp_user.is_some()),
            ("smtp_password", s.smtp_password.is_some()),
        ];
        if let Some((name, _)) = stray.iter().find(|(_, given)| *given) {
            bail!("{name}: given without smtp_host (mail would not use it)");
        }
        return Ok(MailConfig::Files {
            dir: data_dir.join("mail"),
            from,
        });
    };
    let tls = match s.smtp_tls.as_deref() {
        None => entremise_mail::TlsMode::Starttls,
        Some(raw) => entremise_mail::TlsMode::parse(raw)
            .with_context(|| format!("smtp_tls: `{raw}` is none of `none`, `starttls`, `tls`"))?,
    };
    let credentials = match (&s.smtp_user, &s.smtp_password) {
        (Some(user), Some(password)) => Some((user.clone(), password.0.clone())),
        (None, None) => None,
        (Some(_), None) => bail!("smtp_user: given without smtp_password"),
        (None, Some(_)) => bail!("smtp_password: given without smtp_user"),
    };
    Ok(MailConfig::Smtp(entremise_mail::SmtpSettings {
        host: host.to_owned(),
        port: s.smtp_port.unwrap_or(tls.default_port()),
        tls,
        credentials,
        from,
        hello_name: domain.unwrap_or_else(|| "localhost".to_owned()),
        timeout: Duration::from_secs(30),
    }))
}

/// The shortest metrics token accepted: a bearer secret, not a word.
const METRICS_TOKEN_MIN_CHARS: usize = 16;

/// A time limit in seconds, `default` when unsaid; zero is refused.
fn secs(value: Option<u64>, default: u64, name: &str) -> anyhow::Result<Duration> {
    match value.unwrap_or(default) {
        0 => bail!("{name}: at least 1 second"),
        n => Ok(Duration::from_secs(n)),
    }
}

/// Reads the TOML file: the one named, else `entremise.toml` if present.
fn file_settings(path: Option<&Path>) -> anyhow::Result<Settings> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("entremise.toml"), false),
    };
    if !required && !path.exists() {
        return Ok(Settings::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
}

impl Config {
    /// Merges the layers. `cli` holds flags and environment variables.
    pub fn load(config_file: Option<&Path>, cli: Settings) -> anyhow::Result<Self> {
        let s = cli.over(file_settings(config_file)?);
        // The mail settings are read once the public URL is known.
        let mail_settings = s.clone();
        let data_dir = s
            .data_dir
            .unwrap_or_else(|| PathBuf::from("./entremise-data"));
        let listen_raw = s.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_raw.parse().with_context(|| {
            format!("listen: `{listen_raw}` is not an address such as 127.0.0.1:8080")
        })?;
        let database = match s.database_url.as_deref() {
            None => Database::Sqlite(data_dir.join("entremise.db")),
            Some(url) if url.starts_with("sqlite://") => {
                Database::Sqlite(PathBuf::from(&url["sqlite://".len()..]))
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(url.to_owned())
            }
            Some(_) => bail!("database_url: expected sqlite://FILE or postgres://…"),
        };
        let public_url = match s.public_url {
            Some(u) => {
                url::Url::parse(&u).with_context(|| format!("public_url: `{u}` is not a URL"))?
            }
            None => {
                let host = if listen.ip().is_unspecified() {
                    "127.0.0.1".to_owned()
                } else {
                    listen.ip().to_string()
                };
                let host = if listen.is_ipv6() && !listen.ip().is_unspecified() {
                    format!("[{host}]")
                } else {
                    host
                };
                url::Url::parse(&format!("http://{host}:{}", listen.port()))?
            }
        };
        let trusted_proxies = s
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|entry| entry.trim())
            .filter(|entry| !entry.is_empty())
            .map(|entry| entry.parse().context("trusted_proxies"))
            .collect::<anyhow::Result<Vec<entremise_web::IpNet>>>()?;
        let mail = mail_config(&mail_settings, &data_dir, &public_url)?;
        let metrics_token = match s.metrics_token {
            Some(Secret(token)) if token.trim().chars().count() < METRICS_TOKEN_MIN_CHARS => bail!(
                "metrics_token: at least {METRICS_TOKEN_MIN_CHARS} characters (a random string, such as `openssl rand -hex 24` prints)"
            ),
            Some(Secret(token)) => Some(Secret(token.trim().to_owned())),
            None => None,
        };
        Ok(Self {
            data_dir,
            listen,
            database,
            public_url,
            max_body_bytes: s.max_body_bytes.unwrap_or(1024 * 1024),
            trusted_proxies,
            body_read_timeout: secs(s.body_read_timeout_secs, 15, "body_read_timeout_secs")?,
            header_read_timeout: secs(s.header_read_timeout_secs, 10, "header_read_timeout_secs")?,
            request_timeout: secs(s.request_timeout_secs, 30, "request_timeout_secs")?,
            upload_timeout: secs(s.upload_timeout_secs, 300, "upload_timeout_secs")?,
            max_concurrent_uploads: match s.max_concurrent_uploads {
                Some(0) => bail!("max_concurrent_uploads: at least 1"),
                n => n.unwrap_or(4),
            },
            shutdown_timeout: Duration::from_secs(s.shutdown_timeout_secs.unwrap_or(10)),
            rate_limit_scale: match s.rate_limit_scale {
                Some(x) if !(x.is_finite() && x > 0.0) => {
                    bail!("rate_limit_scale: a positive number, such as 1 or 0.5")
                }
                x => x.unwrap_or(1.0),
            },
            durability: match s.sqlite_synchronous.as_deref().map(str::to_ascii_lowercase) {
                None => Durability::Full,
                Some(v) if v == "full" => Durability::Full,
                Some(v) if v == "normal" => Durability::Normal,
                Some(v) => bail!("sqlite_synchronous: `{v}` is neither `full` nor `normal`"),
            },
            mail,
            metrics_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_in_order() {
        let dir = std::env::temp_dir().join(format!("entremise-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/tmp/from-file\"\n",
        )
        .unwrap();
        let cli = Settings {
            data_dir: Some("/tmp/from-flag".into()),
            ..Default::default()
        };
        let c = Config::load(Some(&file), cli).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/from-flag"));
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(
            c.database,
            Database::Sqlite("/tmp/from-flag/entremise.db".into())
        );
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:9000/");
        assert_eq!(c.request_timeout, Duration::from_secs(30));
        assert_eq!(c.shutdown_timeout, Duration::from_secs(10));
        assert_eq!(c.durability, Durability::Full);
        let relaxed = Settings {
            sqlite_synchronous: Some("NORMAL".into()),
            ..Default::default()
        };
        assert_eq!(
            Config::load(None, relaxed).unwrap().durability,
            Durability::Normal
        );
        let wrong = Settings {
            sqlite_synchronous: Some("off".into()),
            ..Default::default()
        };
        let err = format!("{:#}", Config::load(None, wrong).unwrap_err());
        assert!(
            err.contains("sqlite_synchronous") && err.contains("`off`"),
            "{err}"
        );

        std::fs::write(&file, "lisen = 1\n").unwrap();
        let err = Config::load(Some(&file), Settings::default()).unwrap_err();
        assert!(format!("{err:#}").contains("lisen"), "{err:#}");

        let bad = Settings {
            listen: Some("nowhere".into()),
            ..Default::default()
        };
        assert!(Config::load(None, bad).is_err());
        let pg = Settings {
            database_url: Some("postgres://u:secret@h/db".into()),
            ..Default::default()
        };
        let c = Config::load(None, pg).unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_the_flags() {
        let dir = std::env::temp_dir().join(format!("entremise-proxies-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]\n").unwrap();
        assert!(
            Config::load(None, Settings::default())
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let c = Config::load(Some(&file), Settings::default()).unwrap();
        let listed: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(listed, ["10.0.0.0/8", "fd00::/8"]);
        let cli = Settings {
            trusted_proxies: Some(vec!["192.0.2.1".into(), " ".into()]),
            ..Default::default()
        };
        let c = Config::load(Some(&file), cli).unwrap();
        assert_eq!(c.trusted_proxies.len(), 1);
        assert_eq!(c.trusted_proxies[0].to_string(), "192.0.2.1/32");
        // The flag (and its environment variable) is a comma-separated list.
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            settings: Settings,
        }
        let flags = <Flags as clap::Parser>::try_parse_from([
            "entremise",
            "--trusted-proxies",
            "10.0.0.0/8,fd00::/8",
        ])
        .unwrap();
        let c = Config::load(None, flags.settings).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let bad = Settings {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), "10.0.0.0/99".into()]),
            ..Default::default()
        };
        let err = format!("{:#}", Config::load(None, bad).unwrap_err());
        assert!(
            err.contains("trusted_proxies") && err.contains("`10.0.0.0/99`"),
            "{err}"
        );
    }

    #[test]
    fn a_metrics_token_is_long_and_never_printed() {
        assert!(
            Config::load(None, Settings::default())
                .unwrap()
                .metrics_token
                .is_none()
        );
        let given = Settings {
            metrics_token: Some(Secret(" 0123456789abcdef-scrape ".into())),
            ..Default::default()
        };
        let c = Config::load(None, given).unwrap();
        assert_eq!(
            c.metrics_token,
            Some(Secret("0123456789abcdef-scrape".into()))
        );
        assert!(!format!("{c:?}").contains("scrape"), "{c:?}");
        let short = Settings {
            metrics_token: Some(Secret("hunter2".into())),
            ..Default::default()
        };
        let err = format!("{:#}", Config::load(None, short).unwrap_err());
        assert!(
            err.contains("metrics_token") && !err.contains("hunter2"),
            "{err}"
        );
        // The file says it the same way.
        let dir = std::env::temp_dir().join(format!("entremise-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "metrics_token = \"from-the-file-0123456789\"\n").unwrap();
        let c = Config::load(Some(&file), Settings::default()).unwrap();
        assert_eq!(
            c.metrics_token,
            Some(Secret("from-the-file-0123456789".into()))
        );
    }

    #[test]
    fn mail_goes_to_files_unless_a_relay_is_named() {
        let base = Settings {
            data_dir: Some("/tmp/entremise-mail-config".into()),
            public_url: Some("https://net.example.org".into()),
            ..Default::default()
        };
        match Config::load(None, base.clone()).unwrap().mail {
            MailConfig::Files { dir, from } => {
                assert_eq!(dir, PathBuf::from("/tmp/entremise-mail-config/mail"));
                assert_eq!(from.address, "entremise@net.example.org");
                assert_eq!(from.name, "entremise");
            }
            other => panic!("{other:?}"),
        }
        let relay = Settings {
            smtp_host: Some("smtp.example.org".into()),
            smtp_user: Some("robot".into()),
            smtp_password: Some(Secret("hunter2-secret".into())),
            mail_from: Some("no-reply@example.org".into()),
            mail_from_name: Some("Réseau ACME".into()),
            ..base.clone()
        };
        let c = Config::load(None, relay.clone()).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"), "{c:?}");
        assert!(!format!("{relay:?}").contains("hunter2"));
        match c.mail {
            MailConfig::Smtp(smtp) => {
                assert_eq!(smtp.host, "smtp.example.org");
                assert_eq!(smtp.port, 587);
                assert_eq!(smtp.tls, entremise_mail::TlsMode::Starttls);
                assert_eq!(smtp.from.address, "no-reply@example.org");
                assert_eq!(smtp.from.name, "Réseau ACME");
                assert_eq!(smtp.hello_name, "net.example.org");
                assert_eq!(
                    smtp.credentials,
                    Some(("robot".to_owned(), "hunter2-secret".to_owned()))
                );
            }
            other => panic!("{other:?}"),
        }
        let implicit = Settings {
            smtp_host: Some("smtp.example.org".into()),
            smtp_tls: Some("TLS".into()),
            ..base.clone()
        };
        match Config::load(None, implicit).unwrap().mail {
            MailConfig::Smtp(smtp) => {
                assert_eq!((smtp.tls, smtp.port), (entremise_mail::TlsMode::Tls, 465));
                assert_eq!(smtp.credentials, None);
            }
            other => panic!("{other:?}"),
        }
        let refused = |settings: Settings, words: &[&str]| {
            let err = format!("{:#}", Config::load(None, settings).unwrap_err());
            for w in words {
                assert!(err.contains(w), "{err} lacks {w}");
            }
        };
        refused(
            Settings {
                smtp_host: Some("smtp.example.org".into()),
                smtp_tls: Some("ssl".into()),
                ..base.clone()
            },
            &["smtp_tls", "`ssl`"],
        );
        refused(
            Settings {
                smtp_host: Some("smtp.example.org".into()),
                smtp_user: Some("robot".into()),
                ..base.clone()
            },
            &["smtp_user", "smtp_password"],
        );
        refused(
            Settings {
                smtp_port: Some(2525),
                ..base.clone()
            },
            &["smtp_port", "smtp_host"],
        );
        refused(
            Settings {
                mail_from: Some("not an address".into()),
                ..base.clone()
            },
            &["mail_from"],
        );
        // No domain in the public URL: a relay needs mail_from.
        refused(
            Settings {
                public_url: None,
                smtp_host: Some("127.0.0.1".into()),
                ..base
            },
            &["mail_from"],
        );
        // The file and the environment say it the same way.
        let dir = std::env::temp_dir().join(format!("entremise-mailcfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "smtp_host = \"smtp.example.org\"\nsmtp_port = 2525\nsmtp_tls = \"none\"\nmail_from = \"a@example.org\"\n",
        )
        .unwrap();
        match Config::load(Some(&file), Settings::default()).unwrap().mail {
            MailConfig::Smtp(smtp) => {
                assert_eq!((smtp.port, smtp.tls), (2525, entremise_mail::TlsMode::None))
            }
            other => panic!("{other:?}"),
        }
    }
}
