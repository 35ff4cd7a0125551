//! Design files: a kernel name and its `[parameters]`, `[control]` and `[simulation]`
//! sections, in TOML or JSON.
//!
//! ```toml
//! kernel = "boost"
//! title = "400 V to 800 V EV boost"
//!
//! [parameters]
//! v_in = 400.0
//! l = 200e-6
//! c = 100e-6
//! r_load = 64.0
//! f_sw = 50e3
//!
//! [control]
//! mode = "voltage"
//! v_ref = 800.0
//!
//! [simulation]
//! t_stop = 20e-3
//! ```
//!
//! Every value is checked against the kernel's parameter table; an error names the
//! field (`parameters.l`), the value and the accepted range.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::kernels::params::{DesignError, Params, RawValue};
use crate::kernels::{self, KernelRef, Prepared};
use crate::models::{ModelInputs, ModelRun};
use crate::semiconductors::{gate_drive_specs, thermal_specs};

/// Largest design file accepted [bytes].
const MAX_DESIGN_BYTES: usize = 1 << 20;

/// A validated design.
pub struct Design {
    /// The kernel.
    pub kernel: KernelRef,
    /// Title for reports.
    pub title: String,
    /// Free-text description.
    pub description: String,
    /// `[parameters]`.
    pub parameters: Params,
    /// `[control]`.
    pub control: Params,
    /// `[simulation]`.
    pub simulation: Params,
    /// `[devices]`: a library part name per switch position.
    pub devices: BTreeMap<String, String>,
    /// `[thermal]`: how junction temperatures are found.
    pub thermal: Params,
    /// `[gate_drive]`: gate resistances and voltages for transition-speed estimates.
    pub gate_drive: Params,
}

/// The validated values of a design, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct DesignEcho {
    /// Kernel name.
    pub kernel: String,
    /// Title.
    pub title: String,
    /// Parameters with defaults filled in.
    pub parameters: Params,
    /// Control settings with defaults filled in.
    pub control: Params,
    /// Simulation settings with defaults filled in.
    pub simulation: Params,
    /// Library part per switch position.
    pub devices: BTreeMap<String, String>,
    /// Thermal settings with defaults filled in.
    pub thermal: Params,
    /// Gate-drive settings.
    pub gate_drive: Params,
}

/// File format of a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// Format from a file extension (`.json` is JSON, anything else TOML).
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

