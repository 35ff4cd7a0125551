//! Report sections made of text and tables: the run header, warnings, metrics,
//! parameters and junction temperatures.

use crate::canvas::{Align, Color};
use crate::document::{CONTENT_WIDTH, Document, LEFT};
use crate::fonts::{self, Font};
use crate::format::engineering;
use crate::table::{self, Column, Row};
use crate::{JunctionRow, Metric, ReportInput};

/// Significant digits of values in tables.
const TABLE_DIGITS: usize = 4;

/// Writes the title block of the first page.
pub(crate) fn header(document: &mut Document, input: &ReportInput) {
    let title = if input.title.trim().is_empty() {
        "Untitled design"
    } else {
        &input.title
    };
    let lines = fonts::wrap(Font::Bold, 18.0, &fonts::encode(title), CONTENT_WIDTH, 2);
    for line in lines {
        let baseline = document.y() - 18.0;
        let canvas = document.canvas();
        canvas.fill_color(Color::BLACK);
        canvas.text_codes(Font::Bold, 18.0, LEFT, baseline, Align::Left, &line);
        document.advance(22.0);
    }
    document.advance(3.0);
    let baseline = document.y() - 11.0;
    let canvas = document.canvas();
    canvas.fill_color(Color::DARK_GREY);
    canvas.text(
        Font::Regular,
        10.0,
        (LEFT, baseline),
        Align::Left,
        "Simulation run report",
        CONTENT_WIDTH,
    );
    document.advance(22.0);

    let finished = input.finished_at.as_deref().unwrap_or("not finished");
    let fields = [
        ("Project", input.project.as_str(), None),
        ("Kernel", input.kernel.as_str(), None),
        ("Run ID", input.run_id.as_str(), None),
        (
            "Status",
            input.status.as_str(),
            Some(status_color(&input.status)),
        ),
        ("Created", input.created_at.as_str(), None),
        ("Finished", finished, None),
    ];
    let column_width = CONTENT_WIDTH / 2.0;
    for pair in fields.chunks(2) {
        let top = document.y();
        let canvas = document.canvas();
        for (index, (label, value, color)) in pair.iter().enumerate() {
            let x = LEFT + index as f64 * column_width;
            canvas.fill_color(Color::GREY);
            canvas.text(
                Font::Regular,
                7.5,
                (x, top - 8.0),
                Align::Left,
                label,
                column_width - 10.0,
            );
            canvas.fill_color(color.unwrap_or(Color::BLACK));
            let font = if color.is_some() {
                Font::Bold
            } else {
                Font::Regular
            };
            let value = if value.trim().is_empty() { "-" } else { value };
            canvas.text(
                font,
                10.0,
                (x, top - 20.0),
                Align::Left,
                value,
                column_width - 10.0,
            );
        }
        document.advance(27.0);
    }
    let y = document.y() - 2.0;
    let canvas = document.canvas();
    canvas.stroke_color(Color::BLACK);
    canvas.line_width(1.0);
    canvas.line(LEFT, y, LEFT + CONTENT_WIDTH, y);
    document.advance(10.0);
}

fn status_color(status: &str) -> Color {
    match status.trim().to_ascii_lowercase().as_str() {
        "done" | "succeeded" | "success" | "completed" => Color::GREEN,
        "failed" | "error" | "cancelled" | "canceled" | "timed out" => Color::RED,
        _ => Color::BLACK,
    }
}

/// Lists the run's warnings; writes nothing when there are none.
pub(crate) fn warnings(document: &mut Document, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    document.heading(&format!("Warnings ({})", warnings.len()), 14.0);
    for warning in warnings {
        document.ensure(12.0);
        let top = document.y();
        let canvas = document.canvas();
        canvas.fill_color(Color::RED);
        canvas.text_codes(Font::Bold, 9.0, LEFT + 2.0, top - 9.0, Align::Left, &[0x95]);
        let text = if warning.trim().is_empty() {
            "(empty warning)"
        } else {
            warning
        };
        document.paragraph(Font::Regular, 9.0, LEFT + 12.0, text, Color::BLACK, 6);
        document.advance(2.0);
    }
    document.advance(8.0);
}

