//! Steady-state metrics of a drive run, the torque-speed envelope and the device
//! losses at the operating point.
//!
//! The window metrics are time integrals over the RK4 steps that start at or after
//! `steady_state_from`, by the trapezoidal rule with both ends of each step taken
//! under that step's gate state. Every PWM edge is a step boundary, so a switched
//! quantity such as the capacitor current is integrated without smearing its edges.

use pelab_components::loss::{InverterOperatingPoint, Modulation, inverter_losses};
use pelab_control::foc::{MotorParams, ReferenceGenerator, ReferenceLimit, mtpa_d_current};
use pelab_control::svpwm::{ModulationStatus, ZeroSequence};

use super::control::Command;
use super::machine::PlantOutputs;
use super::params::{DriveConfig, RAD_PER_S_PER_RPM};
use crate::engine::SimError;
use crate::models::{ModelResults, Table};

/// Time integrals over the metrics window.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    duration: f64,
    i_d: f64,
    i_q: f64,
    v_d: f64,
    v_q: f64,
    torque: f64,
    omega_m: f64,
    phase_square: f64,
    v_dc: f64,
    i_source: f64,
    i_cap: f64,
    i_cap_square: f64,
    p_elec: f64,
    p_dc: f64,
    p_shaft: f64,
    copper: f64,
    v_dc_min: f64,
    /// Highest DC-link voltage in the window [V].
    pub v_dc_max: f64,
    /// Largest instantaneous phase current magnitude in the window [A].
    pub i_phase_max: f64,
}

impl Accumulator {
    /// Creates an empty window.
    pub fn new() -> Self {
        Self {
            v_dc_min: f64::INFINITY,
            v_dc_max: f64::NEG_INFINITY,
            ..Self::default()
        }
    }

    /// Adds a step of length `h` [s] with the outputs at its start and end.
    pub fn add(&mut self, h: f64, start: &PlantOutputs, end: &PlantOutputs) {
        let w = 0.5 * h;
        let both = |f: &dyn Fn(&PlantOutputs) -> f64| w * (f(start) + f(end));
        self.duration += h;
        self.i_d += both(&|o| o.i_d);
        self.i_q += both(&|o| o.i_q);
        self.v_d += both(&|o| o.v_d);
        self.v_q += both(&|o| o.v_q);
        self.torque += both(&|o| o.torque);
        self.omega_m += both(&|o| o.omega_m);
        self.phase_square +=
            both(&|o| (o.i_abc[0].powi(2) + o.i_abc[1].powi(2) + o.i_abc[2].powi(2)) / 3.0);
        self.v_dc += both(&|o| o.v_dc);
        self.i_source += both(&|o| o.i_source);
        self.i_cap += both(&|o| o.i_cap);
        self.i_cap_square += both(&|o| o.i_cap * o.i_cap);
        self.p_elec += both(&|o| 1.5 * (o.v_d * o.i_d + o.v_q * o.i_q));
        self.p_dc += both(&|o| o.v_dc * (o.i_source - o.i_cap));
        self.p_shaft += both(&|o| (o.torque - o.friction_torque) * o.omega_m);
        self.copper += both(&|o| o.copper_loss);
        for o in [start, end] {
            self.v_dc_min = self.v_dc_min.min(o.v_dc);
            self.v_dc_max = self.v_dc_max.max(o.v_dc);
            for i in o.i_abc {
                self.i_phase_max = self.i_phase_max.max(i.abs());
            }
        }
    }

    fn mean(&self, integral: f64) -> f64 {
        integral / self.duration
    }
}

/// Per-sample statistics of the controller over the metrics window.
#[derive(Debug, Clone, Default)]
pub struct SampleStats {
    count: usize,
    modulation_index: f64,
    overmodulated: usize,
    clamped: usize,
    field_weakening: usize,
    current_limited: usize,
    unreachable: usize,
    i_d_ref: f64,
    i_q_ref: f64,
    torque_ref: f64,
}

