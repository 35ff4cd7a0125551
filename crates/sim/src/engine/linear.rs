//! The linear (piecewise-linear) path of the engine: exact stepping between events.

use std::rc::Rc;

use pelab_linalg::Matrix;

use super::cache::{self, ModelCache, StepError, apply_step};
use super::energy::{EnergyTerms, stored_energy};
use super::plan::{OutputPlan, Quantity, evaluate};
use super::{
    DIVERGENCE_LIMIT, EnergyBalance, GateControl, MAX_TINY_EVENTS, Measurements, RunOptions,
    RunReport, RunStats, SampleSink, SignalSpec, SimError, default_probes, diode_excess, inputs_at,
    resolve_probes, voltage_scale,
};
use crate::circuit::Circuit;
use crate::sources::{PulseDefaults, next_breakpoint};

pub(crate) struct Engine<'a> {
    circuit: &'a Circuit,
    gates: &'a mut dyn GateControl,
    options: &'a RunOptions,
    defaults: PulseDefaults,
    cache: ModelCache,
    plan: OutputPlan,
    recorded: Vec<Quantity>,
    signals: Vec<SignalSpec>,
    measured: Vec<Quantity>,
    energy_terms: EnergyTerms,
    controller_signal_count: usize,
    // State.
    t: f64,
    x: Vec<f64>,
    mask: u64,
    stats: RunStats,
    balance: EnergyBalance,
    // Workspace.
    xu: Vec<f64>,
    u_probe: Vec<f64>,
    x_next: Vec<f64>,
    row_values: Vec<f64>,
    /// Column of `[x; u]` that a row equals in every configuration, if any.
    row_direct: Vec<Option<usize>>,
    values: Vec<f64>,
    measure_start: Vec<f64>,
    measure_mid: Vec<f64>,
    measure_end: Vec<f64>,
    measure_integral: Vec<f64>,
    measure_since: f64,
    switch_bits: u64,
    tolerance_v: f64,
    /// Matrices of the configuration last used.
    view: Option<ConfigView>,
    /// Plan rows used by the recorded, measured and energy quantities.
    row_sets: [Vec<usize>; 3],
    /// Buffers of the energy integration.
    energy_work: EnergyWork,
    /// Buffer for the state at a step's start.
    step_start: Vec<f64>,
    /// Whether every source is DC, so the inputs never change.
    constant_inputs: bool,
    /// Next source breakpoint, valid while it lies after `t`.
    cached_breakpoint: f64,
    /// Step matrix last used: (mask, bits of h, matrix).
    last_step: Option<(u64, u64, cache::StepMatrix)>,
    /// Half-step matrix last used for Simpson's midpoint: (mask, bits of h/2, matrix).
    last_half_step: Option<(u64, u64, cache::StepMatrix)>,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(
        circuit: &'a Circuit,
        gates: &'a mut dyn GateControl,
        options: &'a RunOptions,
    ) -> Result<Self, SimError> {
        let mut plan = OutputPlan::default();
        let names = if options.probes.is_empty() {
            default_probes(circuit)
        } else {
            options.probes.clone()
        };
        let (recorded, mut signals) = resolve_probes(circuit, &names, &mut plan)?;
        let (measured, _) = resolve_probes(circuit, &gates.measured_signals(), &mut plan)?;
        let controller_signals = gates.recorded_signals();
        let controller_signal_count = controller_signals.len();
        signals.extend(
            controller_signals
                .into_iter()
                .map(|(name, unit)| SignalSpec {
                    name,
                    unit: unit.to_string(),
                }),
        );
        let energy_terms = EnergyTerms::new(circuit, &mut plan);
        let row_sets = [
            rows_used(&recorded),
            rows_used(&measured),
            rows_used(&energy_terms.quantities),
        ];
        let n = circuit.state_count();
        let m = circuit.input_count();
        let measured_count = measured.len();
        Ok(Self {
            circuit,
            gates,
            options,
            defaults: PulseDefaults {
                edge_time: options.pulse_edge_default,
                t_stop: options.t_stop,
            },
            cache: ModelCache::new(),
            values: vec![0.0; signals.len()],
            row_values: vec![0.0; plan.len()],
            row_direct: plan.direct_columns(circuit),
            plan,
            recorded,
            signals,
            measured,
            energy_terms,
            controller_signal_count,
            t: 0.0,
            x: circuit.initial_state.clone(),
            mask: 0,
            stats: RunStats::default(),
            balance: EnergyBalance::default(),
            xu: vec![0.0; n + m],
            u_probe: vec![0.0; m],
            x_next: vec![0.0; n],
            measure_start: vec![0.0; measured_count],
            measure_mid: vec![0.0; measured_count],
            measure_end: vec![0.0; measured_count],
            measure_integral: vec![0.0; measured_count],
            measure_since: 0.0,
            switch_bits: (1u64 << circuit.switches.len()).wrapping_sub(1),
            tolerance_v: 1e-9 * voltage_scale(circuit),
            view: None,
            row_sets,
            energy_work: EnergyWork::default(),
            step_start: Vec::new(),
            constant_inputs: false,
            cached_breakpoint: f64::NEG_INFINITY,
            last_step: None,
            last_half_step: None,
        })
    }

    pub(crate) fn report(self) -> RunReport {
        let mut stats = self.stats;
        stats.cache = self.cache.stats;
        RunReport {
            signals: self.signals,
            stats,
            energy: self.balance,
            window_energy: if self.options.energy {
                self.energy_terms.window_energies(self.circuit)
            } else {
                Vec::new()
            },
            state_names: self.circuit.states.iter().map(|s| s.name.clone()).collect(),
            final_state: self.x,
            nonlinear: false,
        }
    }

    /// Makes sure the model of `mask` is cached.
    fn ensure(&mut self, mask: u64) -> Result<(), SimError> {
        let circuit = self.circuit;
        let plan = &self.plan;
        self.cache
            .entry(circuit, mask, &|model| plan.rows_for(circuit, model))?;
        Ok(())
    }

    /// Output rows and diode violation rows of the present configuration. The last
    /// configuration's rows are kept, so the hot loop does not hash the mask on every
    /// step.
    fn view(&mut self) -> Result<(Rc<Matrix>, Rc<Matrix>), SimError> {
        let view = self.view_with_dynamics()?;
        Ok((view.rows, view.violation))
    }

    /// As [`Self::view`], with `[A B]` of the present configuration as well.
    fn view_with_dynamics(&mut self) -> Result<ConfigView, SimError> {
        if let Some(view) = &self.view
            && view.mask == self.mask
        {
            return Ok(view.clone());
        }
        self.ensure(self.mask)?;
        let entry = self
            .cache
            .entry(self.circuit, self.mask, &|_| Matrix::zeros(0, 0))?;
        let view = ConfigView {
            mask: self.mask,
            rows: entry.output_rows.clone(),
            violation: entry.diode_violation.clone(),
            ab: entry.ab.clone(),
        };
        self.view = Some(view.clone());
        Ok(view)
    }

    fn set_xu(&mut self, u_time: f64) {
        let n = self.x.len();
        self.xu[..n].copy_from_slice(&self.x);
        // Constant sources were written once in `run`.
        if !self.constant_inputs {
            inputs_at(self.circuit, u_time, self.defaults, &mut self.xu[n..]);
        }
    }

    /// Evaluates the planned rows for the present `xu` and `mask`.
    ///
    /// Only the rows that `set` uses are computed: recording the states alone must not
    /// pay for the energy terms' rows.
    fn eval_rows(&mut self, set: RowSet) -> Result<(), SimError> {
        if self.view.as_ref().is_none_or(|v| v.mask != self.mask) {
            self.view_with_dynamics()?;
        }
        let Some(view) = &self.view else {
            unreachable!("the view was just refreshed");
        };
        let indices = match set {
            RowSet::Recorded => &self.row_sets[0],
            RowSet::Measured => &self.row_sets[1],
            RowSet::Energy => &self.row_sets[2],
        };
        for &r in indices {
            self.row_values[r] = match self.row_direct[r] {
                Some(column) => self.xu[column],
                None => view
                    .rows
                    .row(r)
                    .iter()
                    .zip(&self.xu)
                    .map(|(a, b)| a * b)
                    .sum(),
            };
        }
        Ok(())
    }

    fn switch_count(&self) -> usize {
        self.circuit.switches.len()
    }

    /// Flips diodes until every diode is consistent with the state at `self.t`.
    fn settle(&mut self) -> Result<(), SimError> {
        let limit = 4 * self.circuit.diodes.len() + 4;
        let mut flipped: Vec<usize> = Vec::new();
        for _ in 0..limit {
            let (_, rows) = self.view()?;
            let mut worst: Option<(usize, f64)> = None;
            for (d, device) in self.circuit.diodes.iter().enumerate() {
                let violation: f64 = rows.row(d).iter().zip(&self.xu).map(|(a, b)| a * b).sum();
                let on = self.mask & self.circuit.diode_bit(d) != 0;
                let excess = diode_excess(device.ron, on, violation, self.tolerance_v);
                if excess > 0.0 && worst.is_none_or(|(_, w)| excess > w) {
                    worst = Some((d, excess));
                }
            }
            let Some((d, _)) = worst else {
                return Ok(());
            };
            self.mask ^= self.circuit.diode_bit(d);
            self.stats.diode_commutations += 1;
            flipped.push(d);
        }
        flipped.sort_unstable();
        flipped.dedup();
        let names: Vec<&str> = flipped
            .iter()
            .map(|&d| self.circuit.diodes[d].name.as_str())
            .collect();
        Err(SimError::Inconsistent {
            t: self.t,
            diodes: names.join(", "),
        })
    }

    /// Largest tolerance-adjusted diode violation [V] for the state `x_probe` at time
    /// `t`, with the source values at `t`.
    ///
    /// The state comes from a step with the inputs held at their midpoint value, but
    /// the diode conditions use the inputs at `t` itself, so a diode that a source
    /// alone turns on (a rectifier without storage) commutes at the source's crossing.
    fn max_violation(&mut self, x_probe: &[f64], t: f64) -> Result<f64, SimError> {
        let n = x_probe.len();
        let mut u_probe = std::mem::take(&mut self.u_probe);
        inputs_at(self.circuit, t, self.defaults, &mut u_probe);
        let (_, rows) = self.view()?;
        let mut worst = f64::NEG_INFINITY;
        for (d, device) in self.circuit.diodes.iter().enumerate() {
            let row = rows.row(d);
            let mut violation: f64 = row[..n].iter().zip(x_probe).map(|(a, b)| a * b).sum();
            violation += row[n..]
                .iter()
                .zip(&u_probe)
                .map(|(a, b)| a * b)
                .sum::<f64>();
            let on = self.mask & self.circuit.diode_bit(d) != 0;
            worst = worst.max(diode_excess(device.ron, on, violation, self.tolerance_v));
        }
        self.u_probe = u_probe;
        Ok(worst)
    }

    fn step_matrix(&mut self, h: f64, cached: bool) -> Result<cache::StepMatrix, SimError> {
        if cached
            && let Some((mask, bits, matrix)) = &self.last_step
            && *mask == self.mask
            && *bits == h.to_bits()
        {
            self.cache.stats.cache_hits += 1;
            return Ok(matrix.clone());
        }
        let result = if cached {
            self.cache.step_matrix(self.mask, h).inspect(|matrix| {
                self.last_step = Some((self.mask, h.to_bits(), matrix.clone()));
            })
        } else {
            self.cache.one_off_step(self.mask, h)
        };
        result.map_err(|e| match e {
            StepError::MissingConfig | StepError::NonFinite => SimError::Diverged {
                t: self.t,
                state: "step matrix".into(),
                value: f64::NAN,
            },
        })
    }

    /// State after `tau` from `self.x` with the inputs in `self.xu`, uncached.
    fn state_after(&mut self, tau: f64, out: &mut [f64]) -> Result<(), SimError> {
        let matrix = self.step_matrix(tau, false)?;
        apply_step(&matrix, &self.xu, out);
        Ok(())
    }

    /// Locates the first diode violation in `(a, b]` by Illinois root finding on the
    /// exact solution from the step start; `x_b` is the state at `b`, where some diode
    /// is violated. Returns `τ` just past the crossing and the state there.
    fn locate(&mut self, a: f64, b: f64, x_b: Vec<f64>) -> Result<(f64, Vec<f64>), SimError> {
        let n = self.x.len();
        let mut probe = vec![0.0; n];
        let t0 = self.t;
        let (mut a, mut b, mut x_b) = (a, b, x_b);
        let mut fa = if a == 0.0 {
            let x_start = self.x.clone();
            self.max_violation(&x_start, t0)?.min(0.0)
        } else {
            self.state_after(a, &mut probe)?;
            self.max_violation(&probe, t0 + a)?.min(0.0)
        };
        let mut fb = self.max_violation(&x_b, t0 + b)?;
        let tolerance = 1e-10 * b + 4.0 * f64::EPSILON * self.t.abs();
        let mut side = 0i8;
        for _ in 0..100 {
            if b - a <= tolerance {
                break;
            }
            let mut c = if fb != fa {
                b - fb * (b - a) / (fb - fa)
            } else {
                0.5 * (a + b)
            };
            // Keep the trial point well inside the bracket.
            let margin = 1e-3 * (b - a);
            c = c.clamp(a + margin, b - margin);
            self.state_after(c, &mut probe)?;
            let fc = self.max_violation(&probe, t0 + c)?;
            if fc > 0.0 {
                b = c;
                fb = fc;
                x_b.copy_from_slice(&probe);
                if side == 1 {
                    fa *= 0.5;
                }
                side = 1;
            } else {
                a = c;
                fa = fc;
                if side == -1 {
                    fb *= 0.5;
                }
                side = -1;
            }
        }
        Ok((b, x_b))
    }

    /// Looks for a diode that crosses into violation and back out within the step of
    /// length `h`, which the check at the step end cannot see.
    ///
    /// Such an excursion starts at the step start, driven by a mode much faster than the
    /// step: a flyback's magnetising current forced into an off-state resistance swings
    /// the secondary diode's voltage positive and back within nanoseconds. For every
    /// diode below its threshold (`g < 0`) but moving toward it (`ġ > 0`, from
    /// `ẋ = A x + B u`), the engine probes the exact solution at the linear crossing
    /// estimate `τ* = −g/ġ` and at doublings of it up to `h`. Returns the bracket
    /// `(a, b, x(b))` of the first violation found.
    fn hidden_violation(&mut self, h: f64) -> Result<Option<(f64, f64, Vec<f64>)>, SimError> {
        let n = self.x.len();
        let ConfigView { violation, ab, .. } = self.view_with_dynamics()?;
        let mut u_now = std::mem::take(&mut self.u_probe);
        inputs_at(self.circuit, self.t, self.defaults, &mut u_now);
        let mut xu_now = self.x.clone();
        xu_now.extend_from_slice(&u_now);
        self.u_probe = u_now;
        let derivative = ab.mul_vec(&self.xu);

        let mut earliest = f64::INFINITY;
        for (d, device) in self.circuit.diodes.iter().enumerate() {
            let row = violation.row(d);
            let value: f64 = row.iter().zip(&xu_now).map(|(a, b)| a * b).sum();
            let rate: f64 = row[..n].iter().zip(&derivative).map(|(a, b)| a * b).sum();
            let on = self.mask & self.circuit.diode_bit(d) != 0;
            let g = diode_excess(device.ron, on, value, self.tolerance_v);
            let g_rate = diode_excess(device.ron, on, rate, 0.0);
            if g < 0.0 && g_rate > 0.0 {
                earliest = earliest.min(-g / g_rate);
            }
        }
        if !(earliest < h) {
            return Ok(None);
        }

        let mut probe = vec![0.0; n];
        let mut previous = 0.0;
        let mut tau = earliest.max(1e-12 * h);
        while tau < h {
            self.state_after(tau, &mut probe)?;
            if self.max_violation(&probe, self.t + tau)? > 0.0 {
                return Ok(Some((previous, tau, probe)));
            }
            previous = tau;
            tau *= 2.0;
        }
        Ok(None)
    }

    fn check_finite(&self) -> Result<(), SimError> {
        for (value, state) in self.x.iter().zip(&self.circuit.states) {
            if !value.is_finite() || value.abs() > DIVERGENCE_LIMIT {
                return Err(SimError::Diverged {
                    t: self.t,
                    state: state.name.clone(),
                    value: *value,
                });
            }
        }
        Ok(())
    }

    /// Evaluates the measured quantities at the present `xu` and mask into the buffer
    /// of `point`.
    fn measure_now(&mut self, point: Point) -> Result<(), SimError> {
        self.eval_rows(RowSet::Measured)?;
        let out = match point {
            Point::Start => &mut self.measure_start,
            Point::Middle => &mut self.measure_mid,
            Point::End => &mut self.measure_end,
        };
        evaluate(
            &self.measured,
            &self.row_values,
            self.mask,
            self.circuit.switches.len(),
            out,
        );
        Ok(())
    }

    /// `[Φ Γ]` of half the step `h`, for the midpoint of Simpson's rule.
    fn half_step_matrix(&mut self, h: f64) -> Result<cache::StepMatrix, SimError> {
        let half = 0.5 * h;
        if let Some((mask, bits, matrix)) = &self.last_half_step
            && *mask == self.mask
            && *bits == half.to_bits()
        {
            return Ok(matrix.clone());
        }
        let matrix = self
            .cache
            .step_matrix(self.mask, half)
            .map_err(|_| SimError::Diverged {
                t: self.t,
                state: "step matrix".into(),
                value: f64::NAN,
            })?;
        self.last_half_step = Some((self.mask, half.to_bits(), matrix.clone()));
        Ok(matrix)
    }

    /// Evaluates the energy terms (branch powers) for state `x` with the inputs in
    /// `self.xu`, into `out`.
    fn powers_at(&mut self, x: &[f64], out: &mut [f64]) -> Result<(), SimError> {
        let n = x.len();
        self.xu[..n].copy_from_slice(x);
        self.eval_rows(RowSet::Energy)?;
        evaluate(
            &self.energy_terms.quantities,
            &self.row_values,
            self.mask,
            self.circuit.switches.len(),
            out,
        );
        Ok(())
    }

    /// Integrates the branch powers over a step of length `h` from `x_start` to
    /// `x_end` by adaptive Simpson quadrature on the exact solution.
    ///
    /// Each interval is accepted when Simpson's and the trapezoidal estimate agree to
    /// `ENERGY_QUADRATURE_TOLERANCE` of their size; otherwise it is halved, with the
    /// midpoint states from the exact half-interval matrices. Smooth steps cost one
    /// midpoint. A step that starts with a mode much faster than the step — an
    /// inductor current forced into an off-state resistance, say — is refined
    /// geometrically toward its start, so its energy is counted correctly instead of
    /// being smeared over the step by a fixed rule.
    fn integrate_energy(&mut self, h: f64, x_start: &[f64], x_end: &[f64]) -> Result<(), SimError> {
        let n = x_start.len();
        let mut work = std::mem::take(&mut self.energy_work);
        work.resize(self.energy_terms.quantities.len(), n);

        // Common case: one Simpson panel over the whole step, without allocating.
        self.powers_at(x_start, &mut work.p_a)?;
        self.powers_at(x_end, &mut work.p_b)?;
        self.xu[..n].copy_from_slice(x_start);
        let half = self.half_step_matrix(h)?;
        apply_step(&half, &self.xu, &mut work.x_mid);
        let x_mid = std::mem::take(&mut work.x_mid);
        self.powers_at(&x_mid, &mut work.p_mid)?;
        work.x_mid = x_mid;
        work.integrals.fill(0.0);
        work.absolute.fill(0.0);
        let accepted = simpson_panel(
            &work.p_a,
            &work.p_mid,
            &work.p_b,
            h,
            false,
            &mut work.integrals,
            &mut work.absolute,
        );
        if !accepted {
            work.integrals.fill(0.0);
            work.absolute.fill(0.0);
            let first = (
                x_start.to_vec(),
                work.p_a.clone(),
                work.x_mid.clone(),
                work.p_mid.clone(),
                0.5 * h,
                1,
            );
            let second = (
                work.x_mid.clone(),
                work.p_mid.clone(),
                x_end.to_vec(),
                work.p_b.clone(),
                0.5 * h,
                1,
            );
            self.refine_energy(vec![second, first], &mut work)?;
        }
        let in_window = self.t >= self.options.window_from;
        self.energy_terms.add_integrals(
            &work.integrals,
            &work.absolute,
            in_window,
            &mut self.balance,
        );
        self.energy_work = work;
        Ok(())
    }

    /// Adaptive part of [`Self::integrate_energy`]: halves each interval of `stack`
    /// (start state and powers, end state and powers, length, depth) until Simpson's
    /// and the trapezoidal rule agree, adding the accepted panels to `work`.
    #[allow(clippy::type_complexity)]
    fn refine_energy(
        &mut self,
        mut stack: Vec<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, f64, u32)>,
        work: &mut EnergyWork,
    ) -> Result<(), SimError> {
        let n = self.x.len();
        let mut x_mid = vec![0.0; n];
        let mut p_mid = vec![0.0; work.p_mid.len()];
        while let Some((x_a, p_a, x_b, p_b, length, depth)) = stack.pop() {
            self.xu[..n].copy_from_slice(&x_a);
            let half = self.half_step_matrix(length)?;
            apply_step(&half, &self.xu, &mut x_mid);
            self.powers_at(&x_mid, &mut p_mid)?;
            let last_chance = depth >= MAX_ENERGY_REFINEMENT;
            if simpson_panel(
                &p_a,
                &p_mid,
                &p_b,
                length,
                last_chance,
                &mut work.integrals,
                &mut work.absolute,
            ) {
                continue;
            }
            stack.push((
                x_mid.clone(),
                p_mid.clone(),
                x_b,
                p_b,
                0.5 * length,
                depth + 1,
            ));
            stack.push((
                x_a,
                p_a,
                x_mid.clone(),
                p_mid.clone(),
                0.5 * length,
                depth + 1,
            ));
        }
        Ok(())
    }

    /// Integrates powers and measurements over a step of length `h` from `self.x`
    /// (already in `xu`) to `x_end`: energies by [`Self::integrate_energy`],
    /// measurements by Simpson's rule `h/6 (f₀ + 4 f_½ + f₁)`.
    fn integrate_step(&mut self, h: f64, x_end: &[f64]) -> Result<(), SimError> {
        let track_energy = self.options.energy;
        let track_measured = !self.measured.is_empty();
        if !track_energy && !track_measured {
            return Ok(());
        }
        let n = x_end.len();
        let mut x_start = std::mem::take(&mut self.step_start);
        x_start.clear();
        x_start.extend_from_slice(&self.xu[..n]);
        if track_energy {
            self.integrate_energy(h, &x_start, x_end)?;
            self.xu[..n].copy_from_slice(&x_start);
        }
        if track_measured {
            let mut x_mid = vec![0.0; n];
            let half = self.half_step_matrix(h)?;
            apply_step(&half, &self.xu, &mut x_mid);
            for (point, state) in [
                (Point::Start, &x_start[..]),
                (Point::Middle, &x_mid[..]),
                (Point::End, x_end),
            ] {
                self.xu[..n].copy_from_slice(state);
                self.measure_now(point)?;
            }
            for (((acc, s), m), e) in self
                .measure_integral
                .iter_mut()
                .zip(&self.measure_start)
                .zip(&self.measure_mid)
                .zip(&self.measure_end)
            {
                *acc += h / 6.0 * (s + 4.0 * m + e);
            }
        }
        self.xu[..n].copy_from_slice(x_end);
        self.step_start = x_start;
        Ok(())
    }

    fn record(&mut self, sink: &mut dyn SampleSink) -> Result<(), SimError> {
        self.set_xu(self.t);
        self.eval_rows(RowSet::Recorded)?;
        let probe_count = self.recorded.len();
        evaluate(
            &self.recorded,
            &self.row_values,
            self.mask,
            self.switch_count(),
            &mut self.values[..probe_count],
        );
        if self.controller_signal_count > 0 {
            self.gates.record(&mut self.values[probe_count..]);
        }
        sink.push(self.t, &self.values).map_err(SimError::Sink)?;
        self.stats.samples += 1;
        Ok(())
    }

    fn run_controller(&mut self) -> Result<(), SimError> {
        self.set_xu(self.t);
        self.measure_now(Point::End)?;
        let elapsed = self.t - self.measure_since;
        let averages: Vec<f64> = if elapsed > 0.0 {
            self.measure_integral.iter().map(|v| v / elapsed).collect()
        } else {
            self.measure_end.clone()
        };
        let instant = self.measure_end.clone();
        self.gates.control(
            self.t,
            &Measurements {
                instant: &instant,
                average: &averages,
            },
        );
        self.measure_integral.fill(0.0);
        self.measure_since = self.t;
        self.stats.control_instants += 1;
        Ok(())
    }

    /// Records the samples just before and just after a configuration change at
    /// `self.t`, so that a recorded edge is vertical and averages over the samples stay
    /// exact. The sample after the change is left to the output grid when `self.t` is
    /// a grid time (`next_sample`).
    fn record_event(
        &mut self,
        old_mask: u64,
        next_sample: f64,
        record_from: f64,
        sink: &mut dyn SampleSink,
    ) -> Result<(), SimError> {
        if !self.options.record_events || self.mask == old_mask || self.t < record_from {
            return Ok(());
        }
        let new_mask = self.mask;
        self.mask = old_mask;
        self.record(sink)?;
        self.mask = new_mask;
        if next_sample > self.t * (1.0 + 4.0 * f64::EPSILON) {
            self.record(sink)?;
        }
        Ok(())
    }

    fn apply_gates(&mut self, gate_mask: u64) -> Result<(), SimError> {
        self.mask = (self.mask & !self.switch_bits) | (gate_mask & self.switch_bits);
        self.set_xu(self.t);
        self.settle()
    }

    /// Next source breakpoint after `self.t`, recomputed only once the last one has
    /// passed.
    fn next_breakpoint(&mut self) -> f64 {
        if self.cached_breakpoint > self.t {
            return self.cached_breakpoint;
        }
        self.cached_breakpoint = self
            .circuit
            .sources
            .iter()
            .map(|s| next_breakpoint(&s.waveform, self.t, self.defaults))
            .fold(f64::INFINITY, f64::min);
        self.cached_breakpoint
    }

    pub(crate) fn run(
        &mut self,
        sink: &mut dyn SampleSink,
        progress: &mut dyn FnMut(f64),
    ) -> Result<(), SimError> {
        let options = self.options;
        let h_out = options.output_step;
        let t_stop = options.t_stop;
        // The engine steps on the whole output grid, recording from `record_from` on:
        // a longer step would hold time-varying sources too long and could hide a
        // diode commutation.
        let mut sample_index = 0.0;
        let sample_time = |k: f64| k * h_out;
        let record_from = options.record_from * (1.0 - 4.0 * f64::EPSILON);
        let mut last_recorded = f64::NEG_INFINITY;

        sink.begin(&self.signals).map_err(SimError::Sink)?;
        let n = self.x.len();
        inputs_at(self.circuit, 0.0, self.defaults, &mut self.xu[n..]);
        self.constant_inputs = self
            .circuit
            .sources
            .iter()
            .all(|source| matches!(source.waveform, crate::netlist::Waveform::Dc(_)));
        self.t = 0.0;
        let gate_mask = self.gates.start(0.0);
        self.apply_gates(gate_mask)?;
        self.balance.stored_initial = stored_energy(self.circuit, &self.x);
        if options.window_from <= 0.0 {
            self.balance.stored_window_start = self.balance.stored_initial;
        }
        let mut iterations_without_progress = 0;
        let mut tiny_events = 0;

        loop {
            while self.gates.next_control_instant() <= self.t {
                self.run_controller()?;
                let gate_mask = self.gates.update(self.t);
                let old_mask = self.mask;
                self.apply_gates(gate_mask)?;
                self.record_event(old_mask, sample_time(sample_index), record_from, sink)?;
            }
            if sample_time(sample_index) <= self.t * (1.0 + 4.0 * f64::EPSILON) {
                if sample_time(sample_index) >= record_from {
                    self.record(sink)?;
                    last_recorded = self.t;
                }
                sample_index += 1.0;
            }
            if self.t >= t_stop {
                // A t_stop off the output grid still gets its final sample.
                if last_recorded < self.t - 1e-9 * h_out {
                    self.record(sink)?;
                }
                break;
            }
            if self.stats.steps.is_multiple_of(8192) {
                progress(self.t / t_stop);
            }

            let t_edge = self.gates.next_edge();
            let t_control = self.gates.next_control_instant();
            let t_break = self.next_breakpoint();
            let t_window = if self.t < options.window_from {
                options.window_from
            } else {
                f64::INFINITY
            };
            let t_target = sample_time(sample_index)
                .min(t_window)
                .min(t_edge)
                .min(t_control)
                .min(t_break)
                .min(t_stop);
            let mut h = t_target - self.t;
            // Grid times are computed as k·h_out, so consecutive differences vary in
            // their last bits; stepping by exactly h_out keeps the step matrix cache
            // hitting, at a cost of a few ulps of time per step that never accumulate.
            if (h - h_out).abs() <= 16.0 * f64::EPSILON * t_target {
                h = h_out;
            }
            if !(h > 0.0) {
                // An edge at the present time (or earlier through rounding).
                let gate_mask = self.gates.update(self.t);
                self.stats.gate_edges += 1;
                let old_mask = self.mask;
                self.apply_gates(gate_mask)?;
                self.record_event(old_mask, sample_time(sample_index), record_from, sink)?;
                iterations_without_progress += 1;
                if iterations_without_progress > 1000 {
                    return Err(SimError::InvalidOption {
                        field: "gate schedule".into(),
                        value: format!("edges repeating at t = {:e} s", self.t),
                        expected: "edges that move forward in time".into(),
                    });
                }
                continue;
            }
            iterations_without_progress = 0;

            self.set_xu(self.t + 0.5 * h);
            let matrix = self.step_matrix(h, true)?;
            let mut x_next = std::mem::take(&mut self.x_next);
            apply_step(&matrix, &self.xu, &mut x_next);
            self.x_next = x_next;
            self.stats.steps += 1;

            let has_diodes = !self.circuit.diodes.is_empty();
            let hidden = if has_diodes {
                self.hidden_violation(h)?
            } else {
                None
            };
            let x_next = std::mem::take(&mut self.x_next);
            let bracket = match hidden {
                Some(bracket) => Some(bracket),
                None if has_diodes && self.max_violation(&x_next, t_target)? > 0.0 => {
                    Some((0.0, h, x_next.clone()))
                }
                None => None,
            };
            self.x_next = x_next;
            if let Some((a, b, x_b)) = bracket {
                let (tau, x_event) = self.locate(a, b, x_b)?;
                if tau < 1e-9 * h_out {
                    tiny_events += 1;
                    if tiny_events > MAX_TINY_EVENTS {
                        return Err(SimError::Inconsistent {
                            t: self.t,
                            diodes: "(diodes commuting back and forth without time advancing)"
                                .into(),
                        });
                    }
                } else {
                    tiny_events = 0;
                }
                self.integrate_step(tau, &x_event)?;
                self.x.copy_from_slice(&x_event);
                self.t += tau;
                self.stats.located_events += 1;
                self.check_finite()?;
                self.set_xu(self.t);
                let old_mask = self.mask;
                self.settle()?;
                self.record_event(old_mask, sample_time(sample_index), record_from, sink)?;
                continue;
            }

            let x_end = std::mem::take(&mut self.x_next);
            self.integrate_step(h, &x_end)?;
            self.x.copy_from_slice(&x_end);
            self.x_next = x_end;
            self.t = t_target;
            self.check_finite()?;
            if t_target == t_window {
                self.balance.stored_window_start = stored_energy(self.circuit, &self.x);
            }

            let old_mask = self.mask;
            if t_edge <= self.t {
                let gate_mask = self.gates.update(self.t);
                self.stats.gate_edges += 1;
                self.apply_gates(gate_mask)?;
            } else if t_break <= self.t {
                self.set_xu(self.t);
                self.settle()?;
            }
            self.record_event(old_mask, sample_time(sample_index), record_from, sink)?;
        }
        self.balance.stored_final = stored_energy(self.circuit, &self.x);
        progress(1.0);
        Ok(())
    }
}

