//! Output capacitance Coss(v) with its charge Qoss and stored energy Eoss.

use crate::curve::{Clamp, Curve, Lookup};

/// The output capacitance curve of a transistor and what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputCapacitance {
    /// Coss (F) versus drain-source voltage (V).
    pub coss: Curve,
    /// Junction temperature of the curve, °C.
    pub t_j_c: f64,
    /// The datasheet's own Eoss (J) versus voltage (V), when the file has it.
    pub datasheet_eoss: Option<Curve>,
    /// Energy-related effective capacitance Co(er) at `v_ds` from the datasheet, F.
    pub c_o_er_f: Option<(f64, f64)>,
    /// Time-related effective capacitance Co(tr) at `v_ds` from the datasheet, F.
    pub c_o_tr_f: Option<(f64, f64)>,
}

/// Nodes and weights of the 3-point Gauss–Legendre rule on [0, 1]. The rule is exact
/// for polynomials up to degree 5, so it integrates `v · Coss(v)` (cubic times
/// linear) on each Hermite segment without error beyond rounding.
const GAUSS_3: [(f64, f64); 3] = [
    (0.112_701_665_379_258_3, 5.0 / 18.0),
    (0.5, 8.0 / 18.0),
    (0.887_298_334_620_741_7, 5.0 / 18.0),
];

impl OutputCapacitance {
    /// Coss (F) at `v` (V), clamped to the tabulated range.
    pub fn capacitance(&self, v: f64) -> Lookup {
        self.coss.eval(v)
    }

    /// Charge `Qoss(v) = ∫ Coss(u) du` from the first tabulated voltage to `v`, in C.
    ///
    /// The integral of the monotone cubic interpolant is exact. Above the last point
    /// the clamped Coss is constant, so the charge grows by `C_last · (v − v_last)`
    /// and the lookup is flagged [`Clamp::Above`]. Below the first point the charge is
    /// zero, flagged [`Clamp::Below`].
    pub fn charge(&self, v: f64) -> Lookup {
        let within = self.coss.integral_to(v);
        self.extend(v, within, |c_last, last| c_last * (v - last))
    }

    /// Stored energy `Eoss(v) = ∫ u · Coss(u) du` from the first tabulated voltage to
    /// `v`, in J: the energy a hard turn-on dissipates in the channel.
    ///
    /// Integrated exactly on each segment with 3-point Gauss–Legendre quadrature.
    /// Above the last point the constant clamped Coss adds `C_last · (v² − v_last²) / 2`,
    /// flagged [`Clamp::Above`].
    pub fn energy(&self, v: f64) -> Lookup {
        let (first, last) = self.coss.x_range();
        let x = self.coss.x();
        let end = v.clamp(first, last);
        let mut within = 0.0;
        for k in 0..x.len() - 1 {
            if x[k] >= end {
                break;
            }
            let (a, b) = (x[k], end.min(x[k + 1]));
            let h = b - a;
            for (node, weight) in GAUSS_3 {
                let u = a + node * h;
                within += weight * h * u * self.coss.value(u);
            }
        }
        self.extend(v, within, |c_last, last| {
            c_last * (v * v - last * last) / 2.0
        })
    }

    /// Wraps an integral over the tabulated part into a flagged lookup, adding
    /// `above(C_last, v_last)` for the part above the last point.
    fn extend(&self, v: f64, within: f64, above: impl Fn(f64, f64) -> f64) -> Lookup {
        let (first, last) = self.coss.x_range();
        let c_last = self.coss.value(last);
        let (value, clamp) = if v > last {
            (within + above(c_last, last), Clamp::Above)
        } else if v < first {
            (0.0, Clamp::Below)
        } else {
            (within, Clamp::Inside)
        };
        Lookup {
            value,
            clamp,
            parameter_clamp: Clamp::Inside,
        }
    }

    /// Energy-related effective capacitance `Co(er) = 2 · Eoss(v) / v²`, F.
    pub fn energy_equivalent_capacitance(&self, v: f64) -> Option<f64> {
        (v > 0.0).then(|| 2.0 * self.energy(v).value / (v * v))
    }

    /// Time-related effective capacitance `Co(tr) = Qoss(v) / v`, F.
    pub fn charge_equivalent_capacitance(&self, v: f64) -> Option<f64> {
        (v > 0.0).then(|| self.charge(v).value / v)
    }
}
