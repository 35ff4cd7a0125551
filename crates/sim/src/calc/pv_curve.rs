//! I-V and P-V curves of a module from the embedded CEC table, and a module search for
//! the UI's search box.

use pelab_components::pv::{CecModule, DatabaseError};
use serde::{Deserialize, Serialize};

use super::{CalcError, MAX_POINTS, check, check_above, check_count};
use crate::models::pv::string::{closest_names, embedded_database};

/// Points of the curve when the request gives none.
pub const DEFAULT_POINTS: usize = 200;

/// Largest number of modules in series.
pub const MAX_SERIES: u32 = 100;

/// Largest number of modules [`pv_modules`] returns.
pub const MAX_SEARCH_RESULTS: usize = 100;

/// PV curve request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PvCurveRequest {
    /// Module name as in the CEC table (exact, or differing only in case).
    pub module: String,
    /// Plane-of-array irradiance G [W/m²], above 0 up to 1500.
    pub irradiance: f64,
    /// Cell temperature T_cell [°C], −40 to 100.
    pub t_cell: f64,
    /// Points of the curve from 0 V to V_oc, 2 to 2000 (default 200).
    #[serde(default)]
    pub points: Option<usize>,
    /// Identical modules in series, 1 to 100 (default 1); voltages and powers scale
    /// with it.
    #[serde(default)]
    pub series: Option<u32>,
}

/// One point of the I-V curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PvPoint {
    /// Terminal voltage V [V].
    pub v: f64,
    /// Current I [A].
    pub i: f64,
    /// Power P = V·I [W].
    pub p: f64,
}

/// PV curve response. Voltages and powers are those of the whole series string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PvCurveResponse {
    /// Module name as in the CEC table.
    pub module: String,
    /// Cell technology from the table, for example `Mono-c-Si`.
    pub technology: String,
    /// Modules in series.
    pub series: u32,
    /// Open-circuit voltage V_oc [V].
    pub v_oc: f64,
    /// Short-circuit current I_sc [A].
    pub i_sc: f64,
    /// Maximum power point.
    pub mpp: PvPoint,
    /// Fill factor P_mp/(V_oc·I_sc) (dimensionless).
    pub fill_factor: f64,
    /// The curve from 0 V to V_oc, evenly spaced in voltage.
    pub curve: Vec<PvPoint>,
}

/// A module in the search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PvModuleBrief {
    /// Module name as in the CEC table.
    pub name: String,
    /// Cell technology, for example `Mono-c-Si`.
    pub technology: String,
    /// Power at the maximum power point at STC, V_mp·I_mp [W].
    pub p_stc: f64,
    /// Open-circuit voltage at STC [V].
    pub v_oc: f64,
    /// Short-circuit current at STC [A].
    pub i_sc: f64,
}

