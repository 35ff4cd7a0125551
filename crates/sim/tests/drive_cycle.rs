//! The `drive_cycle` kernel against closed forms, an independent numpy computation
//! (`scripts/drive/make_cycle_reference.py`, output in `tests/data/`), its own energy
//! bookkeeping, and bad input.

use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::{SimulationOutput, simulate_design};

/// The vehicle of `scripts/drive/make_cycle_reference.py`.
const VEHICLE: &str = "mass = 1600.0\nk_rot = 1.04\nc_d = 0.30\nfrontal_area = 2.2\nc_rr = 0.01\nair_density = 1.2\ngrade = 0.02\n";

/// A representative 400 V interior PMSM with a SiC module.
const DRIVE: &str = "wheel_radius = 0.33\ngear_ratio = 9.0\ngearbox_efficiency = 0.97\naux_power = 400.0\n\
regen_share = 0.9\nregen_power_max = 80e3\nl_d = 0.2e-3\nl_q = 0.55e-3\npsi = 0.065\nr_s = 0.012\npole_pairs = 4\n\
i_max = 450.0\nv_dc = 400.0\nf_sw = 10e3\n";

const COUPLED: &str = "[thermal]\nmodel = \"coupled\"\nt_ambient = 65.0\nr_th_cs = 0.03\nr_th_ha = 0.02\nc_th_ha = 800.0\n";

fn design(parameters: &str, extra: &str) -> String {
    format!(
        "kernel = \"drive_cycle\"\n[parameters]\n{VEHICLE}{DRIVE}{parameters}\n[devices]\nall = \"CREE_CAB530M12BM3\"\n{extra}"
    )
}

fn run(text: &str) -> SimulationOutput {
    let design =
        Design::parse(text, Format::Toml).unwrap_or_else(|e| panic!("design rejected: {e}"));
    simulate_design(&design, &mut |_| {}).unwrap_or_else(|e| panic!("run failed: {e}"))
}

fn metric(out: &SimulationOutput, name: &str) -> f64 {
    out.model
        .as_ref()
        .expect("model summary")
        .results
        .get(name)
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

fn build_error(text: &str) -> String {
    let design = match Design::parse(text, Format::Toml) {
        Ok(design) => design,
        Err(e) => return e.to_string(),
    };
    match design.build_model() {
        Ok(_) => panic!("the design must be rejected"),
        Err(e) => e.to_string(),
    }
}

/// A cycle file in the temp directory, removed on drop.
struct TempCycle(std::path::PathBuf);

impl TempCycle {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "pelab-drive-cycle-{}-{name}.csv",
            std::process::id()
        ));
        std::fs::write(&path, text).expect("temp dir writable");
        Self(path)
    }

    fn toml_path(&self) -> String {
        self.0.display().to_string().replace('\\', "/")
    }
}

