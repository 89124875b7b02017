//! Every font concern of the charts, in one place: the embedded font, a
//! scenario's own font file, and the metrics that place text where it is asked.
//!
//! plotters is built without its `ttf` feature, so it never looks for system
//! fonts (no font-kit, no fontconfig): text is drawn by `ab_glyph` from font
//! bytes registered here. A font family is registered once per process under
//! a name of its own, so charts with different fonts can render side by side
//! on several threads without touching each other's text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, InputError};

/// The font shipped inside the program: a subset of IPAexGothic covering
/// Latin and Japanese (IPA Font License v1.0; see assets/fonts/).
pub static EMBEDDED_FONT: &[u8] = include_bytes!("../../assets/fonts/funnelsim-sans.ttf");

/// The family name the embedded font is registered under.
const EMBEDDED_FAMILY: &str = "funnelsim-sans";

/// A registered font family and where its glyphs sit.
///
/// Two quirks of plotters' `ab_glyph` text are corrected here. It puts the
/// baseline half a font size below the top of the box it reports, so tall
/// glyphs rise above that box: `top`, `middle` and `bottom` are measured from
/// real ink, once per font, as fractions of the font size, so text can be
/// aligned by its visible top, middle or bottom. And it draws each glyph's
/// ink at the pen position, ignoring the glyph's left side bearing, which
/// opens gaps after small kana and brackets ("ファ ネル", "（ MA"): [`Glyphs`]
/// reads the advances and bearings from the font file so that text can be
/// drawn glyph by glyph at the right places.
#[derive(Clone, Copy, Debug)]
pub struct Font {
    pub family: &'static str,
    pub glyphs: &'static Glyphs,
    /// Top of the tallest glyphs ("H", "Á", "商"), relative to plotters' text top.
    pub top: f64,
    /// Middle of the capitals and digits.
    pub middle: f64,
    /// Bottom of descenders ("g", "商").
    pub bottom: f64,
}

impl Font {
    /// The visible height of a line of text at `size` px.
    pub fn height(&self, size: f64) -> f64 {
        (self.bottom - self.top) * size
    }

    /// Where each character of `text` goes at `size` px: (pen position of
    /// its ink's left edge, the character), and the total advance width.
    pub fn layout(&self, text: &str, size: f64) -> (Vec<(f64, char)>, f64) {
        let k = self.glyphs.px_per_unit * size;
        let mut pen = 0.0;
        let mut placed = Vec::with_capacity(text.len());
        for c in text.chars() {
            let g = self.glyphs.glyph(c);
            let (advance, x_min) = self.glyphs.metrics(g);
            // ab_glyph puts ink column 0 at floor(x_min * scale); plotters draws that column at the pen.
            placed.push((pen + (x_min * k).floor(), c));
            pen += advance * k;
        }
        (placed, pen)
    }

    /// Whether the font has a glyph for `c` (else it draws the missing-glyph box).
    pub fn has_glyph(&self, c: char) -> bool {
        self.glyphs.glyph(c) != 0
    }
}

/// The parts of a TrueType / OpenType file needed to place glyphs: the
/// character map, the advance widths and each glyph's left edge.
#[derive(Debug)]
pub struct Glyphs {
    data: &'static [u8],
    /// The cmap subtable used (format 4 or 12), as an offset into `data`.
    cmap: Option<usize>,
    hmtx: usize,
    h_metrics: usize,
    /// `glyf` and `loca` offsets and the `loca` format, for outline bounds (TrueType outlines).
    glyf: Option<(usize, usize, bool)>,
    num_glyphs: usize,
    /// Pixels per font unit at font size 1 (measured from plotters' own layout).
    px_per_unit: f64,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

impl Glyphs {
    /// Reads the tables of a font file (the first font of a collection); `None` if they are not there.
    fn parse(data: &'static [u8]) -> Option<Glyphs> {
        let base = if data.get(0..4)? == b"ttcf" {
            u32_at(data, 12)? as usize
        } else {
            0
        };
        let tables = u16_at(data, base + 4)? as usize;
        let table = |tag: &[u8]| -> Option<usize> {
            (0..tables)
                .map(|i| base + 12 + 16 * i)
                .find(|&rec| data.get(rec..rec + 4) == Some(tag))
                .and_then(|rec| u32_at(data, rec + 8))
                .map(|o| o as usize)
        };
        let (head, hhea, hmtx, maxp) = (
            table(b"head")?,
            table(b"hhea")?,
            table(b"hmtx")?,
            table(b"maxp")?,
        );
        let h_metrics = u16_at(data, hhea + 34)? as usize;
        let num_glyphs = u16_at(data, maxp + 4)? as usize;
        if h_metrics == 0 {
            return None;
        }
        let glyf = match (table(b"glyf"), table(b"loca")) {
            (Some(glyf), Some(loca)) => Some((glyf, loca, u16_at(data, head + 50)? == 1)),
            _ => None,
        };
        let cmap = table(b"cmap").and_then(|cmap| {
            let n = u16_at(data, cmap + 2)? as usize;
            let subtables: Vec<(u16, u16, usize)> = (0..n)
                .filter_map(|i| {
                    Some((
                        u16_at(data, cmap + 4 + 8 * i)?,
                        u16_at(data, cmap + 6 + 8 * i)?,
                        cmap + u32_at(data, cmap + 8 + 8 * i)? as usize,
                    ))
                })
                .collect();
            let format = |at: usize| u16_at(data, at).unwrap_or(0);
            // Full Unicode (format 12) first, then the Basic Multilingual Plane (format 4).
            subtables
                .iter()
                .find(|&&(p, _, at)| (p == 3 || p == 0) && format(at) == 12)
                .or_else(|| {
                    subtables
                        .iter()
                        .find(|&&(p, _, at)| (p == 3 || p == 0) && format(at) == 4)
                })
                .map(|&(_, _, at)| at)
        });
        Some(Glyphs {
            data,
            cmap,
            hmtx,
            h_metrics,
            glyf,
            num_glyphs,
            px_per_unit: 0.0,
        })
    }

