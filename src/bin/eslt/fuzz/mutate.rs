//! Seeded mutation of seed inputs.
//!
//! Input `i` of a run is a pure function of (seed, target, i): a ChaCha8
//! stream seeded from them picks a seed input (by weight) and stacks 1–8
//! mutations on it, so any input can be regenerated alone (`--start i
//! --iterations 1`). Mutations:
//!
//! - bytes: bit flips, random and "interesting" bytes (JSON punctuation,
//!   0x00/0x7f/0x80/0xff), interesting integers (0, ±1, 2^k ± 1, u32/u64
//!   extremes, MNIST sizes) written 1/2/4/8 bytes wide, little or big endian,
//!   biased towards a target's header fields; inserts, runs of one byte,
//!   deletes, duplicated ranges, splices with another seed, truncation;
//! - JSON text: a number token replaced by a huge, negative, fractional,
//!   out-of-range or NaN-like literal (`1e309`, `-0`, `NaN`,
//!   `18446744073709551616`, …); brackets nested thousands deep;
//! - JSON trees (when the text parses): a node replaced by another type or
//!   an extreme number, arrays duplicated / emptied / shortened, keys
//!   removed or added, strings emptied, cut, lengthened or altered, values
//!   wrapped in arrays, then written back compact or pretty;
//! - gzip: the seed unpacked, mutated as bytes and packed again (so the
//!   damage reaches the parser behind the inflater), or the packed bytes
//!   mutated directly.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::io::Read;
use std::ops::Range;

/// How a target's inputs are best mutated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// JSON text.
    Json,
    /// A binary format.
    Binary,
    /// A gzip-compressed binary format.
    Gzip,
}

/// One seed input.
#[derive(Clone, Debug)]
pub struct Seed {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Relative chance of being picked (large seeds cost more per input).
    pub weight: u32,
}

/// Byte ranges worth hitting with interesting integers (header fields).
pub type HotRanges = fn(&[u8]) -> Vec<Range<usize>>;

/// The mutator of one target.
pub struct Mutator<'a> {
    seeds: &'a [Seed],
    kind: Kind,
    hot: Option<HotRanges>,
    max_len: usize,
    total_weight: u64,
    /// Unpacked gzip seeds (for [`Kind::Gzip`]), when small enough.
    plain: Vec<Option<Vec<u8>>>,
}

const INTERESTING_BYTES: &[u8] = b"\x00\x01\x7f\x80\xff\"\\{}[],:-.e0159=A/+ \n";

const INTERESTING_INTS: &[u64] = &[
    0,
    1,
    2,
    3,
    7,
    8,
    9,
    10,
    15,
    16,
    28,
    31,
    32,
    33,
    64,
    127,
    128,
    255,
    256,
    784,
    2000,
    10_000,
    60_000,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
    u64::MAX - 1,
];

const INTERESTING_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "3",
    "4",
    "7",
    "8",
    "9",
    "10",
    "15",
    "16",
    "17",
    "31",
    "32",
    "33",
    "64",
    "255",
    "256",
    "65535",
    "65536",
    "65537",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e400",
    "5e-324",
    "1e-400",
    "0.5",
    "1.5",
    "-0.5",
    "0.01",
    "1e-300",
    "3.4028235e38",
    "3.5e38",
    "1e39",
    "1e-46",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e",
    "1.",
    ".5",
    "01",
    "0x10",
    "1_000",
    "\"1\"",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
];

impl<'a> Mutator<'a> {
    /// A mutator over `seeds` (at least one), inputs capped at `max_len`.
    pub fn new(seeds: &'a [Seed], kind: Kind, hot: Option<HotRanges>, max_len: usize) -> Self {
        let plain = seeds
            .iter()
            .map(|s| match kind {
                Kind::Gzip => gunzip_small(&s.bytes, 1 << 18),
                _ => None,
            })
            .collect();
        Self {
            seeds,
            kind,
            hot,
            max_len,
            total_weight: seeds.iter().map(|s| u64::from(s.weight.max(1))).sum(),
            plain,
        }
    }

