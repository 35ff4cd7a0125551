//! PMSM field-oriented control tuning lab: controller gains, current and speed step
//! responses, and the torque-speed envelope, all from the controllers of
//! `pelab-control`.

use std::f64::consts::TAU;

use pelab_control::foc::{
    CurrentLoopConfig, Decoupling, DqCurrentController, DqVoltage, MotorParams, ReferenceGenerator,
    SpeedController, SpeedLoopConfig, mtpa_d_current,
};
use pelab_control::pi::AntiWindup;
use serde::{Deserialize, Serialize};

use super::{CalcError, MAX_POINTS, check, check_above, check_count, decimate, number};

/// Controller samples in one simulated step response, at most.
pub const MAX_SAMPLES: usize = 100_000;

/// Points of the torque-speed envelope, from standstill to twice the base speed.
pub const ENVELOPE_POINTS: usize = 201;

/// Fraction of `v_dc/√3` the reference generator plans with during the speed step,
/// leaving 5 % for the resistive drop and the current controller (the default
/// `fw_margin` of the `pmsm` model).
pub const FW_MARGIN: f64 = 0.95;

/// Largest integration substep, as a fraction of the fastest plant rate: RK4 with
/// `h·λ ≤ 0.25` is accurate to about 1e-5 per step on the linear dq plant.
const SUBSTEP_RATE: f64 = 0.25;

/// Largest number of RK4 steps in the speed step response, which bounds its run time
/// to about 0.3 s (65 ns a step, measured in the test profile on the development
/// machine).
const MAX_INTEGRATION_STEPS: usize = 4_000_000;

/// Largest number of integration substeps per controller sample.
const MAX_SUBSTEPS: usize = 400;

/// Revolutions per minute to mechanical rad/s.
const RPM: f64 = TAU / 60.0;

/// FOC tuning request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FocTuningRequest {
    /// Stator resistance R_s [Ω], 0 to 100.
    pub r_s: f64,
    /// d-axis inductance L_d [H], 1e-7 to 1, at most `l_q`.
    pub l_d: f64,
    /// q-axis inductance L_q [H], 1e-7 to 1.
    pub l_q: f64,
    /// Magnet flux linkage ψ [Wb], 1e-5 to 10.
    pub psi: f64,
    /// Pole pairs p, 1 to 100.
    pub pole_pairs: u32,
    /// Rotor and load inertia J [kg·m²], 1e-8 to 1e3.
    pub j: f64,
    /// Viscous friction b [N·m·s/rad], 0 to 1e3 (default 0).
    #[serde(default)]
    pub b: f64,
    /// Current-loop bandwidth f_c [Hz], above 0 up to 0.2·f_sample/(2π).
    pub current_bandwidth: f64,
    /// Speed-loop bandwidth f_s [Hz], above 0 up to current_bandwidth/5.
    pub speed_bandwidth: f64,
    /// Control (sampling) rate f_sample [Hz], 100 to 1e6.
    pub f_sample: f64,
    /// Current limit i_max [A peak], 1e-3 to 1e4.
    pub i_max: f64,
    /// DC-link voltage V_dc [V], 1 to 1e4.
    pub v_dc: f64,
    /// q-current step of the current-loop test i_q_step [A], −i_max to i_max.
    pub i_q_step: f64,
    /// Speed step of the speed-loop test, from standstill [rpm], −1e5 to 1e5.
    pub speed_step: f64,
    /// Duration of the speed step response t_end [s], above 0 up to 10 and at most
    /// 100 000 samples. The default, 20/ω_s plus three times the slew time
    /// J·Δω/T_max, settles the linear loop to 0.04 %. It is cut to 10 s or 100 000
    /// samples when longer.
    #[serde(default)]
    pub t_end: Option<f64>,
}

/// PI gains as the controllers derive them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FocGains {
    /// d-axis proportional gain kp_d = ω_c·L_d [V/A].
    pub kp_d: f64,
    /// d-axis integral gain ki_d = ω_c·R_s [V/(A·s)].
    pub ki_d: f64,
    /// q-axis proportional gain kp_q = ω_c·L_q [V/A].
    pub kp_q: f64,
    /// q-axis integral gain ki_q = ω_c·R_s [V/(A·s)].
    pub ki_q: f64,
    /// Speed proportional gain kp_ω = J·ω_s [N·m·s/rad].
    pub kp_speed: f64,
    /// Speed integral gain ki_ω = J·ω_s²/4 [N·m/rad].
    pub ki_speed: f64,
}

