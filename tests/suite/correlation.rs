//! `[[correlation]]`: the draws in runs.csv have the rank correlations asked
//! for, each input keeps its own law exactly, the other inputs keep their
//! draws, and the effect on the funnel is the copula's closed form.

use std::path::Path;
use std::process::Command;

use crate::common::{column, mean_var, run};
use funnelsim::scenario::dist::normal_cdf;
use funnelsim::scenario::metric::Metric;

/// Three (U) inputs with closed-form quantiles, one truncated by its domain,
/// correlated as a three-input matrix; `extra` is appended.
fn three_inputs(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "three"
horizon_months = 1
[[source]]
name = "web"
leads_per_month = {{ uniform = [80, 120] }}
[sales]
win_rate = {{ triangular = [0.1, 0.2, 0.4] }}
[deal]
gross_margin = {{ normal = {{ mean = 0.9, sd = 0.1 }} }}
{extra}
"#
    )
}

const RANKS: &str = r#"
[[correlation]]
inputs = ["source.web.leads_per_month", "sales.win_rate"]
rank = -0.5
[[correlation]]
inputs = ["sales.win_rate", "deal.gross_margin"]
rank = 0.3
[[correlation]]
inputs = ["source.web.leads_per_month", "deal.gross_margin"]
rank = 0.2
"#;

const INPUTS: [&str; 3] = [
    "source.web.leads_per_month",
    "sales.win_rate",
    "deal.gross_margin",
];

/// The (U) draws of runs.csv, by column name, from `funnelsim run --samples`.
fn draws(dir: &Path, toml: &str, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let file = dir.join("s.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("run")
        .arg(&file)
        .args(["--samples", "--no-charts", "-q", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (head, rows)
}

fn numbers(head: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let k = head.iter().position(|h| h == name).unwrap();
    rows.iter().map(|r| r[k].parse().unwrap()).collect()
}

/// Ranks from 1, ties at their average rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            r[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let (mx, vx) = mean_var(&rx);
    let (my, vy) = mean_var(&ry);
    let cov: f64 = rx
        .iter()
        .zip(&ry)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() as f64 - 1.0);
    cov / (vx * vy).sqrt()
}

/// The exact quantiles of the three inputs' laws.
fn exact_quantile(input: &str, p: f64) -> f64 {
    match input {
        "source.web.leads_per_month" => 80.0 + 40.0 * p,
        "sales.win_rate" => {
            // Triangular [0.1, 0.2, 0.4]: the mode cuts the CDF at 1/3.
            if p < 1.0 / 3.0 {
                0.1 + (p * 0.3 * 0.1).sqrt()
            } else {
                0.4 - ((1.0 - p) * 0.3 * 0.2).sqrt()
            }
        }
        _ => {
            // Normal(0.9, 0.1) truncated to [0, 1]: bisection on its CDF.
            let cdf = |x: f64| {
                let (lo, hi) = (normal_cdf(-9.0), normal_cdf(1.0));
                (normal_cdf((x - 0.9) / 0.1) - lo) / (hi - lo)
            };
            let (mut a, mut b) = (0.0, 1.0);
            for _ in 0..100 {
                let m = (a + b) / 2.0;
                if cdf(m) < p { a = m } else { b = m }
            }
            a
        }
    }
}

/// Each pair's Spearman correlation in runs.csv lies within 3 standard
/// errors of the rank asked (Fieller's variance 1.06 / (n - 3) of
/// atanh(r_s)); each input's p10, p50 and p90 are its law's (the share of
/// draws below the exact quantile within 3.5 binomial standard errors);
/// each marginal passes a two-sample KS test against uncorrelated draws.
#[test]
fn draws_have_the_asked_rank_correlations_and_keep_their_laws() {
    let dir = tempfile::tempdir().unwrap();
    let n = 4000;
    let runs = n.to_string();
    let (head, rows) = draws(dir.path(), &three_inputs(RANKS), &["--runs", &runs]);
    let x: Vec<Vec<f64>> = INPUTS.iter().map(|p| numbers(&head, &rows, p)).collect();
    let se = (1.06 / (n as f64 - 3.0)).sqrt();
    for (i, j, rank) in [(0, 1, -0.5), (1, 2, 0.3), (0, 2, 0.2)] {
        let r = spearman(&x[i], &x[j]);
        assert!(
            (r.atanh() - f64::atanh(rank)).abs() < 3.0 * se,
            "{} ~ {}: {r} for {rank}",
            INPUTS[i],
            INPUTS[j]
        );
    }
    for (k, input) in INPUTS.iter().enumerate() {
        for p in [0.1, 0.5, 0.9] {
            let q = exact_quantile(input, p);
            let below = x[k].iter().filter(|&&v| v < q).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (below - p).abs() < 3.5 * se,
                "{input}: {below} below its p{p}"
            );
        }
    }
    // The same inputs drawn independently, on another seed: independent samples.
    let dir = tempfile::tempdir().unwrap();
    let (head, rows) = draws(
        dir.path(),
        &three_inputs(""),
        &["--runs", &runs, "--seed", "7"],
    );
    for (k, input) in INPUTS.iter().enumerate() {
        let mut a = x[k].clone();
        let mut b = numbers(&head, &rows, input);
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let d = a
            .iter()
            .map(|v| {
                let fa = a.partition_point(|w| w <= v) as f64 / n as f64;
                let fb = b.partition_point(|w| w <= v) as f64 / n as f64;
                (fa - fb).abs()
            })
            .fold(0.0, f64::max);
        // The 0.1% critical value of the two-sample statistic.
        let critical = 1.949 * (2.0 / n as f64).sqrt();
        assert!(d < critical, "{input}: KS distance {d} >= {critical}");
    }
}

