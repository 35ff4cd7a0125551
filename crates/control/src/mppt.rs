//! Maximum power point tracking (MPPT) for a photovoltaic (PV) source.
//!
//! Both algorithms move a PV voltage reference `v_ref` that an inner loop (for
//! example a boost converter's input-voltage controller) regulates. Call
//! [`Mppt::update`] once per MPPT period, after the PV voltage has settled to the
//! previous reference.
//!
//! # Sign conventions
//!
//! `v_pv` is the PV terminal voltage and `i_pv` the current out of the positive
//! terminal, so a generating PV has `v_pv > 0`, `i_pv > 0` and `P = v_pv·i_pv > 0`.
//! Raising `v_ref` moves the operating point toward the open-circuit voltage. Left of
//! the maximum power point (MPP) `dP/dV > 0`, right of it `dP/dV < 0`.
//!
//! # Perturb and Observe (P&O)
//!
//! With `ΔP = P[k] − P[k−1]` and `ΔV = v[k] − v[k−1]` from the measurements:
//!
//! - `ΔP > 0`: the last move raised the power, so the next one goes the same way as
//!   `ΔV`.
//! - `ΔP < 0`: the next move goes against `ΔV`.
//! - `ΔP = 0`: the direction of the last move is kept.
//!
//! When `ΔV = 0` the direction of the last commanded move replaces the sign of `ΔV`. P&O perturbs every update, so in steady state it oscillates around the MPP
//! by about one step on each side.
//!
//! # Incremental Conductance (IncCond)
//!
//! At the MPP `dP/dV = I + V·dI/dV = 0`, that is `dI/dV = −I/V`. With `ΔI` and `ΔV`
//! from the measurements:
//!
//! - `ΔV ≠ 0`: the slope estimate `s = i + v·ΔI/ΔV` decides. `s > 0` raises `v_ref`,
//!   `s < 0` lowers it and `s = 0` keeps it. Testing `s` instead of comparing
//!   `ΔI/ΔV` with `−I/V` gives the same decision for `v > 0` without dividing by `v`.
//! - `ΔV = 0`: the voltage has not moved, so only a change of irradiance shows. `ΔI = 0`
//!   keeps `v_ref`, `ΔI > 0` raises it and `ΔI < 0` lowers it.
//!
//! The decisions use exact comparisons with zero, as the standard algorithm does, so
//! with measurement noise IncCond also oscillates around the MPP.
//!
//! # Step size
//!
//! [`MpptStep::Fixed`] moves `v_ref` by a constant step. [`MpptStep::Variable`] uses
//! `step = clamp(k·|dP/dV|, step_min, step_max)`, with `dP/dV = ΔP/ΔV` for P&O and the
//! slope estimate `s` for IncCond. It takes large steps far from the MPP and small
//! steps near it. When `ΔV = 0` the slope is unknown, and the step is `step_min`.
//!
//! `v_ref` is clamped to `[v_min, v_max]`. A move that reaches a limit also turns the
//! P&O direction back toward the inside of the range.

use crate::error::{ConfigError, Expected, check_limits, check_positive};

/// MPPT algorithm of an [`Mppt`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MpptAlgorithm {
    /// Perturb and Observe.
    PerturbObserve,
    /// Incremental Conductance.
    IncrementalConductance,
}

/// Step size rule of an [`Mppt`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MpptStep {
    /// Constant step \[V\], finite and > 0.
    Fixed(f64),
    /// Step `clamp(k·|dP/dV|, step_min, step_max)` \[V\].
    Variable {
        /// Gain `k` [V²/W], finite and > 0.
        k: f64,
        /// Smallest step \[V\], finite and > 0.
        step_min: f64,
        /// Largest step \[V\], finite and > `step_min`.
        step_max: f64,
    },
}

/// Parameters of an [`Mppt`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MpptConfig {
    /// Algorithm.
    pub algorithm: MpptAlgorithm,
    /// Step size rule.
    pub step: MpptStep,
    /// Lower limit of `v_ref` \[V\], finite.
    pub v_min: f64,
    /// Upper limit of `v_ref` \[V\], finite and > `v_min`.
    pub v_max: f64,
    /// Voltage reference before the first update \[V\], in `[v_min, v_max]`, for
    /// example 0.8 times the open-circuit voltage.
    pub v_initial: f64,
}

