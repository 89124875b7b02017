//! Commands that simulate nothing: `validate`, `explain`, `completions`, `init`.

use std::path::Path;

use super::Cli;
use crate::error::{Error, InputError};
use crate::report::explain;
use crate::report::files::OutputSet;
use crate::scenario::correlation::Copula;
use crate::scenario::templates::{self, Template};
use crate::scenario::{self, Loaded};

/// `validate`: the file checked, every resolved parameter printed.
pub(super) fn validate(path: &Path, set: &[String]) -> Result<String, Error> {
    let loaded = scenario::load(path, set)?;
    super::warn_zero_costs(&loaded.setups);
    Ok(validate_text(path, &loaded))
}

/// `explain`: the expected funnel, no noise.
pub(super) fn explain(path: &Path, set: &[String]) -> Result<String, Error> {
    let loaded = scenario::load(path, set)?;
    Ok(explain::text(&loaded.label, &loaded.setups))
}

/// `completions SHELL`: the completion script of every command and option.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<String, Error> {
    let mut script = Vec::new();
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "funnelsim", &mut script);
    String::from_utf8(script).map_err(|e| Error::Run(format!("completion script: {e}")))
}

/// `init [FILE]`: a commented starting scenario, printed or written (never over a file).
pub(super) fn init(template: Template, file: Option<&Path>) -> Result<String, Error> {
    let text = templates::text(template);
    let Some(path) = file else {
        return Ok(text.to_string());
    };
    if path.exists() {
        return Err(
            InputError::new(format!("{} already exists", path.display()))
                .hint("choose another file name, or remove the file first")
                .into(),
        );
    }
    // The template's "Run it:" lines name the file it is written to.
    let shown = path.display().to_string();
    let text = ["scenarios/ma_inside_sales.toml", "scenarios/baseline.toml"]
        .iter()
        .fold(text.to_string(), |t, bundled| {
            t.replace(&format!("run {bundled}"), &format!("run {shown}"))
                .replace(&format!("explain {bundled}"), &format!("explain {shown}"))
        });
    let mut set = OutputSet::default();
    let name = path
        .file_name()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| InputError::new("FILE must name a file"))?;
    set.add(name, text.as_bytes().to_vec());
    set.commit(
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )?;
    Ok(format!("wrote {}\n", path.display()))
}

fn validate_text(path: &Path, loaded: &Loaded) -> String {
    let mut out = format!(
        "{} is valid: {} setup(s)\n",
        path.display(),
        loaded.setups.len()
    );
    for setup in &loaded.setups {
        out.push_str(&format!("\n[{}]\n", setup.name));
        let defaulted = &setup.assumptions.defaults;
        for (k, v) in setup.scenario.resolved_parameters() {
            let mark = if defaulted.iter().any(|(p, _)| *p == k) {
                "   (default)"
            } else {
                ""
            };
            out.push_str(&format!("  {k} = {v}{mark}\n"));
        }
        out.push_str(&copula_text(&setup.scenario.correlations));
    }
    out
}

/// The rank correlation matrix of a setup's correlated inputs (empty when none).
fn copula_text(c: &Copula) -> String {
    let left_out: String = c
        .left_out
        .iter()
        .map(|why| format!("  left out of this setup: {why}\n"))
        .collect();
    if c.is_empty() {
        return left_out;
    }
    let n = c.inputs.len();
    let width = c
        .inputs
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from(
        "\n  Spearman rank correlations between inputs (a Gaussian copula; pairs not named are 0):\n",
    );
    out.push_str(&format!("  {:>w$}", "", w = width + 4));
    for j in 0..n {
        out.push_str(&format!(" {:>6}", format!("[{}]", j + 1)));
    }
    out.push('\n');
    for (i, path) in c.inputs.iter().enumerate() {
        out.push_str(&format!("  {:>3} {path:<width$}", format!("[{}]", i + 1)));
        for j in 0..n {
            out.push_str(&format!(" {:>6}", format!("{:.2}", c.rank(i, j))));
        }
        out.push('\n');
    }
    out + &left_out
}
