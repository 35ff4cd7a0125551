//! Electro-thermal loss calculation: the junction temperatures follow the losses as
//! the thermal network advances, and every loss lookup uses the temperature of its
//! moment.
//!
//! The run is cut into intervals of length `Δ` (one switching period is the natural
//! choice). Over interval `k` each position's conduction and switching energies `E_k`
//! are computed at the junction temperature `Tj` reached at the start of the interval,
//! so `Rds_on(Tj)`, `Vce(Ic, Tj)`, `Eon(Tj)`, `Eoff(Tj)` and `Err(Tj)` all follow the
//! thermal state. The thermal network then advances by `Δ` with the constant power
//! `E_k / Δ` (zero-order hold). The explicit one-interval lag is harmless when `Δ` is
//! far below the smallest thermal time constant, which for datasheet Foster networks
//! (τ ≥ about 100 µs) holds for switching frequencies above a few kHz.

use crate::loss::device::SwitchModel;
use crate::loss::result::DeviceLoss;
use crate::loss::waveform::{SwitchTrace, Thresholds, TraceCursor, TraceError, check_window};

/// A thermal network driven by one power input per position.
pub trait JunctionThermal {
    /// Junction temperatures, one per position [°C].
    fn junction_c(&self) -> &[f64];

    /// Advances by `dt_s` with constant power `power_w` per position [W].
    fn advance(&mut self, dt_s: f64, power_w: &[f64]);
}

/// One position of a coupled calculation.
pub struct CoupledPosition<'a> {
    /// Position name.
    pub name: &'a str,
    /// Part model.
    pub model: &'a dyn SwitchModel,
    /// Its signals.
    pub trace: SwitchTrace<'a>,
}

/// The outcome of a coupled calculation.
#[derive(Debug, Clone, PartialEq)]
pub struct CoupledLosses {
    /// Mean losses per position over the reporting window.
    pub losses: Vec<DeviceLoss>,
    /// End time of each interval [s].
    pub time_s: Vec<f64>,
    /// Junction temperature per position at the end of each interval [°C].
    pub tj_c: Vec<Vec<f64>>,
}

/// Runs the coupled calculation from the traces' common start to their end, in
/// intervals of `interval_s`, and reports mean losses over `window`
/// (default: the whole run).
///
/// # Errors
/// [`TraceError`] for an invalid trace or window, or an interval that is not positive
/// and finite (reported as a window error).
pub fn coupled_losses(
    positions: &[CoupledPosition<'_>],
    thermal: &mut dyn JunctionThermal,
    interval_s: f64,
    window: Option<(f64, f64)>,
) -> Result<CoupledLosses, TraceError> {
    let Some(first) = positions.first() else {
        return Ok(CoupledLosses {
            losses: Vec::new(),
            time_s: Vec::new(),
            tj_c: Vec::new(),
        });
    };
    for position in positions {
        position.trace.validate(position.name)?;
    }
    let (start, end) = first.trace.span();
    let (from, to) = check_window(first.name, &first.trace, window)?;
    if !(interval_s.is_finite() && interval_s > 0.0) {
        return Err(TraceError::BadWindow {
            position: first.name.into(),
            from: start,
            to: start + interval_s,
            first: start,
            last: end,
        });
    }

    let mut cursors: Vec<TraceCursor<'_>> = positions
        .iter()
        .map(|p| {
            let mut cursor = TraceCursor::new(&p.trace, Thresholds::relative_to(&p.trace));
            cursor.seek(start);
            cursor
        })
        .collect();
    let mut totals: Vec<DeviceLoss> = positions
        .iter()
        .map(|p| DeviceLoss::new(p.name, p.model.name()))
        .collect();
    let mut scratch: Vec<DeviceLoss> = positions
        .iter()
        .map(|p| DeviceLoss::new(p.name, p.model.name()))
        .collect();
    let mut power = vec![0.0; positions.len()];
    let mut tj: Vec<f64> = thermal.junction_c().to_vec();
    let intervals = ((end - start) / interval_s).ceil().max(1.0) as usize;
    let mut time_s = Vec::with_capacity(intervals);
    let mut tj_c: Vec<Vec<f64>> = vec![Vec::with_capacity(intervals); positions.len()];

    for k in 0..intervals {
        let a = start + k as f64 * interval_s;
        let b = if k + 1 == intervals {
            end
        } else {
            start + (k + 1) as f64 * interval_s
        };
        for (index, position) in positions.iter().enumerate() {
            let energy = &mut scratch[index];
            energy.clear_terms();
            let temperature = tj.get(index).copied().unwrap_or(f64::NAN);
            cursors[index].accumulate(position.model, a, b, temperature, energy);
            energy.update_total();
            power[index] = energy.total_w / (b - a);
            if a >= from && b <= to {
                totals[index].add_energies(energy);
            } else if b > from && a < to {
                // The interval straddles the window edge: count its inside part.
                let mut part = DeviceLoss::new(position.name, position.model.name());
                let mut cursor =
                    TraceCursor::new(&position.trace, Thresholds::relative_to(&position.trace));
                cursor.seek(a.max(from));
                cursor.accumulate(
                    position.model,
                    a.max(from),
                    b.min(to),
                    temperature,
                    &mut part,
                );
                totals[index].add_energies(&part);
            }
        }
        thermal.advance(b - a, &power);
        tj.clear();
        tj.extend_from_slice(thermal.junction_c());
        time_s.push(b);
        for (series, &value) in tj_c.iter_mut().zip(&tj) {
            series.push(value);
        }
    }
    for total in &mut totals {
        total.scale(1.0 / (to - from));
    }
    Ok(CoupledLosses {
        losses: totals,
        time_s,
        tj_c,
    })
}

impl JunctionThermal for crate::thermal::ThermalState {
    fn junction_c(&self) -> &[f64] {
        crate::thermal::ThermalState::junction_c(self)
    }

    fn advance(&mut self, dt_s: f64, power_w: &[f64]) {
        crate::thermal::ThermalState::advance(self, dt_s, power_w);
    }
}