/// Relative agreement of Simpson's and the trapezoidal rule at which an energy
/// integration interval is accepted.
const ENERGY_QUADRATURE_TOLERANCE: f64 = 1e-3;

/// Most halvings of an energy integration interval: 2⁻⁶⁰ of a step is far below any
/// time constant a circuit can have.
const MAX_ENERGY_REFINEMENT: u32 = 60;

/// Adds the Simpson integral of one panel to `integrals` (and of the absolute powers
/// to `absolute`) when Simpson's and the trapezoidal rule agree to
/// `ENERGY_QUADRATURE_TOLERANCE`, or when `force`; returns whether it did.
fn simpson_panel(
    p_a: &[f64],
    p_mid: &[f64],
    p_b: &[f64],
    length: f64,
    force: bool,
    integrals: &mut [f64],
    absolute: &mut [f64],
) -> bool {
    let mut difference = 0.0;
    let mut size = 0.0;
    for k in 0..p_a.len() {
        let simpson = length / 6.0 * (p_a[k] + 4.0 * p_mid[k] + p_b[k]);
        let trapezoid = 0.5 * length * (p_a[k] + p_b[k]);
        difference += (simpson - trapezoid).abs();
        size += simpson.abs().max(trapezoid.abs());
    }
    if !force && difference > ENERGY_QUADRATURE_TOLERANCE * size {
        return false;
    }
    for k in 0..p_a.len() {
        integrals[k] += length / 6.0 * (p_a[k] + 4.0 * p_mid[k] + p_b[k]);
        absolute[k] += length / 6.0 * (p_a[k].abs() + 4.0 * p_mid[k].abs() + p_b[k].abs());
    }
    true
}

