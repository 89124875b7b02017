//! Charts and report.md through the public API (issue 4): every chart is a
//! PNG of the asked size with ink in its plotting area, Japanese names draw
//! as glyphs and not as missing-glyph boxes, nothing needs system fonts, a
//! scenario's own font is loaded or refused clearly, and report.md links only
//! to files that exist.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use funnelsim::analysis::summary::{self, Results};
use funnelsim::charts::{ChartSize, missing_glyphs, render_all, render_text};
use funnelsim::error::Error;
use funnelsim::report::markdown::report_md;
use funnelsim::runs::engine::{self, SetupRuns};
use funnelsim::scenario::metric::Metric;
use funnelsim::scenario::{ChartOptions, Language, setups_of};

const RUNS: u64 = 200;
const SEED: u64 = 7;

/// A small two-setup scenario; `names` = (title, baseline, the scenario's own setup, source a, source b).
fn scenario(names: [&str; 5]) -> String {
    let [_, base, variant, a, b] = names;
    format!(
        r#"
[scenario]
name = "{variant}"
description = "A test funnel"
baseline = "{base}"
horizon_months = 6
start = "2027-04"
currency = "JPY"

[[source]]
name = "{a}"
leads_per_month = {{ range = [120, 180] }}
score = {{ normal = {{ mean = 55, sd = 15 }} }}
cost_per_lead = 10000

[[source]]
name = "{b}"
leads_per_month = {{ range = [40, 70] }}
score = {{ normal = {{ mean = 45, sd = 15 }} }}
budget_per_month = 300000

[marketing]
automation = true
mql_threshold = 50
license_per_month = 150000

[follow_up]
team = "inside_sales"
queue_order = "highest_score_first"
sla_days = 2
response_half_life_days = {{ range = [2.0, 5.0] }}
sql_rate_by_score = [[0, 0.05], [50, 0.3], [70, 0.45]]

[inside_sales]
reps = 1
mqls_per_rep_per_day = {{ range = [15, 30] }}
cost_per_rep_per_month = 600000

[sales]
reps = 3
inbound_mqls_per_rep_per_day = 4
cost_per_rep_per_month = 900000
sql_to_opportunity = 0.75
win_rate = {{ range = [0.2, 0.3] }}
sales_cycle_days = 30

[deal]
monthly_revenue = {{ range = [30000, 80000] }}
gross_margin = 0.75
monthly_churn = 0.02

[targets]
won = 40
ltv_to_cac = 3.0

[[variant]]
name = "{base}"
set = {{ "marketing.automation" = false, "marketing.handoff_delay_days" = 3.5, "marketing.license_per_month" = 0, "follow_up.team" = "field_sales", "follow_up.queue_order" = "newest_first", "follow_up.sla_days" = 14, "inside_sales.reps" = 0 }}
"#
    )
}

const ENGLISH: [&str; 5] = [
    "Test funnel",
    "Baseline",
    "MA + inside sales",
    "web_ads",
    "events",
];
const JAPANESE: [&str; 5] = [
    "テスト用ファネル",
    "現状（MAなし）",
    "MA＋インサイドセールス",
    "Web広告",
    "展示会・セミナー",
];

/// Simulates the scenario of `names`, titled as the command line titles it; `drop_variant` keeps only the baseline setup.
fn simulate(names: [&str; 5], drop_variant: bool) -> (Results, Vec<SetupRuns>) {
    let tree =
        funnelsim::scenario::doc::parse_str(&scenario(names), "test.toml").expect("valid TOML");
    let mut setups = setups_of(&tree, "test").unwrap_or_else(|e| panic!("invalid scenario: {e}"));
    if drop_variant {
        setups.truncate(1);
    }
    let all = engine::run_all(&setups, SEED, RUNS, &|_| {});
    let mut results = summary::results(&all, SEED, None);
    results.scenario = names[0].to_string();
    (results, all)
}

fn english() -> ChartOptions {
    ChartOptions {
        language: Language::English,
        ..ChartOptions::default()
    }
}

