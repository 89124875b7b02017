//! Grouped bars with whiskers and labels that never overlap.
//!
//! The geometry is computed first ([`layout_bars`]), as plain rectangles,
//! and only then drawn: the tests check the geometry that is drawn (bar
//! heights in proportion to the values, no label on another label or bar).

use super::*;

/// One bar as drawn: the setup it belongs to, its rectangle (median to the
/// axis) and its whisker (p10 and p90) at its centre.
#[derive(Clone, Copy, Debug)]
pub(super) struct BarGeom {
    pub(super) setup: usize,
    pub(super) bar: Rect,
    pub(super) centre: f64,
    pub(super) y10: f64,
    pub(super) y90: f64,
    pub(super) cap: f64,
}

/// A line of label text as drawn: its box is where its ink can be.
#[derive(Clone, Debug)]
pub(super) struct LabelGeom {
    pub(super) text: String,
    pub(super) size: f64,
    pub(super) ink: Rect,
    pub(super) colour: RGBAColor,
}

/// Everything a grouped bar chart draws on its panel.
pub(super) struct BarLayout {
    pub(super) bars: Vec<BarGeom>,
    pub(super) labels: Vec<LabelGeom>,
}

/// The lines written above one bar, the first nearest the bar, with their colour.
pub(super) type BarLabel = Vec<(String, RGBAColor)>;

/// How label text is measured: the advance width at a size, the visible
/// height at a size, the preferred and the smallest size, and the gap kept
/// between a label and what it must not touch.
pub(super) struct TextMeasure<'m> {
    pub(super) width: &'m dyn Fn(&str, f64) -> f64,
    pub(super) height: &'m dyn Fn(f64) -> f64,
    pub(super) size: f64,
    pub(super) min_size: f64,
    pub(super) gap: f64,
    pub(super) cap_min: f64,
}

/// Lays out bars (median) with whiskers (p10–p90) for each category and
/// setup, and the label lines of each bar above its whisker.
///
/// The labels share one size, the largest at which the widest fits its bar
/// slot (not below `min_size`). A label line that would touch a label
/// already placed, or any bar or whisker, moves up just above it, so labels
/// of equal values side by side stack instead of printing over each other.
pub(super) fn layout_bars(
    panel: &Panel,
    values: &[Vec<Option<Band>>],
    labels: &[Vec<BarLabel>],
    m: &TextMeasure<'_>,
) -> BarLayout {
    let n_setups = values.iter().map(Vec::len).max().unwrap_or(0).max(1) as f64;
    let group = panel.slot() * 0.8;
    let bar_slot = group / n_setups;
    let bar_w = bar_slot * 0.86;
    let base = panel.plot.bottom;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (k, row) in values.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            let Some((p10, p50, p90)) = *v else { continue };
            let centre = panel.px(k as f64) - group / 2.0 + bar_slot * (i as f64 + 0.5);
            let (y10, y90) = (panel.py(p10), panel.py(p90));
            bars.push(BarGeom {
                setup: i,
                bar: Rect {
                    left: centre - bar_w / 2.0,
                    top: panel.py(p50),
                    right: centre + bar_w / 2.0,
                    bottom: base,
                },
                centre,
                y10,
                y90,
                cap: (bar_w * 0.22).max(m.cap_min),
            });
            let lines = labels.get(k).and_then(|r| r.get(i)).cloned();
            texts.push((bars.len() - 1, lines.unwrap_or_default()));
        }
    }
    let widest = texts
        .iter()
        .flat_map(|(_, lines)| lines.iter())
        .map(|(t, _)| (m.width)(t, m.size))
        .fold(0.0, f64::max);
    let size = if widest > bar_slot * 0.96 {
        (m.size * bar_slot * 0.96 / widest).max(m.min_size)
    } else {
        m.size
    };
    // What a label must not touch: every bar with its whisker.
    let mut taken: Vec<Rect> = bars
        .iter()
        .map(|b| Rect {
            left: b.bar.left.min(b.centre - b.cap),
            top: b.bar.top.min(b.y90),
            right: b.bar.right.max(b.centre + b.cap),
            bottom: b.bar.bottom,
        })
        .collect();
    let mut placed = Vec::new();
    for (bar, lines) in texts {
        let b = &bars[bar];
        let mut bottom = b.bar.top.min(b.y90) - m.gap;
        for (text, colour) in lines {
            let w = (m.width)(&text, size);
            let h = (m.height)(size);
            let mut ink = Rect {
                left: b.centre - w / 2.0,
                top: bottom - h,
                right: b.centre + w / 2.0,
                bottom,
            };
            // Up past whatever it touches, until it touches nothing.
            while let Some(top) = taken
                .iter()
                .filter(|r| ink.overlaps(&grown(r, m.gap / 2.0)))
                .map(|r| r.top)
                .reduce(f64::min)
            {
                ink.bottom = top - m.gap;
                ink.top = ink.bottom - h;
            }
            taken.push(ink);
            bottom = ink.top - m.gap / 2.0;
            placed.push(LabelGeom {
                text,
                size,
                ink,
                colour,
            });
        }
    }
    BarLayout {
        bars,
        labels: placed,
    }
}

