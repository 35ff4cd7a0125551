//! Capacitor with a constant or frequency-dependent ESR and a ripple-current rating.

use serde::{Deserialize, Serialize};

use super::{PassiveError, check, check_positive, check_temperature};
use crate::curve::Curve;
use crate::diagnostics::Finding;
use crate::magnetics::harmonics::spectrum;

/// Equivalent series resistance.
#[derive(Debug, Clone, PartialEq)]
pub enum Esr {
    /// The same ESR in Ω at every frequency.
    Constant(f64),
    /// ESR in Ω against frequency in Hz. Outside the table the end value is used and
    /// the loss result counts the clamped harmonics.
    Curve(Curve),
}

/// Ripple-current rating from the data sheet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RippleRating {
    /// Rated rms ripple current in A.
    pub rms_a: f64,
    /// Frequency at which the rating applies, in Hz.
    pub frequency_hz: f64,
    /// Temperature at which the rating applies, in °C.
    pub temperature_c: f64,
}

/// A capacitor model.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacitor {
    name: String,
    capacitance_f: f64,
    esr: Esr,
    ripple_rating: Option<RippleRating>,
}

/// ESR loss of a ripple current and its check against the rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacitorLosses {
    /// `Σₙ Iₙ² ESR(fₙ)` in W.
    pub loss_w: f64,
    /// Rms ripple current (AC part only) in A.
    pub ripple_rms_a: f64,
    /// The rms current at the rating frequency that dissipates the same power,
    /// `√(loss / ESR(f_rating))`, in A, when a rating is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equivalent_ripple_at_rating_a: Option<f64>,
    /// The equivalent ripple exceeds the rating.
    pub ripple_exceeds_rating: bool,
    /// Harmonics whose frequency lay outside the ESR table.
    pub esr_clamped_harmonics: usize,
    /// Warnings about this calculation.
    pub findings: Vec<Finding>,
}

impl Capacitor {
    /// Builds a capacitor of `capacitance_f` (F) with `esr`.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for `capacitance_f ≤ 0`, a constant ESR ≤ 0,
    /// or an ESR curve with a frequency ≤ 0 or an ESR ≤ 0 (naming the point).
    pub fn new(name: &str, capacitance_f: f64, esr: Esr) -> Result<Self, PassiveError> {
        check_positive("capacitance_f", capacitance_f)?;
        match &esr {
            Esr::Constant(r) => {
                check_positive("esr_ohm", *r)?;
            }
            Esr::Curve(curve) => {
                check_positive("esr_curve.frequency_hz[0]", curve.x_range().0)?;
                for (i, &r) in curve.y().iter().enumerate() {
                    check_positive(&format!("esr_curve.esr_ohm[{i}]"), r)?;
                }
            }
        }
        Ok(Self {
            name: name.to_owned(),
            capacitance_f,
            esr,
            ripple_rating: None,
        })
    }

    /// Adds a ripple-current rating.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for a field that is not finite and > 0, or
    /// an invalid temperature.
    pub fn with_ripple_rating(mut self, rating: RippleRating) -> Result<Self, PassiveError> {
        check_positive("ripple_rating.rms_a", rating.rms_a)?;
        check_positive("ripple_rating.frequency_hz", rating.frequency_hz)?;
        check_temperature("ripple_rating.temperature_c", rating.temperature_c)?;
        self.ripple_rating = Some(rating);
        Ok(self)
    }

    /// Capacitance in F.
    pub fn capacitance_f(&self) -> f64 {
        self.capacitance_f
    }

    /// ESR in Ω at `frequency_hz`, and whether the lookup was clamped.
    pub fn esr_ohm(&self, frequency_hz: f64) -> (f64, bool) {
        match &self.esr {
            Esr::Constant(r) => (*r, false),
            Esr::Curve(curve) => {
                let lookup = curve.eval(frequency_hz);
                (lookup.value, lookup.is_clamped())
            }
        }
    }

