//! The scenario format of docs/model.md: reading a checked, typed [`Scenario`]
//! (with documented defaults) from a scenario tree, and the setups it defines.

pub mod dist;
pub mod doc;
pub mod metric;
pub mod paths;
pub mod templates;

use std::path::{Path, PathBuf};

use crate::error::{InputError, InputResult, Origin};
use crate::scenario::dist::{Dist, Domain};
use crate::scenario::metric::{Goal, Metric, metric_names};
use doc::{Node, Value};
use paths::{ParamPath, keys_of, suggest};

/// Most Monte Carlo runs a scenario may ask for (memory grows with runs).
pub const MAX_RUNS: u64 = 1_000_000;
/// Longest horizon, in months.
pub const MAX_HORIZON_MONTHS: u64 = 120;
/// Largest mean inflow of one source, leads a month.
pub const MAX_LEADS_PER_MONTH: f64 = 1e8;

/// A number that may be uncertain, with the parameter path that names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    pub path: String,
    pub dist: Dist,
}

impl Uncertain {
    fn fixed(path: String, x: f64, domain: Domain) -> Uncertain {
        Uncertain {
            path,
            dist: Dist::fixed(x, domain).expect("defaults lie in their domain"),
        }
    }
}

/// How a source's leads are paid for.
#[derive(Clone, Debug, PartialEq)]
pub enum LeadCost {
    PerLead(Uncertain),
    BudgetPerMonth(Uncertain),
}

/// A lead source (`[[source]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub name: String,
    pub leads_per_month: Uncertain,
    /// Multipliers by calendar month, January first.
    pub seasonality: [f64; 12],
    pub growth_per_month: Uncertain,
    /// (D) score of a new lead.
    pub score: Dist,
    pub cost: LeadCost,
    pub sql_to_opportunity: Option<Uncertain>,
    pub win_rate: Option<Uncertain>,
}

/// `[marketing.nurture]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Nurture {
    pub monthly_score_gain: Uncertain,
    pub monthly_unsubscribe: Uncertain,
    pub max_months: u32,
    pub recycle_penalty: f64,
}

/// `[marketing]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Marketing {
    pub automation: bool,
    pub mql_threshold: u32,
    pub handoff_delay_days: Uncertain,
    pub license_per_month: Uncertain,
    pub nurture: Nurture,
}

/// Which team works the MQL queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Team {
    InsideSales,
    FieldSales,
}

/// Which MQLs the team works first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    OldestFirst,
    NewestFirst,
    HighestScoreFirst,
}

/// One band of `sql_rate_by_score`: the rate for scores >= `lower`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreBand {
    pub lower: f64,
    pub rate: Uncertain,
}

/// `[follow_up]`: the handoff rule.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub team: Team,
    pub queue_order: QueueOrder,
    pub sla_days: u32,
    pub response_half_life_days: Uncertain,
    pub sql_rate_by_score: Vec<ScoreBand>,
}

/// `[inside_sales]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InsideSales {
    pub reps: u32,
    pub mqls_per_rep_per_day: Uncertain,
    pub cost_per_rep_per_month: Uncertain,
}

/// `[sales]`: field sales.
#[derive(Clone, Debug, PartialEq)]
pub struct Sales {
    pub reps: u32,
    pub inbound_mqls_per_rep_per_day: Uncertain,
    pub cost_per_rep_per_month: Uncertain,
    pub sql_to_opportunity: Uncertain,
    /// (D) days from SQL to first meeting.
    pub opportunity_lag_days: Dist,
    pub win_rate: Uncertain,
    /// (D) days from opportunity to close.
    pub sales_cycle_days: Dist,
}

/// `[deal]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Deal {
    /// (D) MRR of a new customer.
    pub monthly_revenue: Dist,
    pub gross_margin: Uncertain,
    pub monthly_churn: Uncertain,
    pub max_lifetime_months: u32,
}

/// Chart language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Japanese,
}

/// `[chart]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    pub language: Language,
    /// Another font file, resolved relative to the scenario file.
    pub font: Option<PathBuf>,
}

/// The first calendar month of the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12.
    pub month: u32,
}

/// A checked scenario: one setup's complete description.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub horizon_months: u32,
    /// `None`: months are labelled 1, 2, ... on the 2027 calendar.
    pub start: Option<YearMonth>,
    pub currency: String,
    pub runs: u64,
    pub seed: u64,
    pub sources: Vec<Source>,
    pub marketing: Marketing,
    pub follow_up: FollowUp,
    pub inside_sales: InsideSales,
    pub sales: Sales,
    pub deal: Deal,
    pub fixed_cost_per_month: Uncertain,
    pub targets: Vec<Goal>,
    pub chart: ChartOptions,
}

