//! Validated values: once built, a [`Handle`] or an [`Email`] is valid.

use crate::error::{Error, FieldError};
use std::fmt;

/// A member's or page's address: lowercase `[a-z0-9_]{2,30}`, unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "ada"))]
pub struct Handle(String);

/// Handles that would shadow product paths or mislead readers.
pub const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "assets",
    "entremise",
    "help",
    "moderator",
    "root",
    "security",
    "settings",
    "signin",
    "signout",
    "signup",
    "support",
    "system",
];

impl Handle {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().trim_start_matches('@').to_ascii_lowercase();
        if s.len() < 2 || s.len() > 30 {
            return Err(FieldError::new(
                "handle",
                "invalid_length",
                "A handle has 2 to 30 characters.",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(FieldError::new(
                "handle",
                "invalid_characters",
                "A handle uses only letters a-z, digits and _.",
            ));
        }
        if RESERVED_HANDLES.contains(&s.as_str()) {
            return Err(FieldError::new(
                "handle",
                "reserved",
                "This handle is reserved.",
            ));
        }
        Ok(Self(s))
    }

    /// For values read back from the store, which were validated on the way in.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Handle {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// An e-mail address, normalised: trimmed, domain lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_field("email", raw)
    }

    pub fn parse_field(field: &str, raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new(field, "invalid", "This is not a valid e-mail address.");
        let s = raw.trim();
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(invalid());
        }
        // The lengths are those of the address kept: lowercasing can
        // lengthen a domain (`Ⱥ` is two bytes, `ⱥ` three).
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if local.len() + 1 + domain.len() > 254
            || labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which the address is unique: compared without case.
    pub fn lookup_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims `raw` and checks its length in characters; empty means absent.
/// Line breaks are kept as `\n` (a `\r\n` or a lone `\r` becomes one), so
/// that a saved text passes again unchanged.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("At most {max} characters."),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "invalid",
            "Control characters are not allowed.",
        ));
    }
    Ok(Some(s.replace("\r\n", "\n").replace('\r', "\n")))
}

/// Like [`optional_text`], but the value must be present.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    optional_text(field, raw, max)?
        .ok_or_else(|| FieldError::new(field, "required", "This field is required."))
}

/// A display name: 1 to 100 characters, on one line, with nothing that
/// could reorder or hide the text around it (see [`short_text`]).
pub fn name(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = required_text(field, raw, 100)?;
    if s.contains('\n') {
        return Err(FieldError::new(
            field,
            "invalid",
            "A name fits on one line.",
        ));
    }
    displayable(field, &s)?;
    Ok(s)
}

/// A short text shown next to other members' (a headline, a place, an
/// organization): like [`optional_text`], and refused, naming the reason,
/// if it holds
/// - a bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E,
///   U+200F, U+061C): `bidi_control`, since it would reorder what follows
///   it on the page, other members' names included;
/// - an invisible character (zero-width space, word joiner, byte order
///   mark, soft hyphen, Hangul fillers, tag characters…): `invisible`,
///   since it makes look-alikes of names. The zero-width joiner and
///   non-joiner are kept where scripts and emoji need them: between two
///   characters that are neither ASCII nor spaces (a Persian name, a
///   person emoji), never at an edge or inside Latin text;
/// - a line or paragraph separator or another control: `invalid`.
///
/// Longer texts (about, posts, messages) are not cut this way: they are
/// shown in blocks of their own, isolated from what is around them.
pub fn short_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let s = optional_text(field, raw, max)?;
    if let Some(s) = &s {
        displayable(field, s)?;
    }
    Ok(s)
}

/// The check of [`short_text`], on an already trimmed text.
fn displayable(field: &str, s: &str) -> Result<(), FieldError> {
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if is_bidi_control(c) {
            return Err(FieldError::new(
                field,
                "bidi_control",
                "Text direction control characters are not allowed here.",
            ));
        }
        if matches!(c, '\u{200C}' | '\u{200D}') {
            let joins = |n: Option<&char>| {
                n.is_some_and(|&n| {
                    !n.is_ascii() && !n.is_whitespace() && !is_bidi_control(n) && !is_invisible(n)
                })
            };
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            if joins(before) && joins(chars.get(i + 1)) {
                continue;
            }
            return Err(FieldError::new(
                field,
                "invisible",
                "Invisible characters are not allowed here.",
            ));
        }
        if is_invisible(c) {
            return Err(FieldError::new(
                field,
                "invisible",
                "Invisible characters are not allowed here.",
            ));
        }
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            return Err(FieldError::new(
                field,
                "invalid",
                "Control characters are not allowed.",
            ));
        }
    }
    Ok(())
}

/// The characters that set or change the direction of the text after them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that show nothing (the joiners are judged in context).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2065}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// An http(s) address.
pub fn website(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let Some(s) = optional_text(field, raw, 300)? else {
        return Ok(None);
    };
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !s.contains(char::is_whitespace) => Ok(Some(s)),
        _ => Err(FieldError::new(
            field,
            "invalid",
            "A web address starts with https:// or http://.",
        )),
    }
}

/// A phone number: digits with the usual separators, 4 to 30 characters.
pub fn phone(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let Some(s) = optional_text(field, raw, 30)? else {
        return Ok(None);
    };
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
    if !allowed || digits < 4 {
        return Err(FieldError::new(
            field,
            "invalid",
            "This is not a phone number.",
        ));
    }
    Ok(Some(s))
}

