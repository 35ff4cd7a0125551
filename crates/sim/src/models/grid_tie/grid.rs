//! Grid voltage source: a balanced three-phase e.m.f. with optional 5th and 7th
//! harmonics, and scheduled sags and swells, phase jumps and frequency steps.
//!
//! The e.m.f. of phase a is
//!
//! ```text
//! v_a = m·V·[cos θ + h5·cos 5θ + h7·cos 7θ],   V = √2·v_ll_rms/√3,   dθ/dt = ω
//! ```
//!
//! with `m` the per-unit magnitude, `h5`, `h7` the harmonic ratios, and phases b and c
//! delayed by 120° and 240°, which makes the 5th a negative-sequence and the 7th a
//! positive-sequence set. Between events the oscillator states of the plant
//! ([`crate::models::grid_tie::plant`]) carry the voltage exactly. At an event the
//! angle `θ` is advanced analytically from the previous event, the new magnitude,
//! jump or frequency is applied, and the oscillators are set from `θ`. A phase jump
//! shifts the harmonics with the fundamental, as a time shift of the whole waveform
//! would.

use std::f64::consts::PI;

use super::plant::{G1, G5, G7, STATES};

/// Change made by a grid event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventKind {
    /// New per-unit magnitude.
    Magnitude(f64),
    /// Grid angle advanced by this many radians.
    PhaseJump(f64),
    /// New frequency \[Hz\].
    Frequency(f64),
}

/// A scheduled grid event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridEvent {
    /// Time \[s\].
    pub time: f64,
    /// The change.
    pub kind: EventKind,
}

/// Grid e.m.f. description and its state at the last event.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Nominal phase amplitude `V` \[V\].
    pub amplitude: f64,
    /// 5th-harmonic ratio \[1\].
    pub h5: f64,
    /// 7th-harmonic ratio \[1\].
    pub h7: f64,
    /// Events sorted by time, those at `t = 0` included.
    pub events: Vec<GridEvent>,
    /// Current per-unit magnitude.
    pub magnitude: f64,
    /// Current frequency \[Hz\].
    pub frequency: f64,
    /// Angle at `angle_time` \[rad\].
    angle: f64,
    angle_time: f64,
}

impl Grid {
    /// Creates a grid at `frequency` \[Hz\] with magnitude 1 and angle 0 at `t = 0`, and
    /// `events` still to apply.
    pub fn new(
        v_ll_rms: f64,
        frequency: f64,
        h5: f64,
        h7: f64,
        mut events: Vec<GridEvent>,
    ) -> Self {
        events.sort_by(|a, b| a.time.total_cmp(&b.time));
        Self {
            amplitude: v_ll_rms * 2.0_f64.sqrt() / 3.0_f64.sqrt(),
            h5,
            h7,
            events,
            magnitude: 1.0,
            frequency,
            angle: 0.0,
            angle_time: 0.0,
        }
    }

    /// Angular frequency now \[rad/s\].
    pub fn omega(&self) -> f64 {
        2.0 * PI * self.frequency
    }

    /// Grid angle `θ` at `t` \[s\], for `t` at or after the last event applied.
    pub fn angle_at(&self, t: f64) -> f64 {
        self.angle + self.omega() * (t - self.angle_time)
    }

    /// Applies `event` at time `t` \[s\]. Returns whether the frequency changed, in
    /// which case the caller rebuilds the plant stepper.
    pub fn apply(&mut self, event: &GridEvent, t: f64) -> bool {
        self.angle = self.angle_at(t);
        self.angle_time = t;
        match event.kind {
            EventKind::Magnitude(m) => {
                self.magnitude = m;
                false
            }
            EventKind::PhaseJump(rad) => {
                self.angle += rad;
                false
            }
            EventKind::Frequency(f) => {
                let changed = f != self.frequency;
                self.frequency = f;
                changed
            }
        }
    }

    /// Writes the oscillator states for the angle at `t` \[s\] into `x`.
    pub fn set_oscillators(&self, x: &mut [f64; STATES], t: f64) {
        let theta = self.angle_at(t);
        let v = self.magnitude * self.amplitude;
        x[G1] = v * theta.cos();
        x[G1 + 1] = v * theta.sin();
        x[G5] = v * self.h5 * (5.0 * theta).cos();
        x[G5 + 1] = -v * self.h5 * (5.0 * theta).sin();
        x[G7] = v * self.h7 * (7.0 * theta).cos();
        x[G7 + 1] = v * self.h7 * (7.0 * theta).sin();
    }
}

/// Builds the event list from the schedules `magnitude` (per unit), `phase_jump`
/// (degrees) and `frequency` (Hz), each as `(time_s, value)` pairs.
pub fn events_from_schedules(
    magnitude: &[(f64, f64)],
    phase_jump: &[(f64, f64)],
    frequency: &[(f64, f64)],
) -> Vec<GridEvent> {
    let mut events = Vec::new();
    for &(time, m) in magnitude {
        events.push(GridEvent {
            time,
            kind: EventKind::Magnitude(m),
        });
    }
    for &(time, degrees) in phase_jump {
        events.push(GridEvent {
            time,
            kind: EventKind::PhaseJump(degrees.to_radians()),
        });
    }
    for &(time, f) in frequency {
        events.push(GridEvent {
            time,
            kind: EventKind::Frequency(f),
        });
    }
    events.sort_by(|a, b| a.time.total_cmp(&b.time));
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscillators_give_balanced_phases() {
        let grid = Grid::new(400.0, 50.0, 0.0, 0.0, Vec::new());
        let mut x = [0.0; STATES];
        grid.set_oscillators(&mut x, 0.0);
        assert!((x[G1] - 326.598_632_371_090_4).abs() < 1e-9);
        assert_eq!(x[G1 + 1], 0.0);
    }

    #[test]
    fn phase_jump_and_frequency_step_move_angle() {
        let mut grid = Grid::new(400.0, 50.0, 0.0, 0.0, Vec::new());
        grid.apply(
            &GridEvent {
                time: 0.01,
                kind: EventKind::PhaseJump(0.5),
            },
            0.01,
        );
        assert!((grid.angle_at(0.01) - (PI + 0.5)).abs() < 1e-12);
        let changed = grid.apply(
            &GridEvent {
                time: 0.02,
                kind: EventKind::Frequency(51.0),
            },
            0.02,
        );
        assert!(changed);
        let expected = 2.0 * PI + 0.5 + 2.0 * PI * 51.0 * 0.01;
        assert!((grid.angle_at(0.03) - expected).abs() < 1e-12);
    }
}