impl Design {
    /// Reads and validates a design file.
    ///
    /// # Errors
    /// [`DesignError`] for unreadable files, syntax errors and invalid values.
    pub fn load(path: &Path) -> Result<Design, DesignError> {
        let metadata = std::fs::metadata(path)
            .map_err(|e| DesignError::new("", format!("cannot read {}: {e}", path.display())))?;
        if metadata.len() > MAX_DESIGN_BYTES as u64 {
            return Err(DesignError::new(
                "",
                format!(
                    "{} is {} bytes, more than the {MAX_DESIGN_BYTES}-byte limit",
                    path.display(),
                    metadata.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| DesignError::new("", format!("cannot read {}: {e}", path.display())))?;
        Design::parse(&text, Format::from_path(path))
    }

    /// Parses and validates design text.
    ///
    /// # Errors
    /// [`DesignError`] for syntax errors, unknown kernels or sections, and invalid
    /// values.
    pub fn parse(text: &str, format: Format) -> Result<Design, DesignError> {
        if text.len() > MAX_DESIGN_BYTES {
            return Err(DesignError::new(
                "",
                format!("design is larger than {MAX_DESIGN_BYTES} bytes"),
            ));
        }
        let root = match format {
            Format::Toml => {
                let table: toml::Table = toml::from_str(text).map_err(|e| {
                    DesignError::new("", format!("invalid TOML: {}", e.to_string().trim()))
                })?;
                toml_table(&table)
            }
            Format::Json => {
                let value: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| DesignError::new("", format!("invalid JSON: {e}")))?;
                match value {
                    serde_json::Value::Object(map) => json_object(&map),
                    _ => return Err(DesignError::new("", "a design must be a JSON object")),
                }
            }
        };
        Design::from_sections(root)
    }

    fn from_sections(root: BTreeMap<String, Section>) -> Result<Design, DesignError> {
        const TOP_LEVEL: [&str; 9] = [
            "kernel",
            "title",
            "description",
            "parameters",
            "control",
            "simulation",
            "devices",
            "thermal",
            "gate_drive",
        ];
        for key in root.keys() {
            if !TOP_LEVEL.contains(&key.as_str()) {
                return Err(DesignError::new(
                    key.as_str(),
                    format!("unknown field (accepted: {})", TOP_LEVEL.join(", ")),
                ));
            }
        }
        let text_field = |key: &str| -> Result<Option<String>, DesignError> {
            match root.get(key) {
                None => Ok(None),
                Some(Section::Value(RawValue::Text(s))) => Ok(Some(s.clone())),
                Some(_) => Err(DesignError::new(key, "must be a string")),
            }
        };
        let kernel_names: Vec<&str> = kernels::registry().iter().map(|k| k.info().name).collect();
        let Some(kernel_name) = text_field("kernel")? else {
            return Err(DesignError::new(
                "kernel",
                format!("missing; expected one of: {}", kernel_names.join(", ")),
            ));
        };
        let Some(kernel) = kernels::find(&kernel_name) else {
            return Err(DesignError::new(
                "kernel",
                format!(
                    "unknown kernel \"{kernel_name}\"; expected one of: {}",
                    kernel_names.join(", ")
                ),
            ));
        };
        let info = kernel.info();
        let section = |name: &str| -> Result<BTreeMap<String, RawValue>, DesignError> {
            match root.get(name) {
                None => Ok(BTreeMap::new()),
                Some(Section::Table(t)) => Ok(t.clone()),
                Some(Section::Value(_)) => {
                    Err(DesignError::new(name, "must be a table of parameters"))
                }
            }
        };
        Ok(Design {
            kernel,
            title: text_field("title")?.unwrap_or_else(|| info.summary.to_string()),
            description: text_field("description")?.unwrap_or_default(),
            parameters: Params::validate("parameters", &section("parameters")?, &info.parameters)?,
            control: Params::validate("control", &section("control")?, &info.control)?,
            simulation: Params::validate("simulation", &section("simulation")?, &info.simulation)?,
            devices: device_names(&section("devices")?)?,
            thermal: Params::validate("thermal", &section("thermal")?, &thermal_specs())?,
            gate_drive: Params::validate(
                "gate_drive",
                &section("gate_drive")?,
                &gate_drive_specs(),
            )?,
        })
    }

    /// Builds the circuit, gate drive and run options.
    ///
    /// # Errors
    /// [`DesignError`] for parameter combinations the kernel rejects.
    pub fn prepare(&self) -> Result<Prepared, DesignError> {
        match self.kernel {
            KernelRef::Circuit(k) => k.prepare(&self.parameters, &self.control, &self.simulation),
            KernelRef::Model(k) => Err(DesignError::new(
                "kernel",
                format!(
                    "kernel \"{}\" is a model simulated from its own state equations and has no netlist",
                    k.info().name
                ),
            )),
        }
    }

    /// Whether the kernel is a model kernel rather than a netlist template.
    pub fn is_model(&self) -> bool {
        matches!(self.kernel, KernelRef::Model(_))
    }

    /// Checks a model kernel's design and builds the model.
    ///
    /// # Errors
    /// [`DesignError`] naming the field at fault, or the kernel when it is a circuit
    /// kernel (use [`Design::prepare`] for those).
    pub fn build_model(&self) -> Result<Box<dyn ModelRun>, DesignError> {
        match self.kernel {
            KernelRef::Model(k) => k.build(&ModelInputs {
                parameters: &self.parameters,
                control: &self.control,
                simulation: &self.simulation,
                devices: &self.devices,
                thermal: &self.thermal,
                gate_drive: &self.gate_drive,
            }),
            KernelRef::Circuit(k) => Err(DesignError::new(
                "kernel",
                format!(
                    "kernel \"{}\" is a circuit kernel; prepare it instead",
                    k.info().name
                ),
            )),
        }
    }

    /// The validated values, for the summary.
    pub fn echo(&self) -> DesignEcho {
        DesignEcho {
            kernel: self.kernel.info().name.to_string(),
            title: self.title.clone(),
            parameters: self.parameters.clone(),
            control: self.control.clone(),
            simulation: self.simulation.clone(),
            devices: self.devices.clone(),
            thermal: self.thermal.clone(),
            gate_drive: self.gate_drive.clone(),
        }
    }
}

/// Reads `[devices]`: position name to part name, both text.
fn device_names(raw: &BTreeMap<String, RawValue>) -> Result<BTreeMap<String, String>, DesignError> {
    let mut devices = BTreeMap::new();
    for (position, value) in raw {
        match value {
            RawValue::Text(part) if !part.trim().is_empty() => {
                devices.insert(position.clone(), part.trim().to_string());
            }
            _ => {
                return Err(DesignError::new(
                    format!("devices.{position}"),
                    "must be the name of a library part, e.g. \"CREE_C3M0016120K\" (list them with `pelab components list`)",
                ));
            }
        }
    }
    Ok(devices)
}

/// A top-level entry: a section table or a plain value.
#[derive(Debug, Clone)]
enum Section {
    Table(BTreeMap<String, RawValue>),
    Value(RawValue),
}

fn toml_value(value: &toml::Value) -> RawValue {
    match value {
        toml::Value::Integer(i) => RawValue::Number(*i as f64),
        toml::Value::Float(f) => RawValue::Number(*f),
        toml::Value::String(s) => RawValue::Text(s.clone()),
        toml::Value::Boolean(b) => RawValue::Bool(*b),
        toml::Value::Array(items) => RawValue::List(items.iter().map(toml_value).collect()),
        toml::Value::Table(_) => RawValue::Other("a table".into()),
        toml::Value::Datetime(_) => RawValue::Other("a date".into()),
    }
}

fn toml_table(table: &toml::Table) -> BTreeMap<String, Section> {
    table
        .iter()
        .map(|(k, v)| {
            let section = match v {
                toml::Value::Table(inner) => Section::Table(
                    inner
                        .iter()
                        .map(|(k, v)| (k.clone(), toml_value(v)))
                        .collect(),
                ),
                other => Section::Value(toml_value(other)),
            };
            (k.clone(), section)
        })
        .collect()
}

fn json_value(value: &serde_json::Value) -> RawValue {
    match value {
        serde_json::Value::Number(n) => n.as_f64().map_or(
            RawValue::Other("a number out of range".into()),
            RawValue::Number,
        ),
        serde_json::Value::String(s) => RawValue::Text(s.clone()),
        serde_json::Value::Bool(b) => RawValue::Bool(*b),
        serde_json::Value::Array(items) => RawValue::List(items.iter().map(json_value).collect()),
        serde_json::Value::Object(_) => RawValue::Other("an object".into()),
        serde_json::Value::Null => RawValue::Other("null".into()),
    }
}

fn json_object(map: &serde_json::Map<String, serde_json::Value>) -> BTreeMap<String, Section> {
    map.iter()
        .map(|(k, v)| {
            let section = match v {
                serde_json::Value::Object(inner) => Section::Table(
                    inner
                        .iter()
                        .map(|(k, v)| (k.clone(), json_value(v)))
                        .collect(),
                ),
                other => Section::Value(json_value(other)),
            };
            (k.clone(), section)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
kernel = "boost"
[parameters]
v_in = 400.0
l = 200e-6
c = 100e-6
r_load = 64.0
f_sw = 50e3
[simulation]
t_stop = 1e-3
"#;

    #[test]
    fn parses_minimal_design() {
        let design = Design::parse(MINIMAL, Format::Toml).unwrap();
        assert_eq!(design.kernel.info().name, "boost");
        assert_eq!(design.parameters.number("r_on"), 10e-3);
        assert_eq!(design.control.text("mode"), "open_loop");
    }

    #[test]
    fn json_and_toml_agree() {
        let json = r#"{"kernel": "boost", "parameters": {"v_in": 400, "l": 2e-4, "c": 1e-4,
            "r_load": 64, "f_sw": 50000}, "simulation": {"t_stop": 0.001}}"#;
        let a = Design::parse(json, Format::Json).unwrap();
        let b = Design::parse(MINIMAL, Format::Toml).unwrap();
        assert_eq!(a.parameters, b.parameters);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (MINIMAL.replace("l = 200e-6", "l = -200e-6"), "parameters.l"),
            (MINIMAL.replace("l = 200e-6", "l = nan"), "parameters.l"),
            (
                MINIMAL.replace("f_sw = 50e3", "f_sw = inf"),
                "parameters.f_sw",
            ),
            (
                MINIMAL.replace("kernel = \"boost\"", "kernel = \"flyback\""),
                "kernel",
            ),
            (
                MINIMAL.replace("[simulation]", "[simulation]\nfoo = 1"),
                "simulation.foo",
            ),
            (MINIMAL.replace("c = 100e-6\n", ""), "parameters.c"),
            (
                format!("{MINIMAL}\n[control]\nduty = 1.5\n"),
                "control.duty",
            ),
            (format!("extra = 1\n{MINIMAL}"), "extra"),
        ];
        for (text, path) in cases {
            let err = Design::parse(&text, Format::Toml)
                .err()
                .unwrap_or_else(|| panic!("{path} accepted"));
            assert_eq!(err.path, path, "{err}");
        }
    }

    #[test]
    fn syntax_errors_are_reported() {
        let err = Design::parse("kernel = ", Format::Toml).err().unwrap();
        assert!(err.message.contains("invalid TOML"), "{err}");
        let err = Design::parse("[1, 2]", Format::Json).err().unwrap();
        assert!(err.message.contains("JSON object"), "{err}");
    }
}
