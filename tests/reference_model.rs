//! A slow, per-lead reference implementation of model.md ("What happens to a
//! lead", steps 1-7, "Metrics", costs), written straight from the spec, and
//! tests that the grouped engine (src/model.rs) agrees with it in
//! distribution on small scenarios.
//!
//! Every lead here is a struct with its own score, stage, MQL day and join
//! day, and every random event (arrival counts per source and day, score,
//! handoff delay, unsubscribe, tie-breaking, follow-up, opportunity, lag,
//! cycle, win, MRR) is drawn for that one lead or item. Nothing is grouped.
//!
//! For each scenario, the engine and the reference are run on different
//! seeds (independent samples, including independent (U) draws) and each
//! compared metric must pass two checks:
//! - the means agree within 4 combined standard errors;
//! - a two-sample Kolmogorov-Smirnov test does not reject at alpha = 0.001.

use funnelsim::calendar::Calendar;
use funnelsim::dist::round_half_up;
use funnelsim::engine::simulate_run;
use funnelsim::metric::{Metric, SOURCE_METRICS};
use funnelsim::model::Model;
use funnelsim::params::{Draw, RunParams};
use funnelsim::random::{Stream, stream};
use funnelsim::scenario::{LeadCost, QueueOrder, Scenario, Setup, Team};
use rand::RngExt;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

// ---------------------------------------------------------------------------
// The reference model: one struct per lead.
// ---------------------------------------------------------------------------

/// Where one lead is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// In nurture since day `since`, having seen `month_starts` month starts there.
    Nurture { since: usize, month_starts: u32 },
    /// An MQL on its way to the queue, joining on day `join`.
    Handoff { join: usize },
    /// Waiting in the follow-up queue since day `join`.
    Queue { join: usize },
    /// Out of the funnel (SQL, lost, unsubscribed, left nurture, or lost to the SLA).
    Gone,
}

#[derive(Clone, Debug)]
struct Lead {
    source: usize,
    /// Current score.
    score: f64,
    stage: Stage,
    /// Day it (last) became an MQL: w counts from here.
    mql_day: usize,
    /// Counted as an MQL already (a lead counts once per stage).
    counted_mql: bool,
    /// Counted in `lost_to_sla` already.
    counted_sla: bool,
}

/// Counts of one source in one reference run.
#[derive(Clone, Debug, Default)]
struct Tally {
    leads: u64,
    mqls: u64,
    sqls: u64,
    opportunities: u64,
    won: u64,
    closed_lost: u64,
    lost_to_sla: u64,
    open_pipeline: u64,
    new_mrr: f64,
    revenue: f64,
}

/// What one reference run produced.
#[derive(Clone, Debug, Default)]
struct RefRun {
    sources: Vec<Tally>,
    cost: f64,
    /// w of every MQL worked.
    response_days: Vec<usize>,
}

/// The state of one reference run.
struct Reference<'a> {
    s: &'a Scenario,
    p: &'a RunParams,
    cal: Calendar,
    rng: Stream,
    leads: Vec<Lead>,
    out: RefRun,
    /// Won deals: (source, close month, MRR).
    deals: Vec<(usize, usize, f64)>,
}

impl<'a> Reference<'a> {
    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// `sql_rate_by_score`(score): the band with the highest lower bound <= score; 0 below every band.
    fn sql_rate(&self, score: f64) -> f64 {
        let mut rate = 0.0;
        for (band, r) in self
            .s
            .follow_up
            .sql_rate_by_score
            .iter()
            .zip(&self.p.band_rates)
        {
            if band.lower <= score {
                rate = *r;
            }
        }
        rate
    }

    /// Step 4: a lead becomes an MQL on day `t` and starts its handoff delay.
    fn make_mql(&mut self, i: usize, t: usize) {
        let h = self.p.handoff_delay_days;
        let late = self.uniform() < h - h.floor();
        let lead = &mut self.leads[i];
        if !lead.counted_mql {
            lead.counted_mql = true;
            self.out.sources[lead.source].mqls += 1;
        }
        lead.mql_day = t;
        lead.stage = Stage::Handoff {
            join: t + h.floor() as usize + usize::from(late),
        };
    }

