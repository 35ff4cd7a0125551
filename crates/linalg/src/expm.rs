//! Matrix exponential and exact zero-order-hold discretisation.

use crate::lu::{Lu, SingularMatrix};
use crate::matrix::Matrix;

/// Largest ‖A‖₁ for which the Padé approximant of degree 3, 5, 7, 9 or 13 reaches
/// double precision without scaling (Higham, "The scaling and squaring method for the
/// matrix exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005, Table 2.3).
const THETA: [(usize, f64); 5] = [
    (3, 1.495_585_217_958_292e-2),
    (5, 2.539_398_330_063_23e-1),
    (7, 9.504_178_996_162_932e-1),
    (9, 2.097_847_961_257_068),
    (13, 5.371_920_351_148_152),
];

/// Coefficients `b_j` of the diagonal [m/m] Padé approximant of `e^x`,
/// `p_m(x) = Σ b_j x^j`, `q_m(x) = p_m(−x)`, scaled to integers.
const PADE_3: [f64; 4] = [120.0, 60.0, 12.0, 1.0];
const PADE_5: [f64; 6] = [30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0];
const PADE_7: [f64; 8] = [
    17_297_280.0,
    8_648_640.0,
    1_995_840.0,
    277_200.0,
    25_200.0,
    1_512.0,
    56.0,
    1.0,
];
const PADE_9: [f64; 10] = [
    17_643_225_600.0,
    8_821_612_800.0,
    2_075_673_600.0,
    302_702_400.0,
    30_270_240.0,
    2_162_160.0,
    110_880.0,
    3_960.0,
    90.0,
    1.0,
];
const PADE_13: [f64; 14] = [
    64_764_752_532_480_000.0,
    32_382_376_266_240_000.0,
    7_771_770_303_897_600.0,
    1_187_353_796_428_800.0,
    129_060_195_264_000.0,
    10_559_470_521_600.0,
    670_442_572_800.0,
    33_522_128_640.0,
    1_323_241_920.0,
    40_840_800.0,
    960_960.0,
    16_380.0,
    182.0,
    1.0,
];

/// Computes `e^A` by scaling and squaring with a diagonal Padé approximant.
///
/// The degree `m ∈ {3, 5, 7, 9, 13}` is the smallest whose bound `θ_m` covers
/// `‖A‖₁`; beyond `θ_13` the matrix is scaled by `2^−s` with
/// `s = ⌈log₂(‖A‖₁ / θ_13)⌉` and the result squared `s` times. With
/// `U` the odd and `V` the even part of the numerator polynomial, the approximant is
/// `r_m(A) = (V − U)⁻¹ (V + U)`. The backward error is at most the unit roundoff for
/// every `A` (Higham 2005, same reference as the `θ` table).
///
/// Stiff circuits (an off-state switch of 1 MΩ against 100 µH gives an eigenvalue of
/// −10¹⁰ s⁻¹) only add squarings: the decaying modes come out as zeros, never as
/// overflow.
///
/// # Errors
/// [`SingularMatrix`] when `V − U` cannot be factorised, which for finite input
/// happens only with non-finite entries.
///
/// # Panics
/// Panics when `a` is not square.
pub fn expm(a: &Matrix) -> Result<Matrix, SingularMatrix> {
    assert!(a.is_square(), "expm needs a square matrix");
    let n = a.rows();
    if n == 0 {
        return Ok(Matrix::zeros(0, 0));
    }
    let norm = a.norm1();

    for &(m, theta) in &THETA[..4] {
        if norm <= theta {
            let coefficients: &[f64] = match m {
                3 => &PADE_3,
                5 => &PADE_5,
                7 => &PADE_7,
                _ => &PADE_9,
            };
            return pade_low(a, coefficients);
        }
    }

    let theta_13 = THETA[4].1;
    let s = if norm > theta_13 {
        (norm / theta_13).log2().ceil().max(0.0) as i32
    } else {
        0
    };
    let scaled = a.scaled(0.5f64.powi(s));
    let mut result = pade_13(&scaled)?;
    let mut square = Matrix::zeros(n, n);
    for _ in 0..s {
        result.matmul_into(&result, &mut square);
        std::mem::swap(&mut result, &mut square);
    }
    Ok(result)
}

