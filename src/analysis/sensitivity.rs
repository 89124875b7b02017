//! Which inputs drive a metric (docs/cli.md "sensitivity").
//!
//! Two views that answer different questions:
//!
//! - **Tornado and spider, on the expected funnel.** One input at a time is
//!   moved (a (U) input to its own percentiles, a plain number by a stated
//!   fraction) while every other (U) input stays at its mean, and the metric
//!   is that of `explain`'s expected funnel: deterministic and instant, so a
//!   swing is the input's effect and nothing else.
//! - **From the Monte Carlo runs.** Each (U) input's Spearman rank
//!   correlation with the metric across runs, and its first-order variance
//!   share: the correlation ratio of the metric over equal-count bins of the
//!   input's ranks, corrected for the between-bin variance that noise alone
//!   would give. It needs no extra runs: run i's inputs are re-drawn from
//!   their own streams, exactly as the engine drew them.
//!
//! With an uplift the metric of a run is the paired uplift of the setup
//! against the baseline on the same run: the ratio for counts and money, the
//! difference for rates and days, as in uplift.csv.

use rayon::prelude::*;
use serde::Serialize;

use crate::runs::engine::{SetupRuns, expected_run_with};
use crate::runs::measure::RunMetrics;
use crate::scenario::metric::{Metric, Unit};
use crate::scenario::{Scenario, Setup, Uncertain};
use crate::sim::model::Model;
use crate::sim::params::{Draw, Inputs, RunParams};

/// The percentiles a (U) input is moved to: the spider's points; the first
/// and last are the tornado's low and high.
pub const PERCENTILES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

/// What kind of number an input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// A (U) value: a distribution of what the world may be.
    Uncertain,
    /// A plain number moved by `--plain`'s fraction either way.
    Plain,
}

impl InputKind {
    /// As the `kind` column writes it.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Uncertain => "uncertain",
            InputKind::Plain => "plain",
        }
    }
}

/// How an uplift compares a setup with the baseline, run by run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpliftMeasure {
    /// setup / baseline: counts and money.
    Ratio,
    /// setup - baseline: rates and days.
    Difference,
}

impl UpliftMeasure {
    /// The measure of a metric's uplift (as in uplift.csv).
    pub fn of(metric: Metric) -> UpliftMeasure {
        if uses_ratio(metric) {
            UpliftMeasure::Ratio
        } else {
            UpliftMeasure::Difference
        }
    }

    /// "ratio" or "difference".
    pub fn name(self) -> &'static str {
        match self {
            UpliftMeasure::Ratio => "ratio",
            UpliftMeasure::Difference => "difference",
        }
    }
}

/// What a sensitivity study computes, checked by the caller.
#[derive(Clone, Debug)]
pub struct SensitivitySpec {
    /// The metric studied.
    pub metric: Metric,
    /// Study the paired uplift of the setup against the baseline.
    pub uplift: bool,
    /// Also move every plain number by this fraction either way (0.2 for ±20%).
    pub plain: Option<f64>,
}

/// One point of an input's spider.
#[derive(Clone, Debug, Serialize)]
pub struct SpiderPoint {
    /// Where the input was put: its percentile (0.1 …) or, for a plain
    /// number, the factor applied (0.8 …).
    pub level: f64,
    /// The input's value there (in the studied setup).
    pub value: f64,
    /// The metric on the expected funnel; `None` where it is undefined.
    pub metric: Option<f64>,
}

/// One input: its tornado bar, spider and Monte Carlo figures.
#[derive(Clone, Debug, Serialize)]
pub struct InputEffect {
    /// The parameter path.
    pub input: String,
    /// A (U) input or a plain number.
    pub kind: InputKind,
    /// The input at its low end (p10, or the plain value less the fraction).
    pub low: f64,
    /// The input at its high end (p90, or the plain value plus the fraction).
    pub high: f64,
    /// The metric with the input low and every other (U) input at its mean.
    pub metric_at_low: Option<f64>,
    /// The metric with the input high and every other (U) input at its mean.
    pub metric_at_high: Option<f64>,
    /// `|metric_at_high - metric_at_low|`.
    pub swing: Option<f64>,
    /// The five points of the spider, low to high.
    pub spider: Vec<SpiderPoint>,
    /// Spearman's rank correlation with the metric across the runs ((U) inputs only).
    pub rank_correlation: Option<f64>,
    /// First-order share of the metric's variance across the runs ((U) inputs only).
    pub variance_share: Option<f64>,
}

