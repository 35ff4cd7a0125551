//! The thermal calculator: the example request, the JSON shape and the errors.

use pelab_components::thermal::{
    Coupling, Foster, MAX_POINTS, PowerRequest, Realisation, ThermalError, ThermalRequest,
    calc_thermal,
};
use serde_json::json;

const EXAMPLE: &str = include_str!("../../../examples/calc/thermal.json");

fn request(value: serde_json::Value) -> ThermalRequest {
    serde_json::from_value(value).expect("request parses")
}

fn base() -> serde_json::Value {
    json!({
        "sources": [
            {
                "name": "T1",
                "foster": { "r_k_per_w": [0.02, 0.08, 0.15, 0.05], "tau_s": [1e-4, 1e-3, 1e-2, 0.1] },
                "r_case_heatsink_k_per_w": 0.03,
                "power_w": 100.0
            },
            {
                "foster": { "r_k_per_w": [0.04, 0.12], "c_j_per_k": [0.0025, 0.0083] },
                "power_w": 50
            }
        ],
        "heatsink": { "r_k_per_w": 0.05, "c_j_per_k": 200.0 },
        "t_ambient_c": 40.0
    })
}

fn error_of(value: serde_json::Value) -> ThermalError {
    calc_thermal(&request(value)).expect_err("request is rejected")
}

#[test]
fn the_example_runs() {
    let req: ThermalRequest = serde_json::from_str(EXAMPLE).unwrap();
    let res = calc_thermal(&req).unwrap();
    assert_eq!(res.names, ["T1", "D2"]);
    assert_eq!(res.realisation, Realisation::CauerNetwork);
    assert_eq!(res.time_s.len(), 21);
    // Periodic: the period ends where it starts.
    for tj in &res.tj_c {
        assert_eq!(tj.len(), 21);
        assert!((tj[0] - tj[20]).abs() < 1e-9);
    }
    // The IGBT runs in the first half period, the diode in the second.
    let t1 = &res.tj_c[0];
    let peak = t1.iter().cloned().fold(f64::MIN, f64::max);
    assert!(t1[10] > t1[0] && (res.tj_max_c[0] - peak).abs() < 1e-12);
    // Mean IGBT loss 47.7 W, diode 19.1 W; steady state by hand:
    // Tj = 40 + P (R_jc + R_cs) + R_ha (P_T1 + P_D2).
    let p_t1: f64 = req_mean(&req, 0);
    let p_d2: f64 = req_mean(&req, 1);
    let expected_t1 = 40.0 + p_t1 * (0.30 + 0.03) + 0.08 * (p_t1 + p_d2);
    assert!((res.steady_state_tj_c[0] - expected_t1).abs() < 1e-9);
    let hs = res.t_heatsink_c.as_ref().unwrap();
    assert!((res.steady_state_t_heatsink_c.unwrap() - (40.0 + 0.08 * (p_t1 + p_d2))).abs() < 1e-9);
    // The heatsink barely moves within 20 ms.
    let hs_ripple =
        hs.iter().cloned().fold(f64::MIN, f64::max) - hs.iter().cloned().fold(f64::MAX, f64::min);
    assert!(hs_ripple < 0.05, "{hs_ripple}");
    // The Cauer equivalents of both devices and of the heatsink are reported.
    let fields: Vec<&str> = res.equivalents.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["sources[0].foster", "sources[1].foster", "heatsink.foster"]
    );
    assert!(
        res.equivalents
            .iter()
            .all(|e| e.cauer.is_some() && e.max_relative_error < 1e-10)
    );
    assert!(res.warnings.is_empty(), "{:?}", res.warnings);
    // The response is JSON and reads back (serde_json's default float parsing may
    // differ in the last bit).
    let text = serde_json::to_string(&res).unwrap();
    let back: pelab_components::thermal::ThermalResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(back.names, res.names);
    assert_eq!(back.realisation, res.realisation);
    for (a, b) in back.tj_c.iter().flatten().zip(res.tj_c.iter().flatten()) {
        assert!((a - b).abs() <= 1e-14 * b.abs());
    }
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["realisation"], json!("cauer_network"));
    assert!(
        value["tj_c"][1].is_array() && value["equivalents"][0]["cauer"]["c_j_per_k"].is_array()
    );
}

