//! Parameter sweeps and goal seeking: every point a full Monte Carlo on the
//! same seed and run indices (common random numbers), so differences between
//! points are the parameter's, not noise.

use serde::Serialize;

use crate::error::{Error, InputError, InputResult, Origin};
use crate::runs::engine::{self, RunPlan, SetupRuns};
use crate::runs::stats::{Summary, share};
use crate::scenario::doc::{Node, Value};
use crate::scenario::metric::{FUNNEL_STAGES, Goal, MONTHLY_METRICS, Metric};
use crate::scenario::paths::ParamPath;
use crate::scenario::{Setup, setups_of};

/// Most points a sweep or search may simulate.
pub const MAX_POINTS: usize = 400;

/// One value of a swept parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AxisValue {
    /// A number: the parameter's value, or the factor a distribution is scaled by.
    Number(f64),
    /// A choice written as text, e.g. a named option.
    Choice(String),
}

impl AxisValue {
    /// The value as a table or chart shows it.
    pub fn label(&self) -> String {
        match self {
            AxisValue::Number(x) => crate::scenario::dist::format_number((x * 1e9).round() / 1e9),
            AxisValue::Choice(s) => s.clone(),
        }
    }

    /// The number, for charts (choices are placed by index).
    pub fn number(&self) -> Option<f64> {
        match self {
            AxisValue::Number(x) => Some(*x),
            AxisValue::Choice(_) => None,
        }
    }
}

/// A swept parameter and its values.
#[derive(Clone, Debug, Serialize)]
pub struct Axis {
    /// The parameter path, e.g. `inside_sales.reps`.
    pub path: String,
    #[serde(skip)]
    param: ParamPath,
    /// The values simulated, in order.
    pub values: Vec<AxisValue>,
    /// The parameter is a distribution: each value is a factor it is scaled by as a whole.
    pub scaled: bool,
    /// Values are whole numbers.
    pub integer: bool,
}

impl Axis {
    /// The axis title: the path, and "× factor" for a scaled distribution.
    pub fn title(&self) -> String {
        if self.scaled {
            format!("{} (× factor)", self.path)
        } else {
            self.path.clone()
        }
    }
}

/// Parses `PATH=FROM..TO[:STEP]` or `PATH=a,b,c` against a scenario tree.
pub fn parse_axis(spec: &str, tree: &Node, flag: &str) -> InputResult<Axis> {
    let argument = format!("{flag} {spec}");
    let origin = Origin::Argument(argument.as_str().into());
    let bad = |msg: String| {
        InputError::new(msg).at(&origin).hint(
            "write PATH=FROM..TO, PATH=FROM..TO:STEP or PATH=a,b,c, e.g. inside_sales.reps=1..6",
        )
    };
    let (path, values) = spec
        .split_once('=')
        .ok_or_else(|| bad(format!("`{spec}` is not PATH=VALUES")))?;
    let param = ParamPath::parse(path.trim(), tree, &origin)?;
    let current = param.get(tree);
    let scaled = current.is_some_and(|n| matches!(n.value, Value::Table(_)));
    let integer = current.is_some_and(|n| matches!(n.value, Value::Int(_)));
    let values = values.trim();
    let parsed: Vec<AxisValue> = match values.split_once("..") {
        Some((from, rest)) => {
            // A whole-number range: an integer parameter, or whole ends of a new key.
            let whole_ends = current.is_none();
            range_values(from, rest, integer, whole_ends, &bad)?
        }
        None => list_values(values, &bad)?,
    };
    if parsed.is_empty() || parsed.len() > MAX_POINTS {
        return Err(bad(format!(
            "a sweep needs 1 to {MAX_POINTS} values, found {}",
            parsed.len()
        )));
    }
    Ok(Axis {
        path: param.as_str().to_string(),
        param,
        values: parsed,
        scaled,
        integer,
    })
}

