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

    /// A count in words: the text for `key_one` or `key_other` (whichever
    /// the language's plural rules choose for `n`; French says "0 contact",
    /// English "0 contacts"), with `{n}` replaced by the number.
    pub fn count(&self, locale: Locale, key: &str, n: u64) -> String {
        let rules = match locale {
            Locale::En => &self.plural_en,
            Locale::Fr => &self.plural_fr,
        };
        let form = match rules.category_for(n) {
            PluralCategory::One => "one",
            _ => "other",
        };
        self.get(locale, &format!("{key}_{form}"))
            .replace("{n}", &n.to_string())
    }

    /// The text for `key`, falling back to English, then to the key itself.
    pub fn get<'a>(&'a self, locale: Locale, key: &'a str) -> &'a str {
        let primary = match locale {
            Locale::En => &self.en,
            Locale::Fr => &self.fr,
        };
        primary
            .get(key)
            .or_else(|| self.en.get(key))
            .map_or(key, String::as_str)
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
        }
        assert!(
            unknown.is_empty(),
            "keys missing from locales: {unknown:#?}"
        );
    }
}
