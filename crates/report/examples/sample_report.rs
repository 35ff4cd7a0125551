//! Writes a sample report to a file, to look at the layout:
//! `cargo run -p pelab-report --example sample_report -- boost.pdf [stress]`.

#[path = "../tests/common/sample.rs"]
mod sample;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: sample_report OUTPUT.pdf [stress]");
        return ExitCode::FAILURE;
    };
    let input = match args.next().as_deref() {
        Some("stress") => sample::stress_run(),
        _ => sample::boost_run(),
    };
    let pdf = match pelab_report::render(&input) {
        Ok(pdf) => pdf,
        Err(error) => {
            eprintln!("rendering the report failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = std::fs::write(&path, &pdf) {
        eprintln!("writing {path} failed: {error}");
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {path} ({} bytes)", pdf.len());
    ExitCode::SUCCESS
}
