//! Harmonic analysis, THD and spectrum tests against closed-form results.

use std::f64::consts::PI;

use pelab_waveform::metrics::{
    self, HarmonicSpec, MetricError, SpectralWindow, Window, analyze_harmonics,
};

mod common;

use common::{assert_close, uniform};

// ---- harmonics, THD, spectrum ----

/// Ideal ±1 square wave with edges at half periods, two samples per edge.
fn square_wave(f: f64, periods: usize) -> (Vec<f64>, Vec<f64>) {
    let half = 0.5 / f;
    let mut time = vec![0.0];
    let mut x = vec![1.0];
    for k in 1..=(2 * periods) {
        let t = k as f64 * half;
        let before = if k % 2 == 1 { 1.0 } else { -1.0 };
        time.extend([t, t]);
        x.extend([before, -before]);
    }
    (time, x)
}

#[test]
fn square_wave_thd_matches_closed_form() {
    let expected = (PI * PI / 8.0 - 1.0).sqrt();
    // All harmonics below Nyquist: the sampled square wave contains the whole
    // distortion power, so THD matches √(π²/8 − 1) ≈ 48.34 % up to the
    // sampling of the edges (one grid step of 1/8192 period).
    let (time, x) = square_wave(50.0, 4);
    let spec = HarmonicSpec::new(50.0, 4095).with_samples_per_period(8192);
    let analysis = analyze_harmonics(&time, &x, &spec).unwrap();
    assert_close(
        analysis.thd_percent(),
        100.0 * expected,
        0.05,
        "square wave THD %",
    );
    assert_close(
        analysis.fundamental().amplitude,
        4.0 / PI,
        1e-3,
        "fundamental amplitude",
    );
    assert_eq!(analysis.periods, 4);

    // Up to order 49 only: THD = √(Σ_{odd h=3..49} 1/h²), since A_h = 4/(πh).
    let truncated: f64 = (3..=49)
        .step_by(2)
        .map(|h| 1.0 / (h * h) as f64)
        .sum::<f64>()
        .sqrt();
    let spec = HarmonicSpec::new(50.0, 49).with_samples_per_period(1 << 14);
    let analysis = analyze_harmonics(&time, &x, &spec).unwrap();
    // Sampling raises A_h by about (πh/N)²/6 relative, 1.5e-5 at h = 49.
    assert_close(analysis.thd, truncated, 1e-3 * truncated, "truncated THD");
    assert_close(analysis.harmonics[1].amplitude, 0.0, 1e-9, "even harmonic");
}

#[test]
fn third_and_fifth_harmonics_on_grid() {
    // x = 10·sin(ωt) + 2·sin(3ωt + 0.3) + cos(5ωt), sampled on the FFT grid:
    // THD = √(2² + 1²)/10 exactly, up to rounding.
    let f = 60.0;
    let w = 2.0 * PI * f;
    let n = 256 * 3;
    let time = uniform(3.0 / f, n);
    let x: Vec<f64> = time
        .iter()
        .map(|t| 10.0 * (w * t).sin() + 2.0 * (3.0 * w * t + 0.3).sin() + (5.0 * w * t).cos())
        .collect();
    let spec = HarmonicSpec::new(f, 7).with_samples_per_period(256);
    let analysis = analyze_harmonics(&time, &x, &spec).unwrap();
    assert_close(analysis.thd, 5f64.sqrt() / 10.0, 1e-9, "THD");
    let h = &analysis.harmonics;
    assert_close(h[0].amplitude, 10.0, 1e-9, "A1");
    assert_close(h[0].phase, -PI / 2.0, 1e-9, "phase 1");
    assert_close(h[2].amplitude, 2.0, 1e-9, "A3");
    assert_close(h[2].phase, 0.3 - PI / 2.0, 1e-9, "phase 3");
    assert_close(h[4].amplitude, 1.0, 1e-9, "A5");
    assert_close(h[4].phase, 0.0, 1e-9, "phase 5");
    assert_close(h[4].frequency, 300.0, 1e-9, "f5");
    for order in [2, 4, 6, 7] {
        assert_close(h[order - 1].amplitude, 0.0, 1e-9, "absent harmonic");
    }
    assert_close(analysis.dc, 0.0, 1e-9, "dc");
}

