//! Junction temperatures: four independent solutions checked against each other and
//! against closed forms.

use pelab_components::thermal::{
    Cauer, Coupling, Foster, HeatSource, Heatsink, Network, PowerProfile, Realisation,
    ThermalModel, ThermalStack,
};
use proptest::prelude::*;

const R_DATASHEET: [f64; 4] = [0.02, 0.08, 0.15, 0.05];
const TAU_DATASHEET: [f64; 4] = [1e-4, 1e-3, 1e-2, 0.1];
const T_AMB: f64 = 40.0;

/// xorshift64*: a fixed, reproducible stream of uniform numbers in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn datasheet_foster() -> Foster {
    Foster::from_r_tau(&R_DATASHEET, &TAU_DATASHEET).expect("valid network")
}

fn single(network: Network) -> ThermalModel {
    ThermalStack {
        sources: vec![HeatSource {
            network,
            r_case_heatsink_k_per_w: 0.0,
        }],
        heatsink: None,
        coupling: Coupling::Cauer,
    }
    .build()
    .expect("valid stack")
}

/// Random piecewise-constant power: `n` intervals, lengths from 10 µs to 20 ms
/// (some repeated, as PWM steps are), powers 0 to 200 W.
fn random_profile(rng: &mut Rng, n: usize, sources: usize) -> PowerProfile {
    let mut t = vec![0.0];
    let repeated = 1e-3;
    for _ in 0..n {
        let h = if rng.next() < 0.3 {
            repeated
        } else {
            10f64.powf(-5.0 + 3.3 * rng.next())
        };
        t.push(t[t.len() - 1] + h);
    }
    let power = (0..sources)
        .map(|_| (0..n).map(|_| 200.0 * rng.next()).collect())
        .collect();
    PowerProfile::new(t, power).expect("valid profile")
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

fn max_rise(a: &[f64], ambient: f64) -> f64 {
    a.iter().fold(0.0f64, |m, x| m.max(x - ambient))
}

/// Four solutions of one Foster network on a random power sequence.
///
/// - recursive exponential filter per RC pair ([`Foster::temperature_rise`]),
/// - direct `O(N²)` convolution with the step-response increments,
/// - dense state-space stepping with `Φ = e^{AΔt}` per distinct step,
/// - modal stepping (the calculator's and the streaming state's method).
///
/// All are exact for piecewise-constant power; they differ only by rounding, which
/// for 300 steps of at most a few ε each stays well below `1e-12` of the largest
/// rise. The test demands `1e-9`.
#[test]
fn four_solutions_agree_on_random_power() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let f = datasheet_foster();
    let model = single(Network::Foster(f.clone()));
    for _ in 0..4 {
        let profile = random_profile(&mut rng, 300, 1);
        let t = profile.time_s();
        let p = profile.power_w(0);
        let recursive = f.temperature_rise(t, p).unwrap();
        let convolution = f.temperature_rise_convolution(t, p).unwrap();
        let dense: Vec<f64> = model.simulate_expm(&profile, T_AMB).unwrap().junction_c[0]
            .iter()
            .map(|x| x - T_AMB)
            .collect();
        let modal: Vec<f64> = model.simulate(&profile, T_AMB, None).unwrap().junction_c[0]
            .iter()
            .map(|x| x - T_AMB)
            .collect();
        let scale = max_rise(&recursive, 0.0);
        assert!(scale > 1.0);
        for (name, other) in [
            ("convolution", &convolution),
            ("dense", &dense),
            ("modal", &modal),
        ] {
            let err = max_abs_diff(&recursive, other) / scale;
            assert!(err < 1e-9, "{name}: {err:e}");
        }
    }
}

