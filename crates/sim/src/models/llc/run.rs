//! A built LLC run: the closed- or open-loop transient with its waveforms and
//! steady-state metrics, then the gain curve and the ZVS map.

use pelab_waveform::Recorder;

use crate::engine::SimError;
use crate::kernels::params::schedule_value;
use crate::models::{
    ModelLimits, ModelOutput, ModelResults, ModelRun, Table, model_recorder, record_error,
};

use super::control::FrequencyCommand;
use super::fha::Fha;
use super::plant::{Bridge, I_M, I_R, Mode, Rect, STATES, Tank, V_CO, V_CR, V_SW};
use super::stepper::Stepper;
use super::sweep::steady_state;
use super::switching::{HalfBridge, Observer, TurnOn};

/// Recorded signals as `(name, unit)`.
const SIGNALS: [(&str, &str); 8] = [
    ("v(sw)", "V"),
    ("i(lr)", "A"),
    ("v(cr)", "V"),
    ("i(lm)", "A"),
    ("v(out)", "V"),
    ("i(rect)", "A"),
    ("f_sw", "Hz"),
    ("zvs", "1"),
];

/// Share of the progress bar taken by the transient; the sweeps take the rest.
const TRANSIENT_SHARE: f64 = 0.6;

/// Relative deviation of the steady-state output from the reference above which a
/// closed-loop run warns that it is not regulating.
const REGULATION_TOL: f64 = 0.01;

/// Spread of the per-period mean output, as a fraction of the reference, above which a
/// closed-loop run warns of a limit cycle. A switching period's mean removes the
/// ripple at twice the switching frequency, so what remains is the loop's own motion;
/// a settled loop holds it within a fraction of a percent.
const LIMIT_CYCLE_TOL: f64 = 0.02;

/// Frequencies and loads of the steady-state sweeps.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// Frequencies of the gain curve [Hz].
    pub gain_frequencies: Vec<f64>,
    /// Loads of the ZVS map as fractions of the design load power.
    pub zvs_loads: Vec<f64>,
    /// Frequencies of the ZVS map [Hz].
    pub zvs_frequencies: Vec<f64>,
}

/// A checked LLC design, ready to run.
pub struct LlcRun {
    /// Plant values.
    pub tank: Tank,
    /// Deadtime [s].
    pub t_dead: f64,
    /// Design load [Ω].
    pub r_load: f64,
    /// Load steps `(t, R)` [s, Ω].
    pub load_steps: Vec<(f64, f64)>,
    /// Initial output voltage [V].
    pub v_out0: f64,
    /// Frequency command.
    pub command: FrequencyCommand,
    /// End of the run [s].
    pub t_stop: f64,
    /// Output step and longest integration step [s].
    pub output_step: f64,
    /// Start of recording [s].
    pub record_from: f64,
    /// Start of the steady-state window [s].
    pub steady_from: f64,
    /// Sweeps after the transient.
    pub sweeps: SweepPlan,
    /// Warnings found at build time.
    pub warnings: Vec<String>,
}

/// Sums over output-grid points.
#[derive(Default, Clone, Copy)]
struct Sums {
    samples: usize,
    v_out: f64,
    p_out: f64,
    i_r_squared: f64,
    f_sw: f64,
}

/// The steady-state window. Averages run over whole switching periods, from the
/// first high-side turn-on at or after its start to the last one before `t_stop`,
/// because the input charge grows in steps within a period.
#[derive(Default)]
struct Window {
    running: Sums,
    committed: Sums,
    first: Option<(f64, f64)>,
    last: (f64, f64),
    v_cr_peak: f64,
    turn_ons: usize,
    zvs_turn_ons: usize,
    min_margin: f64,
    hard_v_max: f64,
    /// Lowest and highest mean `v_out` over one switching period (between high-side
    /// turn-ons) [V].
    period_mean: Option<(f64, f64)>,
}

