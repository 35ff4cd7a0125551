//! Circuits with closed-form transient solutions.

mod common;

use common::run_netlist;
use pelab_sim::engine::RunOptions;

fn options(t_stop: f64, step: f64, probes: &[&str]) -> RunOptions {
    let mut o = RunOptions::new(t_stop, step);
    o.probes = probes.iter().map(|s| s.to_string()).collect();
    o
}

#[test]
fn rc_charging_is_exact() {
    // v_C(t) = V (1 − e^{−t/RC}) with V = 10 V, R = 1 kΩ, C = 1 µF, τ = 1 ms.
    let (trace, report) = run_netlist(
        "rc\nV1 in 0 DC 10\nR1 in out 1k\nC1 out 0 1u\n",
        &options(5e-3, 1e-5, &["v(out)", "i(C1)"]),
    );
    let tau = 1e-3;
    for (t, v) in trace.time.iter().zip(trace.signal("v(out)")) {
        let expected = 10.0 * (1.0 - (-t / tau).exp());
        assert!((v - expected).abs() < 1e-12, "t = {t}: {v} vs {expected}");
    }
    for (t, i) in trace.time.iter().zip(trace.signal("i(C1)")) {
        let expected = 10e-3 * (-t / tau).exp();
        assert!((i - expected).abs() < 1e-14, "t = {t}: {i} vs {expected}");
    }
    assert_eq!(trace.time.len(), 501);
    // Delivered = dissipated + stored, to the trapezoid error of a 100-step-per-τ grid.
    assert!(
        report.energy.relative_residual() < 1e-5,
        "{:?}",
        report.energy
    );
}

#[test]
fn series_rlc_step_response() {
    // Underdamped series RLC driven by a 1 V step: R = 2 Ω, L = 1 mH, C = 10 µF.
    // α = R/2L = 1000 s⁻¹, ω0² = 1/LC = 1e8, ωd = √(ω0² − α²).
    let (trace, _) = run_netlist(
        "rlc\nV1 in 0 DC 1\nR1 in a 2\nL1 a b 1m\nC1 b 0 10u\n",
        &options(2e-3, 1e-6, &["i(L1)", "vd(C1)"]),
    );
    let alpha: f64 = 1000.0;
    let omega_d = (1e8 - alpha * alpha).sqrt();
    for ((t, i), v) in trace
        .time
        .iter()
        .zip(trace.signal("i(L1)"))
        .zip(trace.signal("vd(C1)"))
    {
        let decay = (-alpha * t).exp();
        let i_expected = decay * (omega_d * t).sin() / (1e-3 * omega_d);
        let v_expected =
            1.0 - decay * ((omega_d * t).cos() + alpha / omega_d * (omega_d * t).sin());
        assert!(
            (i - i_expected).abs() < 1e-12,
            "t = {t}: i {i} vs {i_expected}"
        );
        assert!(
            (v - v_expected).abs() < 1e-12,
            "t = {t}: v {v} vs {v_expected}"
        );
    }
}

#[test]
fn coupled_inductors_transfer_voltage() {
    // Primary driven by 1 V through 1 Ω, secondary loaded by 1 kΩ; k = 0.99, dotted
    // ends at a and b. Once the leakage time constant L2 (1 − k²) / R2 = 80 ns has
    // passed, the secondary follows v_b = k √(L2/L1) v_a = 1.98 v_a, less the
    // leakage drop of the small load current.
    let (trace, report) = run_netlist(
        "coupled\nV1 in 0 DC 1\nR1 in a 1\nL1 a 0 1m\nL2 b 0 4m\nK1 L1 L2 0.99\nR2 b 0 1k\n",
        &options(1e-4, 1e-7, &["i(L1)", "i(L2)", "v(a)", "v(b)"]),
    );
    let v_a = trace.signal("v(a)");
    let v_b = trace.signal("v(b)");
    for k in [20, 100, 500, 1000] {
        let ratio = v_b[k] / v_a[k];
        assert!((ratio - 1.98).abs() < 0.01, "sample {k}: ratio {ratio}");
    }
    assert!(
        report.energy.relative_residual() < 1e-4,
        "{:?}",
        report.energy
    );
}

#[test]
fn diode_half_wave_rectifier_blocks() {
    // 10 V, 50 Hz sine into a diode and a resistor: the resistor sees the positive half
    // waves minus Vfwd, and nothing during the negative ones.
    let (trace, _) = run_netlist(
        "rectifier\nV1 in 0 SIN(0 10 50)\nD1 in out DM\nR1 out 0 100\n.model DM SIDIODE(Ron=1m Roff=1G Vfwd=0.7)\n",
        &options(40e-3, 1e-5, &["v(out)", "v(in)"]),
    );
    for ((t, vo), vi) in trace
        .time
        .iter()
        .zip(trace.signal("v(out)"))
        .zip(trace.signal("v(in)"))
    {
        let expected = if *vi > 0.7 {
            (vi - 0.7) * 100.0 / 100.001
        } else {
            vi * 100.0 / 1e9
        };
        assert!((vo - expected).abs() < 1e-3, "t = {t}: {vo} vs {expected}");
    }
}
