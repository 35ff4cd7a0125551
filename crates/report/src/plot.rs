//! Waveform plots: axes with 1-2-5 ticks, grid, clipped series lines and a legend.

use crate::canvas::{Align, Canvas, Color};
use crate::document::{CONTENT_WIDTH, Document, LEFT, RIGHT};
use crate::fonts::{self, Font};
use crate::format::{Axis, prefix_for, takes_prefix};
use crate::sections::note;
use crate::{Plot, Series};

/// Line colours, used in turn. Series past the end of the list are drawn dashed.
const PALETTE: [Color; 8] = [
    Color(0.12, 0.38, 0.71),
    Color(0.85, 0.37, 0.01),
    Color(0.17, 0.56, 0.20),
    Color(0.80, 0.10, 0.15),
    Color(0.47, 0.30, 0.65),
    Color(0.55, 0.34, 0.29),
    Color(0.85, 0.30, 0.60),
    Color(0.35, 0.35, 0.35),
];

/// Values beyond this magnitude are not drawn: the span between two such values can
/// overflow f64, and no waveform of a converter reaches it.
const MAX_PLOTTABLE: f64 = 1e300;

const BOX_HEIGHT: f64 = 170.0;
/// Space left of the plot box for tick labels and the y axis title.
const BOX_LEFT: f64 = LEFT + 54.0;
const BOX_RIGHT: f64 = RIGHT - 6.0;
const TICK_FONT: f64 = 7.5;
const LEGEND_FONT: f64 = 8.0;
const LEGEND_ROW: f64 = 12.0;

/// Writes the waveform section: one numbered figure per plot.
pub(crate) fn draw_all(document: &mut Document, plots: &[Plot]) {
    let Some(first) = plots.first() else {
        document.heading("Waveforms", 20.0);
        note(document, "No waveforms were stored for this run.");
        return;
    };
    document.heading("Waveforms", figure_height(first));
    for (index, plot) in plots.iter().enumerate() {
        draw(document, plot, index + 1);
    }
}

/// Height of a figure: title, plot box, axis labels and legend.
fn figure_height(plot: &Plot) -> f64 {
    let legend_rows = legend_rows(&plot.series).len();
    20.0 + BOX_HEIGHT + 34.0 + legend_rows as f64 * LEGEND_ROW + 10.0
}

/// Draws one plot, starting a new page when it does not fit.
fn draw(document: &mut Document, plot: &Plot, number: usize) {
    let legend = legend_rows(&plot.series);
    document.ensure(figure_height(plot));

    let title = format!("Figure {number}. {}", plot.title);
    let baseline = document.y() - 11.0;
    let canvas = document.canvas();
    canvas.fill_color(Color::BLACK);
    canvas.text(
        Font::Bold,
        10.0,
        (LEFT, baseline),
        Align::Left,
        &title,
        CONTENT_WIDTH,
    );
    document.advance(20.0);

    let data = PlotData::collect(plot);
    let top = document.y();
    let frame = Frame {
        left: BOX_LEFT,
        right: BOX_RIGHT,
        bottom: top - BOX_HEIGHT,
        top,
        x: Axis::covering(data.x_range.0, data.x_range.1, 6),
        y: Axis::covering(data.y_range.0, data.y_range.1, 5),
    };
    let y_unit = common_unit(&plot.series);
    let canvas = document.canvas();
    draw_grid(canvas, &frame);
    if data.finite_points == 0 {
        canvas.fill_color(Color::GREY);
        let middle = (frame.top + frame.bottom) / 2.0;
        canvas.text(
            Font::Regular,
            10.0,
            ((frame.left + frame.right) / 2.0, middle),
            Align::Center,
            "No finite data points",
            200.0,
        );
    }
    draw_series(canvas, &frame, &plot.series);
    draw_axes(
        canvas,
        &frame,
        &plot.x_label,
        &plot.y_label,
        y_unit.as_deref(),
    );
    document.advance(BOX_HEIGHT + 34.0);

    draw_legend(document, &legend);
    document.advance(4.0);
    if !data.notes.is_empty() {
        note(document, &format!("Not drawn: {}.", data.notes.join("; ")));
    }
    document.advance(6.0);
}

/// The plot box in page coordinates and the data range it shows.
struct Frame {
    left: f64,
    right: f64,
    bottom: f64,
    top: f64,
    x: Axis,
    y: Axis,
}