impl Drop for TempCycle {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn road_load_matches_closed_form() {
    // 50 km/h for 25 s, a 5 s ramp, then 120 km/h, on a 1 % grade in the file and
    // the design's 2 % on top.
    let mut text = String::from("time_s,speed_kmh,grade\n");
    for t in 0..=60 {
        let kmh = match t {
            0..=25 => 50.0,
            26..=30 => 50.0 + 14.0 * f64::from(t - 25),
            _ => 120.0,
        };
        text.push_str(&format!("{t},{kmh},0.01\n"));
    }
    let cycle = TempCycle::new("plateaus", &text);
    let out = run(&design(
        &format!("cycle = \"file\"\ncycle_file = \"{}\"", cycle.toml_path()),
        "",
    ));
    let w = &out.waveforms;
    let time = w.time();
    let force = w.signal("wheel_force").expect("recorded");
    let theta = (0.01f64 + 0.02).atan();
    let closed_form = |kmh: f64| {
        let v: f64 = kmh / 3.6;
        0.5 * 1.2 * 0.30 * 2.2 * v * v
            + 1600.0 * 9.80665 * 0.01 * theta.cos()
            + 1600.0 * 9.80665 * theta.sin()
    };
    for (t_check, kmh) in [(10.0, 50.0), (20.0, 50.0), (45.0, 120.0), (59.0, 120.0)] {
        let index = time
            .iter()
            .position(|&t| t > t_check)
            .expect("inside the run");
        let expected = closed_form(kmh);
        let relative = (force[index] - expected).abs() / expected;
        assert!(
            relative < 1e-12,
            "{kmh} km/h at t = {t_check} s: {} N, closed form {expected} N",
            force[index]
        );
    }
}

#[test]
fn cycles_match_numpy_reference() {
    let reference = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/drive_cycle_reference.csv"
    ))
    .expect("reference committed");
    for line in reference.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let number = |i: usize| fields[i].parse::<f64>().expect("reference number");
        let (name, distance, traction, braking) = (fields[0], number(1), number(2), number(3));
        let out = run(&design(&format!("cycle = \"{name}\""), ""));

        // Distance: both exact integrals of the piecewise-linear speed.
        let relative = (metric(&out, "distance") - distance).abs() / distance;
        assert!(relative < 1e-9, "{name}: distance off by {relative:e}");

        // Wheel energies: 10 ms midpoint rule here, 1 ms trapezoid in numpy, and
        // neither straddles a sample time. They differ by the quadrature error of the
        // v³ drag term and of the kinks where the power changes sign, about 1e-8.
        let relative = (metric(&out, "wheel_energy_traction") - traction).abs() / traction;
        assert!(
            relative < 1e-6,
            "{name}: traction energy off by {relative:e}"
        );
        let relative = (metric(&out, "wheel_energy_braking") - braking).abs() / braking;
        assert!(
            relative < 1e-6,
            "{name}: braking energy off by {relative:e}"
        );
    }
}

#[test]
fn energy_balance_closes() {
    let out = run(&design("cycle = \"us06\"", COUPLED));
    let residual = metric(&out, "energy_balance_residual");
    assert!(residual.abs() < 1e-9, "residual {residual:e}");

    let battery = metric(&out, "battery_energy");
    let parts = metric(&out, "wheel_energy_traction") - metric(&out, "wheel_energy_braking")
        + metric(&out, "friction_brake_energy")
        - metric(&out, "unmet_wheel_energy")
        + metric(&out, "gearbox_loss_energy")
        + metric(&out, "motor_loss_energy")
        + metric(&out, "inverter_loss_energy")
        + metric(&out, "aux_energy");
    let relative = (battery - parts).abs() / metric(&out, "battery_discharge_energy");
    assert!(relative < 1e-9, "battery {battery} Wh, parts {parts} Wh");
}

#[test]
fn losses_and_tj_are_plausible() {
    let out = run(&design("cycle = \"us06\"", COUPLED));
    let efficiency = metric(&out, "inverter_efficiency");
    assert!(efficiency > 0.95, "efficiency {efficiency}");
    assert!(efficiency < 0.999, "efficiency {efficiency}");
    let tj = metric(&out, "tj_peak");
    assert!(tj > 65.0, "Tj peak {tj} °C below the coolant");
    assert!(tj < 150.0, "Tj peak {tj} °C");
    assert_eq!(metric(&out, "envelope_violations"), 0.0);
    let tj_trace = out.waveforms.signal("tj_max").expect("recorded");
    assert!(
        (tj_trace[0] - 65.0).abs() < 1e-9,
        "starts at {} °C, not at the coolant temperature",
        tj_trace[0]
    );
}

#[test]
fn settled_start_begins_warm() {
    let thermal = format!("{COUPLED}start = \"settled\"\n");
    let out = run(&design("cycle = \"hwfet\"", &thermal));
    let tj_trace = out.waveforms.signal("tj_max").expect("recorded");
    assert!(tj_trace[0] > 66.0, "Tj starts at {} °C", tj_trace[0]);
}

#[test]
fn envelope_violations_counted() {
    let text = design("cycle = \"us06\"", "[simulation]\nt_stop = 200.0\n")
        .replace("i_max = 450.0", "i_max = 120.0");
    let out = run(&text);
    let violations = metric(&out, "envelope_violations");
    assert!(violations > 0.0);
    assert!(metric(&out, "unmet_wheel_energy") > 0.0);
    let warnings = &out.model.as_ref().expect("summary").results.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("the drive cannot follow the cycle")),
        "{warnings:?}"
    );
    let residual = metric(&out, "energy_balance_residual");
    assert!(residual.abs() < 1e-9, "residual {residual:e}");
}

