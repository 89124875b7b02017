//! The table model of every data file: a sheet of typed cells, built once
//! from the results and rendered by each exporter (CSV here, the Excel
//! workbook in `report::xlsx`), so no two formats can hold different rows.

use crate::analysis::summary::Results;
use crate::runs::engine::SetupRuns;
use crate::runs::stats::Summary;
use crate::scenario::metric::{METRIC_COUNT, Metric, Unit};
use crate::sim::params::{Draw, draws_by_path};

/// One cell: text, a number with what it measures (its display format), or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (a setup, a metric name, a month).
    Text(String),
    /// A number; `unit` chooses its format in a workbook (CSV keeps full precision).
    Number {
        /// The value.
        value: f64,
        /// What it measures.
        unit: Unit,
    },
    /// A whole number that is not a metric (a run index, a count of runs).
    Integer(u64),
    /// A number with the text a CSV file writes for it (a swept value as
    /// its sweep names it: `0.3`, not `0.30000000000000004`).
    Shown {
        /// The value.
        value: f64,
        /// What it measures.
        unit: Unit,
        /// Its text.
        text: String,
    },
    /// Nothing: undefined, or not applicable to the row.
    Empty,
}

impl Cell {
    /// A number, or [`Cell::Empty`] when undefined or not finite.
    pub fn number(value: Option<f64>, unit: Unit) -> Cell {
        match value {
            Some(value) if value.is_finite() => Cell::Number { value, unit },
            _ => Cell::Empty,
        }
    }

    /// Text.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as text (a CSV field): full precision, empty when undefined.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number { value, .. } => format!("{value}"),
            Cell::Integer(n) => n.to_string(),
            Cell::Shown { text, .. } => text.clone(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table of typed cells under a header row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    /// Column headings, in order.
    pub header: Vec<String>,
    /// The rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// An empty sheet with these column headings.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Sheet {
        Sheet {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// The sheet as a CSV document (UTF-8 with a byte-order mark, CRLF).
    pub fn csv(&self) -> Vec<u8> {
        csv_of(&self.header, self.rows.iter())
    }
}

/// A CSV document of a header and rows of cells.
fn csv_of<R: std::borrow::Borrow<Vec<Cell>>>(
    header: &[String],
    rows: impl Iterator<Item = R>,
) -> Vec<u8> {
    let head: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = rows.map(|r| r.borrow().iter().map(Cell::as_text).collect());
    crate::report::files::csv(&head, rows)
}

/// The statistics columns of every summary.
pub(crate) const STATS: [&str; 8] = [
    "mean",
    "sd",
    "p5",
    "p10",
    "p50",
    "p90",
    "p95",
    "undefined_runs",
];

fn stats_cells(s: &Summary, unit: Unit) -> Vec<Cell> {
    let mut cells: Vec<Cell> = [s.mean, s.sd, s.p5, s.p10, s.p50, s.p90, s.p95]
        .into_iter()
        .map(|x| Cell::number(x, unit))
        .collect();
    cells.push(Cell::Integer(s.undefined as u64));
    cells
}

fn header(lead: &[&str], tail: &[&str]) -> Vec<String> {
    lead.iter().chain(tail).map(|s| s.to_string()).collect()
}

/// The unit of a ratio of counts or money, or of a difference of rates and days
/// (the measures of the paired uplift).
fn uplift_unit(metric: Metric, measure: &str) -> Unit {
    match (measure, metric.unit()) {
        ("ratio", Unit::Count | Unit::Money) => Unit::Ratio,
        (_, unit) => unit,
    }
}

/// summary.csv: a row per setup and metric, then a row per setup and target.
pub fn summary(r: &Results) -> Sheet {
    let mut sheet = Sheet::new(header(
        &["setup", "kind", "metric", "owner", "target"],
        &[&STATS[..], &["p_target_met"]].concat(),
    ));
    for s in &r.setups {
        for m in &s.metrics {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::text("metric"),
                Cell::text(m.metric.name()),
                Cell::text(m.metric.owner().label_for(&[s.team])),
                Cell::Empty,
            ];
            row.extend(stats_cells(&m.summary, m.metric.unit()));
            row.push(Cell::Empty);
            sheet.rows.push(row);
        }
        for t in &s.targets {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::text("target"),
                Cell::text(t.goal.metric.name()),
                Cell::text(t.goal.metric.owner().label_for(&[s.team])),
                Cell::text(format!(
                    "{} {}",
                    t.goal.comparison.symbol(),
                    crate::report::files::num(Some(t.goal.value))
                )),
            ];
            row.extend(std::iter::repeat_n(Cell::Empty, STATS.len()));
            row.push(Cell::number(Some(t.p_met), Unit::Rate));
            sheet.rows.push(row);
        }
    }
    sheet
}

