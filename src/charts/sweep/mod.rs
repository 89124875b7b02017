//! sweep.png and target.png (cli.md "Outputs"): a metric against one or two
//! swept parameters, and the chance of a goal against the parameter solved
//! for; tornado.png and spider.png of a sensitivity study.
//!
//! Both go through the same `draw_frame` as every other chart, with the same
//! palette (the scenario's series in the first setup colour, what is singled
//! out in vermillion), number formats and fonts.

mod heatmap;
mod line;
mod sensitivity;
mod target;

use heatmap::heatmap;
use line::one_parameter;
pub use sensitivity::sensitivity_charts;
use target::target_plot;

use super::*;
use crate::analysis::sweep::{Answer, AxisValue, Sweep, Target};
use crate::scenario::metric::{Goal, Unit};
use crate::scenario::names::ParameterNames;

/// One swept parameter as `crate::analysis::sweep` describes it.
type Param = crate::analysis::sweep::Axis;

/// sweep.png. One parameter: the p10–p90 band and the median line of the
/// metric against it (bars with whiskers for a list of choices), with the goal
/// as a line when it is on the swept metric, and, when a goal is given, the
/// chance of meeting it in a second panel. Two parameters: a heatmap of the
/// median, or of the chance of the goal when one is given, with the values
/// written in the cells. The best point is ringed (outlined in a heatmap).
pub fn sweep_chart(
    sweep: &Sweep,
    options: &ChartOptions,
    size: ChartSize,
) -> Result<Vec<u8>, Error> {
    check_sweep(sweep)?;
    let font = fonts::font_for(options.font.as_deref())?;
    let ctx = SweepCtx::new(
        options,
        &sweep.currency,
        &sweep.names,
        &sweep.scenario,
        sweep.runs,
        sweep.seed,
    );
    let drawn = render(size, font, |c| match sweep.axes.len() {
        1 => one_parameter(c, &ctx, sweep),
        _ => heatmap(c, &ctx, sweep),
    });
    finish("sweep.png", drawn)
}

/// target.png: the chance of the goal at every value the search tried, the
/// confidence asked for as a horizontal line, and the answer: its value marked
/// with the values that meet the goal shaded; for a chance that rises and
/// falls, the values that meet it shaded and the best point ringed; for a goal
/// no value reaches, the best point ringed. The panel heading says which.
pub fn target_chart(
    target: &Target,
    options: &ChartOptions,
    size: ChartSize,
) -> Result<Vec<u8>, Error> {
    if target.curve.is_empty() {
        return Err(Error::Run(
            "cannot draw chart target.png: the search tried no value".into(),
        ));
    }
    let font = fonts::font_for(options.font.as_deref())?;
    let ctx = SweepCtx::new(
        options,
        &target.currency,
        &target.names,
        &target.scenario,
        target.runs,
        target.seed,
    );
    let drawn = render(size, font, |c| target_plot(c, &ctx, target));
    finish("target.png", drawn)
}

fn finish(name: &str, drawn: Result<Option<Vec<u8>>, Error>) -> Result<Vec<u8>, Error> {
    match drawn {
        Ok(Some(png)) => Ok(png),
        Ok(None) => Err(Error::Run(format!(
            "cannot draw chart {name}: nothing to draw"
        ))),
        Err(Error::Run(msg)) => Err(Error::Run(format!("cannot draw chart {name}: {msg}"))),
        Err(other) => Err(other),
    }
}

