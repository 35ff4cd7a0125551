//! Serde request and result types for inductor losses, for `pelab calc losses`.

use serde::{Deserialize, Serialize};

use super::MagneticsError;
use super::core_loss::SteinmetzParams;
use super::data::{find_core_shape, find_wire_material};
use super::inductor::{DEFAULT_DCR_REFERENCE_C, Inductor, InductorCore, SaturationCurveSpec};
use super::shapes::EffectiveParameters;
use super::winding::{Conductor, Winding};
use crate::curve::Curve;
use crate::diagnostics::Finding;

fn default_dcr_reference_c() -> f64 {
    DEFAULT_DCR_REFERENCE_C
}

fn default_material() -> String {
    "copper".to_owned()
}

/// Inductor loss request. Unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InductorLossRequest {
    /// Inductance in H (used when no saturation curve is given).
    pub inductance_h: f64,
    /// DC resistance in Ω at `dcr_reference_c`.
    pub dcr_ohm: f64,
    /// Temperature of the DCR value in °C (default 20).
    #[serde(default = "default_dcr_reference_c")]
    pub dcr_reference_c: f64,
    /// Winding temperature for this calculation in °C.
    pub winding_temperature_c: f64,
    /// Wire material name, `copper` (default) or `aluminium`.
    #[serde(default = "default_material")]
    pub wire_material: String,
    /// Fundamental frequency in Hz.
    pub frequency_hz: f64,
    /// Current samples in A, equally spaced over one period, first not repeated.
    pub current_a: Vec<f64>,
    /// Inductance against current magnitude (incremental unless `kind` is `secant`).
    #[serde(default)]
    pub saturation: Option<SaturationCurveSpec>,
    /// Winding layout for Dowell's AC resistance factor.
    #[serde(default)]
    pub winding: Option<WindingSpec>,
    /// Core for the iGSE core loss.
    #[serde(default)]
    pub core: Option<CoreSpec>,
}

/// Winding layout in a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindingSpec {
    /// Conductor of each turn.
    pub conductor: Conductor,
    /// Number of turns.
    pub turns: u32,
    /// Number of layers.
    pub layers: u32,
    /// Mean length of one turn in m.
    pub mean_turn_length_m: f64,
}

/// Core in a request: a shape name from the table or data-sheet effective values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreSpec {
    /// Shape name or alias from the shape table; exclusive with `effective`.
    #[serde(default)]
    pub shape: Option<String>,
    /// Data-sheet `Ae`, `le`, `Ve`; exclusive with `shape`.
    #[serde(default)]
    pub effective: Option<EffectiveSpec>,
    /// Number of turns.
    pub turns: u32,
    /// Core material coefficients.
    pub steinmetz: SteinmetzParams,
}

/// Data-sheet effective parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectiveSpec {
    /// Effective area in m².
    pub ae_m2: f64,
    /// Effective length in m.
    pub le_m: f64,
    /// Effective volume in m³.
    pub ve_m3: f64,
}

/// Inductor loss result, in W.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InductorLossResult {
    /// DC copper loss.
    pub copper_dc_w: f64,
    /// AC copper loss over the harmonics.
    pub copper_ac_w: f64,
    /// Core loss, when a core was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_w: Option<f64>,
    /// Sum of the above.
    pub total_w: f64,
    /// Peak flux density in T, when a core was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_peak_t: Option<f64>,
    /// Rms current in A.
    pub current_rms_a: f64,
    /// Effective parameters used for the core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_effective: Option<EffectiveParameters>,
    /// Warnings.
    pub findings: Vec<Finding>,
}

/// Computes inductor losses for a request.
///
/// # Errors
/// [`MagneticsError`] naming the field path, the value and the accepted range.
pub fn inductor_losses(
    request: &InductorLossRequest,
) -> Result<InductorLossResult, MagneticsError> {
    let material = find_wire_material(&request.wire_material)?.clone();
    let mut inductor = Inductor::new(
        "inductor",
        request.inductance_h,
        request.dcr_ohm,
        request.dcr_reference_c,
        material.clone(),
    )?;
    if let Some(spec) = &request.saturation {
        let curve = Curve::new(spec.current_a.clone(), spec.inductance_h.clone()).map_err(|e| {
            MagneticsError::InvalidField {
                field: "saturation".to_owned(),
                message: format!("the curve {e}"),
            }
        })?;
        inductor = inductor.with_saturation_curve(curve, spec.kind)?;
    }
    if let Some(spec) = &request.winding {
        let winding = Winding::new(
            "winding",
            material,
            spec.conductor,
            spec.turns,
            spec.layers,
            spec.mean_turn_length_m,
        )?;
        inductor = inductor.with_winding(winding);
    }
    let mut core_effective = None;
    if let Some(spec) = &request.core {
        if let Some(winding) = &request.winding
            && winding.turns != spec.turns
        {
            return Err(MagneticsError::InvalidParameter {
                field: "core.turns".to_owned(),
                value: f64::from(spec.turns),
                expected: format!("the same as winding.turns = {}", winding.turns),
            });
        }
        let effective = match (&spec.shape, &spec.effective) {
            (Some(name), None) => find_core_shape(name)?.effective_parameters()?,
            (None, Some(e)) => EffectiveParameters::new(e.ae_m2, e.le_m, e.ve_m3)
                .map_err(|e| prefix_field(e, "core.effective."))?,
            _ => {
                return Err(MagneticsError::InvalidField {
                    field: "core".to_owned(),
                    message: "give exactly one of core.shape and core.effective".to_owned(),
                });
            }
        };
        core_effective = Some(effective);
        inductor = inductor.with_core(InductorCore {
            effective,
            turns: spec.turns,
            steinmetz: spec.steinmetz,
        })?;
    }
    let losses = inductor.losses(
        &request.current_a,
        request.frequency_hz,
        request.winding_temperature_c,
    )?;
    Ok(InductorLossResult {
        copper_dc_w: losses.copper_dc_w,
        copper_ac_w: losses.copper_ac_w,
        core_w: losses.core_w,
        total_w: losses.copper_dc_w + losses.copper_ac_w + losses.core_w.unwrap_or(0.0),
        b_peak_t: losses.b_peak_t,
        current_rms_a: losses.current_rms_a,
        core_effective,
        findings: losses.findings,
    })
}

fn prefix_field(error: MagneticsError, prefix: &str) -> MagneticsError {
    match error {
        MagneticsError::InvalidParameter {
            field,
            value,
            expected,
        } => MagneticsError::InvalidParameter {
            field: format!("{prefix}{field}"),
            value,
            expected,
        },
        other => other,
    }
}
