//! Carrier-based PWM: switching edges within one period, phase offsets and deadtime.
//!
//! # Conventions
//!
//! - `period` `T` \[s\] is the switching period, finite and > 0.
//! - `duty` `d` is the fraction of the period during which the (high-side) switch is
//!   on, in `[0, 1]`. Values outside are clamped and NaN is treated as 0, which keeps
//!   the switch off. Duties closer than [`DUTY_EPSILON`] to 0 or 1 give no edges, see
//!   there.
//! - The phase offset `φ` is a **fraction of the period** in `[0, 1)`, not an angle. It
//!   delays the whole carrier by `φ·T`. Use [`phase_from_degrees`] or
//!   [`phase_from_radians`] to convert an angle, and [`interleaved_phase`] for phase
//!   `k` of `N` interleaved phases (`k·360°/N`).
//! - The normalised carrier position is `τ(t) = frac(t/T − φ)` in `[0, 1)`, and the
//!   switch is on while the carrier value `c(τ)` is below `d`:
//!
//! | [`CarrierKind`] | carrier `c(τ)` | on-interval in `τ` (`φ = 0`) |
//! |---|---|---|
//! | `TrailingEdge` | rising sawtooth `τ` | `[0, d)`: on at the period start, off at `d·T` |
//! | `LeadingEdge` | falling sawtooth `1 − τ` | `[1 − d, 1)`: off at the period start, on at `(1 − d)·T` |
//! | `CenterAligned` | triangle `abs(1 − 2τ)` | `[(1 − d)/2, (1 + d)/2)`: on-time centred at `T/2` |
//!
//! A [`Pattern`] gives the on-interval as half-open `[rise, fall)` in seconds within
//! `[0, T)`. When `fall < rise`, the interval wraps around the period boundary. At
//! the two edge instants themselves the carrier comparison and the pattern may differ,
//! because hardware comparators differ there too.
//!
//! # Deadtime
//!
//! [`ComplementaryPwm`] turns one duty into a high-side and a low-side pattern and
//! delays each turn-on by `t_dead`. The duty policy for pulses shorter than the
//! deadtime is documented at [`ComplementaryPwm::pattern`].

use crate::error::{ConfigError, Expected, check_finite, check_positive};

/// Duties closer than this to 0 or 1 are rounded to 0 or 1, which gives no edges.
///
/// Edge times are computed as `frac(φ + d)` and similar sums. Below about 1e-15 the sum
/// can round onto the other edge, and a pulse of width `d` would come out with width
/// 0 or `T`. Above 1e-9 every pulse is about a million times wider than that rounding,
/// and the property tests keep the on-time error below 1e-12·T. The threshold is far
/// below the resolution of PWM timers, about 1.5e-5 of the period for a 16-bit counter.
pub const DUTY_EPSILON: f64 = 1e-9;

/// Shape of the PWM carrier, which fixes where the on-time sits in the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CarrierKind {
    /// Rising sawtooth: the switch turns on at the period start and off at `d·T`.
    TrailingEdge,
    /// Falling sawtooth: the switch turns off at the period start and on at `(1 − d)·T`.
    LeadingEdge,
    /// Triangle (up-down counter): the on-time is centred at `T/2`, from `(1 − d)·T/2`
    /// to `(1 + d)·T/2`.
    CenterAligned,
}

/// Direction of a switching edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Turn-on.
    Rising,
    /// Turn-off.
    Falling,
}

/// One switching edge at `time` \[s\], with `0 ≤ time < T`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// Time of the edge from the period start \[s\].
    pub time: f64,
    /// Direction of the edge.
    pub kind: EdgeKind,
}

/// Switch state over one period, periodic with the period `T` of the carrier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    /// Off for the whole period (no edges).
    AlwaysOff,
    /// On for the whole period (no edges).
    AlwaysOn,
    /// On in `[rise, fall)`, wrapping around the period boundary when `fall < rise`.
    /// Both times are in `[0, T)` \[s\] and differ.
    Pulse {
        /// Turn-on time \[s\].
        rise: f64,
        /// Turn-off time \[s\].
        fall: f64,
    },
}

