//! The time loop of the drive-cycle model, its waveforms and its metrics.

use pelab_components::loss::Modulation;
use pelab_components::semiconductor::Transistor;

use super::cycle::{Cycle, CycleCursor};
use super::inverter::{Junction, JunctionState, LossMap, POSITIONS};
use super::machine::Machine;
use super::trace_miss::{TraceMiss, TraceMissInput, v_start_plus};
use super::vehicle::Vehicle;
use crate::engine::SimError;
use crate::kernels::params::{DesignError, Params};
use crate::models::{
    ModelLimits, ModelOutput, ModelRun, check_finite, model_recorder, record_error,
};

/// An output step within this fraction of a whole multiple of the step counts as that
/// multiple.
const MULTIPLE_TOLERANCE: f64 = 1e-9;

/// Recorded signals as `(name, unit)`.
const SIGNALS: [(&str, &str); 15] = [
    ("speed", "m/s"),
    ("acceleration", "m/s²"),
    ("wheel_force", "N"),
    ("motor_torque", "N·m"),
    ("motor_speed", "rad/s"),
    ("i_d", "A"),
    ("i_q", "A"),
    ("modulation_index", "1"),
    ("power_factor", "1"),
    ("motor_power", "W"),
    ("inverter_loss", "W"),
    ("battery_power", "W"),
    ("tj_max", "°C"),
    ("friction_brake_power", "W"),
    ("cycle_speed", "m/s"),
];

/// Step, span and recording interval of a run.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Step [s].
    pub step_s: f64,
    /// First time of the run, the cycle's first sample [s].
    pub t_start: f64,
    /// Last time of the run [s].
    pub t_end: f64,
    /// Steps between recorded samples.
    pub record_every: usize,
}

impl Timing {
    /// Reads `[simulation]` for `cycle`.
    ///
    /// # Errors
    /// [`DesignError`] for a `t_stop` beyond the cycle, or an `output_step` that is not
    /// a whole multiple of `step`.
    pub fn from_section(simulation: &Params, cycle: &Cycle) -> Result<Self, DesignError> {
        let step_s = simulation.number("step");
        let duration = cycle.duration_s();
        let t_start = cycle.time_s.first().copied().unwrap_or(0.0);
        let run_s = match simulation.optional_number("t_stop") {
            Some(t_stop) if t_stop > duration => {
                return Err(simulation.error(
                    "t_stop",
                    format!("invalid value {t_stop}; expected at most the cycle's duration, {duration} s"),
                ));
            }
            Some(t_stop) => t_stop,
            None => duration,
        };
        if step_s > run_s {
            return Err(simulation.error(
                "step",
                format!("invalid value {step_s}; expected at most the run's duration, {run_s} s"),
            ));
        }
        let record_every = match simulation.optional_number("output_step") {
            None => 1,
            Some(output_step) => {
                let ratio = output_step / step_s;
                let whole = ratio.round();
                if whole < 1.0 || (ratio - whole).abs() > MULTIPLE_TOLERANCE * ratio {
                    return Err(simulation.error(
                        "output_step",
                        format!(
                            "invalid value {output_step}; expected a whole multiple of step = {step_s} s"
                        ),
                    ));
                }
                whole as usize
            }
        };
        Ok(Self {
            step_s,
            t_start,
            t_end: t_start + run_s,
            record_every,
        })
    }

    /// Number of steps; the last one ends at `t_end` and may be shorter.
    pub fn steps(&self) -> usize {
        let ratio = (self.t_end - self.t_start) / self.step_s;
        // A ratio within rounding of a whole number needs no short last step.
        let whole = ratio.round();
        if (ratio - whole).abs() < MULTIPLE_TOLERANCE * ratio.max(1.0) {
            whole as usize
        } else {
            ratio.ceil() as usize
        }
    }
}

/// A built drive-cycle model.
pub struct DriveCycleRun {
    pub(super) cycle: Cycle,
    pub(super) cycle_name: String,
    pub(super) vehicle: Vehicle,
    pub(super) grade_offset: f64,
    pub(super) aux_power_w: f64,
    pub(super) machine: Machine,
    pub(super) part: Transistor,
    pub(super) v_dc: f64,
    pub(super) f_sw: f64,
    pub(super) modulation: Modulation,
    pub(super) junction: Junction,
    pub(super) settled_start: bool,
    pub(super) tj_limit_c: f64,
    pub(super) timing: Timing,
    pub(super) build_warnings: Vec<String>,
}

