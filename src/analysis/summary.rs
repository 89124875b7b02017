//! Summaries of each setup's runs, and the paired uplift of each setup against the first.

use serde::Serialize;

use crate::analysis::sensitivity::{Drivers, drivers};
use crate::runs::engine::SetupRuns;
use crate::runs::measure::RunMetrics;
use crate::runs::stats::{Summary, share};
use crate::scenario::Team;
use crate::scenario::metric::{Goal, MONTHLY_METRICS, Metric, SOURCE_METRICS};

/// One metric's summary.
#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    /// The metric summarised.
    pub metric: Metric,
    /// Its summary across runs (percentiles as PERCENTILE.INC).
    #[serde(flatten)]
    pub summary: Summary,
}

/// The chance of meeting one target.
#[derive(Clone, Debug, Serialize)]
pub struct TargetChance {
    /// The target, as a goal on its metric.
    #[serde(flatten)]
    pub goal: Goal,
    /// The share of runs that meet it.
    pub p_met: f64,
}

/// Summaries of one group of metrics (a source, a month).
#[derive(Clone, Debug, Serialize)]
pub struct Breakdown {
    /// The source name or month label.
    pub label: String,
    /// Each metric's summary for this source or month.
    pub metrics: Vec<MetricSummary>,
}

/// Everything reported about one setup.
#[derive(Clone, Debug, Serialize)]
pub struct SetupSummary {
    /// The setup's name: the scenario's or its variant's.
    pub name: String,
    /// Who follows up its MQLs (the owner of the follow-up KPIs).
    pub team: Team,
    /// Runs simulated.
    pub runs: usize,
    /// Every metric's summary over the horizon, in `Metric::ALL` order.
    pub metrics: Vec<MetricSummary>,
    /// The chance of meeting each of the setup's targets.
    pub targets: Vec<TargetChance>,
    /// Per lead source, the source metrics.
    pub by_source: Vec<Breakdown>,
    /// Per month, the monthly metrics.
    pub monthly: Vec<Breakdown>,
}

impl SetupSummary {
    /// The summary of one overall metric.
    pub fn metric(&self, m: Metric) -> &Summary {
        &self.metrics[m.index()].summary
    }
}

/// The paired comparison of one setup against the baseline on one metric.
#[derive(Clone, Debug, Serialize)]
pub struct UpliftRow {
    /// The metric compared.
    pub metric: Metric,
    /// Per-run `setup - baseline`.
    pub difference: Summary,
    /// Per-run `setup / baseline` (undefined when the baseline is zero).
    pub ratio: Summary,
    /// Share of runs where the setup is better (direction-aware; ties and undefined are not better).
    pub p_better: f64,
}

/// One setup against the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Uplift {
    /// The setup's name.
    pub setup: String,
    /// The baseline's name (the first setup).
    pub baseline: String,
    /// One row per metric, in `Metric::ALL` order.
    pub rows: Vec<UpliftRow>,
    /// What the extra deals cost, run by run.
    pub money: DecisionMoney,
}

/// Money per decision: the setup's extra cost against its extra deals, paired run by run.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionMoney {
    /// (cost - baseline cost) / (won - baseline won); undefined in a run where
    /// won does not increase.
    pub cost_per_extra_won: Summary,
    /// The extra customers' lifetime value over the extra cost: (won x LTV -
    /// the baseline's) / (cost - baseline cost); undefined in a run where the
    /// setup costs no more.
    pub incremental_ltv_to_cac: Summary,
}

/// [`DecisionMoney`] of one setup against the baseline on the same runs.
pub fn decision_money(setup: &SetupRuns, baseline: &SetupRuns) -> DecisionMoney {
    let pairs = || setup.runs.iter().zip(&baseline.runs);
    let lifetime_value = |r: &RunMetrics| {
        let won = r.get(Metric::Won);
        if won > 0.0 {
            won * r.get(Metric::Ltv)
        } else {
            0.0
        }
    };
    let extra = |(a, b): (&RunMetrics, &RunMetrics)| {
        (
            a.get(Metric::Cost) - b.get(Metric::Cost),
            a.get(Metric::Won) - b.get(Metric::Won),
            lifetime_value(a) - lifetime_value(b),
        )
    };
    let per_won = pairs()
        .map(extra)
        .map(|(cost, won, _)| if won > 0.0 { cost / won } else { f64::NAN });
    let ltv_cac = pairs()
        .map(extra)
        .map(|(cost, _, ltv)| if cost > 0.0 { ltv / cost } else { f64::NAN });
    DecisionMoney {
        cost_per_extra_won: Summary::of(per_won),
        incremental_ltv_to_cac: Summary::of(ltv_cac),
    }
}

