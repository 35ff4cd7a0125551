//! Inverter losses and junction temperatures over a drive cycle.
//!
//! # Loss map
//!
//! `pelab-components`' [`inverter_losses`] integrates the datasheet curves over one
//! fundamental period on a 7200-point grid, which takes milliseconds. Calling it at
//! each of the 180 000 steps of a 30-minute cycle would take minutes, so the kernel
//! calls it on a grid of nodes and interpolates. The grid uses the structure of those
//! integrals for a fixed `V_dc`, `f_sw` and modulation scheme:
//!
//! - the switching and recovery terms depend on `Î` and `Tj` only, because in the
//!   linear modulation range the duty never saturates;
//! - the conduction terms are `∫ d(θ)·H(θ − φ) dθ` with the duty `d = (1 + m·s(θ))/2`
//!   linear in `m` and `s` and `H` even in their argument, so they are
//!   `c_0 + m·Σ_k c_k·cos(k·φ)` over the harmonics `k` of `s`: `k = 1` for SPWM, and
//!   `k = 1, 3, 9, 15, …` for SVPWM, whose min–max zero sequence is a triangle wave
//!   at three times the fundamental.
//!
//! Per position, the map therefore stores `P(Î, m, φ, Tj) = c_0 + m·(c_1·cos φ +
//! c_3·cos 3φ)`, with `c_0`, `c_1`, `c_3` at nodes of `Î` (every `i_max/8`) and `Tj`
//! (every 25 K from 25 °C to 175 °C), fitted from three exact calls per node: `m = 0`;
//! `m = m_ref`, `φ = 0`; and `m = m_ref`, `φ = 30°` (where `cos 3φ = 0`). A node is
//! computed the first time a step needs it, so a cycle that stays at low current and
//! temperature pays for few nodes.
//!
//! Between nodes each coefficient is interpolated linearly in `Tj` (the component
//! model interpolates linearly between the curves of different temperatures) and
//! quadratically in `Î` through the three nearest nodes. The neglected SVPWM harmonics from `k = 9` up and the interpolation are the
//! map's only approximations; a test bounds their error against direct calls.
//!
//! # Junction temperature
//!
//! All six positions carry the same mean loss, each through the part's
//! junction-to-case Foster network and the case-to-heatsink interface, into one
//! heatsink to the coolant (`[thermal]`, coupled model), advanced by
//! `pelab-components`' [`ThermalState`] with the loss of each step held over it. The
//! loss of a step is evaluated at the junction temperature at its start.

use pelab_components::loss::{
    InverterLosses, InverterOperatingPoint, Modulation, SwitchModel, inverter_losses,
};
use pelab_components::semiconductor::Transistor;
use pelab_components::thermal::{
    Coupling, Foster, HeatSource, Heatsink, Network, ThermalModel, ThermalStack, ThermalState,
};

use crate::kernels::params::Params;

/// Current nodes of the loss map, from 0 to `i_max`, spaced quadratically
/// (`Î_k = i_max·(k/(N−1))²`) so they are densest at the low currents where a drive
/// cycle spends most of its time and where the curves bend most.
const CURRENT_NODES: usize = 21;

/// Junction-temperature nodes of the loss map [°C]. Datasheet curves are mostly given
/// at multiples of 25 °C (25, 100, 125, 150, 175 °C), where the component model's
/// own interpolation in temperature has its kinks.
const TJ_NODES_C: [f64; 7] = [25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 175.0];

/// Modulation index of the fitting calls. Any value in the linear range of both
/// schemes fits the same coefficients, because the losses are linear in `m`.
const M_REF: f64 = 0.5;

/// The number of switch positions of a two-level three-phase inverter.
pub const POSITIONS: usize = 6;

/// Coefficients `[c_0, c_1, c_3]` of one node [W].
type Node = [f64; 3];

/// Loss coefficients of one position, computed node by node as the run needs them.
#[derive(Debug, Clone)]
pub struct LossMap {
    part: Transistor,
    v_dc: f64,
    f_sw: f64,
    modulation: Modulation,
    i_max: f64,
    /// Nodes by `current * TJ_NODES_C.len() + tj`.
    nodes: Vec<Option<Node>>,
    /// Calls of the component model so far.
    pub calls: usize,
    /// Calls whose result came with a warning (curves extrapolated, curves missing).
    pub calls_with_notes: usize,
    /// The first such warning.
    pub first_note: Option<String>,
}

