//! Output files: CSV (UTF-8 with a byte-order mark), JSON, written atomically.
//!
//! Every file of a run is first rendered in memory; [`OutputSet::commit`]
//! writes each to a temporary name in the output folder and renames it into
//! place, so an interrupted run leaves either the old file or the new one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::summary::Results;
use crate::error::Error;
use crate::runs::engine::SetupRuns;
use crate::runs::stats::Summary;
use crate::scenario::metric::{METRIC_COUNT, Metric};
use crate::sim::params::{Draw, draws_by_path};

/// Files to write, relative to the output folder.
#[derive(Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl OutputSet {
    /// Adds a file.
    pub fn add(&mut self, name: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.push((name.into(), bytes));
    }

    /// The names added so far.
    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Writes every file under `dir`, each atomically, then removes the files of
    /// `managed` (funnelsim's own outputs, e.g. an old `charts/uplift.png`) that this
    /// set did not write, so the folder never mixes two runs.
    pub fn commit_replacing(
        self,
        dir: &Path,
        managed: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<PathBuf>, Error> {
        let written = self.commit(dir)?;
        for sub in [dir.to_path_buf(), dir.join("charts")] {
            let Ok(entries) = std::fs::read_dir(&sub) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                if path.is_file() && managed(relative) && !written.contains(&path) {
                    std::fs::remove_file(&path).map_err(|e| {
                        Error::Run(format!("cannot remove the stale {}: {e}", path.display()))
                    })?;
                }
            }
        }
        Ok(written)
    }

    /// Writes every file under `dir`, each atomically.
    pub fn commit(self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        if dir.is_file() {
            return Err(Error::Run(format!(
                "--out {} is a file, not a folder",
                dir.display()
            )));
        }
        let mut written = Vec::new();
        for (name, bytes) in self.files {
            let path = dir.join(&name);
            let parent = path.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Run(format!("cannot create folder {}: {e}", parent.display()))
            })?;
            let mut builder = tempfile::Builder::new();
            builder.prefix(".funnelsim-").suffix(".tmp");
            // A temporary file is private (0600); the output is not: 0666 less the umask.
            #[cfg(unix)]
            builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
            let mut tmp = builder
                .tempfile_in(parent)
                .map_err(|e| Error::Run(format!("cannot write in {}: {e}", parent.display())))?;
            tmp.write_all(&bytes)
                .map_err(|e| Error::Run(format!("cannot write {}: {e}", path.display())))?;
            tmp.persist(&path)
                .map_err(|e| Error::Run(format!("cannot write {}: {e}", path.display())))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// A CSV document: a header, then rows; fields are quoted where needed.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let line = |fields: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let quoted: Vec<String> = fields
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.to_string()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out.into_bytes()
}

/// A number for a CSV cell: full precision, empty when undefined.
pub fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

const STATS: [&str; 8] = [
    "mean",
    "sd",
    "p5",
    "p10",
    "p50",
    "p90",
    "p95",
    "undefined_runs",
];

fn stats_cells(s: &Summary) -> Vec<String> {
    vec![
        num(s.mean),
        num(s.sd),
        num(s.p5),
        num(s.p10),
        num(s.p50),
        num(s.p90),
        num(s.p95),
        s.undefined.to_string(),
    ]
}

fn header(lead: &[&'static str], tail: &[&'static str]) -> Vec<&'static str> {
    lead.iter().chain(tail).copied().collect()
}

/// `summary.csv`: a row per setup and metric, then a row per setup and target.
pub fn summary_csv(r: &Results) -> Vec<u8> {
    let mut rows = Vec::new();
    for s in &r.setups {
        for m in &s.metrics {
            let mut row = vec![
                s.name.clone(),
                "metric".into(),
                m.metric.name().into(),
                m.metric.owner().label_for(&[s.team]).into(),
                String::new(),
            ];
            row.extend(stats_cells(&m.summary));
            row.push(String::new());
            rows.push(row);
        }
        for t in &s.targets {
            let mut row = vec![
                s.name.clone(),
                "target".into(),
                t.goal.metric.name().into(),
                t.goal.metric.owner().label_for(&[s.team]).into(),
                format!("{} {}", t.goal.comparison.symbol(), num(Some(t.goal.value))),
            ];
            row.extend(std::iter::repeat_n(String::new(), STATS.len()));
            row.push(num(Some(t.p_met)));
            rows.push(row);
        }
    }
    csv(
        &header(
            &["setup", "kind", "metric", "owner", "target"],
            &[&STATS[..], &["p_target_met"]].concat(),
        ),
        rows,
    )
}

