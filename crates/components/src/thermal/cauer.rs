//! Cauer ladders: the physical RC form of a thermal impedance.

use pelab_linalg::{Matrix, discretize_zoh};

use super::error::{ThermalError, positive};
use super::foster::check_lengths;

/// A Cauer ladder: at node `k` a capacitance `C_k` to the thermal reference, and a
/// resistance `R_k` from node `k` to node `k + 1`; the last resistance `R_n` leads to
/// the far terminal (the case, or whatever the ladder feeds).
///
/// ```text
///  P →  T₁ ─R₁─ T₂ ─R₂─ … ─ Tₙ ─Rₙ─ far terminal
///       │       │           │
///       C₁      C₂          Cₙ
///       ⏚       ⏚           ⏚
/// ```
///
/// Unlike a [`Foster`](super::Foster) network its node temperatures are physical
/// (each capacitance holds the heat of a layer), so a Cauer ladder can be joined to
/// whatever follows it, and several ladders can feed one heatsink node.
#[derive(Debug, Clone, PartialEq)]
pub struct Cauer {
    r: Vec<f64>,
    c: Vec<f64>,
}

impl Cauer {
    /// Builds a ladder from its resistances `r_k_per_w` (K/W), junction side first,
    /// and capacitances `c_j_per_k` (J/K).
    ///
    /// # Errors
    /// [`ThermalError`] naming `r_k_per_w`, `c_j_per_k` or one of their entries when
    /// the lengths differ, there are no stages or more than
    /// [`MAX_PAIRS`](super::MAX_PAIRS), or a value is not finite and positive.
    pub fn new(r_k_per_w: &[f64], c_j_per_k: &[f64]) -> Result<Self, ThermalError> {
        check_lengths(r_k_per_w.len(), c_j_per_k.len(), "c_j_per_k")?;
        for (i, (&r, &c)) in r_k_per_w.iter().zip(c_j_per_k).enumerate() {
            positive(format!("r_k_per_w[{i}]"), r, "K/W")?;
            positive(format!("c_j_per_k[{i}]"), c, "J/K")?;
        }
        Ok(Self {
            r: r_k_per_w.to_vec(),
            c: c_j_per_k.to_vec(),
        })
    }

    /// Number of stages (RC pairs).
    pub fn stages(&self) -> usize {
        self.r.len()
    }

    /// Resistances `R_k`, junction side first, K/W.
    pub fn r_k_per_w(&self) -> &[f64] {
        &self.r
    }

    /// Capacitances `C_k`, junction side first, J/K.
    pub fn c_j_per_k(&self) -> &[f64] {
        &self.c
    }

    /// Steady-state thermal resistance `Σ R_k`, K/W.
    pub fn r_total_k_per_w(&self) -> f64 {
        self.r.iter().sum()
    }

    /// The ladder as a linear system `dT/dt = A T + B P` with the far terminal held
    /// at 0: `T` (K) are the node temperatures above the terminal, junction first, and
    /// `P` (W) the power into node 1. `A` is `n × n` (1/s), `B` is `n × 1` (K/J).
    pub fn state_space(&self) -> (Matrix, Matrix) {
        let n = self.stages();
        let mut a = Matrix::zeros(n, n);
        for k in 0..n {
            let g = 1.0 / self.r[k];
            // R_k joins node k to node k + 1, or to the terminal after the last node.
            a[(k, k)] -= g / self.c[k];
            if k + 1 < n {
                a[(k, k + 1)] += g / self.c[k];
                a[(k + 1, k + 1)] -= g / self.c[k + 1];
                a[(k + 1, k)] += g / self.c[k + 1];
            }
        }
        let mut b = Matrix::zeros(n, 1);
        b[(0, 0)] = 1.0 / self.c[0];
        (a, b)
    }

    /// Transient thermal impedance `Zth(t)` in K/W at `t_s` seconds after a unit power
    /// step, by the exact solution of the state-space system: with `Γ(t) =
    /// ∫₀ᵗ e^{Aσ} dσ B` from one matrix exponential, `Zth(t) = Γ(t)₁`. Returns 0 for
    /// `t_s <= 0`.
    pub fn zth(&self, t_s: f64) -> f64 {
        if !(t_s > 0.0) {
            return 0.0;
        }
        let (a, b) = self.state_space();
        // Validated ladders give finite matrices, for which the exponential cannot fail.
        discretize_zoh(&a, &b, t_s).map_or(f64::NAN, |d| d.gamma[(0, 0)])
    }

    /// Impedance `Z(jω)` seen at node 1 at angular frequency `omega_rad_per_s` (rad/s)
    /// with the far terminal held, as `(real, imaginary)`, both K/W. Evaluated as the
    /// continued fraction of the ladder, from the far end.
    pub fn impedance(&self, omega_rad_per_s: f64) -> (f64, f64) {
        let mut z = (0.0, 0.0);
        for (r, c) in self.r.iter().zip(&self.c).rev() {
            z.0 += r;
            // Y = jωC + 1/Z, Z ← 1/Y.
            let inv = reciprocal(z);
            z = reciprocal((inv.0, inv.1 + omega_rad_per_s * c));
        }
        z
    }
}

/// `1 / (re + j im)`.
fn reciprocal((re, im): (f64, f64)) -> (f64, f64) {
    let d = re.hypot(im);
    let (ur, ui) = (re / d, im / d);
    (ur / d, -ui / d)
}
