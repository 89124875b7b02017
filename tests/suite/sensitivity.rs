//! `sensitivity`: the tornado against closed forms, the variance shares against
//! known contributions, and the command end to end.

use crate::common;

use std::process::Command;

use funnelsim::analysis::sensitivity::{InputKind, Sensitivity, SensitivitySpec, sensitivity};
use funnelsim::runs::engine::run_all;
use funnelsim::scenario::Setup;
use funnelsim::scenario::metric::Metric;

fn funnelsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_funnelsim"))
}

/// Fixed rates, unlimited capacity, no decay, no lags: won = 12 x leads x 0.25 x win rate.
fn linear(leads: &str, win_rate: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "linear"
horizon_months = 12
start = "2027-01"
[[source]]
name = "ads"
leads_per_month = {leads}
score = 50
cost_per_lead = {{ uniform = [5000, 9000] }}
[follow_up]
team = "field_sales"
sla_days = 30
response_half_life_days = 1e12
sql_rate_by_score = [[0, 0.5]]
[sales]
reps = 10
inbound_mqls_per_rep_per_day = 1e7
sql_to_opportunity = 0.5
opportunity_lag_days = 0
sales_cycle_days = 0
win_rate = {win_rate}
{extra}
"#
    )
}

fn study(setups: &[Setup], spec: &SensitivitySpec, runs: u64, seed: u64) -> Sensitivity {
    let all = run_all(setups, seed, runs, &|_| {});
    match spec.uplift {
        true => sensitivity("t", spec, &all[1], Some(&all[0]), seed),
        false => sensitivity("t", spec, &all[0], None, seed),
    }
}

fn input<'a>(s: &'a Sensitivity, path: &str) -> &'a funnelsim::analysis::sensitivity::InputEffect {
    s.inputs
        .iter()
        .find(|e| e.input == path)
        .unwrap_or_else(|| panic!("no input {path}"))
}