#[test]
fn output_step_decimates() {
    let out = run(&design(
        "cycle = \"hwfet\"",
        "[simulation]\nt_stop = 100.0\noutput_step = 0.5\n",
    ));
    assert_eq!(out.waveforms.len(), 200);
    assert_eq!(out.waveforms.time()[1] - out.waveforms.time()[0], 0.5);
}

#[test]
fn bad_cycle_file_names_line() {
    let cycle = TempCycle::new("bad", "time_s,speed_mps\n0,0\n1,2\n0.5,3\n");
    let message = build_error(&design(
        &format!("cycle = \"file\"\ncycle_file = \"{}\"", cycle.toml_path()),
        "",
    ));
    assert!(message.starts_with("parameters.cycle_file"), "{message}");
    assert!(
        message.contains("line 4: time 0.5 s does not increase"),
        "{message}"
    );
}

#[test]
fn missing_cycle_file_rejected() {
    let message = build_error(&design("cycle = \"file\"", ""));
    assert!(
        message.starts_with("parameters.cycle_file: missing"),
        "{message}"
    );
    let message = build_error(&design(
        "cycle = \"file\"\ncycle_file = \"/nonexistent/cycle.csv\"",
        "",
    ));
    assert!(
        message.contains("cannot read /nonexistent/cycle.csv"),
        "{message}"
    );
}

#[test]
fn salient_machine_with_ld_above_lq_rejected() {
    let message = build_error(&design("", "").replace("l_d = 0.2e-3", "l_d = 0.6e-3"));
    assert!(
        message.starts_with("parameters.l_d: invalid value 0.0006"),
        "{message}"
    );
}

#[test]
fn devices_take_one_part_as_all_or_s() {
    let text = design("", "").replace("all = \"CREE", "T1 = \"CREE");
    let message = build_error(&text);
    assert!(message.starts_with("devices.T1"), "{message}");
    let text = design("", "").replace("all = \"CREE_CAB530M12BM3\"", "all = \"NO_SUCH_PART\"");
    let message = build_error(&text);
    assert!(
        message.starts_with("devices.all: unknown part"),
        "{message}"
    );
    // `S` stays accepted as the name of earlier designs.
    let text = design("", "").replace("all = \"CREE", "S = \"CREE");
    let design = Design::parse(&text, Format::Toml).expect("design parses");
    assert!(design.build_model().is_ok(), "S must stay accepted");
}

/// A machine block of `pmsm_drive` (`l_d`, `l_q`, `psi`, `r_s`, `pole_pairs`) is
/// accepted by `drive_cycle` unchanged.
#[test]
fn machine_names_match_pmsm_drive() {
    let pmsm = include_str!("../../../examples/ev-traction-400v.toml");
    let table: toml::Table = pmsm.parse().expect("example parses");
    let parameters = table["parameters"].as_table().expect("[parameters]");
    for name in ["l_d", "l_q", "psi", "r_s", "pole_pairs"] {
        assert!(
            parameters.contains_key(name),
            "pmsm_drive example lacks {name}"
        );
        assert!(
            design("", "").contains(&format!("\n{name} = ")),
            "drive_cycle design lacks {name}"
        );
    }
}

#[test]
fn t_stop_beyond_cycle_rejected() {
    let message = build_error(&design(
        "cycle = \"us06\"",
        "[simulation]\nt_stop = 601.0\n",
    ));
    assert!(
        message.starts_with("simulation.t_stop: invalid value 601"),
        "{message}"
    );
}

#[test]
fn coupled_without_heatsink_rejected() {
    let message = build_error(&design("", "[thermal]\nmodel = \"coupled\"\n"));
    assert!(message.starts_with("thermal.r_th_ha: missing"), "{message}");
}

