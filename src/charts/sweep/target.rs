//! target.png: P(goal) against the parameter solved for, the confidence line, the answer.

use super::*;

pub(super) fn target_plot(c: &Canvas<'_>, ctx: &SweepCtx<'_>, t: &Target) -> Result<bool, Error> {
    let (path, scaled) = (&t.axis.path, t.axis.scaled);
    let goal_text = ctx.goal(&t.goal);
    let xs: Vec<f64> = t.curve.iter().map(|p| p.0).collect();
    let (heading, extra_note, marked) = answer_text(ctx, t, &xs);
    let shaded = meeting(t, &xs);
    let mut notes = vec![fill(
        ctx.w.target_note,
        &[("runs", &ctx.runs), ("goal", &goal_text)],
    )];
    notes.extend(extra_note);
    if scaled {
        notes.push(fill(ctx.w.scaled_note, &[("path", path)]));
    }
    let mut x = param_axis(ctx.param_title(path, scaled), &xs, scaled);
    if xs.len() > 12 {
        // Bisection adds points close together: nice ticks rather than one per point.
        let style = if scaled {
            NumberStyle::Times
        } else {
            NumberStyle::Plain
        };
        let nice = Axis::linear(String::new(), x.lo, x.hi, style);
        x.ticks = nice.ticks;
    }
    let title = fit_title(
        c,
        [ctx.param_in_text(path).as_str(), short_path(path)]
            .map(|path| {
                ctx.title(&fill(
                    ctx.w.target_title,
                    &[("goal", &goal_text), ("param", path)],
                ))
            })
            .into(),
    );
    let drawn = draw_frame(
        c,
        Frame {
            title,
            subtitle: ctx.subtitle(),
            legend: legend(ctx, t, !shaded.is_empty(), marked),
            panels: vec![PanelSpec {
                heading: Some(heading),
                x,
                y: chance_axis(ctx.w.chance_y.into(), 8.0),
            }],
            footnote: vec![sentences(ctx, &notes)],
        },
    )?;
    let p = &drawn[0];
    shade(c, p, &shaded)?;
    horizontal_rule(c, p, 100.0 * t.confidence)?;
    let style = setup_style(0);
    let line: Vec<(f64, f64)> = t.curve.iter().map(|&(x, q)| p.at(x, 100.0 * q)).collect();
    c.line(&line, rgba(style.colour, 1.0), c.px(4.0))?;
    for pt in &line {
        c.marker(style.shape, *pt, c.px(6.0), style.colour)?;
    }
    mark_answer(c, ctx, p, t, marked, line)?;
    Ok(true)
}

/// A value of the parameter as written on the chart.
fn value_of(t: &Target, x: f64) -> String {
    number_text(x, t.axis.scaled)
}

/// The panel's heading, an extra note, and the (value, P) point to mark.
fn answer_text(ctx: &SweepCtx<'_>, t: &Target, xs: &[f64]) -> (String, Option<String>, (f64, f64)) {
    let path = &ctx.param_in_text(&t.axis.path);
    let conf = format::percent(t.confidence);
    let value = |x: f64| value_of(t, x);
    let pct = chance_text;
    let (lo, hi) = ends(xs);
    let intervals = |list: &[(f64, f64)]| {
        list.iter()
            .map(|&(a, b)| {
                if a == b {
                    value(a)
                } else {
                    fill(ctx.w.interval, &[("a", &value(a)), ("b", &value(b))])
                }
            })
            .collect::<Vec<_>>()
            .join(ctx.w.list_sep)
    };
    match &t.answer {
        Answer::Found {
            value: v, p_goal, ..
        } => (
            fill(
                if t.increasing {
                    ctx.w.found_least
                } else {
                    ctx.w.found_most
                },
                &[("param", path), ("value", &value(*v)), ("p", &pct(*p_goal))],
            ),
            None,
            (*v, *p_goal),
        ),
        Answer::NonMonotone {
            best_value,
            best_p_goal,
            feasible,
        } => (
            fill(
                ctx.w.non_monotone,
                &[
                    ("intervals", &intervals(feasible)),
                    ("param", path),
                    ("value", &value(*best_value)),
                    ("p", &pct(*best_p_goal)),
                ],
            ),
            Some(ctx.w.non_monotone_note.to_string()),
            (*best_value, *best_p_goal),
        ),
        Answer::Unreachable {
            best_value,
            best_p_goal,
        } => (
            fill(
                ctx.w.unreachable,
                &[
                    ("range", &intervals(&[(lo, hi)])),
                    ("param", path),
                    ("value", &value(*best_value)),
                    ("p", &pct(*best_p_goal)),
                    ("confidence", &conf),
                ],
            ),
            Some(fill(ctx.w.unreachable_note, &[("confidence", &conf)])),
            (*best_value, *best_p_goal),
        ),
    }
}

