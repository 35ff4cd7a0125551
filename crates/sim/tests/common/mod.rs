//! Helpers shared by the integration tests.
#![allow(dead_code)]

use pelab_sim::circuit::Circuit;
use pelab_sim::engine::{self, NetlistGates, RunOptions, RunReport, SampleSink};
use pelab_sim::netlist::parse_netlist;
use pelab_sim::sources::PulseDefaults;

/// Samples kept in memory, column by column.
#[derive(Default)]
pub struct Trace {
    pub time: Vec<f64>,
    pub columns: Vec<Vec<f64>>,
    pub names: Vec<String>,
}

impl SampleSink for Trace {
    fn push(&mut self, t: f64, values: &[f64]) -> Result<(), String> {
        if self.columns.is_empty() {
            self.columns = vec![Vec::new(); values.len()];
        }
        self.time.push(t);
        for (c, v) in self.columns.iter_mut().zip(values) {
            c.push(*v);
        }
        Ok(())
    }
}

impl Trace {
    pub fn signal(&self, name: &str) -> &[f64] {
        let index = self
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no signal {name} in {:?}", self.names));
        &self.columns[index]
    }
}

/// Parses and runs a netlist with its own gate sources.
pub fn run_netlist(text: &str, options: &RunOptions) -> (Trace, RunReport) {
    let netlist = parse_netlist(text).expect("netlist parses");
    let circuit = Circuit::from_netlist(&netlist).expect("circuit builds");
    let mut gates = NetlistGates::new(
        &circuit,
        PulseDefaults {
            edge_time: options.pulse_edge_default,
            t_stop: options.t_stop,
        },
        options.t_stop,
    );
    let mut trace = Trace::default();
    let report =
        engine::run(&circuit, &mut gates, options, &mut trace, &mut |_| {}).expect("run succeeds");
    trace.names = report.signals.iter().map(|s| s.name.clone()).collect();
    (trace, report)
}