impl Frame {
    fn to_page(&self, x: f64, y: f64) -> (f64, f64) {
        let px =
            self.left + (x - self.x.min) / (self.x.max - self.x.min) * (self.right - self.left);
        let py =
            self.bottom + (y - self.y.min) / (self.y.max - self.y.min) * (self.top - self.bottom);
        (px, py)
    }
}

/// Data ranges of a plot and the reasons some points are not drawn.
struct PlotData {
    x_range: (f64, f64),
    y_range: (f64, f64),
    finite_points: usize,
    notes: Vec<String>,
}

fn plottable(value: f64) -> bool {
    value.is_finite() && value.abs() <= MAX_PLOTTABLE
}

impl PlotData {
    fn collect(plot: &Plot) -> Self {
        let mut x_range = (f64::INFINITY, f64::NEG_INFINITY);
        let mut y_range = (f64::INFINITY, f64::NEG_INFINITY);
        let mut finite_points = 0;
        let mut notes = Vec::new();
        for series in &plot.series {
            let name = fonts::clip_chars(&series.name, 40);
            let pairs = series.x.len().min(series.y.len());
            if series.x.len() != series.y.len() {
                notes.push(format!(
                    "\"{name}\" has {} x and {} y values, so only the first {pairs} points are drawn",
                    series.x.len(),
                    series.y.len()
                ));
            }
            let mut skipped = 0;
            for (&x, &y) in series.x.iter().zip(&series.y) {
                if plottable(x) && plottable(y) {
                    x_range = (x_range.0.min(x), x_range.1.max(x));
                    y_range = (y_range.0.min(y), y_range.1.max(y));
                    finite_points += 1;
                } else {
                    skipped += 1;
                }
            }
            if pairs == 0 {
                notes.push(format!("\"{name}\" has no points"));
            } else if skipped > 0 {
                notes.push(format!(
                    "{skipped} of {pairs} points of \"{name}\" are NaN, infinite or beyond 1e300"
                ));
            }
        }
        Self {
            x_range,
            y_range,
            finite_points,
            notes,
        }
    }
}

fn draw_grid(canvas: &mut Canvas, frame: &Frame) {
    canvas.stroke_color(Color::LIGHT_GREY);
    canvas.line_width(0.35);
    for tick in frame.x.ticks() {
        let (x, _) = frame.to_page(tick, frame.y.min);
        canvas.line(x, frame.bottom, x, frame.top);
    }
    for tick in frame.y.ticks() {
        let (_, y) = frame.to_page(frame.x.min, tick);
        canvas.line(frame.left, y, frame.right, y);
    }
    if frame.y.min < 0.0 && frame.y.max > 0.0 {
        let (_, y) = frame.to_page(frame.x.min, 0.0);
        canvas.stroke_color(Color::GREY);
        canvas.line_width(0.6);
        canvas.line(frame.left, y, frame.right, y);
    }
}

fn series_style(canvas: &mut Canvas, index: usize) {
    canvas.stroke_color(PALETTE[index % PALETTE.len()]);
    canvas.line_width(0.9);
    if index >= PALETTE.len() {
        canvas.dash(&[4.0, 2.0]);
    } else {
        canvas.dash(&[]);
    }
}

/// Strokes every series inside a clipping path on the plot box.
fn draw_series(canvas: &mut Canvas, frame: &Frame, series: &[Series]) {
    canvas.clip_rect(
        frame.left,
        frame.bottom,
        frame.right - frame.left,
        frame.top - frame.bottom,
    );
    canvas.line_width(0.9);
    for (index, curve) in series.iter().enumerate() {
        series_style(canvas, index);
        let points = curve.x.iter().zip(&curve.y).map(|(&x, &y)| {
            if plottable(x) && plottable(y) {
                Some(frame.to_page(x, y))
            } else {
                None
            }
        });
        canvas.polyline(points);
    }
    canvas.restore();
    canvas.dash(&[]);
}

