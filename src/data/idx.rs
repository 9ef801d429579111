//! MNIST IDX files (LeCun & Cortes): the format the original data ships in.
//!
//! Header: two zero bytes, a type byte (0x08 = unsigned byte), the number of
//! dimensions, then one big-endian u32 per dimension, then the data.
//! Images are 3-D (count, rows, cols), labels 1-D (count).

use super::digits::Digits;
use crate::{Error, Result};

/// Type byte for unsigned bytes, the only element type MNIST uses.
const UBYTE: u8 = 0x08;

fn idx_error(what: &str, why: impl Into<String>) -> Error {
    Error::Data {
        what: format!("IDX {what}"),
        why: why.into(),
    }
}

/// Parses an IDX header of unsigned bytes with `ndims` dimensions and returns
/// the dimensions and the data that follows (exactly their product long).
fn parse_ubyte<'a>(bytes: &'a [u8], ndims: u8, what: &str) -> Result<(Vec<usize>, &'a [u8])> {
    if bytes.len() < 4 {
        return Err(idx_error(
            what,
            format!("truncated magic: {} bytes", bytes.len()),
        ));
    }
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != UBYTE {
        return Err(idx_error(
            what,
            format!(
                "bad magic {:02x}{:02x}{:02x}{:02x}, expected 0000{UBYTE:02x}{ndims:02x}",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
        ));
    }
    if bytes[3] != ndims {
        return Err(idx_error(
            what,
            format!("{} dimensions, expected {ndims}", bytes[3]),
        ));
    }
    let header = 4 + 4 * ndims as usize;
    if bytes.len() < header {
        return Err(idx_error(
            what,
            format!("truncated header: {} bytes, need {header}", bytes.len()),
        ));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    let len = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| idx_error(what, format!("dimensions {dims:?} overflow")))?;
    let data = &bytes[header..];
    if data.len() < len {
        return Err(idx_error(
            what,
            format!(
                "truncated: {} data bytes, dimensions {dims:?} need {len}",
                data.len()
            ),
        ));
    }
    if data.len() > len {
        return Err(idx_error(
            what,
            format!(
                "{} trailing bytes after dimensions {dims:?}",
                data.len() - len
            ),
        ));
    }
    Ok((dims, data))
}

impl Digits {
    /// Builds a digit set from an MNIST images file (3-D) and labels file
    /// (1-D), validating magic, dimensions, length, count agreement and that
    /// labels are digits 0–9.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Digits> {
        let (idims, pixels) = parse_ubyte(images, 3, "images")?;
        let (ldims, label_bytes) = parse_ubyte(labels, 1, "labels")?;
        let (count, rows, cols) = (idims[0], idims[1], idims[2]);
        if rows == 0 || cols == 0 || rows > u16::MAX as usize || cols > u16::MAX as usize {
            return Err(idx_error(
                "images",
                format!("digit shape {rows}x{cols} outside 1..=65535"),
            ));
        }
        if count > u32::MAX as usize {
            return Err(idx_error("images", format!("{count} digits exceed u32")));
        }
        if ldims[0] != count {
            return Err(idx_error(
                "labels",
                format!("{} labels for {count} images", ldims[0]),
            ));
        }
        if let Some(i) = label_bytes.iter().position(|&l| l > 9) {
            return Err(idx_error(
                "labels",
                format!("label {} at index {i} is not a digit 0-9", label_bytes[i]),
            ));
        }
        Digits::new(rows, cols, label_bytes.to_vec(), pixels.to_vec())
    }
}
