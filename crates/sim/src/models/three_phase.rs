//! Two-level three-phase voltage-source inverter with its DC link, at two fidelity
//! levels: six switches with deadtime, or the per-period average of the same legs.
//!
//! ```text
//!  V_src ─ R_src ─ L_src ─┬──────┬── S1 ── S3 ── S5 ─┐  (upper rail)
//!                         │      │   │     │     │   │
//!                       C_dc    ...  a     b     c   │  phase outputs, current i_x out of the leg
//!                       + ESR        │     │     │   │
//!                         │      └── S2 ── S4 ── S6 ─┘  (lower rail, the pole-voltage reference)
//! ```
//!
//! Each switch conducts in both directions with `r_on` while its gate is on, as a SiC
//! MOSFET with synchronous rectification does, and carries an antiparallel diode with
//! the drop `v_f + r_d·|i|`.
//!
//! # Switching level
//!
//! A leg's commanded state comes from a centre-aligned carrier of period `T`. The upper
//! switch is commanded on for `(1 − d₁)·T/2 ≤ t − t₀ < (1 + d₂)·T/2`, with `d₁` the duty
//! of the first half period and `d₂` that of the second. The two are equal with one
//! update per period. At each change of the commanded state the conducting switch turns off at
//! once and the other one turns on `t_dead` later. During the deadtime the pole
//! voltage follows the sign of the phase current through the diodes:
//!
//! ```text
//! upper on:   v_x = v_dc − r_on·i_x
//! lower on:   v_x = −r_on·i_x
//! both off:   v_x = −v_f − r_d·i_x           (i_x > 0, lower diode)
//!             v_x = v_dc + v_f − r_d·i_x     (i_x < 0, upper diode)
//! ```
//!
//! Edge times are computed, not sampled, so the integrator can stop exactly on them.
//!
//! # Averaged level
//!
//! Averaging the four intervals above over one carrier period, for `i_x` of constant
//! sign `s = sign(i_x)` during the period, gives
//!
//! ```text
//! v̄_x = (d − s·t_dead·f_sw)·v_dc − r_on·i_x·(1 − 2·t_dead·f_sw) − s·2·t_dead·f_sw·(v_f + r_d·|i_x|)
//! ```
//!
//! The first term is the familiar deadtime voltage error `s·t_dead·f_sw·v_dc`: one of
//! the two deadtimes of each period moves the edge by `t_dead` against the current.
//!
//! # DC link
//!
//! The source `V_src` with `R_src` (and `L_src` when it is not zero) feeds the capacitor
//! `C_dc` with its ESR. The inverter draws `i_inv = Σ u_x·i_x`, with `u_x` the fraction of
//! time leg x connects its phase to the upper rail. The link voltage at the inverter
//! terminals is `v_dc = v_C + ESR·i_C`, with `i_C = i_src − i_inv`; without `L_src`,
//! `i_src = (V_src − v_dc)/R_src`, which solves to
//! `v_dc = (R_src·v_C + ESR·V_src − R_src·ESR·i_inv)/(R_src + ESR)`.

mod ratings;
pub use ratings::{DeviceStress, VOLTAGE_DERATING, check_ratings};

/// Inverter fidelity level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InverterModel {
    /// Six switches with deadtime and exact PWM edges.
    Switching,
    /// Per-period average with the deadtime voltage error.
    Averaged,
}

/// Conduction and deadtime parameters shared by the three legs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegParams {
    /// Switching frequency `f_sw` [Hz].
    pub f_sw: f64,
    /// Deadtime `t_dead` [s].
    pub t_dead: f64,
    /// On-state resistance of each switch `r_on` [Ω].
    pub r_on: f64,
    /// Diode threshold voltage `v_f` [V].
    pub v_f: f64,
    /// Diode slope resistance `r_d` [Ω].
    pub r_d: f64,
}

/// Gate state of one leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegState {
    /// Upper switch on.
    Upper,
    /// Lower switch on.
    Lower,
    /// Both off (deadtime): a diode carries the current.
    Off,
}

/// Pole voltage `v_x` [V] of a switching leg in `state`, with phase current `i` [A]
/// out of the leg, and the upper-rail connection `u_x` (1 when the phase current flows
/// through the upper switch or diode, else 0). See the module documentation.
pub fn switching_pole(state: LegState, i: f64, v_dc: f64, p: &LegParams) -> (f64, f64) {
    match state {
        LegState::Upper => (v_dc - p.r_on * i, 1.0),
        LegState::Lower => (-p.r_on * i, 0.0),
        LegState::Off if i > 0.0 => (-p.v_f - p.r_d * i, 0.0),
        LegState::Off if i < 0.0 => (v_dc + p.v_f - p.r_d * i, 1.0),
        // No current: the pole floats. Half the link is the midpoint of the two diode
        // clamps, and zero current draws nothing from the link either way.
        LegState::Off => (0.5 * v_dc, 0.0),
    }
}

