//! Feedforward values and closed-loop tests of the converter controllers on averaged
//! plants. The controller output of sample `k` is applied during sample `k + 1`, which
//! models the one-sample computation delay of a firmware ISR.

mod common;

use common::{BoostPlant, HalfBridgePlant};
use pelab_control::Status;
use pelab_control::dcdc::{
    AcmcController, Converter, CurrentController, CurrentLoopConfig, Measurements, VoltageLaw,
    VoltageLoopConfig, boost_duty, buck_duty, half_bridge_duty,
};
use pelab_control::pi::AntiWindup;
use pelab_control::softstart::{RampLimiter, RampRate};

/// Sample time of all closed-loop tests: 100 kHz.
const TS: f64 = 10e-6;
/// RK4 steps per sample.
const SUBSTEPS: usize = 10;

fn boost_plant() -> BoostPlant {
    BoostPlant {
        l: 100e-6,
        c: 470e-6,
        r: 10.0,
        v_in: 12.0,
        i_l: 0.0,
        v_out: 12.0,
    }
}

/// Current loop with a crossover near 2 kHz at 24 V for the boost: `kp ≈ ω_c·L/v_out`.
fn boost_current_loop() -> CurrentLoopConfig {
    CurrentLoopConfig {
        converter: Converter::Boost,
        kp: 0.05,
        ki: 150.0,
        ts: TS,
        d_min: 0.0,
        d_max: 0.9,
        anti_windup: AntiWindup::BackCalculation { kb: 2e4 },
        feedforward: true,
    }
}

/// Linear voltage loop with a crossover near 200 Hz: `kp ≈ ω_c·C/(1 − D)`.
fn linear_voltage_loop() -> VoltageLoopConfig {
    VoltageLoopConfig {
        law: VoltageLaw::Linear,
        kp: 1.2,
        ki: 700.0,
        anti_windup: AntiWindup::Clamping,
        i_min: 0.0,
        i_max: 15.0,
        v_port_min: 1.0,
    }
}

/// V² voltage loop with a crossover near 300 Hz: `kp ≈ ω_c·C/2`.
fn squared_voltage_loop() -> VoltageLoopConfig {
    VoltageLoopConfig {
        law: VoltageLaw::Squared,
        kp: 0.45,
        ki: 300.0,
        anti_windup: AntiWindup::Clamping,
        i_min: 0.0,
        i_max: 15.0,
        v_port_min: 1.0,
    }
}

/// One logged sample of a closed-loop run.
#[derive(Clone, Copy, Debug)]
struct Sample {
    t: f64,
    v_out: f64,
    i_l: f64,
    duty: f64,
    i_ref: f64,
}

/// Runs the boost with a soft-started reference toward `v_target` for `duration` [s].
/// The load resistance switches to `r_after` at `t_load_step`.
fn run_boost(
    controller: &mut AcmcController,
    v_target: f64,
    ramp: f64,
    duration: f64,
    load_step: Option<(f64, f64)>,
) -> Vec<Sample> {
    let mut plant = boost_plant();
    let mut reference = RampLimiter::new(RampRate::Duration(ramp), TS, plant.v_out)
        .expect("ramp duration and start voltage are valid");
    let mut applied_duty = 0.0;
    let samples = (duration / TS).round() as usize;
    let mut log = Vec::with_capacity(samples);
    for k in 0..samples {
        let t = k as f64 * TS;
        if let Some((t_step, r_after)) = load_step
            && t >= t_step
        {
            plant.r = r_after;
        }
        let m = Measurements {
            v_in: plant.v_in,
            v_out: plant.v_out,
            i_l: plant.i_l,
        };
        let v_ref = reference.update(v_target);
        let duty = controller.update(v_ref, &m);
        log.push(Sample {
            t,
            v_out: plant.v_out,
            i_l: plant.i_l,
            duty,
            i_ref: controller.current_reference(),
        });
        plant.advance(applied_duty, TS, SUBSTEPS);
        applied_duty = duty;
    }
    log
}

/// Returns the first time after which `|v_out − v_target|` stays within `tolerance`.
fn settling_time(log: &[Sample], v_target: f64, tolerance: f64) -> Option<f64> {
    let last_outside = log
        .iter()
        .rposition(|s| (s.v_out - v_target).abs() > tolerance);
    match last_outside {
        None => Some(0.0),
        Some(index) if index + 1 < log.len() => Some(log[index + 1].t),
        Some(_) => None,
    }
}