/// A sweep the charts can draw: one or two axes, each point's values on them.
fn check_sweep(sweep: &Sweep) -> Result<(), Error> {
    let bad = |why: String| Err(Error::Run(format!("cannot draw chart sweep.png: {why}")));
    if !(1..=2).contains(&sweep.axes.len()) {
        return bad(format!(
            "a sweep chart shows one or two parameters, not {}",
            sweep.axes.len()
        ));
    }
    if sweep.points.is_empty() || sweep.axes.iter().any(|a| a.values.is_empty()) {
        return bad("the sweep has no points".into());
    }
    for p in &sweep.points {
        let on_axes = p.values.len() == sweep.axes.len()
            && p.values
                .iter()
                .zip(&sweep.axes)
                .all(|(v, a)| a.values.contains(v));
        if !on_axes {
            return bad("a point lies off the swept values".into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// Every text of these two charts, per language; `{name}` marks a value filled in.
struct SweepWords {
    subtitle: &'static str,
    one_title: &'static str,
    median_grid_title: &'static str,
    chance_grid_title: &'static str,
    target_title: &'static str,
    scaled_axis: &'static str,
    /// "{metric} {op} {value}" as the goal reads on charts.
    goal: &'static str,
    goal_legend: &'static str,
    band_legend: &'static str,
    bars_legend: &'static str,
    best_legend: &'static str,
    best_chance: &'static str,
    best_median: &'static str,
    chance_y: &'static str,
    metric_heading: &'static str,
    chance_heading: &'static str,
    band_note: &'static str,
    bars_note: &'static str,
    chance_note: &'static str,
    crn_note: &'static str,
    scaled_note: &'static str,
    heat_chance_legend: &'static str,
    heat_median_legend: &'static str,
    heat_chance_note: &'static str,
    heat_median_note: &'static str,
    heat_median_line: &'static str,
    heat_small_note: &'static str,
    undefined_cell: &'static str,
    confidence_legend: &'static str,
    curve_legend: &'static str,
    meets_legend: &'static str,
    answer_legend: &'static str,
    found_least: &'static str,
    found_most: &'static str,
    non_monotone: &'static str,
    unreachable: &'static str,
    target_note: &'static str,
    non_monotone_note: &'static str,
    unreachable_note: &'static str,
    name_value: &'static str,
    point_label: &'static str,
    /// A range of values: "60–70".
    interval: &'static str,
    list_sep: &'static str,
    sentence_sep: &'static str,
}

static ENGLISH_SWEEP: SweepWords = SweepWords {
    subtitle: "{runs} Monte Carlo runs per point · seed {seed} · the same random numbers at every point",
    one_title: "{metric} by {param}",
    median_grid_title: "median {metric} by {x} and {y}",
    chance_grid_title: "chance of {goal} by {x} and {y}",
    target_title: "chance of {goal} against {param}",
    scaled_axis: "{path} (× factor)",
    goal: "{metric} {op} {value}",
    goal_legend: "Goal: {goal}",
    band_legend: "Median, with the 10th–90th percentile band",
    bars_legend: "Median, whiskers 10th–90th percentile",
    best_legend: "Best: {point}",
    best_chance: "{point} ({p})",
    best_median: "{point} (median {value})",
    chance_y: "Chance of meeting the goal (%)",
    metric_heading: "{metric}: median and 10th–90th percentile",
    chance_heading: "Chance of {goal}",
    band_note: "Line: median of {runs} runs at each value; band: 10th to 90th percentile (8 runs in 10 fall inside).",
    bars_note: "Bars and labels: median of {runs} runs at each value; whiskers: 10th to 90th percentile.",
    chance_note: "Right: the share of runs that meet the goal.",
    crn_note: "Every point is simulated on the same random numbers, so differences between points come from the parameter, not from noise.",
    scaled_note: "{path} is a distribution: each value scales it as a whole (×1 = as in the scenario).",
    heat_chance_legend: "Chance of {goal}: 0% (light) to 100% (dark)",
    heat_median_legend: "Median {metric}: {lo} (light) to {hi} (dark)",
    heat_chance_note: "Each cell: the share of {runs} runs that meet {goal}, with the median {metric} below it where it fits.",
    heat_median_note: "Each cell: the median {metric} of {runs} runs.",
    heat_median_line: "median {value}",
    heat_small_note: "The cells are too small to write their values in: see sweep.csv.",
    undefined_cell: "n/a",
    confidence_legend: "Confidence asked for: {p}",
    curve_legend: "Chance of the goal at each value tried",
    meets_legend: "Meets the goal with {p} confidence",
    answer_legend: "Answer",
    found_least: "Answer: {param} = {value}, the least value that meets the goal ({p})",
    found_most: "Answer: {param} = {value}, the most value that meets the goal ({p})",
    non_monotone: "No single answer, the chance rises and falls: the goal is met at {intervals}; best {value} ({p})",
    unreachable: "Not reachable in {range}: the best, {param} = {value}, reaches {p}, below {confidence}",
    target_note: "Each point: the share of {runs} runs that meet {goal} at that value, on the same random numbers; the search tries a grid over the range, then halves the interval around the answer.",
    non_monotone_note: "The chance of the goal falls again past its peak, so no threshold answers the question: the shaded values meet the goal.",
    unreachable_note: "No value tried in the range meets the goal with {confidence} confidence: widen the range, or ease the goal.",
    name_value: "{name} = {value}",
    point_label: "{value} → {p}",
    interval: "{a}–{b}",
    list_sep: ", ",
    sentence_sep: " ",
};

static JAPANESE_SWEEP: SweepWords = SweepWords {
    subtitle: "各点でモンテカルロ試行 {runs} 回・シード {seed}・全点で共通の乱数",
    one_title: "{param}別の{metric}",
    median_grid_title: "{x}と{y}別の{metric}の中央値",
    chance_grid_title: "{x}と{y}別の「{goal}」の達成確率",
    target_title: "{param}に対する「{goal}」の達成確率",
    scaled_axis: "{path}（倍率）",
    goal: "{metric} {op} {value}",
    goal_legend: "目標：{goal}",
    band_legend: "中央値と10〜90パーセンタイルの帯",
    bars_legend: "中央値（ひげ：10〜90パーセンタイル）",
    best_legend: "最良：{point}",
    best_chance: "{point}（{p}）",
    best_median: "{point}（中央値 {value}）",
    chance_y: "目標の達成確率（%）",
    metric_heading: "{metric}：中央値と10〜90パーセンタイル",
    chance_heading: "「{goal}」の達成確率",
    band_note: "線：各値で {runs} 回の試行の中央値、帯：10〜90パーセンタイル（10回中8回がこの範囲）。",
    bars_note: "棒と数値：各値で {runs} 回の試行の中央値、ひげ：10〜90パーセンタイル。",
    chance_note: "右：目標を達成した試行の割合。",
    crn_note: "すべての点で同じ乱数を使うため、点の間の差は偶然ではなくパラメータによるものです。",
    scaled_note: "{path} は分布です：各値はこの分布全体を何倍にするかを表します（×1 がシナリオのまま）。",
    heat_chance_legend: "「{goal}」の達成確率：0%（薄い）〜100%（濃い）",
    heat_median_legend: "{metric}の中央値：{lo}（薄い）〜{hi}（濃い）",
    heat_chance_note: "各マス：{runs} 回の試行のうち「{goal}」を達成した割合。入る場合はその下に{metric}の中央値。",
    heat_median_note: "各マス：{runs} 回の試行の{metric}の中央値。",
    heat_median_line: "中央値 {value}",
    heat_small_note: "マスが小さく値を書き込めません。sweep.csv を参照してください。",
    undefined_cell: "なし",
    confidence_legend: "求める確度：{p}",
    curve_legend: "試した各値での目標の達成確率",
    meets_legend: "確度 {p} で目標を達成する範囲",
    answer_legend: "答え",
    found_least: "答え：{param} = {value}（目標を達成する最小の値、{p}）",
    found_most: "答え：{param} = {value}（目標を達成する最大の値、{p}）",
    non_monotone: "答えは一つに定まりません（達成確率が上がって下がる）：達成は {intervals}、最良 {value}（{p}）",
    unreachable: "{range} の範囲では届きません：最良の {param} = {value} でも {p}（求める確度 {confidence} 未満）",
    target_note: "各点：その値で {runs} 回の試行のうち「{goal}」を達成した割合（全点で共通の乱数）。探索は範囲を格子で試してから、答えの前後を二分して絞り込みます。",
    non_monotone_note: "達成確率が山を越えると再び下がるため、しきい値一つでは答えられません。網掛けの値が目標を達成します。",
    unreachable_note: "範囲内で試したどの値でも、確度 {confidence} で目標を達成できません。範囲を広げるか目標を見直してください。",
    name_value: "{name} = {value}",
    point_label: "{value} → {p}",
    interval: "{a}〜{b}",
    list_sep: "、",
    sentence_sep: "",
};

/// What both charts read.
struct SweepCtx<'a> {
    w: &'static SweepWords,
    lang: Language,
    /// How money reads (万 / 億 for Japanese yen charts).
    style: format::Style,
    /// What the parameters are called.
    names: &'a ParameterNames,
    /// The currency of money axes ("JPY").
    currency: String,
    scenario: &'a str,
    runs: String,
    seed: u64,
}

impl<'a> SweepCtx<'a> {
    fn new(
        options: &ChartOptions,
        currency: &str,
        names: &'a ParameterNames,
        scenario: &'a str,
        runs: u64,
        seed: u64,
    ) -> Self {
        let lang = options.language;
        SweepCtx {
            names,
            currency: currency.to_string(),
            style: format::Style::of(options, currency),
            w: match lang {
                Language::English => &ENGLISH_SWEEP,
                Language::Japanese => &JAPANESE_SWEEP,
            },
            lang,
            scenario,
            runs: thousands(runs as f64, 0),
            seed,
        }
    }

    /// "Scenario: chart title".
    fn title(&self, what: &str) -> String {
        match self.lang {
            Language::English => format!("{}: {what}", self.scenario),
            Language::Japanese => format!("{}：{what}", self.scenario),
        }
    }

    fn subtitle(&self) -> String {
        fill(
            self.w.subtitle,
            &[("runs", &self.runs), ("seed", &self.seed.to_string())],
        )
    }

    /// A metric as a title names it: "won deals", "受注数".
    fn metric_short(&self, m: Metric) -> String {
        let (en, ja) = metric_names(m).0;
        match self.lang {
            Language::English => sentence_case(en),
            Language::Japanese => ja.to_string(),
        }
    }

    /// A metric as an axis names it, with its unit: "Won deals over the horizon (count)".
    fn metric_axis(&self, m: Metric) -> String {
        let (en, ja) = metric_names(m).1;
        match self.lang {
            Language::English => format!("{en} ({})", self.unit(m.unit())),
            Language::Japanese => format!("{ja}（{}）", self.unit(m.unit())),
        }
    }

    /// As [`SweepCtx::metric_axis`], with the short name when the long one
    /// would not fit up the side of a chart drawn on `c`.
    fn metric_axis_on(&self, c: &Canvas<'_>, m: Metric) -> String {
        let long = self.metric_axis(m);
        if c.text_width(&long, c.size(Role::AxisTitle)) <= c.height * 0.48 {
            return long;
        }
        let short = capitalised(&self.metric_short(m));
        match self.lang {
            Language::English => format!("{short} ({})", self.unit(m.unit())),
            Language::Japanese => format!("{short}（{}）", self.unit(m.unit())),
        }
    }

    /// "won deals ≥ 300".
    fn goal(&self, g: &Goal) -> String {
        fill(
            self.w.goal,
            &[
                ("metric", &self.metric_short(g.metric)),
                ("op", g.comparison.math_symbol()),
                ("value", &self.style.value(g.metric, g.value)),
            ],
        )
    }

    /// What a chart calls the parameter at `path` ("Inside-sales reps").
    fn param(&self, path: &str) -> String {
        self.names.name(path, self.lang)
    }

    /// The parameter's name inside a sentence ("CAC by inside-sales reps").
    fn param_in_text(&self, path: &str) -> String {
        match self.lang {
            Language::English => sentence_case(&self.param(path)),
            Language::Japanese => self.param(path),
        }
    }

    /// A unit as an axis title gives it: the currency for money, when named.
    fn unit(&self, u: Unit) -> String {
        match (u, self.currency.is_empty()) {
            (Unit::Money, false) if self.lang == Language::Japanese && self.style.yen => {
                "円".into()
            }
            (Unit::Money, false) => self.currency.clone(),
            _ => match self.lang {
                Language::English => unit_en(u).into(),
                Language::Japanese => unit_ja(u).into(),
            },
        }
    }

    /// A parameter's axis title: its name, with "× factor" for a scaled distribution.
    fn param_title(&self, path: &str, scaled: bool) -> String {
        let name = self.param(path);
        if scaled {
            fill(self.w.scaled_axis, &[("path", &name)])
        } else {
            name
        }
    }
}

/// ((short English, short Japanese), (axis English, axis Japanese)) of a metric.
fn metric_names(m: Metric) -> ((&'static str, &'static str), (&'static str, &'static str)) {
    match m {
        Metric::Leads => (
            ("leads", "リード数"),
            ("Leads over the horizon", "期間中のリード数"),
        ),
        Metric::Mqls => (
            ("MQLs", "MQL数"),
            ("MQLs over the horizon", "期間中のMQL数"),
        ),
        Metric::MqlRate => (("MQL rate", "MQL化率"), ("MQL rate", "MQL化率")),
        Metric::MqlToSql => (
            ("MQL → SQL rate", "MQL→SQL率"),
            ("MQL → SQL rate", "MQL→SQL率"),
        ),
        Metric::Sqls => (
            ("SQLs", "SQL数"),
            ("SQLs over the horizon", "期間中のSQL数"),
        ),
        Metric::ResponseDaysMedian => (
            ("median response days", "初回対応日数の中央値"),
            (
                "Median days to first response",
                "初回対応までの日数の中央値",
            ),
        ),
        Metric::LostToSla => (
            ("MQLs lost to the SLA", "SLA切れのMQL数"),
            ("MQLs lost to the SLA", "SLA切れのMQL数"),
        ),
        Metric::SqlToOpportunity => (
            ("SQL → opportunity rate", "SQL→商談化率"),
            ("SQL → opportunity rate", "SQL→商談化率"),
        ),
        Metric::Opportunities => (
            ("opportunities", "商談数"),
            ("Opportunities over the horizon", "期間中の商談数"),
        ),
        Metric::WinRate => (("win rate", "受注率"), ("Win rate", "受注率")),
        Metric::Won => (
            ("won deals", "受注数"),
            ("Won deals over the horizon", "期間中の受注数"),
        ),
        Metric::OpenPipeline => (
            ("open pipeline", "進行中の商談数"),
            ("Open opportunities at the end", "期末の進行中商談数"),
        ),
        Metric::NewMrr => (("new MRR", "新規MRR"), ("New MRR", "新規MRR")),
        Metric::LeadToOpportunity => (
            ("lead → opportunity rate", "リード→商談化率"),
            ("Lead → opportunity rate", "リード→商談化率"),
        ),
        Metric::Revenue => (
            ("revenue", "売上"),
            ("Revenue over the horizon", "期間中の売上"),
        ),
        Metric::Cost => (
            ("cost", "費用"),
            ("Sales and marketing cost", "営業・マーケティング費用"),
        ),
        Metric::Cac => (("CAC", "CAC"), ("CAC", "CAC")),
        Metric::Ltv => (("LTV", "LTV"), ("LTV", "LTV")),
        Metric::LtvToCac => (("LTV/CAC", "LTV/CAC"), ("LTV ÷ CAC", "LTV ÷ CAC")),
        Metric::PaybackMonths => (
            ("CAC payback", "CAC回収期間"),
            ("CAC payback", "CAC回収期間"),
        ),
    }
}

fn unit_en(u: Unit) -> &'static str {
    match u {
        Unit::Count => "count",
        Unit::Rate => "%",
        Unit::Days => "days",
        Unit::Money => "currency units",
        Unit::Ratio => "×",
        Unit::Months => "months",
    }
}

fn unit_ja(u: Unit) -> &'static str {
    match u {
        Unit::Count => "件",
        Unit::Rate => "%",
        Unit::Days => "日",
        Unit::Money => "通貨単位",
        Unit::Ratio => "倍",
        Unit::Months => "か月",
    }
}

/// "won deals" -> "Won deals".
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |a| a.to_uppercase().chain(chars).collect())
}

