//! The action of grid-exact elements on feature maps.

use eslt::group::{act_on_feature_map, FieldType, Group, GroupElement};
use ndarray::Array4;

fn ramp(shape: (usize, usize, usize, usize)) -> Array4<f32> {
    let mut i = 0.0f32;
    Array4::from_shape_simple_fn(shape, || {
        i += 1.0;
        i
    })
}

const R1: GroupElement = GroupElement {
    rotation: 1,
    reflection: false,
};
const S: GroupElement = GroupElement {
    rotation: 0,
    reflection: true,
};

#[test]
fn quarter_turn_is_counter_clockwise() {
    let g = Group::Cyclic(4);
    let x = ramp((1, 1, 3, 3)); // rows 1 2 3 / 4 5 6 / 7 8 9
    let y = act_on_feature_map(g, R1, FieldType::Trivial, 1, x.view()).unwrap();
    let want = [3.0, 6.0, 9.0, 2.0, 5.0, 8.0, 1.0, 4.0, 7.0];
    assert_eq!(y.iter().copied().collect::<Vec<_>>(), want);
}

#[test]
fn reflection_flips_rows() {
    // s: (x, y) ↦ (x, −y) with y up, i.e. an upside-down flip.
    let g = Group::Dihedral(4);
    let x = ramp((1, 1, 2, 3));
    let y = act_on_feature_map(g, S, FieldType::Trivial, 1, x.view()).unwrap();
    assert_eq!(
        y.iter().copied().collect::<Vec<_>>(),
        [4.0, 5.0, 6.0, 1.0, 2.0, 3.0]
    );
}

#[test]
fn regular_channels_follow_the_group() {
    // A regular field of C4 on a 1×1 grid: channel p moves to r·p = p + 1.
    let g = Group::Cyclic(4);
    let x = ramp((1, 8, 1, 1));
    let y = act_on_feature_map(g, R1, FieldType::Regular, 2, x.view()).unwrap();
    assert_eq!(
        y.iter().copied().collect::<Vec<_>>(),
        [4.0, 1.0, 2.0, 3.0, 8.0, 5.0, 6.0, 7.0]
    );
}

#[test]
fn action_is_a_homomorphism() {
    for group in [
        Group::Cyclic(4),
        Group::Cyclic(8),
        Group::Dihedral(4),
        Group::Dihedral(8),
        Group::Dihedral(2),
    ] {
        for ft in [FieldType::Trivial, FieldType::Regular] {
            for size in [1, 4, 5] {
                let x = ramp((2, 3 * ft.dim(group), size, size));
                for g in group.grid_exact_elements() {
                    for h in group.grid_exact_elements() {
                        let hx = act_on_feature_map(group, h, ft, 3, x.view()).unwrap();
                        let ghx = act_on_feature_map(group, g, ft, 3, hx.view()).unwrap();
                        let direct =
                            act_on_feature_map(group, group.compose(g, h), ft, 3, x.view())
                                .unwrap();
                        assert_eq!(ghx, direct, "{group:?} {ft:?} {size} {g:?} {h:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn half_turn_works_on_rectangles() {
    let g = Group::Cyclic(2);
    let half = GroupElement {
        rotation: 1,
        reflection: false,
    };
    let x = ramp((1, 1, 2, 3));
    let y = act_on_feature_map(g, half, FieldType::Trivial, 1, x.view()).unwrap();
    assert_eq!(
        y.iter().copied().collect::<Vec<_>>(),
        [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    );
}

#[test]
fn invalid_actions_are_errors() {
    let x = ramp((1, 8, 3, 3));
    // 45° does not map the grid to itself.
    assert!(act_on_feature_map(Group::Cyclic(8), R1, FieldType::Regular, 1, x.view()).is_err());
    // Channel count mismatch.
    assert!(act_on_feature_map(Group::Cyclic(4), R1, FieldType::Regular, 1, x.view()).is_err());
    // A reflection is not an element of C4; rotation 5 not of C4.
    assert!(act_on_feature_map(Group::Cyclic(4), S, FieldType::Trivial, 8, x.view()).is_err());
    let r5 = GroupElement {
        rotation: 5,
        reflection: false,
    };
    assert!(act_on_feature_map(Group::Cyclic(4), r5, FieldType::Trivial, 8, x.view()).is_err());
    // A quarter turn of a non-square grid.
    let rect = ramp((1, 1, 2, 3));
    assert!(act_on_feature_map(Group::Cyclic(4), R1, FieldType::Trivial, 1, rect.view()).is_err());
    assert!(act_on_feature_map(
        Group::Cyclic(0),
        GroupElement::IDENTITY,
        FieldType::Trivial,
        1,
        rect.view()
    )
    .is_err());
}