fn req_mean(req: &ThermalRequest, k: usize) -> f64 {
    match &req.sources[k].power_w {
        PowerRequest::Profile(p) => p.iter().sum::<f64>() / p.len() as f64,
        PowerRequest::Constant(p) => *p,
    }
}

#[test]
fn constant_power_gives_a_step_response_on_a_log_grid() {
    let res = calc_thermal(&request(base())).unwrap();
    assert_eq!(res.time_s[0], 0.0);
    assert!(res.time_s.windows(2).all(|w| w[1] > w[0]));
    // From ambient, rising monotonically to the steady state.
    let tj = &res.tj_c[0];
    assert_eq!(res.realisation, Realisation::CauerNetwork);
    assert!((tj[0] - 40.0).abs() < 1e-12);
    assert!(tj.windows(2).all(|w| w[1] >= w[0] - 1e-12));
    let last = tj[tj.len() - 1];
    assert!((last - res.steady_state_tj_c[0]).abs() < 1e-3 * (res.steady_state_tj_c[0] - 40.0));
    assert!((res.steady_state_tj_c[0] - (40.0 + 100.0 * 0.33 + 0.05 * 150.0)).abs() < 1e-9);
}

#[test]
fn constant_power_on_given_times_is_p_zth() {
    let mut v = base();
    v["heatsink"] = serde_json::Value::Null;
    v["sources"][0]["r_case_heatsink_k_per_w"] = json!(0.0);
    v["output"] = json!({ "time_s": [0.0, 1e-4, 1e-3, 1e-2, 0.1, 1.0] });
    let res = calc_thermal(&request(v)).unwrap();
    let f = Foster::from_r_tau(&[0.02, 0.08, 0.15, 0.05], &[1e-4, 1e-3, 1e-2, 0.1]).unwrap();
    for (t, tj) in res.time_s.iter().zip(&res.tj_c[0]) {
        assert!((tj - 40.0 - 100.0 * f.zth(*t)).abs() < 1e-10);
    }
    assert_eq!(res.realisation, Realisation::FosterSeries { exact: true });
    assert!(res.t_heatsink_c.is_none());
}

#[test]
fn foster_series_is_reported_with_a_warning() {
    let mut v = base();
    v["coupling"] = json!("foster_series");
    let req = request(v);
    assert_eq!(req.coupling, Coupling::FosterSeries);
    let res = calc_thermal(&req).unwrap();
    assert_eq!(res.realisation, Realisation::FosterSeries { exact: false });
    assert!(res.warnings.iter().any(|w| w.field == "coupling"));
    assert!(res.equivalents.is_empty());
}

#[test]
fn a_cauer_source_without_heatsink_reports_its_foster_equivalent() {
    let res = calc_thermal(&request(json!({
        "sources": [{ "cauer": { "r_k_per_w": [0.01, 0.03, 0.08], "c_j_per_k": [0.02, 0.1, 0.8] }, "power_w": 10 }],
        "t_ambient_c": 25
    })))
    .unwrap();
    assert_eq!(res.equivalents.len(), 1);
    assert_eq!(res.equivalents[0].field, "sources[0].cauer");
    let f = res.equivalents[0].foster.as_ref().unwrap();
    assert!((f.r_k_per_w.iter().sum::<f64>() - 0.12).abs() < 1e-13);
}

#[test]
fn profile_with_output_times_inside_intervals() {
    let mut v = base();
    v["time_s"] = json!([0.0, 0.01, 0.02]);
    v["sources"][0]["power_w"] = json!([100.0, 0.0]);
    v["output"] = json!({ "time_s": [0.0, 0.005, 0.01, 0.015, 0.02] });
    let res = calc_thermal(&request(v)).unwrap();
    assert_eq!(res.time_s, [0.0, 0.005, 0.01, 0.015, 0.02]);
    let tj = &res.tj_c[0];
    assert!(tj[2] > tj[1] && tj[3] < tj[2]);
    // The profile is shorter than the heatsink's time constant: a warning says so.
    assert!(res.warnings.iter().any(|w| w.field == "time_s"));
}

