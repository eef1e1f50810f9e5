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
    let ImportCommand::Edges { file, settings } = args.command;
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
