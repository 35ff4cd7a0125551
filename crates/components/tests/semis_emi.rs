//! Transition-speed estimate from the gate charge against hand calculations.

use pelab_components::curve::Curve;
use pelab_components::library::load_built_in;
use pelab_components::semiconductor::emi::{
    EstimateError, GateDrive, switching_transition_estimate,
};
use pelab_components::semiconductor::{DeviceKind, GateCharge, Ratings, Transistor};

/// Builds a part with an ideal gate-charge curve measured at 400 V: 1 V/nC up to a 5 V
/// plateau at 5 nC, a flat plateau to 15 nC (Qgd = 10 nC), then 0.5 V/nC to 15 V.
/// The points every 1 nC below the plateau keep the interpolant straight up to
/// 4 nC, so the charge at the 3 V threshold is exactly 3 nC.
fn ideal_part() -> Transistor {
    let ratings = Ratings {
        v_abs_max_v: 650.0,
        i_abs_max_a: None,
        i_cont_a: Some(20.0),
        t_j_max_c: Some(150.0),
    };
    let mut part = Transistor::new("ideal", DeviceKind::SiMosfet, ratings);
    part.r_g_int_ohm = Some(1.0);
    part.gate_threshold_v = Some(3.0);
    part.gate_charge.push(GateCharge {
        curve: Curve::new(
            vec![
                0.0, 1e-9, 2e-9, 3e-9, 4e-9, 5e-9, 10e-9, 15e-9, 25e-9, 35e-9,
            ],
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 10.0, 15.0],
        )
        .expect("valid curve"),
        i_channel_a: Some(10.0),
        v_supply_v: Some(400.0),
        t_j_c: Some(25.0),
    });
    part
}

fn drive(v_bus: f64) -> GateDrive {
    GateDrive {
        v_bus_v: v_bus,
        i_load_a: 10.0,
        r_g_on_ohm: 9.0,
        r_g_off_ohm: 4.0,
        v_drive_on_v: 15.0,
        v_drive_off_v: -5.0,
    }
}

fn close(a: f64, b: f64) -> bool {
    ((a - b) / b).abs() < 1e-9
}

#[test]
fn ideal_curve_matches_hand_calculation() {
    let estimate = switching_transition_estimate(&ideal_part(), &drive(400.0)).expect("estimate");
    // Turn-on: I_g = (15 − 5) V / (9 + 1) Ω = 1 A, t = 10 nC / 1 A = 10 ns.
    assert!(close(estimate.t_fall_v_s, 10e-9), "{estimate:?}");
    // Turn-off: I_g = (5 − (−5)) V / (4 + 1) Ω = 2 A, t = 5 ns, so 400 V / 5 ns.
    assert!(close(estimate.t_rise_v_s, 5e-9), "{estimate:?}");
    assert!(close(estimate.dv_dt_v_per_s, 8e10), "{estimate:?}");
    // Current rise: Q(3 V) = 3 nC, so 2 nC to the plateau at a mean gate current of
    // ((15 − 3) + (15 − 5)) / 2 / 10 Ω = 1.1 A: 1.818 ns, di/dt = 10 A / 1.818 ns.
    let di_dt = estimate.di_dt_a_per_s.expect("threshold given");
    assert!(close(di_dt, 10.0 * 1.1 / 2e-9), "{di_dt}");
    assert!(close(estimate.v_plateau_v, 5.0));
}

#[test]
fn miller_charge_scales_with_bus_voltage() {
    let at_800 = switching_transition_estimate(&ideal_part(), &drive(800.0)).expect("estimate");
    assert!(close(at_800.q_gd_c, 20e-9));
    assert!(close(at_800.t_fall_v_s, 20e-9));
    // dv/dt stays the same: twice the swing in twice the time.
    assert!(close(at_800.dv_dt_v_per_s, 8e10));
}

#[test]
fn without_threshold_di_dt_is_missing() {
    let mut part = ideal_part();
    part.gate_threshold_v = None;
    let estimate = switching_transition_estimate(&part, &drive(400.0)).expect("estimate");
    assert_eq!(estimate.di_dt_a_per_s, None);
}

#[test]
fn invalid_inputs_are_rejected() {
    let part = ideal_part();
    let mut weak = drive(400.0);
    weak.v_drive_on_v = 4.0;
    let error = switching_transition_estimate(&part, &weak).expect_err("below plateau");
    assert!(error.to_string().contains("v_drive_on"), "{error}");
    let mut negative = drive(400.0);
    negative.r_g_on_ohm = -1.0;
    assert!(matches!(
        switching_transition_estimate(&part, &negative),
        Err(EstimateError::InvalidValue { .. })
    ));
    let igbt = load_built_in("Infineon_FF300R12KE3")
        .expect("loads")
        .transistor;
    assert!(matches!(
        switching_transition_estimate(&igbt, &drive(600.0)),
        Err(EstimateError::NoGateCharge { .. })
    ));
}

#[test]
fn sic_part_gives_tens_of_volts_per_nanosecond() {
    // C3M0016120K at 800 V with Rg = 2.5 Ω external, +15/−4 V drive. Published
    // measurements of SiC MOSFETs of this size show tens of V/ns; the estimate must
    // land within an order of magnitude of that.
    let sic = load_built_in("CREE_C3M0016120K").expect("loads").transistor;
    let drive = GateDrive {
        v_bus_v: 800.0,
        i_load_a: 50.0,
        r_g_on_ohm: 2.5,
        r_g_off_ohm: 2.5,
        v_drive_on_v: 15.0,
        v_drive_off_v: -4.0,
    };
    let estimate = switching_transition_estimate(&sic, &drive).expect("estimate");
    let v_per_ns = estimate.dv_dt_v_per_s * 1e-9;
    assert!(v_per_ns > 5.0, "{estimate:?}");
    assert!(v_per_ns < 200.0, "{estimate:?}");
    let json = serde_json::to_value(estimate).expect("serializes");
    assert!(json["dv_dt_v_per_s"].as_f64().is_some());
}
