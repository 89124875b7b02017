//! Property tests (issue 7, item 2): random but valid scenarios always run
//! without panic, counts are whole and non-negative, a stage never holds more
//! leads than the stage before, rates stay in [0, 1], money is finite, the
//! breakdowns by source and by month add up, and a seed reproduces its runs
//! bit for bit. Also the regression fixtures of the fuzz campaign
//! (`tests/fuzz_regressions/`, see `fuzz/`).

use std::path::Path;

use funnelsim::runs::engine::{self, SetupRuns};
use funnelsim::runs::measure::RunMetrics;
use funnelsim::scenario::doc;
use funnelsim::scenario::metric::{MONTHLY_METRICS, Metric, SOURCE_METRICS, Unit};
use funnelsim::scenario::{Setup, setups_of};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Monte Carlo runs per generated scenario.
const RUNS: u64 = 20;

/// The funnel counts, each stage after the one before.
const STAGES: [Metric; 5] = [
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
];

/// Every count metric.
const COUNTS: [Metric; 7] = [
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
    Metric::OpenPipeline,
];

/// Counts whose monthly values add up to the total over the horizon.
const MONTHLY_SUMS: [Metric; 6] = [
    Metric::Leads,
    Metric::Mqls,
    Metric::Sqls,
    Metric::Opportunities,
    Metric::Won,
    Metric::LostToSla,
];

/// Money metrics: finite and >= 0 in every run.
const MONEY: [Metric; 3] = [Metric::Revenue, Metric::Cost, Metric::NewMrr];

// ---------------------------------------------------------------------------
// The scenario generator: TOML text that must validate.
// ---------------------------------------------------------------------------

/// A float as TOML (`Debug` always writes a decimal point or an exponent).
fn num(x: f64) -> String {
    format!("{x:?}")
}

/// Two numbers a < b in [lo, hi], at least `gap` apart.
fn ordered_pair(lo: f64, hi: f64, gap: f64) -> impl Strategy<Value = (f64, f64)> {
    (0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(u, v)| {
        let a = lo + u * (hi - lo - gap);
        let b = (a + gap + v * (hi - a - gap)).min(hi);
        (a, b)
    })
}

/// `[min, mode, max]` inside [lo, hi] with min < max.
fn min_mode_max(lo: f64, hi: f64) -> impl Strategy<Value = String> {
    (ordered_pair(lo, hi, (hi - lo) / 100.0), 0.0..=1.0f64).prop_map(|((a, b), t)| {
        let mode = (a + t * (b - a)).clamp(a, b);
        format!("[{}, {}, {}]", num(a), num(mode), num(b))
    })
}

/// A (U) or (D) value >= 0: plain, a range (0 < a < b), uniform, triangular or PERT.
fn non_negative(hi: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0.0..=hi).prop_map(num),
        1 => Just("0".to_string()),
        2 => ordered_pair(hi / 1000.0, hi, hi / 1000.0).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
        1 => ordered_pair(0.0, hi, hi / 1000.0).prop_map(|(a, b)| format!("{{ uniform = [{}, {}] }}", num(a), num(b))),
        1 => min_mode_max(0.0, hi).prop_map(|t| format!("{{ triangular = {t} }}")),
        1 => min_mode_max(0.0, hi).prop_map(|t| format!("{{ pert = {t} }}")),
    ]
}

/// A (U) probability: plain (0 and 1 included), a logit-normal range, a beta, a PERT or a uniform.
fn probability() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0.0..=1.0f64).prop_map(num),
        1 => prop_oneof![Just("0".to_string()), Just("1".to_string())],
        2 => ordered_pair(0.01, 0.99, 0.01).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
        1 => (0.05..0.95f64, 0.05..0.9f64).prop_map(|(m, f)| {
            let sd = f * (m * (1.0 - m)).sqrt();
            format!("{{ beta = {{ mean = {}, sd = {} }} }}", num(m), num(sd))
        }),
        1 => min_mode_max(0.0, 1.0).prop_map(|t| format!("{{ pert = {t} }}")),
        1 => ordered_pair(0.0, 1.0, 0.01).prop_map(|(a, b)| format!("{{ uniform = [{}, {}] }}", num(a), num(b))),
    ]
}

