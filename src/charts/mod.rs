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

mod fonts;
mod sweep;

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
use crate::scenario::{ChartOptions, Language};

pub use fonts::EMBEDDED_FONT;
pub use sweep::{sweep_chart, target_chart};

// ---------------------------------------------------------------------------
// Size
// ---------------------------------------------------------------------------

/// Chart size in pixels (default 1600x900).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartSize {
    pub width: u32,
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
        lang: options.language,
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
    lang: Language,
}

impl Ctx<'_> {
    /// "Scenario: chart title".
    fn title(&self, what: &str) -> String {
        match self.lang {
            Language::English => format!("{}: {what}", self.r.scenario),
            Language::Japanese => format!("{}：{what}", self.r.scenario),
        }
    }

    /// Runs, seed and period, under every title.
    fn subtitle(&self) -> String {
        let runs = thousands(self.r.runs as f64, 0);
        let period = period_label(&self.r.months, self.lang);
        fill(
            self.w.subtitle,
            &[
                ("runs", &runs),
                ("seed", &self.r.seed.to_string()),
                ("period", &period),
            ],
        )
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

/// Every text a chart writes, per language; `{name}` marks a value filled in.
struct Words {
    subtitle: &'static str,
    months: [&'static str; 12],
    month_axis: &'static str,
    stages: [&'static str; 5],
    funnel_title: &'static str,
    funnel_x: &'static str,
    funnel_y: &'static str,
    funnel_note: &'static str,
    by_source_title: &'static str,
    by_source_x: &'static str,
    by_source_y: &'static str,
    by_source_note: &'static str,
    monthly_won_title: &'static str,
    monthly_won_y: &'static str,
    monthly_opp_title: &'static str,
    monthly_opp_y: &'static str,
    fan_note: &'static str,
    won_title: &'static str,
    won_x: &'static str,
    share_y: &'static str,
    target: &'static str,
    chance: &'static str,
    median: &'static str,
    hist_note: &'static str,
    clamped_note: &'static str,
    undefined_note: &'static str,
    ltv_title: &'static str,
    ltv_x: &'static str,
    ltv_bar: &'static str,
    ltv_note: &'static str,
    ltv_medians: &'static str,
    ltv_item: &'static str,
    uplift_title: &'static str,
    uplift_x: &'static str,
    uplift_note: &'static str,
    no_change: &'static str,
    uplift_item: &'static str,
    no_data: &'static str,
    opportunities: &'static str,
    won: &'static str,
    sep: &'static str,
    /// "{label} ({chance})": the heading of a reference line's notes.
    note_heading: &'static str,
    /// "{name}: {value}".
    name_value: &'static str,
    /// Between items of a list, and between sentences.
    list_sep: &'static str,
    sentence_sep: &'static str,
}

static ENGLISH: Words = Words {
    subtitle: "{runs} Monte Carlo runs · seed {seed} · {period}",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    month_axis: "Month",
    stages: ["Leads", "MQLs", "SQLs", "Opportunities", "Won deals"],
    funnel_title: "funnel by stage",
    funnel_x: "Funnel stage",
    funnel_y: "Count in {months} months (log scale)",
    funnel_note: "Bars and labels: median of {runs} runs; whiskers: 10th to 90th percentile. The vertical scale is logarithmic so that leads and won deals fit on one chart.",
    by_source_title: "opportunities by lead source",
    by_source_x: "Lead source",
    by_source_y: "Opportunities in {months} months",
    by_source_note: "Bars and labels: median of {runs} runs; whiskers: 10th to 90th percentile.",
    monthly_won_title: "won deals per month",
    monthly_won_y: "Won deals per month",
    monthly_opp_title: "opportunities per month",
    monthly_opp_y: "Opportunities per month",
    fan_note: "Line: median of {runs} runs; shaded band: 10th to 90th percentile (8 runs in 10 fall inside).",
    won_title: "won deals in {months} months",
    won_x: "Won deals in {months} months",
    share_y: "Share of runs (%)",
    target: "Target: {target}",
    chance: "chance of reaching it",
    median: "median",
    hist_note: "Distribution of {runs} runs per setup; each bar is the share of runs in that range.",
    clamped_note: "Runs beyond the axis are counted in the outermost bars.",
    undefined_note: "{count} runs with no defined value are left out.",
    ltv_title: "LTV/CAC",
    ltv_x: "LTV ÷ CAC (×)",
    ltv_bar: "≥ 3.0, the usual bar",
    ltv_note: "LTV: lifetime gross margin of a customer; CAC: sales and marketing cost per won deal.",
    ltv_medians: "Medians ({currency}): {list}.",
    ltv_item: "{name} LTV {ltv}, CAC {cac}",
    uplift_title: "paired uplift against {baseline}",
    uplift_x: "Ratio to {baseline} in the same run (×)",
    uplift_note: "Each run compares a setup with {baseline} on the same random numbers (paired); ×1 means no change.",
    no_change: "×1: no change",
    uplift_item: "median ×{median} · up in {p} of runs",
    no_data: "No run has a defined value to show here.",
    opportunities: "Opportunities",
    won: "Won deals",
    sep: " · ",
    note_heading: "{label} ({chance})",
    name_value: "{name}: {value}",
    list_sep: "; ",
    sentence_sep: " ",
};

static JAPANESE: Words = Words {
    subtitle: "モンテカルロ試行 {runs} 回・シード {seed}・{period}",
    months: [
        "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
    ],
    month_axis: "月",
    stages: ["リード", "MQL", "SQL", "商談", "受注"],
    funnel_title: "段階別ファネル",
    funnel_x: "ファネルの段階",
    funnel_y: "件数（{months}か月合計・対数目盛）",
    funnel_note: "棒と数値：{runs} 回の試行の中央値　ひげ：10〜90パーセンタイル　リードから受注まで一つの図に収めるため、縦軸は対数目盛です。",
    by_source_title: "リードソース別の商談数",
    by_source_x: "リードソース",
    by_source_y: "商談数（{months}か月合計、件）",
    by_source_note: "棒と数値：{runs} 回の試行の中央値　ひげ：10〜90パーセンタイル",
    monthly_won_title: "月別の受注数",
    monthly_won_y: "受注数（件／月）",
    monthly_opp_title: "月別の商談数",
    monthly_opp_y: "商談数（件／月）",
    fan_note: "線：{runs} 回の試行の中央値　帯：10〜90パーセンタイル（10回中8回がこの範囲）",
    won_title: "{months}か月の受注数の分布",
    won_x: "受注数（{months}か月合計、件）",
    share_y: "試行の割合（%）",
    target: "目標：{target}",
    chance: "達成確率",
    median: "中央値",
    hist_note: "設定ごとに {runs} 回の試行の分布。各棒はその範囲に入った試行の割合です。",
    clamped_note: "軸の範囲外の試行は両端の棒に含めています。",
    undefined_note: "値が定まらない試行 {count} 回は除いています。",
    ltv_title: "LTV/CAC の分布",
    ltv_x: "LTV ÷ CAC（倍）",
    ltv_bar: "目安 3.0 以上",
    ltv_note: "LTV：顧客生涯の粗利、CAC：受注1件あたりの営業・マーケティング費用。",
    ltv_medians: "中央値（{currency}）：{list}",
    ltv_item: "{name} LTV {ltv}／CAC {cac}",
    uplift_title: "{baseline}に対する改善（同じ試行で比較）",
    uplift_x: "同じ試行の{baseline}に対する倍率（倍）",
    uplift_note: "各試行で同じ乱数を使い{baseline}と比べています（対応のある比較）。1倍は変化なし。",
    no_change: "1倍：変化なし",
    uplift_item: "中央値 ×{median}　増えた試行 {p}",
    no_data: "表示できる値のある試行がありません。",
    opportunities: "商談数",
    won: "受注数",
    sep: "　",
    note_heading: "{label}（{chance}）",
    name_value: "{name}：{value}",
    list_sep: "、",
    sentence_sep: "",
};

fn words(lang: Language) -> &'static Words {
    match lang {
        Language::English => &ENGLISH,
        Language::Japanese => &JAPANESE,
    }
}

/// Replaces each `{key}` in `template`.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// A month label ("2027-04") as a tick: "Apr" or "4月", with the year on the first month and on January.
fn month_tick(label: &str, first: bool, lang: Language) -> String {
    let Some((year, month)) = parse_month(label) else {
        return label.to_string();
    };
    let name = words(lang).months[month - 1];
    match (first || month == 1, lang) {
        (false, _) => name.to_string(),
        (true, Language::English) => format!("{name}\n{year}"),
        (true, Language::Japanese) => format!("{name}\n{year}年"),
    }
}

fn parse_month(label: &str) -> Option<(i32, usize)> {
    let (y, m) = label.split_once('-')?;
    let month: usize = m.parse().ok()?;
    Some((y.parse().ok()?, month)).filter(|_| (1..=12).contains(&month))
}

/// "Apr 2027 – Mar 2028", "2027年4月〜2028年3月", or "months 1–12".
fn period_label(months: &[String], lang: Language) -> String {
    let (Some(a), Some(b)) = (months.first(), months.last()) else {
        return String::new();
    };
    let one = |label: &str| match (parse_month(label), lang) {
        (Some((y, m)), Language::English) => format!("{} {y}", ENGLISH.months[m - 1]),
        (Some((y, m)), Language::Japanese) => format!("{y}年{m}月"),
        (None, _) => label.to_string(),
    };
    if a == b {
        return match (parse_month(a).is_some(), lang) {
            (true, _) => one(a),
            (false, Language::English) => format!("month {a}"),
            (false, Language::Japanese) => format!("{a}か月目"),
        };
    }
    match (parse_month(a).is_some(), lang) {
        (true, Language::English) => format!("{} – {}", one(a), one(b)),
        (true, Language::Japanese) => format!("{}〜{}", one(a), one(b)),
        (false, Language::English) => format!("months {a}–{b}"),
        (false, Language::Japanese) => format!("{a}〜{b}か月目"),
    }
}

// ---------------------------------------------------------------------------
// Palette
// ---------------------------------------------------------------------------

/// Marker shapes: a second cue besides colour, for greyscale and colour-blind readers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

/// How setup `i` is drawn in every chart.
#[derive(Clone, Copy, Debug)]
struct SetupStyle {
    colour: RGBColor,
    shape: Shape,
}

/// Okabe–Ito colours, ordered so that neighbours differ in lightness as well as
/// hue (blue is dark, orange light, then near-black ...): setups stay apart in
/// greyscale and for every common colour-vision deficiency.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(51, 51, 51),    // near-black
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(240, 228, 66),  // yellow
];
const SHAPES: [Shape; 5] = [
    Shape::Circle,
    Shape::Square,
    Shape::Triangle,
    Shape::Diamond,
    Shape::TriangleDown,
];

fn setup_style(i: usize) -> SetupStyle {
    SetupStyle {
        colour: PALETTE[i % PALETTE.len()],
        shape: SHAPES[i % SHAPES.len()],
    }
}

const INK: RGBAColor = RGBAColor(26, 26, 26, 1.0);
const MUTED: RGBAColor = RGBAColor(85, 85, 85, 1.0);
const GRID: RGBAColor = RGBAColor(222, 222, 222, 1.0);
const AXIS: RGBAColor = RGBAColor(110, 110, 110, 1.0);
const REFERENCE: RGBAColor = RGBAColor(40, 40, 40, 1.0);
const WHITE_A: RGBAColor = RGBAColor(255, 255, 255, 1.0);
/// Opacity of bands and histogram fills.
const FILL_ALPHA: f64 = 0.24;
/// What a chart singles out (a best point, an answer): vermillion, apart from the blue of data.
const HIGHLIGHT: RGBColor = PALETTE[5];
/// Where a goal is met: bluish green.
const MEETS: RGBColor = PALETTE[6];

/// The sequential scale of heatmaps, light (0) to dark (1), through the palette's blue.
const RAMP: [RGBColor; 5] = [
    RGBColor(240, 246, 251),
    RGBColor(190, 217, 236),
    RGBColor(107, 171, 214),
    PALETTE[0],
    RGBColor(8, 52, 102),
];

/// The colour at `t` (0 to 1) along [`RAMP`].
fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (RAMP.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RAMP.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether dark text reads on `colour` (else white text is used).
fn is_light(colour: RGBColor) -> bool {
    let lum = 0.2126 * colour.0 as f64 + 0.7152 * colour.1 as f64 + 0.0722 * colour.2 as f64;
    lum > 140.0
}

fn rgba(c: RGBColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha)
}

// ---------------------------------------------------------------------------
// Canvas: pixels, shapes and text
// ---------------------------------------------------------------------------

/// Text roles and their sizes in px at 1600x900 (scaled with the chart).
#[derive(Clone, Copy)]
enum Role {
    Title,
    Subtitle,
    Legend,
    Heading,
    AxisTitle,
    Tick,
    Note,
    Footnote,
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Start,
    Middle,
    End,
}

/// A pixel rectangle.
#[derive(Clone, Copy, Debug)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.left < o.right && o.left < self.right && self.top < o.bottom && o.top < self.bottom
    }
}

