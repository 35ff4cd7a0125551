//! Winding resistance: resistivity against temperature, DC resistance, skin depth and
//! Dowell's AC resistance factor, and copper loss of harmonic currents.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::data::WireMaterial;
use super::harmonics::Spectrum;
use super::{MagneticsError, check, check_positive};

/// Vacuum permeability `μ0` in H/m (CODATA 2018 value; no longer exactly 4π·10⁻⁷).
pub const MU_0: f64 = 1.256_637_062_12e-6;

/// Largest number of layers accepted in a winding.
pub const MAX_LAYERS: u32 = 1000;

/// Computes the skin depth `δ = √(ρ / (π f μ0 μr))` in m.
///
/// # Errors
/// [`MagneticsError::InvalidParameter`] for a value that is not finite and > 0.
pub fn skin_depth_m(
    resistivity_ohm_m: f64,
    relative_permeability: f64,
    frequency_hz: f64,
) -> Result<f64, MagneticsError> {
    check_positive("resistivity_ohm_m", resistivity_ohm_m)?;
    check_positive("relative_permeability", relative_permeability)?;
    check_positive("frequency_hz", frequency_hz)?;
    Ok((resistivity_ohm_m / (PI * frequency_hz * MU_0 * relative_permeability)).sqrt())
}

/// Computes Dowell's AC resistance factor `F_R = R_ac / R_dc` of `layers` layers of
/// normalised thickness `delta = h/δ` (already scaled by √porosity for round wire):
///
/// `F_R = Δ [ς₁ + (2/3)(m² − 1) ς₂]`, with
/// `ς₁ = (sinh 2Δ + sin 2Δ)/(cosh 2Δ − cos 2Δ)` and
/// `ς₂ = (sinh Δ − sin Δ)/(cosh Δ + cos Δ)`
/// (P. L. Dowell, "Effects of eddy currents in transformer windings", Proc. IEE
/// 113(8), 1966).
///
/// Small `Δ`: for arguments ≤ 1 the four hyperbolic-plus-trigonometric sums come from
/// their Taylor series, where only every fourth power survives, so nothing cancels.
/// As `Δ → 0`, `F_R → 1 + (5m² − 1)Δ⁴/45`, and below `Δ = 10⁻⁴` this limit form is
/// returned. Large `Δ`: above 40 both ratios equal 1 to within `e⁻⁴⁰`, and `sinh 2Δ`
/// would overflow above `Δ ≈ 355`, so the ratios are set to 1.
///
/// # Errors
/// [`MagneticsError::InvalidParameter`] for `delta < 0` or not finite, or `layers`
/// outside `1..=MAX_LAYERS`.
pub fn dowell_factor(delta: f64, layers: u32) -> Result<f64, MagneticsError> {
    check("delta", delta, |d| d >= 0.0, "a finite value ≥ 0")?;
    if layers == 0 || layers > MAX_LAYERS {
        return Err(MagneticsError::InvalidParameter {
            field: "layers".to_owned(),
            value: f64::from(layers),
            expected: format!("1 to {MAX_LAYERS}"),
        });
    }
    let m = f64::from(layers);
    if delta < 1e-4 {
        // The next term is O(Δ⁸) < 1e-32, and the series ratios below would underflow.
        return Ok(1.0 + (5.0 * m * m - 1.0) * delta.powi(4) / 45.0);
    }
    let (delta_times_s1, delta_times_s2) = if delta > 40.0 {
        (delta, delta)
    } else {
        let two = 2.0 * delta;
        let s1 = sums(two);
        let s2 = sums(delta);
        (
            delta * (s1.sinh_plus_sin / s1.cosh_minus_cos),
            delta * (s2.sinh_minus_sin / s2.cosh_plus_cos),
        )
    };
    Ok(delta_times_s1 + (2.0 / 3.0) * (m * m - 1.0) * delta_times_s2)
}

struct Sums {
    sinh_plus_sin: f64,
    sinh_minus_sin: f64,
    cosh_minus_cos: f64,
    cosh_plus_cos: f64,
}