/// A probability in [0, hi]: plain or a logit-normal range.
fn small_probability(hi: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0.0..=hi).prop_map(num),
        1 => ordered_pair(0.001, hi, 0.001).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
    ]
}

/// Leads a month: plain 0..300 or a range with 0 < a < b <= 300.
fn leads_per_month() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0.0..=300.0f64).prop_map(num),
        1 => (0u32..=300).prop_map(|n| n.to_string()),
        3 => ordered_pair(0.5, 300.0, 0.5).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
    ]
}

/// A (D) lead score in [0, 100]: plain, normal, uniform, triangular or PERT.
fn score() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0..=100.0f64).prop_map(num),
        (0.0..=100.0f64, 0.5..40.0f64).prop_map(|(m, s)| format!(
            "{{ normal = {{ mean = {}, sd = {} }} }}",
            num(m),
            num(s)
        )),
        ordered_pair(0.0, 100.0, 0.5).prop_map(|(a, b)| format!(
            "{{ uniform = [{}, {}] }}",
            num(a),
            num(b)
        )),
        min_mode_max(0.0, 100.0).prop_map(|t| format!("{{ triangular = {t} }}")),
        min_mode_max(0.0, 100.0).prop_map(|t| format!("{{ pert = {t} }}")),
    ]
}

/// A (D) number of days: plain, lognormal or range.
fn days(hi: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0..=hi).prop_map(num),
        (0.5..hi / 2.0, 1.05..5.0f64).prop_map(|(m, f)| format!(
            "{{ lognormal = {{ median = {}, p90 = {} }} }}",
            num(m),
            num(m * f)
        )),
        ordered_pair(0.5, hi, 0.5).prop_map(|(a, b)| format!(
            "{{ range = [{}, {}] }}",
            num(a),
            num(b)
        )),
    ]
}

/// A `[[source]]` table without its name.
fn source_body() -> impl Strategy<Value = String> {
    let cost = prop_oneof![
        Just(String::new()),
        non_negative(20_000.0).prop_map(|c| format!("cost_per_lead = {c}\n")),
        non_negative(1e6).prop_map(|c| format!("budget_per_month = {c}\n")),
    ];
    let seasonality = proptest::option::weighted(0.25, proptest::collection::vec(0.0..2.0f64, 12))
        .prop_map(|s| {
            s.map_or(String::new(), |v| {
                format!(
                    "seasonality = [{}]\n",
                    v.into_iter().map(num).collect::<Vec<_>>().join(", ")
                )
            })
        });
    let growth = proptest::option::weighted(0.25, -0.1..0.1f64).prop_map(|g| {
        g.map_or(String::new(), |g| {
            format!("growth_per_month = {}\n", num(g))
        })
    });
    let overrides = (
        proptest::option::weighted(0.3, probability()),
        proptest::option::weighted(0.3, probability()),
    )
        .prop_map(|(s, w)| {
            let mut text = String::new();
            if let Some(s) = s {
                text += &format!("sql_to_opportunity = {s}\n");
            }
            if let Some(w) = w {
                text += &format!("win_rate = {w}\n");
            }
            text
        });
    (
        leads_per_month(),
        score(),
        cost,
        seasonality,
        growth,
        overrides,
    )
        .prop_map(|(leads, score, cost, season, growth, overrides)| {
            format!("leads_per_month = {leads}\nscore = {score}\n{cost}{season}{growth}{overrides}")
        })
}

