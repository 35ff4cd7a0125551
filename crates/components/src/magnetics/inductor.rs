//! An inductor: inductance with an optional saturation curve, winding resistance with
//! temperature and frequency dependence, and core loss by the iGSE.

use serde::{Deserialize, Serialize};

use super::core_loss::SteinmetzParams;
use super::data::WireMaterial;
use super::harmonics::spectrum;
use super::shapes::EffectiveParameters;
use super::winding::{Winding, copper_loss};
use super::{MagneticsError, check, check_positive};
use crate::curve::Curve;
use crate::diagnostics::Finding;

/// Core of an inductor: effective parameters, turns and Steinmetz coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct InductorCore {
    /// Effective parameters of the core set.
    pub effective: EffectiveParameters,
    /// Number of turns `N`.
    pub turns: u32,
    /// Core material coefficients.
    pub steinmetz: SteinmetzParams,
}

/// An inductor model.
///
/// Winding resistance: the measured `dcr_ohm` at `dcr_reference_c`, scaled with the
/// resistivity law of the wire material, `R_dc(T) = R_ref ρ(T)/ρ(T_ref)`. With a
/// [`Winding`] the AC resistance is `F_R(f, T) · R_dc(T)` (Dowell), without one it is
/// `R_dc(T)` at every frequency, and the result carries a warning saying so.
///
/// Saturation: the optional curve gives inductance against current magnitude, and its
/// [`InductanceCurveKind`] defines the flux linkage `λ`. The core flux density is
/// `B = λ / (N Ae)`. Without a curve `λ = L·i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Inductor {
    name: String,
    inductance_h: f64,
    dcr_ohm: f64,
    dcr_reference_c: f64,
    material: WireMaterial,
    winding: Option<Winding>,
    saturation: Option<(Curve, InductanceCurveKind)>,
    core: Option<InductorCore>,
    findings: Vec<Finding>,
}

/// Definition of the inductance in a saturation curve, which fixes the flux linkage `λ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InductanceCurveKind {
    /// Incremental (differential) inductance `L_d(i) = dλ/di`, which data sheets
    /// measure with a small AC signal on a DC bias: `λ(i) = sign(i) ∫₀^|i| L_d(x) dx`.
    #[default]
    Incremental,
    /// Secant (large-signal) inductance `L_s(i) = λ/i`: `λ(i) = L_s(|i|) · i`.
    Secant,
}

/// Losses of an inductor over one period, in W, with what the calculation flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InductorLosses {
    /// `I_dc² R_dc(T)`.
    pub copper_dc_w: f64,
    /// `Σₙ Iₙ² R_ac(n f, T)` over the harmonics of the current.
    pub copper_ac_w: f64,
    /// iGSE core loss `Pv · Ve`, when a core is given.
    pub core_w: Option<f64>,
    /// Peak flux density `max |B|` in T, when a core is given.
    pub b_peak_t: Option<f64>,
    /// Rms current in A.
    pub current_rms_a: f64,
    /// Samples whose current lay beyond the saturation curve's last point, where the
    /// last inductance value was used.
    pub saturation_clamped_samples: usize,
    /// Warnings about the model and this calculation.
    pub findings: Vec<Finding>,
}

impl Inductor {
    /// Builds an inductor of `inductance_h` (H) with DC resistance `dcr_ohm` (Ω)
    /// measured at `dcr_reference_c` (°C), wound with `material`.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for `inductance_h ≤ 0`, `dcr_ohm ≤ 0`, or a
    /// reference temperature at which the material law fails.
    pub fn new(
        name: &str,
        inductance_h: f64,
        dcr_ohm: f64,
        dcr_reference_c: f64,
        material: WireMaterial,
    ) -> Result<Self, MagneticsError> {
        check_positive("inductance_h", inductance_h)?;
        check_positive("dcr_ohm", dcr_ohm)?;
        material.resistivity_ohm_m(dcr_reference_c).map_err(|_| {
            MagneticsError::InvalidParameter {
                field: "dcr_reference_c".to_owned(),
                value: dcr_reference_c,
                expected: "a finite temperature above -273.15 °C".to_owned(),
            }
        })?;
        Ok(Self {
            name: name.to_owned(),
            inductance_h,
            dcr_ohm,
            dcr_reference_c,
            material,
            winding: None,
            saturation: None,
            core: None,
            findings: Vec::new(),
        })
    }

    /// Adds a winding description for Dowell's AC resistance factor.
    pub fn with_winding(mut self, winding: Winding) -> Self {
        self.winding = Some(winding);
        self
    }

    /// Adds a core. `B(t)` then follows from the flux linkage.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for zero turns, invalid Steinmetz
    /// parameters, or an `Ae` or `Ve` that is not finite and > 0.
    pub fn with_core(mut self, core: InductorCore) -> Result<Self, MagneticsError> {
        if core.turns == 0 {
            return Err(MagneticsError::InvalidParameter {
                field: "core.turns".to_owned(),
                value: 0.0,
                expected: "at least 1".to_owned(),
            });
        }
        core.steinmetz.validate("core.steinmetz")?;
        check_positive("core.effective.ae_m2", core.effective.ae_m2)?;
        check_positive("core.effective.ve_m3", core.effective.ve_m3)?;
        self.core = Some(core);
        Ok(self)
    }

