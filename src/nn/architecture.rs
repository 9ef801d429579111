//! A network's architecture as data: the group, the input and the list of
//! ops with their field types, widths, kernel sizes and basis kinds. It is
//! what a model file stores besides the coefficients; the bases are rebuilt
//! from it, never stored.

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

/// "C<N>" or "D<N>".
pub fn group_name(g: Group) -> String {
    match g {
        Group::Cyclic(n) => format!("C{n}"),
        Group::Dihedral(n) => format!("D{n}"),
    }
}

/// Parses "C<N>" / "D<N>" with 1 ≤ N ≤ 64.
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

impl Architecture {
    pub fn group(&self) -> Result<Group> {
        parse_group(&self.group)
    }

    /// The network with every basis rebuilt and all coefficients zero;
    /// validated (bases and shapes).
    pub fn build(&self) -> Result<Network> {
        let group = self.group()?;
        let (c, h, w) = self.input_shape;
        if c == 0 || h == 0 || w == 0 || c * h * w > 1 << 24 {
            return Err(Error::Model(format!(
                "input shape {:?} out of range",
                self.input_shape
            )));
        }
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
                    let basis = basis_for(basis, group, in_type, out_type, ksize)
                        .map_err(|e| Error::Model(format!("op {n}: {}", strip(e))))?;
                    let coef = vec![0.0; c_out * c_in * basis.len()];
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
}

/// An error's message without the "model: " prefix, for re-wrapping.
fn strip(e: Error) -> String {
    match e {
        Error::Model(m) | Error::InvalidArgument(m) => m,
        e => e.to_string(),
    }
}
