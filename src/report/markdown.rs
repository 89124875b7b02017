//! `report.md`: a one-page report a planner can hand over (cli.md "Outputs").
//!
//! The scenario and each setup in a sentence, the KPI table grouped by owner
//! (median and p10–p90 per setup, the paired uplift against the first setup
//! and P(better)), the chance of meeting each target, the charts embedded by
//! their relative paths, and the seed and run count that reproduce it all.

use crate::analysis::summary::Results;
use crate::report::format;
use crate::report::kpis::{KpiTable, target_rows};

/// Parameters listed by name in a setup's sentence; more are counted.
const MAX_LISTED_PARAMETERS: usize = 6;
/// Longest parameter value quoted in a setup's sentence.
const MAX_VALUE_CHARS: usize = 40;

/// report.md: links the charts by their relative names (only those given).
pub fn report_md(results: &Results, charts: &[String]) -> String {
    let r = results;
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", inline(&r.scenario)));
    out.push_str(&scenario_sentence(r));
    out.push_str("\n\n");
    out.push_str(&setup_sentences(r));
    if !r.overrides.is_empty() {
        let parts: Vec<String> = r
            .overrides
            .iter()
            .map(|o| format!("`{}` in {}", o.assignment, inline(&o.scope())))
            .collect();
        out.push_str(&format!("\nOverrides (`--set`): {}.\n", parts.join("; ")));
    }

    out.push_str("\n## KPIs by owner\n\n");
    out.push_str("Each cell: median (p10–p90) across runs");
    if !r.uplift.is_empty() {
        out.push_str(&format!(
            ". Uplift is paired, run by run, against {}: × ratio for counts and money, difference for rates and days; P(better) is the share of runs in which the setup does better",
            inline(&r.setups[0].name)
        ));
    }
    out.push_str(".\n\n");
    out.push_str(&kpi_table(r));

    out.push_str("\n## Targets\n\n");
    out.push_str(&targets(r));

    let money = crate::report::kpis::money_rows(r);
    if !money.is_empty() {
        out.push_str("\n## Money per decision\n\n");
        out.push_str(&format!(
            "Paired run by run against {}: the extra cost per extra won deal (undefined in a run where won does not increase) and the extra customers' lifetime value over the extra cost (undefined where the setup costs no more). Median (p10–p90).\n\n",
            inline(money[0].baseline)
        ));
        out.push_str(&row(&[
            "Setup".into(),
            "Cost per extra won deal".into(),
            "Incremental LTV/CAC".into(),
        ]));
        out.push_str(&row(&["---".into(), "---:".into(), "---:".into()]));
        for m in money {
            out.push_str(&row(&[
                inline(m.setup),
                format::money_cell(&m.money.cost_per_extra_won, true, format::style_of(r)),
                format::money_cell(&m.money.incremental_ltv_to_cac, false, format::style_of(r)),
            ]));
        }
    }

    out.push_str("\n## Assumptions left at defaults\n\n");
    out.push_str(&assumptions(r));

    if !r.correlations.is_empty() {
        out.push_str("\n## Correlated inputs\n\n");
        out.push_str(&correlations(r));
    }

    out.push_str("\n## What drives the result\n\n");
    out.push_str(&drivers(r));

    if !charts.is_empty() || r.setups.len() < 2 {
        out.push_str("\n## Charts\n\n");
    }
    for name in charts {
        out.push_str(&format!("![{}]({})\n\n", chart_title(name), link(name)));
    }
    if r.setups.len() < 2 {
        out.push_str(
            "No uplift chart: there is only one setup, so there is nothing to compare it with.\n\n",
        );
    }

    out.push_str("---\n\n");
    out.push_str(&footer(r));
    out
}

