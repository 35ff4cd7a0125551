//! Linear state-space models of thermal stacks and their exact solution.
//!
//! A built stack is the linear system
//!
//! ```text
//! dx/dt = A x + B u,    y = C x + D u,    u = [P₁ … P_k, T_amb],
//! ```
//!
//! with outputs `y` the junction temperatures (°C) of the `k` sources followed, when
//! there is a heatsink, by the heatsink surface temperature. For a
//! [`Realisation::CauerNetwork`] the states are node temperatures (°C) and
//! `A = −C⁻¹G`, `B = C⁻¹E` (capacitances `C`, conductance matrix `G`, injections
//! `E`); for a [`Realisation::FosterSeries`] they are the temperature rises across
//! the Foster pairs (K), `A` is diagonal and `D` carries the ambient, the interface
//! resistances and a resistive heatsink.
//!
//! Two exact solutions for piecewise-constant `u` are kept side by side:
//!
//! - **state-space stepping** ([`ThermalModel::simulate_expm`],
//!   [`ThermalModel::periodic_expm`]): `x ← Φ x + Γ u` with `Φ = e^{AΔt}` and
//!   `Γ = ∫₀^{Δt} e^{Aσ} dσ B` from one exponential of the augmented matrix
//!   ([`pelab_linalg::discretize_zoh`]), cached per distinct `Δt`. This is the
//!   reference; it costs one matrix exponential per distinct step length.
//! - **modal stepping** ([`ThermalModel::simulate`], [`ThermalModel::periodic`],
//!   [`ThermalState`]): thermal RC networks are symmetrisable, `C^{1/2} A C^{-1/2} =
//!   −M` with `M` symmetric positive definite, so `A` has real negative eigenvalues
//!   `−λᵢ` and an eigenbasis that is orthogonal in `C^{1/2}`-scaled coordinates. In
//!   modal coordinates `z` every mode is an independent first-order filter,
//!
//!   ```text
//!   zᵢ ← e^{−λᵢΔt} zᵢ + (1 − e^{−λᵢΔt})/λᵢ · (W u)ᵢ,    y = V z + D u,
//!   ```
//!
//!   exact for any `Δt` without a matrix exponential. This is what the calculator
//!   and the streaming state use: a step of any length costs `n` exponentials and
//!   `n (k + 2) + k n` multiply-adds.
//!
//! The tests check both against each other and, for Foster networks, against the
//! recursive filter and the direct convolution of [`Foster`].

use std::collections::HashMap;

use pelab_linalg::{Discretization, Lu, Matrix, discretize_zoh, expm};

use super::cauer::Cauer;
use super::eigen::symmetric_eigen;
use super::error::ThermalError;
use super::foster::Foster;
use super::profile::{PowerProfile, check_increasing};
use super::stack::{
    Equivalent, HeatSource, Heatsink, MAX_STATES, Network, Realisation, ThermalStack,
    ThermalWarning,
};
use super::state::ThermalState;

/// Lowest accepted ambient temperature, °C.
pub const ABSOLUTE_ZERO_C: f64 = -273.15;

/// A built thermal stack: the state-space model in dense and in modal form.
#[derive(Debug, Clone)]
pub struct ThermalModel {
    pub(crate) sources: usize,
    pub(crate) heatsink_output: bool,
    realisation: Realisation,
    /// Dense form: `A` (n × n, 1/s), `B` (n × (k+1)), `C` (outputs × n), `D`
    /// (outputs × (k+1)).
    a: Matrix,
    b: Matrix,
    c: Matrix,
    pub(crate) d: Matrix,
    /// Modal form: decay rates `λᵢ` (1/s), `W` (n × (k+1)), `V` (outputs × n).
    pub(crate) lambda: Vec<f64>,
    pub(crate) w: Matrix,
    pub(crate) v: Matrix,
    equivalents: Vec<Equivalent>,
    warnings: Vec<ThermalWarning>,
}

/// Temperatures at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Temperatures {
    /// Junction temperature of each source, °C.
    pub junction_c: Vec<f64>,
    /// Heatsink surface temperature, °C, when the stack has a heatsink.
    pub heatsink_c: Option<f64>,
}

