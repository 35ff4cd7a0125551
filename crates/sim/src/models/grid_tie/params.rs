//! Parameter tables of the `grid_tie` kernel.

use crate::kernels::params::{ParamKind, ParamSpec, Value};
use crate::kernels::stage::optional;

/// Highest switching frequency the kernel accepts \[Hz\].
pub const MAX_SWITCHING_FREQUENCY: f64 = 200e3;

/// A schedule parameter of `[time_s, value]` pairs, empty by default.
fn schedule(
    name: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    description: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        unit,
        kind: ParamKind::Schedule { min, max },
        default: Some(Value::Schedule(Vec::new())),
        description,
        optional: false,
    }
}

/// `[parameters]`: DC link, bridge, LCL filter and grid.
pub fn parameter_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("v_dc", "V", None, 1e5, "DC-link voltage (stiff source)"),
        ParamSpec::positive(
            "v_ll_rms",
            "V",
            None,
            1e5,
            "nominal line-to-line RMS grid voltage",
        ),
        ParamSpec::number(
            "f_grid",
            "Hz",
            Some(50.0),
            1.0,
            1000.0,
            "nominal grid frequency",
        ),
        ParamSpec::positive(
            "f_sw",
            "Hz",
            None,
            MAX_SWITCHING_FREQUENCY,
            "switching frequency; the controller samples once per period",
        ),
        ParamSpec::choice(
            "inverter_model",
            &["switching", "averaged"],
            "switching",
            "switching: centre-aligned PWM with exact edges and deadtime; averaged: pole voltage (d − 1/2)·v_dc held over each period",
        ),
        ParamSpec::choice(
            "modulation",
            &["svpwm", "spwm", "dpwm1"],
            "svpwm",
            "svpwm: min-max zero-sequence injection; spwm: no injection; dpwm1: discontinuous PWM clamping the largest phase",
        ),
        ParamSpec::number(
            "t_dead",
            "s",
            Some(0.0),
            0.0,
            1e-4,
            "deadtime of each half-bridge (switching model only)",
        ),
        ParamSpec::positive(
            "l1",
            "H",
            None,
            1.0,
            "inverter-side filter inductance per phase",
        ),
        ParamSpec::number("r1", "Ω", Some(0.0), 0.0, 100.0, "series resistance of l1"),
        ParamSpec::positive("cf", "F", None, 1.0, "filter capacitance per phase (star)"),
        ParamSpec::number(
            "rd",
            "Ω",
            Some(0.0),
            0.0,
            1e3,
            "passive damping resistor in series with cf",
        ),
        ParamSpec::positive(
            "l2",
            "H",
            None,
            1.0,
            "grid-side filter inductance per phase",
        ),
        ParamSpec::number("r2", "Ω", Some(0.0), 0.0, 100.0, "series resistance of l2"),
        ParamSpec::number("lg", "H", Some(0.0), 0.0, 1.0, "grid inductance per phase"),
        ParamSpec::number(
            "rg",
            "Ω",
            Some(0.0),
            0.0,
            100.0,
            "grid resistance per phase",
        ),
        ParamSpec::number(
            "harmonic_5",
            "%",
            Some(0.0),
            0.0,
            20.0,
            "5th-harmonic grid voltage (negative sequence) in per cent of the fundamental",
        ),
        ParamSpec::number(
            "harmonic_7",
            "%",
            Some(0.0),
            0.0,
            20.0,
            "7th-harmonic grid voltage (positive sequence) in per cent of the fundamental",
        ),
        schedule(
            "grid_voltage_pu",
            "1",
            0.0,
            2.0,
            "grid voltage magnitude in per unit of v_ll_rms from each time on (sag or swell), 1 before the first entry",
        ),
        schedule(
            "grid_phase_jump",
            "deg",
            -180.0,
            180.0,
            "phase jumps of the grid voltage: each entry advances the grid angle by its value at its time",
        ),
        schedule(
            "grid_frequency",
            "Hz",
            1.0,
            1000.0,
            "grid frequency from each time on, f_grid before the first entry",
        ),
    ]
}

/// `[control]`: PLL, current references and current loop.
pub fn control_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "current_sensor",
            &["grid", "inverter"],
            "grid",
            "which filter current the dq loop controls: l2 (grid side) or l1 (inverter side)",
        ),
        schedule(
            "p_ref",
            "W",
            -1e8,
            1e8,
            "active power reference into the grid from each time on, 0 before the first entry",
        ),
        schedule(
            "q_ref",
            "var",
            -1e8,
            1e8,
            "reactive power reference delivered to the grid (positive: current lagging the PCC voltage) from each time on, 0 before the first entry",
        ),
        optional(ParamSpec::positive(
            "current_bandwidth",
            "Hz",
            None,
            1e5,
            "current-loop crossover frequency used to design kp = 2π·f_c·(l1 + l2 + lg) (default f_sw/40)",
        )),
        optional(ParamSpec::number(
            "current_kp",
            "Ω",
            None,
            0.0,
            1e4,
            "proportional gain of the dq current PI, overriding current_bandwidth",
        )),
        optional(ParamSpec::number(
            "current_ki",
            "Ω/s",
            None,
            0.0,
            1e9,
            "integral gain of the dq current PI (default kp·2π·f_c/10)",
        )),
        ParamSpec::number(
            "k_ad",
            "Ω",
            Some(0.0),
            0.0,
            1e3,
            "active damping: capacitor-current feedback gain subtracted from the voltage reference",
        ),
        optional(ParamSpec::positive(
            "i_max",
            "A",
            None,
            1e6,
            "peak phase-current limit of the current reference (default: no limit)",
        )),
        ParamSpec::positive(
            "pll_natural_frequency",
            "Hz",
            Some(20.0),
            1e3,
            "natural frequency of the normalised SRF-PLL loop",
        ),
        ParamSpec::positive(
            "pll_damping",
            "1",
            Some(0.707),
            10.0,
            "damping ratio of the PLL loop",
        ),
        ParamSpec::positive(
            "pll_rocof_max",
            "Hz/s",
            Some(1000.0),
            1e6,
            "largest rate of change of the PLL frequency estimate",
        ),
        ParamSpec::positive(
            "pll_lock_threshold",
            "1",
            Some(0.02),
            1.0,
            "PLL lock band on |vq|/|v| (sine of the angle error)",
        ),
        ParamSpec::number(
            "pll_lock_time",
            "s",
            Some(0.01),
            0.0,
            10.0,
            "time |vq|/|v| must stay inside the lock band before the PLL reports lock",
        ),
    ]
}

/// `[simulation]`.
pub fn simulation_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("t_stop", "s", None, 1e3, "simulated time"),
        optional(ParamSpec::positive(
            "output_step",
            "s",
            None,
            1.0,
            "interval between recorded samples (default: switching period / 10)",
        )),
        ParamSpec::number(
            "record_from",
            "s",
            Some(0.0),
            0.0,
            1e3,
            "time from which samples are recorded",
        ),
        optional(ParamSpec::number(
            "steady_state_from",
            "s",
            None,
            0.0,
            1e3,
            "start of the window for THD, P, Q, PF and unbalance (default: the last 20 % of the run in whole grid periods, at least two)",
        )),
        ParamSpec::integer(
            "max_samples",
            Some(crate::simulate::MODEL_DEFAULT_MAX_SAMPLES as i64),
            1,
            1_000_000_000,
            "largest number of samples the run may record",
        ),
    ]
}