/// `FROM..TO[:STEP]`: the values from FROM to TO, whole numbers when the
/// parameter is an integer (or the key is new and both ends are whole).
fn range_values(
    from: &str,
    rest: &str,
    integer: bool,
    whole_ends: bool,
    bad: &dyn Fn(String) -> InputError,
) -> InputResult<Vec<AxisValue>> {
    let (to, step) = match rest.split_once(':') {
        Some((t, s)) => (t, Some(s)),
        None => (rest, None),
    };
    let num = parse_number;
    let (from, to) = (
        num(from).ok_or_else(|| bad(format!("`{from}` is not a number")))?,
        num(to).ok_or_else(|| bad(format!("`{to}` is not a number")))?,
    );
    if to < from {
        return Err(bad(format!("the range {from}..{to} runs backwards")));
    }
    let whole = integer || (from.fract() == 0.0 && to.fract() == 0.0 && whole_ends);
    let step = match step {
        Some(s) => num(s).ok_or_else(|| bad(format!("`{s}` is not a number")))?,
        None if whole && to - from <= 20.0 => 1.0,
        None => (to - from) / 10.0,
    };
    if step.is_nan() || step <= 0.0 {
        return Err(bad(format!(
            "the step must be greater than 0, found {step}"
        )));
    }
    let count = ((to - from) / step + 1e-9).floor() + 1.0;
    if count > MAX_POINTS as f64 {
        return Err(bad(format!("{count} points are more than {MAX_POINTS}"))
            .hint(format!("use a larger step: at most {MAX_POINTS} points")));
    }
    let mut xs: Vec<f64> = (0..count as usize)
        .map(|i| from + i as f64 * step)
        .collect();
    if whole {
        xs.iter_mut().for_each(|x| *x = x.round());
        xs.dedup();
    }
    Ok(xs.into_iter().map(AxisValue::Number).collect())
}

/// A finite number as a user types it on the command line (`1_000` allowed).
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim()
        .replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// `a,b,c`: numbers, or choices such as queue orders.
fn list_values(values: &str, bad: &dyn Fn(String) -> InputError) -> InputResult<Vec<AxisValue>> {
    values
        .split(',')
        .map(|v| {
            let v = v.trim();
            match v.replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(AxisValue::Number(x)),
                Ok(_) => Err(bad(format!("`{v}` is not a finite number"))),
                Err(_) if !v.is_empty() => Ok(AxisValue::Choice(v.to_string())),
                Err(_) => Err(bad("an empty value in the list".into())),
            }
        })
        .collect()
}

