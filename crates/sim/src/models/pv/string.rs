//! The PV array: identical CEC modules, `N_s` in series per string and `N_p` strings
//! in parallel, with no mismatch and no bypass diodes.
//!
//! Identical modules let the array be one single-diode equation with scaled
//! parameters. With module voltage `V/N_s` and current `I/N_p` substituted into the
//! module equation:
//!
//! ```text
//! I_L' = N_p I_L,  I_0' = N_p I_0,  R_s' = R_s N_s/N_p,  R_sh' = R_sh N_s/N_p,  a' = N_s a
//! ```
//!
//! The simulation evaluates the array current and maximum power point millions of
//! times a day, so this module also contains warm-started solvers for both. They use the
//! diode voltage `V_d = V + I R_s` as the unknown, where the equation is explicit:
//! `I(V_d) = I_L − I_0 (e^(V_d/a) − 1) − V_d/R_sh` and `V = V_d − I R_s`. Each falls
//! back to [`SingleDiode`]'s bracketed solver when Newton's method does not converge.

use std::sync::OnceLock;

use pelab_components::pv::{CecDatabase, CecModule, MaxPowerPoint, SingleDiode};

/// The embedded CEC module table (the SAM 2019-03-05 release, see `data/pv/README.md`).
const EMBEDDED_CEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/pv/cec_modules_2019-03-05.csv"
));

/// Largest module table read from a user path [bytes].
const MAX_DATABASE_BYTES: u64 = 64 << 20;
/// Newton iterations before the bracketed fallback.
const MAX_NEWTON_ITERATIONS: usize = 60;
/// Names listed when a module is not found.
const SUGGESTIONS: usize = 5;

