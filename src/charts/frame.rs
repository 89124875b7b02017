//! The frame every chart shares: title, legend strip, panels, notes, reference lines.

use super::*;

/// How a legend entry (or a note line) shows the series it names.
#[derive(Clone, Copy, Debug)]
pub(super) enum Mark {
    /// A solid bar.
    Bar(RGBColor),
    /// A translucent histogram with an outline.
    Hist(RGBColor),
    /// A median line with markers over a translucent band.
    LineBand(RGBColor, Shape),
    /// A dashed reference line.
    Rule,
    /// A line with markers, without a band.
    Line(RGBColor, Shape),
    /// A ring around a singled-out point.
    Ring(RGBColor),
    /// An outline around a singled-out bar or cell.
    Outline(RGBColor),
    /// A translucent shaded area.
    Area(RGBColor),
    /// The colour scale of a heatmap, light to dark.
    Ramp,
}

impl Mark {
    /// The width of the mark in a legend whose text is `lh` high; `wide` for line-like marks.
    pub(super) fn width(self, lh: f64, wide: f64) -> f64 {
        match self {
            Mark::Bar(_) | Mark::Hist(_) | Mark::Ring(_) | Mark::Outline(_) | Mark::Area(_) => {
                lh * 1.05
            }
            Mark::Ramp => wide * 2.4,
            Mark::LineBand(..) | Mark::Rule | Mark::Line(..) => wide,
        }
    }
}

pub(super) fn bar_mark(s: SetupStyle) -> Mark {
    Mark::Bar(s.colour)
}
pub(super) fn hist_mark(s: SetupStyle) -> Mark {
    Mark::Hist(s.colour)
}
pub(super) fn band_mark(s: SetupStyle) -> Mark {
    Mark::LineBand(s.colour, s.shape)
}

#[derive(Clone, Debug)]
pub(super) struct LegendItem {
    pub(super) label: String,
    pub(super) mark: Mark,
}

/// One plotting panel of a frame.
pub(super) struct PanelSpec {
    pub(super) heading: Option<String>,
    pub(super) x: Axis,
    pub(super) y: Axis,
}

/// The common frame of every chart.
pub(super) struct Frame {
    pub(super) title: String,
    pub(super) subtitle: String,
    pub(super) legend: Vec<LegendItem>,
    /// Side by side, sharing the legend.
    pub(super) panels: Vec<PanelSpec>,
    pub(super) footnote: Vec<String>,
}

/// A drawn panel: its plotting rectangle and axes, mapping data to pixels.
pub(super) struct Panel {
    pub(super) plot: Rect,
    pub(super) x: Axis,
    pub(super) y: Axis,
}

impl Panel {
    pub(super) fn px(&self, x: f64) -> f64 {
        self.plot.left + self.x.fraction(x) * (self.plot.right - self.plot.left)
    }
    pub(super) fn py(&self, y: f64) -> f64 {
        self.plot.bottom - self.y.fraction(y) * (self.plot.bottom - self.plot.top)
    }
    pub(super) fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (self.px(x), self.py(y))
    }
    /// Pixel width of one category slot (or of one x unit on a linear axis).
    pub(super) fn slot(&self) -> f64 {
        (self.plot.right - self.plot.left) / (self.x.hi - self.x.lo)
    }
    /// Pixel height of one category slot on the y axis.
    pub(super) fn slot_height(&self) -> f64 {
        (self.plot.bottom - self.plot.top) / (self.y.hi - self.y.lo)
    }
    pub(super) fn width(&self) -> f64 {
        self.plot.right - self.plot.left
    }
}

