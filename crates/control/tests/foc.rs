//! Field-oriented control: current-loop step response and decoupling on simulated
//! plants, MTPA against a numerical optimum, field weakening on the voltage ellipse,
//! and configuration errors.

use core::f64::consts::FRAC_PI_2;

use pelab_control::Expected;
use pelab_control::foc::{
    CurrentLoopConfig, Decoupling, DqCurrentController, MotorParams, ReferenceGenerator,
    ReferenceLimit, SpeedController, SpeedLoopConfig, mtpa_angle, mtpa_currents, mtpa_d_current,
};
use pelab_control::pi::AntiWindup;

/// Interior PMSM: R_s = 50 mΩ, L_d = 0.2 mH, L_q = 0.5 mH, λ = 20 mV·s, 4 pole pairs.
fn ipmsm() -> MotorParams {
    MotorParams::new(0.05, 2e-4, 5e-4, 0.02, 4).unwrap()
}

const TS: f64 = 1e-5;
const OMEGA_C: f64 = 2000.0;

fn loop_config(decoupling: Decoupling) -> CurrentLoopConfig {
    CurrentLoopConfig {
        motor: ipmsm(),
        bandwidth: OMEGA_C,
        ts: TS,
        anti_windup: AntiWindup::Clamping,
        decoupling,
    }
}

#[test]
fn current_step_is_first_order() {
    // At ω_e = 0 each axis is the RL plant L·di/dt = v − R·i. Its exact zero-order-hold
    // discretisation is i[k+1] = a·i[k] + (1 − a)/R·v[k] with a = exp(−R·ts/L).
    let motor = ipmsm();
    let r = motor.r_s();
    let x = OMEGA_C * TS; // 0.02
    let samples = (1.0 / x).round() as usize; // t = 1/ω_c
    for (axis, l) in [("d", motor.l_d()), ("q", motor.l_q())] {
        let mut c = DqCurrentController::new(loop_config(Decoupling::None)).unwrap();
        let a = libm::exp(-r * TS / l);
        // With the PI zero cancelling the plant pole, the discrete closed loop has the
        // single pole 1 − x_d with x_d = kp·(1 − a)/R = ω_c·L·(1 − a)/R ≈ ω_c·ts.
        let x_d = OMEGA_C * l * (1.0 - a) / r;
        let (mut i_d, mut i_q) = (0.0, 0.0);
        let mut worst_continuous: f64 = 0.0;
        let mut worst_discrete: f64 = 0.0;
        let mut at_tau = f64::NAN;
        for k in 0..=samples * 3 {
            let i = if axis == "d" { i_d } else { i_q };
            if k == samples {
                at_tau = i;
            }
            let t = k as f64 * TS;
            worst_continuous = worst_continuous.max((i - (1.0 - libm::exp(-OMEGA_C * t))).abs());
            worst_discrete = worst_discrete.max((i - (1.0 - libm::pow(1.0 - x_d, k as f64))).abs());

            let (d_ref, q_ref) = if axis == "d" { (1.0, 0.0) } else { (0.0, 1.0) };
            let v = c.update(d_ref, q_ref, i_d, i_q, 0.0, 1e3);
            i_d = rl_step(i_d, v.v_d, r, motor.l_d());
            i_q = rl_step(i_q, v.v_q, r, motor.l_q());
        }
        println!(
            "{axis} axis: i(1/ω_c) = {at_tau:.6}, worst vs continuous {worst_continuous:.2e}, \
             worst vs discrete {worst_discrete:.2e}"
        );
        // (1 − x)^(1/x) = e^(−1)·(1 − x/2 + O(x²)), so the discrete response at 1/ω_c
        // lies about e^(−1)·x/2 = 0.0037 above 1 − e^(−1); allow 0.005.
        let expected = 1.0 - libm::exp(-1.0);
        assert!(
            (at_tau - expected).abs() < 0.005,
            "{axis} axis at 1/ω_c: {at_tau}, expected {expected}"
        );
        assert!(
            worst_continuous < 0.005,
            "{axis} axis: worst deviation from 1 − e^(−ω_c·t) is {worst_continuous}"
        );
        // The forward-Euler zero 1 − R·ts/L misses the plant pole exp(−R·ts/L) by
        // (R·ts/L)²/2 ≤ 3.2e-6. That leaves a slow closed-loop mode with a residue of
        // about 3.2e-6/(x_d − R·ts/L) ≈ 1.8e-4 on the d axis (less on q).
        assert!(
            worst_discrete < 2e-4,
            "{axis} axis: worst deviation from the discrete first order is {worst_discrete}"
        );
    }
}

