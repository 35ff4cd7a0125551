//! Control algorithms for power converters, shared by the pelab simulator and, later,
//! by a virtual ECU and STM32G4 firmware.
//!
//! The crate is `#![no_std]`, allocates nothing and uses only `core` and `libm`, so the
//! same code runs on a host and on a Cortex-M4F. All arithmetic is `f64`, and every
//! controller is a small `Copy` struct whose `update` method runs one sample with the
//! sample time `ts` given at construction. The results depend only on the inputs and
//! the state, which makes simulator runs reproducible.
//!
//! # Modules
//!
//! - [`llc`]: output-voltage control of an LLC converter by switching frequency.
//! - [`mppt`]: maximum power point tracking by Perturb and Observe or Incremental
//!   Conductance, with fixed or variable step, on a PV voltage reference.
//! - [`peak`]: peak current-mode modulation with slope compensation, and the
//!   subharmonic stability ratio.
//! - [`pi`]: discrete PI controller (forward Euler) with output limits, anti-windup by
//!   clamping or back-calculation, and bumpless transfer.
//! - [`pll`]: synchronous-reference-frame PLL for a three-phase grid, normalised to
//!   the amplitude, with ROCOF and frequency limits and lock detection.
//! - [`pwm`]: carrier maths for the simulator: edge times of trailing-edge,
//!   leading-edge and centre-aligned PWM with phase offsets, and deadtime insertion
//!   for a complementary pair.
//! - [`dcdc`]: duty feedforward for buck, boost and bidirectional half-bridge, the
//!   inner current loop and average-current-mode voltage control, linear or V².
//! - [`droop`]: P-f and Q-V droop for grid-forming inverters, with an optional
//!   low-pass on the measured powers and output limits.
//! - [`softstart`]: reference ramp limiter by slew rate or ramp duration.
//! - [`foc`]: field-oriented control of a PMSM: dq current loop with decoupling and
//!   voltage-vector limiting, speed loop, MTPA and field weakening.
//! - [`shedding`]: number of active phases of an interleaved converter from the load,
//!   with hysteresis, and their carrier phase offsets.
//! - [`transforms`]: amplitude-invariant Clarke and Park transforms and their inverses.
//! - [`deadtime`]: deadtime compensation of an inverter leg from the sign of its
//!   current, with an optional linear zone around zero current.
//! - [`svpwm`]: space-vector modulation, and min–max and discontinuous (DPWM)
//!   zero-sequence injection on three phase references.
//!
//! # Errors and invalid inputs
//!
//! Constructors validate their parameters and return [`ConfigError`], which names the
//! field, the rejected value and the accepted range. Run-time `update` methods have no
//! panicking path, and the property tests drive them with arbitrary finite inputs. A NaN
//! or infinite input keeps the previous output and state and sets
//! [`Status::InvalidInput`] (or the flag of that controller). Pure functions document
//! their own policy, for example a NaN duty counts as 0.
//!
//! # Example
//!
//! Soft-started average-current-mode control of a 12 V to 24 V boost at 100 kHz,
//! with the duty turned into a centre-aligned PWM pattern:
//!
//! ```
//! use pelab_control::dcdc::{
//!     AcmcController, Converter, CurrentLoopConfig, Measurements, VoltageLaw,
//!     VoltageLoopConfig,
//! };
//! use pelab_control::pi::AntiWindup;
//! use pelab_control::pwm::{Carrier, CarrierKind};
//! use pelab_control::softstart::{RampLimiter, RampRate};
//!
//! # fn main() -> Result<(), pelab_control::ConfigError> {
//! let ts = 10e-6;
//! let mut controller = AcmcController::new(
//!     VoltageLoopConfig {
//!         law: VoltageLaw::Linear,
//!         kp: 1.0,
//!         ki: 200.0,
//!         anti_windup: AntiWindup::Clamping,
//!         i_min: 0.0,
//!         i_max: 10.0,
//!         v_port_min: 1.0,
//!     },
//!     CurrentLoopConfig {
//!         converter: Converter::Boost,
//!         kp: 0.1,
//!         ki: 300.0,
//!         ts,
//!         d_min: 0.0,
//!         d_max: 0.9,
//!         anti_windup: AntiWindup::BackCalculation { kb: 1e4 },
//!         feedforward: true,
//!     },
//! )?;
//!
//! // Start the reference ramp at the measured output voltage.
//! let measured = Measurements { v_in: 12.0, v_out: 11.8, i_l: 0.0 };
//! let mut reference = RampLimiter::new(RampRate::Duration(5e-3), ts, measured.v_out)?;
//!
//! let v_ref = reference.update(24.0);
//! let duty = controller.update(v_ref, &measured);
//! assert!((0.0..=0.9).contains(&duty));
//!
//! let carrier = Carrier::new(CarrierKind::CenterAligned, ts, 0.0)?;
//! let on_time = carrier.pattern(duty).on_time(carrier.period());
//! assert!((on_time - duty * ts).abs() < 1e-15);
//! # Ok(())
//! # }
//! ```
//!
//! # Limitations
//!
//! - Only `f64`. The Cortex-M4F has a single-precision FPU, so `f64` runs in software
//!   there. An `f32` variant is not written yet.
//! - The plant models behind the feedforward and the V² law are lossless and assume
//!   continuous conduction. In discontinuous conduction the feedforward duty is too
//!   high, and the integrators must absorb the difference.
//! - [`dcdc::AcmcController`] runs the outer and the inner loop at the same sample time.
//!   For a slower outer loop, compose a [`pi::Pi`] and a [`dcdc::CurrentController`]
//!   with their own sample times.
//! - The voltage loop of the half-bridge regulates the low-voltage port (buck
//!   direction). Regulating the high-voltage port in the boost direction is not
//!   provided.
//! - There is no load-current feedforward in the outer loop. Peak current mode
//!   ([`peak`]) gives the duty of one period; it is not yet wired into a kernel.
//! - PWM patterns describe one period with a constant duty. Duty updates within a
//!   period (double update on centre-aligned carriers) are left to the caller.

#![no_std]

pub mod dcdc;
pub mod deadtime;
pub mod droop;
mod error;
pub mod foc;
pub mod llc;
pub mod mppt;
pub mod peak;
pub mod pi;
pub mod pll;
pub mod pwm;
pub mod shedding;
pub mod softstart;
pub mod svpwm;
pub mod transforms;

pub use error::{ConfigError, Expected, Status};
