//! Conversion between Foster and Cauer networks.
//!
//! # Foster → Cauer
//!
//! The Foster impedance `Z(s) = Σᵢ Rᵢ / (1 + s τᵢ)` has poles `−λᵢ = −1/τᵢ` and
//! residues `wᵢ = Rᵢ / τᵢ`. A Cauer ladder (capacitance `C_k` to the reference at each
//! node, resistance `R_k` to the next) has `Z(s) = e₁ᵀ (sC + G)⁻¹ e₁`, with `G` the
//! tridiagonal conductance matrix and `C` diagonal. With
//! `M = C^{-1/2} G C^{-1/2}`, a symmetric tridiagonal (Jacobi) matrix,
//!
//! ```text
//! Z(s) = (1/C₁) e₁ᵀ (sI + M)⁻¹ e₁ = β Σᵢ q₁ᵢ² / (s + λᵢ),
//! ```
//!
//! so the ladder is the Jacobi matrix whose eigenvalues are the `λᵢ` and whose
//! eigenvectors start with `q₁ᵢ = sqrt(wᵢ / β)`, `β = Σ wᵢ = 1/C₁`. The classical route
//! to it, the continued-fraction (Cauer I) expansion of `Z(s)` as a ratio of
//! polynomials, works on polynomial coefficients whose condition grows like the
//! spread of the time constants to the power `n`: in double precision it loses all
//! digits near `n = 6…8` even after scaling `s`. Here the Jacobi matrix is built
//! instead by the Lanczos process on `diag(λ)` started from `q₁`, with full
//! reorthogonalisation (done twice), which uses orthogonal transformations only.
//! This is the standard stable solution of the inverse eigenvalue problem for
//! Jacobi matrices (G. H. Golub, G. Meurant, "Matrices, Moments and Quadrature with
//! Applications", Princeton 2010, ch. 6).
//!
//! The ladder elements then follow without any subtraction: `M` applied to
//! `u = C^{1/2} 1` gives `e_n / (Rₙ sqrt(Cₙ))` (every row of `G` but the last sums to
//! zero), so `u` is a multiple of `M⁻¹ e_n`. `M` is a Stieltjes matrix, its inverse is
//! entrywise positive, and the solve by tridiagonal elimination (stable without
//! pivoting for symmetric positive definite matrices) gives
//!
//! ```text
//! v = M⁻¹ e_n,  α² = 1 / (β v₁²),  C_k = α² v_k²,
//! R_k = 1 / (|b_k| sqrt(C_k C_{k+1})) (k < n),  Rₙ = 1 / (α² vₙ),
//! ```
//!
//! with `b_k` the off-diagonal of `M`. All elements are positive by construction.
//!
//! Every conversion is checked: `Σ R_k` against `Σ Rᵢ` and `Z(jω)` of the ladder
//! (evaluated as a continued fraction) against the Foster impedance at `ω = 0` and
//! `ω = 1/τᵢ` for every pair. A relative mismatch over [`CONVERSION_TOLERANCE`] is an
//! error; in tests with time constants spread over up to eight decades the mismatch
//! stays below `1e-12`.
//!
//! Pairs with exactly equal time constants are one pole; they are merged (their
//! resistances added) before the conversion, so the ladder has fewer stages. When
//! the Lanczos process finds the remaining poles numerically indistinguishable
//! (`b_k` below `n ε max λ`), the ladder stops there; the check above still applies.
//!
//! # Cauer → Foster
//!
//! The eigen-decomposition `M = Q Λ Qᵀ` (cyclic Jacobi, accurate for the graded
//! matrices ladders give) yields `τᵢ = 1/λᵢ` and `Rᵢ = q₁ᵢ² / (C₁ λᵢ)` directly. Modes
//! whose resistance is below `1e-15` of the total (numerically unobservable at the
//! junction) are dropped.

use pelab_linalg::Matrix;

use super::cauer::Cauer;
use super::eigen::symmetric_eigen;
use super::error::ThermalError;
use super::foster::Foster;

/// Largest relative mismatch of `Z(jω)` (checked at `ω = 0` and `ω = 1/τᵢ`) between a
/// network and its converted equivalent before the conversion counts as failed.
pub const CONVERSION_TOLERANCE: f64 = 1e-8;

/// A converted network with what the conversion did.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion<T> {
    /// The equivalent network.
    pub network: T,
    /// Pairs merged because their time constants were equal, or dropped because
    /// they were numerically invisible at the junction.
    pub pairs_removed: usize,
    /// Largest relative mismatch of `Z(jω)` found by the check (dimensionless).
    pub max_relative_error: f64,
}

