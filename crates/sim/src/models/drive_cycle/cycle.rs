//! Drive-cycle speed traces: the built-in cycles and a checked parser for user CSV
//! files.
//!
//! A cycle is a table of time [s], vehicle speed and, optionally, road grade
//! (rise over run, so 0.05 is a 5 % climb). The header row names the columns, and
//! the speed column's name carries its unit, because a trace in km/h read as m/s
//! gives a vehicle 3.6 times too fast and still looks like a plausible curve:
//!
//! | column | accepted header names (case-insensitive) |
//! | --- | --- |
//! | time [s] | `cycSecs`, `time`, `time_s`, `t`, `t_s` |
//! | speed [m/s] | `cycMps`, `speed_mps`, `speed_m_s`, `v_mps`, `v_m_s` |
//! | speed [km/h] | `cycKph`, `speed_kmh`, `speed_km_h`, `speed_kph`, `v_kmh`, `v_km_h` |
//! | speed [mph] | `cycMph`, `speed_mph`, `v_mph` |
//! | grade [1] | `cycGrade`, `grade` |
//!
//! Other columns (such as FASTSim's `cycRoadType`) are ignored. Blank lines and lines
//! starting with `#` are skipped, and a UTF-8 byte-order mark is removed.
//!
//! Between samples the speed is interpolated linearly, so the acceleration is constant
//! over each sample interval.

use std::fmt;

/// Largest cycle file accepted [bytes]: 16 MiB is about a million rows of a 1 Hz trace.
pub const MAX_CYCLE_BYTES: usize = 16 << 20;

/// Most rows accepted.
pub const MAX_CYCLE_ROWS: usize = 1_000_000;

/// Highest speed accepted [m/s]: 70 m/s = 252 km/h. A higher value in a passenger-car
/// trace almost always means a column in km/h or mph labelled as m/s.
pub const MAX_SPEED_MPS: f64 = 70.0;

/// Largest acceleration magnitude accepted between two samples [m/s²]: 10 m/s² is
/// about 1 g, more than the tyres of a road car can transmit.
pub const MAX_ACCELERATION_MPS2: f64 = 10.0;

/// Largest road grade magnitude accepted [1]: 0.5 (50 %) is beyond the steepest
/// public roads.
pub const MAX_GRADE: f64 = 0.5;

/// Longest time step accepted between two samples [s]. Speed traces are sampled at
/// 10 Hz to 1 Hz; a step of more than 10 s is a gap in the data.
pub const MAX_TIME_STEP_S: f64 = 10.0;

/// Built-in cycle names, as accepted by `parameters.cycle`.
pub const BUILT_IN: [&str; 4] = ["udds", "hwfet", "us06", "wltc_3b"];

const UDDS: &str = include_str!("../../../../../data/drive-cycles/udds.csv");
const HWFET: &str = include_str!("../../../../../data/drive-cycles/hwfet.csv");
const US06: &str = include_str!("../../../../../data/drive-cycles/us06.csv");
const WLTC_3B: &str = include_str!("../../../../../data/drive-cycles/wltc_3b.csv");

/// A speed trace with the speed in m/s.
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    /// Sample times, strictly increasing [s].
    pub time_s: Vec<f64>,
    /// Vehicle speed at each sample, at least 0 [m/s].
    pub speed_mps: Vec<f64>,
    /// Road grade at each sample, rise over run [1].
    pub grade: Vec<f64>,
}

/// A rejected cycle file: the 1-based line (when one is at fault) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CycleError {
    /// 1-based line number in the file, `None` for a problem of the whole file.
    pub line: Option<usize>,
    /// Reason, with the accepted range.
    pub message: String,
}

impl fmt::Display for CycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

fn error(line: Option<usize>, message: impl Into<String>) -> CycleError {
    CycleError {
        line,
        message: message.into(),
    }
}

/// Unit of the speed column, found from its header name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpeedUnit {
    MetresPerSecond,
    KilometresPerHour,
    MilesPerHour,
}

impl SpeedUnit {
    /// Factor from this unit to m/s (1 mph = 0.44704 m/s exactly, by definition of
    /// the international mile).
    fn to_mps(self) -> f64 {
        match self {
            SpeedUnit::MetresPerSecond => 1.0,
            SpeedUnit::KilometresPerHour => 1.0 / 3.6,
            SpeedUnit::MilesPerHour => 0.447_04,
        }
    }
}

const TIME_NAMES: [&str; 5] = ["cycsecs", "time", "time_s", "t", "t_s"];
const MPS_NAMES: [&str; 5] = ["cycmps", "speed_mps", "speed_m_s", "v_mps", "v_m_s"];
const KMH_NAMES: [&str; 6] = [
    "cyckph",
    "speed_kmh",
    "speed_km_h",
    "speed_kph",
    "v_kmh",
    "v_km_h",
];
const MPH_NAMES: [&str; 3] = ["cycmph", "speed_mph", "v_mph"];
const GRADE_NAMES: [&str; 2] = ["cycgrade", "grade"];

