//! The ticket as a runnable network, two ways.
//!
//! (a) [`literal_network`]: the masked source network as it stands — 2L
//! linear layers, c_in·2n intermediate fields each — the proof that the
//! ticket is a real subnetwork of the random source.
//! (b) [`fast_network`]: every intermediate field of input field i is
//! |v|·σ(±x_i), so layer B's sum over j collapses exactly into β[o,i,k,±];
//! the ticket runs at about the target's cost (twice where both pools live).

use crate::basis::identity::identity_element;
use crate::nn::{EquivariantLayer, Network, Op};
use crate::slt::coefficient::CoefficientLayout;
use crate::slt::prune::PrunedLayer;
use crate::{Error, Result};

/// Copies `target`, letting `expand` replace its ℓ-th linear layer (with
/// `pruned[ℓ]`) by the ops it pushes; other ops are carried over unchanged.
fn rebuild<P>(
    target: &Network,
    pruned: &[P],
    mut expand: impl FnMut(&EquivariantLayer, &P, &mut Vec<Op>) -> Result<()>,
) -> Result<Network> {
    let mut ops = Vec::new();
    let mut idx = 0;
    for op in &target.ops {
        let Op::Conv(t) = op else {
            ops.push(op.clone());
            continue;
        };
        let p = pruned
            .get(idx)
            .ok_or_else(|| Error::InvalidArgument(format!("no pruned layer {idx}")))?;
        idx += 1;
        expand(t, p, &mut ops)?;
    }
    Ok(Network {
        group: target.group,
        input_shape: target.input_shape,
        ops,
    })
}

/// The source network with its mask applied (pruned weights set to zero).
pub fn literal_network(target: &Network, pruned: &[PrunedLayer]) -> Result<Network> {
    rebuild(target, pruned, |t, p, ops| {
        let s = &p.source;
        let m = 2 * s.n;
        // Layer A: field (i, j) = v[i,j] · x_i through the identity element.
        let mut a_coef = vec![0.0f32; s.c_in * m * s.c_in];
        for i in 0..s.c_in {
            for j in 0..m {
                let v = s.v_index(i, j);
                if p.mask.v_keep[v] {
                    // Field v_index(i, j) of layer A reads input field i only.
                    a_coef[v * s.c_in + i] = s.v[v];
                }
            }
        }
        // Layer B: the target's basis from the c_in·2n fields, u masked.
        let b_coef =
            s.u.iter()
                .zip(&p.mask.u_keep)
                .map(|(&u, &keep)| if keep { u } else { 0.0 })
                .collect();
        push_literal_layers(t, s.n, a_coef, b_coef, ops)
    })
}

/// The literal network's layers and shapes for pools of `n_per_layer`,
/// every coefficient zero: what its size depends on, before pruning. (Its
/// coefficients are as many as the literal network's, which the literal
/// check allocates anyway, so building it never exceeds that peak.)
pub fn literal_skeleton(target: &Network, n_per_layer: &[usize]) -> Result<Network> {
    rebuild(target, n_per_layer, |t, &n, ops| {
        let m = 2 * n;
        let a = vec![0.0; t.c_in * m * t.c_in];
        let b = vec![0.0; t.c_out * t.c_in * m * t.basis.len()];
        push_literal_layers(t, n, a, b, ops)
    })
}

/// Target layer `t` as the source's two layers with pools of n: A (identity
/// element, c_in → c_in·2n fields), ReLU, B (t's basis, c_in·2n → c_out).
fn push_literal_layers(
    t: &EquivariantLayer,
    n: usize,
    a_coef: Vec<f32>,
    b_coef: Vec<f32>,
    ops: &mut Vec<Op>,
) -> Result<()> {
    let m = 2 * n;
    ops.push(Op::Conv(EquivariantLayer {
        group: t.group,
        in_type: t.in_type,
        out_type: t.in_type,
        c_in: t.c_in,
        c_out: t.c_in * m,
        basis: identity_element(t.group, t.in_type)?,
        coef: a_coef,
    }));
    ops.push(Op::Relu);
    ops.push(Op::Conv(EquivariantLayer {
        c_in: t.c_in * m,
        coef: b_coef,
        ..t.clone()
    }));
    Ok(())
}

/// The collapsed ticket: β in place of α; where the negative pool lives,
/// a ±identity layer and ReLU split x into σ(x), σ(−x) first.
pub fn fast_network(target: &Network, pruned: &[PrunedLayer]) -> Result<Network> {
    let betas: Vec<Betas> = pruned
        .iter()
        .map(|p| Betas {
            pos: p.beta_pos.clone(),
            neg: p.beta_neg.clone(),
        })
        .collect();
    collapsed_network(target, &betas)
}

