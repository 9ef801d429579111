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
