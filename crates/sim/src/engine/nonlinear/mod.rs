//! The nonlinear path: circuits with saturating inductors or self-heating resistors.
//!
//! Such circuits are no longer linear within a configuration, so the exponential
//! stepping of the linear path does not apply. The engine keeps everything else —
//! configurations, gate edges, diode consistency, recording, energy bookkeeping — and
//! integrates each interval between scheduled events with `pelab-ode`
//! ([`Method::Auto`]: Dormand–Prince, switching to Radau IIA when the off-state
//! resistances make the system stiff). Diode commutations are terminal events of the
//! integrator on the same violation functions the linear path uses.
//!
//! Within configuration `σ` the right-hand side is the configuration's linear model,
//! rebuilt from the present resistor values, with two corrections:
//!
//! - a saturating inductor follows `di/dt = v_L / L_d(i)` with
//!   `L_d(i) = L_sat + (L₀ − L_sat) / (1 + (i/I_sat)²)`, so its row of `A x + B u`
//!   (computed with `L₀`) is scaled by `L₀ / L_d(i)`;
//! - a self-heating resistor adds the state `T` [°C] with
//!   `C_th dT/dt = v² / R(T) − (T − T_amb) / R_th` and `R(T) = R₀ (1 + tc1 ΔT + tc2 ΔT²)`.
//!
//! Energies are integrated with the trapezoidal rule over the output samples and
//! interval ends, so the balance residual here reflects the output step as well as the
//! solver tolerance.

mod system;
mod tracker;

use std::collections::HashMap;

use pelab_ode::{Method, Options, Status, integrate};

use super::energy::{EnergyTerms, stored_energy};
use super::plan::OutputPlan;
use super::{
    DIVERGENCE_LIMIT, EnergyBalance, GateControl, MAX_TINY_EVENTS, Measurements, RunOptions,
    RunReport, RunStats, SampleSink, SignalSpec, SimError, default_probes, resolve_probes,
};
use crate::circuit::Circuit;
use crate::sources::{PulseDefaults, next_breakpoint};
use system::CircuitOde;
use tracker::{Recording, Signals, Tracker};

/// Relative tolerance of the ODE solver on the nonlinear path.
const RTOL: f64 = 1e-7;

/// Absolute tolerance of the ODE solver [A, V or °C].
const ATOL: f64 = 1e-9;

