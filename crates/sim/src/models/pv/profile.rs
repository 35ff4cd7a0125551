//! Irradiance and cell-temperature profiles that drive the array: one day of TMY3
//! weather, or the EN 50530-style dynamic MPPT ramps.
//!
//! # EN 50530-style ramps
//!
//! EN 50530 (overall efficiency of grid-connected PV inverters) tests dynamic MPPT
//! efficiency with trapezoidal irradiance ramps between two levels. pelab implements
//! two ramp sequences relative to STC irradiance `G_STC = 1000 W/m²`, with the levels
//! and slopes commonly quoted for the standard. NOTE: they were not checked against
//! the text of EN 50530, which was not available.
//!
//! | sequence | levels | slopes [W/m²/s] |
//! | --- | --- | --- |
//! | `low_medium` | 10 % to 50 % (100 to 500 W/m²) | 0.5, 1, 2, 3, 5, 7, 10, 14, 20, 30, 50 |
//! | `medium_high` | 30 % to 100 % (300 to 1000 W/m²) | 10, 14, 20, 30, 50, 100 |
//!
//! Each slope is one group: a dwell at the low level, then `cycles` times (ramp up,
//! dwell high, ramp down, dwell low). The cell temperature is held constant, as on a
//! PV-simulator test bench. NOTE: the dwell time and the number of cycles are
//! parameters (defaults 10 s and 2), not the standard's per-slope repetition counts,
//! which were not available to check.

use super::string::PvArray;
use super::sun::{Plane, calendar_day_of_year, julian_day, sun_position};
use super::temperature::SapmTemperature;
use super::weather::DayWindow;

/// Slopes of the 10–50 % sequence [W/m²/s].
pub const LOW_MEDIUM_SLOPES: [f64; 11] =
    [0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 20.0, 30.0, 50.0];
/// Slopes of the 30–100 % sequence [W/m²/s].
pub const MEDIUM_HIGH_SLOPES: [f64; 6] = [10.0, 14.0, 20.0, 30.0, 50.0, 100.0];
/// Levels of the 10–50 % sequence [W/m²].
pub const LOW_MEDIUM_LEVELS: (f64, f64) = (100.0, 500.0);
/// Levels of the 30–100 % sequence [W/m²].
pub const MEDIUM_HIGH_LEVELS: (f64, f64) = (300.0, 1000.0);

/// Operating conditions of the array at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditions {
    /// POA irradiance [W/m²].
    pub irradiance: f64,
    /// Cell temperature [°C].
    pub temp_cell: f64,
}

/// One slope group of the ramp profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RampGroup {
    /// Low level [W/m²].
    pub low: f64,
    /// High level [W/m²].
    pub high: f64,
    /// Slope [W/m²/s].
    pub slope: f64,
    /// Start [s].
    pub start: f64,
    /// End [s].
    pub end: f64,
}

/// The piecewise-linear irradiance of the ramp test.
#[derive(Debug, Clone, PartialEq)]
pub struct RampProfile {
    /// Corners `(t [s], G [W/m²])`, increasing in time.
    pub corners: Vec<(f64, f64)>,
    /// Slope groups in time order.
    pub groups: Vec<RampGroup>,
    /// Cell temperature [°C].
    pub temp_cell: f64,
}

impl RampProfile {
    /// Builds the groups of `sequences` (pairs of levels and slopes) with `dwell` [s]
    /// at each level and `cycles` ramps up and down per slope.
    pub fn new(
        sequences: &[((f64, f64), &[f64])],
        dwell: f64,
        cycles: usize,
        temp_cell: f64,
    ) -> Self {
        let mut corners = Vec::new();
        let mut groups = Vec::new();
        let mut t = 0.0;
        for &((low, high), slopes) in sequences {
            for &slope in slopes {
                let start = t;
                let ramp = (high - low) / slope;
                corners.push((t, low));
                t += dwell;
                for _ in 0..cycles {
                    corners.push((t, low));
                    t += ramp;
                    corners.push((t, high));
                    t += dwell;
                    corners.push((t, high));
                    t += ramp;
                    corners.push((t, low));
                    t += dwell;
                }
                corners.push((t, low));
                groups.push(RampGroup {
                    low,
                    high,
                    slope,
                    start,
                    end: t,
                });
            }
        }
        Self {
            corners,
            groups,
            temp_cell,
        }
    }

    /// Duration of the whole profile [s].
    pub fn duration(&self) -> f64 {
        self.corners.last().map_or(0.0, |c| c.0)
    }

