//! PWM gate drive: carriers, deadtime and duty latching, as a [`GateControl`].
//!
//! The drive runs a master period grid `t_k = k·T`. Each channel drives one switch or a
//! complementary pair (high and low side with deadtime) from a carrier with its own
//! phase offset. As in a microcontroller timer with shadow registers, a channel's duty,
//! phase and enable are latched at the master period start, so each period has a fixed
//! pattern whose edges are known ahead of the engine.
//!
//! A [`DutyController`] runs at the start of every `control_every`-th period with the
//! measurements it asked for. Its commands take effect in the following period (the
//! computation delay of a real controller) or, with zero delay, in the period that
//! starts at the sampling instant.

use pelab_control::pwm::{Carrier, CarrierKind, ComplementaryPwm, Pattern};

use crate::engine::{GateControl, Measurements};

/// Duty, phase and enable of one channel for one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelCommand {
    /// Duty of the channel's main switch (high side of a pair), in `[0, 1]`.
    pub duty: f64,
    /// Carrier phase offset, a fraction of the period in `[0, 1)`.
    pub phase: f64,
    /// Whether the channel switches; a disabled channel keeps all its switches off.
    pub enabled: bool,
}

/// A closed- or open-loop law that computes channel commands.
pub trait DutyController {
    /// Probe names to measure (e.g. `v(out)`, `i(L1)`).
    fn measured_signals(&self) -> Vec<String>;

    /// Computes the commands of every channel at sampling instant `t` [s].
    fn update(&mut self, t: f64, measurements: &Measurements<'_>, commands: &mut [ChannelCommand]);

    /// Names and units of signals the controller records (duty, references).
    fn recorded_signals(&self) -> Vec<(String, &'static str)>;

    /// Writes the recorded signals' present values.
    fn record(&self, out: &mut [f64]);
}

/// One PWM output: a single switch or a complementary pair.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Switch index driven by the carrier comparison (high side of a pair).
    pub main: usize,
    /// Complementary switch (low side), on while `main` is off, after the deadtime.
    pub complement: Option<usize>,
    /// Carrier shape.
    pub carrier: CarrierKind,
    /// Deadtime before each turn-on of a complementary pair [s].
    pub t_dead: f64,
}

/// Gate edges of one switch within the current period.
#[derive(Debug, Clone, Default)]
struct GateTimeline {
    switch: usize,
    on_at_start: bool,
    /// Absolute edge times within the period, ascending.
    edges: [f64; 2],
    edge_count: usize,
}

impl GateTimeline {
    fn from_pattern(switch: usize, pattern: Pattern, period_start: f64, period: f64) -> Self {
        let mut timeline = GateTimeline {
            switch,
            on_at_start: pattern.is_on_at(0.0, period),
            ..Default::default()
        };
        if let Some(edges) = pattern.edges() {
            for edge in edges {
                // An edge exactly at the period start is the state at the start.
                if edge.time > 0.0 {
                    timeline.edges[timeline.edge_count] = period_start + edge.time;
                    timeline.edge_count += 1;
                }
            }
        }
        timeline
    }

    fn is_on(&self, t: f64) -> bool {
        let toggles = self.edges[..self.edge_count]
            .iter()
            .filter(|&&e| e <= t)
            .count();
        self.on_at_start ^ (toggles % 2 == 1)
    }

    fn next_edge_after(&self, t: f64) -> f64 {
        self.edges[..self.edge_count]
            .iter()
            .copied()
            .find(|&e| e > t)
            .unwrap_or(f64::INFINITY)
    }
}

/// PWM drive of a converter: channels, latching and the controller.
pub struct PwmDrive {
    period: f64,
    channels: Vec<Channel>,
    controller: Box<dyn DutyController>,
    /// Periods between controller runs.
    control_every: u64,
    /// Whether commands apply in the period after the sampling instant.
    delayed: bool,
    commands: Vec<ChannelCommand>,
    queued: Option<Vec<ChannelCommand>>,
    period_index: u64,
    next_control_period: u64,
    timelines: Vec<GateTimeline>,
    last_update: f64,
}

impl PwmDrive {
    /// Creates a drive with switching period `period` [s].
    ///
    /// `initial` are the commands of the first period; the controller first runs at
    /// `t = 0` and, with `delayed`, its output applies from the second period.
    pub fn new(
        period: f64,
        channels: Vec<Channel>,
        initial: Vec<ChannelCommand>,
        controller: Box<dyn DutyController>,
        control_every: u64,
        delayed: bool,
    ) -> Self {
        Self {
            period,
            channels,
            controller,
            control_every: control_every.max(1),
            delayed,
            commands: initial,
            queued: None,
            period_index: 0,
            next_control_period: 0,
            timelines: Vec::new(),
            last_update: 0.0,
        }
    }

    fn period_start(&self, k: u64) -> f64 {
        k as f64 * self.period
    }

    /// Rebuilds the gate timelines of period `period_index` from the latched commands.
    fn latch(&mut self) {
        let start = self.period_start(self.period_index);
        let mut timelines = Vec::with_capacity(self.channels.len() * 2);
        for (channel, command) in self.channels.iter().zip(&self.commands) {
            let (main, complement) = if !command.enabled || !command.duty.is_finite() {
                (
                    Pattern::AlwaysOff,
                    channel.complement.map(|_| Pattern::AlwaysOff),
                )
            } else {
                // A carrier with a finite positive period and a finite phase always builds.
                let carrier = Carrier::new(channel.carrier, self.period, command.phase)
                    .unwrap_or_else(|_| unreachable!("period and phase checked by the kernel"));
                match channel.complement {
                    None => (carrier.pattern(command.duty), None),
                    Some(_) => match ComplementaryPwm::new(carrier, channel.t_dead) {
                        Ok(pair) => {
                            let p = pair.pattern(command.duty);
                            (p.high, Some(p.low))
                        }
                        Err(_) => (Pattern::AlwaysOff, Some(Pattern::AlwaysOff)),
                    },
                }
            };
            timelines.push(GateTimeline::from_pattern(
                channel.main,
                main,
                start,
                self.period,
            ));
            if let (Some(switch), Some(pattern)) = (channel.complement, complement) {
                timelines.push(GateTimeline::from_pattern(
                    switch,
                    pattern,
                    start,
                    self.period,
                ));
            }
        }
        self.timelines = timelines;
    }