#[test]
fn errors_name_the_field_the_value_and_the_range() {
    let mut v = base();
    v["sources"][1]["foster"] =
        json!({ "r_k_per_w": [0.1, 0.2, 0.3], "tau_s": [1e-3, 1e-2, -5.0] });
    let err = error_of(v);
    assert_eq!(err.field(), "sources[1].foster.tau_s[2]");
    let text = err.to_string();
    assert!(
        text.contains("sources[1].foster.tau_s[2] = -5") && text.contains("finite and > 0 s"),
        "{text}"
    );

    let mut v = base();
    v["sources"][0]["cauer"] = json!({ "r_k_per_w": [0.1], "c_j_per_k": [1.0] });
    assert_eq!(error_of(v).field(), "sources[0]");

    let mut v = base();
    v["sources"][0]["foster"]["c_j_per_k"] = json!([1.0, 1.0, 1.0, 1.0]);
    assert_eq!(error_of(v).field(), "sources[0].foster");

    let mut v = base();
    v["sources"][0]["power_w"] = json!([1.0, 2.0]);
    assert_eq!(error_of(v).field(), "sources[0].power_w");

    let mut v = base();
    v["time_s"] = json!([0.0, 1.0, 2.0]);
    v["sources"][0]["power_w"] = json!([1.0, 2.0, 3.0]);
    let err = error_of(v);
    assert_eq!(err.field(), "sources[0].power_w");
    assert!(matches!(err, ThermalError::Length { len: 3, .. }));

    let mut v = base();
    v["time_s"] = json!([0.0, 1.0, 2.0]);
    v["sources"][1]["power_w"] = json!([1.0, -2.0]);
    assert_eq!(error_of(v).field(), "sources[1].power_w[1]");

    let mut v = base();
    v["time_s"] = json!([0.0, 1.0, 0.5]);
    assert_eq!(error_of(v).field(), "time_s[2]");

    let mut v = base();
    v["time_s"] = json!([0.0, 1.0]);
    v["output"] = json!({ "time_s": [0.0, 0.5, 1.5] });
    let err = error_of(v);
    assert_eq!(err.field(), "output.time_s[2]");
    assert!(err.to_string().contains("0 s to 1 s"), "{err}");

    let mut v = base();
    v["output"] = json!({ "periodic": true });
    assert_eq!(error_of(v).field(), "output.periodic");

    let mut v = base();
    v["heatsink"] = json!({ "c_j_per_k": 10.0 });
    assert_eq!(error_of(v).field(), "heatsink.c_j_per_k");

    let mut v = base();
    v["heatsink"] = json!({ "r_k_per_w": 0.1, "foster": { "r_k_per_w": [0.1], "tau_s": [1.0] } });
    assert_eq!(error_of(v).field(), "heatsink");

    let mut v = base();
    v["heatsink"] = json!({ "cauer": { "r_k_per_w": [0.1, 0.2], "c_j_per_k": [1.0, 0.0] } });
    assert_eq!(error_of(v).field(), "heatsink.cauer.c_j_per_k[1]");

    let mut v = base();
    v["t_ambient_c"] = json!(-300.0);
    assert_eq!(error_of(v).field(), "t_ambient_c");

    let mut v = base();
    v["sources"][0]["r_case_heatsink_k_per_w"] = json!(-0.01);
    assert_eq!(error_of(v).field(), "sources[0].r_case_heatsink_k_per_w");

    let mut v = base();
    v["sources"] = json!([]);
    assert_eq!(error_of(v).field(), "sources");
}

#[test]
fn unknown_fields_are_rejected_when_parsing() {
    let mut v = base();
    v["sources"][0]["r_th_vector"] = json!([0.1]);
    assert!(serde_json::from_value::<ThermalRequest>(v).is_err());
    let mut v = base();
    v["ambient"] = json!(25.0);
    assert!(serde_json::from_value::<ThermalRequest>(v).is_err());
}

#[test]
fn arrays_over_ten_million_points_are_rejected() {
    let mut req = request(base());
    req.time_s = Some((0..=MAX_POINTS).map(|i| i as f64).collect());
    let err = calc_thermal(&req).unwrap_err();
    assert_eq!(err.field(), "time_s");
    assert!(matches!(err, ThermalError::Length { len, .. } if len == MAX_POINTS + 1));

    let mut req = request(base());
    req.output.time_s = Some((0..=MAX_POINTS).map(|i| i as f64).collect());
    assert_eq!(calc_thermal(&req).unwrap_err().field(), "output.time_s");
}