impl SampleStats {
    /// Adds the command acting over one sample interval on the link voltage `v_dc`.
    pub fn add(&mut self, command: &Command, v_dc: f64) {
        self.count += 1;
        let v = command.v_d_ref.hypot(command.v_q_ref);
        self.modulation_index += v / (0.5 * v_dc);
        match command.modulation {
            ModulationStatus::Overmodulation => self.overmodulated += 1,
            ModulationStatus::Clamped => self.clamped += 1,
            _ => {}
        }
        match command.limit {
            ReferenceLimit::Voltage
            | ReferenceLimit::CurrentAndVoltage
            | ReferenceLimit::MaxTorquePerVolt => self.field_weakening += 1,
            ReferenceLimit::Current => self.current_limited += 1,
            ReferenceLimit::Unreachable => self.unreachable += 1,
            _ => {}
        }
        self.i_d_ref += command.i_d_ref;
        self.i_q_ref += command.i_q_ref;
        self.torque_ref += command.torque_ref;
    }
}

/// Builds the results of a run.
///
/// # Errors
/// [`SimError::InvalidOption`] when the metrics window contains no step.
pub fn summarise(
    c: &DriveConfig,
    acc: &Accumulator,
    stats: &SampleStats,
    final_speed_rpm: f64,
) -> Result<ModelResults, SimError> {
    if acc.duration <= 0.0 || stats.count == 0 {
        return Err(SimError::InvalidOption {
            field: "simulation.steady_state_from".into(),
            value: format!("{}", c.steady_from),
            expected: "a time before t_stop that leaves at least one control sample".into(),
        });
    }
    let mut r = ModelResults {
        steady_state_from: c.steady_from,
        t_stop: c.t_stop,
        switching_frequency: Some(c.plant.legs.f_sw),
        ..ModelResults::default()
    };
    let n = stats.count as f64;
    let i_d = acc.mean(acc.i_d);
    let i_q = acc.mean(acc.i_q);
    let v_d = acc.mean(acc.v_d);
    let v_q = acc.mean(acc.v_q);
    let omega_m = acc.mean(acc.omega_m);
    let v_dc = acc.mean(acc.v_dc);
    let i_cap_mean = acc.mean(acc.i_cap);
    let p_elec = acc.mean(acc.p_elec);
    let p_shaft = acc.mean(acc.p_shaft);
    let p_dc = acc.mean(acc.p_dc);

    r.metric(
        "torque",
        acc.mean(acc.torque),
        "N·m",
        "mean electromagnetic torque",
    );
    r.metric(
        "torque_ref",
        stats.torque_ref / n,
        "N·m",
        "mean torque of the current references",
    );
    r.metric(
        "speed_rpm",
        omega_m / RAD_PER_S_PER_RPM,
        "rpm",
        "mean mechanical speed",
    );
    r.metric("omega_m", omega_m, "rad/s", "mean mechanical speed");
    r.metric(
        "speed_final_rpm",
        final_speed_rpm,
        "rpm",
        "speed at the end of the run",
    );
    r.metric("i_d", i_d, "A", "mean d-axis current");
    r.metric("i_q", i_q, "A", "mean q-axis current");
    r.metric(
        "i_d_ref",
        stats.i_d_ref / n,
        "A",
        "mean d-axis current reference",
    );
    r.metric(
        "i_q_ref",
        stats.i_q_ref / n,
        "A",
        "mean q-axis current reference",
    );
    r.metric(
        "v_d",
        v_d,
        "V",
        "mean d-axis stator voltage (fundamental in the rotor frame)",
    );
    r.metric("v_q", v_q, "V", "mean q-axis stator voltage");
    r.metric(
        "modulation_index",
        stats.modulation_index / n,
        "1",
        "mean commanded peak phase voltage over v_dc/2 (linear SVPWM up to 2/√3)",
    );
    r.metric(
        "i_phase_rms",
        acc.mean(acc.phase_square).sqrt(),
        "A",
        "phase current RMS, ripple included",
    );
    r.metric(
        "i_dc",
        acc.mean(acc.i_source),
        "A",
        "mean DC source current",
    );
    r.metric("v_dc", v_dc, "V", "mean DC-link voltage at the inverter");
    let ripple_square = (acc.mean(acc.i_cap_square) - i_cap_mean * i_cap_mean).max(0.0);
    r.metric(
        "i_cap_rms",
        ripple_square.sqrt(),
        "A",
        "DC-link capacitor ripple current RMS",
    );
    r.metric(
        "v_dc_ripple_pp",
        acc.v_dc_max - acc.v_dc_min,
        "V",
        "DC-link voltage ripple, peak to peak",
    );
    r.metric("p_dc", p_dc, "W", "inverter input power v_dc·i_inv");
    r.metric(
        "p_elec",
        p_elec,
        "W",
        "machine electrical input power 1.5·(v_d·i_d + v_q·i_q)",
    );
    r.metric("p_mech", p_shaft, "W", "shaft power (T_e − B·ω_m)·ω_m");
    r.metric(
        "p_copper",
        acc.mean(acc.copper),
        "W",
        "stator copper loss 1.5·R_s·(i_d² + i_q²)",
    );
    if p_elec > 0.0 && p_shaft > 0.0 {
        r.metric(
            "efficiency_machine",
            p_shaft / p_elec,
            "1",
            "shaft power over electrical power (motoring)",
        );
    } else if p_elec < 0.0 && p_shaft < 0.0 {
        r.metric(
            "efficiency_machine",
            p_elec / p_shaft,
            "1",
            "electrical power over shaft power (generating)",
        );
    } else {
        r.warnings.push(format!(
            "efficiency_machine not computed: electrical power {p_elec:.1} W and shaft power {p_shaft:.1} W do not share a direction"
        ));
    }
    if p_dc.abs() > 0.0 && p_elec * p_dc > 0.0 {
        let eta = if p_dc > 0.0 {
            p_elec / p_dc
        } else {
            p_dc / p_elec
        };
        r.metric(
            "efficiency_inverter_circuit",
            eta,
            "1",
            "inverter efficiency of the circuit model: conduction drops of r_on, v_f and r_d only, no switching loss",
        );
    }
    let share = |k: usize| k as f64 / n;
    if stats.overmodulated + stats.clamped > 0 {
        r.warnings.push(format!(
            "overmodulation in {:.1} % of the window's samples ({:.1} % clamped to the hexagon): the phase voltages carry low-order harmonics",
            100.0 * share(stats.overmodulated + stats.clamped),
            100.0 * share(stats.clamped)
        ));
    }
    if stats.current_limited > 0 {
        r.warnings.push(format!(
            "torque reference limited by i_max = {} A in {:.1} % of the window's samples",
            c.foc.i_max,
            100.0 * share(stats.current_limited)
        ));
    }
    if stats.unreachable > 0 {
        r.warnings.push(format!(
            "no current within i_max meets the voltage limit in {:.1} % of the window's samples; the references fell back to i_d = −i_max",
            100.0 * share(stats.unreachable)
        ));
    }
    r.metric(
        "field_weakening_share",
        share(stats.field_weakening),
        "1",
        "share of window samples with voltage-limited references",
    );

    let phi = power_factor_angle((i_d, i_q), (v_d, v_q));
    r.metric(
        "i_phase_peak",
        i_d.hypot(i_q),
        "A",
        "fundamental phase current amplitude |i_dq|",
    );
    r.metric(
        "phi",
        phi,
        "°",
        "power-factor angle ∠v_dq − ∠i_dq of the window means, positive when the current lags",
    );
    r.metric(
        "power_factor",
        phi.to_radians().cos(),
        "1",
        "displacement power factor cos φ",
    );

    envelope(c, &mut r);
    let devices = device_losses(c, &mut r, (i_d, i_q), (v_d, v_q), v_dc);
    if let Some(devices) = &devices {
        super::checks::datasheet_efficiency(p_elec, devices.total_w, &mut r);
    }
    super::checks::ratings(c, acc, devices.as_ref(), &mut r);
    super::checks::reference_miss(
        c,
        omega_m / RAD_PER_S_PER_RPM,
        acc.mean(acc.torque),
        final_speed_rpm,
        &mut r,
    );
    r.warnings.extend(c.notes.iter().cloned());
    Ok(r)
}

