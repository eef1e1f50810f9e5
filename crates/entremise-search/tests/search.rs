//! The tantivy index against the domain's port: privacy first, then
//! language, ranking, query text, paging and the index's life on disk.

use entremise_domain::ProfileId;
use entremise_domain::network::{MemberCard, Network, NetworkBuilder};
use entremise_domain::privacy::{
    Audience, ContactListAudience, Field, Lens, Relation, ViewerIdentity,
};
use entremise_domain::profile::ProfileKind;
use entremise_domain::search::{
    Degree, IndexedField, SEARCHABLE, SearchDocument, SearchIndex, SearchQuery, SearchScope,
};
use entremise_search::TantivyIndex;
use std::sync::Arc;

fn card() -> MemberCard {
    MemberCard {
        handle: "h".into(),
        name: "n".into(),
        contact_list: ContactListAudience::Contacts,
    }
}

/// A network of `members`, with `contacts` and `blocks` between them.
fn network(members: &[i64], contacts: &[(i64, i64)], blocks: &[(i64, i64)]) -> Arc<Network> {
    let mut b = NetworkBuilder::new();
    for m in members {
        b.add_member(ProfileId(*m), true, card());
    }
    for (x, y) in contacts {
        b.add_contact(ProfileId(*x), ProfileId(*y));
    }
    for (x, y) in blocks {
        b.add_block(ProfileId(*x), ProfileId(*y));
    }
    Arc::new(b.build().unwrap())
}

fn scope(net: &Arc<Network>, viewer: Option<i64>, degree: Option<Degree>) -> SearchScope {
    let identity = viewer.map(|v| ViewerIdentity {
        person: ProfileId(v),
        operated: vec![],
        moderator: false,
    });
    SearchScope::new(Lens::new(identity, net.clone()), degree)
}

fn field(field: Field, audience: Audience, values: &[&str]) -> IndexedField {
    IndexedField {
        field,
        audience,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn doc(id: i64, kind: ProfileKind, fields: Vec<IndexedField>) -> SearchDocument {
    SearchDocument {
        id: ProfileId(id),
        kind,
        fields,
    }
}

/// A person with a public name and, optionally, a public headline.
fn person(id: i64, name: &str, headline: Option<&str>) -> SearchDocument {
    let mut fields = vec![field(Field::Name, Audience::Public, &[name])];
    if let Some(h) = headline {
        fields.push(field(Field::Headline, Audience::Public, &[h]));
    }
    doc(id, ProfileKind::Person, fields)
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        limit: 50,
        ..SearchQuery::default()
    }
}

fn prefix(text: &str) -> SearchQuery {
    SearchQuery {
        prefix: true,
        ..q(text)
    }
}

fn ids(index: &TantivyIndex, query: &SearchQuery, scope: &SearchScope) -> Vec<i64> {
    index
        .search(query, scope)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id.0)
        .collect()
}

fn anyone() -> (Arc<Network>, SearchScope) {
    let net = network(&[1], &[], &[]);
    let s = scope(&net, Some(1), None);
    (net, s)
}

// ---------------------------------------------------------------- privacy

const FIELD_WORDS: [&str; 7] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
];
const AUDIENCE_WORDS: [&str; 5] = ["kilo", "lima", "mike", "november", "oscar"];

fn matrix_word(f: usize, a: usize) -> String {
    format!("{}{}", FIELD_WORDS[f], AUDIENCE_WORDS[a])
}

/// Targets 100..=104; target `t` holds in field `f` a word of its own under
/// audience `(t + f) % 5`, so each target mixes audiences across fields and
/// each (field, audience) pair has one target. Viewers: the target itself,
/// 11 (a contact of every target), 12 (2nd degree, through 11), 13 (a
/// member without contacts), anonymous.
fn matrix() -> (TantivyIndex, Arc<Network>) {
    let index = TantivyIndex::in_memory().unwrap();
    let mut docs = Vec::new();
    for t in 0..5 {
        let fields = SEARCHABLE
            .iter()
            .enumerate()
            .map(|(f, fd)| {
                let a = (t + f) % 5;
                field(*fd, Audience::ALL[a], &[&matrix_word(f, a)])
            })
            .collect();
        docs.push(doc(100 + t as i64, ProfileKind::Person, fields));
    }
    index.put(&docs).unwrap();
    let mut contacts: Vec<(i64, i64)> = (100..105).map(|t| (11, t)).collect();
    contacts.push((11, 12));
    let net = network(&[11, 12, 13, 100, 101, 102, 103, 104], &contacts, &[]);
    (index, net)
}

