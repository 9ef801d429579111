//! The exported ticket: a small JSON file from which anyone holding the
//! target model regenerates the ticket and checks it.
//!
//! # What the file holds
//!
//! ```json
//! { "format": "eslt-ticket", "version": 1,
//!   "model": "rotmnist-c8.json", "model_sha256": "<hex>",
//!   "task": "rotmnist-c8", "seed": 1, "eps": 0.01, "headroom": 0.5,
//!   "n": null, "grow": true, "input_nonnegative": true,
//!   "n_per_layer": [14, 22, 21, 14],
//!   "mask": [ { "n": 14, "live_pools": 1, "problems": 88, "bits": "<base64>" }, … ],
//!   "mask_digest": "<hex>",
//!   "report": { … the PruneReport, as `eslt prune --json` prints it … } }
//! ```
//!
//! - the run's configuration (seed, ε, headroom, n, growth, input sign) and
//!   the SHA-256 of the target model file it was run on;
//! - per layer, the chosen subset of every subset-sum problem of its live
//!   pools, in the problem order of [`crate::slt::coefficient`]
//!   ([`PrunedLayer::subsets`]): n bits per problem, bit j of a problem set ⇔
//!   candidate j kept, packed little-endian (bit b of the stream is bit b % 8
//!   of byte b / 8), problems concatenated, zero-padded to a byte, standard
//!   base64 with padding. These bits are exactly the kept u of the live
//!   pools; a v is kept iff any u reading it is; the dead negative pools keep
//!   nothing;
//! - the [`digest_of`] the whole mask and the run's report.
//!
//! # Who writes and checks it
//!
//! `eslt prune --model www/models/rotmnist-c8.json --eps 0.01 --seed 1
//! --ticket-out c8.ticket.json` writes it natively; the page's *Export
//! ticket* downloads the same file as `<task>-seed<seed>.ticket.json`, and
//! *Load ticket…* re-runs one in the page and says whether its digest
//! matches. `eslt ticket verify --ticket FILE --model
//! www/models/rotmnist-c8.json [--json]` regenerates the source from the
//! seed, applies the mask, re-runs the pruning natively and checks that
//! mask, β and accuracies are the same: exit 0; 1 when a well-formed ticket
//! does not verify, naming the check; 2 on bad input. Graph and set tickets
//! work the same way (11 kB for the karate club), re-evaluated on the
//! task's regenerated test graphs (no `--data`). `tests/slt_ticket_file.rs`,
//! `tests/graph_cli.rs` and the e2e tests check this, and that a ticket
//! with another seed fails.
//!
//! # Why it is small
//!
//! The random source network is not stored: [`SourceLayer::draw`] redraws
//! it from the seed (ChaCha8, one stream per layer, the same natively and in
//! wasm), and the target's α and the rebalancing come from the model file.
//! What is left is the mask over the source's layer-B weights, and of those
//! only the n bits per problem of the live pools — the other pool's n u per
//! coefficient (and all of a dead pool) are pruned by construction. A mask
//! over every source weight would take 2n·P bits plus c_in·2n for v; the
//! file takes n·P (P = problems of the live pools), ≈ n/6 bytes of base64 per
//! coefficient, against ≈ 5.3 bytes per *source* weight if the weights were
//! written out. β, the errors and the ticket follow by re-evaluating each
//! subset ([`subset_sum::evaluate`](crate::slt::subset_sum::evaluate())).
//! For rotmnist-c8 at ε = 0.01, seed 1 (n = 14, 22, 21, 14; a source of
//! 794,876 weights) the file is 71 KB, 66 KB of it mask bits.
//!
//! ε and headroom must read back bit for bit (the re-run depends on them):
//! [`TicketFile::new`] refuses values that do not survive JSON. The report
//! is informational; its long floats may read back one ulp off.
//!
//! # Reading hostile files
//!
//! [`TicketFile::from_json`] checks every field with a typed [`Error`] and
//! never panics. No allocation follows a number in the file: a layer's
//! `bits` must have exactly the base64 length that `problems × n` bits need
//! (checked arithmetic) before it is decoded, so `problems` is bounded by the
//! file's own size; layer counts are checked against the model in
//! [`TicketFile::rebuild`] before any source is drawn.

use serde::{Deserialize, Serialize};

