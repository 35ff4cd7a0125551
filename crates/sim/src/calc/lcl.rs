//! LCL grid-filter sizing for a three-phase two-level voltage-source inverter.

use std::f64::consts::{PI, SQRT_2};

use serde::{Deserialize, Serialize};

use super::{CalcError, check};

/// LCL filter request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LclRequest {
    /// Rated active power P [W], 1 to 1e8.
    pub p_rated: f64,
    /// Grid line-to-line voltage V_ll [V rms], 1 to 1e5.
    pub v_ll: f64,
    /// Grid frequency f_grid [Hz], 1 to 1000.
    pub f_grid: f64,
    /// Inverter switching frequency f_sw [Hz], 100 to 1e7.
    pub f_sw: f64,
    /// DC-link voltage V_dc [V], 1 to 1e5.
    pub v_dc: f64,
    /// Allowed peak-to-peak inverter-side ripple as a fraction of the rated peak current,
    /// 0.05 to 0.5 (default 0.2).
    #[serde(default = "default_ripple")]
    pub ripple: f64,
    /// Filter-capacitor reactive power as a fraction of the rated power, 0.001 to 0.1
    /// (default 0.05).
    #[serde(default = "default_c_fraction")]
    pub c_fraction: f64,
    /// Ratio of the grid-side to the inverter-side inductance r = L2/L1, 0.1 to 2
    /// (default 0.5).
    #[serde(default = "default_l_ratio")]
    pub l_ratio: f64,
}

fn default_ripple() -> f64 {
    0.2
}

fn default_c_fraction() -> f64 {
    0.05
}

fn default_l_ratio() -> f64 {
    0.5
}

/// One design rule and whether the filter meets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LclCheck {
    /// Rule identifier: `resonance_window`, `total_inductance` or `dc_link`.
    pub name: String,
    /// Whether the rule holds.
    pub ok: bool,
    /// The rule with the values that were compared.
    pub detail: String,
}

/// LCL filter response. Per-phase values of a star-equivalent filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LclResponse {
    /// Base impedance Z_b = V_ll²/P [Ω].
    pub z_base: f64,
    /// Base capacitance C_b = 1/(ω_g·Z_b) [F].
    pub c_base: f64,
    /// Base inductance L_b = Z_b/ω_g [H].
    pub l_base: f64,
    /// Rated peak phase current I_pk = √2·P/(√3·V_ll) [A].
    pub i_peak: f64,
    /// Allowed peak-to-peak inverter-side ripple ΔI_max = ripple·I_pk [A].
    pub delta_i_max: f64,
    /// Inverter-side inductance L1 = V_dc/(6·f_sw·ΔI_max) [H].
    pub l1: f64,
    /// Grid-side inductance L2 = r·L1 [H].
    pub l2: f64,
    /// Filter capacitance per phase (star) C_f = c_fraction·C_b [F].
    pub c_f: f64,
    /// Resonance f_res = (1/2π)·√((L1 + L2)/(L1·L2·C_f)) [Hz].
    pub f_res: f64,
    /// Passive damping resistor in series with C_f, R_d = 1/(3·ω_res·C_f) [Ω].
    pub r_damp: f64,
    /// Grid-current to inverter-current ratio at f_sw, |1/(1 − ω_sw²·L2·C_f)|, ideal
    /// and undamped (dimensionless).
    pub attenuation: f64,
    /// The same ratio in decibels, 20·log10(attenuation) [dB].
    pub attenuation_db: f64,
    /// Total inductance (L1 + L2)/L_b [per unit].
    pub total_l_pu: f64,
    /// Design rules and whether the filter meets them.
    pub checks: Vec<LclCheck>,
}

