//! The charts of a run or compare: funnel, by source, monthly, distributions, uplift.

use super::*;
use crate::scenario::metric::FUNNEL_STAGES;

/// funnel.png: the stages, median bars with p10–p90 whiskers, setups side by
/// side, each bar after the first labelled with its conversion from the stage
/// before; linear from zero unless `funnel_scale = "log"`.
pub(super) fn funnel_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let values: Vec<Vec<Option<Band>>> = FUNNEL_STAGES
        .iter()
        .map(|&m| r.setups.iter().map(|s| band(s.metric(m))).collect())
        .collect();
    let labels = funnel_labels(&values);
    let max = values
        .iter()
        .flatten()
        .flatten()
        .map(|v| v.2)
        .fold(0.0, f64::max);
    let months = ctx.months();
    // Room above the tallest whisker for two lines of labels.
    let label_room = text_room(c, 2, 20.0);
    let log = ctx.options.funnel_scale == FunnelScale::Log;
    let axis_y = if log {
        let min = values
            .iter()
            .flatten()
            .flatten()
            .map(|v| v.0)
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let (min, max) = if min.is_finite() && max > 0.0 {
            (min, max)
        } else {
            (1.0, 10.0)
        };
        let span = (max.log10() - (min * 0.8).log10()).max(1.0);
        Axis::log(
            fill(ctx.w.funnel_y_log, &[("months", &months)]),
            min * 0.8,
            10f64.powf(max.log10() + span * label_room / (1.0 - label_room)),
        )
    } else {
        Axis::from_zero(
            fill(ctx.w.funnel_y, &[("months", &months)]),
            max / (1.0 - label_room),
            NumberStyle::Plain,
        )
    };
    let stages = ctx.w.stages.iter().map(|s| s.to_string()).collect();
    let runs = thousands(r.runs as f64, 0);
    let mut note = fill(ctx.w.funnel_note, &[("runs", &runs)]);
    for extra in [ctx.w.funnel_rates_note]
        .into_iter()
        .chain(log.then_some(ctx.w.funnel_log_note))
    {
        note = format!("{note}{}{extra}", ctx.w.sentence_sep);
    }
    let frame = Frame {
        title: ctx.title(ctx.w.funnel_title),
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(bar_mark, |_, _| String::new()),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::categories(ctx.w.funnel_x.into(), stages),
            y: axis_y,
        }],
        footnote: vec![note],
    };
    let panels = draw_frame(c, frame)?;
    grouped_bars(c, &panels[0], &values, &labels)?;
    Ok(true)
}

/// Each funnel bar's median, and above it (from the second stage on) the
/// median as a share of the setup's median of the stage before.
fn funnel_labels(values: &[Vec<Option<Band>>]) -> Vec<Vec<BarLabel>> {
    let mut labels = median_labels(values, |v| thousands(v, 0));
    for k in 1..values.len() {
        for (i, label) in labels[k].iter_mut().enumerate() {
            let before = values[k - 1].get(i).copied().flatten();
            if let (Some((_, now, _)), Some((_, then, _))) = (values[k][i], before)
                && then > 0.0
                && !label.is_empty()
            {
                label.push((format!("{}%", thousands(100.0 * now / then, 1)), RATE_INK));
            }
        }
    }
    labels
}

/// by_source.png: opportunities by lead source, median bars with p10–p90 whiskers.
pub(super) fn by_source_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
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
    let labels = median_labels(&values, |v| thousands(v, 0));
    grouped_bars(c, &panels[0], &values, &labels)?;
    Ok(true)
}

