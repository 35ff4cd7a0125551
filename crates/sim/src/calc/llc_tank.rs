//! LLC tank gain curves by the first-harmonic approximation (FHA), for one load or a
//! family of loads.

use serde::{Deserialize, Serialize};

use super::{CalcError, MAX_POINTS, check, check_above, check_count, log_space};
use crate::models::llc::fha::{Fha, ac_resistance};

/// Largest number of loads in one request.
pub const MAX_LOADS: usize = 8;

/// Points of each curve when the request gives none.
pub const DEFAULT_POINTS: usize = 400;

/// LLC tank request. Give exactly one of `r_load` and `loads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LlcTankRequest {
    /// Series (resonant) inductance L_r [H], 1e-9 to 1.
    pub l_r: f64,
    /// Series (resonant) capacitance C_r [F], 1e-12 to 1.
    pub c_r: f64,
    /// Magnetising inductance L_m [H], 1e-9 to 10.
    pub l_m: f64,
    /// Transformer turns ratio n (primary to secondary), 1e-3 to 1000.
    pub n: f64,
    /// Load resistance R [Ω], 1e-3 to 1e6 (or use `loads`).
    #[serde(default)]
    pub r_load: Option<f64>,
    /// Load resistances R [Ω], 1 to 8 values of 1e-3 to 1e6 each (or use `r_load`).
    #[serde(default)]
    pub loads: Option<Vec<f64>>,
    /// Lowest frequency of the curves f_min [Hz], above 0.
    pub f_min: f64,
    /// Highest frequency of the curves f_max [Hz], above `f_min`, at most 1e9.
    pub f_max: f64,
    /// Points per curve, log-spaced, 2 to 2000 (default 400).
    #[serde(default)]
    pub points: Option<usize>,
}

/// One point of a gain curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GainPoint {
    /// Switching frequency f [Hz].
    pub f: f64,
    /// FHA gain M = n·V_out/(V_in/2) for a half-bridge (dimensionless).
    pub gain: f64,
}

/// The gain curve at one load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoadCurve {
    /// Load resistance R [Ω].
    pub r_load: f64,
    /// AC resistance R_ac = 8·n²·R/π² [Ω].
    pub r_ac: f64,
    /// Quality factor Q = √(L_r/C_r)/R_ac (dimensionless).
    pub q: f64,
    /// Gain against frequency, log-spaced from `f_min` to `f_max`.
    pub curve: Vec<GainPoint>,
    /// Largest gain in [f_p, f_r] and its frequency; at least 1, since M(f_r) = 1.
    pub peak: GainPoint,
}

/// LLC tank response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LlcTankResponse {
    /// Series resonance f_r = 1/(2π√(L_r·C_r)) [Hz].
    pub f_r: f64,
    /// Parallel resonance f_p = 1/(2π√((L_r + L_m)·C_r)) [Hz].
    pub f_p: f64,
    /// Inductance ratio k = L_m/L_r (dimensionless).
    pub k: f64,
    /// Characteristic impedance Z_0 = √(L_r/C_r) [Ω].
    pub z_0: f64,
    /// AC resistance of the first load [Ω] (each load has its own in `loads`).
    pub r_ac: f64,
    /// One entry per load, in request order.
    pub loads: Vec<LoadCurve>,
}

