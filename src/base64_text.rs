//! Binary blocks as text in model files (coefficients) and ticket files
//! (mask bits): standard base64 (RFC 4648, `=` padding) by the `base64`
//! crate's strict STANDARD engine — canonical padding only, unused bits
//! zero — with its errors said in words.

use base64::engine::general_purpose::STANDARD;
use base64::{DecodeError, Engine};

/// Base64 of `bytes`, padded.
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Strict inverse of [`encode`]: length a multiple of 4, padding only at the
/// end, unused bits zero. The error says what is wrong.
pub fn decode(s: &str) -> Result<Vec<u8>, &'static str> {
    STANDARD.decode(s).map_err(|e| match e {
        DecodeError::InvalidByte(_, b'=') | DecodeError::InvalidPadding => {
            "misplaced base64 padding"
        }
        DecodeError::InvalidByte(..) => "invalid base64 character",
        DecodeError::InvalidLength(_) => "base64 length is not a multiple of 4",
        DecodeError::InvalidLastSymbol(..) => "non-canonical base64 (unused bits set)",
    })
}

/// Base64 characters (with padding) of `bytes` bytes; None on overflow.
pub fn encoded_len(bytes: usize) -> Option<usize> {
    base64::encoded_len(bytes, true)
}
