//! The library's typed errors. The CLI prints them plainly, the page shows
//! them in the UI; nothing on user input panics.

use thiserror::Error;

/// Everything that can go wrong on user input or data.
#[derive(Debug, Error)]
pub enum Error {
    /// A data file (IDX, packed digits) is malformed.
    #[error("data file {what}: {why}")]
    Data { what: String, why: String },
    /// A model file is malformed or inconsistent.
    #[error("model: {0}")]
    Model(String),
    /// A parameter is out of its valid range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The run was cancelled by the user.
    #[error("cancelled")]
    Cancelled,
    /// GPU unavailable or failed; callers fall back to the CPU path.
    #[error("gpu: {0}")]
    Gpu(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, Error>;
