//! Structural checks of rendered reports: xref offsets, startxref, page count, and the text
//! placed on the pages.

mod common;

use common::{parse, sample, shown_text};
use pelab_report::{MAX_POINTS_PER_SERIES, Plot, ReportError, SAFETY_NOTE, Series, render};

fn render_ok(input: &pelab_report::ReportInput) -> Vec<u8> {
    match render(input) {
        Ok(pdf) => pdf,
        Err(error) => panic!("render failed: {error}"),
    }
}

fn parsed(pdf: &[u8]) -> common::Parsed {
    match parse(pdf) {
        Ok(parsed) => parsed,
        Err(message) => panic!("invalid PDF structure: {message}"),
    }
}

#[test]
fn boost_report_structure() {
    let pdf = render_ok(&sample::boost_run());
    let parsed = parsed(&pdf);
    assert!(
        parsed.declared_pages >= 2,
        "the sample needs more than one page"
    );
    assert_eq!(parsed.declared_pages, parsed.page_objects);
    assert_eq!(parsed.contents.len(), parsed.declared_pages);
}

#[test]
fn every_page_has_footer() {
    let pdf = render_ok(&sample::boost_run());
    let parsed = parsed(&pdf);
    let total = parsed.declared_pages;
    for (index, content) in parsed.contents.iter().enumerate() {
        let texts = shown_text(content);
        let page_label = format!("Page {} of {total}", index + 1);
        assert!(
            texts.contains(&page_label),
            "page {} lacks {page_label:?}",
            index + 1
        );
        assert!(
            texts.iter().any(|t| t == SAFETY_NOTE),
            "page {} lacks the safety note",
            index + 1
        );
    }
}

#[test]
fn metrics_use_prefixes() {
    let pdf = render_ok(&sample::boost_run());
    let texts: Vec<String> = parsed(&pdf)
        .contents
        .iter()
        .flat_map(|c| shown_text(c))
        .collect();
    for expected in [
        "2.052 kW",
        "4.5 mA",
        "734 \u{B5}s",
        "97.46 %",
        "60 \u{B5}H",
        "25 mOhm",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected:?} not found"
        );
    }
    assert!(
        texts.iter().any(|t| t == "EXCEEDS Tj,max"),
        "the over-temperature row is not flagged"
    );
    assert!(
        texts.iter().any(|t| t == "-6 K"),
        "the negative margin is missing"
    );
}

#[test]
fn plot_ticks_are_nice() {
    let pdf = render_ok(&sample::boost_run());
    let texts: Vec<String> = parsed(&pdf)
        .contents
        .iter()
        .flat_map(|c| shown_text(c))
        .collect();
    assert!(
        texts.iter().any(|t| t == "Time [\u{B5}s]"),
        "time axis title lacks the prefix"
    );
    for tick in ["0", "10", "20", "30", "40", "50"] {
        assert!(texts.iter().any(|t| t == tick), "tick {tick} missing");
    }
    assert!(
        !texts.iter().any(|t| t == "60"),
        "the time axis runs past the data by a whole step"
    );
}

#[test]
fn stress_report_structure() {
    let pdf = render_ok(&sample::stress_run());
    let parsed = parsed(&pdf);
    assert_eq!(parsed.declared_pages, parsed.page_objects);
    let texts: Vec<String> = parsed.contents.iter().flat_map(|c| shown_text(c)).collect();
    assert!(texts.iter().any(|t| t == "NaN W"));
    assert!(texts.iter().any(|t| t == "+Inf V"));
    assert!(texts.iter().any(|t| t == "No finite data points"));
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Stress (report) \\ test: ?? Ohm"))
    );
    assert!(
        texts.iter().any(|t| t.ends_with('\u{85}')),
        "no truncated text carries an ellipsis"
    );
}

#[test]
fn empty_report_renders() {
    let mut input = sample::boost_run();
    input.metrics.clear();
    input.losses.clear();
    input.junctions.clear();
    input.plots.clear();
    input.warnings.clear();
    input.parameters.clear();
    input.title.clear();
    let pdf = render_ok(&input);
    let parsed = parsed(&pdf);
    assert_eq!(parsed.declared_pages, 1);
    let texts = shown_text(&parsed.contents[0]);
    assert!(texts.iter().any(|t| t == "Untitled design"));
    assert!(texts.iter().any(|t| t == "Page 1 of 1"));
}

#[test]
fn oversized_series_rejected() {
    let mut input = sample::boost_run();
    input.plots = vec![Plot {
        title: "too long".to_owned(),
        x_label: String::new(),
        y_label: String::new(),
        series: vec![Series {
            name: "big".to_owned(),
            unit: "V".to_owned(),
            x: vec![0.0; 3],
            y: vec![0.0; MAX_POINTS_PER_SERIES + 1],
        }],
    }];
    match render(&input) {
        Err(ReportError::TooLarge { field, count, max }) => {
            assert_eq!(field, "plots[0].series[0].y");
            assert_eq!(count, MAX_POINTS_PER_SERIES + 1);
            assert_eq!(max, MAX_POINTS_PER_SERIES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn input_roundtrips_through_json() {
    let input = sample::boost_run();
    let json = serde_json::to_string(&input).unwrap_or_default();
    let back: Result<pelab_report::ReportInput, _> = serde_json::from_str(&json);
    let Ok(back) = back else {
        panic!("the JSON of a report input does not parse back");
    };
    // serde_json may change the last bit of a float, so compare the text, not the bytes.
    let texts = |pdf: &[u8]| -> Vec<String> {
        parsed(pdf)
            .contents
            .iter()
            .flat_map(|c| shown_text(c))
            .collect()
    };
    assert_eq!(texts(&render_ok(&back)), texts(&render_ok(&input)));
}
