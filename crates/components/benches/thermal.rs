//! Criterion benchmarks of the streaming thermal state.
//!
//! One second of a 20 kHz three-phase inverter: six switches, each with the 4-pair
//! datasheet Foster network and a 0.05 K/W pad, on one lumped heatsink (0.04 K/W,
//! 300 J/K), in the physical Cauer coupling (25 states). Every 50 µs switching period
//! has four events (the two edges of a centred PWM pulse and the two dead times),
//! so one second is 80,000 calls of [`ThermalState::advance`] with six powers.
//!
//! - `repeated_dt`: the same four step lengths every period (fixed duty), so the
//!   decay factors always come from the cache.
//! - `varying_dt`: sinusoidal modulation at 50 Hz, so nearly every step length is
//!   new and pays `2n` exponentials.
//! - `foster_series`: `varying_dt` with the datasheet series coupling (26 states).
//!
//! Throughput is reported in source-steps (calls × sources) per second; the inverse
//! is the cost per source per step. Run with
//! `cargo bench -p pelab-components --bench thermal`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_components::thermal::{
    Coupling, Foster, HeatSource, Heatsink, Network, ThermalModel, ThermalStack,
};

const SOURCES: usize = 6;
const F_SW: f64 = 20e3;
const PERIODS: usize = 20_000;
const DEAD_TIME: f64 = 0.5e-6;

fn model(coupling: Coupling) -> ThermalModel {
    let device =
        Foster::from_r_tau(&[0.02, 0.08, 0.15, 0.05], &[1e-4, 1e-3, 1e-2, 0.1]).expect("valid");
    ThermalStack {
        sources: vec![
            HeatSource {
                network: Network::Foster(device),
                r_case_heatsink_k_per_w: 0.05,
            };
            SOURCES
        ],
        heatsink: Some(Heatsink::lumped(0.04, 300.0).expect("valid")),
        coupling,
    }
    .build()
    .expect("valid stack")
}

/// Step lengths and per-step powers of one second: four events per period.
fn schedule(modulated: bool) -> (Vec<f64>, Vec<[f64; SOURCES]>) {
    let period = 1.0 / F_SW;
    let mut dt = Vec::with_capacity(4 * PERIODS);
    let mut power = Vec::with_capacity(4 * PERIODS);
    for k in 0..PERIODS {
        let t = k as f64 * period;
        let m = if modulated {
            0.9 * (2.0 * std::f64::consts::PI * 50.0 * t).sin()
        } else {
            0.6
        };
        let duty = 0.5 * (1.0 + m);
        let on = duty * period - DEAD_TIME;
        let off = period - on - 2.0 * DEAD_TIME;
        let conduction = 40.0 * duty;
        let mut p_on = [0.0; SOURCES];
        let mut p_off = [0.0; SOURCES];
        let mut p_dead = [0.0; SOURCES];
        for s in 0..SOURCES {
            p_on[s] = if s % 2 == 0 { conduction } else { 2.0 };
            p_off[s] = if s % 2 == 0 { 1.0 } else { 30.0 * (1.0 - duty) };
            p_dead[s] = 200.0;
        }
        dt.extend_from_slice(&[on / 2.0, DEAD_TIME, off + on / 2.0 - DEAD_TIME, DEAD_TIME]);
        power.extend_from_slice(&[p_on, p_dead, p_off, p_dead]);
    }
    (dt, power)
}

fn bench_case(c: &mut Criterion, name: &str, coupling: Coupling, modulated: bool) {
    let model = model(coupling);
    let (dt, power) = schedule(modulated);
    let mut group = c.benchmark_group("thermal_state_1s_20khz_6_sources");
    group.throughput(Throughput::Elements((dt.len() * SOURCES) as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(name, |b| {
        b.iter(|| {
            let mut state = model.state(40.0).expect("valid ambient");
            let mut hottest = 0.0f64;
            for (h, p) in dt.iter().zip(&power) {
                let tj = state.advance(*h, p);
                hottest = hottest.max(tj[0]);
            }
            black_box(hottest)
        });
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_case(c, "repeated_dt", Coupling::Cauer, false);
    bench_case(c, "varying_dt", Coupling::Cauer, true);
    bench_case(c, "foster_series", Coupling::FosterSeries, true);
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::benches;
    use criterion::criterion_group;

    criterion_group!(thermal, benches);
}

criterion_main!(groups::thermal);
