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
        sweep::SweepSpec {
            axes: vec![axis],
            metric: Metric::Won,
            goal: None,
        },
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
        sweep::SweepSpec {
            axes: vec![axis],
            metric: Metric::Won,
            goal: None,
        },
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
    let Answer::Found { value, p_goal } = r.answer else {
        panic!("expected an answer, got {:?}", r.answer)
    };
    assert!((value - exact).abs() <= 1.0, "found {value}, exact {exact}");
    assert!(p_goal >= 0.8);
    assert!(r.increasing);
    // The cascade at the answer: leads a month are L on average.
    let leads = &r.cascade.stages[0];
    assert_eq!(leads.metric, Metric::Leads);
    assert!((leads.per_month.mean.unwrap() - value).abs() < 0.05 * value);
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
