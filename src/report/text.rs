//! The summary table printed by `run` and `compare`: KPIs grouped by owner,
//! one column per setup, the paired uplift against the first, the targets.

use crate::analysis::summary::Results;
use crate::report::format;
use crate::report::format::money_cell;
use crate::report::kpis::{KpiTable, money_rows, target_rows};
use crate::report::table::Table;

/// Widest table printed as one; wider ones split the uplift into a table of its own.
pub const MAX_WIDTH: usize = 100;

/// The whole text report.
pub fn text(r: &Results) -> String {
    let mut out = String::new();
    for line in heading(r).lines() {
        for l in crate::report::table::wrap(line, MAX_WIDTH) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    if let Some(line) = overrides_line(r) {
        for l in crate::report::table::wrap(&line, MAX_WIDTH) {
            out.push_str(&l);
            out.push('\n');
        }
        out.push('\n');
    }
    let kpis = KpiTable::of(r);
    let (n_setups, n_uplifts) = (kpis.setups.len(), kpis.uplifts.len());
    let combined = kpi_table(r, &kpis, Columns::All, 0..n_setups, 0..n_uplifts);
    if combined.total_width() <= MAX_WIDTH {
        out.push_str(&combined.render());
    } else {
        // Too wide: the setups, then the uplifts, each in as many tables as it takes.
        let mut tables = fitting(n_setups, |cols| {
            kpi_table(r, &kpis, Columns::Setups, cols, 0..0)
        });
        tables.extend(fitting(n_uplifts, |cols| {
            kpi_table(r, &kpis, Columns::Uplifts, 0..0, cols)
        }));
        let rendered: Vec<String> = tables.iter().map(Table::render).collect();
        out.push_str(&rendered.join("\n"));
    }
    if r.setups.iter().any(|s| !s.targets.is_empty()) {
        out.push('\n');
        let tables = fitting(r.setups.len(), |cols| targets_table(r, cols));
        let rendered: Vec<String> = tables.iter().map(Table::render).collect();
        out.push_str(&rendered.join("\n"));
    }
    let money = money_rows(r);
    if !money.is_empty() {
        out.push_str(&format!(
            "\nMoney per decision, paired run by run against {}: median (p10–p90)\n\n",
            money[0].baseline
        ));
        let mut table = Table::new(vec![
            "setup".into(),
            "cost per extra won deal".into(),
            "incremental LTV/CAC".into(),
        ]);
        for m in money {
            table.row(vec![
                m.setup.to_string(),
                money_cell(&m.money.cost_per_extra_won, true, format::style_of(r)),
                money_cell(&m.money.incremental_ltv_to_cac, false, format::style_of(r)),
            ]);
        }
        out.push_str(&table.render());
    }
    out
}

/// "Overrides (--set): sales.reps=8 in every setup; ...", when there are any.
pub fn overrides_line(r: &Results) -> Option<String> {
    if r.overrides.is_empty() {
        return None;
    }
    let parts: Vec<String> = r
        .overrides
        .iter()
        .map(|o| format!("{} in {}", o.assignment, o.scope()))
        .collect();
    Some(format!("Overrides (--set): {}.", parts.join("; ")))
}

fn heading(r: &Results) -> String {
    let span = match (r.months.first(), r.months.last()) {
        (Some(a), Some(b)) if r.months.len() > 1 => {
            format!("{} months ({a} to {b})", r.horizon_months)
        }
        _ => format!("{} month", r.horizon_months),
    };
    let currency = if r.currency.is_empty() {
        String::new()
    } else {
        format!(", money in {}", r.currency)
    };
    let mut out = format!(
        "{}: {} run{}, seed {}, {span}{currency}\n",
        r.scenario,
        format::thousands(r.runs as f64, 0),
        if r.runs == 1 { "" } else { "s" },
        r.seed
    );
    if let Some(p) = &r.precision {
        out.push_str(&format!(
            "precision: every count's mean within ±{:.2}% at 95% (asked ±{:.2}%, at most {} runs)\n",
            100.0 * p.reached,
            100.0 * p.requested,
            format::thousands(p.max_runs as f64, 0)
        ));
    }
    out.push_str("Each cell: median (p10–p90) across runs");
    if !r.uplift.is_empty() {
        out.push_str(&format!("; uplift is paired, run by run, against \"{}\": × ratio for counts and money, difference for rates", r.setups[0].name));
    }
    out.push_str(".\n\n");
    out
}

/// Which columns of the KPI table a terminal table shows.
#[derive(Clone, Copy, PartialEq)]
enum Columns {
    /// Every setup, then every uplift and its P(better).
    All,
    /// The setups only.
    Setups,
    /// The uplifts only (the table printed below when both do not fit).
    Uplifts,
}

/// Tables of `n` columns split into consecutive runs, each as wide as fits in
/// [`MAX_WIDTH`] (at least one column a table).
fn fitting(n: usize, table: impl Fn(std::ops::Range<usize>) -> Table) -> Vec<Table> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && table(start..end + 1).total_width() <= MAX_WIDTH {
            end += 1;
        }
        out.push(table(start..end));
        start = end;
    }
    out
}

