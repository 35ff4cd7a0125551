//! The parts of a three-phase inverter against their datasheet ratings.

use pelab_components::loss::SwitchRatings;

use crate::models::ModelResults;

/// Largest share of a part's blocking-voltage rating `V_max` the DC link (ripple
/// included) may reach before a warning: 80 %, a common derating that leaves room
/// for the turn-off overshoot on the commutation loop's stray inductance.
pub const VOLTAGE_DERATING: f64 = 0.8;

/// The stress of one part of the inverter.
#[derive(Debug, Clone)]
pub struct DeviceStress<'a> {
    /// Library part name.
    pub part: &'a str,
    /// Positions holding the part, for the messages.
    pub positions: String,
    /// The part's ratings.
    pub ratings: SwitchRatings,
    /// Highest voltage the part blocks: the DC-link voltage, ripple included [V].
    pub v_block: f64,
    /// Largest current the part carries: the peak phase current [A].
    pub i_peak: f64,
    /// Junction temperature [°C], when computed.
    pub tj_c: Option<f64>,
}

/// Checks each part against its ratings and adds a warning to `r.warnings` for every
/// part whose `v_block` exceeds [`VOLTAGE_DERATING`]·`V_max`, whose `i_peak` exceeds
/// the pulsed current rating, or whose `tj_c` exceeds `Tj_max`.
///
/// Adds the metrics `rating_violations` (a count), `voltage_use_devices`
/// (`v_block/V_max`, largest over the parts) and `current_use_devices`
/// (`i_peak/I_pulsed`). Positions holding the same part are reported once. A rating
/// the library lacks is not checked.
pub fn check_ratings(stresses: &[DeviceStress<'_>], r: &mut ModelResults) {
    let mut grouped: Vec<DeviceStress<'_>> = Vec::new();
    for s in stresses {
        match grouped.iter_mut().find(|g| g.part == s.part) {
            Some(g) => {
                g.positions = format!("{}, {}", g.positions, s.positions);
                g.v_block = g.v_block.max(s.v_block);
                g.i_peak = g.i_peak.max(s.i_peak);
                g.tj_c = match (g.tj_c, s.tj_c) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            None => grouped.push(s.clone()),
        }
    }
    let mut violations = 0usize;
    let mut voltage_use: Option<f64> = None;
    let mut current_use: Option<f64> = None;
    for g in &grouped {
        let label = format!("{} ({})", g.positions, g.part);
        if let Some(v_max) = g.ratings.v_max_v {
            voltage_use = Some(voltage_use.unwrap_or(0.0).max(g.v_block / v_max));
            if g.v_block > VOLTAGE_DERATING * v_max {
                violations += 1;
                let verdict = if g.v_block > v_max {
                    "above its rating".to_string()
                } else {
                    format!(
                        "within its rating but above the {:.0} % derating that leaves room for turn-off overshoot",
                        100.0 * VOLTAGE_DERATING
                    )
                };
                r.warnings.push(format!(
                    "{label}: the DC link reaches {:.1} V (v_dc plus ripple), {:.0} % of the part's V_max = {v_max} V, {verdict}; use a part rated for at least {:.0} V",
                    g.v_block,
                    100.0 * g.v_block / v_max,
                    g.v_block / VOLTAGE_DERATING
                ));
            }
        }
        if let Some(i_max) = g.ratings.i_pulsed_max_a {
            current_use = Some(current_use.unwrap_or(0.0).max(g.i_peak / i_max));
            if g.i_peak > i_max {
                violations += 1;
                r.warnings.push(format!(
                    "{label}: the peak phase current {:.1} A exceeds the part's pulsed current rating {i_max} A",
                    g.i_peak
                ));
            }
        }
        if let (Some(limit), Some(tj)) = (g.ratings.tj_max_c, g.tj_c)
            && tj > limit
        {
            violations += 1;
            r.warnings.push(format!(
                "{label}: junction temperature {tj:.1} °C exceeds the part's Tj_max = {limit} °C"
            ));
        }
    }
    r.metric(
        "rating_violations",
        violations as f64,
        "",
        "ratings exceeded by the parts in [devices]: voltage derating, pulsed current, Tj_max (one per part and rating)",
    );
    if let Some(share) = voltage_use {
        r.metric(
            "voltage_use_devices",
            share,
            "1",
            "highest DC-link voltage over the part's V_max (warning above the derating, 0.8)",
        );
    }
    if let Some(share) = current_use {
        r.metric(
            "current_use_devices",
            share,
            "1",
            "peak phase current over the part's pulsed current rating",
        );
    }
}
