//! Voltage and current transition speeds estimated from the gate charge, for EMI
//! pre-studies.
//!
//! The model is the piecewise gate-charge description of a hard-switched inductive
//! transition that power-device textbooks teach:
//!
//! 1. The gate charges through `R_g + R_g,int` from the drive voltage. While `Vgs`
//!    rises from the threshold `V_th` to the plateau `V_pl`, the drain current rises
//!    from zero to the load current. The charge for that is `Q(V_pl) − Q(V_th)` on the
//!    gate-charge curve.
//! 2. On the Miller plateau the gate voltage stays at `V_pl`, so the gate current is
//!    constant, `I_g = (V_drive − V_pl) / (R_g + R_g,int)`, and the drain voltage swings
//!    by the bus voltage while the Miller charge `Q_gd` flows:
//!    `t_v = Q_gd / I_g` and `dv/dt = V_bus / t_v`.
//!
//! Limits: the model ignores the power-loop and common-source inductances, which slow
//! di/dt and add ringing. It ignores the nonlinearity of Crss inside the plateau, so
//! it gives an average dv/dt, while the peak at low Vds is higher. It also uses the
//! plateau as measured, although the plateau voltage rises with the load current. `Q_gd` is scaled linearly
//! from the curve's supply voltage to `V_bus`, which overestimates it at high voltage
//! because Crss falls with Vds. Treat the results as order-of-magnitude estimates.

use serde::{Deserialize, Serialize};

use super::Transistor;

/// Gate-drive operating point for [`switching_transition_estimate`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateDrive {
    /// Bus (blocking) voltage, V.
    pub v_bus_v: f64,
    /// Load current switched, A.
    pub i_load_a: f64,
    /// External turn-on gate resistance, Ω.
    pub r_g_on_ohm: f64,
    /// External turn-off gate resistance, Ω.
    pub r_g_off_ohm: f64,
    /// Gate-drive on-voltage, V.
    pub v_drive_on_v: f64,
    /// Gate-drive off-voltage (0 or negative), V.
    pub v_drive_off_v: f64,
}

/// Estimated transition times and slopes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionEstimate {
    /// Drain-voltage rise time at turn-off, s.
    pub t_rise_v_s: f64,
    /// Drain-voltage fall time at turn-on, s.
    pub t_fall_v_s: f64,
    /// Largest voltage slope magnitude of the two edges, V/s.
    pub dv_dt_v_per_s: f64,
    /// Current slope at turn-on, A/s; `None` without a gate threshold voltage.
    pub di_dt_a_per_s: Option<f64>,
    /// Miller plateau voltage used, V.
    pub v_plateau_v: f64,
    /// Miller charge used (scaled to the bus voltage), C.
    pub q_gd_c: f64,
}

/// Error from [`switching_transition_estimate`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// The part has no gate-charge curve.
    #[error("{part}: no gate-charge curve in the data")]
    NoGateCharge {
        /// Part name.
        part: String,
    },
    /// The gate-charge curve shows no Miller plateau.
    #[error("{part}: the gate-charge curve has no detectable Miller plateau")]
    NoPlateau {
        /// Part name.
        part: String,
    },
    /// An input is outside its accepted range.
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidValue {
        /// Parameter name with unit.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Accepted range in words.
        expected: &'static str,
    },
}

