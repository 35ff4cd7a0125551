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

use pelab_components::pv::SingleDiode;
use pelab_control::mppt::{Mppt, MpptConfig, MpptStatus};
use pelab_waveform::Recorder;

use super::converter::{Boost, BoostState, Cascade, CascadeConfig};
use super::profile::{Conditions, Profile};
use super::string::{LocalCurve, PvArray, current_warm, max_power_point_warm};
use crate::engine::SimError;
use crate::models::{
    ModelLimits, ModelOutput, ModelResults, ModelRun, Table, check_finite, model_recorder,
    record_error,
};

/// Consecutive settled control periods before a period is carried quasi-statically.
pub const SETTLE_STEPS: usize = 3;
/// Irradiance below which the converter is off and the array open [W/m²].
pub const MIN_OPERATING_IRRADIANCE: f64 = 5.0;
/// Irradiance slope above which an MPPT period is dynamic [W/m²/s]: half the slowest
/// EN 50530 ramp, and above what hourly weather data interpolates to.
pub const DYNAMIC_SLOPE_W_PER_M2_S: f64 = 0.25;

/// Recorded signals.
const SIGNALS: [(&str, &str); 9] = [
    ("g_poa", "W/m^2"),
    ("t_cell", "degC"),
    ("v_pv", "V"),
    ("i_pv", "A"),
    ("p_pv", "W"),
    ("p_mp", "W"),
    ("v_ref", "V"),
    ("duty", "1"),
    ("i_l", "A"),
];

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

/// Energies of one class of periods [J].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Energy {
    pv: f64,
    mp: f64,
}

impl Energy {
    fn add(&mut self, other: Energy) {
        self.pv += other.pv;
        self.mp += other.mp;
    }
}

/// Values at one instant, recorded and integrated.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    t: f64,
    conditions: Conditions,
    v_pv: f64,
    i_pv: f64,
    v_ref: f64,
    duty: f64,
    i_l: f64,
}

impl Node {
    fn p_pv(&self) -> f64 {
        self.v_pv * self.i_pv
    }
}

/// Mutable state of a run.
struct Runner<'a> {
    run: &'a PvRun,
    recorder: Recorder,
    next_record: f64,
    state: BoostState,
    cascade: Cascade,
    mppt: Mppt,
    mpp_v_d: f64,
    active: bool,
    steps: usize,
    detailed_time: f64,
    operating_time: f64,
    limited_updates: usize,
    mppt_updates: usize,
    duty_floor_steps: usize,
    static_energy: Energy,
    dynamic_energy: Energy,
    bin_energy: Vec<Energy>,
}

fn lerp(a: Conditions, b: Conditions, fraction: f64) -> Conditions {
    Conditions {
        irradiance: a.irradiance + (b.irradiance - a.irradiance) * fraction,
        temp_cell: a.temp_cell + (b.temp_cell - a.temp_cell) * fraction,
    }
}

/// Interpolates the array parameters a fraction `fraction` of the way from `a` to `b`.
///
/// Within an MPPT period irradiance and temperature are linear in time. The CEC
/// translation makes `I_L` and `1/R_sh` linear in irradiance, and `a` linear in
/// temperature, so these interpolate exactly when only the irradiance changes (the
/// ramps). `I_0` changes with temperature by about 15 %/K, and a day's cell
/// temperature moves by well under 0.001 K in a period, which bounds the relative
/// error of the interpolated `I_0` below 10⁻⁸. One interpolation replaces the
/// exponential of the translation at every control period.
fn interpolate_diode(a: &SingleDiode, b: &SingleDiode, fraction: f64) -> SingleDiode {
    let mix = |x: f64, y: f64| x + (y - x) * fraction;
    SingleDiode {
        i_l: mix(a.i_l, b.i_l),
        i_0: mix(a.i_0, b.i_0),
        r_s: a.r_s,
        r_sh: 1.0 / mix(1.0 / a.r_sh, 1.0 / b.r_sh),
        a: mix(a.a, b.a),
    }
}

/// One MPPT period with the converter on: its ends and the array there.
#[derive(Debug, Clone, Copy)]
struct Span {
    t0: f64,
    t1: f64,
    c0: Conditions,
    c1: Conditions,
    d0: SingleDiode,
    d1: SingleDiode,
}

impl Span {
    /// Time, conditions and array a fraction `fraction` of the way through.
    fn at(&self, fraction: f64) -> (f64, Conditions, SingleDiode) {
        (
            self.t0 + (self.t1 - self.t0) * fraction,
            lerp(self.c0, self.c1, fraction),
            interpolate_diode(&self.d0, &self.d1, fraction),
        )
    }
}

