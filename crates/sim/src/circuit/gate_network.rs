//! The gate network: voltage sources that only drive switch control terminals.

use std::collections::{HashMap, HashSet, VecDeque};

use super::GateDrive;
use super::build::{CircuitError, element_error, is_ground};
use crate::netlist::Waveform;

/// Resolves a switch's control voltage into a signed sum of gate-source waveforms by
/// following gate sources from the negative to the positive control node.
pub(crate) fn gate_drive(
    name: &str,
    line: usize,
    control_pos: &str,
    control_neg: &str,
    gate_sources: &[(&str, &str, &Waveform, &str, usize)],
    power_nodes: &HashSet<String>,
) -> Result<GateDrive, CircuitError> {
    if !is_ground(control_pos) && power_nodes.contains(&control_pos.to_ascii_lowercase()) {
        return Err(element_error(
            name,
            line,
            format!(
                "its control node '{control_pos}' is part of the power circuit; pelab drives \
                 switches only from gate sources (voltage sources that feed switch controls alone)"
            ),
        ));
    }
    let key = |n: &str| {
        if is_ground(n) {
            "0".to_string()
        } else {
            n.to_ascii_lowercase()
        }
    };
    let start = key(control_neg);
    let goal = key(control_pos);
    let mut previous: HashMap<String, (String, usize, f64)> = HashMap::new();
    let mut queue = VecDeque::from([start.clone()]);
    let mut seen: HashSet<String> = HashSet::from([start.clone()]);
    while let Some(node) = queue.pop_front() {
        if node == goal {
            break;
        }
        for (index, (n_pos, n_neg, _, _, _)) in gate_sources.iter().enumerate() {
            // Crossing a source from n- to n+ adds its value, the other way subtracts it.
            let (next, sign) = if key(n_neg) == node {
                (key(n_pos), 1.0)
            } else if key(n_pos) == node {
                (key(n_neg), -1.0)
            } else {
                continue;
            };
            if seen.insert(next.clone()) {
                previous.insert(next.clone(), (node.clone(), index, sign));
                queue.push_back(next);
            }
        }
    }
    if start != goal && !previous.contains_key(&goal) {
        return Err(element_error(
            name,
            line,
            format!(
                "no voltage source drives its control nodes '{control_pos}' and '{control_neg}'; \
                 connect a gate source (e.g. a PULSE voltage source) between them"
            ),
        ));
    }
    let mut terms = Vec::new();
    let mut node = goal;
    while let Some((prev, index, sign)) = previous.get(&node) {
        let (_, _, waveform, source_name, source_line) = gate_sources[*index];
        if matches!(waveform, Waveform::Sine(_)) {
            return Err(element_error(
                source_name,
                source_line,
                "gate sources must be DC, PULSE or PWL, so that switching instants are known exactly",
            ));
        }
        terms.push((*sign, waveform.clone()));
        node = prev.clone();
    }
    Ok(GateDrive {
        terms,
        vt: 0.0,
        vh: 0.0,
    })
}
