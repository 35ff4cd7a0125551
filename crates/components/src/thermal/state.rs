//! Streaming junction temperatures for use inside a simulation loop.

use super::model::{ThermalModel, check_ambient};

/// Number of distinct step lengths whose decay factors are kept.
const CACHE_SLOTS: usize = 4;

/// The temperatures of a built [`ThermalModel`], advanced step by step.
///
/// Each call to [`ThermalState::advance`] takes a step length and the power of every
/// source, held over the step, and returns the junction temperatures at its end. The
/// step is exact for any length (modal form, see [`model`](super::model)): every mode
/// relaxes towards its steady-state target for the present inputs,
///
/// ```text
/// zᵢ ← zᵢ + bᵢ (sᵢ − zᵢ),   bᵢ = 1 − e^{−λᵢΔt} (by expm1),   s = Λ⁻¹ W u,
/// ```
///
/// which keeps every steady state exact whatever the rounding of `bᵢ`. The factors
/// `bᵢ` of the last four distinct step lengths are cached, so a PWM loop that repeats
/// a few step lengths pays no transcendental function at all, and one that does not
/// pays `n`. No call allocates.
///
/// ```
/// use pelab_components::thermal::{Foster, HeatSource, Heatsink, Network, ThermalStack, Coupling};
///
/// let device = Foster::from_r_tau(&[0.02, 0.08, 0.15, 0.05], &[1e-4, 1e-3, 1e-2, 0.1]).unwrap();
/// let source = HeatSource { network: Network::Foster(device), r_case_heatsink_k_per_w: 0.05 };
/// let stack = ThermalStack {
///     sources: vec![source; 6],
///     heatsink: Some(Heatsink::lumped(0.05, 400.0).unwrap()),
///     coupling: Coupling::Cauer,
/// };
/// let model = stack.build().unwrap();
/// let mut state = model.state(40.0).unwrap();
/// let losses = [30.0; 6];
/// for _ in 0..20_000 {
///     state.advance(50e-6, &losses);
/// }
/// assert!(state.junction_c()[0] > 40.0);
/// ```
#[derive(Debug, Clone)]
pub struct ThermalState {
    sources: usize,
    outputs: usize,
    lambda: Vec<f64>,
    /// `Λ⁻¹ W` for the power inputs, column-major: `sources` columns of `n`.
    target_per_w: Vec<f64>,
    /// `Λ⁻¹ W` for the ambient input, one column of `n`.
    target_per_ambient: Vec<f64>,
    /// `V`, `outputs × n` row-major.
    v: Vec<f64>,
    /// `D` for the power inputs, `outputs × sources` row-major.
    d_power: Vec<f64>,
    /// `D` for the ambient input, one per output.
    d_ambient: Vec<f64>,
    /// Whether `d_power` has a non-zero entry.
    feedthrough: bool,
    heatsink: bool,
    z: Vec<f64>,
    /// Steady-state target of every mode for the present inputs (scratch).
    target: Vec<f64>,
    power: Vec<f64>,
    ambient: f64,
    junction: Vec<f64>,
    cache_key: [u64; CACHE_SLOTS],
    cache_used: [bool; CACHE_SLOTS],
    cache_next: usize,
    /// `CACHE_SLOTS × n` factors `1 − e^{−λᵢΔt}`.
    cache_factor: Vec<f64>,
}

impl ThermalState {
    pub(crate) fn new(model: &ThermalModel, t_ambient_c: f64) -> Self {
        let n = model.lambda.len();
        let k = model.sources;
        let outputs = model.v.rows();
        let mut target_per_w = vec![0.0; n * k];
        let mut target_per_ambient = vec![0.0; n];
        for (i, l) in model.lambda.iter().enumerate() {
            for j in 0..k {
                target_per_w[j * n + i] = model.w[(i, j)] / l;
            }
            target_per_ambient[i] = model.w[(i, k)] / l;
        }
        let mut d_power = vec![0.0; outputs * k];
        let mut d_ambient = vec![0.0; outputs];
        for r in 0..outputs {
            for j in 0..k {
                d_power[r * k + j] = model.d[(r, j)];
            }
            d_ambient[r] = model.d[(r, k)];
        }
        let feedthrough = d_power.iter().any(|d| *d != 0.0);
        let mut state = Self {
            sources: k,
            outputs,
            lambda: model.lambda.clone(),
            target_per_w,
            target_per_ambient,
            v: model.v.as_slice().to_vec(),
            d_power,
            d_ambient,
            feedthrough,
            heatsink: model.heatsink_output,
            z: vec![0.0; n],
            target: vec![0.0; n],
            power: vec![0.0; k],
            ambient: t_ambient_c,
            junction: vec![0.0; k],
            cache_key: [0; CACHE_SLOTS],
            cache_used: [false; CACHE_SLOTS],
            cache_next: 0,
            cache_factor: vec![0.0; CACHE_SLOTS * n],
        };
        state.settle();
        state
    }