/// uplift.csv: paired difference and ratio of each setup against the first.
pub fn uplift(r: &Results) -> Sheet {
    let mut sheet = Sheet::new(header(
        &["setup", "baseline", "metric", "measure"],
        &[&STATS[..], &["p_better"]].concat(),
    ));
    for u in &r.uplift {
        for row in &u.rows {
            for (measure, s) in [("difference", &row.difference), ("ratio", &row.ratio)] {
                let mut cells = vec![
                    Cell::text(&u.setup),
                    Cell::text(&u.baseline),
                    Cell::text(row.metric.name()),
                    Cell::text(measure),
                ];
                cells.extend(stats_cells(s, uplift_unit(row.metric, measure)));
                cells.push(Cell::number(Some(row.p_better), Unit::Rate));
                sheet.rows.push(cells);
            }
        }
        let money = [
            (
                "cost_per_extra_won",
                &u.money.cost_per_extra_won,
                Unit::Money,
            ),
            (
                "incremental_ltv_to_cac",
                &u.money.incremental_ltv_to_cac,
                Unit::Ratio,
            ),
        ];
        for (name, s, unit) in money {
            let mut cells = vec![
                Cell::text(&u.setup),
                Cell::text(&u.baseline),
                Cell::text(name),
                Cell::text("paired"),
            ];
            cells.extend(stats_cells(s, unit));
            cells.push(Cell::Empty);
            sheet.rows.push(cells);
        }
    }
    sheet
}

/// monthly.csv and by_source.csv: a row per setup, group and metric.
pub fn breakdown(r: &Results, group: &str, monthly: bool) -> Sheet {
    let mut sheet = Sheet::new(header(&["setup", group, "metric"], &STATS));
    for s in &r.setups {
        let groups = if monthly { &s.monthly } else { &s.by_source };
        for g in groups {
            for m in &g.metrics {
                let mut row = vec![
                    Cell::text(&s.name),
                    Cell::text(&g.label),
                    Cell::text(m.metric.name()),
                ];
                row.extend(stats_cells(&m.summary, m.metric.unit()));
                sheet.rows.push(row);
            }
        }
    }
    sheet
}

/// runs.csv: a row per run and setup with its (U) draws and metrics. The
/// rows are made as they are read: a hundred thousand runs are never held
/// as cells at once.
pub struct Runs<'a> {
    /// Column headings: setup, run, every (U) path, every metric.
    pub header: Vec<String>,
    paths: Vec<String>,
    all: &'a [SetupRuns],
    seed: u64,
}

