//! Sweeps and goal seeking on common random numbers.

use crate::common;

use common::*;
use funnelsim::analysis::sweep::{self, Answer};
use funnelsim::scenario::metric::{Goal, Metric};

fn tree(toml: &str) -> funnelsim::scenario::doc::Node {
    funnelsim::scenario::doc::parse_str(toml, "test.toml").unwrap()
}

#[test]
fn a_sweep_of_lead_volume_follows_the_closed_form_line() {
    // Fixed rates, no capacity limit: won ~ Poisson(6 months * L * 0.4 * 0.5 * 0.3).
    let t = tree(&plain(""));
    let axis = sweep::parse_axis("source.web.leads_per_month=20..100:20", &t, "--vary").unwrap();
    let runs = 2000;
    let s = sweep::sweep(
        &t,
        "plain",
        sweep::SweepSpec::new(vec![axis], Metric::Won, None),
        &funnelsim::runs::engine::RunPlan::new(runs, 31),
    )
    .unwrap();
    assert_eq!(s.points.len(), 5);
    for p in &s.points {
        let leads = p.values[0].number().unwrap();
        let lambda = 6.0 * leads * 0.06;
        let se = (lambda / runs as f64).sqrt();
        let mean = p.summary.mean.unwrap();
        assert!(
            (mean - lambda).abs() < 4.0 * se,
            "L = {leads}: mean {mean} vs {lambda}"
        );
    }
    assert_eq!(s.best, 4, "more leads, more won deals");
}

#[test]
fn common_random_numbers_keep_won_non_decreasing_in_reps() {
    let loaded =
        funnelsim::scenario::load(std::path::Path::new("scenarios/ma_inside_sales.toml"), &[])
            .unwrap();
    let axis = sweep::parse_axis("inside_sales.reps=1..6", &loaded.tree, "--vary").unwrap();
    let s = sweep::sweep(
        &loaded.tree,
        &loaded.name,
        sweep::SweepSpec::new(vec![axis], Metric::Won, None),
        &funnelsim::runs::engine::RunPlan::new(400, 32),
    )
    .unwrap();
    let p50: Vec<f64> = s.points.iter().map(|p| p.summary.p50.unwrap()).collect();
    assert!(
        p50.windows(2).all(|w| w[1] >= w[0]),
        "p50 of won by reps: {p50:?}"
    );
}

/// P(Poisson(lambda) >= k).
fn poisson_at_least(lambda: f64, k: u64) -> f64 {
    let (mut p, mut below) = ((-lambda).exp(), 0.0);
    for i in 0..k {
        below += p;
        p *= lambda / (i + 1) as f64;
    }
    1.0 - below
}

#[test]
fn target_finds_the_known_least_lead_volume() {
    // won ~ Poisson(0.36 L): the least L with P(won >= 20) >= 0.8, searched over whole leads.
    let exact = (1..200u64)
        .find(|&l| poisson_at_least(0.36 * l as f64, 20) >= 0.8)
        .unwrap() as f64;
    let t = tree(&plain(""));
    let axis = sweep::parse_axis("source.web.leads_per_month=1", &t, "--solve").unwrap();
    let goal = Goal::parse("won >= 20").unwrap();
    let r = sweep::target(
        &t,
        "plain",
        sweep::TargetSpec {
            axis,
            range: (20.0, 120.0),
            goal,
            confidence: 0.8,
        },
        &funnelsim::runs::engine::RunPlan::new(4000, 33),
    )
    .unwrap();
    let Answer::Found {
        value,
        p_goal,
        uncertain: (lo, hi),
    } = r.answer
    else {
        panic!("expected an answer, got {:?}", r.answer)
    };
    assert!((value - exact).abs() <= 1.0, "found {value}, exact {exact}");
    assert!(p_goal >= 0.8);
    assert!(r.increasing);
    // The answer's Monte Carlo range holds it, and the exact answer within a step.
    assert!(lo <= value && value <= hi && lo - 1.0 <= exact && exact <= hi + 1.0);
    // Every value in the range has P(goal) within the 95% error of 80% at 4,000 runs.
    let half = 1.96 * (0.8f64 * 0.2 / 4000.0).sqrt();
    for &(x, p) in r
        .curve
        .iter()
        .filter(|(x, _)| (lo..=hi).contains(x) && *x != value)
    {
        assert!((p - 0.8).abs() <= half, "{x}: {p}");
    }
    // The cascade at the answer: leads a month are L on average.
    let cascade = r.cascade.as_ref().expect("a cascade at the answer");
    assert_eq!(cascade.team, funnelsim::scenario::Team::FieldSales);
    let leads = &cascade.stages[0];
    assert_eq!(leads.metric, Metric::Leads);
    assert!((leads.per_month.mean.unwrap() - value).abs() < 0.05 * value);
}

#[test]
fn an_unreachable_goal_says_so_and_prints_no_cascade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.toml");
    std::fs::write(&path, plain("")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("target")
        .arg(&path)
        .args([
            "--goal",
            "won >= 1000",
            "--solve",
            "source.web.leads_per_month",
        ])
        .args([
            "--range",
            "10..20",
            "--runs",
            "200",
            "-q",
            "--no-charts",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("No value in the range meets the goal"),
        "{text}"
    );
    assert!(
        text.contains("No KPI cascade") && !text.contains("Stage"),
        "{text}"
    );
    let csv = std::fs::read_to_string(dir.path().join("out/target.csv")).unwrap();
    assert!(!csv.contains("cascade"));
    // Field sales follows up here: the SQLs are not inside sales' KPI.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("target")
        .arg(&path)
        .args([
            "--goal",
            "won >= 5",
            "--solve",
            "source.web.leads_per_month",
        ])
        .args([
            "--range",
            "10..40",
            "--runs",
            "200",
            "-q",
            "--no-charts",
            "--out",
        ])
        .arg(dir.path().join("out2"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Follow-up (field sales)") && !text.contains("Inside sales"),
        "{text}"
    );
}

#[test]
fn a_non_monotone_threshold_is_reported_as_such() {
    // A tiny team works MQLs oldest first with no slack: a low threshold floods it with
    // leads that never convert, a high one starves it. Won deals peak in the middle.
    let toml = common::SMALL_TEAM_THRESHOLD;
    let t = tree(toml);
    let axis = sweep::parse_axis("marketing.mql_threshold=1", &t, "--solve").unwrap();
    let goal = Goal::parse("won >= 25").unwrap();
    let r = sweep::target(
        &t,
        "threshold",
        sweep::TargetSpec {
            axis,
            range: (0.0, 100.0),
            goal,
            confidence: 0.8,
        },
        &funnelsim::runs::engine::RunPlan::new(300, 34),
    )
    .unwrap();
    let Answer::NonMonotone {
        feasible,
        best_value,
        best_p_goal,
    } = &r.answer
    else {
        panic!("expected non-monotone, got {:?}", r.answer)
    };
    assert!(!feasible.is_empty());
    assert!(
        *best_value > 30.0 && *best_value < 95.0,
        "best at {best_value}"
    );
    assert!(*best_p_goal >= 0.8);
}

#[test]
fn an_unreachable_goal_is_reported_with_exit_code_0_and_the_best_chance() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .args([
            "target",
            "scenarios/baseline.toml",
            "--goal",
            "won >= 100000",
            "--solve",
            "sales.reps",
            "--range",
            "1..8",
            "--runs",
            "50",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("No value in the range meets the goal"),
        "{stdout}"
    );
    assert!(stdout.contains("with P = 0%"), "{stdout}");
    assert!(dir.path().join("target.csv").is_file());
}
