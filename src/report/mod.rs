//! Reports: how numbers read, terminal tables, the KPI table and its
//! renderers (terminal text, report.md), the explain sheet, and the output
//! files written atomically.

pub mod explain;
pub mod files;
pub(crate) mod format;
pub mod kpis;
pub mod markdown;
pub mod sheet;
pub mod table;
pub mod text;
pub mod xlsx;
