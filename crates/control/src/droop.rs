//! P-f and Q-V droop for grid-forming inverters.
//!
//! # Droop laws
//!
//! ```text
//! f = clamp(f0 − m_p·(P_f − P0), f_min, f_max)     [Hz]
//! V = clamp(V0 − n_q·(Q_f − Q0), v_min, v_max)     [V]
//! m_p = (droop_p/100)·f0 / P_rated                 [Hz/W]
//! n_q = (droop_q/100)·V0 / Q_rated                 [V/var]
//! ```
//!
//! `droop_p` is the frequency drop in percent of `f0` when the active power rises
//! from `P0` by the rated power `P_rated`, and `droop_q` the voltage drop in percent
//! of `V0` when the reactive power rises from `Q0` by `Q_rated`. A 2 % droop at 50 Hz
//! and 10 kW, for example, gives `m_p = 1 Hz / 10 kW = 1e-4 Hz/W`. Parallel inverters
//! with the same percentage droop share power in proportion to their ratings.
//!
//! # Power filter
//!
//! `P_f` and `Q_f` are the measured powers after an optional first-order low-pass
//! with the cut-off frequency `f_c`, time constant `τ = 1/(2π·f_c)`:
//!
//! ```text
//! y[k] = y[k−1] + α·(x[k] − y[k−1]),    α = 1 − e^{−ts/τ}
//! ```
//!
//! This is the exact (zero-order-hold) discretisation of `τ·dy/dt = x − y` for an
//! input held over each sample, so a unit step gives `y[k] = 1 − e^{−k·ts/τ}` exactly
//! at the sample points. The filter models the averaging of the instantaneous
//! power, which also sets the virtual inertia of the droop loop.

use crate::error::{ConfigError, check_finite, check_limits, check_positive};

/// Parameters of a [`Droop`] controller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DroopConfig {
    /// Nominal frequency `f0` \[Hz\], finite and > 0.
    pub f0: f64,
    /// Nominal voltage `V0` \[V\], finite and > 0, for example the phase amplitude.
    pub v0: f64,
    /// Active power set-point `P0` \[W\] at which `f = f0`, finite.
    pub p0: f64,
    /// Reactive power set-point `Q0` \[var\] at which `V = V0`, finite.
    pub q0: f64,
    /// Rated active power `P_rated` \[W\], finite and > 0.
    pub p_rated: f64,
    /// Rated reactive power `Q_rated` \[var\], finite and > 0.
    pub q_rated: f64,
    /// Frequency droop `droop_p` [% of `f0` per `P_rated`], finite and > 0.
    pub droop_p: f64,
    /// Voltage droop `droop_q` [% of `V0` per `Q_rated`], finite and > 0.
    pub droop_q: f64,
    /// Cut-off frequency `f_c` \[Hz\] of the power low-pass, finite and > 0, or `None`
    /// to use the measured powers unfiltered.
    pub filter_cutoff: Option<f64>,
    /// Sample time \[s\], finite and > 0.
    pub ts: f64,
    /// Lower frequency limit \[Hz\], finite.
    pub f_min: f64,
    /// Upper frequency limit \[Hz\], finite and > `f_min`.
    pub f_max: f64,
    /// Lower voltage limit \[V\], finite.
    pub v_min: f64,
    /// Upper voltage limit \[V\], finite and > `v_min`.
    pub v_max: f64,
}

/// Outputs of one [`Droop::update`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DroopOutput {
    /// Frequency reference \[Hz\].
    pub frequency: f64,
    /// Voltage reference \[V\].
    pub voltage: f64,
    /// Whether the frequency reference is clamped to `f_min` or `f_max`.
    pub frequency_limited: bool,
    /// Whether the voltage reference is clamped to `v_min` or `v_max`.
    pub voltage_limited: bool,
}

/// P-f and Q-V droop controller. See the [module documentation](self).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Droop {
    f0: f64,
    v0: f64,
    p0: f64,
    q0: f64,
    /// Frequency droop gain `m_p` [Hz/W].
    m_p: f64,
    /// Voltage droop gain `n_q` [V/var].
    n_q: f64,
    /// Filter coefficient `α`, 1 without a filter.
    alpha: f64,
    f_min: f64,
    f_max: f64,
    v_min: f64,
    v_max: f64,
    /// Filtered active power `P_f` \[W\].
    p_filtered: f64,
    /// Filtered reactive power `Q_f` \[var\].
    q_filtered: f64,
    output: DroopOutput,
    invalid_input: bool,
}

