//! What keeps a fuzzing run honest: a cap on single allocations (the global
//! allocator of the `eslt` binary), the input being run (for the hang
//! watchdog and the allocation message) and a silent panic hook.
//!
//! The allocation cap is off (`usize::MAX`) except while `eslt fuzz` runs:
//! then a request over it is refused, after a message written with
//! `write(2)` (no allocation inside the allocator) naming the input to
//! replay; Rust then aborts with "memory allocation of N bytes failed" (or,
//! where the code reserves fallibly, the input counts as a crash). So
//! an allocation that follows an unchecked length fails the run loudly
//! instead of thrashing the machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The `eslt` binary's allocator: the system one, with an optional cap.
pub struct CappedAlloc;

#[global_allocator]
static ALLOCATOR: CappedAlloc = CappedAlloc;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Index of the input being run, u64::MAX between inputs.
static INPUT: AtomicU64 = AtomicU64::new(u64::MAX);
static SEED: AtomicU64 = AtomicU64::new(0);
/// Index of the target in [`super::targets::NAMES`].
static TARGET: AtomicUsize = AtomicUsize::new(0);
/// Largest refused request since the last [`take_refused`] (0: none).
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// The largest allocation refused since the last call (then reset): a
/// refusal that the code handled (`try_reserve`, as `read_to_end` does)
/// does not abort, but still counts as a finding.
pub fn take_refused() -> Option<usize> {
    match REFUSED.swap(0, Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// Caps single allocations at `bytes` (usize::MAX: no cap).
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::SeqCst);
}

/// Records which run is going on, for the refusal message.
pub fn set_run(target: usize, seed: u64) {
    TARGET.store(target, Ordering::SeqCst);
    SEED.store(seed, Ordering::SeqCst);
}

/// Records the input about to run (`None`: between inputs).
pub fn set_input(index: Option<u64>) {
    INPUT.store(index.unwrap_or(u64::MAX), Ordering::SeqCst);
}

/// Appends `n` in decimal to `buf` at `*at` (no allocation).
fn push_num(buf: &mut [u8], at: &mut usize, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut k = 0;
    loop {
        digits[k] = b'0' + (n % 10) as u8;
        k += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    while k > 0 && *at < buf.len() {
        k -= 1;
        buf[*at] = digits[k];
        *at += 1;
    }
}

fn push_str(buf: &mut [u8], at: &mut usize, s: &[u8]) {
    for &b in s {
        if *at < buf.len() {
            buf[*at] = b;
            *at += 1;
        }
    }
}

#[cold]
fn refuse(size: usize, limit: usize) {
    REFUSED.fetch_max(size, Ordering::SeqCst);
    let mut buf = [0u8; 400];
    let mut at = 0;
    push_str(&mut buf, &mut at, b"eslt fuzz: refused an allocation of ");
    push_num(&mut buf, &mut at, size as u64);
    push_str(&mut buf, &mut at, b" bytes (limit ");
    push_num(&mut buf, &mut at, limit as u64);
    push_str(&mut buf, &mut at, b")");
    let input = INPUT.load(Ordering::SeqCst);
    let names = super::targets::NAMES;
    let target = names
        .get(TARGET.load(Ordering::SeqCst))
        .copied()
        .unwrap_or("?");
    if input != u64::MAX {
        push_str(&mut buf, &mut at, b" on input ");
        push_num(&mut buf, &mut at, input);
        push_str(&mut buf, &mut at, b"; replay: eslt fuzz --target ");
        push_str(&mut buf, &mut at, target.as_bytes());
        push_str(&mut buf, &mut at, b" --seed ");
        push_num(&mut buf, &mut at, SEED.load(Ordering::SeqCst));
        push_str(&mut buf, &mut at, b" --start ");
        push_num(&mut buf, &mut at, input);
        push_str(&mut buf, &mut at, b" --iterations 1 --dump FILE");
    }
    push_str(&mut buf, &mut at, b"\n");
    // SAFETY: writes `at` initialised bytes of `buf` to stderr.
    unsafe {
        libc::write(2, buf.as_ptr().cast(), at);
    }
}

fn allowed(size: usize) -> bool {
    let limit = LIMIT.load(Ordering::Relaxed);
    if size > limit {
        refuse(size, limit);
        false
    } else {
        true
    }
}

// SAFETY: every call is forwarded to `System` unchanged, except requests
// over the cap, which return null as an allocator may.
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !allowed(layout.size()) {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !allowed(layout.size()) {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !allowed(new_size) {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