    /// Number of sources.
    pub fn sources(&self) -> usize {
        self.sources
    }

    /// Advances by `dt_s` seconds with source `k` dissipating `power_w[k]` watts over
    /// the whole step, and returns the junction temperatures (°C) at the end of the
    /// step. `dt_s = 0` only applies the new powers (which moves the outputs only
    /// where an interface or resistive heatsink makes them jump with the power).
    ///
    /// # Panics
    /// Panics when `power_w` does not have one entry per source, or `dt_s` is
    /// negative or NaN.
    pub fn advance(&mut self, dt_s: f64, power_w: &[f64]) -> &[f64] {
        assert_eq!(power_w.len(), self.sources, "one power per source");
        assert!(dt_s >= 0.0, "the step length must be >= 0, got {dt_s}");
        self.power.copy_from_slice(power_w);
        if dt_s > 0.0 {
            let slot = self.slot(dt_s);
            let n = self.lambda.len();
            self.update_target();
            let factor = &self.cache_factor[slot * n..(slot + 1) * n];
            for ((z, s), b) in self.z.iter_mut().zip(&self.target).zip(factor) {
                *z += b * (s - *z);
            }
        }
        self.update_outputs();
        &self.junction
    }

    /// Junction temperatures at the end of the last step, °C.
    pub fn junction_c(&self) -> &[f64] {
        &self.junction
    }

    /// Heatsink surface temperature, °C, when the stack has a heatsink.
    pub fn heatsink_c(&self) -> Option<f64> {
        self.heatsink.then(|| self.output(self.outputs - 1))
    }

    /// Ambient temperature, °C.
    pub fn ambient_c(&self) -> f64 {
        self.ambient
    }

    /// Powers held over the last step, W.
    pub fn power_w(&self) -> &[f64] {
        &self.power
    }

    /// Sets the ambient temperature (°C) for the following steps. In a Cauer network
    /// model the nodes follow it through their time constants; in a Foster series
    /// model (where ambient is the reference of every Foster term) the junctions
    /// follow it at once.
    ///
    /// # Errors
    /// [`ThermalError`](super::ThermalError) naming `t_ambient_c` when it is not
    /// finite or not above absolute zero.
    pub fn set_ambient_c(&mut self, t_ambient_c: f64) -> Result<(), super::ThermalError> {
        check_ambient(t_ambient_c)?;
        self.ambient = t_ambient_c;
        self.update_outputs();
        Ok(())
    }

    /// Puts every node at the steady state for the current powers and ambient (all at
    /// ambient after [`ThermalState::reset`] or before the first step).
    pub fn settle(&mut self) {
        self.update_target();
        self.z.copy_from_slice(&self.target);
        self.update_outputs();
    }

    /// Sets every power to zero and every node to ambient.
    pub fn reset(&mut self) {
        self.power.fill(0.0);
        self.settle();
    }

    pub(crate) fn modal_state_mut(&mut self) -> &mut [f64] {
        &mut self.z
    }

    /// `target = Λ⁻¹ W u`, column by column so that the loops vectorise.
    fn update_target(&mut self) {
        let n = self.lambda.len();
        for (t, a) in self.target.iter_mut().zip(&self.target_per_ambient) {
            *t = a * self.ambient;
        }
        for (column, p) in self.target_per_w.chunks_exact(n).zip(&self.power) {
            if *p != 0.0 {
                for (t, c) in self.target.iter_mut().zip(column) {
                    *t += c * p;
                }
            }
        }
    }

    fn slot(&mut self, dt_s: f64) -> usize {
        let key = dt_s.to_bits();
        for s in 0..CACHE_SLOTS {
            if self.cache_used[s] && self.cache_key[s] == key {
                return s;
            }
        }
        let s = self.cache_next;
        self.cache_next = (s + 1) % CACHE_SLOTS;
        self.cache_key[s] = key;
        self.cache_used[s] = true;
        let n = self.lambda.len();
        for (l, b) in self
            .lambda
            .iter()
            .zip(&mut self.cache_factor[s * n..(s + 1) * n])
        {
            *b = -(-l * dt_s).exp_m1();
        }
        s
    }

    fn output(&self, row: usize) -> f64 {
        let n = self.lambda.len();
        let mut y =
            dot(&self.v[row * n..(row + 1) * n], &self.z) + self.d_ambient[row] * self.ambient;
        if self.feedthrough {
            let k = self.sources;
            y += dot(&self.d_power[row * k..(row + 1) * k], &self.power);
        }
        y
    }

    fn update_outputs(&mut self) {
        for k in 0..self.sources {
            self.junction[k] = self.output(k);
        }
    }
}

/// Dot product with four independent partial sums, so that the additions pipeline.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks_a = a.chunks_exact(4);
    let chunks_b = b.chunks_exact(4);
    let tail: f64 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for l in 0..4 {
            acc[l] += ca[l] * cb[l];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
