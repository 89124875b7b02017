//! Per-run metrics (docs/model.md "Metrics") from what a run counted.
//!
//! An undefined ratio (zero denominator) is `f64::NAN` here and nowhere
//! else: statistics leave it out and count it, outputs write an empty cell.

use crate::scenario::metric::{METRIC_COUNT, MONTHLY_METRICS, Metric, SOURCE_METRICS};
use crate::sim::model::{RunCounts, SourceTally, histogram_median};
use crate::sim::params::RunParams;

/// Every metric of one run: overall, by source and by month.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMetrics {
    /// Indexed by [`Metric::index`].
    pub overall: [f64; METRIC_COUNT],
    /// Per source, the values of [`SOURCE_METRICS`] (single precision keeps memory bounded).
    pub by_source: Vec<f32>,
    /// Per month, the values of [`MONTHLY_METRICS`].
    pub by_month: Vec<f32>,
}

/// A ratio, undefined when the denominator is zero.
fn ratio(num: f64, den: f64) -> f64 {
    // An expected run can hold a denominator so small (1e-310 won deals) that
    // the ratio overflows: as undefined as a zero one.
    let x = num / den;
    if den == 0.0 || !x.is_finite() {
        f64::NAN
    } else {
        x
    }
}

/// The funnel counts and rates shared by the overall and the by-source metrics.
fn funnel(t: &SourceTally, value: &mut impl FnMut(Metric, f64)) {
    let [leads, mqls, sqls, opps, won, lost] = [
        t.leads,
        t.mqls,
        t.sqls,
        t.opportunities,
        t.won,
        t.closed_lost,
    ];
    value(Metric::Leads, leads);
    value(Metric::Mqls, mqls);
    value(Metric::Sqls, sqls);
    value(Metric::Opportunities, opps);
    value(Metric::Won, won);
    value(Metric::LostToSla, t.lost_to_sla);
    value(Metric::OpenPipeline, t.open_pipeline);
    value(Metric::MqlRate, ratio(mqls, leads));
    value(Metric::MqlToSql, ratio(sqls, mqls));
    value(Metric::SqlToOpportunity, ratio(opps, sqls));
    value(Metric::WinRate, ratio(won, won + lost));
    value(Metric::LeadToOpportunity, ratio(opps, leads));
    value(
        Metric::ResponseDaysMedian,
        histogram_median(&t.response_days).unwrap_or(f64::NAN),
    );
    value(Metric::NewMrr, t.new_mrr);
    value(Metric::Revenue, t.revenue);
}

impl RunMetrics {
    /// Computes every metric of a run.
    pub fn from_counts(c: &RunCounts, p: &RunParams, max_lifetime_months: u32) -> RunMetrics {
        let mut total = SourceTally::default();
        for t in &c.sources {
            total.leads += t.leads;
            total.mqls += t.mqls;
            total.sqls += t.sqls;
            total.opportunities += t.opportunities;
            total.won += t.won;
            total.closed_lost += t.closed_lost;
            total.lost_to_sla += t.lost_to_sla;
            total.open_pipeline += t.open_pipeline;
            total.new_mrr += t.new_mrr;
            total.revenue += t.revenue;
            if total.response_days.len() < t.response_days.len() {
                total.response_days.resize(t.response_days.len(), 0.0);
            }
            for (sum, n) in total.response_days.iter_mut().zip(&t.response_days) {
                *sum += n;
            }
        }
        let mut overall = [f64::NAN; METRIC_COUNT];
        funnel(&total, &mut |m, v| overall[m.index()] = v);
        let won = total.won;
        let lifetime = if p.monthly_churn > 0.0 {
            (1.0 / p.monthly_churn).min(max_lifetime_months as f64)
        } else {
            max_lifetime_months as f64
        };
        let mrr_per_deal = ratio(total.new_mrr, won);
        let cac = ratio(c.cost, won);
        let ltv = mrr_per_deal * p.gross_margin * lifetime;
        overall[Metric::Cost.index()] = c.cost;
        overall[Metric::Cac.index()] = cac;
        overall[Metric::Ltv.index()] = ltv;
        overall[Metric::LtvToCac.index()] = if c.cost == 0.0 {
            f64::NAN
        } else {
            ratio(ltv, cac)
        };
        overall[Metric::PaybackMonths.index()] = ratio(cac, mrr_per_deal * p.gross_margin);

        let mut by_source = Vec::with_capacity(c.sources.len() * SOURCE_METRICS.len());
        for t in &c.sources {
            let mut row = [f64::NAN; METRIC_COUNT];
            funnel(t, &mut |m, v| row[m.index()] = v);
            by_source.extend(SOURCE_METRICS.iter().map(|m| row[m.index()] as f32));
        }
        let mut by_month = Vec::with_capacity(c.months.len() * MONTHLY_METRICS.len());
        let (mut opened, mut closed) = (0.0, 0.0);
        for (month, t) in c.months.iter().enumerate() {
            opened += t.opportunities;
            closed += t.closed;
            for m in MONTHLY_METRICS {
                by_month.push(match m {
                    Metric::Leads => t.leads as f32,
                    Metric::Mqls => t.mqls as f32,
                    Metric::Sqls => t.sqls as f32,
                    Metric::Opportunities => t.opportunities as f32,
                    Metric::Won => t.won as f32,
                    Metric::LostToSla => t.lost_to_sla as f32,
                    // Opportunities open at the end of the month.
                    Metric::OpenPipeline => (opened - closed) as f32,
                    Metric::Revenue => c.revenue_by_month[month] as f32,
                    _ => unreachable!("MONTHLY_METRICS holds counts and revenue"),
                });
            }
        }
        RunMetrics {
            overall,
            by_source,
            by_month,
        }
    }

    /// One overall metric.
    pub fn get(&self, m: Metric) -> f64 {
        self.overall[m.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn ratios_are_undefined_for_zero_or_vanishing_denominators() {
        assert_eq!(ratio(3.0, 2.0), 1.5);
        assert!(ratio(3.0, 0.0).is_nan());
        assert!(ratio(1e6, 1e-320).is_nan());
    }
}
