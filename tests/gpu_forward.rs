//! The GPU forward against the CPU forward: logits within 1e-4 of the
//! largest logit (or of 1) and the same predictions, on every shipped model
//! with test digits and random inputs, at batch sizes 1, 7 and 256, with the
//! batch cut into several chunks, and on networks with op orders and shapes
//! the shipped models lack. Also: an image's output does not depend on its
//! batch or chunk (bit for bit), every forced fault is a typed
//! `Error::Gpu`, and the CLI falls back to the CPU with the same result.
//!
//! One device serves the whole binary. Without a GPU adapter the tests
//! print why and pass, unless ESLT_REQUIRE_GPU=1 (set by `build.sh test`,
//! where lavapipe is installed).
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use eslt::data::digits::Digits;
use eslt::data::rotated_mnist::{rotated_images, test_angles};
use eslt::gpu::fault::{self, Fault};
use eslt::gpu::{ConvKernel, GpuContext, GpuForward, GpuPrepared, Tiles};
use eslt::group::FieldType;
use eslt::nn::architecture::{Architecture, BasisKind, OpSpec};
use eslt::nn::{argmax_rows, model, tasks, CpuForward, ForwardBackend, Network, PreparedForward};
use eslt::Error;
use ndarray::{s, Array4, ArrayView4};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOL: f32 = 1e-4;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary's one device, or None (after saying why) without an adapter.
fn shared() -> Option<Arc<GpuContext>> {
    static CTX: OnceLock<Option<Arc<GpuContext>>> = OnceLock::new();
    CTX.get_or_init(|| match GpuContext::new() {
        Ok(ctx) => {
            eprintln!("adapter: {}", ctx.describe());
            Some(Arc::new(ctx))
        }
        Err(e) => {
            if std::env::var("ESLT_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("ESLT_REQUIRE_GPU=1 but no GPU context: {e}");
            }
            eprintln!("skipped: {e}");
            None
        }
    })
    .clone()
}

fn gpu() -> Option<GpuForward> {
    Some(GpuForward::new(shared()?).expect("forward pipelines compile"))
}

fn shipped(task: &str) -> Network {
    model::load(&root().join(format!("www/models/{task}.json")))
        .expect("shipped model loads")
        .0
}

/// The first `n` rotated t10k digits `[n, 1, 28, 28]`.
fn test_digits(n: usize) -> Array4<f32> {
    let test = Digits::load(&root().join("target/data/mnist-t10k.digits"))
        .unwrap_or_else(|e| panic!("{e}: run ./build.sh first, it fetches and converts MNIST"));
    let idx: Vec<usize> = (0..n).collect();
    let pixels = rotated_images(&test, &idx, &test_angles(n));
    Array4::from_shape_vec((n, 1, test.rows, test.cols), pixels).unwrap()
}

fn random_images(b: usize, (c, h, w): (usize, usize, usize), lo: f32, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn((b, c, h, w), || rng.random_range(lo..1.0))
}

/// Asserts |gpu − cpu| ≤ TOL · max(1, max |cpu|) and equal predictions;
/// returns max |gpu − cpu| / max(1, max |cpu|).
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
    assert_eq!(
        argmax_rows(gpu),
        argmax_rows(cpu),
        "{what}: predictions differ"
    );
    diff / scale
}

fn assert_bitwise(a: ArrayView4<f32>, b: ArrayView4<f32>, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes");
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        assert_eq!(x.to_bits(), y.to_bits(), "{what}: value {i}: {x} vs {y}");
    }
}

/// Parity at batch sizes 1, 7 and 256 on the first images of `x`, and
/// the smaller batches' outputs equal (bit for bit) to the same images'
/// in the batch of 256; the worst error.
fn check_batches(gpu: &GpuForward, net: &Network, x: &Array4<f32>, what: &str) -> f32 {
    let mut cpu = CpuForward::new().prepare_cpu(net).unwrap();
    let mut g = gpu.prepare(net).unwrap();
    let full = g.output(x.slice(s![..256, .., .., ..])).unwrap();
    let want = cpu.output(x.slice(s![..256, .., .., ..])).unwrap();
    let mut worst = assert_close(full.view(), want.view(), &format!("{what}, batch 256"));
    for b in [1, 7] {
        let yg = g.output(x.slice(s![..b, .., .., ..])).unwrap();
        let yc = want.slice(s![..b, .., .., ..]);
        worst = worst.max(assert_close(yg.view(), yc, &format!("{what}, batch {b}")));
        assert_bitwise(
            yg.view(),
            full.slice(s![..b, .., .., ..]),
            &format!("{what}: batch {b} vs the same images in a batch of 256"),
        );
    }
    worst
}

