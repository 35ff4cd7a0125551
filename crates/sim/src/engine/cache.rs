//! Cache of configuration models and their discretised step matrices.
//!
//! Between events a configuration's state advances as `x⁺ = Φ(h) x + Γ(h) u`. Computing
//! `[Φ Γ]` costs one matrix exponential, so each configuration keeps the matrices of
//! the step lengths it has used, keyed by the exact bits of `h`. With a fixed output
//! step and PWM edges that repeat from period to period, almost every step is a cache
//! hit and costs one `n × (n + m)` matrix-vector product.

use std::collections::HashMap;
use std::rc::Rc;

use pelab_linalg::{Matrix, discretize_zoh};

use crate::circuit::{Circuit, ConfigModel};

/// Most step lengths kept per configuration. Closed-loop runs move PWM edges every
/// period and would otherwise grow the cache without bound; past this size it is
/// cleared and refilled by the lengths in current use.
const MAX_STEPS_PER_CONFIG: usize = 4096;

/// `[Φ Γ]` of one step length, row-major `n × (n + m)`.
pub(crate) type StepMatrix = Rc<[f64]>;

/// One configuration with its cached step matrices and output rows.
pub(crate) struct ConfigEntry {
    pub(crate) model: ConfigModel,
    steps: HashMap<u64, StepMatrix>,
    /// Rows of `[x; u]` coefficients, one per linear quantity the engine evaluates
    /// (recorded probes, measurements, energy terms), in the order of the engine's
    /// output plan.
    pub(crate) output_rows: Rc<Matrix>,
    /// The model's diode violation rows, shared with the engine's hot loop.
    pub(crate) diode_violation: Rc<Matrix>,
    /// `[A B]` row-major, `n × (n + m)`, for state derivatives.
    pub(crate) ab: Rc<Matrix>,
}

/// Statistics of the cache, reported with each run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    /// Switch configurations whose model was built.
    pub configurations: usize,
    /// Matrix exponentials computed for stepping or event location.
    pub exponentials: usize,
    /// Steps served from the cache.
    pub cache_hits: usize,
}

pub(crate) struct ModelCache {
    entries: HashMap<u64, ConfigEntry>,
    pub(crate) stats: CacheStats,
}

impl ModelCache {
    pub(crate) fn new() -> Self {
        Self {
            entries: HashMap::new(),
            stats: CacheStats::default(),
        }
    }

    /// The entry of `mask`, built on first use with `rows` giving its output rows.
    pub(crate) fn entry(
        &mut self,
        circuit: &Circuit,
        mask: u64,
        rows: &dyn Fn(&ConfigModel) -> Matrix,
    ) -> Result<&mut ConfigEntry, crate::circuit::mna::SingularCircuit> {
        if !self.entries.contains_key(&mask) {
            let model = circuit.config_model(mask)?;
            let output_rows = Rc::new(rows(&model));
            let diode_violation = Rc::new(model.diode_violation.clone());
            let n = model.a.rows();
            let mut ab = Matrix::zeros(n, n + model.b.cols());
            ab.set_block(0, 0, &model.a);
            ab.set_block(0, n, &model.b);
            let ab = Rc::new(ab);
            self.stats.configurations += 1;
            self.entries.insert(
                mask,
                ConfigEntry {
                    model,
                    steps: HashMap::new(),
                    output_rows,
                    diode_violation,
                    ab,
                },
            );
        }
        // The entry was inserted above when missing.
        Ok(self
            .entries
            .get_mut(&mask)
            .unwrap_or_else(|| unreachable!("entry inserted above")))
    }

    /// `[Φ Γ]` for step `h` in configuration `mask`, cached.
    pub(crate) fn step_matrix(&mut self, mask: u64, h: f64) -> Result<StepMatrix, StepError> {
        let entry = self
            .entries
            .get_mut(&mask)
            .ok_or(StepError::MissingConfig)?;
        let key = h.to_bits();
        if let Some(m) = entry.steps.get(&key) {
            self.stats.cache_hits += 1;
            return Ok(m.clone());
        }
        let m = discretise(&entry.model, h)?;
        self.stats.exponentials += 1;
        if entry.steps.len() >= MAX_STEPS_PER_CONFIG {
            entry.steps.clear();
        }
        entry.steps.insert(key, m.clone());
        Ok(m)
    }

    /// `[Φ Γ]` for a one-off step (event location), not cached.
    pub(crate) fn one_off_step(&mut self, mask: u64, h: f64) -> Result<StepMatrix, StepError> {
        let entry = self.entries.get(&mask).ok_or(StepError::MissingConfig)?;
        self.stats.exponentials += 1;
        discretise(&entry.model, h)
    }
}

#[derive(Debug)]
pub(crate) enum StepError {
    MissingConfig,
    NonFinite,
}

fn discretise(model: &ConfigModel, h: f64) -> Result<StepMatrix, StepError> {
    let d = discretize_zoh(&model.a, &model.b, h).map_err(|_| StepError::NonFinite)?;
    let n = d.phi.rows();
    let m = d.gamma.cols();
    let mut flat = Vec::with_capacity(n * (n + m));
    for r in 0..n {
        flat.extend_from_slice(d.phi.row(r));
        flat.extend_from_slice(d.gamma.row(r));
    }
    if flat.iter().any(|v| !v.is_finite()) {
        return Err(StepError::NonFinite);
    }
    Ok(flat.into())
}

/// `x⁺ = [Φ Γ] [x; u]`, written into `out`.
#[inline]
pub(crate) fn apply_step(matrix: &[f64], xu: &[f64], out: &mut [f64]) {
    let width = xu.len();
    for (row, o) in matrix.chunks_exact(width).zip(out.iter_mut()) {
        let mut sum = 0.0;
        for (a, b) in row.iter().zip(xu) {
            sum += a * b;
        }
        *o = sum;
    }
}
