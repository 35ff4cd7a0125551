//! Single-phase buck and boost converters, with a diode or a synchronous rectifier.
//!
//! ```text
//! buck:   VIN ─ S1 ─┬─ L1 ─ RL1 ─┬─ out          boost:  VIN ─ L1 ─ RL1 ─┬─ D1/S2 ─┬─ out
//!                   │            │                                      │         │
//!              D1 / S2           C1 (+ESR), RLOAD, ILOAD                 S1        C1, RLOAD, ILOAD
//! ```
//!
//! S1 is the main switch (high side of the buck, low side of the boost) and takes the
//! duty `d`. Every switch carries a body diode, as MOSFETs and IGBT modules do. With
//! `rectifier = "synchronous"`, S2 replaces the diode and is driven complementarily
//! with deadtime, during which the body diodes conduct. With `rectifier = "diode"` the
//! converter enters DCM by itself at light load.

use pelab_control::dcdc::{Converter, boost_duty, buck_duty};
use pelab_control::pwm::Carrier;

use super::control::{
    LoopGains, OpenLoop, Plant, VoltageControl, check_common, common_control_specs,
    voltage_loop_specs,
};
use super::modulator::{Channel, DutyController, PwmDrive};
use super::params::{DesignError, ParamKind, ParamSpec, Params, Value};
use super::positions::SwitchPosition;
use super::stage::{
    NetlistText, carrier_kind, check_deadtime, device_specs, input_output_ports, simulation_specs,
    switch_index,
};
use super::{Kernel, KernelInfo, Prepared, ReportSpec, build_circuit, run_options};
use crate::netlist::format_spice_number as num;

/// Which of the two topologies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Step-down.
    Buck,
    /// Step-up.
    Boost,
}

/// A buck or boost kernel.
pub struct BuckBoost {
    topology: Topology,
}

/// The buck kernel.
pub static BUCK: BuckBoost = BuckBoost {
    topology: Topology::Buck,
};

/// The boost kernel.
pub static BOOST: BuckBoost = BuckBoost {
    topology: Topology::Boost,
};

/// Parameters of the passive components and the load.
pub fn passive_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("v_in", "V", None, 1e5, "input voltage"),
        ParamSpec::positive("l", "H", None, 10.0, "inductance"),
        ParamSpec::number("r_l", "Ω", Some(10e-3), 0.0, 1e3, "inductor DC resistance"),
        ParamSpec::positive("c", "F", None, 10.0, "output capacitance"),
        ParamSpec::number("r_c", "Ω", Some(5e-3), 0.0, 1e3, "output capacitor ESR"),
        ParamSpec::positive("r_load", "Ω", None, 1e9, "load resistance"),
        ParamSpec {
            name: "i_load",
            unit: "A",
            kind: ParamKind::Schedule {
                min: -1e5,
                max: 1e5,
            },
            default: Some(Value::Schedule(Vec::new())),
            description: "extra load current as [time_s, current_A] pairs, a current sink at the output; each change is a 1 µs ramp starting at its time",
            optional: false,
        },
        ParamSpec::number(
            "i_l0",
            "A",
            Some(0.0),
            -1e5,
            1e5,
            "initial inductor current",
        ),
        ParamSpec::number(
            "v_out0",
            "V",
            Some(0.0),
            -1e5,
            1e5,
            "initial output capacitor voltage",
        ),
    ]
}

/// Appends the optional load-current sink `ILOAD` at `node`.
pub fn load_current_source(text: &mut NetlistText, node: &str, schedule: &[(f64, f64)]) -> bool {
    if schedule.is_empty() {
        return false;
    }
    // Steps with 1 µs ramps: a PWL source has no true jumps.
    let mut points = vec![(0.0, 0.0)];
    let mut level = 0.0;
    for &(t, i) in schedule {
        let start = t.max(points.last().map_or(0.0, |p| p.0) + 1e-9);
        points.push((start, level));
        points.push((start + 1e-6, i));
        level = i;
    }
    let pairs: Vec<String> = points
        .iter()
        .map(|(t, i)| format!("{} {}", num(*t), num(*i)))
        .collect();
    text.line(format!("ILOAD {node} 0 PWL({})", pairs.join(" ")));
    true
}

