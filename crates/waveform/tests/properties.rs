//! Property tests: metrics never panic, decimation keeps every extreme, and
//! CSV and `.pwf` round trips are lossless.

use pelab_waveform::metrics::{self, HarmonicSpec, SpectralWindow, StepSpec, Window};
use pelab_waveform::{
    SignalInfo, SignalKind, StreamingDecimator, Waveforms, csv, decimate_min_max, pwf,
};
use proptest::prelude::*;

/// Non-decreasing times built from increments, about a quarter of them
/// zero (discontinuities), and finite values of mixed magnitude.
fn signal(max_len: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    prop::collection::vec(
        (
            prop_oneof![Just(0.0), 1e-9..1e-3f64, 1e-3..10.0f64],
            prop_oneof![-1e6..1e6f64, -1.0..1.0f64, Just(0.0)],
        ),
        1..max_len,
    )
    .prop_flat_map(|pairs| {
        (-10.0..10.0f64).prop_map(move |t0| {
            let mut t = t0;
            let mut time = Vec::with_capacity(pairs.len());
            let mut values = Vec::with_capacity(pairs.len());
            for &(dt, x) in &pairs {
                time.push(t);
                values.push(x);
                t += dt;
            }
            (time, values)
        })
    })
}

fn window_strategy() -> impl Strategy<Value = Window> {
    prop_oneof![
        Just(Window::All),
        (-20.0..40.0f64, -20.0..40.0f64).prop_map(|(a, b)| Window::range(a, b)),
        (-1.0..30.0f64).prop_map(Window::last),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn metrics_never_panic(
        (time, x) in signal(60),
        window in window_strategy(),
        // Frequencies up to 2 Hz keep the FFT small: the data spans at most
        // about 600 s, so at most 1200 periods are analysed.
        f in prop_oneof![Just(0.0), -5.0..5.0f64, 0.01..2.0f64],
        order in 0usize..20,
        points in 0usize..300,
        t_step in -15.0..30.0f64,
        band in -0.1..0.5f64,
    ) {
        let y: Vec<f64> = x.iter().map(|v| v * 0.5 + 1.0).collect();
        let _ = metrics::statistics(&time, &x, window);
        let _ = metrics::integral(&time, &x, window);
        let _ = metrics::average_power(&time, &x, &y, window);
        let _ = metrics::energy(&time, &x, &y, window);
        let _ = metrics::efficiency(f, order as f64);
        let _ = metrics::step_response(&time, &x, &StepSpec::new(t_step).with_band(band));
        let _ = metrics::analyze_harmonics(&time, &x, &HarmonicSpec::new(f, order));
        let _ = metrics::spectrum(&time, &x, window, points, SpectralWindow::Hann);
        let _ = metrics::resample_uniform(&time, &x, window, points);
        let _ = metrics::ripple_peak_to_peak(&time, &x, f, order);
        let _ = metrics::peak_to_peak_per_period(&time, &x, f, window);
    }

    #[test]
    fn rms_bounds_mean_and_pk_pk_non_negative((time, x) in signal(80), window in window_strategy()) {
        if let Ok(stats) = metrics::statistics(&time, &x, window) {
            let scale = stats.max.abs().max(stats.min.abs());
            prop_assert!(stats.rms >= stats.mean.abs() - 1e-9 * scale, "{stats:?}");
            prop_assert!(stats.peak_to_peak >= 0.0);
            prop_assert!(stats.min - 1e-9 * scale <= stats.mean && stats.mean <= stats.max + 1e-9 * scale);
            prop_assert!(stats.rms <= scale * (1.0 + 1e-9));
        }
    }

    #[test]
    fn decimation_keeps_extremes(
        (time, x) in signal(300),
        buckets in 1usize..40,
        stretch in 0.0..2.0f64,
    ) {
        let (first, last) = (time[0], time[time.len() - 1]);
        let t_end = last + stretch * (last - first);
        let result = decimate_min_max(&time, &x, first, t_end, buckets).unwrap();

        prop_assert!(!result.is_empty());
        prop_assert!(result.len() <= buckets);
        let total: usize = result.iter().map(|b| b.samples).sum();
        prop_assert_eq!(total, time.len());
        for pair in result.windows(2) {
            prop_assert!(pair[0].index < pair[1].index);
            prop_assert!(pair[0].t_last <= pair[1].t_first);
        }
        let global_max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let global_min = x.iter().copied().fold(f64::INFINITY, f64::min);
        prop_assert_eq!(result.iter().map(|b| b.max).fold(f64::NEG_INFINITY, f64::max), global_max);
        prop_assert_eq!(result.iter().map(|b| b.min).fold(f64::INFINITY, f64::min), global_min);

        // Every sample lies inside its bucket's time span and value range.
        let mut i = 0;
        for bucket in &result {
            prop_assert!(bucket.index < buckets);
            prop_assert_eq!(bucket.first, x[i]);
            prop_assert_eq!(bucket.t_first, time[i]);
            for _ in 0..bucket.samples {
                prop_assert!(bucket.min <= x[i] && x[i] <= bucket.max);
                prop_assert!(bucket.t_first <= time[i] && time[i] <= bucket.t_last);
                i += 1;
            }
            prop_assert_eq!(bucket.last, x[i - 1]);
        }
    }

    #[test]
    fn streaming_matches_batch((time, x) in signal(300), buckets in 1usize..40) {
        let (first, last) = (time[0], time[time.len() - 1]);
        // An end past the last sample keeps every sample below the last
        // boundary, where the batch decimator clamps and the stream does not.
        let t_end = last + (last - first) + 1.0;
        let batch = decimate_min_max(&time, &x, first, t_end, buckets).unwrap();

        let width = (t_end - first) / buckets as f64;
        let mut stream = StreamingDecimator::new(1, first, width).unwrap();
        let mut streamed = Vec::new();
        for (k, (&t, &v)) in time.iter().zip(&x).enumerate() {
            if stream.push(t, &[v]).unwrap() || k % 17 == 0 {
                streamed.extend(stream.take_completed().remove(0));
            }
        }
        streamed.extend(stream.finish().remove(0));
        prop_assert_eq!(streamed, batch);
    }

    #[test]
    fn csv_round_trip_is_exact(
        (time, x) in signal(50),
        bits in prop::collection::vec(any::<u64>(), 50),
    ) {
        let raw: Vec<f64> = bits.iter().take(time.len()).map(|&b| f64::from_bits(b)).collect();
        let waves = Waveforms::new(
            vec![
                SignalInfo::new("x", "V", SignalKind::State),
                SignalInfo::new("raw_bits", "", SignalKind::Derived),
            ],
            time.clone(),
            vec![x.clone(), raw.clone()],
        ).unwrap();
        let mut text = Vec::new();
        csv::write_csv(&mut text, &waves).unwrap();
        let read = csv::read_csv(text.as_slice()).unwrap();
        prop_assert_eq!(read.time(), &time[..]);
        prop_assert_eq!(read.column(0).unwrap(), &x[..]);
        for (a, b) in raw.iter().zip(read.column(1).unwrap()) {
            // Every NaN payload is written as `NaN`, so only NaN-ness survives.
            prop_assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
    }

    #[test]
    fn pwf_round_trip_keeps_bits(
        (time, _) in signal(50),
        bits in prop::collection::vec(any::<u64>(), 50),
    ) {
        let raw: Vec<f64> = bits.iter().take(time.len()).map(|&b| f64::from_bits(b)).collect();
        let waves = Waveforms::new(
            vec![SignalInfo::new("raw", "A", SignalKind::Output)],
            time,
            vec![raw.clone()],
        ).unwrap();
        let mut bytes = Vec::new();
        pwf::write_pwf(&mut bytes, &waves).unwrap();
        let read = pwf::read_pwf(bytes.as_slice()).unwrap();
        let read_bits: Vec<u64> = read.column(0).unwrap().iter().map(|v| v.to_bits()).collect();
        let raw_bits: Vec<u64> = raw.iter().map(|v| v.to_bits()).collect();
        prop_assert_eq!(read_bits, raw_bits);
        prop_assert_eq!(read.time(), waves.time());
    }

    #[test]
    fn pwf_reader_survives_corruption(
        position in 0usize..200,
        byte in any::<u8>(),
        cut in 0usize..200,
    ) {
        let waves = Waveforms::new(
            vec![SignalInfo::new("v", "V", SignalKind::State)],
            vec![0.0, 1.0, 2.0],
            vec![vec![1.0, 2.0, 3.0]],
        ).unwrap();
        let mut bytes = Vec::new();
        pwf::write_pwf(&mut bytes, &waves).unwrap();
        let position = position % bytes.len();
        bytes[position] = byte;
        bytes.truncate(bytes.len() - cut % bytes.len());
        let _ = pwf::read_pwf_bytes(&bytes);
        let _ = pwf::read_pwf(bytes.as_slice());
    }
}