/// Reusable buffers of the energy integration.
#[derive(Default)]
struct EnergyWork {
    p_a: Vec<f64>,
    p_b: Vec<f64>,
    p_mid: Vec<f64>,
    x_mid: Vec<f64>,
    integrals: Vec<f64>,
    absolute: Vec<f64>,
}

impl EnergyWork {
    fn resize(&mut self, terms: usize, states: usize) {
        for buffer in [
            &mut self.p_a,
            &mut self.p_b,
            &mut self.p_mid,
            &mut self.integrals,
            &mut self.absolute,
        ] {
            buffer.resize(terms, 0.0);
        }
        self.x_mid.resize(states, 0.0);
    }
}

/// Which quantities a row evaluation serves.
#[derive(Clone, Copy)]
enum RowSet {
    Recorded,
    Measured,
    Energy,
}

/// Row indices of the plan that `quantities` read.
fn rows_used(quantities: &[Quantity]) -> Vec<usize> {
    let mut rows: Vec<usize> = quantities
        .iter()
        .flat_map(|q| match *q {
            Quantity::Row(i) => vec![i],
            Quantity::Product(a, b) => vec![a, b],
            Quantity::Gate(_) | Quantity::DiodeOn(_) => vec![],
        })
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// Shared matrices of one configuration, kept at hand between steps.
#[derive(Clone)]
struct ConfigView {
    mask: u64,
    /// Output rows of the engine's plan.
    rows: Rc<Matrix>,
    /// Diode violation rows.
    violation: Rc<Matrix>,
    /// `[A B]`.
    ab: Rc<Matrix>,
}

#[derive(Clone, Copy)]
enum Point {
    Start,
    Middle,
    End,
}
