//! `explain`, `validate` and `init` end to end.

use crate::common;

use std::process::Command;

use funnelsim::scenario::metric::Metric;

fn funnelsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_funnelsim"))
}

#[test]
fn explain_is_the_expected_funnel_without_noise() {
    // Fixed rates, no capacity limit: every count is exactly its expectation.
    let setups = common::setups(&common::plain(""));
    let e = funnelsim::runs::engine::expected_run(&setups[0]);
    let close =
        |m: Metric, x: f64| assert!((e.get(m) - x).abs() < 1e-9, "{m}: {} vs {x}", e.get(m));
    close(Metric::Leads, 360.0);
    close(Metric::Sqls, 144.0);
    close(Metric::Opportunities, 72.0);
    close(Metric::Won, 21.6);
    close(Metric::LostToSla, 0.0);
    // And it agrees with the mean of the Monte Carlo runs.
    let runs = funnelsim::runs::engine::run_all(&setups, 51, 2000, &|_| {});
    let (mean, _) = common::mean_var(&common::column(&runs[0], Metric::Won));
    assert!((mean - 21.6).abs() < 4.0 * (21.6f64 / 2000.0).sqrt());

    let out = funnelsim()
        .args(["explain", "scenarios/ma_inside_sales.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("per won deal") && text.contains("Opportunities"));
    assert!(
        text.lines()
            .all(|l| funnelsim::report::table::width(l) <= 100),
        "explain fits 100 columns"
    );
}

#[test]
fn validate_prints_every_resolved_parameter_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minimal.toml");
    std::fs::write(
        &path,
        "[scenario]\nname = \"minimal\"\n[[source]]\nname = \"web\"\nleads_per_month = 100\n",
    )
    .unwrap();
    let out = funnelsim().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "follow_up.sla_days = 5",
        "source.web.leads_per_month = 100",
        "sales.win_rate = 0.25",
        "marketing.automation = false",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
    // The minimal scenario runs.
    let out = funnelsim()
        .arg("run")
        .arg(&path)
        .args(["--runs", "50", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_writes_both_templates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for (template, bundled) in [
        ("baseline", "scenarios/baseline.toml"),
        ("ma-inside-sales", "scenarios/ma_inside_sales.toml"),
    ] {
        let path = dir.path().join(format!("{template}.toml"));
        let out = funnelsim()
            .args(["init", "--template", template])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let written = std::fs::read_to_string(&path).unwrap();
        // The bundled file, with its "Run it:" lines naming the file written.
        let shown = path.display().to_string();
        assert!(written.contains(&format!("funnelsim run {shown}")));
        assert_eq!(
            written.replace(&shown, bundled),
            std::fs::read_to_string(bundled).unwrap()
        );
        assert!(
            written
                .lines()
                .filter(|l| l.trim_start().starts_with('#'))
                .count()
                > 20,
            "the template is commented"
        );
        let loaded = funnelsim::scenario::load(&path, &[]).unwrap();
        assert!(!loaded.setups.is_empty());
        let again = funnelsim()
            .args(["init", "--template", template])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(2), "init must not overwrite");
    }
}
