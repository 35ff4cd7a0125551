//! The LEA importer on malformed and damaged input: errors name the field and the
//! value, damaged curves become findings, and nothing is invented.

use pelab_components::curve::Curve;
use pelab_components::diagnostics::Severity;
use pelab_components::import::ImportError;
use pelab_components::import::lea::{LeaImport, parse_str};
use pelab_components::loss::{Edge, SwitchModel};
use pelab_components::semiconductor::{DeviceKind, fit_voltage_exponent};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Builds a small valid SiC part: two channel curves, Eon/Eoff, Coss, a gate-charge curve,
/// a Foster network and a body diode.
fn base() -> Value {
    json!({
        "name": "Test_SIC1", "type": "SiC-MOSFET", "manufacturer": "Test",
        "v_abs_max": 1200, "i_abs_max": 100, "i_cont": 50, "r_g_int": 2.0,
        "c_oss": [{"t_j": 25, "graph_v_c": [[0, 100, 400, 800], [1e-9, 2e-10, 1e-10, 8e-11]]}],
        "switch": {
            "t_j_max": 175,
            "thermal_foster": {"r_th_total": 0.4, "r_th_vector": [0.1, 0.3],
                               "tau_vector": [1e-3, 1e-2], "c_th_vector": null},
            "channel": [
                {"t_j": 25, "v_g": 15, "graph_v_i": [[0, 0.5, 1.0, 2.0], [0, 10, 20, 40]]},
                {"t_j": 175, "v_g": 15, "graph_v_i": [[0, 1.0, 2.0, 4.0], [0, 10, 20, 40]]}
            ],
            "e_on": [{"dataset_type": "graph_i_e", "v_supply": 800, "v_g": 15, "t_j": 25,
                      "r_g": 2.5, "graph_i_e": [[0, 20, 40], [1e-4, 4e-4, 9e-4]]}],
            "e_off": [{"dataset_type": "graph_i_e", "v_supply": 800, "v_g": -4, "t_j": 25,
                       "r_g": 2.5, "graph_i_e": [[0, 20, 40], [5e-5, 1e-4, 2e-4]]}],
            "charge_curve": [{"i_channel": 20, "v_supply": 800, "t_j": 25, "graph_q_v":
                [[0, 10e-9, 20e-9, 40e-9, 60e-9, 80e-9], [-4, 1, 6, 6.2, 10, 15]]}]
        },
        "diode": {
            "t_j_max": 175,
            "channel": [{"t_j": 25, "v_g": -4, "graph_v_i": [[0, 3, 4, 5], [0, 0, 20, 40]]}],
            "e_rr": []
        }
    })
}

fn import(value: &Value) -> LeaImport {
    parse_str(&value.to_string()).expect("imports")
}

fn has_finding(import: &LeaImport, curve: &str, text: &str) -> bool {
    import
        .findings
        .iter()
        .any(|f| f.curve.contains(curve) && f.message.contains(text))
}

#[test]
fn base_part_models_every_curve() {
    let part = import(&base());
    let t = &part.transistor;
    assert_eq!(t.kind, DeviceKind::SicMosfet);
    // Channel at 25 °C is a straight line of 50 mΩ: Rds_on at 0 A is the slope.
    assert!((t.rds_on(0.0, 25.0).expect("R").value - 0.05).abs() < 1e-12);
    assert!((t.rds_on(30.0, 25.0).expect("R").value - 0.05).abs() < 1e-12);
    // Halfway in temperature: 75 mΩ.
    assert!((t.rds_on(30.0, 100.0).expect("R").value - 0.075).abs() < 1e-12);
    // Body diode knee at 3 V, then 20 A per volt.
    assert!((t.reverse_voltage(20.0, 25.0, false).expect("diode").value - 4.0).abs() < 1e-9);
    // Coss: Qoss from 0 to 800 V equals the exact integral of the interpolant.
    let coss = t.coss.as_ref().expect("Coss");
    let q = coss.charge(800.0).value;
    assert!((q - coss.coss.integral_to(800.0)).abs() < 1e-24);
    assert!(q > 8e-11 * 800.0);
    assert!(q < 1e-9 * 800.0);
    // Eoss: E ≤ Q·V because the charge is delivered at voltages up to V.
    let e = coss.energy(800.0).value;
    assert!(e > 0.0);
    assert!(e < q * 800.0);
    assert_eq!(t.thermal.foster_pairs(), vec![(0.1, 1e-3), (0.3, 1e-2)]);
    assert!(t.gate_charge[0].miller_plateau().is_some());
    assert_eq!(t.recovery_energy(20.0, 800.0, 25.0), None, "e_rr is a gap");
    assert!(has_finding(&part, "diode.e_rr", "gap"));
}