/// Temperatures over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Sample times, s.
    pub time_s: Vec<f64>,
    /// Junction temperature of each source at each sample, `[source][sample]`, °C.
    pub junction_c: Vec<Vec<f64>>,
    /// Heatsink surface temperature at each sample, °C, when there is a heatsink.
    pub heatsink_c: Option<Vec<f64>>,
    /// Highest junction temperature of each source over all samples and both sides
    /// of every interval edge, °C.
    pub junction_max_c: Vec<f64>,
}

impl ThermalStack {
    /// Builds the state-space model of the stack, converting networks as its
    /// [`Realisation`] needs.
    ///
    /// # Errors
    /// [`ThermalError`] naming the field when a count or resistance is out of range,
    /// the stack has more than [`MAX_STATES`] capacitances, or a conversion fails.
    pub fn build(&self) -> Result<ThermalModel, ThermalError> {
        self.validate()?;
        let realisation = self.realisation();
        let mut equivalents = Vec::new();
        let mut warnings = Vec::new();
        let model = match realisation {
            Realisation::FosterSeries { exact } => {
                if !exact {
                    warnings.push(ThermalWarning {
                        field: "coupling".to_owned(),
                        message: "foster_series adds the Foster impedances of the devices and the heatsink; \
                                  their internal nodes are not temperatures, every power pulse reaches the \
                                  heatsink at once, and the result is the datasheet approximation, not the \
                                  physical stack (use coupling = cauer for that)"
                            .to_owned(),
                    });
                }
                series_model(self, &mut equivalents, &mut warnings)?
            }
            Realisation::CauerNetwork => cauer_model(self, &mut equivalents, &mut warnings)?,
        };
        Ok(ThermalModel {
            realisation,
            equivalents,
            warnings,
            ..model
        })
    }
}

/// Checks the ambient temperature.
pub(crate) fn check_ambient(t_ambient_c: f64) -> Result<(), ThermalError> {
    if t_ambient_c.is_finite() && t_ambient_c > ABSOLUTE_ZERO_C {
        Ok(())
    } else {
        Err(ThermalError::out_of_range(
            "t_ambient_c",
            t_ambient_c,
            "finite and > -273.15 °C",
        ))
    }
}

fn to_foster(
    network: &Network,
    field: &str,
    equivalents: &mut Vec<Equivalent>,
    warnings: &mut Vec<ThermalWarning>,
) -> Result<Foster, ThermalError> {
    match network {
        Network::Foster(f) => Ok(f.clone()),
        Network::Cauer(c) => {
            let path = format!("{field}.cauer");
            let conv = c.to_foster_checked().map_err(|e| e.within(&path))?;
            if conv.pairs_removed > 0 {
                warnings.push(ThermalWarning {
                    field: path.clone(),
                    message: format!(
                        "{} mode(s) invisible at the junction (below 1e-15 of the total resistance) left out of the Foster equivalent",
                        conv.pairs_removed
                    ),
                });
            }
            if c.stages() > 1 {
                equivalents.push(Equivalent {
                    field: path,
                    network: Network::Foster(conv.network.clone()),
                    max_relative_error: conv.max_relative_error,
                });
            }
            Ok(conv.network)
        }
    }
}

fn to_cauer(
    network: &Network,
    field: &str,
    equivalents: &mut Vec<Equivalent>,
    warnings: &mut Vec<ThermalWarning>,
) -> Result<Cauer, ThermalError> {
    match network {
        Network::Cauer(c) => Ok(c.clone()),
        Network::Foster(f) => {
            let path = format!("{field}.foster");
            let conv = f.to_cauer_checked().map_err(|e| e.within(&path))?;
            if conv.pairs_removed > 0 {
                warnings.push(ThermalWarning {
                    field: path.clone(),
                    message: format!(
                        "{} pair(s) with a time constant equal to another's merged: the Cauer equivalent has {} stage(s) for {} pairs",
                        conv.pairs_removed,
                        conv.network.stages(),
                        f.pairs()
                    ),
                });
            }
            if f.pairs() > 1 {
                equivalents.push(Equivalent {
                    field: path,
                    network: Network::Cauer(conv.network.clone()),
                    max_relative_error: conv.max_relative_error,
                });
            }
            Ok(conv.network)
        }
    }
}

