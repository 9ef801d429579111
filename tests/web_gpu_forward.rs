//! The GPU forward through WebGPU in headless Chromium (SwiftShader),
//! against the CPU forward in the same wasm module: logits within 1e-4 of
//! the largest logit (or of 1) and the same predictions for every shipped
//! model, by the async API (the browser's kernel, and the smallest tiles
//! in several chunks) and by the page's `WebGpuForward`; and forced faults
//! as typed errors.
//!
//! Without a WebGPU adapter the test says why and passes — unless the crate
//! was built with ESLT_REQUIRE_GPU=1, where it fails.

#![cfg(target_arch = "wasm32")]
// GpuForward shares its context by Arc; in wasm (one thread) the context
// is not Send.
#![allow(clippy::arc_with_non_send_sync)]

use eslt::data::Digits;
use eslt::gpu::fault::{self, Fault};
use eslt::gpu::{ConvKernel, GpuContext, GpuForward, Tiles};
use eslt::nn::{argmax_rows, model, CpuForward, PreparedForward};
use eslt::slt::rebalance::rebalance;
use eslt::slt::ticket::{encode_betas, Betas};
use eslt::web::{Evaluator, WebGpuEvaluator, WebGpuForward};
use eslt::Error;
use js_sys::Float32Array;
use ndarray::{Array4, ArrayView4};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TOL: f32 = 1e-4;

const MODELS: [(&str, &str); 5] = [
    (
        "rotmnist-mlp",
        include_str!("../www/models/rotmnist-mlp.json"),
    ),
    (
        "rotmnist-cnn",
        include_str!("../www/models/rotmnist-cnn.json"),
    ),
    (
        "rotmnist-c4",
        include_str!("../www/models/rotmnist-c4.json"),
    ),
    (
        "rotmnist-c8",
        include_str!("../www/models/rotmnist-c8.json"),
    ),
    (
        "rotmnist-d4",
        include_str!("../www/models/rotmnist-d4.json"),
    ),
];

async fn context() -> Option<Arc<GpuContext>> {
    match GpuContext::request().await {
        Ok(ctx) => {
            console_log!("WebGPU adapter: {}", ctx.describe());
            Some(Arc::new(ctx))
        }
        Err(e) => {
            if option_env!("ESLT_REQUIRE_GPU") == Some("1") {
                panic!("ESLT_REQUIRE_GPU=1 but no WebGPU context: {e}");
            }
            console_log!("skipped: {e}");
            None
        }
    }
}

/// Digit-like strokes (a blurred ring, shifted per image) and noise in
/// [0, 1): `[b, 1, 28, 28]`.
fn images(b: usize, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_fn((b, 1, 28, 28), |(n, _, y, x)| {
        let (cy, cx) = (14.0 + (n % 5) as f32 - 2.0, 14.0 + (n % 3) as f32 - 1.0);
        let r = ((y as f32 - cy).powi(2) + (x as f32 - cx).powi(2)).sqrt();
        let ring = (-(r - 7.0).powi(2) / 4.0).exp();
        if n % 2 == 0 {
            ring
        } else {
            0.5 * ring + 0.5 * rng.random_range(0.0..1.0)
        }
    })
}

fn assert_close(gpu: ArrayView4<f32>, cpu: ArrayView4<f32>, what: &str) -> f32 {
    assert_eq!(gpu.dim(), cpu.dim(), "{what}: shapes");
    let scale = cpu.iter().fold(1.0f32, |m, &v| m.max(v.abs()));
    let diff = gpu
        .iter()
        .zip(cpu.iter())
        .fold(0.0f32, |m, (&g, &c)| m.max((g - c).abs()));
    assert!(
        diff <= TOL * scale,
        "{what}: max |gpu − cpu| = {diff:e}, allowed {:e}",
        TOL * scale
    );
    assert_eq!(argmax_rows(gpu), argmax_rows(cpu), "{what}: predictions");
    diff / scale
}

#[wasm_bindgen_test]
async fn gpu_forward_matches_the_cpu_in_the_browser() {
    let Some(ctx) = context().await else { return };
    let default = GpuForward::with_context(ctx.clone()).await.unwrap();
    // The smallest tiles too, and the batch in several chunks.
    let small = wgpu::Limits {
        max_compute_workgroup_storage_size: 1024,
        ..Default::default()
    };
    let tiles = Tiles::for_limits(&small).unwrap();
    let tiled = GpuForward::with_conv_kernel(ctx, ConvKernel::Tiled(tiles))
        .await
        .unwrap()
        .with_max_chunk(3);
    console_log!("conv kernel: {:?}", default.conv_kernel());
    let x = images(16, 1);
    for (task, json) in MODELS {
        let (net, _) = model::from_json(json).unwrap();
        let want = CpuForward::new()
            .prepare_cpu(&net)
            .unwrap()
            .output(x.view())
            .unwrap();
        let got = default
            .prepare_async(&net)
            .await
            .unwrap()
            .output_async(x.view())
            .await
            .unwrap();
        let e = assert_close(got.view(), want.view(), task);
        let few = x.slice(ndarray::s![..7, .., .., ..]);
        let got = tiled
            .prepare_async(&net)
            .await
            .unwrap()
            .output_async(few)
            .await
            .unwrap();
        let t = assert_close(
            got.view(),
            want.slice(ndarray::s![..7, .., .., ..]),
            &format!("{task}, tiled"),
        );
        console_log!("{task}: max relative logit error {e:.2e} ({tiles:?}: {t:.2e})");
    }
}

