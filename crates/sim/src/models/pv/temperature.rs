//! Cell temperature by the Sandia Array Performance Model (SAPM).
//!
//! King et al., *Sandia Photovoltaic Array Performance Model*, SAND2004-3535 (2004),
//! as pvlib 0.16.1 implements it in `temperature.sapm_cell`:
//!
//! ```text
//! T_m = E e^(a + b WS) + T_a          back-of-module temperature [°C]
//! T_c = T_m + (E / E_0) ΔT            cell temperature [°C], E_0 = 1000 W/m²
//! ```
//!
//! with POA irradiance `E` [W/m²], wind speed `WS` [m/s] at 10 m and air temperature
//! `T_a` [°C]. The coefficients `a`, `b` and `ΔT` are the report's empirical values for
//! four mountings (the same as pvlib's `TEMPERATURE_MODEL_PARAMETERS['sapm']`). The
//! model is steady state: it ignores the module's thermal time constant of several
//! minutes, which matters for fast cloud transients but not for hourly data.

/// Reference irradiance of the temperature difference `ΔT` [W/m²].
const E0_W_PER_M2: f64 = 1000.0;

/// SAPM temperature coefficients of one mounting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SapmTemperature {
    /// Coefficient `a` [1].
    pub a: f64,
    /// Wind coefficient `b` [s/m].
    pub b: f64,
    /// Cell-to-back temperature difference at 1000 W/m², `ΔT` [°C].
    pub delta_t: f64,
}

/// Mounting names accepted by `parameters.mounting`, with their coefficients.
pub const MOUNTINGS: [(&str, SapmTemperature); 4] = [
    (
        "open_rack_glass_glass",
        SapmTemperature {
            a: -3.47,
            b: -0.0594,
            delta_t: 3.0,
        },
    ),
    (
        "close_mount_glass_glass",
        SapmTemperature {
            a: -2.98,
            b: -0.0471,
            delta_t: 1.0,
        },
    ),
    (
        "open_rack_glass_polymer",
        SapmTemperature {
            a: -3.56,
            b: -0.075,
            delta_t: 3.0,
        },
    ),
    (
        "insulated_back_glass_polymer",
        SapmTemperature {
            a: -2.81,
            b: -0.0455,
            delta_t: 0.0,
        },
    ),
];

/// Returns the coefficients of mounting `name`, if it is one of [`MOUNTINGS`].
pub fn mounting(name: &str) -> Option<SapmTemperature> {
    MOUNTINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, coefficients)| *coefficients)
}

impl SapmTemperature {
    /// Cell temperature [°C] at POA irradiance `poa` [W/m²], air temperature
    /// `temp_air` [°C] and wind speed `wind_speed` [m/s].
    pub fn cell_temperature(&self, poa: f64, temp_air: f64, wind_speed: f64) -> f64 {
        let back = poa * (self.a + self.b * wind_speed).exp() + temp_air;
        back + poa / E0_W_PER_M2 * self.delta_t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_cell_is_at_air_temperature() {
        for (_, m) in MOUNTINGS {
            assert_eq!(m.cell_temperature(0.0, 12.5, 3.0), 12.5);
        }
    }

    #[test]
    fn matches_pvlib_docstring_example() {
        // pvlib 0.16.1: sapm_cell(1000, 10, 0, open_rack_glass_glass) = 44.11703066106086.
        let m = mounting("open_rack_glass_glass").expect("known mounting");
        assert!((m.cell_temperature(1000.0, 10.0, 0.0) - 44.11703066106086).abs() < 1e-12);
    }

    #[test]
    fn open_rack_at_1000_still_air() {
        // e^−3.56 · 1000 + 20 + 3 = 51.44 °C for glass/polymer in still air.
        let m = mounting("open_rack_glass_polymer").expect("known mounting");
        let t = m.cell_temperature(1000.0, 20.0, 0.0);
        assert!((t - (1000.0 * (-3.56f64).exp() + 23.0)).abs() < 1e-12);
        assert!((t - 51.44).abs() < 0.01, "{t}");
    }
}