fn check_states(n: usize) -> Result<(), ThermalError> {
    if n > MAX_STATES {
        Err(ThermalError::invalid(
            "sources",
            format!(
                "the stack has {n} thermal capacitances after conversion; at most {MAX_STATES} are accepted"
            ),
        ))
    } else {
        Ok(())
    }
}

/// The [`Realisation::FosterSeries`] model: independent Foster pairs.
fn series_model(
    stack: &ThermalStack,
    equivalents: &mut Vec<Equivalent>,
    warnings: &mut Vec<ThermalWarning>,
) -> Result<ThermalModel, ThermalError> {
    let k = stack.sources.len();
    let m = k + 1;
    // (owner, λ, gain R/τ); owner None = heatsink.
    let mut terms: Vec<(Option<usize>, f64, f64)> = Vec::new();
    for (s, HeatSource { network, .. }) in stack.sources.iter().enumerate() {
        let f = to_foster(network, &format!("sources[{s}]"), equivalents, warnings)?;
        for (r, tau) in f.r_k_per_w().iter().zip(f.tau_s()) {
            terms.push((Some(s), 1.0 / tau, r / tau));
        }
    }
    let mut r_resistive = 0.0;
    match &stack.heatsink {
        Some(Heatsink::Network(net)) => {
            let f = to_foster(net, "heatsink", equivalents, warnings)?;
            for (r, tau) in f.r_k_per_w().iter().zip(f.tau_s()) {
                terms.push((None, 1.0 / tau, r / tau));
            }
        }
        Some(Heatsink::Resistive { r_k_per_w }) => r_resistive = *r_k_per_w,
        None => {}
    }
    let n = terms.len();
    check_states(n)?;
    let heatsink_output = stack.heatsink.is_some();
    let outputs = k + usize::from(heatsink_output);

    let mut a = Matrix::zeros(n, n);
    let mut b = Matrix::zeros(n, m);
    let mut c = Matrix::zeros(outputs, n);
    let mut d = Matrix::zeros(outputs, m);
    for (i, &(owner, lambda, gain)) in terms.iter().enumerate() {
        a[(i, i)] = -lambda;
        match owner {
            Some(s) => {
                b[(i, s)] = gain;
                c[(s, i)] = 1.0;
            }
            None => {
                for col in 0..k {
                    b[(i, col)] = gain;
                }
                for row in 0..outputs {
                    c[(row, i)] = 1.0;
                }
            }
        }
    }
    for row in 0..outputs {
        d[(row, k)] = 1.0;
        for col in 0..k {
            d[(row, col)] += r_resistive;
        }
    }
    for (s, source) in stack.sources.iter().enumerate() {
        d[(s, s)] += source.r_case_heatsink_k_per_w;
    }
    let lambda = terms.iter().map(|t| t.1).collect();
    Ok(ThermalModel {
        sources: k,
        heatsink_output,
        realisation: Realisation::FosterSeries { exact: true },
        w: b.clone(),
        v: c.clone(),
        a,
        b,
        c,
        d,
        lambda,
        equivalents: Vec::new(),
        warnings: Vec::new(),
    })
}

