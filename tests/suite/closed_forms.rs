//! The model against closed forms, at a fixed seed, with tolerances from the
//! Monte Carlo standard error.

use crate::common;

use common::*;
use funnelsim::scenario::metric::Metric;

const RUNS: u64 = 4000;

/// 6 months of 2027 from January hold 181 days; 60 leads a month in each month.
const LEADS: f64 = 6.0 * 60.0;

#[test]
fn fixed_rates_thin_a_poisson_stream() {
    let all = run(&plain(""), RUNS, 11);
    let r = &all[0];
    assert_poisson(&column(r, Metric::Leads), LEADS, "leads");
    assert_poisson(&column(r, Metric::Mqls), LEADS, "mqls");
    assert_poisson(&column(r, Metric::Sqls), LEADS * 0.4, "sqls");
    assert_poisson(
        &column(r, Metric::Opportunities),
        LEADS * 0.4 * 0.5,
        "opportunities",
    );
    assert_poisson(&column(r, Metric::Won), LEADS * 0.4 * 0.5 * 0.3, "won");
    // Nothing waits, so nothing expires and nothing is left open.
    assert!(column(r, Metric::LostToSla).iter().all(|&x| x == 0.0));
    assert!(column(r, Metric::OpenPipeline).iter().all(|&x| x == 0.0));
}

#[test]
fn growth_and_seasonality_scale_the_poisson_mean() {
    let toml = plain("").replace(
        "score = 50",
        "score = 50\ngrowth_per_month = 0.1\nseasonality = [2, 1, 1, 1, 1, 0.5, 1, 1, 1, 1, 1, 1]",
    );
    let all = run(&toml, RUNS, 12);
    let lambda: f64 = (0..6)
        .map(|m| 60.0 * 1.1f64.powi(m) * [2.0, 1.0, 1.0, 1.0, 1.0, 0.5][m as usize])
        .sum();
    assert_poisson(&column(&all[0], Metric::Leads), lambda, "leads");
}

#[test]
fn a_queue_with_capacity_above_demand_never_waits_or_expires() {
    // About 2 MQLs a day against a capacity of 10,000: even with an SLA of 0 days.
    let all = run(&plain("").replace("sla_days = 30", "sla_days = 0"), 500, 13);
    let r = &all[0];
    assert!(column(r, Metric::LostToSla).iter().all(|&x| x == 0.0));
    assert!(
        column(r, Metric::ResponseDaysMedian)
            .iter()
            .all(|&x| x == 0.0)
    );
}

#[test]
fn a_capacity_below_demand_loses_leads_to_the_sla() {
    // Control for the test above: 0.5 a day against about 2 arriving.
    let toml = plain("")
        .replace(
            "inbound_mqls_per_rep_per_day = 1000",
            "inbound_mqls_per_rep_per_day = 0.05",
        )
        .replace("sla_days = 30", "sla_days = 2");
    let all = run(&toml, 200, 14);
    let (lost, _) = mean_var(&column(&all[0], Metric::LostToSla));
    // At most 0.5 a day are worked: at least LEADS - 0.5 * 181 - (a few still waiting) expire.
    assert!(lost > LEADS - 0.5 * 181.0 - 10.0, "lost {lost}");
}

#[test]
fn a_one_day_handoff_with_a_one_day_half_life_halves_the_sql_rate() {
    let toml = plain("[marketing]\nhandoff_delay_days = 1").replace(
        "response_half_life_days = 1e12",
        "response_half_life_days = 1",
    );
    let all = run(&toml, RUNS, 15);
    let r = &all[0];
    // MQLs of the last day never join within the horizon; SQLs are still a thinned Poisson.
    let joined = LEADS * 180.0 / 181.0;
    assert_poisson(&column(r, Metric::Sqls), joined * 0.4 * 0.5, "sqls");
    assert!(
        column(r, Metric::ResponseDaysMedian)
            .iter()
            .all(|&x| x == 1.0)
    );
}

#[test]
fn nurture_with_zero_gain_never_requalifies_a_lead() {
    let nurture = |gain: f64| {
        plain(&format!("[marketing]\nautomation = true\nmql_threshold = 60\n[marketing.nurture]\nmonthly_score_gain = {gain}\nmonthly_unsubscribe = 0"))
            .replace("score = 50", "score = 30")
    };
    let zero = run(&nurture(0.0), 300, 16);
    assert!(column(&zero[0], Metric::Mqls).iter().all(|&x| x == 0.0));
    // Control: a gain of 40 lifts every lead of score 30 over 60 at its first month start.
    let some = run(&nurture(40.0), RUNS, 16);
    // Leads of months 0..=4 qualify at the next month start (month 5's do not within the horizon).
    assert_poisson(&column(&some[0], Metric::Mqls), 5.0 * 60.0, "mqls");
}