/// What was simulated, in a sentence or two.
fn scenario_sentence(r: &Results) -> String {
    let mut s = String::new();
    if !r.description.trim().is_empty() {
        let d = inline(r.description.trim());
        s.push_str(&d);
        if !d.ends_with(['.', '!', '?', '。']) {
            s.push('.');
        }
        s.push(' ');
    }
    let period = match (r.months.first(), r.months.last()) {
        (Some(a), Some(b)) if r.months.len() > 1 => format!(" ({a} to {b})"),
        (Some(a), _) => format!(" ({a})"),
        _ => String::new(),
    };
    let months = if r.horizon_months == 1 {
        "1 month".to_string()
    } else {
        format!("{} months", r.horizon_months)
    };
    s.push_str(&format!(
        "Simulated over {months}{period} with {} Monte Carlo runs",
        format::thousands(r.runs as f64, 0)
    ));
    if r.setups.len() > 1 {
        s.push_str(&format!(" for each of {} setups, all on the same random numbers, so the differences between them come from the setups and not from chance", r.setups.len()));
    }
    if !r.currency.is_empty() {
        s.push_str(&format!("; money is in {}", inline(&r.currency)));
    }
    s.push('.');
    s
}

/// A sentence per setup: the baseline, then how each other setup differs from it.
fn setup_sentences(r: &Results) -> String {
    let mut out = String::new();
    let params = |name: &str| {
        r.parameters
            .iter()
            .find(|p| p.setup == name)
            .map(|p| &p.values)
    };
    let base = &r.setups[0].name;
    for (i, s) in r.setups.iter().enumerate() {
        let name = inline(&s.name);
        if r.setups.len() == 1 {
            out.push_str(&format!("- **{name}**: the only setup.\n"));
            continue;
        }
        if i == 0 {
            out.push_str(&format!(
                "- **{name}** (baseline): every other setup is compared with it, run by run.\n"
            ));
            continue;
        }
        let (Some(mine), Some(theirs)) = (params(&s.name), params(base)) else {
            out.push_str(&format!("- **{name}**: compared with {}.\n", inline(base)));
            continue;
        };
        let keys: std::collections::BTreeSet<&String> = mine.keys().chain(theirs.keys()).collect();
        let differences: Vec<String> = keys
            .into_iter()
            .filter(|k| mine.get(*k) != theirs.get(*k))
            .map(|k| {
                let value = mine.get(k).map_or("(not set)".to_string(), |v| shorten(v));
                format!("`{} = {}`", k.replace('`', "'"), value.replace('`', "'"))
            })
            .collect();
        let sentence = match differences.len() {
            0 => format!("the same parameters as {}", inline(base)),
            n if n <= MAX_LISTED_PARAMETERS => {
                format!("{} except {}", inline(base), differences.join(", "))
            }
            n => format!(
                "{} except in {n} parameters, among them {}",
                inline(base),
                differences[..MAX_LISTED_PARAMETERS].join(", ")
            ),
        };
        out.push_str(&format!("- **{name}**: as {sentence}.\n"));
    }
    out
}

