//! Tank and rectifier plant of the LLC half-bridge as a piecewise-linear system.
//!
//! # Circuit
//!
//! The half-bridge drives the switch node `sw` between the rails `0` and `V_in`. From
//! `sw` to ground run the series inductor `L_r` (transformer leakage included), the
//! series capacitor `C_r` and the magnetising inductance `L_m`, which sits across the
//! primary of an ideal `n:1` transformer. The secondary feeds a diode rectifier
//! (full-bridge, or centre-tapped with `n:1:1`), the output capacitor `C_o` with its ESR
//! `r_c`, and the load `R`. During the deadtime the switch node floats on the lumped
//! capacitance `C_sw = 2·C_oss` until a body diode clamps it to a rail.
//!
//! # State and equations
//!
//! `x = [i_r, v_cr, i_m, v_co, v_sw, q_in]`: tank current [A] (from the switch node into
//! the tank), series-capacitor voltage [V], magnetising current [A], output-capacitor
//! voltage [V], switch-node voltage [V] and the charge drawn from the input source [C].
//! The only input is the constant 1, which carries the diode threshold `V_F`.
//!
//! With the rectifier conducting in direction `s = ±1` (`s = +1` when the primary
//! current `i_p = i_r − i_m` is positive), the primary voltage is
//!
//! ```text
//! v_p = s·n·(α·v_co + V_F) + n²·R_s·i_p,   α = R/(R + r_c),   R_s = R‖r_c + R_D
//! L_r di_r/dt = v_sw − v_cr − v_p
//! C_r dv_cr/dt = i_r
//! L_m di_m/dt = v_p
//! C_o dv_co/dt = α·s·n·i_p − v_co/(R + r_c)
//! ```
//!
//! where `V_F` and `R_D` are the threshold and slope resistance of the diodes in the
//! conduction path (two in a full bridge, one in a centre tap). With the rectifier
//! blocking, `i_p = 0`, so `i_r = i_m` and both follow
//! `(L_r + L_m) di/dt = v_sw − v_cr`, while the output capacitor discharges into the
//! load. The switch-node voltage is held at its rail while a switch or body diode
//! conducts, and follows `C_sw dv_sw/dt = −i_r` while it floats. The input charge grows
//! by `i_r` while the high-side switch or its body diode conducts.
//!
//! The output voltage is `v_out = α·v_co + (R‖r_c)·i_rect` with the rectified current
//! `i_rect = s·n·i_p`.

use pelab_linalg::Matrix;

/// Index of the tank current `i_r` [A] in the state.
pub const I_R: usize = 0;
/// Index of the series-capacitor voltage `v_cr` [V].
pub const V_CR: usize = 1;
/// Index of the magnetising current `i_m` [A].
pub const I_M: usize = 2;
/// Index of the output-capacitor voltage `v_co` [V].
pub const V_CO: usize = 3;
/// Index of the switch-node voltage `v_sw` [V].
pub const V_SW: usize = 4;
/// Index of the input charge `q_in` [C].
pub const Q_IN: usize = 5;
/// Number of states.
pub const STATES: usize = 6;

/// Rectifier topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rectifier {
    /// Four diodes; two conduct at a time.
    FullBridge,
    /// Two diodes on an `n:1:1` centre-tapped secondary; one conducts at a time.
    CentreTapped,
}

impl Rectifier {
    /// Diodes in the conduction path.
    pub fn diodes_in_path(self) -> f64 {
        match self {
            Rectifier::FullBridge => 2.0,
            Rectifier::CentreTapped => 1.0,
        }
    }
}

/// State of the half-bridge leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bridge {
    /// High-side switch on: `v_sw = V_in`.
    High,
    /// Low-side switch on: `v_sw = 0`.
    Low,
    /// Both off, switch node floating on `C_sw`.
    Float,
    /// Both off, high-side body diode clamping `v_sw` to `V_in` (`i_r < 0`).
    DiodeHigh,
    /// Both off, low-side body diode clamping `v_sw` to 0 (`i_r > 0`).
    DiodeLow,
}

