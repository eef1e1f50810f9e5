//! The digest: a mail listing a member's notifications since the last
//! one, in his language, and the scheduler that sends the digests due.
//!
//! *Invariant:* a digest's window ends where the previous one's did, so
//! nothing falls between two digests, and the end of each window is
//! stored (`MailStore::mark_digest_sent`), so a restart neither repeats a
//! digest already handed to the relay nor skips one that fell due while
//! the server was down. The only repeat possible is a crash in the instant
//! between the relay's acceptance and the stored mark: the retry then
//! carries the same `Message-ID`.

use super::unsubscribe::UnsubscribeKey;
use super::{DigestFrequency, Mailer, OutgoingMail};
use crate::AccountId;
use crate::error::Result;
use crate::locale::Locale;
use crate::validate::{Email, Handle};
use async_trait::async_trait;
use icu_locale_core::locale;
use icu_plurals::{PluralCategory, PluralRules};
use std::sync::OnceLock;
use time::OffsetDateTime;

/// At most this many notification lines are listed; the rest are counted.
pub const MAX_LINES: usize = 50;

/// One notification in a digest: what happened, and where to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub text: String,
    /// An absolute URL on this instance.
    pub url: String,
}

/// A member whose digest is due, as the store knows him.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestDue {
    pub account: AccountId,
    pub email: Email,
    pub name: String,
    pub handle: Handle,
    pub locale: Locale,
    pub frequency: DigestFrequency,
    /// The end of the previous digest's window (or when the digest was
    /// turned on): the digest reports what happened after it.
    pub since: OffsetDateTime,
}

/// A digest ready to be mailed: whom to, and the lines to list (those
/// that happened after `member.since` and up to the scheduler's `now`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDigest {
    pub member: DigestDue,
    pub lines: Vec<DigestLine>,
}

/// Where the digests' contents come from: the notifications implement it
/// (over [`super::MailStore::digests_due`] and
/// [`super::MailStore::mark_digest_sent`]).
#[async_trait]
pub trait DigestSource: Send + Sync {
    /// The digests due at `now`, each with the lines that happened in its
    /// window (after `since`, up to `now`).
    async fn due_digests(&self, now: OffsetDateTime) -> Result<Vec<DueDigest>>;
    /// Everything up to `at` was reported to the member: his next window
    /// starts there.
    async fn mark_sent(&self, account: AccountId, at: OffsetDateTime) -> Result<()>;
}

/// The instance's addresses, for the links a digest carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLinks {
    /// The public URL, without a trailing slash (`https://network.example.org`).
    pub base: String,
    /// The host named in `Message-ID`s (`network.example.org`).
    pub host: String,
}

impl DigestLinks {
    /// From the public URL members use.
    pub fn new(public_url: &str, host: &str) -> Self {
        Self {
            base: public_url.trim_end_matches('/').to_owned(),
            host: host.to_owned(),
        }
    }

    pub fn unsubscribe(&self, token: &str) -> String {
        format!("{}/unsubscribe/{token}", self.base)
    }

    pub fn settings(&self, handle: &Handle) -> String {
        format!("{}/@{handle}/edit#email", self.base)
    }
}

/// What a digest says, before it is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDigest {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What [`send_due_digests`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestRun {
    /// Digests handed to the mailer and marked sent.
    pub sent: usize,
    /// Members with nothing to report: their window moved on, no mail.
    pub empty: usize,
    /// Digests the mailer refused, with why (for the caller's log); tried
    /// again at the next run.
    pub failed: Vec<(AccountId, String)>,
}

struct Texts {
    greeting: &'static str,
    intro: &'static str,
    subject_one: &'static str,
    subject_other: &'static str,
    more_one: &'static str,
    more_other: &'static str,
    why_daily: &'static str,
    why_weekly: &'static str,
    settings: &'static str,
    unsubscribe: &'static str,
    /// Before a URL after a label: French puts a space before the colon.
    colon: &'static str,
}

const EN: Texts = Texts {
    greeting: "Hello {name},",
    intro: "Here is what happened on entremise since your last digest:",
    subject_one: "{n} new notification on entremise",
    subject_other: "{n} new notifications on entremise",
    more_one: "… and {n} more notification on entremise: {url}",
    more_other: "… and {n} more notifications on entremise: {url}",
    why_daily: "You receive this daily digest because you asked for it.",
    why_weekly: "You receive this weekly digest because you asked for it.",
    settings: "Change how often you get it",
    unsubscribe: "Stop all e-mails from entremise",
    colon: ": ",
};

