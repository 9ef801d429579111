//! Random linear combinations of basis elements are equivariant.

mod basis_support;

use basis_support::{conv_same, expand, random_map};
use eslt::basis::steerable_basis;
use eslt::group::{check_equivariance, FieldType, Group};
use proptest::prelude::*;

fn group_strategy() -> impl Strategy<Value = Group> {
    prop_oneof![
        Just(Group::Cyclic(4)),
        Just(Group::Cyclic(8)),
        Just(Group::Dihedral(4)),
        Just(Group::Dihedral(8)),
        Just(Group::Dihedral(2)),
    ]
}

fn type_strategy() -> impl Strategy<Value = FieldType> {
    prop_oneof![Just(FieldType::Trivial), Just(FieldType::Regular)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_combinations_are_equivariant(
        group in group_strategy(),
        in_type in type_strategy(),
        out_type in type_strategy(),
        ksize in prop_oneof![Just(1usize), Just(3), Just(5)],
        c_in in 1usize..3,
        c_out in 1usize..3,
        size in 4usize..8,
        seed in any::<u64>(),
        scale in 0.01f32..100.0,
    ) {
        let basis = steerable_basis(group, in_type, out_type, ksize).unwrap();
        let n = c_out * c_in * basis.len();
        let coef: Vec<f32> = random_map(seed, (1, 1, 1, n)).iter().map(|c| c * scale).collect();
        let w = expand(&basis, c_out, c_in, &coef);
        let x = random_map(seed ^ 0x5eed, (1, c_in * in_type.dim(group), size, size));
        let err = check_equivariance(group, x.view(), (in_type, c_in), (out_type, c_out), |v| conv_same(v, &w)).unwrap();
        prop_assert!(err < 1e-5, "{group:?} {in_type:?}->{out_type:?} k={ksize}: {err}");
    }
}
