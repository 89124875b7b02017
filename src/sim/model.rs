//! The day-by-day funnel of docs/model.md ("One run, day by day"), for one run.
//!
//! Leads are never simulated one by one, nor grouped by exact score. The MQLs
//! made on arrival that join the queue on one day are one count for all
//! sources, their sources drawn only when something depends on them (see
//! `sim::fresh`); other MQLs travel as groups of one source with a count and
//! the law of their scores (see `sim::mix`). Every random step draws a count
//! for a whole group: Poisson counts per class of lead (Poisson splitting), a nurture
//! fate decided when a lead enters nurture, one binomial with the mixed rate
//! for a group worked whole, a split by score only where capacity cuts a
//! `highest_score_first` queue, and per (source, SQL day) one split of the
//! opportunities over their (open month, close month) outcomes. A day's work
//! is bounded by the number of groups, not of leads; docs/engine.md gives
//! the facts that make each step exact.

use crate::scenario::{QueueOrder, Scenario, Team};
use crate::sim::calendar::Calendar;
use crate::sim::fresh::{Fresh, Kind};
use crate::sim::mix::Mixes;
use crate::sim::params::RunParams;
use crate::sim::queue::{Group, Queue};
use crate::sim::random::{PoissonLaw, Sampler};
use crate::sim::sales::SalesTables;

/// What one run counted, by lead source and by month.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunCounts {
    /// One tally per lead source, in scenario order.
    pub sources: Vec<SourceTally>,
    /// One tally per month of the horizon, the first month first.
    pub months: Vec<MonthTally>,
    /// Cost over the horizon.
    pub cost: f64,
    /// Revenue recognised in each month (step 7).
    pub revenue_by_month: Vec<f64>,
}

/// Counts of one lead source over the horizon. A lead counts at most once per stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceTally {
    /// Leads created, those that enter nurture included.
    pub leads: f64,
    /// Leads that became an MQL (a recycled lead counts once).
    pub mqls: f64,
    /// MQLs worked that became SQLs.
    pub sqls: f64,
    /// SQLs that became opportunities, opened within the horizon.
    pub opportunities: f64,
    /// Opportunities closed won within the horizon.
    pub won: f64,
    /// Opportunities closed lost within the horizon.
    pub closed_lost: f64,
    /// MQLs that waited longer than `sla_days`, each counted once however often it expired.
    pub lost_to_sla: f64,
    /// Opportunities still open after the last day.
    pub open_pipeline: f64,
    /// MRR of the deals won, summed: money per month, in the scenario's currency.
    pub new_mrr: f64,
    /// Revenue of the deals won, recognised within the horizon, in the scenario's currency.
    pub revenue: f64,
    /// MQLs worked, by whole days since they became an MQL (w).
    pub response_days: Vec<f64>,
}

/// Events of one month, all sources together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthTally {
    /// Leads created this month, those that enter nurture included.
    pub leads: f64,
    /// New MQLs this month (recycled ones not again).
    pub mqls: f64,
    /// SQLs made this month.
    pub sqls: f64,
    /// Opportunities opened this month.
    pub opportunities: f64,
    /// Opportunities closed won this month.
    pub won: f64,
    /// Opportunities closed (won or lost) this month.
    pub closed: f64,
    /// MQLs that expired under the SLA this month, each counted once.
    pub lost_to_sla: f64,
}

/// Per-setup tables that do not change between runs.
#[derive(Clone, Debug)]
pub struct Model {
    /// Days and months of the horizon.
    pub calendar: Calendar,
    /// Per source: the chance of each whole score 0..=100 for a new lead.
    score_pmfs: Vec<Vec<f64>>,
    /// What becomes of an opportunity, by the day of its SQL.
    sales: SalesTables,
    /// Mean MRR of a new deal (for the expected funnel).
    mrr_mean: f64,
    /// Lower bound of each `sql_rate_by_score` band.
    band_floors: Vec<f64>,
    /// The band of each whole score 0..=100.
    whole_score_bands: Vec<Option<usize>>,
}

