//! `sweep` and `target`: every point a full Monte Carlo on the same runs.

use std::path::Path;

use super::{OutputOptions, SimOptions, output_dir, progress_bar, run_plan, write_and_print};
use crate::analysis::sweep::{self, BestRule, SweepSpec, TargetSpec};
use crate::charts;
use crate::error::{Error, InputError};
use crate::report::files::{self as output, OutputSet};
use crate::report::{text, xlsx};
use crate::runs::engine::RunPlan;
use crate::scenario::metric::{Goal, Metric, metric_names};
use crate::scenario::{self, doc, paths};

/// The options of `target` beyond the scenario and the shared ones.
pub(super) struct TargetArgs<'a> {
    /// `--goal`.
    pub goal: &'a str,
    /// `--confidence`.
    pub confidence: f64,
    /// `--solve`.
    pub solve: &'a str,
    /// `--range`.
    pub range: Option<&'a str>,
}

/// The options of `sweep` beyond the scenario and the shared ones.
pub(super) struct SweepArgs<'a> {
    /// `--vary`, once or twice.
    pub vary: &'a [String],
    /// `--metric`.
    pub metric: &'a str,
    /// `--goal`.
    pub goal: Option<&'a str>,
    /// `--best`.
    pub best: Option<&'a str>,
    /// `--confidence`.
    pub confidence: f64,
}

/// `sweep`: a grid of one or two parameters.
pub(super) fn sweep(
    path: &Path,
    ask: SweepArgs<'_>,
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let loaded = scenario::load(path, &sim.set)?;
    let metric = parse_metric(ask.metric, "--metric")?;
    let goal = ask.goal.map(parse_goal).transpose()?;
    let best = parse_best(ask.best, goal.as_ref(), metric, ask.confidence)?;
    let vary = ask.vary;
    let axes = vary
        .iter()
        .map(|v| sweep::parse_axis(v, &loaded.tree, "--vary"))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = run_plan(&loaded.setups, sim)?;
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    let dir = output_dir(out, &loaded.name)?;
    let bar = progress_bar(plan.runs * points as u64, sim.quiet, "sweeping");
    let inc = |n| bar.inc(n);
    let plan = RunPlan {
        progress: &inc,
        ..plan
    };
    let spec = SweepSpec {
        axes,
        metric,
        goal,
        best,
    };
    let result = plan.install(|| sweep::sweep(&loaded.tree, &loaded.name, spec, &plan))??;
    bar.finish_and_clear();
    let mut files = OutputSet::default();
    files.add("sweep.csv", output::sweep_csv(&result));
    if !out.no_xlsx {
        files.add(xlsx::SWEEP_XLSX, xlsx::sweep_workbook(&result)?);
    }
    if !out.no_charts {
        let options = &loaded.setups[0].scenario.chart;
        files.add(
            "sweep.png",
            charts::sweep_chart(&result, options, out.chart_size)?,
        );
    }
    write_and_print(&dir, out, files, &result, || text::sweep_text(&result))
}

/// `target`: the least (or most) value of a parameter that meets a goal.
pub(super) fn target(
    path: &Path,
    ask: TargetArgs<'_>,
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let loaded = scenario::load(path, &sim.set)?;
    let goal = parse_goal(ask.goal)?;
    let confidence = ask.confidence;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(
            InputError::new(format!("--confidence {confidence} is out of range"))
                .key("--confidence")
                .hint("a chance strictly between 0 and 1, e.g. 0.8")
                .into(),
        );
    }
    let axis = sweep::parse_axis(&format!("{}=1", ask.solve), &loaded.tree, "--solve")?;
    let range = parse_range(ask.range, &axis, &loaded.tree)?;
    let plan = run_plan(&loaded.setups, sim)?;
    let dir = output_dir(out, &loaded.name)?;
    let bar = progress_bar(plan.runs * 20, sim.quiet, "searching");
    let inc = |n| bar.inc(n);
    let plan = RunPlan {
        progress: &inc,
        ..plan
    };
    let spec = TargetSpec {
        axis,
        range,
        goal,
        confidence,
    };
    let result = plan.install(|| sweep::target(&loaded.tree, &loaded.name, spec, &plan))??;
    bar.finish_and_clear();
    let mut files = OutputSet::default();
    files.add("target.csv", output::target_csv(&result));
    if !out.no_xlsx {
        files.add(xlsx::TARGET_XLSX, xlsx::target_workbook(&result)?);
    }
    if !out.no_charts {
        let options = &loaded.setups[0].scenario.chart;
        files.add(
            "target.png",
            charts::target_chart(&result, options, out.chart_size)?,
        );
    }
    write_and_print(&dir, out, files, &result, || text::target_text(&result))
}

