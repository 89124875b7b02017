//! Field sales after the SQL (docs/model.md step 6): when an opportunity opens and
//! when it closes, as the two laws the engine splits counts over.
//!
//! Sales has no capacity, so every opportunity is independent and only the
//! month it opens and the month it closes (or that it is still open at the
//! end) matter to the metrics. An SQL's opportunity opens after the rounded
//! lag (one table for every SQL day); from each open day, the rounded cycle
//! gives the law of its close month (one small table per open day, computed
//! once per setup from the cycle's CDF).

use crate::sim::calendar::Calendar;
use crate::sim::random::Categorical;

/// The laws of field sales for one setup.
#[derive(Clone, Debug)]
pub struct SalesTables {
    /// Days from SQL to opportunity.
    pub lag: Categorical,
    /// By open day: the close month of an opportunity opened then (index k is
    /// month `open month + k`); the mass beyond is "still open at the end".
    close_by_open_day: Vec<Categorical>,
}

impl SalesTables {
    /// The tables from the rounded lag and cycle laws (chances of 0, 1, ... days).
    pub fn new(cal: &Calendar, lag: &[f64], cycle: &[f64]) -> SalesTables {
        let days = cal.days();
        // P(cycle <= x) for x in 0..days.
        let mut cycle_cdf = Vec::with_capacity(days);
        let mut acc = 0.0;
        for x in 0..days {
            acc += cycle.get(x).copied().unwrap_or(0.0);
            cycle_cdf.push(acc);
        }
        let cdf = |x: isize| -> f64 {
            if x < 0 {
                0.0
            } else {
                cycle_cdf[(x as usize).min(days - 1)]
            }
        };
        let close_by_open_day = (0..days)
            .map(|open| {
                let first_month = cal.month_of(open);
                let pmf = (first_month..cal.months())
                    .map(|m| {
                        let first = cal.first_day(m) as isize - open as isize;
                        let last = first + cal.days_in(m) as isize - 1;
                        (cdf(last) - cdf(first - 1)).max(0.0)
                    })
                    .collect();
                Categorical::new(pmf)
            })
            .collect();
        SalesTables {
            lag: Categorical::new(lag.to_vec()),
            close_by_open_day,
        }
    }

    /// The law of the close month of an opportunity opened on `day`: value k
    /// is `k` months after the month it opened; beyond is still open.
    pub fn close(&self, open_day: usize) -> &Categorical {
        &self.close_by_open_day[open_day]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::YearMonth;

    #[test]
    fn close_months_follow_the_cycle_from_the_open_day() {
        // Two months from January: 31 + 28 days.
        let cal = Calendar::new(
            Some(YearMonth {
                year: 2027,
                month: 1,
            }),
            2,
        );
        let cycle = [0.25, 0.25, 0.5]; // 0, 1 or 2 days
        let t = SalesTables::new(&cal, &[1.0], &cycle);
        // Opened on day 29 (Jan 30): closes day 29 or 30 (Jan), or 31 (Feb).
        let pmf = t.close(29).pmf();
        assert!((pmf[0] - 0.5).abs() < 1e-12 && (pmf[1] - 0.5).abs() < 1e-12);
        // Opened on the last day (58): closes then with 0.25, else still open.
        let pmf = t.close(58).pmf();
        assert_eq!(pmf.len(), 1);
        assert!((pmf[0] - 0.25).abs() < 1e-12);
    }
}