struct RunObserver<'a> {
    tank: Tank,
    recorder: &'a mut Recorder,
    command: &'a mut FrequencyCommand,
    load_steps: &'a [(f64, f64)],
    next_load_step: usize,
    record_from: f64,
    t_stop: f64,
    steady_from: f64,
    f_sw: f64,
    last_zvs: f64,
    window: Window,
    error: Option<SimError>,
    row: [f64; SIGNALS.len()],
    /// Sum and count of `v_out` on the grid since the last controller sample.
    measured: (f64, usize),
}

impl Observer for RunObserver<'_> {
    fn on_grid(&mut self, t: f64, x: &[f64; STATES], mode: Mode, r_load: f64) {
        let v_out = self.tank.output_voltage(mode, x, r_load);
        self.measured.0 += v_out;
        self.measured.1 += 1;
        let tol = 1e-9 * self.t_stop;
        if t >= self.record_from - tol && t <= self.t_stop + tol && self.error.is_none() {
            self.row = [
                x[V_SW],
                x[I_R],
                x[V_CR],
                x[I_M],
                v_out,
                self.tank.rectified_current(mode, x),
                self.f_sw,
                self.last_zvs,
            ];
            if let Err(e) = self.recorder.push(t, &self.row) {
                self.error = Some(record_error(e));
            }
        }
        if self.window.first.is_some() {
            let w = &mut self.window;
            w.running.samples += 1;
            w.running.v_out += v_out;
            w.running.p_out += v_out * v_out / r_load;
            w.running.i_r_squared += x[I_R] * x[I_R];
            w.running.f_sw += self.f_sw;
            w.v_cr_peak = w.v_cr_peak.max(x[V_CR].abs());
        }
    }

    fn next_breakpoint(&self) -> f64 {
        let load = self
            .load_steps
            .get(self.next_load_step)
            .map_or(f64::INFINITY, |(t, _)| *t);
        load.min(self.command.next_sample())
    }

    fn on_breakpoint(&mut self, stepper: &mut Stepper) -> Result<(), SimError> {
        let tol = 1e-12 * self.t_stop.max(1.0);
        while let Some(&(t, r)) = self.load_steps.get(self.next_load_step) {
            if t > stepper.t + tol {
                break;
            }
            stepper.set_load(r);
            self.next_load_step += 1;
        }
        if self.command.next_sample() <= stepper.t + tol {
            // The controller sees the mean of v_out since its last sample, as an ADC
            // that averages over the sample period does. An instantaneous sample would
            // alias the ripple at twice the switching frequency into the loop.
            let v_out = match self.measured {
                (sum, count) if count > 0 => sum / count as f64,
                _ => self
                    .tank
                    .output_voltage(stepper.mode, &stepper.x, stepper.r_load()),
            };
            self.measured = (0.0, 0);
            self.command.sample(v_out);
        }
        Ok(())
    }

    fn on_turn_on(&mut self, event: &TurnOn) {
        self.last_zvs = if event.zvs { 1.0 } else { 0.0 };
        if event.t < self.steady_from || event.t > self.t_stop {
            return;
        }
        let w = &mut self.window;
        if event.high_side {
            match w.first {
                None => w.first = Some((event.t, event.q_in)),
                Some(_) => {
                    let samples = w.running.samples - w.committed.samples;
                    if samples > 0 {
                        let mean = (w.running.v_out - w.committed.v_out) / samples as f64;
                        w.period_mean = Some(match w.period_mean {
                            None => (mean, mean),
                            Some((lo, hi)) => (lo.min(mean), hi.max(mean)),
                        });
                    }
                    w.committed = w.running;
                    w.last = (event.t, event.q_in);
                }
            }
        }
        w.turn_ons += 1;
        if event.zvs {
            w.zvs_turn_ons += 1;
        } else {
            w.hard_v_max = w.hard_v_max.max(event.v_switch);
        }
        if event.margin.is_finite() {
            w.min_margin = w.min_margin.min(event.margin);
        }
    }
}

impl LlcRun {
    fn initial_state(&self) -> [f64; STATES] {
        let mut x = [0.0; STATES];
        // C_r starts at its steady-state mean V_in/2, as after a pre-charge.
        x[V_CR] = 0.5 * self.tank.v_in;
        x[V_CO] = self.v_out0 / self.tank.alpha(self.r_load);
        x
    }