/// Draws a legend mark in the box `r`.
pub(super) fn draw_mark(c: &Canvas<'_>, mark: Mark, r: Rect) -> Result<(), Error> {
    let mid = (r.top + r.bottom) / 2.0;
    let sq = (r.bottom - r.top) * 0.85;
    let square = Rect {
        left: r.left,
        top: mid - sq / 2.0,
        right: r.left + sq,
        bottom: mid + sq / 2.0,
    };
    match mark {
        Mark::Bar(colour) => c.rect(square, rgba(colour, 1.0)),
        Mark::Hist(colour) => {
            c.rect(square, rgba(colour, FILL_ALPHA + 0.1))?;
            c.outline(square, rgba(colour, 1.0), c.px(3.0))
        }
        Mark::LineBand(colour, shape) => {
            c.rect(
                Rect {
                    top: mid - sq * 0.45,
                    bottom: mid + sq * 0.45,
                    ..r
                },
                rgba(colour, FILL_ALPHA + 0.06),
            )?;
            c.line(
                &[(r.left, mid), (r.right, mid)],
                rgba(colour, 1.0),
                c.px(4.0),
            )?;
            c.marker(shape, ((r.left + r.right) / 2.0, mid), c.px(7.0), colour)
        }
        Mark::Rule => c.dashed(
            &[(r.left, mid), (r.right, mid)],
            REFERENCE,
            c.px(3.0),
            c.px(9.0),
            c.px(5.0),
        ),
        Mark::Line(colour, shape) => {
            c.line(
                &[(r.left, mid), (r.right, mid)],
                rgba(colour, 1.0),
                c.px(4.0),
            )?;
            c.marker(shape, ((r.left + r.right) / 2.0, mid), c.px(7.0), colour)
        }
        Mark::Ring(colour) => c.ring(
            ((square.left + square.right) / 2.0, mid),
            sq * 0.42,
            colour,
            c.px(3.5),
        ),
        Mark::Outline(colour) => {
            let w = c.px(4.0).max(2.0);
            let inset = Rect {
                left: square.left + w / 2.0,
                top: square.top + w / 2.0,
                right: square.right - w / 2.0,
                bottom: square.bottom - w / 2.0,
            };
            c.outline(inset, rgba(colour, 1.0), w)
        }
        Mark::Area(colour) => {
            c.rect(square, rgba(colour, FILL_ALPHA))?;
            c.outline(square, rgba(colour, 0.7), c.px(1.5))
        }
        Mark::Ramp => draw_ramp_mark(c, r, square),
    }
}

/// The colour ramp of a heatmap, in `r` at the height of `square`.
fn draw_ramp_mark(c: &Canvas<'_>, r: Rect, square: Rect) -> Result<(), Error> {
    let steps = 24;
    let w = (r.right - r.left) / steps as f64;
    for k in 0..steps {
        let colour = ramp((k as f64 + 0.5) / steps as f64);
        c.rect(
            Rect {
                left: r.left + k as f64 * w,
                right: r.left + (k + 1) as f64 * w + 0.5,
                ..square
            },
            rgba(colour, 1.0),
        )?;
    }
    c.outline(
        Rect {
            left: r.left,
            right: r.right,
            ..square
        },
        AXIS,
        c.px(1.0).max(1.0),
    )
}

/// Draws the common frame of a chart, returning its panels ready for data:
/// background, title, subtitle, legend (in its own strip, never over data),
/// footnote, and for each panel its heading, axis titles, ticks and gridlines.
pub(super) fn draw_frame(c: &Canvas<'_>, f: Frame) -> Result<Vec<Panel>, Error> {
    ok(c.area.fill(&WHITE))?;
    let margin = c.px(32.0);
    let inner = c.width - 2.0 * margin;
    let mut top = margin;
    top += draw_title(c, &f.title, (margin, top), inner)?;
    let ss = c.size(Role::Subtitle);
    if !f.subtitle.is_empty() {
        let lines = c.wrap(&f.subtitle, ss, inner);
        top += c.lines(&lines, (margin, top), ss, MUTED, Align::Start)?;
    }
    if !f.legend.is_empty() {
        top += c.px(8.0);
        top += draw_legend(c, &f.legend, (margin, top), inner)?;
    }
    top += c.px(14.0);
    let bottom = draw_footnote(c, &f.footnote, margin, inner)?;
    // Panels side by side.
    let n = f.panels.len().max(1) as f64;
    let panel_gap = c.px(56.0);
    let panel_w = (inner - panel_gap * (n - 1.0)) / n;
    let mut panels = Vec::new();
    for (i, p) in f.panels.into_iter().enumerate() {
        let left = margin + i as f64 * (panel_w + panel_gap);
        let area = Rect {
            left,
            top,
            right: left + panel_w,
            bottom,
        };
        panels.push(draw_panel(c, p, area)?);
    }
    Ok(panels)
}

