//! Benchmarks of the Monte Carlo engine (`cargo bench`), one group per figure
//! of benches/README.md. Whole-process timings of the reference workload and
//! of 100,000 runs are in benches/README.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use funnelsim::runs::engine;
use funnelsim::scenario::metric::Metric;
use funnelsim::scenario::{self, Setup};

const EXAMPLE: &str = "scenarios/ma_inside_sales.toml";
const SOURCES: [&str; 4] = ["web_ads", "web_inquiries", "events", "referrals"];

fn example() -> scenario::Loaded {
    scenario::load(Path::new(EXAMPLE), &[]).expect("the bundled example is valid")
}

/// The example's setups with `--set` assignments applied.
fn example_with(sets: &[String]) -> Vec<Setup> {
    scenario::load(Path::new(EXAMPLE), sets)
        .expect("valid")
        .setups
}

fn time_runs(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    setups: &[Setup],
    runs: u64,
) {
    g.bench_with_input(BenchmarkId::from_parameter(id), setups, |b, s| {
        b.iter(|| black_box(engine::run_all(s, 42, runs, &|_| {})))
    });
}

fn reference(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("reference");
    g.sample_size(10);
    time_runs(
        &mut g,
        "ma_inside_sales_2_setups_10000_runs",
        &setups,
        10_000,
    );
    g.finish();
}

/// Every source's `leads_per_month` times `factor`, and both teams' reps too when `reps`.
fn volume(factor: f64, reps: bool) -> Vec<String> {
    let base = example().setups[0].scenario.clone();
    let mut sets: Vec<String> = SOURCES
        .iter()
        .map(|s| {
            let src = base.sources.iter().find(|x| x.name == *s).expect("source");
            let median = src.leads_per_month.dist.quantile(0.5);
            format!("source.{s}.leads_per_month={}", median * factor)
        })
        .collect();
    if reps {
        sets.push(format!(
            "inside_sales.reps={}",
            base.inside_sales.reps as f64 * factor
        ));
        sets.push(format!("sales.reps={}", base.sales.reps as f64 * factor));
    }
    sets
}

fn lead_volume(c: &mut Criterion) {
    let mut g = c.benchmark_group("lead_volume_500_runs");
    g.sample_size(10);
    for factor in [1.0, 10.0, 100.0] {
        time_runs(
            &mut g,
            &format!("{factor}x"),
            &example_with(&volume(factor, false)),
            500,
        );
        time_runs(
            &mut g,
            &format!("{factor}x_reps"),
            &example_with(&volume(factor, true)),
            500,
        );
    }
    g.finish();
}

fn horizon(c: &mut Criterion) {
    let mut g = c.benchmark_group("horizon_500_runs");
    g.sample_size(10);
    for months in [12, 120] {
        let setups = example_with(&[format!("scenario.horizon_months={months}")]);
        time_runs(&mut g, &months.to_string(), &setups, 500);
    }
    g.finish();
}

fn runs(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("runs");
    g.sample_size(10);
    // 100,000 runs take long a sample: measured as a whole process in benches/README.md.
    for n in [1_000u64, 10_000] {
        time_runs(&mut g, &n.to_string(), &setups, n);
    }
    g.finish();
}

fn threads(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("threads_2000_runs");
    g.sample_size(10);
    for n in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("a pool");
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| pool.install(|| black_box(engine::run_all(&setups, 42, 2000, &|_| {}))))
        });
    }
    g.finish();
}

/// Setups and sources: one setup of the example, both, and the example's MA
/// setup with one, two or four sources.
fn shape(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("shape_500_runs");
    g.sample_size(10);
    time_runs(&mut g, "1_setup", &setups[..1], 500);
    time_runs(&mut g, "2_setups", &setups, 500);
    let text = std::fs::read_to_string(EXAMPLE).expect("the example");
    for keep in [1, 2, 4] {
        let toml = with_sources(&text, keep);
        let tree = funnelsim::scenario::doc::parse_str(&toml, "bench.toml").expect("valid TOML");
        let s = scenario::setups_of(&tree, "bench").expect("valid");
        time_runs(&mut g, &format!("{keep}_sources"), &s[..1], 500);
    }
    g.finish();
}

/// The example text with only its first `keep` `[[source]]` tables.
fn with_sources(text: &str, keep: usize) -> String {
    let mut out = String::new();
    let mut seen = 0;
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("[[source]]") {
            seen += 1;
            skipping = seen > keep;
        } else if line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every queue order with automation (MA setup: SLA expiry and recycling) and
/// without (the baseline: SLA losses), one setup at a time.
fn queue_orders(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue_order_500_runs");
    g.sample_size(10);
    for order in ["oldest_first", "newest_first", "highest_score_first"] {
        let setups = example_with(&[format!("follow_up.queue_order=\"{order}\"")]);
        time_runs(&mut g, &format!("ma_{order}"), &setups[..1], 500);
        let baseline = example_with(&[
            "marketing.automation=false".into(),
            "marketing.handoff_delay_days=3.5".into(),
            "follow_up.team=\"field_sales\"".into(),
            "follow_up.sla_days=14".into(),
            format!("follow_up.queue_order=\"{order}\""),
        ]);
        time_runs(&mut g, &format!("baseline_{order}"), &baseline[..1], 500);
    }
    g.finish();
}

fn sweep(c: &mut Criterion) {
    let loaded = example();
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("10_points_1000_runs", |b| {
        b.iter(|| {
            let axis = funnelsim::analysis::sweep::parse_axis(
                "marketing.mql_threshold=30..75:5",
                &loaded.tree,
                "--vary",
            )
            .expect("valid");
            black_box(
                funnelsim::analysis::sweep::sweep(
                    &loaded.tree,
                    &loaded.name,
                    funnelsim::analysis::sweep::SweepSpec::new(vec![axis], Metric::Won, None),
                    &funnelsim::runs::engine::RunPlan::new(1000, 42),
                )
                .expect("runs"),
            )
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    reference,
    lead_volume,
    horizon,
    runs,
    threads,
    shape,
    queue_orders,
    sweep
);
criterion_main!(benches);
