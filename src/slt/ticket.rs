//! The ticket as a runnable network, two ways.
//!
//! (a) [`literal_network`]: the masked source network as it stands — 2L
//! linear layers, c_in·2n intermediate fields each — the proof that the
//! ticket is a real subnetwork of the random source. (The runs evaluate an
//! image network's without building it: [`crate::slt::literal_forward`].)
//! (b) [`collapsed_network`]: every intermediate field of input field i is
//! |v|·σ(±x_i), so layer B's sum over j collapses exactly into β[o,i,k,±];
//! the ticket runs at about the target's cost (twice where both pools live).

use crate::slt::coefficient::CoefficientLayout;
use crate::slt::mask::LayerMask;
use crate::slt::prune::PrunedLayer;
use crate::slt::source::SourceLayer;
use crate::slt::target::{LinearLayer, Piece, TargetNetwork};
use crate::{Error, Result};

/// Copies `target`, replacing its ℓ-th linear layer (with `per_layer[ℓ]`)
/// by the pieces `expand` returns.
fn rebuild<N: TargetNetwork, P>(
    target: &N,
    per_layer: &[P],
    mut expand: impl FnMut(&N::Layer, &P) -> Result<Vec<Piece<N::Layer>>>,
) -> Result<N> {
    let layers = target.linear_layers().len();
    if per_layer.len() != layers {
        return Err(Error::InvalidArgument(format!(
            "{} layers given for a network of {layers} linear layers",
            per_layer.len()
        )));
    }
    target.rebuild(&mut |idx, t| expand(t, &per_layer[idx]))
}

/// The source network with its mask applied (pruned weights set to zero).
pub fn literal_network<N: TargetNetwork>(target: &N, pruned: &[PrunedLayer]) -> Result<N> {
    let layers: Vec<(&SourceLayer, &LayerMask)> =
        pruned.iter().map(|p| (&p.source, &p.mask)).collect();
    masked_source_network(target, &layers)
}

/// The source network of `target` with each layer's weights kept where its
/// mask says (a ticket's mask, or every weight for the unpruned source).
pub fn masked_source_network<N: TargetNetwork>(
    target: &N,
    layers: &[(&SourceLayer, &LayerMask)],
) -> Result<N> {
    rebuild(target, layers, |t, &(s, mask)| {
        if mask.v_keep.len() != s.v.len() || mask.u_keep.len() != s.u.len() {
            return Err(Error::InvalidArgument(format!(
                "a mask of {} v and {} u for a source layer of {} and {}",
                mask.v_keep.len(),
                mask.u_keep.len(),
                s.v.len(),
                s.u.len()
            )));
        }
        let m = 2 * s.n;
        // Layer A: field (i, j) = v[i,j] · x_i through the identity element.
        let mut a_coef = vec![0.0f32; s.c_in * m * s.c_in];
        for i in 0..s.c_in {
            for j in 0..m {
                let v = s.v_index(i, j);
                if mask.v_keep[v] {
                    // Field v_index(i, j) of layer A reads input field i only.
                    a_coef[v * s.c_in + i] = s.v[v];
                }
            }
        }
        // Layer B: the target's basis from the c_in·2n fields, u masked.
        let b_coef =
            s.u.iter()
                .zip(&mask.u_keep)
                .map(|(&u, &keep)| if keep { u } else { 0.0 })
                .collect();
        literal_layers(t, s.n, a_coef, b_coef)
    })
}

/// Target layer `t` as the source's two layers with pools of n: A (identity
/// element, c_in → c_in·2n fields), ReLU, B (t's basis, c_in·2n → c_out).
fn literal_layers<L: LinearLayer>(
    t: &L,
    n: usize,
    a_coef: Vec<f32>,
    b_coef: Vec<f32>,
) -> Result<Vec<Piece<L>>> {
    let wide = t.c_in() * 2 * n;
    Ok(vec![
        Piece::Linear(t.identity_layer(wide, a_coef)?),
        Piece::Relu,
        Piece::Linear(t.with_inputs(wide, b_coef)),
    ])
}

