//! What the page draws of a graph task: a test graph's structure, relabelled
//! by a seeded permutation if asked, and — after a run — the outputs of
//! target and ticket on it, per node and per graph.
//!
//! Relabelling: with permutation σ, original node i is shown as node σ(i),
//! and every per-node array is in the shown labelling. `sigma[i]` = σ(i)
//! lets the page keep each node where it was drawn, so node outputs visibly
//! move with their nodes while their numbers change.

use js_sys::{Array, Float32Array, Int32Array, Object, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::group::permutation::Permutation;
use crate::nn::graph::evaluate::argmax;
use crate::nn::graph::tasks::{self, GraphTask, InputKind};
use crate::nn::graph::{GraphExample, GraphInput, GraphNetwork, GraphOp, Readout};
use crate::web::js::set;
use crate::web::run::permutation_seed;
use crate::{Error, Result};

/// `{…structure}` of test graph `index` of graph task `task` (no network):
/// what the page draws before a run. `permuteSeed` relabels it.
#[wasm_bindgen(js_name = graphExample)]
pub fn graph_example(
    task: &str,
    index: usize,
    permute_seed: Option<f64>,
) -> std::result::Result<JsValue, JsError> {
    let task = tasks::task(task)?;
    let tests = task.test_examples();
    let (ex, sigma) = shown_example(&task, &tests, index, permutation_seed(permute_seed)?)?;
    Ok(structure(&task, &ex, &sigma, index, tests.len())?.into())
}

/// Test example `index` of `examples`, relabelled by the permutation
/// seeded with `seed` (none: as generated), with its permutation.
pub(crate) fn shown_example(
    task: &GraphTask,
    examples: &[GraphExample],
    index: usize,
    seed: Option<u64>,
) -> Result<(GraphExample, Permutation)> {
    let ex = examples.get(index).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "test graph {index} out of range (have {})",
            examples.len()
        ))
    })?;
    let n = ex.input.n;
    let sigma = seed.map_or_else(|| Permutation::identity(n), |s| Permutation::seeded(n, s));
    Ok((ex.permuted(&sigma, task.input.order()), sigma))
}

/// `{task, readout, classNames, count, index, n, edges, sigma, label,
/// nodeLabels, nodeTags}`: the structure of a shown example (`count` test
/// graphs in all).
pub(crate) fn structure(
    task: &GraphTask,
    ex: &GraphExample,
    sigma: &Permutation,
    index: usize,
    count: usize,
) -> std::result::Result<Object, JsError> {
    let n = ex.input.n;
    let obj = Object::new();
    set(&obj, "task", task.name)?;
    set(
        &obj,
        "readout",
        match task.readout {
            Readout::Graph => "graph",
            Readout::Node => "node",
        },
    )?;
    let names = Array::new();
    for name in task.class_names() {
        names.push(&JsValue::from_str(name));
    }
    set(&obj, "classNames", names)?;
    set(&obj, "count", count as u32)?;
    set(&obj, "index", index as u32)?;
    set(&obj, "n", n as u32)?;
    set(
        &obj,
        "edges",
        Uint32Array::from(edges(&ex.input).as_slice()),
    )?;
    let images: Vec<u32> = sigma.images().iter().map(|&v| v as u32).collect();
    set(&obj, "sigma", Uint32Array::from(images.as_slice()))?;
    let label = |l: &Option<u8>| l.map_or(-1, i32::from);
    let (graph_label, node_labels): (i32, Vec<i32>) = match task.readout {
        Readout::Graph => (ex.labels.first().map_or(-1, label), vec![-1; n]),
        Readout::Node => (-1, ex.labels.iter().map(label).collect()),
    };
    set(&obj, "label", graph_label)?;
    set(&obj, "nodeLabels", Int32Array::from(node_labels.as_slice()))?;
    set(
        &obj,
        "nodeTags",
        Int32Array::from(node_tags(task, &ex.input).as_slice()),
    )?;
    Ok(obj)
}

