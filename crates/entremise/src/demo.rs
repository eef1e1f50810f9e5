//! `serve --demo`: fills an empty data directory with a demo network —
//! a few hundred members with French and English names and varied
//! profiles, an accounting firm with offices across Normandy, its services,
//! a brand, a persona and confirmed executives.
//!
//! Deterministic (seeded) except for the passwords, which are drawn at
//! random, printed once, and kept in `DATA_DIR/demo-accounts.txt`.

use anyhow::Context;
use entremise_domain::account::NewAccount;
use entremise_domain::locale::Locale;
use entremise_domain::media::MediaStore;
use entremise_domain::page::Role;
use entremise_domain::password;
use entremise_domain::privacy::{Audience, ContactRequestPolicy, Field, VisitVisibility};
use entremise_domain::profile::{Profile, ProfileKind};
use entremise_domain::store::{AuditRecord, NewOffice, NewPage, NewPosition, NewService, Store};
use entremise_domain::validate::{Email, Handle};
use entremise_domain::{AccountId, Entremise, ProfileId};
use std::path::Path;
use std::sync::Arc;
use time::OffsetDateTime;

/// How many generated members besides the named demo accounts.
pub const DEMO_MEMBERS: usize = 300;

/// A small deterministic generator (splitmix64): the demo network is the
/// same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FR_FIRST: &[&str] = &[
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Zoé",
    "Louise",
    "Jade",
    "Hugo",
    "Lucas",
    "Théo",
    "Nathan",
    "Louis",
    "Jules",
    "Gabriel",
    "Arthur",
    "Éloïse",
    "Maël",
    "Noémie",
    "Clément",
    "Mathilde",
    "Antoine",
    "Océane",
    "Benoît",
    "Hélène",
    "Françoise",
    "Jérôme",
    "Sébastien",
    "Amélie",
    "Aurélien",
    "Margaux",
    "Élodie",
    "Thibault",
    "Gaëlle",
    "Cédric",
    "Anaïs",
    "Rémi",
    "Solène",
    "Yannick",
    "Bérénice",
];
const EN_FIRST: &[&str] = &[
    "Oliver", "Amelia", "Jack", "Isla", "Harry", "Emily", "George", "Ava", "Charlie", "Sophie",
    "Thomas", "Grace", "James", "Lily", "William", "Ella", "Henry", "Freya", "Oscar", "Ruby",
];
const FR_LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Lefèvre",
    "Lemaire",
    "Marchand",
    "Fournier",
    "Girard",
    "Bonnet",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Mercier",
    "Boucher",
    "Lecomte",
    "Duval",
    "Lebrun",
    "Hébert",
    "Lemoine",
    "Guérin",
    "Leclerc",
    "Châtelain",
    "Delaunay",
    "Lecœur",
];
const EN_LAST: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans",
    "Walker", "Wright", "Thompson", "Hughes", "Clarke", "Turner", "Hall",
];
const FR_HEADLINES: &[&str] = &[
    "Expert-comptable",
    "Commissaire aux comptes",
    "Directrice administrative et financière",
    "Responsable paie",
    "Juriste en droit social",
    "Contrôleur de gestion",
    "Consultante RH",
    "Chef de projet digital",
    "Responsable marketing",
    "Dirigeant de PME",
    "Gestionnaire de patrimoine",
    "Avocate fiscaliste",
    "Chargé d'affaires bancaires",
    "Architecte d'intérieur",
    "Responsable logistique",
];
const EN_HEADLINES: &[&str] = &[
    "Chartered accountant",
    "Tax advisor",
    "Finance director",
    "Payroll manager",
    "Business analyst",
    "HR consultant",
    "Marketing manager",
    "Supply chain lead",
    "Software engineer",
    "Founder and CEO",
];
const TOWNS: &[&str] = &[
    "Caen",
    "Rouen",
    "Le Havre",
    "Cherbourg-en-Cotentin",
    "Évreux",
    "Alençon",
    "Bayeux",
    "Lisieux",
    "Saint-Lô",
    "Dieppe",
    "Honfleur",
    "Granville",
    "Paris",
    "Rennes",
    "London",
    "Southampton",
];
const SKILLS: &[&str] = &[
    "Audit",
    "Fiscalité",
    "Comptabilité",
    "Paie",
    "Consolidation",
    "IFRS",
    "Droit social",
    "Trésorerie",
    "Contrôle de gestion",
    "Tax",
    "Payroll",
    "M&A",
    "Excel",
    "Power BI",
    "SAP",
    "Négociation",
    "Management",
    "Transmission d'entreprise",
    "Export",
    "Logistique",
    "Marketing",
    "Recrutement",
    "Cybersécurité",
    "Data analysis",
];
const LANGUAGES_FR: &[&str] = &["Français", "Anglais", "Espagnol", "Allemand", "Italien"];
const LANGUAGES_EN: &[&str] = &["English", "French", "German", "Spanish"];

