//! Bad input, through the binary: every malformed scenario file or argument set
//! in the table below must
//!
//! - exit with code 2 (cli.md: bad input);
//! - print an error on stderr that starts with `error:`, names the key path and,
//!   for a file, `file.toml:LINE:COLUMN` at the right line (cli.md: "every error
//!   names the file, line, column and key path where it can");
//! - say what would be valid, on a `help:` line (cli.md: "and says what would be
//!   valid"), with the nearest valid key or path where there is a near-typo;
//! - never panic;
//! - write nothing: neither into `--out` nor into the working folder.
//!
//! The scenario files live in `tests/bad/`, one file per case, named for what is
//! wrong; line 1 of each is a comment saying so. Inputs a text file cannot hold
//! (bytes that are not UTF-8) are written by the test itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A valid scenario that every fixture in `tests/bad/` starts from (plus a comment line).
const BASE: &str = "[scenario]\nname = \"bad\"\nhorizon_months = 2\n\n[[source]]\nname = \"web\"\nleads_per_month = 100\n";

/// Where a scenario argument comes from.
#[derive(Clone, Copy, Debug)]
enum Input {
    /// A file in `tests/bad/`.
    Fixture(&'static str),
    /// A file of this name, written with these bytes into a fresh folder.
    Bytes(&'static str, &'static [u8]),
    /// A file of the repository, relative to its root.
    Repo(&'static str),
    /// A file that does not exist.
    Missing(&'static str),
}

/// What `--out` points at.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Out {
    /// A fresh, empty temporary folder, which must stay empty.
    FreshDir,
    /// An existing regular file, which must stay as it was.
    ExistingFile,
}

/// What the `help:` part of the message must hold.
#[derive(Clone, Copy, Debug)]
enum Hint {
    /// A `help:` line.
    Required,
    /// A `help:` line that contains this text (a suggestion, the valid choices, ...).
    Says(&'static str),
    /// No `help:` line is asked for (argument errors reported by clap).
    NotAsked,
}

/// One bad input and what its error must say.
#[derive(Clone, Copy, Debug)]
struct Case {
    name: &'static str,
    command: &'static str,
    inputs: &'static [Input],
    /// Extra arguments; `--runs 20` is added unless they set `--runs`.
    args: &'static [&'static str],
    /// Text the message must contain: the key path (`follow_up.sla_days`); alternatives separated by `|`.
    key: Option<&'static str>,
    /// The position the message must give: file name (alternatives separated by `|`) and line.
    at: Option<(&'static str, usize)>,
    hint: Hint,
    out: Out,
}

/// A bad scenario file in `tests/bad/`: the expected key path and the line of the mistake.
const fn file(name: &'static str, key: Option<&'static str>, line: Option<usize>) -> Case {
    let inputs: &'static [Input] = &[];
    let mut case = Case {
        name,
        command: "run",
        inputs,
        args: &[],
        key,
        at: None,
        hint: Hint::Required,
        out: Out::FreshDir,
    };
    if let Some(line) = line {
        case.at = Some((name, line));
    }
    case
}

/// A bad argument set, run against the bundled baseline scenario.
const fn cli(name: &'static str, args: &'static [&'static str], key: Option<&'static str>) -> Case {
    Case {
        name,
        command: "run",
        inputs: &[Input::Repo("scenarios/baseline.toml")],
        args,
        key,
        at: None,
        hint: Hint::Required,
        out: Out::FreshDir,
    }
}

impl Case {
    const fn hint(mut self, text: &'static str) -> Case {
        self.hint = Hint::Says(text);
        self
    }
    const fn no_hint_asked(mut self) -> Case {
        self.hint = Hint::NotAsked;
        self
    }
    const fn inputs(mut self, inputs: &'static [Input]) -> Case {
        self.inputs = inputs;
        self
    }
    const fn command(mut self, command: &'static str) -> Case {
        self.command = command;
        self
    }
    const fn at(mut self, file: &'static str, line: usize) -> Case {
        self.at = Some((file, line));
        self
    }
    const fn out(mut self, out: Out) -> Case {
        self.out = out;
        self
    }

    /// The scenario arguments: the case's own inputs, else its fixture file.
    fn scenario_inputs(&self) -> Vec<Input> {
        if self.inputs.is_empty() {
            vec![Input::Fixture(self.name)]
        } else {
            self.inputs.to_vec()
        }
    }
}

const NON_UTF8_STRING: &[u8] =
    b"[scenario]\nname = \"\xff\"\n\n[[source]]\nname = \"web\"\nleads_per_month = 100\n";
const NON_UTF8_COMMENT: &[u8] = b"# caf\xe9 (Latin-1)\n[scenario]\nname = \"bad\"\n\n[[source]]\nname = \"web\"\nleads_per_month = 100\n";
/// `[scenario]` saved as UTF-16 (Windows Notepad's "Unicode").
const UTF16_FILE: &[u8] = b"\xff\xfe[\0s\0c\0e\0n\0a\0r\0i\0o\0]\0\n\0";

/// Every case: the scenario file or the arguments, the key path the message must name,
/// the line it must point at (None: no position is asked for), and the hint it must give.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- TOML that does not parse ----------------------------------------------------------------------------
    file("toml_syntax_error.toml",              None,                                Some(5)),
    file("truncated_file.toml",                 None,                                Some(8)),
    file("truncated_string.toml",               None,                                Some(3)),
    file("non_utf8_in_string.toml",             None,                                Some(2))
        .inputs(&[Input::Bytes("non_utf8_in_string.toml", NON_UTF8_STRING)]),
    file("non_utf8_in_comment.toml",            None,                                Some(1))
        .inputs(&[Input::Bytes("non_utf8_in_comment.toml", NON_UTF8_COMMENT)]),
    file("utf16_file.toml",                     None,                                Some(1))
        .inputs(&[Input::Bytes("utf16_file.toml", UTF16_FILE)]),
    // ---- wrong types -----------------------------------------------------------------------------------------
    file("string_for_number.toml",              Some("scenario.horizon_months"),     Some(4)),
    file("number_for_automation.toml",          Some("marketing.automation"),        Some(11)),
    file("table_for_sla_days.toml",             Some("follow_up.sla_days"),          Some(11)),
    file("array_for_name.toml",                 Some("scenario.name"),               Some(3)),
    file("bool_for_leads_per_month.toml",       Some("source.web.leads_per_month"),  Some(8)),
    file("string_inside_distribution.toml",     Some("sales.win_rate"),              Some(11)),
    file("source_as_plain_table.toml",          Some("source"),                      Some(6)).hint("[[source]]"),
    file("marketing_as_number.toml",            Some("marketing"),                   Some(2)),
    file("extends_not_a_string.toml",           Some("extends"),                     Some(2)),
    // ---- unknown keys (with a "did you mean" for a near-typo) ------------------------------------------------
    file("unknown_key_top_level.toml",          Some("colour"),                      Some(2)),
    file("unknown_key_in_scenario.toml",        Some("scenario.horizon_monhts"),     Some(4)).hint("horizon_months"),
    file("unknown_key_in_source.toml",          Some("source.web.leads_per_mont|source[0].leads_per_mont"), Some(8))
        .hint("leads_per_month"),
    file("unknown_key_in_follow_up.toml",       Some("follow_up.sla_day"),           Some(11)).hint("did you mean `sla_days`"),
    file("unknown_key_in_nurture.toml",         Some("marketing.nurture.max_month"), Some(11)).hint("max_months"),
    file("targets_unknown_metric.toml",         Some("targets.wins"),                Some(11)).hint("won"),
    // ---- values outside their domain -------------------------------------------------------------------------
    file("probability_above_one.toml",          Some("sales.win_rate"),              Some(11)),
    file("negative_count.toml",                 Some("source.web.leads_per_month"),  Some(8)),
    file("gross_margin_above_one.toml",         Some("deal.gross_margin"),           Some(11)),
    file("growth_below_minus_one.toml",         Some("source.web.growth_per_month"), Some(9)).hint("-1"),
    file("half_life_zero.toml",                 Some("follow_up.response_half_life_days"), Some(11)),
    file("score_above_100.toml",                Some("source.web.score"),            Some(9)),
    file("negative_reps.toml",                  Some("inside_sales.reps"),           Some(11)),
    file("mql_threshold_101.toml",              Some("marketing.mql_threshold"),     Some(12)).hint("100"),
    file("mql_threshold_fractional.toml",       Some("marketing.mql_threshold"),     Some(12)).hint("whole number"),
    file("horizon_zero.toml",                   Some("scenario.horizon_months"),     Some(4)).hint("120"),
    file("horizon_1000.toml",                   Some("scenario.horizon_months"),     Some(4)).hint("120"),
    file("runs_zero.toml",                      Some("scenario.runs"),               Some(5)),
    file("max_lifetime_zero.toml",              Some("deal.max_lifetime_months"),    Some(11)),
    file("queue_order_unknown.toml",            Some("follow_up.queue_order"),       Some(11)).hint("oldest_first"),
    file("team_unknown.toml",                   Some("follow_up.team"),              Some(11)).hint("inside_sales"),
    file("start_month_13.toml",                 Some("scenario.start"),              Some(5)).hint("YYYY-MM|2027-04"),
    file("nan_number.toml",                     Some("source.web.leads_per_month"),  Some(8)),
    file("inf_number.toml",                     Some("sales.cost_per_rep_per_month"), Some(11)),
    file("nan_inside_distribution.toml",        Some("sales.win_rate"),              Some(11)),
    file("huge_integer.toml",                   Some("scenario.seed"),               Some(5)),
    file("huge_leads_per_month.toml",           Some("source.web.leads_per_month"),  Some(8)),
    // ---- distributions that cannot be fitted -----------------------------------------------------------------
    file("probability_range_outside_unit.toml", Some("sales.win_rate"),              Some(11)),
    file("range_lower_not_below_upper.toml",    Some("source.web.leads_per_month"),  Some(8)),
    file("range_equal_bounds.toml",             Some("deal.monthly_revenue"),        Some(11)),
    file("beta_sd_too_large.toml",              Some("sales.win_rate"),              Some(11)),
    file("pert_mode_outside.toml",              Some("sales.sales_cycle_days"),      Some(11)),
    file("lognormal_p90_below_median.toml",     Some("sales.sales_cycle_days"),      Some(11)),
    file("normal_sd_zero.toml",                 Some("source.web.score"),            Some(9)),
    file("normal_sd_negative.toml",             Some("deal.monthly_revenue"),        Some(11)),
    file("unknown_distribution.toml",           Some("source.web.leads_per_month"),  Some(8)).hint("range"),
    file("distribution_two_keys.toml",          Some("sales.win_rate"),              Some(11)),
    // ---- structure: sources, names, lists --------------------------------------------------------------------
    file("empty_source_list.toml",              Some("source"),                      Some(2)).hint("[[source]]"),
    file("no_source.toml",                      Some("source"),                      None).hint("[[source]]"),
    file("missing_scenario_table.toml",         Some("scenario"),                    None).hint("[scenario]"),
    file("source_without_leads_per_month.toml", Some("source.web.leads_per_month"),  Some(6)),
    file("duplicate_source_names.toml",         Some("source[1].name|source.web.name"), Some(11)),
    file("empty_name.toml",                     Some("scenario.name"),               Some(3)),
    file("name_only_spaces.toml",               Some("source[0].name"),              Some(7)),
    file("name_with_control_character.toml",    Some("scenario.name"),               Some(3)),
    file("cost_and_budget.toml",                Some("source.web.budget_per_month|source.web.cost_per_lead"), Some(10)),
    file("seasonality_wrong_length.toml",       Some("source.web.seasonality"),      Some(9)),
    file("seasonality_negative.toml",           Some("source.web.seasonality"),      Some(9)),
    file("sql_rate_bands_out_of_order.toml",    Some("follow_up.sql_rate_by_score"), Some(11)),
    file("sql_rate_band_not_a_pair.toml",       Some("follow_up.sql_rate_by_score"), Some(11)),
    file("sql_rate_score_above_100.toml",       Some("follow_up.sql_rate_by_score"), Some(11)),
    file("sql_rate_rate_above_one.toml",        Some("follow_up.sql_rate_by_score"), Some(11)),
    // ---- [[correlation]] ------------------------------------------------------------------------------------------
    file("correlation_plain_number.toml",       Some("correlation.0.inputs"),        Some(14)).hint("distribution"),
    file("correlation_of_d_value.toml",         Some("correlation.0.inputs"),        Some(14)).hint("sales.win_rate"),
    file("correlation_unknown_path.toml",       Some("correlation.0.inputs"),        Some(14)).hint("did you mean `sales.win_rate`"),
    file("correlation_plain_only_parameter.toml", Some("correlation.0.inputs"),      Some(11)).hint("source.web.leads_per_month"),
    file("correlation_with_itself.toml",        Some("correlation.0.inputs"),        Some(11)).hint("two different"),
    file("correlation_same_pair_twice.toml",    Some("correlation.1.inputs"),        Some(18)).hint("correlation.0.rank"),
    file("correlation_rank_outside.toml",       Some("correlation.0.rank"),          Some(15)).hint("between -1 and 1"),
    file("correlation_not_positive_definite.toml", Some("correlation.2.rank"),       Some(24)).hint("nearest valid rank is 0.632"),
    // ---- variants, baseline, extends -------------------------------------------------------------------------
    file("variant_set_unknown_path.toml",       Some("follow_up.sla_day"),           Some(12)).hint("follow_up.sla_days"),
    file("variant_set_unknown_source.toml",     Some("source.ads.leads_per_month"),  Some(12)).hint("web"),
    file("variant_set_invalid_value.toml",      Some("sales.win_rate"),              Some(12)),
    file("variant_without_name.toml",           Some("variant[0]"),                  Some(10)).hint("name"),
    file("duplicate_variant_names.toml",        Some("variant[1].name"),             Some(15)),
    file("baseline_unknown_setup.toml",         Some("scenario.baseline"),           Some(5)).hint("Tomorrow"),
    file("extends_missing_file.toml",           Some("extends"),                     Some(2)),
    file("extends_cycle_a.toml",                Some("extends"),                     None)
        .at("extends_cycle_a.toml|extends_cycle_b.toml", 2),
    // ---- the command line (against scenarios/baseline.toml) --------------------------------------------------
    cli("set_bad_path",              &["--set", "follow_up.sla_day=1"],           Some("follow_up.sla_day")).hint("follow_up.sla_days"),
    cli("set_unknown_source",        &["--set", "source.nope.leads_per_month=5"], Some("source.nope.leads_per_month")).hint("web_ads"),
    cli("set_without_equals",        &["--set", "follow_up.sla_days"],            Some("follow_up.sla_days")).hint("="),
    cli("set_empty_path",            &["--set", "=3"],                            Some("--set =3")),
    cli("set_value_not_toml",        &["--set", "sales.win_rate=[0.2,"],          Some("sales.win_rate")),
    cli("set_probability_above_one", &["--set", "sales.win_rate=1.5"],            Some("sales.win_rate")),
    cli("set_wrong_type",            &["--set", "marketing.automation=yes"],      Some("marketing.automation")),
    cli("set_no_such_correlation",   &["--set", "correlation.0.rank=0.1"],        Some("correlation.0.rank")).hint("no [[correlation]]"),
    cli("set_rank_outside",          &["--set", "correlation.0.rank=1.5"],        Some("correlation.0.rank"))
        .inputs(&[Input::Repo("scenarios/correlated_inputs.toml")]).hint("between -1 and 1"),
    cli("set_ranks_that_conflict",   &["--set", "correlation.2.rank=-0.9"],       Some("correlation.2.rank"))
        .inputs(&[Input::Repo("scenarios/correlated_inputs.toml")]).hint("nearest valid rank"),
    cli("runs_zero_flag",            &["--runs", "0"],                            Some("--runs")),
    cli("runs_not_a_number",         &["--runs", "many"],                         Some("--runs")).no_hint_asked(),
    cli("threads_zero",              &["--threads", "0"],                         Some("--threads")),
    cli("scenario_does_not_exist",   &[],                                         Some("no_such_scenario.toml"))
        .inputs(&[Input::Missing("no_such_scenario.toml")]),
    cli("out_is_an_existing_file",   &[],                                         Some("--out")).out(Out::ExistingFile),
    // ---- sweep and target (against scenarios/baseline.toml) ----------------------------------------------------
    cli("sweep_zero_step",           &["--vary", "sales.reps=1..5:0"],            Some("--vary sales.reps=1..5:0")).command("sweep").hint("FROM..TO"),
    cli("sweep_negative_step",       &["--vary", "sales.reps=1..5:-1"],           Some("--vary sales.reps=1..5:-1")).command("sweep").hint("FROM..TO"),
    cli("sweep_backwards_range",     &["--vary", "sales.reps=5..1"],              Some("--vary sales.reps=5..1")).command("sweep").hint("FROM..TO"),
    cli("sweep_bad_path",            &["--vary", "sales.repz=1..5"],              Some("sales.repz")).command("sweep").hint("sales.reps"),
    cli("sweep_million_points",      &["--vary", "source.web_ads.cost_per_lead=1..1000000:1"], Some("--vary")).command("sweep").hint("at most 400 points"),
    cli("sweep_three_axes",          &["--vary", "sales.reps=1,2", "--vary", "inside_sales.reps=1,2", "--vary", "follow_up.sla_days=1,2"], None).command("sweep").hint("once or twice"),
    cli("sweep_unknown_metric",      &["--vary", "sales.reps=1..3", "--metric", "wins"], Some("--metric")).command("sweep").hint("valid metrics"),
    cli("sweep_goal_unknown_metric", &["--vary", "sales.reps=1..3", "--goal", "wins >= 3"], Some("--goal")).command("sweep").hint("won"),
    cli("sweep_value_out_of_domain", &["--vary", "sales.sql_to_opportunity=0.5,1.5"], Some("sales.sql_to_opportunity")).command("sweep").hint("probability"),
    cli("target_goal_without_op",    &["--goal", "won 30", "--solve", "sales.reps"], Some("--goal")).command("target").hint("METRIC OP VALUE"),
    cli("target_confidence_above_1", &["--goal", "won >= 30", "--solve", "sales.reps", "--confidence", "1.5"], Some("--confidence")).command("target").hint("between 0 and 1"),
    cli("target_empty_range",        &["--goal", "won >= 30", "--solve", "sales.reps", "--range", "5..1"], Some("--range")).command("target").hint("A < B"),
    cli("target_bad_solve_path",     &["--goal", "won >= 30", "--solve", "sales.rep"], Some("sales.rep")).command("target").hint("sales.reps"),
    cli("precision_out_of_range",    &["--precision", "2"],                       Some("--precision")).hint("fraction"),
    cli("chart_size_malformed",      &["--chart-size", "big"],                    Some("--chart-size")).no_hint_asked(),
    cli("compare_one_file",          &[],                                         None).command("compare").no_hint_asked(),
    cli("compare_second_file_bad",   &[],                                         Some("sales.win_rate"))
        .command("compare")
        .inputs(&[Input::Repo("scenarios/baseline.toml"), Input::Fixture("probability_above_one.toml")])
        .at("probability_above_one.toml", 11),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bad_dir() -> PathBuf {
    manifest_dir().join("tests").join("bad")
}

/// Every entry of a folder (names only), for "nothing was written" checks.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Whether `text` holds `file:line:` followed by a column number, for any of the `|`-separated files.
fn has_position(text: &str, files: &str, line: usize) -> bool {
    files.split('|').any(|file| {
        let needle = format!("{file}:{line}:");
        text.match_indices(&needle)
            .any(|(i, _)| text[i + needle.len()..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Runs one case through the binary and returns what is wrong with the outcome (empty: it passed).
fn check(case: &Case) -> (String, Vec<String>) {
    let inputs_dir = tempfile::tempdir().expect("temp folder");
    let work_dir = tempfile::tempdir().expect("temp folder");
    let out_dir = tempfile::tempdir().expect("temp folder");
    let existing_file = out_dir.path().join("keep.txt");
    let out = match case.out {
        Out::FreshDir => out_dir.path().to_path_buf(),
        Out::ExistingFile => {
            std::fs::write(&existing_file, b"keep me").expect("write");
            existing_file.clone()
        }
    };

    let mut args: Vec<String> = vec![case.command.to_string()];
    for input in case.scenario_inputs() {
        let path = match input {
            Input::Fixture(name) => bad_dir().join(name),
            Input::Repo(path) => manifest_dir().join(path),
            Input::Missing(name) => inputs_dir.path().join("missing").join(name),
            Input::Bytes(name, bytes) => {
                let path = inputs_dir.path().join(name);
                std::fs::write(&path, bytes).expect("write input");
                path
            }
        };
        args.push(path.display().to_string());
    }
    args.extend(case.args.iter().map(|a| a.to_string()));
    if !case.args.contains(&"--runs") {
        args.extend(["--runs".to_string(), "20".to_string()]);
    }
    args.extend(["--out".to_string(), out.display().to_string()]);

    let command_line = format!("funnelsim {}", args.join(" "));
    let output: Output = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .args(&args)
        .current_dir(work_dir.path())
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("start funnelsim");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();

    let mut problems = Vec::new();
    if output.status.code() != Some(2) {
        problems.push(format!("exit code {:?}, expected 2", output.status.code()));
    }
    if stderr.contains("panicked") || stdout.contains("panicked") {
        problems.push("it panicked".to_string());
    }
    if !stderr.starts_with("error:") {
        problems.push("stderr does not start with `error:`".to_string());
    }
    if let Some(key) = case.key
        && !key.split('|').any(|k| stderr.contains(k))
    {
        problems.push(format!("stderr does not name the key path `{key}`"));
    }
    if let Some((files, line)) = case.at
        && !has_position(&stderr, files, line)
    {
        problems.push(format!(
            "stderr does not give the position `{files}:{line}:COLUMN`"
        ));
    }
    let help = stderr.find("help:").map(|i| &stderr[i..]);
    match (case.hint, help) {
        (Hint::NotAsked, _) => {}
        (Hint::Required | Hint::Says(_), None) => {
            problems.push("stderr has no `help:` line saying what would be valid".to_string())
        }
        (Hint::Says(text), Some(help)) if !text.split('|').any(|t| help.contains(t)) => {
            problems.push(format!("the `help:` text does not mention `{text}`"))
        }
        _ => {}
    }
    match case.out {
        Out::FreshDir => {
            let written = entries(out_dir.path());
            if !written.is_empty() {
                problems.push(format!("files were written to --out: {written:?}"));
            }
        }
        Out::ExistingFile => {
            if std::fs::read(&existing_file).ok().as_deref() != Some(b"keep me".as_slice()) {
                problems.push("the existing --out file was changed".to_string());
            }
            let written = entries(out_dir.path());
            if written != ["keep.txt"] {
                problems.push(format!(
                    "files were written next to the --out file: {written:?}"
                ));
            }
        }
    }
    let stray = entries(work_dir.path());
    if !stray.is_empty() {
        problems.push(format!(
            "files were written to the working folder: {stray:?}"
        ));
    }

    let report = format!(
        "case `{}`\n  command: {command_line}\n  exit code: {:?}\n  stderr:\n{}",
        case.name,
        output.status.code(),
        stderr
            .lines()
            .map(|l| format!("    | {l}\n"))
            .collect::<String>()
    );
    (report, problems)
}

#[test]
fn every_bad_input_exits_2_with_position_key_path_and_help_and_writes_nothing() {
    assert!(CASES.len() >= 45, "the corpus must hold at least 45 cases");
    let mut failures = Vec::new();
    for case in CASES {
        let (report, problems) = check(case);
        if !problems.is_empty() {
            failures.push(format!(
                "{report}  problems:\n{}",
                problems
                    .iter()
                    .map(|p| format!("    - {p}\n"))
                    .collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two cases share a name");
}

/// Every file in `tests/bad/` is used by the table, and every fixture the table names exists.
#[test]
fn fixtures_and_table_agree() {
    let mut used: Vec<&str> = CASES
        .iter()
        .flat_map(|c| c.scenario_inputs())
        .filter_map(|i| match i {
            Input::Fixture(name) => Some(name),
            _ => None,
        })
        .collect();
    // Reached only through `extends` from another fixture.
    used.push("extends_cycle_b.toml");
    for name in &used {
        assert!(
            bad_dir().join(name).is_file(),
            "tests/bad/{name} is missing"
        );
    }
    for name in entries(&bad_dir()) {
        assert!(
            used.contains(&name.as_str()),
            "tests/bad/{name} is not in the table"
        );
    }
}

/// The fixtures differ from a valid scenario only in their mistake: the base they start from is valid.
#[test]
fn the_base_of_the_fixtures_is_valid() {
    let dir = tempfile::tempdir().expect("temp folder");
    let path = dir.path().join("base.toml");
    std::fs::write(&path, BASE).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("validate")
        .arg(&path)
        .output()
        .expect("start funnelsim");
    assert!(
        output.status.success(),
        "the base scenario is not valid: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