/// Advances the RL plant by one sample with its exact discretisation.
fn rl_step(i: f64, v: f64, r: f64, l: f64) -> f64 {
    let a = libm::exp(-r * TS / l);
    a * i + (1.0 - a) / r * v
}

/// Advances the dq currents of the machine at the constant electrical speed `omega_e`
/// by one sample `TS` with the voltage held, using 20 classic RK4 sub-steps.
fn dq_plant_step(m: &MotorParams, i: [f64; 2], v: [f64; 2], omega_e: f64) -> [f64; 2] {
    let f = |x: [f64; 2]| {
        [
            (v[0] - m.r_s() * x[0] + omega_e * m.l_q() * x[1]) / m.l_d(),
            (v[1] - m.r_s() * x[1] - omega_e * (m.l_d() * x[0] + m.lambda())) / m.l_q(),
        ]
    };
    let add = |a: [f64; 2], b: [f64; 2], h: f64| [a[0] + h * b[0], a[1] + h * b[1]];
    let dt = TS / 20.0;
    let mut x = i;
    for _ in 0..20 {
        let k1 = f(x);
        let k2 = f(add(x, k1, 0.5 * dt));
        let k3 = f(add(x, k2, 0.5 * dt));
        let k4 = f(add(x, k3, dt));
        x = [
            x[0] + dt / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            x[1] + dt / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
        ];
    }
    x
}

/// Runs a 50 A q-axis step at ω_e = 2000 rad/s after 20 ms at zero current and returns
/// the largest change of i_d during the 5 ms after the step.
fn d_disturbance_of_q_step(decoupling: Decoupling) -> f64 {
    let m = ipmsm();
    let omega_e = 2000.0;
    let mut c = DqCurrentController::new(loop_config(decoupling)).unwrap();
    let mut i = [0.0, 0.0];
    let mut worst: f64 = 0.0;
    let mut i_d_at_step = 0.0;
    let start = 20_000;
    for k in 0..start + 500 {
        // The first 0.2 s let the integrators take up most of the back-EMF without
        // decoupling. A slow mode of the coupled loop leaves about 1 A on i_q and
        // 25 mA on i_d, so the disturbance is measured from the values at the step.
        let q_ref = if k < start { 0.0 } else { 50.0 };
        let v = c.update(0.0, q_ref, i[0], i[1], omega_e, 400.0);
        i = dq_plant_step(&m, i, [v.v_d, v.v_q], omega_e);
        if k == start {
            assert!(i[0].abs() < 0.1 && i[1].abs() < 2.0, "not settled: {i:?}");
            i_d_at_step = i[0];
        }
        if k >= start {
            worst = worst.max((i[0] - i_d_at_step).abs());
        }
    }
    println!("{decoupling:?}: i_q = {:.4} A at 5 ms after the step", i[1]);
    worst
}

#[test]
fn decoupling_removes_cross_coupling() {
    let with = d_disturbance_of_q_step(Decoupling::Cross);
    let without = d_disturbance_of_q_step(Decoupling::None);
    println!("peak change of i_d after a 50 A q step: {with:.4} A decoupled, {without:.4} A not");
    // Without decoupling the d axis sees −ω_e·L_q·Δi_q = −50 V, rejected only by the
    // PI, which moves i_d by amperes. With it, only the change of i_q within one sample
    // is left uncompensated.
    assert!(
        without > 1.0,
        "coupling without feed-forward too small: {without} A"
    );
    assert!(with < 0.1 * without, "decoupled {with} A vs {without} A");
    // The feed-forward uses the currents sampled at the start of each period, so the
    // rise of i_q within a period stays uncompensated: about 0.4 A here.
    assert!(with < 1.0, "decoupled disturbance {with} A");
}
