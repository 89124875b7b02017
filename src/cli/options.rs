//! The options of every command (clap): what a user may type.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::charts::ChartSize;
use crate::scenario::templates::Template;

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
#[command(
    after_help = "The scenario format and the model: docs/model.md; every command and output: docs/cli.md (both in the funnelsim repository)."
)]
pub(crate) struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of cli.md.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Simulate a scenario and its [[variant]]s on the same runs; print the KPI table; write the outputs.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Simulation options.
        #[command(flatten)]
        sim: SimOptions,
        /// Output options.
        #[command(flatten)]
        out: OutputOptions,
    },
    /// Simulate separate scenario files on the same seed: side by side, paired uplift against the first.
    Compare {
        /// Two or more scenario files; the first is the baseline.
        #[arg(num_args = 2.., required = true)]
        scenarios: Vec<PathBuf>,
        /// Simulation options.
        #[command(flatten)]
        sim: SimOptions,
        /// Output options.
        #[command(flatten)]
        out: OutputOptions,
    },
    /// A grid of one or two parameters, each point a full Monte Carlo on common random numbers.
    Sweep {
        /// The scenario file (TOML).
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
        /// How to pick the best point: p_goal (highest P(goal), the default with a goal),
        /// cheapest (least mean cost among points meeting the goal with --confidence), or a metric (best median).
        #[arg(long, value_name = "RULE")]
        best: Option<String>,
        /// With --best cheapest: the chance of the goal a point must reach.
        #[arg(long, default_value_t = 0.8)]
        confidence: f64,
        /// Simulation options.
        #[command(flatten)]
        sim: SimOptions,
        /// Output options.
        #[command(flatten)]
        out: OutputOptions,
    },
    /// The least (or most) value of a parameter that meets a goal with a confidence, and the KPI cascade.
    Target {
        /// The scenario file (TOML).
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
        /// Simulation options.
        #[command(flatten)]
        sim: SimOptions,
        /// Output options.
        #[command(flatten)]
        out: OutputOptions,
    },
    /// Which inputs drive a metric: a tornado and a spider on the expected funnel, rank correlations and variance shares from the runs.
    Sensitivity {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The metric studied.
        #[arg(long, default_value = "won")]
        metric: String,
        /// The setup studied (default: the first that is not the baseline, or the only one).
        #[arg(long)]
        setup: Option<String>,
        /// Study the paired uplift against the baseline (ratio for counts and money, difference for rates and days).
        #[arg(long)]
        uplift: bool,
        /// Also move every plain number by this fraction either way, e.g. 0.2 for ±20%.
        #[arg(long, value_name = "FRACTION")]
        plain: Option<f64>,
        /// Simulation options.
        #[command(flatten)]
        sim: SimOptions,
        /// Output options.
        #[command(flatten)]
        out: OutputOptions,
    },
    /// Check a scenario and print its resolved parameters.
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Override a parameter: PATH=VALUE (VALUE is TOML).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// The expected funnel with every uncertain value at its mean and no noise (instant).
    #[command(
        after_help = "The model it runs, step by step: docs/model.md in the funnelsim repository."
    )]
    Explain {
        /// The scenario file (TOML).
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
pub(crate) struct SimOptions {
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
pub(crate) struct OutputOptions {
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
    /// Skip report.xlsx, the Excel workbook.
    #[arg(long)]
    pub no_xlsx: bool,
    /// Chart size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value_t = ChartSize::default())]
    pub chart_size: ChartSize,
}

/// Output format of the summary on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    // No doc comments here: clap would list them under `--help`, switching it
    // to its long layout. The names say it: a table, or a JSON document.
    Text,
    Json,
}
