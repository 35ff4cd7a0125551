//! Effective core parameters by the core-constant method of IEC 60205.
//!
//! A core is cut into segments of length `lᵢ` and cross-section `Aᵢ` along the mean
//! flux path. The core constants are `C1 = Σ lᵢ/Aᵢ` (m⁻¹) and `C2 = Σ lᵢ/Aᵢ²` (m⁻³),
//! and the effective parameters follow as `le = C1²/C2`, `Ae = C1/C2` and
//! `Ve = le·Ae`. An ideal uniform core with these `le` and `Ae` has the same two
//! constants (`C1 = le/Ae`, `C2 = le/Ae²`) as the segmented one, so it has the same
//! reluctance for a given permeability.
//!
//! Families computed here, all with nominal dimensions (else the mid-point of minimum
//! and maximum, see [`Dimension::value`]):
//! - `t`: toroid with a rectangular cross-section, exact;
//! - `e`, `planarE`: E pairs with a rectangular centre leg;
//! - `etd`, `er`: E pairs with a round centre leg and outer legs whose inner faces
//!   are arcs concentric with it;
//! - `u`: U pairs;
//! - `p`: pot cores, with the radial flux in the base plates integrated exactly.
//!
//! Any other family returns [`MagneticsError::UnsupportedFamily`]; give `Ae`, `le` and
//! `Ve` from the data sheet through [`EffectiveParameters::new`] instead.
//!
//! The segment model of the gapped families is our own derivation in the spirit of
//! IEC 60205. Straight legs and yokes count at their full cross-section. Each corner
//! is a quarter turn of mean length `π/8 (w₁ + w₂)`, a quarter circle of radius
//! `(w₁ + w₂)/4` where `w₁` and `w₂` are the widths of the two limbs it joins, and its
//! area is the mean of the two limbs' areas. Against manufacturers' published values
//! it agrees within about 2 % (see the validation table in `docs/magnetics.md`).

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::data::CoreShape;
use super::{MagneticsError, check_positive};

/// A piece of the mean magnetic path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathSegment {
    /// Length along the path in m.
    pub length_m: f64,
    /// Cross-section in m².
    pub area_m2: f64,
}

/// Effective parameters of a core set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectiveParameters {
    /// Core constant `C1 = Σ l/A` in m⁻¹.
    pub c1_per_m: f64,
    /// Core constant `C2 = Σ l/A²` in m⁻³.
    pub c2_per_m3: f64,
    /// Effective magnetic path length `le` in m.
    pub le_m: f64,
    /// Effective cross-section `Ae` in m².
    pub ae_m2: f64,
    /// Effective volume `Ve` in m³.
    pub ve_m3: f64,
    /// Smallest cross-section along the path in m², where the method gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amin_m2: Option<f64>,
}

impl EffectiveParameters {
    /// Builds the parameters from data-sheet values of `Ae` (m²), `le` (m) and `Ve`
    /// (m³). `C1` and `C2` are derived as `le/Ae` and `le/Ae²`.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for a value that is not finite and > 0.
    pub fn new(ae_m2: f64, le_m: f64, ve_m3: f64) -> Result<Self, MagneticsError> {
        let ae_m2 = check_positive("ae_m2", ae_m2)?;
        let le_m = check_positive("le_m", le_m)?;
        let ve_m3 = check_positive("ve_m3", ve_m3)?;
        Ok(Self {
            c1_per_m: le_m / ae_m2,
            c2_per_m3: le_m / (ae_m2 * ae_m2),
            le_m,
            ae_m2,
            ve_m3,
            amin_m2: None,
        })
    }

    /// Computes the parameters of a path made of series segments; `amin_m2` is the
    /// smallest segment area.
    ///
    /// # Errors
    /// [`MagneticsError::SampleCount`] for an empty path, and
    /// [`MagneticsError::InvalidParameter`] for a segment whose length or area is not
    /// finite and > 0.
    pub fn from_segments(segments: &[PathSegment]) -> Result<Self, MagneticsError> {
        if segments.is_empty() {
            return Err(MagneticsError::SampleCount {
                field: "segments".to_owned(),
                count: 0,
                expected: "at least one path segment".to_owned(),
            });
        }
        let mut c1 = 0.0;
        let mut c2 = 0.0;
        let mut amin = f64::INFINITY;
        for (i, s) in segments.iter().enumerate() {
            let l = check_positive(&format!("segments[{i}].length_m"), s.length_m)?;
            let a = check_positive(&format!("segments[{i}].area_m2"), s.area_m2)?;
            c1 += l / a;
            c2 += l / (a * a);
            amin = amin.min(a);
        }
        Ok(Self::from_constants(c1, c2, Some(amin)))
    }

