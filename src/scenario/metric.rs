//! The metrics of docs/model.md: names users write in `[targets]` and goals,
//! which team owns each, and which direction is better.

use std::fmt;

/// Who owns a metric as a KPI (the report groups metrics so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Marketing: leads, MQLs, MQL rate.
    Marketing,
    /// Follow-up: MQL → SQL, SQLs, response days, SLA losses.
    InsideSales,
    /// Field sales: SQL → opportunity, opportunities, win rate, won, open pipeline, new MRR.
    FieldSales,
    /// Shared: lead → opportunity, revenue, cost, CAC, LTV, LTV/CAC, payback.
    Shared,
}

impl Owner {
    /// All owners in report order.
    pub const ALL: [Owner; 4] = [
        Owner::Marketing,
        Owner::InsideSales,
        Owner::FieldSales,
        Owner::Shared,
    ];

    /// Heading in reports, when inside sales follows up.
    pub fn label(self) -> &'static str {
        self.label_for(&[crate::scenario::Team::InsideSales])
    }

    /// Heading in reports of setups whose follow-up is done by `teams`: the
    /// follow-up metrics belong to field sales where field sales follows up.
    pub fn label_for(self, teams: &[crate::scenario::Team]) -> &'static str {
        self.label_in(teams, crate::scenario::Language::English)
    }

    /// [`Owner::label_for`] in `language`.
    pub fn label_in(
        self,
        teams: &[crate::scenario::Team],
        language: crate::scenario::Language,
    ) -> &'static str {
        use crate::scenario::{Language, Team};
        if language == Language::Japanese {
            return match self {
                Owner::Marketing => "マーケティング",
                Owner::InsideSales if teams.iter().all(|&t| t == Team::FieldSales) => {
                    "フォローアップ（フィールドセールス）"
                }
                Owner::InsideSales if teams.iter().all(|&t| t == Team::InsideSales) => {
                    "インサイドセールス（フォローアップ）"
                }
                Owner::InsideSales => {
                    "フォローアップ（インサイドセールスまたはフィールドセールス）"
                }
                Owner::FieldSales => "フィールドセールス",
                Owner::Shared => "全体",
            };
        }
        match self {
            Owner::Marketing => "Marketing",
            Owner::InsideSales if teams.iter().all(|&t| t == Team::FieldSales) => {
                "Follow-up (field sales)"
            }
            Owner::InsideSales if teams.iter().all(|&t| t == Team::InsideSales) => {
                "Inside sales (follow-up)"
            }
            Owner::InsideSales => "Follow-up (inside sales or field sales)",
            Owner::FieldSales => "Field sales",
            Owner::Shared => "Shared",
        }
    }
}

/// What kind of number a metric is, for formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A number of leads or deals.
    Count,
    /// A share in [0, 1], shown as a percentage.
    Rate,
    /// A number of days.
    Days,
    /// Money in the scenario's currency.
    Money,
    /// A plain ratio (LTV/CAC).
    Ratio,
    /// A number of months.
    Months,
}

macro_rules! metrics {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $label:literal, $ja:literal, $owner:ident, $unit:ident, $lower:literal; )*) => {
        /// A metric of one run.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $( $(#[doc = $doc])* $variant ),* }

        impl Metric {
            /// Every metric, in report order (grouped by owner).
            pub const ALL: &'static [Metric] = &[ $( Metric::$variant ),* ];

            /// The name users write (`won`, `ltv_to_cac`).
            pub fn name(self) -> &'static str {
                match self { $( Metric::$variant => $name ),* }
            }

            /// A short English label for tables.
            pub fn label(self) -> &'static str {
                match self { $( Metric::$variant => $label ),* }
            }

            /// A short label for tables in `language`.
            pub fn label_in(self, language: crate::scenario::Language) -> &'static str {
                match language {
                    crate::scenario::Language::English => self.label(),
                    crate::scenario::Language::Japanese => match self { $( Metric::$variant => $ja ),* },
                }
            }

            /// The KPI owner.
            pub fn owner(self) -> Owner {
                match self { $( Metric::$variant => Owner::$owner ),* }
            }

            /// The unit, for formatting.
            pub fn unit(self) -> Unit {
                match self { $( Metric::$variant => Unit::$unit ),* }
            }

            /// Whether less is better (cost, CAC, payback, SLA losses, response days).
            pub fn lower_is_better(self) -> bool {
                match self { $( Metric::$variant => $lower ),* }
            }
        }
    };
}