#[test]
fn shipped_models_match_the_cpu_on_test_digits() {
    let Some(gpu) = gpu() else { return };
    let x = test_digits(256);
    for task in tasks::TASKS {
        let e = check_batches(&gpu, &shipped(task), &x, task);
        eprintln!("{task}: test digits, max relative logit error {e:.2e}");
    }
}

#[test]
fn shipped_models_match_the_cpu_on_random_inputs() {
    let Some(gpu) = gpu() else { return };
    for (seed, task) in tasks::TASKS.iter().enumerate() {
        let net = shipped(task);
        let x = random_images(256, net.input_shape, -1.0, 10 + seed as u64);
        let e = check_batches(&gpu, &net, &x, &format!("{task}, random"));
        eprintln!("{task}: uniform [-1, 1), max relative logit error {e:.2e}");
    }
}

#[test]
fn chunks_change_nothing() {
    let Some(gpu) = gpu() else { return };
    let x = test_digits(100);
    for task in ["rotmnist-mlp", "rotmnist-c8"] {
        let net = shipped(task);
        let mut whole = prepared(&gpu, &net);
        assert!(whole.chunk() >= 100, "{task}: chunk {}", whole.chunk());
        let want = whole.output(x.view()).unwrap();
        let mut cpu = CpuForward::new().prepare_cpu(&net).unwrap();
        assert_close(want.view(), cpu.output(x.view()).unwrap().view(), task);
        for chunk in [1, 3, 64] {
            let mut cut = prepared(&gpu.clone().with_max_chunk(chunk), &net);
            assert_eq!(cut.chunk(), chunk);
            // 100 = several chunks, and a short last one for 3 and 64.
            let got = cut.output(x.view()).unwrap();
            assert_bitwise(
                got.view(),
                want.view(),
                &format!("{task}, chunks of {chunk}"),
            );
        }
    }
}

/// `net` prepared with its concrete type (for `chunk()`).
fn prepared(gpu: &GpuForward, net: &Network) -> GpuPrepared {
    pollster::block_on(gpu.prepare_async(net)).unwrap()
}

fn conv(c_in: usize, c_out: usize, ksize: usize, basis: BasisKind) -> OpSpec {
    OpSpec::Conv {
        in_type: FieldType::Trivial,
        out_type: FieldType::Trivial,
        c_in,
        c_out,
        ksize,
        basis,
    }
}

fn built(arch: Architecture, seed: u64) -> Network {
    let mut net = arch.build().unwrap();
    net.init_coefficients(seed);
    net
}

fn check_once(gpu: &GpuForward, net: &Network, x: &Array4<f32>, what: &str) {
    let yg = gpu.prepare(net).unwrap().output(x.view()).unwrap();
    let yc = CpuForward::new()
        .prepare_cpu(net)
        .unwrap()
        .output(x.view())
        .unwrap();
    let e = assert_close(yg.view(), yc.view(), what);
    eprintln!("{what}: max relative error {e:.2e}");
}

/// Pooling without ReLU before it (then ReLU after it), odd sizes, a 1×1
/// convolution on a grid, Flatten of several channels.
fn odd_network() -> Network {
    use BasisKind::{Dense, Pixel};
    let odd = Architecture {
        group: "C1".into(),
        input_shape: (3, 13, 11),
        ops: vec![
            conv(3, 5, 3, Pixel),
            OpSpec::MaxPool2,
            OpSpec::Relu,
            conv(5, 4, 5, Pixel),
            OpSpec::MaxPool2,
            OpSpec::Relu,
            conv(4, 6, 1, Dense),
            OpSpec::Relu,
            OpSpec::Flatten,
            conv(36, 7, 1, Dense),
            OpSpec::Relu,
            conv(7, 3, 1, Dense),
        ],
    };
    built(odd, 3)
}

