//! The words of the charts in English and Japanese, and month labels.

use super::*;

/// Every text a chart writes, per language; `{name}` marks a value filled in.
pub(super) struct Words {
    pub(super) subtitle: &'static str,
    /// The subtitle of a single run (English has a plural to drop).
    pub(super) subtitle_one: &'static str,
    pub(super) months: [&'static str; 12],
    pub(super) month_axis: &'static str,
    pub(super) stages: [&'static str; 5],
    pub(super) funnel_title: &'static str,
    pub(super) funnel_x: &'static str,
    pub(super) funnel_y: &'static str,
    pub(super) funnel_y_log: &'static str,
    pub(super) funnel_note: &'static str,
    pub(super) funnel_log_note: &'static str,
    pub(super) funnel_rates_note: &'static str,
    pub(super) by_source_title: &'static str,
    pub(super) by_source_x: &'static str,
    pub(super) by_source_y: &'static str,
    pub(super) by_source_note: &'static str,
    pub(super) monthly_won_title: &'static str,
    pub(super) monthly_won_y: &'static str,
    pub(super) monthly_opp_title: &'static str,
    pub(super) monthly_opp_y: &'static str,
    pub(super) fan_note: &'static str,
    pub(super) won_title: &'static str,
    pub(super) won_x: &'static str,
    pub(super) share_y: &'static str,
    pub(super) target: &'static str,
    pub(super) chance: &'static str,
    pub(super) median: &'static str,
    pub(super) hist_note: &'static str,
    pub(super) clamped_note: &'static str,
    pub(super) undefined_note: &'static str,
    pub(super) ltv_title: &'static str,
    pub(super) ltv_x: &'static str,
    pub(super) ltv_bar: &'static str,
    pub(super) ltv_note: &'static str,
    pub(super) ltv_medians: &'static str,
    pub(super) ltv_item: &'static str,
    pub(super) uplift_title: &'static str,
    pub(super) uplift_x: &'static str,
    pub(super) uplift_note: &'static str,
    pub(super) no_change: &'static str,
    pub(super) uplift_item: &'static str,
    pub(super) no_data: &'static str,
    pub(super) opportunities: &'static str,
    pub(super) won: &'static str,
    pub(super) sep: &'static str,
    /// "{label} ({chance})": the heading of a reference line's notes.
    pub(super) note_heading: &'static str,
    /// "{name}: {value}".
    pub(super) name_value: &'static str,
    /// Between items of a list, and between sentences.
    pub(super) list_sep: &'static str,
    pub(super) sentence_sep: &'static str,
}

pub(super) static ENGLISH: Words = Words {
    subtitle: "{runs} Monte Carlo runs · seed {seed} · {period}",
    subtitle_one: "1 Monte Carlo run · seed {seed} · {period}",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    month_axis: "Month",
    stages: ["Leads", "MQLs", "SQLs", "Opportunities", "Won deals"],
    funnel_title: "funnel by stage",
    funnel_x: "Funnel stage",
    funnel_y: "Count in {months} months",
    funnel_y_log: "Count in {months} months (log scale)",
    funnel_note: "Bars and labels: median of {runs} runs; whiskers: 10th to 90th percentile.",
    funnel_log_note: "The vertical scale is logarithmic so that leads and won deals fit on one chart: bar heights are not in proportion to the counts.",
    funnel_rates_note: "Percentages: each stage's median as a share of the stage before it.",
    by_source_title: "opportunities by lead source",
    by_source_x: "Lead source",
    by_source_y: "Opportunities in {months} months",
    by_source_note: "Bars and labels: median of {runs} runs; whiskers: 10th to 90th percentile.",
    monthly_won_title: "won deals per month",
    monthly_won_y: "Won deals per month",
    monthly_opp_title: "opportunities per month",
    monthly_opp_y: "Opportunities per month",
    fan_note: "Line: median of {runs} runs; shaded band: 10th to 90th percentile (8 runs in 10 fall inside).",
    won_title: "won deals in {months} months",
    won_x: "Won deals in {months} months",
    share_y: "Share of runs (%)",
    target: "Target: {target}",
    chance: "chance of reaching it",
    median: "median",
    hist_note: "Distribution of {runs} runs per setup; each bar is the share of runs in that range.",
    clamped_note: "Runs beyond the axis ({share} of them) are counted in the outermost bars.",
    undefined_note: "{count} runs with no defined value are left out.",
    ltv_title: "LTV/CAC",
    ltv_x: "LTV ÷ CAC (×)",
    ltv_bar: "≥ 3.0, the usual bar",
    ltv_note: "LTV: lifetime gross margin of a customer; CAC: sales and marketing cost per won deal.",
    ltv_medians: "Medians ({currency}): {list}.",
    ltv_item: "{name} LTV {ltv}, CAC {cac}",
    uplift_title: "paired uplift against {baseline}",
    uplift_x: "Ratio to {baseline} in the same run (×, log scale)",
    uplift_note: "Each run compares a setup with {baseline} on the same random numbers (paired); ×1 means no change.",
    no_change: "×1: no change",
    uplift_item: "median ×{median} · up in {p} of runs",
    no_data: "No run has a defined value to show here.",
    opportunities: "Opportunities",
    won: "Won deals",
    sep: " · ",
    note_heading: "{label} ({chance})",
    name_value: "{name}: {value}",
    list_sep: "; ",
    sentence_sep: " ",
};

pub(super) static JAPANESE: Words = Words {
    subtitle: "モンテカルロ試行 {runs} 回・シード {seed}・{period}",
    subtitle_one: "モンテカルロ試行 1 回・シード {seed}・{period}",
    months: [
        "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
    ],
    month_axis: "月",
    stages: ["リード", "MQL", "SQL", "商談", "受注"],
    funnel_title: "段階別ファネル",
    funnel_x: "ファネルの段階",
    funnel_y: "件数（{months}か月合計）",
    funnel_y_log: "件数（{months}か月合計・対数目盛）",
    funnel_note: "棒と数値：{runs} 回の試行の中央値　ひげ：10〜90パーセンタイル",
    funnel_log_note: "　リードから受注まで一つの図に収めるため縦軸は対数目盛です（棒の高さは件数に比例しません）。",
    funnel_rates_note: "　％：各段階の中央値の、一つ前の段階の中央値に対する割合",
    by_source_title: "リードソース別の商談数",
    by_source_x: "リードソース",
    by_source_y: "商談数（{months}か月合計、件）",
    by_source_note: "棒と数値：{runs} 回の試行の中央値　ひげ：10〜90パーセンタイル",
    monthly_won_title: "月別の受注数",
    monthly_won_y: "受注数（件／月）",
    monthly_opp_title: "月別の商談数",
    monthly_opp_y: "商談数（件／月）",
    fan_note: "線：{runs} 回の試行の中央値　帯：10〜90パーセンタイル（10回中8回がこの範囲）",
    won_title: "{months}か月の受注数の分布",
    won_x: "受注数（{months}か月合計、件）",
    share_y: "試行の割合（%）",
    target: "目標：{target}",
    chance: "達成確率",
    median: "中央値",
    hist_note: "設定ごとに {runs} 回の試行の分布。各棒はその範囲に入った試行の割合です。",
    clamped_note: "軸の範囲外の試行（全体の{share}）は両端の棒に含めています。",
    undefined_note: "値が定まらない試行 {count} 回は除いています。",
    ltv_title: "LTV/CAC の分布",
    ltv_x: "LTV ÷ CAC（倍）",
    ltv_bar: "目安 3.0 以上",
    ltv_note: "LTV：顧客生涯の粗利、CAC：受注1件あたりの営業・マーケティング費用。",
    ltv_medians: "中央値（{currency}）：{list}",
    ltv_item: "{name} LTV {ltv}／CAC {cac}",
    uplift_title: "{baseline}に対する改善（同じ試行で比較）",
    uplift_x: "同じ試行の{baseline}に対する倍率（倍・対数目盛）",
    uplift_note: "各試行で同じ乱数を使い{baseline}と比べています（対応のある比較）。1倍は変化なし。",
    no_change: "1倍：変化なし",
    uplift_item: "中央値 ×{median}　増えた試行 {p}",
    no_data: "表示できる値のある試行がありません。",
    opportunities: "商談数",
    won: "受注数",
    sep: "　",
    note_heading: "{label}（{chance}）",
    name_value: "{name}：{value}",
    list_sep: "、",
    sentence_sep: "",
};

pub(super) fn words(lang: Language) -> &'static Words {
    match lang {
        Language::English => &ENGLISH,
        Language::Japanese => &JAPANESE,
    }
}

/// Replaces each `{key}` in `template`.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// A month label ("2027-04") as a tick: "Apr" or "4月", with the year on the first month and on January.
pub(super) fn month_tick(label: &str, first: bool, lang: Language) -> String {
    let Some((year, month)) = parse_month(label) else {
        return label.to_string();
    };
    let name = words(lang).months[month - 1];
    match (first || month == 1, lang) {
        (false, _) => name.to_string(),
        (true, Language::English) => format!("{name}\n{year}"),
        (true, Language::Japanese) => format!("{name}\n{year}年"),
    }
}

pub(super) fn parse_month(label: &str) -> Option<(i32, usize)> {
    let (y, m) = label.split_once('-')?;
    let month: usize = m.parse().ok()?;
    Some((y.parse().ok()?, month)).filter(|_| (1..=12).contains(&month))
}

/// "Apr 2027 – Mar 2028", "2027年4月〜2028年3月", or "months 1–12".
pub(super) fn period_label(months: &[String], lang: Language) -> String {
    let (Some(a), Some(b)) = (months.first(), months.last()) else {
        return String::new();
    };
    let one = |label: &str| match (parse_month(label), lang) {
        (Some((y, m)), Language::English) => format!("{} {y}", ENGLISH.months[m - 1]),
        (Some((y, m)), Language::Japanese) => format!("{y}年{m}月"),
        (None, _) => label.to_string(),
    };
    if a == b {
        return match (parse_month(a).is_some(), lang) {
            (true, _) => one(a),
            (false, Language::English) => format!("month {a}"),
            (false, Language::Japanese) => format!("{a}か月目"),
        };
    }
    match (parse_month(a).is_some(), lang) {
        (true, Language::English) => format!("{} – {}", one(a), one(b)),
        (true, Language::Japanese) => format!("{}〜{}", one(a), one(b)),
        (false, Language::English) => format!("months {a}–{b}"),
        (false, Language::Japanese) => format!("{a}〜{b}か月目"),
    }
}

// ---------------------------------------------------------------------------
// Palette
// ---------------------------------------------------------------------------