fn kpi_table(
    r: &Results,
    kpis: &KpiTable<'_>,
    columns: Columns,
    setups: std::ops::Range<usize>,
    uplifts: std::ops::Range<usize>,
) -> Table {
    let mut header = vec![match columns {
        Columns::Uplifts => format!("Paired uplift vs \"{}\"", r.setups[0].name),
        _ => String::new(),
    }];
    if columns != Columns::Uplifts {
        header.extend(kpis.setups[setups.clone()].iter().map(|s| s.to_string()));
    }
    if columns != Columns::Setups {
        for u in &kpis.uplifts[uplifts.clone()] {
            header.push(match (columns, kpis.uplifts.len()) {
                (Columns::Uplifts, _) => u.to_string(),
                (_, 1) => "Uplift".into(),
                _ => format!("{u} vs first"),
            });
            header.push("P(better)".into());
        }
    }
    let mut table = Table::new(header);
    for section in &kpis.sections {
        table.section(section.label);
        for row in &section.rows {
            let m = row.metric;
            let mut cells = vec![format!("  {}", row.label)];
            if columns != Columns::Uplifts {
                cells.extend(
                    row.setups[setups.clone()]
                        .iter()
                        .map(|s| format::style_of(r).cell(m, s)),
                );
            }
            if columns != Columns::Setups {
                for up in &row.uplifts[uplifts.clone()] {
                    cells.push(format::uplift_cell(m, &up.difference, &up.ratio));
                    cells.push(format::p_better(up));
                }
            }
            table.row(cells);
        }
    }
    table
}

fn targets_table(r: &Results, setups: std::ops::Range<usize>) -> Table {
    let mut header = vec!["Targets: P(met)".to_string()];
    header.extend(r.setups[setups.clone()].iter().map(|s| s.name.clone()));
    let mut table = Table::new(header);
    for t in target_rows(r) {
        let g = &t.goal;
        let mut row = vec![format!(
            "  {} {} {}",
            g.metric.name(),
            g.comparison.symbol(),
            crate::scenario::dist::format_number(g.value)
        )];
        row.extend(
            t.p_met[setups.clone()]
                .iter()
                .map(|p| p.map_or("n/a".into(), format::percent)),
        );
        table.row(row);
    }
    table
}