fn draw_axes(
    canvas: &mut Canvas,
    frame: &Frame,
    x_label: &str,
    y_label: &str,
    y_unit: Option<&str>,
) {
    canvas.stroke_color(Color::BLACK);
    canvas.line_width(0.7);
    canvas.stroke_rect(
        frame.left,
        frame.bottom,
        frame.right - frame.left,
        frame.top - frame.bottom,
    );
    canvas.fill_color(Color::BLACK);

    let x_title = axis_title(x_label, &frame.x, None);
    for tick in frame.x.ticks() {
        let (x, _) = frame.to_page(tick, frame.y.min);
        canvas.line(x, frame.bottom, x, frame.bottom - 3.0);
        let label = frame.x.tick_label(tick, x_title.exponent);
        canvas.text(
            Font::Regular,
            TICK_FONT,
            (x, frame.bottom - 11.0),
            Align::Center,
            &label,
            50.0,
        );
    }
    let middle = (frame.left + frame.right) / 2.0;
    let codes = x_title.fit(Font::Regular, 8.5, frame.right - frame.left);
    canvas.text_codes(
        Font::Regular,
        8.5,
        middle,
        frame.bottom - 24.0,
        Align::Center,
        &codes,
    );

    let y_title = axis_title(y_label, &frame.y, y_unit);
    for tick in frame.y.ticks() {
        let (_, y) = frame.to_page(frame.x.min, tick);
        canvas.line(frame.left - 3.0, y, frame.left, y);
        let label = frame.y.tick_label(tick, y_title.exponent);
        canvas.text(
            Font::Regular,
            TICK_FONT,
            (frame.left - 5.0, y - 2.5),
            Align::Right,
            &label,
            36.0,
        );
    }
    let center = (frame.top + frame.bottom) / 2.0;
    let codes = y_title.fit(Font::Regular, 8.5, frame.top - frame.bottom);
    canvas.text_vertical(Font::Regular, 8.5, LEFT + 7.0, center, &codes);
}

/// An axis title split so that truncation shortens `name` but never the unit or factor.
#[derive(Debug, PartialEq)]
struct AxisTitle {
    /// Power of ten the tick labels are divided by.
    exponent: i32,
    /// Axis name without its unit, for example "Time".
    name: String,
    /// Unit with prefix or scale factor, for example " [ms]" or " \u{D7}1e-3", or empty.
    suffix: String,
}

impl AxisTitle {
    /// Encodes the title, shortening the name with an ellipsis to fit `max_width`.
    fn fit(&self, font: Font, size: f64, max_width: f64) -> Vec<u8> {
        if self.name.trim().is_empty() {
            return fonts::truncate(font, size, &fonts::encode(self.suffix.trim()), max_width);
        }
        let suffix = fonts::encode(&self.suffix);
        let room = max_width - fonts::text_width(font, size, &suffix);
        let mut codes = fonts::truncate(font, size, &fonts::encode(&self.name), room.max(0.0));
        codes.extend_from_slice(&suffix);
        codes
    }
}

/// Returns how tick labels are scaled and the axis title that names the scale.
///
/// A unit in trailing brackets ("Time [s]" or "Time (s)"), or else `fallback_unit`, gets
/// the SI prefix ("Time [ms]"). Units that take no prefix keep plain labels up to 1e3 and
/// otherwise, like titles without a unit, get a factor such as "\u{D7}1e-6".
fn axis_title(label: &str, axis: &Axis, fallback_unit: Option<&str>) -> AxisTitle {
    let exponent = axis.label_exponent();
    let (name, open, close, unit) = match bracketed_unit(label) {
        Some((name, open, unit, close)) => (name, open, close, Some(unit)),
        None => (label.trim(), '[', ']', fallback_unit),
    };
    let unit = unit.map(str::trim).filter(|unit| !unit.is_empty());
    let title = |exponent: i32, suffix: String| AxisTitle {
        exponent,
        name: name.to_owned(),
        suffix,
    };
    let factor = format!(" \u{D7}1e{exponent}");
    match unit {
        None if exponent == 0 => title(0, String::new()),
        None => title(exponent, factor),
        Some(unit) if exponent == 0 => title(0, format!(" {open}{unit}{close}")),
        Some(unit) if takes_prefix(unit) => match prefix_for(exponent) {
            Some(prefix) => title(exponent, format!(" {open}{prefix}{unit}{close}")),
            None => title(exponent, format!(" {open}{unit}{close}{factor}")),
        },
        Some(unit) if (-3..=3).contains(&exponent) => title(0, format!(" {open}{unit}{close}")),
        Some(unit) => title(exponent, format!(" {open}{unit}{close}{factor}")),
    }
}

/// Splits "Time [s]" into ("Time", '[', "s", ']'), and the same for round brackets.
fn bracketed_unit(label: &str) -> Option<(&str, char, &str, char)> {
    let trimmed = label.trim_end();
    let close = trimmed.chars().last()?;
    let open = match close {
        ']' => '[',
        ')' => '(',
        _ => return None,
    };
    let start = trimmed.rfind(open)?;
    let unit = &trimmed[start + open.len_utf8()..trimmed.len() - close.len_utf8()];
    Some((trimmed[..start].trim_end(), open, unit, close))
}