/// One setup to simulate: the scenario itself or one of its variants.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    pub name: String,
    pub scenario: Scenario,
}

/// A scenario file with its setups, ready to simulate.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario's own name (`[scenario] name`, else the file name).
    pub name: String,
    /// The scenario tree after `extends` and `--set`, before variants.
    pub tree: Node,
    /// The scenario first, then its variants.
    pub setups: Vec<Setup>,
}

/// Reads a scenario file, applies `--set` assignments, and builds its setups.
pub fn load(path: &Path, assignments: &[String]) -> InputResult<Loaded> {
    let mut tree = doc::load_file(path)?;
    if !matches!(tree.value, Value::Table(_)) {
        return Err(InputError::new("a scenario must be a TOML table").at(&tree.origin));
    }
    for assignment in assignments {
        paths::apply_assignment(&mut tree, assignment, "--set")?;
    }
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let setups = setups_of(&tree, &default_name)?;
    let name = match tree
        .get("scenario")
        .and_then(|s| s.get("name"))
        .map(|n| &n.value)
    {
        Some(Value::Str(n)) => n.clone(),
        _ => default_name,
    };
    Ok(Loaded { name, tree, setups })
}

/// The scenario of a tree and its `[[variant]]`s.
pub fn setups_of(tree: &Node, default_name: &str) -> InputResult<Vec<Setup>> {
    let mut base_tree = tree.clone();
    base_tree.remove("variant");
    let base = read_scenario(&base_tree, default_name)?;
    let mut setups = vec![Setup {
        name: base.name.clone(),
        scenario: base,
    }];
    let Some(variants) = tree.get("variant") else {
        return Ok(setups);
    };
    let Value::Array(items) = &variants.value else {
        return Err(type_error(
            variants,
            "variant",
            "an array of tables: [[variant]]",
        ));
    };
    for (i, item) in items.iter().enumerate() {
        let at = format!("variant[{i}]");
        let reader = Reader::new(item, &at, "variant")?;
        let name = reader.name()?;
        if setups.iter().any(|s| s.name == name) {
            return Err(InputError::new(format!("two setups are named `{name}`"))
                .at(&reader
                    .value("name")
                    .map_or(item.origin.clone(), |n| n.origin.clone()))
                .key(format!("{at}.name"))
                .hint("give every variant a name of its own, different from the scenario's"));
        }
        let mut variant_tree = base_tree.clone();
        if let Some(set) = reader.value("set") {
            let entries = set.entries().ok_or_else(|| {
                type_error(set, &format!("{at}.set"), "a table of \"path\" = value")
            })?;
            for entry in entries {
                let path = ParamPath::parse(&entry.key, &variant_tree, &entry.key_origin).map_err(
                    |e| InputError {
                        key_path: Some(format!("{at}.set.\"{}\"", entry.key)),
                        ..e
                    },
                )?;
                path.set(&mut variant_tree, entry.node.clone());
            }
        }
        let mut scenario = read_scenario(&variant_tree, default_name).map_err(|e| InputError {
            message: format!("{} (in variant `{name}`)", e.message),
            ..e
        })?;
        scenario.name = name.clone();
        setups.push(Setup { name, scenario });
    }
    put_baseline_first(tree, &mut setups)?;
    Ok(setups)
}

/// `[scenario] baseline = "name"` picks the setup the others are compared against; it goes first.
fn put_baseline_first(tree: &Node, setups: &mut Vec<Setup>) -> InputResult<()> {
    let Some(node) = tree.get("scenario").and_then(|s| s.get("baseline")) else {
        return Ok(());
    };
    let Value::Str(name) = &node.value else {
        return Err(type_error(
            node,
            "scenario.baseline",
            "the name of a setup (a string)",
        ));
    };
    let Some(i) = setups.iter().position(|s| &s.name == name) else {
        let names: Vec<&str> = setups.iter().map(|s| s.name.as_str()).collect();
        let mut e = InputError::new(format!("no setup is named `{name}`"))
            .at(&node.origin)
            .key("scenario.baseline");
        e = match suggest(name, names.iter().copied()) {
            Some(s) => e.hint(format!("did you mean \"{s}\"?")),
            None => e.hint(format!("the setups are: {}", names.join(", "))),
        };
        return Err(e);
    };
    let baseline = setups.remove(i);
    setups.insert(0, baseline);
    Ok(())
}

fn type_error(node: &Node, key_path: &str, expected: &str) -> InputError {
    InputError::new(format!(
        "expected {expected}, found {}",
        node.value.type_name()
    ))
    .at(&node.origin)
    .key(key_path)
    .hint(format!(
        "write `{}` as {expected}; the scenarios/ folder has commented examples",
        key_path.rsplit('.').next().unwrap_or(key_path)
    ))
}

