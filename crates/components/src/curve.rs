//! Tabulated datasheet curves and their interpolation.
//!
//! Datasheet curves are digitised points, often unevenly spaced and a little noisy.
//! [`Curve`] interpolates them with the monotone piecewise-cubic Hermite scheme of
//! Fritsch and Carlson (F. N. Fritsch, R. E. Carlson, "Monotone piecewise cubic
//! interpolation", SIAM J. Numer. Anal. 17(2), 1980). The choice, against plain linear
//! or cubic splines:
//!
//! - it passes through every point and is C¹, so derivatives such as `dE/dI` or the
//!   incremental resistance `dV/dI` have no jumps at the digitised points;
//! - on every interval where the data are monotone it is monotone too, and it never
//!   leaves the range of the two neighbouring points. A cubic spline overshoots near
//!   the knee of an IGBT's `Vce(Ic)` curve and can give a negative switching energy
//!   at low current; this scheme cannot.
//!
//! Between curves of a family (energies at 25 °C and 150 °C, say), [`CurveFamily`]
//! interpolates linearly in the parameter, because datasheets give two or three
//! temperatures and nothing justifies a higher-order fit through them.
//!
//! Nothing extrapolates silently. Outside the tabulated range, every lookup returns
//! the value at the nearest end and says so in [`Lookup::clamp`]. Callers that
//! accumulate many lookups (a loss calculation over a waveform) count the flags and
//! report them with the result.

use serde::{Deserialize, Serialize};

/// Position of a lookup's argument relative to the tabulated range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clamp {
    /// Inside the range: interpolated.
    #[default]
    Inside,
    /// Below the first point: the first value was returned.
    Below,
    /// Above the last point: the last value was returned.
    Above,
}

impl Clamp {
    /// Returns whether the lookup was clamped.
    pub fn is_clamped(self) -> bool {
        self != Clamp::Inside
    }
}

/// An interpolated value and whether its argument was clamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lookup {
    /// Interpolated (or clamped) value.
    pub value: f64,
    /// Position of the argument (for a family, the worse of the two curves).
    pub clamp: Clamp,
    /// Position of the family parameter ([`Clamp::Inside`] for a single curve).
    pub parameter_clamp: Clamp,
}

impl Lookup {
    /// Returns whether either axis was clamped.
    pub fn is_clamped(&self) -> bool {
        self.clamp.is_clamped() || self.parameter_clamp.is_clamped()
    }
}

/// Error of a table of points that cannot be a curve.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurveError {
    /// Fewer than two points.
    #[error("has {count} point(s); a curve needs at least 2")]
    TooFewPoints {
        /// Number of points given.
        count: usize,
    },
    /// The x and y arrays differ in length.
    #[error("has {x} x values but {y} y values")]
    LengthMismatch {
        /// Length of the x array.
        x: usize,
        /// Length of the y array.
        y: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("point {index} is not finite: ({x}, {y})")]
    NotFinite {
        /// Zero-based index of the point.
        index: usize,
        /// Its x value.
        x: f64,
        /// Its y value.
        y: f64,
    },
    /// The x values do not increase strictly.
    #[error(
        "x does not increase at point {index}: x[{index}] = {x} follows x[{prev}] = {previous}",
        prev = index - 1
    )]
    NotIncreasing {
        /// Zero-based index of the offending point.
        index: usize,
        /// Its x value.
        x: f64,
        /// The x value before it.
        previous: f64,
    },
}

/// A validated, interpolated curve `y(x)` with strictly increasing `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Hermite slopes at the points (Fritsch–Carlson).
    slope: Vec<f64>,
    /// `(n − 1) / (x[n−1] − x[0])`: intervals per unit of x, for the index guess.
    index_scale: f64,
}

