//! Benchmarks of the Monte Carlo engine (`cargo bench`). Whole-process timings
//! of the reference workload are in benches/README.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use funnelsim::engine;
use funnelsim::metric::Metric;
use funnelsim::scenario::{self, Setup};

fn example() -> scenario::Loaded {
    scenario::load(Path::new("scenarios/ma_inside_sales.toml"), &[])
        .expect("the bundled example is valid")
}

/// The example with `--set` assignments applied.
fn example_with(sets: &[String]) -> Vec<Setup> {
    scenario::load(Path::new("scenarios/ma_inside_sales.toml"), sets)
        .expect("valid")
        .setups
}

fn reference(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("reference");
    g.sample_size(10);
    g.bench_function("ma_inside_sales_2_setups_10000_runs", |b| {
        b.iter(|| black_box(engine::run_all(&setups, 42, 10_000, &|_| {})))
    });
    g.finish();
}

fn lead_volume(c: &mut Criterion) {
    let mut g = c.benchmark_group("lead_volume_500_runs");
    g.sample_size(10);
    for factor in [1.0, 10.0, 100.0] {
        let sets: Vec<String> = ["web_ads", "web_inquiries", "events", "referrals"]
            .iter()
            .map(|s| {
                let base = example().setups[0]
                    .scenario
                    .sources
                    .iter()
                    .find(|x| x.name == *s)
                    .expect("source")
                    .leads_per_month
                    .dist
                    .quantile(0.5);
                format!("source.{s}.leads_per_month={}", base * factor)
            })
            .collect();
        let setups = example_with(&sets);
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{factor}x")),
            &setups,
            |b, s| b.iter(|| black_box(engine::run_all(s, 42, 500, &|_| {}))),
        );
    }
    g.finish();
}

fn horizon(c: &mut Criterion) {
    let mut g = c.benchmark_group("horizon_500_runs");
    g.sample_size(10);
    for months in [12, 36, 120] {
        let setups = example_with(&[format!("scenario.horizon_months={months}")]);
        g.bench_with_input(BenchmarkId::from_parameter(months), &setups, |b, s| {
            b.iter(|| black_box(engine::run_all(s, 42, 500, &|_| {})))
        });
    }
    g.finish();
}

fn runs(c: &mut Criterion) {
    let setups = example().setups;
    let mut g = c.benchmark_group("runs");
    g.sample_size(10);
    // 100,000 runs take minutes a sample: measured as a whole process in benches/README.md.
    for n in [1_000u64, 10_000] {
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| black_box(engine::run_all(&setups, 42, n, &|_| {})))
        });
    }
    g.finish();
}

fn sweep(c: &mut Criterion) {
    let loaded = example();
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("10_points_1000_runs", |b| {
        b.iter(|| {
            let axis = funnelsim::sweep::parse_axis(
                "marketing.mql_threshold=30..75:5",
                &loaded.tree,
                "--vary",
            )
            .expect("valid");
            black_box(
                funnelsim::sweep::sweep(
                    &loaded.tree,
                    &loaded.name,
                    vec![axis],
                    Metric::Won,
                    None,
                    1000,
                    42,
                    &|_| {},
                )
                .expect("runs"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, reference, lead_volume, horizon, runs, sweep);
criterion_main!(benches);