    /// Samples the run records: the grid points `k·h` (`k ≥ 1`, `h` the output step;
    /// the initial state at `t = 0` is not one) from `record_from` to `t_stop`, with the
    /// tolerance [`RunObserver::on_grid`] applies.
    fn expected_samples(&self) -> usize {
        let h = self.output_step;
        let tol = 1e-9 * self.t_stop;
        let (from, to) = (self.record_from - tol, self.t_stop + tol);
        let mut first = ((from / h).ceil()).max(1.0);
        while first > 1.0 && (first - 1.0) * h >= from {
            first -= 1.0;
        }
        while first * h < from {
            first += 1.0;
        }
        let mut last = (to / h).floor();
        while (last + 1.0) * h <= to {
            last += 1.0;
        }
        while last >= first && last * h > to {
            last -= 1.0;
        }
        if last < first {
            0
        } else {
            (last - first + 1.0) as usize
        }
    }

    fn add_design_metrics(&self, results: &mut ModelResults) {
        let fha = Fha::new(&self.tank, self.r_load);
        results.metric("f_r", fha.f_r, "Hz", "series resonance 1/(2π√(L_r C_r))");
        results.metric(
            "f_p",
            fha.f_p,
            "Hz",
            "parallel resonance 1/(2π√((L_r + L_m) C_r))",
        );
        results.metric(
            "q",
            fha.q,
            "1",
            "quality factor √(L_r/C_r)/R_ac at the design load, R_ac = 8n²R/π²",
        );
        results.metric("k", fha.k, "1", "inductance ratio L_m/L_r");
        let (f_peak, m_peak) = fha.peak();
        results.metric(
            "f_peak_fha",
            f_peak,
            "Hz",
            "peak-gain frequency at the design load (first-harmonic approximation)",
        );
        results.metric(
            "gain_peak_fha",
            m_peak,
            "1",
            "peak gain at the design load (first-harmonic approximation)",
        );
        results.metric(
            "i_zvs",
            self.tank.c_sw * self.tank.v_in / self.t_dead,
            "A",
            "current that swings the switch node across V_in within the deadtime, 2·C_oss·V_in/t_dead",
        );
    }