/// Status of an [`Mppt`] after its last update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MpptStatus {
    /// `v_ref` moved by one step.
    #[default]
    Perturbing,
    /// IncCond found no slope and no change of current, so `v_ref` was kept.
    Holding,
    /// `v_ref` is at `v_min` or `v_max`.
    Limited,
    /// `v_pv` or `i_pv` was NaN or infinite, so the tracker kept its state and `v_ref`.
    InvalidInput,
}

/// Last accepted measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    v: f64,
    i: f64,
}

/// MPPT state. See the [module documentation](self) for the decision rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mppt {
    algorithm: MpptAlgorithm,
    step: MpptStep,
    v_min: f64,
    v_max: f64,
    v_ref: f64,
    /// Direction of the last commanded move, +1 or −1.
    direction: f64,
    previous: Option<Sample>,
    status: MpptStatus,
}

impl Mppt {
    /// Creates a tracker with `v_ref = v_initial` and the first move upward.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the first field out of range, as listed on
    /// [`MpptConfig`] and [`MpptStep`].
    pub fn new(config: MpptConfig) -> Result<Self, ConfigError> {
        match config.step {
            MpptStep::Fixed(step) => {
                check_positive("step", step)?;
            }
            MpptStep::Variable {
                k,
                step_min,
                step_max,
            } => {
                check_positive("k", k)?;
                check_positive("step_min", step_min)?;
                check_limits("step_min", step_min, "step_max", step_max)?;
            }
        }
        check_limits("v_min", config.v_min, "v_max", config.v_max)?;
        let v_initial = config.v_initial;
        if !(v_initial.is_finite() && v_initial >= config.v_min && v_initial <= config.v_max) {
            return Err(ConfigError::new(
                "v_initial",
                v_initial,
                Expected::Within {
                    min: config.v_min,
                    max: config.v_max,
                },
            ));
        }
        Ok(Self {
            algorithm: config.algorithm,
            step: config.step,
            v_min: config.v_min,
            v_max: config.v_max,
            v_ref: v_initial,
            direction: 1.0,
            previous: None,
            status: MpptStatus::Perturbing,
        })
    }

    /// Takes the PV voltage `v_pv` \[V\] and current `i_pv` \[A\] and returns the next
    /// voltage reference \[V\].
    ///
    /// The first update has no previous sample, so it moves `v_ref` up by the fixed
    /// step or `step_min`. A NaN or infinite input keeps the state, returns the
    /// previous `v_ref` and sets [`MpptStatus::InvalidInput`].
    pub fn update(&mut self, v_pv: f64, i_pv: f64) -> f64 {
        if !(v_pv.is_finite() && i_pv.is_finite()) {
            self.status = MpptStatus::InvalidInput;
            return self.v_ref;
        }
        let sample = Sample { v: v_pv, i: i_pv };
        let decision = match self.previous {
            None => Some((self.direction, self.step_for_slope(None))),
            Some(previous) => match self.algorithm {
                MpptAlgorithm::PerturbObserve => Some(self.perturb_observe(previous, sample)),
                MpptAlgorithm::IncrementalConductance => {
                    self.incremental_conductance(previous, sample)
                }
            },
        };
        self.previous = Some(sample);

        let Some((direction, step)) = decision else {
            self.status = MpptStatus::Holding;
            return self.v_ref;
        };
        self.direction = direction;
        let target = self.v_ref + direction * step;
        self.v_ref = if target >= self.v_max {
            self.direction = -1.0;
            self.v_max
        } else if target <= self.v_min {
            self.direction = 1.0;
            self.v_min
        } else {
            target
        };
        self.status = if self.v_ref == self.v_max || self.v_ref == self.v_min {
            MpptStatus::Limited
        } else {
            MpptStatus::Perturbing
        };
        self.v_ref
    }

    /// Sets `v_ref` to `v_ref` \[V\], clamped to `[v_min, v_max]`, and clears the
    /// previous sample, so the next update starts as the first one.
    ///
    /// A NaN or infinite `v_ref` leaves the state unchanged and sets
    /// [`MpptStatus::InvalidInput`].
    pub fn reset(&mut self, v_ref: f64) {
        if !v_ref.is_finite() {
            self.status = MpptStatus::InvalidInput;
            return;
        }
        self.v_ref = v_ref.clamp(self.v_min, self.v_max);
        self.direction = 1.0;
        self.previous = None;
        self.status = MpptStatus::Perturbing;
    }