/// FHA gain curves of an LLC tank.
///
/// The model and its range of validity are those of [`crate::models::llc::fha`]: with
/// `f_n = f/f_r`, `k = L_m/L_r`, `R_ac = 8·n²·R/π²` and `Q = √(L_r/C_r)/R_ac`,
///
/// ```text
/// M(f_n) = 1 / √( (1 + 1/k − 1/(k·f_n²))² + Q²·(f_n − 1/f_n)² )
/// ```
///
/// so `M(f_r) = 1` at every load. The peak is found by golden-section search in
/// `[f_p, f_r]` ([`Fha::peak`]), to about 1e-9 relative in frequency. The derivation
/// is in [`crate::models::llc::fha`]. The FHA is accurate near `f_r`, and below `f_p`
/// or far above `f_r` the simulated gain departs from it, as `docs/llc.md` measures.
///
/// # Errors
/// [`CalcError`] for a field out of range, for neither or both of `r_load` and `loads`,
/// or for `f_max ≤ f_min`.
pub fn llc_tank(req: &LlcTankRequest) -> Result<LlcTankResponse, CalcError> {
    let l_r = check("l_r", req.l_r, 1e-9, 1.0, "H")?;
    let c_r = check("c_r", req.c_r, 1e-12, 1.0, "F")?;
    let l_m = check("l_m", req.l_m, 1e-9, 10.0, "H")?;
    let n = check("n", req.n, 1e-3, 1e3, "")?;
    let f_min = check_above("f_min", req.f_min, 0.0, 1e9, "Hz")?;
    let f_max = check("f_max", req.f_max, f_min * (1.0 + 1e-9), 1e9, "Hz")
        .map_err(|e| CalcError::new(e.path, format!("{} (f_min = {f_min} Hz)", e.message)))?;
    let points = check_count(
        "points",
        req.points.unwrap_or(DEFAULT_POINTS),
        2,
        MAX_POINTS,
    )?;

    let loads: Vec<f64> = match (req.r_load, &req.loads) {
        (Some(r), None) => vec![check("r_load", r, 1e-3, 1e6, "Ω")?],
        (None, Some(list)) => {
            check_count("loads", list.len(), 1, MAX_LOADS)?;
            list.iter()
                .enumerate()
                .map(|(i, &r)| check(&format!("loads[{i}]"), r, 1e-3, 1e6, "Ω"))
                .collect::<Result<_, _>>()?
        }
        (Some(_), Some(_)) => {
            return Err(CalcError::new(
                "loads",
                "given together with r_load (accepted: one of r_load and loads)",
            ));
        }
        (None, None) => {
            return Err(CalcError::new(
                "r_load",
                "missing (accepted: r_load or loads, 1e-3 to 1e6 Ω)",
            ));
        }
    };

    let frequencies = log_space(f_min, f_max, points);
    let curves: Vec<LoadCurve> = loads
        .iter()
        .map(|&r_load| {
            let fha = Fha::from_elements(l_r, c_r, l_m, n, r_load);
            let (f, gain) = fha.peak();
            LoadCurve {
                r_load,
                r_ac: ac_resistance(n, r_load),
                q: fha.q,
                curve: frequencies
                    .iter()
                    .map(|&f| GainPoint {
                        f,
                        gain: fha.gain(f),
                    })
                    .collect(),
                peak: GainPoint { f, gain },
            }
        })
        .collect();
    let first = Fha::from_elements(l_r, c_r, l_m, n, loads[0]);

    Ok(LlcTankResponse {
        f_r: first.f_r,
        f_p: first.f_p,
        k: first.k,
        z_0: (l_r / c_r).sqrt(),
        r_ac: curves[0].r_ac,
        loads: curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LlcTankRequest {
        LlcTankRequest {
            l_r: 100e-6,
            c_r: 100e-9,
            l_m: 500e-6,
            n: 1.0,
            r_load: None,
            loads: Some(vec![2.0, 10.0, 50.0, 1e4]),
            f_min: 10e3,
            f_max: 200e3,
            points: None,
        }
    }

    #[test]
    fn hand_calculation() {
        // f_r = 1/(2π√(100 µH·100 nF)) = 50 329 Hz, f_p = f_r/√6 = 20 547 Hz, k = 5,
        // Z_0 = 31.62 Ω. At R = 10 Ω: R_ac = 80/π² = 8.1057 Ω, Q = 3.9013; at 2·f_r
        // M = 1/√((1 + 0.2 − 0.05)² + (1.5·Q)²) = 1/√(1.3225 + 34.246) = 0.16768.
        let mut req = request();
        req.loads = None;
        req.r_load = Some(10.0);
        req.f_min = 100_658.424_208_974;
        req.f_max = 200e3;
        let r = llc_tank(&req).unwrap();
        assert!((r.f_r - 50_329.21).abs() < 0.01, "{}", r.f_r);
        assert!((r.f_p - 20_546.81).abs() < 0.01, "{}", r.f_p);
        assert_eq!(r.k, 5.0);
        assert!((r.r_ac - 8.105_695).abs() < 1e-6);
        assert!((r.loads[0].q - 3.901_304).abs() < 1e-6);
        let first = r.loads[0].curve[0];
        assert!((first.gain - 0.167_676).abs() < 1e-6, "{}", first.gain);
        assert_eq!(r.loads[0].curve.len(), DEFAULT_POINTS);
    }

    #[test]
    fn unity_gain_at_series_resonance_for_every_load() {
        let r = llc_tank(&request()).unwrap();
        for load in &r.loads {
            let fha = Fha::from_elements(100e-6, 100e-9, 500e-6, 1.0, load.r_load);
            assert!((fha.gain(r.f_r) - 1.0).abs() < 1e-12);
            assert!(load.peak.gain >= 1.0 - 1e-12);
        }
    }

    #[test]
    fn peak_matches_a_dense_scan() {
        let r = llc_tank(&request()).unwrap();
        for load in &r.loads {
            let fha = Fha::from_elements(100e-6, 100e-9, 500e-6, 1.0, load.r_load);
            let steps = 200_000;
            let (mut f_best, mut m_best) = (0.0, 0.0);
            for i in 0..=steps {
                let f = r.f_p + (r.f_r - r.f_p) * i as f64 / steps as f64;
                let m = fha.gain(f);
                if m > m_best {
                    (f_best, m_best) = (f, m);
                }
            }
            // The scan steps by 0.15 Hz; the gain is flat at its maximum, so the two
            // agree to far better in gain than in frequency.
            assert!(
                load.peak.gain >= m_best - 1e-9,
                "R {}: {load:?} vs {m_best}",
                load.r_load
            );
            assert!((load.peak.gain - m_best).abs() < 1e-6 * m_best);
            assert!(
                (load.peak.f - f_best).abs() < 1e-3 * f_best,
                "{} vs {f_best}",
                load.peak.f
            );
        }
    }

    #[test]
    fn curve_is_log_spaced() {
        let mut req = request();
        req.points = Some(5);
        let r = llc_tank(&req).unwrap();
        let c = &r.loads[1].curve;
        let ratio = c[1].f / c[0].f;
        for w in c.windows(2) {
            assert!((w[1].f / w[0].f - ratio).abs() < 1e-9);
        }
        assert!((c[4].f - 200e3).abs() < 1e-6);
    }

    #[test]
    fn rejects_bad_input() {
        let mut req = request();
        req.r_load = Some(5.0);
        assert_eq!(llc_tank(&req).unwrap_err().path, "loads");
        req.r_load = None;
        req.loads = Some(vec![1.0; 9]);
        assert_eq!(llc_tank(&req).unwrap_err().path, "loads");
        req.loads = Some(vec![1.0, -2.0]);
        assert_eq!(llc_tank(&req).unwrap_err().path, "loads[1]");
        req.loads = Some(vec![1.0]);
        req.points = Some(2001);
        assert_eq!(llc_tank(&req).unwrap_err().path, "points");
        req.points = None;
        req.f_max = 5e3;
        assert_eq!(llc_tank(&req).unwrap_err().path, "f_max");
        req.f_max = 1e5;
        req.c_r = f64::INFINITY;
        assert_eq!(llc_tank(&req).unwrap_err().path, "c_r");
    }
}
