//! tornado.png and spider.png of a sensitivity study: which inputs move the
//! metric on the expected funnel, largest swing first.

use super::*;
use crate::analysis::sensitivity::{InputEffect, InputKind, Sensitivity, UpliftMeasure};

/// Bars a tornado shows at most; lines a spider shows at most.
const TORNADO_BARS: usize = 15;
const SPIDER_LINES: usize = 8;

/// Every text of the two charts, per language; `{name}` marks a value filled in.
struct StudyWords {
    subtitle: &'static str,
    tornado_title: &'static str,
    spider_title: &'static str,
    uplift_metric: &'static str,
    uplift_axis: &'static str,
    ratio: &'static str,
    difference: &'static str,
    low_legend: &'static str,
    high_legend: &'static str,
    base_legend: &'static str,
    low_plain: &'static str,
    high_plain: &'static str,
    input_axis: &'static str,
    /// "{name} (plain)": an input written as a plain number.
    plain_input: &'static str,
    level_axis: &'static str,
    plain_levels: &'static str,
    tornado_note: &'static str,
    spider_note: &'static str,
    shown_note: &'static str,
}

static ENGLISH_STUDY: StudyWords = StudyWords {
    subtitle: "Setup {setup} · expected funnel, one input moved at a time · {runs} Monte Carlo runs for the ranking, seed {seed}",
    tornado_title: "what moves {metric}",
    spider_title: "{metric} as each input moves",
    uplift_metric: "the {metric} {measure} of {setup} to {baseline}",
    uplift_axis: "{metric}: {measure} to the baseline",
    ratio: "ratio",
    difference: "difference",
    low_legend: "Input at its 10th percentile",
    high_legend: "Input at its 90th percentile",
    low_plain: "Input at its 10th percentile (plain numbers: {change})",
    high_plain: "Input at its 90th percentile (plain numbers: {change})",
    base_legend: "Every input at its mean: {value}",
    input_axis: "Input",
    plain_input: "{name} (plain)",
    level_axis: "Where the input is put: its percentile",
    plain_levels: "Where the input is put: its percentile (plain numbers: the change)",
    tornado_note: "Each bar: the metric on the expected funnel (no noise) with one input at its 10th or 90th percentile and every other uncertain input at its mean; the labels give the input's value there.",
    spider_note: "Each line: the metric on the expected funnel with one input at its 10th, 25th, 50th, 75th and 90th percentile, every other uncertain input at its mean.",
    shown_note: "The {shown} largest swings of {total} inputs; every input is in sensitivity.csv.",
};

static JAPANESE_STUDY: StudyWords = StudyWords {
    subtitle: "セットアップ {setup}・期待値ファネルで入力を一つずつ動かす・順位付けはモンテカルロ試行 {runs} 回（シード {seed}）",
    tornado_title: "{metric}を動かす入力",
    spider_title: "入力を動かしたときの{metric}",
    uplift_metric: "{baseline} に対する {setup} の{metric}の{measure}",
    uplift_axis: "{metric}（ベースラインとの{measure}）",
    ratio: "比",
    difference: "差",
    low_legend: "入力を10パーセンタイルに",
    high_legend: "入力を90パーセンタイルに",
    low_plain: "入力を10パーセンタイルに（確定値は {change}）",
    high_plain: "入力を90パーセンタイルに（確定値は {change}）",
    base_legend: "全入力を平均に：{value}",
    input_axis: "入力",
    plain_input: "{name}（固定値）",
    level_axis: "入力の位置：パーセンタイル",
    plain_levels: "入力の位置：パーセンタイル（確定値は変化率）",
    tornado_note: "各棒：一つの入力を10または90パーセンタイルに、他の不確実な入力を平均に置いたときの期待値ファネル（ばらつきなし）の値。ラベルはそのときの入力の値。",
    spider_note: "各線：一つの入力を10・25・50・75・90パーセンタイルに、他の不確実な入力を平均に置いたときの期待値ファネルの値。",
    shown_note: "入力 {total} 個のうち振れ幅の大きい {shown} 個。全入力は sensitivity.csv にあります。",
};

/// What both charts read.
struct StudyCtx<'a> {
    ctx: SweepCtx<'a>,
    w: &'static StudyWords,
    s: &'a Sensitivity,
}