/// The drawing surface of one chart.
struct Canvas<'b> {
    area: DrawingArea<BitMapBackend<'b>, Shift>,
    font: fonts::Font,
    width: f64,
    height: f64,
    /// 1.0 at 1600x900.
    scale: f64,
}

fn ok<T, E: fmt::Display>(r: Result<T, E>) -> Result<T, Error> {
    r.map_err(|e| Error::Run(e.to_string()))
}

impl<'b> Canvas<'b> {
    fn new(
        area: DrawingArea<BitMapBackend<'b>, Shift>,
        font: fonts::Font,
        size: ChartSize,
    ) -> Self {
        // Text grows with the chart's area, but never so much that a 1600x900 layout
        // would not fit across (or down) it.
        let (w, h) = (size.width as f64 / 1600.0, size.height as f64 / 900.0);
        let scale = (w * h).sqrt().min(1.3 * w).min(1.3 * h);
        Canvas {
            area,
            font,
            width: size.width as f64,
            height: size.height as f64,
            scale,
        }
    }

    /// A length given in px at 1600x900.
    fn px(&self, base: f64) -> f64 {
        base * self.scale
    }

    fn size(&self, role: Role) -> f64 {
        let base = match role {
            Role::Title => 36.0,
            Role::Subtitle => 23.0,
            Role::Legend => 24.0,
            Role::Heading => 26.0,
            Role::AxisTitle => 24.0,
            Role::Tick => 22.0,
            Role::Note => 22.0,
            Role::Footnote => 19.0,
        };
        (base * self.scale).max(9.0)
    }

    /// Visible height of a line of text, and the distance between stacked lines.
    fn line_height(&self, size: f64) -> f64 {
        self.font.height(size) * 1.25
    }