/// Reads the tables of one table node, checking its keys against the schema.
struct Reader<'a> {
    node: &'a Node,
    prefix: String,
}

impl<'a> Reader<'a> {
    fn new(node: &'a Node, prefix: &str, schema: &str) -> InputResult<Reader<'a>> {
        let entries = node
            .entries()
            .ok_or_else(|| type_error(node, prefix, "a table"))?;
        let known = keys_of(schema);
        for entry in entries {
            let valid = if schema == "targets" {
                Metric::from_name(&entry.key).is_some()
            } else {
                known.contains(&entry.key.as_str())
            };
            if !valid {
                let path = join(prefix, &entry.key);
                let mut e = InputError::new(format!("unknown key `{}`", entry.key))
                    .at(&entry.key_origin)
                    .key(path);
                e = if schema == "targets" {
                    match suggest(&entry.key, Metric::ALL.iter().map(|m| m.name())) {
                        Some(s) => e.hint(format!("did you mean `{s}`? targets are metric names")),
                        None => e.hint(format!("targets are metric names: {}", metric_names())),
                    }
                } else {
                    match suggest(&entry.key, known.iter().copied()) {
                        Some(s) => e.hint(format!("did you mean `{s}`?")),
                        None => e.hint(format!("valid keys here are: {}", known.join(", "))),
                    }
                };
                return Err(e);
            }
        }
        Ok(Reader {
            node,
            prefix: prefix.to_string(),
        })
    }

    fn path(&self, key: &str) -> String {
        join(&self.prefix, key)
    }

    fn value(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// A sub-table; an absent one reads as empty (every key at its default).
    fn table(&self, key: &str, schema: &str) -> InputResult<Reader<'a>> {
        static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
        let node = self
            .value(key)
            .unwrap_or_else(|| EMPTY.get_or_init(|| Node::table(Origin::Default)));
        Reader::new(node, &self.path(key), schema)
    }

    fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        let origin = self
            .value(key)
            .map_or(self.node.origin.clone(), |n| n.origin.clone());
        InputError::new(message).at(&origin).key(self.path(key))
    }

    /// A (U) or (D) value: a number or one distribution.
    fn dist(&self, key: &str, domain: Domain, default: Option<f64>) -> InputResult<Option<Dist>> {
        let Some(node) = self.value(key) else {
            return Ok(
                default.map(|d| Dist::fixed(d, domain).expect("defaults lie in their domain"))
            );
        };
        let fail = |msg: String| {
            InputError::new(msg).at(&node.origin).key(self.path(key)).hint(format!(
                "write a number ({}) or one of {{ range = [a, b] }}, {{ uniform = [a, b] }}, {{ triangular = [min, mode, max] }}, {{ pert = [min, mode, max] }}, {{ normal = {{ mean = m, sd = s }} }}, {{ lognormal = {{ median = m, p90 = q }} }}, {{ beta = {{ mean = m, sd = s }} }}",
                domain.describe()
            ))
        };
        match &node.value {
            Value::Int(_) | Value::Float(_) => Dist::fixed(as_f64(node).expect("a number"), domain)
                .map(Some)
                .map_err(fail),
            Value::Table(entries) => {
                let [entry] = entries.as_slice() else {
                    return Err(fail(
                        "a distribution is a table with exactly one key".into(),
                    ));
                };
                let form = entry.key.as_str();
                let (args, named) = match (&entry.node.value, form) {
                    (Value::Array(items), "range" | "uniform" | "triangular" | "pert") => {
                        let mut args = Vec::new();
                        for item in items {
                            args.push(as_f64(item).ok_or_else(|| {
                                fail(format!(
                                    "`{form}` takes numbers, found {}",
                                    item.value.type_name()
                                ))
                            })?);
                        }
                        (args, Vec::new())
                    }
                    (Value::Table(fields), "normal" | "lognormal" | "beta") => {
                        let allowed: &[&str] = if form == "lognormal" {
                            &["median", "p90"]
                        } else {
                            &["mean", "sd"]
                        };
                        let mut named = Vec::new();
                        for f in fields {
                            let Some(&k) = allowed.iter().find(|k| **k == f.key) else {
                                return Err(fail(format!(
                                    "`{form}` takes {}, found `{}`",
                                    allowed.join(" and "),
                                    f.key
                                )));
                            };
                            named.push((
                                k,
                                as_f64(&f.node).ok_or_else(|| {
                                    fail(format!("`{form}.{k}` must be a number"))
                                })?,
                            ));
                        }
                        (Vec::new(), named)
                    }
                    _ => {
                        let forms = [
                            "range",
                            "uniform",
                            "triangular",
                            "pert",
                            "normal",
                            "lognormal",
                            "beta",
                        ];
                        let msg = match suggest(form, forms) {
                            Some(s) if s != form => {
                                format!("unknown distribution `{form}`; did you mean `{s}`?")
                            }
                            _ if forms.contains(&form) => {
                                format!("`{form}` is written with the wrong shape")
                            }
                            _ => format!("unknown distribution `{form}`"),
                        };
                        return Err(fail(msg));
                    }
                };
                let mut dist = Dist::fit(form, &args, &named, domain).map_err(fail)?;
                dist.written = format!("{{ {} }}", render_inline(entry));
                Ok(Some(dist))
            }
            _ => Err(fail(format!(
                "expected a number or a distribution, found {}",
                node.value.type_name()
            ))),
        }
    }