impl Kernel for BuckBoost {
    fn info(&self) -> KernelInfo {
        let (name, summary) = match self.topology {
            Topology::Buck => (
                "buck",
                "single-phase buck (step-down) converter, diode or synchronous",
            ),
            Topology::Boost => (
                "boost",
                "single-phase boost (step-up) converter, diode or synchronous",
            ),
        };
        let mut parameters = passive_specs();
        parameters.extend(device_specs());
        let mut control =
            common_control_specs(&["open_loop", "voltage", "voltage_squared"], "open_loop");
        control.extend(voltage_loop_specs());
        KernelInfo {
            name,
            summary,
            parameters,
            control,
            simulation: simulation_specs(),
        }
    }

    fn prepare(&self, p: &Params, c: &Params, s: &Params) -> Result<Prepared, DesignError> {
        check_common(c)?;
        let f_sw = p.number("f_sw");
        let period = 1.0 / f_sw;
        let synchronous = p.text("rectifier") == "synchronous";
        let carrier_type = carrier_kind(p);
        let t_dead = p.number("t_dead");
        if synchronous {
            check_deadtime(p, period)?;
        }
        let (options, _) = run_options(s, period)?;
        let v_in = p.number("v_in");

        let mode = c.text("mode");
        let v_ref = match (mode, c.optional_number("v_ref")) {
            ("open_loop", _) => None,
            (_, Some(v)) => Some(v),
            (_, None) => {
                return Err(c.error(
                    "v_ref",
                    "missing: closed-loop modes need an output voltage reference [V]",
                ));
            }
        };
        if let Some(v_ref) = v_ref {
            let ok = match self.topology {
                Topology::Buck => v_ref < v_in,
                Topology::Boost => v_ref > v_in,
            };
            if !ok {
                let relation = if self.topology == Topology::Buck {
                    "below"
                } else {
                    "above"
                };
                return Err(c.error(
                    "v_ref",
                    format!(
                        "invalid value {v_ref}; a {} needs a reference {relation} v_in = {v_in} V",
                        self.info().name
                    ),
                ));
            }
        }

        // A closed-loop design's netlist carries open-loop gates at the lossless
        // steady-state duty, so that ngspice runs near the same operating point.
        let export_duty = match (v_ref, self.topology) {
            (None, _) => c.number("duty"),
            (Some(v), Topology::Buck) => buck_duty(v_in, v).unwrap_or(0.5),
            (Some(v), Topology::Boost) => boost_duty(v_in, v).unwrap_or(0.5),
        };
        let mut title = format!("pelab {} converter", self.info().name);
        if v_ref.is_some() {
            title.push_str(&format!(
                " (closed-loop design, exported open loop at duty {export_duty:.4})"
            ));
        }
        let mut text = NetlistText::new(&title, p);
        text.line(format!("VIN in 0 DC {}", num(v_in)));
        let mut positions = Vec::new();
        let (main, complement) = match self.topology {
            Topology::Buck => {
                text.switch("S1", "in", "sw", true);
                if synchronous {
                    text.switch("S2", "sw", "0", true);
                } else {
                    text.diode("D1", "0", "sw");
                }
                text.inductor(
                    "L1",
                    "sw",
                    "out",
                    p.number("l"),
                    p.number("r_l"),
                    p.number("i_l0"),
                );
                positions.push(SwitchPosition::switch("S1", "in", "sw", true));
                positions.push(if synchronous {
                    SwitchPosition::switch("S2", "sw", "0", true)
                } else {
                    SwitchPosition::diode("D1", "0", "sw")
                });
                ("S1", synchronous.then_some("S2"))
            }
            Topology::Boost => {
                text.inductor(
                    "L1",
                    "in",
                    "sw",
                    p.number("l"),
                    p.number("r_l"),
                    p.number("i_l0"),
                );
                text.switch("S1", "sw", "0", true);
                if synchronous {
                    text.switch("S2", "out", "sw", true);
                } else {
                    text.diode("D1", "sw", "out");
                }
                positions.push(SwitchPosition::switch("S1", "sw", "0", true));
                positions.push(if synchronous {
                    SwitchPosition::switch("S2", "out", "sw", true)
                } else {
                    SwitchPosition::diode("D1", "sw", "out")
                });
                ("S1", synchronous.then_some("S2"))
            }
        };
        text.capacitor(
            "C1",
            "out",
            p.number("c"),
            p.number("r_c"),
            p.number("v_out0"),
        );
        text.line(format!("RLOAD out 0 {}", num(p.number("r_load"))));
        let has_load_source = load_current_source(&mut text, "out", p.schedule("i_load"));

        let carrier = Carrier::new(carrier_type, period, 0.0)
            .map_err(|e| p.error("f_sw", format!("invalid carrier: {e}")))?;
        text.gate_pair(main, complement, carrier, t_dead, export_duty);
        let netlist_text = text.finish(options.output_step, options.t_stop);
        let circuit = build_circuit(&netlist_text)?;
        let switch = |name: &str| switch_index(&circuit, name);
        let channel = Channel {
            main: switch(main)?,
            complement: complement.map(switch).transpose()?,
            carrier: carrier_type,
            t_dead: if synchronous { t_dead } else { 0.0 },
        };

        let (controller, initial): (Box<dyn DutyController>, _) = match (mode, v_ref) {
            ("open_loop", _) | (_, None) => {
                let open = OpenLoop::new(c, period, vec![0.0])?;
                let initial = open.initial_commands();
                (Box::new(open), initial)
            }
            (_, Some(v_ref)) => {
                let squared = mode == "voltage_squared";
                let (converter, current_fraction) = match self.topology {
                    Topology::Buck => (Converter::Buck, 1.0),
                    Topology::Boost => (
                        Converter::Boost,
                        boost_duty(v_in, v_ref).map_or(0.5, |d| 1.0 - d),
                    ),
                };
                let v_bus = match self.topology {
                    Topology::Buck => v_in,
                    Topology::Boost => v_ref,
                };
                let voltage_crossover = match self.topology {
                    Topology::Buck => f_sw / 100.0,
                    Topology::Boost => Plant::boost_voltage_crossover(
                        f_sw,
                        p.number("r_load"),
                        1.0 - current_fraction,
                        p.number("l"),
                    ),
                };
                let gains = LoopGains::resolve(
                    c,
                    Plant {
                        f_sw,
                        inductance: p.number("l"),
                        v_bus,
                        capacitance: p.number("c"),
                        current_fraction,
                        squared,
                        voltage_crossover,
                    },
                );
                let rated_current = match self.topology {
                    Topology::Buck => v_ref / p.number("r_load"),
                    Topology::Boost => v_ref * v_ref / p.number("r_load") / v_in,
                };
                let i_max = c.optional_number("i_max").unwrap_or(3.0 * rated_current);
                let v_start = p.number("v_out0");
                let control = VoltageControl::new(
                    c,
                    converter,
                    squared,
                    gains,
                    period,
                    v_ref,
                    v_start,
                    i_max,
                    ["v(in)".into(), "v(out)".into(), "i(L1)".into()],
                )?;
                let start_duty = match self.topology {
                    Topology::Buck => buck_duty(v_in, v_start.max(0.0)).unwrap_or(0.0),
                    Topology::Boost => 0.0,
                };
                let initial = vec![super::modulator::ChannelCommand {
                    duty: start_duty,
                    phase: 0.0,
                    enabled: true,
                }];
                (Box::new(control), initial)
            }
        };
        let delayed = c.text("delay") == "next_period";
        let drive = PwmDrive::new(period, vec![channel], initial, controller, 1, delayed);

        let mut options = options;
        options.pulse_edge_default = 0.0;
        options.probes = default_probes(synchronous, has_load_source);
        Ok(Prepared {
            netlist_text,
            circuit,
            drive,
            period,
            options,
            report: ReportSpec {
                ports: input_output_ports(has_load_source),
                inductor_currents: vec!["i(L1)".into()],
                regulated: v_ref.map(|v| ("v(out)".to_string(), v)),
                output_voltage: "v(out)".into(),
                transient_until: p.schedule("i_load").first().map(|(t, _)| *t),
                positions,
            },
        })
    }
}

fn default_probes(synchronous: bool, load_source: bool) -> Vec<String> {
    let mut probes: Vec<String> = [
        "v(in)", "v(sw)", "v(out)", "i(L1)", "vd(C1)", "i(VIN)", "i(RLOAD)", "i(S1)", "gate(S1)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if synchronous {
        probes.extend(["i(S2)", "gate(S2)", "i(DS1)", "i(DS2)"].map(String::from));
    } else {
        probes.push("i(D1)".into());
    }
    if load_source {
        probes.push("i(ILOAD)".into());
    }
    probes
}