impl Curve {
    /// Builds a curve from points sorted by strictly increasing `x`.
    ///
    /// # Errors
    /// [`CurveError`] when there are fewer than 2 points, the lengths differ, a value
    /// is not finite or `x` does not increase strictly.
    pub fn new(x: Vec<f64>, y: Vec<f64>) -> Result<Self, CurveError> {
        if x.len() != y.len() {
            return Err(CurveError::LengthMismatch {
                x: x.len(),
                y: y.len(),
            });
        }
        if x.len() < 2 {
            return Err(CurveError::TooFewPoints { count: x.len() });
        }
        for (index, (&xi, &yi)) in x.iter().zip(&y).enumerate() {
            if !xi.is_finite() || !yi.is_finite() {
                return Err(CurveError::NotFinite {
                    index,
                    x: xi,
                    y: yi,
                });
            }
            if index > 0 && !(xi > x[index - 1]) {
                return Err(CurveError::NotIncreasing {
                    index,
                    x: xi,
                    previous: x[index - 1],
                });
            }
        }
        let slope = fritsch_carlson_slopes(&x, &y);
        let index_scale = (x.len() - 1) as f64 / (x[x.len() - 1] - x[0]);
        Ok(Self {
            x,
            y,
            slope,
            index_scale,
        })
    }

    /// Builds a curve from `(x, y)` pairs.
    ///
    /// # Errors
    /// As [`Curve::new`].
    pub fn from_points(points: &[(f64, f64)]) -> Result<Self, CurveError> {
        let (x, y) = points.iter().copied().unzip();
        Self::new(x, y)
    }

    /// Returns the tabulated x values.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// Returns the tabulated y values.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// First and last tabulated x.
    pub fn x_range(&self) -> (f64, f64) {
        (self.x[0], self.x[self.x.len() - 1])
    }

    /// Smallest and largest tabulated y.
    pub fn y_range(&self) -> (f64, f64) {
        self.y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// Interpolates at `x`, clamping to the end values outside the range.
    ///
    /// A NaN argument returns NaN, flagged as inside, so that it propagates to the
    /// caller's own finiteness check instead of turning into an end value.
    #[inline]
    pub fn eval(&self, x: f64) -> Lookup {
        let (first, last) = self.x_range();
        let (value, clamp) = if x < first {
            (self.y[0], Clamp::Below)
        } else if x > last {
            (self.y[self.y.len() - 1], Clamp::Above)
        } else if x.is_nan() {
            (f64::NAN, Clamp::Inside)
        } else {
            (self.hermite(x), Clamp::Inside)
        };
        Lookup {
            value,
            clamp,
            parameter_clamp: Clamp::Inside,
        }
    }

    /// Interpolated value at `x`, ignoring the clamp flag.
    pub fn value(&self, x: f64) -> f64 {
        self.eval(x).value
    }

    /// Derivative `dy/dx` of the interpolant at `x`; zero outside the range, where
    /// the clamped curve is flat.
    pub fn derivative(&self, x: f64) -> f64 {
        let (first, last) = self.x_range();
        if !(x >= first && x <= last) {
            return 0.0;
        }
        let k = self.interval(x);
        let h = self.x[k + 1] - self.x[k];
        let t = (x - self.x[k]) / h;
        let (y0, y1) = (self.y[k], self.y[k + 1]);
        let (m0, m1) = (self.slope[k], self.slope[k + 1]);
        // Derivatives of the cubic Hermite basis functions with respect to t.
        let dh00 = 6.0 * t * t - 6.0 * t;
        let dh10 = 3.0 * t * t - 4.0 * t + 1.0;
        let dh01 = -dh00;
        let dh11 = 3.0 * t * t - 2.0 * t;
        (dh00 * y0 + dh01 * y1) / h + dh10 * m0 + dh11 * m1
    }

    /// Exact integral of the interpolant from the first point to `x` (clamped to the
    /// range, so the result is the area under the tabulated part only).
    pub fn integral_to(&self, x: f64) -> f64 {
        let (first, last) = self.x_range();
        let x = x.clamp(first, last);
        let mut total = 0.0;
        for k in 0..self.x.len() - 1 {
            if self.x[k] >= x {
                break;
            }
            let end = x.min(self.x[k + 1]);
            total += self.segment_integral(k, end);
        }
        total
    }

    /// Returns whether `y` never decreases along the tabulated points.
    pub fn is_non_decreasing(&self) -> bool {
        self.y.windows(2).all(|w| w[1] >= w[0])
    }

    /// Returns the same curve with every y multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            x: self.x.clone(),
            y: self.y.iter().map(|v| v * factor).collect(),
            slope: self.slope.iter().map(|v| v * factor).collect(),
            index_scale: self.index_scale,
        }
    }

    /// Index `k` of the interval `[x[k], x[k+1]]` that contains `x` (inside the range).
    ///
    /// Digitised curves are close to evenly spaced, so the search starts at the index
    /// that even spacing predicts and walks at most a few points from there. Uneven
    /// curves fall back to bisection. Loss calculations call this millions of times.
    #[inline]
    fn interval(&self, x: f64) -> usize {
        let n = self.x.len();
        let position = (x - self.x[0]) * self.index_scale;
        // `as usize` saturates, so NaN and negative positions give 0.
        let mut k = (position as usize).min(n - 2);
        for _ in 0..4 {
            if x < self.x[k] {
                if k == 0 {
                    return 0;
                }
                k -= 1;
            } else if x >= self.x[k + 1] {
                if k + 2 >= n {
                    return n - 2;
                }
                k += 1;
            } else {
                return k;
            }
        }
        let upper = self.x.partition_point(|&v| v <= x);
        upper.clamp(1, n - 1) - 1
    }

    #[inline]
    fn hermite(&self, x: f64) -> f64 {
        let k = self.interval(x);
        let h = self.x[k + 1] - self.x[k];
        let t = (x - self.x[k]) / h;
        let t2 = t * t;
        let t3 = t2 * t;
        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
        let h10 = t3 - 2.0 * t2 + t;
        let h01 = -2.0 * t3 + 3.0 * t2;
        let h11 = t3 - t2;
        h00 * self.y[k]
            + h10 * h * self.slope[k]
            + h01 * self.y[k + 1]
            + h11 * h * self.slope[k + 1]
    }

    /// Integral of the cubic on interval `k` from `x[k]` to `end`.
    fn segment_integral(&self, k: usize, end: f64) -> f64 {
        let h = self.x[k + 1] - self.x[k];
        let s = (end - self.x[k]) / h;
        let (s2, s3, s4) = (s * s, s * s * s, s * s * s * s);
        // Antiderivatives of the Hermite basis functions from 0 to s, times h.
        let i00 = s4 / 2.0 - s3 + s;
        let i10 = s4 / 4.0 - 2.0 * s3 / 3.0 + s2 / 2.0;
        let i01 = -s4 / 2.0 + s3;
        let i11 = s4 / 4.0 - s3 / 3.0;
        h * (i00 * self.y[k]
            + i10 * h * self.slope[k]
            + i01 * self.y[k + 1]
            + i11 * h * self.slope[k + 1])
    }
}