metrics! {
    /// Leads created.
    Leads = "leads", "Leads", "リード数", Marketing, Count, false;
    /// Leads that became MQLs (each counted once).
    Mqls = "mqls", "MQLs", "MQL数", Marketing, Count, false;
    /// MQLs / leads, in [0, 1].
    MqlRate = "mql_rate", "MQL rate", "MQL化率", Marketing, Rate, false;
    /// SQLs / MQLs, in [0, 1].
    MqlToSql = "mql_to_sql", "MQL → SQL", "MQL→SQL率", InsideSales, Rate, false;
    /// MQLs that became SQLs.
    Sqls = "sqls", "SQLs", "SQL数", InsideSales, Count, false;
    /// Median days from MQL to follow-up, over the MQLs worked.
    ResponseDaysMedian = "response_days_median", "Response days (median)", "初回対応日数（中央値）", InsideSales, Days, true;
    /// Leads that expired from the queue (past the SLA) at least once.
    LostToSla = "lost_to_sla", "Lost to SLA", "SLA切れのMQL数", InsideSales, Count, true;
    /// Opportunities / SQLs, in [0, 1].
    SqlToOpportunity = "sql_to_opportunity", "SQL → opportunity", "SQL→商談化率", FieldSales, Rate, false;
    /// SQLs that became opportunities.
    Opportunities = "opportunities", "Opportunities", "商談数", FieldSales, Count, false;
    /// Won / (won + lost) opportunities, in [0, 1].
    WinRate = "win_rate", "Win rate", "受注率", FieldSales, Rate, false;
    /// Deals won.
    Won = "won", "Won deals", "受注数", FieldSales, Count, false;
    /// Opportunities still open after the last day.
    OpenPipeline = "open_pipeline", "Open pipeline", "進行中の商談数", FieldSales, Count, false;
    /// Sum of the MRR of won deals, money per month.
    NewMrr = "new_mrr", "New MRR", "新規MRR", FieldSales, Money, false;
    /// Opportunities / leads (商談化率), in [0, 1].
    LeadToOpportunity = "lead_to_opportunity", "Lead → opportunity", "リード→商談化率", Shared, Rate, false;
    /// Revenue earned within the horizon, money.
    Revenue = "revenue", "Revenue", "売上", Shared, Money, false;
    /// Total cost over the horizon, money.
    Cost = "cost", "Cost", "費用", Shared, Money, true;
    /// Cost per won deal, money.
    Cac = "cac", "CAC", "CAC", Shared, Money, true;
    /// Gross-margin lifetime value of an average won deal, money.
    Ltv = "ltv", "LTV", "LTV", Shared, Money, false;
    /// LTV / CAC (undefined when cost is 0).
    LtvToCac = "ltv_to_cac", "LTV/CAC", "LTV/CAC", Shared, Ratio, false;
    /// Months of an average deal's gross margin that pay back the CAC.
    PaybackMonths = "payback_months", "Payback (months)", "回収期間（月）", Shared, Months, true;
}

/// Number of metrics.
pub const METRIC_COUNT: usize = Metric::ALL.len();

/// The funnel's stages, in order: each a subset of the one before.
pub const FUNNEL_STAGES: [Metric; 5] = [
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
];

/// Metrics reported by lead source (money that is shared between sources is left out).
pub const SOURCE_METRICS: &[Metric] = &[
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
    Metric::OpenPipeline,
    Metric::MqlRate,
    Metric::MqlToSql,
    Metric::SqlToOpportunity,
    Metric::WinRate,
    Metric::LeadToOpportunity,
    Metric::ResponseDaysMedian,
    Metric::NewMrr,
    Metric::Revenue,
];