/// Multiplies every number of a distribution table by `factor`.
fn scale(node: &Node, factor: f64) -> Node {
    let value = match &node.value {
        Value::Int(i) => Value::Float(*i as f64 * factor),
        Value::Float(x) => Value::Float(x * factor),
        Value::Array(items) => Value::Array(items.iter().map(|n| scale(n, factor)).collect()),
        Value::Table(entries) => Value::Table(
            entries
                .iter()
                .map(|e| crate::scenario::doc::Entry {
                    key: e.key.clone(),
                    key_origin: e.key_origin.clone(),
                    node: scale(&e.node, factor),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        value,
        origin: node.origin.clone(),
    }
}

/// The scenario itself (without its variants) with the axes set to `values`.
pub fn setup_at(
    tree: &Node,
    default_name: &str,
    axes: &[&Axis],
    values: &[&AxisValue],
) -> InputResult<Setup> {
    let mut t = tree.clone();
    t.remove("variant");
    if let Some(head) = t.get_mut("scenario") {
        head.remove("baseline");
    }
    for (axis, value) in axes.iter().zip(values) {
        let origin = Origin::Argument(format!("{}={}", axis.path, value.label()).into());
        let node = match (value, axis.scaled) {
            (AxisValue::Number(f), true) => scale(
                axis.param
                    .get(tree)
                    .expect("a scaled parameter has a value"),
                *f,
            ),
            (AxisValue::Number(x), false) if axis.integer || x.fract() == 0.0 && x.abs() < 1e15 => {
                Node {
                    value: Value::Int(*x as i64),
                    origin: origin.clone(),
                }
            }
            (AxisValue::Number(x), false) => Node {
                value: Value::Float(*x),
                origin: origin.clone(),
            },
            (AxisValue::Choice(s), _) => Node {
                value: Value::Str(s.clone()),
                origin: origin.clone(),
            },
        };
        axis.param.set(&mut t, node);
    }
    let mut setups = setups_of(&t, default_name).map_err(|e| InputError {
        message: format!("at {}: {}", describe(axes, values), e.message),
        ..e
    })?;
    Ok(setups.swap_remove(0))
}

fn describe(axes: &[&Axis], values: &[&AxisValue]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| format!("{} = {}", a.path, v.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One point of a sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// One value per axis.
    pub values: Vec<AxisValue>,
    /// The metric across the point's runs (percentiles as PERCENTILE.INC).
    pub summary: Summary,
    /// P(goal) when a goal is given.
    pub p_goal: Option<f64>,
    /// What the point costs.
    #[serde(flatten)]
    pub cost: PointCost,
    /// The metric `--best` ranks by, when it is not the swept one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranked: Option<Summary>,
}

/// What a setup costs across its runs: the decision is about money.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PointCost {
    /// Mean cost over the horizon.
    pub cost_mean: Option<f64>,
    /// Median cost per won deal (CAC) across the runs.
    pub cac_p50: Option<f64>,
}

impl PointCost {
    /// The cost figures of a setup's runs.
    pub fn of(r: &SetupRuns) -> PointCost {
        let column = |m: Metric| Summary::of(r.runs.iter().map(|x| x.get(m)));
        PointCost {
            cost_mean: column(Metric::Cost).mean,
            cac_p50: column(Metric::Cac).p50,
        }
    }
}

/// How a sweep picks its best point (`--best`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum BestRule {
    /// The highest P(goal); the first point on a tie.
    PGoal,
    /// The least mean cost among the points whose P(goal) reaches `confidence`.
    Cheapest {
        /// The chance a point must reach.
        confidence: f64,
    },
    /// The best median of a metric (highest, or lowest where less is better); the first on a tie.
    Metric {
        /// The metric ranked.
        metric: Metric,
    },
}

/// A finished sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The currency of its money, as the scenario names it.
    #[serde(skip)]
    pub currency: String,
    /// What charts call its parameters.
    #[serde(skip)]
    pub names: crate::scenario::names::ParameterNames,
    /// `[chart]`: the language and money units of its tables and charts.
    #[serde(skip)]
    pub chart: crate::scenario::ChartOptions,
    /// The parameters varied, one or two.
    pub axes: Vec<Axis>,
    /// The metric summarised at every point.
    pub metric: Metric,
    /// The goal whose chance is given at every point, if any.
    #[serde(serialize_with = "maybe_goal_text")]
    pub goal: Option<Goal>,
    /// Runs per point.
    pub runs: u64,
    /// The seed every point shares (common random numbers).
    pub seed: u64,
    /// Every point of the grid; with two axes, the second varies fastest.
    pub points: Vec<Point>,
    /// How the best point was picked.
    pub best_rule: BestRule,
    /// Index of the best point by `best_rule`. With `cheapest` and no point
    /// reaching the confidence, the point with the highest P(goal).
    pub best: usize,
    /// Whether some point met `best_rule` (false only for `cheapest` when no
    /// point reaches the confidence).
    pub best_met: bool,
}

/// Simulates one setup and summarises a metric (and a goal).
fn evaluate(
    setup: &Setup,
    metric: Metric,
    goal: Option<&Goal>,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> (Summary, Option<f64>, SetupRuns) {
    let r = engine::run_all(std::slice::from_ref(setup), seed, runs, progress).swap_remove(0);
    let summary = summary_of(&r, metric);
    let p_goal = goal.map(|g| share(r.runs.iter().map(|x| x.get(g.metric)), |x| g.met_by(x)));
    (summary, p_goal, r)
}

fn summary_of(r: &SetupRuns, metric: Metric) -> Summary {
    Summary::of(r.runs.iter().map(|x| x.get(metric)))
}

/// The best point by `rule`, and whether any point met it.
fn best_point(points: &[Point], rule: BestRule) -> (usize, bool) {
    let first_max = |key: &dyn Fn(&Point) -> Option<f64>| {
        let mut best: Option<(usize, f64)> = None;
        for (i, p) in points.iter().enumerate() {
            if let Some(k) = key(p).filter(|k| !k.is_nan())
                && best.is_none_or(|(_, b)| k > b)
            {
                best = Some((i, k));
            }
        }
        best.map(|(i, _)| i)
    };
    let by_median =
        |m: Metric, s: &Summary| s.p50.map(|x| if m.lower_is_better() { -x } else { x });
    match rule {
        BestRule::PGoal => (first_max(&|p| p.p_goal).unwrap_or(0), true),
        BestRule::Cheapest { confidence } => {
            let cheapest = first_max(&|p| {
                p.p_goal
                    .filter(|&pg| pg >= confidence)
                    .and(p.cost.cost_mean.map(|c| -c))
            });
            match cheapest {
                Some(i) => (i, true),
                None => (first_max(&|p| p.p_goal).unwrap_or(0), false),
            }
        }
        BestRule::Metric { metric: m } => {
            let key = |p: &Point| by_median(m, p.ranked.as_ref().unwrap_or(&p.summary));
            (first_max(&key).unwrap_or(0), true)
        }
    }
}

/// What a sweep asks: one or two axes, the metric summarised, an optional goal.
#[derive(Clone, Debug)]
pub struct SweepSpec {
    /// The parameters varied, one or two.
    pub axes: Vec<Axis>,
    /// The metric summarised at every point.
    pub metric: Metric,
    /// A goal whose chance is given at every point.
    pub goal: Option<Goal>,
    /// How the best point is picked (checked by the caller: `PGoal` and
    /// `Cheapest` need a goal).
    pub best: BestRule,
}

impl SweepSpec {
    /// A sweep with the default best rule: the highest P(goal) with a goal,
    /// else the best median of the metric.
    pub fn new(axes: Vec<Axis>, metric: Metric, goal: Option<Goal>) -> SweepSpec {
        let best = BestRule::default_for(goal.as_ref(), metric);
        SweepSpec {
            axes,
            metric,
            goal,
            best,
        }
    }
}

impl BestRule {
    /// The rule without `--best`: the highest P(goal) with a goal, else the best median of `metric`.
    pub fn default_for(goal: Option<&Goal>, metric: Metric) -> BestRule {
        match goal {
            Some(_) => BestRule::PGoal,
            None => BestRule::Metric { metric },
        }
    }
}

/// What a goal search asks: the least (or most) value of `axis` within
/// `range` that meets `goal` with probability `confidence`.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    /// The parameter solved for.
    pub axis: Axis,
    /// The values searched, lowest and highest.
    pub range: (f64, f64),
    /// The goal to meet.
    pub goal: Goal,
    /// The chance wanted, in (0, 1).
    pub confidence: f64,
}

/// A goal as written, "won >= 30", in JSON.
fn goal_text<S: serde::Serializer>(goal: &Goal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&goal.to_string())
}