#[test]
fn harmonics_from_non_uniform_samples() {
    // Same signal on a jittered grid with about 1000 samples per period,
    // spanning 5.9 periods from a start time that is not a period boundary.
    let f = 50.0;
    let w = 2.0 * PI * f;
    let mut time = Vec::new();
    let mut t = 0.0013;
    let mut k = 0u64;
    while t <= 0.12 {
        time.push(t);
        k += 1;
        t += 2e-5 * (1.0 + 0.5 * ((k * 7919 % 13) as f64 / 13.0 - 0.5));
    }
    let x: Vec<f64> = time
        .iter()
        .map(|t| 0.5 + 10.0 * (w * t).sin() + 2.0 * (3.0 * w * t + 0.3).sin() + (5.0 * w * t).cos())
        .collect();
    let analysis = analyze_harmonics(&time, &x, &HarmonicSpec::new(f, 11)).unwrap();
    assert_eq!(analysis.periods, 5);
    // Linear interpolation between samples 2e-5 s apart loses about
    // (5ω·h)²/12 ≈ 8e-5 of the fifth harmonic.
    assert_close(analysis.thd, 5f64.sqrt() / 10.0, 1e-3, "THD");
    assert_close(analysis.dc, 0.5, 1e-3, "dc");
    assert_close(analysis.fundamental().phase, -PI / 2.0, 1e-3, "phase");
    let direct = metrics::thd(&time, &x, f, 11).unwrap();
    assert_eq!(direct, analysis.thd);
}

#[test]
fn thd_rejects_bad_input() {
    let time = uniform(1.0, 100);
    let x: Vec<f64> = time.iter().map(|t| (2.0 * PI * 5.0 * t).sin()).collect();
    for f in [0.0, -50.0, f64::NAN] {
        let error = metrics::thd(&time, &x, f, 5).unwrap_err();
        assert!(
            matches!(
                error,
                MetricError::InvalidParameter {
                    field: "fundamental_hz",
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("fundamental_hz"));
    }

    let short = metrics::thd(&time, &x, 0.5, 5).unwrap_err();
    assert!(matches!(short, MetricError::Undefined { .. }), "{short}");

    let dc = vec![1.0; time.len()];
    let error = metrics::thd(&time, &dc, 5.0, 5).unwrap_err();
    assert!(
        matches!(
            error,
            MetricError::Undefined {
                quantity: "THD",
                ..
            }
        ),
        "{error}"
    );

    let spec = HarmonicSpec::new(5.0, 10).with_samples_per_period(20);
    let error = analyze_harmonics(&time, &x, &spec).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "samples_per_period",
            ..
        }
    ));

    let spec = HarmonicSpec::new(5.0, 3).with_periods(6);
    let error = analyze_harmonics(&time, &x, &spec).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "periods",
            ..
        }
    ));

    let error = metrics::thd(&time, &x, 5.0, 0).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "max_order",
            ..
        }
    ));
}

#[test]
fn spectrum_finds_tone() {
    let f = 1e3;
    let time = uniform(0.01, 10_000);
    let x: Vec<f64> = time
        .iter()
        .map(|t| 1.0 + 2.0 * (2.0 * PI * f * t).cos())
        .collect();
    let spectrum =
        metrics::spectrum(&time, &x, Window::All, 4096, SpectralWindow::Rectangular).unwrap();
    assert_eq!(spectrum.frequencies.len(), 2049);
    assert_close(spectrum.frequencies[10], 1e3, 1e-9, "bin 10");
    assert_close(spectrum.amplitudes[0], 1.0, 1e-6, "dc");
    assert_close(spectrum.amplitudes[10], 2.0, 1e-4, "tone");
    assert_close(spectrum.phases[10], 0.0, 1e-4, "tone phase");
    let hann = metrics::spectrum(&time, &x, Window::All, 4096, SpectralWindow::Hann).unwrap();
    assert_close(hann.amplitudes[10], 2.0, 1e-4, "tone with Hann");
    let error = metrics::spectrum(&time, &x, Window::All, 1, SpectralWindow::Hann).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "points",
            ..
        }
    ));
}

#[test]
fn resample_keeps_linear_signal() {
    let time = [0.0, 0.1, 0.7, 1.0];
    let x = [0.0, 0.2, 1.4, 2.0];
    let resampled = metrics::resample_uniform(&time, &x, Window::All, 4).unwrap();
    assert_eq!(resampled.len(), 4);
    for (k, value) in resampled.iter().enumerate() {
        assert_close(*value, 0.5 * k as f64, 1e-12, "resampled ramp");
    }
}