/// The [`Realisation::CauerNetwork`] model: Cauer ladders meeting at the heatsink.
fn cauer_model(
    stack: &ThermalStack,
    equivalents: &mut Vec<Equivalent>,
    warnings: &mut Vec<ThermalWarning>,
) -> Result<ThermalModel, ThermalError> {
    let k = stack.sources.len();
    let m = k + 1;
    let mut ladders = Vec::with_capacity(k);
    for (s, source) in stack.sources.iter().enumerate() {
        ladders.push(to_cauer(
            &source.network,
            &format!("sources[{s}]"),
            equivalents,
            warnings,
        )?);
    }
    let Some(Heatsink::Network(net)) = &stack.heatsink else {
        unreachable!("a Cauer network model needs a heatsink with heat capacity");
    };
    let sink = to_cauer(net, "heatsink", equivalents, warnings)?;
    let sink_capacity: f64 = sink.c_j_per_k().iter().sum();
    for (s, (ladder, source)) in ladders.iter().zip(&stack.sources).enumerate() {
        let capacity: f64 = ladder.c_j_per_k().iter().sum();
        if matches!(source.network, Network::Foster(_)) && capacity > 0.1 * sink_capacity {
            warnings.push(ThermalWarning {
                field: format!("sources[{s}].foster"),
                message: format!(
                    "the Cauer equivalent holds {capacity:.4e} J/K, more than a tenth of the heatsink's \
                     {sink_capacity:.4e} J/K; a Foster network measured against an ideal heatsink does not \
                     determine the heat capacity near the case (time constants close together make it large), \
                     so the heatsink transient is uncertain; give the Cauer ladder of the device if known"
                ),
            });
        }
    }
    let n = ladders.iter().map(Cauer::stages).sum::<usize>() + sink.stages();
    check_states(n)?;

    let mut cap = Vec::with_capacity(n);
    let mut g = Matrix::zeros(n, n);
    let mut e = Matrix::zeros(n, m);
    let mut junction_node = Vec::with_capacity(k);
    let heatsink_node = n - sink.stages();
    let connect = |g: &mut Matrix, i: usize, j: usize, r: f64| {
        let y = 1.0 / r;
        g[(i, i)] += y;
        g[(j, j)] += y;
        g[(i, j)] -= y;
        g[(j, i)] -= y;
    };
    for (s, ladder) in ladders.iter().enumerate() {
        let first = cap.len();
        junction_node.push(first);
        e[(first, s)] = 1.0;
        let stages = ladder.stages();
        for (j, (&r, &c)) in ladder
            .r_k_per_w()
            .iter()
            .zip(ladder.c_j_per_k())
            .enumerate()
        {
            cap.push(c);
            let to = if j + 1 < stages {
                first + j + 1
            } else {
                heatsink_node
            };
            let r = if j + 1 < stages {
                r
            } else {
                r + stack.sources[s].r_case_heatsink_k_per_w
            };
            connect(&mut g, first + j, to, r);
        }
    }
    let stages = sink.stages();
    for (j, (&r, &c)) in sink.r_k_per_w().iter().zip(sink.c_j_per_k()).enumerate() {
        cap.push(c);
        let node = heatsink_node + j;
        if j + 1 < stages {
            connect(&mut g, node, node + 1, r);
        } else {
            g[(node, node)] += 1.0 / r;
            e[(node, k)] = 1.0 / r;
        }
    }

    let outputs = k + 1;
    let mut a = Matrix::zeros(n, n);
    let mut b = Matrix::zeros(n, m);
    let mut sym = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            a[(i, j)] = -g[(i, j)] / cap[i];
            sym[(i, j)] = g[(i, j)] / (cap[i] * cap[j]).sqrt();
        }
        for col in 0..m {
            b[(i, col)] = e[(i, col)] / cap[i];
        }
    }
    let mut c = Matrix::zeros(outputs, n);
    for (s, &node) in junction_node.iter().enumerate() {
        c[(s, node)] = 1.0;
    }
    c[(k, heatsink_node)] = 1.0;
    let d = Matrix::zeros(outputs, m);

    // Modal form: M = Q Λ Qᵀ, x = C^{-1/2} Q z.
    let eigen = symmetric_eigen(&sym).ok_or_else(|| {
        ThermalError::numerical(
            "sources",
            "the eigen-decomposition of the thermal network did not converge",
        )
    })?;
    if let Some(bad) = eigen.values.iter().find(|l| !(**l > 0.0)) {
        return Err(ThermalError::numerical(
            "sources",
            format!("the thermal network has a non-positive decay rate {bad:e} 1/s"),
        ));
    }
    let q = &eigen.vectors;
    let mut w = Matrix::zeros(n, m);
    let mut v = Matrix::zeros(outputs, n);
    for i in 0..n {
        for node in 0..n {
            let qs = q[(node, i)] / cap[node].sqrt();
            for col in 0..m {
                w[(i, col)] += qs * e[(node, col)];
            }
        }
    }
    for row in 0..outputs {
        for i in 0..n {
            let node = if row < k {
                junction_node[row]
            } else {
                heatsink_node
            };
            v[(row, i)] = q[(node, i)] / cap[node].sqrt();
        }
    }
    Ok(ThermalModel {
        sources: k,
        heatsink_output: true,
        realisation: Realisation::CauerNetwork,
        a,
        b,
        c,
        d,
        lambda: eigen.values,
        w,
        v,
        equivalents: Vec::new(),
        warnings: Vec::new(),
    })
}