    fn uncertain(&self, key: &str, domain: Domain, default: f64) -> InputResult<Uncertain> {
        let dist = self
            .dist(key, domain, Some(default))?
            .expect("a default was given");
        Ok(Uncertain {
            path: self.path(key),
            dist,
        })
    }

    fn opt_uncertain(&self, key: &str, domain: Domain) -> InputResult<Option<Uncertain>> {
        Ok(self.dist(key, domain, None)?.map(|dist| Uncertain {
            path: self.path(key),
            dist,
        }))
    }

    /// A plain number (keys that do not take distributions).
    fn number(&self, key: &str, domain: Domain, default: f64) -> InputResult<f64> {
        let Some(node) = self.value(key) else {
            return Ok(default);
        };
        let x = as_f64(node).ok_or_else(|| {
            let mut e = self.error(key, format!("expected a number, found {}", node.value.type_name()));
            if matches!(node.value, Value::Table(_)) {
                e = e.hint("only parameters marked (U) or (D) in the scenario format take distributions; this one takes a plain number");
            }
            e
        })?;
        if !x.is_finite() || !domain.contains(x) {
            return Err(self
                .error(key, format!("{x} is out of range"))
                .hint(format!("expected {}", domain.describe())));
        }
        Ok(x)
    }

    /// A whole number in [lo, hi].
    fn whole(&self, key: &str, lo: u64, hi: u64, default: u64) -> InputResult<u64> {
        let Some(node) = self.value(key) else {
            return Ok(default);
        };
        let range_hint = format!("expected a whole number from {lo} to {hi}");
        match node.value {
            Value::Int(i) if i >= lo as i64 && (i as u64) <= hi => Ok(i as u64),
            Value::Int(i) => Err(self.error(key, format!("{i} is out of range")).hint(range_hint)),
            Value::Float(x) if x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 => Ok(x as u64),
            Value::Table(_) => Err(self.error(key, "expected a whole number, found a table")
                .hint(format!("{range_hint}; only parameters marked (U) or (D) in the scenario format take distributions"))),
            _ => Err(self.error(key, format!("expected a whole number, found {}", describe(node)))
                .hint(range_hint)),
        }
    }

    fn boolean(&self, key: &str, default: bool) -> InputResult<bool> {
        match self.value(key).map(|n| &n.value) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self
                .error(
                    key,
                    format!("expected true or false, found {}", other.type_name()),
                )
                .hint(format!("write {key} = true or {key} = false"))),
        }
    }

    fn string(&self, key: &str) -> InputResult<Option<String>> {
        match self.value(key).map(|n| &n.value) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self
                .error(
                    key,
                    format!("expected a string, found {}", other.type_name()),
                )
                .hint(format!("write {key} = \"...\" in double quotes"))),
        }
    }

    fn choice<T: Copy>(&self, key: &str, choices: &[(&str, T)], default: T) -> InputResult<T> {
        let Some(text) = self.string(key)? else {
            return Ok(default);
        };
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        choices
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let mut e = self.error(key, format!("`{text}` is not a valid choice"));
                e = match suggest(&text, names.iter().copied()) {
                    Some(s) => e.hint(format!("did you mean \"{s}\"? valid: {}", names.join(", "))),
                    None => e.hint(format!("valid choices: {}", names.join(", "))),
                };
                e
            })
    }

    /// A required, non-blank name.
    fn name(&self) -> InputResult<String> {
        let name = self.string("name")?.ok_or_else(|| {
            InputError::new("missing `name`")
                .at(&self.node.origin)
                .key(&self.prefix)
                .hint("add name = \"...\"")
        })?;
        check_name(&name).map_err(|m| self.error("name", m).hint(NAME_HINT))?;
        Ok(name)
    }
}

const NAME_HINT: &str = "names are shown in tables and charts: use visible text, e.g. name = \"web_ads\" or name = \"展示会\"";

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a name must not be empty or only spaces".into());
    }
    if name.chars().any(char::is_control) {
        return Err("a name must not contain control characters".into());
    }
    if name.chars().count() > 200 {
        return Err("a name must be at most 200 characters".into());
    }
    Ok(())
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn as_f64(node: &Node) -> Option<f64> {
    match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(x) => Some(x),
        _ => None,
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Float(x) => format!("{x}"),
        other => other.type_name().to_string(),
    }
}