/// An optional goal as written, in JSON.
fn maybe_goal_text<S: serde::Serializer>(goal: &Option<Goal>, s: S) -> Result<S::Ok, S::Error> {
    match goal {
        Some(g) => goal_text(g, s),
        None => s.serialize_none(),
    }
}

/// An axis as its title in JSON.
fn axis_title<S: serde::Serializer>(axis: &Axis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&axis.title())
}

/// Runs a sweep over one or two axes. Every point is checked before any is simulated.
pub fn sweep(tree: &Node, name: &str, spec: SweepSpec, plan: &RunPlan) -> Result<Sweep, Error> {
    let SweepSpec {
        axes,
        metric,
        goal,
        best: best_rule,
    } = spec;
    let (runs, seed, progress) = (plan.runs, plan.seed, plan.progress);
    let grid: Vec<Vec<&AxisValue>> = match axes.as_slice() {
        [a] => a.values.iter().map(|v| vec![v]).collect(),
        [a, b] => a
            .values
            .iter()
            .flat_map(|x| b.values.iter().map(move |y| vec![x, y]))
            .collect(),
        _ => {
            return Err(InputError::new("a sweep varies one or two parameters")
                .hint("give --vary once or twice")
                .into());
        }
    };
    if grid.len() > MAX_POINTS {
        return Err(InputError::new(format!(
            "the grid has {} points, more than {MAX_POINTS}",
            grid.len()
        ))
        .hint("use fewer values per --vary")
        .into());
    }
    let axis_refs: Vec<&Axis> = axes.iter().collect();
    let setups: Vec<Setup> = grid
        .iter()
        .map(|values| setup_at(tree, name, &axis_refs, values))
        .collect::<InputResult<_>>()?;
    let points: Vec<Point> = setups
        .iter()
        .zip(&grid)
        .map(|(setup, values)| {
            let (summary, p_goal, r) = evaluate(setup, metric, goal.as_ref(), runs, seed, progress);
            let ranked = match best_rule {
                BestRule::Metric { metric: m } if m != metric => Some(summary_of(&r, m)),
                _ => None,
            };
            Point {
                values: values.iter().map(|v| (*v).clone()).collect(),
                summary,
                p_goal,
                cost: PointCost::of(&r),
                ranked,
            }
        })
        .collect();
    let (best, best_met) = best_point(&points, best_rule);
    Ok(Sweep {
        scenario: crate::scenario::title_of(tree, name),
        currency: crate::scenario::currency_of(tree),
        names: crate::scenario::names::ParameterNames::of_tree(tree),
        chart: crate::scenario::chart_of(tree),
        axes,
        metric,
        goal,
        runs,
        seed,
        points,
        best_rule,
        best,
        best_met,
    })
}

