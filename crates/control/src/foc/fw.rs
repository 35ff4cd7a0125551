//! Torque to dq current references under the current and voltage limits: MTPA below
//! base speed, field weakening above it.
//!
//! # Limits
//!
//! ```text
//! current circle:   i_d² + i_q² ≤ i_max²
//! voltage ellipse:  (L_d·i_d + λ)² + (L_q·i_q)² ≤ ψ²,   ψ = v_max/|ω_e|
//! ```
//!
//! The ellipse is the steady-state voltage limit with the resistive drop neglected, so
//! callers pass a `v_max` below `v_dc/√3` by a margin for `R_s·i` and for the current
//! controller's dynamics.
//!
//! # Maximum torque per volt (MTPV)
//!
//! With the flux components `x = L_d·i_d + λ` and `y = L_q·i_q`, the torque is
//! `T = 1.5·p·y·(L_q·λ − ΔL·x)/(L_d·L_q)`, where `ΔL = L_q − L_d ≥ 0`. On the ellipse
//! boundary `x² + y² = ψ²` this has the form of the MTPA problem (see
//! [`super::mtpa_d_current`]) with `λ → L_q·λ` and `i_s → ψ`, so the torque along the
//! boundary has a single maximum at
//! `x* = −2·ΔL·ψ² / (L_q·λ + sqrt((L_q·λ)² + 8·ΔL²·ψ²))`, and `i_d = (x* − λ)/L_d`.
//!
//! # Algorithm
//!
//! For the request `T`, clamped to the MTPA torque at `i_max`:
//!
//! 1. The MTPA point of `T` ([`super::mtpa_currents`]). If it is inside the ellipse,
//!    it is the result (below base speed).
//! 2. Otherwise, find the feasible point `P*` (inside both limits) with the most
//!    torque. Because `∂T/∂i_q = 1.5·p·(λ − ΔL·i_d) > 0`, it lies on the upper boundary
//!    of the intersection:
//!    - the MTPV point, if it is inside the circle;
//!    - otherwise the intersection of the circle and the ellipse with the largest
//!      `i_d`, found by bisection on `i_d ∈ [−i_max, i_d,MTPA(i_max)]`. There the
//!      ellipse function on the circle, `(L_d² − L_q²)·i_d² + 2·L_d·λ·i_d + λ² +
//!      L_q²·i_max²`, increases with `i_d`, and the torque on the circle falls as
//!      `i_d` moves away from the MTPA point;
//!    - if even `i_d = −i_max` is outside the ellipse, the circle boundary lies
//!      outside the ellipse, whose minimum over the circle is at `i_d = −i_max`. With
//!      the MTPV point also outside the circle, the two sets are disjoint and no point
//!      satisfies both limits. The result is `(−i_max, 0)`, the least flux within the
//!      current limit, flagged [`ReferenceLimit::Unreachable`].
//! 3. If `|T|` exceeds the torque of `P*`, the result is `P*` with reduced torque.
//!    Otherwise, follow the constant-torque curve `i_q(i_d) = |T|/(1.5·p·(λ − ΔL·i_d))`
//!    from the `i_d` of `P*`, where it lies below `P*` and so inside both limits, to
//!    `i_d,MTPA`, where it lies outside the ellipse. The curve is convex and the upper
//!    ellipse boundary concave in `i_d`, so the curve is inside the ellipse on one
//!    interval of `i_d`, and a bisection finds its right end, the crossing with the
//!    least current. The current magnitude along the curve falls toward the MTPA
//!    point, so the crossing is inside the circle too.
//!
//! Each bisection returns the point on the feasible side of its boundary, within one
//! ulp of the crossing. The MTPV point comes from the closed form and lies on the
//! ellipse to within rounding, possibly a few ulps outside.

use super::mtpa::{mtpa_d_current, optimum_on_circle};
use super::{MotorParams, bisect_increasing, mtpa_currents};
use crate::error::{ConfigError, check_positive};

