//! Half-bridge gate sequence with deadtime, and zero-voltage-switching detection.
//!
//! Each switching period `T = 1/f_sw` runs, from its start `t_k`:
//!
//! ```text
//! [t_k, t_k + T/2 − t_d)        high-side switch on
//! [t_k + T/2 − t_d, t_k + T/2)  deadtime: node floats on C_sw until a body diode clamps it
//! [t_k + T/2, t_k + T − t_d)    low-side switch on
//! [t_k + T − t_d, t_k + T)      deadtime
//! ```
//!
//! A turn-on is zero-voltage switching (ZVS) when the body diode of the switch turning
//! on already clamps the node, so the switch-node voltage reached the switch's own rail
//! within the deadtime. Otherwise the switch turns on hard: the node jumps to the rail,
//! `C_sw` dumps `½·C_sw·ΔV²` into the switch, and the charge `C_sw·ΔV` comes from the
//! input on a high-side turn-on.
//!
//! The ZVS margin compares the tank current at the turn-off that starts the deadtime
//! with the constant current that would swing the node from rail to rail within it,
//! `I_zvs = C_sw·V_in/t_d = 2·C_oss·V_in/t_d`. A margin of at least 1 predicts ZVS if the
//! current stayed constant; the tank current falls during the deadtime, so the
//! simulated flag is the authority and the margin a design aid.

use super::plant::{Bridge, I_R, Mode, Q_IN, STATES, V_SW};
use super::stepper::Stepper;
use crate::engine::SimError;

/// Switch-node voltage within this fraction of `V_in` of the rail counts as clamped
/// at a turn-on even before the diode conducts.
const RAIL_REL_TOL: f64 = 1e-6;

/// One switch turn-on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TurnOn {
    /// Time [s].
    pub t: f64,
    /// Whether the high-side switch turned on.
    pub high_side: bool,
    /// Whether the node had reached the switch's rail (zero-voltage switching).
    pub zvs: bool,
    /// Voltage across the switch just before it turned on [V].
    pub v_switch: f64,
    /// ZVS margin of the preceding deadtime (see the module documentation).
    pub margin: f64,
    /// Charge drawn from the input up to this instant [C].
    pub q_in: f64,
}

/// Callbacks of a switching period.
pub trait Observer {
    /// Called at every output-grid point.
    fn on_grid(&mut self, t: f64, x: &[f64; STATES], mode: Mode, stepper_load: f64);

    /// Next time [s] at which [`Observer::on_breakpoint`] must run (a control sample, a
    /// load step), or infinity.
    fn next_breakpoint(&self) -> f64;

    /// Runs at a breakpoint, with the plant for a load change.
    ///
    /// # Errors
    /// [`SimError`] from a load change.
    fn on_breakpoint(&mut self, stepper: &mut Stepper) -> Result<(), SimError>;

    /// Called at every turn-on.
    fn on_turn_on(&mut self, event: &TurnOn);
}

/// The half-bridge leg driving the plant.
pub struct HalfBridge {
    /// The plant and its integrator.
    pub stepper: Stepper,
    /// Deadtime `t_d` [s].
    pub t_dead: f64,
    margin: f64,
}

impl HalfBridge {
    /// Creates a leg with deadtime `t_dead` [s] around `stepper`.
    pub fn new(stepper: Stepper, t_dead: f64) -> Self {
        Self {
            stepper,
            t_dead,
            margin: f64::NAN,
        }
    }

    /// Simulates one switching period at `f_sw` [Hz], starting with the high-side
    /// turn-on.
    ///
    /// # Errors
    /// [`SimError`] when the plant diverges.
    pub fn run_period(&mut self, f_sw: f64, observer: &mut dyn Observer) -> Result<(), SimError> {
        let on_time = 0.5 / f_sw - self.t_dead;
        for high_side in [true, false] {
            let event = self.turn_on(high_side)?;
            observer.on_turn_on(&event);
            self.segment(on_time, observer)?;
            self.turn_off(high_side)?;
            self.segment(self.t_dead, observer)?;
        }
        Ok(())
    }

    fn segment(&mut self, duration: f64, observer: &mut dyn Observer) -> Result<(), SimError> {
        let t_end = self.stepper.t + duration;
        loop {
            let breakpoint = observer.next_breakpoint();
            let until = breakpoint.min(t_end);
            let load = self.stepper.r_load();
            self.stepper
                .advance(until - self.stepper.t, &mut |t, x, mode| {
                    observer.on_grid(t, x, mode, load)
                })?;
            if breakpoint < t_end {
                observer.on_breakpoint(&mut self.stepper)?;
            } else {
                return Ok(());
            }
        }
    }

