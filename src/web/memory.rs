//! The wasm core's memory, as the page sees it: its size (wasm memory only
//! grows, so this is the worker's peak) and the last allocation that failed.
//!
//! Out of memory in wasm is not an error Rust can return: the allocator gets
//! null, std aborts, and JS sees only `RuntimeError: unreachable`. The global
//! allocator here is the system one with a note of the failed request's
//! size, so a worker that traps can say "out of memory: could not allocate
//! 512 MiB" instead of "unreachable".

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_bindgen::prelude::*;

/// Bytes of the last allocation that failed (0: none yet).
static FAILED: AtomicUsize = AtomicUsize::new(0);

struct NotingAllocator;

fn note(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        FAILED.store(size.max(1), Ordering::Relaxed);
    }
    p
}

// SAFETY: every call forwards to `System` with the caller's arguments; the
// only addition is a relaxed store of the size when it returns null.
unsafe impl GlobalAlloc for NotingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: NotingAllocator = NotingAllocator;

/// Bytes of the allocation that failed last, or 0: after a trap, non-zero
/// means the worker ran out of memory.
#[wasm_bindgen(js_name = allocationFailure)]
pub fn allocation_failure() -> f64 {
    FAILED.load(Ordering::Relaxed) as f64
}

/// Size of this worker's wasm memory in bytes (its peak: it never shrinks).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
