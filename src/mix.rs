//! Score mixes: the law of the score of an MQL in a group, without drawing it.
//!
//! A group of MQLs whose scores were drawn independently from one law (the
//! MQLs of a source on arrival, the leads of a source that re-qualify after k
//! month starts of nurture, the recycled leads) keeps its scores as that law,
//! not as counts per score. A group worked whole becomes SQLs with the mixed
//! rate sum_s p(s) rate(s) (one binomial); only `highest_score_first`, where
//! capacity cuts by score, splits a group by score, and then only as far
//! down as the cut reaches (a binomial per score level split off).

/// The law of a group's score: scores in descending order with their weights.
/// A group holds a contiguous range `[lo, hi)` of the entries: the scores it
/// can still have after the higher ones were split off.
#[derive(Clone, Debug, Default)]
pub struct Mix {
    /// Distinct scores, highest first.
    scores: Vec<f64>,
    /// The chance of each score, up to a factor common to the mix.
    weights: Vec<f64>,
    /// The chance to qualify of each score (its `sql_rate_by_score` band).
    rates: Vec<f64>,
    /// The lower bound of the band of each score (minus infinity below every band).
    floors: Vec<f64>,
    /// `cum[j]`: the weight of entries `0..j`; `cum_rate[j]`: of weight × rate.
    cum: Vec<f64>,
    cum_rate: Vec<f64>,
}

impl Mix {
    /// A mix from (score, weight) pairs, highest score first; equal scores are
    /// merged. `band_of` gives a score's band (its lower bound) and rate.
    pub fn new(entries: &[(f64, f64)], band_of: impl Fn(f64) -> (f64, f64)) -> Mix {
        debug_assert!(
            entries.is_sorted_by(|a, b| a.0 >= b.0),
            "highest score first"
        );
        let n = entries.len();
        let mut mix = Mix {
            scores: Vec::with_capacity(n),
            weights: Vec::with_capacity(n),
            rates: Vec::with_capacity(n),
            floors: Vec::with_capacity(n),
            cum: Vec::with_capacity(n + 1),
            cum_rate: Vec::with_capacity(n + 1),
        };
        for &(score, w) in entries {
            if w <= 0.0 {
                continue;
            }
            if mix.scores.last() == Some(&score) {
                *mix.weights.last_mut().expect("non-empty") += w;
                continue;
            }
            let (floor, rate) = band_of(score);
            mix.scores.push(score);
            mix.weights.push(w);
            mix.rates.push(rate);
            mix.floors.push(floor);
        }
        let (mut c, mut cr) = (0.0, 0.0);
        mix.cum.push(0.0);
        mix.cum_rate.push(0.0);
        for (w, r) in mix.weights.iter().zip(&mix.rates) {
            c += w;
            cr += w * r;
            mix.cum.push(c);
            mix.cum_rate.push(cr);
        }
        mix
    }

    /// A mix of one entry: `weight` in all, qualifying with the mixed `rate`.
    /// Enough for queue orders that never split a group by score.
    pub fn single(score: f64, weight: f64, rate: f64) -> Mix {
        Mix {
            scores: vec![score],
            weights: vec![weight],
            rates: vec![rate],
            floors: vec![f64::NEG_INFINITY],
            cum: vec![0.0, weight],
            cum_rate: vec![0.0, weight * rate],
        }
    }

    /// Number of distinct scores.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether the mix has no score of positive chance.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Total weight of the mix.
    pub fn total(&self) -> f64 {
        self.cum[self.scores.len()]
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

    /// The lower bound of the band of entry `j`.
    pub fn floor(&self, j: usize) -> f64 {
        self.floors[j]
    }

    /// The end of the run of entries from `lo` (below `hi`) with a score > `score`.
    pub fn score_end_above(&self, lo: usize, hi: usize, score: f64) -> usize {
        (lo..hi).find(|&j| self.scores[j] <= score).unwrap_or(hi)
    }

    /// The end of the run of entries from `lo` (below `hi`) with a score >= `score`.
    pub fn score_end(&self, lo: usize, hi: usize, score: f64) -> usize {
        (lo..hi).find(|&j| self.scores[j] < score).unwrap_or(hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band_of(s: f64) -> (f64, f64) {
        if s >= 50.0 { (50.0, 0.5) } else { (0.0, 0.1) }
    }

    #[test]
    fn merges_equal_scores_and_sorts_descending() {
        let m = Mix::new(
            &[(70.0, 0.0), (60.0, 2.0), (40.0, 1.0), (40.0, 1.0)],
            band_of,
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m.score(0), 60.0);
        assert_eq!(m.weight(1, 2), 2.0);
        assert!((m.rate(0, 2) - (2.0 * 0.5 + 2.0 * 0.1) / 4.0).abs() < 1e-15);
        assert_eq!(m.floor(0), 50.0);
        assert_eq!(m.score_end(0, 2, 50.0), 1);
    }
}
