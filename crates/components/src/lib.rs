//! Part models from datasheet data, loss calculators and thermal networks.
//!
//! - [`curve`]: validated datasheet curves with monotone interpolation that never
//!   extrapolates silently.
//! - [`diagnostics`]: findings that name the part, the curve and the point.
//! - [`loss`]: conduction, switching and passive loss calculators.
//! - [`magnetics`]: core shapes, Steinmetz and iGSE core loss, Dowell winding
//!   resistance and inductors.
//! - [`passive`]: capacitors, current shunts and NTC thermistors.
//! - [`pv`]: PV modules: the single-diode model and the CEC module database.
//! - [`thermal`]: Foster and Cauer networks, thermal stacks on a shared heatsink,
//!   junction temperatures from power profiles, and the thermal calculator.
//! - [`semiconductor`]: transistor and diode models from datasheet curves.
//! - [`import`]: the LEA transistor-database JSON importer with its findings.
//! - [`library`]: the built-in parts and the user's part library.

pub mod curve;
pub mod diagnostics;
pub mod import;
pub mod library;
pub mod loss;
pub mod magnetics;
pub mod passive;
pub mod pv;
pub mod semiconductor;
pub mod thermal;
