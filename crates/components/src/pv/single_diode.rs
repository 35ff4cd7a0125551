//! The single-diode equation of a PV module and its characteristic points.
//!
//! ```text
//! I = I_L − I_0 (exp((V + I R_s) / a) − 1) − (V + I R_s) / R_sh
//! ```
//!
//! with photocurrent `I_L` [A], diode saturation current `I_0` [A], series and shunt
//! resistances `R_s`, `R_sh` [Ω] and the modified ideality factor `a = n N_s k T / q`
//! [V]. The equation is implicit in `I`. With the diode voltage `V_d = V + I R_s` as
//! the unknown it becomes
//!
//! ```text
//! g(V_d) = I_L − I_0 (exp(V_d / a) − 1) − V_d / R_sh − (V_d − V) / R_s = 0,
//! ```
//!
//! where every term falls with `V_d`, so `g` has exactly one root. It is bracketed and
//! then found by Newton's method with bisection as a safeguard, to the last bits of a
//! double. The maximum power point is the root of `dP/dV = I + V dI/dV`, which falls
//! monotonically on `[0, V_oc]`, found by bisection.

/// Boltzmann constant [eV/K], the CODATA 2018 value to 10 digits.
pub const BOLTZMANN_EV_PER_K: f64 = 8.617_333_262e-5;

/// The five single-diode parameters at one operating condition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SingleDiode {
    /// Photocurrent `I_L` [A].
    pub i_l: f64,
    /// Diode saturation current `I_0` [A].
    pub i_0: f64,
    /// Series resistance `R_s` [Ω], at least 0.
    pub r_s: f64,
    /// Shunt resistance `R_sh` [Ω], positive.
    pub r_sh: f64,
    /// Modified ideality factor `a = n N_s k T / q` [V], positive.
    pub a: f64,
}

/// The maximum power point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxPowerPoint {
    /// Voltage [V].
    pub v: f64,
    /// Current [A].
    pub i: f64,
    /// Power [W].
    pub p: f64,
}

/// Bisection and Newton iterations; 200 halvings exhaust any double interval.
const MAX_ITERATIONS: usize = 300;

impl SingleDiode {
    /// Current [A] at terminal voltage `v` [V]. NaN for a NaN voltage.
    pub fn current(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return f64::NAN;
        }
        if self.r_s == 0.0 {
            return self.i_l - self.i_0 * (v / self.a).exp_m1() - v / self.r_sh;
        }
        let v_d = self.diode_voltage(v);
        (v_d - v) / self.r_s
    }

    /// Root of `g(V_d)` for terminal voltage `v`.
    fn diode_voltage(&self, v: f64) -> f64 {
        let g = |v_d: f64| {
            self.i_l - self.i_0 * (v_d / self.a).exp_m1() - v_d / self.r_sh - (v_d - v) / self.r_s
        };
        let dg =
            |v_d: f64| -self.i_0 / self.a * (v_d / self.a).exp() - 1.0 / self.r_sh - 1.0 / self.r_s;
        // Bracket: g falls from +∞ to −∞. Step outwards from V_d = v.
        let mut step = self.a.max(self.r_s * (self.i_l.abs() + 1.0));
        let (mut lo, mut hi) = (v, v);
        while g(lo) <= 0.0 {
            lo -= step;
            step *= 2.0;
        }
        step = self.a.max(self.r_s * (self.i_l.abs() + 1.0));
        while g(hi) >= 0.0 {
            hi += step;
            step *= 2.0;
        }
        let mut x = 0.5 * (lo + hi);
        for _ in 0..MAX_ITERATIONS {
            let value = g(x);
            if value == 0.0 {
                return x;
            }
            if value > 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let newton = x - value / dg(x);
            let next = if newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if next == x || hi - lo <= 4.0 * f64::EPSILON * x.abs().max(self.a) {
                return next;
            }
            x = next;
        }
        x
    }

    /// `dI/dV` [A/V] at terminal voltage `v`, from the implicit derivative.
    pub fn slope(&self, v: f64) -> f64 {
        let i = self.current(v);
        let v_d = v + i * self.r_s;
        let conductance = self.i_0 / self.a * (v_d / self.a).exp() + 1.0 / self.r_sh;
        -conductance / (1.0 + self.r_s * conductance)
    }

    /// Short-circuit current [A].
    pub fn i_sc(&self) -> f64 {
        self.current(0.0)
    }

    /// Open-circuit voltage [V]: the root of `I_L − I_0 (e^{V/a} − 1) − V/R_sh`.
    pub fn v_oc(&self) -> f64 {
        let h = |v: f64| self.i_l - self.i_0 * (v / self.a).exp_m1() - v / self.r_sh;
        if h(0.0) <= 0.0 {
            return 0.0;
        }
        let (mut lo, mut hi) = (0.0, self.a * (self.i_l / self.i_0).ln_1p());
        while h(hi) > 0.0 {
            hi = 2.0 * hi + self.a;
        }
        for _ in 0..MAX_ITERATIONS {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if h(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// Maximum power point, from the root of `dP/dV = I + V dI/dV` on `[0, V_oc]`.
    pub fn max_power_point(&self) -> MaxPowerPoint {
        let v_oc = self.v_oc();
        let dp = |v: f64| self.current(v) + v * self.slope(v);
        let (mut lo, mut hi) = (0.0, v_oc);
        for _ in 0..MAX_ITERATIONS {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if dp(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let v = 0.5 * (lo + hi);
        let i = self.current(v);
        MaxPowerPoint { v, i, p: v * i }
    }

    /// `points` samples of the I-V curve from 0 to `V_oc`, as `(V, I)` pairs.
    pub fn iv_curve(&self, points: usize) -> impl Iterator<Item = (f64, f64)> + '_ {
        let v_oc = self.v_oc();
        let last = points.saturating_sub(1).max(1) as f64;
        (0..points).map(move |k| {
            let v = v_oc * k as f64 / last;
            (v, self.current(v))
        })
    }
}
