//! The memory estimate (`slt::memory::estimate`) against the heap's
//! measured high-water mark, on every shipped image model at the page's
//! default settings (ε = 0.01, seed 1, growth on, 1,000 test digits) with a
//! literal sample of 16 (the CLI's): measured peak ≤ estimate ≤ 1.3 × peak.
//!
//! What is measured is what the estimate counts: everything a whole native
//! run allocates ([`prune_network_on`]: the run's state, solving, the
//! verification's prepared forwards, the literal check, the outcome it
//! returns), above what was allocated before it started (the model, the
//! test images, the thread pools). Each model runs on fresh pools of two
//! threads, so the products' per-thread buffers are made during the run
//! and the figures do not depend on the machine's core count. A counting
//! global allocator (this file is its own test binary, one test) keeps the
//! high-water mark. `--nocapture` prints the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::test_images;
use eslt::nn::{model, CpuForward};
use eslt::slt::memory::estimate;
use eslt::slt::subset_sum::CpuSolver;
use eslt::slt::{prune_network_on, EvalSet, PruneConfig, RunHooks, RunOptions};

/// The system allocator, counting the bytes live and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, SeqCst) + by;
    PEAK.fetch_max(now, SeqCst);
}

fn shrank(by: usize) {
    LIVE.fetch_sub(by, SeqCst);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are
// added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TASKS: [&str; 5] = ["c4", "c8", "d4", "cnn", "mlp"];

#[test]
fn the_estimate_bounds_the_measured_peak_within_1_3x_on_every_image_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let digits = Digits::load(&root.join("target/data/mnist-t10k.digits"))
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    let images = test_images(&digits, 0, 1000).unwrap();
    let labels = &digits.labels[..1000];
    let cfg = PruneConfig {
        eps: 0.01,
        seed: 1,
        grow: true,
        ..Default::default()
    };
    let mib = |b: f64| b / 1048576.0;
    for task in TASKS {
        let path = root.join(format!("www/models/rotmnist-{task}.json"));
        let (net, _) = model::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let forward = CpuForward::with_threads(2).unwrap();
        let solver = CpuSolver::with_threads(2).unwrap();
        let base = LIVE.load(SeqCst);
        PEAK.store(base, SeqCst);
        let out = prune_network_on(
            &net,
            task,
            &cfg,
            &RunOptions::default(),
            &solver,
            &forward,
            Some(EvalSet {
                images: images.view(),
                labels,
                literal_sample: 16,
            }),
            RunHooks {
                now: &|| 0.0,
                on_event: &mut |_| {},
                cancel: &|| false,
            },
        )
        .unwrap();
        let peak = (PEAK.load(SeqCst) - base) as f64;
        assert_eq!(out.report.literal_check.rows, 16);
        let e = estimate(&net, &out.report.n_per_layer, 16, &forward).unwrap();
        drop(out);
        let total = e.total as f64;
        println!(
            "rotmnist-{task}: measured peak {:.1} MiB, estimate {:.1} MiB ({:.2}×): {e:?}",
            mib(peak),
            mib(total),
            total / peak
        );
        assert!(
            peak <= total && total <= 1.3 * peak,
            "rotmnist-{task}: measured {peak} bytes, estimated {e:?}"
        );
    }
}
