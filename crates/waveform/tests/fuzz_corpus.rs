//! Runs the CSV and `.pwf` readers over every file of the fuzz corpus in
//! `fuzz/corpus/` at the repository root, so inputs found by fuzzing stay
//! regression tests on stable Rust. A reader may reject an input, but it
//! must not panic.

use std::path::{Path, PathBuf};

use pelab_waveform::{csv, pwf};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(targets) = std::fs::read_dir(corpus_root()) else {
        return files;
    };
    for target in targets.flatten() {
        let Ok(entries) = std::fs::read_dir(target.path()) else {
            continue;
        };
        files.extend(
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.is_file()),
        );
    }
    files.sort();
    files
}

#[test]
fn readers_survive_fuzz_corpus() {
    let files = corpus_files();
    if !corpus_root().exists() {
        eprintln!("skipped: no fuzz corpus at {}", corpus_root().display());
        return;
    }
    assert!(!files.is_empty(), "fuzz corpus directory has no files");
    for path in &files {
        let bytes = std::fs::read(path).expect("corpus file is readable");
        // Both readers see every file: a CSV seed is also a malformed pwf
        // input and the other way round.
        let _ = pwf::read_pwf_bytes(&bytes);
        let _ = pwf::read_pwf(bytes.as_slice());
        let _ = csv::read_csv(bytes.as_slice());
    }
}

#[test]
fn valid_seeds_parse() {
    for path in corpus_files() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.starts_with("valid") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("corpus file is readable");
        let parent = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        match parent {
            Some("pwf_reader") => {
                pwf::read_pwf_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            Some("csv_reader") => {
                csv::read_csv(bytes.as_slice())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            _ => {}
        }
    }
}
