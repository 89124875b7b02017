// What the fuzz targets do with an input, shared by the targets
// (fuzz/fuzz_targets/*.rs) and by their regression test in
// tests/properties.rs, which includes this file as a module: a crash found by
// the fuzzer is replayed through exactly the same path.
//
// A scenario that validates is run (2 Monte Carlo runs of every setup) when it
// is small; every run must then keep the funnel's invariants, else this panics
// like a crash.

use funnelsim::error::InputError;
use funnelsim::runs::engine;
use funnelsim::runs::measure::RunMetrics;
use funnelsim::scenario::doc;
use funnelsim::scenario::metric::{MONTHLY_METRICS, Metric, SOURCE_METRICS, Unit};
use funnelsim::scenario::paths;
use funnelsim::scenario::{Setup, setups_of};
use funnelsim::sim::calendar::Calendar;

/// Longest horizon that is run, in months.
pub const MAX_HORIZON_MONTHS: u32 = 12;
/// Most sources a scenario that is run may have.
pub const MAX_SOURCES: usize = 5;
/// Most setups (the scenario and its variants) that are run.
pub const MAX_SETUPS: usize = 4;
/// Most expected leads of a setup over its horizon that are run.
pub const MAX_EXPECTED_LEADS: f64 = 20_000.0;
/// `engine::expected_run` is also called up to this horizon (its work grows with the cube of the days).
pub const MAX_EXPECTED_RUN_MONTHS: u32 = 2;

/// What became of an input.
#[derive(Debug)]
pub enum Outcome {
    /// Refused with an input error (exit 2 in the program).
    Refused(InputError),
    /// Valid, but larger than a fuzz run may be.
    TooLarge,
    /// Valid and run.
    Ran,
}

/// The expected leads of a setup over its horizon: every (U) at its mean, exactly
/// the `leads` of `engine::expected_run`, without simulating the rest of the funnel.
pub fn expected_leads(setup: &Setup) -> f64 {
    let s = &setup.scenario;
    let calendar = Calendar::new(s.start, s.horizon_months);
    s.sources
        .iter()
        .map(|src| {
            let (leads, growth) = (
                src.leads_per_month.dist.mean(),
                src.growth_per_month.dist.mean(),
            );
            (0..calendar.months())
                .map(|m| {
                    leads
                        * (1.0 + growth).powi(m as i32)
                        * src.seasonality[calendar.calendar_month_index(m)]
                })
                .sum::<f64>()
        })
        .sum()
}

/// Whether the setups are small enough to run.
pub fn small_enough(setups: &[Setup]) -> bool {
    setups.len() <= MAX_SETUPS
        && setups.iter().all(|s| {
            s.scenario.horizon_months <= MAX_HORIZON_MONTHS
                && s.scenario.sources.len() <= MAX_SOURCES
                && expected_leads(s) <= MAX_EXPECTED_LEADS
        })
}