    fn style(&self, size: f64, colour: RGBAColor) -> TextStyle<'static> {
        let mut style = TextStyle::from((self.font.family, size).into_font());
        style.color = colour.to_backend_color();
        style
    }

    /// The advance width of `text` at `size` px.
    fn text_width(&self, text: &str, size: f64) -> f64 {
        self.font.layout(text, size).1
    }

    /// Draws one line of text; `h` and `v` say which side of its ink is at `at`
    /// (`v` Middle centres the capitals and digits on `at`).
    fn text(
        &self,
        text: &str,
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
        v: Align,
    ) -> Result<(), Error> {
        self.text_rotated(text, at, size, colour, h, v, false)
    }

    /// As [`Canvas::text`], optionally rotated to read upwards (a vertical axis title).
    ///
    /// Glyphs are drawn one by one at the places [`fonts::Font::layout`] gives,
    /// which honour each glyph's side bearing (plotters alone would not).
    #[allow(clippy::too_many_arguments)]
    fn text_rotated(
        &self,
        text: &str,
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
        v: Align,
        up: bool,
    ) -> Result<(), Error> {
        let (placed, width) = self.font.layout(text, size);
        let start = match h {
            Align::Start => 0.0,
            Align::Middle => -width / 2.0,
            Align::End => -width,
        };
        // plotters' text top, from the visible alignment asked for.
        let shift = -size
            * match v {
                Align::Start => self.font.top,
                Align::Middle => self.font.middle,
                Align::End => self.font.bottom,
            };
        let mut style = self
            .style(size, colour)
            .pos(Pos::new(HPos::Left, VPos::Top));
        if up {
            style = style.transform(FontTransform::Rotate270);
        }
        let mut buf = [0u8; 4];
        for (x, c) in placed {
            if c.is_whitespace() {
                continue;
            }
            let along = start + x;
            let pos = if up {
                (at.0 + shift, at.1 - along)
            } else {
                (at.0 + along, at.1 + shift)
            };
            ok(self.area.draw_text(
                c.encode_utf8(&mut buf),
                &style,
                (pos.0.round() as i32, pos.1.round() as i32),
            ))?;
        }
        Ok(())
    }

    /// Draws lines of text from `top`; returns the height used.
    fn lines(
        &self,
        lines: &[String],
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
    ) -> Result<f64, Error> {
        let lh = self.line_height(size);
        for (i, line) in lines.iter().enumerate() {
            self.text(
                line,
                (at.0, at.1 + i as f64 * lh),
                size,
                colour,
                h,
                Align::Start,
            )?;
        }
        Ok(lines.len() as f64 * lh)
    }

    /// Breaks `text` into lines no wider than `max` (at spaces; anywhere in text without spaces).
    fn wrap(&self, text: &str, size: f64, max: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for token in tokens(paragraph) {
                let candidate = format!("{line}{token}");
                if line.is_empty() || self.text_width(candidate.trim_end(), size) <= max {
                    line = candidate;
                } else {
                    lines.push(line.trim_end().to_string());
                    line = token.trim_start().to_string();
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    /// Shortens `text` with an ellipsis until it fits in `max`.
    fn truncate(&self, text: &str, size: f64, max: f64) -> String {
        if self.text_width(text, size) <= max {
            return text.to_string();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let t: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if self.text_width(&t, size) <= max {
                return t;
            }
        }
        "…".into()
    }

    fn rect(&self, r: Rect, colour: RGBAColor) -> Result<(), Error> {
        let style = ShapeStyle {
            color: colour,
            filled: true,
            stroke_width: 1,
        };
        let (l, t, rr, b) = (
            r.left.round() as i32,
            r.top.round() as i32,
            r.right.round() as i32,
            r.bottom.round() as i32,
        );
        if rr <= l || b <= t {
            return Ok(());
        }
        ok(self.area.draw(&Rectangle::new([(l, t), (rr, b)], style)))
    }

    fn outline(&self, r: Rect, colour: RGBAColor, width: f64) -> Result<(), Error> {
        let pts = [
            (r.left, r.top),
            (r.right, r.top),
            (r.right, r.bottom),
            (r.left, r.bottom),
            (r.left, r.top),
        ];
        self.line(&pts, colour, width)
    }

    fn line(&self, points: &[(f64, f64)], colour: RGBAColor, width: f64) -> Result<(), Error> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: colour,
            filled: false,
            stroke_width: width.round().max(1.0) as u32,
        };
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        ok(self.area.draw(&PathElement::new(pts, style)))
    }

    fn dashed(
        &self,
        points: &[(f64, f64)],
        colour: RGBAColor,
        width: f64,
        dash: f64,
        gap: f64,
    ) -> Result<(), Error> {
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
            let mut s = 0.0;
            while s < len {
                let e = (s + dash).min(len);
                let at = |d: f64| (x0 + (x1 - x0) * d / len, y0 + (y1 - y0) * d / len);
                self.line(&[at(s), at(e)], colour, width)?;
                s = e + gap;
            }
        }
        Ok(())
    }

    fn polygon(&self, points: &[(f64, f64)], colour: RGBAColor) -> Result<(), Error> {
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        ok(self.area.draw(&Polygon::new(
            pts,
            ShapeStyle {
                color: colour,
                filled: true,
                stroke_width: 1,
            },
        )))
    }

    /// A circle outline of radius `r` (to the middle of its stroke), with a white rim on both sides.
    fn ring(&self, (x, y): (f64, f64), r: f64, colour: RGBColor, width: f64) -> Result<(), Error> {
        let rim = self.px(1.5).max(1.0);
        for (radius, w, c) in [
            (r, width + 2.0 * rim, WHITE_A),
            (r, width, rgba(colour, 1.0)),
        ] {
            let style = ShapeStyle {
                color: c,
                filled: false,
                stroke_width: w.round().max(1.0) as u32,
            };
            ok(self.area.draw(&Circle::new(
                (x.round() as i32, y.round() as i32),
                radius.round() as i32,
                style,
            )))?;
        }
        Ok(())
    }

    /// A marker of radius `r`, with a white rim so it stands out on lines and bands.
    fn marker(
        &self,
        shape: Shape,
        (x, y): (f64, f64),
        r: f64,
        colour: RGBColor,
    ) -> Result<(), Error> {
        let rim = self.px(2.0).max(1.0);
        for (radius, c) in [(r + rim, WHITE_A), (r, rgba(colour, 1.0))] {
            match shape {
                Shape::Circle => {
                    let style = ShapeStyle {
                        color: c,
                        filled: true,
                        stroke_width: 1,
                    };
                    ok(self.area.draw(&Circle::new(
                        (x.round() as i32, y.round() as i32),
                        radius.round() as i32,
                        style,
                    )))?;
                }
                Shape::Square => {
                    let a = radius * 0.9;
                    self.rect(
                        Rect {
                            left: x - a,
                            top: y - a,
                            right: x + a,
                            bottom: y + a,
                        },
                        c,
                    )?;
                }
                Shape::Triangle => self.polygon(
                    &[
                        (x, y - radius * 1.2),
                        (x + radius * 1.1, y + radius * 0.8),
                        (x - radius * 1.1, y + radius * 0.8),
                    ],
                    c,
                )?,
                Shape::TriangleDown => self.polygon(
                    &[
                        (x, y + radius * 1.2),
                        (x + radius * 1.1, y - radius * 0.8),
                        (x - radius * 1.1, y - radius * 0.8),
                    ],
                    c,
                )?,
                Shape::Diamond => self.polygon(
                    &[
                        (x, y - radius * 1.25),
                        (x + radius * 1.25, y),
                        (x, y + radius * 1.25),
                        (x - radius * 1.25, y),
                    ],
                    c,
                )?,
            }
        }
        Ok(())
    }
}

/// Words with their following spaces, and each character of text without spaces
/// (Japanese), so wrapping can break anywhere a reader would.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let wide = !c.is_ascii() && !c.is_whitespace();
        if wide {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else {
            word.push(c);
            if c == ' ' {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    // Keep closing punctuation with the character before it.
    let mut merged: Vec<String> = Vec::new();
    for t in out {
        let closing = t
            .chars()
            .next()
            .is_some_and(|c| "、。）」』，．・：".contains(c));
        match merged.last_mut() {
            Some(last) if closing => last.push_str(&t),
            _ => merged.push(t),
        }
    }
    merged
}

// ---------------------------------------------------------------------------
// Axes, legend, frame
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Linear,
    /// Base 10; the range must be positive.
    Log,
    /// Categories 0, 1, ... n-1, centred in equal slots.
    Category,
}

/// How tick labels read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NumberStyle {
    /// Thousands separators.
    Plain,
    /// A percentage (the value is already in percent).
    Percent,
    /// A ratio: "×1.5".
    Times,
    /// A large amount in short form: "250k", "1.5M".
    Compact,
}

/// One axis: its title (with units), range and ticks.
#[derive(Clone, Debug)]
struct Axis {
    title: String,
    scale: Scale,
    lo: f64,
    hi: f64,
    /// Positions (in data units) and labels; a label may hold two lines ("Apr\n2027").
    ticks: Vec<(f64, String)>,
    /// Gridlines across the plot at the ticks.
    grid: bool,
}

impl Axis {
    /// A numeric axis over `lo..hi` with "nice" ticks inside it.
    fn linear(title: String, lo: f64, hi: f64, style: NumberStyle) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let step = nice_step(hi - lo, 6.0);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        let ticks = (first..=last)
            .map(|k| k as f64 * step)
            .map(|v| (v, number_label(v, step, style)))
            .collect();
        Axis {
            title,
            scale: Scale::Linear,
            lo,
            hi,
            ticks,
            grid: true,
        }
    }

    /// A numeric axis from zero to a nice value at or above `max`.
    fn from_zero(title: String, max: f64, style: NumberStyle) -> Axis {
        let max = if max > 0.0 && max.is_finite() {
            max
        } else {
            1.0
        };
        let step = nice_step(max, 5.0);
        let hi = (max / step - 1e-9).ceil().max(1.0) * step;
        Axis::linear(title, 0.0, hi, style)
    }

    /// A base-10 logarithmic axis covering `min..max` (both positive), ticks at 1, 2 and 5 per decade.
    fn log(title: String, min: f64, max: f64) -> Axis {
        let min = if min > 0.0 && min.is_finite() {
            min
        } else {
            1.0
        };
        let max = if max > min && max.is_finite() {
            max
        } else {
            min * 10.0
        };
        let lo = nice_125_below(min);
        let hi = nice_125_above(max);
        let mut ticks = Vec::new();
        let mut decade = 10f64.powi(lo.log10().floor() as i32);
        while decade <= hi * 1.0001 {
            for m in [1.0, 2.0, 5.0] {
                let v = decade * m;
                if v >= lo * 0.9999 && v <= hi * 1.0001 {
                    ticks.push((v, thousands(v, if v < 1.0 { 2 } else { 0 })));
                }
            }
            decade *= 10.0;
        }
        Axis {
            title,
            scale: Scale::Log,
            lo,
            hi,
            ticks,
            grid: true,
        }
    }

    /// Categories in equal slots, labelled in order.
    fn categories(title: String, labels: Vec<String>) -> Axis {
        let n = labels.len().max(1) as f64;
        let ticks = labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| (i as f64, l))
            .collect();
        Axis {
            title,
            scale: Scale::Category,
            lo: -0.5,
            hi: n - 0.5,
            ticks,
            grid: false,
        }
    }

    /// Where `v` falls, from 0 (low end) to 1 (high end); values outside are clamped.
    fn fraction(&self, v: f64) -> f64 {
        let f = match self.scale {
            Scale::Log => {
                (v.max(self.lo * 1e-3).log10() - self.lo.log10())
                    / (self.hi.log10() - self.lo.log10())
            }
            _ => (v - self.lo) / (self.hi - self.lo),
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// 1, 2 or 5 times a power of ten, giving about `target` steps over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).abs().max(1e-12);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag)
}

fn nice_125_below(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v <= x * 1.0001)
        .unwrap_or(mag)
}

fn nice_125_above(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v >= x * 0.9999)
        .unwrap_or(10.0 * mag)
}

