//! Two-level three-phase bridge on a stiff DC link: modulation, PWM edges with
//! deadtime, and the pole voltages applied to the filter.
//!
//! Pole voltages are measured from the DC-link midpoint. A leg whose high-side switch
//! conducts gives `+v_dc/2`, its low side `−v_dc/2`. During the deadtime both
//! switches are off and the freewheeling diode set by the sign of the phase current
//! conducts: a current flowing out of the leg (`i > 0`) takes the lower diode
//! (`−v_dc/2`), a current flowing in takes the upper one (`+v_dc/2`).
//!
//! NOTE: the current sign is read at the start of each deadtime interval. A zero
//! crossing inside the interval is not located, so near a zero crossing the pole
//! voltage can be wrong for up to one deadtime per edge.

use pelab_control::pwm::{Carrier, CarrierKind, ComplementaryPwm, Pattern};
use pelab_control::svpwm::{ModulationStatus, ZeroSequence, modulate_phases};
use pelab_control::transforms::{Abc, AlphaBeta, clarke, inverse_clarke};

use super::plant::TICKS;

/// Zero-sequence choice of the modulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modulation {
    /// Sinusoidal PWM, `d = 1/2 + v/v_dc`, linear up to a phase peak of `v_dc/2`.
    Sinusoidal,
    /// Centred space-vector PWM (min-max injection), linear up to `v_dc/√3`.
    SpaceVector,
    /// Discontinuous PWM (DPWM1).
    Discontinuous,
}

/// Duties of the three legs for the stationary-frame reference `v_ref` \[V\] and
/// whether the reference had to be clamped.
pub fn duties(modulation: Modulation, v_ref: [f64; 2], v_dc: f64) -> ([f64; 3], bool) {
    let abc = inverse_clarke(AlphaBeta {
        alpha: v_ref[0],
        beta: v_ref[1],
        zero: 0.0,
    });
    let references = [abc.a, abc.b, abc.c];
    let method = match modulation {
        Modulation::Sinusoidal => {
            let mut clamped = false;
            let d = references.map(|v| {
                let d = 0.5 + v / v_dc;
                if !(0.0..=1.0).contains(&d) {
                    clamped = true;
                }
                d.clamp(0.0, 1.0)
            });
            return (d, clamped);
        }
        Modulation::SpaceVector => ZeroSequence::MinMax,
        Modulation::Discontinuous => ZeroSequence::Dpwm1,
    };
    let result = modulate_phases(method, references, v_dc);
    let clamped = matches!(
        result.status,
        ModulationStatus::Clamped | ModulationStatus::InvalidInput
    );
    (result.duties, clamped)
}

/// Average pole voltages `(d − 1/2)·v_dc` in the αβ frame \[V\].
pub fn averaged_voltage(duties: [f64; 3], v_dc: f64) -> [f64; 2] {
    let v = clarke(Abc {
        a: (duties[0] - 0.5) * v_dc,
        b: (duties[1] - 0.5) * v_dc,
        c: (duties[2] - 0.5) * v_dc,
    });
    [v.alpha, v.beta]
}

/// A switch's on-interval in ticks of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TickPattern {
    Off,
    On,
    /// On in `[rise, fall)`, wrapping when `fall < rise`.
    Pulse {
        rise: u64,
        fall: u64,
    },
}

impl TickPattern {
    fn from_pattern(pattern: Pattern, period: f64) -> Self {
        match pattern {
            Pattern::AlwaysOff => TickPattern::Off,
            Pattern::AlwaysOn => TickPattern::On,
            Pattern::Pulse { rise, fall } => {
                let to_tick = |t: f64| ((t / period * TICKS as f64).round() as u64).min(TICKS - 1);
                let (rise, fall) = (to_tick(rise), to_tick(fall));
                if rise == fall {
                    // A pulse shorter than half a tick, or a gap that short.
                    if pattern.duty(period) < 0.5 {
                        TickPattern::Off
                    } else {
                        TickPattern::On
                    }
                } else {
                    TickPattern::Pulse { rise, fall }
                }
            }
        }
    }

    fn is_on(self, tick: u64) -> bool {
        match self {
            TickPattern::Off => false,
            TickPattern::On => true,
            TickPattern::Pulse { rise, fall } => {
                if rise < fall {
                    tick >= rise && tick < fall
                } else {
                    tick >= rise || tick < fall
                }
            }
        }
    }

    fn push_edges(self, edges: &mut Vec<u64>) {
        if let TickPattern::Pulse { rise, fall } = self {
            edges.push(rise);
            edges.push(fall);
        }
    }
}

/// Gate pattern of the bridge over one PWM period.
#[derive(Debug, Clone)]
pub struct BridgePeriod {
    high: [TickPattern; 3],
    low: [TickPattern; 3],
    /// Switching edges in `(0, TICKS)`, sorted and unique.
    pub edges: Vec<u64>,
}

