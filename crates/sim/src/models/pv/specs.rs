//! The parameter tables of the `pv_mppt` kernel: `[parameters]`, `[control]` and
//! `[simulation]`, with units, defaults and accepted ranges.

use super::temperature;
use crate::kernels::params::ParamSpec;
use crate::kernels::stage::optional;

pub(super) fn parameter_specs() -> Vec<ParamSpec> {
    let mounting_names: Vec<&'static str> =
        temperature::MOUNTINGS.iter().map(|(n, _)| *n).collect();
    vec![
        ParamSpec::text(
            "module",
            None,
            "module name as in the CEC table, e.g. \"Canadian Solar Inc. CS6K-275M\"",
        ),
        optional(ParamSpec::text(
            "module_file",
            None,
            "path of a CEC module table in the SAM CSV layout (default: the embedded 2019-03-05 table)",
        )),
        ParamSpec::integer(
            "modules_series",
            Some(12),
            1,
            200,
            "modules in series per string",
        ),
        ParamSpec::integer("strings_parallel", Some(1), 1, 500, "strings in parallel"),
        ParamSpec::choice(
            "profile",
            &["tmy3_day", "en50530_ramps"],
            "tmy3_day",
            "irradiance profile: one day of TMY3 weather or the EN 50530-style ramps",
        ),
        optional(ParamSpec::text(
            "weather_file",
            None,
            "path of an hourly weather file in the TMY3 CSV layout (default: the embedded Greensboro, NC year)",
        )),
        ParamSpec::integer(
            "day",
            Some(172),
            1,
            365,
            "day of the year of the tmy3_day profile",
        ),
        ParamSpec::number(
            "tilt",
            "deg",
            Some(30.0),
            0.0,
            90.0,
            "module tilt from horizontal",
        ),
        ParamSpec::number(
            "azimuth",
            "deg",
            Some(180.0),
            0.0,
            360.0,
            "azimuth the modules face, from north clockwise",
        ),
        ParamSpec::number("albedo", "1", Some(0.2), 0.0, 1.0, "ground reflectance"),
        ParamSpec::choice(
            "sky_model",
            &["isotropic", "haydavies"],
            "haydavies",
            "diffuse sky model of the transposition",
        ),
        ParamSpec {
            kind: crate::kernels::params::ParamKind::Choice {
                options: mounting_names,
            },
            ..ParamSpec::choice(
                "mounting",
                &[],
                "open_rack_glass_polymer",
                "SAPM cell-temperature mounting",
            )
        },
        ParamSpec::choice(
            "ramp_set",
            &["both", "low_medium", "medium_high"],
            "both",
            "EN 50530 ramp sequences: 10–50 % and/or 30–100 % of 1000 W/m²",
        ),
        ParamSpec::positive(
            "ramp_dwell",
            "s",
            Some(10.0),
            3600.0,
            "dwell at each level of the ramp profile",
        ),
        ParamSpec::integer("ramp_cycles", Some(2), 1, 20, "ramps up and down per slope"),
        ParamSpec::number(
            "ramp_temp_cell",
            "°C",
            Some(25.0),
            -40.0,
            100.0,
            "cell temperature of the ramp profile",
        ),
        ParamSpec::positive("v_bus", "V", Some(700.0), 2000.0, "DC bus voltage"),
        ParamSpec::positive("l", "H", Some(2e-3), 1.0, "boost inductance"),
        ParamSpec::number(
            "r_l",
            "Ohm",
            Some(0.05),
            0.0,
            100.0,
            "inductor and switch resistance",
        ),
        ParamSpec::positive(
            "c_in",
            "F",
            Some(200e-6),
            1.0,
            "input capacitance across the array",
        ),
    ]
}

pub(super) fn control_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "algorithm",
            &["po", "inccond"],
            "po",
            "MPPT algorithm: perturb and observe or incremental conductance",
        ),
        ParamSpec::choice("step", &["fixed", "variable"], "fixed", "MPPT step rule"),
        ParamSpec::positive("step_size", "V", Some(1.0), 1e3, "fixed MPPT step"),
        ParamSpec::positive(
            "step_gain",
            "V²/W",
            Some(0.05),
            1e6,
            "variable step gain k: the step is k·abs(dP/dV)",
        ),
        ParamSpec::positive("step_min", "V", Some(0.2), 1e3, "smallest variable step"),
        ParamSpec::positive("step_max", "V", Some(5.0), 1e3, "largest variable step"),
        ParamSpec::positive("mppt_rate", "Hz", Some(10.0), 1e3, "MPPT update rate"),
        ParamSpec::positive(
            "f_ctrl",
            "Hz",
            Some(20e3),
            1e6,
            "sampling rate of the voltage and current loops",
        ),
        ParamSpec::positive(
            "bandwidth_current",
            "Hz",
            Some(2000.0),
            1e5,
            "inductor-current loop crossover",
        ),
        ParamSpec::positive(
            "bandwidth_voltage",
            "Hz",
            Some(400.0),
            1e5,
            "PV-voltage loop crossover",
        ),
        ParamSpec::number(
            "v_start",
            "1",
            Some(0.8),
            0.3,
            1.0,
            "first MPPT reference as a fraction of the open-circuit voltage",
        ),
    ]
}

pub(super) fn simulation_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::number(
            "t_start",
            "s",
            Some(0.0),
            0.0,
            1e6,
            "start (tmy3_day: seconds after local standard midnight)",
        ),
        optional(ParamSpec::positive(
            "t_stop",
            "s",
            None,
            1e6,
            "end (default: the end of the day or of the ramp profile)",
        )),
        optional(ParamSpec::positive(
            "output_step",
            "s",
            None,
            1e5,
            "spacing of recorded samples (default: the run in 20 000 samples, at least one control period)",
        )),
        ParamSpec::choice(
            "method",
            &["skip_settled", "full"],
            "skip_settled",
            "skip_settled carries each MPPT period on its equilibrium once the converter settles; full simulates every control period",
        ),
        ParamSpec::positive(
            "settle_tolerance",
            "1",
            Some(1e-3),
            0.1,
            "relative tolerance of the settle test",
        ),
        optional(ParamSpec::integer(
            "max_samples",
            None,
            1,
            100_000_000,
            "most samples to record",
        )),
    ]
}