/// `r` with `by` added on every side.
fn grown(r: &Rect, by: f64) -> Rect {
    Rect {
        left: r.left - by,
        top: r.top - by,
        right: r.right + by,
        bottom: r.bottom + by,
    }
}

/// Draws bars, whiskers and labels as laid out.
pub(super) fn draw_bars(c: &Canvas<'_>, layout: &BarLayout) -> Result<(), Error> {
    for b in &layout.bars {
        c.rect(b.bar, rgba(setup_style(b.setup).colour, 1.0))?;
        // Whisker: dark with a white halo, visible on light and dark bars alike.
        for (colour, extra) in [(WHITE_A, c.px(3.0)), (REFERENCE, 0.0)] {
            let w = c.px(3.0) + extra;
            let (x, cap) = (b.centre, b.cap);
            c.line(&[(x, b.y10), (x, b.y90)], colour, w)?;
            c.line(&[(x - cap, b.y90), (x + cap, b.y90)], colour, w)?;
            c.line(&[(x - cap, b.y10), (x + cap, b.y10)], colour, w)?;
        }
    }
    for l in &layout.labels {
        let at = ((l.ink.left + l.ink.right) / 2.0, l.ink.bottom);
        c.text(&l.text, at, l.size, l.colour, Align::Middle, Align::End)?;
    }
    Ok(())
}

/// The text measure of a canvas: note-sized labels, never below 80% of a footnote.
pub(super) fn canvas_measure<'m>(
    c: &'m Canvas<'_>,
    width: &'m dyn Fn(&str, f64) -> f64,
    height: &'m dyn Fn(f64) -> f64,
) -> TextMeasure<'m> {
    TextMeasure {
        width,
        height,
        size: c.size(Role::Note),
        min_size: c.size(Role::Footnote) * 0.8,
        gap: c.px(8.0),
        cap_min: c.px(6.0),
    }
}

/// Lays out and draws grouped bars, each labelled with its median.
pub(super) fn grouped_bars(
    c: &Canvas<'_>,
    panel: &Panel,
    values: &[Vec<Option<Band>>],
    labels: &[Vec<BarLabel>],
) -> Result<(), Error> {
    let width = |t: &str, s: f64| c.text_width(t, s);
    let height = |s: f64| c.font.height(s);
    let layout = layout_bars(panel, values, labels, &canvas_measure(c, &width, &height));
    draw_bars(c, &layout)
}

