//! Design text and result accessors shared by the `grid_tie` test files.
// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use pelab_sim::design::{Design, Format};
use pelab_sim::kernels::params::DesignError;
use pelab_sim::models::ModelResults;
use pelab_sim::simulate::{SimulationOutput, simulate_design};

/// A 10 kW design with the filter of examples/grid-tie-10kw-lcl.toml, the
/// `parameters`, `control` and `simulation` lines appended to their sections.
pub fn design(parameters: &str, control: &str, simulation: &str) -> String {
    format!(
        "kernel = \"grid_tie\"\n\
         [parameters]\n\
         v_dc = 700.0\nv_ll_rms = 400.0\nf_grid = 50.0\nf_sw = 16e3\n\
         l1 = 1.5e-3\nr1 = 0.05\ncf = 10e-6\nrd = 2.0\nl2 = 0.5e-3\nr2 = 0.02\n\
         lg = 0.1e-3\nrg = 0.05\n\
         {parameters}\n\
         [control]\n{control}\n\
         [simulation]\n{simulation}\n"
    )
}

pub fn parse(text: &str) -> Design {
    Design::parse(text, Format::Toml).unwrap_or_else(|e| panic!("design rejected: {e}"))
}

pub fn run(text: &str) -> SimulationOutput {
    simulate_design(&parse(text), &mut |_| {}).unwrap_or_else(|e| panic!("run failed: {e}"))
}

pub fn results(out: &SimulationOutput) -> &ModelResults {
    &out.model.as_ref().expect("model summary").results
}

pub fn metric(out: &SimulationOutput, name: &str) -> f64 {
    results(out).get(name).unwrap_or_else(|| {
        panic!(
            "metric {name} missing; warnings {:?}",
            results(out).warnings
        )
    })
}

pub fn build_error(text: &str) -> DesignError {
    match parse(text).build_model() {
        Ok(_) => panic!("design accepted"),
        Err(e) => e,
    }
}
