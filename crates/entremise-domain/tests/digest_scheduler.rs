//! The digest scheduler against a source that keeps its state like the
//! store does (each member's window end survives a "restart": a new
//! scheduler run over the same state), and a mailer that records or
//! refuses.

use async_trait::async_trait;
use entremise_domain::locale::Locale;
use entremise_domain::mail::digest::{
    DigestDue, DigestLine, DigestLinks, DigestSource, DueDigest, send_due_digests,
};
use entremise_domain::mail::unsubscribe::UnsubscribeKey;
use entremise_domain::mail::{DigestFrequency, Mailer, OutgoingMail};
use entremise_domain::validate::{Email, Handle};
use entremise_domain::{AccountId, Error, Result};
use std::sync::Mutex;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-02 07:00 UTC);

struct Member {
    account: AccountId,
    handle: &'static str,
    locale: Locale,
    frequency: DigestFrequency,
    since: OffsetDateTime,
}

/// Members with their window ends, and notifications `(account, at, text)`.
struct FakeSource {
    members: Mutex<Vec<Member>>,
    notifications: Mutex<Vec<(AccountId, OffsetDateTime, String)>>,
}

impl FakeSource {
    fn new(members: Vec<Member>) -> Self {
        Self {
            members: Mutex::new(members),
            notifications: Mutex::new(Vec::new()),
        }
    }

    fn notify(&self, account: i64, at: OffsetDateTime, text: &str) {
        self.notifications
            .lock()
            .unwrap()
            .push((AccountId(account), at, text.to_owned()));
    }

    fn since(&self, account: i64) -> OffsetDateTime {
        self.members
            .lock()
            .unwrap()
            .iter()
            .find(|m| m.account == AccountId(account))
            .unwrap()
            .since
    }
}

#[async_trait]
impl DigestSource for FakeSource {
    async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>> {
        let members = self.members.lock().unwrap();
        let notifications = self.notifications.lock().unwrap();
        Ok(members
            .iter()
            .filter(|m| {
                m.frequency
                    .period()
                    .is_some_and(|period| m.since + period <= now)
            })
            .map(|m| DueDigest {
                member: DigestDue {
                    account: m.account,
                    email: Email::parse(&format!("{}@example.org", m.handle)).unwrap(),
                    name: m.handle.to_uppercase(),
                    handle: Handle::parse(m.handle).unwrap(),
                    locale: m.locale,
                    frequency: m.frequency,
                    since: m.since,
                },
                lines: notifications
                    .iter()
                    .filter(|(a, at, _)| *a == m.account && *at > m.since && *at <= now)
                    .map(|(_, at, text)| DigestLine {
                        text: text.clone(),
                        url: format!("https://net.example.org/n/{}", at.unix_timestamp()),
                    })
                    .collect(),
            })
            .collect())
    }

    async fn mark_sent(&self, account: AccountId, at: OffsetDateTime) -> Result<()> {
        let mut members = self.members.lock().unwrap();
        let m = members.iter_mut().find(|m| m.account == account).unwrap();
        m.since = m.since.max(at);
        Ok(())
    }
}

#[derive(Default)]
struct RecordingMailer {
    sent: Mutex<Vec<OutgoingMail>>,
    refuse: Mutex<bool>,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<()> {
        if *self.refuse.lock().unwrap() {
            return Err(Error::internal("relay down"));
        }
        self.sent.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

impl RecordingMailer {
    fn subjects(&self) -> Vec<(String, String)> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|m| (m.to.as_str().to_owned(), m.subject.clone()))
            .collect()
    }
}

fn links() -> DigestLinks {
    DigestLinks::new("https://net.example.org", "net.example.org")
}

fn key() -> UnsubscribeKey {
    UnsubscribeKey::new([3; 32])
}

fn cast() -> FakeSource {
    FakeSource::new(vec![
        Member {
            account: AccountId(1),
            handle: "ada",
            locale: Locale::En,
            frequency: DigestFrequency::Daily,
            since: T0,
        },
        Member {
            account: AccountId(2),
            handle: "zoe",
            locale: Locale::Fr,
            frequency: DigestFrequency::Weekly,
            since: T0,
        },
        Member {
            account: AccountId(3),
            handle: "bob",
            locale: Locale::En,
            frequency: DigestFrequency::Off,
            since: T0,
        },
    ])
}