/// Slopes for a monotone cubic Hermite interpolant (Fritsch–Carlson).
///
/// Interior slopes start as the weighted harmonic mean of the neighbouring secants
/// (zero where the secants change sign or one is zero), which already satisfies the
/// monotonicity condition `α² + β² ≤ 9`. End slopes use the one-sided three-point
/// formula, limited so that they keep the sign of the end secant and stay within
/// three times it.
fn fritsch_carlson_slopes(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let delta: Vec<f64> = (0..n - 1).map(|k| (y[k + 1] - y[k]) / h[k]).collect();
    if n == 2 {
        return vec![delta[0]; 2];
    }
    let mut m = vec![0.0; n];
    for k in 1..n - 1 {
        let (d0, d1) = (delta[k - 1], delta[k]);
        if d0 * d1 > 0.0 {
            let w1 = 2.0 * h[k] + h[k - 1];
            let w2 = h[k] + 2.0 * h[k - 1];
            m[k] = (w1 + w2) / (w1 / d0 + w2 / d1);
        }
    }
    m[0] = end_slope(h[0], h[1], delta[0], delta[1]);
    m[n - 1] = end_slope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
    m
}

fn end_slope(h0: f64, h1: f64, d0: f64, d1: f64) -> f64 {
    let slope = ((2.0 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
    if slope * d0 <= 0.0 {
        0.0
    } else if d0 * d1 <= 0.0 && slope.abs() > 3.0 * d0.abs() {
        3.0 * d0
    } else {
        slope
    }
}

/// A family of curves `y(x; p)`, one per parameter value `p` (usually Tj in °C).
#[derive(Debug, Clone, PartialEq)]
pub struct CurveFamily {
    parameters: Vec<f64>,
    curves: Vec<Curve>,
}

/// Error of curves that cannot form a family.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FamilyError {
    /// No curves.
    #[error("has no curves")]
    Empty,
    /// A parameter is NaN or infinite.
    #[error("curve {index} has a non-finite parameter {value}")]
    NotFinite {
        /// Zero-based index of the curve.
        index: usize,
        /// The parameter value.
        value: f64,
    },
    /// Two curves share a parameter value.
    #[error("two curves share the parameter value {value}")]
    Duplicate {
        /// The repeated value.
        value: f64,
    },
}

impl CurveFamily {
    /// Builds a family from `(parameter, curve)` pairs in any order.
    ///
    /// # Errors
    /// [`FamilyError`] when there are no curves, a parameter is not finite or two
    /// curves share a parameter.
    pub fn new(mut members: Vec<(f64, Curve)>) -> Result<Self, FamilyError> {
        if members.is_empty() {
            return Err(FamilyError::Empty);
        }
        for (index, (p, _)) in members.iter().enumerate() {
            if !p.is_finite() {
                return Err(FamilyError::NotFinite { index, value: *p });
            }
        }
        members.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(w) = members.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(FamilyError::Duplicate { value: w[0].0 });
        }
        let (parameters, curves) = members.into_iter().unzip();
        Ok(Self { parameters, curves })
    }

    /// A family of one curve, valid at every parameter value without clamping
    /// flags for the parameter.
    pub fn single(curve: Curve) -> Self {
        Self {
            parameters: vec![f64::NAN],
            curves: vec![curve],
        }
    }

    /// Parameter values in increasing order (NaN for [`CurveFamily::single`]).
    pub fn parameters(&self) -> &[f64] {
        &self.parameters
    }

    /// The curves, in the order of [`CurveFamily::parameters`].
    pub fn curves(&self) -> &[Curve] {
        &self.curves
    }

    /// Interpolates at `(x, p)`: along each bracketing curve in `x`, then linearly
    /// in `p`. Outside the parameter range the nearest curve is used and the lookup
    /// is flagged.
    pub fn eval(&self, x: f64, p: f64) -> Lookup {
        if self.curves.len() == 1 {
            let mut lookup = self.curves[0].eval(x);
            let single = self.parameters[0].is_nan();
            if !single && p != self.parameters[0] {
                lookup.parameter_clamp = if p < self.parameters[0] {
                    Clamp::Below
                } else {
                    Clamp::Above
                };
            }
            return lookup;
        }
        let last = self.parameters.len() - 1;
        if p <= self.parameters[0] || p.is_nan() {
            let mut lookup = self.curves[0].eval(x);
            if p < self.parameters[0] {
                lookup.parameter_clamp = Clamp::Below;
            }
            return lookup;
        }
        if p >= self.parameters[last] {
            let mut lookup = self.curves[last].eval(x);
            if p > self.parameters[last] {
                lookup.parameter_clamp = Clamp::Above;
            }
            return lookup;
        }
        let upper = self.parameters.partition_point(|&v| v <= p);
        let k = upper - 1;
        let w = (p - self.parameters[k]) / (self.parameters[k + 1] - self.parameters[k]);
        let a = self.curves[k].eval(x);
        let b = self.curves[k + 1].eval(x);
        let clamp = if a.clamp.is_clamped() {
            a.clamp
        } else {
            b.clamp
        };
        Lookup {
            value: (1.0 - w) * a.value + w * b.value,
            clamp,
            parameter_clamp: Clamp::Inside,
        }
    }
}