/// The lowest and highest value searched.
fn ends(xs: &[f64]) -> (f64, f64) {
    (
        xs.first().copied().unwrap_or(0.0),
        xs.last().copied().unwrap_or(1.0),
    )
}

/// Values that meet the goal, to shade: past the answer, or the feasible intervals.
fn meeting(t: &Target, xs: &[f64]) -> Vec<(f64, f64)> {
    let (lo, hi) = ends(xs);
    match &t.answer {
        Answer::Found { value: v, .. } if t.increasing => vec![(*v, hi)],
        Answer::Found { value: v, .. } => vec![(lo, *v)],
        Answer::NonMonotone { feasible, .. } => feasible.clone(),
        Answer::Unreachable { .. } => Vec::new(),
    }
}

fn legend(ctx: &SweepCtx<'_>, t: &Target, shaded: bool, marked: (f64, f64)) -> Vec<LegendItem> {
    let style = setup_style(0);
    let conf = format::percent(t.confidence);
    let mut legend = vec![
        LegendItem {
            label: ctx.w.curve_legend.into(),
            mark: Mark::Line(style.colour, style.shape),
        },
        LegendItem {
            label: fill(ctx.w.confidence_legend, &[("p", &conf)]),
            mark: Mark::Rule,
        },
    ];
    if shaded {
        legend.push(LegendItem {
            label: fill(ctx.w.meets_legend, &[("p", &conf)]),
            mark: Mark::Area(MEETS),
        });
    }
    let point = fill(
        ctx.w.point_label,
        &[
            ("value", &value_of(t, marked.0)),
            ("p", &chance_text(marked.1)),
        ],
    );
    legend.push(LegendItem {
        label: match &t.answer {
            Answer::Found { .. } => ctx.w.answer_legend.to_string(),
            _ => fill(ctx.w.best_legend, &[("point", &point)]),
        },
        mark: Mark::Ring(HIGHLIGHT),
    });
    legend
}

/// Shades the values that meet the goal (at least 8 px wide, so a single value shows).
fn shade(c: &Canvas<'_>, p: &Panel, shaded: &[(f64, f64)]) -> Result<(), Error> {
    for &(a, b) in shaded {
        let (l, r) = (p.px(a.min(b)), p.px(a.max(b)));
        let (l, r) = if r - l < c.px(8.0) {
            let m = (l + r) / 2.0;
            (m - c.px(4.0), m + c.px(4.0))
        } else {
            (l, r)
        };
        c.rect(
            Rect {
                left: l.max(p.plot.left),
                top: p.plot.top,
                right: r.min(p.plot.right),
                bottom: p.plot.bottom,
            },
            rgba(MEETS, FILL_ALPHA * 0.8),
        )?;
    }
    Ok(())
}

/// The answer (or best point): a dashed line down to the axis, ringed, labelled
/// clear of the curve (`line`, in pixels) and the confidence line.
fn mark_answer(
    c: &Canvas<'_>,
    ctx: &SweepCtx<'_>,
    p: &Panel,
    t: &Target,
    (mx, mp): (f64, f64),
    line: Vec<(f64, f64)>,
) -> Result<(), Error> {
    let at = p.at(mx, 100.0 * mp);
    let found = matches!(t.answer, Answer::Found { .. });
    if found {
        c.dashed(
            &[(at.0, p.plot.bottom), at],
            rgba(HIGHLIGHT, 1.0),
            c.px(3.0),
            c.px(10.0),
            c.px(6.0),
        )?;
    }
    c.ring(at, c.px(14.0), HIGHLIGHT, c.px(4.0))?;
    let label = fill(
        ctx.w.point_label,
        &[("value", &value_of(t, mx)), ("p", &chance_text(mp))],
    );
    let rule_y = p.py(100.0 * t.confidence);
    let mut avoid = vec![line, vec![(p.plot.left, rule_y), (p.plot.right, rule_y)]];
    if found {
        avoid.push(vec![(at.0, p.plot.bottom), at]);
    }
    clear_label(c, p, &label, at, c.px(22.0), &avoid)
}