#[test]
fn other_shapes_and_op_orders_match_the_cpu() {
    use BasisKind::Pixel;
    let Some(gpu) = gpu() else { return };
    for (seed, task) in tasks::TASKS.iter().enumerate() {
        let net = tasks::build(task, 11 + seed as u64).unwrap();
        let x = random_images(9, net.input_shape, -1.0, 100 + seed as u64);
        check_once(&gpu, &net, &x, &format!("random {task}"));
    }
    let net = odd_network();
    check_once(&gpu, &net, &random_images(6, (3, 13, 11), -1.0, 5), "odd");
    // Kernels wider than the map, ReLU twice, group pool of trivial
    // fields, a pooled 1×1 map's average.
    let tiny = Architecture {
        group: "C1".into(),
        input_shape: (2, 3, 2),
        ops: vec![
            conv(2, 3, 7, Pixel),
            OpSpec::Relu,
            OpSpec::Relu,
            OpSpec::GroupPool,
            conv(3, 4, 3, Pixel),
            OpSpec::MaxPool2,
            OpSpec::GlobalAvgPool,
            conv(4, 2, 3, Pixel),
        ],
    };
    let net = built(tiny, 4);
    check_once(&gpu, &net, &random_images(5, (2, 3, 2), -1.0, 6), "tiny");
    // Regular fields: ReLU after pooling, after group pooling.
    let c4 = Architecture {
        group: "C4".into(),
        input_shape: (1, 16, 16),
        ops: vec![
            OpSpec::Conv {
                in_type: FieldType::Trivial,
                out_type: FieldType::Regular,
                c_in: 1,
                c_out: 3,
                ksize: 5,
                basis: BasisKind::Steerable,
            },
            OpSpec::MaxPool2,
            OpSpec::Relu,
            OpSpec::Conv {
                in_type: FieldType::Regular,
                out_type: FieldType::Regular,
                c_in: 3,
                c_out: 2,
                ksize: 3,
                basis: BasisKind::Steerable,
            },
            OpSpec::GroupPool,
            OpSpec::Relu,
            OpSpec::GlobalAvgPool,
        ],
    };
    let net = built(c4, 5);
    check_once(&gpu, &net, &random_images(7, (1, 16, 16), -1.0, 7), "C4");
    // A prefix: the feature map after the first pooled convolution.
    let c8 = shipped("rotmnist-c8").prefix(3);
    check_once(&gpu, &c8, &test_digits(5), "c8 prefix (14×14×64 map)");
}

/// Both convolution kernels, whatever the device: the tiled one (what
/// GPUs get) at the largest and the smallest tiles, the direct one (what
/// CPU devices get).
fn every_kernel(ctx: &Arc<GpuContext>) -> Vec<GpuForward> {
    let mut kernels = vec![
        ConvKernel::Direct,
        ConvKernel::Tiled(Tiles::for_limits(&wgpu::Limits::default()).unwrap()),
    ];
    let small = wgpu::Limits {
        max_compute_workgroup_storage_size: 1024,
        ..Default::default()
    };
    kernels.push(ConvKernel::Tiled(Tiles::for_limits(&small).unwrap()));
    kernels
        .into_iter()
        .map(|k| pollster::block_on(GpuForward::with_conv_kernel(ctx.clone(), k)).unwrap())
        .collect()
}

#[test]
fn every_convolution_kernel_matches_the_cpu() {
    let Some(ctx) = shared() else { return };
    let x = test_digits(9);
    for gpu in every_kernel(&ctx) {
        let kernel = format!("{:?}", gpu.conv_kernel());
        for task in tasks::TASKS {
            check_once(&gpu, &shipped(task), &x, &format!("{task}, {kernel}"));
        }
        let odd = odd_network();
        let xo = random_images(6, odd.input_shape, -1.0, 5);
        check_once(&gpu, &odd, &xo, &format!("odd, {kernel}"));
    }
}

#[test]
fn empty_batches_and_wrong_shapes() {
    let Some(gpu) = gpu() else { return };
    let mut g = gpu.prepare(&shipped("rotmnist-c8")).unwrap();
    let y = g
        .output(Array4::<f32>::zeros((0, 1, 28, 28)).view())
        .unwrap();
    assert_eq!(y.dim(), (0, 10, 1, 1));
    let e = g.output(Array4::<f32>::zeros((2, 1, 27, 28)).view());
    assert!(matches!(e, Err(Error::InvalidArgument(_))), "{e:?}");
}

/// A fresh context created while `f` is forced.
fn faulty(f: Fault) -> eslt::Result<Arc<GpuContext>> {
    fault::force(Some(f));
    let ctx = GpuContext::new();
    fault::force(None);
    ctx.map(Arc::new)
}

fn assert_gpu_error<T>(r: eslt::Result<T>, needle: &str, what: &str) {
    match r {
        Err(Error::Gpu(msg)) => assert!(msg.contains(needle), "{what}: {msg}"),
        Err(e) => panic!("{what}: expected Error::Gpu, got {e}"),
        Ok(_) => panic!("{what}: expected Error::Gpu, got Ok"),
    }
}

