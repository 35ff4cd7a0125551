//! Importers of datasheet data from outside formats.
//!
//! - [`lea`]: JSON files of the transistor database of Paderborn University's LEA group.
//!
//! Importers never invent data. A curve that cannot be used is left out with a
//! [`crate::diagnostics::Finding`]; a file that cannot be read as the format at all
//! is an [`ImportError`] that names the field path and the value.

pub mod lea;
mod table;

use std::path::PathBuf;

/// Largest number of points accepted in one curve row. Datasheet curves have tens
/// to hundreds of points; a million is far beyond any digitised curve and keeps a
/// hostile file from allocating without bound.
pub const MAX_POINTS: usize = 1_000_000;

/// Largest file size the importer reads, in bytes. The largest file in the LEA
/// exchange (a GaN part with raw double-pulse waveforms) is about 4 MB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Error for a file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("failed to read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("file {path} has {bytes} bytes; the importer accepts at most {max} bytes")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The text is not JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// Line of the syntax error (1-based).
        line: usize,
        /// Column of the syntax error (1-based).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A field has the wrong JSON type.
    #[error("invalid {path}: expected {expected}, found {found}")]
    WrongType {
        /// Field path such as `switch.e_on[1].graph_i_e[0][3]`.
        path: String,
        /// The accepted type.
        expected: &'static str,
        /// The value found, shortened.
        found: String,
    },
    /// A required field is missing or null.
    #[error("missing {path}: {why}")]
    Missing {
        /// Field path.
        path: String,
        /// Reason the importer needs the field.
        why: &'static str,
    },
    /// A value is outside its accepted range.
    #[error("invalid {path} = {value}: expected {expected}")]
    OutOfRange {
        /// Field path.
        path: String,
        /// The value, as text.
        value: String,
        /// The accepted range.
        expected: &'static str,
    },
    /// An array is longer than [`MAX_POINTS`].
    #[error("{path} has {len} entries; at most {max} are accepted")]
    TooLarge {
        /// Field path.
        path: String,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Short text of a JSON value for error messages (at most 60 characters).
pub(crate) fn describe(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::Bool(b) => format!("boolean {b}"),
        serde_json::Value::Number(n) => format!("number {n}"),
        serde_json::Value::String(s) => format!("string {s:?}"),
        serde_json::Value::Array(a) => format!("an array of {} entries", a.len()),
        serde_json::Value::Object(o) => format!("an object with {} fields", o.len()),
    };
    if text.chars().count() > 60 {
        let short: String = text.chars().take(57).collect();
        format!("{short}...")
    } else {
        text
    }
}
