//! French and English texts of the pages, from `locales/*.toml`.

use entremise_domain::locale::Locale;
use std::collections::HashMap;

static EN: &str = include_str!("../locales/en.toml");
static FR: &str = include_str!("../locales/fr.toml");

/// Every text of the pages, by key, in each language.
#[derive(Debug)]
pub struct Catalog {
    en: HashMap<String, String>,
    fr: HashMap<String, String>,
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
        }
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