impl Bridge {
    fn index(self) -> usize {
        match self {
            Bridge::High | Bridge::DiodeHigh => 0,
            Bridge::Low | Bridge::DiodeLow => 1,
            Bridge::Float => 2,
        }
    }

    /// Whether the high-side switch or its diode connects the node to `V_in`.
    pub fn at_high_rail(self) -> bool {
        matches!(self, Bridge::High | Bridge::DiodeHigh)
    }
}

/// Conduction state of the output rectifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rect {
    /// No diode conducts.
    Off,
    /// Conducting with positive primary current.
    Pos,
    /// Conducting with negative primary current.
    Neg,
}

impl Rect {
    fn index(self) -> usize {
        match self {
            Rect::Off => 0,
            Rect::Pos => 1,
            Rect::Neg => 2,
        }
    }

    /// Sign `s` of the conducting direction, 0 when blocking.
    pub fn sign(self) -> f64 {
        match self {
            Rect::Off => 0.0,
            Rect::Pos => 1.0,
            Rect::Neg => -1.0,
        }
    }
}

/// Switch configuration: bridge and rectifier state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mode {
    /// Half-bridge leg.
    pub bridge: Bridge,
    /// Rectifier.
    pub rect: Rect,
}

impl Mode {
    /// Index of the mode's dynamics in `0..9`: the clamping diodes share the matrices
    /// of the switch on the same rail.
    pub fn dynamics_index(self) -> usize {
        self.bridge.index() * 3 + self.rect.index()
    }

    /// Returns a mode with the dynamics of `index` in `0..9`: the inverse of
    /// [`Mode::dynamics_index`], with switches rather than diodes on the rails.
    pub fn from_dynamics_index(index: usize) -> Self {
        let bridge = match index / 3 {
            0 => Bridge::High,
            1 => Bridge::Low,
            _ => Bridge::Float,
        };
        let rect = match index % 3 {
            0 => Rect::Off,
            1 => Rect::Pos,
            _ => Rect::Neg,
        };
        Self { bridge, rect }
    }
}

/// Element values of the plant, SI units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tank {
    /// Input voltage `V_in` [V].
    pub v_in: f64,
    /// Series (resonant) inductance `L_r` [H], transformer leakage included.
    pub lr: f64,
    /// Series (resonant) capacitance `C_r` [F].
    pub cr: f64,
    /// Magnetising inductance `L_m` [H].
    pub lm: f64,
    /// Turns ratio `n` (primary to one secondary winding).
    pub n: f64,
    /// Switch-node capacitance `C_sw = 2·C_oss` [F].
    pub c_sw: f64,
    /// Threshold of the diodes in the conduction path `V_F` [V].
    pub v_f: f64,
    /// Slope resistance of the diodes in the conduction path `R_D` [Ω].
    pub r_d: f64,
    /// Output capacitance `C_o` [F].
    pub co: f64,
    /// ESR of the output capacitor `r_c` [Ω].
    pub r_c: f64,
}

impl Tank {
    /// `α = R/(R + r_c)` for load `r_load` [Ω].
    pub fn alpha(&self, r_load: f64) -> f64 {
        r_load / (r_load + self.r_c)
    }

    /// `R‖r_c` [Ω].
    pub fn r_parallel(&self, r_load: f64) -> f64 {
        r_load * self.r_c / (r_load + self.r_c)
    }

