//! Rotating a grey-scale image about its centre.
//!
//! Convention (shared with the page): the image is displayed with row 0 at
//! the top; a positive angle turns it counter-clockwise on screen about the
//! centre ((rows-1)/2, (cols-1)/2). Samples falling outside read as zero.

/// Rotates `src` (rows×cols, row-major) by `angle` radians counter-clockwise
/// into `dst` (same shape), bilinear interpolation, zero outside.
///
/// Each destination pixel reads the source at the point that the inverse
/// rotation maps it to (pull, not push, so there are no holes).
///
/// Panics if `src` or `dst` is not `rows * cols` long (a caller bug).
pub fn rotate_bilinear(src: &[f32], rows: usize, cols: usize, angle: f32, dst: &mut [f32]) {
    assert_eq!(
        src.len(),
        rows * cols,
        "rotate_bilinear: src is not rows*cols"
    );
    assert_eq!(
        dst.len(),
        rows * cols,
        "rotate_bilinear: dst is not rows*cols"
    );
    let cy = (rows as f32 - 1.0) / 2.0;
    let cx = (cols as f32 - 1.0) / 2.0;
    let (sin, cos) = angle.sin_cos();
    let at = |r: isize, c: isize| -> f32 {
        if r < 0 || c < 0 || r >= rows as isize || c >= cols as isize {
            0.0
        } else {
            src[r as usize * cols + c as usize]
        }
    };
    for r in 0..rows {
        // Screen coordinates with y pointing up, origin at the centre.
        let y = cy - r as f32;
        for c in 0..cols {
            let x = c as f32 - cx;
            // Inverse rotation R(-angle) takes the destination to the source.
            let xs = x * cos + y * sin;
            let ys = -x * sin + y * cos;
            let sr = cy - ys;
            let sc = cx + xs;
            let r0 = sr.floor();
            let c0 = sc.floor();
            let fr = sr - r0;
            let fc = sc - c0;
            let (r0, c0) = (r0 as isize, c0 as isize);
            dst[r * cols + c] = (1.0 - fr) * ((1.0 - fc) * at(r0, c0) + fc * at(r0, c0 + 1))
                + fr * ((1.0 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1));
        }
    }
}

/// Rotates `src` (rows×cols) by `quarter_turns`·90° counter-clockwise, an
/// exact pixel permutation (negative turns go clockwise). For an odd number
/// of turns the result is cols×rows; `dst` must hold rows·cols values.
/// On square images this equals [`rotate_bilinear`] at multiples of π/2.
///
/// Panics if `src` or `dst` is not `rows * cols` long (a caller bug).
pub fn rotate_quarter<T: Copy>(
    src: &[T],
    rows: usize,
    cols: usize,
    quarter_turns: i32,
    dst: &mut [T],
) {
    assert_eq!(
        src.len(),
        rows * cols,
        "rotate_quarter: src is not rows*cols"
    );
    assert_eq!(
        dst.len(),
        rows * cols,
        "rotate_quarter: dst is not rows*cols"
    );
    match quarter_turns.rem_euclid(4) {
        0 => dst.copy_from_slice(src),
        1 => {
            // Result is cols×rows: its top row is the source's right column.
            for r in 0..cols {
                for c in 0..rows {
                    dst[r * rows + c] = src[c * cols + (cols - 1 - r)];
                }
            }
        }
        2 => {
            for r in 0..rows {
                for c in 0..cols {
                    dst[r * cols + c] = src[(rows - 1 - r) * cols + (cols - 1 - c)];
                }
            }
        }
        _ => {
            // Result is cols×rows: its top row is the source's left column, bottom up.
            for r in 0..cols {
                for c in 0..rows {
                    dst[r * rows + c] = src[(rows - 1 - c) * cols + r];
                }
            }
        }
    }
}