/// Decimals needed to write multiples of `step` exactly.
fn decimals_for(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

fn number_label(v: f64, step: f64, style: NumberStyle) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    let text = thousands(v, decimals_for(step));
    match style {
        NumberStyle::Plain => text,
        NumberStyle::Percent => format!("{text}%"),
        NumberStyle::Times => format!("×{text}"),
        NumberStyle::Compact => {
            let short = format::compact(v);
            // "50.0M" -> "50M", "1.50M" -> "1.5M".
            match short.find(|c: char| c.is_ascii_alphabetic()) {
                Some(at) if short[..at].contains('.') => {
                    let (num, suffix) = short.split_at(at);
                    format!(
                        "{}{suffix}",
                        num.trim_end_matches('0').trim_end_matches('.')
                    )
                }
                _ => short,
            }
        }
    }
}

/// How a legend entry (or a note line) shows the series it names.
#[derive(Clone, Copy, Debug)]
enum Mark {
    /// A solid bar.
    Bar(RGBColor),
    /// A translucent histogram with an outline.
    Hist(RGBColor),
    /// A median line with markers over a translucent band.
    LineBand(RGBColor, Shape),
    /// A dashed reference line.
    Rule,
    /// A line with markers, without a band.
    Line(RGBColor, Shape),
    /// A ring around a singled-out point.
    Ring(RGBColor),
    /// An outline around a singled-out bar or cell.
    Outline(RGBColor),
    /// A translucent shaded area.
    Area(RGBColor),
    /// The colour scale of a heatmap, light to dark.
    Ramp,
}

impl Mark {
    /// The width of the mark in a legend whose text is `lh` high; `wide` for line-like marks.
    fn width(self, lh: f64, wide: f64) -> f64 {
        match self {
            Mark::Bar(_) | Mark::Hist(_) | Mark::Ring(_) | Mark::Outline(_) | Mark::Area(_) => {
                lh * 1.05
            }
            Mark::Ramp => wide * 2.4,
            Mark::LineBand(..) | Mark::Rule | Mark::Line(..) => wide,
        }
    }
}

fn bar_mark(s: SetupStyle) -> Mark {
    Mark::Bar(s.colour)
}
fn hist_mark(s: SetupStyle) -> Mark {
    Mark::Hist(s.colour)
}
fn band_mark(s: SetupStyle) -> Mark {
    Mark::LineBand(s.colour, s.shape)
}

#[derive(Clone, Debug)]
struct LegendItem {
    label: String,
    mark: Mark,
}

/// One plotting panel of a frame.
struct PanelSpec {
    heading: Option<String>,
    x: Axis,
    y: Axis,
}

/// The common frame of every chart.
struct Frame {
    title: String,
    subtitle: String,
    legend: Vec<LegendItem>,
    /// Side by side, sharing the legend.
    panels: Vec<PanelSpec>,
    footnote: Vec<String>,
}

/// A drawn panel: its plotting rectangle and axes, mapping data to pixels.
struct Panel {
    plot: Rect,
    x: Axis,
    y: Axis,
}

impl Panel {
    fn px(&self, x: f64) -> f64 {
        self.plot.left + self.x.fraction(x) * (self.plot.right - self.plot.left)
    }
    fn py(&self, y: f64) -> f64 {
        self.plot.bottom - self.y.fraction(y) * (self.plot.bottom - self.plot.top)
    }
    fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (self.px(x), self.py(y))
    }
    /// Pixel width of one category slot (or of one x unit on a linear axis).
    fn slot(&self) -> f64 {
        (self.plot.right - self.plot.left) / (self.x.hi - self.x.lo)
    }
    fn width(&self) -> f64 {
        self.plot.right - self.plot.left
    }
}

/// Draws a legend mark in the box `r`.
fn draw_mark(c: &Canvas<'_>, mark: Mark, r: Rect) -> Result<(), Error> {
    let mid = (r.top + r.bottom) / 2.0;
    let sq = (r.bottom - r.top) * 0.85;
    let square = Rect {
        left: r.left,
        top: mid - sq / 2.0,
        right: r.left + sq,
        bottom: mid + sq / 2.0,
    };
    match mark {
        Mark::Bar(colour) => c.rect(square, rgba(colour, 1.0)),
        Mark::Hist(colour) => {
            c.rect(square, rgba(colour, FILL_ALPHA + 0.1))?;
            c.outline(square, rgba(colour, 1.0), c.px(3.0))
        }
        Mark::LineBand(colour, shape) => {
            c.rect(
                Rect {
                    top: mid - sq * 0.45,
                    bottom: mid + sq * 0.45,
                    ..r
                },
                rgba(colour, FILL_ALPHA + 0.06),
            )?;
            c.line(
                &[(r.left, mid), (r.right, mid)],
                rgba(colour, 1.0),
                c.px(4.0),
            )?;
            c.marker(shape, ((r.left + r.right) / 2.0, mid), c.px(7.0), colour)
        }
        Mark::Rule => c.dashed(
            &[(r.left, mid), (r.right, mid)],
            REFERENCE,
            c.px(3.0),
            c.px(9.0),
            c.px(5.0),
        ),
        Mark::Line(colour, shape) => {
            c.line(
                &[(r.left, mid), (r.right, mid)],
                rgba(colour, 1.0),
                c.px(4.0),
            )?;
            c.marker(shape, ((r.left + r.right) / 2.0, mid), c.px(7.0), colour)
        }
        Mark::Ring(colour) => c.ring(
            ((square.left + square.right) / 2.0, mid),
            sq * 0.42,
            colour,
            c.px(3.5),
        ),
        Mark::Outline(colour) => {
            let w = c.px(4.0).max(2.0);
            let inset = Rect {
                left: square.left + w / 2.0,
                top: square.top + w / 2.0,
                right: square.right - w / 2.0,
                bottom: square.bottom - w / 2.0,
            };
            c.outline(inset, rgba(colour, 1.0), w)
        }
        Mark::Area(colour) => {
            c.rect(square, rgba(colour, FILL_ALPHA))?;
            c.outline(square, rgba(colour, 0.7), c.px(1.5))
        }
        Mark::Ramp => {
            let steps = 24;
            let w = (r.right - r.left) / steps as f64;
            for k in 0..steps {
                let colour = ramp((k as f64 + 0.5) / steps as f64);
                c.rect(
                    Rect {
                        left: r.left + k as f64 * w,
                        right: r.left + (k + 1) as f64 * w + 0.5,
                        ..square
                    },
                    rgba(colour, 1.0),
                )?;
            }
            c.outline(
                Rect {
                    left: r.left,
                    right: r.right,
                    ..square
                },
                AXIS,
                c.px(1.0).max(1.0),
            )
        }
    }
}

/// Draws the common frame of a chart, returning its panels ready for data:
/// background, title, subtitle, legend (in its own strip, never over data),
/// footnote, and for each panel its heading, axis titles, ticks and gridlines.
fn draw_frame(c: &Canvas<'_>, f: Frame) -> Result<Vec<Panel>, Error> {
    ok(c.area.fill(&WHITE))?;
    let margin = c.px(32.0);
    let inner = c.width - 2.0 * margin;
    let mut top = margin;

    // Title: shrunk (then shortened) to fit one line.
    let mut ts = c.size(Role::Title);
    let w = c.text_width(&f.title, ts);
    if w > inner {
        // A hair under the exact fit, so that rounding does not then shorten it.
        ts = (ts * inner / w * 0.995).max(c.size(Role::Title) * 0.7);
    }
    let title = c.truncate(&f.title, ts, inner);
    c.text(&title, (margin, top), ts, INK, Align::Start, Align::Start)?;
    top += c.font.height(ts) + c.px(14.0);

    let ss = c.size(Role::Subtitle);
    if !f.subtitle.is_empty() {
        top += c.lines(
            &c.wrap(&f.subtitle, ss, inner),
            (margin, top),
            ss,
            MUTED,
            Align::Start,
        )?;
    }

    // Legend: entries in rows, wrapping when a row is full.
    if !f.legend.is_empty() {
        top += c.px(8.0);
        let ls = c.size(Role::Legend);
        let lh = c.font.height(ls);
        let mark_w = c.px(46.0);
        let gap = c.px(12.0);
        let spacing = c.px(40.0);
        let row_h = lh * 1.45;
        let (mut x, mut row) = (margin, 0.0);
        for item in &f.legend {
            let mark_w = item.mark.width(lh, mark_w);
            let label = c.truncate(&item.label, ls, inner - mark_w - gap);
            let w = mark_w + gap + c.text_width(&label, ls);
            if x > margin && x + w > margin + inner {
                x = margin;
                row += row_h;
            }
            let y = top + row;
            draw_mark(
                c,
                item.mark,
                Rect {
                    left: x,
                    top: y,
                    right: x + mark_w,
                    bottom: y + lh,
                },
            )?;
            c.text(
                &label,
                (x + mark_w + gap, y),
                ls,
                INK,
                Align::Start,
                Align::Start,
            )?;
            x += mark_w + gap + c.text_width(&label, ls) + spacing;
        }
        top += row + row_h;
    }
    top += c.px(14.0);

    // Footnote, from the bottom up.
    let fs = c.size(Role::Footnote);
    let foot: Vec<String> = f
        .footnote
        .iter()
        .flat_map(|p| c.wrap(p, fs, inner))
        .collect();
    let mut bottom = c.height - margin * 0.75 - foot.len() as f64 * c.line_height(fs);
    c.lines(&foot, (margin, bottom), fs, MUTED, Align::Start)?;
    bottom -= if foot.is_empty() { 0.0 } else { c.px(18.0) };

    // Panels side by side.
    let n = f.panels.len().max(1) as f64;
    let panel_gap = c.px(56.0);
    let panel_w = (inner - panel_gap * (n - 1.0)) / n;
    let mut panels = Vec::new();
    for (i, p) in f.panels.into_iter().enumerate() {
        let left = margin + i as f64 * (panel_w + panel_gap);
        panels.push(draw_panel(
            c,
            p,
            Rect {
                left,
                top,
                right: left + panel_w,
                bottom,
            },
        )?);
    }
    Ok(panels)
}

