//! Sending through an SMTP relay.

use crate::{Sender, message_of};
use async_trait::async_trait;
use entremise_domain::mail::{Mailer, OutgoingMail};
use entremise_domain::{Error, Result};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: only for a relay on the same machine or a trusted
    /// network (port 25 by default).
    None,
    /// Plain text upgraded with STARTTLS, which the relay must offer
    /// (port 587 by default). The default mode.
    Starttls,
    /// TLS from the first byte, "SMTPS" (port 465 by default).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "starttls" => Some(Self::Starttls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }

    /// The usual port of the mode.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::Starttls => 587,
            Self::Tls => 465,
        }
    }
}

/// Where and how to reach the relay. The password never shows in Debug.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// User name and password, when the relay asks for them.
    pub credentials: Option<(String, String)>,
    pub from: Sender,
    /// The name the server gives in `EHLO` (the public URL's host).
    pub hello_name: String,
    /// How long to wait for the relay at each step.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field(
                "user",
                &self.credentials.as_ref().map(|(user, _)| user.as_str()),
            )
            .field("from", &self.from)
            .field("hello_name", &self.hello_name)
            .finish_non_exhaustive()
    }
}

/// The `Mailer` on an SMTP relay. Connections are pooled and opened on
/// demand: building one contacts nobody, and a relay that is down fails
/// the sends (which the digest retries), not the server's start. Built
/// and dropped inside a tokio runtime (the pool runs a task).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// For the log: `host:port (mode)`.
    relay: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("relay", &self.relay)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Checks the settings (sender address, TLS parameters) and prepares
    /// the transport.
    pub fn new(settings: &SmtpSettings) -> Result<Self> {
        let from = settings.from.mailbox()?;
        let tls_parameters = || {
            TlsParameters::new(settings.host.clone())
                .map_err(|e| Error::internal(format!("SMTP TLS for {}: {e}", settings.host)))
        };
        let tls = match settings.tls {
            TlsMode::None => Tls::None,
            TlsMode::Starttls => Tls::Required(tls_parameters()?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .hello_name(ClientId::Domain(settings.hello_name.clone()))
            .timeout(Some(settings.timeout));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            relay: format!(
                "{}:{} ({})",
                settings.host,
                settings.port,
                settings.tls.as_str()
            ),
        })
    }

    /// `host:port (mode)`, for the log.
    pub fn relay(&self) -> &str {
        &self.relay
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        let message = message_of(mail, &self.from)?;
        self.transport.send(message).await.map_err(|e| {
            Error::internal(format!("SMTP relay {} refused or failed: {e}", self.relay))
        })?;
        tracing::debug!(relay = %self.relay, subject = %mail.subject, "mail sent");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_back_and_have_their_ports() {
        for (mode, port) in [
            (TlsMode::None, 25),
            (TlsMode::Starttls, 587),
            (TlsMode::Tls, 465),
        ] {
            assert_eq!(TlsMode::parse(mode.as_str()), Some(mode));
            assert_eq!(mode.default_port(), port);
        }
        assert_eq!(TlsMode::parse("STARTTLS"), Some(TlsMode::Starttls));
        assert_eq!(TlsMode::parse("ssl"), None);
    }

    /// (A pooled transport is made and dropped inside a tokio runtime.)
    #[tokio::test]
    async fn the_password_is_never_printed() {
        let settings = SmtpSettings {
            host: "smtp.example.org".into(),
            port: 587,
            tls: TlsMode::Starttls,
            credentials: Some(("robot".into(), "hunter2-secret".into())),
            from: Sender {
                address: "entremise@example.org".into(),
                name: "entremise".into(),
            },
            hello_name: "net.example.org".into(),
            timeout: Duration::from_secs(30),
        };
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("robot") && !shown.contains("hunter2"),
            "{shown}"
        );
        let mailer = SmtpMailer::new(&settings).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
        assert_eq!(mailer.relay(), "smtp.example.org:587 (starttls)");
    }
}
