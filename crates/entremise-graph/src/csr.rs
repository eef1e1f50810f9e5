//! Compressed sparse rows: every member's sorted neighbour list in one
//! contiguous array, delimited by offsets.

use crate::Member;
use crate::builder::BuildError;

/// An immutable undirected graph over members `0..n`: `neighbours[offsets[v]..offsets[v + 1]]`
/// is the sorted, duplicate-free list of `v`'s contacts. Each contact occupies
/// two directed slots (one in each end's list). Offsets are `u32`, so a graph
/// holds at most `u32::MAX` directed slots (about 2.1 billion contacts).
#[derive(Clone, Debug)]
pub(crate) struct Csr {
    offsets: Vec<u32>,
    neighbours: Vec<Member>,
}

impl Default for Csr {
    fn default() -> Self {
        Csr {
            offsets: vec![0],
            neighbours: Vec::new(),
        }
    }
}

impl Csr {
    /// Builds the graph from undirected contacts given once or more in any
    /// order and direction; self-contacts and duplicates are dropped. Every
    /// endpoint must be below `n`.
    pub(crate) fn from_contacts(
        n: usize,
        contacts: &[(Member, Member)],
    ) -> Result<Csr, BuildError> {
        // Count both directions.
        let mut offsets = vec![0u32; n + 1];
        let mut slots: u64 = 0;
        for &(a, b) in contacts {
            if a != b {
                offsets[a as usize + 1] += 1;
                offsets[b as usize + 1] += 1;
                slots += 2;
            }
        }
        if slots > u32::MAX as u64 {
            return Err(BuildError::TooManyContacts { slots });
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }

        // Two-pass scatter for locality: first partition the directed slots
        // by bucket of source members (a bucket's lists are one contiguous
        // range of the final array, small enough to stay in cache), then fill
        // and sort each bucket's lists, buckets in parallel.
        let shift = (usize::BITS - n.leading_zeros()).saturating_sub(BUCKETS_LOG2);
        let buckets = (n >> shift) + 1;
        let bucket_start = |b: usize| offsets[(b << shift).min(n)];
        let mut cursor: Vec<u32> = (0..buckets).map(bucket_start).collect();
        let mut partitioned = vec![(0 as Member, 0 as Member); slots as usize];
        for &(a, b) in contacts {
            if a != b {
                let ba = a as usize >> shift;
                partitioned[cursor[ba] as usize] = (a, b);
                cursor[ba] += 1;
                let bb = b as usize >> shift;
                partitioned[cursor[bb] as usize] = (b, a);
                cursor[bb] += 1;
            }
        }
        drop(cursor);
        let mut neighbours = vec![0 as Member; slots as usize];
        let mut lengths = vec![0u32; n];
        fill_buckets(&offsets, shift, &partitioned, &mut neighbours, &mut lengths);
        drop(partitioned);
        let mut write = 0usize;
        for v in 0..n {
            let (start, len) = (offsets[v] as usize, lengths[v] as usize);
            if write != start {
                neighbours.copy_within(start..start + len, write);
            }
            offsets[v] = write as u32;
            write += len;
        }
        offsets[n] = write as u32;
        neighbours.truncate(write);
        neighbours.shrink_to_fit();
        Ok(Csr {
            offsets,
            neighbours,
        })
    }

    /// Builds the graph from each member's sorted, duplicate-free list.
    pub(crate) fn from_sorted_lists<'a>(
        n: usize,
        list: impl Fn(Member) -> &'a [Member],
    ) -> Result<Csr, BuildError> {
        let slots: u64 = (0..n).map(|v| list(v as Member).len() as u64).sum();
        if slots > u32::MAX as u64 {
            return Err(BuildError::TooManyContacts { slots });
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut neighbours = Vec::with_capacity(slots as usize);
        offsets.push(0);
        for v in 0..n {
            neighbours.extend_from_slice(list(v as Member));
            offsets.push(neighbours.len() as u32);
        }
        Ok(Csr {
            offsets,
            neighbours,
        })
    }

    /// Number of directed slots (twice the number of contacts).
    #[inline]
    pub(crate) fn slots(&self) -> usize {
        self.neighbours.len()
    }

    /// The sorted contacts of `v`; empty for members beyond this CSR.
    #[inline]
    pub(crate) fn neighbours(&self, v: Member) -> &[Member] {
        let v = v as usize;
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&start), Some(&end)) => &self.neighbours[start as usize..end as usize],
            _ => &[],
        }
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        (self.offsets.capacity() + self.neighbours.capacity()) * std::mem::size_of::<u32>()
    }
}

