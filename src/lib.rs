//! funnelsim: a Monte Carlo "what-if" simulator for B2B sales and marketing funnels.
//!
//! Data flows one way: scenario file ([`doc`], [`scenario`], [`paths`]) ->
//! resolved parameters ([`params`]) -> runs ([`model`], [`engine`]) ->
//! per-run metrics ([`measure`]) -> summaries ([`stats`]) -> reports.

// Scenario in: parsing, checking, parameter paths.
pub mod dist;
pub mod doc;
pub mod error;
pub mod metric;
pub mod paths;
pub mod scenario;
// Resolved parameters and the day-by-day model.
pub mod calendar;
pub mod mix;
pub mod model;
pub mod params;
pub mod queue;
pub mod random;
pub mod sales;
// Monte Carlo runs and their metrics.
pub mod engine;
pub mod interrupt;
pub mod measure;
pub mod stats;
// Summaries, comparisons, sweeps and goal seeking.
pub mod summary;
pub mod sweep;
// Reports, files and charts.
pub mod charts;
pub mod explain;
pub mod format;
pub mod output;
pub mod report;
pub mod report_md;
pub mod table;
pub mod templates;
// The command line.
pub mod cli;
