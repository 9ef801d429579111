//! A model file of either kind — an image network ([`crate::nn::model`],
//! format "eslt-model") or a graph network
//! ([`crate::nn::graph::graph_model`], format "eslt-graph-model") — loaded
//! through one door: [`Model::from_json`] reads the file's envelope once
//! and hands the text to its kind's loader. Callers (the CLI, the page)
//! ask the model what they need instead of testing its kind.

use crate::nn::graph::graph_model::{self, GraphModelMeta};
use crate::nn::graph::{tasks as graph_tasks, GraphNetwork};
use crate::nn::model::{self, ModelMeta};
use crate::nn::model_envelope::Envelope;
use crate::nn::Network;
use crate::Result;

/// The two kinds of network a model file can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A G-equivariant CNN or MLP on rotated MNIST digits.
    Image,
    /// A permutation-equivariant network on sets or graphs.
    Graph,
}

impl ModelKind {
    /// The kind a model file's text declares (its envelope's `format`).
    /// Text that is no graph model is read as an image model, whose loader
    /// then says what is wrong with it.
    pub fn of_text(text: &str) -> Self {
        match Envelope::read(text) {
            Some(e) if e.format == graph_model::FORMAT => ModelKind::Graph,
            _ => ModelKind::Image,
        }
    }

    /// The kind of network task `task` trains (unknown names are image
    /// tasks, whose table then refuses them).
    pub fn of_task(task: &str) -> Self {
        if graph_tasks::task(task).is_ok() {
            ModelKind::Graph
        } else {
            ModelKind::Image
        }
    }

    /// "image" or "graph".
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Image => "image",
            ModelKind::Graph => "graph",
        }
    }
}

/// The kind of the model file text `text` (see [`ModelKind::of_text`]).
pub fn model_kind(text: &str) -> ModelKind {
    ModelKind::of_text(text)
}

/// A loaded and validated model file of either kind.
#[derive(Clone, Debug)]
pub enum Model {
    Image {
        net: Network,
        meta: ModelMeta,
    },
    Graph {
        net: GraphNetwork,
        meta: GraphModelMeta,
    },
}

impl Model {
    /// Parses and validates a model file of either kind (the envelope picks
    /// the loader; errors are the loader's, `Error::Model`).
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(match ModelKind::of_text(text) {
            ModelKind::Image => {
                let (net, meta) = model::from_json(text)?;
                Model::Image { net, meta }
            }
            ModelKind::Graph => {
                let (net, meta) = graph_model::from_json(text)?;
                Model::Graph { net, meta }
            }
        })
    }

    /// Reads and validates a model file of either kind (native only); errors
    /// name the path.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(path: &std::path::Path) -> Result<Self> {
        use crate::nn::model_file::{read_text, with_path};
        Self::from_json(&read_text(path)?).map_err(with_path(path))
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            Model::Image { .. } => ModelKind::Image,
            Model::Graph { .. } => ModelKind::Graph,
        }
    }

    /// The task the model was trained for.
    pub fn task(&self) -> &str {
        match self {
            Model::Image { meta, .. } => &meta.task,
            Model::Graph { meta, .. } => &meta.task,
        }
    }

    pub fn num_coefficients(&self) -> usize {
        match self {
            Model::Image { net, .. } => net.num_coefficients(),
            Model::Graph { net, .. } => net.num_coefficients(),
        }
    }

    /// Whether the network's input is never negative (pixels are; some
    /// graph tasks' inputs are not), which decides whether the first
    /// layer's negative pool is dead.
    pub fn input_nonnegative(&self) -> Result<bool> {
        Ok(match self {
            Model::Image { .. } => true,
            Model::Graph { meta, .. } => !graph_tasks::task(&meta.task)?.input.can_be_negative(),
        })
    }
}
