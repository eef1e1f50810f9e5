//! The SMTP adapter against a real SMTP server on loopback: aiosmtpd with
//! its Maildir handler, started by `scripts/smtp-test-server.sh start`,
//! which prints the two variables this test reads:
//!
//! - `ENTREMISE_TEST_SMTP=127.0.0.1:PORT`: the server;
//! - `ENTREMISE_TEST_SMTP_MAILDIR=DIR`: the Maildir it writes to.
//!
//! Without `ENTREMISE_TEST_SMTP` the test says it is skipped and returns;
//! with it, a server that cannot be reached fails the test.

use entremise_domain::mail::{Mailer, OutgoingMail};
use entremise_domain::validate::Email;
use entremise_mail::{Sender, SmtpMailer, SmtpSettings, TlsMode};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The server and its Maildir, or `None` (skipped) when unset.
fn server() -> Option<(String, u16, PathBuf)> {
    let Ok(addr) = std::env::var("ENTREMISE_TEST_SMTP") else {
        eprintln!(
            "SKIPPED: ENTREMISE_TEST_SMTP is not set; start a server with \
             `eval \"$(scripts/smtp-test-server.sh start)\"` to run this test"
        );
        return None;
    };
    let (host, port) = addr
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("ENTREMISE_TEST_SMTP={addr}: expected HOST:PORT"));
    let port = port
        .parse()
        .unwrap_or_else(|_| panic!("ENTREMISE_TEST_SMTP={addr}: bad port"));
    let maildir = std::env::var("ENTREMISE_TEST_SMTP_MAILDIR").unwrap_or_else(|_| {
        panic!("ENTREMISE_TEST_SMTP is set but ENTREMISE_TEST_SMTP_MAILDIR is not")
    });
    Some((host.to_owned(), port, PathBuf::from(maildir)))
}

/// The message in the Maildir whose text contains `marker`, waiting a
/// few seconds for the server to write it.
fn received(maildir: &Path, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if let Ok(text) = std::fs::read_to_string(&path)
                    && text.contains(marker)
                {
                    return text;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no message with {marker} in {}",
            maildir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn a_mail_sent_through_the_relay_arrives_as_sent() {
    let Some((host, port, maildir)) = server() else {
        return;
    };
    let marker = format!(
        "marker-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let mailer = SmtpMailer::new(&SmtpSettings {
        host: host.clone(),
        port,
        tls: TlsMode::None,
        credentials: None,
        from: Sender {
            address: "entremise@net.example.org".into(),
            name: "entremise".into(),
        },
        hello_name: "net.example.org".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    let mail = OutgoingMail {
        to: Email::parse("zoe@example.org").unwrap(),
        to_name: "Zoé Martin".into(),
        subject: "Résumé : 1 nouvelle notification".into(),
        text: format!("Bonjour Zoé,\n\n- Ada vous a présentée à Bob\n{marker}\n"),
        html: Some(format!("<p>Bonjour Zoé,</p><p>{marker}</p>")),
        headers: vec![
            (
                "List-Unsubscribe".into(),
                format!("<https://net.example.org/unsubscribe/{marker}>"),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
        message_id: Some(format!("<digest.{marker}@net.example.org>")),
    };
    mailer
        .send(&mail)
        .await
        .unwrap_or_else(|e| panic!("sending through {host}:{port}: {e:?}"));

    let got = received(&maildir, &format!("unsubscribe/{marker}"));
    // The envelope, as the server saw it (aiosmtpd adds these headers).
    assert!(
        got.contains("X-MailFrom: entremise@net.example.org"),
        "{got}"
    );
    assert!(got.contains("X-RcptTo: zoe@example.org"), "{got}");
    assert!(
        got.contains("From: entremise <entremise@net.example.org>"),
        "{got}"
    );
    assert!(got.contains("zoe@example.org"), "{got}");
    assert!(
        got.contains("Subject: =?utf-8?"),
        "the subject is encoded: {got}"
    );
    assert!(got.contains(&format!("Message-ID: <digest.{marker}@net.example.org>")));
    assert!(got.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(got.contains("multipart/alternative"));
    assert!(got.contains(&marker));
}

#[tokio::test]
async fn a_relay_that_is_not_there_fails_the_send() {
    // Runs with or without the test server: a closed port on loopback.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mailer = SmtpMailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        credentials: None,
        from: Sender {
            address: "entremise@net.example.org".into(),
            name: String::new(),
        },
        hello_name: "net.example.org".into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let mail = OutgoingMail {
        to: Email::parse("zoe@example.org").unwrap(),
        to_name: String::new(),
        subject: "never".into(),
        text: "never\n".into(),
        html: None,
        headers: Vec::new(),
        message_id: None,
    };
    let err = mailer.send(&mail).await.unwrap_err();
    assert!(
        format!("{err}").contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}
