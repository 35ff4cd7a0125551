//! Exact stepping of the LLC plant between switching events, with rectifier and
//! body-diode commutations located by root finding.
//!
//! Within one [`Mode`] the plant is linear and time-invariant, so a step of length `h`
//! is `x(t + h) = Φ(h)·x(t) + Γ(h)` with `Φ = e^{A h}` and `Γ = ∫₀ʰ e^{A σ} dσ·B`
//! ([`pelab_linalg::discretize_zoh`]). This is exact up to rounding: the only
//! approximations are the event times. A state event is a diode current through zero,
//! a blocking voltage reaching its threshold, or the floating switch node reaching a
//! rail. It shows as its event function `g = c·x + d` turning positive within a step,
//! and safeguarded Newton iteration on `g(τ)`, with `g'(τ) = c·(A x(τ) + B)`, then
//! locates it inside that step. The state is placed just past the crossing, within
//! [`EVENT_TIME_TOL`] of it or where `|g|` is below 1e-10 of the quantity's scale. A
//! function that rises above zero and falls back within one step is missed, so the
//! caller keeps steps to a small fraction of the switching period (`h_max` of
//! [`Stepper::new`]).

use std::collections::HashMap;

use pelab_linalg::{Matrix, discretize_zoh};

use super::plant::{Bridge, Mode, STATES, Tank};
use crate::engine::SimError;
use crate::models::check_finite;

/// Width of the time bracket at which a state event counts as located [s].
pub const EVENT_TIME_TOL: f64 = 1e-13;

/// Event function margin, relative to the scale of its quantity (`V_in` for voltages,
/// `V_in/Z_0` for currents), below which a value counts as zero.
const EVENT_REL_TOL: f64 = 1e-10;

/// Most discretisations kept; the cache is cleared when it grows beyond this.
const CACHE_LIMIT: usize = 512;

/// Most mode changes accepted at one instant before the run is declared stuck.
const MAX_CHAINED_EVENTS: usize = 8;

/// Longest step while the node floats, as a fraction of the period `2π·√(L_r·C_sw)` of
/// the node ringing with the tank. Within a tenth of that period the node voltage is
/// monotonic, so a rail crossing cannot hide inside one step.
const FLOAT_STEP_FRACTION: f64 = 0.1;

/// Most state events accepted without the time moving past [`EVENT_TIME_TOL`]·1000;
/// more means the modes chatter, which would otherwise never end.
const MAX_EVENTS_WITHOUT_PROGRESS: usize = 64;

/// A discretised mode: `Φ` and `Γ` as flat row-major arrays.
#[derive(Clone)]
struct Step {
    phi: [f64; STATES * STATES],
    gamma: [f64; STATES],
}

/// An event function `g = c·x + d` and the mode it leads to.
#[derive(Clone, Copy)]
struct Event {
    c: [f64; STATES],
    d: f64,
    tol: f64,
    next: Mode,
}

impl Event {
    fn value(&self, x: &[f64; STATES]) -> f64 {
        self.c.iter().zip(x).map(|(c, x)| c * x).sum::<f64>() + self.d
    }
}

/// The plant state advanced mode by mode.
pub struct Stepper {
    tank: Tank,
    r_load: f64,
    /// State `[i_r, v_cr, i_m, v_co, v_sw, q_in]`.
    pub x: [f64; STATES],
    /// Current switch configuration.
    pub mode: Mode,
    /// Time [s].
    pub t: f64,
    /// Steps taken (state updates, root-finding trials included).
    pub steps: usize,
    /// Largest step [s].
    h_max: f64,
    /// `(A, B)` per dynamics index for the current load.
    matrices: Vec<(Matrix, Matrix)>,
    cache: HashMap<(usize, u64), Step>,
    current_scale: f64,
    /// Index `k` of the last grid point `k·h_max` reached.
    grid_index: f64,
    /// Longest step while the switch node floats [s].
    float_max_step: f64,
}

impl Stepper {
    /// Creates a stepper at `t = 0` in `mode` with state `x`, load `r_load` [Ω] and
    /// steps of at most `h_max` [s].
    pub fn new(tank: Tank, r_load: f64, x: [f64; STATES], mode: Mode, h_max: f64) -> Self {
        let mut stepper = Self {
            tank,
            r_load,
            x,
            mode,
            t: 0.0,
            steps: 0,
            h_max,
            matrices: Vec::new(),
            cache: HashMap::new(),
            current_scale: tank.v_in / tank.z0(),
            grid_index: 0.0,
            float_max_step: FLOAT_STEP_FRACTION
                * 2.0
                * std::f64::consts::PI
                * (tank.lr * tank.c_sw).sqrt(),
        };
        stepper.build_matrices();
        stepper
    }