/// `[scenario]`: horizon 1..6 months from a start month (often February of a leap year) or none.
fn scenario_table() -> impl Strategy<Value = (String, u32)> {
    let start = prop_oneof![
        1 => Just(None),
        1 => Just(Some("2028-02".to_string())),
        1 => Just(Some("2024-02".to_string())),
        2 => (prop_oneof![Just(2027), Just(2028), Just(2100), Just(2000)], 1u32..=12).prop_map(|(y, m)| Some(format!("{y}-{m:02}"))),
    ];
    (1u32..=6, start).prop_map(|(horizon, start)| {
        let start = start.map_or(String::new(), |s| format!("start = \"{s}\"\n"));
        (
            format!("[scenario]\nname = \"prop\"\nhorizon_months = {horizon}\n{start}runs = 20\n"),
            horizon,
        )
    })
}

fn marketing_table() -> impl Strategy<Value = String> {
    let delay = prop_oneof![
        (0.0..=7.0f64).prop_map(num),
        (0u32..=7).prop_map(|d| d.to_string()),
        ordered_pair(0.0, 7.0, 0.1).prop_map(|(a, b)| format!(
            "{{ uniform = [{}, {}] }}",
            num(a),
            num(b)
        )),
    ];
    let gain = prop_oneof![
        2 => (0.0..=20.0f64).prop_map(num),
        1 => ordered_pair(0.1, 20.0, 0.1).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
    ];
    (any::<bool>(), 0u32..=100, delay, non_negative(300_000.0), gain, small_probability(0.5), 1u32..=12, 0.0..=50.0f64).prop_map(
        |(automation, threshold, delay, license, gain, unsubscribe, max_months, penalty)| {
            format!(
                "[marketing]\nautomation = {automation}\nmql_threshold = {threshold}\nhandoff_delay_days = {delay}\nlicense_per_month = {license}\n\
                 [marketing.nurture]\nmonthly_score_gain = {gain}\nmonthly_unsubscribe = {unsubscribe}\nmax_months = {max_months}\nrecycle_penalty = {}\n",
                num(penalty)
            )
        },
    )
}

fn follow_up_table() -> impl Strategy<Value = String> {
    let team = prop_oneof![Just("inside_sales"), Just("field_sales")];
    let order = prop_oneof![
        Just("oldest_first"),
        Just("newest_first"),
        Just("highest_score_first")
    ];
    let half_life = prop_oneof![
        2 => (0.2..=10.0f64).prop_map(num),
        1 => ordered_pair(0.2, 10.0, 0.1).prop_map(|(a, b)| format!("{{ range = [{}, {}] }}", num(a), num(b))),
    ];
    let bands = proptest::collection::btree_set(0u32..=100, 1..=4)
        .prop_flat_map(|lowers| {
            let n = lowers.len();
            (Just(lowers), proptest::collection::vec(probability(), n))
        })
        .prop_map(|(lowers, rates)| {
            let bands: Vec<String> = lowers
                .into_iter()
                .zip(rates)
                .map(|(lo, rate)| format!("[{lo}, {rate}]"))
                .collect();
            format!("[{}]", bands.join(", "))
        });
    (team, order, 0u32..=10, half_life, bands).prop_map(|(team, order, sla, half_life, bands)| {
        format!(
            "[follow_up]\nteam = \"{team}\"\nqueue_order = \"{order}\"\nsla_days = {sla}\nresponse_half_life_days = {half_life}\nsql_rate_by_score = {bands}\n"
        )
    })
}

fn teams_tables() -> impl Strategy<Value = String> {
    let capacity = || {
        prop_oneof![
            (0.0..=40.0f64).prop_map(num),
            (0u32..=40).prop_map(|c| c.to_string())
        ]
    };
    (0u32..=4, capacity(), non_negative(800_000.0), 0u32..=4, capacity(), non_negative(1e6), probability(), days(30.0), probability(), days(120.0)).prop_map(
        |(is_reps, is_capacity, is_cost, fs_reps, fs_capacity, fs_cost, to_opportunity, lag, win_rate, cycle)| {
            format!(
                "[inside_sales]\nreps = {is_reps}\nmqls_per_rep_per_day = {is_capacity}\ncost_per_rep_per_month = {is_cost}\n\
                 [sales]\nreps = {fs_reps}\ninbound_mqls_per_rep_per_day = {fs_capacity}\ncost_per_rep_per_month = {fs_cost}\n\
                 sql_to_opportunity = {to_opportunity}\nopportunity_lag_days = {lag}\nwin_rate = {win_rate}\nsales_cycle_days = {cycle}\n"
            )
        },
    )
}

