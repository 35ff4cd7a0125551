//! Loss breakdown: a horizontal stacked bar chart per device and a table with totals.

use crate::LossRow;
use crate::canvas::{Align, Color};
use crate::document::{CONTENT_WIDTH, Document, LEFT, RIGHT};
use crate::fonts::Font;
use crate::format::{Axis, engineering, prefix_for};
use crate::sections::note;
use crate::table::{self, Column, Row};

/// Colours of the conduction, switching and other loss segments.
const SEGMENT_COLORS: [Color; 3] = [
    Color(0.19, 0.39, 0.67),
    Color(0.91, 0.51, 0.09),
    Color(0.45, 0.62, 0.33),
];
const SEGMENT_NAMES: [&str; 3] = ["Conduction", "Switching", "Other"];

/// Maximum number of bars in the chart. With more devices, the chart shows those with the
/// highest total loss.
const MAX_BARS: usize = 25;
const BAR_HEIGHT: f64 = 11.0;
const BAR_PITCH: f64 = 16.0;
/// Width of the device name column left of the bars.
const LABEL_WIDTH: f64 = 110.0;

/// Writes the loss section: chart, notes and table.
pub(crate) fn draw(document: &mut Document, losses: &[LossRow]) {
    let bars = losses.len().min(MAX_BARS);
    let chart_height = 24.0 + bars as f64 * BAR_PITCH + 34.0;
    document.heading("Loss breakdown", chart_height);
    if losses.is_empty() {
        note(document, "No loss breakdown was computed for this run.");
        return;
    }
    draw_chart(document, losses);
    draw_table(document, losses);
}

fn segments(row: &LossRow) -> [f64; 3] {
    [row.conduction_w, row.switching_w, row.other_w]
}

/// Returns whether a loss value can be drawn as a bar segment: positive, finite and no
/// larger than 1e300 W, so that the sum of a device's three segments stays finite.
fn drawable(value: f64) -> bool {
    value.is_finite() && value > 0.0 && value <= 1e300
}

/// Returns the sum of the parts a bar can show.
fn drawable_total(row: &LossRow) -> f64 {
    segments(row).into_iter().filter(|&v| drawable(v)).sum()
}