    fn add_window_metrics(&self, w: &Window, results: &mut ModelResults) {
        let sums = w.committed;
        let Some((t0, q0)) = w.first.filter(|_| sums.samples > 0) else {
            results.warnings.push(
                "the steady-state window contains less than one switching period; window metrics not computed (lower simulation.steady_state_from)".into(),
            );
            return;
        };

        let count = sums.samples as f64;
        let v_out = sums.v_out / count;
        let p_out = sums.p_out / count;
        results.metric(
            "v_out",
            v_out,
            "V",
            "mean output voltage in the steady-state window",
        );
        results.metric(
            "gain",
            self.tank.n * v_out / (0.5 * self.tank.v_in),
            "1",
            "tank gain M = n·V_out/(V_in/2) in the steady-state window",
        );
        results.metric(
            "p_out",
            p_out,
            "W",
            "mean output power in the steady-state window",
        );
        results.metric(
            "f_sw",
            sums.f_sw / count,
            "Hz",
            "mean switching frequency in the steady-state window",
        );

        let (t1, q1) = w.last;
        let p_in = self.tank.v_in * (q1 - q0) / (t1 - t0);
        results.metric(
            "p_in",
            p_in,
            "W",
            "mean input power in the steady-state window",
        );
        if p_in > 0.0 {
            results.metric(
                "efficiency",
                p_out / p_in,
                "1",
                "P_out/P_in in the steady-state window",
            );
        }

        results.metric(
            "i_lr_rms",
            (sums.i_r_squared / count).sqrt(),
            "A",
            "RMS tank current in the steady-state window",
        );
        results.metric(
            "v_cr_peak",
            w.v_cr_peak,
            "V",
            "peak series-capacitor voltage in the steady-state window",
        );

        if w.turn_ons > 0 {
            let fraction = w.zvs_turn_ons as f64 / w.turn_ons as f64;
            results.metric(
                "zvs_fraction",
                fraction,
                "1",
                "share of turn-ons with zero-voltage switching in the steady-state window",
            );
            results.metric(
                "zvs_margin_min",
                w.min_margin,
                "1",
                "smallest ratio of the turn-off current to 2·C_oss·V_in/t_dead in the steady-state window",
            );
            if w.zvs_turn_ons < w.turn_ons {
                results.warnings.push(format!(
                    "{} of {} turn-ons in the steady-state window were hard switched (up to {:.1} V across the switch); raise the magnetising current (lower l_m), lengthen t_dead, or raise control.f_min",
                    w.turn_ons - w.zvs_turn_ons,
                    w.turn_ons,
                    w.hard_v_max
                ));
            }
        }

        let Some(v_ref) = self.command.v_ref() else {
            return;
        };
        if (v_out - v_ref).abs() > REGULATION_TOL * v_ref {
            results.warnings.push(format!(
                "the output misses its reference: v_out averages {v_out:.3} V against the target control.v_ref = {v_ref} V in the steady-state window (tolerance {:.0} %); the loop has not settled, oscillates, or the frequency is at a limit",
                100.0 * REGULATION_TOL
            ));
        }
        if let Some((lo, hi)) = w.period_mean {
            results.metric(
                "v_out_swing",
                hi - lo,
                "V",
                "spread of the per-switching-period mean output voltage in the steady-state window (ripple removed)",
            );
            if hi - lo > LIMIT_CYCLE_TOL * v_ref {
                results.warnings.push(format!(
                    "the output oscillates: its per-period mean swings from {lo:.3} V to {hi:.3} V in the steady-state window, {:.1} % of control.v_ref = {v_ref} V (tolerance {:.0} %), far above the switching ripple; the voltage loop is in a limit cycle (lower control.kp or control.ki) or a load step falls in the window",
                    100.0 * (hi - lo) / v_ref,
                    100.0 * LIMIT_CYCLE_TOL
                ));
            }
        }
    }

    fn add_tables(
        &self,
        results: &mut ModelResults,
        progress: &mut dyn FnMut(f64),
    ) -> Result<usize, SimError> {
        let mut steps = 0;
        let total = self.sweeps.gain_frequencies.len()
            + self.sweeps.zvs_loads.len() * self.sweeps.zvs_frequencies.len();
        let mut done = 0;
        let mut report = |done: usize| {
            if total > 0 {
                progress(TRANSIENT_SHARE + (1.0 - TRANSIENT_SHARE) * done as f64 / total as f64);
            }
        };
        let mut unconverged = 0;

        if !self.sweeps.gain_frequencies.is_empty() {
            let fha = Fha::new(&self.tank, self.r_load);
            let mut table = Table::new(
                "gain_vs_frequency",
                "simulated open-loop steady-state gain M = n·V_out/(V_in/2) at the design load, beside the first-harmonic approximation",
                &[
                    ("f_sw", "Hz"),
                    ("f_n", "1"),
                    ("gain_sim", "1"),
                    ("gain_fha", "1"),
                    ("v_out", "V"),
                    ("zvs", "1"),
                    ("converged", "1"),
                ],
            );
            for &f in &self.sweeps.gain_frequencies {
                let point = steady_state(&self.tank, self.t_dead, f, self.r_load)?;
                steps += point.steps;
                unconverged += usize::from(!point.converged);
                table.rows.push(vec![
                    f,
                    f / fha.f_r,
                    point.gain,
                    fha.gain(f),
                    point.v_out,
                    f64::from(u8::from(point.zvs)),
                    f64::from(u8::from(point.converged)),
                ]);
                done += 1;
                report(done);
            }
            results.tables.push(table);
        }

        if !self.sweeps.zvs_loads.is_empty() && !self.sweeps.zvs_frequencies.is_empty() {
            let mut table = Table::new(
                "zvs_map",
                "open-loop steady-state ZVS over load (fraction of the design load power) and frequency; margin is the smallest turn-off current over 2·C_oss·V_in/t_dead",
                &[
                    ("load_fraction", "1"),
                    ("r_load", "Ω"),
                    ("f_sw", "Hz"),
                    ("zvs", "1"),
                    ("zvs_margin", "1"),
                    ("gain_sim", "1"),
                    ("converged", "1"),
                ],
            );
            for &fraction in &self.sweeps.zvs_loads {
                let r = self.r_load / fraction;
                for &f in &self.sweeps.zvs_frequencies {
                    let point = steady_state(&self.tank, self.t_dead, f, r)?;
                    steps += point.steps;
                    unconverged += usize::from(!point.converged);
                    table.rows.push(vec![
                        fraction,
                        r,
                        f,
                        f64::from(u8::from(point.zvs)),
                        point.margin,
                        point.gain,
                        f64::from(u8::from(point.converged)),
                    ]);
                    done += 1;
                    report(done);
                }
            }
            results.tables.push(table);
        }
        if unconverged > 0 {
            results.warnings.push(format!(
                "{unconverged} sweep points did not reach steady state within the period limit; their rows have converged = 0"
            ));
        }
        Ok(steps)
    }
}

