//! Tables with a shaded header row that repeats after each page break.

use crate::canvas::{Align, Color};
use crate::document::{Document, LEFT};
use crate::fonts::Font;

const FONT_SIZE: f64 = 9.0;
const ROW_HEIGHT: f64 = 15.0;
/// Horizontal padding between a cell's edge and its text, in points.
const PADDING: f64 = 4.0;

/// A table column: its title, its width in points and how its cells are aligned.
pub(crate) struct Column<'a> {
    pub title: &'a str,
    pub width: f64,
    pub align: Align,
}

impl<'a> Column<'a> {
    pub(crate) fn new(title: &'a str, width: f64, align: Align) -> Self {
        Self {
            title,
            width,
            align,
        }
    }
}

/// One table row.
pub(crate) struct Row {
    pub cells: Vec<String>,
    /// Bold text and a rule above, for totals.
    pub total: bool,
    /// Text colour; `None` is black.
    pub color: Option<Color>,
}

impl Row {
    pub(crate) fn plain(cells: Vec<String>) -> Self {
        Self {
            cells,
            total: false,
            color: None,
        }
    }
}

/// Height of a table with a header and `rows` rows, when it does not break across pages.
pub(crate) fn height(rows: usize) -> f64 {
    ROW_HEIGHT * (rows as f64 + 1.0) + 8.0
}

/// Draws a table at the cursor, breaking pages between rows and repeating the header.
pub(crate) fn draw(document: &mut Document, columns: &[Column<'_>], rows: &[Row]) {
    document.ensure(2.0 * ROW_HEIGHT);
    draw_header(document, columns);
    for (index, row) in rows.iter().enumerate() {
        if document.ensure(ROW_HEIGHT) {
            draw_header(document, columns);
        }
        let top = document.y();
        let width: f64 = columns.iter().map(|c| c.width).sum();
        let canvas = document.canvas();
        if index % 2 == 1 && !row.total {
            canvas.fill_rect(LEFT, top - ROW_HEIGHT, width, ROW_HEIGHT, Color::FAINT_GREY);
        }
        if row.total {
            canvas.stroke_color(Color::DARK_GREY);
            canvas.line_width(0.6);
            canvas.line(LEFT, top, LEFT + width, top);
        }
        let font = if row.total { Font::Bold } else { Font::Regular };
        canvas.fill_color(row.color.unwrap_or(Color::BLACK));
        draw_cells(document, columns, &row.cells, font);
        document.advance(ROW_HEIGHT);
    }
    document.advance(8.0);
}

fn draw_header(document: &mut Document, columns: &[Column<'_>]) {
    let top = document.y();
    let width: f64 = columns.iter().map(|c| c.width).sum();
    let canvas = document.canvas();
    canvas.fill_rect(LEFT, top - ROW_HEIGHT, width, ROW_HEIGHT, Color::LIGHT_GREY);
    canvas.fill_color(Color::BLACK);
    let titles: Vec<String> = columns.iter().map(|c| c.title.to_owned()).collect();
    draw_cells(document, columns, &titles, Font::Bold);
    document.advance(ROW_HEIGHT);
}

/// Writes one row of cell texts, each truncated to its column.
fn draw_cells(document: &mut Document, columns: &[Column<'_>], cells: &[String], font: Font) {
    let baseline = document.y() - ROW_HEIGHT + 4.5;
    let canvas = document.canvas();
    let mut x = LEFT;
    for (column, cell) in columns.iter().zip(cells) {
        let inner = (column.width - 2.0 * PADDING).max(1.0);
        let anchor = match column.align {
            Align::Left => x + PADDING,
            Align::Center => x + column.width / 2.0,
            Align::Right => x + column.width - PADDING,
        };
        canvas.text(
            font,
            FONT_SIZE,
            (anchor, baseline),
            column.align,
            cell,
            inner,
        );
        x += column.width;
    }
}