#[test]
fn uniform_grid_with_one_cached_step() {
    let f = datasheet_foster();
    let model = single(Network::Foster(f.clone()));
    let mut rng = Rng(7);
    let n = 2000;
    let t: Vec<f64> = (0..=n).map(|i| i as f64 * 50e-6).collect();
    let p: Vec<f64> = (0..n).map(|_| 100.0 * rng.next()).collect();
    let profile = PowerProfile::new(t.clone(), vec![p.clone()]).unwrap();
    let recursive = f.temperature_rise(&t, &p).unwrap();
    let dense = &model.simulate_expm(&profile, T_AMB).unwrap().junction_c[0];
    let modal = &model.simulate(&profile, T_AMB, None).unwrap().junction_c[0];
    let scale = max_rise(&recursive, 0.0);
    let rise = |v: &[f64]| v.iter().map(|x| x - T_AMB).collect::<Vec<_>>();
    assert!(max_abs_diff(&recursive, &rise(dense)) < 1e-9 * scale);
    assert!(max_abs_diff(&recursive, &rise(modal)) < 1e-9 * scale);
}

/// A Cauer network (the physical stack) against dense stepping, random power, six
/// sources on one heatsink.
#[test]
fn cauer_stack_modal_matches_dense_on_random_power() {
    let model = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 300.0).unwrap()),
    )
    .build()
    .unwrap();
    assert_eq!(model.realisation(), Realisation::CauerNetwork);
    assert_eq!(model.states(), 6 * 4 + 1);
    let mut rng = Rng(42);
    let profile = random_profile(&mut rng, 400, 6);
    let dense = model.simulate_expm(&profile, T_AMB).unwrap();
    let modal = model.simulate(&profile, T_AMB, None).unwrap();
    for s in 0..6 {
        let scale = max_rise(&dense.junction_c[s], T_AMB);
        let err = max_abs_diff(&dense.junction_c[s], &modal.junction_c[s]) / scale;
        assert!(err < 1e-9, "source {s}: {err:e}");
        assert!((dense.junction_max_c[s] - modal.junction_max_c[s]).abs() < 1e-9 * scale);
    }
    let hd = dense.heatsink_c.unwrap();
    let hm = modal.heatsink_c.unwrap();
    assert!(max_abs_diff(&hd, &hm) < 1e-9 * max_rise(&hd, T_AMB));
}

/// Six identical devices with interface pads on one heatsink, like a three-phase
/// inverter module.
fn inverter_stack(coupling: Coupling, r_cs: f64, heatsink: Option<Heatsink>) -> ThermalStack {
    let source = HeatSource {
        network: Network::Foster(datasheet_foster()),
        r_case_heatsink_k_per_w: r_cs,
    };
    ThermalStack {
        sources: vec![source; 6],
        heatsink,
        coupling,
    }
}

#[test]
fn step_of_power_gives_ambient_plus_p_zth() {
    let p = 150.0;
    let f = datasheet_foster();
    let c = Cauer::new(&[0.01, 0.03, 0.08, 0.05], &[0.02, 0.1, 0.8, 6.0]).unwrap();
    let times: Vec<f64> = (0..=48)
        .map(|i| 10f64.powf(-6.0 + i as f64 / 8.0))
        .collect();
    let end = times[times.len() - 1];
    let profile = PowerProfile::new(vec![0.0, end], vec![vec![p]]).unwrap();
    for network in [Network::Foster(f), Network::Cauer(c)] {
        let model = single(network.clone());
        let traj = model.simulate(&profile, T_AMB, Some(&times)).unwrap();
        for (t, tj) in times.iter().zip(&traj.junction_c[0]) {
            let expected = T_AMB + p * network.zth(*t);
            assert!(
                (tj - expected).abs() <= 1e-10 * p * network.zth(*t).max(1e-9),
                "{} t = {t}: {tj} vs {expected}",
                network.kind()
            );
        }
    }
}

#[test]
fn steady_state_is_ambient_plus_p_r_total() {
    let f = datasheet_foster();
    let model = single(Network::Foster(f.clone()));
    let ss = model.steady_state(&[120.0], T_AMB).unwrap();
    assert!((ss.junction_c[0] - (T_AMB + 120.0 * 0.30)).abs() < 1e-12);
    assert_eq!(ss.heatsink_c, None);
    // Held long enough, the transient reaches it.
    let profile = PowerProfile::new(vec![0.0, 10.0], vec![vec![120.0]]).unwrap();
    let traj = model.simulate(&profile, T_AMB, None).unwrap();
    assert!((traj.junction_c[0][1] - ss.junction_c[0]).abs() < 1e-9);
}