    /// Step 3, on the first day of a month after the first.
    fn nurture_update(&mut self, t: usize) {
        let threshold = self.s.marketing.mql_threshold as f64;
        let max_months = self.s.marketing.nurture.max_months;
        for i in 0..self.leads.len() {
            let Stage::Nurture {
                since,
                month_starts,
            } = self.leads[i].stage
            else {
                continue;
            };
            if since >= t {
                // Entered nurture today: waits for the next month start.
                continue;
            }
            if self.uniform() < self.p.monthly_unsubscribe {
                self.leads[i].stage = Stage::Gone;
                continue;
            }
            let lead = &mut self.leads[i];
            lead.score = (lead.score + self.p.monthly_score_gain).min(100.0);
            let seen = month_starts + 1;
            if lead.score >= threshold {
                self.make_mql(i, t);
            } else if seen >= max_months {
                lead.stage = Stage::Gone;
            } else {
                lead.stage = Stage::Nurture {
                    since,
                    month_starts: seen,
                };
            }
        }
    }

    /// Steps 1 and 2 on day `t` of month `m`.
    fn arrivals(&mut self, t: usize, m: usize) {
        let (s, p) = (self.s, self.p);
        let automation = s.marketing.automation;
        let threshold = s.marketing.mql_threshold as f64;
        for (k, src) in s.sources.iter().enumerate() {
            let sp = &p.sources[k];
            let lambda = sp.leads_per_month
                * (1.0 + sp.growth_per_month).powi(m as i32)
                * src.seasonality[self.cal.calendar_month_index(m)]
                / self.cal.days_in(m) as f64;
            let n = if lambda > 0.0 {
                Poisson::new(lambda).unwrap().sample(&mut self.rng) as u64
            } else {
                0
            };
            for _ in 0..n {
                let score = round_half_up(src.score.sample(&mut self.rng)).clamp(0.0, 100.0);
                self.out.sources[k].leads += 1;
                self.leads.push(Lead {
                    source: k,
                    score,
                    stage: Stage::Nurture {
                        since: t,
                        month_starts: 0,
                    },
                    mql_day: t,
                    counted_mql: false,
                    counted_sla: false,
                });
                if !automation || score >= threshold {
                    let i = self.leads.len() - 1;
                    self.make_mql(i, t);
                }
            }
        }
    }

    /// Steps 4 and 5 on day `t`.
    fn queue(&mut self, t: usize) {
        // MQLs due today join.
        for lead in &mut self.leads {
            if lead.stage == (Stage::Handoff { join: t }) {
                lead.stage = Stage::Queue { join: t };
            }
        }
        // SLA expiry.
        let sla = self.s.follow_up.sla_days as usize;
        let automation = self.s.marketing.automation;
        let recycled_score = (self.s.marketing.mql_threshold as f64
            - self.s.marketing.nurture.recycle_penalty)
            .max(0.0);
        for lead in &mut self.leads {
            if let Stage::Queue { join } = lead.stage
                && t - join > sla
            {
                if !lead.counted_sla {
                    lead.counted_sla = true;
                    self.out.sources[lead.source].lost_to_sla += 1;
                }
                if automation {
                    lead.score = recycled_score;
                    lead.stage = Stage::Nurture {
                        since: t,
                        month_starts: 0,
                    };
                } else {
                    lead.stage = Stage::Gone;
                }
            }
        }
        // The team works floor((t + 1) c) - floor(t c) MQLs in queue order, ties at random.
        let c = match self.s.follow_up.team {
            Team::InsideSales => self.s.inside_sales.reps as f64 * self.p.is_mqls_per_rep_per_day,
            Team::FieldSales => self.s.sales.reps as f64 * self.p.fs_inbound_mqls_per_rep_per_day,
        };
        let today = (((t + 1) as f64 * c).floor() - (t as f64 * c).floor()) as usize;
        let mut waiting: Vec<usize> = (0..self.leads.len())
            .filter(|&i| matches!(self.leads[i].stage, Stage::Queue { .. }))
            .collect();
        // A uniformly random permutation, then a stable sort: ties end up in random order.
        for k in (1..waiting.len()).rev() {
            let j = self.rng.random_range(0..=k);
            waiting.swap(k, j);
        }
        let join_of = |l: &Lead| match l.stage {
            Stage::Queue { join } => join,
            _ => unreachable!(),
        };
        let leads = &self.leads;
        match self.s.follow_up.queue_order {
            QueueOrder::OldestFirst => waiting.sort_by_key(|&i| join_of(&leads[i])),
            QueueOrder::NewestFirst => {
                waiting.sort_by_key(|&i| std::cmp::Reverse(join_of(&leads[i])))
            }
            QueueOrder::HighestScoreFirst => waiting.sort_by(|&a, &b| {
                leads[b]
                    .score
                    .total_cmp(&leads[a].score)
                    .then(join_of(&leads[a]).cmp(&join_of(&leads[b])))
            }),
        }
        for &i in waiting.iter().take(today) {
            self.follow_up(i, t);
        }
    }