    /// Returns the voltage reference of the last update \[V\].
    pub const fn v_ref(&self) -> f64 {
        self.v_ref
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> MpptStatus {
        self.status
    }

    /// Returns the direction and step of the next P&O move.
    fn perturb_observe(&self, previous: Sample, sample: Sample) -> (f64, f64) {
        let dp = sample.v * sample.i - previous.v * previous.i;
        let dv = sample.v - previous.v;
        let dv_sign = if dv > 0.0 {
            1.0
        } else if dv < 0.0 {
            -1.0
        } else {
            self.direction
        };
        let direction = if dp > 0.0 {
            dv_sign
        } else if dp < 0.0 {
            -dv_sign
        } else {
            self.direction
        };
        let slope = if dv == 0.0 { None } else { Some(dp / dv) };
        (direction, self.step_for_slope(slope))
    }

    /// Returns the direction and step of the next IncCond move, or `None` to keep
    /// `v_ref`.
    fn incremental_conductance(&self, previous: Sample, sample: Sample) -> Option<(f64, f64)> {
        let di = sample.i - previous.i;
        let dv = sample.v - previous.v;
        if dv == 0.0 {
            let step = self.step_for_slope(None);
            return if di > 0.0 {
                Some((1.0, step))
            } else if di < 0.0 {
                Some((-1.0, step))
            } else {
                None
            };
        }
        // dP/dV = I + V·dI/dV, estimated from the last two samples.
        let slope = sample.i + sample.v * (di / dv);
        let step = self.step_for_slope(Some(slope));
        if slope > 0.0 {
            Some((1.0, step))
        } else if slope < 0.0 {
            Some((-1.0, step))
        } else {
            None
        }
    }

    /// Returns the step \[V\] for the power slope `dP/dV` [W/V], or for an unknown slope.
    fn step_for_slope(&self, slope: Option<f64>) -> f64 {
        match self.step {
            MpptStep::Fixed(step) => step,
            MpptStep::Variable {
                k,
                step_min,
                step_max,
            } => match slope {
                // A NaN from 0·inf or an infinite slope ends up at step_max or step_min,
                // because the comparisons below are false for NaN.
                Some(slope) => {
                    let step = k * libm::fabs(slope);
                    if step > step_max {
                        step_max
                    } else if step > step_min {
                        step
                    } else {
                        step_min
                    }
                }
                None => step_min,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(algorithm: MpptAlgorithm, step: MpptStep) -> MpptConfig {
        MpptConfig {
            algorithm,
            step,
            v_min: 0.0,
            v_max: 40.0,
            v_initial: 20.0,
        }
    }

    const VARIABLE: MpptStep = MpptStep::Variable {
        k: 0.1,
        step_min: 0.01,
        step_max: 1.0,
    };

    #[test]
    fn first_update_moves_up() {
        let mut fixed =
            Mppt::new(config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.5))).unwrap();
        assert_eq!(fixed.update(20.0, 5.0), 20.5);
        let mut variable =
            Mppt::new(config(MpptAlgorithm::IncrementalConductance, VARIABLE)).unwrap();
        // 20 + 0.01 may differ from the literal 20.01 in the last bit.
        assert!((variable.update(20.0, 5.0) - 20.01).abs() < 1e-12);
    }

    #[test]
    fn perturb_observe_rules() {
        let mut mppt =
            Mppt::new(config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.5))).unwrap();
        mppt.update(20.0, 5.0);
        // ΔV > 0 and ΔP > 0 (100 W to 102.5 W): keep going up.
        assert_eq!(mppt.update(20.5, 5.0), 21.0);
        // ΔV > 0 and ΔP < 0 (102.5 W to 84 W): go down.
        assert_eq!(mppt.update(21.0, 4.0), 20.5);
        // ΔV < 0 and ΔP > 0 (84 W to 92.25 W): keep going down.
        assert_eq!(mppt.update(20.5, 4.5), 20.0);
        // ΔV = 0 and ΔP < 0: the last move (down) replaces the sign of ΔV, so go up.
        assert_eq!(mppt.update(20.5, 4.0), 20.5);
        // ΔV = 0 and ΔP = 0: keep the last direction (up).
        assert_eq!(mppt.update(20.5, 4.0), 21.0);
    }