/// Panics unless a run keeps the invariants: counts whole, finite and >= 0 in stage order,
/// rates undefined or in [0, 1], money finite and >= 0, and no infinity by source or month.
pub fn check_invariants(m: &RunMetrics, whole: bool, what: &str) {
    let counts = [
        Metric::Leads,
        Metric::Mqls,
        Metric::Sqls,
        Metric::Opportunities,
        Metric::Won,
        Metric::LostToSla,
        Metric::OpenPipeline,
    ];
    for c in counts {
        let x = m.get(c);
        assert!(
            x.is_finite() && x >= 0.0 && (!whole || x.fract() == 0.0),
            "{what}: count {c} = {x}"
        );
    }
    let slack = |x: f64| if whole { 0.0 } else { 1e-9 * x.abs().max(1.0) };
    let stages = [
        Metric::Leads,
        Metric::Mqls,
        Metric::Sqls,
        Metric::Opportunities,
        Metric::Won,
    ];
    for pair in stages.windows(2) {
        let (before, after) = (m.get(pair[0]), m.get(pair[1]));
        assert!(
            after <= before + slack(before),
            "{what}: {} = {after} exceeds {} = {before}",
            pair[1],
            pair[0]
        );
    }
    let (won, open, opportunities) = (
        m.get(Metric::Won),
        m.get(Metric::OpenPipeline),
        m.get(Metric::Opportunities),
    );
    assert!(
        won + open <= opportunities + slack(opportunities),
        "{what}: won {won} + open {open} exceeds opportunities {opportunities}"
    );
    let (lost, mqls) = (m.get(Metric::LostToSla), m.get(Metric::Mqls));
    assert!(
        lost <= mqls + slack(mqls),
        "{what}: lost_to_sla {lost} exceeds mqls {mqls}"
    );
    for &metric in Metric::ALL {
        let x = m.get(metric);
        if metric.unit() == Unit::Rate {
            assert!(
                x.is_nan() || (-1e-12..=1.0 + 1e-12).contains(&x),
                "{what}: rate {metric} = {x}"
            );
        } else {
            assert!(
                x.is_nan() || (x.is_finite() && x >= 0.0),
                "{what}: {metric} = {x}"
            );
        }
    }
    for metric in [Metric::Revenue, Metric::Cost, Metric::NewMrr] {
        let x = m.get(metric);
        assert!(x.is_finite() && x >= 0.0, "{what}: money {metric} = {x}");
    }
    // The breakdowns (single precision) are undefined or finite and >= 0 too.
    for (i, x) in m.by_source.iter().enumerate() {
        let metric = SOURCE_METRICS[i % SOURCE_METRICS.len()];
        let source = i / SOURCE_METRICS.len();
        assert!(
            x.is_nan() || (x.is_finite() && *x >= 0.0),
            "{what}: source {source} {metric} = {x}"
        );
    }
    for (i, x) in m.by_month.iter().enumerate() {
        let metric = MONTHLY_METRICS[i % MONTHLY_METRICS.len()];
        let month = i / MONTHLY_METRICS.len();
        assert!(
            x.is_finite() && *x >= 0.0,
            "{what}: month {month} {metric} = {x}"
        );
    }
}

/// Runs small setups: 2 Monte Carlo runs each (and the expected funnel on short horizons).
pub fn run_if_small(setups: &[Setup]) -> Outcome {
    if !small_enough(setups) {
        return Outcome::TooLarge;
    }
    for setup in setups {
        if setup.scenario.horizon_months <= MAX_EXPECTED_RUN_MONTHS {
            check_invariants(
                &engine::expected_run(setup),
                false,
                &format!("expected run of `{}`", setup.name),
            );
        }
    }
    for r in engine::run_all(setups, 1, 2, &|_| {}) {
        for (i, m) in r.runs.iter().enumerate() {
            check_invariants(m, true, &format!("run {i} of `{}`", r.setup.name));
        }
    }
    Outcome::Ran
}

/// The `parse_and_run` target: the input is a scenario file's text (UTF-8 only, as the program reads files).
pub fn parse_and_run(bytes: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Outcome::Refused(InputError::new("the file is not valid UTF-8 text"));
    };
    let setups = doc::parse_str(text, "fuzz.toml").and_then(|tree| setups_of(&tree, "fuzz"));
    match setups {
        Ok(setups) => run_if_small(&setups),
        Err(e) => Outcome::Refused(e),
    }
}

/// The fixed valid scenario that `set_paths` applies its assignments to.
pub const SET_PATHS_BASE: &str = include_str!("set_paths_base.toml");

/// Most assignments taken from one input.
pub const MAX_ASSIGNMENTS: usize = 16;

/// The `set_paths` target: each line of the input is one `--set PATH=VALUE`, applied in
/// turn to [`SET_PATHS_BASE`]; the result is validated and, when small, run.
pub fn set_paths(bytes: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Outcome::Refused(InputError::new("the argument is not valid UTF-8 text"));
    };
    let mut tree = doc::parse_str(SET_PATHS_BASE, "set_paths_base.toml")
        .expect("the base scenario is valid TOML");
    for line in text.lines().take(MAX_ASSIGNMENTS) {
        if let Err(e) = paths::apply_assignment(&mut tree, line, "--set") {
            return Outcome::Refused(e);
        }
    }
    match setups_of(&tree, "fuzz") {
        Ok(setups) => run_if_small(&setups),
        Err(e) => Outcome::Refused(e),
    }
}
