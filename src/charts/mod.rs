//! PNG charts of a `run` or `compare` (and of a `sweep` or `target`), rendered
//! in memory (cli.md "Charts").
//!
//! Every chart is drawn the same way: `draw_frame` lays out and draws the
//! common frame (background, title naming the scenario, subtitle, legend in
//! a reserved strip above the plot, one or more panels with their axes,
//! gridlines and tick labels, a footnote) and returns the `Panel`s, which
//! map data to pixels; the chart then draws only its data on them. Setup
//! colours and marker shapes come from `setup_style` so a setup looks the
//! same in every chart. Text goes through `Canvas::text`, which places it
//! by its visible ink (see `fonts`).
//!
//! Adding a chart means building a `Frame` with numeric or categorical
//! `Axis`es and drawing on the panels it returns with the shared helpers
//! below, as `sweep` does for sweep.png and target.png.

mod axis;
mod bars;
mod canvas;
mod fonts;
mod frame;
mod plots;
mod run_charts;
mod style;
mod sweep;
mod words;

use axis::*;
use bars::*;
use canvas::*;
// Ours, not the plotters prelude's.
use canvas::Rect;
use frame::*;
use plots::*;
use run_charts::*;
use style::*;
use words::*;

use std::fmt;
use std::str::FromStr;

use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontTransform, RGBAColor};

use crate::analysis::summary::{Results, SetupSummary};
use crate::error::Error;
use crate::report::format::{self, thousands};
use crate::runs::engine::SetupRuns;
use crate::runs::stats::{Summary, percentile_sorted, share};
use crate::scenario::metric::Metric;
use crate::scenario::{ChartOptions, FunnelScale, Language};

pub use fonts::EMBEDDED_FONT;
pub use sweep::{sensitivity_charts, sweep_chart, target_chart};

// ---------------------------------------------------------------------------
// Size
// ---------------------------------------------------------------------------

/// Chart size in pixels (default 1600x900).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ChartSize {
    /// Smallest width or height accepted.
    pub const MIN: u32 = 320;
    /// Largest width or height accepted.
    pub const MAX: u32 = 8000;
}

impl Default for ChartSize {
    fn default() -> Self {
        ChartSize {
            width: 1600,
            height: 900,
        }
    }
}

impl fmt::Display for ChartSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl FromStr for ChartSize {
    type Err = String;

