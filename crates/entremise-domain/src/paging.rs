//! Lists handed out a page at a time.
//!
//! A [`Page`] holds some items of a list and the cursor of the next page:
//! text that only the list it came from reads back, passed on untouched by
//! the front ends (the JSON API wraps it opaquely). Two kinds of cursor:
//!
//! - a keyset position, the sort key of the last item of the page (`nanos.id`
//!   for lists sorted by a time and an id): the store reads strictly after
//!   it, so items added or removed meanwhile shift nothing, and a long list
//!   costs one short read per page. Where the viewer may not see every row,
//!   [`Gather`] reads on until the page is full, and the key is always that
//!   of an item he was shown: a cursor tells nothing the items do not;
//! - an offset into a list bounded by nature (five reaction kinds, a page's
//!   managers, a person's positions, suggestions ranked in memory), read
//!   whole each time; also where a key would tell the client more than the
//!   items do (who viewed my profile).

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt::Display;
use std::str::FromStr;
use time::OffsetDateTime;

/// The largest page of any list.
pub const MAX_PAGE: usize = 100;

/// Some items of a list, and the cursor of the next page (`None` at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// An offset page of a list bounded by nature, read whole.
    pub fn bounded(all: Vec<T>, cursor: Option<&str>, limit: usize) -> Result<Self> {
        let offset = cursor.map(parse_offset).transpose()?.unwrap_or(0);
        let end = offset.saturating_add(limit.clamp(1, MAX_PAGE));
        let more = all.len() > end;
        let items = all.into_iter().take(end).skip(offset).collect::<Vec<_>>();
        Ok(Self {
            items,
            next: more.then(|| end.to_string()),
        })
    }

    /// A keyset page out of rows read in list order, [`read_limit`] of them
    /// at most: the first `limit` rows, and, when there were more, the key
    /// of the last of them as the cursor.
    pub fn keyset(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Self {
        let limit = limit.clamp(1, MAX_PAGE);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Gathers a keyset page of a list whose rows the viewer may not all see:
/// the caller reads rows from [`Gather::after`], [`Gather::batch`] at a
/// time, and offers each, saying whether the viewer may see it, until
/// [`Gather::wants`] says the page is full or a read comes back short; he
/// puts in the page the rows taken. The next page starts after the last
/// row taken, and exists only if another shown row follows.
#[derive(Debug)]
pub struct Gather<K> {
    limit: usize,
    taken: usize,
    /// Where the next read starts: the last row offered.
    read_from: Option<K>,
    /// The key of the last row taken.
    last_taken: Option<K>,
    /// Another shown row follows the page.
    more: bool,
}

impl<K: Clone> Gather<K> {
    pub fn new(limit: usize, after: Option<K>) -> Self {
        Self {
            limit: limit.clamp(1, MAX_PAGE),
            taken: 0,
            read_from: after,
            last_taken: None,
            more: false,
        }
    }

    /// Whether more rows are needed.
    pub fn wants(&self) -> bool {
        !self.more
    }

    /// Where the next read starts (strictly after this key).
    pub fn after(&self) -> Option<K> {
        self.read_from.clone()
    }

    /// How many rows to read at a time.
    pub fn batch(&self) -> usize {
        self.limit + 1
    }

    /// Offers the next row, in list order: its key, and whether the viewer
    /// may see it. Returns whether it goes into the page.
    pub fn offer(&mut self, key: K, shown: bool) -> bool {
        if self.more {
            return false;
        }
        if shown && self.taken == self.limit {
            self.more = true;
            return false;
        }
        if shown {
            self.taken += 1;
            self.last_taken = Some(key.clone());
        }
        self.read_from = Some(key);
        shown
    }

    /// The cursor of the next page, written by `key`.
    pub fn next(self, key: impl Fn(&K) -> String) -> Option<String> {
        match (self.last_taken, self.more) {
            (Some(last), true) => Some(key(&last)),
            _ => None,
        }
    }
}

/// What a cursor that this list did not hand out is told.
pub fn bad_cursor() -> Error {
    Error::invalid("cursor", "invalid", "not a cursor of this list")
}

/// Reads an offset cursor.
pub fn parse_offset(raw: &str) -> Result<usize> {
    raw.parse().map_err(|_| bad_cursor())
}

/// The keyset position of an item of a list sorted by a time, then by
/// `tie` (an id, a code): `nanos.tie`.
pub fn time_key(at: OffsetDateTime, tie: impl Display) -> String {
    format!("{}.{tie}", at.unix_timestamp_nanos())
}

/// Reads a [`time_key`]. The time must be one a store can hold
/// (nanoseconds in an `i64`), the tie not empty.
pub fn parse_time_key<K: FromStr>(raw: &str) -> Result<(OffsetDateTime, K)> {
    let (nanos, tie) = raw.split_once('.').ok_or_else(bad_cursor)?;
    let nanos: i64 = nanos.parse().map_err(|_| bad_cursor())?;
    let at =
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).map_err(|_| bad_cursor())?;
    if tie.is_empty() {
        return Err(bad_cursor());
    }
    Ok((at, tie.parse().map_err(|_| bad_cursor())?))
}

/// Reads a cursor that is an id.
pub fn parse_id_key(raw: &str) -> Result<i64> {
    raw.parse().map_err(|_| bad_cursor())
}

/// The limit asked, within `1..=MAX_PAGE`, plus the one row more that tells
/// whether a next page exists.
pub fn read_limit(limit: usize) -> usize {
    limit.clamp(1, MAX_PAGE) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_pages_cover_the_list_once() {
        let all: Vec<u32> = (0..7).collect();
        let mut walked = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = Page::bounded(all.clone(), cursor.as_deref(), 3).unwrap();
            walked.extend(page.items);
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(walked, all);
        let exact = Page::bounded(vec![1, 2, 3], None, 3).unwrap();
        assert_eq!((exact.items, exact.next), (vec![1, 2, 3], None));
        let past = Page::bounded(vec![1], Some("5"), 3).unwrap();
        assert_eq!((past.items, past.next), (vec![], None));
        for bad in ["", "x", "-1", "1.5", "99999999999999999999999"] {
            assert!(Page::bounded(vec![1], Some(bad), 3).is_err(), "{bad}");
        }
    }

    #[test]
    fn keyset_pages_say_where_they_stop() {
        let page = Page::keyset(vec![5, 4, 3], 2, |n| n.to_string());
        assert_eq!((page.items, page.next), (vec![5, 4], Some("4".into())));
        let last = Page::keyset(vec![2, 1], 2, |n| n.to_string());
        assert_eq!((last.items, last.next), (vec![2, 1], None));
    }

    #[test]
    fn gathered_pages_skip_hidden_rows_and_key_on_shown_ones() {
        // Rows 1..=9; the even ones are hidden.
        let rows: Vec<u32> = (1..=9).collect();
        let read = |after: Option<u32>, n: usize| -> Vec<u32> {
            rows.iter()
                .copied()
                .filter(|r| after.is_none_or(|a| *r > a))
                .take(n)
                .collect()
        };
        let mut walked = Vec::new();
        let mut cursor = None;
        loop {
            let mut g = Gather::new(2, cursor);
            let mut items = Vec::new();
            while g.wants() {
                let got = read(g.after(), g.batch());
                let short = got.len() < g.batch();
                for r in got {
                    if g.offer(r, r % 2 == 1) {
                        items.push(r);
                    }
                }
                if short {
                    break;
                }
            }
            let next = g.next(|k| k.to_string());
            assert!(items.len() == 2 || next.is_none(), "full pages");
            if let Some(next) = &next {
                assert_eq!(Some(next), items.last().map(u32::to_string).as_ref());
            }
            walked.extend(items);
            match next {
                Some(n) => cursor = Some(n.parse().unwrap()),
                None => break,
            }
        }
        assert_eq!(walked, [1, 3, 5, 7, 9]);
        // Hidden rows after the last shown one make no next page.
        let mut g = Gather::new(1, None);
        assert!(g.offer(1, true));
        assert!(!g.offer(2, false));
        assert_eq!(g.next(|k: &u32| k.to_string()), None);
    }

    #[test]
    fn time_keys_read_back() {
        let at = time::macros::datetime!(2026-11-30 09:00:00.123456789 UTC);
        let key = time_key(at, 42);
        assert_eq!(parse_time_key::<i64>(&key).unwrap(), (at, 42));
        let code = time_key(at, "Ab-c_d");
        assert_eq!(
            parse_time_key::<String>(&code).unwrap(),
            (at, "Ab-c_d".to_owned())
        );
        for bad in [
            "",
            "garbage",
            "12",
            "12.",
            ".12",
            "x.12",
            "12.x",
            "99999999999999999999.1",
        ] {
            assert!(parse_time_key::<i64>(bad).is_err(), "{bad}");
        }
        let err = parse_time_key::<i64>("nope").unwrap_err();
        assert!(matches!(err, Error::Invalid(f) if f[0].field == "cursor"));
    }
}
