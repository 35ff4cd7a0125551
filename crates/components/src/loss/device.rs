//! The interface between part models and loss calculators.
//!
//! A loss calculator needs only a few numbers from a switch: the voltage across it
//! while it conducts, the energy of each switching transition and the energy of
//! reverse recovery. [`SwitchModel`] requires exactly those, so the calculators work
//! with datasheet models, with hand-written models in tests and with models a user
//! fits to their own measurements.
//!
//! Sign conventions for every method:
//! - currents are magnitudes in A (`i ≥ 0`), in the direction the method names;
//! - voltages are in V and energies in J;
//! - `tj` is the junction temperature in °C.
//!
//! Every value comes as a [`Lookup`], so a calculator can count how often it left the
//! tabulated range and report that with its result. A method returns `None` when the
//! part's data lack the curve: the calculator then reports the gap instead of
//! inventing a number.

use crate::curve::Lookup;

/// Switching transition kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// The switch starts to conduct (Eon).
    TurnOn,
    /// The switch stops conducting (Eoff).
    TurnOff,
}

/// Datasheet limits of a part, where known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SwitchRatings {
    /// Maximum blocking voltage (Vds or Vce) [V].
    pub v_max_v: Option<f64>,
    /// Maximum pulsed current [A].
    pub i_pulsed_max_a: Option<f64>,
    /// Maximum junction temperature [°C].
    pub tj_max_c: Option<f64>,
}

impl SwitchRatings {
    /// Appends a warning to `warnings` for every limit that `v` [V], `i` [A] or
    /// `tj` [°C] exceeds; `label` names the position and part.
    pub fn check(&self, label: &str, v: f64, i: f64, tj: f64, warnings: &mut Vec<String>) {
        if let Some(limit) = self.v_max_v.filter(|limit| v > *limit) {
            warnings.push(format!(
                "{label}: blocks up to {v:.1} V, above its rating V_max = {limit} V"
            ));
        }
        if let Some(limit) = self.i_pulsed_max_a.filter(|limit| i > *limit) {
            warnings.push(format!(
                "{label}: carries up to {i:.1} A, above its pulsed current rating {limit} A"
            ));
        }
        if let Some(limit) = self.tj_max_c.filter(|limit| tj > *limit) {
            warnings.push(format!(
                "{label}: Tj reaches {tj:.1} °C, above Tj_max = {limit} °C"
            ));
        }
    }
}

/// Loss-relevant data of one switch position: a transistor with
/// its reverse-conduction path (body diode, GaN third quadrant or an antiparallel
/// diode), or a diode alone.
pub trait SwitchModel {
    /// Part number or name, for reports.
    fn name(&self) -> &str;

    /// Forward on-state voltage at current `i` (A, drain to source or collector to
    /// emitter) and junction temperature `tj` (°C) with the gate on. For a MOSFET
    /// this is `i · Rds_on(Tj, i)`; for an IGBT `Vce(Ic, Tj)`; for a diode `Vf(If, Tj)`.
    /// `None` when the part cannot conduct forward with a gate (a diode).
    fn forward_voltage(&self, i: f64, tj: f64) -> Option<Lookup>;

    /// Voltage across the part when current `i` (A) flows in reverse, source to drain
    /// (or through the antiparallel or body diode), at `tj` (°C).
    ///
    /// `gate_on` selects synchronous rectification: a MOSFET or GaN HEMT conducts in
    /// reverse through its channel when its gate is on, and through the body diode
    /// (or GaN third-quadrant mode, offset by the negative gate bias) in deadtime.
    /// An IGBT conducts in reverse only through its diode, whatever the gate.
    /// `None` when the data have no reverse path.
    fn reverse_voltage(&self, i: f64, tj: f64, gate_on: bool) -> Option<Lookup>;

    /// Energy (J) of one hard-switched transition carrying current `i` (A) against
    /// blocking voltage `v` (V) at `tj` (°C), scaled to the gate resistance the model
    /// was built for. `None` when the data lack that curve.
    fn switching_energy(&self, edge: Edge, i: f64, v: f64, tj: f64) -> Option<Lookup>;

    /// Reverse-recovery energy (J) dissipated in this part's reverse path when it
    /// stops conducting current `i` (A) and then blocks `v` (V), at `tj` (°C).
    /// `Some(0)` for parts without recovery charge (GaN, Schottky).
    /// `None` when the data lack that curve.
    fn recovery_energy(&self, i: f64, v: f64, tj: f64) -> Option<Lookup>;

    /// Energy (J) stored in the output capacitance at `v` (V), dissipated in the
    /// channel at a hard turn-on when the datasheet Eon excludes it. `None` without a
    /// Coss curve.
    fn coss_energy(&self, v: f64) -> Option<f64>;

    /// Junction-to-case Foster network as `(R_i [K/W], τ_i [s])` pairs, for the chip
    /// that dissipates this position's forward losses. `None` when the data lack it.
    fn thermal_foster(&self) -> Option<Vec<(f64, f64)>> {
        None
    }

    /// Voltage, current and temperature limits from the datasheet.
    fn ratings(&self) -> SwitchRatings {
        SwitchRatings::default()
    }

    /// Total junction-to-case thermal resistance [K/W], for parts whose data give
    /// only that number. `None` when unknown.
    fn thermal_resistance_jc(&self) -> Option<f64> {
        self.thermal_foster()
            .map(|pairs| pairs.iter().map(|(r, _)| r).sum())
    }
}