/// Angle [°] from the current vector `i` to the voltage vector `v`, in (−180, 180].
fn power_factor_angle(i: (f64, f64), v: (f64, f64)) -> f64 {
    let mut phi = (v.1.atan2(v.0) - i.1.atan2(i.0)).to_degrees();
    if phi > 180.0 {
        phi -= 360.0;
    } else if phi <= -180.0 {
        phi += 360.0;
    }
    phi
}

/// Largest MTPA torque at `i_max` and its currents.
fn torque_at_current_limit(motor: &MotorParams, i_max: f64) -> (f64, f64, f64) {
    let i_d = mtpa_d_current(motor, i_max);
    let i_q = (i_max * i_max - i_d * i_d).max(0.0).sqrt();
    (motor.torque(i_d, i_q), i_d, i_q)
}

/// Adds `base_speed_rpm`, `torque_max` and the table `torque_speed_envelope`.
///
/// Each row is the reference generator's output for an unbounded torque request at
/// that speed with the voltage limit `m_fw·V_src/√3`: MTPA at `i_max` below base
/// speed, the circle–ellipse intersection in field weakening, MTPV beyond. The
/// ellipse neglects `R_s·i`, so the columns `v_d`, `v_q` and `voltage_use` recompute
/// the steady-state voltages with the resistance to show the margin left.
fn envelope(c: &DriveConfig, r: &mut ModelResults) {
    let motor = c.foc.motor;
    let m = &c.plant.machine;
    let v_max = c.foc.fw_margin * c.plant.link.v_source / 3f64.sqrt();
    let (t_max, i_d_max, i_q_max) = torque_at_current_limit(&motor, c.foc.i_max);
    let flux = (m.l_d * i_d_max + m.psi).hypot(m.l_q * i_q_max);
    let base_rpm = v_max / flux / m.pole_pairs / RAD_PER_S_PER_RPM;
    r.metric("torque_max", t_max, "N·m", "MTPA torque at i_max");
    r.metric(
        "base_speed_rpm",
        base_rpm,
        "rpm",
        "highest speed of torque_max within the voltage limit (R_s·i neglected)",
    );

    let n_max = c.envelope_n_max.unwrap_or(4.0 * base_rpm);
    let mut table = Table::new(
        "torque_speed_envelope",
        "maximum torque and power vs speed for the source voltage and i_max; region 0 = MTPA, 1 = field weakening at i_max, 2 = MTPV, 3 = unreachable",
        &[
            ("speed", "rpm"),
            ("torque", "N·m"),
            ("power", "W"),
            ("i_d", "A"),
            ("i_q", "A"),
            ("v_d", "V"),
            ("v_q", "V"),
            ("voltage_use", "1"),
            ("region", "1"),
        ],
    );
    let Ok(mut generator) = ReferenceGenerator::new(motor, c.foc.i_max) else {
        return;
    };
    let rows = c.envelope_points.max(2);
    for k in 0..rows {
        let n = n_max * k as f64 / (rows - 1) as f64;
        let omega_m = n * RAD_PER_S_PER_RPM;
        let omega_e = m.pole_pairs * omega_m;
        let reference = generator.update(1e3 * t_max, omega_e, v_max);
        let (v_d, v_q) = m.steady_voltages(reference.i_d, reference.i_q, omega_e);
        let region = match reference.limit {
            ReferenceLimit::None | ReferenceLimit::Current => 0.0,
            ReferenceLimit::Voltage | ReferenceLimit::CurrentAndVoltage => 1.0,
            ReferenceLimit::MaxTorquePerVolt => 2.0,
            ReferenceLimit::Unreachable | ReferenceLimit::InvalidInput => 3.0,
        };
        table.rows.push(vec![
            n,
            reference.torque,
            reference.torque * omega_m,
            reference.i_d,
            reference.i_q,
            v_d,
            v_q,
            v_d.hypot(v_q) / (c.plant.link.v_source / 3f64.sqrt()),
            region,
        ]);
    }
    r.tables.push(table);
}