    fn turn_on(&mut self, high_side: bool) -> Result<TurnOn, SimError> {
        let stepper = &mut self.stepper;
        let v_in = stepper.tank().v_in;
        let c_sw = stepper.tank().c_sw;
        let rail = if high_side { v_in } else { 0.0 };
        let v_sw = stepper.x[V_SW];
        let v_switch = (rail - v_sw).abs();
        let diode = if high_side {
            Bridge::DiodeHigh
        } else {
            Bridge::DiodeLow
        };
        let zvs = stepper.mode.bridge == diode || v_switch <= RAIL_REL_TOL * v_in;
        if high_side && !zvs {
            // The hard turn-on charges C_sw to V_in from the input.
            stepper.x[Q_IN] += c_sw * (v_in - v_sw);
        }
        let bridge = if high_side { Bridge::High } else { Bridge::Low };
        stepper.switch_to(Mode {
            bridge,
            ..stepper.mode
        })?;
        Ok(TurnOn {
            t: stepper.t,
            high_side,
            zvs,
            v_switch,
            margin: self.margin,
            q_in: stepper.x[Q_IN],
        })
    }

    fn turn_off(&mut self, high_side: bool) -> Result<(), SimError> {
        let stepper = &mut self.stepper;
        let tank = *stepper.tank();
        let i_zvs = tank.c_sw * tank.v_in / self.t_dead;
        let i_r = stepper.x[I_R];
        self.margin = if high_side { i_r / i_zvs } else { -i_r / i_zvs };
        stepper.switch_to(Mode {
            bridge: Bridge::Float,
            ..stepper.mode
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::llc::plant::{I_M, Rect, Tank, V_CO};

    /// Builds a leg whose tank current barely changes within a deadtime (1 H
    /// inductors), with an output voltage high enough to keep the rectifier blocking.
    fn stiff_current_leg(i_r: f64) -> HalfBridge {
        let tank = Tank {
            v_in: 400.0,
            lr: 1.0,
            cr: 1.0,
            lm: 1.0,
            n: 1.0,
            c_sw: 400e-12,
            v_f: 0.0,
            r_d: 0.0,
            co: 1e-3,
            r_c: 0.0,
        };
        let mut x = [0.0; STATES];
        x[I_R] = i_r;
        x[I_M] = i_r;
        x[V_SW] = 400.0;
        x[V_CO] = 1000.0;
        let mode = Mode {
            bridge: Bridge::High,
            rect: Rect::Off,
        };
        HalfBridge::new(Stepper::new(tank, 10.0, x, mode, 1e-9), 200e-9)
    }

    #[test]
    fn node_swing_time_matches_constant_current() {
        // 2 A swings 400 pF across 400 V in C·V/I = 80 ns, within the 200 ns deadtime.
        let mut leg = stiff_current_leg(2.0);
        leg.turn_off(true).expect("turn-off");
        leg.stepper
            .advance(79.9e-9, &mut |_, _, _| {})
            .expect("advance");
        assert_eq!(leg.stepper.mode.bridge, Bridge::Float);
        // The current changes by (V/2)·t/(2 H) ≈ 8 µA meanwhile: about 1 mV on the node.
        assert!(
            (leg.stepper.x[V_SW] - 0.5).abs() < 5e-3,
            "{}",
            leg.stepper.x[V_SW]
        );
        leg.stepper
            .advance(0.2e-9, &mut |_, _, _| {})
            .expect("advance");
        assert_eq!(leg.stepper.mode.bridge, Bridge::DiodeLow);
        leg.stepper
            .advance(120e-9 - 0.1e-9, &mut |_, _, _| {})
            .expect("advance");

        let event = leg.turn_on(false).expect("turn-on");
        assert!(event.zvs);
        assert!((event.margin - 2.5).abs() < 1e-9, "{}", event.margin);
    }

    #[test]
    fn short_current_turns_on_hard() {
        // 0.5 A moves the node by I·t_d/C = 250 V in 200 ns: 150 V remain at turn-on.
        let mut leg = stiff_current_leg(0.5);
        leg.turn_off(true).expect("turn-off");
        leg.stepper
            .advance(200e-9, &mut |_, _, _| {})
            .expect("advance");
        let event = leg.turn_on(false).expect("turn-on");
        assert!(!event.zvs);
        assert!((event.v_switch - 150.0).abs() < 0.05, "{}", event.v_switch);
        assert!((event.margin - 0.625).abs() < 1e-9, "{}", event.margin);
        assert_eq!(leg.stepper.x[V_SW], 0.0);
    }
}
