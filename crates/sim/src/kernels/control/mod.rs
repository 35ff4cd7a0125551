//! Converter control laws as [`DutyController`]s, built from `pelab-control`.
//!
//! Every law samples once per switching period at the master period start. With the
//! default `cycle_average` sampling it reads each signal's average over the previous
//! period, which is what an ADC synchronised to the carrier, or an averaging filter,
//! delivers; `instant` reads the value at the sampling instant.

mod current;
mod interleaved;
mod open_loop;
mod voltage;

pub use current::CurrentControl;
pub use interleaved::{InterleavedControl, InterleavedSettings};
pub use open_loop::OpenLoop;
pub use voltage::VoltageControl;

use super::params::{DesignError, ParamSpec, Params};
use super::stage::optional;
use crate::engine::Measurements;

/// Control-section parameters common to all converter kernels.
pub fn common_control_specs(modes: &[&'static str], default_mode: &'static str) -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice("mode", modes, default_mode, "control law"),
        ParamSpec::number(
            "duty",
            "1",
            Some(0.5),
            0.0,
            1.0,
            "duty of the main switch in open loop",
        ),
        ParamSpec::number(
            "soft_start",
            "s",
            Some(0.0),
            0.0,
            1e3,
            "ramp time of the duty (open loop) or of the reference (closed loop); 0 disables",
        ),
        ParamSpec::choice(
            "delay",
            &["next_period", "none"],
            "next_period",
            "computation delay: commands apply from each carrier's next period after the sampling instant, or at once",
        ),
        ParamSpec::choice(
            "sampling",
            &["cycle_average", "instant"],
            "cycle_average",
            "measurement: average over the previous period, or the value at the period start",
        ),
        ParamSpec::number(
            "d_min",
            "1",
            Some(0.0),
            0.0,
            1.0,
            "lowest duty in closed loop",
        ),
        ParamSpec::number(
            "d_max",
            "1",
            Some(0.95),
            0.0,
            1.0,
            "highest duty in closed loop",
        ),
        optional(ParamSpec::number(
            "kp_i",
            "1/A",
            None,
            0.0,
            1e6,
            "current-loop proportional gain (default: crossover at f_sw/20)",
        )),
        optional(ParamSpec::number(
            "ki_i",
            "1/(A·s)",
            None,
            0.0,
            1e12,
            "current-loop integral gain (default: zero at a fifth of the crossover)",
        )),
    ]
}

/// Checks the settings every control mode shares: `d_min < d_max`.
///
/// # Errors
/// A [`DesignError`] on `control.d_max`.
pub fn check_common(control: &Params) -> Result<(), DesignError> {
    let (d_min, d_max) = (control.number("d_min"), control.number("d_max"));
    if !(d_max > d_min) {
        return Err(control.error(
            "d_max",
            format!("invalid value {d_max}; expected greater than d_min = {d_min}"),
        ));
    }
    Ok(())
}

/// Parameters of the outer voltage loop.
pub fn voltage_loop_specs() -> Vec<ParamSpec> {
    vec![
        optional(ParamSpec::positive(
            "v_ref",
            "V",
            None,
            1e5,
            "output voltage reference (closed loop)",
        )),
        optional(ParamSpec::number(
            "kp_v",
            "A/V or W/V²",
            None,
            0.0,
            1e9,
            "voltage-loop proportional gain, A/V (voltage) or W/V² (voltage_squared); default: crossover at f_sw/100, and for a boost at most a fifth of its RHP zero",
        )),
        optional(ParamSpec::number(
            "ki_v",
            "A/(V·s) or W/(V²·s)",
            None,
            0.0,
            1e15,
            "voltage-loop integral gain (default: zero at a fifth of the crossover)",
        )),
        optional(ParamSpec::positive(
            "i_max",
            "A",
            None,
            1e6,
            "inductor current reference limit (default: 3 × rated load current)",
        )),
    ]
}

/// Which measurement the laws use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Average over the previous period.
    CycleAverage,
    /// Value at the sampling instant.
    Instant,
}

impl Sampling {
    /// From the `sampling` parameter.
    pub fn from_params(control: &Params) -> Self {
        if control.text("sampling") == "instant" {
            Sampling::Instant
        } else {
            Sampling::CycleAverage
        }
    }

