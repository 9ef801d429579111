//! The labelled test rows a model of either kind is verified on: rotated
//! t10k digits for image models, the task's regenerated test graphs for
//! graph models (a row is a graph, or a labelled node). Where the page and
//! the CLI say "test digits" for both kinds (`--test-digits`, the report's
//! `test_digits`), the code says rows.

use ndarray::Array4;

#[cfg(not(target_arch = "wasm32"))]
use crate::nn::graph::tasks as graph_tasks;
use crate::nn::graph::GraphExample;
use crate::nn::ForwardBackend;
#[cfg(not(target_arch = "wasm32"))]
use crate::nn::Model;
use crate::slt::graph_inputs::GraphRows;
use crate::slt::image_inputs::ImageRows;
#[cfg(not(target_arch = "wasm32"))]
use crate::{Error, Result};

/// Labelled test rows of one model's task.
pub enum TestRows {
    /// Rotated digits `[count, 1, 28, 28]` and their labels.
    Digits {
        images: Array4<f32>,
        labels: Vec<u8>,
    },
    /// Test graphs (or sets, or the karate club) and their scored rows.
    Graphs { examples: Vec<GraphExample> },
}

impl TestRows {
    /// The first `count` test rows of `model`'s task (all when None): for
    /// images, t10k digits from `data_dir` (native only); for graphs, the
    /// first `count` test graphs.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load(model: &Model, data_dir: &std::path::Path, count: Option<usize>) -> Result<Self> {
        Ok(match model {
            Model::Image { .. } => {
                let (images, labels) = crate::data::rotated_mnist::load_test_set(data_dir, count)?;
                TestRows::Digits { images, labels }
            }
            Model::Graph { meta, .. } => {
                let mut examples = graph_tasks::task(&meta.task)?.test_examples();
                if let Some(count) = count {
                    examples.truncate(count);
                }
                TestRows::Graphs { examples }
            }
        })
    }

    /// Exactly `rows` test rows of `model`'s task, as a report counted them
    /// (`test_digits`: digits, or the scored rows of the first test
    /// graphs); none, and no data read, when `rows` is 0.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn exactly(model: &Model, data_dir: &std::path::Path, rows: usize) -> Result<Self> {
        match model {
            Model::Image { .. } if rows == 0 => Ok(TestRows::Digits {
                images: Array4::zeros((0, 1, 28, 28)),
                labels: Vec::new(),
            }),
            Model::Image { .. } => Self::load(model, data_dir, Some(rows)),
            Model::Graph { meta, .. } => {
                let mut examples = Vec::new();
                let mut have = 0;
                for ex in graph_tasks::task(&meta.task)?.test_examples() {
                    if have >= rows {
                        break;
                    }
                    have += ex.scored();
                    examples.push(ex);
                }
                if have != rows {
                    return Err(Error::InvalidArgument(format!(
                        "the report verified {rows} rows; the first test graphs of {} hold {have}",
                        meta.task
                    )));
                }
                Ok(TestRows::Graphs { examples })
            }
        }
    }

    /// The label of every row.
    pub fn labels(&self) -> Vec<u8> {
        match self {
            TestRows::Digits { labels, .. } => labels.clone(),
            TestRows::Graphs { examples } => GraphRows::new(examples).labels(),
        }
    }

    /// Test graphs the rows come from (None for digits).
    pub fn graphs(&self) -> Option<usize> {
        match self {
            TestRows::Digits { .. } => None,
            TestRows::Graphs { examples } => Some(examples.len()),
        }
    }

    /// What one row is called in messages: "digits" or "rows".
    pub fn unit(&self) -> &'static str {
        match self {
            TestRows::Digits { .. } => "digits",
            TestRows::Graphs { .. } => "rows",
        }
    }

    /// What `count` rows are, in words: "12 rotated test digits", "32 rows
    /// of 1 test graphs".
    pub fn describe(&self, count: usize) -> String {
        match self {
            TestRows::Digits { .. } => format!("{count} rotated test digits"),
            TestRows::Graphs { examples } => {
                format!("{count} rows of {} test graphs", examples.len())
            }
        }
    }

    /// The image rows, evaluated by `forward` (None for graphs).
    pub fn image_rows<'a>(&'a self, forward: &'a dyn ForwardBackend) -> Option<ImageRows<'a>> {
        match self {
            TestRows::Digits { images, labels } => {
                Some(ImageRows::new(images.view(), labels, forward))
            }
            TestRows::Graphs { .. } => None,
        }
    }

    /// The graph rows (None for digits).
    pub fn graph_rows(&self) -> Option<GraphRows<'_>> {
        match self {
            TestRows::Digits { .. } => None,
            TestRows::Graphs { examples } => Some(GraphRows::new(examples)),
        }
    }
}
