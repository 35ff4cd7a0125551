//! Solver selection, tolerances and limits, and their validation.

use crate::error::OdeError;

/// Integration method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Classic fourth-order Runge–Kutta with a fixed step `step` in s. The last step is
    /// shortened to end exactly at `t_end`. Tolerances are ignored.
    Rk4 {
        /// Step size in s; must be positive and finite.
        step: f64,
    },
    /// Adaptive explicit Dormand–Prince 5(4) for non-stiff problems.
    Dopri5,
    /// Adaptive implicit Radau IIA of order 5 for stiff problems.
    Radau5,
    /// Dormand–Prince 5(4) that hands over to Radau IIA when the problem turns out to be
    /// stiff; see [`AutoSwitch`] for the criteria.
    Auto,
}

/// A tolerance that is the same for every component or given per component.
#[derive(Debug, Clone, PartialEq)]
pub enum Tolerance {
    /// One value for all components.
    Scalar(f64),
    /// One value per component; the length must equal the system dimension.
    PerComponent(Vec<f64>),
}

impl From<f64> for Tolerance {
    fn from(value: f64) -> Self {
        Tolerance::Scalar(value)
    }
}

impl From<Vec<f64>> for Tolerance {
    fn from(values: Vec<f64>) -> Self {
        Tolerance::PerComponent(values)
    }
}

impl From<&[f64]> for Tolerance {
    fn from(values: &[f64]) -> Self {
        Tolerance::PerComponent(values.to_vec())
    }
}

/// When [`Method::Auto`] leaves Dormand–Prince for Radau IIA.
///
/// The switch happens at the end of an accepted step, from that step's state, and is
/// recorded in [`Stats::switches`](crate::Stats::switches). There is no switch back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoSwitch {
    /// Switch when Dormand–Prince proposes a step below `min_step_ratio · (t_end − t0)`,
    /// or when its step collapses altogether. Must be in `[0, 1)`; 0 disables the
    /// ratio test. Default `1e-10`.
    ///
    /// NOTE: the default is a heuristic. A non-stiff model with a genuinely fast
    /// transient shorter than this fraction of the interval also switches; that costs
    /// speed, not accuracy.
    pub min_step_ratio: f64,
    /// Switch when the stiffness test of Dormand–Prince (`h ρ > 3.25`, with `ρ` the
    /// estimated dominant eigenvalue magnitude of the Jacobian) has passed this many
    /// times without 6 failures in a row in between. Must be at least 1. Default 15, as
    /// in Hairer's DOPRI5.
    pub stiff_test_count: usize,
}

impl Default for AutoSwitch {
    fn default() -> Self {
        Self {
            min_step_ratio: 1e-10,
            stiff_test_count: 15,
        }
    }
}

