//! The simulation loop of the `grid_tie` kernel.
//!
//! Time is counted in ticks of `T/2^24` (see [`plant::TICKS`]). Each PWM period
//! starts with a controller sample whose duties apply to the next period. The period
//! is then cut at the PWM edges, the output samples and the grid events, and the plant
//! is advanced exactly across each piece with the pole voltages held.

use pelab_control::transforms::{AlphaBeta, inverse_clarke};

use super::GridTieConfig;
use super::bridge::{self, SwitchingBridge};
use super::controller::{ControlOutput, Controller, CurrentSensor, Measurements};
use super::grid::Grid;
use super::metrics::{self, LockTransition};
use super::plant::{self, G1, G5, G7, I1, I2, STATES, Stepper, TICKS, VC};
use super::window::{Accumulator, Held, MAX_THD_SAMPLES};
use crate::engine::SimError;
use crate::kernels::params::{DesignError, schedule_value};
use crate::models::{
    ModelLimits, ModelOutput, ModelRun, check_finite, model_recorder, record_error,
};

/// Recorded signals `(name, unit)`, in the order of the values that `record` returns.
pub const SIGNALS: [(&str, &str); 23] = [
    ("v_grid_a", "V"),
    ("v_grid_b", "V"),
    ("v_grid_c", "V"),
    ("v_pcc_a", "V"),
    ("v_pcc_b", "V"),
    ("v_pcc_c", "V"),
    ("i_grid_a", "A"),
    ("i_grid_b", "A"),
    ("i_grid_c", "A"),
    ("i_inv_a", "A"),
    ("i_inv_b", "A"),
    ("i_inv_c", "A"),
    ("v_cf_a", "V"),
    ("v_cf_b", "V"),
    ("v_cf_c", "V"),
    ("pll_theta", "rad"),
    ("pll_frequency", "Hz"),
    ("i_d", "A"),
    ("i_q", "A"),
    ("i_d_ref", "A"),
    ("i_q_ref", "A"),
    ("p", "W"),
    ("q", "var"),
];

/// A built grid-tie model.
pub struct GridTieRun {
    config: GridTieConfig,
    bridge: SwitchingBridge,
}

impl GridTieRun {
    /// Checks the parts that need the control blocks themselves.
    ///
    /// # Errors
    /// [`DesignError`] when the PLL, PI or PWM rejects a setting.
    pub fn new(config: GridTieConfig) -> Result<Self, DesignError> {
        Controller::new(config.control).map_err(|e| DesignError::new("control", e))?;
        let bridge = SwitchingBridge::new(config.period, config.t_dead)
            .map_err(|e| DesignError::new("parameters.t_dead", e))?;
        Ok(Self { config, bridge })
    }

    fn expected_samples(&self) -> usize {
        let c = &self.config;
        ((c.t_stop - c.record_from) / c.output_step).floor() as usize + 1
    }
}

/// Global tick of time `t` \[s\].
fn tick_of(t: f64, period: f64) -> u64 {
    (t / period * TICKS as f64).round() as u64
}

fn abc(alpha: f64, beta: f64) -> [f64; 3] {
    let v = inverse_clarke(AlphaBeta {
        alpha,
        beta,
        zero: 0.0,
    });
    [v.a, v.b, v.c]
}

fn measurements(config: &GridTieConfig, x: &[f64; STATES]) -> Measurements {
    let v_pcc = [
        plant::pcc_voltage(&config.lcl, x, 0),
        plant::pcc_voltage(&config.lcl, x, 1),
    ];
    let i = match config.control.sensor {
        CurrentSensor::Grid => [x[I2], x[I2 + 1]],
        CurrentSensor::Inverter => [x[I1], x[I1 + 1]],
    };
    Measurements {
        v_pcc,
        i,
        i_c: [x[I1] - x[I2], x[I1 + 1] - x[I2 + 1]],
    }
}

/// Computes the values of [`SIGNALS`] for state `x` and the last controller output.
fn record(config: &GridTieConfig, x: &[f64; STATES], out: &ControlOutput) -> [f64; 23] {
    let grid_alpha = x[G1] + x[G5] + x[G7];

    let grid_beta = x[G1 + 1] + x[G5 + 1] + x[G7 + 1];
    let pcc = [
        plant::pcc_voltage(&config.lcl, x, 0),
        plant::pcc_voltage(&config.lcl, x, 1),
    ];
    let v_grid = abc(grid_alpha, grid_beta);
    let v_pcc = abc(pcc[0], pcc[1]);
    let i_grid = abc(x[I2], x[I2 + 1]);
    let i_inv = abc(x[I1], x[I1 + 1]);
    let v_cf = abc(x[VC], x[VC + 1]);

    // Amplitude-invariant αβ: p = 3/2·(vα·iα + vβ·iβ), q = 3/2·(vβ·iα − vα·iβ).
    let p = 1.5 * (pcc[0] * x[I2] + pcc[1] * x[I2 + 1]);
    let q = 1.5 * (pcc[1] * x[I2] - pcc[0] * x[I2 + 1]);
    [
        v_grid[0],
        v_grid[1],
        v_grid[2],
        v_pcc[0],
        v_pcc[1],
        v_pcc[2],
        i_grid[0],
        i_grid[1],
        i_grid[2],
        i_inv[0],
        i_inv[1],
        i_inv[2],
        v_cf[0],
        v_cf[1],
        v_cf[2],
        out.theta,
        out.frequency,
        out.i_dq[0],
        out.i_dq[1],
        out.i_dq_ref[0],
        out.i_dq_ref[1],
        p,
        q,
    ]
}