/// A whole study, ready for the table, the files and the charts.
#[derive(Clone, Debug, Serialize)]
pub struct Sensitivity {
    /// The program that produced it, `funnelsim`.
    pub program: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The scenario's name.
    pub scenario: String,
    /// The currency of its money, as the scenario names it.
    #[serde(skip)]
    pub currency: String,
    /// What charts call its inputs.
    #[serde(skip)]
    pub names: crate::scenario::names::ParameterNames,
    /// The setup studied.
    pub setup: String,
    /// The baseline of an uplift.
    pub baseline: Option<String>,
    /// The metric studied.
    pub metric: Metric,
    /// Whether the metric is the paired uplift against the baseline.
    pub uplift: bool,
    /// How the uplift compares, for an uplift.
    pub uplift_measure: Option<UpliftMeasure>,
    /// Monte Carlo runs behind the correlations and shares.
    pub runs: u64,
    /// Their seed.
    pub seed: u64,
    /// The fraction plain numbers were moved by, when asked.
    pub plain: Option<f64>,
    /// The metric on the expected funnel with every input at its mean.
    pub base: Option<f64>,
    /// The metric's mean across the runs.
    pub mean_across_runs: Option<f64>,
    /// Sum of the variance shares: first-order shares need not add up to 1
    /// (interactions, and noise that no input explains).
    pub variance_share_sum: f64,
    /// Every input, largest swing first.
    pub inputs: Vec<InputEffect>,
}

/// One input's figures from the runs alone (report.md's "What drives the result").
#[derive(Clone, Debug, Serialize)]
pub struct Driver {
    /// The parameter path.
    pub input: String,
    /// Spearman's rank correlation with the metric across the runs.
    pub rank_correlation: Option<f64>,
    /// First-order share of the metric's variance across the runs.
    pub variance_share: Option<f64>,
}

/// The drivers of one metric of one setup, from its runs.
#[derive(Clone, Debug, Serialize)]
pub struct Drivers {
    /// The metric.
    pub metric: Metric,
    /// The setup.
    pub setup: String,
    /// The baseline, when the metric is the uplift against it.
    pub baseline: Option<String>,
    /// Every (U) input, largest variance share first.
    pub inputs: Vec<Driver>,
}

/// The setups a metric is computed on: the studied one, and the baseline of an uplift.
#[derive(Clone, Copy)]
pub struct Pair<'a> {
    /// The setup studied.
    pub setup: &'a Setup,
    /// The baseline, for an uplift.
    pub baseline: Option<&'a Setup>,
}

impl Pair<'_> {
    fn setups(&self) -> impl Iterator<Item = &Setup> {
        std::iter::once(self.setup).chain(self.baseline)
    }

    /// The input at `path` as the study sees it: the studied setup's, else the baseline's.
    fn input(&self, path: &str, uncertain: bool) -> Option<Uncertain> {
        self.holder(path, uncertain).map(|(_, u)| u)
    }

    /// The first setup that has the input (as a distribution, or a plain value), and the input.
    fn holder(&self, path: &str, uncertain: bool) -> Option<(&Setup, Uncertain)> {
        self.setups().find_map(|s| {
            s.scenario
                .uncertain_parameters()
                .into_iter()
                .find(|u| u.path == path && u.dist.is_fixed() != uncertain)
                .map(|u| (s, u.clone()))
        })
    }

    /// Every (U) input path of either setup, in path order.
    fn uncertain_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .setups()
            .flat_map(|s| s.scenario.uncertain_parameters())
            .filter(|u| !u.dist.is_fixed())
            .map(|u| u.path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// Every plain input path: plain in each setup that has it, not 0 in all of them
    /// (a fraction of 0 moves nothing).
    fn plain_paths(&self, uncertain: &[String]) -> Vec<String> {
        let mut paths: Vec<String> = self
            .setups()
            .flat_map(|s| s.scenario.uncertain_parameters())
            .filter(|u| u.dist.is_fixed() && u.dist.mean() != 0.0)
            .map(|u| u.path.clone())
            .filter(|p| !uncertain.contains(p))
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

/// The value of the metric for one run (or expected funnel) of a pair.
pub fn metric_value(metric: Metric, setup: &RunMetrics, baseline: Option<&RunMetrics>) -> f64 {
    let x = setup.get(metric);
    let Some(base) = baseline.map(|b| b.get(metric)) else {
        return x;
    };
    if uses_ratio(metric) {
        if base == 0.0 || base.is_nan() {
            f64::NAN
        } else {
            x / base
        }
    } else {
        x - base
    }
}

/// Whether an uplift of this metric is a ratio (counts, money) or a difference.
pub fn uses_ratio(metric: Metric) -> bool {
    matches!(metric.unit(), Unit::Count | Unit::Money)
}

/// Where a study moves one input: its path, kind and level.
struct Moved<'p> {
    path: &'p str,
    kind: InputKind,
    /// Percentile for (U), factor for plain.
    level: f64,
}

impl Moved<'_> {
    /// Whether `u` is the input moved (in the setup `u` belongs to).
    fn applies(&self, u: &Uncertain) -> bool {
        u.path == self.path && u.dist.is_fixed() == (self.kind == InputKind::Plain)
    }

    /// The moved value of the input `u`.
    fn value(&self, u: &Uncertain) -> f64 {
        match self.kind {
            InputKind::Uncertain => u.dist.quantile(self.level),
            InputKind::Plain => {
                let (lo, hi) = u.dist.domain.bounds();
                (u.dist.mean() * self.level).clamp(lo, hi)
            }
        }
    }
}

