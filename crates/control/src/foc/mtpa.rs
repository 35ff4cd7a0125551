//! Maximum torque per ampere (MTPA).
//!
//! # Derivation
//!
//! With `ΔL = L_q − L_d ≥ 0` the torque is `T = 1.5·p·i_q·(λ − ΔL·i_d)`. On the
//! current circle `i_d² + i_q² = i_s²`, the torque per ampere is largest where
//! `d/di_d [(λ − ΔL·i_d)·sqrt(i_s² − i_d²)] = 0`, which gives
//!
//! ```text
//! −ΔL·(i_s² − i_d²) − (λ − ΔL·i_d)·i_d = 0   ⇔   2·ΔL·i_d² − λ·i_d − ΔL·i_s² = 0
//! i_d = (λ − sqrt(λ² + 8·ΔL²·i_s²)) / (4·ΔL)            (root with i_d ≤ 0)
//!     = −2·ΔL·i_s² / (λ + sqrt(λ² + 8·ΔL²·i_s²))
//! ```
//!
//! The second form, obtained by multiplying with the conjugate, has no cancellation
//! for small `ΔL` and gives `i_d = 0` for a surface-mounted machine (`ΔL = 0`).
//! Eliminating `i_s² = i_d² + i_q²` instead gives the MTPA curve in terms of `i_q`,
//! `ΔL·i_d² − λ·i_d − ΔL·i_q² = 0`, so `i_d = −2·ΔL·i_q² / (λ + sqrt(λ² + 4·ΔL²·i_q²))`.
//! Along this curve both `i_q` and `λ − ΔL·i_d` grow with `i_q ≥ 0`, so the torque is
//! strictly increasing in `i_q`, and [`mtpa_currents`] finds the `i_q` of a torque
//! request by bisection.

use super::{MotorParams, bisect_increasing};

/// Computes the MTPA d-axis current \[A\] for the current magnitude `i_s` \[A\]:
/// `i_d = −2·ΔL·i_s² / (λ + sqrt(λ² + 8·ΔL²·i_s²))`, with `ΔL = L_q − L_d`.
///
/// This equals `(λ − sqrt(λ² + 8·ΔL²·i_s²)) / (4·ΔL)` (see the [module
/// documentation](self)) and is 0 for `L_d = L_q`. The sign of `i_s` is ignored. A NaN
/// `i_s` returns NaN.
pub fn mtpa_d_current(motor: &MotorParams, i_s: f64) -> f64 {
    optimum_on_circle(motor.lambda(), motor.saliency(), i_s)
}

/// Computes the `x ≤ 0` that maximises `(a − ΔL·x)·sqrt(r² − x²)`:
/// `x = −2·ΔL·r² / (a + sqrt(a² + 8·ΔL²·r²))`, for `a > 0` and `ΔL ≥ 0`.
///
/// MTPA is the case `a = λ`, `r = i_s`, `x = i_d`. The maximum torque per volt on the
/// voltage ellipse is the case `a = L_q·λ`, `r = ψ`, `x = L_d·i_d + λ`.
pub(super) fn optimum_on_circle(a: f64, dl: f64, r: f64) -> f64 {
    // Written as −r·(2·ΔL·r)/(a + hypot(a, 2√2·ΔL·r)), whose fraction lies in
    // [0, 1/√2], so no intermediate overflows for large r.
    let scaled = 2.0 * dl * r.abs();
    let root = libm::hypot(a, core::f64::consts::SQRT_2 * scaled);
    -r.abs() * (scaled / (a + root))
}

/// Computes the MTPA current angle `β` \[rad\] for the current magnitude `i_s` \[A\],
/// measured from the q axis toward the negative d axis: `i_d = −i_s·sin β`,
/// `i_q = i_s·cos β`.
///
/// `β = atan2(−i_d, sqrt(i_s² − i_d²))` with `i_d` from [`mtpa_d_current`], in
/// `[0, π/4)`; 0 for a surface-mounted machine or `i_s = 0`. A NaN `i_s` returns NaN.
pub fn mtpa_angle(motor: &MotorParams, i_s: f64) -> f64 {
    let i_d = mtpa_d_current(motor, i_s);
    let i_q = libm::sqrt((i_s * i_s - i_d * i_d).max(0.0));
    libm::atan2(-i_d, i_q)
}