/// The table of a sweep: a row per point, the best marked.
pub fn sweep_text(s: &crate::analysis::sweep::Sweep) -> String {
    let scaled: Vec<&str> = s
        .axes
        .iter()
        .filter(|a| a.scaled)
        .map(|a| a.path.as_str())
        .collect();
    let mut out = format!(
        "{}: sweep of {}, {} runs a point, seed {}\n",
        s.scenario,
        s.axes
            .iter()
            .map(|a| a.path.as_str())
            .collect::<Vec<_>>()
            .join(" × "),
        format::thousands(s.runs as f64, 0),
        s.seed
    );
    if !scaled.is_empty() {
        out.push_str(&format!(
            "{} is a distribution: each value scales it as a whole (a factor, 1 = as written).\n",
            scaled.join(", ")
        ));
    }
    out.push('\n');
    let mut header: Vec<String> = s.axes.iter().map(|a| a.title()).collect();
    header.extend([
        format!("{} mean", s.metric),
        "p10".into(),
        "p50".into(),
        "p90".into(),
    ]);
    if let Some(goal) = &s.goal {
        header.push(format!("P({goal})"));
    }
    header.extend(["cost".into(), "per won".into(), String::new()]);
    let mut table = Table::new(header);
    for (i, p) in s.points.iter().enumerate() {
        let mut row: Vec<String> = p.values.iter().map(|v| v.label()).collect();
        let v = |x: Option<f64>| x.map_or("n/a".into(), |x| format::value(s.metric, x));
        row.extend([
            v(p.summary.mean),
            v(p.summary.p10),
            v(p.summary.p50),
            v(p.summary.p90),
        ]);
        if let Some(pg) = p.p_goal {
            row.push(format::percent(pg));
        }
        row.extend(cost_cells(&p.cost));
        row.push(if i == s.best {
            "◀".into()
        } else {
            String::new()
        });
        table.row(row);
    }
    out.push_str(&table.render());
    out.push_str(&format!(
        "\ncost: mean cost over the horizon; per won: median cost per won deal (CAC).\n{}\n",
        best_rule_text(s)
    ));
    out
}

/// The cost cells of a point: mean cost and median cost per won deal.
fn cost_cells(c: &crate::analysis::sweep::PointCost) -> [String; 2] {
    let money = |x: Option<f64>| x.map_or("n/a".into(), format::compact);
    [money(c.cost_mean), money(c.cac_p50)]
}

/// The rule `◀ best` follows, in a sentence.
fn best_rule_text(s: &crate::analysis::sweep::Sweep) -> String {
    use crate::analysis::sweep::BestRule;
    let goal = s.goal.as_ref().map_or(String::new(), |g| g.to_string());
    match s.best_rule {
        BestRule::PGoal => format!(
            "◀ best: the highest P({goal}), the first row on a tie (--best cheapest weighs cost)."
        ),
        BestRule::Cheapest { confidence } if s.best_met => format!(
            "◀ best: the least mean cost among the points with P({goal}) >= {}.",
            format::percent(confidence)
        ),
        BestRule::Cheapest { confidence } => format!(
            "No point reaches P({goal}) >= {}: ◀ marks the highest P({goal}).",
            format::percent(confidence)
        ),
        BestRule::Metric { metric } => format!(
            "◀ best: the {} median of {metric}, the first row on a tie.",
            if metric.lower_is_better() {
                "lowest"
            } else {
                "highest"
            }
        ),
    }
}

