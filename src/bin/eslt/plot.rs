//! PNG charts for the README (plotters, bitmap backend).

use crate::cmd_sweep::SweepPoint;
use eslt::slt::scaling::{bits, Curve as Count, ScalingSweep};
use eslt::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

/// A font for labels: plotters' ab_glyph backend draws only fonts we give it.
const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

fn register_font() -> Result<()> {
    for p in FONT_PATHS {
        if let Ok(bytes) = std::fs::read(p) {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            return plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).map_err(
                |_| Error::InvalidArgument(format!("font {p} is not a usable TrueType font")),
            );
        }
    }
    Err(Error::InvalidArgument(format!(
        "no font for the chart; install fonts-dejavu-core (looked for {})",
        FONT_PATHS.join(", ")
    )))
}

/// A named, coloured curve over the sweep.
type Curve = (&'static str, RGBColor, fn(&SweepPoint) -> f64);

/// One plain sentence (plotters' Debug form nests five error types).
fn plot_err<E: std::fmt::Display>(e: E) -> Error {
    Error::InvalidArgument(format!("--plot: cannot draw the chart: {e}"))
}

/// The chart's series legend: a box at `position`, white at `opacity`.
fn legend<'a, DB, CT>(
    c: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    opacity: f64,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    c.configure_series_labels()
        .background_style(WHITE.mix(opacity))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(plot_err)
}

