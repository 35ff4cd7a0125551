//! The built-in parts and their datasheet curves.

mod common;

use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_detail_has_datasheet_curves() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = common::start(data.path(), None, &[]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let list: Value = http
        .get(format!("{base}/parts"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    let names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(names.contains(&"CREE_C3M0016120K"), "{names:?}");

    // Case does not matter, as in design files.
    let part: Value = http
        .get(format!("{base}/parts/cree_c3m0016120k"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(part["summary"]["name"], "CREE_C3M0016120K", "{part}");
    assert_eq!(part["summary"]["kind"], "sic_mosfet");
    let curves = part["curves"].as_array().expect("curves");
    let named = |n: &str| {
        curves
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("no {n} curves in {part}"))
    };
    // The on-state family has several Tj, and V_DS grows with I_D on each.
    let channel = named("channel");
    let family = channel["curves"].as_array().expect("curves");
    assert!(family.len() >= 2, "{channel}");
    for curve in family {
        let points = curve["points"].as_array().expect("points");
        assert!(points.len() >= 2);
        let first = points[0][1].as_f64().expect("a number");
        let last = points[points.len() - 1][1].as_f64().expect("a number");
        assert!(last > first, "{curve}");
    }
    let e_on = named("e_on");
    assert!(e_on["v_ref_v"].as_f64().is_some_and(|v| v > 0.0), "{e_on}");

    let missing = http
        .get(format!("{base}/parts/NO_SUCH_PART"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(missing.status(), 404);
    server.shutdown().await;
}