impl Droop {
    /// Creates a droop controller with the filter states at `P0` and `Q0`, so that the
    /// first outputs are `f0` and `V0` clamped to their limits.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the first field out of range, as listed on
    /// [`DroopConfig`].
    pub fn new(config: DroopConfig) -> Result<Self, ConfigError> {
        let f0 = check_positive("f0", config.f0)?;
        let v0 = check_positive("v0", config.v0)?;
        let p0 = check_finite("p0", config.p0)?;
        let q0 = check_finite("q0", config.q0)?;
        let p_rated = check_positive("p_rated", config.p_rated)?;
        let q_rated = check_positive("q_rated", config.q_rated)?;
        let droop_p = check_positive("droop_p", config.droop_p)?;
        let droop_q = check_positive("droop_q", config.droop_q)?;
        let ts = check_positive("ts", config.ts)?;
        let alpha = match config.filter_cutoff {
            Some(cutoff) => {
                let cutoff = check_positive("filter_cutoff", cutoff)?;
                lowpass_alpha(cutoff, ts)
            }
            None => 1.0,
        };
        check_limits("f_min", config.f_min, "f_max", config.f_max)?;
        check_limits("v_min", config.v_min, "v_max", config.v_max)?;

        let mut droop = Self {
            f0,
            v0,
            p0,
            q0,
            m_p: droop_p / 100.0 * f0 / p_rated,
            n_q: droop_q / 100.0 * v0 / q_rated,
            alpha,
            f_min: config.f_min,
            f_max: config.f_max,
            v_min: config.v_min,
            v_max: config.v_max,
            p_filtered: p0,
            q_filtered: q0,
            output: DroopOutput::default(),
            invalid_input: false,
        };
        droop.output = droop.evaluate();
        Ok(droop)
    }

    /// Filters the measured active power `p` \[W\] and reactive power `q` \[var\] by one
    /// sample and returns the frequency and voltage references.
    ///
    /// A NaN or infinite `p` or `q` keeps the filter states and the previous output and
    /// sets [`Droop::invalid_input`].
    pub fn update(&mut self, p: f64, q: f64) -> DroopOutput {
        if !(p.is_finite() && q.is_finite()) {
            self.invalid_input = true;
            return self.output;
        }
        self.invalid_input = false;
        let p_filtered = self.p_filtered + self.alpha * (p - self.p_filtered);
        let q_filtered = self.q_filtered + self.alpha * (q - self.q_filtered);
        // Huge finite powers can overflow the difference, so keep the old state then.
        if p_filtered.is_finite() && q_filtered.is_finite() {
            self.p_filtered = p_filtered;
            self.q_filtered = q_filtered;
        }
        self.output = self.evaluate();
        self.output
    }

    /// Sets the filter states to `p` \[W\] and `q` \[var\], for example the measured
    /// powers at start-up, and returns the references for them.
    ///
    /// A NaN or infinite argument leaves the state unchanged and sets
    /// [`Droop::invalid_input`].
    pub fn reset(&mut self, p: f64, q: f64) -> DroopOutput {
        if !(p.is_finite() && q.is_finite()) {
            self.invalid_input = true;
            return self.output;
        }
        self.invalid_input = false;
        self.p_filtered = p;
        self.q_filtered = q;
        self.output = self.evaluate();
        self.output
    }

    /// Returns the frequency droop gain `m_p` [Hz/W].
    pub const fn m_p(&self) -> f64 {
        self.m_p
    }

    /// Returns the voltage droop gain `n_q` [V/var].
    pub const fn n_q(&self) -> f64 {
        self.n_q
    }

    /// Returns the filter coefficient `α = 1 − e^{−2π·f_c·ts}`, or 1 without a filter.
    pub const fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Returns the filtered powers `(P_f, Q_f)` [W, var].
    pub const fn filtered_power(&self) -> (f64, f64) {
        (self.p_filtered, self.q_filtered)
    }

    /// Returns the output of the last valid update.
    pub const fn output(&self) -> DroopOutput {
        self.output
    }

    /// Returns whether the last update or reset rejected a NaN or infinite input.
    pub const fn invalid_input(&self) -> bool {
        self.invalid_input
    }

    /// Evaluates the droop laws at the filtered powers.
    fn evaluate(&self) -> DroopOutput {
        let frequency = self.f0 - self.m_p * (self.p_filtered - self.p0);
        let voltage = self.v0 - self.n_q * (self.q_filtered - self.q0);
        DroopOutput {
            frequency: clamp(frequency, self.f_min, self.f_max),
            voltage: clamp(voltage, self.v_min, self.v_max),
            frequency_limited: !(frequency > self.f_min && frequency < self.f_max),
            voltage_limited: !(voltage > self.v_min && voltage < self.v_max),
        }
    }
}

