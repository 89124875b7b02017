//! The binary end to end: same bytes at any thread count, precision control,
//! interruption without partial files.

use crate::common;

use std::path::Path;
use std::process::Command;

fn funnelsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_funnelsim"))
}

/// Every file under a folder, by relative path, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_same_seed_gives_the_same_bytes_with_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        let status = funnelsim()
            .args([
                "run",
                "scenarios/ma_inside_sales.toml",
                "--runs",
                "300",
                "--samples",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.iter().any(|(n, _)| n == "runs.csv") && fa.iter().any(|(n, _)| n == "uplift.csv"));
    assert_eq!(fa.len(), fb.len());
    for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between 1 and 2 threads");
    }
}

#[test]
fn the_precision_stop_meets_its_claim_and_stops_earlier_when_looser() {
    let setups = common::setups(&common::plain(""));
    let (tight, reached_tight) =
        funnelsim::runs::engine::run_until_precise(&setups, 41, 0.01, 100_000, &|_| {});
    let (loose, reached_loose) =
        funnelsim::runs::engine::run_until_precise(&setups, 41, 0.05, 100_000, &|_| {});
    assert!(reached_tight <= 0.01 && reached_loose <= 0.05);
    assert!(loose[0].runs.len() < tight[0].runs.len());
    assert_eq!(
        tight[0].runs.len() as u64 % funnelsim::runs::engine::PRECISION_BATCH,
        0
    );
    // Won deals are Poisson(360 * 0.06 = 21.6): the claimed ±1% at 95% holds against the truth.
    let won = common::column(&tight[0], funnelsim::scenario::metric::Metric::Won);
    let (mean, _) = common::mean_var(&won);
    assert!(
        (mean - 21.6).abs() <= 0.01 * 21.6,
        "mean {mean} with {} runs",
        won.len()
    );
    // The runs made match the closed form: won, the smallest count, needs
    // n = (1.96 / 0.01)^2 / 21.6 ≈ 1,779 runs, so two batches of 1,000.
    assert_eq!(tight[0].runs.len(), 2000);
    assert_eq!(loose[0].runs.len(), 1000);
}

