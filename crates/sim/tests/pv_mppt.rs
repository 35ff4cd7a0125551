//! The `pv_mppt` kernel: MPPT efficiency bounds, energy balance, the settled-period
//! shortcut against full simulation, the array against the single-diode model, and
//! the errors a design gets for bad input.

use pelab_components::pv::CecDatabase;
use pelab_sim::design::{Design, Format};
use pelab_sim::models::pv::build_run;
use pelab_sim::models::pv::profile::{Profile, RampProfile};
use pelab_sim::models::pv::simulate::{Bin, PvRun};
use pelab_sim::models::pv::string::embedded_database;
use pelab_sim::models::{ModelInputs, ModelLimits, ModelOutput, ModelRun};

const MODULE: &str = "Canadian Solar Inc. CS6K-275M";
const SERIES: f64 = 12.0;

fn design(parameters: &str, control: &str, simulation: &str) -> Design {
    let text = format!(
        "kernel = \"pv_mppt\"\ntitle = \"test\"\n[parameters]\nmodule = \"{MODULE}\"\n{parameters}\n\
         [control]\n{control}\n[simulation]\n{simulation}\n"
    );
    Design::parse(&text, Format::Toml).expect("test design parses")
}

fn build(design: &Design) -> Result<PvRun, String> {
    build_run(&ModelInputs {
        parameters: &design.parameters,
        control: &design.control,
        simulation: &design.simulation,
        devices: &design.devices,
        thermal: &design.thermal,
        gate_drive: &design.gate_drive,
    })
    .map_err(|e| e.to_string())
}

fn run(mut model: PvRun) -> ModelOutput {
    model
        .run(
            &ModelLimits {
                tap: None,
                max_samples: 1_000_000,
            },
            &mut |_| {},
        )
        .expect("run succeeds")
}

fn metric(output: &ModelOutput, name: &str) -> f64 {
    output
        .results
        .get(name)
        .unwrap_or_else(|| panic!("metric {name} missing"))
}

/// Runs at constant irradiance `g` and 25 °C for `seconds`, with the result table
/// covering `from` to the end.
fn constant_run(g: f64, step_size: f64, seconds: f64, from: f64) -> ModelOutput {
    let d = design(
        "profile = \"en50530_ramps\"",
        &format!("step_size = {step_size}"),
        &format!("t_stop = {seconds}\noutput_step = 0.1"),
    );
    let mut model = build(&d).expect("valid design");
    model.profile = Profile::Ramps(RampProfile {
        corners: vec![(0.0, g), (seconds, g)],
        groups: Vec::new(),
        temp_cell: 25.0,
    });
    model.bins = vec![Bin {
        start: from,
        end: seconds,
        label: vec![g, g, 0.0, seconds - from],
    }];
    run(model)
}

/// Array maximum power and `d²P/dV²` at the MPP at `g` and 25 °C.
fn curvature(g: f64) -> (f64, f64) {
    let database: &CecDatabase = embedded_database().expect("embedded table");
    let module = database
        .find(MODULE)
        .expect("module present")
        .at(g, 25.0)
        .expect("valid");
    let mpp = module.max_power_point();
    let power = |v: f64| v * module.current(v);
    let h = 0.05;
    let second = (power(mpp.v + h) - 2.0 * power(mpp.v) + power(mpp.v - h)) / (h * h);
    // The string: V = 12 V_module, P = 12 P_module, so d²P/dV² = P''_module/12.
    (SERIES * mpp.p, second / SERIES)
}

#[test]
fn static_efficiency_within_dither_bound() {
    // P&O with step ΔV settles into v_mp + {−ΔV, 0, +ΔV, 0}, or a cycle whose points
    // lie within 1.5 ΔV of v_mp; near the MPP P = P_mp + P''(v − v_mp)²/2, so the
    // loss fraction is at most 0.625 |P''| ΔV² / P_mp.
    for step in [1.0, 4.0] {
        let output = constant_run(800.0, step, 30.0, 10.0);
        let row = &output
            .results
            .table("hourly_energy")
            .or(output.results.table("ramp_efficiency"))
            .expect("table")
            .rows[0];
        let efficiency = row[6];
        let (p_mp, p2) = curvature(800.0);
        let bound = 0.625 * p2.abs() * step * step / p_mp;
        let loss = 1.0 - efficiency / 100.0;
        println!("step {step} V: efficiency {efficiency:.5} %, loss {loss:.2e}, bound {bound:.2e}");
        assert!(loss >= 0.0, "step {step}: loss {loss}");
        assert!(
            loss <= bound,
            "step {step}: loss {loss:.3e} above the bound {bound:.3e}"
        );
    }
}

