//! Number formatting with engineering prefixes, and "nice" axis ticks.

/// SI prefixes from 1e-15 to 1e12 in steps of 1e3; index 5 is no prefix.
const PREFIXES: [&str; 10] = ["f", "p", "n", "\u{B5}", "m", "", "k", "M", "G", "T"];
const NO_PREFIX_INDEX: i32 = 5;

/// Units that are shown without an SI prefix: relative units, logarithmic units, angles
/// and temperatures, where "1.2 k%" or "25 m°C" would read wrongly.
const UNPREFIXED_UNITS: [&str; 11] = [
    "", "%", "\u{B0}C", "degC", "K", "dB", "dBc", "\u{B0}", "deg", "-", "1",
];

/// Returns whether values in `unit` may carry an SI prefix.
pub(crate) fn takes_prefix(unit: &str) -> bool {
    !UNPREFIXED_UNITS.contains(&unit.trim())
}

/// Formats a value with `digits` significant digits, an SI prefix and the unit, such as
/// "1.23 kW" or "4.5 mA". Trailing zeros are dropped. Units listed in `UNPREFIXED_UNITS`
/// keep the plain number. NaN is written "NaN" and infinities "+Inf" or "-Inf".
pub(crate) fn engineering(value: f64, unit: &str, digits: usize) -> String {
    let unit = unit.trim();
    let (number, prefix) = if !value.is_finite() {
        (non_finite(value).to_owned(), "")
    } else if takes_prefix(unit) {
        prefixed(value, digits)
    } else {
        (significant(value, digits), "")
    };
    let unit = format!("{prefix}{unit}");
    if unit.is_empty() {
        number
    } else {
        format!("{number} {unit}")
    }
}

fn non_finite(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// Splits a finite value into a mantissa with `digits` significant digits and an SI
/// prefix, falling back to scientific notation outside femto to tera.
fn prefixed(value: f64, digits: usize) -> (String, &'static str) {
    if value == 0.0 {
        return ("0".to_owned(), "");
    }
    let mut exponent = engineering_exponent(value.abs());
    let mut mantissa = round_significant(value / 10f64.powi(exponent), digits);
    // Rounding can carry into the next group: 999.96 with 4 digits is 1000, so 1 k.
    if mantissa.abs() >= 1000.0 {
        exponent += 3;
        mantissa = round_significant(value / 10f64.powi(exponent), digits);
    }
    match prefix_for(exponent) {
        Some(prefix) => {
            let text = format!("{mantissa:.*}", decimals(mantissa, digits));
            (trim_zeros(&text), prefix)
        }
        None => (scientific(value, digits), ""),
    }
}

/// Exponent that is a multiple of 3 and puts |value| in [1, 1000).
fn engineering_exponent(magnitude: f64) -> i32 {
    let exponent = magnitude.log10().floor() as i32;
    exponent.div_euclid(3) * 3
}

/// Number of decimals that shows `digits` significant digits of `mantissa`.
fn decimals(mantissa: f64, digits: usize) -> usize {
    let magnitude = mantissa.abs();
    let integer_digits = if magnitude < 1.0 {
        1
    } else {
        magnitude.log10().floor() as usize + 1
    };
    digits.saturating_sub(integer_digits)
}

fn round_significant(value: f64, digits: usize) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let exponent = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits as i32 - 1 - exponent);
    let rounded = (value * scale).round() / scale;
    if rounded.is_finite() { rounded } else { value }
}

/// Formats a finite value with `digits` significant digits and no prefix, switching to
/// scientific notation outside 1e-3..1e6.
fn significant(value: f64, digits: usize) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs();
    if !(1e-3..1e6).contains(&magnitude) {
        return scientific(value, digits);
    }
    let rounded = round_significant(value, digits);
    let exponent = rounded.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - exponent).max(0) as usize;
    trim_zeros(&format!("{rounded:.decimals$}"))
}

fn scientific(value: f64, digits: usize) -> String {
    let text = format!("{value:.*e}", digits.saturating_sub(1));
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
        None => text,
    }
}

/// Drops trailing zeros after a decimal point, and the point itself when nothing follows.
fn trim_zeros(text: &str) -> String {
    if !text.contains('.') {
        return text.to_owned();
    }
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Axis range with tick positions at multiples of 1, 2 or 5 times a power of ten.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    /// Lower end of the axis, a multiple of `step`.
    pub min: f64,
    /// Upper end of the axis, a multiple of `step`.
    pub max: f64,
    /// Distance between ticks, 1, 2 or 5 times a power of ten.
    pub step: f64,
}