/// The target holding field `f` under audience `a`.
fn matrix_target(f: usize, a: usize) -> i64 {
    100 + ((a + 5 - f % 5) % 5) as i64
}

/// (relation, viewer) for target `t`.
fn viewers(t: i64) -> [(Relation, Option<i64>); 5] {
    [
        (Relation::Itself, Some(t)),
        (Relation::Contact, Some(11)),
        (Relation::Network, Some(12)),
        (Relation::Member, Some(13)),
        (Relation::Anonymous, None),
    ]
}

/// Runs `query_of(field index, audience index)` for every field, audience
/// and relation; `may_match(field)` says whether that query looks into the
/// field at all.
fn check_matrix(
    what: &str,
    query_of: impl Fn(usize, usize) -> Option<SearchQuery>,
    may_match: impl Fn(Field) -> bool,
) {
    let (index, net) = matrix();
    let mut checked = 0;
    for (f, fd) in SEARCHABLE.into_iter().enumerate() {
        for (a, audience) in Audience::ALL.into_iter().enumerate() {
            let Some(query) = query_of(f, a) else {
                continue;
            };
            let target = matrix_target(f, a);
            for (relation, viewer) in viewers(target) {
                let s = scope(&net, viewer, None);
                let found = index.search(&query, &s).unwrap();
                let want = may_match(fd) && audience.admits(relation);
                let got: Vec<i64> = found.hits.iter().map(|h| h.id.0).collect();
                let expected = if want { vec![target] } else { vec![] };
                assert_eq!(
                    got, expected,
                    "{what}: {fd:?} with audience {audience:?} seen as {relation:?}"
                );
                assert_eq!(found.total, expected.len(), "{what}: total");
                if want {
                    assert_eq!(found.hits[0].relation, relation);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn a_word_matches_only_where_its_field_is_visible() {
    check_matrix("word", |f, a| Some(q(&matrix_word(f, a))), |_| true);
}

#[test]
fn one_typo_names_and_prefixes_keep_the_name_audience() {
    // "alphakilo" → "alhpakilo": one transposition.
    check_matrix(
        "typo",
        |f, a| {
            (SEARCHABLE[f] == Field::Name).then(|| {
                let mut chars: Vec<char> = matrix_word(f, a).chars().collect();
                chars.swap(2, 3);
                q(&chars.into_iter().collect::<String>())
            })
        },
        |fd| fd == Field::Name,
    );
    // The beginning of the word, typed ahead, in the name, headline and
    // organization.
    check_matrix(
        "prefix",
        |f, a| Some(prefix(&matrix_word(f, a)[..FIELD_WORDS[f].len() + 2])),
        |fd| matches!(fd, Field::Name | Field::Headline | Field::Organization),
    );
}

#[test]
fn filters_match_only_their_own_visible_field() {
    check_matrix(
        "location filter",
        |f, a| {
            Some(SearchQuery {
                location: Some(matrix_word(f, a)),
                ..q("")
            })
        },
        |fd| fd == Field::Location,
    );
    check_matrix(
        "organization filter",
        |f, a| {
            Some(SearchQuery {
                organization: Some(matrix_word(f, a)),
                ..q("")
            })
        },
        |fd| matches!(fd, Field::Organization | Field::Positions),
    );
    check_matrix(
        "skill filter",
        |f, a| {
            Some(SearchQuery {
                skill: Some(matrix_word(f, a)),
                ..q("")
            })
        },
        |fd| fd == Field::Skills,
    );
}

#[test]
fn every_word_must_match_a_visible_field() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[doc(
            50,
            ProfileKind::Person,
            vec![
                field(Field::Name, Audience::Public, &["Quentin Ravel"]),
                field(Field::Skills, Audience::Contacts, &["Marqueterie"]),
                field(Field::Location, Audience::Network, &["Lannion"]),
            ],
        )])
        .unwrap();
    let net = network(&[50, 51, 52, 53], &[(50, 51), (51, 52)], &[]);
    let contact = scope(&net, Some(51), None);
    let second = scope(&net, Some(52), None);
    let member = scope(&net, Some(53), None);
    assert_eq!(ids(&index, &q("quentin marqueterie"), &contact), [50]);
    assert!(ids(&index, &q("quentin marqueterie"), &second).is_empty());
    assert_eq!(ids(&index, &q("quentin"), &member), [50]);
    // A filter hidden from the viewer removes what the text found.
    let filtered = SearchQuery {
        location: Some("lannion".into()),
        ..q("ravel")
    };
    assert_eq!(ids(&index, &filtered, &second), [50]);
    assert!(ids(&index, &filtered, &member).is_empty());
    assert!(ids(&index, &filtered, &scope(&net, None, None)).is_empty());
}

#[test]
fn blocks_hide_both_ways() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Anouk Bertin", None),
            person(2, "Anouk Carrel", None),
        ])
        .unwrap();
    let net = network(&[1, 2, 3], &[(1, 3)], &[(1, 2)]);
    assert_eq!(ids(&index, &q("anouk"), &scope(&net, Some(1), None)), [1]);
    assert_eq!(ids(&index, &q("anouk"), &scope(&net, Some(2), None)), [2]);
    assert!(ids(&index, &q("carrel"), &scope(&net, Some(1), None)).is_empty());
    assert!(ids(&index, &q("bertin"), &scope(&net, Some(2), None)).is_empty());
    let mut third: Vec<i64> = ids(&index, &q("anouk"), &scope(&net, Some(3), None));
    third.sort();
    assert_eq!(third, [1, 2]);
    // Moderators see reported content through blocks, not search results.
    let moderator = SearchScope::new(
        Lens::new(
            Some(ViewerIdentity {
                person: ProfileId(1),
                operated: vec![],
                moderator: true,
            }),
            net.clone(),
        ),
        None,
    );
    assert!(ids(&index, &q("carrel"), &moderator).is_empty());
}

