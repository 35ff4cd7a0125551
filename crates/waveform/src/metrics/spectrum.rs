//! Uniform resampling, FFT amplitude spectra and harmonic analysis (THD).
//!
//! Simulators sample non-uniformly, so every function here first resamples
//! the piecewise-linear signal onto a uniform grid and then applies an FFT
//! (`rustfft`).
//!
//! Amplitudes are peak values in the signal's unit: a component
//! `A·cos(2π·f·t + φ)` reports amplitude `A` and phase `φ`. Phases are in
//! rad, in `(−π, π]`, and referenced to `t = 0` rather than to the window
//! start, so `sin(2π·f·t)` has phase `−π/2` whatever window is analysed.

use std::f64::consts::PI;

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

use super::{MetricError, Span, Window, check_positive, check_time, check_values, interpolate};

/// Largest FFT length that [`spectrum`] and [`analyze_harmonics`] accept
/// (2^24 points, 256 MiB of complex buffer).
pub const MAX_FFT_POINTS: usize = 1 << 24;

/// Taper applied to the resampled data before the FFT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpectralWindow {
    /// No taper. Exact for a window of whole periods of every component.
    #[default]
    Rectangular,
    /// Periodic Hann taper `w[n] = 0.5 − 0.5·cos(2πn/N)`, for signals that
    /// are not periodic in the window. Amplitudes are divided by its
    /// coherent gain 0.5, so a component centred on a bin keeps its amplitude.
    Hann,
}

/// Single-sided amplitude spectrum.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    /// Start of the analysed window, in s.
    pub t_start: f64,
    /// End of the analysed window, in s.
    pub t_end: f64,
    /// Bin frequencies `k/T` for `k = 0 … N/2`, in Hz, where `T` is the window length.
    pub frequencies: Vec<f64>,
    /// Peak amplitude of each bin, in the signal's unit. Bin 0 is the mean.
    pub amplitudes: Vec<f64>,
    /// Cosine phase of each bin, in rad, referenced to `t = 0`.
    pub phases: Vec<f64>,
}

/// Resamples `values` onto `points` uniformly spaced times
/// `t_k = t_start + k·(t_end − t_start)/points`, `k = 0 … points − 1`,
/// by linear interpolation. The end of the window is left out, so a window
/// of whole periods gives a periodic sequence, as the FFT assumes.
///
/// At a discontinuity (two samples at the same time) the value after the
/// jump is used.
pub fn resample_uniform(
    time: &[f64],
    values: &[f64],
    window: Window,
    points: usize,
) -> Result<Vec<f64>, MetricError> {
    check_time(time, 2)?;
    let span = Span::resolve(time, window)?;
    check_values("values", values, time.len(), span.used())?;
    if points == 0 {
        return Err(MetricError::InvalidParameter {
            field: "points",
            value: 0.0,
            expected: "at least 1",
        });
    }
    Ok(resample_span(time, values, &span, points))
}

fn resample_span(time: &[f64], values: &[f64], span: &Span, points: usize) -> Vec<f64> {
    let step = span.duration() / points as f64;
    let mut index = span.after_start - 1;
    let mut output = Vec::with_capacity(points);
    for k in 0..points {
        let t = span.start + k as f64 * step;
        while index + 1 < time.len() && time[index + 1] <= t {
            index += 1;
        }
        output.push(interpolate(time, values, index, t));
    }
    output
}

fn check_points(points: usize) -> Result<(), MetricError> {
    if (2..=MAX_FFT_POINTS).contains(&points) {
        Ok(())
    } else {
        Err(MetricError::InvalidParameter {
            field: "points",
            value: points as f64,
            expected: "between 2 and 2^24 FFT points",
        })
    }
}

/// Runs the FFT and returns the complex bins `0 … N/2`, scaled to peak
/// amplitudes, with phases still referenced to the window start.
fn single_sided(samples: Vec<f64>, taper: SpectralWindow) -> Vec<Complex<f64>> {
    let n = samples.len();
    let coherent_gain = match taper {
        SpectralWindow::Rectangular => 1.0,
        SpectralWindow::Hann => 0.5,
    };
    let weight = |k: usize| match taper {
        SpectralWindow::Rectangular => 1.0,
        SpectralWindow::Hann => 0.5 - 0.5 * (2.0 * PI * k as f64 / n as f64).cos(),
    };
    let mut buffer: Vec<Complex<f64>> = samples
        .into_iter()
        .enumerate()
        .map(|(k, x)| Complex::new(x * weight(k), 0.0))
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buffer);

    let scale = 1.0 / (n as f64 * coherent_gain);
    buffer.truncate(n / 2 + 1);
    for (k, bin) in buffer.iter_mut().enumerate() {
        // Bins 0 and N/2 have no mirror image, the others are doubled.
        let one_sided = if k == 0 || 2 * k == n { 1.0 } else { 2.0 };
        *bin *= scale * one_sided;
    }
    buffer
}

