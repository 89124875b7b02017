//! The summary table printed by `run` and `compare`: KPIs grouped by owner,
//! one column per setup, the paired uplift against the first, the targets.

use crate::format;
use crate::metric::{Metric, Owner};
use crate::summary::Results;
use crate::table::Table;

/// Widest table printed as one; wider ones split the uplift into a table of its own.
pub const MAX_WIDTH: usize = 100;

/// The whole text report.
pub fn text(r: &Results) -> String {
    let mut out = heading(r);
    let combined = kpi_table(r, true);
    if r.uplift.is_empty() || combined.total_width() <= MAX_WIDTH {
        out.push_str(&combined.render());
    } else {
        out.push_str(&kpi_table(r, false).render());
        out.push('\n');
        out.push_str(&uplift_table(r).render());
    }
    if r.setups.iter().any(|s| !s.targets.is_empty()) {
        out.push('\n');
        out.push_str(&targets_table(r).render());
    }
    out
}

fn heading(r: &Results) -> String {
    let span = match (r.months.first(), r.months.last()) {
        (Some(a), Some(b)) if r.months.len() > 1 => format!("{} months ({a} to {b})", r.horizon_months),
        _ => format!("{} month", r.horizon_months),
    };
    let currency = if r.currency.is_empty() { String::new() } else { format!(", money in {}", r.currency) };
    let mut out = format!("{}: {} runs, seed {}, {span}{currency}\n", r.scenario, format::thousands(r.runs as f64, 0), r.seed);
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

fn owner_rows(table: &mut Table, mut cells: impl FnMut(Metric) -> Vec<String>) {
    for owner in Owner::ALL {
        table.section(owner.label());
        for &m in Metric::ALL.iter().filter(|m| m.owner() == owner) {
            let mut row = vec![format!("  {}", m.label())];
            row.extend(cells(m));
            table.row(row);
        }
    }
}

fn kpi_table(r: &Results, with_uplift: bool) -> Table {
    let mut header = vec![String::new()];
    header.extend(r.setups.iter().map(|s| s.name.clone()));
    if with_uplift {
        for u in &r.uplift {
            header.push(if r.uplift.len() == 1 { "Uplift".into() } else { format!("{} vs first", u.setup) });
            header.push("P(better)".into());
        }
    }
    let mut table = Table::new(header);
    owner_rows(&mut table, |m| {
        let mut cells: Vec<String> = r.setups.iter().map(|s| format::cell(m, s.metric(m))).collect();
        if with_uplift {
            for u in &r.uplift {
                let row = &u.rows[m.index()];
                cells.push(format::uplift_cell(m, &row.difference, &row.ratio));
                cells.push(format::percent(row.p_better));
            }
        }
        cells
    });
    table
}

fn uplift_table(r: &Results) -> Table {
    let mut header = vec![format!("Paired uplift vs \"{}\"", r.setups[0].name)];
    for u in &r.uplift {
        header.push(u.setup.clone());
        header.push("P(better)".into());
    }
    let mut table = Table::new(header);
    owner_rows(&mut table, |m| {
        r.uplift
            .iter()
            .flat_map(|u| {
                let row = &u.rows[m.index()];
                [format::uplift_cell(m, &row.difference, &row.ratio), format::percent(row.p_better)]
            })
            .collect()
    });
    table
}

fn targets_table(r: &Results) -> Table {
    let mut header = vec!["Targets: P(met)".to_string()];
    header.extend(r.setups.iter().map(|s| s.name.clone()));
    let mut table = Table::new(header);
    let first = &r.setups[0];
    for t in &first.targets {
        let mut row = vec![format!("  {} {} {}", t.metric.name(), t.comparison, crate::dist::format_number(t.value))];
        let same = |x: &&crate::summary::TargetChance| x.metric == t.metric && x.comparison == t.comparison && x.value == t.value;
        row.extend(r.setups.iter().map(|s| s.targets.iter().find(same).map_or("n/a".into(), |t| format::percent(t.p_met))));
        table.row(row);
    }
    table
}