    /// Builds `(A, B)` of `dx/dt = A x + B·1` for `mode` and load `r_load` [Ω].
    pub fn matrices(&self, mode: Mode, r_load: f64) -> (Matrix, Matrix) {
        let mut a = Matrix::zeros(STATES, STATES);
        let mut b = Matrix::zeros(STATES, 1);
        let alpha = self.alpha(r_load);
        let r_series = self.r_parallel(r_load) + self.r_d;
        let n = self.n;

        match mode.rect {
            Rect::Off => {
                let lt = self.lr + self.lm;
                for row in [I_R, I_M] {
                    a[(row, V_SW)] = 1.0 / lt;
                    a[(row, V_CR)] = -1.0 / lt;
                }
            }
            Rect::Pos | Rect::Neg => {
                let s = mode.rect.sign();
                // v_p = k_co·v_co + k_ip·(i_r − i_m) + k_1.
                let k_co = s * n * alpha;
                let k_ip = n * n * r_series;
                let k_1 = s * n * self.v_f;

                a[(I_R, V_SW)] = 1.0 / self.lr;
                a[(I_R, V_CR)] = -1.0 / self.lr;
                a[(I_R, V_CO)] = -k_co / self.lr;
                a[(I_R, I_R)] = -k_ip / self.lr;
                a[(I_R, I_M)] = k_ip / self.lr;
                b[(I_R, 0)] = -k_1 / self.lr;

                a[(I_M, V_CO)] = k_co / self.lm;
                a[(I_M, I_R)] = k_ip / self.lm;
                a[(I_M, I_M)] = -k_ip / self.lm;
                b[(I_M, 0)] = k_1 / self.lm;

                a[(V_CO, I_R)] = alpha * s * n / self.co;
                a[(V_CO, I_M)] = -alpha * s * n / self.co;
            }
        }
        a[(V_CR, I_R)] = 1.0 / self.cr;
        a[(V_CO, V_CO)] = -1.0 / ((r_load + self.r_c) * self.co);

        if mode.bridge == Bridge::Float {
            a[(V_SW, I_R)] = -1.0 / self.c_sw;
        }
        if mode.bridge.at_high_rail() {
            a[(Q_IN, I_R)] = 1.0;
        }
        (a, b)
    }

    /// Rectified output current `i_rect = s·n·(i_r − i_m)` [A].
    pub fn rectified_current(&self, mode: Mode, x: &[f64]) -> f64 {
        mode.rect.sign() * self.n * (x[I_R] - x[I_M])
    }

    /// Output voltage `v_out = α·v_co + (R‖r_c)·i_rect` [V].
    pub fn output_voltage(&self, mode: Mode, x: &[f64], r_load: f64) -> f64 {
        self.alpha(r_load) * x[V_CO] + self.r_parallel(r_load) * self.rectified_current(mode, x)
    }

    /// Event functions of `mode` as `(c, d, next)`: the state leaves `mode` for `next`
    /// when `c·x + d` rises above zero. In a consistent state every function is at
    /// most zero.
    pub fn events(&self, mode: Mode, r_load: f64) -> Vec<([f64; STATES], f64, Mode)> {
        let mut events = Vec::with_capacity(2);
        let alpha = self.alpha(r_load);
        let ratio = self.lm / (self.lr + self.lm);

        match mode.rect {
            Rect::Pos => {
                let mut c = [0.0; STATES];
                c[I_R] = -1.0;
                c[I_M] = 1.0;
                events.push((
                    c,
                    0.0,
                    Mode {
                        rect: Rect::Off,
                        ..mode
                    },
                ));
            }
            Rect::Neg => {
                let mut c = [0.0; STATES];
                c[I_R] = 1.0;
                c[I_M] = -1.0;
                events.push((
                    c,
                    0.0,
                    Mode {
                        rect: Rect::Off,
                        ..mode
                    },
                ));
            }
            Rect::Off => {
                // Blocking primary voltage v_p = L_m/(L_r + L_m)·(v_sw − v_cr) against
                // the reflected output n·(α·v_co + V_F).
                for (s, next) in [(1.0, Rect::Pos), (-1.0, Rect::Neg)] {
                    let mut c = [0.0; STATES];
                    c[V_SW] = s * ratio;
                    c[V_CR] = -s * ratio;
                    c[V_CO] = -self.n * alpha;
                    events.push((c, -self.n * self.v_f, Mode { rect: next, ..mode }));
                }
            }
        }

        match mode.bridge {
            Bridge::Float => {
                let mut up = [0.0; STATES];
                up[V_SW] = 1.0;
                events.push((
                    up,
                    -self.v_in,
                    Mode {
                        bridge: Bridge::DiodeHigh,
                        ..mode
                    },
                ));
                let mut down = [0.0; STATES];
                down[V_SW] = -1.0;
                events.push((
                    down,
                    0.0,
                    Mode {
                        bridge: Bridge::DiodeLow,
                        ..mode
                    },
                ));
            }
            Bridge::DiodeHigh => {
                let mut c = [0.0; STATES];
                c[I_R] = 1.0;
                events.push((
                    c,
                    0.0,
                    Mode {
                        bridge: Bridge::Float,
                        ..mode
                    },
                ));
            }
            Bridge::DiodeLow => {
                let mut c = [0.0; STATES];
                c[I_R] = -1.0;
                events.push((
                    c,
                    0.0,
                    Mode {
                        bridge: Bridge::Float,
                        ..mode
                    },
                ));
            }
            Bridge::High | Bridge::Low => {}
        }
        events
    }

