//! The day-by-day funnel of model.md ("What happens to a lead"), for one run.
//!
//! Leads are never simulated one by one. Leads that behave alike (same
//! source, score class, day they became an MQL and day they joined the
//! queue) travel as one cohort with a count, and every random step draws a
//! count for the whole cohort (Poisson arrivals split by class, binomial
//! conversions, hypergeometric picks where capacity splits a tied group),
//! so the work of a day is bounded by the number of cohorts, not of leads.
//! The facts that make this exact are in `../shared/notes/engine.md`.

use std::collections::VecDeque;

use crate::calendar::Calendar;
use crate::params::RunParams;
use crate::queue::{Cohort, Queue};
use crate::random::{Categorical, PoissonLaw, Sampler};
use crate::scenario::{QueueOrder, Scenario, Team};

/// What one run counted, by lead source and by month.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunCounts {
    pub sources: Vec<SourceTally>,
    pub months: Vec<MonthTally>,
    /// Cost over the horizon.
    pub cost: f64,
    /// Revenue recognised in each month (step 7).
    pub revenue_by_month: Vec<f64>,
}

/// Counts of one lead source over the horizon. A lead counts at most once per stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceTally {
    pub leads: f64,
    pub mqls: f64,
    pub sqls: f64,
    pub opportunities: f64,
    pub won: f64,
    /// Opportunities closed lost within the horizon.
    pub closed_lost: f64,
    pub lost_to_sla: f64,
    pub open_pipeline: f64,
    pub new_mrr: f64,
    pub revenue: f64,
    /// MQLs worked, by whole days since they became an MQL (w).
    pub response_days: Vec<f64>,
}

/// Events of one month, all sources together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthTally {
    pub leads: f64,
    pub mqls: f64,
    pub sqls: f64,
    pub opportunities: f64,
    pub won: f64,
    /// Opportunities closed (won or lost) this month.
    pub closed: f64,
    pub lost_to_sla: f64,
}

/// A nurtured cohort scheduled to re-qualify at a month start.
#[derive(Clone, Copy, Debug)]
struct Requalify {
    source: u16,
    score: f64,
    recycled: bool,
    count: f64,
}

/// Per-setup tables that do not change between runs.
#[derive(Clone, Debug)]
pub struct Model {
    pub calendar: Calendar,
    /// Per source: the chance of each whole score 0..=100 for a new lead.
    score_pmfs: Vec<Vec<f64>>,
    lag: Categorical,
    cycle: Categorical,
    /// Mean MRR of a new deal (for the expected funnel).
    mrr_mean: f64,
}

/// How the leads of one source split into classes in one run.
struct ArrivalClasses {
    /// Leads that are MQLs the day they arrive: (score class, chance).
    immediate: Vec<(f64, f64)>,
    /// Chance that a lead is an MQL the day it arrives.
    immediate_chance: f64,
    /// The class of such a lead, given that it is one (indices into `immediate`).
    immediate_split: Categorical,
    /// Leads that enter nurture and re-qualify: (month starts until then, score class).
    nurtured: Vec<(u32, f64)>,
    /// The fate of a lead that is not an MQL on arrival, given that it is not: an index
    /// into `nurtured` (it re-qualifies, surviving every unsubscribe draw), or beyond it (never).
    rest_split: Categorical,
}

/// The random streams of one run, one per concern, so that setups that differ
/// in one part of the funnel still share the draws of every other part
/// (common random numbers): arrivals per source, the classes of leads per
/// source, the follow-up (handoff, queue, qualification) and sales.
pub struct Streams<S> {
    pub arrivals: Vec<S>,
    pub classes: Vec<S>,
    pub follow_up: S,
    pub sales: S,
}

impl Model {
    /// Builds the tables of a scenario.
    pub fn new(s: &Scenario) -> Model {
        let calendar = Calendar::new(s.start, s.horizon_months);
        let horizon = calendar.days();
        let score_pmfs = s
            .sources
            .iter()
            .map(|src| src.score.rounded_pmf(100).0)
            .collect();
        Model {
            lag: Categorical::new(s.sales.opportunity_lag_days.rounded_pmf(horizon).0),
            cycle: Categorical::new(s.sales.sales_cycle_days.rounded_pmf(horizon).0),
            score_pmfs,
            calendar,
            mrr_mean: s.deal.monthly_revenue.mean(),
        }
    }

    /// Simulates one run with the given (U) values; the streams draw the counts (or give their expectations).
    pub fn simulate<S: Sampler>(
        &self,
        s: &Scenario,
        p: &RunParams,
        streams: &mut Streams<S>,
    ) -> RunCounts {
        Run::new(self, s, p).simulate(streams)
    }
}

