//! `GET /runs/{id}/report.pdf`: the PDF report of a finished run, rendered on the
//! server by pelab-report from the run's summary and its stored waveforms.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use pelab_report::{JunctionRow, LossRow, Metric, Plot, ReportInput, Series};
use pelab_store::Run;
use pelab_waveform::{Bucket, SignalInfo};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Id;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

/// Points per plotted signal.
const PLOT_POINTS: usize = 1500;
/// Most plots (one per unit) and series per plot.
const MAX_PLOTS: usize = 6;
const MAX_SERIES: usize = 6;

/// The PDF report of a finished run: summary, parameters, losses, Tj and waveform
/// plots.
#[utoipa::path(get, path = "/runs/{id}/report.pdf", tag = "runs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn report(State(s): State<AppState>, p: Principal, Id(id): Id) -> ApiResult<Response> {
    let run = s.store.get_run(p.org_id, id).await?;
    if !run.status.is_final() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "run-not-finished",
            format!(
                "run {id} is {}; the report exists once it has finished",
                run.status
            ),
        ));
    }
    let project = s.store.get_project(p.org_id, run.project_id).await?;
    let waves = match s.store.run_waveform(p.org_id, id).await? {
        Some(name) => {
            let store = s.waveforms.clone();
            tokio::task::spawn_blocking(move || plot_buckets(&store, &name))
                .await
                .ok()
                .flatten()
        }
        None => None,
    };
    let input = report_input(&run, &project.name, waves.as_ref());
    let pdf = tokio::task::spawn_blocking(move || pelab_report::render(&input))
        .await
        .map_err(|e| ApiError::internal(format!("rendering the report stopped: {e}")))?
        .map_err(|e| ApiError::internal(format!("cannot render the report: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"run-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

fn push_metric(out: &mut Vec<Metric>, name: &str, value: Option<f64>, unit: &str) {
    if let Some(value) = value {
        out.push(Metric {
            name: name.into(),
            value,
            unit: unit.into(),
        });
    }
}

/// Gathers what the report shows from the run's summary document (circuit or model
/// results) and its recording.
pub fn report_input(run: &Run, project: &str, waves: Option<&PlotBuckets>) -> ReportInput {
    let design = &run.request["design"];
    let result = run
        .summary
        .as_ref()
        .map_or(Value::Null, |s| s["result"].clone());
    let mut metrics = Vec::new();
    let mut losses = Vec::new();
    let mut junctions = Vec::new();
    let mut warnings: Vec<String> = result["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(list) = result["metrics"].as_array() {
        for m in list {
            let name = m["name"].as_str().unwrap_or("?");
            let unit = m["unit"].as_str().unwrap_or("");
            let value = num(&m["value"]);
            // Per-position losses and junction temperatures of the model kernels.
            match (name.strip_prefix("loss_"), name.strip_prefix("tj_"), value) {
                (Some(pos), _, Some(w)) if unit == "W" && pos.starts_with(['S', 'D', 'T', 'Q']) => {
                    losses.push(LossRow {
                        device: format!("{pos} (total)"),
                        conduction_w: 0.0,
                        switching_w: 0.0,
                        other_w: w,
                    });
                }
                (_, Some(pos), Some(t)) if unit == "°C" => junctions.push(JunctionRow {
                    device: pos.to_string(),
                    tj_c: t,
                    tj_max_c: None,
                }),
                _ => {}
            }
            push_metric(
                &mut metrics,
                name,
                value,
                if unit == "1" { "" } else { unit },
            );
        }
    } else {
        push_metric(
            &mut metrics,
            "efficiency",
            num(&result["efficiency"]).map(|e| e * 100.0),
            "%",
        );
        push_metric(
            &mut metrics,
            "total losses",
            num(&result["loss_total"]),
            "W",
        );
        if let Some(ports) = result["ports"].as_array() {
            for p in ports {
                let name = p["name"].as_str().unwrap_or("port");
                push_metric(
                    &mut metrics,
                    &format!("{name} power"),
                    num(&p["power"]),
                    "W",
                );
                push_metric(
                    &mut metrics,
                    &format!("{name} voltage"),
                    num(&p["voltage_mean"]),
                    "V",
                );
            }
        }
        let v = &result["output_voltage"];
        push_metric(
            &mut metrics,
            "output voltage ripple (pk-pk)",
            num(&v["ripple_pp"]),
            "V",
        );
        if let Some(inductors) = result["inductors"].as_array() {
            for l in inductors {
                let name = l["signal"].as_str().unwrap_or("i_L");
                push_metric(&mut metrics, &format!("{name} rms"), num(&l["rms"]), "A");
                push_metric(
                    &mut metrics,
                    &format!("{name} ripple (pk-pk)"),
                    num(&l["ripple_pp"]),
                    "A",
                );
            }
        }
        let semis = &result["semiconductors"];
        if let Some(devices) = semis["devices"].as_array() {
            for d in devices {
                let f = |k: &str| num(&d[k]).unwrap_or(0.0);
                losses.push(LossRow {
                    device: format!(
                        "{} ({})",
                        d["position"].as_str().unwrap_or("?"),
                        d["part"].as_str().unwrap_or("?")
                    ),
                    conduction_w: f("conduction_forward_w") + f("conduction_reverse_w"),
                    switching_w: f("turn_on_w") + f("turn_off_w") + f("recovery_w") + f("coss_w"),
                    other_w: 0.0,
                });
            }
        } else if let Some(list) = result["losses"].as_array() {
            for l in list {
                let element = l["element"].as_str().unwrap_or("?");
                let power = num(&l["power"]).unwrap_or(0.0);
                // Switches and diodes of the circuit switch instantly, so their losses
                // are conduction losses; resistors (winding, ESR) are "other".
                let semiconductor = is_semiconductor_element(element);
                losses.push(LossRow {
                    device: element.to_string(),
                    conduction_w: if semiconductor { power } else { 0.0 },
                    switching_w: 0.0,
                    other_w: if semiconductor { 0.0 } else { power },
                });
            }
        }
        if let Some(list) = semis["junctions"].as_array() {
            for j in list {
                if let Some(tj) = num(&j["tj_final_c"]) {
                    junctions.push(JunctionRow {
                        device: j["position"].as_str().unwrap_or("?").to_string(),
                        tj_c: tj,
                        tj_max_c: num(&j["tj_max_c"]),
                    });
                }
            }
        }
        if let Some(list) = semis["rating_violations"].as_array() {
            warnings.extend(list.iter().filter_map(|x| x.as_str().map(String::from)));
        }
    }
    if let Some(e) = &run.error {
        warnings.insert(0, format!("run {}: {e}", run.status));
    }
    let units: std::collections::HashMap<&str, &str> = design["kernel"]
        .as_str()
        .and_then(pelab_sim::kernels::find)
        .map(|k| {
            k.info()
                .parameters
                .iter()
                .map(|p| (p.name, p.unit))
                .collect()
        })
        .unwrap_or_default();
    let parameters = design["parameters"]
        .as_object()
        .map(|p| {
            p.iter()
                .map(|(k, v)| {
                    let text = v.to_string().trim_matches('"').to_string();
                    let unit = units.get(k.as_str()).copied().unwrap_or("");
                    let value = if unit.is_empty() || unit == "1" {
                        text
                    } else {
                        format!("{text} {unit}")
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default();
    ReportInput {
        title: design["title"]
            .as_str()
            .unwrap_or("Simulation run")
            .to_string(),
        run_id: run.id.to_string(),
        project: project.to_string(),
        kernel: design["kernel"].as_str().unwrap_or("?").to_string(),
        status: run.status.to_string(),
        created_at: run.created_at.to_rfc3339(),
        finished_at: run.finished_at.map(|t| t.to_rfc3339()),
        metrics,
        losses,
        junctions,
        plots: waves
            .map(|(signals, buckets)| plots(signals, buckets))
            .unwrap_or_default(),
        warnings,
        parameters,
    }
}

/// The signals of a recording and their min/max buckets over its whole span.
pub type PlotBuckets = (Vec<SignalInfo>, Vec<Vec<Bucket>>);

/// Rows read per block when the report's plots are decimated from the file.
pub(crate) const PLOT_BLOCK_ROWS: usize = 65_536;

/// Decimates a stored recording for the report's plots, block by block, so the report
/// never holds the whole recording. `None` when the file is unreadable or empty.
fn plot_buckets(store: &pelab_store::WaveformStore, name: &str) -> Option<PlotBuckets> {
    let mut file = store.open_file(name).ok()?;
    let (_, buckets) = file.decimate_all(PLOT_POINTS / 2, PLOT_BLOCK_ROWS).ok()??;
    Some((file.signals().to_vec(), buckets))
}

/// Returns whether a netlist element name is a switch or a diode (`S…`, `D…`), by the
/// SPICE convention the kernels' netlists follow.
fn is_semiconductor_element(name: &str) -> bool {
    name.starts_with(['S', 'D', 's', 'd'])
}

/// Builds one plot per unit, each signal's min/max pairs drawn as one envelope line.
fn plots(signals: &[SignalInfo], buckets: &[Vec<Bucket>]) -> Vec<Plot> {
    let mut plots: Vec<Plot> = Vec::new();
    // Inductor currents and the output voltage first, so they keep their place when a
    // plot is full (MAX_SERIES) on designs with many phases.
    let mut order: Vec<usize> = (0..signals.len().min(buckets.len())).collect();
    order.sort_by_key(|&k| {
        let name = signals[k].name.as_str();
        !(name.starts_with("i(L") || name.starts_with("v(out"))
    });
    for (info, b) in order.iter().map(|&k| (&signals[k], &buckets[k])) {
        if info.name.starts_with("gate(") || info.name.starts_with("on(") {
            continue;
        }
        let mut x = Vec::with_capacity(2 * b.len());
        let mut y = Vec::with_capacity(2 * b.len());
        for k in b {
            x.push(k.t_first);
            y.push(k.min);
            x.push(k.t_last.max(k.t_first));
            y.push(k.max);
        }
        let series = Series {
            name: info.name.clone(),
            unit: info.unit.clone(),
            x,
            y,
        };
        let label = unit_label(&info.unit);
        match plots.iter().position(|p| p.y_label == label) {
            Some(i) if plots[i].series.len() < MAX_SERIES => plots[i].series.push(series),
            Some(_) => {}
            None if plots.len() < MAX_PLOTS => plots.push(Plot {
                title: format!("Signals in {label}"),
                x_label: "Time [s]".into(),
                y_label: label,
                series: vec![series],
            }),
            None => {}
        }
    }
    plots
}

fn unit_label(unit: &str) -> String {
    if unit.is_empty() || unit == "1" {
        "ratio".into()
    } else {
        unit.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circuit_switch_losses_are_conduction() {
        let run: Run = serde_json::from_value(serde_json::json!({
            "id": "01a24587-0601-7450-a3c7-edebd979d729",
            "org_id": "01a24587-0255-7631-b9aa-43920be0c58d",
            "project_id": "01a24587-025d-7590-a430-a28121b49dd6",
            "design_id": null, "mode": "SIM", "status": "done", "progress": 1.0,
            "cancel_requested": false, "error": null, "samples": 10,
            "created_by": null, "created_at": "2026-12-05T09:26:46Z",
            "started_at": null, "finished_at": null,
            "request": {"design": {"kernel": "buck", "title": "buck"}},
            "summary": {"kind": "circuit", "result": {"losses": [
                {"element": "S1", "power": 2.0},
                {"element": "DS2", "power": 1.0},
                {"element": "RL1", "power": 3.0}
            ]}}
        }))
        .expect("a run document");
        let input = report_input(&run, "p", None);
        let row = |name: &str| {
            input
                .losses
                .iter()
                .find(|r| r.device == name)
                .expect("a loss row")
        };
        assert_eq!(row("S1").conduction_w, 2.0);
        assert_eq!(row("DS2").conduction_w, 1.0);
        assert_eq!(row("RL1").conduction_w, 0.0);
        assert_eq!(row("RL1").other_w, 3.0);
    }
}