fn japanese() -> ChartOptions {
    ChartOptions {
        language: Language::Japanese,
        ..ChartOptions::default()
    }
}

fn decode(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("a valid PNG")
        .to_rgb8()
}

fn is_ink(p: &image::Rgb<u8>) -> bool {
    p.0.iter().any(|&c| c < 235)
}

/// Asserts that a chart is a PNG of the size asked, with many colours and with ink in its middle.
fn assert_real_chart(name: &str, bytes: &[u8], size: ChartSize) {
    let img = decode(bytes);
    assert_eq!(
        (img.width(), img.height()),
        (size.width, size.height),
        "{name}: size"
    );
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(
        colours.len() >= 64,
        "{name}: only {} distinct colours",
        colours.len()
    );
    // The plotting area lies between the legend and the axis titles: sample its middle.
    let (w, h) = (img.width(), img.height());
    let (x0, x1, y0, y1) = (w * 15 / 100, w * 90 / 100, h * 25 / 100, h * 75 / 100);
    let mut ink = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            ink += usize::from(is_ink(img.get_pixel(x, y)));
        }
    }
    let share = ink as f64 / ((x1 - x0) * (y1 - y0)) as f64;
    assert!(
        share > 0.03,
        "{name}: only {:.1}% of the plotting area is inked",
        100.0 * share
    );
    // Something is drawn near each edge too: title at the top, footnote at the bottom.
    let band_has_ink = |ys: std::ops::Range<u32>| {
        ys.into_iter()
            .any(|y| (0..w).any(|x| is_ink(img.get_pixel(x, y))))
    };
    assert!(band_has_ink(0..h / 10), "{name}: no title");
    assert!(
        band_has_ink(h * 85 / 100..h),
        "{name}: nothing at the bottom"
    );
}

const ALL_CHARTS: [&str; 7] = [
    "charts/funnel.png",
    "charts/by_source.png",
    "charts/monthly_won.png",
    "charts/monthly_opportunities.png",
    "charts/won_distribution.png",
    "charts/ltv_cac.png",
    "charts/uplift.png",
];

#[test]
fn every_chart_is_a_png_of_the_asked_size_with_ink_in_the_plot() {
    let (results, runs) = simulate(ENGLISH, false);
    for size in [
        ChartSize::default(),
        ChartSize {
            width: 1000,
            height: 750,
        },
    ] {
        let charts = render_all(&results, &runs, &english(), size).expect("charts render");
        let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ALL_CHARTS, "chart files");
        for (name, bytes) in &charts {
            assert_real_chart(name, bytes, size);
        }
    }
}

#[test]
fn japanese_charts_render_at_every_size_without_failing() {
    let (results, runs) = simulate(JAPANESE, false);
    for size in [
        ChartSize {
            width: 320,
            height: 320,
        },
        ChartSize {
            width: 2400,
            height: 1350,
        },
        ChartSize {
            width: 1600,
            height: 400,
        },
    ] {
        let charts = render_all(&results, &runs, &japanese(), size).expect("charts render");
        assert_eq!(charts.len(), ALL_CHARTS.len());
        for (name, bytes) in &charts {
            let img = decode(bytes);
            assert_eq!(
                (img.width(), img.height()),
                (size.width, size.height),
                "{name}"
            );
        }
    }
    let charts =
        render_all(&results, &runs, &japanese(), ChartSize::default()).expect("charts render");
    for (name, bytes) in &charts {
        assert_real_chart(name, bytes, ChartSize::default());
    }
}

#[test]
fn one_setup_draws_no_uplift_chart_and_the_report_says_so() {
    let (results, runs) = simulate(ENGLISH, true);
    assert_eq!(results.setups.len(), 1);
    let charts =
        render_all(&results, &runs, &english(), ChartSize::default()).expect("charts render");
    let names: Vec<String> = charts.iter().map(|(n, _)| n.clone()).collect();
    assert!(!names.iter().any(|n| n.contains("uplift")), "{names:?}");
    assert_eq!(names.len(), ALL_CHARTS.len() - 1);
    for (name, bytes) in &charts {
        assert_real_chart(name, bytes, ChartSize::default());
    }
    let report = report_md(&results, &names);
    assert!(report.contains("No uplift chart"), "{report}");
}

