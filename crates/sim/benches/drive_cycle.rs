//! Criterion benchmarks of the `drive_cycle` model kernel.
//!
//! - `wltc_full`: the whole WLTC class 3b cycle (1800 s) at 10 ms steps, 180 000
//!   steps, with the inverter loss map, Tj coupled through the part's Foster network
//!   and all 14 signals recorded: the design of `examples/ev-wltc-400v.toml`.
//! - `wltc_fixed_tj`: the same with every junction fixed at 100 °C.
//! - `build`: parsing the design, the embedded cycle and the part, and building the
//!   thermal model (what `pelab sim validate` does).
//!
//! Throughput is reported in steps per second. Run with
//! `cargo bench -p pelab-sim --bench drive_cycle`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::simulate_design;

const EXAMPLE: &str = include_str!("../../../examples/ev-wltc-400v.toml");

/// Steps of the full WLTC at 10 ms.
const WLTC_STEPS: u64 = 180_000;

fn wltc(c: &mut Criterion) {
    let mut group = c.benchmark_group("drive_cycle");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(WLTC_STEPS));

    let coupled = Design::parse(EXAMPLE, Format::Toml).expect("the example is valid");
    group.bench_function("wltc_full", |b| {
        b.iter(|| simulate_design(black_box(&coupled), &mut |_| {}).expect("the run succeeds"));
    });

    let fixed_text = EXAMPLE.replace("model = \"coupled\"", "model = \"fixed\"\ntj = 100.0");
    let fixed = Design::parse(&fixed_text, Format::Toml).expect("the variant is valid");
    group.bench_function("wltc_fixed_tj", |b| {
        b.iter(|| simulate_design(black_box(&fixed), &mut |_| {}).expect("the run succeeds"));
    });

    group.throughput(Throughput::Elements(1));
    group.bench_function("build", |b| {
        b.iter(|| {
            Design::parse(black_box(EXAMPLE), Format::Toml)
                .expect("the example is valid")
                .build_model()
                .expect("the model builds")
        });
    });
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::wltc;
    use criterion::criterion_group;

    criterion_group!(benches, wltc);
}

criterion_main!(groups::benches);