/// monthly_won.png / monthly_opportunities.png: fan chart by month, p10–p90 band and median line per setup.
pub(super) fn monthly_chart(c: &Canvas<'_>, ctx: &Ctx<'_>, metric: Metric) -> Result<bool, Error> {
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
        .map(|(i, m)| month_tick(m, i == 0, ctx.options.language))
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

/// A histogram of one metric per run, a histogram per setup, reference lines
/// with each setup's chance noted: what won_distribution.png and ltv_cac.png share.
struct HistogramChart {
    metric: Metric,
    /// Whole-number values (one bin a value where they fit).
    integer: bool,
    /// The share of runs of each tail left out of the range (they land in the outermost bins).
    trim: f64,
    refs: Vec<Reference>,
    title: String,
    x_title: String,
    /// How a median reads in the legend.
    median: fn(f64) -> String,
    /// Footnote paragraphs after the common ones.
    more_notes: Vec<String>,
}

fn histogram_chart(c: &Canvas<'_>, ctx: &Ctx<'_>, chart: HistogramChart) -> Result<bool, Error> {
    let metric = chart.metric;
    let (dists, undefined) = ctx.distributions(metric);
    let xs: Vec<f64> = chart.refs.iter().map(|r| r.x).collect();
    let h = histogram_data(&dists, chart.integer, chart.trim, &xs);
    let note_lines = chart.refs.iter().map(|r| r.notes.len()).max().unwrap_or(0);
    let runs = thousands(ctx.r.runs as f64, 0);
    let mut footnote = distribution_footnote(
        ctx,
        h.clamped,
        undefined,
        fill(ctx.w.hist_note, &[("runs", &runs)]),
    );
    footnote.extend(chart.more_notes);
    let frame = Frame {
        title: chart.title,
        subtitle: ctx.subtitle(),
        legend: ctx.setup_legend(hist_mark, |_, s| {
            median_suffix(ctx, s.metric(metric), chart.median)
        }),
        panels: vec![PanelSpec {
            heading: None,
            x: Axis::linear(chart.x_title, h.bins.lo, h.bins.hi(), NumberStyle::Plain),
            y: share_axis(c, ctx, h.max_share, note_lines),
        }],
        footnote,
    };
    let panels = draw_frame(c, frame)?;
    draw_histograms(c, ctx, &panels[0], &h, &chart.refs)?;
    Ok(true)
}

/// A reference line's note: its label, then each setup's chance (where it has one).
fn reference(ctx: &Ctx<'_>, x: f64, label: &str, chances: &[Option<f64>]) -> Reference {
    let mut notes = vec![NoteLine {
        mark: Some(Mark::Rule),
        text: fill(
            ctx.w.note_heading,
            &[("label", label), ("chance", ctx.w.chance)],
        ),
    }];
    for (i, (s, p)) in ctx.r.setups.iter().zip(chances).enumerate() {
        if let Some(p) = *p {
            notes.push(NoteLine {
                mark: Some(Mark::Hist(setup_style(i).colour)),
                text: ctx.name_value(&s.name, &format::percent(p)),
            });
        }
    }
    Reference { x, notes }
}

/// won_distribution.png: won deals per run, a histogram per setup, targets marked with P(target).
pub(super) fn won_distribution_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let metric = Metric::Won;
    // Targets on won (one per distinct goal), with each setup's chance of meeting it.
    let mut targets = crate::report::kpis::target_rows(ctx.r);
    targets.retain(|t| t.goal.metric == metric);
    let refs = targets
        .iter()
        .map(|t| {
            let value = t.goal.value;
            let target = format!(
                "{} {}",
                t.goal.comparison.math_symbol(),
                thousands(value, decimals_for(value))
            );
            let label = fill(ctx.w.target, &[("target", &target)]);
            reference(ctx, value, &label, &t.p_met)
        })
        .collect();
    let months = ctx.months();
    let chart = HistogramChart {
        metric,
        integer: true,
        trim: 0.0,
        refs,
        title: ctx.title(&fill(ctx.w.won_title, &[("months", &months)])),
        x_title: fill(ctx.w.won_x, &[("months", &months)]),
        median: |v| thousands(v, 0),
        more_notes: Vec::new(),
    };
    histogram_chart(c, ctx, chart)
}

/// ltv_cac.png: LTV/CAC per run, a histogram per setup, the 3.0 bar (and any target) marked.
pub(super) fn ltv_cac_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
    let r = ctx.r;
    let metric = Metric::LtvToCac;
    let mut lines: Vec<(f64, String)> = vec![(3.0, ctx.w.ltv_bar.to_string())];
    for t in r.setups.iter().flat_map(|s| &s.targets) {
        let goal = &t.goal;
        if goal.metric == metric && !lines.iter().any(|(v, _)| *v == goal.value) {
            let target = format!("{} {}", goal.comparison.math_symbol(), goal.value);
            lines.push((goal.value, fill(ctx.w.target, &[("target", &target)])));
        }
    }
    let refs = lines
        .iter()
        .map(|(value, label)| {
            let chances: Vec<Option<f64>> = (0..r.setups.len())
                .map(|i| {
                    Some(share(ctx.runs[i].runs.iter().map(|x| x.get(metric)), |x| {
                        x >= *value
                    }))
                })
                .collect();
            reference(ctx, *value, label, &chances)
        })
        .collect();
    let medians: Vec<String> = r
        .setups
        .iter()
        .map(|s| {
            let median = |m: Metric| ctx.style.value(m, s.metric(m).p50.unwrap_or(f64::NAN));
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
    let list = medians.join(ctx.w.list_sep);
    let medians_note = fill(
        ctx.w.ltv_medians,
        &[("currency", &currency), ("list", &list)],
    );
    let chart = HistogramChart {
        metric,
        integer: false,
        trim: 0.005,
        refs,
        title: ctx.title(ctx.w.ltv_title),
        x_title: ctx.w.ltv_x.into(),
        median: |v| format!("{v:.2}"),
        more_notes: vec![format!(
            "{}{}{medians_note}",
            ctx.w.ltv_note, ctx.w.sentence_sep
        )],
    };
    histogram_chart(c, ctx, chart)
}

/// uplift.png: per run, each setup's opportunities and won deals divided by the
/// baseline's in the same run (paired on common random numbers).
pub(super) fn uplift_chart(c: &Canvas<'_>, ctx: &Ctx<'_>) -> Result<bool, Error> {
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
            // On a log axis: log2 of the ratio; a zero ratio is minus infinity and
            // lands in the lowest bar.
            .map(|(a, b)| (a.get(m) / b.get(m)).log2())
            .filter(|x| !x.is_nan() && *x != f64::INFINITY)
            .collect()
    };
    let mut panels = Vec::new();
    let mut data = Vec::new();
    let mut clamped: f64 = 0.0;
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
        let h = histogram_data(&dists, false, 0.01, &[0.0]);
        clamped = clamped.max(h.clamped);
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
            x: Axis::log_ratio(x_title, h.bins.lo, h.bins.hi()),
            y: share_axis(c, ctx, h.max_share, notes.len()),
        });
        data.push((h, vec![Reference { x: 0.0, notes }]));
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
pub(super) fn median_suffix(ctx: &Ctx<'_>, s: &Summary, f: impl Fn(f64) -> String) -> String {
    s.p50.map_or(String::new(), |m| {
        format!("{}{} {}", ctx.w.sep, ctx.w.median, f(m))
    })
}