/// One sample of the current step response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentSample {
    /// Time since the step t [s].
    pub t: f64,
    /// d-axis current i_d [A].
    pub i_d: f64,
    /// q-axis current i_q [A].
    pub i_q: f64,
}

/// One sample of the speed step response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpeedSample {
    /// Time since the step t [s].
    pub t: f64,
    /// Mechanical speed n [rpm].
    pub speed: f64,
    /// Electromagnetic torque T_e [N·m].
    pub torque: f64,
    /// d-axis current i_d [A].
    pub i_d: f64,
    /// q-axis current i_q [A].
    pub i_q: f64,
}

/// One point of the torque-speed envelope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvelopePoint {
    /// Mechanical speed n [rpm].
    pub speed: f64,
    /// Largest torque within the current and voltage limits T_max [N·m].
    pub torque: f64,
    /// Mechanical power T_max·ω_m [W].
    pub power: f64,
    /// d-axis current at that point i_d [A].
    pub i_d: f64,
    /// q-axis current at that point i_q [A].
    pub i_q: f64,
}

/// FOC tuning response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FocTuningResponse {
    /// Controller gains.
    pub gains: FocGains,
    /// Voltage limit v_max = V_dc/√3 [V].
    pub v_max: f64,
    /// MTPA torque at i_max [N·m].
    pub torque_max: f64,
    /// Base speed: the highest speed where the MTPA point at i_max fits the voltage
    /// limit [rpm].
    pub base_speed: f64,
    /// Designed current-loop time constant 1/ω_c [s].
    pub current_time_constant: f64,
    /// Time for i_q to first reach 63.2 % of the step in the simulation [s]; absent
    /// when it never does.
    pub current_rise_time: Option<f64>,
    /// Current step response, at most 2000 samples.
    pub current_step: Vec<CurrentSample>,
    /// Speed step response, at most 2000 samples.
    pub speed_step: Vec<SpeedSample>,
    /// Torque-speed envelope from 0 to twice the base speed.
    pub envelope: Vec<EnvelopePoint>,
}

/// Validated inputs shared by the runs.
struct Setup {
    motor: MotorParams,
    ts: f64,
    omega_c: f64,
    omega_s: f64,
    j: f64,
    b: f64,
    i_max: f64,
    v_dc: f64,
}

