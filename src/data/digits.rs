//! A set of labelled grey-scale digits and its packed on-disk format.
//!
//! Packed format (little endian), written by `eslt data`, read natively and
//! by the page:
//!
//! | offset | size              | content                          |
//! |--------|-------------------|----------------------------------|
//! | 0      | 8                 | magic `b"ESLTDIG1"`              |
//! | 8      | 4                 | count (u32)                      |
//! | 12     | 2                 | rows (u16)                       |
//! | 14     | 2                 | cols (u16)                       |
//! | 16     | count             | labels, one byte each            |
//! | 16+count | count·rows·cols | pixels, u8, row-major per digit  |
//!
//! Nothing follows the pixels; a file of any other length is rejected.

use std::ops::Range;

use crate::{Error, Result};

/// Magic bytes opening a packed digit file.
pub const MAGIC: &[u8; 8] = b"ESLTDIG1";
/// Bytes before the labels.
pub const HEADER_LEN: usize = 16;

/// Labelled digits, pixels row-major, `count * rows * cols` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digits {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
}

fn data_error(why: impl Into<String>) -> Error {
    Error::Data {
        what: "packed digits".into(),
        why: why.into(),
    }
}

/// Largest unpacked size [`Digits::load`] accepts from a `.gz` file (1 GiB;
/// the 60,000 training digits take 47 MB).
pub const MAX_UNPACKED_BYTES: usize = 1 << 30;

/// Checks magic and shape; returns (count, rows, cols, total file length).
fn parse_header(bytes: &[u8]) -> Result<(usize, usize, usize, usize)> {
    if bytes.len() < HEADER_LEN {
        return Err(data_error(format!(
            "truncated header: {} bytes, need {HEADER_LEN}",
            bytes.len()
        )));
    }
    if &bytes[0..8] != MAGIC {
        return Err(data_error(format!(
            "bad magic {:?}, expected {:?}",
            String::from_utf8_lossy(&bytes[0..8]),
            String::from_utf8_lossy(MAGIC)
        )));
    }
    let count = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let rows = u16::from_le_bytes([bytes[12], bytes[13]]) as usize;
    let cols = u16::from_le_bytes([bytes[14], bytes[15]]) as usize;
    if rows == 0 || cols == 0 {
        return Err(data_error(format!("empty digit shape {rows}x{cols}")));
    }
    // Checked: a hostile header must not overflow usize on wasm32.
    let expected = rows
        .checked_mul(cols)
        .and_then(|pixels| count.checked_mul(pixels))
        .and_then(|p| p.checked_add(count))
        .and_then(|b| b.checked_add(HEADER_LEN))
        .ok_or_else(|| data_error(format!("header claims {count} digits of {rows}x{cols}")))?;
    Ok((count, rows, cols, expected))
}

impl Digits {
    /// Builds a digit set, checking that the buffers agree with the shape.
    pub fn new(rows: usize, cols: usize, labels: Vec<u8>, pixels: Vec<u8>) -> Result<Digits> {
        if rows == 0 || cols == 0 {
            return Err(Error::InvalidArgument(format!(
                "digit shape {rows}x{cols} is empty"
            )));
        }
        let count = labels.len();
        if count.checked_mul(rows * cols) != Some(pixels.len()) {
            return Err(Error::InvalidArgument(format!(
                "{count} labels need {} pixels of {rows}x{cols}, got {}",
                count.saturating_mul(rows * cols),
                pixels.len()
            )));
        }
        Ok(Digits {
            count,
            rows,
            cols,
            labels,
            pixels,
        })
    }

