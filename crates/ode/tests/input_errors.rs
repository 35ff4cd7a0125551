//! Bad input and non-finite model values: each gives an error that names the field or
//! the time and component, and nothing panics.

mod common;

use common::Oscillator;
use pelab_ode::{
    Method, NoOutput, OdeError, OdeSystem, Options, Samples, Status, Tolerance, UniformCallback,
    integrate,
};

fn all_methods() -> Vec<Options> {
    vec![
        Options::new(Method::Rk4 { step: 1e-2 }),
        Options::new(Method::Dopri5),
        Options::new(Method::Radau5),
        Options::new(Method::Auto),
    ]
}

fn run(
    options: &Options,
    x0: &[f64],
    t0: f64,
    t_end: f64,
) -> Result<pelab_ode::Solution, OdeError> {
    integrate(
        &mut Oscillator { omega: 1.0 },
        t0,
        x0,
        t_end,
        options,
        &mut NoOutput,
    )
}

#[test]
fn nan_in_initial_state_names_index() {
    let err = run(&Options::default(), &[0.0, f64::NAN], 0.0, 1.0).unwrap_err();
    assert!(
        matches!(err, OdeError::NonFiniteInitialState { index: 1, value } if value.is_nan()),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "x0[1] must be finite, got NaN");
}

#[test]
fn infinite_initial_state_is_rejected() {
    let err = run(&Options::default(), &[f64::INFINITY, 0.0], 0.0, 1.0).unwrap_err();
    assert_eq!(err.to_string(), "x0[0] must be finite, got inf");
}

#[test]
fn interval_must_run_forward() {
    let cases = [
        (0.0, 0.0),
        (1.0, 0.5),
        (0.0, f64::NAN),
        (f64::NEG_INFINITY, 1.0),
        (-1e308, 1e308),
    ];
    for (t0, t_end) in cases {
        let err = run(&Options::default(), &[1.0, 0.0], t0, t_end).unwrap_err();
        assert!(
            matches!(err, OdeError::InvalidInterval { .. }),
            "t0 = {t0}, t_end = {t_end}: {err}"
        );
    }
    let err = run(&Options::default(), &[1.0, 0.0], 1.0, 0.5).unwrap_err();
    assert_eq!(
        err.to_string(),
        "t_end must be finite and after t0, with a finite t_end − t0, got t0 = 1.0 and t_end = 0.5"
    );
}

#[test]
fn dimension_mismatch_names_field() {
    let err = run(&Options::default(), &[1.0, 0.0, 3.0], 0.0, 1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x0 has length 3 but the system dimension is 2"
    );

    let options = Options::default().with_tolerances(1e-6, vec![1e-9]);
    let err = run(&options, &[1.0, 0.0], 0.0, 1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "atol has length 1 but the system dimension is 2"
    );
}