/// Summarises every metric of a setup, overall, by source and by month, and its targets.
pub fn summarise(r: &SetupRuns, targets: &[Goal]) -> SetupSummary {
    let runs = &r.runs;
    let column = |m: Metric| runs.iter().map(move |x| x.get(m));
    let breakdown = |labels: Vec<String>,
                     metrics: &[Metric],
                     values: fn(&RunMetrics) -> &[f32]|
     -> Vec<Breakdown> {
        labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| Breakdown {
                label,
                metrics: metrics
                    .iter()
                    .enumerate()
                    .map(|(j, &metric)| MetricSummary {
                        metric,
                        summary: Summary::of(
                            runs.iter().map(|x| values(x)[i * metrics.len() + j] as f64),
                        ),
                    })
                    .collect(),
            })
            .collect()
    };
    let sources = r
        .setup
        .scenario
        .sources
        .iter()
        .map(|s| s.label.clone())
        .collect();
    let months = (0..r.model.calendar.months())
        .map(|m| r.model.calendar.label(m))
        .collect();
    SetupSummary {
        name: r.setup.label.clone(),
        team: r.setup.scenario.follow_up.team,
        runs: runs.len(),
        metrics: Metric::ALL
            .iter()
            .map(|&metric| MetricSummary {
                metric,
                summary: Summary::of(column(metric)),
            })
            .collect(),
        targets: targets
            .iter()
            .map(|g| TargetChance {
                goal: g.clone(),
                p_met: share(column(g.metric), |x| g.met_by(x)),
            })
            .collect(),
        by_source: breakdown(sources, SOURCE_METRICS, |x| &x.by_source),
        monthly: breakdown(months, MONTHLY_METRICS, |x| &x.by_month),
    }
}

/// Whether `x` is better than `base` for this metric.
pub fn is_better(metric: Metric, x: f64, base: f64) -> bool {
    if metric.lower_is_better() {
        x < base
    } else {
        x > base
    }
}

/// The paired uplift of `setup` against `baseline`, run by run (common random numbers).
pub fn uplift(setup: &SetupRuns, baseline: &SetupRuns) -> Uplift {
    let pairs = || setup.runs.iter().zip(&baseline.runs);
    let rows = Metric::ALL
        .iter()
        .map(|&metric| {
            let pair = |(a, b): (&RunMetrics, &RunMetrics)| (a.get(metric), b.get(metric));
            let difference = Summary::of(pairs().map(pair).map(|(x, base)| x - base));
            let ratio = Summary::of(
                pairs()
                    .map(pair)
                    .map(|(x, base)| if base == 0.0 { f64::NAN } else { x / base }),
            );
            let n = setup.runs.len().max(1) as f64;
            let better = pairs()
                .map(pair)
                .filter(|&(x, base)| !x.is_nan() && !base.is_nan() && is_better(metric, x, base))
                .count();
            UpliftRow {
                metric,
                difference,
                ratio,
                p_better: better as f64 / n,
            }
        })
        .collect();
    Uplift {
        setup: setup.setup.label.clone(),
        baseline: baseline.setup.label.clone(),
        rows,
        money: decision_money(setup, baseline),
    }
}

/// What a `run` or `compare` produced, ready for reports, files and charts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Results {
    /// The program that produced the results, `funnelsim`.
    pub program: &'static str,
    /// The funnelsim version that produced the results.
    pub version: &'static str,
    /// The scenario's name (the first setup's scenario).
    pub scenario: String,
    /// The scenario's description (empty when it has none).
    pub description: String,
    /// The seed: run i depends only on (seed, i).
    pub seed: u64,
    /// Runs per setup.
    pub runs: u64,
    /// The horizon simulated, in months.
    pub horizon_months: u32,
    /// Month labels, first to last.
    pub months: Vec<String>,
    /// The currency money metrics are in, as the scenario names it (empty when unset).
    pub currency: String,
    /// Each setup's summary, the first setup first.
    pub setups: Vec<SetupSummary>,
    /// Each setup after the first against the first.
    pub uplift: Vec<Uplift>,
    /// Resolved parameters of each setup, by parameter path.
    pub parameters: Vec<SetupParameters>,
    /// What each setup assumes without saying so, in setup order.
    pub assumptions: Vec<SetupAssumptions>,
    /// The rank correlations between (U) inputs of each setup that has any.
    pub correlations: Vec<SetupCorrelations>,
    /// The `--set` assignments applied (set by the caller).
    pub overrides: Vec<crate::scenario::Override>,
    /// What drives the result: the (U) inputs by variance share of `won` for
    /// the first setup that is not the baseline (or the only one), and of its
    /// opportunities uplift against the baseline.
    pub drivers: Vec<Drivers>,
    /// Set when the run count came from `--precision`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionReached>,
    /// The first setup's `[chart]`: the language and money units of the tables too.
    #[serde(skip)]
    pub chart: crate::scenario::ChartOptions,
}