/// The state of one run.
struct Run<'a> {
    model: &'a Model,
    s: &'a Scenario,
    p: &'a RunParams,
    classes: Vec<ArrivalClasses>,
    /// Month starts until a recycled lead re-qualifies, and its score class then.
    recycle: Option<(u32, f64)>,
    capacity_per_day: f64,
    /// Cohorts due to join the queue, in order of their join day.
    joining: VecDeque<(u32, Cohort)>,
    /// Reused buffer of today's joiners.
    joiners: Vec<Cohort>,
    /// Opportunities opened, by (source, day).
    opens: Vec<Vec<f64>>,
    queue: Queue,
    /// Response-time decay 0.5^(w / half-life) by whole days waited.
    decay: Vec<f64>,
    /// Reused buffer of cohorts leaving the queue.
    scratch: Vec<Cohort>,
    /// Nurtured cohorts that re-qualify, by month.
    requalifying: Vec<Vec<Requalify>>,
    /// MRR won by (source, close month).
    won_mrr: Vec<Vec<f64>>,
    counts: RunCounts,
}

impl<'a> Run<'a> {
    fn new(model: &'a Model, s: &'a Scenario, p: &'a RunParams) -> Run<'a> {
        let months = model.calendar.months();
        let days = model.calendar.days();
        let n_sources = s.sources.len();
        let mut run = Run {
            model,
            s,
            p,
            classes: Vec::new(),
            recycle: None,
            capacity_per_day: match s.follow_up.team {
                Team::InsideSales => s.inside_sales.reps as f64 * p.is_mqls_per_rep_per_day,
                Team::FieldSales => s.sales.reps as f64 * p.fs_inbound_mqls_per_rep_per_day,
            },
            joining: VecDeque::new(),
            joiners: Vec::new(),
            opens: vec![vec![0.0; days]; n_sources],
            queue: Queue::new(s.follow_up.queue_order),
            requalifying: vec![Vec::new(); months],
            scratch: Vec::new(),
            decay: (0..=days)
                .map(|w| 0.5f64.powf(w as f64 / p.response_half_life_days))
                .collect(),
            won_mrr: vec![vec![0.0; months]; n_sources],
            counts: RunCounts {
                sources: vec![SourceTally::default(); n_sources],
                months: vec![MonthTally::default(); months],
                cost: 0.0,
                revenue_by_month: vec![0.0; months],
            },
        };
        run.classes = (0..n_sources).map(|i| run.arrival_classes(i)).collect();
        if s.marketing.automation {
            let score =
                (s.marketing.mql_threshold as f64 - s.marketing.nurture.recycle_penalty).max(0.0);
            run.recycle = run.months_to_qualify(score).map(|k| {
                (
                    k,
                    run.score_class(requalified_score(score, k, p.monthly_score_gain)),
                )
            });
        }
        run
    }

    /// The score class an MQL is kept under (see [`Cohort::score`]).
    fn score_class(&self, score: f64) -> f64 {
        if self.s.follow_up.queue_order == QueueOrder::HighestScoreFirst {
            return score;
        }
        self.s
            .follow_up
            .sql_rate_by_score
            .iter()
            .rev()
            .find(|b| b.lower <= score)
            .map_or(-1.0, |b| b.lower)
    }

    /// `sql_rate_by_score`(score): the band with the highest lower bound <= score, 0 below every band.
    fn sql_rate(&self, score: f64) -> f64 {
        let bands = &self.s.follow_up.sql_rate_by_score;
        bands
            .iter()
            .rposition(|b| b.lower <= score)
            .map_or(0.0, |i| self.p.band_rates[i])
    }

    /// Month starts a nurtured lead of this score needs to reach the threshold, if it can
    /// within `max_months` (model.md step 3: k = min{k >= 1 : min(100, b + k g) >= threshold}).
    fn months_to_qualify(&self, score: f64) -> Option<u32> {
        let threshold = self.s.marketing.mql_threshold as f64;
        let gain = self.p.monthly_score_gain;
        let max = self.s.marketing.nurture.max_months;
        if score >= threshold {
            return Some(1);
        }
        if gain <= 0.0 {
            return None;
        }
        let mut k = ((threshold - score) / gain).ceil().max(1.0);
        while k > 1.0 && score + (k - 1.0) * gain >= threshold {
            k -= 1.0;
        }
        while score + k * gain < threshold {
            k += 1.0;
        }
        (k <= max as f64).then_some(k as u32)
    }

    fn arrival_classes(&self, source: usize) -> ArrivalClasses {
        let automation = self.s.marketing.automation;
        let threshold = self.s.marketing.mql_threshold as f64;
        let survive = 1.0 - self.p.monthly_unsubscribe;
        let mut immediate: Vec<(f64, f64)> = Vec::new();
        let mut nurtured: Vec<(u32, f64, f64)> = Vec::new();
        for (score, &chance) in self.model.score_pmfs[source].iter().enumerate() {
            if chance <= 0.0 {
                continue;
            }
            let score = score as f64;
            if !automation || score >= threshold {
                add_chance(&mut immediate, self.score_class(score), chance);
                continue;
            }
            if let Some(k) = self.months_to_qualify(score) {
                let qualify = chance * survive.powi(k as i32);
                let class =
                    self.score_class(requalified_score(score, k, self.p.monthly_score_gain));
                match nurtured
                    .iter_mut()
                    .find(|(kk, c, _)| *kk == k && *c == class)
                {
                    Some(entry) => entry.2 += qualify,
                    None => nurtured.push((k, class, qualify)),
                }
            }
        }
        let immediate_chance: f64 = immediate.iter().map(|(_, c)| c).sum();
        let rest = 1.0 - immediate_chance;
        let given = |c: f64, total: f64| if total > 0.0 { c / total } else { 0.0 };
        ArrivalClasses {
            immediate_split: Categorical::new(
                immediate
                    .iter()
                    .map(|&(_, c)| given(c, immediate_chance))
                    .collect(),
            ),
            rest_split: Categorical::new(
                nurtured.iter().map(|&(_, _, c)| given(c, rest)).collect(),
            ),
            nurtured: nurtured
                .into_iter()
                .map(|(k, class, _)| (k, class))
                .collect(),
            immediate,
            immediate_chance,
        }
    }

    fn simulate<S: Sampler>(mut self, st: &mut Streams<S>) -> RunCounts {
        let cal = &self.model.calendar;
        let n_sources = self.s.sources.len();
        let mut by_class: Vec<(usize, f64)> = Vec::new();
        for month in 0..cal.months() {
            let first = cal.first_day(month);
            // Step 3: nurtured leads re-qualify at the month start, before arrivals.
            for r in std::mem::take(&mut self.requalifying[month]) {
                let cohort = Cohort {
                    source: r.source,
                    score: r.score,
                    mql_day: first as u32,
                    recycled: r.recycled,
                    count: r.count,
                };
                self.become_mqls(cohort, &mut st.follow_up);
            }
            // Leads a day per source: Poisson with the month's mean.
            let rates: Vec<PoissonLaw> = (0..n_sources)
                .map(|i| PoissonLaw::new(self.daily_leads(i, month)))
                .collect();
            let mut not_mqls = vec![0.0; n_sources];
            for day in first..first + cal.days_in(month) {
                // Steps 1 and 2: arrivals; those that are MQLs at once are split over score
                // classes (a Poisson count split at random is a Poisson count per class).
                for (i, law) in rates.iter().enumerate() {
                    let n = st.arrivals[i].poisson(law);
                    if n <= 0.0 {
                        continue;
                    }
                    self.counts.sources[i].leads += n;
                    self.counts.months[month].leads += n;
                    let mqls = st.classes[i].binomial(n, self.classes[i].immediate_chance);
                    not_mqls[i] += n - mqls;
                    by_class.clear();
                    st.classes[i].split(&self.classes[i].immediate_split, mqls, &mut |c, k| {
                        by_class.push((c, k))
                    });
                    for &(c, k) in &by_class {
                        let score = self.classes[i].immediate[c].0;
                        self.become_mqls(
                            Cohort {
                                source: i as u16,
                                score,
                                mql_day: day as u32,
                                recycled: false,
                                count: k,
                            },
                            &mut st.follow_up,
                        );
                    }
                }
                // Steps 4 and 5: the queue and follow-up.
                self.queue_day(day, st);
            }
            // Leads that entered nurture this month: only the month matters, since
            // nurture acts on month starts; each one's fate is decided by its class.
            for (i, n) in not_mqls.into_iter().enumerate() {
                by_class.clear();
                st.classes[i].split(&self.classes[i].rest_split, n, &mut |c, k| {
                    by_class.push((c, k))
                });
                for &(c, k) in &by_class {
                    let (months_until, score) = self.classes[i].nurtured[c];
                    let due = month + months_until as usize;
                    if due < cal.months() {
                        self.requalifying[due].push(Requalify {
                            source: i as u16,
                            score,
                            recycled: false,
                            count: k,
                        });
                    }
                }
            }
        }
        self.close_opportunities(&mut st.sales);
        self.finish()
    }

    /// Mean leads a day of a source in a month (step 1).
    fn daily_leads(&self, source: usize, month: usize) -> f64 {
        let src = &self.s.sources[source];
        let sp = &self.p.sources[source];
        let cal = &self.model.calendar;
        sp.leads_per_month
            * (1.0 + sp.growth_per_month).powi(month as i32)
            * src.seasonality[cal.calendar_month_index(month)]
            / cal.days_in(month) as f64
    }

    /// MQLs made today: counted (once per lead) and sent through the handoff delay.
    fn become_mqls<S: Sampler>(&mut self, cohort: Cohort, rng: &mut S) {
        let day = cohort.mql_day as usize;
        if !cohort.recycled {
            self.counts.sources[cohort.source as usize].mqls += cohort.count;
            self.counts.months[self.model.calendar.month_of(day)].mqls += cohort.count;
        }
        let h = self.p.handoff_delay_days;
        let whole = h.floor();
        let late = rng.binomial(cohort.count, h - whole);
        for (extra, count) in [(0.0, cohort.count - late), (1.0, late)] {
            // In days as a float first: a delay beyond the horizon must not overflow.
            let join_day = day as f64 + whole + extra;
            if count > 0.0 && join_day < self.model.calendar.days() as f64 {
                let join = join_day as usize;
                // Joins arrive in day order (the delay is one value a run), so this is a push at the back.
                let at = self.joining.partition_point(|(d, _)| *d as usize <= join);
                self.joining
                    .insert(at, (join as u32, Cohort { count, ..cohort }));
            }
        }
    }

    fn queue_day<S: Sampler>(&mut self, day: usize, st: &mut Streams<S>) {
        while self
            .joining
            .front()
            .is_some_and(|(d, _)| *d as usize == day)
        {
            let (_, c) = self.joining.pop_front().expect("checked");
            self.joiners.push(c);
        }
        self.queue.join(day, &mut self.joiners);
        let mut expired = std::mem::take(&mut self.scratch);
        self.queue
            .expire(day, self.s.follow_up.sla_days, |c| expired.push(c));
        for c in expired.drain(..) {
            self.expire(day, c, &mut st.follow_up);
        }
        let c = self.capacity_per_day;
        let capacity = ((day + 1) as f64 * c).floor() - (day as f64 * c).floor();
        if capacity >= 1.0 {
            self.queue
                .work(capacity, &mut st.follow_up, |c| expired.push(c));
            for c in expired.drain(..) {
                self.follow_up(day, c, &mut st.follow_up, &mut st.sales);
            }
        }
        self.scratch = expired;
    }

    /// An MQL cohort that waited longer than the SLA: back to nurture, or lost.
    fn expire<S: Sampler>(&mut self, day: usize, c: Cohort, rng: &mut S) {
        let month = self.model.calendar.month_of(day);
        if !c.recycled {
            self.counts.sources[c.source as usize].lost_to_sla += c.count;
            self.counts.months[month].lost_to_sla += c.count;
        }
        if let Some((k, score)) = self.recycle {
            let back = rng.binomial(c.count, (1.0 - self.p.monthly_unsubscribe).powi(k as i32));
            let due = month + k as usize;
            if back > 0.0 && due < self.model.calendar.months() {
                self.requalifying[due].push(Requalify {
                    source: c.source,
                    score,
                    recycled: true,
                    count: back,
                });
            }
        }
    }

    /// Step 5: a worked cohort becomes SQLs with the decayed, score-dependent chance.
    fn follow_up<S: Sampler>(&mut self, day: usize, c: Cohort, rng: &mut S, sales: &mut S) {
        let w = day - c.mql_day as usize;
        let tally = &mut self.counts.sources[c.source as usize];
        if tally.response_days.len() <= w {
            tally.response_days.resize(w + 1, 0.0);
        }
        tally.response_days[w] += c.count;
        let chance = self.sql_rate(c.score) * self.decay[w];
        let sqls = rng.binomial(c.count, chance);
        if sqls > 0.0 {
            self.counts.sources[c.source as usize].sqls += sqls;
            self.counts.months[self.model.calendar.month_of(day)].sqls += sqls;
            self.sales(c.source as usize, day, sqls, sales);
        }
    }

    /// Step 6: SQLs to opportunities after the lag, opportunities to won or lost after the cycle.
    fn sales<S: Sampler>(&mut self, source: usize, day: usize, sqls: f64, rng: &mut S) {
        let opportunities = rng.binomial(sqls, self.p.sources[source].sql_to_opportunity);
        let horizon = self.model.calendar.days();
        let opens = &mut self.opens[source];
        rng.split(&self.model.lag, opportunities, &mut |lag, n| {
            if day + lag < horizon {
                opens[day + lag] += n;
            }
        });
    }

    /// Opportunities close after their cycle, won with `win_rate`. Sales has no
    /// capacity, so the opportunities of one (source, open day) are split together,
    /// once, after the last day: the same law as one cycle draw per opportunity.
    fn close_opportunities<S: Sampler>(&mut self, rng: &mut S) {
        let model = self.model;
        let horizon = model.calendar.days();
        let mut closing: Vec<(usize, f64)> = Vec::new();
        for source in 0..self.opens.len() {
            let win_rate = self.p.sources[source].win_rate;
            for open_day in 0..horizon {
                let n = self.opens[source][open_day];
                if n <= 0.0 {
                    continue;
                }
                self.counts.sources[source].opportunities += n;
                self.counts.months[model.calendar.month_of(open_day)].opportunities += n;
                closing.clear();
                rng.split(&model.cycle, n, &mut |cycle, k| {
                    if open_day + cycle < horizon {
                        closing.push((open_day + cycle, k));
                    }
                });
                let closed: f64 = closing.iter().map(|(_, k)| k).sum();
                self.counts.sources[source].open_pipeline += n - closed;
                for &(close_day, k) in &closing {
                    let month = model.calendar.month_of(close_day);
                    let won = rng.binomial(k, win_rate);
                    let mrr = rng.sum_of(&self.s.deal.monthly_revenue, model.mrr_mean, won);
                    let tally = &mut self.counts.sources[source];
                    tally.won += won;
                    tally.closed_lost += k - won;
                    tally.new_mrr += mrr;
                    self.counts.months[month].won += won;
                    self.counts.months[month].closed += k;
                    self.won_mrr[source][month] += mrr;
                }
            }
        }
    }

    /// Step 7 and costs.
    fn finish(mut self) -> RunCounts {
        let months = self.model.calendar.months();
        let lifetime = self.s.deal.max_lifetime_months as usize;
        let keep = 1.0 - self.p.monthly_churn;
        for (source, by_month) in self.won_mrr.iter().enumerate() {
            for (won_month, &mrr) in by_month.iter().enumerate() {
                if mrr == 0.0 {
                    continue;
                }
                for k in 0..lifetime.min(months - won_month) {
                    let r = mrr * keep.powi(k as i32);
                    self.counts.revenue_by_month[won_month + k] += r;
                    self.counts.sources[source].revenue += r;
                }
            }
        }
        let m = months as f64;
        let p = self.p;
        let mut cost: f64 = self
            .counts
            .sources
            .iter()
            .zip(&p.sources)
            .map(|(tally, sp)| sp.cost_per_lead * tally.leads + sp.budget_per_month * m)
            .sum();
        if self.s.marketing.automation {
            cost += p.license_per_month * m;
        }
        if self.s.follow_up.team == Team::InsideSales {
            cost += self.s.inside_sales.reps as f64 * p.is_cost_per_rep_per_month * m;
        }
        cost += self.s.sales.reps as f64 * p.fs_cost_per_rep_per_month * m;
        cost += p.fixed_cost_per_month * m;
        self.counts.cost = cost;
        self.counts
    }
}

fn add_chance(classes: &mut Vec<(f64, f64)>, class: f64, chance: f64) {
    match classes.iter_mut().find(|(c, _)| *c == class) {
        Some(entry) => entry.1 += chance,
        None => classes.push((class, chance)),
    }
}

/// The score of a nurtured lead when it re-qualifies after `k` month starts.
fn requalified_score(score: f64, k: u32, gain: f64) -> f64 {
    (score + k as f64 * gain).min(100.0)
}

/// The median of a histogram of whole days (mean of the two middle values for an even count).
pub fn histogram_median(hist: &[f64]) -> Option<f64> {
    let n: f64 = hist.iter().sum();
    if n <= 0.0 {
        return None;
    }
    let nth = |rank: f64| {
        let mut seen = 0.0;
        hist.iter().position(|&c| {
            seen += c;
            seen > rank
        })
    };
    let lo = nth(((n - 1.0) / 2.0).floor().max(0.0))? as f64;
    let hi = nth((n / 2.0).floor())? as f64;
    Some((lo + hi) / 2.0)
}