/// Checks a `--plot` path before any work: a .png file in an existing
/// directory.
pub fn check_path(path: &Path) -> Result<()> {
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !png {
        return Err(Error::InvalidArgument(format!(
            "--plot {}: the chart is a PNG file (name ending in .png)",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::InvalidArgument(format!(
            "--plot {}: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Left: max / mean coefficient error vs n (log scale) against the bound's
/// ε = P·2^−n; right: target and ticket accuracy vs n.
pub fn sweep_chart(path: &Path, task: &str, points: &[SweepPoint]) -> Result<()> {
    if points.is_empty() {
        return Ok(());
    }
    register_font()?;
    let root = BitMapBackend::new(path, (1200, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let (left, right) = root.split_horizontally(640);
    let n_lo = points[0].n as f64 - 0.5;
    let n_hi = points[points.len() - 1].n as f64 + 0.5;
    let ys = points
        .iter()
        .flat_map(|p| [p.max_coef_error, p.mean_coef_error, p.bound_eps])
        .filter(|&y| y > 0.0);
    let y_lo = ys.clone().fold(f64::INFINITY, f64::min).max(1e-12) / 2.0;
    let y_hi = ys.fold(0.0f64, f64::max).max(1.0) * 2.0;

    let mut c = ChartBuilder::on(&left)
        .caption(
            format!("{task}: coefficient error vs n"),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(n_lo..n_hi, (y_lo..y_hi).log_scale())
        .map_err(plot_err)?;
    c.configure_mesh()
        .x_desc("n (candidates per pool)")
        .y_desc("|β − α| (rebalanced units)")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()
        .map_err(plot_err)?;
    let series: [Curve; 3] = [
        ("max error", RED, |p| p.max_coef_error),
        ("mean error", BLUE, |p| p.mean_coef_error),
        ("bound: ε = P·2^-n", RGBColor(120, 120, 120), |p| {
            p.bound_eps
        }),
    ];
    for (name, color, f) in series {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.n as f64, f(p)))
            .filter(|&(_, y)| y > 0.0)
            .collect();
        c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
            .map_err(plot_err)?;
    }
    legend(&mut c, SeriesLabelPosition::LowerLeft, 0.8)?;

    let mut c = ChartBuilder::on(&right)
        .caption("accuracy on rotated test digits", ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(n_lo..n_hi, 0.0..100.0)
        .map_err(plot_err)?;
    c.configure_mesh()
        .x_desc("n")
        .y_desc("%")
        .draw()
        .map_err(plot_err)?;
    let acc: [Curve; 3] = [
        ("target", BLACK, |p| p.target_accuracy),
        ("ticket", RED, |p| p.ticket_accuracy),
        ("agreement", GREEN, |p| p.agreement),
    ];
    for (name, color, f) in acc {
        let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.n as f64, 100.0 * f(p))).collect();
        c.draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(plot_err)?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    legend(&mut c, SeriesLabelPosition::LowerRight, 0.8)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

/// Colours of the sweeps on one scaling chart, the first for the model swept.
const PALETTE: [RGBColor; 6] = [
    RGBColor(200, 30, 30),
    RGBColor(30, 90, 200),
    RGBColor(20, 140, 60),
    RGBColor(150, 60, 170),
    RGBColor(220, 120, 0),
    RGBColor(90, 90, 90),
];

/// Random source parameters (filled dots), ticket parameters (open dots)
/// and the lower bound d·log₂(1/ε) (dashed) against log₂(1/ε), log scale,
/// for `sweep` and then each of `others`: one colour per model, named once
/// in the legend, and a key to the three kinds of curve.
pub fn scaling_chart(path: &Path, sweep: &ScalingSweep, others: &[ScalingSweep]) -> Result<()> {
    let all: Vec<&ScalingSweep> = std::iter::once(sweep).chain(others).collect();
    let points = || all.iter().flat_map(|s| s.points.iter());
    if points().next().is_none() {
        return Ok(());
    }
    register_font()?;
    let xs = points().map(|p| bits(p.eps));
    let x_lo = xs.clone().fold(f64::INFINITY, f64::min) - 0.4;
    let x_hi = xs.fold(f64::NEG_INFINITY, f64::max) + 0.4;
    let ys = points()
        .flat_map(|p| [Count::Source, Count::Ticket, Count::Bound].map(|c| p.params(c)))
        .filter(|&y| y > 0.0);
    let y_lo = ys.clone().fold(f64::INFINITY, f64::min) / 2.0;
    let y_hi = ys.fold(0.0f64, f64::max) * 2.0;
    let root = BitMapBackend::new(path, (960, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut c = ChartBuilder::on(&root)
        .caption(
            "random parameters needed vs precision (one seed per point)",
            ("sans-serif", 22),
        )
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(x_lo..x_hi, (y_lo..y_hi).log_scale())
        .map_err(plot_err)?;
    c.configure_mesh()
        .x_desc("log₂(1/ε): bits of precision")
        .y_desc("parameters")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()
        .map_err(plot_err)?;
    for (s, &color) in all.iter().zip(PALETTE.iter().cycle()) {
        let curve = |count: Count| -> Vec<(f64, f64)> {
            s.points
                .iter()
                .map(|p| (bits(p.eps), p.params(count)))
                .filter(|&(_, y)| y > 0.0)
                .collect()
        };
        let d = s.points.first().map_or(0, |p| p.target_params);
        let source = curve(Count::Source);
        c.draw_series(LineSeries::new(source.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(format!("{}, d = {d}", s.task))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.filled()));
        c.draw_series(
            source
                .into_iter()
                .map(|p| Circle::new(p, 4, color.filled())),
        )
        .map_err(plot_err)?;
        let ticket = curve(Count::Ticket);
        c.draw_series(LineSeries::new(ticket.clone(), color.stroke_width(1)))
            .map_err(plot_err)?;
        c.draw_series(
            ticket
                .into_iter()
                .map(|p| Circle::new(p, 4, color.stroke_width(1))),
        )
        .map_err(plot_err)?;
        c.draw_series(DashedLineSeries::new(
            curve(Count::Bound),
            6,
            5,
            color.stroke_width(1),
        ))
        .map_err(plot_err)?;
    }
    // The key: what each kind of curve is, in black.
    let none = Vec::<(f64, f64)>::new;
    c.draw_series(LineSeries::new(none(), BLACK))
        .map_err(plot_err)?
        .label("random source")
        .legend(|(x, y)| Circle::new((x + 9, y), 4, BLACK.filled()));
    c.draw_series(LineSeries::new(none(), BLACK))
        .map_err(plot_err)?
        .label("ticket (weights kept)")
        .legend(|(x, y)| Circle::new((x + 9, y), 4, BLACK.stroke_width(1)));
    c.draw_series(LineSeries::new(none(), BLACK))
        .map_err(plot_err)?
        .label("lower bound d·log₂(1/ε)")
        .legend(|(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (6, 0)], BLACK.stroke_width(1))
                + PathElement::new(vec![(11, 0), (18, 0)], BLACK.stroke_width(1))
        });
    legend(&mut c, SeriesLabelPosition::LowerRight, 0.85)?;
    root.present().map_err(plot_err)?;
    Ok(())
}
