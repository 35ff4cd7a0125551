//! Losses of a switch position from its simulated current, voltage and gate signal.
//!
//! The calculator walks the samples once. Conduction energy integrates the
//! instantaneous power over each interval between samples. Switching energy is
//! looked up at every transition with that transition's own current, voltage and
//! junction temperature, the way a double-pulse test measures it:
//!
//! - gate off → on: `Eon(i_after, v_before, Tj)` when the position blocked a voltage
//!   and takes forward current afterwards (hard turn-on); `Eoss(v_before)` when it
//!   blocked a voltage and takes no current (capacitive turn-on, e.g. DCM); nothing
//!   when it did not block (ZVS: its own reverse path conducted) or takes reverse
//!   current (the other switch of the leg commutated the current into it);
//! - gate on → off: `Eoff(i_before, v_after, Tj)` when it carried forward current and
//!   blocks afterwards; nothing otherwise (the current moves to its own reverse path);
//! - reverse conduction ending against a voltage, whatever the gate: the reverse
//!   path recovers, `Err(|i_before|, v_after, Tj)`.
//!
//! "Before" and "after" are the samples on each side of the transition. The
//! simulation engine records both at the same instant for every switching event, so
//! its waveforms give exact values; coarser traces give the values at the
//! neighbouring samples.
//!
//! Conduction: between samples `k` and `k + 1` the current is taken as linear in time
//! (exact for the piecewise-linear engine with inductive currents, and the natural
//! reading of any sampled trace). The interval is split where the current changes
//! sign, and each part is integrated by two-point Gauss–Legendre quadrature on
//! `p(i) = i · v(i)`. The rule is exact for cubics in time. For a MOSFET with
//! `v = R i`, or a diode with `v = V_0 + r i`, the integrand is quadratic, so the
//! result is exact and equals `R · I_rms² · Δt` for the MOSFET. Intervals where the
//! current changes by less than 1 % use the midpoint alone (relative error below
//! 1e-5).

use crate::loss::device::{Edge, SwitchModel};
use crate::loss::result::DeviceLoss;

/// Sampled signals of one switch position. All slices have the same length; `t` never
/// decreases, and a repeated time marks the two sides of a switching event.
#[derive(Debug, Clone, Copy)]
pub struct SwitchTrace<'a> {
    /// Sample times [s].
    pub t: &'a [f64],
    /// Position current [A]: positive forward (drain to source, collector to
    /// emitter), negative in the reverse path.
    pub current: &'a [f64],
    /// Voltage across the position [V], positive when it blocks forward.
    pub voltage: &'a [f64],
    /// Gate command; above 0.5 means on.
    pub gate: &'a [f64],
}

/// Thresholds that separate "conducts" from "leaks" and "blocks" from "conducts".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Currents at or below this magnitude count as zero [A].
    pub current_a: f64,
    /// Voltages at or below this count as not blocking [V].
    pub voltage_v: f64,
}

impl Thresholds {
    /// Thresholds relative to the trace: 0.1 % of its peak current and 10 % of its
    /// peak voltage. A conducting switch or diode drops a few volts at most, far
    /// below a tenth of any bus voltage worth switching.
    pub fn relative_to(trace: &SwitchTrace<'_>) -> Self {
        let peak = |values: &[f64]| values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Self {
            current_a: (1e-3 * peak(trace.current)).max(1e-9),
            voltage_v: (0.1 * peak(trace.voltage)).max(1e-6),
        }
    }
}