fn degrees_setup() -> (TantivyIndex, Arc<Network>) {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Paul Dupont", None),
            person(2, "Marie Dupont", None),
            person(3, "Luc Dupont", None),
            person(4, "Anne Dupont", None),
        ])
        .unwrap();
    let net = network(&[1, 2, 3, 4], &[(1, 2), (2, 3)], &[]);
    (index, net)
}

#[test]
fn degree_filters_keep_their_relation() {
    let (index, net) = degrees_setup();
    let s = |d| scope(&net, Some(1), d);
    assert_eq!(ids(&index, &q("dupont"), &s(Some(Degree::First))), [2]);
    assert_eq!(ids(&index, &q("dupont"), &s(Some(Degree::Second))), [3]);
    assert_eq!(ids(&index, &q("dupont"), &s(Some(Degree::ThirdPlus))), [4]);
    let all = index.search(&q("dupont"), &s(None)).unwrap();
    assert_eq!(all.total, 4);
    let relations: Vec<Relation> = all.hits.iter().map(|h| h.relation).collect();
    assert_eq!(relations[2..], [Relation::Network, Relation::Member]);
    assert!(relations[..2].contains(&Relation::Itself));
    assert!(relations[..2].contains(&Relation::Contact));
}

// --------------------------------------------------------------- language

#[test]
fn french_and_english_forms_find_each_other() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Aline Roux", Some("Comptable")),
            person(2, "Bruno Roy", Some("Managers de transition")),
            person(3, "Chloé Petit", Some("Product manager")),
            person(4, "Denis Moreau", Some("Développeuses et développeurs")),
        ])
        .unwrap();
    let (_net, s) = anyone();
    assert_eq!(ids(&index, &q("comptables"), &s), [1]);
    assert_eq!(ids(&index, &q("comptable"), &s), [1]);
    let mut managers = ids(&index, &q("manager"), &s);
    managers.sort();
    assert_eq!(managers, [2, 3]);
    let mut managers = ids(&index, &q("managers"), &s);
    managers.sort();
    assert_eq!(managers, [2, 3]);
    assert_eq!(ids(&index, &q("developpeuse"), &s), [4]);
    assert!(ids(&index, &q("paris"), &s).is_empty());
}

#[test]
fn accents_and_case_are_folded_both_ways() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Zoé Lefèvre", None),
            person(2, "Zoe Martin", None),
            person(3, "Hélène Œuvray", Some("Ingénieure")),
        ])
        .unwrap();
    let (_net, s) = anyone();
    for text in ["zoe", "Zoé", "ZOE", "zoé"] {
        let mut found = ids(&index, &q(text), &s);
        found.sort();
        assert_eq!(found, [1, 2], "{text}");
    }
    assert_eq!(ids(&index, &q("LEFEVRE"), &s), [1]);
    assert_eq!(ids(&index, &q("helene oeuvray"), &s), [3]);
    assert_eq!(ids(&index, &q("ingenieure"), &s), [3]);
    assert_eq!(ids(&index, &q("INGÉNIEURE"), &s), [3]);
}

