//! Feeds arbitrary text to the netlist parser and the circuit builder. Neither may
//! panic, and a netlist that parses must survive a write/parse round trip.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_sim::circuit::Circuit;
use pelab_sim::netlist::{parse_netlist, write_netlist};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(netlist) = parse_netlist(text) else {
        return;
    };
    let again = parse_netlist(&write_netlist(&netlist)).expect("a written netlist parses");
    assert_eq!(again.elements.len(), netlist.elements.len());
    if let Ok(circuit) = Circuit::from_netlist(&netlist) {
        // Building the first configuration model exercises MNA on fuzzed topologies.
        let _ = circuit.config_model(0);
    }
});
