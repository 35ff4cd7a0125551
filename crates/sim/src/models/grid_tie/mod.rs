//! Grid-tie inverter with LCL filter. A two-level three-phase bridge on a stiff DC
//! link feeds the grid through an LCL filter with passive (`rd`) or active (`k_ad`)
//! damping. The grid can sag, jump in phase, step in frequency and carry background
//! harmonics, and an SRF-PLL with dq current control samples once per PWM period.
//!
//! - [`params`]: the design-file tables.
//! - [`plant`]: LCL state equations in αβ and the exact stepper.
//! - [`grid`]: the grid e.m.f. and its events.
//! - [`bridge`]: modulation, PWM edges and deadtime.
//! - [`controller`]: PLL, power references and dq current loop.
//! - [`stability`]: the discrete current-loop check made before the run.
//! - [`run`]: the simulation loop; `metrics`: results over the steady-state window.
//! - [`window`]: sums, peaks and the THD buffer gathered during the run.
//!
//! Limitations: ideal switches and diodes (no conduction or switching losses), a
//! stiff DC link, balanced filter components, and a deadtime model that reads the
//! current sign at the start of each dead interval.

pub mod bridge;
pub mod controller;
pub mod grid;
mod metrics;
pub mod params;
pub mod plant;
pub mod run;
pub mod stability;
pub mod window;

use std::f64::consts::PI;

use pelab_control::pll::PllConfig;

use crate::kernels::KernelInfo;
use crate::kernels::params::{DesignError, Params, schedule_value};
use crate::models::{MAX_PERIODS, ModelInputs, ModelKernel, ModelRun};
use bridge::Modulation;
use controller::{ControlSettings, CurrentSensor};
use plant::Lcl;

/// The `grid_tie` kernel.
pub struct GridTieKernel;

/// The registered instance.
pub static GRID_TIE: GridTieKernel = GridTieKernel;

/// Lowest resonance accepted without a warning, in multiples of the grid frequency.
/// Below it the filter amplifies low-order grid harmonics and interacts with the
/// current loop's feed-forward.
const MIN_RESONANCE_RATIO: f64 = 10.0;

/// Default current-loop crossover as a fraction of the switching frequency. With the
/// 1.5-period delay of sampling and PWM, f_sw/40 costs 13.5° of phase at crossover
/// and leaves a gain margin near 2 for grid-current feedback of an LCL filter that
/// resonates just below f_sw/6 with a damping resistor near 1/(3·ω_res·Cf).
const DEFAULT_BANDWIDTH_RATIO: f64 = 1.0 / 40.0;

/// PLL frequency window around the nominal frequency, as a fraction of it.
const PLL_FREQUENCY_WINDOW: f64 = 0.5;

/// Everything the run needs, checked.
#[derive(Debug, Clone)]
pub struct GridTieConfig {
    /// DC-link voltage \[V\].
    pub v_dc: f64,
    /// Nominal line-to-line RMS grid voltage \[V\].
    pub v_ll_rms: f64,
    /// Nominal grid frequency \[Hz\].
    pub f_grid: f64,
    /// PWM and control period \[s\].
    pub period: f64,
    /// Whether the bridge switches (true) or is averaged over each period.
    pub switching: bool,
    /// Modulator.
    pub modulation: Modulation,
    /// Deadtime \[s\].
    pub t_dead: f64,
    /// Filter and grid impedance.
    pub lcl: Lcl,
    /// 5th and 7th harmonic ratios \[1\].
    pub harmonics: [f64; 2],
    /// Grid events `(time, kind)`, sorted.
    pub events: Vec<grid::GridEvent>,
    /// Active power reference schedule \[W\].
    pub p_ref: Vec<(f64, f64)>,
    /// Reactive power reference schedule \[var\].
    pub q_ref: Vec<(f64, f64)>,
    /// Controller settings.
    pub control: ControlSettings,
    /// Closed-loop spectral radius of the current loop.
    pub loop_radius: f64,
    /// Gain margin of the current loop (factor on kp and ki).
    pub gain_margin: f64,
    /// Simulated time \[s\].
    pub t_stop: f64,
    /// Output step \[s\].
    pub output_step: f64,
    /// First recorded time \[s\].
    pub record_from: f64,
    /// Start of the metrics window \[s\].
    pub steady_state_from: f64,
    /// Grid frequency at the end of the run \[Hz\].
    pub f_final: f64,
    /// Warnings found at build time.
    pub warnings: Vec<String>,
}

