//! Phase shedding for interleaved converters.
//!
//! An interleaved converter with `N` phases runs only as many phases as the load needs,
//! which saves switching and gate-drive losses at light load. [`PhaseShedder`] picks the
//! number of active phases from the load with per-step hysteresis, and
//! [`PhaseOffsets`] gives the carrier phase of each active phase, `k/N_active` periods.
//!
//! Step `k` (0-based) sits between `k + 1` and `k + 2` active phases. Phase `k + 2` is
//! added when the load rises above `up[k]` and removed when the load falls below
//! `down[k]`, with `down[k] < up[k]`. Phases `0..n` are the active ones.

use crate::error::{ConfigError, Expected, check_non_negative, check_positive};
use crate::pwm::interleaved_phase;
use crate::softstart::samples_for;

/// Thresholds of one shedding step, in the load unit (A or W).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SheddingStep {
    /// Load above which the next phase is added.
    pub up: f64,
    /// Load below which that phase is removed again, finite, ≥ 0 and < `up`.
    pub down: f64,
}

/// Parameters of a [`PhaseShedder`] for `STEPS + 1` phases.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SheddingConfig<const STEPS: usize> {
    /// Thresholds of each step. Both `up` and `down` must increase strictly from one
    /// step to the next.
    pub steps: [SheddingStep; STEPS],
    /// Minimum time \[s\] after any change before a phase may be removed, ≥ 0.
    pub min_dwell: f64,
    /// Sample time \[s\] of [`PhaseShedder::update`], > 0.
    pub ts: f64,
}

/// Number of active phases of an interleaved converter with `STEPS + 1` phases.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhaseShedder<const STEPS: usize> {
    steps: [SheddingStep; STEPS],
    dwell_samples: u32,
    samples_since_change: u32,
    active: usize,
    input_rejected: bool,
}

impl<const STEPS: usize> PhaseShedder<STEPS> {
    /// Number of phases of the converter.
    pub const MAX_PHASES: usize = STEPS + 1;

    /// Creates a shedder with `initial_phases` active phases.
    ///
    /// The first phase may be removed without waiting for `min_dwell`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the field and, for thresholds, the step index:
    /// `ts` not > 0, `min_dwell` negative or longer than `u32::MAX` samples, a `down`
    /// negative or not below its `up`, thresholds not strictly increasing, or
    /// `initial_phases` outside `[1, STEPS + 1]`.
    pub fn new(config: SheddingConfig<STEPS>, initial_phases: usize) -> Result<Self, ConfigError> {
        let ts = check_positive("ts", config.ts)?;
        let min_dwell = check_non_negative("min_dwell", config.min_dwell)?;
        let dwell_samples = if min_dwell == 0.0 {
            0
        } else {
            samples_for(min_dwell, ts).ok_or(ConfigError::new(
                "min_dwell",
                min_dwell,
                Expected::Within {
                    min: 0.0,
                    max: ts * u32::MAX as f64,
                },
            ))?
        };
        validate_steps(&config.steps)?;
        if !(1..=Self::MAX_PHASES).contains(&initial_phases) {
            return Err(ConfigError::new(
                "initial_phases",
                initial_phases as f64,
                Expected::CountWithin {
                    min: 1,
                    max: Self::MAX_PHASES,
                },
            ));
        }
        Ok(Self {
            steps: config.steps,
            dwell_samples,
            samples_since_change: dwell_samples,
            active: initial_phases,
            input_rejected: false,
        })
    }

    /// Updates the number of active phases from `load` [A or W] and returns it.
    ///
    /// The load is taken as its absolute value, so a bidirectional converter sheds the
    /// same way in both power directions. With `n_up = 1 + #{k : load > up[k]}` and
    /// `n_down = 1 + #{k : load ≥ down[k]}` (so `n_up ≤ n_down`):
    ///
    /// - when `n_up > n`, phases are added at once up to `n_up`, without waiting for
    ///   `min_dwell`, because delaying would overload the active phases;
    /// - when `n_down < n` and at least `min_dwell` has passed since the last change,
    ///   phases are removed down to `n_down` in one step;
    /// - otherwise `n` holds, which is the hysteresis band.
    ///
    /// A NaN or infinite `load` keeps `n` and sets [`PhaseShedder::input_rejected`],
    /// but the dwell time still advances.
    pub fn update(&mut self, load: f64) -> usize {
        self.samples_since_change = self.samples_since_change.saturating_add(1);
        if !load.is_finite() {
            self.input_rejected = true;
            return self.active;
        }
        self.input_rejected = false;

        let load = load.abs();
        let n_up = 1 + self.steps.iter().filter(|step| load > step.up).count();
        let n_down = 1 + self.steps.iter().filter(|step| load >= step.down).count();
        if n_up > self.active {
            self.active = n_up;
            self.samples_since_change = 0;
        } else if n_down < self.active && self.samples_since_change >= self.dwell_samples {
            self.active = n_down;
            self.samples_since_change = 0;
        }
        self.active
    }

    /// Returns the number of active phases, in `[1, STEPS + 1]`.
    pub const fn active_phases(&self) -> usize {
        self.active
    }

    /// Returns whether phase `index` (0-based) is active. Phases `0..n` are active.
    pub const fn is_active(&self, index: usize) -> bool {
        index < self.active
    }

    /// Returns whether the last update rejected a NaN or infinite load.
    pub const fn input_rejected(&self) -> bool {
        self.input_rejected
    }

    /// Returns the carrier phase offsets of the active phases, see [`PhaseOffsets`].
    pub const fn phase_offsets(&self) -> PhaseOffsets {
        PhaseOffsets::new(self.active)
    }
}

/// Checks the thresholds: `0 ≤ down[k] < up[k]`, both strictly increasing in `k`.
fn validate_steps(steps: &[SheddingStep]) -> Result<(), ConfigError> {
    let mut previous: Option<SheddingStep> = None;
    for (index, step) in steps.iter().enumerate() {
        if !(step.down.is_finite() && step.down >= 0.0) {
            return Err(ConfigError::at(
                "steps.down",
                index,
                step.down,
                Expected::NonNegative,
            ));
        }
        if !(step.up.is_finite() && step.up > step.down) {
            return Err(ConfigError::at(
                "steps.up",
                index,
                step.up,
                Expected::GreaterThan {
                    field: "down of the same step",
                    value: step.down,
                },
            ));
        }
        if let Some(previous) = previous {
            if step.up <= previous.up {
                return Err(ConfigError::at(
                    "steps.up",
                    index,
                    step.up,
                    Expected::GreaterThan {
                        field: "up of the previous step",
                        value: previous.up,
                    },
                ));
            }
            if step.down <= previous.down {
                return Err(ConfigError::at(
                    "steps.down",
                    index,
                    step.down,
                    Expected::GreaterThan {
                        field: "down of the previous step",
                        value: previous.down,
                    },
                ));
            }
        }
        previous = Some(*step);
    }
    Ok(())
}

/// Iterator over the carrier phase offsets `k/n` periods (`k·360°/n`) of `n` active
/// phases, `k = 0..n`. The offsets use the convention of [`crate::pwm::Carrier::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseOffsets {
    next: usize,
    count: usize,
}

impl PhaseOffsets {
    /// Creates the iterator for `count` active phases. `count = 0` yields nothing.
    pub const fn new(count: usize) -> Self {
        Self { next: 0, count }
    }
}

impl Iterator for PhaseOffsets {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        if self.next >= self.count {
            return None;
        }
        let phase = interleaved_phase(self.next, self.count);
        self.next += 1;
        Some(phase)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.count - self.next;
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for PhaseOffsets {}
