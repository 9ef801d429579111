//! SHA-256 as lowercase hex: the identity of a model file's bytes
//! (`model_sha256` in ticket files), and the form of every digest the runs
//! report (masks, predictions), so that runs compare by one string.

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A finished hash as lowercase hex.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
