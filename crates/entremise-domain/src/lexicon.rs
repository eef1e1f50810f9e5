//! The hostility lexicon: French and English words, phrases and stems that
//! mark a comment or a message as hostile, so that a page's follow-up inbox
//! raises it first.
//!
//! The vocabulary lives in `lexicon/hostile.fr.txt` and
//! `lexicon/hostile.en.txt` (their heading comment gives the format and the
//! rule for choosing stems); this module parses them once and matches texts
//! against them. Both lists apply to every text, whatever its language.
//!
//! Matching works on words: a text is folded (case, accents, `œ` → `oe`,
//! combining marks dropped) and split at anything that is not a letter or a
//! digit. A whole-word entry matches an equal word only, a stem (`arnaq*`)
//! matches a word that starts with it, and a phrase (`foutage de gueule`)
//! matches its words in a row. An entry never matches inside a word.

use std::collections::hash_map::Entry;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::search;

/// The lists built into [`hostile`]: a name (for errors) and a text each.
const LISTS: [(&str, &str); 2] = [
    ("hostile.fr.txt", include_str!("../lexicon/hostile.fr.txt")),
    ("hostile.en.txt", include_str!("../lexicon/hostile.en.txt")),
];

/// A stem shorter than this many letters (once folded) is refused: it would
/// begin too many ordinary words.
const MIN_STEM_LEN: usize = 4;

/// The hostility lexicon of French and English, parsed once.
///
/// # Panics
///
/// Never in a tested build: the built-in lists are checked to parse by this
/// module's tests.
pub fn hostile() -> &'static Lexicon {
    static HOSTILE: OnceLock<Lexicon> = OnceLock::new();
    HOSTILE.get_or_init(|| match Lexicon::parse(&LISTS) {
        Ok(lexicon) => lexicon,
        Err(e) => panic!("built-in hostility lexicon: {e}"),
    })
}

/// A set of entries (whole words, stems and phrases) matched against texts.
///
/// Invariants: every key below is folded and non-empty, every stem is at
/// least [`MIN_STEM_LEN`] letters long, every phrase has at least two words
/// and every index points into `entries`. No two entries have the same
/// kind and folded form.
#[derive(Debug)]
pub struct Lexicon {
    /// The entries as written in the first list that holds them.
    entries: Vec<String>,
    /// Whole word → entry.
    words: FxHashMap<String, usize>,
    /// Stem (without its `*`) → entry.
    stems: FxHashMap<String, usize>,
    /// Shortest and longest stem, in bytes; `(usize::MAX, 0)` without stems.
    stem_lens: (usize, usize),
    /// First word of a phrase → the phrase's other words and its entry.
    phrases: FxHashMap<String, Vec<(Vec<String>, usize)>>,
}

/// Why a list was refused: where, which entry, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{list}, line {line}: `{entry}`: {problem}")]
pub struct LexiconError {
    /// The list's name, as given to [`Lexicon::parse`].
    pub list: String,
    /// Line number, from 1.
    pub line: usize,
    /// The entry as written.
    pub entry: String,
    pub problem: Problem,
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("no letter or digit")]
    NoWord,
    #[error("`*` can only end a stem")]
    MisplacedStar,
    #[error("a stem is a single word")]
    StemOfSeveralWords,
    #[error("a stem has at least {MIN_STEM_LEN} letters")]
    StemTooShort,
    #[error("same as line {0}")]
    Duplicate(usize),
    /// The entry cannot add a match: the entry at this line already finds
    /// every text it would.
    #[error("already covered by line {0}")]
    Covered(usize),
}

/// One parsed entry of a list, folded.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Word(String),
    Stem(String),
    Phrase(Vec<String>),
}

impl Kind {
    /// Whether every text this entry matches is also matched by `other`.
    fn covered_by(&self, other: &Kind) -> bool {
        match (self, other) {
            (Kind::Word(w) | Kind::Stem(w), Kind::Stem(s)) => w.starts_with(s.as_str()),
            (Kind::Phrase(p), Kind::Word(w)) => p.contains(w),
            (Kind::Phrase(p), Kind::Stem(s)) => p.iter().any(|w| w.starts_with(s.as_str())),
            (Kind::Phrase(p), Kind::Phrase(q)) => {
                q.len() < p.len() && p.windows(q.len()).any(|x| x == q.as_slice())
            }
            _ => false,
        }
    }
}

