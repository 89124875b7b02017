//! Fresh MQLs (those made on arrival) of all sources together, with their
//! sources drawn only when something depends on them (docs/engine.md,
//! "Fresh MQLs: one count a day, sources drawn late").
//!
//! Every source makes fresh MQLs as a Poisson stream, and each reaches the
//! queue after the whole handoff days (on time) or a day later (late). The
//! MQLs joining on one day are then the sum of independent Poisson counts
//! over (class, source), itself one Poisson count whose MQLs are each of
//! (class, source) independently with chance proportional to its mean. So
//! the engine draws one count a day, and keeps it as a group whose MQLs'
//! (class, source) are independent draws from the day's mix: taking some of
//! them regardless of source (capacity, join-day orders) leaves both parts
//! so. An MQL's (class, source) is drawn once, given what became of it:
//! SQLs at once (sales need their source), the others at the end by what
//! they share (worked after w days but not an SQL, lost to the SLA, never
//! worked), one multinomial for each.

use crate::sim::model::SourceTally;
use crate::sim::random::Sampler;

/// The classes of a fresh mix: which of the two handoff classes it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Both classes of one month (every join day but the first and those
    /// whose late MQLs were made in the month before).
    Both = 0,
    /// MQLs on time only.
    OnTime = 1,
    /// MQLs a day late only.
    Late = 2,
}

/// What is known of MQLs whose (class, source) is drawn.
#[derive(Clone, Copy, Debug)]
enum Given {
    /// Worked w days after they became MQLs (on time; late ones a day more), and SQLs.
    Sql(usize),
    /// Worked w days after they became MQLs, and not SQLs.
    NotSql(usize),
    /// Nothing: lost to the SLA, never worked, or waiting.
    Nothing,
}

/// The (class, source) chances of the fresh MQLs of one mix: a view into
/// the run's tables.
struct Mix<'a> {
    /// Chance of each (class, source), at `class * sources + source`; class 0
    /// is on time, 1 a day late (made a day earlier: w one more).
    share: &'a [f64],
    /// `share` x the source's chance to qualify before decay.
    rated: &'a [f64],
}

/// The fresh mixes of a run and the MQLs whose sources are not drawn yet.
#[derive(Clone, Debug)]
pub(crate) struct Fresh {
    sources: usize,
    /// Per month: the mean fresh MQLs made a day, all sources together.
    daily: Vec<f64>,
    /// Per mix (three a month, at `3 * month + kind`) and (class, source):
    /// the chance of the (class, source), at `mix * 2 * sources + k`.
    share: Vec<f64>,
    /// `share` x the source's chance to qualify before decay.
    rated: Vec<f64>,
    /// Per mix: the sum of `rated` per class.
    rate: Vec<[f64; 2]>,
    /// Whole days of the longest wait + 1 (the length of the decay table).
    waits: usize,
    /// Worked but not an SQL, by (mix, w of the on-time class).
    unqualified: Vec<f64>,
    /// Lost to the SLA (without recycling), by mix.
    expired: Vec<f64>,
    /// Never worked within the horizon, by mix.
    unworked: Vec<f64>,
    /// Scratch weights over (class, source), and the counts drawn.
    weights: Vec<f64>,
    drawn: Vec<f64>,
}