/// What one setup assumes without saying so.
#[derive(Clone, Debug, Serialize)]
pub struct SetupAssumptions {
    /// The setup's label.
    pub setup: String,
    /// Its zero costs and defaulted values.
    #[serde(flatten)]
    pub assumptions: crate::scenario::assumptions::Assumptions,
}

/// The `[[correlation]]` entries of one setup.
#[derive(Clone, Debug, Serialize)]
pub struct SetupCorrelations {
    /// The setup's label.
    pub setup: String,
    /// Its rank correlations, in file order.
    pub entries: Vec<crate::scenario::correlation::Correlation>,
    /// Entries left out of this setup, and why.
    pub left_out: Vec<String>,
}

/// The resolved parameters of one setup.
#[derive(Clone, Debug, Serialize)]
pub struct SetupParameters {
    /// The setup's name.
    pub setup: String,
    /// Each resolved parameter value as text, by parameter path.
    pub values: std::collections::BTreeMap<String, String>,
}

/// What `--precision` asked and reached.
#[derive(Clone, Debug, Serialize)]
pub struct PrecisionReached {
    /// Asked: the 95% half-width of each count's mean, relative to the mean.
    pub requested: f64,
    /// Reached: the largest relative half-width over every count metric and setup.
    pub reached: f64,
    /// The most runs allowed (`--max-runs`).
    pub max_runs: u64,
}

/// Summarises the runs of every setup and compares each with the first.
pub fn results(all: &[SetupRuns], seed: u64, precision: Option<PrecisionReached>) -> Results {
    let first = &all[0];
    let s = &first.setup.scenario;
    let cal = &first.model.calendar;
    Results {
        program: "funnelsim",
        version: env!("CARGO_PKG_VERSION"),
        scenario: s.label.clone(),
        description: s.description.clone(),
        seed,
        runs: first.runs.len() as u64,
        horizon_months: s.horizon_months,
        months: (0..cal.months()).map(|m| cal.label(m)).collect(),
        currency: s.currency.clone(),
        chart: s.chart.clone(),
        setups: all
            .iter()
            .map(|r| summarise(r, &r.setup.scenario.targets))
            .collect(),
        uplift: all.iter().skip(1).map(|r| uplift(r, first)).collect(),
        parameters: all
            .iter()
            .map(|r| SetupParameters {
                setup: r.setup.label.clone(),
                values: r.setup.scenario.resolved_parameters().into_iter().collect(),
            })
            .collect(),
        assumptions: all
            .iter()
            .map(|r| SetupAssumptions {
                setup: r.setup.label.clone(),
                assumptions: r.setup.assumptions.clone(),
            })
            .collect(),
        correlations: all
            .iter()
            .map(|r| (r, &r.setup.scenario.correlations))
            .filter(|(_, c)| !c.is_empty() || !c.left_out.is_empty())
            .map(|(r, c)| SetupCorrelations {
                setup: r.setup.label.clone(),
                entries: c.entries.clone(),
                left_out: c.left_out.clone(),
            })
            .collect(),
        overrides: Vec::new(),
        drivers: drivers_of(all, seed),
        precision,
    }
}

/// The drivers of [`Results::drivers`], from the runs themselves.
fn drivers_of(all: &[SetupRuns], seed: u64) -> Vec<Drivers> {
    let i = usize::from(all.len() > 1);
    let mut out = vec![drivers(Metric::Won, &all[i], None, seed)];
    if i == 1 {
        out.push(drivers(Metric::Opportunities, &all[1], Some(&all[0]), seed));
    }
    out
}