    /// The RNG of input `index` of a run with `seed` on target `target`.
    pub fn rng(seed: u64, target: &str, index: u64) -> ChaCha8Rng {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in target.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        ChaCha8Rng::seed_from_u64(splitmix(
            seed ^ splitmix(h) ^ splitmix(index.wrapping_add(1)),
        ))
    }

    fn pick_seed(&self, rng: &mut ChaCha8Rng) -> usize {
        let mut r = rng.random_range(0..self.total_weight.max(1));
        for (i, s) in self.seeds.iter().enumerate() {
            let w = u64::from(s.weight.max(1));
            if r < w {
                return i;
            }
            r -= w;
        }
        0
    }

    /// Input `index`: the seeds themselves first (unchanged), then mutants.
    pub fn input(&self, seed: u64, target: &str, index: u64) -> Vec<u8> {
        if (index as usize) < self.seeds.len() {
            return self.seeds[index as usize].bytes.clone();
        }
        let mut rng = Self::rng(seed, target, index);
        let s = self.pick_seed(&mut rng);
        let rounds = 1 + (rng.next_u32().trailing_zeros() as usize).min(7);
        let mut data = match (self.kind, &self.plain[s]) {
            (Kind::Gzip, Some(plain)) if rng.random_bool(0.5) => {
                let mut p = plain.clone();
                for _ in 0..rounds {
                    self.mutate_bytes(&mut p, &mut rng);
                }
                let mut z = gzip(&p);
                if rng.random_bool(0.2) {
                    self.mutate_bytes(&mut z, &mut rng);
                }
                z.truncate(self.max_len);
                return z;
            }
            _ => self.seeds[s].bytes.clone(),
        };
        for _ in 0..rounds {
            match self.kind {
                Kind::Json => self.mutate_json(&mut data, &mut rng),
                Kind::Binary | Kind::Gzip => self.mutate_bytes(&mut data, &mut rng),
            }
        }
        data.truncate(self.max_len);
        data
    }

    fn room(&self, data: &[u8]) -> usize {
        self.max_len.saturating_sub(data.len())
    }

    fn mutate_json(&self, data: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
        match rng.random_range(0..10) {
            0..=2 => self.replace_number(data, rng),
            3..=5 => self.mutate_tree(data, rng),
            6 => self.nest(data, rng),
            _ => self.mutate_bytes(data, rng),
        }
    }

    /// Replaces one number token (found in one pass) by an interesting literal.
    fn replace_number(&self, data: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
        let tokens = number_tokens(data);
        if tokens.is_empty() {
            return self.mutate_bytes(data, rng);
        }
        let r = tokens[rng.random_range(0..tokens.len())].clone();
        let lit = INTERESTING_NUMBERS[rng.random_range(0..INTERESTING_NUMBERS.len())];
        data.splice(r, lit.bytes());
    }

    /// `[` or `{"a":` repeated thousands of times somewhere.
    fn nest(&self, data: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
        let depth = [64, 127, 128, 129, 1000, 20_000][rng.random_range(0..6)];
        let unit: &[u8] = if rng.random_bool(0.5) {
            b"["
        } else {
            b"{\"a\":"
        };
        if unit.len() * depth > self.room(data) {
            return;
        }
        let at = rng.random_range(0..=data.len());
        let ins: Vec<u8> = unit
            .iter()
            .copied()
            .cycle()
            .take(unit.len() * depth)
            .collect();
        data.splice(at..at, ins);
    }

    fn mutate_tree(&self, data: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
        let Ok(mut v) = serde_json::from_slice::<Value>(data) else {
            return self.mutate_bytes(data, rng);
        };
        let nodes = count_nodes(&v);
        let target = rng.random_range(0..nodes);
        let mut seen = 0;
        let budget = self.max_len;
        visit(&mut v, target, &mut seen, &mut |node| {
            mutate_node(node, rng, budget)
        });
        let text = if rng.random_bool(0.5) {
            serde_json::to_vec(&v)
        } else {
            serde_json::to_vec_pretty(&v)
        };
        if let Ok(t) = text {
            *data = t;
        }
    }