/// Pixels of a rendered label, for comparing glyphs.
fn label(text: &str) -> image::RgbImage {
    render_text(text, 64, &english()).expect("text renders")
}

fn inked(img: &image::RgbImage) -> usize {
    img.pixels().filter(|p| is_ink(p)).count()
}

#[test]
fn japanese_text_draws_glyphs_not_missing_glyph_boxes() {
    // U+0E01..U+0E02 (Thai) are not in the font: both draw the missing-glyph box.
    let boxes = label("\u{0E01}\u{0E02}");
    assert_eq!(
        boxes,
        label("\u{0E03}\u{0E04}"),
        "two missing characters draw the same box"
    );
    assert!(inked(&boxes) > 0, "the missing-glyph box has ink");
    for text in ["商談", "受注", "リード", "展示会", "ＭＡ"] {
        let glyphs = label(&text.chars().take(2).collect::<String>());
        assert!(inked(&glyphs) > 0, "{text}: no ink");
        assert_ne!(glyphs, boxes, "{text} draws as missing-glyph boxes");
    }
    assert_ne!(
        label("商談"),
        label("受注"),
        "different characters draw differently"
    );
}

#[test]
fn the_embedded_font_covers_latin_kana_and_common_kanji() {
    let names = "MA＋インサイドセールス 現状（MAなし） 展示会・セミナー Web広告 紹介 受注 商談 リード 月 件 倍 ≥ ≤ × – · ÷ % ¥ £ é ü";
    assert_eq!(
        missing_glyphs(names, &english()).expect("font"),
        Vec::<char>::new()
    );
    assert_eq!(
        missing_glyphs("a\u{0E01}b😀", &english()).expect("font"),
        vec!['\u{0E01}', '😀']
    );
}

/// Replaces every setup and source name in results with `k` Thai letters (absent from the font).
fn with_missing_glyph_names(r: &Results) -> Results {
    let mut r = r.clone();
    let boxes = |n: &str| "\u{0E01}".repeat(n.chars().count());
    for s in &mut r.setups {
        s.name = boxes(&s.name);
        for b in &mut s.by_source {
            b.label = boxes(&b.label);
        }
    }
    for u in &mut r.uplift {
        u.setup = boxes(&u.setup);
        u.baseline = boxes(&u.baseline);
    }
    r.scenario = boxes(&r.scenario);
    r
}

#[test]
fn charts_with_japanese_names_show_their_glyphs() {
    let (results, runs) = simulate(JAPANESE, false);
    let real =
        render_all(&results, &runs, &japanese(), ChartSize::default()).expect("charts render");
    let boxed = render_all(
        &with_missing_glyph_names(&results),
        &runs,
        &japanese(),
        ChartSize::default(),
    )
    .expect("charts render");
    // Had the font no Japanese glyphs, both would draw the same boxes: identical images.
    for ((name, a), (_, b)) in real.iter().zip(&boxed) {
        assert_ne!(
            decode(a),
            decode(b),
            "{name}: Japanese names draw like missing glyphs"
        );
    }
    // Japanese labels differ from English ones too.
    let english_charts =
        render_all(&results, &runs, &english(), ChartSize::default()).expect("charts render");
    assert_ne!(decode(&real[0].1), decode(&english_charts[0].1));
}

/// The child half of `charts_render_with_no_system_fonts`: does nothing unless asked to.
#[test]
#[ignore = "run by charts_render_with_no_system_fonts in a process without fonts"]
fn child_renders_charts_in_an_empty_font_environment() {
    if std::env::var_os("FUNNELSIM_FONTLESS_CHILD").is_none() {
        return;
    }
    let (results, runs) = simulate(JAPANESE, false);
    let charts = render_all(&results, &runs, &japanese(), ChartSize::default())
        .expect("charts render with no system fonts");
    for (name, bytes) in &charts {
        assert_real_chart(name, bytes, ChartSize::default());
    }
    assert_ne!(label("商談"), label("\u{0E01}\u{0E02}"));
}

