//! Evaluation of source waveforms and their breakpoints.
//!
//! Sources are held constant over each step of the switched engine (see
//! `engine`), so every corner of a PULSE or PWL waveform is a breakpoint at which a
//! step must end; otherwise a step would average across the corner.

use crate::netlist::{Pulse, Waveform};

/// SPICE default for a PULSE rise or fall time left out: the `.tran` step, or zero.
#[derive(Debug, Clone, Copy)]
pub struct PulseDefaults {
    /// Rise/fall time used when the netlist leaves it out [s].
    pub edge_time: f64,
    /// End of the run, the default width and period [s].
    pub t_stop: f64,
}

/// Resolved pulse timing: all fields present.
#[derive(Debug, Clone, Copy)]
struct PulseTiming {
    v1: f64,
    v2: f64,
    delay: f64,
    rise: f64,
    fall: f64,
    width: f64,
    period: f64,
}

fn resolve(p: &Pulse, defaults: PulseDefaults) -> PulseTiming {
    let rise = p.rise.unwrap_or(defaults.edge_time);
    let fall = p.fall.unwrap_or(defaults.edge_time);
    let width = p.width.unwrap_or(defaults.t_stop);
    // A period shorter than one pulse is stretched to it, as ngspice does.
    let period = p.period.unwrap_or(f64::INFINITY).max(rise + width + fall);
    PulseTiming {
        v1: p.v1,
        v2: p.v2,
        delay: p.delay,
        rise,
        fall,
        width,
        period,
    }
}

/// Value of `waveform` at time `t` [s].
pub fn value_at(waveform: &Waveform, t: f64, defaults: PulseDefaults) -> f64 {
    match waveform {
        Waveform::Dc(v) => *v,
        Waveform::Pulse(p) => pulse_value(resolve(p, defaults), t),
        Waveform::Sine(s) => {
            if t < s.delay {
                s.offset + s.amplitude * s.phase_deg.to_radians().sin()
            } else {
                let tau = t - s.delay;
                let angle = std::f64::consts::TAU * s.frequency * tau + s.phase_deg.to_radians();
                s.offset + s.amplitude * (-s.damping * tau).exp() * angle.sin()
            }
        }
        Waveform::Pwl(points) => pwl_value(points, t),
    }
}

fn pulse_value(p: PulseTiming, t: f64) -> f64 {
    if t < p.delay {
        return p.v1;
    }
    let local = if p.period.is_finite() {
        (t - p.delay) % p.period
    } else {
        t - p.delay
    };
    if local < p.rise {
        p.v1 + (p.v2 - p.v1) * local / p.rise
    } else if local < p.rise + p.width {
        p.v2
    } else if local < p.rise + p.width + p.fall {
        p.v2 + (p.v1 - p.v2) * (local - p.rise - p.width) / p.fall
    } else {
        p.v1
    }
}

fn pwl_value(points: &[(f64, f64)], t: f64) -> f64 {
    let Some(&(t_first, v_first)) = points.first() else {
        return 0.0;
    };
    if t <= t_first {
        return v_first;
    }
    for pair in points.windows(2) {
        let ((t0, v0), (t1, v1)) = (pair[0], pair[1]);
        if t < t1 {
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0);
        }
    }
    points.last().map_or(0.0, |p| p.1)
}

/// First corner of `waveform` strictly after `t`, or infinity.
pub fn next_breakpoint(waveform: &Waveform, t: f64, defaults: PulseDefaults) -> f64 {
    match waveform {
        Waveform::Dc(_) | Waveform::Sine(_) => f64::INFINITY,
        Waveform::Pwl(points) => points
            .iter()
            .map(|p| p.0)
            .find(|&tp| tp > t)
            .unwrap_or(f64::INFINITY),
        Waveform::Pulse(p) => {
            let p = resolve(p, defaults);
            let corners = [0.0, p.rise, p.rise + p.width, p.rise + p.width + p.fall];
            if t < p.delay {
                return p.delay;
            }
            let cycle = if p.period.is_finite() {
                ((t - p.delay) / p.period).floor()
            } else {
                0.0
            };
            for k in [cycle, cycle + 1.0] {
                if k > 0.0 && !p.period.is_finite() {
                    break;
                }
                let start = p.delay + k * p.period;
                for c in corners {
                    let candidate = start + c;
                    if candidate > t {
                        return candidate;
                    }
                }
            }
            f64::INFINITY
        }
    }
}

