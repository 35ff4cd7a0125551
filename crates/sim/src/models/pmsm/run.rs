//! The run: control samples, PWM edges and deadtimes as events, RK4 between them.
//!
//! Time advances from one control sample to the next. Inside a sample interval the
//! switching level stops at every commanded edge and at the end of every deadtime,
//! so each RK4 step has one fixed gate state and the edges fall exactly on step
//! boundaries. Steps are at most `0.5/λ_max` long (see [`Plant::rk4_step`]) and no
//! longer than the output step.

use pelab_control::foc::ReferenceLimit;
use pelab_control::svpwm::ModulationStatus;

use super::control::{Command, Foc, Measurement};
use super::machine::{I_D, I_Q, LegDrive, OMEGA_M, Plant, PlantOutputs, STATES, THETA_E, V_CAP};
use super::params::{DriveConfig, RAD_PER_S_PER_RPM};
use super::results::{Accumulator, SampleStats, summarise};
use crate::engine::SimError;
use crate::kernels::params::DesignError;
use crate::models::three_phase::{InverterModel, LegGates, carrier_segments};
use crate::models::{
    ModelLimits, ModelOutput, ModelRun, check_finite, model_recorder, record_error,
};

/// Recorded signals, in order, with their units.
pub const SIGNALS: [(&str, &str); 20] = [
    ("i_d", "A"),
    ("i_q", "A"),
    ("i_d_ref", "A"),
    ("i_q_ref", "A"),
    ("torque", "N·m"),
    ("torque_ref", "N·m"),
    ("speed_rpm", "rpm"),
    ("omega_m", "rad/s"),
    ("i_a", "A"),
    ("i_b", "A"),
    ("i_c", "A"),
    ("v_dc", "V"),
    ("i_cap", "A"),
    ("i_dc", "A"),
    ("v_d", "V"),
    ("v_q", "V"),
    ("duty_a", "1"),
    ("duty_b", "1"),
    ("duty_c", "1"),
    ("load_torque", "N·m"),
];

/// A built drive, ready to run.
pub struct DriveRun {
    config: DriveConfig,
    foc: Foc,
}

impl DriveRun {
    /// Builds the controllers.
    ///
    /// # Errors
    /// [`DesignError`] at `control.FIELD` when a loop setting is rejected.
    pub fn new(config: DriveConfig) -> Result<Self, DesignError> {
        let foc = Foc::new(config.foc.clone()).map_err(|e| {
            let hint = match (e.field, config.samples_per_period) {
                ("current_bandwidth", 1) => "; to go higher, raise parameters.f_sw or sample twice per period (control.sampling = \"double\")",
                ("current_bandwidth", _) => "; to go higher, raise parameters.f_sw",
                _ => "",
            };
            DesignError::new(format!("control.{}", e.field), format!("{}{hint}", e.message))
        })?;
        Ok(Self { config, foc })
    }

    fn expected_samples(&self) -> usize {
        let c = &self.config;
        ((c.t_stop - c.record_from) / c.output_step).ceil() as usize + 2
    }
}

/// One gate command of a sample interval: time, leg and commanded upper switch.
type GateEvent = (f64, usize, bool);

impl ModelRun for DriveRun {
    fn expected_samples(&self) -> usize {
        DriveRun::expected_samples(self)
    }

    fn describe(&self) -> String {
        let c = &self.config;
        let level = match c.model {
            InverterModel::Switching => "switching",
            InverterModel::Averaged => "averaged",
        };
        format!(
            "6 states, {} inverter, {:.0} Hz PWM, {} control sample(s) per period, {} samples",
            level,
            c.plant.legs.f_sw,
            c.samples_per_period,
            self.expected_samples()
        )
    }

    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let c = &self.config;
        let plant: &Plant = &c.plant;
        let period = c.period();
        let ts = period / c.samples_per_period as f64;
        let t_dead = plant.legs.t_dead;
        let mut recorder = model_recorder(&SIGNALS, self.expected_samples(), limits)?;

        let mut x = [0.0; STATES];
        x[OMEGA_M] = c.omega0;
        x[V_CAP] = plant.link.v_source;
        let mut gates = [LegGates::new(); 3];
        // Duties before the first command: zero voltage.
        let mut applied = Command {
            duties: [0.5; 3],
            i_d_ref: 0.0,
            i_q_ref: 0.0,
            torque_ref: 0.0,
            v_d_ref: 0.0,
            v_q_ref: 0.0,
            modulation: ModulationStatus::Linear,
            limit: ReferenceLimit::None,
        };
        let mut accumulator = Accumulator::new();
        let mut stats = SampleStats::default();
        // Samples fall exactly on the output grid `record_from + n·output_step`:
        // grid times are step boundaries, so a switched signal is never
        // interpolated across an edge.
        let mut record_index = 0usize;
        let mut next_record = c.record_from;
        let load_steps: Vec<f64> = plant.machine.load.steps.iter().map(|s| s.0).collect();
        let mut steps = 0usize;
        // The step count grows with t_stop·f_sw (about 27 steps per 20 kHz period
        // with a 5 µs DC link). `DriveConfig::from_inputs` rejects runs beyond
        // `MAX_PERIODS` control periods, and the recorder budgets the samples.
        let samples = (c.t_stop / ts).ceil() as usize;
        let mut first_half_duties = applied.duties;

