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
    /// Scratch of `highest_score_first`: the waiting groups pooled by score
    /// law, as (join age, group) in law order.
    buckets: Vec<Bucket>,
    members: Vec<(usize, Group)>,
    walk: WalkScratch,
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
            buckets: Vec::new(),
            members: Vec::new(),
            walk: WalkScratch::default(),
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

    /// Takes every waiting group out of the queue (at the end of the horizon).
    pub fn drain(&mut self, mut each: impl FnMut(Group)) {
        self.slots.iter_mut().flatten().for_each(|g| each(*g));
        self.slots.iter_mut().for_each(Vec::clear);
        self.total = 0.0;
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
            return self.drain(worked);
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
    /// Groups that share a score law (the same range of the mixes) are
    /// pooled into a bucket: their MQLs' scores are independent draws from
    /// one law, so the bucket's count at each score level is drawn once for
    /// the pool (one binomial per bucket and level, a run of levels no other
    /// bucket reaches drawn as one), down to the level where capacity cuts.
    /// Only then is each bucket's part split over its groups, uniformly at
    /// random (a multivariate hypergeometric draw): above the cut (worked),
    /// at the cut level (worked oldest join first, as capacity allows), and
    /// what is left, in the ranges the walk leaves it. Given the pool's
    /// counts the allocation to groups is exchangeable, so this is the same
    /// law as splitting every group at every level, at a cost bounded by the
    /// buckets and levels rather than groups times levels
    /// (docs/engine.md, "highest_score_first").
    fn work_by_score<S: Sampler>(
        &mut self,
        day: usize,
        capacity: f64,
        mixes: &Mixes,
        rng: &mut S,
        worked: &mut impl FnMut(Group),
    ) {
        let mut buckets = std::mem::take(&mut self.buckets);
        let mut members = std::mem::take(&mut self.members);
        self.pool(day, &mut buckets, &mut members);
        let left = walk_levels(&mut buckets, capacity, mixes, rng, &mut self.walk);
        self.level.clear();
        let (mut rest, mut picked) = (
            std::mem::take(&mut self.sizes),
            std::mem::take(&mut self.picked),
        );
        for b in &buckets {
            let group = &members[b.members.clone()];
            if b.end == b.lo {
                // Untouched: the walk never reached this law (`next <= end`
                // always). A law it reached and found empty above some
                // score is not untouched: its groups no longer have those scores.
                for &(age, g) in group {
                    let slot = self.slot_of(day, age);
                    self.slots[slot].push(g);
                }
                continue;
            }
            // The bucket's parts: above the cut (worked), at the cut level,
            // the window left, the rest; each split over the groups at random.
            let parts = [
                (b.lo, b.cut, b.above),
                (b.cut, b.cut + 1, b.at_cut),
                (b.next, b.end, b.window),
                (b.end.max(b.next), b.hi, f64::INFINITY),
            ];
            rest.clear();
            rest.extend(group.iter().map(|(_, g)| g.count));
            for (k, &(lo, hi, total)) in parts.iter().enumerate() {
                if total <= 0.0 || lo >= hi {
                    continue;
                }
                if group.len() == 1 || total.is_infinite() {
                    picked.clear();
                    picked.extend(rest.iter().map(|&r| r.min(total)));
                } else {
                    rng.pick(&rest, total, &mut picked);
                }
                for ((&(age, g), r), &p) in group.iter().zip(&mut rest).zip(&picked) {
                    *r -= p;
                    if p <= 0.0 {
                        continue;
                    }
                    let piece = Group {
                        lo,
                        hi,
                        count: p,
                        ..g
                    };
                    match k {
                        0 => worked(piece),
                        1 => self.level.push((age, piece)),
                        _ => {
                            let slot = self.slot_of(day, age);
                            self.slots[slot].push(piece);
                        }
                    }
                }
            }
        }
        (self.sizes, self.picked) = (rest, picked);
        if left > 0.0 {
            self.work_level(left, rng, worked);
        }
        self.put_back(day);
        buckets.clear();
        members.clear();
        self.buckets = buckets;
        self.members = members;
    }

    /// Takes every waiting group out of its slot into `members`, as (join
    /// age, group), ordered by score law; each bucket is a range of them.
    fn pool(&mut self, day: usize, buckets: &mut Vec<Bucket>, members: &mut Vec<(usize, Group)>) {
        members.clear();
        for age in 0..=self.oldest(day) {
            let slot = self.slot_of(day, age);
            members.extend(
                self.slots[slot]
                    .drain(..)
                    .filter(|g| g.count > 0.0 && g.lo < g.hi)
                    .map(|g| (age, g)),
            );
        }
        // One law, one range of the mixes: a u64 key sorts fastest.
        members.sort_unstable_by_key(|(_, g)| (u64::from(g.lo) << 32) | u64::from(g.hi));
        buckets.clear();
        let mut start = 0;
        while start < members.len() {
            let (lo, hi) = (members[start].1.lo, members[start].1.hi);
            let mut end = start;
            let mut count = 0.0;
            while end < members.len() && (members[end].1.lo, members[end].1.hi) == (lo, hi) {
                count += members[end].1.count;
                end += 1;
            }
            buckets.push(Bucket::new(lo, hi, count, start..end));
            start = end;
        }
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

/// The MQLs of the groups that share one score law (entries `lo..hi` of the
/// mixes), as the level walk of `highest_score_first` splits them.
#[derive(Clone, Debug)]
struct Bucket {
    lo: u32,
    hi: u32,
    /// Its groups: a range of the pool's members.
    members: std::ops::Range<usize>,
    /// MQLs above the cut (worked): entries `lo..cut`.
    above: f64,
    /// The entry of the cut level, and the MQLs at it (`at_cut` > 0 only for
    /// buckets with MQLs at the cut level).
    cut: u32,
    at_cut: f64,
    /// The next entry to split; entries `next..end` hold `window` MQLs (a
    /// run drawn whole, then split level by level), `end..hi` hold `below`.
    next: u32,
    end: u32,
    window: f64,
    below: f64,
}

impl Bucket {
    fn new(lo: u32, hi: u32, count: f64, members: std::ops::Range<usize>) -> Bucket {
        Bucket {
            lo,
            hi,
            members,
            above: 0.0,
            cut: lo,
            at_cut: 0.0,
            next: lo,
            end: lo,
            window: 0.0,
            below: count,
        }
    }

    /// Whether its window holds MQLs.
    fn holds_window(&self) -> bool {
        self.window > 0.0 && self.end > self.next
    }

    /// Whether MQLs remain to split.
    fn active(&self) -> bool {
        self.next < self.hi && (self.window > 0.0 || self.below > 0.0)
    }

    /// Splits off the MQLs of entries `next..to` from those not yet split:
    /// from the window when it is open (`to` within it), else from `below`.
    fn split_off<S: Sampler>(&mut self, to: u32, mixes: &Mixes, rng: &mut S) -> f64 {
        let (next, to_i) = (self.next as usize, to as usize);
        let n = if self.end > self.next {
            let whole = mixes.weight(next, self.end as usize);
            let x = share_of(self.window, mixes.weight(next, to_i), whole, rng);
            self.window -= x;
            x
        } else {
            let whole = mixes.weight(next, self.hi as usize);
            let x = share_of(self.below, mixes.weight(next, to_i), whole, rng);
            self.below -= x;
            x
        };
        self.next = to;
        self.end = self.end.max(to);
        n
    }
}

/// How many of `n` MQLs fall in a part of weight `part` of the `whole`: a
/// binomial, or all of them when the part is the whole.
fn share_of<S: Sampler>(n: f64, part: f64, whole: f64, rng: &mut S) -> f64 {
    if n <= 0.0 || part <= 0.0 {
        0.0
    } else if part >= whole {
        n
    } else {
        rng.binomial(n, (part / whole).min(1.0))
    }
}

/// The level walk of `highest_score_first`, from the highest score down.
///
/// The buckets at the top take their MQLs above every other bucket's top
/// in one draw each; if those do not fit, they become a window that is
/// bisected by score (the upper part taken if it fits, else kept as the
/// window and the lower part returned unsplit) down to the one level that
/// does not fit. Where the walk goes depends only on counts it takes or
/// stops at, never on counts it returns, so every part it leaves is a
/// count with an exchangeable law on its range. Records the cut level in
/// each bucket (`cut`, `at_cut`) and returns the capacity left for it.
fn walk_levels<S: Sampler>(
    buckets: &mut [Bucket],
    capacity: f64,
    mixes: &Mixes,
    rng: &mut S,
    scratch: &mut WalkScratch,
) -> f64 {
    let mut walk = Walk {
        buckets,
        mixes,
        rng,
        s: scratch,
        left: capacity,
    };
    walk.start();
    loop {
        if walk.s.window.is_empty() {
            if !walk.open_window() {
                // Everything taken (the caller's total was above capacity only by rounding).
                walk.buckets.iter_mut().for_each(|b| b.cut = b.hi);
                return 0.0;
            }
        } else if let Some(left) = walk.bisect() {
            return left;
        }
    }
}

/// Reused buffers of the level walk: the buckets by next score, those in
/// the window, and each one's part above a bisection score.
#[derive(Clone, Debug, Default)]
struct WalkScratch {
    order: Vec<(f64, usize)>,
    window: Vec<usize>,
    parts: Vec<(u32, u32, f64)>,
}

/// The state of one day's level walk.
struct Walk<'w, S> {
    buckets: &'w mut [Bucket],
    mixes: &'w Mixes,
    rng: &'w mut S,
    s: &'w mut WalkScratch,
    /// Capacity not yet taken.
    left: f64,
}

impl<S: Sampler> Walk<'_, S> {
    fn top(&self, i: usize) -> f64 {
        self.mixes.score(self.buckets[i].next as usize)
    }

    /// Orders the buckets with MQLs by their next score, highest first.
    fn start(&mut self) {
        let mut order = std::mem::take(&mut self.s.order);
        order.clear();
        let active = (0..self.buckets.len()).filter(|&i| self.buckets[i].active());
        order.extend(active.map(|i| (self.top(i), i)));
        order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        self.s.order = order;
        self.s.window.clear();
    }

    /// The buckets at the top draw their MQLs above the next bucket's top:
    /// taken if they fit, else the window. False when no bucket is left.
    fn open_window(&mut self) -> bool {
        let Some(&(highest, _)) = self.s.order.first() else {
            return false;
        };
        let order = &mut self.s.order;
        let ties = order.partition_point(|t| t.0 == highest);
        let second = order.get(ties).map_or(f64::NEG_INFINITY, |t| t.0);
        self.s.window.extend(order.drain(..ties).map(|(_, i)| i));
        let mut total = 0.0;
        for &i in &self.s.window {
            let b = &mut self.buckets[i];
            let run_end = self
                .mixes
                .score_end_above(b.next as usize, b.hi as usize, second);
            let start = b.next;
            let n = b.split_off(run_end as u32, self.mixes, self.rng);
            (b.next, b.end, b.window) = (start, run_end as u32, n);
            total += n;
        }
        if total <= self.left {
            self.left -= total;
            self.close_window();
        }
        true
    }

    /// The highest and lowest score the window's MQLs may have.
    fn window_span(&self) -> Option<(f64, f64)> {
        let open = self
            .s
            .window
            .iter()
            .map(|&i| &self.buckets[i])
            .filter(|b| b.holds_window());
        let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
        for b in open {
            hi = hi.max(self.mixes.score(b.next as usize));
            lo = lo.min(self.mixes.score(b.end as usize - 1));
        }
        (hi > f64::NEG_INFINITY).then_some((hi, lo))
    }

    /// One step inside the window: the cut when it spans one level (returns
    /// the capacity left there), else a halving by score.
    fn bisect(&mut self) -> Option<f64> {
        let Some((hi, lo)) = self.window_span() else {
            // Nothing in the window (its MQLs lay elsewhere).
            self.close_window();
            return None;
        };
        if hi == lo {
            self.cut_at(hi);
            return Some(self.left);
        }
        let mid = Some((hi + lo) / 2.0)
            .filter(|m| lo <= *m && *m < hi)
            .unwrap_or(lo);
        // The window's part above `mid`: taken if it fits, else the window.
        let mut upper = 0.0;
        self.s.parts.clear();
        for &i in &self.s.window {
            let b = &mut self.buckets[i];
            let start = b.next;
            let m = self
                .mixes
                .score_end_above(b.next as usize, b.end as usize, mid) as u32;
            let x = b.split_off(m, self.mixes, self.rng);
            self.s.parts.push((start, m, x));
            upper += x;
        }
        let fits = upper <= self.left;
        if fits {
            self.left -= upper;
        }
        for (&i, &(start, m, x)) in self.s.window.iter().zip(&self.s.parts) {
            let b = &mut self.buckets[i];
            if fits {
                b.above += x;
            } else {
                // The lower part goes back unsplit: nothing was decided on it.
                b.below += b.window;
                (b.next, b.end, b.window) = (start, m, x);
            }
        }
        None
    }

    /// Records the cut at `level`: each bucket's part above it is its
    /// entries scored above it (for a bucket that ran out early, not where
    /// it ran out, which would tell more than its count), and the window's
    /// MQLs are those at the level.
    fn cut_at(&mut self, level: f64) {
        for b in self.buckets.iter_mut() {
            b.cut = self
                .mixes
                .score_end_above(b.lo as usize, b.hi as usize, level) as u32;
        }
        for &i in &self.s.window {
            let b = &mut self.buckets[i];
            if b.holds_window() {
                (b.cut, b.at_cut) = (b.next, b.window);
                (b.next, b.window) = (b.end, 0.0);
            }
        }
    }

    /// Ends a window whose MQLs were all taken (or were none): its buckets
    /// go back to the walk at their next entry.
    fn close_window(&mut self) {
        let WalkScratch { order, window, .. } = &mut *self.s;
        for i in window.drain(..) {
            let b = &mut self.buckets[i];
            b.above += b.window;
            b.window = 0.0;
            b.next = b.end.max(b.next);
            if b.active() {
                let s = self.mixes.score(b.next as usize);
                let at = order.partition_point(|t| t.0 >= s);
                order.insert(at, (s, i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::random::Random;
    use rand::SeedableRng;

    /// One case: groups of (first entry of the law, join age, count) over a
    /// law of five scores, worked with `capacity`.
    struct Case {
        groups: Vec<(u32, usize, u32)>,
        capacity: f64,
    }

    /// The second day's capacity: the same MQLs, one day older, minus those worked.
    const SECOND_DAY: f64 = 2.0;

    /// The score law: these entries and weights; rates = score / 100.
    const WEIGHTS: [f64; 5] = [1.0, 2.0, 1.5, 0.5, 1.0];
    const SCORES: [f64; 5] = [90.0, 80.0, 70.0, 60.0, 50.0];

    fn mixes() -> (Mixes, u32) {
        let mut m = Mixes::new();
        let (lo, _) = m.add(SCORES.iter().copied().zip(WEIGHTS), |s| s / 100.0);
        (m, lo)
    }

    /// The per-lead reference: every MQL's score drawn on its own; the
    /// highest scores worked first, the oldest join first among equal
    /// scores, a uniform choice among the rest. Returns the exact expected
    /// (worked MQLs, sum of their rates, sum of rate × 0.5^age) by
    /// enumerating every score of every MQL.
    fn exact(case: &Case) -> [f64; 6] {
        let mqls: Vec<(u32, usize)> = case
            .groups
            .iter()
            .flat_map(|&(first, age, n)| std::iter::repeat_n((first, age), n as usize))
            .collect();
        let mut out = [0.0; 6];
        let combos = 5usize.pow(mqls.len() as u32);
        for code in 0..combos {
            let (mut c, mut p) = (code, 1.0);
            let mut drawn = Vec::new();
            for &(first, age) in &mqls {
                let e = (c % 5) as u32;
                c /= 5;
                if e < first {
                    p = 0.0;
                    break;
                }
                let w: f64 = WEIGHTS[first as usize..].iter().sum();
                p *= WEIGHTS[e as usize] / w;
                drawn.push((e, age));
            }
            if p == 0.0 {
                continue;
            }
            // Worked: by entry (highest score first), then oldest first; the
            // last key's ties share the capacity left equally (the mean of a
            // uniform choice; which of equal MQLs stay does not matter).
            drawn.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            for (day, capacity) in [(0, case.capacity), (1, SECOND_DAY)] {
                let mut left = capacity;
                let mut i = 0;
                let mut kept = Vec::new();
                while i < drawn.len() {
                    let j = (i..drawn.len())
                        .find(|&j| drawn[j] != drawn[i])
                        .unwrap_or(drawn.len());
                    let take = left.min((j - i) as f64);
                    let (e, age) = drawn[i];
                    let rate = SCORES[e as usize] / 100.0;
                    let f = &mut out[3 * day..3 * day + 3];
                    f[0] += p * take;
                    f[1] += p * take * rate;
                    f[2] += p * take * rate * 0.5f64.powi((age + day) as i32);
                    left -= take;
                    kept.extend(std::iter::repeat_n((e, age), (j - i) - take as usize));
                    i = j;
                }
                drawn = kept;
            }
        }
        out
    }

    /// The same figures from `runs` simulations of the queue, with their standard errors.
    fn simulated(case: &Case, runs: usize) -> ([f64; 6], [f64; 6]) {
        let (mixes, lo) = mixes();
        let hi = lo + 5;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut sum, mut sq) = ([0.0; 6], [0.0; 6]);
        let oldest = case.groups.iter().map(|g| g.1).max().unwrap_or(0);
        for _ in 0..runs {
            let mut q = Queue::new(QueueOrder::HighestScoreFirst, 5, 100);
            let mut r = Random(&mut rng);
            // Each age joins on its day; nothing is worked before the day studied.
            for day in 0..=oldest {
                let mut joiners: Vec<Group> = case
                    .groups
                    .iter()
                    .filter(|g| oldest - g.1 == day)
                    .map(|&(first, age, n)| Group {
                        source: age as u16,
                        lo: lo + first,
                        hi,
                        mql_day: day as u32,
                        recycled: false,
                        count: n as f64,
                    })
                    .collect();
                q.join(day, &mut joiners, |_| {});
            }
            let mut x = [0.0; 6];
            for (d, capacity) in [(0, case.capacity), (1, SECOND_DAY)] {
                let today = oldest + d;
                if d == 1 {
                    q.join(today, &mut Vec::new(), |_| {});
                }
                q.work(today, capacity, &mixes, &mut r, |g| {
                    let rate = mixes.rate(g.lo as usize, g.hi as usize);
                    let age = today - g.mql_day as usize;
                    x[3 * d] += g.count;
                    x[3 * d + 1] += g.count * rate;
                    x[3 * d + 2] += g.count * rate * 0.5f64.powi(age as i32);
                });
            }
            for k in 0..6 {
                sum[k] += x[k];
                sq[k] += x[k] * x[k];
            }
        }
        let n = runs as f64;
        let mean = sum.map(|s| s / n);
        let se = std::array::from_fn(|k| ((sq[k] / n - mean[k] * mean[k]).max(0.0) / n).sqrt());
        (mean, se)
    }

    /// The pooled level walk against the per-lead reference, exactly computed
    /// over two days (what it leaves must be as right as what it works), on
    /// cases that reach every path: a cut inside a run, capacity used up
    /// exactly at a level's end (the walk must go on: stopping there would
    /// tell which levels were empty), buckets that run out before the cut,
    /// laws that share scores, ties on score broken by join age.
    #[test]
    fn pooled_walk_matches_the_per_lead_reference() {
        let cases = [
            Case {
                groups: vec![(0, 0, 2)],
                capacity: 1.0,
            },
            Case {
                groups: vec![(0, 0, 3)],
                capacity: 2.0,
            },
            Case {
                groups: vec![(0, 0, 2), (0, 1, 2)],
                capacity: 1.0,
            },
            Case {
                groups: vec![(0, 0, 2), (1, 0, 2)],
                capacity: 3.0,
            },
            Case {
                groups: vec![(0, 2, 2), (1, 0, 2), (2, 1, 1)],
                capacity: 2.0,
            },
            Case {
                groups: vec![(0, 0, 1), (0, 3, 2), (1, 1, 2)],
                capacity: 3.0,
            },
            Case {
                groups: vec![(1, 0, 3), (0, 1, 2)],
                capacity: 4.0,
            },
            Case {
                groups: vec![(0, 0, 2), (0, 1, 2), (0, 2, 2)],
                capacity: 3.0,
            },
            Case {
                groups: vec![(0, 0, 3), (2, 1, 1), (0, 3, 2)],
                capacity: 2.0,
            },
            Case {
                groups: vec![(1, 0, 2), (1, 2, 2), (3, 1, 2)],
                capacity: 4.0,
            },
        ];
        for (i, case) in cases.iter().enumerate() {
            let want = exact(case);
            let (got, se) = simulated(case, 100_000);
            for k in 0..6 {
                assert!(
                    (got[k] - want[k]).abs() <= 4.0 * se[k] + 1e-9,
                    "case {i}, figure {k}: {} ± {} against exactly {}",
                    got[k],
                    se[k],
                    want[k]
                );
            }
        }
    }
}
