//! Feeds arbitrary text to the LEA transistor importer. It must return a model or an
//! error without panicking, and every model it returns must return lookups without
//! panicking, with findings that name the imported part.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_components::import::lea;
use pelab_components::loss::{Edge, SwitchModel};
use pelab_components::semiconductor::TransistorSummary;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(part) = lea::parse_str(text) else {
        return;
    };
    let t = &part.transistor;
    for finding in &part.findings {
        assert_eq!(finding.part, t.name);
    }
    for (i, tj) in [(0.0, 25.0), (1.0, -40.0), (1e3, 175.0), (f64::NAN, 25.0)] {
        let _ = t.forward_voltage(i, tj);
        let _ = t.reverse_voltage(i, tj, true);
        let _ = t.reverse_voltage(i, tj, false);
        let _ = t.switching_energy(Edge::TurnOn, i, 400.0, tj);
        let _ = t.switching_energy(Edge::TurnOff, i, 400.0, tj);
        let _ = t.recovery_energy(i, 400.0, tj);
        let _ = t.rds_on(i, tj);
    }
    let _ = t.coss_energy(400.0);
    for gate in &t.gate_charge {
        let _ = gate.miller_plateau();
    }
    let _ = TransistorSummary::of(t);
});
