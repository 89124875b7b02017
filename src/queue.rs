//! The follow-up queue of model.md step 4: cohorts of MQLs kept in the order
//! the team works them, so a day's work takes from the front without sorting.

use std::cmp::Ordering;
use std::collections::VecDeque;

use crate::random::Sampler;
use crate::scenario::QueueOrder;

/// A group of interchangeable MQLs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cohort {
    pub source: u16,
    /// The score class: the exact score for `highest_score_first`, else the band's lower bound.
    pub score: f64,
    /// Day it (last) became an MQL.
    pub mql_day: u32,
    /// Expired under the SLA before: it is not counted again as an MQL or an SLA loss.
    pub recycled: bool,
    pub count: f64,
}

impl Cohort {
    /// Whether two cohorts hold interchangeable MQLs (everything but the count agrees).
    fn same_kind(&self, other: &Cohort) -> bool {
        self.source == other.source
            && self.score == other.score
            && self.mql_day == other.mql_day
            && self.recycled == other.recycled
    }
}

/// A cohort waiting in the queue since `join_day`.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    join_day: u32,
    cohort: Cohort,
}

/// MQLs waiting for the follow-up team, first-to-be-worked at the front.
#[derive(Clone, Debug)]
pub struct Queue {
    order: QueueOrder,
    items: VecDeque<Waiting>,
    /// Scratch space for the sizes of a tied group.
    sizes: Vec<f64>,
}

impl Queue {
    /// An empty queue worked in `order`.
    pub fn new(order: QueueOrder) -> Queue {
        Queue {
            order,
            items: VecDeque::new(),
            sizes: Vec::new(),
        }
    }

    /// `Less` when `a` is worked before `b`; `Equal` when they are tied (picked at random).
    fn priority(&self, a: &Waiting, b: &Waiting) -> Ordering {
        match self.order {
            QueueOrder::OldestFirst => a.join_day.cmp(&b.join_day),
            QueueOrder::NewestFirst => b.join_day.cmp(&a.join_day),
            QueueOrder::HighestScoreFirst => b
                .cohort
                .score
                .total_cmp(&a.cohort.score)
                .then(a.join_day.cmp(&b.join_day)),
        }
    }

    /// Adds today's joiners (draining `batch`).
    pub fn join(&mut self, day: usize, batch: &mut Vec<Cohort>) {
        for cohort in batch.drain(..) {
            let new = Waiting {
                join_day: day as u32,
                cohort,
            };
            match self.order {
                // Joiners are the newest: last for oldest-first, first for newest-first.
                QueueOrder::OldestFirst => self.items.push_back(new),
                QueueOrder::NewestFirst => self.items.push_front(new),
                QueueOrder::HighestScoreFirst => {
                    let at = self
                        .items
                        .partition_point(|x| self.priority(x, &new) != Ordering::Greater);
                    // An interchangeable cohort that joined today sits just before `at`.
                    if at > 0
                        && self.items[at - 1].join_day == new.join_day
                        && self.items[at - 1].cohort.same_kind(&cohort)
                    {
                        self.items[at - 1].cohort.count += cohort.count;
                    } else {
                        self.items.insert(at, new);
                    }
                }
            }
        }
    }

    /// Removes every cohort that has waited more than `sla_days` (today - join day > sla).
    pub fn expire(&mut self, day: usize, sla_days: u32, mut expired: impl FnMut(Cohort)) {
        let limit = day as i64 - sla_days as i64;
        // The oldest cohort sits at one end for the join-day orders: look only there.
        let expired_any = match self.order {
            QueueOrder::OldestFirst => self
                .items
                .front()
                .is_some_and(|w| (w.join_day as i64) < limit),
            QueueOrder::NewestFirst => self
                .items
                .back()
                .is_some_and(|w| (w.join_day as i64) < limit),
            QueueOrder::HighestScoreFirst => self.items.iter().any(|w| (w.join_day as i64) < limit),
        };
        if !expired_any {
            return;
        }
        self.items.retain(|w| {
            let keep = w.join_day as i64 >= limit;
            if !keep {
                expired(w.cohort);
            }
            keep
        });
    }

    /// Takes up to `capacity` MQLs in queue order; within a tied group that
    /// does not fit whole, a uniformly random subset is taken.
    pub fn work<S: Sampler>(&mut self, capacity: f64, rng: &mut S, mut worked: impl FnMut(Cohort)) {
        let mut left = capacity;
        while left > 0.0 && !self.items.is_empty() {
            let mut end = 1;
            while end < self.items.len()
                && self.priority(&self.items[0], &self.items[end]) == Ordering::Equal
            {
                end += 1;
            }
            let size: f64 = self.items.range(..end).map(|w| w.cohort.count).sum();
            if size <= left {
                for w in self.items.drain(..end) {
                    worked(w.cohort);
                }
                left -= size;
                continue;
            }
            self.sizes.clear();
            self.sizes
                .extend(self.items.range(..end).map(|w| w.cohort.count));
            let picks = rng.pick(&self.sizes, left);
            for (w, picked) in self.items.range_mut(..end).zip(picks) {
                if picked > 0.0 {
                    worked(Cohort {
                        count: picked,
                        ..w.cohort
                    });
                    w.cohort.count -= picked;
                }
            }
            self.items.retain(|w| w.cohort.count > 0.0);
            break;
        }
    }
}