    /// One byte-level mutation.
    pub fn mutate_bytes(&self, data: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
        let len = data.len();
        match rng.random_range(0..12) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] = rng.random();
            }
            2 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] = INTERESTING_BYTES[rng.random_range(0..INTERESTING_BYTES.len())];
            }
            3 | 4 if len > 0 => self.interesting_int(data, rng),
            5 => {
                let n = rng.random_range(1..=16).min(self.room(data));
                let at = rng.random_range(0..=len);
                let ins: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                data.splice(at..at, ins);
            }
            6 => {
                let n = [1, 7, 64, 4096][rng.random_range(0..4)].min(self.room(data));
                let b = INTERESTING_BYTES[rng.random_range(0..INTERESTING_BYTES.len())];
                let at = rng.random_range(0..=len);
                data.splice(at..at, std::iter::repeat_n(b, n));
            }
            7 if len > 0 => {
                let at = rng.random_range(0..len);
                let n = rng.random_range(1..=(len - at).min(256));
                data.drain(at..at + n);
            }
            8 if len > 0 => {
                let from = rng.random_range(0..len);
                let n = rng
                    .random_range(1..=(len - from).min(1024))
                    .min(self.room(data));
                let chunk = data[from..from + n].to_vec();
                let at = rng.random_range(0..=len);
                data.splice(at..at, chunk);
            }
            9 => {
                let other = &self.seeds[self.pick_seed(rng)].bytes;
                let cut = rng.random_range(0..=len);
                let from = rng.random_range(0..=other.len());
                data.truncate(cut);
                let n = (other.len() - from).min(self.room(data));
                data.extend_from_slice(&other[from..from + n]);
            }
            10 if len > 0 => {
                data.truncate(rng.random_range(0..len));
            }
            _ if len > 0 => {
                // Swap two bytes.
                let (i, j) = (rng.random_range(0..len), rng.random_range(0..len));
                data.swap(i, j);
            }
            _ => data.push(rng.random()),
        }
    }

    fn interesting_int(&self, data: &mut [u8], rng: &mut ChaCha8Rng) {
        let width = [1usize, 2, 4, 8][rng.random_range(0..4)];
        if data.len() < width {
            return;
        }
        let hot = self.hot.map(|h| h(data)).unwrap_or_default();
        let at = if !hot.is_empty() && rng.random_bool(0.7) {
            let r = &hot[rng.random_range(0..hot.len())];
            let start = r.start.min(data.len() - width);
            let end = r.end.clamp(start + 1, data.len() - width + 1);
            rng.random_range(start..end)
        } else {
            rng.random_range(0..=data.len() - width)
        };
        let mut v = INTERESTING_INTS[rng.random_range(0..INTERESTING_INTS.len())];
        if rng.random_bool(0.2) {
            v = v.wrapping_neg();
        }
        let bytes = if rng.random_bool(0.5) {
            v.to_le_bytes()[..width].to_vec()
        } else {
            v.to_be_bytes()[8 - width..].to_vec()
        };
        data[at..at + width].copy_from_slice(&bytes);
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Gzip (fast) of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    z.finish().unwrap_or_default()
}

/// The unpacked bytes of a gzip seed, if it unpacks to at most `max` bytes.
fn gunzip_small(gz: &[u8], max: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= max).then_some(out)
}

