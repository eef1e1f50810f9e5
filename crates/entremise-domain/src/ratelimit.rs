//! Limiters keyed by string (account, IP address), in memory: a sliding
//! window, a progressive delay, and token buckets.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// At most `max` events per `window` for each key.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    keys: KeyHasher,
    events: Mutex<HashMap<u64, VecDeque<OffsetDateTime>>>,
}

/// Keys are kept as a keyed hash (a random key per process): neither an
/// address nor an e-mail stays in memory, and nobody can aim collisions
/// at another's key.
#[derive(Debug, Default)]
struct KeyHasher(std::hash::RandomState);

impl KeyHasher {
    fn of(&self, key: &str) -> u64 {
        self.0.hash_one(key)
    }
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            keys: KeyHasher::default(),
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before `key` may act again, or `None` if it may now.
    /// Does not record anything.
    pub fn retry_after(&self, key: &str, now: OffsetDateTime) -> Option<u64> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let queue = events.get_mut(&self.keys.of(key))?;
        while queue.front().is_some_and(|t| *t + self.window <= now) {
            queue.pop_front();
        }
        if queue.len() < self.max {
            return None;
        }
        let oldest = *queue.front()?;
        let wait = (oldest + self.window - now).whole_seconds().max(1);
        Some(wait as u64)
    }

    /// Reserves one event for `key` if its window has room, checking and
    /// recording in one step so that callers in parallel cannot pass the
    /// limit together; otherwise the seconds to wait, recording nothing.
    pub fn try_acquire(&self, key: &str, now: OffsetDateTime) -> Result<(), u64> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        Self::bound_keys(&mut events, self.window, now);
        let queue = events.entry(self.keys.of(key)).or_default();
        while queue.front().is_some_and(|t| *t + self.window <= now) {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            let wait = queue.front().map_or(1, |oldest| {
                (*oldest + self.window - now).whole_seconds().max(1)
            });
            return Err(wait as u64);
        }
        queue.push_back(now);
        Ok(())
    }

    /// Gives back an event reserved by `try_acquire` at `at` (an attempt
    /// that turned out not to count).
    pub fn release(&self, key: &str, at: OffsetDateTime) {
        remove_event(&self.events, self.keys.of(key), at);
    }

    /// Records one event for `key`.
    pub fn record(&self, key: &str, now: OffsetDateTime) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        Self::bound_keys(&mut events, self.window, now);
        let queue = events.entry(self.keys.of(key)).or_default();
        queue.push_back(now);
        while queue.len() > self.max {
            queue.pop_front();
        }
    }

    /// Events recorded for `key` within the window (at most `max`).
    pub fn count(&self, key: &str, now: OffsetDateTime) -> usize {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(&self.keys.of(key)).map_or(0, |queue| {
            queue.iter().filter(|t| **t + self.window > now).count()
        })
    }

    /// Bounds memory under a flood: past 100,000 keys, drops those whose
    /// window has passed.
    fn bound_keys(
        events: &mut HashMap<u64, VecDeque<OffsetDateTime>>,
        window: Duration,
        now: OffsetDateTime,
    ) {
        if events.len() > 100_000 {
            events.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
    }

    /// Forgets `key` (after a successful sign-in, for example).
    pub fn clear(&self, key: &str) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.keys.of(key));
    }
}

/// A delay that grows with each event of a key: the first `free` events
/// within `window` pass at once; after that, each must come at least 2^n
/// seconds after the previous one (n = 1, 2, … past the free ones), at most
/// `cap`.
#[derive(Debug)]
pub struct Backoff {
    free: usize,
    window: Duration,
    cap: Duration,
    keys: KeyHasher,
    events: Mutex<HashMap<u64, VecDeque<OffsetDateTime>>>,
}

impl Backoff {
    pub fn new(free: usize, window: Duration, cap: Duration) -> Self {
        Self {
            free,
            window,
            cap,
            keys: KeyHasher::default(),
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Reserves one event for `key` if its delay has passed, checking and
    /// recording in one step; otherwise the seconds to wait, recording nothing.
    pub fn try_acquire(&self, key: &str, now: OffsetDateTime) -> Result<(), u64> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        RateLimiter::bound_keys(&mut events, self.window, now);
        let queue = events.entry(self.keys.of(key)).or_default();
        while queue.front().is_some_and(|t| *t + self.window <= now) {
            queue.pop_front();
        }
        if queue.len() >= self.free
            && let Some(last) = queue.back()
        {
            let past = (queue.len() - self.free + 1).min(30) as u32;
            let delay = Duration::seconds(1_i64 << past).min(self.cap);
            let wait = *last + delay - now;
            if wait > Duration::ZERO {
                let secs = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
                return Err(secs.max(1) as u64);
            }
        }
        queue.push_back(now);
        Ok(())
    }

    /// Gives back an event reserved by `try_acquire` at `at`.
    pub fn release(&self, key: &str, at: OffsetDateTime) {
        remove_event(&self.events, self.keys.of(key), at);
    }

    /// Forgets `key`.
    pub fn clear(&self, key: &str) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.keys.of(key));
    }
}