    /// Parses `WIDTHxHEIGHT` in pixels, such as `1600x900` (`X` and `×` also separate).
    fn from_str(text: &str) -> Result<Self, String> {
        let shape = || format!("chart size `{text}` must be WIDTHxHEIGHT in pixels, e.g. 1600x900");
        let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(shape)?;
        let side = |s: &str, what: &str| -> Result<u32, String> {
            let v: u64 = s.trim().parse().map_err(|_| shape())?;
            if !(ChartSize::MIN as u64..=ChartSize::MAX as u64).contains(&v) {
                return Err(format!(
                    "chart {what} {v} is out of range: use {} to {} pixels",
                    ChartSize::MIN,
                    ChartSize::MAX
                ));
            }
            Ok(v as u32)
        };
        Ok(ChartSize {
            width: side(w, "width")?,
            height: side(h, "height")?,
        })
    }
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/// Every chart of a run or compare, as (relative file name such as "charts/funnel.png", PNG bytes).
///
/// `runs` are the per-run metrics behind `results` (same setups, same order):
/// the distributions and the paired per-run ratios are drawn from them.
/// `uplift.png` is drawn only when there are two or more setups.
pub fn render_all(
    results: &Results,
    runs: &[SetupRuns],
    options: &ChartOptions,
    size: ChartSize,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    if results.setups.is_empty() || runs.len() != results.setups.len() {
        return Err(Error::Run(format!(
            "charts need the runs of every setup: {} summaries, {} run sets",
            results.setups.len(),
            runs.len()
        )));
    }
    let font = fonts::font_for(options.font.as_deref())?;
    let ctx = Ctx {
        r: results,
        runs,
        w: words(options.language),
        options,
        style: format::Style::of(options, &results.currency),
    };
    let charts: [(&str, ChartFn); 7] = [
        ("funnel", funnel_chart),
        ("by_source", by_source_chart),
        ("monthly_won", |c, ctx| monthly_chart(c, ctx, Metric::Won)),
        ("monthly_opportunities", |c, ctx| {
            monthly_chart(c, ctx, Metric::Opportunities)
        }),
        ("won_distribution", won_distribution_chart),
        ("ltv_cac", ltv_cac_chart),
        ("uplift", uplift_chart),
    ];
    let mut out = Vec::new();
    for (name, draw) in charts {
        let png = render(size, font, |canvas| draw(canvas, &ctx)).map_err(|e| match e {
            Error::Run(msg) => Error::Run(format!("cannot draw chart {name}.png: {msg}")),
            other => other,
        })?;
        if let Some(bytes) = png {
            out.push((format!("charts/{name}.png"), bytes));
        }
    }
    Ok(out)
}

/// Draws one line of text with the chart font, dark on white, exactly as
/// charts draw their labels; for tests and diagnostics (does the font have
/// these glyphs?). The image is as tall as twice the font size.
pub fn render_text(
    text: &str,
    size_px: u32,
    options: &ChartOptions,
) -> Result<image::RgbImage, Error> {
    let font = fonts::font_for(options.font.as_deref())?;
    let size_px = size_px.clamp(6, 400);
    let probe = render_raw(
        ChartSize {
            width: 16,
            height: 16,
        },
        font,
        |c| Ok(c.text_width(text, size_px as f64)),
    )?
    .1;
    let width = (probe.ceil() as u32 + size_px).clamp(16, 16_000);
    let height = 2 * size_px;
    let (buf, _) = render_raw(ChartSize { width, height }, font, |c| {
        c.text(
            text,
            (size_px as f64 / 2.0, height as f64 / 2.0),
            size_px as f64,
            INK,
            Align::Start,
            Align::Middle,
        )
    })?;
    image::RgbImage::from_raw(width, height, buf)
        .ok_or_else(|| Error::Run("text image has the wrong size".into()))
}

/// The characters of `text` that the chart font (the scenario's `[chart] font`,
/// else the embedded one) has no glyph for: they would draw as empty boxes.
/// Whitespace and control characters are not reported.
pub fn missing_glyphs(text: &str, options: &ChartOptions) -> Result<Vec<char>, Error> {
    let font = fonts::font_for(options.font.as_deref())?;
    let mut missing: Vec<char> = Vec::new();
    for c in text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
    {
        if !font.has_glyph(c) && !missing.contains(&c) {
            missing.push(c);
        }
    }
    Ok(missing)
}

type ChartFn = fn(&Canvas<'_>, &Ctx<'_>) -> Result<bool, Error>;

/// What every chart reads.
struct Ctx<'a> {
    r: &'a Results,
    runs: &'a [SetupRuns],
    w: &'static Words,
    options: &'a ChartOptions,
    /// How money reads (万 / 億 for Japanese yen charts).
    style: format::Style,
}

impl Ctx<'_> {
    /// "Scenario: chart title".
    fn title(&self, what: &str) -> String {
        match self.options.language {
            Language::English => format!("{}: {what}", self.r.scenario),
            Language::Japanese => format!("{}：{what}", self.r.scenario),
        }
    }

    /// Runs, seed and period, under every title.
    fn subtitle(&self) -> String {
        let runs = thousands(self.r.runs as f64, 0);
        let period = period_label(&self.r.months, self.options.language);
        let template = if self.r.runs == 1 {
            self.w.subtitle_one
        } else {
            self.w.subtitle
        };
        let mut line = fill(
            template,
            &[
                ("runs", &runs),
                ("seed", &self.r.seed.to_string()),
                ("period", &period),
            ],
        );
        // A chart made with --set says so: it is not the scenario as written.
        for o in &self.r.overrides {
            line.push_str(" · ");
            match &o.setup {
                Some(name) => line.push_str(&format!("{name}: {}", o.assignment)),
                None => line.push_str(&format!("--set {}", o.assignment)),
            }
        }
        line
    }

    /// "name: value" in the chart's language.
    fn name_value(&self, name: &str, value: &str) -> String {
        fill(self.w.name_value, &[("name", name), ("value", value)])
    }

    fn months(&self) -> String {
        self.r.horizon_months.to_string()
    }

    /// One metric's per-run values for every setup, and how many runs in all left it undefined.
    fn distributions(&self, metric: Metric) -> (Vec<Distribution>, usize) {
        let dists = (0..self.r.setups.len())
            .map(|i| Distribution {
                setup: i,
                values: self.values(i, metric),
            })
            .collect();
        let undefined = self
            .r
            .setups
            .iter()
            .map(|s| s.metric(metric).undefined)
            .sum();
        (dists, undefined)
    }

    /// The per-run values of one metric of setup `i` (undefined runs left out).
    fn values(&self, i: usize, metric: Metric) -> Vec<f64> {
        self.runs[i]
            .runs
            .iter()
            .map(|x| x.get(metric))
            .filter(|x| x.is_finite())
            .collect()
    }

    /// Setup names with their colours, for legends.
    fn setup_legend(
        &self,
        mark: fn(SetupStyle) -> Mark,
        extra: impl Fn(usize, &SetupSummary) -> String,
    ) -> Vec<LegendItem> {
        self.r
            .setups
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem {
                label: format!("{}{}", s.name, extra(i, s)),
                mark: mark(setup_style(i)),
            })
            .collect()
    }
}

