//! Part models from datasheet data, loss calculators and thermal networks.
//!
//! - [`curve`]: validated datasheet curves with monotone interpolation that never
//!   extrapolates silently.
//! - [`diagnostics`]: findings that name the part, the curve and the point.
//! - [`magnetics`]: core shapes, Steinmetz and iGSE core loss, Dowell winding
//!   resistance and inductors.

pub mod curve;
pub mod diagnostics;
pub mod loss;
pub mod magnetics;
