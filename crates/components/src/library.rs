//! The built-in parts and the user's part library.
//!
//! The built-in parts are the 23 LEA database files under `data/transistors/`,
//! embedded in the binary (the GaN file without its raw double-pulse waveforms, see
//! `data/transistors/README.md`). The user library is a directory of LEA JSON files:
//! `$PELAB_LIBRARY` when set, else `~/.local/share/pelab/components`.
//!
//! Names match case-insensitively, and a part number without the manufacturer prefix
//! also matches: `c3m0016120k` finds `CREE_C3M0016120K`. A user part with the same
//! name as a built-in part takes precedence.

use std::path::{Path, PathBuf};

use crate::import::ImportError;
use crate::import::lea::{self, LeaImport};

/// Built-in parts: name, file under `data/transistors/`, JSON text.
const BUILT_IN: [(&str, &str, &str); 23] = [
    (
        "CREE_C3M0016120K",
        "CREE_C3M0016120K.json",
        include_str!("../../../data/transistors/CREE_C3M0016120K.json"),
    ),
    (
        "CREE_C3M0060065J",
        "CREE_C3M0060065J.json",
        include_str!("../../../data/transistors/CREE_C3M0060065J.json"),
    ),
    (
        "CREE_C3M0065100J",
        "CREE_C3M0065100J.json",
        include_str!("../../../data/transistors/CREE_C3M0065100J.json"),
    ),
    (
        "CREE_C3M0120065J",
        "CREE_C3M0120065J.json",
        include_str!("../../../data/transistors/CREE_C3M0120065J.json"),
    ),
    (
        "CREE_C3M0120100J",
        "CREE_C3M0120100J.json",
        include_str!("../../../data/transistors/CREE_C3M0120100J.json"),
    ),
    (
        "CREE_CAB530M12BM3",
        "CREE_CAB530M12BM3.json",
        include_str!("../../../data/transistors/CREE_CAB530M12BM3.json"),
    ),
    (
        "CREE_WAB300M12BM3",
        "CREE_WAB300M12BM3.json",
        include_str!("../../../data/transistors/CREE_WAB300M12BM3.json"),
    ),
    (
        "Fuji_2MBI100XAA120-50",
        "Fuji_2MBI100XAA120-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI100XAA120-50.json"),
    ),
    (
        "Fuji_2MBI200XAA065-50",
        "Fuji_2MBI200XAA065-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI200XAA065-50.json"),
    ),
    (
        "Fuji_2MBI200XBE120-50",
        "Fuji_2MBI200XBE120-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI200XBE120-50.json"),
    ),
    (
        "Fuji_2MBI300XBE065-50",
        "Fuji_2MBI300XBE065-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI300XBE065-50.json"),
    ),
    (
        "Fuji_2MBI300XBE120-50",
        "Fuji_2MBI300XBE120-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI300XBE120-50.json"),
    ),
    (
        "Fuji_2MBI400U2B-060",
        "Fuji_2MBI400U2B-060.json",
        include_str!("../../../data/transistors/Fuji_2MBI400U2B-060.json"),
    ),
    (
        "Fuji_2MBI400XBE065-50",
        "Fuji_2MBI400XBE065-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI400XBE065-50.json"),
    ),
    (
        "Fuji_2MBI600XEE065-50",
        "Fuji_2MBI600XEE065-50.json",
        include_str!("../../../data/transistors/Fuji_2MBI600XEE065-50.json"),
    ),
    (
        "GaNSystems_GS66506T",
        "trimmed/GaNSystems_GS66506T.json",
        include_str!("../../../data/transistors/trimmed/GaNSystems_GS66506T.json"),
    ),
    (
        "Infineon_FF200R12KE3",
        "Infineon_FF200R12KE3.json",
        include_str!("../../../data/transistors/Infineon_FF200R12KE3.json"),
    ),
    (
        "Infineon_FF300R12KE3",
        "Infineon_FF300R12KE3.json",
        include_str!("../../../data/transistors/Infineon_FF300R12KE3.json"),
    ),
    (
        "Infineon_IPBE65R050CFD7A",
        "Infineon_IPBE65R050CFD7A.json",
        include_str!("../../../data/transistors/Infineon_IPBE65R050CFD7A.json"),
    ),
    (
        "Mitsubishi_CM200DY-24T",
        "Mitsubishi_CM200DY-24T.json",
        include_str!("../../../data/transistors/Mitsubishi_CM200DY-24T.json"),
    ),
    (
        "ROHMSemiconductor_SCT3060AW7",
        "ROHMSemiconductor_SCT3060AW7.json",
        include_str!("../../../data/transistors/ROHMSemiconductor_SCT3060AW7.json"),
    ),
    (
        "Semikron_SKM400GB12T4",
        "Semikron_SKM400GB12T4.json",
        include_str!("../../../data/transistors/Semikron_SKM400GB12T4.json"),
    ),
    (
        "UnitedSiC_UF3SC065007K4S",
        "UnitedSiC_UF3SC065007K4S.json",
        include_str!("../../../data/transistors/UnitedSiC_UF3SC065007K4S.json"),
    ),
];