impl ThermalModel {
    /// Number of heat sources.
    pub fn sources(&self) -> usize {
        self.sources
    }

    /// Number of states (thermal capacitances).
    pub fn states(&self) -> usize {
        self.lambda.len()
    }

    /// Whether the model has a heatsink temperature output.
    pub fn has_heatsink(&self) -> bool {
        self.heatsink_output
    }

    /// The form the model was built in.
    pub fn realisation(&self) -> Realisation {
        self.realisation
    }

    /// Networks that were converted to build the model (single RC pairs, the same in
    /// both forms, are not listed).
    pub fn equivalents(&self) -> &[Equivalent] {
        &self.equivalents
    }

    /// What building the model found worth telling.
    pub fn warnings(&self) -> &[ThermalWarning] {
        &self.warnings
    }

    /// Shortest and longest time constant of the model, s.
    pub fn time_constant_range_s(&self) -> (f64, f64) {
        let max_rate = self.lambda.iter().fold(0.0f64, |m, &l| m.max(l));
        let min_rate = self.lambda.iter().fold(f64::INFINITY, |m, &l| m.min(l));
        (1.0 / max_rate, 1.0 / min_rate)
    }

    /// The dense state-space matrices `(A, B, C, D)`; see the module documentation.
    pub fn state_space(&self) -> (&Matrix, &Matrix, &Matrix, &Matrix) {
        (&self.a, &self.b, &self.c, &self.d)
    }

    /// A streaming state with every node at `t_ambient_c` (°C) and no power.
    ///
    /// # Errors
    /// [`ThermalError`] naming `t_ambient_c` when it is not finite or not above
    /// absolute zero.
    pub fn state(&self, t_ambient_c: f64) -> Result<ThermalState, ThermalError> {
        check_ambient(t_ambient_c)?;
        Ok(ThermalState::new(self, t_ambient_c))
    }

    /// Steady-state temperatures under constant powers `power_w` (W, one per source)
    /// at ambient `t_ambient_c` (°C), from `A x = −B u` solved by LU.
    ///
    /// # Errors
    /// [`ThermalError`] naming `power_w`, an entry or `t_ambient_c` when out of range,
    /// or [`ThermalError::Numerical`] when `A` cannot be factorised.
    pub fn steady_state(
        &self,
        power_w: &[f64],
        t_ambient_c: f64,
    ) -> Result<Temperatures, ThermalError> {
        self.check_powers(power_w)?;
        check_ambient(t_ambient_c)?;
        let u = self.input(power_w, t_ambient_c);
        let x = self.dense_steady_state(&u)?;
        Ok(self.dense_outputs(&x, &u))
    }

    fn check_powers(&self, power_w: &[f64]) -> Result<(), ThermalError> {
        if power_w.len() != self.sources {
            return Err(ThermalError::length(
                "power_w",
                power_w.len(),
                format!("one power per source ({})", self.sources),
            ));
        }
        for (k, &p) in power_w.iter().enumerate() {
            super::error::non_negative(format!("power_w[{k}]"), p, "W")?;
        }
        Ok(())
    }

    fn check_profile(&self, profile: &PowerProfile) -> Result<(), ThermalError> {
        if profile.sources() != self.sources {
            return Err(ThermalError::length(
                "power_w",
                profile.sources(),
                format!("one power array per source ({})", self.sources),
            ));
        }
        Ok(())
    }

    fn input(&self, power_w: &[f64], t_ambient_c: f64) -> Vec<f64> {
        let mut u = power_w.to_vec();
        u.push(t_ambient_c);
        u
    }

    fn dense_steady_state(&self, u: &[f64]) -> Result<Vec<f64>, ThermalError> {
        let lu = Lu::factor(&self.a).map_err(|e| {
            ThermalError::numerical("sources", format!("the system matrix is singular: {e}"))
        })?;
        let rhs: Vec<f64> = self.b.mul_vec(u).iter().map(|v| -v).collect();
        Ok(lu.solve(&rhs))
    }

