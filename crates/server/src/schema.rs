//! JSON Schemas (2020-12) of design documents, generated from the kernels' parameter
//! specs, so the ranges a form shows are the ranges the simulator enforces.

use pelab_sim::kernels::{self, params::ParamKind, params::ParamSpec};
use pelab_sim::semiconductors::{gate_drive_specs, thermal_specs};
use serde_json::{Map, Value, json};

fn property(spec: &ParamSpec) -> Value {
    let mut p = match &spec.kind {
        ParamKind::Number {
            min,
            min_exclusive,
            max,
        } => {
            let mut v = json!({"type": "number", "maximum": max});
            v["exclusiveMinimum"] = Value::Null;
            if *min_exclusive {
                v["exclusiveMinimum"] = json!(min);
            } else {
                v["minimum"] = json!(min);
            }
            if let Some(o) = v.as_object_mut() {
                o.retain(|_, x| !x.is_null());
            }
            v
        }
        ParamKind::Integer { min, max } => {
            json!({"type": "integer", "minimum": min, "maximum": max})
        }
        ParamKind::Choice { options } => json!({"type": "string", "enum": options}),
        ParamKind::Bool => json!({"type": "boolean"}),
        ParamKind::NumberList {
            min,
            max,
            min_len,
            max_len,
        } => json!({
            "type": "array",
            "items": {"type": "number", "minimum": min, "maximum": max},
            "minItems": min_len,
            "maxItems": max_len,
        }),
        ParamKind::Text { max_len } => {
            json!({"type": "string", "minLength": 1, "maxLength": max_len})
        }
        ParamKind::Schedule { min, max } => json!({
            "type": "array",
            "items": {
                "type": "array",
                "prefixItems": [{"type": "number"}, {"type": "number", "minimum": min, "maximum": max}],
                "minItems": 2,
                "maxItems": 2,
            },
        }),
    };
    if let Some(o) = p.as_object_mut() {
        let unit = if spec.unit.is_empty() || spec.unit == "1" {
            String::new()
        } else {
            format!(" [{}]", spec.unit)
        };
        o.insert(
            "description".into(),
            json!(format!("{}{unit}", spec.description)),
        );
        if !spec.unit.is_empty() {
            o.insert("x-unit".into(), json!(spec.unit));
        }
        if let Some(d) = &spec.default {
            o.insert(
                "default".into(),
                serde_json::to_value(d).unwrap_or(Value::Null),
            );
        }
    }
    p
}

fn section(specs: &[ParamSpec]) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for spec in specs {
        props.insert(spec.name.to_string(), property(spec));
        if spec.default.is_none() && !spec.optional {
            required.push(spec.name);
        }
    }
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema of a design document of kernel `name`, or `None` for an unknown kernel.
pub fn design_schema(name: &str) -> Option<Value> {
    let kernel = kernels::find(name)?;
    let info = kernel.info();
    let params = section(&info.parameters);
    let has_required = params["required"].as_array().is_some_and(|r| !r.is_empty());
    let mut required = vec!["kernel"];
    if has_required {
        required.push("parameters");
    }
    Some(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://pelab.dev/schemas/design/{name}.json"),
        "title": format!("pelab design: {name}"),
        "description": info.summary,
        "type": "object",
        "properties": {
            "kernel": {"const": name},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "parameters": params,
            "control": section(&info.control),
            "simulation": section(&info.simulation),
            "devices": {
                "type": "object",
                "description": "a library part name per switch position, or `all`",
                "additionalProperties": {"type": "string"},
            },
            "thermal": section(&thermal_specs()),
            "gate_drive": section(&gate_drive_specs()),
        },
        "required": required,
        "additionalProperties": false,
    }))
}

/// Names of every kernel, for writing the schema files.
pub fn kernel_names() -> Vec<&'static str> {
    kernels::registry().iter().map(|k| k.info().name).collect()
}
