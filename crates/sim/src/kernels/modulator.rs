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

/// Live state of one channel: its own carrier period and latched command.
#[derive(Debug, Clone)]
struct ChannelState {
    /// Command of the running carrier period.
    command: ChannelCommand,
    /// Commands waiting for a carrier period, each with the earliest time it applies,
    /// oldest first. A channel whose carrier starts between sampling instants may see
    /// a newer command arrive before the older one applies, so this is a queue.
    pending: Vec<(ChannelCommand, f64)>,
    /// Start of the running carrier period [s].
    period_start: f64,
    /// Start of the next carrier period [s].
    next_start: f64,
    /// Gate timelines of the running period: main, then complement.
    timelines: Vec<GateTimeline>,
}

/// PWM drive of a converter: channels, latching and the controller.
///
/// Each channel latches its command at the start of its own carrier period,
/// `t = (k + φ) T`, as a timer with shadow registers does. A pulse therefore never
/// straddles a latch, so duty and phase changes cannot double or drop a pulse. When a
/// channel's phase changes, its next carrier period starts at the first instant of the
/// new phase after the running period ends; in between the main switch stays off and
/// the complementary switch on, which lengthens one off-time.
pub struct PwmDrive {
    period: f64,
    channels: Vec<Channel>,
    states: Vec<ChannelState>,
    controller: Box<dyn DutyController>,
    /// Periods between controller runs.
    control_every: u64,
    /// Whether commands wait for the next carrier period start after the sampling
    /// instant.
    delayed: bool,
    next_control_period: u64,
    last_update: f64,
}

impl PwmDrive {
    /// Creates a drive with switching period `period` [s].
    ///
    /// `initial` are the channels' first commands. The controller runs at the start of
    /// every `control_every`-th master period `k T`. With `delayed`, its commands apply
    /// from each channel's first carrier period that starts after `k T` (one period
    /// later for the phase-0 channel, `φ T` later for a channel with phase `φ`), as a
    /// timer's shadow registers load them; otherwise also to a period starting at `k T`.
    pub fn new(
        period: f64,
        channels: Vec<Channel>,
        initial: Vec<ChannelCommand>,
        controller: Box<dyn DutyController>,
        control_every: u64,
        delayed: bool,
    ) -> Self {
        let states = initial
            .into_iter()
            .map(|command| ChannelState {
                command,
                pending: Vec::new(),
                period_start: 0.0,
                next_start: 0.0,
                timelines: Vec::new(),
            })
            .collect();
        Self {
            period,
            channels,
            states,
            controller,
            control_every: control_every.max(1),
            delayed,
            next_control_period: 0,
            last_update: 0.0,
        }
    }

    fn master_start(&self, k: u64) -> f64 {
        k as f64 * self.period
    }

    /// First instant at or after `t` (within rounding) at which a carrier with phase
    /// `phase` starts a period.
    fn phase_start_at_or_after(&self, t: f64, phase: f64) -> f64 {
        let k = (t / self.period - phase - 1e-9).ceil();
        (k + phase) * self.period
    }

