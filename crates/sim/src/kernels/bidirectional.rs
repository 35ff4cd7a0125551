//! Bidirectional synchronous half-bridge DC-DC converter (EV on-board charger DC link,
//! traction DC link to battery).
//!
//! ```text
//! VHV ─ RHV ─┬─ hv ─┬─ S1 ─┬─ sw ─ L1 ─ RL1 ─┬─ lv ─ RBAT ─ VBAT
//!            │      │      │                  │
//!      CHV (+ESR)  RLOAD_HV S2               CLV (+ESR)
//! ```
//!
//! S1 (high side) takes the duty, S2 is its complement with deadtime, and both carry
//! body diodes. A positive inductor current flows from the high-voltage link to the
//! battery (buck direction, charging); a negative one discharges the battery into the
//! link (boost direction). In `current` mode the current reference follows a schedule,
//! so the power direction can reverse under load.

use pelab_control::pwm::Carrier;

use super::control::{
    CurrentControl, LoopGains, OpenLoop, Plant, check_common, common_control_specs,
};
use super::modulator::{Channel, ChannelCommand, DutyController, PwmDrive};
use super::params::{DesignError, ParamKind, ParamSpec, Params, Value};
use super::positions::SwitchPosition;
use super::stage::{
    NetlistText, carrier_kind, check_deadtime, device_specs, optional, simulation_specs,
    switch_index,
};
use super::{Kernel, KernelInfo, Port, Prepared, ReportSpec, build_circuit, run_options};
use crate::netlist::format_spice_number as num;

/// The bidirectional half-bridge kernel.
pub struct Bidirectional;

/// The bidirectional kernel instance.
pub static BIDIRECTIONAL: Bidirectional = Bidirectional;

impl Kernel for Bidirectional {
    fn info(&self) -> KernelInfo {
        let mut parameters = vec![
            ParamSpec::positive("v_hv", "V", None, 1e5, "high-voltage link source voltage"),
            ParamSpec::positive(
                "r_hv",
                "Ω",
                Some(50e-3),
                1e6,
                "high-voltage source internal resistance",
            ),
            ParamSpec::positive("c_hv", "F", None, 10.0, "high-voltage link capacitance"),
            ParamSpec::number(
                "r_c_hv",
                "Ω",
                Some(5e-3),
                0.0,
                1e3,
                "high-voltage capacitor ESR",
            ),
            optional(ParamSpec::positive(
                "r_load_hv",
                "Ω",
                None,
                1e9,
                "optional load on the high-voltage link",
            )),
            ParamSpec::positive("v_bat", "V", None, 1e5, "battery open-circuit voltage"),
            ParamSpec::positive(
                "r_bat",
                "Ω",
                Some(20e-3),
                1e6,
                "battery internal resistance",
            ),
            ParamSpec::positive(
                "c_lv",
                "F",
                None,
                10.0,
                "low-voltage (battery side) capacitance",
            ),
            ParamSpec::number(
                "r_c_lv",
                "Ω",
                Some(5e-3),
                0.0,
                1e3,
                "low-voltage capacitor ESR",
            ),
            ParamSpec::positive("l", "H", None, 10.0, "inductance"),
            ParamSpec::number("r_l", "Ω", Some(10e-3), 0.0, 1e3, "inductor DC resistance"),
            ParamSpec::number(
                "i_l0",
                "A",
                Some(0.0),
                -1e5,
                1e5,
                "initial inductor current",
            ),
        ];
        parameters.extend(device_specs().into_iter().filter(|s| s.name != "rectifier"));
        let mut control = common_control_specs(&["open_loop", "current"], "current");
        control.push(ParamSpec::number(
            "i_ref",
            "A",
            Some(0.0),
            -1e5,
            1e5,
            "inductor current reference before the first schedule entry; positive charges the battery",
        ));
        control.push(ParamSpec {
            name: "i_ref_steps",
            unit: "A",
            kind: ParamKind::Schedule {
                min: -1e5,
                max: 1e5,
            },
            default: Some(Value::Schedule(Vec::new())),
            description: "current reference steps as [time_s, current_A] pairs",
            optional: false,
        });
        KernelInfo {
            name: "bidirectional",
            summary: "bidirectional synchronous half-bridge buck/boost between a high-voltage link and a battery",
            parameters,
            control,
            simulation: simulation_specs(),
        }
    }