/// What the goal search found.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// The least (or most) value meeting the goal with the confidence.
    Found {
        /// The parameter's value found.
        value: f64,
        /// P(goal) at that value, a share of runs in [0, 1].
        p_goal: f64,
        /// The values simulated whose P(goal) is within the 95% Monte Carlo
        /// interval of the confidence (the answer included), lowest and
        /// highest: the answer is known no closer than this.
        uncertain: (f64, f64),
    },
    /// P(goal) rises and falls over the range: no single threshold answers it.
    NonMonotone {
        /// The ranges (from, to) of searched values that meet the goal with the confidence.
        feasible: Vec<(f64, f64)>,
        /// The value with the highest P(goal).
        best_value: f64,
        /// That P(goal), a share of runs in [0, 1].
        best_p_goal: f64,
    },
    /// No value in the range meets the goal with the confidence.
    Unreachable {
        /// The value with the highest P(goal).
        best_value: f64,
        /// That P(goal), a share of runs in [0, 1].
        best_p_goal: f64,
    },
}

/// One stage of the KPI cascade at the answer: per month, with its p10-p90.
#[derive(Clone, Debug, Serialize)]
pub struct CascadeStage {
    /// The stage's count: leads, MQLs, SQLs, opportunities or won deals.
    pub metric: Metric,
    /// Per-month average over the horizon (run total / months).
    pub per_month: Summary,
    /// The conversion rate from the stage before (none for leads).
    pub conversion: Option<(Metric, Summary)>,
}

/// The KPI cascade: what each team must deliver, and month by month.
#[derive(Clone, Debug, Serialize)]
pub struct Cascade {
    /// Who follows up (the owner of the SQLs).
    pub team: crate::scenario::Team,
    /// Each funnel stage, leads first.
    pub stages: Vec<CascadeStage>,
    /// Month labels.
    pub months: Vec<String>,
    /// Per stage (same order), per month: the month's count summary.
    pub by_month: Vec<Vec<Summary>>,
}

/// A finished goal search.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    /// The scenario's name.
    pub scenario: String,
    /// The currency of its money, as the scenario names it.
    #[serde(skip)]
    pub currency: String,
    /// What charts call its parameters.
    #[serde(skip)]
    pub names: crate::scenario::names::ParameterNames,
    /// `[chart]`: the language and money units of its tables and charts.
    #[serde(skip)]
    pub chart: crate::scenario::ChartOptions,
    /// The parameter solved for (its title, "× factor" for a scaled distribution, in JSON).
    #[serde(rename = "path", serialize_with = "axis_title")]
    pub axis: Axis,
    /// The goal to meet.
    #[serde(serialize_with = "goal_text")]
    pub goal: Goal,
    /// The chance wanted, in (0, 1).
    pub confidence: f64,
    /// Runs per point simulated.
    pub runs: u64,
    /// The seed every point shares (common random numbers).
    pub seed: u64,
    /// (value, P(goal)) of every point simulated, sorted by value.
    pub curve: Vec<(f64, f64)>,
    /// What each point of `curve` costs, in the same order.
    pub costs: Vec<PointCost>,
    /// Whether P(goal) grows with the parameter.
    pub increasing: bool,
    /// What the search found.
    pub answer: Answer,
    /// At the answer (or the best point of a chance that rises and falls);
    /// none when no value meets the goal.
    pub cascade: Option<Cascade>,
}