/// Folds case and accents as [`search::fold`] does, and drops combining
/// marks, so that a decomposed `é` (`e` + U+0301) stays inside its word.
fn fold(text: &str) -> String {
    let mut folded = search::fold(text);
    folded.retain(|c| !matches!(c, '\u{300}'..='\u{36f}'));
    folded
}

/// The words of a folded text: runs of letters and digits.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Parses one entry (comment already removed, trimmed, not empty).
fn parse_entry(entry: &str) -> Result<Kind, Problem> {
    let (body, stem) = match entry.strip_suffix('*') {
        Some(body) => (body, true),
        None => (entry, false),
    };
    if body.contains('*') {
        return Err(Problem::MisplacedStar);
    }
    let folded = fold(body);
    let mut tokens: Vec<String> = words(&folded).map(str::to_owned).collect();
    match (tokens.len(), stem) {
        (0, _) => Err(Problem::NoWord),
        (1, true) if tokens[0].chars().count() < MIN_STEM_LEN => Err(Problem::StemTooShort),
        // The star must be glued to the stem's last letter: "arnaq *" or
        // "arnaq-*" would read as a stem but look like something else.
        (1, true) if !folded.ends_with(char::is_alphanumeric) => Err(Problem::MisplacedStar),
        (1, true) => Ok(Kind::Stem(tokens.remove(0))),
        (1, false) => Ok(Kind::Word(tokens.remove(0))),
        (_, true) => Err(Problem::StemOfSeveralWords),
        (_, false) => Ok(Kind::Phrase(tokens)),
    }
}

/// Parses a list: its entries with their line numbers, each checked alone
/// and against the others of the list (no duplicate, none covered).
fn parse_list(name: &str, text: &str) -> Result<Vec<(usize, String, Kind)>, LexiconError> {
    let mut parsed: Vec<(usize, String, Kind)> = Vec::new();
    let error = |line: usize, entry: &str, problem| LexiconError {
        list: name.to_owned(),
        line,
        entry: entry.to_owned(),
        problem,
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let entry = raw.split('#').next().unwrap_or_default().trim();
        if entry.is_empty() {
            continue;
        }
        let kind = parse_entry(entry).map_err(|p| error(line, entry, p))?;
        if let Some((first, ..)) = parsed.iter().find(|(_, _, k)| *k == kind) {
            return Err(error(line, entry, Problem::Duplicate(*first)));
        }
        parsed.push((line, entry.to_owned(), kind));
    }
    for (line, entry, kind) in &parsed {
        if let Some((by, ..)) = parsed
            .iter()
            .find(|(other, _, k)| other != line && kind.covered_by(k))
        {
            return Err(error(*line, entry, Problem::Covered(*by)));
        }
    }
    Ok(parsed)
}

impl Lexicon {
    /// Builds a lexicon from lists given as (name, text). Each list must be
    /// free of errors on its own (see [`Problem`]); across lists, an entry
    /// equal once folded to one of an earlier list is kept once, as the
    /// earlier list writes it, and overlaps are allowed.
    pub fn parse(lists: &[(&str, &str)]) -> Result<Self, LexiconError> {
        let mut lexicon = Lexicon {
            entries: Vec::new(),
            words: FxHashMap::default(),
            stems: FxHashMap::default(),
            stem_lens: (usize::MAX, 0),
            phrases: FxHashMap::default(),
        };
        for (name, text) in lists {
            for (_, entry, kind) in parse_list(name, text)? {
                let index = lexicon.entries.len();
                let added = match kind {
                    Kind::Word(w) => insert_new(&mut lexicon.words, w, index),
                    Kind::Stem(s) => {
                        let len = s.len();
                        let added = insert_new(&mut lexicon.stems, s, index);
                        if added {
                            lexicon.stem_lens.0 = lexicon.stem_lens.0.min(len);
                            lexicon.stem_lens.1 = lexicon.stem_lens.1.max(len);
                        }
                        added
                    }
                    Kind::Phrase(mut p) => {
                        let first = p.remove(0);
                        let same_first = lexicon.phrases.entry(first).or_default();
                        let added = !same_first.iter().any(|(rest, _)| *rest == p);
                        if added {
                            same_first.push((p, index));
                        }
                        added
                    }
                };
                if added {
                    lexicon.entries.push(entry);
                }
            }
        }
        Ok(lexicon)
    }

    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries found in `text`, each once, in the order of their first
    /// match in the text (at one word: the whole word, then stems from the
    /// shortest, then phrases in list order). Entries are given as the
    /// first list holding them writes them (`scandal*`, `rip-off`).
    pub fn matches(&self, text: &str) -> Vec<&str> {
        let mut found: Vec<usize> = Vec::new();
        self.scan(text, |index| {
            if !found.contains(&index) {
                found.push(index);
            }
            true
        });
        found
            .into_iter()
            .map(|i| self.entries[i].as_str())
            .collect()
    }