fn render_inline(entry: &doc::Entry) -> String {
    fn value(node: &Node) -> String {
        match &node.value {
            Value::Int(i) => i.to_string(),
            Value::Float(x) => crate::scenario::dist::format_number(*x),
            Value::Array(items) => format!(
                "[{}]",
                items.iter().map(value).collect::<Vec<_>>().join(", ")
            ),
            Value::Table(entries) => format!(
                "{{ {} }}",
                entries
                    .iter()
                    .map(render_inline)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Str(s) => format!("{s:?}"),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
        }
    }
    format!("{} = {}", entry.key, value(&entry.node))
}

/// Reads and checks a whole scenario tree (without its variants).
pub fn read_scenario(tree: &Node, default_name: &str) -> InputResult<Scenario> {
    let root = Reader::new(tree, "", "")?;
    let head = root.table("scenario", "scenario")?;
    if root.value("scenario").is_none() {
        return Err(InputError::new("missing the [scenario] table")
            .at(&tree.origin)
            .key("scenario")
            .hint("add [scenario] with at least name = \"...\""));
    }
    let name = match head.string("name")? {
        Some(n) => {
            check_name(&n).map_err(|m| head.error("name", m).hint(NAME_HINT))?;
            n
        }
        None => default_name.to_string(),
    };
    head.string("baseline")?;
    let start = match head.value("start") {
        None => None,
        Some(node) => Some(parse_year_month(node).ok_or_else(|| {
            head.error(
                "start",
                "expected a calendar month written \"YYYY-MM\", with the month from 01 to 12",
            )
            .hint("e.g. start = \"2027-04\" for April 2027")
        })?),
    };

    let sources = read_sources(&root)?;
    let marketing = read_marketing(&root)?;
    let follow_up = read_follow_up(&root)?;
    let is = root.table("inside_sales", "inside_sales")?;
    let inside_sales = InsideSales {
        reps: is.whole("reps", 0, 100_000, 0)? as u32,
        mqls_per_rep_per_day: is.uncertain("mqls_per_rep_per_day", Domain::NonNegative, 20.0)?,
        cost_per_rep_per_month: is.uncertain("cost_per_rep_per_month", Domain::NonNegative, 0.0)?,
    };
    let s = root.table("sales", "sales")?;
    let sales = Sales {
        reps: s.whole("reps", 0, 100_000, 5)? as u32,
        inbound_mqls_per_rep_per_day: s.uncertain(
            "inbound_mqls_per_rep_per_day",
            Domain::NonNegative,
            10.0,
        )?,
        cost_per_rep_per_month: s.uncertain("cost_per_rep_per_month", Domain::NonNegative, 0.0)?,
        sql_to_opportunity: s.uncertain("sql_to_opportunity", Domain::Probability, 0.6)?,
        opportunity_lag_days: s
            .dist("opportunity_lag_days", Domain::NonNegative, Some(7.0))?
            .expect("default"),
        win_rate: s.uncertain("win_rate", Domain::Probability, 0.25)?,
        sales_cycle_days: s
            .dist("sales_cycle_days", Domain::NonNegative, Some(45.0))?
            .expect("default"),
    };
    let d = root.table("deal", "deal")?;
    let deal = Deal {
        monthly_revenue: d
            .dist("monthly_revenue", Domain::NonNegative, Some(0.0))?
            .expect("default"),
        gross_margin: d.uncertain("gross_margin", Domain::Probability, 0.75)?,
        monthly_churn: d.uncertain("monthly_churn", Domain::Probability, 0.015)?,
        max_lifetime_months: d.whole("max_lifetime_months", 1, 1200, 60)? as u32,
    };
    let costs = root.table("costs", "costs")?;
    let fixed_cost_per_month = costs.uncertain("fixed_per_month", Domain::NonNegative, 0.0)?;
    let targets = read_targets(&root)?;
    let chart = read_chart(&root)?;
    Ok(Scenario {
        name,
        description: head.string("description")?.unwrap_or_default(),
        horizon_months: head.whole("horizon_months", 1, MAX_HORIZON_MONTHS, 12)? as u32,
        start,
        currency: head.string("currency")?.unwrap_or_default(),
        runs: head.whole("runs", 1, MAX_RUNS, 10_000)?,
        seed: head.whole("seed", 0, i64::MAX as u64, 42)?,
        sources,
        marketing,
        follow_up,
        inside_sales,
        sales,
        deal,
        fixed_cost_per_month,
        targets,
        chart,
    })
}

fn parse_year_month(node: &Node) -> Option<YearMonth> {
    let text = match &node.value {
        Value::Str(s) | Value::Datetime(s) => s.as_str(),
        _ => return None,
    };
    let mut parts = text.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month_text = parts.next()?;
    let month: u32 = month_text.get(..2)?.parse().ok()?;
    ((1900..=2200).contains(&year) && (1..=12).contains(&month) && month_text.len() == 2)
        .then_some(YearMonth { year, month })
}

fn read_sources(root: &Reader<'_>) -> InputResult<Vec<Source>> {
    let node = root.value("source").ok_or_else(|| {
        InputError::new("a scenario needs at least one [[source]]")
            .at(&root.node.origin)
            .key("source")
            .hint("add [[source]] with name = \"...\" and leads_per_month = ...")
    })?;
    let Value::Array(items) = &node.value else {
        return Err(type_error(node, "source", "an array of tables: [[source]]"));
    };
    if items.is_empty() {
        return Err(InputError::new("the source list is empty")
            .at(&node.origin)
            .key("source")
            .hint("add at least one [[source]]"));
    }
    let mut sources: Vec<Source> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let r0 = Reader::new(item, &format!("source[{i}]"), "source")?;
        let name = r0.name()?;
        if sources.iter().any(|s| s.name == name) {
            return Err(r0
                .error("name", format!("two sources are named `{name}`"))
                .hint("source names must be unique: variants and --set find sources by name"));
        }
        let r = Reader {
            node: item,
            prefix: format!("source.{name}"),
        };
        let leads_per_month = r
            .opt_uncertain("leads_per_month", Domain::NonNegative)?
            .ok_or_else(|| {
                InputError::new("missing `leads_per_month`")
                    .at(&item.origin)
                    .key(r.path("leads_per_month"))
                    .hint("e.g. leads_per_month = 300 or { range = [200, 400] }")
            })?;
        if leads_per_month.dist.quantile(0.5) > MAX_LEADS_PER_MONTH {
            return Err(r
                .error(
                    "leads_per_month",
                    "more leads a month than funnelsim simulates",
                )
                .hint(format!(
                    "at most {MAX_LEADS_PER_MONTH:e} leads a month per source"
                )));
        }
        let seasonality = match r.value("seasonality") {
            None => [1.0; 12],
            Some(n) => {
                let Value::Array(vals) = &n.value else {
                    return Err(type_error(
                        n,
                        &r.path("seasonality"),
                        "an array of 12 numbers",
                    ));
                };
                let values: Option<Vec<f64>> = vals.iter().map(as_f64).collect();
                match values {
                    Some(v) if v.len() == 12 && v.iter().all(|x| x.is_finite() && *x >= 0.0) => v.try_into().expect("12 values"),
                    Some(v) if v.len() != 12 => return Err(r.error("seasonality", format!("expected 12 monthly factors, found {}", v.len())).hint("one factor per calendar month, January first")),
                    _ => return Err(r.error("seasonality", "every factor must be a number >= 0").hint("e.g. seasonality = [1.0, 1.0, 1.2, 1.0, 1.0, 0.9, 0.8, 0.9, 1.0, 1.1, 1.1, 1.0]")),
                }
            }
        };
        let cost = match (
            r.opt_uncertain("cost_per_lead", Domain::NonNegative)?,
            r.opt_uncertain("budget_per_month", Domain::NonNegative)?,
        ) {
            (Some(_), Some(_)) => {
                return Err(r
                    .error(
                        "budget_per_month",
                        "a source has cost_per_lead or budget_per_month, not both",
                    )
                    .hint("remove one of them"));
            }
            (Some(c), None) => LeadCost::PerLead(c),
            (None, Some(b)) => LeadCost::BudgetPerMonth(b),
            (None, None) => LeadCost::PerLead(Uncertain::fixed(
                r.path("cost_per_lead"),
                0.0,
                Domain::NonNegative,
            )),
        };
        sources.push(Source {
            leads_per_month,
            seasonality,
            growth_per_month: r.uncertain("growth_per_month", Domain::Growth, 0.0)?,
            score: r
                .dist("score", Domain::Score, Some(50.0))?
                .expect("default"),
            cost,
            sql_to_opportunity: r.opt_uncertain("sql_to_opportunity", Domain::Probability)?,
            win_rate: r.opt_uncertain("win_rate", Domain::Probability)?,
            name,
        });
    }
    Ok(sources)
}