#[wasm_bindgen_test]
async fn web_gpu_forward_gives_the_cpu_logits() {
    if context().await.is_none() {
        return;
    }
    let (task, json) = MODELS[3];
    let (net, _) = model::from_json(json).unwrap();
    let x = images(7, 2);
    let want = CpuForward::new()
        .prepare_cpu(&net)
        .unwrap()
        .logits_flat(x.view())
        .unwrap();
    let fwd = WebGpuForward::create(json.to_string()).await.unwrap();
    let pixels = Float32Array::from(x.as_slice().unwrap());
    let promise = fwd.logits(pixels, 7).unwrap();
    let got = Float32Array::from(JsFuture::from(promise).await.unwrap()).to_vec();
    let got = Array4::from_shape_vec((7, 10, 1, 1), got).unwrap();
    let want = Array4::from_shape_vec((7, 10, 1, 1), want).unwrap();
    assert_close(got.view(), want.view(), task);
    // A wrong pixel count is an error, not a panic.
    assert!(fwd.logits(Float32Array::new_with_length(5), 7).is_err());
}

#[wasm_bindgen_test]
async fn forced_faults_are_gpu_errors_in_the_browser() {
    if context().await.is_none() {
        return;
    }
    let (net, _) = model::from_json(MODELS[3].1).unwrap();
    let x = images(4, 3);
    fault::force(Some(Fault::NoAdapter));
    let r = GpuContext::request().await;
    fault::force(None);
    assert!(matches!(r, Err(Error::Gpu(_))), "no-adapter");
    for f in [
        Fault::DeviceLost { submission: 1 },
        Fault::OutOfMemory { allocation: 2 },
    ] {
        fault::force(Some(f));
        let ctx = GpuContext::request().await;
        fault::force(None);
        let gpu = GpuForward::with_context(Arc::new(ctx.unwrap()))
            .await
            .unwrap();
        let mut prepared = gpu.prepare_async(&net).await.unwrap();
        let r = prepared.output_async(x.view()).await;
        assert!(matches!(r, Err(Error::Gpu(_))), "{f:?}: {r:?}");
    }
}

/// The page's verification on WebGPU: `WebGpuEvaluator` gives the CPU
/// `Evaluator`'s target and ticket logits on the same rotated digits (the
/// ticket here is the rebalanced target's own α as β, a valid collapsed
/// ticket with both pools' layout exercised by the blob decoder).
#[wasm_bindgen_test]
async fn web_gpu_evaluator_gives_the_cpu_evaluators_logits() {
    if context().await.is_none() {
        return;
    }
    // The MLP: cheap on SwiftShader, and every layer type the evaluator
    // handles is the forward's (tested above).
    let json = MODELS[0].1;
    let (net, _) = model::from_json(json).unwrap();
    let count = 6;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    let pixels = (0..count * 28 * 28)
        .map(|_| rng.random_range(0..=255u8))
        .collect();
    let digits = Digits::new(28, 28, labels, pixels).unwrap().to_bytes();
    let headroom = 0.5f32;
    let rebalanced = rebalance(&net, headroom);
    let betas: Vec<Betas> = rebalanced
        .network
        .layers()
        .map(|l| Betas {
            pos: l.coef.clone(),
            neg: None,
        })
        .collect();
    let mut blob = headroom.to_le_bytes().to_vec();
    blob.extend(encode_betas(&betas));

    // A second network in the same encoding, as the source's blob: β/2.
    let halves: Vec<Betas> = betas
        .iter()
        .map(|b| Betas {
            pos: b.pos.iter().map(|v| v * 0.5).collect(),
            neg: None,
        })
        .collect();
    let mut source_blob = headroom.to_le_bytes().to_vec();
    source_blob.extend(encode_betas(&halves));

    let mut cpu = Evaluator::new(json, &digits).unwrap();
    cpu.set_ticket(&blob).unwrap();
    cpu.set_source(&source_blob).unwrap();
    let gpu = WebGpuEvaluator::create(json.to_string(), digits.clone())
        .await
        .unwrap();
    JsFuture::from(gpu.set_ticket(blob.clone())).await.unwrap();
    JsFuture::from(gpu.set_source(source_blob.clone()))
        .await
        .unwrap();
    // Without the target (the coordinator has its logits already).
    let lean = JsFuture::from(gpu.evaluate(1, count, Some(false), None))
        .await
        .unwrap();
    assert!(js_sys::Reflect::get(&lean, &"target".into())
        .unwrap()
        .is_undefined());
    let want = cpu.evaluate(1, count, None, None).unwrap();
    let got = JsFuture::from(gpu.evaluate(1, count, None, None))
        .await
        .unwrap();
    for key in ["target", "ticket", "source"] {
        let field = |v: &wasm_bindgen::JsValue| {
            Float32Array::from(js_sys::Reflect::get(v, &key.into()).unwrap()).to_vec()
        };
        let (w, g) = (field(&want), field(&got));
        assert_eq!(w.len(), (count - 1) * 10, "{key}: logits");
        let scale = w.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        let diff = w
            .iter()
            .zip(&g)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            diff <= TOL * scale,
            "{key}: GPU evaluator differs by {diff} (scale {scale})"
        );
    }
}
