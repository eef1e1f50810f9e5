//! Intersections of sorted neighbour lists: a branch-light merge when the
//! lists are of similar length, galloping search when one is much shorter.

use crate::Member;

/// Above this length ratio, gallop through the longer list instead of merging.
const GALLOP_RATIO: usize = 24;

/// Calls `found` with each element common to the sorted lists `a` and `b`, in
/// increasing order. `O(min(|a| + |b|, s log(l / s)))` for lengths `s <= l`.
#[inline]
pub(crate) fn for_each_common(a: &[Member], b: &[Member], mut found: impl FnMut(Member)) {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return;
    }
    if long.len() / short.len() >= GALLOP_RATIO {
        gallop(short, long, found);
        return;
    }
    let (mut i, mut j) = (0, 0);
    while i < short.len() && j < long.len() {
        let (x, y) = (short[i], long[j]);
        if x == y {
            found(x);
        }
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
}

/// The first element shared by the sorted lists `a` and `b` that passes
/// `keep`, if any; stops there.
#[inline]
pub(crate) fn first_common(
    a: &[Member],
    b: &[Member],
    keep: impl Fn(Member) -> bool,
) -> Option<Member> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return None;
    }
    if long.len() / short.len() >= GALLOP_RATIO {
        let mut rest = long;
        for &x in short {
            let mut step = 1;
            while step < rest.len() && rest[step] < x {
                step *= 2;
            }
            let bracket = &rest[..rest.len().min(step + 1)];
            match bracket.binary_search(&x) {
                Ok(pos) => {
                    if keep(x) {
                        return Some(x);
                    }
                    rest = &rest[pos + 1..];
                }
                Err(pos) => rest = &rest[pos..],
            }
            if rest.is_empty() {
                return None;
            }
        }
        return None;
    }
    let (mut i, mut j) = (0, 0);
    while i < short.len() && j < long.len() {
        let (x, y) = (short[i], long[j]);
        if x == y && keep(x) {
            return Some(x);
        }
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    None
}

/// Number of elements common to the sorted lists `a` and `b` that pass `keep`.
#[inline]
pub(crate) fn count_common(a: &[Member], b: &[Member], keep: impl Fn(Member) -> bool) -> u32 {
    let mut count = 0;
    for_each_common(a, b, |x| count += keep(x) as u32);
    count
}

fn gallop(short: &[Member], long: &[Member], mut found: impl FnMut(Member)) {
    let mut rest = long;
    for &x in short {
        // Exponential probe, then binary search in the bracket.
        let mut step = 1;
        while step < rest.len() && rest[step] < x {
            step *= 2;
        }
        let bracket = &rest[..rest.len().min(step + 1)];
        match bracket.binary_search(&x) {
            Ok(pos) => {
                found(x);
                rest = &rest[pos + 1..];
            }
            Err(pos) => rest = &rest[pos..],
        }
        if rest.is_empty() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[u32], b: &[u32]) -> Vec<u32> {
        a.iter().copied().filter(|x| b.contains(x)).collect()
    }

    #[test]
    fn merge_and_gallop_agree_with_naive() {
        let long: Vec<u32> = (0..2000).map(|i| i * 3).collect();
        let cases: Vec<(Vec<u32>, Vec<u32>)> = vec![
            (vec![], vec![1, 2]),
            (vec![1, 2, 3], vec![2, 3, 4]),
            (vec![0, 3, 4, 5999, 6000], long.clone()),
            (vec![7, 299, 300, 301], long.clone()),
            (long.clone(), vec![5997]),
        ];
        for (a, b) in cases {
            let mut got = Vec::new();
            for_each_common(&a, &b, |x| got.push(x));
            assert_eq!(got, naive(&a, &b));
            assert_eq!(first_common(&a, &b, |_| true), got.first().copied());
            assert_eq!(
                first_common(&b, &a, |x| x == 5997).is_some(),
                got.contains(&5997)
            );
            assert_eq!(
                count_common(&b, &a, |x| x % 2 == 0) as usize,
                naive(&a, &b).iter().filter(|x| *x % 2 == 0).count()
            );
        }
    }
}