/// Metrics reported by month: the counts of events that happened that month, and revenue.
pub const MONTHLY_METRICS: &[Metric] = &[
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
    Metric::OpenPipeline,
    Metric::Revenue,
];

impl Metric {
    /// Position in [`Metric::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The metric with this name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// Whether the metric counts leads or deals (the precision stop watches these).
    pub fn is_count(self) -> bool {
        self.unit() == Unit::Count
    }
}

impl serde::Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The names of every metric, for "valid metrics are ..." hints.
pub fn metric_names() -> String {
    Metric::ALL
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A comparison in a goal or target: the metric must be `op` the value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Comparison {
    /// `>=`: at least the value.
    AtLeast,
    /// `<=`: at most the value.
    AtMost,
    /// `>`: strictly above the value.
    Above,
    /// `<`: strictly below the value.
    Below,
}

impl Comparison {
    /// Whether `x op value` holds.
    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Comparison::AtLeast => x >= value,
            Comparison::AtMost => x <= value,
            Comparison::Above => x > value,
            Comparison::Below => x < value,
        }
    }

    /// The operator as printed in reports and charts: ≥, ≤, >, <.
    pub fn math_symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::AtMost => "≤",
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }
}

impl serde::Serialize for Comparison {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

/// A goal on one metric: `won >= 30`. A run where the metric is undefined does not meet it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Goal {
    /// The metric the goal is on.
    pub metric: Metric,
    /// How the metric must compare with the value.
    pub comparison: Comparison,
    /// The value to compare with, in the metric's unit.
    pub value: f64,
}

impl Goal {
    /// A `[targets]` entry: at least the value, or at most where less is better.
    pub fn target(metric: Metric, value: f64) -> Goal {
        let comparison = if metric.lower_is_better() {
            Comparison::AtMost
        } else {
            Comparison::AtLeast
        };
        Goal {
            metric,
            comparison,
            value,
        }
    }

    /// Whether a run's value meets the goal.
    pub fn met_by(&self, x: f64) -> bool {
        !x.is_nan() && self.comparison.holds(x, self.value)
    }

    /// Parses `won >= 30`.
    pub fn parse(text: &str) -> Result<Goal, String> {
        let ops = [
            (">=", Comparison::AtLeast),
            ("<=", Comparison::AtMost),
            (">", Comparison::Above),
            ("<", Comparison::Below),
        ];
        let (pos, sym, comparison) = ops
            .iter()
            .filter_map(|(s, c)| text.find(s).map(|p| (p, *s, *c)))
            .min_by_key(|(p, s, _)| (*p, std::cmp::Reverse(s.len())))
            .ok_or_else(|| format!("`{text}` has no comparison: write e.g. \"won >= 30\""))?;
        let name = text[..pos].trim();
        let metric = Metric::from_name(name).ok_or_else(|| {
            format!(
                "unknown metric `{name}`; valid metrics are {}",
                metric_names()
            )
        })?;
        let value_text = text[pos + sym.len()..].trim();
        let value: f64 = value_text
            .replace('_', "")
            .parse()
            .map_err(|_| format!("`{value_text}` is not a number"))?;
        if !value.is_finite() {
            return Err(format!(
                "the goal value must be a finite number, found `{value_text}`"
            ));
        }
        Ok(Goal {
            metric,
            comparison,
            value,
        })
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric,
            self.comparison.symbol(),
            crate::scenario::dist::format_number(self.value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indices_match() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
    }

    #[test]
    fn goals_parse() {
        let g = Goal::parse("won >= 30").unwrap();
        assert_eq!(
            (g.metric, g.comparison, g.value),
            (Metric::Won, Comparison::AtLeast, 30.0)
        );
        let g = Goal::parse("cac<500000").unwrap();
        assert_eq!(g.comparison, Comparison::Below);
        assert!(
            Goal::parse("wins >= 3")
                .unwrap_err()
                .contains("unknown metric")
        );
        assert!(!g.met_by(f64::NAN));
    }
}
