//! Property tests: invariants of Dowell's factor, the loop decomposition, the iGSE,
//! the harmonic decomposition and the NTC model over random inputs.

use proptest::prelude::*;

use pelab_components::magnetics::SteinmetzParams;
use pelab_components::magnetics::flux_loops::decompose;
use pelab_components::magnetics::harmonics::spectrum;
use pelab_components::magnetics::winding::dowell_factor;
use pelab_components::passive::NtcBeta;

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

proptest! {
    #[test]
    fn dowell_at_least_one_and_rising_with_layers(delta in 0.0..60.0f64, layers in 1u32..30) {
        let fewer = dowell_factor(delta, layers).unwrap();
        let more = dowell_factor(delta, layers + 1).unwrap();
        // F_R = 1 + O(Δ⁴) may round to exactly 1 at tiny Δ, hence ≥ and a small slack.
        prop_assert!(fewer >= 1.0 - 1e-15);
        prop_assert!(more >= fewer);
    }

    #[test]
    fn loop_segments_cover_period(flux in prop::collection::vec(-1.0..1.0f64, 2..200)) {
        // Random samples are distinct with probability 1, so no constant piece is
        // dropped and the durations add up to the period. The net change is zero.
        let segments = decompose(&flux, 1e-5).unwrap();
        let total: f64 = segments.iter().map(|s| s.duration_s).sum();
        let net: f64 = segments.iter().map(|s| s.delta_b_t).sum();
        prop_assert!(relative_error(total, 1e-5) < 1e-9);
        prop_assert!(net.abs() < 1e-9);
        let (lo, hi) = flux.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &b| {
            (l.min(b), h.max(b))
        });
        for s in &segments {
            prop_assert!(s.loop_peak_to_peak_t <= hi - lo + 1e-12);
            prop_assert!(s.delta_b_t.abs() <= s.loop_peak_to_peak_t + 1e-12);
        }
    }

    #[test]
    fn igse_ignores_start_sample(
        flux in prop::collection::vec(-0.3..0.3f64, 3..120),
        shift in 0usize..120,
    ) {
        let p = SteinmetzParams::new(5.0, 1.4, 2.6, 1e3, 1e6).unwrap();
        let reference = p.igse_loss(&flux, 1e5).unwrap().loss_density_w_per_m3;
        let mut rotated = flux.clone();
        let shift = shift % flux.len();
        rotated.rotate_left(shift);
        let computed = p.igse_loss(&rotated, 1e5).unwrap().loss_density_w_per_m3;
        prop_assert!(relative_error(computed, reference) < 1e-9);
    }

    #[test]
    fn spectrum_keeps_energy(samples in prop::collection::vec(-10.0..10.0f64, 2..300)) {
        let s = spectrum("x", &samples).unwrap();
        let mean_square = samples.iter().map(|v| v * v).sum::<f64>() / samples.len() as f64;
        prop_assert!((s.total_rms().powi(2) - mean_square).abs() <= 1e-9 * (1.0 + mean_square));
    }

    #[test]
    fn ntc_round_trip(
        r_ref in 100.0..1e6f64,
        beta in 1000.0..10000.0f64,
        temperature in -50.0..200.0f64,
    ) {
        let ntc = NtcBeta::new(r_ref, beta, 25.0).unwrap();
        let r = ntc.resistance_ohm(temperature).unwrap();
        let back = ntc.temperature_c(r).unwrap();
        prop_assert!((back - temperature).abs() < 1e-8);
    }
}