/// One layer's collapsed coefficients β (per live pool, in α's order).
#[derive(Clone, Debug, PartialEq)]
pub struct Betas {
    pub pos: Vec<f32>,
    pub neg: Option<Vec<f32>>,
}

/// The collapsed ticket from the rebalanced `target` and its β alone (what
/// a worker needs to evaluate the ticket without the source).
pub fn collapsed_network(target: &Network, betas: &[Betas]) -> Result<Network> {
    let layers: Vec<_> = target.layers().collect();
    if layers.len() != betas.len() {
        return Err(Error::InvalidArgument(format!(
            "{} layers of β for a network of {} layers",
            betas.len(),
            layers.len()
        )));
    }
    for (l, b) in layers.iter().zip(betas) {
        if b.pos.len() != l.coef.len() || b.neg.as_ref().is_some_and(|n| n.len() != l.coef.len()) {
            return Err(Error::InvalidArgument(format!(
                "β of {} values for a layer of {} coefficients",
                b.pos.len(),
                l.coef.len()
            )));
        }
    }
    rebuild(target, betas, |t, p, ops| {
        match &p.neg {
            None => ops.push(Op::Conv(EquivariantLayer {
                coef: p.pos.clone(),
                ..t.clone()
            })),
            Some(neg) => {
                let c_in = t.c_in;
                let mut split = vec![0.0f32; 2 * c_in * c_in];
                for i in 0..c_in {
                    split[(2 * i) * c_in + i] = 1.0;
                    split[(2 * i + 1) * c_in + i] = -1.0;
                }
                ops.push(Op::Conv(EquivariantLayer {
                    group: t.group,
                    in_type: t.in_type,
                    out_type: t.in_type,
                    c_in,
                    c_out: 2 * c_in,
                    basis: identity_element(t.group, t.in_type)?,
                    coef: split,
                }));
                ops.push(Op::Relu);
                // Input fields 2i (σ(x_i)) and 2i + 1 (σ(−x_i)) of the doubled layer.
                let layout = CoefficientLayout::of(t);
                let doubled = CoefficientLayout {
                    c_in: 2 * c_in,
                    ..layout
                };
                let mut coef = vec![0.0f32; doubled.len()];
                for o in 0..t.c_out {
                    for i in 0..c_in {
                        for kk in 0..layout.k {
                            let src = layout.alpha_index(o, i, kk);
                            coef[doubled.alpha_index(o, 2 * i, kk)] = p.pos[src];
                            coef[doubled.alpha_index(o, 2 * i + 1, kk)] = neg[src];
                        }
                    }
                }
                ops.push(Op::Conv(EquivariantLayer {
                    c_in: 2 * c_in,
                    coef,
                    ..t.clone()
                }));
            }
        }
        Ok(())
    })
}

/// β of every layer as bytes (little-endian: layer count u32, then per layer
/// its length u32, a live-negative-pool byte and the f32 values), to hand a
/// ticket to a worker.
pub fn encode_betas(betas: &[Betas]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(betas.len() as u32).to_le_bytes());
    for b in betas {
        out.extend_from_slice(&(b.pos.len() as u32).to_le_bytes());
        out.push(u8::from(b.neg.is_some()));
        for v in b.pos.iter().chain(b.neg.iter().flatten()) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Inverse of [`encode_betas`]; lengths are checked against the bytes
/// present before anything is allocated.
pub fn decode_betas(bytes: &[u8]) -> Result<Vec<Betas>> {
    let bad = |why: &str| Error::InvalidArgument(format!("ticket coefficients: {why}"));
    let mut at = 0usize;
    let mut take = |len: usize| -> Result<&[u8]> {
        let end = at
            .checked_add(len)
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| bad("truncated"))?;
        let s = &bytes[at..end];
        at = end;
        Ok(s)
    };
    let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let layers = u32_at(take(4)?);
    if layers > bytes.len() / 5 {
        return Err(bad("more layers than bytes"));
    }
    let mut out = Vec::with_capacity(layers);
    for _ in 0..layers {
        let len = u32_at(take(4)?);
        let neg = match take(1)?[0] {
            0 => false,
            1 => true,
            _ => return Err(bad("bad pool flag")),
        };
        let count = if neg { 2 * len } else { len };
        let raw = take(count.checked_mul(4).ok_or_else(|| bad("too long"))?)?;
        let vals: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if vals.iter().any(|v| !v.is_finite()) {
            return Err(bad("not finite"));
        }
        let (pos, rest) = vals.split_at(len);
        out.push(Betas {
            pos: pos.to_vec(),
            neg: neg.then(|| rest.to_vec()),
        });
    }
    if at != bytes.len() {
        return Err(bad("trailing bytes"));
    }
    Ok(out)
}
