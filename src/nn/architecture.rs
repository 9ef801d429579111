//! A network's architecture as data: the group, the input and the list of
//! ops with their field types, widths, kernel sizes and basis kinds. It is
//! what a model file stores besides the coefficients; the bases are rebuilt
//! from it, never stored.

use crate::basis::harmonic::harmonic_family;
use crate::basis::{dense_basis, pixel_basis, steerable_basis, KernelBasis};
use crate::group::{FieldType, Group};
use crate::nn::{EquivariantLayer, Network, Op};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// How a convolution's kernel basis is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BasisKind {
    /// `steerable_basis(group, in_type, out_type, ksize)`.
    Steerable,
    /// Every k×k kernel (`pixel_basis`): a plain CNN, trivial fields of C_1.
    Pixel,
    /// The 1×1 scalar (`dense_basis`): a dense layer between trivial fields.
    Dense,
}

/// One op of an architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum OpSpec {
    Conv {
        in_type: FieldType,
        out_type: FieldType,
        c_in: usize,
        c_out: usize,
        ksize: usize,
        basis: BasisKind,
    },
    Relu,
    MaxPool2,
    GroupPool,
    GlobalAvgPool,
    Flatten,
}

/// Group, input shape and ops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// "C8", "D4", "C1", … (see [`group_name`]).
    pub group: String,
    /// (channels, height, width).
    pub input_shape: (usize, usize, usize),
    pub ops: Vec<OpSpec>,
}

/// `"C<N>"` or `"D<N>"`.
pub fn group_name(g: Group) -> String {
    match g {
        Group::Cyclic(n) => format!("C{n}"),
        Group::Dihedral(n) => format!("D{n}"),
    }
}

/// Parses `"C<N>"` / `"D<N>"` with 1 ≤ N ≤ 64.
pub fn parse_group(s: &str) -> Result<Group> {
    let bad = || {
        Error::Model(format!(
            "unknown group {s:?} (expected C<N> or D<N>, e.g. C8, D4)"
        ))
    };
    let (kind, n) = s.split_at(s.find(|c: char| c.is_ascii_digit()).ok_or_else(bad)?);
    let n: usize = n.parse().map_err(|_| bad())?;
    if !(1..=64).contains(&n) {
        return Err(bad());
    }
    match kind {
        "C" => Ok(Group::Cyclic(n)),
        "D" => Ok(Group::Dihedral(n)),
        _ => Err(bad()),
    }
}

fn basis_for(
    kind: BasisKind,
    group: Group,
    in_type: FieldType,
    out_type: FieldType,
    ksize: usize,
) -> Result<KernelBasis> {
    let scalar = in_type == FieldType::Trivial && out_type == FieldType::Trivial;
    match kind {
        BasisKind::Steerable => steerable_basis(group, in_type, out_type, ksize),
        BasisKind::Pixel if scalar && group.order() == 1 => pixel_basis(ksize),
        BasisKind::Dense if scalar && ksize == 1 => Ok(dense_basis()),
        _ => Err(Error::Model(format!(
            "a {kind:?} basis does not fit {in_type:?}→{out_type:?} fields of {} with kernel size {ksize}",
            group_name(group)
        ))),
    }
}

/// Most coefficients a built network may hold (all layers together): 2^26,
/// 256 MB of f32 — over 200× the widest shipped model. Checked (with
/// overflow-checked arithmetic) before a layer's coefficients are allocated,
/// so a hostile architecture of a few bytes cannot ask for gigabytes.
pub const MAX_COEFFICIENTS: usize = 1 << 26;

/// Most basis values (Σ over conv layers of elements × values per element) a
/// built network may hold: 2^24, 64 MB of f32. The largest basis a model
/// file can name (regular → regular of C8 or D4 at k = 15) has 10.4M; the
/// shipped models' largest has about 28k. Bounded before each basis is built.
pub const MAX_BASIS_VALUES: usize = 1 << 24;

/// The size of one conv layer, as handed to [`Architecture::build_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSize {
    /// Index of the layer among the conv ops (0 = first conv).
    pub layer: usize,
    pub c_in: usize,
    pub c_out: usize,
    pub basis_len: usize,
    /// `c_out · c_in · basis_len`, checked against [`MAX_COEFFICIENTS`].
    pub coefficients: usize,
}

