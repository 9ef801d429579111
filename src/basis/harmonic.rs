//! Circular harmonics on rings: the functions ψ_b from which steerable
//! kernels are built (Weiler & Cesa 2019; e2cnn's defaults).
//!
//! ψ(ρ, φ) = exp(−(ρ − r)² / 2σ²) · cos(mφ) or sin(mφ), for rings of radius
//! r = 0, 1, …, (k−1)/2, σ = 0.6 on inner rings, 0.4 on the outermost and
//! 0.005 at r = 0 (a point), and frequencies m up to a cut-off that grows
//! with the radius: 0 at r = 0, min(2r, 2r − (r+1) mod 2) inside and
//! min(2r, 2) on the outermost ring (e2cnn's default band limit, `fco1`).

use serde::{Deserialize, Serialize};

/// One ring harmonic ψ.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Harmonic {
    /// Ring radius r (pixels).
    pub radius: f64,
    /// Width σ of the Gaussian radial profile.
    pub sigma: f64,
    /// Angular frequency m.
    pub frequency: usize,
    /// sin(mφ) rather than cos(mφ) (only for m > 0).
    pub sine: bool,
}

impl Harmonic {
    /// ψ at polar coordinates (ρ, φ).
    pub fn eval(&self, rho: f64, phi: f64) -> f64 {
        // At the centre the angle is undefined: only m = 0 is continuous there.
        if rho == 0.0 && self.frequency > 0 {
            return 0.0;
        }
        let d = (rho - self.radius) / self.sigma;
        let radial = (-0.5 * d * d).exp();
        let angle = self.frequency as f64 * phi;
        radial * if self.sine { angle.sin() } else { angle.cos() }
    }
}

/// Highest angular frequency sampled on ring `r` of a k×k kernel whose
/// outermost ring has radius `max_radius`.
pub fn max_frequency(radius: usize, max_radius: usize) -> usize {
    if radius == 0 {
        0
    } else if radius == max_radius {
        (2 * radius).min(2)
    } else {
        (2 * radius).min(2 * radius - (radius + 1) % 2)
    }
}

/// The harmonics for a k×k kernel (k odd), ring by ring, cos before sin.
pub fn harmonic_family(ksize: usize) -> Vec<Harmonic> {
    let max_radius = ksize / 2;
    let mut out = Vec::new();
    for r in 0..=max_radius {
        let sigma = if r == 0 {
            0.005
        } else if r == max_radius {
            0.4
        } else {
            0.6
        };
        for m in 0..=max_frequency(r, max_radius) {
            for sine in [false, true] {
                if sine && m == 0 {
                    continue;
                }
                out.push(Harmonic {
                    radius: r as f64,
                    sigma,
                    frequency: m,
                    sine,
                });
            }
        }
    }
    out
}