    /// The glyph of `c` (0, the missing-glyph box, when the font has none).
    pub fn glyph(&self, c: char) -> u16 {
        self.lookup(c as u32)
            .filter(|&g| (g as usize) < self.num_glyphs)
            .unwrap_or(0)
    }

    fn lookup(&self, c: u32) -> Option<u16> {
        let d = self.data;
        let at = self.cmap?;
        match u16_at(d, at)? {
            12 => {
                let groups = u32_at(d, at + 12)? as usize;
                let (mut lo, mut hi) = (0, groups);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let g = at + 16 + 12 * mid;
                    let (start, end) = (u32_at(d, g)?, u32_at(d, g + 4)?);
                    if c < start {
                        hi = mid;
                    } else if c > end {
                        lo = mid + 1;
                    } else {
                        return u16::try_from(u32_at(d, g + 8)? + (c - start)).ok();
                    }
                }
                None
            }
            4 => {
                let c = u16::try_from(c).ok()?;
                let segs = u16_at(d, at + 6)? as usize / 2;
                let ends = at + 14;
                let starts = ends + 2 * segs + 2;
                let deltas = starts + 2 * segs;
                let ranges = deltas + 2 * segs;
                let i = (0..segs).find(|&i| u16_at(d, ends + 2 * i).is_some_and(|e| e >= c))?;
                let start = u16_at(d, starts + 2 * i)?;
                if start > c {
                    return None;
                }
                let delta = u16_at(d, deltas + 2 * i)?;
                let range = u16_at(d, ranges + 2 * i)? as usize;
                if range == 0 {
                    return Some(c.wrapping_add(delta));
                }
                let g = u16_at(d, ranges + 2 * i + range + 2 * (c - start) as usize)?;
                (g != 0).then(|| g.wrapping_add(delta))
            }
            _ => None,
        }
    }

    /// (advance width, left edge of the outline) of glyph `g`, in font units.
    fn metrics(&self, g: u16) -> (f64, f64) {
        let d = self.data;
        let g = g as usize;
        let n = self.h_metrics;
        let advance = u16_at(d, self.hmtx + 4 * g.min(n - 1)).unwrap_or(0) as f64;
        let lsb = if g < n {
            u16_at(d, self.hmtx + 4 * g + 2)
        } else {
            u16_at(d, self.hmtx + 4 * n + 2 * (g - n))
        };
        let lsb = lsb.map_or(0.0, |v| v as i16 as f64);
        // The outline's own bounds, which ab_glyph rasterises from, where the font has them.
        let x_min = self.glyf.and_then(|(glyf, loca, long)| {
            let (from, to) = if long {
                (
                    u32_at(d, loca + 4 * g)? as usize,
                    u32_at(d, loca + 4 * g + 4)? as usize,
                )
            } else {
                (
                    2 * u16_at(d, loca + 2 * g)? as usize,
                    2 * u16_at(d, loca + 2 * g + 2)? as usize,
                )
            };
            (to > from)
                .then(|| u16_at(d, glyf + from + 2))
                .flatten()
                .map(|v| v as i16 as f64)
        });
        (advance, x_min.unwrap_or(lsb))
    }
}

