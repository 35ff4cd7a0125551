//! Drawing operations of one page, written as PDF content stream operators.
//!
//! Coordinates are PDF points with the origin at the bottom-left corner of the page.

use std::fmt::Write as _;

use crate::fonts::{self, Font};

/// An RGB colour with components in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Color(pub f64, pub f64, pub f64);

impl Color {
    pub(crate) const BLACK: Color = Color(0.0, 0.0, 0.0);
    pub(crate) const DARK_GREY: Color = Color(0.3, 0.3, 0.3);
    pub(crate) const GREY: Color = Color(0.55, 0.55, 0.55);
    pub(crate) const LIGHT_GREY: Color = Color(0.85, 0.85, 0.85);
    pub(crate) const FAINT_GREY: Color = Color(0.95, 0.95, 0.95);
    pub(crate) const RED: Color = Color(0.75, 0.1, 0.1);
    pub(crate) const GREEN: Color = Color(0.1, 0.45, 0.15);
}

/// Horizontal alignment of text relative to its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Content stream of one page under construction.
#[derive(Debug, Default)]
pub(crate) struct Canvas {
    ops: String,
}

/// Formats a coordinate or size for a content stream with at most 2 decimals. PDF numbers
/// have no exponent notation and no NaN, so non-finite values become 0 and magnitudes are
/// clamped to 32767 points, far outside any page. Plotted data is scaled into its box
/// first, so the clamp only guards against bugs.
fn num(value: f64) -> String {
    let mut text = String::new();
    push_num(&mut text, value);
    text
}

/// Appends `value` formatted as `num` does, without allocating: waveforms have up to a
/// million points, so this is the renderer's innermost loop.
fn push_num(out: &mut String, value: f64) {
    let value = if value.is_finite() {
        value.clamp(-32767.0, 32767.0)
    } else {
        0.0
    };
    let hundredths = (value * 100.0).round() as i64;
    if hundredths < 0 {
        out.push('-');
    }
    let magnitude = hundredths.unsigned_abs();
    let _ = write!(out, "{}", magnitude / 100);
    let fraction = magnitude % 100;
    if fraction != 0 {
        out.push('.');
        out.push(char::from(b'0' + (fraction / 10) as u8));
        if !fraction.is_multiple_of(10) {
            out.push(char::from(b'0' + (fraction % 10) as u8));
        }
    }
}

