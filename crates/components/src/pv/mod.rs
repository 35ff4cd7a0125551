//! Photovoltaic modules: the single-diode model with the CEC parameter translation,
//! and the CEC module database.
//!
//! - [`SingleDiode`]: the five parameters at one operating condition and the I-V
//!   curve, short-circuit current, open-circuit voltage and maximum power point.
//! - [`CecModule`]: reference parameters of one module of the CEC database, and their
//!   translation to irradiance and cell temperature ([`CecModule::at`]).
//! - [`database`]: the parser of the CEC module table.

pub mod database;
mod single_diode;

pub use database::{CecDatabase, CecModule, DatabaseError};
pub use single_diode::{MaxPowerPoint, SingleDiode};