const FR: Texts = Texts {
    greeting: "Bonjour {name},",
    intro: "Voici ce qui s'est passé sur entremise depuis votre dernier résumé\u{a0}:",
    subject_one: "{n} nouvelle notification sur entremise",
    subject_other: "{n} nouvelles notifications sur entremise",
    more_one: "… et {n} autre notification sur entremise\u{a0}: {url}",
    more_other: "… et {n} autres notifications sur entremise\u{a0}: {url}",
    why_daily: "Vous recevez ce résumé quotidien parce que vous l'avez demandé.",
    why_weekly: "Vous recevez ce résumé hebdomadaire parce que vous l'avez demandé.",
    settings: "Changer sa fréquence",
    unsubscribe: "Ne plus recevoir aucun e-mail d'entremise",
    colon: "\u{a0}: ",
};

/// Whether `n` takes the singular in `locale` (CLDR: French says "0
/// nouvelle notification", English "0 new notifications").
fn is_one(locale: Locale, n: usize) -> bool {
    static RULES: OnceLock<(PluralRules, PluralRules)> = OnceLock::new();
    let (en, fr) = RULES.get_or_init(|| {
        (
            PluralRules::try_new(locale!("en").into(), Default::default())
                .expect("English plural rules are compiled in"),
            PluralRules::try_new(locale!("fr").into(), Default::default())
                .expect("French plural rules are compiled in"),
        )
    });
    let rules = match locale {
        Locale::En => en,
        Locale::Fr => fr,
    };
    rules.category_for(n as u64) == PluralCategory::One
}

fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::En => &EN,
        Locale::Fr => &FR,
    }
}

/// Escapes text for HTML element content and quoted attributes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A text on one line: notification texts come from members (names,
/// post excerpts), so line breaks are folded to spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The digest of `lines` for a member, in his language: a subject that
/// counts them (CLDR plurals), a plain-text body and its HTML alternative,
/// each listing at most [`MAX_LINES`] lines (the others counted, with a
/// link to the site), why he gets it, where to change how often, and the
/// unsubscribe link. Pure: no clock, no IO.
pub fn render_digest(
    locale: Locale,
    name: &str,
    frequency: DigestFrequency,
    lines: &[DigestLine],
    links: &DigestLinks,
    settings_url: &str,
    unsubscribe_url: &str,
) -> RenderedDigest {
    let t = texts(locale);
    let n = lines.len();
    let subject = if is_one(locale, n) {
        t.subject_one
    } else {
        t.subject_other
    }
    .replace("{n}", &n.to_string());
    let name = one_line(name);
    let greeting = t.greeting.replace("{name}", &name);
    let shown = &lines[..n.min(MAX_LINES)];
    let rest = n - shown.len();
    let more = (rest > 0).then(|| {
        if is_one(locale, rest) {
            t.more_one
        } else {
            t.more_other
        }
        .replace("{n}", &rest.to_string())
    });
    let why = match frequency {
        DigestFrequency::Weekly => t.why_weekly,
        _ => t.why_daily,
    };
    let home = format!("{}/", links.base);

    let mut text = format!("{greeting}\n\n{}\n\n", t.intro);
    for line in shown {
        text.push_str(&format!("- {}\n  {}\n", one_line(&line.text), line.url));
    }
    if let Some(more) = &more {
        text.push_str(&format!("\n{}\n", more.replace("{url}", &home)));
    }
    text.push_str(&format!(
        "\n-- \n{why}\n{}{}{settings_url}\n{}{}{unsubscribe_url}\n",
        t.settings, t.colon, t.unsubscribe, t.colon
    ));

    let mut html = format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n<p>{}</p>\n<p>{}</p>\n<ul>\n",
        locale.as_str(),
        escape(&subject),
        escape(&greeting),
        escape(t.intro)
    );
    for line in shown {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            escape(&line.url),
            escape(&one_line(&line.text))
        ));
    }
    html.push_str("</ul>\n");
    if let Some(more) = &more {
        let (before, _) = more.split_once("{url}").unwrap_or((more.as_str(), ""));
        html.push_str(&format!(
            "<p>{}<a href=\"{}\">{}</a></p>\n",
            escape(before),
            escape(&home),
            escape(&home)
        ));
    }
    html.push_str(&format!(
        "<hr>\n<p><small>{}<br><a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></small></p>\n</body>\n</html>\n",
        escape(why),
        escape(settings_url),
        escape(t.settings),
        escape(unsubscribe_url),
        escape(t.unsubscribe)
    ));
    RenderedDigest {
        subject,
        text,
        html,
    }
}