/// A demo account whose password is printed.
struct Named {
    handle: &'static str,
    name: &'static str,
    email: &'static str,
    headline: &'static str,
    locale: Locale,
}

const NAMED: &[Named] = &[
    Named {
        handle: "claire",
        name: "Claire Lefèvre",
        email: "claire@demo.entremise.test",
        headline: "Associée, expert-comptable",
        locale: Locale::Fr,
    },
    Named {
        handle: "james",
        name: "James Walker",
        email: "james@demo.entremise.test",
        headline: "Finance director, Harbour Logistics",
        locale: Locale::En,
    },
    Named {
        handle: "zoe",
        name: "Zoé Marchand",
        email: "zoe@demo.entremise.test",
        headline: "Responsable communication",
        locale: Locale::Fr,
    },
];

fn passphrase() -> anyhow::Result<String> {
    const WORDS: &[&str] = &[
        "falaise",
        "pommier",
        "marée",
        "bocage",
        "lanterne",
        "cidre",
        "galet",
        "phare",
        "brume",
        "clocher",
        "moulin",
        "rivage",
        "verger",
        "colombage",
        "abbaye",
        "estran",
    ];
    let mut raw = [0u8; 8];
    entremise_domain::session::random_bytes(&mut raw)?;
    let words: Vec<&str> = raw[..4]
        .iter()
        .map(|b| WORDS[*b as usize % WORDS.len()])
        .collect();
    Ok(format!("{}-{:02}", words.join("-"), raw[4] % 100))
}

/// Seeds the demo network unless the store already holds profiles.
/// Returns whether it seeded (then the search index needs a rebuild: the
/// seed writes through the store).
pub async fn seed_if_empty(app: &Arc<Entremise>, data_dir: &Path) -> anyhow::Result<bool> {
    let store = app.store().clone();
    if store.count_profiles().await? > 0 {
        let saved = data_dir.join("demo-accounts.txt");
        if let Ok(text) = std::fs::read_to_string(&saved) {
            eprintln!("Demo accounts (from {}):\n{text}", saved.display());
        }
        return Ok(false);
    }
    let report = seed(&store, app.media_store(), app.clock().now()).await?;
    std::fs::create_dir_all(data_dir)?;
    let saved = data_dir.join("demo-accounts.txt");
    std::fs::write(&saved, &report).with_context(|| format!("writing {}", saved.display()))?;
    eprintln!(
        "Demo network ready. Accounts (also in {}):\n{report}",
        saved.display()
    );
    Ok(true)
}

async fn save_with(
    store: &Arc<dyn Store>,
    mut profile: Profile,
    edit: impl FnOnce(&mut Profile),
) -> anyhow::Result<Profile> {
    edit(&mut profile);
    store.save_profile(&profile, None).await?;
    Ok(profile)
}

