//! The run loop of the PV kernel: MPPT periods, each simulated in detail until the
//! converter settles, then carried quasi-statically to the next MPPT update.
//!
//! # Time scales
//!
//! A day is 86 400 s; the converter's transients last milliseconds and its controller
//! samples every 50 µs. Simulating every control period of a day is about 10⁹ steps.
//! After an MPPT perturbation, though, the closed loop settles within a few
//! milliseconds, and from then until the next update it follows the irradiance
//! quasi-statically: `v_pv = v_ref`, `i_L = i_pv`. So each MPPT period is simulated
//! control period by control period until the state has been within
//! `settle_tolerance` of that equilibrium for [`SETTLE_STEPS`] periods, and the rest
//! of the period is integrated on the equilibrium (Simpson's rule on the power). With
//! `simulation.method = "full"` every control period is simulated; the tests check
//! that both give the same energies.
//!
//! # Energies
//!
//! Harvested energy `E_pv = ∫ v_pv i_pv dt` is what the array delivers, integrated
//! by the trapezoidal rule over the control periods simulated in detail and by
//! Simpson's rule over the settled rest. Available energy `E_mp = ∫ P_mp dt` is what
//! it would deliver at its maximum power point, by Simpson's rule over each MPPT
//! period, where irradiance and temperature are linear in time. Since
//! `v i ≤ P_mp` at every instant, `E_pv ≤ E_mp` up to the quadrature errors, which
//! are below 10⁻⁸ of the energy. MPPT efficiency is `E_pv / E_mp` (EN 50530). An MPPT period
//! counts as dynamic when its irradiance changes faster than
//! [`DYNAMIC_SLOPE_W_PER_M2_S`], otherwise as static.

use pelab_control::mppt::{Mppt, MpptConfig};

use super::converter::{Boost, BoostState, Cascade, CascadeConfig};
use super::period::{Energy, Runner, SIGNALS, Span, lerp};
use super::profile::Profile;
use super::string::{PvArray, max_power_point_warm};
use crate::engine::SimError;
use crate::models::{ModelLimits, ModelOutput, ModelResults, ModelRun, Table, model_recorder};

/// Consecutive settled control periods before a period is carried quasi-statically.
pub const SETTLE_STEPS: usize = 3;
/// Irradiance below which the converter is off and the array open [W/m²].
pub const MIN_OPERATING_IRRADIANCE: f64 = 5.0;
/// Irradiance slope above which an MPPT period is dynamic [W/m²/s]: half the slowest
/// EN 50530 ramp, and above what hourly weather data interpolates to.
pub const DYNAMIC_SLOPE_W_PER_M2_S: f64 = 0.25;

/// A built PV run.
#[derive(Debug, Clone)]
pub struct PvRun {
    /// The array.
    pub array: PvArray,
    /// The converter.
    pub boost: Boost,
    /// Inner-loop settings.
    pub cascade: CascadeConfig,
    /// MPPT settings.
    pub mppt: MpptConfig,
    /// MPPT period [s].
    pub mppt_period: f64,
    /// RK4 substeps per control period.
    pub substeps: usize,
    /// Irradiance and temperature profile.
    pub profile: Profile,
    /// Start [s].
    pub t_start: f64,
    /// End [s].
    pub t_stop: f64,
    /// Spacing of recorded samples [s].
    pub output_step: f64,
    /// Array short-circuit current at STC [A], the scale of the settle test.
    pub i_sc_stc: f64,
    /// Whether settled periods are carried quasi-statically.
    pub skip_settled: bool,
    /// Relative tolerance of the settle test [1].
    pub settle_tolerance: f64,
    /// First MPPT reference as a fraction of the open-circuit voltage [1].
    pub v_start_fraction: f64,
    /// Energy bins for the result table: `(start, end)` [s] with a label value.
    pub bins: Vec<Bin>,
    /// Name, description and columns of the bin table.
    pub bin_table: (
        &'static str,
        &'static str,
        Vec<(&'static str, &'static str)>,
    ),
    /// Summary line for `pelab sim validate`.
    pub summary: String,
    /// Warnings found while building, repeated in the results.
    pub warnings: Vec<String>,
}

/// A time span whose energies go into one row of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// Start [s].
    pub start: f64,
    /// End [s].
    pub end: f64,
    /// Leading columns of the row (e.g. hour, or levels and slope).
    pub label: Vec<f64>,
}