/// The font to draw with: the scenario's `[chart] font`, else the embedded one.
pub fn font_for(path: Option<&Path>) -> Result<Font, Error> {
    match path {
        None => Ok(embedded()),
        Some(path) => user_font(path),
    }
}

/// The embedded font, registered on first use.
pub fn embedded() -> Font {
    static FONT: OnceLock<Font> = OnceLock::new();
    *FONT.get_or_init(|| {
        // The embedded bytes are a valid font: the build would be broken otherwise.
        let glyphs = Glyphs::parse(EMBEDDED_FONT);
        if plotters::style::register_font(EMBEDDED_FAMILY, FontStyle::Normal, EMBEDDED_FONT)
            .is_err()
            || glyphs.is_none()
        {
            panic!("the embedded chart font does not parse");
        }
        // Anything that falls back to plotters' default family gets the same font.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, EMBEDDED_FONT);
        measure(EMBEDDED_FAMILY, glyphs.expect("checked above"))
    })
}

/// A font file named by a scenario, loaded and registered once per path.
fn user_font(path: &Path) -> Result<Font, Error> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Font>>> = OnceLock::new();
    let fail = |what: String| {
        Error::Input(
            InputError::new(what)
                .key("chart.font")
                .hint("name a TrueType or OpenType font file (.ttf or .otf) relative to the scenario file, or remove `font` to use the built-in font"),
        )
    };
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(font) = loaded.get(path) {
        return Ok(*font);
    }
    let bytes = std::fs::read(path).map_err(|e| {
        fail(format!(
            "cannot read the chart font {}: {e}",
            path.display()
        ))
    })?;
    // plotters keeps registered fonts for the life of the process: leak the bytes once per path.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let family: &'static str =
        Box::leak(format!("funnelsim-user-{}", loaded.len()).into_boxed_str());
    let not_a_font = || {
        fail(format!(
            "{} is not a font file that can be read (TrueType or OpenType expected)",
            path.display()
        ))
    };
    let glyphs = Glyphs::parse(bytes).ok_or_else(not_a_font)?;
    plotters::style::register_font(family, FontStyle::Normal, bytes).map_err(|_| not_a_font())?;
    let font = measure(family, glyphs);
    loaded.insert(path.to_path_buf(), font);
    Ok(font)
}

/// Draws sample text at a large size and finds where its ink falls, and how
/// many pixels a font unit takes at size 1 (ab_glyph scales by the font's own
/// ascent minus descent).
fn measure(family: &'static str, mut glyphs: Glyphs) -> Font {
    const SIZE: f64 = 200.0;
    const ORIGIN: i32 = 300;
    let (w, h) = (1200u32, 800u32);
    let rows_with_ink = |text: &str| -> Option<(i32, i32)> {
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            let style = TextStyle::from((family, SIZE).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Top));
            area.draw_text(text, &style, (10, ORIGIN)).ok()?;
            area.present().ok()?;
        }
        let dark_row = |y: u32| (0..w).any(|x| buf[((y * w + x) * 3) as usize] < 128);
        let first = (0..h).find(|&y| dark_row(y))?;
        let last = (0..h).rev().find(|&y| dark_row(y))?;
        Some((first as i32 - ORIGIN, last as i32 + 1 - ORIGIN))
    };
    let frac = |px: i32| px as f64 / SIZE;
    let sample = "MMMMMMMMMM";
    let units = 10.0 * glyphs.metrics(glyphs.glyph('M')).0;
    let style = TextStyle::from((family, 1000.0).into_font());
    let width = BitMapBackend::with_buffer(&mut [0u8; 3], (1, 1))
        .into_drawing_area()
        .estimate_text_size(sample, &style)
        .map_or(0.0, |(w, _)| w as f64);
    glyphs.px_per_unit = if units > 0.0 && width > 0.0 {
        width / units / 1000.0
    } else {
        1.0 / 1024.0
    };
    let glyphs: &'static Glyphs = Box::leak(Box::new(glyphs));
    // Fallbacks: plotters' ab_glyph layout (baseline at half the size, typical proportions).
    let (cap_top, baseline) = rows_with_ink("H0").map_or((-0.22, 0.5), |(a, b)| (frac(a), frac(b)));
    let (tall_top, low_bottom) =
        rows_with_ink("ÁHg商談").map_or((cap_top, 0.62), |(a, b)| (frac(a), frac(b)));
    Font {
        family,
        glyphs,
        top: tall_top.min(cap_top),
        middle: (cap_top + baseline) / 2.0,
        bottom: low_bottom.max(baseline),
    }
}