impl LossMap {
    /// Creates an empty map for `part` at DC-link voltage `v_dc` [V], switching frequency
    /// `f_sw` [Hz] and `modulation`, for currents up to `i_max` [A peak].
    pub fn new(part: Transistor, v_dc: f64, f_sw: f64, modulation: Modulation, i_max: f64) -> Self {
        Self {
            part,
            v_dc,
            f_sw,
            modulation,
            i_max,
            nodes: vec![None; CURRENT_NODES * TJ_NODES_C.len()],
            calls: 0,
            calls_with_notes: 0,
            first_note: None,
        }
    }

    fn node_current(&self, index: usize) -> f64 {
        let fraction = index as f64 / (CURRENT_NODES - 1) as f64;
        self.i_max * fraction * fraction
    }

    /// Returns the coefficients of node `(current, tj)`, computing them on first use.
    fn node(&mut self, current: usize, tj: usize) -> Result<Node, String> {
        let slot = current * TJ_NODES_C.len() + tj;
        if let Some(node) = self.nodes[slot] {
            return Ok(node);
        }
        let i_peak = self.node_current(current);
        let point = |m: f64, phi_deg: f64| InverterOperatingPoint {
            v_dc_v: self.v_dc,
            i_peak_a: i_peak,
            m,
            phi_deg,
            f_sw_hz: self.f_sw,
            tj_c: TJ_NODES_C[tj],
            modulation: self.modulation,
            synchronous_rectification: true,
        };
        let points = [point(0.0, 0.0), point(M_REF, 0.0), point(M_REF, 30.0)];

        // The three calls are independent and take milliseconds each, so they run on
        // their own threads.
        let part = &self.part;
        let results: Vec<Result<InverterLosses, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = points
                .iter()
                .map(|p| scope.spawn(move || inverter_losses(part, p).map_err(|e| e.to_string())))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("the loss calculation panicked".to_string()))
                })
                .collect()
        });
        let mut totals = [0.0; 3];
        for (total, result) in totals.iter_mut().zip(results) {
            let losses = result?;
            self.calls += 1;
            let mut notes = Vec::new();
            losses.position.push_warnings(&mut notes);
            if !notes.is_empty() {
                self.calls_with_notes += 1;
                self.first_note.get_or_insert_with(|| notes.join("; "));
            }
            *total = losses.position.total_w;
        }
        let [p0, p_in_phase, p_30] = totals;
        let c1 = (p_30 - p0) / (M_REF * 30f64.to_radians().cos());
        let c3 = (p_in_phase - p0) / M_REF - c1;
        let node = [p0, c1, c3];
        self.nodes[slot] = Some(node);
        Ok(node)
    }

    /// Interpolates the coefficients at peak current `i_peak` [A] on temperature node
    /// `tj` by the quadratic through the three nearest nodes of positive current.
    /// At `Î = 0` the component model counts no switching event, so `c(0)` differs from
    /// the limit `Î → 0⁺`. Node 0 therefore serves only `Î = 0` itself, and the first
    /// cell is extrapolated from nodes 1 to 3.
    fn at_current(&mut self, i_peak: f64, tj: usize) -> Result<Node, String> {
        let i_peak = i_peak.clamp(0.0, self.i_max);
        if i_peak == 0.0 {
            return self.node(0, tj);
        }
        let x = (i_peak / self.i_max).sqrt() * (CURRENT_NODES - 1) as f64;
        let nearest = (x.round() as usize).clamp(2, CURRENT_NODES - 2);
        let mut value = [[0.0; 3]; 3];
        let mut current = [0.0; 3];
        for (k, index) in (nearest - 1..=nearest + 1).enumerate() {
            value[k] = self.node(index, tj)?;
            current[k] = self.node_current(index);
        }
        let [a, b, c] = current;
        let weights = [
            (i_peak - b) * (i_peak - c) / ((a - b) * (a - c)),
            (i_peak - a) * (i_peak - c) / ((b - a) * (b - c)),
            (i_peak - a) * (i_peak - b) / ((c - a) * (c - b)),
        ];
        Ok([0, 1, 2].map(|coefficient| (0..3).map(|k| weights[k] * value[k][coefficient]).sum()))
    }

    /// Mean loss of one position [W] at peak phase current `i_peak` [A], modulation
    /// index `m` [1], power-factor angle `phi_deg` [°] and junction temperature
    /// `tj` [°C]. Currents and temperatures outside the grid are clamped to it.
    ///
    /// # Errors
    /// The component model's message when it rejects a node's operating point.
    pub fn position_loss(
        &mut self,
        i_peak: f64,
        m: f64,
        phi_deg: f64,
        tj: f64,
    ) -> Result<f64, String> {
        let last = TJ_NODES_C.len() - 1;
        let tj = tj.clamp(TJ_NODES_C[0], TJ_NODES_C[last]);
        let t0 = TJ_NODES_C
            .windows(2)
            .position(|w| tj <= w[1])
            .unwrap_or(last - 1);
        let ft = (tj - TJ_NODES_C[t0]) / (TJ_NODES_C[t0 + 1] - TJ_NODES_C[t0]);
        // On a node itself the neighbour's weight is 0: skip computing it.
        let [c0, c1, c3] = if ft == 0.0 {
            self.at_current(i_peak, t0)?
        } else if ft == 1.0 {
            self.at_current(i_peak, t0 + 1)?
        } else {
            let cold = self.at_current(i_peak, t0)?;
            let hot = self.at_current(i_peak, t0 + 1)?;
            [0, 1, 2].map(|c| cold[c] + ft * (hot[c] - cold[c]))
        };
        let phi = phi_deg.to_radians();
        let loss = c0 + m * (c1 * phi.cos() + c3 * (3.0 * phi).cos());
        Ok(loss.max(0.0))
    }

    /// Returns the junction-temperature range the map covers [°C].
    pub fn tj_range_c() -> (f64, f64) {
        (TJ_NODES_C[0], TJ_NODES_C[TJ_NODES_C.len() - 1])
    }
}

