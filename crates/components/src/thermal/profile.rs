//! Piecewise-constant power profiles.

use super::error::{ThermalError, non_negative};

/// Most points any array (time edges, power values, output times) may have.
pub const MAX_POINTS: usize = 10_000_000;

/// Power of every source on a shared grid of intervals, piecewise constant.
///
/// `time_s` (s) lists the `N + 1` edges of `N` intervals; source `k` dissipates
/// `power_w[k][i]` (W) from `time_s[i]` to `time_s[i + 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerProfile {
    time_s: Vec<f64>,
    power_w: Vec<Vec<f64>>,
}

impl PowerProfile {
    /// Builds a validated profile.
    ///
    /// # Errors
    /// [`ThermalError`] naming `time_s`, `power_w[k]` or an entry when there are no
    /// sources, fewer than 2 or more than [`MAX_POINTS`] edges, edges that are not
    /// finite or not strictly increasing, a power array whose length is not one less
    /// than the edges', or a power that is negative or not finite.
    pub fn new(time_s: Vec<f64>, power_w: Vec<Vec<f64>>) -> Result<Self, ThermalError> {
        check_edges(&time_s, "time_s")?;
        if power_w.is_empty() {
            return Err(ThermalError::length("power_w", 0, "one array per source"));
        }
        for (k, p) in power_w.iter().enumerate() {
            check_powers(p, time_s.len(), &format!("power_w[{k}]"))?;
        }
        Ok(Self { time_s, power_w })
    }

    /// Interval edges, s.
    pub fn time_s(&self) -> &[f64] {
        &self.time_s
    }

    /// Power of source `k` on each interval, W.
    ///
    /// # Panics
    /// Panics when `k` is not below [`PowerProfile::sources`].
    pub fn power_w(&self, k: usize) -> &[f64] {
        &self.power_w[k]
    }

    /// Number of sources.
    pub fn sources(&self) -> usize {
        self.power_w.len()
    }

    /// Number of intervals.
    pub fn intervals(&self) -> usize {
        self.time_s.len() - 1
    }

    /// Length of the profile (its period when repeated), s.
    pub fn duration_s(&self) -> f64 {
        self.time_s[self.time_s.len() - 1] - self.time_s[0]
    }

    /// Time-averaged power of source `k`, W.
    pub fn mean_power_w(&self, k: usize) -> f64 {
        let energy: f64 = self
            .time_s
            .windows(2)
            .zip(&self.power_w[k])
            .map(|(e, p)| p * (e[1] - e[0]))
            .sum();
        energy / self.duration_s()
    }
}

/// Checks interval edges: 2 to [`MAX_POINTS`] finite, strictly increasing values.
pub(crate) fn check_edges(time_s: &[f64], field: &str) -> Result<(), ThermalError> {
    if time_s.len() < 2 || time_s.len() > MAX_POINTS {
        return Err(ThermalError::length(
            field,
            time_s.len(),
            format!("2 to {MAX_POINTS} interval edges"),
        ));
    }
    check_increasing(time_s, field)
}

/// Checks that the values are finite and strictly increasing.
pub(crate) fn check_increasing(time_s: &[f64], field: &str) -> Result<(), ThermalError> {
    for (i, &t) in time_s.iter().enumerate() {
        if !t.is_finite() {
            return Err(ThermalError::out_of_range(
                format!("{field}[{i}]"),
                t,
                "a finite time in s",
            ));
        }
        if i > 0 && !(t > time_s[i - 1]) {
            return Err(ThermalError::out_of_range(
                format!("{field}[{i}]"),
                t,
                &format!(
                    "> {field}[{}] = {} s (strictly increasing)",
                    i - 1,
                    time_s[i - 1]
                ),
            ));
        }
    }
    Ok(())
}

/// Checks one power array against `edges` interval edges.
pub(crate) fn check_powers(power_w: &[f64], edges: usize, field: &str) -> Result<(), ThermalError> {
    if power_w.len() + 1 != edges {
        return Err(ThermalError::length(
            field,
            power_w.len(),
            format!(
                "one less than the {edges} interval edges of time_s (power_w[i] holds from time_s[i] to time_s[i+1])"
            ),
        ));
    }
    for (i, &p) in power_w.iter().enumerate() {
        non_negative(format!("{field}[{i}]"), p, "W")?;
    }
    Ok(())
}

/// Checks the arguments of the single-network response functions.
pub(crate) fn check_single_profile(time_s: &[f64], power_w: &[f64]) -> Result<(), ThermalError> {
    check_edges(time_s, "time_s")?;
    check_powers(power_w, time_s.len(), "power_w")
}
