//! Parser for the SPICE subset described in the module documentation.

use super::directives::parse_directive;
use super::number::parse_spice_number;
use super::waveform::parse_waveform;
use super::{
    Element, ElementKind, Netlist, NetlistError, ResistorThermal, Saturation, SelfHeating,
};

/// Longest netlist accepted, in bytes. A power stage has tens of lines; this bound only
/// stops a runaway file from exhausting memory.
const MAX_NETLIST_BYTES: usize = 4 << 20;

/// Parses netlist text.
///
/// # Errors
/// [`NetlistError`] with the line number and a message that names the element, the
/// field and the accepted values.
pub fn parse_netlist(text: &str) -> Result<Netlist, NetlistError> {
    if text.len() > MAX_NETLIST_BYTES {
        return Err(NetlistError {
            line: 0,
            message: format!(
                "file is {} bytes, more than the {MAX_NETLIST_BYTES}-byte limit",
                text.len()
            ),
        });
    }
    let mut netlist = Netlist::default();
    let mut raw_lines = text.lines().enumerate();
    if let Some((_, title)) = raw_lines.next() {
        netlist.title = title.trim().trim_start_matches('*').trim().to_string();
    }

    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut in_control_block = false;
    for (index, raw) in raw_lines {
        let line_no = index + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() || line.starts_with('*') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if in_control_block {
            if lower.starts_with(".endc") {
                in_control_block = false;
            }
            continue;
        }
        if lower.starts_with(".control") {
            in_control_block = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix('+') {
            match logical.last_mut() {
                Some((_, previous)) => {
                    previous.push(' ');
                    previous.push_str(rest);
                }
                None => {
                    return Err(NetlistError {
                        line: line_no,
                        message: "continuation line '+' has no line to continue".into(),
                    });
                }
            }
            continue;
        }
        if lower == ".end" || lower.starts_with(".end ") {
            break;
        }
        logical.push((line_no, line.to_string()));
    }

    for (line_no, line) in logical {
        let tokens = tokenize(&line);
        let Some(first) = tokens.first() else {
            continue;
        };
        let result = if first.starts_with('.') {
            parse_directive(&mut netlist, line_no, &tokens)
        } else {
            parse_element(&tokens).map(|kind| {
                netlist.elements.push(Element {
                    name: tokens[0].clone(),
                    line: line_no,
                    kind,
                });
            })
        };
        result.map_err(|message| NetlistError {
            line: line_no,
            message,
        })?;
    }

    check_unique_names(&netlist)?;
    Ok(netlist)
}

/// Removes an end-of-line comment started by `;` or by `$` after whitespace.
fn strip_comment(line: &str) -> &str {
    let mut end = line.len();
    if let Some(i) = line.find(';') {
        end = end.min(i);
    }
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'$' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            end = end.min(i);
            break;
        }
    }
    &line[..end]
}

/// Splits a logical line into tokens: whitespace and commas separate, while `(`, `)`
/// and `=` are tokens of their own.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in line.chars() {
        match c {
            c if c.is_whitespace() || c == ',' => flush(&mut tokens, &mut current),
            '(' | ')' | '=' => {
                flush(&mut tokens, &mut current);
                tokens.push(c.to_string());
            }
            _ => current.push(c),
        }
    }
    flush(&mut tokens, &mut current);
    tokens
}

fn flush(tokens: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        tokens.push(std::mem::take(current));
    }
}

/// Positional tokens and `key=value` pairs of an element or model line.
pub(super) struct Fields<'a> {
    pub(super) positional: Vec<&'a str>,
    pub(super) params: Vec<(String, &'a str)>,
}

pub(super) fn split_fields(tokens: &[String]) -> Result<Fields<'_>, String> {
    let mut positional = Vec::new();
    let mut params = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens.get(i + 1).is_some_and(|t| t == "=") {
            let Some(value) = tokens.get(i + 2) else {
                return Err(format!("parameter '{}' has '=' but no value", tokens[i]));
            };
            params.push((tokens[i].to_ascii_lowercase(), value.as_str()));
            i += 3;
        } else if tokens[i] == "=" {
            return Err("'=' without a parameter name before it".into());
        } else {
            positional.push(tokens[i].as_str());
            i += 1;
        }
    }
    Ok(Fields { positional, params })
}

pub(super) fn number(text: &str, what: &str) -> Result<f64, String> {
    parse_spice_number(text).ok_or_else(|| {
        format!("{what}: '{text}' is not a number (expected e.g. 10, 4.7u, 2.2e-6 or 1Meg)")
    })
}

