//! sweep.png of one parameter: the p10–p90 band and median, P(goal) beside it.

use super::*;

/// What the chart of one parameter shows, computed once.
struct Line<'s> {
    sweep: &'s Sweep,
    param: &'s Param,
    metric: Metric,
    /// Numbers on a value axis (a band); otherwise choices (bars).
    numeric: bool,
    /// Each point's place on the x axis: its value, or its slot for choices.
    xs: Vec<f64>,
    /// Each point's (p10, p50, p90) of the metric, as shown.
    bands: Vec<Option<Band>>,
    /// (x, P(goal)) of the points with a chance.
    chances: Vec<(f64, f64)>,
    goal: Option<Goal>,
    /// Where the goal's line is drawn, when the goal is on the swept metric.
    goal_y: Option<f64>,
}

impl<'s> Line<'s> {
    fn of(sweep: &'s Sweep) -> Line<'s> {
        let param = &sweep.axes[0];
        let metric = sweep.metric;
        let numeric = param.values.iter().all(|v| v.number().is_some());
        let xs: Vec<f64> = sweep
            .points
            .iter()
            .map(|p| {
                let v = &p.values[0];
                match (numeric, v.number()) {
                    (true, Some(x)) => x,
                    _ => param.values.iter().position(|a| a == v).unwrap_or(0) as f64,
                }
            })
            .collect();
        let bands = sweep
            .points
            .iter()
            .map(|p| {
                band(&p.summary)
                    .map(|(a, b, c)| (shown(metric, a), shown(metric, b), shown(metric, c)))
            })
            .collect();
        let chances = xs
            .iter()
            .zip(&sweep.points)
            .filter_map(|(&x, p)| p.p_goal.map(|pg| (x, pg)))
            .collect();
        let goal = sweep.goal.clone();
        let goal_y = goal
            .as_ref()
            .filter(|g| g.metric == metric)
            .map(|g| shown(metric, g.value));
        Line {
            sweep,
            param,
            metric,
            numeric,
            xs,
            bands,
            chances,
            goal,
            goal_y,
        }
    }

    /// Whether P(goal) gets a panel of its own.
    fn two_panels(&self) -> bool {
        self.goal.is_some() && !self.chances.is_empty()
    }

    fn goal_on_metric(&self) -> Option<&Goal> {
        self.goal.as_ref().filter(|g| g.metric == self.metric)
    }

    fn best_x(&self) -> Option<f64> {
        self.xs.get(self.sweep.best).copied()
    }
}

pub(super) fn one_parameter(
    c: &Canvas<'_>,
    ctx: &SweepCtx<'_>,
    sweep: &Sweep,
) -> Result<bool, Error> {
    let line = Line::of(sweep);
    let path = &line.param.path;
    let title = fit_title(
        c,
        [ctx.param_in_text(path).as_str(), short_path(path)]
            .map(|path| {
                ctx.title(&fill(
                    ctx.w.one_title,
                    &[("metric", &ctx.metric_short(line.metric)), ("param", path)],
                ))
            })
            .into(),
    );
    let drawn = draw_frame(
        c,
        Frame {
            title,
            subtitle: ctx.subtitle(),
            legend: legend(ctx, &line),
            panels: panels(c, ctx, &line),
            footnote: vec![sentences(ctx, &notes(ctx, &line))],
        },
    )?;
    draw_metric(c, ctx, &drawn[0], &line)?;
    if let Some(panel) = drawn.get(1) {
        draw_chances(c, panel, &line)?;
    }
    Ok(true)
}

/// The metric's panel, and P(goal)'s beside it when there is a goal.
fn panels(c: &Canvas<'_>, ctx: &SweepCtx<'_>, line: &Line<'_>) -> Vec<PanelSpec> {
    let (param, metric) = (line.param, line.metric);
    let defined = line.bands.iter().flatten();
    let lo = defined
        .clone()
        .map(|b| b.0)
        .chain(line.goal_y)
        .fold(f64::INFINITY, f64::min);
    let hi = defined
        .map(|b| b.2)
        .chain(line.goal_y)
        .fold(f64::NEG_INFINITY, f64::max);
    let headroom = if line.numeric { 1.0 } else { 1.1 };
    let y = metric_axis(
        ctx.metric_axis_on(c, metric),
        lo,
        hi * headroom,
        metric_style(metric, ctx.style),
    );
    let x_title = ctx.param_title(&param.path, param.scaled);
    let x = || {
        if line.numeric {
            param_axis(x_title.clone(), &line.xs, param.scaled)
        } else {
            let labels = param.values.iter().map(|v| value_text(v, param.scaled));
            Axis::categories(x_title.clone(), labels.collect())
        }
    };
    let two = line.two_panels();
    let mut panels = vec![PanelSpec {
        heading: two.then(|| {
            fill(
                ctx.w.metric_heading,
                &[("metric", &capitalised(&ctx.metric_short(metric)))],
            )
        }),
        x: x(),
        y,
    }];
    if let Some(g) = line.goal.as_ref().filter(|_| two) {
        panels.push(PanelSpec {
            heading: Some(fill(ctx.w.chance_heading, &[("goal", &ctx.goal(g))])),
            x: x(),
            y: chance_axis(ctx.w.chance_y.into(), 12.0),
        });
    }
    panels
}

fn legend(ctx: &SweepCtx<'_>, line: &Line<'_>) -> Vec<LegendItem> {
    let style = setup_style(0);
    let (label, mark) = if line.numeric {
        (ctx.w.band_legend, band_mark(style))
    } else {
        (ctx.w.bars_legend, bar_mark(style))
    };
    let mut legend = vec![LegendItem {
        label: label.to_string(),
        mark,
    }];
    if let Some(g) = line.goal_on_metric() {
        legend.push(LegendItem {
            label: fill(ctx.w.goal_legend, &[("goal", &ctx.goal(g))]),
            mark: Mark::Rule,
        });
    }
    let best = if line.numeric {
        Mark::Ring(HIGHLIGHT)
    } else {
        Mark::Outline(HIGHLIGHT)
    };
    legend.extend(best_legend(ctx, line.sweep, best));
    legend
}

fn notes(ctx: &SweepCtx<'_>, line: &Line<'_>) -> Vec<String> {
    let band = if line.numeric {
        ctx.w.band_note
    } else {
        ctx.w.bars_note
    };
    let mut notes = vec![fill(band, &[("runs", &ctx.runs)])];
    if line.two_panels() {
        notes.push(ctx.w.chance_note.to_string());
    }
    notes.push(ctx.w.crn_note.to_string());
    if line.param.scaled {
        notes.push(fill(ctx.w.scaled_note, &[("path", &line.param.path)]));
    }
    notes
}

/// The metric: a band (or bars for choices), the goal's line, the best point marked.
fn draw_metric(
    c: &Canvas<'_>,
    ctx: &SweepCtx<'_>,
    main: &Panel,
    line: &Line<'_>,
) -> Result<(), Error> {
    let (sweep, metric, bands) = (line.sweep, line.metric, &line.bands);
    if let Some(gy) = line.goal_y {
        horizontal_rule(c, main, gy)?;
    }
    let best_x = line.best_x();
    if line.numeric {
        let pts: Vec<(f64, Band)> = line
            .xs
            .iter()
            .zip(bands)
            .filter_map(|(&x, b)| b.map(|b| (x, b)))
            .collect();
        if !pts.is_empty() {
            draw_fans(c, main, &[(0, pts)])?;
        }
        if let (Some(bx), Some(Some(b))) = (best_x, bands.get(sweep.best)) {
            c.ring(main.at(bx, b.1), c.px(14.0), HIGHLIGHT, c.px(4.0))?;
        }
        return Ok(());
    }
    let rows: Vec<Vec<Option<Band>>> = line
        .param
        .values
        .iter()
        .map(|v| {
            let i = sweep.points.iter().position(|p| &p.values[0] == v);
            vec![i.and_then(|i| bands[i])]
        })
        .collect();
    let label = |v: f64| {
        if metric.unit() == Unit::Rate {
            format!("{}%", thousands(v, 1))
        } else {
            ctx.style.value(metric, v)
        }
    };
    let labels = median_labels(&rows, label);
    grouped_bars(c, main, &rows, &labels)?;
    // grouped_bars draws one setup's bar 0.8 × 0.86 of its slot wide.
    if let (Some(bx), Some(Some(b))) = (best_x, bands.get(sweep.best)) {
        best_bar(c, main, bx, main.slot() * 0.8 * 0.86, main.py(b.1))?;
    }
    Ok(())
}

/// P(goal): a line with markers (bars for choices), the best point marked.
fn draw_chances(c: &Canvas<'_>, panel: &Panel, line: &Line<'_>) -> Result<(), Error> {
    let style = setup_style(0);
    let chances = &line.chances;
    let best = chances.iter().find(|(x, _)| Some(*x) == line.best_x());
    if line.numeric {
        let pts: Vec<(f64, f64)> = chances
            .iter()
            .map(|&(x, p)| panel.at(x, 100.0 * p))
            .collect();
        c.line(&pts, rgba(style.colour, 1.0), c.px(4.0))?;
        for pt in &pts {
            c.marker(style.shape, *pt, c.px(7.0), style.colour)?;
        }
        if let Some(&(bx, bp)) = best {
            c.ring(panel.at(bx, 100.0 * bp), c.px(14.0), HIGHLIGHT, c.px(4.0))?;
        }
        return chance_labels(c, panel, chances);
    }
    let ns = c.size(Role::Note);
    let w = panel.slot() * 0.5;
    for &(x, p) in chances {
        let (cx, top) = panel.at(x, 100.0 * p);
        let bar = Rect {
            left: cx - w / 2.0,
            top,
            right: cx + w / 2.0,
            bottom: panel.plot.bottom,
        };
        c.rect(bar, rgba(style.colour, 1.0))?;
        let above = (cx, top - c.px(8.0));
        c.text(&chance_text(p), above, ns, INK, Align::Middle, Align::End)?;
    }
    if let Some(&(bx, bp)) = best {
        best_bar(c, panel, bx, w, panel.py(100.0 * bp))?;
    }
    Ok(())
}

/// Outlines the bar of width `w` and top `top` in category slot `x`: the best choice.
pub(super) fn best_bar(
    c: &Canvas<'_>,
    panel: &Panel,
    x: f64,
    w: f64,
    top: f64,
) -> Result<(), Error> {
    let cx = panel.px(x);
    let stroke = c.px(4.0).max(2.0);
    let r = Rect {
        left: cx - w / 2.0 - stroke / 2.0,
        top: top - stroke / 2.0,
        right: cx + w / 2.0 + stroke / 2.0,
        bottom: panel.plot.bottom,
    };
    c.outline(r, rgba(HIGHLIGHT, 1.0), stroke)
}

// ---------------------------------------------------------------------------
// sweep.png, two parameters
// ---------------------------------------------------------------------------