#[test]
fn names_forgive_one_typo_and_exact_names_come_first() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Claire Dubois", None),
            person(2, "Claude Dubosc", None),
            person(5, "Yves Martin", None),
            person(6, "Rémi Marton", None),
        ])
        .unwrap();
    let (_net, s) = anyone();
    assert_eq!(ids(&index, &q("Clarie"), &s), [1]);
    assert_eq!(ids(&index, &q("Dubios"), &s), [1]);
    assert_eq!(ids(&index, &q("clarie dubios"), &s), [1]);
    // Two typos: nothing.
    assert!(ids(&index, &q("Calrie"), &s).is_empty());
    assert!(ids(&index, &q("Dbuosi"), &s).is_empty());
    // Exact first, then one typo away.
    assert_eq!(ids(&index, &q("martin"), &s), [5, 6]);
    assert_eq!(ids(&index, &q("marton"), &s), [6, 5]);
    assert_eq!(ids(&index, &q("dubosc"), &s), [2]);
    // Short words get no typo.
    index.put(&[person(3, "Léa Roy", None)]).unwrap();
    assert_eq!(ids(&index, &q("roy"), &s), [3]);
    assert!(ids(&index, &q("rox"), &s).is_empty());
}

#[test]
fn type_ahead_completes_the_last_word() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Claire Dubois", Some("Expert-comptable")),
            person(2, "Bruno Roy", Some("Manager commercial")),
            doc(
                3,
                ProfileKind::Organization,
                vec![
                    field(Field::Name, Audience::Public, &["Atelier Vénus"]),
                    field(
                        Field::Organization,
                        Audience::Public,
                        &["Compagnie des Vents"],
                    ),
                ],
            ),
        ])
        .unwrap();
    let (_net, s) = anyone();
    assert_eq!(ids(&index, &prefix("cla"), &s), [1]);
    assert!(ids(&index, &q("cla"), &s).is_empty());
    assert_eq!(ids(&index, &prefix("expert comp"), &s), [1]);
    let mut comp = ids(&index, &prefix("comp"), &s);
    comp.sort();
    assert_eq!(comp, [1, 3]);
    assert_eq!(ids(&index, &prefix("comm"), &s), [2]);
    assert_eq!(ids(&index, &prefix("mana"), &s), [2]);
    assert_eq!(ids(&index, &prefix("MANA"), &s), [2]);
    assert_eq!(ids(&index, &prefix("ven"), &s), [3]);
    assert_eq!(ids(&index, &prefix("Vénu"), &s), [3]);
    assert_eq!(ids(&index, &prefix("claire d"), &s), [1]);
    // Only the last word is a beginning.
    assert!(ids(&index, &prefix("cla dubois"), &s).is_empty());
    // Longer than the kept prefixes: still found.
    index
        .put(&[person(4, "Anticonstitutionnellement Long", None)])
        .unwrap();
    assert_eq!(ids(&index, &prefix("anticonstitutionnel"), &s), [4]);
}

// ---------------------------------------------------------------- ranking

#[test]
fn closer_relations_rank_first_then_relevance() {
    let index = TantivyIndex::in_memory().unwrap();
    let about = |id: i64, name: &str, about: &str| {
        doc(
            id,
            ProfileKind::Person,
            vec![
                field(Field::Name, Audience::Public, &[name]),
                field(Field::About, Audience::Public, &[about]),
            ],
        )
    };
    index
        .put(&[
            // A contact matching only in his about text.
            about(2, "Marc Antoine", "J'ai travaillé avec un ébéniste"),
            // A contact matching by name.
            about(5, "Paul Ébéniste", "Meubles"),
            // 2nd degree and farther, matching strongly by name and headline.
            person(3, "Jean Ébéniste", Some("Ébéniste")),
            person(4, "Luc Ébéniste", Some("Ébéniste ébéniste")),
        ])
        .unwrap();
    let net = network(&[1, 2, 3, 4, 5], &[(1, 2), (1, 5), (2, 3)], &[]);
    let s = scope(&net, Some(1), None);
    let found = index.search(&q("ebeniste"), &s).unwrap();
    let order: Vec<i64> = found.hits.iter().map(|h| h.id.0).collect();
    assert_eq!(order, [5, 2, 3, 4]);
    assert!(found.hits[0].score > found.hits[1].score);
    assert!(
        found.hits[3].score > found.hits[1].score,
        "farther scores higher on text"
    );
    let relations: Vec<Relation> = found.hits.iter().map(|h| h.relation).collect();
    assert_eq!(
        relations,
        [
            Relation::Contact,
            Relation::Contact,
            Relation::Network,
            Relation::Member
        ]
    );
}

