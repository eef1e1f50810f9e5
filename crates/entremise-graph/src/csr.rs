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
        let slots = slots as usize;

        // Scatter unsorted lists.
        let mut cursor: Vec<u32> = offsets[..n].to_vec();
        let mut unsorted = vec![0 as Member; slots];
        for &(a, b) in contacts {
            if a != b {
                let (ia, ib) = (a as usize, b as usize);
                unsorted[cursor[ia] as usize] = b;
                cursor[ia] += 1;
                unsorted[cursor[ib] as usize] = a;
                cursor[ib] += 1;
            }
        }

        // Transpose: visiting members in increasing order and appending each to
        // the lists of its neighbours fills every list already sorted (the
        // graph is symmetric, so the transpose is the graph itself).
        cursor.copy_from_slice(&offsets[..n]);
        let mut sorted = vec![0 as Member; slots];
        for v in 0..n {
            for &u in &unsorted[offsets[v] as usize..offsets[v + 1] as usize] {
                let iu = u as usize;
                sorted[cursor[iu] as usize] = v as Member;
                cursor[iu] += 1;
            }
        }
        drop(unsorted);
        drop(cursor);

        // Drop duplicates (adjacent once sorted), compacting in place.
        let mut write = 0usize;
        let mut start = 0usize;
        for v in 0..n {
            let end = offsets[v + 1] as usize;
            let mut last = None;
            for read in start..end {
                let x = sorted[read];
                if last != Some(x) {
                    sorted[write] = x;
                    write += 1;
                    last = Some(x);
                }
            }
            start = end;
            offsets[v + 1] = write as u32;
        }
        sorted.truncate(write);
        sorted.shrink_to_fit();
        Ok(Csr {
            offsets,
            neighbours: sorted,
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