/// Limit that shaped a [`CurrentReference`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReferenceLimit {
    /// MTPA point of the requested torque, inside both limits.
    #[default]
    None,
    /// The torque was reduced to the MTPA torque at `i_max`, inside the voltage limit.
    Current,
    /// Field weakening: the requested torque is met on the voltage ellipse with a more
    /// negative `i_d` than MTPA.
    Voltage,
    /// The torque was reduced to that of the intersection of the current circle and
    /// the voltage ellipse.
    CurrentAndVoltage,
    /// The torque was reduced to the maximum on the voltage ellipse (maximum torque
    /// per volt, MTPV), a point inside the current circle.
    MaxTorquePerVolt,
    /// No point satisfies both limits, so the reference is `(−i_max, 0)`.
    Unreachable,
    /// An input was NaN or infinite, so the previous reference was kept.
    InvalidInput,
}

/// dq current reference with the torque it produces.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CurrentReference {
    /// d-axis current reference \[A\].
    pub i_d: f64,
    /// q-axis current reference \[A\].
    pub i_q: f64,
    /// Torque of the reference by [`MotorParams::torque`] [N·m].
    pub torque: f64,
    /// Limit that shaped the reference.
    pub limit: ReferenceLimit,
}

/// Torque to dq current reference generator with MTPA and field weakening. See the
/// [module documentation](self) for the algorithm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReferenceGenerator {
    motor: MotorParams,
    i_max: f64,
    last: CurrentReference,
}

impl ReferenceGenerator {
    /// Creates a reference generator with the current limit `i_max` \[A\] (peak phase
    /// current, the radius of the current circle).
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming `i_max` unless it is > 0.
    pub fn new(motor: MotorParams, i_max: f64) -> Result<Self, ConfigError> {
        let i_max = check_positive("i_max", i_max)?;
        Ok(Self {
            motor,
            i_max,
            last: CurrentReference::default(),
        })
    }

    /// Computes the current reference for the torque request `torque` [N·m] at the
    /// electrical speed `omega_e` [rad/s] with the voltage limit `v_max` \[V\].
    ///
    /// A negative `v_max` counts as 0. At `omega_e = 0` the voltage limit is inactive.
    /// A NaN or infinite input returns the previous reference with
    /// [`ReferenceLimit::InvalidInput`].
    pub fn update(&mut self, torque: f64, omega_e: f64, v_max: f64) -> CurrentReference {
        if !(torque.is_finite() && omega_e.is_finite() && v_max.is_finite()) {
            self.last.limit = ReferenceLimit::InvalidInput;
            return self.last;
        }
        self.last = self.solve(torque, omega_e, v_max.max(0.0));
        self.last
    }

    /// Returns the reference of the last update.
    pub const fn reference(&self) -> CurrentReference {
        self.last
    }

    /// Returns the current limit `i_max` \[A\].
    pub const fn i_max(&self) -> f64 {
        self.i_max
    }

