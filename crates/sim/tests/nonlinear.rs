//! Nonlinear elements run on the ODE path without the user changing anything.

mod common;

use common::run_netlist;
use pelab_sim::engine::RunOptions;

fn options(t_stop: f64, step: f64, probes: &[&str]) -> RunOptions {
    let mut o = RunOptions::new(t_stop, step);
    o.probes = probes.iter().map(|s| s.to_string()).collect();
    o
}

/// Differential inductance of the soft-saturation law.
fn l_d(i: f64, l0: f64, l_sat: f64, i_sat: f64) -> f64 {
    l_sat + (l0 - l_sat) / (1.0 + (i / i_sat).powi(2))
}

#[test]
fn saturating_inductor_follows_flux_law() {
    // V = 10 V through R = 0.1 Ω into L0 = 100 µH that saturates to 10 µH around
    // 20 A. From L_d(i) di/dt = V − R i, the time to reach current i is
    // t(i) = ∫₀ⁱ L_d(j) / (V − R j) dj, computed here by Simpson's rule.
    let (v, r, l0, l_sat, i_sat) = (10.0, 0.1, 100e-6, 10e-6, 20.0);
    let (trace, report) = run_netlist(
        "saturation\nV1 in 0 DC 10\nR1 in a 0.1\nL1 a 0 100u isat=20 lsat=10u\n",
        &options(2e-3, 1e-6, &["i(L1)"]),
    );
    assert!(
        report.nonlinear,
        "a saturating inductor must select the ODE path"
    );
    let current = trace.signal("i(L1)");
    // Points well below the asymptote V/R, where the quadrature stays accurate.
    let checked: Vec<usize> = (1..current.len())
        .step_by(50)
        .filter(|&k| current[k] < 0.9 * v / r)
        .collect();
    assert!(checked.len() >= 5, "too few points below the asymptote");
    for k in checked {
        let i = current[k];
        let steps = 2000;
        let h = i / steps as f64;
        let f = |j: f64| l_d(j, l0, l_sat, i_sat) / (v - r * j);
        let mut integral = f(0.0) + f(i);
        for s in 1..steps {
            integral += if s % 2 == 1 { 4.0 } else { 2.0 } * f(s as f64 * h);
        }
        let t_expected = integral * h / 3.0;
        let t = trace.time[k];
        // The solver runs at rtol 1e-7; 1e-6 relative in time is what the current's
        // own tolerance implies through di/dt.
        assert!(
            (t - t_expected).abs() < 1e-6 * t,
            "i = {i} A: t = {t}, expected {t_expected}"
        );
    }
    // Saturation shows: at 0.3 ms the current is well above what a linear 100 µH
    // would carry (27 A), because the inductance has fallen.
    let linear = v / r * (1.0 - (-0.3e-3 * r / l0).exp());
    assert!(
        current[300] > 1.5 * linear,
        "{} vs linear {linear}",
        current[300]
    );
}

#[test]
fn self_heating_resistor_matches_closed_form() {
    // 10 A into R0 = 1 Ω with tc1 = 0.004/K from 25 °C, Rth = 2 K/W, Cth = 0.5 J/K.
    // With R linear in T, C dT/dt = I² R0 (1 + α (T − Tn)) − (T − Ta)/Rth is linear:
    // T(t) = T∞ + (Ta − T∞) e^{−t/τ}, 1/τ = (1/Rth − I² R0 α) / C,
    // T∞ = (I² R0 (1 − α Tn) + Ta/Rth) / (1/Rth − I² R0 α).
    let (current, r0, alpha, tnom, ta, rth, cth) = (10.0, 1.0, 0.004, 25.0, 25.0, 2.0, 0.5);
    let (trace, report) = run_netlist(
        "self heating\nI1 0 a DC 10\nR1 a 0 1 tc1=0.004 tnom=25 rth=2 cth=0.5 tamb=25\n",
        &options(5.0, 1e-3, &["vd(R1)", "p(R1)"]),
    );
    assert!(report.nonlinear);
    let gain = 1.0 / rth - current * current * r0 * alpha;
    let t_inf = (current * current * r0 * (1.0 - alpha * tnom) + ta / rth) / gain;
    let tau = cth / gain;
    let voltage = trace.signal("vd(R1)");
    for k in [0, 500, 1000, 2500, 5000] {
        let t = trace.time[k];
        let temperature = t_inf + (ta - t_inf) * (-t / tau).exp();
        let expected = current * r0 * (1.0 + alpha * (temperature - tnom));
        assert!(
            (voltage[k] - expected).abs() < 1e-5 * expected,
            "t = {t}: {} vs {expected}",
            voltage[k]
        );
    }
    assert_eq!(report.state_names, vec!["temp(R1)".to_string()]);
    // The electrical energy balance holds: the source delivers what the resistor burns.
    assert!(
        report.energy.relative_residual() < 1e-6,
        "{:?}",
        report.energy
    );
}

#[test]
fn saturating_boost_with_diode_runs() {
    // A diode boost whose inductor saturates: the ODE path handles gate edges, diode
    // commutations (DCM at this light load) and recording like the linear path.
    let netlist = "\
saturating boost
V1 in 0 DC 12
L1 in sw 47u isat=2 lsat=10u
S1 sw 0 g 0 SMOD
D1 sw out DMOD
C1 out 0 47u ic=24
R1 out 0 100
VG g 0 PULSE(0 1 0 1n 1n 4u 10u)
.model SMOD SW(Ron=20m Roff=1Meg Vt=0.5)
.model DMOD SIDIODE(Ron=20m Roff=1Meg Vfwd=0.5)
";
    let probes = ["i(L1)", "v(out)", "i(D1)"];
    let (trace, report) = run_netlist(netlist, &options(0.5e-3, 20e-9, &probes));
    assert!(report.nonlinear);
    assert!(report.stats.located_events > 10, "{:?}", report.stats);
    let peak = trace
        .signal("i(L1)")
        .iter()
        .copied()
        .fold(f64::MIN, f64::max);
    // The same converter with a linear 47 µH inductor runs on the exact path; the
    // saturating one ramps faster and peaks higher.
    let (linear, linear_report) = run_netlist(
        &netlist.replace(" isat=2 lsat=10u", ""),
        &options(0.5e-3, 20e-9, &probes),
    );
    assert!(!linear_report.nonlinear);
    let linear_peak = linear
        .signal("i(L1)")
        .iter()
        .copied()
        .fold(f64::MIN, f64::max);
    assert!(
        peak > 1.05 * linear_peak,
        "peak {peak} vs linear {linear_peak}"
    );
    let min_diode = trace
        .signal("i(D1)")
        .iter()
        .copied()
        .fold(f64::MAX, f64::min);
    assert!(
        min_diode > -1e-3,
        "diode current must not reverse: {min_diode}"
    );
    assert!(
        report.energy.relative_residual() < 1e-3,
        "{:?}",
        report.energy
    );
}