fn read_marketing(root: &Reader<'_>) -> InputResult<Marketing> {
    let m = root.table("marketing", "marketing")?;
    let n = m.table("nurture", "marketing.nurture")?;
    let threshold = m.whole("mql_threshold", 0, 100, 60)? as u32;
    Ok(Marketing {
        automation: m.boolean("automation", false)?,
        mql_threshold: threshold,
        handoff_delay_days: m.uncertain("handoff_delay_days", Domain::NonNegative, 0.0)?,
        license_per_month: m.uncertain("license_per_month", Domain::NonNegative, 0.0)?,
        nurture: Nurture {
            monthly_score_gain: n.uncertain("monthly_score_gain", Domain::NonNegative, 5.0)?,
            monthly_unsubscribe: n.uncertain("monthly_unsubscribe", Domain::Probability, 0.03)?,
            max_months: n.whole("max_months", 1, 1200, 12)? as u32,
            recycle_penalty: n.number("recycle_penalty", Domain::NonNegative, 10.0)?,
        },
    })
}

fn read_follow_up(root: &Reader<'_>) -> InputResult<FollowUp> {
    let f = root.table("follow_up", "follow_up")?;
    let bands = match f.value("sql_rate_by_score") {
        None => vec![ScoreBand {
            lower: 0.0,
            rate: Uncertain::fixed(
                "follow_up.sql_rate_by_score.0".into(),
                0.15,
                Domain::Probability,
            ),
        }],
        Some(node) => read_bands(&f, node)?,
    };
    Ok(FollowUp {
        team: f.choice(
            "team",
            &[
                ("inside_sales", Team::InsideSales),
                ("field_sales", Team::FieldSales),
            ],
            Team::FieldSales,
        )?,
        queue_order: f.choice(
            "queue_order",
            &[
                ("oldest_first", QueueOrder::OldestFirst),
                ("newest_first", QueueOrder::NewestFirst),
                ("highest_score_first", QueueOrder::HighestScoreFirst),
            ],
            QueueOrder::OldestFirst,
        )?,
        sla_days: f.whole("sla_days", 0, 3650, 5)? as u32,
        response_half_life_days: f.uncertain("response_half_life_days", Domain::Positive, 7.0)?,
        sql_rate_by_score: bands,
    })
}