/// `uplift.csv`: paired difference and ratio of each setup against the first.
pub fn uplift_csv(r: &Results) -> Vec<u8> {
    let mut rows = Vec::new();
    for u in &r.uplift {
        for row in &u.rows {
            for (measure, s) in [("difference", &row.difference), ("ratio", &row.ratio)] {
                let mut cells = vec![
                    u.setup.clone(),
                    u.baseline.clone(),
                    row.metric.name().into(),
                    measure.into(),
                ];
                cells.extend(stats_cells(s));
                cells.push(num(Some(row.p_better)));
                rows.push(cells);
            }
        }
        let money = [
            ("cost_per_extra_won", &u.money.cost_per_extra_won),
            ("incremental_ltv_to_cac", &u.money.incremental_ltv_to_cac),
        ];
        for (name, s) in money {
            let mut cells = vec![
                u.setup.clone(),
                u.baseline.clone(),
                name.into(),
                "paired".into(),
            ];
            cells.extend(stats_cells(s));
            cells.push(String::new());
            rows.push(cells);
        }
    }
    csv(
        &header(
            &["setup", "baseline", "metric", "measure"],
            &[&STATS[..], &["p_better"]].concat(),
        ),
        rows,
    )
}

/// `monthly.csv` and `by_source.csv`: a row per setup, group and metric.
pub fn breakdown_csv(r: &Results, group: &'static str, monthly: bool) -> Vec<u8> {
    let mut rows = Vec::new();
    for s in &r.setups {
        let groups = if monthly { &s.monthly } else { &s.by_source };
        for g in groups {
            for m in &g.metrics {
                let mut row = vec![s.name.clone(), g.label.clone(), m.metric.name().into()];
                row.extend(stats_cells(&m.summary));
                rows.push(row);
            }
        }
    }
    csv(&header(&["setup", group, "metric"], &STATS), rows)
}

