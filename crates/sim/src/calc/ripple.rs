//! Inductor ripple of buck, boost and inverting buck-boost stages in continuous
//! conduction (CCM), with `N` interleaved phases.

use serde::{Deserialize, Serialize};

use super::{CalcError, check, check_count};

/// Largest number of interleaved phases.
pub const MAX_PHASES: u32 = 12;

/// Converter topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Topology {
    /// Step-down: `V_out = D·V_in`.
    Buck,
    /// Step-up: `V_out = V_in/(1 − D)`.
    Boost,
    /// Inverting buck-boost: `|V_out| = D·V_in/(1 − D)`.
    BuckBoost,
}

/// Conduction mode at the given output current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConductionMode {
    /// Continuous conduction: the inductor current never reaches zero.
    Ccm,
    /// Discontinuous conduction: the inductor current rests at zero for part of the
    /// period.
    Dcm,
}

/// Ripple calculator request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RippleRequest {
    /// Converter topology.
    pub topology: Topology,
    /// Input voltage V_in [V], 1e-3 to 1e5.
    pub v_in: f64,
    /// Output voltage magnitude |V_out| [V], 1e-3 to 1e5; below `v_in` for a buck and
    /// above it for a boost.
    pub v_out: f64,
    /// Switching frequency of each phase f_sw [Hz], 1 to 1e8.
    pub f_sw: f64,
    /// Inductance of each phase L [H], 1e-9 to 1.
    pub l: f64,
    /// Number of interleaved phases N, shifted by 360°/N, 1 to 12 (default 1).
    #[serde(default = "one")]
    pub phases: u32,
    /// Output current I_out [A], total of all phases, 0 to 1e5 (optional).
    #[serde(default)]
    pub i_out: Option<f64>,
}

fn one() -> u32 {
    1
}

/// Ripple calculator response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RippleResponse {
    /// CCM duty cycle D of each phase.
    pub duty: f64,
    /// Peak-to-peak ripple of one phase's inductor current in CCM ΔI_L [A].
    pub delta_i_l_pp: f64,
    /// Fundamental frequency of the summed current's ripple N·f_sw [Hz].
    pub ripple_frequency: f64,
    /// Ratio of the summed current's peak-to-peak ripple to one phase's, 0 to 1.
    pub cancellation: f64,
    /// The terminal current that sums the phases: `output` for a buck, `input` for a
    /// boost and `inductors` (the sum of the inductor currents) for a buck-boost.
    pub summed_current: String,
    /// Peak-to-peak ripple of the summed current ΔI_sum [A].
    pub delta_i_sum_pp: f64,
    /// Output current at the CCM/DCM boundary, all phases together [A].
    pub i_boundary: f64,
    /// Conduction mode at `i_out` (only when `i_out` is given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<ConductionMode>,
    /// Peak inductor current of one phase at `i_out` [A] (only when `i_out` is given);
    /// in DCM the ripple equals this peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub i_l_peak: Option<f64>,
    /// Duty cycle that sets `v_out` in DCM (only when `mode` is `dcm`); the CCM duty
    /// above no longer applies there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty_dcm: Option<f64>,
}

/// Interleaving factor: the peak-to-peak ripple of the sum of `n` equal triangular
/// currents, each rising for `D·T` and shifted by `T/n`, relative to one of them.
///
/// ```text
/// K(N, D) = N·(D − m/N)·((m + 1)/N − D) / (D·(1 − D)),   m = ⌊N·D⌋
/// ```
///
/// `K = 1` for `N = 1` and `K = 0` when `N·D` is an integer, because the rising and
/// falling slopes of the phases then cancel at every instant.
///
/// Derivation: with the phases shifted by `T/N`, either `m + 1` or `m` of them are
/// rising at any instant. The sum rises while `m + 1` do, for `(D − m/N)·T` in every
/// `T/N`, with the slope `(m + 1)·ΔI/(D·T) − (N − m − 1)·ΔI/((1 − D)·T)`, which is
/// `(m + 1 − N·D)·ΔI/(D·(1 − D)·T)`. The product of time and slope is `K·ΔI`. The test
/// `interleaving_factor_matches_summed_triangles` checks the closed form against
/// summed triangles for N = 1 to 6.
pub fn interleaving_factor(n: u32, duty: f64) -> f64 {
    let n = f64::from(n);
    let m = (n * duty).floor();
    let k = n * (duty - m / n) * ((m + 1.0) / n - duty) / (duty * (1.0 - duty));
    k.max(0.0)
}