/// The expected funnel of a pair, every (U) input at its mean but the one moved.
struct ExpectedFunnel<'a> {
    pair: Pair<'a>,
    models: Vec<Model>,
    /// Per setup, the mean of every (U) value by path: computed once, since
    /// some truncated forms have no closed-form mean.
    means: Vec<std::collections::HashMap<String, f64>>,
    metric: Metric,
}

impl<'a> ExpectedFunnel<'a> {
    fn new(pair: Pair<'a>, metric: Metric) -> ExpectedFunnel<'a> {
        let models = pair.setups().map(|s| Model::new(&s.scenario)).collect();
        let means = pair
            .setups()
            .map(|s| {
                let all = s.scenario.uncertain_parameters();
                all.into_iter()
                    .map(|u| (u.path.clone(), u.dist.mean()))
                    .collect()
            })
            .collect();
        ExpectedFunnel {
            pair,
            models,
            means,
            metric,
        }
    }

    /// The metric with `moved` moved (none: every input at its mean).
    fn metric(&self, moved: Option<&Moved<'_>>) -> Option<f64> {
        let mut runs =
            self.pair
                .setups()
                .zip(&self.models)
                .zip(&self.means)
                .map(|((s, model), means)| {
                    let value = |u: &Uncertain| match moved {
                        Some(m) if m.applies(u) => m.value(u),
                        _ => means[&u.path],
                    };
                    expected_run_with(s, model, &RunParams::resolve_with(&s.scenario, value))
                });
        let setup = runs.next().expect("a pair has its setup");
        let baseline = runs.next();
        Some(metric_value(self.metric, &setup, baseline.as_ref())).filter(|x| !x.is_nan())
    }
}

/// The tornado and spider of every input, on the expected funnel.
fn expected_effects(pair: Pair<'_>, spec: &SensitivitySpec) -> (Option<f64>, Vec<InputEffect>) {
    let funnel = ExpectedFunnel::new(pair, spec.metric);
    let base = funnel.metric(None);
    let uncertain = pair.uncertain_paths();
    let plain = spec
        .plain
        .map_or(Vec::new(), |_| pair.plain_paths(&uncertain));
    let levels = |kind: InputKind| -> Vec<f64> {
        match (kind, spec.plain) {
            (InputKind::Plain, Some(f)) => {
                vec![1.0 - f, 1.0 - f / 2.0, 1.0, 1.0 + f / 2.0, 1.0 + f]
            }
            _ => PERCENTILES.to_vec(),
        }
    };
    let all: Vec<(&String, InputKind)> = uncertain
        .iter()
        .map(|p| (p, InputKind::Uncertain))
        .chain(plain.iter().map(|p| (p, InputKind::Plain)))
        .collect();
    // Each input's five expected funnels are independent: in parallel, collected in order.
    let mut effects: Vec<InputEffect> = all
        .into_par_iter()
        .filter_map(|(path, kind)| {
            let u = pair.input(path, kind == InputKind::Uncertain)?;
            let spider: Vec<SpiderPoint> = levels(kind)
                .into_iter()
                .map(|level| {
                    let moved = Moved { path, kind, level };
                    let metric = if kind == InputKind::Plain && level == 1.0 {
                        base
                    } else {
                        funnel.metric(Some(&moved))
                    };
                    SpiderPoint {
                        level,
                        value: moved.value(&u),
                        metric,
                    }
                })
                .collect();
            let (first, last) = (&spider[0], &spider[spider.len() - 1]);
            Some(InputEffect {
                input: path.clone(),
                kind,
                low: first.value,
                high: last.value,
                metric_at_low: first.metric,
                metric_at_high: last.metric,
                swing: first.metric.zip(last.metric).map(|(a, b)| (b - a).abs()),
                spider,
                rank_correlation: None,
                variance_share: None,
            })
        })
        .collect();
    effects.sort_by(|a, b| {
        let swing = |e: &InputEffect| e.swing.unwrap_or(-1.0);
        swing(b).total_cmp(&swing(a)).then(a.input.cmp(&b.input))
    });
    (base, effects)
}

/// The metric of every run of a pair (NaN where undefined).
fn run_values(metric: Metric, setup: &SetupRuns, baseline: Option<&SetupRuns>) -> Vec<f64> {
    (0..setup.runs.len())
        .map(|i| metric_value(metric, &setup.runs[i], baseline.map(|b| &b.runs[i])))
        .collect()
}

/// The inputs of runs `0..n` of a setup, as the engine drew them.
fn run_inputs(s: &Scenario, seed: u64, n: usize) -> Vec<Inputs<'_>> {
    (0..n as u64)
        .map(|run| Inputs::new(s, Draw::Run { seed, run }))
        .collect()
}

