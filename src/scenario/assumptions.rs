//! What a setup leaves unsaid: the costs of teams and tools it uses that are
//! 0 (a CAC that leaves field sales out is not a CAC), and every value taken
//! from a default rather than from the file, a variant or `--set`.

use serde::Serialize;

use crate::scenario::doc::Node;
use crate::scenario::paths::{ParamPath, all_paths};
use crate::scenario::{LeadCost, Scenario, Team};

/// A cost of a team or tool the setup uses that is 0.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZeroCost {
    /// The parameter path of the cost.
    pub path: String,
    /// Whether it was written as 0 (else it was left out and defaults to 0).
    pub written: bool,
    /// Why it matters, in a sentence.
    pub why: String,
}

/// What one setup assumes without saying so.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Assumptions {
    /// Costs of what the setup uses that are 0.
    pub zero_costs: Vec<ZeroCost>,
    /// Every parameter path whose value is the default, with that value.
    pub defaults: Vec<(String, String)>,
}

/// Paths whose defaults say nothing about the funnel: names, labels, text.
const NOT_ASSUMPTIONS: [&str; 5] = [
    "scenario.label",
    "scenario.description",
    "scenario.baseline",
    "chart.font",
    "scenario.currency",
];

/// The assumptions of a setup read from `tree` (its variant's changes applied).
pub fn assumptions(tree: &Node, scenario: &Scenario) -> Assumptions {
    let written = |path: &str| {
        ParamPath::parse(path, tree, &crate::error::Origin::Argument(path.into()))
            .ok()
            .and_then(|p| p.get(tree).map(|_| ()))
            .is_some()
    };
    let resolved: std::collections::BTreeMap<String, String> =
        scenario.resolved_parameters().into_iter().collect();
    let defaults = all_paths(tree)
        .into_iter()
        .filter(|p| !p.starts_with("targets.") && !NOT_ASSUMPTIONS.contains(&p.as_str()))
        .filter(|p| !written(p))
        .filter_map(|p| resolved.get(&p).map(|v| (p.clone(), v.clone())))
        .collect();
    Assumptions {
        zero_costs: zero_costs(scenario, &written),
        defaults,
    }
}

/// Every cost of a team or tool the setup uses that is 0, and every source with no cost.
fn zero_costs(s: &Scenario, written: &dyn Fn(&str) -> bool) -> Vec<ZeroCost> {
    let mut out = Vec::new();
    let mut zero = |path: String, value: f64, why: String| {
        if value == 0.0 {
            out.push(ZeroCost {
                written: written(&path),
                path,
                why,
            });
        }
    };
    if s.sales.reps > 0 {
        zero(
            "sales.cost_per_rep_per_month".into(),
            s.sales.cost_per_rep_per_month.dist.mean(),
            format!(
                "{} field-sales reps are paid in every setup; cost, CAC and LTV/CAC leave them out",
                s.sales.reps
            ),
        );
    }
    if s.follow_up.team == Team::InsideSales && s.inside_sales.reps > 0 {
        zero(
            "inside_sales.cost_per_rep_per_month".into(),
            s.inside_sales.cost_per_rep_per_month.dist.mean(),
            format!(
                "{} inside-sales reps follow up; cost, CAC and LTV/CAC leave them out",
                s.inside_sales.reps
            ),
        );
    }
    if s.marketing.automation {
        zero(
            "marketing.license_per_month".into(),
            s.marketing.license_per_month.dist.mean(),
            "the MA tool is on; cost, CAC and LTV/CAC leave its licence out".into(),
        );
    }
    for src in &s.sources {
        let (key, cost) = match &src.cost {
            LeadCost::PerLead(u) => ("cost_per_lead", u),
            LeadCost::BudgetPerMonth(u) => ("budget_per_month", u),
        };
        let path = format!("source.{}.{key}", src.name);
        // A source written as free (referrals) is a statement; one left out is not.
        if !written(&path) {
            zero(
                path,
                cost.dist.mean(),
                format!(
                    "source {} has no cost_per_lead or budget_per_month; its leads are counted as free",
                    src.label
                ),
            );
        }
    }
    out
}
