//! Page flow: a cursor that moves down the page, page breaks, section headings, wrapped
//! paragraphs, the running header and the footer.

use crate::canvas::{Align, Canvas, Color};
use crate::fonts::{self, Font};
use crate::pdf::{PAGE_HEIGHT, PAGE_WIDTH};

/// Left page margin in points (about 18 mm).
pub(crate) const LEFT: f64 = 50.0;
/// Right edge of the text area in points.
pub(crate) const RIGHT: f64 = PAGE_WIDTH - 50.0;
/// Width of the text area in points.
pub(crate) const CONTENT_WIDTH: f64 = RIGHT - LEFT;
/// Top of the text area in points.
const TOP: f64 = PAGE_HEIGHT - 50.0;
/// Lowest point content may reach; the footer sits below it.
const BOTTOM: f64 = 72.0;
/// Baseline of the footer's first line.
const FOOTER_BASELINE: f64 = 46.0;

/// Footer text printed on every page.
pub const SAFETY_NOTE: &str =
    "Simulation results only. Verify on hardware with appropriate high-voltage safety measures.";

/// Pages of the report and the vertical position where the next block goes.
pub(crate) struct Document {
    pages: Vec<Canvas>,
    /// Baseline-independent cursor: the top of the next block, in points from the bottom.
    y: f64,
    /// Short text repeated at the top of every page after the first.
    running_header: String,
}

impl Document {
    pub(crate) fn new(running_header: String) -> Self {
        Self {
            pages: vec![Canvas::default()],
            y: TOP,
            running_header,
        }
    }

    /// Current page.
    pub(crate) fn canvas(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Top of the free space on the current page.
    pub(crate) fn y(&self) -> f64 {
        self.y
    }

    /// Moves the cursor down by `height` points.
    pub(crate) fn advance(&mut self, height: f64) {
        self.y -= height;
    }

    /// Height left on the current page.
    pub(crate) fn remaining(&self) -> f64 {
        self.y - BOTTOM
    }

    /// Height of an empty page after the running header.
    pub(crate) fn page_capacity() -> f64 {
        TOP - 22.0 - BOTTOM
    }

    /// Starts a new page unless `height` points still fit on this one. Returns whether a
    /// new page was started.
    pub(crate) fn ensure(&mut self, height: f64) -> bool {
        if height <= self.remaining() {
            return false;
        }
        self.new_page();
        true
    }

    /// Starts a new page with the running header.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Canvas::default());
        self.y = TOP;
        let header = self.running_header.clone();
        let canvas = self.canvas();
        canvas.fill_color(Color::DARK_GREY);
        canvas.text(
            Font::Regular,
            8.0,
            (LEFT, TOP - 8.0),
            Align::Left,
            &header,
            CONTENT_WIDTH,
        );
        canvas.stroke_color(Color::LIGHT_GREY);
        canvas.line_width(0.5);
        canvas.line(LEFT, TOP - 12.0, RIGHT, TOP - 12.0);
        self.y = TOP - 22.0;
    }

    /// Writes a section heading and keeps at least `keep_with` points of the following
    /// block on the same page.
    pub(crate) fn heading(&mut self, text: &str, keep_with: f64) {
        let height = 26.0;
        self.ensure(height + keep_with.min(Self::page_capacity() - height));
        let y = self.y - 16.0;
        let canvas = self.canvas();
        canvas.fill_color(Color::BLACK);
        canvas.text(
            Font::Bold,
            12.0,
            (LEFT, y),
            Align::Left,
            text,
            CONTENT_WIDTH,
        );
        canvas.stroke_color(Color::GREY);
        canvas.line_width(0.6);
        canvas.line(LEFT, y - 4.0, RIGHT, y - 4.0);
        self.advance(height);
    }

    /// Writes word-wrapped text from `x` to the right margin, at most `max_lines` lines,
    /// breaking pages between lines.
    pub(crate) fn paragraph(
        &mut self,
        font: Font,
        size: f64,
        x: f64,
        text: &str,
        color: Color,
        max_lines: usize,
    ) {
        let leading = size * 1.3;
        let lines = fonts::wrap(font, size, &fonts::encode(text), RIGHT - x, max_lines);
        for line in lines {
            self.ensure(leading);
            let baseline = self.y - size;
            let canvas = self.canvas();
            canvas.fill_color(color);
            canvas.text_codes(font, size, x, baseline, Align::Left, &line);
            self.advance(leading);
        }
    }

    /// Adds the footer to every page and returns the content streams.
    pub(crate) fn finish(self) -> Vec<Vec<u8>> {
        let total = self.pages.len();
        self.pages
            .into_iter()
            .enumerate()
            .map(|(index, mut canvas)| {
                canvas.stroke_color(Color::LIGHT_GREY);
                canvas.line_width(0.5);
                canvas.line(LEFT, FOOTER_BASELINE + 12.0, RIGHT, FOOTER_BASELINE + 12.0);
                canvas.fill_color(Color::DARK_GREY);
                let page_label = format!("Page {} of {total}", index + 1);
                canvas.text(
                    Font::Regular,
                    8.0,
                    (RIGHT, FOOTER_BASELINE),
                    Align::Right,
                    &page_label,
                    80.0,
                );
                canvas.text(
                    Font::Bold,
                    7.5,
                    (LEFT, FOOTER_BASELINE),
                    Align::Left,
                    SAFETY_NOTE,
                    CONTENT_WIDTH - 85.0,
                );
                canvas.into_bytes()
            })
            .collect()
    }
}