#[test]
fn stack_steady_state_matches_hand_calculation() {
    // Tj,k = Ta + P_k (R_jc + R_cs) + R_ha Σ P, whatever the coupling.
    let powers = [50.0, 60.0, 70.0, 80.0, 90.0, 100.0];
    let total: f64 = powers.iter().sum();
    for coupling in [Coupling::Cauer, Coupling::FosterSeries] {
        for sink in [
            Heatsink::lumped(0.04, 300.0).unwrap(),
            Heatsink::Resistive { r_k_per_w: 0.04 },
            Heatsink::Network(Network::Foster(
                Foster::from_r_tau(&[0.01, 0.03], &[5.0, 60.0]).unwrap(),
            )),
        ] {
            let model = inverter_stack(coupling, 0.05, Some(sink)).build().unwrap();
            let ss = model.steady_state(&powers, T_AMB).unwrap();
            for (k, p) in powers.iter().enumerate() {
                let expected = T_AMB + p * (0.30 + 0.05) + 0.04 * total;
                assert!(
                    (ss.junction_c[k] - expected).abs() < 1e-9,
                    "{coupling:?} {k}"
                );
            }
            assert!((ss.heatsink_c.unwrap() - (T_AMB + 0.04 * total)).abs() < 1e-9);
        }
    }
}

#[test]
fn foster_series_step_is_the_sum_of_impedances() {
    // The datasheet approximation: Tj = Ta + P Zjc(t) + R_cs P + (Σ P) Zha(t).
    let sink = Foster::from_r_tau(&[0.01, 0.03], &[5.0, 60.0]).unwrap();
    let stack = inverter_stack(
        Coupling::FosterSeries,
        0.05,
        Some(Heatsink::Network(Network::Foster(sink.clone()))),
    );
    let model = stack.build().unwrap();
    assert_eq!(
        model.realisation(),
        Realisation::FosterSeries { exact: false }
    );
    assert!(model.warnings().iter().any(|w| w.field == "coupling"));
    let p = 80.0;
    let times: Vec<f64> = (0..=40)
        .map(|i| 10f64.powf(-5.0 + i as f64 / 6.0))
        .collect();
    let profile = PowerProfile::new(vec![0.0, times[times.len() - 1]], vec![vec![p]; 6]).unwrap();
    let traj = model.simulate(&profile, T_AMB, Some(&times)).unwrap();
    let f = datasheet_foster();
    for (i, t) in times.iter().enumerate() {
        let expected = T_AMB + p * f.zth(*t) + 0.05 * p + 6.0 * p * sink.zth(*t);
        assert!(
            (traj.junction_c[0][i] - expected).abs() < 1e-9 * expected,
            "t = {t}"
        );
    }
}

#[test]
fn one_source_cauer_stack_is_one_long_ladder() {
    // Device ladder + interface + lumped heatsink = one ladder whose last device
    // resistance includes the interface. Its Zth comes from Cauer::zth.
    let device = Cauer::new(&[0.01, 0.03, 0.08, 0.05], &[0.02, 0.1, 0.8, 6.0]).unwrap();
    let stack = ThermalStack {
        sources: vec![HeatSource {
            network: Network::Cauer(device),
            r_case_heatsink_k_per_w: 0.02,
        }],
        heatsink: Some(Heatsink::lumped(0.1, 50.0).unwrap()),
        coupling: Coupling::Cauer,
    };
    let model = stack.build().unwrap();
    let whole = Cauer::new(&[0.01, 0.03, 0.08, 0.07, 0.1], &[0.02, 0.1, 0.8, 6.0, 50.0]).unwrap();
    let p = 100.0;
    let times: Vec<f64> = (0..=40)
        .map(|i| 10f64.powf(-5.0 + i as f64 / 5.0))
        .collect();
    let profile = PowerProfile::new(vec![0.0, times[times.len() - 1]], vec![vec![p]]).unwrap();
    let traj = model.simulate(&profile, T_AMB, Some(&times)).unwrap();
    for (i, t) in times.iter().enumerate() {
        let expected = T_AMB + p * whole.zth(*t);
        assert!(
            (traj.junction_c[0][i] - expected).abs() < 1e-9 * p * whole.zth(*t),
            "t = {t}"
        );
    }
}