    /// Adds a saturation curve `L(|i|)` (A → H) of the given kind.
    ///
    /// The curve must start at a current ≥ 0 and contain inductances > 0. A curve that
    /// rises somewhere is kept, with a warning, because saturation makes `L` fall.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] naming the offending point.
    pub fn with_saturation_curve(
        mut self,
        curve: Curve,
        kind: InductanceCurveKind,
    ) -> Result<Self, MagneticsError> {
        let (first_current, _) = curve.x_range();
        check(
            "saturation.current_a[0]",
            first_current,
            |x| x >= 0.0,
            "a current magnitude ≥ 0",
        )?;
        for (i, &l) in curve.y().iter().enumerate() {
            check_positive(&format!("saturation.inductance_h[{i}]"), l)?;
        }
        if let Some(i) = curve.y().windows(2).position(|w| w[1] > w[0]) {
            self.findings.push(
                Finding::warning(
                    &self.name,
                    "saturation",
                    "inductance rises with current; saturation curves should not \
                     increase, check the digitised data",
                )
                .at_point(i + 1),
            );
        }
        self.saturation = Some((curve, kind));
        Ok(self)
    }

    /// Flux linkage `λ(i)` in Wb-turns, and whether `|i|` lay beyond the saturation
    /// curve (where the last inductance value is used).
    pub fn flux_linkage(&self, current_a: f64) -> (f64, bool) {
        let Some((curve, kind)) = &self.saturation else {
            return (self.inductance_h * current_a, false);
        };
        let magnitude = current_a.abs();
        let (first, last) = curve.x_range();
        if *kind == InductanceCurveKind::Secant {
            let lookup = curve.eval(magnitude);
            return (lookup.value * current_a, magnitude > last);
        }
        // Below the first point the clamped curve is flat at its first value.
        let mut linkage = curve.y()[0] * magnitude.min(first);
        linkage += curve.integral_to(magnitude.min(last));
        let beyond = magnitude > last;
        if beyond {
            linkage += curve.y()[curve.y().len() - 1] * (magnitude - last);
        }
        (linkage.copysign(current_a), beyond)
    }

    /// Computes the DC resistance at `temperature_c`, in Ω.
    ///
    /// # Errors
    /// As [`WireMaterial::resistivity_ohm_m`].
    pub fn dc_resistance_ohm(&self, temperature_c: f64) -> Result<f64, MagneticsError> {
        let ratio = self.material.resistivity_ohm_m(temperature_c)?
            / self.material.resistivity_ohm_m(self.dcr_reference_c)?;
        Ok(self.dcr_ohm * ratio)
    }

    /// Computes the losses for `current_a`, equally spaced samples over one period
    /// of fundamental `frequency_hz` (first sample not repeated), at winding
    /// temperature `temperature_c`.
    ///
    /// # Errors
    /// [`MagneticsError`] for invalid samples, frequency or temperature.
    pub fn losses(
        &self,
        current_a: &[f64],
        frequency_hz: f64,
        temperature_c: f64,
    ) -> Result<InductorLosses, MagneticsError> {
        check_positive("frequency_hz", frequency_hz)?;
        let current = spectrum("current_a", current_a)?;
        let r_dc = self.dc_resistance_ohm(temperature_c)?;
        let mut findings = self.findings.clone();
        let copper = match &self.winding {
            Some(winding) => copper_loss(&current, frequency_hz, r_dc, |f| {
                Ok(winding.ac_factor(f, temperature_c)? * r_dc)
            })?,
            None => {
                if current.ac_rms() > 0.0 {
                    findings.push(Finding::warning(
                        &self.name,
                        "winding",
                        "no winding given: AC copper loss uses the DC resistance at every \
                         harmonic and ignores skin and proximity effects",
                    ));
                }
                copper_loss(&current, frequency_hz, r_dc, |_| Ok(r_dc))?
            }
        };

        let mut clamped = 0;
        let linkage: Vec<f64> = current_a
            .iter()
            .map(|&i| {
                let (lambda, beyond) = self.flux_linkage(i);
                clamped += usize::from(beyond);
                lambda
            })
            .collect();
        if clamped > 0 {
            findings.push(Finding::warning(
                &self.name,
                "saturation",
                format!(
                    "{clamped} current sample(s) beyond the last point of the saturation \
                     curve: its last inductance was used there"
                ),
            ));
        }

        let (core_w, b_peak_t) = match &self.core {
            None => (None, None),
            Some(core) => {
                let scale = 1.0 / (f64::from(core.turns) * core.effective.ae_m2);
                let flux_t: Vec<f64> = linkage.iter().map(|l| l * scale).collect();
                let density = core.steinmetz.igse_loss(&flux_t, frequency_hz)?;
                if density.outside_fit_range {
                    findings.push(Finding::warning(
                        &self.name,
                        "core.steinmetz",
                        format!(
                            "frequency {frequency_hz} Hz lies outside the Steinmetz fit range \
                             {}–{} Hz",
                            core.steinmetz.f_min_hz, core.steinmetz.f_max_hz
                        ),
                    ));
                }
                let peak = flux_t.iter().fold(0.0f64, |m, b| m.max(b.abs()));
                (
                    Some(density.loss_density_w_per_m3 * core.effective.ve_m3),
                    Some(peak),
                )
            }
        };

        Ok(InductorLosses {
            copper_dc_w: copper.dc_w,
            copper_ac_w: copper.ac_w,
            core_w,
            b_peak_t,
            current_rms_a: current.total_rms(),
            saturation_clamped_samples: clamped,
            findings,
        })
    }
}

/// Default DCR reference temperature in °C, where data sheets usually quote DCR.
pub const DEFAULT_DCR_REFERENCE_C: f64 = 20.0;

/// Saturation curve in a request: inductance against current magnitude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaturationCurveSpec {
    /// Current magnitudes in A, strictly increasing, first ≥ 0.
    pub current_a: Vec<f64>,
    /// Inductance in H at each current.
    pub inductance_h: Vec<f64>,
    /// Whether the inductance is incremental (default) or secant.
    #[serde(default)]
    pub kind: InductanceCurveKind,
}