/// The inputs of a sensitivity study as a table, with the sweep to run next.
/// `file` is the scenario as the user named it, for that command.
pub fn sensitivity_text(s: &crate::analysis::sensitivity::Sensitivity, file: &str) -> String {
    let what = sensitivity_metric(s);
    let v = |x: Option<f64>| x.map_or("n/a".into(), |x| format::study_value(s, x));
    let paragraphs = [
        format!(
            "{}: sensitivity of {what}, setup {}, {} runs, seed {}",
            s.scenario,
            s.setup,
            format::thousands(s.runs as f64, 0),
            s.seed
        ),
        format!(
            "Expected funnel with every uncertain input at its mean: {}.",
            v(s.base)
        ),
        "low/high: the input at its p10/p90, every other uncertain input at its mean; \
         at low/at high: the metric on the expected funnel there."
            .to_string(),
        format!(
            "rho: rank correlation with the metric across the runs; share: first-order share of \
             its variance (shares need not sum to 1; here they sum to {:.2}).",
            s.variance_share_sum
        ),
    ];
    let mut out = String::new();
    for p in &paragraphs {
        for line in crate::report::table::wrap(p, 100) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push('\n');
    let header = [
        "input", "low", "high", "at low", "at high", "swing", "rho", "share",
    ];
    let mut table = Table::new(header.iter().map(|h| h.to_string()).collect());
    for e in &s.inputs {
        let plain = e.kind == crate::analysis::sensitivity::InputKind::Plain;
        table.row(vec![
            if plain {
                format!("{} *", e.input)
            } else {
                e.input.clone()
            },
            input_value(e.low),
            input_value(e.high),
            v(e.metric_at_low),
            v(e.metric_at_high),
            e.swing.map_or("n/a".into(), |w| match s.uplift_measure {
                Some(_) => format!("{w:.3}"),
                None => format::value(s.metric, w),
            }),
            e.rank_correlation
                .map_or(String::new(), |r| format!("{r:+.2}")),
            e.variance_share.map_or(String::new(), format::percent),
        ]);
    }
    out.push_str(&table.render());
    if let Some(f) = s.plain {
        out.push_str(&format!(
            "* a plain number, moved {}% either way: it does not vary across runs (no rho or share).\n",
            format::thousands(100.0 * f, 0)
        ));
    }
    if let Some(top) = s
        .inputs
        .first()
        .filter(|e| e.swing.is_some_and(|w| w > 0.0))
    {
        let values = match top.kind {
            // A distribution is swept by scaling it as a whole.
            crate::analysis::sensitivity::InputKind::Uncertain => "0.5..1.5:0.25".to_string(),
            crate::analysis::sensitivity::InputKind::Plain => top
                .spider
                .iter()
                .map(|p| short_number(p.value))
                .collect::<Vec<_>>()
                .join(","),
        };
        out.push_str(&format!(
            "\nNext, the largest swing over a range:\n  funnelsim sweep {} --vary {}={values} --metric {}\n",
            shell_word(file),
            top.input,
            s.metric
        ));
    }
    out
}

/// An input's value in a table: three significant digits, large money in short form.
fn input_value(x: f64) -> String {
    let a = x.abs();
    if a >= 1e5 {
        format::compact(x)
    } else if a >= 100.0 {
        format::thousands(x, 0)
    } else if a >= 10.0 {
        format::thousands(x, 1)
    } else {
        short_number(x)
    }
}

/// "won", or "won uplift (ratio of MA to Baseline)".
fn sensitivity_metric(s: &crate::analysis::sensitivity::Sensitivity) -> String {
    match (&s.baseline, s.uplift_measure) {
        (Some(base), Some(measure)) => format!(
            "{} uplift ({} of {} to {base})",
            s.metric,
            measure.name(),
            s.setup
        ),
        _ => s.metric.to_string(),
    }
}

/// A file name as a shell word: quoted when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if plain && !word.is_empty() {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The answer of a goal search and the KPI cascade that goes with it.
pub fn target_text(t: &crate::analysis::sweep::Target) -> String {
    let mut out = format!(
        "{}: {} with {} confidence, solving {} ({} runs a point, seed {})\n\n",
        t.scenario,
        t.goal,
        format::percent(t.confidence),
        t.axis.title(),
        format::thousands(t.runs as f64, 0),
        t.seed
    );
    let (answer, at) = answer_text(t);
    out.push_str(&answer);
    out.push_str("\nEvery value simulated: P(goal), mean cost, median cost per won deal (CAC)\n\n");
    let mut points = Table::new(vec![
        t.axis.title(),
        "P(goal)".into(),
        "cost".into(),
        "per won".into(),
    ]);
    for ((x, p), c) in t.curve.iter().zip(&t.costs) {
        let mut row = vec![short_number(*x), format::percent(*p)];
        row.extend(cost_cells(c));
        points.row(row);
    }
    out.push_str(&points.render());
    match &t.cascade {
        Some(cascade) => {
            out.push_str(&format!(
                "\nKPI cascade {at}: what each team must deliver a month (mean, p10–p90)\n\n"
            ));
            let style = format::Style::of(&t.chart, &t.currency);
            out.push_str(&cascade_table(cascade, style).render());
        }
        None => out.push_str(
            "\nNo KPI cascade: no value in the range meets the goal, so there is no plan to break down.\n",
        ),
    }
    out
}

/// A parameter value to three decimals.
fn short_number(x: f64) -> String {
    crate::scenario::dist::format_number((x * 1e3).round() / 1e3)
}

/// The answer of a goal search in a sentence or two, and where its cascade is taken.
fn answer_text(t: &crate::analysis::sweep::Target) -> (String, &'static str) {
    use crate::analysis::sweep::Answer;
    let n = short_number;
    let least = if t.increasing { "least" } else { "most" };
    match &t.answer {
        Answer::Found {
            value,
            p_goal,
            uncertain: (lo, hi),
        } => {
            let mut text = format!(
                "Answer: {} = {} is the {least} value that meets the goal: P = {}.\n",
                t.axis.title(),
                n(*value),
                format::percent(*p_goal)
            );
            if hi > lo {
                text.push_str(&format!(
                    "With {} runs a point the answer is about {} to {}: P(goal) there is within the \
                     Monte Carlo error of {}.\n",
                    format::thousands(t.runs as f64, 0),
                    n(*lo),
                    n(*hi),
                    format::percent(t.confidence)
                ));
            }
            if (hi - lo) > 0.05 * value.abs() {
                text.push_str(&format!(
                    "That range is wide: --runs {} would about halve it.\n",
                    t.runs * 4
                ));
            }
            (text, "at the answer")
        }
        Answer::NonMonotone {
            feasible,
            best_value,
            best_p_goal,
        } => {
            let spans: Vec<String> = feasible
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        n(*a)
                    } else {
                        format!("{} to {}", n(*a), n(*b))
                    }
                })
                .collect();
            (
                format!(
                    "P(goal) is not monotone in {} over this range: no single threshold answers it.\nThe goal is met with the confidence for {}; the best point is {} (P = {}).\n",
                    t.axis.title(),
                    spans.join(", "),
                    n(*best_value),
                    format::percent(*best_p_goal)
                ),
                "at the best point",
            )
        }
        Answer::Unreachable {
            best_value,
            best_p_goal,
        } => (
            format!(
                "No value in the range meets the goal with {} confidence; the best is {} = {} with P = {} \
                 (widen --range or ease the goal).\n",
                format::percent(t.confidence),
                t.axis.title(),
                n(*best_value),
                format::percent(*best_p_goal)
            ),
            "at the best point",
        ),
    }
}

/// The KPI cascade: a row per stage with its owner, mean a month, p10–p90 and conversion.
fn cascade_table(cascade: &crate::analysis::sweep::Cascade, style: format::Style) -> Table {
    let teams = [cascade.team];
    let mut table = Table::new(vec![
        "Stage".into(),
        "Owner".into(),
        "per month".into(),
        "p10–p90".into(),
        "conversion".into(),
    ]);
    for stage in &cascade.stages {
        let s = &stage.per_month;
        let v = |x: Option<f64>| x.map_or("n/a".into(), |x| format::thousands(x, 1));
        table.row(vec![
            style.metric(stage.metric).into(),
            style.owner(stage.metric.owner(), &teams).into(),
            v(s.mean),
            format!("{}–{}", v(s.p10), v(s.p90)),
            stage.conversion.as_ref().map_or(String::new(), |(m, c)| {
                format!("{} {}", style.metric(*m), style.cell(*m, c))
            }),
        ]);
    }
    table
}
