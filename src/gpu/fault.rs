//! Forced GPU failures, so that tests can reach the error paths (and the
//! CLI's fall-back to the CPU) that real devices only take rarely.
//!
//! A fault is chosen in exactly one place, [`configured`]: the value given
//! to [`force`] if any, else (natively) the environment variable
//! `ESLT_GPU_FAULT`:
//!
//! - `no-adapter`: creating a [`GpuContext`] fails as if there were none;
//! - `device-lost` or `device-lost:N`: the context's Nth submission (default
//!   the first) destroys the device and reports it lost;
//! - `oom` or `oom:N`: the context's Nth checked allocation (default the
//!   first) reports out-of-memory.
//!
//! A context reads the setting once, when it is created, and counts its own
//! submissions and allocations, so a fault forced while one context is made
//! does not touch contexts made before or after. The web has no
//! environment: there [`force`] is the only way in.
//!
//! [`GpuContext`]: super::GpuContext

use std::sync::Mutex;

use crate::{Error, Result};

/// The environment variable read by [`configured`] (native only).
pub const ENV_VAR: &str = "ESLT_GPU_FAULT";

/// A failure to inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No adapter: context creation fails.
    NoAdapter,
    /// The `submission`th queue submission (1-based) loses the device.
    DeviceLost { submission: usize },
    /// The `allocation`th checked allocation (1-based) runs out of memory.
    OutOfMemory { allocation: usize },
}

/// Set by [`force`]; overrides the environment.
static FORCED: Mutex<Option<Fault>> = Mutex::new(None);

/// Makes contexts created from now on fail with `fault` (None: back to the
/// environment's setting, if any).
pub fn force(fault: Option<Fault>) {
    match FORCED.lock() {
        Ok(mut slot) => *slot = fault,
        Err(poisoned) => *poisoned.into_inner() = fault,
    }
}

/// The fault a context created now must inject: the forced one, else
/// `ESLT_GPU_FAULT` (native). Err on a value that names no fault.
pub fn configured() -> Result<Option<Fault>> {
    let forced = match FORCED.lock() {
        Ok(slot) => *slot,
        Err(poisoned) => *poisoned.into_inner(),
    };
    if forced.is_some() {
        return Ok(forced);
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(spec) = std::env::var(ENV_VAR) {
        return parse(&spec);
    }
    Ok(None)
}

/// Parses a fault as [`ENV_VAR`] spells it; the empty string is no fault.
pub fn parse(spec: &str) -> Result<Option<Fault>> {
    let bad = || {
        Error::Gpu(format!(
            "{ENV_VAR}={spec:?}: expected no-adapter, device-lost[:N] or oom[:N] (N ≥ 1)"
        ))
    };
    let (name, nth) = match spec.split_once(':') {
        Some((name, n)) => match n.parse::<usize>() {
            Ok(n) if n >= 1 => (name, n),
            _ => return Err(bad()),
        },
        None => (spec, 1),
    };
    match name {
        "" if nth == 1 && spec.is_empty() => Ok(None),
        "no-adapter" if spec == name => Ok(Some(Fault::NoAdapter)),
        "device-lost" => Ok(Some(Fault::DeviceLost { submission: nth })),
        "oom" => Ok(Some(Fault::OutOfMemory { allocation: nth })),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("no-adapter").unwrap(), Some(Fault::NoAdapter));
        assert_eq!(
            parse("device-lost").unwrap(),
            Some(Fault::DeviceLost { submission: 1 })
        );
        assert_eq!(
            parse("device-lost:3").unwrap(),
            Some(Fault::DeviceLost { submission: 3 })
        );
        assert_eq!(
            parse("oom:2").unwrap(),
            Some(Fault::OutOfMemory { allocation: 2 })
        );
        for bad in ["oom:0", "oom:", "no-adapter:2", "lost", ":1", "oom:x"] {
            assert!(matches!(parse(bad), Err(Error::Gpu(_))), "{bad}");
        }
    }
}