pub(super) fn positive(text: &str, what: &str) -> Result<f64, String> {
    let value = number(text, what)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!("{what} must be greater than 0, got {value}"))
    }
}

pub(super) fn non_negative(text: &str, what: &str) -> Result<f64, String> {
    let value = number(text, what)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{what} must be at least 0, got {value}"))
    }
}

fn expect_positional(fields: &Fields<'_>, count: usize, usage: &str) -> Result<(), String> {
    if fields.positional.len() < count {
        return Err(format!(
            "expected {} fields, found {}: usage is '{usage}'",
            count,
            fields.positional.len()
        ));
    }
    Ok(())
}

pub(super) fn reject_unknown(
    element: &str,
    params: &[(String, &str)],
    accepted: &[&str],
) -> Result<(), String> {
    for (key, _) in params {
        if !accepted.contains(&key.as_str()) {
            return Err(if accepted.is_empty() {
                format!("{element} takes no parameters, found '{key}'")
            } else {
                format!(
                    "{element}: unknown parameter '{key}' (accepted: {})",
                    accepted.join(", ")
                )
            });
        }
    }
    Ok(())
}

pub(super) fn param<'a>(params: &'a [(String, &'a str)], key: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

fn parse_element(tokens: &[String]) -> Result<ElementKind, String> {
    let name = &tokens[0];
    let letter = name
        .chars()
        .next()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or(' ');
    let fields = split_fields(tokens)?;
    let p = &fields.positional;
    let node = |i: usize| p[i].to_string();

    match letter {
        'R' => {
            expect_positional(&fields, 4, "Rname n+ n- value")?;
            reject_unknown(
                name,
                &fields.params,
                &["tc1", "tc2", "tnom", "temp", "rth", "cth", "tamb"],
            )?;
            let resistance = positive(p[3], &format!("{name} resistance [Ω]"))?;
            let thermal = resistor_thermal(name, &fields.params)?;
            Ok(ElementKind::Resistor {
                n_pos: node(1),
                n_neg: node(2),
                resistance,
                thermal,
            })
        }
        'L' => {
            expect_positional(&fields, 4, "Lname n+ n- value [ic=…]")?;
            reject_unknown(name, &fields.params, &["ic", "isat", "lsat"])?;
            let inductance = positive(p[3], &format!("{name} inductance [H]"))?;
            let initial_current = param(&fields.params, "ic")
                .map(|v| number(v, &format!("{name} ic [A]")))
                .transpose()?;
            let saturation = match (param(&fields.params, "isat"), param(&fields.params, "lsat")) {
                (None, None) => None,
                (Some(i_sat), Some(l_sat)) => {
                    let i_sat = positive(i_sat, &format!("{name} isat [A]"))?;
                    let l_sat = positive(l_sat, &format!("{name} lsat [H]"))?;
                    if l_sat > inductance {
                        return Err(format!(
                            "{name} lsat [H] must not exceed the inductance {inductance:e} H, got {l_sat:e}"
                        ));
                    }
                    Some(Saturation { i_sat, l_sat })
                }
                _ => {
                    return Err(format!(
                        "{name}: a saturating inductor needs both isat and lsat"
                    ));
                }
            };
            Ok(ElementKind::Inductor {
                n_pos: node(1),
                n_neg: node(2),
                inductance,
                initial_current,
                saturation,
            })
        }
        'C' => {
            expect_positional(&fields, 4, "Cname n+ n- value [ic=…]")?;
            reject_unknown(name, &fields.params, &["ic"])?;
            let capacitance = positive(p[3], &format!("{name} capacitance [F]"))?;
            let initial_voltage = param(&fields.params, "ic")
                .map(|v| number(v, &format!("{name} ic [V]")))
                .transpose()?;
            Ok(ElementKind::Capacitor {
                n_pos: node(1),
                n_neg: node(2),
                capacitance,
                initial_voltage,
            })
        }
        'K' => {
            expect_positional(&fields, 4, "Kname Lname1 Lname2 k")?;
            reject_unknown(name, &fields.params, &[])?;
            let k = number(p[3], &format!("{name} coupling coefficient k"))?;
            if !(k.abs() < 1.0) || k == 0.0 {
                return Err(format!(
                    "{name} coupling coefficient k must satisfy 0 < |k| < 1, got {k}; \
                     for k = 1 use an ideal transformer (E and F sources, see docs/netlist.md)"
                ));
            }
            Ok(ElementKind::Coupling {
                inductor_a: p[1].to_string(),
                inductor_b: p[2].to_string(),
                k,
            })
        }
        'V' | 'I' => {
            if p.len() < 3 {
                return Err(format!(
                    "{name}: usage is '{name} n+ n- [DC] value | PULSE(…) | SIN(…) | PWL(…)'"
                ));
            }
            reject_unknown(name, &fields.params, &[])?;
            let waveform = parse_waveform(name, &p[3..])?;
            Ok(if letter == 'V' {
                ElementKind::VoltageSource {
                    n_pos: node(1),
                    n_neg: node(2),
                    waveform,
                }
            } else {
                ElementKind::CurrentSource {
                    n_pos: node(1),
                    n_neg: node(2),
                    waveform,
                }
            })
        }
        'S' => {
            expect_positional(&fields, 6, "Sname n+ n- nc+ nc- model")?;
            reject_unknown(name, &fields.params, &[])?;
            Ok(ElementKind::Switch {
                n_pos: node(1),
                n_neg: node(2),
                control_pos: node(3),
                control_neg: node(4),
                model: node(5),
            })
        }
        // ngspice reads a SIDIODE only as an XSPICE code-model instance (`A`), so both
        // spellings are accepted; the model card must be a SIDIODE either way.
        'D' | 'A' => {
            expect_positional(&fields, 4, &format!("{letter}name anode cathode model"))?;
            reject_unknown(name, &fields.params, &[])?;
            Ok(ElementKind::Diode {
                anode: node(1),
                cathode: node(2),
                model: node(3),
            })
        }
        'E' | 'G' => {
            expect_positional(&fields, 6, &format!("{letter}name n+ n- nc+ nc- gain"))?;
            reject_unknown(name, &fields.params, &[])?;
            let gain = number(p[5], &format!("{name} gain"))?;
            let (n_pos, n_neg, control_pos, control_neg) = (node(1), node(2), node(3), node(4));
            Ok(if letter == 'E' {
                ElementKind::Vcvs {
                    n_pos,
                    n_neg,
                    control_pos,
                    control_neg,
                    gain,
                }
            } else {
                ElementKind::Vccs {
                    n_pos,
                    n_neg,
                    control_pos,
                    control_neg,
                    gain,
                }
            })
        }
        'F' | 'H' => {
            expect_positional(&fields, 5, &format!("{letter}name n+ n- vsense gain"))?;
            reject_unknown(name, &fields.params, &[])?;
            let gain = number(p[4], &format!("{name} gain"))?;
            let (n_pos, n_neg, sense) = (node(1), node(2), node(3));
            Ok(if letter == 'F' {
                ElementKind::Cccs {
                    n_pos,
                    n_neg,
                    sense,
                    gain,
                }
            } else {
                ElementKind::Ccvs {
                    n_pos,
                    n_neg,
                    sense,
                    gain,
                }
            })
        }
        'M' | 'Q' | 'J' | 'Z' => Err(format!(
            "{name}: semiconductor device models are not supported by the switched engine; \
             model a transistor as a switch S (with an SW model) plus an antiparallel diode D"
        )),
        'X' => Err(format!(
            "{name}: subcircuits (X, .subckt) are not supported; flatten the netlist"
        )),
        _ => Err(format!(
            "'{name}': unknown element type '{letter}' (supported: R, L, C, K, V, I, S, D, A, E, F, G, H)"
        )),
    }
}

fn resistor_thermal(
    name: &str,
    params: &[(String, &str)],
) -> Result<Option<ResistorThermal>, String> {
    if params.is_empty() {
        return Ok(None);
    }
    let get = |key: &str, default: f64, unit: &str| -> Result<f64, String> {
        param(params, key).map_or(Ok(default), |v| {
            number(v, &format!("{name} {key} [{unit}]"))
        })
    };
    let tc1 = get("tc1", 0.0, "1/K")?;
    let tc2 = get("tc2", 0.0, "1/K²")?;
    let tnom = get("tnom", 27.0, "°C")?;
    let temperature = get("temp", tnom, "°C")?;
    let self_heating = match (param(params, "rth"), param(params, "cth")) {
        (None, None) => None,
        (Some(rth), Some(cth)) => Some(SelfHeating {
            rth: positive(rth, &format!("{name} rth [K/W]"))?,
            cth: positive(cth, &format!("{name} cth [J/K]"))?,
            tamb: get("tamb", temperature, "°C")?,
        }),
        _ => {
            return Err(format!(
                "{name}: a self-heating resistor needs both rth and cth"
            ));
        }
    };
    Ok(Some(ResistorThermal {
        tc1,
        tc2,
        tnom,
        temperature,
        self_heating,
    }))
}

fn check_unique_names(netlist: &Netlist) -> Result<(), NetlistError> {
    let mut names: Vec<(String, usize)> = netlist
        .elements
        .iter()
        .map(|e| (e.name.to_ascii_lowercase(), e.line))
        .collect();
    names.sort();
    for pair in names.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(NetlistError {
                line: pair[1].1.max(pair[0].1),
                message: format!("element name '{}' is used twice", pair[0].0),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlist::Waveform;

    const BOOST: &str = "\
Boost converter test
* a comment line
V1 in 0 DC 48
L1 in sw 100u ic=1.5
S1 sw 0 g 0 SMOD
D1 sw out DMOD
C1 out 0 47u ic=96 ; output capacitor
R1 out 0 20
VG g 0 PULSE(0 1 0 1n 1n 5u
+ 10u)
.model SMOD SW(Ron=10m Roff=1Meg Vt=0.5)
.model DMOD SIDIODE(Ron=20m Roff=1Meg Vfwd=0.7)
.tran 10n 2m 0 10n
.ic V(out)=96
.end
";

    #[test]
    fn parses_boost_netlist() {
        let n = parse_netlist(BOOST).unwrap();
        assert_eq!(n.title, "Boost converter test");
        assert_eq!(n.elements.len(), 7);
        assert_eq!(n.models.len(), 2);
        let vg = n.element("vg").unwrap();
        assert_eq!(vg.line, 9);
        match &vg.kind {
            ElementKind::VoltageSource {
                waveform: Waveform::Pulse(p),
                ..
            } => {
                assert_eq!(p.period, Some(10e-6));
                assert_eq!(p.width, Some(5e-6));
            }
            other => panic!("unexpected {other:?}"),
        }
        match &n.element("L1").unwrap().kind {
            ElementKind::Inductor {
                inductance,
                initial_current,
                ..
            } => {
                assert!((inductance - 100e-6).abs() < 1e-18);
                assert_eq!(*initial_current, Some(1.5));
            }
            other => panic!("unexpected {other:?}"),
        }
        let tran = n.tran.unwrap();
        assert_eq!(tran.stop, 2e-3);
        assert_eq!(n.initial_conditions, vec![("out".to_string(), 96.0)]);
    }

    fn error_of(text: &str) -> NetlistError {
        parse_netlist(text).unwrap_err()
    }

    #[test]
    fn rejects_negative_resistance_with_line() {
        let err = error_of("t\nR1 a 0 -5\n");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("R1 resistance"), "{err}");
        assert!(err.message.contains("-5"), "{err}");
    }

    #[test]
    fn rejects_zero_inductance_and_capacitance() {
        assert!(error_of("t\nL1 a 0 0\n").message.contains("greater than 0"));
        assert!(
            error_of("t\nC1 a 0 0u\n")
                .message
                .contains("C1 capacitance")
        );
    }

    #[test]
    fn rejects_unknown_parameter_and_element() {
        let err = error_of("t\nC1 a 0 1u foo=3\n");
        assert!(err.message.contains("unknown parameter 'foo'"), "{err}");
        let err = error_of("t\nM1 d g s s NMOS\n");
        assert!(err.message.contains("switch S"), "{err}");
        let err = error_of("t\nW1 a b\n");
        assert!(err.message.contains("unknown element type"), "{err}");
    }

    #[test]
    fn rejects_duplicate_names() {
        let err = error_of("t\nR1 a 0 1\nr1 b 0 2\n");
        assert_eq!(err.line, 3);
    }

    #[test]
    fn rejects_shockley_diode_model() {
        let err = error_of("t\n.model DX D(Is=1e-14)\n");
        assert!(err.message.contains("SIDIODE"), "{err}");
    }

    #[test]
    fn rejects_bad_coupling() {
        let err = error_of("t\nK1 L1 L2 1\n");
        assert!(err.message.contains("ideal transformer"), "{err}");
    }

    #[test]
    fn rejects_decreasing_pwl() {
        let err = error_of("t\nV1 a 0 PWL(0 0 1m 1 0.5m 2)\n");
        assert!(err.message.contains("must increase"), "{err}");
    }

    #[test]
    fn skips_control_block_and_options() {
        let n =
            parse_netlist("t\nR1 a 0 1\n.options reltol=1e-4\n.control\nrun\nquit\n.endc\n.end\n")
                .unwrap();
        assert_eq!(n.elements.len(), 1);
        assert_eq!(n.ignored.len(), 1);
    }

    #[test]
    fn rejects_oversized_file() {
        let text = "x".repeat(MAX_NETLIST_BYTES + 1);
        assert_eq!(error_of(&text).line, 0);
    }
}