    /// The newest pending command of channel `index` that applies at `t`, with its
    /// position in the queue.
    fn effective_command(&self, index: usize, t: f64) -> Option<(usize, ChannelCommand)> {
        let margin = 1e-9 * self.period;
        self.states[index]
            .pending
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (_, effective))| t >= effective - margin)
            .map(|(position, (command, _))| (position, *command))
    }

    /// Starts the carrier period of channel `index` at `start`, latching the newest
    /// pending command that has become effective.
    fn begin_period(&mut self, index: usize, start: f64) {
        let period = self.period;
        if let Some((position, command)) = self.effective_command(index, start) {
            let state = &mut self.states[index];
            state.command = command;
            state.pending.drain(..=position);
        }
        let channel = &self.channels[index];
        let state = &mut self.states[index];
        let command = state.command;
        state.period_start = start;
        state.next_start = start + period;

        let (main, complement) = if !command.enabled || !command.duty.is_finite() {
            (
                Pattern::AlwaysOff,
                channel.complement.map(|_| Pattern::AlwaysOff),
            )
        } else {
            // The carrier is built in the channel's own time frame, so its phase is 0;
            // a finite positive period always builds.
            let carrier = Carrier::new(channel.carrier, period, 0.0)
                .unwrap_or_else(|_| unreachable!("the kernel checked the period"));
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
        state.timelines.clear();
        state.timelines.push(GateTimeline::from_pattern(
            channel.main,
            main,
            start,
            period,
        ));
        if let (Some(switch), Some(pattern)) = (channel.complement, complement) {
            state
                .timelines
                .push(GateTimeline::from_pattern(switch, pattern, start, period));
        }
    }

    /// Ends the running period of channel `index` at `t` and either starts the next
    /// one or, when the pending phase differs, idles until the new phase comes round.
    fn end_period(&mut self, index: usize, t: f64) {
        let phase_now = self.states[index].command.phase;
        let next_phase = self
            .effective_command(index, t)
            .map_or(phase_now, |(_, command)| command.phase);
        if next_phase == phase_now {
            self.begin_period(index, t);
            return;
        }
        let start = self.phase_start_at_or_after(t, next_phase);
        if start <= t {
            self.begin_period(index, t);
            return;
        }
        // Idle gap: main off; the complement keeps conducting if the channel runs.
        let channel = &self.channels[index];
        let state = &mut self.states[index];
        state.period_start = t;
        state.next_start = start;
        state.timelines.clear();
        state.timelines.push(GateTimeline::from_pattern(
            channel.main,
            Pattern::AlwaysOff,
            t,
            self.period,
        ));
        if let Some(switch) = channel.complement {
            let keep = if state.command.enabled {
                Pattern::AlwaysOn
            } else {
                Pattern::AlwaysOff
            };
            state
                .timelines
                .push(GateTimeline::from_pattern(switch, keep, t, self.period));
        }
    }

    /// Moves every channel to the carrier period containing `t`.
    fn advance_to(&mut self, t: f64) {
        for index in 0..self.states.len() {
            let mut guard = 0;
            while t >= self.states[index].next_start && guard < 1_000_000 {
                let boundary = self.states[index].next_start;
                let in_gap =
                    self.states[index].period_start + self.period > boundary + 1e-12 * self.period;
                if in_gap {
                    // The idle gap ends: the new phase's first period starts.
                    self.begin_period(index, boundary);
                } else {
                    self.end_period(index, boundary);
                }
                guard += 1;
            }
        }
    }

    fn mask_at(&self, t: f64) -> u64 {
        self.states
            .iter()
            .flat_map(|s| s.timelines.iter())
            .filter(|g| g.is_on(t))
            .fold(0, |mask, g| mask | (1 << g.switch))
    }
}

impl GateControl for PwmDrive {
    fn start(&mut self, t0: f64) -> u64 {
        self.next_control_period = (t0 / self.period).ceil().max(0.0) as u64;
        for index in 0..self.states.len() {
            let phase = self.states[index].command.phase;
            // Begin in the period that contains t0, even if it started earlier.
            let start = self.phase_start_at_or_after(t0, phase) - self.period;
            let start = if start + self.period <= t0 {
                start + self.period
            } else {
                start
            };
            self.begin_period(index, start);
        }
        self.last_update = t0;
        self.advance_to(t0);
        self.mask_at(t0)
    }

    fn next_edge(&self) -> f64 {
        self.states
            .iter()
            .map(|s| {
                s.timelines
                    .iter()
                    .map(|g| g.next_edge_after(self.last_update))
                    .fold(s.next_start, f64::min)
            })
            .fold(f64::INFINITY, f64::min)
    }

    fn update(&mut self, t: f64) -> u64 {
        self.advance_to(t);
        self.last_update = t;
        self.mask_at(t)
    }

    fn next_control_instant(&self) -> f64 {
        self.master_start(self.next_control_period)
    }

    fn measured_signals(&self) -> Vec<String> {
        self.controller.measured_signals()
    }

    fn control(&mut self, t: f64, measurements: &Measurements<'_>) {
        self.advance_to(t);
        let mut commands: Vec<ChannelCommand> = self
            .states
            .iter()
            .map(|s| s.pending.last().map_or(s.command, |p| p.0))
            .collect();
        self.controller.update(t, measurements, &mut commands);
        // Delayed commands wait for each carrier's next period start after `t`; a
        // carrier whose period starts exactly at `t` has already latched.
        let effective = if self.delayed {
            t + 1e-9 * self.period
        } else {
            t
        };
        for (index, command) in commands.into_iter().enumerate() {
            let state = &mut self.states[index];
            state.pending.push((command, effective));
            // A period starting exactly now takes an immediate command at once.
            if !self.delayed && (state.period_start - t).abs() <= 1e-9 * self.period {
                let start = state.period_start;
                self.begin_period(index, start);
            }
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
