//! Plot pieces shared by several charts: grouped bars, fans, histograms.

use super::*;

/// p10, p50 and p90.
pub(super) type Band = (f64, f64, f64);

/// p10, p50 and p90 of a summary, when defined.
pub(super) fn band(s: &Summary) -> Option<Band> {
    Some((s.p10?, s.p50?, s.p90?))
}

/// Fan charts: per setup, a translucent p10–p90 band with thin edges and a
/// median line with markers, at numeric x positions (category indices or
/// parameter values). Every band is drawn before every line.
pub(super) fn draw_fans(
    c: &Canvas<'_>,
    p: &Panel,
    fans: &[(usize, Vec<(f64, Band)>)],
) -> Result<(), Error> {
    // Overlapping fills add up to a muddy colour: the more bands, the lighter
    // each fill, and from three bands on each edge is a dashed line in the
    // setup's own colour, so every band can be traced through the others.
    let many = fans.len() >= 3;
    let fill_alpha = FILL_ALPHA * (2.0 / fans.len().max(2) as f64);
    for (setup, pts) in fans {
        let colour = setup_style(*setup).colour;
        if let [(x, (lo, _, hi))] = pts[..] {
            c.line(&[p.at(x, lo), p.at(x, hi)], rgba(colour, 0.6), c.px(10.0))?;
            continue;
        }
        let upper: Vec<_> = pts.iter().map(|(x, v)| p.at(*x, v.2)).collect();
        let lower: Vec<_> = pts.iter().map(|(x, v)| p.at(*x, v.0)).collect();
        let poly: Vec<(f64, f64)> = upper.iter().chain(lower.iter().rev()).copied().collect();
        c.polygon(&poly, rgba(colour, fill_alpha))?;
        for edge in [&upper, &lower] {
            if many {
                c.dashed(edge, rgba(colour, 0.9), c.px(2.0), c.px(9.0), c.px(6.0))?;
            } else {
                c.line(edge, rgba(colour, 0.55), c.px(1.5))?;
            }
        }
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
pub(super) struct Bins {
    pub(super) lo: f64,
    pub(super) width: f64,
    pub(super) n: usize,
}

impl Bins {
    /// About 36 bins covering `lo..=hi`. Integer data get whole-number bins centred on their values.
    pub(super) fn new(lo: f64, hi: f64, integer: bool) -> Bins {
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

    pub(super) fn hi(&self) -> f64 {
        self.lo + self.width * self.n as f64
    }

    /// The share of `values` (in percent) in each bin, and how many lay beyond the bins.
    pub(super) fn shares(&self, values: &[f64]) -> (Vec<f64>, usize) {
        let mut counts = vec![0usize; self.n];
        let mut clamped = 0;
        for &v in values {
            let k = ((v - self.lo) / self.width).floor();
            clamped += usize::from(k < 0.0 || k >= self.n as f64);
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
pub(super) struct Distribution {
    pub(super) setup: usize,
    pub(super) values: Vec<f64>,
}

/// A vertical reference line with its notes.
pub(super) struct Reference {
    pub(super) x: f64,
    pub(super) notes: Vec<NoteLine>,
}

/// A histogram panel's data: the bins, each distribution's share of runs per
/// bin (in percent), the share of all values clamped into the outermost bins,
/// and the largest share.
pub(super) struct HistogramData {
    pub(super) bins: Bins,
    pub(super) shares: Vec<(usize, Vec<f64>)>,
    pub(super) clamped: f64,
    pub(super) max_share: f64,
}

pub(super) fn histogram_data(
    dists: &[Distribution],
    integer: bool,
    trim: f64,
    include: &[f64],
) -> HistogramData {
    // The range: the pooled values less `trim` of each tail (those runs land in
    // the outermost bins), widened to show every reference line clear of the edges.
    // Infinite values (a log of zero) land in an outermost bin; the range is of the finite ones.
    let mut pooled: Vec<f64> = dists
        .iter()
        .flat_map(|d| d.values.iter().copied())
        .filter(|v| v.is_finite())
        .collect();
    let values: usize = dists.iter().map(|d| d.values.len()).sum();
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
    let mut clamped = 0;
    let shares: Vec<(usize, Vec<f64>)> = dists
        .iter()
        .map(|d| {
            let (s, c) = bins.shares(&d.values);
            clamped += c;
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
        clamped: clamped as f64 / values.max(1) as f64,
        max_share,
    }
}

/// The y axis of a histogram, with headroom at the top for `note_lines` lines of notes.
/// The share of a plot's height (about 58% of the chart) that `lines` lines
/// of note-sized text and `pad` px take, at most half: the headroom an axis
/// leaves above its data for labels or notes.
pub(super) fn text_room(c: &Canvas<'_>, lines: usize, pad: f64) -> f64 {
    let plot_h = c.height * 0.58;
    ((lines as f64 * c.line_height(c.size(Role::Note)) + c.px(pad)) / plot_h).min(0.5)
}

pub(super) fn share_axis(c: &Canvas<'_>, ctx: &Ctx<'_>, max_share: f64, note_lines: usize) -> Axis {
    let reserved = text_room(c, note_lines, 30.0);
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
pub(super) fn draw_histograms(
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
pub(super) fn distribution_footnote(
    ctx: &Ctx<'_>,
    clamped: f64,
    undefined: usize,
    first: String,
) -> Vec<String> {
    let mut parts = vec![first];
    if clamped > 0.0 {
        let share = if clamped < 0.001 {
            "<0.1%".to_string()
        } else {
            format!("{}%", thousands(100.0 * clamped, 1))
        };
        parts.push(fill(ctx.w.clamped_note, &[("share", &share)]));
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
