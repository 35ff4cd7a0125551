//! Dot directives: `.model`, `.tran`, `.ic` and the ones pelab ignores or rejects.

use super::parse::{non_negative, number, param, positive, reject_unknown, split_fields};
use super::{DiodeModel, Model, ModelKind, Netlist, SwitchModel, Tran};

pub(super) fn parse_directive(
    netlist: &mut Netlist,
    line_no: usize,
    tokens: &[String],
) -> Result<(), String> {
    let directive = tokens[0].to_ascii_lowercase();
    match directive.as_str() {
        ".model" => {
            let model = parse_model(line_no, tokens)?;
            if netlist.model(&model.name).is_some() {
                return Err(format!("model '{}' is defined twice", model.name));
            }
            netlist.models.push(model);
        }
        ".tran" => {
            let fields = split_fields(tokens)?;
            let args: Vec<&str> = fields
                .positional
                .iter()
                .skip(1)
                .filter(|t| !t.eq_ignore_ascii_case("uic"))
                .copied()
                .collect();
            if args.len() < 2 || args.len() > 4 {
                return Err("usage is '.tran tstep tstop [tstart [tmax]]'".into());
            }
            let step = positive(args[0], ".tran tstep [s]")?;
            let stop = positive(args[1], ".tran tstop [s]")?;
            let start = args
                .get(2)
                .map(|t| non_negative(t, ".tran tstart [s]"))
                .transpose()?
                .unwrap_or(0.0);
            if start >= stop {
                return Err(format!(
                    ".tran tstart ({start}) must be less than tstop ({stop})"
                ));
            }
            let max_step = args
                .get(3)
                .map(|t| positive(t, ".tran tmax [s]"))
                .transpose()?;
            netlist.tran = Some(Tran {
                step,
                stop,
                start,
                max_step,
            });
        }
        ".ic" => {
            // Tokens: .ic v ( node ) = value ...
            let mut i = 1;
            while i < tokens.len() {
                let ok = tokens.len() >= i + 6
                    && tokens[i].eq_ignore_ascii_case("v")
                    && tokens[i + 1] == "("
                    && tokens[i + 3] == ")"
                    && tokens[i + 4] == "=";
                if !ok {
                    return Err("usage is '.ic V(node)=value ...'".into());
                }
                let node = tokens[i + 2].clone();
                let value = number(&tokens[i + 5], &format!(".ic V({node}) [V]"))?;
                netlist.initial_conditions.push((node, value));
                i += 6;
            }
        }
        ".save" => {
            // Tokens arrive split at parentheses: `v ( out )` is the signal `v(out)`.
            let mut i = 1;
            while i < tokens.len() {
                if tokens[i].eq_ignore_ascii_case("all") {
                    i += 1;
                    continue;
                }
                if tokens.get(i + 1).is_some_and(|t| t == "(")
                    && tokens.get(i + 3).is_some_and(|t| t == ")")
                {
                    netlist.saves.push(format!(
                        "{}({})",
                        tokens[i].to_ascii_lowercase(),
                        tokens[i + 2]
                    ));
                    i += 4;
                } else {
                    return Err(format!(
                        ".save: '{}' is not a signal such as v(out) or i(L1)",
                        tokens[i]
                    ));
                }
            }
        }
        ".options" | ".option" | ".opt" | ".print" | ".plot" | ".probe" | ".meas" | ".measure"
        | ".temp" | ".op" | ".width" => {
            netlist.ignored.push((line_no, tokens.join(" ")));
        }
        ".subckt" | ".include" | ".inc" | ".lib" | ".param" | ".func" => {
            return Err(format!(
                "{directive} is not supported: flatten the netlist and write values as numbers"
            ));
        }
        ".ac" | ".dc" | ".noise" | ".tf" | ".sens" | ".pz" | ".disto" => {
            return Err(format!(
                "{directive}: only transient analysis (.tran) is supported"
            ));
        }
        _ => return Err(format!("unknown directive '{}'", tokens[0])),
    }
    Ok(())
}

fn parse_model(line: usize, tokens: &[String]) -> Result<Model, String> {
    let fields = split_fields(tokens)?;
    if fields.positional.len() < 3 {
        return Err("usage is '.model name TYPE(param=value ...)'".into());
    }
    let name = fields.positional[1].to_string();
    let model_type = fields.positional[2].to_ascii_lowercase();
    let extra: Vec<&&str> = fields.positional[3..]
        .iter()
        .filter(|t| **t != "(" && **t != ")")
        .collect();
    if let Some(stray) = extra.first() {
        return Err(format!(
            "model {name}: unexpected '{stray}', parameters are written as name=value"
        ));
    }
    let params = &fields.params;
    let value = |key: &str| -> Result<Option<f64>, String> {
        param(params, key)
            .map(|v| number(v, &format!("model {name} {key}")))
            .transpose()
    };

    let kind = match model_type.as_str() {
        "sw" => {
            reject_unknown(
                &format!("model {name}"),
                params,
                &["ron", "roff", "vt", "vh"],
            )?;
            // Defaults follow the ngspice manual for the SW model.
            let ron = value("ron")?.unwrap_or(1.0);
            let roff = value("roff")?.unwrap_or(1e12);
            let vt = value("vt")?.unwrap_or(0.0);
            let vh = value("vh")?.unwrap_or(0.0);
            check_resistances(&name, ron, roff)?;
            if vh < 0.0 {
                return Err(format!("model {name}: Vh must be at least 0 V, got {vh}"));
            }
            ModelKind::Switch(SwitchModel { ron, roff, vt, vh })
        }
        "sidiode" => {
            reject_unknown(
                &format!("model {name}"),
                params,
                &[
                    "ron",
                    "roff",
                    "vfwd",
                    "vrev",
                    "rrev",
                    "ilimit",
                    "revilimit",
                    "epsilon",
                    "revepsilon",
                ],
            )?;
            let (Some(ron), Some(roff), Some(vfwd)) =
                (value("ron")?, value("roff")?, value("vfwd")?)
            else {
                return Err(format!(
                    "model {name}: a SIDIODE model needs Ron, Roff and Vfwd (pelab does not assume defaults for them)"
                ));
            };
            check_resistances(&name, ron, roff)?;
            if vfwd < 0.0 {
                return Err(format!(
                    "model {name}: Vfwd must be at least 0 V, got {vfwd}"
                ));
            }
            ModelKind::Diode(DiodeModel { ron, roff, vfwd })
        }
        "d" => {
            return Err(format!(
                "model {name}: the exponential diode model D is not piecewise linear; \
                 use '.model {name} SIDIODE(Ron=… Roff=… Vfwd=…)' (ngspice reads it on an A element)"
            ));
        }
        other => {
            return Err(format!(
                "model {name}: model type '{other}' is not supported (supported: SW, SIDIODE)"
            ));
        }
    };
    Ok(Model { name, line, kind })
}

fn check_resistances(name: &str, ron: f64, roff: f64) -> Result<(), String> {
    if !(ron > 0.0) {
        return Err(format!(
            "model {name}: Ron must be greater than 0 Ω, got {ron}"
        ));
    }
    if !(roff > ron) {
        return Err(format!(
            "model {name}: Roff must be greater than Ron ({ron} Ω), got {roff}"
        ));
    }
    Ok(())
}
