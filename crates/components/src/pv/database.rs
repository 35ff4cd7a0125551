//! The CEC module database (the table of the California Energy Commission, as the
//! NREL System Advisor Model ships it) and the CEC translation of its reference
//! parameters to an operating condition.
//!
//! The translation is the De Soto model with the CEC adjustment of the temperature
//! coefficient, as pvlib's `calcparams_cec` implements it. Temperatures are in kelvin
//! (cell `T`, reference `T_ref` = 25 °C) and irradiance `S` has the reference
//! `S_ref = 1000 W/m²`:
//!
//! ```text
//! α'   = α_sc (1 − Adjust/100)
//! I_L  = S/S_ref (I_L,ref + α' (T − T_ref))
//! a    = a_ref T / T_ref
//! E_g  = E_g,ref (1 + dE_g/dT (T − T_ref)),   E_g,ref = 1.121 eV, dE_g/dT = −0.0002677 /K
//! I_0  = I_0,ref (T/T_ref)³ exp(E_g,ref/(k T_ref) − E_g/(k T))
//! R_sh = R_sh,ref S_ref / S,   R_s = R_s,ref
//! ```
//!
//! The tests compare the result with pvlib 0.16.1 for five modules and five
//! conditions (`scripts/pv/make_pvlib_reference.py`).

use super::single_diode::{BOLTZMANN_EV_PER_K, SingleDiode};

/// Band gap at the reference temperature [eV] (silicon, the CEC default).
const E_G_REF_EV: f64 = 1.121;
/// Relative temperature coefficient of the band gap [1/K] (the CEC default).
const DE_G_DT_PER_K: f64 = -0.0002677;
/// Reference cell temperature [°C].
const T_REF_C: f64 = 25.0;
/// Reference irradiance [W/m²].
const S_REF_W_PER_M2: f64 = 1000.0;
/// Absolute zero [°C].
const ZERO_KELVIN_C: f64 = -273.15;

/// Reference parameters of one CEC module.
#[derive(Debug, Clone, PartialEq)]
pub struct CecModule {
    /// Module name, manufacturer first.
    pub name: String,
    /// Cell technology, e.g. `Mono-c-Si`.
    pub technology: String,
    /// Cells in series.
    pub n_s: u32,
    /// Datasheet short-circuit current at STC [A].
    pub i_sc_ref: f64,
    /// Datasheet open-circuit voltage at STC [V].
    pub v_oc_ref: f64,
    /// Datasheet maximum-power current at STC [A].
    pub i_mp_ref: f64,
    /// Datasheet maximum-power voltage at STC [V].
    pub v_mp_ref: f64,
    /// Temperature coefficient of `I_sc` [A/K].
    pub alpha_sc: f64,
    /// Temperature coefficient of `V_oc` [V/K].
    pub beta_oc: f64,
    /// Modified ideality factor at STC [V].
    pub a_ref: f64,
    /// Photocurrent at STC [A].
    pub i_l_ref: f64,
    /// Saturation current at STC [A].
    pub i_o_ref: f64,
    /// Series resistance [Ω].
    pub r_s: f64,
    /// Shunt resistance at STC [Ω].
    pub r_sh_ref: f64,
    /// Adjustment of the temperature coefficient [%].
    pub adjust: f64,
}

