//! Property tests: random valid designs run without panicking and balance their energy;
//! the parsers never panic on arbitrary text.

use pelab_sim::design::{Design, Format};
use pelab_sim::netlist::parse_netlist;
use pelab_sim::simulate::simulate_design;
use proptest::prelude::*;

/// A random but valid buck or boost, open loop, as design text.
fn converter_design() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("buck"), Just("boost")],
        prop_oneof![Just("diode"), Just("synchronous")],
        10.0f64..800.0,  // v_in [V]
        1e-6f64..1e-3,   // l [H]
        1e-6f64..1e-3,   // c [F]
        1.0f64..200.0,   // r_load [Ω]
        10e3f64..500e3,  // f_sw [Hz]
        0.05f64..0.9,    // duty
        1e-3f64..0.1,    // r_on [Ω]
        0.0f64..2.0,     // v_f [V]
    )
        .prop_map(|(kernel, rectifier, v_in, l, c, r_load, f_sw, duty, r_on, v_f)| {
            let period = 1.0 / f_sw;
            format!(
                "kernel = \"{kernel}\"\n[parameters]\nv_in = {v_in}\nl = {l}\nc = {c}\nr_load = {r_load}\n\
                 f_sw = {f_sw}\nrectifier = \"{rectifier}\"\nr_on = {r_on}\nv_f = {v_f}\nt_dead = {}\n\
                 [control]\nduty = {duty}\n[simulation]\nt_stop = {}\noutput_step = {}\n",
                0.01 * period,
                30.0 * period,
                period / 100.0
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_designs_run_and_balance_energy(text in converter_design()) {
        let design = Design::parse(&text, Format::Toml).expect("generated designs are valid");
        let out = simulate_design(&design, &mut |_| {}).expect("valid designs simulate");
        for (index, signal) in out.waveforms.signals().iter().enumerate() {
            let column = out.waveforms.column(index).expect("column exists");
            prop_assert!(column.iter().all(|v| v.is_finite()), "{} has non-finite samples", signal.name);
        }
        // Trapezoidal power integration at 100 samples per period; the balance closes to
        // far better than this bound when the states are exact.
        let residual = out.report.energy.relative_residual();
        prop_assert!(residual < 1e-4, "energy residual {residual:e}: {:?}\n{text}", out.report.energy);
    }

    #[test]
    fn netlist_parser_never_panics(lines in proptest::collection::vec(
        prop_oneof![
            "[RLCVISDEFGHKMX][0-9]{0,2} [a-z0-9]{1,3} [a-z0-9]{1,3}( [-+.0-9a-zA-Z=()]{0,12}){0,6}",
            "\\.(model|tran|ic|end|options|param|subckt) [ -~]{0,30}",
            "[ -~]{0,40}",
            "\\+ [ -~]{0,20}",
        ],
        0..12,
    )) {
        let text = lines.join("\n");
        let _ = parse_netlist(&text);
    }

    #[test]
    fn design_parser_never_panics(text in "[ -~\\n]{0,200}") {
        let _ = Design::parse(&text, Format::Toml);
        let _ = Design::parse(&text, Format::Json);
    }
}
