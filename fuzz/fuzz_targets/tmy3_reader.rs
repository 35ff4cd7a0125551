//! Feeds arbitrary bytes to the TMY3 weather reader of the `pv_mppt` kernel. It must
//! return without panicking, and any file it accepts must hold consecutive hours
//! with finite values in range that interpolate to finite values.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_sim::models::pv::weather::parse_tmy3;

fuzz_target!(|data: &[u8]| {
    let Ok(weather) = parse_tmy3(data) else {
        return;
    };
    assert!(!weather.records.is_empty());
    for r in &weather.records {
        assert!(r.ghi.is_finite());
        assert!(r.ghi >= 0.0);
        assert!(r.dni.is_finite());
        assert!(r.dhi.is_finite());
        assert!((1..=24).contains(&r.hour));
        assert!((1..=365).contains(&r.day_of_year()));
    }
    let day = weather.records[0].day_of_year();
    if let Ok(window) = weather.day_window(day) {
        for t in [0.0, 1800.0, 43_200.0, 86_399.0, 86_400.0] {
            let s = window.sample(t);
            assert!(s.ghi.is_finite());
            assert!(s.temp_air.is_finite());
        }
    }
});