impl Pattern {
    /// Builds a pulse from normalised edge positions (any real numbers, wrapped into
    /// `[0, 1)`), scaled by `period`.
    fn pulse(rise: f64, fall: f64, period: f64) -> Self {
        Pattern::Pulse {
            rise: wrap_unit(rise) * period,
            fall: wrap_unit(fall) * period,
        }
    }

    /// Returns the on-time within one period \[s\]: `fall − rise`, plus `period` when the
    /// pulse wraps. `period` \[s\] must be the period of the carrier that made the pattern.
    pub fn on_time(&self, period: f64) -> f64 {
        match *self {
            Pattern::AlwaysOff => 0.0,
            Pattern::AlwaysOn => period,
            Pattern::Pulse { rise, fall } => {
                if fall > rise {
                    fall - rise
                } else {
                    fall + period - rise
                }
            }
        }
    }

    /// Returns the duty `on_time / period` realised by the pattern, in `[0, 1]`.
    pub fn duty(&self, period: f64) -> f64 {
        self.on_time(period) / period
    }

    /// Returns whether the switch is on at time `t` \[s\]. `t` is wrapped into `[0, period)`
    /// first, so any finite time works. A NaN `t` returns `false`.
    pub fn is_on_at(&self, t: f64, period: f64) -> bool {
        match *self {
            Pattern::AlwaysOff => false,
            Pattern::AlwaysOn => true,
            Pattern::Pulse { rise, fall } => {
                if t.is_nan() {
                    return false;
                }
                let t = wrap_unit(t / period) * period;
                if rise < fall {
                    rise <= t && t < fall
                } else {
                    t >= rise || t < fall
                }
            }
        }
    }

    /// Returns the two edges of a pulse sorted by time, or `None` for a constant pattern.
    pub fn edges(&self) -> Option<[Edge; 2]> {
        match *self {
            Pattern::AlwaysOff | Pattern::AlwaysOn => None,
            Pattern::Pulse { rise, fall } => {
                let on = Edge {
                    time: rise,
                    kind: EdgeKind::Rising,
                };
                let off = Edge {
                    time: fall,
                    kind: EdgeKind::Falling,
                };
                Some(if rise <= fall { [on, off] } else { [off, on] })
            }
        }
    }
}

/// PWM carrier: kind, period and phase offset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Carrier {
    kind: CarrierKind,
    period: f64,
    phase: f64,
}

impl Carrier {
    /// Creates a carrier of period `period` \[s\] delayed by `phase` periods.
    ///
    /// `phase` is a fraction of the period. Any finite value is accepted and wrapped
    /// into `[0, 1)`, so `−0.25` and `0.75` give the same carrier.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when `period` is not finite and > 0 or `phase` is not
    /// finite.
    pub fn new(kind: CarrierKind, period: f64, phase: f64) -> Result<Self, ConfigError> {
        let period = check_positive("period", period)?;
        let phase = check_finite("phase", phase)?;
        Ok(Self {
            kind,
            period,
            phase: wrap_unit(phase),
        })
    }

    /// Returns the carrier kind.
    pub const fn kind(&self) -> CarrierKind {
        self.kind
    }

    /// Returns the switching period `T` \[s\].
    pub const fn period(&self) -> f64 {
        self.period
    }

    /// Returns the phase offset `φ` as a fraction of the period, in `[0, 1)`.
    pub const fn phase(&self) -> f64 {
        self.phase
    }

    /// Returns the normalised carrier value `c(τ)` in `[0, 1]` at time `t` \[s\], with
    /// `τ = frac(t/T − φ)` and `c` from the table in the [module documentation](self).
    /// The switch is on while `c < d`. A NaN `t` returns NaN.
    pub fn value(&self, t: f64) -> f64 {
        let tau = wrap_unit(t / self.period - self.phase);
        match self.kind {
            CarrierKind::TrailingEdge => tau,
            CarrierKind::LeadingEdge => 1.0 - tau,
            CarrierKind::CenterAligned => (1.0 - 2.0 * tau).abs(),
        }
    }

