//! Change events: whatever order writes commit in, whichever request is
//! dropped right after its commit and whenever the server restarts, every
//! projection ends equal to one rebuilt from the store.

use entremise::server;
use entremise_domain::clock::ManualClock;
use entremise_domain::contact::RequestVia;
use entremise_domain::events::{Change, EventLog};
use entremise_domain::service::{SearchRequest, Viewer, load_network, load_timelines};
use entremise_domain::session::SessionKind;
use entremise_domain::store::{ContactStore, NewContactRequest, NewPost, PostStore, ProfileStore};
use entremise_domain::{AccountId, Entremise, ProfileId};
use entremise_search::TantivyIndex;
use entremise_store_sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple 42";

/// A small seeded generator (xorshift), so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// A name made of letters only, far from every other (for search).
fn name_of(n: usize) -> String {
    const SYLLABLES: [&str; 12] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "so", "ti", "vu", "ze", "do", "fa",
    ];
    let mut word = String::from("Q");
    let mut n = n + 1;
    while n > 0 {
        word.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    word.push_str("xyw");
    format!("Ana {word}")
}

struct Person {
    id: ProfileId,
    account: AccountId,
    handle: String,
    token: String,
    name: String,
}

struct World {
    store: Arc<SqliteStore>,
    index: Option<Arc<TantivyIndex>>,
    app: Option<Arc<Entremise>>,
    people: Vec<Person>,
    names: usize,
}

async fn open(dir: &Path) -> (Arc<SqliteStore>, Arc<TantivyIndex>, Arc<Entremise>) {
    let store = Arc::new(SqliteStore::open(&dir.join("test.db")).unwrap());
    let (index, fresh) = TantivyIndex::open(&dir.join("search")).unwrap();
    let index = Arc::new(index);
    if fresh {
        server::rebuild_search(&*store, index.clone())
            .await
            .unwrap();
    }
    let clock = Arc::new(ManualClock::new(
        time::macros::datetime!(2026-12-01 09:00 UTC),
    ));
    let media = Arc::new(entremise_media::ObjectMediaStore::in_memory());
    let app = server::domain_with(
        store.clone(),
        index.clone(),
        media,
        clock,
        crate::support::test_limits(),
    )
    .await
    .unwrap();
    (store, index, app)
}

impl World {
    async fn viewer(&self, who: usize) -> Viewer {
        self.app()
            .accounts()
            .authenticate(&self.people[who].token)
            .await
            .unwrap()
    }

    async fn join(&mut self) {
        let n = self.people.len();
        let handle = format!("member{n}");
        let name = name_of(self.names);
        self.names += 1;
        let reg = entremise_domain::account::Registration {
            code: None,
            answer: None,
            email: format!("{handle}@example.org"),
            password: PASSWORD.into(),
            handle: handle.clone(),
            name: name.clone(),
            locale: None,
        };
        let account = self
            .app()
            .accounts()
            .register(reg, "10.0.0.1")
            .await
            .unwrap();
        let session = self
            .app()
            .accounts()
            .sign_in(
                &format!("{handle}@example.org"),
                PASSWORD,
                "10.0.0.1",
                SessionKind::Api,
                "test",
            )
            .await
            .unwrap();
        self.people.push(Person {
            id: account.person,
            account: account.id,
            handle,
            token: session.token,
            name,
        });
    }