    /// Whether any entry is found in `text`; stops at the first.
    pub fn is_hostile(&self, text: &str) -> bool {
        let mut hostile = false;
        self.scan(text, |_| {
            hostile = true;
            false
        });
        hostile
    }

    /// Calls `hit` with the entry index of each match, in text order, while
    /// it returns true.
    fn scan(&self, text: &str, mut hit: impl FnMut(usize) -> bool) {
        let folded = fold(text);
        let tokens: Vec<&str> = words(&folded).collect();
        let (min_stem, max_stem) = self.stem_lens;
        for (i, token) in tokens.iter().enumerate() {
            if let Some(&index) = self.words.get(*token)
                && !hit(index)
            {
                return;
            }
            if token.len() >= min_stem {
                let ends = token.char_indices().skip(1).map(|(b, _)| b);
                for end in ends.chain([token.len()]) {
                    if end > max_stem {
                        break;
                    }
                    if end < min_stem {
                        continue;
                    }
                    if let Some(&index) = self.stems.get(&token[..end])
                        && !hit(index)
                    {
                        return;
                    }
                }
            }
            if let Some(phrases) = self.phrases.get(*token) {
                for (rest, index) in phrases {
                    let follows = tokens
                        .get(i + 1..i + 1 + rest.len())
                        .is_some_and(|next| next.iter().zip(rest).all(|(a, b)| *a == b));
                    if follows && !hit(*index) {
                        return;
                    }
                }
            }
        }
    }
}