/// Inductor ripple, interleaving cancellation and the CCM/DCM boundary.
///
/// Per phase, with `T = 1/f_sw` and the inductor voltages `V_on` while the switch
/// conducts and `V_off` while the diode does (lossless, ideal switches):
///
/// ```text
///                 D                     V_on         V_off
/// buck          V_out/V_in              V_in − V_out  V_out
/// boost         1 − V_in/V_out          V_in          V_out − V_in
/// buck-boost    V_out/(V_in + V_out)    V_in          V_out
///
/// ΔI_L = V_on·D·T/L
/// ΔI_sum = K(N, D)·ΔI_L              (see interleaving_factor)
/// I_boundary = N·ΔI_L/2              (buck)
///            = N·ΔI_L/2·(1 − D)      (boost, buck-boost: I_out = I_L·(1 − D))
/// ```
///
/// At `I_out ≥ I_boundary` the stage runs in CCM and the phase peak is
/// `I_L + ΔI_L/2` with `I_L = I_out/N` (buck) or `I_out/(N·(1 − D))`. Below it, in DCM,
/// the peak `I_p` follows from charge balance over one period:
///
/// ```text
/// buck:               I_out/N = I_p²·L·(V_on + V_off)/(2·T·V_on·V_off)
/// boost, buck-boost:  I_out/N = I_p²·L/(2·T·V_off)
/// D_dcm = I_p·L/(V_on·T)
/// ```
///
/// Both meet the CCM values at the boundary. The CCM relations follow from
/// volt-second balance on the inductor and the DCM ones from charge balance on the
/// output, the textbook analysis of the three basic converters.
///
/// # Errors
/// [`CalcError`] for a field out of range, or `v_out` on the wrong side of `v_in` for a
/// buck or boost.
pub fn ripple(req: &RippleRequest) -> Result<RippleResponse, CalcError> {
    let v_in = check("v_in", req.v_in, 1e-3, 1e5, "V")?;
    let v_out = check("v_out", req.v_out, 1e-3, 1e5, "V")?;
    let f_sw = check("f_sw", req.f_sw, 1.0, 1e8, "Hz")?;
    let l = check("l", req.l, 1e-9, 1.0, "H")?;
    let n = check_count("phases", req.phases as usize, 1, MAX_PHASES as usize)? as u32;
    let i_out = match req.i_out {
        Some(i) => Some(check("i_out", i, 0.0, 1e5, "A")?),
        None => None,
    };

    let (duty, v_on, v_off) = match req.topology {
        Topology::Buck => {
            if !(v_out < v_in) {
                return Err(CalcError::new(
                    "v_out",
                    format!("{v_out} (accepted: below v_in = {v_in} V for a buck)"),
                ));
            }
            (v_out / v_in, v_in - v_out, v_out)
        }
        Topology::Boost => {
            if !(v_out > v_in) {
                return Err(CalcError::new(
                    "v_out",
                    format!("{v_out} (accepted: above v_in = {v_in} V for a boost)"),
                ));
            }
            (1.0 - v_in / v_out, v_in, v_out - v_in)
        }
        Topology::BuckBoost => (v_out / (v_in + v_out), v_in, v_out),
    };
    let period = 1.0 / f_sw;
    let nf = f64::from(n);

    let delta_i_l_pp = v_on * duty * period / l;
    let cancellation = interleaving_factor(n, duty);
    // Fraction of the average inductor current that reaches the output.
    let to_output = match req.topology {
        Topology::Buck => 1.0,
        Topology::Boost | Topology::BuckBoost => 1.0 - duty,
    };
    let i_boundary = nf * delta_i_l_pp / 2.0 * to_output;
    let summed_current = match req.topology {
        Topology::Buck => "output",
        Topology::Boost => "input",
        Topology::BuckBoost => "inductors",
    };

    let (mode, i_l_peak, duty_dcm) = match i_out {
        None => (None, None, None),
        Some(i_out) if i_out >= i_boundary => {
            let i_l = i_out / nf / to_output;
            (
                Some(ConductionMode::Ccm),
                Some(i_l + delta_i_l_pp / 2.0),
                None,
            )
        }
        Some(i_out) => {
            let per_phase = i_out / nf;
            let i_p = match req.topology {
                Topology::Buck => {
                    (2.0 * period * v_on * v_off * per_phase / (l * (v_on + v_off))).sqrt()
                }
                Topology::Boost | Topology::BuckBoost => {
                    (2.0 * period * v_off * per_phase / l).sqrt()
                }
            };
            (
                Some(ConductionMode::Dcm),
                Some(i_p),
                Some(i_p * l / (v_on * period)),
            )
        }
    };

    Ok(RippleResponse {
        duty,
        delta_i_l_pp,
        ripple_frequency: nf * f_sw,
        cancellation,
        summed_current: summed_current.to_string(),
        delta_i_sum_pp: cancellation * delta_i_l_pp,
        i_boundary,
        mode,
        i_l_peak,
        duty_dcm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, Format};
    use crate::simulate::simulate_design;
    use pelab_waveform::metrics::{Window, peak_to_peak_per_period, statistics};

    fn request(topology: Topology, v_in: f64, v_out: f64, phases: u32) -> RippleRequest {
        RippleRequest {
            topology,
            v_in,
            v_out,
            f_sw: 100e3,
            l: 100e-6,
            phases,
            i_out: None,
        }
    }

    #[test]
    fn buck_hand_numbers() {
        // 48 V to 12 V: D = 0.25, ΔI = (48 − 12)·0.25·10 µs/100 µH = 0.9 A,
        // boundary N·ΔI/2 = 0.45 A; at 2 A the peak is 2 + 0.45 = 2.45 A.
        let mut req = request(Topology::Buck, 48.0, 12.0, 1);
        req.i_out = Some(2.0);
        let r = ripple(&req).unwrap();
        assert!((r.duty - 0.25).abs() < 1e-12);
        assert!((r.delta_i_l_pp - 0.9).abs() < 1e-12);
        assert!((r.i_boundary - 0.45).abs() < 1e-12);
        assert_eq!(r.mode, Some(ConductionMode::Ccm));
        assert!((r.i_l_peak.unwrap() - 2.45).abs() < 1e-12);
        assert_eq!(r.cancellation, 1.0);
        assert_eq!(r.ripple_frequency, 100e3);
    }

    #[test]
    fn boost_two_phase_quarter_duty() {
        // 100 V to 133.33 V: D = 0.25, ΔI = 100·0.25·10 µs/100 µH = 2.5 A per phase,
        // K = 2·0.25·0.25/(0.25·0.75) = 2/3, so the input ripples by 1.667 A at 200 kHz.
        let r = ripple(&request(Topology::Boost, 100.0, 400.0 / 3.0, 2)).unwrap();
        assert!((r.duty - 0.25).abs() < 1e-12);
        assert!((r.delta_i_l_pp - 2.5).abs() < 1e-9);
        assert!((r.cancellation - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.delta_i_sum_pp - 5.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.ripple_frequency, 200e3);
        assert_eq!(r.summed_current, "input");
        // Boundary: 2·2.5/2·0.75 = 1.875 A of output current.
        assert!((r.i_boundary - 1.875).abs() < 1e-9);
    }

    #[test]
    fn buck_boost_dcm_peak() {
        // 12 V to |−12 V|: D = 0.5, ΔI = 12·0.5·10 µs/100 µH = 0.6 A, boundary
        // 0.6/2·0.5 = 0.15 A. At 0.05 A: I_p = √(2·10 µs·12·0.05/100 µH) = 0.3464 A and
        // D_dcm = 0.3464·100 µH/(12·10 µs) = 0.2887.
        let mut req = request(Topology::BuckBoost, 12.0, 12.0, 1);
        req.i_out = Some(0.05);
        let r = ripple(&req).unwrap();
        assert!((r.i_boundary - 0.15).abs() < 1e-12);
        assert_eq!(r.mode, Some(ConductionMode::Dcm));
        let i_p = (2.0f64 * 1e-5 * 12.0 * 0.05 / 100e-6).sqrt();
        assert!((r.i_l_peak.unwrap() - i_p).abs() < 1e-12);
        assert!((i_p - 0.3464).abs() < 1e-4);
        assert!((r.duty_dcm.unwrap() - 0.2887).abs() < 1e-4);
        // At the boundary, the DCM peak equals the CCM ripple.
        req.i_out = Some(0.15 * (1.0 - 1e-12));
        let r = ripple(&req).unwrap();
        assert!((r.i_l_peak.unwrap() - 0.6).abs() < 1e-9);
    }

    #[test]
    fn two_phases_at_half_duty_cancel() {
        let r = ripple(&request(Topology::Boost, 100.0, 200.0, 2)).unwrap();
        assert!(r.cancellation.abs() < 1e-12, "{}", r.cancellation);
        assert!(r.delta_i_sum_pp.abs() < 1e-12);
    }

    #[test]
    fn one_phase_does_not_cancel() {
        for d in [0.05, 0.3, 0.5, 0.77, 0.95] {
            assert!((interleaving_factor(1, d) - 1.0).abs() < 1e-12, "D = {d}");
        }
    }

    #[test]
    fn interleaving_factor_matches_summed_triangles() {
        // Sum N shifted unit triangles numerically and compare the peak-to-peak.
        for n in 1..=6u32 {
            for d in [0.1, 0.23, 0.4, 0.61, 0.85] {
                let samples = 20_000;
                let tri = |t: f64| {
                    let t = t.rem_euclid(1.0);
                    if t < d {
                        t / d
                    } else {
                        1.0 - (t - d) / (1.0 - d)
                    }
                };
                let sum: Vec<f64> = (0..samples)
                    .map(|k| {
                        let t = k as f64 / samples as f64;
                        (0..n).map(|p| tri(t - f64::from(p) / f64::from(n))).sum()
                    })
                    .collect();
                let max = sum.iter().copied().fold(f64::MIN, f64::max);
                let min = sum.iter().copied().fold(f64::MAX, f64::min);
                let k = interleaving_factor(n, d);
                assert!(
                    (max - min - k).abs() < 2e-3,
                    "N {n} D {d}: {} vs {k}",
                    max - min
                );
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        let mut req = request(Topology::Buck, 48.0, 60.0, 1);
        assert_eq!(ripple(&req).unwrap_err().path, "v_out");
        req.v_out = 12.0;
        req.l = -3.0;
        let e = ripple(&req).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("l", "-3 (accepted: 1e-9 to 1 H)")
        );
        req.l = 1e-4;
        req.phases = 13;
        assert_eq!(ripple(&req).unwrap_err().path, "phases");
        req.phases = 2;
        req.f_sw = f64::NAN;
        assert_eq!(ripple(&req).unwrap_err().path, "f_sw");
        let json = r#"{"topology":"buck","v_in":48,"v_out":12,"f_sw":1e5,"l":1e-4,"foo":1}"#;
        assert!(serde_json::from_str::<RippleRequest>(json).is_err());
        let json = r#"{"topology":"buck","v_in":48,"v_out":12,"f_sw":1e5,"l":1e-4}"#;
        let req: RippleRequest = serde_json::from_str(json).unwrap();
        assert_eq!(req.phases, 1);
    }

    /// Cross-check of the DCM branch against the engine: the lossless diode boost of
    /// the kernel tests, 10 V at D = 0.3 into 250 Ω with 20 µH at 100 kHz, which
    /// settles in DCM at V_out ≈ 29.25 V.
    #[test]
    fn dcm_matches_the_boost_kernel() {
        let text = "kernel = \"boost\"\n[parameters]\nv_in = 10.0\nl = 20e-6\nc = 100e-6\n\
             r_load = 250.0\nf_sw = 100e3\nrectifier = \"diode\"\nr_on = 1e-6\nr_d = 1e-6\n\
             v_f = 0.0\nr_l = 0.0\nr_c = 0.0\nv_out0 = 29.0\n[control]\nduty = 0.3\n\
             [simulation]\nt_stop = 30e-3\noutput_step = 20e-9\nrecord_from = 29.5e-3\n";
        let design = Design::parse(text, Format::Toml).unwrap();
        let out = simulate_design(&design, &mut |_| {}).unwrap();
        let w = &out.waveforms;
        let t_end = *w.time().last().unwrap();
        let window = Window::range(t_end - 40e-5, t_end);
        let v_out = statistics(w.time(), w.signal("v(out)").unwrap(), window)
            .unwrap()
            .mean;
        let i_l = w.signal("i(L1)").unwrap();
        let peak = i_l.iter().copied().fold(f64::MIN, f64::max);

        let r = ripple(&RippleRequest {
            topology: Topology::Boost,
            v_in: 10.0,
            v_out,
            f_sw: 100e3,
            l: 20e-6,
            phases: 1,
            i_out: Some(v_out / 250.0),
        })
        .unwrap();
        assert_eq!(r.mode, Some(ConductionMode::Dcm));
        // V_out sits within 0.3 % of the lossless value (the kernel test's bound), and
        // D_dcm and I_p scale with √(V_off·I_out), which amplifies that to about
        // 0.5 %. The 20 ns samples land on the turn-off instant at 3 µs, so the
        // sampled peak is exact: 1 % covers both.
        let duty = r.duty_dcm.unwrap();
        assert!((duty - 0.3).abs() < 0.01 * 0.3, "D_dcm {duty}, kernel 0.3");
        let i_p = r.i_l_peak.unwrap();
        assert!(
            (i_p - peak).abs() < 0.01 * peak,
            "I_p {i_p} A, kernel {peak} A"
        );
    }

    /// Cross-check against the engine: the two-phase interleaved boost of
    /// `examples/obc-interleaved-boost-2ph.toml` (250 V, 400 µH, 65 kHz), near-lossless
    /// and in open loop at D = 0.375 so that V_out ≈ 400 V.
    #[test]
    fn matches_the_interleaved_boost_kernel() {
        let text = "kernel = \"interleaved_boost\"\n[parameters]\nphases = 2\nv_in = 250.0\n\
             l = 400e-6\nc = 220e-6\nr_load = 44.4\nf_sw = 65e3\nrectifier = \"synchronous\"\n\
             t_dead = 0.0\nr_on = 1e-6\nr_d = 1e-6\nv_f = 0.0\nr_l = 0.0\nr_c = 0.0\n\
             v_out0 = 400.0\ni_l0 = 7.2\n[control]\nduty = 0.375\n\
             [simulation]\nt_stop = 3e-3\noutput_step = 50e-9\n";
        let design = Design::parse(text, Format::Toml).unwrap();
        let out = simulate_design(&design, &mut |_| {}).unwrap();
        let w = &out.waveforms;
        let t_end = *w.time().last().unwrap();
        let period = 1.0 / 65e3;
        let window = Window::range(t_end - 20.0 * period, t_end);
        let ripple_of = |signal: &str| {
            let p =
                peak_to_peak_per_period(w.time(), w.signal(signal).unwrap(), 65e3, window).unwrap();
            p.iter().map(|x| x.peak_to_peak()).sum::<f64>() / p.len() as f64
        };
        let v_out = statistics(w.time(), w.signal("v(out)").unwrap(), window)
            .unwrap()
            .mean;

        let r = ripple(&RippleRequest {
            topology: Topology::Boost,
            v_in: 250.0,
            v_out,
            f_sw: 65e3,
            l: 400e-6,
            phases: 2,
            i_out: Some(v_out / 44.4),
        })
        .unwrap();
        // The on-state slope V_in/L is exact in the lossless kernel, and the duty comes
        // from the simulated mean V_out. Only the output-voltage ripple and the residual
        // LC transient separate the two, and they shift V_out, hence D, by well under
        // 1 %. 2 % covers them with margin (measured: 0.1 %).
        let phase = ripple_of("i(L1)");
        assert!(
            (phase - r.delta_i_l_pp).abs() < 0.02 * r.delta_i_l_pp,
            "simulated {phase} A, calculator {} A",
            r.delta_i_l_pp
        );
        // The summed (input) ripple is the small difference of two slopes, so the same
        // absolute errors weigh more: 5 % of the 1.44 A (measured: 1.4 %).
        let input = ripple_of("i(VIN)");
        assert!(
            (input - r.delta_i_sum_pp).abs() < 0.05 * r.delta_i_sum_pp,
            "simulated {input} A, calculator {} A",
            r.delta_i_sum_pp
        );
        assert_eq!(r.mode, Some(ConductionMode::Ccm));
    }
}