/// First time after `t` (up to `t_limit`) at which the piecewise-linear signal
/// `Σ sign·waveform` leaves the side of `level` given by `above`, searched segment by
/// segment between breakpoints.
pub fn next_crossing(
    terms: &[(f64, Waveform)],
    level: f64,
    t: f64,
    t_limit: f64,
    above: bool,
    defaults: PulseDefaults,
) -> Option<f64> {
    let value = |time: f64| -> f64 {
        terms
            .iter()
            .map(|(sign, w)| sign * value_at(w, time, defaults))
            .sum()
    };
    let mut start = t;
    while start < t_limit {
        let end = terms
            .iter()
            .map(|(_, w)| next_breakpoint(w, start, defaults))
            .fold(t_limit, f64::min);
        if !(end > start) {
            break;
        }
        // On (start, end) the signal is linear. One-sided limits at both ends come
        // from two interior points, so a jump at a breakpoint is seen at the breakpoint.
        let a = start + 0.25 * (end - start);
        let b = start + 0.75 * (end - start);
        let (va, vb) = (value(a), value(b));
        let slope = (vb - va) / (b - a);
        let v_right_of_start = va - slope * (a - start);
        let v_left_of_end = vb + slope * (end - b);
        if (v_left_of_end > level) != above {
            let crossing = if slope == 0.0 {
                start
            } else {
                start + (level - v_right_of_start) / slope
            };
            return Some(crossing.clamp(start, end).max(t));
        }
        if end < t_limit && (value(end) > level) != above {
            return Some(end);
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlist::Sine;

    const DEFAULTS: PulseDefaults = PulseDefaults {
        edge_time: 0.0,
        t_stop: 1.0,
    };

    fn pulse() -> Waveform {
        Waveform::Pulse(Pulse {
            v1: 0.0,
            v2: 1.0,
            delay: 1e-6,
            rise: Some(1e-9),
            fall: Some(1e-9),
            width: Some(4e-6),
            period: Some(10e-6),
        })
    }

    #[test]
    fn pulse_levels_and_ramps() {
        let w = pulse();
        assert_eq!(value_at(&w, 0.0, DEFAULTS), 0.0);
        assert!((value_at(&w, 1e-6 + 0.5e-9, DEFAULTS) - 0.5).abs() < 1e-6);
        assert_eq!(value_at(&w, 3e-6, DEFAULTS), 1.0);
        assert_eq!(value_at(&w, 8e-6, DEFAULTS), 0.0);
        assert_eq!(value_at(&w, 13e-6, DEFAULTS), 1.0);
    }

    #[test]
    fn pulse_breakpoints_in_order() {
        let w = pulse();
        let mut t = 0.0;
        let mut corners = Vec::new();
        for _ in 0..6 {
            t = next_breakpoint(&w, t, DEFAULTS);
            corners.push(t);
        }
        let expected = [1e-6, 1.001e-6, 5.001e-6, 5.002e-6, 11e-6, 11.001e-6];
        for (c, e) in corners.iter().zip(expected) {
            assert!((c - e).abs() < 1e-15, "{corners:?}");
        }
    }

    #[test]
    fn gate_crossings_at_half_level() {
        let terms = vec![(1.0, pulse())];
        let rise = next_crossing(&terms, 0.5, 0.0, 1.0, false, DEFAULTS).unwrap();
        assert!((rise - (1e-6 + 0.5e-9)).abs() < 1e-15, "{rise}");
        let fall = next_crossing(&terms, 0.5, rise, 1.0, true, DEFAULTS).unwrap();
        assert!((fall - (5.001e-6 + 0.5e-9)).abs() < 1e-15, "{fall}");
    }

    #[test]
    fn pwl_interpolates_and_holds() {
        let w = Waveform::Pwl(vec![(0.0, 0.0), (1.0, 10.0), (2.0, 10.0)]);
        assert_eq!(value_at(&w, 0.5, DEFAULTS), 5.0);
        assert_eq!(value_at(&w, 5.0, DEFAULTS), 10.0);
        assert_eq!(next_breakpoint(&w, 0.5, DEFAULTS), 1.0);
    }

    #[test]
    fn sine_matches_spice_definition() {
        let w = Waveform::Sine(Sine {
            offset: 1.0,
            amplitude: 2.0,
            frequency: 50.0,
            delay: 0.0,
            damping: 0.0,
            phase_deg: 90.0,
        });
        assert!((value_at(&w, 0.0, DEFAULTS) - 3.0).abs() < 1e-12);
        assert!((value_at(&w, 0.01, DEFAULTS) - (-1.0)).abs() < 1e-12);
    }
}
