//! Reader of hourly weather in the NREL TMY3 CSV layout.
//!
//! Line 1 describes the station: `USAF id, name, state, time zone [h from UTC],
//! latitude [°N], longitude [°E], elevation [m]`. Line 2 names the columns, each with
//! its unit in brackets, and every further line is one hour. pelab reads
//! `Date (MM/DD/YYYY)`, `Time (HH:MM)`, `GHI (W/m^2)`, `DNI (W/m^2)`, `DHI (W/m^2)`,
//! `Dry-bulb (C)` and `Wspd (m/s)`; other columns are ignored. Timestamps are local
//! standard time at the end of the hour that the values average (`01:00` to `24:00`).
//!
//! A user file with the same two header lines and columns reads the same way. The
//! reader rejects what would otherwise give a plausible but wrong day. That covers a
//! missing column, a column in another unit, a missing or non-numeric value, an hour
//! that does not follow the previous one, and values outside the physical range. When
//! all irradiance stays below 2 W/m², the message suggests kW/m².

use std::fmt;

/// Largest weather file accepted [bytes]; a TMY3 year is about 1.7 MB.
pub const MAX_WEATHER_BYTES: usize = 16 << 20;

/// Highest plausible global or direct irradiance [W/m²]: the solar constant is
/// 1361 W/m², and cloud enhancement rarely lifts ground values above 1400 W/m².
const MAX_IRRADIANCE_W_PER_M2: f64 = 1500.0;
/// Irradiance below which a whole file of daylight values looks like kW/m² [W/m²].
const KILOWATT_HINT_W_PER_M2: f64 = 2.0;
/// Accepted air temperature range [°C].
const TEMP_AIR_RANGE_C: (f64, f64) = (-90.0, 60.0);
/// Highest accepted wind speed [m/s].
const MAX_WIND_SPEED_M_PER_S: f64 = 100.0;

/// Cumulative days before each month of a non-leap year.
const DAYS_BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Station metadata from line 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// Station name.
    pub name: String,
    /// Offset of local standard time from UTC [h], e.g. −5 for US Eastern.
    pub time_zone_hours: f64,
    /// Latitude [°], north positive.
    pub latitude_deg: f64,
    /// Longitude [°], east positive.
    pub longitude_deg: f64,
    /// Elevation [m].
    pub elevation_m: f64,
}

/// One hour of weather.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourRecord {
    /// Calendar year of the source month (TMY years mix months of different years).
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// Hour ending, 1 to 24, local standard time.
    pub hour: u32,
    /// Global horizontal irradiance [W/m²].
    pub ghi: f64,
    /// Direct normal irradiance [W/m²].
    pub dni: f64,
    /// Diffuse horizontal irradiance [W/m²].
    pub dhi: f64,
    /// Air temperature [°C].
    pub temp_air: f64,
    /// Wind speed [m/s].
    pub wind_speed: f64,
}

impl HourRecord {
    /// Day of the year, 1 to 365, counting on a non-leap calendar (TMY3 files have
    /// no 29 February).
    pub fn day_of_year(&self) -> u32 {
        DAYS_BEFORE_MONTH[(self.month.clamp(1, 12) - 1) as usize] + self.day
    }
}

/// A parsed weather file.
#[derive(Debug, Clone, PartialEq)]
pub struct Weather {
    /// Station metadata.
    pub station: Station,
    /// Hours in file order, each one hour after the previous.
    pub records: Vec<HourRecord>,
}

/// An error in a weather file, with the line (1-based) where it was found.
#[derive(Debug, Clone, PartialEq)]
pub enum WeatherError {
    /// The file is not UTF-8 text or exceeds [`MAX_WEATHER_BYTES`].
    Unreadable(String),
    /// A required column is absent from line 2.
    MissingColumn {
        /// The column expected, with its unit.
        column: &'static str,
    },
    /// A column exists in another unit than the one pelab reads.
    WrongUnit {
        /// Header of the column found.
        found: String,
        /// Header expected.
        expected: &'static str,
    },
    /// A value is missing, not a number, or out of range.
    InvalidValue {
        /// Line number.
        line: usize,
        /// Column header.
        column: String,
        /// The text found.
        value: String,
        /// Accepted range.
        expected: String,
    },
    /// An hour does not follow the previous one.
    Gap {
        /// Line number.
        line: usize,
        /// Timestamp found.
        found: String,
        /// Timestamp expected.
        expected: String,
    },
}