/// Edges u < v as a flat list `[u0, v0, u1, v1, …]`.
fn edges(g: &GraphInput) -> Vec<u32> {
    let n = g.n;
    let mut out = Vec::new();
    for u in 0..n {
        for v in u + 1..n {
            if g.adjacency[u * n + v] != 0.0 {
                out.extend([u as u32, v as u32]);
            }
        }
    }
    out
}

/// A category per node drawn as its ring: the element's colour for the set
/// task (its one-hot input), −1 elsewhere.
fn node_tags(task: &GraphTask, g: &GraphInput) -> Vec<i32> {
    if task.input != InputKind::ColourSet || g.n == 0 {
        return vec![-1; g.n];
    }
    let c = g.features.len() / g.n;
    g.features
        .chunks_exact(c.max(1))
        .map(|row| argmax(row) as i32)
        .collect()
}

/// One network's outputs on a graph: logits (`[classes]` or `[n, classes]`)
/// scaled by `scale`, and a value per node — the node's logit margin for a
/// node readout, else the mean activation of the node's features entering
/// the readout layer (order 1: its row; order 2: its diagonal entry).
pub(crate) fn outputs(
    net: &GraphNetwork,
    g: &GraphInput,
    scale: f64,
) -> Result<(Vec<f32>, Vec<f32>)> {
    let tape = net.forward_tape(g)?;
    let logits: Vec<f32> = tape
        .output
        .iter()
        .map(|&v| (f64::from(v) * scale) as f32)
        .collect();
    let n = g.n;
    let classes = net.classes().max(1);
    let values = match net.readout {
        Readout::Node => logits
            .chunks_exact(classes)
            .map(|row| row.get(1).copied().unwrap_or(0.0) - row[0])
            .collect(),
        Readout::Graph => {
            // The layer pooling nodes (or edges) into the graph.
            let readout = net.ops.iter().enumerate().find_map(|(j, op)| match op {
                GraphOp::Linear(l) if l.output_order() == 0 && l.input_order() > 0 => {
                    Some((j, l.input_order()))
                }
                _ => None,
            });
            match readout {
                None => vec![0.0; n],
                Some((j, order)) => node_means(&tape.inputs[j], n, order),
            }
        }
    };
    Ok((logits, values))
}

/// Mean over channels per node of an order-1 `[n, c]` or order-2 `[n, n, c]`
/// tensor (its diagonal).
fn node_means(x: &[f32], n: usize, order: usize) -> Vec<f32> {
    if n == 0 {
        return Vec::new();
    }
    let per = if order == 2 { n * n } else { n };
    let c = (x.len() / per).max(1);
    (0..n)
        .map(|i| {
            let at = if order == 2 { (i * n + i) * c } else { i * c };
            x[at..at + c].iter().sum::<f32>() / c as f32
        })
        .collect()
}

/// `obj` gets `targetLogits, ticketLogits, targetValues, ticketValues` and,
/// per row, `targetPredictions, ticketPredictions` (one row per graph or
/// per node).
pub(crate) fn add_outputs(
    obj: &Object,
    target: &GraphNetwork,
    ticket: &GraphNetwork,
    ticket_scale: f64,
    g: &GraphInput,
) -> std::result::Result<(), JsError> {
    let (yt, vt) = outputs(target, g, 1.0)?;
    let (yk, vk) = outputs(ticket, g, ticket_scale)?;
    let classes = target.classes().max(1);
    let predict = |y: &[f32]| -> Vec<u8> {
        y.chunks_exact(classes)
            .map(|row| argmax(row) as u8)
            .collect()
    };
    set(obj, "targetLogits", Float32Array::from(yt.as_slice()))?;
    set(obj, "ticketLogits", Float32Array::from(yk.as_slice()))?;
    set(obj, "targetValues", Float32Array::from(vt.as_slice()))?;
    set(obj, "ticketValues", Float32Array::from(vk.as_slice()))?;
    set(
        obj,
        "targetPredictions",
        Uint8Array::from(predict(&yt).as_slice()),
    )?;
    set(
        obj,
        "ticketPredictions",
        Uint8Array::from(predict(&yk).as_slice()),
    )?;
    Ok(())
}
