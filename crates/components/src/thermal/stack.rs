//! Thermal stacks: junction networks, interfaces and a shared heatsink.

use serde::{Deserialize, Serialize};

use super::cauer::Cauer;
use super::error::{ThermalError, non_negative, positive};
use super::foster::Foster;

/// Most heat sources one stack may have.
pub const MAX_SOURCES: usize = 64;

/// Most thermal capacitances (states) a whole stack may have after conversion.
pub const MAX_STATES: usize = 256;

/// A junction-to-case (or heatsink) network in either form.
#[derive(Debug, Clone, PartialEq)]
pub enum Network {
    /// Datasheet Foster form.
    Foster(Foster),
    /// Physical Cauer ladder.
    Cauer(Cauer),
}

impl Network {
    /// Steady-state thermal resistance, K/W.
    pub fn r_total_k_per_w(&self) -> f64 {
        match self {
            Self::Foster(f) => f.r_total_k_per_w(),
            Self::Cauer(c) => c.r_total_k_per_w(),
        }
    }

    /// Number of RC pairs or stages.
    pub fn len(&self) -> usize {
        match self {
            Self::Foster(f) => f.pairs(),
            Self::Cauer(c) => c.stages(),
        }
    }

    /// Always false: validated networks have at least one pair.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Transient thermal impedance at `t_s` seconds, K/W.
    pub fn zth(&self, t_s: f64) -> f64 {
        match self {
            Self::Foster(f) => f.zth(t_s),
            Self::Cauer(c) => c.zth(t_s),
        }
    }

    /// The name of the form, `foster` or `cauer`, as in field paths.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Foster(_) => "foster",
            Self::Cauer(_) => "cauer",
        }
    }
}

/// One heat source (a switch or diode die) and the path from its junction to the
/// heatsink.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatSource {
    /// Junction-to-case network, with the case as its far terminal.
    pub network: Network,
    /// Case-to-heatsink interface resistance (thermal grease, pad), K/W; 0 for none.
    /// The interface is taken as having no heat capacity.
    pub r_case_heatsink_k_per_w: f64,
}

/// The heatsink that every source feeds, from its surface node to ambient.
#[derive(Debug, Clone, PartialEq)]
pub enum Heatsink {
    /// A resistance to ambient without heat capacity (a steady-state `R_th,ha`), K/W.
    Resistive {
        /// Heatsink-to-ambient resistance, K/W.
        r_k_per_w: f64,
    },
    /// A heatsink with heat capacity: its own Foster network (from a heatsink
    /// datasheet `Zth,ha(t)`) or a Cauer ladder. A single lumped `R_th`, `C_th` is a
    /// one-stage Cauer ladder ([`Heatsink::lumped`]).
    Network(Network),
}

impl Heatsink {
    /// A lumped heatsink: resistance `r_k_per_w` (K/W) to ambient and capacitance
    /// `c_j_per_k` (J/K) at its surface node.
    ///
    /// # Errors
    /// [`ThermalError`] naming `r_k_per_w[0]` or `c_j_per_k[0]` when a value is not
    /// finite and positive.
    pub fn lumped(r_k_per_w: f64, c_j_per_k: f64) -> Result<Self, ThermalError> {
        Ok(Self::Network(Network::Cauer(Cauer::new(
            &[r_k_per_w],
            &[c_j_per_k],
        )?)))
    }

    fn has_capacity(&self) -> bool {
        matches!(self, Self::Network(_))
    }
}

/// How junction networks are joined to a heatsink that stores heat.
///
/// The two differ only when a heatsink with heat capacity follows the sources.
/// Without one (no heatsink, or a [`Heatsink::Resistive`] one) the case of every
/// source sees heat-capacity-free resistances to a fixed ambient, the series sum of
/// impedances is exact, and both build the same [`Realisation::FosterSeries`] model
/// with the given networks (Cauer ones converted to Foster, which is exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coupling {
    /// The physical stack: every network becomes a Cauer ladder and the ladders of all
    /// sources meet, through their interface resistances, at the heatsink's surface
    /// node. Heat reaches the heatsink delayed by the device capacities, and the
    /// sources heat one another through the heatsink as they should.
    #[default]
    Cauer,
    /// The datasheet practice: `Tj,k = T_a + Zjc,k ∗ P_k + R_cs,k P_k + Zha ∗ Σ P`, the
    /// Foster impedances simply added. It passes every pulse to the heatsink at once,
    /// which overstates the heatsink's early temperature rise (usually on the safe
    /// side for Tj) and misplaces the device's own heat capacity. Use it to reproduce
    /// datasheet-style calculations.
    FosterSeries,
}

/// The form a [`ThermalModel`](super::ThermalModel) was built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Realisation {
    /// Independent first-order terms (Foster pairs) summed per output. `exact` is
    /// false when this approximates a heatsink with heat capacity
    /// ([`Coupling::FosterSeries`]).
    FosterSeries {
        /// Whether the series sum is exact for this stack.
        exact: bool,
    },
    /// A physical RC network of Cauer ladders and a shared heatsink node.
    CauerNetwork,
}

/// Heat sources, their interfaces and an optional shared heatsink.
///
/// Without a heatsink every case is held at ambient. With one, every source feeds the
/// heatsink's surface node through its own interface resistance, which is what an
/// inverter module on a cold plate needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ThermalStack {
    /// Heat sources, 1 to [`MAX_SOURCES`].
    pub sources: Vec<HeatSource>,
    /// Shared heatsink, or `None` for cases held at ambient.
    pub heatsink: Option<Heatsink>,
    /// How networks are joined to a heatsink with heat capacity.
    pub coupling: Coupling,
}

impl ThermalStack {
    /// Checks counts and the interface and heatsink resistances (networks are
    /// validated when built).
    pub(crate) fn validate(&self) -> Result<(), ThermalError> {
        if self.sources.is_empty() || self.sources.len() > MAX_SOURCES {
            return Err(ThermalError::length(
                "sources",
                self.sources.len(),
                format!("1 to {MAX_SOURCES} heat sources"),
            ));
        }
        for (k, s) in self.sources.iter().enumerate() {
            non_negative(
                format!("sources[{k}].r_case_heatsink_k_per_w"),
                s.r_case_heatsink_k_per_w,
                "K/W",
            )?;
        }
        if let Some(Heatsink::Resistive { r_k_per_w }) = &self.heatsink {
            positive("heatsink.r_k_per_w", *r_k_per_w, "K/W")?;
        }
        Ok(())
    }

    /// The realisation this stack builds.
    pub fn realisation(&self) -> Realisation {
        match (&self.heatsink, self.coupling) {
            (Some(h), Coupling::Cauer) if h.has_capacity() => Realisation::CauerNetwork,
            (Some(h), Coupling::FosterSeries) if h.has_capacity() => {
                Realisation::FosterSeries { exact: false }
            }
            _ => Realisation::FosterSeries { exact: true },
        }
    }
}

/// A network converted from the form it was given in.
#[derive(Debug, Clone, PartialEq)]
pub struct Equivalent {
    /// Path of the given network, such as `sources[0].foster` or `heatsink.cauer`.
    pub field: String,
    /// The equivalent network actually used.
    pub network: Network,
    /// Largest relative mismatch of `Z(jω)` found by the conversion check.
    pub max_relative_error: f64,
}

/// Something about the model or the result worth telling the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThermalWarning {
    /// Path of the field the warning is about (empty for the whole request).
    pub field: String,
    /// What to know.
    pub message: String,
}
