//! Feeds arbitrary text to the design parser as TOML and as JSON, and prepares every
//! design that validates. None of it may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_sim::design::{Design, Format};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::Json] {
        if let Ok(design) = Design::parse(text, format) {
            let _ = design.prepare();
        }
    }
});