/// Error of the module table or of a parameter translation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatabaseError {
    /// The table lacks a column.
    #[error("the module table has no column {0:?}")]
    MissingColumn(&'static str),
    /// No module has that name.
    #[error("no module named {0:?} in the CEC table")]
    NotFound(String),
    /// An operating condition is out of range.
    #[error("{field} must be {expected}, got {value}")]
    InvalidCondition {
        /// Field name.
        field: &'static str,
        /// Accepted range.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
}

/// The parsed module table.
#[derive(Debug, Clone, Default)]
pub struct CecDatabase {
    /// Modules with a complete parameter set, in table order.
    pub modules: Vec<CecModule>,
    /// Rows left out because a parameter was missing or not a finite number.
    pub skipped_rows: usize,
}

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

impl CecDatabase {
    /// Parses the SAM/pvlib CSV layout: a header row, a units row and a row of SAM
    /// names, then one module per row.
    ///
    /// # Errors
    /// [`DatabaseError::MissingColumn`] when a needed column is absent.
    pub fn parse(text: &str) -> Result<Self, DatabaseError> {
        let mut lines = text.lines();
        let header = split_csv(lines.next().unwrap_or_default());
        let column = |name: &'static str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or(DatabaseError::MissingColumn(name))
        };
        let columns = [
            column("Name")?,
            column("Technology")?,
            column("N_s")?,
            column("I_sc_ref")?,
            column("V_oc_ref")?,
            column("I_mp_ref")?,
            column("V_mp_ref")?,
            column("alpha_sc")?,
            column("beta_oc")?,
            column("a_ref")?,
            column("I_L_ref")?,
            column("I_o_ref")?,
            column("R_s")?,
            column("R_sh_ref")?,
            column("Adjust")?,
        ];
        let mut database = CecDatabase::default();
        for line in lines.skip(2) {
            let fields = split_csv(line);
            let text = |k: usize| fields.get(columns[k]).map(String::as_str).unwrap_or("");
            let number = |k: usize| text(k).trim().parse::<f64>().ok().filter(|v| v.is_finite());
            let values: Option<Vec<f64>> = (2..columns.len()).map(number).collect();
            let Some(v) = values else {
                database.skipped_rows += 1;
                continue;
            };
            let module = CecModule {
                name: text(0).to_string(),
                technology: text(1).to_string(),
                n_s: v[0].max(0.0) as u32,
                i_sc_ref: v[1],
                v_oc_ref: v[2],
                i_mp_ref: v[3],
                v_mp_ref: v[4],
                alpha_sc: v[5],
                beta_oc: v[6],
                a_ref: v[7],
                i_l_ref: v[8],
                i_o_ref: v[9],
                r_s: v[10],
                r_sh_ref: v[11],
                adjust: v[12],
            };
            let usable = module.a_ref > 0.0
                && module.i_o_ref > 0.0
                && module.r_s >= 0.0
                && module.r_sh_ref > 0.0
                && !module.name.is_empty();
            if usable {
                database.modules.push(module);
            } else {
                database.skipped_rows += 1;
            }
        }
        Ok(database)
    }

    /// Finds the module named `name` (exact match first, then ignoring case).
    ///
    /// # Errors
    /// [`DatabaseError::NotFound`].
    pub fn find(&self, name: &str) -> Result<&CecModule, DatabaseError> {
        self.modules
            .iter()
            .find(|m| m.name == name)
            .or_else(|| {
                self.modules
                    .iter()
                    .find(|m| m.name.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| DatabaseError::NotFound(name.to_string()))
    }
}

impl CecModule {
    /// Translates the reference parameters to irradiance `irradiance` [W/m²] and cell
    /// temperature `temp_cell` [°C] (see the module documentation).
    ///
    /// # Errors
    /// [`DatabaseError::InvalidCondition`] for an irradiance outside (0, 2000] W/m² or
    /// a cell temperature outside −60 to 150 °C.
    pub fn at(&self, irradiance: f64, temp_cell: f64) -> Result<SingleDiode, DatabaseError> {
        if !(irradiance > 0.0 && irradiance <= 2000.0) {
            return Err(DatabaseError::InvalidCondition {
                field: "irradiance",
                expected: "above 0 and at most 2000 W/m²",
                value: irradiance,
            });
        }
        if !(-60.0..=150.0).contains(&temp_cell) {
            return Err(DatabaseError::InvalidCondition {
                field: "temp_cell",
                expected: "between −60 and 150 °C",
                value: temp_cell,
            });
        }
        let t_ref = T_REF_C - ZERO_KELVIN_C;
        let t = temp_cell - ZERO_KELVIN_C;
        let alpha = self.alpha_sc * (1.0 - self.adjust / 100.0);
        let e_g = E_G_REF_EV * (1.0 + DE_G_DT_PER_K * (t - t_ref));
        let k = BOLTZMANN_EV_PER_K;
        Ok(SingleDiode {
            i_l: irradiance / S_REF_W_PER_M2 * (self.i_l_ref + alpha * (t - t_ref)),
            i_0: self.i_o_ref
                * (t / t_ref).powi(3)
                * (E_G_REF_EV / (k * t_ref) - e_g / (k * t)).exp(),
            r_s: self.r_s,
            r_sh: self.r_sh_ref * S_REF_W_PER_M2 / irradiance,
            a: self.a_ref * t / t_ref,
        })
    }
}