    pub(crate) fn pick<'a>(self, m: &'a Measurements<'_>) -> &'a [f64] {
        match self {
            Sampling::CycleAverage => m.average,
            Sampling::Instant => m.instant,
        }
    }
}

/// The averaged plant seen by the control loops, for default gains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plant {
    /// Switching frequency [Hz].
    pub f_sw: f64,
    /// Inductance of one phase [H].
    pub inductance: f64,
    /// Voltage that the duty modulates across the inductor [V].
    pub v_bus: f64,
    /// Output capacitance [F].
    pub capacitance: f64,
    /// Fraction of the inductor current that reaches the output capacitor
    /// (`1 − D` for a boost, 1 for a buck).
    pub current_fraction: f64,
    /// Whether the outer loop uses the V² law.
    pub squared: bool,
    /// Crossover frequency of the voltage loop [Hz].
    pub voltage_crossover: f64,
}

impl Plant {
    /// Voltage-loop crossover for a boost: a hundredth of `f_sw`, and at most a fifth
    /// of the right-half-plane zero `f_z = R (1 − D)² / (2π L)`, above which a boost's
    /// voltage loop cannot cross over stably.
    pub fn boost_voltage_crossover(f_sw: f64, r_load: f64, duty: f64, inductance: f64) -> f64 {
        let f_rhp_zero = r_load * (1.0 - duty).powi(2) / (std::f64::consts::TAU * inductance);
        (f_sw / 100.0).min(f_rhp_zero / 5.0)
    }
}

/// Loop gains placed from the plant. The current loop crosses over at `f_sw / 20`,
/// the voltage loop at [`Plant::voltage_crossover`], and each PI zero sits at a fifth
/// of its crossover.
///
/// The current loop sees up to one period of computation delay plus half a period
/// from the cycle-averaged measurement. At `f_sw / 20` that costs
/// `360° · 1.5 / 20 = 27°`, and the PI zero another 11°, which leaves about 50° of
/// phase margin. At `f_sw / 10` the margin would fall to about 25°, too little once
/// phase shedding disturbs the loops.
///
/// - Current loop, duty to inductor current: `i/d ≈ V_bus/(L s)`, so
///   `kp_i = ω_ci L / V_bus` [1/A], `ki_i = kp_i ω_ci / 5`.
/// - Voltage loop, current reference to output voltage: `v/i ≈ k/(C s)` with `k` the
///   fraction of inductor current reaching the capacitor, so `kp_v = ω_cv C / k` [A/V].
/// - V² loop, power reference to `v²`: `d(½ C v²)/dt = p`, so `v²/p = 2/(C s)` and
///   `kp_v = ω_cv C / 2` [W/V²].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopGains {
    /// Current loop proportional gain [1/A].
    pub kp_i: f64,
    /// Current loop integral gain [1/(A·s)].
    pub ki_i: f64,
    /// Voltage loop proportional gain [A/V or W/V²].
    pub kp_v: f64,
    /// Voltage loop integral gain.
    pub ki_v: f64,
}

impl LoopGains {
    /// Gains from the control section where given, placed from `plant` otherwise.
    pub fn resolve(control: &Params, plant: Plant) -> Self {
        let omega_i = std::f64::consts::TAU * plant.f_sw / 20.0;
        let omega_v = std::f64::consts::TAU * plant.voltage_crossover;
        let kp_i = control
            .optional_number("kp_i")
            .unwrap_or(omega_i * plant.inductance / plant.v_bus.max(1e-3));
        let ki_i = control
            .optional_number("ki_i")
            .unwrap_or(kp_i * omega_i / 5.0);
        let kp_v_default = if plant.squared {
            omega_v * plant.capacitance / 2.0
        } else {
            omega_v * plant.capacitance / plant.current_fraction.max(0.05)
        };
        let kp_v = control.optional_number("kp_v").unwrap_or(kp_v_default);
        let ki_v = control
            .optional_number("ki_v")
            .unwrap_or(kp_v * omega_v / 5.0);
        Self {
            kp_i,
            ki_i,
            kp_v,
            ki_v,
        }
    }
}

pub(crate) fn config_error(control: &Params, error: pelab_control::ConfigError) -> DesignError {
    DesignError::new(
        control.section(),
        format!("controller configuration rejected: {error}"),
    )
}
