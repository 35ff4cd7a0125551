//! Domain types stored by pelab. They double as the API's JSON bodies, so they derive
//! the OpenAPI schema.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the stored text.
            ///
            /// # Errors
            /// [`crate::StoreError::Invalid`] naming the accepted values.
            pub fn parse(field: &str, text: &str) -> crate::Result<Self> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::StoreError::invalid(
                        field,
                        format!(
                            "\"{other}\" is not accepted (accepted: {})",
                            [$($text),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// Application domain of a project.
    Domain {
        /// Electric-vehicle traction and charging.
        Ev = "EV",
        /// Photovoltaics and storage.
        Pv = "PV",
        /// Grid-tied converters.
        Grid = "GRID",
        /// Solid-state transformers.
        Sst = "SST",
        /// DC-DC converters and data-centre power.
        Dc = "DC",
    }
}

text_enum! {
    /// Role of a user in an organisation.
    Role {
        /// Manages members, roles, the component library and devices.
        Admin = "admin",
        /// Creates designs, runs simulations, commands benches.
        Engineer = "engineer",
        /// Reads.
        Viewer = "viewer",
    }
}

text_enum! {
    /// Whether a run is a simulation or a hardware-in-the-loop session.
    RunMode {
        /// Simulation.
        Sim = "SIM",
        /// Hardware in the loop.
        Hil = "HIL",
    }
}

text_enum! {
    /// Life cycle of a run.
    RunStatus {
        /// Waiting for a worker.
        Queued = "queued",
        /// A worker is simulating it.
        Running = "running",
        /// Finished with results.
        Done = "done",
        /// Finished with an error.
        Failed = "failed",
        /// Cancelled by a user.
        Cancelled = "cancelled",
    }
}

impl RunStatus {
    /// Whether the run can no longer change.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunStatus::Done | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

/// An organisation (tenant).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Org {
    /// Id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
}

/// A member of an organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
}

/// A project: designs and runs of one system.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Project {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Name (1 to 200 characters).
    pub name: String,
    /// Application domain.
    pub domain: Domain,
    /// Free-text notes.
    pub notes: String,
    /// Version, raised by every update; send it back with an update.
    pub version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last update (UTC).
    pub updated_at: DateTime<Utc>,
}

/// Fields of a new project.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    /// Name (1 to 200 characters).
    pub name: String,
    /// Application domain.
    pub domain: Domain,
    /// Free-text notes (up to 20 000 characters).
    #[serde(default)]
    pub notes: String,
}

/// Changes to a project; absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    /// The version the change is based on (409 when it is stale).
    pub version: i64,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New domain.
    #[serde(default)]
    pub domain: Option<Domain>,
    /// New notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A stored design: a kernel (topology) and its parameter sections, as in a design file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Design {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Name.
    pub name: String,
    /// Kernel name, e.g. `interleaved_boost`.
    pub topology: String,
    /// The design document in the design-file layout (`kernel`, `parameters`,
    /// `control`, `simulation`, `devices`, `thermal`, `gate_drive`), validated.
    pub document: serde_json::Value,
    /// Version, raised by every update.
    pub version: i64,
    /// Author.
    pub created_by: Option<Uuid>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last update (UTC).
    pub updated_at: DateTime<Utc>,
}

/// A component of the organisation's library.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Component {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Kind: `mosfet`, `igbt`, `diode`, `capacitor`, `inductor`, `core`, `heatsink`.
    pub kind: String,
    /// Manufacturer.
    pub vendor: String,
    /// Part number, unique in the organisation.
    pub pn: String,
    /// Parameters and curves.
    pub params: serde_json::Value,
    /// Version, raised by every update.
    pub version: i64,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last update (UTC).
    pub updated_at: DateTime<Utc>,
}

/// Fields of a new component.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComponent {
    /// Kind: `mosfet`, `igbt`, `diode`, `capacitor`, `inductor`, `core`, `heatsink`.
    pub kind: String,
    /// Manufacturer (1 to 200 characters).
    pub vendor: String,
    /// Part number (1 to 200 characters), unique in the organisation.
    pub pn: String,
    /// Parameters and curves (a JSON object).
    pub params: serde_json::Value,
}

/// Accepted component kinds.
pub const COMPONENT_KINDS: [&str; 7] = [
    "mosfet",
    "igbt",
    "diode",
    "capacitor",
    "inductor",
    "core",
    "heatsink",
];

/// A simulation or HIL run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Run {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Stored design it ran, if any.
    pub design_id: Option<Uuid>,
    /// SIM or HIL.
    pub mode: RunMode,
    /// Life-cycle state.
    pub status: RunStatus,
    /// Request: the design document and the run options.
    pub request: serde_json::Value,
    /// Results (metrics, tables, warnings) once done.
    pub summary: Option<serde_json::Value>,
    /// Failure reason.
    pub error: Option<String>,
    /// Fraction of simulated time done, 0 to 1.
    pub progress: f64,
    /// Recorded samples.
    pub samples: i64,
    /// Whether a cancellation was asked for.
    pub cancel_requested: bool,
    /// User who started it.
    pub created_by: Option<Uuid>,
    /// When it was queued (UTC).
    pub created_at: DateTime<Utc>,
    /// When a worker started it (UTC).
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished (UTC).
    pub finished_at: Option<DateTime<Utc>>,
}

pub(crate) fn parse_uuid(field: &str, text: &str) -> crate::Result<Uuid> {
    Uuid::parse_str(text)
        .map_err(|e| crate::StoreError::Database(format!("stored {field} \"{text}\": {e}")))
}

pub(crate) fn parse_opt_uuid(field: &str, text: Option<String>) -> crate::Result<Option<Uuid>> {
    text.map(|t| parse_uuid(field, &t)).transpose()
}

/// Checks a required text field's length in characters.
pub(crate) fn check_text(field: &str, value: &str, min: usize, max: usize) -> crate::Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(crate::StoreError::invalid(
            field,
            format!("{n} characters (accepted: {min} to {max})"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(crate::StoreError::invalid(
            field,
            "control characters are not accepted",
        ));
    }
    Ok(())
}
