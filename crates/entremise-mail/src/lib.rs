//! The entremise [`Mailer`](entremise_domain::mail::Mailer) adapters:
//!
//! - [`SmtpMailer`]: an SMTP relay (plain, STARTTLS or implicit TLS, with
//!   optional credentials), through lettre on tokio with rustls;
//! - [`FileMailer`]: the embedded default when no relay is configured:
//!   each message written as an `.eml` file in a directory (`DATA_DIR/mail`)
//!   and logged with its path and subject, so nothing is lost and anyone
//!   can open them in a mail client or a text editor.
//!
//! Both turn an [`OutgoingMail`] into the same RFC 5322 message
//! ([`message_of`]): `From` the instance's sender, `To` the member, a
//! plain-text part and, when given, an HTML alternative, and the extra
//! headers (`List-Unsubscribe`…).

mod files;
mod smtp;

pub use files::FileMailer;
pub use smtp::{SmtpMailer, SmtpSettings, TlsMode};

use entremise_domain::mail::OutgoingMail;
use entremise_domain::{Error, Result};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// Who the instance's mail comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// `entremise@network.example.org`.
    pub address: String,
    /// The display name (`entremise`, or the instance's name).
    pub name: String,
}

impl Sender {
    /// Checks the address; `Invalid` on `mail_from` otherwise.
    pub fn mailbox(&self) -> Result<Mailbox> {
        let address = self.address.parse().map_err(|e| {
            Error::invalid("mail_from", "invalid", format!("`{}`: {e}", self.address))
        })?;
        let name = (!self.name.trim().is_empty()).then(|| self.name.trim().to_owned());
        Ok(Mailbox::new(name, address))
    }
}

/// Whether a header may be added as given: a name of printable ASCII
/// without a colon, and a value on one line (no header injection).
fn header_ok(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        && !value.chars().any(char::is_control)
}

/// The RFC 5322 message of `mail`, from `from`, dated now.
pub fn message_of(mail: &OutgoingMail, from: &Mailbox) -> Result<Message> {
    let fail = |what: &str, e: &dyn std::fmt::Display| Error::internal(format!("mail {what}: {e}"));
    let to_address = mail
        .to
        .as_str()
        .parse()
        .map_err(|e| fail("recipient", &e))?;
    let to_name = (!mail.to_name.trim().is_empty()).then(|| mail.to_name.trim().to_owned());
    let builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(to_name, to_address))
        .subject(mail.subject.clone())
        .date_now()
        .message_id(mail.message_id.clone());
    let mut message = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(mail.text.clone())),
    }
    .map_err(|e| fail("message", &e))?;
    for (name, value) in &mail.headers {
        if !header_ok(name, value) {
            return Err(Error::internal(format!("mail header `{name}` refused")));
        }
        let header = HeaderName::new_from_ascii(name.clone()).map_err(|e| fail("header", &e))?;
        message
            .headers_mut()
            .insert_raw(HeaderValue::new(header, value.clone()));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entremise_domain::validate::Email;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to: Email::parse("zoe@example.org").unwrap(),
            to_name: "Zoé Martin".into(),
            subject: "Résumé : 2 nouvelles notifications".into(),
            text: "Bonjour Zoé,\n".into(),
            html: Some("<p>Bonjour Zoé,</p>".into()),
            headers: vec![
                (
                    "List-Unsubscribe".into(),
                    "<https://net.example.org/unsubscribe/abc>".into(),
                ),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
            message_id: Some("<digest.1.2@net.example.org>".into()),
        }
    }

    fn from() -> Mailbox {
        Sender {
            address: "entremise@net.example.org".into(),
            name: "entremise".into(),
        }
        .mailbox()
        .unwrap()
    }

    #[test]
    fn a_message_carries_sender_recipient_both_parts_and_the_extra_headers() {
        let text = String::from_utf8(message_of(&mail(), &from()).unwrap().formatted()).unwrap();
        assert!(
            text.contains("From: entremise <entremise@net.example.org>\r\n"),
            "{text}"
        );
        assert!(text.contains("<zoe@example.org>"), "{text}");
        // Non-ASCII subjects and names are encoded (RFC 2047).
        assert!(text.contains("Subject: =?utf-8?"), "{text}");
        assert!(text.contains("List-Unsubscribe: <https://net.example.org/unsubscribe/abc>\r\n"));
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        assert!(text.contains("Message-ID: <digest.1.2@net.example.org>\r\n"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain; charset=utf-8"));
        assert!(text.contains("text/html; charset=utf-8"));
        assert!(text.contains("Date: "));
    }

    #[test]
    fn a_header_that_would_inject_another_is_refused() {
        let mut bad = mail();
        bad.headers
            .push(("X-Note".into(), "ok\r\nBcc: eve@example.org".into()));
        assert!(message_of(&bad, &from()).is_err());
        let mut bad = mail();
        bad.headers.push(("X Bad: name".into(), "v".into()));
        assert!(message_of(&bad, &from()).is_err());
    }

    #[test]
    fn a_bad_sender_address_names_the_setting() {
        let err = Sender {
            address: "not an address".into(),
            name: String::new(),
        }
        .mailbox()
        .unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(format!("{err:?}").contains("mail_from"));
    }
}