/// Inputs no correlation names keep their draws byte for byte; at rank 0
/// the correlated ones are the independent draws; the same seed gives the
/// same bytes at one and two threads.
#[test]
fn other_inputs_keep_their_draws_and_threads_do_not_matter() {
    let extra_input = "[costs]\nfixed_per_month = { range = [100, 200] }\n";
    let with = three_inputs(&format!("{extra_input}{RANKS}"));
    let without = three_inputs(extra_input);
    let zero = with
        .replace("rank = -0.5", "rank = 0")
        .replace("rank = 0.3", "rank = 0")
        .replace("rank = 0.2", "rank = 0");
    let args = ["--runs", "300", "--threads", "2"];
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (h1, r1) = draws(dirs[0].path(), &with, &args);
    let (h0, r0) = draws(dirs[1].path(), &without, &args);
    let (hz, rz) = draws(dirs[2].path(), &zero, &args);
    assert_eq!(
        numbers(&h1, &r1, "costs.fixed_per_month"),
        numbers(&h0, &r0, "costs.fixed_per_month")
    );
    for input in INPUTS {
        let (a, b) = (numbers(&hz, &rz, input), numbers(&h0, &r0, input));
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() <= 1e-9 * y.abs(),
                "{input}: {x} vs {y} at rank 0"
            );
        }
        assert_ne!(numbers(&h1, &r1, input), b, "{input} moved by the copula");
    }
    let one = draws(dirs[3].path(), &with, &["--runs", "300", "--threads", "1"]);
    assert_eq!(one, (h1, r1), "runs.csv at 1 and 2 threads");
    let json = |d: &Path| std::fs::read(d.join("out/summary.json")).unwrap();
    assert_eq!(json(dirs[0].path()), json(dirs[3].path()));
}

/// With won proportional to leads x win rate and both lognormal, log(won)
/// is their log sum: Var = s_L^2 + s_W^2 + 2 rho s_L s_W with rho the
/// copula's normal correlation 2 sin(pi r / 6), plus the funnel's own noise
/// (about 1 / E[won] at these volumes). Within 4 standard errors of the
/// variance, and far from the independent figure.
#[test]
fn log_won_variance_moves_as_the_copula_says() {
    let scenario = |rank: &str| {
        format!(
            r#"
[scenario]
name = "logs"
horizon_months = 1
[[source]]
name = "web"
leads_per_month = {{ lognormal = {{ median = 20000, p90 = 26000 }} }}
score = 50
[follow_up]
team = "field_sales"
sla_days = 60
response_half_life_days = 1e12
sql_rate_by_score = [[0, 1.0]]
[sales]
reps = 100
inbound_mqls_per_rep_per_day = 100000
sql_to_opportunity = 1
opportunity_lag_days = 0
sales_cycle_days = 0
win_rate = {{ lognormal = {{ median = 0.2, p90 = 0.25 }} }}
{rank}
"#
        )
    };
    let z90 = 1.281_551_565_544_600_4;
    let (s_l, s_w) = ((1.3f64).ln() / z90, (1.25f64).ln() / z90);
    let n = 4000;
    for rank in [0.0, 0.6, -0.6] {
        let text = if rank == 0.0 {
            String::new()
        } else {
            format!(
                "[[correlation]]\ninputs = [\"source.web.leads_per_month\", \"sales.win_rate\"]\nrank = {rank}\n"
            )
        };
        let runs = run(&scenario(&text), n, 11);
        let won = column(&runs[0], Metric::Won);
        let logs: Vec<f64> = won.iter().map(|w| w.ln()).collect();
        let (mean, var) = mean_var(&logs);
        let rho = 2.0 * (std::f64::consts::PI * rank / 6.0).sin();
        let noise = (-mean).exp();
        let exact = s_l * s_l + s_w * s_w + 2.0 * rho * s_l * s_w + noise;
        let se = exact * (2.0 / (n as f64 - 1.0)).sqrt();
        assert!(
            (var - exact).abs() < 4.0 * se,
            "rank {rank}: var {var} vs {exact} (se {se})"
        );
        if rank != 0.0 {
            let independent = s_l * s_l + s_w * s_w + noise;
            assert!(
                (var - independent).abs() > 8.0 * se,
                "rank {rank}: not moved"
            );
        }
    }
}