/// The first title that fits across the chart without shrinking much; else the last.
fn fit_title(c: &Canvas<'_>, candidates: Vec<String>) -> String {
    let room = (c.width - 2.0 * c.px(32.0)) / 0.85;
    let size = c.size(Role::Title);
    let n = candidates.len();
    candidates
        .into_iter()
        .enumerate()
        .find(|(i, t)| *i + 1 == n || c.text_width(t, size) <= room)
        .map(|(_, t)| t)
        .unwrap_or_default()
}

/// A path shortened for a title: "marketing.mql_threshold" -> "mql_threshold",
/// "source.web_ads.leads_per_month" -> "web_ads.leads_per_month".
fn short_path(path: &str) -> &str {
    path.split_once('.').map_or(path, |(_, rest)| rest)
}

/// "Won deals" -> "won deals", but "MQLs" and "CAC" stay.
fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// A chance as a chart writes it: "83%", but "<1%" and ">99%" rather than
/// rounding a rare success or failure away.
fn chance_text(p: f64) -> String {
    if p > 0.0 && p < 0.005 {
        "<1%".into()
    } else if (0.995..1.0).contains(&p) {
        ">99%".into()
    } else {
        format::percent(p)
    }
}

/// How a metric's values are drawn: rates in percent.
fn shown(m: Metric, x: f64) -> f64 {
    if m.unit() == Unit::Rate { 100.0 * x } else { x }
}

