//! The `pelab` binary as a user runs it: exit codes, messages and output files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pelab"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("the pelab binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const SMALL_BOOST: &str = r#"
kernel = "boost"
title = "small boost"
[parameters]
v_in = 12.0
l = 47e-6
c = 47e-6
r_load = 20.0
f_sw = 100e3
v_out0 = 20.0
i_l0 = 1.16
[control]
duty = 0.4
[simulation]
t_stop = 3e-3
output_step = 200e-9
"#;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file written");
    path.to_string_lossy().into_owned()
}

#[test]
fn list_shows_kernels_with_units() {
    let out = pelab(&["sim", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let kernels = [
        "buck",
        "boost",
        "bidirectional",
        "interleaved_boost",
        "pmsm_drive",
        "grid_tie",
        "llc",
        "drive_cycle",
        "pv_mppt",
    ];
    for kernel in kernels {
        assert!(
            text.contains(&format!("{kernel}: ")),
            "kernel {kernel} missing"
        );
    }
    assert!(
        text.contains("f_sw") && text.contains("[Hz]"),
        "units missing"
    );
    let json = pelab(&["sim", "list", "--json"]);
    let parsed: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("list --json is JSON");
    // One entry per registered kernel, so adding a kernel does not break this test.
    assert_eq!(
        parsed.as_array().map(Vec::len),
        Some(pelab_sim::kernels::registry().len())
    );
    let names: Vec<&str> = parsed
        .as_array()
        .expect("list --json is an array")
        .iter()
        .filter_map(|k| k["name"].as_str())
        .collect();
    for kernel in kernels {
        assert!(
            names.contains(&kernel),
            "kernel {kernel} missing from --json"
        );
    }
}

#[test]
fn every_example_validates() {
    let examples = std::fs::read_dir(workspace_root().join("examples")).expect("examples folder");
    let mut count = 0;
    for entry in examples {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let out = pelab(&["sim", "validate", path.to_str().expect("UTF-8 path")]);
        assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
        count += 1;
    }
    assert!(count >= 4, "only {count} examples");
}

#[test]
fn run_writes_csv_pwf_and_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = write(&dir, "boost.toml", SMALL_BOOST);
    let csv = dir.path().join("wave.csv");
    let summary = dir.path().join("summary.json");
    let out = pelab(&[
        "sim",
        "run",
        &design,
        "--out",
        csv.to_str().expect("UTF-8"),
        "--summary",
        summary.to_str().expect("UTF-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("efficiency"), "{}", stdout(&out));

    let text = std::fs::read_to_string(&csv).expect("CSV written");
    let mut lines = text.lines();
    let header = lines.next().expect("header line");
    assert!(header.starts_with("time[s],v(in)[V]"), "{header}");
    assert!(header.contains("i(L1)[A]"), "{header}");
    // 3 ms at 200 ns: 15 001 grid samples, plus a pair of samples (just before and
    // just after) at every switching event between grid times.
    let times: Vec<f64> = lines
        .map(|line| {
            line.split(',')
                .next()
                .and_then(|t| t.parse().ok())
                .expect("time column")
        })
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "time must not decrease"
    );
    let on_grid = times
        .iter()
        .filter(|t| ((*t / 200e-9) - (*t / 200e-9).round()).abs() < 1e-6)
        .count();
    assert!(on_grid >= 15_001, "{on_grid} grid samples");
    assert!(
        times.len() > 15_001,
        "no event samples among {}",
        times.len()
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).expect("summary written"))
            .expect("JSON");
    let efficiency = json["efficiency"].as_f64().expect("efficiency present");
    assert!(efficiency > 0.8 && efficiency < 1.0, "{efficiency}");
    assert_eq!(json["design"]["kernel"], "boost");

    let pwf = dir.path().join("wave.pwf");
    let out = pelab(&[
        "sim",
        "run",
        &design,
        "-q",
        "--out",
        pwf.to_str().expect("UTF-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let waveforms = pelab_waveform::pwf::read_pwf_file(&pwf).expect("valid .pwf");
    assert_eq!(
        waveforms.len(),
        times.len(),
        "CSV and .pwf hold the same samples"
    );
}

#[test]
fn invalid_design_exits_2_naming_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("l = 47e-6", "l = -47e-6", "parameters.l"),
        ("duty = 0.4", "duty = 1.4", "control.duty"),
        ("f_sw = 100e3", "f_sw = nan", "parameters.f_sw"),
        (
            "output_step = 200e-9",
            "output_step = 1e-6",
            "simulation.output_step",
        ),
        (
            "t_stop = 3e-3",
            "t_stop = 10.0\nmax_samples = 1000",
            "simulation",
        ),
        (
            "r_load = 20.0",
            "r_load = 20.0\nbogus = 1",
            "parameters.bogus",
        ),
    ];
    for (from, to, field) in cases {
        let design = write(&dir, "bad.toml", &SMALL_BOOST.replace(from, to));
        for command in ["validate", "run"] {
            let out = pelab(&["sim", command, &design]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} with {to}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(field),
                "{command} with {to}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn missing_file_and_bad_netlist_exit_2() {
    let out = pelab(&["sim", "run", "no/such/design.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));

    let dir = tempfile::tempdir().expect("temp dir");
    let netlist = write(
        &dir,
        "bad.cir",
        "title\nV1 in 0 DC 10\nR1 in 0 -5\n.tran 1u 1m\n",
    );
    let out = pelab(&["sim", "run", &netlist]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));

    let loop_netlist = write(
        &dir,
        "loop.cir",
        "title\nV1 in 0 DC 10\nC1 in 0 1u\n.tran 1u 1m\n",
    );
    let out = pelab(&["sim", "validate", &loop_netlist]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("V1") && stderr(&out).contains("C1"),
        "{}",
        stderr(&out)
    );

    let out = pelab(&["sim", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn netlist_runs_and_exports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let netlist = write(
        &dir,
        "rc.cir",
        "rc\nV1 in 0 DC 10\nR1 in out 1k\nC1 out 0 1u\n.tran 10u 5m\n",
    );
    let out = pelab(&["sim", "run", &netlist]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("v(out)"), "{}", stdout(&out));

    let design = write(&dir, "boost.toml", SMALL_BOOST);
    let out = pelab(&["sim", "netlist", &design]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(".model SMOD SW") && text.contains(".tran"),
        "{text}"
    );
    // The synchronous boost's body diodes DS1 and DS2 become XSPICE instances.
    assert!(
        text.contains("\nADS1 0 sw DMOD"),
        "diodes must be A elements for ngspice: {text}"
    );
    assert!(text.contains(" uic"), ".tran must carry uic: {text}");
    // The exported netlist runs on its own, in pelab and, where installed, in ngspice.
    let exported = write(&dir, "exported.cir", &text);
    let out = pelab(&["sim", "run", &exported, "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let raw = dir.path().join("exported.raw");
    match Command::new("ngspice")
        .arg("-b")
        .arg("-r")
        .arg(&raw)
        .arg(&exported)
        .output()
    {
        Ok(run) => assert!(
            run.status.success(),
            "ngspice rejected the export: {}",
            String::from_utf8_lossy(&run.stdout)
        ),
        Err(_) => eprintln!("skipped: ngspice is not installed"),
    }
}

#[test]
fn design_reference_doc_is_current() {
    let out = pelab(&["sim", "list", "--markdown"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let generated = stdout(&out);
    let doc =
        std::fs::read_to_string(workspace_root().join("docs/design-files.md")).expect("doc exists");
    let begin = "<!-- BEGIN GENERATED REFERENCE -->\n";
    let end = "<!-- END GENERATED REFERENCE -->";
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let stop = doc.find(end).expect("end marker");
    assert!(
        doc[start..stop] == generated,
        "docs/design-files.md is stale: run scripts/update-design-reference.sh"
    );
}

#[test]
fn thd_option_reports_and_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let netlist = write(
        &dir,
        "sine.cir",
        "sine\nV1 in 0 SIN(0 10 50)\nR1 in out 1\nL1 out 0 10m\n.tran 10u 0.2 0.1\n",
    );
    let out = pelab(&[
        "sim", "run", &netlist, "--thd", "v(in)@50", "--thd", "i(L1)@50",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // A linear circuit driven by a sine has no harmonics once the L/R = 10 ms transient
    // has decayed; samples are kept from 0.1 s.
    for line in text.lines().filter(|l| l.starts_with("THD of")) {
        let percent: f64 = line
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|v| v.parse().ok())
            .expect("THD value printed");
        assert!(percent < 0.5, "{line}");
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("THD of")).count(),
        2,
        "{text}"
    );

    for bad in ["v(in)", "v(in)@-50", "v(in)@abc", "v(nowhere)@50"] {
        let out = pelab(&["sim", "run", &netlist, "-q", "--thd", bad]);
        assert_eq!(out.status.code(), Some(2), "--thd {bad}: {}", stderr(&out));
    }

    // Samples every 10 µs put the Nyquist frequency at 50 kHz. Harmonic 50 of 900 Hz
    // lies below it, harmonic 50 of 2 kHz does not, and harmonic 20 of 2 kHz does again.
    let ok = pelab(&["sim", "run", &netlist, "-q", "--thd", "v(in)@900"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let aliased = pelab(&["sim", "run", &netlist, "-q", "--thd", "v(in)@1e6"]);
    assert_eq!(aliased.status.code(), Some(2), "{}", stderr(&aliased));
    assert!(stderr(&aliased).contains("Nyquist"), "{}", stderr(&aliased));
    let order = pelab(&["sim", "run", &netlist, "-q", "--thd", "v(in)@2000"]);
    assert_eq!(order.status.code(), Some(2), "{}", stderr(&order));
    let lower = pelab(&[
        "sim",
        "run",
        &netlist,
        "-q",
        "--thd",
        "v(in)@2000",
        "--thd-order",
        "20",
    ]);
    assert!(lower.status.success(), "{}", stderr(&lower));
}

#[test]
fn envelope_keeps_extremes_per_bucket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = write(&dir, "boost.toml", SMALL_BOOST);
    let full = dir.path().join("full.csv");
    let envelope = dir.path().join("envelope.csv");
    let out = pelab(&[
        "sim",
        "run",
        &design,
        "-q",
        "--out",
        full.to_str().expect("UTF-8"),
        "--envelope",
        envelope.to_str().expect("UTF-8"),
        "--buckets",
        "100",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&envelope).expect("envelope written");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with("t_first[s],t_last[s],v(in) min[V],v(in) max[V]"),
        "{header}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 100);

    // The envelope's extremes of the inductor current equal the full data's.
    let full = pelab_waveform::csv::read_csv_file(&full).expect("full CSV reads");
    let current = full.signal("i(L1)").expect("i(L1) recorded");
    let column = header
        .split(',')
        .position(|h| h == "i(L1) max[A]")
        .expect("i(L1) max column");
    let envelope_max = rows
        .iter()
        .map(|r| {
            r.split(',')
                .nth(column)
                .and_then(|v| v.parse::<f64>().ok())
                .expect("number")
        })
        .fold(f64::MIN, f64::max);
    let full_max = current.iter().copied().fold(f64::MIN, f64::max);
    assert_eq!(envelope_max, full_max);
}

#[test]
fn signals_option_and_save_choose_recording() {
    let dir = tempfile::tempdir().expect("temp dir");
    let netlist = write(
        &dir,
        "heat.cir",
        "heat\nI1 0 a DC 2\nR1 a 0 1 tc1=0.004 rth=2 cth=0.01 tamb=25\n.save v(a) temp(R1)\n.tran 1m 0.1\n",
    );
    let csv = dir.path().join("heat.csv");
    let out = pelab(&[
        "sim",
        "run",
        &netlist,
        "-q",
        "--out",
        csv.to_str().expect("UTF-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let header = std::fs::read_to_string(&csv)
        .expect("CSV")
        .lines()
        .next()
        .expect("header")
        .to_string();
    assert_eq!(header, "time[s],v(a)[V],temp(R1)[°C]");

    let out = pelab(&[
        "sim",
        "run",
        &netlist,
        "-q",
        "--signals",
        "p(R1),temp(R1)",
        "--out",
        csv.to_str().expect("UTF-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let header = std::fs::read_to_string(&csv)
        .expect("CSV")
        .lines()
        .next()
        .expect("header")
        .to_string();
    assert_eq!(header, "time[s],p(R1)[W],temp(R1)[°C]");

    let out = pelab(&["sim", "run", &netlist, "-q", "--signals", "v(nowhere)"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("v(nowhere)"), "{}", stderr(&out));
}

#[test]
fn input_mistakes_exit_2_with_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = write(&dir, "boost.toml", SMALL_BOOST);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "sim".into(),
                "run".into(),
                design.clone(),
                "--out".into(),
                "x.txt".into(),
            ],
            ".csv or .pwf",
        ),
        (
            vec![
                "sim".into(),
                "run".into(),
                design.clone(),
                "--buckets".into(),
                "0".into(),
                "--envelope".into(),
                "e.csv".into(),
            ],
            "--buckets",
        ),
        (
            vec![
                "sim".into(),
                "run".into(),
                write(&dir, "design.txt", SMALL_BOOST),
            ],
            "extension",
        ),
        (
            vec![
                "sim".into(),
                "netlist".into(),
                write(&dir, "rc.cir", "rc\nR1 a 0 1\n"),
            ],
            "already a netlist",
        ),
        (
            vec![
                "sim".into(),
                "validate".into(),
                write(
                    &dir,
                    "duty.toml",
                    &SMALL_BOOST.replace("duty = 0.4", "duty = 0.4\nd_min = 0.7\nd_max = 0.2"),
                ),
            ],
            "control.d_max",
        ),
        (
            vec![
                "sim".into(),
                "validate".into(),
                write(
                    &dir,
                    "float.cir",
                    "f\nV1 a 0 DC 1\nR1 a 0 1\nR2 x y 1\n.tran 1u 1m\n",
                ),
            ],
            "no connection to ground",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pelab(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn grid_only_records_the_uniform_grid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let design = write(&dir, "boost.toml", SMALL_BOOST);
    let csv = dir.path().join("grid.csv");
    let out = pelab(&[
        "sim",
        "run",
        &design,
        "-q",
        "--grid-only",
        "--out",
        csv.to_str().expect("UTF-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 3 ms at 200 ns: exactly the 15 001 grid samples, no event pairs.
    let rows = std::fs::read_to_string(&csv).expect("CSV").lines().count() - 1;
    assert_eq!(rows, 15_001);
}