/// Centre-aligned complementary PWM of the three legs.
#[derive(Debug, Clone, Copy)]
pub struct SwitchingBridge {
    pwm: ComplementaryPwm,
    period: f64,
}

impl SwitchingBridge {
    /// A bridge with PWM period `period` \[s\] and deadtime `t_dead` \[s\].
    ///
    /// # Errors
    /// A message when `t_dead` is not below half the period.
    pub fn new(period: f64, t_dead: f64) -> Result<Self, String> {
        let carrier = Carrier::new(CarrierKind::CenterAligned, period, 0.0)
            .map_err(|e| format!("carrier rejected: {e}"))?;
        let pwm = ComplementaryPwm::new(carrier, t_dead).map_err(|e| e.to_string())?;
        Ok(Self { pwm, period })
    }

    /// Gate patterns for the leg duties `duties`.
    pub fn plan(&self, duties: [f64; 3], edges: &mut Vec<u64>) -> BridgePeriod {
        edges.clear();
        let mut high = [TickPattern::Off; 3];
        let mut low = [TickPattern::Off; 3];
        for leg in 0..3 {
            let pattern = self.pwm.pattern(duties[leg]);
            high[leg] = TickPattern::from_pattern(pattern.high, self.period);
            low[leg] = TickPattern::from_pattern(pattern.low, self.period);
            high[leg].push_edges(edges);
            low[leg].push_edges(edges);
        }
        edges.retain(|&e| e > 0);
        edges.sort_unstable();
        edges.dedup();
        BridgePeriod {
            high,
            low,
            edges: std::mem::take(edges),
        }
    }
}

impl BridgePeriod {
    /// αβ pole voltage \[V\] during the interval that starts at `tick`, with the
    /// inverter-side phase currents `currents` \[A\] deciding the deadtime intervals.
    pub fn voltage(&self, tick: u64, currents: [f64; 3], v_dc: f64) -> [f64; 2] {
        let half = 0.5 * v_dc;
        let mut pole = [0.0; 3];
        for leg in 0..3 {
            // Deadtime: a current out of the leg takes the lower diode.
            let lower_conducts =
                self.low[leg].is_on(tick) || (!self.high[leg].is_on(tick) && currents[leg] > 0.0);
            let upper_conducts =
                self.high[leg].is_on(tick) || (!self.low[leg].is_on(tick) && currents[leg] < 0.0);
            pole[leg] = if upper_conducts {
                half
            } else if lower_conducts {
                -half
            } else {
                0.0
            };
        }
        let v = clarke(Abc {
            a: pole[0],
            b: pole[1],
            c: pole[2],
        });
        [v.alpha, v.beta]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_average_equals_averaged_voltage_without_deadtime() {
        let bridge = SwitchingBridge::new(50e-6, 0.0).expect("valid");
        let duties = [0.8, 0.35, 0.2];
        let mut edges = Vec::new();
        let plan = bridge.plan(duties, &mut edges);
        let mut breakpoints = vec![0];
        breakpoints.extend(plan.edges.iter().copied());
        breakpoints.push(TICKS);
        let mut sum = [0.0; 2];
        for pair in breakpoints.windows(2) {
            let v = plan.voltage(pair[0], [1.0; 3], 700.0);
            let weight = (pair[1] - pair[0]) as f64 / TICKS as f64;
            sum[0] += v[0] * weight;
            sum[1] += v[1] * weight;
        }
        let expected = averaged_voltage(duties, 700.0);
        assert!(
            (sum[0] - expected[0]).abs() < 1e-4,
            "{sum:?} vs {expected:?}"
        );
        assert!(
            (sum[1] - expected[1]).abs() < 1e-4,
            "{sum:?} vs {expected:?}"
        );
    }

    #[test]
    fn deadtime_error_follows_current_sign() {
        // Phase a alone in deadtime: i > 0 loses t_dead/T·v_dc of pole voltage per
        // period, i < 0 gains it.
        let period = 50e-6;
        let t_dead = 1e-6;
        let bridge = SwitchingBridge::new(period, t_dead).expect("valid");
        let mut edges = Vec::new();
        let plan = bridge.plan([0.5, 0.5, 0.5], &mut edges);
        let mut breakpoints = vec![0];
        breakpoints.extend(plan.edges.iter().copied());
        breakpoints.push(TICKS);
        for (current, sign) in [(5.0, -1.0), (-5.0, 1.0)] {
            let mut alpha = 0.0;
            for pair in breakpoints.windows(2) {
                let v = plan.voltage(pair[0], [current, 0.0, 0.0], 700.0);
                alpha += v[0] * (pair[1] - pair[0]) as f64 / TICKS as f64;
            }
            // α of a pole-a error e is 2e/3 (b and c have no net error: their
            // deadtime intervals sit at 0 A and give 0 V each way).
            let expected = sign * (2.0 / 3.0) * 700.0 * t_dead / period;
            assert!(
                (alpha - expected).abs() < 1e-3,
                "i = {current}: {alpha} vs {expected}"
            );
        }
    }
}
