//! The command line: options types (clap) and what each command does.
//!
//! `main.rs` only calls [`main`]; everything else lives here and in the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::analysis::summary::{self, Results};
use crate::analysis::sweep;
use crate::charts::{self, ChartSize};
use crate::error::{Error, InputError};
use crate::report::files::{self as output, OutputSet};
use crate::report::{explain, markdown as report_md, text as report};
use crate::runs::engine::{self, SetupRuns};
use crate::scenario::templates::{self, Template};
use crate::scenario::{self, Loaded, Setup};

/// The version and the git commit it was built from (`funnelsim --version`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("FUNNELSIM_COMMIT"),
    ")"
);

/// Monte Carlo what-if simulator for B2B sales and marketing funnels.
#[derive(Parser, Debug)]
#[command(name = "funnelsim", version = VERSION, about, long_about = None)]
#[command(after_help = "The scenario format and the model: docs/model.md; every command and output: docs/cli.md (both in the funnelsim repository).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of cli.md.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and its [[variant]]s on the same runs; print the KPI table; write the outputs.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        sim: SimOptions,
        #[command(flatten)]
        out: OutputOptions,
    },
    /// Simulate separate scenario files on the same seed: side by side, paired uplift against the first.
    Compare {
        /// Two or more scenario files; the first is the baseline.
        #[arg(num_args = 2.., required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        sim: SimOptions,
        #[command(flatten)]
        out: OutputOptions,
    },
    /// A grid of one or two parameters, each point a full Monte Carlo on common random numbers.
    Sweep {
        scenario: PathBuf,
        /// PATH=FROM..TO[:STEP] or PATH=a,b,c; once or twice (a 2-D grid).
        #[arg(long = "vary", value_name = "PATH=VALUES", required = true)]
        vary: Vec<String>,
        /// The metric to report at each point.
        #[arg(long, default_value = "won")]
        metric: String,
        /// A goal such as "won >= 30": P(goal) at each point.
        #[arg(long)]
        goal: Option<String>,
        #[command(flatten)]
        sim: SimOptions,
        #[command(flatten)]
        out: OutputOptions,
    },
    /// The least (or most) value of a parameter that meets a goal with a confidence, and the KPI cascade.
    Target {
        scenario: PathBuf,
        /// The goal, e.g. "won >= 30".
        #[arg(long)]
        goal: String,
        /// Wanted chance of meeting the goal.
        #[arg(long, default_value_t = 0.8)]
        confidence: f64,
        /// The parameter path to solve for.
        #[arg(long)]
        solve: String,
        /// Search range A..B (default: 0 to 4 times the current value; a factor 0.25..4 for a distribution).
        #[arg(long)]
        range: Option<String>,
        #[command(flatten)]
        sim: SimOptions,
        #[command(flatten)]
        out: OutputOptions,
    },
    /// Check a scenario and print its resolved parameters.
    Validate {
        scenario: PathBuf,
        /// Override a parameter: PATH=VALUE (VALUE is TOML).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// The expected funnel with every uncertain value at its mean and no noise (instant).
    Explain {
        scenario: PathBuf,
        /// Override a parameter: PATH=VALUE (VALUE is TOML).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Print a shell completion script: `funnelsim completions bash > ~/.local/share/bash-completion/completions/funnelsim`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a commented starting scenario.
    Init {
        /// Which template.
        #[arg(long, value_enum, default_value_t = Template::MaInsideSales)]
        template: Template,
        /// Where to write it (default: print to stdout).
        file: Option<PathBuf>,
    },
}

/// Options of every simulating command.
#[derive(Args, Debug, Clone)]
pub struct SimOptions {
    /// Monte Carlo runs (default: the scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a parameter: PATH=VALUE, VALUE is TOML (`--set 'sales.win_rate={ range = [0.2, 0.3] }'`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Keep adding runs (in batches of 1,000) until the 95% confidence half-width of
    /// every count's mean is within this fraction of the mean, e.g. 0.01 (run and compare).
    #[arg(long, value_name = "REL")]
    pub precision: Option<f64>,
    /// The most runs --precision may make.
    #[arg(long, default_value_t = 200_000)]
    pub max_runs: u64,
}

/// Options of commands that write outputs.
#[derive(Args, Debug, Clone)]
pub struct OutputOptions {
    /// Output folder (default: output/<scenario-name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: every run's (U) draws and metrics.
    #[arg(long)]
    pub samples: bool,
    /// Summary on stdout as text or as a JSON document.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Skip the PNG charts (report.md is still written).
    #[arg(long)]
    pub no_charts: bool,
    /// Chart size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value_t = ChartSize::default())]
    pub chart_size: ChartSize,
}

/// Output format of the summary on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    crate::runs::interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match execute(cli.command) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Executes one command; returns what it prints on stdout.
pub fn execute(command: Command) -> Result<String, Error> {
    match command {
        Command::Run { scenario, sim, out } => {
            let loaded = scenario::load(&scenario, &sim.set)?;
            simulate_and_write(&loaded.name, loaded.setups, &sim, &out)
        }
        Command::Compare {
            scenarios,
            sim,
            out,
        } => {
            let mut setups: Vec<Setup> = Vec::new();
            let mut title = String::new();
            for path in &scenarios {
                let Loaded {
                    setups: mut file_setups,
                    name,
                    ..
                } = scenario::load(path, &sim.set)?;
                if title.is_empty() {
                    title = name;
                }
                let mut setup = file_setups.swap_remove(0);
                if setups.iter().any(|s| s.name == setup.name) {
                    setup.name = format!("{} ({})", setup.name, path.display());
                }
                setups.push(setup);
            }
            simulate_and_write(&title, setups, &sim, &out)
        }
        Command::Sweep {
            scenario,
            vary,
            metric,
            goal,
            sim,
            out,
        } => {
            let loaded = scenario::load(&scenario, &sim.set)?;
            let metric = crate::scenario::metric::Metric::from_name(&metric).ok_or_else(|| {
                InputError::new(format!("unknown metric `{metric}`"))
                    .key("--metric")
                    .hint(format!(
                        "valid metrics are {}",
                        crate::scenario::metric::metric_names()
                    ))
            })?;
            let goal = goal.map(|g| parse_goal(&g)).transpose()?;
            let axes = vary
                .iter()
                .map(|v| sweep::parse_axis(v, &loaded.tree, "--vary"))
                .collect::<Result<Vec<_>, _>>()?;
            let (runs, seed) = runs_and_seed(&loaded.setups, &sim)?;
            let points: usize = axes.iter().map(|a| a.values.len()).product();
            let dir = output_dir(&out, &loaded.name)?;
            let bar = progress_bar(runs * points as u64, sim.quiet, "sweeping");
            let result = with_threads(sim.threads, || {
                sweep::sweep(
                    &loaded.tree,
                    &loaded.name,
                    axes,
                    metric,
                    goal,
                    runs,
                    seed,
                    &|n| bar.inc(n),
                )
            })??;
            bar.finish_and_clear();
            let mut files = OutputSet::default();
            files.add("sweep.csv", output::sweep_csv(&result));
            if !out.no_charts {
                files.add(
                    "sweep.png",
                    charts::sweep_chart(&result, &loaded.setups[0].scenario.chart, out.chart_size)?,
                );
            }
            write_and_print(&dir, &out, files, &result, || report::sweep_text(&result))
        }
        Command::Target {
            scenario,
            goal,
            confidence,
            solve,
            range,
            sim,
            out,
        } => {
            let loaded = scenario::load(&scenario, &sim.set)?;
            let goal = parse_goal(&goal)?;
            if !(confidence > 0.0 && confidence < 1.0) {
                return Err(
                    InputError::new(format!("--confidence {confidence} is out of range"))
                        .key("--confidence")
                        .hint("a chance strictly between 0 and 1, e.g. 0.8")
                        .into(),
                );
            }
            let axis = sweep::parse_axis(&format!("{solve}=1"), &loaded.tree, "--solve")?;
            let range = parse_range(range.as_deref(), &axis, &loaded.tree)?;
            let (runs, seed) = runs_and_seed(&loaded.setups, &sim)?;
            let dir = output_dir(&out, &loaded.name)?;
            let bar = progress_bar(runs * 20, sim.quiet, "searching");
            let result = with_threads(sim.threads, || {
                sweep::target(
                    &loaded.tree,
                    &loaded.name,
                    axis,
                    range,
                    goal,
                    confidence,
                    runs,
                    seed,
                    &|n| bar.inc(n),
                )
            })??;
            bar.finish_and_clear();
            let mut files = OutputSet::default();
            files.add("target.csv", output::target_csv(&result));
            if !out.no_charts {
                files.add(
                    "target.png",
                    charts::target_chart(
                        &result,
                        &loaded.setups[0].scenario.chart,
                        out.chart_size,
                    )?,
                );
            }
            write_and_print(&dir, &out, files, &result, || report::target_text(&result))
        }
        Command::Validate { scenario, set } => {
            let loaded = scenario::load(&scenario, &set)?;
            Ok(validate_text(&scenario, &loaded))
        }
        Command::Explain { scenario, set } => {
            let loaded = scenario::load(&scenario, &set)?;
            Ok(explain::text(&loaded.name, &loaded.setups))
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "funnelsim", &mut script);
            String::from_utf8(script).map_err(|e| Error::Run(format!("completion script: {e}")))
        }
        Command::Init { template, file } => {
            let text = templates::text(template);
            match file {
                None => Ok(text.to_string()),
                Some(path) => {
                    if path.exists() {
                        return Err(
                            InputError::new(format!("{} already exists", path.display()))
                                .hint("choose another file name, or remove the file first")
                                .into(),
                        );
                    }
                    let mut set = OutputSet::default();
                    let name = path
                        .file_name()
                        .map(PathBuf::from)
                        .ok_or_else(|| InputError::new("FILE must name a file"))?;
                    set.add(name, text.as_bytes().to_vec());
                    set.commit(
                        path.parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(Path::new(".")),
                    )?;
                    Ok(format!("wrote {}\n", path.display()))
                }
            }
        }
    }
}

