//! Ctrl-C (SIGINT) for the long commands, and output files that are either
//! complete or absent.
//!
//! [`install`] sets a handler (the `ctrlc` crate: it runs on a thread of its
//! own, not in signal context). The first Ctrl-C only raises a flag: the
//! run's cancel check reads it ([`interrupted`]) and stops between two
//! batches (`eslt prune`) or training steps (`eslt train`), the command
//! removes what it had started to write and exits with
//! [`EXIT_INTERRUPTED`] (130, as a shell reports a SIGINT death). A second
//! Ctrl-C stops at once, after removing any temporary file being written.
//!
//! [`write_atomic`] writes an output through a temporary file beside it
//! (same directory, so the rename cannot cross file systems), flushed to
//! disk, then renamed over the target: a reader, a crash or an interrupt
//! sees the old file or the new one, never half of one. On any error (a
//! full disk, an unwritable directory) the temporary file is removed and
//! the error names the path and the cause.

use eslt::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

/// Exit code of a command stopped by Ctrl-C.
pub const EXIT_INTERRUPTED: i32 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();
/// Temporary files being written, removed by a second Ctrl-C.
static TEMP_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the Ctrl-C handler (once per process; later calls do nothing).
/// A process that cannot install it still runs, without a clean stop.
pub fn install() {
    INSTALL.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                remove_temp_files();
                stopped("interrupted again: stopped, no output written");
            }
            if crate::wants_json() {
                let notice = "interrupted: stopping (Ctrl-C again to stop at once)";
                eprintln!("{}", serde_json::json!({ "notice": notice }));
            } else {
                eprintln!("eslt: interrupted: stopping (Ctrl-C again to stop at once)");
            }
        });
        if let Err(e) = installed {
            eprintln!("eslt: warning: no Ctrl-C handler ({e}); Ctrl-C will kill the run");
        }
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// `Err(Error::Cancelled)` once Ctrl-C was pressed: for the phases of a
/// command that have no cancel check of their own.
pub fn check() -> Result<()> {
    if interrupted() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Turns a cancelled command into the interrupted exit: one line on stderr
/// and exit code [`EXIT_INTERRUPTED`]. Other results pass through.
pub fn finish(result: Result<()>) -> Result<()> {
    match result {
        Err(Error::Cancelled) if interrupted() => {
            remove_temp_files();
            stopped("interrupted: stopped cleanly, no output written");
        }
        r => r,
    }
}

fn remove_temp_files() {
    let files = match TEMP_FILES.lock() {
        Ok(mut f) => std::mem::take(&mut *f),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    for f in files {
        let _ = std::fs::remove_file(f);
    }
}

fn register(path: &Path, add: bool) {
    let mut files = match TEMP_FILES.lock() {
        Ok(f) => f,
        Err(poisoned) => poisoned.into_inner(),
    };
    if add {
        files.push(path.to_path_buf());
    } else {
        files.retain(|f| f != path);
    }
}

/// The temporary file [`write_atomic`] writes before renaming it to `path`:
/// `<name>.tmp.<pid>` in the same directory.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp.{}", std::process::id()));
    path.with_file_name(name)
}

fn cannot_write(flag: &str, path: &Path, e: std::io::Error) -> Error {
    Error::InvalidArgument(format!("{flag}: cannot write {}: {e}", path.display()))
}

/// Checks, before any long work, that `path` can be written: it must not
/// exist unless `force` (nor be a directory), and its directory must exist
/// or be creatable and accept a new file (a probe temporary file is made
/// and removed). `flag` names the option in messages (e.g. `--out`).
pub fn prepare_output(path: &Path, flag: &str, force: bool) -> Result<()> {
    if path.is_dir() {
        return Err(Error::InvalidArgument(format!(
            "{flag}: {} is a directory",
            path.display()
        )));
    }
    if path.exists() && !force {
        return Err(Error::InvalidArgument(format!(
            "{flag}: {} exists; pass --force to overwrite it, or choose another path",
            path.display()
        )));
    }
    create_parent(path, flag)?;
    let probe = temp_path(path);
    std::fs::File::create(&probe).map_err(|e| cannot_write(flag, path, e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn create_parent(path: &Path, flag: &str) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    // The nearest existing ancestor must be a directory.
    if let Some(file) = dir.ancestors().find(|a| a.exists()) {
        if !file.is_dir() {
            return Err(Error::InvalidArgument(format!(
                "{flag}: cannot write {}: {} is not a directory",
                path.display(),
                file.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::InvalidArgument(format!(
            "{flag}: cannot write {}: cannot create directory {}: {e}",
            path.display(),
            dir.display()
        ))
    })
}

/// Writes `bytes` to `path` through [`temp_path`]: written, synced to disk,
/// renamed. On error nothing is left behind (the old `path`, if any, is
/// untouched) and the error reads `<flag>: cannot write <path>: <cause>`.
pub fn write_atomic(path: &Path, flag: &str, bytes: &[u8]) -> Result<()> {
    create_parent(path, flag)?;
    let tmp = temp_path(path);
    register(&tmp, true);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        // A full disk may only show at the flush of delayed allocation.
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    register(&tmp, false);
    written.map_err(|e| cannot_write(flag, path, e))
}

/// Says why the command stopped — `eslt: MESSAGE`, or with `--json` one
/// JSON line `{"error": MESSAGE, "exit": 130}` as every other failure — and
/// exits with [`EXIT_INTERRUPTED`].
fn stopped(message: &str) -> ! {
    if crate::wants_json() {
        eprintln!(
            "{}",
            serde_json::json!({ "error": message, "exit": EXIT_INTERRUPTED })
        );
    } else {
        eprintln!("eslt: {message}");
    }
    std::process::exit(EXIT_INTERRUPTED);
}
