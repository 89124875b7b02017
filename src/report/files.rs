//! Output files: CSV (UTF-8 with a byte-order mark), JSON, written atomically.
//!
//! Every file of a run is first rendered in memory; [`OutputSet::commit`]
//! writes each to a temporary name in the output folder and renames it into
//! place, so an interrupted run leaves either the old file or the new one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::summary::Results;
use crate::error::Error;
use crate::report::sheet;
use crate::runs::engine::SetupRuns;

/// Files to write, relative to the output folder.
#[derive(Default)]
pub struct OutputSet {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl OutputSet {
    /// Adds a file.
    pub fn add(&mut self, name: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.push((name.into(), bytes));
    }

    /// The names added so far.
    pub fn names(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }

    /// Writes every file under `dir`, each atomically, then removes the files of
    /// `managed` (funnelsim's own outputs, e.g. an old `charts/uplift.png`) that this
    /// set did not write, so the folder never mixes two runs.
    pub fn commit_replacing(
        self,
        dir: &Path,
        managed: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<PathBuf>, Error> {
        let written = self.commit(dir)?;
        for sub in [dir.to_path_buf(), dir.join("charts")] {
            let Ok(entries) = std::fs::read_dir(&sub) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                if path.is_file() && managed(relative) && !written.contains(&path) {
                    std::fs::remove_file(&path).map_err(|e| {
                        Error::Run(format!("cannot remove the stale {}: {e}", path.display()))
                    })?;
                }
            }
        }
        Ok(written)
    }

    /// Writes every file under `dir`, each atomically.
    pub fn commit(self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        if dir.is_file() {
            return Err(Error::Run(format!(
                "--out {} is a file, not a folder",
                dir.display()
            )));
        }
        let mut written = Vec::new();
        for (name, bytes) in self.files {
            let path = dir.join(&name);
            let parent = path.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::Run(format!("cannot create folder {}: {e}", parent.display()))
            })?;
            let mut builder = tempfile::Builder::new();
            builder.prefix(".funnelsim-").suffix(".tmp");
            // A temporary file is private (0600); the output is not: 0666 less the umask.
            #[cfg(unix)]
            builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
            let mut tmp = builder
                .tempfile_in(parent)
                .map_err(|e| Error::Run(format!("cannot write in {}: {e}", parent.display())))?;
            tmp.write_all(&bytes)
                .map_err(|e| Error::Run(format!("cannot write {}: {e}", path.display())))?;
            tmp.persist(&path)
                .map_err(|e| Error::Run(format!("cannot write {}: {e}", path.display())))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// A CSV document: a header, then rows; fields are quoted where needed.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let line = |fields: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let quoted: Vec<String> = fields
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.to_string()
                }
            })
            .collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out.into_bytes()
}

/// A number for a CSV cell: full precision, empty when undefined.
pub fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// `summary.csv`.
pub fn summary_csv(r: &Results) -> Vec<u8> {
    sheet::summary(r).csv()
}

/// `uplift.csv`.
pub fn uplift_csv(r: &Results) -> Vec<u8> {
    sheet::uplift(r).csv()
}

/// `monthly.csv` (`monthly`) and `by_source.csv`.
pub fn breakdown_csv(r: &Results, group: &'static str, monthly: bool) -> Vec<u8> {
    sheet::breakdown(r, group, monthly).csv()
}

/// `runs.csv`.
pub fn runs_csv(all: &[SetupRuns], seed: u64) -> Vec<u8> {
    sheet::Runs::new(all, seed).csv()
}

/// `summary.json`: everything above in one document.
pub fn summary_json(r: &Results) -> Vec<u8> {
    json_bytes(r)
}

/// Any result as a pretty JSON document with a final newline.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("results serialize");
    bytes.push(b'\n');
    bytes
}

/// `sensitivity.csv`.
pub fn sensitivity_csv(s: &crate::analysis::sensitivity::Sensitivity) -> Vec<u8> {
    sheet::sensitivity(s).csv()
}

/// `sweep.csv`.
pub fn sweep_csv(s: &crate::analysis::sweep::Sweep) -> Vec<u8> {
    sheet::sweep(s).csv()
}

/// `target.csv`.
pub fn target_csv(t: &crate::analysis::sweep::Target) -> Vec<u8> {
    sheet::target(t).csv()
}

/// The files `run` and `compare` write: a later run replaces all of them.
pub fn is_run_output(relative: &Path) -> bool {
    let in_charts = relative.parent() == Some(Path::new("charts"))
        && relative.extension().is_some_and(|e| e == "png");
    in_charts || relative.to_str().is_some_and(|n| RUN_OUTPUTS.contains(&n))
}

/// `report.md`, written beside the files of [`run_files`].
pub const REPORT_MD: &str = "report.md";

/// Every file a `run` or `compare` may write, but the charts (`charts/*.png`).
const RUN_OUTPUTS: [&str; 8] = [
    "summary.csv",
    "uplift.csv",
    "monthly.csv",
    "by_source.csv",
    "summary.json",
    "runs.csv",
    REPORT_MD,
    crate::report::xlsx::REPORT_XLSX,
];

/// Every data file of a run, rendered in memory (report.md and the charts are added by the caller).
pub fn run_files(results: &Results, all: &[SetupRuns], seed: u64, samples: bool) -> OutputSet {
    let [summary, uplift, monthly, by_source, json, runs, _, _] = RUN_OUTPUTS;
    let mut files = OutputSet::default();
    files.add(summary, summary_csv(results));
    files.add(monthly, breakdown_csv(results, "month", true));
    files.add(by_source, breakdown_csv(results, "source", false));
    if !results.uplift.is_empty() {
        files.add(uplift, uplift_csv(results));
    }
    files.add(json, summary_json(results));
    if samples {
        files.add(runs, runs_csv(all, seed));
    }
    files
}
