//! Loss breakdowns returned by the calculators.

use crate::curve::{ClampCount, Lookup};
use serde::{Deserialize, Serialize};

/// Mean losses of one switch position over the evaluated window [W], with the
/// event counts behind the switching terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceLoss {
    /// Position name (e.g. `S1`) as given by the caller.
    pub position: String,
    /// Part name of the model.
    pub part: String,
    /// Conduction with forward current (channel of a MOSFET, IGBT) [W].
    pub conduction_forward_w: f64,
    /// Conduction with reverse current (body diode, third quadrant, antiparallel
    /// diode, or the channel under synchronous rectification) [W].
    pub conduction_reverse_w: f64,
    /// Hard turn-on losses Σ Eon / window [W].
    pub turn_on_w: f64,
    /// Hard turn-off losses Σ Eoff / window [W].
    pub turn_off_w: f64,
    /// Reverse-recovery losses of the reverse path Σ Err / window [W].
    pub recovery_w: f64,
    /// Output-capacitance losses of turn-ons at (near) zero current Σ Eoss / window
    /// [W]. Datasheet Eon already contains them for turn-ons under load.
    pub coss_w: f64,
    /// Sum of the terms above [W].
    pub total_w: f64,
    /// Counts of the transitions that produced the switching terms.
    pub events: EventCounts,
    /// Curve lookups, and how many fell outside the tabulated ranges.
    pub lookups: ClampCount,
    /// Missing curves and other caveats; the affected terms count as zero.
    pub gaps: Vec<String>,
}

impl DeviceLoss {
    /// A zeroed breakdown for `position` using part `part`.
    pub fn new(position: &str, part: &str) -> Self {
        Self {
            position: position.to_string(),
            part: part.to_string(),
            ..Self::default()
        }
    }

    /// Recomputes [`DeviceLoss::total_w`] from the terms.
    pub fn update_total(&mut self) {
        self.total_w = self.conduction_forward_w
            + self.conduction_reverse_w
            + self.turn_on_w
            + self.turn_off_w
            + self.recovery_w
            + self.coss_w;
    }

    /// Adds `value` of a lookup to the count, or records `gap` once when the model
    /// lacks the curve. Returns the value, 0 for a gap.
    pub(crate) fn take(&mut self, lookup: Option<Lookup>, gap: &str) -> f64 {
        match lookup {
            Some(lookup) => {
                self.lookups.add(&lookup);
                lookup.value
            }
            None => {
                self.add_gap(gap);
                0.0
            }
        }
    }

    /// Records a caveat once.
    pub(crate) fn add_gap(&mut self, gap: &str) {
        if !self.gaps.iter().any(|g| g == gap) {
            self.gaps.push(gap.to_string());
        }
    }

    /// Appends this breakdown's caveats to `warnings`: each missing curve, and how
    /// many lookups fell outside the datasheet range.
    pub fn push_warnings(&self, warnings: &mut Vec<String>) {
        for gap in &self.gaps {
            warnings.push(format!("{} ({}): {gap}", self.position, self.part));
        }
        let counts = &self.lookups;
        if counts.clamped > 0 {
            warnings.push(format!(
                "{} ({}): {} of {} curve lookups used the nearest tabulated value: {} with the current, voltage or gate resistance outside the table, {} with Tj outside the tabulated temperatures",
                self.position,
                self.part,
                counts.clamped,
                counts.lookups,
                counts.argument_clamped,
                counts.parameter_clamped
            ));
        }
    }

    /// Zeroes the terms, event counts and lookup counts, keeping names and gaps.
    pub(crate) fn clear_terms(&mut self) {
        self.conduction_forward_w = 0.0;
        self.conduction_reverse_w = 0.0;
        self.turn_on_w = 0.0;
        self.turn_off_w = 0.0;
        self.recovery_w = 0.0;
        self.coss_w = 0.0;
        self.total_w = 0.0;
        self.events = EventCounts::default();
        self.lookups = ClampCount::default();
    }

    /// Adds the energy terms, event counts, lookups and gaps of `other`.
    pub(crate) fn add_energies(&mut self, other: &DeviceLoss) {
        self.conduction_forward_w += other.conduction_forward_w;
        self.conduction_reverse_w += other.conduction_reverse_w;
        self.turn_on_w += other.turn_on_w;
        self.turn_off_w += other.turn_off_w;
        self.recovery_w += other.recovery_w;
        self.coss_w += other.coss_w;
        self.events.hard_turn_on += other.events.hard_turn_on;
        self.events.hard_turn_off += other.events.hard_turn_off;
        self.events.soft += other.events.soft;
        self.events.capacitive_turn_on += other.events.capacitive_turn_on;
        self.events.recovery += other.events.recovery;
        self.lookups.merge(&other.lookups);
        for gap in &other.gaps {
            self.add_gap(gap);
        }
        self.update_total();
    }

    /// Multiplies every power term by `factor` (energy sums to mean powers).
    pub(crate) fn scale(&mut self, factor: f64) {
        self.conduction_forward_w *= factor;
        self.conduction_reverse_w *= factor;
        self.turn_on_w *= factor;
        self.turn_off_w *= factor;
        self.recovery_w *= factor;
        self.coss_w *= factor;
        self.update_total();
    }
}

/// How many transitions of each kind a calculation found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCounts {
    /// Turn-ons with current and voltage: Eon counted.
    pub hard_turn_on: u64,
    /// Turn-offs with current and voltage: Eoff counted.
    pub hard_turn_off: u64,
    /// Gate transitions without voltage or without current (ZVS, ZCS, transfer
    /// between channel and body diode): no switching energy.
    pub soft: u64,
    /// Turn-ons at (near) zero current against a voltage: Eoss counted.
    pub capacitive_turn_on: u64,
    /// Reverse conduction ending against a voltage: Err counted.
    pub recovery: u64,
}
