//! Diode commutations the end-of-step check alone would miss.

mod common;

use common::run_netlist;
use pelab_sim::engine::RunOptions;
use pelab_waveform::metrics::{Window, statistics};

const FLYBACK: &str = "\
flyback
VIN in 0 DC 24
LP in d 100u
LS 0 s 11.11u
K1 LP LS 0.98
S1 d 0 g 0 SMOD
VG g 0 PULSE(0 1 0 10n 10n 4u 10u)
AD1 s out DMOD
C1 out 0 100u ic=12
RL out 0 10
RSN d in 100k
.model SMOD SW(Ron=0.05 Roff=1Meg Vt=0.5 Vh=0)
.model DMOD SIDIODE(Ron=0.01 Roff=1Meg Vfwd=0.5)
";

#[test]
fn flyback_secondary_takes_magnetising_current() {
    // When S1 opens, the primary current has only RSN (100 kΩ) and the off-state
    // resistances to flow into, so the secondary voltage swings positive and back
    // within a nanosecond, inside one 50 ns output step. The diode must turn on at the
    // start of that swing. ngspice 39 (Gear, reltol 1e-7, tmax 10 ns, the same netlist
    // with epsilon=0 on the SIDIODE) gives a mean output of 6.406913 V over the last
    // 0.1 ms of 5 ms; without the turn-on the output collapses to tens of millivolts.
    let mut options = RunOptions::new(5e-3, 50e-9);
    options.pulse_edge_default = 50e-9;
    options.probes = ["v(out)", "i(LS)", "on(AD1)"].map(String::from).to_vec();
    let (trace, report) = run_netlist(FLYBACK, &options);
    let stats = statistics(
        &trace.time,
        trace.signal("v(out)"),
        Window::range(4.9e-3, 5e-3),
    )
    .expect("window");
    assert!(
        (stats.mean - 6.406913).abs() < 1e-4,
        "mean output {} V",
        stats.mean
    );
    // The secondary diode conducts once per period: on and off, 500 periods.
    assert!(
        report.stats.diode_commutations >= 1000,
        "{:?}",
        report.stats
    );
    assert!(
        report.energy.relative_residual() < 1e-5,
        "{:?}",
        report.energy
    );
}