/// Returns the embedded CEC table, parsed once per process (about 0.1 s).
///
/// # Errors
/// The parser's message if the embedded table is broken (a build defect).
pub fn embedded_database() -> Result<&'static CecDatabase, String> {
    static DATABASE: OnceLock<Result<CecDatabase, String>> = OnceLock::new();
    DATABASE
        .get_or_init(|| CecDatabase::parse(EMBEDDED_CEC).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Reads and parses a CEC module table in the SAM CSV layout from `path`.
///
/// # Errors
/// A message naming the path when it cannot be read or lacks a column.
pub fn read_database(path: &str) -> Result<CecDatabase, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {path:?}: {e}"))?
        .len();
    if size > MAX_DATABASE_BYTES {
        return Err(format!(
            "{path:?} has {size} bytes; expected at most {MAX_DATABASE_BYTES}"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
    CecDatabase::parse(&text).map_err(|e| format!("{path:?}: {e}"))
}

/// Levenshtein distance between two strings, counted in characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Ranks the names in `database` by closeness to `name`: names containing it first
/// (ignoring case), then by edit distance. Returns the first few.
pub fn closest_names(database: &CecDatabase, name: &str) -> Vec<String> {
    let query: Vec<char> = name.to_lowercase().chars().collect();
    let query_text = name.to_lowercase();
    let mut ranked: Vec<(bool, usize, &str)> = database
        .modules
        .iter()
        .map(|m| {
            let lower = m.name.to_lowercase();
            let candidate: Vec<char> = lower.chars().collect();
            (
                !lower.contains(&query_text),
                edit_distance(&query, &candidate),
                m.name.as_str(),
            )
        })
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, n)| n.to_string())
        .collect()
}

/// Modules wired into an array.
#[derive(Debug, Clone, PartialEq)]
pub struct PvArray {
    /// The module.
    pub module: CecModule,
    /// Modules in series per string.
    pub series: u32,
    /// Strings in parallel.
    pub parallel: u32,
}

impl PvArray {
    /// Returns the array's single-diode parameters at POA irradiance `irradiance` [W/m²] and
    /// cell temperature `temp_cell` [°C], or `None` in the dark or outside the CEC
    /// translation's range (irradiance above 2000 W/m², cell below −60 or above 150 °C).
    pub fn at(&self, irradiance: f64, temp_cell: f64) -> Option<SingleDiode> {
        let module = self.module.at(irradiance, temp_cell).ok()?;
        Some(self.scale(&module))
    }

    /// Scales module parameters to the array (see the module documentation).
    pub fn scale(&self, module: &SingleDiode) -> SingleDiode {
        let (ns, np) = (f64::from(self.series), f64::from(self.parallel));
        SingleDiode {
            i_l: module.i_l * np,
            i_0: module.i_0 * np,
            r_s: module.r_s * ns / np,
            r_sh: module.r_sh * ns / np,
            a: module.a * ns,
        }
    }
}

/// Current [A] at terminal voltage `v` [V] by Newton's method on `V_d`, starting
/// from `*v_d` and storing the converged `V_d` there for the next call.
pub fn current_warm(diode: &SingleDiode, v: f64, v_d: &mut f64) -> f64 {
    current_and_exponential(diode, v, v_d).0
}

/// [`current_warm`] that also returns `e^(V_d/a)` at the solution.
fn current_and_exponential(diode: &SingleDiode, v: f64, v_d: &mut f64) -> (f64, f64) {
    if diode.r_s == 0.0 {
        *v_d = v;
        let exp = (v / diode.a).exp();
        return (diode.i_l - diode.i_0 * (exp - 1.0) - v / diode.r_sh, exp);
    }
    let mut x = if v_d.is_finite() { *v_d } else { v };
    for _ in 0..MAX_NEWTON_ITERATIONS {
        let exp = (x / diode.a).exp();
        let g = diode.i_l - diode.i_0 * (exp - 1.0) - x / diode.r_sh - (x - v) / diode.r_s;
        let dg = -diode.i_0 / diode.a * exp - 1.0 / diode.r_sh - 1.0 / diode.r_s;
        // g is concave and falling: a Newton step from the left can overshoot far to
        // the right, where e^(V_d/a) overflows, so steps are capped at 4a.
        let step = (-g / dg).min(4.0 * diode.a);
        x += step;
        // Newton converges quadratically with e_next ≈ e²/(2a), so a step below
        // 10⁻⁶ of the voltage leaves an error near 10⁻¹¹ of it.
        if step.abs() <= 1e-6 * x.abs().max(diode.a) {
            *v_d = x;
            // e^(x/a) = e^((x − step)/a) e^(step/a), to first order in step/a, whose
            // square is below 10⁻⁹ here.
            return ((x - v) / diode.r_s, exp * (1.0 + step / diode.a));
        }
    }
    let i = diode.current(v);
    *v_d = v + i * diode.r_s;
    (i, (*v_d / diode.a).exp())
}

/// The array current near one voltage as a quadratic: `i(v) ≈ i_0 + s_1 (v − v_0) +
/// s_2 (v − v_0)²/2`.
///
/// With `x = v + i R_s` and the diode conductance `G(x) = I_0/a e^(x/a) + 1/R_sh`, the
/// implicit derivatives of the single-diode equation are `s_1 = −G/(1 + R_s G)` and
/// `s_2 = −G'/(1 + R_s G)³` with `G' = I_0/a² e^(x/a)`. Over one control period the
/// voltage moves by well under 1 % of `v_0`, where the cubic remainder is below
/// 10⁻⁶ of the current, and one exact solve per period replaces four per RK4 step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalCurve {
    /// Expansion voltage [V].
    pub v0: f64,
    /// Current at `v0` [A].
    pub i0: f64,
    /// `di/dv` at `v0` [A/V].
    pub s1: f64,
    /// `d²i/dv²` at `v0` [A/V²].
    pub s2: f64,
}

impl LocalCurve {
    /// Expands the curve of `diode` at `v` [V], warm-starting from `*v_d`.
    pub fn at(diode: &SingleDiode, v: f64, v_d: &mut f64) -> Self {
        let (i0, exp) = current_and_exponential(diode, v, v_d);
        let g = diode.i_0 / diode.a * exp + 1.0 / diode.r_sh;
        let dg = diode.i_0 / (diode.a * diode.a) * exp;
        let denominator = 1.0 + diode.r_s * g;
        Self {
            v0: v,
            i0,
            s1: -g / denominator,
            s2: -dg / (denominator * denominator * denominator),
        }
    }

    /// Current at `v` [A].
    pub fn current(&self, v: f64) -> f64 {
        let dv = v - self.v0;
        self.i0 + dv * (self.s1 + 0.5 * self.s2 * dv)
    }
}

