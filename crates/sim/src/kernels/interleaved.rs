//! Interleaved boost converter with 2 to 4 phases.
//!
//! ```text
//!            ┌─ L1 ─ RL1 ─┬─ D1/S1H ─┐
//! VIN ─ in ──┼─ L2 ─ RL2 ─┼─ D2/S2H ─┼─ out ─ C1 (+ESR), RLOAD, ILOAD
//!            └─ …         S1 … SN     │
//! ```
//!
//! Each phase has its own inductor (with its tolerance factor, so mismatch can be
//! studied), low-side switch `Sk` and rectifier. The carriers are shifted by
//! `360°/N`, so the phase ripples partly cancel in the input current; at `D = 1/N`
//! multiples the cancellation is complete. Closed loop uses one voltage loop and one
//! current loop per phase, which also balances the phase currents when the
//! inductors differ. Phase shedding turns phases off at light load, with hysteresis,
//! and re-spaces the remaining carriers by `360°/N_active`.

use pelab_control::dcdc::boost_duty;
use pelab_control::pwm::{Carrier, interleaved_phase};

use super::buck_boost::{load_current_source, passive_specs};
use super::control::{
    InterleavedControl, InterleavedSettings, LoopGains, Plant, check_common, common_control_specs,
    voltage_loop_specs,
};
use super::modulator::{Channel, PwmDrive};
use super::params::{DesignError, ParamKind, ParamSpec, Params, Value};
use super::positions::SwitchPosition;
use super::stage::{
    NetlistText, carrier_kind, check_deadtime, device_specs, input_output_ports, optional,
    simulation_specs, switch_index,
};
use super::{Kernel, KernelInfo, Prepared, ReportSpec, build_circuit, run_options};
use crate::netlist::format_spice_number as num;

/// The interleaved boost kernel.
pub struct InterleavedBoost;

/// The interleaved boost kernel instance.
pub static INTERLEAVED_BOOST: InterleavedBoost = InterleavedBoost;

impl Kernel for InterleavedBoost {
    fn info(&self) -> KernelInfo {
        let mut parameters = vec![ParamSpec::integer(
            "phases",
            Some(2),
            2,
            4,
            "number of phases",
        )];
        parameters.extend(passive_specs().into_iter().map(|mut spec| {
            if spec.name == "l" {
                spec.description = "nominal inductance of each phase";
            }
            if spec.name == "i_l0" {
                spec.description = "initial current of each phase inductor";
            }
            spec
        }));
        parameters.push(ParamSpec {
            name: "l_tolerance",
            unit: "1",
            kind: ParamKind::NumberList {
                min: -0.5,
                max: 0.5,
                min_len: 0,
                max_len: 4,
            },
            default: Some(Value::List(Vec::new())),
            description: "relative deviation of each phase inductance from l, e.g. [0.0, 0.1] (empty: all nominal)",
            optional: false,
        });
        parameters.extend(device_specs());
        let mut control =
            common_control_specs(&["open_loop", "voltage", "voltage_squared"], "open_loop");
        control.extend(voltage_loop_specs());
        control.push(ParamSpec {
            name: "shed_thresholds",
            unit: "A",
            kind: ParamKind::NumberList {
                min: 0.0,
                max: 1e6,
                min_len: 0,
                max_len: 3,
            },
            default: Some(Value::List(Vec::new())),
            description: "phase shedding: total inductor current above which phase k+2 is added, one per extra phase (empty: no shedding)",
            optional: false,
        });
        control.push(ParamSpec::number(
            "shed_hysteresis",
            "A",
            Some(2.0),
            0.0,
            1e6,
            "phase shedding: a phase is dropped this far below its threshold",
        ));
        control.push(optional(ParamSpec::number(
            "shed_dwell",
            "s",
            None,
            0.0,
            1e3,
            "phase shedding: least time between a change and a phase drop (default: 20 switching periods)",
        )));
        KernelInfo {
            name: "interleaved_boost",
            summary: "interleaved boost with 2 to 4 phase-shifted phases, inductor mismatch and phase shedding",
            parameters,
            control,
            simulation: simulation_specs(),
        }
    }