    /// Sets the states that a mode entry fixes: the rail voltage of a clamped switch
    /// node, and `i_m = i_r` when the rectifier blocks.
    pub fn enter(&self, mode: Mode, x: &mut [f64]) {
        match mode.bridge {
            Bridge::High | Bridge::DiodeHigh => x[V_SW] = self.v_in,
            Bridge::Low | Bridge::DiodeLow => x[V_SW] = 0.0,
            Bridge::Float => {}
        }
        if mode.rect == Rect::Off {
            x[I_M] = x[I_R];
        }
    }

    /// Characteristic impedance `Z_0 = √(L_r/C_r)` [Ω].
    pub fn z0(&self) -> f64 {
        (self.lr / self.cr).sqrt()
    }

    /// Series resonance `f_r = 1/(2π√(L_r C_r))` [Hz].
    pub fn f_r(&self) -> f64 {
        1.0 / (2.0 * std::f64::consts::PI * (self.lr * self.cr).sqrt())
    }

    /// Parallel resonance `f_p = 1/(2π√((L_r + L_m) C_r))` [Hz].
    pub fn f_p(&self) -> f64 {
        1.0 / (2.0 * std::f64::consts::PI * ((self.lr + self.lm) * self.cr).sqrt())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The tank of the 400 V to 48 V example, shared by the LLC unit tests.
    pub(crate) fn tank() -> Tank {
        Tank {
            v_in: 400.0,
            lr: 20e-6,
            cr: 120e-9,
            lm: 100e-6,
            n: 4.1,
            c_sw: 400e-12,
            v_f: 0.0,
            r_d: 0.0,
            co: 500e-6,
            r_c: 5e-3,
        }
    }

    #[test]
    fn blocking_rectifier_keeps_currents_equal() {
        let t = tank();
        let mode = Mode {
            bridge: Bridge::High,
            rect: Rect::Off,
        };
        let (a, _) = t.matrices(mode, 2.3);
        for col in 0..STATES {
            assert_eq!(a[(I_R, col)], a[(I_M, col)], "column {col}");
        }
    }

    #[test]
    fn rectifier_events_continuous_at_entry() {
        // At the Off -> Pos threshold, v_p from the blocking formula equals the
        // conducting formula at zero primary current.
        let t = Tank { v_f: 0.8, ..tank() };
        let r = 2.3;
        let mut x = [0.0; STATES];
        x[V_CO] = 48.0;
        x[V_SW] = 400.0;
        let alpha = t.alpha(r);
        let v_p = t.n * (alpha * 48.0 + 0.8);
        x[V_CR] = 400.0 - v_p * (t.lr + t.lm) / t.lm;
        let mode = Mode {
            bridge: Bridge::High,
            rect: Rect::Off,
        };
        let (c, d, next) = t.events(mode, r)[0];
        let g: f64 = c.iter().zip(&x).map(|(c, x)| c * x).sum::<f64>() + d;
        assert!(g.abs() < 1e-9, "g = {g}");
        assert_eq!(next.rect, Rect::Pos);
    }
}
