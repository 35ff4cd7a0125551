//! Space-vector modulation (SVPWM) and carrier-based zero-sequence injection for a
//! two-level three-phase inverter.
//!
//! # Conventions
//!
//! - Voltages are phase-to-midpoint references in V, in the amplitude-invariant α-β
//!   frame of [`crate::transforms`]. The DC link is `v_dc` \[V\] between the rails.
//! - A duty `d_x` in [0, 1] is the fraction of the switching period during which the
//!   upper switch of leg `x` conducts, with a centre-aligned carrier. The average leg
//!   voltage over one period is `(d_x − 1/2)·v_dc` from the DC midpoint.
//! - The six active vectors `V_k` (k = 1…6) have length `2/3·v_dc` and lie at
//!   `(k − 1)·60°` from the α axis. Their switching states (a, b, c) are 100, 110, 010,
//!   011, 001 and 101. Sector k is the 60° wedge from `V_k` to `V_(k+1)`.
//! - The linear range is the inscribed circle `|v| ≤ v_dc/√3`. Between the circle and
//!   the hexagon (`|v| ≤ 2/3·v_dc` at the corners) the vector is still produced
//!   exactly, but a rotating vector of that length is not. Outside the hexagon the
//!   vector is scaled back along its direction to the hexagon edge.
//!
//! # Carrier-based form
//!
//! [`modulate_phases`] turns three phase references `v_x` into duties by adding a
//! zero-sequence (common-mode) voltage `v0`: `d_x = 1/2 + (v_x + v0)/v_dc`. The
//! line-to-line averages `(d_x − d_y)·v_dc = v_x − v_y` do not depend on `v0`, and
//! the choice of `v0` defines the method:
//!
//! - [`ZeroSequence::MinMax`]: `v0 = −(v_max + v_min)/2` centres the references
//!   between the rails. The duties equal those of SVPWM with equal zero-vector halves.
//! - The discontinuous methods (DPWM) clamp one phase `k` to a rail, with
//!   `v0 = s·v_dc/2 − v_k` for the positive rail (`s = +1`, duty 1) or the negative
//!   rail (`s = −1`, duty 0). That leg does not switch for the whole period, which
//!   cuts the switching losses by about one third.
//!
//! The DPWM variants differ in how they choose `k` and `s`. With `θ` the angle of the
//! reference vector, phase a's reference is `|v|·cos θ`:
//!
//! | Method | clamped phase and rail | phase a at the positive rail | per phase and period |
//! |---|---|---|---|
//! | [`ZeroSequence::DpwmMin`] | minimum reference, negative rail | never | 120° at 0 |
//! | [`ZeroSequence::DpwmMax`] | maximum reference, positive rail | −60° < θ < 60° | 120° at 1 |
//! | [`ZeroSequence::Dpwm1`] | largest magnitude, rail of its sign | −30° < θ < 30° | 60° at 1, 60° at 0 |
//! | [`ZeroSequence::Dpwm0`] | as DPWM1, segments shifted by −30° | −60° < θ < 0° | 60° at 1, 60° at 0 |
//! | [`ZeroSequence::Dpwm2`] | as DPWM1, segments shifted by +30° | 0° < θ < 60° | 60° at 1, 60° at 0 |
//!
//! DPWM0 and DPWM2 choose the phase of largest magnitude among the references of the
//! vector rotated by `−δ` (`δ = −30°` for DPWM0, `+30°` for DPWM2), and clamp it to
//! the rail of that rotated reference's sign. The clamped phase is then always the
//! maximum (positive rail) or minimum (negative rail) of the actual references, so
//! all duties stay in [0, 1] inside the hexagon. DPWM2 centres the clamp on the peak
//! of a current that lags the voltage by 30°, and DPWM0 on one that leads by 30°.
//! NOTE: these definitions are derived here from the clamping rule and checked by the
//! tests. Texts that use the same names may mirror the shift of DPWM0 and DPWM2.

use crate::error::{ConfigError, check_positive};
use crate::transforms::{Abc, AlphaBeta, clarke, inverse_clarke, park};

const SQRT_3: f64 = 1.732_050_807_568_877_2;
const HALF_SQRT_3: f64 = 0.866_025_403_784_438_6;

/// Unit vectors along the active vectors `V_1` to `V_6`, as (α, β).
const ACTIVE_DIRECTIONS: [(f64, f64); 6] = [
    (1.0, 0.0),
    (0.5, HALF_SQRT_3),
    (-0.5, HALF_SQRT_3),
    (-1.0, 0.0),
    (-0.5, -HALF_SQRT_3),
    (0.5, -HALF_SQRT_3),
];

