//! Deadtime compensation for the legs of a voltage-source inverter.
//!
//! During the deadtime `t_d` both switches of a leg are off and the phase current
//! flows through a diode, so the leg voltage follows the current's sign, not the
//! gate command. With the current `i` counted positive out of the leg, the lower
//! diode conducts when `i > 0` and the leg loses `t_d` of high time per switching
//! period. The average leg voltage then falls short of the commanded one by
//!
//! `ΔV = sign(i)·t_d·f_sw·v_dc`,
//!
//! and adding the duty correction `Δd = sign(i)·t_d·f_sw` to the commanded duty
//! cancels it. The diode and switch voltage drops and the finite switching transitions
//! are not modelled.
//!
//! Near zero current the sign flips with the current ripple and measurement noise,
//! and the correction would chatter between `±t_d·f_sw`. An optional linear zone
//! `|i| < i_band` scales the correction by `i/i_band` instead.

use crate::error::{ConfigError, Expected, check_non_negative, check_positive};

/// Deadtime compensation of one or more identical inverter legs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeadtimeCompensator {
    /// Deadtime \[s\].
    t_d: f64,
    /// Switching frequency \[Hz\].
    f_sw: f64,
    /// Half-width of the linear zone around zero current \[A\], 0 for a pure sign.
    i_band: f64,
}

impl DeadtimeCompensator {
    /// Creates a compensator for the deadtime `t_d` \[s\] at the switching frequency
    /// `f_sw` \[Hz\], with the linear zone `|i| < i_band` \[A\] (0 disables it).
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `f_sw` is finite and > 0, `t_d` is in
    /// `[0, 1/(2·f_sw))` (each period has two deadtimes), and `i_band` is finite and ≥ 0.
    pub fn new(t_d: f64, f_sw: f64, i_band: f64) -> Result<Self, ConfigError> {
        let f_sw = check_positive("f_sw", f_sw)?;
        let half_period = 0.5 / f_sw;
        if !(t_d.is_finite() && t_d >= 0.0 && t_d < half_period) {
            return Err(ConfigError::new(
                "t_d",
                t_d,
                Expected::NonNegativeBelow { max: half_period },
            ));
        }
        let i_band = check_non_negative("i_band", i_band)?;
        Ok(Self { t_d, f_sw, i_band })
    }

    /// Returns the largest duty correction `t_d·f_sw`, reached for `|i| ≥ i_band`.
    pub fn max_correction(&self) -> f64 {
        self.t_d * self.f_sw
    }

    /// Returns the duty correction `Δd` for the leg current `i` \[A\], positive out of
    /// the leg:
    ///
    /// - `Δd = sign(i)·t_d·f_sw` for `|i| ≥ i_band`, with `sign(0) = 0`;
    /// - `Δd = (i/i_band)·t_d·f_sw` for `|i| < i_band`.
    ///
    /// A NaN or infinite `i` returns 0, so an invalid measurement adds no correction.
    pub fn duty_correction(&self, i: f64) -> f64 {
        if !i.is_finite() {
            return 0.0;
        }
        let max = self.max_correction();
        if i.abs() < self.i_band {
            max * i / self.i_band
        } else if i > 0.0 {
            max
        } else if i < 0.0 {
            -max
        } else {
            0.0
        }
    }

    /// Returns the average voltage error `ΔV = Δd·v_dc` \[V\] of a leg on the DC link
    /// `v_dc` \[V\] carrying the current `i` \[A\]: the commanded minus the actual average
    /// leg voltage without compensation.
    ///
    /// A NaN or infinite `i` or `v_dc` returns 0.
    pub fn voltage_error(&self, i: f64, v_dc: f64) -> f64 {
        if !v_dc.is_finite() {
            return 0.0;
        }
        self.duty_correction(i) * v_dc
    }

    /// Returns the compensated duty `clamp(duty + Δd, 0, 1)` for the leg current `i`
    /// \[A\]. A NaN `duty` counts as 0, as in [`crate::pwm`].
    ///
    /// NOTE: the correction assumes that the leg switches in this period. Near duty 0
    /// or 1 a deadtime generator that drops pulses shorter than `t_d` (such as
    /// [`crate::pwm::ComplementaryPwm`]) makes a smaller error than `Δd`.
    pub fn compensate(&self, duty: f64, i: f64) -> f64 {
        let duty = if duty.is_nan() { 0.0 } else { duty };
        (duty + self.duty_correction(i)).clamp(0.0, 1.0)
    }

