//! Hand-written backward passes against f64 central finite differences of an
//! independent, naive f64 reference of every op and of a small C4 network.

mod nn_common;

use eslt::nn::{self, EquivariantLayer, Network, Op};
use ndarray::{Array4, ArrayView4};
use nn_common::{random_vec, small_c4_network};

type Shape = (usize, usize, usize, usize);

/// Naive f64 reference implementations of the ops, loops only.
mod reference {
    use super::Shape;

    pub fn conv(x: &[f64], xs: Shape, w: &[f64], ws: Shape) -> Vec<f64> {
        let (b, c, h, wd) = xs;
        let (co, _, k, _) = ws;
        let r = (k / 2) as isize;
        let mut y = vec![0.0; b * co * h * wd];
        for n in 0..b {
            for o in 0..co {
                for yy in 0..h {
                    for xx in 0..wd {
                        let mut s = 0.0;
                        for i in 0..c {
                            for dy in 0..k {
                                for dx in 0..k {
                                    let sy = yy as isize + dy as isize - r;
                                    let sx = xx as isize + dx as isize - r;
                                    if sy < 0 || sx < 0 || sy >= h as isize || sx >= wd as isize {
                                        continue;
                                    }
                                    s += w[((o * c + i) * k + dy) * k + dx]
                                        * x[((n * c + i) * h + sy as usize) * wd + sx as usize];
                                }
                            }
                        }
                        y[((n * co + o) * h + yy) * wd + xx] = s;
                    }
                }
            }
        }
        y
    }

    pub fn relu(x: &[f64]) -> Vec<f64> {
        x.iter().map(|v| v.max(0.0)).collect()
    }

    pub fn max_pool2(x: &[f64], s: Shape) -> (Vec<f64>, Shape) {
        let (b, c, h, w) = s;
        let (oh, ow) = (h / 2, w / 2);
        let mut y = Vec::with_capacity(b * c * oh * ow);
        for n in 0..b {
            for ch in 0..c {
                for yy in 0..oh {
                    for xx in 0..ow {
                        let at = |dy: usize, dx: usize| {
                            x[((n * c + ch) * h + 2 * yy + dy) * w + 2 * xx + dx]
                        };
                        y.push(at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1)));
                    }
                }
            }
        }
        (y, (b, c, oh, ow))
    }

    pub fn group_pool(x: &[f64], s: Shape, order: usize) -> (Vec<f64>, Shape) {
        let (b, c, h, w) = s;
        let f = c / order;
        let mut y = vec![f64::NEG_INFINITY; b * f * h * w];
        for n in 0..b {
            for ch in 0..c {
                for p in 0..h * w {
                    let d = &mut y[(n * f + ch / order) * h * w + p];
                    *d = d.max(x[(n * c + ch) * h * w + p]);
                }
            }
        }
        (y, (b, f, h, w))
    }

    pub fn global_avg_pool(x: &[f64], s: Shape) -> (Vec<f64>, Shape) {
        let (b, c, h, w) = s;
        let y = (0..b * c)
            .map(|bc| x[bc * h * w..(bc + 1) * h * w].iter().sum::<f64>() / (h * w) as f64)
            .collect();
        (y, (b, c, 1, 1))
    }

    /// Dense weights of a layer from f64 coefficients.
    pub fn expand(l: &eslt::nn::EquivariantLayer, coef: &[f64]) -> (Vec<f64>, Shape) {
        let b = &l.basis;
        let (pn, qn, k) = (b.out_dim, b.in_dim, b.ksize);
        let (co, ci) = (l.c_out * pn, l.c_in * qn);
        let mut w = vec![0.0; co * ci * k * k];
        for o in 0..l.c_out {
            for i in 0..l.c_in {
                for (kb, e) in b.elems.iter().enumerate() {
                    let a = coef[(o * l.c_in + i) * b.len() + kb];
                    for p in 0..pn {
                        for q in 0..qn {
                            for t in 0..k * k {
                                w[((o * pn + p) * ci + i * qn + q) * k * k + t] +=
                                    a * e[(p * qn + q) * k * k + t] as f64;
                            }
                        }
                    }
                }
            }
        }
        (w, (co, ci, k, k))
    }

    pub fn cross_entropy(logits: &[f64], classes: usize, labels: &[u8]) -> f64 {
        let b = labels.len();
        let mut loss = 0.0;
        for n in 0..b {
            let row = &logits[n * classes..(n + 1) * classes];
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = row.iter().map(|v| (v - m).exp()).sum();
            loss += z.ln() + m - row[labels[n] as usize];
        }
        loss / b as f64
    }
}

