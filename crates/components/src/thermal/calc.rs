//! The `pelab calc thermal` calculator: one request in, one response out.
//!
//! [`calc_thermal`] is what the CLI and the HTTP server (`POST /calc/thermal`) call.
//! The request and response are plain serde types; `docs/thermal.md` shows the JSON
//! and `examples/calc/thermal.json` is a complete request.

use serde::{Deserialize, Serialize};

use super::cauer::Cauer;
use super::error::{ThermalError, non_negative, positive};
use super::foster::Foster;
use super::model::{ThermalModel, check_ambient, check_output_times};
use super::profile::{MAX_POINTS, PowerProfile, check_edges, check_increasing, check_powers};
use super::stack::{
    Coupling, HeatSource, Heatsink, MAX_SOURCES, Network, Realisation, ThermalStack, ThermalWarning,
};

/// Most values the power profile (sources × intervals) and the result (outputs ×
/// samples) may each hold.
pub const MAX_TOTAL_VALUES: usize = 50_000_000;

/// Points per decade of the default time grid for constant power.
const DEFAULT_GRID_PER_DECADE: f64 = 10.0;

/// A thermal calculation: heat sources, an optional shared heatsink, the ambient,
/// the power profile and what to output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThermalRequest {
    /// Heat sources (dies), 1 to 64.
    pub sources: Vec<SourceRequest>,
    /// Heatsink shared by every source; omitted, every case is held at ambient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heatsink: Option<HeatsinkRequest>,
    /// How junction networks join a heatsink with heat capacity: `cauer` (default,
    /// physical) or `foster_series` (datasheet approximation).
    #[serde(default)]
    pub coupling: Coupling,
    /// Ambient (coolant) temperature, °C.
    pub t_ambient_c: f64,
    /// Edges of the constant-power intervals, s, strictly increasing, 2 to 10 million
    /// entries: an array `power_w` of a source holds `power_w[i]` from `time_s[i]` to
    /// `time_s[i+1]`. Needed when any source's `power_w` is an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<Vec<f64>>,
    /// What to output.
    #[serde(default)]
    pub output: OutputRequest,
}

/// One heat source: its junction network (exactly one of `foster`, `cauer`), the
/// interface to the heatsink and its power.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRequest {
    /// Name shown in the response (default `sources[k]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Junction-to-case Foster network from the datasheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foster: Option<FosterRequest>,
    /// Junction-to-case Cauer ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cauer: Option<CauerRequest>,
    /// Case-to-heatsink interface resistance, K/W, `>= 0` (default 0).
    #[serde(default)]
    pub r_case_heatsink_k_per_w: f64,
    /// Power, W, `>= 0`: a number for constant power, or an array with one value per
    /// interval of `time_s` (one entry fewer than `time_s`).
    pub power_w: PowerRequest,
}

/// Constant power or one value per interval, W.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PowerRequest {
    /// Constant power, W.
    Constant(f64),
    /// Power on each interval of `time_s`, W.
    Profile(Vec<f64>),
}

/// A Foster network: resistances and exactly one of time constants or capacitances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FosterRequest {
    /// Resistances `Rᵢ`, K/W, finite and > 0, 1 to 64 entries.
    pub r_k_per_w: Vec<f64>,
    /// Time constants `τᵢ`, s, finite and > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tau_s: Option<Vec<f64>>,
    /// Capacitances `Cᵢ = τᵢ / Rᵢ`, J/K, finite and > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_j_per_k: Option<Vec<f64>>,
}

/// A Cauer ladder, junction side first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauerRequest {
    /// Resistances `R_k`, K/W, finite and > 0, 1 to 64 entries.
    pub r_k_per_w: Vec<f64>,
    /// Capacitances `C_k` to the thermal reference, J/K, finite and > 0.
    pub c_j_per_k: Vec<f64>,
}

/// The heatsink: exactly one of a lumped `r_k_per_w` (with `c_j_per_k` for its heat
/// capacity, without for a purely resistive heatsink), `foster` or `cauer`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeatsinkRequest {
    /// Lumped heatsink-to-ambient resistance, K/W, finite and > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r_k_per_w: Option<f64>,
    /// Lumped heatsink heat capacity, J/K, finite and > 0; needs `r_k_per_w`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c_j_per_k: Option<f64>,
    /// Heatsink-to-ambient Foster network (from a heatsink `Zth,ha(t)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foster: Option<FosterRequest>,
    /// Heatsink Cauer ladder, surface node first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cauer: Option<CauerRequest>,
}