use crate::slt::config::PruneConfig;
use crate::slt::prune::{layer_problems, PrunedLayer};
use crate::slt::rebalance::rebalance;
use crate::slt::run::PruneOutcome;
use crate::slt::source::SourceLayer;
use crate::slt::subset_sum::MAX_N;
use crate::slt::target::{LinearLayer, TargetNetwork};
use crate::{Error, Result};

/// The `format` tag of a ticket file.
pub const FORMAT: &str = "eslt-ticket";
/// The `version` this code writes and reads.
pub const VERSION: u32 = 1;
/// Readers may refuse ticket files larger than this (bytes) before parsing.
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// Problems re-evaluated per batch in [`TicketFile::rebuild`] (bounds the
/// candidate buffer, not the result).
const REBUILD_CHUNK: usize = 4096;

/// One layer's mask: the chosen subset of each problem of its live pools.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskLayer {
    /// Candidates per pool (bits per problem), 1..=32.
    pub n: usize,
    /// 1 when the negative pool is dead (non-negative input), else 2.
    pub live_pools: usize,
    /// Problems of the live pools: live_pools × the layer's coefficients.
    pub problems: usize,
    /// `problems × n` bits, little-endian, zero-padded to a byte, base64.
    pub bits: String,
}

/// An exported ticket (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketFile {
    pub format: String,
    pub version: u32,
    /// File name of the target model the ticket was pruned from.
    pub model: String,
    /// SHA-256 (lowercase hex) of the model file's bytes.
    pub model_sha256: String,
    pub task: String,
    pub seed: u64,
    pub eps: f64,
    pub headroom: f32,
    /// `--n` of the run (`null`: from the bound).
    pub n: Option<usize>,
    pub grow: bool,
    pub input_nonnegative: bool,
    /// Final n of each linear layer (= `mask[ℓ].n`).
    pub n_per_layer: Vec<usize>,
    pub mask: Vec<MaskLayer>,
    /// [`digest_of`] the full mask.
    pub mask_digest: String,
    /// The run's report, as `eslt prune --json` prints it.
    pub report: TicketReport,
}

/// The run's report as a ticket file holds it: the figures a verifier
/// reads, typed, and the whole object as it was written (read and written
/// back unchanged; `report["key"]` reads any other key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
pub struct TicketReport {
    /// Test rows the run verified on (digits, or graph rows): the
    /// report's `test_digits`.
    pub rows: usize,
    pub target_accuracy: f64,
    pub ticket_accuracy: f64,
    pub agreement: f64,
    pub mask_digest: String,
    pub seed: u64,
    json: serde_json::Value,
}

/// The typed part of [`TicketReport`].
#[derive(Deserialize)]
struct ReportFigures {
    test_digits: usize,
    target_accuracy: f64,
    ticket_accuracy: f64,
    agreement: f64,
    mask_digest: String,
    seed: u64,
}

impl TryFrom<serde_json::Value> for TicketReport {
    type Error = String;

    fn try_from(json: serde_json::Value) -> std::result::Result<Self, String> {
        if !json.is_object() {
            return Err("report is not an object".into());
        }
        let f = ReportFigures::deserialize(&json).map_err(|e| format!("report: {e}"))?;
        Ok(Self {
            rows: f.test_digits,
            target_accuracy: f.target_accuracy,
            ticket_accuracy: f.ticket_accuracy,
            agreement: f.agreement,
            mask_digest: f.mask_digest,
            seed: f.seed,
            json,
        })
    }
}

impl From<TicketReport> for serde_json::Value {
    fn from(r: TicketReport) -> Self {
        r.json
    }
}

impl std::ops::Index<&str> for TicketReport {
    type Output = serde_json::Value;

    /// The report's key `key` as written (`Null` when absent).
    fn index(&self, key: &str) -> &serde_json::Value {
        &self.json[key]
    }
}

fn bad(why: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("ticket file: {why}"))
}

pub use crate::sha256::sha256_hex;
pub use crate::slt::mask::digest_of;