    /// Step 5 for one worked MQL.
    fn follow_up(&mut self, i: usize, t: usize) {
        let w = t - self.leads[i].mql_day;
        self.out.response_days.push(w);
        let chance = self.sql_rate(self.leads[i].score)
            * 0.5f64.powf(w as f64 / self.p.response_half_life_days);
        self.leads[i].stage = Stage::Gone;
        if self.uniform() < chance {
            let source = self.leads[i].source;
            self.out.sources[source].sqls += 1;
            self.sales(source, t);
        }
    }

    /// Step 6 for one SQL made on day `t`.
    fn sales(&mut self, source: usize, t: usize) {
        let days = self.cal.days();
        let sp = &self.p.sources[source];
        let (to_opportunity, win_rate) = (sp.sql_to_opportunity, sp.win_rate);
        if self.uniform() >= to_opportunity {
            return;
        }
        let lag = round_half_up(self.s.sales.opportunity_lag_days.sample(&mut self.rng)) as usize;
        let open = t + lag;
        if open >= days {
            return; // opens after the horizon: not an opportunity within it
        }
        self.out.sources[source].opportunities += 1;
        let cycle = round_half_up(self.s.sales.sales_cycle_days.sample(&mut self.rng)) as usize;
        let close = open + cycle;
        if close >= days {
            self.out.sources[source].open_pipeline += 1;
            return;
        }
        if self.uniform() < win_rate {
            let mrr = self.s.deal.monthly_revenue.sample(&mut self.rng);
            self.out.sources[source].won += 1;
            self.out.sources[source].new_mrr += mrr;
            self.deals.push((source, self.cal.month_of(close), mrr));
        } else {
            self.out.sources[source].closed_lost += 1;
        }
    }

    /// Step 7 and costs.
    fn finish(mut self) -> RefRun {
        let months = self.cal.months();
        for &(source, month, mrr) in &self.deals {
            for k in 0..self.s.deal.max_lifetime_months as usize {
                if month + k >= months {
                    break;
                }
                self.out.sources[source].revenue +=
                    mrr * (1.0 - self.p.monthly_churn).powi(k as i32);
            }
        }
        let m = months as f64;
        let mut cost = 0.0;
        for (k, src) in self.s.sources.iter().enumerate() {
            cost += match src.cost {
                LeadCost::PerLead(_) => {
                    self.p.sources[k].cost_per_lead * self.out.sources[k].leads as f64
                }
                LeadCost::BudgetPerMonth(_) => self.p.sources[k].budget_per_month * m,
            };
        }
        if self.s.marketing.automation {
            cost += self.p.license_per_month * m;
        }
        if self.s.follow_up.team == Team::InsideSales {
            cost += self.s.inside_sales.reps as f64 * self.p.is_cost_per_rep_per_month * m;
        }
        cost += self.s.sales.reps as f64 * self.p.fs_cost_per_rep_per_month * m;
        cost += self.p.fixed_cost_per_month * m;
        self.out.cost = cost;
        self.out
    }
}

/// One run of the reference model.
fn reference_run(s: &Scenario, seed: u64, run: u64) -> RefRun {
    let p = RunParams::resolve(s, Draw::Run { seed, run });
    let mut r = Reference {
        s,
        p: &p,
        cal: Calendar::new(s.start, s.horizon_months),
        rng: stream(seed, run, "reference"),
        leads: Vec::new(),
        out: RefRun {
            sources: vec![Tally::default(); s.sources.len()],
            ..RefRun::default()
        },
        deals: Vec::new(),
    };
    for t in 0..r.cal.days() {
        let m = r.cal.month_of(t);
        if s.marketing.automation && m > 0 && t == r.cal.first_day(m) {
            r.nurture_update(t);
        }
        r.arrivals(t, m);
        r.queue(t);
        r.leads.retain(|l| l.stage != Stage::Gone);
    }
    r.finish()
}