/// Converts a phase referenced to `t_start` into one referenced to `t = 0`
/// for frequency `cycles_per_window / window_length`.
fn phase_at_zero(bin: Complex<f64>, cycles_per_window: f64, t_start: f64, duration: f64) -> f64 {
    // The shift is 2π·f·t_start. Only its fractional number of turns matters,
    // and reducing to it keeps precision when t_start spans many periods.
    let turns = (cycles_per_window * (t_start / duration)).rem_euclid(1.0);
    wrap_phase(bin.arg() - 2.0 * PI * turns)
}

/// Wraps an angle into `(−π, π]`.
fn wrap_phase(angle: f64) -> f64 {
    let wrapped = (angle + PI).rem_euclid(2.0 * PI) - PI;
    if wrapped <= -PI {
        wrapped + 2.0 * PI
    } else {
        wrapped
    }
}

/// Computes the single-sided amplitude spectrum of `values` over `window`.
///
/// The signal is resampled to `points` uniform samples (see
/// [`resample_uniform`]), tapered, and transformed. The frequency
/// resolution is `1/T` Hz for a window of `T` s, and the highest bin is
/// `points/(2T)` Hz. Components above that alias into lower bins. For the
/// harmonics of a known fundamental use [`analyze_harmonics`], which picks
/// a window of whole periods.
pub fn spectrum(
    time: &[f64],
    values: &[f64],
    window: Window,
    points: usize,
    taper: SpectralWindow,
) -> Result<Spectrum, MetricError> {
    check_points(points)?;
    check_time(time, 2)?;
    let span = Span::resolve(time, window)?;
    check_values("values", values, time.len(), span.used())?;
    let samples = resample_span(time, values, &span, points);
    let bins = single_sided(samples, taper);
    let duration = span.duration();
    let frequencies = (0..bins.len()).map(|k| k as f64 / duration).collect();
    let amplitudes = bins.iter().map(|bin| bin.norm()).collect();
    let phases = bins
        .iter()
        .enumerate()
        .map(|(k, &bin)| phase_at_zero(bin, k as f64, span.start, duration))
        .collect();
    Ok(Spectrum {
        t_start: span.start,
        t_end: span.end,
        frequencies,
        amplitudes,
        phases,
    })
}

/// Parameters of a harmonic analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HarmonicSpec {
    /// Fundamental frequency, in Hz. Must be positive.
    pub fundamental_hz: f64,
    /// Highest harmonic order reported and included in the THD, at least 1.
    pub max_order: usize,
    /// Number of fundamental periods analysed, ending at the last sample.
    /// `None` uses as many whole periods as the data holds.
    pub periods: Option<usize>,
    /// Uniform samples per fundamental period. Must exceed `2·max_order`.
    /// `None` picks the next power of two at or above the larger of the
    /// data's own sample density, `4·max_order` and 64, limited so the FFT
    /// has at most [`MAX_FFT_POINTS`] points.
    pub samples_per_period: Option<usize>,
}

impl HarmonicSpec {
    /// Returns a spec with the given fundamental (Hz) and highest order,
    /// analysing all whole periods with automatic resampling.
    pub fn new(fundamental_hz: f64, max_order: usize) -> Self {
        HarmonicSpec {
            fundamental_hz,
            max_order,
            periods: None,
            samples_per_period: None,
        }
    }

    /// Sets the number of periods analysed.
    pub fn with_periods(mut self, periods: usize) -> Self {
        self.periods = Some(periods);
        self
    }

    /// Sets the number of uniform samples per period.
    pub fn with_samples_per_period(mut self, samples_per_period: usize) -> Self {
        self.samples_per_period = Some(samples_per_period);
        self
    }
}

/// One harmonic component `amplitude·cos(2π·frequency·t + phase)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Harmonic {
    /// Harmonic order: 1 is the fundamental.
    pub order: usize,
    /// Frequency `order·f₁`, in Hz.
    pub frequency: f64,
    /// Peak amplitude, in the signal's unit. The RMS value is `amplitude/√2`.
    pub amplitude: f64,
    /// Cosine phase, in rad, referenced to `t = 0`.
    pub phase: f64,
}

/// Result of [`analyze_harmonics`].
#[derive(Debug, Clone, PartialEq)]
pub struct HarmonicAnalysis {
    /// Start of the analysed window, in s.
    pub t_start: f64,
    /// End of the analysed window (the last sample), in s.
    pub t_end: f64,
    /// Number of fundamental periods analysed.
    pub periods: usize,
    /// Uniform samples per period used for the FFT.
    pub samples_per_period: usize,
    /// Mean value over the window, in the signal's unit.
    pub dc: f64,
    /// Harmonics of order 1 to `max_order`. Entry 0 is the fundamental.
    pub harmonics: Vec<Harmonic>,
    /// Total harmonic distortion as a ratio:
    /// `THD = √(A₂² + … + A_H²) / A₁` with peak amplitudes `A_h` and
    /// `H = max_order`. Components above `H` are not included.
    pub thd: f64,
}

impl HarmonicAnalysis {
    /// Returns the fundamental (order 1).
    pub fn fundamental(&self) -> Harmonic {
        self.harmonics[0]
    }