/// Period-averaged pole voltage `v̄_x` [V] and upper-rail fraction `u_x` of a leg with
/// duty `d`, phase current `i` [A] and link voltage `v_dc` [V]. See the module
/// documentation for the equation.
pub fn averaged_pole(d: f64, i: f64, v_dc: f64, p: &LegParams) -> (f64, f64) {
    let s = if i > 0.0 {
        1.0
    } else if i < 0.0 {
        -1.0
    } else {
        0.0
    };
    // A clamped leg (DPWM, d = 0 or 1) does not switch and has no deadtime.
    let dead = if d <= 0.0 || d >= 1.0 {
        0.0
    } else {
        p.t_dead * p.f_sw
    };
    let u = (d - s * dead).clamp(0.0, 1.0);
    let v = u * v_dc - p.r_on * i * (1.0 - 2.0 * dead) - s * 2.0 * dead * (p.v_f + p.r_d * i.abs());
    (v, u)
}

/// DC-link source and capacitor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DcLink {
    /// Source voltage `V_src` [V].
    pub v_source: f64,
    /// Source internal resistance `R_src` [Ω], > 0.
    pub r_source: f64,
    /// Source inductance `L_src` [H]; 0 leaves the source current algebraic.
    pub l_source: f64,
    /// Link capacitance `C_dc` [F].
    pub c_dc: f64,
    /// Capacitor ESR [Ω].
    pub r_esr: f64,
}

/// DC-link quantities at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DcLinkPoint {
    /// Voltage at the inverter terminals `v_dc` [V].
    pub v_dc: f64,
    /// Source current `i_src` [A].
    pub i_source: f64,
    /// Capacitor current `i_C` [A], positive charging.
    pub i_cap: f64,
}

impl DcLink {
    /// Terminal voltage, source and capacitor current for capacitor voltage `v_cap`
    /// [V], source current state `i_source` [A] (ignored without `L_src`) and inverter
    /// current `i_inv` [A].
    pub fn point(&self, v_cap: f64, i_source: f64, i_inv: f64) -> DcLinkPoint {
        if self.l_source > 0.0 {
            let i_cap = i_source - i_inv;
            DcLinkPoint {
                v_dc: v_cap + self.r_esr * i_cap,
                i_source,
                i_cap,
            }
        } else {
            let (r, esr) = (self.r_source, self.r_esr);
            let v_dc = (r * v_cap + esr * self.v_source - r * esr * i_inv) / (r + esr);
            let i_source = (self.v_source - v_dc) / r;
            DcLinkPoint {
                v_dc,
                i_source,
                i_cap: i_source - i_inv,
            }
        }
    }

    /// Derivatives `(dv_C/dt, di_src/dt)` at `point`; the second is 0 without `L_src`.
    pub fn derivative(&self, point: &DcLinkPoint) -> (f64, f64) {
        let dv = point.i_cap / self.c_dc;
        let di = if self.l_source > 0.0 {
            (self.v_source - self.r_source * point.i_source - point.v_dc) / self.l_source
        } else {
            0.0
        };
        (dv, di)
    }

    /// Largest decay rate or resonance of the link alone [1/s], for the step size.
    ///
    /// Without `L_src` the capacitor discharges through `R_src + ESR`, so the rate is
    /// `1/((R_src + ESR)·C_dc)`. With `L_src` the series RLC has the natural frequency
    /// `1/√(L·C)` and the damping rate `(R_src + ESR)/L`; the larger of the two bounds
    /// its eigenvalues.
    pub fn fastest_rate(&self) -> f64 {
        let r = self.r_source + self.r_esr;
        if self.l_source > 0.0 {
            (1.0 / (self.l_source * self.c_dc).sqrt()).max(r / self.l_source)
        } else {
            1.0 / (r * self.c_dc)
        }
    }
}

/// Gate sequencing of one leg with deadtime.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegGates {
    commanded_upper: bool,
    state: LegState,
    /// Time at which the commanded switch turns on, during a deadtime.
    turn_on_at: Option<f64>,
}

impl LegGates {
    /// Creates a leg at rest with the lower switch on.
    pub fn new() -> Self {
        Self {
            commanded_upper: false,
            state: LegState::Lower,
            turn_on_at: None,
        }
    }

    /// Present gate state.
    pub fn state(&self) -> LegState {
        self.state
    }

    /// Commands the upper (`true`) or lower switch at time `t`: on a change, both
    /// switches are off until `t + t_dead`.
    pub fn command(&mut self, t: f64, upper: bool, t_dead: f64) {
        if upper == self.commanded_upper {
            return;
        }
        self.commanded_upper = upper;
        if t_dead > 0.0 {
            self.state = LegState::Off;
            self.turn_on_at = Some(t + t_dead);
        } else {
            self.turn_on();
        }
    }

    /// Time of the pending turn-on, if a deadtime is running.
    pub fn pending(&self) -> Option<f64> {
        self.turn_on_at
    }