/// Switching states (a, b, c) of the active vectors `V_1` to `V_6`, 1 for the upper
/// switch on.
const ACTIVE_STATES: [[f64; 3]; 6] = [
    [1.0, 0.0, 0.0],
    [1.0, 1.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 1.0, 1.0],
    [0.0, 0.0, 1.0],
    [1.0, 0.0, 1.0],
];

/// Position of a reference vector relative to the linear range and the hexagon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModulationStatus {
    /// Inside the inscribed circle, `|v| ≤ v_dc/√3`.
    #[default]
    Linear,
    /// Outside the circle but inside the hexagon: produced exactly, but a rotating
    /// vector of this length is distorted over a fundamental period.
    Overmodulation,
    /// Outside the hexagon: scaled back along its direction to the hexagon edge.
    Clamped,
    /// A reference or `v_dc` was NaN, infinite, or `v_dc ≤ 0`. The output is the zero
    /// vector with all duties 1/2.
    InvalidInput,
}

/// Result of one space-vector modulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpaceVector {
    /// Sector 1…6, the 60° wedge from `V_k` to `V_(k+1)` containing the reference.
    /// A reference on a boundary belongs to the sector it starts, and the zero vector
    /// to sector 1.
    pub sector: u8,
    /// Time of the first active vector `V_k` \[s\].
    pub t1: f64,
    /// Time of the second active vector `V_(k+1)` \[s\].
    pub t2: f64,
    /// Time of the zero vectors, `Ts − T1 − T2` \[s\], half of it at 000 and half at 111.
    pub t0: f64,
    /// Duties of phases a, b and c, each in [0, 1].
    pub duties: [f64; 3],
    /// Position of the reference relative to the linear range.
    pub status: ModulationStatus,
}

/// Space-vector modulator with a fixed switching period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpaceVectorModulator {
    ts: f64,
}

impl SpaceVectorModulator {
    /// Creates a modulator with the switching period `ts` \[s\].
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `ts` is finite and > 0.
    pub fn new(ts: f64) -> Result<Self, ConfigError> {
        Ok(Self {
            ts: check_positive("ts", ts)?,
        })
    }

    /// Returns the switching period \[s\].
    pub const fn period(&self) -> f64 {
        self.ts
    }

    /// Computes the sector, the vector times and the centred duties of the reference
    /// `(v_alpha, v_beta)` \[V\] on the DC link `v_dc` \[V\].
    ///
    /// Volt-second balance `T1·V_k + T2·V_(k+1) = v·Ts` with `|V_k| = 2/3·v_dc` gives
    /// `T1 = √3·Ts·(v × u_(k+1))/v_dc` and `T2 = √3·Ts·(u_k × v)/v_dc`, with `u_k` the
    /// unit vector of `V_k` and `×` the 2-D cross product. In polar form this is
    /// `T1 = √3·|v|/v_dc·Ts·sin(60° − γ)` and `T2 = √3·|v|/v_dc·Ts·sin γ`, with `γ` the
    /// angle inside the sector. The duty of phase x is `(T0/2 + T1·s_k + T2·s_(k+1))/Ts`,
    /// with `s` its switching state in each active vector.
    ///
    /// When `T1 + T2 > Ts` both are scaled by `Ts/(T1 + T2)` and `T0 = 0`, which moves
    /// the vector to the hexagon edge ([`ModulationStatus::Clamped`]). Invalid inputs
    /// return the zero vector, see [`ModulationStatus::InvalidInput`].
    pub fn modulate(&self, v_alpha: f64, v_beta: f64, v_dc: f64) -> SpaceVector {
        let ts = self.ts;
        if !(v_alpha.is_finite() && v_beta.is_finite() && v_dc.is_finite() && v_dc > 0.0) {
            return SpaceVector {
                sector: 1,
                t1: 0.0,
                t2: 0.0,
                t0: ts,
                duties: [0.5; 3],
                status: ModulationStatus::InvalidInput,
            };
        }

        let sector = sector_of(v_alpha, v_beta);
        let first = ACTIVE_DIRECTIONS[sector - 1];
        let second = ACTIVE_DIRECTIONS[sector % 6];
        let scale = SQRT_3 * ts / v_dc;
        // Both cross products are ≥ 0 inside the sector. Near a boundary, rounding in
        // the sector choice can leave one at about −1e-16·|v|, which is dropped.
        let mut t1 = (scale * (v_alpha * second.1 - v_beta * second.0)).max(0.0);
        let mut t2 = (scale * (first.0 * v_beta - first.1 * v_alpha)).max(0.0);

        let status = if t1 + t2 > ts {
            let shrink = ts / (t1 + t2);
            t1 *= shrink;
            t2 *= shrink;
            ModulationStatus::Clamped
        } else {
            linear_or_overmodulation(v_alpha, v_beta, v_dc)
        };
        let t0 = (ts - t1 - t2).max(0.0);

        let first_state = ACTIVE_STATES[sector - 1];
        let second_state = ACTIVE_STATES[sector % 6];
        let mut duties = [0.0; 3];
        for (phase, duty) in duties.iter_mut().enumerate() {
            let on_time = 0.5 * t0 + t1 * first_state[phase] + t2 * second_state[phase];
            *duty = (on_time / ts).clamp(0.0, 1.0);
        }

        SpaceVector {
            sector: sector as u8,
            t1,
            t2,
            t0,
            duties,
            status,
        }
    }
}

