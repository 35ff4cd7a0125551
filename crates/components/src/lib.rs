//! Part models from datasheet data, loss calculators and thermal networks.
//!
//! - [`curve`]: validated datasheet curves with monotone interpolation that never
//!   extrapolates silently.
//! - [`diagnostics`]: findings that name the part, the curve and the point.
//! - [`loss`]: conduction, switching and passive loss calculators.

pub mod curve;
pub mod diagnostics;
pub mod loss;