fn parse_goal(text: &str) -> Result<crate::scenario::metric::Goal, Error> {
    crate::scenario::metric::Goal::parse(text).map_err(|m| {
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
    tree: &crate::scenario::doc::Node,
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
        let num = |t: &str| {
            t.trim()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
        };
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
    let current =
        crate::scenario::paths::ParamPath::parse(&axis.path, tree, &crate::error::Origin::Default)?
            .get(tree)
            .and_then(|n| match n.value {
                crate::scenario::doc::Value::Int(i) => Some(i as f64),
                crate::scenario::doc::Value::Float(x) => Some(x),
                _ => None,
            });
    match current {
        Some(x) if x > 0.0 && x <= 1.0 && x.fract() != 0.0 => Ok((0.0, 1.0)),
        Some(x) if x > 0.0 => Ok((0.0, 4.0 * x)),
        _ => Err(bad(format!("{} has no value to search around", axis.path))),
    }
}

/// Writes a sweep's or a search's files (unless interrupted) and returns what to print.
fn write_and_print<T: serde::Serialize>(
    dir: &Path,
    out: &OutputOptions,
    files: OutputSet,
    result: &T,
    text: impl FnOnce() -> String,
) -> Result<String, Error> {
    stop_if_interrupted()?;
    let written = files.commit(dir)?;
    Ok(match out.format {
        Format::Json => json_text(result),
        Format::Text => format!(
            "{}\nwrote {} files to {}\n",
            text(),
            written.len(),
            dir.display()
        ),
    })
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("results serialize");
    text.push('\n');
    text
}

/// The output folder: `--out`, or output/<scenario-name>/; an existing file is an error.
fn output_dir(out: &OutputOptions, name: &str) -> Result<PathBuf, Error> {
    let dir = out
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(safe_file_name(name)));
    if dir.is_file() {
        return Err(
            InputError::new(format!("--out {} is an existing file", dir.display()))
                .hint("--out names a folder")
                .into(),
        );
    }
    Ok(dir)
}

fn validate_text(path: &Path, loaded: &Loaded) -> String {
    let mut out = format!(
        "{} is valid: {} setup(s)\n",
        path.display(),
        loaded.setups.len()
    );
    for setup in &loaded.setups {
        out.push_str(&format!("\n[{}]\n", setup.name));
        for (k, v) in setup.scenario.resolved_parameters() {
            out.push_str(&format!("  {k} = {v}\n"));
        }
    }
    out
}

/// Runs `f` on a thread pool of the asked size (the global pool when none is asked).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, Error> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(InputError::new("--threads must be at least 1")
            .hint("leave --threads out to use every core")
            .into()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Run(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(f))
        }
    }
}

