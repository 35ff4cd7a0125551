//! Waveform recording, display decimation, CSV and binary export, and
//! signal metrics for pelab.
//!
//! # Overview
//!
//! - [`Recorder`] stores one time column plus one column per signal. The
//!   simulator pushes one sample per output step. After
//!   [`Recorder::reserve`], pushing does not allocate, and an optional
//!   sample budget turns a runaway recording into an error.
//! - [`Waveforms`] is the read-only result: columns by index or by name and
//!   [`Waveforms::window`] for the sample range of a time interval.
//! - [`decimate_min_max`], [`decimate_waveforms`] and [`StreamingDecimator`]
//!   reduce millions of samples to per-pixel min/max buckets, so switching
//!   spikes stay visible on a plot.
//! - [`csv`] writes and reads CSV with a `time[s],<name>[<unit>],…` header
//!   and round-trip precision.
//! - [`pwf`] writes and reads the compact columnar `.pwf` format: magic
//!   bytes, a JSON header and little-endian `f64` columns (see `FORMAT.md`).
//! - [`metrics`] computes mean, RMS, peak-to-peak, power, energy,
//!   efficiency, step-response figures, spectra, THD and switching ripple,
//!   with trapezoidal time weighting for non-uniform sampling.
//!
//! # Example
//!
//! ```
//! use pelab_waveform::metrics::{self, HarmonicSpec, Window};
//! use pelab_waveform::{Recorder, SignalInfo, SignalKind, pwf};
//!
//! // Record 10 periods of a 50 Hz, 325 V sine with a 5 % third harmonic.
//! let mut recorder = Recorder::new(vec![SignalInfo::new("v_grid", "V", SignalKind::Input)])?;
//! recorder.reserve(10_001)?;
//! for k in 0..=10_000 {
//!     let t = k as f64 * 20e-6;
//!     let w = 2.0 * std::f64::consts::PI * 50.0 * t;
//!     recorder.push(t, &[325.0 * w.sin() + 16.25 * (3.0 * w).sin()])?;
//! }
//!
//! let waves = recorder.waveforms();
//! let v = waves.signal("v_grid").expect("signal was recorded");
//! let rms = metrics::rms(waves.time(), v, Window::All)?;
//! assert!((rms - (325.0f64.powi(2) + 16.25f64.powi(2)).sqrt() / 2f64.sqrt()).abs() < 1e-3);
//!
//! let analysis = metrics::analyze_harmonics(waves.time(), v, &HarmonicSpec::new(50.0, 7))?;
//! assert!((analysis.thd_percent() - 5.0).abs() < 1e-3);
//!
//! // Save and load the recording in the binary format.
//! let mut bytes = Vec::new();
//! pwf::write_pwf(&mut bytes, waves)?;
//! let loaded = pwf::read_pwf_bytes(&bytes)?;
//! assert_eq!(loaded.signal("v_grid"), Some(v));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Limitations
//!
//! - Everything is held in memory. A recording of `N` samples of `S`
//!   signals takes `8·N·(S+1)` bytes, for example 2.5 GB for 10 million
//!   samples of 30 signals. Set a sample budget with
//!   [`Recorder::set_max_samples`] to fail early instead.
//! - All signals share one time axis. Signals sampled at different rates
//!   must be recorded in separate recorders.
//! - Metrics assume piecewise-linear signals between samples. A
//!   simulator whose values stay constant between steps (zero-order hold)
//!   should push two samples at each switching instant, before and after
//!   the jump, at the same time.
//! - THD uses harmonics up to the requested order only, and its accuracy
//!   depends on the uniform resampling grid (see
//!   [`metrics::HarmonicSpec`]).
//! - The CSV reader reads only the format that [`csv::write_csv`] writes:
//!   no quoted fields, and the first column must be `time[s]`.
//! - `.pwf` files are read entirely into memory. There is no memory-mapped
//!   or partial reader yet.

pub mod csv;
mod decimate;
pub mod metrics;
pub mod pwf;
mod recorder;
mod signal;
mod waveforms;

pub use decimate::{
    Bucket, DecimateError, StreamingDecimator, decimate_min_max, decimate_waveforms,
};
pub use recorder::{Recorder, SampleConsumer, SampleTap};
pub use signal::{InvalidLabel, MAX_LABEL_BYTES, SignalInfo, SignalKind};
pub use waveforms::{RecordError, Waveforms};