    fn dense_outputs(&self, x: &[f64], u: &[f64]) -> Temperatures {
        let mut y = self.c.mul_vec(x);
        for (yi, di) in y.iter_mut().zip(self.d.mul_vec(u)) {
            *yi += di;
        }
        let heatsink_c = self.heatsink_output.then(|| y[self.sources]);
        y.truncate(self.sources);
        Temperatures {
            junction_c: y,
            heatsink_c,
        }
    }

    /// Temperatures under the piecewise-constant `profile`, starting with every node
    /// at `t_ambient_c` (°C), by modal stepping (exact for any step length).
    ///
    /// With `output_times_s` `None` the samples are the interval edges of the profile;
    /// otherwise they are the given times (s, strictly increasing, inside the
    /// profile). Where an output jumps with the power (an interface resistance or a
    /// resistive heatsink in a [`Realisation::FosterSeries`] model), a sample at an
    /// edge is the value just before it and the first sample at `time_s[0]` the
    /// value just after; [`Trajectory::junction_max_c`] covers both sides.
    ///
    /// # Errors
    /// [`ThermalError`] naming `power_w`, `t_ambient_c` or `output_times_s` when they
    /// do not fit the model or the profile.
    pub fn simulate(
        &self,
        profile: &PowerProfile,
        t_ambient_c: f64,
        output_times_s: Option<&[f64]>,
    ) -> Result<Trajectory, ThermalError> {
        self.check_profile(profile)?;
        check_ambient(t_ambient_c)?;
        check_output_times(profile, output_times_s, "output_times_s")?;
        let mut state = ThermalState::new(self, t_ambient_c);
        Ok(self.run_modal(&mut state, profile, output_times_s, true))
    }

    /// The periodic steady state of `profile` repeated forever (period
    /// `time_s[N] − time_s[0]`) at ambient `t_ambient_c` (°C), without simulating the
    /// warm-up.
    ///
    /// Over one period the modal state obeys `z(T) = e^{−ΛT} z(0) + z_acc`, with
    /// `z_acc` the state reached from zero. Periodicity, `z(T) = z(0)`, gives
    /// `zᵢ(0) = z_acc,ᵢ / (1 − e^{−λᵢT})` mode by mode, evaluated with `expm1`, so even
    /// a heatsink mode with a time constant ten thousand times the period keeps its
    /// accuracy. The returned samples cover one period from that state; the last
    /// equals the first.
    ///
    /// # Errors
    /// As [`ThermalModel::simulate`].
    pub fn periodic(
        &self,
        profile: &PowerProfile,
        t_ambient_c: f64,
        output_times_s: Option<&[f64]>,
    ) -> Result<Trajectory, ThermalError> {
        self.check_profile(profile)?;
        check_ambient(t_ambient_c)?;
        check_output_times(profile, output_times_s, "output_times_s")?;
        let mut state = ThermalState::new(self, t_ambient_c);
        state.modal_state_mut().fill(0.0);
        self.run_modal(&mut state, profile, Some(&[]), false);
        let period = profile.duration_s();
        for (z, l) in state.modal_state_mut().iter_mut().zip(&self.lambda) {
            *z /= -(-l * period).exp_m1();
        }
        Ok(self.run_modal(&mut state, profile, output_times_s, true))
    }