/// `[deal]` and `[costs]`.
fn deal_and_costs_tables() -> impl Strategy<Value = String> {
    let revenue = non_negative(200_000.0);
    (revenue, probability(), small_probability(0.2), 1u32..=60, non_negative(2e6)).prop_map(|(mrr, margin, churn, lifetime, fixed)| {
        format!(
            "[deal]\nmonthly_revenue = {mrr}\ngross_margin = {margin}\nmonthly_churn = {churn}\nmax_lifetime_months = {lifetime}\n\
             [costs]\nfixed_per_month = {fixed}\n"
        )
    })
}

/// Sometimes a variant that flips automation and the queue order.
fn variant() -> impl Strategy<Value = String> {
    proptest::option::weighted(0.25, (any::<bool>(), 0u32..=10)).prop_map(|v| {
        v.map_or(String::new(), |(automation, sla)| {
            format!(
                "[[variant]]\nname = \"other\"\nset = {{ \"marketing.automation\" = {automation}, \"follow_up.sla_days\" = {sla}, \"follow_up.queue_order\" = \"highest_score_first\" }}\n"
            )
        })
    })
}

/// A whole valid scenario, with its horizon in months.
fn scenario() -> impl Strategy<Value = (String, u32)> {
    (
        scenario_table(),
        proptest::collection::vec(source_body(), 1..=3),
        marketing_table(),
        follow_up_table(),
        teams_tables(),
        deal_and_costs_tables(),
        variant(),
    )
        .prop_map(
            |((head, horizon), sources, marketing, follow_up, teams, deal, variant)| {
                let mut text = head;
                for (i, body) in sources.iter().enumerate() {
                    text += &format!("\n[[source]]\nname = \"s{i}\"\n{body}");
                }
                text += &format!("\n{marketing}\n{follow_up}\n{teams}\n{deal}\n{variant}");
                (text, horizon)
            },
        )
}

fn setups(text: &str) -> Result<Vec<Setup>, TestCaseError> {
    let tree = doc::parse_str(text, "prop.toml")
        .map_err(|e| TestCaseError::fail(format!("generator bug: invalid TOML: {e}\n{text}")))?;
    setups_of(&tree, "prop")
        .map_err(|e| TestCaseError::fail(format!("generator bug: invalid scenario: {e}\n{text}")))
}

// ---------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------

fn source_value(m: &RunMetrics, source: usize, metric: Metric) -> f64 {
    let j = SOURCE_METRICS
        .iter()
        .position(|x| *x == metric)
        .expect("a source metric");
    m.by_source[source * SOURCE_METRICS.len() + j] as f64
}

fn month_value(m: &RunMetrics, month: usize, metric: Metric) -> f64 {
    let j = MONTHLY_METRICS
        .iter()
        .position(|x| *x == metric)
        .expect("a monthly metric");
    m.by_month[month * MONTHLY_METRICS.len() + j] as f64
}

/// The stage ordering: won <= opportunities <= sqls <= mqls <= leads, won + open <= opportunities,
/// lost_to_sla <= mqls; `slack` absorbs rounding of fractional (expected) counts.
fn check_stages(get: &dyn Fn(Metric) -> f64, slack: f64, what: &str) -> Result<(), TestCaseError> {
    let le = |a: f64, b: f64| a <= b + slack * b.abs().max(1.0);
    for pair in STAGES.windows(2) {
        let (before, after) = (get(pair[0]), get(pair[1]));
        prop_assert!(
            le(after, before),
            "{what}: {} = {after} exceeds {} = {before}",
            pair[1],
            pair[0]
        );
    }
    let (won, open, opportunities) = (
        get(Metric::Won),
        get(Metric::OpenPipeline),
        get(Metric::Opportunities),
    );
    prop_assert!(
        le(won + open, opportunities),
        "{what}: won {won} + open_pipeline {open} exceeds opportunities {opportunities}"
    );
    let (lost, mqls) = (get(Metric::LostToSla), get(Metric::Mqls));
    prop_assert!(
        le(lost, mqls),
        "{what}: lost_to_sla {lost} exceeds mqls {mqls}"
    );
    Ok(())
}

