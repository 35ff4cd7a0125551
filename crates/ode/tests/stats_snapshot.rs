//! Snapshots of the solver statistics for fixed problems, so that an efficiency
//! regression (more steps, rejections, evaluations, Jacobians or factorisations) fails
//! review.
//!
//! The numbers were observed on x86-64 Linux with Rust 1.95.0. They are exact, not
//! bounds: a deliberate change to a controller or to the Newton iteration changes
//! them, and then they must be updated in the same change, with the reason in its
//! description. Floating-point rounding on another platform may shift them slightly.

mod common;

use common::{Hires, Oscillator, Robertson, VanDerPol};
use pelab_ode::{
    Method, MethodKind, MethodSwitch, NoOutput, OdeSystem, Options, Stats, Status, SwitchReason,
    integrate,
};

fn stats_of<S: OdeSystem>(system: &mut S, x0: &[f64], t_end: f64, options: &Options) -> Stats {
    let solution = integrate(system, 0.0, x0, t_end, options, &mut NoOutput)
        .unwrap_or_else(|e| panic!("{:?}: {e}", options.method));
    assert_eq!(solution.status, Status::Finished);
    solution.stats
}

#[test]
fn van_der_pol_radau5_stats() {
    // μ = 1000 over [0, 3] (two relaxation periods), rtol = atol = 1e-6.
    let options = Options::new(Method::Radau5).with_tolerances(1e-6, 1e-6);
    let analytic = stats_of(
        &mut VanDerPol {
            mu: 1000.0,
            analytic_jacobian: true,
        },
        &[2.0, 0.0],
        3.0,
        &options,
    );
    let expected = Stats {
        steps: 434,
        accepted: 420,
        rejected: 14,
        rhs_evaluations: 3435,
        jacobian_evaluations: 283,
        lu_factorizations: 367,
        newton_iterations: 1004,
        ..Stats::default()
    };
    assert_eq!(analytic, expected);

    // Finite differences change only the evaluation count: two per Jacobian.
    let finite_difference = stats_of(
        &mut VanDerPol {
            mu: 1000.0,
            analytic_jacobian: false,
        },
        &[2.0, 0.0],
        3.0,
        &options,
    );
    let expected = Stats {
        rhs_evaluations: 3435 + 2 * 283,
        ..expected
    };
    assert_eq!(finite_difference, expected);
}

#[test]
fn van_der_pol_auto_stats() {
    let options = Options::new(Method::Auto).with_tolerances(1e-6, 1e-6);
    let stats = stats_of(
        &mut VanDerPol {
            mu: 1000.0,
            analytic_jacobian: true,
        },
        &[2.0, 0.0],
        3.0,
        &options,
    );
    let switch_time = 0.032_542_438_026_638_316;
    let expected = Stats {
        steps: 461,
        accepted: 446,
        rejected: 15,
        rhs_evaluations: 3580,
        jacobian_evaluations: 281,
        lu_factorizations: 352,
        newton_iterations: 961,
        stiffness_detected_at: Some(switch_time),
        switches: vec![MethodSwitch {
            t: switch_time,
            from: MethodKind::Dopri5,
            to: MethodKind::Radau5,
            reason: SwitchReason::StiffnessDetected,
        }],
        ..Stats::default()
    };
    assert_eq!(stats, expected);
}

#[test]
fn robertson_radau5_stats() {
    let options = Options::new(Method::Radau5).with_tolerances(1e-8, vec![1e-16, 1e-22, 1e-16]);
    let stats = stats_of(
        &mut Robertson {
            analytic_jacobian: true,
        },
        &[1.0, 0.0, 0.0],
        1e11,
        &options,
    );
    let expected = Stats {
        steps: 631,
        accepted: 630,
        rejected: 1,
        rhs_evaluations: 4697,
        jacobian_evaluations: 384,
        lu_factorizations: 407,
        newton_iterations: 1355,
        ..Stats::default()
    };
    assert_eq!(stats, expected);
}

#[test]
fn hires_radau5_stats() {
    let options = Options::new(Method::Radau5).with_tolerances(1e-8, 1e-14);
    let x0 = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057];
    let stats = stats_of(
        &mut Hires {
            analytic_jacobian: true,
        },
        &x0,
        321.8122,
        &options,
    );
    let expected = Stats {
        steps: 258,
        accepted: 256,
        rejected: 2,
        rhs_evaluations: 2226,
        jacobian_evaluations: 142,
        lu_factorizations: 174,
        newton_iterations: 656,
        newton_failures: 1,
        ..Stats::default()
    };
    assert_eq!(stats, expected);
}

#[test]
fn oscillator_dopri5_stats() {
    // Ten periods at rtol 1e-8, atol 1e-10: six evaluations per attempted step plus
    // two for the initial step selection and the first derivative.
    let options = Options::new(Method::Dopri5).with_tolerances(1e-8, 1e-10);
    let stats = stats_of(
        &mut Oscillator { omega: 1.0 },
        &[1.0, 0.0],
        20.0 * std::f64::consts::PI,
        &options,
    );
    let expected = Stats {
        steps: 843,
        accepted: 823,
        rejected: 20,
        rhs_evaluations: 5060,
        ..Stats::default()
    };
    assert_eq!(stats, expected);
    assert_eq!(stats.rhs_evaluations, 6 * stats.steps + 2);
}
