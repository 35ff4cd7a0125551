//! Tests of mean, RMS, peak-to-peak, power, efficiency and ripple against
//! closed-form results, and of the errors for invalid input.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use pelab_waveform::metrics::{self, MetricError, Window};

mod common;

use common::{assert_close, uniform};

// ---- mean, RMS, peak-to-peak ----

#[test]
fn sine_rms_is_amplitude_over_sqrt2() {
    let amplitude = 3.0;
    let f = 50.0;
    let time = uniform(10.0 / f, 10_000);
    let x: Vec<f64> = time
        .iter()
        .map(|t| amplitude * (2.0 * PI * f * t).sin())
        .collect();
    let stats = metrics::statistics(&time, &x, Window::All).unwrap();
    // Piecewise-linear interpolation of a sine with 1000 samples per period
    // lowers the RMS by about (2π/1000)²/12 ≈ 3.3e-6 relative.
    assert_close(
        stats.rms,
        amplitude * FRAC_1_SQRT_2,
        1e-5 * amplitude,
        "RMS",
    );
    assert_close(stats.mean, 0.0, 1e-12, "mean");
    assert_close(stats.peak_to_peak, 2.0 * amplitude, 1e-4, "peak-to-peak");
}

/// Triangle wave between −a and +a with period 1 s, sampled at its vertices
/// and at `extra` points per edge. Piecewise-linear integration is exact for it.
fn triangle(a: f64, periods: usize, extra: usize) -> (Vec<f64>, Vec<f64>) {
    let points_per_edge = extra + 1;
    let edges = 2 * periods;
    let mut time = Vec::new();
    let mut x = Vec::new();
    for k in 0..=(edges * points_per_edge) {
        let t = k as f64 * 0.5 / points_per_edge as f64;
        let phase = t.rem_euclid(1.0);
        let value = if phase < 0.5 {
            -a + 4.0 * a * phase
        } else {
            3.0 * a - 4.0 * a * phase
        };
        time.push(t);
        x.push(value);
    }
    (time, x)
}

#[test]
fn triangle_rms_and_peak_to_peak() {
    for extra in [0, 7] {
        let (time, x) = triangle(2.0, 5, extra);
        let stats = metrics::statistics(&time, &x, Window::All).unwrap();
        assert_close(stats.rms, 2.0 / 3f64.sqrt(), 1e-12, "triangle RMS");
        assert_close(stats.peak_to_peak, 4.0, 1e-12, "triangle peak-to-peak");
        assert_close(stats.mean, 0.0, 1e-12, "triangle mean");
    }
}

#[test]
fn sawtooth_rms_and_peak_to_peak() {
    // Ramp from −a to +a over 1 ms, then an instant reset: two samples at
    // the same time mark the jump.
    let a = 5.0;
    let period = 1e-3;
    let mut time = Vec::new();
    let mut x = Vec::new();
    for p in 0..4 {
        let t0 = p as f64 * period;
        for k in 0..=100 {
            time.push(t0 + period * k as f64 / 100.0);
            x.push(-a + 2.0 * a * k as f64 / 100.0);
        }
    }
    let stats = metrics::statistics(&time, &x, Window::All).unwrap();
    assert_close(stats.rms, a / 3f64.sqrt(), 1e-9, "sawtooth RMS");
    assert_close(stats.peak_to_peak, 2.0 * a, 1e-12, "sawtooth peak-to-peak");
    assert_close(stats.mean, 0.0, 1e-9, "sawtooth mean");
}

#[test]
fn non_uniform_mean_weights_by_time() {
    // 0 for 1 s sampled 1000 times, then 1 for 3 s sampled twice. The
    // arithmetic mean of the samples is about 0.002; the time average is 0.75.
    let mut time: Vec<f64> = (0..1000).map(|k| k as f64 / 1000.0).collect();
    let mut x = vec![0.0; 1000];
    time.extend([1.0, 1.0, 4.0]);
    x.extend([0.0, 1.0, 1.0]);
    assert_close(
        metrics::mean(&time, &x, Window::All).unwrap(),
        0.75,
        1e-12,
        "mean",
    );
    // A ramp x = t sampled at quadratically spaced times still averages to 0.5.
    let time: Vec<f64> = (0..=50).map(|k| (k as f64 / 50.0).powi(2)).collect();
    assert_close(
        metrics::mean(&time, &time, Window::All).unwrap(),
        0.5,
        1e-12,
        "ramp mean",
    );
}

