//! The follow-up queue of docs/model.md step 4: a fixed ring of `sla_days + 1`
//! join-day slots, each holding a few groups of interchangeable MQLs.
//!
//! An MQL that has waited more than `sla_days` sits in the slot that today's
//! joiners take over, so expiry is one slot emptied a day. The join-day
//! orders walk the slots; `highest_score_first` walks score levels across
//! the slots, splitting groups by score only down to where capacity cuts.

use crate::scenario::QueueOrder;
use crate::sim::mix::Mixes;
use crate::sim::random::Sampler;

/// A group of MQLs that share everything but their exact score, which is
/// drawn independently for each MQL from entries `lo..hi` of the run's [`Mixes`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Group {
    pub source: u16,
    pub lo: u32,
    pub hi: u32,
    /// Day it (last) became an MQL.
    pub mql_day: u32,
    /// Expired under the SLA before: not counted again as an MQL or an SLA loss.
    pub recycled: bool,
    pub count: f64,
}

/// MQLs waiting for the follow-up team.
#[derive(Clone, Debug)]
pub struct Queue {
    order: QueueOrder,
    /// Slot `day % slots.len()` holds the MQLs that joined on `day`.
    slots: Vec<Vec<Group>>,
    /// MQLs waiting in all slots.
    total: f64,
    /// Scratch: (join age, group) pieces split off at one band or score level.
    level: Vec<(usize, Group)>,
    /// Scratch: (highest score, join age, index in its slot) of every group.
    tops: Vec<(f64, usize, usize)>,
    /// Scratch: sizes of the groups a partial pick chooses from, and the picks.
    sizes: Vec<f64>,
    picked: Vec<f64>,
}

impl Queue {
    /// An empty queue; MQLs that have waited more than `sla_days` leave it.
    /// `days` is the horizon: a longer SLA never expires anything.
    pub fn new(order: QueueOrder, sla_days: u32, days: usize) -> Queue {
        let slots = (sla_days as usize).min(days) + 1;
        Queue {
            order,
            slots: vec![Vec::new(); slots],
            total: 0.0,
            level: Vec::new(),
            tops: Vec::new(),
            sizes: Vec::new(),
            picked: Vec::new(),
        }
    }