    fn from_constants(c1: f64, c2: f64, amin_m2: Option<f64>) -> Self {
        let le_m = c1 * c1 / c2;
        let ae_m2 = c1 / c2;
        Self {
            c1_per_m: c1,
            c2_per_m3: c2,
            le_m,
            ae_m2,
            ve_m3: le_m * ae_m2,
            amin_m2,
        }
    }
}

/// Dimension values of one shape, looked up by letter with errors naming the shape.
struct Dims<'a> {
    shape: &'a CoreShape,
}

impl Dims<'_> {
    fn get(&self, letter: &str) -> Result<f64, MagneticsError> {
        let dimension =
            self.shape
                .dimensions
                .get(letter)
                .ok_or_else(|| MagneticsError::MissingDimension {
                    name: self.shape.name.clone(),
                    family: self.shape.family.clone(),
                    letter: letter.to_owned(),
                })?;
        dimension
            .value()
            .map_err(|reason| self.invalid(format!("dimension {letter} {reason}")))
    }

    fn invalid(&self, reason: String) -> MagneticsError {
        MagneticsError::InvalidDimension {
            name: self.shape.name.clone(),
            reason,
        }
    }

    /// Requires `larger > smaller`, naming both letters in the error.
    fn require_greater(
        &self,
        larger: (&str, f64),
        smaller: (&str, f64),
    ) -> Result<(), MagneticsError> {
        if larger.1 > smaller.1 {
            Ok(())
        } else {
            Err(self.invalid(format!(
                "dimension {} = {} m must exceed {} = {} m",
                larger.0, larger.1, smaller.0, smaller.1
            )))
        }
    }
}

impl CoreShape {
    /// Computes the effective parameters of a core set (two halves, or one toroid)
    /// from the shape's dimensions. See the module documentation for the families.
    ///
    /// # Errors
    /// [`MagneticsError::UnsupportedFamily`] for a family without a formula here,
    /// [`MagneticsError::MissingDimension`] or [`MagneticsError::InvalidDimension`]
    /// when the dimensions cannot describe a valid core.
    pub fn effective_parameters(&self) -> Result<EffectiveParameters, MagneticsError> {
        let dims = Dims { shape: self };
        match self.family.as_str() {
            "t" => toroid(&dims),
            "e" | "planarE" => e_pair(&dims, CentreLeg::Rectangular),
            "etd" | "er" => e_pair(&dims, CentreLeg::Round),
            "u" => u_pair(&dims),
            "p" => pot_pair(&dims),
            _ => Err(MagneticsError::UnsupportedFamily {
                name: self.name.clone(),
                family: self.family.clone(),
            }),
        }
    }
}

/// Toroid of outer diameter `A`, inner diameter `B` and height `C`.
///
/// With radii `r₁ = B/2`, `r₂ = A/2` and `L = ln(r₂/r₁)`, IEC 60205 gives
/// `C1 = 2π / (C·L)` and `C2 = 2π (1/r₁ − 1/r₂) / (C²·L³)`, hence
/// `le = 2π L / (1/r₁ − 1/r₂)` and `Ae = C·L² / (1/r₁ − 1/r₂)`. `C1` is the exact
/// reluctance factor of the ring: concentric shells of radius `r` in parallel give a
/// permeance `μ C L / 2π`. `Amin` is the plain cross-section `C (r₂ − r₁)`.
fn toroid(dims: &Dims) -> Result<EffectiveParameters, MagneticsError> {
    let outer = dims.get("A")?;
    let inner = dims.get("B")?;
    let height = dims.get("C")?;
    dims.require_greater(("A", outer), ("B", inner))?;
    dims.require_greater(("B", inner), ("zero", 0.0))?;
    dims.require_greater(("C", height), ("zero", 0.0))?;
    let (r1, r2) = (inner / 2.0, outer / 2.0);
    let log_ratio = (r2 / r1).ln();
    let c1 = 2.0 * PI / (height * log_ratio);
    let c2 = 2.0 * PI * (1.0 / r1 - 1.0 / r2) / (height * height * log_ratio.powi(3));
    Ok(EffectiveParameters::from_constants(
        c1,
        c2,
        Some(height * (r2 - r1)),
    ))
}