/// Each (U) input's rank correlation and variance share with the metric across runs.
fn run_figures(pair: Pair<'_>, ys: &[f64], seed: u64) -> Vec<(String, Option<f64>, Option<f64>)> {
    let defined: Vec<usize> = (0..ys.len()).filter(|&i| !ys[i].is_nan()).collect();
    let y: Vec<f64> = defined.iter().map(|&i| ys[i]).collect();
    // Each run's inputs as the engine drew them (through its copula, when a
    // `[[correlation]]` names them), once per setup and run.
    let studied = run_inputs(&pair.setup.scenario, seed, ys.len());
    let baseline = pair
        .baseline
        .map(|b| run_inputs(&b.scenario, seed, ys.len()));
    pair.uncertain_paths()
        .into_iter()
        .filter_map(|path| {
            let (setup, u) = pair.holder(&path, true)?;
            let runs = if std::ptr::eq(setup, pair.setup) {
                &studied
            } else {
                baseline.as_ref()?
            };
            let x: Vec<f64> = defined.iter().map(|&i| runs[i].value(&u)).collect();
            Some((path, spearman(&x, &y), variance_share(&x, &y)))
        })
        .collect()
}

/// A whole study: the expected-funnel effects and the figures from the runs.
///
/// `runs` are the pair's runs: the studied setup's, and the baseline's for an uplift.
pub fn sensitivity(
    scenario: &str,
    spec: &SensitivitySpec,
    setup: &SetupRuns,
    baseline: Option<&SetupRuns>,
    seed: u64,
) -> Sensitivity {
    let pair = Pair {
        setup: &setup.setup,
        baseline: baseline.map(|b| &b.setup),
    };
    let (base, mut inputs) = expected_effects(pair, spec);
    let ys = run_values(spec.metric, setup, baseline);
    for (path, rho, share) in run_figures(pair, &ys, seed) {
        let found = inputs
            .iter_mut()
            .find(|e| e.input == path && e.kind == InputKind::Uncertain);
        if let Some(e) = found {
            e.rank_correlation = rho;
            e.variance_share = share;
        }
    }
    let defined: Vec<f64> = ys.iter().copied().filter(|y| !y.is_nan()).collect();
    Sensitivity {
        program: "funnelsim",
        version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.to_string(),
        currency: setup.setup.scenario.currency.clone(),
        names: crate::scenario::names::ParameterNames::of_scenario(&setup.setup.scenario),
        setup: setup.setup.label.clone(),
        baseline: baseline.map(|b| b.setup.label.clone()),
        metric: spec.metric,
        uplift: baseline.is_some(),
        uplift_measure: baseline.map(|_| UpliftMeasure::of(spec.metric)),
        runs: setup.runs.len() as u64,
        seed,
        plain: spec.plain,
        base,
        mean_across_runs: (!defined.is_empty())
            .then(|| defined.iter().sum::<f64>() / defined.len() as f64),
        variance_share_sum: inputs.iter().filter_map(|e| e.variance_share).sum(),
        inputs,
    }
}

