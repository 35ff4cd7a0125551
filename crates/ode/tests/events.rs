//! Event location with all three methods: a bouncing ball restarted at each terminal
//! impact, zero crossings of sin t with direction filters, and the order in which
//! outputs and events reach the sink.

mod common;

use pelab_ode::{
    Crossing, EventDirection, Method, NoOutput, OdeSystem, Options, Output, Samples, Status,
    integrate,
};

const GRAVITY: f64 = 9.81; // m/s²

/// A ball in free fall: `h' = v`, `v' = −g`, with the terminal event `h = 0` falling.
struct Ball;

impl OdeSystem for Ball {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[1];
        dx[1] = -GRAVITY;
    }

    fn event_count(&self) -> usize {
        1
    }

    fn events(&mut self, _t: f64, x: &[f64], g: &mut [f64]) {
        g[0] = x[0];
    }

    fn event_direction(&self, _index: usize) -> EventDirection {
        EventDirection::Falling
    }
}

/// `x1' = x2`, `x2' = −x1` from `(0, 1)`, so `x1 = sin t`; one non-terminal event
/// `g = x1` with a configurable direction filter.
struct Sine {
    direction: EventDirection,
}

impl OdeSystem for Sine {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[1];
        dx[1] = -x[0];
    }

    fn event_count(&self) -> usize {
        1
    }

    fn events(&mut self, _t: f64, x: &[f64], g: &mut [f64]) {
        g[0] = x[0];
    }

    fn event_direction(&self, _index: usize) -> EventDirection {
        self.direction
    }

    fn event_is_terminal(&self, _index: usize) -> bool {
        false
    }
}

fn all_methods() -> Vec<Options> {
    vec![
        Options::new(Method::Rk4 { step: 1e-2 }),
        Options::new(Method::Dopri5).with_tolerances(1e-10, 1e-12),
        Options::new(Method::Radau5).with_tolerances(1e-10, 1e-12),
    ]
}

#[test]
fn bouncing_ball_impact_times() {
    // Dropped from 10 m, coefficient of restitution 0.9. Impact k happens at
    // t_1 = √(2 h0 / g) and then every 2 v_k / g, with v_k = 0.9^k √(2 g h0).
    // The solution is a quadratic in t, which all three methods and their interpolants
    // reproduce exactly, so the impact times carry only root-finding and round-off
    // error: the located time is within 4 ε |t| of the interpolant's root, and
    // restarting from the located state adds round-off each bounce. 1e-12 s after
    // five bounces leaves a margin of about 100.
    let restitution = 0.9;
    let h0 = 10.0;
    for options in all_methods() {
        let mut t = 0.0;
        let mut state = vec![h0, 0.0];
        let mut exact_time = (2.0 * h0 / GRAVITY).sqrt();
        let mut impact_speed = (2.0 * GRAVITY * h0).sqrt();
        for bounce in 0..5 {
            let solution =
                integrate(&mut Ball, t, &state, t + 10.0, &options, &mut NoOutput).unwrap();
            let Status::TerminalEvent {
                index,
                t: t_event,
                crossing,
            } = solution.status
            else {
                panic!(
                    "{:?}: bounce {bounce} ended with {:?}",
                    options.method, solution.status
                );
            };
            assert_eq!(index, 0);
            assert_eq!(crossing, Crossing::Falling);
            assert_eq!(solution.t, t_event);
            let error = (t_event - exact_time).abs();
            assert!(
                error < 1e-12,
                "{:?}: bounce {bounce} time error {error:e}",
                options.method
            );
            // The returned time is on the far side of the root, so the height is
            // zero or slightly negative, never positive.
            assert!(solution.x[0] <= 1e-12, "height {}", solution.x[0]);
            assert!(
                (solution.x[1] + impact_speed).abs() < 1e-9,
                "velocity {}",
                solution.x[1]
            );

            t = t_event;
            state = vec![solution.x[0], -restitution * solution.x[1]];
            impact_speed *= restitution;
            exact_time += 2.0 * impact_speed / GRAVITY;
        }
    }
}

/// Collects every event the driver reports.
#[derive(Default)]
struct EventLog {
    events: Vec<(usize, f64, Crossing)>,
}

impl Output for EventLog {
    fn next_time(&mut self) -> Option<f64> {
        None
    }

    fn record(&mut self, _t: f64, _x: &[f64]) {}

    fn event(&mut self, index: usize, t: f64, _x: &[f64], crossing: Crossing) {
        self.events.push((index, t, crossing));
    }
}

