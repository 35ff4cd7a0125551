//! The embedded core-shape and wire-material tables.
//!
//! Both files live in `data/magnetics/` at the repository root (OpenMagnetics MAS data,
//! Apache-2.0; see the README there). They are compiled into the crate with
//! `include_str!` and parsed once, on first use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::MagneticsError;

const CORE_SHAPES_NDJSON: &str = include_str!("../../../../data/magnetics/core_shapes.ndjson");
const WIRE_MATERIALS_NDJSON: &str =
    include_str!("../../../../data/magnetics/wire_materials.ndjson");

/// One dimension of a core shape, in metres, as the catalogue gives it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Dimension {
    /// Lower tolerance limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    /// Upper tolerance limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Nominal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominal: Option<f64>,
}

impl Dimension {
    /// Value used for calculations: the nominal value, else the mid-point of minimum and
    /// maximum, else the one limit given.
    ///
    /// # Errors
    /// A message when no value is given, a value is not finite or negative, or the
    /// maximum lies below the minimum (with no nominal value to fall back on).
    pub fn value(&self) -> Result<f64, String> {
        let chosen = match (self.nominal, self.minimum, self.maximum) {
            (Some(nominal), _, _) => nominal,
            (None, Some(min), Some(max)) if max < min => {
                return Err(format!("maximum {max} m is below minimum {min} m"));
            }
            (None, Some(min), Some(max)) => 0.5 * (min + max),
            (None, Some(only), None) | (None, None, Some(only)) => only,
            (None, None, None) => return Err("has no value".to_owned()),
        };
        if chosen.is_finite() && chosen >= 0.0 {
            Ok(chosen)
        } else {
            Err(format!("value {chosen} m is not a finite length ≥ 0"))
        }
    }
}

/// A standard core shape from the embedded table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoreShape {
    /// Catalogue name, such as `ETD 34/17/11`.
    pub name: String,
    /// Family code: `e`, `etd`, `er`, `pq`, `rm`, `p`, `u`, `t` (toroid) and others.
    pub family: String,
    /// Variant within the family, where the standard defines several.
    #[serde(rename = "familySubtype", default)]
    pub family_subtype: Option<String>,
    /// `standard` for shapes from the IEC tables.
    #[serde(rename = "type")]
    pub shape_type: String,
    /// `open` for gapped pairs of halves, `closed` for toroids.
    #[serde(rename = "magneticCircuit")]
    pub magnetic_circuit: String,
    /// Other names of the same shape.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Dimensions by letter, in metres.
    pub dimensions: BTreeMap<String, Dimension>,
}

/// A conductor material with a linear resistivity–temperature law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireMaterial {
    /// Material name (`copper`, `aluminium`).
    pub name: String,
    /// Relative permeability.
    pub permeability: f64,
    /// Resistivity law.
    pub resistivity: Resistivity,
}

/// Resistivity `ρ(T) = ρ_ref (1 + α (T − T_ref))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resistivity {
    /// `ρ_ref` in Ω·m.
    #[serde(rename = "referenceValue")]
    pub reference_ohm_m: f64,
    /// `T_ref` in °C.
    #[serde(rename = "referenceTemperature")]
    pub reference_temperature_c: f64,
    /// `α` in 1/K.
    #[serde(rename = "temperatureCoefficient")]
    pub temperature_coefficient_per_k: f64,
}

impl WireMaterial {
    /// Resistivity in Ω·m at `temperature_c`.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for a temperature that is not finite, below
    /// absolute zero, or where the linear law gives a resistivity ≤ 0.
    pub fn resistivity_ohm_m(&self, temperature_c: f64) -> Result<f64, MagneticsError> {
        let t = super::check(
            "temperature_c",
            temperature_c,
            |t| t > -273.15,
            "a finite temperature above -273.15 °C",
        )?;
        let r = self.resistivity;
        let rho = r.reference_ohm_m
            * (1.0 + r.temperature_coefficient_per_k * (t - r.reference_temperature_c));
        if rho > 0.0 {
            Ok(rho)
        } else {
            Err(MagneticsError::InvalidParameter {
                field: "temperature_c".to_owned(),
                value: temperature_c,
                expected: format!(
                    "a temperature where the linear law for {} stays positive",
                    self.name
                ),
            })
        }
    }
}

fn parse_lines<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<T>, MagneticsError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|e| MagneticsError::Data {
                file,
                line: index + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// Returns all core shapes of the embedded table, parsing it on first use.
///
/// # Errors
/// [`MagneticsError::Data`] if the embedded table does not parse (a build defect).
pub fn core_shapes() -> Result<&'static [CoreShape], MagneticsError> {
    static SHAPES: OnceLock<Result<Vec<CoreShape>, MagneticsError>> = OnceLock::new();
    SHAPES
        .get_or_init(|| parse_lines("core_shapes.ndjson", CORE_SHAPES_NDJSON))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// Returns all wire materials of the embedded table, parsing it on first use.
///
/// # Errors
/// [`MagneticsError::Data`] if the embedded table does not parse (a build defect).
pub fn wire_materials() -> Result<&'static [WireMaterial], MagneticsError> {
    static MATERIALS: OnceLock<Result<Vec<WireMaterial>, MagneticsError>> = OnceLock::new();
    MATERIALS
        .get_or_init(|| parse_lines("wire_materials.ndjson", WIRE_MATERIALS_NDJSON))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// Normalises a name for lookup: lower case, whitespace removed.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Finds a core shape by name or alias, ignoring case and whitespace
/// (`"etd34/17/11"` finds `ETD 34/17/11`). Exact names win over aliases.
///
/// # Errors
/// [`MagneticsError::UnknownShape`] when nothing matches.
pub fn find_core_shape(name: &str) -> Result<&'static CoreShape, MagneticsError> {
    let shapes = core_shapes()?;
    let key = normalise(name);
    shapes
        .iter()
        .find(|s| normalise(&s.name) == key)
        .or_else(|| {
            shapes
                .iter()
                .find(|s| s.aliases.iter().any(|a| normalise(a) == key))
        })
        .ok_or_else(|| MagneticsError::UnknownShape {
            name: name.to_owned(),
        })
}

/// Finds a wire material by name (`copper`, `aluminium`; `aluminum` is accepted too).
///
/// # Errors
/// [`MagneticsError::UnknownMaterial`] when nothing matches.
pub fn find_wire_material(name: &str) -> Result<&'static WireMaterial, MagneticsError> {
    let mut key = normalise(name);
    if key == "aluminum" {
        key = "aluminium".to_owned();
    }
    wire_materials()?
        .iter()
        .find(|m| normalise(&m.name) == key)
        .ok_or_else(|| MagneticsError::UnknownMaterial {
            name: name.to_owned(),
        })
}
