//! Field sales after the SQL (model.md steps 6 and 7's inputs): what becomes
//! of an opportunity, by the day its SQL was made.
//!
//! Sales has no capacity, so every opportunity is independent: only the month
//! it opens and the month it closes (or that it is still open at the end)
//! matter to the metrics. For each SQL day the joint law of (open month,
//! close month) over the rounded lag and cycle is one table, computed once
//! per setup, and the opportunities of a (source, SQL day) are split over it
//! with one multinomial: no draw per opportunity.

use crate::calendar::Calendar;
use crate::random::Categorical;

/// Where an opportunity ends up within the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Month it opens.
    pub opens: u16,
    /// Month it closes, or `None` when it is still open at the end.
    pub closes: Option<u16>,
}

/// Per SQL day, the law of an opportunity's outcome; the rest of the mass
/// ("beyond" the table) opens after the last day.
#[derive(Clone, Debug)]
pub struct SalesTables {
    by_sql_day: Vec<(Vec<Outcome>, Categorical)>,
}

impl SalesTables {
    /// The tables from the rounded lag and cycle laws (chances of 0, 1, ... days).
    pub fn new(cal: &Calendar, lag: &[f64], cycle: &[f64]) -> SalesTables {
        let days = cal.days();
        let months = cal.months();
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
        let mut chance = vec![0.0; months * (months + 1)];
        let mut used: Vec<usize> = Vec::new();
        let by_sql_day = (0..days)
            .map(|sql_day| {
                for (l, &p) in lag.iter().enumerate() {
                    let open = sql_day + l;
                    if p <= 0.0 || open >= days {
                        continue;
                    }
                    let m_open = cal.month_of(open);
                    let row = m_open * (months + 1);
                    let mut add = |cell: usize, q: f64| {
                        if q > 0.0 {
                            if chance[cell] == 0.0 {
                                used.push(cell);
                            }
                            chance[cell] += q;
                        }
                    };
                    for m in m_open..months {
                        let first = cal.first_day(m) as isize - open as isize;
                        let last = (cal.first_day(m) + cal.days_in(m)) as isize - 1 - open as isize;
                        add(row + m, p * (cdf(last) - cdf(first - 1)));
                    }
                    add(row + months, p * (1.0 - cdf((days - 1 - open) as isize)));
                }
                used.sort_unstable();
                let outcomes: Vec<Outcome> = used
                    .iter()
                    .map(|&cell| Outcome {
                        opens: (cell / (months + 1)) as u16,
                        closes: Some(cell % (months + 1))
                            .filter(|&m| m < months)
                            .map(|m| m as u16),
                    })
                    .collect();
                let pmf: Vec<f64> = used.iter().map(|&cell| chance[cell]).collect();
                for &cell in &used {
                    chance[cell] = 0.0;
                }
                used.clear();
                (outcomes, Categorical::new(pmf))
            })
            .collect();
        SalesTables { by_sql_day }
    }

    /// The outcomes and their law for an opportunity whose SQL was made on `day`.
    pub fn on(&self, day: usize) -> &(Vec<Outcome>, Categorical) {
        &self.by_sql_day[day]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::YearMonth;

    #[test]
    fn outcomes_sum_to_the_chance_of_opening_within_the_horizon() {
        // Two months from January: 31 + 28 days.
        let cal = Calendar::new(
            Some(YearMonth {
                year: 2027,
                month: 1,
            }),
            2,
        );
        let lag = [0.5, 0.0, 0.5]; // 0 or 2 days
        let cycle = [0.25, 0.25, 0.5]; // 0, 1 or 2 days
        let t = SalesTables::new(&cal, &lag, &cycle);
        // An SQL on day 29: opens day 29 (Jan) or 31 (Feb).
        let (outcomes, law) = t.on(29);
        let chance = |opens, closes| {
            outcomes
                .iter()
                .zip(law.pmf())
                .find(|(o, _)| o.opens == opens && o.closes == closes)
                .map_or(0.0, |(_, p)| *p)
        };
        // Opens day 29: closes day 29 or 30 (Jan, 0.5) or 31 (Feb, 0.5).
        assert!((chance(0, Some(0)) - 0.25).abs() < 1e-12);
        assert!((chance(0, Some(1)) - 0.25).abs() < 1e-12);
        assert!((chance(1, Some(1)) - 0.5).abs() < 1e-12);
        // The last day (58): opens then with chance 0.5, closes that day with 0.25.
        let (outcomes, law) = t.on(58);
        let total: f64 = law.pmf().iter().sum();
        assert!((total - 0.5).abs() < 1e-12);
        let still_open: f64 = outcomes
            .iter()
            .zip(law.pmf())
            .filter(|(o, _)| o.closes.is_none())
            .map(|(_, p)| p)
            .sum();
        assert!((still_open - 0.5 * 0.75).abs() < 1e-12);
    }
}
