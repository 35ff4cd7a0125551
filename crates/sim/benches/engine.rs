//! Criterion benchmarks of the switched piecewise-linear engine.
//!
//! - `interleaved_boost_2ph_100khz_2ms`: a full-waveform run of a 2-phase interleaved
//!   boost (the circuit of `scripts/bench/pelab_vs_ngspice.py`) through the netlist path
//!   and through the `interleaved_boost` design kernel, 10 ns output step.
//! - `state_updates_4_state_circuit`: stepping throughput on a 3-phase interleaved boost
//!   (3 inductors and 1 capacitor), recording only the states with the energy balance
//!   off, and the same run with the default probes and energy balance for comparison.
//! - `setup`: netlist parsing, circuit build, one configuration model and one matrix
//!   exponential.
//!
//! Throughput is reported in engine steps (state updates) per second, counted by a
//! warm-up run of each case. Run with `cargo bench -p pelab-sim --bench engine`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use pelab_sim::circuit::Circuit;
use pelab_sim::design::{Design, Format};
use pelab_sim::engine::{self, NetlistGates, RunOptions, SampleSink};
use pelab_sim::netlist::parse_netlist;
use pelab_sim::simulate::{simulate_design, simulate_netlist};
use pelab_sim::sources::PulseDefaults;

/// 2-phase interleaved synchronous boost, 100 kHz, 2 ms, `.tran 10n 2m 0 10n uic`.
const BOOST_2PH: &str = include_str!("circuits/interleaved_boost_2ph.cir");

/// 3-phase interleaved synchronous boost, 100 kHz, 1 ms, 10 ns steps: 4 states.
const BOOST_3PH: &str = include_str!("circuits/interleaved_boost_3ph.cir");

/// The circuit of `BOOST_2PH` as an `interleaved_boost` design. The kernel adds a body
/// diode to every switch and drives the gates from its own PWM modulator, so the engine
/// also checks 4 diodes at every step and stops at ideal (not ramped) gate edges.
const BOOST_2PH_DESIGN: &str = r#"
kernel = "interleaved_boost"
title = "2-phase interleaved synchronous boost, 100 kHz, D = 0.4"

[parameters]
phases = 2
v_in = 200.0
l = 100e-6
l_tolerance = [0.0, 0.10]
r_l = 20e-3
c = 50e-6
r_c = 5e-3
r_load = 20.0
f_sw = 100e3
rectifier = "synchronous"
r_on = 10e-3
r_off = 1e6
t_dead = 0.0
v_out0 = 200.0

[control]
mode = "open_loop"
duty = 0.4

[simulation]
t_stop = 2e-3
output_step = 10e-9
"#;

/// A sink that keeps a running sum of every pushed value, so the recorded values are
/// used without the cost of storing them.
#[derive(Default)]
struct ChecksumSink {
    sum: f64,
    samples: usize,
}

impl SampleSink for ChecksumSink {
    fn push(&mut self, _t: f64, values: &[f64]) -> Result<(), String> {
        self.sum += values.iter().sum::<f64>();
        self.samples += 1;
        Ok(())
    }
}

/// Runs `circuit` with its netlist gate sources and returns the engine step count.
fn run_states(circuit: &Circuit, options: &RunOptions) -> usize {
    let mut gates = NetlistGates::new(
        circuit,
        PulseDefaults {
            edge_time: options.pulse_edge_default,
            t_stop: options.t_stop,
        },
        options.t_stop,
    );
    let mut sink = ChecksumSink::default();
    let report = engine::run(circuit, &mut gates, options, &mut sink, &mut |_| {})
        .expect("the 3-phase benchmark circuit runs");
    black_box(sink.sum);
    report.stats.steps
}