/// Environment variable that sets the user library directory.
pub const LIBRARY_ENV: &str = "PELAB_LIBRARY";

/// Error from a library operation.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// No part has that name.
    #[error("part {name:?} not found; `pelab components list` shows the available parts")]
    NotFound {
        /// The name asked for.
        name: String,
    },
    /// Several parts match a part number without prefix.
    #[error("part {name:?} is ambiguous: it matches {candidates:?}; give the full name")]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// Full names that match.
        candidates: Vec<String>,
    },
    /// The user library already has the part.
    #[error("part {name:?} already exists at {path}; use --force to replace it")]
    AlreadyExists {
        /// Part name.
        name: String,
        /// Existing file.
        path: PathBuf,
    },
    /// A file failed to import.
    #[error("{path}: {source}")]
    Import {
        /// The file (or `built-in:<name>`).
        path: PathBuf,
        /// What failed.
        source: ImportError,
    },
    /// Reading or writing the library directory failed.
    #[error("failed to access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The part name gives no usable file name.
    #[error(
        "part name {name:?} has no letters or digits for a file name; \
         rename the part in the file"
    )]
    InvalidName {
        /// The part name from the file.
        name: String,
    },
    /// The file has neither an on-state curve nor switching energies.
    #[error(
        "part {name:?} has no channel curve and no switching energies, so no loss can be \
         computed with it; check the file"
    )]
    NoUsableData {
        /// The part name from the file.
        name: String,
    },
    /// The name is that of a built-in part.
    #[error(
        "part {name:?} has the name of a built-in part and would replace it in every \
         design; rename the part in the file, or use --force to replace it on purpose"
    )]
    ShadowsBuiltIn {
        /// The part name from the file.
        name: String,
    },
    /// Neither `$PELAB_LIBRARY` nor `$HOME` is set.
    #[error("no user library directory: set PELAB_LIBRARY or HOME")]
    NoLibraryDir,
}

/// Origin of a part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum Source {
    /// Embedded in the binary, from `data/transistors/<file>`.
    BuiltIn {
        /// File name under `data/transistors/`.
        file: String,
    },
    /// A file in the user library.
    User {
        /// Path of the file.
        path: PathBuf,
    },
}

/// A part library: the built-in parts and an optional user directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    user_dir: Option<PathBuf>,
}

/// A file written by [`Library::import`].
#[derive(Debug, Clone)]
pub struct Imported {
    /// The part as imported.
    pub part: LeaImport,
    /// Path of the written file.
    pub path: PathBuf,
    /// Whether an existing file was replaced.
    pub replaced: bool,
}

impl Library {
    /// Creates a library with the built-in parts and, if given, the user directory
    /// `user_dir`.
    pub fn new(user_dir: Option<PathBuf>) -> Self {
        Self { user_dir }
    }

    /// Creates a library whose user directory is `$PELAB_LIBRARY`, else
    /// `$HOME/.local/share/pelab/components`, else none.
    pub fn from_env() -> Self {
        Self::new(default_user_dir())
    }

    /// Returns the user directory, if any.
    pub fn user_dir(&self) -> Option<&Path> {
        self.user_dir.as_deref()
    }

