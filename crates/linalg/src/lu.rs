//! LU factorisation with partial pivoting.

use crate::matrix::Matrix;

/// A matrix that could not be factorised because a pivot vanished.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "matrix is singular: the pivot in column {column} is {pivot:e}, below the threshold {threshold:e}"
)]
pub struct SingularMatrix {
    /// Column (0-based) in which elimination found no usable pivot.
    pub column: usize,
    /// Largest remaining magnitude in that column.
    pub pivot: f64,
    /// Threshold under which a pivot counts as zero.
    pub threshold: f64,
}

/// `P A = L U` of a square matrix, stored compactly: `U` on and above the diagonal,
/// the unit-diagonal `L` below it.
#[derive(Debug, Clone)]
pub struct Lu {
    n: usize,
    lu: Vec<f64>,
    /// `perm[i]` is the original row placed at row `i`.
    perm: Vec<usize>,
    norm1: f64,
}

impl Lu {
    /// Factorises `a` by Gaussian elimination with partial pivoting.
    ///
    /// A pivot whose magnitude is below `n · ε · max|a_ij|` counts as zero, which makes
    /// structurally singular MNA systems (a floating node, a loop of voltage sources)
    /// fail here instead of producing huge, meaningless solutions.
    ///
    /// # Errors
    /// [`SingularMatrix`] naming the first column without a usable pivot.
    ///
    /// # Panics
    /// Panics when `a` is not square.
    pub fn factor(a: &Matrix) -> Result<Lu, SingularMatrix> {
        assert!(a.is_square(), "LU needs a square matrix");
        let n = a.rows();
        let mut lu = a.as_slice().to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        let threshold = (n.max(1) as f64) * f64::EPSILON * a.max_abs();

        for k in 0..n {
            let (pivot_row, pivot_abs) =
                (k..n)
                    .map(|r| (r, lu[r * n + k].abs()))
                    .fold(
                        (k, -1.0),
                        |best, cur| if cur.1 > best.1 { cur } else { best },
                    );
            if !(pivot_abs > threshold) {
                return Err(SingularMatrix {
                    column: k,
                    pivot: pivot_abs,
                    threshold,
                });
            }
            if pivot_row != k {
                for c in 0..n {
                    lu.swap(k * n + c, pivot_row * n + c);
                }
                perm.swap(k, pivot_row);
            }

            let pivot = lu[k * n + k];
            for r in k + 1..n {
                let factor = lu[r * n + k] / pivot;
                lu[r * n + k] = factor;
                if factor == 0.0 {
                    continue;
                }
                for c in k + 1..n {
                    lu[r * n + c] -= factor * lu[k * n + c];
                }
            }
        }

        Ok(Lu {
            n,
            lu,
            perm,
            norm1: a.norm1(),
        })
    }

    /// Dimension of the factorised matrix.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Solves `A x = b`, overwriting `b` with `x`. `scratch` must have length `n`.
    ///
    /// # Panics
    /// Panics when the lengths differ from the dimension.
    pub fn solve_in_place(&self, b: &mut [f64], scratch: &mut [f64]) {
        let n = self.n;
        assert_eq!(b.len(), n, "right-hand side length");
        assert_eq!(scratch.len(), n, "scratch length");
        for (i, s) in scratch.iter_mut().enumerate() {
            *s = b[self.perm[i]];
        }

        // Forward substitution with the unit lower triangle.
        for i in 0..n {
            let row = &self.lu[i * n..i * n + i];
            let sum: f64 = row.iter().zip(&scratch[..i]).map(|(l, y)| l * y).sum();
            scratch[i] -= sum;
        }

        // Back substitution with the upper triangle.
        for i in (0..n).rev() {
            let row = &self.lu[i * n + i + 1..(i + 1) * n];
            let sum: f64 = row.iter().zip(&scratch[i + 1..]).map(|(u, x)| u * x).sum();
            scratch[i] = (scratch[i] - sum) / self.lu[i * n + i];
        }
        b.copy_from_slice(scratch);
    }