#[test]
fn feedforward_duties() {
    assert_eq!(buck_duty(48.0, 12.0), Some(0.25));
    assert_eq!(boost_duty(12.0, 48.0), Some(0.75));
    assert_eq!(half_bridge_duty(100.0, 48.0), Some(0.48));
}

#[test]
fn feedforward_clamps_and_rejects() {
    assert_eq!(boost_duty(24.0, 12.0), Some(0.0));
    assert_eq!(buck_duty(12.0, 24.0), Some(1.0));
    assert_eq!(buck_duty(0.0, 12.0), None);
    assert_eq!(boost_duty(12.0, 0.0), None);
    assert_eq!(buck_duty(f64::NAN, 12.0), None);
    assert_eq!(half_bridge_duty(-1.0, 12.0), None);
}

#[test]
fn boost_linear_acmc_reaches_reference() {
    let mut controller = AcmcController::new(linear_voltage_loop(), boost_current_loop()).unwrap();
    let log = run_boost(&mut controller, 24.0, 5e-3, 40e-3, None);

    // Within 1 % of 24 V no later than 10 ms, that is 5 ms after the end of the ramp.
    let settled = settling_time(&log, 24.0, 0.24).expect("boost never settled");
    assert!(settled < 10e-3, "settled at {settled} s");

    let last = log.last().unwrap();
    assert!((last.v_out - 24.0).abs() < 0.01, "v_out = {}", last.v_out);
    // Lossless steady state: i_l = v_out²/(R·v_in) = 4.8 A.
    assert!((last.i_l - 4.8).abs() < 0.01, "i_l = {}", last.i_l);
    assert!((last.duty - 0.5).abs() < 0.01, "duty = {}", last.duty);
}

#[test]
fn boost_linear_acmc_limits_current() {
    let mut controller = AcmcController::new(linear_voltage_loop(), boost_current_loop()).unwrap();
    // A 0.1 ms ramp demands far more than i_max = 15 A while the capacitor charges.
    let log = run_boost(&mut controller, 24.0, 1e-4, 40e-3, None);

    assert!(log.iter().all(|s| (0.0..=15.0).contains(&s.i_ref)));
    // The limit applies to the reference. The inner PI overshoots a reference step on
    // this integrating plant, because its integrator must give back the area it
    // collected during the rise.
    let peak = log.iter().map(|s| s.i_l).fold(f64::MIN, f64::max);
    assert!(peak < 15.0 * 1.15, "peak i_l = {peak} A");
    let overshoot = log.iter().map(|s| s.v_out).fold(f64::MIN, f64::max) - 24.0;
    assert!(overshoot < 1.0, "overshoot {overshoot} V");
    let settled = settling_time(&log, 24.0, 0.24).expect("boost never settled");
    assert!(settled < 20e-3, "settled at {settled} s");
}

#[test]
fn boost_squared_acmc_reaches_reference() {
    let mut controller = AcmcController::new(squared_voltage_loop(), boost_current_loop()).unwrap();
    let log = run_boost(&mut controller, 24.0, 5e-3, 40e-3, None);

    let settled = settling_time(&log, 24.0, 0.24).expect("boost never settled");
    assert!(settled < 10e-3, "settled at {settled} s");
    let overshoot = log.iter().map(|s| s.v_out).fold(f64::MIN, f64::max) - 24.0;
    assert!(overshoot < 0.5, "overshoot {overshoot} V");
    let last = log.last().unwrap();
    assert!((last.v_out - 24.0).abs() < 0.01, "v_out = {}", last.v_out);
    // Lossless steady state: p_ref = v_out²/R = 57.6 W.
    let p_ref = controller.power_reference().unwrap();
    assert!((p_ref - 57.6).abs() < 0.2, "p_ref = {p_ref} W");
}

#[test]
fn boost_squared_acmc_recovers_from_load_step() {
    let mut controller = AcmcController::new(squared_voltage_loop(), boost_current_loop()).unwrap();
    // Load steps from 10 Ω to 5 Ω (57.6 W to 115 W) at 30 ms.
    let log = run_boost(&mut controller, 24.0, 5e-3, 60e-3, Some((30e-3, 5.0)));

    let after_step: Vec<Sample> = log.iter().copied().filter(|s| s.t >= 30e-3).collect();
    let dip = 24.0 - after_step.iter().map(|s| s.v_out).fold(f64::MAX, f64::min);
    assert!(dip < 2.0, "dip {dip} V");
    let settled = settling_time(&after_step, 24.0, 0.24).expect("boost never settled");
    assert!(settled < 45e-3, "settled at {settled} s");
    let last = log.last().unwrap();
    assert!((last.v_out - 24.0).abs() < 0.01, "v_out = {}", last.v_out);
}