impl StudyCtx<'_> {
    /// "won deals", or "the won deals ratio of MA to Baseline".
    fn metric(&self) -> String {
        let short = self.ctx.metric_short(self.s.metric);
        match (&self.s.baseline, self.s.uplift_measure) {
            (Some(base), Some(measure)) => fill(
                self.w.uplift_metric,
                &[
                    ("metric", &short),
                    ("measure", self.measure_word(measure)),
                    ("setup", &self.s.setup),
                    ("baseline", base),
                ],
            ),
            _ => short,
        }
    }

    fn axis_title(&self, c: &Canvas<'_>) -> String {
        if let Some(measure) = self.s.uplift_measure {
            let short = self.ctx.metric_short(self.s.metric);
            capitalised(&fill(
                self.w.uplift_axis,
                &[("metric", &short), ("measure", self.measure_word(measure))],
            ))
        } else {
            self.ctx.metric_axis_on(c, self.s.metric)
        }
    }

    fn measure_word(&self, measure: UpliftMeasure) -> &'static str {
        match measure {
            UpliftMeasure::Ratio => self.w.ratio,
            UpliftMeasure::Difference => self.w.difference,
        }
    }

    fn subtitle(&self) -> String {
        fill(
            self.w.subtitle,
            &[
                ("setup", &self.s.setup),
                ("runs", &self.ctx.runs),
                ("seed", &self.s.seed.to_string()),
            ],
        )
    }

    /// A metric value as plotted (rates in percent).
    fn shown(&self, x: f64) -> f64 {
        match self.s.uplift_measure {
            Some(UpliftMeasure::Ratio) => x,
            _ => shown(self.s.metric, x),
        }
    }

    fn style(&self) -> NumberStyle {
        match self.s.uplift_measure {
            Some(UpliftMeasure::Ratio) => NumberStyle::Times,
            _ => metric_style(self.s.metric, self.ctx.style),
        }
    }

    /// A metric value as a label writes it.
    fn label(&self, x: f64) -> String {
        format::study_value(self.s, x)
    }

    /// A legend of one end of the bars; with plain numbers, what they were moved by.
    fn end_legend(&self, uncertain: &str, plain: &str, sign: f64) -> String {
        match self.s.plain {
            None => uncertain.to_string(),
            Some(f) => fill(plain, &[("change", &signed_percent(sign * f))]),
        }
    }
}

/// tornado.png and spider.png.
pub fn sensitivity_charts(
    s: &Sensitivity,
    options: &ChartOptions,
    size: ChartSize,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let shown: Vec<&InputEffect> = s.inputs.iter().filter(|e| e.swing.is_some()).collect();
    if shown.is_empty() || s.base.is_none() {
        return Err(Error::Run(
            "cannot draw charts tornado.png and spider.png: the metric is undefined on the expected funnel"
                .into(),
        ));
    }
    let study = StudyCtx {
        ctx: SweepCtx::new(options, &s.currency, &s.names, &s.scenario, s.runs, s.seed),
        w: match options.language {
            Language::English => &ENGLISH_STUDY,
            Language::Japanese => &JAPANESE_STUDY,
        },
        s,
    };
    let font = || fonts::font_for(options.font.as_deref());
    let tornado_bars = &shown[..shown.len().min(TORNADO_BARS)];
    let tornado = render(size, font()?, |c| tornado(c, &study, tornado_bars));
    let lines = &shown[..shown.len().min(SPIDER_LINES)];
    let spider = render(size, font()?, |c| spider(c, &study, lines));
    Ok((
        finish("tornado.png", tornado)?,
        finish("spider.png", spider)?,
    ))
}

fn tornado(c: &Canvas<'_>, st: &StudyCtx<'_>, bars: &[&InputEffect]) -> Result<bool, Error> {
    let base = st.s.base.expect("checked by the caller");
    let values = bars
        .iter()
        .flat_map(|e| [e.metric_at_low, e.metric_at_high])
        .flatten()
        .chain([base])
        .map(|x| st.shown(x));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let pad = (hi - lo).max(hi.abs() * 1e-3).max(1e-9) * 0.18;
    let x = Axis::linear(st.axis_title(c), lo - pad, hi + pad, st.style());
    // Largest swing at the top: the last category is drawn highest.
    let labels: Vec<String> = bars.iter().rev().map(|e| input_label(st, e)).collect();
    let y = Axis::categories(st.w.input_axis.into(), labels);
    let title = st
        .ctx
        .title(&fill(st.w.tornado_title, &[("metric", &st.metric())]));
    let drawn = draw_frame(
        c,
        Frame {
            title: fit_title(c, vec![title]),
            subtitle: st.subtitle(),
            legend: vec![
                LegendItem {
                    label: st.end_legend(st.w.low_legend, st.w.low_plain, -1.0),
                    mark: Mark::Bar(PALETTE[0]),
                },
                LegendItem {
                    label: st.end_legend(st.w.high_legend, st.w.high_plain, 1.0),
                    mark: Mark::Bar(PALETTE[1]),
                },
                LegendItem {
                    label: fill(st.w.base_legend, &[("value", &st.label(base))]),
                    mark: Mark::Rule,
                },
            ],
            panels: vec![PanelSpec {
                heading: None,
                x,
                y,
            }],
            footnote: vec![sentences(
                &st.ctx,
                &[st.w.tornado_note.into(), shown_note(st, bars.len())],
            )],
        },
    )?;
    let panel = &drawn[0];
    let ns = c.size(Role::Note);
    let half = panel.slot_height() * 0.32;
    let base_x = panel.px(st.shown(base));
    for (row, e) in bars.iter().rev().enumerate() {
        let mid = panel.py(row as f64);
        let ends = [
            (e.metric_at_low, e.low, PALETTE[0]),
            (e.metric_at_high, e.high, PALETTE[1]),
        ];
        // The end with the smaller metric is labelled on the left, the other on the
        // right, so that the two labels never overlap (even for a swing of 0).
        let low_left = e.metric_at_low.unwrap_or(base) <= e.metric_at_high.unwrap_or(base);
        for (k, (metric, input, colour)) in ends.into_iter().enumerate() {
            let Some(m) = metric else { continue };
            let end = panel.px(st.shown(m));
            let bar = Rect {
                left: base_x.min(end),
                top: mid - half,
                right: base_x.max(end).max(base_x.min(end) + 1.0),
                bottom: mid + half,
            };
            c.rect(bar, rgba(colour, 1.0))?;
            let text = if ParameterNames::is_money(&e.input) {
                st.ctx.style.money(input)
            } else {
                number_text(input, false)
            };
            let (at, h) = if (k == 0) == low_left {
                ((end.min(base_x) - c.px(8.0), mid), Align::End)
            } else {
                ((end.max(base_x) + c.px(8.0), mid), Align::Start)
            };
            c.text(&text, at, ns, INK, h, Align::Middle)?;
        }
    }
    c.dashed(
        &[(base_x, panel.plot.top), (base_x, panel.plot.bottom)],
        REFERENCE,
        c.px(3.0),
        c.px(12.0),
        c.px(7.0),
    )?;
    Ok(true)
}

