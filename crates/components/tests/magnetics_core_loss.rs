//! Steinmetz and iGSE core loss against closed forms and numerical integration.

use std::f64::consts::PI;

use pelab_components::magnetics::core_loss::cos_power_integral;
use pelab_components::magnetics::flux_loops::decompose;
use pelab_components::magnetics::{MagneticsError, SteinmetzParams};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

/// Coefficients of the right magnitude for a MnZn power ferrite, made up for the
/// tests (pelab ships no material data).
fn params(alpha: f64, beta: f64) -> SteinmetzParams {
    match SteinmetzParams::new(3.0, alpha, beta, 10e3, 500e3) {
        Ok(p) => p,
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn cos_integral_closed_forms() {
    // ∫₀^2π |cos θ| dθ = 4 and ∫₀^2π cos² θ dθ = π. Simpson's rule integrates sin u
    // and sin² u with error ~1e-16 at 20 000 intervals.
    assert!(relative_error(cos_power_integral(1.0), 4.0) < 1e-12);
    assert!(relative_error(cos_power_integral(2.0), PI) < 1e-12);
    // α = 3: 4 ∫ sin³ = 4 · 2/3.
    assert!(relative_error(cos_power_integral(3.0), 8.0 / 3.0) < 1e-12);
}

#[test]
fn cos_integral_fractional_alpha() {
    // α = 1.5: 2√π Γ(5/4)/Γ(7/4), with Γ(5/4) = 0.906402477055477 and
    // Γ(7/4) = 0.919062526848883 (tabulated values). The error of Simpson's rule falls
    // as h^2.5 here; 1e-8 leaves a margin over the ~1e-10 expected.
    let reference = 2.0 * PI.sqrt() * 0.906_402_477_055_477 / 0.919_062_526_848_883;
    assert!(relative_error(cos_power_integral(1.5), reference) < 1e-8);
}

#[test]
fn igse_of_sinusoid_equals_steinmetz() {
    // With kᵢ defined as in the iGSE paper the two must agree for sinusoidal flux; the
    // only difference is the piecewise-linear sampling of the sine, whose error in
    // Σ|ΔB|^α falls as 1/n²: ~1e-6 for 4096 samples.
    for (alpha, beta) in [(1.0, 2.0), (1.4, 2.6), (2.0, 3.0), (1.7, 2.2)] {
        let p = params(alpha, beta);
        let n = 4096;
        let b_peak = 0.1;
        let f = 100e3;
        let flux: Vec<f64> = (0..n)
            .map(|j| b_peak * (2.0 * PI * j as f64 / n as f64).sin())
            .collect();
        let igse = p.igse_loss(&flux, f).unwrap().loss_density_w_per_m3;
        let steinmetz = p.sinusoidal_loss(f, b_peak).unwrap().loss_density_w_per_m3;
        let error = relative_error(igse, steinmetz);
        assert!(error < 1e-5, "alpha {alpha}, beta {beta}: error {error}");
    }
}

#[test]
fn igse_triangle_closed_form() {
    // B rises by ΔB in D·T and falls in (1 − D)·T:
    // Pv = kᵢ ΔB^β f^α (D^(1−α) + (1 − D)^(1−α)), exact for the piecewise-linear
    // samples when both corners are samples.
    let p = params(1.5, 2.5);
    let f = 50e3;
    let delta_b = 0.2;
    for (n_rise, n) in [(1, 4), (25, 100), (50, 100), (80, 100)] {
        let duty = n_rise as f64 / n as f64;
        let flux: Vec<f64> = (0..n)
            .map(|j| {
                if j <= n_rise {
                    delta_b * j as f64 / n_rise as f64
                } else {
                    delta_b * (n - j) as f64 / (n - n_rise) as f64
                }
            })
            .collect();
        let computed = p.igse_loss(&flux, f).unwrap().loss_density_w_per_m3;
        let reference = p.igse_coefficient()
            * delta_b.powf(p.beta)
            * f.powf(p.alpha)
            * (duty.powf(1.0 - p.alpha) + (1.0 - duty).powf(1.0 - p.alpha));
        // Only rounding differs: sums of up to 100 terms.
        assert!(relative_error(computed, reference) < 1e-12, "duty {duty}");
    }
}

#[test]
fn igse_matches_fine_numerical_integration() {
    // Independent check: B(t) = 0.08 sin ωt − 0.02 sin 3ωt, integrated with an
    // analytic derivative on a fine grid (midpoint rule, 200 000 steps), against the
    // piecewise-linear result from 20 000 samples. Both errors are below 1e-6. The
    // derivative is ω cos ωt (0.26 − 0.24 cos² ωt), which changes sign only twice per
    // period, so there are no minor loops.
    let p = params(1.6, 2.7);
    let f = 20e3;
    let omega = 2.0 * PI * f;
    let b = |t: f64| 0.08 * (omega * t).sin() - 0.02 * (3.0 * omega * t).sin();
    let db_dt = |t: f64| 0.08 * omega * (omega * t).cos() - 0.06 * omega * (3.0 * omega * t).cos();
    let period = 1.0 / f;
    let fine = 200_000;
    let dt = period / fine as f64;
    let samples_fine: Vec<f64> = (0..fine).map(|j| b(j as f64 * dt)).collect();
    let (lo, hi) = samples_fine
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let delta_b = hi - lo;
    let integral: f64 = (0..fine)
        .map(|j| db_dt((j as f64 + 0.5) * dt).abs().powf(p.alpha) * dt)
        .sum();
    let reference = p.igse_coefficient() * delta_b.powf(p.beta - p.alpha) * integral / period;

    let n = 20_000;
    let flux: Vec<f64> = (0..n).map(|j| b(j as f64 * period / n as f64)).collect();
    let computed = p.igse_loss(&flux, f).unwrap().loss_density_w_per_m3;
    assert!(relative_error(computed, reference) < 1e-5);
}

#[test]
fn steinmetz_hand_value() {
    // k = 3, α = 1.5, β = 2.5, f = 100 kHz, B̂ = 0.1 T:
    // 3 · 10^7.5 · 10^-2.5 = 3e5 W/m³.
    let p = params(1.5, 2.5);
    let loss = p.sinusoidal_loss(100e3, 0.1).unwrap();
    assert!(relative_error(loss.loss_density_w_per_m3, 3e5) < 1e-12);
    assert!(!loss.outside_fit_range);
    assert!(p.sinusoidal_loss(1e6, 0.1).unwrap().outside_fit_range);
}

#[test]
fn constant_flux_has_no_loss() {
    let loss = params(1.5, 2.5).igse_loss(&[0.2; 8], 1e5).unwrap();
    assert_eq!(loss.loss_density_w_per_m3, 0.0);
}

#[test]
fn invalid_parameters_name_the_field() {
    let error = SteinmetzParams::new(3.0, 0.0, 2.5, 1e3, 1e5).unwrap_err();
    assert!(matches!(
        &error,
        MagneticsError::InvalidParameter { field, .. } if field == "steinmetz.alpha"
    ));
    let error = SteinmetzParams::new(3.0, 1.5, 2.5, 1e5, 1e3).unwrap_err();
    assert!(error.to_string().contains("steinmetz.f_max_hz"), "{error}");
    let error = SteinmetzParams::new(f64::NAN, 1.5, 2.5, 1e3, 1e5).unwrap_err();
    assert!(error.to_string().contains("steinmetz.k"), "{error}");
}

#[test]
fn invalid_waveforms_are_rejected() {
    let p = params(1.5, 2.5);
    assert!(matches!(
        p.igse_loss(&[0.1], 1e5),
        Err(MagneticsError::SampleCount { count: 1, .. })
    ));
    let error = p.igse_loss(&[0.1, f64::INFINITY, 0.0], 1e5).unwrap_err();
    assert!(error.to_string().contains("flux_t[1]"), "{error}");
    assert!(p.igse_loss(&[0.1, 0.0], -1.0).is_err());
}

/// Ten samples over one period with a minor loop on the rising leg: up to 0.6 T, back
/// to 0.4 T, then up to 1.0 T and down to 0 in four equal steps.
const MINOR_LOOP_FLUX: [f64; 10] = [0.0, 0.2, 0.4, 0.6, 0.4, 0.7, 1.0, 0.75, 0.5, 0.25];

#[test]
fn minor_loop_hand_calculation() {
    // With dt = T/10 each piece adds |ΔB|^α dt^(1−α) ΔB_loop^(β−α).
    // Minor loop (ΔB_loop = 0.2 T): 0.6 → 0.4 in dt, and 0.4 → 0.6 in the first 2/3
    // of the 0.4 → 0.7 step. Major loop (ΔB_loop = 1 T): three rises of 0.2 in dt,
    // 0.6 → 0.7 in dt/3, 0.7 → 1.0 in dt, four falls of 0.25 in dt.
    let p = params(1.5, 2.5);
    let f = 100e3;
    let period = 1.0 / f;
    let dt = period / 10.0;
    let piece = |delta_b: f64, duration: f64, loop_pp: f64| {
        delta_b.powf(p.alpha) * duration.powf(1.0 - p.alpha) * loop_pp.powf(p.beta - p.alpha)
    };
    let minor = piece(0.2, dt, 0.2) + piece(0.2, 2.0 * dt / 3.0, 0.2);
    let major = 3.0 * piece(0.2, dt, 1.0)
        + piece(0.1, dt / 3.0, 1.0)
        + piece(0.3, dt, 1.0)
        + 4.0 * piece(0.25, dt, 1.0);
    let reference = p.igse_coefficient() * (minor + major) / period;

    let computed = p
        .igse_loss(&MINOR_LOOP_FLUX, f)
        .unwrap()
        .loss_density_w_per_m3;
    // Same sums in another order, and one interpolated crossing: rounding only.
    assert!(relative_error(computed, reference) < 1e-12);

    // Weighting the minor loop with the major loop's 1 T would overstate the loss.
    let single_loop =
        p.igse_coefficient() * (minor * 0.2f64.powf(p.alpha - p.beta) + major) / period;
    assert!(computed < single_loop);
}

#[test]
fn minor_loop_segments_cover_period() {
    let period = 1e-5;
    let segments = decompose(&MINOR_LOOP_FLUX, period).unwrap();
    let total: f64 = segments.iter().map(|s| s.duration_s).sum();
    assert!(relative_error(total, period) < 1e-12);
    let minor: f64 = segments
        .iter()
        .filter(|s| (s.loop_peak_to_peak_t - 0.2).abs() < 1e-12)
        .map(|s| s.duration_s)
        .sum();
    assert!(relative_error(minor, period / 10.0 * 5.0 / 3.0) < 1e-12);
    let net_change: f64 = segments.iter().map(|s| s.delta_b_t).sum();
    assert!(net_change.abs() < 1e-12);
}

#[test]
fn nested_minor_loops_found() {
    // Rising leg 0 → 8 with a loop 5 → 2 → 6, which contains a nested loop 3 → 4 → 3.
    // Peak-to-peak values: 8 (major), 3 (5 → 2 → 5) and 1 (3 → 4 → 3).
    let flux = [0.0, 5.0, 3.0, 4.0, 2.0, 6.0, 8.0, 4.0];
    let segments = decompose(&flux, 1.0).unwrap();
    let mut loops: Vec<f64> = segments.iter().map(|s| s.loop_peak_to_peak_t).collect();
    loops.sort_by(f64::total_cmp);
    loops.dedup();
    assert_eq!(loops, vec![1.0, 3.0, 8.0]);
    let total: f64 = segments.iter().map(|s| s.duration_s).sum();
    assert!(relative_error(total, 1.0) < 1e-12);
}

#[test]
fn igse_independent_of_start_sample() {
    // The closed piecewise-linear path is the same whichever sample comes first.
    let p = params(1.3, 2.7);
    let reference = p
        .igse_loss(&MINOR_LOOP_FLUX, 50e3)
        .unwrap()
        .loss_density_w_per_m3;
    for shift in 1..MINOR_LOOP_FLUX.len() {
        let mut rotated = MINOR_LOOP_FLUX.to_vec();
        rotated.rotate_left(shift);
        let computed = p.igse_loss(&rotated, 50e3).unwrap().loss_density_w_per_m3;
        assert!(relative_error(computed, reference) < 1e-12, "shift {shift}");
    }
}
