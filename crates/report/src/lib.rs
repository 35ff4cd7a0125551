//! PDF report of one pelab simulation run.
//!
//! [`render`] lays out an A4 portrait report (run header, warnings, summary metrics,
//! parameters, loss breakdown, junction temperatures and waveform plots) and writes it with
//! a small built-in PDF 1.7 writer. Text uses the standard Helvetica fonts with
//! WinAnsiEncoding, so characters outside Latin-1 are replaced (see the crate README).

mod canvas;
mod document;
mod fonts;
mod format;
#[cfg(test)]
mod glyph_width_check;
mod losses;
mod pdf;
mod plot;
mod sections;
mod table;

use serde::{Deserialize, Serialize};

pub use document::SAFETY_NOTE;

/// Everything the report shows about one simulation run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportInput {
    /// Design title, shown as the report title.
    pub title: String,
    /// Run id.
    pub run_id: String,
    /// Project name.
    pub project: String,
    /// Simulation kernel, for example "boost".
    pub kernel: String,
    /// Run status, for example "done" or "failed".
    pub status: String,
    /// Time the run was created, RFC 3339.
    pub created_at: String,
    /// Time the run finished, RFC 3339, if it has.
    pub finished_at: Option<String>,
    /// Rows of the summary table.
    pub metrics: Vec<Metric>,
    /// Loss breakdown per device; may be empty.
    pub losses: Vec<LossRow>,
    /// Junction temperature per device; may be empty.
    pub junctions: Vec<JunctionRow>,
    /// Waveform plots, already decimated by the caller.
    pub plots: Vec<Plot>,
    /// Warnings raised by the run, listed near the top of the report.
    pub warnings: Vec<String>,
    /// Design parameters as (name, value with unit).
    pub parameters: Vec<(String, String)>,
}

/// One row of the summary table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name, for example "Efficiency".
    pub name: String,
    /// Value in the SI unit `unit`; the report adds an engineering prefix.
    pub value: f64,
    /// SI unit without prefix, for example "W", "A", "%" or "°C".
    pub unit: String,
}

/// Losses of one device, in watts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LossRow {
    /// Device name, for example "Q1".
    pub device: String,
    /// Conduction loss in W.
    pub conduction_w: f64,
    /// Switching loss in W.
    pub switching_w: f64,
    /// Other losses (core, gate drive, reverse recovery) in W.
    pub other_w: f64,
}

/// Junction temperature of one device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JunctionRow {
    /// Device name.
    pub device: String,
    /// Junction temperature in °C.
    pub tj_c: f64,
    /// Maximum rated junction temperature in °C, if known.
    pub tj_max_c: Option<f64>,
}

/// One waveform plot with a shared x axis and y axis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plot {
    /// Plot title.
    pub title: String,
    /// X axis title; a trailing unit in brackets such as "Time [s]" gets the tick prefix.
    pub x_label: String,
    /// Y axis title; a trailing unit in brackets such as "Current [A]" gets the tick prefix.
    pub y_label: String,
    /// Curves drawn in this plot.
    pub series: Vec<Series>,
}

/// One curve of a plot. Points with a non-finite coordinate are skipped and break the line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Series {
    /// Curve name shown in the legend.
    pub name: String,
    /// Unit of the y values, shown in the legend.
    pub unit: String,
    /// X coordinates.
    pub x: Vec<f64>,
    /// Y coordinates, pairwise with `x`; extra values of the longer vector are not drawn.
    pub y: Vec<f64>,
}

/// Reasons a report cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input list is longer than the report accepts.
    #[error(
        "{field} has {count} entries, more than the maximum of {max}; decimate or shorten it before rendering"
    )]
    TooLarge {
        /// Name of the input field, for example "plots[2].series[0].x".
        field: String,
        /// Number of entries received.
        count: usize,
        /// Largest accepted number of entries.
        max: usize,
    },
}

/// Maximum number of plots in one report.
pub const MAX_PLOTS: usize = 100;
/// Maximum number of series in one plot.
pub const MAX_SERIES_PER_PLOT: usize = 16;
/// Maximum number of points in one series. Min/max decimation for display needs about two
/// points per device pixel, which is about 15 000 points across a plot printed at 1200 dpi.
pub const MAX_POINTS_PER_SERIES: usize = 100_000;
/// Maximum number of points over all plots, which bounds the file to tens of megabytes.
pub const MAX_POINTS_TOTAL: usize = 1_000_000;
/// Maximum number of rows in each table and entries in the warning list.
pub const MAX_ROWS: usize = 10_000;

/// Renders the report of one run as a PDF file.
///
/// # Errors
///
/// Returns [`ReportError::TooLarge`] when a list exceeds one of the `MAX_*` limits.
/// Non-finite numbers, empty lists and long or non-Latin-1 strings are not errors: they are
/// shown as "NaN", skipped, truncated or replaced.
pub fn render(input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    check_sizes(input)?;

    let running_header = format!("{} \u{2013} run {}", input.title, input.run_id);
    let mut document = document::Document::new(running_header);
    sections::header(&mut document, input);
    sections::warnings(&mut document, &input.warnings);
    sections::metrics(&mut document, &input.metrics);
    sections::parameters(&mut document, &input.parameters);
    losses::draw(&mut document, &input.losses);
    sections::junctions(&mut document, &input.junctions);
    plot::draw_all(&mut document, &input.plots);

    let pages = document.finish();
    let subject = format!(
        "pelab simulation run {} ({}, {})",
        input.run_id, input.project, input.kernel
    );
    Ok(pdf::write_document(
        &pages,
        &pdf::Info {
            title: &input.title,
            subject: &subject,
        },
    ))
}

fn check_sizes(input: &ReportInput) -> Result<(), ReportError> {
    let limit = |field: &str, count: usize, max: usize| {
        if count > max {
            Err(ReportError::TooLarge {
                field: field.to_owned(),
                count,
                max,
            })
        } else {
            Ok(())
        }
    };
    limit("metrics", input.metrics.len(), MAX_ROWS)?;
    limit("losses", input.losses.len(), MAX_ROWS)?;
    limit("junctions", input.junctions.len(), MAX_ROWS)?;
    limit("warnings", input.warnings.len(), MAX_ROWS)?;
    limit("parameters", input.parameters.len(), MAX_ROWS)?;
    limit("plots", input.plots.len(), MAX_PLOTS)?;
    let mut total = 0usize;
    for (p, plot) in input.plots.iter().enumerate() {
        limit(
            &format!("plots[{p}].series"),
            plot.series.len(),
            MAX_SERIES_PER_PLOT,
        )?;
        for (s, series) in plot.series.iter().enumerate() {
            limit(
                &format!("plots[{p}].series[{s}].x"),
                series.x.len(),
                MAX_POINTS_PER_SERIES,
            )?;
            limit(
                &format!("plots[{p}].series[{s}].y"),
                series.y.len(),
                MAX_POINTS_PER_SERIES,
            )?;
            total += series.x.len().min(series.y.len());
        }
    }
    limit("points over all plots", total, MAX_POINTS_TOTAL)
}
