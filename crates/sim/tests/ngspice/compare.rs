//! Comparison of pelab with ngspice reference waveforms.
//!
//! `ngspice_reference.rs` and `ngspice_live.rs` include this file as a module with
//! `#[path]`; it sits in a subfolder so that Cargo does not build it as a test target.
//!
//! A case is an open-loop design file in `tests/reference/ngspice/cases`. Its reference
//! CSV holds `time` and the compared signals on the design's output grid over the
//! steady-state window (`steady_state_from` to `t_stop`), resampled from the ngspice
//! run by `scripts/ngspice/make_references.py`.
#![allow(dead_code)]
// The helpers print the measured differences, which docs/validation.md quotes.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};

use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::simulate_design;
use pelab_waveform::metrics::{Window, peak_to_peak_per_period, statistics};

/// Folder of the committed reference data.
pub fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/ngspice")
}

/// Path of a case's design file.
pub fn case_path(case: &str) -> PathBuf {
    reference_dir().join("cases").join(format!("{case}.toml"))
}

/// Waveforms on a common time grid: `time` and one column per signal.
#[derive(Debug, Clone)]
pub struct Table {
    /// Sample times [s].
    pub time: Vec<f64>,
    /// Signal names as pelab writes them, e.g. `i(L1)`.
    pub names: Vec<String>,
    /// One column per name.
    pub columns: Vec<Vec<f64>>,
}

impl Table {
    /// Returns the column of `name`, panicking with the available names when missing.
    pub fn signal(&self, name: &str) -> &[f64] {
        let index = self
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no signal {name}; the table has {:?}", self.names));
        &self.columns[index]
    }
}

/// Reads a reference CSV: a `time,<signal>,...` header, then one row per sample.
pub fn read_reference(path: &Path) -> Table {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_else(|| panic!("{} is empty", path.display()))
        .split(',')
        .collect();
    assert_eq!(
        header.first(),
        Some(&"time"),
        "{}: the first column must be time",
        path.display()
    );
    let names: Vec<String> = header[1..].iter().map(|s| s.to_string()).collect();
    let mut time = Vec::new();
    let mut columns = vec![Vec::new(); names.len()];
    for (row, line) in lines.enumerate() {
        let values: Vec<f64> = line
            .split(',')
            .map(|field| {
                field.parse().unwrap_or_else(|e| {
                    panic!(
                        "{} row {}: invalid number {field:?}: {e}",
                        path.display(),
                        row + 2
                    )
                })
            })
            .collect();
        assert_eq!(
            values.len(),
            names.len() + 1,
            "{} row {}: expected {} fields",
            path.display(),
            row + 2,
            names.len() + 1
        );
        time.push(values[0]);
        for (column, value) in columns.iter_mut().zip(&values[1..]) {
            column.push(*value);
        }
    }
    Table {
        time,
        names,
        columns,
    }
}

/// Linear interpolation of `(x, y)` at the points `at`; `x` ascending, `at` inside it.
pub fn interpolate(x: &[f64], y: &[f64], at: &[f64]) -> Vec<f64> {
    at.iter()
        .map(|&t| {
            let upper = x.partition_point(|&v| v < t).clamp(1, x.len() - 1);
            let (x0, x1) = (x[upper - 1], x[upper]);
            let fraction = if x1 > x0 { (t - x0) / (x1 - x0) } else { 0.0 };
            y[upper - 1] + fraction * (y[upper] - y[upper - 1])
        })
        .collect()
}

/// A simulated case: the design's switching frequency and pelab's waveforms on the
/// reference grid.
pub struct PelabRun {
    /// Switching frequency [Hz].
    pub f_sw: f64,
    /// pelab's signals, interpolated onto the reference time grid.
    pub table: Table,
}

/// Simulates a case with pelab and interpolates pelab's copies of the reference's
/// signals onto the reference time grid.
pub fn run_pelab(case: &str, reference: &Table) -> PelabRun {
    let path = case_path(case);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let design = Design::parse(&text, Format::Toml)
        .unwrap_or_else(|e| panic!("{case}: invalid design: {e}"));
    let f_sw = design.parameters.number("f_sw");

    let output = simulate_design(&design, &mut |_| {})
        .unwrap_or_else(|e| panic!("{case}: pelab run failed: {e}"));
    let waveforms = &output.waveforms;
    let time = waveforms.time();
    let (first, last) = (reference.time[0], reference.time[reference.time.len() - 1]);
    // Half a nanosecond covers the rounding of k·output_step in the two programs.
    assert!(
        time[0] <= first + 0.5e-9 && time[time.len() - 1] >= last - 0.5e-9,
        "{case}: pelab recorded {}..{} s, which does not cover the reference window {first}..{last} s",
        time[0],
        time[time.len() - 1]
    );

    let columns = reference
        .names
        .iter()
        .map(|name| {
            let values = waveforms
                .signal(name)
                .unwrap_or_else(|| panic!("{case}: pelab did not record {name}"));
            interpolate(time, values, &reference.time)
        })
        .collect();
    PelabRun {
        f_sw,
        table: Table {
            time: reference.time.clone(),
            names: reference.names.clone(),
            columns,
        },
    }
}

/// Mean and ripple of one signal over the window.
#[derive(Debug, Clone, Copy)]
pub struct SignalMetrics {
    /// Time-weighted mean over the window.
    pub mean: f64,
    /// Peak-to-peak ripple, averaged over the whole switching periods of the window.
    pub ripple: f64,
    /// Peak-to-peak over the whole window, drift included.
    pub span: f64,
}

