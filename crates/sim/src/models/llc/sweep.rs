//! Open-loop steady states: the simulated gain curve and the ZVS map.
//!
//! Each point runs the switched plant at a fixed frequency and load until the
//! period-averaged output voltage stops changing. The slow mode is the output filter
//! (`C_o` against the load seen through the rectifier), whose error shrinks by a nearly
//! constant ratio `r` per block of periods. After three blocks with such a ratio, the
//! run jumps `v_co` to the Aitken limit `V₃ + (V₃ − V₂)·r/(1 − r)` and keeps simulating;
//! the point counts as converged when the remaining extrapolated error is below
//! [`STEADY_REL_TOL`] of the output voltage. The jump only changes where the run starts
//! the next blocks, so the reported value always comes from simulated periods.

use super::fha::Fha;
use super::plant::{Bridge, Mode, Rect, STATES, Tank, V_CO, V_CR, V_SW};
use super::stepper::Stepper;
use super::switching::{HalfBridge, Observer, TurnOn};
use crate::engine::SimError;

/// Output-grid points per switching period for the period averages.
const GRID_PER_PERIOD: f64 = 40.0;

/// Periods per convergence block.
const BLOCK_PERIODS: usize = 20;

/// Extrapolated remaining error of the output voltage, relative, at which a point
/// counts as steady.
pub const STEADY_REL_TOL: f64 = 2e-5;

/// Most periods simulated per point.
const MAX_PERIODS: usize = 6000;

/// A simulated open-loop steady state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SteadyPoint {
    /// Switching frequency [Hz].
    pub f_sw: f64,
    /// Load resistance [Ω].
    pub r_load: f64,
    /// Period-averaged output voltage [V].
    pub v_out: f64,
    /// Gain `M = n·V_out/(V_in/2)`.
    pub gain: f64,
    /// Whether every turn-on of the last block was zero-voltage switching.
    pub zvs: bool,
    /// Smallest ZVS margin of the last block.
    pub margin: f64,
    /// Periods simulated.
    pub periods: usize,
    /// Whether the convergence test passed within the period limit.
    pub converged: bool,
    /// Integration steps taken.
    pub steps: usize,
}

/// Period-block statistics: output-voltage average and turn-on record.
struct Averager {
    tank: Tank,
    sum: f64,
    count: usize,
    all_zvs: bool,
    min_margin: f64,
}

impl Averager {
    fn new(tank: Tank) -> Self {
        Self {
            tank,
            sum: 0.0,
            count: 0,
            all_zvs: true,
            min_margin: f64::INFINITY,
        }
    }
}

impl Observer for Averager {
    fn on_grid(&mut self, _t: f64, x: &[f64; STATES], mode: Mode, r_load: f64) {
        self.sum += self.tank.output_voltage(mode, x, r_load);
        self.count += 1;
    }

    fn next_breakpoint(&self) -> f64 {
        f64::INFINITY
    }

    fn on_breakpoint(&mut self, _stepper: &mut Stepper) -> Result<(), SimError> {
        Ok(())
    }

    fn on_turn_on(&mut self, event: &TurnOn) {
        self.all_zvs &= event.zvs;
        if event.margin.is_finite() {
            self.min_margin = self.min_margin.min(event.margin);
        }
    }
}

/// Simulates `tank` with deadtime `t_dead` [s] at `f_sw` [Hz] into `r_load` [Ω] until
/// steady state.
///
/// # Errors
/// [`SimError`] when the plant diverges.
pub fn steady_state(
    tank: &Tank,
    t_dead: f64,
    f_sw: f64,
    r_load: f64,
) -> Result<SteadyPoint, SimError> {
    let alpha = tank.alpha(r_load);
    let fha = Fha::new(tank, r_load);
    let v_guess = (fha.gain(f_sw) * tank.v_in / (2.0 * tank.n) - tank.v_f).max(0.0);

    let mut x = [0.0; STATES];
    x[V_CR] = 0.5 * tank.v_in;
    x[V_CO] = v_guess / alpha;
    x[V_SW] = 0.0;
    let mode = Mode {
        bridge: Bridge::Low,
        rect: Rect::Off,
    };
    let h = 1.0 / (GRID_PER_PERIOD * f_sw);
    let stepper = Stepper::new(*tank, r_load, x, mode, h);
    let mut bridge = HalfBridge::new(stepper, t_dead);

    let mut history: Vec<f64> = Vec::with_capacity(3);
    let mut periods = 0;
    let mut converged = false;
    let mut last = Averager::new(*tank);
    while periods < MAX_PERIODS {
        let mut block = Averager::new(*tank);
        for _ in 0..BLOCK_PERIODS {
            bridge.run_period(f_sw, &mut block)?;
        }
        periods += BLOCK_PERIODS;
        let mean = block.sum / block.count.max(1) as f64;
        last = block;
        history.push(mean);
        if history.len() < 3 {
            continue;
        }
        let (v1, v2, v3) = (history[0], history[1], history[2]);
        let d1 = v2 - v1;
        let d2 = v3 - v2;
        let ratio = if d1 != 0.0 { d2 / d1 } else { 0.0 };
        let remaining = if ratio > 0.0 && ratio < 1.0 {
            d2.abs() * ratio / (1.0 - ratio)
        } else {
            d2.abs()
        };
        let tol = STEADY_REL_TOL * v3.abs().max(1e-3 * tank.v_in / tank.n);
        if remaining <= tol && d2.abs() <= tol {
            converged = true;
            break;
        }
        if ratio > 0.0 && ratio < 0.98 {
            let target = v3 + d2 * ratio / (1.0 - ratio);
            bridge.stepper.x[V_CO] += (target - v3) / alpha;
            history.clear();
        } else {
            history.remove(0);
        }
    }
    let v_out = history.last().copied().unwrap_or(0.0);
    Ok(SteadyPoint {
        f_sw,
        r_load,
        v_out,
        gain: tank.n * v_out / (0.5 * tank.v_in),
        zvs: last.all_zvs,
        margin: last.min_margin,
        periods,
        converged,
        steps: bridge.stepper.steps,
    })
}
