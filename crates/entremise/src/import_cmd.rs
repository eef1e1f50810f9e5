//! `entremise import edges FILE`: loads a plain edge list (or LDBC SNB
//! `Person_knows_Person` file) into the data directory as members and
//! contacts, with progress. Each node becomes a person `m{id}` with a
//! generated French or English name; all share one printed password.

use crate::graph_cmd::load::read_edges;
use anyhow::Context;
use clap::{Args, Subcommand};
use entremise::config::{Config, Settings};
use entremise_domain::locale::Locale;
use entremise_store_sqlite::ImportedMember;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: ImportCommand,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// A plain edge list (`a b` per line, `#` comments) or an LDBC SNB
    /// `Person_knows_Person` file.
    Edges {
        file: PathBuf,
        #[command(flatten)]
        settings: Settings,
    },
    /// Generated text posts for every person already in the data directory
    /// (to measure the feed at scale), spread over the last 30 days.
    Posts {
        /// Posts per person.
        #[arg(long, default_value_t = 10)]
        per_member: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        settings: Settings,
    },
    /// Generated open groups for the persons already in the data directory
    /// (to measure the feed with groups): each person joins `per_member`
    /// groups at random, and each group gets `posts_per_group` posts by
    /// its members over the last 30 days.
    Groups {
        /// Groups to create.
        #[arg(long, default_value_t = 1_000)]
        count: usize,
        /// Groups each person joins.
        #[arg(long, default_value_t = 20)]
        per_member: usize,
        #[arg(long, default_value_t = 100)]
        posts_per_group: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[command(flatten)]
        settings: Settings,
    },
}