/// Returns the unit shared by all series, used when the y axis title has none.
fn common_unit(series: &[Series]) -> Option<String> {
    let first = series.first()?.unit.trim();
    series
        .iter()
        .all(|s| s.unit.trim() == first)
        .then(|| first.to_owned())
}

/// Legend entries as (series index, x offset from the box's left edge, text), in rows
/// that fit the width of the plot box.
fn legend_rows(series: &[Series]) -> Vec<Vec<(usize, f64, String)>> {
    let mut rows: Vec<Vec<(usize, f64, String)>> = Vec::new();
    let mut x = 0.0;
    let available = BOX_RIGHT - BOX_LEFT;
    for (index, curve) in series.iter().enumerate() {
        let name = if curve.name.trim().is_empty() {
            format!("Series {}", index + 1)
        } else {
            curve.name.clone()
        };
        let text = if curve.unit.trim().is_empty() {
            name
        } else {
            format!("{name} [{}]", curve.unit.trim())
        };
        let max_width = available / 2.0 - 30.0;
        let codes = fonts::truncate(Font::Regular, LEGEND_FONT, &fonts::encode(&text), max_width);
        let width = 22.0 + fonts::text_width(Font::Regular, LEGEND_FONT, &codes) + 14.0;
        if rows.is_empty() || x + width > available {
            rows.push(Vec::new());
            x = 0.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((index, x, text));
        }
        x += width;
    }
    rows
}

fn draw_legend(document: &mut Document, rows: &[Vec<(usize, f64, String)>]) {
    let max_width = (BOX_RIGHT - BOX_LEFT) / 2.0 - 30.0;
    for row in rows {
        let baseline = document.y() - 8.0;
        let canvas = document.canvas();
        for (index, offset, text) in row {
            let x = BOX_LEFT + offset;
            series_style(canvas, *index);
            canvas.line_width(1.6);
            canvas.line(x, baseline + 3.0, x + 18.0, baseline + 3.0);
            canvas.fill_color(Color::BLACK);
            canvas.text(
                Font::Regular,
                LEGEND_FONT,
                (x + 22.0, baseline),
                Align::Left,
                text,
                max_width,
            );
        }
        canvas.dash(&[]);
        document.advance(LEGEND_ROW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(exponent: i32, name: &str, suffix: &str) -> AxisTitle {
        AxisTitle {
            exponent,
            name: name.to_owned(),
            suffix: suffix.to_owned(),
        }
    }

    #[test]
    fn axis_title_inserts_prefix() {
        let axis = Axis::covering(0.0, 0.002, 5);
        assert_eq!(
            axis_title("Time [s]", &axis, None),
            title(-3, "Time", " [ms]")
        );
        assert_eq!(
            axis_title("Time (s)", &axis, None),
            title(-3, "Time", " (ms)")
        );
        assert_eq!(
            axis_title("Current", &axis, Some("A")),
            title(-3, "Current", " [mA]")
        );
        assert_eq!(
            axis_title("Ratio", &axis, None),
            title(-3, "Ratio", " \u{D7}1e-3")
        );
    }

    #[test]
    fn axis_title_unprefixed_unit() {
        let axis = Axis::covering(20.0, 180.0, 5);
        assert_eq!(
            axis_title("Temperature [\u{B0}C]", &axis, None),
            title(0, "Temperature", " [\u{B0}C]")
        );
        let wide = Axis::covering(0.0, 1500.0, 5);
        assert_eq!(
            axis_title("Tj", &wide, Some("\u{B0}C")),
            title(0, "Tj", " [\u{B0}C]")
        );
        let huge = Axis::covering(0.0, 2e6, 5);
        assert_eq!(
            axis_title("Tj", &huge, Some("\u{B0}C")),
            title(6, "Tj", " [\u{B0}C] \u{D7}1e6")
        );
    }

    #[test]
    fn axis_title_keeps_suffix() {
        let axis = Axis::covering(0.0, 0.002, 5);
        let long = axis_title(&format!("{} [s]", "long ".repeat(50)), &axis, None);
        let codes = long.fit(Font::Regular, 8.5, 200.0);
        assert!(codes.ends_with(b" [ms]"));
        assert!(fonts::text_width(Font::Regular, 8.5, &codes) <= 200.0);
    }

    #[test]
    fn bracketed_unit_splits() {
        assert_eq!(
            bracketed_unit("Voltage [V]"),
            Some(("Voltage", '[', "V", ']'))
        );
        assert_eq!(bracketed_unit("Voltage"), None);
        assert_eq!(bracketed_unit("x)"), None);
    }
}
