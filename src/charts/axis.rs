//! Axes: scales, nice steps and tick labels.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Scale {
    Linear,
    /// Base 10; the range must be positive.
    Log,
    /// Categories 0, 1, ... n-1, centred in equal slots.
    Category,
}

/// How tick labels read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum NumberStyle {
    /// Thousands separators.
    Plain,
    /// A percentage (the value is already in percent).
    Percent,
    /// A ratio: "×1.5".
    Times,
    /// Money in the style's units: "250k", "1.5M", or "25万", "1.5億".
    Money(format::Style),
}

/// One axis: its title (with units), range and ticks.
#[derive(Clone, Debug)]
pub(super) struct Axis {
    pub(super) title: String,
    pub(super) scale: Scale,
    pub(super) lo: f64,
    pub(super) hi: f64,
    /// Positions (in data units) and labels; a label may hold two lines ("Apr\n2027").
    pub(super) ticks: Vec<(f64, String)>,
    /// Gridlines across the plot at the ticks.
    pub(super) grid: bool,
}

impl Axis {
    /// A numeric axis over `lo..hi` with "nice" ticks inside it.
    pub(super) fn linear(title: String, lo: f64, hi: f64, style: NumberStyle) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let step = nice_step(hi - lo, 6.0);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        let ticks = (first..=last)
            .map(|k| k as f64 * step)
            .map(|v| (v, number_label(v, step, style)))
            .collect();
        Axis {
            title,
            scale: Scale::Linear,
            lo,
            hi,
            ticks,
            grid: true,
        }
    }

    /// A numeric axis from zero to a nice value at or above `max`.
    pub(super) fn from_zero(title: String, max: f64, style: NumberStyle) -> Axis {
        let max = if max > 0.0 && max.is_finite() {
            max
        } else {
            1.0
        };
        let step = nice_step(max, 5.0);
        let hi = (max / step - 1e-9).ceil().max(1.0) * step;
        Axis::linear(title, 0.0, hi, style)
    }

    /// A base-10 logarithmic axis covering `min..max` (both positive), ticks at 1, 2 and 5 per decade.
    pub(super) fn log(title: String, min: f64, max: f64) -> Axis {
        let min = if min > 0.0 && min.is_finite() {
            min
        } else {
            1.0
        };
        let max = if max > min && max.is_finite() {
            max
        } else {
            min * 10.0
        };
        let lo = nice_125_below(min);
        let hi = nice_125_above(max);
        let mut ticks = Vec::new();
        let mut decade = 10f64.powi(lo.log10().floor() as i32);
        while decade <= hi * 1.0001 {
            for m in [1.0, 2.0, 5.0] {
                let v = decade * m;
                if v >= lo * 0.9999 && v <= hi * 1.0001 {
                    ticks.push((v, thousands(v, if v < 1.0 { 2 } else { 0 })));
                }
            }
            decade *= 10.0;
        }
        Axis {
            title,
            scale: Scale::Log,
            lo,
            hi,
            ticks,
            grid: true,
        }
    }

    /// A ratio axis on a log scale: positions are log2 of the ratio, over
    /// `lo..hi`. Ticks at powers of two (every other one past eight), or at
    /// nice ratios when the range spans less than a factor of three.
    pub(super) fn log_ratio(title: String, lo: f64, hi: f64) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let label = |v: f64, step: f64| number_label(v, step, NumberStyle::Times);
        let ticks = if hi - lo >= 1.6 {
            let (first, last) = ((lo - 1e-9).ceil() as i32, (hi + 1e-9).floor() as i32);
            let every = if last - first > 8 { 2 } else { 1 };
            (first..=last)
                .filter(|k| k % every == 0)
                .map(|k| {
                    let v = 2f64.powi(k);
                    (k as f64, label(v, v.min(1.0)))
                })
                .collect()
        } else {
            let (a, b) = (lo.exp2(), hi.exp2());
            let step = nice_step(b - a, 5.0);
            let first = (a / step - 1e-9).ceil() as i64;
            let last = (b / step + 1e-9).floor() as i64;
            (first..=last)
                .map(|k| k as f64 * step)
                .filter(|v| *v > 0.0)
                .map(|v| (v.log2(), label(v, step)))
                .collect()
        };
        Axis {
            title,
            scale: Scale::Linear,
            lo,
            hi,
            ticks,
            grid: true,
        }
    }

    /// Categories in equal slots, labelled in order.
    pub(super) fn categories(title: String, labels: Vec<String>) -> Axis {
        let n = labels.len().max(1) as f64;
        let ticks = labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| (i as f64, l))
            .collect();
        Axis {
            title,
            scale: Scale::Category,
            lo: -0.5,
            hi: n - 0.5,
            ticks,
            grid: false,
        }
    }

    /// Where `v` falls, from 0 (low end) to 1 (high end); values outside are clamped.
    pub(super) fn fraction(&self, v: f64) -> f64 {
        let f = match self.scale {
            Scale::Log => {
                (v.max(self.lo * 1e-3).log10() - self.lo.log10())
                    / (self.hi.log10() - self.lo.log10())
            }
            _ => (v - self.lo) / (self.hi - self.lo),
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// 1, 2 or 5 times a power of ten, giving about `target` steps over `span`.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).abs().max(1e-12);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag)
}

pub(super) fn nice_125_below(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v <= x * 1.0001)
        .unwrap_or(mag)
}

