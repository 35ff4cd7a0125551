//! PMSM drive kernel against the machine equations, the designed current-loop
//! bandwidth, its own averaged model, and bad input.

use pelab_sim::design::{Design, Format};
use pelab_sim::models::{ModelLimits, ModelOutput};

/// An interior PMSM at 400 V with a 10 kHz inverter. `{model}`, `{extra}`,
/// `{control}` and `{sim}` are filled in per test.
const BASE: &str = r#"
kernel = "pmsm_drive"
[parameters]
inverter_model = "{model}"
f_sw = 10e3
t_dead = 500e-9
r_on = 5e-3
v_f = 1.5
r_d = 5e-3
v_dc = 400.0
c_dc = 500e-6
r_s = 0.01
l_d = {l_d}
l_q = 0.30e-3
psi = 0.05
pole_pairs = 4
j = 0.1
{extra}
[control]
i_max = 500.0
current_bandwidth = 300.0
{control}
[simulation]
{sim}
"#;

fn design(model: &str, l_d: &str, extra: &str, control: &str, sim: &str) -> String {
    BASE.replace("{model}", model)
        .replace("{l_d}", l_d)
        .replace("{extra}", extra)
        .replace("{control}", control)
        .replace("{sim}", sim)
}

fn run(text: &str) -> ModelOutput {
    let design = Design::parse(text, Format::Toml).expect("design parses");
    let mut model = design.build_model().expect("design builds");
    model
        .run(
            &ModelLimits {
                tap: None,
                max_samples: 5_000_000,
            },
            &mut |_| {},
        )
        .expect("run succeeds")
}

fn build_error(text: &str) -> String {
    let design = match Design::parse(text, Format::Toml) {
        Ok(d) => d,
        Err(e) => return e.to_string(),
    };
    match design.build_model() {
        Ok(_) => panic!("design was accepted"),
        Err(e) => e.to_string(),
    }
}