/// Writes the demo network and returns the text listing its accounts.
pub async fn seed(
    store: &Arc<dyn Store>,
    media: &Arc<dyn MediaStore>,
    now: OffsetDateTime,
) -> anyhow::Result<String> {
    let mut rng = Rng(42);
    let mut report = String::new();
    let mut progress = Progress::new("demo members", NAMED.len() + DEMO_MEMBERS);

    // Named accounts, each with its own password.
    let mut named = Vec::new();
    for n in NAMED {
        let pw = passphrase()?;
        let hash = password::hash(&pw)?;
        let account = store
            .create_account(NewAccount {
                approval: Default::default(),
                signup_answer: None,
                code: None,
                email: Email::parse(n.email).map_err(|e| anyhow::anyhow!(e.message))?,
                password_hash: hash,
                handle: Handle::parse(n.handle).map_err(|e| anyhow::anyhow!(e.message))?,
                name: n.name.into(),
                locale: n.locale,
                created_at: now,
            })
            .await?;
        report.push_str(&format!("  {:<8} {:<30} {}\n", n.handle, n.email, pw));
        let profile = store
            .profile(account.person)
            .await?
            .context("demo profile vanished")?;
        let profile = save_with(store, profile, |p| {
            p.fields.headline = Some(n.headline.into());
            p.fields.location = Some(if n.locale == Locale::Fr { "Caen" } else { "Southampton" }.into());
            p.fields.about = Some(match n.locale {
                Locale::Fr => "J'accompagne les dirigeants normands dans leurs projets, de la création à la transmission.".into(),
                Locale::En => "I run finance for a cross-Channel logistics company and mentor young analysts.".into(),
            });
            p.fields.skills = vec!["Audit".into(), "Fiscalité".into(), "Management".into()];
            p.fields.phone = Some("+33 2 31 00 00 00".into());
            p.fields.email = Some(n.email.into());
            p.fields.website = Some("https://demo.entremise.test".into());
        })
        .await?;
        named.push((account.id, profile));
        progress.step();
    }
    // The first named member runs the demo instance: administrator and
    // moderator.
    store.set_instance_roles(named[0].0, true, true).await?;

    // Generated members share one password.
    let shared_pw = passphrase()?;
    let shared_hash = password::hash(&shared_pw)?;
    let mut members = Vec::new();
    for i in 0..DEMO_MEMBERS {
        let english = rng.chance(30);
        let (first, last) = if english {
            (*rng.pick(EN_FIRST), *rng.pick(EN_LAST))
        } else {
            (*rng.pick(FR_FIRST), *rng.pick(FR_LAST))
        };
        let name = format!("{first} {last}");
        let base = ascii_handle(&format!("{first}_{last}"));
        let handle = format!("{}{}", &base[..base.len().min(25)], i);
        let email = format!("{handle}@demo.entremise.test");
        let account = store
            .create_account(NewAccount {
                approval: Default::default(),
                signup_answer: None,
                code: None,
                email: Email::parse(&email).map_err(|e| anyhow::anyhow!(e.message))?,
                password_hash: shared_hash.clone(),
                handle: Handle::parse(&handle).map_err(|e| anyhow::anyhow!(e.message))?,
                name: name.clone(),
                locale: if english { Locale::En } else { Locale::Fr },
                created_at: now,
            })
            .await?;
        let profile = store
            .profile(account.person)
            .await?
            .context("demo profile vanished")?;
        let headline = *rng.pick(if english { EN_HEADLINES } else { FR_HEADLINES });
        let town = *rng.pick(TOWNS);
        let skills: Vec<String> = (0..3 + rng.below(4))
            .map(|_| rng.pick(SKILLS).to_string())
            .collect();
        let mut skills_dedup = Vec::new();
        for s in skills {
            if !skills_dedup.contains(&s) {
                skills_dedup.push(s);
            }
        }
        let langs = if english { LANGUAGES_EN } else { LANGUAGES_FR };
        let languages = vec![langs[0].to_string(), rng.pick(&langs[1..]).to_string()];
        let open_requests = rng.chance(15);
        let public_about = rng.chance(25);
        let private_location = rng.chance(10);
        let hide_visits = rng.chance(20);
        let about = if english {
            format!(
                "{headline} based in {town}. Happy to share what I learnt about {}.",
                skills_dedup[0]
            )
        } else {
            format!(
                "{headline} à {town}. Je partage volontiers mon expérience en {}.",
                skills_dedup[0].to_lowercase()
            )
        };
        let profile = save_with(store, profile, |p| {
            p.fields.headline = Some(headline.into());
            p.fields.location = Some(town.into());
            p.fields.about = Some(about);
            p.fields.skills = skills_dedup;
            p.fields.languages = languages;
            p.fields.email = Some(email.clone());
            if i % 3 == 0 {
                p.fields.phone = Some(format!(
                    "+33 6 {:02} {:02} {:02} {:02}",
                    i % 100,
                    (i * 7) % 100,
                    (i * 13) % 100,
                    (i * 17) % 100
                ));
            }
            if open_requests {
                p.settings.contact_requests = ContactRequestPolicy::Everyone;
            }
            if hide_visits {
                p.settings.visits = VisitVisibility::Organization;
            }
            if public_about {
                p.audiences.set(Field::About, Audience::Public);
                p.audiences.set(Field::Skills, Audience::Public);
            }
            if private_location {
                p.audiences.set(Field::Location, Audience::Contacts);
            }
        })
        .await?;
        members.push((account.id, profile));
        progress.step();
    }
    progress.done();
    report.push_str(&format!("  and {DEMO_MEMBERS} generated members (e-mail HANDLE@demo.entremise.test), all with the password {shared_pw}\n"));

    seed_pages(store, now, &named, &members, &mut rng).await?;
    seed_network(store, now, &named, &members, &mut rng).await?;
    seed_posts(store, media, now, &named, &members, &mut rng).await?;
    seed_groups(store, now, &named, &members, &mut rng).await?;
    Ok(report)
}