/// I-V and P-V curves of a CEC module at one irradiance and cell temperature.
///
/// The CEC model (the De Soto translation with the CEC temperature adjustment, see
/// [`pelab_components::pv`]) translates the table's reference parameters to `G` and
/// `T_cell` ([`CecModule::at`]). The single-diode equation
///
/// ```text
/// I = I_L − I_0·(exp((V + I·R_s)/a) − 1) − (V + I·R_s)/R_sh
/// ```
///
/// is then solved for `I` at each voltage, and the maximum power point is the root of
/// `dP/dV = 0` ([`pelab_components::pv::SingleDiode::max_power_point`]). Both agree with
/// pvlib 0.16.1 to 1e-9 in power (`crates/components/tests/pv_pvlib.rs`). `series`
/// identical modules multiply the voltages; mismatch and bypass diodes are ignored.
///
/// # Errors
/// [`CalcError`] naming `module` for an unknown name (with the closest names), or the
/// field out of range.
pub fn pv_curve(req: &PvCurveRequest) -> Result<PvCurveResponse, CalcError> {
    let irradiance = check_above("irradiance", req.irradiance, 0.0, 1500.0, "W/m²")?;
    let t_cell = check("t_cell", req.t_cell, -40.0, 100.0, "°C")?;
    let points = check_count(
        "points",
        req.points.unwrap_or(DEFAULT_POINTS),
        2,
        MAX_POINTS,
    )?;
    let series = check_count(
        "series",
        req.series.unwrap_or(1) as usize,
        1,
        MAX_SERIES as usize,
    )? as u32;
    let module = find_module(&req.module)?;
    // The ranges checked above lie inside those of `CecModule::at`. This error branch
    // runs only if the two sets of ranges drift apart.
    let model = module.at(irradiance, t_cell).map_err(|e| match e {
        DatabaseError::InvalidCondition {
            field: "temp_cell", ..
        } => CalcError::new("t_cell", e.to_string()),
        _ => CalcError::new("irradiance", e.to_string()),
    })?;

    let s = f64::from(series);
    let mpp = model.max_power_point();
    let v_oc = model.v_oc() * s;
    let i_sc = model.i_sc();
    let curve = model
        .iv_curve(points)
        .map(|(v, i)| PvPoint {
            v: v * s,
            i,
            p: v * s * i,
        })
        .collect();
    let p_mp = mpp.p * s;
    let fill_factor = if v_oc > 0.0 && i_sc > 0.0 {
        p_mp / (v_oc * i_sc)
    } else {
        0.0
    };

    Ok(PvCurveResponse {
        module: module.name.clone(),
        technology: module.technology.clone(),
        series,
        v_oc,
        i_sc,
        mpp: PvPoint {
            v: mpp.v * s,
            i: mpp.i,
            p: p_mp,
        },
        fill_factor,
        curve,
    })
}

/// Looks `name` up in the embedded table.
fn find_module(name: &str) -> Result<&'static CecModule, CalcError> {
    let database = embedded_database().map_err(|e| {
        CalcError::new("module", format!("the embedded CEC table is unusable: {e}"))
    })?;
    database.find(name).map_err(|e| match e {
        DatabaseError::NotFound(_) => {
            let shown: String = name.chars().take(80).collect();
            CalcError::new(
                "module",
                format!(
                    "{shown:?} is not in the CEC table (closest: {})",
                    closest_names(database, name).join("; ")
                ),
            )
        }
        other => CalcError::new("module", other.to_string()),
    })
}