    /// Lists the names and sources of all parts, built-in first, sorted by name within each.
    /// A user part that shadows a built-in part replaces it in the list.
    ///
    /// # Errors
    /// [`LibraryError::Io`] when the user directory exists but cannot be read.
    pub fn names(&self) -> Result<Vec<(String, Source)>, LibraryError> {
        let user = self.user_files()?;
        let mut out: Vec<(String, Source)> = BUILT_IN
            .iter()
            .filter(|(name, _, _)| !user.iter().any(|(u, _)| u.eq_ignore_ascii_case(name)))
            .map(|(name, file, _)| {
                (
                    (*name).to_owned(),
                    Source::BuiltIn {
                        file: (*file).to_owned(),
                    },
                )
            })
            .collect();
        out.extend(
            user.into_iter()
                .map(|(name, path)| (name, Source::User { path })),
        );
        Ok(out)
    }

    /// Resolves `name` (case-insensitive, with or without the manufacturer prefix)
    /// to a full part name and its source.
    ///
    /// # Errors
    /// [`LibraryError::NotFound`] or [`LibraryError::Ambiguous`].
    pub fn resolve(&self, name: &str) -> Result<(String, Source), LibraryError> {
        let all = self.names()?;
        if let Some(exact) = all.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Ok(exact.clone());
        }
        // An imported part is stored under its name with unusual characters replaced,
        // so the name as written in the file finds it too.
        let stem = file_stem_for(name);
        if let Some(stored) = all.iter().find(|(n, _)| n.eq_ignore_ascii_case(&stem)) {
            return Ok(stored.clone());
        }
        let matches: Vec<&(String, Source)> = all
            .iter()
            .filter(|(n, _)| {
                n.split_once('_')
                    .is_some_and(|(_, number)| number.eq_ignore_ascii_case(name))
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(LibraryError::NotFound {
                name: name.to_owned(),
            }),
            many => Err(LibraryError::Ambiguous {
                name: name.to_owned(),
                candidates: many.iter().map(|(n, _)| n.clone()).collect(),
            }),
        }
    }

    /// Loads the part `name` (see [`Library::resolve`] for matching).
    ///
    /// # Errors
    /// [`LibraryError`] when the name does not resolve or the file fails to import.
    pub fn load(&self, name: &str) -> Result<LeaImport, LibraryError> {
        let (full, source) = self.resolve(name)?;
        match source {
            Source::BuiltIn { .. } => load_built_in(&full),
            Source::User { path } => {
                lea::parse_file(&path).map_err(|source| LibraryError::Import { path, source })
            }
        }
    }

    /// Validates `file` as a LEA transistor and copies it into the user library as
    /// `<name>.json`, where `<name>` is the part name in the file with characters
    /// other than letters, digits, `-`, `_` and `.` replaced by `_`.
    ///
    /// The copy is written to a temporary file in the library directory and renamed
    /// into place, so a reader never sees half a file. An existing part is replaced
    /// only with `force`.
    ///
    /// # Errors
    /// [`LibraryError::Import`] when the file does not import,
    /// [`LibraryError::AlreadyExists`] without `force`, [`LibraryError::InvalidName`]
    /// for a name without letters or digits, [`LibraryError::NoLibraryDir`] and
    /// [`LibraryError::Io`].
    pub fn import(&self, file: &Path, force: bool) -> Result<Imported, LibraryError> {
        let dir = self.user_dir.as_ref().ok_or(LibraryError::NoLibraryDir)?;
        let part = lea::parse_file(file).map_err(|source| LibraryError::Import {
            path: file.to_owned(),
            source,
        })?;
        let name = part.transistor.name.clone();
        let stem = file_stem_for(&name);
        if !stem.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(LibraryError::InvalidName { name });
        }
        let transistor = &part.transistor;
        if transistor.channel.is_none() && transistor.e_on.is_none() && transistor.e_off.is_none() {
            return Err(LibraryError::NoUsableData { name });
        }
        let shadowed = built_in_names()
            .into_iter()
            .any(|b| b.eq_ignore_ascii_case(&name) || b.eq_ignore_ascii_case(&stem));
        if shadowed && !force {
            return Err(LibraryError::ShadowsBuiltIn { name });
        }
        let target = dir.join(format!("{stem}.json"));
        let replaced = target.exists();
        if replaced && !force {
            return Err(LibraryError::AlreadyExists { name, path: target });
        }
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| LibraryError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let bytes = std::fs::read(file).map_err(io(file))?;

