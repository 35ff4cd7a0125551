//! Checks of a finished drive run against its references and its parts' ratings,
//! and the inverter efficiency from the datasheet losses.

use super::control::ControlMode;
use super::params::{DriveConfig, RAD_PER_S_PER_RPM};
use super::results::{Accumulator, DeviceLosses};
use crate::kernels::params::schedule_value;
use crate::models::ModelResults;
use crate::models::three_phase::{DeviceStress, check_ratings};

/// Largest mean error of the controlled quantity in the metrics window, as a share
/// of its reference (or of the full scale for small references), before the run
/// warns that the controller missed it.
pub const REFERENCE_TOLERANCE: f64 = 0.02;

/// Full scale of the speed reference for [`REFERENCE_TOLERANCE`] when the reference
/// is small [rpm]: 2 % of it is 20 rpm.
const SPEED_FULL_SCALE_RPM: f64 = 1000.0;

/// Warns when the speed (speed mode) or the torque (torque mode) misses its
/// reference in the metrics window.
///
/// The target is the reference in force at `t_stop`. The achieved value is the
/// window mean, or the speed at the end of the run when a speed step falls inside
/// the window. The tolerance is [`REFERENCE_TOLERANCE`] of the target, at least of
/// 1000 rpm (speed) or of `torque_max`, the MTPA torque at `i_max` (torque).
pub fn reference_miss(
    c: &DriveConfig,
    mean_speed_rpm: f64,
    mean_torque_nm: f64,
    final_speed_rpm: f64,
    r: &mut ModelResults,
) {
    let inside = |schedule: &[(f64, f64)]| {
        schedule
            .iter()
            .any(|&(t, _)| t > c.steady_from && t < c.t_stop)
    };
    let (name, unit, target, achieved, full_scale, how) = match &c.foc.mode {
        ControlMode::Speed(schedule) => {
            let target = schedule_value(schedule, c.t_stop, 0.0) / RAD_PER_S_PER_RPM;
            let (achieved, how) = if inside(schedule) {
                (final_speed_rpm, "speed at the end of the run")
            } else {
                (mean_speed_rpm, "mean speed in the metrics window")
            };
            (
                "speed_ref",
                "rpm",
                target,
                achieved,
                SPEED_FULL_SCALE_RPM,
                how,
            )
        }
        ControlMode::Torque(schedule) => (
            "torque_ref",
            "N·m",
            schedule_value(schedule, c.t_stop, 0.0),
            mean_torque_nm,
            r.get("torque_max").unwrap_or(0.0),
            "mean torque in the metrics window",
        ),
    };
    let tolerance = REFERENCE_TOLERANCE * target.abs().max(full_scale);
    let error = achieved - target;
    if error.abs() > tolerance {
        r.warnings.push(format!(
            "the controller missed control.{name}: reference {target:.1} {unit}, {how} {achieved:.1} {unit} ({:+.1} %, tolerance ±{tolerance:.1} {unit}); check the i_max and voltage limits (envelope table), v_dc and the run's length",
            100.0 * error / target.abs().max(f64::MIN_POSITIVE)
        ));
    }
}

/// Inverter efficiency with the datasheet losses of `[devices]`.
///
/// The machine draws the same electrical power `P_el`; the inverter's loss is the
/// datasheet loss `P_loss,ds` instead of the circuit model's conduction drops:
///
/// ```text
/// motoring:   η = P_el / (P_el + P_loss,ds)
/// generating: η = (|P_el| − P_loss,ds) / |P_el|
/// ```
///
/// In the brief's terms, `P_el + P_loss,ds = P_dc + (P_loss,ds − P_loss,circuit)`
/// with `P_loss,circuit = P_dc − P_el`.
pub fn datasheet_efficiency(p_elec: f64, loss_w: f64, r: &mut ModelResults) {
    if p_elec == 0.0 || !loss_w.is_finite() {
        return;
    }
    let eta = if p_elec > 0.0 {
        p_elec / (p_elec + loss_w)
    } else {
        (-p_elec - loss_w) / -p_elec
    };
    r.metric(
        "efficiency_inverter_datasheet",
        eta,
        "1",
        "inverter efficiency with the datasheet loss_inverter: P_el/(P_el + loss_inverter) motoring, (|P_el| − loss_inverter)/|P_el| generating",
    );
}

/// Checks the parts of `[devices]` against their ratings in the metrics window: the
/// highest link voltage (ripple included) against the voltage derating, the largest
/// instantaneous phase current against the pulsed current rating, and the junction
/// temperature against Tj_max. See [`check_ratings`].
pub fn ratings(
    c: &DriveConfig,
    acc: &Accumulator,
    devices: Option<&DeviceLosses>,
    r: &mut ModelResults,
) {
    if c.devices.is_empty() {
        return;
    }
    let stresses: Vec<DeviceStress<'_>> = c
        .devices
        .iter()
        .enumerate()
        .map(|(k, d)| DeviceStress {
            part: &d.part,
            positions: d.position.to_string(),
            ratings: d.model.ratings(),
            v_block: acc.v_dc_max,
            i_peak: acc.i_phase_max,
            tj_c: devices.and_then(|x| x.tj_c.get(k).copied()),
        })
        .collect();
    check_ratings(&stresses, r);
}