fn metric_style(m: Metric, style: format::Style) -> NumberStyle {
    match m.unit() {
        Unit::Rate => NumberStyle::Percent,
        Unit::Money => NumberStyle::Money(style),
        _ => NumberStyle::Plain,
    }
}

/// A parameter value as a chart writes it: thousands separators, at most three
/// significant decimals, "×1.5" for a scale factor.
fn number_text(x: f64, scaled: bool) -> String {
    let magnitude = if x != 0.0 {
        x.abs().log10().floor()
    } else {
        0.0
    };
    let decimals = ((2.0 - magnitude).clamp(0.0, 6.0) as usize).min(decimals_for(x));
    let text = thousands(x, decimals);
    if scaled { format!("×{text}") } else { text }
}

fn value_text(v: &AxisValue, scaled: bool) -> String {
    match v {
        AxisValue::Number(x) => number_text(*x, scaled),
        AxisValue::Choice(s) => s.clone(),
    }
}

/// "inside_sales.reps = 3".
fn point_text(ctx: &SweepCtx<'_>, axes: &[Param], values: &[AxisValue]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| {
            fill(
                ctx.w.name_value,
                &[
                    ("name", &ctx.param(&a.path)),
                    ("value", &value_text(v, a.scaled)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(ctx.w.list_sep)
}

/// The legend entry of a sweep's best point, shown by `mark`.
fn best_legend(ctx: &SweepCtx<'_>, sweep: &Sweep, mark: Mark) -> Option<LegendItem> {
    let best = sweep.points.get(sweep.best)?;
    let point = point_text(ctx, &sweep.axes, &best.values);
    let label = match (best.p_goal, best.summary.p50) {
        (Some(p), _) => fill(
            ctx.w.best_chance,
            &[("point", &point), ("p", &chance_text(p))],
        ),
        (None, Some(m)) => fill(
            ctx.w.best_median,
            &[
                ("point", &point),
                ("value", &ctx.style.value(sweep.metric, m)),
            ],
        ),
        (None, None) => return None,
    };
    Some(LegendItem {
        label: fill(ctx.w.best_legend, &[("point", &label)]),
        mark,
    })
}

/// Footnote sentences joined in the chart's language.
fn sentences(ctx: &SweepCtx<'_>, parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(ctx.w.sentence_sep)
}

/// A numeric axis for parameter values, ticked at the values themselves when there are few.
fn param_axis(title: String, xs: &[f64], scaled: bool) -> Axis {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        (lo.abs() * 0.1).max(0.5)
    };
    let style = if scaled {
        NumberStyle::Times
    } else {
        NumberStyle::Plain
    };
    let mut axis = Axis::linear(title, lo - pad, hi + pad, style);
    if xs.len() <= 15 {
        axis.ticks = xs.iter().map(|&x| (x, number_text(x, scaled))).collect();
    } else if scaled {
        for (v, label) in &mut axis.ticks {
            *label = number_text(*v, true);
        }
    }
    axis
}

/// A y axis for a metric: from zero for values that cannot be negative.
fn metric_axis(title: String, lo: f64, hi: f64, style: NumberStyle) -> Axis {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if lo >= 0.0 {
        Axis::from_zero(title, hi * 1.06, style)
    } else {
        let pad = (hi - lo).max(1e-9) * 0.06;
        Axis::linear(title, lo - pad, hi + pad, style)
    }
}

/// A 0–100 % axis with headroom above 100 % for labels over the points.
fn chance_axis(title: String, headroom: f64) -> Axis {
    let mut axis = Axis::linear(title, 0.0, 100.0, NumberStyle::Percent);
    axis.ticks = (0..=5)
        .map(|k| (k as f64 * 20.0, format!("{}%", k * 20)))
        .collect();
    axis.hi = 100.0 + headroom;
    axis
}

/// A dashed horizontal reference line across a panel.
fn horizontal_rule(c: &Canvas<'_>, panel: &Panel, y: f64) -> Result<(), Error> {
    let py = panel.py(y);
    c.dashed(
        &[(panel.plot.left, py), (panel.plot.right, py)],
        REFERENCE,
        c.px(3.0),
        c.px(12.0),
        c.px(7.0),
    )
}

/// Text in a white box, its ink's `h`/`v` side at `at`, kept inside the panel.
fn boxed_label(
    c: &Canvas<'_>,
    panel: &Panel,
    text: &str,
    at: (f64, f64),
    h: Align,
    v: Align,
) -> Result<(), Error> {
    let ns = c.size(Role::Note);
    let (w, ht, pad) = (c.text_width(text, ns), c.font.height(ns), c.px(6.0));
    let mut left = match h {
        Align::Start => at.0,
        Align::Middle => at.0 - w / 2.0,
        Align::End => at.0 - w,
    };
    let mut top = match v {
        Align::Start => at.1,
        Align::Middle => at.1 - ht / 2.0,
        Align::End => at.1 - ht,
    };
    left = left
        .min(panel.plot.right - w - pad)
        .max(panel.plot.left + pad);
    top = top
        .min(panel.plot.bottom - ht - pad)
        .max(panel.plot.top + pad);
    c.rect(
        Rect {
            left: left - pad,
            top: top - pad,
            right: left + w + pad,
            bottom: top + ht + pad,
        },
        RGBAColor(255, 255, 255, 0.9),
    )?;
    c.text(text, (left, top), ns, INK, Align::Start, Align::Start)
}

/// A boxed label beside the point `at`, at the first of several places
/// around it (nearest first) where its box crosses none of the `avoid`
/// polylines (pixels) and stays inside the plot; below and to the right when
/// no place is clear.
fn clear_label(
    c: &Canvas<'_>,
    panel: &Panel,
    text: &str,
    at: (f64, f64),
    off: f64,
    avoid: &[Vec<(f64, f64)>],
) -> Result<(), Error> {
    let ns = c.size(Role::Note);
    let (w, h, pad) = (c.text_width(text, ns), c.font.height(ns), c.px(6.0));
    // (x side, y side): 1 right of / below the point, -1 left of / above it, 0 centred on it.
    let sides = [
        (1.0, 1.0),
        (-1.0, 1.0),
        (1.0, -1.0),
        (-1.0, -1.0),
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, 1.0),
        (0.0, -1.0),
    ];
    let boxed = |(sx, sy): (f64, f64), d: f64| {
        let left = match sx {
            s if s > 0.0 => at.0 + d,
            s if s < 0.0 => at.0 - d - w,
            _ => at.0 - w / 2.0,
        };
        let top = match sy {
            s if s > 0.0 => at.1 + d,
            s if s < 0.0 => at.1 - d - h,
            _ => at.1 - h / 2.0,
        };
        Rect {
            left: left - pad,
            top: top - pad,
            right: left + w + pad,
            bottom: top + h + pad,
        }
    };
    let inside = |r: &Rect| {
        r.left >= panel.plot.left
            && r.right <= panel.plot.right
            && r.top >= panel.plot.top
            && r.bottom <= panel.plot.bottom
    };
    let crosses = |r: &Rect| {
        avoid.iter().any(|line| {
            line.windows(2).any(|s| {
                let ((x0, y0), (x1, y1)) = (s[0], s[1]);
                let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / 2.0).ceil().max(1.0) as usize;
                (0..=steps).any(|k| {
                    let f = k as f64 / steps as f64;
                    let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
                    x >= r.left && x <= r.right && y >= r.top && y <= r.bottom
                })
            })
        })
    };
    let places: Vec<Rect> = [off, off * 2.5, off * 5.0]
        .into_iter()
        .flat_map(|d| sides.into_iter().map(move |s| (s, d)))
        .map(|(s, d)| boxed(s, d))
        .collect();
    let r = places
        .iter()
        .find(|r| inside(r) && !crosses(r))
        .or_else(|| places.iter().find(|r| inside(r)))
        .copied()
        .unwrap_or_else(|| boxed((1.0, 1.0), off));
    boxed_label(
        c,
        panel,
        text,
        (r.left + pad, r.top + pad),
        Align::Start,
        Align::Start,
    )
}

/// Percent labels over points, when every label fits between its neighbours; else none.
fn chance_labels(c: &Canvas<'_>, panel: &Panel, pts: &[(f64, f64)]) -> Result<(), Error> {
    let ns = c.size(Role::Note);
    let labels: Vec<(f64, f64, String)> = pts
        .iter()
        .map(|&(x, p)| (panel.px(x), panel.py(100.0 * p), chance_text(p)))
        .collect();
    let fits = labels.windows(2).all(|w| {
        let need = (c.text_width(&w[0].2, ns) + c.text_width(&w[1].2, ns)) / 2.0 + c.px(8.0);
        w[1].0 - w[0].0 >= need
    });
    if !fits {
        return Ok(());
    }
    for (x, y, t) in labels {
        c.text(&t, (x, y - c.px(16.0)), ns, INK, Align::Middle, Align::End)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// sweep.png, one parameter
// ---------------------------------------------------------------------------
