//! Values typed by members or handed back by clients: handles, e-mail
//! addresses, list cursors, the short texts of profiles, languages.
//!
//! Every parser gets the same text. None may panic, and what one accepts
//! must keep its promise:
//! - a handle is `[a-z0-9_]{2,30}`, not reserved, and reads back as itself;
//! - an e-mail address, once normalised, is accepted again unchanged (an
//!   address stored at sign-up can always be typed in again);
//! - a cursor that decodes re-encodes, as its list writes it, to the same
//!   position;
//! - an accepted text is accepted again unchanged (validation is
//!   idempotent, so an edit form shows back what was saved).

#![no_main]

use entremise_domain::error::FieldError;
use entremise_domain::locale::Locale;
use entremise_domain::paging::{
    MAX_PAGE, Page, parse_id_key, parse_offset, parse_time_key, time_key,
};
use entremise_domain::service::parse_cursor;
use entremise_domain::timeline;
use entremise_domain::validate::{Email, Handle, name, optional_text, phone, short_text, website};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    handle(text);
    email(text);
    cursors(text);
    texts(text);
    let _ = Locale::from_accept_language(text);
});

fn handle(raw: &str) {
    let Ok(h) = Handle::parse(raw) else { return };
    let s = h.as_str();
    assert!((2..=30).contains(&s.len()), "handle {s:?} from {raw:?}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "handle {s:?} from {raw:?}"
    );
    assert_eq!(Handle::parse(s).as_ref(), Ok(&h), "handle {s:?} reads back");
}

fn email(raw: &str) {
    let Ok(e) = Email::parse(raw) else { return };
    let s = e.as_str();
    assert!(s.len() <= 254, "address {s:?} from {raw:?} is too long");
    let (local, domain) = s.rsplit_once('@').expect("an address has an @");
    assert!(!local.is_empty() && !domain.is_empty(), "{s:?}");
    assert_eq!(
        Email::parse(s).as_ref().map(Email::as_str),
        Ok(s),
        "address {s:?} (from {raw:?}) is not accepted again unchanged"
    );
}

fn cursors(raw: &str) {
    if let Ok((at, id)) = parse_time_key::<i64>(raw) {
        let again = time_key(at, id);
        assert_eq!(
            parse_time_key::<i64>(&again).ok(),
            Some((at, id)),
            "{raw:?}"
        );
    }
    if let Ok((at, tie)) = parse_time_key::<String>(raw) {
        let again = time_key(at, &tie);
        assert_eq!(again.split_once('.').map(|(_, t)| t), Some(tie.as_str()));
        assert_eq!(
            parse_time_key::<String>(&again).ok(),
            Some((at, tie)),
            "{raw:?}"
        );
    }
    if let Ok((at, id)) = parse_cursor(raw) {
        // The feed keeps nanoseconds in an i64 and writes `nanos.id`.
        let nanos = timeline::nanos(at);
        let again = parse_cursor(&format!("{nanos}.{id}")).expect("a feed cursor reads back");
        assert_eq!((timeline::nanos(again.0), again.1), (nanos, id), "{raw:?}");
    }
    if let Ok(id) = parse_id_key(raw) {
        assert_eq!(parse_id_key(&id.to_string()).ok(), Some(id));
    }
    if let Ok(offset) = parse_offset(raw) {
        assert_eq!(parse_offset(&offset.to_string()).ok(), Some(offset));
    }
    // An offset page of a bounded list is a contiguous run of it.
    let all: Vec<usize> = (0..2 * MAX_PAGE).collect();
    let limit = raw.len() % (MAX_PAGE + 2);
    if let Ok(page) = Page::bounded(all.clone(), Some(raw), limit) {
        assert!(page.items.len() <= MAX_PAGE);
        assert!(page.items.windows(2).all(|w| w[1] == w[0] + 1));
        if let Some(next) = page.next {
            let next: usize = next.parse().expect("an offset cursor");
            assert_eq!(page.items.last().map(|last| last + 1), Some(next));
        }
    }
}

fn texts(raw: &str) {
    type Check = fn(&str) -> Result<Option<String>, FieldError>;
    let checks: [(&str, Check); 5] = [
        ("optional_text", |s| optional_text("f", s, 200)),
        ("short_text", |s| short_text("f", s, 200)),
        ("name", |s| name("f", s).map(Some)),
        ("website", |s| website("f", s)),
        ("phone", |s| phone("f", s)),
    ];
    for (what, check) in checks {
        if let Ok(Some(kept)) = check(raw) {
            assert_eq!(
                check(&kept).ok().flatten().as_deref(),
                Some(kept.as_str()),
                "{what}: {kept:?} (from {raw:?}) is not accepted again unchanged"
            );
        }
    }
}