/// One layer's collapsed coefficients β (per live pool, in α's order).
#[derive(Clone, Debug, PartialEq)]
pub struct Betas {
    pub pos: Vec<f32>,
    pub neg: Option<Vec<f32>>,
}

/// A layer's collapsed coefficients: β of the positive pool, and of the
/// negative pool where it lives.
pub trait LayerBetas {
    fn pos(&self) -> &[f32];
    fn neg(&self) -> Option<&[f32]>;
}

impl LayerBetas for Betas {
    fn pos(&self) -> &[f32] {
        &self.pos
    }
    fn neg(&self) -> Option<&[f32]> {
        self.neg.as_deref()
    }
}

impl LayerBetas for PrunedLayer {
    fn pos(&self) -> &[f32] {
        &self.beta_pos
    }
    fn neg(&self) -> Option<&[f32]> {
        self.beta_neg.as_deref()
    }
}

impl<B: LayerBetas> LayerBetas for &B {
    fn pos(&self) -> &[f32] {
        (**self).pos()
    }
    fn neg(&self) -> Option<&[f32]> {
        (**self).neg()
    }
}

impl Betas {
    /// β of every pruned layer.
    pub fn of(pruned: &[PrunedLayer]) -> Vec<Betas> {
        pruned
            .iter()
            .map(|p| Betas {
                pos: p.beta_pos.clone(),
                neg: p.beta_neg.clone(),
            })
            .collect()
    }
}

/// The collapsed ticket: β in place of α in the rebalanced `target`; where
/// the negative pool lives, a ±identity layer and ReLU split x into σ(x),
/// σ(−x) first. From the pruned layers, or from β alone (what a worker
/// needs to evaluate the ticket without the source).
pub fn collapsed_network<N: TargetNetwork, B: LayerBetas>(target: &N, betas: &[B]) -> Result<N> {
    let layers = target.linear_layers();
    if layers.len() != betas.len() {
        return Err(Error::InvalidArgument(format!(
            "{} layers of β for a network of {} layers",
            betas.len(),
            layers.len()
        )));
    }
    for (l, b) in layers.iter().zip(betas) {
        let len = l.coef().len();
        if b.pos().len() != len || b.neg().is_some_and(|n| n.len() != len) {
            return Err(Error::InvalidArgument(format!(
                "β of {} values for a layer of {len} coefficients",
                b.pos().len(),
            )));
        }
    }
    rebuild(target, betas, |t, p| {
        let Some(neg) = p.neg() else {
            return Ok(vec![Piece::Linear(
                t.with_inputs(t.c_in(), p.pos().to_vec()),
            )]);
        };
        let c_in = t.c_in();
        let mut split = vec![0.0f32; 2 * c_in * c_in];
        for i in 0..c_in {
            split[(2 * i) * c_in + i] = 1.0;
            split[(2 * i + 1) * c_in + i] = -1.0;
        }
        // Input fields 2i (σ(x_i)) and 2i + 1 (σ(−x_i)) of the doubled layer.
        let layout = CoefficientLayout::of(t);
        let doubled = CoefficientLayout {
            c_in: 2 * c_in,
            ..layout
        };
        let mut coef = vec![0.0f32; doubled.len()];
        for o in 0..t.c_out() {
            for i in 0..c_in {
                for kk in 0..layout.k {
                    let src = layout.alpha_index(o, i, kk);
                    coef[doubled.alpha_index(o, 2 * i, kk)] = p.pos()[src];
                    coef[doubled.alpha_index(o, 2 * i + 1, kk)] = neg[src];
                }
            }
        }
        Ok(vec![
            Piece::Linear(t.identity_layer(2 * c_in, split)?),
            Piece::Relu,
            Piece::Linear(t.with_inputs(2 * c_in, coef)),
        ])
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