    fn prepare(&self, p: &Params, c: &Params, s: &Params) -> Result<Prepared, DesignError> {
        check_common(c)?;
        let phases = p.integer("phases");
        let f_sw = p.number("f_sw");
        let period = 1.0 / f_sw;
        let synchronous = p.text("rectifier") == "synchronous";
        let t_dead = p.number("t_dead");
        if synchronous {
            check_deadtime(p, period)?;
        }
        let tolerance = p.list("l_tolerance");
        if !tolerance.is_empty() && tolerance.len() != phases {
            return Err(p.error(
                "l_tolerance",
                format!(
                    "has {} entries; expected one per phase ({phases}) or none",
                    tolerance.len()
                ),
            ));
        }
        let (options, _) = run_options(s, period)?;
        let v_in = p.number("v_in");
        let mode = c.text("mode");
        let law = match mode {
            "voltage" => Some(false),
            "voltage_squared" => Some(true),
            _ => None,
        };
        let v_ref = match (law, c.optional_number("v_ref")) {
            (None, _) => 0.0,
            (Some(_), Some(v)) if v > v_in => v,
            (Some(_), Some(v)) => {
                return Err(c.error(
                    "v_ref",
                    format!("invalid value {v}; a boost needs a reference above v_in = {v_in} V"),
                ));
            }
            (Some(_), None) => {
                return Err(c.error(
                    "v_ref",
                    "missing: closed-loop modes need an output voltage reference [V]",
                ));
            }
        };
        let thresholds = c.list("shed_thresholds");
        if !thresholds.is_empty() && thresholds.len() != phases - 1 {
            return Err(c.error(
                "shed_thresholds",
                format!(
                    "has {} entries; expected one per extra phase ({}) or none",
                    thresholds.len(),
                    phases - 1
                ),
            ));
        }

        // A closed-loop design's netlist carries open-loop gates at the lossless
        // steady-state duty, so that ngspice runs near the same operating point.
        let export_duty = match law {
            None => c.number("duty"),
            Some(_) => boost_duty(v_in, v_ref).unwrap_or(0.5),
        };
        let mut title = format!("pelab {phases}-phase interleaved boost");
        if law.is_some() {
            title.push_str(&format!(
                " (closed-loop design, exported open loop at duty {export_duty:.4})"
            ));
        }
        let mut text = NetlistText::new(&title, p);
        text.line(format!("VIN in 0 DC {}", num(v_in)));
        let carrier_type = carrier_kind(p);
        let mut inductor_names = Vec::new();
        let mut switch_names = Vec::new();
        let mut positions = Vec::new();
        for k in 1..=phases {
            let factor = 1.0 + tolerance.get(k - 1).copied().unwrap_or(0.0);
            let node = format!("sw{k}");
            let inductor = format!("L{k}");
            text.inductor(
                &inductor,
                "in",
                &node,
                p.number("l") * factor,
                p.number("r_l"),
                p.number("i_l0"),
            );
            let low = format!("S{k}");
            text.switch(&low, &node, "0", true);
            positions.push(SwitchPosition::switch(&low, &node, "0", true));
            let high = format!("S{k}H");
            if synchronous {
                text.switch(&high, "out", &node, true);
                positions.push(SwitchPosition::switch(&high, "out", &node, true));
            } else {
                let diode = format!("D{k}");
                text.diode(&diode, &node, "out");
                positions.push(SwitchPosition::diode(&diode, &node, "out"));
            }
            inductor_names.push(inductor);
            switch_names.push((low, synchronous.then_some(high)));
        }
        text.capacitor(
            "C1",
            "out",
            p.number("c"),
            p.number("r_c"),
            p.number("v_out0"),
        );
        text.line(format!("RLOAD out 0 {}", num(p.number("r_load"))));
        let has_load_source = load_current_source(&mut text, "out", p.schedule("i_load"));
        for (k, (low, high)) in switch_names.iter().enumerate() {
            let carrier = Carrier::new(carrier_type, period, interleaved_phase(k, phases))
                .map_err(|e| p.error("f_sw", format!("invalid carrier: {e}")))?;
            text.gate_pair(low, high.as_deref(), carrier, t_dead, export_duty);
        }
        let netlist_text = text.finish(options.output_step, options.t_stop);
        let circuit = build_circuit(&netlist_text)?;
        let switch = |name: &str| switch_index(&circuit, name);
        let mut channels = Vec::with_capacity(phases);
        for (low, high) in &switch_names {
            channels.push(Channel {
                main: switch(low)?,
                complement: high.as_deref().map(switch).transpose()?,
                carrier: carrier_type,
                t_dead: if synchronous { t_dead } else { 0.0 },
            });
        }

        let current_fraction = if law.is_some() {
            boost_duty(v_in, v_ref).map_or(0.5, |d| 1.0 - d)
        } else {
            0.5
        };
        // Each phase's current loop sees one inductor; the voltage loop sees all of them.
        // Phases in parallel act as one inductor of l/N for the right-half-plane zero.
        let voltage_crossover = Plant::boost_voltage_crossover(
            f_sw,
            p.number("r_load"),
            1.0 - current_fraction,
            p.number("l") / phases as f64,
        );
        let gains = LoopGains::resolve(
            c,
            Plant {
                f_sw,
                inductance: p.number("l"),
                v_bus: v_ref.max(v_in),
                capacitance: p.number("c"),
                current_fraction,
                squared: law == Some(true),
                voltage_crossover,
            },
        );
        let rated_current = if law.is_some() {
            v_ref * v_ref / p.number("r_load") / v_in
        } else {
            0.0
        };
        let i_max = c
            .optional_number("i_max")
            .unwrap_or((3.0 * rated_current).max(1.0));
        let mut probes = vec!["v(in)".to_string(), "v(out)".to_string()];
        probes.extend(inductor_names.iter().map(|l| format!("i({l})")));
        let control = InterleavedControl::new(
            c,
            InterleavedSettings {
                phases,
                law,
                gains,
                period,
                v_ref,
                v_start: p.number("v_out0"),
                // Starting at the steady-state duty keeps a synchronous rectifier from
                // back-feeding a precharged output in the first period.
                initial_duty: boost_duty(v_in, p.number("v_out0").max(v_in)).unwrap_or(0.0),
                i_max,
                shedding: (!thresholds.is_empty()).then(|| {
                    (
                        thresholds.to_vec(),
                        c.number("shed_hysteresis"),
                        c.optional_number("shed_dwell").unwrap_or(20.0 * period),
                    )
                }),
                probes,
            },
        )?;
        let initial = control.initial_commands();
        let delayed = c.text("delay") == "next_period";
        let drive = PwmDrive::new(period, channels, initial, Box::new(control), 1, delayed);

        let mut options = options;
        let mut recorded: Vec<String> = vec![
            "v(in)".into(),
            "v(out)".into(),
            "i(VIN)".into(),
            "i(RLOAD)".into(),
        ];
        for (k, (low, high)) in switch_names.iter().enumerate() {
            recorded.push(format!("i({})", inductor_names[k]));
            recorded.push(format!("i({low})"));
            recorded.push(format!("gate({low})"));
            match high {
                Some(h) => {
                    recorded.push(format!("i({h})"));
                    recorded.push(format!("gate({h})"));
                }
                None => recorded.push(format!("i(D{})", k + 1)),
            }
        }
        if has_load_source {
            recorded.push("i(ILOAD)".into());
        }
        options.probes = recorded;
        Ok(Prepared {
            netlist_text,
            circuit,
            drive,
            period,
            options,
            report: ReportSpec {
                ports: input_output_ports(has_load_source),
                inductor_currents: inductor_names.iter().map(|l| format!("i({l})")).collect(),
                regulated: law.map(|_| ("v(out)".to_string(), v_ref)),
                output_voltage: "v(out)".into(),
                transient_until: p.schedule("i_load").first().map(|(t, _)| *t),
                positions,
            },
        })
    }
}