#[test]
fn buck_squared_acmc_starts_from_zero() {
    // 48 V to 12 V buck, L = 47 µH, C = 220 µF, R = 2 Ω, V² loop. The averaged buck is
    // the half-bridge plant without battery branch (very large r_bat). The output starts
    // at 0 V, where v_port_min = 1 V keeps p_ref/v_out finite.
    let mut plant = HalfBridgePlant {
        l: 47e-6,
        c: 220e-6,
        r_load: 2.0,
        v_bat: 0.0,
        r_bat: 1e12,
        v_high: 48.0,
        i_l: 0.0,
        v_low: 0.0,
    };

    let mut controller = AcmcController::new(
        VoltageLoopConfig {
            law: VoltageLaw::Squared,
            kp: 0.5,
            ki: 1000.0,
            anti_windup: AntiWindup::Clamping,
            i_min: 0.0,
            i_max: 10.0,
            v_port_min: 1.0,
        },
        CurrentLoopConfig {
            converter: Converter::Buck,
            kp: 0.015,
            ki: 60.0,
            ts: TS,
            d_min: 0.0,
            d_max: 1.0,
            anti_windup: AntiWindup::Clamping,
            feedforward: true,
        },
    )
    .unwrap();

    let mut reference = RampLimiter::new(RampRate::SlewRate(4000.0), TS, 0.0).unwrap();
    let mut applied_duty = 0.0;
    let mut v_log = Vec::new();
    for _ in 0..3000 {
        let m = Measurements {
            v_in: plant.v_high,
            v_out: plant.v_low,
            i_l: plant.i_l,
        };
        let duty = controller.update(reference.update(12.0), &m);
        v_log.push(plant.v_low);
        plant.advance(applied_duty, TS, SUBSTEPS);
        applied_duty = duty;
    }

    // The 4000 V/s ramp ends at 3 ms. Within 1 % of 12 V from 10 ms on.
    assert!(v_log[1000..].iter().all(|v| (v - 12.0).abs() < 0.12));
    let last = *v_log.last().unwrap();
    assert!((last - 12.0).abs() < 0.01, "v_out = {last}");
    let overshoot = v_log.iter().copied().fold(f64::MIN, f64::max) - 12.0;
    assert!(overshoot < 0.5, "overshoot {overshoot} V");
}

fn half_bridge_plant() -> HalfBridgePlant {
    HalfBridgePlant {
        l: 50e-6,
        c: 100e-6,
        r_load: 10.0,
        v_bat: 48.0,
        r_bat: 0.1,
        v_high: 100.0,
        i_l: 0.0,
        v_low: 48.0,
    }
}

/// Current loop for the half-bridge with a crossover near 3 kHz: `kp ≈ ω_c·L/v_high`.
/// The feedforward supplies the steady-state duty, so a small `ki` suffices.
fn half_bridge_current_loop() -> CurrentLoopConfig {
    CurrentLoopConfig {
        converter: Converter::HalfBridge,
        kp: 0.01,
        ki: 20.0,
        ts: TS,
        d_min: 0.02,
        d_max: 0.98,
        anti_windup: AntiWindup::BackCalculation { kb: 2e4 },
        feedforward: true,
    }
}

#[test]
fn half_bridge_current_tracks_sign_change() {
    let mut plant = half_bridge_plant();
    let mut controller = CurrentController::new(half_bridge_current_loop()).unwrap();
    let mut applied_duty = half_bridge_duty(100.0, 48.0).unwrap();
    // +10 A (power into the low-voltage node) for 5 ms, then −10 A for 5 ms.
    let i_ref_at = |k: usize| if k < 500 { 10.0 } else { -10.0 };
    let mut log = Vec::new();
    for k in 0..1000 {
        let m = Measurements {
            v_in: plant.v_high,
            v_out: plant.v_low,
            i_l: plant.i_l,
        };
        let duty = controller.update(i_ref_at(k), &m);
        assert!((0.02..=0.98).contains(&duty), "duty {duty} at sample {k}");
        log.push((k, plant.i_l));
        plant.advance(applied_duty, TS, SUBSTEPS);
        applied_duty = duty;
    }

    // Within 0.2 A of the reference from 1.5 ms after each step until the next one.
    for &(k, i_l) in &log {
        let settled = (150..500).contains(&k) || (650..1000).contains(&k);
        if settled {
            let error = i_l - i_ref_at(k);
            assert!(error.abs() < 0.2, "error {error} A at sample {k}");
        }
    }
    // The reversal overshoots by less than 2 A. A PI on this integrating plant must
    // overshoot a step, because its integrator returns to the same value afterwards.
    let minimum = log.iter().map(|&(_, i)| i).fold(f64::MAX, f64::min);
    assert!(minimum > -12.0, "minimum i_l {minimum} A");
    // With −10 A the battery supplies the load and the high-voltage port.
    assert!(plant.v_low < 48.0);
}

