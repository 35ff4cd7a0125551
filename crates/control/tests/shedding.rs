//! Phase shedding: hysteresis, monotonic behaviour, dwell time and configuration.

use pelab_control::Expected;
use pelab_control::shedding::{PhaseOffsets, PhaseShedder, SheddingConfig, SheddingStep};

const TS: f64 = 10e-6;

/// Four phases: add the second above 10 A, the third above 20 A, the fourth above 30 A.
fn config(min_dwell: f64) -> SheddingConfig<3> {
    SheddingConfig {
        steps: [
            SheddingStep {
                up: 10.0,
                down: 8.0,
            },
            SheddingStep {
                up: 20.0,
                down: 17.0,
            },
            SheddingStep {
                up: 30.0,
                down: 26.0,
            },
        ],
        min_dwell,
        ts: TS,
    }
}

#[test]
fn thresholds_add_and_remove_phases() {
    let mut shedder = PhaseShedder::new(config(0.0), 1).unwrap();
    assert_eq!(PhaseShedder::<3>::MAX_PHASES, 4);
    let cases = [
        (5.0, 1),
        (10.0, 1),
        (10.01, 2),
        (20.01, 3),
        (30.01, 4),
        (27.0, 4),
        (25.0, 3),
        (17.0, 3),
        (16.9, 2),
        (8.0, 2),
        (7.9, 1),
    ];
    for (load, phases) in cases {
        assert_eq!(shedder.update(load), phases, "load {load}");
    }
}

#[test]
fn load_step_adds_phases_at_once() {
    let mut shedder = PhaseShedder::new(config(1e-3), 1).unwrap();
    assert_eq!(shedder.update(35.0), 4);
    assert_eq!(
        shedder.update(-35.0),
        4,
        "negative load counts as its magnitude"
    );
}

#[test]
fn hovering_load_does_not_chatter() {
    for threshold_load in [10.0, 8.0, 20.0, 17.0] {
        let mut shedder = PhaseShedder::new(config(0.0), 1).unwrap();
        // Reach the hysteresis band from below, then hover ±0.5 A around the threshold.
        shedder.update(threshold_load + 0.5);
        let mut changes = 0;
        let mut previous = shedder.active_phases();
        for k in 0..10_000 {
            let ripple = if k % 2 == 0 { 0.5 } else { -0.5 };
            let phases = shedder.update(threshold_load + ripple);
            if phases != previous {
                changes += 1;
                previous = phases;
            }
        }
        assert!(changes <= 1, "{changes} changes around {threshold_load} A");
    }
}

#[test]
fn load_exactly_at_thresholds_holds() {
    let mut shedder = PhaseShedder::new(config(0.0), 2).unwrap();
    for _ in 0..100 {
        assert_eq!(shedder.update(10.0), 2);
        assert_eq!(shedder.update(8.0), 2);
    }
}

#[test]
fn rising_load_never_sheds() {
    let mut shedder = PhaseShedder::new(config(0.0), 1).unwrap();
    let mut previous = 1;
    for k in 0..=4000 {
        let load = k as f64 * 0.01;
        let phases = shedder.update(load);
        assert!(phases >= previous, "dropped to {phases} at {load} A");
        previous = phases;
    }
    assert_eq!(previous, 4);
}

#[test]
fn falling_load_never_adds() {
    let mut shedder = PhaseShedder::new(config(0.0), 4).unwrap();
    let mut previous = 4;
    for k in (0..=4000).rev() {
        let load = k as f64 * 0.01;
        let phases = shedder.update(load);
        assert!(phases <= previous, "rose to {phases} at {load} A");
        previous = phases;
    }
    assert_eq!(previous, 1);
}

#[test]
fn dwell_time_delays_shedding() {
    // 1 ms = 100 samples.
    let mut shedder = PhaseShedder::new(config(1e-3), 1).unwrap();
    assert_eq!(shedder.update(25.0), 3);
    // The load collapses right after the change: shedding waits for the dwell time.
    for k in 1..100 {
        assert_eq!(shedder.update(0.0), 3, "shed after {k} samples");
    }
    // Then all surplus phases go at once.
    assert_eq!(shedder.update(0.0), 1);
    // Adding is never delayed.
    assert_eq!(shedder.update(12.0), 2);
}