fn check_rate(x: f64, what: &str, m: Metric) -> Result<(), TestCaseError> {
    prop_assert!(
        x.is_nan() || (0.0..=1.0).contains(&x),
        "{what}: rate {m} = {x} is outside [0, 1]"
    );
    Ok(())
}

/// Every property of one Monte Carlo run of a setup.
fn check_run(setup: &Setup, run: usize, m: &RunMetrics) -> Result<(), TestCaseError> {
    let what = format!("setup `{}`, run {run}", setup.name);
    let s = &setup.scenario;
    for c in COUNTS {
        let x = m.get(c);
        prop_assert!(
            x.is_finite() && x >= 0.0 && x.fract() == 0.0,
            "{what}: count {c} = {x} is not a whole number >= 0"
        );
    }
    check_stages(&|metric| m.get(metric), 0.0, &what)?;
    for &metric in Metric::ALL {
        let x = m.get(metric);
        match metric.unit() {
            Unit::Rate => check_rate(x, &what, metric)?,
            // Every other metric is undefined (NaN) or a finite number >= 0: never infinite.
            _ => prop_assert!(
                x.is_nan() || (x.is_finite() && x >= 0.0),
                "{what}: {metric} = {x}"
            ),
        }
    }
    for metric in MONEY {
        let x = m.get(metric);
        prop_assert!(
            x.is_finite() && x >= 0.0,
            "{what}: money {metric} = {x} is not finite and >= 0"
        );
    }

    // By source: the same properties, and the counts add up to the overall counts.
    let n_sources = s.sources.len();
    prop_assert_eq!(
        m.by_source.len(),
        n_sources * SOURCE_METRICS.len(),
        "{}: by_source layout",
        what
    );
    for i in 0..n_sources {
        let at = format!("{what}, source `{}`", s.sources[i].name);
        check_stages(&|metric| source_value(m, i, metric), 0.0, &at)?;
        for &metric in SOURCE_METRICS {
            let x = source_value(m, i, metric);
            match metric.unit() {
                Unit::Rate => check_rate(x, &at, metric)?,
                _ => prop_assert!(
                    x.is_nan() || (x.is_finite() && x >= 0.0),
                    "{at}: {metric} = {x}"
                ),
            }
        }
        for metric in [Metric::NewMrr, Metric::Revenue] {
            let x = source_value(m, i, metric);
            prop_assert!(x.is_finite() && x >= 0.0, "{at}: money {metric} = {x}");
        }
    }
    for c in COUNTS {
        let sum: f64 = (0..n_sources).map(|i| source_value(m, i, c)).sum();
        prop_assert_eq!(sum, m.get(c), "{}: {} by source does not add up", what, c);
    }
    for metric in [Metric::NewMrr, Metric::Revenue] {
        let sum: f64 = (0..n_sources).map(|i| source_value(m, i, metric)).sum();
        let total = m.get(metric);
        prop_assert!(
            (sum - total).abs() <= 1e-5 * total.max(1.0),
            "{what}: {metric} by source {sum} vs overall {total}"
        );
    }

    // By month (month-major): one row per month; counts add up to the overall counts.
    prop_assert_eq!(
        m.by_month.len(),
        s.horizon_months as usize * MONTHLY_METRICS.len(),
        "{}: by_month layout",
        what
    );
    let months = s.horizon_months as usize;
    for month in 0..months {
        for &metric in MONTHLY_METRICS {
            let x = month_value(m, month, metric);
            prop_assert!(
                x.is_finite() && x >= 0.0,
                "{what}: month {month} {metric} = {x}"
            );
        }
    }
    for c in MONTHLY_SUMS {
        let sum: f64 = (0..months).map(|month| month_value(m, month, c)).sum();
        prop_assert_eq!(sum, m.get(c), "{}: {} by month does not add up", what, c);
    }
    let open_at_end = month_value(m, months - 1, Metric::OpenPipeline);
    prop_assert_eq!(
        open_at_end,
        m.get(Metric::OpenPipeline),
        "{}: open pipeline at the end of the last month",
        what
    );
    let revenue: f64 = (0..months)
        .map(|month| month_value(m, month, Metric::Revenue))
        .sum();
    let total = m.get(Metric::Revenue);
    prop_assert!(
        (revenue - total).abs() <= 1e-5 * total.max(1.0),
        "{what}: revenue by month {revenue} vs overall {total}"
    );
    Ok(())
}