    /// Irradiance at `t` [W/m²], held beyond the ends.
    pub fn irradiance(&self, t: f64) -> f64 {
        let k = self.corners.partition_point(|c| c.0 <= t);
        if k == 0 {
            return self.corners.first().map_or(0.0, |c| c.1);
        }
        if k >= self.corners.len() {
            return self.corners.last().map_or(0.0, |c| c.1);
        }
        let (t0, g0) = self.corners[k - 1];
        let (t1, g1) = self.corners[k];
        if t1 <= t0 {
            g1
        } else {
            g0 + (g1 - g0) * (t - t0) / (t1 - t0)
        }
    }
}

/// One day of TMY3 weather on a plane.
#[derive(Debug, Clone, PartialEq)]
pub struct DayProfile {
    /// The day's hourly records.
    pub window: DayWindow,
    /// Module plane.
    pub plane: Plane,
    /// Cell-temperature model.
    pub temperature: SapmTemperature,
    /// Latitude [°N].
    pub latitude_deg: f64,
    /// Longitude [°E].
    pub longitude_deg: f64,
    /// Offset of local standard time from UTC [h].
    pub time_zone_hours: f64,
    /// Day of the year, 1 to 365, on the non-leap calendar of TMY files.
    pub day_of_year: u32,
}

/// Sun position, POA irradiance and cell temperature at one instant of the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaySample {
    /// Sun zenith [°].
    pub zenith_deg: f64,
    /// Sun azimuth [°].
    pub azimuth_deg: f64,
    /// POA irradiance [W/m²].
    pub poa: f64,
    /// Cell temperature [°C].
    pub temp_cell: f64,
}

impl DayProfile {
    /// Sun position, POA irradiance and cell temperature at `t` seconds after local
    /// standard midnight.
    pub fn sample(&self, t: f64) -> DaySample {
        let first = &self.window.hours[0];
        let hours_ut = t / 3600.0 - self.time_zone_hours;
        let jd = julian_day(first.year, first.month, first.day, hours_ut);
        let sun = sun_position(jd, self.latitude_deg, self.longitude_deg);
        let weather = self.window.sample(t);
        let calendar_day = calendar_day_of_year(first.year, first.month, first.day);
        let poa = self
            .plane
            .irradiance(
                sun,
                weather.ghi,
                weather.dni,
                weather.dhi,
                f64::from(calendar_day),
            )
            .global;
        DaySample {
            zenith_deg: sun.zenith_deg,
            azimuth_deg: sun.azimuth_deg,
            poa,
            temp_cell: self
                .temperature
                .cell_temperature(poa, weather.temp_air, weather.wind_speed),
        }
    }
}

/// The profile a run follows.
#[derive(Debug, Clone, PartialEq)]
pub enum Profile {
    /// One TMY3 day.
    Day(Box<DayProfile>),
    /// EN 50530-style ramps.
    Ramps(RampProfile),
}

impl Profile {
    /// Conditions at `t` [s].
    pub fn conditions(&self, t: f64) -> Conditions {
        match self {
            Profile::Day(day) => {
                let s = day.sample(t);
                Conditions {
                    irradiance: s.poa,
                    temp_cell: s.temp_cell,
                }
            }
            Profile::Ramps(ramps) => Conditions {
                irradiance: ramps.irradiance(t),
                temp_cell: ramps.temp_cell,
            },
        }
    }

    /// Times strictly inside `(from, to)` where the profile has a corner, so that a
    /// run can split its integration there.
    pub fn corners_between(&self, from: f64, to: f64) -> Vec<f64> {
        match self {
            Profile::Day(_) => Vec::new(),
            Profile::Ramps(ramps) => ramps
                .corners
                .iter()
                .map(|c| c.0)
                .filter(|&t| t > from && t < to)
                .collect(),
        }
    }
}

/// Largest array open-circuit voltage over the profile's plausible extremes, for the
/// check against the bus voltage: 1000 W/m² at −10 °C cell temperature.
pub fn worst_case_v_oc(array: &PvArray) -> Option<f64> {
    array.at(1000.0, -10.0).map(|d| d.v_oc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_have_the_stated_slopes() {
        let profile = RampProfile::new(&[(LOW_MEDIUM_LEVELS, &[2.0])], 10.0, 2, 25.0);
        assert_eq!(profile.irradiance(0.0), 100.0);
        assert_eq!(profile.irradiance(10.0), 100.0);
        assert!((profile.irradiance(60.0) - 200.0).abs() < 1e-9);
        assert_eq!(profile.irradiance(210.0), 500.0);
        // 10 s dwell, then 2 × (200 + 10 + 200 + 10) s.
        assert_eq!(profile.duration(), 850.0);
        assert_eq!(profile.groups.len(), 1);
    }
}