#[test]
fn unsubscribes_thin_nurtured_leads_geometrically() {
    // Score 30, gain 10, threshold 60: three month starts in nurture, each survived with 0.8.
    let toml = plain("[marketing]\nautomation = true\nmql_threshold = 60\n[marketing.nurture]\nmonthly_score_gain = 10\nmonthly_unsubscribe = 0.2")
        .replace("score = 50", "score = 30");
    let all = run(&toml, RUNS, 17);
    // Leads of months 0..=2 reach month starts 3..=5 inside a 6-month horizon.
    assert_poisson(
        &column(&all[0], Metric::Mqls),
        3.0 * 60.0 * 0.8f64.powi(3),
        "mqls",
    );
}

#[test]
fn costs_and_cac_add_up_by_hand() {
    let toml = r#"
[scenario]
name = "costs"
horizon_months = 3
[[source]]
name = "ads"
leads_per_month = 40
cost_per_lead = 1000
[[source]]
name = "events"
leads_per_month = 20
budget_per_month = 50000
[marketing]
automation = true
mql_threshold = 0
license_per_month = 7000
[follow_up]
team = "inside_sales"
[inside_sales]
reps = 2
mqls_per_rep_per_day = 100
cost_per_rep_per_month = 300000
[sales]
reps = 3
cost_per_rep_per_month = 500000
opportunity_lag_days = 0
sales_cycle_days = 0
[deal]
monthly_revenue = 20000
gross_margin = 0.5
monthly_churn = 0.04
max_lifetime_months = 12
[costs]
fixed_per_month = 1000
"#;
    let all = run(toml, 300, 18);
    let r = &all[0];
    let mut checked = 0;
    for run in &r.runs {
        let ads_leads = run.by_source[funnelsim::scenario::metric::SOURCE_METRICS
            .iter()
            .position(|m| *m == Metric::Leads)
            .unwrap()] as f64;
        let cost = 1000.0 * ads_leads
            + 3.0 * (50000.0 + 7000.0 + 2.0 * 300000.0 + 3.0 * 500000.0 + 1000.0);
        assert!(
            (run.get(Metric::Cost) - cost).abs() < 1e-6,
            "cost {} vs {cost}",
            run.get(Metric::Cost)
        );
        let won = run.get(Metric::Won);
        if won > 0.0 {
            checked += 1;
            assert!((run.get(Metric::Cac) - cost / won).abs() < 1e-6);
            assert!((run.get(Metric::NewMrr) - 20000.0 * won).abs() < 1e-6);
            // LTV = MRR per deal * margin * min(1 / churn, max lifetime) = 20000 * 0.5 * 12.
            assert!((run.get(Metric::Ltv) - 120_000.0).abs() < 1e-6);
            assert!((run.get(Metric::LtvToCac) - 120_000.0 / (cost / won)).abs() < 1e-9);
            assert!((run.get(Metric::PaybackMonths) - (cost / won) / 10_000.0).abs() < 1e-9);
        } else {
            assert!(run.get(Metric::Cac).is_nan() && run.get(Metric::LtvToCac).is_nan());
        }
    }
    assert!(checked > 250);
}

#[test]
fn revenue_follows_churn_in_expectation() {
    // Deals close the day their SQL is made; revenue of a deal won in month m is
    // r * sum_{k < months - m} (1 - churn)^k within the horizon.
    let toml =
        plain("[deal]\nmonthly_revenue = 1000\nmonthly_churn = 0.1\nmax_lifetime_months = 60");
    let all = run(&toml, 300, 19);
    for run in &all[0].runs {
        let by_month = &run.by_month;
        let won_at = funnelsim::scenario::metric::MONTHLY_METRICS
            .iter()
            .position(|m| *m == Metric::Won)
            .unwrap();
        let width = funnelsim::scenario::metric::MONTHLY_METRICS.len();
        let expected: f64 = (0..6)
            .map(|m| {
                by_month[m * width + won_at] as f64
                    * 1000.0
                    * (0..6 - m).map(|k| 0.9f64.powi(k as i32)).sum::<f64>()
            })
            .sum();
        assert!((run.get(Metric::Revenue) - expected).abs() < 1e-6 * expected.max(1.0));
    }
}