#[test]
fn window_edges_are_interpolated() {
    let time = [0.0, 1.0, 2.0, 3.0];
    let x = [0.0, 10.0, 20.0, 30.0];
    let stats = metrics::statistics(&time, &x, Window::range(0.5, 2.5)).unwrap();
    assert_close(stats.mean, 15.0, 1e-12, "mean");
    assert_close(stats.min, 5.0, 1e-12, "min");
    assert_close(stats.max, 25.0, 1e-12, "max");
    let last = metrics::statistics(&time, &x, Window::last(1.0)).unwrap();
    assert_close(last.mean, 25.0, 1e-12, "mean of last second");
    assert_eq!(last.t_start, 2.0);
}

#[test]
fn integral_of_ramp() {
    let time = uniform(2.0, 7);
    let x: Vec<f64> = time.iter().map(|t| 3.0 * t).collect();
    assert_close(
        metrics::integral(&time, &x, Window::All).unwrap(),
        6.0,
        1e-12,
        "∫3t dt",
    );
}

// ---- power, energy, efficiency ----

#[test]
fn average_power_of_dc_plus_ripple() {
    // v = 48 + 0.5·sin(ωt), i = 2 + 0.1·sin(ωt): P = 96 + 0.5·0.1/2 over whole periods.
    let f = 100e3;
    let time = uniform(20.0 / f, 20_000);
    let w = 2.0 * PI * f;
    let v: Vec<f64> = time.iter().map(|t| 48.0 + 0.5 * (w * t).sin()).collect();
    let i: Vec<f64> = time.iter().map(|t| 2.0 + 0.1 * (w * t).sin()).collect();
    let p_in = metrics::average_power(&time, &v, &i, Window::All).unwrap();
    assert_close(p_in, 96.025, 1e-6, "average power");
    let e = metrics::energy(&time, &v, &i, Window::All).unwrap();
    assert_close(e, 96.025 * 20.0 / f, 1e-6 * 20.0 / f, "energy");

    let v_out = vec![12.0; time.len()];
    let i_out = vec![7.2; time.len()];
    let p_out = metrics::average_power(&time, &v_out, &i_out, Window::All).unwrap();
    let eta = metrics::efficiency(p_in, p_out).unwrap();
    // P_in carries the 1e-6 W interpolation error from above.
    assert_close(eta, 86.4 / 96.025, 1e-8, "efficiency");
    assert_close(p_out, 86.4, 1e-9, "output power");
}

#[test]
fn power_of_piecewise_linear_product_is_exact() {
    // v = t and i = t on [0, 1]: ∫v·i dt = 1/3, even with one segment.
    let time = [0.0, 1.0];
    let ramp = [0.0, 1.0];
    assert_close(
        metrics::energy(&time, &ramp, &ramp, Window::All).unwrap(),
        1.0 / 3.0,
        1e-15,
        "∫t² dt",
    );
}

#[test]
fn efficiency_rejects_bad_power() {
    for p_in in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = metrics::efficiency(p_in, 1.0).unwrap_err();
        assert!(
            matches!(
                error,
                MetricError::InvalidParameter {
                    field: "input_power",
                    ..
                }
            ),
            "{error}"
        );
    }
    let error = metrics::efficiency(1.0, f64::NAN).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "output_power",
            ..
        }
    ));
}

// ---- ripple ----