/// Charts render in a process whose fontconfig sees an empty configuration and
/// no font folders. (plotters is built without its `ttf` feature, so nothing
/// looks for system fonts at all; this checks that it stays so.)
#[test]
fn charts_render_with_no_system_fonts() {
    let empty = tempfile::tempdir().expect("temporary folder");
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "charts::child_renders_charts_in_an_empty_font_environment",
            "--ignored",
            "--test-threads",
            "1",
        ])
        .env("FUNNELSIM_FONTLESS_CHILD", "1")
        .env("FONTCONFIG_PATH", empty.path())
        .env("FONTCONFIG_FILE", empty.path().join("fonts.conf"))
        .env("XDG_DATA_DIRS", empty.path())
        .env("XDG_DATA_HOME", empty.path())
        .env("XDG_CONFIG_HOME", empty.path())
        .env("HOME", empty.path())
        .output()
        .expect("the test binary runs");
    assert!(
        output.status.success(),
        "rendering failed with no system fonts: {}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1 passed"),
        "the child test did not run:\n{stdout}"
    );
}

/// Every `](target)` link in Markdown text.
fn links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = markdown;
    while let Some(i) = rest.find("](") {
        let tail = &rest[i + 2..];
        let end = tail.find(')').expect("a closed link");
        out.push(
            tail[..end]
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        );
        rest = &tail[end..];
    }
    out
}

fn write_outputs(dir: &Path, charts: &[(String, Vec<u8>)], report: &str) {
    for (name, bytes) in charts {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, bytes).expect("chart written");
    }
    std::fs::write(dir.join("report.md"), report).expect("report written");
}

#[test]
fn report_links_only_to_files_that_exist() {
    let (results, runs) = simulate(ENGLISH, false);
    let charts =
        render_all(&results, &runs, &english(), ChartSize::default()).expect("charts render");
    let names: Vec<String> = charts.iter().map(|(n, _)| n.clone()).collect();
    let report = report_md(&results, &names);
    let dir = tempfile::tempdir().expect("temporary folder");
    write_outputs(dir.path(), &charts, &report);

    let linked = links(&report);
    assert_eq!(linked.len(), names.len(), "one image per chart:\n{report}");
    for link in &linked {
        assert!(
            dir.path().join(link).is_file(),
            "report.md links to {link}, which does not exist"
        );
    }
    // Only the charts given are linked: a subset links only that subset.
    let some = report_md(&results, &names[..2]);
    assert_eq!(links(&some), names[..2].to_vec());
    assert!(links(&report_md(&results, &[])).is_empty());

    // The rest of the page: owners, uplift, targets, seed and runs.
    for text in [
        "Marketing",
        "Follow-up (inside sales or field sales)",
        "Field sales",
        "Shared",
        "Uplift",
        "P(better)",
        "Won deals ≥ 40",
        "LTV/CAC ≥ 3.00",
        "Seed 7",
        "200 runs",
    ] {
        assert!(report.contains(text), "report.md lacks {text:?}:\n{report}");
    }
    for s in &results.setups {
        assert!(report.contains(&s.name), "report.md lacks setup {}", s.name);
    }
}

#[test]
fn report_escapes_names_that_look_like_markdown() {
    let (mut results, _) = simulate(ENGLISH, false);
    results.setups[1].name = "A | B *bold* [x](y)".into();
    let report = report_md(&results, &["charts/funnel.png".into()]);
    assert_eq!(
        links(&report),
        vec!["charts/funnel.png".to_string()],
        "{report}"
    );
    let table_rows: Vec<&str> = report.lines().filter(|l| l.starts_with("| KPI")).collect();
    assert_eq!(table_rows.len(), 1);
    // Header cells: KPI, two setups, uplift, P(better): six pipes that are not escaped.
    let unescaped = table_rows[0]
        .match_indices('|')
        .filter(|(i, _)| *i == 0 || table_rows[0].as_bytes()[i - 1] != b'\\')
        .count();
    assert_eq!(unescaped, 6, "{}", table_rows[0]);
}