    /// Solves `A x = b` and returns `x`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let mut x = b.to_vec();
        let mut scratch = vec![0.0; self.n];
        self.solve_in_place(&mut x, &mut scratch);
        x
    }

    /// Solves `A X = B` for every column of `B`.
    ///
    /// # Panics
    /// Panics when `B` does not have `n` rows.
    pub fn solve_matrix(&self, b: &Matrix) -> Matrix {
        assert_eq!(b.rows(), self.n, "right-hand side rows");
        let mut out = Matrix::zeros(b.rows(), b.cols());
        let mut column = vec![0.0; self.n];
        let mut scratch = vec![0.0; self.n];
        for c in 0..b.cols() {
            for r in 0..self.n {
                column[r] = b[(r, c)];
            }
            self.solve_in_place(&mut column, &mut scratch);
            for r in 0..self.n {
                out[(r, c)] = column[r];
            }
        }
        out
    }

    /// The inverse `A⁻¹`.
    pub fn inverse(&self) -> Matrix {
        self.solve_matrix(&Matrix::identity(self.n))
    }

    /// Reciprocal condition number in the 1-norm, `1 / (‖A‖₁ ‖A⁻¹‖₁)`, computed
    /// exactly from the inverse. Cost is O(n³), which is fine for circuit-sized systems.
    pub fn rcond(&self) -> f64 {
        if self.n == 0 {
            return 1.0;
        }
        let inverse_norm = self.inverse().norm1();
        if self.norm1 == 0.0 || inverse_norm == 0.0 {
            return 0.0;
        }
        1.0 / (self.norm1 * inverse_norm)
    }

    /// Determinant of the factorised matrix.
    pub fn determinant(&self) -> f64 {
        let n = self.n;
        let mut det: f64 = (0..n).map(|i| self.lu[i * n + i]).product();
        // Each transposition in the permutation flips the sign.
        let mut seen = vec![false; n];
        for start in 0..n {
            if seen[start] {
                continue;
            }
            let mut len = 0;
            let mut i = start;
            while !seen[i] {
                seen[i] = true;
                i = self.perm[i];
                len += 1;
            }
            if len % 2 == 0 {
                det = -det;
            }
        }
        det
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn solves_pivoting_system() {
        // The zero in the top-left forces a row exchange.
        let a = Matrix::from_rows(&[&[0.0, 2.0, 1.0], &[1.0, 1.0, 0.0], &[3.0, 0.0, 1.0]]);
        let lu = Lu::factor(&a).unwrap();
        let x = lu.solve(&[5.0, 3.0, 6.0]);
        let expected = [1.4, 1.6, 1.8];
        for (xi, ei) in x.iter().zip(expected) {
            assert!((xi - ei).abs() < 1e-14, "{x:?}");
        }
        assert!((lu.determinant() - (-5.0)).abs() < 1e-12);
    }

    #[test]
    fn reports_singular_column() {
        let a = Matrix::from_rows(&[&[1.0, 2.0], &[2.0, 4.0]]);
        let err = Lu::factor(&a).unwrap_err();
        assert_eq!(err.column, 1);
    }

    #[test]
    fn rcond_of_identity_is_one() {
        let lu = Lu::factor(&Matrix::identity(4)).unwrap();
        assert!((lu.rcond() - 1.0).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn residual_is_small_for_diagonally_dominant(
            entries in proptest::collection::vec(-1.0f64..1.0, 36),
            rhs in proptest::collection::vec(-10.0f64..10.0, 6),
        ) {
            let mut a = Matrix::from_row_major(6, 6, entries);
            for i in 0..6 {
                a[(i, i)] += 7.0;
            }
            let x = Lu::factor(&a).unwrap().solve(&rhs);
            let r = a.mul_vec(&x);
            for (ri, bi) in r.iter().zip(&rhs) {
                prop_assert!((ri - bi).abs() < 1e-12);
            }
        }
    }
}