/// The default label of each bar: its median, in `format`.
pub(super) fn median_labels(
    values: &[Vec<Option<Band>>],
    format: impl Fn(f64) -> String,
) -> Vec<Vec<BarLabel>> {
    values
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| v.map_or(Vec::new(), |(_, p50, _)| vec![(format(p50), INK)]))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(categories: usize, hi: f64) -> Panel {
        Panel {
            plot: Rect {
                left: 100.0,
                top: 100.0,
                right: 1500.0,
                bottom: 700.0,
            },
            x: Axis::categories(String::new(), vec![String::new(); categories]),
            y: Axis::linear(String::new(), 0.0, hi, NumberStyle::Plain),
        }
    }

    /// 11 px a character at size 22, scaled with the size.
    fn measure<'m>(
        width: &'m dyn Fn(&str, f64) -> f64,
        height: &'m dyn Fn(f64) -> f64,
    ) -> TextMeasure<'m> {
        TextMeasure {
            width,
            height,
            size: 22.0,
            min_size: 15.0,
            gap: 8.0,
            cap_min: 6.0,
        }
    }

    fn check_no_overlap(layout: &BarLayout) {
        for (i, a) in layout.labels.iter().enumerate() {
            for b in &layout.labels[i + 1..] {
                assert!(!a.ink.overlaps(&b.ink), "{} on {}", a.text, b.text);
            }
            for bar in &layout.bars {
                let whisker = Rect {
                    left: bar.centre - bar.cap,
                    top: bar.y90,
                    right: bar.centre + bar.cap,
                    bottom: bar.y10,
                };
                assert!(!a.ink.overlaps(&bar.bar), "{} on a bar", a.text);
                assert!(!a.ink.overlaps(&whisker), "{} on a whisker", a.text);
            }
        }
    }

    /// The case of the issue: equal values side by side ("10,32610,32610,326").
    #[test]
    fn equal_values_side_by_side_stack_their_labels() {
        let width = |t: &str, s: f64| t.chars().count() as f64 * s / 2.0;
        let height = |s: f64| s;
        for setups in [2, 4, 8] {
            for categories in [1, 5, 12] {
                let v = Some((9_000.0, 10_326.0, 11_000.0));
                let values = vec![vec![v; setups]; categories];
                let labels: Vec<Vec<BarLabel>> = (0..categories)
                    .map(|_| {
                        (0..setups)
                            .map(|_| vec![("10,326".into(), INK), ("(100.0%)".into(), INK)])
                            .collect()
                    })
                    .collect();
                let layout = layout_bars(
                    &panel(categories, 14_000.0),
                    &values,
                    &labels,
                    &measure(&width, &height),
                );
                assert_eq!(layout.labels.len(), 2 * setups * categories);
                check_no_overlap(&layout);
            }
        }
    }

    /// Heights on a linear axis from zero are in proportion to the medians.
    #[test]
    fn bar_heights_are_linear_in_the_values() {
        let width = |t: &str, s: f64| t.chars().count() as f64 * s / 2.0;
        let height = |s: f64| s;
        let medians = [10_978.0, 8_924.0, 2_299.0, 1_725.0, 383.0];
        let values: Vec<Vec<Option<Band>>> = medians
            .iter()
            .map(|&m| {
                vec![
                    Some((m * 0.9, m, m * 1.1)),
                    Some((m * 0.4, m * 0.5, m * 0.6)),
                ]
            })
            .collect();
        let labels = median_labels(&values, |v| thousands(v, 0));
        let layout = layout_bars(
            &panel(5, 14_000.0),
            &values,
            &labels,
            &measure(&width, &height),
        );
        let px_per_unit = 600.0 / 14_000.0;
        for (b, m) in layout
            .bars
            .iter()
            .zip(medians.iter().flat_map(|&m| [m, m * 0.5]))
        {
            let h = b.bar.bottom - b.bar.top;
            assert!((h - m * px_per_unit).abs() < 1e-9, "{h} for {m}");
        }
        check_no_overlap(&layout);
    }
}
