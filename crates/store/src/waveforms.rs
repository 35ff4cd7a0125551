//! Full-resolution waveforms of runs, one columnar `.pwf` file per run.
//!
//! A file is written to `NAME.tmp` and renamed, so a reader never sees half a file and
//! a process killed while writing leaves only a temporary file, removed at the next
//! start. The optional quota bounds the bytes of all files together; a run whose
//! recording does not fit fails with [`WaveformError::Full`] naming both sizes.

use std::path::{Path, PathBuf};

use pelab_waveform::Waveforms;
use pelab_waveform::pwf::{self, PwfError};
use uuid::Uuid;

/// Why a waveform could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum WaveformError {
    /// The quota or the disk is full.
    #[error("waveform storage is full: the recording needs {needed} bytes, {available} are left")]
    Full {
        /// Bytes the recording needs.
        needed: u64,
        /// Bytes left under the quota (0 when the disk itself is full).
        available: u64,
    },
    /// No file of that name.
    #[error("waveform {0} not found")]
    NotFound(String),
    /// A file name that is not one of ours.
    #[error("invalid waveform name \"{0}\"")]
    InvalidName(String),
    /// Reading or writing failed.
    #[error("waveform storage: {0}")]
    Io(String),
}

/// A directory of `.pwf` files with an optional byte quota.
#[derive(Debug, Clone)]
pub struct WaveformStore {
    dir: PathBuf,
    quota: Option<u64>,
}

/// Bytes of the JSON header allowed for in the size estimate.
const HEADER_ALLOWANCE: u64 = 64 * 1024;

impl WaveformStore {
    /// Opens (and creates) the directory and removes temporary files that a killed
    /// process left.
    ///
    /// # Errors
    /// [`WaveformError::Io`] when the directory cannot be created or listed.
    pub fn open(dir: impl Into<PathBuf>, quota: Option<u64>) -> Result<Self, WaveformError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| WaveformError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| WaveformError::Io(format!("cannot list {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tmp") {
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(WaveformStore { dir, quota })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes used by stored files.
    ///
    /// # Errors
    /// [`WaveformError::Io`].
    pub fn used_bytes(&self) -> Result<u64, WaveformError> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| WaveformError::Io(format!("cannot list {}: {e}", self.dir.display())))?;
        Ok(entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum())
    }

    /// Stores the waveforms of one attempt of a run; returns the file name to keep on
    /// the run row.
    ///
    /// # Errors
    /// [`WaveformError::Full`] over the quota or on a full disk; [`WaveformError::Io`].
    pub fn write(
        &self,
        run_id: Uuid,
        attempt: i64,
        waveforms: &Waveforms,
    ) -> Result<String, WaveformError> {
        let needed =
            8 * (waveforms.len() as u64) * (waveforms.signal_count() as u64 + 1) + HEADER_ALLOWANCE;
        if let Some(quota) = self.quota {
            let used = self.used_bytes()?;
            let available = quota.saturating_sub(used);
            if needed > available {
                return Err(WaveformError::Full { needed, available });
            }
        }
        let name = format!("{run_id}-{attempt}.pwf");
        let path = self.dir.join(&name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        let result = pwf::write_pwf_file(&tmp, waveforms)
            .and_then(|()| std::fs::rename(&tmp, &path).map_err(PwfError::from));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(match e {
                PwfError::Io(io) if io.raw_os_error() == Some(28) => WaveformError::Full {
                    needed,
                    available: 0,
                },
                other => WaveformError::Io(other.to_string()),
            });
        }
        Ok(name)
    }

    /// Reads a stored file.
    ///
    /// # Errors
    /// [`WaveformError::NotFound`], [`WaveformError::InvalidName`], [`WaveformError::Io`].
    pub fn read(&self, name: &str) -> Result<Waveforms, WaveformError> {
        let path = self.path(name)?;
        if !path.exists() {
            return Err(WaveformError::NotFound(name.to_string()));
        }
        pwf::read_pwf_file(&path).map_err(|e| WaveformError::Io(e.to_string()))
    }

    /// Opens a stored file for block-wise reading, without loading its columns.
    ///
    /// # Errors
    /// [`WaveformError::NotFound`], [`WaveformError::InvalidName`], [`WaveformError::Io`].
    pub fn open_file(&self, name: &str) -> Result<pwf::PwfFile, WaveformError> {
        let path = self.path(name)?;
        if !path.exists() {
            return Err(WaveformError::NotFound(name.to_string()));
        }
        pwf::PwfFile::open(&path).map_err(|e| WaveformError::Io(e.to_string()))
    }

    /// Removes a stored file; a missing file is not an error.
    ///
    /// # Errors
    /// [`WaveformError::InvalidName`], [`WaveformError::Io`].
    pub fn remove(&self, name: &str) -> Result<(), WaveformError> {
        let path = self.path(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(WaveformError::Io(e.to_string())),
        }
    }

    /// The path of a stored file, refusing names that are not ours.
    ///
    /// # Errors
    /// [`WaveformError::InvalidName`].
    pub fn path(&self, name: &str) -> Result<PathBuf, WaveformError> {
        let ok = name.ends_with(".pwf")
            && name.len() <= 80
            && name
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '.' || c == 'p' || c == 'w');
        if !ok || name.contains("..") {
            return Err(WaveformError::InvalidName(name.to_string()));
        }
        Ok(self.dir.join(name))
    }
}