impl<'a> Runs<'a> {
    /// The table of these runs, drawn with `seed`.
    pub fn new(all: &'a [SetupRuns], seed: u64) -> Runs<'a> {
        let mut paths: Vec<String> = Vec::new();
        for r in all {
            for (p, _) in draws_by_path(&r.setup.scenario, Draw::Mean) {
                if !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
        paths.sort();
        let mut header: Vec<String> = vec!["setup".into(), "run".into()];
        header.extend(paths.iter().cloned());
        header.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
        Runs {
            header,
            paths,
            all,
            seed,
        }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.all.iter().map(|s| s.runs.len()).sum()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows, setup by setup, run by run.
    pub fn rows(&self) -> impl Iterator<Item = Vec<Cell>> + '_ {
        self.all.iter().flat_map(move |r| {
            r.runs.iter().enumerate().map(move |(i, metrics)| {
                let draw = Draw::Run {
                    seed: self.seed,
                    run: i as u64,
                };
                let draws = draws_by_path(&r.setup.scenario, draw);
                let mut row = vec![Cell::text(&r.setup.label), Cell::Integer(i as u64)];
                row.extend(self.paths.iter().map(|p| {
                    let x = draws.iter().find(|(q, _)| q == p).map(|(_, v)| *v);
                    Cell::number(x, parameter_unit(p))
                }));
                row.extend(
                    (0..METRIC_COUNT)
                        .map(|k| Cell::number(Some(metrics.overall[k]), Metric::ALL[k].unit())),
                );
                row
            })
        })
    }

    /// The table as a CSV document.
    pub fn csv(&self) -> Vec<u8> {
        csv_of(&self.header, self.rows())
    }
}

/// How the values of a swept or solved parameter read: a distribution is
/// scaled, so its values are factors, not the parameter's unit.
fn axis_unit(axis: &crate::analysis::sweep::Axis) -> Unit {
    if axis.scaled {
        Unit::Ratio
    } else if axis.integer {
        // Reps, a threshold, days of SLA: whole numbers.
        Unit::Count
    } else {
        parameter_unit(&axis.path)
    }
}

/// How a parameter's values read: money, a probability, or a plain number.
pub(crate) fn parameter_unit(path: &str) -> Unit {
    const RATES: [&str; 6] = [
        "win_rate",
        "sql_to_opportunity",
        "monthly_unsubscribe",
        "gross_margin",
        "monthly_churn",
        "growth_per_month",
    ];
    if crate::scenario::names::ParameterNames::is_money(path) {
        Unit::Money
    } else if path.starts_with("follow_up.sql_rate_by_score")
        || RATES.iter().any(|k| path.ends_with(k))
    {
        Unit::Rate
    } else {
        Unit::Ratio
    }
}

/// sensitivity.csv: a row per input, largest swing first.
pub fn sensitivity(s: &crate::analysis::sensitivity::Sensitivity) -> Sheet {
    let mut sheet = Sheet::new([
        "input",
        "low",
        "high",
        "metric_at_low",
        "metric_at_high",
        "swing",
        "rank_correlation",
        "variance_share",
        "kind",
    ]);
    let unit = s.metric.unit();
    for e in &s.inputs {
        let input = parameter_unit(&e.input);
        sheet.rows.push(vec![
            Cell::text(&e.input),
            Cell::number(Some(e.low), input),
            Cell::number(Some(e.high), input),
            Cell::number(e.metric_at_low, unit),
            Cell::number(e.metric_at_high, unit),
            Cell::number(e.swing, unit),
            Cell::number(e.rank_correlation, Unit::Ratio),
            Cell::number(e.variance_share, Unit::Rate),
            Cell::text(e.kind.name()),
        ]);
    }
    sheet
}

/// sweep.csv: a row per point.
pub fn sweep(s: &crate::analysis::sweep::Sweep) -> Sheet {
    let mut head: Vec<String> = s.axes.iter().map(|a| a.path.clone()).collect();
    head.push("metric".into());
    head.extend(STATS.iter().map(|h| h.to_string()));
    head.extend(["p_goal", "cost_mean", "cac_p50", "best"].map(String::from));
    let mut sheet = Sheet::new(head);
    for (i, p) in s.points.iter().enumerate() {
        let mut row: Vec<Cell> = p
            .values
            .iter()
            .zip(&s.axes)
            .map(|(v, axis)| match v.number() {
                Some(value) => Cell::Shown {
                    value,
                    unit: axis_unit(axis),
                    text: v.label(),
                },
                None => Cell::text(v.label()),
            })
            .collect();
        row.push(Cell::text(s.metric.name()));
        row.extend(stats_cells(&p.summary, s.metric.unit()));
        row.push(Cell::number(p.p_goal, Unit::Rate));
        row.push(Cell::number(p.cost.cost_mean, Unit::Money));
        row.push(Cell::number(p.cost.cac_p50, Unit::Money));
        row.push(if i == s.best {
            Cell::Integer(1)
        } else {
            Cell::Empty
        });
        sheet.rows.push(row);
    }
    sheet
}

/// target.csv: P(goal) at every value simulated, and the KPI cascade by month at the answer.
pub fn target(t: &crate::analysis::sweep::Target) -> Sheet {
    let mut sheet = Sheet::new([
        "kind", "value", "p_goal", "stage", "month", "mean", "p10", "p90",
    ]);
    let x_unit = axis_unit(&t.axis);
    for (x, p) in &t.curve {
        let mut row = vec![
            Cell::text("p_goal"),
            Cell::number(Some(*x), x_unit),
            Cell::number(Some(*p), Unit::Rate),
        ];
        row.extend(std::iter::repeat_n(Cell::Empty, 5));
        sheet.rows.push(row);
    }
    if let Some(c) = &t.cascade {
        for (stage, months) in c.stages.iter().zip(&c.by_month) {
            let unit = stage.metric.unit();
            for (label, s) in c.months.iter().zip(months) {
                sheet.rows.push(vec![
                    Cell::text("cascade"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::text(stage.metric.name()),
                    Cell::text(label),
                    Cell::number(s.mean, unit),
                    Cell::number(s.p10, unit),
                    Cell::number(s.p90, unit),
                ]);
            }
        }
    }
    sheet
}