fn metric(out: &ModelOutput, name: &str) -> f64 {
    out.results
        .get(name)
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

/// Held speed 3000 rpm, 150 N·m: the dynamometer test of the machine equations.
fn held_speed(model: &str) -> String {
    design(
        model,
        "0.12e-3",
        "mechanics = \"held\"\nn0 = 3000.0",
        "torque_ref = [[0.0, 150.0]]",
        "t_stop = 0.2\nsteady_state_from = 0.18\noutput_step = 1e-3",
    )
}

/// Checks the window means of v_d, v_q and torque against
/// `v_d = R_s·i_d − ω_e·L_q·i_q`, `v_q = R_s·i_q + ω_e·(L_d·i_d + ψ)` and
/// `T = 1.5·p·(ψ·i_q + (L_d − L_q)·i_d·i_q)` at the window's mean currents, with
/// relative tolerances of `tol_v` on the voltage vector and `tol_t` on the torque.
fn check_machine_equations(out: &ModelOutput, tol_v: f64, tol_t: f64) {
    let (r_s, l_d, l_q, psi, p) = (0.01, 0.12e-3, 0.30e-3, 0.05, 4.0);
    let i_d = metric(out, "i_d");
    let i_q = metric(out, "i_q");
    let omega_e = p * metric(out, "omega_m");
    let v_d = r_s * i_d - omega_e * l_q * i_q;
    let v_q = r_s * i_q + omega_e * (l_d * i_d + psi);
    let v = v_d.hypot(v_q);
    let torque = 1.5 * p * (psi * i_q + (l_d - l_q) * i_d * i_q);
    let dv_d = (metric(out, "v_d") - v_d).abs() / v;
    let dv_q = (metric(out, "v_q") - v_q).abs() / v;
    let dt = (metric(out, "torque") - torque).abs() / torque;
    assert!(
        dv_d < tol_v,
        "v_d {} vs {v_d}: {dv_d:e}",
        metric(out, "v_d")
    );
    assert!(
        dv_q < tol_v,
        "v_q {} vs {v_q}: {dv_q:e}",
        metric(out, "v_q")
    );
    assert!(
        dt < tol_t,
        "torque {} vs {torque}: {dt:e}",
        metric(out, "torque")
    );
}

#[test]
fn averaged_steady_state_meets_machine_equations() {
    let out = run(&held_speed("averaged"));
    check_machine_equations(&out, 1e-4, 1e-4);
}

#[test]
fn switching_steady_state_meets_machine_equations() {
    let out = run(&held_speed("switching"));
    check_machine_equations(&out, 1e-3, 1e-3);
}

/// Time from `t_step` until `signal` first reaches 63.2 % of its change from the
/// value at `t_step` to its final value.
fn rise_time_63(out: &ModelOutput, signal: &str, t_step: f64) -> f64 {
    let t = out.waveforms.time();
    let y = out.waveforms.signal(signal).expect("signal recorded");
    let start = t
        .iter()
        .position(|&x| x >= t_step)
        .expect("step inside run");
    let y0 = y[start];
    let y_end = *y.last().expect("samples");
    let target = y0 + (1.0 - (-1.0f64).exp()) * (y_end - y0);
    let k = (start..y.len())
        .find(|&k| (y[k] - target) * (y_end - y0).signum() >= 0.0)
        .expect("signal reaches 63 %");
    // Linear interpolation between the two samples around the crossing.
    let f = (target - y[k - 1]) / (y[k] - y[k - 1]);
    t[k - 1] + f * (t[k] - t[k - 1]) - t_step
}

/// Computes the 63 % rise time of the sampled current loop, in sample periods, from
/// its difference equation. The PI zero cancels the resistance and the feed-forward
/// the speed voltages, so the plant gains `a = ω_c·T_s` per sample of error. The
/// duties act one sample late, which gives `i[k+1] = i[k] + a·(1 − i[k−1])` for a
/// unit step at sample 0.
fn discrete_rise_time_63(a: f64) -> f64 {
    let target = 1.0 - (-1.0f64).exp();
    let mut i = vec![0.0, 0.0];
    for k in 1..1000 {
        let next = i[k] + a * (1.0 - i[k - 1]);
        if next >= target {
            return k as f64 + (target - i[k]) / (next - i[k]);
        }
        i.push(next);
    }
    panic!("no rise within 1000 samples");
}

#[test]
fn current_step_rise_time_matches_bandwidth() {
    let ts = 1e-4;
    let omega_c = std::f64::consts::TAU * 300.0;
    // The sampled loop with its one-sample delay rises in 4.85 samples where the
    // continuous first order needs 1/ω_c = 5.31: 8.5 % faster.
    let expected = discrete_rise_time_63(omega_c * ts) * ts;
    let tau = 1.0 / omega_c;
    for model in ["averaged", "switching"] {
        let text = design(
            model,
            "0.30e-3",
            "mechanics = \"held\"\nn0 = 1000.0",
            "torque_ref = [[0.0, 0.0], [0.005, 100.0]]",
            "t_stop = 0.01\noutput_step = 2e-6",
        );
        let out = run(&text);
        let t63 = rise_time_63(&out, "i_q", 0.005);
        // 3 %: the ripple of the switching level shifts the crossing by up to
        // 2 µs, and R_s·i is only cancelled in the PI's zero, not fed forward.
        assert!(
            (t63 - expected).abs() < 0.03 * expected,
            "{model}: t63 = {t63:e} s, discrete loop {expected:e} s"
        );
        assert!(
            (t63 - tau).abs() < 0.12 * tau,
            "{model}: t63 = {t63:e} s, 1/ω_c = {tau:e} s"
        );
    }
}

/// Free rotor in torque mode against a quadratic load: the speed settles where the
/// torque meets the load.
fn free_rotor(model: &str) -> String {
    design(
        model,
        "0.12e-3",
        "j = 0.02\nn0 = 2500.0\nload_k2 = 1.0e-3",
        "torque_ref = [[0.0, 100.0]]",
        "t_stop = 0.25\nsteady_state_from = 0.2\noutput_step = 1e-3",
    )
    .replace("j = 0.1\n", "")
}

#[test]
fn switching_and_averaged_agree_on_torque_and_speed() {
    let switching = run(&free_rotor("switching"));
    let averaged = run(&free_rotor("averaged"));
    for (name, tol) in [
        ("torque", 2e-3),
        ("speed_rpm", 1e-3),
        ("i_phase_rms", 5e-3),
        ("i_dc", 5e-3),
    ] {
        let a = metric(&switching, name);
        let b = metric(&averaged, name);
        assert!(
            (a - b).abs() < tol * b.abs(),
            "{name}: switching {a}, averaged {b}"
        );
    }
    // The torque also meets the load at the settled speed: T = k2·ω².
    let omega = metric(&averaged, "omega_m");
    let load = 1.0e-3 * omega * omega;
    assert!((metric(&averaged, "torque") - load).abs() < 1e-3 * load);
}

#[test]
fn speed_mode_reaches_reference() {
    let text = design(
        "averaged",
        "0.12e-3",
        "n0 = 1500.0\nload_t0 = 20.0\nload_steps = [[0.1, 30.0]]",
        "mode = \"speed\"\nspeed_ref = [[0.0, 2000.0]]\nspeed_bandwidth = 20.0",
        "t_stop = 0.4\nsteady_state_from = 0.35\noutput_step = 1e-3",
    );
    let out = run(&text);
    assert!(
        (metric(&out, "speed_rpm") - 2000.0).abs() < 1.0,
        "{}",
        metric(&out, "speed_rpm")
    );
    assert!(
        (metric(&out, "torque") - 50.0).abs() < 0.5,
        "{}",
        metric(&out, "torque")
    );
}

#[test]
fn rejects_both_flux_and_back_emf_constant() {
    let text = held_speed("averaged").replace("psi = 0.05", "psi = 0.05\nk_e = 0.2");
    let e = build_error(&text);
    assert!(e.contains("parameters.psi"), "{e}");
    assert!(e.contains("both given"), "{e}");
    let text = held_speed("averaged").replace("psi = 0.05", "");
    let e = build_error(&text);
    assert!(e.contains("parameters.psi: missing"), "{e}");
}

#[test]
fn back_emf_constant_gives_same_run() {
    let a =
        run(&held_speed("averaged")
            .replace("t_stop = 0.2\nsteady_state_from = 0.18", "t_stop = 0.01"));
    let b = run(&held_speed("averaged")
        .replace("psi = 0.05", "k_e = 0.2")
        .replace("t_stop = 0.2\nsteady_state_from = 0.18", "t_stop = 0.01"));
    assert_eq!(metric(&a, "torque"), metric(&b, "torque"));
}

#[test]
fn rejects_bad_current_limit_and_nan() {
    for value in ["0.0", "-5.0", "nan"] {
        let text = held_speed("averaged").replace("i_max = 500.0", &format!("i_max = {value}"));
        let e = build_error(&text);
        assert!(e.contains("control.i_max"), "{value}: {e}");
        assert!(e.contains("greater than 0"), "{value}: {e}");
    }
    let text = held_speed("averaged").replace("r_s = 0.01", "r_s = nan");
    let e = build_error(&text);
    assert!(e.contains("parameters.r_s"), "{e}");
    assert!(e.contains("NaN"), "{e}");
}

#[test]
fn rejects_current_bandwidth_beyond_sampled_limit() {
    // 10 kHz single sampling allows 0.2/T_s = 2000 rad/s, 318 Hz.
    let text =
        held_speed("averaged").replace("current_bandwidth = 300.0", "current_bandwidth = 1000.0");
    let e = build_error(&text);
    assert!(e.contains("control.current_bandwidth"), "{e}");
    assert!(e.contains("invalid value 1000 Hz"), "{e}");
    assert!(e.contains("(0, 318.3] Hz"), "{e}");
    // One unit: no rad/s figure from the control block in the message.
    assert!(!e.contains("6283"), "{e}");
    assert!(!e.contains("rad/s"), "{e}");
    assert!(e.contains("control.sampling = \"double\""), "{e}");
    // Already double-sampled: the hint is the switching frequency only.
    let text = held_speed("averaged").replace(
        "current_bandwidth = 300.0",
        "current_bandwidth = 5000.0\nsampling = \"double\"",
    );
    let e = build_error(&text);
    assert!(e.contains("(0, 636.6] Hz"), "{e}");
    assert!(e.ends_with("raise parameters.f_sw"), "{e}");
    // Double sampling halves T_s and doubles the limit.
    let text = held_speed("averaged").replace(
        "current_bandwidth = 300.0",
        "current_bandwidth = 600.0\nsampling = \"double\"",
    );
    Design::parse(&text, Format::Toml)
        .expect("parses")
        .build_model()
        .expect("600 Hz builds at 20 kHz sampling");
}

#[test]
fn rejects_speed_loop_faster_than_current_loop() {
    let text = held_speed("averaged").replace(
        "torque_ref = [[0.0, 150.0]]",
        "mode = \"speed\"\nspeed_ref = [[0.0, 100.0]]\nspeed_bandwidth = 100.0",
    );
    let e = build_error(&text);
    assert!(e.contains("control.speed_bandwidth"), "{e}");
}

#[test]
fn rejects_saliency_inverted_and_long_deadtime() {
    let e = build_error(&held_speed("averaged").replace("l_d = 0.12e-3", "l_d = 0.5e-3"));
    assert!(e.contains("parameters.l_d"), "{e}");
    assert!(e.contains("at most l_q"), "{e}");
    let e = build_error(&held_speed("averaged").replace("t_dead = 500e-9", "t_dead = 30e-6"));
    assert!(e.contains("parameters.t_dead"), "{e}");
}

#[test]
fn envelope_follows_mtpa_then_field_weakening() {
    let out =
        run(&held_speed("averaged")
            .replace("t_stop = 0.2\nsteady_state_from = 0.18", "t_stop = 0.01"));
    let table = out
        .results
        .table("torque_speed_envelope")
        .expect("envelope");
    let base = metric(&out, "base_speed_rpm");
    let t_max = metric(&out, "torque_max");
    for row in &table.rows {
        let (speed, torque, region) = (row[0], row[1], row[8]);
        if speed < 0.99 * base {
            assert!((torque - t_max).abs() < 1e-6 * t_max, "{row:?}");
            assert_eq!(region, 0.0);
        } else if speed > 1.01 * base {
            assert!(torque < t_max, "{row:?}");
            assert!(region >= 1.0, "{row:?}");
        }
    }
    // Power above base speed stays within the voltage limit: |v| ≤ √3·v/v_dc ≈ fw_margin plus R_s·i.
    for row in &table.rows {
        assert!(row[7] < 1.0, "{row:?}");
    }
}

const EV_800V: &str = include_str!("../../../examples/ev-traction-800v.toml");

#[test]
fn device_losses_and_junction_temperatures() {
    let text = EV_800V
        .replace(
            "inverter_model = \"switching\"",
            "inverter_model = \"averaged\"",
        )
        .replace("t_stop = 0.4", "t_stop = 0.02")
        .replace("steady_state_from = 0.35", "steady_state_from = 0.015");
    let out = run(&text);
    let loss = metric(&out, "loss_S1");
    let tj = metric(&out, "tj_S1");
    assert!(loss > 10.0, "{loss}");
    assert!(loss < 2000.0, "{loss}");
    // Every position of one part at one operating point dissipates the same.
    assert_eq!(metric(&out, "loss_S6"), loss);
    assert!((metric(&out, "loss_inverter") - 6.0 * loss).abs() < 1e-9 * loss);
    // Coupled steady state: T_j = T_amb + P·(R_th,jc + R_th,cs) + 6·P·R_th,ha, with
    // R_th,jc ≥ 0, so T_j is at least the case-side part of the sum.
    let floor = 65.0 + loss * 0.02 + 6.0 * loss * 0.01;
    assert!(tj > floor, "tj {tj} vs {floor}");
}

#[test]
fn device_losses_match_operating_point_model() {
    let text = EV_800V
        .replace(
            "inverter_model = \"switching\"",
            "inverter_model = \"averaged\"",
        )
        .replace("t_stop = 0.4", "t_stop = 0.02")
        .replace("steady_state_from = 0.35", "steady_state_from = 0.015")
        .replace("model = \"coupled\"", "model = \"fixed\"\ntj = 100.0");
    let out = run(&text);
    let part =
        pelab_components::library::resolve_switch_model("CREE_CAB530M12BM3").expect("library part");
    let point = pelab_components::loss::InverterOperatingPoint {
        v_dc_v: metric(&out, "v_dc"),
        i_peak_a: metric(&out, "i_phase_peak"),
        m: metric(&out, "v_d").hypot(metric(&out, "v_q")) / (0.5 * metric(&out, "v_dc")),
        phi_deg: metric(&out, "phi"),
        f_sw_hz: 20e3,
        tj_c: 100.0,
        modulation: pelab_components::loss::Modulation::Svpwm,
        synchronous_rectification: true,
    };
    let expected = pelab_components::loss::inverter_losses(part.as_ref(), &point)
        .expect("operating point in range");
    let loss = metric(&out, "loss_S1");
    assert!(
        (loss - expected.position.total_w).abs() < 1e-9 * loss,
        "{loss} vs {}",
        expected.position.total_w
    );
    assert_eq!(metric(&out, "tj_S1"), 100.0);
}

#[test]
fn rejects_unknown_position_and_part() {
    let e =
        build_error(&EV_800V.replace("all = \"CREE_CAB530M12BM3\"", "S7 = \"CREE_CAB530M12BM3\""));
    assert!(e.contains("devices.S7"), "{e}");
    let e = build_error(&EV_800V.replace("all = \"CREE_CAB530M12BM3\"", "S1 = \"NO_SUCH_PART\""));
    assert!(e.contains("devices.S1"), "{e}");
}

#[test]
fn examples_build() {
    for text in [
        EV_800V,
        include_str!("../../../examples/ev-traction-400v.toml"),
    ] {
        let design = Design::parse(text, Format::Toml).expect("example parses");
        design.build_model().expect("example builds");
    }
}

/// DC-link capacitor ripple against the carrier-averaged closed form for a two-level
/// inverter with sinusoidal phase currents and no current ripple:
/// `I_C = I_rms·sqrt(2M·(√3/(4π) + cos²φ·(√3/π − 9M/16)))`, with `M` the peak phase
/// voltage over `v_dc/2` and `φ` the power-factor angle. `L_dc = 20 µH` keeps the
/// switching ripple out of the source, whose impedance at 10 kHz (1.3 Ω) is 150 times
/// the capacitor's.
#[test]
fn capacitor_ripple_matches_closed_form() {
    for (torque, speed) in [(150.0, 3000.0), (100.0, 1500.0), (200.0, 4000.0)] {
        let text = design(
            "switching",
            "0.12e-3",
            &format!("mechanics = \"held\"\nn0 = {speed}\nl_dc = 20e-6"),
            &format!("torque_ref = [[0.0, {torque}]]"),
            "t_stop = 0.2\nsteady_state_from = 0.1\noutput_step = 1e-3",
        )
        .replace("c_dc = 500e-6", "c_dc = 2e-3")
        .replace("t_dead = 500e-9", "t_dead = 0.0");
        let out = run(&text);
        let (v_d, v_q) = (metric(&out, "v_d"), metric(&out, "v_q"));
        let (i_d, i_q) = (metric(&out, "i_d"), metric(&out, "i_q"));
        let m = v_d.hypot(v_q) / (0.5 * metric(&out, "v_dc"));
        let cos_phi = (v_q.atan2(v_d) - i_q.atan2(i_d)).cos();
        let i_rms = i_d.hypot(i_q) / 2f64.sqrt();
        let pi = std::f64::consts::PI;
        let sqrt3 = 3f64.sqrt();
        let expected = i_rms
            * (2.0 * m * (sqrt3 / (4.0 * pi) + cos_phi * cos_phi * (sqrt3 / pi - 9.0 * m / 16.0)))
                .sqrt();
        let actual = metric(&out, "i_cap_rms");
        // 3 %, because the closed form leaves out the phase-current ripple and the
        // share of ripple that still flows in the source. Measured: 0.2–1.5 %.
        assert!(
            (actual - expected).abs() < 0.03 * expected,
            "{torque} N·m at {speed} rpm: {actual} A vs {expected} A"
        );
    }
}

/// The 800 V example shortened to a few ms of averaged run, with `all` replaced.
fn ev_800v_short(part: &str) -> String {
    EV_800V
        .replace(
            "inverter_model = \"switching\"",
            "inverter_model = \"averaged\"",
        )
        .replace("t_stop = 0.4", "t_stop = 0.02")
        .replace("steady_state_from = 0.35", "steady_state_from = 0.015")
        .replace("all = \"CREE_CAB530M12BM3\"", &format!("all = \"{part}\""))
}

fn warnings(out: &ModelOutput) -> &[String] {
    &out.results.warnings
}

#[test]
fn part_below_the_link_voltage_is_flagged() {
    // A 650 V IGBT module on an 800 V link.
    let out = run(&ev_800v_short("Fuji_2MBI600XEE065-50"));
    assert!(metric(&out, "rating_violations") >= 1.0);
    assert!(metric(&out, "voltage_use_devices") > 1.2);
    assert!(
        warnings(&out)
            .iter()
            .any(|w| w.contains("V_max = 650") && w.contains("above its rating")),
        "{:?}",
        warnings(&out)
    );
    // The 1200 V SiC module of the example is within the 80 % derating.
    let out = run(&ev_800v_short("CREE_CAB530M12BM3"));
    assert_eq!(metric(&out, "rating_violations"), 0.0);
    assert!(metric(&out, "voltage_use_devices") < 0.8);
}

#[test]
fn current_and_tj_ratings_are_checked() {
    // A 650 V, 22 A GaN part at 250 A and 800 V: every rating is exceeded.
    let out = run(&ev_800v_short("GaNSystems_GS66506T"));
    let w = warnings(&out);
    assert!(
        w.iter().any(|m| m.contains("pulsed current rating")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|m| m.contains("exceeds the part's Tj_max")),
        "{w:?}"
    );
    assert!(metric(&out, "rating_violations") >= 3.0);
    assert!(metric(&out, "current_use_devices") > 1.0);
}

#[test]
fn missed_speed_reference_is_warned() {
    // At 300 V the 800 V machine cannot reach 5000 rpm against its load.
    let text = EV_800V
        .replace(
            "inverter_model = \"switching\"",
            "inverter_model = \"averaged\"",
        )
        .replace("v_dc = 800.0", "v_dc = 300.0")
        .replace(
            "speed_ref = [[0.0, 4000.0], [0.05, 5000.0]]",
            "speed_ref = [[0.0, 5000.0]]",
        )
        .replace("t_stop = 0.4", "t_stop = 0.05")
        .replace("steady_state_from = 0.35", "steady_state_from = 0.04");
    let out = run(&text);
    assert!(
        warnings(&out)
            .iter()
            .any(|w| w.starts_with("the controller missed control.speed_ref: reference 5000.0 rpm")),
        "{:?}",
        warnings(&out)
    );
    // The torque-mode run that meets its reference stays quiet.
    let out = run(&held_speed("averaged"));
    assert!(
        !warnings(&out).iter().any(|w| w.contains("missed")),
        "{:?}",
        warnings(&out)
    );
}

#[test]
fn work_budget_refuses_absurd_t_stop() {
    let text = held_speed("averaged").replace("t_stop = 0.2", "t_stop = 1e4");
    let e = build_error(&text);
    assert!(
        e.starts_with("simulation.t_stop: invalid value 10000"),
        "{e}"
    );
    assert!(e.contains("work budget"), "{e}");
    assert!(e.contains("expected at most 2000"), "{e}");
}

#[test]
fn datasheet_and_circuit_efficiencies_are_both_reported() {
    let out = run(&ev_800v_short("CREE_CAB530M12BM3"));
    let p_elec = metric(&out, "p_elec");
    let loss = metric(&out, "loss_inverter");
    let eta = metric(&out, "efficiency_inverter_datasheet");
    assert!((eta - p_elec / (p_elec + loss)).abs() < 1e-12, "{eta}");
    assert!(metric(&out, "efficiency_inverter_circuit") > 0.9);
    assert!(out.results.get("efficiency_inverter").is_none());
}