/// Returns the coefficient `α = 1 − e^{−2π·cutoff·ts}` of the exact discretisation of a
/// first-order low-pass with the cut-off frequency `cutoff` \[Hz\] and sample time `ts` \[s\].
pub fn lowpass_alpha(cutoff: f64, ts: f64) -> f64 {
    // expm1 keeps full precision when 2π·cutoff·ts is small.
    -libm::expm1(-2.0 * core::f64::consts::PI * cutoff * ts)
}

/// Clamps `value` to `[lo, hi]`, mapping an infinite value to the nearer limit.
fn clamp(value: f64, lo: f64, hi: f64) -> f64 {
    if value > hi {
        hi
    } else if value < lo {
        lo
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DroopConfig {
        DroopConfig {
            f0: 50.0,
            v0: 325.0,
            p0: 0.0,
            q0: 0.0,
            p_rated: 10_000.0,
            q_rated: 5_000.0,
            droop_p: 2.0,
            droop_q: 5.0,
            filter_cutoff: None,
            ts: 1e-4,
            f_min: 49.0,
            f_max: 51.0,
            v_min: 290.0,
            v_max: 360.0,
        }
    }

    #[test]
    fn gains_from_percent() {
        let droop = Droop::new(config()).unwrap();
        // 2 % of 50 Hz over 10 kW and 5 % of 325 V over 5 kvar, to rounding.
        assert!((droop.m_p() - 1.0 / 10_000.0).abs() < 1e-18);
        assert!((droop.n_q() - 16.25 / 5_000.0).abs() < 1e-17);
    }

    #[test]
    fn droop_laws_by_hand() {
        let mut droop = Droop::new(DroopConfig {
            p0: 1000.0,
            q0: -500.0,
            ..config()
        })
        .unwrap();
        assert_eq!(droop.output().frequency, 50.0);
        assert_eq!(droop.output().voltage, 325.0);
        // P = 6 kW: f = 50 − 1e-4·5000 = 49.5 Hz. Q = 1.5 kvar: V = 325 − 3.25e-3·2000 = 318.5 V.
        let out = droop.update(6000.0, 1500.0);
        assert!((out.frequency - 49.5).abs() < 1e-12, "{}", out.frequency);
        assert!((out.voltage - 318.5).abs() < 1e-12, "{}", out.voltage);
        assert!(!out.frequency_limited);
        assert!(!out.voltage_limited);
        // Absorbing power raises the frequency: P = −2 kW gives 50.3 Hz.
        let out = droop.update(-2000.0, -500.0);
        assert!((out.frequency - 50.3).abs() < 1e-12, "{}", out.frequency);
        assert_eq!(out.voltage, 325.0);
    }

    #[test]
    fn limits_clamp_outputs() {
        let mut droop = Droop::new(config()).unwrap();
        // 30 kW would give 47 Hz and 20 kvar 260 V.
        let out = droop.update(30_000.0, 20_000.0);
        assert_eq!(out.frequency, 49.0);
        assert_eq!(out.voltage, 290.0);
        assert!(out.frequency_limited);
        assert!(out.voltage_limited);
        let out = droop.update(-30_000.0, -20_000.0);
        assert_eq!(out.frequency, 51.0);
        assert_eq!(out.voltage, 360.0);
    }

    #[test]
    fn alpha_matches_exponential() {
        let alpha = lowpass_alpha(10.0, 1e-3);
        let expected = 1.0 - (-2.0 * core::f64::consts::PI * 0.01_f64).exp();
        assert!((alpha - expected).abs() < 1e-15);
    }

    #[test]
    fn nan_keeps_state() {
        let mut droop = Droop::new(config()).unwrap();
        let out = droop.update(1000.0, 100.0);
        assert_eq!(droop.update(f64::NAN, 0.0), out);
        assert!(droop.invalid_input());
        assert_eq!(droop.filtered_power(), (1000.0, 100.0));
        droop.update(1000.0, 100.0);
        assert!(!droop.invalid_input());
    }

    #[test]
    fn rejects_bad_config() {
        let err = Droop::new(DroopConfig {
            droop_p: 0.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "droop_p");
        let err = Droop::new(DroopConfig {
            filter_cutoff: Some(-1.0),
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "filter_cutoff");
        let err = Droop::new(DroopConfig {
            v_max: 200.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "v_max");
    }
}