impl ModelRun for GridTieRun {
    fn expected_samples(&self) -> usize {
        GridTieRun::expected_samples(self)
    }

    fn describe(&self) -> String {
        let c = &self.config;
        format!(
            "{} states (LCL in αβ and grid oscillators), {} bridge, {:.3} kHz PWM, LCL resonance {:.1} Hz, current-loop pole radius {:.4}, {} samples",
            STATES,
            if c.switching { "switching" } else { "averaged" },
            1e-3 / c.period,
            c.lcl.resonance_hz(),
            c.loop_radius,
            self.expected_samples()
        )
    }

    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let c = self.config.clone();
        let mut recorder = model_recorder(&SIGNALS, self.expected_samples(), limits)?;
        let sim_error = |e: String| SimError::InvalidOption {
            field: "parameters".into(),
            value: e,
            expected: "a filter whose discretisation is finite".into(),
        };

        // Grid and initial state: events at t = 0 applied, the capacitors at the grid
        // voltage and no current, the PLL on the nominal frequency at angle 0 (the
        // grid angle at t = 0).
        let mut grid = Grid::new(
            c.v_ll_rms,
            c.f_grid,
            c.harmonics[0],
            c.harmonics[1],
            c.events.clone(),
        );
        let events: Vec<_> = grid
            .events
            .iter()
            .copied()
            .filter(|e| e.time < c.t_stop)
            .collect();
        let mut event_index = 0;
        while event_index < events.len() && tick_of(events[event_index].time, c.period) == 0 {
            grid.apply(&events[event_index], 0.0);
            event_index += 1;
        }
        let mut x = [0.0; STATES];
        grid.set_oscillators(&mut x, 0.0);
        for axis in 0..2 {
            x[VC + axis] = x[G1 + axis] + x[G5 + axis] + x[G7 + axis];
        }
        let mut stepper =
            Stepper::new(&c.lcl, grid.omega(), c.period).map_err(|e| sim_error(e.to_string()))?;
        let mut controller = Controller::new(c.control).map_err(|e| SimError::InvalidOption {
            field: "control".into(),
            value: e,
            expected: "settings accepted by the PLL and PI".into(),
        })?;

        let end_tick = tick_of(c.t_stop, c.period);
        let periods = end_tick.div_ceil(TICKS);
        let mut next_sample = 0usize;
        let sample_tick = |n: usize| tick_of(c.record_from + n as f64 * c.output_step, c.period);
        let mut steps = 0usize;
        let mut clamped_periods = 0usize;
        let mut transitions: Vec<LockTransition> = Vec::new();
        let mut last_locked = None;
        let mut edges = Vec::with_capacity(12);
        let mut duties_now = None;
        let progress_every = (periods / 100).max(1);

        // Metrics inside the run: the window start is a cut point, and from the THD
        // buffer's start each period is also cut at its middle.
        let window_from = tick_of(c.steady_state_from, c.period);
        let half = TICKS / 2;
        let thd_span = MAX_THD_SAMPLES as u64 * half;
        let thd_from = end_tick
            .saturating_sub(thd_span)
            .max(window_from)
            .div_ceil(half)
            * half;
        let mut accumulator =
            Accumulator::new(c.period, window_from, thd_from, metrics::row_ticks(&c));

