//! funnelsim: a Monte Carlo "what-if" simulator for B2B sales and marketing funnels.
//!
//! Data flows one way: scenario file ([`doc`], [`scenario`], [`paths`]) ->
//! resolved parameters ([`params`]) -> runs ([`model`], [`engine`]) ->
//! per-run metrics ([`measure`]) -> summaries ([`stats`]) -> reports.

pub mod calendar;
pub mod dist;
pub mod doc;
pub mod engine;
pub mod error;
pub mod measure;
pub mod metric;
pub mod model;
pub mod params;
pub mod paths;
pub mod queue;
pub mod random;
pub mod scenario;
pub mod stats;
pub mod format;
pub mod output;
pub mod summary;
pub mod table;
pub mod report;
pub mod cli;
pub mod explain;
pub mod templates;
pub mod charts;
pub mod report_md;
pub mod sweep;
