//! Crash safety: writers sign members up, ask for and accept contacts, send
//! messages and publish posts at full speed against the real binary, which
//! is `kill -9`ed at random moments and started again. After each kill:
//! the database passes `PRAGMA integrity_check` and `foreign_key_check`,
//! every acknowledged write (a 2xx answer received in full) is in the
//! store, every session still signs its member in, and what the server
//! answers from memory (contact lists, degrees, home feeds) equals what the
//! store holds.
//!
//! `ENTREMISE_CRASH_KILLS` sets the number of kills (3 by default; the long
//! form in `scripts/reliability/crash.sh long` does 25), and
//! `ENTREMISE_CRASH_SEED` replays a run.

use crate::process::{Answer, Server, request, request_with};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent writers.
const WRITERS: usize = 6;

/// A tiny deterministic generator (xorshift64*): enough to pick moments
/// and operations, and a run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A member signed up, signed in and open to contact requests.
#[derive(Debug, Clone)]
pub struct Member {
    pub handle: String,
    pub token: String,
}

/// Every write the server acknowledged, by its natural key.
#[derive(Debug, Default)]
pub struct Acked {
    /// Handles of accounts created (201).
    pub accounts: Vec<String>,
    /// Members ready to act (signed in and open to requests).
    pub members: Vec<Member>,
    /// Contact requests made (201), as (from, to).
    pub requests: Vec<(String, String)>,
    /// Contacts made by an accepted request (200), as (smaller, larger).
    pub contacts: BTreeSet<(String, String)>,
    /// Conversations opened, by their pair.
    pub conversations: HashMap<(String, String), String>,
    /// Messages sent (201): conversation id and text.
    pub messages: Vec<(String, String)>,
    /// Posts published (201): id, author, text.
    pub posts: Vec<(String, String, String)>,
    /// Pairs already asked, either way, so that writers do not collide.
    asked: HashSet<(String, String)>,
    /// Writes answered 5xx (kept for disk-full runs), by code.
    pub refusals: HashMap<String, u64>,
}

impl Acked {
    pub fn writes(&self) -> usize {
        self.accounts.len()
            + self.requests.len()
            + self.contacts.len()
            + self.messages.len()
            + self.posts.len()
    }
}

pub fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// An id as the API gives it (a string or a number), as a string.
pub fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The shared state of a run: what was acknowledged, and counters that
/// make every name and text unique across restarts.
pub struct Workload {
    pub acked: Mutex<Acked>,
    next: AtomicU64,
    /// Payload added to every post, to fill a disk faster.
    pub post_padding: usize,
}

impl Workload {
    pub fn new(post_padding: usize) -> Arc<Self> {
        Arc::new(Self {
            acked: Mutex::new(Acked::default()),
            next: AtomicU64::new(1),
            post_padding,
        })
    }

