//! The index schema and how a [`SearchDocument`] becomes a tantivy document.
//!
//! Every document has:
//! - `key` (raw string, indexed): `<doc_kind>:<id>`, the term deletes and
//!   replacements go through;
//! - `doc_kind` (raw string, indexed): `profile` today. Groups, posts and
//!   articles will come as further kinds in the same index, with their own
//!   keys and kind codes; a search for profiles only keeps profile codes;
//! - `id` (i64 fast field): the profile id, read for every hit (no stored
//!   document is ever loaded);
//! - `meta` (u64 fast field), read for every candidate in one look-up:
//!   - bits 0 to 20: the audience of each searchable field, 3 bits per field
//!     in [`SEARCHABLE`] order (0 = no such field, else the index in
//!     [`Audience::ALL`] plus one);
//!   - bits 24 to 31: the kind code: a [`ProfileKind`] (1 to 4) for the kind
//!     filter; other document kinds will take codes from 16 up;
//! - one text field per searchable field (see [`Text`]), pre-analyzed by
//!   [`crate::analysis`]: folded stems in English and French, the folded
//!   name words, and the beginnings of name, headline and organization words
//!   for the type-ahead.

use crate::analysis::{Analyzer, prefixes_of};
use entremise_domain::privacy::{Audience, Field as DomainField};
use entremise_domain::profile::ProfileKind;
use entremise_domain::search::{SEARCHABLE, SearchDocument};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema as TantivySchema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};

/// Written to [`SCHEMA_FILE`]; change it whenever the schema or the
/// analysis changes, so an index built the old way is rebuilt.
pub const SCHEMA_VERSION: &str = "entremise-search schema 1";
/// The file next to the index that holds [`SCHEMA_VERSION`].
pub const SCHEMA_FILE: &str = "entremise-schema";
/// The `doc_kind` of a profile.
pub const DOC_KIND_PROFILE: &str = "profile";

/// The text fields of the index; each draws on one searchable field of the
/// profile and is matched only under that field's audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Folded, unstemmed name words (exact and one-typo matches).
    Name,
    /// Stems of the name words (pages' names are often common words).
    NameStem,
    /// Beginnings of the name words (type-ahead).
    NamePrefix,
    Headline,
    HeadlinePrefix,
    Organization,
    OrganizationPrefix,
    Positions,
    Location,
    Skills,
    About,
}

impl Text {
    pub const ALL: [Text; 11] = [
        Text::Name,
        Text::NameStem,
        Text::NamePrefix,
        Text::Headline,
        Text::HeadlinePrefix,
        Text::Organization,
        Text::OrganizationPrefix,
        Text::Positions,
        Text::Location,
        Text::Skills,
        Text::About,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            Text::Name => "name",
            Text::NameStem => "name_stem",
            Text::NamePrefix => "name_prefix",
            Text::Headline => "headline",
            Text::HeadlinePrefix => "headline_prefix",
            Text::Organization => "organization",
            Text::OrganizationPrefix => "organization_prefix",
            Text::Positions => "positions",
            Text::Location => "location",
            Text::Skills => "skills",
            Text::About => "about",
        }
    }

    /// The profile field whose audience guards this text.
    pub fn source(self) -> DomainField {
        match self {
            Text::Name | Text::NameStem | Text::NamePrefix => DomainField::Name,
            Text::Headline | Text::HeadlinePrefix => DomainField::Headline,
            Text::Organization | Text::OrganizationPrefix => DomainField::Organization,
            Text::Positions => DomainField::Positions,
            Text::Location => DomainField::Location,
            Text::Skills => DomainField::Skills,
            Text::About => DomainField::About,
        }
    }

    /// Prefix fields keep no frequencies: a beginning is there or not.
    pub fn has_freqs(self) -> bool {
        !matches!(
            self,
            Text::NamePrefix | Text::HeadlinePrefix | Text::OrganizationPrefix
        )
    }

    /// Field weights: the name first, then headline, organization and
    /// positions, skills, location, and the about text last.
    pub fn boost(self) -> f32 {
        match self {
            Text::Name => 6.0,
            Text::NameStem => 2.5,
            Text::NamePrefix => 3.0,
            Text::Headline | Text::Organization => 2.0,
            Text::HeadlinePrefix | Text::OrganizationPrefix => 1.0,
            Text::Positions => 1.6,
            Text::Skills => 1.3,
            Text::Location => 1.0,
            Text::About => 0.5,
        }
    }
}

/// The slot of a searchable field in the packed audiences.
pub fn slot(field: DomainField) -> Option<u8> {
    SEARCHABLE.iter().position(|f| *f == field).map(|i| i as u8)
}

fn audience_code(audience: Audience) -> u64 {
    Audience::ALL
        .iter()
        .position(|a| *a == audience)
        .map_or(0, |i| i as u64 + 1)
}

/// The audience stored for `slot` in a packed value; `None` when the
/// document has no such field (or the value is not one we wrote).
pub fn audience_at(packed: u64, slot: u8) -> Option<Audience> {
    let code = (packed >> (3 * u32::from(slot))) & 7;
    Audience::ALL.get((code as usize).checked_sub(1)?).copied()
}

pub fn kind_code(kind: ProfileKind) -> u64 {
    match kind {
        ProfileKind::Person => 1,
        ProfileKind::Organization => 2,
        ProfileKind::Brand => 3,
        ProfileKind::Persona => 4,
    }
}

/// Kind codes that are profiles.
pub const PROFILE_KIND_CODES: std::ops::RangeInclusive<u64> = 1..=4;

