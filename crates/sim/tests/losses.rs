//! The two loss paths on a simulated converter: the waveform calculator applied to the
//! engine's traces, and the operating-point formulas at the simulated mean values.

use pelab_components::loss::{
    BoostOperatingPoint, LinearSwitch, SwitchTrace, boost_losses, trace_losses,
};
use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::{RunRequest, simulate_design_with};

/// A 400 V to 800 V boost at 30 kW, open loop at D = 0.5, started at its steady state
/// so that 4 ms settle it.
fn boost_design(rectifier: &str) -> Design {
    let text = format!(
        r#"
kernel = "boost"
[parameters]
v_in = 400.0
l = 300e-6
r_l = 5e-3
c = 100e-6
r_c = 2e-3
r_load = 21.33
f_sw = 50e3
rectifier = "{rectifier}"
r_on = 16e-3
v_f = 2.5
r_d = 20e-3
t_dead = 200e-9
v_out0 = 790.0
i_l0 = 75.0
[control]
mode = "open_loop"
duty = 0.5
[simulation]
t_stop = 5e-3
output_step = 100e-9
"#
    );
    Design::parse(&text, Format::Toml).expect("the test design is valid")
}

/// The engine's switches are a resistor and an ideal diode with threshold, which is
/// exactly what a [`LinearSwitch`] describes, so both paths see the same device.
fn device() -> LinearSwitch {
    LinearSwitch {
        name: "engine switch".into(),
        v0_v: 0.0,
        r_ohm: 16e-3,
        r_tempco_per_k: 0.0,
        v0_tempco_v_per_k: 0.0,
        diode_v0_v: 2.5,
        diode_r_ohm: 20e-3,
        reverse_channel: true,
        e_on_j: 1.2e-3,
        e_off_j: 0.6e-3,
        e_rr_j: 0.2e-3,
        i_ref_a: 100.0,
        v_ref_v: 800.0,
        e_tempco_per_k: 0.0,
        c_oss_f: 0.0,
        tj_ref_c: 25.0,
        foster_r_k_per_w: Vec::new(),
        foster_tau_s: Vec::new(),
    }
}

/// Time average of `values` over `[from, to]` by the trapezoidal rule.
fn mean(t: &[f64], values: &[f64], from: f64, to: f64) -> f64 {
    let mut integral = 0.0;
    for k in 0..t.len() - 1 {
        let (a, b) = (t[k].max(from), t[k + 1].min(to));
        if b > a {
            integral += 0.5 * (values[k] + values[k + 1]) * (b - a);
        }
    }
    integral / (to - from)
}

fn relative_error(actual: f64, expected: f64) -> f64 {
    (actual - expected).abs() / expected.abs()
}

#[test]
fn boost_waveform_losses_match_operating_point() {
    for rectifier in ["diode", "synchronous"] {
        let design = boost_design(rectifier);
        let prepared = design.prepare().unwrap();
        let positions = prepared.report.positions;
        let mut signals = prepared.options.probes.clone();
        signals.extend(positions.iter().flat_map(|p| p.probes()));
        let request = RunRequest {
            signals: Some(signals),
            ..RunRequest::default()
        };
        let output = simulate_design_with(&design, &request, &mut |_| {}).unwrap();
        let waveforms = &output.waveforms;
        let t = waveforms.time();
        // The last 50 switching periods.
        let (from, to) = (4e-3, 5e-3);
        let part = device();
        let mut waveform_losses = Vec::new();
        for position in &positions {
            let trace = position.trace(waveforms).unwrap();
            let trace = SwitchTrace {
                t,
                current: &trace.current,
                voltage: &trace.voltage,
                gate: &trace.gate,
            };
            waveform_losses.push(
                trace_losses(&position.name, &part, &trace, 25.0, Some((from, to)), None).unwrap(),
            );
        }

        let point = BoostOperatingPoint {
            v_in_v: 400.0,
            v_out_v: mean(t, waveforms.signal("v(out)").unwrap(), from, to),
            i_in_a: mean(t, waveforms.signal("i(L1)").unwrap(), from, to),
            inductance_h: 300e-6,
            f_sw_hz: 50e3,
            tj_switch_c: 25.0,
            tj_rectifier_c: 25.0,
            synchronous: rectifier == "synchronous",
            deadtime_s: if rectifier == "synchronous" {
                200e-9
            } else {
                0.0
            },
            // The kernel delays each turn-on by the deadtime, so S1 conducts for
            // D·T − t_d of each period.
            duty: Some(if rectifier == "synchronous" {
                0.5 - 200e-9 * 50e3
            } else {
                0.5
            }),
        };
        let closed_form = boost_losses(&part, &part, &point).unwrap();
        let pairs = [
            (&waveform_losses[0], &closed_form.switch),
            (&waveform_losses[1], &closed_form.rectifier),
        ];
        for (simulated, formula) in pairs {
            let terms = [
                (
                    "forward conduction",
                    simulated.conduction_forward_w,
                    formula.conduction_forward_w,
                ),
                (
                    "reverse conduction",
                    simulated.conduction_reverse_w,
                    formula.conduction_reverse_w,
                ),
                ("turn-on", simulated.turn_on_w, formula.turn_on_w),
                ("turn-off", simulated.turn_off_w, formula.turn_off_w),
                ("recovery", simulated.recovery_w, formula.recovery_w),
                ("total", simulated.total_w, formula.total_w),
            ];
            for (name, a, e) in terms {
                eprintln!(
                    "{rectifier} {} {name}: waveform {a:.4} W, formula {e:.4} W",
                    simulated.position
                );
                if e == 0.0 {
                    assert!(
                        a.abs() < 1e-9,
                        "{rectifier} {} {name}: {a} W where the formula has none",
                        simulated.position
                    );
                } else {
                    // The formula takes the ideal triangle; the simulated current bends
                    // with the resistive drops and the output ripple. Largest measured
                    // difference: 0.78 % (turn-on energy at the ripple minimum).
                    assert!(
                        relative_error(a, e) < 0.01,
                        "{rectifier} {} {name}: waveform {a} W, formula {e} W",
                        simulated.position
                    );
                }
            }
        }
        // One hard turn-on and turn-off of S1 per period.
        assert_eq!(waveform_losses[0].events.hard_turn_on, 50);
        assert_eq!(waveform_losses[0].events.hard_turn_off, 50);
        assert_eq!(waveform_losses[1].events.recovery, 50);
    }
}

