//! JSON request and response of a loss calculation (`pelab calc losses`, and the
//! server's `POST /calc/losses`).
//!
//! ```json
//! {
//!   "devices": { "T": { "part": "CREE_C3M0016120K" } },
//!   "inverter_3ph": { "device": "T", "v_dc_v": 800, "i_peak_a": 100, "m": 0.9,
//!                     "phi_deg": 20, "f_sw_hz": 20000, "tj_c": 125,
//!                     "modulation": "svpwm" }
//! }
//! ```
//!
//! A request names its devices once (a library part, or a [`LinearSwitch`] given
//! inline) and then requests any of: a three-phase inverter operating point, a boost
//! operating point, sampled waveforms of individual positions, and inductor and
//! capacitor losses from their current waveforms. Units are SI and
//! appear in the field names (`_v`, `_a`, `_hz`, `_s`, `_c` for °C, `_w`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::loss::boost::{BoostLosses, BoostOperatingPoint, boost_losses};
use crate::loss::device::SwitchModel;
use crate::loss::inverter::{InverterLosses, InverterOperatingPoint, inverter_losses, require_tj};
use crate::loss::linear::LinearSwitch;
use crate::loss::result::DeviceLoss;
use crate::loss::waveform::{SwitchTrace, Thresholds, trace_extremes, trace_losses};
use crate::magnetics::request::{InductorLossRequest, InductorLossResult, inductor_losses};
use crate::passive::request::{CapacitorLossRequest, CapacitorLossResult, capacitor_losses};

/// Largest number of samples accepted per waveform signal.
pub const MAX_WAVEFORM_SAMPLES: usize = 10_000_000;

/// A device for the calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DeviceSpec {
    /// A part from the component library, by name.
    Part(String),
    /// A part described by first-page datasheet numbers.
    Linear(LinearSwitch),
}

/// A loss calculation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossRequest {
    /// Devices by the key the rest of the request uses.
    pub devices: BTreeMap<String, DeviceSpec>,
    /// A three-phase two-level inverter at one operating point.
    #[serde(default)]
    pub inverter_3ph: Option<InverterRequest>,
    /// A boost converter at one operating point.
    #[serde(default)]
    pub boost: Option<BoostRequest>,
    /// Sampled waveforms, one per position.
    #[serde(default)]
    pub waveforms: Vec<WaveformRequest>,
    /// Inductors: copper (DC and AC by Dowell) and core (iGSE) losses, by name.
    #[serde(default)]
    pub inductors: BTreeMap<String, InductorLossRequest>,
    /// Capacitors: ESR losses of the ripple current, by name.
    #[serde(default)]
    pub capacitors: BTreeMap<String, CapacitorLossRequest>,
}

/// The inverter part of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InverterRequest {
    /// Key of the device in `devices`, used for all six positions.
    pub device: String,
    /// The operating point.
    #[serde(flatten)]
    pub point: InverterOperatingPoint,
}

/// The boost part of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostRequest {
    /// Key of the low-side switch in `devices`.
    pub switch: String,
    /// Key of the rectifier (diode or high-side switch) in `devices`.
    pub rectifier: String,
    /// The operating point.
    #[serde(flatten)]
    pub point: BoostOperatingPoint,
}

/// Sampled signals of one position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveformRequest {
    /// Position name for the report.
    pub position: String,
    /// Key of the device in `devices`.
    pub device: String,
    /// Sample times [s], non-decreasing; a repeated time marks a switching event.
    pub t_s: Vec<f64>,
    /// Forward current [A] (negative in the reverse path).
    pub current_a: Vec<f64>,
    /// Blocking voltage [V].
    pub voltage_v: Vec<f64>,
    /// Gate command, above 0.5 meaning on.
    pub gate: Vec<f64>,
    /// Junction temperature [°C].
    pub tj_c: f64,
    /// Evaluation window `[from, to]` [s]; default the whole trace.
    #[serde(default)]
    pub window_s: Option<[f64; 2]>,
    /// Currents at or below this magnitude count as zero [A]; default 0.1 % of the
    /// peak.
    #[serde(default)]
    pub current_threshold_a: Option<f64>,
    /// Voltages at or below this count as not blocking [V]; default 10 % of the peak.
    #[serde(default)]
    pub voltage_threshold_v: Option<f64>,
}