#[test]
fn a_precision_run_reports_its_runs_and_precision() {
    let dir = tempfile::tempdir().unwrap();
    let out = funnelsim()
        .args([
            "run",
            "scenarios/baseline.toml",
            "--precision",
            "0.05",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("precision: every count's mean within ±"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert!(json["precision"]["reached"].as_f64().unwrap() <= 0.05);
    assert_eq!(json["runs"].as_u64().unwrap() % 1000, 0);
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_stop_without_partial_files() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = funnelsim()
            .args([
                "run",
                "scenarios/ma_inside_sales.toml",
                "--runs",
                "1000000",
                "--quiet",
                "--out",
            ])
            .arg(dir.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "after kill {signal}");
        assert!(
            files(dir.path()).is_empty(),
            "files left after kill {signal}: {:?}",
            files(dir.path()).iter().map(|f| &f.0).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_later_run_replaces_every_output_of_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let status = funnelsim()
            .args(args)
            .args(["--runs", "100", "--quiet", "--out"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
    };
    run(&["run", "scenarios/ma_inside_sales.toml", "--samples"]);
    assert!(
        dir.path().join("charts/uplift.png").is_file() && dir.path().join("runs.csv").is_file()
    );
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    run(&["run", "scenarios/baseline.toml", "--no-charts"]);
    let names: Vec<String> = files(dir.path()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "by_source.csv",
            "monthly.csv",
            "notes.txt",
            "report.md",
            "report.xlsx",
            "summary.csv",
            "summary.json"
        ]
    );
    let report = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        !report.contains("charts/"),
        "report.md links no chart after --no-charts"
    );
}

/// Outputs are made with the user's umask, like any file a program writes,
/// not the 0600 of the temporary file they are first written to.
#[cfg(unix)]
#[test]
fn output_files_are_readable_by_group_and_others_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_funnelsim"))
        .args([
            "run",
            "scenarios/ma_inside_sales.toml",
            "--runs",
            "50",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut checked = 0;
    for entry in walk(dir.path()) {
        let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{} has mode {mode:o}", entry.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files written");
}

/// Every file under `dir`.
#[cfg(unix)]
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn version_names_the_commit_and_completions_cover_the_commands() {
    let out = funnelsim().arg("--version").output().unwrap();
    let version = String::from_utf8(out.stdout).unwrap();
    assert!(
        version.starts_with(&format!("funnelsim {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = funnelsim().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        // Words only the completions of the commands and their options hold.
        for word in [
            "compare",
            "sweep",
            "explain",
            "completions",
            "chart-size",
            "vary",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = funnelsim().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// A label is what tables and charts show; the name keys the random streams,
/// so relabelling every source and setup into Japanese changes no figure.
#[test]
fn relabelling_into_japanese_changes_no_figure() {
    let english = std::fs::read_to_string("scenarios/ma_inside_sales.toml").unwrap();
    let mut japanese = english.replace(
        "name = \"MA + inside sales\"",
        "name = \"MA + inside sales\"\nlabel = \"MA＋インサイドセールス\"",
    );
    for (name, label) in [
        ("web_ads", "Web広告"),
        ("web_inquiries", "Web問い合わせ"),
        ("events", "展示会・セミナー"),
        ("referrals", "紹介"),
    ] {
        let from = format!("name = \"{name}\"");
        assert!(japanese.contains(&from), "the example lost source {name}");
        japanese = japanese.replacen(&from, &format!("{from}\nlabel = \"{label}\""), 1);
    }
    japanese = japanese.replace(
        "name = \"Baseline\"\nset",
        "name = \"Baseline\"\nlabel = \"現状（MAなし）\"\nset",
    );
    assert!(
        japanese.contains("現状（MAなし）"),
        "the example's variant changed"
    );
    let dir = tempfile::tempdir().unwrap();
    let run = |text: &str, tag: &str| {
        let path = dir.path().join(format!("{tag}.toml"));
        std::fs::write(&path, text).unwrap();
        let out_dir = dir.path().join(tag);
        let out = funnelsim()
            .arg("run")
            .arg(&path)
            .args(["--runs", "300", "--seed", "5", "-q", "--no-charts", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out_dir
    };
    let (en, ja) = (run(&english, "en"), run(&japanese, "ja"));
    for file in ["summary.csv", "by_source.csv", "uplift.csv", "monthly.csv"] {
        let read = |d: &std::path::Path| std::fs::read_to_string(d.join(file)).unwrap();
        let (a, b) = (read(&en), read(&ja));
        let rows = |text: &str| -> Vec<Vec<String>> {
            text.lines()
                .map(|l| l.split(',').map(str::to_string).collect())
                .collect()
        };
        let (ra, rb) = (rows(&a), rows(&b));
        assert_eq!(ra.len(), rb.len(), "{file}");
        // Every column but the labels (setup; source or baseline beside it) is the same.
        let skip = if matches!(file, "by_source.csv" | "uplift.csv") {
            2
        } else {
            1
        };
        for (x, y) in ra.iter().zip(&rb) {
            assert_eq!(x[skip..], y[skip..], "{file}");
        }
    }
    let summary = std::fs::read_to_string(ja.join("summary.csv")).unwrap();
    assert!(summary.contains("現状（MAなし）") && summary.contains("MA＋インサイドセールス"));
    let by_source = std::fs::read_to_string(ja.join("by_source.csv")).unwrap();
    assert!(by_source.contains("展示会・セミナー"));
}

/// Four setups: every table fits 100 columns (split as it takes), setups that
/// tie in every run show "—" for P(better), and one run is "1 run".
#[test]
fn four_setups_fit_100_columns_and_ties_are_not_worse() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("four.toml");
    let example = std::fs::canonicalize("scenarios/ma_inside_sales.toml").unwrap();
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\n[[variant]]\nname = \"Three inside-sales reps\"\nset = {{ \"inside_sales.reps\" = 3 }}\n\
             [[variant]]\nname = \"Dearer field sales\"\nset = {{ \"marketing.automation\" = false, \
             \"marketing.handoff_delay_days\" = 3.5, \"marketing.license_per_month\" = 0, \
             \"follow_up.team\" = \"field_sales\", \"follow_up.queue_order\" = \"newest_first\", \
             \"follow_up.sla_days\" = 14, \"inside_sales.reps\" = 0, \"sales.cost_per_rep_per_month\" = 1000000 }}\n",
            example.display().to_string()
        ),
    )
    .unwrap();
    let run = |runs: &str| {
        let out = funnelsim()
            .arg("run")
            .arg(&path)
            .args(["--runs", runs, "-q", "--no-charts", "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("200");
    for line in text.lines() {
        assert!(
            funnelsim::report::table::width(line) <= 100,
            "{} columns: {line}",
            funnelsim::report::table::width(line)
        );
    }
    for name in [
        "Baseline",
        "MA + inside sales",
        "Three inside-sales reps",
        "Dearer field sales",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    // The baseline with dearer reps has the same leads, run by run: a tie, not "0% better".
    let leads = text
        .lines()
        .rfind(|l| l.trim_start().starts_with("Leads") && l.contains('×'))
        .expect("an uplift row of leads");
    assert!(leads.trim_end().ends_with('—'), "{leads}");
    assert!(run("1").starts_with("MA + inside sales: 1 run, seed"));
}

#[test]
fn init_names_the_file_it_wrote_in_its_run_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("our_plan.toml");
    let out = funnelsim().arg("init").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).unwrap();
    let shown = path.display().to_string();
    assert!(text.contains(&format!("funnelsim run {shown}")), "{text}");
    assert!(!text.contains("funnelsim run scenarios/ma_inside_sales.toml"));
}

/// `language = "ja"` puts Japanese row labels in the terminal table and
/// report.md, and yen in 万円 / 億円; `money_units = "short"` switches back;
/// a wrong `money_units` or `funnel_scale` is refused with the key and the choices.
#[test]
fn japanese_tables_label_rows_in_japanese_and_money_in_man_and_oku() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::canonicalize("scenarios/ma_inside_sales.toml").unwrap();
    let run = |chart: &str, tag: &str| {
        let path = dir.path().join(format!("{tag}.toml"));
        let text = format!(
            "extends = {:?}\n[chart]\n{chart}\n",
            example.display().to_string()
        );
        std::fs::write(&path, text).unwrap();
        let out_dir = dir.path().join(tag);
        let out = funnelsim()
            .arg("run")
            .arg(&path)
            .args(["--runs", "200", "-q", "--no-charts", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        let report = std::fs::read_to_string(out_dir.join("report.md")).unwrap_or_default();
        (out, report)
    };
    let assert_ok = |out: &std::process::Output| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
    };
    let (out, report) = run("language = \"ja\"", "ja");
    assert_ok(&out);
    let table = String::from_utf8(out.stdout).unwrap();
    for text in [&table, &report] {
        for label in [
            "マーケティング",
            "リード数",
            "受注数",
            "商談数",
            "全体",
            "回収期間（月）",
        ] {
            assert!(text.contains(label), "{label} missing:\n{text}");
        }
        assert!(
            !text.contains("Won deals"),
            "an English row label is left:\n{text}"
        );
        assert!(
            text.contains("万円") && text.contains("億円"),
            "money not in 万円/億円:\n{text}"
        );
    }
    let revenue = table
        .lines()
        .find(|l| l.trim_start().starts_with("売上"))
        .unwrap();
    assert!(!revenue.contains('M'), "{revenue}");
    // The KPI cascade of `target` too.
    let out = funnelsim()
        .arg("target")
        .arg(dir.path().join("ja.toml"))
        .args([
            "--goal",
            "won >= 100",
            "--solve",
            "inside_sales.reps",
            "--range",
            "1..3",
        ])
        .args(["--runs", "100", "-q", "--no-charts", "--out"])
        .arg(dir.path().join("ja_target"))
        .output()
        .unwrap();
    assert_ok(&out);
    let cascade = String::from_utf8(out.stdout).unwrap();
    assert!(
        cascade.contains("受注数") && cascade.contains("フィールドセールス"),
        "{cascade}"
    );

    let (out, report) = run("language = \"ja\"\nmoney_units = \"short\"", "short");
    assert_ok(&out);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("受注数") && !table.contains("万円") && !report.contains("万円"));
    let revenue = table
        .lines()
        .find(|l| l.trim_start().starts_with("売上"))
        .unwrap();
    assert!(revenue.contains('M'), "{revenue}");

    let (out, _) = run("language = \"en\"\nfunnel_scale = \"log\"", "log");
    assert_ok(&out);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Won deals") && !table.contains("万"));

    for (key, bad, valid) in [
        ("money_units", "yen", "man_oku"),
        ("funnel_scale", "logarithmic", "linear"),
    ] {
        let (out, _) = run(&format!("{key} = \"{bad}\""), key);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("chart.{key}")) && err.contains(valid),
            "{err}"
        );
        assert!(err.contains(".toml:"), "a file position: {err}");
    }
}
