//! The canvas a chart draws on: text roles and sizes, wrapping, rectangles.

use super::*;

/// Text roles and their sizes in px at 1600x900 (scaled with the chart).
#[derive(Clone, Copy)]
pub(super) enum Role {
    Title,
    Subtitle,
    Legend,
    Heading,
    AxisTitle,
    Tick,
    Note,
    Footnote,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Align {
    Start,
    Middle,
    End,
}

/// A pixel rectangle.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rect {
    pub(super) left: f64,
    pub(super) top: f64,
    pub(super) right: f64,
    pub(super) bottom: f64,
}

impl Rect {
    pub(super) fn overlaps(&self, o: &Rect) -> bool {
        self.left < o.right && o.left < self.right && self.top < o.bottom && o.top < self.bottom
    }
}

/// The drawing surface of one chart.
pub(super) struct Canvas<'b> {
    pub(super) area: DrawingArea<BitMapBackend<'b>, Shift>,
    pub(super) font: fonts::Font,
    pub(super) width: f64,
    pub(super) height: f64,
    /// 1.0 at 1600x900.
    pub(super) scale: f64,
}

pub(super) fn ok<T, E: fmt::Display>(r: Result<T, E>) -> Result<T, Error> {
    r.map_err(|e| Error::Run(e.to_string()))
}

impl<'b> Canvas<'b> {
    pub(super) fn new(
        area: DrawingArea<BitMapBackend<'b>, Shift>,
        font: fonts::Font,
        size: ChartSize,
    ) -> Self {
        // Text grows with the chart's area, but never so much that a 1600x900 layout
        // would not fit across (or down) it.
        let (w, h) = (size.width as f64 / 1600.0, size.height as f64 / 900.0);
        let scale = (w * h).sqrt().min(1.3 * w).min(1.3 * h);
        Canvas {
            area,
            font,
            width: size.width as f64,
            height: size.height as f64,
            scale,
        }
    }

    /// A length given in px at 1600x900.
    pub(super) fn px(&self, base: f64) -> f64 {
        base * self.scale
    }

    pub(super) fn size(&self, role: Role) -> f64 {
        let base = match role {
            Role::Title => 36.0,
            Role::Subtitle => 23.0,
            Role::Legend => 24.0,
            Role::Heading => 26.0,
            Role::AxisTitle => 24.0,
            Role::Tick => 22.0,
            Role::Note => 22.0,
            Role::Footnote => 19.0,
        };
        (base * self.scale).max(9.0)
    }

    /// Visible height of a line of text, and the distance between stacked lines.
    pub(super) fn line_height(&self, size: f64) -> f64 {
        self.font.height(size) * 1.25
    }