/// Computes the mean and the per-period ripple of `values` on `time`.
pub fn metrics(time: &[f64], values: &[f64], f_sw: f64) -> SignalMetrics {
    let stats = statistics(time, values, Window::All).expect("window statistics");
    let periods = peak_to_peak_per_period(time, values, f_sw, Window::All).expect("ripple");
    let ripple = periods.iter().map(|p| p.peak_to_peak()).sum::<f64>() / periods.len() as f64;
    SignalMetrics {
        mean: stats.mean,
        ripple,
        span: stats.peak_to_peak,
    }
}

/// Differences of pelab from the reference for one signal.
#[derive(Debug, Clone, Copy)]
pub struct SignalComparison {
    /// Reference metrics.
    pub reference: SignalMetrics,
    /// pelab metrics.
    pub pelab: SignalMetrics,
    /// `|mean_pelab − mean_ref| / |mean_ref|`, or over the reference ripple when the
    /// mean is smaller than the ripple (currents that average near zero).
    pub mean_error: f64,
    /// `|ripple_pelab − ripple_ref| / ripple_ref`.
    pub ripple_error: f64,
    /// RMS of the pointwise difference over the window, divided by the reference's
    /// peak-to-peak span over the window.
    pub waveform_error: f64,
}

/// Compares every signal of a reference with pelab's run, in reference column order.
pub fn compare(reference: &Table, pelab: &PelabRun) -> Vec<(String, SignalComparison)> {
    reference
        .names
        .iter()
        .map(|name| {
            let expected = reference.signal(name);
            let actual = pelab.table.signal(name);
            let r = metrics(&reference.time, expected, pelab.f_sw);
            let p = metrics(&reference.time, actual, pelab.f_sw);
            let mean_scale = if r.mean.abs() > r.span {
                r.mean.abs()
            } else {
                r.span
            };
            let squares: f64 = expected
                .iter()
                .zip(actual)
                .map(|(e, a)| (a - e) * (a - e))
                .sum();
            let rms_difference = (squares / expected.len() as f64).sqrt();
            let comparison = SignalComparison {
                reference: r,
                pelab: p,
                mean_error: (p.mean - r.mean).abs() / mean_scale,
                ripple_error: (p.ripple - r.ripple).abs() / r.ripple,
                waveform_error: rms_difference / r.span,
            };
            (name.clone(), comparison)
        })
        .collect()
}

/// Largest accepted differences, as fractions (see [`SignalComparison`]).
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Bound on `mean_error`.
    pub mean: f64,
    /// Bound on `ripple_error`.
    pub ripple: f64,
    /// Bound on `waveform_error`.
    pub waveform: f64,
}

/// Tolerance of every case, set from the measured error of the references.
///
/// - mean 2e-4: the script's self-check (step limit quartered, reltol divided by
///   three) moves ngspice's means by up to 5e-5 of the mean in the bidirectional cases.
///   Their 150 µH inductor settles slowly (L/R ≈ 0.8 ms) and so accumulates ngspice's
///   step errors. In the other cases the means move by less than 1e-5. 2e-4 is four
///   times the worst. Real faults are larger: by estimate, 2 mΩ more on-resistance
///   moves the bidirectional current by 1 %, a deadtime 10 ns too long by 7 %.
/// - ripple 1e-3 and waveform 2e-3 (RMS difference over the window's peak-to-peak
///   span): the self-check moves ngspice's samples by up to 5e-4 of the span, so both
///   bounds are two to four times that. A 1 % error in an inductance or in the period
///   gives a 1e-2 ripple error.
///
/// Effects that the bounds need not cover, because they are far smaller: ngspice's
/// switch flips where its 1 V/ns gate ramp crosses 0.5 V, which its step control
/// locates to about 0.05 ns (5e-6 of the period, an estimate from ngspice's
/// `swtrunc.c`). SIDIODE conducts Vfwd/Roff, below 1 µA, more than pelab's conducting
/// diode.
pub const TOLERANCE: Tolerance = Tolerance {
    mean: 2e-4,
    ripple: 1e-3,
    waveform: 2e-3,
};

/// Prints one line per signal (run the tests with `--nocapture` to see them).
pub fn print_comparison(case: &str, source: &str, rows: &[(String, SignalComparison)]) {
    for (name, c) in rows {
        println!(
            "{case:<20} {name:<8} vs {source}: mean {:>12.6} / {:>12.6} (err {:.2e})  \
             ripple {:>10.6} / {:>10.6} (err {:.2e})  waveform err {:.2e}",
            c.pelab.mean,
            c.reference.mean,
            c.mean_error,
            c.pelab.ripple,
            c.reference.ripple,
            c.ripple_error,
            c.waveform_error
        );
    }
}

/// Asserts every comparison of a case against the tolerance, one assert per metric.
pub fn assert_within(case: &str, rows: &[(String, SignalComparison)], tolerance: Tolerance) {
    for (name, c) in rows {
        assert!(
            c.mean_error <= tolerance.mean,
            "{case} {name}: pelab mean {} differs from ngspice {} by {:.3e} (relative), more than {:.1e}",
            c.pelab.mean,
            c.reference.mean,
            c.mean_error,
            tolerance.mean
        );
        assert!(
            c.ripple_error <= tolerance.ripple,
            "{case} {name}: pelab ripple {} differs from ngspice {} by {:.3e} (relative), more than {:.1e}",
            c.pelab.ripple,
            c.reference.ripple,
            c.ripple_error,
            tolerance.ripple
        );
        assert!(
            c.waveform_error <= tolerance.waveform,
            "{case} {name}: RMS waveform difference is {:.3e} of the ngspice span {}, more than {:.1e}",
            c.waveform_error,
            c.reference.span,
            tolerance.waveform
        );
    }
}
