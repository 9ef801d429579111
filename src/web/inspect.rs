//! What the page draws from a network: first-layer kernels and feature maps.

use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::data::rotated_mnist::{rotated_images, test_angles};
use crate::data::Digits;
use crate::group::Group;
use crate::nn::{apply_op, Network, Op};
use crate::slt::verify::logits;
use crate::web::js::set;
use crate::Error;

/// The first linear layer's expanded kernels × `scale`:
/// `{out_channels, in_channels, ksize, groupOrder, weights}` (`groupOrder`
/// kernels in a row are one kernel turned by the group).
pub fn first_layer_filters(net: &Network, scale: f64) -> Result<JsValue, JsError> {
    let layer = net
        .layers()
        .next()
        .ok_or_else(|| Error::Model("the network has no linear layer".into()))?;
    let w = layer.expand();
    let (o, i, k, _) = w.dim();
    let values: Vec<f32> = w.iter().map(|&v| (f64::from(v) * scale) as f32).collect();
    let obj = Object::new();
    set(&obj, "out_channels", o as u32)?;
    set(&obj, "in_channels", i as u32)?;
    set(&obj, "ksize", k as u32)?;
    set(&obj, "groupOrder", net.group.order() as u32)?;
    set(&obj, "weights", Float32Array::from(values.as_slice()))?;
    Ok(obj.into())
}

/// Digit `index` turned by its test angle + `extra`, the ticket's feature
/// maps after its first linear layer and ReLU (`groupOrder` channels per
/// field; the group's `rotations` and whether it has `reflections`), and
/// both networks' logits.
pub fn feature_maps(
    digits: &Digits,
    index: usize,
    extra: f32,
    target: &Network,
    ticket: &Network,
    ticket_scale: f64,
) -> Result<JsValue, JsError> {
    if index >= digits.count {
        return Err(Error::InvalidArgument(format!(
            "digit {index} out of range (have {})",
            digits.count
        ))
        .into());
    }
    if !extra.is_finite() {
        return Err(Error::InvalidArgument(format!("angle {extra} is not finite")).into());
    }
    let angle = test_angles(index + 1)[index] + extra;
    let pixels = rotated_images(digits, &[index], &[angle]);
    let x = ndarray::Array4::from_shape_vec((1, 1, digits.rows, digits.cols), pixels.clone())
        .map_err(|e| Error::InvalidArgument(e.to_string()))?;
    // The ticket's ops up to the first ReLU after its first linear layer.
    let order = ticket.group.order();
    let mut h = x.clone();
    let mut seen_conv = false;
    for op in &ticket.ops {
        h = apply_op(op, order, h.view())?;
        match op {
            Op::Conv(_) => seen_conv = true,
            Op::Relu if seen_conv => break,
            _ => {}
        }
    }
    let (_, c, hh, ww) = h.dim();
    let yt = logits(target, x.view())?;
    let yk = logits(ticket, x.view())? * ticket_scale as f32;
    let argmax = |y: &ndarray::Array2<f32>| {
        y.iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
                if v > bv {
                    (i, v)
                } else {
                    (bi, bv)
                }
            })
            .0 as u32
    };
    let obj = Object::new();
    set(&obj, "image", Float32Array::from(pixels.as_slice()))?;
    set(&obj, "rows", digits.rows as u32)?;
    set(&obj, "cols", digits.cols as u32)?;
    set(&obj, "angle", angle)?;
    set(&obj, "channels", c as u32)?;
    set(&obj, "height", hh as u32)?;
    set(&obj, "width", ww as u32)?;
    set(&obj, "groupOrder", order as u32)?;
    // The rotations of the group, and whether it also reflects (Dₙ).
    let (rotations, reflections) = match ticket.group {
        Group::Cyclic(n) => (n, false),
        Group::Dihedral(n) => (n, true),
    };
    set(&obj, "rotations", rotations as u32)?;
    set(&obj, "reflections", reflections)?;
    let maps: Vec<f32> = h.iter().copied().collect();
    set(&obj, "maps", Float32Array::from(maps.as_slice()))?;
    let flat = |y: &ndarray::Array2<f32>| y.iter().copied().collect::<Vec<f32>>();
    set(
        &obj,
        "targetLogits",
        Float32Array::from(flat(&yt).as_slice()),
    )?;
    set(
        &obj,
        "ticketLogits",
        Float32Array::from(flat(&yk).as_slice()),
    )?;
    set(&obj, "targetPrediction", argmax(&yt))?;
    set(&obj, "ticketPrediction", argmax(&yk))?;
    Ok(obj.into())
}
