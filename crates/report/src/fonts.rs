//! WinAnsi text encoding and Helvetica glyph widths.
//!
//! The report uses the standard Type 1 fonts Helvetica and Helvetica-Bold without embedding
//! them, so every viewer substitutes its own metric-compatible font. Text is encoded in
//! WinAnsiEncoding, which covers ASCII, Latin-1 and a few typographic marks. Widths are in
//! 1/1000 of the font size, from Adobe's Helvetica and Helvetica-Bold AFM metrics.

/// One of the two fonts the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    /// Helvetica, resource name `/F1`.
    Regular,
    /// Helvetica-Bold, resource name `/F2`.
    Bold,
}

impl Font {
    /// Resource name of the font in each page's `/Font` dictionary.
    pub(crate) fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }
}

/// Widths of the printable ASCII characters 0x20..=0x7E in Helvetica.
const REGULAR_ASCII: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// Widths of the printable ASCII characters 0x20..=0x7E in Helvetica-Bold.
const BOLD_ASCII: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584,
    611, // '0'..'?'
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584,
    556, // 'P'..'_'
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611,
    611, // '`'..'o'
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // 'p'..'~'
];

/// Widths of the Latin-1 characters 0xA0..=0xFF in Helvetica.
const REGULAR_LATIN1: [u16; 96] = [
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // A0..AF
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // B0..BF
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // C0..CF
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // D0..DF
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // E0..EF
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // F0..FF
];

/// Widths of the Latin-1 characters 0xA0..=0xFF in Helvetica-Bold.
const BOLD_LATIN1: [u16; 96] = [
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // A0..AF
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // B0..BF
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // C0..CF
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // D0..DF
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // E0..EF
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // F0..FF
];

/// WinAnsi codes 0x80..=0x9F that the report uses, with their Unicode character and their
/// widths in Helvetica and Helvetica-Bold.
const WIN_ANSI_EXTRA: [(char, u8, u16, u16); 8] = [
    ('\u{2026}', 0x85, 1000, 1000), // horizontal ellipsis
    ('\u{2018}', 0x91, 222, 278),   // left single quotation mark
    ('\u{2019}', 0x92, 222, 278),   // right single quotation mark
    ('\u{201C}', 0x93, 333, 500),   // left double quotation mark
    ('\u{201D}', 0x94, 333, 500),   // right double quotation mark
    ('\u{2022}', 0x95, 350, 350),   // bullet
    ('\u{2013}', 0x96, 556, 556),   // en dash
    ('\u{2014}', 0x97, 1000, 1000), // em dash
];

/// WinAnsi code of the horizontal ellipsis, used to mark truncated text.
pub(crate) const ELLIPSIS: u8 = 0x85;

/// Most characters of one string that `encode` converts.
const MAX_ENCODED_CHARS: usize = 4000;

/// Returns at most `max` characters of `text`, ending with an ellipsis when shortened.
pub(crate) fn clip_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('\u{2026}');
    clipped
}

/// Returns the width of one WinAnsi code in 1/1000 of the font size.
pub(crate) fn code_width(font: Font, code: u8) -> u16 {
    let (ascii, latin1) = match font {
        Font::Regular => (&REGULAR_ASCII, &REGULAR_LATIN1),
        Font::Bold => (&BOLD_ASCII, &BOLD_LATIN1),
    };
    match code {
        0x20..=0x7E => ascii[usize::from(code - 0x20)],
        0xA0..=0xFF => latin1[usize::from(code - 0xA0)],
        _ => WIN_ANSI_EXTRA.iter().find(|entry| entry.1 == code).map_or(
            ascii[usize::from(b'?' - 0x20)],
            |entry| match font {
                Font::Regular => entry.2,
                Font::Bold => entry.3,
            },
        ),
    }
}

/// Returns the width of WinAnsi-encoded text in points at `size` points.
pub(crate) fn text_width(font: Font, size: f64, codes: &[u8]) -> f64 {
    let units: u32 = codes.iter().map(|&c| u32::from(code_width(font, c))).sum();
    f64::from(units) * size / 1000.0
}

/// Encodes a string in WinAnsiEncoding.
///
/// Characters WinAnsi lacks are mapped to a close ASCII spelling where one is standard
/// (the ohm sign becomes "Ohm", the minus sign "-", tabs and line breaks a space) and to
/// '?' otherwise. Other control characters are dropped.
///
/// Only the first `MAX_ENCODED_CHARS` characters are encoded, because no line or paragraph
/// of the report shows more. Callers truncate the result with an ellipsis to their space.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len().min(MAX_ENCODED_CHARS));
    for ch in text.chars().take(MAX_ENCODED_CHARS) {
        let code = u32::from(ch);
        match ch {
            ' '..='~' => out.push(code as u8),
            '\t' | '\n' | '\r' => out.push(b' '),
            '\u{A0}'..='\u{FF}' => out.push(code as u8),
            '\u{3A9}' | '\u{2126}' => out.extend_from_slice(b"Ohm"),
            '\u{3BC}' => out.push(0xB5), // Greek small mu, written as the micro sign
            '\u{2212}' => out.push(b'-'),
            '\u{2264}' => out.extend_from_slice(b"<="),
            '\u{2265}' => out.extend_from_slice(b">="),
            '\u{221E}' => out.extend_from_slice(b"inf"),
            _ if ch.is_control() => {}
            _ => match WIN_ANSI_EXTRA.iter().find(|entry| entry.0 == ch) {
                Some(entry) => out.push(entry.1),
                None => out.push(b'?'),
            },
        }
    }
    out
}