/// `sinh x ± sin x` and `cosh x ∓ cos x`, by series for `x ≤ 1`:
/// `sinh x + sin x = 2 Σ x^(4j+1)/(4j+1)!`, `sinh x − sin x = 2 Σ x^(4j+3)/(4j+3)!`,
/// `cosh x − cos x = 2 Σ x^(4j+2)/(4j+2)!`, `cosh x + cos x = 2 Σ x^(4j)/(4j)!`.
fn sums(x: f64) -> Sums {
    if x > 1.0 {
        return Sums {
            sinh_plus_sin: x.sinh() + x.sin(),
            sinh_minus_sin: x.sinh() - x.sin(),
            cosh_minus_cos: x.cosh() - x.cos(),
            cosh_plus_cos: x.cosh() + x.cos(),
        };
    }
    // term[p] = x^p / p!, accumulated into the sum for p mod 4.
    let mut by_residue = [0.0; 4];
    let mut term = 1.0;
    for p in 0..40 {
        if p > 0 {
            term *= x / f64::from(p);
        }
        by_residue[p as usize % 4] += term;
        if term < 1e-300 {
            break;
        }
    }
    Sums {
        sinh_plus_sin: 2.0 * by_residue[1],
        sinh_minus_sin: 2.0 * by_residue[3],
        cosh_minus_cos: 2.0 * by_residue[2],
        cosh_plus_cos: 2.0 * by_residue[0],
    }
}

/// Conductor of a layered winding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Conductor {
    /// Foil filling the layer width: thickness `h` and width in m.
    Foil {
        /// Foil thickness in m (Dowell's `h`).
        thickness_m: f64,
        /// Foil width in m.
        width_m: f64,
    },
    /// Round wire, `turns_per_layer` side by side across a layer `layer_width_m` wide.
    /// Dowell replaces it by a square conductor of side `h = (√π/2) d` and the layer by
    /// a foil of porosity `η = turns_per_layer · h / layer_width_m` (≤ 1).
    Round {
        /// Bare copper diameter `d` in m.
        diameter_m: f64,
        /// Turns in one layer.
        turns_per_layer: u32,
        /// Width of the winding window across which a layer spreads, in m.
        layer_width_m: f64,
    },
}

impl Conductor {
    fn validate(&self, path: &str) -> Result<(), MagneticsError> {
        match *self {
            Conductor::Foil {
                thickness_m,
                width_m,
            } => {
                check_positive(&format!("{path}.thickness_m"), thickness_m)?;
                check_positive(&format!("{path}.width_m"), width_m)?;
            }
            Conductor::Round {
                diameter_m,
                turns_per_layer,
                layer_width_m,
            } => {
                check_positive(&format!("{path}.diameter_m"), diameter_m)?;
                check_positive(&format!("{path}.layer_width_m"), layer_width_m)?;
                if turns_per_layer == 0 {
                    return Err(MagneticsError::InvalidParameter {
                        field: format!("{path}.turns_per_layer"),
                        value: 0.0,
                        expected: "at least 1".to_owned(),
                    });
                }
                let porosity = self.porosity();
                check(
                    &format!("{path}.porosity"),
                    porosity,
                    |p| p <= 1.0 + 1e-9,
                    "turns_per_layer·(√π/2)·diameter_m ≤ layer_width_m (turns must fit)",
                )?;
            }
        }
        Ok(())
    }

    /// Copper cross-section of one turn in m².
    pub fn area_m2(&self) -> f64 {
        match *self {
            Conductor::Foil {
                thickness_m,
                width_m,
            } => thickness_m * width_m,
            Conductor::Round { diameter_m, .. } => PI * diameter_m * diameter_m / 4.0,
        }
    }

    /// Dowell's equivalent layer thickness `h` in m.
    pub fn equivalent_thickness_m(&self) -> f64 {
        match *self {
            Conductor::Foil { thickness_m, .. } => thickness_m,
            Conductor::Round { diameter_m, .. } => PI.sqrt() / 2.0 * diameter_m,
        }
    }

    /// Layer porosity `η`: 1 for foil.
    pub fn porosity(&self) -> f64 {
        match *self {
            Conductor::Foil { .. } => 1.0,
            Conductor::Round {
                turns_per_layer,
                layer_width_m,
                ..
            } => f64::from(turns_per_layer) * self.equivalent_thickness_m() / layer_width_m,
        }
    }
}

/// A layered winding of one material.
#[derive(Debug, Clone, PartialEq)]
pub struct Winding {
    material: WireMaterial,
    conductor: Conductor,
    turns: u32,
    layers: u32,
    mean_turn_length_m: f64,
}

