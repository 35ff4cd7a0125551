//! Writes a [`Netlist`] back as SPICE text that pelab and ngspice both read.

use std::fmt::Write;

use super::number::format_spice_number as num;
use super::{ElementKind, ModelKind, Netlist, Waveform};

/// Writes `netlist` as SPICE text. Parsing the result gives back an equal netlist.
///
/// The pelab-only parameters (`rth`, `cth`, `tamb`, `isat`, `lsat`) are written when
/// present; ngspice rejects them, so a netlist meant for ngspice must not use them.
pub fn write_netlist(netlist: &Netlist) -> String {
    write(netlist, false)
}

/// Writes `netlist` in the form ngspice 39 runs: SIDIODE diodes become XSPICE
/// instances (`D1` is written as `AD1`, because ngspice reads that model only on `A`
/// elements), and `.tran` gets `uic`, so ngspice starts from the initial conditions as
/// pelab does instead of computing a DC operating point.
pub fn write_netlist_ngspice(netlist: &Netlist) -> String {
    write(netlist, true)
}

fn write(netlist: &Netlist, ngspice: bool) -> String {
    let mut out = String::new();
    let title = if netlist.title.is_empty() {
        "pelab netlist"
    } else {
        netlist.title.as_str()
    };
    // `writeln!` into a String cannot fail.
    let _ = writeln!(out, "{title}");
    for element in &netlist.elements {
        let name = &element.name;
        let line = match &element.kind {
            ElementKind::Resistor {
                n_pos,
                n_neg,
                resistance,
                thermal,
            } => {
                let mut line = format!("{name} {n_pos} {n_neg} {}", num(*resistance));
                if let Some(t) = thermal {
                    let _ = write!(
                        line,
                        " tc1={} tc2={} tnom={} temp={}",
                        num(t.tc1),
                        num(t.tc2),
                        num(t.tnom),
                        num(t.temperature)
                    );
                    if let Some(h) = &t.self_heating {
                        let _ = write!(
                            line,
                            " rth={} cth={} tamb={}",
                            num(h.rth),
                            num(h.cth),
                            num(h.tamb)
                        );
                    }
                }
                line
            }
            ElementKind::Inductor {
                n_pos,
                n_neg,
                inductance,
                initial_current,
                saturation,
            } => {
                let mut line = format!("{name} {n_pos} {n_neg} {}", num(*inductance));
                if let Some(ic) = initial_current {
                    let _ = write!(line, " ic={}", num(*ic));
                }
                if let Some(s) = saturation {
                    let _ = write!(line, " isat={} lsat={}", num(s.i_sat), num(s.l_sat));
                }
                line
            }
            ElementKind::Capacitor {
                n_pos,
                n_neg,
                capacitance,
                initial_voltage,
            } => {
                let mut line = format!("{name} {n_pos} {n_neg} {}", num(*capacitance));
                if let Some(ic) = initial_voltage {
                    let _ = write!(line, " ic={}", num(*ic));
                }
                line
            }
            ElementKind::Coupling {
                inductor_a,
                inductor_b,
                k,
            } => format!("{name} {inductor_a} {inductor_b} {}", num(*k)),
            ElementKind::VoltageSource {
                n_pos,
                n_neg,
                waveform,
            }
            | ElementKind::CurrentSource {
                n_pos,
                n_neg,
                waveform,
            } => format!("{name} {n_pos} {n_neg} {}", waveform_text(waveform)),
            ElementKind::Switch {
                n_pos,
                n_neg,
                control_pos,
                control_neg,
                model,
            } => format!("{name} {n_pos} {n_neg} {control_pos} {control_neg} {model}"),
            ElementKind::Diode {
                anode,
                cathode,
                model,
            } => {
                let prefix = if ngspice && !name.starts_with(['A', 'a']) {
                    "A"
                } else {
                    ""
                };
                format!("{prefix}{name} {anode} {cathode} {model}")
            }
            ElementKind::Vcvs {
                n_pos,
                n_neg,
                control_pos,
                control_neg,
                gain,
            }
            | ElementKind::Vccs {
                n_pos,
                n_neg,
                control_pos,
                control_neg,
                gain,
            } => format!(
                "{name} {n_pos} {n_neg} {control_pos} {control_neg} {}",
                num(*gain)
            ),
            ElementKind::Cccs {
                n_pos,
                n_neg,
                sense,
                gain,
            }
            | ElementKind::Ccvs {
                n_pos,
                n_neg,
                sense,
                gain,
            } => format!("{name} {n_pos} {n_neg} {sense} {}", num(*gain)),
        };
        let _ = writeln!(out, "{line}");
    }
    for model in &netlist.models {
        let line = match &model.kind {
            ModelKind::Switch(s) => format!(
                ".model {} SW(Ron={} Roff={} Vt={} Vh={})",
                model.name,
                num(s.ron),
                num(s.roff),
                num(s.vt),
                num(s.vh)
            ),
            ModelKind::Diode(d) => format!(
                ".model {} SIDIODE(Ron={} Roff={} Vfwd={})",
                model.name,
                num(d.ron),
                num(d.roff),
                num(d.vfwd)
            ),
        };
        let _ = writeln!(out, "{line}");
    }
    if !netlist.initial_conditions.is_empty() {
        let conditions: Vec<String> = netlist
            .initial_conditions
            .iter()
            .map(|(node, v)| format!("V({node})={}", num(*v)))
            .collect();
        let _ = writeln!(out, ".ic {}", conditions.join(" "));
    }
    if let Some(tran) = &netlist.tran {
        let mut line = format!(
            ".tran {} {} {}",
            num(tran.step),
            num(tran.stop),
            num(tran.start)
        );
        if let Some(max_step) = tran.max_step {
            let _ = write!(line, " {}", num(max_step));
        }
        if ngspice {
            line.push_str(" uic");
        }
        let _ = writeln!(out, "{line}");
    }
    out.push_str(".end\n");
    out
}

