//! Helpers shared by the integration tests.

use funnelsim::runs::engine::{self, SetupRuns};
use funnelsim::scenario::metric::Metric;
use funnelsim::scenario::{Setup, setups_of};

/// The setups of a scenario written inline.
pub fn setups(toml: &str) -> Vec<Setup> {
    let tree = funnelsim::scenario::doc::parse_str(toml, "test.toml").expect("valid TOML");
    setups_of(&tree, "test").unwrap_or_else(|e| panic!("invalid scenario: {e}"))
}

/// Runs every setup of an inline scenario.
pub fn run(toml: &str, runs: u64, seed: u64) -> Vec<SetupRuns> {
    engine::run_all(&setups(toml), seed, runs, &|_| {})
}

/// One metric of every run of a setup.
pub fn column(r: &SetupRuns, m: Metric) -> Vec<f64> {
    r.runs.iter().map(|x| x.get(m)).collect()
}

/// Sample mean and variance (n - 1).
pub fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

/// Asserts that the sample of a Poisson(lambda) count has the right mean and
/// variance, within four Monte Carlo standard errors of each.
pub fn assert_poisson(xs: &[f64], lambda: f64, what: &str) {
    let n = xs.len() as f64;
    let (mean, var) = mean_var(xs);
    let se_mean = (lambda / n).sqrt();
    assert!(
        (mean - lambda).abs() < 4.0 * se_mean,
        "{what}: mean {mean} vs Poisson {lambda} (se {se_mean})"
    );
    // Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n, with mu4 = lambda (1 + 3 lambda) for a Poisson.
    let se_var =
        ((lambda * (1.0 + 3.0 * lambda) - lambda * lambda * (n - 3.0) / (n - 1.0)) / n).sqrt();
    assert!(
        (var - lambda).abs() < 4.0 * se_var,
        "{what}: variance {var} vs Poisson {lambda} (se {se_var})"
    );
}

/// A plain funnel with fixed rates, no capacity limit and no decay; `extra` is appended.
pub fn plain(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "plain"
horizon_months = 6
[[source]]
name = "web"
leads_per_month = 60
score = 50
[follow_up]
team = "field_sales"
sla_days = 30
response_half_life_days = 1e12
sql_rate_by_score = [[0, 0.4]]
[sales]
reps = 10
inbound_mqls_per_rep_per_day = 1000
sql_to_opportunity = 0.5
opportunity_lag_days = 0
sales_cycle_days = 0
win_rate = 0.3
{extra}
"#
    )
}

/// A tiny team working MQLs oldest first with no slack: a low MQL threshold floods
/// it with leads that never convert, a high one starves it, so won deals peak in
/// the middle of the threshold range (a non-monotone goal search).
pub const SMALL_TEAM_THRESHOLD: &str = r#"
[scenario]
name = "threshold"
horizon_months = 6
[[source]]
name = "web"
leads_per_month = 600
score = { normal = { mean = 50, sd = 25 } }
[marketing]
automation = true
mql_threshold = 70
[marketing.nurture]
monthly_score_gain = 0
[follow_up]
team = "inside_sales"
sla_days = 0
response_half_life_days = 1e9
sql_rate_by_score = [[0, 0.0], [70, 0.5]]
[inside_sales]
reps = 1
mqls_per_rep_per_day = 5
[sales]
opportunity_lag_days = 0
sales_cycle_days = 0
"#;