/// Three groups of the demo network: a closed one with a pending request,
/// an open one and a secret one, each with members and a few discussions
/// from three weeks ago (below the recent posts of the home feeds).
async fn seed_groups(
    store: &Arc<dyn Store>,
    now: OffsetDateTime,
    named: &[(AccountId, Profile)],
    members: &[(AccountId, Profile)],
    rng: &mut Rng,
) -> anyhow::Result<()> {
    use entremise_domain::group::{GroupKind, Membership, Standing};
    use entremise_domain::store::{NewGroup, NewPost};
    /// Handle, name, kind, description, tags, discussions.
    type DemoGroup<'a> = (
        &'a str,
        &'a str,
        GroupKind,
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
    );
    let groups: [DemoGroup; 3] = [
        (
            "fiscalite_pme",
            "Fiscalité des PME",
            GroupKind::Closed,
            "Dirigeants et experts-comptables du Bocage échangent sur la fiscalité des petites entreprises.",
            &["fiscalité", "pme"],
            &[
                "Quelqu'un a-t-il déjà obtenu un rescrit sur le crédit d'impôt innovation ?",
                "Rappel : la facturation électronique arrive, voici notre check-list. #einvoicing",
                "Which VAT regime do you use for services sold to UK clients?",
            ],
        ),
        (
            "export_normandie",
            "Export Normandie",
            GroupKind::Open,
            "Exporters of Normandy: shipping, customs, partners abroad.",
            &["export", "logistics"],
            &[
                "Looking for a freight forwarder with a desk in Montréal.",
                "Salon à Hambourg en mars : qui y va ?",
            ],
        ),
        (
            "comite_rh_bocage",
            "Comité RH Bocage",
            GroupKind::Secret,
            "Les responsables RH des cabinets partenaires.",
            &["rh"],
            &["Ordre du jour de la réunion de jeudi : grille salariale 2027."],
        ),
    ];
    let people: Vec<&(AccountId, Profile)> = named.iter().chain(members).collect();
    for (i, (handle, name, kind, about, tags, texts)) in groups.into_iter().enumerate() {
        let owner = &named[i % named.len()];
        let at = now - time::Duration::days(30);
        let g = store
            .create_group(NewGroup {
                handle: handle.into(),
                name: name.into(),
                kind,
                about: about.into(),
                rules: "Bienveillance, pas de démarchage. / Be kind, no cold pitching.".into(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                created_by: owner.1.id,
                created_at: at,
            })
            .await?;
        let mut joined: Vec<&(AccountId, Profile)> = vec![owner];
        for _ in 0..12 {
            let p = *rng.pick(&people);
            if joined.iter().any(|j| j.1.id == p.1.id) {
                continue;
            }
            store
                .set_membership(g.id, p.1.id, None, Some(Membership::MEMBER), p.1.id, at)
                .await?;
            joined.push(p);
        }
        if kind == GroupKind::Closed {
            // One request waits for the moderators.
            if let Some(p) = people
                .iter()
                .find(|p| !joined.iter().any(|j| j.1.id == p.1.id))
            {
                store
                    .set_membership(
                        g.id,
                        p.1.id,
                        None,
                        Some(Membership::of(Standing::Pending)),
                        p.1.id,
                        now - time::Duration::hours(5),
                    )
                    .await?;
            }
        }
        for (k, text) in texts.iter().enumerate() {
            let author = joined[(k + 1) % joined.len()];
            let posted = now - time::Duration::days(21) + time::Duration::hours(k as i64 * 7);
            store
                .create_post(NewPost {
                    author: author.1.id,
                    operator: author.0,
                    audience: entremise_domain::post::GROUP_POST_AUDIENCE,
                    group: Some(g.id),
                    text: (*text).into(),
                    reshare_of: None,
                    media: Vec::new(),
                    created_at: posted,
                    published_at: posted,
                    replies: Default::default(),
                })
                .await?;
        }
    }
    Ok(())
}

/// What members and the firm talk about (French and English).
const POSTS: &[(&str, Option<&str>)] = &[
    (
        "Clôture annuelle terminée pour nos clients de Caen : merci à toute l'équipe ! #clôture #expertisecomptable",
        None,
    ),
    (
        "Quarterly close done two days early this time. Automating bank reconciliations paid off. #finance",
        None,
    ),
    (
        "Retour du salon des entreprises de Rouen : beaucoup de questions sur la facturation électronique 2026. #efacture",
        Some("Le stand du salon des entreprises à Rouen"),
    ),
    (
        "Our new warehouse in Le Havre opened this week. Cross-Channel freight just got faster. #logistics",
        Some("The new warehouse building at sunrise"),
    ),
    (
        "Qui recommanderiez-vous pour un audit de paie dans le Calvados ? Réponses en commentaire, merci !",
        None,
    ),
    (
        "Webinaire jeudi : les nouveautés fiscales pour les TPE normandes. Inscriptions ouvertes. #fiscalité",
        Some("Affiche du webinaire fiscal"),
    ),
    (
        "Lovely morning walk on the cliffs of Étretat before a day of audits. #normandy",
        Some("The cliffs of Étretat under a pink sky"),
    ),
    (
        "Nous recrutons un(e) gestionnaire de paie à Bayeux. Faites passer ! #recrutement",
        None,
    ),
    (
        "Three lessons from ten years of payroll: document everything, automate twice, call people back.",
        None,
    ),
    (
        "Le bocage normand en automne, vu depuis nos bureaux de Saint-Lô.",
        Some("Haies et prairies du bocage en automne"),
    ),
];