/// Ranges of JSON-ish number tokens (at most 4096, from one pass).
fn number_tokens(data: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() && out.len() < 4096 {
        let c = data[i];
        let prev_ok = i == 0 || matches!(data[i - 1], b' ' | b'\n' | b'\t' | b':' | b',' | b'[');
        if prev_ok && (c == b'-' || c.is_ascii_digit()) {
            let start = i;
            i += 1;
            while i < data.len()
                && matches!(data[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Calls `f` on the `target`-th node in pre-order.
fn visit(v: &mut Value, target: usize, seen: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
    if *seen == target {
        f(v);
        return true;
    }
    *seen += 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| visit(x, target, seen, f)),
        Value::Object(o) => o.values_mut().any(|x| visit(x, target, seen, f)),
        _ => false,
    }
}

fn extreme_number(rng: &mut ChaCha8Rng) -> Value {
    match rng.random_range(0..12) {
        0 => Value::from(u64::MAX),
        1 => Value::from(i64::MIN),
        2 => Value::from(1u64 << 32),
        3 => Value::from((1u64 << 53) + 1),
        4 => Value::from(f64::MAX),
        5 => Value::from(-f64::MAX),
        6 => Value::from(5e-324),
        7 => Value::from(-0.0),
        8 => Value::from(0.5),
        9 => Value::from(65536),
        10 => Value::from(-1),
        _ => Value::from(INTERESTING_INTS[rng.random_range(0..INTERESTING_INTS.len())]),
    }
}

fn mutate_node(node: &mut Value, rng: &mut ChaCha8Rng, budget: usize) {
    match rng.random_range(0..8) {
        0 => {
            *node = match rng.random_range(0..7) {
                0 => Value::Null,
                1 => Value::Bool(true),
                2 => Value::from(""),
                3 => Value::Array(vec![]),
                4 => Value::Object(Default::default()),
                5 => Value::from("x".repeat(rng.random_range(1..=4096))),
                _ => extreme_number(rng),
            }
        }
        1 => *node = extreme_number(rng),
        2 => *node = Value::Array(vec![node.take()]),
        _ => match node {
            Value::Array(a) => match rng.random_range(0..5) {
                0 if serde_json::to_vec(&*a).map_or(usize::MAX, |v| v.len()) * 2 < budget => {
                    let copy = a.clone();
                    a.extend(copy);
                }
                1 => a.clear(),
                2 if !a.is_empty() => {
                    let i = rng.random_range(0..a.len());
                    a.remove(i);
                }
                3 if !a.is_empty() => {
                    let n = rng.random_range(0..a.len());
                    a.truncate(n);
                }
                _ if !a.is_empty() => {
                    let i = rng.random_range(0..a.len());
                    let x = a[i].clone();
                    a.push(x);
                }
                _ => a.push(Value::Null),
            },
            Value::Object(o) => {
                if !o.is_empty() && rng.random_bool(0.6) {
                    let i = rng.random_range(0..o.len());
                    let key = o.keys().nth(i).cloned().unwrap_or_default();
                    o.remove(&key);
                } else {
                    o.insert("unexpected".into(), Value::from(1));
                }
            }
            Value::String(s) => match rng.random_range(0..5) {
                0 => s.clear(),
                1 => {
                    let mut cut = rng.random_range(0..=s.len());
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    s.truncate(cut);
                }
                2 if s.len() * 2 < budget => *s = s.repeat(2),
                3 => s.push_str(["=", "==", "A", "*", "\u{e9}", "0"][rng.random_range(0..6)]),
                _ => {
                    let mut b = std::mem::take(s).into_bytes();
                    if !b.is_empty() {
                        let i = rng.random_range(0..b.len());
                        b[i] = b"AZaz09+/=.-x"[rng.random_range(0..12)];
                    }
                    *s = String::from_utf8_lossy(&b).into_owned();
                }
            },
            Value::Number(_) => *node = extreme_number(rng),
            Value::Bool(b) => *b = !*b,
            Value::Null => *node = Value::from(0),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_reproducible_and_bounded() {
        let seeds = vec![
            Seed {
                name: "a".into(),
                bytes: br#"{"a": [1, 2.5, -3], "b": "text", "c": {"d": null}}"#.to_vec(),
                weight: 1,
            },
            Seed {
                name: "b".into(),
                bytes: vec![0u8; 40],
                weight: 3,
            },
        ];
        for kind in [Kind::Json, Kind::Binary] {
            let m = Mutator::new(&seeds, kind, None, 10_000);
            assert_eq!(m.input(1, "t", 0), seeds[0].bytes);
            for i in 2..500 {
                let x = m.input(7, "t", i);
                assert_eq!(x, m.input(7, "t", i));
                assert!(x.len() <= 10_000);
            }
            let distinct: std::collections::HashSet<_> =
                (2..200).map(|i| m.input(7, "t", i)).collect();
            assert!(distinct.len() > 150);
        }
    }

    #[test]
    fn number_tokens_are_found() {
        let t = number_tokens(br#"{"a": 12, "b": [-1.5e3,7]}"#);
        assert_eq!(t.len(), 3);
    }
}
