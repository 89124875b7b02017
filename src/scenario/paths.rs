//! Parameter paths (`follow_up.sla_days`, `source.web_ads.leads_per_month`):
//! the scenario schema they are checked against, and setting a value by path.
//!
//! The same resolver serves `--set`, `[[variant]].set`, sweeps and goal seeking.

use crate::error::{InputError, InputResult, Origin};
use crate::scenario::doc::{self, Node, Value};
use crate::scenario::metric::{Metric, metric_names};

/// The keys each table of a scenario may hold. `source` and `variant` are arrays of tables.
pub const SCHEMA: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "extends",
            "scenario",
            "source",
            "marketing",
            "follow_up",
            "inside_sales",
            "sales",
            "deal",
            "costs",
            "targets",
            "chart",
            "variant",
            "correlation",
        ],
    ),
    (
        "scenario",
        &[
            "name",
            "label",
            "description",
            "horizon_months",
            "start",
            "currency",
            "runs",
            "seed",
            "baseline",
        ],
    ),
    (
        "source",
        &[
            "name",
            "label",
            "leads_per_month",
            "seasonality",
            "growth_per_month",
            "score",
            "cost_per_lead",
            "budget_per_month",
            "sql_to_opportunity",
            "win_rate",
        ],
    ),
    (
        "marketing",
        &[
            "automation",
            "mql_threshold",
            "handoff_delay_days",
            "license_per_month",
            "nurture",
        ],
    ),
    (
        "marketing.nurture",
        &[
            "monthly_score_gain",
            "monthly_unsubscribe",
            "max_months",
            "recycle_penalty",
        ],
    ),
    (
        "follow_up",
        &[
            "team",
            "queue_order",
            "sla_days",
            "response_half_life_days",
            "sql_rate_by_score",
        ],
    ),
    (
        "inside_sales",
        &["reps", "mqls_per_rep_per_day", "cost_per_rep_per_month"],
    ),
    (
        "sales",
        &[
            "reps",
            "inbound_mqls_per_rep_per_day",
            "cost_per_rep_per_month",
            "sql_to_opportunity",
            "opportunity_lag_days",
            "win_rate",
            "sales_cycle_days",
        ],
    ),
    (
        "deal",
        &[
            "monthly_revenue",
            "gross_margin",
            "monthly_churn",
            "max_lifetime_months",
        ],
    ),
    ("costs", &["fixed_per_month"]),
    (
        "chart",
        &["language", "font", "funnel_scale", "money_units"],
    ),
    ("variant", &["name", "label", "set"]),
    ("correlation", &["inputs", "rank"]),
];

/// The keys of a schema table (empty for `targets`, whose keys are metric names).
pub fn keys_of(table: &str) -> &'static [&'static str] {
    SCHEMA
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(&[], |(_, k)| k)
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// One step of a parameter path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    /// A `[[source]]` entry, by name.
    Source(String),
    /// An entry of an array of tables (`[[correlation]]`), by its 0-based position.
    Index(usize),
}

/// A checked parameter path.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamPath {
    text: String,
    steps: Vec<Step>,
}