fn parse_metric(text: &str, flag: &str) -> Result<Metric, Error> {
    Metric::from_name(text).ok_or_else(|| {
        InputError::new(format!("unknown metric `{text}`"))
            .key(flag)
            .hint(format!("valid metrics are {}", metric_names()))
            .into()
    })
}

/// `--best`: p_goal and cheapest need a goal; without `--best`, p_goal with
/// a goal and the swept metric's best median without one.
fn parse_best(
    text: Option<&str>,
    goal: Option<&Goal>,
    metric: Metric,
    confidence: f64,
) -> Result<BestRule, Error> {
    let needs_goal = |rule: &str| -> Error {
        InputError::new(format!("--best {rule} needs a --goal"))
            .key("--best")
            .hint("add e.g. --goal \"won >= 30\", or rank by a metric: --best cac")
            .into()
    };
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(
            InputError::new(format!("--confidence {confidence} is out of range"))
                .key("--confidence")
                .hint("a chance strictly between 0 and 1, e.g. 0.8")
                .into(),
        );
    }
    Ok(match text {
        None => BestRule::default_for(goal, metric),
        Some("p_goal") if goal.is_some() => BestRule::PGoal,
        Some("cheapest") if goal.is_some() => BestRule::Cheapest { confidence },
        Some(rule @ ("p_goal" | "cheapest")) => return Err(needs_goal(rule)),
        Some(name) => match Metric::from_name(name) {
            Some(m) => BestRule::Metric { metric: m },
            None => {
                return Err(InputError::new(format!("unknown --best rule `{name}`"))
                    .key("--best")
                    .hint(format!(
                        "use p_goal, cheapest, or a metric: {}",
                        metric_names()
                    ))
                    .into());
            }
        },
    })
}

fn parse_goal(text: &str) -> Result<Goal, Error> {
    Goal::parse(text).map_err(|m| {
        InputError::new(m)
            .key("--goal")
            .hint("write a goal as \"METRIC OP VALUE\", e.g. --goal \"won >= 30\"")
            .into()
    })
}

/// `--range A..B`, or a default around the current value.
fn parse_range(
    text: Option<&str>,
    axis: &sweep::Axis,
    tree: &doc::Node,
) -> Result<(f64, f64), Error> {
    let bad = |m: String| -> Error {
        InputError::new(m)
            .key("--range")
            .hint("write --range A..B with A < B, e.g. --range 1..8")
            .into()
    };
    if let Some(text) = text {
        let (a, b) = text
            .split_once("..")
            .ok_or_else(|| bad(format!("`{text}` is not A..B")))?;
        let num = sweep::parse_number;
        let (a, b) = (
            num(a).ok_or_else(|| bad(format!("`{a}` is not a number")))?,
            num(b).ok_or_else(|| bad(format!("`{b}` is not a number")))?,
        );
        if a >= b {
            return Err(bad(format!("the range {a}..{b} is empty")));
        }
        return Ok((a, b));
    }
    if axis.scaled {
        return Ok((0.25, 4.0));
    }
    if axis.path.starts_with("correlation.") {
        // A rank: the whole open interval (-1, 1), short of its ends.
        return Ok((-0.95, 0.95));
    }
    let current = paths::ParamPath::parse(&axis.path, tree, &crate::error::Origin::Default)?
        .get(tree)
        .and_then(|n| match n.value {
            doc::Value::Int(i) => Some(i as f64),
            doc::Value::Float(x) => Some(x),
            _ => None,
        });
    match current {
        Some(x) if x > 0.0 && x <= 1.0 && x.fract() != 0.0 => Ok((0.0, 1.0)),
        Some(x) if x > 0.0 => Ok((0.0, 4.0 * x)),
        _ => Err(bad(format!("{} has no value to search around", axis.path))),
    }
}