/// Computes the MTPA currents `(i_d, i_q)` \[A\] that produce the torque `torque`
/// [N·m], without current or voltage limits.
///
/// `i_q` solves `1.5·p·i_q·(λ − ΔL·i_d(i_q)) = |T|` with
/// `i_d(i_q) = −2·ΔL·i_q² / (λ + sqrt(λ² + 4·ΔL²·i_q²))` by bisection on
/// `[0, |T|/(1.5·p·λ)]`. The left side increases with `i_q`, and it reaches `|T|` by the
/// upper end because `λ − ΔL·i_d ≥ λ`. The bracket also ends at
/// `max(λ/ΔL, sqrt(2·|T|/(1.5·p·ΔL)))`, which is tighter for large torques. The bisection runs to one ulp, at most 200
/// halvings and no allocation. For `L_d = L_q` it returns `i_d = 0` and
/// `i_q = T/(1.5·p·λ)` directly. `i_q` takes the sign of `torque` and `i_d` does not
/// depend on it. A NaN `torque`, or one so large that `|T|/(1.5·p·λ)` overflows,
/// returns NaN currents.
pub fn mtpa_currents(motor: &MotorParams, torque: f64) -> (f64, f64) {
    let k = 1.5 * motor.pole_pairs() as f64;
    let lambda = motor.lambda();
    if torque.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if motor.saliency() == 0.0 {
        return (0.0, torque / (k * lambda));
    }

    let target = torque.abs();
    // Where 2·ΔL·i_q ≥ 2·λ, the MTPA curve has |i_d| ≥ i_q/2, so T ≥ 1.5·p·ΔL·i_q²/2.
    // The root is therefore also below max(λ/ΔL, sqrt(2·|T|/(1.5·p·ΔL))), which keeps
    // the bracket within a small factor of the root for large torques.
    let dl = motor.saliency();
    let reluctance_bound = (lambda / dl).max(libm::sqrt(2.0 / (k * dl)) * libm::sqrt(target));
    let upper = (target / (k * lambda)).min(reluctance_bound);
    if !upper.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let i_q = bisect_increasing(0.0, upper, |i_q| {
        motor.torque(mtpa_d_current_from_q(motor, i_q), i_q) - target
    });
    // The bisection returns the largest i_q with T ≤ |T|. Its neighbour one ulp up may
    // be closer, so take the one with the smaller torque error.
    let i_q_up = next_up(i_q);
    let error = |i_q: f64| (motor.torque(mtpa_d_current_from_q(motor, i_q), i_q) - target).abs();
    let i_q = if error(i_q_up) < error(i_q) {
        i_q_up
    } else {
        i_q
    };
    (mtpa_d_current_from_q(motor, i_q), i_q.copysign(torque))
}

/// Computes the MTPA d-axis current \[A\] for the q-axis current `i_q` \[A\]:
/// `i_d = −2·ΔL·i_q² / (λ + sqrt(λ² + 4·ΔL²·i_q²))`.
pub(super) fn mtpa_d_current_from_q(motor: &MotorParams, i_q: f64) -> f64 {
    // Same scaling as in `optimum_on_circle`: the fraction lies in [0, 1].
    let lambda = motor.lambda();
    let scaled = 2.0 * motor.saliency() * i_q.abs();
    -i_q.abs() * (scaled / (lambda + libm::hypot(lambda, scaled)))
}

/// Returns the next representable `f64` above the finite, non-negative `x`.
fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipmsm() -> MotorParams {
        MotorParams::new(0.05, 2e-4, 5e-4, 0.02, 4).unwrap()
    }

    #[test]
    fn d_current_solves_mtpa_quadratic() {
        let m = ipmsm();
        let dl = m.saliency();
        for i_s in [0.0, 1.0, 50.0, 300.0] {
            let i_d = mtpa_d_current(&m, i_s);
            // Residual of 2·ΔL·i_d² − λ·i_d − ΔL·i_s² = 0, relative to its largest term.
            let residual = 2.0 * dl * i_d * i_d - m.lambda() * i_d - dl * i_s * i_s;
            let scale = m.lambda() * i_s + dl * i_s * i_s + 1e-300;
            assert!(residual.abs() / scale < 1e-14, "i_s = {i_s}: {residual}");
            assert!(i_d <= 0.0);
        }
    }

    #[test]
    fn spmsm_has_zero_d_current() {
        let m = MotorParams::new(0.05, 3e-4, 3e-4, 0.02, 4).unwrap();
        assert_eq!(mtpa_d_current(&m, 100.0), 0.0);
        assert_eq!(mtpa_angle(&m, 100.0), 0.0);
        let (i_d, i_q) = mtpa_currents(&m, -2.4);
        assert_eq!(i_d, 0.0);
        // T/(1.5·4·0.02) = −2.4/0.12 = −20 A, up to one rounding.
        assert!((i_q + 20.0).abs() < 1e-13);
    }

    #[test]
    fn currents_on_mtpa_curve() {
        let m = ipmsm();
        let (i_d, i_q) = mtpa_currents(&m, 10.0);
        let i_s = libm::sqrt(i_d * i_d + i_q * i_q);
        // The curve in i_q and the curve in i_s are the same set of points.
        assert!((i_d - mtpa_d_current(&m, i_s)).abs() < 1e-12 * i_s);
    }

    #[test]
    fn huge_currents_do_not_overflow() {
        let m = ipmsm();
        // i_s² = 1e400 overflows f64, which the scaled form avoids. For i_s → ∞ the
        // MTPA angle tends to 45°, so i_d → −i_s/√2.
        let i_d = mtpa_d_current(&m, 1e200);
        assert!((i_d / 1e200 + core::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        let (i_d, i_q) = mtpa_currents(&m, 1e200);
        let relative = (m.torque(i_d, i_q) - 1e200).abs() / 1e200;
        assert!(relative < 1e-9, "relative torque error {relative}");
    }

    #[test]
    fn nan_torque_gives_nan() {
        let (i_d, i_q) = mtpa_currents(&ipmsm(), f64::NAN);
        assert!(i_d.is_nan());
        assert!(i_q.is_nan());
    }
}
