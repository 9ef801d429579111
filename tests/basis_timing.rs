//! Prints how long the largest bases take to build (not asserted).

use eslt::basis::steerable_basis;
use eslt::group::{FieldType, Group};
use std::time::Instant;

#[test]
fn print_construction_times() {
    for group in [Group::Cyclic(8), Group::Dihedral(4), Group::Dihedral(8)] {
        for ksize in [3, 5, 7] {
            let t = Instant::now();
            let b = steerable_basis(group, FieldType::Regular, FieldType::Regular, ksize).unwrap();
            println!(
                "{group:?} regular→regular k={ksize}: {} elements in {:.1} ms",
                b.len(),
                t.elapsed().as_secs_f64() * 1e3
            );
        }
    }
}
