//! Field sales after the SQL (docs/model.md step 6): when an opportunity opens and
//! when it closes, as the two laws the engine splits counts over.
//!
//! Sales has no capacity, so every opportunity is independent and only the
//! month it opens and the month it closes (or that it is still open at the
//! end) matter to the metrics. An SQL's opportunity opens after the rounded
//! lag (one table for every SQL day); from each open day, the rounded cycle
//! gives the law of its close month (one small table per open day, computed
//! once per setup from the cycle's CDF).
//!
//! Most setups also get, per SQL day, the joint law of (open month, close
//! month or still open) of an opportunity made from an SQL that day: the
//! lag and cycle laws composed, so that one draw (or one chain of binomials
//! over a few dozen outcomes) places an opportunity. It is the same law as
//! the two steps, computed once; it is skipped where building it would cost
//! more than it saves (long lags over long horizons), and the engine then
//! splits in two steps.

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
    /// By SQL day, when built: the joint law of what becomes of its opportunity.
    by_sql_day: Option<Vec<SqlDayLaw>>,
}

/// What becomes of an opportunity made from an SQL of one day.
#[derive(Clone, Debug)]
pub struct SqlDayLaw {
    /// The chance of each outcome; the mass beyond is "opens after the horizon".
    pub law: Categorical,
    /// Each outcome: (open month, close month or `None` for still open at the end).
    pub outcomes: Vec<(u32, Option<u32>)>,
}

/// The most (SQL day, lag, close month) combinations the joint tables may take to build.
const JOINT_BUILD_LIMIT: usize = 20_000_000;

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
        let close_by_open_day: Vec<Categorical> = (0..days)
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
        let lag = Categorical::new(lag.to_vec());
        let support = lag.pmf().iter().filter(|&&p| p > 0.0).count();
        let by_sql_day = (days * support * (cal.months() + 1) <= JOINT_BUILD_LIMIT).then(|| {
            (0..days)
                .map(|day| joint_law(cal, &lag, &close_by_open_day, day))
                .collect()
        });
        SalesTables {
            lag,
            close_by_open_day,
            by_sql_day,
        }
    }

    /// The joint law of an opportunity made from an SQL on `day`, when built.
    pub fn by_sql_day(&self, day: usize) -> Option<&SqlDayLaw> {
        self.by_sql_day.as_ref().map(|laws| &laws[day])
    }

    /// The law of the close month of an opportunity opened on `day`: value k
    /// is `k` months after the month it opened; beyond is still open.
    pub fn close(&self, open_day: usize) -> &Categorical {
        &self.close_by_open_day[open_day]
    }
}

/// The lag, then the close month from the open day, as one law over outcomes.
fn joint_law(cal: &Calendar, lag: &Categorical, close: &[Categorical], day: usize) -> SqlDayLaw {
    let (first, months) = (cal.month_of(day), cal.months());
    // Dense by (open month - first, close month or `months` for still open).
    let width = months + 1;
    let mut dense = vec![0.0; (months - first) * width];
    for (l, &p) in lag.pmf().iter().enumerate() {
        let open = day + l;
        if p <= 0.0 || open >= cal.days() {
            continue;
        }
        let month = cal.month_of(open);
        let row = &mut dense[(month - first) * width..(month - first + 1) * width];
        let mut inside = 0.0;
        for (k, &q) in close[open].pmf().iter().enumerate() {
            row[month + k] += p * q;
            inside += q;
        }
        if inside < 1.0 {
            row[months] += p * (1.0 - inside);
        }
    }
    let mut outcomes = Vec::new();
    let mut pmf = Vec::new();
    for (i, &p) in dense.iter().enumerate() {
        if p > 0.0 {
            let (opened, closes) = (first + i / width, i % width);
            outcomes.push((opened as u32, (closes < months).then_some(closes as u32)));
            pmf.push(p);
        }
    }
    SqlDayLaw {
        law: Categorical::new(pmf),
        outcomes,
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

    /// The joint law is the two steps composed: a lag of 1 or 2 days from day 28
    /// (Jan 29) opens on Jan 30 or 31, closing then, a day later (Jan or Feb)
    /// or two days later.
    #[test]
    fn the_joint_law_composes_lag_and_close_month() {
        let cal = Calendar::new(
            Some(YearMonth {
                year: 2027,
                month: 1,
            }),
            2,
        );
        let t = SalesTables::new(&cal, &[0.0, 0.5, 0.5], &[0.25, 0.25, 0.5]);
        let joint = t.by_sql_day(28).expect("small tables are built");
        let p = |o: (u32, Option<u32>)| {
            joint
                .outcomes
                .iter()
                .position(|x| *x == o)
                .map_or(0.0, |i| joint.law.pmf()[i])
        };
        // Opened Jan 30 (day 29): Jan with 0.5, Feb with 0.5. Opened Jan 31: Jan 0.25, Feb 0.75.
        assert!((p((0, Some(0))) - 0.5 * 0.5 - 0.5 * 0.25).abs() < 1e-12);
        assert!((p((0, Some(1))) - 0.5 * 0.5 - 0.5 * 0.75).abs() < 1e-12);
        assert_eq!(joint.outcomes.len(), 2);
        // Long lags over long horizons split in two steps instead.
        let long = Calendar::new(None, 36);
        let lag = vec![1.0 / long.days() as f64; long.days()];
        assert!(
            SalesTables::new(&long, &lag, &[1.0])
                .by_sql_day(0)
                .is_none()
        );
        // From the last day nothing opens within the horizon.
        assert!(t.by_sql_day(58).unwrap().law.pmf().iter().sum::<f64>() < 1e-12);
    }
}