/// Gains, step responses and torque-speed envelope of a PMSM under FOC.
///
/// Plant: the dq model of [`pelab_control::foc`] (amplitude-invariant, `ψ` the magnet
/// flux linkage) with the mechanics `J·dω_m/dt = T_e − b·ω_m`:
///
/// ```text
/// L_d·di_d/dt = v_d − R_s·i_d + ω_e·L_q·i_q
/// L_q·di_q/dt = v_q − R_s·i_q − ω_e·(L_d·i_d + ψ)
/// T_e = 1.5·p·(ψ·i_q + (L_d − L_q)·i_d·i_q),   ω_e = p·ω_m
/// ```
///
/// Controllers (all from `pelab-control`, sampled at `T_s = 1/f_sample`):
/// - [`DqCurrentController`] with cross-coupling feed-forward and clamping
///   anti-windup. Its gains `kp = ω_c·L`, `ki = ω_c·R_s` cancel the plant pole, so the
///   loop closes as `ω_c/(s + ω_c)`.
/// - [`SpeedController`] with `kp = J·ω_s`, `ki = J·ω_s²/4`, the gains of the `pmsm`
///   model kernel, which place a double pole at `ω_s/2`. Its torque limit is the MTPA
///   torque at `i_max`.
/// - [`ReferenceGenerator`] for MTPA and field weakening.
///
/// Step responses: each sample measures the currents and speed, and the voltage it
/// computes acts during the next sample period (one sample of computation delay,
/// zero-order hold). The current step keeps the rotor at standstill, where the axes
/// decouple into `L·di/dt = v − R_s·i`, and steps `i_q_ref` with `i_d_ref = 0`; each
/// sample advances the plant exactly. The speed step starts from standstill with no
/// load torque, and RK4 integrates the plant with substeps of at most `0.25/λ_max`
/// (λ_max the fastest of `R_s/L`, `ω_e` and `ω_c`).
///
/// Envelope: at each speed, the reference generator's answer to an unbounded torque
/// request under `v_max = V_dc/√3` and `i_max`, with `R_s` neglected as in its voltage
/// ellipse. Base speed: `ω_e,b = v_max/√((L_d·i_d0 + ψ)² + (L_q·i_q0)²)` with
/// `(i_d0, i_q0)` the MTPA point at `i_max`. The current circle, voltage ellipse, MTPA
/// and MTPV are derived in [`pelab_control::foc::fw`] and [`pelab_control::foc::mtpa`].
///
/// # Errors
/// [`CalcError`] for a field out of range, `l_d > l_q`, a bandwidth above its limit,
/// an electrical time constant below 1/100 of the sample period (`r_s`), fewer than 2π
/// samples per electrical period at the speed step (`speed_step`), more than
/// [`MAX_SAMPLES`] samples or a speed step that needs more than 4 000 000 RK4 steps
/// (`t_end`).
pub fn foc_tuning(req: &FocTuningRequest) -> Result<FocTuningResponse, CalcError> {
    let setup = validate(req)?;
    let motor = &setup.motor;
    let current = current_controller(&setup)?;
    let speed = speed_controller(&setup)?;

    let gains = FocGains {
        kp_d: current.pi_d().kp(),
        ki_d: current.pi_d().ki(),
        kp_q: current.pi_q().kp(),
        ki_q: current.pi_q().ki(),
        kp_speed: speed.pi().kp(),
        ki_speed: speed.pi().ki(),
    };

    let v_max = setup.v_dc / 3f64.sqrt();
    let i_d0 = mtpa_d_current(motor, setup.i_max);
    let i_q0 = (setup.i_max * setup.i_max - i_d0 * i_d0).max(0.0).sqrt();
    let torque_max = motor.torque(i_d0, i_q0);
    let flux =
        ((motor.l_d() * i_d0 + motor.lambda()).powi(2) + (motor.l_q() * i_q0).powi(2)).sqrt();
    let p = f64::from(motor.pole_pairs());
    let base_omega_m = v_max / flux / p;

    let (current_step, current_rise_time) = current_step_response(&setup, req.i_q_step)?;
    let speed_step = speed_step_response(&setup, req, torque_max)?;
    let envelope = envelope(&setup, base_omega_m, v_max, torque_max)?;

    Ok(FocTuningResponse {
        gains,
        v_max,
        torque_max,
        base_speed: base_omega_m / RPM,
        current_time_constant: 1.0 / setup.omega_c,
        current_rise_time,
        current_step,
        speed_step,
        envelope,
    })
}