/// The fields of the index.
#[derive(Clone)]
pub struct Schema {
    pub schema: TantivySchema,
    pub key: Field,
    pub doc_kind: Field,
    pub id: Field,
    pub meta: Field,
    text: Vec<Field>,
}

pub const ID: &str = "id";
pub const META: &str = "meta";
/// Where the kind code starts in `meta`.
const KIND_SHIFT: u32 = 24;

/// The kind code stored in a `meta` value.
pub fn kind_at(meta: u64) -> u64 {
    (meta >> KIND_SHIFT) & 0xff
}

impl Schema {
    pub fn new() -> Self {
        let mut b = TantivySchema::builder();
        let key = b.add_text_field("key", STRING);
        let doc_kind = b.add_text_field("doc_kind", STRING);
        let id = b.add_i64_field(ID, FAST);
        let meta = b.add_u64_field(META, FAST);
        let text = Text::ALL
            .iter()
            .map(|t| {
                let record = if t.has_freqs() {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::Basic
                };
                // Values arrive analyzed, as words separated by spaces.
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(ANALYZED)
                    .set_index_option(record);
                b.add_text_field(
                    t.name(),
                    TextOptions::default().set_indexing_options(indexing),
                )
            })
            .collect();
        Self {
            schema: b.build(),
            key,
            doc_kind,
            id,
            meta,
            text,
        }
    }

    pub fn field(&self, text: Text) -> Field {
        self.text[text.index()]
    }

    /// The term a profile's document is deleted and replaced by.
    pub fn key_term(&self, id: i64) -> tantivy::Term {
        tantivy::Term::from_field_text(self.key, &format!("{DOC_KIND_PROFILE}:{id}"))
    }

    /// The tantivy document of a profile.
    pub fn document(&self, analyzer: &mut Analyzer, d: &SearchDocument) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.key, format!("{DOC_KIND_PROFILE}:{}", d.id.0));
        doc.add_text(self.doc_kind, DOC_KIND_PROFILE);
        doc.add_i64(self.id, d.id.0);
        let mut packed = 0u64;
        for f in &d.fields {
            let Some(slot) = slot(f.field) else { continue };
            let shift = 3 * u32::from(slot);
            // A field listed twice keeps its narrowest audience.
            let code = ((packed >> shift) & 7).max(audience_code(f.audience));
            packed = (packed & !(7 << shift)) | (code << shift);
            let wants_prefixes = matches!(
                f.field,
                DomainField::Name | DomainField::Headline | DomainField::Organization
            );
            let mut folded = String::new();
            let mut stems = String::new();
            let mut words: Vec<String> = Vec::new();
            for v in &f.values {
                analyzer.each_word(v, |w, s| {
                    push_word(&mut folded, w);
                    for stem in s {
                        push_word(&mut stems, stem);
                    }
                    if wants_prefixes {
                        words.push(w.to_owned());
                    }
                });
            }
            let mut prefixes = String::new();
            if wants_prefixes {
                let mut all: Vec<&str> = Vec::new();
                for w in &words {
                    all.extend(prefixes_of(w));
                }
                all.sort_unstable();
                all.dedup();
                for p in all {
                    push_word(&mut prefixes, p);
                }
            }
            let mut add = |text: Text, tokens: String| {
                if !tokens.is_empty() {
                    doc.add_text(self.field(text), tokens);
                }
            };
            match f.field {
                DomainField::Name => {
                    add(Text::Name, folded);
                    add(Text::NameStem, stems);
                    add(Text::NamePrefix, prefixes);
                }
                DomainField::Headline => {
                    add(Text::Headline, stems);
                    add(Text::HeadlinePrefix, prefixes);
                }
                DomainField::Organization => {
                    add(Text::Organization, stems);
                    add(Text::OrganizationPrefix, prefixes);
                }
                DomainField::Positions => add(Text::Positions, stems),
                DomainField::Location => add(Text::Location, stems),
                DomainField::Skills => add(Text::Skills, stems),
                DomainField::About => add(Text::About, stems),
                _ => {}
            }
        }
        doc.add_u64(self.meta, packed | (kind_code(d.kind) << KIND_SHIFT));
        doc
    }
}

impl Default for Schema {
    fn default() -> Self {
        Self::new()
    }
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// The tokenizer of the text fields: [`Schema::document`] has analyzed
/// their values already. Register it with [`register_tokenizer`].
pub const ANALYZED: &str = "entremise_analyzed";

pub fn register_tokenizer(index: &tantivy::Index) {
    index
        .tokenizers()
        .register(ANALYZED, TextAnalyzer::from(WhitespaceTokenizer::default()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_pack_per_field() {
        let mut packed = 0u64;
        for (slot, audience) in [(0u8, Audience::Public), (6, Audience::OnlyMe)] {
            packed |= audience_code(audience) << (3 * u32::from(slot));
        }
        assert_eq!(audience_at(packed, 0), Some(Audience::Public));
        assert_eq!(audience_at(packed, 6), Some(Audience::OnlyMe));
        assert_eq!(audience_at(packed, 3), None);
        assert_eq!(audience_at(7 << 3, 1), None);
        let meta = packed | (kind_code(ProfileKind::Persona) << KIND_SHIFT);
        assert_eq!(kind_at(meta), 4);
        assert_eq!(audience_at(meta, 6), Some(Audience::OnlyMe));
        for f in SEARCHABLE {
            assert!(slot(f).is_some_and(|s| s < 21 / 3));
        }
        for t in Text::ALL {
            assert!(slot(t.source()).is_some());
            assert_eq!(Text::ALL[t.index()], t);
        }
    }
}