fn spider(c: &Canvas<'_>, st: &StudyCtx<'_>, lines: &[&InputEffect]) -> Result<bool, Error> {
    let base = st.s.base.expect("checked by the caller");
    let any_plain = lines.iter().any(|e| e.kind == InputKind::Plain);
    let f = st.s.plain.unwrap_or(0.2);
    let ticks: Vec<String> = crate::analysis::sensitivity::PERCENTILES
        .iter()
        .zip([-f, -f / 2.0, 0.0, f / 2.0, f])
        .map(|(p, change)| {
            let pct = format!("p{:.0}", 100.0 * p);
            if any_plain {
                format!("{pct}\n{}", signed_percent(change))
            } else {
                pct
            }
        })
        .collect();
    let x_title = if any_plain {
        st.w.plain_levels
    } else {
        st.w.level_axis
    };
    let x = Axis::categories(x_title.into(), ticks);
    let values = lines
        .iter()
        .flat_map(|e| e.spider.iter().filter_map(|p| p.metric))
        .chain([base])
        .map(|v| st.shown(v));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let pad = (hi - lo).max(hi.abs() * 1e-3).max(1e-9) * 0.08;
    let y = Axis::linear(st.axis_title(c), lo - pad, hi + pad, st.style());
    let title = st
        .ctx
        .title(&fill(st.w.spider_title, &[("metric", &st.metric())]));
    let mut legend: Vec<LegendItem> = lines
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let s = setup_style(i);
            LegendItem {
                label: input_label(st, e),
                mark: Mark::Line(s.colour, s.shape),
            }
        })
        .collect();
    legend.push(LegendItem {
        label: fill(st.w.base_legend, &[("value", &st.label(base))]),
        mark: Mark::Rule,
    });
    let drawn = draw_frame(
        c,
        Frame {
            title: fit_title(c, vec![title]),
            subtitle: st.subtitle(),
            legend,
            panels: vec![PanelSpec {
                heading: None,
                x,
                y,
            }],
            footnote: vec![sentences(
                &st.ctx,
                &[st.w.spider_note.into(), shown_note(st, lines.len())],
            )],
        },
    )?;
    let panel = &drawn[0];
    horizontal_rule(c, panel, st.shown(base))?;
    for (i, e) in lines.iter().enumerate() {
        let s = setup_style(i);
        let pts: Vec<(f64, f64)> = e
            .spider
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.metric.map(|m| panel.at(k as f64, st.shown(m))))
            .collect();
        c.line(&pts, rgba(s.colour, 1.0), c.px(4.0))?;
        for pt in &pts {
            c.marker(s.shape, *pt, c.px(7.0), s.colour)?;
        }
    }
    Ok(true)
}

/// An input as the charts name it: its human name, "(plain)" after a plain number.
fn input_label(st: &StudyCtx<'_>, e: &InputEffect) -> String {
    let name = st.ctx.param(&e.input);
    match e.kind {
        InputKind::Uncertain => name,
        InputKind::Plain => fill(st.w.plain_input, &[("name", &name)]),
    }
}

fn shown_note(st: &StudyCtx<'_>, shown: usize) -> String {
    let total = st.s.inputs.iter().filter(|e| e.swing.is_some()).count();
    if shown >= total {
        return String::new();
    }
    fill(
        st.w.shown_note,
        &[("shown", &shown.to_string()), ("total", &total.to_string())],
    )
}

/// "−20%", "+10%", "0%".
fn signed_percent(f: f64) -> String {
    let sign = match f {
        f if f < 0.0 => "−",
        f if f > 0.0 => "+",
        _ => "",
    };
    format!("{sign}{:.0}%", 100.0 * f.abs())
}
