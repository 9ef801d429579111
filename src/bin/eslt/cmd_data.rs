//! `eslt data`: convert the MNIST IDX files to the packed digit format.
//!
//! Writes `<out>/mnist-train.digits` (60k), `<out>/mnist-t10k.digits` (10k)
//! and, for the page, `<page-out>/mnist-t10k-<page-count>.digits.gz` (the
//! first `page-count` t10k digits, gzipped).

use std::path::{Path, PathBuf};

use eslt::data::Digits;
use eslt::{Error, Result};

#[derive(clap::Args)]
#[command(after_help = "Example:
  eslt data --idx-dir mnist/ --out target/data --page-out target/data --page-count 2000")]
pub struct Args {
    /// Directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
    /// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.
    #[arg(long)]
    idx_dir: PathBuf,
    /// Where the packed train and t10k files go.
    #[arg(long, default_value = "target/data")]
    out: PathBuf,
    /// Where the page's gzipped test subset goes (none if absent).
    #[arg(long)]
    page_out: Option<PathBuf>,
    /// Number of t10k digits in the page's subset.
    #[arg(long, default_value_t = 2000)]
    page_count: usize,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Data {
        what: path.display().to_string(),
        why: e.to_string(),
    })
}

fn convert(idx_dir: &Path, prefix: &str) -> Result<Digits> {
    let images = read(&idx_dir.join(format!("{prefix}-images-idx3-ubyte")))?;
    let labels = read(&idx_dir.join(format!("{prefix}-labels-idx1-ubyte")))?;
    Digits::from_idx(&images, &labels)
}

fn write(digits: &Digits, path: &Path) -> Result<()> {
    digits.save(path).map_err(|e| Error::Data {
        what: path.display().to_string(),
        why: e.to_string(),
    })?;
    println!(
        "wrote {} ({} digits of {}x{})",
        path.display(),
        digits.count,
        digits.rows,
        digits.cols
    );
    Ok(())
}

pub fn run(args: Args) -> Result<()> {
    let train = convert(&args.idx_dir, "train")?;
    let test = convert(&args.idx_dir, "t10k")?;
    if args.page_count == 0 || args.page_count > test.count {
        return Err(Error::InvalidArgument(format!(
            "--page-count {} must be in 1..={}",
            args.page_count, test.count
        )));
    }
    std::fs::create_dir_all(&args.out)?;
    write(&train, &args.out.join("mnist-train.digits"))?;
    write(&test, &args.out.join("mnist-t10k.digits"))?;
    if let Some(page_out) = &args.page_out {
        std::fs::create_dir_all(page_out)?;
        let subset = test.subset(0..args.page_count);
        let name = format!("mnist-t10k-{}.digits.gz", args.page_count);
        write(&subset, &page_out.join(name))?;
    }
    Ok(())
}