#[test]
fn forced_faults_are_gpu_errors() {
    // The shared device exists before any fault is forced, so the other
    // tests never see one.
    if shared().is_none() {
        return;
    }
    let net = shipped("rotmnist-c8");
    let x = test_digits(7);

    assert_gpu_error(faulty(Fault::NoAdapter), "no GPU adapter", "no-adapter");

    let oom = |nth| {
        let ctx = faulty(Fault::OutOfMemory { allocation: nth }).unwrap();
        GpuForward::new(ctx).unwrap()
    };
    // The first allocation is the kernels (prepare), the second the
    // activation buffers (first batch).
    assert_gpu_error(oom(1).prepare(&net), "out of GPU memory", "oom:1");
    let mut g = oom(2).prepare(&net).unwrap();
    assert_gpu_error(g.output(x.view()), "out of GPU memory", "oom:2");

    let lost = |nth| {
        let ctx = faulty(Fault::DeviceLost { submission: nth }).unwrap();
        GpuForward::new(ctx).unwrap().with_max_chunk(3)
    };
    let mut g = lost(1).prepare(&net).unwrap();
    assert_gpu_error(g.output(x.view()), "device lost", "device-lost:1");
    // Mid-batch: the second of three chunks; the device stays lost.
    let mut g = lost(2).prepare(&net).unwrap();
    assert_gpu_error(g.output(x.view()), "device lost", "device-lost:2");
    assert!(matches!(g.output(x.view()), Err(Error::Gpu(_))));
    // And a healthy context still works after all that.
    let mut g = GpuForward::new(shared().unwrap())
        .unwrap()
        .prepare(&net)
        .unwrap();
    assert_eq!(g.output(x.view()).unwrap().dim(), (7, 10, 1, 1));
}

fn eslt(args: &[&str], fault: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eslt"));
    cmd.args(args)
        .current_dir(root())
        .env_remove(fault::ENV_VAR);
    if let Some(f) = fault {
        cmd.env(fault::ENV_VAR, f);
    }
    let out = cmd.output().expect("eslt runs");
    assert!(
        out.status.success(),
        "eslt {args:?} ({fault:?}) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn eval_on_the_gpu_agrees_and_falls_back_to_the_cpu() {
    if shared().is_none() {
        return;
    }
    let eval = |backend: &str, fault: Option<&str>| {
        let args = [
            "eval",
            "--model",
            "www/models/rotmnist-c8.json",
            "--test-digits",
            "500",
            "--logit-change-digits",
            "100",
            "--json",
            "--backend",
            backend,
        ];
        eslt(&args, fault)
    };
    let cpu = json(&eval("cpu", None));
    let same = |v: &serde_json::Value, what: &str| {
        for key in ["correct", "predictions_digest"] {
            assert_eq!(v[key], cpu[key], "{what}: {key}");
        }
        let agree = &v["logit_change_45"]["prediction_agreement"];
        assert_eq!(
            agree, &cpu["logit_change_45"]["prediction_agreement"],
            "{what}"
        );
    };
    let out = eval("gpu", None);
    let gpu = json(&out);
    same(&gpu, "gpu");
    assert_eq!(gpu["backend"], "gpu");
    assert!(stderr_lines(&out).iter().all(|l| !l.contains("CPU")));
    // A lost device in the middle (the first of eval's three forward
    // calls succeeds), out of memory on the first batch, no adapter: one
    // warning line each, and the CPU's result.
    for fault in ["device-lost:2", "oom:2", "no-adapter"] {
        let out = eval("gpu", Some(fault));
        let v = json(&out);
        same(&v, fault);
        assert_eq!(v["backend"], "cpu", "{fault}");
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{fault}: {lines:?}");
        assert!(lines[0].contains("CPU"), "{fault}: {lines:?}");
    }
}

#[test]
fn bench_reports_the_backend_and_adapter() {
    let Some(ctx) = shared() else { return };
    let args = [
        "bench",
        "forward",
        "--model",
        "www/models/rotmnist-c8.json",
        "--batch",
        "8",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--min-seconds",
        "0",
        "--json",
        "--backend",
        "gpu",
    ];
    let v = json(&eslt(&args, None));
    assert_eq!(v["backend"], "gpu");
    assert_eq!(v["adapter"], ctx.describe().as_str());
    for key in [
        "images_per_second",
        "seconds_per_batch",
        "gflops",
        "macs_per_image",
    ] {
        assert!(v[key].as_f64().is_some_and(|x| x > 0.0), "{key}: {v}");
    }
    let out = eslt(&args, Some("no-adapter"));
    let v = json(&out);
    assert_eq!(v["backend"], "cpu");
    assert!(v["adapter"].is_null());
    assert_eq!(stderr_lines(&out).len(), 1);
}