/// Junction-temperature model of a run.
#[derive(Debug, Clone)]
pub enum Junction {
    /// Every junction held at this temperature [°C].
    Fixed(f64),
    /// The six positions on one heatsink, from `[thermal]` with `model = "coupled"`.
    Coupled {
        /// The built network.
        model: Box<ThermalModel>,
        /// Coolant (ambient) temperature [°C].
        t_coolant_c: f64,
    },
}

impl Junction {
    /// Builds the thermal model from `[thermal]` for part `part`.
    ///
    /// # Errors
    /// A `(field, message)` pair for missing `r_th_ha`, a part without
    /// junction-to-case data, or a network the thermal crate rejects.
    pub fn from_section(
        thermal: &Params,
        part: &dyn SwitchModel,
        warnings: &mut Vec<String>,
    ) -> Result<Self, (&'static str, String)> {
        if thermal.text("model") != "coupled" {
            return Ok(Self::Fixed(thermal.number("tj")));
        }
        let Some(r_th_ha) = thermal.optional_number("r_th_ha") else {
            return Err((
                "r_th_ha",
                "missing; required when thermal.model is \"coupled\" (heatsink-to-coolant resistance in K/W)".into(),
            ));
        };
        let heatsink = match thermal.optional_number("c_th_ha") {
            Some(c) => Heatsink::lumped(r_th_ha, c).map_err(|e| ("c_th_ha", e.to_string()))?,
            None => Heatsink::Resistive { r_k_per_w: r_th_ha },
        };
        let Some(pairs) = part.thermal_foster() else {
            return Err((
                "model",
                format!(
                    "part {} has no junction-to-case Foster network, which the coupled model needs; use model = \"fixed\"",
                    part.name()
                ),
            ));
        };
        let (r, tau): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let foster = Foster::from_r_tau(&r, &tau).map_err(|e| ("model", e.to_string()))?;
        let source = HeatSource {
            network: Network::Foster(foster),
            r_case_heatsink_k_per_w: thermal.optional_number("r_th_cs").unwrap_or(0.0),
        };
        let stack = ThermalStack {
            sources: vec![source; POSITIONS],
            heatsink: Some(heatsink),
            coupling: Coupling::Cauer,
        };
        let model = stack.build().map_err(|e| ("model", e.to_string()))?;
        // The six sources are identical, so their warnings are too: keep the first's.
        let repeated =
            |field: &str| field.starts_with("sources[") && !field.starts_with("sources[0]");
        for warning in model.warnings().iter().filter(|w| !repeated(&w.field)) {
            // Equal time constants in the part's Foster data are one pole: merging
            // them leaves Z_th(t) unchanged, so this is a note on the library data
            // (docs/drive-cycles.md, "Junction temperature"), not on the design.
            if warning.field.ends_with(".foster") && warning.message.contains("merged") {
                warnings.push(format!(
                    "note on the library data of {}: its junction-to-case Foster network repeats a time constant; the repeated pairs act as one pole and were merged, which leaves Z_th(t) unchanged ({})",
                    part.name(),
                    warning.message
                ));
                continue;
            }
            warnings.push(format!(
                "thermal model, {}: {}",
                warning.field, warning.message
            ));
        }
        Ok(Self::Coupled {
            model: Box::new(model),
            t_coolant_c: thermal.number("t_ambient"),
        })
    }
}

