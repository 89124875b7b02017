//! sweep.png of two parameters: a heatmap of the median or of P(goal), values written in.

use super::*;

/// Cell values are written at most this many times the note size.
pub(super) const MAX_CELL_TEXT: f64 = 1.45;

/// One point of the grid as drawn.
struct Cell {
    col: usize,
    row: usize,
    /// Where its colour lies along the ramp, 0..1 (NaN: undefined).
    t: f64,
    /// The value written in it.
    main: String,
    /// The median under a chance, when there is room.
    second: Option<String>,
}

pub(super) fn heatmap(c: &Canvas<'_>, ctx: &SweepCtx<'_>, sweep: &Sweep) -> Result<bool, Error> {
    let (ax, ay) = (&sweep.axes[0], &sweep.axes[1]);
    let goal = sweep
        .goal
        .clone()
        .filter(|_| sweep.points.iter().any(|p| p.p_goal.is_some()));
    let (cells, range) = cells(ctx, sweep, goal.as_ref());
    let (x, y) = grid_axes(c, ctx, ax, ay);
    let (ramp_label, note) = legend_and_note(ctx, sweep.metric, goal.as_ref(), range);
    let mut legend = vec![LegendItem {
        label: ramp_label,
        mark: Mark::Ramp,
    }];
    legend.extend(best_legend(ctx, sweep, Mark::Outline(HIGHLIGHT)));
    // Can the cells hold their values? Decided before drawing, for the footnote.
    let ns0 = c.size(Role::Note);
    let widest = cells
        .iter()
        .map(|k| c.text_width(&k.main, ns0))
        .fold(0.0, f64::max);
    let text_scale = |cell_w: f64, cell_h: f64| {
        (cell_w * 0.86 / widest.max(1.0))
            .min(cell_h * 0.5 / c.font.height(ns0))
            .min(MAX_CELL_TEXT)
    };
    let planned = text_scale(
        c.width * 0.8 / ax.values.len() as f64,
        c.height * 0.5 / ay.values.len() as f64,
    );
    let values_fit = ns0 * planned >= c.size(Role::Footnote) * 0.7;
    let mut notes = vec![note, ctx.w.crn_note.to_string()];
    if !values_fit {
        notes.push(ctx.w.heat_small_note.to_string());
    }
    for a in [ax, ay].into_iter().filter(|a| a.scaled) {
        notes.push(fill(ctx.w.scaled_note, &[("path", &a.path)]));
    }
    let drawn = draw_frame(
        c,
        Frame {
            title: grid_title(c, ctx, sweep.metric, goal.as_ref(), ax, ay),
            subtitle: ctx.subtitle(),
            legend,
            panels: vec![PanelSpec {
                heading: None,
                x,
                y,
            }],
            footnote: vec![sentences(ctx, &notes)],
        },
    )?;
    let panel = &drawn[0];
    let size = (
        panel.slot(),
        (panel.plot.bottom - panel.plot.top) / ay.values.len() as f64,
    );
    // The value size, from the cells as drawn.
    let ns = (ns0 * text_scale(size.0, size.1)).max(1.0);
    for k in &cells {
        draw_cell(c, panel, size, k, values_fit.then_some(ns))?;
    }
    if let Some(best) = sweep.points.get(sweep.best) {
        let at = (slot(ax, &best.values[0]), slot(ay, &best.values[1]));
        outline_cell(c, panel, size, at)?;
    }
    Ok(true)
}

/// The column (or row) of a value on its axis.
fn slot(a: &Param, v: &AxisValue) -> usize {
    a.values.iter().position(|x| x == v).unwrap_or(0)
}

/// Every point as a cell, and the range of the medians (for the legend).
fn cells(ctx: &SweepCtx<'_>, sweep: &Sweep, goal: Option<&Goal>) -> (Vec<Cell>, (f64, f64)) {
    let (ax, ay) = (&sweep.axes[0], &sweep.axes[1]);
    let metric = sweep.metric;
    let medians: Vec<f64> = sweep
        .points
        .iter()
        .map(|p| p.summary.p50.map_or(f64::NAN, |m| shown(metric, m)))
        .collect();
    let (lo, hi) = medians
        .iter()
        .filter(|m| m.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &m| {
            (a.min(m), b.max(m))
        });
    let median_text = |p: &crate::analysis::sweep::Point| {
        p.summary.p50.map_or(ctx.w.undefined_cell.to_string(), |m| {
            ctx.style.value(metric, m)
        })
    };
    let cells = sweep
        .points
        .iter()
        .zip(&medians)
        .map(|(p, &m)| {
            let (col, row) = (slot(ax, &p.values[0]), slot(ay, &p.values[1]));
            match (goal, p.p_goal) {
                (Some(_), Some(pg)) => Cell {
                    col,
                    row,
                    t: pg,
                    main: chance_text(pg),
                    second: Some(fill(ctx.w.heat_median_line, &[("value", &median_text(p))])),
                },
                _ => Cell {
                    col,
                    row,
                    t: if !m.is_finite() {
                        f64::NAN
                    } else if hi > lo {
                        (m - lo) / (hi - lo)
                    } else {
                        0.5
                    },
                    main: median_text(p),
                    second: None,
                },
            }
        })
        .collect();
    (cells, (lo, hi))
}