#[test]
fn sine_crossings_with_direction_filters() {
    // sin t on (0, 10π] crosses zero at kπ, k = 1 … 10: rising at even k, falling at
    // odd k. The located times differ from kπ by the solution error (rtol 1e-10,
    // growing linearly over five periods) plus at most 4 ε kπ from the root finder;
    // 1e-8 allows for both. RK4 with h = 0.01 has a global error of about
    // h⁴ t / 120 ≈ 3e-9.
    let t_end = 10.0 * std::f64::consts::PI + 0.1;
    let cases = [
        (EventDirection::Either, (1..=10).collect::<Vec<u32>>()),
        (EventDirection::Rising, vec![2, 4, 6, 8, 10]),
        (EventDirection::Falling, vec![1, 3, 5, 7, 9]),
    ];
    for options in all_methods() {
        for (direction, expected) in &cases {
            let mut log = EventLog::default();
            let solution = integrate(
                &mut Sine {
                    direction: *direction,
                },
                0.0,
                &[0.0, 1.0],
                t_end,
                &options,
                &mut log,
            )
            .unwrap();
            assert_eq!(solution.status, Status::Finished);
            assert_eq!(solution.stats.events_located, expected.len());
            assert_eq!(
                log.events.len(),
                expected.len(),
                "{:?} {direction:?}: {:?}",
                options.method,
                log.events
            );
            for (&(index, t, crossing), &k) in log.events.iter().zip(expected) {
                assert_eq!(index, 0);
                let exact = f64::from(k) * std::f64::consts::PI;
                let error = (t - exact).abs();
                assert!(
                    error < 1e-8,
                    "{:?} {direction:?}: crossing {k} error {error:e}",
                    options.method
                );
                let expected_crossing = if k % 2 == 0 {
                    Crossing::Rising
                } else {
                    Crossing::Falling
                };
                assert_eq!(crossing, expected_crossing);
            }
        }
    }
}

#[test]
fn loose_event_tolerance_stays_after_root() {
    // With event_time_tolerance = 1e-3 s the located time may be up to 1e-3 s late,
    // never early (beyond the 1e-8 solution error).
    for mut options in all_methods() {
        options.event_time_tolerance = 1e-3;
        let mut log = EventLog::default();
        integrate(
            &mut Sine {
                direction: EventDirection::Either,
            },
            0.0,
            &[0.0, 1.0],
            7.0,
            &options,
            &mut log,
        )
        .unwrap();
        assert_eq!(log.events.len(), 2);
        for (&(_, t, _), k) in log.events.iter().zip([1.0, 2.0]) {
            let lateness = t - k * std::f64::consts::PI;
            assert!(
                lateness > -1e-8,
                "{:?}: early by {lateness:e}",
                options.method
            );
            assert!(
                lateness <= 1e-3 + 1e-8,
                "{:?}: late by {lateness:e}",
                options.method
            );
        }
    }
}

/// Two events 1e-7 s apart in one step: `g0 = t − 1` and `g1 = t − (1 + 1e-7)`, the
/// second terminal.
struct TwoClocks;

impl OdeSystem for TwoClocks {
    fn dim(&self) -> usize {
        1
    }

    fn rhs(&mut self, _t: f64, _x: &[f64], dx: &mut [f64]) {
        dx[0] = 1.0;
    }

    fn event_count(&self) -> usize {
        2
    }

    fn events(&mut self, t: f64, _x: &[f64], g: &mut [f64]) {
        g[0] = t - 1.0;
        g[1] = t - (1.0 + 1e-7);
    }

    fn event_is_terminal(&self, index: usize) -> bool {
        index == 1
    }
}

#[test]
fn close_events_reported_in_time_order() {
    for options in all_methods() {
        let mut samples = Samples::at_times(vec![0.5, 1.0, 1.00000005, 2.0], 1);
        let solution = integrate(&mut TwoClocks, 0.0, &[0.0], 3.0, &options, &mut samples).unwrap();
        let Status::TerminalEvent { index, t, crossing } = solution.status else {
            panic!("{:?}: {:?}", options.method, solution.status);
        };
        assert_eq!(index, 1);
        assert_eq!(crossing, Crossing::Rising);
        assert!(
            (t - (1.0 + 1e-7)).abs() < 1e-14,
            "{:?}: t = {t}",
            options.method
        );
        assert_eq!(samples.events.len(), 2);
        assert_eq!(samples.events[0].index, 0);
        assert!((samples.events[0].t - 1.0).abs() < 1e-14);
        // Outputs up to the terminal event arrived; the one after it did not.
        assert_eq!(samples.len(), 3, "{:?}", options.method);
        assert!((samples.state(2).unwrap()[0] - 1.00000005).abs() < 1e-12);
        assert!((solution.x[0] - t).abs() < 1e-12);
    }
}

/// `g = x` with `x' = 1` from `x = 0`: the event function starts at exactly zero.
struct StartsAtZero;

impl OdeSystem for StartsAtZero {
    fn dim(&self) -> usize {
        1
    }

    fn rhs(&mut self, _t: f64, _x: &[f64], dx: &mut [f64]) {
        dx[0] = 1.0;
    }

    fn event_count(&self) -> usize {
        1
    }

    fn events(&mut self, _t: f64, x: &[f64], g: &mut [f64]) {
        g[0] = x[0];
    }
}

#[test]
fn zero_at_start_does_not_fire() {
    for options in all_methods() {
        let solution =
            integrate(&mut StartsAtZero, 0.0, &[0.0], 1.0, &options, &mut NoOutput).unwrap();
        assert_eq!(solution.status, Status::Finished, "{:?}", options.method);
        assert_eq!(solution.stats.events_located, 0);
    }
}

#[test]
fn auto_mode_locates_events() {
    let options = Options::new(Method::Auto).with_tolerances(1e-10, 1e-12);
    let mut log = EventLog::default();
    integrate(
        &mut Sine {
            direction: EventDirection::Rising,
        },
        0.0,
        &[0.0, 1.0],
        13.0,
        &options,
        &mut log,
    )
    .unwrap();
    assert_eq!(log.events.len(), 2);
    let error = (log.events[1].1 - 4.0 * std::f64::consts::PI).abs();
    assert!(error < 1e-8, "error {error:e}");
}