/// Lays out and draws one panel's heading, axes and grid inside `area`.
fn draw_panel(c: &Canvas<'_>, p: PanelSpec, area: Rect) -> Result<Panel, Error> {
    let (ts, ats, hs) = (
        c.size(Role::Tick),
        c.size(Role::AxisTitle),
        c.size(Role::Heading),
    );
    let tick_len = c.px(8.0);
    let gap = c.px(10.0);
    let mut top = area.top;
    if let Some(h) = &p.heading {
        // Up to two lines; a longer heading is shortened at the end of the second.
        let width = area.right - area.left;
        let mut lines = c.wrap(h, hs, width);
        if lines.len() > 2 {
            let rest = lines[1..].join(" ");
            lines.truncate(1);
            lines.push(rest);
        }
        let lines: Vec<String> = lines.iter().map(|l| c.truncate(l, hs, width)).collect();
        let used = c.lines(&lines, (area.left, top), hs, INK, Align::Start)?;
        top += used - c.line_height(hs) + c.font.height(hs) + c.px(16.0);
    }
    // Half a tick label sticks out above the top gridline.
    top += c.font.height(ts) * 0.6;

    let y_title_w = c.font.height(ats);
    let y_label_w =
        p.y.ticks
            .iter()
            .map(|(_, l)| c.text_width(l, ts))
            .fold(0.0, f64::max);
    let left = area.left + y_title_w + gap * 1.5 + y_label_w + gap;
    let plot_w0 = area.right - left;

    // X tick labels: fit category labels to their slots; thin numeric ones that would collide.
    let slots = if p.x.scale == Scale::Category {
        p.x.ticks.len().max(1) as f64
    } else {
        0.0
    };
    let x_labels: Vec<Vec<String>> =
        p.x.ticks
            .iter()
            .map(|(_, l)| {
                if slots > 0.0 {
                    let max = plot_w0 / slots * 0.94;
                    l.split('\n')
                        .flat_map(|line| c.wrap(line, ts, max))
                        .map(|line| c.truncate(&line, ts, max))
                        .collect()
                } else {
                    vec![l.clone()]
                }
            })
            .collect();
    let label_w: Vec<f64> = x_labels
        .iter()
        .map(|ls| ls.iter().map(|l| c.text_width(l, ts)).fold(0.0, f64::max))
        .collect();
    // Room on the right for half of the last label.
    let last_over = match (p.x.scale, p.x.ticks.last(), label_w.last()) {
        (Scale::Category, _, _) | (_, None, _) | (_, _, None) => 0.0,
        (_, Some((v, _)), Some(w)) => (w / 2.0 - (1.0 - p.x.fraction(*v)) * plot_w0).max(0.0),
    };
    let right = area.right - last_over - c.px(4.0);
    let lines = x_labels.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let x_label_h = lines * c.line_height(ts);
    let x_title_h = if p.x.title.is_empty() {
        0.0
    } else {
        c.font.height(ats) + gap
    };
    let bottom = area.bottom - x_title_h - gap - x_label_h - tick_len;
    let panel = Panel {
        plot: Rect {
            left,
            top,
            right,
            bottom,
        },
        x: p.x,
        y: p.y,
    };

    // Which x labels to show: every k-th so that neighbours do not touch.
    let xs: Vec<f64> = panel.x.ticks.iter().map(|(v, _)| panel.px(*v)).collect();
    let mut every = 1;
    while every < xs.len() {
        let clear = (every..xs.len())
            .step_by(every)
            .all(|j| xs[j] - xs[j - every] >= (label_w[j] + label_w[j - every]) / 2.0 + c.px(14.0));
        if clear {
            break;
        }
        every += 1;
    }

    // Gridlines, axis line, ticks and labels.
    let thin = c.px(1.5).max(1.0);
    for (v, label) in &panel.y.ticks {
        let y = panel.py(*v);
        if panel.y.grid {
            c.line(&[(left, y), (right, y)], GRID, thin)?;
        }
        c.text(label, (left - gap, y), ts, MUTED, Align::End, Align::Middle)?;
    }
    for (i, ((v, _), ls)) in panel.x.ticks.iter().zip(&x_labels).enumerate() {
        let x = panel.px(*v);
        if panel.x.grid {
            c.line(&[(x, top), (x, bottom)], GRID, thin)?;
        }
        if i % every == 0 {
            c.line(&[(x, bottom), (x, bottom + tick_len)], AXIS, thin)?;
            c.lines(
                ls,
                (x, bottom + tick_len + gap * 0.6),
                ts,
                MUTED,
                Align::Middle,
            )?;
        }
    }
    c.line(&[(left, bottom), (right, bottom)], AXIS, c.px(2.0).max(1.0))?;

    // Axis titles: x centred below, y reading upwards on the left.
    if !panel.x.title.is_empty() {
        let t = c.truncate(&panel.x.title, ats, area.right - area.left);
        c.text(
            &t,
            ((left + right) / 2.0, area.bottom),
            ats,
            INK,
            Align::Middle,
            Align::End,
        )?;
    }
    let t = c.truncate(&panel.y.title, ats, bottom - area.top);
    c.text_rotated(
        &t,
        (area.left, (top + bottom) / 2.0),
        ats,
        INK,
        Align::Middle,
        Align::Start,
        true,
    )?;
    Ok(panel)
}

// ---------------------------------------------------------------------------
// Shared data drawing
// ---------------------------------------------------------------------------

/// A note line: text, optionally after a mark naming its series.
struct NoteLine {
    mark: Option<Mark>,
    text: String,
}

/// Draws notes in a white box at the top of a panel beside x = `at` (right of
/// it when there is room); keeps clear of `taken` boxes and records its own.
/// A note too long for the panel wraps under its own text.
fn note_box(
    c: &Canvas<'_>,
    panel: &Panel,
    at: f64,
    lines: &[NoteLine],
    taken: &mut Vec<Rect>,
) -> Result<(), Error> {
    let ns = c.size(Role::Note);
    let lh = c.line_height(ns);
    let pad = c.px(10.0);
    let mark_w = c.font.height(ns) * 1.05 + c.px(10.0);
    let max_text = (panel.width() * 0.9 - 2.0 * pad - mark_w).max(c.px(60.0));
    // (mark, indent, text) per row.
    let mut rows: Vec<(Option<Mark>, f64, String)> = Vec::new();
    for line in lines {
        let indent = if line.mark.is_some() { mark_w } else { 0.0 };
        for (k, text) in c.wrap(&line.text, ns, max_text).into_iter().enumerate() {
            rows.push((
                if k == 0 { line.mark } else { None },
                indent,
                c.truncate(&text, ns, max_text),
            ));
        }
    }
    let w = rows
        .iter()
        .map(|(_, indent, t)| indent + c.text_width(t, ns))
        .fold(0.0, f64::max)
        + 2.0 * pad;
    let h = rows.len() as f64 * lh + 2.0 * pad - (lh - c.font.height(ns));
    let x = if at + c.px(10.0) + w <= panel.plot.right {
        at + c.px(10.0)
    } else {
        (at - c.px(10.0) - w).max(panel.plot.left)
    };
    let mut r = Rect {
        left: x,
        top: panel.plot.top + c.px(4.0),
        right: x + w,
        bottom: panel.plot.top + c.px(4.0) + h,
    };
    while let Some(t) = taken.iter().find(|t| t.overlaps(&r)) {
        let dy = t.bottom + c.px(6.0) - r.top;
        r.top += dy;
        r.bottom += dy;
    }
    taken.push(r);
    c.rect(r, RGBAColor(255, 255, 255, 0.88))?;
    for (i, (mark, indent, text)) in rows.iter().enumerate() {
        let y = r.top + pad + i as f64 * lh;
        if let Some(m) = mark {
            let sq = c.font.height(ns);
            draw_mark(
                c,
                *m,
                Rect {
                    left: r.left + pad,
                    top: y,
                    right: r.left + pad + sq * 1.05,
                    bottom: y + sq,
                },
            )?;
        }
        c.text(
            text,
            (r.left + pad + indent, y),
            ns,
            INK,
            Align::Start,
            Align::Start,
        )?;
    }
    Ok(())
}