/// The random streams of one run, one per concern, so that setups that differ
/// in one part of the funnel still share the draws of every other part
/// (common random numbers): the fresh MQLs of all sources, the nurture of
/// leads per source, the follow-up (handoff, queue, qualification) and sales.
pub struct Streams<S> {
    /// The daily MQLs made on arrival, all sources together.
    pub arrivals: S,
    /// Per source: the leads that enter nurture each month, a count per nurture class.
    pub classes: Vec<S>,
    /// Handoff delays, re-qualification, the queue and qualification to SQL.
    pub follow_up: S,
    /// Opportunities, their open and close days, wins and the MRR won.
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
        let lag = s.sales.opportunity_lag_days.rounded_pmf(horizon).0;
        let cycle = s.sales.sales_cycle_days.rounded_pmf(horizon).0;
        let band_floors: Vec<f64> = s
            .follow_up
            .sql_rate_by_score
            .iter()
            .map(|b| b.lower)
            .collect();
        let whole_score_bands = (0..=100)
            .map(|score| band_floors.iter().rposition(|&lower| lower <= score as f64))
            .collect();
        Model {
            sales: SalesTables::new(&calendar, &lag, &cycle),
            score_pmfs,
            calendar,
            mrr_mean: s.deal.monthly_revenue.mean(),
            band_floors,
            whole_score_bands,
        }
    }

    /// The `sql_rate_by_score` band of a score: the highest lower bound <= it.
    fn band_of(&self, score: f64) -> Option<usize> {
        if score.fract() == 0.0 && (0.0..=100.0).contains(&score) {
            return self.whole_score_bands[score as usize];
        }
        self.band_floors.iter().rposition(|&lower| lower <= score)
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

/// A score law of the run: a range of its [`Mixes`], and the chance of the
/// class of leads it describes.
#[derive(Clone, Copy, Debug)]
struct Law {
    lo: u32,
    hi: u32,
    chance: f64,
    /// The chance to qualify (before decay) of an MQL of the class.
    rate: f64,
}

/// How the leads of one source split in one run (Poisson splitting: each
/// class of a Poisson stream is a Poisson stream of its own).
struct SourceClasses {
    /// Leads that are MQLs the day they arrive.
    fresh: Law,
    /// Leads that enter nurture and re-qualify after k month starts: (k, law).
    nurtured: Vec<(u32, Law)>,
}

/// The state of one run.
struct Run<'a> {
    model: &'a Model,
    s: &'a Scenario,
    p: &'a RunParams,
    /// Every score law of the run.
    mixes: Mixes,
    classes: Vec<SourceClasses>,
    /// Month starts until an MQL that expired under the SLA re-qualifies, and its law.
    recycle: Option<(u32, Law)>,
    capacity_per_day: f64,
    /// Whole days of the handoff delay, and the chance of one day more.
    handoff: (usize, f64),
    /// Groups due to join the queue, at `join_day % len`.
    joining: Vec<Vec<Group>>,
    /// Fresh MQLs (those made on arrival), all sources together: drawn as one
    /// count a join day, made into groups only when they must wait (most days
    /// they are all worked the day they join), sources drawn late.
    fresh: Fresh,
    queue: Queue,
    /// Reused buffer of groups leaving the queue.
    scratch: Vec<Group>,
    /// Response-time decay 0.5^(w / half-life) by whole days waited.
    decay: Vec<f64>,
    /// Nurtured groups that re-qualify, by month: (source, law, count).
    requalifying: Vec<Vec<(u16, Law, f64)>>,
    /// MQLs that expired under the SLA, by (source, month), waiting to re-qualify.
    expired: Vec<Vec<f64>>,
    /// SQLs by source: (day, count), in day order.
    sqls: Vec<Vec<(u32, f64)>>,
    /// MRR won by (source, close month).
    won_mrr: Vec<Vec<f64>>,
    counts: RunCounts,
}