    /// Moves to the period containing `t`, applying queued commands at each boundary.
    fn advance_to(&mut self, t: f64) {
        let mut moved = false;
        while t >= self.period_start(self.period_index + 1) {
            self.period_index += 1;
            if let Some(queued) = self.queued.take() {
                self.commands = queued;
            }
            moved = true;
        }
        if moved {
            self.latch();
        }
    }

    fn mask_at(&self, t: f64) -> u64 {
        self.timelines
            .iter()
            .filter(|g| g.is_on(t))
            .fold(0, |mask, g| mask | (1 << g.switch))
    }
}

impl GateControl for PwmDrive {
    fn start(&mut self, t0: f64) -> u64 {
        self.period_index = (t0 / self.period).floor().max(0.0) as u64;
        self.next_control_period = self.period_index;
        self.latch();
        self.last_update = t0;
        self.mask_at(t0)
    }

    fn next_edge(&self) -> f64 {
        let boundary = self.period_start(self.period_index + 1);
        self.timelines
            .iter()
            .map(|g| g.next_edge_after(self.last_update))
            .fold(boundary, f64::min)
    }

    fn update(&mut self, t: f64) -> u64 {
        self.advance_to(t);
        self.last_update = t;
        self.mask_at(t)
    }

    fn next_control_instant(&self) -> f64 {
        self.period_start(self.next_control_period)
    }

    fn measured_signals(&self) -> Vec<String> {
        self.controller.measured_signals()
    }

    fn control(&mut self, t: f64, measurements: &Measurements<'_>) {
        self.advance_to(t);
        let mut commands = self.commands.clone();
        self.controller.update(t, measurements, &mut commands);
        if self.delayed {
            self.queued = Some(commands);
        } else {
            self.commands = commands;
            self.latch();
        }
        self.next_control_period += self.control_every;
    }

    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        self.controller.recorded_signals()
    }

    fn record(&self, out: &mut [f64]) {
        self.controller.record(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(f64);

    impl DutyController for Fixed {
        fn measured_signals(&self) -> Vec<String> {
            Vec::new()
        }
        fn update(&mut self, _t: f64, _m: &Measurements<'_>, commands: &mut [ChannelCommand]) {
            for c in commands {
                c.duty = self.0;
            }
        }
        fn recorded_signals(&self) -> Vec<(String, &'static str)> {
            Vec::new()
        }
        fn record(&self, _out: &mut [f64]) {}
    }

    fn drive(delayed: bool) -> PwmDrive {
        PwmDrive::new(
            10e-6,
            vec![Channel {
                main: 0,
                complement: Some(1),
                carrier: CarrierKind::TrailingEdge,
                t_dead: 100e-9,
            }],
            vec![ChannelCommand {
                duty: 0.5,
                phase: 0.0,
                enabled: true,
            }],
            Box::new(Fixed(0.25)),
            1,
            delayed,
        )
    }

    fn no_measurements() -> Measurements<'static> {
        Measurements {
            instant: &[],
            average: &[],
        }
    }

    #[test]
    fn complementary_edges_with_deadtime() {
        let mut d = drive(true);
        let mask = d.start(0.0);
        d.control(0.0, &no_measurements());
        // Trailing edge, duty 0.5: high side on from t_dead to 5 µs, low side from
        // 5.1 µs to the period end; at t = 0 both are off (deadtime after the low side).
        assert_eq!(mask, 0b00);
        let mut edges = Vec::new();
        for _ in 0..4 {
            let t = d.next_edge();
            let m = d.update(t);
            edges.push((t, m));
        }
        let expected = [(100e-9, 0b01), (5e-6, 0b00), (5.1e-6, 0b10), (10e-6, 0b00)];
        for ((t, m), (et, em)) in edges.iter().zip(expected) {
            assert!((t - et).abs() < 1e-18, "{edges:?}");
            assert_eq!(*m, em, "{edges:?}");
        }
    }

    #[test]
    fn delayed_commands_apply_next_period() {
        let mut d = drive(true);
        d.start(0.0);
        d.control(0.0, &no_measurements());
        // The first period still runs at duty 0.5: high side off at 5 µs.
        d.update(1e-6);
        assert_eq!(d.next_edge(), 5e-6);
        // Second period at duty 0.25: high side on after the deadtime, off at 12.5 µs.
        d.control(10e-6, &no_measurements());
        d.update(10e-6);
        let turn_on = d.next_edge();
        assert!((turn_on - 10.1e-6).abs() < 1e-15, "{turn_on}");
        assert_eq!(d.update(turn_on), 0b01);
        let turn_off = d.next_edge();
        assert!((turn_off - 12.5e-6).abs() < 1e-15, "{turn_off}");
        assert_eq!(d.update(turn_off), 0b00);
    }

    #[test]
    fn immediate_commands_apply_now() {
        let mut d = drive(false);
        d.start(0.0);
        d.control(0.0, &no_measurements());
        d.update(1e-6);
        assert!((d.next_edge() - 2.5e-6).abs() < 1e-18);
    }
}
