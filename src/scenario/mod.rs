//! The scenario format of docs/model.md: reading a checked, typed [`Scenario`]
//! (with documented defaults) from a scenario tree, and the setups it defines.

pub mod assumptions;
pub mod correlation;
pub mod dist;
pub mod doc;
pub mod metric;
pub mod names;
pub mod paths;
mod read;
mod reader;
mod special;
pub(crate) mod templates;

pub use read::read_scenario;
use reader::*;

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
    /// The parameter path that names it (`follow_up.response_half_life_days`).
    pub path: String,
    /// Its distribution; a plain number is a fixed one.
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
    /// `cost_per_lead`: money per lead created.
    PerLead(Uncertain),
    /// `budget_per_month`: a fixed spend, money per month.
    BudgetPerMonth(Uncertain),
}

/// A lead source (`[[source]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Its name, unique among sources; it names the source in parameter paths
    /// (`source.web_ads`) and keys its random streams.
    pub name: String,
    /// What tables and charts show: `label`, else the name.
    pub label: String,
    /// (U) mean inflow, leads per month, before growth and seasonality.
    pub leads_per_month: Uncertain,
    /// Multipliers by calendar month, January first.
    pub seasonality: [f64; 12],
    /// (U) compounding growth of the inflow per month, in (-1, 1].
    pub growth_per_month: Uncertain,
    /// (D) score of a new lead.
    pub score: Dist,
    /// What its leads cost: per lead or a monthly budget.
    pub cost: LeadCost,
    /// (U) override of `sales.sql_to_opportunity` for its SQLs, a chance in [0, 1].
    pub sql_to_opportunity: Option<Uncertain>,
    /// (U) override of `sales.win_rate` for its opportunities, a chance in [0, 1].
    pub win_rate: Option<Uncertain>,
}

/// `[marketing.nurture]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Nurture {
    /// (U) score points a nurtured lead gains at each month start.
    pub monthly_score_gain: Uncertain,
    /// (U) chance in [0, 1] that a nurtured lead leaves at each month start.
    pub monthly_unsubscribe: Uncertain,
    /// Month starts a lead may spend in nurture before it leaves.
    pub max_months: u32,
    /// Score points taken off `mql_threshold` for an MQL sent back to nurture by the SLA.
    pub recycle_penalty: f64,
}

/// `[marketing]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Marketing {
    /// Whether marketing automation is on (scoring, nurture); off, every lead is an MQL.
    pub automation: bool,
    /// Score in 0..100 at or above which a lead is an MQL (with automation).
    pub mql_threshold: u32,
    /// (U) mean days from MQL to joining the follow-up queue.
    pub handoff_delay_days: Uncertain,
    /// (U) MA tool cost, money per month (charged with automation only).
    pub license_per_month: Uncertain,
    /// `[marketing.nurture]`: nurture of leads below the threshold and of expired MQLs.
    pub nurture: Nurture,
}

/// Which team works the MQL queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Team {
    /// `inside_sales`: the `[inside_sales]` team works the queue.
    InsideSales,
    /// `field_sales`: the field-sales reps of `[sales]` work the queue themselves.
    FieldSales,
}

impl serde::Serialize for Team {
    /// As the scenario writes it: "inside_sales" or "field_sales".
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Which MQLs the team works first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// `oldest_first`: the earliest join day first.
    OldestFirst,
    /// `newest_first`: the latest join day first.
    NewestFirst,
    /// `highest_score_first`: the highest current score first, then the earliest join day.
    HighestScoreFirst,
}

impl Team {
    /// Every team, by its name in a scenario.
    pub const NAMES: [(&'static str, Team); 2] = [
        ("inside_sales", Team::InsideSales),
        ("field_sales", Team::FieldSales),
    ];

    /// Its name in a scenario.
    pub fn name(self) -> &'static str {
        name_of(&Self::NAMES, self)
    }
}

impl QueueOrder {
    /// Every order, by its name in a scenario.
    pub const NAMES: [(&'static str, QueueOrder); 3] = [
        ("oldest_first", QueueOrder::OldestFirst),
        ("newest_first", QueueOrder::NewestFirst),
        ("highest_score_first", QueueOrder::HighestScoreFirst),
    ];

    /// Its name in a scenario.
    pub fn name(self) -> &'static str {
        name_of(&Self::NAMES, self)
    }
}

