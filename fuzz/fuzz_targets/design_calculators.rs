//! Feeds arbitrary text to the design calculators as `POST /api/v1/calc/*` reads it:
//! ripple, LLC tank, LCL, PV curve and FOC tuning. Each must return a response or an
//! error naming a field, without panicking, and every curve must respect the point cap.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pelab_sim::calc::MAX_POINTS;
use pelab_sim::calc::foc_tuning::{FocTuningRequest, foc_tuning};
use pelab_sim::calc::lcl::{LclRequest, lcl};
use pelab_sim::calc::llc_tank::{LlcTankRequest, llc_tank};
use pelab_sim::calc::pv_curve::{PvCurveRequest, pv_curve};
use pelab_sim::calc::ripple::{RippleRequest, ripple};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = serde_json::from_str::<RippleRequest>(text)
        && let Ok(response) = ripple(&request)
    {
        assert!(response.delta_i_l_pp.is_finite());
    }
    if let Ok(request) = serde_json::from_str::<LlcTankRequest>(text)
        && let Ok(response) = llc_tank(&request)
    {
        assert!(response.loads.iter().all(|l| l.curve.len() <= MAX_POINTS));
    }
    if let Ok(request) = serde_json::from_str::<LclRequest>(text)
        && let Ok(response) = lcl(&request)
    {
        assert!(response.f_res.is_finite());
    }
    if let Ok(request) = serde_json::from_str::<PvCurveRequest>(text)
        && let Ok(response) = pv_curve(&request)
    {
        assert!(response.curve.len() <= MAX_POINTS);
    }
    if let Ok(request) = serde_json::from_str::<FocTuningRequest>(text)
        && let Ok(response) = foc_tuning(&request)
    {
        assert!(response.current_step.len() <= MAX_POINTS);
        assert!(response.speed_step.len() <= MAX_POINTS);
    }
});
