//! French and English texts of the pages, from `locales/*.toml`.

use entremise_domain::locale::Locale;
use icu_locale_core::locale;
use icu_plurals::{PluralCategory, PluralRules};
use std::collections::HashMap;

static EN: &str = include_str!("../locales/en.toml");
static FR: &str = include_str!("../locales/fr.toml");

/// Every text of the pages, by key, in each language, with each
/// language's plural rules (CLDR).
pub struct Catalog {
    en: HashMap<String, String>,
    fr: HashMap<String, String>,
    plural_en: PluralRules,
    plural_fr: PluralRules,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("en", &self.en.len())
            .field("fr", &self.fr.len())
            .finish()
    }
}

fn parse(name: &str, text: &str) -> HashMap<String, String> {
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("locales/{name}.toml does not parse: {e}"));
    table
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => (k, s),
            other => panic!("locales/{name}.toml: {k} is not a string: {other}"),
        })
        .collect()
}

/// `text` with each `{name}` of `values` replaced, in one pass: a value
/// that holds braces (a member's name) is never read as a placeholder.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Catalog {
    /// Parses the embedded catalogs; a malformed one is a build defect caught by tests.
    pub fn load() -> Self {
        Self {
            en: parse("en", EN),
            fr: parse("fr", FR),
            plural_en: PluralRules::try_new(locale!("en").into(), Default::default())
                .expect("English plural rules are compiled in"),
            plural_fr: PluralRules::try_new(locale!("fr").into(), Default::default())
                .expect("French plural rules are compiled in"),
        }
    }

    /// A count in words: the text for `key_<category>`, the CLDR plural
    /// category the language's rules choose for `n` (`one`, `many`, …),
    /// falling back to `key_other`; with `{n}` replaced by the number.
    /// French says "0 contact" and "1 contact", English "0 contacts".
    ///
    /// Invariant: every key given here has `_one` and `_other` forms in
    /// both catalogs (a test reads the templates and handlers for them).
    pub fn count(&self, locale: Locale, key: &str, n: u64) -> String {
        fill(self.plural(locale, key, n), &[("n", &n.to_string())])
    }

    /// The form of `key` that the language's plural rules choose for `n`,
    /// placeholders left as they are; the key itself when it is missing.
    fn plural<'a>(&'a self, locale: Locale, key: &'a str, n: u64) -> &'a str {
        let rules = match locale {
            Locale::En => &self.plural_en,
            Locale::Fr => &self.plural_fr,
        };
        let category = match rules.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        };
        self.lookup(locale, &format!("{key}_{category}"))
            .or_else(|| self.lookup(locale, &format!("{key}_other")))
            .unwrap_or(key)
    }

    /// Who did something, for a line such as "Zoé and 4 others reacted":
    /// `names` are the first actors by name, in the order shown; `total`
    /// how many actors there are in all, named or not (never fewer than
    /// the names given).
    ///
    /// One actor: "Zoé"; two, both named: "Zoé and Marc" ("Zoé et Marc");
    /// more, or a second one not named: "Zoé and 4 others" ("Zoé et 4
    /// autres", "Zoé et 1 autre"), by the language's plural rules. Past two
    /// actors only the first is named, so that the line stays short. Empty
    /// when nobody is named.
    pub fn actors(&self, locale: Locale, names: &[&str], total: u64) -> String {
        let Some(first) = names.first() else {
            return String::new();
        };
        let total = total.max(names.len() as u64);
        match (total, names.get(1)) {
            (1, _) => (*first).to_owned(),
            (2, Some(second)) => fill(
                self.get(locale, "actors_two"),
                &[("first", first), ("second", second)],
            ),
            _ => {
                let others = total - 1;
                fill(
                    self.plural(locale, "actors_others", others),
                    &[("first", first), ("n", &others.to_string())],
                )
            }
        }
    }

    /// The text for `key`, falling back to English, then to the key itself.
    pub fn get<'a>(&'a self, locale: Locale, key: &'a str) -> &'a str {
        self.lookup(locale, key).unwrap_or(key)
    }

    /// The text for `key`, falling back to English.
    fn lookup(&self, locale: Locale, key: &str) -> Option<&str> {
        let primary = match locale {
            Locale::En => &self.en,
            Locale::Fr => &self.fr,
        };
        primary
            .get(key)
            .or_else(|| self.en.get(key))
            .map(String::as_str)
    }

    #[cfg(test)]
    fn keys(&self, locale: Locale) -> std::collections::BTreeSet<&str> {
        let map = match locale {
            Locale::En => &self.en,
            Locale::Fr => &self.fr,
        };
        map.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_each_language_plural_rules() {
        let c = Catalog::load();
        let fr = |n| c.count(Locale::Fr, "pymk_mutual", n);
        let en = |n| c.count(Locale::En, "pymk_mutual", n);
        assert_eq!(fr(0), "0 contact en commun");
        assert_eq!(fr(1), "1 contact en commun");
        assert_eq!(fr(2), "2 contacts en commun");
        assert_eq!(en(0), "0 mutual contacts");
        assert_eq!(en(1), "1 mutual contact");
        assert_eq!(en(12), "12 mutual contacts");
        assert_eq!(c.count(Locale::En, "health_contacts", 1), "1 contact");
        assert_eq!(c.count(Locale::Fr, "health_contacts", 2), "2 contacts");
        // A post's counters give the word only (the number has its own element).
        assert_eq!(c.count(Locale::Fr, "post_comments", 0), "commentaire");
        assert_eq!(c.count(Locale::Fr, "post_comments", 2), "commentaires");
        assert_eq!(c.count(Locale::En, "post_reshares", 1), "share");
        assert_eq!(c.count(Locale::En, "post_reshares", 0), "shares");
    }

    /// Each count-bearing text of the pages, in both languages, at the
    /// counts where languages differ (French says "0 contact", English
    /// "0 contacts") and well past them.
    #[test]
    fn every_count_bearing_text_agrees_with_its_number() {
        let c = Catalog::load();
        let cases: &[(&str, [&str; 5], [&str; 5])] = &[
            (
                "pymk_mutual",
                [
                    "0 contact en commun",
                    "1 contact en commun",
                    "2 contacts en commun",
                    "5 contacts en commun",
                    "21 contacts en commun",
                ],
                [
                    "0 mutual contacts",
                    "1 mutual contact",
                    "2 mutual contacts",
                    "5 mutual contacts",
                    "21 mutual contacts",
                ],
            ),
            (
                "health_contacts",
                [
                    "0 contact",
                    "1 contact",
                    "2 contacts",
                    "5 contacts",
                    "21 contacts",
                ],
                [
                    "0 contacts",
                    "1 contact",
                    "2 contacts",
                    "5 contacts",
                    "21 contacts",
                ],
            ),
            (
                "health_messages",
                [
                    "0 message",
                    "1 message",
                    "2 messages",
                    "5 messages",
                    "21 messages",
                ],
                [
                    "0 messages",
                    "1 message",
                    "2 messages",
                    "5 messages",
                    "21 messages",
                ],
            ),
            (
                "messages_unread",
                [
                    "0 non lu",
                    "1 non lu",
                    "2 non lus",
                    "5 non lus",
                    "21 non lus",
                ],
                ["0 unread", "1 unread", "2 unread", "5 unread", "21 unread"],
            ),
            (
                "post_comments",
                [
                    "commentaire",
                    "commentaire",
                    "commentaires",
                    "commentaires",
                    "commentaires",
                ],
                ["comments", "comment", "comments", "comments", "comments"],
            ),
            (
                "post_reactions",
                [
                    "réaction",
                    "réaction",
                    "réactions",
                    "réactions",
                    "réactions",
                ],
                [
                    "reactions",
                    "reaction",
                    "reactions",
                    "reactions",
                    "reactions",
                ],
            ),
            (
                "post_reshares",
                ["partage", "partage", "partages", "partages", "partages"],
                ["shares", "share", "shares", "shares", "shares"],
            ),
            (
                "visitors_anonymous",
                [
                    "0 membre qui ne montre rien de ses visites a consulté votre profil.",
                    "1 membre qui ne montre rien de ses visites a consulté votre profil.",
                    "2 membres qui ne montrent rien de leurs visites ont consulté votre profil.",
                    "5 membres qui ne montrent rien de leurs visites ont consulté votre profil.",
                    "21 membres qui ne montrent rien de leurs visites ont consulté votre profil.",
                ],
                [
                    "0 members who show nothing of their visits viewed your profile.",
                    "1 member who shows nothing of their visits viewed your profile.",
                    "2 members who show nothing of their visits viewed your profile.",
                    "5 members who show nothing of their visits viewed your profile.",
                    "21 members who show nothing of their visits viewed your profile.",
                ],
            ),
            (
                "badge_messages",
                [
                    "0 message non lu",
                    "1 message non lu",
                    "2 messages non lus",
                    "5 messages non lus",
                    "21 messages non lus",
                ],
                [
                    "0 unread messages",
                    "1 unread message",
                    "2 unread messages",
                    "5 unread messages",
                    "21 unread messages",
                ],
            ),
            (
                "badge_notifications",
                [
                    "0 notification non lue",
                    "1 notification non lue",
                    "2 notifications non lues",
                    "5 notifications non lues",
                    "21 notifications non lues",
                ],
                [
                    "0 unread notifications",
                    "1 unread notification",
                    "2 unread notifications",
                    "5 unread notifications",
                    "21 unread notifications",
                ],
            ),
            (
                "badge_inbox",
                [
                    "0 élément en attente de réponse",
                    "1 élément en attente de réponse",
                    "2 éléments en attente de réponse",
                    "5 éléments en attente de réponse",
                    "21 éléments en attente de réponse",
                ],
                [
                    "0 items to answer",
                    "1 item to answer",
                    "2 items to answer",
                    "5 items to answer",
                    "21 items to answer",
                ],
            ),
            (
                "error_retry_in",
                [
                    "Réessayez dans 0 seconde.",
                    "Réessayez dans 1 seconde.",
                    "Réessayez dans 2 secondes.",
                    "Réessayez dans 5 secondes.",
                    "Réessayez dans 21 secondes.",
                ],
                [
                    "Try again in 0 seconds.",
                    "Try again in 1 second.",
                    "Try again in 2 seconds.",
                    "Try again in 5 seconds.",
                    "Try again in 21 seconds.",
                ],
            ),
        ];
        for (key, fr, en) in cases {
            for (i, n) in [0, 1, 2, 5, 21].into_iter().enumerate() {
                assert_eq!(c.count(Locale::Fr, key, n), fr[i], "{key} fr {n}");
                assert_eq!(c.count(Locale::En, key, n), en[i], "{key} en {n}");
            }
        }
    }

    #[test]
    fn a_category_without_its_own_form_falls_back_to_other() {
        let c = Catalog::load();
        // A million is French's "many" category; no text has its own form for it yet.
        assert_eq!(
            c.plural_fr.category_for(1_000_000_u64),
            PluralCategory::Many
        );
        assert_eq!(
            c.count(Locale::Fr, "health_contacts", 1_000_000),
            "1000000 contacts"
        );
        assert_eq!(c.count(Locale::En, "no_such_key", 3), "no_such_key");
    }

    #[test]
    fn actors_are_named_then_counted_in_both_languages() {
        let c = Catalog::load();
        let fr = |names: &[&str], n| c.actors(Locale::Fr, names, n);
        let en = |names: &[&str], n| c.actors(Locale::En, names, n);
        let two = ["Zoé", "Marc"];
        assert_eq!(fr(&[], 0), "");
        assert_eq!(en(&[], 5), "");
        assert_eq!(fr(&["Zoé"], 0), "Zoé", "never fewer than the names given");
        assert_eq!(fr(&["Zoé"], 1), "Zoé");
        assert_eq!(en(&["Zoé"], 1), "Zoé");
        assert_eq!(fr(&two, 2), "Zoé et Marc");
        assert_eq!(en(&two, 2), "Zoé and Marc");
        assert_eq!(fr(&["Zoé"], 2), "Zoé et 1 autre");
        assert_eq!(en(&["Zoé"], 2), "Zoé and 1 other");
        assert_eq!(fr(&two, 5), "Zoé et 4 autres");
        assert_eq!(en(&two, 5), "Zoé and 4 others");
        assert_eq!(fr(&["Zoé"], 21), "Zoé et 20 autres");
        assert_eq!(en(&["Zoé", "Marc", "Léa"], 21), "Zoé and 20 others");
        assert_eq!(fr(&["Zoé", "Marc", "Léa"], 3), "Zoé et 2 autres");
    }

    #[test]
    fn a_name_is_never_read_as_a_placeholder() {
        let c = Catalog::load();
        assert_eq!(
            c.actors(Locale::En, &["{second}", "{n}"], 2),
            "{second} and {n}"
        );
        assert_eq!(fill("{a}{b} {c", &[("a", "{b}"), ("b", "x")]), "{b}x {c");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let c = Catalog::load();
        let en = c.keys(Locale::En);
        let fr = c.keys(Locale::Fr);
        let missing_fr: Vec<_> = en.difference(&fr).collect();
        let missing_en: Vec<_> = fr.difference(&en).collect();
        assert!(missing_fr.is_empty(), "missing in fr.toml: {missing_fr:?}");
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
    }

    /// Every key a template or a handler asks `Layout::t` for exists in the catalog.
    #[test]
    fn every_used_key_exists() {
        let c = Catalog::load();
        let en = c.keys(Locale::En);
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src", "src/pages", "src/api"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        let mut unknown = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if !key.is_empty() && !en.contains(key) {
                    unknown.push(format!("{}: {key}", path.display()));
                }
            }
            // A count needs its singular and its plural.
            for (i, _) in text.match_indices(".count(\"") {
                let rest = &text[i + 8..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                for form in ["one", "other"] {
                    if !en.contains(format!("{key}_{form}").as_str()) {
                        unknown.push(format!("{}: {key}_{form}", path.display()));
                    }
                }
            }
        }
        // Keys built at run time: the header's badges, the actors' line.
        for kind in ["messages", "notifications", "inbox"] {
            for form in ["one", "other"] {
                let key = format!("badge_{kind}_{form}");
                if !en.contains(key.as_str()) {
                    unknown.push(key);
                }
            }
        }
        for key in ["actors_two", "actors_others_one", "actors_others_other"] {
            if !en.contains(key) {
                unknown.push(key.to_owned());
            }
        }
        assert!(
            unknown.is_empty(),
            "keys missing from locales: {unknown:#?}"
        );
    }
}