// ------------------------------------------------------------ query text

#[test]
fn operators_are_plain_words() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            doc(
                1,
                ProfileKind::Person,
                vec![
                    field(Field::Name, Audience::Public, &["Title Andor"]),
                    field(Field::About, Audience::Public, &["and or x 2"]),
                    field(Field::Location, Audience::Public, &["Caen"]),
                ],
            ),
            person(2, "Other Person", None),
        ])
        .unwrap();
    let (_net, s) = anyone();
    let weird = "title:\"(AND OR -x* ~2";
    assert_eq!(ids(&index, &q(weird), &s), [1]);
    assert_eq!(ids(&index, &prefix(weird), &s), [1]);
    for text in ["\"(", "*", "-", "~", ":", "()[]{}^!", "AND", "OR NOT"] {
        // Never an error; words that are only punctuation are ignored.
        let found = index.search(&q(text), &s).unwrap();
        assert!(found.total <= 1, "{text}");
    }
    assert_eq!(index.search(&q(" \"( -*~ "), &s).unwrap().total, 0);
    assert_eq!(index.search(&q(""), &s).unwrap().total, 0);
    // Analysis-empty text with a filter: the filter alone selects.
    let filtered = SearchQuery {
        location: Some("caen".into()),
        ..q(" \"( -*~ ")
    };
    assert_eq!(ids(&index, &filtered, &s), [1]);
    // A word nobody has: nothing, even with matching words beside it.
    assert!(ids(&index, &q("title zzzzqqq"), &s).is_empty());
}

#[test]
fn kinds_filter_profiles_and_pages() {
    let index = TantivyIndex::in_memory().unwrap();
    index
        .put(&[
            person(1, "Comptable Martin", None),
            doc(
                2,
                ProfileKind::Organization,
                vec![field(Field::Name, Audience::Public, &["Cabinet Comptable"])],
            ),
        ])
        .unwrap();
    let (_net, s) = anyone();
    let only = |kinds: Vec<ProfileKind>| SearchQuery {
        kinds,
        ..q("comptables")
    };
    assert_eq!(ids(&index, &only(vec![ProfileKind::Organization]), &s), [2]);
    assert_eq!(ids(&index, &only(vec![ProfileKind::Person]), &s), [1]);
    assert_eq!(index.search(&only(vec![]), &s).unwrap().total, 2);
    assert!(ids(&index, &only(vec![ProfileKind::Brand]), &s).is_empty());
}

#[test]
fn pages_of_results_add_up() {
    let index = TantivyIndex::in_memory().unwrap();
    let docs: Vec<SearchDocument> = (1..=25)
        .map(|i| person(i, &format!("Lefebvre Number{i}"), None))
        .collect();
    index.put(&docs).unwrap();
    let (_net, s) = anyone();
    let mut seen = Vec::new();
    for offset in [0, 10, 20, 30] {
        let page = index
            .search(
                &SearchQuery {
                    offset,
                    limit: 10,
                    ..q("lefebvre")
                },
                &s,
            )
            .unwrap();
        assert_eq!(page.total, 25);
        assert_eq!(page.hits.len(), [10, 10, 5, 0][offset / 10]);
        seen.extend(page.hits.iter().map(|h| h.id.0));
    }
    seen.sort();
    assert_eq!(seen, (1..=25).collect::<Vec<_>>());
    let none = index
        .search(
            &SearchQuery {
                limit: 0,
                ..q("lefebvre")
            },
            &s,
        )
        .unwrap();
    assert_eq!((none.total, none.hits.len()), (25, 0));
}

// ------------------------------------------------------------------ writes