#[test]
fn identical_sources_share_the_heatsink() {
    // k equal sources with equal power see the heatsink as one source would see a
    // heatsink of k times the resistance and 1/k of the capacity.
    let k = 6;
    let shared = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 300.0).unwrap()),
    )
    .build()
    .unwrap();
    let alone = ThermalStack {
        sources: vec![HeatSource {
            network: Network::Foster(datasheet_foster()),
            r_case_heatsink_k_per_w: 0.05,
        }],
        heatsink: Some(Heatsink::lumped(0.04 * k as f64, 300.0 / k as f64).unwrap()),
        coupling: Coupling::Cauer,
    }
    .build()
    .unwrap();
    let times: Vec<f64> = (0..=30)
        .map(|i| 10f64.powf(-4.0 + i as f64 / 5.0))
        .collect();
    let end = times[times.len() - 1];
    let a = shared
        .simulate(
            &PowerProfile::new(vec![0.0, end], vec![vec![70.0]; k]).unwrap(),
            T_AMB,
            Some(&times),
        )
        .unwrap();
    let b = alone
        .simulate(
            &PowerProfile::new(vec![0.0, end], vec![vec![70.0]]).unwrap(),
            T_AMB,
            Some(&times),
        )
        .unwrap();
    for s in 0..k {
        assert!(max_abs_diff(&a.junction_c[s], &b.junction_c[0]) < 1e-9 * 70.0);
    }
}

#[test]
fn physical_coupling_delays_heat_into_the_heatsink() {
    // After a short pulse the Foster series model has already pushed the whole pulse
    // into the heatsink; the Cauer stack has not. Steady states agree.
    let sink = || Some(Heatsink::lumped(0.04, 30.0).unwrap());
    let cauer = inverter_stack(Coupling::Cauer, 0.05, sink())
        .build()
        .unwrap();
    let series = inverter_stack(Coupling::FosterSeries, 0.05, sink())
        .build()
        .unwrap();
    let profile = PowerProfile::new(vec![0.0, 1e-3], vec![vec![100.0]; 6]).unwrap();
    let a = cauer.simulate(&profile, T_AMB, None).unwrap();
    let b = series.simulate(&profile, T_AMB, None).unwrap();
    let rise_cauer = a.heatsink_c.unwrap()[1] - T_AMB;
    let rise_series = b.heatsink_c.unwrap()[1] - T_AMB;
    assert!(
        rise_series > 2.0 * rise_cauer,
        "{rise_series} vs {rise_cauer}"
    );
    assert!(cauer.equivalents().len() == 6);
    assert_eq!(cauer.equivalents()[0].field, "sources[0].foster");
}

#[test]
fn no_heatsink_and_resistive_heatsink_are_exact_series() {
    let cauer_device = Cauer::new(&[0.01, 0.03, 0.08, 0.05], &[0.02, 0.1, 0.8, 6.0]).unwrap();
    for sink in [None, Some(Heatsink::Resistive { r_k_per_w: 0.1 })] {
        let stack = ThermalStack {
            sources: vec![HeatSource {
                network: Network::Cauer(cauer_device.clone()),
                r_case_heatsink_k_per_w: 0.02,
            }],
            heatsink: sink.clone(),
            coupling: Coupling::Cauer,
        };
        let model = stack.build().unwrap();
        assert_eq!(
            model.realisation(),
            Realisation::FosterSeries { exact: true }
        );
        let r_extra = 0.02 + if sink.is_some() { 0.1 } else { 0.0 };
        let p = 60.0;
        let times = [0.0, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0];
        let profile = PowerProfile::new(vec![0.0, 10.0], vec![vec![p]]).unwrap();
        let traj = model.simulate(&profile, T_AMB, Some(&times)).unwrap();
        for (i, t) in times.iter().enumerate() {
            // Interface and resistive heatsink carry the power at once.
            let expected = T_AMB + p * (cauer_device.zth(*t) + r_extra);
            assert!(
                (traj.junction_c[0][i] - expected).abs() < 1e-9 * expected,
                "t = {t}"
            );
        }
        // The step makes Tj jump by P (R_cs + R_ha) at t = 0: the first sample is the
        // value just after the step.
        assert!((traj.junction_c[0][0] - (T_AMB + p * r_extra)).abs() < 1e-12);
    }
}