    /// Returns the THD in % (`100·thd`).
    pub fn thd_percent(&self) -> f64 {
        100.0 * self.thd
    }
}

/// Analyses the harmonics of `values` for a known fundamental frequency.
///
/// The window covers a whole number of fundamental periods ending at the
/// last sample, and the signal is resampled uniformly over it (see
/// [`HarmonicSpec`]), so every harmonic falls exactly on an FFT bin and no
/// taper is needed. The accuracy depends on how well the resampled grid
/// follows the signal: with fast edges, choose `samples_per_period` well
/// above `2·max_order`.
///
/// Returns an error if the inputs are invalid, if `fundamental_hz` is not
/// positive, if the data is shorter than the requested periods, or if the
/// fundamental amplitude is at most `1e-12` of the largest component (THD
/// is then undefined).
pub fn analyze_harmonics(
    time: &[f64],
    values: &[f64],
    spec: &HarmonicSpec,
) -> Result<HarmonicAnalysis, MetricError> {
    check_positive("fundamental_hz", spec.fundamental_hz)?;
    if spec.max_order == 0 {
        return Err(MetricError::InvalidParameter {
            field: "max_order",
            value: 0.0,
            expected: "at least 1",
        });
    }
    check_time(time, 2)?;
    let period = 1.0 / spec.fundamental_hz;
    let data_span = time[time.len() - 1] - time[0];
    let whole_periods = (data_span / period * (1.0 + 1e-9)).floor();
    let periods = match spec.periods {
        None if whole_periods < 1.0 => {
            return Err(MetricError::Undefined {
                quantity: "harmonic analysis",
                reason: format!(
                    "the data spans {data_span} s, less than one period ({period} s) of fundamental_hz = {} Hz",
                    spec.fundamental_hz
                ),
            });
        }
        // A float above usize::MAX saturates, and the FFT size check below rejects it.
        None => whole_periods as usize,
        Some(periods) if periods == 0 || periods as f64 > whole_periods => {
            return Err(MetricError::InvalidParameter {
                field: "periods",
                value: periods as f64,
                expected: "at least 1 and at most the number of whole fundamental periods in the data",
            });
        }
        Some(periods) => periods,
    };
    let duration = periods as f64 * period;
    let span = Span::resolve(time, Window::Last { duration })?;
    check_values("values", values, time.len(), span.used())?;

    let min_samples_per_period = 2 * spec.max_order + 1;
    let samples_per_period = match spec.samples_per_period {
        Some(count) => count,
        None => {
            let density = (span.at_end - span.after_start + 2).div_ceil(periods);
            let wanted = density.max(4 * spec.max_order).max(64).next_power_of_two();
            wanted
                .min(MAX_FFT_POINTS / periods)
                .max(min_samples_per_period)
        }
    };
    if samples_per_period < min_samples_per_period {
        return Err(MetricError::InvalidParameter {
            field: "samples_per_period",
            value: samples_per_period as f64,
            expected: "more than 2 × max_order, so every harmonic lies below the Nyquist frequency",
        });
    }
    let points = periods.saturating_mul(samples_per_period);
    if points > MAX_FFT_POINTS {
        return Err(MetricError::InvalidParameter {
            field: "periods",
            value: periods as f64,
            expected: "few enough that periods × samples_per_period is at most 2^24 FFT points",
        });
    }

    let samples = resample_span(time, values, &span, points);
    let bins = single_sided(samples, SpectralWindow::Rectangular);
    let harmonics: Vec<Harmonic> = (1..=spec.max_order)
        .map(|order| {
            let bin = bins[order * periods];
            Harmonic {
                order,
                frequency: order as f64 * spec.fundamental_hz,
                amplitude: bin.norm(),
                phase: phase_at_zero(bin, (order * periods) as f64, span.start, span.duration()),
            }
        })
        .collect();
    let dc = bins[0].re;
    let fundamental = harmonics[0].amplitude;
    let largest = harmonics
        .iter()
        .map(|h| h.amplitude)
        .fold(dc.abs(), f64::max);
    if fundamental.is_nan() || fundamental <= 1e-12 * largest {
        return Err(MetricError::Undefined {
            quantity: "THD",
            reason: format!(
                "the fundamental amplitude {fundamental} is negligible next to the largest component {largest}"
            ),
        });
    }
    let distortion: f64 = harmonics[1..]
        .iter()
        .map(|h| h.amplitude * h.amplitude)
        .sum();
    Ok(HarmonicAnalysis {
        t_start: span.start,
        t_end: span.end,
        periods,
        samples_per_period,
        dc,
        thd: distortion.sqrt() / fundamental,
        harmonics,
    })
}

/// Returns the total harmonic distortion `√(A₂² + … + A_H²) / A₁` as a
/// ratio, with `H = max_order`, over all whole fundamental periods in the
/// data. See [`analyze_harmonics`] for the method and errors.
pub fn thd(
    time: &[f64],
    values: &[f64],
    fundamental_hz: f64,
    max_order: usize,
) -> Result<f64, MetricError> {
    Ok(analyze_harmonics(time, values, &HarmonicSpec::new(fundamental_hz, max_order))?.thd)
}