impl Foster {
    /// The Cauer ladder with the same impedance (see the module documentation of
    /// [`convert`](super::convert) for the method and its accuracy).
    ///
    /// # Errors
    /// [`ThermalError::Numerical`] when the check of the result fails, which with
    /// validated data would mean time constants spread beyond what double precision
    /// resolves.
    pub fn to_cauer(&self) -> Result<Cauer, ThermalError> {
        self.to_cauer_checked().map(|c| c.network)
    }

    /// As [`Foster::to_cauer`], with the merge count and the checked error.
    ///
    /// # Errors
    /// As [`Foster::to_cauer`].
    pub fn to_cauer_checked(&self) -> Result<Conversion<Cauer>, ThermalError> {
        foster_to_cauer(self)
    }
}

impl Cauer {
    /// The Foster network with the same impedance, pairs sorted by increasing time
    /// constant.
    ///
    /// # Errors
    /// [`ThermalError::Numerical`] when the eigen-decomposition does not converge or
    /// the check of the result fails.
    pub fn to_foster(&self) -> Result<Foster, ThermalError> {
        self.to_foster_checked().map(|c| c.network)
    }

    /// As [`Cauer::to_foster`], with the number of dropped modes and the checked error.
    ///
    /// # Errors
    /// As [`Cauer::to_foster`].
    pub fn to_foster_checked(&self) -> Result<Conversion<Foster>, ThermalError> {
        cauer_to_foster(self)
    }
}

fn foster_to_cauer(foster: &Foster) -> Result<Conversion<Cauer>, ThermalError> {
    // Poles sorted by decreasing λ (increasing τ), exact duplicates merged.
    let mut pairs: Vec<(f64, f64)> = foster
        .tau_s()
        .iter()
        .zip(foster.r_k_per_w())
        .map(|(&tau, &r)| (tau, r))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
    for (tau, r) in pairs {
        match merged.last_mut() {
            Some(last) if last.0 == tau => last.1 += r,
            _ => merged.push((tau, r)),
        }
    }
    let mut pairs_removed = foster.pairs() - merged.len();

    let lambda: Vec<f64> = merged.iter().map(|&(tau, _)| 1.0 / tau).collect();
    let weight: Vec<f64> = merged.iter().map(|&(tau, r)| r / tau).collect();
    let beta: f64 = weight.iter().sum();
    let (a, b) = lanczos(&lambda, &weight, beta);
    pairs_removed += merged.len() - a.len();

    let (r, c) = ladder_from_jacobi(&a, &b, beta).ok_or_else(|| {
        ThermalError::numerical("", "the Cauer elements are not all positive and finite")
    })?;
    let cauer = Cauer::new(&r, &c)
        .map_err(|e| ThermalError::numerical("", format!("the Cauer ladder is invalid: {e}")))?;
    let max_relative_error = mismatch(foster, &cauer);
    if !(max_relative_error <= CONVERSION_TOLERANCE) {
        return Err(ThermalError::numerical(
            "",
            format!(
                "the Cauer equivalent differs from the Foster network by {max_relative_error:e} (relative), over the tolerance {CONVERSION_TOLERANCE:e}"
            ),
        ));
    }
    Ok(Conversion {
        network: cauer,
        pairs_removed,
        max_relative_error,
    })
}

/// The Jacobi matrix (diagonal `a`, off-diagonal `b`, `b.len() == a.len() − 1`) with
/// eigenvalues `lambda` and first eigenvector components `sqrt(weight / beta)`.
fn lanczos(lambda: &[f64], weight: &[f64], beta: f64) -> (Vec<f64>, Vec<f64>) {
    let n = lambda.len();
    let scale = lambda.iter().fold(0.0f64, |m, &l| m.max(l));
    let tolerance = n as f64 * f64::EPSILON;
    // Work with λ / scale; the matrix is scaled back at the end.
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(n);
    basis.push(weight.iter().map(|w| (w / beta).sqrt()).collect());
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n.saturating_sub(1));
    for j in 0..n {
        let q = &basis[j];
        let mut v: Vec<f64> = q.iter().zip(lambda).map(|(qi, l)| qi * l / scale).collect();
        a.push(dot(q, &v));
        for _ in 0..2 {
            for prev in &basis {
                let h = dot(prev, &v);
                for (vi, pi) in v.iter_mut().zip(prev) {
                    *vi -= h * pi;
                }
            }
        }
        if j + 1 == n {
            break;
        }
        let norm = dot(&v, &v).sqrt();
        if !(norm > tolerance) {
            break;
        }
        b.push(norm);
        basis.push(v.iter().map(|x| x / norm).collect());
    }
    for x in a.iter_mut().chain(b.iter_mut()) {
        *x *= scale;
    }
    (a, b)
}