/// Estimates the voltage and current transition speeds of `transistor` at `drive`.
///
/// See the module documentation for the model and its limits. The internal gate
/// resistance counts as zero when the data do not give it. `di/dt` needs the gate
/// threshold voltage, which the LEA files lack; set
/// [`Transistor::gate_threshold_v`] from the datasheet to get it.
///
/// # Errors
/// [`EstimateError`] for non-finite or out-of-range inputs (the drive on-voltage must
/// exceed the plateau and the off-voltage must be below it), and for a part without a
/// usable gate-charge curve.
pub fn switching_transition_estimate(
    transistor: &Transistor,
    drive: &GateDrive,
) -> Result<TransitionEstimate, EstimateError> {
    check(drive.v_bus_v, "v_bus [V]", "a finite value > 0", |v| {
        v > 0.0
    })?;
    check(drive.i_load_a, "i_load [A]", "a finite value ≥ 0", |v| {
        v >= 0.0
    })?;
    check(
        drive.r_g_on_ohm,
        "r_g_on [Ω]",
        "a finite value ≥ 0",
        |v| v >= 0.0,
    )?;
    check(
        drive.r_g_off_ohm,
        "r_g_off [Ω]",
        "a finite value ≥ 0",
        |v| v >= 0.0,
    )?;
    check(
        drive.v_drive_on_v,
        "v_drive_on [V]",
        "a finite value",
        |_| true,
    )?;
    check(
        drive.v_drive_off_v,
        "v_drive_off [V]",
        "a finite value",
        |_| true,
    )?;

    let part = transistor.name.clone();
    let gate = transistor
        .gate_charge_near(drive.v_bus_v)
        .ok_or_else(|| EstimateError::NoGateCharge { part: part.clone() })?;
    let plateau = gate
        .miller_plateau()
        .ok_or_else(|| EstimateError::NoPlateau { part: part.clone() })?;
    let v_pl = plateau.v_plateau_v;
    if !(drive.v_drive_on_v > v_pl) {
        return Err(EstimateError::InvalidValue {
            name: "v_drive_on [V]",
            value: drive.v_drive_on_v,
            expected: "a value above the Miller plateau voltage",
        });
    }
    if !(drive.v_drive_off_v < v_pl) {
        return Err(EstimateError::InvalidValue {
            name: "v_drive_off [V]",
            value: drive.v_drive_off_v,
            expected: "a value below the Miller plateau voltage",
        });
    }

    let r_int = transistor.r_g_int_ohm.unwrap_or(0.0);
    let curve_supply = gate.v_supply_v.unwrap_or(drive.v_bus_v);
    let q_gd = (plateau.q_end_c - plateau.q_start_c) * drive.v_bus_v / curve_supply;

    let i_g_on = (drive.v_drive_on_v - v_pl) / (drive.r_g_on_ohm + r_int);
    let i_g_off = (v_pl - drive.v_drive_off_v) / (drive.r_g_off_ohm + r_int);
    let t_fall_v = q_gd / i_g_on;
    let t_rise_v = q_gd / i_g_off;
    let dv_dt = drive.v_bus_v / t_fall_v.min(t_rise_v);

    // Current rise: Vgs climbs from V_th to V_pl. The gate current falls as Vgs rises,
    // so the mean of the two end currents is used.
    let di_dt = transistor.gate_threshold_v.and_then(|v_th| {
        let q_th = gate.charge_at_voltage(v_th)?;
        let q_gs_th_pl = plateau.q_start_c - q_th;
        let r = drive.r_g_on_ohm + r_int;
        let i_g_mean = 0.5 * ((drive.v_drive_on_v - v_th) + (drive.v_drive_on_v - v_pl)) / r;
        let t_rise_i = q_gs_th_pl / i_g_mean;
        (t_rise_i > 0.0).then(|| drive.i_load_a / t_rise_i)
    });

    Ok(TransitionEstimate {
        t_rise_v_s: t_rise_v,
        t_fall_v_s: t_fall_v,
        dv_dt_v_per_s: dv_dt,
        di_dt_a_per_s: di_dt,
        v_plateau_v: v_pl,
        q_gd_c: q_gd,
    })
}

fn check(
    value: f64,
    name: &'static str,
    expected: &'static str,
    accept: impl Fn(f64) -> bool,
) -> Result<(), EstimateError> {
    if value.is_finite() && accept(value) {
        Ok(())
    } else {
        Err(EstimateError::InvalidValue {
            name,
            value,
            expected,
        })
    }
}
