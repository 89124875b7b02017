//! The command line: parses options, runs one command, prints its text.
//!
//! `main.rs` only calls [`main`]. Each command is one function in the file of
//! its family: `simulate.rs` (run, compare), `search.rs` (sweep, target),
//! `sensitivity.rs`, `inspect.rs` (validate, explain, init, completions); the options are in
//! `options.rs`, what they share here.

mod inspect;
mod options;
mod search;
mod sensitivity;
mod simulate;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

pub use options::VERSION;
pub(crate) use options::{Cli, Command, Format, OutputOptions, SimOptions};

use crate::error::{Error, InputError};
use crate::report::files::OutputSet;
use crate::runs::engine::RunPlan;
use crate::scenario::{self, Setup};

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
pub(crate) fn execute(command: Command) -> Result<String, Error> {
    match command {
        Command::Run { scenario, sim, out } => simulate::run(&scenario, &sim, &out),
        Command::Compare {
            scenarios,
            sim,
            out,
        } => simulate::compare(&scenarios, &sim, &out),
        Command::Sweep {
            scenario,
            vary,
            metric,
            goal,
            best,
            confidence,
            sim,
            out,
        } => {
            let ask = search::SweepArgs {
                vary: &vary,
                metric: &metric,
                goal: goal.as_deref(),
                best: best.as_deref(),
                confidence,
            };
            search::sweep(&scenario, ask, &sim, &out)
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
            let ask = search::TargetArgs {
                goal: &goal,
                confidence,
                solve: &solve,
                range: range.as_deref(),
            };
            search::target(&scenario, ask, &sim, &out)
        }
        Command::Sensitivity {
            scenario,
            metric,
            setup,
            uplift,
            plain,
            sim,
            out,
        } => {
            let ask = sensitivity::Ask {
                metric: &metric,
                setup: setup.as_deref(),
                uplift,
                plain,
            };
            sensitivity::sensitivity(&scenario, ask, &sim, &out)
        }
        Command::Validate { scenario, set } => inspect::validate(&scenario, &set),
        Command::Explain { scenario, set } => inspect::explain(&scenario, &set),
        Command::Completions { shell } => inspect::completions(shell),
        Command::Init { template, file } => inspect::init(template, file.as_deref()),
    }
}

/// The checked run plan of a simulating command: `--runs`, `--seed` and
/// `--threads`, else the first scenario's (`run` and `compare` add `--precision`).
fn run_plan(setups: &[Setup], sim: &SimOptions) -> Result<RunPlan<'static>, Error> {
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
    let mut plan = RunPlan::new(runs, sim.seed.unwrap_or(first.seed));
    plan.threads = sim.threads;
    Ok(plan)
}

/// Warns on stderr of every cost of a team or tool a setup uses that is 0.
fn warn_zero_costs(setups: &[Setup]) {
    for s in setups {
        for z in &s.assumptions.zero_costs {
            let how = if z.written { "is 0" } else { "is not set (0)" };
            eprintln!("warning: {}: {} {how}: {}", s.label, z.path, z.why);
        }
    }
}

/// A progress bar on stderr when it is a terminal and not `--quiet`.
fn progress_bar(total: u64, quiet: bool, what: &str) -> ProgressBar {
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

/// After Ctrl-C or SIGTERM: stop before anything is written.
fn stop_if_interrupted() -> Result<(), Error> {
    match crate::runs::interrupt::requested() {
        Some(code) => Err(Error::Interrupted(code)),
        None => Ok(()),
    }
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