// ---------------------------------------------------------------------------
// Observations: the same metrics from both implementations.
// ---------------------------------------------------------------------------

/// Overall metrics compared.
const OVERALL: &[Metric] = &[
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
    Metric::OpenPipeline,
    Metric::Revenue,
    Metric::NewMrr,
    Metric::Cost,
    Metric::ResponseDaysMedian,
];

/// By-source metrics compared (when a scenario has more than one source).
const BY_SOURCE: &[Metric] = &[
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
    Metric::OpenPipeline,
    Metric::Revenue,
];

fn labels(s: &Scenario) -> Vec<String> {
    let mut out: Vec<String> = OVERALL.iter().map(|m| m.name().to_string()).collect();
    if s.sources.len() > 1 {
        for src in &s.sources {
            out.extend(
                BY_SOURCE
                    .iter()
                    .map(|m| format!("{}.{}", src.name, m.name())),
            );
        }
    }
    out
}

fn tally_value(t: &Tally, m: Metric) -> f64 {
    match m {
        Metric::Leads => t.leads as f64,
        Metric::Mqls => t.mqls as f64,
        Metric::Sqls => t.sqls as f64,
        Metric::Opportunities => t.opportunities as f64,
        Metric::Won => t.won as f64,
        Metric::LostToSla => t.lost_to_sla as f64,
        Metric::OpenPipeline => t.open_pipeline as f64,
        Metric::Revenue => t.revenue,
        Metric::NewMrr => t.new_mrr,
        _ => unreachable!("not a tally metric: {m}"),
    }
}

fn median(values: &mut [usize]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable();
    let n = values.len();
    (values[(n - 1) / 2] + values[n / 2]) as f64 / 2.0
}

/// The observed values of one reference run, in `labels` order.
fn reference_observation(s: &Scenario, seed: u64, run: u64) -> Vec<f64> {
    let mut r = reference_run(s, seed, run);
    let mut total = Tally::default();
    for t in &r.sources {
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
    }
    let mut out: Vec<f64> = OVERALL
        .iter()
        .map(|&m| match m {
            Metric::Cost => r.cost,
            Metric::ResponseDaysMedian => median(&mut r.response_days),
            _ => tally_value(&total, m),
        })
        .collect();
    if s.sources.len() > 1 {
        for t in &r.sources {
            out.extend(BY_SOURCE.iter().map(|&m| tally_value(t, m)));
        }
    }
    out
}

/// The observed values of one engine run, in `labels` order.
fn engine_observation(setup: &Setup, model: &Model, seed: u64, run: u64) -> Vec<f64> {
    let m = simulate_run(setup, model, seed, run);
    let mut out: Vec<f64> = OVERALL.iter().map(|&metric| m.get(metric)).collect();
    let n = setup.scenario.sources.len();
    if n > 1 {
        let width = SOURCE_METRICS.len();
        for k in 0..n {
            out.extend(BY_SOURCE.iter().map(|metric| {
                let pos = SOURCE_METRICS
                    .iter()
                    .position(|x| x == metric)
                    .expect("a source metric");
                m.by_source[k * width + pos] as f64
            }));
        }
    }
    out
}

/// Columns (one per label) of `runs` observations.
fn collect(runs: u64, observe: impl Fn(u64) -> Vec<f64> + Sync + Send) -> Vec<Vec<f64>> {
    let rows: Vec<Vec<f64>> = (0..runs).into_par_iter().map(observe).collect();
    let width = rows[0].len();
    (0..width)
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect()
}

fn engine_sample(setup: &Setup, seed: u64, runs: u64) -> Vec<Vec<f64>> {
    let model = Model::new(&setup.scenario);
    collect(runs, |run| engine_observation(setup, &model, seed, run))
}

fn reference_sample(setup: &Setup, seed: u64, runs: u64) -> Vec<Vec<f64>> {
    collect(runs, |run| {
        reference_observation(&setup.scenario, seed, run)
    })
}

// ---------------------------------------------------------------------------
// Statistics.
// ---------------------------------------------------------------------------