/// Runs the network in f64 with the layers' coefficients replaced by `coefs`.
fn reference_forward(net: &Network, coefs: &[Vec<f64>], x: &[f64], xs: Shape) -> (Vec<f64>, Shape) {
    let mut h = x.to_vec();
    let mut s = xs;
    let mut li = 0;
    for op in &net.ops {
        match op {
            Op::Conv(l) => {
                let (w, ws) = reference::expand(l, &coefs[li]);
                li += 1;
                h = reference::conv(&h, s, &w, ws);
                s = (s.0, ws.0, s.2, s.3);
            }
            Op::Relu => h = reference::relu(&h),
            Op::MaxPool2 => (h, s) = reference::max_pool2(&h, s),
            Op::GroupPool => (h, s) = reference::group_pool(&h, s, net.group.order()),
            Op::GlobalAvgPool => (h, s) = reference::global_avg_pool(&h, s),
            Op::Flatten => s = (s.0, s.1 * s.2 * s.3, 1, 1),
        }
    }
    (h, s)
}

fn to_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// Largest |analytic − numeric| relative to the largest |numeric|.
fn rel_err(analytic: &[f32], numeric: &[f64]) -> f64 {
    assert_eq!(analytic.len(), numeric.len());
    let scale = numeric.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(
        scale > 1e-8,
        "gradient vanishes: the check would be vacuous"
    );
    analytic
        .iter()
        .zip(numeric)
        .fold(0.0f64, |m, (&a, &n)| m.max((a as f64 - n).abs()))
        / scale
}

/// Central differences of `f` at `x`, step `eps`.
fn numeric_grad(x: &[f64], eps: f64, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut xp = x.to_vec();
    (0..x.len())
        .map(|i| {
            let orig = xp[i];
            xp[i] = orig + eps;
            let fp = f(&xp);
            xp[i] = orig - eps;
            let fm = f(&xp);
            xp[i] = orig;
            (fp - fm) / (2.0 * eps)
        })
        .collect()
}

const EPS: f64 = 1e-5;
/// f32 analytic gradients vs f64 numerics: f32 rounding (~1e-7 relative per
/// op) leaves well under this; a wrong index or missing term gives O(1).
const TOL: f64 = 1e-4;

fn arr(v: &[f32], s: Shape) -> Array4<f32> {
    Array4::from_shape_vec(s, v.to_vec()).unwrap()
}

/// Loss Σ g ⊙ op(x) for a fixed random g: its gradient is the backward of g.
fn dot(a: &[f64], g: &[f32]) -> f64 {
    a.iter().zip(g).map(|(a, &g)| a * g as f64).sum()
}