/// Junction temperatures during a run.
#[derive(Debug, Clone)]
pub enum JunctionState {
    /// Fixed temperature [°C].
    Fixed(f64),
    /// The streaming thermal state.
    Coupled(Box<ThermalState>),
}

impl JunctionState {
    /// Starts the thermal state at the coolant temperature, or, with `settled_loss_w`,
    /// at the steady state of that loss per position [W].
    ///
    /// # Errors
    /// The thermal crate's message for an invalid coolant temperature.
    pub fn start(junction: &Junction, settled_loss_w: Option<f64>) -> Result<Self, String> {
        match junction {
            Junction::Fixed(tj) => Ok(Self::Fixed(*tj)),
            Junction::Coupled { model, t_coolant_c } => {
                let mut state = model.state(*t_coolant_c).map_err(|e| e.to_string())?;
                if let Some(loss) = settled_loss_w {
                    state.advance(0.0, &[loss; POSITIONS]);
                    state.settle();
                }
                Ok(Self::Coupled(Box::new(state)))
            }
        }
    }

    /// Hottest junction now [°C].
    pub fn tj_max_c(&self) -> f64 {
        match self {
            Self::Fixed(tj) => *tj,
            Self::Coupled(state) => state
                .junction_c()
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// Advances by `dt_s` with `loss_w` in each position.
    pub fn advance(&mut self, dt_s: f64, loss_w: f64) {
        if let Self::Coupled(state) = self {
            state.advance(dt_s, &[loss_w; POSITIONS]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pelab_components::library::load_transistor;

    #[test]
    fn map_matches_direct_calls() {
        let part = load_transistor("CREE_CAB530M12BM3").expect("built-in part");
        for modulation in [Modulation::Spwm, Modulation::Svpwm] {
            let mut map = LossMap::new(part.clone(), 400.0, 10e3, modulation, 500.0);
            for (i_peak, m, phi, tj) in [
                (100.0, 0.9f64, 20.0, 60.0),
                (90.0, 0.0, 0.0, 50.0),
                (1.0, 0.2, 10.0, 40.0),
                (333.0, 0.3, -40.0, 140.0),
                (250.0, 1.0, 160.0, 100.0),
                (470.0, 0.7, 75.0, 30.0),
                (20.0, 1.1, 0.0, 90.0),
                (180.0, 0.8, -170.0, 110.0),
            ] {
                let m = match modulation {
                    Modulation::Spwm => m.min(1.0),
                    Modulation::Svpwm => m,
                };
                let point = InverterOperatingPoint {
                    v_dc_v: 400.0,
                    i_peak_a: i_peak,
                    m,
                    phi_deg: phi,
                    f_sw_hz: 10e3,
                    tj_c: tj,
                    modulation,
                    synchronous_rectification: true,
                };
                let direct = inverter_losses(&part, &point)
                    .expect("valid point")
                    .position
                    .total_w;
                let mapped = map.position_loss(i_peak, m, phi, tj).expect("valid node");
                let error = (mapped - direct).abs() / direct;
                assert!(
                    error < 0.005,
                    "{modulation:?} Î = {i_peak}, m = {m}, φ = {phi}, Tj = {tj}: map {mapped} W, direct {direct} W"
                );
            }
        }
    }
}
