//! Typed errors of a run. Each names the file (or query) at fault, so the CLI can print one line a supervisor
//! can act on; `main.rs` maps them to exit codes (usage → 2, everything else → 1).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum KefuError {
    /// An input file that cannot be used at all (missing, unreadable, no required columns).
    #[error("{file}: {reason}")]
    Input { file: PathBuf, reason: String },
    /// A configuration file that does not parse or validate.
    #[error("config {file}: {reason}")]
    Config { file: PathBuf, reason: String },
    /// A SQL query that failed to parse or run.
    #[error("query {name}: {reason}")]
    Query { name: String, reason: String },
    /// A chart that could not be drawn.
    #[error("chart {name}: {reason}")]
    Chart { name: String, reason: String },
    /// Bad command-line usage that clap could not catch (e.g. a malformed date).
    #[error("{0}")]
    Usage(String),
    /// Writing outputs failed.
    #[error("writing {file}: {source}")]
    Output {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl KefuError {
    pub fn input(file: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        KefuError::Input { file: file.into(), reason: reason.into() }
    }
    pub fn output(file: impl Into<PathBuf>, source: std::io::Error) -> Self {
        KefuError::Output { file: file.into(), source }
    }
    /// Exit code of the process for this error (SPEC §1: 1 the run failed, 2 bad usage).
    pub fn exit_code(&self) -> i32 {
        match self {
            KefuError::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = KefuError> = std::result::Result<T, E>;