impl Axis {
    /// Builds an axis that covers `[low, high]` with about `target_ticks` intervals.
    ///
    /// An empty or zero-width range is widened so the axis span is never zero: by 10 %
    /// of the value on each side, or to [-1, 1] around zero.
    pub(crate) fn covering(low: f64, high: f64, target_ticks: usize) -> Axis {
        let (mut low, mut high) = if low.is_finite() && high.is_finite() && low <= high {
            (low, high)
        } else {
            (0.0, 1.0)
        };
        let center = 0.5 * (low + high);
        // Spans below 1e-9 of the value cannot be labelled apart, so they count as constant.
        if high - low <= center.abs() * 1e-9 {
            let pad = if center == 0.0 {
                1.0
            } else {
                center.abs() * 0.1
            };
            low = center - pad;
            high = center + pad;
        }
        let step = nice_step((high - low) / target_ticks.max(1) as f64);
        // The tolerance keeps 5.000000000000001 steps (50e-6 / 1e-5) from adding a tick.
        let min = (low / step + 1e-9).floor() * step;
        let max = (high / step - 1e-9).ceil() * step;
        Axis { min, max, step }
    }

    /// Tick positions from `min` to `max` inclusive.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let count = ((self.max - self.min) / self.step).round() as usize;
        (0..=count.min(1000))
            .map(|i| self.min + i as f64 * self.step)
            .map(|tick| {
                if (tick / self.step).abs() < 1e-9 {
                    0.0
                } else {
                    tick
                }
            })
            .collect()
    }

    /// Exponent (a multiple of 3) that the tick labels are scaled by, so labels read
    /// "0, 0.5, 1, 1.5" with "ms" in the axis title instead of "0.0015".
    pub(crate) fn label_exponent(&self) -> i32 {
        let largest = self.min.abs().max(self.max.abs());
        if largest == 0.0 {
            0
        } else {
            engineering_exponent(largest)
        }
    }

    /// Formats a tick value divided by 10^`exponent` with just enough decimals to tell
    /// neighbouring ticks apart.
    pub(crate) fn tick_label(&self, tick: f64, exponent: i32) -> String {
        let scale = 10f64.powi(exponent);
        let step = self.step / scale;
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        trim_zeros(&format!("{:.*}", decimals.min(12), tick / scale))
    }
}

/// Rounds a raw step up to 1, 2 or 5 times a power of ten.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Returns the SI prefix for an exponent that is a multiple of 3, or `None` outside
/// femto to tera.
pub(crate) fn prefix_for(exponent: i32) -> Option<&'static str> {
    let index = exponent / 3 + NO_PREFIX_INDEX;
    usize::try_from(index)
        .ok()
        .and_then(|i| PREFIXES.get(i).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engineering_prefixes() {
        assert_eq!(engineering(1234.0, "W", 3), "1.23 kW");
        assert_eq!(engineering(0.0045, "A", 3), "4.5 mA");
        assert_eq!(engineering(4.7e-6, "H", 3), "4.7 \u{B5}H");
        assert_eq!(engineering(999.96, "V", 4), "1 kV");
        assert_eq!(engineering(-2.5e6, "W", 3), "-2.5 MW");
        assert_eq!(engineering(0.0, "V", 3), "0 V");
        assert_eq!(engineering(1e20, "W", 3), "1e20 W");
    }

    #[test]
    fn engineering_unprefixed_units() {
        assert_eq!(engineering(97.346, "%", 4), "97.35 %");
        assert_eq!(engineering(125.04, "\u{B0}C", 4), "125 \u{B0}C");
        assert_eq!(engineering(0.98765, "", 3), "0.988");
        assert_eq!(engineering(1.5e-7, "", 3), "1.5e-7");
    }

    #[test]
    fn engineering_non_finite() {
        assert_eq!(engineering(f64::NAN, "W", 3), "NaN W");
        assert_eq!(engineering(f64::INFINITY, "W", 3), "+Inf W");
        assert_eq!(engineering(f64::NEG_INFINITY, "", 3), "-Inf");
    }

    #[test]
    fn axis_nice_steps() {
        let axis = Axis::covering(0.0, 0.0021, 5);
        assert_eq!(axis.step, 0.0005);
        assert_eq!(axis.min, 0.0);
        assert!((axis.max - 0.0025).abs() < 1e-12);
        assert_eq!(axis.label_exponent(), -3);
        let labels: Vec<String> = axis
            .ticks()
            .iter()
            .map(|&t| axis.tick_label(t, -3))
            .collect();
        assert_eq!(labels, ["0", "0.5", "1", "1.5", "2", "2.5"]);
    }

    #[test]
    fn axis_constant_series() {
        let axis = Axis::covering(5.0, 5.0, 5);
        assert!(axis.max > axis.min);
        assert!(axis.min <= 4.5);
        assert!(axis.max >= 5.5);
        let zero = Axis::covering(0.0, 0.0, 5);
        assert!(zero.min <= -1.0);
        assert!(zero.max >= 1.0);
    }

    #[test]
    fn axis_negative_range() {
        let axis = Axis::covering(-37.0, 12.0, 5);
        assert_eq!(axis.step, 10.0);
        assert_eq!(axis.min, -40.0);
        assert_eq!(axis.max, 20.0);
        assert!(axis.ticks().contains(&0.0));
    }
}
