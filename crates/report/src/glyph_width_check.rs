//! Compares the glyph width tables with poppler's built-in Helvetica metrics.
//!
//! Alignment and truncation rely on the widths in `fonts.rs`. Each group of characters is
//! written as one word on its own line. `pdftotext -bbox` then reports where poppler ends
//! each word, computed from poppler's own width table. The test prints a message and returns when
//! pdftotext is not installed.

use std::process::Command;

use crate::canvas::{Align, Canvas};
use crate::fonts::{Font, text_width};
use crate::pdf::{Info, write_document};

const SIZE: f64 = 10.0;
const X: f64 = 40.0;

/// Printable WinAnsi codes in groups of six. 0xA0 (no-break space) and 0xAD (soft
/// hyphen) are left out because pdftotext treats them as word breaks or drops them.
fn groups() -> Vec<Vec<u8>> {
    let codes: Vec<u8> = (0x21..=0x7E)
        .chain([0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97])
        .chain((0xA1..=0xFF).filter(|&code| code != 0xAD))
        .collect();
    codes.chunks(6).map(<[u8]>::to_vec).collect()
}

/// Renders every group in `font`, one per line, over as many pages as needed.
fn render(font: Font, groups: &[Vec<u8>]) -> Vec<u8> {
    let pages: Vec<Vec<u8>> = groups
        .chunks(60)
        .map(|chunk| {
            let mut canvas = Canvas::default();
            for (line, group) in chunk.iter().enumerate() {
                let y = 800.0 - 13.0 * line as f64;
                canvas.text_codes(font, SIZE, X, y, Align::Left, group);
            }
            canvas.into_bytes()
        })
        .collect();
    write_document(
        &pages,
        &Info {
            title: "widths",
            subject: "glyph width check",
        },
    )
}

/// Returns (xMin, xMax) of every word that `pdftotext -bbox` finds, or `None` when
/// pdftotext is not installed.
fn word_boxes(pdf: &[u8], name: &str) -> Option<Vec<(f64, f64)>> {
    let path = std::env::temp_dir().join(format!("pelab-report-{}-{name}.pdf", std::process::id()));
    if let Err(error) = std::fs::write(&path, pdf) {
        panic!("writing {} failed: {error}", path.display());
    }
    let output = match Command::new("pdftotext")
        .arg("-bbox")
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
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = String::from_utf8_lossy(&output.stdout);
    let attribute = |line: &str, key: &str| -> f64 {
        line.split(&format!("{key}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|number| number.parse().ok())
            .unwrap_or(f64::NAN)
    };
    Some(
        html.lines()
            .filter(|line| line.trim_start().starts_with("<word"))
            .map(|line| (attribute(line, "xMin"), attribute(line, "xMax")))
            .collect(),
    )
}

fn check(font: Font, name: &str) {
    let groups = groups();
    let Some(boxes) = word_boxes(&render(font, &groups), name) else {
        return;
    };
    assert_eq!(
        boxes.len(),
        groups.len(),
        "pdftotext split or merged some words"
    );
    for (group, (x_min, x_max)) in groups.iter().zip(boxes) {
        let expected = text_width(font, SIZE, group);
        let measured = x_max - x_min;
        assert!(
            (measured - expected).abs() < 0.01,
            "{font:?} codes {group:02X?}: poppler width {measured:.3} pt, table width {expected:.3} pt"
        );
    }
}

#[test]
fn regular_widths_match_poppler() {
    check(Font::Regular, "regular");
}

#[test]
fn bold_widths_match_poppler() {
    check(Font::Bold, "bold");
}