/// The title, shrunk (then shortened) to fit one line; returns the height used.
fn draw_title(c: &Canvas<'_>, title: &str, at: (f64, f64), inner: f64) -> Result<f64, Error> {
    let mut ts = c.size(Role::Title);
    let w = c.text_width(title, ts);
    if w > inner {
        // A hair under the exact fit, so that rounding does not then shorten it.
        ts = (ts * inner / w * 0.995).max(c.size(Role::Title) * 0.7);
    }
    let title = c.truncate(title, ts, inner);
    c.text(&title, at, ts, INK, Align::Start, Align::Start)?;
    Ok(c.font.height(ts) + c.px(14.0))
}

/// The legend: entries in rows, wrapping when a row is full; returns the height used.
fn draw_legend(
    c: &Canvas<'_>,
    legend: &[LegendItem],
    (margin, top): (f64, f64),
    inner: f64,
) -> Result<f64, Error> {
    let ls = c.size(Role::Legend);
    let lh = c.font.height(ls);
    let mark_w = c.px(46.0);
    let gap = c.px(12.0);
    let spacing = c.px(40.0);
    let row_h = lh * 1.45;
    let (mut x, mut row) = (margin, 0.0);
    for item in legend {
        let mark_w = item.mark.width(lh, mark_w);
        let label = c.truncate(&item.label, ls, inner - mark_w - gap);
        let w = mark_w + gap + c.text_width(&label, ls);
        if x > margin && x + w > margin + inner {
            x = margin;
            row += row_h;
        }
        let y = top + row;
        let mark = Rect {
            left: x,
            top: y,
            right: x + mark_w,
            bottom: y + lh,
        };
        draw_mark(c, item.mark, mark)?;
        let at = (x + mark_w + gap, y);
        c.text(&label, at, ls, INK, Align::Start, Align::Start)?;
        x += mark_w + gap + c.text_width(&label, ls) + spacing;
    }
    Ok(row + row_h)
}

/// The footnote, from the bottom up; returns where the panels must end.
fn draw_footnote(
    c: &Canvas<'_>,
    footnote: &[String],
    margin: f64,
    inner: f64,
) -> Result<f64, Error> {
    let fs = c.size(Role::Footnote);
    let foot: Vec<String> = footnote.iter().flat_map(|p| c.wrap(p, fs, inner)).collect();
    let bottom = c.height - margin * 0.75 - foot.len() as f64 * c.line_height(fs);
    c.lines(&foot, (margin, bottom), fs, MUTED, Align::Start)?;
    Ok(bottom - if foot.is_empty() { 0.0 } else { c.px(18.0) })
}

/// A panel's heading in up to two lines (a longer one is shortened at the end
/// of the second); returns the height used.
fn draw_heading(c: &Canvas<'_>, heading: &str, area: &Rect) -> Result<f64, Error> {
    let hs = c.size(Role::Heading);
    let width = area.right - area.left;
    let mut lines = c.wrap(heading, hs, width);
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        lines.push(rest);
    }
    let lines: Vec<String> = lines.iter().map(|l| c.truncate(l, hs, width)).collect();
    let used = c.lines(&lines, (area.left, area.top), hs, INK, Align::Start)?;
    Ok(used - c.line_height(hs) + c.font.height(hs) + c.px(16.0))
}

/// The x tick labels, category labels wrapped to their slots, and each one's width.
fn x_tick_labels(c: &Canvas<'_>, x: &Axis, plot_w: f64) -> (Vec<Vec<String>>, Vec<f64>) {
    let ts = c.size(Role::Tick);
    let slots = if x.scale == Scale::Category {
        x.ticks.len().max(1) as f64
    } else {
        0.0
    };
    let labels: Vec<Vec<String>> = x
        .ticks
        .iter()
        .map(|(_, l)| {
            if slots > 0.0 {
                let max = plot_w / slots * 0.94;
                l.split('\n')
                    .flat_map(|line| c.wrap(line, ts, max))
                    .map(|line| c.truncate(&line, ts, max))
                    .collect()
            } else {
                vec![l.clone()]
            }
        })
        .collect();
    let widths = labels
        .iter()
        .map(|ls| ls.iter().map(|l| c.text_width(l, ts)).fold(0.0, f64::max))
        .collect();
    (labels, widths)
}