fn quantile(setup: &Setup, path: &str, p: f64) -> f64 {
    let all = setup.scenario.uncertain_parameters();
    all.iter()
        .find(|u| u.path == path)
        .unwrap()
        .dist
        .quantile(p)
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn tornado_of_a_linear_funnel_is_its_closed_form() {
    let toml = linear("{ range = [800, 1200] }", "{ uniform = [0.23, 0.27] }", "");
    let setups = common::setups(&toml);
    let spec = SensitivitySpec {
        metric: Metric::Won,
        uplift: false,
        plain: Some(0.2),
    };
    let s = study(&setups, &spec, 2000, 5);
    let leads = "source.ads.leads_per_month";
    let (l10, l90) = (
        quantile(&setups[0], leads, 0.1),
        quantile(&setups[0], leads, 0.9),
    );
    let l_mean = setups[0].scenario.sources[0].leads_per_month.dist.mean();
    let w_mean = 0.25;
    let e = input(&s, leads);
    assert_eq!((e.low, e.high), (l10, l90));
    let at_low = 12.0 * l10 * 0.25 * w_mean;
    let at_high = 12.0 * l90 * 0.25 * w_mean;
    assert!(
        relative(e.metric_at_low.unwrap(), at_low) < 1e-9,
        "{e:?} vs {at_low}"
    );
    assert!(
        relative(e.metric_at_high.unwrap(), at_high) < 1e-9,
        "{e:?} vs {at_high}"
    );
    let w = input(&s, "sales.win_rate");
    let w10 = quantile(&setups[0], "sales.win_rate", 0.1);
    assert!(relative(w10, 0.234) < 1e-9, "uniform p10 {w10}");
    assert!(relative(w.metric_at_low.unwrap(), 12.0 * l_mean * 0.25 * w10) < 1e-9);
    // The spider passes through the same expected funnel.
    assert!(
        relative(
            e.spider[2].metric.unwrap(),
            12.0 * e.spider[2].value * 0.25 * w_mean
        ) < 1e-9
    );
    // Cost per lead does not move won; leads move it most.
    let cost = input(&s, "source.ads.cost_per_lead");
    assert_eq!(cost.swing, Some(0.0));
    assert!(cost.variance_share.unwrap() < 0.02, "{cost:?}");
    // Every plain rate of this linear funnel ties: ±20% moves won by ±20%.
    assert_eq!(s.inputs[0].kind, InputKind::Plain);
    assert!(relative(s.inputs[0].swing.unwrap(), 0.4 * s.base.unwrap()) < 1e-9);
    let first_uncertain = s.inputs.iter().find(|e| e.kind == InputKind::Uncertain);
    assert_eq!(first_uncertain.unwrap().input, leads);
    // A plain number moves by exactly the fraction, and has no run figures.
    let opp = input(&s, "sales.sql_to_opportunity");
    assert!(relative(opp.low, 0.4) < 1e-12 && relative(opp.high, 0.6) < 1e-12);
    assert!(
        relative(
            opp.metric_at_high.unwrap(),
            12.0 * l_mean * 0.5 * 0.6 * w_mean
        ) < 1e-9
    );
    assert_eq!((opp.rank_correlation, opp.variance_share), (None, None));
    // Rows are sorted by swing, largest first.
    let swings: Vec<f64> = s.inputs.iter().map(|e| e.swing.unwrap()).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
}

/// won = k L W with L and W independent uniforms: the first-order shares are
/// Var(L) E[W]^2 / Var(LW) and Var(W) E[L]^2 / Var(LW) (the funnel's own
/// noise is a ten-thousandth of the variance here).
#[test]
fn variance_shares_match_a_product_of_two_inputs() {
    let toml = linear(
        "{ uniform = [50000, 150000] }",
        "{ uniform = [0.15, 0.25] }",
        "",
    );
    let setups = common::setups(&toml);
    let spec = SensitivitySpec {
        metric: Metric::Won,
        uplift: false,
        plain: None,
    };
    let s = study(&setups, &spec, 4000, 11);
    let (el, vl): (f64, f64) = (1e5, 1e10 / 12.0);
    let (ew, vw) = (0.2, 0.01 / 12.0);
    let var = (el * el + vl) * (ew * ew + vw) - (el * ew).powi(2);
    let (sl, sw) = (vl * ew * ew / var, vw * el * el / var);
    let got_l = input(&s, "source.ads.leads_per_month")
        .variance_share
        .unwrap();
    let got_w = input(&s, "sales.win_rate").variance_share.unwrap();
    assert!((got_l - sl).abs() < 0.05, "leads share {got_l} vs {sl}");
    assert!((got_w - sw).abs() < 0.05, "win rate share {got_w} vs {sw}");
    let cost = input(&s, "source.ads.cost_per_lead");
    assert!(cost.variance_share.unwrap() < 0.02);
    assert!(cost.rank_correlation.unwrap().abs() < 0.06, "{cost:?}");
    assert!(
        input(&s, "source.ads.leads_per_month")
            .rank_correlation
            .unwrap()
            > 0.8
    );
    assert!(s.variance_share_sum > 0.9 && s.variance_share_sum < 1.05);
}

/// A setup that only removes a 3-day handoff delay: its won ratio to the
/// baseline is 2^(3 / half-life), times the MQLs of the last 3 days that the
/// delay pushes past the horizon (3 days of December's 31 out of 12 months).
#[test]
fn uplift_of_a_handoff_delay_is_two_to_the_delay_over_the_half_life() {
    // Volumes large enough that the funnel's own noise is a few percent of the ratio's spread.
    let toml = linear("{ range = [8000, 12000] }", "0.25", "")
        .replace(
            "response_half_life_days = 1e12",
            "response_half_life_days = { uniform = [2, 4] }",
        )
        .replace(
            "[follow_up]",
            "[marketing]\nhandoff_delay_days = 3\n[follow_up]",
        )
        + "[[variant]]\nname = \"Fast\"\nset = { \"marketing.handoff_delay_days\" = 0 }\n";
    let setups = common::setups(&toml);
    let spec = SensitivitySpec {
        metric: Metric::Won,
        uplift: true,
        plain: None,
    };
    let s = study(&setups, &spec, 1000, 3);
    assert_eq!(s.setup, "Fast");
    assert_eq!(
        s.uplift_measure,
        Some(funnelsim::analysis::sensitivity::UpliftMeasure::Ratio)
    );
    let h = "follow_up.response_half_life_days";
    let e = input(&s, h);
    let correction = 12.0 / (12.0 - 3.0 / 31.0);
    let expected = |half_life: f64| 2f64.powf(3.0 / half_life) * correction;
    assert!(
        relative(
            e.metric_at_low.unwrap(),
            expected(quantile(&setups[0], h, 0.1))
        ) < 1e-9
    );
    assert!(
        relative(
            e.metric_at_high.unwrap(),
            expected(quantile(&setups[0], h, 0.9))
        ) < 1e-9
    );
    assert_eq!(s.inputs[0].input, h, "the half-life has the largest swing");
    let leads = input(&s, "source.ads.leads_per_month");
    assert!(leads.swing.unwrap() < 1e-9, "{leads:?}");
    assert!(input(&s, h).variance_share.unwrap() > 0.9);
}

#[test]
fn sensitivity_command_writes_its_files_and_fits_100_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = funnelsim()
        .args([
            "sensitivity",
            "scenarios/ma_inside_sales.toml",
            "--runs",
            "300",
        ])
        .args([
            "--uplift",
            "--metric",
            "opportunities",
            "--plain",
            "0.2",
            "-q",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("opportunities uplift (ratio of MA + inside sales to Baseline)"));
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("input"))
        .collect();
    assert!(table.len() > 10);
    for line in text.lines().filter(|l| !l.starts_with("  funnelsim sweep")) {
        assert!(
            funnelsim::report::table::width(line) <= 100,
            "too wide: {line}"
        );
    }
    let sweep = text
        .lines()
        .find(|l| l.starts_with("  funnelsim sweep"))
        .unwrap();
    assert!(sweep.contains("--vary ") && sweep.contains("--metric opportunities"));
    let csv = std::fs::read_to_string(dir.path().join("sensitivity.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}input,low,high,metric_at_low,metric_at_high,swing,rank_correlation,variance_share,kind"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().any(|r| r[8] == "plain") && rows.iter().any(|r| r[8] == "uncertain"));
    assert!(
        rows.iter()
            .filter(|r| r[8] == "plain")
            .all(|r| r[6].is_empty() && r[7].is_empty())
    );
    let swings: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sensitivity.json")).unwrap())
            .unwrap();
    assert_eq!(json["metric"], "opportunities");
    assert_eq!(json["uplift"], true);
    assert_eq!(json["setup"], "MA + inside sales");
    assert_eq!(json["baseline"], "Baseline");
    for chart in ["tornado.png", "spider.png"] {
        let png = std::fs::read(dir.path().join(chart)).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{chart}");
    }
}

#[test]
fn sensitivity_rejects_bad_options_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let cases: [(&[&str], &str); 4] = [
        (&["--setup", "Nope"], "no setup is named `Nope`"),
        (&["--plain", "1.5"], "--plain 1.5 is out of range"),
        (&["--metric", "wins"], "unknown metric `wins`"),
        (
            &["--uplift", "--setup", "Baseline"],
            "is the baseline itself",
        ),
    ];
    for (args, message) in cases {
        let out = funnelsim()
            .args([
                "sensitivity",
                "scenarios/ma_inside_sales.toml",
                "--runs",
                "10",
            ])
            .args(args)
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!target.exists(), "nothing written for {args:?}");
    }
}

#[test]
fn run_report_says_what_drives_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = funnelsim()
        .args([
            "run",
            "scenarios/ma_inside_sales.toml",
            "--runs",
            "400",
            "-q",
            "--no-charts",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    let section = md.split("## What drives the result").nth(1).unwrap();
    assert!(section.contains("**Won deals of MA + inside sales**"));
    assert!(section.contains("**Opportunities uplift of MA + inside sales against Baseline"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    let drivers = json["drivers"].as_array().unwrap();
    assert_eq!(drivers.len(), 2);
    assert_eq!(drivers[0]["metric"], "won");
    assert_eq!(drivers[1]["baseline"], "Baseline");
    let first = &drivers[0]["inputs"][0];
    assert!(section.contains(&format!("`{}`", first["input"].as_str().unwrap())));
    let shares: Vec<f64> = drivers[0]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["variance_share"].as_f64())
        .collect();
    assert!(shares.windows(2).all(|w| w[0] >= w[1]));
}
