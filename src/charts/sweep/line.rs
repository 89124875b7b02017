//! sweep.png of one parameter: the p10–p90 band and median, P(goal) beside it.

use super::*;

pub(super) fn one_parameter(
    c: &Canvas<'_>,
    ctx: &SweepCtx<'_>,
    sweep: &Sweep,
) -> Result<bool, Error> {
    let param = &sweep.axes[0];
    let metric = sweep.metric;
    let goal = sweep_goal(sweep);
    let numeric = param.values.iter().all(|v| v.number().is_some());
    let style = setup_style(0);
    // Each point's place on the x axis: its value, or its slot for choices.
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
    let bands: Vec<Option<Band>> = sweep
        .points
        .iter()
        .map(|p| {
            band(&p.summary).map(|(a, b, c)| (shown(metric, a), shown(metric, b), shown(metric, c)))
        })
        .collect();
    let goal_on_metric = goal.as_ref().filter(|g| g.metric == metric);
    let goal_y = goal_on_metric.map(|g| shown(metric, g.value));
    let defined = bands.iter().flatten();
    let lo = defined
        .clone()
        .map(|b| b.0)
        .chain(goal_y)
        .fold(f64::INFINITY, f64::min);
    let hi = defined
        .map(|b| b.2)
        .chain(goal_y)
        .fold(f64::NEG_INFINITY, f64::max);
    let headroom = if numeric { 1.0 } else { 1.1 };
    let y = metric_axis(
        ctx.metric_axis_on(c, metric),
        lo,
        hi * headroom,
        metric_style(metric),
    );
    let x_title = ctx.param_title(&param.path, param.scaled);
    let x = || {
        if numeric {
            param_axis(x_title.clone(), &xs, param.scaled)
        } else {
            Axis::categories(
                x_title.clone(),
                param
                    .values
                    .iter()
                    .map(|v| value_text(v, param.scaled))
                    .collect(),
            )
        }
    };
    let chances: Vec<(f64, f64)> = xs
        .iter()
        .zip(&sweep.points)
        .filter_map(|(&x, p)| p.p_goal.map(|pg| (x, pg)))
        .collect();
    let two = goal.is_some() && !chances.is_empty();
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
    if let Some(g) = goal.as_ref().filter(|_| two) {
        panels.push(PanelSpec {
            heading: Some(fill(ctx.w.chance_heading, &[("goal", &ctx.goal(g))])),
            x: x(),
            y: chance_axis(ctx.w.chance_y.into(), 12.0),
        });
    }
    let mut legend = vec![LegendItem {
        label: if numeric {
            ctx.w.band_legend
        } else {
            ctx.w.bars_legend
        }
        .to_string(),
        mark: if numeric {
            band_mark(style)
        } else {
            bar_mark(style)
        },
    }];
    if let Some(g) = goal_on_metric {
        legend.push(LegendItem {
            label: fill(ctx.w.goal_legend, &[("goal", &ctx.goal(g))]),
            mark: Mark::Rule,
        });
    }
    legend.extend(best_legend(
        ctx,
        sweep,
        if numeric {
            Mark::Ring(HIGHLIGHT)
        } else {
            Mark::Outline(HIGHLIGHT)
        },
    ));
    let mut notes = vec![fill(
        if numeric {
            ctx.w.band_note
        } else {
            ctx.w.bars_note
        },
        &[("runs", &ctx.runs)],
    )];
    if two {
        notes.push(ctx.w.chance_note.to_string());
    }
    notes.push(ctx.w.crn_note.to_string());
    if param.scaled {
        notes.push(fill(ctx.w.scaled_note, &[("path", &param.path)]));
    }
    let title = fit_title(
        c,
        [param.path.as_str(), short_path(&param.path)]
            .map(|path| {
                ctx.title(&fill(
                    ctx.w.one_title,
                    &[("metric", &ctx.metric_short(metric)), ("param", path)],
                ))
            })
            .into(),
    );
    let drawn = draw_frame(
        c,
        Frame {
            title,
            subtitle: ctx.subtitle(),
            legend,
            panels,
            footnote: vec![sentences(ctx, &notes)],
        },
    )?;
    let main = &drawn[0];
    if let Some(gy) = goal_y {
        horizontal_rule(c, main, gy)?;
    }
    let best_x = xs.get(sweep.best).copied();
    if numeric {
        let pts: Vec<(f64, Band)> = xs
            .iter()
            .zip(&bands)
            .filter_map(|(&x, b)| b.map(|b| (x, b)))
            .collect();
        if !pts.is_empty() {
            draw_fans(c, main, &[(0, pts)])?;
        }
        if let (Some(bx), Some(Some(b))) = (best_x, bands.get(sweep.best)) {
            c.ring(main.at(bx, b.1), c.px(14.0), HIGHLIGHT, c.px(4.0))?;
        }
    } else {
        let rows: Vec<Vec<Option<Band>>> = param
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
                format::value(metric, v)
            }
        };
        grouped_bars(c, main, &rows, label)?;
        // grouped_bars draws one setup's bar 0.8 × 0.86 of its slot wide.
        if let (Some(bx), Some(Some(b))) = (best_x, bands.get(sweep.best)) {
            best_bar(c, main, bx, main.slot() * 0.8 * 0.86, main.py(b.1))?;
        }
    }
    if let Some(panel) = drawn.get(1) {
        if numeric {
            let line: Vec<(f64, f64)> = chances
                .iter()
                .map(|&(x, p)| panel.at(x, 100.0 * p))
                .collect();
            c.line(&line, rgba(style.colour, 1.0), c.px(4.0))?;
            for pt in &line {
                c.marker(style.shape, *pt, c.px(7.0), style.colour)?;
            }
            if let Some(&(bx, bp)) = chances.iter().find(|(x, _)| Some(*x) == best_x) {
                c.ring(panel.at(bx, 100.0 * bp), c.px(14.0), HIGHLIGHT, c.px(4.0))?;
            }
            chance_labels(c, panel, &chances)?;
        } else {
            let ns = c.size(Role::Note);
            let w = panel.slot() * 0.5;
            for &(x, p) in &chances {
                let (cx, top) = panel.at(x, 100.0 * p);
                c.rect(
                    Rect {
                        left: cx - w / 2.0,
                        top,
                        right: cx + w / 2.0,
                        bottom: panel.plot.bottom,
                    },
                    rgba(style.colour, 1.0),
                )?;
                c.text(
                    &chance_text(p),
                    (cx, top - c.px(8.0)),
                    ns,
                    INK,
                    Align::Middle,
                    Align::End,
                )?;
            }
            if let Some(&(bx, bp)) = chances.iter().find(|(x, _)| Some(*x) == best_x) {
                best_bar(c, panel, bx, w, panel.py(100.0 * bp))?;
            }
        }
    }
    Ok(true)
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