fn read_bands(f: &Reader<'_>, node: &Node) -> InputResult<Vec<ScoreBand>> {
    let key = "sql_rate_by_score";
    let shape_hint = "write [[lower_score, rate], ...] with increasing lower scores, e.g. [[0, 0.02], [40, 0.08], [60, 0.20], [80, 0.40]]";
    let Value::Array(items) = &node.value else {
        return Err(f
            .error(
                key,
                format!(
                    "expected a list of [score, rate] pairs, found {}",
                    node.value.type_name()
                ),
            )
            .hint(shape_hint));
    };
    if items.is_empty() {
        return Err(f
            .error(key, "the list of score bands is empty")
            .hint(shape_hint));
    }
    let mut bands: Vec<ScoreBand> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let bad = |msg: String| {
            InputError::new(msg)
                .at(&item.origin)
                .key(format!("{}[{i}]", f.path(key)))
                .hint(shape_hint)
        };
        let Value::Array(pair) = &item.value else {
            return Err(bad(format!(
                "expected a [score, rate] pair, found {}",
                item.value.type_name()
            )));
        };
        let [score_node, rate_node] = pair.as_slice() else {
            return Err(bad(format!(
                "expected a [score, rate] pair, found {} values",
                pair.len()
            )));
        };
        let lower = as_f64(score_node)
            .filter(|s| s.is_finite() && (0.0..=100.0).contains(s))
            .ok_or_else(|| bad("the lower score of a band must be a number in [0, 100]".into()))?;
        if let Some(prev) = bands.last()
            && lower <= prev.lower
        {
            return Err(bad(format!(
                "band lower scores must strictly increase: {lower} follows {}",
                prev.lower
            )));
        }
        let path = format!(
            "{}.{}",
            f.path(key),
            crate::scenario::dist::format_number(lower)
        );
        let holder = Node {
            value: Value::Table(vec![doc::Entry {
                key: "rate".into(),
                key_origin: rate_node.origin.clone(),
                node: rate_node.clone(),
            }]),
            origin: rate_node.origin.clone(),
        };
        let reader = Reader {
            node: &holder,
            prefix: path.clone(),
        };
        let rate = reader
            .dist("rate", Domain::Probability, None)?
            .expect("present");
        bands.push(ScoreBand {
            lower,
            rate: Uncertain { path, dist: rate },
        });
    }
    Ok(bands)
}

fn read_targets(root: &Reader<'_>) -> InputResult<Vec<Goal>> {
    let t = root.table("targets", "targets")?;
    let mut goals = Vec::new();
    for entry in t.node.entries().unwrap_or_default() {
        let metric = Metric::from_name(&entry.key).expect("checked by the reader");
        let value = as_f64(&entry.node)
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                t.error(&entry.key, "a target must be a finite number")
                    .hint("e.g. won = 30")
            })?;
        goals.push(Goal::target(metric, value));
    }
    Ok(goals)
}