    /// Ends the deadtime when its turn-on time is at or before `t`.
    pub fn advance(&mut self, t: f64) {
        if self.turn_on_at.is_some_and(|on| on <= t) {
            self.turn_on();
        }
    }

    fn turn_on(&mut self) {
        self.turn_on_at = None;
        self.state = if self.commanded_upper {
            LegState::Upper
        } else {
            LegState::Lower
        };
    }
}

impl Default for LegGates {
    fn default() -> Self {
        Self::new()
    }
}

/// Commanded segments of one leg over a carrier period starting at `t0`: up to four
/// `(start time, upper commanded)` pairs in time order, zero-length segments left
/// out. `d_first` and `d_second` are the duties of the two half periods.
pub fn carrier_segments(t0: f64, period: f64, d_first: f64, d_second: f64) -> [(f64, bool); 4] {
    let half = 0.5 * period;
    let rise = (1.0 - d_first.clamp(0.0, 1.0)) * half;
    let fall = (1.0 + d_second.clamp(0.0, 1.0)) * half;
    // Segment boundaries relative to t0: [0, rise) lower, [rise, half) upper,
    // [half, fall) upper, [fall, period) lower. A skipped segment repeats the state of
    // the previous one, so the caller's command() ignores it.
    let first_upper = rise <= 0.0;
    let mid_upper = fall > half;
    [
        (t0, first_upper),
        (t0 + rise, rise < half || first_upper),
        (t0 + half, mid_upper),
        (t0 + fall, fall >= period && mid_upper),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legs() -> LegParams {
        LegParams {
            f_sw: 10e3,
            t_dead: 1e-6,
            r_on: 0.01,
            v_f: 1.5,
            r_d: 0.02,
        }
    }

    /// Averages the switching pole over one period by walking the gate sequence.
    fn switching_average(d: f64, i: f64, v_dc: f64) -> f64 {
        let p = legs();
        let period = 1.0 / p.f_sw;
        let mut gates = LegGates::new();
        // Settle the previous period's end state (lower) before t = 0.
        gates.command(-1.0, false, p.t_dead);
        gates.advance(0.0);
        let segments = carrier_segments(0.0, period, d, d);
        let mut events: Vec<f64> = segments.iter().map(|s| s.0).collect();
        events.push(period);
        let mut t = 0.0;
        let mut area = 0.0;
        let mut k = 0;
        while t < period {
            while k < 4 && segments[k].0 <= t {
                gates.command(t, segments[k].1, p.t_dead);
                k += 1;
            }
            gates.advance(t);
            let mut next = if k < 4 { segments[k].0 } else { period };
            if let Some(on) = gates.pending() {
                next = next.min(on);
            }
            area += switching_pole(gates.state(), i, v_dc, &p).0 * (next - t);
            t = next;
        }
        area / period
    }

    #[test]
    fn averaged_matches_switching_walk() {
        for &(d, i) in &[(0.3, 50.0), (0.3, -50.0), (0.8, 20.0), (0.55, -5.0)] {
            let expected = switching_average(d, i, 400.0);
            let (v, _) = averaged_pole(d, i, 400.0, &legs());
            assert!(
                (v - expected).abs() < 1e-9,
                "d = {d}, i = {i}: {v} vs {expected}"
            );
        }
    }

    #[test]
    fn deadtime_error_sign() {
        let p = legs();
        let ideal = 0.5 * 400.0;
        let (positive, _) = averaged_pole(
            0.5,
            10.0,
            400.0,
            &LegParams {
                r_on: 0.0,
                v_f: 0.0,
                r_d: 0.0,
                ..p
            },
        );
        // t_dead·f_sw·v_dc = 1e-6·1e4·400 = 4 V lost for a current out of the leg.
        assert!((ideal - positive - 4.0).abs() < 1e-12);
    }

    #[test]
    fn segments_cover_extremes() {
        let s = carrier_segments(0.0, 1.0, 1.0, 1.0);
        assert!(s.iter().all(|seg| seg.1), "{s:?}");
        let s = carrier_segments(0.0, 1.0, 0.0, 0.0);
        assert!(s.iter().all(|seg| !seg.1), "{s:?}");
        let s = carrier_segments(0.0, 1.0, 0.5, 0.5);
        assert_eq!(s, [(0.0, false), (0.25, true), (0.5, true), (0.75, false)]);
    }

    #[test]
    fn link_without_inductance_solves_terminal_voltage() {
        let link = DcLink {
            v_source: 400.0,
            r_source: 0.1,
            l_source: 0.0,
            c_dc: 1e-3,
            r_esr: 0.01,
        };
        let p = link.point(390.0, 0.0, 50.0);
        // v_dc = v_C + ESR·i_C and i_src = (V_src − v_dc)/R_src hold together.
        assert!((p.v_dc - (390.0 + 0.01 * p.i_cap)).abs() < 1e-9);
        assert!((p.i_source - (400.0 - p.v_dc) / 0.1).abs() < 1e-9);
        assert!((p.i_cap - (p.i_source - 50.0)).abs() < 1e-12);
    }
}
