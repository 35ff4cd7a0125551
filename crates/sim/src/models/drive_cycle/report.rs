//! Metrics, tables and warnings of a drive-cycle run.

use super::inverter::LossMap;
use super::run::{DriveCycleRun, Totals};
use crate::models::three_phase::{DeviceStress, check_ratings};
use crate::models::{ModelResults, Table};
use pelab_components::loss::SwitchModel;

/// Joules per watt-hour.
const J_PER_WH: f64 = 3600.0;

impl DriveCycleRun {
    /// Collects the metrics, the energy table and the warnings of a pass.
    pub(super) fn results(&self, totals: &Totals, map: &LossMap) -> ModelResults {
        let wh = |j: f64| j / J_PER_WH;
        let mut r = ModelResults {
            steady_state_from: self.timing.t_start,
            t_stop: self.timing.t_end,
            switching_frequency: Some(self.f_sw),
            ..ModelResults::default()
        };
        let km = totals.distance_m / 1e3;
        r.metric(
            "distance",
            totals.distance_m,
            "m",
            "distance driven (short of cycle_distance when the vehicle fell behind the trace)",
        );
        r.metric(
            "cycle_distance",
            totals.cycle_distance_m,
            "m",
            "distance of the cycle's trace over the run",
        );
        r.metric(
            "battery_energy",
            wh(totals.battery_j),
            "Wh",
            "net energy drawn from the battery (discharge minus recharge)",
        );
        if km > 0.0 {
            r.metric(
                "battery_energy_per_km",
                wh(totals.battery_j) / km,
                "Wh/km",
                "net battery energy per distance driven",
            );
        } else {
            r.warnings.push(
                "battery_energy_per_km not computed: the vehicle did not move in the run".into(),
            );
        }
        r.metric(
            "trace_miss_time",
            totals.trace_miss_time_s,
            "s",
            "time the vehicle spent behind the trace because the drive could not deliver the force",
        );
        r.metric(
            "speed_deficit_max",
            totals.speed_deficit_max_mps * 3.6,
            "km/h",
            "largest shortfall of the vehicle's speed against the trace's",
        );
        r.metric(
            "battery_discharge_energy",
            wh(totals.battery_discharge_j),
            "Wh",
            "energy the battery delivered",
        );
        r.metric(
            "regenerated_energy",
            wh(totals.battery_charge_j),
            "Wh",
            "energy returned to the battery by regenerative braking",
        );
        r.metric(
            "wheel_energy_traction",
            wh(totals.wheel_positive_j),
            "Wh",
            "positive road-load energy at the wheels",
        );
        r.metric(
            "wheel_energy_braking",
            wh(totals.wheel_negative_j),
            "Wh",
            "braking energy at the wheels (magnitude)",
        );
        r.metric(
            "friction_brake_energy",
            wh(totals.friction_brake_j),
            "Wh",
            "braking energy taken by the friction brakes",
        );
        r.metric(
            "gearbox_loss_energy",
            wh(totals.gearbox_j),
            "Wh",
            "gearbox losses",
        );
        r.metric(
            "motor_loss_energy",
            wh(totals.copper_j),
            "Wh",
            "motor copper losses (iron and mechanical losses not modelled)",
        );
        r.metric(
            "inverter_loss_energy",
            wh(totals.inverter_j),
            "Wh",
            "inverter semiconductor losses, six positions",
        );
        r.metric(
            "aux_energy",
            wh(totals.aux_j),
            "Wh",
            "auxiliary load energy",
        );
        let efficiency = if totals.inverter_input_j > 0.0 {
            1.0 - totals.inverter_j / totals.inverter_input_j
        } else {
            f64::NAN
        };
        r.metric(
            "inverter_efficiency",
            efficiency,
            "1",
            "cycle-average inverter efficiency: 1 − loss energy / input energy (DC side when motoring, AC side when generating)",
        );
        r.metric(
            "tj_peak",
            totals.tj_peak_c,
            "°C",
            "highest junction temperature",
        );
        r.metric(
            "tj_limit",
            self.tj_limit_c,
            "°C",
            "junction-temperature limit of time_above_tj_limit",
        );
        r.metric(
            "time_above_tj_limit",
            totals.time_above_tj_limit_s,
            "s",
            "time with the hottest junction above tj_limit",
        );
        r.metric(
            "envelope_violations",
            totals.envelope_steps as f64,
            "",
            "steps whose traction torque exceeded the current or voltage envelope and was clamped",
        );
        r.metric(
            "envelope_violation_time",
            totals.envelope_time_s,
            "s",
            "time with traction torque clamped to the envelope",
        );
        r.metric(
            "unmet_wheel_energy",
            wh(totals.unmet_j),
            "Wh",
            "traction energy the trace asked for beyond what the drive delivered while behind it (report only: the energy balance uses the achieved motion)",
        );
        r.metric(
            "peak_motor_torque",
            totals.peak_torque_nm,
            "N·m",
            "largest motor torque magnitude",
        );
        r.metric(
            "peak_phase_current",
            totals.peak_current_a,
            "A",
            "largest peak phase current",
        );
        r.metric(
            "peak_inverter_loss",
            totals.peak_inverter_loss_w,
            "W",
            "largest inverter loss of a step",
        );
        let residual = (totals.battery_j - totals.balance_j) / totals.battery_discharge_j.max(1.0);
        r.metric(
            "energy_balance_residual",
            residual,
            "1",
            "(battery energy − wheel, brake, loss and auxiliary energies) / battery discharge energy",
        );

        r.metric(
            "loss_model_calls",
            map.calls as f64,
            "",
            "operating points evaluated by the component loss model to fill the loss map",
        );

        let mut breakdown = Table::new(
            "energy_breakdown",
            "where the battery energy goes",
            &[
                ("battery", "Wh"),
                ("wheels_net_delivered", "Wh"),
                ("friction_brakes", "Wh"),
                ("gearbox", "Wh"),
                ("motor_copper", "Wh"),
                ("inverter", "Wh"),
                ("auxiliary", "Wh"),
            ],
        );
        breakdown.rows.push(vec![
            wh(totals.battery_j),
            wh(totals.wheel_positive_j - totals.wheel_negative_j),
            wh(totals.friction_brake_j),
            wh(totals.gearbox_j),
            wh(totals.copper_j),
            wh(totals.inverter_j),
            wh(totals.aux_j),
        ]);
        r.tables.push(breakdown);

        // The quasi-static model has no link ripple: the part blocks v_dc.
        let stress = DeviceStress {
            part: &self.part.name,
            positions: "all six positions".into(),
            ratings: self.part.ratings(),
            v_block: self.v_dc,
            i_peak: totals.peak_current_a,
            tj_c: Some(totals.tj_peak_c),
        };
        check_ratings(&[stress], &mut r);
        r.warnings.extend(self.build_warnings.iter().cloned());
        if let Some(note) = &map.first_note {
            r.warnings.push(format!(
                "inverter loss map ({}): {} of {} calls of the loss model reported gaps in the part's data, the first: {note}",
                self.part.name, map.calls_with_notes, map.calls
            ));
        }
        if let Some(first) = totals.first_violation_s {
            r.warnings.push(format!(
                "the drive cannot follow the cycle: the traction torque hit the current or voltage envelope for {:.2} s (first at t = {first:.2} s), the vehicle fell up to {:.1} km/h behind the trace and drove {:.0} m of the trace's {:.0} m; the energy figures, battery_energy_per_km included, are for the distance driven, and the trace asked for {:.3} Wh more traction energy; raise i_max or v_dc, or lower gear_ratio or mass",
                totals.trace_miss_time_s,
                totals.speed_deficit_max_mps * 3.6,
                totals.distance_m,
                totals.cycle_distance_m,
                wh(totals.unmet_j)
            ));
        }
        if totals.regen_limited_time_s > 0.0 {
            r.warnings.push(format!(
                "regenerative torque was limited by the envelope for {:.2} s; the friction brakes took the rest",
                totals.regen_limited_time_s
            ));
        }
        if totals.overmodulation_time_s > 0.0 {
            r.warnings.push(format!(
                "the modulation index exceeded the linear limit for {:.2} s (R_s drop beyond voltage_margin); inverter losses there use the linear limit",
                totals.overmodulation_time_s
            ));
        }
        if totals.tj_beyond_map_time_s > 0.0 {
            let (_, top) = LossMap::tj_range_c();
            r.warnings.push(format!(
                "Tj exceeded {top} °C for {:.2} s; losses there use the loss map at {top} °C and are underestimated",
                totals.tj_beyond_map_time_s
            ));
        }
        if totals.tj_below_map_time_s > 0.0 {
            let (bottom, _) = LossMap::tj_range_c();
            r.warnings.push(format!(
                "Tj was below {bottom} °C for {:.2} s; losses there use the loss map at {bottom} °C",
                totals.tj_below_map_time_s
            ));
        }
        if let Some(first) = totals.first_unreachable_s {
            r.warnings.push(format!(
                "the motor turned faster than the voltage limit allows for {:.2} s (first at t = {first:.2} s): no current within i_max keeps the back-EMF below the limit, so the model applies i_d = -i_max with no torque; raise v_dc or lower gear_ratio",
                totals.unreachable_time_s
            ));
        }
        if totals.time_above_tj_limit_s > 0.0 {
            r.warnings.push(format!(
                "Tj exceeded the limit of {} °C for {:.2} s (peak {:.1} °C)",
                self.tj_limit_c, totals.time_above_tj_limit_s, totals.tj_peak_c
            ));
        }
        r
    }
}
