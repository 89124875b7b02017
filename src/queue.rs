//! The follow-up queue of model.md step 4: a fixed ring of `sla_days + 1`
//! join-day slots, each holding a few groups of interchangeable MQLs.
//!
//! An MQL that has waited more than `sla_days` sits in the slot that today's
//! joiners take over, so expiry is one slot emptied a day. The join-day
//! orders walk the slots; `highest_score_first` walks score levels across
//! the slots, splitting groups by score only down to where capacity cuts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::mix::Mixes;
use crate::random::Sampler;
use crate::scenario::QueueOrder;

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
    /// Scratch: the pieces of the band capacity cuts, with the next score of each.
    band: Vec<(usize, Group)>,
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
            band: Vec::new(),
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

    /// Total MQLs waiting.
    pub fn len(&self) -> f64 {
        self.total
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

    /// `highest_score_first`: bands from the top, each across slots. A band
    /// that fits whole is worked without splitting it by score (its scores
    /// share one rate); the band that capacity cuts is split score by score.
    fn work_by_score<S: Sampler>(
        &mut self,
        day: usize,
        capacity: f64,
        mixes: &Mixes,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        let mut left = capacity;
        while left > 0.0 {
            let Some(floor) = self.top_band(mixes) else {
                return;
            };
            self.split_off(day, mixes, rng, floor);
            let size: f64 = self.level.iter().map(|(_, g)| g.count).sum();
            if size <= left {
                self.level.drain(..).for_each(|(_, g)| worked(g));
                left -= size;
                continue;
            }
            self.work_band(left, mixes, rng, worked);
            self.put_back(day);
            return;
        }
    }

    /// The lower bound of the band of the highest score any waiting MQL can have.
    fn top_band(&self, mixes: &Mixes) -> Option<f64> {
        let mut best: Option<(f64, f64)> = None;
        for g in self.slots.iter().flatten() {
            let mix = mixes;
            let score = mix.score(g.lo as usize);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, mix.floor(g.lo as usize)));
            }
        }
        best.map(|(_, floor)| floor)
    }

    /// Moves into `self.level`, slot by slot from the oldest, the MQLs with a
    /// score >= `floor`: a binomial for each group that straddles `floor`,
    /// none for a group that lies wholly above it.
    fn split_off<S: Sampler>(&mut self, day: usize, mixes: &Mixes, rng: &mut S, floor: f64) {
        for age in (0..=self.oldest(day)).rev() {
            let slot = self.slot_of(day, age);
            let groups = &mut self.slots[slot];
            let mut i = 0;
            while i < groups.len() {
                let g = groups[i];
                let mix = mixes;
                let (lo, hi) = (g.lo as usize, g.hi as usize);
                let end = mix.score_end(lo, hi, floor);
                if end == lo {
                    i += 1;
                    continue;
                }
                let mut rest = g;
                let piece = split_piece(&mut rest, end, mixes, rng);
                if piece.count > 0.0 {
                    self.level.push((age, piece));
                }
                if rest.count > 0.0 && rest.lo < rest.hi {
                    groups[i] = rest;
                    i += 1;
                } else {
                    groups.swap_remove(i);
                }
            }
        }
    }

    /// Works `left` MQLs (fewer than there are) of the band in `self.level`
    /// from the highest score down; what is not worked is left in `self.level`
    /// for [`Queue::put_back`].
    ///
    /// A heap keeps the pieces by their highest score. The pieces at the top
    /// are split off down to the next piece's highest score in one binomial
    /// each (a run of scores no other piece shares), worked whole if that
    /// fits; otherwise one score level at a time, across slots by join day.
    fn work_band<S: Sampler>(
        &mut self,
        mut left: f64,
        mixes: &Mixes,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        let mut band = std::mem::take(&mut self.band);
        band.clear();
        band.append(&mut self.level);
        let top = |g: &Group| mixes.score(g.lo as usize);
        let mut heap: BinaryHeap<(Score, usize)> = (0..band.len())
            .map(|i| (Score(top(&band[i].1)), i))
            .collect();
        let mut at_top: Vec<usize> = Vec::new();
        // Above this score a run did not fit: go score by score.
        let mut level_by_level_above = f64::INFINITY;
        while left > 0.0 {
            let Some(&(Score(highest), _)) = heap.peek() else {
                break;
            };
            at_top.clear();
            while heap.peek().is_some_and(|&(Score(s), _)| s == highest) {
                at_top.push(heap.pop().expect("peeked").1);
            }
            let next = heap.peek().map_or(f64::NEG_INFINITY, |&(Score(s), _)| s);
            // Scores above `next` belong to the top pieces alone.
            let run = |g: &Group| {
                let mix = mixes;
                mix.score_end_above(g.lo as usize, g.hi as usize, next)
            };
            let several = highest <= level_by_level_above
                && at_top
                    .iter()
                    .any(|&i| run(&band[i].1) > band[i].1.lo as usize + 1);
            for &i in &at_top {
                let (age, g) = band[i];
                let end = if several { run(&g) } else { g.lo as usize + 1 };
                let piece = split_piece(&mut band[i].1, end, mixes, rng);
                if piece.count > 0.0 {
                    self.level.push((age, piece));
                }
                let rest = band[i].1;
                if rest.count > 0.0 && rest.lo < rest.hi {
                    heap.push((Score(top(&rest)), i));
                }
            }
            if !several {
                left = self.work_level(left, rng, worked);
                continue;
            }
            let size: f64 = self.level.iter().map(|(_, g)| g.count).sum();
            if size <= left {
                self.level.drain(..).for_each(|(_, g)| worked(g));
                left -= size;
                continue;
            }
            // The run does not fit: keep its pieces and go score by score.
            level_by_level_above = next;
            for piece in self.level.drain(..) {
                heap.push((Score(top(&piece.1)), band.len()));
                band.push(piece);
            }
        }
        self.level
            .extend(band.drain(..).filter(|(_, g)| g.count > 0.0 && g.lo < g.hi));
        self.band = band;
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

/// A score ordered for the heap (scores are finite).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Score(f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Score) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Score) -> Ordering {
        self.0.total_cmp(&other.0)
    }
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