/// A list of short tags (skills, languages): trimmed, deduplicated without case.
pub fn tags(
    field: &str,
    raw: &[String],
    max_items: usize,
    max_len: usize,
) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for item in raw {
        let Some(tag) = optional_text(field, item, max_len)? else {
            continue;
        };
        if tag.contains('\n') {
            return Err(FieldError::new(field, "invalid", "A tag fits on one line."));
        }
        if !out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            out.push(tag);
        }
    }
    if out.len() > max_items {
        return Err(FieldError::new(
            field,
            "too_many",
            format!("At most {max_items} entries."),
        ));
    }
    Ok(out)
}

/// Collects field errors so a form reports all of them at once.
#[derive(Default)]
pub struct Collector(Vec<FieldError>);

impl Collector {
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        for ok in ["ada", "Ada", "@ada_l", "a1", "x_________________________y"] {
            assert!(Handle::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a",
            "",
            "ada lovelace",
            "zoé",
            "ada-l",
            "admin",
            &"a".repeat(31),
        ] {
            assert!(Handle::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Handle::parse("@Ada").unwrap().as_str(), "ada");
    }

    #[test]
    fn emails() {
        for ok in ["ada@example.org", " Ada.L+x@Example.ORG ", "é@exemple.fr"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@-x.org",
            "ada@x..org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("Ada@Example.ORG").unwrap().as_str(),
            "Ada@example.org"
        );
    }

    /// Found by fuzzing: `a\r\r\nb` was kept as `a\r\nb`, which a second
    /// pass changed again.
    #[test]
    fn line_breaks_are_normalised_once_and_for_all() {
        for (raw, kept) in [
            ("a\r\nb", "a\nb"),
            ("a\r\r\nb", "a\n\nb"),
            ("a\rb", "a\nb"),
            ("a\n\rb", "a\n\nb"),
        ] {
            let once = optional_text("f", raw, 10).unwrap().unwrap();
            assert_eq!(once, kept, "{raw:?}");
            assert_eq!(optional_text("f", &once, 10).unwrap().unwrap(), once);
        }
    }

    /// An address is kept normalised, and the address
    /// kept must be accepted again (signing in types it anew).
    #[test]
    fn a_normalised_address_is_accepted_again() {
        // 254 bytes as typed, 338 once every `Ⱥ` (2 bytes) is lowercased
        // to `ⱥ` (3); each label stays within 63 bytes.
        let label = "Ⱥ".repeat(21);
        let raw = format!(
            "{}@{}.{label}.{label}.{label}.{label}.org",
            "a".repeat(64),
            "b".repeat(13)
        );
        assert_eq!(raw.len(), 254);
        assert!(Email::parse(&raw).is_err());
        for raw in ["Ada@Ⱥ.Example", "ADA@EXAMPLE.ORG", "x@Straße.de"] {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()).unwrap(), once, "{raw}");
        }
    }

    #[test]
    fn texts_and_tags() {
        assert_eq!(optional_text("f", "  ", 10).unwrap(), None);
        assert!(optional_text("f", "abcdefghijk", 10).is_err());
        assert!(name("name", "Ada\nLovelace").is_err());
        assert!(website("w", "javascript:alert(1)").is_err());
        assert!(website("w", "https://example.org").unwrap().is_some());
        assert!(phone("p", "+33 2 31 00 00 00").unwrap().is_some());
        assert!(phone("p", "call me").is_err());
        let t = tags(
            "skills",
            &["Audit".into(), " audit ".into(), "".into(), "Tax".into()],
            5,
            20,
        )
        .unwrap();
        assert_eq!(t, vec!["Audit", "Tax"]);
    }

    /// Names and the short fields shown next to other members refuse what
    /// could reorder or hide what is around them.
    #[test]
    fn display_texts_refuse_bidi_and_invisible_characters() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Ada Lovelace", None),
            ("Ada\u{202E}ecalevoL", Some("bidi_control")),
            ("Ada\u{202A}x", Some("bidi_control")),
            ("Ada\u{2066}x\u{2069}", Some("bidi_control")),
            ("Ada\u{200E}", Some("bidi_control")),
            ("Ada\u{200F}", Some("bidi_control")),
            ("Ada\u{061C}", Some("bidi_control")),
            ("A\u{200B}da", Some("invisible")),
            ("A\u{200C}da", Some("invisible")),
            ("A\u{200D}da", Some("invisible")),
            ("A\u{2060}da", Some("invisible")),
            ("\u{FEFF}Ada", Some("invisible")),
            ("A\u{00AD}da", Some("invisible")),
            ("Ada\u{3164}", Some("invisible")),
            ("Ada\u{E0041}", Some("invisible")),
            ("Ada\u{0007}", Some("invalid")),
            ("Ada\u{0085}x", Some("invalid")),
            ("Ada\u{2028}x", Some("invalid")),
            // Scripts and emoji that need the joiners keep them.
            (
                "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
                None,
            ),
            ("\u{1F469}\u{200D}\u{1F4BB} Ada", None),
            ("Zo\u{00E9} \u{0639}\u{0644}\u{064A}", None),
        ];
        for (raw, reason) in cases {
            let got = name("name", raw).err().map(|e| e.reason);
            assert_eq!(got, *reason, "name {raw:?}");
            let got = short_text("headline", raw, 200).err().map(|e| e.reason);
            assert_eq!(got, *reason, "headline {raw:?}");
        }
        assert_eq!(short_text("headline", "  ", 200).unwrap(), None);
    }
}
