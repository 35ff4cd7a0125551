//! Decomposition of a periodic flux waveform into its major loop and minor loops, for
//! the iGSE.
//!
//! Venkatachalam et al. (IEEE COMPEL 2002, the iGSE paper) weight each part of the
//! waveform by the peak-to-peak flux density `ΔB` of the loop it belongs to, not by the
//! `ΔB` of the whole period. A minor loop starts where the flux reverses before
//! reaching the extreme its leg is heading for, and closes where the flux returns to
//! the level of that reversal. The rest of the leg belongs to the enclosing loop.
//!
//! The algorithm walks each loop from its minimum to its maximum (the rising leg) and
//! back (the falling leg). On a rising leg, a fall below the running level opens a
//! minor loop, which closes at the linearly interpolated point where the flux regains
//! that level. The minor loop is then processed the same way, with its roles swapped.
//! A work stack replaces recursion, so deep nesting cannot overflow the call stack.
//! The cost is `O(n · d)` for `n` samples and nesting depth `d`.

use super::core_loss::MAX_FLUX_SAMPLES;
use super::{MagneticsError, check, check_positive};

/// A straight piece of the flux waveform and the loop it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopSegment {
    /// Duration in s.
    pub duration_s: f64,
    /// Change of flux density over the piece, in T.
    pub delta_b_t: f64,
    /// Peak-to-peak flux density of the loop that contains the piece, in T.
    pub loop_peak_to_peak_t: f64,
}

#[derive(Debug, Clone, Copy)]
struct Point {
    t: f64,
    b: f64,
}

/// Splits one period of piecewise-linear flux into segments tagged with their loop's
/// peak-to-peak value.
///
/// `flux_t` contains `n` samples equally spaced over `period_s`, the first not
/// repeated at the end. The durations of the returned segments sum to `period_s`,
/// except that pieces where the flux stays constant are left out. A constant waveform
/// returns no segments.
///
/// # Errors
/// [`MagneticsError::SampleCount`] for fewer than 2 or more than
/// [`MAX_FLUX_SAMPLES`] samples, [`MagneticsError::InvalidParameter`] for a sample
/// that is not finite or a period that is not finite and > 0.
pub fn decompose(flux_t: &[f64], period_s: f64) -> Result<Vec<LoopSegment>, MagneticsError> {
    check_positive("period_s", period_s)?;
    let n = flux_t.len();
    if !(2..=MAX_FLUX_SAMPLES).contains(&n) {
        return Err(MagneticsError::SampleCount {
            field: "flux_t".to_owned(),
            count: n,
            expected: format!("2 to {MAX_FLUX_SAMPLES} samples over one period"),
        });
    }
    for (i, &b) in flux_t.iter().enumerate() {
        check(
            &format!("flux_t[{i}]"),
            b,
            |_| true,
            "a finite flux density in T",
        )?;
    }
    let mut out = Vec::with_capacity(n + 8);
    // Start the closed path at the global minimum so that the major loop's rising leg
    // comes first.
    let start = (0..n)
        .min_by(|&a, &b| flux_t[a].total_cmp(&flux_t[b]))
        .unwrap_or(0);
    let dt = period_s / n as f64;
    let path: Vec<Point> = (0..=n)
        .map(|k| Point {
            t: k as f64 * dt,
            b: flux_t[(start + k) % n],
        })
        .collect();

    // Each work item is a closed path whose first point is its minimum when the flux
    // is multiplied by `sign`.
    let mut work: Vec<(Vec<Point>, f64)> = vec![(path, 1.0)];
    while let Some((path, sign)) = work.pop() {
        let level = |p: &Point| sign * p.b;
        let (mut top, mut low, mut high) = (0, f64::INFINITY, f64::NEG_INFINITY);
        for (index, p) in path.iter().enumerate() {
            low = low.min(level(p));
            if level(p) > high {
                high = level(p);
                top = index;
            }
        }
        let peak_to_peak = high - low;
        if peak_to_peak <= 0.0 {
            continue;
        }
        for (leg, leg_sign) in [(&path[..=top], sign), (&path[top..], -sign)] {
            split_leg(leg, leg_sign, peak_to_peak, &mut out, &mut work);
        }
    }
    Ok(out)
}

/// Walks a leg that rises (in `sign · b`) to its last point. Segments on the leg go to
/// `out` with `peak_to_peak`, and minor loops go to `work`, starting at their maximum in
/// `sign · b`, which is their minimum in `−sign · b`.
fn split_leg(
    leg: &[Point],
    sign: f64,
    peak_to_peak: f64,
    out: &mut Vec<LoopSegment>,
    work: &mut Vec<(Vec<Point>, f64)>,
) {
    let level = |p: &Point| sign * p.b;
    let mut push = |from: Point, to: Point| {
        if to.t > from.t && to.b != from.b {
            out.push(LoopSegment {
                duration_s: to.t - from.t,
                delta_b_t: to.b - from.b,
                loop_peak_to_peak_t: peak_to_peak,
            });
        }
    };
    let mut i = 0;
    while i + 1 < leg.len() {
        if level(&leg[i + 1]) >= level(&leg[i]) {
            push(leg[i], leg[i + 1]);
            i += 1;
            continue;
        }
        // The flux reverses at leg[i]. The minor loop closes at the first later point
        // back at or above this level, which exists because the leg ends at its maximum.
        let reversal = level(&leg[i]);
        let Some(j) = (i + 2..leg.len()).find(|&j| level(&leg[j]) >= reversal) else {
            // Unreachable for a leg that ends at its maximum; keep the rest on the leg.
            for k in i..leg.len() - 1 {
                push(leg[k], leg[k + 1]);
            }
            return;
        };
        let (before, after) = (leg[j - 1], leg[j]);
        let fraction = (reversal - level(&before)) / (level(&after) - level(&before));
        let crossing = Point {
            t: before.t + fraction * (after.t - before.t),
            b: leg[i].b,
        };
        let mut minor: Vec<Point> = leg[i..j].to_vec();
        minor.push(crossing);
        work.push((minor, -sign));
        push(crossing, after);
        i = j;
    }
}