/// Writes the summary table with engineering-prefixed values.
pub(crate) fn metrics(document: &mut Document, metrics: &[Metric]) {
    document.heading("Summary", table::height(metrics.len().min(3)));
    if metrics.is_empty() {
        note(document, "No summary metrics were recorded for this run.");
        return;
    }
    let columns = [
        Column::new("Quantity", CONTENT_WIDTH * 0.6, Align::Left),
        Column::new("Value", CONTENT_WIDTH * 0.4, Align::Right),
    ];
    let rows: Vec<Row> = metrics
        .iter()
        .map(|metric| {
            Row::plain(vec![
                metric.name.clone(),
                engineering(metric.value, &metric.unit, TABLE_DIGITS),
            ])
        })
        .collect();
    table::draw(document, &columns, &rows);
}

/// Writes the design parameter table.
pub(crate) fn parameters(document: &mut Document, parameters: &[(String, String)]) {
    document.heading("Parameters", table::height(parameters.len().min(3)));
    if parameters.is_empty() {
        note(document, "No design parameters were recorded for this run.");
        return;
    }
    let columns = [
        Column::new("Parameter", CONTENT_WIDTH * 0.6, Align::Left),
        Column::new("Value", CONTENT_WIDTH * 0.4, Align::Right),
    ];
    let rows: Vec<Row> = parameters
        .iter()
        .map(|(name, value)| Row::plain(vec![name.clone(), value.clone()]))
        .collect();
    table::draw(document, &columns, &rows);
}

/// Writes the junction temperature table with the margin to each device's rating.
pub(crate) fn junctions(document: &mut Document, junctions: &[JunctionRow]) {
    document.heading(
        "Junction temperatures",
        table::height(junctions.len().min(3)),
    );
    if junctions.is_empty() {
        note(
            document,
            "No junction temperatures were computed for this run.",
        );
        return;
    }
    let columns = [
        Column::new("Device", CONTENT_WIDTH * 0.32, Align::Left),
        Column::new("Tj", CONTENT_WIDTH * 0.16, Align::Right),
        Column {
            title: "Tj,max",
            width: CONTENT_WIDTH * 0.16,
            align: Align::Right,
        },
        Column::new("Margin", CONTENT_WIDTH * 0.16, Align::Right),
        Column::new("Check", CONTENT_WIDTH * 0.20, Align::Left),
    ];
    let rows: Vec<Row> = junctions.iter().map(junction_row).collect();
    table::draw(document, &columns, &rows);
}

fn junction_row(junction: &JunctionRow) -> Row {
    let celsius = |value: f64| engineering(value, "\u{B0}C", TABLE_DIGITS);
    let tj = celsius(junction.tj_c);
    let (rating, margin, check, color) = match junction.tj_max_c {
        None => ("-".to_owned(), "-".to_owned(), "no rating given", None),
        Some(max) => {
            let margin = max - junction.tj_c;
            let (check, color) = if !margin.is_finite() {
                ("cannot check", Some(Color::RED))
            } else if margin < 0.0 {
                ("EXCEEDS Tj,max", Some(Color::RED))
            } else {
                ("within rating", None)
            };
            // A temperature difference is in kelvin; "°C" would suggest an absolute value.
            (
                celsius(max),
                engineering(margin, "K", TABLE_DIGITS),
                check,
                color,
            )
        }
    };
    Row {
        cells: vec![
            junction.device.clone(),
            tj,
            rating,
            margin,
            check.to_owned(),
        ],
        total: false,
        color,
    }
}

/// Writes a one-line grey note in place of an empty section.
pub(crate) fn note(document: &mut Document, text: &str) {
    document.paragraph(Font::Regular, 9.0, LEFT, text, Color::DARK_GREY, 2);
    document.advance(8.0);
}
