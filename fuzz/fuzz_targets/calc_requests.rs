//! Feeds arbitrary text to the JSON loss and thermal calculators, as `pelab calc
//! losses` and `pelab calc thermal` read it. Each must return a response or an error
//! without panicking, and a loss response's total must be finite or absent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_components::library::resolve_switch_model;
use pelab_components::loss::{LossRequest, calc_losses};
use pelab_components::thermal::{ThermalRequest, calc_thermal};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = serde_json::from_str::<LossRequest>(text)
        && let Ok(response) = calc_losses(&request, &resolve_switch_model)
    {
        assert!(!response.total_w.is_nan());
    }
    if let Ok(request) = serde_json::from_str::<ThermalRequest>(text) {
        let _ = calc_thermal(&request);
    }
});