#[test]
fn first_shed_needs_no_dwell() {
    let mut shedder = PhaseShedder::new(config(1e-3), 4).unwrap();
    assert_eq!(shedder.update(0.0), 1);
}

#[test]
fn invalid_load_holds_phases() {
    let mut shedder = PhaseShedder::new(config(0.0), 3).unwrap();
    assert_eq!(shedder.update(f64::NAN), 3);
    assert!(shedder.input_rejected());
    assert_eq!(shedder.update(f64::NEG_INFINITY), 3);
    assert_eq!(shedder.update(0.0), 1);
    assert!(!shedder.input_rejected());
}

#[test]
fn offsets_of_active_phases() {
    let mut shedder = PhaseShedder::new(config(0.0), 1).unwrap();
    assert_eq!(shedder.phase_offsets().collect::<Vec<_>>(), [0.0]);
    shedder.update(25.0);
    let offsets: Vec<f64> = shedder.phase_offsets().collect();
    assert_eq!(offsets, [0.0, 1.0 / 3.0, 2.0 / 3.0]);
    assert!(shedder.is_active(2));
    assert!(!shedder.is_active(3));
    assert_eq!(PhaseOffsets::new(4).len(), 4);
    assert_eq!(PhaseOffsets::new(0).count(), 0);
}

#[test]
fn rejects_non_increasing_up() {
    let mut bad = config(0.0);
    bad.steps[1] = SheddingStep { up: 9.5, down: 9.0 };
    let err = PhaseShedder::new(bad, 1).unwrap_err();
    assert_eq!(err.field, "steps.up");
    assert_eq!(err.index, Some(1));
    assert_eq!(
        err.to_string(),
        "invalid steps[1].up = 9.5: expected a finite value > up of the previous step = 10"
    );
}

#[test]
fn rejects_non_increasing_down() {
    let mut bad = config(0.0);
    bad.steps[2].down = 17.0;
    let err = PhaseShedder::new(bad, 1).unwrap_err();
    assert_eq!(err.field, "steps.down");
    assert_eq!(err.index, Some(2));
}

#[test]
fn rejects_down_not_below_up() {
    let mut bad = config(0.0);
    bad.steps[0].down = 10.0;
    let err = PhaseShedder::new(bad, 1).unwrap_err();
    assert_eq!(err.field, "steps.up");
    assert_eq!(err.index, Some(0));
    assert_eq!(
        err.expected,
        Expected::GreaterThan {
            field: "down of the same step",
            value: 10.0
        }
    );
}

#[test]
fn rejects_bad_scalars() {
    let mut bad = config(0.0);
    bad.steps[0].down = -1.0;
    assert_eq!(PhaseShedder::new(bad, 1).unwrap_err().field, "steps.down");
    bad = config(-1.0);
    assert_eq!(PhaseShedder::new(bad, 1).unwrap_err().field, "min_dwell");
    bad = SheddingConfig {
        ts: f64::NAN,
        ..config(0.0)
    };
    assert_eq!(PhaseShedder::new(bad, 1).unwrap_err().field, "ts");
    bad.steps[2].up = f64::INFINITY;
    bad.ts = TS;
    assert_eq!(PhaseShedder::new(bad, 1).unwrap_err().field, "steps.up");
}

#[test]
fn rejects_initial_phases_out_of_range() {
    for initial in [0, 5] {
        let err = PhaseShedder::new(config(0.0), initial).unwrap_err();
        assert_eq!(err.field, "initial_phases");
        assert_eq!(err.expected, Expected::CountWithin { min: 1, max: 4 });
    }
}

#[test]
fn single_phase_converter_stays_at_one() {
    let mut shedder = PhaseShedder::new(
        SheddingConfig {
            steps: [],
            min_dwell: 0.0,
            ts: TS,
        },
        1,
    )
    .unwrap();
    assert_eq!(shedder.update(1e9), 1);
}
