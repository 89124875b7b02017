//! Nothing silent: costs left at 0 are warned of, defaults are listed, and
//! `--set` says which setups it changed.

use std::process::Command;

use funnelsim::runs::engine::run_all;
use funnelsim::scenario::metric::Metric;

fn funnelsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_funnelsim"))
}

/// Every cost of a team or tool written; each test line removes one.
const COSTED: &str = r#"
[scenario]
name = "costed"
horizon_months = 3
[[source]]
name = "web"
leads_per_month = 200
score = 60
cost_per_lead = 5000
[marketing]
automation = true
mql_threshold = 50
license_per_month = 150000
[follow_up]
team = "inside_sales"
[inside_sales]
reps = 2
mqls_per_rep_per_day = 20
cost_per_rep_per_month = 600000
[sales]
reps = 3
cost_per_rep_per_month = 900000
"#;

#[test]
fn every_cost_left_out_is_warned_of_in_validate_run_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // All written: no warning.
    let path = write("costed.toml", COSTED);
    let out = funnelsim().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
    let cases = [
        (
            "license_per_month = 150000\n",
            "marketing.license_per_month",
        ),
        (
            "cost_per_rep_per_month = 600000\n",
            "inside_sales.cost_per_rep_per_month",
        ),
        (
            "cost_per_rep_per_month = 900000\n",
            "sales.cost_per_rep_per_month",
        ),
        ("cost_per_lead = 5000\n", "source.web.cost_per_lead"),
    ];
    for (line, path_of_cost) in cases {
        assert!(COSTED.contains(line));
        let path = write("omitted.toml", &COSTED.replace(line, ""));
        let out = funnelsim().arg("validate").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            err.lines().count(),
            1,
            "one warning for {path_of_cost}: {err}"
        );
        assert!(
            err.starts_with(&format!("warning: costed: {path_of_cost} is not set (0): ")),
            "{err}"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&format!("{path_of_cost} = 0   (default)")),
            "{text}"
        );
        let out_dir = dir.path().join("out");
        let out = funnelsim()
            .arg("run")
            .arg(&path)
            .args(["--runs", "20", "-q", "--no-charts", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            err,
            "run warns the same"
        );
        let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
        let section = md.split("## Assumptions left at defaults").nth(1).unwrap();
        assert!(
            section.contains(&format!("⚠ `{path_of_cost}` is not set (0)")),
            "{section}"
        );
    }
    // A cost written as 0 is warned of too, as written.
    let path = write("zero.toml", &COSTED.replace("900000", "0"));
    let out = funnelsim().arg("validate").arg(&path).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("sales.cost_per_rep_per_month is 0: 3 field-sales reps"),
        "{err}"
    );
    // A tool or team the setup does not use costs nothing and is not warned of.
    let path = write(
        "unused.toml",
        &COSTED
            .replace("license_per_month = 150000\n", "")
            .replace("automation = true", "automation = false"),
    );
    let out = funnelsim().arg("validate").arg(&path).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn a_scoped_set_changes_only_its_setup_run_by_run() {
    let path = std::path::Path::new("scenarios/ma_inside_sales.toml");
    let plain = funnelsim::scenario::load(path, &[]).unwrap();
    let scoped = funnelsim::scenario::load(
        path,
        &["Baseline:sales.inbound_mqls_per_rep_per_day=9".into()],
    )
    .unwrap();
    assert_eq!(scoped.overrides[0].setup.as_deref(), Some("Baseline"));
    let (a, b) = (
        run_all(&plain.setups, 3, 300, &|_| {}),
        run_all(&scoped.setups, 3, 300, &|_| {}),
    );
    assert_eq!(a[1].setup.name, "MA + inside sales");
    assert_eq!(
        a[1].runs, b[1].runs,
        "the other setup is untouched, run by run"
    );
    let won = |r: &funnelsim::runs::engine::SetupRuns| -> f64 {
        r.runs.iter().map(|x| x.get(Metric::Won)).sum()
    };
    assert!(
        won(&b[0]) > won(&a[0]),
        "more field-sales capacity wins more in the baseline"
    );
    // Unscoped, it changes every setup and the report says so.
    let dir = tempfile::tempdir().unwrap();
    let out = funnelsim()
        .args([
            "run",
            "scenarios/ma_inside_sales.toml",
            "--runs",
            "50",
            "-q",
            "--no-charts",
        ])
        .args([
            "--set",
            "sales.win_rate=0.3",
            "--set",
            "Baseline:sales.reps=8",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let line =
        "Overrides (--set): sales.win_rate=0.3 in every setup; sales.reps=8 in Baseline only.";
    assert!(text.contains(line), "{text}");
    assert!(
        std::fs::read_to_string(dir.path().join("report.md"))
            .unwrap()
            .contains("`sales.win_rate=0.3` in every setup")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["overrides"][1]["setup"], "Baseline");
    assert_eq!(json["overrides"][0]["setup"], serde_json::Value::Null);
    // A scope that names no setup is an error, with the setups listed.
    let out = funnelsim()
        .args([
            "run",
            "scenarios/ma_inside_sales.toml",
            "--runs",
            "5",
            "-q",
            "--no-charts",
        ])
        .args(["--set", "Nope:sales.reps=8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no setup is named `Nope`") && err.contains("`Baseline`"),
        "{err}"
    );
}