impl Fresh {
    /// From the mean fresh MQLs a day of each (month, source), each source's
    /// chance to qualify before decay, the chance to join a day late, and
    /// the length of the decay table.
    /// `means` holds the mean fresh MQLs a day of (month, source) at
    /// `month * sources + source`.
    pub(crate) fn new(means: &[f64], rates: &[f64], late: f64, waits: usize) -> Fresh {
        let sources = rates.len();
        let months = means.len() / sources.max(1);
        let n = 3 * months;
        let mut fresh = Fresh {
            sources,
            daily: Vec::with_capacity(months),
            share: Vec::with_capacity(n * 2 * sources),
            rated: Vec::with_capacity(n * 2 * sources),
            rate: Vec::with_capacity(n),
            waits,
            unqualified: vec![0.0; n * waits],
            expired: vec![0.0; n],
            unworked: vec![0.0; n],
            weights: Vec::with_capacity(2 * sources),
            drawn: Vec::with_capacity(2 * sources),
        };
        for month in means.chunks_exact(sources.max(1)).take(months) {
            let total: f64 = month.iter().sum();
            fresh.daily.push(total);
            let scale = if total > 0.0 { 1.0 / total } else { 0.0 };
            // Both classes of the month, on time only, late only.
            for class in [[1.0 - late, late], [1.0, 0.0], [0.0, 1.0]] {
                let mut rate = [0.0; 2];
                for (c, chance) in class.into_iter().enumerate() {
                    for (&mean, &r) in month.iter().zip(rates) {
                        let share = chance * mean * scale;
                        fresh.share.push(share);
                        fresh.rated.push(share * r);
                        rate[c] += share * r;
                    }
                }
                fresh.rate.push(rate);
            }
        }
        fresh
    }