/// The name of a choice in its table of names.
fn name_of<T: PartialEq + Copy>(names: &[(&'static str, T)], value: T) -> &'static str {
    names
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(name, _)| *name)
        .expect("every choice is named")
}

/// One band of `sql_rate_by_score`: the rate for scores >= `lower`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreBand {
    /// Lowest score of the band, in 0..100.
    pub lower: f64,
    /// (U) chance in [0, 1] that a worked MQL of the band becomes an SQL, before response decay.
    pub rate: Uncertain,
}

/// `[follow_up]`: the handoff rule.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    /// Which team works the MQL queue.
    pub team: Team,
    /// Which MQLs the team works first.
    pub queue_order: QueueOrder,
    /// The SLA: whole days an MQL may wait in the queue before it expires.
    pub sla_days: u32,
    /// (U) days after which the chance to become an SQL halves, counted from the MQL.
    pub response_half_life_days: Uncertain,
    /// Chance of becoming an SQL by score band, lower bounds strictly increasing.
    pub sql_rate_by_score: Vec<ScoreBand>,
}

/// `[inside_sales]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InsideSales {
    /// Number of inside-sales reps (0: none).
    pub reps: u32,
    /// (U) MQLs one rep works per day.
    pub mqls_per_rep_per_day: Uncertain,
    /// (U) cost of one rep, money per month (charged when the team follows up).
    pub cost_per_rep_per_month: Uncertain,
}

/// `[sales]`: field sales.
#[derive(Clone, Debug, PartialEq)]
pub struct Sales {
    /// Number of field-sales reps.
    pub reps: u32,
    /// (U) MQLs one rep works per day when field sales follow up.
    pub inbound_mqls_per_rep_per_day: Uncertain,
    /// (U) cost of one rep, money per month (always charged).
    pub cost_per_rep_per_month: Uncertain,
    /// (U) chance in [0, 1] that an SQL becomes an opportunity.
    pub sql_to_opportunity: Uncertain,
    /// (D) days from SQL to first meeting.
    pub opportunity_lag_days: Dist,
    /// (U) chance in [0, 1] that an opportunity is won.
    pub win_rate: Uncertain,
    /// (D) days from opportunity to close.
    pub sales_cycle_days: Dist,
}

/// `[deal]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Deal {
    /// (D) MRR of a new customer.
    pub monthly_revenue: Dist,
    /// (U) gross margin on revenue, a fraction in [0, 1].
    pub gross_margin: Uncertain,
    /// (U) share of a deal's MRR lost each month, in [0, 1].
    pub monthly_churn: Uncertain,
    /// Longest a customer pays, in months.
    pub max_lifetime_months: u32,
}

/// Chart language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// `"en"`: chart text in English.
    English,
    /// `"ja"`: chart text in Japanese.
    Japanese,
}

/// `[chart]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    /// Language of chart text.
    pub language: Language,
    /// Another font file, resolved relative to the scenario file.
    pub font: Option<PathBuf>,
    /// `funnel_scale`: the vertical scale of funnel.png.
    pub funnel_scale: FunnelScale,
    /// `money_units`: how large amounts are written; `None` picks by language and currency.
    pub money_units: Option<MoneyUnits>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            language: Language::English,
            font: None,
            funnel_scale: FunnelScale::Linear,
            money_units: None,
        }
    }
}

impl ChartOptions {
    /// The money units in force: as written, else 万 / 億 for Japanese charts
    /// of yen amounts and short ("2.25M") otherwise.
    pub fn money_units_for(&self, currency: &str) -> MoneyUnits {
        self.money_units
            .unwrap_or(if self.language == Language::Japanese && is_yen(currency) {
                MoneyUnits::ManOku
            } else {
                MoneyUnits::Short
            })
    }
}

/// Whether a currency label names the yen.
pub(crate) fn is_yen(currency: &str) -> bool {
    matches!(currency.trim(), "JPY" | "jpy" | "円" | "¥" | "￥" | "yen")
}

/// The vertical scale of funnel.png.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunnelScale {
    /// `"linear"` (the default): bar heights in proportion to the counts.
    Linear,
    /// `"log"`: leads and won deals both readable, heights no longer proportional.
    Log,
}

/// How large amounts of money are written in charts and tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyUnits {
    /// `"short"`: 980k, 2.25M, 1.2B.
    Short,
    /// `"man_oku"`: 98万, 225万, 1.2億 (ten thousands and hundred millions).
    ManOku,
}

/// The first calendar month of the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearMonth {
    /// The calendar year.
    pub year: i32,
    /// 1..=12.
    pub month: u32,
}