impl ModelKernel for GridTieKernel {
    fn info(&self) -> KernelInfo {
        KernelInfo {
            name: "grid_tie",
            summary: "three-phase grid-tie inverter with LCL filter, SRF-PLL and dq current control, switching or averaged",
            parameters: params::parameter_specs(),
            control: params::control_specs(),
            simulation: params::simulation_specs(),
        }
    }

    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError> {
        if let Some(position) = inputs.devices.keys().next() {
            return Err(DesignError::new(
                format!("devices.{position}"),
                "grid_tie uses ideal switches and reads no [devices] section; remove it",
            ));
        }
        let config = configure(inputs.parameters, inputs.control, inputs.simulation)?;
        Ok(Box::new(run::GridTieRun::new(config)?))
    }
}

/// Checks the design and derives the run configuration.
///
/// # Errors
/// [`DesignError`] naming the parameter at fault, its value and the accepted range.
pub fn configure(
    parameters: &Params,
    control: &Params,
    simulation: &Params,
) -> Result<GridTieConfig, DesignError> {
    let mut warnings = Vec::new();
    let f_sw = parameters.number("f_sw");
    let period = 1.0 / f_sw;
    let f_grid = parameters.number("f_grid");
    let v_dc = parameters.number("v_dc");
    let v_ll_rms = parameters.number("v_ll_rms");
    let lcl = Lcl {
        l1: parameters.number("l1"),
        r1: parameters.number("r1"),
        cf: parameters.number("cf"),
        rd: parameters.number("rd"),
        l2: parameters.number("l2"),
        r2: parameters.number("r2"),
        lg: parameters.number("lg"),
        rg: parameters.number("rg"),
    };

    let f_res = lcl.resonance_hz();
    if f_res > 0.5 * f_sw {
        return Err(DesignError::new(
            "parameters.l1, parameters.l2, parameters.lg, parameters.cf",
            format!(
                "LCL resonance {f_res:.1} Hz (l1 = {:.4e} H, l2 + lg = {:.4e} H, cf = {:.4e} F) is above the control Nyquist frequency f_sw/2 = {:.1} Hz; \
                 expected a resonance below f_sw/2, so raise l1, l2 or cf, or raise f_sw",
                lcl.l1,
                lcl.l2_total(),
                lcl.cf,
                0.5 * f_sw
            ),
        ));
    }
    if f_res < MIN_RESONANCE_RATIO * f_grid {
        warnings.push(format!(
            "LCL resonance {f_res:.1} Hz is below {MIN_RESONANCE_RATIO}·f_grid = {:.1} Hz: low-order grid harmonics are amplified",
            MIN_RESONANCE_RATIO * f_grid
        ));
    }

    let t_dead = parameters.number("t_dead");
    if t_dead >= 0.5 * period {
        return Err(parameters.error(
            "t_dead",
            format!(
                "invalid value {t_dead}; expected less than half the switching period ({} s)",
                0.5 * period
            ),
        ));
    }
    let modulation = match parameters.text("modulation") {
        "spwm" => Modulation::Sinusoidal,
        "dpwm1" => Modulation::Discontinuous,
        _ => Modulation::SpaceVector,
    };

    let h5 = parameters.number("harmonic_5") / 100.0;
    let h7 = parameters.number("harmonic_7") / 100.0;
    let v_phase = v_ll_rms * 2.0_f64.sqrt() / 3.0_f64.sqrt();
    let linear_limit = match modulation {
        Modulation::Sinusoidal => 0.5 * v_dc,
        _ => v_dc / 3.0_f64.sqrt(),
    };
    let needed = v_phase * (1.0 + h5 + h7);
    if needed >= linear_limit {
        return Err(parameters.error(
            "v_dc",
            format!(
                "invalid value {v_dc}; the grid phase peak {needed:.1} V (harmonics included) needs more than the modulator's linear limit {linear_limit:.1} V, \
                 expected v_dc above {:.1} V for {}",
                match modulation {
                    Modulation::Sinusoidal => 2.0 * needed,
                    _ => 3.0_f64.sqrt() * needed,
                },
                parameters.text("modulation")
            ),
        ));
    }

    let magnitude = parameters.schedule("grid_voltage_pu");
    let jumps = parameters.schedule("grid_phase_jump");
    let frequencies = parameters.schedule("grid_frequency");
    let peak_pu = magnitude.iter().map(|(_, m)| *m).fold(1.0, f64::max);
    if needed * peak_pu >= linear_limit {
        warnings.push(format!(
            "a swell to {} pu needs a phase peak of {:.1} V, above the modulator's linear limit {linear_limit:.1} V: the current is uncontrolled during it",
            metrics::sig(peak_pu),
            needed * peak_pu
        ));
    }
    let (f_low, f_high) = (
        f_grid * (1.0 - PLL_FREQUENCY_WINDOW),
        f_grid * (1.0 + PLL_FREQUENCY_WINDOW),
    );
    for &(t, f) in frequencies {
        if f <= f_low || f >= f_high {
            return Err(parameters.error(
                "grid_frequency",
                format!(
                    "invalid value {f} Hz at {t} s; expected a frequency between {f_low} and {f_high} Hz, the PLL's window around f_grid"
                ),
            ));
        }
    }

    let t_stop = simulation.number("t_stop");
    let periods = t_stop * f_sw;
    if periods > MAX_PERIODS {
        return Err(simulation.error(
            "t_stop",
            format!(
                "invalid value {}; at f_sw = {} Hz it needs {} switching periods, above the work budget of {} periods; \
                 expected t_stop at most {} s",
                metrics::sig(t_stop),
                metrics::sig(f_sw),
                metrics::sig(periods),
                metrics::sig(MAX_PERIODS),
                metrics::sig(MAX_PERIODS / f_sw)
            ),
        ));
    }
    let events = grid::events_from_schedules(magnitude, jumps, frequencies);
    for event in events.iter().filter(|e| e.time >= t_stop) {
        warnings.push(format!(
            "grid event at {} s is at or after t_stop = {} s and is not simulated",
            metrics::sig(event.time),
            metrics::sig(t_stop)
        ));
    }
    let f_final = schedule_value(frequencies, t_stop, f_grid);

    let control_settings = control_settings(control, &lcl, period, v_dc, v_phase, f_grid)?;
    let matrix = stability::closed_loop_matrix(
        &lcl,
        period,
        control_settings.kp,
        control_settings.ki,
        control_settings.k_ad,
        control_settings.sensor,
    )
    .map_err(|_| DesignError::new("parameters", "LCL filter matrices are not finite"))?;
    let loop_radius = stability::spectral_radius(&matrix);
    let gain_field = if control.optional_number("current_kp").is_some() {
        "current_kp"
    } else {
        "current_bandwidth"
    };
    if loop_radius >= 1.0 {
        return Err(control.error(
            gain_field,
            format!(
                "current loop unstable with the one-period delay: kp = {:.3} Ω, ki = {:.1} Ω/s, k_ad = {} Ω give a closed-loop pole at radius {loop_radius:.4} (expected below 1); \
                 lower the bandwidth (f_sw/40 is the default), add damping with rd or k_ad, or control the other current (current_sensor)",
                control_settings.kp, control_settings.ki, control_settings.k_ad
            ),
        ));
    }
    let gain_margin = stability::gain_margin(
        &lcl,
        period,
        control_settings.kp,
        control_settings.ki,
        control_settings.k_ad,
        control_settings.sensor,
    )
    .map_err(|_| DesignError::new("parameters", "LCL filter matrices are not finite"))?;
    if gain_margin < stability::MIN_GAIN_MARGIN {
        warnings.push(format!(
            "current loop gain margin is {gain_margin:.2} (below {}): the loop turns unstable if kp and ki grow by that factor, expect ringing at each step",
            stability::MIN_GAIN_MARGIN
        ));
    }

    let output_step = simulation
        .optional_number("output_step")
        .unwrap_or(period / 10.0);
    let record_from = simulation.number("record_from");
    if record_from >= t_stop {
        return Err(simulation.error(
            "record_from",
            format!(
                "invalid value {}; expected less than t_stop = {} s",
                metrics::sig(record_from),
                metrics::sig(t_stop)
            ),
        ));
    }
    // The metrics are gathered inside the run, so the window does not depend on
    // record_from or output_step.
    let steady_state_from = match simulation.optional_number("steady_state_from") {
        Some(from) => {
            if from >= t_stop {
                return Err(simulation.error(
                    "steady_state_from",
                    format!(
                        "invalid value {}; expected from 0 s to below t_stop = {} s",
                        metrics::sig(from),
                        metrics::sig(t_stop)
                    ),
                ));
            }
            from
        }
        None => {
            let periods = (0.2 * t_stop * f_final).floor().max(2.0);
            (t_stop - periods / f_final).max(0.0)
        }
    };
    for event in events
        .iter()
        .filter(|e| e.time > steady_state_from && e.time < t_stop)
    {
        warnings.push(format!(
            "grid event at {} s lies inside the metrics window from {} s: THD, P, Q and PF include its transient",
            metrics::sig(event.time),
            metrics::sig(steady_state_from)
        ));
    }

    Ok(GridTieConfig {
        v_dc,
        v_ll_rms,
        f_grid,
        period,
        switching: parameters.text("inverter_model") == "switching",
        modulation,
        t_dead,
        lcl,
        harmonics: [h5, h7],
        events,
        p_ref: control.schedule("p_ref").to_vec(),
        q_ref: control.schedule("q_ref").to_vec(),
        control: control_settings,
        loop_radius,
        gain_margin,
        t_stop,
        output_step,
        record_from,
        steady_state_from,
        f_final,
        warnings,
    })
}

