//! report.xlsx: read back with calamine, its charts counted in the package,
//! the same bytes whatever the thread count, and opened by LibreOffice when
//! it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};

fn funnelsim(args: &[&str], out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_funnelsim"))
        .args(args)
        .args(["--no-charts", "-q", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// The chart parts of an xlsx package (`xl/charts/chartN.xml`), in order.
fn charts(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.to_string()))
        .filter(|n| n.starts_with("xl/charts/chart") && n.ends_with(".xml"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(n).unwrap(), &mut xml).unwrap();
            xml
        })
        .collect()
}

fn summary_p50(dir: &Path, setup: &str, metric: &str) -> f64 {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{setup},metric,{metric},")))
        .unwrap();
    line.split(',').nth(9).unwrap().parse().unwrap()
}

/// Every sheet is there; the Summary median of won for each setup is
/// summary.csv's p50 as a number cell; one chart part per chart.
#[test]
fn the_run_workbook_reads_back_with_its_numbers_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = example("ma_inside_sales.toml");
    funnelsim(
        &["run", &scenario, "--runs", "300", "--samples"],
        dir.path(),
    );
    let path = dir.path().join("report.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    for sheet in [
        "Summary",
        "Monthly",
        "BySource",
        "Uplift",
        "Parameters",
        "Distribution",
        "Runs",
    ] {
        assert!(
            names.iter().any(|n| n == sheet),
            "{sheet} missing: {names:?}"
        );
    }
    let summary = book.worksheet_range("Summary").unwrap();
    let rows: Vec<&[Data]> = summary.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("KPI".into())))
        .expect("the KPI header");
    let won = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("  Won deals".into())))
        .expect("the won row");
    for setup in ["Baseline", "MA + inside sales"] {
        let col = rows[header]
            .iter()
            .position(|c| *c == Data::String(format!("{setup} median")))
            .unwrap();
        let cell = &rows[won][col];
        let Data::Float(x) = cell else {
            panic!("{setup}: the median of won is {cell:?}, not a number");
        };
        assert_eq!(*x, summary_p50(dir.path(), setup, "won"), "{setup}");
    }
    // Numbers in the data sheets are numbers too.
    let monthly = book.worksheet_range("Monthly").unwrap();
    assert!(
        matches!(monthly.get((1, 3)), Some(Data::Float(_))),
        "{:?}",
        monthly.get((1, 3))
    );
    // The funnel, won per month, the won histogram and the uplift histogram.
    let parts = charts(&path);
    assert_eq!(parts.len(), 4);
    // Won per month: p10, p50, p90 for each of the two setups, from the Monthly sheet.
    let monthly = parts
        .iter()
        .find(|x| x.contains("<c:lineChart>"))
        .expect("a line chart");
    assert_eq!(monthly.matches("<c:ser>").count(), 6);
    assert!(
        monthly.contains("Monthly!$B$14:$B$25"),
        "the second setup's months"
    );
}

/// The same seed gives the same workbook at one and two threads; `--no-xlsx`
/// skips it and removes one left by an earlier run.
#[test]
fn workbooks_are_reproducible_and_can_be_skipped() {
    let scenario = example("ma_inside_sales.toml");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    funnelsim(
        &["run", &scenario, "--runs", "200", "--threads", "1"],
        a.path(),
    );
    funnelsim(
        &["run", &scenario, "--runs", "200", "--threads", "2"],
        b.path(),
    );
    let read = |d: &Path| std::fs::read(d.join("report.xlsx")).unwrap();
    assert_eq!(read(a.path()), read(b.path()));
    funnelsim(&["run", &scenario, "--runs", "200", "--no-xlsx"], a.path());
    assert!(!a.path().join("report.xlsx").exists());
    assert!(a.path().join("summary.csv").exists());
}

