//! Gate-charge curve and its Miller plateau.

use serde::{Deserialize, Serialize};

use crate::curve::Curve;

/// The Miller plateau found on a gate-charge curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MillerPlateau {
    /// Gate charge where the plateau starts, C.
    pub q_start_c: f64,
    /// Gate charge where the plateau ends, C.
    pub q_end_c: f64,
    /// Plateau voltage: mean gate voltage over the plateau, V.
    pub v_plateau_v: f64,
}

/// A gate-charge curve `Vgs(Qg)` measured at one drain current and supply voltage.
#[derive(Debug, Clone, PartialEq)]
pub struct GateCharge {
    /// Gate-source voltage (V) versus gate charge (C).
    pub curve: Curve,
    /// Drain or collector current of the measurement, A.
    pub i_channel_a: Option<f64>,
    /// Supply voltage of the measurement, V.
    pub v_supply_v: Option<f64>,
    /// Junction temperature of the measurement, °C.
    pub t_j_c: Option<f64>,
}

/// Plateau segments are those whose slope is below
/// `s_min + PLATEAU_FRACTION · (s_steep − s_min)`; see [`GateCharge::miller_plateau`].
const PLATEAU_FRACTION: f64 = 0.3;

impl GateCharge {
    /// Total gate charge from the start to the end of the curve, C. The curve starts
    /// at the off-state gate bias of the measurement (0 V, or negative for SiC and
    /// IGBTs) and ends at the on-state bias.
    pub fn q_total_c(&self) -> f64 {
        let (start, end) = self.curve.x_range();
        end - start
    }

    /// Gate-source charge Qgs: from the start of the curve to the start of the
    /// plateau, C. Datasheets that start the curve at 0 V give the same number.
    pub fn q_gs_c(&self) -> Option<f64> {
        let plateau = self.miller_plateau()?;
        Some(plateau.q_start_c - self.curve.x_range().0)
    }

    /// Gate-drain (Miller) charge Qgd: the charge along the plateau, C.
    pub fn q_gd_c(&self) -> Option<f64> {
        let plateau = self.miller_plateau()?;
        Some(plateau.q_end_c - plateau.q_start_c)
    }

    /// Finds the Miller plateau: the flattest stretch of `Vgs(Qg)` between two steeper
    /// stretches.
    ///
    /// Method: take the slopes `s_k = ΔV/ΔQ` of the digitised segments and the
    /// segment with the smallest slope `s_min`. The steep reference `s_steep` is the
    /// smaller of the upper-quartile slopes before and after that segment (the Cgs
    /// charging before the plateau and the Cgs + Cgd charging after it). The upper
    /// quartile, not the median, because the plateau's own segments are often the
    /// majority on one side. The plateau is the
    /// contiguous run of segments around the flattest one whose slopes stay below
    /// `s_min + 0.3 · (s_steep − s_min)`. SiC MOSFETs have a sloped plateau, so a
    /// fixed slope threshold would miss it. A curve whose flattest segment is not
    /// at least twice as flat as `s_steep` has no plateau (`None`), and so does a
    /// curve with fewer than three points.
    pub fn miller_plateau(&self) -> Option<MillerPlateau> {
        let q = self.curve.x();
        let v = self.curve.y();
        if q.len() < 3 {
            return None;
        }
        let slopes: Vec<f64> = (0..q.len() - 1)
            .map(|k| (v[k + 1] - v[k]) / (q[k + 1] - q[k]))
            .collect();
        let (flattest, s_min) = slopes
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let before = upper_quartile(&slopes[..flattest]);
        let after = upper_quartile(&slopes[flattest + 1..]);
        let s_steep = match (before, after) {
            (Some(b), Some(a)) => b.min(a),
            (Some(s), None) | (None, Some(s)) => s,
            (None, None) => return None,
        };
        if !(s_steep > 0.0 && s_min < 0.5 * s_steep) {
            return None;
        }

        let threshold = s_min + PLATEAU_FRACTION * (s_steep - s_min);
        let mut first = flattest;
        while first > 0 && slopes[first - 1] <= threshold {
            first -= 1;
        }
        let mut last = flattest;
        while last + 1 < slopes.len() && slopes[last + 1] <= threshold {
            last += 1;
        }

        let (q_start, q_end) = (q[first], q[last + 1]);
        // The charge-weighted mean voltage over the plateau: the integral of the
        // interpolant divided by the plateau's charge.
        let area = self.curve.integral_to(q_end) - self.curve.integral_to(q_start);
        Some(MillerPlateau {
            q_start_c: q_start,
            q_end_c: q_end,
            v_plateau_v: area / (q_end - q_start),
        })
    }

    /// Charge (C) at which the gate first reaches `v_gs` before the plateau, found by
    /// bisection on the interpolant. `None` when `v_gs` is outside the pre-plateau
    /// part of the curve.
    pub fn charge_at_voltage(&self, v_gs: f64) -> Option<f64> {
        let (start, _) = self.curve.x_range();
        let end = self.miller_plateau()?.q_start_c;
        let (v_lo, v_hi) = (self.curve.value(start), self.curve.value(end));
        if !(v_gs >= v_lo && v_gs <= v_hi) {
            return None;
        }
        let (mut lo, mut hi) = (start, end);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if self.curve.value(mid) < v_gs {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }
}

/// Returns the 75th percentile (nearest rank) of `values`.
fn upper_quartile(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (0.75 * (sorted.len() - 1) as f64).round() as usize;
    Some(sorted[rank])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plateau_of_ideal_curve() {
        // Cgs charging at 1 V/nC to 5 V, a flat plateau of 10 nC, then 0.5 V/nC to 15 V.
        let q = vec![0.0, 2.5e-9, 5e-9, 10e-9, 15e-9, 25e-9, 35e-9];
        let v = vec![0.0, 2.5, 5.0, 5.0, 5.0, 10.0, 15.0];
        let gate = GateCharge {
            curve: Curve::new(q, v).expect("valid"),
            i_channel_a: None,
            v_supply_v: None,
            t_j_c: None,
        };
        let plateau = gate.miller_plateau().expect("plateau");
        assert!((plateau.q_start_c - 5e-9).abs() < 1e-15);
        assert!((plateau.q_end_c - 15e-9).abs() < 1e-15);
        assert!((plateau.v_plateau_v - 5.0).abs() < 1e-9);
        assert!((gate.q_gd_c().expect("qgd") - 10e-9).abs() < 1e-15);
        assert!((gate.q_gs_c().expect("qgs") - 5e-9).abs() < 1e-15);
        assert!((gate.q_total_c() - 35e-9).abs() < 1e-15);
        let q_at_2v = gate.charge_at_voltage(2.0).expect("before plateau");
        assert!((q_at_2v - 2e-9).abs() < 1e-13);
    }

    #[test]
    fn straight_line_has_no_plateau() {
        let gate = GateCharge {
            curve: Curve::new(vec![0.0, 1e-9, 2e-9, 3e-9], vec![0.0, 1.0, 2.0, 3.0])
                .expect("valid"),
            i_channel_a: None,
            v_supply_v: None,
            t_j_c: None,
        };
        assert_eq!(gate.miller_plateau(), None);
    }
}