#[test]
fn eoss_of_constant_capacitance_is_half_cv_squared() {
    let mut value = base();
    value["c_oss"][0]["graph_v_c"] = json!([[0, 400, 800], [1e-10, 1e-10, 1e-10]]);
    let part = import(&value);
    let coss = part.transistor.coss.expect("Coss");
    // Closed form for constant C: Q = C·V and E = C·V²/2.
    assert!((coss.charge(600.0).value - 6e-8).abs() < 1e-20);
    assert!((coss.energy(600.0).value - 1.8e-5).abs() < 1e-17);
    // Above the table the constant end value continues, flagged as clamped.
    let above = coss.energy(1000.0);
    assert!(above.clamp.is_clamped());
    assert!((above.value - 5e-5).abs() < 1e-16);
}

#[test]
fn eoss_of_linear_capacitance_is_exact() {
    let mut value = base();
    // C(v) = 1e-10 + 1e-13·v on 0..1000 V. Closed form: E(V) = 1e-10·V²/2 + 1e-13·V³/3.
    value["c_oss"][0]["graph_v_c"] =
        json!([[0, 250, 500, 1000], [1e-10, 1.25e-10, 1.5e-10, 2e-10]]);
    let coss = import(&value).transistor.coss.expect("Coss");
    let v: f64 = 700.0;
    let expected = 1e-10 * v * v / 2.0 + 1e-13 * v.powi(3) / 3.0;
    // The monotone cubic reproduces a straight line exactly, and 3-point Gauss
    // quadrature integrates v·C(v) exactly, so only rounding remains.
    assert!(((coss.energy(v).value - expected) / expected).abs() < 1e-12);
}

#[test]
fn not_json_is_an_error_with_position() {
    let error = parse_str("{\"name\": ").expect_err("not JSON");
    assert!(
        matches!(error, ImportError::NotJson { line: 1, .. }),
        "{error}"
    );
}

#[test]
fn wrong_type_names_path_and_value() {
    let mut value = base();
    value["switch"]["e_on"][0]["graph_i_e"][1][2] = json!("big");
    let error = parse_str(&value.to_string()).expect_err("wrong type");
    let message = error.to_string();
    assert_eq!(
        message,
        "invalid switch.e_on[0].graph_i_e[1][2]: expected a number, found string \"big\""
    );
    let mut value = base();
    value["v_abs_max"] = json!(-5);
    let message = parse_str(&value.to_string())
        .expect_err("negative")
        .to_string();
    assert!(message.contains("v_abs_max = -5"), "{message}");
    let mut value = base();
    value["type"] = json!("Thyristor");
    let message = parse_str(&value.to_string()).expect_err("type").to_string();
    assert!(
        message.contains("Thyristor") && message.contains("IGBT"),
        "{message}"
    );
}

#[test]
fn huge_array_is_rejected() {
    let mut value = base();
    let x: Vec<f64> = (0..1_000_001).map(f64::from).collect();
    value["switch"]["channel"][0]["graph_v_i"] = json!([x.clone(), x]);
    let error = parse_str(&value.to_string()).expect_err("too large");
    assert!(
        matches!(&error, ImportError::TooLarge { path, len: 1_000_001, .. }
            if path == "switch.channel[0].graph_v_i[0]"),
        "{error}"
    );
}

#[test]
fn nan_points_are_dropped_with_error() {
    let text = base().to_string().replace(
        "[[0,20,40],[0.0001,0.0004,0.0009]]",
        "[[0,20,40],[0.0001,NaN,0.0009]]",
    );
    assert!(
        text.contains("NaN"),
        "the replacement must hit the Eon table"
    );
    let part = parse_str(&text).expect("imports");
    let finding = part
        .findings
        .iter()
        .find(|f| f.curve == "switch.e_on[0].graph_i_e" && f.severity == Severity::Error)
        .expect("error finding");
    assert_eq!(finding.point, Some(1));
    // The curve keeps its two finite points.
    let e = part
        .transistor
        .switching_energy(Edge::TurnOn, 20.0, 800.0, 25.0)
        .expect("Eon");
    assert!((e.value - 5e-4).abs() < 1e-12);
}