fn draw_chart(document: &mut Document, losses: &[LossRow]) {
    let mut order: Vec<usize> = (0..losses.len()).collect();
    if losses.len() > MAX_BARS {
        order.sort_by(|&a, &b| drawable_total(&losses[b]).total_cmp(&drawable_total(&losses[a])));
        order.truncate(MAX_BARS);
    }
    let largest = order
        .iter()
        .map(|&i| drawable_total(&losses[i]))
        .fold(0.0, f64::max);
    let axis = Axis::covering(0.0, if largest > 0.0 { largest } else { 1.0 }, 5);
    let exponent = axis.label_exponent();
    let title = match prefix_for(exponent) {
        Some(prefix) => format!("Loss [{prefix}W]"),
        None => format!("Loss [W] \u{D7}1e{exponent}"),
    };
    let bar_left = LEFT + LABEL_WIDTH;
    let bar_width = RIGHT - 10.0 - bar_left;
    let to_x = |value: f64| bar_left + (value - axis.min) / (axis.max - axis.min) * bar_width;

    // Legend above the bars.
    let legend_y = document.y() - 10.0;
    let canvas = document.canvas();
    let mut x = bar_left;
    for (name, color) in SEGMENT_NAMES.iter().zip(SEGMENT_COLORS) {
        canvas.fill_rect(x, legend_y - 1.0, 9.0, 8.0, color);
        canvas.fill_color(Color::BLACK);
        canvas.text(
            Font::Regular,
            8.5,
            (x + 13.0, legend_y),
            Align::Left,
            name,
            80.0,
        );
        x += 85.0;
    }
    document.advance(20.0);

    let top = document.y();
    let bottom = top - order.len() as f64 * BAR_PITCH;
    let canvas = document.canvas();
    canvas.line_width(0.4);
    canvas.stroke_color(Color::LIGHT_GREY);
    for tick in axis.ticks() {
        canvas.line(to_x(tick), bottom, to_x(tick), top);
    }
    for (slot, &index) in order.iter().enumerate() {
        let row = &losses[index];
        let y = top - slot as f64 * BAR_PITCH - (BAR_PITCH + BAR_HEIGHT) / 2.0;
        canvas.fill_color(Color::BLACK);
        canvas.text(
            Font::Regular,
            8.5,
            (bar_left - 6.0, y + 2.5),
            Align::Right,
            &row.device,
            LABEL_WIDTH - 8.0,
        );
        let mut start = 0.0;
        for (value, color) in segments(row).into_iter().zip(SEGMENT_COLORS) {
            if !drawable(value) {
                continue;
            }
            canvas.fill_rect(
                to_x(start),
                y,
                to_x(start + value) - to_x(start),
                BAR_HEIGHT,
                color,
            );
            start += value;
        }
    }
    canvas.stroke_color(Color::BLACK);
    canvas.line_width(0.6);
    canvas.line(bar_left, bottom, bar_left + bar_width, bottom);
    canvas.line(bar_left, bottom, bar_left, top);
    canvas.fill_color(Color::BLACK);
    for tick in axis.ticks() {
        canvas.line(to_x(tick), bottom, to_x(tick), bottom - 3.0);
        let label = axis.tick_label(tick, exponent);
        canvas.text(
            Font::Regular,
            8.0,
            (to_x(tick), bottom - 12.0),
            Align::Center,
            &label,
            60.0,
        );
    }
    canvas.text(
        Font::Regular,
        8.5,
        (bar_left + bar_width / 2.0, bottom - 24.0),
        Align::Center,
        &title,
        bar_width,
    );
    document.advance(top - bottom + 32.0);

    let hidden = losses.len() - order.len();
    if hidden > 0 {
        let text = format!(
            "The chart shows the {} devices with the highest loss; {hidden} more are listed in the table.",
            order.len()
        );
        note(document, &text);
    }
    let undrawn = losses
        .iter()
        .flat_map(segments)
        .any(|value| value != 0.0 && !drawable(value));
    if undrawn {
        note(
            document,
            "Negative, non-finite and implausibly large (above 1e300 W) loss values are not \
             drawn; the table shows them as computed.",
        );
    }
}

fn draw_table(document: &mut Document, losses: &[LossRow]) {
    let watts = |value: f64| engineering(value, "W", 4);
    let device_totals: Vec<f64> = losses
        .iter()
        .map(|row| segments(row).iter().sum())
        .collect();
    let grand_total: f64 = device_totals.iter().sum();
    let share = |total: f64| {
        if grand_total.is_finite() && grand_total > 0.0 && total.is_finite() {
            engineering(100.0 * total / grand_total, "%", 3)
        } else {
            "-".to_owned()
        }
    };

    let width = CONTENT_WIDTH;
    let columns = [
        Column::new("Device", width * 0.25, Align::Left),
        Column::new("Conduction", width * 0.15, Align::Right),
        Column::new("Switching", width * 0.15, Align::Right),
        Column::new("Other", width * 0.15, Align::Right),
        Column::new("Total", width * 0.16, Align::Right),
        Column::new("Share", width * 0.14, Align::Right),
    ];
    let mut rows: Vec<Row> = losses
        .iter()
        .zip(&device_totals)
        .map(|(row, &total)| {
            let mut cells = vec![row.device.clone()];
            cells.extend(segments(row).map(watts));
            cells.push(watts(total));
            cells.push(share(total));
            Row::plain(cells)
        })
        .collect();

    let column_sums: Vec<f64> = (0..3)
        .map(|part| losses.iter().map(|row| segments(row)[part]).sum())
        .collect();
    let mut total_cells = vec!["Total".to_owned()];
    total_cells.extend(column_sums.iter().map(|&sum| watts(sum)));
    total_cells.push(watts(grand_total));
    total_cells.push(share(grand_total));
    rows.push(Row {
        cells: total_cells,
        total: true,
        color: None,
    });

    document.advance(4.0);
    table::draw(document, &columns, &rows);
}
