//! Building blocks shared by the converter templates: the power-stage parameters, the
//! netlist text they produce, and gate sources for open-loop export.

use std::fmt::Write;

use pelab_control::pwm::{Carrier, CarrierKind, ComplementaryPwm, Pattern};

use super::Port;
use super::params::{DesignError, ParamSpec, Params};
use crate::circuit::Circuit;
use crate::netlist::format_spice_number as num;

/// Largest switching frequency accepted [Hz].
pub const MAX_SWITCHING_FREQUENCY: f64 = 10e6;

/// Parameters of the switches and diodes, shared by every converter kernel.
pub fn device_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive(
            "f_sw",
            "Hz",
            None,
            MAX_SWITCHING_FREQUENCY,
            "switching frequency",
        ),
        ParamSpec::choice(
            "rectifier",
            &["diode", "synchronous"],
            "synchronous",
            "passive diode or synchronous switch in the rectifying position",
        ),
        ParamSpec::choice(
            "carrier",
            &["trailing", "leading", "center"],
            "trailing",
            "PWM carrier: trailing edge (on at period start), leading edge, or centre-aligned",
        ),
        ParamSpec::positive("r_on", "Ω", Some(10e-3), 100.0, "switch on-resistance"),
        ParamSpec::positive(
            "r_off",
            "Ω",
            Some(1e6),
            1e12,
            "switch and diode off-resistance",
        ),
        ParamSpec::number(
            "v_f",
            "V",
            Some(0.8),
            0.0,
            10.0,
            "diode forward voltage (also the switches' body diodes)",
        ),
        ParamSpec::positive("r_d", "Ω", Some(10e-3), 100.0, "diode on-resistance"),
        ParamSpec::number(
            "t_dead",
            "s",
            Some(100e-9),
            0.0,
            1e-3,
            "deadtime of complementary switches (synchronous rectifier only)",
        ),
    ]
}

/// Simulation-section parameters shared by every kernel.
pub fn simulation_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("t_stop", "s", None, 1e4, "simulated time"),
        optional(ParamSpec::positive(
            "output_step",
            "s",
            None,
            1e3,
            "output step and longest engine step (default: switching period / 200)",
        )),
        ParamSpec::number(
            "record_from",
            "s",
            Some(0.0),
            0.0,
            1e4,
            "time from which samples are recorded",
        ),
        optional(ParamSpec::number(
            "steady_state_from",
            "s",
            None,
            0.0,
            1e4,
            "start of the window for averages, ripple and efficiency (default: last 20 % of the run, whole periods)",
        )),
        ParamSpec::integer(
            "max_samples",
            Some(crate::engine::DEFAULT_MAX_SAMPLES as i64),
            1,
            1_000_000_000,
            "largest number of samples the run may record",
        ),
    ]
}

/// Marks a spec as optional: absent means "not given", with no default.
pub fn optional(mut spec: ParamSpec) -> ParamSpec {
    spec.default = None;
    spec.optional = true;
    spec
}

/// Carrier kind from the `carrier` parameter.
pub fn carrier_kind(params: &Params) -> CarrierKind {
    match params.text("carrier") {
        "leading" => CarrierKind::LeadingEdge,
        "center" => CarrierKind::CenterAligned,
        _ => CarrierKind::TrailingEdge,
    }
}

/// Netlist text under construction, with the models every converter uses.
pub struct NetlistText {
    text: String,
}

impl NetlistText {
    /// Starts a netlist with `title` and the `SMOD` switch and `DMOD` diode models.
    pub fn new(title: &str, params: &Params) -> Self {
        let mut text = String::new();
        let _ = writeln!(text, "{title}");
        let _ = writeln!(
            text,
            ".model SMOD SW(Ron={} Roff={} Vt=0.5 Vh=0)",
            num(params.number("r_on")),
            num(params.number("r_off"))
        );
        let _ = writeln!(
            text,
            ".model DMOD SIDIODE(Ron={} Roff={} Vfwd={})",
            num(params.number("r_d")),
            num(params.number("r_off")),
            num(params.number("v_f"))
        );
        Self { text }
    }

    /// Appends one line.
    pub fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    /// Appends an inductor `name` from `a` to `b` with a series DCR; the DCR resistor is
    /// `R{name}` and sits between the inductor and `b`.
    pub fn inductor(&mut self, name: &str, a: &str, b: &str, l: f64, dcr: f64, ic: f64) {
        if dcr > 0.0 {
            let mid = format!("{}_dcr", name.to_ascii_lowercase());
            self.line(format!("{name} {a} {mid} {} ic={}", num(l), num(ic)));
            self.line(format!("R{name} {mid} {b} {}", num(dcr)));
        } else {
            self.line(format!("{name} {a} {b} {} ic={}", num(l), num(ic)));
        }
    }

    /// Appends a capacitor from `a` to ground with a series ESR `R{name}`.
    pub fn capacitor(&mut self, name: &str, a: &str, c: f64, esr: f64, ic: f64) {
        if esr > 0.0 {
            let mid = format!("{}_esr", name.to_ascii_lowercase());
            self.line(format!("{name} {a} {mid} {} ic={}", num(c), num(ic)));
            self.line(format!("R{name} {mid} 0 {}", num(esr)));
        } else {
            self.line(format!("{name} {a} 0 {} ic={}", num(c), num(ic)));
        }
    }

