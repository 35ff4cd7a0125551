//! Foster networks: the datasheet form of a transient thermal impedance.

use super::error::{ThermalError, positive};
use super::profile::check_single_profile;

/// Most RC pairs (Foster) or stages (Cauer) one network may have. Datasheets give
/// two to six; fits rarely justify more than ten.
pub const MAX_PAIRS: usize = 64;

/// A Foster network: `n` parallel RC pairs in series, junction to reference.
///
/// Its step response, the transient thermal impedance the datasheet plots, is
///
/// ```text
/// Zth(t) = Σᵢ Rᵢ (1 − e^{−t/τᵢ}),    τᵢ = Rᵢ Cᵢ,
/// ```
///
/// and its impedance is `Z(s) = Σᵢ Rᵢ / (1 + s τᵢ)`.
///
/// The internal nodes of a Foster network are not temperatures: the same impedance
/// has infinitely many RC realisations and this one puts every capacitor across a
/// resistor instead of to the thermal reference. A Foster network is therefore exact
/// only as a one-port whose far end is held at a fixed temperature (an ideal
/// heatsink) or fed through heat-capacity-free resistances. Joining it to a heatsink
/// that stores heat needs the physical [`Cauer`](super::Cauer) form; see
/// [`Coupling`](super::Coupling).
///
/// The pairs are kept in the order given; no fit is ever made.
#[derive(Debug, Clone, PartialEq)]
pub struct Foster {
    r: Vec<f64>,
    tau: Vec<f64>,
}

impl Foster {
    /// Builds a Foster network from thermal resistances `r_k_per_w` (K/W) and time
    /// constants `tau_s` (s), the `r_th_vector` and `tau_vector` of a part file.
    ///
    /// # Errors
    /// [`ThermalError`] naming `r_k_per_w`, `tau_s` or one of their entries when the
    /// lengths differ, there are no pairs or more than [`MAX_PAIRS`], or a value is
    /// not finite and positive.
    pub fn from_r_tau(r_k_per_w: &[f64], tau_s: &[f64]) -> Result<Self, ThermalError> {
        check_lengths(r_k_per_w.len(), tau_s.len(), "tau_s")?;
        for (i, (&r, &tau)) in r_k_per_w.iter().zip(tau_s).enumerate() {
            positive(format!("r_k_per_w[{i}]"), r, "K/W")?;
            positive(format!("tau_s[{i}]"), tau, "s")?;
            let c = tau / r;
            if !(c.is_finite() && c > 0.0) {
                return Err(ThermalError::invalid(
                    format!("tau_s[{i}]"),
                    format!("tau / R = {tau} s / {r} K/W gives a capacitance of {c} J/K"),
                ));
            }
        }
        Ok(Self {
            r: r_k_per_w.to_vec(),
            tau: tau_s.to_vec(),
        })
    }

    /// Builds a Foster network from thermal resistances `r_k_per_w` (K/W) and
    /// capacitances `c_j_per_k` (J/K), the `r_th_vector` and `c_th_vector` of a part
    /// file. The time constants are `τᵢ = Rᵢ Cᵢ`.
    ///
    /// # Errors
    /// As [`Foster::from_r_tau`], naming `c_j_per_k` instead of `tau_s`.
    pub fn from_r_c(r_k_per_w: &[f64], c_j_per_k: &[f64]) -> Result<Self, ThermalError> {
        check_lengths(r_k_per_w.len(), c_j_per_k.len(), "c_j_per_k")?;
        let mut tau = Vec::with_capacity(r_k_per_w.len());
        for (i, (&r, &c)) in r_k_per_w.iter().zip(c_j_per_k).enumerate() {
            positive(format!("r_k_per_w[{i}]"), r, "K/W")?;
            positive(format!("c_j_per_k[{i}]"), c, "J/K")?;
            let t = r * c;
            if !(t.is_finite() && t > 0.0) {
                return Err(ThermalError::invalid(
                    format!("c_j_per_k[{i}]"),
                    format!("R C = {r} K/W * {c} J/K gives a time constant of {t} s"),
                ));
            }
            tau.push(t);
        }
        Ok(Self {
            r: r_k_per_w.to_vec(),
            tau,
        })
    }

    /// Number of RC pairs.
    pub fn pairs(&self) -> usize {
        self.r.len()
    }

    /// Thermal resistances `Rᵢ`, K/W.
    pub fn r_k_per_w(&self) -> &[f64] {
        &self.r
    }

    /// Time constants `τᵢ = Rᵢ Cᵢ`, s.
    pub fn tau_s(&self) -> &[f64] {
        &self.tau
    }

    /// Capacitances `Cᵢ = τᵢ / Rᵢ`, J/K.
    pub fn c_j_per_k(&self) -> Vec<f64> {
        self.r.iter().zip(&self.tau).map(|(r, t)| t / r).collect()
    }

    /// Steady-state thermal resistance `Σ Rᵢ`, K/W.
    pub fn r_total_k_per_w(&self) -> f64 {
        self.r.iter().sum()
    }