/// KS critical coefficient c(alpha) for alpha = 0.001: sqrt(-ln(alpha / 2) / 2).
const KS_C_ALPHA: f64 = 1.949;

/// Mean and standard error of the defined (non-NaN) values.
fn mean_se(xs: &[f64]) -> (f64, f64, usize) {
    let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    (mean, (var / n as f64).sqrt(), n)
}

/// Two-sample Kolmogorov-Smirnov: the statistic D and its critical value at alpha = 0.001.
/// Ties (discrete data) are handled by stepping over every copy of a value in both samples.
fn ks_test(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut a: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
    let mut b: Vec<f64> = b.iter().copied().filter(|x| !x.is_nan()).collect();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len(), b.len());
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < n && j < m {
        let x = a[i].min(b[j]);
        while i < n && a[i] <= x {
            i += 1;
        }
        while j < m && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n as f64 - j as f64 / m as f64).abs());
    }
    let critical = KS_C_ALPHA * ((n + m) as f64 / (n as f64 * m as f64)).sqrt();
    (d, critical)
}

/// The outcome of comparing one metric.
struct Check {
    label: String,
    reference: (f64, f64, usize),
    engine: (f64, f64, usize),
    z: f64,
    ks: (f64, f64),
}

impl Check {
    fn new(label: &str, reference: &[f64], engine: &[f64]) -> Check {
        let (r, e) = (mean_se(reference), mean_se(engine));
        let se = (r.1 * r.1 + e.1 * e.1).sqrt();
        let z = if se > 0.0 {
            (r.0 - e.0) / se
        } else if r.0 == e.0 {
            0.0
        } else {
            f64::INFINITY
        };
        Check {
            label: label.to_string(),
            reference: r,
            engine: e,
            z,
            ks: ks_test(reference, engine),
        }
    }

    fn mean_ok(&self) -> bool {
        self.z.abs() <= 4.0
    }

    fn ks_ok(&self) -> bool {
        self.ks.0 <= self.ks.1
    }

    /// Runs with the metric defined: the share must agree within 4 standard errors too.
    fn defined_ok(&self, runs: usize) -> bool {
        let (pr, pe) = (
            self.reference.2 as f64 / runs as f64,
            self.engine.2 as f64 / runs as f64,
        );
        let se = ((pr * (1.0 - pr) + pe * (1.0 - pe)) / runs as f64).sqrt();
        (pr - pe).abs() <= 4.0 * se.max(1.0 / runs as f64)
    }
}

fn setup_of(toml: &str) -> Setup {
    let tree = funnelsim::doc::parse_str(toml, "test.toml").unwrap();
    let setups = funnelsim::scenario::setups_of(&tree, "t").unwrap();
    setups.into_iter().next().unwrap()
}

/// Runs the engine and the reference on one scenario (independent seeds) and
/// returns one check per compared metric, printing a table.
fn compare(name: &str, reference: &Setup, engine: &Setup, runs: u64) -> Vec<Check> {
    let started = std::time::Instant::now();
    let ref_cols = reference_sample(reference, 1_000_001, runs);
    let ref_time = started.elapsed();
    let eng_cols = engine_sample(engine, 2_000_002, runs);
    let labels = labels(&reference.scenario);
    assert_eq!(labels.len(), ref_cols.len());
    assert_eq!(labels.len(), eng_cols.len());
    let checks: Vec<Check> = labels
        .iter()
        .zip(ref_cols.iter().zip(&eng_cols))
        .map(|(l, (r, e))| Check::new(l, r, e))
        .collect();
    let mut table = format!(
        "== {name}: {runs} runs (reference {:.1} s, engine {:.1} s)\n{:<28} {:>14} {:>10} {:>14} {:>10} {:>7} {:>7} {:>7}\n",
        ref_time.as_secs_f64(),
        (started.elapsed() - ref_time).as_secs_f64(),
        "metric",
        "ref mean",
        "ref se",
        "engine mean",
        "engine se",
        "z",
        "KS D",
        "KS crit"
    );
    for c in &checks {
        table += &format!(
            "{:<28} {:>14.3} {:>10.3} {:>14.3} {:>10.3} {:>7.2} {:>7.4} {:>7.4}{}\n",
            c.label,
            c.reference.0,
            c.reference.1,
            c.engine.0,
            c.engine.1,
            c.z,
            c.ks.0,
            c.ks.1,
            if c.mean_ok() && c.ks_ok() && c.defined_ok(runs as usize) {
                ""
            } else {
                "  <-- DIFFERS"
            }
        );
    }
    println!("{table}");
    checks
}