impl ModelRun for LlcRun {
    fn expected_samples(&self) -> usize {
        LlcRun::expected_samples(self)
    }

    fn describe(&self) -> String {
        let mode = match &self.command {
            FrequencyCommand::OpenLoop { f_sw, .. } => format!("open loop at {f_sw} Hz"),
            FrequencyCommand::ClosedLoop { v_ref, .. } => format!("closed loop to {v_ref} V"),
        };
        format!(
            "{STATES} states, {mode}, {} samples, gain curve of {} points, ZVS map of {} points",
            self.expected_samples(),
            self.sweeps.gain_frequencies.len(),
            self.sweeps.zvs_loads.len() * self.sweeps.zvs_frequencies.len()
        )
    }

    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let mut recorder = model_recorder(&SIGNALS, self.expected_samples(), limits)?;
        let r_start = schedule_value(&self.load_steps, 0.0, self.r_load);
        let stepper = Stepper::new(
            self.tank,
            r_start,
            self.initial_state(),
            Mode {
                bridge: Bridge::Low,
                rect: Rect::Off,
            },
            self.output_step,
        );
        let mut bridge = HalfBridge::new(stepper, self.t_dead);
        let first_step = self
            .load_steps
            .iter()
            .take_while(|(t, _)| *t <= 0.0)
            .count();
        let mut observer = RunObserver {
            tank: self.tank,
            recorder: &mut recorder,
            command: &mut self.command,
            load_steps: &self.load_steps,
            next_load_step: first_step,
            record_from: self.record_from,
            t_stop: self.t_stop,
            steady_from: self.steady_from,
            f_sw: 0.0,
            last_zvs: 0.0,
            window: Window {
                min_margin: f64::INFINITY,
                ..Window::default()
            },
            error: None,
            row: [0.0; SIGNALS.len()],
            measured: (0.0, 0),
        };

        let mut periods = 0usize;
        while bridge.stepper.t < self.t_stop - 1e-12 * self.t_stop {
            let f = observer.command.frequency(bridge.stepper.t);
            observer.f_sw = f;
            bridge.run_period(f, &mut observer)?;
            if let Some(e) = observer.error.take() {
                return Err(e);
            }
            periods += 1;
            if periods.is_multiple_of(200) {
                progress(TRANSIENT_SHARE * (bridge.stepper.t / self.t_stop).min(1.0));
            }
        }
        let window = std::mem::take(&mut observer.window);
        let final_f = observer.f_sw;
        let mut steps = bridge.stepper.steps;

        let mut results = ModelResults {
            steady_state_from: self.steady_from,
            t_stop: self.t_stop,
            switching_frequency: Some(final_f),
            warnings: self.warnings.clone(),
            ..ModelResults::default()
        };
        self.add_design_metrics(&mut results);
        self.add_window_metrics(&window, &mut results);
        steps += self.add_tables(&mut results, progress)?;
        progress(1.0);

        Ok(ModelOutput {
            waveforms: recorder.into_waveforms(),
            results,
            steps,
        })
    }
}
