//! The commented starting scenarios `init` writes: the bundled examples themselves.

/// The bundled starting scenarios.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Template {
    /// Today's funnel: no MA, field sales follow up from a weekly spreadsheet.
    Baseline,
    /// MA scoring and nurture with an inside-sales team under an SLA, against the baseline.
    MaInsideSales,
}

/// The text of a template.
pub fn text(template: Template) -> &'static str {
    match template {
        Template::Baseline => include_str!("../../scenarios/baseline.toml"),
        Template::MaInsideSales => include_str!("../../scenarios/ma_inside_sales.toml"),
    }
}
