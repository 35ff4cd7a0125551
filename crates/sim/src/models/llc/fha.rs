//! First-harmonic approximation (FHA) of the LLC tank gain.
//!
//! FHA replaces the square-wave bridge voltage and the rectifier by their fundamentals:
//! the rectifier and a resistive load `R` look like the AC resistance
//! `R_ac = 8·n²·R/π²` across `L_m` (the same for a full bridge and an `n:1:1` centre
//! tap). With `f_n = f/f_r`, `k = L_m/L_r` and `Q = √(L_r/C_r)/R_ac`, the gain from the
//! fundamental of the bridge voltage to that of the reflected output is
//!
//! ```text
//! M(f_n) = 1 / √( (1 + 1/k − 1/(k·f_n²))² + Q²·(f_n − 1/f_n)² )
//! ```
//!
//! and `M = n·V_out/(V_in/2)` for a half-bridge. `M(1) = 1` for every load.
//!
//! Derivation in brief: the bridge applies a square wave of amplitude `V_in/2`, whose
//! fundamental has amplitude `(4/π)·V_in/2`; the rectifier input is a square wave of
//! amplitude `n·V_out` in phase with a sinusoidal current, and equating the power
//! `V_out²/R` with that of its fundamental gives `R_ac`. The result holds near `f_r`,
//! where the tank current is close to sinusoidal. Away from it the rectifier current is
//! discontinuous or the ignored harmonics grow, and the simulated gain departs from
//! FHA; the LLC validation page gives the measured size and direction.

use std::f64::consts::PI;

use super::plant::Tank;

/// AC resistance `R_ac = 8·n²·R/π²` [Ω] that a rectifier with turns ratio `n` and load
/// `r_load` [Ω] presents to the fundamental.
pub fn ac_resistance(n: f64, r_load: f64) -> f64 {
    8.0 * n * n * r_load / (PI * PI)
}

/// FHA tank description derived from the element values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fha {
    /// Series resonance `f_r` [Hz].
    pub f_r: f64,
    /// Parallel resonance `f_p` [Hz].
    pub f_p: f64,
    /// Inductance ratio `k = L_m/L_r`.
    pub k: f64,
    /// Quality factor `Q = √(L_r/C_r)/R_ac` at the given load.
    pub q: f64,
}

impl Fha {
    /// The FHA description of `tank` at load `r_load` [Ω].
    pub fn new(tank: &Tank, r_load: f64) -> Self {
        Self::from_elements(tank.lr, tank.cr, tank.lm, tank.n, r_load)
    }

    /// Builds the FHA description of a tank from its elements alone: series inductance
    /// `lr` [H], series capacitance `cr` [F], magnetising inductance `lm` [H], turns
    /// ratio `n` and load `r_load` [Ω].
    pub fn from_elements(lr: f64, cr: f64, lm: f64, n: f64, r_load: f64) -> Self {
        let r_ac = ac_resistance(n, r_load);
        Self {
            f_r: 1.0 / (2.0 * PI * (lr * cr).sqrt()),
            f_p: 1.0 / (2.0 * PI * ((lr + lm) * cr).sqrt()),
            k: lm / lr,
            q: (lr / cr).sqrt() / r_ac,
        }
    }

    /// Gain `M` at switching frequency `f` [Hz].
    pub fn gain(&self, f: f64) -> f64 {
        let f_n = f / self.f_r;
        let real = 1.0 + 1.0 / self.k - 1.0 / (self.k * f_n * f_n);
        let imag = self.q * (f_n - 1.0 / f_n);
        1.0 / (real * real + imag * imag).sqrt()
    }

    /// Frequency of the largest gain in `[f_p, f_r]` and that gain, by golden-section
    /// search (the gain has one maximum there for `Q > 0`).
    pub fn peak(&self) -> (f64, f64) {
        let ratio = 0.5 * (5f64.sqrt() - 1.0);
        let (mut lo, mut hi) = (self.f_p, self.f_r);
        for _ in 0..100 {
            let a = hi - ratio * (hi - lo);
            let b = lo + ratio * (hi - lo);
            if self.gain(a) < self.gain(b) {
                lo = a;
            } else {
                hi = b;
            }
        }
        let f = 0.5 * (lo + hi);
        (f, self.gain(f))
    }

    /// Highest and lowest gain reachable with `f` in `[f_min, f_max]` [Hz], sampled at
    /// 400 points and at the peak when it lies inside.
    pub fn gain_range(&self, f_min: f64, f_max: f64) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi: f64 = 0.0;
        let points = 400;
        for i in 0..=points {
            let f = f_min + (f_max - f_min) * i as f64 / points as f64;
            let m = self.gain(f);
            lo = lo.min(m);
            hi = hi.max(m);
        }
        let (f_peak, m_peak) = self.peak();
        if f_peak >= f_min && f_peak <= f_max {
            hi = hi.max(m_peak);
        }
        (lo, hi)
    }

    /// Frequency in `[f_min, f_max]` [Hz] where the gain equals `m`, on the branch
    /// above the peak where the gain falls with frequency, by bisection; `None` when
    /// the gain at `f_min` is below `m` or that at `f_max` above it.
    pub fn frequency_for_gain(&self, m: f64, f_min: f64, f_max: f64) -> Option<f64> {
        let lo_f = f_min.max(self.peak().0);
        if lo_f >= f_max || self.gain(lo_f) < m || self.gain(f_max) > m {
            return None;
        }
        let (mut lo, mut hi) = (lo_f, f_max);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.gain(mid) > m {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }

    /// Slope `dM/df` [1/Hz] at `f` [Hz], by a central difference of ±10⁻⁴·f.
    pub fn slope(&self, f: f64) -> f64 {
        let h = 1e-4 * f;
        (self.gain(f + h) - self.gain(f - h)) / (2.0 * h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::llc::plant::tests::tank;

    #[test]
    fn unity_gain_at_series_resonance() {
        for r in [0.5, 2.3, 50.0] {
            let fha = Fha::new(&tank(), r);
            assert!((fha.gain(fha.f_r) - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn no_load_gain_closed_form() {
        // Q = 0: M = 1/(1 + 1/k − 1/(k f_n²)), which is k/(k+1) at f → ∞.
        let fha = Fha::new(&tank(), 1e12);
        let m = fha.gain(1e3 * fha.f_r);
        assert!((m - 5.0 / 6.0).abs() < 1e-5, "{m}");
    }

    #[test]
    fn peak_above_parallel_resonance() {
        let fha = Fha::new(&tank(), 2.3);
        let (f, m) = fha.peak();
        assert!(f > fha.f_p && f < fha.f_r, "{f}");
        assert!(m > 1.0 && m > fha.gain(f * 1.01) && m > fha.gain(f * 0.99));
    }
}