impl fmt::Display for WeatherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeatherError::Unreadable(why) => write!(f, "unreadable weather file: {why}"),
            WeatherError::MissingColumn { column } => {
                write!(f, "the weather file has no column \"{column}\" on line 2")
            }
            WeatherError::WrongUnit { found, expected } => write!(
                f,
                "weather column \"{found}\" has an unsupported unit; expected \"{expected}\" \
                 (convert the values first)"
            ),
            WeatherError::InvalidValue {
                line,
                column,
                value,
                expected,
            } => write!(
                f,
                "line {line}, column \"{column}\": invalid value \"{value}\"; expected {expected}"
            ),
            WeatherError::Gap {
                line,
                found,
                expected,
            } => write!(
                f,
                "line {line}: gap in the hourly data, found {found} where {expected} was expected"
            ),
        }
    }
}

impl std::error::Error for WeatherError {}

/// Columns pelab reads: the header prefix that names the quantity and the full header
/// with the unit it expects.
const COLUMNS: [(&str, &str); 7] = [
    ("Date (", "Date (MM/DD/YYYY)"),
    ("Time (", "Time (HH:MM)"),
    ("GHI (", "GHI (W/m^2)"),
    ("DNI (", "DNI (W/m^2)"),
    ("DHI (", "DHI (W/m^2)"),
    ("Dry-bulb (", "Dry-bulb (C)"),
    ("Wspd (", "Wspd (m/s)"),
];

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (k, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(line[start..k].trim().trim_matches('"'));
                start = k + 1;
            }
            _ => {}
        }
    }
    fields.push(line[start..].trim().trim_matches('"'));
    fields
}

/// Parses a station line.
fn parse_station(line: &str) -> Result<Station, WeatherError> {
    let fields = split_csv(line);
    let number = |k: usize, name: &str, min: f64, max: f64| {
        let text = fields.get(k).copied().unwrap_or("");
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= min && *v <= max)
            .ok_or_else(|| WeatherError::InvalidValue {
                line: 1,
                column: name.to_string(),
                value: text.to_string(),
                expected: format!("a number from {min} to {max}"),
            })
    };
    Ok(Station {
        name: fields.get(1).copied().unwrap_or("").to_string(),
        time_zone_hours: number(3, "time zone [h]", -12.0, 14.0)?,
        latitude_deg: number(4, "latitude [°]", -90.0, 90.0)?,
        longitude_deg: number(5, "longitude [°]", -180.0, 180.0)?,
        elevation_m: number(6, "elevation [m]", -500.0, 9000.0)?,
    })
}

/// Finds the index of each column of [`COLUMNS`] in the header fields.
fn find_columns(header: &[&str]) -> Result<[usize; 7], WeatherError> {
    let mut indices = [0; 7];
    for (slot, (prefix, expected)) in indices.iter_mut().zip(COLUMNS) {
        if let Some(k) = header.iter().position(|h| *h == expected) {
            *slot = k;
            continue;
        }
        if let Some(found) = header.iter().find(|h| h.starts_with(prefix)) {
            return Err(WeatherError::WrongUnit {
                found: (*found).to_string(),
                expected,
            });
        }
        return Err(WeatherError::MissingColumn { column: expected });
    }
    Ok(indices)
}

/// Parses `MM/DD/YYYY` into (year, month, day), accepting only real non-leap-day dates.
fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('/');
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year: i32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1000..=9999).contains(&year) {
        return None;
    }
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(month - 1) as usize];
    (day >= 1 && day <= month_days).then_some((year, month, day))
}

