//! Resolved parameters of one run: every (U) value drawn from its own stream,
//! and those a `[[correlation]]` names moved together through its copula.

use crate::scenario::correlation::Copula;
use crate::scenario::dist::{normal_cdf, normal_quantile};
use crate::scenario::{LeadCost, Scenario, Uncertain};
use crate::sim::random;

/// How one (U) value is resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Draw {
    /// Drawn for run `run` of `seed`.
    Run {
        /// The Monte Carlo seed.
        seed: u64,
        /// The run index, from 0.
        run: u64,
    },
    /// Every (U) at its mean (`explain`).
    Mean,
}

impl Draw {
    /// The value of one (U) parameter.
    pub fn value(self, u: &Uncertain) -> f64 {
        match self {
            _ if u.dist.is_fixed() => u.dist.mean(),
            Draw::Mean => u.dist.mean(),
            Draw::Run { seed, run } => u.dist.sample(&mut random::stream(seed, run, &u.path)),
        }
    }
}

/// The (U) values of one run, as the engine draws them.
///
/// An input no `[[correlation]]` names is its own stream's draw
/// ([`Draw::value`]). The correlated ones start from the same draws, each
/// turned into a standard normal through its own CDF, then mixed by the
/// copula's Cholesky factor and mapped back through each input's quantile:
/// each keeps its marginal law exactly, their ranks correlate as asked, run
/// i still depends only on (seed, i), and at rank 0 every draw is the
/// independent one (to rounding), so setups with and without a correlation
/// still share their draws as far as the correlation allows.
pub struct Inputs<'s> {
    draw: Draw,
    copula: &'s Copula,
    /// Per correlated input, in the copula's order: its share of its law (a uniform).
    shares: Vec<f64>,
}

impl<'s> Inputs<'s> {
    /// The inputs of one run of a setup (`Draw::Mean`: every (U) at its mean).
    pub fn new(s: &'s Scenario, draw: Draw) -> Inputs<'s> {
        let copula = &s.correlations;
        let shares = match draw {
            Draw::Run { .. } if !copula.is_empty() => {
                let all = s.uncertain_parameters();
                let independent: Vec<f64> = copula
                    .inputs
                    .iter()
                    .map(|path| {
                        let u = all
                            .iter()
                            .find(|u| &u.path == path)
                            .expect("a correlated input is a (U) value of its scenario");
                        // Bounded: a draw at the very edge of its law must not give an infinity.
                        normal_quantile(u.dist.cdf(draw.value(u))).clamp(-38.0, 38.0)
                    })
                    .collect();
                // Strictly inside (0, 1): a share of exactly 0 or 1 is an end of the law.
                copula
                    .correlate(&independent)
                    .into_iter()
                    .map(|z| normal_cdf(z).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON))
                    .collect()
            }
            _ => Vec::new(),
        };
        Inputs {
            draw,
            copula,
            shares,
        }
    }

    /// The value of one (U) parameter in this run.
    pub fn value(&self, u: &Uncertain) -> f64 {
        match self.copula.index_of(&u.path) {
            Some(k) if !self.shares.is_empty() && !u.dist.is_fixed() => {
                u.dist.quantile(self.shares[k])
            }
            _ => self.draw.value(u),
        }
    }
}

/// (U) values of one lead source in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceParams {
    /// Mean leads a month, before growth and seasonality.
    pub leads_per_month: f64,
    /// Compounding monthly growth of the inflow (0.05 is 5% a month).
    pub growth_per_month: f64,
    /// Cost per lead (or zero with a budget).
    pub cost_per_lead: f64,
    /// Monthly budget (or zero with a cost per lead).
    pub budget_per_month: f64,
    /// Chance in [0, 1] that an SQL becomes an opportunity (the source's override or `[sales]`).
    pub sql_to_opportunity: f64,
    /// Chance in [0, 1] that an opportunity closes won (the source's override or `[sales]`).
    pub win_rate: f64,
}