    /// Plant values.
    pub fn tank(&self) -> &Tank {
        &self.tank
    }

    /// Load resistance [Ω].
    pub fn r_load(&self) -> f64 {
        self.r_load
    }

    /// Changes the load resistance (a load step) [Ω].
    pub fn set_load(&mut self, r_load: f64) {
        if r_load != self.r_load {
            self.r_load = r_load;
            self.build_matrices();
        }
    }

    fn build_matrices(&mut self) {
        self.cache.clear();
        self.matrices = (0..9)
            .map(|index| {
                let mode = Mode::from_dynamics_index(index);
                self.tank.matrices(mode, self.r_load)
            })
            .collect();
    }

    fn events(&self, mode: Mode) -> Vec<Event> {
        self.tank
            .events(mode, self.r_load)
            .into_iter()
            .map(|(c, d, next)| {
                let is_current = c[super::plant::I_R] != 0.0 || c[super::plant::I_M] != 0.0;
                let scale = if is_current {
                    self.current_scale
                } else {
                    self.tank.v_in
                };
                Event {
                    c,
                    d,
                    tol: EVENT_REL_TOL * scale,
                    next,
                }
            })
            .collect()
    }

    fn discretize(&self, mode: Mode, h: f64) -> Result<Step, SimError> {
        let (a, b) = &self.matrices[mode.dynamics_index()];
        let d = discretize_zoh(a, b, h).map_err(|_| SimError::Diverged {
            t: self.t,
            state: "tank matrix exponential".into(),
            value: h,
        })?;
        let mut step = Step {
            phi: [0.0; STATES * STATES],
            gamma: [0.0; STATES],
        };
        step.phi.copy_from_slice(d.phi.as_slice());
        step.gamma.copy_from_slice(d.gamma.as_slice());
        Ok(step)
    }

    fn step_cached(&mut self, mode: Mode, h: f64) -> Result<Step, SimError> {
        let key = (mode.dynamics_index(), h.to_bits());
        if let Some(step) = self.cache.get(&key) {
            return Ok(step.clone());
        }
        let step = self.discretize(mode, h)?;
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(key, step.clone());
        Ok(step)
    }

    fn apply(step: &Step, x: &[f64; STATES]) -> [f64; STATES] {
        let mut y = step.gamma;
        for (i, yi) in y.iter_mut().enumerate() {
            let row = &step.phi[i * STATES..(i + 1) * STATES];
            *yi += row.iter().zip(x).map(|(p, x)| p * x).sum::<f64>();
        }
        y
    }

    fn derivative(&self, x: &[f64; STATES]) -> [f64; STATES] {
        let (a, b) = &self.matrices[self.mode.dynamics_index()];
        let mut dx = [0.0; STATES];
        for (i, di) in dx.iter_mut().enumerate() {
            *di = a.row(i).iter().zip(x).map(|(a, x)| a * x).sum::<f64>() + b[(i, 0)];
        }
        dx
    }

    /// Changes the mode to `mode`, fixes the states its entry sets, and follows any
    /// further transitions that the state already calls for.
    ///
    /// # Errors
    /// [`SimError::Inconsistent`] when the transitions do not settle.
    pub fn switch_to(&mut self, mode: Mode) -> Result<(), SimError> {
        self.mode = mode;
        self.tank.enter(mode, &mut self.x);
        for _ in 0..MAX_CHAINED_EVENTS {
            let triggered = self
                .events(self.mode)
                .into_iter()
                .find(|e| e.value(&self.x) > e.tol);
            match triggered {
                Some(event) => {
                    self.mode = event.next;
                    self.tank.enter(event.next, &mut self.x);
                }
                None => return Ok(()),
            }
        }
        Err(SimError::Inconsistent {
            t: self.t,
            diodes: "in the output rectifier and the half-bridge".into(),
        })
    }