impl TicketFile {
    /// The ticket of a finished run with configuration `cfg`, pruned from
    /// the model file `model_name` whose bytes hash to `model_sha256`.
    pub fn new<N>(
        outcome: &PruneOutcome<N>,
        cfg: &PruneConfig,
        model_name: &str,
        model_sha256: &str,
    ) -> Result<Self> {
        cfg.validate()?;
        let r = &outcome.report;
        if r.seed != cfg.seed || r.eps != cfg.eps || r.headroom != f64::from(cfg.headroom) {
            return Err(bad("the run's report does not match the configuration"));
        }
        // serde_json (without its float_roundtrip feature) may read a long
        // decimal back one ulp off: the re-run needs ε and headroom exact.
        let eps_back: f64 = serde_json::from_str(&serde_json::to_string(&cfg.eps)?)?;
        let headroom_back: f32 = serde_json::from_str(&serde_json::to_string(&cfg.headroom)?)?;
        if eps_back.to_bits() != cfg.eps.to_bits()
            || headroom_back.to_bits() != cfg.headroom.to_bits()
        {
            return Err(bad(format!(
                "eps {} or headroom {} does not survive JSON exactly: use fewer digits",
                cfg.eps, cfg.headroom
            )));
        }
        let mut mask = Vec::with_capacity(outcome.pruned.len());
        for (idx, p) in outcome.pruned.iter().enumerate() {
            let n = p.source.n;
            let per_pool = p.beta_pos.len();
            let live_pools = if p.beta_neg.is_some() { 2 } else { 1 };
            if !(1..=MAX_N).contains(&n) || p.subsets.len() != live_pools * per_pool {
                return Err(bad(format!(
                    "layer {idx}: {} subsets for {live_pools} pool(s) of {per_pool} at n = {n}",
                    p.subsets.len()
                )));
            }
            mask.push(MaskLayer {
                n,
                live_pools,
                problems: p.subsets.len(),
                bits: encode_base64(&pack_subsets(&p.subsets, n)),
            });
        }
        let file = Self {
            format: FORMAT.into(),
            version: VERSION,
            model: model_name.into(),
            model_sha256: model_sha256.to_ascii_lowercase(),
            task: r.task.clone(),
            seed: cfg.seed,
            eps: cfg.eps,
            headroom: cfg.headroom,
            n: cfg.n,
            grow: cfg.grow,
            input_nonnegative: cfg.input_nonnegative,
            n_per_layer: mask.iter().map(|m| m.n).collect(),
            mask,
            mask_digest: digest_of(&outcome.pruned),
            report: TicketReport::try_from(serde_json::to_value(r)?).map_err(bad)?,
        };
        file.check()?;
        Ok(file)
    }