/// Settings for [`integrate`](crate::integrate).
///
/// The local error of a step is accepted when the RMS norm
/// `‖e‖ = sqrt((1/n) Σ (e_i / (atol_i + rtol_i · max(|x_i|, |x̂_i|)))²) ≤ 1`, where `x`
/// and `x̂` are the states at the start and end of the step.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Integration method. Default [`Method::Dopri5`].
    pub method: Method,
    /// Relative tolerance, dimensionless. Each value must be at least `10 ε ≈ 2.2e-15`
    /// and finite. Default `1e-6`.
    pub rtol: Tolerance,
    /// Absolute tolerance in the units of each state. Each value must be positive and
    /// finite. Default `1e-9`.
    pub atol: Tolerance,
    /// First step size in s; `None` selects it automatically (Hairer, Nørsett & Wanner,
    /// "Solving ODEs I", 2nd ed., 1993, section II.4, "Starting step size").
    /// Ignored by [`Method::Rk4`]. Default `None`.
    pub initial_step: Option<f64>,
    /// Largest step size in s; must be positive (infinity means no limit beyond the
    /// interval). Default infinity.
    pub max_step: f64,
    /// Maximum number of attempted steps, accepted and rejected together. Must be at
    /// least 1. Default 1 000 000.
    pub max_steps: usize,
    /// Absolute tolerance in s on the located event time: the root of the interpolated
    /// event function is bracketed to within `max(event_time_tolerance, 4 ε |t|)`. Must
    /// be non-negative and finite. Default 0, which locates to about machine precision.
    pub event_time_tolerance: f64,
    /// Radau IIA evaluates a new Jacobian after an accepted step whose Newton
    /// contraction rate `θ = ‖ΔW_k‖ / ‖ΔW_{k−1}‖` exceeded this value, and otherwise
    /// keeps the old one. Must be in `[0, 1)`; 0 evaluates a Jacobian at every step.
    /// Default 0.001, the default of Hairer & Wanner's RADAU5 code, which its
    /// documentation recommends for small systems. Raise it towards 0.1 when a Jacobian
    /// is expensive (many states and no analytic Jacobian): fewer Jacobians, more Newton
    /// iterations. On the Robertson problem, 0.1 instead of 0.001 cut the Jacobians from
    /// 384 to 23 and raised the right-hand side evaluations from 4697 to 7347.
    pub jacobian_reuse_theta: f64,
    /// Switching criteria for [`Method::Auto`]; ignored by the other methods.
    pub auto_switch: AutoSwitch,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            method: Method::Dopri5,
            rtol: Tolerance::Scalar(1e-6),
            atol: Tolerance::Scalar(1e-9),
            initial_step: None,
            max_step: f64::INFINITY,
            max_steps: 1_000_000,
            event_time_tolerance: 0.0,
            jacobian_reuse_theta: 0.001,
            auto_switch: AutoSwitch::default(),
        }
    }
}

impl Options {
    /// Default options with the given method.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            ..Self::default()
        }
    }

    /// Sets the relative and absolute tolerances.
    pub fn with_tolerances(
        mut self,
        rtol: impl Into<Tolerance>,
        atol: impl Into<Tolerance>,
    ) -> Self {
        self.rtol = rtol.into();
        self.atol = atol.into();
        self
    }

    /// Sets the largest step size in s.
    pub fn with_max_step(mut self, max_step: f64) -> Self {
        self.max_step = max_step;
        self
    }

    /// Sets the first step size in s.
    pub fn with_initial_step(mut self, initial_step: f64) -> Self {
        self.initial_step = Some(initial_step);
        self
    }

    /// Sets the maximum number of attempted steps.
    pub fn with_max_steps(mut self, max_steps: usize) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// Checks every option against the system dimension `n` and expands the
    /// tolerances to one value per component.
    pub(crate) fn validate(&self, n: usize) -> Result<ErrorWeights, OdeError> {
        if let Method::Rk4 { step } = self.method {
            require_positive_finite("method.step", step)?;
        }

        let rtol = expand_tolerance("rtol", &self.rtol, n)?;
        let atol = expand_tolerance("atol", &self.atol, n)?;

        for (i, &r) in rtol.iter().enumerate() {
            if !(r.is_finite() && r >= MIN_RTOL) {
                return Err(OdeError::InvalidOption {
                    field: indexed_name("rtol", &self.rtol, i),
                    requirement: "finite and at least 10 ε ≈ 2.2e-15",
                    value: r,
                });
            }
        }
        for (i, &a) in atol.iter().enumerate() {
            if !(a.is_finite() && a > 0.0) {
                return Err(OdeError::InvalidOption {
                    field: indexed_name("atol", &self.atol, i),
                    requirement: "positive and finite",
                    value: a,
                });
            }
        }

        if let Some(h) = self.initial_step {
            require_positive_finite("initial_step", h)?;
        }
        if self.max_step.is_nan() || self.max_step <= 0.0 {
            return Err(OdeError::InvalidOption {
                field: "max_step".into(),
                requirement: "positive (infinity allowed)",
                value: self.max_step,
            });
        }

        if self.max_steps == 0 {
            return Err(OdeError::InvalidOption {
                field: "max_steps".into(),
                requirement: "at least 1",
                value: 0.0,
            });
        }
        if !(self.event_time_tolerance.is_finite() && self.event_time_tolerance >= 0.0) {
            return Err(OdeError::InvalidOption {
                field: "event_time_tolerance".into(),
                requirement: "non-negative and finite",
                value: self.event_time_tolerance,
            });
        }

        if !(0.0..1.0).contains(&self.jacobian_reuse_theta) {
            return Err(OdeError::InvalidOption {
                field: "jacobian_reuse_theta".into(),
                requirement: "in [0, 1)",
                value: self.jacobian_reuse_theta,
            });
        }

        let ratio = self.auto_switch.min_step_ratio;
        if !(0.0..1.0).contains(&ratio) {
            return Err(OdeError::InvalidOption {
                field: "auto_switch.min_step_ratio".into(),
                requirement: "in [0, 1)",
                value: ratio,
            });
        }
        if self.auto_switch.stiff_test_count == 0 {
            return Err(OdeError::InvalidOption {
                field: "auto_switch.stiff_test_count".into(),
                requirement: "at least 1",
                value: 0.0,
            });
        }
        Ok(ErrorWeights { rtol, atol })
    }
}