    /// Transient thermal impedance `Zth(t)` in K/W at `t_s` seconds after a unit power
    /// step; 0 for `t_s <= 0`.
    pub fn zth(&self, t_s: f64) -> f64 {
        if !(t_s > 0.0) {
            return 0.0;
        }
        self.r
            .iter()
            .zip(&self.tau)
            .map(|(r, tau)| -r * (-t_s / tau).exp_m1())
            .sum()
    }

    /// Impedance `Z(jω)` at angular frequency `omega_rad_per_s` (rad/s) as
    /// `(real, imaginary)`, both K/W.
    pub fn impedance(&self, omega_rad_per_s: f64) -> (f64, f64) {
        let mut re = 0.0;
        let mut im = 0.0;
        for (r, tau) in self.r.iter().zip(&self.tau) {
            // R / (1 + jωτ) = R (1 − jωτ) / (1 + ω²τ²)
            let wt = omega_rad_per_s * tau;
            let d = 1.0 + wt * wt;
            re += r / d;
            im -= r * wt / d;
        }
        (re, im)
    }

    /// Junction temperature rise above the reference, K, for a piecewise-constant
    /// power, by one recursive exponential filter per RC pair.
    ///
    /// `time_s` (s) lists the `N + 1` edges of `N` intervals and `power_w[i]` (W) holds
    /// from `time_s[i]` to `time_s[i + 1]`. The rise starts at 0 at `time_s[0]`; the
    /// result has one value per edge. Over an interval of length `h` each pair's
    /// temperature `xᵢ` obeys, exactly,
    ///
    /// ```text
    /// xᵢ ← xᵢ e^{−h/τᵢ} + Rᵢ P (1 − e^{−h/τᵢ})
    /// ```
    ///
    /// # Errors
    /// [`ThermalError`] naming `time_s` or `power_w` when the lengths do not fit, the
    /// edges do not increase strictly, a value is not finite or a power is negative.
    pub fn temperature_rise(
        &self,
        time_s: &[f64],
        power_w: &[f64],
    ) -> Result<Vec<f64>, ThermalError> {
        check_single_profile(time_s, power_w)?;
        let mut x = vec![0.0; self.pairs()];
        let mut out = Vec::with_capacity(time_s.len());
        out.push(0.0);
        for (edges, &p) in time_s.windows(2).zip(power_w) {
            let h = edges[1] - edges[0];
            let mut sum = 0.0;
            for ((xi, r), tau) in x.iter_mut().zip(&self.r).zip(&self.tau) {
                let decay = (-h / tau).exp();
                let rise = -(-h / tau).exp_m1();
                *xi = *xi * decay + r * p * rise;
                sum += *xi;
            }
            out.push(sum);
        }
        Ok(out)
    }

    /// The same temperature rise as [`Foster::temperature_rise`], by direct discrete
    /// convolution of the power with the increments of the step response:
    ///
    /// ```text
    /// ΔT(t_n) = Σ_{j<n} P_j [Zth(t_n − t_j) − Zth(t_n − t_{j+1})]
    /// ```
    ///
    /// This costs `O(N²)` and exists to check the recursive filter and the state-space
    /// stepping on short sequences.
    ///
    /// # Errors
    /// As [`Foster::temperature_rise`].
    pub fn temperature_rise_convolution(
        &self,
        time_s: &[f64],
        power_w: &[f64],
    ) -> Result<Vec<f64>, ThermalError> {
        check_single_profile(time_s, power_w)?;
        let mut out = Vec::with_capacity(time_s.len());
        for &t_n in time_s {
            let mut sum = 0.0;
            for (edges, &p) in time_s.windows(2).zip(power_w) {
                if edges[1] > t_n {
                    break;
                }
                // Zth(a) − Zth(b), a = t_n − t_j > b = t_n − t_{j+1} ≥ 0, as
                // Σ Rᵢ e^{−b/τᵢ} (1 − e^{−(a−b)/τᵢ}), free of cancellation.
                let b = t_n - edges[1];
                let h = edges[1] - edges[0];
                let increment: f64 = self
                    .r
                    .iter()
                    .zip(&self.tau)
                    .map(|(r, tau)| -r * (-b / tau).exp() * (-h / tau).exp_m1())
                    .sum();
                sum += p * increment;
            }
            out.push(sum);
        }
        Ok(out)
    }
}

/// Checks the pair count and that the two arrays have the same length.
pub(crate) fn check_lengths(r: usize, other: usize, other_name: &str) -> Result<(), ThermalError> {
    if r == 0 || r > MAX_PAIRS {
        return Err(ThermalError::length(
            "r_k_per_w",
            r,
            format!("1 to {MAX_PAIRS} entries"),
        ));
    }
    if other != r {
        return Err(ThermalError::length(
            other_name,
            other,
            format!("as many entries as r_k_per_w ({r})"),
        ));
    }
    Ok(())
}