/// An upper bound on the values of the basis `basis_for` would build (no
/// basis is built), `None` on overflow.
fn basis_values_bound(
    kind: BasisKind,
    group: Group,
    in_type: FieldType,
    out_type: FieldType,
    ksize: usize,
) -> Option<usize> {
    let pixels = ksize.checked_mul(ksize)?;
    let elem = out_type
        .dim(group)
        .checked_mul(in_type.dim(group))?
        .checked_mul(pixels)?;
    let elems = match kind {
        BasisKind::Pixel => pixels,
        BasisKind::Dense => 1,
        BasisKind::Steerable => {
            let harmonics = harmonic_family(ksize).len();
            if in_type == FieldType::Regular && out_type == FieldType::Regular {
                harmonics.checked_mul(group.order())?
            } else {
                harmonics
            }
        }
    };
    elems.checked_mul(elem)
}

impl Architecture {
    pub fn group(&self) -> Result<Group> {
        parse_group(&self.group)
    }

    /// The network with every basis rebuilt and all coefficients zero;
    /// validated (bases and shapes).
    pub fn build(&self) -> Result<Network> {
        self.build_with(|size| Ok(vec![0.0; size.coefficients]))
    }

    /// The network with every basis rebuilt and each conv layer's
    /// coefficients from `coefficients(size)`, which must return exactly
    /// `size.coefficients` values; validated (bases and shapes).
    ///
    /// Everything that needs no allocation is checked first: the group, the
    /// input shape and the shapes through every op (channel counts, pooling)
    /// from the specs alone, then, layer by layer, the basis's size bound
    /// ([`MAX_BASIS_VALUES`]) before the basis is built and the coefficient
    /// count ([`MAX_COEFFICIENTS`]) before `coefficients` is asked. A loader
    /// hands over values it has already read, so nothing is allocated in
    /// proportion to a number in the file. Layers with the same basis share
    /// its construction.
    pub fn build_with(
        &self,
        mut coefficients: impl FnMut(LayerSize) -> Result<Vec<f32>>,
    ) -> Result<Network> {
        let group = self.group()?;
        let (c, h, w) = self.input_shape;
        if c == 0
            || h == 0
            || w == 0
            || c.checked_mul(h)
                .and_then(|ch| ch.checked_mul(w))
                .is_none_or(|v| v > 1 << 24)
        {
            return Err(Error::Model(format!(
                "input shape {:?} out of range",
                self.input_shape
            )));
        }
        self.check_shapes(group)?;
        let mut built: Vec<((BasisKind, FieldType, FieldType, usize), KernelBasis)> = Vec::new();
        let mut basis_values = 0usize;
        let mut total = 0usize;
        let mut layer = 0;
        let mut ops = Vec::with_capacity(self.ops.len());
        for (n, spec) in self.ops.iter().enumerate() {
            ops.push(match *spec {
                OpSpec::Conv {
                    in_type,
                    out_type,
                    c_in,
                    c_out,
                    ksize,
                    basis,
                } => {
                    if c_in == 0 || c_out == 0 || c_in > 1 << 16 || c_out > 1 << 16 || ksize > 15 {
                        return Err(Error::Model(format!("op {n}: layer size out of range")));
                    }
                    let key = (basis, in_type, out_type, ksize);
                    let basis = match built.iter().find(|(k, _)| *k == key) {
                        Some((_, b)) => b.clone(),
                        None => {
                            let bound = basis_values_bound(basis, group, in_type, out_type, ksize);
                            if bound
                                .and_then(|b| b.checked_add(basis_values))
                                .is_none_or(|v| v > MAX_BASIS_VALUES)
                            {
                                return Err(Error::Model(format!(
                                    "op {n}: the bases would exceed {MAX_BASIS_VALUES} values"
                                )));
                            }
                            let b = basis_for(basis, group, in_type, out_type, ksize)
                                .map_err(|e| Error::Model(format!("op {n}: {}", strip(e))))?;
                            built.push((key, b.clone()));
                            b
                        }
                    };
                    basis_values = basis
                        .len()
                        .checked_mul(basis.elem_len())
                        .and_then(|v| v.checked_add(basis_values))
                        .filter(|&v| v <= MAX_BASIS_VALUES)
                        .ok_or_else(|| {
                            Error::Model(format!(
                                "op {n}: the bases would exceed {MAX_BASIS_VALUES} values"
                            ))
                        })?;
                    let count = c_out
                        .checked_mul(c_in)
                        .and_then(|v| v.checked_mul(basis.len()))
                        .filter(|&v| v <= MAX_COEFFICIENTS - total)
                        .ok_or_else(|| {
                            Error::Model(format!(
                                "op {n}: {c_in}→{c_out} fields × {} basis elements: the network would exceed {MAX_COEFFICIENTS} coefficients",
                                basis.len()
                            ))
                        })?;
                    total += count;
                    let coef = coefficients(LayerSize {
                        layer,
                        c_in,
                        c_out,
                        basis_len: basis.len(),
                        coefficients: count,
                    })?;
                    layer += 1;
                    Op::Conv(EquivariantLayer {
                        group,
                        in_type,
                        out_type,
                        c_in,
                        c_out,
                        basis,
                        coef,
                    })
                }
                OpSpec::Relu => Op::Relu,
                OpSpec::MaxPool2 => Op::MaxPool2,
                OpSpec::GroupPool => Op::GroupPool,
                OpSpec::GlobalAvgPool => Op::GlobalAvgPool,
                OpSpec::Flatten => Op::Flatten,
            });
        }
        let net = Network {
            group,
            input_shape: self.input_shape,
            ops,
        };
        net.validate()?;
        Ok(net)
    }