/// Energies [J], times [s] and extremes of one pass over the cycle.
#[derive(Debug, Clone, Default)]
pub(super) struct Totals {
    pub(super) distance_m: f64,
    /// Distance of the trace over the run [m].
    pub(super) cycle_distance_m: f64,
    /// Time behind the trace [s].
    pub(super) trace_miss_time_s: f64,
    /// Largest shortfall of the vehicle's speed against the trace's [m/s].
    pub(super) speed_deficit_max_mps: f64,
    pub(super) battery_j: f64,
    pub(super) battery_discharge_j: f64,
    pub(super) battery_charge_j: f64,
    pub(super) wheel_positive_j: f64,
    pub(super) wheel_negative_j: f64,
    pub(super) friction_brake_j: f64,
    pub(super) unmet_j: f64,
    pub(super) gearbox_j: f64,
    pub(super) copper_j: f64,
    pub(super) inverter_j: f64,
    pub(super) inverter_input_j: f64,
    pub(super) aux_j: f64,
    /// Sum of the right-hand side of the energy balance, step by step.
    pub(super) balance_j: f64,
    pub(super) tj_peak_c: f64,
    pub(super) time_above_tj_limit_s: f64,
    pub(super) envelope_steps: usize,
    pub(super) envelope_time_s: f64,
    pub(super) first_violation_s: Option<f64>,
    pub(super) regen_limited_time_s: f64,
    pub(super) overmodulation_time_s: f64,
    pub(super) tj_beyond_map_time_s: f64,
    pub(super) tj_below_map_time_s: f64,
    pub(super) unreachable_time_s: f64,
    pub(super) first_unreachable_s: Option<f64>,
    pub(super) peak_torque_nm: f64,
    pub(super) peak_current_a: f64,
    pub(super) peak_inverter_loss_w: f64,
    pub(super) mean_position_loss_w: f64,
}