#[test]
fn bad_tolerances_name_field_and_value() {
    let cases: [(Tolerance, Tolerance, &str); 5] = [
        (
            Tolerance::Scalar(-1e-6),
            Tolerance::Scalar(1e-9),
            "rtol must be finite and at least 10 ε ≈ 2.2e-15, got -1e-6",
        ),
        (
            Tolerance::Scalar(0.0),
            Tolerance::Scalar(1e-9),
            "rtol must be finite and at least 10 ε ≈ 2.2e-15, got 0.0",
        ),
        (
            Tolerance::Scalar(1e-6),
            Tolerance::Scalar(0.0),
            "atol must be positive and finite, got 0.0",
        ),
        (
            Tolerance::Scalar(1e-6),
            Tolerance::Scalar(f64::NAN),
            "atol must be positive and finite, got NaN",
        ),
        (
            Tolerance::PerComponent(vec![1e-6, f64::INFINITY]),
            Tolerance::Scalar(1e-9),
            "rtol[1] must be finite and at least 10 ε ≈ 2.2e-15, got inf",
        ),
    ];
    for (rtol, atol, message) in cases {
        let options = Options::default().with_tolerances(rtol, atol);
        for method in [Method::Dopri5, Method::Radau5, Method::Auto] {
            let options = Options {
                method,
                ..options.clone()
            };
            let err = run(&options, &[1.0, 0.0], 0.0, 1.0).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }
}

#[test]
fn bad_step_options_name_field() {
    let cases = [
        (
            Options::new(Method::Rk4 { step: 0.0 }),
            "method.step must be positive and finite, got 0.0",
        ),
        (
            Options::default().with_initial_step(-1.0),
            "initial_step must be positive and finite, got -1.0",
        ),
        (
            Options::default().with_max_step(f64::NAN),
            "max_step must be positive (infinity allowed), got NaN",
        ),
        (
            Options::default().with_max_steps(0),
            "max_steps must be at least 1, got 0.0",
        ),
        (
            Options {
                event_time_tolerance: -1.0,
                ..Options::default()
            },
            "event_time_tolerance must be non-negative and finite, got -1.0",
        ),
    ];
    for (options, message) in cases {
        let err = run(&options, &[1.0, 0.0], 0.0, 1.0).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
}

/// A system with no states.
struct Empty;

impl OdeSystem for Empty {
    fn dim(&self) -> usize {
        0
    }

    fn rhs(&mut self, _t: f64, _x: &[f64], _dxdt: &mut [f64]) {}
}

#[test]
fn empty_system_is_rejected() {
    let err = integrate(
        &mut Empty,
        0.0,
        &[],
        1.0,
        &Options::default(),
        &mut NoOutput,
    )
    .unwrap_err();
    assert_eq!(err, OdeError::EmptySystem);
}

/// `x' = 1` for `t < 1`, and NaN in component 1 from `t = 1` on.
struct BreaksAtOne;

impl OdeSystem for BreaksAtOne {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, t: f64, _x: &[f64], dx: &mut [f64]) {
        dx[0] = 1.0;
        dx[1] = if t < 1.0 { 1.0 } else { f64::NAN };
    }
}

#[test]
fn non_finite_rhs_names_time_and_component() {
    for options in all_methods() {
        let err = integrate(
            &mut BreaksAtOne,
            0.0,
            &[0.0, 0.0],
            2.0,
            &options,
            &mut NoOutput,
        )
        .unwrap_err();
        let OdeError::NonFiniteRhs {
            t,
            component,
            value,
        } = err
        else {
            panic!("{:?}: expected NonFiniteRhs, got {err:?}", options.method);
        };
        assert_eq!(component, 1, "{:?}", options.method);
        assert!(value.is_nan());
        // The adaptive methods shrink the step until the failing evaluation sits just
        // after t = 1; RK4 fails in the first step that reaches past it.
        assert!((1.0..1.02).contains(&t), "{:?}: t = {t}", options.method);
        assert!(err.to_string().contains("component 1 at t = 1."), "{err}");
    }
}

#[test]
fn non_finite_rhs_at_start_is_an_error() {
    let mut system = BreaksAtOne;
    for options in all_methods() {
        let err =
            integrate(&mut system, 1.0, &[0.0, 0.0], 2.0, &options, &mut NoOutput).unwrap_err();
        assert!(
            matches!(err, OdeError::NonFiniteRhs { t, component: 1, .. } if t == 1.0),
            "{:?}: {err:?}",
            options.method
        );
    }
}

/// `x' = x²` from `x(0) = 1`: `x = 1 / (1 − t)` blows up at `t = 1`.
struct BlowUp;

impl OdeSystem for BlowUp {
    fn dim(&self) -> usize {
        1
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[0] * x[0];
    }
}

#[test]
fn finite_time_blow_up_collapses_step() {
    for method in [Method::Dopri5, Method::Radau5] {
        let options = Options::new(method);
        let solution = integrate(&mut BlowUp, 0.0, &[1.0], 2.0, &options, &mut NoOutput).unwrap();
        assert!(
            matches!(solution.status, Status::StepSizeTooSmall { .. }),
            "{method:?}: {:?}",
            solution.status
        );
        assert!(
            (solution.t - 1.0).abs() < 1e-3,
            "{method:?}: stopped at {}",
            solution.t
        );
    }
}

#[test]
fn rk4_overflow_reports_state() {
    // RK4 with h = 1 on x' = x² reaches infinity within a few steps.
    let options = Options::new(Method::Rk4 { step: 1.0 });
    let err = integrate(&mut BlowUp, 0.0, &[1.0], 100.0, &options, &mut NoOutput).unwrap_err();
    assert!(
        matches!(
            err,
            OdeError::NonFiniteState { component: 0, .. }
                | OdeError::NonFiniteRhs { component: 0, .. }
        ),
        "{err:?}"
    );
}

#[test]
fn max_steps_is_a_status() {
    for options in all_methods() {
        let options = options.with_max_steps(5);
        let solution = run(&options, &[1.0, 0.0], 0.0, 100.0).unwrap();
        assert_eq!(
            solution.status,
            Status::MaxStepsReached,
            "{:?}",
            options.method
        );
        assert!(solution.t < 100.0);
        assert!(solution.stats.steps <= 5);
    }
}

#[test]
fn decreasing_output_times_are_rejected() {
    let mut samples = Samples::at_times(vec![0.5, 0.25], 2);
    let err = integrate(
        &mut Oscillator { omega: 1.0 },
        0.0,
        &[1.0, 0.0],
        1.0,
        &Options::default(),
        &mut samples,
    )
    .unwrap_err();
    assert_eq!(
        err,
        OdeError::InvalidOutputTime {
            requested: 0.25,
            earliest: 0.5
        }
    );
}

#[test]
fn output_before_start_is_rejected() {
    let mut samples = Samples::at_times(vec![-1.0], 2);
    let err = integrate(
        &mut Oscillator { omega: 1.0 },
        0.0,
        &[1.0, 0.0],
        1.0,
        &Options::default(),
        &mut samples,
    )
    .unwrap_err();
    assert!(matches!(err, OdeError::InvalidOutputTime { .. }), "{err:?}");
}

#[test]
fn outputs_at_ends_and_beyond() {
    // t0 gets x0 exactly, t_end gets the final state exactly, later times nothing.
    let mut samples = Samples::at_times(vec![0.0, 0.0, 1.0, 1.5], 2);
    let solution = integrate(
        &mut Oscillator { omega: 1.0 },
        0.0,
        &[1.0, 0.0],
        1.0,
        &Options::default(),
        &mut samples,
    )
    .unwrap();
    assert_eq!(samples.len(), 3);
    assert_eq!(samples.state(0).unwrap(), &[1.0, 0.0]);
    assert_eq!(samples.state(1).unwrap(), &[1.0, 0.0]);
    assert_eq!(samples.state(2).unwrap(), solution.x.as_slice());
    assert!(samples.state(3).is_none());
}

#[test]
fn uniform_callback_delivers_every_sample() {
    // 200 001 samples over ten periods, without storing them: the callback checks
    // each against the exact solution (1e-6 for rtol 1e-8 over ten periods).
    let count = 200_001;
    let step = 20.0 * std::f64::consts::PI / (count - 1) as f64;
    let mut worst: f64 = 0.0;
    let mut last_t = -1.0;
    let mut sink = UniformCallback::new(0.0, step, count, |t, x| {
        assert!(t > last_t);
        last_t = t;
        worst = worst
            .max((x[0] - t.cos()).abs())
            .max((x[1] + t.sin()).abs());
    });
    let options = Options::new(Method::Dopri5).with_tolerances(1e-8, 1e-10);
    // The same expression as the sink's last time, so that it is not rounded past t_end.
    let t_end = 0.0 + (count - 1) as f64 * step;
    let solution = integrate(
        &mut Oscillator { omega: 1.0 },
        0.0,
        &[1.0, 0.0],
        t_end,
        &options,
        &mut sink,
    )
    .unwrap();
    assert_eq!(solution.status, Status::Finished);
    assert_eq!(sink.delivered(), count);
    assert!(worst < 1e-6, "worst sample error {worst:e}");
}