#[test]
fn half_bridge_current_tracks_ramp_through_zero() {
    let mut plant = half_bridge_plant();
    let mut controller = CurrentController::new(half_bridge_current_loop()).unwrap();
    let mut applied_duty = half_bridge_duty(100.0, 48.0).unwrap();
    // Ramp from +10 A to −10 A over 10 ms.
    let mut worst = 0.0_f64;
    for k in 0..1500 {
        let i_ref = if k < 200 {
            10.0
        } else {
            (10.0 - 20.0 * (k - 200) as f64 / 1000.0).max(-10.0)
        };
        let m = Measurements {
            v_in: plant.v_high,
            v_out: plant.v_low,
            i_l: plant.i_l,
        };
        let duty = controller.update(i_ref, &m);
        if k > 100 {
            worst = worst.max((plant.i_l - i_ref).abs());
        }
        plant.advance(applied_duty, TS, SUBSTEPS);
        applied_duty = duty;
    }
    assert!(worst < 0.3, "worst tracking error {worst} A");
}

#[test]
fn acmc_holds_duty_on_nan_measurement() {
    let mut controller = AcmcController::new(linear_voltage_loop(), boost_current_loop()).unwrap();
    let m = Measurements {
        v_in: 12.0,
        v_out: 20.0,
        i_l: 2.0,
    };
    let duty = controller.update(24.0, &m);
    let i_ref = controller.current_reference();
    let bad = Measurements {
        v_out: f64::NAN,
        ..m
    };
    assert_eq!(controller.update(24.0, &bad), duty);
    assert_eq!(controller.current_reference(), i_ref);
    assert_eq!(controller.status().voltage, Status::InvalidInput);
    assert_eq!(controller.status().current, Status::InvalidInput);
    assert_eq!(controller.update(f64::INFINITY, &m), duty);
}

#[test]
fn acmc_track_is_bumpless() {
    for voltage_loop in [linear_voltage_loop(), squared_voltage_loop()] {
        let mut controller = AcmcController::new(voltage_loop, boost_current_loop()).unwrap();
        let m = Measurements {
            v_in: 12.0,
            v_out: 18.0,
            i_l: 3.0,
        };
        let tracked = controller.track(0.37, 24.0, &m);
        assert_eq!(tracked, 0.37);
        assert!((controller.current_reference() - 3.0).abs() < 1e-12);
        let duty = controller.update(24.0, &m);
        assert!(
            (duty - 0.37).abs() < 1e-12,
            "{:?}: duty {duty} after tracking 0.37",
            voltage_loop.law
        );
    }
}

#[test]
fn acmc_rejects_bad_config() {
    let err = AcmcController::new(
        VoltageLoopConfig {
            i_min: 5.0,
            i_max: 5.0,
            ..linear_voltage_loop()
        },
        boost_current_loop(),
    )
    .unwrap_err();
    assert_eq!(err.field, "i_max");

    let err = AcmcController::new(
        VoltageLoopConfig {
            v_port_min: 0.0,
            ..squared_voltage_loop()
        },
        boost_current_loop(),
    )
    .unwrap_err();
    assert_eq!(err.field, "v_port_min");

    let err = CurrentController::new(CurrentLoopConfig {
        d_max: 1.5,
        ..boost_current_loop()
    })
    .unwrap_err();
    assert_eq!(err.field, "d_max");

    let err = CurrentController::new(CurrentLoopConfig {
        d_min: 0.5,
        d_max: 0.4,
        ..boost_current_loop()
    })
    .unwrap_err();
    assert_eq!(err.field, "d_max");
    assert_eq!(
        err.to_string(),
        "invalid d_max = 0.4: expected a finite value > d_min = 0.5"
    );
}