/// Closed form for one RC pair under a square power `P` for `t_on` of every period
/// `T`: `T_max = P R (1 − e^{−t_on/τ}) / (1 − e^{−T/τ})`,
/// `T_min = T_max e^{−(T − t_on)/τ}` (rises above ambient). For a Foster network the
/// pairs are independent and all peak at the end of the pulse, so the rises add.
fn square_extremes(f: &Foster, p: f64, t_on: f64, period: f64) -> (f64, f64) {
    let mut hi = 0.0;
    let mut lo = 0.0;
    for (r, tau) in f.r_k_per_w().iter().zip(f.tau_s()) {
        let max = p * r * (-t_on / tau).exp_m1() / (-period / tau).exp_m1();
        hi += max;
        lo += max * (-(period - t_on) / tau).exp();
    }
    (hi, lo)
}

#[test]
fn periodic_square_power_reaches_the_closed_form() {
    let p = 200.0;
    for (t_on, period) in [(10e-3, 20e-3), (1e-3, 20e-3), (25e-6, 50e-6), (0.3, 1.0)] {
        for f in [
            Foster::from_r_tau(&[0.25], &[4e-3]).unwrap(),
            datasheet_foster(),
        ] {
            let model = single(Network::Foster(f.clone()));
            let profile = PowerProfile::new(vec![0.0, t_on, period], vec![vec![p, 0.0]]).unwrap();
            let (hi, lo) = square_extremes(&f, p, t_on, period);
            for traj in [
                model.periodic(&profile, T_AMB, None).unwrap(),
                model.periodic_expm(&profile, T_AMB).unwrap(),
            ] {
                let tj = &traj.junction_c[0];
                assert!(
                    (tj[1] - T_AMB - hi).abs() < 1e-10 * hi,
                    "max {} vs {hi}",
                    tj[1] - T_AMB
                );
                assert!(
                    (tj[0] - T_AMB - lo).abs() < 1e-9 * hi,
                    "min {} vs {lo}",
                    tj[0] - T_AMB
                );
                assert!((tj[2] - tj[0]).abs() < 1e-10 * hi, "not periodic");
                assert!((traj.junction_max_c[0] - T_AMB - hi).abs() < 1e-10 * hi);
            }
        }
    }
}

#[test]
fn periodic_state_is_what_a_long_warm_up_reaches() {
    // 50 Hz output, 20 kHz switching: losses per switching period follow |sin|.
    let model = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 30.0).unwrap()),
    )
    .build()
    .unwrap();
    let n = 400;
    let period = 20e-3;
    let t: Vec<f64> = (0..=n).map(|i| period * i as f64 / n as f64).collect();
    let power: Vec<Vec<f64>> = (0..6)
        .map(|s| {
            (0..n)
                .map(|i| {
                    let phase = 2.0 * std::f64::consts::PI * ((i as f64 + 0.5) / n as f64)
                        - (s / 2) as f64 * 2.094_395_102_393_195;
                    let half = if s % 2 == 0 {
                        phase.sin().max(0.0)
                    } else {
                        (-phase.sin()).max(0.0)
                    };
                    150.0 * half
                })
                .collect()
        })
        .collect();
    let profile = PowerProfile::new(t.clone(), power.clone()).unwrap();
    let periodic = model.periodic(&profile, T_AMB, None).unwrap();
    let reference = model.periodic_expm(&profile, T_AMB).unwrap();
    // Warm-up: 200 periods (4 s, over 30 heatsink time constants... not quite all of
    // the slowest mode), then compare the last period.
    let periods = 400;
    let mut long_t = Vec::with_capacity(periods * n + 1);
    let mut long_p: Vec<Vec<f64>> = (0..6).map(|_| Vec::with_capacity(periods * n)).collect();
    for k in 0..periods {
        for i in 0..n {
            long_t.push(k as f64 * period + t[i]);
            for s in 0..6 {
                long_p[s].push(power[s][i]);
            }
        }
    }
    long_t.push(periods as f64 * period);
    let long = model
        .simulate(&PowerProfile::new(long_t, long_p).unwrap(), T_AMB, None)
        .unwrap();
    for s in 0..6 {
        let rise = max_rise(&periodic.junction_c[s], T_AMB);
        assert!(max_abs_diff(&periodic.junction_c[s], &reference.junction_c[s]) < 1e-9 * rise);
        let tail = &long.junction_c[s][(periods - 1) * n..];
        // The slowest mode (1.2 s × 6 sources sharing) leaves e^{-8/1.3} of its start.
        assert!(
            max_abs_diff(&periodic.junction_c[s], tail) < 1e-2 * rise,
            "source {s}"
        );
        // Periodic: first = last sample.
        let tj = &periodic.junction_c[s];
        assert!((tj[0] - tj[n]).abs() < 1e-10 * rise);
    }
}

