//! Harmonic decomposition of one period of a sampled waveform by direct DFT.
//!
//! A direct DFT costs `O(n²)`; [`MAX_SAMPLES`] bounds `n` so that one call stays
//! below about 10⁸ complex multiply-adds.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::{MagneticsError, check};

/// Largest waveform accepted, in samples per period.
pub const MAX_SAMPLES: usize = 20_000;

/// DC value and rms value of each harmonic of a periodic waveform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    /// Mean value.
    pub dc: f64,
    /// `rms[k − 1]` is the rms value of harmonic `k` (frequency `k·f`), for
    /// `k = 1 ..= n/2`.
    pub rms: Vec<f64>,
}

impl Spectrum {
    /// Total rms value `√(dc² + Σ rmsₖ²)`.
    pub fn total_rms(&self) -> f64 {
        (self.dc * self.dc + self.rms.iter().map(|r| r * r).sum::<f64>()).sqrt()
    }

    /// Rms value of everything but DC.
    pub fn ac_rms(&self) -> f64 {
        self.rms.iter().map(|r| r * r).sum::<f64>().sqrt()
    }
}

/// Decomposes `samples`, equally spaced over exactly one period (first sample not
/// repeated at the end), into DC and harmonic rms values.
///
/// For `Xₖ = Σⱼ xⱼ e^(−2πi jk/n)`, the rms of harmonic `k < n/2` is `√2 |Xₖ| / n`; for
/// even `n` the Nyquist term `k = n/2` is a cosine of amplitude `|Xₖ|/n` sampled
/// only at its peaks, and counts with rms `|Xₖ|/n` so that Parseval's identity
/// `mean(x²) = dc² + Σ rmsₖ²` holds exactly.
///
/// # Errors
/// [`MagneticsError::SampleCount`] for fewer than 2 or more than [`MAX_SAMPLES`]
/// samples, [`MagneticsError::InvalidParameter`] for a sample that is not finite.
/// `field` names the array in errors.
pub fn spectrum(field: &str, samples: &[f64]) -> Result<Spectrum, MagneticsError> {
    let n = samples.len();
    if !(2..=MAX_SAMPLES).contains(&n) {
        return Err(MagneticsError::SampleCount {
            field: field.to_owned(),
            count: n,
            expected: format!("2 to {MAX_SAMPLES} samples over one period"),
        });
    }
    for (i, &x) in samples.iter().enumerate() {
        check(&format!("{field}[{i}]"), x, |_| true, "a finite value")?;
    }
    // Twiddle table: index (j·k) mod n replaces a sine and cosine per product.
    let (cos_table, sin_table): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|m| {
            let angle = 2.0 * PI * m as f64 / n as f64;
            (angle.cos(), angle.sin())
        })
        .unzip();
    let dc = samples.iter().sum::<f64>() / n as f64;
    let half = n / 2;
    let mut rms = Vec::with_capacity(half);
    for k in 1..=half {
        let (mut re, mut im) = (0.0, 0.0);
        let mut index = 0usize;
        for &x in samples {
            re += x * cos_table[index];
            im -= x * sin_table[index];
            index += k;
            if index >= n {
                index -= n;
            }
        }
        let magnitude = re.hypot(im) / n as f64;
        let is_nyquist = n.is_multiple_of(2) && k == half;
        rms.push(if is_nyquist {
            magnitude
        } else {
            magnitude * 2f64.sqrt()
        });
    }
    Ok(Spectrum { dc, rms })
}