/// Counts of clamped lookups, for reporting with a result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClampCount {
    /// Lookups in total.
    pub lookups: u64,
    /// Lookups whose argument was below or above the tabulated range.
    pub argument_clamped: u64,
    /// Lookups whose family parameter (usually Tj) was outside the tabulated range.
    pub parameter_clamped: u64,
    /// Lookups clamped on either axis, each counted once.
    #[serde(default)]
    pub clamped: u64,
}

impl ClampCount {
    /// Counts one lookup.
    pub fn add(&mut self, lookup: &Lookup) {
        self.lookups += 1;
        self.argument_clamped += u64::from(lookup.clamp.is_clamped());
        self.parameter_clamped += u64::from(lookup.parameter_clamp.is_clamped());
        self.clamped += u64::from(lookup.is_clamped());
    }

    /// Adds another count to this one.
    pub fn merge(&mut self, other: &ClampCount) {
        self.lookups += other.lookups;
        self.argument_clamped += other.argument_clamped;
        self.parameter_clamped += other.parameter_clamped;
        self.clamped += other.clamped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(points: &[(f64, f64)]) -> Curve {
        Curve::from_points(points).expect("valid test curve")
    }

    #[test]
    fn passes_through_points() {
        let c = curve(&[(0.0, 1.0), (1.0, 3.0), (2.5, 4.0), (4.0, 10.0)]);
        for (x, y) in [(0.0, 1.0), (1.0, 3.0), (2.5, 4.0), (4.0, 10.0)] {
            assert!((c.value(x) - y).abs() < 1e-12, "at x = {x}");
        }
    }

    #[test]
    fn reproduces_straight_line() {
        let c = curve(&[(0.0, 1.0), (1.0, 3.0), (3.0, 7.0), (3.5, 8.0)]);
        for i in 0..=35 {
            let x = f64::from(i) * 0.1;
            assert!((c.value(x) - (1.0 + 2.0 * x)).abs() < 1e-12, "at x = {x}");
            assert!((c.derivative(x) - 2.0).abs() < 1e-12, "slope at x = {x}");
        }
    }

    #[test]
    fn stays_monotone_near_knee() {
        // An IGBT-like knee: flat, then steep. A cubic spline overshoots here.
        let c = curve(&[
            (0.0, 0.0),
            (0.5, 0.01),
            (0.8, 0.02),
            (1.0, 50.0),
            (1.2, 200.0),
        ]);
        let mut previous = c.value(0.0);
        for i in 1..=1200 {
            let v = c.value(f64::from(i) * 0.001);
            assert!(
                v >= previous - 1e-12,
                "decreases at x = {}",
                f64::from(i) * 0.001
            );
            assert!(v >= 0.0);
            previous = v;
        }
    }

    #[test]
    fn clamps_and_flags_outside() {
        let c = curve(&[(1.0, 2.0), (2.0, 4.0)]);
        let below = c.eval(0.0);
        assert_eq!(below.value, 2.0);
        assert_eq!(below.clamp, Clamp::Below);
        let above = c.eval(3.0);
        assert_eq!(above.value, 4.0);
        assert_eq!(above.clamp, Clamp::Above);
        assert_eq!(c.eval(1.5).clamp, Clamp::Inside);
        assert!(c.eval(f64::NAN).value.is_nan());
    }

    #[test]
    fn integral_matches_trapezoid_on_line() {
        let c = curve(&[(0.0, 0.0), (1.0, 2.0), (2.0, 4.0)]);
        assert!((c.integral_to(2.0) - 4.0).abs() < 1e-12);
        assert!((c.integral_to(1.5) - 2.25).abs() < 1e-12);
        assert!((c.integral_to(5.0) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_tables() {
        assert_eq!(
            Curve::new(vec![0.0], vec![1.0]),
            Err(CurveError::TooFewPoints { count: 1 })
        );
        assert!(matches!(
            Curve::new(vec![0.0, 1.0, 1.0], vec![0.0, 1.0, 2.0]),
            Err(CurveError::NotIncreasing { index: 2, .. })
        ));
        assert!(matches!(
            Curve::new(vec![0.0, f64::NAN], vec![0.0, 1.0]),
            Err(CurveError::NotFinite { index: 1, .. })
        ));
        let message = Curve::new(vec![0.0, 2.0, 1.0], vec![0.0, 1.0, 2.0])
            .expect_err("decreasing x")
            .to_string();
        assert_eq!(
            message,
            "x does not increase at point 2: x[2] = 1 follows x[1] = 2"
        );
    }

    #[test]
    fn family_interpolates_linearly_in_parameter() {
        let cold = curve(&[(0.0, 0.0), (10.0, 10.0)]);
        let hot = curve(&[(0.0, 0.0), (10.0, 20.0)]);
        let family = CurveFamily::new(vec![(150.0, hot), (25.0, cold)]).expect("family");
        let mid = family.eval(5.0, 87.5);
        assert!((mid.value - 7.5).abs() < 1e-12);
        assert!(!mid.is_clamped());
        let hotter = family.eval(5.0, 175.0);
        assert!((hotter.value - 10.0).abs() < 1e-12);
        assert_eq!(hotter.parameter_clamp, Clamp::Above);
        let colder = family.eval(5.0, -40.0);
        assert_eq!(colder.parameter_clamp, Clamp::Below);
    }
}
