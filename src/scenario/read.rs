//! Reading and checking a whole scenario tree, table by table, with its defaults.

use super::*;

/// Reads and checks a whole scenario tree (without its variants).
pub fn read_scenario(tree: &Node, default_name: &str) -> InputResult<Scenario> {
    read_setup(tree, default_name, correlation::PlainInput::ErrorIfWritten)
}

/// Reads a variant's tree (the scenario's, with the variant's `set` applied).
pub(super) fn read_variant(tree: &Node, default_name: &str) -> InputResult<Scenario> {
    read_setup(tree, default_name, correlation::PlainInput::LeaveOut)
}

fn read_setup(
    tree: &Node,
    default_name: &str,
    plain: correlation::PlainInput,
) -> InputResult<Scenario> {
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
    let label = head.label()?.unwrap_or_else(|| name.clone());
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
    let inside_sales = read_inside_sales(&root)?;
    let sales = read_sales(&root)?;
    let deal = read_deal(&root)?;
    let costs = root.table("costs", "costs")?;
    let fixed_cost_per_month = costs.uncertain("fixed_per_month", Domain::NonNegative, 0.0)?;
    let targets = read_targets(&root)?;
    let chart = read_chart(&root)?;
    let mut scenario = Scenario {
        name,
        label,
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
        correlations: Default::default(),
    };
    // Last: an input must name a (U) value of the scenario as read.
    scenario.correlations = correlation::read_correlations(&root, &scenario, plain)?;
    Ok(scenario)
}

pub(super) fn read_inside_sales(root: &Reader<'_>) -> InputResult<InsideSales> {
    let is = root.table("inside_sales", "inside_sales")?;
    Ok(InsideSales {
        reps: is.whole("reps", 0, 100_000, 0)? as u32,
        mqls_per_rep_per_day: is.uncertain("mqls_per_rep_per_day", Domain::NonNegative, 20.0)?,
        cost_per_rep_per_month: is.uncertain("cost_per_rep_per_month", Domain::NonNegative, 0.0)?,
    })
}

pub(super) fn read_sales(root: &Reader<'_>) -> InputResult<Sales> {
    let s = root.table("sales", "sales")?;
    Ok(Sales {
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
    })
}

pub(super) fn read_deal(root: &Reader<'_>) -> InputResult<Deal> {
    let d = root.table("deal", "deal")?;
    Ok(Deal {
        monthly_revenue: d
            .dist("monthly_revenue", Domain::NonNegative, Some(0.0))?
            .expect("default"),
        gross_margin: d.uncertain("gross_margin", Domain::Probability, 0.75)?,
        monthly_churn: d.uncertain("monthly_churn", Domain::Probability, 0.015)?,
        max_lifetime_months: d.whole("max_lifetime_months", 1, 1200, 60)? as u32,
    })
}

pub(super) fn parse_year_month(node: &Node) -> Option<YearMonth> {
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

pub(super) fn read_sources(root: &Reader<'_>) -> InputResult<Vec<Source>> {
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
        let label = r0.label()?.unwrap_or_else(|| name.clone());
        if sources.iter().any(|s| s.name == name) {
            return Err(r0
                .error("name", format!("two sources are named `{name}`"))
                .hint("source names must be unique: variants and --set find sources by name"));
        }
        let r = Reader {
            node: item,
            prefix: format!("source.{name}"),
        };
        let leads_per_month = read_leads_per_month(&r, item)?;
        let seasonality = read_seasonality(&r)?;
        let cost = read_lead_cost(&r)?;
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
            label,
        });
    }
    Ok(sources)
}

/// A source's `leads_per_month`: required, and within what funnelsim simulates.
fn read_leads_per_month(r: &Reader<'_>, item: &Node) -> InputResult<Uncertain> {
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
    Ok(leads_per_month)
}

/// A source's `seasonality`: twelve factors >= 0, January first (default all 1).
fn read_seasonality(r: &Reader<'_>) -> InputResult<[f64; 12]> {
    let Some(n) = r.value("seasonality") else {
        return Ok([1.0; 12]);
    };
    let Value::Array(vals) = &n.value else {
        return Err(type_error(
            n,
            &r.path("seasonality"),
            "an array of 12 numbers",
        ));
    };
    let values: Option<Vec<f64>> = vals.iter().map(as_f64).collect();
    match values {
        Some(v) if v.len() == 12 && v.iter().all(|x| x.is_finite() && *x >= 0.0) => {
            Ok(v.try_into().expect("12 values"))
        }
        Some(v) if v.len() != 12 => Err(r
            .error(
                "seasonality",
                format!("expected 12 monthly factors, found {}", v.len()),
            )
            .hint("one factor per calendar month, January first")),
        _ => Err(r
            .error("seasonality", "every factor must be a number >= 0")
            .hint(
                "e.g. seasonality = [1.0, 1.0, 1.2, 1.0, 1.0, 0.9, 0.8, 0.9, 1.0, 1.1, 1.1, 1.0]",
            )),
    }
}

/// How a source's leads are paid for: `cost_per_lead` or `budget_per_month`, not both (default 0 a lead).
fn read_lead_cost(r: &Reader<'_>) -> InputResult<LeadCost> {
    match (
        r.opt_uncertain("cost_per_lead", Domain::NonNegative)?,
        r.opt_uncertain("budget_per_month", Domain::NonNegative)?,
    ) {
        (Some(_), Some(_)) => Err(r
            .error(
                "budget_per_month",
                "a source has cost_per_lead or budget_per_month, not both",
            )
            .hint("remove one of them")),
        (Some(c), None) => Ok(LeadCost::PerLead(c)),
        (None, Some(b)) => Ok(LeadCost::BudgetPerMonth(b)),
        (None, None) => Ok(LeadCost::PerLead(Uncertain::fixed(
            r.path("cost_per_lead"),
            0.0,
            Domain::NonNegative,
        ))),
    }
}

pub(super) fn read_marketing(root: &Reader<'_>) -> InputResult<Marketing> {
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

pub(super) fn read_follow_up(root: &Reader<'_>) -> InputResult<FollowUp> {
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
        team: f.choice("team", &Team::NAMES, Team::FieldSales)?,
        queue_order: f.choice("queue_order", &QueueOrder::NAMES, QueueOrder::OldestFirst)?,
        sla_days: f.whole("sla_days", 0, 3650, 5)? as u32,
        response_half_life_days: f.uncertain("response_half_life_days", Domain::Positive, 7.0)?,
        sql_rate_by_score: bands,
    })
}

pub(super) fn read_bands(f: &Reader<'_>, node: &Node) -> InputResult<Vec<ScoreBand>> {
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

pub(super) fn read_targets(root: &Reader<'_>) -> InputResult<Vec<Goal>> {
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

pub(super) fn read_chart(root: &Reader<'_>) -> InputResult<ChartOptions> {
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
        funnel_scale: c.choice(
            "funnel_scale",
            &[("linear", FunnelScale::Linear), ("log", FunnelScale::Log)],
            FunnelScale::Linear,
        )?,
        money_units: match c.value("money_units") {
            None => None,
            Some(_) => Some(c.choice(
                "money_units",
                &[
                    ("short", MoneyUnits::Short),
                    ("man_oku", MoneyUnits::ManOku),
                ],
                MoneyUnits::Short,
            )?),
        },
    })
}
