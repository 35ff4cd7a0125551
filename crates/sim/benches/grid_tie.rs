//! Criterion benchmarks of the `grid_tie` model kernel.
//!
//! The design is a 10 kW, 400 V, 50 Hz grid-tie inverter at 20 kHz with the LCL filter
//! of examples/grid-tie-10kw-lcl.toml, a 0.5 pu sag and a 20° phase jump. Each run
//! simulates 1 s with the default output step (T/10, 200 001 samples of 23 signals):
//!
//! - `grid_tie_10kw_20khz_1s/switching`: exact PWM edges with 1 µs deadtime;
//! - `grid_tie_10kw_20khz_1s/averaged`: one pole-voltage average per period.
//!
//! Throughput is reported in exact plant sub-steps (one per set bit of each interval
//! length in ticks, see `models::grid_tie::plant::Stepper`), counted by a warm-up run.
//! Run with `cargo bench -p pelab-sim --bench grid_tie`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::simulate_design;

fn design(model: &str) -> Design {
    let text = format!(
        r#"
kernel = "grid_tie"
[parameters]
v_dc = 700.0
v_ll_rms = 400.0
f_grid = 50.0
f_sw = 20e3
inverter_model = "{model}"
t_dead = 1e-6
l1 = 1.5e-3
r1 = 0.05
cf = 10e-6
rd = 2.0
l2 = 0.5e-3
r2 = 0.02
lg = 0.1e-3
rg = 0.05
grid_voltage_pu = [[0.4, 0.5], [0.5, 1.0]]
grid_phase_jump = [[0.7, 20.0]]

[control]
p_ref = [[0.0, 10e3]]
i_max = 30.0

[simulation]
t_stop = 1.0
"#
    );
    Design::parse(&text, Format::Toml).expect("the benchmark design is valid")
}

fn grid_tie_10kw(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_tie_10kw_20khz_1s");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    for model in ["switching", "averaged"] {
        let design = design(model);
        let steps = simulate_design(&design, &mut |_| {})
            .expect("the benchmark run succeeds")
            .report
            .stats
            .steps;
        group.throughput(Throughput::Elements(steps as u64));
        group.bench_function(model, |b| {
            b.iter(|| black_box(simulate_design(&design, &mut |_| {}).expect("run succeeds")));
        });
    }
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::grid_tie_10kw;
    use criterion::criterion_group;

    criterion_group!(benches, grid_tie_10kw);
}

criterion_main!(groups::benches);
