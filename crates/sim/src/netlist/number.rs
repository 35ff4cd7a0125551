//! SPICE numbers with engineering suffixes.

/// Parses a SPICE number such as `4.7u`, `10k`, `1Meg`, `2.2e-6F` or `100mOhm`.
///
/// Suffixes are case-insensitive, as in SPICE: `T` 1e12, `G` 1e9, `Meg` 1e6, `k` 1e3,
/// `m` 1e-3, `mil` 25.4e-6, `u` (or `µ`) 1e-6, `n` 1e-9, `p` 1e-12, `f` 1e-15. Letters
/// after the suffix are a unit and are ignored (`10uH` is 10 µH). Note the SPICE trap:
/// `1M` is one milli, not one mega. Returns `None` for anything else, including NaN and
/// infinities, which SPICE has no spelling for.
pub fn parse_spice_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let (significand_len, mantissa_len) = mantissa_len(text)?;
    let significand = &text[..significand_len];
    let exponent: i32 = if mantissa_len > significand_len {
        text[significand_len + 1..mantissa_len].parse().ok()?
    } else {
        0
    };
    let rest = text[mantissa_len..].to_ascii_lowercase().replace('µ', "u");
    if !rest.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }

    let (suffix_exponent, extra_scale) = if rest.is_empty() {
        (0, 1.0)
    } else if rest.starts_with("meg") {
        (6, 1.0)
    } else if rest.starts_with("mil") {
        (-6, 25.4)
    } else {
        match rest.as_bytes()[0] {
            b't' => (12, 1.0),
            b'g' => (9, 1.0),
            b'k' => (3, 1.0),
            b'm' => (-3, 1.0),
            b'u' => (-6, 1.0),
            b'n' => (-9, 1.0),
            b'p' => (-12, 1.0),
            b'f' => (-15, 1.0),
            // A bare unit such as `5V` or `10Ohm`.
            _ => (0, 1.0),
        }
    };
    // Re-parsing "significand e exponent" rounds once, so `10u` is exactly 1e-5.
    let total = exponent.checked_add(suffix_exponent)?;
    let value: f64 = format!("{significand}e{total}").parse().ok()?;
    let value = value * extra_scale;
    value.is_finite().then_some(value)
}

/// Lengths of the leading significand (sign, digits, point) and of the whole leading
/// number including an exponent, in bytes.
fn mantissa_len(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    let has_digits = bytes[digits_start..i].iter().any(u8::is_ascii_digit);
    if !has_digits {
        return None;
    }
    let significand_len = i;
    // An exponent needs a digit after `e[+-]`, otherwise the `e` is a unit letter.
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    Some((significand_len, i))
}

/// Formats a value so that [`parse_spice_number`] reads back the same `f64`.
pub fn format_spice_number(value: f64) -> String {
    // `{:e}` on f64 prints the shortest representation that round-trips.
    format!("{value:e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn engineering_suffixes() {
        let cases = [
            ("10", 10.0),
            ("4.7u", 4.7e-6),
            ("4.7uF", 4.7e-6),
            ("10k", 10e3),
            ("1Meg", 1e6),
            ("1MEG", 1e6),
            ("1m", 1e-3),
            ("100mOhm", 0.1),
            ("2.2e-6", 2.2e-6),
            // SPICE reads a trailing F as femto, not farad.
            ("2.2e-6F", 2.2e-21),
            ("1e3k", 1e6),
            ("-5", -5.0),
            ("+.5n", 0.5e-9),
            ("3p", 3e-12),
            ("7f", 7e-15),
            ("2G", 2e9),
            ("1T", 1e12),
            ("1mil", 25.4e-6),
            ("5V", 5.0),
            ("10µH", 10e-6),
            ("1e", 1.0),
        ];
        for (text, expected) in cases {
            let value = parse_spice_number(text).unwrap_or_else(|| panic!("{text} did not parse"));
            assert!(
                (value - expected).abs() <= 1e-12 * expected.abs(),
                "{text}: {value} != {expected}"
            );
        }
    }

    #[test]
    fn rejects_non_numbers() {
        for text in [
            "", "abc", "nan", "inf", "1..2", "--1", "1k2", "1e999", "e5", ".",
        ] {
            assert_eq!(parse_spice_number(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn format_round_trips(value in proptest::num::f64::NORMAL) {
            let text = format_spice_number(value);
            prop_assert_eq!(parse_spice_number(&text), Some(value), "{}", text);
        }

        #[test]
        fn never_panics(text in "\\PC{0,12}") {
            let _ = parse_spice_number(&text);
        }
    }
}
