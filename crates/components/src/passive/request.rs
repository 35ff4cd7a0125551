//! Serde request and result types for capacitor losses, for `pelab calc losses`.

use serde::{Deserialize, Serialize};

use super::PassiveError;
use super::capacitor::{Capacitor, CapacitorLosses, Esr, RippleRating};
use crate::curve::Curve;

/// ESR against frequency in a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EsrCurveSpec {
    /// Frequencies in Hz, strictly increasing.
    pub frequency_hz: Vec<f64>,
    /// ESR in Ω at each frequency.
    pub esr_ohm: Vec<f64>,
}

/// One harmonic of a ripple current.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HarmonicSpec {
    /// Frequency in Hz.
    pub frequency_hz: f64,
    /// Rms current in A.
    pub rms_a: f64,
}

/// Capacitor loss request: exactly one of `esr_ohm` and `esr_curve`, and exactly one
/// of `current_a` (with `frequency_hz`) and `harmonics`. Unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitorLossRequest {
    /// Capacitance in F.
    pub capacitance_f: f64,
    /// Constant ESR in Ω.
    #[serde(default)]
    pub esr_ohm: Option<f64>,
    /// ESR against frequency.
    #[serde(default)]
    pub esr_curve: Option<EsrCurveSpec>,
    /// Ripple-current rating.
    #[serde(default)]
    pub ripple_rating: Option<RippleRating>,
    /// Fundamental frequency in Hz of `current_a`.
    #[serde(default)]
    pub frequency_hz: Option<f64>,
    /// Current samples in A, equally spaced over one period, first not repeated.
    #[serde(default)]
    pub current_a: Option<Vec<f64>>,
    /// Ripple current as harmonics.
    #[serde(default)]
    pub harmonics: Option<Vec<HarmonicSpec>>,
}

/// Capacitor loss result.
pub type CapacitorLossResult = CapacitorLosses;

fn exactly_one(field: &str) -> PassiveError {
    PassiveError::InvalidField {
        field: field.to_owned(),
        message: format!("give exactly one of {field}"),
    }
}

/// Computes capacitor losses for a request.
///
/// # Errors
/// [`PassiveError`] naming the field path, the value and the accepted range.
pub fn capacitor_losses(
    request: &CapacitorLossRequest,
) -> Result<CapacitorLossResult, PassiveError> {
    let esr = match (&request.esr_ohm, &request.esr_curve) {
        (Some(r), None) => Esr::Constant(*r),
        (None, Some(spec)) => {
            let curve =
                Curve::new(spec.frequency_hz.clone(), spec.esr_ohm.clone()).map_err(|e| {
                    PassiveError::InvalidField {
                        field: "esr_curve".to_owned(),
                        message: format!("the curve {e}"),
                    }
                })?;
            Esr::Curve(curve)
        }
        _ => return Err(exactly_one("esr_ohm, esr_curve")),
    };
    let mut capacitor = Capacitor::new("capacitor", request.capacitance_f, esr)?;
    if let Some(rating) = request.ripple_rating {
        capacitor = capacitor.with_ripple_rating(rating)?;
    }
    match (&request.current_a, &request.harmonics) {
        (Some(samples), None) => {
            let frequency_hz = request
                .frequency_hz
                .ok_or_else(|| PassiveError::InvalidField {
                    field: "frequency_hz".to_owned(),
                    message: "missing: give the fundamental frequency in Hz of current_a"
                        .to_owned(),
                })?;
            capacitor.losses(samples, frequency_hz)
        }
        (None, Some(harmonics)) => {
            let pairs: Vec<(f64, f64)> = harmonics
                .iter()
                .map(|h| (h.frequency_hz, h.rms_a))
                .collect();
            capacitor.losses_from_harmonics(&pairs)
        }
        _ => Err(exactly_one("current_a, harmonics")),
    }
}