/// Finds the least value of a parameter (the most, where the goal improves as
/// it falls) that meets `goal` with probability `confidence`.
pub fn target(tree: &Node, name: &str, spec: TargetSpec, plan: &RunPlan) -> Result<Target, Error> {
    let TargetSpec {
        axis,
        range,
        goal,
        confidence,
    } = spec;
    let (runs, seed, progress) = (plan.runs, plan.seed, plan.progress);
    let (lo, hi) = range;
    let integer =
        axis.integer || (lo.fract() == 0.0 && hi.fract() == 0.0 && axis.param.get(tree).is_none());
    let grid = search_grid(lo, hi, integer);
    let mut curve: Vec<(f64, f64, PointCost)> = Vec::new();
    let mut eval = |x: f64| -> Result<f64, Error> {
        if let Some(&(_, p, _)) = curve.iter().find(|(v, ..)| *v == x) {
            return Ok(p);
        }
        let value = AxisValue::Number(x);
        let setup = setup_at(tree, name, &[&axis], &[&value])?;
        let (_, p, r) = evaluate(&setup, goal.metric, Some(&goal), runs, seed, progress);
        let p = p.expect("a goal was given");
        curve.push((x, p, PointCost::of(&r)));
        Ok(p)
    };
    let ps: Vec<f64> = grid.iter().map(|&x| eval(x)).collect::<Result<_, _>>()?;
    let search = Search {
        confidence,
        increasing: ps.last() >= ps.first(),
        // With common random numbers P(goal) is monotone where the model is; allow for the
        // noise of a proportion over `runs` runs.
        tolerance: (3.0 * (0.25 / runs as f64).sqrt()).max(0.01),
        integer,
        precision: if integer { 1.0 } else { (hi - lo) / 200.0 },
    };
    let increasing = search.increasing;
    let mut answer = search.answer(&grid, &ps, &mut eval)?;
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = match &mut answer {
        Answer::Found {
            value, uncertain, ..
        } => {
            // P(goal) over `runs` runs has a 95% half-width of 1.96 sqrt(c (1 - c) / runs) at c.
            let half = 1.96 * (confidence * (1.0 - confidence) / runs as f64).sqrt();
            let near = curve
                .iter()
                .filter(|(_, p, _)| (p - confidence).abs() <= half)
                .map(|(x, ..)| *x)
                .chain([*value]);
            *uncertain = near.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
            Some(*value)
        }
        Answer::NonMonotone { best_value, .. } => Some(*best_value),
        Answer::Unreachable { .. } => None,
    };
    let costs = curve.iter().map(|c| c.2).collect();
    let curve = curve.into_iter().map(|(x, p, _)| (x, p)).collect();
    let cascade = match at {
        Some(at) => {
            let value = AxisValue::Number(at);
            let setup = setup_at(tree, name, &[&axis], &[&value])?;
            let (_, _, runs_at) = evaluate(&setup, goal.metric, Some(&goal), runs, seed, progress);
            Some(cascade(&runs_at))
        }
        None => None,
    };
    Ok(Target {
        scenario: crate::scenario::title_of(tree, name),
        currency: crate::scenario::currency_of(tree),
        names: crate::scenario::names::ParameterNames::of_tree(tree),
        chart: crate::scenario::chart_of(tree),
        axis,
        goal,
        confidence,
        runs,
        seed,
        curve,
        costs,
        increasing,
        answer,
        cascade,
    })
}

/// The values a goal search simulates first: every whole number of a short
/// integer range, else eleven evenly spaced values (rounded for integers).
fn search_grid(lo: f64, hi: f64, integer: bool) -> Vec<f64> {
    let mut grid: Vec<f64> = if integer && hi - lo <= 12.0 {
        (lo as i64..=hi as i64).map(|x| x as f64).collect()
    } else {
        (0..=10).map(|i| lo + (hi - lo) * i as f64 / 10.0).collect()
    };
    if integer {
        grid.iter_mut().for_each(|x| *x = x.round());
        grid.dedup();
    }
    grid
}

/// How a goal search decides, once P(goal) is known on its grid.
struct Search {
    confidence: f64,
    /// Whether P(goal) grows with the parameter (from the grid's ends).
    increasing: bool,
    /// How far P(goal) may go against that direction and still count as monotone.
    tolerance: f64,
    integer: bool,
    /// Bisection stops when the bracket is this narrow.
    precision: f64,
}

