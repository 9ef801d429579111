//! A set task for DeepSets: the mode of a multiset of colours.
//!
//! A set has n ∈ 8..=16 elements, each one of [`COLOURS`] colours given as a
//! one-hot feature row (`[n, COLOURS]`); the label is the colour that occurs
//! strictly more often than every other. Sets without a unique mode are
//! rejected and redrawn, so the label is exact and well defined. Every
//! element matters: moving one element from the modal colour to the
//! runner-up can change the label, so no proper subset of the set
//! determines it in general. Colours are uniform and the rejection rule is
//! symmetric in the colours, so each label has probability exactly 1/4.
//! The label is invariant under permuting the elements and under scaling
//! the features, so a bias-free ReLU DeepSets network can express it: the
//! pooled features are the colour counts (or frequencies, with means) and
//! the label is their argmax — the simplest of the tasks here, a sanity
//! check rather than a hard problem.
//!
//! Sample i uses stream i of a ChaCha8 generator seeded with the seed: one
//! 64-bit draw picks n, then one per element picks its colour
//! ([`uniform_index`]); a rejected set is redrawn from the same stream.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::group::permutation::uniform_index;

/// Number of colours (and classes).
pub const COLOURS: usize = 4;
/// Fewest elements in a set.
pub const MIN_SIZE: usize = 8;
/// Most elements in a set.
pub const MAX_SIZE: usize = 16;

/// One labelled set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColourSet {
    /// The colour of each element.
    pub colours: Vec<usize>,
    /// The colour occurring most often (unique by construction).
    pub label: usize,
}

impl ColourSet {
    /// Number of elements n.
    pub fn len(&self) -> usize {
        self.colours.len()
    }

    pub fn is_empty(&self) -> bool {
        self.colours.is_empty()
    }

    /// One-hot node features `[n, COLOURS]`.
    pub fn features(&self) -> Vec<f32> {
        let mut x = vec![0.0f32; self.len() * COLOURS];
        for (row, &c) in x.chunks_exact_mut(COLOURS).zip(&self.colours) {
            row[c] = 1.0;
        }
        x
    }
}

/// How often each colour occurs.
pub fn colour_counts(colours: &[usize]) -> [usize; COLOURS] {
    let mut counts = [0; COLOURS];
    colours.iter().for_each(|&c| counts[c] += 1);
    counts
}

/// The colour occurring strictly most often, or `None` on a tie.
pub fn unique_mode(colours: &[usize]) -> Option<usize> {
    let counts = colour_counts(colours);
    let top = *counts.iter().max()?;
    let mut at_top = (0..COLOURS).filter(|&c| counts[c] == top);
    match (at_top.next(), at_top.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Sample `index` of the data set with this seed (see the module docs).
pub fn colour_set(seed: u64, index: usize) -> ColourSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let n = MIN_SIZE + uniform_index(&mut rng, MAX_SIZE - MIN_SIZE + 1);
    loop {
        let colours: Vec<usize> = (0..n).map(|_| uniform_index(&mut rng, COLOURS)).collect();
        if let Some(label) = unique_mode(&colours) {
            return ColourSet { colours, label };
        }
    }
}

/// Samples 0..count.
pub fn colour_sets(seed: u64, count: usize) -> Vec<ColourSet> {
    (0..count).map(|i| colour_set(seed, i)).collect()
}