#[test]
fn ripple_over_last_periods() {
    // Output voltage settling exponentially onto 5 V with a 0.1 V pk-pk
    // triangular ripple at 100 kHz, sampled at the vertices.
    let f_sw = 100e3;
    let period = 1.0 / f_sw;
    let mut time = Vec::new();
    let mut v = Vec::new();
    for k in 0..=400 {
        let t = k as f64 * period / 2.0;
        let ripple = if k % 2 == 0 { -0.05 } else { 0.05 };
        time.push(t);
        v.push(5.0 * (1.0 - (-t / 2e-4).exp()) + ripple);
    }

    let last = metrics::ripple_peak_to_peak(&time, &v, f_sw, 5).unwrap();
    // The exponential adds under 5.0·exp(−1.95e-3/2e-4)·(5e-5/2e-4) ≈ 7e-5 V.
    assert_close(last, 0.1, 1e-4, "ripple over last 5 periods");

    let per_period = metrics::peak_to_peak_per_period(&time, &v, f_sw, Window::All).unwrap();
    assert_eq!(per_period.len(), 200);
    let first = per_period[0].peak_to_peak();
    let final_one = per_period[199].peak_to_peak();
    assert!(first > final_one, "startup period has the larger swing");
    assert_close(final_one, 0.1, 1e-4, "last period ripple");

    let error = metrics::ripple_peak_to_peak(&time, &v, 0.0, 5).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "switching_hz",
            ..
        }
    ));
    let error = metrics::ripple_peak_to_peak(&time, &v, f_sw, 0).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "periods",
            ..
        }
    ));
    let error = metrics::ripple_peak_to_peak(&time, &v, f_sw, 500).unwrap_err();
    assert!(
        matches!(
            error,
            MetricError::OutsideData {
                field: "window.duration",
                ..
            }
        ),
        "{error}"
    );
}

// ---- bad input ----

#[test]
fn bad_input_names_the_field() {
    let time = [0.0, 1.0, 2.0];
    let x = [1.0, 2.0, 3.0];

    let error = metrics::mean(&[], &[], Window::All).unwrap_err();
    assert_eq!(
        error,
        MetricError::TooFewSamples {
            field: "time",
            len: 0,
            min: 2
        }
    );
    assert!(error.to_string().contains("`time`"));

    let error = metrics::rms(&time, &x[..2], Window::All).unwrap_err();
    assert_eq!(
        error,
        MetricError::LengthMismatch {
            field: "values",
            len: 2,
            expected: 3
        }
    );

    let error = metrics::average_power(&time, &x, &[1.0, f64::NAN, 1.0], Window::All).unwrap_err();
    assert!(
        matches!(
            error,
            MetricError::NonFinite {
                field: "current",
                index: 1,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("current[1]"));

    let error = metrics::max(&[0.0, f64::INFINITY], &[1.0, 2.0], Window::All).unwrap_err();
    assert!(matches!(
        error,
        MetricError::NonFinite {
            field: "time",
            index: 1,
            ..
        }
    ));

    let error = metrics::min(&[1.0, 0.0], &[1.0, 2.0], Window::All).unwrap_err();
    assert!(matches!(
        error,
        MetricError::TimeDecreasing { index: 1, .. }
    ));

    let error = metrics::mean(&time, &x, Window::range(1.0, 5.0)).unwrap_err();
    assert!(
        matches!(
            error,
            MetricError::OutsideData {
                field: "window.end",
                value: 5.0,
                ..
            }
        ),
        "{error}"
    );
    let error = metrics::mean(&time, &x, Window::range(-1.0, 1.0)).unwrap_err();
    assert!(matches!(
        error,
        MetricError::OutsideData {
            field: "window.start",
            ..
        }
    ));
    let error = metrics::mean(&time, &x, Window::range(1.0, 1.0)).unwrap_err();
    assert!(matches!(error, MetricError::InvalidWindow { .. }));
    let error = metrics::mean(&time, &x, Window::last(-1.0)).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter {
            field: "window.duration",
            ..
        }
    ));

    // NaN outside the window is not used, so it does not matter.
    let partly_nan = [1.0, 2.0, f64::NAN];
    let time4 = [0.0, 1.0, 2.0];
    assert!(metrics::mean(&time4, &partly_nan, Window::range(0.0, 0.5)).is_ok());
    assert!(metrics::mean(&time4, &partly_nan, Window::range(0.0, 1.5)).is_err());
}

#[test]
fn window_edge_rounding_is_absorbed() {
    let time = uniform(1e-3, 1000);
    let x = vec![1.0; time.len()];
    // Ten periods of 1e-4 s, with a relative rounding error of 1e-12, start
    // 1e-15 s before time[0]. The edge tolerance accepts that.
    let window = Window::last(10.0 * 1e-4 * (1.0 + 1e-12));
    assert!(metrics::mean(&time, &x, window).is_ok());

    // An edge 1e-6 of the window length outside the data is rejected.
    let window = Window::last(1e-3 * (1.0 + 1e-6));
    assert!(metrics::mean(&time, &x, window).is_err());
}