/// Returns the sector 1…6 of `(v_alpha, v_beta)`: the k for which the vector lies on
/// or after `u_k` (`u_k × v ≥ 0`) and strictly before `u_(k+1)` (`u_(k+1) × v < 0`).
///
/// The cross products avoid dividing an angle by 60°, which rounds references on a
/// boundary such as (−1, 0) into the previous sector. The zero vector satisfies no
/// test and gets sector 1.
fn sector_of(v_alpha: f64, v_beta: f64) -> usize {
    let cross = |direction: (f64, f64)| direction.0 * v_beta - direction.1 * v_alpha;
    for k in 0..6 {
        let start = ACTIVE_DIRECTIONS[k];
        let end = ACTIVE_DIRECTIONS[(k + 1) % 6];
        if cross(start) >= 0.0 && cross(end) < 0.0 {
            return k + 1;
        }
    }
    1
}

/// Returns [`ModulationStatus::Linear`] for `|v| ≤ v_dc/√3`, else
/// [`ModulationStatus::Overmodulation`].
fn linear_or_overmodulation(v_alpha: f64, v_beta: f64, v_dc: f64) -> ModulationStatus {
    if 3.0 * (v_alpha * v_alpha + v_beta * v_beta) <= v_dc * v_dc {
        ModulationStatus::Linear
    } else {
        ModulationStatus::Overmodulation
    }
}

/// Zero-sequence injection method of [`modulate_phases`]. The module documentation
/// defines each one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZeroSequence {
    /// Min–max injection `v0 = −(v_max + v_min)/2`, equal to centred SVPWM.
    MinMax,
    /// Discontinuous PWM with the DPWM1 clamp segments shifted by −30°.
    Dpwm0,
    /// Discontinuous PWM that clamps the phase of largest magnitude to the rail of its
    /// sign, over 60° around each peak.
    Dpwm1,
    /// Discontinuous PWM with the DPWM1 clamp segments shifted by +30°.
    Dpwm2,
    /// Discontinuous PWM that clamps the phase with the minimum reference to the
    /// negative rail.
    DpwmMin,
    /// Discontinuous PWM that clamps the phase with the maximum reference to the
    /// positive rail.
    DpwmMax,
}

/// Duties from [`modulate_phases`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhaseDuties {
    /// Duties of phases a, b and c, each in [0, 1].
    pub duties: [f64; 3],
    /// Injected zero-sequence voltage `v0` \[V\]. It is added to the references after
    /// their own zero-sequence component is removed and any clamping to the hexagon.
    pub zero_sequence: f64,
    /// Index (0 = a, 1 = b, 2 = c) of the phase clamped to a rail by a DPWM method, or
    /// `None` for [`ZeroSequence::MinMax`] and invalid inputs.
    pub clamped_phase: Option<usize>,
    /// Position of the reference vector relative to the linear range.
    pub status: ModulationStatus,
}