#[derive(Clone, Copy)]
enum CentreLeg {
    Rectangular,
    Round,
}

/// E pair: overall width `A`, half height `B`, depth `C`, half window height `D`,
/// window width `E` and centre-leg width (or diameter) `F`.
///
/// Segments of the set (both halves), with yoke thickness `h = B − D`:
/// - centre leg: length `2D`, area `C·F` (rectangular) or `πF²/4` (round);
/// - outer legs, two in parallel: length `2D`, area `C·(A − E)` (rectangular), or for
///   round-leg shapes the rectangle `A × C` less the circle of diameter `E` over the
///   depth `C`: `2[A·c − (c√(R² − c²) + R² asin(c/R))]` with `c = C/2`, `R = E/2`;
/// - yokes, two halves in parallel: length `E − F`, area `2·C·h`;
/// - two corners between yoke and outer legs, and two between yoke and centre leg.
///   Each pair has length `π/4 (w + h)`, where `w` is the leg width (`A₃/2C` for the
///   outer legs, `F/2` for the centre leg), and the mean area of its two limbs.
fn e_pair(dims: &Dims, centre: CentreLeg) -> Result<EffectiveParameters, MagneticsError> {
    let a = dims.get("A")?;
    let b = dims.get("B")?;
    let c = dims.get("C")?;
    let d = dims.get("D")?;
    let e = dims.get("E")?;
    let f = dims.get("F")?;
    dims.require_greater(("A", a), ("E", e))?;
    dims.require_greater(("E", e), ("F", f))?;
    dims.require_greater(("B", b), ("D", d))?;
    dims.require_greater(("D", d), ("zero", 0.0))?;
    dims.require_greater(("C", c), ("zero", 0.0))?;
    dims.require_greater(("F", f), ("zero", 0.0))?;
    let h = b - d;

    let (centre_area, outer_area) = match centre {
        CentreLeg::Rectangular => (c * f, c * (a - e)),
        CentreLeg::Round => {
            let half_depth = c / 2.0;
            let radius = e / 2.0;
            if half_depth > radius {
                return Err(dims.invalid(format!(
                    "depth C = {c} m exceeds window diameter E = {e} m, so the outer legs \
                     are not arcs around the centre leg"
                )));
            }
            let circle_part = half_depth * (radius * radius - half_depth * half_depth).sqrt()
                + radius * radius * (half_depth / radius).asin();
            (PI * f * f / 4.0, 2.0 * (a * half_depth - circle_part))
        }
    };
    let yoke_area = 2.0 * c * h;
    let outer_width = outer_area / (2.0 * c);
    let segments = [
        PathSegment {
            length_m: 2.0 * d,
            area_m2: centre_area,
        },
        PathSegment {
            length_m: 2.0 * d,
            area_m2: outer_area,
        },
        PathSegment {
            length_m: e - f,
            area_m2: yoke_area,
        },
        PathSegment {
            length_m: PI / 4.0 * (outer_width + h),
            area_m2: 0.5 * (outer_area + yoke_area),
        },
        PathSegment {
            length_m: PI / 4.0 * (f / 2.0 + h),
            area_m2: 0.5 * (centre_area + yoke_area),
        },
    ];
    EffectiveParameters::from_segments(&segments)
}

