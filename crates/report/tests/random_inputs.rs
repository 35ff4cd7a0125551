//! Property test: arbitrary strings and numbers never panic the renderer, and every output
//! has a valid xref table and a consistent page count.

mod common;

use pelab_report::{JunctionRow, LossRow, Metric, Plot, ReportInput, Series, render};
use proptest::prelude::*;

/// Any Unicode text, including control characters, PDF delimiters and very long runs.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[()\\\\ ]{0,20}",
        "\\PC{0,300}",
        Just("\u{3A9}\u{B5}\u{B0}\u{B2}\u{4E2D}\u{1F600}\t\r\n\u{0}".to_owned()),
    ]
}

/// Any f64, with NaN, infinities, zero and extremes made common.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => proptest::num::f64::ANY,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(1e300),
        1 => Just(-3e299),
        2 => -1e4..1e4f64,
    ]
}

fn series() -> impl Strategy<Value = Series> {
    (
        text(),
        text(),
        prop::collection::vec(number(), 0..60),
        prop::collection::vec(number(), 0..60),
    )
        .prop_map(|(name, unit, x, y)| Series { name, unit, x, y })
}

fn plot() -> impl Strategy<Value = Plot> {
    (
        text(),
        text(),
        text(),
        prop::collection::vec(series(), 0..10),
    )
        .prop_map(|(title, x_label, y_label, series)| Plot {
            title,
            x_label,
            y_label,
            series,
        })
}

fn metric() -> impl Strategy<Value = Metric> {
    (text(), number(), text()).prop_map(|(name, value, unit)| Metric { name, value, unit })
}

fn loss() -> impl Strategy<Value = LossRow> {
    (text(), number(), number(), number()).prop_map(
        |(device, conduction_w, switching_w, other_w)| LossRow {
            device,
            conduction_w,
            switching_w,
            other_w,
        },
    )
}

fn junction() -> impl Strategy<Value = JunctionRow> {
    (text(), number(), proptest::option::of(number())).prop_map(|(device, tj_c, tj_max_c)| {
        JunctionRow {
            device,
            tj_c,
            tj_max_c,
        }
    })
}

fn input() -> impl Strategy<Value = ReportInput> {
    let header = (
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
        proptest::option::of(text()),
    );
    let tables = (
        prop::collection::vec(metric(), 0..30),
        prop::collection::vec(loss(), 0..40),
        prop::collection::vec(junction(), 0..10),
        prop::collection::vec(plot(), 0..4),
        prop::collection::vec(text(), 0..8),
        prop::collection::vec((text(), text()), 0..20),
    );
    (header, tables).prop_map(
        |(
            (title, run_id, project, kernel, status, created_at, finished_at),
            (metrics, losses, junctions, plots, warnings, parameters),
        )| ReportInput {
            title,
            run_id,
            project,
            kernel,
            status,
            created_at,
            finished_at,
            metrics,
            losses,
            junctions,
            plots,
            warnings,
            parameters,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_input_gives_valid_pdf(input in input()) {
        let pdf = render(&input);
        prop_assert!(pdf.is_ok(), "render failed: {:?}", pdf.err());
        let pdf = pdf.unwrap_or_default();
        let parsed = common::parse(&pdf);
        prop_assert!(parsed.is_ok(), "invalid PDF: {:?}", parsed.err());
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert!(parsed.declared_pages >= 1);
        prop_assert_eq!(parsed.declared_pages, parsed.page_objects);
        prop_assert_eq!(parsed.contents.len(), parsed.declared_pages);
        let last_page = format!("Page {0} of {0}", parsed.declared_pages);
        let texts = common::shown_text(&parsed.contents[parsed.declared_pages - 1]);
        prop_assert!(texts.contains(&last_page), "last page lacks {:?}", last_page);
    }
}

/// Runs `pdftotext` on the file and returns its error output, or `None` when poppler-utils
/// is not installed.
fn pdftotext_errors(pdf: &[u8]) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("random-{}.pdf", std::process::id()));
    if let Err(error) = std::fs::write(&path, pdf) {
        panic!("writing {} failed: {error}", path.display());
    }
    let output = match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: pdftotext is not installed (Debian package poppler-utils)");
            return None;
        }
        Err(error) => panic!("running pdftotext failed: {error}"),
    };
    let mut errors = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        errors.push_str(&format!(" (exit status {})", output.status));
    }
    Some(errors)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// poppler parses every content stream, so a bad escape or operator shows up here.
    #[test]
    fn random_input_readable_by_poppler(input in input()) {
        let pdf = render(&input).unwrap_or_default();
        prop_assert!(!pdf.is_empty(), "render failed");
        if let Some(errors) = pdftotext_errors(&pdf) {
            prop_assert!(errors.trim().is_empty(), "pdftotext reported: {}", errors);
        }
    }
}