        let temporary = dir.join(format!(".{stem}.json.tmp-{}", std::process::id()));
        std::fs::write(&temporary, bytes).map_err(io(&temporary))?;
        if let Err(source) = std::fs::rename(&temporary, &target) {
            let _ = std::fs::remove_file(&temporary);
            return Err(LibraryError::Io {
                path: target,
                source,
            });
        }
        Ok(Imported {
            part,
            path: target,
            replaced,
        })
    }

    /// `(name, path)` of the `.json` files in the user directory, sorted by name.
    fn user_files(&self) -> Result<Vec<(String, PathBuf)>, LibraryError> {
        let Some(dir) = &self.user_dir else {
            return Ok(Vec::new());
        };
        let reader = match std::fs::read_dir(dir) {
            Ok(reader) => reader,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(LibraryError::Io {
                    path: dir.clone(),
                    source,
                });
            }
        };
        let mut out = Vec::new();
        for entry in reader {
            let entry = entry.map_err(|source| LibraryError::Io {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            let is_json = path.extension().is_some_and(|e| e == "json");
            let stem = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
            if let (true, Some(stem)) = (is_json, stem)
                && !stem.starts_with('.')
            {
                out.push((stem, path));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Names of the built-in parts, in alphabetical order.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _, _)| *name).collect()
}

/// Loads a built-in part by its exact name (case-insensitive).
///
/// # Errors
/// [`LibraryError::NotFound`], or [`LibraryError::Import`] if an embedded file fails
/// to import (a test checks that none does).
pub fn load_built_in(name: &str) -> Result<LeaImport, LibraryError> {
    let (full, _, json) = BUILT_IN
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .ok_or_else(|| LibraryError::NotFound {
            name: name.to_owned(),
        })?;
    lea::parse_str(json).map_err(|source| LibraryError::Import {
        path: PathBuf::from(format!("built-in:{full}")),
        source,
    })
}

fn default_user_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(LIBRARY_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty())?;
    Some(PathBuf::from(home).join(".local/share/pelab/components"))
}

fn file_stem_for(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A leading dot would hide the file and mark it as a temporary file.
    stem.trim_start_matches('.').to_owned()
}

/// Formats the built-in parts as a Markdown table: name, kind, ratings, data gaps and the
/// number of import findings. `docs/components.md` contains this table, and a test
/// fails when it is stale.
pub fn built_in_table_markdown() -> String {
    let mut out = String::from(
        "| part | kind | V_max [V] | I_cont [A] | Tj_max [°C] | gaps | findings |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for name in built_in_names() {
        let row = match load_built_in(name) {
            Ok(part) => {
                let t = &part.transistor;
                let number = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v}"));
                let gaps: Vec<&str> = part
                    .findings
                    .iter()
                    .filter(|f| f.message.starts_with("gap:"))
                    .map(|f| f.curve.as_str())
                    .collect();
                format!(
                    "| {name} | {} | {} | {} | {} | {} | {} |\n",
                    t.kind.short_name(),
                    t.ratings.v_abs_max_v,
                    number(t.ratings.i_cont_a),
                    number(t.ratings.t_j_max_c),
                    if gaps.is_empty() {
                        "—".to_owned()
                    } else {
                        gaps.join(", ")
                    },
                    part.findings.len()
                )
            }
            Err(e) => format!("| {name} | failed to load: {e} | | | | | |\n"),
        };
        out.push_str(&row);
    }
    out
}

/// Loads the transistor `name` from the library at `$PELAB_LIBRARY` (or the default
/// user directory) and the built-in parts.
///
/// # Errors
/// The library's message: not found (with the way to list parts), ambiguous (with
/// the candidates), or an import failure.
pub fn load_transistor(name: &str) -> Result<crate::semiconductor::Transistor, String> {
    match Library::from_env().load(name) {
        Ok(part) => Ok(part.transistor),
        Err(LibraryError::NotFound { name }) => Err(format!(
            "unknown part \"{name}\"; `pelab components list` shows the library"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Loads `name` as [`load_transistor`] does, as a
/// [`SwitchModel`](crate::loss::SwitchModel) for the loss calculators.
///
/// # Errors
/// As [`load_transistor`].
pub fn resolve_switch_model(name: &str) -> Result<Box<dyn crate::loss::SwitchModel>, String> {
    Ok(Box::new(load_transistor(name)?))
}
