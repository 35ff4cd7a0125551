//! Criterion benchmark of the `pmsm_drive` model kernel.
//!
//! `switching_20khz_1s`: the switching-level inverter at 20 kHz with deadtime, FOC in
//! speed mode, 1 s simulated from standstill to 3000 rpm, 10 kHz output. Throughput
//! is reported in RK4 steps per second, counted by a warm-up run. Run with
//! `cargo bench -p pelab-sim --bench pmsm`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_sim::design::{Design, Format};
use pelab_sim::models::{ModelLimits, ModelOutput};

/// An interior PMSM at 400 V, speed loop from 0 to 3000 rpm against a quadratic load.
const DRIVE: &str = r#"
kernel = "pmsm_drive"
[parameters]
inverter_model = "switching"
f_sw = 20e3
t_dead = 250e-9
v_dc = 400.0
c_dc = 500e-6
r_s = 0.01
l_d = 0.12e-3
l_q = 0.30e-3
psi = 0.05
pole_pairs = 4
j = 0.05
load_k2 = 1.0e-3
[control]
mode = "speed"
speed_ref = [[0.0, 3000.0]]
current_bandwidth = 500.0
speed_bandwidth = 20.0
i_max = 500.0
[simulation]
t_stop = 1.0
output_step = 1e-4
"#;

fn run(design: &Design) -> ModelOutput {
    let mut model = design.build_model().expect("benchmark design builds");
    model
        .run(
            &ModelLimits {
                tap: None,
                max_samples: 1_000_000,
            },
            &mut |_| {},
        )
        .expect("benchmark run succeeds")
}

fn switching_20khz_1s(c: &mut Criterion) {
    let design = Design::parse(DRIVE, Format::Toml).expect("benchmark design parses");
    let steps = run(&design).steps;
    let mut group = c.benchmark_group("pmsm_drive");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(steps as u64));
    group.bench_function("switching_20khz_1s", |b| b.iter(|| black_box(run(&design))));
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so it lives in a module that allows that.
mod groups {
    #![allow(missing_docs)]
    use criterion::criterion_group;

    criterion_group!(benches, super::switching_20khz_1s);
}

criterion_main!(groups::benches);
