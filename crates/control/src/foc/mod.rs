//! Field-oriented control of a permanent-magnet synchronous machine (PMSM) in the
//! rotor (dq) frame: current loop, speed loop, MTPA and field weakening.
//!
//! # Machine model and conventions
//!
//! Amplitude-invariant Park transform, electrical angle and speed `ω_e = p·ω_m`, the
//! d axis on the magnet flux. The stator equations are
//!
//! ```text
//! v_d = R_s·i_d + L_d·di_d/dt − ω_e·L_q·i_q
//! v_q = R_s·i_q + L_q·di_q/dt + ω_e·(L_d·i_d + λ)
//! T   = 1.5·p·(λ·i_q + (L_d − L_q)·i_d·i_q)
//! ```
//!
//! with `λ` the magnet flux linkage [V·s] and `p` the number of pole pairs, the
//! standard dq model of a permanent-magnet synchronous machine. With the amplitude-invariant
//! transform the peak phase voltage equals `|v_dq|`, so linear space-vector PWM
//! reaches `|v_dq| ≤ v_dc/√3`, the circle inscribed in the SVPWM hexagon.
//!
//! # Contents
//!
//! - [`MotorParams`]: validated machine parameters and the [`MotorParams::torque`]
//!   equation.
//! - [`DqCurrentController`]: two PIs on the d and q current errors with decoupling
//!   feed-forward, voltage-vector limiting with d-axis priority and gains from the
//!   current-loop bandwidth.
//! - [`SpeedController`]: speed PI with a torque limit.
//! - [`mtpa_d_current`], [`mtpa_angle`], [`mtpa_currents`]: maximum torque per ampere,
//!   derived in [`mtpa`].
//! - [`ReferenceGenerator`]: torque to dq current references with the current limit
//!   and field weakening under the voltage limit, described in [`fw`].

mod current;
pub mod fw;
pub mod mtpa;
mod speed;

pub use current::{CurrentLoopConfig, Decoupling, DqCurrentController, DqVoltage};
pub use fw::{CurrentReference, ReferenceGenerator, ReferenceLimit};
pub use mtpa::{mtpa_angle, mtpa_currents, mtpa_d_current};
pub use speed::{SpeedController, SpeedLoopConfig};

use crate::error::{ConfigError, Expected, check_non_negative, check_positive};

/// Parameters of a PMSM in the rotor frame.
///
/// Validated by [`MotorParams::new`]: `r_s ≥ 0`, `0 < l_d ≤ l_q` (surface-mounted
/// machines have `l_d = l_q`, interior ones `l_d < l_q`), `lambda > 0` and
/// `pole_pairs ≥ 1`. Machines with `l_d > l_q` or without magnets (synchronous
/// reluctance) are rejected, because the MTPA and field-weakening solvers rely on
/// `l_q − l_d ≥ 0` and `λ > 0` for their monotone searches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MotorParams {
    r_s: f64,
    l_d: f64,
    l_q: f64,
    lambda: f64,
    pole_pairs: u32,
}

impl MotorParams {
    /// Creates validated machine parameters: stator resistance `r_s` \[Ω\], d- and q-axis
    /// inductances `l_d`, `l_q` \[H\], magnet flux linkage `lambda` [V·s] and the number
    /// of pole pairs.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the first field out of range: `r_s` negative
    /// or not finite, `l_d`, `l_q` or `lambda` not > 0, `l_d > l_q`, or
    /// `pole_pairs = 0`.
    pub fn new(
        r_s: f64,
        l_d: f64,
        l_q: f64,
        lambda: f64,
        pole_pairs: u32,
    ) -> Result<Self, ConfigError> {
        let r_s = check_non_negative("r_s", r_s)?;
        let l_d = check_positive("l_d", l_d)?;
        let l_q = check_positive("l_q", l_q)?;
        if l_d > l_q {
            return Err(ConfigError::new(
                "l_d",
                l_d,
                Expected::Within { min: 0.0, max: l_q },
            ));
        }
        let lambda = check_positive("lambda", lambda)?;
        if pole_pairs == 0 {
            return Err(ConfigError::new(
                "pole_pairs",
                0.0,
                Expected::CountWithin {
                    min: 1,
                    max: u32::MAX as usize,
                },
            ));
        }
        Ok(Self {
            r_s,
            l_d,
            l_q,
            lambda,
            pole_pairs,
        })
    }

    /// Returns the stator resistance `R_s` \[Ω\].
    pub const fn r_s(&self) -> f64 {
        self.r_s
    }

    /// Returns the d-axis inductance `L_d` \[H\].
    pub const fn l_d(&self) -> f64 {
        self.l_d
    }

    /// Returns the q-axis inductance `L_q` \[H\].
    pub const fn l_q(&self) -> f64 {
        self.l_q
    }

    /// Returns the magnet flux linkage `λ` [V·s].
    pub const fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Returns the number of pole pairs `p`.
    pub const fn pole_pairs(&self) -> u32 {
        self.pole_pairs
    }

    /// Returns the saliency `L_q − L_d` \[H\], ≥ 0.
    pub const fn saliency(&self) -> f64 {
        self.l_q - self.l_d
    }

    /// Computes the electromagnetic torque [N·m]
    /// `T = 1.5·p·(λ·i_q + (L_d − L_q)·i_d·i_q)` for the currents `i_d`, `i_q` \[A\].
    pub fn torque(&self, i_d: f64, i_q: f64) -> f64 {
        1.5 * self.pole_pairs as f64 * i_q * (self.lambda - self.saliency() * i_d)
    }
}

/// Finds the root of a non-decreasing `f` in `[lo, hi]` by bisection and returns the
/// largest point found with `f ≤ 0`.
///
/// The caller guarantees `f(lo) ≤ 0`. The loop stops when the midpoint equals an end,
/// which leaves the result within one ulp of the root, or after 200 halvings. The cap
/// only acts for a root near zero, where 200 halvings leave `2⁻²⁰⁰` of the initial
/// width.
fn bisect_increasing(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) <= 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