#[test]
fn harvest_never_exceeds_available() {
    let d = design(
        "profile = \"en50530_ramps\"\nramp_set = \"medium_high\"\nramp_cycles = 1\nramp_dwell = 2.0",
        "",
        "",
    );
    let output = run(build(&d).expect("valid design"));
    let table = output.results.table("ramp_efficiency").expect("ramp table");
    assert_eq!(table.rows.len(), 6);
    for row in &table.rows {
        let (available, harvested) = (row[4], row[5]);
        assert!(harvested > 0.0);
        assert!(
            harvested <= available * (1.0 + 1e-9),
            "slope {}: {harvested} > {available}",
            row[2]
        );
    }
    let harvested = metric(&output, "energy_harvested");
    let available = metric(&output, "energy_available");
    assert!(harvested <= available);
    println!(
        "static {} %, dynamic {} %",
        metric(&output, "mppt_efficiency_static"),
        metric(&output, "mppt_efficiency_dynamic")
    );
    for row in &table.rows {
        println!("{row:?}");
    }
}

#[test]
fn day_window_energy_balance() {
    let d = design("day = 172", "", "t_start = 43200.0\nt_stop = 43800.0");
    let output = run(build(&d).expect("valid design"));
    let harvested = metric(&output, "energy_harvested");
    let available = metric(&output, "energy_available");
    assert!(harvested > 0.99 * available, "{harvested} vs {available}");
    assert!(harvested <= available);
}

#[test]
fn settled_skip_matches_full_simulation() {
    let ramps = "profile = \"en50530_ramps\"\nramp_set = \"medium_high\"\nramp_cycles = 1\nramp_dwell = 2.0";
    let window = "t_stop = 40.0";
    let skip = run(build(&design(ramps, "", window)).expect("valid"));
    let full =
        run(build(&design(ramps, "", &format!("{window}\nmethod = \"full\""))).expect("valid"));
    let (a, b) = (
        metric(&skip, "energy_harvested"),
        metric(&full, "energy_harvested"),
    );
    assert!((a - b).abs() < 1e-4 * b, "harvested {a} vs {b}");
    let (ea, eb) = (
        metric(&skip, "mppt_efficiency"),
        metric(&full, "mppt_efficiency"),
    );
    assert!((ea - eb).abs() < 0.01, "efficiency {ea} vs {eb}");
    assert!(
        skip.steps * 5 < full.steps,
        "{} vs {} steps",
        skip.steps,
        full.steps
    );
}

#[test]
fn recorded_array_matches_single_diode() {
    let d = design(
        "day = 172",
        "",
        "t_start = 43200.0\nt_stop = 43260.0\noutput_step = 1.0",
    );
    let output = run(build(&d).expect("valid design"));
    let w = &output.waveforms;
    let column = |name: &str| {
        w.column(
            w.signals()
                .iter()
                .position(|s| s.name == name)
                .expect("signal"),
        )
        .expect("column")
    };
    let (g, t, v, i, p_mp) = (
        column("g_poa"),
        column("t_cell"),
        column("v_pv"),
        column("i_pv"),
        column("p_mp"),
    );
    let database = embedded_database().expect("embedded table");
    let module = database.find(MODULE).expect("module present");
    assert!(g.len() >= 59);
    for k in 0..g.len() {
        let diode = module.at(g[k], t[k]).expect("valid condition");
        let expected_p = SERIES * diode.max_power_point().p;
        assert!(
            (p_mp[k] - expected_p).abs() < 1e-8 * expected_p,
            "sample {k}: P_mp {} vs {expected_p}",
            p_mp[k]
        );
        let expected_i = diode.current(v[k] / SERIES);
        assert!(
            (i[k] - expected_i).abs() < 1e-6 * diode.i_l,
            "sample {k}: i {} vs {expected_i}",
            i[k]
        );
    }
}