impl Winding {
    /// Builds a validated winding of `turns` turns in `layers` layers with mean length
    /// per turn `mean_turn_length_m` (MLT).
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] naming the field (prefixed by `path`) for
    /// zero turns or layers, more layers than turns, non-positive lengths, or round
    /// wire that does not fit its layer width.
    pub fn new(
        path: &str,
        material: WireMaterial,
        conductor: Conductor,
        turns: u32,
        layers: u32,
        mean_turn_length_m: f64,
    ) -> Result<Self, MagneticsError> {
        conductor.validate(&format!("{path}.conductor"))?;
        if turns == 0 {
            return Err(MagneticsError::InvalidParameter {
                field: format!("{path}.turns"),
                value: 0.0,
                expected: "at least 1".to_owned(),
            });
        }
        if layers == 0 || layers > turns || layers > MAX_LAYERS {
            return Err(MagneticsError::InvalidParameter {
                field: format!("{path}.layers"),
                value: f64::from(layers),
                expected: format!("1 to min(turns = {turns}, {MAX_LAYERS})"),
            });
        }
        check_positive(&format!("{path}.mean_turn_length_m"), mean_turn_length_m)?;
        Ok(Self {
            material,
            conductor,
            turns,
            layers,
            mean_turn_length_m,
        })
    }

    /// The conductor.
    pub fn conductor(&self) -> Conductor {
        self.conductor
    }

    /// Computes the DC resistance `R = ρ(T) N MLT / A` in Ω at `temperature_c`.
    ///
    /// # Errors
    /// As [`WireMaterial::resistivity_ohm_m`].
    pub fn dc_resistance_ohm(&self, temperature_c: f64) -> Result<f64, MagneticsError> {
        let rho = self.material.resistivity_ohm_m(temperature_c)?;
        Ok(rho * f64::from(self.turns) * self.mean_turn_length_m / self.conductor.area_m2())
    }

    /// Computes Dowell's factor `F_R` at `frequency_hz` and `temperature_c`, with
    /// `Δ = (h/δ)·√η` (`h` and `η` from [`Conductor`]).
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for a frequency ≤ 0 or an invalid
    /// temperature.
    pub fn ac_factor(&self, frequency_hz: f64, temperature_c: f64) -> Result<f64, MagneticsError> {
        let rho = self.material.resistivity_ohm_m(temperature_c)?;
        let delta_skin = skin_depth_m(rho, self.material.permeability, frequency_hz)?;
        let delta =
            self.conductor.equivalent_thickness_m() / delta_skin * self.conductor.porosity().sqrt();
        dowell_factor(delta, self.layers)
    }

    /// Computes the AC resistance `F_R · R_dc` in Ω.
    ///
    /// # Errors
    /// As [`Winding::ac_factor`].
    pub fn ac_resistance_ohm(
        &self,
        frequency_hz: f64,
        temperature_c: f64,
    ) -> Result<f64, MagneticsError> {
        Ok(self.ac_factor(frequency_hz, temperature_c)? * self.dc_resistance_ohm(temperature_c)?)
    }
}

/// Copper loss split into its DC and AC parts, in W.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CopperLoss {
    /// `I_dc² R_dc`.
    pub dc_w: f64,
    /// `Σₙ Iₙ² R_ac(n f)` over harmonics `n ≥ 1` (rms values).
    pub ac_w: f64,
}

/// Computes the copper loss of a current given as a spectrum (DC and harmonic rms
/// values of fundamental `frequency_hz`), with `r_dc_ohm` for the DC part and
/// `r_ac_ohm(f)` for each harmonic. Harmonics of zero rms are skipped.
///
/// # Errors
/// [`MagneticsError::InvalidParameter`] for a frequency or resistance that is not
/// finite and > 0, or any error `r_ac_ohm` returns.
pub fn copper_loss(
    spectrum: &Spectrum,
    frequency_hz: f64,
    r_dc_ohm: f64,
    mut r_ac_ohm: impl FnMut(f64) -> Result<f64, MagneticsError>,
) -> Result<CopperLoss, MagneticsError> {
    check_positive("frequency_hz", frequency_hz)?;
    check_positive("r_dc_ohm", r_dc_ohm)?;
    let mut ac_w = 0.0;
    for (index, &rms) in spectrum.rms.iter().enumerate() {
        if rms == 0.0 {
            continue;
        }
        let f = frequency_hz * (index + 1) as f64;
        let r = check_positive(&format!("r_ac_ohm({f} Hz)"), r_ac_ohm(f)?)?;
        ac_w += rms * rms * r;
    }
    Ok(CopperLoss {
        dc_w: spectrum.dc * spectrum.dc * r_dc_ohm,
        ac_w,
    })
}