/// Padé approximant of degree 3 to 9 from the powers `A², A⁴, …`.
fn pade_low(a: &Matrix, b: &[f64]) -> Result<Matrix, SingularMatrix> {
    let n = a.rows();
    let a2 = a.matmul(a);
    let mut even_powers = vec![Matrix::identity(n), a2.clone()];
    while even_powers.len() < b.len() / 2 {
        let next = even_powers[even_powers.len() - 1].matmul(&a2);
        even_powers.push(next);
    }

    let mut u_inner = Matrix::zeros(n, n);
    let mut v = Matrix::zeros(n, n);
    for (k, power) in even_powers.iter().enumerate() {
        u_inner.add_scaled(b[2 * k + 1], power);
        v.add_scaled(b[2 * k], power);
    }
    let u = a.matmul(&u_inner);
    solve_pade(&u, &v)
}

/// Padé approximant of degree 13, evaluated with six matrix products as in Higham 2005.
fn pade_13(a: &Matrix) -> Result<Matrix, SingularMatrix> {
    let b = &PADE_13;
    let n = a.rows();
    let identity = Matrix::identity(n);
    let a2 = a.matmul(a);
    let a4 = a2.matmul(&a2);
    let a6 = a4.matmul(&a2);

    let mut u_high = a6.scaled(b[13]);
    u_high.add_scaled(b[11], &a4);
    u_high.add_scaled(b[9], &a2);
    let mut u_inner = a6.matmul(&u_high);
    u_inner.add_scaled(b[7], &a6);
    u_inner.add_scaled(b[5], &a4);
    u_inner.add_scaled(b[3], &a2);
    u_inner.add_scaled(b[1], &identity);
    let u = a.matmul(&u_inner);

    let mut v_high = a6.scaled(b[12]);
    v_high.add_scaled(b[10], &a4);
    v_high.add_scaled(b[8], &a2);
    let mut v = a6.matmul(&v_high);
    v.add_scaled(b[6], &a6);
    v.add_scaled(b[4], &a4);
    v.add_scaled(b[2], &a2);
    v.add_scaled(b[0], &identity);

    solve_pade(&u, &v)
}

/// Returns `(V − U)⁻¹ (V + U)`.
fn solve_pade(u: &Matrix, v: &Matrix) -> Result<Matrix, SingularMatrix> {
    let mut q = v.clone();
    q.add_scaled(-1.0, u);
    let mut p = v.clone();
    p.add_scaled(1.0, u);
    Ok(Lu::factor(&q)?.solve_matrix(&p))
}

/// Exact discretisation of `dx/dt = A x + B u` over a step `h` with `u` held constant.
#[derive(Debug, Clone)]
pub struct Discretization {
    /// State transition `Φ = e^{A h}`, `n × n`.
    pub phi: Matrix,
    /// Input matrix `Γ = ∫₀ʰ e^{A σ} dσ · B`, `n × m`.
    pub gamma: Matrix,
}

