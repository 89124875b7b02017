//! The report model: the KPI table by owner and the targets, built once from
//! the results and rendered by every format (the terminal table, report.md,
//! and any format to come), so no two formats can list different rows.

use crate::analysis::summary::{DecisionMoney, Results, UpliftRow};
use crate::runs::stats::Summary;
use crate::scenario::metric::{Goal, Metric, Owner};

/// The KPI table: a section per owner, a row per metric, a cell per setup and
/// per paired uplift.
#[derive(Debug)]
pub struct KpiTable<'r> {
    /// The setups, in column order.
    pub setups: Vec<&'r str>,
    /// The setups compared with the first, in column order.
    pub uplifts: Vec<&'r str>,
    /// The owners' sections, in [`Owner::ALL`] order.
    pub sections: Vec<KpiSection<'r>>,
}

/// The metrics one owner answers for.
#[derive(Debug)]
pub struct KpiSection<'r> {
    /// Who owns these metrics.
    pub owner: Owner,
    /// The owner as the section heading names it for these setups.
    pub label: &'static str,
    /// A row per metric, in [`Metric::ALL`] order.
    pub rows: Vec<KpiRow<'r>>,
}

/// One metric across the setups.
#[derive(Debug)]
pub struct KpiRow<'r> {
    /// The metric of the row.
    pub metric: Metric,
    /// Its label in the results' language.
    pub label: &'static str,
    /// Its summary across runs, per setup.
    pub setups: Vec<&'r Summary>,
    /// Its paired uplift against the first setup, per compared setup.
    pub uplifts: Vec<&'r UpliftRow>,
}

/// One target, met or not by each setup.
#[derive(Debug)]
pub struct TargetRow {
    /// The goal the target sets.
    pub goal: Goal,
    /// The chance each setup meets it; `None` where that setup has no such target.
    pub p_met: Vec<Option<f64>>,
}

impl<'r> KpiTable<'r> {
    /// The table of every metric of `r`, labelled in its language.
    pub fn of(r: &'r Results) -> KpiTable<'r> {
        let teams: Vec<_> = r.setups.iter().map(|s| s.team).collect();
        let style = crate::report::format::style_of(r);
        let sections = Owner::ALL
            .iter()
            .map(|&owner| KpiSection {
                owner,
                label: style.owner(owner, &teams),
                rows: Metric::ALL
                    .iter()
                    .filter(|m| m.owner() == owner)
                    .map(|&metric| KpiRow {
                        metric,
                        label: style.metric(metric),
                        setups: r.setups.iter().map(|s| s.metric(metric)).collect(),
                        uplifts: r.uplift.iter().map(|u| &u.rows[metric.index()]).collect(),
                    })
                    .collect(),
            })
            .collect();
        KpiTable {
            setups: r.setups.iter().map(|s| s.name.as_str()).collect(),
            uplifts: r.uplift.iter().map(|u| u.setup.as_str()).collect(),
            sections,
        }
    }
}

/// Money per decision of one compared setup, as every format shows it.
#[derive(Debug)]
pub struct MoneyRow<'r> {
    /// The setup compared.
    pub setup: &'r str,
    /// The baseline it is compared with.
    pub baseline: &'r str,
    /// The paired figures.
    pub money: &'r DecisionMoney,
}

/// A row of money per decision for every setup compared with the baseline.
pub fn money_rows(r: &Results) -> Vec<MoneyRow<'_>> {
    r.uplift
        .iter()
        .map(|u| MoneyRow {
            setup: &u.setup,
            baseline: &u.baseline,
            money: &u.money,
        })
        .collect()
}

/// Every target of any setup, in first-seen order, with each setup's chance of meeting it.
pub fn target_rows(r: &Results) -> Vec<TargetRow> {
    let mut goals: Vec<&Goal> = Vec::new();
    for t in r.setups.iter().flat_map(|s| &s.targets) {
        if !goals.contains(&&t.goal) {
            goals.push(&t.goal);
        }
    }
    goals
        .into_iter()
        .map(|goal| TargetRow {
            goal: goal.clone(),
            p_met: r
                .setups
                .iter()
                .map(|s| s.targets.iter().find(|t| &t.goal == goal).map(|t| t.p_met))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::{SetupSummary, TargetChance};

    fn setup(name: &str, targets: &[(Metric, f64, f64)]) -> SetupSummary {
        SetupSummary {
            name: name.into(),
            team: crate::scenario::Team::InsideSales,
            runs: 1,
            metrics: Vec::new(),
            targets: targets
                .iter()
                .map(|&(metric, value, p_met)| TargetChance {
                    goal: Goal::target(metric, value),
                    p_met,
                })
                .collect(),
            by_source: Vec::new(),
            monthly: Vec::new(),
        }
    }

    #[test]
    fn targets_of_every_setup_are_merged_in_first_seen_order() {
        let r = Results {
            setups: vec![
                setup("a", &[(Metric::Won, 30.0, 0.5)]),
                setup("b", &[(Metric::Cac, 1e6, 0.25), (Metric::Won, 30.0, 0.75)]),
            ],
            ..Results::default()
        };
        let rows = target_rows(&r);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].goal, Goal::target(Metric::Won, 30.0));
        assert_eq!(rows[0].p_met, vec![Some(0.5), Some(0.75)]);
        assert_eq!(rows[1].goal, Goal::target(Metric::Cac, 1e6));
        assert_eq!(rows[1].p_met, vec![None, Some(0.25)]);
    }
}