pub(super) fn nice_125_above(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v >= x * 0.9999)
        .unwrap_or(10.0 * mag)
}

/// Decimals needed to write multiples of `step` exactly.
pub(super) fn decimals_for(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

pub(super) fn number_label(v: f64, step: f64, style: NumberStyle) -> String {
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    let text = thousands(v, decimals_for(step));
    match style {
        NumberStyle::Plain => text,
        NumberStyle::Percent => format!("{text}%"),
        NumberStyle::Times => format!("×{text}"),
        NumberStyle::Money(style) => {
            // The currency is in the axis title: "25万", not "25万円".
            let short = format::Style {
                yen: false,
                ..style
            }
            .money(v);
            // "50.0M" -> "50M", "1.50億" -> "1.5億".
            match short.find(|c: char| !(c.is_ascii_digit() || matches!(c, ',' | '.' | '-'))) {
                Some(at) if short[..at].contains('.') => {
                    let (num, suffix) = short.split_at(at);
                    format!(
                        "{}{suffix}",
                        num.trim_end_matches('0').trim_end_matches('.')
                    )
                }
                _ => short,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten_and_at_least_the_raw_step() {
        for (span, target, step) in [
            (10.0, 6.0, 2.0),
            (1.0, 6.0, 0.2),
            (7.0, 6.0, 2.0),
            (30.0, 6.0, 5.0),
            (600.0, 6.0, 100.0),
            (0.03, 6.0, 0.005),
        ] {
            let got = nice_step(span, target);
            assert!((got - step).abs() < 1e-12 * step, "{span}/{target}: {got}");
            assert!(got >= span / target * 0.999);
        }
        assert_eq!(nice_125_below(3.7), 2.0);
        assert_eq!(nice_125_below(50.0), 50.0);
        assert_eq!(nice_125_above(3.7), 5.0);
        assert_eq!(nice_125_above(7.0), 10.0);
    }

    #[test]
    fn labels_have_the_decimals_of_their_step_and_their_style() {
        assert_eq!(decimals_for(2.0), 0);
        assert_eq!(decimals_for(0.5), 1);
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(number_label(1500.0, 500.0, NumberStyle::Plain), "1,500");
        assert_eq!(number_label(2.5, 0.5, NumberStyle::Percent), "2.5%");
        assert_eq!(number_label(1.5, 0.5, NumberStyle::Times), "×1.5");
        // A value that is zero up to rounding reads as 0, never "-0".
        assert_eq!(number_label(-1e-12, 0.1, NumberStyle::Plain), "0.0");
    }

    #[test]
    fn a_ratio_axis_ticks_powers_of_two_or_nice_ratios_at_their_logs() {
        let wide = Axis::log_ratio(String::new(), -1.2, 3.4);
        let labels: Vec<&str> = wide.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["×0.5", "×1", "×2", "×4", "×8"]);
        assert!(wide.ticks.iter().all(|t| t.0.fract() == 0.0));
        let narrow = Axis::log_ratio(String::new(), 0.9f64.log2(), 1.3f64.log2());
        let labels: Vec<&str> = narrow.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["×0.9", "×1.0", "×1.1", "×1.2", "×1.3"]);
        for (at, label) in &narrow.ticks {
            let v: f64 = label.trim_start_matches('×').parse().unwrap();
            assert!((at - v.log2()).abs() < 1e-12);
        }
        let huge = Axis::log_ratio(String::new(), -3.0, 9.0);
        let labels: Vec<&str> = huge.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            ["×0.25", "×1", "×4", "×16", "×64", "×256"],
            "every other power"
        );
    }

    #[test]
    fn a_linear_axis_has_nice_ticks_inside_its_range() {
        let a = Axis::linear("x".into(), 3.0, 41.0, NumberStyle::Plain);
        let values: Vec<f64> = a.ticks.iter().map(|t| t.0).collect();
        assert_eq!(values, [10.0, 20.0, 30.0, 40.0]);
        assert!(values.iter().all(|v| (3.0..=41.0).contains(v)));
        // An empty range is widened around its value rather than dividing by zero.
        let flat = Axis::linear("x".into(), 7.0, 7.0, NumberStyle::Plain);
        assert!(flat.lo < 7.0 && flat.hi > 7.0 && !flat.ticks.is_empty());
        let zero = Axis::from_zero("y".into(), 83.0, NumberStyle::Plain);
        assert_eq!((zero.lo, zero.hi), (0.0, 100.0));
    }
}