/// What to output.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRequest {
    /// Sample times, s, strictly increasing, at most 10 million, inside the profile
    /// (`time_s[0]` to its last edge; `>= 0` for constant power). Omitted: every edge
    /// of `time_s`, or for constant power a logarithmic grid from a tenth of the
    /// shortest to ten times the longest time constant, 10 points per decade, and 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<Vec<f64>>,
    /// Output the periodic steady state of the profile repeated with period
    /// `time_s[N] − time_s[0]` instead of the response from ambient. Needs `time_s`.
    #[serde(default)]
    pub periodic: bool,
}

/// The result of [`calc_thermal`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThermalResponse {
    /// Sample times, s.
    pub time_s: Vec<f64>,
    /// Source names, in request order.
    pub names: Vec<String>,
    /// Junction temperature of each source at each sample, `[source][sample]`, °C.
    /// At an interval edge where Tj jumps with the power (interface or resistive
    /// heatsink under `foster_series` realisations), the value just before the edge.
    pub tj_c: Vec<Vec<f64>>,
    /// Highest junction temperature of each source, °C, over the samples and both
    /// sides of every interval edge. Between samples a multi-pair network can peak
    /// higher after a power step down; add output times to resolve such peaks.
    pub tj_max_c: Vec<f64>,
    /// Junction temperature of each source under its time-averaged power held
    /// forever, °C (also the mean of the periodic steady state).
    pub steady_state_tj_c: Vec<f64>,
    /// Heatsink surface temperature at each sample, °C, when there is a heatsink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_heatsink_c: Option<Vec<f64>>,
    /// Heatsink surface temperature under the time-averaged powers, °C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steady_state_t_heatsink_c: Option<f64>,
    /// The model that was solved.
    pub realisation: Realisation,
    /// Networks converted to the other form to build the model.
    pub equivalents: Vec<EquivalentResponse>,
    /// What the calculation found worth telling.
    pub warnings: Vec<ThermalWarning>,
}

/// A converted network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquivalentResponse {
    /// Path of the network in the request, such as `sources[0].foster`.
    pub field: String,
    /// The Foster equivalent of a Cauer ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foster: Option<FosterRequest>,
    /// The Cauer equivalent of a Foster network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cauer: Option<CauerRequest>,
    /// Largest relative mismatch of `Z(jω)` between the two (dimensionless).
    pub max_relative_error: f64,
}

impl FosterRequest {
    fn build(&self, field: &str) -> Result<Foster, ThermalError> {
        match (&self.tau_s, &self.c_j_per_k) {
            (Some(tau), None) => Foster::from_r_tau(&self.r_k_per_w, tau),
            (None, Some(c)) => Foster::from_r_c(&self.r_k_per_w, c),
            _ => Err(ThermalError::invalid(
                "",
                "give exactly one of tau_s (s) or c_j_per_k (J/K)",
            )),
        }
        .map_err(|e| e.within(field))
    }
}

impl CauerRequest {
    fn build(&self, field: &str) -> Result<Cauer, ThermalError> {
        Cauer::new(&self.r_k_per_w, &self.c_j_per_k).map_err(|e| e.within(field))
    }
}

fn network(
    foster: Option<&FosterRequest>,
    cauer: Option<&CauerRequest>,
    field: &str,
) -> Result<Network, ThermalError> {
    match (foster, cauer) {
        (Some(f), None) => Ok(Network::Foster(f.build(&format!("{field}.foster"))?)),
        (None, Some(c)) => Ok(Network::Cauer(c.build(&format!("{field}.cauer"))?)),
        _ => Err(ThermalError::invalid(
            field,
            "give exactly one of foster or cauer",
        )),
    }
}

fn heatsink(request: &HeatsinkRequest) -> Result<Heatsink, ThermalError> {
    let lumped = request.r_k_per_w.is_some() || request.c_j_per_k.is_some();
    let given = usize::from(lumped)
        + usize::from(request.foster.is_some())
        + usize::from(request.cauer.is_some());
    if given != 1 {
        return Err(ThermalError::invalid(
            "heatsink",
            "give exactly one of r_k_per_w (with c_j_per_k for heat capacity), foster or cauer",
        ));
    }
    if lumped {
        let Some(r) = request.r_k_per_w else {
            return Err(ThermalError::invalid(
                "heatsink.c_j_per_k",
                "a lumped heatsink needs r_k_per_w as well",
            ));
        };
        positive("heatsink.r_k_per_w", r, "K/W")?;
        return match request.c_j_per_k {
            None => Ok(Heatsink::Resistive { r_k_per_w: r }),
            Some(c) => {
                positive("heatsink.c_j_per_k", c, "J/K")?;
                Heatsink::lumped(r, c).map_err(|e| e.within("heatsink"))
            }
        };
    }
    Ok(Heatsink::Network(network(
        request.foster.as_ref(),
        request.cauer.as_ref(),
        "heatsink",
    )?))
}