/// Error of an invalid trace or window.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TraceError {
    /// The signals differ in length.
    #[error("{position}: {signal} has {len} samples but t has {expected}")]
    LengthMismatch {
        /// Position name.
        position: String,
        /// Signal name.
        signal: &'static str,
        /// Its length.
        len: usize,
        /// Length of `t`.
        expected: usize,
    },
    /// Fewer than two samples.
    #[error("{position}: a trace needs at least 2 samples, got {len}")]
    TooShort {
        /// Position name.
        position: String,
        /// Number of samples.
        len: usize,
    },
    /// A sample is NaN or infinite.
    #[error("{position}: {signal}[{index}] is not finite: {value}")]
    NotFinite {
        /// Position name.
        position: String,
        /// Signal name.
        signal: &'static str,
        /// Sample index.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Time goes backwards.
    #[error("{position}: t[{index}] = {value} s is before t[{prev}] = {previous} s", prev = index - 1)]
    TimeDecreases {
        /// Position name.
        position: String,
        /// Sample index.
        index: usize,
        /// Its time.
        value: f64,
        /// The time before it.
        previous: f64,
    },
    /// The evaluation window is empty or outside the trace.
    #[error(
        "{position}: window [{from}, {to}] s must lie within the trace [{first}, {last}] s and have positive length"
    )]
    BadWindow {
        /// Position name.
        position: String,
        /// Window start [s].
        from: f64,
        /// Window end [s].
        to: f64,
        /// First sample time [s].
        first: f64,
        /// Last sample time [s].
        last: f64,
    },
}

impl SwitchTrace<'_> {
    /// Checks lengths, finiteness and time order.
    ///
    /// # Errors
    /// The first problem found, naming the position, signal and sample.
    pub fn validate(&self, position: &str) -> Result<(), TraceError> {
        let n = self.t.len();
        let signals = [
            ("current", self.current),
            ("voltage", self.voltage),
            ("gate", self.gate),
        ];
        for (signal, values) in signals {
            if values.len() != n {
                return Err(TraceError::LengthMismatch {
                    position: position.into(),
                    signal,
                    len: values.len(),
                    expected: n,
                });
            }
        }
        if n < 2 {
            return Err(TraceError::TooShort {
                position: position.into(),
                len: n,
            });
        }
        for (signal, values) in [("t", self.t)].into_iter().chain(signals) {
            // A value is not finite when all its exponent bits are set. OR-ing that
            // flag over the slice vectorises; the search for the offending index runs
            // only when the flag is set.
            const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
            let any_non_finite = values.iter().fold(0u64, |flag, v| {
                flag | u64::from(v.to_bits() & EXPONENT == EXPONENT)
            });
            if any_non_finite == 0 {
                continue;
            }
            if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                return Err(TraceError::NotFinite {
                    position: position.into(),
                    signal,
                    index,
                    value: values[index],
                });
            }
        }
        if let Some(k) = self.t.windows(2).position(|w| w[1] < w[0]) {
            return Err(TraceError::TimeDecreases {
                position: position.into(),
                index: k + 1,
                value: self.t[k + 1],
                previous: self.t[k],
            });
        }
        Ok(())
    }

    /// First and last sample time [s].
    pub fn span(&self) -> (f64, f64) {
        (self.t[0], self.t[self.t.len() - 1])
    }
}

/// Mean losses of one position over `[from, to)` at a constant junction temperature
/// `tj` [°C]. `window` defaults to the whole trace and `thresholds` to
/// [`Thresholds::relative_to`] the trace.
///
/// # Errors
/// [`TraceError`] for an invalid trace or window.
pub fn trace_losses(
    position: &str,
    model: &dyn SwitchModel,
    trace: &SwitchTrace<'_>,
    tj: f64,
    window: Option<(f64, f64)>,
    thresholds: Option<Thresholds>,
) -> Result<DeviceLoss, TraceError> {
    trace.validate(position)?;
    let (from, to) = check_window(position, trace, window)?;
    let thresholds = thresholds.unwrap_or_else(|| Thresholds::relative_to(trace));
    let mut loss = DeviceLoss::new(position, model.name());
    let mut cursor = TraceCursor::new(trace, thresholds);
    cursor.seek(from);
    cursor.accumulate(model, from, to, tj, &mut loss);
    loss.scale(1.0 / (to - from));
    Ok(loss)
}

/// Checks `window` against the trace and returns it, or the whole span.
pub(crate) fn check_window(
    position: &str,
    trace: &SwitchTrace<'_>,
    window: Option<(f64, f64)>,
) -> Result<(f64, f64), TraceError> {
    let (first, last) = trace.span();
    let (from, to) = window.unwrap_or((first, last));
    if !(from >= first && to <= last && to > from) {
        return Err(TraceError::BadWindow {
            position: position.into(),
            from,
            to,
            first,
            last,
        });
    }
    Ok((from, to))
}

