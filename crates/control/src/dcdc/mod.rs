//! DC-DC converter control: duty feedforward, current loop and average-current-mode
//! voltage control.
//!
//! # Converters and sign conventions
//!
//! All quantities are cycle averages (state-space averaging, continuous conduction).
//! `duty` is always the duty of the switch given below, so that a larger duty raises the
//! inductor current `i_l` in every topology:
//!
//! | [`Converter`] | `duty` of | averaged inductor equation | feedforward |
//! |---|---|---|---|
//! | `Buck` | high-side switch | `L·di_l/dt = d·v_in − v_out` | `d = v_out/v_in` |
//! | `Boost` | low-side switch | `L·di_l/dt = v_in − (1 − d)·v_out` | `d = 1 − v_in/v_out` |
//! | `HalfBridge` | high-side switch | `L·di_l/dt = d·v_in − v_out` | `d = v_out/v_in` |
//!
//! For the bidirectional `HalfBridge`, `v_in` is the high-voltage port and `v_out` the
//! low-voltage port next to the inductor, named as in the buck direction. `i_l > 0`
//! carries power from the high-voltage to the low-voltage port, `i_l < 0` the other
//! way. The same high-side duty `v_out/v_in` keeps the average current at zero in both
//! directions: in the boost direction the low-side switch conducts for `1 − d`, and
//! `1 − d = 1 − v_out/v_in` is the boost feedforward seen from the low-voltage side.
//!
//! # Controllers
//!
//! - [`CurrentController`]: inner current PI with optional feedforward, duty limited to
//!   `[d_min, d_max]`. Used on its own as the current-only mode, where the reference
//!   may have either sign.
//! - [`AcmcController`]: average-current-mode control, an outer voltage loop that
//!   produces the current reference for the inner [`CurrentController`]. The outer loop
//!   acts on the voltage or, with [`VoltageLaw::Squared`], on its square (V² control).

mod current;
mod voltage;

pub use current::{CurrentController, CurrentLoopConfig};
pub use voltage::{AcmcController, AcmcStatus, VoltageLaw, VoltageLoopConfig};

/// Topology of a DC-DC converter. See the [module documentation](self) for the duty
/// and sign conventions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Converter {
    /// Step-down converter; `duty` is the high-side duty.
    Buck,
    /// Step-up converter; `duty` is the low-side duty.
    Boost,
    /// Bidirectional half-bridge with the inductor on the low-voltage port; `duty` is
    /// the high-side duty in both power directions.
    HalfBridge,
}

impl Converter {
    /// Returns the steady-state duty for the measured port voltages, from
    /// [`buck_duty`] (`Buck`, `HalfBridge`) or [`boost_duty`] (`Boost`).
    pub fn feedforward_duty(self, m: &Measurements) -> Option<f64> {
        match self {
            Converter::Buck => buck_duty(m.v_in, m.v_out),
            Converter::Boost => boost_duty(m.v_in, m.v_out),
            Converter::HalfBridge => half_bridge_duty(m.v_in, m.v_out),
        }
    }

    /// Returns the voltage \[V\] of the port that carries the inductor current, so that
    /// `v_port·i_l` is the power flowing into the output capacitor side (buck,
    /// half-bridge: `v_out`) or drawn from the input (boost: `v_in`).
    pub fn inductor_port_voltage(self, m: &Measurements) -> f64 {
        match self {
            Converter::Buck | Converter::HalfBridge => m.v_out,
            Converter::Boost => m.v_in,
        }
    }
}

/// Sampled converter quantities for one control update.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measurements {
    /// Input voltage \[V\]. For [`Converter::HalfBridge`], the high-voltage port.
    pub v_in: f64,
    /// Output voltage \[V\]. For [`Converter::HalfBridge`], the low-voltage port.
    pub v_out: f64,
    /// Inductor current \[A\], positive in the direction in which a larger duty drives it:
    /// toward `v_out` for buck and half-bridge, away from `v_in` for boost.
    pub i_l: f64,
}

impl Measurements {
    /// Returns whether all three values are finite.
    pub fn is_finite(&self) -> bool {
        self.v_in.is_finite() && self.v_out.is_finite() && self.i_l.is_finite()
    }
}

/// Returns the buck duty `d = v_out/v_in`, clamped to `[0, 1]`.
///
/// `v_in`, `v_out` \[V\]. Lossless continuous-conduction steady state. Returns `None`
/// when an input is not finite or `v_in ≤ 0`.
pub fn buck_duty(v_in: f64, v_out: f64) -> Option<f64> {
    if !(v_in.is_finite() && v_out.is_finite() && v_in > 0.0) {
        return None;
    }
    Some((v_out / v_in).clamp(0.0, 1.0))
}

/// Returns the boost low-side duty `d = 1 − v_in/v_out`, clamped to `[0, 1]`.
///
/// `v_in`, `v_out` \[V\]. Lossless continuous-conduction steady state. When
/// `v_out < v_in` the result is 0, because a boost cannot step down. Returns `None` when
/// an input is not finite or `v_out ≤ 0`.
pub fn boost_duty(v_in: f64, v_out: f64) -> Option<f64> {
    if !(v_in.is_finite() && v_out.is_finite() && v_out > 0.0) {
        return None;
    }
    Some((1.0 - v_in / v_out).clamp(0.0, 1.0))
}

/// Returns the high-side duty `d = v_low/v_high` of a bidirectional half-bridge, clamped
/// to `[0, 1]`.
///
/// `v_high` is the high-voltage port and `v_low` the low-voltage (inductor) port \[V\].
/// The same duty keeps the average inductor current at zero in both power directions. A
/// slightly larger duty drives current toward the low-voltage port, a smaller one
/// toward the high-voltage port. Returns `None` when an input is not finite or
/// `v_high ≤ 0`.
pub fn half_bridge_duty(v_high: f64, v_low: f64) -> Option<f64> {
    buck_duty(v_high, v_low)
}