    #[test]
    fn perturb_observe_variable_step() {
        let mut mppt = Mppt::new(config(MpptAlgorithm::PerturbObserve, VARIABLE)).unwrap();
        mppt.update(20.0, 5.0);
        // ΔP/ΔV = (20.5·5.1 − 100)/0.5 = 9.1 W/V, so the step is 0.91 V.
        let v_ref = mppt.update(20.5, 5.1);
        assert!((v_ref - (20.01 + 0.91)).abs() < 1e-12, "{v_ref}");
        // ΔP = 0.51 W over ΔV = 0.1 V: slope 5.1 W/V, so up by 0.51 V.
        let v_ref = mppt.update(20.6, 5.1);
        assert!((v_ref - (20.92 + 0.51)).abs() < 1e-12, "{v_ref}");
        // A slope of 191.4 W/V is clamped to step_max = 1 V.
        let v_ref = mppt.update(20.7, 6.0);
        assert!((v_ref - (21.43 + 1.0)).abs() < 1e-12, "{v_ref}");
    }

    #[test]
    fn incremental_conductance_rules() {
        let mut mppt = Mppt::new(config(
            MpptAlgorithm::IncrementalConductance,
            MpptStep::Fixed(0.5),
        ))
        .unwrap();
        mppt.update(20.0, 5.0);
        // s = 4.9 + 21·(−0.1/1) = 2.8 > 0: up.
        assert_eq!(mppt.update(21.0, 4.9), 21.0);
        // s = 4.0 + 22·(−0.9/1) = −15.8 < 0: down.
        assert_eq!(mppt.update(22.0, 4.0), 20.5);
        // ΔV = 0, ΔI > 0: up.
        assert_eq!(mppt.update(22.0, 4.5), 21.0);
        // ΔV = 0, ΔI < 0: down.
        assert_eq!(mppt.update(22.0, 4.2), 20.5);
        // ΔV = 0, ΔI = 0: hold.
        assert_eq!(mppt.update(22.0, 4.2), 20.5);
        assert_eq!(mppt.status(), MpptStatus::Holding);
        // s = 5 + 20·(0.8/−2) = −3 < 0: down.
        assert_eq!(mppt.update(20.0, 5.0), 20.0);
        // s = 6 + 10·(1/−10) = 5 > 0: up.
        assert_eq!(mppt.update(10.0, 6.0), 20.5);
        // s = 5.5 + 11·(−0.5/1) = 0 exactly: hold.
        assert_eq!(mppt.update(11.0, 5.5), 20.5);
        assert_eq!(mppt.status(), MpptStatus::Holding);
    }

    #[test]
    fn limits_clamp_and_turn() {
        let mut mppt = Mppt::new(MpptConfig {
            v_initial: 39.8,
            ..config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.5))
        })
        .unwrap();
        assert_eq!(mppt.update(39.8, 1.0), 40.0);
        assert_eq!(mppt.status(), MpptStatus::Limited);
        // ΔV = 0 and ΔP = 0 keep the direction, which the limit turned down.
        assert_eq!(mppt.update(39.8, 1.0), 39.5);
    }

    #[test]
    fn nan_keeps_state() {
        let mut mppt =
            Mppt::new(config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.5))).unwrap();
        mppt.update(20.0, 5.0);
        let before = mppt;
        assert_eq!(mppt.update(f64::NAN, 5.0), 20.5);
        assert_eq!(mppt.status(), MpptStatus::InvalidInput);
        assert_eq!(mppt.update(20.0, f64::INFINITY), 20.5);
        assert_eq!(mppt.previous, before.previous);
        assert_eq!(mppt.v_ref(), before.v_ref());
    }

    #[test]
    fn rejects_bad_config() {
        let err =
            Mppt::new(config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.0))).unwrap_err();
        assert_eq!(err.field, "step");
        let err = Mppt::new(config(
            MpptAlgorithm::PerturbObserve,
            MpptStep::Variable {
                k: 0.1,
                step_min: 1.0,
                step_max: 0.5,
            },
        ))
        .unwrap_err();
        assert_eq!(err.field, "step_max");
        let err = Mppt::new(MpptConfig {
            v_initial: 50.0,
            ..config(MpptAlgorithm::PerturbObserve, MpptStep::Fixed(0.5))
        })
        .unwrap_err();
        assert_eq!(err.field, "v_initial");
    }
}