fn shorten(v: &str) -> String {
    let v = v.replace('\n', " ");
    if v.chars().count() <= MAX_VALUE_CHARS {
        return v;
    }
    let cut: String = v.chars().take(MAX_VALUE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The KPI table: a row per metric grouped by owner, a column per setup, then uplift and P(better).
fn kpi_table(r: &Results) -> String {
    let kpis = KpiTable::of(r);
    let mut header = vec!["KPI".to_string()];
    header.extend(kpis.setups.iter().map(|s| inline(s)));
    for u in &kpis.uplifts {
        if kpis.uplifts.len() == 1 {
            header.push("Uplift".into());
            header.push("P(better)".into());
        } else {
            header.push(format!("Uplift: {}", inline(u)));
            header.push(format!("P(better): {}", inline(u)));
        }
    }
    let columns = header.len();
    let mut out = row(&header);
    let mut rule = vec!["---".to_string()];
    rule.extend(std::iter::repeat_n("---:".to_string(), columns - 1));
    out.push_str(&row(&rule));
    for section in &kpis.sections {
        let mut title = vec![format!("**{}**", section.label)];
        title.extend(std::iter::repeat_n(String::new(), columns - 1));
        out.push_str(&row(&title));
        for kpi in &section.rows {
            let m = kpi.metric;
            let mut cells = vec![kpi.label.to_string()];
            cells.extend(kpi.setups.iter().map(|s| format::style_of(r).cell(m, s)));
            for up in &kpi.uplifts {
                cells.push(format::uplift_cell(m, &up.difference, &up.ratio));
                cells.push(format::p_better(up));
            }
            out.push_str(&row(&cells));
        }
    }
    out
}

/// The chance of meeting each target, per setup.
fn targets(r: &Results) -> String {
    let rows = target_rows(r);
    if rows.is_empty() {
        return "No targets were set (add a `[targets]` table to the scenario, e.g. `won = 30`).\n"
            .into();
    }
    let mut out = String::from(
        "The chance, across runs, that each setup meets each target (a run where the metric is undefined does not meet it).\n\n",
    );
    let mut header = vec!["Target".to_string()];
    header.extend(r.setups.iter().map(|s| inline(&s.name)));
    out.push_str(&row(&header));
    let mut rule = vec!["---".to_string()];
    rule.extend(std::iter::repeat_n("---:".to_string(), r.setups.len()));
    out.push_str(&row(&rule));
    for t in rows {
        let g = &t.goal;
        let mut cells = vec![format!(
            "{} {} {}",
            format::style_of(r).metric(g.metric),
            inline(g.comparison.math_symbol()),
            format::style_of(r).value(g.metric, g.value)
        )];
        cells.extend(
            t.p_met
                .iter()
                .map(|p| p.map_or("n/a".into(), format::percent)),
        );
        out.push_str(&row(&cells));
    }
    out
}

/// Costs left at 0 and every value taken from a default, per setup.
fn assumptions(r: &Results) -> String {
    let mut out = String::from(
        "What the scenario did not say, so the model assumed. A cost left at 0 leaves that team or tool out of cost, CAC and LTV/CAC.\n",
    );
    for a in &r.assumptions {
        out.push_str(&format!("\n**{}**\n\n", inline(&a.setup)));
        for z in &a.assumptions.zero_costs {
            let how = if z.written { "is 0" } else { "is not set (0)" };
            out.push_str(&format!("- ⚠ `{}` {how}: {}.\n", z.path, z.why));
        }
        if a.assumptions.defaults.is_empty() {
            out.push_str("- Every value was written in the scenario.\n");
        } else {
            let list: Vec<String> = a
                .assumptions
                .defaults
                .iter()
                .map(|(p, v)| format!("`{p}` = {}", inline(v)))
                .collect();
            out.push_str(&format!("- Defaults: {}.\n", list.join(", ")));
        }
    }
    out
}

/// The `[[correlation]]` entries, one table for the setups that share them.
fn correlations(r: &Results) -> String {
    let mut out = String::from(
        "These uncertain inputs move together across runs (a Gaussian copula with the Spearman rank correlation given); each keeps its own distribution, and every other input is independent.\n",
    );
    let mut done = vec![false; r.correlations.len()];
    for (i, c) in r.correlations.iter().enumerate() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..r.correlations.len())
            .filter(|&j| {
                let other = &r.correlations[j];
                (&other.entries, &other.left_out) == (&c.entries, &c.left_out)
            })
            .collect();
        let names: Vec<String> = same
            .iter()
            .map(|&j| inline(&r.correlations[j].setup))
            .collect();
        same.iter().for_each(|&j| done[j] = true);
        out.push_str(&format!("\n**{}**\n\n", names.join(", ")));
        out.push_str(&row(&[
            "Input".into(),
            "Input".into(),
            "Rank correlation".into(),
        ]));
        out.push_str(&row(&["---".into(), "---".into(), "---:".into()]));
        for e in &c.entries {
            out.push_str(&row(&[
                format!("`{}`", e.inputs[0]),
                format!("`{}`", e.inputs[1]),
                format!("{:+.2}", e.rank),
            ]));
        }
        for why in &c.left_out {
            out.push_str(&format!("\nLeft out here: {why}.\n"));
        }
    }
    out.push('\n');
    out
}

