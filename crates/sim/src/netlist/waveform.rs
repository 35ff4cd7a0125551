//! Source waveforms of V and I elements: DC, PULSE, SIN and PWL.

use super::number::parse_spice_number;
use super::parse::number;
use super::{Pulse, Sine, Waveform};

/// Parses the source specification after the two nodes.
pub(super) fn parse_waveform(name: &str, tokens: &[&str]) -> Result<Waveform, String> {
    let mut dc: Option<f64> = None;
    let mut transient: Option<Waveform> = None;
    let mut i = 0;
    while i < tokens.len() {
        let word = tokens[i].to_ascii_lowercase();
        match word.as_str() {
            "dc" => {
                let value = tokens
                    .get(i + 1)
                    .ok_or_else(|| format!("{name}: DC needs a value"))?;
                dc = Some(number(value, &format!("{name} DC value"))?);
                i += 2;
            }
            "ac" => {
                // Small-signal magnitude and phase: irrelevant to a transient run.
                i += 1;
                while i < tokens.len() && parse_spice_number(tokens[i]).is_some() {
                    i += 1;
                }
            }
            "pulse" | "sin" | "pwl" => {
                let (args, next) = collect_args(tokens, i + 1);
                let values = args
                    .iter()
                    .enumerate()
                    .map(|(k, a)| {
                        number(
                            a,
                            &format!("{name} {} argument {}", word.to_uppercase(), k + 1),
                        )
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                transient = Some(match word.as_str() {
                    "pulse" => pulse(name, &values)?,
                    "sin" => sine(name, &values)?,
                    _ => pwl(name, &values)?,
                });
                i = next;
            }
            "exp" | "sffm" | "am" | "trnoise" | "trrandom" => {
                return Err(format!(
                    "{name}: the {} source function is not supported (use DC, PULSE, SIN or PWL)",
                    word.to_uppercase()
                ));
            }
            _ => {
                let value = number(tokens[i], &format!("{name} value"))?;
                if dc.is_some() {
                    return Err(format!("{name}: two DC values given"));
                }
                dc = Some(value);
                i += 1;
            }
        }
    }
    match (transient, dc) {
        (Some(w), _) => Ok(w),
        (None, Some(v)) => Ok(Waveform::Dc(v)),
        (None, None) => Err(format!("{name}: missing source value")),
    }
}

/// Arguments of `FUNC(a b c)` or `FUNC a b c`, and the index after them.
fn collect_args<'a>(tokens: &[&'a str], start: usize) -> (Vec<&'a str>, usize) {
    let mut args = Vec::new();
    let mut i = start;
    if tokens.get(i) == Some(&"(") {
        i += 1;
        while i < tokens.len() && tokens[i] != ")" {
            args.push(tokens[i]);
            i += 1;
        }
        (args, (i + 1).min(tokens.len()))
    } else {
        while i < tokens.len() && parse_spice_number(tokens[i]).is_some() {
            args.push(tokens[i]);
            i += 1;
        }
        (args, i)
    }
}

fn pulse(name: &str, v: &[f64]) -> Result<Waveform, String> {
    if v.len() < 2 || v.len() > 7 {
        return Err(format!(
            "{name}: PULSE takes 2 to 7 arguments (v1 v2 td tr tf pw per), got {}",
            v.len()
        ));
    }
    let at = |i: usize| v.get(i).copied();
    let check = |value: Option<f64>, field: &str, strictly: bool| -> Result<Option<f64>, String> {
        match value {
            Some(x) if strictly && !(x > 0.0) => Err(format!(
                "{name}: PULSE {field} must be greater than 0 s, got {x}"
            )),
            Some(x) if !(x >= 0.0) => Err(format!(
                "{name}: PULSE {field} must be at least 0 s, got {x}"
            )),
            other => Ok(other),
        }
    };
    Ok(Waveform::Pulse(Pulse {
        v1: v[0],
        v2: v[1],
        delay: check(at(2), "td", false)?.unwrap_or(0.0),
        rise: check(at(3), "tr", false)?,
        fall: check(at(4), "tf", false)?,
        width: check(at(5), "pw", false)?,
        period: check(at(6), "per", true)?,
    }))
}

fn sine(name: &str, v: &[f64]) -> Result<Waveform, String> {
    if v.len() < 3 || v.len() > 6 {
        return Err(format!(
            "{name}: SIN takes 3 to 6 arguments (vo va freq td theta phase), got {}",
            v.len()
        ));
    }
    if !(v[2] > 0.0) {
        return Err(format!(
            "{name}: SIN frequency must be greater than 0 Hz, got {}",
            v[2]
        ));
    }
    Ok(Waveform::Sine(Sine {
        offset: v[0],
        amplitude: v[1],
        frequency: v[2],
        delay: v.get(3).copied().unwrap_or(0.0),
        damping: v.get(4).copied().unwrap_or(0.0),
        phase_deg: v.get(5).copied().unwrap_or(0.0),
    }))
}

fn pwl(name: &str, v: &[f64]) -> Result<Waveform, String> {
    if v.len() < 2 || !v.len().is_multiple_of(2) {
        return Err(format!(
            "{name}: PWL takes time-value pairs, got {} numbers",
            v.len()
        ));
    }
    let points: Vec<(f64, f64)> = v.chunks_exact(2).map(|c| (c[0], c[1])).collect();
    for (k, pair) in points.windows(2).enumerate() {
        if !(pair[1].0 > pair[0].0) {
            return Err(format!(
                "{name}: PWL times must increase, but point {} has t = {} after t = {}",
                k + 2,
                pair[1].0,
                pair[0].0
            ));
        }
    }
    if points[0].0 < 0.0 {
        return Err(format!(
            "{name}: PWL times must be at least 0 s, got {}",
            points[0].0
        ));
    }
    Ok(Waveform::Pwl(points))
}
