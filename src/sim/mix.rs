//! Score mixes: the law of the score of an MQL in a group, without drawing it.
//!
//! A group of MQLs whose scores were drawn independently from one law (the
//! MQLs of a source on arrival, the leads of a source that re-qualify after k
//! month starts of nurture, the recycled leads) keeps its scores as that law,
//! not as counts per score. A group worked whole becomes SQLs with the mixed
//! rate sum_s p(s) rate(s) (one binomial); only `highest_score_first`, where
//! capacity cuts by score, splits a group by score, and then only as far
//! down as the cut reaches (a binomial per piece split off).
//!
//! Every law of a run lives in one arena ([`Mixes`]): a law is a contiguous
//! range of entries, highest score first, and a group holds the sub-range of
//! scores it can still have after higher ones were split off.

/// The score laws of one run, as ranges of one table of entries.
#[derive(Clone, Debug, Default)]
pub struct Mixes {
    /// Scores, highest first within each law.
    scores: Vec<f64>,
    /// `cum[j]`: the weight of entries `0..j`; `cum_rate[j]`: of weight × rate.
    cum: Vec<f64>,
    cum_rate: Vec<f64>,
}

impl Mixes {
    /// An empty arena.
    pub fn new() -> Mixes {
        Mixes {
            cum: vec![0.0],
            cum_rate: vec![0.0],
            ..Mixes::default()
        }
    }

    /// Adds a law from (score, weight) pairs, highest score first (equal scores
    /// are merged); `rate_of` gives a score's chance to qualify.
    /// Returns its range of entries.
    pub fn add(
        &mut self,
        entries: impl IntoIterator<Item = (f64, f64)>,
        rate_of: impl Fn(f64) -> f64,
    ) -> (u32, u32) {
        let start = self.scores.len();
        let (mut c, mut cr) = (self.total_before(start), self.cum_rate[start]);
        for (score, w) in entries {
            if w <= 0.0 {
                continue;
            }
            let rate = rate_of(score);
            c += w;
            cr += w * rate;
            if self.scores.len() > start && self.scores.last() == Some(&score) {
                *self.cum.last_mut().expect("non-empty") = c;
                *self.cum_rate.last_mut().expect("non-empty") = cr;
                continue;
            }
            debug_assert!(self.scores.len() == start || self.scores.last() > Some(&score));
            self.scores.push(score);
            self.cum.push(c);
            self.cum_rate.push(cr);
        }
        (start as u32, self.scores.len() as u32)
    }

    /// Adds a law of one entry: `weight` in all, qualifying with the mixed `rate`.
    /// Enough for queue orders that never split a group by score.
    pub fn add_single(&mut self, score: f64, weight: f64, rate: f64) -> (u32, u32) {
        self.add([(score, weight)], |_| rate)
    }

    fn total_before(&self, j: usize) -> f64 {
        self.cum[j]
    }

    /// The score of entry `j`.
    pub fn score(&self, j: usize) -> f64 {
        self.scores[j]
    }

    /// The weight of entries `lo..hi`.
    pub fn weight(&self, lo: usize, hi: usize) -> f64 {
        self.cum[hi] - self.cum[lo]
    }

    /// The chance that an MQL with a score in entries `lo..hi` qualifies (before decay).
    pub fn rate(&self, lo: usize, hi: usize) -> f64 {
        let w = self.weight(lo, hi);
        if w <= 0.0 {
            return 0.0;
        }
        ((self.cum_rate[hi] - self.cum_rate[lo]) / w).clamp(0.0, 1.0)
    }

    /// The end of the entries from `lo` (below `hi`) with a score > `score`.
    pub fn score_end_above(&self, lo: usize, hi: usize, score: f64) -> usize {
        lo + self.scores[lo..hi].partition_point(|&s| s > score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band_of(s: f64) -> f64 {
        if s >= 50.0 { 0.5 } else { 0.1 }
    }

    #[test]
    fn laws_are_ranges_with_merged_scores_and_mixed_rates() {
        let mut m = Mixes::new();
        let a = m.add([(90.0, 1.0)], band_of);
        let (lo, hi) = m.add(
            [(70.0, 0.0), (60.0, 2.0), (40.0, 1.0), (40.0, 1.0)],
            band_of,
        );
        assert_eq!(a, (0, 1));
        assert_eq!((lo, hi), (1, 3));
        let (lo, hi) = (lo as usize, hi as usize);
        assert_eq!(m.score(lo), 60.0);
        assert_eq!(m.weight(lo + 1, hi), 2.0);
        assert!((m.rate(lo, hi) - (2.0 * 0.5 + 2.0 * 0.1) / 4.0).abs() < 1e-15);
        assert_eq!(m.score_end_above(lo, hi, 60.0), lo);
        let (s, _) = m.add_single(10.0, 3.0, 0.25);
        assert!((m.rate(s as usize, s as usize + 1) - 0.25).abs() < 1e-15);
    }
}