/// A checked scenario: one setup's complete description.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Its name (a variant's name in a variant's scenario), for the output folder.
    pub name: String,
    /// What tables and charts show: `label`, else the name.
    pub label: String,
    /// Free text describing it; may be empty.
    pub description: String,
    /// Months simulated, 1 to 120.
    pub horizon_months: u32,
    /// `None`: months are labelled 1, 2, ... on the 2027 calendar.
    pub start: Option<YearMonth>,
    /// Currency of every money value (a label only).
    pub currency: String,
    /// Default number of Monte Carlo runs.
    pub runs: u64,
    /// Default random seed.
    pub seed: u64,
    /// The lead sources, at least one.
    pub sources: Vec<Source>,
    /// `[marketing]`: automation, scoring and nurture.
    pub marketing: Marketing,
    /// `[follow_up]`: who works the MQLs, in which order, and how fast.
    pub follow_up: FollowUp,
    /// `[inside_sales]`: the inside-sales team.
    pub inside_sales: InsideSales,
    /// `[sales]`: field sales, from SQL to closed deal.
    pub sales: Sales,
    /// `[deal]`: deal economics.
    pub deal: Deal,
    /// (U) `costs.fixed_per_month`: other sales and marketing cost, money per month.
    pub fixed_cost_per_month: Uncertain,
    /// `[targets]`: goals whose chance of being met the report gives.
    pub targets: Vec<Goal>,
    /// `[chart]`: chart language and font.
    pub chart: ChartOptions,
    /// `[[correlation]]`: rank correlations between (U) inputs (empty: all independent).
    pub correlations: correlation::Copula,
}

/// One setup to simulate: the scenario itself or one of its variants.
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// Its name: the scenario's or the variant's (`--setup`, `baseline` find it by name).
    pub name: String,
    /// What tables and charts show: the label of the scenario or variant, else its name.
    pub label: String,
    /// What it assumes without saying so: costs left at 0, values left at defaults.
    pub assumptions: assumptions::Assumptions,
    /// The checked scenario, with the variant's changes applied.
    pub scenario: Scenario,
}

/// A scenario file with its setups, ready to simulate.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario's own name (`[scenario] name`, else the file name): the output folder.
    pub name: String,
    /// What titles show: `[scenario] label`, else the name.
    pub label: String,
    /// The `--set` assignments applied, in order.
    pub overrides: Vec<Override>,
    /// The scenario tree after `extends` and `--set`, before variants.
    pub tree: Node,
    /// The scenario first, then its variants.
    pub setups: Vec<Setup>,
}

/// One `--set` assignment: for one setup (`--set 'Baseline:sales.reps=8'`) or every setup.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Override {
    /// The setup's name, or `None` for every setup.
    pub setup: Option<String>,
    /// `PATH=VALUE` as given.
    pub assignment: String,
}

impl Override {
    /// Which setups it changed: "every setup" or "Baseline only".
    pub fn scope(&self) -> String {
        match &self.setup {
            Some(name) => format!("{name} only"),
            None => "every setup".into(),
        }
    }

    /// Splits `SETUP:PATH=VALUE` (a colon before the `=`: paths hold none) from `PATH=VALUE`.
    pub fn parse(text: &str) -> Override {
        let head = text.split_once('=').map_or(text, |(h, _)| h);
        match head.rfind(':') {
            Some(i) => Override {
                setup: Some(text[..i].trim().to_string()),
                assignment: text[i + 1..].trim().to_string(),
            },
            None => Override {
                setup: None,
                assignment: text.to_string(),
            },
        }
    }
}

/// Reads a scenario file, applies `--set` assignments, and builds its setups.
/// An assignment `SETUP:PATH=VALUE` changes only the setup of that name.
pub fn load(path: &Path, assignments: &[String]) -> InputResult<Loaded> {
    let mut tree = doc::load_file(path)?;
    if !matches!(tree.value, Value::Table(_)) {
        return Err(InputError::new("a scenario must be a TOML table").at(&tree.origin));
    }
    let overrides: Vec<Override> = assignments.iter().map(|a| Override::parse(a)).collect();
    for o in overrides.iter().filter(|o| o.setup.is_none()) {
        paths::apply_assignment(&mut tree, &o.assignment, "--set")?;
    }
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let setups = setups_with(&tree, &default_name, &overrides)?;
    let name = match tree
        .get("scenario")
        .and_then(|s| s.get("name"))
        .map(|n| &n.value)
    {
        Some(Value::Str(n)) => n.clone(),
        _ => default_name,
    };
    let label = read_label(&tree).unwrap_or_else(|| name.clone());
    Ok(Loaded {
        name,
        label,
        overrides,
        tree,
        setups,
    })
}

