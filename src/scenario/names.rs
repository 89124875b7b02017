//! What charts call a parameter: one table of human names, in English and
//! Japanese, for every parameter path a sweep, goal search or sensitivity
//! study can vary. Tables and CSV files keep the path, which is what a user
//! types; titles and axes use these names.

use crate::scenario::doc::{Node, Value};
use crate::scenario::{Language, Scenario, text_at};

/// (key under its table, English, Japanese) of every parameter outside `[[source]]`.
const NAMES: &[(&str, &str, &str)] = &[
    ("scenario.horizon_months", "Horizon (months)", "期間（月）"),
    ("marketing.automation", "Marketing automation", "MAの導入"),
    (
        "marketing.mql_threshold",
        "MQL score threshold",
        "MQLのスコア基準",
    ),
    (
        "marketing.handoff_delay_days",
        "Handoff delay (days)",
        "引き渡しまでの日数",
    ),
    (
        "marketing.license_per_month",
        "MA licence per month",
        "MAライセンス費（月額）",
    ),
    (
        "marketing.nurture.monthly_score_gain",
        "Nurture score gain per month",
        "育成による月間スコア上昇",
    ),
    (
        "marketing.nurture.monthly_unsubscribe",
        "Nurture unsubscribes per month",
        "育成メールの月間配信停止率",
    ),
    (
        "marketing.nurture.max_months",
        "Longest nurture (months)",
        "育成の最長期間（月）",
    ),
    (
        "marketing.nurture.recycle_penalty",
        "Score penalty on recycling",
        "差し戻し時のスコア減点",
    ),
    ("follow_up.team", "Follow-up team", "フォローアップの担当"),
    ("follow_up.queue_order", "Queue order", "対応の順序"),
    ("follow_up.sla_days", "SLA (days)", "SLA（日）"),
    (
        "follow_up.response_half_life_days",
        "Response half-life (days)",
        "反応の半減期（日）",
    ),
    (
        "follow_up.sql_rate_by_score",
        "SQL rate by score",
        "スコア別SQL化率",
    ),
    (
        "inside_sales.reps",
        "Inside-sales reps",
        "インサイドセールスの人数",
    ),
    (
        "inside_sales.mqls_per_rep_per_day",
        "MQLs an inside-sales rep works a day",
        "インサイドセールス1人1日の対応MQL数",
    ),
    (
        "inside_sales.cost_per_rep_per_month",
        "Inside-sales cost per rep per month",
        "インサイドセールス1人の月額費用",
    ),
    ("sales.reps", "Field-sales reps", "フィールドセールスの人数"),
    (
        "sales.inbound_mqls_per_rep_per_day",
        "MQLs a field-sales rep works a day",
        "フィールドセールス1人1日の対応MQL数",
    ),
    (
        "sales.cost_per_rep_per_month",
        "Field-sales cost per rep per month",
        "フィールドセールス1人の月額費用",
    ),
    (
        "sales.sql_to_opportunity",
        "SQL → opportunity rate",
        "SQL→商談化率",
    ),
    (
        "sales.opportunity_lag_days",
        "Days from SQL to opportunity",
        "SQLから商談までの日数",
    ),
    ("sales.win_rate", "Win rate", "受注率"),
    (
        "sales.sales_cycle_days",
        "Sales cycle (days)",
        "営業サイクル（日）",
    ),
    ("deal.monthly_revenue", "MRR per deal", "1件あたりのMRR"),
    ("deal.gross_margin", "Gross margin", "粗利率"),
    ("deal.monthly_churn", "Monthly churn", "月次解約率"),
    (
        "deal.max_lifetime_months",
        "Longest customer lifetime (months)",
        "最長契約期間（月）",
    ),
    (
        "costs.fixed_per_month",
        "Fixed cost per month",
        "固定費（月額）",
    ),
];

/// (key of a `[[source]]`, English, Japanese); `{source}` is the source's label.
const SOURCE_NAMES: &[(&str, &str, &str)] = &[
    (
        "leads_per_month",
        "Leads per month from {source}",
        "{source}の月間リード数",
    ),
    (
        "growth_per_month",
        "Monthly growth of {source}",
        "{source}の月次成長率",
    ),
    (
        "seasonality",
        "Seasonality of {source}",
        "{source}の季節変動",
    ),
    ("score", "Lead score of {source}", "{source}のリードスコア"),
    (
        "cost_per_lead",
        "Cost per lead of {source}",
        "{source}のリード単価",
    ),
    (
        "budget_per_month",
        "Budget per month of {source}",
        "{source}の月額予算",
    ),
    (
        "sql_to_opportunity",
        "SQL → opportunity rate of {source}",
        "{source}のSQL→商談化率",
    ),
    ("win_rate", "Win rate of {source}", "{source}の受注率"),
];

/// Human names of a scenario's parameters: the table above, with each
/// source's label in place of its name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParameterNames {
    /// (name, label) of every source.
    sources: Vec<(String, String)>,
    /// The two input paths of each `[[correlation]]`, by file position
    /// (`None` for one left out of the setup).
    correlations: Vec<Option<[String; 2]>>,
}