/// Every (U) value of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunParams {
    /// Per lead source, in scenario order.
    pub sources: Vec<SourceParams>,
    /// Mean days from MQL to the follow-up queue.
    pub handoff_delay_days: f64,
    /// Marketing automation licence per month, in the scenario's currency.
    pub license_per_month: f64,
    /// Score points a nurtured lead gains at each month start.
    pub monthly_score_gain: f64,
    /// Chance in [0, 1] that a nurtured lead leaves at each month start.
    pub monthly_unsubscribe: f64,
    /// Days of waiting over which the chance to qualify halves.
    pub response_half_life_days: f64,
    /// The rate of each `sql_rate_by_score` band, in band order.
    pub band_rates: Vec<f64>,
    /// MQLs one inside-sales rep works a day.
    pub is_mqls_per_rep_per_day: f64,
    /// Cost of one inside-sales rep per month, in the scenario's currency.
    pub is_cost_per_rep_per_month: f64,
    /// Inbound MQLs one field-sales rep works a day (when field sales follows up).
    pub fs_inbound_mqls_per_rep_per_day: f64,
    /// Cost of one field-sales rep per month, in the scenario's currency.
    pub fs_cost_per_rep_per_month: f64,
    /// Share of revenue kept as margin, in [0, 1].
    pub gross_margin: f64,
    /// Chance in [0, 1] that a won deal churns each month (applied in expectation).
    pub monthly_churn: f64,
    /// Other sales and marketing cost per month, in the scenario's currency.
    pub fixed_cost_per_month: f64,
}

impl RunParams {
    /// Resolves every (U) value of a scenario.
    pub fn resolve(s: &Scenario, draw: Draw) -> RunParams {
        let inputs = Inputs::new(s, draw);
        RunParams::resolve_with(s, |u| inputs.value(u))
    }

    /// Resolves every (U) value of a scenario with `value` (sensitivity moves
    /// one input and keeps the others at their means).
    pub fn resolve_with(s: &Scenario, value: impl Fn(&Uncertain) -> f64) -> RunParams {
        let v = |u: &Uncertain| value(u);
        let sql_to_opportunity = v(&s.sales.sql_to_opportunity);
        let win_rate = v(&s.sales.win_rate);
        RunParams {
            sources: s
                .sources
                .iter()
                .map(|src| {
                    let (cost_per_lead, budget_per_month) = match &src.cost {
                        LeadCost::PerLead(u) => (v(u), 0.0),
                        LeadCost::BudgetPerMonth(u) => (0.0, v(u)),
                    };
                    SourceParams {
                        leads_per_month: v(&src.leads_per_month),
                        growth_per_month: v(&src.growth_per_month),
                        cost_per_lead,
                        budget_per_month,
                        sql_to_opportunity: src
                            .sql_to_opportunity
                            .as_ref()
                            .map_or(sql_to_opportunity, v),
                        win_rate: src.win_rate.as_ref().map_or(win_rate, v),
                    }
                })
                .collect(),
            handoff_delay_days: v(&s.marketing.handoff_delay_days),
            license_per_month: v(&s.marketing.license_per_month),
            monthly_score_gain: v(&s.marketing.nurture.monthly_score_gain),
            monthly_unsubscribe: v(&s.marketing.nurture.monthly_unsubscribe),
            response_half_life_days: v(&s.follow_up.response_half_life_days),
            band_rates: s
                .follow_up
                .sql_rate_by_score
                .iter()
                .map(|b| v(&b.rate))
                .collect(),
            is_mqls_per_rep_per_day: v(&s.inside_sales.mqls_per_rep_per_day),
            is_cost_per_rep_per_month: v(&s.inside_sales.cost_per_rep_per_month),
            fs_inbound_mqls_per_rep_per_day: v(&s.sales.inbound_mqls_per_rep_per_day),
            fs_cost_per_rep_per_month: v(&s.sales.cost_per_rep_per_month),
            gross_margin: v(&s.deal.gross_margin),
            monthly_churn: v(&s.deal.monthly_churn),
            fixed_cost_per_month: v(&s.fixed_cost_per_month),
        }
    }
}

/// The (U) draws of one run by parameter path, for `runs.csv`.
pub fn draws_by_path(s: &Scenario, draw: Draw) -> Vec<(String, f64)> {
    let inputs = Inputs::new(s, draw);
    s.uncertain_parameters()
        .into_iter()
        .filter(|u| !u.dist.is_fixed())
        .map(|u| (u.path.clone(), inputs.value(u)))
        .collect()
}