/// The drivers of a metric from a setup's runs alone (no expected funnel).
pub fn drivers(
    metric: Metric,
    setup: &SetupRuns,
    baseline: Option<&SetupRuns>,
    seed: u64,
) -> Drivers {
    let pair = Pair {
        setup: &setup.setup,
        baseline: baseline.map(|b| &b.setup),
    };
    let ys = run_values(metric, setup, baseline);
    let mut inputs: Vec<Driver> = run_figures(pair, &ys, seed)
        .into_iter()
        .map(|(input, rank_correlation, variance_share)| Driver {
            input,
            rank_correlation,
            variance_share,
        })
        .collect();
    inputs.sort_by(|a, b| {
        let share = |d: &Driver| d.variance_share.unwrap_or(-1.0);
        share(b).total_cmp(&share(a)).then(a.input.cmp(&b.input))
    });
    Drivers {
        metric,
        setup: setup.setup.label.clone(),
        baseline: baseline.map(|b| b.setup.label.clone()),
        inputs,
    }
}

/// Ranks 1..=n, ties given the mean of the ranks they span.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mean_rank;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation; `None` when either side is constant or too short.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation: Pearson's on the ranks (ties at their mean rank).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Bins for the correlation ratio: about sqrt(n)/2, from 2 to 100. Enough bins
/// that a smooth effect is followed closely; few enough that each holds tens
/// of runs, so the noise correction stays small.
fn bins_for(n: usize) -> usize {
    (((n as f64).sqrt() / 2.0).round() as usize).clamp(2, 100)
}

/// The first-order variance share of `y` explained by `x`: Var(E[y | x]) /
/// Var(y), estimated as the correlation ratio of `y` over equal-count bins of
/// `x`'s order, less the between-bin variance noise alone would give
/// (Kelley's epsilon squared: (SS_between - (B - 1) MS_within) / SS_total),
/// at least 0. `None` when `y` is constant or there are too few runs.
pub fn variance_share(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let bins = bins_for(n);
    if n < 2 * bins || n < 8 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mean = y.iter().sum::<f64>() / n as f64;
    let (mut between, mut within) = (0.0, 0.0);
    for b in 0..bins {
        let part = &order[b * n / bins..(b + 1) * n / bins];
        let m = part.iter().map(|&i| y[i]).sum::<f64>() / part.len() as f64;
        between += part.len() as f64 * (m - mean) * (m - mean);
        within += part.iter().map(|&i| (y[i] - m) * (y[i] - m)).sum::<f64>();
    }
    let total = between + within;
    if total <= 0.0 {
        return None;
    }
    let noise = (bins - 1) as f64 * within / (n - bins) as f64;
    Some(((between - noise) / total).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn spearman_of_a_monotone_curve_is_one() {
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| (v / 10.0).exp()).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let down: Vec<f64> = y.iter().map(|v| -v).collect();
        assert!((spearman(&x, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x, &vec![1.0; 50]), None);
    }

    /// y = a + b with a and b independent: each share is its variance over the total.
    #[test]
    fn variance_shares_of_an_additive_model() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 20_000;
        let a: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect(); // var 1/12
        let b: Vec<f64> = (0..n).map(|_| 2.0 * rng.random::<f64>()).collect(); // var 4/12
        let noise: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect(); // var 1/12
        let y: Vec<f64> = (0..n).map(|i| a[i] + b[i] + noise[i]).collect();
        let total = 6.0 / 12.0;
        let sa = variance_share(&a, &y).unwrap();
        let sb = variance_share(&b, &y).unwrap();
        assert!((sa - 1.0 / 12.0 / total).abs() < 0.02, "{sa}");
        assert!((sb - 4.0 / 12.0 / total).abs() < 0.02, "{sb}");
        // An input that does nothing explains nothing (after the noise correction).
        let idle: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        assert!(variance_share(&idle, &y).unwrap() < 0.01);
    }
}
