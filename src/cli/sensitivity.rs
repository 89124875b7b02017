//! `sensitivity`: which inputs drive a metric, or the uplift against the baseline.

use std::path::Path;

use super::{OutputOptions, SimOptions, output_dir, progress_bar, run_plan, write_and_print};
use crate::analysis::sensitivity::{self as study, SensitivitySpec};
use crate::charts;
use crate::error::{Error, InputError};
use crate::report::files::{self as output, OutputSet};
use crate::report::text;
use crate::runs::engine::RunPlan;
use crate::scenario::metric::{Metric, metric_names};
use crate::scenario::{self, Setup};

/// The options of `sensitivity` beyond the scenario and the shared ones.
pub(super) struct Ask<'a> {
    /// `--metric`.
    pub metric: &'a str,
    /// `--setup`.
    pub setup: Option<&'a str>,
    /// `--uplift`.
    pub uplift: bool,
    /// `--plain`.
    pub plain: Option<f64>,
}

/// `sensitivity`: the tornado, the spider and the drivers from the runs.
pub(super) fn sensitivity(
    path: &Path,
    ask: Ask<'_>,
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let loaded = scenario::load(path, &sim.set)?;
    let metric = Metric::from_name(ask.metric).ok_or_else(|| {
        InputError::new(format!("unknown metric `{}`", ask.metric))
            .key("--metric")
            .hint(format!("valid metrics are {}", metric_names()))
    })?;
    if let Some(f) = ask.plain.filter(|f| !(*f > 0.0 && *f < 1.0)) {
        return Err(InputError::new(format!("--plain {f} is out of range"))
            .key("--plain")
            .hint("a fraction strictly between 0 and 1, e.g. 0.2 for ±20%")
            .into());
    }
    let setups = &loaded.setups;
    let chosen = choose_setup(setups, ask.setup, ask.uplift)?;
    let studied: Vec<Setup> = if ask.uplift {
        vec![setups[0].clone(), setups[chosen].clone()]
    } else {
        vec![setups[chosen].clone()]
    };
    let plan = run_plan(setups, sim)?;
    let dir = match out.out {
        Some(_) => output_dir(out, &loaded.name)?,
        None => output_dir(out, &loaded.name)?.join("sensitivity"),
    };
    let bar = progress_bar(plan.runs * studied.len() as u64, sim.quiet, "simulating");
    let inc = |n| bar.inc(n);
    let plan = RunPlan {
        progress: &inc,
        ..plan
    };
    let (runs, _) = plan.simulate(&studied)?;
    bar.finish_and_clear();
    let spec = SensitivitySpec {
        metric,
        uplift: ask.uplift,
        plain: ask.plain,
    };
    let (setup, baseline) = match runs.as_slice() {
        [base, setup] => (setup, Some(base)),
        [setup] => (setup, None),
        _ => unreachable!("one or two setups were simulated"),
    };
    let result = study::sensitivity(&loaded.label, &spec, setup, baseline, plan.seed);
    let mut files = OutputSet::default();
    files.add("sensitivity.csv", output::sensitivity_csv(&result));
    files.add("sensitivity.json", output::json_bytes(&result));
    if !out.no_xlsx {
        files.add(
            crate::report::xlsx::SENSITIVITY_XLSX,
            crate::report::xlsx::sensitivity_workbook(&result, &setups[chosen].scenario.chart)?,
        );
    }
    if !out.no_charts {
        let options = &setups[chosen].scenario.chart;
        let (tornado, spider) = charts::sensitivity_charts(&result, options, out.chart_size)?;
        files.add("tornado.png", tornado);
        files.add("spider.png", spider);
    }
    let file = path.display().to_string();
    write_and_print(&dir, out, files, &result, || {
        text::sensitivity_text(&result, &file)
    })
}

/// The index of the setup studied: `--setup`, else the first that is not the
/// baseline, else the only one. An uplift needs a setup other than the baseline.
fn choose_setup(setups: &[Setup], name: Option<&str>, uplift: bool) -> Result<usize, Error> {
    let i = match name {
        Some(name) => setups.iter().position(|s| s.name == name).ok_or_else(|| {
            let names: Vec<String> = setups.iter().map(|s| format!("`{}`", s.name)).collect();
            InputError::new(format!("no setup is named `{name}`"))
                .key("--setup")
                .hint(format!("the setups are {}", names.join(", ")))
        })?,
        None => usize::from(setups.len() > 1),
    };
    if uplift && i == 0 {
        let why = if setups.len() == 1 {
            "the scenario has no [[variant]] to compare with its baseline".to_string()
        } else {
            format!("`{}` is the baseline itself", setups[0].name)
        };
        return Err(InputError::new(format!(
            "--uplift needs a setup other than the baseline: {why}"
        ))
        .key("--uplift")
        .hint("add a [[variant]], or name another setup with --setup")
        .into());
    }
    Ok(i)
}