#[test]
fn chart_size_parses_and_refuses_clearly() {
    assert_eq!(
        "1600x900".parse::<ChartSize>(),
        Ok(ChartSize {
            width: 1600,
            height: 900
        })
    );
    assert_eq!(
        "320X8000".parse::<ChartSize>(),
        Ok(ChartSize {
            width: 320,
            height: 8000
        })
    );
    assert_eq!(
        " 1280 × 720 ".parse::<ChartSize>(),
        Ok(ChartSize {
            width: 1280,
            height: 720
        })
    );
    assert_eq!(
        ChartSize::default(),
        ChartSize {
            width: 1600,
            height: 900
        }
    );
    assert_eq!(ChartSize::default().to_string(), "1600x900");
    for bad in ["1600", "x900", "axb", "1600x", "-1x900", "1600x900x2", ""] {
        let e = bad.parse::<ChartSize>().expect_err(bad);
        assert!(e.contains("WIDTHxHEIGHT"), "{bad}: {e}");
    }
    let e = "100x900".parse::<ChartSize>().unwrap_err();
    assert!(e.contains("width 100") && e.contains("320 to 8000"), "{e}");
    let e = "1600x9000".parse::<ChartSize>().unwrap_err();
    assert!(e.contains("height 9000"), "{e}");
}

fn font_error(path: PathBuf) -> funnelsim::error::InputError {
    let (results, runs) = simulate(ENGLISH, true);
    let options = ChartOptions {
        language: Language::English,
        font: Some(path),
        ..ChartOptions::default()
    };
    match render_all(&results, &runs, &options, ChartSize::default()) {
        Err(Error::Input(e)) => e,
        Err(other) => panic!("expected an input error, got {other}"),
        Ok(_) => panic!("expected an input error, got charts"),
    }
}

#[test]
fn a_scenario_font_is_used_or_refused_clearly() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let e = font_error(dir.path().join("missing.ttf"));
    assert_eq!(e.key_path.as_deref(), Some("chart.font"));
    assert!(e.message.contains("missing.ttf"), "{e}");
    assert!(e.hint.is_some());

    let garbage = dir.path().join("garbage.ttf");
    std::fs::write(&garbage, b"this is not a font").expect("written");
    let e = font_error(garbage);
    assert_eq!(e.key_path.as_deref(), Some("chart.font"));
    assert!(e.message.contains("not a font"), "{e}");

    // A real font file (here the embedded one, copied) renders.
    let copy = dir.path().join("own.ttf");
    std::fs::write(&copy, funnelsim::charts::EMBEDDED_FONT).expect("written");
    let (results, runs) = simulate(ENGLISH, false);
    let options = ChartOptions {
        language: Language::English,
        font: Some(copy),
        ..ChartOptions::default()
    };
    let charts = render_all(&results, &runs, &options, ChartSize::default())
        .expect("charts render with the scenario's font");
    for (name, bytes) in &charts {
        assert_real_chart(name, bytes, ChartSize::default());
    }
    assert_eq!(
        render_text("商談", 64, &options).expect("text"),
        label("商談"),
        "same font, same pixels"
    );
}