    pub(super) fn style(&self, size: f64, colour: RGBAColor) -> TextStyle<'static> {
        let mut style = TextStyle::from((self.font.family, size).into_font());
        style.color = colour.to_backend_color();
        style
    }

    /// The advance width of `text` at `size` px.
    pub(super) fn text_width(&self, text: &str, size: f64) -> f64 {
        self.font.layout(text, size).1
    }

    /// Draws one line of text; `h` and `v` say which side of its ink is at `at`
    /// (`v` Middle centres the capitals and digits on `at`).
    pub(super) fn text(
        &self,
        text: &str,
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
        v: Align,
    ) -> Result<(), Error> {
        self.text_rotated(text, at, size, colour, h, v, false)
    }

    /// As [`Canvas::text`], optionally rotated to read upwards (a vertical axis title).
    ///
    /// Glyphs are drawn one by one at the places [`fonts::Font::layout`] gives,
    /// which honour each glyph's side bearing (plotters alone would not).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn text_rotated(
        &self,
        text: &str,
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
        v: Align,
        up: bool,
    ) -> Result<(), Error> {
        let (placed, width) = self.font.layout(text, size);
        let start = match h {
            Align::Start => 0.0,
            Align::Middle => -width / 2.0,
            Align::End => -width,
        };
        // plotters' text top, from the visible alignment asked for.
        let shift = -size
            * match v {
                Align::Start => self.font.top,
                Align::Middle => self.font.middle,
                Align::End => self.font.bottom,
            };
        let mut style = self
            .style(size, colour)
            .pos(Pos::new(HPos::Left, VPos::Top));
        if up {
            style = style.transform(FontTransform::Rotate270);
        }
        let mut buf = [0u8; 4];
        for (x, c) in placed {
            if c.is_whitespace() {
                continue;
            }
            let along = start + x;
            let pos = if up {
                (at.0 + shift, at.1 - along)
            } else {
                (at.0 + along, at.1 + shift)
            };
            ok(self.area.draw_text(
                c.encode_utf8(&mut buf),
                &style,
                (pos.0.round() as i32, pos.1.round() as i32),
            ))?;
        }
        Ok(())
    }

    /// Draws lines of text from `top`; returns the height used.
    pub(super) fn lines(
        &self,
        lines: &[String],
        at: (f64, f64),
        size: f64,
        colour: RGBAColor,
        h: Align,
    ) -> Result<f64, Error> {
        let lh = self.line_height(size);
        for (i, line) in lines.iter().enumerate() {
            self.text(
                line,
                (at.0, at.1 + i as f64 * lh),
                size,
                colour,
                h,
                Align::Start,
            )?;
        }
        Ok(lines.len() as f64 * lh)
    }

    /// Breaks `text` into lines no wider than `max` (at spaces; anywhere in text without spaces).
    pub(super) fn wrap(&self, text: &str, size: f64, max: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for token in tokens(paragraph) {
                let candidate = format!("{line}{token}");
                if line.is_empty() || self.text_width(candidate.trim_end(), size) <= max {
                    line = candidate;
                } else {
                    lines.push(line.trim_end().to_string());
                    line = token.trim_start().to_string();
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    /// Shortens `text` with an ellipsis until it fits in `max`.
    pub(super) fn truncate(&self, text: &str, size: f64, max: f64) -> String {
        if self.text_width(text, size) <= max {
            return text.to_string();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let t: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if self.text_width(&t, size) <= max {
                return t;
            }
        }
        "…".into()
    }

    pub(super) fn rect(&self, r: Rect, colour: RGBAColor) -> Result<(), Error> {
        let style = ShapeStyle {
            color: colour,
            filled: true,
            stroke_width: 1,
        };
        let (l, t, rr, b) = (
            r.left.round() as i32,
            r.top.round() as i32,
            r.right.round() as i32,
            r.bottom.round() as i32,
        );
        if rr <= l || b <= t {
            return Ok(());
        }
        ok(self.area.draw(&Rectangle::new([(l, t), (rr, b)], style)))
    }

    pub(super) fn outline(&self, r: Rect, colour: RGBAColor, width: f64) -> Result<(), Error> {
        let pts = [
            (r.left, r.top),
            (r.right, r.top),
            (r.right, r.bottom),
            (r.left, r.bottom),
            (r.left, r.top),
        ];
        self.line(&pts, colour, width)
    }

    pub(super) fn line(
        &self,
        points: &[(f64, f64)],
        colour: RGBAColor,
        width: f64,
    ) -> Result<(), Error> {
        if points.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: colour,
            filled: false,
            stroke_width: width.round().max(1.0) as u32,
        };
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        ok(self.area.draw(&PathElement::new(pts, style)))
    }

    pub(super) fn dashed(
        &self,
        points: &[(f64, f64)],
        colour: RGBAColor,
        width: f64,
        dash: f64,
        gap: f64,
    ) -> Result<(), Error> {
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
            let mut s = 0.0;
            while s < len {
                let e = (s + dash).min(len);
                let at = |d: f64| (x0 + (x1 - x0) * d / len, y0 + (y1 - y0) * d / len);
                self.line(&[at(s), at(e)], colour, width)?;
                s = e + gap;
            }
        }
        Ok(())
    }

    pub(super) fn polygon(&self, points: &[(f64, f64)], colour: RGBAColor) -> Result<(), Error> {
        let pts: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        ok(self.area.draw(&Polygon::new(
            pts,
            ShapeStyle {
                color: colour,
                filled: true,
                stroke_width: 1,
            },
        )))
    }

    /// A circle outline of radius `r` (to the middle of its stroke), with a white rim on both sides.
    pub(super) fn ring(
        &self,
        (x, y): (f64, f64),
        r: f64,
        colour: RGBColor,
        width: f64,
    ) -> Result<(), Error> {
        let rim = self.px(1.5).max(1.0);
        for (radius, w, c) in [
            (r, width + 2.0 * rim, WHITE_A),
            (r, width, rgba(colour, 1.0)),
        ] {
            let style = ShapeStyle {
                color: c,
                filled: false,
                stroke_width: w.round().max(1.0) as u32,
            };
            ok(self.area.draw(&Circle::new(
                (x.round() as i32, y.round() as i32),
                radius.round() as i32,
                style,
            )))?;
        }
        Ok(())
    }

    /// A marker of radius `r`, with a white rim so it stands out on lines and bands.
    pub(super) fn marker(
        &self,
        shape: Shape,
        (x, y): (f64, f64),
        r: f64,
        colour: RGBColor,
    ) -> Result<(), Error> {
        let rim = self.px(2.0).max(1.0);
        for (radius, c) in [(r + rim, WHITE_A), (r, rgba(colour, 1.0))] {
            match shape {
                Shape::Circle => {
                    let style = ShapeStyle {
                        color: c,
                        filled: true,
                        stroke_width: 1,
                    };
                    ok(self.area.draw(&Circle::new(
                        (x.round() as i32, y.round() as i32),
                        radius.round() as i32,
                        style,
                    )))?;
                }
                Shape::Square => {
                    let a = radius * 0.9;
                    self.rect(
                        Rect {
                            left: x - a,
                            top: y - a,
                            right: x + a,
                            bottom: y + a,
                        },
                        c,
                    )?;
                }
                Shape::Triangle => self.polygon(
                    &[
                        (x, y - radius * 1.2),
                        (x + radius * 1.1, y + radius * 0.8),
                        (x - radius * 1.1, y + radius * 0.8),
                    ],
                    c,
                )?,
                Shape::TriangleDown => self.polygon(
                    &[
                        (x, y + radius * 1.2),
                        (x + radius * 1.1, y - radius * 0.8),
                        (x - radius * 1.1, y - radius * 0.8),
                    ],
                    c,
                )?,
                Shape::Diamond => self.polygon(
                    &[
                        (x, y - radius * 1.25),
                        (x + radius * 1.25, y),
                        (x, y + radius * 1.25),
                        (x - radius * 1.25, y),
                    ],
                    c,
                )?,
            }
        }
        Ok(())
    }
}

/// Words with their following spaces, and each character of text without spaces
/// (Japanese), so wrapping can break anywhere a reader would.
pub(super) fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let wide = !c.is_ascii() && !c.is_whitespace();
        if wide {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else {
            word.push(c);
            if c == ' ' {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    // Keep closing punctuation with the character before it.
    let mut merged: Vec<String> = Vec::new();
    for t in out {
        let closing = t
            .chars()
            .next()
            .is_some_and(|c| "、。）」』，．・：".contains(c));
        match merged.last_mut() {
            Some(last) if closing => last.push_str(&t),
            _ => merged.push(t),
        }
    }
    merged
}

// ---------------------------------------------------------------------------
// Axes, legend, frame
// ---------------------------------------------------------------------------