/// Ladder elements `(R, C)` from the Jacobi matrix `M` (diagonal `a`, off-diagonal
/// magnitudes `b`) and `β = 1/C₁`; `None` if any comes out non-positive or non-finite.
fn ladder_from_jacobi(a: &[f64], b: &[f64], beta: f64) -> Option<(Vec<f64>, Vec<f64>)> {
    let n = a.len();
    // Solve M v = e_n, M = tridiag(−b, a, −b), by elimination from the top.
    let mut diag = a.to_vec();
    for k in 1..n {
        let l = -b[k - 1] / diag[k - 1];
        diag[k] -= l * -b[k - 1];
    }
    let mut v = vec![0.0; n];
    v[n - 1] = 1.0 / diag[n - 1];
    for k in (0..n - 1).rev() {
        v[k] = b[k] * v[k + 1] / diag[k];
    }
    let alpha2 = 1.0 / (beta * v[0] * v[0]);
    let c: Vec<f64> = v.iter().map(|vk| alpha2 * vk * vk).collect();
    let mut r: Vec<f64> = b
        .iter()
        .enumerate()
        .map(|(k, bk)| 1.0 / (bk * (c[k] * c[k + 1]).sqrt()))
        .collect();
    r.push(1.0 / (alpha2 * v[n - 1]));
    let ok = |x: &f64| x.is_finite() && *x > 0.0;
    (v.iter().all(ok) && c.iter().all(ok) && r.iter().all(ok)).then_some((r, c))
}

fn cauer_to_foster(cauer: &Cauer) -> Result<Conversion<Foster>, ThermalError> {
    let n = cauer.stages();
    let r = cauer.r_k_per_w();
    let c = cauer.c_j_per_k();
    // M = C^{-1/2} G C^{-1/2}.
    let mut m = Matrix::zeros(n, n);
    for k in 0..n {
        let g = 1.0 / r[k];
        m[(k, k)] += g / c[k];
        if k + 1 < n {
            m[(k + 1, k + 1)] += g / c[k + 1];
            let off = -g / (c[k] * c[k + 1]).sqrt();
            m[(k, k + 1)] = off;
            m[(k + 1, k)] = off;
        }
    }
    let eigen = symmetric_eigen(&m).ok_or_else(|| {
        ThermalError::numerical("", "the eigen-decomposition of the ladder did not converge")
    })?;
    let r_total = cauer.r_total_k_per_w();
    let mut r_out = Vec::with_capacity(n);
    let mut tau_out = Vec::with_capacity(n);
    // Eigenvalues ascending: τ descending; collect then reverse to ascending τ.
    for (i, &lambda) in eigen.values.iter().enumerate() {
        let q = eigen.vectors[(0, i)];
        let ri = q * q / (c[0] * lambda);
        if !(lambda > 0.0) || !ri.is_finite() {
            return Err(ThermalError::numerical(
                "",
                format!("the ladder has a non-positive eigenvalue {lambda:e} 1/s"),
            ));
        }
        if ri > 1e-15 * r_total {
            r_out.push(ri);
            tau_out.push(1.0 / lambda);
        }
    }
    r_out.reverse();
    tau_out.reverse();
    let pairs_removed = n - r_out.len();
    let foster = Foster::from_r_tau(&r_out, &tau_out).map_err(|e| {
        ThermalError::numerical("", format!("the Foster equivalent is invalid: {e}"))
    })?;
    let max_relative_error = mismatch(&foster, cauer);
    if !(max_relative_error <= CONVERSION_TOLERANCE) {
        return Err(ThermalError::numerical(
            "",
            format!(
                "the Foster equivalent differs from the Cauer ladder by {max_relative_error:e} (relative), over the tolerance {CONVERSION_TOLERANCE:e}"
            ),
        ));
    }
    Ok(Conversion {
        network: foster,
        pairs_removed,
        max_relative_error,
    })
}

/// Largest relative difference `|Z_F − Z_C| / |Z_F|` at `ω = 0` and `ω = 1/τᵢ`.
fn mismatch(foster: &Foster, cauer: &Cauer) -> f64 {
    let mut worst: f64 = 0.0;
    let omegas = std::iter::once(0.0).chain(foster.tau_s().iter().map(|t| 1.0 / t));
    for omega in omegas {
        let f = foster.impedance(omega);
        let c = cauer.impedance(omega);
        let diff = (f.0 - c.0).hypot(f.1 - c.1);
        let rel = diff / f.0.hypot(f.1);
        worst = if rel.is_nan() {
            f64::NAN
        } else {
            worst.max(rel)
        };
        if worst.is_nan() {
            break;
        }
    }
    worst
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
