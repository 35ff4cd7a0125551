//! Criterion benchmarks of the `pv_mppt` model kernel.
//!
//! - `pv_mppt_day/mppt_10hz`: `examples/pv-string-mppt.toml`, 12 modules on a boost
//!   with P&O at 10 Hz and a 20 kHz controller over a whole TMY3 summer day.
//! - `pv_mppt_day/mppt_1hz`: the same day with the MPPT at 1 Hz, a tenth of the
//!   perturbation transients.
//! - `pv_mppt_ramps/en50530_both`: both EN 50530-style ramp sequences, 2 cycles.
//!
//! Each iteration builds the model and runs it; the CEC table and the TMY3 year are
//! parsed once per process, before the first iteration. Throughput counts controller
//! steps. Run with `cargo bench -p pelab-sim --bench pv`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_sim::design::{Design, Format};
use pelab_sim::models::ModelLimits;

const DAY_DESIGN: &str = include_str!("../../../examples/pv-string-mppt.toml");

/// Runs a design and returns its controller steps.
fn run(design: &Design) -> usize {
    let mut model = design.build_model().expect("the design builds");
    let output = model
        .run(
            &ModelLimits {
                tap: None,
                max_samples: 1_000_000,
            },
            &mut |_| {},
        )
        .expect("the run succeeds");
    output.steps
}

fn bench_design(c: &mut Criterion, group_name: &str, cases: &[(&str, String)]) {
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (name, text) in cases {
        let design = Design::parse(text, Format::Toml).expect("the design parses");
        let steps = run(&design);
        group.throughput(Throughput::Elements(steps as u64));
        group.bench_function(*name, |b| b.iter(|| run(black_box(&design))));
    }
    group.finish();
}

fn pv_mppt_day(c: &mut Criterion) {
    let slow = DAY_DESIGN.replace("mppt_rate = 10.0", "mppt_rate = 1.0");
    bench_design(
        c,
        "pv_mppt_day",
        &[("mppt_10hz", DAY_DESIGN.to_string()), ("mppt_1hz", slow)],
    );
}

fn pv_mppt_ramps(c: &mut Criterion) {
    let ramps = DAY_DESIGN.replace("profile = \"tmy3_day\"", "profile = \"en50530_ramps\"");
    bench_design(c, "pv_mppt_ramps", &[("en50530_both", ramps)]);
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::{pv_mppt_day, pv_mppt_ramps};
    use criterion::criterion_group;

    criterion_group!(benches, pv_mppt_day, pv_mppt_ramps);
}

criterion_main!(groups::benches);
