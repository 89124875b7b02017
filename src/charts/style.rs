//! Colours and marker shapes: one per setup, the same in every chart (Okabe–Ito).

use super::*;

/// Marker shapes: a second cue besides colour, for greyscale and colour-blind readers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

/// How setup `i` is drawn in every chart.
#[derive(Clone, Copy, Debug)]
pub(super) struct SetupStyle {
    pub(super) colour: RGBColor,
    pub(super) shape: Shape,
}

/// Okabe–Ito colours, ordered so that neighbours differ in lightness as well as
/// hue (blue is dark, orange light, then near-black ...): setups stay apart in
/// greyscale and for every common colour-vision deficiency.
pub(super) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(51, 51, 51),    // near-black
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(240, 228, 66),  // yellow
];
pub(super) const SHAPES: [Shape; 5] = [
    Shape::Circle,
    Shape::Square,
    Shape::Triangle,
    Shape::Diamond,
    Shape::TriangleDown,
];

pub(super) fn setup_style(i: usize) -> SetupStyle {
    SetupStyle {
        colour: PALETTE[i % PALETTE.len()],
        shape: SHAPES[i % SHAPES.len()],
    }
}

pub(super) const INK: RGBAColor = RGBAColor(26, 26, 26, 1.0);
/// Conversion rates beside the counts they derive from: quieter than the counts.
pub(super) const RATE_INK: RGBAColor = RGBAColor(90, 90, 90, 1.0);
pub(super) const MUTED: RGBAColor = RGBAColor(85, 85, 85, 1.0);
pub(super) const GRID: RGBAColor = RGBAColor(222, 222, 222, 1.0);
pub(super) const AXIS: RGBAColor = RGBAColor(110, 110, 110, 1.0);
pub(super) const REFERENCE: RGBAColor = RGBAColor(40, 40, 40, 1.0);
pub(super) const WHITE_A: RGBAColor = RGBAColor(255, 255, 255, 1.0);
/// Opacity of bands and histogram fills.
pub(super) const FILL_ALPHA: f64 = 0.24;
/// What a chart singles out (a best point, an answer): vermillion, apart from the blue of data.
pub(super) const HIGHLIGHT: RGBColor = PALETTE[5];
/// Where a goal is met: bluish green.
pub(super) const MEETS: RGBColor = PALETTE[6];

/// The sequential scale of heatmaps, light (0) to dark (1), through the palette's blue.
pub(super) const RAMP: [RGBColor; 5] = [
    RGBColor(240, 246, 251),
    RGBColor(190, 217, 236),
    RGBColor(107, 171, 214),
    PALETTE[0],
    RGBColor(8, 52, 102),
];

/// The colour at `t` (0 to 1) along [`RAMP`].
pub(super) fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (RAMP.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RAMP.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether dark text reads on `colour` (else white text is used).
pub(super) fn is_light(colour: RGBColor) -> bool {
    let lum = 0.2126 * colour.0 as f64 + 0.7152 * colour.1 as f64 + 0.0722 * colour.2 as f64;
    lum > 140.0
}

pub(super) fn rgba(c: RGBColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha)
}

// ---------------------------------------------------------------------------
// Canvas: pixels, shapes and text
// ---------------------------------------------------------------------------