fn waveform_text(waveform: &Waveform) -> String {
    match waveform {
        Waveform::Dc(v) => format!("DC {}", num(*v)),
        Waveform::Pulse(p) => {
            let mut args = vec![num(p.v1), num(p.v2), num(p.delay)];
            let optional = [p.rise, p.fall, p.width, p.period];
            // SPICE arguments are positional, so only trailing ones may be left out.
            let last_given = optional.iter().rposition(Option::is_some);
            if let Some(last) = last_given {
                for value in &optional[..=last] {
                    args.push(value.map_or_else(|| "0".to_string(), num));
                }
            }
            format!("PULSE({})", args.join(" "))
        }
        Waveform::Sine(s) => format!(
            "SIN({} {} {} {} {} {})",
            num(s.offset),
            num(s.amplitude),
            num(s.frequency),
            num(s.delay),
            num(s.damping),
            num(s.phase_deg)
        ),
        Waveform::Pwl(points) => {
            let args: Vec<String> = points
                .iter()
                .map(|(t, v)| format!("{} {}", num(*t), num(*v)))
                .collect();
            format!("PWL({})", args.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_netlist;
    use super::*;

    #[test]
    fn round_trips_every_element_kind() {
        let text = "\
all kinds
V1 in 0 DC 48
I1 0 a SIN(0 2 50 0 0 90)
VP p 0 PULSE(0 1 1u 10n 10n 4u 10u)
VW w 0 PWL(0 0 1m 5 2m 5)
R1 in a 1.5 tc1=0.0039 tc2=0 tnom=25 temp=25 rth=10 cth=0.5 tamb=40
L1 a b 100u ic=2 isat=20 lsat=20u
L2 b c 50u
K1 L1 L2 0.99
C1 c 0 10u ic=5
S1 b 0 p 0 SMOD
D1 b out DMOD
E1 e 0 a b 2
F1 f 0 V1 0.5
G1 g 0 a b 0.1
H1 h 0 V1 3
.model SMOD SW(Ron=0.01 Roff=1e6 Vt=0.5 Vh=0)
.model DMOD SIDIODE(Ron=0.02 Roff=1e6 Vfwd=0.7)
.ic V(out)=12
.tran 1e-8 0.002 0 1e-8
.end
";
        let first = parse_netlist(text).unwrap();
        let written = write_netlist(&first);
        let second = parse_netlist(&written).unwrap();
        assert_eq!(first.elements.len(), second.elements.len());
        for (a, b) in first.elements.iter().zip(&second.elements) {
            assert_eq!(a.kind, b.kind, "{}", a.name);
        }
        assert_eq!(first.models, {
            let mut models = second.models.clone();
            for (m, original) in models.iter_mut().zip(&first.models) {
                m.line = original.line;
            }
            models
        });
        assert_eq!(first.tran, second.tran);
        assert_eq!(first.initial_conditions, second.initial_conditions);
    }
}