/// Returns the embedded built-in cycle `name`, parsed.
///
/// # Errors
/// A [`CycleError`] for an unknown name (the embedded files themselves are checked
/// by the tests).
pub fn built_in(name: &str) -> Result<Cycle, CycleError> {
    let text = match name {
        "udds" => UDDS,
        "hwfet" => HWFET,
        "us06" => US06,
        "wltc_3b" => WLTC_3B,
        _ => {
            return Err(error(
                None,
                format!(
                    "unknown cycle \"{name}\"; expected one of: {}",
                    BUILT_IN.join(", ")
                ),
            ));
        }
    };
    parse_cycle(text.as_bytes())
}

/// Reads and parses the cycle file at `path`.
///
/// # Errors
/// A [`CycleError`] when the file cannot be read, is larger than
/// [`MAX_CYCLE_BYTES`], or fails [`parse_cycle`].
pub fn read_cycle_file(path: &std::path::Path) -> Result<Cycle, CycleError> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| error(None, format!("cannot read {}: {e}", path.display())))?;
    if metadata.len() > MAX_CYCLE_BYTES as u64 {
        return Err(error(
            None,
            format!(
                "{} is {} bytes, more than the {MAX_CYCLE_BYTES}-byte limit",
                path.display(),
                metadata.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| error(None, format!("cannot read {}: {e}", path.display())))?;
    parse_cycle(&bytes)
}

/// Parses a cycle CSV (see the [module documentation](self) for the columns) and
/// checks it: times finite, strictly increasing, with no step above
/// [`MAX_TIME_STEP_S`]; speeds finite, from 0 to [`MAX_SPEED_MPS`]; accelerations at
/// most [`MAX_ACCELERATION_MPS2`]; grades at most [`MAX_GRADE`] in magnitude.
///
/// # Errors
/// A [`CycleError`] naming the line and the value at fault.
pub fn parse_cycle(bytes: &[u8]) -> Result<Cycle, CycleError> {
    if bytes.len() > MAX_CYCLE_BYTES {
        return Err(error(
            None,
            format!(
                "cycle is {} bytes, more than the {MAX_CYCLE_BYTES}-byte limit",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            None,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    let Some((header_line, header)) = lines.next() else {
        return Err(error(None, "empty file; expected a header row and samples"));
    };
    let columns = Columns::from_header(header_line, header)?;

    let mut cycle = Cycle {
        time_s: Vec::new(),
        speed_mps: Vec::new(),
        grade: Vec::new(),
    };
    for (line_number, line) in lines {
        if cycle.time_s.len() >= MAX_CYCLE_ROWS {
            return Err(error(
                Some(line_number),
                format!("more than {MAX_CYCLE_ROWS} samples"),
            ));
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != columns.count {
            return Err(error(
                Some(line_number),
                format!(
                    "{} fields; expected {} as in the header",
                    fields.len(),
                    columns.count
                ),
            ));
        }
        let number = |index: usize, what: &str| -> Result<f64, CycleError> {
            let field = fields[index];
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(error(
                    Some(line_number),
                    format!("invalid {what} \"{field}\"; expected a finite number"),
                )),
            }
        };
        let t = number(columns.time, "time")?;
        let raw_speed = number(columns.speed, "speed")?;
        let speed = raw_speed * columns.unit.to_mps();
        let grade = match columns.grade {
            Some(index) => number(index, "grade")?,
            None => 0.0,
        };
        check_sample(line_number, &cycle, t, raw_speed, speed, grade)?;
        cycle.time_s.push(t);
        cycle.speed_mps.push(speed);
        cycle.grade.push(grade);
    }
    if cycle.time_s.len() < 2 {
        return Err(error(
            None,
            format!(
                "{} samples; expected at least 2 after the header",
                cycle.time_s.len()
            ),
        ));
    }
    Ok(cycle)
}

/// Column positions of a cycle file.
struct Columns {
    count: usize,
    time: usize,
    speed: usize,
    unit: SpeedUnit,
    grade: Option<usize>,
}

impl Columns {
    fn from_header(line: usize, header: &str) -> Result<Self, CycleError> {
        let names: Vec<String> = header
            .split(',')
            .map(|name| name.trim().trim_matches('"').to_ascii_lowercase())
            .collect();
        let find = |accepted: &[&str]| names.iter().position(|n| accepted.contains(&n.as_str()));
        let Some(time) = find(&TIME_NAMES) else {
            return Err(error(
                Some(line),
                format!(
                    "no time column in header \"{header}\"; expected one named {}",
                    TIME_NAMES.join(", ")
                ),
            ));
        };
        let speed_columns = [
            (find(&MPS_NAMES), SpeedUnit::MetresPerSecond),
            (find(&KMH_NAMES), SpeedUnit::KilometresPerHour),
            (find(&MPH_NAMES), SpeedUnit::MilesPerHour),
        ];
        let mut found = speed_columns
            .iter()
            .filter_map(|(index, unit)| index.map(|i| (i, *unit)));
        let Some((speed, unit)) = found.next() else {
            let hint = if names.iter().any(|n| n.contains("speed") || n == "v") {
                " (a column named speed or v has no unit; rename it to speed_mps, speed_kmh or speed_mph)"
            } else {
                ""
            };
            return Err(error(
                Some(line),
                format!(
                    "no speed column with a unit in header \"{header}\"{hint}; expected one of {}, {} or {}",
                    MPS_NAMES.join(", "),
                    KMH_NAMES.join(", "),
                    MPH_NAMES.join(", ")
                ),
            ));
        };
        if found.next().is_some() {
            return Err(error(
                Some(line),
                format!("more than one speed column in header \"{header}\"; keep one"),
            ));
        }
        Ok(Self {
            count: names.len(),
            time,
            speed,
            unit,
            grade: find(&GRADE_NAMES),
        })
    }
}

/// Checks one sample against the limits and the previous sample.
fn check_sample(
    line: usize,
    cycle: &Cycle,
    t: f64,
    raw_speed: f64,
    speed: f64,
    grade: f64,
) -> Result<(), CycleError> {
    if speed < 0.0 {
        return Err(error(
            Some(line),
            format!("invalid speed {raw_speed}; expected at least 0"),
        ));
    }
    if speed > MAX_SPEED_MPS {
        return Err(error(
            Some(line),
            format!(
                "invalid speed {raw_speed} ({speed:.1} m/s); expected at most {MAX_SPEED_MPS} m/s \
                 (a km/h or mph column labelled as m/s gives such values)"
            ),
        ));
    }
    if grade.abs() > MAX_GRADE {
        return Err(error(
            Some(line),
            format!(
                "invalid grade {grade}; expected rise over run from -{MAX_GRADE} to {MAX_GRADE}"
            ),
        ));
    }
    let (Some(&t_prev), Some(&v_prev)) = (cycle.time_s.last(), cycle.speed_mps.last()) else {
        return Ok(());
    };
    let dt = t - t_prev;
    if dt <= 0.0 {
        return Err(error(
            Some(line),
            format!("time {t} s does not increase (previous sample at {t_prev} s)"),
        ));
    }
    if dt > MAX_TIME_STEP_S {
        return Err(error(
            Some(line),
            format!(
                "gap of {dt} s after {t_prev} s; expected samples at most {MAX_TIME_STEP_S} s apart"
            ),
        ));
    }
    let acceleration = (speed - v_prev) / dt;
    if acceleration.abs() > MAX_ACCELERATION_MPS2 {
        return Err(error(
            Some(line),
            format!(
                "acceleration {acceleration:.2} m/s² from {t_prev} s to {t} s is above \
                 {MAX_ACCELERATION_MPS2} m/s² (check the speed unit in the header)"
            ),
        ));
    }
    Ok(())
}

impl Cycle {
    /// Duration from the first to the last sample [s].
    pub fn duration_s(&self) -> f64 {
        match (self.time_s.first(), self.time_s.last()) {
            (Some(first), Some(last)) => last - first,
            _ => 0.0,
        }
    }

    /// Distance of the linearly interpolated trace [m], by the trapezoidal rule, which
    /// is exact for piecewise-linear speed.
    pub fn distance_m(&self) -> f64 {
        self.time_s
            .windows(2)
            .zip(self.speed_mps.windows(2))
            .map(|(t, v)| 0.5 * (v[0] + v[1]) * (t[1] - t[0]))
            .sum()
    }
}

/// Linear interpolation of a [`Cycle`] for increasing query times.
///
/// Keeps the index of the current sample interval, so a sweep over the whole cycle
/// costs O(samples + queries).
#[derive(Debug, Clone, Copy, Default)]
pub struct CycleCursor {
    segment: usize,
}

/// The trace at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TracePoint {
    /// Speed [m/s].
    pub speed_mps: f64,
    /// Acceleration of the sample interval containing the instant [m/s²].
    pub acceleration_mps2: f64,
    /// Grade, interpolated linearly [1].
    pub grade: f64,
}

impl CycleCursor {
    /// Returns the trace at `t` [s], clamped to the cycle's time span. Queries must
    /// not go back in time.
    pub fn at(&mut self, cycle: &Cycle, t: f64) -> TracePoint {
        let times = &cycle.time_s;
        let last = times.len().saturating_sub(2);
        while self.segment < last && t >= times[self.segment + 1] {
            self.segment += 1;
        }
        let k = self.segment;
        let (t0, t1) = (times[k], times[k + 1]);
        let (v0, v1) = (cycle.speed_mps[k], cycle.speed_mps[k + 1]);
        let (g0, g1) = (cycle.grade[k], cycle.grade[k + 1]);
        let fraction = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
        TracePoint {
            speed_mps: v0 + fraction * (v1 - v0),
            acceleration_mps2: (v1 - v0) / (t1 - t0),
            grade: g0 + fraction * (g1 - g0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse_cycle(text.as_bytes())
            .expect_err("the cycle must be rejected")
            .to_string()
    }

    #[test]
    fn built_in_cycles_parse() {
        for (name, samples, duration) in [
            ("udds", 1370, 1369.0),
            ("hwfet", 766, 765.0),
            ("us06", 601, 600.0),
            ("wltc_3b", 1801, 1800.0),
        ] {
            let cycle = built_in(name).expect("built-in cycles are valid");
            assert_eq!(cycle.time_s.len(), samples, "{name}");
            assert_eq!(cycle.duration_s(), duration, "{name}");
        }
    }

    #[test]
    fn wltc_distance_matches_gtr15() {
        // UNECE GTR 15 gives 23.266 km for the class 3b cycle (rounded).
        let km = built_in("wltc_3b").expect("valid").distance_m() / 1e3;
        assert!((km - 23.266).abs() < 0.01, "{km} km");
    }

    #[test]
    fn kmh_header_converts_to_mps() {
        let cycle = parse_cycle(b"time_s,speed_kmh\n0,0\n1,36\n2,36\n").expect("valid km/h cycle");
        assert_eq!(cycle.speed_mps, vec![0.0, 10.0, 10.0]);
    }

    #[test]
    fn mph_header_converts_to_mps() {
        let cycle = parse_cycle(b"t,speed_mph\n0,10\n1,10\n").expect("valid mph cycle");
        assert!((cycle.speed_mps[0] - 4.4704).abs() < 1e-12);
    }

    #[test]
    fn speed_without_unit_rejected() {
        let text = message("time,speed\n0,0\n1,1\n");
        assert!(text.contains("line 1"), "{text}");
        assert!(text.contains("speed_kmh"), "{text}");
    }

    #[test]
    fn kmh_labelled_as_mps_rejected() {
        let text = message("time_s,speed_mps\n0,0\n1,8\n2,16\n3,100\n");
        assert!(text.contains("line 5"), "{text}");
        assert!(text.contains("100"), "{text}");
    }

    #[test]
    fn non_monotonic_time_rejected() {
        let text = message("time_s,speed_mps\n0,0\n2,1\n1,1\n");
        assert!(
            text.starts_with("line 4: time 1 s does not increase"),
            "{text}"
        );
    }

    #[test]
    fn gap_rejected() {
        let text = message("time_s,speed_mps\n0,0\n1,1\n30,1\n");
        assert!(text.contains("line 4: gap of 29 s"), "{text}");
    }

    #[test]
    fn negative_speed_rejected() {
        let text = message("time_s,speed_mps\n0,0\n1,-1\n");
        assert!(text.starts_with("line 3: invalid speed -1"), "{text}");
    }

    #[test]
    fn absurd_acceleration_rejected() {
        let text = message("time_s,speed_mps\n0,0\n1,20\n");
        assert!(text.contains("line 3: acceleration 20.00"), "{text}");
    }

    #[test]
    fn bad_number_rejected() {
        let text = message("time_s,speed_mps\n0,0\n1,NaN\n");
        assert!(text.contains("line 3: invalid speed \"NaN\""), "{text}");
    }

    #[test]
    fn wrong_field_count_rejected() {
        let text = message("time_s,speed_mps\n0,0,0\n");
        assert!(text.contains("line 2: 3 fields; expected 2"), "{text}");
    }

    #[test]
    fn cursor_interpolates_linearly() {
        let cycle = parse_cycle(b"time_s,speed_mps,grade\n0,0,0\n1,2,0.02\n3,2,0.02\n")
            .expect("valid cycle");
        let mut cursor = CycleCursor::default();
        let p = cursor.at(&cycle, 0.25);
        assert_eq!(p.speed_mps, 0.5);
        assert_eq!(p.acceleration_mps2, 2.0);
        assert_eq!(p.grade, 0.005);
        let p = cursor.at(&cycle, 2.0);
        assert_eq!(p.speed_mps, 2.0);
        assert_eq!(p.acceleration_mps2, 0.0);
    }
}