impl Canvas {
    /// Returns the content stream bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.ops.into_bytes()
    }

    fn op(&mut self, text: &str) {
        self.ops.push_str(text);
        self.ops.push('\n');
    }

    /// Writes encoded text on the baseline `y`, anchored at `x` according to `align`.
    pub(crate) fn text_codes(
        &mut self,
        font: Font,
        size: f64,
        x: f64,
        y: f64,
        align: Align,
        codes: &[u8],
    ) {
        if codes.is_empty() {
            return;
        }
        let width = fonts::text_width(font, size, codes);
        let x = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        let _ = writeln!(
            self.ops,
            "BT /{} {} Tf {} {} Td {} Tj ET",
            font.resource(),
            num(size),
            num(x),
            num(y),
            fonts::literal(codes)
        );
    }

    /// Writes text with its baseline anchored at `at`, truncated with an ellipsis to
    /// `max_width` points.
    pub(crate) fn text(
        &mut self,
        font: Font,
        size: f64,
        at: (f64, f64),
        align: Align,
        text: &str,
        max_width: f64,
    ) {
        let codes = fonts::truncate(font, size, &fonts::encode(text), max_width);
        self.text_codes(font, size, at.0, at.1, align, &codes);
    }

    /// Writes encoded text turned 90 degrees counter-clockwise, centred on (x, y) along
    /// its length.
    pub(crate) fn text_vertical(&mut self, font: Font, size: f64, x: f64, y: f64, codes: &[u8]) {
        if codes.is_empty() {
            return;
        }
        let length = fonts::text_width(font, size, codes);
        let _ = writeln!(
            self.ops,
            "BT /{} {} Tf 0 1 -1 0 {} {} Tm {} Tj ET",
            font.resource(),
            num(size),
            num(x),
            num(y - length / 2.0),
            fonts::literal(codes)
        );
    }

    pub(crate) fn fill_color(&mut self, color: Color) {
        let _ = writeln!(
            self.ops,
            "{} {} {} rg",
            num(color.0),
            num(color.1),
            num(color.2)
        );
    }

    pub(crate) fn stroke_color(&mut self, color: Color) {
        let _ = writeln!(
            self.ops,
            "{} {} {} RG",
            num(color.0),
            num(color.1),
            num(color.2)
        );
    }

    pub(crate) fn line_width(&mut self, width: f64) {
        let _ = writeln!(self.ops, "{} w", num(width));
    }

    /// Sets a dash pattern in points. An empty slice draws solid lines.
    pub(crate) fn dash(&mut self, pattern: &[f64]) {
        let parts: Vec<String> = pattern.iter().map(|&v| num(v)).collect();
        let _ = writeln!(self.ops, "[{}] 0 d", parts.join(" "));
    }

    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        let _ = writeln!(
            self.ops,
            "{} {} m {} {} l S",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    pub(crate) fn fill_rect(&mut self, x: f64, y: f64, width: f64, height: f64, color: Color) {
        self.fill_color(color);
        let _ = writeln!(
            self.ops,
            "{} {} {} {} re f",
            num(x),
            num(y),
            num(width),
            num(height)
        );
    }

    pub(crate) fn stroke_rect(&mut self, x: f64, y: f64, width: f64, height: f64) {
        let _ = writeln!(
            self.ops,
            "{} {} {} {} re S",
            num(x),
            num(y),
            num(width),
            num(height)
        );
    }

    /// Saves the graphics state and clips everything drawn until `restore` to a rectangle.
    pub(crate) fn clip_rect(&mut self, x: f64, y: f64, width: f64, height: f64) {
        let _ = writeln!(
            self.ops,
            "q {} {} {} {} re W n",
            num(x),
            num(y),
            num(width),
            num(height)
        );
    }

    pub(crate) fn restore(&mut self) {
        self.op("Q");
    }

    /// Strokes a polyline through page coordinates. `None` ends the current segment, so
    /// the next point starts a new one. An isolated point is drawn as a short dash so that
    /// it stays visible.
    pub(crate) fn polyline(&mut self, points: impl IntoIterator<Item = Option<(f64, f64)>>) {
        let mut segment: Vec<(f64, f64)> = Vec::new();
        for point in points {
            match point {
                Some(point) => segment.push(point),
                None => self.stroke_segment(&mut segment),
            }
        }
        self.stroke_segment(&mut segment);
    }

    fn stroke_segment(&mut self, segment: &mut Vec<(f64, f64)>) {
        match segment.as_slice() {
            [] => {}
            [(x, y)] => {
                let _ = writeln!(
                    self.ops,
                    "{} {} m {} {} l S",
                    num(x - 0.75),
                    num(*y),
                    num(x + 0.75),
                    num(*y)
                );
            }
            [(x0, y0), rest @ ..] => {
                push_num(&mut self.ops, *x0);
                self.ops.push(' ');
                push_num(&mut self.ops, *y0);
                self.ops.push_str(" m");
                for (x, y) in rest {
                    self.ops.push(' ');
                    push_num(&mut self.ops, *x);
                    self.ops.push(' ');
                    push_num(&mut self.ops, *y);
                    self.ops.push_str(" l");
                }
                self.op(" S");
            }
        }
        segment.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_has_no_exponent() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.346), "12.35");
        assert_eq!(num(-3.1), "-3.1");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(-0.004), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1e300), "32767");
    }

    #[test]
    fn polyline_breaks_on_none() {
        let mut canvas = Canvas::default();
        canvas.polyline([
            Some((0.0, 0.0)),
            Some((1.0, 1.0)),
            None,
            Some((2.0, 2.0)),
            Some((3.0, 3.0)),
        ]);
        let ops = String::from_utf8_lossy(&canvas.into_bytes()).into_owned();
        assert_eq!(ops.matches(" m").count(), 2);
        assert_eq!(ops.matches(" S").count(), 2);
    }
}