#[test]
fn examples_validate() {
    for name in ["ev-wltc-400v.toml", "ev-wltc-800v.toml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name);
        let design = Design::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        design
            .build_model()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn gate_resistance_scales_losses() {
    let simulation = "[simulation]\nt_stop = 100.0\n";
    let datasheet = run(&design("cycle = \"hwfet\"", simulation));
    let slow_gate = run(&design(
        "cycle = \"hwfet\"",
        &format!("{simulation}[gate_drive]\nr_g_on = 10.0\nr_g_off = 10.0\n"),
    ));
    let (fast, slow) = (
        metric(&datasheet, "inverter_loss_energy"),
        metric(&slow_gate, "inverter_loss_energy"),
    );
    assert!(
        slow > 1.05 * fast,
        "10 Ω gates: {slow} Wh, datasheet: {fast} Wh"
    );
}

#[test]
fn output_step_must_be_multiple() {
    let message = build_error(&design(
        "cycle = \"us06\"",
        "[simulation]\noutput_step = 0.015\n",
    ));
    assert!(
        message.starts_with("simulation.output_step: invalid value 0.015"),
        "{message}"
    );
}

#[test]
fn power_factor_changes_sign_in_regen() {
    let out = run(&design(
        "cycle = \"us06\"",
        "[simulation]\nt_stop = 120.0\n",
    ));
    let w = &out.waveforms;
    let power = w.signal("motor_power").expect("recorded");
    let pf = w.signal("power_factor").expect("recorded");
    for (p, f) in power.iter().zip(pf) {
        assert!(f.abs() <= 1.0 + 1e-12, "power factor {f}");
        if *p > 1e3 {
            assert!(*f > 0.0, "motoring at {p} W with power factor {f}");
        }
        if *p < -1e3 {
            assert!(*f < 0.0, "generating at {p} W with power factor {f}");
        }
    }
}

#[test]
fn unreachable_speed_is_a_trace_miss() {
    // ψ − L_d·i_max = 0.015 V·s: at 60 V the speed range ends near 20 m/s, below the
    // HWFET's 26.8 m/s. The vehicle cannot get faster than the drive allows, so it
    // falls behind the trace instead of turning the motor beyond its voltage limit.
    let text = design("cycle = \"hwfet\"", "")
        .replace("i_max = 450.0", "i_max = 250.0")
        .replace("v_dc = 400.0", "v_dc = 60.0");
    let out = run(&text);
    let warnings = &out.model.as_ref().expect("summary").results.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("the drive cannot follow the cycle")),
        "{warnings:?}"
    );
    let speed = out.waveforms.signal("speed").expect("recorded");
    let top = speed.iter().copied().fold(0.0, f64::max);
    assert!(top < 22.0, "top speed {top} m/s");
    assert!(metric(&out, "distance") < 0.95 * metric(&out, "cycle_distance"));
}

/// With `i_max = 50` A the car cannot follow the WLTC: it drives what the available
/// force allows (forward integration), returns to the trace when it catches up, and
/// the energy per km is over the distance actually driven.
#[test]
fn trace_miss_drives_the_available_force() {
    let out = run(&design("i_max = 50.0", "").replace("i_max = 450.0\n", ""));
    let miss = metric(&out, "trace_miss_time");
    assert!(miss > 10.0, "trace-miss time {miss} s");
    let (driven, cycle) = (metric(&out, "distance"), metric(&out, "cycle_distance"));
    assert!(driven < 0.99 * cycle, "{driven} m of {cycle} m");
    assert!(metric(&out, "speed_deficit_max") > 10.0);
    assert!(metric(&out, "unmet_wheel_energy") > 0.0);
    let per_km = metric(&out, "battery_energy_per_km");
    let expected = metric(&out, "battery_energy") / (driven / 1e3);
    assert!(
        (per_km - expected).abs() < 1e-9 * expected,
        "{per_km} against {expected}"
    );
    let residual = metric(&out, "energy_balance_residual");
    assert!(residual.abs() < 1e-9, "residual {residual}");

    let w = &out.waveforms;
    let speed = w.signal("speed").expect("recorded");
    let trace = w.signal("cycle_speed").expect("recorded");
    let mut behind = false;
    let mut rejoined = false;
    for (v, target) in speed.iter().zip(trace) {
        // Never ahead of the trace by more than the half-step interpolation.
        assert!(*v <= target + 0.05, "speed {v} above the trace's {target}");
        if target - v > 1.0 {
            behind = true;
        } else if behind && (target - v).abs() < 1e-9 {
            rejoined = true;
        }
    }
    assert!(
        behind && rejoined,
        "the car must fall behind and rejoin the trace"
    );
}