    fn solve(&self, torque: f64, omega_e: f64, v_max: f64) -> CurrentReference {
        let m = &self.motor;
        let (l_d, l_q, lambda) = (m.l_d(), m.l_q(), m.lambda());
        let i_max = self.i_max;
        let sign = if torque < 0.0 { -1.0 } else { 1.0 };
        // At standstill the voltage limit is inactive, also for v_max = 0 (0/0).
        let psi = if omega_e == 0.0 {
            f64::INFINITY
        } else {
            v_max / omega_e.abs()
        };
        let psi2 = psi * psi;
        let ellipse = |i_d: f64, i_q: f64| {
            let flux_d = l_d * i_d + lambda;
            let flux_q = l_q * i_q;
            flux_d * flux_d + flux_q * flux_q - psi2
        };
        let reference = |i_d: f64, i_q: f64, limit| CurrentReference {
            i_d,
            i_q,
            torque: m.torque(i_d, i_q),
            limit,
        };

        // Step 1: MTPA, clamped to the current limit.
        let i_d_at_max = mtpa_d_current(m, i_max);
        let i_q_at_max = libm::sqrt((i_max * i_max - i_d_at_max * i_d_at_max).max(0.0));
        let torque_at_max = m.torque(i_d_at_max, i_q_at_max);
        let (i_d, i_q, current_limited) = if torque.abs() > torque_at_max {
            (i_d_at_max, sign * i_q_at_max, true)
        } else {
            let (i_d, i_q) = mtpa_currents(m, torque);
            (i_d, i_q, false)
        };
        // psi is +inf at standstill, which makes every point feasible.
        if ellipse(i_d, i_q) <= 0.0 {
            let limit = if current_limited {
                ReferenceLimit::Current
            } else {
                ReferenceLimit::None
            };
            return reference(i_d, i_q, limit);
        }

        // Step 2: the feasible point with the most torque, P*.
        let i_q_on_circle = |i_d: f64| libm::sqrt((i_max * i_max - i_d * i_d).max(0.0));
        let on_circle = |i_d: f64| ellipse(i_d, i_q_on_circle(i_d));
        let flux_d = optimum_on_circle(l_q * lambda, m.saliency(), psi);
        let i_d_mtpv = (flux_d - lambda) / l_d;
        let i_q_mtpv = libm::sqrt((psi2 - flux_d * flux_d).max(0.0)) / l_q;
        let (best_d, best_q, best_limit) =
            if i_d_mtpv * i_d_mtpv + i_q_mtpv * i_q_mtpv <= i_max * i_max {
                (i_d_mtpv, i_q_mtpv, ReferenceLimit::MaxTorquePerVolt)
            } else if on_circle(-i_max) > 0.0 {
                return reference(-i_max, 0.0, ReferenceLimit::Unreachable);
            } else if on_circle(i_d_at_max) <= 0.0 {
                (i_d_at_max, i_q_at_max, ReferenceLimit::Current)
            } else {
                let i_d = bisect_increasing(-i_max, i_d_at_max, on_circle);
                (i_d, i_q_on_circle(i_d), ReferenceLimit::CurrentAndVoltage)
            };

        // Step 3: the constant-torque curve from P* to the ellipse.
        let target = torque.abs();
        if target > m.torque(best_d, best_q) {
            return reference(best_d, sign * best_q, best_limit);
        }
        let k = 1.5 * m.pole_pairs() as f64;
        let i_q_for = |i_d: f64| target / (k * (lambda - m.saliency() * i_d));
        // NOTE: if the MTPA point lay left of P*, the empty bracket would return P*'s
        // i_d: feasible and at the requested torque, but not the least current. A
        // scan of 4 machines, 4 current limits and 40 000 operating points each never
        // reached that case.
        let i_d = bisect_increasing(best_d, i_d, |x| ellipse(x, i_q_for(x)));
        reference(i_d, sign * i_q_for(i_d), ReferenceLimit::Voltage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator() -> ReferenceGenerator {
        let motor = MotorParams::new(0.05, 2e-4, 5e-4, 0.02, 4).unwrap();
        ReferenceGenerator::new(motor, 200.0).unwrap()
    }

    #[test]
    fn rejects_zero_current_limit() {
        let motor = MotorParams::new(0.05, 2e-4, 5e-4, 0.02, 4).unwrap();
        let err = ReferenceGenerator::new(motor, 0.0).unwrap_err();
        assert_eq!(err.field, "i_max");
    }

    #[test]
    fn standstill_gives_mtpa() {
        let mut g = generator();
        let r = g.update(5.0, 0.0, 30.0);
        assert_eq!(r.limit, ReferenceLimit::None);
        assert_eq!((r.i_d, r.i_q), mtpa_currents(&g.motor, 5.0));
    }

    #[test]
    fn standstill_without_voltage_gives_mtpa() {
        let mut g = generator();
        let r = g.update(5.0, 0.0, 0.0);
        assert_eq!(r.limit, ReferenceLimit::None);
        assert_eq!((r.i_d, r.i_q), mtpa_currents(&g.motor, 5.0));
    }

    #[test]
    fn nan_keeps_previous_reference() {
        let mut g = generator();
        let r = g.update(5.0, 100.0, 30.0);
        let previous = g.update(5.0, f64::NAN, 30.0);
        assert_eq!((previous.i_d, previous.i_q), (r.i_d, r.i_q));
        assert_eq!(previous.limit, ReferenceLimit::InvalidInput);
    }

    #[test]
    fn ellipse_outside_circle_unreachable() {
        // Ellipse centre −λ/L_d = −1000 A lies outside the 200 A circle, and
        // ψ = 1 V / 1e6 rad/s = 1e-6 V·s < λ − L_d·i_max = 0.016 V·s.
        let motor = MotorParams::new(0.05, 2e-5, 5e-5, 0.02, 4).unwrap();
        let mut g = ReferenceGenerator::new(motor, 200.0).unwrap();
        let r = g.update(1.0, 1e6, 1.0);
        assert_eq!(r.limit, ReferenceLimit::Unreachable);
        assert_eq!((r.i_d, r.i_q), (-200.0, 0.0));
    }
}