    /// Applies [`Self::compensate`] to the duties and currents of phases a, b and c.
    pub fn compensate_phases(&self, duties: [f64; 3], currents: [f64; 3]) -> [f64; 3] {
        [
            self.compensate(duties[0], currents[0]),
            self.compensate(duties[1], currents[1]),
            self.compensate(duties[2], currents[2]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 500 ns at 20 kHz: t_d·f_sw = 0.01 exactly in decimal, 0.01 ± 1 ulp in f64.
    const T_D: f64 = 500e-9;
    const F_SW: f64 = 20e3;

    fn compensator(i_band: f64) -> DeadtimeCompensator {
        DeadtimeCompensator::new(T_D, F_SW, i_band).unwrap()
    }

    #[test]
    fn correction_follows_current_sign() {
        let pure = compensator(0.0);
        assert!((pure.duty_correction(3.0) - 0.01).abs() < 1e-15);
        assert!((pure.duty_correction(-3.0) + 0.01).abs() < 1e-15);
        assert_eq!(pure.duty_correction(0.0), 0.0);
        assert!((pure.duty_correction(1e-9) - 0.01).abs() < 1e-15);
    }

    #[test]
    fn band_scales_correction_linearly() {
        let banded = compensator(2.0);
        assert!((banded.duty_correction(1.0) - 0.005).abs() < 1e-15);
        assert!((banded.duty_correction(-0.5) + 0.0025).abs() < 1e-15);
        assert_eq!(banded.duty_correction(0.0), 0.0);
        assert!((banded.duty_correction(2.0) - 0.01).abs() < 1e-15);
        assert!((banded.duty_correction(-7.0) + 0.01).abs() < 1e-15);
    }

    #[test]
    fn voltage_error_closed_form() {
        // 0.01 of a 400 V link is 4 V.
        let pure = compensator(0.0);
        assert!((pure.voltage_error(5.0, 400.0) - 4.0).abs() < 1e-12);
        assert!((pure.voltage_error(-5.0, 400.0) + 4.0).abs() < 1e-12);
        assert_eq!(pure.voltage_error(5.0, f64::NAN), 0.0);
    }

    #[test]
    fn compensate_adds_and_clamps() {
        let pure = compensator(0.0);
        assert!((pure.compensate(0.5, 1.0) - 0.51).abs() < 1e-15);
        assert!((pure.compensate(0.5, -1.0) - 0.49).abs() < 1e-15);
        assert_eq!(pure.compensate(0.995, 1.0), 1.0);
        assert_eq!(pure.compensate(0.005, -1.0), 0.0);
        assert!((pure.compensate(f64::NAN, 1.0) - 0.01).abs() < 1e-15);
        let phases = pure.compensate_phases([0.5, 0.5, 0.5], [1.0, -1.0, f64::NAN]);
        assert!((phases[0] - 0.51).abs() < 1e-15);
        assert!((phases[1] - 0.49).abs() < 1e-15);
        assert_eq!(phases[2], 0.5);
    }

    #[test]
    fn invalid_current_adds_nothing() {
        let banded = compensator(1.0);
        assert_eq!(banded.duty_correction(f64::NAN), 0.0);
        assert_eq!(banded.duty_correction(f64::INFINITY), 0.0);
        assert_eq!(banded.compensate(0.3, f64::NEG_INFINITY), 0.3);
    }

    #[test]
    fn rejects_invalid_parameters() {
        let cases = [
            (T_D, 0.0, 0.0, "f_sw"),
            (T_D, f64::NAN, 0.0, "f_sw"),
            (-1e-9, F_SW, 0.0, "t_d"),
            (25e-6, F_SW, 0.0, "t_d"),
            (f64::INFINITY, F_SW, 0.0, "t_d"),
            (T_D, F_SW, -1.0, "i_band"),
            (T_D, F_SW, f64::NAN, "i_band"),
        ];
        for (t_d, f_sw, i_band, field) in cases {
            let error = DeadtimeCompensator::new(t_d, f_sw, i_band).unwrap_err();
            assert_eq!(
                error.field, field,
                "t_d {t_d}, f_sw {f_sw}, i_band {i_band}"
            );
        }
        let error = DeadtimeCompensator::new(25e-6, F_SW, 0.0).unwrap_err();
        assert_eq!(error.expected, Expected::NonNegativeBelow { max: 25e-6 });
        assert!(DeadtimeCompensator::new(0.0, F_SW, 0.0).is_ok());
    }
}
