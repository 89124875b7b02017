//! target.png: P(goal) against the parameter solved for, the confidence line, the answer.

use super::*;

pub(super) fn target_plot(c: &Canvas<'_>, ctx: &SweepCtx<'_>, t: &Target) -> Result<bool, Error> {
    let (path, scaled) = (&t.axis.path, t.axis.scaled);
    let goal_text = ctx.goal(&t.goal);
    let conf = format::percent(t.confidence);
    let value = |x: f64| number_text(x, scaled);
    let xs: Vec<f64> = t.curve.iter().map(|p| p.0).collect();
    let style = setup_style(0);
    let pct = chance_text;
    let (lo, hi) = (
        xs.first().copied().unwrap_or(0.0),
        xs.last().copied().unwrap_or(1.0),
    );
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
    let (heading, extra_note, marked) = match &t.answer {
        Answer::Found { value: v, p_goal } => (
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
    };
    // Values that meet the goal, to shade: past the answer, or the feasible intervals.
    let shaded: Vec<(f64, f64)> = match &t.answer {
        Answer::Found { value: v, .. } if t.increasing => vec![(*v, hi)],
        Answer::Found { value: v, .. } => vec![(lo, *v)],
        Answer::NonMonotone { feasible, .. } => feasible.clone(),
        Answer::Unreachable { .. } => Vec::new(),
    };
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
    if !shaded.is_empty() {
        legend.push(LegendItem {
            label: fill(ctx.w.meets_legend, &[("p", &conf)]),
            mark: Mark::Area(MEETS),
        });
    }
    legend.push(LegendItem {
        label: match &t.answer {
            Answer::Found { .. } => ctx.w.answer_legend.to_string(),
            _ => fill(
                ctx.w.best_legend,
                &[(
                    "point",
                    &fill(
                        ctx.w.point_label,
                        &[("value", &value(marked.0)), ("p", &pct(marked.1))],
                    ),
                )],
            ),
        },
        mark: Mark::Ring(HIGHLIGHT),
    });
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
        [path.as_str(), short_path(path)]
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
            legend,
            panels: vec![PanelSpec {
                heading: Some(heading),
                x,
                y: chance_axis(ctx.w.chance_y.into(), 8.0),
            }],
            footnote: vec![sentences(ctx, &notes)],
        },
    )?;
    let p = &drawn[0];
    for &(a, b) in &shaded {
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
    horizontal_rule(c, p, 100.0 * t.confidence)?;
    let line: Vec<(f64, f64)> = t.curve.iter().map(|&(x, q)| p.at(x, 100.0 * q)).collect();
    c.line(&line, rgba(style.colour, 1.0), c.px(4.0))?;
    for pt in &line {
        c.marker(style.shape, *pt, c.px(6.0), style.colour)?;
    }
    // The answer (or best point): a vertical line down to the axis, ringed, labelled.
    let (mx, mp) = marked;
    let at = p.at(mx, 100.0 * mp);
    if matches!(t.answer, Answer::Found { .. }) {
        c.dashed(
            &[(at.0, p.plot.bottom), at],
            rgba(HIGHLIGHT, 1.0),
            c.px(3.0),
            c.px(10.0),
            c.px(6.0),
        )?;
    }
    c.ring(at, c.px(14.0), HIGHLIGHT, c.px(4.0))?;
    let label = fill(ctx.w.point_label, &[("value", &value(mx)), ("p", &pct(mp))]);
    let rule_y = p.py(100.0 * t.confidence);
    let mut avoid = vec![
        line.clone(),
        vec![(p.plot.left, rule_y), (p.plot.right, rule_y)],
    ];
    if matches!(t.answer, Answer::Found { .. }) {
        avoid.push(vec![(at.0, p.plot.bottom), at]);
    }
    clear_label(c, p, &label, at, c.px(22.0), &avoid)?;
    Ok(true)
}