#[test]
fn charts_are_deterministic() {
    let (results, runs) = simulate(ENGLISH, false);
    let a = render_all(&results, &runs, &english(), ChartSize::default()).expect("charts render");
    let b = render_all(&results, &runs, &english(), ChartSize::default()).expect("charts render");
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------
// sweep.png and target.png (issue 5)
// ---------------------------------------------------------------------------

mod sweep_and_target {
    use super::*;

    use funnelsim::analysis::sweep::{
        Answer, Sweep, SweepSpec, Target, TargetSpec, parse_axis, sweep, target,
    };
    use funnelsim::charts::{sweep_chart, target_chart};
    use funnelsim::scenario::metric::Goal;
    use funnelsim::scenario::{Loaded, load};

    const RUNS: u64 = 100;
    const SEED: u64 = 42;

    /// The vermillion that marks the best point or the answer.
    const HIGHLIGHT: [u8; 3] = [213, 94, 0];

    fn example() -> Loaded {
        load(Path::new("scenarios/ma_inside_sales.toml"), &[]).expect("the example loads")
    }

    fn sweep_of(loaded: &Loaded, specs: &[&str], metric: Metric, goal: Option<&str>) -> Sweep {
        let axes = specs
            .iter()
            .map(|s| parse_axis(s, &loaded.tree, "--vary").expect("a valid --vary"))
            .collect();
        let goal = goal.map(|g| Goal::parse(g).expect("a valid goal"));
        sweep(
            &loaded.tree,
            &loaded.name,
            SweepSpec::new(axes, metric, goal),
            &funnelsim::runs::engine::RunPlan::new(RUNS, SEED),
        )
        .expect("the sweep runs")
    }

    fn target_of(
        tree: &funnelsim::scenario::doc::Node,
        name: &str,
        solve: &str,
        range: (f64, f64),
        goal: &str,
    ) -> Target {
        let axis = parse_axis(&format!("{solve}=1"), tree, "--solve").expect("a valid --solve");
        target(
            tree,
            name,
            TargetSpec {
                axis,
                range,
                goal: Goal::parse(goal).expect("a valid goal"),
                confidence: 0.8,
            },
            &funnelsim::runs::engine::RunPlan::new(RUNS, SEED),
        )
        .expect("the search runs")
    }

    fn has_colour(bytes: &[u8], colour: [u8; 3]) -> bool {
        decode(bytes).pixels().any(|p| p.0 == colour)
    }

    /// Draws a sweep in English at two sizes and in Japanese, each a real chart with the best point marked.
    fn check_sweep(name: &str, s: &Sweep) {
        for size in [
            ChartSize::default(),
            ChartSize {
                width: 1000,
                height: 750,
            },
        ] {
            let png = sweep_chart(s, &english(), size).expect("sweep.png renders");
            assert_real_chart(name, &png, size);
            assert!(
                has_colour(&png, HIGHLIGHT),
                "{name}: the best point is not marked"
            );
        }
        let png = sweep_chart(s, &japanese(), ChartSize::default()).expect("sweep.png renders");
        assert_real_chart(&format!("{name} (Japanese)"), &png, ChartSize::default());
    }

    fn check_target(name: &str, t: &Target) {
        for (options, size) in [
            (english(), ChartSize::default()),
            (
                english(),
                ChartSize {
                    width: 1000,
                    height: 750,
                },
            ),
            (japanese(), ChartSize::default()),
        ] {
            let png = target_chart(t, &options, size).expect("target.png renders");
            assert_real_chart(name, &png, size);
            assert!(
                has_colour(&png, HIGHLIGHT),
                "{name}: the answer is not marked"
            );
        }
    }

    #[test]
    fn a_one_parameter_sweep_with_a_goal_draws_band_and_chance() {
        let loaded = example();
        let s = sweep_of(
            &loaded,
            &["inside_sales.reps=1..4"],
            Metric::Won,
            Some("won >= 300"),
        );
        check_sweep("reps sweep with a goal", &s);
        let s = sweep_of(&loaded, &["inside_sales.reps=1..4"], Metric::Won, None);
        check_sweep("reps sweep", &s);
    }

    #[test]
    fn a_sweep_of_a_scaled_distribution_and_a_rate_draws() {
        let loaded = example();
        let s = sweep_of(
            &loaded,
            &["source.web_ads.leads_per_month=0.5..1.5:0.25"],
            Metric::MqlToSql,
            Some("won >= 300"),
        );
        assert!(s.axes[0].scaled);
        check_sweep("scaled lead volume against a rate", &s);
    }

    #[test]
    fn a_choice_axis_draws_as_categories() {
        let loaded = example();
        let spec = "follow_up.queue_order=oldest_first,highest_score_first";
        let s = sweep_of(&loaded, &[spec], Metric::Won, Some("won >= 300"));
        check_sweep("queue order with a goal", &s);
        let s = sweep_of(&loaded, &[spec], Metric::Revenue, None);
        check_sweep("queue order, revenue", &s);
    }

    #[test]
    fn a_two_parameter_sweep_draws_a_heatmap_with_and_without_a_goal() {
        let loaded = example();
        let axes = [
            "marketing.mql_threshold=40..60:10",
            "inside_sales.reps=1..3",
        ];
        let s = sweep_of(&loaded, &axes, Metric::Won, Some("won >= 300"));
        assert_eq!(s.points.len(), 9);
        check_sweep("threshold × reps, P(goal)", &s);
        let s = sweep_of(&loaded, &axes, Metric::Won, None);
        check_sweep("threshold × reps, median", &s);
        // A choice axis in a heatmap.
        let s = sweep_of(
            &loaded,
            &[
                "follow_up.queue_order=oldest_first,highest_score_first",
                "inside_sales.reps=1..2",
            ],
            Metric::Won,
            Some("won >= 300"),
        );
        check_sweep("queue order × reps", &s);
    }

    #[test]
    fn tiny_and_huge_charts_render_without_failing() {
        let loaded = example();
        let one = sweep_of(
            &loaded,
            &["inside_sales.reps=1..3"],
            Metric::Won,
            Some("won >= 300"),
        );
        let two = sweep_of(
            &loaded,
            &[
                "marketing.mql_threshold=40..60:10",
                "inside_sales.reps=1..2",
            ],
            Metric::Won,
            None,
        );
        for size in [
            ChartSize {
                width: 320,
                height: 320,
            },
            ChartSize {
                width: 1600,
                height: 400,
            },
            ChartSize {
                width: 2400,
                height: 1350,
            },
        ] {
            for (s, options) in [(&one, english()), (&two, japanese())] {
                let img = decode(&sweep_chart(s, &options, size).expect("sweep.png renders"));
                assert_eq!((img.width(), img.height()), (size.width, size.height));
            }
        }
    }

    #[test]
    fn a_sweep_the_chart_cannot_show_is_refused_not_a_panic() {
        let loaded = example();
        let mut s = sweep_of(&loaded, &["inside_sales.reps=1..2"], Metric::Won, None);
        let mut three = s.clone();
        three.axes.push(three.axes[0].clone());
        three.axes.push(three.axes[0].clone());
        assert!(sweep_chart(&three, &english(), ChartSize::default()).is_err());
        s.points.clear();
        assert!(sweep_chart(&s, &english(), ChartSize::default()).is_err());
    }

    #[test]
    fn a_target_that_is_found_marks_the_answer() {
        let loaded = example();
        let t = target_of(
            &loaded.tree,
            &loaded.name,
            "source.web_ads.leads_per_month",
            (0.5, 3.0),
            "won >= 300",
        );
        assert!(matches!(t.answer, Answer::Found { .. }), "{:?}", t.answer);
        check_target("target found", &t);
    }

    #[test]
    fn an_unreachable_target_marks_the_best_point() {
        let loaded = example();
        let t = target_of(
            &loaded.tree,
            &loaded.name,
            "source.web_ads.leads_per_month",
            (0.5, 3.0),
            "won >= 600",
        );
        assert!(
            matches!(t.answer, Answer::Unreachable { .. }),
            "{:?}",
            t.answer
        );
        check_target("target unreachable", &t);
    }

    #[test]
    fn a_non_monotone_target_shades_where_the_goal_is_met() {
        // A tiny team: a low MQL threshold floods it, a high one starves it (as in tests/sweep.rs).
        let toml = crate::common::SMALL_TEAM_THRESHOLD;
        let tree = funnelsim::scenario::doc::parse_str(toml, "threshold.toml").expect("valid TOML");
        let t = target_of(
            &tree,
            "threshold",
            "marketing.mql_threshold",
            (0.0, 100.0),
            "won >= 25",
        );
        assert!(
            matches!(t.answer, Answer::NonMonotone { .. }),
            "{:?}",
            t.answer
        );
        check_target("target non-monotone", &t);
    }

    #[test]
    fn a_decreasing_target_and_a_single_point_draw() {
        let loaded = example();
        let mut t = target_of(
            &loaded.tree,
            &loaded.name,
            "source.web_ads.leads_per_month",
            (0.5, 3.0),
            "won >= 300",
        );
        // The goal improving as the parameter falls: the same curve mirrored.
        t.curve = t.curve.iter().map(|&(x, p)| (3.5 - x, p)).rev().collect();
        t.increasing = false;
        if let Answer::Found { value, .. } = &mut t.answer {
            *value = 3.5 - *value;
        }
        check_target("decreasing target", &t);
        t.curve.truncate(1);
        t.answer = Answer::Unreachable {
            best_value: t.curve[0].0,
            best_p_goal: t.curve[0].1,
        };
        let png = target_chart(&t, &english(), ChartSize::default()).expect("one point renders");
        assert_eq!(decode(&png).dimensions(), (1600, 900));
        t.curve.clear();
        assert!(target_chart(&t, &english(), ChartSize::default()).is_err());
    }

    #[test]
    fn sweep_charts_are_deterministic() {
        let loaded = example();
        let s = sweep_of(
            &loaded,
            &["inside_sales.reps=1..2"],
            Metric::Won,
            Some("won >= 300"),
        );
        let a = sweep_chart(&s, &english(), ChartSize::default()).unwrap();
        let b = sweep_chart(&s, &english(), ChartSize::default()).unwrap();
        assert_eq!(a, b);
    }
}

/// The heights of the solid bars of `colour`, left to right: the longest
/// vertical run of that exact colour in each group of adjacent columns.
fn bar_heights(img: &image::RgbImage, colour: [u8; 3]) -> Vec<u32> {
    let mut heights = Vec::new();
    // (tallest run so far, columns since the colour was last seen)
    let mut current: Option<(u32, u32)> = None;
    for x in 0..img.width() {
        let (mut run, mut longest) = (0, 0);
        for y in 0..img.height() {
            run = if img.get_pixel(x, y).0 == colour {
                run + 1
            } else {
                0
            };
            longest = longest.max(run);
        }
        // A whisker's caps can hide the middle of a short bar: a gap narrower
        // than the space between two stages (180 px here) does not end a bar.
        current = match (longest > 0, current) {
            (true, c) => Some((c.map_or(0, |c| c.0).max(longest), 0)),
            (false, Some((h, gap))) if gap < 60 => Some((h, gap + 1)),
            (false, Some((h, _))) => {
                heights.push(h);
                None
            }
            (false, None) => None,
        };
    }
    heights.extend(current.map(|c| c.0));
    heights
}

/// What funnel.png draws: on its default linear scale every bar's height is
/// its median times one scale, to the pixel.
#[test]
fn funnel_bars_are_drawn_in_proportion_to_their_medians() {
    let (results, runs) = simulate(ENGLISH, false);
    let charts = render_all(&results, &runs, &english(), ChartSize::default()).expect("charts");
    let (_, png) = charts
        .iter()
        .find(|(n, _)| n == "charts/funnel.png")
        .expect("funnel");
    let img = decode(png);
    let stages = funnelsim::scenario::metric::FUNNEL_STAGES;
    for (setup, colour) in [(0, [0, 114, 178]), (1, [230, 159, 0])] {
        let medians: Vec<f64> = stages
            .iter()
            .map(|&m| results.setups[setup].metric(m).p50.expect("a median"))
            .collect();
        // The legend's square comes first; the five bars follow.
        let heights = bar_heights(&img, colour);
        let bars = &heights[heights.len() - 5..];
        let scale = bars[0] as f64 / medians[0];
        for (h, m) in bars.iter().zip(&medians) {
            assert!(
                (*h as f64 - m * scale).abs() <= 2.0,
                "setup {setup}: bar of {h} px for a median of {m} (scale {scale}); all {heights:?}"
            );
        }
        assert!(bars[0] > 300, "the tallest bar fills the plot: {bars:?}");
    }
}
