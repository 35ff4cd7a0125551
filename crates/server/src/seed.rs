//! Demo content for a first start: projects whose designs are the shipped examples
//! (real parts from the component library, CEC modules, TMY3 weather, legislated
//! drive cycles), with their runs queued at seed time so they are computed by the
//! workers within a minute of the first start.

use pelab_store::{Domain, NewProject, NewRun, RunMode};
use serde_json::Value;

use crate::routes::projects::validate_document_async;
use crate::state::AppState;
use crate::worker::{RunDocument, RunOptions};

/// A demo design: an example file and the name it gets.
struct DemoDesign {
    name: &'static str,
    toml: &'static str,
}

struct DemoProject {
    name: &'static str,
    domain: Domain,
    notes: &'static str,
    designs: &'static [DemoDesign],
}

const DEMOS: &[DemoProject] = &[
    DemoProject {
        name: "EV traction inverter 400 V",
        domain: Domain::Ev,
        notes: "Interior PMSM on a SiC inverter (Wolfspeed CAB530M12BM3), FOC with \
                MTPA: a speed step, and the WLTC class 3 cycle with inverter losses and Tj.",
        designs: &[
            DemoDesign {
                name: "Traction drive, speed step",
                toml: include_str!("../../../examples/ev-traction-400v.toml"),
            },
            DemoDesign {
                name: "WLTC cycle, 400 V",
                toml: include_str!("../../../examples/ev-wltc-400v.toml"),
            },
        ],
    },
    DemoProject {
        name: "EV traction inverter 800 V",
        domain: Domain::Ev,
        notes: "The same class of machine on an 800 V SiC inverter, and the WLTC cycle.",
        designs: &[
            DemoDesign {
                name: "Traction drive, speed step",
                toml: include_str!("../../../examples/ev-traction-800v.toml"),
            },
            DemoDesign {
                name: "WLTC cycle, 800 V",
                toml: include_str!("../../../examples/ev-wltc-800v.toml"),
            },
        ],
    },
    DemoProject {
        name: "On-board charger DC-DC",
        domain: Domain::Ev,
        notes: "Bidirectional 800 V to 400 V stage (charge, then vehicle-to-load) and a \
                two-phase interleaved boost front end.",
        designs: &[
            DemoDesign {
                name: "Bidirectional DC link, ±10 kW",
                toml: include_str!("../../../examples/obc-dc-link-bidirectional.toml"),
            },
            DemoDesign {
                name: "Interleaved boost 250 V to 400 V",
                toml: include_str!("../../../examples/obc-interleaved-boost-2ph.toml"),
            },
        ],
    },
    DemoProject {
        name: "DC fast charger DC-DC stage",
        domain: Domain::Dc,
        notes: "30 kW synchronous SiC buck from the 800 V bus to a 400 V battery.",
        designs: &[DemoDesign {
            name: "Buck 800 V to 400 V, 30 kW",
            toml: include_str!("../../../examples/dcfc-buck-800v-400v.toml"),
        }],
    },
    DemoProject {
        name: "PV string inverter with MPPT",
        domain: Domain::Pv,
        notes: "12 × Canadian Solar CS6K-275M on a TMY3 summer day with P&O MPPT, and \
                the 10 kW LCL grid-tie inverter stage.",
        designs: &[
            DemoDesign {
                name: "String, boost and MPPT over a day",
                toml: include_str!("../../../examples/pv-string-mppt.toml"),
            },
            DemoDesign {
                name: "Grid-tie inverter 10 kW, LCL",
                toml: include_str!("../../../examples/grid-tie-10kw-lcl.toml"),
            },
        ],
    },
];

/// The design document of an example file.
fn document(toml_text: &str) -> Result<Value, String> {
    let table: toml::Table = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    serde_json::to_value(table).map_err(|e| e.to_string())
}

/// Creates the demo projects and queues their runs. Failures are logged and skipped:
/// a demo must never stop the server from starting.
pub async fn seed(state: &AppState) {
    for demo in DEMOS {
        let project = match state
            .store
            .create_project(
                state.org_id,
                &NewProject {
                    name: demo.name.into(),
                    domain: demo.domain,
                    notes: demo.notes.into(),
                },
            )
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, project = demo.name, "cannot seed a demo project");
                continue;
            }
        };
        for design in demo.designs {
            if let Err(e) = seed_design(state, project.id, design).await {
                tracing::warn!(error = %e, design = design.name, "cannot seed a demo design");
            }
        }
    }
    tracing::info!(
        projects = DEMOS.len(),
        "seeded the demo projects; their runs are queued"
    );
}

async fn seed_design(
    state: &AppState,
    project: uuid::Uuid,
    demo: &DemoDesign,
) -> Result<(), String> {
    let doc = document(demo.toml)?;
    validate_document_async(doc.clone(), None)
        .await
        .map_err(|e| e.0.detail.clone())?;
    let topology = doc["kernel"].as_str().unwrap_or_default().to_string();
    let design = state
        .store
        .create_design(
            state.org_id,
            project,
            demo.name,
            &topology,
            &doc,
            Some(state.user_id),
        )
        .await
        .map_err(|e| e.to_string())?;
    let request = serde_json::to_value(RunDocument {
        design: doc,
        options: RunOptions::default(),
    })
    .map_err(|e| e.to_string())?;
    let (_, job) = state
        .store
        .create_run(
            state.org_id,
            &NewRun {
                project_id: project,
                design_id: Some(design.id),
                mode: RunMode::Sim,
                request,
                created_by: Some(state.user_id),
                max_attempts: state.config.max_attempts,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    state.queue.announce(job).await;
    Ok(())
}

/// Every demo design document, for tests.
pub fn demo_documents() -> Vec<(&'static str, Result<Value, String>)> {
    DEMOS
        .iter()
        .flat_map(|p| p.designs.iter())
        .map(|d| (d.name, document(d.toml)))
        .collect()
}