#[test]
fn unsorted_and_repeated_points_are_repaired() {
    let mut value = base();
    value["switch"]["e_off"][0]["graph_i_e"] = json!([[40, 0, 20, 20], [2e-4, 5e-5, 1e-4, 3e-4]]);
    let part = import(&value);
    assert!(has_finding(&part, "switch.e_off[0]", "sorted"));
    assert!(has_finding(&part, "switch.e_off[0]", "repeats"));
    let e = part
        .transistor
        .switching_energy(Edge::TurnOff, 20.0, 800.0, 25.0)
        .expect("Eoff");
    assert!(
        (e.value - 1e-4).abs() < 1e-15,
        "the first of the repeated points is kept"
    );
}

#[test]
fn pairs_and_string_tables_are_read() {
    let mut value = base();
    value["switch"]["e_on"][0]["graph_i_e"] = json!([[0, 1e-4], [20, 4e-4], [40, 9e-4]]);
    value["switch"]["e_off"][0]["graph_i_e"] = json!("[[0, 20, 40], [5e-5, 1e-4, 2e-4]]");
    let part = import(&value);
    let t = &part.transistor;
    assert!(
        (t.switching_energy(Edge::TurnOn, 20.0, 800.0, 25.0)
            .expect("Eon")
            .value
            - 4e-4)
            .abs()
            < 1e-15
    );
    assert!(
        (t.switching_energy(Edge::TurnOff, 40.0, 800.0, 25.0)
            .expect("Eoff")
            .value
            - 2e-4)
            .abs()
            < 1e-15
    );
    assert!(has_finding(&part, "switch.e_off[0]", "JSON string"));
}

#[test]
fn missing_curves_are_gaps_not_data() {
    let mut value = base();
    let switch = value["switch"].as_object_mut().expect("object");
    switch.remove("e_on");
    switch.remove("charge_curve");
    value.as_object_mut().expect("object").remove("c_oss");
    let part = import(&value);
    let t = &part.transistor;
    assert_eq!(t.switching_energy(Edge::TurnOn, 20.0, 800.0, 25.0), None);
    assert_eq!(t.coss_energy(400.0), None);
    assert!(t.gate_charge.is_empty());
    for curve in ["switch.e_on", "c_oss", "switch.charge_curve"] {
        assert!(has_finding(&part, curve, "gap"), "{curve}");
    }
}

#[test]
fn short_curve_is_left_out() {
    let mut value = base();
    value["switch"]["channel"][1]["graph_v_i"] = json!([[1.0], [10.0]]);
    let part = import(&value);
    assert!(has_finding(&part, "switch.channel[1]", "at least 2"));
    assert!(has_finding(
        &part,
        "switch.channel",
        "no usable curve at Tj = 175"
    ));
    // Only the 25 °C curve remains: 175 °C clamps to it and flags the lookup.
    let hot = part.transistor.forward_voltage(20.0, 175.0).expect("V");
    assert!(hot.parameter_clamp.is_clamped());
}

#[test]
fn implausible_magnitudes_are_flagged() {
    let mut value = base();
    // Energies in mJ written as J: 0.9 J at 40 A and 800 V is far above V·I·1 µs.
    value["switch"]["e_on"][0]["graph_i_e"] = json!([[0, 20, 40], [0.1, 0.4, 0.9]]);
    // A channel of 100 Ω.
    value["switch"]["channel"][0]["graph_v_i"] = json!([[0, 1000, 2000], [0, 10, 20]]);
    let part = import(&value);
    assert!(has_finding(&part, "switch.e_on[0]", "V·I·1 µs"));
    assert!(has_finding(&part, "switch.channel[0]", "check the units"));
}

#[test]
fn foster_problems_are_findings() {
    let mut value = base();
    value["switch"]["thermal_foster"]["tau_vector"] = json!([1e-3]);
    let part = import(&value);
    assert!(has_finding(
        &part,
        "switch.thermal_foster",
        "Foster vectors left out"
    ));
    assert!(part.transistor.thermal.foster_r_k_per_w.is_empty());
    assert_eq!(part.transistor.thermal.r_th_jc_k_per_w, Some(0.4));

    let mut value = base();
    value["switch"]["thermal_foster"]["r_th_vector"] = json!([0.1, 0.5]);
    let part = import(&value);
    assert!(has_finding(&part, "switch.thermal_foster", "more than 5 %"));
}