    /// The feature-map shapes through the ops, from the specs alone (the
    /// same rules and messages as [`Network::shapes`], with checked
    /// arithmetic), so that a network that cannot run is refused before any
    /// basis or coefficient is made.
    fn check_shapes(&self, group: Group) -> Result<()> {
        let order = group.order();
        let (mut c, mut h, mut w) = self.input_shape;
        let overflow = |n: usize| Error::Model(format!("op {n}: feature map too large"));
        for (n, spec) in self.ops.iter().enumerate() {
            match *spec {
                OpSpec::Conv {
                    in_type,
                    out_type,
                    c_in,
                    c_out,
                    ..
                } => {
                    let (id, od) = (in_type.dim(group), out_type.dim(group));
                    let want = c_in.checked_mul(id).ok_or_else(|| overflow(n))?;
                    if want != c {
                        return Err(Error::Model(format!(
                            "op {n}: convolution expects {want} input channels ({c_in} fields × {id}), the feature map has {c}"
                        )));
                    }
                    c = c_out.checked_mul(od).ok_or_else(|| overflow(n))?;
                }
                OpSpec::Relu => {}
                OpSpec::MaxPool2 => {
                    if h < 2 || w < 2 {
                        return Err(Error::Model(format!("op {n}: max-pooling a {h}×{w} map")));
                    }
                    (h, w) = (h / 2, w / 2);
                }
                OpSpec::GroupPool => {
                    if c % order != 0 {
                        return Err(Error::Model(format!(
                            "op {n}: group pooling needs a multiple of |G| = {order} channels, got {c}"
                        )));
                    }
                    c /= order;
                }
                OpSpec::GlobalAvgPool => (h, w) = (1, 1),
                OpSpec::Flatten => {
                    c = c
                        .checked_mul(h)
                        .and_then(|v| v.checked_mul(w))
                        .ok_or_else(|| overflow(n))?;
                    (h, w) = (1, 1);
                }
            }
            // Every map must fit an index on any target (wasm32 included).
            if c.checked_mul(h)
                .and_then(|v| v.checked_mul(w))
                .is_none_or(|v| v > u32::MAX as usize)
            {
                return Err(overflow(n));
            }
        }
        Ok(())
    }
}

/// An error's message without the "model: " prefix, for re-wrapping.
fn strip(e: Error) -> String {
    match e {
        Error::Model(m) | Error::InvalidArgument(m) => m,
        e => e.to_string(),
    }
}
