//! How numbers read in tables, reports and charts: thousands separators,
//! compact money, percentages.

use crate::runs::stats::Summary;
use crate::scenario::metric::{Metric, Owner, Unit};
use crate::scenario::{ChartOptions, Language, MoneyUnits, Team};

/// How one output writes its row labels and its money: the language of
/// `[chart]` and the money units (万円 / 億円 for Japanese yen amounts unless
/// `money_units` says otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// The language of labels.
    pub language: Language,
    /// How large amounts read.
    pub money: MoneyUnits,
    /// Whether the amounts are yen (万円 rather than 万).
    pub yen: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            language: Language::English,
            money: MoneyUnits::Short,
            yen: false,
        }
    }
}

/// The style of a run's or compare's tables.
pub fn style_of(r: &crate::analysis::summary::Results) -> Style {
    Style::of(&r.chart, &r.currency)
}

impl Style {
    /// The style a scenario's `[chart]` asks for, for amounts in `currency`.
    pub fn of(options: &ChartOptions, currency: &str) -> Style {
        Style {
            language: options.language,
            money: options.money_units_for(currency),
            yen: crate::scenario::is_yen(currency),
        }
    }

    /// An amount of money: "2.25M", or "225万円".
    pub fn money(self, x: f64) -> String {
        match self.money {
            MoneyUnits::Short => compact(x),
            MoneyUnits::ManOku => man_oku(x, self.yen),
        }
    }

    /// One value of a metric, as a table shows it.
    pub fn value(self, metric: Metric, x: f64) -> String {
        if metric.unit() == Unit::Money && !x.is_nan() {
            self.money(x)
        } else {
            value(metric, x)
        }
    }

    /// A summary as one cell: "p50 (p10–p90)".
    pub fn cell(self, metric: Metric, s: &Summary) -> String {
        match (s.p50, s.p10, s.p90) {
            (Some(p50), Some(p10), Some(p90)) => format!(
                "{} ({}–{})",
                self.value(metric, p50),
                self.value(metric, p10),
                self.value(metric, p90)
            ),
            _ => "n/a".into(),
        }
    }

    /// A metric's row label.
    pub fn metric(self, m: Metric) -> &'static str {
        m.label_in(self.language)
    }

    /// An owner's section heading for setups followed up by `teams`.
    pub fn owner(self, owner: Owner, teams: &[Team]) -> &'static str {
        owner.label_in(teams, self.language)
    }
}

/// A large amount in 万 (10^4) and 億 (10^8), as Japanese writes money:
/// 67321 -> "6.73万", 22500000 -> "2,250万", 101000000 -> "1.01億"; "円"
/// follows for yen.
pub fn man_oku(x: f64, yen: bool) -> String {
    let yen = if yen { "円" } else { "" };
    let a = x.abs();
    let (scaled, unit) = if a >= 1e8 {
        (x / 1e8, "億")
    } else if a >= 1e4 {
        (x / 1e4, "万")
    } else {
        return format!("{}{yen}", thousands(x, 0));
    };
    format!("{}{unit}{yen}", thousands(scaled, short_decimals(scaled)))
}