/// Runs a thermal calculation.
///
/// Builds the stack (converting networks where the coupling needs it), then either
/// simulates the power profile from ambient or, with `output.periodic`, finds its
/// periodic steady state, and adds the steady state under the mean powers. See
/// `docs/thermal.md`.
///
/// # Errors
/// [`ThermalError`] naming the request field (such as `sources[1].foster.tau_s[2]`),
/// the value and the accepted range, for any value out of range, missing or
/// conflicting fields, arrays over 10 million points, or a profile and a result over
/// [`MAX_TOTAL_VALUES`] values.
pub fn calc_thermal(request: &ThermalRequest) -> Result<ThermalResponse, ThermalError> {
    let k = request.sources.len();
    if k == 0 || k > MAX_SOURCES {
        return Err(ThermalError::length(
            "sources",
            k,
            format!("1 to {MAX_SOURCES} heat sources"),
        ));
    }
    check_ambient(request.t_ambient_c)?;
    let mut sources = Vec::with_capacity(k);
    for (s, source) in request.sources.iter().enumerate() {
        let field = format!("sources[{s}]");
        let net = network(source.foster.as_ref(), source.cauer.as_ref(), &field)?;
        non_negative(
            format!("{field}.r_case_heatsink_k_per_w"),
            source.r_case_heatsink_k_per_w,
            "K/W",
        )?;
        sources.push(HeatSource {
            network: net,
            r_case_heatsink_k_per_w: source.r_case_heatsink_k_per_w,
        });
    }
    let sink = request.heatsink.as_ref().map(heatsink).transpose()?;
    let stack = ThermalStack {
        sources,
        heatsink: sink,
        coupling: request.coupling,
    };
    let model = stack.build()?;
    let mut warnings = model.warnings().to_vec();

    let output_times = request.output.time_s.as_deref();
    if let Some(times) = output_times {
        if times.len() > MAX_POINTS {
            return Err(ThermalError::length(
                "output.time_s",
                times.len(),
                format!("at most {MAX_POINTS} points"),
            ));
        }
        check_increasing(times, "output.time_s")?;
    }
    let (profile, output) = match &request.time_s {
        Some(edges) => profile_from_arrays(request, edges)?,
        None => constant_profile(request, &model)?,
    };
    check_output_times(&profile, output.as_deref(), "output.time_s")?;
    let samples = output.as_ref().map_or(profile.time_s().len(), Vec::len);
    let outputs = k + usize::from(model.has_heatsink());
    if samples.saturating_mul(outputs) > MAX_TOTAL_VALUES {
        return Err(ThermalError::invalid(
            "output.time_s",
            format!(
                "the result would hold {samples} samples × {outputs} temperatures; at most {MAX_TOTAL_VALUES} values are accepted"
            ),
        ));
    }

    let trajectory = if request.output.periodic {
        if request.time_s.is_none() {
            return Err(ThermalError::invalid(
                "output.periodic",
                "a periodic steady state needs a power profile (time_s with power_w arrays)",
            ));
        }
        model.periodic(&profile, request.t_ambient_c, output.as_deref())?
    } else {
        let (_, tau_max) = model.time_constant_range_s();
        if request.time_s.is_some() && profile.duration_s() < tau_max {
            warnings.push(ThermalWarning {
                field: "time_s".to_owned(),
                message: format!(
                    "the profile lasts {:e} s, less than the slowest time constant {tau_max:e} s: the result starts from ambient and has not settled; set output.periodic = true for the steady state of the repeated profile",
                    profile.duration_s()
                ),
            });
        }
        model.simulate(&profile, request.t_ambient_c, output.as_deref())?
    };

    let mean: Vec<f64> = (0..k).map(|s| profile.mean_power_w(s)).collect();
    let steady = model.steady_state(&mean, request.t_ambient_c)?;

    let equivalents = model
        .equivalents()
        .iter()
        .map(|e| {
            let (foster, cauer) = match &e.network {
                Network::Foster(f) => (
                    Some(FosterRequest {
                        r_k_per_w: f.r_k_per_w().to_vec(),
                        tau_s: Some(f.tau_s().to_vec()),
                        c_j_per_k: None,
                    }),
                    None,
                ),
                Network::Cauer(c) => (
                    None,
                    Some(CauerRequest {
                        r_k_per_w: c.r_k_per_w().to_vec(),
                        c_j_per_k: c.c_j_per_k().to_vec(),
                    }),
                ),
            };
            EquivalentResponse {
                field: e.field.clone(),
                foster,
                cauer,
                max_relative_error: e.max_relative_error,
            }
        })
        .collect();

    Ok(ThermalResponse {
        time_s: trajectory.time_s,
        names: request
            .sources
            .iter()
            .enumerate()
            .map(|(s, src)| src.name.clone().unwrap_or_else(|| format!("sources[{s}]")))
            .collect(),
        tj_c: trajectory.junction_c,
        tj_max_c: trajectory.junction_max_c,
        steady_state_tj_c: steady.junction_c,
        t_heatsink_c: trajectory.heatsink_c,
        steady_state_t_heatsink_c: steady.heatsink_c,
        realisation: model.realisation(),
        equivalents,
        warnings,
    })
}

