//! Losses of real parts against hand calculations from their datasheet points.
//!
//! Each case reads one point of the part's JSON file directly (a channel point and
//! a switching-energy point) and builds a trace that conducts exactly that current
//! and switches exactly that current against the energy curve's test voltage, at the
//! curve's own temperature. The interpolants pass through their points, so the
//! calculator must return the datasheet values themselves: conduction energy
//! `V_k · I_k · Δt` and switching energy `E_j`.

use pelab_components::library::load_built_in;
use pelab_components::loss::{SwitchTrace, trace_losses};
use serde_json::Value;

fn part_json(name: &str) -> Value {
    let path = format!(
        "{}/../../data/transistors/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("part file")).expect("JSON")
}

/// Returns the `k`-th point of a 2-row curve `[[x...], [y...]]`.
fn point(curve: &Value, k: usize) -> (f64, f64) {
    (
        curve[0][k].as_f64().expect("x"),
        curve[1][k].as_f64().expect("y"),
    )
}

struct Case {
    part: &'static str,
    /// Gate voltage and temperature of the channel curve to read.
    v_g: f64,
    tj: f64,
    /// Field of the turn-on energies (`e_on` or `e_on_meas`).
    e_on_field: &'static str,
}

#[test]
fn losses_equal_datasheet_points() {
    let cases = [
        Case {
            part: "CREE_C3M0060065J",
            v_g: 15.0,
            tj: 25.0,
            e_on_field: "e_on",
        },
        Case {
            part: "GaNSystems_GS66506T",
            v_g: 6.0,
            tj: 25.0,
            e_on_field: "e_on_meas",
        },
        Case {
            part: "Infineon_FF300R12KE3",
            v_g: 15.0,
            tj: 125.0,
            e_on_field: "e_on",
        },
    ];
    for case in cases {
        let json = part_json(case.part);
        let channel = json["switch"]["channel"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["t_j"].as_f64() == Some(case.tj) && c["v_g"].as_f64() == Some(case.v_g))
            .expect("channel curve at the case's Tj and gate voltage");
        let curve = &channel["graph_v_i"];
        let n = curve[0].as_array().unwrap().len();
        let (v_k, i_k) = point(curve, n / 2);

        let energies = json["switch"][case.e_on_field]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["dataset_type"] == "graph_i_e" && e["t_j"].as_f64() == Some(case.tj))
            .expect("turn-on energies at the case's Tj");
        let v_supply = energies["v_supply"].as_f64().unwrap();
        let e_curve = &energies["graph_i_e"];
        let m = e_curve[0].as_array().unwrap().len();
        let (i_j, e_j) = point(e_curve, m / 2);

        // 0–10 µs: conducts i_k with the gate on. 10–20 µs: off, blocking v_supply.
        // At 20 µs: hard turn-on into i_j. 20–30 µs: conducts i_j.
        let t = [0.0, 10e-6, 10e-6, 20e-6, 20e-6, 30e-6];
        let current = [i_k, i_k, 0.0, 0.0, i_j, i_j];
        let voltage = [0.0, 0.0, 0.0, v_supply, 0.0, 0.0];
        let gate = [1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let trace = SwitchTrace {
            t: &t,
            current: &current,
            voltage: &voltage,
            gate: &gate,
        };
        let model = load_built_in(case.part).expect("built-in part").transistor;
        // The window ends before the last conduction interval, so only the first
        // conduction interval and the turn-on count.
        let loss = trace_losses(
            "S1",
            &model,
            &trace,
            case.tj,
            Some((0.0, 20e-6 + 1e-12)),
            None,
        )
        .unwrap();
        let window = 20e-6 + 1e-12;

        let conduction = loss.conduction_forward_w * window;
        let expected = v_k * i_k * 10e-6;
        // The interpolant passes through the point; 1e-6 leaves room for the window
        // arithmetic (measured differences are below 1e-8).
        assert!(
            (conduction - expected).abs() < 1e-6 * expected,
            "{}: conduction {conduction} J, datasheet V·I·t = {expected} J ({v_k} V at {i_k} A)",
            case.part
        );
        assert_eq!(loss.events.hard_turn_on, 1, "{}", case.part);
        let turn_on = loss.turn_on_w * window;
        assert!(
            (turn_on - e_j).abs() < 1e-6 * e_j,
            "{}: Eon {turn_on} J, datasheet {e_j} J at {i_j} A, {v_supply} V",
            case.part
        );
    }
}
