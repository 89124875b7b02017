//! Summaries across runs: mean, sd, percentiles (PERCENTILE.INC), undefined counts.

use serde::Serialize;

/// The percentiles every summary reports.
pub const PERCENTILES: [f64; 5] = [0.05, 0.10, 0.50, 0.90, 0.95];

/// A metric across runs. Undefined values (NaN) are counted and left out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Runs where the value is defined.
    pub n: usize,
    /// Runs where the value is undefined (a ratio with a zero denominator).
    pub undefined: usize,
    /// The mean over the defined runs.
    pub mean: Option<f64>,
    /// The sample standard deviation (n - 1 denominator); none under two defined runs.
    pub sd: Option<f64>,
    /// The 5th percentile (PERCENTILE.INC).
    pub p5: Option<f64>,
    /// The 10th percentile (PERCENTILE.INC).
    pub p10: Option<f64>,
    /// The median: the 50th percentile (PERCENTILE.INC).
    pub p50: Option<f64>,
    /// The 90th percentile (PERCENTILE.INC).
    pub p90: Option<f64>,
    /// The 95th percentile (PERCENTILE.INC).
    pub p95: Option<f64>,
}

impl Summary {
    /// Summarises values; NaN marks an undefined value.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let mut undefined = 0;
        let mut xs: Vec<f64> = values
            .into_iter()
            .filter(|x| {
                let ok = !x.is_nan();
                undefined += usize::from(!ok);
                ok
            })
            .collect();
        xs.sort_by(f64::total_cmp);
        let n = xs.len();
        let mean = (n > 0).then(|| xs.iter().sum::<f64>() / n as f64);
        let sd = mean
            .filter(|_| n > 1)
            .map(|m| (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
        let [p5, p10, p50, p90, p95] = PERCENTILES.map(|p| percentile_sorted(&xs, p));
        Summary {
            n,
            undefined,
            mean,
            sd,
            p5,
            p10,
            p50,
            p90,
            p95,
        }
    }

    /// The 95% confidence half-width of the mean (1.96 standard errors).
    pub fn half_width_95(&self) -> Option<f64> {
        Some(1.959_964 * self.sd? / (self.n as f64).sqrt())
    }
}

/// PERCENTILE.INC on sorted values: linear interpolation between order statistics.
pub fn percentile_sorted(xs: &[f64], p: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let h = (xs.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    Some(xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo]))
}

/// Share of all runs for which `holds` is true (undefined values never hold).
pub fn share(values: impl IntoIterator<Item = f64>, holds: impl Fn(f64) -> bool) -> f64 {
    let (mut yes, mut n) = (0usize, 0usize);
    for x in values {
        n += 1;
        yes += usize::from(!x.is_nan() && holds(x));
    }
    if n == 0 { 0.0 } else { yes as f64 / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_inc_matches_spreadsheet() {
        // PERCENTILE.INC({1,2,3,4}, 0.1) = 1.3; median 2.5.
        let s = Summary::of([4.0, 1.0, 3.0, 2.0, f64::NAN]);
        assert_eq!(s.undefined, 1);
        assert!((s.p10.unwrap() - 1.3).abs() < 1e-12);
        assert!((s.p50.unwrap() - 2.5).abs() < 1e-12);
        assert!((s.sd.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let empty = Summary::of([f64::NAN]);
        assert_eq!((empty.n, empty.mean), (0, None));
    }
}