    /// Computes the loss of a ripple current given as `(frequency_hz, rms_a)` pairs.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] naming `harmonics[i]` for a frequency ≤ 0 or
    /// an rms value < 0.
    pub fn losses_from_harmonics(
        &self,
        harmonics: &[(f64, f64)],
    ) -> Result<CapacitorLosses, PassiveError> {
        let mut loss_w = 0.0;
        let mut ripple_square = 0.0;
        let mut clamped = 0;
        for (i, &(f, rms)) in harmonics.iter().enumerate() {
            check_positive(&format!("harmonics[{i}].frequency_hz"), f)?;
            check(
                &format!("harmonics[{i}].rms_a"),
                rms,
                |r| r >= 0.0,
                "a finite value ≥ 0",
            )?;
            if rms == 0.0 {
                continue;
            }
            let (esr, was_clamped) = self.esr_ohm(f);
            clamped += usize::from(was_clamped);
            loss_w += rms * rms * esr;
            ripple_square += rms * rms;
        }
        Ok(self.finish(loss_w, ripple_square.sqrt(), clamped, Vec::new()))
    }

    /// Computes the loss of a sampled current: `current_a` equally spaced over one
    /// period of fundamental `frequency_hz`, first sample not repeated. Every harmonic
    /// up to `n/2` counts.
    ///
    /// A capacitor carries no DC current in periodic steady state, so a mean above 1 %
    /// of the rms ripple is reported as a warning and left out of the loss.
    ///
    /// # Errors
    /// [`PassiveError`] for an invalid frequency or waveform.
    pub fn losses(
        &self,
        current_a: &[f64],
        frequency_hz: f64,
    ) -> Result<CapacitorLosses, PassiveError> {
        check_positive("frequency_hz", frequency_hz)?;
        let current = spectrum("current_a", current_a)?;
        let harmonics: Vec<(f64, f64)> = current
            .rms
            .iter()
            .enumerate()
            .map(|(k, &rms)| (frequency_hz * (k + 1) as f64, rms))
            .collect();
        let mut result = self.losses_from_harmonics(&harmonics)?;
        if current.dc.abs() > 0.01 * current.ac_rms() {
            result.findings.push(Finding::warning(
                &self.name,
                "current_a",
                format!(
                    "the current has a mean of {} A; a capacitor in periodic steady state \
                     carries none, so the mean was left out of the loss",
                    current.dc
                ),
            ));
        }
        Ok(result)
    }

    fn finish(
        &self,
        loss_w: f64,
        ripple_rms_a: f64,
        esr_clamped_harmonics: usize,
        mut findings: Vec<Finding>,
    ) -> CapacitorLosses {
        if esr_clamped_harmonics > 0 {
            findings.push(Finding::warning(
                &self.name,
                "esr_curve",
                format!(
                    "{esr_clamped_harmonics} harmonic(s) outside the ESR table used its end \
                     value"
                ),
            ));
        }
        let equivalent = self.ripple_rating.map(|rating| {
            let (esr, _) = self.esr_ohm(rating.frequency_hz);
            (loss_w / esr).sqrt()
        });
        let exceeds = match (self.ripple_rating, equivalent) {
            (Some(rating), Some(eq)) => eq > rating.rms_a,
            _ => false,
        };
        if let (true, Some(rating), Some(eq)) = (exceeds, self.ripple_rating, equivalent) {
            findings.push(Finding::warning(
                &self.name,
                "ripple_rating",
                format!(
                    "equivalent ripple {eq:.3} A at {} Hz exceeds the rating of {} A \
                     (rated at {} °C)",
                    rating.frequency_hz, rating.rms_a, rating.temperature_c
                ),
            ));
        }
        CapacitorLosses {
            loss_w,
            ripple_rms_a,
            equivalent_ripple_at_rating_a: equivalent,
            ripple_exceeds_rating: exceeds,
            esr_clamped_harmonics,
            findings,
        }
    }
}
