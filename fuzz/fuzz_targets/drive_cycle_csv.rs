//! Feeds arbitrary bytes to the drive-cycle CSV parser. It must return without
//! panicking, and any cycle it accepts must meet the parser's limits.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_sim::models::drive_cycle::cycle::{
    MAX_ACCELERATION_MPS2, MAX_GRADE, MAX_SPEED_MPS, MAX_TIME_STEP_S, parse_cycle,
};

fuzz_target!(|data: &[u8]| {
    let Ok(cycle) = parse_cycle(data) else {
        return;
    };
    assert!(cycle.time_s.len() >= 2);
    for k in 1..cycle.time_s.len() {
        let dt = cycle.time_s[k] - cycle.time_s[k - 1];
        assert!(dt > 0.0 && dt <= MAX_TIME_STEP_S);
        let a = (cycle.speed_mps[k] - cycle.speed_mps[k - 1]) / dt;
        assert!(a.abs() <= MAX_ACCELERATION_MPS2 * (1.0 + 1e-12));
    }
    for (v, g) in cycle.speed_mps.iter().zip(&cycle.grade) {
        assert!((0.0..=MAX_SPEED_MPS).contains(v));
        assert!(g.abs() <= MAX_GRADE);
    }
});