/// Forgets the latest event of `key` recorded at `at`, if any.
fn remove_event(
    events: &Mutex<HashMap<u64, VecDeque<OffsetDateTime>>>,
    key: u64,
    at: OffsetDateTime,
) {
    let mut events = events.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(queue) = events.get_mut(&key)
        && let Some(i) = queue.iter().rposition(|t| *t == at)
    {
        queue.remove(i);
    }
}

/// How much one key may do: a burst of `burst` actions at once, then
/// `per_hour` spread over the hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allowance {
    pub burst: f64,
    pub per_hour: f64,
}

impl Allowance {
    pub const fn new(burst: u32, per_hour: u32) -> Self {
        Self {
            burst: burst as f64,
            per_hour: per_hour as f64,
        }
    }

    /// Both figures multiplied by `factor` (an instance's own scale).
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            burst: (self.burst * factor).max(1.0),
            per_hour: self.per_hour * factor,
        }
    }
}

/// One bucket: tokens left, as of `at`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

/// Token buckets, one per key, in memory. Keys are kept only as a keyed
/// hash (see `KeyHasher`), and the map holds at most `max_keys` buckets: past that, buckets that have
/// refilled are dropped (they hold nothing a fresh one would not), then,
/// under a flood of new keys, the fullest half.
#[derive(Debug)]
pub struct TokenBuckets {
    allowance: Allowance,
    max_keys: usize,
    keys: KeyHasher,
    buckets: Mutex<HashMap<u64, Bucket>>,
}

