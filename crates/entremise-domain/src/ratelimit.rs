//! A sliding-window limiter keyed by string (account, IP address), in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// At most `max` events per `window` for each key.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before `key` may act again, or `None` if it may now.
    /// Does not record anything.
    pub fn retry_after(&self, key: &str, now: OffsetDateTime) -> Option<u64> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let queue = events.get_mut(key)?;
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

    /// Records one event for `key`.
    pub fn record(&self, key: &str, now: OffsetDateTime) {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() > 100_000 {
            // Bound memory under a flood: drop keys whose window has passed.
            let window = self.window;
            events.retain(|_, q| q.back().is_some_and(|t| *t + window > now));
        }
        let queue = events.entry(key.to_owned()).or_default();
        queue.push_back(now);
        while queue.len() > self.max {
            queue.pop_front();
        }
    }

    /// Events recorded for `key` within the window (at most `max`).
    pub fn count(&self, key: &str, now: OffsetDateTime) -> usize {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.get(key).map_or(0, |queue| {
            queue.iter().filter(|t| **t + self.window > now).count()
        })
    }

    /// Forgets `key` (after a successful sign-in, for example).
    pub fn clear(&self, key: &str) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
