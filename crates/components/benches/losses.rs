//! Criterion benchmark of losses and junction temperatures over one second of a
//! 20 kHz three-phase inverter.
//!
//! Six positions of the Infineon FF300R12KE3 IGBT module (datasheet curves: Vce(Ic,
//! Tj), Eon, Eoff, Err, diode Vf) switch a 600 V link with SVPWM at m = 1, 200 A peak
//! phase current at cos φ = 0.9 and 50 Hz, centre-aligned, without deadtime. Each
//! position's trace has 7 samples per carrier period (both sides of both edges plus
//! the period start and middle), 140,001 samples per position. The timed part is
//! [`coupled_losses`]: every 50 µs it looks up the losses of all six positions at
//! their present Tj and advances the physical Cauer stack (each part's Foster
//! network, a 0.05 K/W pad, a shared 0.04 K/W, 300 J/K heatsink) by one period.
//!
//! Run with `cargo bench -p pelab-components --bench losses`.

use std::f64::consts::PI;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_main};
use pelab_components::library::load_built_in;
use pelab_components::loss::{CoupledPosition, SwitchModel, SwitchTrace, coupled_losses};
use pelab_components::thermal::{Coupling, Foster, HeatSource, Heatsink, Network, ThermalStack};

const F_SW: f64 = 20e3;
const F_OUT: f64 = 50.0;
const SECONDS: f64 = 1.0;
const V_DC: f64 = 600.0;
const I_PEAK: f64 = 200.0;
const M: f64 = 1.0;
const PHI: f64 = 0.451; // arccos 0.9

/// Sampled signals of one position.
struct Trace {
    t: Vec<f64>,
    current: Vec<f64>,
    voltage: Vec<f64>,
    gate: Vec<f64>,
}

/// Upper-switch duty of phase `phase` (0, 1, 2) at angle θ, SVPWM min–max injection.
fn duty(theta: f64, phase: usize) -> f64 {
    let reference = |k: usize| M * (theta - 2.0 * PI * k as f64 / 3.0).cos();
    let refs = [reference(0), reference(1), reference(2)];
    let max = refs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = refs.iter().copied().fold(f64::INFINITY, f64::min);
    (0.5 * (1.0 + refs[phase] - 0.5 * (max + min))).clamp(0.0, 1.0)
}

/// Traces of the upper and lower positions of one phase.
fn phase_traces(phase: usize) -> (Trace, Trace) {
    let periods = (F_SW * SECONDS).round() as usize;
    let ts = 1.0 / F_SW;
    let omega = 2.0 * PI * F_OUT;
    let shift = 2.0 * PI * phase as f64 / 3.0;
    let new = || Trace {
        t: Vec::with_capacity(7 * periods + 1),
        current: Vec::with_capacity(7 * periods + 1),
        voltage: Vec::with_capacity(7 * periods + 1),
        gate: Vec::with_capacity(7 * periods + 1),
    };
    let (mut upper, mut lower) = (new(), new());
    let mut push = |time: f64, upper_on: bool| {
        let i = I_PEAK * (omega * time - shift - PHI).cos();
        upper.t.push(time);
        upper.current.push(if upper_on { i } else { 0.0 });
        upper.voltage.push(if upper_on { 0.0 } else { V_DC });
        upper.gate.push(if upper_on { 1.0 } else { 0.0 });
        lower.t.push(time);
        lower.current.push(if upper_on { 0.0 } else { -i });
        lower.voltage.push(if upper_on { V_DC } else { 0.0 });
        lower.gate.push(if upper_on { 0.0 } else { 1.0 });
    };
    for k in 0..periods {
        let start = k as f64 * ts;
        let d = duty(omega * (start + 0.5 * ts), phase);
        let on_from = start + 0.5 * ts * (1.0 - d);
        let on_to = start + 0.5 * ts * (1.0 + d);
        push(start, false);
        push(on_from, false);
        push(on_from, true);
        push(0.5 * (on_from + on_to), true);
        push(on_to, true);
        push(on_to, false);
        push(0.5 * (on_to + start + ts), false);
    }
    push(periods as f64 * ts, false);
    (upper, lower)
}

fn bench(c: &mut Criterion) {
    let part = load_built_in("Infineon_FF300R12KE3")
        .expect("built-in part")
        .transistor;
    let pairs = part
        .thermal_foster()
        .expect("the part has a Foster network");
    let (r, tau): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    let foster = Foster::from_r_tau(&r, &tau).expect("valid Foster network");
    let stack = ThermalStack {
        sources: vec![
            HeatSource {
                network: Network::Foster(foster),
                r_case_heatsink_k_per_w: 0.05,
            };
            6
        ],
        heatsink: Some(Heatsink::lumped(0.04, 300.0).expect("valid heatsink")),
        coupling: Coupling::Cauer,
    };
    let model = stack.build().expect("valid stack");
    let traces: Vec<Trace> = (0..3)
        .flat_map(|phase| {
            let (upper, lower) = phase_traces(phase);
            [upper, lower]
        })
        .collect();
    let names = ["a+", "a-", "b+", "b-", "c+", "c-"];

    let mut group = c.benchmark_group("inverter_3ph_20khz_1s");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("losses_and_tj_6_positions", |b| {
        b.iter(|| {
            let positions: Vec<CoupledPosition<'_>> = traces
                .iter()
                .zip(names)
                .map(|(trace, name)| CoupledPosition {
                    name,
                    model: &part,
                    trace: SwitchTrace {
                        t: &trace.t,
                        current: &trace.current,
                        voltage: &trace.voltage,
                        gate: &trace.gate,
                    },
                })
                .collect();
            let mut state = model.state(40.0).expect("valid ambient");
            let result =
                coupled_losses(&positions, &mut state, 1.0 / F_SW, None).expect("valid traces");
            black_box(result.losses[0].total_w)
        });
    });
    group.finish();
}

/// The benchmark group; `criterion_group!` defines a public function without
/// documentation, so the module allows that.
#[allow(missing_docs)]
mod groups {
    use super::bench;
    use criterion::criterion_group;

    criterion_group!(losses, bench);
}

criterion_main!(groups::losses);