impl DriveCycleRun {
    /// Runs one pass over the cycle, recording every `record_every` steps when
    /// `recorder` is given.
    fn pass(
        &mut self,
        map: &mut LossMap,
        junction: &mut JunctionState,
        mut recorder: Option<&mut pelab_waveform::Recorder>,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Totals, SimError> {
        let timing = self.timing;
        let steps = timing.steps();
        let m_limit = self.machine.modulation_index_limit();
        let (tj_map_min, tj_map_max) = LossMap::tj_range_c();
        let mut cursor = CycleCursor::default();
        // Speed the vehicle has reached at the start of the step, and whether it is
        // on the trace.
        let mut v_achieved = cursor.at(&self.cycle, timing.t_start).speed_mps;
        let mut following = true;
        let mut totals = Totals {
            tj_peak_c: f64::NEG_INFINITY,
            ..Totals::default()
        };
        let progress_every = (steps / 100).max(1);

        for k in 0..steps {
            let t0 = timing.t_start + k as f64 * timing.step_s;
            let t1 = (t0 + timing.step_s).min(timing.t_end);
            let h = t1 - t0;
            let t_mid = t0 + 0.5 * h;

            // Road load and the motor's share of it. While the vehicle follows the
            // trace it drives the trace's speed and acceleration. Behind the trace it
            // requests the acceleration that reaches the trace's speed at the step's
            // end (see [`TraceMiss`]).
            let trace = cursor.at(&self.cycle, t_mid);
            let target_end = cursor.at(&self.cycle, t1).speed_mps;
            let grade = trace.grade + self.grade_offset;
            let (mut v, mut a) = if following {
                (trace.speed_mps, trace.acceleration_mps2)
            } else {
                let a = (target_end - v_achieved) / h;
                (v_achieved + 0.5 * a * h, a)
            };
            let mut force = self.vehicle.road_load(v, a, grade).total_n();
            let motor_force = self.vehicle.motor_wheel_force(force, v);
            let demand = self.vehicle.shaft_demand(motor_force, v);

            // Machine operating point under the current and voltage limits.
            let mut point = self
                .machine
                .operating_point(demand.torque_nm, demand.speed_rad_s);
            check_finite(t_mid, "motor_torque", point.torque_nm)?;
            let missed = force > 0.0 && point.torque_limited;
            if missed {
                let miss = TraceMiss::solve(
                    &self.vehicle,
                    &mut self.machine,
                    TraceMissInput {
                        v_start: v_achieved,
                        a_demand: a,
                        torque_demand_nm: demand.torque_nm,
                        grade,
                        h,
                    },
                );
                (v, a, point) = (miss.v_mid, miss.acceleration, miss.point);
                force = self.vehicle.road_load(v, a, grade).total_n();
                check_finite(t_mid, "speed", v)?;
                v_achieved = v_start_plus(v_achieved, a, h);
                following = false;
            } else {
                v_achieved = target_end;
                following = true;
            }
            let shaft_speed = self.vehicle.motor_speed(v);
            let shaft_w = point.torque_nm * shaft_speed;
            let wheel_drive_w = self.vehicle.wheel_power_from_shaft(shaft_w);
            let wheel_w = force * v;
            // Without a torque limit the drive meets the traction demand, and the
            // difference of the two powers is rounding. Behind the trace the wheel
            // force is what the drive delivers. When the drive cannot hold the vehicle
            // on a grade, the brakes take the remainder and keep it from rolling back.
            let friction_w = if force < 0.0 || missed {
                wheel_drive_w - wheel_w
            } else {
                0.0
            };
            // Traction the trace asked for and the vehicle did not take, for the
            // report only: the balance uses the achieved motion.
            let unmet_w = if missed {
                let trace_force = self
                    .vehicle
                    .road_load(trace.speed_mps, trace.acceleration_mps2, grade)
                    .total_n();
                (trace_force * trace.speed_mps - wheel_w).max(0.0)
            } else {
                0.0
            };
            let gearbox_w = (shaft_w - wheel_drive_w).abs();

            // Inverter loss at the junction temperature of the step's start. While the
            // vehicle stands, the inverter blocks its gate pulses and has no loss.
            let tj = junction.tj_max_c();
            let m = point.modulation_index.min(m_limit);
            let standing = v == 0.0 && trace.acceleration_mps2 == 0.0;
            let position_w = if standing {
                0.0
            } else {
                map.position_loss(point.current_peak(), m, point.phi_deg, tj)
                    .map_err(|message| SimError::InvalidOption {
                        field: "devices.all".into(),
                        value: self.part.name.clone(),
                        expected: format!("a part the inverter loss model accepts ({message})"),
                    })?
            };
            let inverter_w = POSITIONS as f64 * position_w;
            let ac_w = point.electrical_w;
            let dc_w = ac_w + inverter_w;
            let battery_w = dc_w + self.aux_power_w;
            check_finite(t_mid, "battery_power", battery_w)?;
            // NOTE: the loss is the mean over a fundamental period. Below a few hertz
            // (hill start, creeping) one phase carries near-DC current, and its junction
            // runs hotter than this mean shows.
            junction.advance(h, position_w);

            // Bookkeeping.
            totals.distance_m += v * h;
            totals.cycle_distance_m += trace.speed_mps * h;
            if missed {
                totals.trace_miss_time_s += h;
            }
            totals.speed_deficit_max_mps =
                totals.speed_deficit_max_mps.max(target_end - v_achieved);
            totals.battery_j += battery_w * h;
            totals.battery_discharge_j += battery_w.max(0.0) * h;
            totals.battery_charge_j += (-battery_w).max(0.0) * h;
            totals.wheel_positive_j += wheel_w.max(0.0) * h;
            totals.wheel_negative_j += (-wheel_w).max(0.0) * h;
            totals.friction_brake_j += friction_w * h;
            totals.unmet_j += unmet_w * h;
            totals.gearbox_j += gearbox_w * h;
            totals.copper_j += point.copper_loss_w * h;
            totals.inverter_j += inverter_w * h;
            totals.inverter_input_j += if ac_w >= 0.0 { dc_w } else { -ac_w } * h;
            totals.aux_j += self.aux_power_w * h;
            totals.balance_j += (wheel_w
                + friction_w
                + gearbox_w
                + point.copper_loss_w
                + inverter_w
                + self.aux_power_w)
                * h;
            totals.mean_position_loss_w += position_w * h;
            totals.tj_peak_c = totals.tj_peak_c.max(tj).max(junction.tj_max_c());
            if tj > self.tj_limit_c {
                totals.time_above_tj_limit_s += h;
            }
            if tj > tj_map_max {
                totals.tj_beyond_map_time_s += h;
            }
            if tj < tj_map_min {
                totals.tj_below_map_time_s += h;
            }
            if point.unreachable {
                totals.unreachable_time_s += h;
                totals.first_unreachable_s.get_or_insert(t_mid);
            }
            if missed {
                totals.envelope_steps += 1;
                totals.envelope_time_s += h;
                totals.first_violation_s.get_or_insert(t_mid);
            } else if point.torque_limited {
                totals.regen_limited_time_s += h;
            }
            if point.modulation_index > m_limit * (1.0 + MULTIPLE_TOLERANCE) {
                totals.overmodulation_time_s += h;
            }
            totals.peak_torque_nm = totals.peak_torque_nm.max(point.torque_nm.abs());
            totals.peak_current_a = totals.peak_current_a.max(point.current_peak());
            totals.peak_inverter_loss_w = totals.peak_inverter_loss_w.max(inverter_w);

            if let Some(recorder) = recorder.as_deref_mut()
                && k % timing.record_every == 0
            {
                let row = [
                    v,
                    trace.acceleration_mps2,
                    force,
                    point.torque_nm,
                    shaft_speed,
                    point.i_d,
                    point.i_q,
                    point.modulation_index,
                    point.power_factor(),
                    shaft_w,
                    inverter_w,
                    battery_w,
                    tj,
                    friction_w,
                    trace.speed_mps,
                ];
                recorder.push(t_mid, &row).map_err(record_error)?;
            }
            if k % progress_every == 0 {
                progress(k as f64 / steps as f64);
            }
        }
        let span = timing.t_end - timing.t_start;
        totals.mean_position_loss_w /= span;
        progress(1.0);
        Ok(totals)
    }
}

impl ModelRun for DriveCycleRun {
    fn expected_samples(&self) -> usize {
        self.timing.steps().div_ceil(self.timing.record_every)
    }