#[test]
fn mean_of_the_periodic_state_is_the_steady_state_of_the_mean_power() {
    let model = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 30.0).unwrap()),
    )
    .build()
    .unwrap();
    let n = 2000;
    let period = 20e-3;
    let t: Vec<f64> = (0..=n).map(|i| period * i as f64 / n as f64).collect();
    let power: Vec<Vec<f64>> = (0..6)
        .map(|s| {
            (0..n)
                .map(|i| 100.0 * (1.0 + ((i + 300 * s) as f64 * 0.0031).sin()))
                .collect()
        })
        .collect();
    let profile = PowerProfile::new(t, power).unwrap();
    let traj = model.periodic(&profile, T_AMB, None).unwrap();
    let mean_p: Vec<f64> = (0..6).map(|s| profile.mean_power_w(s)).collect();
    let ss = model.steady_state(&mean_p, T_AMB).unwrap();
    for s in 0..6 {
        // Trapezoid rule on 2000 samples: O(h²) error on a smooth waveform.
        let tj = &traj.junction_c[s];
        let mean = (tj[0] / 2.0 + tj[1..n].iter().sum::<f64>() + tj[n] / 2.0) / n as f64;
        let rise = ss.junction_c[s] - T_AMB;
        assert!(
            (mean - ss.junction_c[s]).abs() < 1e-4 * rise,
            "{s}: {mean} vs {}",
            ss.junction_c[s]
        );
    }
}

#[test]
fn streaming_state_matches_the_simulation() {
    let model = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 300.0).unwrap()),
    )
    .build()
    .unwrap();
    let mut rng = Rng(99);
    // More distinct step lengths than cache slots, and repeats.
    let profile = random_profile(&mut rng, 500, 6);
    let traj = model.simulate(&profile, T_AMB, None).unwrap();
    let mut state = model.state(T_AMB).unwrap();
    let t = profile.time_s();
    let mut p = [0.0; 6];
    for i in 0..profile.intervals() {
        for (s, ps) in p.iter_mut().enumerate() {
            *ps = profile.power_w(s)[i];
        }
        let tj = state.advance(t[i + 1] - t[i], &p);
        for (tj_s, series) in tj.iter().zip(&traj.junction_c) {
            assert_eq!(*tj_s, series[i + 1]);
        }
    }
    assert_eq!(
        state.heatsink_c(),
        traj.heatsink_c.as_ref().map(|h| h[h.len() - 1])
    );
}

#[test]
fn streaming_state_settle_reset_and_ambient() {
    let model = inverter_stack(
        Coupling::Cauer,
        0.05,
        Some(Heatsink::lumped(0.04, 300.0).unwrap()),
    )
    .build()
    .unwrap();
    let mut state = model.state(T_AMB).unwrap();
    assert!(state.junction_c().iter().all(|t| (t - T_AMB).abs() < 1e-12));
    state.advance(0.0, &[100.0; 6]);
    state.settle();
    let ss = model.steady_state(&[100.0; 6], T_AMB).unwrap();
    for s in 0..6 {
        assert!((state.junction_c()[s] - ss.junction_c[s]).abs() < 1e-10);
    }
    state.reset();
    assert!(state.junction_c().iter().all(|t| (t - T_AMB).abs() < 1e-12));
    // A step of ambient reaches the junction through the heatsink's 12 s.
    state.set_ambient_c(T_AMB + 10.0).unwrap();
    state.advance(1e-3, &[0.0; 6]);
    assert!(state.junction_c()[0] - T_AMB < 0.01);
    state.advance(1e3, &[0.0; 6]);
    assert!((state.junction_c()[0] - T_AMB - 10.0).abs() < 1e-9);
    assert!(state.set_ambient_c(-300.0).is_err());
}