    /// Returns the switching pattern of one period for the duty `duty`.
    ///
    /// The normalised edges are `rise = φ + r`, `fall = φ + r + d`, wrapped into `[0, 1)`
    /// and scaled by `T`, where `r = 0` (trailing edge), `1 − d` (leading edge) or
    /// `(1 − d)/2` (centre-aligned). `duty` is clamped to `[0, 1]`, NaN counts as 0, and
    /// values within [`DUTY_EPSILON`] of 0 or 1 give [`Pattern::AlwaysOff`] or
    /// [`Pattern::AlwaysOn`].
    pub fn pattern(&self, duty: f64) -> Pattern {
        let d = sanitize_duty(duty);
        if d < DUTY_EPSILON {
            return Pattern::AlwaysOff;
        }
        if d > 1.0 - DUTY_EPSILON {
            return Pattern::AlwaysOn;
        }
        let rise = self.phase + self.rise_offset(d);
        Pattern::pulse(rise, rise + d, self.period)
    }

    /// Returns whether the switch is on at time `t` \[s\] for the duty `duty`, as
    /// [`Pattern::is_on_at`] of [`Carrier::pattern`].
    pub fn is_on(&self, t: f64, duty: f64) -> bool {
        self.pattern(duty).is_on_at(t, self.period)
    }

    /// Returns the normalised turn-on position `r` for phase 0.
    fn rise_offset(&self, d: f64) -> f64 {
        match self.kind {
            CarrierKind::TrailingEdge => 0.0,
            CarrierKind::LeadingEdge => 1.0 - d,
            CarrierKind::CenterAligned => 0.5 * (1.0 - d),
        }
    }
}

/// High-side and low-side patterns of a complementary pair after deadtime insertion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComplementaryPattern {
    /// High-side switch.
    pub high: Pattern,
    /// Low-side switch.
    pub low: Pattern,
    /// Commanded duty after clamping to `[0, 1]` and after the deadtime policy: 0, 1, or
    /// a value whose ideal pulses `d·T` and `(1 − d)·T` both exceed `t_dead` by at least
    /// `DUTY_EPSILON·T`.
    pub duty: f64,
}

/// Complementary PWM pair (half-bridge) with deadtime insertion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComplementaryPwm {
    carrier: Carrier,
    t_dead: f64,
}

impl ComplementaryPwm {
    /// Creates a complementary pair on `carrier` with the deadtime `t_dead` \[s\].
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `0 ≤ t_dead < T/2`. At `T/2` or more, no duty
    /// leaves room for both switches to turn on.
    pub fn new(carrier: Carrier, t_dead: f64) -> Result<Self, ConfigError> {
        let max = 0.5 * carrier.period;
        if !(t_dead.is_finite() && t_dead >= 0.0 && t_dead < max) {
            return Err(ConfigError::new(
                "t_dead",
                t_dead,
                Expected::NonNegativeBelow { max },
            ));
        }
        Ok(Self { carrier, t_dead })
    }

    /// Returns the carrier.
    pub const fn carrier(&self) -> Carrier {
        self.carrier
    }

    /// Returns the deadtime `t_dead` \[s\].
    pub const fn t_dead(&self) -> f64 {
        self.t_dead
    }

    /// Returns the duty after clamping and the deadtime policy of
    /// [`ComplementaryPwm::pattern`]: 0, 1, or the clamped `duty` itself.
    pub fn applied_duty(&self, duty: f64) -> f64 {
        let d = sanitize_duty(duty);
        let dead = self.t_dead / self.carrier.period;
        if d - dead < DUTY_EPSILON {
            0.0
        } else if (1.0 - d) - dead < DUTY_EPSILON {
            1.0
        } else {
            d
        }
    }