    /// Advances by `duration` [s], stepping on the global grid `k·h_max` so that the
    /// full steps reuse one cached discretisation, and calls `on_grid(t, x, mode)` at
    /// every grid point reached.
    ///
    /// # Errors
    /// [`SimError::Diverged`] when a state leaves the finite range, and
    /// [`SimError::Inconsistent`] when the modes keep switching at one instant.
    pub fn advance(
        &mut self,
        duration: f64,
        on_grid: &mut dyn FnMut(f64, &[f64; STATES], Mode),
    ) -> Result<(), SimError> {
        let t_end = self.t + duration;
        let h = self.h_max;
        let mut stalled_events = 0;
        let mut stall_start = self.t;
        while self.t < t_end - EVENT_TIME_TOL {
            // Every grid point is visited in turn, so one that lies a rounding error
            // behind the current time is still recorded.
            let k = self.grid_index + 1.0;
            let t_grid = k * h;
            let (mut target, mut on_grid_point) = if t_grid <= t_end + EVENT_TIME_TOL {
                (t_grid, true)
            } else {
                (t_end, false)
            };
            if self.mode.bridge == Bridge::Float && target - self.t > self.float_max_step {
                target = self.t + self.float_max_step;
                on_grid_point = false;
            }
            let dt = (target - self.t).max(0.0);
            let full = (dt - h).abs() <= 1e-9 * h;
            let step = if full {
                self.step_cached(self.mode, h)?
            } else {
                self.discretize(self.mode, dt)?
            };
            let x1 = Self::apply(&step, &self.x);
            self.steps += 1;

            if let Some((tau, x_event, next)) = self.locate_event(dt, &x1)? {
                self.t += tau;
                self.x = x_event;
                self.switch_to(next)?;
                if self.t - stall_start > 1000.0 * EVENT_TIME_TOL {
                    stall_start = self.t;
                    stalled_events = 0;
                }
                stalled_events += 1;
                if stalled_events > MAX_EVENTS_WITHOUT_PROGRESS {
                    return Err(SimError::Inconsistent {
                        t: self.t,
                        diodes: "in the output rectifier and the half-bridge (they kept switching at one instant)".into(),
                    });
                }
                continue;
            }

            self.x = x1;
            self.t = target;
            for (i, value) in self.x.iter().enumerate() {
                check_finite(self.t, STATE_NAMES[i], *value)?;
            }
            if on_grid_point {
                self.grid_index = k;
                on_grid(self.t, &self.x, self.mode);
            }
        }
        self.t = self.t.max(t_end);
        Ok(())
    }

    /// Finds the earliest event in a step of `dt` ending at `x1`: its time from the
    /// step start, the state there and the next mode.
    fn locate_event(
        &mut self,
        dt: f64,
        x1: &[f64; STATES],
    ) -> Result<Option<(f64, [f64; STATES], Mode)>, SimError> {
        let mut earliest: Option<(f64, [f64; STATES], Mode)> = None;
        for event in self.events(self.mode) {
            if event.value(x1) <= event.tol {
                continue;
            }
            let limit = earliest.as_ref().map_or(dt, |e| e.0);
            if let Some((tau, x)) = self.find_crossing(&event, limit)? {
                earliest = Some((tau, x, event.next));
            }
        }
        Ok(earliest)
    }

    /// Locates the crossing of `event` in `(0, limit]`: safeguarded Newton on
    /// `g(τ) = c·x(τ) + d`. Returns the time and the state just after the crossing,
    /// or `None` when `g(limit)` is not positive.
    fn find_crossing(
        &mut self,
        event: &Event,
        limit: f64,
    ) -> Result<Option<(f64, [f64; STATES])>, SimError> {
        let x0 = self.x;
        let mut lo = 0.0;
        let mut hi = limit;
        let step = self.discretize(self.mode, hi)?;
        let mut x_hi = Self::apply(&step, &x0);
        let g_hi = event.value(&x_hi);
        if g_hi <= event.tol {
            return Ok(None);
        }
        // A function that starts at zero (the state sits on a boundary it is leaving)
        // gives no useful secant; start from the middle instead.
        let g_lo = event.value(&x0);
        let mut tau = if g_lo < -event.tol {
            hi * (-g_lo) / (g_hi - g_lo)
        } else {
            0.5 * hi
        };
        for _ in 0..80 {
            if hi - lo <= EVENT_TIME_TOL {
                break;
            }
            tau = tau.clamp(lo, hi);
            let step = self.discretize(self.mode, tau)?;
            let x = Self::apply(&step, &x0);
            self.steps += 1;
            let g = event.value(&x);
            let slope: f64 = {
                let dx = self.derivative(&x);
                event.c.iter().zip(&dx).map(|(c, d)| c * d).sum()
            };
            if g > 0.0 {
                hi = tau;
                x_hi = x;
                if g <= event.tol {
                    break;
                }
            } else {
                lo = tau;
                if g >= -event.tol && slope > 0.0 {
                    // Just before a rising crossing: step past it by the time tolerance.
                    let past = (tau + EVENT_TIME_TOL).min(hi);
                    let step = self.discretize(self.mode, past)?;
                    x_hi = Self::apply(&step, &x0);
                    hi = past;
                    break;
                }
            }
            let newton = tau - g / slope;
            tau = if slope.is_finite() && slope > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
        }
        Ok(Some((hi, x_hi)))
    }
}

/// Names of the states, for divergence errors.
pub const STATE_NAMES: [&str; STATES] = [
    "tank current i_r",
    "series capacitor voltage v_cr",
    "magnetising current i_m",
    "output capacitor voltage v_co",
    "switch-node voltage v_sw",
    "input charge q_in",
];