/// A deterministic generator (xorshift64*), no dependency.
fn generator(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed.max(1);
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const GROUP_TOPICS: &[&str] = &[
    "Fiscalité des PME",
    "Paie et social",
    "Export hors UE",
    "Cybersécurité des TPE",
    "Women in finance",
    "Supply chain Normandie",
    "Transmission d'entreprise",
    "E-invoicing",
];

/// `import groups`: generated groups, memberships and group posts.
fn import_groups(
    config: &Config,
    count: usize,
    per_member: usize,
    posts_per_group: usize,
    seed: u64,
) -> anyhow::Result<()> {
    use entremise_domain::profile::ProfileKind;
    use entremise_store_sqlite::{ImportedGroup, ImportedPost};
    anyhow::ensure!(count > 0, "--count: at least one group");
    anyhow::ensure!(
        per_member <= count,
        "--per-member: at most --count ({count}) groups"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = entremise::server::open_store(config)?;
        let now = time::OffsetDateTime::now_utc();
        let mut next = generator(seed);
        let mut members: Vec<Vec<entremise_domain::ProfileId>> = vec![Vec::new(); count];
        let mut after = None;
        loop {
            let page = entremise_domain::store::ProfileStore::list_profiles(
                &*store,
                Some(ProfileKind::Person),
                after,
                10_000,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for p in &page {
                let mut chosen: Vec<usize> = Vec::with_capacity(per_member);
                while chosen.len() < per_member {
                    let g = (next() % count as u64) as usize;
                    if !chosen.contains(&g) {
                        chosen.push(g);
                    }
                }
                for g in chosen {
                    members[g].push(p.id);
                }
            }
        }
        let started = std::time::Instant::now();
        let groups: Vec<ImportedGroup> = members
            .iter()
            .enumerate()
            .map(|(i, m)| ImportedGroup {
                handle: format!("g{i}_{seed}"),
                name: format!("{} {}", GROUP_TOPICS[i % GROUP_TOPICS.len()], i + 1),
                about: "Groupe de travail généré pour les mesures.".into(),
                tags: vec!["mesure".into()],
                members: m.clone(),
                at: now - time::Duration::days(31),
            })
            .collect();
        let ids = store
            .import_groups(groups, |done, total| {
                if done % 1_000 == 0 || done == total {
                    eprintln!("  groups: {done}/{total}")
                }
            })
            .await
            .with_context(|| format!("importing groups into {:?}", config.database))?;
        let mut posts = Vec::new();
        for (id, m) in ids.iter().zip(&members) {
            if m.is_empty() {
                continue;
            }
            for _ in 0..posts_per_group {
                let r = next();
                let age = time::Duration::seconds((next() % (30 * 24 * 3600)) as i64);
                posts.push(ImportedPost {
                    author: m[(r % m.len() as u64) as usize],
                    audience: entremise_domain::post::GROUP_POST_AUDIENCE,
                    group: Some(*id),
                    text: POST_TEXTS[(r / 7) as usize % POST_TEXTS.len()].to_owned(),
                    at: now - age,
                });
            }
        }
        posts.sort_by_key(|p| p.at);
        let done = store
            .import_posts(posts, |done, total| {
                eprintln!("  group posts: {done}/{total}")
            })
            .await
            .with_context(|| format!("importing group posts into {:?}", config.database))?;
        eprintln!(
            "imported {} groups ({} memberships) and {done} group posts in {:.1} s",
            ids.len(),
            members.iter().map(Vec::len).sum::<usize>(),
            started.elapsed().as_secs_f64()
        );
        anyhow::Ok(())
    })
}

const POST_TEXTS: &[&str] = &[
    "Clôture annuelle terminée : merci à toute l'équipe ! #expertisecomptable",
    "Quarterly close done two days early. Automation paid off. #finance",
    "Qui recommanderiez-vous pour un audit de paie dans le Calvados ?",
    "Our new warehouse in Le Havre opened this week. #logistics",
    "Webinaire jeudi : les nouveautés fiscales pour les TPE. #fiscalité",
    "Three lessons from ten years of payroll: document, automate, call back.",
    "Nous recrutons un(e) gestionnaire de paie à Bayeux. #recrutement",
    "Great panel on e-invoicing at the chamber of commerce today.",
];

/// `import posts`: generated posts for every person of the store.
fn import_posts(config: &Config, per_member: usize, seed: u64) -> anyhow::Result<()> {
    use entremise_domain::privacy::Audience;
    use entremise_domain::profile::ProfileKind;
    use entremise_store_sqlite::ImportedPost;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = entremise::server::open_store(config)?;
        let now = time::OffsetDateTime::now_utc();
        let mut next = generator(seed);
        let mut posts = Vec::new();
        let mut after = None;
        loop {
            let page = entremise_domain::store::ProfileStore::list_profiles(
                &*store,
                Some(ProfileKind::Person),
                after,
                10_000,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for p in &page {
                for _ in 0..per_member {
                    let r = next();
                    let audience = match r % 10 {
                        0..=2 => Audience::Public,
                        3..=5 => Audience::Members,
                        6..=7 => Audience::Contacts,
                        _ => Audience::Network,
                    };
                    let age = time::Duration::seconds((next() % (30 * 24 * 3600)) as i64);
                    posts.push(ImportedPost {
                        author: p.id,
                        audience,
                        group: None,
                        text: POST_TEXTS[(r / 10) as usize % POST_TEXTS.len()].to_owned(),
                        at: now - age,
                    });
                }
            }
        }
        // Oldest first, as they would have been written.
        posts.sort_by_key(|p| p.at);
        let started = std::time::Instant::now();
        let done = store
            .import_posts(posts, |done, total| eprintln!("  posts: {done}/{total}"))
            .await
            .with_context(|| format!("importing posts into {:?}", config.database))?;
        eprintln!(
            "imported {done} posts in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        anyhow::Ok(())
    })
}

const FIRST: &[&str] = &[
    "Camille", "Léa", "Hugo", "Louise", "Jules", "Zoé", "Oliver", "Amelia", "Inès", "Théo",
    "Grace", "Arthur", "Manon", "James", "Chloé", "Lucas",
];
const LAST: &[&str] = &[
    "Martin", "Lefèvre", "Marchand", "Dubois", "Walker", "Taylor", "Fontaine", "Girard", "Hébert",
    "Smith", "Leroy", "Duval", "Evans", "Moreau", "Clarke", "Bonnet",
];
const HEADLINES: &[&str] = &[
    "Expert-comptable",
    "Chartered accountant",
    "Directrice financière",
    "Payroll manager",
    "Consultant RH",
    "Software engineer",
    "Avocate fiscaliste",
    "Supply chain lead",
];
const TOWNS: &[&str] = &[
    "Caen",
    "Rouen",
    "Le Havre",
    "Cherbourg-en-Cotentin",
    "Évreux",
    "Alençon",
    "Paris",
    "London",
];

pub fn run(config_file: Option<&std::path::Path>, args: ImportArgs) -> anyhow::Result<()> {
    let (file, settings) = match args.command {
        ImportCommand::Edges { file, settings } => (file, settings),
        ImportCommand::Posts {
            per_member,
            seed,
            settings,
        } => {
            let config = Config::load(config_file, settings)?;
            return import_posts(&config, per_member, seed);
        }
        ImportCommand::Groups {
            count,
            per_member,
            posts_per_group,
            seed,
            settings,
        } => {
            let config = Config::load(config_file, settings)?;
            return import_groups(&config, count, per_member, posts_per_group, seed);
        }
    };
    let config = Config::load(config_file, settings)?;
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut nodes: Vec<u64> = Vec::new();
    let mut contacts: Vec<(usize, usize)> = Vec::new();
    let started = std::time::Instant::now();
    let slot = |id: u64, index: &mut HashMap<u64, usize>, nodes: &mut Vec<u64>| {
        *index.entry(id).or_insert_with(|| {
            nodes.push(id);
            nodes.len() - 1
        })
    };
    read_edges(&file, |a, b| {
        let x = slot(a, &mut index, &mut nodes);
        let y = slot(b, &mut index, &mut nodes);
        contacts.push((x, y));
    })?;
    eprintln!(
        "read {} members and {} contacts from {} in {:.1} s",
        nodes.len(),
        contacts.len(),
        file.display(),
        started.elapsed().as_secs_f64()
    );
    let members: Vec<ImportedMember> = nodes
        .iter()
        .map(|id| {
            let i = *id as usize;
            let english = i.is_multiple_of(3);
            ImportedMember {
                handle: format!("m{id}"),
                name: format!(
                    "{} {}",
                    FIRST[i % FIRST.len()],
                    LAST[(i / FIRST.len()) % LAST.len()]
                ),
                email: format!("m{id}@import.entremise.test"),
                headline: Some(HEADLINES[i % HEADLINES.len()].to_owned()),
                location: Some(TOWNS[(i / 7) % TOWNS.len()].to_owned()),
                locale: if english { Locale::En } else { Locale::Fr },
            }
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = entremise::server::open_store(&config)?;
        let mut raw = [0u8; 12];
        entremise_domain::session::random_bytes(&mut raw)?;
        let password: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let hash = entremise_domain::password::hash(&password)?;
        let now = time::OffsetDateTime::now_utc();
        let started = std::time::Instant::now();
        store
            .import_network(members, contacts, hash, now, |what, done, total| {
                eprintln!("  {what}: {done}/{total}");
            })
            .await
            .with_context(|| format!("importing into {:?}", config.database))?;
        eprintln!("imported in {:.1} s; every imported member (e-mail m<ID>@import.entremise.test) has the password {password}", started.elapsed().as_secs_f64());
        eprintln!("the search index is rebuilt at the next start (or now with `entremise reindex search`)");
        anyhow::Ok(())
    })
}