/// Discretises `dx/dt = A x + B u` exactly for a step `h` with the input held.
///
/// Over `[t, t + h]` with `u` constant the solution is
/// `x(t + h) = Φ x(t) + Γ u`, `Φ = e^{A h}`, `Γ = ∫₀ʰ e^{A σ} dσ B`.
/// Both come from one exponential of the augmented matrix (Van Loan, "Computing
/// integrals involving the matrix exponential", IEEE TAC 23(3), 1978):
///
/// ```text
/// exp( [A B] h )  =  [Φ Γ]
///      [0 0]         [0 I]
/// ```
///
/// This needs no inverse of `A`, so it holds for singular `A` (an integrator, a
/// capacitor fed only by a current source) as well.
///
/// # Errors
/// [`SingularMatrix`] only for non-finite input (see [`expm`]).
///
/// # Panics
/// Panics when `A` is not square or `B` has a different number of rows.
pub fn discretize_zoh(a: &Matrix, b: &Matrix, h: f64) -> Result<Discretization, SingularMatrix> {
    assert!(a.is_square(), "A must be square");
    assert_eq!(
        a.rows(),
        b.rows(),
        "A and B must have the same number of rows"
    );
    let n = a.rows();
    let m = b.cols();
    let mut augmented = Matrix::zeros(n + m, n + m);
    augmented.set_block(0, 0, &a.scaled(h));
    augmented.set_block(0, n, &b.scaled(h));
    let e = expm(&augmented)?;
    Ok(Discretization {
        phi: e.block(0, 0, n, n),
        gamma: e.block(0, n, n, m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn max_diff(a: &Matrix, b: &Matrix) -> f64 {
        a.as_slice()
            .iter()
            .zip(b.as_slice())
            .fold(0.0, |m, (x, y)| m.max((x - y).abs()))
    }

    #[test]
    fn exponential_of_rotation_generator() {
        // exp([[0, -w], [w, 0]]) is a rotation by w radians.
        let w = 2.5;
        let a = Matrix::from_rows(&[&[0.0, -w], &[w, 0.0]]);
        let e = expm(&a).unwrap();
        let expected = Matrix::from_rows(&[&[w.cos(), -w.sin()], &[w.sin(), w.cos()]]);
        assert!(max_diff(&e, &expected) < 1e-14, "{e:?}");
    }

    #[test]
    fn exponential_of_jordan_block() {
        // exp([[λ, 1], [0, λ]]) = e^λ [[1, 1], [0, 1]].
        let lambda = -3.0f64;
        let a = Matrix::from_rows(&[&[lambda, 1.0], &[0.0, lambda]]);
        let e = expm(&a).unwrap();
        let el = lambda.exp();
        let expected = Matrix::from_rows(&[&[el, el], &[0.0, el]]);
        assert!(max_diff(&e, &expected) < 1e-15);
    }

    #[test]
    fn stiff_decay_underflows_to_zero() {
        let a = Matrix::from_rows(&[&[-1e10 * 1e-6, 0.0], &[0.0, -1.0]]);
        let e = expm(&a).unwrap();
        assert_eq!(e[(0, 0)], 0.0);
        // Eleven squarings amplify the roundoff of the slow mode by about 2^11.
        let slow = (-1.0f64).exp();
        assert!((e[(1, 1)] - slow).abs() < 1e-12 * slow);
    }

    #[test]
    fn zoh_of_rc_circuit() {
        // dv/dt = (u − v)/τ: Φ = e^{−h/τ}, Γ = 1 − e^{−h/τ}.
        let tau = 1e-3;
        let a = Matrix::from_rows(&[&[-1.0 / tau]]);
        let b = Matrix::from_rows(&[&[1.0 / tau]]);
        let h = 2.7e-4;
        let d = discretize_zoh(&a, &b, h).unwrap();
        let decay = (-h / tau).exp();
        assert!((d.phi[(0, 0)] - decay).abs() < 1e-15);
        assert!((d.gamma[(0, 0)] - (1.0 - decay)).abs() < 1e-15);
    }

    #[test]
    fn zoh_of_pure_integrator() {
        // A = 0: Φ = I, Γ = h B.
        let a = Matrix::zeros(1, 1);
        let b = Matrix::from_rows(&[&[4.0]]);
        let d = discretize_zoh(&a, &b, 0.5).unwrap();
        assert_eq!(d.phi[(0, 0)], 1.0);
        assert!((d.gamma[(0, 0)] - 2.0).abs() < 1e-15);
    }

    proptest! {
        // nalgebra's exponential is an independent implementation of the same function.
        #[test]
        fn agrees_with_nalgebra(
            entries in proptest::collection::vec(-1.0f64..1.0, 25),
            scale in prop_oneof![Just(1e-3), Just(0.1), Just(1.0), Just(10.0), Just(60.0)],
        ) {
            let a = Matrix::from_row_major(5, 5, entries.iter().map(|v| v * scale).collect());
            let ours = expm(&a).unwrap();
            let theirs = nalgebra::DMatrix::from_row_slice(5, 5, a.as_slice()).exp();
            let magnitude = theirs.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            for r in 0..5 {
                for c in 0..5 {
                    let diff = (ours[(r, c)] - theirs[(r, c)]).abs();
                    prop_assert!(diff <= 1e-11 * magnitude, "entry ({r},{c}): {diff:e}");
                }
            }
        }
    }
}