#[test]
fn profile_and_model_validation() {
    let err = PowerProfile::new(vec![0.0, 1.0, 1.0], vec![vec![1.0, 1.0]]).unwrap_err();
    assert_eq!(err.field(), "time_s[2]");
    let err = PowerProfile::new(vec![0.0, 1.0, 2.0], vec![vec![1.0]]).unwrap_err();
    assert_eq!(err.field(), "power_w[0]");
    let err = PowerProfile::new(vec![0.0, 1.0], vec![vec![-1.0]]).unwrap_err();
    assert_eq!(err.field(), "power_w[0][0]");
    let model = single(Network::Foster(datasheet_foster()));
    let profile = PowerProfile::new(vec![0.0, 1.0], vec![vec![1.0], vec![2.0]]).unwrap();
    assert_eq!(
        model.simulate(&profile, T_AMB, None).unwrap_err().field(),
        "power_w"
    );
    let profile = PowerProfile::new(vec![0.0, 1.0], vec![vec![1.0]]).unwrap();
    assert_eq!(
        model
            .simulate(&profile, f64::NAN, None)
            .unwrap_err()
            .field(),
        "t_ambient_c"
    );
    let err = model
        .simulate(&profile, T_AMB, Some(&[0.5, 2.0]))
        .unwrap_err();
    assert_eq!(err.field(), "output_times_s[1]");
    let err = inverter_stack(Coupling::Cauer, -0.1, None)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), "sources[0].r_case_heatsink_k_per_w");
}

#[test]
fn clustered_time_constants_warn_about_case_capacity() {
    // Two nearly equal time constants make the Cauer equivalent put a huge capacity
    // next to the case; the model says so.
    let device = Foster::from_r_tau(&[0.1, 0.1, 0.2], &[1e-3, 1.000_001e-3, 1e-2]).unwrap();
    let stack = ThermalStack {
        sources: vec![HeatSource {
            network: Network::Foster(device),
            r_case_heatsink_k_per_w: 0.0,
        }],
        heatsink: Some(Heatsink::lumped(0.1, 100.0).unwrap()),
        coupling: Coupling::Cauer,
    };
    let model = stack.build().unwrap();
    assert!(
        model
            .warnings()
            .iter()
            .any(|w| w.field == "sources[0].foster")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Modal stepping against the recursive filter for random Foster networks and
    /// random profiles.
    #[test]
    fn modal_matches_recursive(
        pairs in proptest::collection::vec((1e-3f64..1.0, -6.0f64..2.0), 1..7),
        steps in proptest::collection::vec((-6.0f64..0.0, 0.0f64..300.0), 1..60),
    ) {
        let r: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let tau: Vec<f64> = pairs.iter().map(|p| 10f64.powf(p.1)).collect();
        let f = Foster::from_r_tau(&r, &tau).unwrap();
        let mut t = vec![0.0];
        for s in &steps {
            t.push(t[t.len() - 1] + 10f64.powf(s.0));
        }
        let p: Vec<f64> = steps.iter().map(|s| s.1).collect();
        let profile = PowerProfile::new(t.clone(), vec![p.clone()]).unwrap();
        let model = single(Network::Foster(f.clone()));
        let modal = model.simulate(&profile, 0.0, None).unwrap();
        let recursive = f.temperature_rise(&t, &p).unwrap();
        let scale = max_rise(&recursive, 0.0).max(1e-12);
        prop_assert!(max_abs_diff(&modal.junction_c[0], &recursive) <= 1e-12 * scale + 1e-300);
    }
}