/// The engine and the reference must agree on every compared metric of a scenario.
fn assert_agree(name: &str, toml: &str, runs: u64) {
    let setup = setup_of(toml);
    let checks = compare(name, &setup, &setup, runs);
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !(c.mean_ok() && c.ks_ok() && c.defined_ok(runs as usize)))
        .map(|c| {
            format!(
                "{}: reference {:.4} ± {:.4} (n {}), engine {:.4} ± {:.4} (n {}), z {:.2}, KS D {:.4} (critical {:.4})",
                c.label, c.reference.0, c.reference.1, c.reference.2, c.engine.0, c.engine.1, c.engine.2, c.z, c.ks.0, c.ks.1
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: the engine and the reference disagree:\n{}",
        failures.join("\n")
    );
    // The scenario must exercise the funnel: something is won.
    let won = checks.iter().find(|c| c.label == "won").unwrap();
    assert!(
        won.reference.0 > 0.5 && won.engine.0 > 0.5,
        "{name}: too few deals to test anything"
    );
}

// ---------------------------------------------------------------------------
// Scenarios.
// ---------------------------------------------------------------------------

/// Without MA, field sales with a binding fractional capacity (1.3 a day for
/// about 2 MQLs a day), oldest first, SLA losses, a fractional handoff delay,
/// response decay, score bands with scores below the lowest band, lag and
/// cycle crossing the horizon, a short customer lifetime.
const FIELD_SALES_LOST: &str = r#"
[scenario]
name = "field sales, capacity binds, SLA losses"
horizon_months = 4
start = "2027-01"

[[source]]
name = "web"
leads_per_month = 60
score = { normal = { mean = 50, sd = 20 } }
cost_per_lead = 1000

[marketing]
automation = false
handoff_delay_days = 0.4

[follow_up]
team = "field_sales"
queue_order = "oldest_first"
sla_days = 2
response_half_life_days = 3.0
sql_rate_by_score = [[20, 0.3], [50, 0.5], [75, 0.8]]

[sales]
reps = 1
inbound_mqls_per_rep_per_day = 1.3
cost_per_rep_per_month = 500000
sql_to_opportunity = 0.7
opportunity_lag_days = { uniform = [0, 20] }
win_rate = 0.4
sales_cycle_days = { lognormal = { median = 25, p90 = 60 } }

[deal]
monthly_revenue = { range = [50000, 200000] }
monthly_churn = 0.05
max_lifetime_months = 2
"#;

/// MA + inside sales, newest first, two sources with per-source overrides
/// (one uncertain inflow, one budget), recycling under a 1-day SLA, nurture
/// with a fractional gain, unsubscribes and max_months, handoff 1.5 days.
const NEWEST_FIRST_RECYCLE: &str = r#"
[scenario]
name = "MA, newest first, recycle"
horizon_months = 5
start = "2027-10"

[[source]]
name = "events"
leads_per_month = 40
score = { pert = [20, 50, 90] }
cost_per_lead = 2000
sql_to_opportunity = 0.9
win_rate = 0.5

[[source]]
name = "web"
leads_per_month = { range = [20, 40] }
score = { normal = { mean = 45, sd = 15 } }
budget_per_month = 100000

[marketing]
automation = true
mql_threshold = 55
handoff_delay_days = 1.5
license_per_month = 150000

[marketing.nurture]
monthly_score_gain = 6.5
monthly_unsubscribe = 0.1
max_months = 3
recycle_penalty = 8

[follow_up]
team = "inside_sales"
queue_order = "newest_first"
sla_days = 1
response_half_life_days = 2.0
sql_rate_by_score = [[0, 0.1], [40, 0.25], [60, 0.5]]

[inside_sales]
reps = 1
mqls_per_rep_per_day = 1.5
cost_per_rep_per_month = 600000

[sales]
reps = 2
cost_per_rep_per_month = 900000
sql_to_opportunity = 0.5
opportunity_lag_days = { pert = [1, 5, 30] }
win_rate = 0.3
sales_cycle_days = { triangular = [5, 30, 120] }

[deal]
monthly_revenue = { lognormal = { median = 100000, p90 = 250000 } }
monthly_churn = 0.02
"#;

/// MA, highest score first with a binding capacity, an uncertain score gain,
/// a large recycle penalty (recycled leads drop a band), max_months 2,
/// no handoff delay, a fast response decay, an uncertain win rate.
const HIGHEST_SCORE_FIRST: &str = r#"
[scenario]
name = "MA, highest score first"
horizon_months = 4
start = "2027-03"

[[source]]
name = "web"
leads_per_month = 80
score = { triangular = [20, 55, 100] }
cost_per_lead = 500

[marketing]
automation = true
mql_threshold = 60
handoff_delay_days = 0

[marketing.nurture]
monthly_score_gain = { uniform = [3, 9] }
monthly_unsubscribe = 0.05
max_months = 2
recycle_penalty = 25

[follow_up]
team = "inside_sales"
queue_order = "highest_score_first"
sla_days = 3
response_half_life_days = 1.0
sql_rate_by_score = [[0, 0.05], [40, 0.15], [60, 0.3], [80, 0.6]]

[inside_sales]
reps = 1
mqls_per_rep_per_day = 2.5

[sales]
sql_to_opportunity = 0.6
opportunity_lag_days = 7
win_rate = { beta = { mean = 0.3, sd = 0.1 } }
sales_cycle_days = { normal = { mean = 40, sd = 20 } }

[deal]
monthly_revenue = 100000
"#;

/// Highest score first without MA, where ties on score are common: one source
/// with a fixed score whose inflow alone exceeds the capacity (so the order
/// among equal scores, earliest join first, decides w), one with a spread of
/// low scores that mostly expires; a zero opportunity lag and cycles that
/// may close the day an opportunity opens.
const HIGHEST_SCORE_TIES: &str = r#"
[scenario]
name = "highest score first, ties on score"
horizon_months = 3
start = "2027-06"

[[source]]
name = "partners"
leads_per_month = 60
score = 80

[[source]]
name = "web"
leads_per_month = 30
score = { uniform = [30, 60] }
sql_to_opportunity = 0.3

[marketing]
automation = false
handoff_delay_days = 1

[follow_up]
team = "field_sales"
queue_order = "highest_score_first"
sla_days = 5
response_half_life_days = 1.0
sql_rate_by_score = [[0, 0.1], [45, 0.3], [80, 0.8]]

[sales]
reps = 2
inbound_mqls_per_rep_per_day = 0.8
opportunity_lag_days = 0
win_rate = 0.5
sales_cycle_days = { uniform = [0, 30] }

[deal]
monthly_revenue = 50000
"#;

/// No capacity limit and a long SLA: response decay from a 2.7-day handoff
/// delay, growth and seasonality over a year end and a leap February,
/// score bands with a gap at the bottom, inside-sales costs, fixed costs.
const DECAY_SEASONALITY: &str = r#"
[scenario]
name = "decay, seasonality, growth"
horizon_months = 4
start = "2027-11"

[[source]]
name = "web"
leads_per_month = 50
growth_per_month = 0.1
seasonality = [0.5, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 1.2]
score = { uniform = [0, 100] }
cost_per_lead = 3000

[marketing]
automation = false
handoff_delay_days = 2.7

[follow_up]
team = "inside_sales"
queue_order = "oldest_first"
sla_days = 10
response_half_life_days = 1.5
sql_rate_by_score = [[30, 0.4], [60, 0.7]]

[inside_sales]
reps = 5
mqls_per_rep_per_day = 20
cost_per_rep_per_month = 400000

[sales]
sql_to_opportunity = { range = [0.4, 0.8] }
opportunity_lag_days = { range = [3, 14] }
win_rate = 0.35
sales_cycle_days = { lognormal = { median = 45, p90 = 120 } }

[deal]
monthly_revenue = { range = [50000, 200000] }
monthly_churn = 0.015

[costs]
fixed_per_month = 100000
"#;

/// Edge cases: SLA of 0 days, recycle penalty 0 (a recycled lead re-qualifies
/// at the next month start even without gain), no score gain (nurtured leads
/// only leave: unsubscribe or max_months), a capacity below one a day.
const EDGES: &str = r#"
[scenario]
name = "edges: sla 0, penalty 0, no gain"
horizon_months = 6

[[source]]
name = "web"
leads_per_month = 40
score = { normal = { mean = 50, sd = 10 } }

[marketing]
automation = true
mql_threshold = 50
handoff_delay_days = 0.5

[marketing.nurture]
monthly_score_gain = 0
monthly_unsubscribe = 0.2
max_months = 2
recycle_penalty = 0

[follow_up]
team = "inside_sales"
queue_order = "oldest_first"
sla_days = 0
response_half_life_days = 2.0
sql_rate_by_score = [[0, 0.2], [55, 0.5]]

[inside_sales]
reps = 1
mqls_per_rep_per_day = 0.8

[sales]
sql_to_opportunity = 0.8
opportunity_lag_days = { uniform = [0, 10] }
win_rate = 0.5
sales_cycle_days = { uniform = [10, 60] }

[deal]
monthly_revenue = { uniform = [1000, 3000] }
monthly_churn = 0.1
max_lifetime_months = 3
"#;

const RUNS: u64 = 4000;

#[test]
fn field_sales_capacity_binds_with_sla_losses() {
    assert_agree("field_sales_lost", FIELD_SALES_LOST, RUNS);
}

#[test]
fn automation_newest_first_recycle_two_sources() {
    assert_agree("newest_first_recycle", NEWEST_FIRST_RECYCLE, RUNS);
}

#[test]
fn automation_highest_score_first() {
    assert_agree("highest_score_first", HIGHEST_SCORE_FIRST, RUNS);
}

#[test]
fn highest_score_first_ties_on_score() {
    assert_agree("highest_score_ties", HIGHEST_SCORE_TIES, RUNS);
}

#[test]
fn response_decay_seasonality_growth() {
    assert_agree("decay_seasonality", DECAY_SEASONALITY, RUNS);
}

#[test]
fn edges_sla_zero_penalty_zero_no_gain() {
    assert_agree("edges", EDGES, RUNS);
}

/// The test has power: the reference with `sla_days = 0` against the engine
/// with `sla_days = 5` must be told apart by the KS test (and the mean check).
#[test]
fn ks_rejects_different_sla() {
    let reference = setup_of(&FIELD_SALES_LOST.replace("sla_days = 2", "sla_days = 0"));
    let engine = setup_of(&FIELD_SALES_LOST.replace("sla_days = 2", "sla_days = 5"));
    let checks = compare(
        "power: reference sla 0 vs engine sla 5",
        &reference,
        &engine,
        1000,
    );
    let lost = checks.iter().find(|c| c.label == "lost_to_sla").unwrap();
    assert!(
        !lost.ks_ok(),
        "KS failed to tell sla 0 from sla 5: D {} <= {}",
        lost.ks.0,
        lost.ks.1
    );
    assert!(
        !lost.mean_ok(),
        "the mean check failed to tell sla 0 from sla 5"
    );
    // A subtler difference: a handoff delay of 0.4 against 1.0 day changes response decay.
    let reference = setup_of(FIELD_SALES_LOST);
    let engine =
        setup_of(&FIELD_SALES_LOST.replace("handoff_delay_days = 0.4", "handoff_delay_days = 1.0"));
    let checks = compare(
        "power: reference handoff 0.4 vs engine handoff 1.0",
        &reference,
        &engine,
        RUNS,
    );
    let sqls = checks.iter().find(|c| c.label == "sqls").unwrap();
    assert!(
        !sqls.ks_ok(),
        "KS failed to tell handoff 0.4 from 1.0 on sqls: D {} <= {}",
        sqls.ks.0,
        sqls.ks.1
    );
}

/// The KS helper itself: identical samples never reject, shifted samples do.
#[test]
fn ks_helper_sanity() {
    let a: Vec<f64> = (0..1000).map(|i| (i % 10) as f64).collect();
    let (d, crit) = ks_test(&a, &a);
    assert_eq!(d, 0.0);
    assert!((crit - 1.949 * (2.0f64 / 1000.0).sqrt()).abs() < 1e-12);
    let b: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
    let (d, crit) = ks_test(&a, &b);
    assert!(
        (d - 0.1).abs() < 1e-12 && d > crit,
        "D {d}, critical {crit}"
    );
}