impl Search {
    /// Unreachable, not monotone, or the boundary between the last failing and
    /// the first passing grid point, refined by bisection with `eval`.
    fn answer(
        &self,
        grid: &[f64],
        ps: &[f64],
        eval: &mut dyn FnMut(f64) -> Result<f64, Error>,
    ) -> Result<Answer, Error> {
        let against = |a: f64, b: f64| {
            if self.increasing {
                b < a - self.tolerance
            } else {
                b > a + self.tolerance
            }
        };
        let monotone = ps.windows(2).all(|w| !against(w[0], w[1]));
        let (best_i, _) =
            ps.iter().enumerate().fold(
                (0, f64::MIN),
                |(bi, bp), (i, &p)| if p > bp { (i, p) } else { (bi, bp) },
            );
        if !ps.iter().any(|&p| p >= self.confidence) {
            return Ok(Answer::Unreachable {
                best_value: grid[best_i],
                best_p_goal: ps[best_i],
            });
        }
        if !monotone {
            return Ok(Answer::NonMonotone {
                feasible: feasible_intervals(grid, ps, self.confidence),
                best_value: grid[best_i],
                best_p_goal: ps[best_i],
            });
        }
        let order: Vec<usize> = if self.increasing {
            (0..grid.len()).collect()
        } else {
            (0..grid.len()).rev().collect()
        };
        let first_ok = order
            .iter()
            .position(|&i| ps[i] >= self.confidence)
            .expect("some point passes");
        if first_ok == 0 {
            return Ok(Answer::Found {
                value: grid[order[0]],
                p_goal: ps[order[0]],
                uncertain: (grid[order[0]], grid[order[0]]),
            });
        }
        let fail = grid[order[first_ok - 1]];
        let pass = (grid[order[first_ok]], ps[order[first_ok]]);
        let (value, p_goal) = self.bisect(fail, pass, eval)?;
        Ok(Answer::Found {
            value,
            p_goal,
            uncertain: (value, value),
        })
    }

    /// Narrows (fail, pass) to `precision`; returns the passing end and its P(goal).
    fn bisect(
        &self,
        mut fail: f64,
        (mut pass, mut p_pass): (f64, f64),
        eval: &mut dyn FnMut(f64) -> Result<f64, Error>,
    ) -> Result<(f64, f64), Error> {
        while (pass - fail).abs() > self.precision {
            let mid = if self.integer {
                ((fail + pass) / 2.0)
                    .floor()
                    .max(fail.min(pass) + 1.0)
                    .min(fail.max(pass) - 1.0)
            } else {
                (fail + pass) / 2.0
            };
            if mid == fail || mid == pass {
                break;
            }
            let p = eval(mid)?;
            if p >= self.confidence {
                pass = mid;
                p_pass = p;
            } else {
                fail = mid;
            }
        }
        Ok((pass, p_pass))
    }
}

fn feasible_intervals(grid: &[f64], ps: &[f64], confidence: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut open: Option<f64> = None;
    for (i, (&x, &p)) in grid.iter().zip(ps).enumerate() {
        match (p >= confidence, open) {
            (true, None) => open = Some(x),
            (false, Some(start)) => {
                out.push((start, grid[i - 1]));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push((start, *grid.last().expect("a grid has points")));
    }
    out
}

/// The KPI cascade of a set of runs.
pub fn cascade(r: &SetupRuns) -> Cascade {
    let months = r.model.calendar.months();
    let stages = FUNNEL_STAGES;
    let rates = [
        None,
        Some(Metric::MqlRate),
        Some(Metric::MqlToSql),
        Some(Metric::SqlToOpportunity),
        Some(Metric::WinRate),
    ];
    let width = MONTHLY_METRICS.len();
    Cascade {
        team: r.setup.scenario.follow_up.team,
        stages: stages
            .iter()
            .zip(rates)
            .map(|(&m, rate)| CascadeStage {
                metric: m,
                per_month: Summary::of(r.runs.iter().map(|x| x.get(m) / months as f64)),
                conversion: rate.map(|c| (c, Summary::of(r.runs.iter().map(|x| x.get(c))))),
            })
            .collect(),
        months: (0..months).map(|m| r.model.calendar.label(m)).collect(),
        by_month: stages
            .iter()
            .map(|m| {
                let j = MONTHLY_METRICS
                    .iter()
                    .position(|x| x == m)
                    .expect("stages are monthly metrics");
                (0..months)
                    .map(|month| {
                        Summary::of(r.runs.iter().map(|x| x.by_month[month * width + j] as f64))
                    })
                    .collect()
            })
            .collect(),
    }
}
