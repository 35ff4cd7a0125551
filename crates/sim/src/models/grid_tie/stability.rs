//! Stability of the sampled current loop, checked before the run.
//!
//! One axis of the dq loop is modelled in discrete time with the grid voltage
//! cancelled by its feed-forward and the cross-coupling by the decoupling terms
//! (both exact only at DC, which is where they matter). The LCL filter `[i1, v_c, i2]`
//! with the grid shorted is discretised with zero-order hold at the sample period `T`:
//! `x[k+1] = Φ·x[k] + Γ·u[k]`. The controller adds the PI integral `x_i` and the
//! one-period delay `u[k]`:
//!
//! ```text
//! v[k]     = −kp·y[k] + x_i[k] − k_ad·(i1[k] − i2[k])     y = i2 or i1
//! x_i[k+1] = x_i[k] − ki·T·y[k]
//! u[k+1]   = v[k]
//! ```
//!
//! The loop is stable when every eigenvalue of this 5×5 matrix (4×4 without integral
//! action) lies inside the unit circle. The spectral radius `ρ` comes from Gelfand's formula
//! `ρ = lim ‖Mᴺ‖^(1/N)`, evaluated by 60 normalised squarings (`N = 2⁶⁰`), which
//! needs no eigen-solver and is insensitive to repeated eigenvalues.

use pelab_linalg::{Matrix, SingularMatrix, discretize_zoh};

use super::controller::CurrentSensor;
use super::plant::Lcl;

/// Gain margin below which the loop gets a warning: the usual design target of
/// 6 dB, a factor of 2 on the controller gains.
pub const MIN_GAIN_MARGIN: f64 = 2.0;

/// Largest gain margin searched; a loop still stable at this factor reports it.
pub const MAX_GAIN_MARGIN: f64 = 100.0;

/// Builds the closed-loop matrix of one current-loop axis.
///
/// # Errors
/// [`SingularMatrix`] when the plant matrices are not finite.
pub fn closed_loop_matrix(
    lcl: &Lcl,
    ts: f64,
    kp: f64,
    ki: f64,
    k_ad: f64,
    sensor: CurrentSensor,
) -> Result<Matrix, SingularMatrix> {
    let (a, b, _) = lcl.axis_matrices();
    let a = Matrix::from_rows(&[&a[0], &a[1], &a[2]]);
    let b = Matrix::from_rows(&[&[b[0]], &[b[1]], &[b[2]]]);
    let d = discretize_zoh(&a, &b, ts)?;

    // y = c·x, i_c = [1, 0, −1]·x.
    let c = match sensor {
        CurrentSensor::Grid => [0.0, 0.0, 1.0],
        CurrentSensor::Inverter => [1.0, 0.0, 0.0],
    };
    let c_cap = [1.0, 0.0, -1.0];
    let mut m = Matrix::zeros(5, 5);
    for r in 0..3 {
        for col in 0..3 {
            m[(r, col)] = d.phi[(r, col)];
        }
        m[(r, 4)] = d.gamma[(r, 0)];
    }
    for col in 0..3 {
        m[(3, col)] = -ki * ts * c[col];
        m[(4, col)] = -kp * c[col] - k_ad * c_cap[col];
    }
    m[(3, 3)] = 1.0;
    m[(4, 3)] = 1.0;
    if ki == 0.0 {
        // Without integral action x_i stays at zero. Its row would add an eigenvalue
        // of exactly 1 that says nothing about the loop, so it is left out.
        let mut reduced = Matrix::zeros(4, 4);
        let keep = [0, 1, 2, 4];
        for (r, &row) in keep.iter().enumerate() {
            for (c, &col) in keep.iter().enumerate() {
                reduced[(r, c)] = m[(row, col)];
            }
        }
        return Ok(reduced);
    }
    Ok(m)
}