/// Computes the duties `d_x = 1/2 + (v_x + v0)/v_dc` of the phase references
/// `references` \[V\] (a, b, c) on the DC link `v_dc` \[V\], with the zero-sequence
/// voltage `v0` chosen by `method` as defined in the module documentation.
///
/// The zero-sequence component of `references` is discarded, because `v0` replaces
/// it. When the spread `v_max − v_min` exceeds `v_dc` (outside the hexagon), the
/// references are scaled about their mean by `v_dc/(v_max − v_min)` and the status is
/// [`ModulationStatus::Clamped`]. A NaN or infinite reference, or a `v_dc` that is not
/// finite and > 0, returns all duties 1/2 with [`ModulationStatus::InvalidInput`].
pub fn modulate_phases(method: ZeroSequence, references: [f64; 3], v_dc: f64) -> PhaseDuties {
    if !(references.iter().all(|v| v.is_finite()) && v_dc.is_finite() && v_dc > 0.0) {
        return PhaseDuties {
            duties: [0.5; 3],
            zero_sequence: 0.0,
            clamped_phase: None,
            status: ModulationStatus::InvalidInput,
        };
    }

    let vector = clarke(Abc {
        a: references[0],
        b: references[1],
        c: references[2],
    });
    let mut centred = [
        references[0] - vector.zero,
        references[1] - vector.zero,
        references[2] - vector.zero,
    ];
    let spread = max_of(centred) - min_of(centred);
    let status = if spread > v_dc {
        let shrink = v_dc / spread;
        for value in centred.iter_mut() {
            *value *= shrink;
        }
        ModulationStatus::Clamped
    } else {
        linear_or_overmodulation(vector.alpha, vector.beta, v_dc)
    };

    let (duties, zero_sequence, clamped_phase) = match method {
        ZeroSequence::MinMax => {
            let v0 = -0.5 * (max_of(centred) + min_of(centred));
            (duties_with(centred, v0, v_dc), v0, None)
        }
        ZeroSequence::DpwmMin => clamp_to_rail(centred, index_of_min(centred), false, v_dc),
        ZeroSequence::DpwmMax => clamp_to_rail(centred, index_of_max(centred), true, v_dc),
        ZeroSequence::Dpwm0 => clamp_largest(centred, vector, -core::f64::consts::FRAC_PI_6, v_dc),
        ZeroSequence::Dpwm1 => clamp_largest(centred, vector, 0.0, v_dc),
        ZeroSequence::Dpwm2 => clamp_largest(centred, vector, core::f64::consts::FRAC_PI_6, v_dc),
    };

    PhaseDuties {
        duties,
        zero_sequence,
        clamped_phase,
        status,
    }
}

/// Returns `1/2 + (v_x + v0)/v_dc` for each phase, limited to [0, 1] against rounding.
fn duties_with(references: [f64; 3], v0: f64, v_dc: f64) -> [f64; 3] {
    references.map(|v| (0.5 + (v + v0) / v_dc).clamp(0.0, 1.0))
}

/// Clamps phase `clamped` to the positive (`upper`) or negative rail with
/// `v0 = ±v_dc/2 − v_k`. The clamped duty is set to exactly 1 or 0, and the others to
/// `d_k + (v_x − v_k)/v_dc`, which keeps the line-to-line differences exact.
fn clamp_to_rail(
    references: [f64; 3],
    clamped: usize,
    upper: bool,
    v_dc: f64,
) -> ([f64; 3], f64, Option<usize>) {
    let rail_duty = if upper { 1.0 } else { 0.0 };
    let v_clamped = references[clamped];
    let v0 = (rail_duty - 0.5) * v_dc - v_clamped;
    let mut duties = references.map(|v| (rail_duty + (v - v_clamped) / v_dc).clamp(0.0, 1.0));
    duties[clamped] = rail_duty;
    (duties, v0, Some(clamped))
}

/// Clamps the phase whose reference has the largest magnitude after the vector is
/// rotated by `−shift` \[rad\], to the rail of that rotated reference's sign.
fn clamp_largest(
    references: [f64; 3],
    vector: AlphaBeta,
    shift: f64,
    v_dc: f64,
) -> ([f64; 3], f64, Option<usize>) {
    // Park at the angle `shift` gives the components of the vector rotated by −shift.
    let rotated = park(vector, shift);
    let rotated = inverse_clarke(AlphaBeta {
        alpha: rotated.d,
        beta: rotated.q,
        zero: 0.0,
    });
    let rotated = [rotated.a, rotated.b, rotated.c];
    let mut largest = 0;
    for phase in 1..3 {
        if rotated[phase].abs() > rotated[largest].abs() {
            largest = phase;
        }
    }
    clamp_to_rail(references, largest, rotated[largest] >= 0.0, v_dc)
}

fn max_of(values: [f64; 3]) -> f64 {
    values[0].max(values[1]).max(values[2])
}

fn min_of(values: [f64; 3]) -> f64 {
    values[0].min(values[1]).min(values[2])
}

