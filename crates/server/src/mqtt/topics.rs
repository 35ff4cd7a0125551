//! Topic names of run telemetry, the escaping of signal names into one topic level,
//! and the validation of bridge filters.
//!
//! A signal name becomes one topic level by percent-encoding the characters that
//! MQTT gives a meaning to or forbids: `%` → `%25`, `/` → `%2F`, `+` → `%2B`,
//! `#` → `%23` and U+0000 → `%00`. A leading `_` becomes `%5F`, so no signal can
//! collide with the reserved `_status` level. [`unescape_level`] reverses it.

use uuid::Uuid;

/// Last topic level of a run's progress and final status.
pub const STATUS_LEVEL: &str = "_status";

/// Maximum length of a bridge filter [bytes].
pub const MAX_FILTER_LEN: usize = 256;

/// Topic roots the bridge may subscribe to.
pub const BRIDGE_ROOTS: [&str; 2] = ["telemetry", "bench"];

/// Escapes a signal name into one topic level (see the module documentation).
pub fn escape_level(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            '+' => out.push_str("%2B"),
            '#' => out.push_str("%23"),
            '\0' => out.push_str("%00"),
            '_' if i == 0 => out.push_str("%5F"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_level`]; `None` when a `%` is not followed by two hex digits
/// or the result is not UTF-8.
pub fn unescape_level(level: &str) -> Option<String> {
    let bytes = level.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = level.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `telemetry/{project}/{run}/{escaped signal}`.
pub fn signal_topic(project: Uuid, run: Uuid, signal: &str) -> String {
    format!("telemetry/{project}/{run}/{}", escape_level(signal))
}

/// `telemetry/{project}/{run}/_status`.
pub fn status_topic(project: Uuid, run: Uuid) -> String {
    format!("telemetry/{project}/{run}/{STATUS_LEVEL}")
}

/// Checks a bridge filter: at most [`MAX_FILTER_LEN`] bytes, a valid MQTT filter,
/// and a first level of `telemetry` or `bench` (so no bare `#`, `+/…` or `$SYS`).
///
/// # Errors
/// What is wrong with the filter and what is accepted.
pub fn check_bridge_filter(filter: &str) -> Result<(), String> {
    if filter.is_empty() {
        return Err("is empty (accepted: a filter such as telemetry/+/+/_status)".into());
    }
    if filter.len() > MAX_FILTER_LEN {
        return Err(format!(
            "is {} bytes long (accepted: 1 to {MAX_FILTER_LEN})",
            filter.len()
        ));
    }
    if filter.contains('\0') {
        return Err("contains U+0000, which MQTT forbids".into());
    }
    let root = filter.split('/').next().unwrap_or("");
    if !BRIDGE_ROOTS.contains(&root) {
        return Err(format!(
            "starts with \"{}\" (accepted: a filter under telemetry/ or bench/)",
            crate::extract::truncate(root, 64)
        ));
    }
    if !rumqttc::valid_filter(filter) {
        return Err(
            "is not a valid MQTT filter (`+` and `#` must fill a whole level, `#` only last)"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trips() {
        let names = [
            "i(L1)", "v/out", "a+b#c", "100%", "_status", "x_y", "", "nul\0", "µ°Ω", "%2F",
        ];
        for name in names {
            let level = escape_level(name);
            assert!(!level.contains(['/', '+', '#', '\0']), "{level}");
            assert_eq!(unescape_level(&level).as_deref(), Some(name));
        }
        assert_eq!(escape_level("_status"), "%5Fstatus");
        assert_eq!(escape_level("x_y"), "x_y");
    }

    #[test]
    fn unescape_rejects_broken_sequences() {
        assert_eq!(unescape_level("%"), None);
        assert_eq!(unescape_level("%2"), None);
        assert_eq!(unescape_level("%zz"), None);
        assert_eq!(unescape_level("%FF"), None);
    }

    #[test]
    fn bridge_filters() {
        for ok in [
            "telemetry/#",
            "telemetry/+/+/_status",
            "bench/telemetry/dev1/#",
        ] {
            assert_eq!(check_bridge_filter(ok), Ok(()), "{ok}");
        }
        let long = format!("telemetry/{}", "a".repeat(300));
        for bad in [
            "",
            "#",
            "+/x",
            "$SYS/#",
            "other/#",
            "telemetry/a#",
            "telemetry/#/x",
        ] {
            assert!(check_bridge_filter(bad).is_err(), "{bad}");
        }
        assert!(check_bridge_filter(&long).is_err());
    }
}
