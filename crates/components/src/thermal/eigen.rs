//! Symmetric eigen-decomposition by the cyclic Jacobi method.
//!
//! Thermal RC networks give symmetric positive definite matrices
//! `M = C^{-1/2} G C^{-1/2}` whose eigenvalues (the inverse time constants) spread
//! over several decades. Jacobi rotations with the relative stopping test
//! `|m_pq| <= ε sqrt(m_pp m_qq)` determine small eigenvalues of such graded matrices
//! to high relative accuracy (J. Demmel, K. Veselić, "Jacobi's method is more accurate
//! than QR", SIAM J. Matrix Anal. Appl. 13(4), 1992), which Householder
//! tridiagonalisation followed by QR does not guarantee. The cost, `O(n³)` per sweep
//! and typically six to ten sweeps, is irrelevant for the few hundred states a
//! thermal stack has.

use pelab_linalg::Matrix;

/// Eigenvalues in ascending order and the matching orthonormal eigenvectors.
#[derive(Debug, Clone)]
pub(crate) struct SymmetricEigen {
    /// Eigenvalues, ascending.
    pub values: Vec<f64>,
    /// Eigenvectors as columns, in the order of `values`.
    pub vectors: Matrix,
}

/// Most sweeps before giving up; convergence is quadratic, so real matrices need
/// far fewer.
const MAX_SWEEPS: usize = 60;

/// Decomposes the symmetric matrix `a` (only its symmetric part is meaningful).
///
/// Returns `None` when the input has non-finite entries or the iteration does not
/// converge within [`MAX_SWEEPS`] sweeps.
pub(crate) fn symmetric_eigen(a: &Matrix) -> Option<SymmetricEigen> {
    assert!(a.is_square(), "symmetric_eigen needs a square matrix");
    let n = a.rows();
    if !a.is_finite() {
        return None;
    }
    let mut m = a.clone();
    let mut v = Matrix::identity(n);
    let mut converged = n <= 1;
    for _ in 0..MAX_SWEEPS {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[(p, q)];
                let app = m[(p, p)];
                let aqq = m[(q, q)];
                if apq == 0.0 || apq.abs() <= f64::EPSILON * (app * aqq).abs().sqrt() {
                    continue;
                }
                rotated = true;
                let theta = (aqq - app) / (2.0 * apq);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                m[(p, p)] = app - t * apq;
                m[(q, q)] = aqq + t * apq;
                m[(p, q)] = 0.0;
                m[(q, p)] = 0.0;
                for r in 0..n {
                    if r != p && r != q {
                        let arp = m[(r, p)];
                        let arq = m[(r, q)];
                        let new_rp = c * arp - s * arq;
                        let new_rq = s * arp + c * arq;
                        m[(r, p)] = new_rp;
                        m[(p, r)] = new_rp;
                        m[(r, q)] = new_rq;
                        m[(q, r)] = new_rq;
                    }
                    let vrp = v[(r, p)];
                    let vrq = v[(r, q)];
                    v[(r, p)] = c * vrp - s * vrq;
                    v[(r, q)] = s * vrp + c * vrq;
                }
            }
        }
        if !rotated {
            converged = true;
            break;
        }
    }
    if !converged || !m.is_finite() {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[(i, i)].total_cmp(&m[(j, j)]));
    let values = order.iter().map(|&i| m[(i, i)]).collect();
    let mut vectors = Matrix::zeros(n, n);
    for (col, &i) in order.iter().enumerate() {
        for r in 0..n {
            vectors[(r, col)] = v[(r, i)];
        }
    }
    Some(SymmetricEigen { values, vectors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_graded_tridiagonal_matrix() {
        // A ladder-like matrix whose diagonal spans six decades.
        let n = 6;
        let mut a = Matrix::zeros(n, n);
        for i in 0..n {
            a[(i, i)] = 2.0 * 10f64.powi(i as i32);
            if i + 1 < n {
                let off = -(10f64.powi(i as i32) * 10f64.powi(i as i32 + 1)).sqrt() * 0.9;
                a[(i, i + 1)] = off;
                a[(i + 1, i)] = off;
            }
        }
        let e = symmetric_eigen(&a).unwrap();
        assert!(e.values.windows(2).all(|w| w[0] <= w[1]));
        assert!(e.values[0] > 0.0);
        // A v = λ v for every pair, to rounding relative to ‖A‖.
        let scale = a.norm_inf();
        for k in 0..n {
            let col: Vec<f64> = (0..n).map(|r| e.vectors[(r, k)]).collect();
            let av = a.mul_vec(&col);
            for r in 0..n {
                assert!((av[r] - e.values[k] * col[r]).abs() < 1e-13 * scale);
            }
        }
        // Orthonormal.
        let vt_v = e.vectors.transpose().matmul(&e.vectors);
        for i in 0..n {
            for j in 0..n {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((vt_v[(i, j)] - expected).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn two_by_two_closed_form() {
        let a = Matrix::from_rows(&[&[2.0, 1.0], &[1.0, 2.0]]);
        let e = symmetric_eigen(&a).unwrap();
        assert!((e.values[0] - 1.0).abs() < 1e-15);
        assert!((e.values[1] - 3.0).abs() < 1e-15);
    }
}
