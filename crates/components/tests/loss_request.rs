//! The JSON interface of the loss calculators.

use pelab_components::loss::{LossRequest, SwitchModel, calc_losses};

fn no_library(name: &str) -> Result<Box<dyn SwitchModel>, String> {
    Err(format!("no part named \"{name}\" in this test"))
}

const LINEAR: &str = r#"{ "linear": {
    "name": "module", "v0_v": 0.8, "r_ohm": 0.004, "diode_v0_v": 0.9, "diode_r_ohm": 0.003,
    "e_on_j": 0.02, "e_off_j": 0.03, "e_rr_j": 0.01, "i_ref_a": 300, "v_ref_v": 600 } }"#;

fn request(body: &str) -> Result<LossRequest, serde_json::Error> {
    serde_json::from_str(&format!(r#"{{ "devices": {{ "T": {LINEAR} }}, {body} }}"#))
}

#[test]
fn inverter_request_returns_six_positions() {
    let request = request(
        r#""inverter_3ph": { "device": "T", "v_dc_v": 700, "i_peak_a": 250, "m": 0.9,
            "phi_deg": 30, "f_sw_hz": 8000, "tj_c": 125, "modulation": "spwm" }"#,
    )
    .unwrap();
    let response = calc_losses(&request, &no_library).unwrap();
    let inverter = response.inverter_3ph.unwrap();
    assert!((inverter.total_w - 6.0 * inverter.position.total_w).abs() < 1e-9);
    assert!((response.total_w - inverter.total_w).abs() < 1e-9);
    assert!(response.warnings.is_empty(), "{:?}", response.warnings);
    let json = serde_json::to_value(&inverter).unwrap();
    assert!(json["position"]["conduction_forward_w"].as_f64().unwrap() > 0.0);
}

#[test]
fn unknown_fields_are_rejected() {
    let error = request(
        r#""inverter_3ph": { "device": "T", "v_dc_v": 700, "i_peak_a": 250, "m": 0.9,
            "phi_deg": 30, "f_sw_hz": 8000, "tj_c": 125, "modulation": "spwm", "vdc": 1 }"#,
    )
    .unwrap_err();
    assert!(error.to_string().contains("unknown field `vdc`"), "{error}");
}

#[test]
fn errors_name_the_field_path() {
    let request = request(
        r#""boost": { "switch": "T", "rectifier": "T", "v_in_v": 400, "v_out_v": 300,
            "i_in_a": 10, "inductance_h": 1e-4, "f_sw_hz": 5e4, "tj_switch_c": 25,
            "tj_rectifier_c": 25 }"#,
    )
    .unwrap();
    let error = calc_losses(&request, &no_library).unwrap_err();
    assert_eq!(
        error.to_string(),
        "boost.v_out_v: v_out_v must be greater than v_in_v, got 300"
    );

    let request = request_with_device(r#"{ "part": "XYZ" }"#);
    let error = calc_losses(&request, &no_library).unwrap_err();
    assert_eq!(
        error.to_string(),
        "devices.T.part: no part named \"XYZ\" in this test"
    );
}

fn request_with_device(device: &str) -> LossRequest {
    serde_json::from_str(&format!(
        r#"{{ "devices": {{ "T": {device} }}, "waveforms": [] , "boost": null }}"#
    ))
    .expect("the test request is valid JSON")
}

#[test]
fn waveform_request_reports_per_position() {
    let request = request(
        r#""waveforms": [{ "position": "S1", "device": "T",
            "t_s": [0, 1e-5, 1e-5, 2e-5, 2e-5, 3e-5],
            "current_a": [0, 0, 100, 100, 0, 0],
            "voltage_v": [600, 600, 1, 1, 600, 600],
            "gate": [0, 0, 1, 1, 0, 0], "tj_c": 125 }]"#,
    )
    .unwrap();
    let response = calc_losses(&request, &no_library).unwrap();
    let s1 = &response.waveforms[0];
    assert_eq!(s1.events.hard_turn_on, 1);
    assert_eq!(s1.events.hard_turn_off, 1);
    // Eon at 100 A, 600 V: 20 mJ / 3 = 6.667 mJ, over the 30 µs window.
    assert!((s1.turn_on_w - 0.02 / 3.0 / 3e-5).abs() < 1e-9);
}

#[test]
fn empty_request_is_rejected() {
    let request: LossRequest = serde_json::from_str(r#"{ "devices": {} }"#).unwrap();
    let error = calc_losses(&request, &no_library).unwrap_err();
    assert_eq!(
        error.to_string(),
        "nothing to compute: give inverter_3ph, boost, waveforms, inductors or capacitors"
    );
}

#[test]
fn passives_add_to_the_total() {
    let request: LossRequest = serde_json::from_str(
        r#"{ "devices": {},
             "capacitors": { "C_dc": { "capacitance_f": 1e-4, "esr_ohm": 0.01,
                 "frequency_hz": 1000, "current_a": [0, 10, 0, -10] } },
             "inductors": { "L1": { "inductance_h": 1e-4, "dcr_ohm": 0.01,
                 "winding_temperature_c": 20, "frequency_hz": 1000,
                 "current_a": [10, 10, 10, 10] } } }"#,
    )
    .unwrap();
    let response = calc_losses(&request, &no_library).unwrap();
    // Capacitor: rms of [0, 10, 0, −10] is √50 A, so 50 A² · 10 mΩ = 0.5 W.
    let capacitor = response.capacitors["C_dc"].loss_w;
    assert!((capacitor - 0.5).abs() < 1e-9, "{capacitor}");
    // Inductor: 10 A DC through 10 mΩ at its reference temperature, 1 W.
    let inductor = response.inductors["L1"].total_w;
    assert!((inductor - 1.0).abs() < 1e-9, "{inductor}");
    assert!((response.total_w - capacitor - inductor).abs() < 1e-12);
}

/// The inline linear model has no ratings; a library part would. A request with a
/// model that has ratings is covered by the design tests; here the absence of
/// ratings must not produce warnings.
#[test]
fn linear_device_has_no_rating_warnings() {
    let request = request(
        r#""inverter_3ph": { "device": "T", "v_dc_v": 5000, "i_peak_a": 250, "m": 0.9,
            "phi_deg": 30, "f_sw_hz": 8000, "tj_c": 240, "modulation": "spwm" }"#,
    )
    .unwrap();
    let response = calc_losses(&request, &no_library).unwrap();
    assert!(response.warnings.is_empty(), "{:?}", response.warnings);
}
