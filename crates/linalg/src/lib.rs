//! Small dense linear algebra for pelab.
//!
//! Circuit state-space models have a handful to a few dozen states, so a dense
//! row-major matrix with an LU factorisation and a matrix exponential is all the
//! simulator needs. The hot loops of the engine do not use this crate: they work
//! on the flat slices that [`Matrix::as_slice`] exposes.
//!
//! - [`Matrix`]: row-major dense matrix with the usual products and norms.
//! - [`Lu`]: LU factorisation with partial pivoting and a reciprocal condition
//!   estimate, for MNA systems and Newton iterations.
//! - [`expm`](expm::expm) and [`discretize_zoh`](expm::discretize_zoh): the
//!   exponential by scaling and squaring with Padé approximants, and the exact
//!   zero-order-hold discretisation of `dx/dt = A x + B u` built on it.

mod expm;
mod lu;
mod matrix;

pub use expm::{Discretization, discretize_zoh, expm};
pub use lu::{Lu, SingularMatrix};
pub use matrix::Matrix;