    /// Steps `state` through `profile`, recording at the edges (`output` `None`) or at
    /// the given times. With `record` false nothing is stored.
    fn run_modal(
        &self,
        state: &mut ThermalState,
        profile: &PowerProfile,
        output: Option<&[f64]>,
        record: bool,
    ) -> Trajectory {
        let k = self.sources;
        let edges = profile.time_s();
        let capacity = if record {
            output.map_or(edges.len(), <[f64]>::len)
        } else {
            0
        };
        let mut traj = Trajectory {
            time_s: Vec::with_capacity(capacity),
            junction_c: vec![Vec::with_capacity(capacity); k],
            heatsink_c: self.heatsink_output.then(|| Vec::with_capacity(capacity)),
            junction_max_c: vec![f64::NEG_INFINITY; k],
        };
        let feedthrough = (0..self.d.rows()).any(|r| (0..k).any(|c| self.d[(r, c)] != 0.0));
        let mut p = vec![0.0; k];
        let fill = |p: &mut [f64], i: usize| {
            for (s, ps) in p.iter_mut().enumerate() {
                *ps = profile.power_w(s)[i];
            }
        };
        let sample = |traj: &mut Trajectory, state: &ThermalState, t: f64, store: bool| {
            for (mx, tj) in traj.junction_max_c.iter_mut().zip(state.junction_c()) {
                *mx = mx.max(*tj);
            }
            if store && record {
                traj.time_s.push(t);
                for (series, tj) in traj.junction_c.iter_mut().zip(state.junction_c()) {
                    series.push(*tj);
                }
                if let (Some(series), Some(th)) = (traj.heatsink_c.as_mut(), state.heatsink_c()) {
                    series.push(th);
                }
            }
        };

        fill(&mut p, 0);
        state.advance(0.0, &p);
        let mut t = edges[0];
        let mut next = 0;
        if output.is_none() {
            sample(&mut traj, state, t, true);
        }
        for i in 0..edges.len() - 1 {
            if i > 0 {
                fill(&mut p, i);
                if feedthrough {
                    state.advance(0.0, &p);
                    sample(&mut traj, state, t, false);
                }
            }
            let end = edges[i + 1];
            if let Some(times) = output {
                while next < times.len() && times[next] <= end {
                    state.advance(times[next] - t, &p);
                    t = times[next];
                    sample(&mut traj, state, t, true);
                    next += 1;
                }
            }
            state.advance(end - t, &p);
            t = end;
            sample(&mut traj, state, t, output.is_none());
        }
        traj
    }

    /// Temperatures under `profile` from ambient by dense state-space stepping:
    /// `x ← Φ x + Γ u` with `Φ`, `Γ` from [`discretize_zoh`], cached per distinct
    /// interval length. Samples at the interval edges, with the same conventions as
    /// [`ThermalModel::simulate`]. This is the reference method; it costs one matrix
    /// exponential per distinct step length.
    ///
    /// # Errors
    /// As [`ThermalModel::simulate`], or [`ThermalError::Numerical`] when a matrix
    /// exponential or factorisation fails.
    pub fn simulate_expm(
        &self,
        profile: &PowerProfile,
        t_ambient_c: f64,
    ) -> Result<Trajectory, ThermalError> {
        self.check_profile(profile)?;
        check_ambient(t_ambient_c)?;
        let mut u0 = vec![0.0; self.sources];
        u0.push(t_ambient_c);
        let x0 = self.dense_steady_state(&u0)?;
        self.run_dense(x0, profile, t_ambient_c, &mut HashMap::new())
    }

    /// The periodic steady state of `profile` by dense state-space stepping: with
    /// `Φ_T = e^{AT}` and `x_acc` the state reached over one period from zero, solves
    /// `(I − Φ_T) x(0) = x_acc` by LU and steps one period from `x(0)`. The reference
    /// for [`ThermalModel::periodic`]; samples at the interval edges.
    ///
    /// # Errors
    /// As [`ThermalModel::simulate_expm`].
    pub fn periodic_expm(
        &self,
        profile: &PowerProfile,
        t_ambient_c: f64,
    ) -> Result<Trajectory, ThermalError> {
        self.check_profile(profile)?;
        check_ambient(t_ambient_c)?;
        let n = self.states();
        let mut cache = HashMap::new();
        let x_acc = from_zero_final_state(self, profile, t_ambient_c, &mut cache)?;
        let phi_t = expm(&self.a.scaled(profile.duration_s())).map_err(|e| {
            ThermalError::numerical("sources", format!("matrix exponential failed: {e}"))
        })?;
        let mut lhs = Matrix::identity(n);
        lhs.add_scaled(-1.0, &phi_t);
        let lu = Lu::factor(&lhs)
            .map_err(|e| ThermalError::numerical("sources", format!("I − Φ_T is singular: {e}")))?;
        let x0 = lu.solve(&x_acc);
        self.run_dense(x0, profile, t_ambient_c, &mut cache)
    }