/// Parses `HH:MM` with `MM = 00` into the hour ending, 1 to 24.
fn parse_hour(text: &str) -> Option<u32> {
    let (hours, minutes) = text.split_once(':')?;
    let hour: u32 = hours.parse().ok()?;
    (minutes == "00" && (1..=24).contains(&hour)).then_some(hour)
}

/// Parses a weather file in the TMY3 layout (see the module documentation).
///
/// # Errors
/// [`WeatherError`] naming the line, column and value at fault.
pub fn parse_tmy3(bytes: &[u8]) -> Result<Weather, WeatherError> {
    if bytes.len() > MAX_WEATHER_BYTES {
        return Err(WeatherError::Unreadable(format!(
            "{} bytes; expected at most {MAX_WEATHER_BYTES}",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| WeatherError::Unreadable(format!("not UTF-8 text ({e})")))?;
    let mut lines = text.lines();
    let station = parse_station(lines.next().unwrap_or(""))?;
    let header = split_csv(lines.next().unwrap_or(""));
    let columns = find_columns(&header)?;

    let mut records: Vec<HourRecord> = Vec::with_capacity(8760);
    for (k, line) in lines.enumerate() {
        let line_number = k + 3;
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv(line);
        let field = |c: usize| fields.get(columns[c]).copied().unwrap_or("");
        let invalid = |c: usize, expected: &str| WeatherError::InvalidValue {
            line: line_number,
            column: COLUMNS[c].1.to_string(),
            value: field(c).to_string(),
            expected: expected.to_string(),
        };
        let (year, month, day) =
            parse_date(field(0)).ok_or_else(|| invalid(0, "a date MM/DD/YYYY"))?;
        let hour = parse_hour(field(1)).ok_or_else(|| invalid(1, "an hour from 01:00 to 24:00"))?;
        let number = |c: usize, min: f64, max: f64| {
            field(c)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= min && *v <= max)
                .ok_or_else(|| invalid(c, &format!("a number from {min} to {max}")))
        };
        let record = HourRecord {
            year,
            month,
            day,
            hour,
            ghi: number(2, 0.0, MAX_IRRADIANCE_W_PER_M2)?,
            dni: number(3, 0.0, MAX_IRRADIANCE_W_PER_M2)?,
            dhi: number(4, 0.0, MAX_IRRADIANCE_W_PER_M2)?,
            temp_air: number(5, TEMP_AIR_RANGE_C.0, TEMP_AIR_RANGE_C.1)?,
            wind_speed: number(6, 0.0, MAX_WIND_SPEED_M_PER_S)?,
        };
        if let Some(previous) = records.last() {
            check_next_hour(previous, &record, line_number)?;
        }
        records.push(record);
    }
    if records.is_empty() {
        return Err(WeatherError::Unreadable(
            "no hourly rows after the two header lines".to_string(),
        ));
    }
    check_irradiance_unit(&records)?;
    Ok(Weather { station, records })
}

/// Checks that `next` is the hour after `previous` (years may differ, as in TMY files).
fn check_next_hour(
    previous: &HourRecord,
    next: &HourRecord,
    line: usize,
) -> Result<(), WeatherError> {
    let index = |r: &HourRecord| (r.day_of_year() - 1) * 24 + r.hour;
    if index(next) == index(previous) + 1 {
        return Ok(());
    }
    let stamp = |r: &HourRecord| format!("{:02}/{:02} {:02}:00", r.month, r.day, r.hour);
    let expected_index = index(previous) + 1;
    let (doy, hour) = ((expected_index - 1) / 24 + 1, (expected_index - 1) % 24 + 1);
    let month = DAYS_BEFORE_MONTH
        .iter()
        .rposition(|&d| d < doy)
        .unwrap_or(0);
    let expected = format!(
        "{:02}/{:02} {hour:02}:00",
        month + 1,
        doy - DAYS_BEFORE_MONTH[month]
    );
    Err(WeatherError::Gap {
        line,
        found: stamp(next),
        expected,
    })
}

/// Rejects files whose irradiance never exceeds a few W/m², which is what kW/m²
/// values look like. A real site gets hundreds of W/m² on any day with sun.
fn check_irradiance_unit(records: &[HourRecord]) -> Result<(), WeatherError> {
    let max_ghi = records.iter().map(|r| r.ghi).fold(0.0, f64::max);
    if records.len() >= 24 && max_ghi > 0.0 && max_ghi <= KILOWATT_HINT_W_PER_M2 {
        return Err(WeatherError::InvalidValue {
            line: 0,
            column: COLUMNS[2].1.to_string(),
            value: format!("maximum {max_ghi}"),
            expected: "W/m² (the values look like kW/m²; multiply them by 1000)".to_string(),
        });
    }
    Ok(())
}

impl Weather {
    /// Returns the 24 hours of day-of-year `day` (1 to 365) with the hour before and
    /// after when the file has them, for interpolation across midnight.
    ///
    /// # Errors
    /// A message naming the days the file covers when `day` is not complete in it.
    pub fn day_window(&self, day: u32) -> Result<DayWindow, String> {
        let start = self
            .records
            .iter()
            .position(|r| r.day_of_year() == day && r.hour == 1);
        let first = self.records.first().map(HourRecord::day_of_year);
        let last = self.records.last().map(HourRecord::day_of_year);
        let Some(start) = start.filter(|s| s + 24 <= self.records.len()) else {
            return Err(format!(
                "invalid value {day}; the weather file covers days {} to {} completely or in part",
                first.unwrap_or(0),
                last.unwrap_or(0)
            ));
        };
        let hours = self.records[start..start + 24].to_vec();
        Ok(DayWindow {
            before: start.checked_sub(1).map(|k| self.records[k]),
            hours,
            after: self.records.get(start + 24).copied(),
        })
    }
}

/// One day of hourly records with its neighbours.
#[derive(Debug, Clone, PartialEq)]
pub struct DayWindow {
    /// The hour ending at 00:00 of the day, when present.
    pub before: Option<HourRecord>,
    /// The 24 hours ending 01:00 to 24:00.
    pub hours: Vec<HourRecord>,
    /// The hour ending at 01:00 of the next day, when present.
    pub after: Option<HourRecord>,
}

/// Weather values at one instant, interpolated from the hourly averages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeatherSample {
    /// Global horizontal irradiance [W/m²].
    pub ghi: f64,
    /// Direct normal irradiance [W/m²].
    pub dni: f64,
    /// Diffuse horizontal irradiance [W/m²].
    pub dhi: f64,
    /// Air temperature [°C].
    pub temp_air: f64,
    /// Wind speed [m/s].
    pub wind_speed: f64,
}

impl DayWindow {
    /// Values at `t` seconds after local midnight (standard time), interpolated
    /// linearly between hour midpoints: the value of the hour ending at `h:00` is
    /// placed at `h − 0.5` h. Before the first and after the last midpoint the
    /// neighbouring day's hour is used when present, otherwise the value is held.
    pub fn sample(&self, t: f64) -> WeatherSample {
        let hours = t / 3600.0;
        let position = (hours + 0.5).clamp(0.0, 25.0);
        let lower = position.floor() as usize;
        let fraction = position - lower as f64;
        let record = |k: usize| -> &HourRecord {
            match k {
                0 => self.before.as_ref().unwrap_or(&self.hours[0]),
                1..=24 => &self.hours[k - 1],
                _ => self.after.as_ref().unwrap_or(&self.hours[23]),
            }
        };
        let (a, b) = (record(lower), record(lower + 1));
        let mix = |x: f64, y: f64| x + (y - x) * fraction;
        WeatherSample {
            ghi: mix(a.ghi, b.ghi),
            dni: mix(a.dni, b.dni),
            dhi: mix(a.dhi, b.dhi),
            temp_air: mix(a.temp_air, b.temp_air),
            wind_speed: mix(a.wind_speed, b.wind_speed),
        }
    }

    /// Time of the midpoint of hour `k` (0 to 23) [s after midnight].
    pub fn midpoint(k: usize) -> f64 {
        (k as f64 + 0.5) * 3600.0
    }
}

/// The embedded TMY3 year for Greensboro, NC (USAF 723170), from `data/weather/`.
pub const EMBEDDED_TMY3: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/weather/tmy3_723170TYA.csv"
));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_year_parses() {
        let weather = parse_tmy3(EMBEDDED_TMY3.as_bytes()).expect("embedded TMY3 parses");
        assert_eq!(weather.records.len(), 8760);
        assert!((weather.station.latitude_deg - 36.1).abs() < 1e-9);
        assert!((weather.station.longitude_deg + 79.95).abs() < 1e-9);
        assert_eq!(weather.station.time_zone_hours, -5.0);
        assert_eq!(weather.records[8759].day_of_year(), 365);
    }

    fn edited(transform: impl Fn(&str) -> String) -> Vec<u8> {
        transform(EMBEDDED_TMY3).into_bytes()
    }

    fn error_of(bytes: &[u8]) -> String {
        match parse_tmy3(bytes) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn missing_column_is_named() {
        let text = edited(|t| t.replacen("DNI (W/m^2)", "DNX", 1));
        assert!(error_of(&text).contains("no column \"DNI (W/m^2)\""));
    }

    #[test]
    fn kilowatt_header_is_rejected() {
        let text = edited(|t| t.replacen("GHI (W/m^2)", "GHI (kW/m^2)", 1));
        let message = error_of(&text);
        assert!(message.contains("GHI (kW/m^2)"), "{message}");
        assert!(message.contains("expected \"GHI (W/m^2)\""), "{message}");
    }

    #[test]
    fn kilowatt_values_are_detected() {
        let mut weather = parse_tmy3(EMBEDDED_TMY3.as_bytes()).expect("parses");
        for r in &mut weather.records {
            r.ghi /= 1000.0;
        }
        let message = check_irradiance_unit(&weather.records)
            .expect_err("kW/m² detected")
            .to_string();
        assert!(message.contains("kW/m²"), "{message}");
    }

    #[test]
    fn gap_names_line_and_hour() {
        let lines: Vec<&str> = EMBEDDED_TMY3.lines().collect();
        let mut kept: Vec<&str> = lines[..12].to_vec();
        kept.extend(&lines[13..40]);
        let message = error_of(kept.join("\n").as_bytes());
        assert!(message.contains("line 13"), "{message}");
        assert!(
            message.contains("01/01 12:00 where 01/01 11:00"),
            "{message}"
        );
    }

    #[test]
    fn nan_value_is_rejected() {
        let lines: Vec<String> = EMBEDDED_TMY3.lines().map(str::to_string).collect();
        let mut fields: Vec<String> = lines[14].split(',').map(str::to_string).collect();
        fields[4] = "NaN".to_string();
        let mut edited_lines = lines[..40].to_vec();
        edited_lines[14] = fields.join(",");
        let message = error_of(edited_lines.join("\n").as_bytes());
        assert!(message.contains("line 15"), "{message}");
        assert!(message.contains("\"NaN\""), "{message}");
        assert!(message.contains("GHI"), "{message}");
    }

    #[test]
    fn day_window_and_interpolation() {
        let weather = parse_tmy3(EMBEDDED_TMY3.as_bytes()).expect("parses");
        let window = weather.day_window(172).expect("day 172 present");
        assert_eq!(window.hours.len(), 24);
        assert_eq!(window.hours[0].month, 6);
        assert_eq!(window.hours[0].day, 21);
        for k in 0..24 {
            let s = window.sample(DayWindow::midpoint(k));
            assert_eq!(s.ghi, window.hours[k].ghi);
        }
        let between = window.sample(DayWindow::midpoint(12) + 1800.0);
        let expected = 0.5 * (window.hours[12].ghi + window.hours[13].ghi);
        assert!((between.ghi - expected).abs() < 1e-9);
        assert!(weather.day_window(366).is_err());
    }
}
