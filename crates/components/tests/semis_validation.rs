//! Hand calculations from the datasheet curves against the models.
//!
//! Each test reads two neighbouring points of a curve straight from the JSON file,
//! interpolates linearly between them by hand and compares with the model, which
//! uses a monotone cubic through the same points. Between two digitised points the
//! cubic and the chord differ by the curve's bend over that interval. Each tolerance
//! below is sized from the spacing and curvature of the points involved, and the
//! comment next to it states the measured error.

use pelab_components::library::load_built_in;
use pelab_components::loss::{Edge, SwitchModel};
use pelab_components::semiconductor::Transistor;
use serde_json::Value;

fn json(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/transistors")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).expect("data file")).expect("JSON")
}

fn rows(table: &Value) -> (Vec<f64>, Vec<f64>) {
    let row = |k: usize| -> Vec<f64> {
        table[k]
            .as_array()
            .expect("row")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect()
    };
    (row(0), row(1))
}

/// Linear interpolation of y at x between the two table points around x.
fn chord(x: &[f64], y: &[f64], at: f64) -> f64 {
    let mut points: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = points
        .windows(2)
        .position(|w| w[0].0 <= at && at <= w[1].0 && w[1].0 > w[0].0)
        .expect("bracketing points");
    let ((x0, y0), (x1, y1)) = (points[k], points[k + 1]);
    y0 + (y1 - y0) * (at - x0) / (x1 - x0)
}

/// Returns the table of the first entry of `list` that satisfies `pick`.
fn table<'a>(list: &'a Value, field: &str, pick: impl Fn(&Value) -> bool) -> &'a Value {
    &list
        .as_array()
        .expect("list")
        .iter()
        .find(|e| pick(e))
        .expect("entry")[field]
}

fn relative_error(model: f64, hand: f64) -> f64 {
    ((model - hand) / hand).abs()
}

fn part(name: &str) -> Transistor {
    load_built_in(name).expect("built-in part").transistor
}

#[test]
fn sic_c3m0016120k_rds_on_and_energies() {
    let data = json("CREE_C3M0016120K.json");
    let sic = part("CREE_C3M0016120K");
    // Output characteristic at Vgs = 15 V, 25 °C: (0.69 V, 43.41 A) and
    // (1.14 V, 67.36 A) bracket 50 A, so V = 0.814 V and Rds_on = 16.3 mΩ by hand.
    let (v, i) = rows(table(&data["switch"]["channel"], "graph_v_i", |e| {
        e["t_j"] == 25 && e["v_g"] == 15
    }));
    let hand_v = chord(&i, &v, 50.0);
    let model = sic.rds_on(50.0, 25.0).expect("Rds_on").value;
    // Measured 0.6 %. The two points are 24 A apart on a curve that bends upwards
    // (Rds_on rises with current), so the chord and the cubic differ by a few percent.
    let error = relative_error(model, hand_v / 50.0);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.04, "Rds_on(50 A, 25 °C) error {error}");

    // At 175 °C: (1.42 V, 47.25 A) and (1.75 V, 57.73 A): 1.507 V, 30.1 mΩ.
    // Measured 0.04 %, against a 2 % tolerance for points 10 A apart.
    let (v, i) = rows(table(&data["switch"]["channel"], "graph_v_i", |e| {
        e["t_j"] == 175 && e["v_g"] == 15
    }));
    let hand_hot = chord(&i, &v, 50.0) / 50.0;
    let model_hot = sic.rds_on(50.0, 175.0).expect("Rds_on").value;
    let error = relative_error(model_hot, hand_hot);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.02, "Rds_on(50 A, 175 °C) error {error}");

    // Eon and Eoff at 800 V, 25 °C, Rg = 2.5 Ω: Eon (47.48 A, 0.704 mJ)–(55.36 A,
    // 0.824 mJ) and Eoff (43.61 A, 0.202 mJ)–(50.67 A, 0.253 mJ) give
    // 0.742 + 0.248 = 0.990 mJ at 50 A. Points 7 A apart on a nearly straight curve:
    // 2 % tolerance, measured 0.12 %.
    let pick = |key: &str| {
        rows(table(&data["switch"][key], "graph_i_e", |e| {
            e["v_supply"] == 800
        }))
    };
    let (i_on, e_on) = pick("e_on");
    let (i_off, e_off) = pick("e_off");
    let hand = chord(&i_on, &e_on, 50.0) + chord(&i_off, &e_off, 50.0);
    let model = sic
        .switching_energy(Edge::TurnOn, 50.0, 800.0, 25.0)
        .expect("Eon")
        .value
        + sic
            .switching_energy(Edge::TurnOff, 50.0, 800.0, 25.0)
            .expect("Eoff")
            .value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.02, "Eon + Eoff error {error}");
}