/// U pair: overall width `A`, half height `B`, depth `C`, half window height `D` and
/// window width `E`. Legs of width `p = (A − E)/2` and yokes of thickness `h = B − D`
/// are in series: two legs of length `2D`, two yokes of length `E`, four corners of
/// length `π/8 (p + h)` each.
fn u_pair(dims: &Dims) -> Result<EffectiveParameters, MagneticsError> {
    let a = dims.get("A")?;
    let b = dims.get("B")?;
    let c = dims.get("C")?;
    let d = dims.get("D")?;
    let e = dims.get("E")?;
    dims.require_greater(("A", a), ("E", e))?;
    dims.require_greater(("B", b), ("D", d))?;
    dims.require_greater(("D", d), ("zero", 0.0))?;
    dims.require_greater(("C", c), ("zero", 0.0))?;
    let p = (a - e) / 2.0;
    let h = b - d;
    let segments = [
        PathSegment {
            length_m: 4.0 * d,
            area_m2: c * p,
        },
        PathSegment {
            length_m: 2.0 * e,
            area_m2: c * h,
        },
        PathSegment {
            length_m: PI / 2.0 * (p + h),
            area_m2: 0.5 * c * (p + h),
        },
    ];
    EffectiveParameters::from_segments(&segments)
}

/// Optional dimension: absent letters count as zero (a pot core without centre hole or
/// wire slots).
fn optional(dims: &Dims, letter: &str) -> Result<f64, MagneticsError> {
    if dims.shape.dimensions.contains_key(letter) {
        dims.get(letter)
    } else {
        Ok(0.0)
    }
}

/// Pot-core pair: outer diameter `A`, half height `B`, half window height `D`, inner
/// diameter of the outer wall `E`, centre-post diameter `F`, centre-hole diameter `H`
/// and wire-slot width `G` (both optional).
///
/// Segments, with base thickness `h = B − D`:
/// - centre post: length `2D`, area `π(F² − H²)/4`;
/// - outer wall: length `2D`, area `π(A² − E²)/4 − G(A − E)` (two slots of width `G`
///   through a wall `(A − E)/2` thick);
/// - two base plates with radial flux from `r = F/2` to `E/2` through area `2πrh`,
///   which gives `C1 += 2 ln(E/F) / (2πh)` and `C2 += 2 (2/F − 2/E) / (4π²h²)`
///   exactly. Slots in the base are ignored;
/// - corner pairs at the post and at the wall of length `π/4 (w + h)`, where `w` is the
///   post or wall thickness, with the mean of the limb area and the base area `πFh` or
///   `πEh` at that radius.
fn pot_pair(dims: &Dims) -> Result<EffectiveParameters, MagneticsError> {
    let a = dims.get("A")?;
    let b = dims.get("B")?;
    let d = dims.get("D")?;
    let e = dims.get("E")?;
    let f = dims.get("F")?;
    let hole = optional(dims, "H")?;
    let slot = optional(dims, "G")?;
    dims.require_greater(("A", a), ("E", e))?;
    dims.require_greater(("E", e), ("F", f))?;
    dims.require_greater(("F", f), ("H", hole))?;
    dims.require_greater(("B", b), ("D", d))?;
    dims.require_greater(("D", d), ("zero", 0.0))?;
    let h = b - d;

    let post_area = PI * (f * f - hole * hole) / 4.0;
    let wall_area = PI * (a * a - e * e) / 4.0 - slot * (a - e);
    if !(wall_area > 0.0) {
        return Err(dims.invalid(format!(
            "slots G = {slot} m leave no outer wall between A = {a} m and E = {e} m"
        )));
    }
    let post_width = (f - hole) / 2.0;
    let wall_width = (a - e) / 2.0;
    let straight = EffectiveParameters::from_segments(&[
        PathSegment {
            length_m: 2.0 * d,
            area_m2: post_area,
        },
        PathSegment {
            length_m: 2.0 * d,
            area_m2: wall_area,
        },
        PathSegment {
            length_m: PI / 4.0 * (post_width + h),
            area_m2: 0.5 * (post_area + PI * f * h),
        },
        PathSegment {
            length_m: PI / 4.0 * (wall_width + h),
            area_m2: 0.5 * (wall_area + PI * e * h),
        },
    ])?;
    let base_c1 = 2.0 * (e / f).ln() / (2.0 * PI * h);
    let base_c2 = 2.0 * (2.0 / f - 2.0 / e) / (4.0 * PI * PI * h * h);
    let amin = post_area.min(wall_area).min(PI * f * h);
    Ok(EffectiveParameters::from_constants(
        straight.c1_per_m + base_c1,
        straight.c2_per_m3 + base_c2,
        Some(amin),
    ))
}
