//! A vector that snapshots share in chunks.
//!
//! Each analysis after a keystroke is a new snapshot of the workspace, and
//! most of its per-file tables (texts, summaries, import edges) are the
//! previous snapshot's with one entry changed. Cloning a `Vec` of 50,000
//! `Arc`s updates 50,000 reference counts, each a cache miss: about 5 ms
//! per table at 50,000 files, on every keystroke. A `SharedVec` clones
//! the `Arc`s of its chunks instead, and an entry written after the clone
//! copies only its own chunk (copy on write), so a keystroke's cost stays
//! with what changed.

use std::sync::Arc;

/// Entries per chunk: small enough that copying one on write is cheap,
/// large enough that cloning the chunk list is.
const CHUNK: usize = 256;

#[derive(Clone, Debug)]
pub struct SharedVec<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for SharedVec<T> {
    fn default() -> Self {
        SharedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> SharedVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// `len` copies of `value`.
    pub fn filled(value: T, len: usize) -> Self {
        (0..len).map(|_| value.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        self.chunks.get(index / CHUNK)?.get(index % CHUNK)
    }

    /// The entry at `index`, for writing: its chunk is copied first when
    /// another snapshot shares it.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        let chunk = self.chunks.get_mut(index / CHUNK)?;
        Arc::make_mut(chunk).get_mut(index % CHUNK)
    }

    /// Replaces the entry at `index` (copying its chunk if shared).
    ///
    /// # Panics
    /// When `index` is out of bounds, as slice indexing does.
    pub fn set(&mut self, index: usize, value: T) {
        let len = self.len;
        match self.get_mut(index) {
            Some(slot) => *slot = value,
            None => panic!("index {index} out of bounds for a SharedVec of {len}"),
        }
    }

    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }

    /// The indices where `self` and `other` (a snapshot of the same length
    /// it was cloned from, or not) differ by `same`. Chunks the two share
    /// are skipped whole, so comparing snapshots one edit apart costs the
    /// chunks the edit copied.
    pub fn differing(&self, other: &SharedVec<T>, same: impl Fn(&T, &T) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        for (c, chunk) in self.chunks.iter().enumerate() {
            let base = c * CHUNK;
            match other.chunks.get(c) {
                Some(theirs) if Arc::ptr_eq(chunk, theirs) => {}
                theirs => {
                    for (i, mine) in chunk.iter().enumerate() {
                        let equal = theirs.and_then(|t| t.get(i)).is_some_and(|t| same(mine, t));
                        if !equal {
                            out.push(base + i);
                        }
                    }
                }
            }
        }
        // Entries only `other` has.
        out.extend(self.len..other.len);
        out
    }
}

impl<T: Clone> FromIterator<T> for SharedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut out = SharedVec::new();
        for item in items {
            out.push(item);
        }
        out
    }
}

impl<T: Clone> std::ops::Index<usize> for SharedVec<T> {
    type Output = T;
    fn index(&self, index: usize) -> &T {
        match self.get(index) {
            Some(value) => value,
            None => panic!(
                "index {index} out of bounds for a SharedVec of {}",
                self.len
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_after_a_clone_copies_one_chunk() {
        let original: SharedVec<u32> = (0..1000).collect();
        assert_eq!(original.len(), 1000);
        assert_eq!(original[999], 999);
        let mut edited = original.clone();
        edited.set(300, 7);
        assert_eq!(edited[300], 7);
        assert_eq!(original[300], 300, "the original is untouched");
        let shared = original
            .chunks
            .iter()
            .zip(&edited.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, original.chunks.len() - 1);
        assert_eq!(edited.differing(&original, |a, b| a == b), [300]);
        assert_eq!(
            original.differing(&original, |a, b| a == b),
            Vec::<usize>::new()
        );
        let items: Vec<u32> = edited.iter().copied().collect();
        assert_eq!(items.len(), 1000);
        assert_eq!(items[301], 301);
    }

    #[test]
    fn lengths_that_differ_are_differences() {
        let short: SharedVec<u8> = SharedVec::filled(1, 3);
        let long: SharedVec<u8> = SharedVec::filled(1, 5);
        assert_eq!(short.differing(&long, |a, b| a == b), [3, 4]);
        assert_eq!(long.differing(&short, |a, b| a == b), [3, 4]);
        assert_eq!(short.get(3), None);
    }
}