/// Runs a nonlinear circuit.
pub(crate) fn run(
    circuit: &Circuit,
    gates: &mut dyn GateControl,
    options: &RunOptions,
    sink: &mut dyn SampleSink,
    progress: &mut dyn FnMut(f64),
) -> Result<RunReport, SimError> {
    let defaults = PulseDefaults {
        edge_time: options.pulse_edge_default,
        t_stop: options.t_stop,
    };
    let mut plan = OutputPlan::default();
    let names = if options.probes.is_empty() {
        default_probes(circuit)
    } else {
        options.probes.clone()
    };
    let (recorded, mut specs) = resolve_probes(circuit, &names, &mut plan)?;
    let (measured, _) = resolve_probes(circuit, &gates.measured_signals(), &mut plan)?;
    let controller_signals = gates.recorded_signals();
    let controller_count = controller_signals.len();
    specs.extend(
        controller_signals
            .into_iter()
            .map(|(name, unit)| SignalSpec {
                name,
                unit: unit.to_string(),
            }),
    );
    let energy = EnergyTerms::new(circuit, &mut plan);
    let mut ode = CircuitOde::new(circuit, defaults);
    let signals = Signals {
        circuit,
        plan,
        recorded,
        measured,
        energy,
        row_cache: HashMap::new(),
        thermal: ode.thermal,
        row_values: Vec::new(),
    };

    let h_out = options.output_step;
    let t_stop = options.t_stop;
    let switch_bits = (1u64 << circuit.switches.len()).wrapping_sub(1);
    let mut sample_index = (options.record_from / h_out).ceil();
    let mut tracker = Tracker {
        measure_integral: vec![0.0; signals.measured.len()],
        signals,
        window_from: options.window_from,
        controller_count,
        balance: EnergyBalance::default(),
        previous: None,
        values: vec![0.0; specs.len()],
        stats: RunStats::default(),
    };
    let mut measure_since = 0.0;
    let mut x = circuit.initial_state.clone();
    let mut t = 0.0;
    let mut tiny_events = 0usize;

    sink.begin(&specs).map_err(SimError::Sink)?;
    let gate_mask = gates.start(0.0);
    ode.mask = gate_mask & switch_bits;
    ode.settle(0.0, &x, &mut tracker.stats)?;
    tracker.balance.stored_initial = stored_energy(circuit, &x);
    if options.window_from <= 0.0 {
        tracker.balance.stored_window_start = tracker.balance.stored_initial;
    }

    loop {
        while gates.next_control_instant() <= t {
            tracker.visit(t, &x, &mut ode, None, gates)?;
            let instant = tracker
                .previous
                .as_ref()
                .map(|p| p.2.clone())
                .unwrap_or_default();
            let elapsed = t - measure_since;
            let average: Vec<f64> = if elapsed > 0.0 {
                tracker
                    .measure_integral
                    .iter()
                    .map(|v| v / elapsed)
                    .collect()
            } else {
                instant.clone()
            };
            gates.control(
                t,
                &Measurements {
                    instant: &instant,
                    average: &average,
                },
            );
            tracker.measure_integral.fill(0.0);
            measure_since = t;
            tracker.stats.control_instants += 1;
            let gate_mask = gates.update(t);
            ode.mask = (ode.mask & !switch_bits) | (gate_mask & switch_bits);
            ode.settle(t, &x, &mut tracker.stats)?;
            tracker.restart();
        }
        let sample_due = sample_index * h_out <= t * (1.0 + 4.0 * f64::EPSILON);
        tracker.visit(
            t,
            &x,
            &mut ode,
            if sample_due { Some(&mut *sink) } else { None },
            gates,
        )?;
        if sample_due {
            sample_index += 1.0;
        }
        if t >= t_stop {
            // A t_stop off the output grid still gets its final sample.
            let last_grid = (sample_index - 1.0) * h_out;
            if !sample_due && t > last_grid + 1e-9 * h_out && t >= options.record_from {
                tracker.visit(t, &x, &mut ode, Some(&mut *sink), gates)?;
            }
            break;
        }
        progress(t / t_stop);

        let t_edge = gates.next_edge();
        let t_control = gates.next_control_instant();
        let t_break = circuit
            .sources
            .iter()
            .map(|s| next_breakpoint(&s.waveform, t, defaults))
            .fold(f64::INFINITY, f64::min);
        let t_window = if t < options.window_from {
            options.window_from
        } else {
            f64::INFINITY
        };
        let segment_end = t_edge.min(t_control).min(t_break).min(t_window).min(t_stop);
        if !(segment_end > t) {
            let gate_mask = gates.update(t);
            tracker.stats.gate_edges += 1;
            ode.mask = (ode.mask & !switch_bits) | (gate_mask & switch_bits);
            ode.settle(t, &x, &mut tracker.stats)?;
            tracker.restart();
            continue;
        }

        let solver_options = Options {
            method: Method::Auto,
            rtol: pelab_ode::Tolerance::Scalar(RTOL),
            atol: pelab_ode::Tolerance::Scalar(ATOL),
            max_step: 4.0 * h_out,
            ..Options::default()
        };
        let mut recording = Recording {
            next_sample: sample_index * h_out,
            segment_end,
            h_out,
            sample_index,
            pending: Vec::new(),
        };
        let result = integrate(
            &mut ode,
            t,
            &x,
            segment_end,
            &solver_options,
            &mut recording,
        );
        let pending = std::mem::take(&mut recording.pending);
        sample_index = recording.sample_index;
        if let Some(failure) = ode.failure.take() {
            return Err(failure);
        }
        let solution = result.map_err(|e| SimError::Ode(e.to_string()))?;
        tracker.stats.ode_steps += solution.stats.steps;
        for (ts, xs) in pending {
            tracker.visit(ts, &xs, &mut ode, Some(&mut *sink), gates)?;
        }
        check_finite(circuit, solution.t, &solution.x)?;
        match solution.status {
            Status::Finished => {
                t = segment_end;
                x = solution.x;
                tracker.visit(t, &x, &mut ode, None, gates)?;
                if t == t_window {
                    tracker.balance.stored_window_start = stored_energy(circuit, &x);
                }
                if t_edge <= t {
                    let gate_mask = gates.update(t);
                    tracker.stats.gate_edges += 1;
                    ode.mask = (ode.mask & !switch_bits) | (gate_mask & switch_bits);
                    ode.settle(t, &x, &mut tracker.stats)?;
                    tracker.restart();
                } else if t_break <= t {
                    ode.settle(t, &x, &mut tracker.stats)?;
                    tracker.restart();
                }
            }
            Status::TerminalEvent { t: t_event, .. } => {
                let advance = t_event - t;
                t = t_event;
                x = solution.x;
                tracker.visit(t, &x, &mut ode, None, gates)?;
                tracker.stats.located_events += 1;
                if advance < 1e-9 * h_out {
                    tiny_events += 1;
                    if tiny_events > MAX_TINY_EVENTS {
                        return Err(SimError::Inconsistent {
                            t,
                            diodes: "(diodes commuting back and forth without time advancing)"
                                .into(),
                        });
                    }
                } else {
                    tiny_events = 0;
                }
                ode.settle(t, &x, &mut tracker.stats)?;
                tracker.restart();
            }
            Status::StepSizeTooSmall { h } => {
                return Err(SimError::Ode(format!(
                    "the step size collapsed to {h:e} s at t = {:e} s",
                    solution.t
                )));
            }
            Status::MaxStepsReached => {
                return Err(SimError::Ode(format!(
                    "the step limit was reached at t = {:e} s",
                    solution.t
                )));
            }
        }
    }

    tracker.balance.stored_final = stored_energy(circuit, &x);
    tracker.stats.cache.configurations = ode.models.len();
    progress(1.0);
    Ok(RunReport {
        signals: specs,
        stats: tracker.stats,
        energy: tracker.balance,
        window_energy: if options.energy {
            tracker.signals.energy.window_energies(circuit)
        } else {
            Vec::new()
        },
        state_names: circuit.states.iter().map(|s| s.name.clone()).collect(),
        final_state: x,
        nonlinear: true,
    })
}

fn check_finite(circuit: &Circuit, t: f64, x: &[f64]) -> Result<(), SimError> {
    for (value, state) in x.iter().zip(&circuit.states) {
        if !value.is_finite() || value.abs() > DIVERGENCE_LIMIT {
            return Err(SimError::Diverged {
                t,
                state: state.name.clone(),
                value: *value,
            });
        }
    }
    Ok(())
}