/// Maximum power point by safeguarded Newton on `dP/dV_d = 0`, starting from `*v_d`
/// and storing the result's `V_d` there for the next call.
///
/// `dP/dV_d = I (1 + R_s G) − V G` with the diode conductance
/// `G = I_0/a e^(V_d/a) + 1/R_sh`. It is positive at `V_d = 0` and negative at
/// `V_d = a ln(1 + I_L/I_0)`, which lies above the open-circuit diode voltage.
pub fn max_power_point_warm(diode: &SingleDiode, v_d: &mut f64) -> MaxPowerPoint {
    let SingleDiode {
        i_l,
        i_0,
        r_s,
        r_sh,
        a,
    } = *diode;
    let point = |x: f64| {
        let exp = (x / a).exp();
        let i = i_l - i_0 * (exp - 1.0) - x / r_sh;
        let g = i_0 / a * exp + 1.0 / r_sh;
        let v = x - i * r_s;
        let h = i * (1.0 + r_s * g) - v * g;
        let dg = i_0 / (a * a) * exp;
        let dh = -2.0 * g * (1.0 + r_s * g) + dg * (i * r_s - v);
        (v, i, h, dh)
    };
    let (mut lo, mut hi) = (0.0, a * (i_l / i_0).ln_1p());
    if !(hi > 0.0) {
        return MaxPowerPoint {
            v: 0.0,
            i: 0.0,
            p: 0.0,
        };
    }
    let mut x = if *v_d > lo && *v_d < hi {
        *v_d
    } else {
        0.9 * hi
    };
    for _ in 0..MAX_NEWTON_ITERATIONS * 2 {
        let (v, i, h, dh) = point(x);
        if h > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - h / dh;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        // As in `current_warm`, quadratic convergence makes a step below 10⁻⁷ of the
        // voltage leave an error far below it, and P is flat at its maximum.
        if (next - x).abs() <= 1e-7 * x.abs().max(a) || h == 0.0 {
            *v_d = x;
            return MaxPowerPoint { v, i, p: v * i };
        }
        x = next;
    }
    let mpp = diode.max_power_point();
    *v_d = mpp.v + mpp.i * r_s;
    mpp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array() -> PvArray {
        let database = embedded_database().expect("embedded table parses");
        let module = database
            .find("Canadian Solar Inc. CS6K-275M")
            .expect("module present")
            .clone();
        PvArray {
            module,
            series: 12,
            parallel: 2,
        }
    }

    #[test]
    fn array_scales_module_curve() {
        let array = array();
        let module = array.module.at(800.0, 40.0).expect("valid condition");
        let scaled = array.at(800.0, 40.0).expect("valid condition");
        for k in 0..=10 {
            let v_module = module.v_oc() * f64::from(k) / 10.0;
            let i_array = scaled.current(12.0 * v_module);
            let expected = 2.0 * module.current(v_module);
            assert!((i_array - expected).abs() < 1e-9 * expected.abs().max(1.0));
        }
    }

    #[test]
    fn warm_solvers_match_bracketed_ones() {
        let array = array();
        for (g, t) in [(1000.0, 25.0), (200.0, 10.0), (5.0, -5.0), (1100.0, 70.0)] {
            let diode = array.at(g, t).expect("valid condition");
            let mut v_d = 0.0;
            for k in 0..=20 {
                let v = 1.05 * diode.v_oc() * f64::from(k) / 20.0;
                let fast = current_warm(&diode, v, &mut v_d);
                let slow = diode.current(v);
                assert!(
                    (fast - slow).abs() < 1e-9 * diode.i_l,
                    "g {g} v {v}: {fast} {slow}"
                );
            }
            let v = 0.7 * diode.v_oc();
            let local = LocalCurve::at(&diode, v, &mut v_d);
            for dv in [-1.0, -0.1, 0.1, 1.0] {
                let exact = diode.current(v + dv);
                assert!(
                    (local.current(v + dv) - exact).abs() < 1e-5 * diode.i_l,
                    "g {g} dv {dv}"
                );
            }
            let mpp = max_power_point_warm(&diode, &mut v_d);
            let reference = diode.max_power_point();
            assert!((mpp.p - reference.p).abs() < 1e-9 * reference.p, "g {g}");
            assert!((mpp.v - reference.v).abs() < 1e-6 * reference.v, "g {g}");
        }
    }

    #[test]
    fn closest_names_rank_substrings_first() {
        let database = embedded_database().expect("embedded table parses");
        let names = closest_names(database, "CS6K-275");
        assert_eq!(names.len(), SUGGESTIONS);
        assert!(names.iter().all(|n| n.contains("CS6K-275")), "{names:?}");
    }
}