impl ParamPath {
    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Parses and checks a path against the schema and the scenario's source names.
    pub fn parse(text: &str, root: &Node, origin: &Origin) -> InputResult<ParamPath> {
        let bad = |msg: String| {
            let mut e = InputError::new(msg).at(origin).key(text);
            if let Some(near) = suggest(text, all_paths(root).iter().map(String::as_str)) {
                e = e.hint(format!("did you mean `{near}`?"));
            } else {
                e = e.hint("paths look like `follow_up.sla_days` or `source.<name>.leads_per_month`; `funnelsim validate` lists the parameters");
            }
            e
        };
        let parts: Vec<&str> = text.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(bad(format!("`{text}` is not a parameter path")));
        }
        match parts.as_slice() {
            ["source", rest @ ..] => {
                // Source names may contain dots: the key is the last part.
                let (key, name_parts) = rest
                    .split_last()
                    .ok_or_else(|| bad("a source path needs a name and a key".into()))?;
                let name = name_parts.join(".");
                let names: Vec<&str> = sources(root).filter_map(|s| s.name()).collect();
                if !names.contains(&name.as_str()) {
                    let mut e = InputError::new(format!("there is no source named `{name}`"))
                        .at(origin)
                        .key(text);
                    e = e.hint(format!("the sources are: {}", names.join(", ")));
                    return Err(e);
                }
                if !keys_of("source").contains(key) || *key == "name" || *key == "label" {
                    return Err(bad(format!("sources have no parameter `{key}`")));
                }
                Ok(ParamPath {
                    text: text.to_string(),
                    steps: vec![
                        Step::Key("source".into()),
                        Step::Source(name),
                        Step::Key(key.to_string()),
                    ],
                })
            }
            ["correlation", index, key] => {
                let count = match root.get("correlation").map(|n| &n.value) {
                    Some(Value::Array(items)) => items.len(),
                    _ => 0,
                };
                let Some(i) = index.parse::<usize>().ok().filter(|&i| i < count) else {
                    return Err(InputError::new(format!(
                        "there is no [[correlation]] entry {index}"
                    ))
                    .at(origin)
                    .key(text)
                    .hint(match count {
                        0 => "the scenario has no [[correlation]]".to_string(),
                        n => format!("entries are numbered from 0 in file order: 0 to {}", n - 1),
                    }));
                };
                if !keys_of("correlation").contains(key) {
                    return Err(bad(format!("correlations have no key `{key}`")));
                }
                Ok(ParamPath {
                    text: text.to_string(),
                    steps: vec![
                        Step::Key("correlation".into()),
                        Step::Index(i),
                        Step::Key(key.to_string()),
                    ],
                })
            }
            ["targets", metric] => {
                if Metric::from_name(metric).is_none() {
                    return Err(InputError::new(format!("`{metric}` is not a metric"))
                        .at(origin)
                        .key(text)
                        .hint(format!("valid metrics are {}", metric_names())));
                }
                Ok(ParamPath {
                    text: text.to_string(),
                    steps: parts.iter().map(|p| Step::Key(p.to_string())).collect(),
                })
            }
            [table @ .., key] => {
                let table = table.join(".");
                let is_value = keys_of(&table).contains(key)
                    && !["", "variant", "correlation"].contains(&table.as_str())
                    && !SCHEMA.iter().any(|(t, _)| *t == format!("{table}.{key}"));
                if !is_value {
                    return Err(bad(format!("`{text}` is not a parameter")));
                }
                Ok(ParamPath {
                    text: text.to_string(),
                    steps: parts.iter().map(|p| Step::Key(p.to_string())).collect(),
                })
            }
            [] => Err(bad("empty parameter path".into())),
        }
    }

    /// The value at this path, if set.
    pub fn get<'a>(&self, root: &'a Node) -> Option<&'a Node> {
        let mut node = root;
        for step in &self.steps {
            node = match step {
                Step::Key(k) => node.get(k)?,
                Step::Source(name) => sources(node).find(|s| s.name() == Some(name))?,
                Step::Index(i) => match &node.value {
                    Value::Array(items) => items.get(*i)?,
                    _ => return None,
                },
            };
        }
        Some(node)
    }

    /// Sets the value at this path, creating missing tables.
    pub fn set(&self, root: &mut Node, value: Node) {
        let key_origin = value.origin.clone();
        set_steps(root, &self.steps, value, &key_origin);
    }
}

fn set_steps(node: &mut Node, steps: &[Step], value: Node, origin: &Origin) {
    match steps {
        [] => {}
        [Step::Key(k)] => {
            if let Some(table_name) = source_key_exclusive(k) {
                node.remove(table_name);
            }
            node.insert(k, origin.clone(), value);
        }
        [Step::Key(k), Step::Source(name), rest @ ..] => {
            if let Some(Node {
                value: Value::Array(items),
                ..
            }) = node.get_mut(k)
                && let Some(entry) = items.iter_mut().find(|s| s.name() == Some(name.as_str()))
            {
                set_steps(entry, rest, value, origin);
            }
        }
        [Step::Key(k), Step::Index(i), rest @ ..] => {
            if let Some(Node {
                value: Value::Array(items),
                ..
            }) = node.get_mut(k)
                && let Some(entry) = items.get_mut(*i)
            {
                set_steps(entry, rest, value, origin);
            }
        }
        [Step::Key(k), rest @ ..] => {
            if node
                .get(k)
                .is_none_or(|n| !matches!(n.value, Value::Table(_)))
            {
                node.insert(k, origin.clone(), Node::table(origin.clone()));
            }
            if let Some(child) = node.get_mut(k) {
                set_steps(child, rest, value, origin);
            }
        }
        [Step::Source(_) | Step::Index(_), ..] => {}
    }
}