/// Trapezoidal energy between two nodes [J].
fn trapezoid(a: &Node, b: &Node) -> f64 {
    0.5 * (a.p_pv() + b.p_pv()) * (b.t - a.t)
}

impl Runner<'_> {
    /// Returns the array at `c`, or `None` below the operating irradiance.
    fn diode(&self, c: Conditions) -> Option<SingleDiode> {
        if c.irradiance < MIN_OPERATING_IRRADIANCE {
            return None;
        }
        self.run.array.at(c.irradiance, c.temp_cell)
    }

    /// Maximum power at `c` [W], 0 in the dark.
    fn p_mp(&mut self, c: Conditions) -> f64 {
        if c.irradiance <= 0.0 {
            return 0.0;
        }
        match self.run.array.at(c.irradiance, c.temp_cell) {
            Some(d) => max_power_point_warm(&d, &mut self.mpp_v_d).p,
            None => 0.0,
        }
    }

    /// Records `node` when a sample is due.
    fn record(&mut self, node: &Node) -> Result<(), SimError> {
        if node.t + 1e-9 < self.next_record {
            return Ok(());
        }
        let p_mp = self.p_mp(node.conditions);
        let values = [
            node.conditions.irradiance,
            node.conditions.temp_cell,
            node.v_pv,
            node.i_pv,
            node.p_pv(),
            p_mp,
            node.v_ref,
            node.duty,
            node.i_l,
        ];
        self.recorder.push(node.t, &values).map_err(record_error)?;
        while self.next_record <= node.t + 1e-9 {
            self.next_record += self.run.output_step;
        }
        Ok(())
    }

    /// Adds energy to the period's class and to the bin containing `t_mid`.
    fn book(&mut self, energy: Energy, dynamic: bool, t_mid: f64) {
        if dynamic {
            self.dynamic_energy.add(energy);
        } else {
            self.static_energy.add(energy);
        }
        if let Some(k) = self
            .run
            .bins
            .iter()
            .position(|b| t_mid >= b.start && t_mid < b.end)
        {
            self.bin_energy[k].add(energy);
        }
    }

    /// Records an MPPT period with the converter off and the array open.
    fn off_period(
        &mut self,
        t0: f64,
        t1: f64,
        c0: Conditions,
        c1: Conditions,
    ) -> Result<(), SimError> {
        self.active = false;
        let mut t = self.next_record.max(t0);
        while t < t1 - 1e-9 {
            let c = lerp(c0, c1, (t - t0) / (t1 - t0));
            let v_oc = if c.irradiance > 0.0 {
                self.run
                    .array
                    .at(c.irradiance, c.temp_cell)
                    .map_or(0.0, |d| d.v_oc())
            } else {
                0.0
            };
            self.record(&Node {
                t,
                conditions: c,
                v_pv: v_oc,
                i_pv: 0.0,
                v_ref: 0.0,
                duty: 0.0,
                i_l: 0.0,
            })?;
            t = self.next_record;
        }
        Ok(())
    }

    /// Starts the converter from open circuit.
    fn start(&mut self, diode: &SingleDiode) {
        let v_oc = diode.v_oc();
        self.state = BoostState {
            v_pv: v_oc,
            i_l: 0.0,
            v_d: v_oc,
        };
        self.cascade.reset();
        self.mppt.reset(self.run.v_start_fraction * v_oc);
        self.active = true;
    }

    /// Quasi-static node on the equilibrium `v_pv = v_ref`, or `None` when the array
    /// cannot deliver current there.
    fn equilibrium_node(&mut self, t: f64, c: Conditions, diode: &SingleDiode) -> Option<Node> {
        let v_ref = self.mppt.v_ref();
        let mut v_d = self.state.v_d;
        let i_pv = current_warm(diode, v_ref, &mut v_d);
        if i_pv <= 0.0 {
            return None;
        }
        Some(Node {
            t,
            conditions: c,
            v_pv: v_ref,
            i_pv,
            v_ref,
            duty: self.cascade.equilibrium_duty(v_ref, i_pv),
            i_l: i_pv,
        })
    }

    /// One MPPT period with the converter on; returns the harvested energy [J].
    fn on_period(&mut self, period: &Span) -> Result<f64, SimError> {
        let (t0, t1) = (period.t0, period.t1);
        let span = t1 - t0;
        let steps = ((span / self.run.cascade.period).round() as usize).max(1);
        let h = span / steps as f64;
        let v_ref = self.mppt.v_ref();
        let tolerance_v = self.run.settle_tolerance * v_ref.abs().max(1.0);
        let tolerance_i = self.run.settle_tolerance * self.run.i_sc_stc;
        let mut energy = 0.0;
        let mut previous: Option<Node> = None;
        let mut settled = 0;

        for j in 0..=steps {
            let fraction = j as f64 / steps as f64;
            let (t, c, diode) = period.at(fraction);
            let curve = LocalCurve::at(&diode, self.state.v_pv, &mut self.state.v_d);
            let duty = if j < steps {
                self.cascade
                    .update(v_ref, self.state.v_pv, curve.i0, self.state.i_l)
            } else {
                previous.map_or(0.0, |n| n.duty)
            };
            let node = Node {
                t,
                conditions: c,
                v_pv: self.state.v_pv,
                i_pv: curve.i0,
                v_ref,
                duty,
                i_l: self.state.i_l,
            };
            if let Some(p) = &previous {
                energy += trapezoid(p, &node);
            }
            self.record(&node)?;
            previous = Some(node);
            if j == steps {
                break;
            }

            if duty <= 1e-12 {
                self.duty_floor_steps += 1;
            }
            let before = self.state;
            self.run
                .boost
                .advance(&mut self.state, &curve, duty, h, self.run.substeps);
            self.steps += 1;
            check_finite(t + h, "v_pv", self.state.v_pv)?;
            check_finite(t + h, "i_l", self.state.i_l)?;

            let quiet = (self.state.v_pv - v_ref).abs() <= tolerance_v
                && (self.state.v_pv - before.v_pv).abs() <= tolerance_v
                && (self.state.i_l - before.i_l).abs() <= tolerance_i;
            settled = if quiet { settled + 1 } else { 0 };
            if self.run.skip_settled && settled >= SETTLE_STEPS && j + 1 < steps {
                let fraction_s = (j + 1) as f64 / steps as f64;
                if let Some(carried) = self.carry(period, fraction_s, previous)? {
                    self.detailed_time += (t1 - t0) * fraction_s;
                    return Ok(energy + carried);
                }
            }
        }
        self.detailed_time += span;
        Ok(energy)
    }

    /// Carries a settled converter from `fraction_s` of the period to its end on the
    /// equilibrium. Returns the energy from the last detailed node on, or `None`
    /// (state untouched) when the equilibrium does not exist somewhere in the span.
    fn carry(
        &mut self,
        period: &Span,
        fraction_s: f64,
        last: Option<Node>,
    ) -> Result<Option<f64>, SimError> {
        let node_at = |runner: &mut Self, fraction: f64| {
            let (t, c, diode) = period.at(fraction);
            runner.equilibrium_node(t, c, &diode)
        };
        let nodes = (
            node_at(self, fraction_s),
            node_at(self, 0.5 * (fraction_s + 1.0)),
            node_at(self, 1.0),
        );
        let (Some(a), Some(m), Some(b)) = nodes else {
            return Ok(None);
        };
        let mut energy = last.map_or(0.0, |p| trapezoid(&p, &a));
        energy += (b.t - a.t) / 6.0 * (a.p_pv() + 4.0 * m.p_pv() + b.p_pv());

        let span = period.t1 - period.t0;
        let mut t = self.next_record.max(a.t);
        while t < period.t1 - 1e-9 {
            match node_at(self, (t - period.t0) / span) {
                Some(node) => self.record(&node)?,
                None => break,
            }
            t = self.next_record;
        }

        self.state.v_pv = b.v_pv;
        self.state.i_l = b.i_l;
        current_warm(&period.d1, b.v_pv, &mut self.state.v_d);
        self.cascade.settle_at(b.v_pv, b.i_l);
        Ok(Some(energy))
    }

    /// Feeds the MPPT with the state at the end of a period.
    fn update_mppt(&mut self, diode: &SingleDiode) {
        let i_pv = current_warm(diode, self.state.v_pv, &mut self.state.v_d);
        self.mppt.update(self.state.v_pv, i_pv);
        self.mppt_updates += 1;
        if self.mppt.status() == MpptStatus::Limited {
            self.limited_updates += 1;
        }
    }
}

impl PvRun {
    fn simulate(
        &self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError> {
        let expected = ((self.t_stop - self.t_start) / self.output_step).ceil() as usize + 2;
        let recorder = model_recorder(&SIGNALS, expected, limits)?;
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
            "1",
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
