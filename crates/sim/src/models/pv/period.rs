//! One MPPT period of the PV run: the control periods simulated in detail until the
//! converter settles, the quasi-static carry to the period's end, and the records
//! and energies of both (see [`super::simulate`] for the method).

use pelab_components::pv::SingleDiode;
use pelab_control::mppt::{Mppt, MpptStatus};
use pelab_waveform::Recorder;

use super::converter::{BoostState, Cascade};
use super::profile::Conditions;
use super::simulate::{MIN_OPERATING_IRRADIANCE, PvRun, SETTLE_STEPS};
use super::string::{LocalCurve, current_warm, max_power_point_warm};
use crate::engine::SimError;
use crate::models::{check_finite, record_error};

/// Recorded signals, in the order [`Runner::record`] writes them.
pub(super) const SIGNALS: [(&str, &str); 9] = [
    ("g_poa", "W/m²"),
    ("t_cell", "°C"),
    ("v_pv", "V"),
    ("i_pv", "A"),
    ("p_pv", "W"),
    ("p_mp", "W"),
    ("v_ref", "V"),
    ("duty", "1"),
    ("i_l", "A"),
];

/// Energies of one class of periods [J].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Energy {
    pub(super) pv: f64,
    pub(super) mp: f64,
}

impl Energy {
    pub(super) fn add(&mut self, other: Energy) {
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
pub(super) struct Runner<'a> {
    pub(super) run: &'a PvRun,
    pub(super) recorder: Recorder,
    pub(super) next_record: f64,
    pub(super) state: BoostState,
    pub(super) cascade: Cascade,
    pub(super) mppt: Mppt,
    pub(super) mpp_v_d: f64,
    pub(super) active: bool,
    pub(super) steps: usize,
    pub(super) detailed_time: f64,
    pub(super) operating_time: f64,
    pub(super) limited_updates: usize,
    pub(super) mppt_updates: usize,
    pub(super) duty_floor_steps: usize,
    pub(super) static_energy: Energy,
    pub(super) dynamic_energy: Energy,
    pub(super) bin_energy: Vec<Energy>,
}

pub(super) fn lerp(a: Conditions, b: Conditions, fraction: f64) -> Conditions {
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
pub(super) struct Span {
    pub(super) t0: f64,
    pub(super) t1: f64,
    pub(super) c0: Conditions,
    pub(super) c1: Conditions,
    pub(super) d0: SingleDiode,
    pub(super) d1: SingleDiode,
}

impl Span {
    /// Time, conditions and array a fraction `fraction` of the way through.
    pub(super) fn at(&self, fraction: f64) -> (f64, Conditions, SingleDiode) {
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
    pub(super) fn diode(&self, c: Conditions) -> Option<SingleDiode> {
        if c.irradiance < MIN_OPERATING_IRRADIANCE {
            return None;
        }
        self.run.array.at(c.irradiance, c.temp_cell)
    }

    /// Maximum power at `c` [W], 0 in the dark.
    pub(super) fn p_mp(&mut self, c: Conditions) -> f64 {
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
    pub(super) fn book(&mut self, energy: Energy, dynamic: bool, t_mid: f64) {
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
    pub(super) fn off_period(
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
    pub(super) fn start(&mut self, diode: &SingleDiode) {
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
    pub(super) fn on_period(&mut self, period: &Span) -> Result<f64, SimError> {
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
    pub(super) fn update_mppt(&mut self, diode: &SingleDiode) {
        let i_pv = current_warm(diode, self.state.v_pv, &mut self.state.v_d);
        self.mppt.update(self.state.v_pv, i_pv);
        self.mppt_updates += 1;
        if self.mppt.status() == MpptStatus::Limited {
            self.limited_updates += 1;
        }
    }
}
