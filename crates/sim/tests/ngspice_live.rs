//! pelab against a fresh ngspice run, when ngspice is installed.
//!
//! Each test runs `scripts/ngspice/make_references.py` for one case into a temporary
//! folder, then checks pelab against the fresh ngspice waveforms and the fresh
//! waveforms against the committed reference, both with [`compare::TOLERANCE`]. Without
//! `ngspice` on `PATH` the tests print why they skip and pass. The script needs
//! `python3` with numpy.
// The helpers print the measured differences, which docs/validation.md quotes.
#![allow(clippy::print_stdout)]

#[path = "ngspice/compare.rs"]
mod compare;

use std::path::{Path, PathBuf};
use std::process::Command;

use compare::{
    PelabRun, TOLERANCE, assert_within, compare, print_comparison, read_reference, reference_dir,
    run_pelab,
};

/// Returns whether `ngspice -v` runs.
fn ngspice_available() -> bool {
    Command::new("ngspice")
        .arg("-v")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Runs the reference script for `case` into a new temporary folder and returns it.
fn run_script(case: &str) -> PathBuf {
    let out =
        std::env::temp_dir().join(format!("pelab-ngspice-live-{case}-{}", std::process::id()));
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ngspice/make_references.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(["--case", case, "--skip-self-check", "--out"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("cannot start python3 for {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "{} failed for {case} (exit status {}); it needs python3 with numpy:\n{}{}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

fn check_live(case: &str) {
    if !ngspice_available() {
        println!("skipping the live ngspice comparison of {case}: ngspice is not on PATH");
        return;
    }
    let out = run_script(case);
    let fresh = read_reference(&out.join(format!("{case}.csv")));
    std::fs::remove_dir_all(&out).expect("remove the temporary folder");

    let pelab = run_pelab(case, &fresh);
    let rows = compare(&fresh, &pelab);
    print_comparison(case, "fresh ngspice", &rows);
    assert_within(case, &rows, TOLERANCE);

    // The fresh run must reproduce the committed reference. A difference means that
    // the script, the case or the ngspice version changed without a regeneration.
    let committed = read_reference(&reference_dir().join(format!("{case}.csv")));
    let as_run = PelabRun {
        f_sw: pelab.f_sw,
        table: fresh,
    };
    let rows = compare(&committed, &as_run);
    print_comparison(case, "committed ngspice", &rows);
    assert_within(case, &rows, TOLERANCE);
}

#[test]
fn buck_sync_ccm_live() {
    check_live("buck_sync_ccm");
}

#[test]
fn boost_diode_dcm_live() {
    check_live("boost_diode_dcm");
}
