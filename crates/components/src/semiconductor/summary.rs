//! Key figures of a transistor at standard operating points, for reports and the
//! `pelab components show` command.

use serde::{Deserialize, Serialize};

use crate::curve::Lookup;
use crate::diagnostics::Finding;

use super::{DeviceKind, EnergyTable, MillerPlateau, Ratings, ThermalData, Transistor};

/// A value read from a curve and whether the lookup left the tabulated range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// The value, in the unit of the field's name.
    pub value: f64,
    /// Whether the current, voltage or temperature was outside the table.
    pub clamped: bool,
}

impl From<Lookup> for Reading {
    fn from(lookup: Lookup) -> Self {
        Self {
            value: lookup.value,
            clamped: lookup.is_clamped(),
        }
    }
}

/// An energy at a stated operating point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyReading {
    /// Energy, J.
    pub energy_j: f64,
    /// Current, A.
    pub i_a: f64,
    /// Blocking voltage (the datasheet's), V.
    pub v_v: f64,
    /// Junction temperature (the lowest of the datasheet curves), °C.
    pub t_j_c: f64,
    /// Gate resistance of the datasheet curves, Ω.
    pub r_g_ohm: Option<f64>,
    /// Whether the lookup left the tabulated range.
    pub clamped: bool,
}

/// Gate-charge figures from the curve measured closest to the datasheet voltage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateChargeReading {
    /// Supply voltage of the curve, V.
    pub v_supply_v: Option<f64>,
    /// Total gate charge over the curve, C.
    pub q_g_c: f64,
    /// Gate-source charge up to the plateau, C.
    pub q_gs_c: Option<f64>,
    /// Miller charge, C.
    pub q_gd_c: Option<f64>,
    /// The detected plateau.
    pub plateau: Option<MillerPlateau>,
}

/// Output-capacitance figures at one voltage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CossReading {
    /// Voltage, V: 400 V, or half the voltage rating for parts rated below 480 V.
    pub v_v: f64,
    /// Coss, F.
    pub c_oss_f: f64,
    /// Qoss from the first tabulated voltage, C.
    pub q_oss_c: f64,
    /// Eoss from the first tabulated voltage, J.
    pub e_oss_j: f64,
    /// Whether the voltage was above the table.
    pub clamped: bool,
}

/// The key figures of a transistor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransistorSummary {
    /// Part name.
    pub name: String,
    /// Technology.
    pub kind: DeviceKind,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Datasheet link.
    pub datasheet_url: Option<String>,
    /// Ratings.
    pub ratings: Ratings,
    /// Gate voltage of the channel curves, V.
    pub gate_on_v: Option<f64>,
    /// Current for the on-state and energy figures: the continuous rating, A.
    pub i_rated_a: Option<f64>,
    /// On-state voltage at the rated current and 25 °C, V.
    pub v_on_25c_v: Option<Reading>,
    /// On-state voltage at the rated current and the maximum Tj, V.
    pub v_on_tj_max_v: Option<Reading>,
    /// Rds_on at the rated current and 25 °C (MOSFETs and GaN), Ω.
    pub rds_on_25c_ohm: Option<Reading>,
    /// Rds_on at the rated current and the maximum Tj, Ω.
    pub rds_on_tj_max_ohm: Option<Reading>,
    /// Eon at the rated current and datasheet voltage.
    pub e_on: Option<EnergyReading>,
    /// Eoff at the rated current and datasheet voltage.
    pub e_off: Option<EnergyReading>,
    /// Err of the reverse path at the rated current and datasheet voltage (zero for
    /// parts without recovery charge).
    pub e_rr: Option<EnergyReading>,
    /// Gate charge.
    pub gate_charge: Option<GateChargeReading>,
    /// Output capacitance.
    pub coss: Option<CossReading>,
    /// Transistor thermal data.
    pub thermal: ThermalData,
    /// Diode thermal data.
    pub diode_thermal: Option<ThermalData>,
    /// Import findings.
    pub findings: Vec<Finding>,
}