/// Setting `cost_per_lead` removes `budget_per_month` and the other way round.
fn source_key_exclusive(key: &str) -> Option<&'static str> {
    doc::EXCLUSIVE_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, other)| *other)
}

/// The `[[source]]` entries of a scenario tree (or of a `source` array node).
pub fn sources(root: &Node) -> impl Iterator<Item = &Node> {
    let items: &[Node] = match &root.value {
        Value::Array(items) => items,
        _ => match root.get("source").map(|s| &s.value) {
            Some(Value::Array(items)) => items,
            _ => &[],
        },
    };
    items.iter()
}

/// Every parameter path of a scenario, for suggestions and for `validate`.
pub fn all_paths(root: &Node) -> Vec<String> {
    let mut paths = Vec::new();
    for (table, keys) in SCHEMA {
        if ["", "source", "variant", "correlation"].contains(table) {
            continue;
        }
        for key in *keys {
            if !SCHEMA.iter().any(|(t, _)| *t == format!("{table}.{key}")) {
                paths.push(format!("{table}.{key}"));
            }
        }
    }
    for source in sources(root) {
        if let Some(name) = source.name() {
            for key in keys_of("source")
                .iter()
                .filter(|k| !["name", "label"].contains(*k))
            {
                paths.push(format!("source.{name}.{key}"));
            }
        }
    }
    if let Some(Value::Array(items)) = root.get("correlation").map(|n| &n.value) {
        paths.extend((0..items.len()).map(|i| format!("correlation.{i}.rank")));
    }
    paths.extend(Metric::ALL.iter().map(|m| format!("targets.{}", m.name())));
    paths
}

/// Parses `PATH=VALUE` from the command line and applies it to a scenario tree.
pub fn apply_assignment(root: &mut Node, assignment: &str, flag: &str) -> InputResult<()> {
    let argument = format!("{flag} {assignment}");
    let (path, value) = assignment.split_once('=').ok_or_else(|| {
        InputError::new(format!("`{assignment}` is not PATH=VALUE"))
            .at(&Origin::Argument(argument.as_str().into()))
            .hint(
                "e.g. --set follow_up.sla_days=1 or --set 'sales.win_rate={ range = [0.2, 0.3] }'",
            )
    })?;
    let origin = Origin::Argument(argument.as_str().into());
    let path = ParamPath::parse(path.trim(), root, &origin)?;
    let value = doc::parse_argument_value(value.trim(), &argument)?;
    path.set(root, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Node {
        doc::parse_str(
            "[[source]]\nname = \"web_ads\"\ncost_per_lead = 5\n[follow_up]\nsla_days = 2\n",
            "t",
        )
        .unwrap()
    }

    #[test]
    fn wrong_paths_name_the_nearest_valid_one() {
        let root = tree();
        let e = ParamPath::parse("follow_up.sla_day", &root, &Origin::Default).unwrap_err();
        assert!(e.hint.unwrap().contains("follow_up.sla_days"));
        let e = ParamPath::parse("source.web_adz.leads_per_month", &root, &Origin::Default)
            .unwrap_err();
        assert!(e.hint.unwrap().contains("web_ads"));
        assert!(ParamPath::parse("marketing.nurture", &root, &Origin::Default).is_err());
    }

    #[test]
    fn set_creates_tables_and_swaps_exclusive_keys() {
        let mut root = tree();
        apply_assignment(&mut root, "marketing.nurture.max_months=6", "--set").unwrap();
        assert_eq!(
            root.get("marketing")
                .unwrap()
                .get("nurture")
                .unwrap()
                .get("max_months")
                .unwrap()
                .value,
            Value::Int(6)
        );
        apply_assignment(&mut root, "source.web_ads.budget_per_month=100", "--set").unwrap();
        let src = sources(&root).next().unwrap();
        assert!(src.get("cost_per_lead").is_none());
        assert_eq!(src.get("budget_per_month").unwrap().value, Value::Int(100));
        let p =
            ParamPath::parse("source.web_ads.budget_per_month", &root, &Origin::Default).unwrap();
        assert_eq!(p.get(&root).unwrap().value, Value::Int(100));
    }
}