/// Sizes an LCL filter by the step-by-step procedure of Liserre, Blaabjerg and Hansen.
///
/// ```text
/// Z_b = V_ll²/P,   ω_g = 2π·f_grid,   C_b = 1/(ω_g·Z_b),   L_b = Z_b/ω_g
/// I_pk = √2·P/(√3·V_ll),   ΔI_max = ripple·I_pk
/// L1 = V_dc/(6·f_sw·ΔI_max)            (largest ripple of a two-level leg with
///                                       space-vector modulation)
/// L2 = r·L1,   C_f = c_fraction·C_b
/// ω_res = √((L1 + L2)/(L1·L2·C_f)),    f_res = ω_res/(2π)
/// R_d = 1/(3·ω_res·C_f)                (series damping resistor)
/// i_g/i_i (ω) = 1/(1 − ω²·L2·C_f)      (grid side shorted, R_d = 0)
/// ```
///
/// The rules checked are `10·f_grid < f_res < f_sw/2`, `L1 + L2 < 0.1 pu` (the voltage
/// drop across the filter at rated current stays below 10 %), and `V_dc ≥ √2·V_ll`,
/// the linear range of space-vector modulation. Values are per phase of the star
/// equivalent; a delta-connected capacitor bank needs C_f/3.
///
/// Source: M. Liserre, F. Blaabjerg and S. Hansen, "Design and control of an
/// LCL-filter-based three-phase active rectifier", IEEE Trans. Industry Applications
/// 41(5), 2005, pp. 1281–1291.
///
/// # Errors
/// [`CalcError`] for a field out of range.
pub fn lcl(req: &LclRequest) -> Result<LclResponse, CalcError> {
    let p = check("p_rated", req.p_rated, 1.0, 1e8, "W")?;
    let v_ll = check("v_ll", req.v_ll, 1.0, 1e5, "V")?;
    let f_grid = check("f_grid", req.f_grid, 1.0, 1e3, "Hz")?;
    let f_sw = check("f_sw", req.f_sw, 100.0, 1e7, "Hz")?;
    let v_dc = check("v_dc", req.v_dc, 1.0, 1e5, "V")?;
    let ripple = check("ripple", req.ripple, 0.05, 0.5, "")?;
    let c_fraction = check("c_fraction", req.c_fraction, 1e-3, 0.1, "")?;
    let l_ratio = check("l_ratio", req.l_ratio, 0.1, 2.0, "")?;

    let z_base = v_ll * v_ll / p;
    let omega_g = 2.0 * PI * f_grid;
    let c_base = 1.0 / (omega_g * z_base);
    let l_base = z_base / omega_g;

    let i_peak = SQRT_2 * p / (3f64.sqrt() * v_ll);
    let delta_i_max = ripple * i_peak;
    let l1 = v_dc / (6.0 * f_sw * delta_i_max);
    let l2 = l_ratio * l1;
    let c_f = c_fraction * c_base;

    let omega_res = ((l1 + l2) / (l1 * l2 * c_f)).sqrt();
    let f_res = omega_res / (2.0 * PI);
    let r_damp = 1.0 / (3.0 * omega_res * c_f);
    let omega_sw = 2.0 * PI * f_sw;
    let attenuation = 1.0 / (1.0 - omega_sw * omega_sw * l2 * c_f).abs();
    let total_l_pu = (l1 + l2) / l_base;

    // Each detail states the comparison that holds, so a failed check reads true too.
    let (lo, hi) = (10.0 * f_grid, f_sw / 2.0);
    let window_ok = f_res > lo && f_res < hi;
    let window = if window_ok {
        format!("10·f_grid = {lo:.0} Hz < f_res = {f_res:.0} Hz < f_sw/2 = {hi:.0} Hz")
    } else if f_res <= lo {
        format!("f_res = {f_res:.0} Hz ≤ 10·f_grid = {lo:.0} Hz: too close to the grid frequency")
    } else {
        format!("f_res = {f_res:.0} Hz ≥ f_sw/2 = {hi:.0} Hz: too close to the switching frequency")
    };
    let inductance_ok = total_l_pu < 0.1;
    let inductance = if inductance_ok {
        format!("L1 + L2 = {total_l_pu:.4} pu < 0.1 pu")
    } else {
        format!("L1 + L2 = {total_l_pu:.4} pu ≥ 0.1 pu: large voltage drop at rated current")
    };
    let v_min = SQRT_2 * v_ll;
    let dc_ok = v_dc >= v_min;
    let dc_link = if dc_ok {
        format!("V_dc = {v_dc} V ≥ √2·V_ll = {v_min:.1} V")
    } else {
        format!(
            "V_dc = {v_dc} V < √2·V_ll = {v_min:.1} V: the bridge cannot reach the grid voltage"
        )
    };
    let checks = vec![
        LclCheck {
            name: "resonance_window".into(),
            ok: window_ok,
            detail: window,
        },
        LclCheck {
            name: "total_inductance".into(),
            ok: inductance_ok,
            detail: inductance,
        },
        LclCheck {
            name: "dc_link".into(),
            ok: dc_ok,
            detail: dc_link,
        },
    ];

    Ok(LclResponse {
        z_base,
        c_base,
        l_base,
        i_peak,
        delta_i_max,
        l1,
        l2,
        c_f,
        f_res,
        r_damp,
        attenuation,
        attenuation_db: 20.0 * attenuation.log10(),
        total_l_pu,
        checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LclRequest {
        serde_json::from_str(
            r#"{"p_rated": 10000, "v_ll": 400, "f_grid": 50, "f_sw": 10000, "v_dc": 700}"#,
        )
        .unwrap()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn failed_checks_state_what_holds() {
        // 2 kHz switching and a 500 V link: L1 + L2 = 0.30 pu and V_dc < √2·400 V.
        let r = lcl(&serde_json::from_str(
            r#"{"p_rated": 10000, "v_ll": 400, "f_grid": 50, "f_sw": 2000, "v_dc": 500}"#,
        )
        .unwrap())
        .unwrap();
        let check = |name: &str| r.checks.iter().find(|c| c.name == name).unwrap();
        let inductance = check("total_inductance");
        assert!(!inductance.ok);
        assert!(
            inductance.detail.contains("≥ 0.1 pu"),
            "{}",
            inductance.detail
        );
        let dc = check("dc_link");
        assert!(!dc.ok);
        assert!(
            dc.detail.contains("V_dc = 500 V < √2·V_ll = 565.7 V"),
            "{}",
            dc.detail
        );
        let passed = lcl(&request()).unwrap();
        assert!(
            passed
                .checks
                .iter()
                .all(|c| c.ok && !c.detail.contains(':'))
        );
    }

    #[test]
    fn hand_numbers() {
        // 10 kW, 400 V, 50 Hz, 10 kHz, 700 V with the defaults 0.2, 0.05, 0.5:
        // Z_b = 16 Ω, C_b = 1/(100π·16) = 198.94 µF, I_pk = 20.412 A, ΔI = 4.0825 A,
        // L1 = 700/(6·10⁴·4.0825) = 2.8577 mH, L2 = 1.4289 mH, C_f = 9.947 µF,
        // f_res = 1635.0 Hz, R_d = 3.262 Ω, |i_g/i_i| at 10 kHz = 0.018 15,
        // (L1 + L2)/(16/(100π)) = 0.0842 pu.
        let r = lcl(&request()).unwrap();
        assert_eq!(r.z_base, 16.0);
        assert!(close(r.c_base, 198.94e-6, 1e-4));
        assert!(close(r.i_peak, 20.412, 1e-4));
        assert!(close(r.l1, 2.8577e-3, 1e-4));
        assert!(close(r.l2, 1.4289e-3, 1e-4));
        assert!(close(r.c_f, 9.947e-6, 1e-4));
        assert!(close(r.f_res, 1635.0, 1e-4));
        assert!(close(r.r_damp, 3.262, 1e-3));
        assert!(close(r.attenuation, 0.018_15, 1e-3));
        assert!(close(r.total_l_pu, 0.0842, 1e-3));
        assert!(r.checks.iter().all(|c| c.ok), "{:?}", r.checks);
    }

    #[test]
    fn resonance_matches_the_transfer_function_peak() {
        // Undamped, grid shorted: i_g/v_i = 1/(jω·(L1 + L2 − ω²·L1·L2·C_f)). Scan its
        // magnitude on a fine log grid over two decades and take the largest.
        for (f_sw, l_ratio) in [(10e3, 0.5), (4e3, 1.5), (50e3, 0.2)] {
            let mut req = request();
            req.f_sw = f_sw;
            req.l_ratio = l_ratio;
            let r = lcl(&req).unwrap();
            let steps = 100_000;
            let (lo, hi): (f64, f64) = (10.0, 1e5);
            let (mut f_peak, mut h_peak) = (0.0, 0.0);
            for k in 0..=steps {
                let f = lo * (hi / lo).powf(k as f64 / steps as f64);
                let w = 2.0 * PI * f;
                let h = 1.0 / (w * (r.l1 + r.l2 - w * w * r.l1 * r.l2 * r.c_f)).abs();
                if h > h_peak {
                    (f_peak, h_peak) = (f, h);
                }
            }
            assert!(close(r.f_res, f_peak, 5e-3), "{} vs {f_peak}", r.f_res);
        }
    }

    #[test]
    fn flags_a_resonance_outside_the_window() {
        // At 2 kHz switching the 0.05 capacitor puts f_res above f_sw/2.
        let mut req = request();
        req.f_sw = 2e3;
        req.ripple = 0.5;
        let r = lcl(&req).unwrap();
        let window = r
            .checks
            .iter()
            .find(|c| c.name == "resonance_window")
            .unwrap();
        assert!(!window.ok, "{window:?}");
    }

    #[test]
    fn rejects_bad_input() {
        let mut req = request();
        req.c_fraction = 0.2;
        let e = lcl(&req).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            ("c_fraction", "0.2 (accepted: 0.001 to 0.1)")
        );
        req.c_fraction = 0.05;
        req.v_dc = f64::NAN;
        assert_eq!(lcl(&req).unwrap_err().path, "v_dc");
        assert!(
            serde_json::from_str::<LclRequest>(
                r#"{"p_rated":1,"v_ll":1,"f_grid":50,"f_sw":1e4,"v_dc":1,"l1":2}"#
            )
            .is_err()
        );
    }
}