#[test]
fn gan_gs66506t_rds_on_energies_and_third_quadrant() {
    let data = json("GaNSystems_GS66506T.json");
    let gan = part("GaNSystems_GS66506T");
    assert_eq!(gan.gate_on_v, Some(6.0));
    // Vgs = 6 V, 25 °C: (0.649 V, 9.74 A) and (0.915 V, 13.64 A) give 0.667 V at 10 A.
    let (v, i) = rows(table(&data["switch"]["channel"], "graph_v_i", |e| {
        e["t_j"] == 25 && e["v_g"] == 6
    }));
    let hand = chord(&i, &v, 10.0) / 10.0;
    let model = gan.rds_on(10.0, 25.0).expect("Rds_on").value;
    // 10 A lies 0.26 A above the lower point, where chord and cubic nearly agree.
    // Measured 0.02 %, tolerance 1 %.
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.01, "GaN Rds_on error {error}");

    // Measured energies at 400 V, 25 °C, Rg = 10 Ω: Eon (11.85 A, 72.5 µJ)–(16.68 A,
    // 95.7 µJ) and Eoff (12.32 A, 1.60 µJ)–(16.89 A, 0.82 µJ) give 87.7 + 1.14 µJ at
    // 15 A. Eoff falls with current in these measurements, so the sum is dominated by
    // Eon, which is nearly linear: 2 %, measured 0.34 %.
    let pick = |key: &str| rows(table(&data["switch"][key], "graph_i_e", |_| true));
    let (i_on, e_on) = pick("e_on_meas");
    let (i_off, e_off) = pick("e_off_meas");
    let hand = chord(&i_on, &e_on, 15.0) + chord(&i_off, &e_off, 15.0);
    let model = gan
        .switching_energy(Edge::TurnOn, 15.0, 400.0, 25.0)
        .expect("Eon")
        .value
        + gan
            .switching_energy(Edge::TurnOff, 15.0, 400.0, 25.0)
            .expect("Eoff")
            .value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.02, "GaN Eon + Eoff error {error}");

    // No reverse recovery in a GaN HEMT.
    assert_eq!(
        gan.recovery_energy(15.0, 400.0, 25.0).expect("Err").value,
        0.0
    );

    // Third quadrant at Vgs = −3 V, 25 °C: (5.374 V, 8.70 A) and (6.123 V, 17.07 A)
    // give 5.49 V at 10 A. The points are 8 A apart: 3 %, measured 0.04 %.
    let (v, i) = rows(table(&data["diode"]["channel"], "graph_v_i", |e| {
        e["t_j"] == 25 && e["v_g"] == -3
    }));
    let hand = chord(&i, &v, 10.0);
    let model = gan
        .reverse_voltage(10.0, 25.0, false)
        .expect("third quadrant")
        .value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.03, "GaN third-quadrant error {error}");
}