#[tokio::test]
async fn a_due_digest_is_sent_once_and_the_next_window_starts_where_it_ended() {
    let source = cast();
    let mailer = RecordingMailer::default();
    source.notify(
        1,
        T0 + Duration::hours(2),
        "Bob accepted your contact request",
    );
    source.notify(1, T0 + Duration::hours(3), "Carol commented on your post");
    source.notify(2, T0 + Duration::hours(3), "Ada vous a présenté à Bob");
    source.notify(3, T0 + Duration::hours(3), "never mailed: digest off");

    // Not yet a day: nothing is due.
    let run = send_due_digests(&source, &mailer, &key(), &links(), T0 + Duration::hours(23))
        .await
        .unwrap();
    assert_eq!((run.sent, run.empty, run.failed.len()), (0, 0, 0));

    let day1 = T0 + Duration::days(1);
    let run = send_due_digests(&source, &mailer, &key(), &links(), day1)
        .await
        .unwrap();
    assert_eq!((run.sent, run.empty), (1, 0));
    assert_eq!(
        mailer.subjects(),
        [(
            "ada@example.org".to_owned(),
            "2 new notifications on entremise".to_owned()
        )]
    );
    assert_eq!(source.since(1), day1);
    // Asked again at the same instant, or a little later: nothing twice.
    for later in [day1, day1 + Duration::hours(5)] {
        let run = send_due_digests(&source, &mailer, &key(), &links(), later)
            .await
            .unwrap();
        assert_eq!(run.sent, 0);
    }
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);

    // The next day's digest holds only what came after the first one.
    source.notify(1, day1 + Duration::hours(1), "Dan wants to connect");
    let run = send_due_digests(&source, &mailer, &key(), &links(), T0 + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(run.sent, 1);
    let second = mailer.sent.lock().unwrap()[1].clone();
    assert_eq!(second.subject, "1 new notification on entremise");
    assert!(second.text.contains("Dan wants to connect"));
    assert!(!second.text.contains("Carol commented"));

    // A week on, Zoé gets hers in French; Bob (off) never.
    let run = send_due_digests(&source, &mailer, &key(), &links(), T0 + Duration::days(7))
        .await
        .unwrap();
    let subjects = mailer.subjects();
    assert!(subjects.contains(&(
        "zoe@example.org".to_owned(),
        "1 nouvelle notification sur entremise".to_owned()
    )));
    assert!(subjects.iter().all(|(to, _)| to != "bob@example.org"));
    // Ada had nothing new since day 2: her window moves on without a mail.
    assert_eq!((run.sent, run.empty), (1, 1));
    assert_eq!(source.since(1), T0 + Duration::days(7));
}

#[tokio::test]
async fn a_digest_due_while_the_server_was_down_is_sent_at_restart_with_everything_since() {
    let source = cast();
    let mailer = RecordingMailer::default();
    source.notify(1, T0 + Duration::hours(1), "before the outage");
    source.notify(1, T0 + Duration::days(2), "during the outage");
    // The server was down from T0 + 20 h to T0 + 3 days: the first run
    // after the restart finds the digest due, not skipped.
    let restart = T0 + Duration::days(3);
    let run = send_due_digests(&source, &mailer, &key(), &links(), restart)
        .await
        .unwrap();
    assert_eq!(run.sent, 1);
    let mail = mailer.sent.lock().unwrap()[0].clone();
    assert!(mail.text.contains("before the outage") && mail.text.contains("during the outage"));
    assert_eq!(source.since(1), restart);
}

#[tokio::test]
async fn a_refused_digest_is_not_marked_and_is_retried_with_the_same_id() {
    let source = cast();
    let mailer = RecordingMailer::default();
    source.notify(
        1,
        T0 + Duration::hours(1),
        "Bob accepted your contact request",
    );
    *mailer.refuse.lock().unwrap() = true;
    let day1 = T0 + Duration::days(1);
    let run = send_due_digests(&source, &mailer, &key(), &links(), day1)
        .await
        .unwrap();
    assert_eq!(run.sent, 0);
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].0, AccountId(1));
    assert!(run.failed[0].1.contains("relay down"), "{:?}", run.failed);
    assert_eq!(source.since(1), T0, "a refused digest keeps its window");

    *mailer.refuse.lock().unwrap() = false;
    let retry = day1 + Duration::minutes(5);
    let run = send_due_digests(&source, &mailer, &key(), &links(), retry)
        .await
        .unwrap();
    assert_eq!(run.sent, 1);
    let mail = mailer.sent.lock().unwrap()[0].clone();
    assert!(mail.text.contains("Bob accepted"));
    assert_eq!(
        mail.message_id,
        Some(format!(
            "<digest.1.{}@net.example.org>",
            T0.unix_timestamp()
        ))
    );
    assert_eq!(source.since(1), retry);
}