    /// The file's text (pretty JSON, one trailing newline).
    pub fn to_json(&self) -> Result<String> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    /// Parses and validates a ticket file (see the module docs).
    pub fn from_json(text: &str) -> Result<Self> {
        // The tag and version first, so that another kind of file (or a
        // later version) is named as such rather than as a missing field.
        let head: serde_json::Value = serde_json::from_str(text)?;
        let obj = head.as_object().ok_or_else(|| bad("not a JSON object"))?;
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(bad(format!("format is {other:?}, not {FORMAT:?}"))),
            None => return Err(bad(format!("no \"format\": {FORMAT:?}"))),
        }
        match obj.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(bad(format!("version {v} (this build reads {VERSION})"))),
            None => return Err(bad("no integer \"version\"")),
        }
        let file: Self = serde_json::from_value(head)?;
        file.check()?;
        Ok(file)
    }

    /// Every check that needs no model.
    fn check(&self) -> Result<()> {
        if self.format != FORMAT || self.version != VERSION {
            return Err(bad("wrong format or version"));
        }
        self.config().validate().map_err(|e| match e {
            Error::InvalidArgument(m) => bad(m),
            e => e,
        })?;
        check_hex("model_sha256", &self.model_sha256)?;
        check_hex("mask_digest", &self.mask_digest)?;
        if self.mask.is_empty() {
            return Err(bad("the mask has no layers"));
        }
        if self.n_per_layer.len() != self.mask.len() {
            return Err(bad(format!(
                "n_per_layer has {} entries for {} mask layers",
                self.n_per_layer.len(),
                self.mask.len()
            )));
        }
        for (idx, (m, &n)) in self.mask.iter().zip(&self.n_per_layer).enumerate() {
            if !(1..=MAX_N).contains(&m.n) {
                return Err(bad(format!(
                    "layer {idx}: n = {} is not in 1..={MAX_N}",
                    m.n
                )));
            }
            if m.n != n {
                return Err(bad(format!(
                    "layer {idx}: n = {} but n_per_layer says {n}",
                    m.n
                )));
            }
            if let (Some(fixed), false) = (self.n, self.grow) {
                if m.n != fixed {
                    return Err(bad(format!(
                        "layer {idx}: n = {} in a run with n = {fixed} and no growth",
                        m.n
                    )));
                }
            }
            if !(1..=2).contains(&m.live_pools) {
                return Err(bad(format!(
                    "layer {idx}: live_pools = {} (1 or 2)",
                    m.live_pools
                )));
            }
            if m.problems == 0 || m.problems % m.live_pools != 0 {
                return Err(bad(format!(
                    "layer {idx}: {} problems for {} live pool(s)",
                    m.problems, m.live_pools
                )));
            }
            let want = base64_len(m.problems, m.n)
                .ok_or_else(|| bad(format!("layer {idx}: {} problems is too many", m.problems)))?;
            if m.bits.len() != want {
                return Err(bad(format!(
                    "layer {idx}: bits has {} base64 characters, {} problems × n = {} need {want}",
                    m.bits.len(),
                    m.problems,
                    m.n
                )));
            }
            // Bounded by the text just checked: decode, to reject bad
            // characters and set padding bits now rather than in rebuild.
            self.subsets(idx)?;
        }
        let report = &self.report;
        if report.rows > 0 {
            for (k, v) in [
                ("target_accuracy", report.target_accuracy),
                ("ticket_accuracy", report.ticket_accuracy),
                ("agreement", report.agreement),
            ] {
                if !(0.0..=1.0).contains(&v) {
                    return Err(bad(format!("report.{k} = {v} is not in [0, 1]")));
                }
            }
        }
        if report.mask_digest != self.mask_digest {
            return Err(bad("report.mask_digest differs from mask_digest"));
        }
        if report.seed != self.seed {
            return Err(bad("report.seed differs from seed"));
        }
        Ok(())
    }

    /// The configuration of the run that made the ticket.
    pub fn config(&self) -> PruneConfig {
        PruneConfig {
            eps: self.eps,
            n: self.n,
            seed: self.seed,
            headroom: self.headroom,
            grow: self.grow,
            input_nonnegative: self.input_nonnegative,
        }
    }

    /// Layer `idx`'s chosen subsets, one per problem (checked length).
    pub fn subsets(&self, idx: usize) -> Result<Vec<u32>> {
        let m = self
            .mask
            .get(idx)
            .ok_or_else(|| bad(format!("no mask layer {idx}")))?;
        let want = base64_len(m.problems, m.n).ok_or_else(|| bad("too many problems"))?;
        if m.bits.len() != want || !(1..=MAX_N).contains(&m.n) {
            return Err(bad(format!(
                "layer {idx}: bits do not fit {} problems",
                m.problems
            )));
        }
        let bytes = decode_base64(&m.bits).map_err(|e| in_layer(idx, e))?;
        unpack_subsets(&bytes, m.problems, m.n).map_err(|e| in_layer(idx, e))
    }

    /// Regenerates every pruned layer for `target` (the model the ticket
    /// was pruned from): redraws each layer's source from the seed, decodes
    /// the subsets and re-evaluates each problem's sum and error.
    ///
    /// `ticket::collapsed_network(&rebalance(target, headroom).network, &pruned)`
    /// is then the ticket, and [`digest_of`] the pruned layers should equal
    /// `mask_digest` (not checked here: a mismatch is a verification
    /// failure, not a malformed file).
    pub fn rebuild<N: TargetNetwork>(&self, target: &N) -> Result<Vec<PrunedLayer>> {
        self.check()?;
        target.validate()?;
        let layers = target.linear_layers().len();
        if layers != self.mask.len() {
            return Err(bad(format!(
                "{} mask layers for a model of {layers} linear layers",
                self.mask.len()
            )));
        }
        let rebalanced = rebalance(target, self.headroom);
        let nonneg = target.nonnegative_inputs(self.input_nonnegative);
        let rebalanced_layers = rebalanced.network.linear_layers();
        // Shapes first, so that no source is drawn for a file that cannot fit.
        for (idx, (layer, m)) in rebalanced_layers.iter().zip(&self.mask).enumerate() {
            let live = if nonneg.get(idx).copied().unwrap_or(false) {
                1
            } else {
                2
            };
            if m.live_pools != live || m.problems != live * layer.coef().len() {
                return Err(bad(format!(
                    "layer {idx}: {} problems in {} live pool(s), the model's layer has {} coefficients in {live}",
                    m.problems,
                    m.live_pools,
                    layer.coef().len()
                )));
            }
        }
        let mut pruned = Vec::with_capacity(layers);
        for (idx, (&layer, m)) in rebalanced_layers.iter().zip(&self.mask).enumerate() {
            let subsets = self.subsets(idx)?;
            let source = SourceLayer::draw(self.seed, idx, layer, m.n);
            let mut solutions = Vec::with_capacity(subsets.len());
            let mut first = 0;
            while first < subsets.len() {
                let end = (first + REBUILD_CHUNK).min(subsets.len());
                let batch = layer_problems(&source, layer.coef(), first..end)?;
                solutions.extend(batch.solutions(&subsets[first..end]));
                first = end;
            }
            pruned.push(PrunedLayer::from_solutions(layer, source, &solutions)?);
        }
        Ok(pruned)
    }
}