/// Incremental evaluation of one trace, window after window, so that a thermal model
/// can change Tj between windows.
pub(crate) struct TraceCursor<'a> {
    trace: SwitchTrace<'a>,
    thresholds: Thresholds,
    /// Index of the interval `[t[k], t[k + 1]]` that the next window starts in.
    k: usize,
}

impl<'a> TraceCursor<'a> {
    pub(crate) fn new(trace: &SwitchTrace<'a>, thresholds: Thresholds) -> Self {
        Self {
            trace: *trace,
            thresholds,
            k: 0,
        }
    }

    /// Moves to the first interval that ends after `t`.
    pub(crate) fn seek(&mut self, t: f64) {
        let times = self.trace.t;
        self.k = times.partition_point(|&s| s <= t).saturating_sub(1);
    }

    /// Adds the energies [J] of `[from, to)` at junction temperature `tj` to `loss`
    /// (as if its power fields held energies) and leaves the cursor at `to`.
    pub(crate) fn accumulate(
        &mut self,
        model: &dyn SwitchModel,
        from: f64,
        to: f64,
        tj: f64,
        loss: &mut DeviceLoss,
    ) {
        let SwitchTrace {
            t, current, gate, ..
        } = self.trace;
        let last = t.len() - 1;
        while self.k < last {
            let k = self.k;
            let (ta, tb) = (t[k], t[k + 1]);
            if ta >= to {
                break;
            }
            if tb > ta {
                let a = ta.max(from);
                let b = tb.min(to);
                if b > a {
                    let slope = (current[k + 1] - current[k]) / (tb - ta);
                    let ia = current[k] + slope * (a - ta);
                    let ib = current[k] + slope * (b - ta);
                    self.conduction(model, ia, ib, b - a, gate[k] > 0.5, tj, loss);
                }
            }
            // A transition between samples k and k + 1 belongs to the window that
            // contains t[k + 1]; half-open windows count it once.
            if tb >= from && tb < to {
                self.transitions(model, k, tj, loss);
            }
            if tb > to {
                break;
            }
            self.k += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn conduction(
        &self,
        model: &dyn SwitchModel,
        ia: f64,
        ib: f64,
        dt: f64,
        gate_on: bool,
        tj: f64,
        loss: &mut DeviceLoss,
    ) {
        if ia * ib < 0.0 {
            // Split where the current crosses zero.
            let fraction = ia / (ia - ib);
            self.conduction(model, ia, 0.0, dt * fraction, gate_on, tj, loss);
            self.conduction(model, 0.0, ib, dt * (1.0 - fraction), gate_on, tj, loss);
            return;
        }
        let im = 0.5 * (ia + ib);
        let threshold = self.thresholds.current_a;
        if im > 0.0 {
            if ia.max(ib) <= threshold {
                return;
            }
            if !gate_on && model.forward_voltage(0.0, tj).is_some() {
                loss.add_gap("forward current above the threshold with the gate off; counted with the on-state curve");
            }
            let mut power = |i: f64| {
                if i <= 0.0 {
                    return 0.0;
                }
                i * loss.take(
                    model.forward_voltage(i, tj),
                    "no forward conduction curve: forward conduction losses not counted",
                )
            };
            let energy = gauss_legendre_2(dt, ia, ib, &mut power);
            loss.conduction_forward_w += energy;
        } else if im < 0.0 {
            if ia.min(ib) >= -threshold {
                return;
            }
            let mut power = |i: f64| {
                let magnitude = -i;
                if magnitude <= 0.0 {
                    return 0.0;
                }
                magnitude
                    * loss.take(
                        model.reverse_voltage(magnitude, tj, gate_on),
                        "no reverse conduction curve: reverse conduction losses not counted",
                    )
            };
            let energy = gauss_legendre_2(dt, ia, ib, &mut power);
            loss.conduction_reverse_w += energy;
        }
    }

    fn transitions(&self, model: &dyn SwitchModel, k: usize, tj: f64, loss: &mut DeviceLoss) {
        let SwitchTrace {
            current,
            voltage,
            gate,
            ..
        } = self.trace;
        let Thresholds {
            current_a,
            voltage_v,
        } = self.thresholds;
        let (g0, g1) = (gate[k] > 0.5, gate[k + 1] > 0.5);

        if !g0 && g1 {
            let (i_after, v_before) = (current[k + 1], voltage[k]);
            if v_before > voltage_v && i_after > current_a {
                loss.events.hard_turn_on += 1;
                loss.turn_on_w += loss.take(
                    model.switching_energy(Edge::TurnOn, i_after, v_before, tj),
                    "no Eon curve: turn-on losses not counted",
                );
            } else if v_before > voltage_v && i_after.abs() <= current_a {
                loss.events.capacitive_turn_on += 1;
                match model.coss_energy(v_before) {
                    Some(e) => loss.coss_w += e,
                    None => {
                        loss.add_gap("no Coss curve: capacitive turn-on losses (Eoss) not counted")
                    }
                }
            } else {
                loss.events.soft += 1;
            }
        } else if g0 && !g1 {
            let (i_before, v_after) = (current[k], voltage[k + 1]);
            if i_before > current_a && v_after > voltage_v {
                loss.events.hard_turn_off += 1;
                loss.turn_off_w += loss.take(
                    model.switching_energy(Edge::TurnOff, i_before, v_after, tj),
                    "no Eoff curve: turn-off losses not counted",
                );
            } else {
                loss.events.soft += 1;
            }
        }

        let (i_before, i_after, v_after) = (current[k], current[k + 1], voltage[k + 1]);
        if i_before < -current_a && i_after >= -current_a && v_after > voltage_v {
            loss.events.recovery += 1;
            loss.recovery_w += loss.take(
                model.recovery_energy(-i_before, v_after, tj),
                "no Err curve: reverse-recovery losses not counted",
            );
        }
    }
}

/// Largest relative change of the current over an interval for which one midpoint
/// evaluation replaces the two Gauss points. For `p = a i + b i²` the midpoint rule
/// is off by `b Δi² Δt / 12`, at most `(Δi/i)²/12 ≈ 8e-6` of the interval's energy.
const MIDPOINT_MAX_CHANGE: f64 = 0.01;

/// `∫ p(i(t)) dt` over an interval of length `dt` where `i` runs linearly from `ia` to
/// `ib`, by two-point Gauss–Legendre quadrature (nodes at `(1 ∓ 1/√3)/2` of the
/// interval, equal weights), exact when `p(i(t))` is a cubic in `t`. When the current
/// changes by at most [`MIDPOINT_MAX_CHANGE`] of its mean, one midpoint evaluation
/// is used instead, which halves the curve lookups of a typical switching trace.
fn gauss_legendre_2(dt: f64, ia: f64, ib: f64, power: &mut impl FnMut(f64) -> f64) -> f64 {
    const OFFSET: f64 = 0.288_675_134_594_812_9; // 1/(2√3)
    let (mid, span) = (0.5 * (ia + ib), ib - ia);
    if span.abs() <= MIDPOINT_MAX_CHANGE * mid.abs() {
        return dt * power(mid);
    }
    0.5 * dt * (power(mid - OFFSET * span) + power(mid + OFFSET * span))
}

/// Highest blocking voltage [V] and highest current magnitude [A] of a trace within
/// `[from, to]`, for checks against the part's ratings.
pub fn trace_extremes(trace: &SwitchTrace<'_>, from: f64, to: f64) -> (f64, f64) {
    let (mut v_max, mut i_max) = (0.0f64, 0.0f64);
    for (k, &t) in trace.t.iter().enumerate() {
        if t >= from && t <= to {
            v_max = v_max.max(trace.voltage[k]);
            i_max = i_max.max(trace.current[k].abs());
        }
    }
    (v_max, i_max)
}