/// A 1 kW GaN boost from 200 V to 400 V at 100 kHz with library parts.
fn gan_boost(thermal: &str) -> Design {
    let text = format!(
        r#"
kernel = "boost"
[parameters]
v_in = 200.0
l = 200e-6
r_l = 20e-3
c = 20e-6
r_load = 160.0
f_sw = 100e3
rectifier = "synchronous"
r_on = 50e-3
v_f = 2.0
r_d = 50e-3
t_dead = 50e-9
v_out0 = 400.0
i_l0 = 5.0
[control]
mode = "open_loop"
duty = 0.5
[simulation]
t_stop = 20e-3
output_step = 100e-9
steady_state_from = 15e-3
[devices]
S1 = "GS66506T"
S2 = "GaNSystems_GS66506T"
[thermal]
{thermal}
"#
    );
    Design::parse(&text, Format::Toml).expect("the test design is valid")
}

#[test]
fn design_reports_fixed_tj_losses() {
    let design = gan_boost("model = \"fixed\"\ntj = 80.0");
    let output = simulate_design_with(&design, &RunRequest::default(), &mut |_| {}).unwrap();
    let summary = output.summary.unwrap();
    let report = summary.semiconductors.expect("devices were named");
    assert_eq!(report.thermal_model, "fixed");
    assert_eq!(report.devices.len(), 2);
    let (s1, s2) = (&report.devices[0], &report.devices[1]);
    assert_eq!(s1.position, "S1");
    assert_eq!(s1.part, "GaNSystems_GS66506T");
    // 5 ms of steady state at 100 kHz: 500 hard turn-ons and turn-offs of S1.
    assert_eq!(s1.events.hard_turn_on, 500);
    assert_eq!(s1.events.hard_turn_off, 500);
    assert!(s1.conduction_forward_w > 0.0);
    assert!(s1.turn_on_w > 0.0);
    assert!(s1.turn_off_w > 0.0);
    // A GaN HEMT has no reverse recovery: S2 only conducts in reverse.
    assert_eq!(s2.recovery_w, 0.0);
    assert!(s2.conduction_reverse_w > 0.0);
    assert!((report.total_w - s1.total_w - s2.total_w).abs() < 1e-12);
    assert!(report.junctions.iter().all(|j| j.tj_final_c == 80.0));
    // The datasheet losses replace the circuit's ideal-switch losses in the efficiency.
    let circuit_switches: f64 = summary
        .losses
        .iter()
        .filter(|l| ["S1", "S2", "DS1", "DS2"].contains(&l.element.as_str()))
        .map(|l| l.power)
        .sum();
    assert!((report.other_losses_w - (summary.loss_total - circuit_switches)).abs() < 1e-9);
    let output: f64 = summary.ports.iter().skip(1).map(|p| p.power).sum();
    let expected = output / (output + report.other_losses_w + report.total_w);
    let efficiency = report.efficiency_with_datasheet_losses.unwrap();
    assert!((efficiency - expected).abs() < 1e-12);
}

