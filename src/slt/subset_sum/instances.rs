//! Subset-sum instance files, as `eslt bench subset-sum --instances` reads
//! them: `{"candidates": [[f64, …], …], "targets": [f64, …]}`, one candidate
//! list per target, all lists of the same length n ≤ [`MAX_N`](super::MAX_N).
//!
//! Every value must be finite and within [`MAX_ABS`](super::MAX_ABS) (checked
//! by [`ProblemBatch::new`]); anything else is an [`Error::InvalidArgument`].
//! Nothing is allocated beyond what the text holds.

use super::ProblemBatch;
use crate::{Error, Result};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceFile {
    candidates: Vec<Vec<f64>>,
    targets: Vec<f64>,
}

/// Parses and validates an instance file's text.
pub fn parse_instances(text: &str) -> Result<ProblemBatch> {
    let bad = Error::InvalidArgument;
    let file: InstanceFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if file.candidates.len() != file.targets.len() {
        return Err(bad(format!(
            "{} candidate lists but {} targets",
            file.candidates.len(),
            file.targets.len()
        )));
    }
    let n = file.candidates.first().map_or(0, Vec::len);
    if let Some(i) = file.candidates.iter().position(|c| c.len() != n) {
        return Err(bad(format!(
            "problem {i} has {} candidates, problem 0 has {n} (all must have the same n)",
            file.candidates[i].len()
        )));
    }
    let flat = file.candidates.concat();
    ProblemBatch::new(n, flat, file.targets).map_err(|e| bad(e.to_string()))
}

/// `count` random problems of `n` candidates, as `eslt bench subset-sum`
/// draws them (its reference instances, which the wasm suites compare
/// with): candidates u·v with u, v ~ U(−1, 1) and a target ~ U(−1, 1),
/// from `ChaCha8Rng::seed_from_u64(seed)` problem by problem (the n pairs,
/// then the target).
pub fn random_instances(n: usize, count: usize, seed: u64) -> Result<ProblemBatch> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut c = Vec::with_capacity(n * count);
    let mut t = Vec::with_capacity(count);
    for _ in 0..count {
        for _ in 0..n {
            let u: f64 = rng.random_range(-1.0..1.0);
            let v: f64 = rng.random_range(-1.0..1.0);
            c.push(u * v);
        }
        t.push(rng.random_range(-1.0..1.0));
    }
    ProblemBatch::new(n, c, t)
}

/// FNV-1a (64-bit) over subset bitmasks, little-endian, in order: the
/// benchmark's `masks_fnv1a`, which the C reference prints too.
pub fn masks_fnv1a(subsets: impl IntoIterator<Item = u32>) -> u64 {
    subsets
        .into_iter()
        .flat_map(u32::to_le_bytes)
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let b = parse_instances(r#"{"candidates": [[0.5, 0.25], [1, 2]], "targets": [0.75, 3]}"#)
            .unwrap();
        assert_eq!((b.n(), b.len()), (2, 2));
        for bad in [
            "",
            "[]",
            r#"{"candidates": [[1]], "targets": []}"#,
            r#"{"candidates": [[1], [1, 2]], "targets": [1, 2]}"#,
            r#"{"candidates": [[1e400]], "targets": [1]}"#,
            r#"{"candidates": [[1e200]], "targets": [1]}"#,
            r#"{"candidates": [[1]], "targets": [1], "extra": 0}"#,
        ] {
            assert!(
                matches!(parse_instances(bad), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
        let many = format!(
            r#"{{"candidates": [[{}]], "targets": [0]}}"#,
            vec!["1"; 33].join(",")
        );
        assert!(parse_instances(&many).is_err());
    }
}
