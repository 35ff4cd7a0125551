//! Feeds arbitrary bytes to the CSV reader. It must return without
//! panicking, and any input it accepts must survive a write/read round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_waveform::csv;

fuzz_target!(|data: &[u8]| {
    let Ok(waves) = csv::read_csv(data) else {
        return;
    };
    let mut text = Vec::new();
    csv::write_csv(&mut text, &waves).expect("writing to a Vec succeeds");
    let again = csv::read_csv(text.as_slice()).expect("written CSV reads back");
    assert_eq!(again.signals(), waves.signals());
    assert_eq!(again.time(), waves.time());
    for k in 0..waves.signal_count() {
        let (a, b) = (waves.column(k).unwrap_or_default(), again.column(k).unwrap_or_default());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{x} vs {y}");
        }
    }
});
