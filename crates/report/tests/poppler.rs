//! Checks rendered reports with poppler-utils (`pdfinfo`, `pdftotext`), an independent PDF
//! reader. Each test prints a message and returns early when the tool is not installed
//! (Debian: `apt-get install poppler-utils`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::sample;

/// Runs a poppler tool, or returns `None` when it is not installed.
fn run_tool(tool: &str, args: &[&str]) -> Option<Output> {
    match Command::new(tool).args(args).output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: {tool} is not installed (Debian package poppler-utils)");
            None
        }
        Err(error) => panic!("running {tool} failed: {error}"),
    }
}

/// Writes `pdf` to a fresh file under the target directory's temporary folder.
fn write_pdf(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pelab-report");
    if let Err(error) = std::fs::create_dir_all(&dir) {
        panic!("creating {} failed: {error}", dir.display());
    }
    let path = dir.join(name);
    if let Err(error) = std::fs::write(&path, pdf) {
        panic!("writing {} failed: {error}", path.display());
    }
    path
}

fn render(input: &pelab_report::ReportInput, name: &str) -> PathBuf {
    match pelab_report::render(input) {
        Ok(pdf) => write_pdf(name, &pdf),
        Err(error) => panic!("render failed: {error}"),
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("{} is not UTF-8", path.display()))
}

/// Runs `pdfinfo` and returns the page count it reports; fails on any error output.
fn pdfinfo_pages(path: &Path) -> Option<usize> {
    let output = run_tool("pdfinfo", &[path_str(path)])?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "pdfinfo failed: {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "pdfinfo reported problems: {stderr}"
    );
    assert!(stdout.contains("A4"), "page size is not A4:\n{stdout}");
    let pages = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|value| value.trim().parse().ok());
    let Some(pages) = pages else {
        panic!("pdfinfo printed no page count:\n{stdout}");
    };
    Some(pages)
}

fn pdftotext(path: &Path) -> Option<String> {
    let output = run_tool("pdftotext", &["-enc", "UTF-8", path_str(path), "-"])?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "pdftotext failed: {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "pdftotext reported problems: {stderr}"
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn pdfinfo_accepts_report() {
    let input = sample::boost_run();
    let path = render(&input, "boost.pdf");
    let Some(pages) = pdfinfo_pages(&path) else {
        return;
    };
    let pdf = std::fs::read(&path).unwrap_or_default();
    let declared = match common::parse(&pdf) {
        Ok(parsed) => parsed.declared_pages,
        Err(message) => panic!("invalid PDF structure: {message}"),
    };
    assert_eq!(pages, declared);
    assert!(pages >= 2);
}

#[test]
fn pdftotext_finds_content() {
    let input = sample::boost_run();
    let path = render(&input, "boost-text.pdf");
    let Some(text) = pdftotext(&path) else { return };
    assert!(text.contains(&input.title), "title missing:\n{text}");
    assert!(text.contains("2.052 kW"), "input power missing:\n{text}");
    assert!(
        text.contains("4.5 mA"),
        "gate driver current missing:\n{text}"
    );
    assert!(
        text.contains("734 \u{B5}s"),
        "settling time with micro sign missing:\n{text}"
    );
    assert!(text.contains("131 \u{B0}C"), "degree sign missing:\n{text}");
    assert!(
        text.contains("Simulation results only."),
        "safety note missing:\n{text}"
    );
    assert!(text.contains("Page 1 of"), "page number missing:\n{text}");
}

#[test]
fn stress_report_readable() {
    let path = render(&sample::stress_run(), "stress.pdf");
    let Some(pages) = pdfinfo_pages(&path) else {
        return;
    };
    assert!(pages >= 3);
    let Some(text) = pdftotext(&path) else { return };
    assert!(
        text.contains("Stress (report) \\ test: ?? Ohm"),
        "escaped title missing:\n{text}"
    );
    assert!(text.contains('\u{2026}'), "no ellipsis in truncated text");
    assert!(text.contains(&format!("Page {pages} of {pages}")));
}