/// Smallest accepted relative tolerance, `10 ε`; below it the error estimate is
/// dominated by round-off.
const MIN_RTOL: f64 = 10.0 * f64::EPSILON;

fn require_positive_finite(field: &str, value: f64) -> Result<(), OdeError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(OdeError::InvalidOption {
            field: field.into(),
            requirement: "positive and finite",
            value,
        })
    }
}

fn expand_tolerance(
    field: &'static str,
    tolerance: &Tolerance,
    n: usize,
) -> Result<Vec<f64>, OdeError> {
    match tolerance {
        Tolerance::Scalar(value) => Ok(vec![*value; n]),
        Tolerance::PerComponent(values) if values.len() == n => Ok(values.clone()),
        Tolerance::PerComponent(values) => Err(OdeError::DimensionMismatch {
            field,
            expected: n,
            actual: values.len(),
        }),
    }
}

fn indexed_name(field: &str, tolerance: &Tolerance, index: usize) -> String {
    match tolerance {
        Tolerance::Scalar(_) => field.to_string(),
        Tolerance::PerComponent(_) => format!("{field}[{index}]"),
    }
}

/// Per-component tolerances, validated.
#[derive(Debug, Clone)]
pub(crate) struct ErrorWeights {
    pub(crate) rtol: Vec<f64>,
    pub(crate) atol: Vec<f64>,
}

impl ErrorWeights {
    /// RMS norm of `e` weighted by `atol_i + rtol_i · max(|a_i|, |b_i|)`.
    pub(crate) fn norm(&self, e: &[f64], a: &[f64], b: &[f64]) -> f64 {
        let n = e.len();
        let mut sum = 0.0;
        for i in 0..n {
            let scale = self.atol[i] + self.rtol[i] * a[i].abs().max(b[i].abs());
            let r = e[i] / scale;
            sum += r * r;
        }
        (sum / n as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_rtol_names_field_and_value() {
        let options = Options::default().with_tolerances(-1e-6, 1e-9);
        let err = options.validate(2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rtol must be finite and at least 10 ε ≈ 2.2e-15, got -1e-6"
        );
    }

    #[test]
    fn per_component_atol_names_index() {
        let options = Options::default().with_tolerances(1e-6, vec![1e-9, 0.0]);
        let err = options.validate(2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "atol[1] must be positive and finite, got 0.0"
        );
    }

    #[test]
    fn per_component_length_is_checked() {
        let options = Options::default().with_tolerances(vec![1e-6; 3], 1e-9);
        let err = options.validate(2).unwrap_err();
        assert_eq!(
            err,
            OdeError::DimensionMismatch {
                field: "rtol",
                expected: 2,
                actual: 3
            }
        );
    }

    #[test]
    fn rk4_step_must_be_positive() {
        let options = Options::new(Method::Rk4 { step: f64::NAN });
        let err = options.validate(1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "method.step must be positive and finite, got NaN"
        );
    }

    #[test]
    fn weighted_norm_is_rms() {
        let weights = ErrorWeights {
            rtol: vec![0.0, 0.0],
            atol: vec![1.0, 2.0],
        };
        let norm = weights.norm(&[3.0, 8.0], &[0.0, 0.0], &[0.0, 0.0]);
        assert!((norm - (12.5f64).sqrt()).abs() < 1e-15);
    }
}