/// The top five (U) inputs of each driver list, by share of the variance across runs.
fn drivers(r: &Results) -> String {
    let mut out = String::from(
        "The uncertain inputs that move the result most across these runs: each input's first-order share of the metric's variance and its rank correlation with it (the shares need not add up to 1; interactions and the noise of the funnel itself make up the rest). `funnelsim sensitivity` adds the tornado and spider charts.\n",
    );
    if !r.correlations.is_empty() {
        out.push_str("\nCorrelated inputs share their variance: each one's share also holds part of what the inputs it moves with explain.\n");
    }
    for d in &r.drivers {
        let what = match &d.baseline {
            Some(base) => format!(
                "{} uplift of {} against {} (ratio, run by run)",
                format::style_of(r).metric(d.metric),
                inline(&d.setup),
                inline(base)
            ),
            None => format!(
                "{} of {}",
                format::style_of(r).metric(d.metric),
                inline(&d.setup)
            ),
        };
        out.push_str(&format!("\n**{what}**\n\n"));
        let top: Vec<_> = d
            .inputs
            .iter()
            .filter(|i| i.variance_share.is_some_and(|s| s > 0.0))
            .take(5)
            .collect();
        if top.is_empty() {
            out.push_str("No uncertain input explains any of its variance.\n");
            continue;
        }
        out.push_str(&row(&[
            "Input".into(),
            "Share of variance".into(),
            "Rank correlation".into(),
        ]));
        out.push_str(&row(&["---".into(), "---:".into(), "---:".into()]));
        for i in top {
            out.push_str(&row(&[
                format!("`{}`", i.input),
                i.variance_share.map_or("n/a".into(), format::percent),
                i.rank_correlation
                    .map_or("n/a".into(), |c| format!("{c:+.2}")),
            ]));
        }
    }
    out.push('\n');
    out
}

fn footer(r: &Results) -> String {
    let mut s = format!(
        "Seed {}, {} runs per setup, {} {}. Rerun with the same scenario, seed and run count to get the same figures.",
        r.seed,
        format::thousands(r.runs as f64, 0),
        r.program,
        r.version
    );
    if let Some(p) = &r.precision {
        s.push_str(&format!(
            " The run count was chosen by `--precision`: every count's mean is within ±{:.2}% at 95% confidence (asked ±{:.2}%, at most {} runs).",
            100.0 * p.reached,
            100.0 * p.requested,
            format::thousands(p.max_runs as f64, 0)
        ));
    }
    s.push('\n');
    s
}

/// A Markdown table row; pipes inside cells are escaped.
fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", cells.join(" | "))
}

/// User text placed in Markdown: characters that would start markup are escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A relative link target; wrapped in <...> when it holds spaces or parentheses.
fn link(name: &str) -> String {
    if name.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", name.replace('<', "%3C").replace('>', "%3E"))
    } else {
        name.to_string()
    }
}

/// Alt text and caption of a chart, from its file name.
fn chart_title(name: &str) -> String {
    let stem = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .trim_end_matches(".png");
    match stem {
        "funnel" => "Funnel by stage: median bars with 10th–90th percentile whiskers".into(),
        "monthly_won" => "Won deals per month: median and 10th–90th percentile band".into(),
        "monthly_opportunities" => {
            "Opportunities per month: median and 10th–90th percentile band".into()
        }
        "won_distribution" => {
            "Distribution of won deals, with the targets and the chance of meeting them".into()
        }
        "ltv_cac" => "Distribution of LTV/CAC, with the 3.0 bar".into(),
        "uplift" => {
            "Paired uplift against the baseline: per-run ratios of opportunities and won deals"
                .into()
        }
        "by_source" => "Opportunities by lead source".into(),
        other => inline(&other.replace('_', " ")),
    }
}
