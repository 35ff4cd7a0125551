//! Clarke and Park transforms between phase (a-b-c), stationary (α-β) and rotating
//! (d-q) reference frames.
//!
//! # Conventions
//!
//! - Amplitude-invariant Clarke transform (scaling 2/3): a balanced set of peak `V`
//!   maps to an α-β vector of length `V`, and the zero-sequence component is the mean
//!   of the three phases.
//! - The α axis is aligned with phase a. Phase b leads phase c, so a positive sequence
//!   `a = V·cos θ`, `b = V·cos(θ − 2π/3)`, `c = V·cos(θ + 2π/3)` gives
//!   `α = V·cos θ`, `β = V·sin θ`.
//! - The Park angle `θ` is the electrical angle in rad of the d axis from the α axis,
//!   counter-clockwise positive. The d axis is aligned with the rotor flux or the grid
//!   voltage, so that vector's d component equals its amplitude and its q component is 0.
//!
//! The transforms are linear and have no invalid input: NaN or infinite components
//! propagate to the outputs.

/// Three phase quantities, for example phase voltages \[V\] or currents \[A\].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Abc {
    /// Phase a.
    pub a: f64,
    /// Phase b.
    pub b: f64,
    /// Phase c.
    pub c: f64,
}

/// Stationary-frame components with the zero-sequence component, in the unit of the
/// phase quantities.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AlphaBeta {
    /// α component, aligned with phase a.
    pub alpha: f64,
    /// β component, 90° ahead of α.
    pub beta: f64,
    /// Zero-sequence component `(a + b + c)/3`.
    pub zero: f64,
}

/// Rotating-frame components with the zero-sequence component, in the unit of the
/// phase quantities.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dq {
    /// Direct-axis component.
    pub d: f64,
    /// Quadrature-axis component, 90° ahead of d.
    pub q: f64,
    /// Zero-sequence component, unchanged by the rotation.
    pub zero: f64,
}

const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// Applies the amplitude-invariant Clarke transform:
///
/// - `α = (2/3)·(a − b/2 − c/2)`
/// - `β = (b − c)/√3`
/// - `zero = (a + b + c)/3`
pub fn clarke(abc: Abc) -> AlphaBeta {
    AlphaBeta {
        alpha: (2.0 * abc.a - abc.b - abc.c) / 3.0,
        beta: (abc.b - abc.c) / SQRT_3,
        zero: (abc.a + abc.b + abc.c) / 3.0,
    }
}

/// Applies the inverse of [`clarke`]:
///
/// - `a = α + zero`
/// - `b = −α/2 + (√3/2)·β + zero`
/// - `c = −α/2 − (√3/2)·β + zero`
pub fn inverse_clarke(ab: AlphaBeta) -> Abc {
    let half_alpha = 0.5 * ab.alpha;
    let scaled_beta = 0.5 * SQRT_3 * ab.beta;
    Abc {
        a: ab.alpha + ab.zero,
        b: -half_alpha + scaled_beta + ab.zero,
        c: -half_alpha - scaled_beta + ab.zero,
    }
}

/// Applies the Park rotation into a frame whose d axis lies at the electrical angle
/// `theta` \[rad\] from the α axis:
///
/// - `d = α·cos θ + β·sin θ`
/// - `q = −α·sin θ + β·cos θ`
/// - the zero-sequence component is passed through.
pub fn park(ab: AlphaBeta, theta: f64) -> Dq {
    let (sin, cos) = (libm::sin(theta), libm::cos(theta));
    Dq {
        d: ab.alpha * cos + ab.beta * sin,
        q: -ab.alpha * sin + ab.beta * cos,
        zero: ab.zero,
    }
}

/// Applies the inverse of [`park`] at the electrical angle `theta` \[rad\]:
///
/// - `α = d·cos θ − q·sin θ`
/// - `β = d·sin θ + q·cos θ`
pub fn inverse_park(dq: Dq, theta: f64) -> AlphaBeta {
    let (sin, cos) = (libm::sin(theta), libm::cos(theta));
    AlphaBeta {
        alpha: dq.d * cos - dq.q * sin,
        beta: dq.d * sin + dq.q * cos,
        zero: dq.zero,
    }
}