/// The result of a loss calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossResponse {
    /// Inverter losses, when requested.
    pub inverter_3ph: Option<InverterLosses>,
    /// Boost losses, when requested.
    pub boost: Option<BoostLosses>,
    /// Losses per waveform position.
    pub waveforms: Vec<DeviceLoss>,
    /// Inductor losses by name.
    pub inductors: BTreeMap<String, InductorLossResult>,
    /// Capacitor losses by name.
    pub capacitors: BTreeMap<String, CapacitorLossResult>,
    /// Sum of every loss computed [W].
    pub total_w: f64,
    /// Caveats: lookups outside the datasheet range, missing curves.
    pub warnings: Vec<String>,
}

/// Error of a loss request, with `path` naming the JSON field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LossRequestError {
    /// JSON path of the field, e.g. `boost.v_out_v`.
    pub path: String,
    /// Problem and accepted range.
    pub message: String,
}

impl std::fmt::Display for LossRequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl LossRequestError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Finds a library part by name; returns a message naming close matches when it
/// is unknown.
pub type PartResolver<'a> = dyn Fn(&str) -> Result<Box<dyn SwitchModel>, String> + 'a;

/// Runs every calculation in `request`, resolving library parts with `resolve`.
///
/// # Errors
/// [`LossRequestError`] naming the first invalid field.
pub fn calc_losses(
    request: &LossRequest,
    resolve: &PartResolver<'_>,
) -> Result<LossResponse, LossRequestError> {
    let mut models: BTreeMap<&str, Box<dyn SwitchModel>> = BTreeMap::new();
    for (key, spec) in &request.devices {
        let path = format!("devices.{key}");
        let model: Box<dyn SwitchModel> = match spec {
            DeviceSpec::Part(name) => {
                resolve(name).map_err(|m| LossRequestError::new(format!("{path}.part"), m))?
            }
            DeviceSpec::Linear(linear) => {
                linear.validate().map_err(|e| {
                    LossRequestError::new(format!("{path}.linear.{}", e.field), e.to_string())
                })?;
                Box::new(linear.clone())
            }
        };
        models.insert(key.as_str(), model);
    }
    if request.inverter_3ph.is_none()
        && request.boost.is_none()
        && request.waveforms.is_empty()
        && request.inductors.is_empty()
        && request.capacitors.is_empty()
    {
        return Err(LossRequestError::new(
            "",
            "nothing to compute: give inverter_3ph, boost, waveforms, inductors or capacitors",
        ));
    }
    let device = |path: &str, key: &str| -> Result<&dyn SwitchModel, LossRequestError> {
        models.get(key).map(|m| m.as_ref()).ok_or_else(|| {
            let known: Vec<&str> = models.keys().copied().collect();
            LossRequestError::new(
                path,
                format!("unknown device \"{key}\" (devices: {})", known.join(", ")),
            )
        })
    };

    let mut total = 0.0;
    let mut warnings = Vec::new();

    let inverter_3ph = match &request.inverter_3ph {
        Some(inverter) => {
            let model = device("inverter_3ph.device", &inverter.device)?;
            let losses = inverter_losses(model, &inverter.point).map_err(|e| {
                LossRequestError::new(format!("inverter_3ph.{}", e.field), e.to_string())
            })?;
            losses.position.push_warnings(&mut warnings);
            let point = &inverter.point;
            model.ratings().check(
                &format!("inverter_3ph ({})", model.name()),
                point.v_dc_v,
                point.i_peak_a,
                point.tj_c,
                &mut warnings,
            );
            total += losses.total_w;
            Some(losses)
        }
        None => None,
    };
    let boost = match &request.boost {
        Some(boost) => {
            let switch = device("boost.switch", &boost.switch)?;
            let rectifier = device("boost.rectifier", &boost.rectifier)?;
            let losses = boost_losses(switch, rectifier, &boost.point)
                .map_err(|e| LossRequestError::new(format!("boost.{}", e.field), e.to_string()))?;
            losses.switch.push_warnings(&mut warnings);
            losses.rectifier.push_warnings(&mut warnings);
            let point = &boost.point;
            switch.ratings().check(
                &format!("boost switch ({})", switch.name()),
                point.v_out_v,
                losses.i_max_a,
                point.tj_switch_c,
                &mut warnings,
            );
            rectifier.ratings().check(
                &format!("boost rectifier ({})", rectifier.name()),
                point.v_out_v,
                losses.i_max_a,
                point.tj_rectifier_c,
                &mut warnings,
            );
            total += losses.total_w;
            Some(losses)
        }
        None => None,
    };
    let mut waveforms = Vec::new();
    for (index, wave) in request.waveforms.iter().enumerate() {
        let path = format!("waveforms[{index}]");
        let model = device(&format!("{path}.device"), &wave.device)?;
        if wave.t_s.len() > MAX_WAVEFORM_SAMPLES {
            return Err(LossRequestError::new(
                format!("{path}.t_s"),
                format!(
                    "has {} samples; at most {MAX_WAVEFORM_SAMPLES} are accepted",
                    wave.t_s.len()
                ),
            ));
        }
        require_tj("tj_c", wave.tj_c)
            .map_err(|e| LossRequestError::new(format!("{path}.tj_c"), e.to_string()))?;
        let trace = SwitchTrace {
            t: &wave.t_s,
            current: &wave.current_a,
            voltage: &wave.voltage_v,
            gate: &wave.gate,
        };
        let thresholds = match (wave.current_threshold_a, wave.voltage_threshold_v) {
            (None, None) => None,
            (current, voltage) => {
                let default = Thresholds::relative_to(&trace);
                let current_a = current.unwrap_or(default.current_a);
                let voltage_v = voltage.unwrap_or(default.voltage_v);
                for (field, value) in [
                    ("current_threshold_a", current_a),
                    ("voltage_threshold_v", voltage_v),
                ] {
                    if !(value.is_finite() && value >= 0.0) {
                        return Err(LossRequestError::new(
                            format!("{path}.{field}"),
                            format!("must be finite and at least 0, got {value}"),
                        ));
                    }
                }
                Some(Thresholds {
                    current_a,
                    voltage_v,
                })
            }
        };
        let window = wave.window_s.map(|[from, to]| (from, to));
        let loss = trace_losses(&wave.position, model, &trace, wave.tj_c, window, thresholds)
            .map_err(|e| LossRequestError::new(path.clone(), e.to_string()))?;
        loss.push_warnings(&mut warnings);
        let (from, to) = window.unwrap_or_else(|| trace.span());
        let (v_max, i_max) = trace_extremes(&trace, from, to);
        model.ratings().check(
            &format!("{} ({})", wave.position, model.name()),
            v_max,
            i_max,
            wave.tj_c,
            &mut warnings,
        );
        total += loss.total_w;
        waveforms.push(loss);
    }
    let mut inductors = BTreeMap::new();
    for (name, inductor) in &request.inductors {
        let result = inductor_losses(inductor)
            .map_err(|e| LossRequestError::new(format!("inductors.{name}"), e.to_string()))?;
        for finding in &result.findings {
            warnings.push(format!("inductor {name}: {}", finding.message));
        }
        total += result.total_w;
        inductors.insert(name.clone(), result);
    }
    let mut capacitors = BTreeMap::new();
    for (name, capacitor) in &request.capacitors {
        let result = capacitor_losses(capacitor)
            .map_err(|e| LossRequestError::new(format!("capacitors.{name}"), e.to_string()))?;
        for finding in &result.findings {
            warnings.push(format!("capacitor {name}: {}", finding.message));
        }
        total += result.loss_w;
        capacitors.insert(name.clone(), result);
    }
    Ok(LossResponse {
        inverter_3ph,
        boost,
        waveforms,
        inductors,
        capacitors,
        total_w: total,
        warnings,
    })
}
