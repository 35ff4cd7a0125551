//! Helpers shared by the metric integration tests.

/// Returns `n + 1` uniform times from 0 to `end` inclusive.
pub fn uniform(end: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|k| end * k as f64 / n as f64).collect()
}

/// Asserts that `actual` is within `tolerance` of `expected`.
pub fn assert_close(actual: f64, expected: f64, tolerance: f64, quantity: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{quantity}: got {actual}, expected {expected} ± {tolerance}"
    );
}
