//! Standard base64 (RFC 4648, `=` padding), strict both ways: the text form
//! of the binary blocks in model files (coefficients) and ticket files
//! (mask bits).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The value of each base64 character, 255 outside the alphabet (a table:
/// a linear search of the alphabet made decoding the 600 kB CNN model take
/// 8 ms).
const SEXTETS: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Base64 of `bytes`, padded.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(v >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict inverse of [`encode`]: length a multiple of 4, padding only at the
/// end, unused bits zero. The error says what is wrong.
pub fn decode(s: &str) -> Result<Vec<u8>, &'static str> {
    let s = s.as_bytes();
    if s.len() % 4 != 0 {
        return Err("base64 length is not a multiple of 4");
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads = s.len() / 4;
    for (q, quad) in s.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && q + 1 != quads) {
            return Err("misplaced base64 padding");
        }
        let mut v = 0u32;
        for &c in &quad[..4 - pad] {
            match SEXTETS[c as usize] {
                255 => return Err("invalid base64 character"),
                x => v = v << 6 | u32::from(x),
            }
        }
        v <<= 6 * pad as u32;
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        if bytes[3 - pad..].iter().any(|&b| b != 0) {
            return Err("non-canonical base64 (unused bits set)");
        }
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Ok(out)
}