#[test]
fn writes_are_visible_to_the_next_search() {
    let index = TantivyIndex::in_memory().unwrap();
    let (_net, s) = anyone();
    index.put(&[person(7, "Ysolde Garnier", None)]).unwrap();
    assert_eq!(ids(&index, &q("ysolde"), &s), [7]);
    // Replaced, not added.
    index.put(&[person(7, "Ysolde Perrin", None)]).unwrap();
    assert!(ids(&index, &q("garnier"), &s).is_empty());
    assert_eq!(ids(&index, &q("perrin"), &s), [7]);
    assert_eq!(index.count().unwrap(), 1);
    index.remove(ProfileId(7)).unwrap();
    assert!(ids(&index, &q("ysolde"), &s).is_empty());
    assert_eq!(index.count().unwrap(), 0);
    assert_eq!(index.disk_bytes(), 0);
}

#[test]
fn a_rebuild_shows_at_its_end_only() {
    let index = TantivyIndex::in_memory().unwrap();
    let (_net, s) = anyone();
    index
        .put(&[
            person(1, "Ancien Un", None),
            person(2, "Ancien Deux", None),
            person(3, "Ancien Trois", None),
        ])
        .unwrap();
    index.start_rebuild().unwrap();
    index
        .add_to_rebuild(&[
            person(1, "Nouveau Un", None),
            person(2, "Nouveau Deux", None),
        ])
        .unwrap();
    // A change during the rebuild: kept, but not shown before the end.
    index.put(&[person(9, "Nouveau Neuf", None)]).unwrap();
    index.remove(ProfileId(2)).unwrap();
    assert_eq!(index.count().unwrap(), 3);
    assert_eq!(ids(&index, &q("ancien"), &s).len(), 3);
    assert!(ids(&index, &q("nouveau"), &s).is_empty());
    index
        .add_to_rebuild(&[person(2, "Nouveau Deux", None)])
        .unwrap();
    assert_eq!(index.finish_rebuild().unwrap(), 3);
    assert!(ids(&index, &q("ancien"), &s).is_empty());
    let mut found = ids(&index, &q("nouveau"), &s);
    found.sort();
    assert_eq!(found, [1, 2, 9]);
    // An unfinished rebuild started again starts from nothing.
    index.start_rebuild().unwrap();
    index.add_to_rebuild(&[person(5, "Perdu", None)]).unwrap();
    index.start_rebuild().unwrap();
    index.add_to_rebuild(&[person(6, "Gardé", None)]).unwrap();
    assert_eq!(index.finish_rebuild().unwrap(), 1);
    assert_eq!(ids(&index, &q("garde"), &s), [6]);
}

#[test]
fn open_creates_reopens_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    let (_net, s) = anyone();
    {
        let (index, rebuild) = TantivyIndex::open(&path).unwrap();
        assert!(rebuild, "a missing index needs a rebuild");
        index.put(&[person(1, "Ombeline Vasseur", None)]).unwrap();
        assert!(index.disk_bytes() > 0);
        // The same directory cannot be opened twice.
        let err = TantivyIndex::open(&path).unwrap_err().to_string();
        assert!(err.contains("in use by another entremise process"), "{err}");
    }
    {
        let (index, rebuild) = TantivyIndex::open(&path).unwrap();
        assert!(!rebuild);
        assert_eq!(index.count().unwrap(), 1);
        assert_eq!(ids(&index, &q("ombeline"), &s), [1]);
        index.remove(ProfileId(1)).unwrap();
        index.put(&[person(2, "Ombeline Roux", None)]).unwrap();
    }
    std::fs::write(path.join("notes.txt"), "not ours").unwrap();
    {
        let (index, rebuild) = TantivyIndex::open(&path).unwrap();
        assert!(!rebuild);
        assert_eq!(ids(&index, &q("ombeline"), &s), [2]);
    }
    std::fs::write(path.join("meta.json"), "{ garbage").unwrap();
    {
        let (index, rebuild) = TantivyIndex::open(&path).unwrap();
        assert!(rebuild, "a corrupt index needs a rebuild");
        assert_eq!(index.count().unwrap(), 0);
        index.put(&[person(3, "Ombeline Perrin", None)]).unwrap();
        assert_eq!(ids(&index, &q("ombeline"), &s), [3]);
    }
    assert!(
        path.join("notes.txt").exists(),
        "files not ours are left alone"
    );
    std::fs::write(path.join("entremise-schema"), "entremise-search schema 0\n").unwrap();
    {
        let (index, rebuild) = TantivyIndex::open(&path).unwrap();
        assert!(rebuild, "an older schema needs a rebuild");
        assert_eq!(index.count().unwrap(), 0);
    }
    let (_index, rebuild) = TantivyIndex::open(&path).unwrap();
    assert!(!rebuild);
}
