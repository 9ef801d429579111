//! The threads a parallel computation runs on: natively rayon's global pool
//! (all cores) or a private pool of a given size; in wasm one thread, where
//! the page gets its parallelism from Web Workers instead.

use crate::{Error, Result};

#[derive(Clone, Default)]
pub struct Threads {
    #[cfg(not(target_arch = "wasm32"))]
    pool: Option<std::sync::Arc<rayon::ThreadPool>>,
}

impl Threads {
    /// Every core (rayon's global pool) natively; one thread in wasm.
    pub fn all() -> Self {
        Self::default()
    }

    /// Exactly `threads` threads (native; ignored in wasm).
    pub fn exactly(threads: usize) -> Result<Self> {
        if threads == 0 {
            return Err(Error::InvalidArgument("threads must be at least 1".into()));
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| Error::InvalidArgument(format!("thread pool: {e}")))?;
            Ok(Self {
                pool: Some(std::sync::Arc::new(pool)),
            })
        }
        #[cfg(target_arch = "wasm32")]
        Ok(Self {})
    }

    /// How many threads `install` runs on.
    pub fn count(&self) -> usize {
        #[cfg(not(target_arch = "wasm32"))]
        {
            match &self.pool {
                Some(p) => p.current_num_threads(),
                None => rayon::current_num_threads(),
            }
        }
        #[cfg(target_arch = "wasm32")]
        1
    }

    /// Runs `f` so that rayon's parallel iterators inside it use these
    /// threads.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(p) = &self.pool {
            return p.install(f);
        }
        f()
    }
}