impl<'a> Run<'a> {
    fn new(model: &'a Model, s: &'a Scenario, p: &'a RunParams) -> Run<'a> {
        let months = model.calendar.months();
        let days = model.calendar.days();
        let n_sources = s.sources.len();
        let h = p.handoff_delay_days;
        // In days as a float first: a delay beyond the horizon must not overflow.
        let whole = h.floor().min(days as f64) as usize;
        let sla = s.follow_up.sla_days as usize;
        let longest_wait = (whole + 1 + sla).min(days);
        let step = 0.5f64.powf(1.0 / p.response_half_life_days);
        let mut decay = Vec::with_capacity(longest_wait + 1);
        decay.push(1.0);
        for w in 1..=longest_wait {
            decay.push(decay[w - 1] * step);
        }
        let mut run = Run {
            model,
            s,
            p,
            mixes: Mixes::new(),
            classes: Vec::new(),
            recycle: None,
            capacity_per_day: match s.follow_up.team {
                Team::InsideSales => s.inside_sales.reps as f64 * p.is_mqls_per_rep_per_day,
                Team::FieldSales => s.sales.reps as f64 * p.fs_inbound_mqls_per_rep_per_day,
            },
            handoff: (whole, h - h.floor()),
            joining: vec![Vec::new(); whole + 2],
            fresh: Fresh::new(&[], &[], 0.0, 0),
            queue: Queue::new(s.follow_up.queue_order, s.follow_up.sla_days, days),
            scratch: Vec::new(),
            decay,
            requalifying: vec![Vec::new(); months],
            expired: vec![vec![0.0; months]; n_sources],
            sqls: vec![Vec::new(); n_sources],
            won_mrr: vec![vec![0.0; months]; n_sources],
            counts: RunCounts {
                sources: vec![SourceTally::default(); n_sources],
                months: vec![MonthTally::default(); months],
                cost: 0.0,
                revenue_by_month: vec![0.0; months],
            },
        };
        for tally in &mut run.counts.sources {
            tally.response_days = vec![0.0; run.decay.len()];
        }
        run.classes = (0..n_sources).map(|i| run.source_classes(i)).collect();
        let means: Vec<f64> = (0..months * n_sources)
            .map(|k| {
                let i = k % n_sources;
                (run.daily_leads(i, k / n_sources) * run.classes[i].fresh.chance).max(0.0)
            })
            .collect();
        let rates: Vec<f64> = run.classes.iter().map(|c| c.fresh.rate).collect();
        run.fresh = Fresh::new(&means, &rates, run.handoff.1, run.decay.len());
        if s.marketing.automation {
            let score =
                (s.marketing.mql_threshold as f64 - s.marketing.nurture.recycle_penalty).max(0.0);
            if let Some(k) = run.months_to_qualify(score) {
                let law = run.add_law(&[(requalified_score(score, k, p.monthly_score_gain), 1.0)]);
                run.recycle = Some((k, law));
            }
        }
        run
    }

    /// Adds a score law, (score, chance) highest score first, to the run's mixes.
    /// Only `highest_score_first` splits groups by score: the other orders keep
    /// a law as one entry, its total chance and mixed rate.
    fn add_law(&mut self, entries: &[(f64, f64)]) -> Law {
        let model = self.model;
        let rates = &self.p.band_rates;
        // `sql_rate_by_score`(score): the band with the highest lower bound <= score, 0 below every band.
        let rate_of = |score: f64| model.band_of(score).map_or(0.0, |i| rates[i]);
        let chance: f64 = entries.iter().map(|e| e.1).sum();
        let (lo, hi) = if self.s.follow_up.queue_order == QueueOrder::HighestScoreFirst {
            self.mixes.add(entries.iter().copied(), rate_of)
        } else {
            let rated: f64 = entries.iter().map(|&(score, w)| w * rate_of(score)).sum();
            let score = entries.first().map_or(0.0, |e| e.0);
            let rate = if chance > 0.0 { rated / chance } else { 0.0 };
            self.mixes.add_single(score, chance, rate)
        };
        let rate = self.mixes.rate(lo as usize, hi as usize);
        Law {
            lo,
            hi,
            chance,
            rate,
        }
    }

    /// Month starts a nurtured lead of this score needs to reach the threshold, if it can
    /// within `max_months` (docs/model.md step 3).
    fn months_to_qualify(&self, score: f64) -> Option<u32> {
        months_to_qualify(
            score,
            self.s.marketing.mql_threshold as f64,
            self.p.monthly_score_gain,
            self.s.marketing.nurture.max_months,
        )
    }

    /// Splits the leads of a source into the MQLs of arrival and the nurture classes.
    fn source_classes(&mut self, source: usize) -> SourceClasses {
        let automation = self.s.marketing.automation;
        let threshold = self.s.marketing.mql_threshold as f64;
        let survive = 1.0 - self.p.monthly_unsubscribe;
        let gain = self.p.monthly_score_gain;
        let pmf = &self.model.score_pmfs[source];
        let mut entries: Vec<(f64, f64)> = Vec::with_capacity(pmf.len());
        // Scores from the top: those MQLs on arrival first.
        let mut score = pmf.len();
        while score > 0 && (!automation || (score - 1) as f64 >= threshold) {
            score -= 1;
            entries.push((score as f64, pmf[score]));
        }
        let fresh = self.add_law(&entries);
        // Below the threshold, the months to qualify grow as the score falls:
        // each k's scores are contiguous, highest first.
        let mut nurtured = Vec::new();
        let mut current: Option<(u32, f64)> = None;
        entries.clear();
        for b in (0..score).rev() {
            if pmf[b] <= 0.0 {
                continue;
            }
            let Some(k) = self.months_to_qualify(b as f64) else {
                continue;
            };
            if let Some((kk, _)) = current.filter(|&(kk, _)| kk != k) {
                nurtured.push((kk, self.add_law(&entries)));
                entries.clear();
            }
            let kept = match current {
                Some((kk, kept)) if kk == k => kept,
                _ => survive.powi(k as i32),
            };
            current = Some((k, kept));
            entries.push((requalified_score(b as f64, k, gain), pmf[b] * kept));
        }
        if let Some((k, _)) = current {
            nurtured.push((k, self.add_law(&entries)));
        }
        SourceClasses { fresh, nurtured }
    }

    fn simulate<S: Sampler>(mut self, st: &mut Streams<S>) -> RunCounts {
        let cal = &self.model.calendar;
        // Fresh MQLs joining on a day whose on-time and late MQLs were both made
        // in month m: Poisson with the month's daily mean.
        let laws: Vec<PoissonLaw> = (0..cal.months())
            .map(|m| PoissonLaw::new(self.fresh.daily(m)))
            .collect();
        for month in 0..cal.months() {
            let first = cal.first_day(month);
            // Step 3: nurtured and recycled leads re-qualify at the month start, before arrivals.
            self.requalify(month, first, &mut st.follow_up);
            for day in first..first + cal.days_in(month) {
                // Steps 1 and 2 for the fresh MQLs joining today, then 4 and 5:
                // the queue and follow-up.
                let joiners = self.fresh_joiners(day, &laws, &mut st.arrivals);
                self.queue_day(day, month, joiners, &mut st.follow_up);
            }
            self.enter_nurture(month, &mut st.classes);
        }
        self.fresh_after_the_horizon(&mut st.arrivals);
        self.draw_fresh_sources(&mut st.follow_up);
        self.close_sales(&mut st.sales);
        self.finish()
    }

    /// Steps 1 and 2 for the fresh MQLs that join the queue on `day`: those
    /// made `whole` handoff days before (on time) and a day earlier (late),
    /// all sources together, as (mix, count) of at most two mixes. Counted as
    /// leads and MQLs of the month they were made in.
    fn fresh_joiners<S: Sampler>(
        &mut self,
        day: usize,
        laws: &[PoissonLaw],
        rng: &mut S,
    ) -> [(usize, f64); 2] {
        let (whole, late) = self.handoff;
        let mut joiners = [(0, 0.0); 2];
        let Some(made) = day.checked_sub(whole) else {
            return joiners;
        };
        let cal = &self.model.calendar;
        let on_time_month = cal.month_of(made);
        let late_month = made.checked_sub(1).map(|d| cal.month_of(d));
        if late == 0.0 || late_month == Some(on_time_month) {
            let n = rng.poisson(&laws[on_time_month]);
            joiners[0] = (Fresh::mix(on_time_month, Kind::Both), n);
        } else {
            let on_time = self.fresh.daily(on_time_month) * (1.0 - late);
            let delayed = late_month.map_or(0.0, |m| self.fresh.daily(m) * late);
            let n = rng.poisson_mean(on_time + delayed);
            let l = if delayed > 0.0 {
                rng.binomial(n, delayed / (on_time + delayed))
            } else {
                0.0
            };
            joiners[0] = (Fresh::mix(on_time_month, Kind::OnTime), n - l);
            if let Some(m) = late_month {
                joiners[1] = (Fresh::mix(m, Kind::Late), l);
            }
        }
        for &(mix, n) in &joiners {
            let month = &mut self.counts.months[mix / 3];
            month.leads += n;
            month.mqls += n;
        }
        joiners
    }

    /// Fresh MQLs made so late that they would join after the last day: one
    /// Poisson count per month, never worked.
    fn fresh_after_the_horizon<S: Sampler>(&mut self, rng: &mut S) {
        let (whole, late) = self.handoff;
        let cal = &self.model.calendar;
        let days = cal.days();
        let mut means = vec![0.0; cal.months()];
        for made in days.saturating_sub(whole + 1)..days {
            let m = cal.month_of(made);
            let on_time = if made + whole >= days {
                1.0 - late
            } else {
                0.0
            };
            means[m] += self.fresh.daily(m) * (on_time + late);
        }
        for (m, mean) in means.into_iter().enumerate() {
            let n = if mean > 0.0 {
                rng.poisson_mean(mean)
            } else {
                0.0
            };
            if n > 0.0 {
                self.counts.months[m].leads += n;
                self.counts.months[m].mqls += n;
                self.fresh.unworked(Fresh::mix(m, Kind::Both), n);
            }
        }
    }

    /// Leads of this month that enter nurture: only the month matters, since nurture
    /// acts on month starts; each class is a Poisson count of its own.
    fn enter_nurture<S: Sampler>(&mut self, month: usize, rngs: &mut [S]) {
        let cal = &self.model.calendar;
        for (i, rng) in rngs.iter_mut().enumerate() {
            let leads = self.daily_leads(i, month) * cal.days_in(month) as f64;
            let mut rest = 1.0 - self.classes[i].fresh.chance;
            for c in 0..self.classes[i].nurtured.len() {
                let (k, law) = self.classes[i].nurtured[c];
                let due = month + k as usize;
                if due >= cal.months() {
                    continue;
                }
                let chance = law.chance;
                rest -= chance;
                let n = rng.poisson_mean(leads * chance);
                if n > 0.0 {
                    self.requalifying[due].push((i as u16, law, n));
                    self.add_leads(i, month, n);
                }
            }
            let n = rng.poisson_mean(leads * rest.max(0.0));
            self.add_leads(i, month, n);
        }
    }

    /// Step 3 at the first day of `month`: nurtured leads that reach the threshold,
    /// and MQLs that expired under the SLA and survived nurture until now.
    fn requalify<S: Sampler>(&mut self, month: usize, first: usize, rng: &mut S) {
        for (source, law, count) in std::mem::take(&mut self.requalifying[month]) {
            let i = source as usize;
            self.new_mqls(i, month, count);
            let g = Group::new(i, law, first, false, count);
            self.split_hand_off(g, rng);
        }
        let Some((k, law)) = self.recycle else {
            return;
        };
        let Some(from) = month.checked_sub(k as usize) else {
            return;
        };
        let survive = (1.0 - self.p.monthly_unsubscribe).powi(k as i32);
        for i in 0..self.s.sources.len() {
            let n = std::mem::take(&mut self.expired[i][from]);
            let back = rng.binomial(n, survive);
            let g = Group::new(i, law, first, true, back);
            self.split_hand_off(g, rng);
        }
    }

    fn add_leads(&mut self, source: usize, month: usize, n: f64) {
        self.counts.sources[source].leads += n;
        self.counts.months[month].leads += n;
    }

    /// New MQLs (recycled ones are not counted again).
    fn new_mqls(&mut self, source: usize, month: usize, n: f64) {
        self.counts.sources[source].mqls += n;
        self.counts.months[month].mqls += n;
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

    /// Splits a group made an MQL today into those on time and a day late.
    fn split_hand_off<S: Sampler>(&mut self, g: Group, rng: &mut S) {
        if g.count <= 0.0 {
            return;
        }
        let late = rng.binomial(g.count, self.handoff.1);
        self.hand_off(
            Group {
                count: g.count - late,
                ..g
            },
            0,
        );
        self.hand_off(Group { count: late, ..g }, 1);
    }

    /// Sends a group made an MQL today to the queue after the whole handoff days plus `extra`.
    fn hand_off(&mut self, g: Group, extra: usize) {
        let join = g.mql_day as usize + self.handoff.0 + extra;
        if g.count > 0.0 && join < self.model.calendar.days() {
            let n = self.joining.len();
            self.joining[join % n].push(g);
        }
    }

    fn queue_day<S: Sampler>(
        &mut self,
        day: usize,
        month: usize,
        fresh: [(usize, f64); 2],
        rng: &mut S,
    ) {
        let ring = self.joining.len();
        let c = self.capacity_per_day;
        let capacity = ((day + 1) as f64 * c).floor() - (day as f64 * c).floor();
        if self.queue.is_empty() {
            // Nobody waits: today's joiners are worked at once if they fit.
            let others: f64 = self.joining[day % ring].iter().map(|g| g.count).sum();
            if fresh[0].1 + fresh[1].1 + others <= capacity {
                for (mix, count) in fresh {
                    if count > 0.0 {
                        let made = day - self.handoff.0;
                        self.qualify_fresh(day, month, mix, made, count, rng);
                    }
                }
                let mut joiners = std::mem::take(&mut self.joining[day % ring]);
                for g in joiners.drain(..) {
                    self.follow_up(day, month, g, rng);
                }
                self.joining[day % ring] = joiners;
                return;
            }
        }
        // Some must wait: today's fresh MQLs become groups in the queue.
        for (mix, count) in fresh {
            if count > 0.0 {
                self.fresh_groups(day, mix, count, rng);
            }
        }
        let mut out = std::mem::take(&mut self.scratch);
        self.queue
            .join(day, &mut self.joining[day % ring], |g| out.push(g));
        for g in out.drain(..) {
            self.expire(month, g, rng);
        }
        if capacity >= 1.0 && !self.queue.is_empty() {
            self.queue
                .work(day, capacity, &self.mixes, rng, |g| out.push(g));
            for g in out.drain(..) {
                self.follow_up(day, month, g, rng);
            }
        }
        self.scratch = out;
    }

    /// `count` fresh MQLs of `mix` joining today that must wait: one group of
    /// the mix when the queue orders by join day, else (scores matter) their
    /// (class, source) drawn now, one group of each with its score law.
    fn fresh_groups<S: Sampler>(&mut self, day: usize, mix: usize, count: f64, rng: &mut S) {
        let made = day - self.handoff.0;
        let ring = self.joining.len();
        let joining = &mut self.joining[day % ring];
        if self.s.follow_up.queue_order != QueueOrder::HighestScoreFirst {
            joining.push(Group {
                source: (self.s.sources.len() + mix) as u16,
                lo: 0,
                hi: 0,
                mql_day: made as u32,
                recycled: false,
                count,
            });
            return;
        }
        let classes = &self.classes;
        let tallies = &mut self.counts.sources;
        self.fresh
            .sources_of(mix, count, tallies, rng, |i, class, n| {
                joining.push(Group::new(i, classes[i].fresh, made - class, false, n));
            });
    }

    /// The fresh mix of a group of fresh MQLs whose sources are not drawn
    /// yet, or `None` for a group of one source.
    fn mix_of(&self, g: &Group) -> Option<usize> {
        (g.source as usize).checked_sub(self.s.sources.len())
    }

    /// An MQL group that waited longer than the SLA: counted once, and back to nurture.
    fn expire<S: Sampler>(&mut self, month: usize, g: Group, rng: &mut S) {
        if let Some(mix) = self.mix_of(&g) {
            self.counts.months[month].lost_to_sla += g.count;
            // Recycled leads need their sources now: nurture keeps them by source.
            let now = self.recycle.is_some();
            let expired = &mut self.expired;
            let tallies = &mut self.counts.sources;
            self.fresh.expired(mix, g.count, now, tallies, rng, |i, n| {
                expired[i][month] += n;
            });
            return;
        }
        let i = g.source as usize;
        if !g.recycled {
            self.counts.sources[i].lost_to_sla += g.count;
            self.counts.months[month].lost_to_sla += g.count;
        }
        if self.recycle.is_some() {
            self.expired[i][month] += g.count;
        }
    }

    /// Step 5: a worked group becomes SQLs with its mixed, decayed chance.
    fn follow_up<S: Sampler>(&mut self, day: usize, month: usize, g: Group, rng: &mut S) {
        if let Some(mix) = self.mix_of(&g) {
            return self.qualify_fresh(day, month, mix, g.mql_day as usize, g.count, rng);
        }
        let rate = self.mixes.rate(g.lo as usize, g.hi as usize);
        let i = g.source as usize;
        self.qualify(day, month, i, g.mql_day as usize, rate, g.count, rng);
    }

    /// `count` fresh MQLs of `mix` (sources not drawn yet; the on-time ones
    /// made on `made`) worked today: Binomial(count, the mix's chance) SQLs,
    /// their sources drawn at once (sales need them), the rest's at the end.
    fn qualify_fresh<S: Sampler>(
        &mut self,
        day: usize,
        month: usize,
        mix: usize,
        made: usize,
        count: f64,
        rng: &mut S,
    ) {
        let w = day - made;
        let sqls = rng.binomial(count, self.fresh.sql_chance(mix, w, &self.decay));
        self.counts.months[month].sqls += sqls;
        let lists = &mut self.sqls;
        let tallies = &mut self.counts.sources;
        self.fresh.qualified(
            mix,
            w,
            count,
            sqls,
            &self.decay,
            tallies,
            rng,
            |i, n| match lists[i].last_mut() {
                Some((d, k)) if *d as usize == day => *k += n,
                _ => lists[i].push((day as u32, n)),
            },
        );
    }

    /// After the last day: the sources of the fresh MQLs not drawn yet (those
    /// still waiting are never worked).
    fn draw_fresh_sources<S: Sampler>(&mut self, rng: &mut S) {
        let mut waiting = Vec::new();
        self.queue.drain(|g| waiting.push(g));
        waiting.extend(self.joining.iter().flatten().copied());
        for g in waiting {
            if let Some(mix) = self.mix_of(&g) {
                self.fresh.unworked(mix, g.count);
            }
        }
        let tallies = &mut self.counts.sources;
        self.fresh.draw_the_rest(&self.decay, tallies, rng);
    }

    /// `count` MQLs of a source made on `made` and worked today with `rate` before decay.
    #[allow(clippy::too_many_arguments)]
    fn qualify<S: Sampler>(
        &mut self,
        day: usize,
        month: usize,
        i: usize,
        made: usize,
        rate: f64,
        count: f64,
        rng: &mut S,
    ) {
        let w = day - made;
        let tally = &mut self.counts.sources[i];
        tally.response_days[w] += count;
        let sqls = rng.binomial(count, rate * self.decay[w]);
        if sqls > 0.0 {
            tally.sqls += sqls;
            self.counts.months[month].sqls += sqls;
            match self.sqls[i].last_mut() {
                Some((d, n)) if *d as usize == day => *n += sqls,
                _ => self.sqls[i].push((day as u32, sqls)),
            }
        }
    }

    /// Step 6, after the last day: SQLs to opportunities, each (source, SQL
    /// day)'s opportunities split over their open days and each open day's over
    /// close months; then the closed ones of each (source, close month) won
    /// with `win_rate`.
    fn close_sales<S: Sampler>(&mut self, rng: &mut S) {
        let cal = &self.model.calendar;
        let (days, sales) = (cal.days(), &self.model.sales);
        let mut closed = vec![0.0; cal.months()];
        for i in 0..self.s.sources.len() {
            let sp = &self.p.sources[i];
            for &(day, sqls) in &self.sqls[i] {
                // Opportunities of the day's SQLs: by lag to their open day, then
                // by cycle to their close month (or still open at the end).
                let day = day as usize;
                let tally = &mut self.counts.sources[i];
                let by_month = &mut self.counts.months;
                let mut record = |opened_in: usize, closes_in: Option<usize>, n: f64| {
                    tally.opportunities += n;
                    by_month[opened_in].opportunities += n;
                    match closes_in {
                        Some(m) => closed[m] += n,
                        None => tally.open_pipeline += n,
                    }
                };
                let keep = sp.sql_to_opportunity;
                if let Some(joint) = sales.by_sql_day(day) {
                    rng.split_kept(sqls, keep, &joint.law, |k, n| {
                        let (opened_in, closes_in) = joint.outcomes[k];
                        record(opened_in as usize, closes_in.map(|m| m as usize), n);
                    });
                    continue;
                }
                let close = |lag: usize| (day + lag < days).then(|| sales.close(day + lag));
                rng.split_twice(sqls, keep, &sales.lag, close, |lag, k, n| {
                    let opened_in = cal.month_of(day + lag);
                    record(opened_in, k.map(|k| opened_in + k), n);
                });
            }
            for (month, n) in closed.iter_mut().enumerate() {
                if *n <= 0.0 {
                    continue;
                }
                let won = rng.binomial(*n, sp.win_rate);
                let mrr = rng.sum_of(&self.s.deal.monthly_revenue, self.model.mrr_mean, won);
                let tally = &mut self.counts.sources[i];
                tally.won += won;
                tally.closed_lost += *n - won;
                tally.new_mrr += mrr;
                self.counts.months[month].won += won;
                self.counts.months[month].closed += *n;
                self.won_mrr[i][month] += mrr;
                *n = 0.0;
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
                let mut r = mrr;
                for k in 0..lifetime.min(months - won_month) {
                    self.counts.revenue_by_month[won_month + k] += r;
                    self.counts.sources[source].revenue += r;
                    r *= keep;
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

impl Group {
    /// A group of `count` MQLs of `source` made on `day`, scores from the whole of `law`.
    fn new(source: usize, law: Law, day: usize, recycled: bool, count: f64) -> Group {
        Group {
            source: source as u16,
            lo: law.lo,
            hi: law.hi,
            mql_day: day as u32,
            recycled,
            count,
        }
    }
}

/// k = min{k >= 1 : min(100, b + k g) >= threshold}, if k <= `max`: the
/// month starts a lead of score b needs in nurture. The division guesses k;
/// the loops make it exact where the guess is off by floating-point rounding.
fn months_to_qualify(score: f64, threshold: f64, gain: f64, max: u32) -> Option<u32> {
    if score >= threshold {
        return Some(1);
    }
    if gain <= 0.0 {
        return None;
    }
    let mut k = ((threshold - score) / gain).ceil().max(1.0);
    while k > 1.0 && requalified_score(score, k as u32 - 1, gain) >= threshold {
        k -= 1.0;
    }
    while requalified_score(score, k as u32, gain) < threshold {
        k += 1.0;
    }
    (k <= max as f64).then_some(k as u32)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the definition, by counting, on gains where the division's
    /// guess is off by rounding in both directions.
    #[test]
    fn months_to_qualify_is_the_least_k_of_the_definition() {
        let mut guess_off = [0, 0];
        for threshold in [1.0, 30.0, 50.0, 65.0, 100.0] {
            for gain in [0.1, 0.3, 0.7, 1.1, 2.5, 3.3, 7.0, 12.5, 33.3] {
                for tenth in 0..1000 {
                    let score = tenth as f64 / 10.0;
                    let least = (1..=2000u32)
                        .find(|&k| requalified_score(score, k, gain) >= threshold)
                        .unwrap();
                    let got = months_to_qualify(score, threshold, gain, 1000);
                    assert_eq!(
                        got,
                        (least <= 1000).then_some(least),
                        "{score} {gain} {threshold}"
                    );
                    let guess = ((threshold - score) / gain).ceil().max(1.0) as u32;
                    if score < threshold && guess != least {
                        guess_off[usize::from(guess < least)] += 1;
                    }
                }
            }
        }
        // The loops are needed: the plain division is wrong both ways here.
        assert!(guess_off[0] > 0 && guess_off[1] > 0, "{guess_off:?}");
        assert_eq!(months_to_qualify(10.0, 50.0, 0.0, 12), None);
        assert_eq!(months_to_qualify(10.0, 50.0, 10.0, 3), None);
        assert_eq!(months_to_qualify(10.0, 50.0, 10.0, 4), Some(4));
    }

    /// The table of whole scores is a cache of the band search: a score
    /// between a fractional lower bound and the whole number below it must
    /// not take the whole number's band.
    #[test]
    fn fractional_scores_find_their_band_past_a_fractional_bound() {
        let text = std::fs::read_to_string("scenarios/ma_inside_sales.toml").unwrap();
        let text = text.replace(
            "sql_rate_by_score = [[0, 0.04], [35, 0.10], [50, 0.30], [70, 0.45], [85, { range = [0.50, 0.65] }]]",
            "sql_rate_by_score = [[0, 0.04], [50.5, 0.30]]",
        );
        assert!(text.contains("[50.5, 0.30]"), "the example's bands changed");
        let tree = crate::scenario::doc::parse_str(&text, "t.toml").unwrap();
        let setup = crate::scenario::setups_of(&tree, "t")
            .unwrap()
            .swap_remove(0);
        let model = Model::new(&setup.scenario);
        assert_eq!(model.band_of(50.0), Some(0));
        assert_eq!(model.band_of(50.25), Some(0));
        assert_eq!(model.band_of(50.5), Some(1));
        assert_eq!(model.band_of(50.75), Some(1));
        assert_eq!(model.band_of(51.0), Some(1));
        assert_eq!(model.band_of(100.0), Some(1));
    }
}