/// The two category axes; with many rows only every k-th is labelled.
fn grid_axes(c: &Canvas<'_>, ctx: &SweepCtx<'_>, ax: &Param, ay: &Param) -> (Axis, Axis) {
    let labels =
        |a: &Param| -> Vec<String> { a.values.iter().map(|v| value_text(v, a.scaled)).collect() };
    let x = Axis::categories(ctx.param_title(&ax.path, ax.scaled), labels(ax));
    let mut y = Axis::categories(ctx.param_title(&ay.path, ay.scaled), labels(ay));
    let row_px = c.height * 0.55 / ay.values.len().max(1) as f64;
    let every = (c.line_height(c.size(Role::Tick)) / row_px).ceil().max(1.0) as usize;
    if every > 1 {
        for (k, (_, label)) in y.ticks.iter_mut().enumerate() {
            if k % every != 0 {
                label.clear();
            }
        }
    }
    (x, y)
}

/// The title: the chance of the goal, or the median, by the two parameters.
fn grid_title(
    c: &Canvas<'_>,
    ctx: &SweepCtx<'_>,
    metric: Metric,
    goal: Option<&Goal>,
    ax: &Param,
    ay: &Param,
) -> String {
    let title = |x: &str, y: &str| {
        ctx.title(&match goal {
            Some(g) => fill(
                ctx.w.chance_grid_title,
                &[("goal", &ctx.goal(g)), ("x", x), ("y", y)],
            ),
            None => fill(
                ctx.w.median_grid_title,
                &[("metric", &ctx.metric_short(metric)), ("x", x), ("y", y)],
            ),
        })
    };
    fit_title(
        c,
        vec![
            title(&ctx.param_in_text(&ax.path), &ctx.param_in_text(&ay.path)),
            title(short_path(&ax.path), short_path(&ay.path)),
        ],
    )
}

/// The colour ramp's legend label and the chart's note.
fn legend_and_note(
    ctx: &SweepCtx<'_>,
    metric: Metric,
    goal: Option<&Goal>,
    (lo, hi): (f64, f64),
) -> (String, String) {
    let median_label = |v: f64| {
        if metric.unit() == Unit::Rate {
            format!("{}%", thousands(v, 1))
        } else {
            ctx.style.value(metric, v)
        }
    };
    let short = ctx.metric_short(metric);
    match goal {
        Some(g) => (
            fill(ctx.w.heat_chance_legend, &[("goal", &ctx.goal(g))]),
            fill(
                ctx.w.heat_chance_note,
                &[
                    ("runs", &ctx.runs),
                    ("goal", &ctx.goal(g)),
                    ("metric", &short),
                ],
            ),
        ),
        None => (
            fill(
                ctx.w.heat_median_legend,
                &[
                    ("metric", &short),
                    ("lo", &median_label(lo)),
                    ("hi", &median_label(hi)),
                ],
            ),
            fill(
                ctx.w.heat_median_note,
                &[("runs", &ctx.runs), ("metric", &short)],
            ),
        ),
    }
}

/// One cell: its colour, and its value at size `value_size` when values fit.
fn draw_cell(
    c: &Canvas<'_>,
    panel: &Panel,
    (cw, ch): (f64, f64),
    k: &Cell,
    value_size: Option<f64>,
) -> Result<(), Error> {
    let gap = c.px(2.0).max(1.0);
    let (cx, cy) = (panel.px(k.col as f64), panel.py(k.row as f64));
    let r = Rect {
        left: cx - cw / 2.0 + gap,
        top: cy - ch / 2.0 + gap,
        right: cx + cw / 2.0 - gap,
        bottom: cy + ch / 2.0 - gap,
    };
    let fill_colour = if k.t.is_finite() {
        ramp(k.t)
    } else {
        RGBColor(235, 235, 235)
    };
    c.rect(r, rgba(fill_colour, 1.0))?;
    let Some(ns) = value_size else {
        return Ok(());
    };
    let second_size = (ns * 0.68).max(c.size(Role::Footnote).min(ns));
    let ink = if is_light(fill_colour) { INK } else { WHITE_A };
    let second = k.second.as_ref().filter(|s| {
        c.text_width(s, second_size) <= cw * 0.9
            && c.font.height(ns) + c.line_height(second_size) <= ch * 0.8
            && second_size >= c.size(Role::Footnote) * 0.7
    });
    match second {
        Some(s) => {
            let total = c.font.height(ns) + c.px(6.0) + c.font.height(second_size);
            let top = cy - total / 2.0;
            c.text(&k.main, (cx, top), ns, ink, Align::Middle, Align::Start)?;
            let below = (cx, top + c.font.height(ns) + c.px(6.0));
            c.text(s, below, second_size, ink, Align::Middle, Align::Start)
        }
        None => c.text(&k.main, (cx, cy), ns, ink, Align::Middle, Align::Middle),
    }
}

/// The best point's cell, outlined in the highlight colour on a white rim.
fn outline_cell(
    c: &Canvas<'_>,
    panel: &Panel,
    (cw, ch): (f64, f64),
    (col, row): (usize, usize),
) -> Result<(), Error> {
    let gap = c.px(2.0).max(1.0);
    let (cx, cy) = (panel.px(col as f64), panel.py(row as f64));
    let w = c.px(4.0).max(2.0);
    let r = Rect {
        left: cx - cw / 2.0 + w / 2.0,
        top: cy - ch / 2.0 + w / 2.0,
        right: cx + cw / 2.0 - w / 2.0,
        bottom: cy + ch / 2.0 - w / 2.0,
    };
    c.outline(r, WHITE_A, w + 2.0 * gap)?;
    c.outline(r, rgba(HIGHLIGHT, 1.0), w)
}