/// Renders into an RGB buffer and encodes it; `None` when the chart has nothing to draw.
fn render(
    size: ChartSize,
    font: fonts::Font,
    draw: impl FnOnce(&Canvas<'_>) -> Result<bool, Error>,
) -> Result<Option<Vec<u8>>, Error> {
    let (buf, drawn) = render_raw(size, font, draw)?;
    if !drawn {
        return Ok(None);
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&buf, size.width, size.height, image::ColorType::Rgb8)
        .map_err(|e| Error::Run(format!("cannot encode PNG: {e}")))?;
    Ok(Some(png))
}

fn render_raw<T>(
    size: ChartSize,
    font: fonts::Font,
    draw: impl FnOnce(&Canvas<'_>) -> Result<T, Error>,
) -> Result<(Vec<u8>, T), Error> {
    let mut buf = vec![255u8; size.width as usize * size.height as usize * 3];
    let value = {
        let area =
            BitMapBackend::with_buffer(&mut buf, (size.width, size.height)).into_drawing_area();
        let canvas = Canvas::new(area, font, size);
        let value = draw(&canvas)?;
        ok(canvas.area.present())?;
        value
    };
    Ok((buf, value))
}

// ---------------------------------------------------------------------------
// Words (English and Japanese)
// ---------------------------------------------------------------------------

/// The colour of setup `i` in every chart (the workbook's native ones too), as RGB.
pub(crate) fn setup_colour(i: usize) -> (u8, u8, u8) {
    let c = PALETTE[i % PALETTE.len()];
    (c.0, c.1, c.2)
}

/// Histogram bins of per-run values as the PNG histograms draw them: each
/// bin's edges and each distribution's share of its runs per bin (0 to 1).
pub(crate) struct HistogramBins {
    /// (from, to) of each bin.
    pub(crate) edges: Vec<(f64, f64)>,
    /// Per distribution, its share of runs in each bin.
    pub(crate) shares: Vec<Vec<f64>>,
}

/// The bins of per-run values: whole-number bins for counts; for ratios the
/// 1st to 99th percentile with 1 (no change) in range.
pub(crate) fn histogram_bins(values: &[Vec<f64>], integer: bool) -> HistogramBins {
    let dists: Vec<Distribution> = values
        .iter()
        .enumerate()
        .map(|(setup, v)| Distribution {
            setup,
            values: v.clone(),
        })
        .collect();
    let (trim, include): (f64, &[f64]) = if integer { (0.0, &[]) } else { (0.01, &[1.0]) };
    let h = histogram_data(&dists, integer, trim, include);
    let b = &h.bins;
    HistogramBins {
        edges: (0..b.n)
            .map(|k| (b.lo + k as f64 * b.width, b.lo + (k + 1) as f64 * b.width))
            .collect(),
        shares: h
            .shares
            .into_iter()
            .map(|(_, s)| s.into_iter().map(|p| p / 100.0).collect())
            .collect(),
    }
}