        for k in 0..samples {
            let t_start = k as f64 * ts;
            let t_end = ((k + 1) as f64 * ts).min(c.t_stop);
            if t_end <= t_start {
                break;
            }
            for (name, index) in [
                ("i_d", I_D),
                ("i_q", I_Q),
                ("omega_m", OMEGA_M),
                ("v_cap", V_CAP),
            ] {
                check_finite(t_start, name, x[index])?;
            }

            // Sample, compute, and keep the command for the next interval.
            let (_, now) = plant.derivative(t_start, &x, &LegDrive::Averaged(applied.duties));
            let command = self.foc.sample(&Measurement {
                t: t_start,
                i_d: x[I_D],
                i_q: x[I_Q],
                omega_m: x[OMEGA_M],
                theta_e: x[THETA_E],
                v_dc: now.v_dc,
            });
            let acting = applied;
            applied = command;
            if t_start >= c.steady_from {
                stats.add(&acting, now.v_dc);
            }

            // Gate events of this interval.
            let mut events: [GateEvent; 12] = [(f64::INFINITY, 0, false); 12];
            let mut count = 0;
            if c.model == InverterModel::Switching {
                let half = k % c.samples_per_period;
                let period_start = t_start - half as f64 * ts;
                if half == 0 {
                    first_half_duties = acting.duties;
                }
                for (leg, (&d_first, &d_second)) in
                    first_half_duties.iter().zip(&acting.duties).enumerate()
                {
                    let segments = carrier_segments(period_start, period, d_first, d_second);
                    let range = match (c.samples_per_period, half) {
                        (1, _) => 0..4,
                        (_, 0) => 0..2,
                        _ => 2..4,
                    };
                    for &(t, upper) in &segments[range] {
                        if t < t_end {
                            events[count] = (t.max(t_start), leg, upper);
                            count += 1;
                        }
                    }
                }
                events[..count].sort_by(|a, b| a.0.total_cmp(&b.0));
            }

            let h_max = (0.5 / plant.fastest_rate(plant.machine.pole_pairs * x[OMEGA_M]))
                .min(c.output_step)
                .min(ts);
            let mut t = t_start;
            let mut next_event = 0;
            while t < t_end {
                let drive = match c.model {
                    InverterModel::Averaged => LegDrive::Averaged(acting.duties),
                    InverterModel::Switching => {
                        while next_event < count && events[next_event].0 <= t {
                            let (_, leg, upper) = events[next_event];
                            gates[leg].command(t, upper, t_dead);
                            next_event += 1;
                        }
                        for g in gates.iter_mut() {
                            g.advance(t);
                        }
                        LegDrive::Switching([gates[0].state(), gates[1].state(), gates[2].state()])
                    }
                };
                let mut t_next = t_end;
                if next_event < count {
                    t_next = t_next.min(events[next_event].0);
                }
                for g in &gates {
                    if let Some(on) = g.pending() {
                        t_next = t_next.min(on);
                    }
                }
                if next_record > t {
                    t_next = t_next.min(next_record);
                }
                if let Some(&step) = load_steps.iter().find(|&&step| step > t) {
                    t_next = t_next.min(step);
                }
                if c.steady_from > t {
                    t_next = t_next.min(c.steady_from);
                }

                let span = t_next - t;
                let substeps = (span / h_max).ceil().max(1.0) as usize;
                let h = span / substeps as f64;
                let (mut k1, mut start) = plant.derivative(t, &x, &drive);
                if t >= next_record {
                    record(&mut recorder, t, &x, &start, &acting)?;
                    record_index += 1;
                    next_record = c.record_from + record_index as f64 * c.output_step;
                }
                for j in 0..substeps {
                    let t_a = t + j as f64 * h;
                    let t_b = if j + 1 == substeps { t_next } else { t_a + h };
                    let (k_end, end) = plant.rk4_step(t_a, &mut x, t_b - t_a, &drive, &k1);
                    steps += 1;
                    if t_a >= c.steady_from {
                        accumulator.add(t_b - t_a, &start, &end);
                    }
                    if t_b >= next_record {
                        record(&mut recorder, t_b, &x, &end, &acting)?;
                        while next_record <= t_b {
                            record_index += 1;
                            next_record = c.record_from + record_index as f64 * c.output_step;
                        }
                    }
                    k1 = k_end;
                    start = end;
                }
                t = t_next;
            }
            if k % 2000 == 0 {
                progress(t_end / c.t_stop);
            }
        }
        progress(1.0);

        let results = summarise(c, &accumulator, &stats, x[OMEGA_M] / RAD_PER_S_PER_RPM)?;
        Ok(ModelOutput {
            waveforms: recorder.into_waveforms(),
            results,
            steps,
        })
    }
}

fn record(
    recorder: &mut pelab_waveform::Recorder,
    t: f64,
    x: &[f64; STATES],
    out: &PlantOutputs,
    command: &Command,
) -> Result<(), SimError> {
    let values = [
        x[I_D],
        x[I_Q],
        command.i_d_ref,
        command.i_q_ref,
        out.torque,
        command.torque_ref,
        x[OMEGA_M] / RAD_PER_S_PER_RPM,
        x[OMEGA_M],
        out.i_abc[0],
        out.i_abc[1],
        out.i_abc[2],
        out.v_dc,
        out.i_cap,
        out.i_source,
        out.v_d,
        out.v_q,
        command.duties[0],
        command.duties[1],
        command.duties[2],
        out.load_torque,
    ];
    recorder.push(t, &values).map_err(record_error)?;
    Ok(())
}