/// The mail of one due digest, issued at `now`: addressed to the member,
/// with a fresh unsubscribe token in the body and in `List-Unsubscribe`
/// (one-click, RFC 8058), and a `Message-ID` that names the digest's
/// window, so a retry of the same digest carries the same id.
pub fn digest_mail(
    digest: &DueDigest,
    key: &UnsubscribeKey,
    links: &DigestLinks,
    now: OffsetDateTime,
) -> OutgoingMail {
    let member = &digest.member;
    let unsubscribe_url = links.unsubscribe(&key.issue(member.account, now));
    let rendered = render_digest(
        member.locale,
        &member.name,
        member.frequency,
        &digest.lines,
        links,
        &links.settings(&member.handle),
        &unsubscribe_url,
    );
    OutgoingMail {
        to: member.email.clone(),
        to_name: one_line(&member.name),
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        headers: vec![
            ("List-Unsubscribe".into(), format!("<{unsubscribe_url}>")),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
            ("Auto-Submitted".into(), "auto-generated".into()),
        ],
        message_id: Some(format!(
            "<digest.{}.{}@{}>",
            member.account,
            member.since.unix_timestamp(),
            links.host
        )),
    }
}

/// Sends every digest due at `now`, one after the other: each is handed
/// to the mailer, then marked sent up to `now`. A digest with no line is
/// not mailed, but its window still moves on to `now`. A digest the mailer
/// refuses is left unmarked, so the next run tries it again with the same
/// window; the others go on. Fails only when the due digests cannot be
/// read or a sent one cannot be marked (stopping there, so that nothing is
/// sent that could not be recorded).
pub async fn send_due_digests(
    source: &dyn DigestSource,
    mailer: &dyn Mailer,
    key: &UnsubscribeKey,
    links: &DigestLinks,
    now: OffsetDateTime,
) -> Result<DigestRun> {
    let mut run = DigestRun::default();
    for digest in source.due_digests(now).await? {
        let account = digest.member.account;
        if digest.lines.is_empty() {
            source.mark_sent(account, now).await?;
            run.empty += 1;
            continue;
        }
        let mail = digest_mail(&digest, key, links, now);
        match mailer.send(&mail).await {
            Ok(()) => {
                source.mark_sent(account, now).await?;
                run.sent += 1;
            }
            Err(e) => run.failed.push((account, e.to_string())),
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn links() -> DigestLinks {
        DigestLinks::new("https://net.example.org/", "net.example.org")
    }

    fn lines(n: usize) -> Vec<DigestLine> {
        (0..n)
            .map(|i| DigestLine {
                text: format!("Notification {i}"),
                url: format!("https://net.example.org/posts/{i}"),
            })
            .collect()
    }

    fn render(locale: Locale, n: usize) -> RenderedDigest {
        render_digest(
            locale,
            "Zoé <Martin>",
            DigestFrequency::Weekly,
            &lines(n),
            &links(),
            "https://net.example.org/@zoe/edit#email",
            "https://net.example.org/unsubscribe/TOKEN",
        )
    }

    #[test]
    fn the_subject_counts_in_each_language_plural_forms() {
        assert_eq!(
            render(Locale::Fr, 0).subject,
            "0 nouvelle notification sur entremise"
        );
        assert_eq!(
            render(Locale::Fr, 1).subject,
            "1 nouvelle notification sur entremise"
        );
        assert_eq!(
            render(Locale::Fr, 2).subject,
            "2 nouvelles notifications sur entremise"
        );
        assert_eq!(
            render(Locale::En, 0).subject,
            "0 new notifications on entremise"
        );
        assert_eq!(
            render(Locale::En, 1).subject,
            "1 new notification on entremise"
        );
        assert_eq!(
            render(Locale::En, 12).subject,
            "12 new notifications on entremise"
        );
    }

    #[test]
    fn the_body_greets_lists_and_says_how_to_stop_in_the_member_language() {
        let fr = render(Locale::Fr, 2);
        assert!(
            fr.text.starts_with("Bonjour Zoé <Martin>,\n"),
            "{}",
            fr.text
        );
        assert!(
            fr.text
                .contains("- Notification 1\n  https://net.example.org/posts/1\n")
        );
        assert!(fr.text.contains("résumé hebdomadaire"));
        assert!(fr.text.contains(
            "Ne plus recevoir aucun e-mail d'entremise\u{a0}: https://net.example.org/unsubscribe/TOKEN"
        ));
        let en = render(Locale::En, 2);
        assert!(en.text.starts_with("Hello Zoé <Martin>,\n"));
        assert!(en.text.contains("weekly digest"));
        assert!(en.text.contains("https://net.example.org/@zoe/edit#email"));
        // The HTML alternative escapes what members wrote.
        assert!(en.html.contains("<html lang=\"en\">"));
        assert!(en.html.contains("Hello Zoé &lt;Martin&gt;,"));
        assert!(!en.html.contains("<Martin>"));
        assert!(
            en.html
                .contains("<a href=\"https://net.example.org/posts/0\">Notification 0</a>")
        );
        assert!(
            en.html
                .contains("href=\"https://net.example.org/unsubscribe/TOKEN\"")
        );
    }

    #[test]
    fn long_digests_list_fifty_lines_and_count_the_rest() {
        let en = render(Locale::En, MAX_LINES + 1);
        assert!(en.text.contains(&format!("Notification {}", MAX_LINES - 1)));
        assert!(!en.text.contains(&format!("Notification {MAX_LINES}\n")));
        assert!(
            en.text
                .contains("… and 1 more notification on entremise: https://net.example.org/")
        );
        let fr = render(Locale::Fr, MAX_LINES + 3);
        assert!(
            fr.text.contains(
                "… et 3 autres notifications sur entremise\u{a0}: https://net.example.org/"
            )
        );
        assert!(fr.html.contains(
            "… et 3 autres notifications sur entremise\u{a0}: <a href=\"https://net.example.org/\">"
        ));
    }

    #[test]
    fn a_line_break_in_a_member_text_cannot_forge_lines() {
        let digest = render_digest(
            Locale::En,
            "Eve\r\nBcc: x@example.org",
            DigestFrequency::Daily,
            &[DigestLine {
                text: "hi\n- fake line".into(),
                url: "https://net.example.org/x".into(),
            }],
            &links(),
            "s",
            "u",
        );
        assert!(digest.text.starts_with("Hello Eve Bcc: x@example.org,\n"));
        assert!(digest.text.contains("- hi - fake line\n"));
    }

    #[test]
    fn a_digest_mail_carries_one_click_unsubscribe_and_a_stable_id() {
        let key = UnsubscribeKey::new([1; 32]);
        let since = datetime!(2026-03-01 08:00 UTC);
        let now = datetime!(2026-03-08 08:00 UTC);
        let digest = DueDigest {
            member: DigestDue {
                account: AccountId(7),
                email: Email::parse("zoe@example.org").unwrap(),
                name: "Zoé".into(),
                handle: Handle::parse("zoe").unwrap(),
                locale: Locale::Fr,
                frequency: DigestFrequency::Weekly,
                since,
            },
            lines: lines(1),
        };
        let mail = digest_mail(&digest, &key, &links(), now);
        assert_eq!(mail.to.as_str(), "zoe@example.org");
        assert_eq!(mail.subject, "1 nouvelle notification sur entremise");
        let header = |name: &str| {
            mail.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let list = header("List-Unsubscribe");
        let url = list.trim_start_matches('<').trim_end_matches('>');
        let token = url
            .strip_prefix("https://net.example.org/unsubscribe/")
            .unwrap();
        assert_eq!(key.verify(token, now), Ok(AccountId(7)));
        assert!(mail.text.contains(url));
        assert_eq!(
            header("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        // Issued later (a retry), the same digest keeps its id.
        let again = digest_mail(&digest, &key, &links(), now + time::Duration::hours(1));
        assert_eq!(mail.message_id, again.message_id);
        assert_eq!(
            mail.message_id.as_deref(),
            Some(format!("<digest.7.{}@net.example.org>", since.unix_timestamp()).as_str())
        );
    }
}
