//! Coefficients in model files: little-endian f32 (exact) or f16 (half the
//! size, for the largest models) bytes in standard base64 (RFC 4648, with
//! padding) — 3× (f32) or 6× (f16) smaller than decimal JSON numbers.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Storage type of a coefficient block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// IEEE binary32, little endian: exact.
    F32le,
    /// IEEE binary16, little endian: ~3 significant digits.
    F16le,
}

/// Rounds `v` to the nearest value that `dtype` stores exactly.
pub fn round_to(dtype: Dtype, v: f32) -> f32 {
    match dtype {
        Dtype::F32le => v,
        Dtype::F16le => half::f16::from_f32(v).to_f32(),
    }
}

fn decode_bytes(s: &str) -> Result<Vec<u8>> {
    crate::base64_text::decode(s).map_err(|why| Error::Model(format!("coefficients: {why}")))
}

/// Base64 of the values' little-endian bytes in `dtype` (rounded to it).
pub fn encode(dtype: Dtype, values: &[f32]) -> String {
    let bytes: Vec<u8> = match dtype {
        Dtype::F32le => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        Dtype::F16le => values
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect(),
    };
    crate::base64_text::encode(&bytes)
}

/// Decodes `encode`'s output; rejects bad characters, bad padding and
/// lengths that are not whole values.
pub fn decode(dtype: Dtype, s: &str) -> Result<Vec<f32>> {
    let bytes = decode_bytes(s)?;
    let width = match dtype {
        Dtype::F32le => 4,
        Dtype::F16le => 2,
    };
    if bytes.len() % width != 0 {
        return Err(Error::Model(format!(
            "coefficients: {} bytes is not a whole number of {dtype:?} values",
            bytes.len()
        )));
    }
    Ok(match dtype {
        Dtype::F32le => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F16le => bytes
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
    })
}

/// `encode(F32le, …)`.
pub fn encode_f32(values: &[f32]) -> String {
    encode(Dtype::F32le, values)
}

/// `decode(F32le, …)`.
pub fn decode_f32(s: &str) -> Result<Vec<f32>> {
    decode(Dtype::F32le, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        for n in 0..7 {
            let v: Vec<f32> = (0..n).map(|i| i as f32 * -1.37e-3 + 0.5).collect();
            assert_eq!(decode_f32(&encode_f32(&v)).unwrap(), v);
            let h: Vec<f32> = v.iter().map(|&x| round_to(Dtype::F16le, x)).collect();
            assert_eq!(decode(Dtype::F16le, &encode(Dtype::F16le, &v)).unwrap(), h);
        }
    }

    #[test]
    fn known_vectors() {
        // 1.0f32 = 00 00 80 3f → "AACAPw=="; 1.0f16 = 00 3c → "ADw=".
        assert_eq!(encode_f32(&[1.0]), "AACAPw==");
        assert_eq!(encode(Dtype::F16le, &[1.0]), "ADw=");
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode_f32("AACAPw=").is_err());
        assert!(decode_f32("AAC*Pw==").is_err());
        assert!(decode_f32("AA==AAAA").is_err());
        assert!(decode_f32("AAAA").is_err()); // 3 bytes
        assert!(decode(Dtype::F16le, "AAAA").is_err()); // 3 bytes
    }
}