#[test]
fn swapped_gate_charge_rows_are_swapped_back() {
    let mut value = base();
    value["switch"]["charge_curve"][0]["graph_q_v"] = json!([
        [-4, 1, 6, 6.2, 10, 15],
        [0, 10e-9, 20e-9, 40e-9, 60e-9, 80e-9]
    ]);
    let part = import(&value);
    assert!(has_finding(&part, "charge_curve[0]", "swapped"));
    assert!((part.transistor.gate_charge[0].q_total_c() - 80e-9).abs() < 1e-20);
}

#[test]
fn third_quadrant_curve_is_mirrored() {
    let mut value = base();
    value["diode"]["channel"][0]["graph_v_i"] = json!([[0, -3, -4, -5], [0, 0, -20, -40]]);
    let part = import(&value);
    assert!(has_finding(&part, "diode.channel[0]", "mirrored"));
    assert!(
        (part
            .transistor
            .reverse_voltage(20.0, 25.0, false)
            .expect("V")
            .value
            - 4.0)
            .abs()
            < 1e-9
    );
}

#[test]
fn gate_on_reverse_shares_current_with_diode() {
    let part = import(&base());
    let t = &part.transistor;
    // Channel 50 mΩ, diode knee 3 V then 50 mΩ. At 40 A the channel alone would
    // drop 2 V, below the knee: the diode carries nothing.
    let v = t.reverse_voltage(40.0, 25.0, true).expect("V").value;
    assert!((v - 2.0).abs() < 1e-9);
    // At 100 A (beyond the table, clamped) the channel curve ends at 2 V and the
    // clamped result is flagged.
    assert!(
        t.reverse_voltage(100.0, 25.0, true)
            .expect("V")
            .clamp
            .is_clamped()
    );
}

#[test]
fn gan_third_quadrant_threshold_model() {
    let mut value = base();
    value["type"] = json!("GaN-Transistor");
    value["diode"]["channel"] = json!([]);
    value["switch"]["e_off"][0]["v_g_off"] = json!(-3);
    let part = import(&value);
    assert_eq!(
        part.transistor.reverse_voltage(20.0, 25.0, false),
        None,
        "no V_th yet"
    );
    let mut gan = part.transistor;
    gan.gate_threshold_v = Some(1.5);
    // V = (V_th − V_gs,off) + V_ch = (1.5 + 3) + 20 A · 50 mΩ = 5.5 V.
    let v = gan.reverse_voltage(20.0, 25.0, false).expect("V").value;
    assert!((v - 5.5).abs() < 1e-9);
    assert_eq!(
        gan.recovery_energy(20.0, 400.0, 25.0).expect("Err").value,
        0.0
    );
    let doubled = gan.with_dynamic_rds_on_factor(2.0).expect("valid factor");
    assert!((doubled.rds_on(20.0, 25.0).expect("R").value - 0.1).abs() < 1e-12);
}

#[test]
fn voltage_exponent_fit_recovers_power_law() {
    // E = 1e-5 J/A · I at 400 V and E · 2^1.5 at 800 V: k = 1.5 exactly.
    let low = Curve::new(vec![1.0, 10.0, 50.0], vec![1e-5, 1e-4, 5e-4]).expect("curve");
    let high = low.scaled(2f64.powf(1.5));
    let k = fit_voltage_exponent(&low, 400.0, &high, 800.0).expect("overlapping curves");
    assert!((k - 1.5).abs() < 1e-12, "{k}");
    assert_eq!(fit_voltage_exponent(&low, 400.0, &high, 400.0), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any positive, falling Coss table, the stored energy grows with voltage and
    /// stays below `Qoss · V`, since each charge increment enters at a voltage ≤ V.
    #[test]
    fn eoss_bounded_by_qoss_times_v(
        c0 in 1e-10f64..1e-8,
        ratios in prop::collection::vec(0.3f64..1.0, 3..8),
        v_test in 1.0f64..900.0,
    ) {
        let mut c = vec![c0];
        for r in &ratios {
            let last = *c.last().expect("non-empty");
            c.push(last * r);
        }
        let n = c.len();
        let v: Vec<f64> = (0..n).map(|k| 1000.0 * k as f64 / (n - 1) as f64).collect();
        let mut value = base();
        value["c_oss"][0]["graph_v_c"] = json!([v, c]);
        let coss = import(&value).transistor.coss.expect("Coss");
        let q = coss.charge(v_test).value;
        let e = coss.energy(v_test).value;
        prop_assert!(e > 0.0);
        prop_assert!(e <= q * v_test * (1.0 + 1e-12));
        prop_assert!(coss.energy(v_test * 1.01).value >= e);
    }
}