impl PvRun {
    fn simulate(
        &self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let recorder = model_recorder(&SIGNALS, ModelRun::expected_samples(self), limits)?;
        let cascade =
            Cascade::new(&self.boost, &self.cascade).map_err(|e| SimError::InvalidOption {
                field: "control".into(),
                value: e,
                expected: "valid loop gains".into(),
            })?;
        let mppt = Mppt::new(self.mppt).map_err(|e| SimError::InvalidOption {
            field: "control".into(),
            value: e.to_string(),
            expected: "a valid MPPT configuration".into(),
        })?;
        let mut runner = Runner {
            run: self,
            recorder,
            next_record: self.t_start,
            state: BoostState {
                v_pv: 0.0,
                i_l: 0.0,
                v_d: 0.0,
            },
            cascade,
            mppt,
            mpp_v_d: 0.0,
            active: false,
            steps: 0,
            detailed_time: 0.0,
            operating_time: 0.0,
            limited_updates: 0,
            mppt_updates: 0,
            duty_floor_steps: 0,
            static_energy: Energy::default(),
            dynamic_energy: Energy::default(),
            bin_energy: vec![Energy::default(); self.bins.len()],
        };

        let periods = ((self.t_stop - self.t_start) / self.mppt_period).ceil() as usize;
        let report_every = (periods / 100).max(1);
        let mut t0 = self.t_start;
        let mut c0 = self.profile.conditions(t0);
        let mut d0 = runner.diode(c0);
        let mut p_mp0 = runner.p_mp(c0);
        for k in 0..periods {
            let t1 = (self.t_start + (k + 1) as f64 * self.mppt_period).min(self.t_stop);
            let c1 = self.profile.conditions(t1);
            let dynamic =
                (c1.irradiance - c0.irradiance).abs() / (t1 - t0) > DYNAMIC_SLOPE_W_PER_M2_S;
            let d1 = runner.diode(c1);
            let (harvested, p_mp) = match (d0, d1) {
                (Some(start), Some(end)) => {
                    let period = Span {
                        t0,
                        t1,
                        c0,
                        c1,
                        d0: start,
                        d1: end,
                    };
                    let p_mp_mid = max_power_point_warm(&period.at(0.5).2, &mut runner.mpp_v_d).p;
                    let p_mp_end = max_power_point_warm(&end, &mut runner.mpp_v_d).p;
                    if !runner.active {
                        runner.start(&start);
                    }
                    let e = runner.on_period(&period)?;
                    runner.operating_time += t1 - t0;
                    runner.update_mppt(&end);
                    (e, [p_mp0, p_mp_mid, p_mp_end])
                }
                _ => {
                    runner.off_period(t0, t1, c0, c1)?;
                    (
                        0.0,
                        [p_mp0, runner.p_mp(lerp(c0, c1, 0.5)), runner.p_mp(c1)],
                    )
                }
            };
            let energy = Energy {
                pv: harvested,
                mp: (t1 - t0) / 6.0 * (p_mp[0] + 4.0 * p_mp[1] + p_mp[2]),
            };
            runner.book(energy, dynamic, 0.5 * (t0 + t1));
            if k % report_every == 0 {
                progress((t1 - self.t_start) / (self.t_stop - self.t_start));
            }
            t0 = t1;
            c0 = c1;
            d0 = d1;
            p_mp0 = p_mp[2];
        }
        progress(1.0);
        Ok(self.results(runner))
    }

    fn results(&self, runner: Runner<'_>) -> ModelOutput {
        let mut results = ModelResults {
            steady_state_from: self.t_start,
            t_stop: self.t_stop,
            switching_frequency: Some(1.0 / self.cascade.period),
            warnings: self.warnings.clone(),
            ..Default::default()
        };
        let mut total = runner.static_energy;
        total.add(runner.dynamic_energy);
        let efficiency = |e: Energy| 100.0 * e.pv / e.mp;
        results.metric(
            "energy_harvested",
            total.pv,
            "J",
            "energy the array delivered, ∫ v_pv i_pv dt",
        );
        results.metric(
            "energy_available",
            total.mp,
            "J",
            "energy at the maximum power point, ∫ P_mp dt",
        );
        if total.mp > 0.0 {
            results.metric(
                "mppt_efficiency",
                efficiency(total),
                "%",
                "harvested over available energy (EN 50530)",
            );
        } else {
            results.warnings.push(
                "no irradiance above 0 W/m² in the run, so the MPPT efficiency is undefined".into(),
            );
        }
        if runner.static_energy.mp > 0.0 {
            results.metric(
                "mppt_efficiency_static",
                efficiency(runner.static_energy),
                "%",
                "MPPT efficiency over periods with slowly changing irradiance",
            );
        }
        if runner.dynamic_energy.mp > 0.0 {
            results.metric(
                "mppt_efficiency_dynamic",
                efficiency(runner.dynamic_energy),
                "%",
                "MPPT efficiency over periods with irradiance changing faster than 0.25 W/m²/s",
            );
        } else {
            results.warnings.push(
                "no MPPT period had irradiance changing faster than 0.25 W/m²/s, so there is no dynamic efficiency \
                 (hourly weather is smooth; use parameters.profile = \"en50530_ramps\" for dynamics)"
                    .into(),
            );
        }
        results.metric(
            "operating_time",
            runner.operating_time,
            "s",
            "time with the converter on",
        );
        results.metric(
            "detailed_time",
            runner.detailed_time,
            "s",
            "time simulated control period by control period (the rest on the settled equilibrium)",
        );
        results.metric(
            "mppt_updates",
            runner.mppt_updates as f64,
            "",
            "MPPT updates",
        );

        if runner.mppt_updates > 0 && runner.limited_updates * 20 > runner.mppt_updates {
            results.warnings.push(format!(
                "the MPPT reference was at its voltage limit in {} of {} updates; check modules_series and v_bus",
                runner.limited_updates, runner.mppt_updates
            ));
        }
        if runner.duty_floor_steps > 0 {
            results.warnings.push(format!(
                "the duty reached its floor of 0 in {} control periods: the PV voltage exceeded what the boost can \
                 regulate below v_bus",
                runner.duty_floor_steps
            ));
        }

        let (name, description, columns) = &self.bin_table;
        let mut table = Table::new(name, description, columns);
        for (bin, energy) in self.bins.iter().zip(&runner.bin_energy) {
            let mut row = bin.label.clone();
            row.push(energy.mp);
            row.push(energy.pv);
            row.push(if energy.mp > 0.0 {
                efficiency(*energy)
            } else {
                f64::NAN
            });
            table.rows.push(row);
        }
        results.tables.push(table);

        ModelOutput {
            waveforms: runner.recorder.into_waveforms(),
            results,
            steps: runner.steps,
        }
    }
}

impl ModelRun for PvRun {
    fn expected_samples(&self) -> usize {
        ((self.t_stop - self.t_start) / self.output_step).ceil() as usize + 2
    }

    fn describe(&self) -> String {
        self.summary.clone()
    }

    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        self.simulate(limits, progress)
    }
}
