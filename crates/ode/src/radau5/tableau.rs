//! The Radau IIA (order 5) coefficients, as printed to 20 digits by
//! `scripts/reference/ode/radau_constants.py`. Keeping every printed digit lets a reader
//! compare them with the script's output; the compiler rounds each to the nearest `f64`.

#![allow(clippy::excessive_precision)]

/// Nodes `c₁, c₂` (`c₃ = 1`).
pub(super) const C1: f64 = 0.155_051_025_721_682_19;
pub(super) const C2: f64 = 0.644_948_974_278_317_81;
/// Eigenvalues of `A⁻¹`: `γ` and `α ± iβ`.
pub(super) const GAMMA: f64 = 3.637_834_252_744_495_7;
pub(super) const ALPHA: f64 = 2.681_082_873_627_752_1;
pub(super) const BETA: f64 = 3.050_430_199_247_410_6;
/// `T` with `T⁻¹ A⁻¹ T = Λ`, row by row.
pub(super) const T: [[f64; 3]; 3] = [
    [
        0.094_438_762_488_975_241,
        -0.141_255_295_020_954_21,
        -0.030_029_194_105_147_424,
    ],
    [
        0.250_213_122_965_333_31,
        0.204_129_352_293_799_93,
        0.382_942_112_757_261_94,
    ],
    [1.0, 1.0, 0.0],
];
/// `T⁻¹`, row by row.
pub(super) const T_INV: [[f64; 3]; 3] = [
    [
        4.178_718_591_551_904_7,
        0.327_682_820_761_062_39,
        0.523_376_445_499_449_55,
    ],
    [
        -4.178_718_591_551_904_7,
        -0.327_682_820_761_062_39,
        0.476_623_554_500_550_45,
    ],
    [
        -0.502_872_634_945_786_88,
        2.571_926_949_855_605_4,
        -0.596_039_204_828_224_92,
    ],
];
/// Weights `d` of the error estimate.
pub(super) const D: [f64; 3] = [-10.048_809_399_827_415, 1.382_142_733_160_748_9, -1.0 / 3.0];
/// `V⁻¹` with `V_ik = c_i^(k+1)`: maps `Z` to the polynomial coefficients `p`.
pub(super) const V_INV: [[f64; 3]; 3] = [
    [10.048_809_399_827_415, -1.382_142_733_160_748_9, 1.0 / 3.0],
    [-25.629_591_447_076_639, 10.296_258_113_743_306, -8.0 / 3.0],
    [15.580_782_047_249_224, -8.914_115_380_582_557_2, 10.0 / 3.0],
];

#[cfg(test)]
mod tests {
    use pelab_linalg::{Lu, Matrix};

    use super::*;

    /// Returns the Butcher matrix in closed form, to check the derived constants.
    fn butcher_matrix() -> Matrix {
        let s6 = 6f64.sqrt();
        Matrix::from_rows(&[
            &[
                (88.0 - 7.0 * s6) / 360.0,
                (296.0 - 169.0 * s6) / 1800.0,
                (-2.0 + 3.0 * s6) / 225.0,
            ],
            &[
                (296.0 + 169.0 * s6) / 1800.0,
                (88.0 + 7.0 * s6) / 360.0,
                (-2.0 - 3.0 * s6) / 225.0,
            ],
            &[(16.0 - s6) / 36.0, (16.0 + s6) / 36.0, 1.0 / 9.0],
        ])
    }

    fn matrix(rows: [[f64; 3]; 3]) -> Matrix {
        Matrix::from_rows(&[&rows[0], &rows[1], &rows[2]])
    }

    #[test]
    fn transformation_block_diagonalises_inverse() {
        let a_inv = Lu::factor(&butcher_matrix()).unwrap().inverse();
        let lambda = matrix(T_INV).matmul(&a_inv).matmul(&matrix(T));
        let expected = [[GAMMA, 0.0, 0.0], [0.0, ALPHA, -BETA], [0.0, BETA, ALPHA]];
        for i in 0..3 {
            for j in 0..3 {
                assert!(
                    (lambda[(i, j)] - expected[i][j]).abs() < 1e-13,
                    "Λ[{i}][{j}] = {}",
                    lambda[(i, j)]
                );
            }
        }
    }

    #[test]
    fn nodes_are_row_sums() {
        let a = butcher_matrix();
        let nodes = [C1, C2, 1.0];
        for (i, &c) in nodes.iter().enumerate() {
            let row_sum = a[(i, 0)] + a[(i, 1)] + a[(i, 2)];
            assert!((row_sum - c).abs() < 1e-15, "row {i}: {row_sum} vs {c}");
        }
    }

    #[test]
    fn polynomial_map_interpolates_nodes() {
        let nodes = [C1, C2, 1.0];
        let v = Matrix::from_rows(&[
            &[C1, C1 * C1, C1 * C1 * C1],
            &[C2, C2 * C2, C2 * C2 * C2],
            &[1.0, 1.0, 1.0],
        ]);
        let product = v.matmul(&matrix(V_INV));
        for i in 0..3 {
            for j in 0..3 {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!(
                    (product[(i, j)] - expected).abs() < 1e-13,
                    "node {}",
                    nodes[i]
                );
            }
        }
    }

    #[test]
    fn error_weights_match_closed_form() {
        let s6 = 6f64.sqrt();
        assert!((D[0] + (13.0 + 7.0 * s6) / 3.0).abs() < 1e-14);
        assert!((D[1] - (-13.0 + 7.0 * s6) / 3.0).abs() < 1e-14);
    }
}
