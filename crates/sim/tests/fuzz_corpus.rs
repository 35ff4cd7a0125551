//! Runs the netlist and design parsers over the fuzz corpus in `fuzz/corpus/`, so
//! inputs found by fuzzing stay regression tests on stable Rust.

use std::path::{Path, PathBuf};

use pelab_sim::circuit::Circuit;
use pelab_sim::design::{Design, Format};
use pelab_sim::netlist::parse_netlist;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn netlist_parser_survives_corpus() {
    let files = corpus("netlist_parser");
    assert!(!files.is_empty());
    for path in files {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let parsed = parse_netlist(&text);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("valid_") {
            let netlist = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            let circuit = Circuit::from_netlist(&netlist).unwrap_or_else(|e| panic!("{name}: {e}"));
            circuit
                .config_model(0)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if let Ok(netlist) = parsed {
            let _ = Circuit::from_netlist(&netlist);
        }
    }
}

#[test]
fn design_parser_survives_corpus() {
    let files = corpus("design_parser");
    assert!(!files.is_empty());
    for path in files {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("readable")).into_owned();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let format = Format::from_path(&path);
        let parsed = Design::parse(&text, format);
        if name.starts_with("valid_") {
            let design = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            design.prepare().unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if let Ok(design) = parsed {
            let _ = design.prepare();
        }
    }
}