/// Groups the digits of a whole number in threes: 1234567 -> "1,234,567".
pub fn thousands(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A large amount in short form: 1234567 -> "1.23M", 45600 -> "45,600".
pub fn compact(x: f64) -> String {
    let a = x.abs();
    let (scaled, suffix) = if a >= 1e12 {
        (x / 1e12, "T")
    } else if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e5 {
        (x / 1e3, "k")
    } else {
        return thousands(x, 0);
    };
    format!("{}{suffix}", thousands(scaled, short_decimals(scaled)))
}

/// Decimals of an amount scaled to a unit (k, M, 万, 億): three significant
/// digits, none past the unit from 100 up.
fn short_decimals(scaled: f64) -> usize {
    match scaled.abs() {
        s if s >= 100.0 => 0,
        s if s >= 10.0 => 1,
        _ => 2,
    }
}

/// One value of a metric, as a table shows it.
pub fn value(metric: Metric, x: f64) -> String {
    if x.is_nan() {
        return "n/a".into();
    }
    match metric.unit() {
        Unit::Count if x.abs() >= 100_000.0 => compact(x),
        Unit::Count if x.fract() != 0.0 && x.abs() < 10.0 => thousands(x, 1),
        Unit::Count => thousands(x, 0),
        Unit::Rate => format!("{:.1}%", 100.0 * x),
        Unit::Days | Unit::Months => format!("{x:.1}"),
        Unit::Money => compact(x),
        Unit::Ratio => format!("{x:.2}"),
    }
}

/// An uplift cell: the ratio for counts and money, the difference for rates and days.
pub fn uplift_cell(metric: Metric, difference: &Summary, ratio: &Summary) -> String {
    let use_ratio = matches!(metric.unit(), Unit::Count | Unit::Money) && ratio.n > 0;
    let s = if use_ratio { ratio } else { difference };
    let (Some(p50), Some(p10), Some(p90)) = (s.p50, s.p10, s.p90) else {
        return "n/a".into();
    };
    if use_ratio {
        return format!("×{p50:.2} ({p10:.2}–{p90:.2})");
    }
    let signed = |x: f64| {
        let text = match metric.unit() {
            Unit::Rate => format!("{:.1}pt", 100.0 * x.abs()),
            Unit::Ratio => format!("{:.2}", x.abs()),
            Unit::Count | Unit::Money => value(metric, x.abs()),
            _ => format!("{:.1}", x.abs()),
        };
        let sign = if text
            .chars()
            .all(|c| !c.is_ascii_digit() || c == '0' || c == '.')
        {
            ""
        } else if x < 0.0 {
            "−"
        } else {
            "+"
        };
        format!("{sign}{text}")
    };
    format!("{} ({}…{})", signed(p50), signed(p10), signed(p90))
}

/// A metric value of a sensitivity study: a ratio uplift as "×1.234", a
/// difference signed (rates in points), a plain metric as the metric reads.
pub fn study_value(s: &crate::analysis::sensitivity::Sensitivity, x: f64) -> String {
    use crate::analysis::sensitivity::UpliftMeasure;
    match s.uplift_measure {
        Some(UpliftMeasure::Ratio) => format!("×{x:.3}"),
        Some(UpliftMeasure::Difference) if s.metric.unit() == Unit::Rate => {
            format!("{:+.2}pt", 100.0 * x)
        }
        Some(UpliftMeasure::Difference) => format!("{x:+.2}"),
        None => value(s.metric, x),
    }
}

/// A paired money figure: "1.23M (980k–1.56M)", with the runs where it is undefined.
pub fn money_cell(s: &Summary, money: bool, style: Style) -> String {
    let f = |x: f64| {
        if money {
            style.money(x)
        } else {
            format!("{x:.2}")
        }
    };
    let mut text = match (s.p50, s.p10, s.p90) {
        (Some(m), Some(a), Some(b)) => format!("{} ({}–{})", f(m), f(a), f(b)),
        _ => "n/a".into(),
    };
    if s.undefined > 0 {
        text.push_str(&format!(", n/a in {} runs", s.undefined));
    }
    text
}

/// P(better) of an uplift row: "—" where the setups tie in every run
/// (nothing can differ, and "0%" would read as "always worse").
pub fn p_better(up: &crate::analysis::summary::UpliftRow) -> String {
    let d = &up.difference;
    match (d.mean, d.sd) {
        (None, _) => "n/a".into(),
        (Some(m), sd) if m == 0.0 && sd.is_none_or(|s| s == 0.0) => "—".into(),
        _ => percent(up.p_better),
    }
}

/// A share as a percentage: 0.834 -> "83%".
pub fn percent(p: f64) -> String {
    format!("{:.0}%", 100.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_oku_reads_as_japanese_money() {
        assert_eq!(man_oku(67_321.0, true), "6.73万円");
        assert_eq!(man_oku(22_500_000.0, true), "2,250万円");
        assert_eq!(man_oku(101_000_000.0, true), "1.01億円");
        assert_eq!(man_oku(12_345_000_000.0, false), "123億");
        assert_eq!(man_oku(9_800.0, true), "9,800円");
        assert_eq!(man_oku(-496_000.0, true), "-49.6万円");
    }

    #[test]
    fn thousands_and_compact() {
        assert_eq!(thousands(1234567.0, 0), "1,234,567");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(compact(123_456_789.0), "123M");
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(compact(45_600.0), "45,600");
    }
}