    /// Adds today's joiners (draining `joiners`) in the slot of the MQLs that
    /// now have waited more than the SLA; those leave through `expired`.
    pub fn join(&mut self, day: usize, joiners: &mut Vec<Group>, mut expired: impl FnMut(Group)) {
        let n = self.slots.len();
        let slot = &mut self.slots[day % n];
        // A ring at least as long as the horizon never wraps: nothing expires.
        if day >= n {
            for g in slot.drain(..) {
                self.total -= g.count;
                expired(g);
            }
        }
        if slot.is_empty() {
            // Rounding must not leave a phantom MQL in an empty queue.
            self.total = self.total.max(0.0);
        }
        self.total += joiners.iter().map(|g| g.count).sum::<f64>();
        slot.append(joiners);
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Vec::is_empty)
    }

    /// Works up to `capacity` MQLs on `day` in queue order; MQLs tied on every
    /// key that do not all fit are a uniformly random subset.
    pub fn work<S: Sampler>(
        &mut self,
        day: usize,
        capacity: f64,
        mixes: &Mixes,
        rng: &mut S,
        mut worked: impl FnMut(Group),
    ) {
        if self.total <= capacity {
            self.slots.iter_mut().flatten().for_each(|g| worked(*g));
            self.slots.iter_mut().for_each(Vec::clear);
            self.total = 0.0;
            return;
        }
        let mut done = 0.0;
        let mut count = |g: Group| {
            done += g.count;
            worked(g)
        };
        match self.order {
            QueueOrder::OldestFirst | QueueOrder::NewestFirst => {
                self.work_by_join_day(day, capacity, rng, &mut count)
            }
            QueueOrder::HighestScoreFirst => {
                self.work_by_score(day, capacity, mixes, rng, &mut count)
            }
        }
        self.total -= done;
    }

    /// Slot of the MQLs that joined `age` days before `day`.
    fn slot_of(&self, day: usize, age: usize) -> usize {
        let n = self.slots.len();
        (day + n - age % n) % n
    }

    /// The oldest join age with MQLs possibly waiting.
    fn oldest(&self, day: usize) -> usize {
        (self.slots.len() - 1).min(day)
    }

    fn work_by_join_day<S: Sampler>(
        &mut self,
        day: usize,
        capacity: f64,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        let mut left = capacity;
        let oldest = self.oldest(day);
        for k in 0..=oldest {
            let age = match self.order {
                QueueOrder::NewestFirst => k,
                _ => oldest - k,
            };
            let slot = self.slot_of(day, age);
            let size: f64 = self.slots[slot].iter().map(|g| g.count).sum();
            if size <= left {
                self.slots[slot].drain(..).for_each(&mut *worked);
                left -= size;
                continue;
            }
            let mut groups = std::mem::take(&mut self.slots[slot]);
            self.pick_part(&mut groups, left, rng, worked);
            self.slots[slot] = groups;
            return;
        }
    }

    /// `highest_score_first`: the highest scores first, across slots, earliest
    /// join day first among equal scores.
    ///
    /// Every group is kept with its highest possible score. The groups at
    /// the top are split, one binomial each, down to the next group's highest
    /// score or the lower bound of their band, whichever is higher: scores no
    /// other group shares, with one rate (a band). That run is worked whole if
    /// it fits; otherwise the run is gone through one score level at a time.
    /// Groups below the cut are not touched.
    fn work_by_score<S: Sampler>(
        &mut self,
        day: usize,
        capacity: f64,
        mixes: &Mixes,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        // Every group not used up with its highest possible score.
        let mut tops = std::mem::take(&mut self.tops);
        tops.clear();
        for age in 0..=self.oldest(day) {
            let slot = self.slot_of(day, age);
            for (i, g) in self.slots[slot].iter().enumerate() {
                tops.push((mixes.score(g.lo as usize), age, i));
            }
        }
        let mut left = capacity;
        // Runs that reach below this score did not fit: go level by level above it.
        let mut levels_above = f64::INFINITY;
        // Highest first: the groups at the top are a prefix.
        tops.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        let mut at_top: Vec<(usize, usize)> = Vec::new();
        while left > 0.0 {
            let Some(&(highest, ..)) = tops.first() else {
                break;
            };
            let ties = tops.partition_point(|t| t.0 == highest);
            at_top.clear();
            at_top.extend(tops.drain(..ties).map(|(_, age, i)| (age, i)));
            let next = tops.first().map_or(f64::NEG_INFINITY, |t| t.0);
            let (age0, i0) = at_top[0];
            let floor = mixes.floor(self.slots[self.slot_of(day, age0)][i0].lo as usize);
            let run_end = |g: &Group| {
                let (lo, hi) = (g.lo as usize, g.hi as usize);
                mixes
                    .score_end_above(lo, hi, next)
                    .min(mixes.score_end(lo, hi, floor))
            };
            let by_run = highest < levels_above
                && at_top.iter().any(|&(age, i)| {
                    let g = &self.slots[self.slot_of(day, age)][i];
                    run_end(g) > g.lo as usize + 1
                });
            for &(age, i) in &at_top {
                let slot = self.slot_of(day, age);
                let g = &mut self.slots[slot][i];
                let end = if by_run {
                    run_end(g)
                } else {
                    g.lo as usize + 1
                };
                let piece = split_piece(g, end, mixes, rng);
                if piece.count > 0.0 {
                    self.level.push((age, piece));
                }
                if g.count > 0.0 && g.lo < g.hi {
                    insert_sorted(&mut tops, (mixes.score(g.lo as usize), age, i));
                }
            }
            if !by_run {
                left = self.work_level(left, rng, worked);
                continue;
            }
            let size: f64 = self.level.iter().map(|(_, g)| g.count).sum();
            if size <= left {
                self.level.drain(..).for_each(|(_, g)| worked(g));
                left -= size;
                continue;
            }
            // The run does not fit: keep its pieces as groups, level by level from here.
            for (age, piece) in std::mem::take(&mut self.level) {
                levels_above = levels_above.min(mixes.score(piece.hi as usize - 1));
                let slot = self.slot_of(day, age);
                let top = (mixes.score(piece.lo as usize), age, self.slots[slot].len());
                insert_sorted(&mut tops, top);
                self.slots[slot].push(piece);
            }
        }
        self.put_back(day);
        for slot in &mut self.slots {
            slot.retain(|g| g.count > 0.0 && g.lo < g.hi);
        }
        self.tops = tops;
    }

    /// Works the MQLs of one score level in `self.level`, earliest join day
    /// first; returns the capacity left. What is not worked stays in `self.level`.
    fn work_level<S: Sampler>(
        &mut self,
        mut left: f64,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) -> f64 {
        // Oldest first (the highest age).
        self.level.sort_by_key(|p| std::cmp::Reverse(p.0));
        while !self.level.is_empty() && left > 0.0 {
            let age = self.level[0].0;
            let end = self
                .level
                .iter()
                .position(|(a, _)| *a != age)
                .unwrap_or(self.level.len());
            let size: f64 = self.level[..end].iter().map(|(_, g)| g.count).sum();
            if size <= left {
                for (_, g) in self.level.drain(..end) {
                    worked(g);
                }
                left -= size;
                continue;
            }
            let mut part: Vec<Group> = self.level.drain(..end).map(|(_, g)| g).collect();
            self.pick_part(&mut part, left, rng, worked);
            self.level.extend(part.into_iter().map(|g| (age, g)));
            return 0.0;
        }
        left
    }

    /// Returns the MQLs of `self.level` not worked to their slots.
    fn put_back(&mut self, day: usize) {
        let mut level = std::mem::take(&mut self.level);
        for (age, g) in level.drain(..) {
            let slot = self.slot_of(day, age);
            self.slots[slot].push(g);
        }
        self.level = level;
    }

    /// Works `left` MQLs picked uniformly at random from `groups` (which hold
    /// more than that), leaving the rest in `groups`.
    fn pick_part<S: Sampler>(
        &mut self,
        groups: &mut Vec<Group>,
        left: f64,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        self.sizes.clear();
        self.sizes.extend(groups.iter().map(|g| g.count));
        rng.pick(&self.sizes, left, &mut self.picked);
        for (g, &picked) in groups.iter_mut().zip(&self.picked) {
            if picked > 0.0 {
                worked(Group {
                    count: picked,
                    ..*g
                });
                g.count -= picked;
            }
        }
        groups.retain(|g| g.count > 0.0);
    }
}

/// Inserts a (score, age, index) into a list kept highest score first.
fn insert_sorted(tops: &mut Vec<(f64, usize, usize)>, top: (f64, usize, usize)) {
    let at = tops.partition_point(|t| t.0 >= top.0);
    tops.insert(at, top);
}

/// Splits off a group's MQLs with scores in entries `lo..end` (a binomial
/// unless that is the whole group), leaving the rest in `g`.
fn split_piece<S: Sampler>(g: &mut Group, end: usize, mixes: &Mixes, rng: &mut S) -> Group {
    let mix = mixes;
    let (lo, hi) = (g.lo as usize, g.hi as usize);
    let part = if end >= hi {
        g.count
    } else {
        rng.binomial(g.count, (mix.weight(lo, end) / mix.weight(lo, hi)).min(1.0))
    };
    let piece = Group {
        hi: end as u32,
        count: part,
        ..*g
    };
    g.lo = end as u32;
    g.count -= part;
    piece
}
