//! Reading a buffer back to the host on both targets: natively the map
//! completes inside a blocking `device.poll`; on the web only the browser's
//! event loop completes it, so the read is a future that the map callback
//! wakes.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::context::GpuContext;
use crate::{Error, Result};

/// Maps the first `bytes` bytes of `buf` (MAP_READ), hands them to `read`,
/// unmaps. A lost device is reported as such, not as a failed map.
pub async fn read_mapped<T>(
    ctx: &GpuContext,
    buf: &wgpu::Buffer,
    bytes: u64,
    read: impl FnOnce(&[u8]) -> T,
) -> Result<T> {
    let done = Arc::new(Mutex::new(MapState::default()));
    let d = done.clone();
    buf.map_async(wgpu::MapMode::Read, ..bytes, move |r| {
        if let Ok(mut s) = d.lock() {
            s.result = Some(r.map_err(|e| e.to_string()));
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
    });
    #[cfg(not(target_arch = "wasm32"))]
    if let Err(e) = ctx.device.poll(wgpu::PollType::wait_indefinitely()) {
        ctx.check()?;
        return Err(Error::Gpu(format!("poll: {e}")));
    }
    let mapped = MapFuture(done).await;
    ctx.check()?;
    mapped.map_err(|e| Error::Gpu(format!("reading results: {e}")))?;
    let out = {
        let view = buf
            .get_mapped_range(..bytes)
            .map_err(|e| Error::Gpu(format!("reading results: {e}")))?;
        read(&view)
    };
    buf.unmap();
    Ok(out)
}

/// The outcome of a `map_async`, and who to wake when it arrives.
#[derive(Default)]
struct MapState {
    result: Option<std::result::Result<(), String>>,
    waker: Option<Waker>,
}

/// Resolves when the `map_async` callback has run.
struct MapFuture(Arc<Mutex<MapState>>);

impl Future for MapFuture {
    type Output = std::result::Result<(), String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.lock() {
            Ok(mut s) => match s.result.take() {
                Some(r) => Poll::Ready(r),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            },
            Err(_) => Poll::Ready(Err("map state poisoned".into())),
        }
    }
}