/// Modules whose name contains every whitespace-separated word of `query` (ignoring
/// case), in table order, at most `limit` (capped at 100). An empty query matches
/// every module. Returns nothing if the embedded table cannot be parsed.
pub fn pv_modules(query: &str, limit: usize) -> Vec<PvModuleBrief> {
    let Ok(database) = embedded_database() else {
        return Vec::new();
    };
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    database
        .modules
        .iter()
        .filter(|m| {
            let name = m.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .take(limit.min(MAX_SEARCH_RESULTS))
        .map(|m| PvModuleBrief {
            name: m.name.clone(),
            technology: m.technology.clone(),
            p_stc: m.v_mp_ref * m.i_mp_ref,
            v_oc: m.v_oc_ref,
            i_sc: m.i_sc_ref,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(module: &str, irradiance: f64, t_cell: f64) -> PvCurveRequest {
        PvCurveRequest {
            module: module.into(),
            irradiance,
            t_cell,
            points: None,
            series: None,
        }
    }

    #[test]
    fn mpp_is_the_maximum_of_a_dense_curve() {
        for (g, t) in [(1000.0, 25.0), (200.0, 60.0), (1400.0, -30.0)] {
            let mut req = request("Canadian Solar Inc. CS6K-275M", g, t);
            req.points = Some(MAX_POINTS);
            let r = pv_curve(&req).unwrap();
            let best = r.curve.iter().map(|p| p.p).fold(0.0, f64::max);
            // The MPP is the exact optimum, so no curve sample exceeds it; 2000 points
            // put a sample within V_oc/4000 of it, where P is flat to about 1e-5.
            assert!(r.mpp.p >= best * (1.0 - 1e-12), "{} < {best}", r.mpp.p);
            assert!(r.mpp.p - best < 1e-4 * best, "{} vs {best}", r.mpp.p);
            assert_eq!(r.curve.len(), MAX_POINTS);
        }
    }

    #[test]
    fn stc_power_within_two_percent_of_nameplate() {
        for name in [
            "Canadian Solar Inc. CS6K-275M",
            "SunPower SPR-X21-345",
            "First Solar_ Inc. FS-367",
            "LG Electronics Inc. LG320N1K-A5",
        ] {
            let r = pv_curve(&request(name, 1000.0, 25.0)).unwrap();
            let brief = pv_modules(name, 1);
            let nameplate = brief[0].p_stc;
            assert!(
                (r.mpp.p - nameplate).abs() < 0.02 * nameplate,
                "{name}: {} vs {nameplate}",
                r.mpp.p
            );
            assert!(
                r.fill_factor > 0.6 && r.fill_factor < 0.9,
                "{}",
                r.fill_factor
            );
        }
    }

    #[test]
    fn matches_the_pvlib_reference() {
        // pvlib 0.16.1 (calcparams_cec + singlediode), the table that
        // crates/components/tests/pv_pvlib.rs checks the component against.
        let reference = include_str!("../../../components/tests/data/pvlib_reference.csv");
        let mut rows = 0;
        for line in reference.lines().skip(2) {
            let f: Vec<&str> = line.split(',').collect();
            let x = |k: usize| f[k].parse::<f64>().unwrap();
            let r = pv_curve(&request(f[0], x(1), x(2))).unwrap();
            // Same equations, solved to round-off on both sides: 1e-8 in the
            // characteristic points, 1e-6 at the flat maximum.
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
            assert!(rel(r.i_sc, x(3)) < 1e-8, "{line}");
            assert!(rel(r.v_oc, x(4)) < 1e-8, "{line}");
            assert!(rel(r.mpp.p, x(7)) < 1e-8, "{line}");
            assert!(rel(r.mpp.v, x(6)) < 1e-6, "{line}");
            rows += 1;
        }
        assert_eq!(rows, 25);
    }

    #[test]
    fn series_scales_voltage_and_power() {
        let one = pv_curve(&request("SunPower SPR-X21-345", 800.0, 40.0)).unwrap();
        let mut req = request("SunPower SPR-X21-345", 800.0, 40.0);
        req.series = Some(10);
        let ten = pv_curve(&req).unwrap();
        assert!((ten.v_oc - 10.0 * one.v_oc).abs() < 1e-9 * ten.v_oc);
        assert!((ten.mpp.p - 10.0 * one.mpp.p).abs() < 1e-9 * ten.mpp.p);
        assert_eq!(ten.i_sc, one.i_sc);
        assert!((ten.fill_factor - one.fill_factor).abs() < 1e-12);
    }

    #[test]
    fn search_finds_modules_by_words() {
        let found = pv_modules("sunpower x21", 5);
        assert!(!found.is_empty());
        assert!(found.len() <= 5);
        assert!(found.iter().all(|m| m.name.to_lowercase().contains("x21")));
        assert_eq!(pv_modules("", 1000).len(), MAX_SEARCH_RESULTS);
        assert!(pv_modules("no such module anywhere", 10).is_empty());
    }

    #[test]
    fn rejects_bad_input() {
        let e = pv_curve(&request("SunPower SPR-X21-34", 1000.0, 25.0)).unwrap_err();
        assert_eq!(e.path, "module");
        assert!(e.message.contains("SunPower SPR-X21-345"), "{}", e.message);
        let e = pv_curve(&request("SunPower SPR-X21-345", 1600.0, 25.0)).unwrap_err();
        assert_eq!(e.path, "irradiance");
        let e = pv_curve(&request("SunPower SPR-X21-345", 1000.0, f64::NAN)).unwrap_err();
        assert_eq!(e.path, "t_cell");
        let mut req = request("SunPower SPR-X21-345", 1000.0, 25.0);
        req.series = Some(0);
        assert_eq!(pv_curve(&req).unwrap_err().path, "series");
    }
}