/// A progress bar on stderr when it is a terminal and not `--quiet`.
pub fn progress_bar(total: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} runs ({eta})")
            .expect("valid template"),
    );
    bar.set_message(what.to_string());
    bar
}

/// The run count and seed of a simulation: options first, then the first scenario.
fn runs_and_seed(setups: &[Setup], sim: &SimOptions) -> Result<(u64, u64), Error> {
    let first = &setups[0].scenario;
    let runs = sim.runs.unwrap_or(first.runs);
    if runs == 0 || runs > scenario::MAX_RUNS {
        return Err(InputError::new(format!("--runs {runs} is out of range"))
            .hint(format!(
                "use 1 to {} runs; memory grows with runs",
                scenario::MAX_RUNS
            ))
            .into());
    }
    Ok((runs, sim.seed.unwrap_or(first.seed)))
}

fn simulate_and_write(
    title: &str,
    setups: Vec<Setup>,
    sim: &SimOptions,
    out: &OutputOptions,
) -> Result<String, Error> {
    let (runs, seed) = runs_and_seed(&setups, sim)?;
    let dir = output_dir(out, title)?;
    let (all, precision) = match sim.precision {
        None => {
            let bar = progress_bar(runs * setups.len() as u64, sim.quiet, "simulating");
            let all: Vec<SetupRuns> = with_threads(sim.threads, || {
                engine::run_all(&setups, seed, runs, &|n| bar.inc(n))
            })?;
            bar.finish_and_clear();
            (all, None)
        }
        Some(rel) => {
            if !(rel > 0.0 && rel < 1.0) {
                return Err(
                    InputError::new(format!("--precision {rel} is out of range"))
                        .key("--precision")
                        .hint("a fraction of the mean, e.g. 0.01 for ±1%")
                        .into(),
                );
            }
            if sim.max_runs == 0 || sim.max_runs > scenario::MAX_RUNS {
                return Err(InputError::new(format!(
                    "--max-runs {} is out of range",
                    sim.max_runs
                ))
                .key("--max-runs")
                .hint(format!("use 1 to {} runs", scenario::MAX_RUNS))
                .into());
            }
            let bar = progress_bar(sim.max_runs * setups.len() as u64, sim.quiet, "simulating");
            let (all, reached) = with_threads(sim.threads, || {
                engine::run_until_precise(&setups, seed, rel, sim.max_runs, &|n| bar.inc(n))
            })?;
            bar.finish_and_clear();
            (
                all,
                Some(summary::PrecisionReached {
                    requested: rel,
                    reached,
                    max_runs: sim.max_runs,
                }),
            )
        }
    };
    stop_if_interrupted()?;
    let mut results = summary::results(&all, seed, precision);
    results.scenario = title.to_string();
    let charts = if out.no_charts {
        Vec::new()
    } else {
        charts::render_all(&results, &all, &setups[0].scenario.chart, out.chart_size)?
    };
    let mut files = result_files(&results, &all, seed, out.samples);
    let names: Vec<String> = charts.iter().map(|(name, _)| name.clone()).collect();
    for (name, png) in charts {
        files.add(name, png);
    }
    files.add(
        "report.md",
        report_md::report_md(&results, &names).into_bytes(),
    );
    let written = files.commit_replacing(&dir, &output::is_run_output)?;
    let mut text = match out.format {
        Format::Text => report::text(&results),
        Format::Json => String::from_utf8(output::summary_json(&results)).expect("JSON is UTF-8"),
    };
    if out.format == Format::Text {
        text.push_str(&format!(
            "\nwrote {} files to {}\n",
            written.len(),
            dir.display()
        ));
    }
    Ok(text)
}