/// Lays out and draws one panel's heading, axes and grid inside `area`.
pub(super) fn draw_panel(c: &Canvas<'_>, p: PanelSpec, area: Rect) -> Result<Panel, Error> {
    let (ts, ats) = (c.size(Role::Tick), c.size(Role::AxisTitle));
    let tick_len = c.px(8.0);
    let gap = c.px(10.0);
    let mut top = area.top;
    if let Some(h) = &p.heading {
        top += draw_heading(c, h, &area)?;
    }
    // Half a tick label sticks out above the top gridline.
    top += c.font.height(ts) * 0.6;
    let y_title_w = c.font.height(ats);
    let y_label_w =
        p.y.ticks
            .iter()
            .map(|(_, l)| c.text_width(l, ts))
            .fold(0.0, f64::max);
    let left = area.left + y_title_w + gap * 1.5 + y_label_w + gap;
    let plot_w0 = area.right - left;
    // X tick labels: fit category labels to their slots; thin numeric ones that would collide.
    let (x_labels, label_w) = x_tick_labels(c, &p.x, plot_w0);
    // Room on the right for half of the last label.
    let last_over = match (p.x.scale, p.x.ticks.last(), label_w.last()) {
        (Scale::Category, _, _) | (_, None, _) | (_, _, None) => 0.0,
        (_, Some((v, _)), Some(w)) => (w / 2.0 - (1.0 - p.x.fraction(*v)) * plot_w0).max(0.0),
    };
    let right = area.right - last_over - c.px(4.0);
    let lines = x_labels.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let x_label_h = lines * c.line_height(ts);
    let x_title_h = if p.x.title.is_empty() {
        0.0
    } else {
        c.font.height(ats) + gap
    };
    let bottom = area.bottom - x_title_h - gap - x_label_h - tick_len;
    let panel = Panel {
        plot: Rect {
            left,
            top,
            right,
            bottom,
        },
        x: p.x,
        y: p.y,
    };
    draw_axes(c, &panel, &x_labels, &label_w)?;
    draw_axis_titles(c, &panel, &area)?;
    Ok(panel)
}

/// Gridlines, the axis line, ticks and tick labels (every k-th x label, so
/// that neighbours do not touch).
fn draw_axes(
    c: &Canvas<'_>,
    panel: &Panel,
    x_labels: &[Vec<String>],
    label_w: &[f64],
) -> Result<(), Error> {
    let ts = c.size(Role::Tick);
    let (tick_len, gap) = (c.px(8.0), c.px(10.0));
    let Rect {
        left,
        top,
        right,
        bottom,
    } = panel.plot;
    let xs: Vec<f64> = panel.x.ticks.iter().map(|(v, _)| panel.px(*v)).collect();
    let mut every = 1;
    while every < xs.len() {
        let clear = (every..xs.len())
            .step_by(every)
            .all(|j| xs[j] - xs[j - every] >= (label_w[j] + label_w[j - every]) / 2.0 + c.px(14.0));
        if clear {
            break;
        }
        every += 1;
    }
    let thin = c.px(1.5).max(1.0);
    for (v, label) in &panel.y.ticks {
        let y = panel.py(*v);
        if panel.y.grid {
            c.line(&[(left, y), (right, y)], GRID, thin)?;
        }
        c.text(label, (left - gap, y), ts, MUTED, Align::End, Align::Middle)?;
    }
    for (i, ((v, _), ls)) in panel.x.ticks.iter().zip(x_labels).enumerate() {
        let x = panel.px(*v);
        if panel.x.grid {
            c.line(&[(x, top), (x, bottom)], GRID, thin)?;
        }
        if i % every == 0 {
            c.line(&[(x, bottom), (x, bottom + tick_len)], AXIS, thin)?;
            let at = (x, bottom + tick_len + gap * 0.6);
            c.lines(ls, at, ts, MUTED, Align::Middle)?;
        }
    }
    c.line(&[(left, bottom), (right, bottom)], AXIS, c.px(2.0).max(1.0))
}