/// A dashed vertical reference line across a panel.
fn reference_line(c: &Canvas<'_>, panel: &Panel, x: f64) -> Result<f64, Error> {
    let px = panel.px(x);
    c.dashed(
        &[(px, panel.plot.bottom), (px, panel.plot.top)],
        REFERENCE,
        c.px(3.0),
        c.px(12.0),
        c.px(7.0),
    )?;
    Ok(px)
}

/// p10, p50 and p90.
type Band = (f64, f64, f64);

/// p10, p50 and p90 of a summary, when defined.
fn band(s: &Summary) -> Option<Band> {
    Some((s.p10?, s.p50?, s.p90?))
}

/// Bars (median) with whiskers (p10–p90) for each category and setup, labelled with the median.
fn grouped_bars(
    c: &Canvas<'_>,
    panel: &Panel,
    values: &[Vec<Option<Band>>],
    label: impl Fn(f64) -> String,
) -> Result<(), Error> {
    let n_setups = values.iter().map(Vec::len).max().unwrap_or(0).max(1) as f64;
    let slot = panel.slot();
    let group = slot * 0.8;
    let bar_slot = group / n_setups;
    let bar_w = bar_slot * 0.86;
    let base = panel.plot.bottom;
    let mut labels = Vec::new();
    for (k, row) in values.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            let Some((p10, p50, p90)) = *v else { continue };
            let cx = panel.px(k as f64) - group / 2.0 + bar_slot * (i as f64 + 0.5);
            let style = setup_style(i);
            c.rect(
                Rect {
                    left: cx - bar_w / 2.0,
                    top: panel.py(p50),
                    right: cx + bar_w / 2.0,
                    bottom: base,
                },
                rgba(style.colour, 1.0),
            )?;
            // Whisker: dark with a white halo, visible on light and dark bars alike.
            let (y10, y90) = (panel.py(p10), panel.py(p90));
            let cap = (bar_w * 0.22).max(c.px(6.0));
            for (colour, extra) in [(WHITE_A, c.px(3.0)), (REFERENCE, 0.0)] {
                let w = c.px(3.0) + extra;
                c.line(&[(cx, y10), (cx, y90)], colour, w)?;
                c.line(&[(cx - cap, y90), (cx + cap, y90)], colour, w)?;
                c.line(&[(cx - cap, y10), (cx + cap, y10)], colour, w)?;
            }
            labels.push((cx, y90, label(p50)));
        }
    }
    // Median labels above the whiskers, sized to fit the bar slot.
    let mut ns = c.size(Role::Note);
    let widest = labels
        .iter()
        .map(|(_, _, t)| c.text_width(t, ns))
        .fold(0.0, f64::max);
    if widest > bar_slot * 0.98 {
        ns = (ns * bar_slot * 0.98 / widest).max(c.size(Role::Footnote) * 0.8);
    }
    if labels
        .iter()
        .all(|(_, _, t)| c.text_width(t, ns) <= bar_slot * 1.05)
    {
        for (x, y, t) in labels {
            c.text(&t, (x, y - c.px(8.0)), ns, INK, Align::Middle, Align::End)?;
        }
    }
    Ok(())
}

/// Fan charts: per setup, a translucent p10–p90 band with thin edges and a
/// median line with markers, at numeric x positions (category indices or
/// parameter values). Every band is drawn before every line.
fn draw_fans(c: &Canvas<'_>, p: &Panel, fans: &[(usize, Vec<(f64, Band)>)]) -> Result<(), Error> {
    for (setup, pts) in fans {
        let colour = setup_style(*setup).colour;
        if let [(x, (lo, _, hi))] = pts[..] {
            c.line(&[p.at(x, lo), p.at(x, hi)], rgba(colour, 0.6), c.px(10.0))?;
            continue;
        }
        let upper: Vec<_> = pts.iter().map(|(x, v)| p.at(*x, v.2)).collect();
        let lower: Vec<_> = pts.iter().map(|(x, v)| p.at(*x, v.0)).collect();
        let poly: Vec<(f64, f64)> = upper.iter().chain(lower.iter().rev()).copied().collect();
        c.polygon(&poly, rgba(colour, FILL_ALPHA))?;
        c.line(&upper, rgba(colour, 0.55), c.px(1.5))?;
        c.line(&lower, rgba(colour, 0.55), c.px(1.5))?;
    }
    for (setup, pts) in fans {
        let style = setup_style(*setup);
        let line: Vec<_> = pts.iter().map(|(x, v)| p.at(*x, v.1)).collect();
        c.line(&line, rgba(style.colour, 1.0), c.px(4.0))?;
        for pt in line {
            c.marker(style.shape, pt, c.px(7.0), style.colour)?;
        }
    }
    Ok(())
}

/// Histogram bins: `n` bins of `width` from `lo`.
struct Bins {
    lo: f64,
    width: f64,
    n: usize,
}

impl Bins {
    /// About 36 bins covering `lo..=hi`. Integer data get whole-number bins centred on their values.
    fn new(lo: f64, hi: f64, integer: bool) -> Bins {
        let span = hi - lo;
        let mut width = if span > 0.0 {
            nice_step(span, 36.0)
        } else if lo != 0.0 {
            (lo.abs() * 0.05).max(1e-9)
        } else {
            1.0
        };
        if integer {
            width = width.max(1.0).round();
        }
        let start = (lo / width).floor() * width - if integer { 0.5 } else { 0.0 };
        let n = (((hi - start) / width).floor() as usize + 1).clamp(1, 1000);
        Bins {
            lo: start,
            width,
            n,
        }
    }

    fn hi(&self) -> f64 {
        self.lo + self.width * self.n as f64
    }

    /// The share of `values` (in percent) in each bin, and whether any value lay beyond the bins.
    fn shares(&self, values: &[f64]) -> (Vec<f64>, bool) {
        let mut counts = vec![0usize; self.n];
        let mut clamped = false;
        for &v in values {
            let k = ((v - self.lo) / self.width).floor();
            clamped |= k < 0.0 || k >= self.n as f64;
            counts[k.clamp(0.0, (self.n - 1) as f64) as usize] += 1;
        }
        let total = values.len().max(1) as f64;
        (
            counts
                .into_iter()
                .map(|k| 100.0 * k as f64 / total)
                .collect(),
            clamped,
        )
    }
}

/// One distribution of a histogram chart.
struct Distribution {
    setup: usize,
    values: Vec<f64>,
}

/// A vertical reference line with its notes.
struct Reference {
    x: f64,
    notes: Vec<NoteLine>,
}

/// A histogram panel's data: the bins, each distribution's share of runs per
/// bin (in percent), whether runs were clamped into the outermost bins, and the
/// largest share.
struct HistogramData {
    bins: Bins,
    shares: Vec<(usize, Vec<f64>)>,
    clamped: bool,
    max_share: f64,
}

fn histogram_data(
    dists: &[Distribution],
    integer: bool,
    trim: f64,
    include: &[f64],
) -> HistogramData {
    // The range: the pooled values less `trim` of each tail (those runs land in
    // the outermost bins), widened to show every reference line clear of the edges.
    let mut pooled: Vec<f64> = dists
        .iter()
        .flat_map(|d| d.values.iter().copied())
        .collect();
    pooled.sort_by(f64::total_cmp);
    let mut lo = percentile_sorted(&pooled, trim).unwrap_or(0.0);
    let mut hi = percentile_sorted(&pooled, 1.0 - trim).unwrap_or(1.0);
    if pooled.is_empty() {
        // Nothing to show but the reference lines: an axis from zero past them.
        let top = include
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(0.0, f64::max);
        (lo, hi) = (0.0, if top > 0.0 { top * 1.5 } else { 1.0 });
    }
    let pad = (include.iter().fold(hi, |a, &x| a.max(x))
        - include.iter().fold(lo, |a, &x| a.min(x)))
    .max(1e-9)
        * 0.04;
    for &x in include.iter().filter(|x| x.is_finite()) {
        lo = lo.min(x - pad);
        hi = hi.max(x + pad);
    }
    let bins = Bins::new(lo, hi, integer);
    let mut clamped = false;
    let shares: Vec<(usize, Vec<f64>)> = dists
        .iter()
        .map(|d| {
            let (s, c) = bins.shares(&d.values);
            clamped |= c;
            (d.setup, s)
        })
        .collect();
    let max_share = shares
        .iter()
        .flat_map(|(_, s)| s.iter().copied())
        .fold(0.0, f64::max);
    HistogramData {
        bins,
        shares,
        clamped,
        max_share,
    }
}

/// The y axis of a histogram, with headroom at the top for `note_lines` lines of notes.
fn share_axis(c: &Canvas<'_>, ctx: &Ctx<'_>, max_share: f64, note_lines: usize) -> Axis {
    let plot_h = c.height * 0.58;
    let reserved =
        ((note_lines as f64 * c.line_height(c.size(Role::Note)) + c.px(30.0)) / plot_h).min(0.5);
    let top = max_share / (1.0 - reserved);
    let mut axis = Axis::from_zero(ctx.w.share_y.to_string(), top, NumberStyle::Percent);
    // No share is above 100%: keep the headroom but not ticks beyond it.
    if axis.hi > 100.0 {
        axis.hi = top.max(100.0);
        axis.ticks.retain(|(v, _)| *v <= 100.0);
    }
    axis
}