    /// Appends switch `name` from `a` to `b` with gate node `g_{name}` and, when
    /// `body_diode`, an antiparallel diode `D{name}` (anode `b`, cathode `a`).
    pub fn switch(&mut self, name: &str, a: &str, b: &str, body_diode: bool) {
        let gate = gate_node(name);
        self.line(format!("{name} {a} {b} {gate} 0 SMOD"));
        if body_diode {
            self.line(format!("D{name} {b} {a} DMOD"));
        }
    }

    /// Appends diode `name` from `anode` to `cathode`.
    pub fn diode(&mut self, name: &str, anode: &str, cathode: &str) {
        self.line(format!("{name} {anode} {cathode} DMOD"));
    }

    /// Appends a gate source for `switch` that reproduces `pattern` every period,
    /// as a 0/1 V PULSE with 1 ns edges (an ngspice-ready open-loop drive).
    pub fn gate_source(&mut self, switch: &str, pattern: Pattern, period: f64) {
        let gate = gate_node(switch);
        let name = format!("VG{switch}");
        match pattern {
            Pattern::AlwaysOff => self.line(format!("{name} {gate} 0 DC 0")),
            Pattern::AlwaysOn => self.line(format!("{name} {gate} 0 DC 1")),
            Pattern::Pulse { rise, fall } => {
                let on_time = if fall > rise {
                    fall - rise
                } else {
                    fall + period - rise
                };
                // 1 ns ramps centred on the ideal instants: the switch changes state
                // where the ramp crosses Vt = 0.5 V, exactly at `rise` and `fall`.
                let half = 0.5 * GATE_EDGE;
                // A pulse that wraps past the period start (or rises within the first
                // half ramp) is on at t = 0; one that ends within the first half ramp
                // is treated as off there. Both shift an edge by under 0.5 ns.
                let on_at_start = (pattern.is_on_at(0.0, period) || rise < half) && fall >= half;
                let line = if on_at_start {
                    // On from t = 0 (the pulse wraps the period start): describe the
                    // off-interval, which starts at `fall`.
                    format!(
                        "{name} {gate} 0 PULSE(1 0 {} {} {} {} {})",
                        num(fall - half),
                        num(GATE_EDGE),
                        num(GATE_EDGE),
                        num(period - on_time - GATE_EDGE),
                        num(period)
                    )
                } else {
                    format!(
                        "{name} {gate} 0 PULSE(0 1 {} {} {} {} {})",
                        num(rise - half),
                        num(GATE_EDGE),
                        num(GATE_EDGE),
                        num(on_time - GATE_EDGE),
                        num(period)
                    )
                };
                self.line(line);
            }
        }
    }

    /// Appends the gate sources of a single switch or a complementary pair driven at
    /// `duty` with carrier `carrier`.
    pub fn gate_pair(
        &mut self,
        main: &str,
        complement: Option<&str>,
        carrier: Carrier,
        t_dead: f64,
        duty: f64,
    ) {
        let period = carrier.period();
        match complement {
            None => self.gate_source(main, carrier.pattern(duty), period),
            Some(low) => match ComplementaryPwm::new(carrier, t_dead) {
                Ok(pair) => {
                    let p = pair.pattern(duty);
                    self.gate_source(main, p.high, period);
                    self.gate_source(low, p.low, period);
                }
                Err(_) => {
                    self.gate_source(main, Pattern::AlwaysOff, period);
                    self.gate_source(low, Pattern::AlwaysOff, period);
                }
            },
        }
    }

    /// Appends a `.tran` card and returns the finished text.
    pub fn finish(mut self, step: f64, stop: f64) -> String {
        self.line(format!(
            ".tran {} {} 0 {} uic",
            num(step),
            num(stop),
            num(step)
        ));
        self.line(".end");
        self.text
    }
}

/// Rise and fall time of exported gate pulses [s].
pub const GATE_EDGE: f64 = 1e-9;

/// Gate node of a switch.
pub fn gate_node(switch: &str) -> String {
    format!("g_{}", switch.to_ascii_lowercase())
}

/// Checks that the deadtime `t_dead` is less than half the switching period.
///
/// # Errors
/// A [`DesignError`] on `parameters.t_dead` naming the bound.
pub fn check_deadtime(params: &Params, period: f64) -> Result<(), DesignError> {
    let t_dead = params.number("t_dead");
    if t_dead >= 0.5 * period {
        return Err(params.error(
            "t_dead",
            format!(
                "invalid value {t_dead}; expected less than half the switching period ({} s)",
                0.5 * period
            ),
        ));
    }
    Ok(())
}

/// Index of the switch named `name` in a kernel-built circuit.
///
/// # Errors
/// A [`DesignError`] when the template did not create the switch, which is a bug in
/// the kernel rather than in the design.
pub fn switch_index(circuit: &Circuit, name: &str) -> Result<usize, DesignError> {
    circuit
        .switch_index(name)
        .ok_or_else(|| DesignError::new("parameters", format!("internal: switch {name} missing")))
}

/// The ports of a converter fed by `VIN` at node `in` and loaded by `RLOAD` (and the
/// load-current sink `ILOAD`, when present) at node `out`.
pub fn input_output_ports(has_load_source: bool) -> Vec<Port> {
    let mut outputs = vec![("RLOAD".to_string(), 1.0)];
    if has_load_source {
        outputs.push(("ILOAD".to_string(), -1.0));
    }
    vec![
        Port {
            name: "input".into(),
            voltage: "v(in)".into(),
            current: "i(VIN)".into(),
            current_sign: -1.0,
            elements: vec![("VIN".into(), 1.0)],
        },
        Port {
            name: "output".into(),
            voltage: "v(out)".into(),
            current: "i(RLOAD)".into(),
            current_sign: 1.0,
            elements: outputs,
        },
    ]
}