    fn describe(&self) -> String {
        let thermal = match &self.junction {
            Junction::Fixed(tj) => format!("Tj fixed at {tj} °C"),
            Junction::Coupled { .. } => "Tj coupled to the losses".to_string(),
        };
        let steps = self.timing.steps();
        format!(
            "cycle {}: {} s at {} s steps ({steps} steps, {} samples), {} at all six positions, {thermal}",
            self.cycle_name,
            self.timing.t_end - self.timing.t_start,
            self.timing.step_s,
            steps.div_ceil(self.timing.record_every),
            self.part.name
        )
    }

    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let steps = self.timing.steps();
        let samples = ModelRun::expected_samples(self);
        let mut recorder = model_recorder(&SIGNALS, samples, limits)?;
        let mut map = LossMap::new(
            self.part.clone(),
            self.v_dc,
            self.f_sw,
            self.modulation,
            self.machine.i_max(),
        );
        let thermal_error = |message: String| SimError::InvalidOption {
            field: "thermal".into(),
            value: message,
            expected: "a valid thermal network".into(),
        };

        let mut junction = if self.settled_start {
            // First pass at the coolant temperature to find the mean loss, then start
            // the recorded pass where that loss would keep the junctions.
            let mut first = JunctionState::start(&self.junction, None).map_err(thermal_error)?;
            let totals = self.pass(&mut map, &mut first, None, &mut |f| progress(0.5 * f))?;
            JunctionState::start(&self.junction, Some(totals.mean_position_loss_w))
                .map_err(thermal_error)?
        } else {
            JunctionState::start(&self.junction, None).map_err(thermal_error)?
        };
        let totals = if self.settled_start {
            self.pass(&mut map, &mut junction, Some(&mut recorder), &mut |f| {
                progress(0.5 + 0.5 * f)
            })?
        } else {
            self.pass(&mut map, &mut junction, Some(&mut recorder), progress)?
        };
        let results = self.results(&totals, &map);
        recorder.set_metadata("kernel", "drive_cycle");
        recorder.set_metadata("cycle", self.cycle_name.clone());
        Ok(ModelOutput {
            waveforms: recorder.into_waveforms(),
            results,
            steps: if self.settled_start { 2 * steps } else { steps },
        })
    }
}