#[test]
fn igbt_ff300r12ke3_vce_energies_and_err() {
    let data = json("Infineon_FF300R12KE3.json");
    let igbt = part("Infineon_FF300R12KE3");
    // Vce at 300 A: 25 °C (1.7021 V, 299.67 A)–(1.7325 V, 312.4 A) gives 1.7029 V;
    // 125 °C (1.9702 V, 291.61 A)–(2.0081 V, 301.91 A) gives 2.0011 V. Points 10 A
    // apart on a near-straight part of the curve: 0.5 %, measured below 0.01 %.
    for (tj, tolerance) in [(25.0, 0.005), (125.0, 0.005)] {
        let (v, i) = rows(table(&data["switch"]["channel"], "graph_v_i", |e| {
            e["t_j"].as_f64() == Some(tj)
        }));
        let hand = chord(&i, &v, 300.0);
        let model = igbt.forward_voltage(300.0, tj).expect("Vce").value;
        let error = relative_error(model, hand);
        println!("line {}: relative error {error:.4}", line!());
        assert!(error < tolerance, "Vce at {tj} °C error {error}");
    }
    assert_eq!(igbt.rds_on(300.0, 25.0), None, "an IGBT has no Rds_on");

    // Eon (287.0 A, 24.07 mJ)–(301.3 A, 25.37 mJ) and Eoff (294.0 A, 43.49 mJ)–
    // (309.5 A, 45.66 mJ) at 600 V, 125 °C, Rg = 2.4 Ω give 25.25 + 44.33 mJ.
    // Points 14 A apart on near-straight curves: 1 %, measured 0.01 %.
    let pick = |section: &str, key: &str| {
        rows(table(&data[section][key], "graph_i_e", |e| {
            e["dataset_type"] == "graph_i_e"
        }))
    };
    let (i_on, e_on) = pick("switch", "e_on");
    let (i_off, e_off) = pick("switch", "e_off");
    let hand = chord(&i_on, &e_on, 300.0) + chord(&i_off, &e_off, 300.0);
    let model = igbt
        .switching_energy(Edge::TurnOn, 300.0, 600.0, 125.0)
        .expect("Eon")
        .value
        + igbt
            .switching_energy(Edge::TurnOff, 300.0, 600.0, 125.0)
            .expect("Eoff")
            .value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.01, "IGBT Eon + Eoff error {error}");

    // Err (284.9 A, 25.35 mJ)–(301.2 A, 26.02 mJ) gives 25.97 mJ at 300 A.
    // 1 %, measured 0.02 %.
    let (i_rr, e_rr) = pick("diode", "e_rr");
    let hand = chord(&i_rr, &e_rr, 300.0);
    let model = igbt
        .recovery_energy(300.0, 600.0, 125.0)
        .expect("Err")
        .value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.01, "IGBT Err error {error}");

    // Diode Vf at 300 A, 125 °C: (1.6387 V, 291 A)–(1.6973 V, 316 A) gives 1.660 V.
    // 1 %, measured 0.03 %.
    let (v, i) = rows(table(&data["diode"]["channel"], "graph_v_i", |e| {
        e["t_j"] == 125
    }));
    let hand = chord(&i, &v, 300.0);
    let model = igbt.reverse_voltage(300.0, 125.0, true).expect("Vf").value;
    let error = relative_error(model, hand);
    println!("line {}: relative error {error:.4}", line!());
    assert!(error < 0.01, "IGBT diode Vf error {error}");
}

#[test]
fn temperature_interpolation_lies_between_curves() {
    let sic = part("CREE_C3M0016120K");
    let igbt = part("Infineon_FF300R12KE3");
    for i in [5.0, 20.0, 50.0, 100.0] {
        let cold = sic.forward_voltage(i, 25.0).expect("25 °C").value;
        let hot = sic.forward_voltage(i, 175.0).expect("175 °C").value;
        let mid = sic.forward_voltage(i, 100.0).expect("100 °C");
        assert!(!mid.is_clamped());
        let (low, high) = (cold.min(hot), cold.max(hot));
        assert!(
            mid.value >= low && mid.value <= high,
            "SiC at {i} A: {mid:?}"
        );
    }
    for i in [50.0, 150.0, 300.0, 500.0] {
        let cold = igbt.forward_voltage(i, 25.0).expect("25 °C").value;
        let hot = igbt.forward_voltage(i, 125.0).expect("125 °C").value;
        let mid = igbt.forward_voltage(i, 75.0).expect("75 °C").value;
        let (low, high) = (cold.min(hot), cold.max(hot));
        assert!(mid >= low, "IGBT at {i} A: {mid}");
        assert!(mid <= high, "IGBT at {i} A: {mid}");
    }
}

#[test]
fn voltage_scaling_is_linear_by_default() {
    let sic = part("CREE_C3M0016120K");
    let at_800 = sic
        .switching_energy(Edge::TurnOn, 50.0, 800.0, 25.0)
        .expect("Eon");
    let at_400 = sic
        .switching_energy(Edge::TurnOn, 50.0, 400.0, 25.0)
        .expect("Eon");
    assert!((at_400.value / at_800.value - 0.5).abs() < 1e-12);
    let fitted = sic.e_on.as_ref().and_then(|t| t.fitted_voltage_exponent);
    // The file has Eon at 600 V and 800 V, so the exponent can be fitted. It lies
    // between 0 and 3 for any physical part.
    let fitted = fitted.expect("two voltages in the file");
    assert!(fitted > 0.0, "fitted exponent {fitted}");
    assert!(fitted < 3.0, "fitted exponent {fitted}");
    let steeper = sic
        .clone()
        .with_voltage_exponent(2.0)
        .expect("valid exponent");
    let scaled = steeper
        .switching_energy(Edge::TurnOn, 50.0, 400.0, 25.0)
        .expect("Eon");
    assert!((scaled.value / at_800.value - 0.25).abs() < 1e-12);
}

