//! The command line: options types (clap) and what each command does.
//!
//! `main.rs` only calls [`main`]; everything else lives here and in the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::{self, SetupRuns};
use crate::error::{Error, InputError};
use crate::output::{self, OutputSet};
use crate::scenario::{self, Loaded, Setup};
use crate::summary::{self, Results};
use crate::templates::{self, Template};
use crate::{explain, report};

/// Monte Carlo what-if simulator for B2B sales and marketing funnels.
#[derive(Parser, Debug)]
#[command(name = "funnelsim", version, about, long_about = None)]
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
}

/// Output format of the summary on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
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
        Command::Compare { scenarios, sim, out } => {
            let mut setups: Vec<Setup> = Vec::new();
            let mut title = String::new();
            for path in &scenarios {
                let Loaded { setups: mut file_setups, name, .. } = scenario::load(path, &sim.set)?;
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
        Command::Validate { scenario, set } => {
            let loaded = scenario::load(&scenario, &set)?;
            Ok(validate_text(&scenario, &loaded))
        }
        Command::Explain { scenario, set } => {
            let loaded = scenario::load(&scenario, &set)?;
            Ok(explain::text(&loaded.setups))
        }
        Command::Init { template, file } => {
            let text = templates::text(template);
            match file {
                None => Ok(text.to_string()),
                Some(path) => {
                    if path.exists() {
                        return Err(InputError::new(format!("{} already exists", path.display())).hint("choose another file name, or remove the file first").into());
                    }
                    let mut set = OutputSet::default();
                    let name = path.file_name().map(PathBuf::from).ok_or_else(|| InputError::new("FILE must name a file"))?;
                    set.add(name, text.as_bytes().to_vec());
                    set.commit(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))?;
                    Ok(format!("wrote {}\n", path.display()))
                }
            }
        }
    }
}

fn validate_text(path: &Path, loaded: &Loaded) -> String {
    let mut out = format!("{} is valid: {} setup(s)\n", path.display(), loaded.setups.len());
    for setup in &loaded.setups {
        out.push_str(&format!("\n[{}]\n", setup.name));
        for (k, v) in setup.scenario.resolved_parameters() {
            out.push_str(&format!("  {k} = {v}\n"));
        }
    }
    out
}

/// Runs `f` on a thread pool of the asked size (the global pool when none is asked).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(InputError::new("--threads must be at least 1").hint("leave --threads out to use every core").into()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(|e| Error::Run(format!("cannot start {n} threads: {e}")))?;
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
    bar.set_style(ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} runs ({eta})").expect("valid template"));
    bar.set_message(what.to_string());
    bar
}

/// The run count and seed of a simulation: options first, then the first scenario.
fn runs_and_seed(setups: &[Setup], sim: &SimOptions) -> Result<(u64, u64), Error> {
    let first = &setups[0].scenario;
    let runs = sim.runs.unwrap_or(first.runs);
    if runs == 0 || runs > scenario::MAX_RUNS {
        return Err(InputError::new(format!("--runs {runs} is out of range")).hint(format!("use 1 to {} runs; memory grows with runs", scenario::MAX_RUNS)).into());
    }
    Ok((runs, sim.seed.unwrap_or(first.seed)))
}

fn simulate_and_write(title: &str, setups: Vec<Setup>, sim: &SimOptions, out: &OutputOptions) -> Result<String, Error> {
    let (runs, seed) = runs_and_seed(&setups, sim)?;
    let dir = out.out.clone().unwrap_or_else(|| Path::new("output").join(safe_file_name(title)));
    if dir.is_file() {
        return Err(InputError::new(format!("--out {} is an existing file", dir.display())).hint("--out names a folder").into());
    }
    let bar = progress_bar(runs * setups.len() as u64, sim.quiet, "simulating");
    let all: Vec<SetupRuns> = with_threads(sim.threads, || engine::run_all(&setups, seed, runs, &|n| bar.inc(n)))?;
    bar.finish_and_clear();
    let mut results = summary::results(&all, seed, None);
    results.scenario = title.to_string();
    let files = result_files(&results, &all, seed, out.samples);
    let written = files.commit(&dir)?;
    let mut text = match out.format {
        Format::Text => report::text(&results),
        Format::Json => String::from_utf8(output::summary_json(&results)).expect("JSON is UTF-8"),
    };
    if out.format == Format::Text {
        text.push_str(&format!("\nwrote {} files to {}\n", written.len(), dir.display()));
    }
    Ok(text)
}

/// Every output file of a run, rendered in memory.
pub fn result_files(results: &Results, all: &[SetupRuns], seed: u64, samples: bool) -> OutputSet {
    let mut files = OutputSet::default();
    files.add("summary.csv", output::summary_csv(results));
    files.add("monthly.csv", output::breakdown_csv(results, "month", true));
    files.add("by_source.csv", output::breakdown_csv(results, "source", false));
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
        .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
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
        for name in ["../../etc/x", "C:\\temp", "..", "a\u{7}b", " . ", "MA＋インサイドセールス"] {
            let safe = safe_file_name(name);
            assert!(!safe.contains('/') && !safe.contains('\\') && !safe.starts_with('.'), "{name} -> {safe}");
            assert!(!safe.chars().any(char::is_control));
            assert!(!safe.is_empty());
        }
        assert_eq!(safe_file_name("MA＋インサイドセールス"), "MA＋インサイドセールス");
    }
}