        for k in 0..periods {
            let start = k * TICKS;
            let stop = (start + TICKS).min(end_tick);
            let t0 = start as f64 / TICKS as f64 * c.period;

            let m = measurements(&c, &x);
            let held = Held {
                p_ref: schedule_value(&c.p_ref, t0, 0.0),
                q_ref: schedule_value(&c.q_ref, t0, 0.0),
                frequency: 0.0,
            };
            let out = controller.step(&m, held.p_ref, held.q_ref);
            let held = Held {
                frequency: out.frequency,
                ..held
            };
            let (duties_next, clamped) = bridge::duties(c.modulation, out.v_ref, c.v_dc);
            if clamped {
                clamped_periods += 1;
            }
            if last_locked != Some(out.locked) {
                transitions.push(LockTransition {
                    time: t0,
                    locked: out.locked,
                });
                last_locked = Some(out.locked);
            }
            // No sample precedes the first period, so it runs on its own duties.
            let duties = duties_now.unwrap_or(duties_next);
            duties_now = Some(duties_next);
            let plan = c.switching.then(|| self.bridge.plan(duties, &mut edges));
            let averaged = bridge::averaged_voltage(duties, c.v_dc);

            let mut edge_index = 0;
            let mut cursor = start;
            let mut u: Option<[f64; 2]> = None;
            loop {
                // Metric nodes: the points the plant passes without a recording,
                // so that the sums do not depend on output_step or record_from.
                let node = cursor == start
                    || cursor == stop
                    || cursor == start + half
                    || cursor == window_from
                    || plan
                        .as_ref()
                        .is_some_and(|plan| plan.edges.binary_search(&(cursor - start)).is_ok())
                    || (event_index < events.len()
                        && tick_of(events[event_index].time, c.period) <= cursor);
                if node {
                    accumulator.observe(&c.lcl, &x, cursor, held);
                }
                // A sample on the period boundary belongs to the next period, after its
                // controller sample, except at the end of the run.
                while sample_tick(next_sample) <= cursor && (cursor < stop || stop == end_tick) {
                    let t = c.record_from + next_sample as f64 * c.output_step;
                    if t > c.t_stop + 0.5 * c.output_step {
                        break;
                    }
                    recorder
                        .push(t, &record(&c, &x, &out))
                        .map_err(record_error)?;
                    next_sample += 1;
                }
                let events_before = event_index;
                while event_index < events.len()
                    && tick_of(events[event_index].time, c.period) <= cursor
                {
                    let t = cursor as f64 / TICKS as f64 * c.period;
                    if grid.apply(&events[event_index], t) {
                        stepper = Stepper::new(&c.lcl, grid.omega(), c.period)
                            .map_err(|e| sim_error(e.to_string()))?;
                    }
                    grid.set_oscillators(&mut x, t);
                    event_index += 1;
                }
                if event_index > events_before {
                    accumulator.observe(&c.lcl, &x, cursor, held);
                }
                if cursor >= stop {
                    break;
                }

                let mut next = stop;
                if let Some(plan) = &plan {
                    while edge_index < plan.edges.len() && start + plan.edges[edge_index] <= cursor
                    {
                        edge_index += 1;
                    }
                    if edge_index < plan.edges.len() {
                        next = next.min(start + plan.edges[edge_index]);
                    }
                }
                for cut in [window_from, start + half] {
                    if cut > cursor && (cut == window_from || cut >= thd_from) {
                        next = next.min(cut);
                    }
                }
                let sample = sample_tick(next_sample);
                if sample > cursor {
                    next = next.min(sample);
                }
                if event_index < events.len() {
                    let event = tick_of(events[event_index].time, c.period);
                    if event > cursor {
                        next = next.min(event);
                    }
                }

                // The pole voltages change only at the period start and at PWM edges;
                // the deadtime reads the current sign there, so the cuts at output
                // samples, events and metric points leave the trajectory unchanged.
                let at_edge = cursor == start
                    || plan.as_ref().is_some_and(|plan| {
                        edge_index > 0 && start + plan.edges[edge_index - 1] == cursor
                    });
                if at_edge || u.is_none() {
                    u = Some(match &plan {
                        Some(plan) => {
                            let currents = abc(x[I1], x[I1 + 1]);
                            plan.voltage(cursor - start, currents, c.v_dc)
                        }
                        None => averaged,
                    });
                }
                let u_now = u.unwrap_or(averaged);
                steps += stepper.advance(&mut x, next - cursor, u_now);
                cursor = next;
            }

            let t_end = stop as f64 / TICKS as f64 * c.period;
            check_finite(t_end, "i_grid_alpha", x[I2])?;
            check_finite(t_end, "i_inv_alpha", x[I1])?;
            check_finite(t_end, "v_cf_alpha", x[VC])?;
            if let Some(plan) = plan {
                edges = plan.edges;
            }
            if k % progress_every == 0 {
                progress(k as f64 / periods as f64);
            }
        }
        progress(1.0);

        let mut warnings = c.warnings.clone();
        if clamped_periods > 0 {
            warnings.push(format!(
                "the voltage reference exceeded the modulator's range in {clamped_periods} of {periods} periods: the current was not fully controlled there"
            ));
        }
        let waveforms = recorder.into_waveforms();
        let results = metrics::results(
            &c,
            &accumulator,
            clamped_periods,
            &transitions,
            &mut warnings,
        );
        Ok(ModelOutput {
            waveforms,
            results,
            steps,
        })
    }
}