fn energy_reading(table: Option<&EnergyTable>, i: f64) -> Option<EnergyReading> {
    let table = table?;
    let t_j = table.energy.parameters()[0];
    let t_j = if t_j.is_nan() { 25.0 } else { t_j };
    let lookup = table.energy(i, table.v_ref_v, t_j, None).ok()?;
    Some(EnergyReading {
        energy_j: lookup.value,
        i_a: i,
        v_v: table.v_ref_v,
        t_j_c: t_j,
        r_g_ohm: table.r_g_ref_ohm,
        clamped: lookup.is_clamped(),
    })
}

impl TransistorSummary {
    /// Computes the summary of `transistor`. The rated current is the continuous
    /// rating, else half the pulsed rating; the maximum Tj is the rating, else 150 °C.
    pub fn of(transistor: &Transistor) -> Self {
        let ratings = transistor.ratings;
        let i_rated = ratings.i_cont_a.or(ratings.i_abs_max_a.map(|i| i / 2.0));
        let tj_max = ratings.t_j_max_c.unwrap_or(150.0);
        let at = |f: &dyn Fn(f64, f64) -> Option<Lookup>, tj: f64| {
            i_rated.and_then(|i| f(i, tj)).map(Reading::from)
        };
        let on = |i: f64, tj: f64| transistor.on_voltage(i, tj);
        let rds = |i: f64, tj: f64| transistor.rds_on(i, tj);

        let reverse_table = transistor.diode.as_ref().and_then(|d| d.recovery.as_ref());
        let gate_v = transistor.e_on.as_ref().map_or(400.0, |t| t.v_ref_v);
        let gate_charge = transistor
            .gate_charge_near(gate_v)
            .map(|g| GateChargeReading {
                v_supply_v: g.v_supply_v,
                q_g_c: g.q_total_c(),
                q_gs_c: g.q_gs_c(),
                q_gd_c: g.q_gd_c(),
                plateau: g.miller_plateau(),
            });

        let v_coss = if ratings.v_abs_max_v >= 480.0 {
            400.0
        } else {
            ratings.v_abs_max_v / 2.0
        };
        let coss = transistor.coss.as_ref().map(|c| {
            let capacitance = c.capacitance(v_coss);
            let energy = c.energy(v_coss);
            CossReading {
                v_v: v_coss,
                c_oss_f: capacitance.value,
                q_oss_c: c.charge(v_coss).value,
                e_oss_j: energy.value,
                clamped: capacitance.is_clamped() || energy.is_clamped(),
            }
        });

        Self {
            name: transistor.name.clone(),
            kind: transistor.kind,
            manufacturer: transistor.datasheet.manufacturer.clone(),
            datasheet_url: transistor.datasheet.url.clone(),
            ratings,
            gate_on_v: transistor.gate_on_v,
            i_rated_a: i_rated,
            v_on_25c_v: at(&on, 25.0),
            v_on_tj_max_v: at(&on, tj_max),
            rds_on_25c_ohm: at(&rds, 25.0),
            rds_on_tj_max_ohm: at(&rds, tj_max),
            e_on: i_rated.and_then(|i| energy_reading(transistor.e_on.as_ref(), i)),
            e_off: i_rated.and_then(|i| energy_reading(transistor.e_off.as_ref(), i)),
            e_rr: i_rated.and_then(|i| {
                let recovery_free = transistor.diode.as_ref().is_some_and(|d| d.recovery_free);
                if recovery_free {
                    Some(EnergyReading {
                        energy_j: 0.0,
                        i_a: i,
                        v_v: gate_v,
                        t_j_c: 25.0,
                        r_g_ohm: None,
                        clamped: false,
                    })
                } else {
                    energy_reading(reverse_table, i)
                }
            }),
            gate_charge,
            coss,
            thermal: transistor.thermal.clone(),
            diode_thermal: transistor.diode.as_ref().map(|d| d.thermal.clone()),
            findings: transistor.findings.clone(),
        }
    }
}