/// Axis titles: x centred below, y reading upwards on the left.
fn draw_axis_titles(c: &Canvas<'_>, panel: &Panel, area: &Rect) -> Result<(), Error> {
    let ats = c.size(Role::AxisTitle);
    let Rect {
        left,
        top,
        right,
        bottom,
    } = panel.plot;
    if !panel.x.title.is_empty() {
        let t = c.truncate(&panel.x.title, ats, area.right - area.left);
        let at = ((left + right) / 2.0, area.bottom);
        c.text(&t, at, ats, INK, Align::Middle, Align::End)?;
    }
    let t = c.truncate(&panel.y.title, ats, bottom - area.top);
    c.text_rotated(
        &t,
        (area.left, (top + bottom) / 2.0),
        ats,
        INK,
        Align::Middle,
        Align::Start,
        true,
    )
}

// ---------------------------------------------------------------------------
// Shared data drawing
// ---------------------------------------------------------------------------

/// A note line: text, optionally after a mark naming its series.
pub(super) struct NoteLine {
    pub(super) mark: Option<Mark>,
    pub(super) text: String,
}

/// Draws notes in a white box at the top of a panel beside x = `at` (right of
/// it when there is room); keeps clear of `taken` boxes and records its own.
/// A note too long for the panel wraps under its own text.
pub(super) fn note_box(
    c: &Canvas<'_>,
    panel: &Panel,
    at: f64,
    lines: &[NoteLine],
    taken: &mut Vec<Rect>,
) -> Result<(), Error> {
    let ns = c.size(Role::Note);
    let lh = c.line_height(ns);
    let pad = c.px(10.0);
    let mark_w = c.font.height(ns) * 1.05 + c.px(10.0);
    let max_text = (panel.width() * 0.9 - 2.0 * pad - mark_w).max(c.px(60.0));
    // (mark, indent, text) per row.
    let mut rows: Vec<(Option<Mark>, f64, String)> = Vec::new();
    for line in lines {
        let indent = if line.mark.is_some() { mark_w } else { 0.0 };
        for (k, text) in c.wrap(&line.text, ns, max_text).into_iter().enumerate() {
            rows.push((
                if k == 0 { line.mark } else { None },
                indent,
                c.truncate(&text, ns, max_text),
            ));
        }
    }
    let w = rows
        .iter()
        .map(|(_, indent, t)| indent + c.text_width(t, ns))
        .fold(0.0, f64::max)
        + 2.0 * pad;
    let h = rows.len() as f64 * lh + 2.0 * pad - (lh - c.font.height(ns));
    let x = if at + c.px(10.0) + w <= panel.plot.right {
        at + c.px(10.0)
    } else {
        (at - c.px(10.0) - w).max(panel.plot.left)
    };
    let mut r = Rect {
        left: x,
        top: panel.plot.top + c.px(4.0),
        right: x + w,
        bottom: panel.plot.top + c.px(4.0) + h,
    };
    while let Some(t) = taken.iter().find(|t| t.overlaps(&r)) {
        let dy = t.bottom + c.px(6.0) - r.top;
        r.top += dy;
        r.bottom += dy;
    }
    taken.push(r);
    c.rect(r, RGBAColor(255, 255, 255, 0.88))?;
    for (i, (mark, indent, text)) in rows.iter().enumerate() {
        let y = r.top + pad + i as f64 * lh;
        if let Some(m) = mark {
            let sq = c.font.height(ns);
            draw_mark(
                c,
                *m,
                Rect {
                    left: r.left + pad,
                    top: y,
                    right: r.left + pad + sq * 1.05,
                    bottom: y + sq,
                },
            )?;
        }
        c.text(
            text,
            (r.left + pad + indent, y),
            ns,
            INK,
            Align::Start,
            Align::Start,
        )?;
    }
    Ok(())
}

/// A dashed vertical reference line across a panel.
pub(super) fn reference_line(c: &Canvas<'_>, panel: &Panel, x: f64) -> Result<f64, Error> {
    let px = panel.px(x);
    c.dashed(
        &[(px, panel.plot.bottom), (px, panel.plot.top)],
        REFERENCE,
        c.px(3.0),
        c.px(12.0),
        c.px(7.0),
    )?;
    Ok(px)
}
