//! The simulation calendar: whole days over whole calendar months.

use crate::scenario::YearMonth;

/// Days and months of a horizon, from the first day of the start month.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    start: YearMonth,
    labelled: bool,
    /// Day index of each month's first day, plus one past the last day.
    month_starts: Vec<u32>,
    /// Month index of each day.
    month_of_day: Vec<u16>,
}

impl Calendar {
    /// The calendar of `months` months from `start` (January 2027 when absent, labelled 1, 2, ...).
    pub fn new(start: Option<YearMonth>, months: u32) -> Calendar {
        let labelled = start.is_some();
        let start = start.unwrap_or(YearMonth {
            year: 2027,
            month: 1,
        });
        let mut month_starts = vec![0u32];
        let mut month_of_day = Vec::new();
        for m in 0..months {
            let days = days_in_month(calendar_month(start, m));
            month_of_day.extend(std::iter::repeat_n(m as u16, days as usize));
            month_starts.push(month_starts[m as usize] + days);
        }
        Calendar {
            start,
            labelled,
            month_starts,
            month_of_day,
        }
    }

    /// Number of months.
    pub fn months(&self) -> usize {
        self.month_starts.len() - 1
    }

    /// Number of days.
    pub fn days(&self) -> usize {
        self.month_of_day.len()
    }

    /// The month (0-based) that day `t` falls in.
    pub fn month_of(&self, day: usize) -> usize {
        self.month_of_day[day] as usize
    }

    /// First day of month `m`.
    pub fn first_day(&self, month: usize) -> usize {
        self.month_starts[month] as usize
    }

    /// Days in month `m`.
    pub fn days_in(&self, month: usize) -> usize {
        (self.month_starts[month + 1] - self.month_starts[month]) as usize
    }

    /// Calendar month (0 = January) of month `m`, for seasonality.
    pub fn calendar_month_index(&self, month: usize) -> usize {
        let ym = calendar_month(self.start, month as u32);
        (ym.month - 1) as usize
    }

    /// The label of month `m`: "2027-04" with a start, else "1", "2", ...
    pub fn label(&self, month: usize) -> String {
        if self.labelled {
            let ym = calendar_month(self.start, month as u32);
            format!("{:04}-{:02}", ym.year, ym.month)
        } else {
            (month + 1).to_string()
        }
    }
}

fn calendar_month(start: YearMonth, offset: u32) -> YearMonth {
    let index = (start.month - 1) + offset;
    YearMonth {
        year: start.year + (index / 12) as i32,
        month: index % 12 + 1,
    }
}

fn days_in_month(ym: YearMonth) -> u32 {
    match ym.month {
        2 if is_leap(ym.year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_months_of_2027_have_365_days_and_2028_is_leap() {
        let c = Calendar::new(None, 12);
        assert_eq!(c.days(), 365);
        assert_eq!(c.month_of(31), 1);
        assert_eq!(c.label(0), "1");
        let c = Calendar::new(
            Some(YearMonth {
                year: 2027,
                month: 11,
            }),
            4,
        );
        assert_eq!(c.days_in(3), 29);
        assert_eq!(c.label(2), "2028-01");
        assert_eq!(c.calendar_month_index(2), 0);
    }
}