/// sweep, target and sensitivity each write a workbook named for them with
/// their sheet and a chart, beside the run's report.xlsx.
#[test]
fn sweep_target_and_sensitivity_write_workbooks() {
    let scenario = example("ma_inside_sales.toml");
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &[
                "sweep",
                &scenario,
                "--vary",
                "inside_sales.reps=1..3",
                "--runs",
                "100",
            ],
            "Sweep",
            "sweep.xlsx",
        ),
        (
            &[
                "target",
                &scenario,
                "--goal",
                "won >= 300",
                "--solve",
                "inside_sales.reps",
                "--runs",
                "100",
            ],
            "Target",
            "target.xlsx",
        ),
        (
            &["sensitivity", &scenario, "--runs", "100"],
            "Sensitivity",
            "sensitivity.xlsx",
        ),
    ];
    // Into one folder after a run: each study's workbook sits beside the run's.
    let dir = tempfile::tempdir().unwrap();
    funnelsim(&["run", &scenario, "--runs", "100"], dir.path());
    for (args, sheet, file) in cases {
        funnelsim(args, dir.path());
        let path = dir.path().join(file);
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        assert_eq!(book.sheet_names(), [sheet]);
        let range = book.worksheet_range(sheet).unwrap();
        assert!(range.rows().count() > 1, "{sheet} is empty");
        if sheet == "Sweep" {
            // The swept values are numbers, not text.
            assert_eq!(range.get((1, 0)), Some(&Data::Float(1.0)));
        }
        assert_eq!(charts(&path).len(), 1, "{sheet}");
    }
    let run: Xlsx<_> = open_workbook(dir.path().join("report.xlsx")).unwrap();
    // Two axes: a line of medians per value of the second one.
    let two = tempfile::tempdir().unwrap();
    let vary = [
        "--vary",
        "inside_sales.reps=1,2,3",
        "--vary",
        "marketing.mql_threshold=40,60",
    ];
    funnelsim(
        &[&["sweep", scenario.as_str()][..], &vary, &["--runs", "50"]].concat(),
        two.path(),
    );
    let bytes = std::fs::read(two.path().join("sweep.xlsx")).unwrap();
    let chart = String::from_utf8_lossy(&bytes).matches("<c:ser>").count();
    assert!(
        chart == 0 || chart == 2,
        "compressed, or one series per second-axis value: {chart}"
    );
    assert_eq!(
        run.sheet_names()[0],
        "Summary",
        "the run's workbook is intact"
    );
}

/// Japanese labels with `[chart] language = "ja"`, and Japanese names intact.
#[test]
fn japanese_labels_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ja.toml");
    std::fs::write(
        &file,
        format!(
            "extends = \"{}\"\n[chart]\nlanguage = \"ja\"\n[[variant]]\nname = \"Baseline\"\nlabel = \"現状\"\n",
            example("ma_inside_sales.toml").replace('\\', "/")
        ),
    )
    .unwrap();
    let out: PathBuf = dir.path().join("out");
    funnelsim(&["run", &file.display().to_string(), "--runs", "50"], &out);
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let text: Vec<String> = summary
        .rows()
        .flat_map(|r| {
            r.iter().filter_map(|c| match c {
                Data::String(s) => Some(s.clone()),
                _ => None,
            })
        })
        .collect();
    assert!(text.iter().any(|t| t == "シナリオ"), "{text:?}");
    assert!(text.iter().any(|t| t.contains("受注")), "{text:?}");
}

/// The workbook opens in LibreOffice (converted to PDF headless), if it is installed.
#[test]
fn libreoffice_opens_the_workbook() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        println!("skipped: LibreOffice (soffice) is not installed; see docs/cli.md to install it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    funnelsim(
        &["run", &example("ma_inside_sales.toml"), "--runs", "100"],
        dir.path(),
    );
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let output = Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path().join("pdf"))
        .arg(dir.path().join("report.xlsx"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pdf = std::fs::read(dir.path().join("pdf/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
}