/// Translucent bars with an outline per distribution, then reference lines with notes.
fn draw_histograms(
    c: &Canvas<'_>,
    ctx: &Ctx<'_>,
    panel: &Panel,
    h: &HistogramData,
    refs: &[Reference],
) -> Result<(), Error> {
    let b = &h.bins;
    let edge = |k: usize| b.lo + b.width * k as f64;
    if h.max_share <= 0.0 {
        let mid = (
            (panel.plot.left + panel.plot.right) / 2.0,
            (panel.plot.top + panel.plot.bottom) / 2.0,
        );
        let ns = c.size(Role::Note);
        let text = c.truncate(ctx.w.no_data, ns, panel.width());
        let (w, h, pad) = (c.text_width(&text, ns), c.font.height(ns), c.px(12.0));
        c.rect(
            Rect {
                left: mid.0 - w / 2.0 - pad,
                top: mid.1 - h / 2.0 - pad,
                right: mid.0 + w / 2.0 + pad,
                bottom: mid.1 + h / 2.0 + pad,
            },
            WHITE_A,
        )?;
        c.text(&text, mid, ns, MUTED, Align::Middle, Align::Middle)?;
    }
    // Translucent fills show two overlapping distributions well; more become mud: outlines only.
    let fills = h.shares.len() <= 2;
    for (setup, shares) in h.shares.iter().filter(|_| fills) {
        let colour = setup_style(*setup).colour;
        for (k, &s) in shares.iter().enumerate() {
            if s > 0.0 {
                let (l, t) = panel.at(edge(k), s);
                c.rect(
                    Rect {
                        left: l,
                        top: t,
                        right: panel.px(edge(k + 1)),
                        bottom: panel.plot.bottom,
                    },
                    rgba(colour, FILL_ALPHA),
                )?;
            }
        }
    }
    for (setup, shares) in &h.shares {
        let colour = setup_style(*setup).colour;
        let (Some(first), Some(last)) = (
            shares.iter().position(|&s| s > 0.0),
            shares.iter().rposition(|&s| s > 0.0),
        ) else {
            continue;
        };
        let mut pts = vec![panel.at(edge(first), 0.0)];
        for (k, &s) in shares.iter().enumerate().take(last + 1).skip(first) {
            pts.push(panel.at(edge(k), s));
            pts.push(panel.at(edge(k + 1), s));
        }
        pts.push(panel.at(edge(last + 1), 0.0));
        c.line(&pts, rgba(colour, 1.0), c.px(if fills { 3.0 } else { 3.5 }))?;
    }
    let mut taken = Vec::new();
    for r in refs {
        let x = reference_line(c, panel, r.x)?;
        note_box(c, panel, x, &r.notes, &mut taken)?;
    }
    Ok(())
}

/// Footnote lines common to distribution charts.
fn distribution_footnote(
    ctx: &Ctx<'_>,
    clamped: bool,
    undefined: usize,
    first: String,
) -> Vec<String> {
    let mut parts = vec![first];
    if clamped {
        parts.push(ctx.w.clamped_note.to_string());
    }
    if undefined > 0 {
        parts.push(fill(
            ctx.w.undefined_note,
            &[("count", &thousands(undefined as f64, 0))],
        ));
    }
    vec![parts.join(ctx.w.sentence_sep)]
}

// ---------------------------------------------------------------------------
// The charts
// ---------------------------------------------------------------------------

const STAGES: [Metric; 5] = [
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
];

/// funnel.png: the stages, median bars with p10–p90 whiskers, setups side by side, on a log scale.
fn funnel_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let values: Vec<Vec<Option<Band>>> = STAGES
        .iter()
        .map(|&m| r.setups.iter().map(|s| band(s.metric(m))).collect())
        .collect();
    let all = values.iter().flatten().flatten();
    let min = all
        .clone()
        .map(|v| v.0)
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let max = all.map(|v| v.2).fold(0.0, f64::max);
    let (min, max) = if min.is_finite() && max > 0.0 {
        (min, max)
    } else {
        (1.0, 10.0)
    };
    // Headroom above the tallest whisker for its label: a seventh of the axis.
    let span = (max.log10() - (min * 0.8).log10()).max(1.0);
    let axis_y = Axis::log(
        fill(ctx.w.funnel_y, &[("months", &ctx.months())]),
        min * 0.8,
        10f64.powf(max.log10() + span / 7.0),
    );
    let stages = ctx.w.stages.iter().map(|s| s.to_string()).collect();
    let runs = thousands(r.runs as f64, 0);
    let frame = Frame {
        title: ctx.title(ctx.w.funnel_title),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(bar_mark, |_, _| String::new()),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::categories(ctx.w.funnel_x.into(), stages),
            y: axis_y,
        }],
        footnote: vec![fill(ctx.w.funnel_note, &[("runs", &runs)])],
    };
    let panels = draw_frame(c, frame)?;
    grouped_bars(c, &panels[0], &values, |v| thousands(v, 0))?;
    Ok(true)
}

/// by_source.png: opportunities by lead source, median bars with p10–p90 whiskers.
fn by_source_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let mut sources: Vec<String> = Vec::new();
    for s in &r.setups {
        for b in &s.by_source {
            if !sources.contains(&b.label) {
                sources.push(b.label.clone());
            }
        }
    }
    if sources.is_empty() {
        return Ok(false);
    }
    let metric = Metric::Opportunities;
    let values: Vec<Vec<Option<Band>>> = sources
        .iter()
        .map(|name| {
            r.setups
                .iter()
                .map(|s| {
                    s.by_source
                        .iter()
                        .find(|b| &b.label == name)
                        .and_then(|b| b.metrics.iter().find(|m| m.metric == metric))
                        .and_then(|m| band(&m.summary))
                })
                .collect()
        })
        .collect();
    let max = values
        .iter()
        .flatten()
        .flatten()
        .map(|v| v.2)
        .fold(0.0, f64::max);
    let runs = thousands(r.runs as f64, 0);
    let frame = Frame {
        title: ctx.title(ctx.w.by_source_title),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(bar_mark, |_, _| String::new()),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::categories(ctx.w.by_source_x.into(), sources),
            y: Axis::from_zero(
                fill(ctx.w.by_source_y, &[("months", &ctx.months())]),
                max * 1.12,
                NumberStyle::Plain,
            ),
        }],
        footnote: vec![fill(ctx.w.by_source_note, &[("runs", &runs)])],
    };
    let panels = draw_frame(c, frame)?;
    grouped_bars(c, &panels[0], &values, |v| thousands(v, 0))?;
    Ok(true)
}

/// monthly_won.png / monthly_opportunities.png: fan chart by month, p10–p90 band and median line per setup.
fn monthly_chart(c: &Canvas<'_>, ctx: &Ctx<'_>, metric: Metric) -> Result<bool, Error> {
    let r = ctx.r;
    let series: Vec<Vec<Option<Band>>> = r
        .setups
        .iter()
        .map(|s| {
            s.monthly
                .iter()
                .map(|b| {
                    b.metrics
                        .iter()
                        .find(|m| m.metric == metric)
                        .and_then(|m| band(&m.summary))
                })
                .collect()
        })
        .collect();
    let max = series
        .iter()
        .flatten()
        .flatten()
        .map(|v| v.2)
        .fold(0.0, f64::max);
    let months: Vec<String> = r
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| month_tick(m, i == 0, ctx.lang))
        .collect();
    let n = series.len() as f64;
    let single_offset = |i: usize| (i as f64 - (n - 1.0) / 2.0) * 0.08;
    let (title, y_title) = if metric == Metric::Won {
        (ctx.w.monthly_won_title, ctx.w.monthly_won_y)
    } else {
        (ctx.w.monthly_opp_title, ctx.w.monthly_opp_y)
    };
    let runs = thousands(r.runs as f64, 0);
    let frame = Frame {
        title: ctx.title(title),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(band_mark, |_, _| String::new()),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::categories(ctx.w.month_axis.into(), months),
            y: Axis::from_zero(y_title.into(), max * 1.05, NumberStyle::Plain),
        }],
        footnote: vec![fill(ctx.w.fan_note, &[("runs", &runs)])],
    };
    let panels = draw_frame(c, frame)?;
    let fans: Vec<(usize, Vec<(f64, Band)>)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts = s
                .iter()
                .enumerate()
                .filter_map(|(m, v)| v.map(|v| (m as f64, v)));
            // A single month: setups side by side rather than on top of each other.
            let shift = if s.iter().flatten().count() == 1 {
                single_offset(i)
            } else {
                0.0
            };
            (i, pts.map(|(m, v)| (m + shift, v)).collect())
        })
        .collect();
    draw_fans(c, &panels[0], &fans)?;
    Ok(true)
}