/// At 100,000 runs (the inputs alone, no funnel) the rank correlations are
/// r to within 4 standard errors of about 0.003: tight enough to tell the
/// copula's rho = 2 sin(pi r / 6) from rho = r (Spearman 0.483 for r = 0.5).
#[test]
fn rank_correlations_are_exact_at_many_runs() {
    use funnelsim::sim::params::{Draw, draws_by_path};
    let setups = crate::common::setups(&three_inputs(RANKS));
    let s = &setups[0].scenario;
    let n = 100_000u64;
    let mut x: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for run in 0..n {
        let draws = draws_by_path(s, Draw::Run { seed: 3, run });
        for (k, input) in INPUTS.iter().enumerate() {
            x[k].push(draws.iter().find(|(p, _)| p == input).unwrap().1);
        }
    }
    let se = (1.06 / (n as f64 - 3.0)).sqrt();
    for (i, j, rank) in [(0, 1, -0.5), (1, 2, 0.3), (0, 2, 0.2)] {
        let r = spearman(&x[i], &x[j]);
        assert!(
            (r.atanh() - f64::atanh(rank)).abs() < 4.0 * se,
            "{} ~ {}: {r} for {rank}",
            INPUTS[i],
            INPUTS[j]
        );
    }
}

/// A variant may change a rank (`correlation.0.rank`), and two setups with
/// the same entries share the correlated draws (common random numbers).
#[test]
fn variants_change_ranks_and_setups_share_the_draws() {
    use funnelsim::sim::params::{Draw, draws_by_path};
    let toml = three_inputs(&format!(
        "{RANKS}\n[[variant]]\nname = \"positive\"\nset = {{ \"correlation.0.rank\" = 0.5 }}\n[[variant]]\nname = \"more reps\"\nset = {{ \"sales.reps\" = 9 }}\n"
    ));
    let setups = crate::common::setups(&toml);
    let column = |s: usize, input: &str| -> Vec<f64> {
        (0..20_000)
            .map(|run| {
                let d = draws_by_path(&setups[s].scenario, Draw::Run { seed: 5, run });
                d.iter().find(|(p, _)| p == input).unwrap().1
            })
            .collect()
    };
    let (a, b) = (INPUTS[0], INPUTS[1]);
    let se = (1.06f64 / 19_997.0).sqrt();
    let base = spearman(&column(0, a), &column(0, b));
    let positive = spearman(&column(1, a), &column(1, b));
    assert!((base.atanh() - f64::atanh(-0.5)).abs() < 4.0 * se, "{base}");
    assert!(
        (positive.atanh() - f64::atanh(0.5)).abs() < 4.0 * se,
        "{positive}"
    );
    for input in INPUTS {
        assert_eq!(column(0, input), column(2, input), "{input}: shared draws");
    }
    // The first input of the copula is its own draw whatever the ranks.
    assert_eq!(column(0, a), column(1, a));
}

/// A variant that makes a correlated input a plain number leaves its
/// entries out of that setup; the others keep their file positions.
#[test]
fn entries_left_out_keep_the_others_numbers() {
    let toml = three_inputs(&format!(
        "{RANKS}\n[[variant]]\nname = \"fixed leads\"\nset = {{ \"source.web.leads_per_month\" = 100 }}\n"
    ));
    let setups = crate::common::setups(&toml);
    let c = &setups[1].scenario.correlations;
    assert_eq!(c.entries.len(), 1);
    assert_eq!(c.entries[0].entry, 1, "the file's correlation.1");
    assert_eq!(c.left_out.len(), 2, "{:?}", c.left_out);
    let params = setups[1].scenario.resolved_parameters();
    assert!(
        params
            .iter()
            .any(|(p, v)| p == "correlation.1.rank" && v == "0.3"),
        "{params:?}"
    );
    assert!(
        !params.iter().any(|(p, _)| p.starts_with("correlation.0")),
        "{params:?}"
    );
}

/// `validate` prints the matrix; report.md and summary.json list the entries.
#[test]
fn validate_report_and_summary_show_the_correlations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/correlated_inputs.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("validate")
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Spearman rank correlations"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("[1] source.web_ads.leads_per_month"))
        .expect("a matrix row");
    let cells: Vec<&str> = row.split_whitespace().skip(2).collect();
    assert_eq!(cells, ["1.00", "-0.60", "0.50"], "{row}");
    assert!(text.contains("correlation.2.rank = 0.5"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .arg("run")
        .arg(&scenario)
        .args(["--runs", "50", "--no-charts", "-q", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(report.contains("## Correlated inputs"));
    assert!(report.contains("| `source.web_ads.leads_per_month` | `sales.win_rate` | -0.60 |"));
    let json = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let entries = &v["correlations"][0]["entries"];
    assert_eq!(entries.as_array().unwrap().len(), 3);
    assert_eq!(entries[2]["rank"], 0.5);
    let rho = entries[2]["normal_correlation"].as_f64().unwrap();
    assert!((rho - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-15);
}