/// Current-loop and PLL settings from `[control]`.
fn control_settings(
    control: &Params,
    lcl: &Lcl,
    period: f64,
    v_dc: f64,
    v_phase: f64,
    f_grid: f64,
) -> Result<ControlSettings, DesignError> {
    let l_total = lcl.l1 + lcl.l2_total();
    let f_c = control
        .optional_number("current_bandwidth")
        .unwrap_or(DEFAULT_BANDWIDTH_RATIO / period);
    let kp = control
        .optional_number("current_kp")
        .unwrap_or(2.0 * PI * f_c * l_total);
    let ki = control
        .optional_number("current_ki")
        .unwrap_or(kp * 2.0 * PI * f_c / 10.0);
    // Without integral action the dq loop settles with an error of about
    // (R + deadtime and feed-forward errors)/kp: 1 µs of deadtime at 16 kHz and
    // 700 V is an 11 V error, 10 % of rated current at kp = 5 Ω. No grid-tie design
    // reaches its power reference that way, so ki = 0 is refused.
    if ki <= 0.0 {
        return Err(control.error(
            "current_ki",
            format!(
                "invalid value {}; expected above 0 Ω/s (up to 1e9): without integral action the dq current loop keeps a steady-state error \
                 from the filter resistance, the deadtime and the feed-forward, and P and Q miss their references; \
                 the default design gives ki = kp·2π·f_c/10 = {} Ω/s at f_c = {} Hz",
                metrics::sig(ki),
                metrics::sig((2.0 * PI * f_c).powi(2) * l_total / 10.0),
                metrics::sig(f_c)
            ),
        ));
    }
    let gains = controller::pll_gains(
        control.number("pll_natural_frequency"),
        control.number("pll_damping"),
    )
    .map_err(|e| control.error("pll_natural_frequency", e))?;
    let sensor = match control.text("current_sensor") {
        "inverter" => CurrentSensor::Inverter,
        _ => CurrentSensor::Grid,
    };
    let pll = PllConfig {
        gains,
        ts: period,
        f_nominal: f_grid,
        f_min: f_grid * (1.0 - PLL_FREQUENCY_WINDOW),
        f_max: f_grid * (1.0 + PLL_FREQUENCY_WINDOW),
        rocof_max: control.number("pll_rocof_max"),
        amplitude_min: 0.05 * v_phase,
        lock_threshold: control.number("pll_lock_threshold"),
        lock_time: control.number("pll_lock_time"),
    };
    Ok(ControlSettings {
        ts: period,
        sensor,
        kp,
        ki,
        k_ad: control.number("k_ad"),
        i_max: control.optional_number("i_max"),
        l_total,
        v_dc,
        v_nominal: v_phase,
        pll,
    })
}