/// The two-pass scatter splits the members into about `2^BUCKETS_LOG2`
/// buckets (of 4,096 members for a million members).
const BUCKETS_LOG2: u32 = 8;

/// Fills, sorts and deduplicates the lists of every bucket of members from
/// the partitioned slots (which share the final array's layout), writing each
/// list's length. Ranges of buckets of similar size run in parallel, one per
/// available core.
fn fill_buckets(
    offsets: &[u32],
    shift: u32,
    partitioned: &[(Member, Member)],
    neighbours: &mut [Member],
    lengths: &mut [u32],
) {
    let n = lengths.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    // Cut points at bucket boundaries where roughly equal shares of slots begin.
    let share = neighbours.len().div_ceil(threads).max(1);
    let mut cuts = vec![0usize];
    for t in 1..threads {
        let target = (t * share) as u32;
        let member = offsets[..n].partition_point(|&o| o < target);
        let bucket_aligned = (member >> shift << shift).max(*cuts.last().unwrap());
        cuts.push(bucket_aligned);
    }
    cuts.push(n);
    cuts.dedup();
    std::thread::scope(|scope| {
        let (mut rest_n, mut rest_l) = (neighbours, lengths);
        for w in cuts.windows(2) {
            let (first, last) = (w[0], w[1]);
            let (start, end) = (offsets[first] as usize, offsets[last] as usize);
            let (chunk_n, tail_n) = rest_n.split_at_mut(end - start);
            let (chunk_l, tail_l) = rest_l.split_at_mut(last - first);
            let slots = &partitioned[start..end];
            let offsets = &offsets[first..=last];
            scope.spawn(move || fill_range(offsets, shift, first, slots, chunk_n, chunk_l));
            rest_n = tail_n;
            rest_l = tail_l;
        }
    });
}

/// Fills and sorts the lists of members `first..first + lengths.len()`, a
/// whole number of buckets; `offsets` covers them (one more entry).
fn fill_range(
    offsets: &[u32],
    shift: u32,
    first: usize,
    slots: &[(Member, Member)],
    neighbours: &mut [Member],
    lengths: &mut [u32],
) {
    let base = offsets[0] as usize;
    let count = lengths.len();
    let bucket = 1usize << shift;
    let mut cursor: Vec<u32> = Vec::with_capacity(bucket);
    let mut bucket_first = 0;
    while bucket_first < count {
        let bucket_last = (bucket_first + bucket).min(count);
        let (start, end) = (
            offsets[bucket_first] as usize - base,
            offsets[bucket_last] as usize - base,
        );
        cursor.clear();
        cursor.extend(
            offsets[bucket_first..bucket_last]
                .iter()
                .map(|&o| o - base as u32),
        );
        for &(src, dst) in &slots[start..end] {
            let c = &mut cursor[src as usize - first - bucket_first];
            neighbours[*c as usize] = dst;
            *c += 1;
        }
        for v in bucket_first..bucket_last {
            let list = &mut neighbours[offsets[v] as usize - base..offsets[v + 1] as usize - base];
            list.sort_unstable();
            let mut write = 0;
            for read in 0..list.len() {
                if read == 0 || list[read] != list[write - 1] {
                    list[write] = list[read];
                    write += 1;
                }
            }
            lengths[v] = write as u32;
        }
        bucket_first = bucket_last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_deduplicated_and_symmetric() {
        let csr = Csr::from_contacts(5, &[(3, 1), (1, 3), (0, 1), (2, 2), (4, 1), (1, 0)]).unwrap();
        assert_eq!(csr.neighbours(1), &[0, 3, 4]);
        assert_eq!(csr.neighbours(0), &[1]);
        assert_eq!(csr.neighbours(2), &[] as &[u32]);
        assert_eq!(csr.neighbours(3), &[1]);
        assert_eq!(csr.neighbours(9), &[] as &[u32]);
        assert_eq!(csr.slots(), 6);
        let again = Csr::from_sorted_lists(5, |v| csr.neighbours(v)).unwrap();
        assert_eq!(again.offsets, csr.offsets);
        assert_eq!(again.neighbours, csr.neighbours);
    }
}
