//! The expected funnel (`explain`: every count at its expectation) is a
//! deterministic function of the model. These files were written by the
//! per-cohort engine that came before the grouped one (funnelsim 0.1.0):
//! the redesign must give the same expectations to the last printed digit,
//! capacity-bound queues cut by score included.

use std::path::Path;

use funnelsim::{report::explain, scenario};

fn assert_same(scenario_file: &str, sets: &[&str], golden: &str) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(Path::new(scenario_file), &sets).expect("valid scenario");
    let text = explain::text(&loaded.name, &loaded.setups);
    let expected = std::fs::read_to_string(golden).expect("golden file");
    assert_eq!(
        text.trim_end(),
        expected.trim_end(),
        "{scenario_file} {sets:?}: the expected funnel changed"
    );
}

#[test]
fn the_bundled_example() {
    assert_same(
        "scenarios/ma_inside_sales.toml",
        &[],
        "tests/golden/ma_inside_sales.explain.txt",
    );
}

#[test]
fn the_example_worked_oldest_first() {
    assert_same(
        "scenarios/ma_inside_sales.toml",
        &["follow_up.queue_order=\"oldest_first\""],
        "tests/golden/ma_inside_sales_oldest_first.explain.txt",
    );
}

#[test]
fn ten_times_the_volume_with_capacity_as_written() {
    assert_same(
        "tests/golden/ma_inside_sales_x10.toml",
        &[],
        "tests/golden/ma_inside_sales_x10.explain.txt",
    );
}