/// `runs.csv`: a row per run and setup with its (U) draws and metrics.
pub fn runs_csv(all: &[SetupRuns], seed: u64) -> Vec<u8> {
    let mut paths: Vec<String> = Vec::new();
    for r in all {
        for (p, _) in draws_by_path(&r.setup.scenario, Draw::Mean) {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut head: Vec<&str> = vec!["setup", "run"];
    head.extend(paths.iter().map(String::as_str));
    head.extend(Metric::ALL.iter().map(|m| m.name()));
    let rows = all.iter().flat_map(|r| {
        let paths = &paths;
        r.runs.iter().enumerate().map(move |(i, metrics)| {
            let draws = draws_by_path(
                &r.setup.scenario,
                Draw::Run {
                    seed,
                    run: i as u64,
                },
            );
            let mut row = vec![r.setup.label.clone(), i.to_string()];
            row.extend(
                paths
                    .iter()
                    .map(|p| num(draws.iter().find(|(q, _)| q == p).map(|(_, v)| *v))),
            );
            row.extend((0..METRIC_COUNT).map(|k| num(Some(metrics.overall[k]))));
            row
        })
    });
    csv(&head, rows)
}

/// `summary.json`: everything above in one document.
pub fn summary_json(r: &Results) -> Vec<u8> {
    json_bytes(r)
}

/// Any result as a pretty JSON document with a final newline.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("results serialize");
    bytes.push(b'\n');
    bytes
}

/// `sensitivity.csv`: a row per input, largest swing first.
pub fn sensitivity_csv(s: &crate::analysis::sensitivity::Sensitivity) -> Vec<u8> {
    let head = [
        "input",
        "low",
        "high",
        "metric_at_low",
        "metric_at_high",
        "swing",
        "rank_correlation",
        "variance_share",
        "kind",
    ];
    let rows = s.inputs.iter().map(|e| {
        vec![
            e.input.clone(),
            num(Some(e.low)),
            num(Some(e.high)),
            num(e.metric_at_low),
            num(e.metric_at_high),
            num(e.swing),
            num(e.rank_correlation),
            num(e.variance_share),
            e.kind.name().into(),
        ]
    });
    csv(&head, rows)
}

/// `sweep.csv`: a row per point.
pub fn sweep_csv(s: &crate::analysis::sweep::Sweep) -> Vec<u8> {
    let mut head: Vec<&str> = s.axes.iter().map(|a| a.path.as_str()).collect();
    head.push("metric");
    head.extend(STATS);
    head.extend(["p_goal", "cost_mean", "cac_p50", "best"]);
    let rows = s.points.iter().enumerate().map(|(i, p)| {
        let mut row: Vec<String> = p.values.iter().map(|v| v.label()).collect();
        row.push(s.metric.name().into());
        row.extend(stats_cells(&p.summary));
        row.push(num(p.p_goal));
        row.push(num(p.cost.cost_mean));
        row.push(num(p.cost.cac_p50));
        row.push(if i == s.best {
            "1".into()
        } else {
            String::new()
        });
        row
    });
    csv(&head, rows)
}

/// `target.csv`: P(goal) at every value simulated, and the KPI cascade by month at the answer.
pub fn target_csv(t: &crate::analysis::sweep::Target) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = t
        .curve
        .iter()
        .map(|(x, p)| {
            vec![
                "p_goal".into(),
                num(Some(*x)),
                num(Some(*p)),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let cascade = t.cascade.iter().flat_map(|c| {
        c.stages
            .iter()
            .zip(&c.by_month)
            .map(move |(stage, months)| (stage, months, &c.months))
    });
    for (stage, months, labels) in cascade {
        for (label, s) in labels.iter().zip(months) {
            rows.push(vec![
                "cascade".into(),
                String::new(),
                String::new(),
                stage.metric.name().into(),
                label.clone(),
                num(s.mean),
                num(s.p10),
                num(s.p90),
            ]);
        }
    }
    csv(
        &[
            "kind", "value", "p_goal", "stage", "month", "mean", "p10", "p90",
        ],
        rows,
    )
}

/// The files `run` and `compare` write: a later run replaces all of them.
pub fn is_run_output(relative: &Path) -> bool {
    let in_charts = relative.parent() == Some(Path::new("charts"))
        && relative.extension().is_some_and(|e| e == "png");
    in_charts || relative.to_str().is_some_and(|n| RUN_OUTPUTS.contains(&n))
}

/// `report.md`, written beside the files of [`run_files`].
pub const REPORT_MD: &str = "report.md";

/// Every file a `run` or `compare` may write, but the charts (`charts/*.png`).
const RUN_OUTPUTS: [&str; 7] = [
    "summary.csv",
    "uplift.csv",
    "monthly.csv",
    "by_source.csv",
    "summary.json",
    "runs.csv",
    REPORT_MD,
];

/// Every data file of a run, rendered in memory (report.md and the charts are added by the caller).
pub fn run_files(results: &Results, all: &[SetupRuns], seed: u64, samples: bool) -> OutputSet {
    let [summary, uplift, monthly, by_source, json, runs, _] = RUN_OUTPUTS;
    let mut files = OutputSet::default();
    files.add(summary, summary_csv(results));
    files.add(monthly, breakdown_csv(results, "month", true));
    files.add(by_source, breakdown_csv(results, "source", false));
    if !results.uplift.is_empty() {
        files.add(uplift, uplift_csv(results));
    }
    files.add(json, summary_json(results));
    if samples {
        files.add(runs, runs_csv(all, seed));
    }
    files
}