impl ParameterNames {
    /// The names of a checked scenario's parameters.
    pub fn of_scenario(s: &Scenario) -> ParameterNames {
        ParameterNames {
            sources: s
                .sources
                .iter()
                .map(|src| (src.name.clone(), src.label.clone()))
                .collect(),
            correlations: {
                let entries = &s.correlations.entries;
                let len = entries.iter().map(|c| c.entry + 1).max().unwrap_or(0);
                let mut by_entry = vec![None; len];
                for c in entries {
                    by_entry[c.entry] = Some(c.inputs.clone());
                }
                by_entry
            },
        }
    }

    /// The names of a scenario file's parameters (its sources as written).
    pub fn of_tree(tree: &Node) -> ParameterNames {
        let sources = match tree.get("source").map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|t| {
                    let name = text_at(t, "name")?;
                    let label = text_at(t, "label").unwrap_or_else(|| name.clone());
                    Some((name, label))
                })
                .collect(),
            _ => Vec::new(),
        };
        let correlations = match tree.get("correlation").map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|t| match &t.get("inputs")?.value {
                    Value::Array(pair) => match pair.as_slice() {
                        [a, b] => match (&a.value, &b.value) {
                            (Value::Str(a), Value::Str(b)) => Some([a.clone(), b.clone()]),
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                })
                .map(Some)
                .collect(),
            _ => Vec::new(),
        };
        ParameterNames {
            sources,
            correlations,
        }
    }

    /// Whether the parameter at `path` is an amount of money.
    pub fn is_money(path: &str) -> bool {
        const MONEY: [&str; 6] = [
            "license_per_month",
            "cost_per_rep_per_month",
            "monthly_revenue",
            "fixed_per_month",
            "cost_per_lead",
            "budget_per_month",
        ];
        path.rsplit('.')
            .next()
            .is_some_and(|key| MONEY.contains(&key))
    }

    /// What a chart calls the parameter at `path`: its human name, else the path.
    pub fn name(&self, path: &str, language: Language) -> String {
        let pick = |en: &str, ja: &str| match language {
            Language::English => en.to_string(),
            Language::Japanese => ja.to_string(),
        };
        if let Some(band) = path.strip_prefix("follow_up.sql_rate_by_score.") {
            return match language {
                Language::English => format!("SQL rate at scores from {band}"),
                Language::Japanese => format!("スコア{band}以上のSQL化率"),
            };
        }
        if let Some(&(_, en, ja)) = NAMES.iter().find(|(p, ..)| *p == path) {
            return pick(en, ja);
        }
        if let Some([a, b]) = path
            .strip_prefix("correlation.")
            .and_then(|rest| rest.strip_suffix(".rank"))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| self.correlations.get(i).and_then(Option::as_ref))
        {
            let (a, b) = (self.name(a, language), self.name(b, language));
            return match language {
                Language::English => format!("Rank correlation of {a} and {b}"),
                Language::Japanese => format!("{a}と{b}の順位相関"),
            };
        }
        if let Some((source, key)) = path
            .strip_prefix("source.")
            .and_then(|rest| rest.split_once('.'))
            && let Some(&(_, en, ja)) = SOURCE_NAMES.iter().find(|(k, ..)| *k == key)
        {
            let label = self
                .sources
                .iter()
                .find(|(name, _)| name == source)
                .map_or(source, |(_, label)| label.as_str());
            return pick(en, ja).replace("{source}", label);
        }
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::paths::SCHEMA;

    /// Every parameter key of the schema has a name in both languages.
    #[test]
    fn every_schema_parameter_has_a_human_name() {
        let names = ParameterNames {
            sources: vec![("web_ads".into(), "Web広告".into())],
            correlations: vec![Some([
                "source.web_ads.leads_per_month".into(),
                "sales.win_rate".into(),
            ])],
        };
        let skip = [
            "scenario.name",
            "scenario.label",
            "scenario.description",
            "scenario.start",
            "scenario.currency",
            "scenario.runs",
            "scenario.seed",
            "scenario.baseline",
            "marketing.nurture",
        ];
        for (table, keys) in SCHEMA {
            if ["", "targets", "chart", "variant"].contains(table) {
                continue;
            }
            for key in keys.iter().filter(|k| !["name", "label"].contains(k)) {
                let path = match *table {
                    "source" => format!("source.web_ads.{key}"),
                    "correlation" if *key == "inputs" => continue,
                    "correlation" => format!("correlation.0.{key}"),
                    t => format!("{t}.{key}"),
                };
                if skip.contains(&path.as_str()) {
                    continue;
                }
                for lang in [Language::English, Language::Japanese] {
                    let name = names.name(&path, lang);
                    assert_ne!(name, path, "{path} has no name in {lang:?}");
                    if *table == "source" {
                        assert!(name.contains("Web広告"), "{name}: the label, not the key");
                    }
                }
            }
        }
        assert_eq!(
            names.name("follow_up.sql_rate_by_score.85", Language::Japanese),
            "スコア85以上のSQL化率"
        );
        assert_eq!(
            names.name("correlation.0.rank", Language::Japanese),
            "Web広告の月間リード数と受注率の順位相関"
        );
        assert_eq!(
            names.name("no.such.path", Language::English),
            "no.such.path"
        );
    }
}