#[test]
fn standing_inverter_has_no_loss() {
    let out = run(&design("cycle = \"udds\"", "[simulation]\nt_stop = 30.0\n"));
    let w = &out.waveforms;
    let speed = w.signal("speed").expect("recorded");
    let loss = w.signal("inverter_loss").expect("recorded");
    // UDDS stands for its first 20 s.
    assert_eq!(speed[100], 0.0);
    assert_eq!(loss[100], 0.0);
    let moving = speed.iter().position(|&v| v > 1.0).expect("the car moves");
    assert!(loss[moving] > 0.0);
}

#[test]
fn cruise_loss_matches_component_model() {
    use pelab_components::library::load_transistor;
    use pelab_components::loss::{InverterOperatingPoint, Modulation, inverter_losses};

    // 90 km/h held for 40 s after a 10 s ramp, junctions fixed at 100 °C.
    let mut text = String::from("time_s,speed_kmh\n");
    for t in 0..=50 {
        let kmh = if t < 10 { 9.0 * f64::from(t) } else { 90.0 };
        text.push_str(&format!("{t},{kmh}\n"));
    }
    let cycle = TempCycle::new("cruise", &text);
    let out = run(&design(
        &format!("cycle = \"file\"\ncycle_file = \"{}\"", cycle.toml_path()),
        "[thermal]\nmodel = \"fixed\"\ntj = 100.0\n",
    ));
    let w = &out.waveforms;
    let at = |name: &str| w.signal(name).expect("recorded")[4000];
    let (i_d, i_q) = (at("i_d"), at("i_q"));
    let power_factor = at("power_factor");
    let point = InverterOperatingPoint {
        v_dc_v: 400.0,
        i_peak_a: i_d.hypot(i_q),
        m: at("modulation_index"),
        // The power factor is positive when motoring, so the angle is within ±90°; its
        // sign does not change the losses, which depend on cos φ and cos 3φ.
        phi_deg: power_factor.acos().to_degrees(),
        f_sw_hz: 10e3,
        tj_c: 100.0,
        modulation: Modulation::Svpwm,
        synchronous_rectification: true,
    };
    let part = load_transistor("CREE_CAB530M12BM3").expect("built-in part");
    let direct = inverter_losses(&part, &point)
        .expect("valid operating point")
        .total_w;
    let kernel = at("inverter_loss");
    let relative = (kernel - direct).abs() / direct;
    assert!(
        relative < 0.005,
        "kernel {kernel} W, component model {direct} W at {point:?}"
    );
}

/// The part's ratings are checked in drive_cycle too: a 650 V IGBT module on an
/// 800 V link and a 650 V, 22 A GaN transistor at 450 A.
#[test]
fn part_ratings_are_checked() {
    let short = "[simulation]\nt_stop = 60.0\n";
    let text = design("cycle = \"us06\"", short)
        .replace("v_dc = 400.0", "v_dc = 800.0")
        .replace("CREE_CAB530M12BM3", "Fuji_2MBI600XEE065-50");
    let out = run(&text);
    let warnings = &out.model.as_ref().expect("summary").results.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("V_max = 650") && w.contains("above its rating")),
        "{warnings:?}"
    );
    assert!(metric(&out, "rating_violations") >= 1.0);
    assert!(metric(&out, "voltage_use_devices") > 1.2);

    let text = design(
        "cycle = \"us06\"",
        &format!("{short}[thermal]\nmodel = \"fixed\"\ntj = 100.0\n"),
    )
    .replace("CREE_CAB530M12BM3", "GaNSystems_GS66506T");
    let out = run(&text);
    let warnings = &out.model.as_ref().expect("summary").results.warnings;
    assert!(
        warnings.iter().any(|w| w.contains("pulsed current rating")),
        "{warnings:?}"
    );
    assert!(metric(&out, "current_use_devices") > 1.0);

    // The 1200 V SiC module at 400 V passes.
    let out = run(&design("cycle = \"us06\"", short));
    assert_eq!(metric(&out, "rating_violations"), 0.0);
}