/// Gain margin of the current loop: the factor `g` by which `kp` and `ki` can grow
/// together (with `k_ad` unchanged) before the closed loop reaches a pole radius of
/// 1, found by bisection to 0.1 % on `[1, MAX_GAIN_MARGIN]`. Returns 1 or less when
/// the loop is already unstable and `MAX_GAIN_MARGIN` when it stays stable there.
///
/// # Errors
/// [`SingularMatrix`] when the plant matrices are not finite.
pub fn gain_margin(
    lcl: &Lcl,
    ts: f64,
    kp: f64,
    ki: f64,
    k_ad: f64,
    sensor: CurrentSensor,
) -> Result<f64, SingularMatrix> {
    let stable = |g: f64| -> Result<bool, SingularMatrix> {
        let m = closed_loop_matrix(lcl, ts, g * kp, g * ki, k_ad, sensor)?;
        Ok(spectral_radius(&m) < 1.0)
    };
    if !stable(1.0)? {
        return Ok(1.0);
    }
    if stable(MAX_GAIN_MARGIN)? {
        return Ok(MAX_GAIN_MARGIN);
    }
    let (mut low, mut high) = (1.0_f64, MAX_GAIN_MARGIN);
    while high / low > 1.001 {
        let mid = (low * high).sqrt();
        if stable(mid)? {
            low = mid;
        } else {
            high = mid;
        }
    }
    Ok(low)
}

/// Spectral radius of the square matrix `m` by Gelfand's formula.
pub fn spectral_radius(m: &Matrix) -> f64 {
    const SQUARINGS: i32 = 60;
    let mut power = m.clone();
    // ln ‖M^(2^j)‖ = scale + ln ‖power‖, with power kept at norm 1.
    let mut scale = 0.0;
    for _ in 0..SQUARINGS {
        let norm = power.norm_inf();
        if norm == 0.0 {
            return 0.0;
        }
        if !norm.is_finite() {
            return f64::INFINITY;
        }
        power.scale(1.0 / norm);
        scale = 2.0 * (scale + norm.ln());
        power = power.matmul(&power);
    }
    let norm = power.norm_inf();
    if norm == 0.0 {
        return 0.0;
    }
    ((scale + norm.ln()) / 2.0_f64.powi(SQUARINGS)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_of_known_matrices() {
        let rotation = Matrix::from_rows(&[&[0.0, -0.9], &[0.9, 0.0]]);
        assert!((spectral_radius(&rotation) - 0.9).abs() < 1e-12);
        let jordan = Matrix::from_rows(&[&[0.5, 1.0], &[0.0, 0.5]]);
        assert!((spectral_radius(&jordan) - 0.5).abs() < 1e-12);
        let nilpotent = Matrix::from_rows(&[&[0.0, 1.0], &[0.0, 0.0]]);
        assert_eq!(spectral_radius(&nilpotent), 0.0);
    }

    #[test]
    fn inductor_loop_limit_matches_closed_form() {
        // A 1 F capacitor is a short for the inverter-side loop, so that loop
        // controls the inductor L1 alone. P control with one-period delay has the characteristic
        // z² − z + kp·T/L1 = 0, stable for kp < L1/T. R2 damps the slow L2–Cf mode.
        let lcl = Lcl {
            l1: 1e-3,
            r1: 0.0,
            cf: 1.0,
            rd: 0.0,
            l2: 1e-3,
            r2: 1.0,
            lg: 0.0,
            rg: 0.0,
        };
        let ts = 50e-6;
        let limit = lcl.l1 / ts;
        for (kp, stable) in [(0.9 * limit, true), (1.1 * limit, false)] {
            let m = closed_loop_matrix(&lcl, ts, kp, 0.0, 0.0, CurrentSensor::Inverter)
                .expect("finite");
            let rho = spectral_radius(&m);
            assert_eq!(rho < 1.0, stable, "kp = {kp}: radius {rho}");
        }
        let margin =
            gain_margin(&lcl, ts, 0.5 * limit, 0.0, 0.0, CurrentSensor::Inverter).expect("finite");
        assert!((margin - 2.0).abs() < 0.01, "gain margin {margin}");
    }
}