    /// Returns the high-side and low-side patterns for the high-side duty `duty`.
    ///
    /// The ideal high-side pulse `[rise, fall)` comes from [`Carrier::pattern`]. Each
    /// turn-on is delayed by `t_dead`, so the high side is on in `[rise + t_dead, fall)`
    /// and the low side in `[fall + t_dead, rise + T)`. The on-times are `d·T − t_dead`
    /// and `(1 − d)·T − t_dead`, and both switches are off for `t_dead` after each edge.
    ///
    /// Duty policy: when `d·T − t_dead < DUTY_EPSILON·T`, the high-side pulse would
    /// vanish, so the duty is clamped to 0: the high side stays off and the low side on
    /// for the whole period. Likewise, when `(1 − d)·T − t_dead < DUTY_EPSILON·T`, the
    /// duty is clamped to 1. Without commutation no deadtime is needed. The high-side
    /// on-time `max(0, d·T − t_dead)` is continuous in `d`, but at the clamping
    /// threshold the low-side on-time jumps from about `T − 2·t_dead` to `T`. Hardware
    /// deadtime generators behave differently here: they keep the low-side gap of
    /// `d·T + t_dead`.
    pub fn pattern(&self, duty: f64) -> ComplementaryPattern {
        let d = self.applied_duty(duty);
        let period = self.carrier.period;
        let (high, low) = match self.carrier.pattern(d) {
            Pattern::AlwaysOff => (Pattern::AlwaysOff, Pattern::AlwaysOn),
            Pattern::AlwaysOn => (Pattern::AlwaysOn, Pattern::AlwaysOff),
            Pattern::Pulse { .. } => {
                // Recompute in normalised units so that the wrap of rise + t_dead is exact
                // to the same rounding as the ideal edges.
                let dead = self.t_dead / period;
                let rise = self.carrier.phase + self.carrier.rise_offset(d);
                let fall = rise + d;
                (
                    Pattern::pulse(rise + dead, fall, period),
                    Pattern::pulse(fall + dead, rise, period),
                )
            }
        };
        ComplementaryPattern { high, low, duty: d }
    }
}

/// Returns the phase offset of phase `k` of `n` interleaved phases, `k/n` periods
/// (`k·360°/n`). `k` is taken modulo `n`, and `n = 0` returns 0.
pub fn interleaved_phase(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    (k % n) as f64 / n as f64
}

/// Converts an angle in degrees to a phase offset in periods, wrapped into `[0, 1)`:
/// `φ = frac(deg/360)`. NaN or infinite input returns 0.
pub fn phase_from_degrees(deg: f64) -> f64 {
    if deg.is_finite() {
        wrap_unit(deg / 360.0)
    } else {
        0.0
    }
}

/// Converts an angle in radians to a phase offset in periods, wrapped into `[0, 1)`:
/// `φ = frac(rad/2π)`. NaN or infinite input returns 0.
pub fn phase_from_radians(rad: f64) -> f64 {
    if rad.is_finite() {
        wrap_unit(rad / core::f64::consts::TAU)
    } else {
        0.0
    }
}

/// Wraps `x` into `[0, 1)`: `x − floor(x)`, with results that round to 1 mapped to 0.
/// NaN stays NaN.
pub(crate) fn wrap_unit(x: f64) -> f64 {
    let r = x - libm::floor(x);
    if r >= 1.0 { 0.0 } else { r }
}

/// Clamps a duty to `[0, 1]` and maps NaN to 0.
fn sanitize_duty(duty: f64) -> f64 {
    if duty.is_nan() {
        0.0
    } else {
        duty.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unit_maps_into_unit_interval() {
        assert_eq!(wrap_unit(1.25), 0.25);
        assert_eq!(wrap_unit(-0.25), 0.75);
        assert_eq!(wrap_unit(-1e-20), 0.0);
        assert_eq!(wrap_unit(3.0), 0.0);
    }

    #[test]
    fn trailing_edge_pulse_at_start() {
        let carrier = Carrier::new(CarrierKind::TrailingEdge, 1e-5, 0.0).unwrap();
        assert_eq!(
            carrier.pattern(0.25),
            Pattern::Pulse {
                rise: 0.0,
                fall: 0.25e-5
            }
        );
    }

    #[test]
    fn rejects_deadtime_of_half_period() {
        let carrier = Carrier::new(CarrierKind::CenterAligned, 1e-5, 0.0).unwrap();
        let err = ComplementaryPwm::new(carrier, 0.5e-5).unwrap_err();
        assert_eq!(err.field, "t_dead");
    }
}