/// After Ctrl-C or SIGTERM: stop before anything is written.
fn stop_if_interrupted() -> Result<(), Error> {
    match crate::runs::interrupt::requested() {
        Some(code) => Err(Error::Interrupted(code)),
        None => Ok(()),
    }
}

/// Every output file of a run, rendered in memory.
pub fn result_files(results: &Results, all: &[SetupRuns], seed: u64, samples: bool) -> OutputSet {
    let mut files = OutputSet::default();
    files.add("summary.csv", output::summary_csv(results));
    files.add("monthly.csv", output::breakdown_csv(results, "month", true));
    files.add(
        "by_source.csv",
        output::breakdown_csv(results, "source", false),
    );
    if !results.uplift.is_empty() {
        files.add("uplift.csv", output::uplift_csv(results));
    }
    files.add("summary.json", output::summary_json(results));
    if samples {
        files.add("runs.csv", output::runs_csv(all, seed));
    }
    files
}

/// A folder or file name made from a user's name: path separators, control
/// characters and leading dots are replaced, so no name can leave the output folder.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut safe: String = trimmed.chars().take(80).collect();
    if safe.is_empty() || safe.chars().all(|c| c == '.' || c == '_') {
        safe = format!("scenario{safe}");
    }
    safe.replace(' ', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn safe_names_stay_inside_the_output_folder() {
        for name in [
            "../../etc/x",
            "C:\\temp",
            "..",
            "a\u{7}b",
            " . ",
            "MA＋インサイドセールス",
        ] {
            let safe = safe_file_name(name);
            assert!(
                !safe.contains('/') && !safe.contains('\\') && !safe.starts_with('.'),
                "{name} -> {safe}"
            );
            assert!(!safe.chars().any(char::is_control));
            assert!(!safe.is_empty());
        }
        assert_eq!(
            safe_file_name("MA＋インサイドセールス"),
            "MA＋インサイドセールス"
        );
    }
}
