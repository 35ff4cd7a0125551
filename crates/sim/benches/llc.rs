//! Criterion benchmarks of the `llc` model kernel.
//!
//! - `llc_400v_48v_10ms`: 10 ms of examples/llc-400v-48v.toml (400 V to 48 V, 1 kW,
//!   100 kHz resonance, closed loop with a load step), waveforms recorded every 50 ns,
//!   without the gain curve and the ZVS map.
//! - `llc_gain_curve_9_points`: the simulated gain curve of that tank, 9 open-loop
//!   steady states from 60 kHz to 200 kHz at full load.
//!
//! Run with `cargo bench -p pelab-sim --bench llc`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_main};
use pelab_sim::design::{Design, Format};
use pelab_sim::models::ModelLimits;
use pelab_sim::models::llc::plant::Tank;
use pelab_sim::models::llc::sweep::steady_state;

const EXAMPLE: &str = include_str!("../../../examples/llc-400v-48v.toml");

fn transient(c: &mut Criterion) {
    let text = EXAMPLE
        .replace("gain_points = 9", "gain_points = 0")
        .replace("zvs_points = 4", "zvs_points = 0");
    let design = Design::parse(&text, Format::Toml).expect("example parses");
    let mut group = c.benchmark_group("llc");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("llc_400v_48v_10ms", |b| {
        b.iter(|| {
            let mut model = design.build_model().expect("example builds");
            let out = model
                .run(
                    &ModelLimits {
                        tap: None,
                        max_samples: 10_000_000,
                    },
                    &mut |_| {},
                )
                .expect("run succeeds");
            black_box(out.steps)
        })
    });

    let tank = Tank {
        v_in: 400.0,
        lr: 20e-6,
        cr: 126.65e-9,
        lm: 100e-6,
        n: 4.1,
        c_sw: 400e-12,
        v_f: 0.45,
        r_d: 5e-3,
        co: 470e-6,
        r_c: 10e-3,
    };
    group.bench_function("llc_gain_curve_9_points", |b| {
        b.iter(|| {
            let mut steps = 0;
            for i in 0..9 {
                let f = 60e3 + 17.5e3 * i as f64;
                let point = steady_state(&tank, 200e-9, f, 2.304).expect("steady state");
                steps += point.steps;
            }
            black_box(steps)
        })
    });
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::transient;
    use criterion::criterion_group;

    criterion_group!(benches, transient);
}

criterion_main!(groups::benches);