#[test]
fn conv_backward_matches_finite_differences() {
    for &(xs, ws) in &[
        ((2, 3, 6, 5), (4, 3, 3, 3)),
        ((1, 2, 4, 4), (3, 2, 5, 5)),
        ((3, 4, 3, 3), (2, 4, 1, 1)),
        ((2, 5, 1, 1), (3, 5, 1, 1)),
    ] {
        let nx = xs.0 * xs.1 * xs.2 * xs.3;
        let nw = ws.0 * ws.1 * ws.2 * ws.3;
        let x = random_vec(nx, 1);
        let w = random_vec(nw, 2);
        let ys = (xs.0, ws.0, xs.2, xs.3);
        let g = random_vec(ys.0 * ys.1 * ys.2 * ys.3, 3);
        // Forward agrees with the reference.
        let y = nn::conv2d_same(arr(&x, xs).view(), arr(&w, ws).view()).unwrap();
        let yr = reference::conv(&to_f64(&x), xs, &to_f64(&w), ws);
        assert!(rel_err(y.as_slice().unwrap(), &yr) < 1e-5);
        let (dx, dw) = nn::conv2d_same_backward(
            arr(&x, xs).view(),
            arr(&w, ws).view(),
            arr(&g, ys).view(),
            true,
        )
        .unwrap();
        let (xf, wf) = (to_f64(&x), to_f64(&w));
        let ndx = numeric_grad(&xf, EPS, |xv| dot(&reference::conv(xv, xs, &wf, ws), &g));
        let ndw = numeric_grad(&wf, EPS, |wv| dot(&reference::conv(&xf, xs, wv, ws), &g));
        let ex = rel_err(dx.unwrap().as_slice().unwrap(), &ndx);
        let ew = rel_err(dw.as_slice().unwrap(), &ndw);
        assert!(
            ex < TOL && ew < TOL,
            "{xs:?} {ws:?}: dx err {ex:e}, dw err {ew:e}"
        );
    }
}

#[test]
fn conv_backward_without_dx_gives_same_dw() {
    let (xs, ws) = ((5, 2, 7, 7), (3, 2, 3, 3));
    let x = arr(&random_vec(5 * 2 * 49, 4), xs);
    let w = arr(&random_vec(3 * 2 * 9, 5), ws);
    let g = arr(&random_vec(5 * 3 * 49, 6), (5, 3, 7, 7));
    let (_, a) = nn::conv2d_same_backward(x.view(), w.view(), g.view(), true).unwrap();
    let (none, b) = nn::conv2d_same_backward(x.view(), w.view(), g.view(), false).unwrap();
    assert!(none.is_none());
    let d = (&a - &b).mapv(f32::abs).fold(0.0f32, |m, &v| m.max(v));
    assert!(d < 1e-5, "dw differs by {d}");
}

fn check_pointwise(
    name: &str,
    xs: Shape,
    forward: impl Fn(ArrayView4<f32>) -> Array4<f32>,
    backward: impl Fn(ArrayView4<f32>, ArrayView4<f32>) -> Array4<f32>,
    reference: impl Fn(&[f64]) -> Vec<f64>,
) {
    let x = random_vec(xs.0 * xs.1 * xs.2 * xs.3, 7);
    let y = forward(arr(&x, xs).view());
    let yr = reference(&to_f64(&x));
    assert!(
        rel_err(y.as_slice().unwrap(), &yr) < 1e-6,
        "{name}: forward differs"
    );
    let g = random_vec(y.len(), 8);
    let dx = backward(arr(&x, xs).view(), arr(&g, y.dim()).view());
    // Small step: the random inputs sit far from the kinks (ties, zero).
    let ndx = numeric_grad(&to_f64(&x), 1e-7, |xv| dot(&reference(xv), &g));
    let e = rel_err(dx.as_slice().unwrap(), &ndx);
    assert!(e < TOL, "{name}: backward err {e:e}");
}

#[test]
fn relu_backward_matches_finite_differences() {
    check_pointwise(
        "relu",
        (2, 3, 4, 4),
        nn::relu,
        nn::relu_backward,
        reference::relu,
    );
}

#[test]
fn max_pool_backward_matches_finite_differences() {
    for xs in [(2, 3, 6, 6), (1, 2, 5, 7)] {
        check_pointwise(
            "max_pool2",
            xs,
            nn::max_pool2,
            nn::max_pool2_backward,
            |x| reference::max_pool2(x, xs).0,
        );
    }
}

#[test]
fn group_pool_backward_matches_finite_differences() {
    let xs = (2, 8, 3, 3);
    check_pointwise(
        "group_pool",
        xs,
        |x| nn::group_pool(x, 4).unwrap(),
        |x, g| nn::group_pool_backward(x, g, 4).unwrap(),
        |x| reference::group_pool(x, xs, 4).0,
    );
}