/// An error of the bit codecs, without the "ticket file" context.
fn plain(why: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(why.to_string())
}

/// Adds "ticket file: layer `idx`" to a codec error.
fn in_layer(idx: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument(m) => bad(format!("layer {idx}: {m}")),
        e => e,
    }
}

fn check_hex(what: &str, s: &str) -> Result<()> {
    if s.len() == 64
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        Ok(())
    } else {
        Err(bad(format!("{what} is not 64 lowercase hex digits")))
    }
}

/// Bytes of `problems × n` bits, padded to a byte.
fn packed_len(problems: usize, n: usize) -> Option<usize> {
    problems.checked_mul(n)?.checked_add(7).map(|b| b / 8)
}

/// Base64 characters (with padding) of the packed bits.
fn base64_len(problems: usize, n: usize) -> Option<usize> {
    crate::base64_text::encoded_len(packed_len(problems, n)?)
}

/// n bits per subset, little-endian, concatenated, zero-padded to a byte.
pub fn pack_subsets(subsets: &[u32], n: usize) -> Vec<u8> {
    let n = n.min(MAX_N);
    let mut out = vec![0u8; packed_len(subsets.len(), n).unwrap_or(0)];
    let mut bit = 0usize;
    for &s in subsets {
        for j in 0..n {
            if s >> j & 1 == 1 {
                out[bit / 8] |= 1 << (bit % 8);
            }
            bit += 1;
        }
    }
    out
}

/// Inverse of [`pack_subsets`]: `bytes` must be exactly the packed length
/// and its padding bits zero.
pub fn unpack_subsets(bytes: &[u8], problems: usize, n: usize) -> Result<Vec<u32>> {
    if !(1..=MAX_N).contains(&n) {
        return Err(plain(format!("n = {n} is not in 1..={MAX_N}")));
    }
    if packed_len(problems, n) != Some(bytes.len()) {
        return Err(plain(format!(
            "{} bytes of bits for {problems} problems of n = {n}",
            bytes.len()
        )));
    }
    let total = problems * n;
    let get = |b: usize| bytes[b / 8] >> (b % 8) & 1;
    if (total..bytes.len() * 8).any(|b| get(b) == 1) {
        return Err(plain("the padding bits of the mask are not zero"));
    }
    Ok((0..problems)
        .map(|p| (0..n).fold(0u32, |s, j| s | u32::from(get(p * n + j)) << j))
        .collect())
}

/// Standard base64 of `bytes` (see [`crate::base64_text`]).
pub fn encode_base64(bytes: &[u8]) -> String {
    crate::base64_text::encode(bytes)
}

/// Strict inverse of [`encode_base64`].
pub fn decode_base64(s: &str) -> Result<Vec<u8>> {
    crate::base64_text::decode(s).map_err(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_vectors_and_round_trip() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode_base64(raw), enc);
            assert_eq!(decode_base64(enc).unwrap(), raw);
        }
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zh==", "Zm9*"] {
            assert!(decode_base64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pack_round_trips() {
        for n in [1, 3, 8, 13, 32] {
            let subsets: Vec<u32> = (0..37u64)
                .map(|i| ((i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7) as u32) & mask_of(n))
                .collect();
            let packed = pack_subsets(&subsets, n);
            assert_eq!(packed.len(), (37 * n).div_ceil(8));
            assert_eq!(unpack_subsets(&packed, 37, n).unwrap(), subsets);
            let enc = encode_base64(&packed);
            assert_eq!(Some(enc.len()), base64_len(37, n));
        }
    }

    fn mask_of(n: usize) -> u32 {
        if n >= 32 {
            u32::MAX
        } else {
            (1 << n) - 1
        }
    }
}