/// Run options from the `.tran` card of `text`, as `pelab sim run` takes them.
fn tran_options(text: &str) -> RunOptions {
    let netlist = parse_netlist(text).expect("the benchmark netlist parses");
    let tran = netlist
        .tran
        .expect("the benchmark netlist has a .tran card");
    let mut options = RunOptions::new(tran.stop, tran.max_step.unwrap_or(tran.step).min(tran.step));
    options.pulse_edge_default = tran.step;
    options
}

fn interleaved_boost_2ph(c: &mut Criterion) {
    let design = Design::parse(BOOST_2PH_DESIGN, Format::Toml).expect("the design is valid");
    let netlist_steps = simulate_netlist(BOOST_2PH, None, &mut |_| {})
        .expect("the 2-phase netlist runs")
        .report
        .stats
        .steps;
    let design_steps = simulate_design(&design, &mut |_| {})
        .expect("the 2-phase design runs")
        .report
        .stats
        .steps;

    let mut group = c.benchmark_group("interleaved_boost_2ph_100khz_2ms");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(netlist_steps as u64));
    group.bench_function("netlist", |b| {
        b.iter(|| {
            let output = simulate_netlist(black_box(BOOST_2PH), None, &mut |_| {})
                .expect("the 2-phase netlist runs");
            black_box(output.waveforms);
        });
    });
    group.throughput(Throughput::Elements(design_steps as u64));
    group.bench_function("design_kernel", |b| {
        b.iter(|| {
            let output =
                simulate_design(black_box(&design), &mut |_| {}).expect("the 2-phase design runs");
            black_box(output.waveforms);
        });
    });
    group.finish();
}

fn state_updates_4_state(c: &mut Criterion) {
    let netlist = parse_netlist(BOOST_3PH).expect("the 3-phase netlist parses");
    let circuit = Circuit::from_netlist(&netlist).expect("the 3-phase circuit builds");
    assert_eq!(
        circuit.state_count(),
        4,
        "the throughput circuit has 4 states"
    );

    let mut states_only = tran_options(BOOST_3PH);
    states_only.probes = ["i(L1)", "i(L2)", "i(L3)", "vd(C1)"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    states_only.energy = false;
    let default_probes = tran_options(BOOST_3PH);

    let mut group = c.benchmark_group("state_updates_4_state_circuit");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for (name, options) in [
        ("states_only_energy_off", &states_only),
        ("default_probes_energy_on", &default_probes),
    ] {
        let steps = run_states(&circuit, options);
        group.throughput(Throughput::Elements(steps as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(run_states(&circuit, options)));
        });
    }
    group.finish();
}

fn setup(c: &mut Criterion) {
    let netlist = parse_netlist(BOOST_2PH).expect("the 2-phase netlist parses");
    let circuit = Circuit::from_netlist(&netlist).expect("the 2-phase circuit builds");
    let model = circuit
        .config_model(0)
        .expect("configuration 0 is not singular");

    let mut group = c.benchmark_group("setup");
    group.bench_function("parse_netlist", |b| {
        b.iter(|| parse_netlist(black_box(BOOST_2PH)).expect("the 2-phase netlist parses"));
    });
    group.bench_function("build_circuit", |b| {
        b.iter(|| Circuit::from_netlist(black_box(&netlist)).expect("the circuit builds"));
    });
    group.bench_function("first_config_model", |b| {
        b.iter(|| {
            black_box(&circuit)
                .config_model(0)
                .expect("configuration 0 is not singular")
        });
    });
    // One step matrix `[Φ Γ]` (a matrix exponential) is what every step-cache miss costs,
    // such as a new step length after a closed-loop controller moved a PWM edge.
    group.bench_function("step_matrix_10ns", |b| {
        b.iter(|| {
            pelab_linalg::discretize_zoh(black_box(&model.a), black_box(&model.b), 10e-9)
                .expect("the step matrix is finite")
        });
    });
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::{interleaved_boost_2ph, setup, state_updates_4_state};
    use criterion::criterion_group;

    criterion_group!(benches, interleaved_boost_2ph, state_updates_4_state, setup);
}

criterion_main!(groups::benches);
