//! `explain`: the expected funnel of each setup, every (U) at its mean and
//! every count at its expectation (the same model, no noise): a "reverse
//! funnel" sheet that says how many of each stage one won deal takes.

use crate::report::format;
use crate::report::table::Table;
use crate::runs::engine;
use crate::scenario::Setup;
use crate::scenario::metric::{FUNNEL_STAGES, Metric};

/// The sheet for every setup.
pub fn text(title: &str, setups: &[Setup]) -> String {
    let expected: Vec<_> = setups.iter().map(engine::expected_run).collect();
    let first = &setups[0].scenario;
    let style = format::Style::of(&first.chart, &first.currency);
    let months = setups[0].scenario.horizon_months as f64;
    let mut out = format!(
        "{title}: the expected funnel over {} months, every uncertain value at its mean, no noise.\nCounts are per month, money over the whole horizon. \"Per won deal\" reads the\nfunnel backwards: what one more won deal takes at each stage.\n\n",
        setups[0].scenario.horizon_months
    );
    let mut header = vec!["Stage".to_string()];
    for s in setups {
        header.push(s.label.clone());
        header.push("per won deal".into());
    }
    let mut table = Table::new(header);
    table.section("Funnel");
    let stages = FUNNEL_STAGES
        .into_iter()
        .chain([Metric::LostToSla, Metric::OpenPipeline]);
    for m in stages {
        let mut row = vec![format!("  {}", style.metric(m))];
        for e in &expected {
            let x = e.get(m);
            let per_won = if m == Metric::LostToSla || m == Metric::OpenPipeline {
                f64::NAN
            } else {
                x / e.get(Metric::Won)
            };
            row.extend([
                format::thousands(x / months, 1),
                if per_won.is_finite() {
                    format::thousands(per_won, 1)
                } else {
                    String::new()
                },
            ]);
        }
        table.row(row);
    }
    table.section("Conversion");
    let rates = [
        Metric::MqlRate,
        Metric::MqlToSql,
        Metric::SqlToOpportunity,
        Metric::WinRate,
        Metric::LeadToOpportunity,
        Metric::ResponseDaysMedian,
    ];
    let money = [
        Metric::NewMrr,
        Metric::Revenue,
        Metric::Cost,
        Metric::Cac,
        Metric::Ltv,
        Metric::LtvToCac,
        Metric::PaybackMonths,
    ];
    for (section, metrics) in [(None, &rates[..]), (Some("Money"), &money[..])] {
        if let Some(title) = section {
            table.section(title);
        }
        for &m in metrics {
            let mut row = vec![format!("  {}", style.metric(m))];
            for e in &expected {
                row.extend([style.value(m, e.get(m)), String::new()]);
            }
            table.row(row);
        }
    }
    out.push_str(&table.render());
    out
}