#[test]
fn global_avg_pool_backward_matches_finite_differences() {
    let xs = (2, 3, 5, 4);
    check_pointwise(
        "global_avg_pool",
        xs,
        nn::global_avg_pool,
        |x, g| nn::global_avg_pool_backward(x.dim(), g),
        |x| reference::global_avg_pool(x, xs).0,
    );
}

#[test]
fn coefficient_gradient_is_the_chain_rule_through_expand() {
    let (t, r) = (
        eslt::group::FieldType::Trivial,
        eslt::group::FieldType::Regular,
    );
    let g = eslt::group::Group::Cyclic(4);
    let mut l: EquivariantLayer =
        nn_common::layer(g, r, r, 2, 3, nn_common::random_basis(4, 4, 3, 5, 9));
    l.coef = random_vec(l.num_coefficients(), 10);
    let _ = t;
    let w = l.expand();
    let (wr, _) = reference::expand(&l, &to_f64(&l.coef));
    assert!(
        rel_err(w.as_slice().unwrap(), &wr) < 1e-6,
        "expand differs from the reference"
    );
    let gw = random_vec(w.len(), 11);
    let ga = l.coef_grad(&arr(&gw, w.dim()));
    let na = numeric_grad(&to_f64(&l.coef), EPS, |c| {
        dot(&reference::expand(&l, c).0, &gw)
    });
    let e = rel_err(&ga, &na);
    assert!(e < TOL, "dα err {e:e}");
}

/// Whole-network gradient: small C4 net (plus an MLP through Flatten), loss
/// = softmax cross-entropy, every coefficient of every layer.
fn check_network(net: &Network, xs: Shape, seed: u64) {
    let x = random_vec(xs.0 * xs.1 * xs.2 * xs.3, seed);
    let classes = net.shapes().unwrap().last().unwrap().0;
    let labels: Vec<u8> = (0..xs.0).map(|n| (n % classes) as u8).collect();
    let tape = net.forward_tape(arr(&x, xs).view()).unwrap();
    let out = nn::softmax_cross_entropy(tape.output.view(), &labels).unwrap();
    let grads = net.backward(&tape, out.d_logits.view()).unwrap();
    let coefs: Vec<Vec<f64>> = net.layers().map(|l| to_f64(&l.coef)).collect();
    let xf = to_f64(&x);
    let loss_of = |c: &[Vec<f64>]| {
        let (y, _) = reference_forward(net, c, &xf, xs);
        reference::cross_entropy(&y, classes, &labels)
    };
    assert!(
        (loss_of(&coefs) - out.loss as f64).abs() < 1e-5,
        "loss differs from the reference"
    );
    for (li, g) in grads.iter().enumerate() {
        let n = numeric_grad(&coefs[li], EPS, |c| {
            let mut all = coefs.clone();
            all[li] = c.to_vec();
            loss_of(&all)
        });
        let e = rel_err(g, &n);
        assert!(e < TOL, "layer {li}: dα err {e:e}");
    }
}

#[test]
fn c4_network_gradient_matches_finite_differences() {
    let net = small_c4_network(8, 3, 5, 12);
    check_network(&net, (3, 1, 8, 8), 13);
}

#[test]
fn mlp_gradient_matches_finite_differences() {
    use eslt::group::{FieldType, Group};
    let g = Group::Cyclic(1);
    let t = FieldType::Trivial;
    let dense = || nn_common::random_basis(1, 1, 1, 1, 0);
    let mut net = Network {
        group: g,
        input_shape: (1, 4, 4),
        ops: vec![
            Op::Flatten,
            Op::Conv(nn_common::layer(g, t, t, 16, 6, dense())),
            Op::Relu,
            Op::Conv(nn_common::layer(g, t, t, 6, 3, dense())),
        ],
    };
    net.init_coefficients(14);
    check_network(&net, (4, 1, 4, 4), 15);
}