    fn discretization<'c>(
        &self,
        h: f64,
        cache: &'c mut HashMap<u64, Discretization>,
    ) -> Result<&'c Discretization, ThermalError> {
        use std::collections::hash_map::Entry;
        match cache.entry(h.to_bits()) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(e) => {
                let d = discretize_zoh(&self.a, &self.b, h).map_err(|err| {
                    ThermalError::numerical("sources", format!("matrix exponential failed: {err}"))
                })?;
                Ok(e.insert(d))
            }
        }
    }

    fn run_dense(
        &self,
        mut x: Vec<f64>,
        profile: &PowerProfile,
        t_ambient_c: f64,
        cache: &mut HashMap<u64, Discretization>,
    ) -> Result<Trajectory, ThermalError> {
        let k = self.sources;
        let edges = profile.time_s();
        let mut traj = Trajectory {
            time_s: Vec::with_capacity(edges.len()),
            junction_c: vec![Vec::with_capacity(edges.len()); k],
            heatsink_c: self
                .heatsink_output
                .then(|| Vec::with_capacity(edges.len())),
            junction_max_c: vec![f64::NEG_INFINITY; k],
        };
        let mut u = vec![0.0; k + 1];
        u[k] = t_ambient_c;
        let record = |traj: &mut Trajectory, x: &[f64], u: &[f64], t: Option<f64>| {
            let y = self.dense_outputs(x, u);
            for (mx, tj) in traj.junction_max_c.iter_mut().zip(&y.junction_c) {
                *mx = mx.max(*tj);
            }
            if let Some(t) = t {
                traj.time_s.push(t);
                for (series, tj) in traj.junction_c.iter_mut().zip(&y.junction_c) {
                    series.push(*tj);
                }
                if let (Some(series), Some(th)) = (traj.heatsink_c.as_mut(), y.heatsink_c) {
                    series.push(th);
                }
            }
        };
        let mut next = vec![0.0; x.len()];
        for i in 0..edges.len() - 1 {
            for (s, us) in u.iter_mut().take(k).enumerate() {
                *us = profile.power_w(s)[i];
            }
            record(&mut traj, &x, &u, (i == 0).then_some(edges[0]));
            let disc = self.discretization(edges[i + 1] - edges[i], cache)?;
            disc.phi.mul_vec_into(&x, &mut next);
            for (xi, gi) in next.iter_mut().zip(disc.gamma.mul_vec(&u)) {
                *xi += gi;
            }
            std::mem::swap(&mut x, &mut next);
            record(&mut traj, &x, &u, Some(edges[i + 1]));
        }
        Ok(traj)
    }
}

/// The dense state after one period of `profile` from zero.
fn from_zero_final_state(
    model: &ThermalModel,
    profile: &PowerProfile,
    t_ambient_c: f64,
    cache: &mut HashMap<u64, Discretization>,
) -> Result<Vec<f64>, ThermalError> {
    let k = model.sources;
    let edges = profile.time_s();
    let mut x = vec![0.0; model.states()];
    let mut next = vec![0.0; x.len()];
    let mut u = vec![0.0; k + 1];
    u[k] = t_ambient_c;
    for i in 0..edges.len() - 1 {
        for (s, us) in u.iter_mut().take(k).enumerate() {
            *us = profile.power_w(s)[i];
        }
        let disc = model.discretization(edges[i + 1] - edges[i], cache)?;
        disc.phi.mul_vec_into(&x, &mut next);
        for (xi, gi) in next.iter_mut().zip(disc.gamma.mul_vec(&u)) {
            *xi += gi;
        }
        std::mem::swap(&mut x, &mut next);
    }
    Ok(x)
}

/// Checks output times: strictly increasing, inside the profile.
pub(crate) fn check_output_times(
    profile: &PowerProfile,
    output: Option<&[f64]>,
    field: &str,
) -> Result<(), ThermalError> {
    let Some(times) = output else {
        return Ok(());
    };
    if times.len() > super::profile::MAX_POINTS {
        return Err(ThermalError::length(
            field,
            times.len(),
            format!("at most {} points", super::profile::MAX_POINTS),
        ));
    }
    check_increasing(times, field)?;
    let edges = profile.time_s();
    let (start, end) = (edges[0], edges[edges.len() - 1]);
    for (i, &t) in times.iter().enumerate() {
        if t < start || t > end {
            return Err(ThermalError::out_of_range(
                format!("{field}[{i}]"),
                t,
                &format!("a time within the profile, {start} s to {end} s"),
            ));
        }
    }
    Ok(())
}
