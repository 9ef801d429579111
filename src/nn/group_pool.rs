//! Group pooling: the max over each regular field's |G| channels, which
//! turns regular fields into invariant (trivial) ones.

use crate::nn::max_gradient::route_to_max;
use crate::{Error, Result};
use ndarray::{Array4, ArrayView4};

fn check(x: &ArrayView4<f32>, order: usize) -> Result<()> {
    let c = x.dim().1;
    if order == 0 || c % order != 0 {
        return Err(Error::InvalidArgument(format!(
            "group pooling needs a multiple of |G| = {order} channels, got {c}"
        )));
    }
    Ok(())
}

/// `[b, fields·|G|, h, w]` → `[b, fields, h, w]`.
pub fn group_pool(x: ArrayView4<f32>, order: usize) -> Result<Array4<f32>> {
    check(&x, order)?;
    let (b, c, h, w) = x.dim();
    let hw = h * w;
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let mut y = Array4::<f32>::zeros((b, c / order, h, w));
    let ys = y.as_slice_mut().expect("fresh array is contiguous");
    if hw == 0 {
        return Ok(y);
    }
    // One field = `order` consecutive planes.
    for (field, out) in xs.chunks_exact(order * hw).zip(ys.chunks_exact_mut(hw)) {
        out.copy_from_slice(&field[..hw]);
        for g in 1..order {
            for (o, &v) in out.iter_mut().zip(&field[g * hw..(g + 1) * hw]) {
                // Strict: ties keep the first channel, as the backward does.
                if v > *o {
                    *o = v;
                }
            }
        }
    }
    Ok(y)
}

/// Routes each output gradient to the field's (first) maximal channel.
pub fn group_pool_backward(
    x: ArrayView4<f32>,
    dy: ArrayView4<f32>,
    order: usize,
) -> Result<Array4<f32>> {
    check(&x, order)?;
    let (b, c, h, w) = x.dim();
    let hw = h * w;
    if dy.dim() != (b, c / order, h, w) {
        return Err(Error::InvalidArgument(format!(
            "group-pool gradient has shape {:?}, expected {:?}",
            dy.dim(),
            (b, c / order, h, w)
        )));
    }
    Ok(route_to_max(x, dy, |xs, gs, ds| {
        if hw == 0 {
            return;
        }
        for ((field, g), d) in xs
            .chunks_exact(order * hw)
            .zip(gs.chunks_exact(hw))
            .zip(ds.chunks_exact_mut(order * hw))
        {
            for p in 0..hw {
                let mut best = 0;
                for q in 1..order {
                    if field[q * hw + p] > field[best * hw + p] {
                        best = q;
                    }
                }
                d[best * hw + p] = g[p];
            }
        }
    }))
}