/// won_distribution.png: won deals per run, a histogram per setup, targets marked with P(target).
fn won_distribution_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let metric = Metric::Won;
    let (dists, undefined) = ctx.distributions(metric);
    // Targets on won (one per distinct value), with each setup's chance of meeting it.
    let mut targets = crate::report::kpis::target_rows(r);
    targets.retain(|t| t.goal.metric == metric);
    let refs: Vec<Reference> = targets
        .iter()
        .map(|t| {
            let (value, comparison) = (t.goal.value, t.goal.comparison);
            let mut notes = vec![NoteLine {
                mark: Some(Mark::Rule),
                text: fill(
                    ctx.w.note_heading,
                    &[
                        (
                            "label",
                            &fill(
                                ctx.w.target,
                                &[(
                                    "target",
                                    &format!(
                                        "{} {}",
                                        comparison.math_symbol(),
                                        thousands(value, decimals_for(value))
                                    ),
                                )],
                            ),
                        ),
                        ("chance", ctx.w.chance),
                    ],
                ),
            }];
            for (i, (s, p)) in r.setups.iter().zip(&t.p_met).enumerate() {
                if let Some(p) = *p {
                    notes.push(NoteLine {
                        mark: Some(Mark::Hist(setup_style(i).colour)),
                        text: ctx.name_value(&s.name, &format::percent(p)),
                    });
                }
            }
            Reference { x: value, notes }
        })
        .collect();
    let h = histogram_data(
        &dists,
        true,
        0.0,
        &targets.iter().map(|t| t.goal.value).collect::<Vec<_>>(),
    );
    let note_lines = refs.iter().map(|r| r.notes.len()).max().unwrap_or(0);
    let months = ctx.months();
    let runs = thousands(r.runs as f64, 0);
    let frame = Frame {
        title: ctx.title(&fill(ctx.w.won_title, &[("months", &months)])),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(hist_mark, |_, s| {
            median_suffix(ctx, s.metric(metric), |v| thousands(v, 0))
        }),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::linear(
                fill(ctx.w.won_x, &[("months", &months)]),
                h.bins.lo,
                h.bins.hi(),
                NumberStyle::Plain,
            ),
            y: share_axis(c, ctx, h.max_share, note_lines),
        }],
        footnote: distribution_footnote(
            ctx,
            h.clamped,
            undefined,
            fill(ctx.w.hist_note, &[("runs", &runs)]),
        ),
    };
    let panels = draw_frame(c, frame)?;
    draw_histograms(c, ctx, &panels[0], &h, &refs)?;
    Ok(true)
}

/// ltv_cac.png: LTV/CAC per run, a histogram per setup, the 3.0 bar (and any target) marked.
fn ltv_cac_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let metric = Metric::LtvToCac;
    let (dists, undefined) = ctx.distributions(metric);
    let mut lines: Vec<(f64, String)> = vec![(3.0, ctx.w.ltv_bar.to_string())];
    for t in r.setups.iter().flat_map(|s| &s.targets) {
        let goal = &t.goal;
        if goal.metric == metric && !lines.iter().any(|(v, _)| *v == goal.value) {
            let target = format!("{} {}", goal.comparison.math_symbol(), goal.value);
            lines.push((goal.value, fill(ctx.w.target, &[("target", &target)])));
        }
    }
    let refs: Vec<Reference> = lines
        .iter()
        .map(|(value, label)| {
            let mut notes = vec![NoteLine {
                mark: Some(Mark::Rule),
                text: fill(
                    ctx.w.note_heading,
                    &[("label", label), ("chance", ctx.w.chance)],
                ),
            }];
            for (i, s) in r.setups.iter().enumerate() {
                let p = share(ctx.runs[i].runs.iter().map(|x| x.get(metric)), |x| {
                    x >= *value
                });
                notes.push(NoteLine {
                    mark: Some(Mark::Hist(setup_style(i).colour)),
                    text: ctx.name_value(&s.name, &format::percent(p)),
                });
            }
            Reference { x: *value, notes }
        })
        .collect();
    let h = histogram_data(
        &dists,
        false,
        0.005,
        &lines.iter().map(|l| l.0).collect::<Vec<_>>(),
    );
    let note_lines = refs.iter().map(|r| r.notes.len()).max().unwrap_or(0);
    let runs = thousands(r.runs as f64, 0);
    let medians: Vec<String> = r
        .setups
        .iter()
        .map(|s| {
            let median = |m: Metric| format::value(m, s.metric(m).p50.unwrap_or(f64::NAN));
            fill(
                ctx.w.ltv_item,
                &[
                    ("name", &s.name),
                    ("ltv", &median(Metric::Ltv)),
                    ("cac", &median(Metric::Cac)),
                ],
            )
        })
        .collect();
    let currency = if r.currency.is_empty() {
        "-".to_string()
    } else {
        r.currency.clone()
    };
    let mut footnote = distribution_footnote(
        ctx,
        h.clamped,
        undefined,
        fill(ctx.w.hist_note, &[("runs", &runs)]),
    );
    footnote.push(format!(
        "{}{}{}",
        ctx.w.ltv_note,
        ctx.w.sentence_sep,
        fill(
            ctx.w.ltv_medians,
            &[
                ("currency", &currency),
                ("list", &medians.join(ctx.w.list_sep))
            ]
        )
    ));
    let frame = Frame {
        title: ctx.title(ctx.w.ltv_title),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(hist_mark, |_, s| {
            median_suffix(ctx, s.metric(metric), |v| format!("{v:.2}"))
        }),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::linear(
                ctx.w.ltv_x.into(),
                h.bins.lo,
                h.bins.hi(),
                NumberStyle::Plain,
            ),
            y: share_axis(c, ctx, h.max_share, note_lines),
        }],
        footnote,
    };
    let panels = draw_frame(c, frame)?;
    draw_histograms(c, ctx, &panels[0], &h, &refs)?;
    Ok(true)
}

/// uplift.png: per run, each setup's opportunities and won deals divided by the
/// baseline's in the same run (paired on common random numbers).
fn uplift_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    if r.setups.len() < 2 {
        return Ok(false);
    }
    let baseline = &r.setups[0].name;
    let ratios = |i: usize, m: Metric| -> Vec<f64> {
        ctx.runs[i]
            .runs
            .iter()
            .zip(&ctx.runs[0].runs)
            .filter(|(_, b)| b.get(m) != 0.0)
            .map(|(a, b)| a.get(m) / b.get(m))
            .filter(|x| x.is_finite())
            .collect()
    };
    let mut panels = Vec::new();
    let mut data = Vec::new();
    let mut clamped = false;
    for (metric, name) in [
        (Metric::Opportunities, ctx.w.opportunities),
        (Metric::Won, ctx.w.won),
    ] {
        let dists: Vec<Distribution> = (1..r.setups.len())
            .map(|i| Distribution {
                setup: i,
                values: ratios(i, metric),
            })
            .collect();
        let h = histogram_data(&dists, false, 0.005, &[1.0]);
        clamped |= h.clamped;
        let mut notes = vec![NoteLine {
            mark: Some(Mark::Rule),
            text: ctx.w.no_change.to_string(),
        }];
        for (k, u) in r.uplift.iter().enumerate() {
            let row = &u.rows[metric.index()];
            let Some(median) = row.ratio.p50.map(|m| format!("{m:.2}")) else {
                continue;
            };
            notes.push(NoteLine {
                mark: Some(Mark::Hist(setup_style(k + 1).colour)),
                text: fill(
                    ctx.w.uplift_item,
                    &[("median", &median), ("p", &format::percent(row.p_better))],
                ),
            });
        }
        let x_title = fill(ctx.w.uplift_x, &[("baseline", baseline)]);
        panels.push(PanelSpec {
            heading: Some(name.to_string()),
            x: Axis::linear(x_title, h.bins.lo, h.bins.hi(), NumberStyle::Times),
            y: share_axis(c, ctx, h.max_share, notes.len()),
        });
        data.push((h, vec![Reference { x: 1.0, notes }]));
    }
    let runs = thousands(r.runs as f64, 0);
    let mut footnote =
        distribution_footnote(ctx, clamped, 0, fill(ctx.w.hist_note, &[("runs", &runs)]));
    footnote.insert(0, fill(ctx.w.uplift_note, &[("baseline", baseline)]));
    let legend = ctx
        .setup_legend(hist_mark, |_, _| String::new())
        .into_iter()
        .skip(1)
        .collect();
    let frame = Frame {
        title: ctx.title(&fill(ctx.w.uplift_title, &[("baseline", baseline)])),
        subtitle: ctx.subtitle(),
        legend,
        panels,
        footnote,
    };
    let drawn = draw_frame(c, frame)?;
    for (panel, (h, refs)) in drawn.iter().zip(&data) {
        draw_histograms(c, ctx, panel, h, refs)?;
    }
    Ok(true)
}

/// " · median 245" for legends.
fn median_suffix(ctx: &Ctx<'_>, s: &Summary, f: impl Fn(f64) -> String) -> String {
    s.p50.map_or(String::new(), |m| {
        format!("{}{} {}", ctx.w.sep, ctx.w.median, f(m))
    })
}