#[test]
fn gate_resistance_scaling_uses_datasheet_curve() {
    let igbt = part("Infineon_FF300R12KE3");
    let base = igbt
        .switching_energy(Edge::TurnOn, 300.0, 600.0, 125.0)
        .expect("Eon")
        .value;
    let slower = igbt
        .clone()
        .with_gate_resistance(10.0, 10.0)
        .expect("E(Rg) in the data");
    let scaled = slower
        .switching_energy(Edge::TurnOn, 300.0, 600.0, 125.0)
        .expect("Eon")
        .value;
    // The ratio must equal E(10 Ω) / E(2.4 Ω) read from the E(Rg) curve; 2.4 Ω lies
    // just below the curve's first point (2.69 Ω), so the reference clamps there.
    let table = igbt.e_on.as_ref().expect("Eon table");
    let curve = &table.gate_resistance.as_ref().expect("E(Rg)").energy_vs_r_g;
    let ratio = curve.eval(10.0, 125.0).value / curve.eval(2.4, 125.0).value;
    assert!((scaled / base - ratio).abs() < 1e-12);
    assert!(
        scaled > base,
        "a larger gate resistance switches more slowly"
    );

    // The SiC part has no E(Rg) curve: scaling is rejected, not invented.
    let sic = part("CREE_C3M0016120K");
    let error = sic
        .with_gate_resistance(10.0, 10.0)
        .expect_err("no E(Rg) curve");
    assert!(
        error
            .to_string()
            .contains("no energy-versus-gate-resistance curve"),
        "{error}"
    );
}

#[test]
fn eoss_matches_datasheet_curve() {
    // Eoss from the exact integral of the Coss interpolant against the datasheet's
    // own Eoss curve. Both come from digitised plots, so they agree only to the
    // digitising error. The test prints the differences (0.2 % to 2.1 % at 400 V)
    // and bounds them by 5 %.
    for name in [
        "CREE_C3M0016120K",
        "CREE_C3M0060065J",
        "CREE_C3M0120065J",
        "GaNSystems_GS66506T",
        "Infineon_IPBE65R050CFD7A",
    ] {
        let coss = part(name).coss.expect("Coss");
        let datasheet = coss.datasheet_eoss.as_ref().expect("datasheet Eoss");
        let v = 400.0_f64.min(datasheet.x_range().1);
        let model = coss.energy(v).value;
        let reference = datasheet.value(v);
        let error = relative_error(model, reference);
        println!("line {}: relative error {error:.4}", line!());
        println!(
            "{name}: Eoss({v} V) model {model:.4e} J, datasheet {reference:.4e} J, {error:.3}"
        );
        assert!(error < 0.05, "{name}: Eoss error {error}");
    }
}

#[test]
fn rohm_eoss_in_wrong_units_is_rejected() {
    let rohm = load_built_in("ROHMSemiconductor_SCT3060AW7").expect("loads");
    assert!(
        rohm.transistor
            .coss
            .as_ref()
            .expect("Coss")
            .datasheet_eoss
            .is_none()
    );
    assert!(
        rohm.findings
            .iter()
            .any(|f| f.curve == "graph_v_ecoss" && f.message.contains("check the units"))
    );
}

#[test]
fn miller_plateau_of_sic_part() {
    // C3M0016120K gate charge at 800 V, 20 A: Qg is the curve's span, from −3.84 V
    // at 0 C to 14.97 V at 210.75 nC. The plateau lies between the steep Cgs region
    // (about 0.65 V per 3.7 nC) and the Cgs + Cgd region after it.
    let sic = part("CREE_C3M0016120K");
    let gate = &sic.gate_charge[0];
    assert!((gate.q_total_c() - 210.75e-9).abs() < 1e-12);
    let plateau = gate.miller_plateau().expect("plateau");
    assert!(
        plateau.v_plateau_v > 6.0 && plateau.v_plateau_v < 8.2,
        "{plateau:?}"
    );
    let q_gd = gate.q_gd_c().expect("Qgd");
    assert!(q_gd > 30e-9, "Qgd {q_gd}");
    assert!(q_gd < 90e-9, "Qgd {q_gd}");
}
