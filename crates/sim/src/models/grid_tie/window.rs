//! Metrics gathered inside the simulation, independent of the recording.
//!
//! The run calls [`Accumulator::observe`] at every point where it stops the exact
//! plant stepper: each PWM edge, each controller sample and its mid-period point,
//! each grid event and the start of the metrics window. Between two such points the
//! pole voltages are held, so the grid current is a smooth arc and its extremes over
//! a switching period lie at or close to these points.
//!
//! - Means and RMS values use the trapezoidal rule over these points,
//!   `∫f dt ≈ Σ (f_k + f_(k+1))/2·Δt_k`. Because every product `v·i` and every square
//!   `v²`, `i²` carries the same non-negative weights, the Cauchy–Schwarz inequality
//!   `Σ w·v·i ≤ sqrt(Σ w·v²)·sqrt(Σ w·i²)` holds for the discrete sums and the power
//!   factor `P/Σ V_rms·I_rms` cannot exceed 1. The sum of the three phase products
//!   equals `3/2·(vα·iα + vβ·iβ)` because a three-wire grid carries no zero-sequence
//!   current.
//! - Peaks are the largest `|i|` of the three grid phase currents at these points.
//! - The THD buffer holds the three grid currents at every controller sample and
//!   mid-period point, a fixed rate of `2·f_sw`. Both instants are centres of a
//!   zero vector of centred PWM, where the switching ripple crosses its mean, so the
//!   ripple barely aliases into the low harmonics.

use super::plant::{self, I2, Lcl, STATES, TICKS};

/// Largest number of samples per phase in the THD buffer (the last 32.8 s at 16 kHz).
pub const MAX_THD_SAMPLES: usize = 1 << 20;

/// Time integrals over the metrics window and peaks between grid events.
#[derive(Debug, Clone)]
pub struct Accumulator {
    period: f64,
    window_from: u64,
    thd_from: u64,
    /// Row start ticks of the event table, the first at 0.
    segments: Vec<u64>,
    /// Largest |i_grid| per event-table row \[A\].
    pub peaks: Vec<f64>,
    last: Option<Point>,
    /// Window length covered so far \[s\].
    pub duration: f64,
    /// `∫p dt` \[J\].
    pub p: f64,
    /// `∫q dt` \[var·s\].
    pub q: f64,
    /// `∫i_k² dt` per phase \[A²·s\].
    pub i_sq: [f64; 3],
    /// `∫v_k² dt` per phase at the PCC \[V²·s\].
    pub v_sq: [f64; 3],
    /// `∫p_ref dt` \[J\].
    pub p_ref: f64,
    /// `∫q_ref dt` \[var·s\].
    pub q_ref: f64,
    /// `∫f_pll dt` \[Hz·s\].
    pub frequency: f64,
    /// THD buffer: sample times \[s\].
    pub thd_time: Vec<f64>,
    /// THD buffer: grid phase currents \[A\].
    pub thd_current: [Vec<f64>; 3],
}

/// Values held by the controller over the current period.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    /// Active power reference \[W\].
    pub p_ref: f64,
    /// Reactive power reference \[var\].
    pub q_ref: f64,
    /// PLL frequency \[Hz\].
    pub frequency: f64,
}

#[derive(Debug, Clone, Copy)]
struct Point {
    tick: u64,
    p: f64,
    q: f64,
    i: [f64; 3],
    v: [f64; 3],
}

fn abc(alpha: f64, beta: f64) -> [f64; 3] {
    let half = 0.5 * 3.0_f64.sqrt();
    [
        alpha,
        -0.5 * alpha + half * beta,
        -0.5 * alpha - half * beta,
    ]
}

impl Accumulator {
    /// An accumulator for the window from tick `window_from` to the end, with
    /// event-table rows starting at the ticks `segments` (sorted, the first 0) and a
    /// THD buffer from tick `thd_from`.
    pub fn new(period: f64, window_from: u64, thd_from: u64, segments: Vec<u64>) -> Self {
        Self {
            period,
            window_from,
            thd_from: thd_from.max(window_from),
            peaks: vec![0.0; segments.len()],
            segments,
            last: None,
            duration: 0.0,
            p: 0.0,
            q: 0.0,
            i_sq: [0.0; 3],
            v_sq: [0.0; 3],
            p_ref: 0.0,
            q_ref: 0.0,
            frequency: 0.0,
            thd_time: Vec::new(),
            thd_current: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    /// Adds the state `x` at global tick `tick`; `held` are the controller values
    /// over the interval since the previous point. Called twice at one tick (before
    /// and after a grid event), the second call starts the next interval.
    pub fn observe(&mut self, lcl: &Lcl, x: &[f64; STATES], tick: u64, held: Held) {
        let v_alpha = plant::pcc_voltage(lcl, x, 0);
        let v_beta = plant::pcc_voltage(lcl, x, 1);
        let point = Point {
            tick,
            p: 1.5 * (v_alpha * x[I2] + v_beta * x[I2 + 1]),
            q: 1.5 * (v_beta * x[I2] - v_alpha * x[I2 + 1]),
            i: abc(x[I2], x[I2 + 1]),
            v: abc(v_alpha, v_beta),
        };
        let segment = self.segments.partition_point(|&s| s <= tick).max(1) - 1;
        let peak = point.i.iter().fold(0.0_f64, |m, i| m.max(i.abs()));
        if let Some(slot) = self.peaks.get_mut(segment) {
            *slot = slot.max(peak);
        }

        if let Some(last) = self.last
            && last.tick >= self.window_from
            && tick > last.tick
        {
            let dt = (tick - last.tick) as f64 / TICKS as f64 * self.period;
            let half = 0.5 * dt;
            self.duration += dt;
            self.p += half * (last.p + point.p);
            self.q += half * (last.q + point.q);
            for k in 0..3 {
                self.i_sq[k] += half * (last.i[k] * last.i[k] + point.i[k] * point.i[k]);
                self.v_sq[k] += half * (last.v[k] * last.v[k] + point.v[k] * point.v[k]);
            }
            self.p_ref += dt * held.p_ref;
            self.q_ref += dt * held.q_ref;
            self.frequency += dt * held.frequency;
        }
        if tick >= self.thd_from
            && tick.is_multiple_of(TICKS / 2)
            && self.last.is_none_or(|l| l.tick != tick)
        {
            self.thd_time.push(tick as f64 / TICKS as f64 * self.period);
            for (buffer, i) in self.thd_current.iter_mut().zip(point.i) {
                buffer.push(i);
            }
        }
        self.last = Some(point);
    }

    /// Mean of an integral over the window, `None` before the window has length.
    pub fn mean(&self, integral: f64) -> Option<f64> {
        (self.duration > 0.0).then(|| integral / self.duration)
    }

    /// RMS from an integral of a square over the window.
    pub fn rms(&self, integral: f64) -> Option<f64> {
        self.mean(integral).map(|m| m.max(0.0).sqrt())
    }
}