/// Shortens encoded text to fit `max_width` points, ending it with an ellipsis when any
/// character had to go. Text that already fits is returned unchanged.
pub(crate) fn truncate(font: Font, size: f64, codes: &[u8], max_width: f64) -> Vec<u8> {
    if text_width(font, size, codes) <= max_width {
        return codes.to_vec();
    }
    with_ellipsis(font, size, codes, max_width)
}

/// Keeps the longest prefix of `codes` that fits `max_width` points together with a
/// trailing ellipsis, and appends the ellipsis.
fn with_ellipsis(font: Font, size: f64, codes: &[u8], max_width: f64) -> Vec<u8> {
    let budget = max_width - text_width(font, size, &[ELLIPSIS]);
    let mut used = 0.0;
    let mut out = Vec::new();
    for &code in codes {
        let width = text_width(font, size, &[code]);
        if used + width > budget {
            break;
        }
        used += width;
        out.push(code);
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

/// Breaks encoded text into lines no wider than `max_width` points, at spaces where
/// possible and inside a word only when the word alone is too wide. At most `max_lines`
/// lines are returned; the last one ends with an ellipsis when text was left out.
pub(crate) fn wrap(
    font: Font,
    size: f64,
    codes: &[u8],
    max_width: f64,
    max_lines: usize,
) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in codes.split(|&c| c == b' ').filter(|w| !w.is_empty()) {
        let mut candidate = current.clone();
        if !candidate.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(word);
        if text_width(font, size, &candidate) <= max_width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word wider than a whole line is split at the last character that fits.
        let mut rest = word;
        while text_width(font, size, rest) > max_width {
            let mut fit = 0;
            while fit < rest.len() && text_width(font, size, &rest[..=fit]) <= max_width {
                fit += 1;
            }
            let fit = fit.max(1);
            lines.push(rest[..fit].to_vec());
            rest = &rest[fit..];
        }
        current = rest.to_vec();
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(font, size, last, max_width);
        }
    }
    lines
}

/// Writes encoded text as a PDF literal string, escaping `(`, `)` and `\` and writing
/// bytes outside printable ASCII as octal escapes.
pub(crate) fn literal(codes: &[u8]) -> String {
    let mut out = String::with_capacity(codes.len() + 2);
    out.push('(');
    for &code in codes {
        match code {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(code));
            }
            0x20..=0x7E => out.push(char::from(code)),
            _ => out.push_str(&format!("\\{code:03o}")),
        }
    }
    out.push(')');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_maps_symbols() {
        assert_eq!(encode("4.7 k\u{3A9}"), b"4.7 kOhm".to_vec());
        assert_eq!(encode("\u{B5}s"), vec![0xB5, b's']);
        assert_eq!(encode("25 \u{B0}C"), vec![b'2', b'5', b' ', 0xB0, b'C']);
        assert_eq!(encode("m\u{B2}"), vec![b'm', 0xB2]);
        assert_eq!(encode("\u{4E2D}"), b"?".to_vec());
        assert_eq!(encode("a\u{7}b"), b"ab".to_vec());
    }

    #[test]
    fn literal_escapes_delimiters() {
        assert_eq!(literal(b"a(b)c\\"), "(a\\(b\\)c\\\\)");
        assert_eq!(literal(&[0xB5, 0x85]), "(\\265\\205)");
    }

    #[test]
    fn truncate_adds_ellipsis() {
        let text = encode("a very long device name that cannot fit");
        let short = truncate(Font::Regular, 10.0, &text, 60.0);
        assert!(text_width(Font::Regular, 10.0, &short) <= 60.0);
        assert_eq!(short.last(), Some(&ELLIPSIS));
        let fits = truncate(Font::Regular, 10.0, b"ok", 60.0);
        assert_eq!(fits, b"ok".to_vec());
    }

    #[test]
    fn wrap_limits_lines() {
        let text = encode(&"word ".repeat(100));
        let lines = wrap(Font::Regular, 10.0, &text, 100.0, 3);
        assert_eq!(lines.len(), 3);
        for line in &lines {
            assert!(text_width(Font::Regular, 10.0, line) <= 100.0);
        }
        assert_eq!(lines[2].last(), Some(&ELLIPSIS));
        let long_word = encode(&"x".repeat(200));
        let split = wrap(Font::Bold, 10.0, &long_word, 50.0, 100);
        assert!(split.len() > 1);
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), 200);
    }
}