/// With a heatsink that stores no heat, the coupled junction temperatures settle at
/// `T_a + R_ha ΣP + (R_jc,k + R_cs) P_k`. The largest time constant of the part's
/// Foster network is 2.9 ms, so 20 ms leave e^−6.9 ≈ 1e-3 of the transient.
#[test]
fn design_coupled_tj_settles_at_steady_state() {
    let design = gan_boost("model = \"coupled\"\nt_ambient = 40.0\nr_th_cs = 0.5\nr_th_ha = 2.0");
    let output = simulate_design_with(&design, &RunRequest::default(), &mut |_| {}).unwrap();
    let report = output.summary.unwrap().semiconductors.unwrap();
    assert_eq!(report.thermal_model, "coupled");
    let total: f64 = report.devices.iter().map(|d| d.total_w).sum();
    // Rth,jc of the GS66506T: the sum of its Foster resistances.
    let r_jc = 0.24142 + 3.0 * 0.2491;
    for (loss, junction) in report.devices.iter().zip(&report.junctions) {
        let expected = 40.0 + 2.0 * total + (r_jc + 0.5) * loss.total_w;
        let rise = expected - 40.0;
        assert!(
            (junction.tj_final_c - expected).abs() < 0.01 * rise,
            "{}: Tj {} °C, steady state {} °C",
            loss.position,
            junction.tj_final_c,
            expected
        );
        assert!(junction.tj_max_c >= junction.tj_final_c);
        let settled = junction.tj_steady_state_c.expect("coupled model");
        assert!(
            (settled - expected).abs() < 1e-6 * rise,
            "{}: settled at {settled} °C",
            loss.position
        );
        assert!(!junction.time_s.is_empty());
        assert_eq!(junction.time_s.len(), junction.tj_c.len());
    }
}

/// With `[gate_drive]`, each hard-switching position reports transition speeds from
/// its gate-charge curve at the highest voltage and current it switched.
#[test]
fn design_reports_transition_speeds() {
    let mut text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ev-boost-sic-losses.toml"
    ))
    .expect("the example exists");
    text = text
        .replace("t_stop = 20e-3", "t_stop = 2e-3")
        .replace("steady_state_from = 15e-3", "steady_state_from = 1e-3");
    let design = Design::parse(&text, Format::Toml).unwrap();
    let output = simulate_design_with(&design, &RunRequest::default(), &mut |_| {}).unwrap();
    let report = output.summary.unwrap().semiconductors.unwrap();
    assert_eq!(
        report.transitions.len(),
        1,
        "only S1 switches hard: {:?}",
        report.warnings
    );
    let s1 = &report.transitions[0];
    assert_eq!(s1.position, "S1");
    // dv/dt = V_bus / (Q_gd / I_g) with I_g = (V_on − V_pl) / (R_g + R_g,int): for a
    // 1200 V SiC MOSFET on 2 Ω, tens of V/ns.
    let dv_dt = s1.estimate.dv_dt_v_per_s * 1e-9;
    assert!((5.0..200.0).contains(&dv_dt), "dv/dt {dv_dt} V/ns");
    assert!(s1.estimate.di_dt_a_per_s.is_some());
    assert!(s1.v_switched_max_v > 700.0);
    assert!(s1.i_switched_max_a > 60.0);
}

/// A 650 V GaN part in an 800 V converter: the report names every exceeded rating,
/// and so does the summary's warning list.
#[test]
fn design_reports_rating_violations() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/ev-boost-sic-losses.toml"
    ))
    .expect("the example exists")
    .replace("CREE_C3M0016120K", "GaNSystems_GS66506T")
    .replace("t_stop = 20e-3", "t_stop = 2e-3")
    .replace("steady_state_from = 15e-3", "steady_state_from = 1e-3");
    let design = Design::parse(&text, Format::Toml).unwrap();
    let output = simulate_design_with(&design, &RunRequest::default(), &mut |_| {}).unwrap();
    let summary = output.summary.unwrap();
    let report = summary.semiconductors.as_ref().unwrap();
    let violations = &report.rating_violations;
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("S1 (GaNSystems_GS66506T): blocks up to")
                && v.ends_with("above its rating V_max = 650 V")),
        "{violations:?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| v.contains("above its pulsed current rating 22.5 A")),
        "{violations:?}"
    );
    for violation in violations {
        assert!(summary.warnings.contains(violation));
    }
    // The example's heatsink (5 s) is far from settled after 2 ms.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("Tj has not settled")),
        "{:?}",
        report.warnings
    );
}

/// With a heatsink that takes seconds to warm up, a 20 ms run started at ambient ends
/// far from the settled Tj. `start = "settled"` starts it there, so the run ends
/// within a kelvin of it.
#[test]
fn design_settled_start_ends_at_steady_state() {
    let design = gan_boost(
        "model = \"coupled\"\nstart = \"settled\"\nt_ambient = 40.0\nr_th_cs = 0.5\nr_th_ha = 2.0\nc_th_ha = 100.0",
    );
    let output = simulate_design_with(&design, &RunRequest::default(), &mut |_| {}).unwrap();
    let report = output.summary.unwrap().semiconductors.unwrap();
    for junction in &report.junctions {
        let settled = junction.tj_steady_state_c.unwrap();
        assert!(
            (junction.tj_final_c - settled).abs() < 1.0,
            "{}: ends at {} °C, settles at {settled} °C",
            junction.position,
            junction.tj_final_c
        );
        // The heatsink alone rises 2 K/W times the total loss.
        assert!(
            settled > 40.0 + 2.0 * report.total_w,
            "settles at {settled} °C"
        );
    }
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.starts_with("Tj has not settled")),
        "{:?}",
        report.warnings
    );
}