impl TokenBuckets {
    pub fn new(allowance: Allowance, max_keys: usize) -> Self {
        Self {
            allowance,
            max_keys: max_keys.max(2),
            keys: KeyHasher::default(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn allowance(&self) -> Allowance {
        self.allowance
    }

    /// Takes one token for `key` if there is one; otherwise the whole
    /// seconds until there is, taking nothing.
    pub fn try_take(&self, key: &str, now: OffsetDateTime) -> Result<(), u64> {
        let id = self.keys.of(key);
        let Allowance { burst, per_hour } = self.allowance;
        let per_second = per_hour / 3600.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.max_keys && !buckets.contains_key(&id) {
            self.make_room(&mut buckets, now);
        }
        let bucket = buckets.entry(id).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = (now - bucket.at).as_seconds_f64().max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        if per_second <= 0.0 {
            return Err(3600);
        }
        let wait = ((1.0 - bucket.tokens) / per_second).ceil();
        Err((wait as u64).max(1))
    }

    /// Gives back a token taken by [`Self::try_take`] (an action that
    /// turned out not to count, such as one refused by another limit).
    pub fn give_back(&self, key: &str) {
        let id = self.keys.of(key);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(&id) {
            bucket.tokens = (bucket.tokens + 1.0).min(self.allowance.burst);
        }
    }

    /// Buckets held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(&self, buckets: &mut HashMap<u64, Bucket>, now: OffsetDateTime) {
        let Allowance { burst, per_hour } = self.allowance;
        let per_second = per_hour / 3600.0;
        let full = |b: &Bucket| b.tokens + (now - b.at).as_seconds_f64() * per_second >= burst;
        buckets.retain(|_, b| !full(b));
        if buckets.len() >= self.max_keys {
            let mut levels: Vec<f64> = buckets.values().map(|b| b.tokens).collect();
            let middle = levels.len() / 2;
            levels.select_nth_unstable_by(middle, f64::total_cmp);
            let cut = levels[middle];
            buckets.retain(|_, b| b.tokens < cut);
            if buckets.len() >= self.max_keys {
                buckets.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let buckets = TokenBuckets::new(Allowance::new(3, 60), 100);
        let t0 = OffsetDateTime::UNIX_EPOCH;
        for _ in 0..3 {
            assert_eq!(buckets.try_take("k", t0), Ok(()));
        }
        // One a minute after the burst.
        assert_eq!(buckets.try_take("k", t0), Err(60));
        assert_eq!(buckets.try_take("k", t0 + Duration::seconds(45)), Err(15));
        assert_eq!(buckets.try_take("k", t0 + Duration::seconds(60)), Ok(()));
        assert_eq!(buckets.try_take("k", t0 + Duration::seconds(61)), Err(59));
        // Another key has its own bucket.
        assert_eq!(buckets.try_take("other", t0), Ok(()));
        // A refund restores one action; never beyond the burst.
        buckets.give_back("k");
        assert_eq!(buckets.try_take("k", t0 + Duration::seconds(61)), Ok(()));
        // Refills up to the burst, no further.
        let later = t0 + Duration::hours(5);
        for _ in 0..3 {
            assert_eq!(buckets.try_take("k", later), Ok(()));
        }
        assert!(buckets.try_take("k", later).is_err());
    }

    #[test]
    fn the_map_of_buckets_stays_bounded() {
        let buckets = TokenBuckets::new(Allowance::new(2, 60), 100);
        let t0 = OffsetDateTime::UNIX_EPOCH;
        // A busy key, then a flood of new ones.
        buckets.try_take("busy", t0).unwrap();
        buckets.try_take("busy", t0).unwrap();
        for i in 0..10_000 {
            let _ = buckets.try_take(&format!("flood-{i}"), t0);
            assert!(buckets.len() <= 100);
        }
        // Buckets that have refilled go first, without a flood.
        let later = t0 + Duration::hours(1);
        for i in 0..100 {
            let _ = buckets.try_take(&format!("late-{i}"), later);
        }
        assert!(buckets.len() <= 100);
    }

    #[test]
    fn a_scale_multiplies_both_figures() {
        let a = Allowance::new(10, 60).scaled(0.5);
        assert_eq!(
            a,
            Allowance {
                burst: 5.0,
                per_hour: 30.0
            }
        );
        assert_eq!(Allowance::new(1, 1).scaled(0.01).burst, 1.0);
    }

    #[test]
    fn window_slides() {
        let limiter = RateLimiter::new(3, Duration::minutes(1));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        for i in 0..3 {
            assert_eq!(limiter.retry_after("k", t0 + Duration::seconds(i)), None);
            limiter.record("k", t0 + Duration::seconds(i));
        }
        assert_eq!(
            limiter.retry_after("k", t0 + Duration::seconds(10)),
            Some(50)
        );
        assert_eq!(limiter.retry_after("other", t0), None);
        assert_eq!(limiter.retry_after("k", t0 + Duration::seconds(60)), None);
        limiter.clear("k");
        assert_eq!(limiter.retry_after("k", t0 + Duration::seconds(10)), None);
    }

    #[test]
    fn try_acquire_checks_and_records_at_once() {
        let limiter = RateLimiter::new(2, Duration::minutes(1));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(limiter.try_acquire("k", t0), Ok(()));
        assert_eq!(limiter.try_acquire("k", t0 + Duration::seconds(5)), Ok(()));
        assert_eq!(
            limiter.try_acquire("k", t0 + Duration::seconds(10)),
            Err(50)
        );
        // A refused attempt is not recorded: the window ends as it would.
        assert_eq!(limiter.try_acquire("k", t0 + Duration::seconds(60)), Ok(()));
        assert_eq!(limiter.try_acquire("k", t0 + Duration::seconds(61)), Err(4));
        assert_eq!(
            limiter.retry_after("k", t0 + Duration::seconds(61)),
            Some(4)
        );
    }

    #[test]
    fn a_released_reservation_no_longer_counts() {
        let limiter = RateLimiter::new(1, Duration::minutes(1));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(limiter.try_acquire("k", t0), Ok(()));
        assert_eq!(limiter.try_acquire("k", t0), Err(60));
        limiter.release("k", t0);
        assert_eq!(limiter.try_acquire("k", t0), Ok(()));
    }

    #[test]
    fn backoff_doubles_past_the_free_events_up_to_its_cap() {
        let backoff = Backoff::new(2, Duration::minutes(15), Duration::seconds(10));
        let mut now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
        let mut waits = Vec::new();
        for _ in 0..4 {
            let wait = backoff.try_acquire("k", now).unwrap_err();
            waits.push(wait);
            assert_eq!(backoff.try_acquire("other", now), Ok(()));
            now += Duration::seconds(wait as i64);
            assert_eq!(backoff.try_acquire("k", now), Ok(()));
        }
        assert_eq!(waits, [2, 4, 8, 10]);
        backoff.release("k", now);
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
        assert_eq!(backoff.try_acquire("k", now), Err(10));
        backoff.clear("k");
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
        // Events older than the window no longer count.
        now += Duration::minutes(16);
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
        assert_eq!(backoff.try_acquire("k", now), Ok(()));
    }

    #[test]
    fn parallel_callers_never_pass_the_limit_together() {
        let limiter = std::sync::Arc::new(RateLimiter::new(5, Duration::minutes(1)));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || {
                    (0..10)
                        .filter(|_| limiter.try_acquire("k", t0).is_ok())
                        .count()
                })
            })
            .collect();
        let passed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(passed, 5);
    }
}