fn check_all(results: &[SetupRuns], setups: &[Setup]) -> Result<(), TestCaseError> {
    prop_assert_eq!(results.len(), setups.len());
    for r in results {
        prop_assert_eq!(r.runs.len(), RUNS as usize);
        for (i, m) in r.runs.iter().enumerate() {
            check_run(&r.setup, i, m)?;
        }
    }
    Ok(())
}

/// The bits of every number of a run, so that NaN compares equal to itself.
fn bits(m: &RunMetrics) -> Vec<u64> {
    m.overall
        .iter()
        .map(|x| x.to_bits())
        .chain(m.by_source.iter().map(|x| x.to_bits() as u64))
        .chain(m.by_month.iter().map(|x| x.to_bits() as u64))
        .collect()
}

/// Cases per property: `default`, or `PROPTEST_CASES` when set (for a longer local hunt).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Every run of a valid scenario keeps the funnel's invariants.
    #[test]
    fn valid_scenarios_run_and_keep_the_funnel_invariants((text, _horizon) in scenario(), seed in any::<u64>()) {
        let setups = setups(&text)?;
        let results = engine::run_all(&setups, seed, RUNS, &|_| {});
        check_all(&results, &setups).map_err(|e| TestCaseError::fail(format!("{e}\nscenario:\n{text}")))?;
    }

    /// The expected funnel has finite, non-negative counts in stage order and rates in [0, 1].
    #[test]
    fn the_expected_funnel_keeps_the_stage_order((text, _horizon) in scenario()) {
        for setup in setups(&text)? {
            let m = engine::expected_run(&setup);
            let what = format!("expected run of `{}`\nscenario:\n{text}", setup.name);
            for c in COUNTS {
                let x = m.get(c);
                prop_assert!(x.is_finite() && x >= 0.0, "{}: count {} = {}", what, c, x);
            }
            check_stages(&|metric| m.get(metric), 1e-9, &what)?;
            // The fuzz targets' cheap estimate of the work is the expected funnel's leads.
            let (leads, estimate) = (m.get(Metric::Leads), harness::expected_leads(&setup));
            prop_assert!((leads - estimate).abs() <= 1e-9 * leads.max(1.0), "{}: expected leads {} vs estimate {}", what, leads, estimate);
            for &metric in Metric::ALL {
                let x = m.get(metric);
                if metric.unit() == Unit::Rate {
                    prop_assert!(x.is_nan() || (-1e-12..=1.0 + 1e-12).contains(&x), "{}: rate {} = {}", what, metric, x);
                } else {
                    prop_assert!(x.is_nan() || (x.is_finite() && x >= 0.0), "{}: {} = {}", what, metric, x);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The same seed gives bit-identical runs.
    #[test]
    fn the_same_seed_gives_identical_runs((text, _horizon) in scenario(), seed in any::<u64>()) {
        let setups = setups(&text)?;
        let first = engine::run_all(&setups, seed, RUNS, &|_| {});
        let second = engine::run_all(&setups, seed, RUNS, &|_| {});
        for (a, b) in first.iter().zip(&second) {
            for (i, (x, y)) in a.runs.iter().zip(&b.runs).enumerate() {
                prop_assert!(bits(x) == bits(y), "setup `{}`, run {i} differs between two runs of seed {seed}\nscenario:\n{text}", a.setup.name);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Fuzz regressions: the inputs that once crashed a fuzz target (fuzz/), replayed
// through the very code the targets run.
// ---------------------------------------------------------------------------

#[path = "../../fuzz/harness.rs"]
mod harness;

use harness::Outcome;

#[test]
fn the_set_paths_base_scenario_is_valid() {
    assert!(matches!(harness::set_paths(b""), Outcome::Ran));
    assert!(matches!(
        harness::set_paths(
            b"follow_up.sla_days=3\nsource.events.spring.leads_per_month={ range = [10, 20] }"
        ),
        Outcome::Ran
    ));
    assert!(matches!(
        harness::set_paths(b"follow_up.sla_dayz=3"),
        Outcome::Refused(_)
    ));
    assert!(matches!(
        harness::parse_and_run(harness::SET_PATHS_BASE.as_bytes()),
        Outcome::Ran
    ));
}

/// The seeds of the fuzz corpus behave: the shipped scenarios are valid (too large to run
/// in a fuzz run), the small seeds of fuzz/seeds/ run or are refused, and every file in
/// tests/bad/ is refused with an input error.
#[test]
fn fuzz_seeds_are_valid_or_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("scenarios")).expect("scenarios/") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        if String::from_utf8_lossy(&bytes).contains("\nextends = ") {
            // It starts from another file, which bytes alone cannot name: load it from its path.
            let loaded = funnelsim::scenario::load(&path, &[]);
            assert!(loaded.is_ok(), "{}: {:?}", path.display(), loaded.err());
            continue;
        }
        let outcome = harness::parse_and_run(&bytes);
        assert!(
            matches!(outcome, Outcome::TooLarge | Outcome::Ran),
            "{}: {outcome:?}",
            path.display()
        );
    }
    for entry in
        std::fs::read_dir(root.join("fuzz/seeds/parse_and_run")).expect("fuzz/seeds/parse_and_run/")
    {
        let path = entry.expect("an entry").path();
        let outcome = harness::parse_and_run(&std::fs::read(&path).expect("readable"));
        assert!(
            matches!(outcome, Outcome::Ran),
            "{}: {outcome:?}",
            path.display()
        );
    }
    for entry in
        std::fs::read_dir(root.join("fuzz/seeds/set_paths")).expect("fuzz/seeds/set_paths/")
    {
        let path = entry.expect("an entry").path();
        let outcome = harness::set_paths(&std::fs::read(&path).expect("readable"));
        assert!(
            !matches!(outcome, Outcome::TooLarge),
            "{}: {outcome:?}",
            path.display()
        );
    }
    for entry in std::fs::read_dir(root.join("tests/bad")).expect("tests/bad/") {
        let path = entry.expect("an entry").path();
        let outcome = harness::parse_and_run(&std::fs::read(&path).expect("readable"));
        // `extends` needs a file on disk: parse_and_run reads text only, and rejects the key.
        assert!(
            matches!(outcome, Outcome::Refused(_)) || path.to_string_lossy().contains("extends"),
            "{}: {outcome:?}",
            path.display()
        );
    }
}

/// Every file in `tests/fuzz_regressions/` goes through its fuzz target without a panic
/// (a crash, or a run that breaks an invariant): it runs, or is refused with an input
/// error. Files named `set_paths-*` hold `--set` lines; the others are scenario files.
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut panicked = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        if name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        let bytes = std::fs::read(path).expect("a readable fixture");
        let target: fn(&[u8]) -> Outcome = if name.starts_with("set_paths") {
            harness::set_paths
        } else {
            harness::parse_and_run
        };
        match std::panic::catch_unwind(|| target(&bytes)) {
            Ok(Outcome::Refused(e)) => assert!(
                !e.message.is_empty(),
                "{name}: an input error without a message"
            ),
            Ok(_) => {}
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panicked.push(format!("{name}: {message}"));
            }
        }
    }
    assert!(
        panicked.is_empty(),
        "fuzz regressions panicked:\n{}",
        panicked.join("\n")
    );
}