type ProfileAndOutput = (PowerProfile, Option<Vec<f64>>);

/// The profile when `time_s` is given: arrays as they are, constants repeated.
fn profile_from_arrays(
    request: &ThermalRequest,
    edges: &[f64],
) -> Result<ProfileAndOutput, ThermalError> {
    check_edges(edges, "time_s")?;
    let intervals = edges.len() - 1;
    let k = request.sources.len();
    if intervals.saturating_mul(k) > MAX_TOTAL_VALUES {
        return Err(ThermalError::invalid(
            "time_s",
            format!(
                "the power profile would hold {intervals} intervals × {k} sources; at most {MAX_TOTAL_VALUES} values are accepted"
            ),
        ));
    }
    let mut power = Vec::with_capacity(k);
    for (s, source) in request.sources.iter().enumerate() {
        let field = format!("sources[{s}].power_w");
        match &source.power_w {
            PowerRequest::Constant(p) => {
                non_negative(&field, *p, "W")?;
                power.push(vec![*p; intervals]);
            }
            PowerRequest::Profile(p) => {
                if p.len() > MAX_POINTS {
                    return Err(ThermalError::length(
                        &field,
                        p.len(),
                        format!("at most {MAX_POINTS} points"),
                    ));
                }
                check_powers(p, edges.len(), &field)?;
                power.push(p.clone());
            }
        }
    }
    let profile = PowerProfile::new(edges.to_vec(), power)?;
    Ok((profile, request.output.time_s.clone()))
}

/// The profile for constant powers without `time_s`: a step at 0, held until the
/// last output time.
fn constant_profile(
    request: &ThermalRequest,
    model: &ThermalModel,
) -> Result<ProfileAndOutput, ThermalError> {
    let mut power = Vec::with_capacity(request.sources.len());
    for (s, source) in request.sources.iter().enumerate() {
        let field = format!("sources[{s}].power_w");
        match &source.power_w {
            PowerRequest::Constant(p) => {
                non_negative(&field, *p, "W")?;
                power.push(vec![*p]);
            }
            PowerRequest::Profile(_) => {
                return Err(ThermalError::invalid(
                    field,
                    "a power array needs time_s, the edges of its intervals",
                ));
            }
        }
    }
    let times = match &request.output.time_s {
        Some(t) => {
            if let Some((i, &v)) = t.iter().enumerate().find(|(_, v)| **v < 0.0) {
                return Err(ThermalError::out_of_range(
                    format!("output.time_s[{i}]"),
                    v,
                    ">= 0 s (constant power is applied at t = 0)",
                ));
            }
            t.clone()
        }
        None => default_grid(model),
    };
    let end = times.last().copied().filter(|t| *t > 0.0).unwrap_or(1.0);
    let profile = PowerProfile::new(vec![0.0, end], power)?;
    Ok((profile, Some(times)))
}

/// 0, then 10 points per decade from a tenth of the shortest to ten times the
/// longest time constant.
fn default_grid(model: &ThermalModel) -> Vec<f64> {
    let (tau_min, tau_max) = model.time_constant_range_s();
    let start = (tau_min / 10.0).log10();
    let stop = (tau_max * 10.0).log10();
    let steps = ((stop - start) * DEFAULT_GRID_PER_DECADE).ceil().max(1.0) as usize;
    let mut grid = Vec::with_capacity(steps + 2);
    grid.push(0.0);
    for i in 0..=steps {
        grid.push(10f64.powf(start + (stop - start) * i as f64 / steps as f64));
    }
    grid
}