    fn unique(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Acked> {
        self.acked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn note_refusal(&self, answer: &Answer) {
        if answer.status >= 500 {
            let code = answer.body["error"].as_str().unwrap_or("(no JSON body)");
            *self
                .lock()
                .refusals
                .entry(format!("{} {code}", answer.status))
                .or_default() += 1;
        }
    }

    /// Writes until `stop`, one operation after another, each picked at
    /// random. Unanswered requests (the server killed) are simply not
    /// acknowledged.
    pub async fn writer(self: Arc<Self>, addr: SocketAddr, seed: u64, stop: Arc<AtomicBool>) {
        let mut rng = Rng::new(seed);
        while !stop.load(Ordering::Relaxed) {
            let members = self.lock().members.len();
            let roll = rng.below(100);
            let done = if members < 4 || roll < 8 {
                self.sign_up(addr).await
            } else if roll < 40 {
                self.befriend(addr, &mut rng).await
            } else if roll < 70 {
                self.message(addr, &mut rng).await
            } else {
                self.post(addr, &mut rng).await
            };
            if done.is_err() {
                // The server is down or refusing: do not spin.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }

    fn answered(&self, r: std::io::Result<Answer>, expect: u16) -> Result<Answer, ()> {
        match r {
            Ok(a) if a.status == expect => Ok(a),
            Ok(a) => {
                self.note_refusal(&a);
                Err(())
            }
            Err(_) => Err(()),
        }
    }

    async fn sign_up(&self, addr: SocketAddr) -> Result<(), ()> {
        let n = self.unique();
        let handle = format!("m{n}");
        let email = format!("{handle}@example.org");
        // Each sign-up from its own address, through the trusted proxy.
        let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
        let body = json!({"email": email, "password": crate::support::PASSWORD,
            "handle": handle, "name": format!("Member {n}")});
        let r = request_with(
            addr,
            "POST",
            "/api/v1/accounts",
            None,
            Some(&body),
            &[("X-Forwarded-For", &ip)],
        )
        .await;
        self.answered(r, 201)?;
        self.lock().accounts.push(handle.clone());
        let body = json!({"email": email, "password": crate::support::PASSWORD});
        let r = request_with(
            addr,
            "POST",
            "/api/v1/sessions",
            None,
            Some(&body),
            &[("X-Forwarded-For", &ip)],
        )
        .await;
        let token = self.answered(r, 201)?.body["token"]
            .as_str()
            .ok_or(())?
            .to_owned();
        let body = json!({"settings": {"contact_requests": "everyone"}});
        let r = request(
            addr,
            "PATCH",
            &format!("/api/v1/profiles/{handle}"),
            Some(&token),
            Some(&body),
        )
        .await;
        self.answered(r, 200)?;
        self.lock().members.push(Member { handle, token });
        Ok(())
    }

    /// Two members not yet linked: one asks, the other accepts.
    async fn befriend(&self, addr: SocketAddr, rng: &mut Rng) -> Result<(), ()> {
        let (a, b) = {
            let mut acked = self.lock();
            let n = acked.members.len() as u64;
            let a = acked.members[rng.below(n) as usize].clone();
            let b = acked.members[rng.below(n) as usize].clone();
            if a.handle == b.handle || !acked.asked.insert(pair(&a.handle, &b.handle)) {
                return Ok(());
            }
            (a, b)
        };
        let r = request(
            addr,
            "POST",
            "/api/v1/contact-requests",
            Some(&a.token),
            Some(&json!({"to": b.handle})),
        )
        .await;
        let answer = match self.answered(r, 201) {
            Ok(answer) => answer,
            Err(()) => {
                // Not known to be made: the pair may be tried again.
                self.lock().asked.remove(&pair(&a.handle, &b.handle));
                return Err(());
            }
        };
        self.lock()
            .requests
            .push((a.handle.clone(), b.handle.clone()));
        if answer.body["status"] == "accepted" {
            // It crossed a request the other way (one whose answer was lost
            // to a kill): the two are contacts already.
            self.lock().contacts.insert(pair(&a.handle, &b.handle));
            return Ok(());
        }
        let id = id_of(&answer.body["id"]).ok_or(())?;
        let r = request(
            addr,
            "POST",
            &format!("/api/v1/contact-requests/{id}/accept"),
            Some(&b.token),
            Some(&json!({})),
        )
        .await;
        self.answered(r, 200)?;
        self.lock().contacts.insert(pair(&a.handle, &b.handle));
        Ok(())
    }

    /// A message between two contacts (opening their conversation first).
    async fn message(&self, addr: SocketAddr, rng: &mut Rng) -> Result<(), ()> {
        let (a, b, conversation) = {
            let acked = self.lock();
            if acked.contacts.is_empty() {
                return Ok(());
            }
            let i = rng.below(acked.contacts.len() as u64) as usize;
            let (x, y) = acked.contacts.iter().nth(i).cloned().ok_or(())?;
            let (x, y) = if rng.below(2) == 0 { (x, y) } else { (y, x) };
            let member = |h: &str| acked.members.iter().find(|m| m.handle == h).cloned();
            let (Some(a), Some(b)) = (member(&x), member(&y)) else {
                return Ok(());
            };
            let conversation = acked.conversations.get(&pair(&x, &y)).cloned();
            (a, b, conversation)
        };
        let conversation = match conversation {
            Some(id) => id,
            None => {
                let r = request(
                    addr,
                    "POST",
                    "/api/v1/conversations",
                    Some(&a.token),
                    Some(&json!({"with": [b.handle]})),
                )
                .await;
                let id = id_of(&self.answered(r, 201)?.body["id"]).ok_or(())?;
                self.lock()
                    .conversations
                    .insert(pair(&a.handle, &b.handle), id.clone());
                id
            }
        };
        let text = format!("message {} from {}", self.unique(), a.handle);
        let r = request(
            addr,
            "POST",
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(&a.token),
            Some(&json!({"text": text})),
        )
        .await;
        self.answered(r, 201)?;
        self.lock().messages.push((conversation, text));
        Ok(())
    }

    async fn post(&self, addr: SocketAddr, rng: &mut Rng) -> Result<(), ()> {
        let author = {
            let acked = self.lock();
            let n = acked.members.len() as u64;
            acked.members[rng.below(n) as usize].clone()
        };
        let text = format!(
            "post {} by {}{}",
            self.unique(),
            author.handle,
            " lorem ipsum".repeat(self.post_padding / 12)
        );
        let audience = if rng.below(2) == 0 {
            "public"
        } else {
            "contacts"
        };
        let r = request(
            addr,
            "POST",
            "/api/v1/posts",
            Some(&author.token),
            Some(&json!({"text": text, "audience": audience})),
        )
        .await;
        let id = id_of(&self.answered(r, 201)?.body["id"]).ok_or(())?;
        self.lock().posts.push((id, author.handle, text));
        Ok(())
    }
}

/// What a check found missing or different; empty when all is well.
#[derive(Debug, Default)]
pub struct Findings {
    pub lost: Vec<String>,
    pub mismatched: Vec<String>,
    pub checked_members: usize,
}

/// The database file of a data directory.
pub fn database(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("entremise.db")
}

/// What the store holds, read straight from the database file.
pub struct Stored {
    pub handles: HashSet<String>,
    pub contacts: BTreeSet<(String, String)>,
    pub requests: HashSet<(String, String)>,
    pub messages: HashSet<String>,
    pub posts: HashSet<String>,
    conn: rusqlite::Connection,
}

impl Stored {
    pub fn read(data_dir: &Path) -> Stored {
        let conn = rusqlite::Connection::open_with_flags(
            database(data_dir),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("opening the database read-only");
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let strings = |sql: &str| -> HashSet<String> {
            let mut s = conn.prepare(sql).unwrap();
            s.query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let pairs = |sql: &str| -> Vec<(String, String)> {
            let mut s = conn.prepare(sql).unwrap();
            s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let handles = strings("SELECT handle FROM profiles");
        let contacts = pairs(
            "SELECT pa.handle, pb.handle FROM contacts c
             JOIN profiles pa ON pa.id = c.a JOIN profiles pb ON pb.id = c.b",
        )
        .into_iter()
        .map(|(a, b)| pair(&a, &b))
        .collect();
        let requests = pairs(
            "SELECT f.handle, t.handle FROM contact_requests r
             JOIN profiles f ON f.id = r.from_id JOIN profiles t ON t.id = r.to_id",
        )
        .into_iter()
        .collect();
        let messages = strings("SELECT text FROM messages");
        let posts = strings("SELECT text FROM posts");
        Stored {
            handles,
            contacts,
            requests,
            messages,
            posts,
            conn,
        }
    }

    pub fn contacts_of(&self, handle: &str) -> BTreeSet<String> {
        self.contacts
            .iter()
            .filter_map(|(a, b)| {
                if a == handle {
                    Some(b.clone())
                } else if b == handle {
                    Some(a.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    /// The degree between two members by breadth-first search over the
    /// stored contacts (`None` beyond 3).
    pub fn degree(&self, from: &str, to: &str) -> Option<u64> {
        let mut seen = HashSet::from([from.to_owned()]);
        let mut queue = VecDeque::from([(from.to_owned(), 0u64)]);
        while let Some((at, d)) = queue.pop_front() {
            if at == to {
                return Some(d);
            }
            if d == 3 {
                continue;
            }
            for next in self.contacts_of(&at) {
                if seen.insert(next.clone()) {
                    queue.push_back((next, d + 1));
                }
            }
        }
        None
    }

    /// The newest `limit` posts of a member and his contacts, as the home
    /// feed should list them: (published, id) descending.
    pub fn feed_of(&self, handle: &str, limit: usize) -> Vec<String> {
        let mut authors: Vec<String> = self.contacts_of(handle).into_iter().collect();
        authors.push(handle.to_owned());
        let marks = vec!["?"; authors.len()].join(",");
        let sql = format!(
            "SELECT p.id FROM posts p JOIN profiles a ON a.id = p.author_id
             WHERE a.handle IN ({marks}) ORDER BY p.published_at DESC, p.id DESC LIMIT {limit}"
        );
        let mut s = self.conn.prepare(&sql).unwrap();
        s.query_map(rusqlite::params_from_iter(authors.iter()), |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
        .map(|id| id.unwrap().to_string())
        .collect()
    }
}

/// Reads a whole list (`{items, next}`) through its cursor.
async fn all_items(addr: SocketAddr, path: &str, token: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!(
                "{path}{sep}limit=100&cursor={}",
                crate::support::urlencode(c)
            ),
            None => format!("{path}{sep}limit=100"),
        };
        let r = request(addr, "GET", &url, Some(token), None)
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if r.status != 200 {
            return Err(format!("GET {url}: {} {}", r.status, r.body));
        }
        items.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
}

/// Members looked at closely per check (contact lists, degrees, feeds).
const SAMPLE: usize = 24;

/// Compares what was acknowledged with what the store holds, and what
/// the running server answers with what the store holds.
pub async fn check(server: &Server, work: &Workload, rng: &mut Rng) -> Findings {
    let stored = Stored::read(&server.data_dir);
    let mut f = Findings::default();
    let (accounts, members, requests, contacts, messages, posts) = {
        let a = work.lock();
        (
            a.accounts.clone(),
            a.members.clone(),
            a.requests.clone(),
            a.contacts.clone(),
            a.messages.clone(),
            a.posts.clone(),
        )
    };
    for handle in &accounts {
        if !stored.handles.contains(handle) {
            f.lost.push(format!("account {handle}"));
        }
    }
    for (from, to) in &requests {
        // A request crossing a pending one the other way accepts that one
        // (the answer is then the other's request, accepted).
        let either = [(from.clone(), to.clone()), (to.clone(), from.clone())];
        if !either.iter().any(|r| stored.requests.contains(r)) {
            f.lost.push(format!("contact request {from} → {to}"));
        }
    }
    for c in &contacts {
        if !stored.contacts.contains(c) {
            f.lost.push(format!("contact {} – {}", c.0, c.1));
        }
    }
    for (conversation, text) in &messages {
        if !stored.messages.contains(text) {
            f.lost.push(format!("message in {conversation}: {text}"));
        }
    }
    for (id, _, text) in &posts {
        if !stored.posts.contains(text) {
            f.lost.push(format!("post {id}: {text}"));
        }
    }
    // Each acknowledged post through the API, as its author sees it.
    let tokens: HashMap<&str, &str> = members
        .iter()
        .map(|m| (m.handle.as_str(), m.token.as_str()))
        .collect();
    for (id, author, text) in posts.iter().rev().take(200) {
        let r = request(
            server.addr,
            "GET",
            &format!("/api/v1/posts/{id}"),
            tokens.get(author.as_str()).copied(),
            None,
        )
        .await;
        match r {
            Ok(r) if r.status == 200 && r.body["text"].as_str() == Some(text) => {}
            Ok(r) => f
                .mismatched
                .push(format!("GET /api/v1/posts/{id}: {} {}", r.status, r.body)),
            Err(e) => f.mismatched.push(format!("GET /api/v1/posts/{id}: {e}")),
        }
    }
    // A sample of members: session, contacts, degrees, feed.
    let mut sample = members.clone();
    for i in (1..sample.len()).rev() {
        sample.swap(i, rng.below(i as u64 + 1) as usize);
    }
    sample.truncate(SAMPLE);
    f.checked_members = sample.len();
    for (i, m) in sample.iter().enumerate() {
        match request(server.addr, "GET", "/api/v1/me", Some(&m.token), None).await {
            Ok(r) if r.status == 200 => {}
            other => {
                f.lost.push(format!(
                    "session of {}: {:?}",
                    m.handle,
                    other.map(|r| r.status)
                ));
                continue;
            }
        }
        let path = format!("/api/v1/profiles/{}/contacts", m.handle);
        match all_items(server.addr, &path, &m.token).await {
            Ok(items) => {
                let served: BTreeSet<String> = items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                let held = stored.contacts_of(&m.handle);
                if served != held {
                    f.mismatched.push(format!(
                        "contacts of {}: served {served:?}, stored {held:?}",
                        m.handle
                    ));
                }
            }
            Err(e) => f.mismatched.push(e),
        }
        let other = &sample[(i + 1) % sample.len()];
        if other.handle != m.handle {
            let url = format!("/api/v1/profiles/{}/connection", other.handle);
            match request(server.addr, "GET", &url, Some(&m.token), None).await {
                Ok(r) if r.status == 200 => {
                    let served = r.body["degree"].as_u64();
                    let held = stored.degree(&m.handle, &other.handle);
                    if served != held {
                        f.mismatched.push(format!(
                            "degree {} → {}: served {served:?}, stored {held:?}",
                            m.handle, other.handle
                        ));
                    }
                }
                other => f.mismatched.push(format!("GET {url}: {other:?}")),
            }
        }
        let limit = 50;
        match request(
            server.addr,
            "GET",
            &format!("/api/v1/feed?limit={limit}"),
            Some(&m.token),
            None,
        )
        .await
        {
            Ok(r) if r.status == 200 => {
                let served: Vec<String> = r.body["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| id_of(&p["id"]))
                    .collect();
                let held = stored.feed_of(&m.handle, limit);
                if served != held {
                    f.mismatched.push(format!(
                        "feed of {}: served {served:?}, stored {held:?}",
                        m.handle
                    ));
                }
            }
            other => f.mismatched.push(format!("GET /api/v1/feed: {other:?}")),
        }
    }
    f
}

/// The seed of a run: `ENTREMISE_CRASH_SEED`, else the clock.
pub fn seed() -> u64 {
    std::env::var("ENTREMISE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Starts `WRITERS` writers on the server; they stop when the flag is set.
pub fn start_writers(
    work: &Arc<Workload>,
    addr: SocketAddr,
    rng: &mut Rng,
) -> (Arc<AtomicBool>, Vec<tokio::task::JoinHandle<()>>) {
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = (0..WRITERS)
        .map(|_| tokio::spawn(work.clone().writer(addr, rng.next(), stop.clone())))
        .collect();
    (stop, tasks)
}

pub async fn stop_writers(stop: Arc<AtomicBool>, tasks: Vec<tokio::task::JoinHandle<()>>) {
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("a writer panicked");
    }
}

/// Asserts that a check found nothing, printing what it found otherwise.
pub fn assert_clean(f: &Findings, when: &str, server: &Server) {
    assert!(
        f.lost.is_empty() && f.mismatched.is_empty(),
        "{when}: {} acknowledged writes lost, {} answers differing from the store\nlost: {:#?}\ndiffering: {:#?}\nserver log:\n{}",
        f.lost.len(),
        f.mismatched.len(),
        &f.lost[..f.lost.len().min(20)],
        &f.mismatched[..f.mismatched.len().min(20)],
        server.log_tail()
    );
}

/// The database passes SQLite's own checks.
pub fn assert_intact(data_dir: &Path, when: &str) {
    if let Err(e) = entremise_store_sqlite::check_database(&database(data_dir)) {
        panic!("{when}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_nine_loses_no_acknowledged_write() {
    let kills: usize = std::env::var("ENTREMISE_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed = seed();
    eprintln!("crash run: {kills} kills, seed {seed} (ENTREMISE_CRASH_SEED to replay)");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mut server = Server::start(&data_dir, &[]).await;
    let work = Workload::new(0);
    let started = Instant::now();
    for kill in 1..=kills {
        let (stop, tasks) = start_writers(&work, server.addr, &mut rng);
        // Let the network grow first, then kill at a random moment.
        let warm = if kill == 1 { 2500 } else { 0 };
        let wait = warm + 200 + rng.below(1800);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill();
        stop_writers(stop, tasks).await;
        assert!(
            !server.log().contains("a task panicked"),
            "the server panicked:\n{}",
            server.log_tail()
        );
        assert_intact(&data_dir, &format!("after kill {kill}"));
        server.restart().await;
        let f = check(&server, &work, &mut rng).await;
        assert_clean(&f, &format!("after kill {kill}"), &server);
        let a = work.lock();
        eprintln!(
            "kill {kill}/{kills} after {wait} ms: {} writes acknowledged so far ({} accounts, {} requests, {} contacts, {} messages, {} posts), 0 lost, {} members compared",
            a.writes(),
            a.accounts.len(),
            a.requests.len(),
            a.contacts.len(),
            a.messages.len(),
            a.posts.len(),
            f.checked_members
        );
    }
    // Live state after writes, without a restart: what the server updated
    // in memory equals what it stored.
    let (stop, tasks) = start_writers(&work, server.addr, &mut rng);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop_writers(stop, tasks).await;
    let f = check(&server, &work, &mut rng).await;
    assert_clean(&f, "after the last writes, live", &server);
    // The check itself can fail: writes claimed but never made are seen.
    {
        let mut a = work.lock();
        a.messages.push(("0".into(), "a message never sent".into()));
        a.contacts.insert(pair("nobody_a", "nobody_b"));
    }
    let f = check(&server, &work, &mut rng).await;
    assert_eq!(
        f.lost.len(),
        2,
        "the check missed invented writes: {:?}",
        f.lost
    );
    {
        let mut a = work.lock();
        a.messages.pop();
        a.contacts.remove(&pair("nobody_a", "nobody_b"));
    }
    server.kill();
    assert_intact(&data_dir, "at the end");
    let a = work.lock();
    eprintln!(
        "crash run done: {kills} kills, {} writes acknowledged, 0 lost, in {:.1} s (seed {seed})",
        a.writes(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        !a.messages.is_empty() && !a.posts.is_empty() && !a.contacts.is_empty(),
        "the run wrote too little to prove anything: {a:?}"
    );
}