fn validate(req: &FocTuningRequest) -> Result<Setup, CalcError> {
    let r_s = check("r_s", req.r_s, 0.0, 100.0, "Ω")?;
    let l_q = check("l_q", req.l_q, 1e-7, 1.0, "H")?;
    let l_d = check("l_d", req.l_d, 1e-7, l_q, "H (at most l_q)")?;
    let psi = check("psi", req.psi, 1e-5, 10.0, "Wb")?;
    let pole_pairs = check_count("pole_pairs", req.pole_pairs as usize, 1, 100)? as u32;
    let j = check("j", req.j, 1e-8, 1e3, "kg·m²")?;
    let b = check("b", req.b, 0.0, 1e3, "N·m·s/rad")?;

    let f_sample = check("f_sample", req.f_sample, 100.0, 1e6, "Hz")?;
    let ts = 1.0 / f_sample;
    let current_bw = check_above(
        "current_bandwidth",
        req.current_bandwidth,
        0.0,
        0.2 * f_sample / TAU,
        "Hz (0.2·f_sample/2π)",
    )?;
    let speed_bw = check_above(
        "speed_bandwidth",
        req.speed_bandwidth,
        0.0,
        0.2 * current_bw,
        "Hz (current_bandwidth/5)",
    )?;
    let i_max = check("i_max", req.i_max, 1e-3, 1e4, "A")?;
    let v_dc = check("v_dc", req.v_dc, 1.0, 1e4, "V")?;

    check("i_q_step", req.i_q_step, -i_max, i_max, "A (±i_max)")?;
    check("speed_step", req.speed_step, -1e5, 1e5, "rpm")?;

    if let Some(t) = req.t_end {
        check_above("t_end", t, 0.0, 10.0, "s")?;
        let samples = t * f_sample;
        if samples > MAX_SAMPLES as f64 {
            return Err(CalcError::new(
                "t_end",
                format!(
                    "{} (accepted: at most {MAX_SAMPLES} samples, {} s at f_sample = {f_sample} Hz)",
                    number(t),
                    number(MAX_SAMPLES as f64 / f_sample)
                ),
            ));
        }
    }

    let rate = r_s / l_d;
    if rate * ts > 100.0 {
        return Err(CalcError::new(
            "r_s",
            format!(
                "{} (accepted: L_d/R_s at least T_s/100 = {} s, because a shorter electrical time constant is below what the integrator resolves)",
                number(r_s),
                number(ts / 100.0)
            ),
        ));
    }

    // The linear speed loop overshoots by e⁻² = 13.5 % (error (1 − a·t)·e^(−a·t),
    // a = ω_s/2, least at a·t = 2). 50 % leaves room for torque saturation.
    let omega_e = 1.5 * req.speed_step.abs() * RPM * f64::from(pole_pairs);
    if omega_e * ts > 1.0 {
        return Err(CalcError::new(
            "speed_step",
            format!(
                "{} (accepted: |speed_step| up to {} rpm, so that f_sample gives 2π samples per electrical period with 50 % overshoot)",
                number(req.speed_step),
                number(1.0 / (ts * 1.5 * RPM * f64::from(pole_pairs)))
            ),
        ));
    }

    let motor = MotorParams::new(r_s, l_d, l_q, psi, pole_pairs).map_err(|e| {
        // MotorParams calls the flux linkage `lambda`, and the request calls it `psi`.
        let path = if e.field == "lambda" { "psi" } else { e.field };
        CalcError::new(path, e.to_string())
    })?;
    Ok(Setup {
        motor,
        ts,
        omega_c: TAU * current_bw,
        omega_s: TAU * speed_bw,
        j,
        b,
        i_max,
        v_dc,
    })
}

fn current_controller(s: &Setup) -> Result<DqCurrentController, CalcError> {
    DqCurrentController::new(CurrentLoopConfig {
        motor: s.motor,
        bandwidth: s.omega_c,
        ts: s.ts,
        anti_windup: AntiWindup::Clamping,
        decoupling: Decoupling::Cross,
    })
    .map_err(|e| CalcError::new("current_bandwidth", e.to_string()))
}

fn speed_controller(s: &Setup) -> Result<SpeedController, CalcError> {
    let i_d0 = mtpa_d_current(&s.motor, s.i_max);
    let i_q0 = (s.i_max * s.i_max - i_d0 * i_d0).max(0.0).sqrt();
    SpeedController::new(SpeedLoopConfig {
        kp: s.j * s.omega_s,
        ki: 0.25 * s.j * s.omega_s * s.omega_s,
        ts: s.ts,
        torque_max: s.motor.torque(i_d0, i_q0),
        anti_windup: AntiWindup::Clamping,
    })
    .map_err(|e| CalcError::new("speed_bandwidth", e.to_string()))
}

/// Plant state: `[i_d, i_q, ω_m]`.
type State = [f64; 3];

/// Time derivative of the plant state under the voltage `v`.
fn derivative(s: &Setup, x: &State, v: DqVoltage) -> State {
    let m = &s.motor;
    let omega_e = f64::from(m.pole_pairs()) * x[2];
    let di_d = (v.v_d - m.r_s() * x[0] + omega_e * m.l_q() * x[1]) / m.l_d();
    let di_q = (v.v_q - m.r_s() * x[1] - omega_e * (m.l_d() * x[0] + m.lambda())) / m.l_q();
    let domega = (m.torque(x[0], x[1]) - s.b * x[2]) / s.j;
    [di_d, di_q, domega]
}

