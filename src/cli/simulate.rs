//! `run` and `compare`: simulate setups on the same runs, summarise, write
//! every output file, print the KPI table.

use std::path::{Path, PathBuf};

use super::{
    Format, OutputOptions, SimOptions, output_dir, progress_bar, run_plan, stop_if_interrupted,
};
use crate::analysis::summary;
use crate::charts;
use crate::error::{Error, InputError};
use crate::report::files as output;
use crate::report::{markdown, text, xlsx};
use crate::runs::engine::RunPlan;
use crate::scenario::{self, Loaded, Setup};

/// `run`: the scenario and its variants.
pub(super) fn run(path: &Path, sim: &SimOptions, out: &OutputOptions) -> Result<String, Error> {
    let loaded = scenario::load(path, &sim.set)?;
    let names = (loaded.name.as_str(), loaded.label.as_str());
    simulate_and_write(names, &loaded.overrides, loaded.setups, sim, out)
}

/// `compare`: the first setup of each file, paired against the first file's.
pub(super) fn compare(
    paths: &[PathBuf],
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let mut setups: Vec<Setup> = Vec::new();
    let (mut folder, mut title) = (String::new(), String::new());
    let mut all_overrides = Vec::new();
    for path in paths {
        let Loaded {
            setups: mut file_setups,
            name,
            label,
            overrides,
            ..
        } = scenario::load(path, &sim.set)?;
        if folder.is_empty() {
            (folder, title, all_overrides) = (name, label, overrides);
        }
        let mut setup = file_setups.swap_remove(0);
        if setups.iter().any(|s| s.name == setup.name) {
            setup.name = format!("{} ({})", setup.name, path.display());
            setup.label = format!("{} ({})", setup.label, path.display());
        }
        setups.push(setup);
    }
    simulate_and_write((&folder, &title), &all_overrides, setups, sim, out)
}

/// `--precision REL` with `--max-runs`: the plan adds runs up to that many.
fn with_precision<'p>(mut plan: RunPlan<'p>, sim: &SimOptions) -> Result<RunPlan<'p>, Error> {
    let Some(rel) = sim.precision else {
        return Ok(plan);
    };
    if !(rel > 0.0 && rel < 1.0) {
        return Err(
            InputError::new(format!("--precision {rel} is out of range"))
                .key("--precision")
                .hint("a fraction of the mean, e.g. 0.01 for ±1%")
                .into(),
        );
    }
    if sim.max_runs == 0 || sim.max_runs > scenario::MAX_RUNS {
        return Err(
            InputError::new(format!("--max-runs {} is out of range", sim.max_runs))
                .key("--max-runs")
                .hint(format!("use 1 to {} runs", scenario::MAX_RUNS))
                .into(),
        );
    }
    plan.precision = Some(rel);
    plan.runs = sim.max_runs;
    Ok(plan)
}

fn simulate_and_write(
    (folder, title): (&str, &str),
    overrides: &[scenario::Override],
    setups: Vec<Setup>,
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let plan = with_precision(run_plan(&setups, sim)?, sim)?;
    let dir = output_dir(out, folder)?;
    super::warn_zero_costs(&setups);
    let bar = progress_bar(plan.runs * setups.len() as u64, sim.quiet, "simulating");
    let inc = |n| bar.inc(n);
    let plan = RunPlan {
        progress: &inc,
        ..plan
    };
    let (all, reached) = plan.simulate(&setups)?;
    bar.finish_and_clear();
    stop_if_interrupted()?;
    let precision =
        plan.precision
            .zip(reached)
            .map(|(requested, reached)| summary::PrecisionReached {
                requested,
                reached,
                max_runs: plan.runs,
            });
    let mut results = summary::results(&all, plan.seed, precision);
    results.scenario = title.to_string();
    results.overrides = overrides.to_vec();
    let charts = if out.no_charts {
        Vec::new()
    } else {
        charts::render_all(&results, &all, &setups[0].scenario.chart, out.chart_size)?
    };
    let mut files = output::run_files(&results, &all, plan.seed, out.samples);
    let names: Vec<String> = charts.iter().map(|(name, _)| name.clone()).collect();
    for (name, png) in charts {
        files.add(name, png);
    }
    files.add(
        "report.md",
        markdown::report_md(&results, &names).into_bytes(),
    );
    if !out.no_xlsx {
        files.add(
            xlsx::REPORT_XLSX,
            xlsx::run_workbook(&results, &all, out.samples)?,
        );
    }
    let written = files.commit_replacing(&dir, &output::is_run_output)?;
    Ok(match out.format {
        Format::Text => format!(
            "{}\nwrote {} files to {}\n",
            text::text(&results),
            written.len(),
            dir.display()
        ),
        Format::Json => String::from_utf8(output::summary_json(&results)).expect("JSON is UTF-8"),
    })
}