/// Inserts `value` under `key` unless the key is taken; says whether it did.
fn insert_new<V>(map: &mut FxHashMap<String, V>, key: String, value: V) -> bool {
    match map.entry(key) {
        Entry::Occupied(_) => false,
        Entry::Vacant(slot) => {
            slot.insert(value);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_hits() {
        let cases: &[(&str, &[&str])] = &[
            ("C'est une arnaque.", &["arnaq*"]),
            ("Bande d'arnaqueurs et de voleurs !", &["arnaq*", "voleu*"]),
            (
                "Scandaleux, honteux, lamentable.",
                &["scandal*", "honte*", "lamentable*"],
            ),
            (
                "Vous êtes des incompétents et des menteurs",
                &["incompéten*", "menteu*"],
            ),
            ("Espèce de con", &["con"]),
            ("quel connard", &["connard*"]),
            ("C'est un vrai foutage de gueule", &["foutage de gueule"]),
            ("Franchement c’est nul", &["c'est nul"]),
            ("Je vais te tuer", &["te tuer"]),
            ("Escroc ! Escroquerie organisée", &["escroc*", "escroqu*"]),
            (
                "Un service pourri, des clients pris pour des pigeons",
                &["pourri"],
            ),
            (
                "Ce tarif est inadmissible et inacceptable",
                &["inadmissible*", "inacceptable*"],
            ),
            ("Casse-toi", &["casse-toi"]),
        ];
        for (text, expected) in cases {
            assert_eq!(hostile().matches(text), *expected, "{text}");
            assert!(hostile().is_hostile(text), "{text}");
        }
    }

    #[test]
    fn english_hits() {
        let cases: &[(&str, &[&str])] = &[
            ("This is a scam", &["scam"]),
            ("Scammers, all of you", &["scamm*"]),
            ("What a rip-off", &["rip-off"]),
            ("a total rip off", &["rip-off"]),
            ("You are a liar and a thief", &["liar*", "thief"]),
            (
                "Disgraceful and shameful behaviour",
                &["disgrac*", "shameful*"],
            ),
            ("Incompetent, useless people", &["incompéten*", "useless"]),
            ("Outrageous! Ridiculous!", &["outrage*", "ridicul*"]),
            ("I will kill you", &["kill you"]),
            ("you're lying", &["you're lying"]),
            ("Fraudulent invoices from thieves", &["fraud*", "thiev*"]),
        ];
        for (text, expected) in cases {
            assert_eq!(hostile().matches(text), *expected, "{text}");
            assert!(hostile().is_hostile(text), "{text}");
        }
    }

    #[test]
    fn case_and_accents_are_folded() {
        for text in [
            "SCANDALEUX",
            "Scandaleux",
            "scandaleux",
            "scandaléux",
            "ScAnDaLeUsEmEnT",
        ] {
            assert_eq!(hostile().matches(text), ["scandal*"], "{text}");
        }
        for text in ["ÉCŒURANT", "écœurant", "ecoeurant", "Écoeurante"] {
            assert_eq!(hostile().matches(text), ["écœurant*"], "{text}");
        }
        // A decomposed é (e + U+0301) is one word with the rest.
        assert_eq!(hostile().matches("de\u{301}gueulasse"), ["dégueu*"]);
        assert_eq!(hostile().matches("MALHONNÊTETÉ"), ["malhonnête*"]);
        assert_eq!(fold("Straße Æsop Ÿ"), "strasse aesop y");
    }

    #[test]
    fn whole_words_and_stems_stay_at_word_starts() {
        let cases: &[(&str, &[&str])] = &[
            // Whole words match nothing inside a longer word.
            ("contrat", &[]),
            ("con", &["con"]),
            ("annuler", &[]),
            ("nul", &[]),
            ("pourrions", &[]),
            ("pourrie", &["pourrie"]),
            ("scampi", &[]),
            ("scams", &["scams"]),
            // Stems match only at the start of a word, then any ending.
            ("sarnaque", &[]),
            ("arnaquer", &["arnaq*"]),
            ("arnaq", &["arnaq*"]),
            ("escrow", &[]),
            // Apostrophes and hyphens split words.
            ("d'arnaqueurs", &["arnaq*"]),
            ("anti-scam", &["scam"]),
            // Phrases need their words in a row.
            ("rip the old label off", &[]),
            ("foutage de sa gueule", &[]),
            ("c'est nul", &["c'est nul"]),
            ("c'est nulle part", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(hostile().matches(text), *expected, "{text}");
            assert_eq!(hostile().is_hostile(text), !expected.is_empty(), "{text}");
        }
    }

    #[test]
    fn matches_are_listed_once_in_text_order() {
        assert_eq!(
            hostile().matches("Arnaque ! ARNAQUE ! voleurs, arnaqueurs"),
            ["arnaq*", "voleu*"]
        );
        assert_eq!(
            hostile().matches("thief, then a scam, then a thief"),
            ["thief", "scam"]
        );
    }

    #[test]
    fn ordinary_sentences_do_not_match() {
        let sentences = [
            "Merci pour ce conseil sur le contrat",
            "Nous allons annuler la réunion de jeudi",
            "Nous pourrions nous rencontrer la semaine prochaine",
            "Nul doute que ce projet aboutira",
            "Je ne l'ai trouvé nulle part dans le dossier",
            "Le contrat est nul et non avenu",
            "Match nul pour notre équipe au tournoi interentreprises",
            "Un bon chianti pour le dîner d'équipe",
            "Elle porte une salopette sur le chantier",
            "Le conseil d'administration a validé le budget",
            "Les connaissances de l'équipe sont solides",
            "Il faut tuer ce projet dans l'œuf",
            "Je suis crevé après ce salon professionnel",
            "Une méprise sur la date de livraison, rien de grave",
            "Les effets pervers de la réforme fiscale",
            "Consultez les conditions générales de vente",
            "Scandinavian design for the new office",
            "Escrow account details for the closing",
            "Thank you for the honest assessment",
            "We could order scampi for the team lunch",
            "A knee-jerk reaction would be a mistake",
            "The garbage collector pauses are shorter now",
            "I need a cheat sheet for the audit",
            "It's a shame we could not meet last week",
            "Let's liaise with the legal team",
            "Peter Thiel spoke at the conference",
            "The dumbbell rack in the office gym",
            "Our idiomatic Rust guide is online",
            "Constructive feedback on the contractor's proposal",
            "We will kill the feature flag next sprint",
            "Moroni is the capital of the Comoros",
            "The pros and cons of the new contract",
            "Shiitake supply for the restaurant",
        ];
        for sentence in sentences {
            assert_eq!(
                hostile().matches(sentence),
                Vec::<&str>::new(),
                "{sentence}"
            );
            assert!(!hostile().is_hostile(sentence), "{sentence}");
        }
    }

    #[test]
    fn built_in_lists_parse_alone_and_together() {
        for list in LISTS {
            let lexicon = Lexicon::parse(&[list]).unwrap_or_else(|e| panic!("{e}"));
            assert!(lexicon.len() >= 60, "{}: {}", list.0, lexicon.len());
        }
        let both = Lexicon::parse(&LISTS).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(both.len(), hostile().len());
    }

    /// Every entry, written out as text (a stem without its star), is found
    /// by the lexicon: no entry is unreachable through folding or splitting.
    #[test]
    fn every_built_in_entry_matches_itself() {
        for (name, text) in LISTS {
            for (line, entry, kind) in parse_list(name, text).unwrap_or_else(|e| panic!("{e}")) {
                let written = entry.trim_end_matches('*');
                let found = hostile().matches(written);
                assert!(!found.is_empty(), "{name}:{line}: {entry}");
                // The entry itself (or its equal from an earlier list) is among them.
                let equal = found
                    .iter()
                    .any(|f| parse_entry(f).is_ok_and(|k| k == kind));
                assert!(equal, "{name}:{line}: {entry} gives {found:?}");
            }
        }
    }

    #[test]
    fn bad_entries_are_refused() {
        let cases: &[(&str, Problem, usize)] = &[
            ("*", Problem::NoWord, 1),
            ("# comment\n' - '", Problem::NoWord, 2),
            ("ar*naque", Problem::MisplacedStar, 1),
            ("arnaq *", Problem::MisplacedStar, 1),
            ("arnaq-*", Problem::MisplacedStar, 1),
            ("con*", Problem::StemTooShort, 1),
            ("rip off*", Problem::StemOfSeveralWords, 1),
            ("arnaque\n\narnaque", Problem::Duplicate(1), 3),
            ("Arnaque\narnaque", Problem::Duplicate(1), 2),
            ("Écœurant\necoeurant", Problem::Duplicate(1), 2),
            ("rip-off\nrip off", Problem::Duplicate(1), 2),
            ("arnaq*\narnaq*", Problem::Duplicate(1), 2),
            ("arnaq*\narnaque", Problem::Covered(1), 2),
            ("arnaqueur*\narnaq*", Problem::Covered(2), 1),
            ("con\nbande de con", Problem::Covered(1), 2),
            ("ta gueule\nferme ta gueule", Problem::Covered(1), 2),
            ("scandal*\nquel scandale", Problem::Covered(1), 2),
        ];
        for (text, problem, line) in cases {
            let e = Lexicon::parse(&[("t", text)]).unwrap_err();
            assert_eq!((&e.problem, e.line), (problem, *line), "{text}: {e}");
        }
    }

    #[test]
    fn comments_blank_lines_and_lists_merge() {
        let one = Lexicon::parse(&[("a", "# heading\n\n  arnaq*  # arnaque, arnaqueur\n\t\n")])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.len(), 1);
        assert_eq!(one.matches("Arnaqueurs"), ["arnaq*"]);

        // Equal entries of two lists are kept once, as the first writes them.
        let merged =
            Lexicon::parse(&[("a", "incompéten*\nrip-off"), ("b", "incompeten*\nrip off")])
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.len(), 2);
        assert_eq!(
            merged.matches("incompetent rip off"),
            ["incompéten*", "rip-off"]
        );

        // Overlaps across lists are allowed; each entry is reported.
        let overlap =
            Lexicon::parse(&[("a", "idiot*"), ("b", "idiots")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(overlap.matches("idiots"), ["idiots", "idiot*"]);

        let empty = Lexicon::parse(&[("a", "# nothing\n")]).unwrap_or_else(|e| panic!("{e}"));
        assert!(empty.is_empty());
        assert!(!empty.is_hostile("arnaque"));
    }
}
