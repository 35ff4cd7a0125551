//! Feeds arbitrary bytes to the `.pwf` readers. Both must return without
//! panicking, and any input they accept must survive a write/read round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_waveform::{Waveforms, pwf};

fn bits(waves: &Waveforms) -> Vec<Vec<u64>> {
    let mut columns = vec![waves.time().iter().map(|v| v.to_bits()).collect()];
    for k in 0..waves.signal_count() {
        let column = waves.column(k).unwrap_or_default();
        columns.push(column.iter().map(|v| v.to_bits()).collect());
    }
    columns
}

fuzz_target!(|data: &[u8]| {
    let from_slice = pwf::read_pwf_bytes(data);
    let streamed = pwf::read_pwf(data);
    assert_eq!(from_slice.is_ok(), streamed.is_ok(), "slice and stream readers disagree");
    if let Ok(waves) = from_slice {
        let mut bytes = Vec::new();
        pwf::write_pwf(&mut bytes, &waves).expect("writing to a Vec succeeds");
        let again = pwf::read_pwf_bytes(&bytes).expect("written file reads back");
        assert_eq!(again.signals(), waves.signals());
        assert_eq!(again.metadata(), waves.metadata());
        assert_eq!(bits(&again), bits(&waves));
    }
});
