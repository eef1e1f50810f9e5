//! Text analysis shared by indexing and querying, so both sides agree.
//!
//! A text is split into words (letters and digits), lower-cased and folded
//! to ASCII (`Zoé` → `zoe`). Each folded word then gives its English and its
//! French stem: free-text fields hold the union of both, and a query word
//! matches when any of its stems does. Folding comes before stemming, so
//! `comptabilité` and `comptabilite` share their stems.

use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token,
};

/// Longest prefix kept in the type-ahead fields, in characters.
pub const MAX_PREFIX_CHARS: usize = 15;
/// Stems remembered by one analyzer before it forgets them all.
const STEM_CACHE: usize = 100_000;

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lower-cased, accents folded, not stemmed.
    pub folded: String,
    /// Its distinct English and French stems.
    pub stems: Vec<String>,
}

/// The analyzers, with a cache of stems (indexing meets the same words
/// over and over). One per thread at a time: tantivy's analyzers need
/// `&mut`; cloning gives a fresh cache.
pub struct Analyzer {
    folded: TextAnalyzer,
    english: TextAnalyzer,
    french: TextAnalyzer,
    stems: HashMap<String, Vec<String>>,
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Self {
            folded: self.folded.clone(),
            english: self.english.clone(),
            french: self.french.clone(),
            stems: HashMap::new(),
        }
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

/// Stems one folded word, kept whole.
fn stemmer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(language))
        .build()
}

fn first_token(analyzer: &mut TextAnalyzer, text: &str) -> Option<String> {
    let mut out = None;
    analyzer.token_stream(text).process(&mut |t: &Token| {
        if out.is_none() {
            out = Some(t.text.clone());
        }
    });
    out
}

impl Analyzer {
    pub fn new() -> Self {
        Self {
            folded: TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
            english: stemmer(Language::English),
            french: stemmer(Language::French),
            stems: HashMap::new(),
        }
    }

    /// The words of a text, in order.
    pub fn words(&mut self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        self.each_word(text, |folded, stems| {
            out.push(Word {
                folded: folded.to_owned(),
                stems: stems.to_vec(),
            });
        });
        out
    }

    /// Calls `f` with each word of a text, folded, and its stems.
    pub fn each_word(&mut self, text: &str, mut f: impl FnMut(&str, &[String])) {
        let Self {
            folded,
            english,
            french,
            stems,
        } = self;
        folded.token_stream(text).process(&mut |t: &Token| {
            // Folding never makes spaces in practice; split on them anyway,
            // the index stores words separated by spaces.
            for w in t.text.split_whitespace() {
                f(w, stems_of(english, french, stems, w));
            }
        });
    }
}

fn stems_of<'c>(
    english: &mut TextAnalyzer,
    french: &mut TextAnalyzer,
    cache: &'c mut HashMap<String, Vec<String>>,
    folded: &str,
) -> &'c [String] {
    if !cache.contains_key(folded) {
        let mut stems: Vec<String> = Vec::with_capacity(2);
        for analyzer in [english, french] {
            if let Some(s) = first_token(analyzer, folded)
                && !s.is_empty()
                && !s.contains(char::is_whitespace)
                && !stems.contains(&s)
            {
                stems.push(s);
            }
        }
        if stems.is_empty() {
            stems.push(folded.to_owned());
        }
        if cache.len() >= STEM_CACHE {
            cache.clear();
        }
        cache.insert(folded.to_owned(), stems);
    }
    &cache[folded]
}

/// The beginning of a folded word a type-ahead looks up: its first
/// [`MAX_PREFIX_CHARS`] characters.
pub fn prefix_key(folded: &str) -> &str {
    match folded.char_indices().nth(MAX_PREFIX_CHARS) {
        Some((i, _)) => &folded[..i],
        None => folded,
    }
}

/// Every beginning of a folded word, from one character to
/// [`MAX_PREFIX_CHARS`].
pub fn prefixes_of(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .char_indices()
        .take(MAX_PREFIX_CHARS)
        .map(|(i, c)| &folded[..i + c.len_utf8()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(word: &str) -> Vec<String> {
        Analyzer::new().words(word).remove(0).stems
    }

    fn shares_stem(a: &str, b: &str) -> bool {
        let b = stems(b);
        stems(a).iter().any(|s| b.contains(s))
    }

    #[test]
    fn words_are_folded_and_split() {
        let words: Vec<String> = Analyzer::new()
            .words("Zoé LEFÈVRE-Cœur, expert-comptable")
            .into_iter()
            .map(|w| w.folded)
            .collect();
        assert_eq!(words, ["zoe", "lefevre", "coeur", "expert", "comptable"]);
        assert!(Analyzer::new().words(" -*~ \"( ").is_empty());
    }

    #[test]
    fn both_languages_stem() {
        assert!(shares_stem("comptables", "comptable"));
        assert!(shares_stem("managers", "manager"));
        assert!(shares_stem("comptabilité", "comptabilite"));
        assert!(shares_stem("développeuses", "développeuse"));
        assert!(shares_stem("engineers", "engineering"));
        assert!(!shares_stem("paris", "caen"));
    }

    #[test]
    fn prefixes_are_bounded() {
        assert_eq!(prefixes_of("zoé").collect::<Vec<_>>(), ["z", "zo", "zoé"]);
        assert_eq!(
            prefixes_of("anticonstitutionnellement").count(),
            MAX_PREFIX_CHARS
        );
        assert_eq!(prefix_key("anticonstitutionnellement"), "anticonstitutio");
        assert_eq!(prefix_key("cla"), "cla");
    }
}