fn error_of(parameters: &str, control: &str, simulation: &str) -> String {
    let d = design(parameters, control, simulation);
    match build(&d) {
        Ok(_) => panic!("expected an error for {parameters:?} {control:?} {simulation:?}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_module_lists_closest_names() {
    let text = "kernel = \"pv_mppt\"\n[parameters]\nmodule = \"Canadian Solar CS6K-275\"\n";
    let d = Design::parse(text, Format::Toml).expect("parses");
    let message = build(&d).expect_err("unknown module rejected");
    assert!(message.starts_with("parameters.module"), "{message}");
    assert!(message.contains("closest names"), "{message}");
    assert!(message.contains("CS6K-275"), "{message}");
}

#[test]
fn bad_designs_name_the_field() {
    let cases = [
        ("v_bus = 300.0", "", "", "parameters.v_bus"),
        (
            "",
            "bandwidth_current = 5000.0",
            "",
            "control.bandwidth_current",
        ),
        (
            "",
            "bandwidth_voltage = 900.0",
            "",
            "control.bandwidth_voltage",
        ),
        (
            "",
            "f_ctrl = 10000.0\nbandwidth_current = 1000.0\nbandwidth_voltage = 250.0\nmppt_rate = 900.0",
            "",
            "control.mppt_rate",
        ),
        ("", "step_size = 1000.0", "", "control.step_size"),
        (
            "",
            "step = \"variable\"\nstep_max = 100.0",
            "",
            "control.step_max",
        ),
        (
            "",
            "step = \"variable\"\nstep_min = 2.0\nstep_max = 1.0",
            "",
            "control.step_max",
        ),
        (
            "weather_file = \"/nonexistent/tmy.csv\"",
            "",
            "",
            "parameters.weather_file",
        ),
        (
            "module_file = \"/nonexistent/cec.csv\"",
            "",
            "",
            "parameters.module_file",
        ),
        (
            "",
            "",
            "t_start = 50000.0\nt_stop = 40000.0",
            "simulation.t_start",
        ),
        ("", "", "t_stop = 90000.0", "simulation.t_stop"),
    ];
    for (parameters, control, simulation, field) in cases {
        let message = error_of(parameters, control, simulation);
        assert!(message.starts_with(field), "{field}: {message}");
        assert!(
            message.contains("invalid value") || message.contains("cannot read"),
            "{field}: {message}"
        );
    }
}

#[test]
fn out_of_range_day_is_rejected() {
    let text = format!("kernel = \"pv_mppt\"\n[parameters]\nmodule = \"{MODULE}\"\nday = 366\n");
    let message = Design::parse(&text, Format::Toml)
        .err()
        .expect("day 366 rejected")
        .to_string();
    assert!(message.contains("parameters.day"), "{message}");
    assert!(message.contains("from 1 to 365"), "{message}");
}

#[test]
fn kilowatt_weather_file_is_rejected() {
    let path = std::env::temp_dir().join(format!("pelab-pv-kw-{}.csv", std::process::id()));
    let text =
        pelab_sim::models::pv::weather::EMBEDDED_TMY3.replacen("GHI (W/m^2)", "GHI (kW/m^2)", 1);
    std::fs::write(&path, text).expect("temp file written");
    let message = error_of(
        &format!("weather_file = {:?}", path.display().to_string()),
        "",
        "",
    );
    std::fs::remove_file(&path).ok();
    assert!(message.starts_with("parameters.weather_file"), "{message}");
    assert!(message.contains("kW/m^2"), "{message}");
}

/// A step of 1000 V on a string with V_oc(STC) = 459.6 V (12 modules) is refused with the
/// accepted range (10 % of V_oc); 20 V (4.4 %) builds with a warning; the example's
/// 1 V builds without one.
#[test]
fn mppt_step_bounded_by_string() {
    let message = error_of("", "step_size = 1000.0", "");
    assert!(message.starts_with("control.step_size"), "{message}");
    assert!(message.contains("invalid value 1000 V"), "{message}");
    assert!(message.contains("at most 46.0 V"), "{message}");
    assert!(message.contains("open-circuit voltage at STC"), "{message}");

    let warned = build(&design("", "step_size = 20.0", "")).expect("20 V builds");
    assert!(
        warned
            .warnings
            .iter()
            .any(|w| w.contains("control.step_size = 20 V")),
        "{:?}",
        warned.warnings
    );
    let quiet = build(&design("", "step_size = 1.0", "")).expect("1 V builds");
    assert!(quiet.warnings.is_empty(), "{:?}", quiet.warnings);
}

/// Units follow the other kernels: `W/m²` and `°C` on the waveforms, and the count
/// `mppt_updates` has the empty unit that the CLI prints without decimals.
#[test]
fn units_match_other_kernels() {
    let output = constant_run(800.0, 1.0, 2.0, 0.0);
    let unit_of = |name: &str| {
        output
            .waveforms
            .signals()
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.unit.clone())
            .unwrap_or_else(|| panic!("signal {name} missing"))
    };
    assert_eq!(unit_of("g_poa"), "W/m²");
    assert_eq!(unit_of("t_cell"), "°C");
    let updates = output
        .results
        .metrics
        .iter()
        .find(|m| m.name == "mppt_updates")
        .expect("mppt_updates");
    assert_eq!(updates.unit, "");
    assert_eq!(updates.value.fract(), 0.0);
    let table = output.results.table("ramp_efficiency").expect("ramp table");
    assert_eq!(table.columns[0].unit, "W/m²");
    assert_eq!(table.columns[2].unit, "W/m²/s");
}
