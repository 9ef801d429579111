//! Model files on disk (native only), for image and graph models alike:
//! the text read or written whole, and the file's path in every error.

use std::path::Path;

use crate::{Error, Result};

/// The text of the model file at `path`.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Model(format!("cannot read {}: {e}", path.display())))
}

/// Puts `path` in front of a model error's message (other errors pass).
pub fn with_path(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::Model(m) => Error::Model(format!("{}: {m}", path.display())),
        e => e,
    }
}

/// Writes `text` to `path`, creating its directory.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    std::fs::write(path, text)?;
    Ok(())
}