/// A generated picture (bands of colour, a sun): no downloads.
fn demo_picture(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let palette = [
        [31u8, 78, 121],
        [45, 106, 159],
        [242, 184, 75],
        [17, 122, 75],
        [180, 35, 24],
        [236, 240, 245],
    ];
    let a = palette[(seed % 6) as usize];
    let b = palette[((seed / 6 + 1) % 6) as usize];
    let sun = palette[2];
    let (cx, cy, r) = (
        width as f32 * (0.2 + (seed % 5) as f32 * 0.15),
        height as f32 * 0.35,
        height as f32 * 0.15,
    );
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        if (fx - cx).powi(2) + (fy - cy).powi(2) < r * r {
            return image::Rgb(sun);
        }
        let t = fy / height as f32;
        let wave = ((fx / width as f32) * 6.0 + seed as f32).sin() * 0.05;
        let mix = if t + wave > 0.6 { 1.0 } else { t * 0.8 };
        let c = |i: usize| (a[i] as f32 * (1.0 - mix) + b[i] as f32 * mix) as u8;
        image::Rgb([c(0), c(1), c(2)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding into memory cannot fail for an RGB image.
    let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

/// Posts (some with images, some by the firm's page), comments, reactions,
/// and followers of the firm.
async fn seed_posts(
    store: &Arc<dyn Store>,
    media: &Arc<dyn MediaStore>,
    now: OffsetDateTime,
    named: &[(AccountId, Profile)],
    members: &[(AccountId, Profile)],
    rng: &mut Rng,
) -> anyhow::Result<()> {
    use entremise_domain::media::UploadLimits;
    use entremise_domain::post::ReactionKind;
    use entremise_domain::store::{NewMedia, NewPost};

    let firm = store
        .profile_by_handle(
            &Handle::parse("bocage_expertise").map_err(|e| anyhow::anyhow!(e.message))?,
        )
        .await?
        .context("the demo firm")?;
    let people: Vec<&(AccountId, Profile)> = named.iter().chain(members).collect();
    let total = 120;
    let mut progress = Progress::new("demo posts", total);
    let comments = [
        "Bravo !",
        "Très juste.",
        "Great news, congratulations!",
        "Merci pour le partage.",
        "Interesting, thanks.",
        "On en parle la semaine prochaine ?",
    ];
    for i in 0..total {
        // The firm's page (one post in ten) says something new each time.
        let (text, alt) = POSTS[(i + i / 10) % POSTS.len()];
        // Claire acts for the firm's page.
        let (author, operator) = if i % 10 == 0 {
            (firm.id, named[0].0)
        } else {
            let (account, profile) = if i < 9 {
                people[i % 3]
            } else {
                *rng.pick(&people)
            };
            (profile.id, *account)
        };
        let audience = match rng.below(10) {
            0..=3 => Audience::Public,
            4..=6 => Audience::Members,
            7 => Audience::Network,
            _ => Audience::Contacts,
        };
        let audience = if author == firm.id {
            Audience::Public
        } else {
            audience
        };
        let mut attached = Vec::new();
        if let Some(alt) = alt {
            let (w, h) = [(720, 480), (640, 640), (600, 750)][i % 3];
            let bytes = demo_picture(i as u64, w, h);
            let stored = media
                .store_image(bytes, UploadLimits::default())
                .await?
                .map_err(|e| anyhow::anyhow!("demo picture {i}: {e}"))?;
            let m = store
                .create_media(NewMedia {
                    owner: operator,
                    key: stored.key,
                    content_type: stored.content_type,
                    alt: alt.into(),
                    width: stored.width,
                    height: stored.height,
                    bytes: stored.variants.iter().map(|v| v.bytes).sum(),
                    created_at: now,
                })
                .await?;
            attached.push(m.id);
        }
        // Spread over the last two weeks, newest last.
        let at = now - time::Duration::minutes(((total - i) * 160) as i64);
        let post = store
            .create_post(NewPost {
                author,
                operator,
                audience,
                group: None,
                text: text.into(),
                reshare_of: None,
                media: attached,
                created_at: at,
                published_at: at,
                replies: Default::default(),
            })
            .await?;
        for _ in 0..rng.below(4) {
            let (_, who) = *rng.pick(&people);
            let text: &str = comments[rng.below(comments.len())];
            store
                .add_comment(
                    post.id,
                    None,
                    who.id,
                    None,
                    text,
                    false,
                    at + time::Duration::minutes(30),
                )
                .await?;
        }
        for _ in 0..rng.below(8) {
            let (_, who) = *rng.pick(&people);
            let kind = *rng.pick(&ReactionKind::ALL);
            store.set_reaction(post.id, who.id, Some(kind), at).await?;
        }
        progress.step();
    }
    progress.done();
    // Claire's and Zoé's circles follow the firm.
    for (_, p) in people.iter().take(60) {
        store.follow(p.id, firm.id, now).await?;
    }
    Ok(())
}

/// The accounting firm, its brand, its persona, and a few other organizations.
async fn seed_pages(
    store: &Arc<dyn Store>,
    now: OffsetDateTime,
    named: &[(AccountId, Profile)],
    members: &[(AccountId, Profile)],
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let claire = named[0].0;
    let zoe = named[2].0;
    let audit = |page, action: &'static str, detail: String| AuditRecord {
        page,
        actor: claire,
        action,
        detail,
        at: now,
    };
    let handle = |h: &str| Handle::parse(h).map_err(|e| anyhow::anyhow!(e.message));

    let firm = store
        .create_page(NewPage {
            kind: ProfileKind::Organization,
            handle: handle("bocage_expertise")?,
            name: "Bocage Expertise & Conseil".into(),
            parent: None,
            owner: claire,
            created_at: now,
        })
        .await?;
    let firm = save_with(store, firm, |p| {
        p.fields.headline = Some("Cabinet d'expertise comptable et de conseil en Normandie · Accounting firm in Normandy".into());
        p.fields.about = Some("Depuis 1987, nos 120 collaborateurs accompagnent artisans, commerçants, PME et associations de la Manche à l'Eure : comptabilité, audit, fiscalité, paie et conseil aux dirigeants.".into());
        p.fields.location = Some("Caen".into());
        p.fields.website = Some("https://bocage-expertise.example".into());
        p.fields.phone = Some("+33 2 31 45 67 89".into());
        p.fields.skills = vec!["Expertise comptable".into(), "Audit".into(), "Fiscalité".into(), "Paie".into()];
    })
    .await?;
    let offices = [
        (
            "Siège de Caen",
            "12 rue Écuyère",
            "Caen",
            "+33 2 31 45 67 89",
        ),
        (
            "Bureau de Rouen",
            "8 quai de la Bourse",
            "Rouen",
            "+33 2 35 12 34 56",
        ),
        (
            "Bureau du Havre",
            "45 rue de Paris",
            "Le Havre",
            "+33 2 35 98 76 54",
        ),
        (
            "Bureau de Cherbourg",
            "3 quai Alexandre III",
            "Cherbourg-en-Cotentin",
            "+33 2 33 44 55 66",
        ),
        (
            "Bureau d'Évreux",
            "17 rue Chartraine",
            "Évreux",
            "+33 2 32 11 22 33",
        ),
        (
            "Bureau d'Alençon",
            "6 place de la Magdeleine",
            "Alençon",
            "+33 2 33 26 27 28",
        ),
    ];
    for (name, address, town, phone) in offices {
        store
            .add_office(
                firm.id,
                NewOffice {
                    name: name.into(),
                    address: address.into(),
                    town: town.into(),
                    phone: Some(phone.into()),
                },
                audit(firm.id, "office.add", format!("{name}, {town}")),
            )
            .await?;
    }
    let services = [
        (
            "Tenue et révision comptable",
            "Bilans, liasses fiscales et tableaux de bord mensuels.",
        ),
        (
            "Commissariat aux comptes",
            "Audit légal et contractuel, certification des comptes.",
        ),
        (
            "Conseil fiscal",
            "Optimisation, contrôle fiscal, fiscalité du dirigeant.",
        ),
        (
            "Paie et droit social",
            "Bulletins, déclarations sociales, contrats et ruptures.",
        ),
        (
            "Création et reprise d'entreprise",
            "Prévisionnel, statuts, financement.",
        ),
        ("Transmission", "Évaluation, cession, pacte Dutreil."),
    ];
    for (name, description) in services {
        store
            .add_service(
                firm.id,
                NewService {
                    name: name.into(),
                    description: Some(description.into()),
                },
                audit(firm.id, "service.add", name.into()),
            )
            .await?;
    }
    store
        .set_role(
            firm.id,
            zoe,
            Some(Role::Editor),
            audit(firm.id, "role.set", "zoe: none -> editor".into()),
        )
        .await?;

    let brand = store
        .create_page(NewPage {
            kind: ProfileKind::Brand,
            handle: handle("bocage_paie")?,
            name: "Bocage Paie".into(),
            parent: Some(firm.id),
            owner: claire,
            created_at: now,
        })
        .await?;
    save_with(store, brand, |p| {
        p.fields.headline = Some("La paie externalisée des TPE normandes".into());
        p.fields.about = Some(
            "Une offre de Bocage Expertise & Conseil pour les entreprises de 1 à 50 salariés."
                .into(),
        );
    })
    .await?;
    let persona = store
        .create_page(NewPage {
            kind: ProfileKind::Persona,
            handle: handle("margot_du_bocage")?,
            name: "Margot du Bocage".into(),
            parent: Some(firm.id),
            owner: claire,
            created_at: now,
        })
        .await?;
    save_with(store, persona, |p| {
        p.fields.headline = Some("Je réponds à vos questions de gestion, chaque semaine".into());
        p.fields.about = Some(
            "Margot est le personnage du cabinet : ses conseils sont rédigés par nos experts."
                .into(),
        );
    })
    .await?;

    // Executives: positions at the firm, confirmed by its admins.
    let mut holders = vec![(named[0].1.id, "Associée, expert-comptable", true)];
    for (title, confirmed) in [
        ("Expert-comptable associé", true),
        ("Responsable du pôle social", true),
        ("Commissaire aux comptes", true),
        ("Chargé de mission", false),
    ] {
        holders.push((members[rng.below(members.len())].1.id, title, confirmed));
    }
    for (person, title, confirmed) in holders {
        let position = store
            .add_position(NewPosition {
                person,
                title: title.into(),
                organization: Some(firm.id),
                organization_name: "Bocage Expertise & Conseil".into(),
                since_year: Some(2005 + rng.below(18) as i32),
                until_year: None,
            })
            .await?;
        if confirmed {
            store
                .confirm_position(
                    firm.id,
                    position.id,
                    true,
                    audit(firm.id, "executive.confirm", position.id.to_string()),
                )
                .await?;
        }
    }

    // Other organizations of the region, owned by generated members.
    let others = [
        (
            "cci_ouest_normandie",
            "Chambre de commerce Ouest-Normandie",
            "Accompagner les entreprises du territoire",
            "Caen",
        ),
        (
            "harbour_logistics",
            "Harbour Logistics Ltd",
            "Cross-Channel freight between Southampton and Le Havre",
            "Southampton",
        ),
        (
            "atelier_numerique",
            "L'Atelier numérique",
            "Agence web et data à Rouen",
            "Rouen",
        ),
    ];
    for (i, (h, name, headline, town)) in others.into_iter().enumerate() {
        let owner = if h == "harbour_logistics" {
            named[1].0
        } else {
            members[i * 7].0
        };
        let page = store
            .create_page(NewPage {
                kind: ProfileKind::Organization,
                handle: handle(h)?,
                name: name.into(),
                parent: None,
                owner,
                created_at: now,
            })
            .await?;
        save_with(store, page, |p| {
            p.fields.headline = Some(headline.into());
            p.fields.location = Some(town.into());
        })
        .await?;
    }
    Ok(())
}

/// Contacts drawn from the reference network generator at small scale, then
/// a few stories for the named accounts: pending introductions at each
/// step, a contact request waiting for Claire, conversations.
async fn seed_network(
    store: &Arc<dyn Store>,
    now: OffsetDateTime,
    named: &[(AccountId, Profile)],
    members: &[(AccountId, Profile)],
    rng: &mut Rng,
) -> anyhow::Result<()> {
    use entremise_domain::contact::{RequestStatus, RequestVia};
    use entremise_domain::introduction::{IntroductionAction, IntroductionNote};
    use entremise_domain::store::{NewContactRequest, NewIntroduction};

    let people: Vec<ProfileId> = named.iter().chain(members).map(|(_, p)| p.id).collect();
    let (claire, james, zoe) = (people[0], people[1], people[2]);
    let m = |i: usize| people[3 + i];
    let mut edges: Vec<(ProfileId, ProfileId)> =
        entremise_graph::generate_reference_network(entremise_graph::ReferenceNetwork {
            members: people.len() as u32,
            avg_degree: 12.0,
            seed: 42,
        })
        .into_iter()
        // The named accounts' stories are written below, by hand.
        .filter(|(a, b)| *a >= 3 && *b >= 3)
        .map(|(a, b)| (people[a as usize], people[b as usize]))
        .collect();
    edges.extend([
        (claire, zoe),
        (james, m(5)),
        (m(5), claire),
        (m(7), zoe),
        (claire, m(8)),
        (claire, m(9)),
        (zoe, m(10)),
        (james, m(11)),
        (m(11), m(12)),
        (m(12), zoe),
    ]);
    let mut progress = Progress::new("demo contacts", edges.len());
    for (a, b) in edges {
        // Contacts made over the last three years.
        let at = now - time::Duration::days(rng.below(3 * 365) as i64 + 1);
        let request = store
            .create_contact_request(NewContactRequest {
                from: a,
                to: b,
                message: None,
                via: RequestVia::Setting,
                created_at: at,
            })
            .await?;
        store
            .decide_contact_request(request.id, RequestStatus::Accepted, at)
            .await?;
        progress.step();
    }
    progress.done();

    let intro = |requester, intermediaries: Vec<ProfileId>, target, text: &str| {
        let mut notes: Vec<IntroductionNote> = intermediaries
            .iter()
            .map(|i| IntroductionNote {
                author: requester,
                recipient: *i,
                text: text.to_owned(),
                at: now,
            })
            .collect();
        notes.push(IntroductionNote {
            author: requester,
            recipient: target,
            text: text.to_owned(),
            at: now,
        });
        NewIntroduction {
            requester,
            intermediaries,
            target,
            notes,
            created_at: now,
            expires_at: now + time::Duration::days(30),
        }
    };
    // James would like to meet Claire: waiting for their mutual contact.
    store
        .create_introduction(intro(james, vec![m(5)], claire, "I am looking for an accounting firm for our Le Havre branch; could you introduce me to Claire?"))
        .await?;
    // Someone Zoé knows asks to meet Claire: Zoé passed it on, Claire decides.
    let asked = store
        .create_introduction(intro(
            m(7),
            vec![zoe],
            claire,
            "J'aimerais échanger avec Claire sur la transmission de mon entreprise.",
        ))
        .await?;
    let forwarded = asked
        .apply(
            zoe,
            &IntroductionAction::Forward {
                note: "Je le connais bien, c'est un client sérieux.".into(),
            },
            now,
        )
        .map_err(|e| anyhow::anyhow!("demo introduction: {e}"))?;
    store.apply_introduction(&asked, &forwarded).await?;
    // Two hops: James to Zoé through one of his contacts and one of hers.
    store
        .create_introduction(intro(
            james,
            vec![m(11), m(12)],
            zoe,
            "We are preparing a campaign in Normandy and would value Zoé's advice.",
        ))
        .await?;
    // A contact request waiting for Claire.
    store
        .create_contact_request(NewContactRequest {
            from: m(20),
            to: claire,
            message: Some("Nous nous sommes croisés au salon des entrepreneurs de Caen.".into()),
            via: RequestVia::Email,
            created_at: now,
        })
        .await?;
    // Conversations.
    let c = store
        .create_conversation(&[claire, zoe], now - time::Duration::hours(3))
        .await?;
    for (who, text) in [
        (zoe, "Claire, la plaquette des Bureaux de Rouen est prête."),
        (claire, "Merci Zoé ! Je la relis ce soir."),
        (zoe, "Parfait, je l'envoie à l'imprimeur demain matin."),
    ] {
        store
            .add_message(c.id, who, text, now - time::Duration::hours(2))
            .await?;
    }
    let c = store
        .create_conversation(&[james, m(5)], now - time::Duration::hours(1))
        .await?;
    store
        .add_message(
            c.id,
            m(5),
            "Good to see you at the harbour fair, James.",
            now - time::Duration::minutes(50),
        )
        .await?;
    Ok(())
}

/// `Zoé_Lecœur` → `zoe_lecoeur`.
fn ascii_handle(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let mapped = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => "e",
            'î' | 'ï' | 'Î' => "i",
            'ô' | 'ö' | 'Ô' => "o",
            'ù' | 'û' | 'ü' => "u",
            'ç' | 'Ç' => "c",
            'œ' | 'Œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() || c == '_' => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => continue,
        };
        out.push_str(mapped);
    }
    out
}

/// Progress on standard error for long work.
pub struct Progress {
    what: &'static str,
    total: usize,
    done: usize,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(what: &'static str, total: usize) -> Self {
        Self {
            what,
            total,
            done: 0,
            started: std::time::Instant::now(),
        }
    }

    pub fn step(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(50) || self.done == self.total {
            eprintln!("  {}: {}/{}", self.what, self.done, self.total);
        }
    }

    pub fn done(&self) {
        eprintln!(
            "  {}: {} in {:.1} s",
            self.what,
            self.done,
            self.started.elapsed().as_secs_f64()
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_are_folded_to_ascii() {
        assert_eq!(super::ascii_handle("Zoé_Lecœur"), "zoe_lecoeur");
        assert_eq!(super::ascii_handle("Éloïse_Châtelain"), "eloise_chatelain");
    }
}