/// Transforms phase quantities into the d-q frame at the electrical angle `theta`
/// \[rad\]: `park(clarke(abc), theta)`.
///
/// The balanced set `a = V·cos(θ + φ)`, `b = V·cos(θ + φ − 2π/3)`,
/// `c = V·cos(θ + φ + 2π/3)` gives the constant `d = V·cos φ`, `q = V·sin φ`.
pub fn abc_to_dq(abc: Abc, theta: f64) -> Dq {
    park(clarke(abc), theta)
}

/// Transforms d-q quantities back into phase quantities at the electrical angle
/// `theta` \[rad\]: `inverse_clarke(inverse_park(dq, theta))`.
pub fn dq_to_abc(dq: Dq, theta: f64) -> Abc {
    inverse_clarke(inverse_park(dq, theta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::PI;

    // Every result below is a few additions and products of values of order 1, so
    // the rounding error is a few ulps (about 1e-15). The tolerance leaves margin.
    const TOLERANCE: f64 = 1e-13;

    fn assert_close(actual: f64, expected: f64, label: &str) {
        assert!(
            (actual - expected).abs() < TOLERANCE,
            "{label}: {actual} vs {expected}"
        );
    }

    #[test]
    fn clarke_of_phase_a_alone() {
        let ab = clarke(Abc {
            a: 1.0,
            b: 0.0,
            c: 0.0,
        });
        assert_close(ab.alpha, 2.0 / 3.0, "alpha");
        assert_close(ab.beta, 0.0, "beta");
        assert_close(ab.zero, 1.0 / 3.0, "zero");
    }

    #[test]
    fn clarke_of_balanced_set() {
        // a = cos θ, b = cos(θ − 2π/3), c = cos(θ + 2π/3) gives α = cos θ, β = sin θ.
        for k in 0..12 {
            let theta = 0.37 + k as f64 * PI / 6.0;
            let ab = clarke(Abc {
                a: libm::cos(theta),
                b: libm::cos(theta - 2.0 * PI / 3.0),
                c: libm::cos(theta + 2.0 * PI / 3.0),
            });
            assert_close(ab.alpha, libm::cos(theta), "alpha");
            assert_close(ab.beta, libm::sin(theta), "beta");
            assert_close(ab.zero, 0.0, "zero");
        }
    }

    #[test]
    fn clarke_round_trip() {
        let abc = Abc {
            a: 1.5,
            b: -0.25,
            c: 0.7,
        };
        let back = inverse_clarke(clarke(abc));
        assert_close(back.a, abc.a, "a");
        assert_close(back.b, abc.b, "b");
        assert_close(back.c, abc.c, "c");
    }

    #[test]
    fn park_closed_form() {
        // The unit α vector seen from a d axis at 90°: d = 0, q = −1.
        let dq = park(
            AlphaBeta {
                alpha: 1.0,
                beta: 0.0,
                zero: 0.25,
            },
            PI / 2.0,
        );
        assert_close(dq.d, 0.0, "d");
        assert_close(dq.q, -1.0, "q");
        assert_close(dq.zero, 0.25, "zero");
    }

    #[test]
    fn park_round_trip() {
        let ab = AlphaBeta {
            alpha: 0.3,
            beta: -1.2,
            zero: 0.1,
        };
        let back = inverse_park(park(ab, 2.1), 2.1);
        assert_close(back.alpha, ab.alpha, "alpha");
        assert_close(back.beta, ab.beta, "beta");
        assert_close(back.zero, ab.zero, "zero");
    }

    #[test]
    fn abc_to_dq_and_back() {
        let abc = Abc {
            a: 2.0,
            b: -1.0,
            c: 0.5,
        };
        let back = dq_to_abc(abc_to_dq(abc, -0.8), -0.8);
        assert_close(back.a, abc.a, "a");
        assert_close(back.b, abc.b, "b");
        assert_close(back.c, abc.c, "c");
    }
}