/// Adds `loss_S1` … `loss_S6`, `tj_S1` … and `loss_inverter` for the parts in
/// `[devices]`, with the op-point model of `pelab_components::loss::inverter_losses`.
///
/// Operating point from the window means: `Î = |i_dq|`, `m = |v_dq|/(v_dc/2)`,
/// `φ = ∠v_dq − ∠i_dq`. By the symmetry of the three legs every position of a part
/// dissipates the same mean power. Junction temperature: `[thermal].tj` with the fixed
/// model; with the coupled model, the steady state
/// `T_j = T_amb + P·(R_th,jc + R_th,cs) + P_inv·R_th,ha` by fixed-point iteration,
/// because the losses depend on `T_j`.
fn device_losses(
    c: &DriveConfig,
    r: &mut ModelResults,
    i: (f64, f64),
    v: (f64, f64),
    v_dc: f64,
) -> Option<DeviceLosses> {
    if c.devices.is_empty() {
        return None;
    }
    if !matches!(c.foc.modulation, ZeroSequence::MinMax) {
        r.warnings.push(
            "device losses use continuous SVPWM duties: the op-point model has no DPWM, so switching losses are overestimated by up to a third".into(),
        );
    }
    let i_peak = i.0.hypot(i.1);
    let m = v.0.hypot(v.1) / (0.5 * v_dc);
    let phi = power_factor_angle(i, v);
    let coupled = c.thermal.text("model") == "coupled";
    let t_amb = c.thermal.number("t_ambient");
    let r_cs = c.thermal.optional_number("r_th_cs").unwrap_or(0.0);
    let r_ha = c.thermal.optional_number("r_th_ha").unwrap_or(0.0);

    let mut tj: Vec<f64> = vec![
        if coupled {
            t_amb
        } else {
            c.thermal.number("tj")
        };
        c.devices.len()
    ];
    let mut losses = vec![0.0; c.devices.len()];
    // Positions holding the same part see the same operating point, so one loss
    // evaluation serves them all: `first[k]` is the first position with k's part.
    let first: Vec<usize> = c
        .devices
        .iter()
        .map(|d| {
            c.devices
                .iter()
                .position(|e| e.part == d.part)
                .unwrap_or_default()
        })
        .collect();
    // The losses rise slowly with T_j, so the fixed-point iteration contracts unless
    // the loop runs away thermally. It stops once no T_j moves by 1 mK.
    const MAX_PASSES: usize = 50;
    const TJ_TOLERANCE_K: f64 = 1e-3;
    let passes = if coupled { MAX_PASSES } else { 1 };
    let mut converged = !coupled;
    for _ in 0..passes {
        for (k, device) in c.devices.iter().enumerate() {
            if first[k] != k {
                losses[k] = losses[first[k]];
                continue;
            }
            let point = InverterOperatingPoint {
                v_dc_v: v_dc,
                i_peak_a: i_peak,
                m: m.min(2.0 / 3f64.sqrt()),
                phi_deg: phi,
                f_sw_hz: c.plant.legs.f_sw,
                tj_c: tj[k].clamp(-55.0, 250.0),
                modulation: Modulation::Svpwm,
                synchronous_rectification: true,
            };
            match inverter_losses(device.model.as_ref(), &point) {
                Ok(l) => losses[k] = l.position.total_w,
                Err(e) => {
                    r.warnings.push(format!(
                        "{} ({}): losses not computed: {e}",
                        device.position, device.part
                    ));
                    return None;
                }
            }
        }
        if coupled {
            let total: f64 = losses.iter().sum::<f64>() * 6.0 / c.devices.len() as f64;
            let mut largest_change: f64 = 0.0;
            for (k, device) in c.devices.iter().enumerate() {
                let r_jc = device.model.thermal_resistance_jc().unwrap_or(0.0);
                let next = t_amb + losses[k] * (r_jc + r_cs) + total * r_ha;
                largest_change = largest_change.max((next - tj[k]).abs());
                tj[k] = next;
            }
            if largest_change < TJ_TOLERANCE_K {
                converged = true;
                break;
            }
        }
    }
    if !converged {
        r.warnings.push(format!(
            "junction temperatures still moved by more than {TJ_TOLERANCE_K} K after {MAX_PASSES} passes of the coupled loss and thermal iteration: the cooling may not hold these losses (thermal runaway)"
        ));
    }
    for (k, device) in c.devices.iter().enumerate() {
        let name = device.position;
        r.metric(
            &format!("loss_{name}"),
            losses[k],
            "W",
            "mean loss of the position at the steady-state operating point",
        );
        r.metric(
            &format!("tj_{name}"),
            tj[k],
            "°C",
            "junction temperature of the position",
        );
        // Positions of one part share their temperature, so the warning names the first.
        if tj[k] > 250.0 && first[k] == k {
            r.warnings.push(format!(
                "{name} ({}): junction temperature {:.0} °C beyond the loss model's 250 °C range",
                device.part, tj[k]
            ));
        }
    }
    let total_w = losses.iter().sum::<f64>() * 6.0 / c.devices.len() as f64;
    r.metric(
        "loss_inverter",
        total_w,
        "W",
        "inverter semiconductor loss from the parts' datasheets, six positions (positions not in [devices] counted as the mean of those given)",
    );
    Some(DeviceLosses { tj_c: tj, total_w })
}

/// Outcome of [`device_losses`].
pub struct DeviceLosses {
    /// Junction temperature of each position in `[devices]`, in order [°C].
    pub tj_c: Vec<f64>,
    /// Inverter loss, six positions [W].
    pub total_w: f64,
}