fn index_of_max(values: [f64; 3]) -> usize {
    let mut index = 0;
    for phase in 1..3 {
        if values[phase] > values[index] {
            index = phase;
        }
    }
    index
}

fn index_of_min(values: [f64; 3]) -> usize {
    let mut index = 0;
    for phase in 1..3 {
        if values[phase] < values[index] {
            index = phase;
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sector_boundaries_start_their_sector() {
        // A reference on the boundary at (k − 1)·60° belongs to sector k.
        for k in 1..=6 {
            let angle = (k - 1) as f64 * core::f64::consts::FRAC_PI_3;
            let (alpha, beta) = (libm::cos(angle), libm::sin(angle));
            let sector = sector_of(alpha, beta);
            // cos and sin of multiples of 60° round, so the vector may land a few ulps
            // before the boundary and in the previous sector.
            let previous = if k == 1 { 6 } else { k - 1 };
            assert!(
                sector == k || sector == previous,
                "boundary {k}: sector {sector}"
            );
        }
        assert_eq!(sector_of(1.0, 0.0), 1);
        assert_eq!(sector_of(0.5, HALF_SQRT_3), 2);
        assert_eq!(sector_of(-1.0, 0.0), 4);
        assert_eq!(sector_of(0.5, -HALF_SQRT_3), 6);
        assert_eq!(sector_of(0.0, 0.0), 1);
        assert_eq!(sector_of(1.0, -1e-300), 6);
    }

    #[test]
    fn sector_boundary_times_stay_non_negative() {
        // On the V2 axis T1 is 0 in sector 2 and T2 is 0 in sector 1: either way the
        // vector is 2/3·v_dc·Ts/2 along V2, so the active time is Ts/2.
        let modulator = SpaceVectorModulator::new(1.0).unwrap();
        let angle = core::f64::consts::FRAC_PI_3;
        let length = 2.0 / 3.0 * 0.5;
        let result = modulator.modulate(length * libm::cos(angle), length * libm::sin(angle), 1.0);
        assert!(result.t1 >= 0.0, "t1 = {}", result.t1);
        assert!(result.t2 >= 0.0, "t2 = {}", result.t2);
        assert!((result.t1 + result.t2 - 0.5).abs() < 1e-15);
        assert!((result.t0 - 0.5).abs() < 1e-15);
    }

    #[test]
    fn linear_limit_is_inscribed_circle() {
        let limit = 1.0 / SQRT_3;
        assert_eq!(
            linear_or_overmodulation(0.99 * limit, 0.0, 1.0),
            ModulationStatus::Linear
        );
        assert_eq!(
            linear_or_overmodulation(0.0, 1.01 * limit, 1.0),
            ModulationStatus::Overmodulation
        );
    }

    #[test]
    fn extreme_indices() {
        assert_eq!(index_of_max([1.0, 3.0, 2.0]), 1);
        assert_eq!(index_of_min([1.0, 3.0, -2.0]), 2);
        assert_eq!(max_of([1.0, 3.0, 2.0]), 3.0);
        assert_eq!(min_of([1.0, 3.0, -2.0]), -2.0);
    }

    #[test]
    fn min_max_duties_closed_form() {
        // Phase references 100, −50, −50 V on 400 V: v0 = −25 V, so d = 1/2 + (v + v0)/400.
        let result = modulate_phases(ZeroSequence::MinMax, [100.0, -50.0, -50.0], 400.0);
        assert_eq!(result.clamped_phase, None);
        assert!((result.zero_sequence + 25.0).abs() < 1e-12);
        assert!((result.duties[0] - 0.6875).abs() < 1e-15);
        assert!((result.duties[1] - 0.3125).abs() < 1e-15);
        assert!((result.duties[2] - 0.3125).abs() < 1e-15);
    }

    #[test]
    fn dpwm_max_duties_closed_form() {
        // Same references: phase a is clamped high, v0 = 200 − 100 = 100 V, and
        // b and c sit 150 V below it, 150/400 = 0.375 below duty 1.
        let result = modulate_phases(ZeroSequence::DpwmMax, [100.0, -50.0, -50.0], 400.0);
        assert_eq!(result.clamped_phase, Some(0));
        assert!((result.zero_sequence - 100.0).abs() < 1e-12);
        assert_eq!(result.duties[0], 1.0);
        assert!((result.duties[1] - 0.625).abs() < 1e-15);
        assert!((result.duties[2] - 0.625).abs() < 1e-15);
    }
}
