//! A parameter sweep is split into one job per value and gathered: the inductor
//! ripple of the interleaved boost falls as 1/L.

mod common;

use std::time::Duration;

use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inductance_sweep_gathers_ripple_inversely_proportional_to_l() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[("PELAB_WORKERS", "2")]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "sweep", "domain": "EV"}))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    let mut design = common::boost_design("b");
    design.as_object_mut().expect("an object").remove("name");
    design["project_id"] = project["id"].clone();
    design["simulation"]["t_stop"] = json!(8e-3);

    // Out of range and unknown paths are refused before anything is queued.
    let r = http
        .post(format!("{base}/simulate/sweep"))
        .json(&json!({"base": design, "parameter": "parameters.l", "values": [400e-6, -1.0]}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.expect("the body is the expected JSON");
    assert_eq!(p["errors"][0]["field"], "values[1]", "{p}");
    let r = http
        .post(format!("{base}/simulate/sweep"))
        .json(&json!({"base": design, "parameter": "wiring.l", "values": [1.0]}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);

    let values = [300e-6, 600e-6, 1200e-6];
    let r = http
        .post(format!("{base}/simulate/sweep"))
        .json(&json!({"base": design, "parameter": "parameters.l", "values": values}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 202);
    let queued: Value = r.json().await.expect("the body is the expected JSON");
    let id = queued["sweep_id"].as_str().expect("a sweep id").to_string();
    assert_eq!(queued["run_ids"].as_array().expect("run ids").len(), 3);

    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let result = loop {
        let r: Value = http
            .get(format!("{base}/simulate/sweep/{id}"))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        if r["complete"] == true {
            break r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sweep not complete: {r}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(result["counts"]["done"], 3, "{result}");
    let rows = result["rows"].as_array().expect("rows");
    let ripple: Vec<f64> = rows
        .iter()
        .map(|r| {
            r["metrics"]["i_l_ripple_pp"]
                .as_f64()
                .expect("a ripple figure")
        })
        .collect();
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row["value"].as_f64(), Some(values[k]));
    }
    // ΔI = V_in·D/(L·f_sw): doubling L halves the ripple (within 10 %, the loop
    // settles the duty to the same value).
    for w in ripple.windows(2) {
        let ratio = w[0] / w[1];
        assert!((ratio - 2.0).abs() < 0.2, "ripple {ripple:?}");
    }
    server.shutdown().await;
}
