//! Sliding-window rate limits of sign-in requests, per address and per source.
//!
//! The counts live in the server's memory: each server of a cluster limits on its
//! own, and a restart clears them. That bounds guessing and mail flooding per host,
//! which is what the limit is for; a shared limit would need Redis on every request.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked before old ones are swept.
const SWEEP_AT: usize = 10_000;

/// Request times per key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Counts a request under `key`. Refused with the wait until the oldest counted
    /// request leaves the window when `limit` requests fell within `window`.
    ///
    /// # Errors
    /// The time to wait.
    pub fn check(&self, key: &str, limit: u32, window: Duration) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > SWEEP_AT {
            map.retain(|_, times| times.back().is_some_and(|t| now - *t < window));
        }
        let times = map.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| now - *t >= window) {
            times.pop_front();
        }
        if times.len() >= limit as usize {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now - oldest));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_names_the_wait() {
        let r = RateLimiter::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(r.check("a", 3, w).is_ok());
        }
        let wait = r.check("a", 3, w).unwrap_err();
        assert!(wait > Duration::from_secs(55));
        assert!(wait <= w);
        assert!(r.check("b", 3, w).is_ok(), "keys are counted apart");
    }

    #[test]
    fn the_window_slides() {
        let r = RateLimiter::default();
        let w = Duration::from_millis(30);
        assert!(r.check("a", 1, w).is_ok());
        assert!(r.check("a", 1, w).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(r.check("a", 1, w).is_ok());
    }
}