    /// Parses the packed format, validating magic, shape and length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Digits> {
        let (count, rows, cols, expected) = parse_header(bytes)?;
        if bytes.len() < expected {
            return Err(data_error(format!(
                "truncated: {} bytes, header claims {count} digits of {rows}x{cols} ({expected} bytes)",
                bytes.len()
            )));
        }
        if bytes.len() > expected {
            return Err(data_error(format!(
                "{} trailing bytes after {count} digits of {rows}x{cols}",
                bytes.len() - expected
            )));
        }
        let labels = bytes[HEADER_LEN..HEADER_LEN + count].to_vec();
        let pixels = bytes[HEADER_LEN + count..].to_vec();
        // The header's shape holds (checked above): `new` cannot refuse it.
        Digits::new(rows, cols, labels, pixels)
    }

    /// Serialises to the packed format. Panics only if the set breaks its
    /// own invariants (more than u32::MAX digits or a side over u16::MAX),
    /// which the constructors rule out for real data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let count = u32::try_from(self.count).expect("digit count fits the u32 header field");
        let rows = u16::try_from(self.rows).expect("rows fit the u16 header field");
        let cols = u16::try_from(self.cols).expect("cols fit the u16 header field");
        let mut out = Vec::with_capacity(HEADER_LEN + self.labels.len() + self.pixels.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&rows.to_le_bytes());
        out.extend_from_slice(&cols.to_le_bytes());
        out.extend_from_slice(&self.labels);
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Pixels per digit.
    pub fn pixels_per_digit(&self) -> usize {
        self.rows * self.cols
    }

    /// Pixels of digit `i` (row-major). Panics if `i >= count`, like slicing.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.pixels_per_digit();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// The digits in `range` (clamped to the set), as a new set.
    pub fn subset(&self, range: Range<usize>) -> Digits {
        let end = range.end.min(self.count);
        let start = range.start.min(end);
        let n = self.pixels_per_digit();
        Digits {
            count: end - start,
            rows: self.rows,
            cols: self.cols,
            labels: self.labels[start..end].to_vec(),
            pixels: self.pixels[start * n..end * n].to_vec(),
        }
    }

    /// Gunzips and parses a packed file, reading at most what the header
    /// claims (plus one byte, to see trailing data) and refusing a header
    /// that claims more than `max_len` bytes: a small hostile `.gz` cannot
    /// expand beyond the digits it really holds, nor beyond `max_len`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_gzip(gz: &[u8], max_len: usize) -> Result<Digits> {
        use std::io::Read;
        let gunzip = |e: std::io::Error| data_error(format!("gunzip: {e}"));
        let mut reader = flate2::read::GzDecoder::new(gz);
        let mut bytes = Vec::with_capacity(HEADER_LEN);
        (&mut reader)
            .take(HEADER_LEN as u64)
            .read_to_end(&mut bytes)
            .map_err(gunzip)?;
        let (count, rows, cols, expected) = parse_header(&bytes)?;
        if expected > max_len {
            return Err(data_error(format!(
                "header claims {count} digits of {rows}x{cols} ({expected} bytes), more than the {max_len} accepted"
            )));
        }
        // `read_to_end` grows with the data actually inflated.
        reader
            .take((expected - HEADER_LEN) as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(gunzip)?;
        if bytes.len() > expected {
            return Err(data_error(format!(
                "trailing data after {count} digits of {rows}x{cols} (not inflated further)"
            )));
        }
        Digits::from_bytes(&bytes)
    }

    /// Reads a packed file; gunzips it first when the name ends in `.gz`
    /// (at most [`MAX_UNPACKED_BYTES`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(path: &std::path::Path) -> Result<Digits> {
        let raw = std::fs::read(path).map_err(|e| Error::Data {
            what: path.display().to_string(),
            why: e.to_string(),
        })?;
        let parsed = if path.extension().is_some_and(|e| e == "gz") {
            Digits::from_gzip(&raw, MAX_UNPACKED_BYTES)
        } else {
            Digits::from_bytes(&raw)
        };
        parsed.map_err(|e| match e {
            Error::Data { why, .. } => Error::Data {
                what: path.display().to_string(),
                why,
            },
            other => other,
        })
    }

    /// Writes the packed format; gzips (level 9) when the name ends in `.gz`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        use std::io::Write;
        let bytes = self.to_bytes();
        if path.extension().is_some_and(|e| e == "gz") {
            let file = std::fs::File::create(path)?;
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
            gz.write_all(&bytes)?;
            gz.finish()?;
        } else {
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}
