//! The inductance matrix of coupled inductors.

use std::collections::HashSet;

use pelab_linalg::{Lu, Matrix};

use super::build::{CircuitError, element_error};
use super::{Branch, BranchKind};
use crate::netlist::{ElementKind, Netlist};

/// Builds the inductance matrix with mutual terms `M = k √(L₁ L₂)` and its inverse,
/// both row-major.
///
/// # Errors
/// [`CircuitError`] for couplings that name unknown, saturating or the same
/// inductors, and for coupling coefficients that make the matrix indefinite.
pub(crate) fn inductance_matrices(
    netlist: &Netlist,
    branches: &[Branch],
    inductances: &[f64],
) -> Result<(Vec<f64>, Vec<f64>), CircuitError> {
    let n = inductances.len();
    let mut matrix = Matrix::zeros(n, n);
    for (i, l) in inductances.iter().enumerate() {
        matrix[(i, i)] = *l;
    }
    let inductor_of = |name: &str| {
        branches.iter().find_map(|b| match &b.kind {
            BranchKind::Inductor {
                inductor,
                saturation,
                ..
            } if b.name.eq_ignore_ascii_case(name) => Some((*inductor, saturation.is_some())),
            _ => None,
        })
    };
    let mut coupled: HashSet<(usize, usize)> = HashSet::new();
    let mut any_coupling = false;
    for element in &netlist.elements {
        let ElementKind::Coupling {
            inductor_a,
            inductor_b,
            k,
        } = &element.kind
        else {
            continue;
        };
        any_coupling = true;
        let resolve = |name: &str| {
            inductor_of(name).ok_or_else(|| {
                element_error(
                    &element.name,
                    element.line,
                    format!("'{name}' is not an inductor of this circuit"),
                )
            })
        };
        let (a, a_saturates) = resolve(inductor_a)?;
        let (b, b_saturates) = resolve(inductor_b)?;
        if a == b {
            return Err(element_error(
                &element.name,
                element.line,
                "an inductor cannot couple with itself",
            ));
        }
        if a_saturates || b_saturates {
            return Err(element_error(
                &element.name,
                element.line,
                "coupled inductors cannot saturate (isat/lsat); saturation is supported on single inductors",
            ));
        }
        if !coupled.insert((a.min(b), a.max(b))) {
            return Err(element_error(
                &element.name,
                element.line,
                "this pair of inductors is coupled twice",
            ));
        }
        let mutual = k * (inductances[a] * inductances[b]).sqrt();
        matrix[(a, b)] = mutual;
        matrix[(b, a)] = mutual;
    }
    if n == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    // The matrix is symmetric; it is a valid inductance matrix when positive definite,
    // which holds exactly when every leading principal minor is positive.
    if any_coupling {
        for size in 1..=n {
            let minor = matrix.block(0, 0, size, size);
            let determinant = Lu::factor(&minor).map(|lu| lu.determinant()).unwrap_or(0.0);
            if !(determinant > 0.0) {
                return Err(CircuitError::Circuit(
                    "the inductance matrix is not positive definite: the coupling coefficients \
                     (K elements) are inconsistent with each other"
                        .into(),
                ));
            }
        }
    }
    let lu = Lu::factor(&matrix)
        .map_err(|e| CircuitError::Circuit(format!("the inductance matrix is singular: {e}")))?;
    Ok((matrix.into_vec(), lu.inverse().into_vec()))
}