fn read_chart(root: &Reader<'_>) -> InputResult<ChartOptions> {
    let c = root.table("chart", "chart")?;
    let font = match (c.string("font")?, c.value("font")) {
        (Some(f), Some(node)) => {
            let base = match &node.origin {
                Origin::File { path, .. } => Path::new(path.as_ref())
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                _ => PathBuf::new(),
            };
            Some(base.join(f))
        }
        _ => None,
    };
    Ok(ChartOptions {
        language: c.choice(
            "language",
            &[("en", Language::English), ("ja", Language::Japanese)],
            Language::English,
        )?,
        font,
    })
}

impl Scenario {
    /// Every (U) parameter of the scenario, in parameter-path order.
    pub fn uncertain_parameters(&self) -> Vec<&Uncertain> {
        let mut all: Vec<&Uncertain> = vec![
            &self.marketing.handoff_delay_days,
            &self.marketing.license_per_month,
            &self.marketing.nurture.monthly_score_gain,
            &self.marketing.nurture.monthly_unsubscribe,
            &self.follow_up.response_half_life_days,
            &self.inside_sales.mqls_per_rep_per_day,
            &self.inside_sales.cost_per_rep_per_month,
            &self.sales.inbound_mqls_per_rep_per_day,
            &self.sales.cost_per_rep_per_month,
            &self.sales.sql_to_opportunity,
            &self.sales.win_rate,
            &self.deal.gross_margin,
            &self.deal.monthly_churn,
            &self.fixed_cost_per_month,
        ];
        all.extend(self.follow_up.sql_rate_by_score.iter().map(|b| &b.rate));
        for s in &self.sources {
            all.push(&s.leads_per_month);
            all.push(&s.growth_per_month);
            all.push(match &s.cost {
                LeadCost::PerLead(u) | LeadCost::BudgetPerMonth(u) => u,
            });
            all.extend(s.sql_to_opportunity.iter());
            all.extend(s.win_rate.iter());
        }
        all.sort_by(|a, b| a.path.cmp(&b.path));
        all
    }
}

impl Scenario {
    /// Every parameter with its resolved value as text, by parameter path (defaults included).
    pub fn resolved_parameters(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |path: &str, value: String| out.push((path.to_string(), value));
        let n = crate::scenario::dist::format_number;
        put("scenario.name", self.name.clone());
        put("scenario.horizon_months", self.horizon_months.to_string());
        put(
            "scenario.start",
            self.start.map_or("(none: months 1, 2, ...)".into(), |s| {
                format!("{:04}-{:02}", s.year, s.month)
            }),
        );
        put("scenario.currency", self.currency.clone());
        put("scenario.runs", self.runs.to_string());
        put("scenario.seed", self.seed.to_string());
        for s in &self.sources {
            let p = format!("source.{}", s.name);
            put(&format!("{p}.seasonality"), format!("{:?}", s.seasonality));
            put(&format!("{p}.score"), s.score.written.clone());
        }
        put(
            "marketing.automation",
            self.marketing.automation.to_string(),
        );
        put(
            "marketing.mql_threshold",
            self.marketing.mql_threshold.to_string(),
        );
        put(
            "marketing.nurture.max_months",
            self.marketing.nurture.max_months.to_string(),
        );
        put(
            "marketing.nurture.recycle_penalty",
            n(self.marketing.nurture.recycle_penalty),
        );
        put(
            "follow_up.team",
            match self.follow_up.team {
                Team::InsideSales => "inside_sales",
                Team::FieldSales => "field_sales",
            }
            .into(),
        );
        put(
            "follow_up.queue_order",
            match self.follow_up.queue_order {
                QueueOrder::OldestFirst => "oldest_first",
                QueueOrder::NewestFirst => "newest_first",
                QueueOrder::HighestScoreFirst => "highest_score_first",
            }
            .into(),
        );
        put("follow_up.sla_days", self.follow_up.sla_days.to_string());
        put("inside_sales.reps", self.inside_sales.reps.to_string());
        put("sales.reps", self.sales.reps.to_string());
        put(
            "sales.opportunity_lag_days",
            self.sales.opportunity_lag_days.written.clone(),
        );
        put(
            "sales.sales_cycle_days",
            self.sales.sales_cycle_days.written.clone(),
        );
        put(
            "deal.monthly_revenue",
            self.deal.monthly_revenue.written.clone(),
        );
        put(
            "deal.max_lifetime_months",
            self.deal.max_lifetime_months.to_string(),
        );
        for u in self.uncertain_parameters() {
            put(&u.path, u.dist.written.clone());
        }
        for g in &self.targets {
            put(&format!("targets.{}", g.metric), n(g.value));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