    /// Drops the application without waiting for anything (a crash), and
    /// starts another on the same data directory.
    async fn restart(&mut self, dir: &Path) {
        self.app = None;
        self.index = None;
        // Aborted tasks and blocking calls let go of the index's lock.
        let mut tries = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.store = Arc::new(SqliteStore::open(&dir.join("test.db")).unwrap());
            match TantivyIndex::open(&dir.join("search")) {
                Ok(_) => break,
                Err(e) => {
                    tries += 1;
                    assert!(tries < 200, "the index stayed locked: {e}");
                }
            }
        }
        let (store, index, app) = open(dir).await;
        self.store = store;
        self.index = Some(index);
        self.app = Some(app);
    }

    fn app(&self) -> &Arc<Entremise> {
        self.app.as_ref().expect("the application is running")
    }

    /// One random write, through the store (as if its request were dropped
    /// right after the commit) or through a use case cancelled at a random
    /// point.
    async fn write(&mut self, rng: &mut Rng) {
        let n = self.people.len();
        // Member 0 watches: he takes part in nothing, so search sees all.
        let (a, b) = (1 + rng.below(n - 1), 1 + rng.below(n - 1));
        let (pa, pb) = (self.people[a].id, self.people[b].id);
        let now = time::OffsetDateTime::now_utc();
        match rng.below(10) {
            0 if a != b => {
                let request = self
                    .store
                    .create_contact_request(NewContactRequest {
                        from: pa,
                        to: pb,
                        message: None,
                        via: RequestVia::Setting,
                        created_at: now,
                    })
                    .await;
                if let Ok(r) = request {
                    let status = entremise_domain::contact::RequestStatus::Accepted;
                    let _ = self.store.decide_contact_request(r.id, status, now).await;
                }
            }
            1 => {
                let _ = self.store.remove_contact(pa, pb).await;
            }
            2 if a != b => self.store.block(pa, pb, now).await.unwrap(),
            3 => {
                let _ = self.store.unblock(pa, pb).await;
            }
            4 => {
                let audience = entremise_domain::privacy::Audience::ALL[rng.below(4)];
                let post = NewPost {
                    author: pa,
                    operator: self.people[a].account,
                    audience,
                    group: None,
                    text: "Hello".into(),
                    reshare_of: None,
                    media: Vec::new(),
                    created_at: now,
                    published_at: now,
                    replies: Default::default(),
                };
                self.store.create_post(post).await.unwrap();
            }
            5 => {
                let posts = self.store.posts_by(&[pa], None, now, 10).await.unwrap();
                if let Some(p) = posts.get(rng.below(posts.len().max(1))) {
                    self.store.delete_post(p.id).await.unwrap();
                }
            }
            6 => {
                let mut p = self.store.profile(pa).await.unwrap().unwrap();
                let name = name_of(self.names);
                self.names += 1;
                p.fields.name = name.clone();
                p.settings.relay_introductions = rng.chance(2);
                self.store.save_profile(&p, None).await.unwrap();
                self.people[a].name = name;
            }
            7 if n < 12 => self.join().await,
            _ => {
                // A use case whose request goes away at a random point.
                let viewer = self.viewer(a).await;
                let app = self.app().clone();
                let handle = self.people[b].handle.clone();
                let what = rng.below(9);
                let group = format!("g{}", rng.below(3));
                let kind = entremise_domain::group::GroupKind::ALL[rng.below(3)];
                let muted = rng.chance(2);
                let task = tokio::spawn(async move {
                    let groups = app.groups();
                    let _ = match what {
                        0 => app.contacts().block(&viewer, &handle).await,
                        1 => app.contacts().unblock(&viewer, &handle).await,
                        2 => app.contacts().remove_contact(&viewer, &handle).await,
                        3 => groups
                            .create(
                                &viewer,
                                entremise_domain::service::NewGroupInput {
                                    handle: group.clone(),
                                    name: group,
                                    kind,
                                    about: None,
                                    rules: None,
                                    tags: Vec::new(),
                                    as_: None,
                                },
                            )
                            .await
                            .map(|_| ()),
                        4 => groups.join(&viewer, &group).await.map(|_| ()),
                        5 => groups.leave(&viewer, &group).await,
                        6 => groups
                            .moderate(
                                &viewer,
                                &group,
                                &handle,
                                entremise_domain::group::GroupAct::ALL[muted as usize * 3],
                            )
                            .await
                            .map(|_| ()),
                        7 => groups
                            .set_my_settings(
                                &viewer,
                                &group,
                                entremise_domain::service::MySettingsInput {
                                    muted: Some(muted),
                                    ..Default::default()
                                },
                            )
                            .await
                            .map(|_| ()),
                        _ => app
                            .posts()
                            .create_post(
                                &viewer,
                                entremise_domain::service::NewPostInput {
                                    text: "Au groupe".into(),
                                    audience: entremise_domain::post::PostAudience::Group(group),
                                    as_: None,
                                    media: Vec::new(),
                                    reshare_of: None,
                                    publish_at: None,
                                    replies: None,
                                },
                            )
                            .await
                            .map(|_| ()),
                    };
                });
                for _ in 0..rng.below(6) {
                    tokio::task::yield_now().await;
                }
                task.abort();
                let _ = task.await;
            }
        }
    }

    /// Every projection equals one built from the store now.
    async fn check(&self, when: &str) {
        self.app().dispatcher().settle_all().await;
        let fresh = load_network(&*self.store, |_| {}).await.unwrap();
        assert_eq!(
            self.app().network().state(),
            fresh.state(),
            "{when}: the network differs from the store's"
        );
        let fresh = load_timelines(&*self.store, |_| {}).await.unwrap();
        assert_eq!(
            self.app().timelines().state(),
            fresh.state(),
            "{when}: the timelines differ from the store's"
        );
        use entremise_domain::search::SearchIndex;
        assert_eq!(
            self.index.as_ref().unwrap().count().unwrap(),
            self.store.count_profiles().await.unwrap(),
            "{when}: the index counts other profiles than the store"
        );
        let watcher = self.viewer(0).await;
        for p in &self.people[1..] {
            let req = SearchRequest {
                q: p.name.clone(),
                ..SearchRequest::default()
            };
            let found = self.app().search().search(&watcher, &req).await.unwrap();
            assert!(
                found
                    .results
                    .iter()
                    .any(|r| r.handle.as_deref() == Some(p.handle.as_str())),
                "{when}: {} is not found by his current name {:?}: {:?}",
                p.handle,
                p.name,
                found.results.iter().map(|r| &r.handle).collect::<Vec<_>>()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projections_equal_the_store_after_dropped_requests_and_restarts() {
    let seeds: u64 = std::env::var("ENTREMISE_EVENT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    for seed in 1..=seeds {
        let dir = tempfile::tempdir().unwrap();
        let (store, index, app) = open(dir.path()).await;
        let mut world = World {
            store,
            index: Some(index),
            app: Some(app),
            people: Vec::new(),
            names: 0,
        };
        for _ in 0..6 {
            world.join().await;
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut restarts = 0;
        for step in 0..120 {
            world.write(&mut rng).await;
            if rng.chance(25) {
                world.restart(dir.path()).await;
                restarts += 1;
            }
            if step % 20 == 19 {
                world.check(&format!("seed {seed}, step {step}")).await;
            }
        }
        world.restart(dir.path()).await;
        world
            .check(&format!(
                "seed {seed}, after {restarts} restarts and a last one"
            ))
            .await;
    }
}

#[tokio::test]
async fn each_write_records_its_event_in_its_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _index, app) = open(dir.path()).await;
    let before = store.last_event_seq().await.unwrap();
    let reg = |h: &str| entremise_domain::account::Registration {
        code: None,
        answer: None,
        email: format!("{h}@example.org"),
        password: PASSWORD.into(),
        handle: h.into(),
        name: format!("{h} Martin"),
        locale: None,
    };
    let a = app
        .accounts()
        .register(reg("ines"), "10.0.0.1")
        .await
        .unwrap();
    let b = app
        .accounts()
        .register(reg("jules"), "10.0.0.1")
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    store.block(a.person, b.person, now).await.unwrap();
    // A refused write records nothing.
    let refused = store
        .create_post(NewPost {
            author: a.person,
            operator: a.id,
            audience: entremise_domain::privacy::Audience::Public,
            group: None,
            text: "x".into(),
            reshare_of: Some(999_999),
            media: Vec::new(),
            created_at: now,
            published_at: now,
            replies: Default::default(),
        })
        .await;
    assert!(refused.is_err());
    let events = store.events_after(before, 100).await.unwrap();
    let changes: Vec<&Change> = events.iter().map(|e| &e.change).collect();
    assert_eq!(
        changes,
        [
            &Change::MemberJoined {
                account: a.id,
                profile: a.person
            },
            &Change::MemberJoined {
                account: b.id,
                profile: b.person
            },
            &Change::Blocked {
                blocker: a.person,
                blocked: b.person
            },
        ]
    );
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // The bus got them in the same order.
    let published: Vec<i64> = store
        .bus()
        .after(before, 100)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(published, seqs);
    // Compaction keeps what a projection still needs.
    let later = now + time::Duration::days(30);
    assert_eq!(store.compact_events(later, before).await.unwrap(), 0);
    assert_eq!(store.compact_events(later, seqs[1]).await.unwrap(), 2);
    assert_eq!(store.first_event_seq().await.unwrap(), Some(seqs[2]));
}