    /// The tables of one mix.
    fn tables(&self, mix: usize) -> Mix<'_> {
        let k = 2 * self.sources;
        Mix {
            share: &self.share[mix * k..(mix + 1) * k],
            rated: &self.rated[mix * k..(mix + 1) * k],
        }
    }

    /// The mix of a month and kind.
    pub(crate) fn mix(month: usize, kind: Kind) -> usize {
        3 * month + kind as usize
    }

    /// Mean fresh MQLs made a day in a month, all sources together.
    pub(crate) fn daily(&self, month: usize) -> f64 {
        self.daily[month]
    }

    /// The chance that a fresh MQL of `mix` worked `w` days after it became
    /// an MQL (on time; a late one one day more) becomes an SQL.
    pub(crate) fn sql_chance(&self, mix: usize, w: usize, decay: &[f64]) -> f64 {
        let rate = self.rate[mix];
        let late = if rate[1] > 0.0 {
            rate[1] * decay[w + 1]
        } else {
            0.0
        };
        (rate[0] * decay[w] + late).clamp(0.0, 1.0)
    }

    /// Draws the (class, source) of `n` MQLs of `mix` given what is known of
    /// them: chances proportional to share x rate x decay (SQLs), share x
    /// (1 - rate x decay) (worked, not SQLs) or share (nothing known); calls
    /// `each(source, class, count)`.
    fn split<S: Sampler>(
        &mut self,
        mix: usize,
        n: f64,
        given: Given,
        decay: &[f64],
        rng: &mut S,
        mut each: impl FnMut(usize, usize, f64),
    ) {
        if n <= 0.0 {
            return;
        }
        let sources = self.sources;
        let mut weights = std::mem::take(&mut self.weights);
        weights.clear();
        let m = self.tables(mix);
        for class in 0..2 {
            let at = class * sources..(class + 1) * sources;
            let (share, rated) = (&m.share[at.clone()], &m.rated[at]);
            // A wait past the table is one no MQL of the class can have had.
            let d = |w: usize| decay.get(w + class).copied();
            match given {
                Given::Sql(w) => {
                    let d = d(w).unwrap_or(0.0);
                    weights.extend(rated.iter().map(|r| r * d));
                }
                Given::NotSql(w) => match d(w) {
                    Some(d) => {
                        weights.extend(share.iter().zip(rated).map(|(s, r)| (s - r * d).max(0.0)))
                    }
                    None => weights.resize(weights.len() + sources, 0.0),
                },
                Given::Nothing => weights.extend_from_slice(share),
            }
        }
        let mut drawn = std::mem::take(&mut self.drawn);
        drawn.clear();
        drawn.resize(2 * sources, 0.0);
        rng.multinomial(n, &weights, |k, c| drawn[k] = c);
        for (class, counts) in drawn.chunks_exact(sources).enumerate() {
            for (source, &c) in counts.iter().enumerate() {
                if c > 0.0 {
                    each(source, class, c);
                }
            }
        }
        self.weights = weights;
        self.drawn = drawn;
    }

    /// `sqls` SQLs of `n` MQLs of `mix` worked after `w` days: draws their
    /// sources (chance proportional to share x rate x decay of the class) and
    /// counts them in `tallies`; calls `each(source, count)`. The rest wait
    /// in `unqualified` for their sources.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn qualified<S: Sampler>(
        &mut self,
        mix: usize,
        w: usize,
        n: f64,
        sqls: f64,
        decay: &[f64],
        tallies: &mut [SourceTally],
        rng: &mut S,
        mut each: impl FnMut(usize, f64),
    ) {
        self.unqualified[mix * self.waits + w] += n - sqls;
        self.split(mix, sqls, Given::Sql(w), decay, rng, |source, class, c| {
            let tally = &mut tallies[source];
            tally.leads += c;
            tally.mqls += c;
            tally.sqls += c;
            tally.response_days[w + class] += c;
            each(source, c);
        });
    }

    /// `n` MQLs of `mix` lost to the SLA: with `now`, their sources are drawn
    /// at once and counted (calls `each(source, count)`), else at the end.
    pub(crate) fn expired<S: Sampler>(
        &mut self,
        mix: usize,
        n: f64,
        now: bool,
        tallies: &mut [SourceTally],
        rng: &mut S,
        mut each: impl FnMut(usize, f64),
    ) {
        if !now {
            self.expired[mix] += n;
            return;
        }
        self.split(mix, n, Given::Nothing, &[], rng, |source, _, c| {
            let tally = &mut tallies[source];
            tally.leads += c;
            tally.mqls += c;
            tally.lost_to_sla += c;
            each(source, c);
        });
    }

    /// `n` MQLs of `mix` that are never worked within the horizon.
    pub(crate) fn unworked(&mut self, mix: usize, n: f64) {
        self.unworked[mix] += n;
    }

    /// Draws the (class, source) of `n` MQLs of `mix` that must wait in a
    /// queue that orders by score; calls `each(source, class, count)` and
    /// counts them as leads and MQLs of their sources.
    pub(crate) fn sources_of<S: Sampler>(
        &mut self,
        mix: usize,
        n: f64,
        tallies: &mut [SourceTally],
        rng: &mut S,
        mut each: impl FnMut(usize, usize, f64),
    ) {
        self.split(mix, n, Given::Nothing, &[], rng, |source, class, c| {
            tallies[source].leads += c;
            tallies[source].mqls += c;
            each(source, class, c);
        });
    }

    /// After the last day: the sources of every MQL not drawn yet, one
    /// multinomial per (mix, what became of them). Worked after w days but
    /// not an SQL: chances proportional to share x (1 - rate x decay); lost
    /// to the SLA or never worked: to share.
    pub(crate) fn draw_the_rest<S: Sampler>(
        &mut self,
        decay: &[f64],
        tallies: &mut [SourceTally],
        rng: &mut S,
    ) {
        for mix in 0..self.rate.len() {
            for w in 0..self.waits {
                let n = std::mem::take(&mut self.unqualified[mix * self.waits + w]);
                let given = Given::NotSql(w);
                self.split(mix, n, given, decay, rng, |source, class, c| {
                    let tally = &mut tallies[source];
                    tally.leads += c;
                    tally.mqls += c;
                    tally.response_days[w + class] += c;
                });
            }
            let n = std::mem::take(&mut self.expired[mix]);
            self.expired(mix, n, true, tallies, rng, |_, _| {});
            let n = std::mem::take(&mut self.unworked[mix]);
            self.sources_of(mix, n, tallies, rng, |_, _, _| {});
        }
    }
}