/// What titles call the scenario of `tree`: its label, else `name`.
pub fn title_of(tree: &Node, name: &str) -> String {
    read_label(tree).unwrap_or_else(|| name.to_string())
}

/// `[chart]` as written (the defaults where it is missing or does not read:
/// the scenario's own checks report that).
pub fn chart_of(tree: &Node) -> ChartOptions {
    reader::Reader::new(tree, "", "")
        .and_then(|root| read::read_chart(&root))
        .unwrap_or_default()
}

/// `[scenario] currency` as written (empty when unset or not text).
pub fn currency_of(tree: &Node) -> String {
    tree.get("scenario")
        .and_then(|t| text_at(t, "currency"))
        .unwrap_or_default()
}

/// The text at `key` of a table, when it is text.
pub(crate) fn text_at(table: &Node, key: &str) -> Option<String> {
    match table.get(key).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `[scenario] label`, when written (checked with the rest of the scenario).
fn read_label(tree: &Node) -> Option<String> {
    tree.get("scenario").and_then(|t| text_at(t, "label"))
}

/// The scenario of a tree and its `[[variant]]`s.
pub fn setups_of(tree: &Node, default_name: &str) -> InputResult<Vec<Setup>> {
    setups_with(tree, default_name, &[])
}

/// Applies the overrides scoped to the setup `name` to its tree.
fn apply_scoped(tree: &mut Node, name: &str, overrides: &[Override]) -> InputResult<()> {
    for o in overrides
        .iter()
        .filter(|o| o.setup.as_deref() == Some(name))
    {
        paths::apply_assignment(tree, &o.assignment, "--set")?;
    }
    Ok(())
}

/// [`setups_of`], with the `--set` assignments scoped to one setup applied to it.
fn setups_with(tree: &Node, default_name: &str, overrides: &[Override]) -> InputResult<Vec<Setup>> {
    let mut base_tree = tree.clone();
    base_tree.remove("variant");
    let mut own_tree = base_tree.clone();
    let base_name = read_scenario(&base_tree, default_name)?.name;
    apply_scoped(&mut own_tree, &base_name, overrides)?;
    let base = read_scenario(&own_tree, default_name)?;
    let mut setups = vec![Setup {
        name: base.name.clone(),
        label: base.label.clone(),
        assumptions: assumptions::assumptions(&own_tree, &base),
        scenario: base,
    }];
    let Some(variants) = tree.get("variant") else {
        check_scopes(&setups, overrides)?;
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
        let label = reader.label()?.unwrap_or_else(|| name.clone());
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
        apply_scoped(&mut variant_tree, &name, overrides)?;
        let mut scenario =
            read::read_variant(&variant_tree, default_name).map_err(|e| InputError {
                message: format!("{} (in variant `{name}`)", e.message),
                ..e
            })?;
        scenario.name = name.clone();
        scenario.label = label.clone();
        setups.push(Setup {
            name,
            label,
            assumptions: assumptions::assumptions(&variant_tree, &scenario),
            scenario,
        });
    }
    check_scopes(&setups, overrides)?;
    put_baseline_first(tree, &mut setups)?;
    Ok(setups)
}

/// Every scoped `--set` names a setup.
fn check_scopes(setups: &[Setup], overrides: &[Override]) -> InputResult<()> {
    for o in overrides {
        if let Some(name) = &o.setup
            && !setups.iter().any(|s| &s.name == name)
        {
            let names: Vec<String> = setups.iter().map(|s| format!("`{}`", s.name)).collect();
            return Err(InputError::new(format!(
                "--set {name}:{}: no setup is named `{name}`",
                o.assignment
            ))
            .key("--set")
            .hint(format!(
                "the setups are {}; leave out `NAME:` to set every setup",
                names.join(", ")
            )));
        }
    }
    Ok(())
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
        put("follow_up.team", self.follow_up.team.name().into());
        put(
            "follow_up.queue_order",
            self.follow_up.queue_order.name().into(),
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
        for c in &self.correlations.entries {
            let i = c.entry;
            put(
                &format!("correlation.{i}.inputs"),
                format!("[\"{}\", \"{}\"]", c.inputs[0], c.inputs[1]),
            );
            put(&format!("correlation.{i}.rank"), n(c.rank));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}
