//! The run's memory estimate (`slt::memory`) counts what grows with n (the
//! source) apart from what does not (the streamed literal check, the
//! verification's forwards). `slt_memory_peak` measures it against runs.

use eslt::nn::{model, CpuForward};
use eslt::slt::memory::estimate;

const C4: &str = include_str!("../www/models/rotmnist-c4.json");

#[test]
fn the_source_grows_with_n_and_the_literal_check_does_not() {
    let (target, _) = model::from_json(C4).unwrap();
    let cpu = CpuForward::with_threads(1).unwrap();
    let small = estimate(&target, &[8, 8, 8, 8], 16, &cpu).unwrap();
    let large = estimate(&target, &[32, 32, 32, 32], 16, &cpu).unwrap();
    assert!(large.source > 3 * small.source, "{small:?} vs {large:?}");
    assert_eq!(large.verification, small.verification);
    assert_eq!(large.products, small.products);
    // Streamed: bounded by its chunks, not by the literal network's size.
    assert!(
        large.literal_check < small.literal_check * 3 / 2,
        "{small:?} vs {large:?}"
    );
    let phases = large
        .verification
        .max(large.literal_check)
        .max(large.source);
    assert_eq!(large.total, large.source + large.products + phases);
    // The estimate takes the run's shapes: a wrong layer count is an error.
    assert!(estimate(&target, &[8, 8], 16, &cpu).is_err());
}
