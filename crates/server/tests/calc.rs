//! The design calculators over HTTP: the documented examples answer with the
//! documented figures, and bad input names its field.

mod common;

use serde_json::{Value, json};

async fn post(http: &reqwest::Client, base: &str, path: &str, body: Value) -> (u16, Value) {
    let r = http
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.json().await.expect("a JSON body"))
}

fn close(value: &Value, expected: f64, rel: f64) -> bool {
    value
        .as_f64()
        .is_some_and(|v| (v - expected).abs() <= rel * expected.abs())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calculators_answer_and_reject_bad_input() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = common::start(data.path(), None, &[]).await;
    let base = common::base(&server);
    let http =
        common::client_with(&common::member_token(&server, None, pelab_store::Role::Viewer).await);

    // Two interleaved boost phases at D = 0.375 (docs/calculators.md).
    let (status, r) = post(
        &http,
        &base,
        "/calc/ripple",
        json!({"topology": "boost", "v_in": 250, "v_out": 400, "f_sw": 65000,
               "l": 0.0004, "phases": 2, "i_out": 9}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert!(close(&r["duty"], 0.375, 1e-9), "{r}");
    assert!(close(&r["delta_i_l_pp"], 3.6058, 1e-4), "{r}");
    assert!(close(&r["cancellation"], 0.4, 1e-9), "{r}");
    assert_eq!(r["mode"], "ccm");

    let (status, r) = post(
        &http,
        &base,
        "/calc/llc-tank",
        json!({"l_r": 1e-4, "c_r": 1e-7, "l_m": 5e-4, "n": 1, "loads": [2, 10],
               "f_min": 10000, "f_max": 200000, "points": 400}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert!(close(&r["f_r"], 50_329.2, 1e-5), "{r}");
    assert_eq!(r["loads"][1]["curve"].as_array().map(Vec::len), Some(400));

    let (status, r) = post(
        &http,
        &base,
        "/calc/lcl",
        json!({"p_rated": 10000, "v_ll": 400, "f_grid": 50, "f_sw": 10000, "v_dc": 700}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert!(close(&r["f_res"], 1635.0, 1e-3), "{r}");
    assert!(
        r["checks"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["ok"] == true)),
        "{r}"
    );

    let (status, r) = post(
        &http,
        &base,
        "/calc/pv-curve",
        json!({"module": "Canadian Solar Inc. CS6K-275M", "irradiance": 800,
               "t_cell": 45, "points": 200, "series": 10}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert!(close(&r["mpp"]["p"], 2018.757, 1e-5), "{r}");

    let modules: Value = http
        .get(format!("{base}/pv/modules?q=cs6k%20275m&limit=5"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    let names: Vec<&str> = modules
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Canadian Solar Inc. CS6K-275M"),
        "{names:?}"
    );

    let (status, r) = post(
        &http,
        &base,
        "/calc/foc-tuning",
        json!({"r_s": 0.2, "l_d": 0.001, "l_q": 0.001, "psi": 0.05, "pole_pairs": 4,
               "j": 0.0002, "current_bandwidth": 500, "speed_bandwidth": 20,
               "f_sample": 20000, "i_max": 20, "v_dc": 300, "i_q_step": 10,
               "speed_step": 1000}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    // An SPM below base speed: T = 1.5·p·ψ·i_max = 6 N·m.
    assert!(close(&r["torque_max"], 6.0, 1e-9), "{r}");
    // kp = ω_c·L = 2π·500 Hz·1 mH = π V/A.
    assert!(
        close(&r["gains"]["kp_q"], std::f64::consts::PI, 1e-9),
        "{r}"
    );

    // Bad input names the field.
    for (path, body, field) in [
        (
            "/calc/ripple",
            json!({"topology": "boost", "v_in": 250, "v_out": 400, "f_sw": 65000, "l": -3}),
            "l",
        ),
        (
            "/calc/pv-curve",
            json!({"module": "No Such Module", "irradiance": 800, "t_cell": 45}),
            "module",
        ),
        (
            "/calc/lcl",
            json!({"p_rated": 10000, "v_ll": 400, "f_grid": 50, "f_sw": 10000, "v_dc": 700,
                   "ripple": 0.9}),
            "ripple",
        ),
    ] {
        let (status, r) = post(&http, &base, path, body).await;
        assert_eq!(status, 422, "{path}: {r}");
        assert_eq!(r["errors"][0]["field"], field, "{path}: {r}");
    }
    let bad_limit = http
        .get(format!("{base}/pv/modules?limit=0"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(bad_limit.status(), 422);
    server.shutdown().await;
}