    fn prepare(&self, p: &Params, c: &Params, s: &Params) -> Result<Prepared, DesignError> {
        check_common(c)?;
        let f_sw = p.number("f_sw");
        let period = 1.0 / f_sw;
        let t_dead = p.number("t_dead");
        check_deadtime(p, period)?;
        let v_hv = p.number("v_hv");
        let v_bat = p.number("v_bat");
        if v_bat >= v_hv {
            return Err(p.error(
                "v_bat",
                format!(
                    "invalid value {v_bat}; expected below the high-voltage link v_hv = {v_hv} V"
                ),
            ));
        }
        let (options, _) = run_options(s, period)?;

        let title = if c.text("mode") == "open_loop" {
            "pelab bidirectional half-bridge".to_string()
        } else {
            format!(
                "pelab bidirectional half-bridge (current-controlled design, exported open loop at duty {:.4})",
                v_bat / v_hv
            )
        };
        let mut text = NetlistText::new(&title, p);
        text.line(format!("VHV hv_src 0 DC {}", num(v_hv)));
        text.line(format!("RHV hv_src hv {}", num(p.number("r_hv"))));
        text.capacitor("CHV", "hv", p.number("c_hv"), p.number("r_c_hv"), v_hv);
        if let Some(r) = p.optional_number("r_load_hv") {
            text.line(format!("RLOAD_HV hv 0 {}", num(r)));
        }
        text.switch("S1", "hv", "sw", true);
        text.switch("S2", "sw", "0", true);
        text.inductor(
            "L1",
            "sw",
            "lv",
            p.number("l"),
            p.number("r_l"),
            p.number("i_l0"),
        );
        text.capacitor("CLV", "lv", p.number("c_lv"), p.number("r_c_lv"), v_bat);
        text.line(format!("RBAT lv bat {}", num(p.number("r_bat"))));
        text.line(format!("VBAT bat 0 DC {}", num(v_bat)));
        let carrier_type = carrier_kind(p);
        let carrier = Carrier::new(carrier_type, period, 0.0)
            .map_err(|e| p.error("f_sw", format!("invalid carrier: {e}")))?;
        let nominal_duty = v_bat / v_hv;
        let open_loop_duty = if c.text("mode") == "open_loop" {
            c.number("duty")
        } else {
            nominal_duty
        };
        text.gate_pair("S1", Some("S2"), carrier, t_dead, open_loop_duty);
        let netlist_text = text.finish(options.output_step, options.t_stop);
        let circuit = build_circuit(&netlist_text)?;
        let switch = |name: &str| switch_index(&circuit, name);
        let channel = Channel {
            main: switch("S1")?,
            complement: Some(switch("S2")?),
            carrier: carrier_type,
            t_dead,
        };

        let (controller, initial): (Box<dyn DutyController>, Vec<ChannelCommand>) =
            if c.text("mode") == "open_loop" {
                let open = OpenLoop::new(c, period, vec![0.0])?;
                let initial = open.initial_commands();
                (Box::new(open), initial)
            } else {
                let gains = LoopGains::resolve(
                    c,
                    Plant {
                        f_sw,
                        inductance: p.number("l"),
                        v_bus: v_hv,
                        capacitance: p.number("c_lv"),
                        current_fraction: 1.0,
                        squared: false,
                        voltage_crossover: f_sw / 100.0,
                    },
                );
                let control = CurrentControl::new(
                    c,
                    gains,
                    period,
                    c.number("i_ref"),
                    c.schedule("i_ref_steps").to_vec(),
                    ["v(hv)".into(), "v(lv)".into(), "i(L1)".into()],
                )?;
                let initial = vec![ChannelCommand {
                    duty: nominal_duty,
                    phase: 0.0,
                    enabled: true,
                }];
                (Box::new(control), initial)
            };
        let delayed = c.text("delay") == "next_period";
        let drive = PwmDrive::new(period, vec![channel], initial, controller, 1, delayed);

        let mut options = options;
        options.probes = [
            "v(hv)", "v(sw)", "v(lv)", "i(L1)", "i(VHV)", "i(VBAT)", "i(S1)", "i(S2)", "i(DS1)",
            "i(DS2)", "gate(S1)", "gate(S2)",
        ]
        .map(String::from)
        .to_vec();
        // The port is the link node: the source's delivery less its internal loss.
        let mut hv_elements = vec![("VHV".to_string(), 1.0), ("RHV".to_string(), -1.0)];
        if p.optional_number("r_load_hv").is_some() {
            hv_elements.push(("RLOAD_HV".to_string(), -1.0));
        }
        Ok(Prepared {
            netlist_text,
            circuit,
            drive,
            period,
            options,
            report: ReportSpec {
                ports: vec![
                    Port {
                        name: "high_voltage".into(),
                        voltage: "v(hv)".into(),
                        current: "i(VHV)".into(),
                        current_sign: -1.0,
                        elements: hv_elements,
                    },
                    Port {
                        name: "battery".into(),
                        voltage: "v(lv)".into(),
                        current: "i(VBAT)".into(),
                        current_sign: 1.0,
                        elements: vec![("VBAT".into(), -1.0), ("RBAT".into(), 1.0)],
                    },
                ],
                inductor_currents: vec!["i(L1)".into()],
                regulated: None,
                output_voltage: "v(lv)".into(),
                transient_until: None,
                positions: vec![
                    SwitchPosition::switch("S1", "hv", "sw", true),
                    SwitchPosition::switch("S2", "sw", "0", true),
                ],
            },
        })
    }
}