/// Advances the plant by one sample period with `substeps` RK4 steps.
fn advance(s: &Setup, x: &mut State, v: DqVoltage, substeps: usize) {
    let h = s.ts / substeps as f64;
    for _ in 0..substeps {
        let k1 = derivative(s, x, v);
        let at =
            |k: &State, c: f64| -> State { [x[0] + c * k[0], x[1] + c * k[1], x[2] + c * k[2]] };
        let k2 = derivative(s, &at(&k1, 0.5 * h), v);
        let k3 = derivative(s, &at(&k2, 0.5 * h), v);
        let k4 = derivative(s, &at(&k3, h), v);
        for i in 0..3 {
            x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
}

/// RK4 substeps per sample for the fastest rate `rate` [1/s].
fn substeps(s: &Setup, omega_e_max: f64) -> usize {
    let m = &s.motor;
    let rate = (m.r_s() / m.l_d()).max(omega_e_max).max(s.omega_c);
    ((rate * s.ts / SUBSTEP_RATE).ceil() as usize).clamp(4, MAX_SUBSTEPS)
}

/// Advances one axis at standstill, `L·di/dt = v − R_s·i`, exactly over `ts` with `v`
/// held: `i ← i·e^(−x) + (v/R_s)·(1 − e^(−x))`, `x = R_s·ts/L`, and `i + v·ts/L` at
/// `R_s = 0`.
fn standstill_step(i: f64, v: f64, r_s: f64, l: f64, ts: f64) -> f64 {
    if r_s == 0.0 {
        return i + v * ts / l;
    }
    let x = r_s * ts / l;
    let decay = (-x).exp();
    i * decay - v / r_s * (-x).exp_m1()
}

/// Current step at standstill; returns the decimated response and the 63.2 % time.
fn current_step_response(
    s: &Setup,
    i_q_step: f64,
) -> Result<(Vec<CurrentSample>, Option<f64>), CalcError> {
    let mut controller = current_controller(s)?;
    let samples = ((10.0 / s.omega_c / s.ts).ceil() as usize).clamp(20, MAX_SAMPLES);
    let mut x: State = [0.0; 3];
    let mut applied = DqVoltage::default();
    let mut out = Vec::with_capacity(samples + 1);
    let mut rise = None;
    let target = (1.0 - (-1f64).exp()) * i_q_step;
    for k in 0..=samples {
        let t = k as f64 * s.ts;
        out.push(CurrentSample {
            t,
            i_d: x[0],
            i_q: x[1],
        });
        let command = controller.update(0.0, i_q_step, x[0], x[1], 0.0, s.v_dc);
        let before = x[1];
        x[0] = standstill_step(x[0], applied.v_d, s.motor.r_s(), s.motor.l_d(), s.ts);
        x[1] = standstill_step(x[1], applied.v_q, s.motor.r_s(), s.motor.l_q(), s.ts);
        applied = command;
        if rise.is_none() && i_q_step != 0.0 && (x[1] - target) * i_q_step.signum() >= 0.0 {
            // Linear interpolation within the sample.
            let fraction = (target - before) / (x[1] - before);
            rise = Some(t + fraction.clamp(0.0, 1.0) * s.ts);
        }
    }
    Ok((decimate(&out, MAX_POINTS), rise))
}

/// Speed step from standstill with the speed loop, reference generator and current
/// loop in cascade.
fn speed_step_response(
    s: &Setup,
    req: &FocTuningRequest,
    torque_max: f64,
) -> Result<Vec<SpeedSample>, CalcError> {
    let mut current = current_controller(s)?;
    let mut speed = speed_controller(s)?;
    let mut references = ReferenceGenerator::new(s.motor, s.i_max)
        .map_err(|e| CalcError::new("i_max", e.to_string()))?;
    let omega_ref = req.speed_step * RPM;
    let p = f64::from(s.motor.pole_pairs());

    // Default window: the speed error of the linear loop is (1 − a·t)·e^(−a·t) of the
    // step with a = ω_s/2, 0.04 % at 20/ω_s; a step that saturates the torque needs
    // three times its slew time J·Δω/T_max on top.
    let t_end = req
        .t_end
        .unwrap_or_else(|| (20.0 / s.omega_s + 3.0 * s.j * omega_ref.abs() / torque_max).min(10.0));
    let samples = ((t_end / s.ts).ceil() as usize).clamp(2, MAX_SAMPLES);
    let n_sub = substeps(s, 1.5 * omega_ref.abs() * p);
    if samples * n_sub > MAX_INTEGRATION_STEPS {
        return Err(CalcError::new(
            "t_end",
            format!(
                "{} s needs {} integration steps (accepted: at most {MAX_INTEGRATION_STEPS}); shorten t_end or raise speed_bandwidth",
                number(samples as f64 * s.ts),
                samples * n_sub
            ),
        ));
    }
    let v_plan = FW_MARGIN * s.v_dc / 3f64.sqrt();

    let mut x: State = [0.0; 3];
    let mut applied = DqVoltage::default();
    let mut out = Vec::with_capacity(samples + 1);
    for k in 0..=samples {
        let t = k as f64 * s.ts;
        out.push(SpeedSample {
            t,
            speed: x[2] / RPM,
            torque: s.motor.torque(x[0], x[1]),
            i_d: x[0],
            i_q: x[1],
        });
        let omega_e = p * x[2];
        let torque_ref = speed.update(omega_ref, x[2]);
        let r = references.update(torque_ref, omega_e, v_plan);
        let command = current.update(r.i_d, r.i_q, x[0], x[1], omega_e, s.v_dc);
        advance(s, &mut x, applied, n_sub);
        applied = command;
        if !x.iter().all(|v| v.is_finite()) {
            return Err(CalcError::new(
                "speed_step",
                format!("{} rpm: the simulation diverged", number(req.speed_step)),
            ));
        }
    }
    Ok(decimate(&out, MAX_POINTS))
}

/// Largest torque and power from standstill to twice the base speed.
fn envelope(
    s: &Setup,
    base_omega_m: f64,
    v_max: f64,
    torque_max: f64,
) -> Result<Vec<EnvelopePoint>, CalcError> {
    let mut references = ReferenceGenerator::new(s.motor, s.i_max)
        .map_err(|e| CalcError::new("i_max", e.to_string()))?;
    let p = f64::from(s.motor.pole_pairs());
    // Any torque request above the MTPA torque at i_max returns the most available.
    let request = 2.0 * torque_max;
    Ok((0..ENVELOPE_POINTS)
        .map(|k| {
            let omega_m = 2.0 * base_omega_m * k as f64 / (ENVELOPE_POINTS - 1) as f64;
            let r = references.update(request, p * omega_m, v_max);
            EnvelopePoint {
                speed: omega_m / RPM,
                torque: r.torque,
                power: r.torque * omega_m,
                i_d: r.i_d,
                i_q: r.i_q,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns a surface-mounted servo motor: 0.2 Ω, 1 mH, 0.05 Wb, 4 pole pairs, 20 A, 300 V.
    fn spm() -> FocTuningRequest {
        FocTuningRequest {
            r_s: 0.2,
            l_d: 1e-3,
            l_q: 1e-3,
            psi: 0.05,
            pole_pairs: 4,
            j: 2e-4,
            b: 0.0,
            current_bandwidth: 500.0,
            speed_bandwidth: 20.0,
            f_sample: 20e3,
            i_max: 20.0,
            v_dc: 300.0,
            i_q_step: 10.0,
            speed_step: 1000.0,
            t_end: None,
        }
    }

    #[test]
    fn gains_follow_the_bandwidths() {
        let r = foc_tuning(&spm()).unwrap();
        let w_c = TAU * 500.0;
        let w_s = TAU * 20.0;
        assert!((r.gains.kp_d - w_c * 1e-3).abs() < 1e-12);
        assert!((r.gains.ki_q - w_c * 0.2).abs() < 1e-9);
        assert!((r.gains.kp_speed - 2e-4 * w_s).abs() < 1e-12);
        assert!((r.gains.ki_speed - 0.25 * 2e-4 * w_s * w_s).abs() < 1e-9);
        // 1.5·4·0.05·20 = 6 N·m; base ω_e = (300/√3)/√(0.05² + 0.02²) = 3216 rad/s.
        assert!((r.torque_max - 6.0).abs() < 1e-12);
        let base = 300.0 / 3f64.sqrt() / (0.05f64.powi(2) + 0.02f64.powi(2)).sqrt() / 4.0 / RPM;
        assert!((r.base_speed - base).abs() < 1e-9 * base);
    }

    #[test]
    fn current_step_rise_time() {
        // The designed loop is the first order ω_c/(s + ω_c), so i_q reaches 63.2 % at
        // 1/ω_c. The sample of delay and the zero-order hold slow it, but the
        // forward-Euler integrator (pole 1 − ω_c·T_s) speeds it up by more. Measured:
        // 2 to 8 % early for ω_c·T_s from 0.06 to 0.2. ±25 % is the tolerance the loop
        // design promises up to its limit ω_c·T_s = 0.2 (the last case).
        for (bw, f_sample) in [
            (500.0, 20e3),
            (200.0, 20e3),
            (1000.0, 50e3),
            (100.0, 10e3),
            (636.0, 20e3),
        ] {
            let mut req = spm();
            req.current_bandwidth = bw;
            req.speed_bandwidth = bw / 10.0;
            req.f_sample = f_sample;
            let r = foc_tuning(&req).unwrap();
            let tau = 1.0 / (TAU * bw);
            let rise = r.current_rise_time.unwrap();
            eprintln!(
                "RISE {bw} {f_sample} {rise:.5e} {tau:.5e} {:.4}",
                rise / tau - 1.0
            );
            assert!(
                (rise - tau).abs() < 0.25 * tau,
                "{bw} Hz at {f_sample} Hz: {rise} s vs {tau} s"
            );
            // It settles at the reference without overshoot beyond 10 %.
            let last = r.current_step.last().unwrap();
            assert!((last.i_q - 10.0).abs() < 0.01, "{last:?}");
            let peak = r.current_step.iter().map(|s| s.i_q).fold(0.0, f64::max);
            assert!(peak < 11.0, "{peak}");
            assert!(r.current_step.len() <= MAX_POINTS);
        }
    }

    #[test]
    fn envelope_spm_below_base() {
        // l_d = l_q: MTPA is i_d = 0, so T = 1.5·p·ψ·i_max below base speed.
        let r = foc_tuning(&spm()).unwrap();
        let closed_form = 1.5 * 4.0 * 0.05 * 20.0;
        for point in r.envelope.iter().filter(|e| e.speed < 0.999 * r.base_speed) {
            assert!((point.torque - closed_form).abs() < 1e-9, "{point:?}");
        }
        assert_eq!(r.envelope.len(), ENVELOPE_POINTS);
    }

    #[test]
    fn envelope_ipm_below_base() {
        let mut req = spm();
        req.l_d = 0.6e-3;
        req.l_q = 1.5e-3;
        let r = foc_tuning(&req).unwrap();
        let motor = MotorParams::new(0.2, 0.6e-3, 1.5e-3, 0.05, 4).unwrap();
        let i_d = mtpa_d_current(&motor, 20.0);
        let t_mtpa = motor.torque(i_d, (400.0 - i_d * i_d).sqrt());
        assert!(
            t_mtpa > 6.0,
            "the reluctance torque adds to 6 N·m: {t_mtpa}"
        );
        for point in r.envelope.iter().filter(|e| e.speed < 0.999 * r.base_speed) {
            assert!((point.torque - t_mtpa).abs() < 1e-9 * t_mtpa, "{point:?}");
        }
    }

    #[test]
    fn envelope_power_above_base() {
        // SPM with ψ/L = i_max (characteristic current equal to the limit, the
        // infinite-speed design): on the current circle and voltage ellipse
        // L²·i_max² + 2·L·ψ·i_d + ψ² = (v_max/ω_e)², so i_d = i_max·((ω_b/ω)² − 1) and
        // P/P_b = √(2 − (ω_b/ω)²). The power never falls above base speed; it rises
        // by √1.75 = 1.32 at twice the base speed and tends to √2 — "flat" only in the
        // sense that it stays bounded and never drops.
        let mut req = spm();
        req.psi = 0.02; // = L·i_max
        let r = foc_tuning(&req).unwrap();
        let base = r.base_speed;
        let p_base = 1.5 * 4.0 * 0.02 * 20.0 * base * RPM;
        for point in r.envelope.iter().filter(|e| e.speed > base) {
            let ratio = base / point.speed;
            let expected = p_base * (2.0 - ratio * ratio).sqrt();
            assert!(
                (point.power - expected).abs() < 1e-6 * expected,
                "{point:?} vs {expected}"
            );
            assert!(point.power >= p_base * (1.0 - 1e-9));
        }
    }

    #[test]
    fn envelope_finite_speed_design() {
        // ψ/L = 3·i_max: the current circle cannot reach the ellipse centre, so the
        // torque vanishes at ω_e,max = v_max/(ψ − L·i_max) = √10/2 = 1.58 times base.
        let mut req = spm();
        req.psi = 0.06;
        let r = foc_tuning(&req).unwrap();
        let v_max = 300.0 / 3f64.sqrt();
        let n_max = v_max / (0.06 - 1e-3 * 20.0) / 4.0 / RPM;
        assert!((n_max / r.base_speed - 10f64.sqrt() / 2.0).abs() < 1e-9);
        for point in &r.envelope {
            if point.speed > 1.001 * n_max {
                assert!(point.torque.abs() < 1e-9, "{point:?}");
            } else if point.speed < 0.99 * n_max {
                assert!(point.power > 0.0 || point.speed == 0.0, "{point:?}");
            }
        }
    }

    #[test]
    fn speed_step_below_base() {
        let r = foc_tuning(&spm()).unwrap();
        let last = r.speed_step.last().unwrap();
        assert!((last.speed - 1000.0).abs() < 1.0, "{last:?}");
        for s in &r.speed_step {
            assert!(s.torque.abs() <= 6.0 * 1.05, "{s:?}");
        }
        assert!(r.speed_step.len() <= MAX_POINTS);
    }

    #[test]
    fn speed_step_field_weakening() {
        // 1.4 times base speed: the reference generator weakens the field.
        let mut req = spm();
        let base = foc_tuning(&req).unwrap().base_speed;
        req.speed_step = 1.4 * base;
        let r = foc_tuning(&req).unwrap();
        let last = r.speed_step.last().unwrap();
        assert!(
            (last.speed - req.speed_step).abs() < 0.01 * req.speed_step,
            "{last:?}"
        );
        assert!(
            last.i_d < -1.0,
            "field weakening draws negative i_d: {last:?}"
        );
    }

    #[test]
    fn standstill_step_matches_rk4() {
        // With the speed held near zero by a large inertia, RK4 at fine substeps and
        // the exact first-order step agree on a constant-voltage current rise.
        let mut req = spm();
        req.j = 1e3;
        let setup = validate(&req).unwrap();
        let v = DqVoltage {
            v_d: 2.0,
            v_q: -3.0,
        };
        let mut x: State = [0.0; 3];
        let (mut i_d, mut i_q) = (0.0, 0.0);
        for _ in 0..100 {
            advance(&setup, &mut x, v, 50);
            i_d = standstill_step(i_d, v.v_d, 0.2, 1e-3, setup.ts);
            i_q = standstill_step(i_q, v.v_q, 0.2, 1e-3, setup.ts);
        }
        // The rotor still turns by about 1e-5 rad/s, and its back-EMF and cross
        // coupling move the RK4 currents by about 1e-7 relative.
        assert!((x[0] - i_d).abs() < 1e-6 * i_d.abs(), "{} vs {i_d}", x[0]);
        assert!((x[1] - i_q).abs() < 1e-6 * i_q.abs(), "{} vs {i_q}", x[1]);
        // 100 samples of 50 µs are 5 ms = 1.0 L/R: i = (v/R)·(1 − e⁻¹).
        assert!((i_d - 10.0 * (1.0 - (-1f64).exp())).abs() < 1e-12);
        assert_eq!(standstill_step(1.0, 2.0, 0.0, 1e-3, 1e-4), 1.2);
    }

    #[test]
    fn rejects_long_stiff_speed_step() {
        // L/R = 2.5 µs at 20 kHz needs 80 RK4 steps a sample, 8 million in 5 s.
        let mut req = spm();
        req.r_s = 20.0;
        req.l_d = 5e-5;
        req.l_q = 5e-5;
        req.t_end = Some(5.0);
        let e = foc_tuning(&req).unwrap_err();
        assert_eq!(e.path, "t_end");
        assert!(e.message.contains("integration steps"), "{}", e.message);
        req.t_end = Some(0.5);
        assert!(foc_tuning(&req).is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        let mut req = spm();
        req.l_d = 2e-3;
        assert_eq!(foc_tuning(&req).unwrap_err().path, "l_d");
        req = spm();
        req.current_bandwidth = 1000.0;
        req.f_sample = 10e3;
        assert_eq!(foc_tuning(&req).unwrap_err().path, "current_bandwidth");
        req = spm();
        req.speed_bandwidth = 150.0;
        assert_eq!(foc_tuning(&req).unwrap_err().path, "speed_bandwidth");
        req = spm();
        req.i_q_step = 25.0;
        assert_eq!(foc_tuning(&req).unwrap_err().path, "i_q_step");
        req = spm();
        req.t_end = Some(6.0);
        assert_eq!(foc_tuning(&req).unwrap_err().path, "t_end");
        req = spm();
        req.psi = f64::NAN;
        assert_eq!(foc_tuning(&req).unwrap_err().path, "psi");
    }
}
