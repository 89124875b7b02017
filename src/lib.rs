#![warn(missing_docs)]
//! funnelsim: a Monte Carlo "what-if" simulator for B2B sales and marketing funnels.
//!
//! Data flows one way, and the folders follow it; each uses only those
//! above it in this list:
//!
//! - [`scenario`]: the scenario file in: the TOML document with source
//!   positions, parameter paths, uncertain numbers, metric names, checking.
//! - [`sim`]: one run, day by day: the resolved parameters of a run, its
//!   random streams, the follow-up queue, field sales.
//! - [`runs`]: many runs: the Monte Carlo engine over every setup, each run's
//!   metrics, statistics across runs.
//! - [`analysis`]: summaries and paired uplifts, sweeps and goal seeking.
//! - [`report`]: the typed report and its renderers: terminal text,
//!   markdown, CSV and JSON files.
//! - [`charts`]: the PNG charts.
//! - [`cli`]: the command line, which wires the stages together.
//!
//! [`error`] is shared by every stage: bad input (exit code 2) or a failure.

pub mod analysis;
pub mod charts;
pub mod cli;
pub mod error;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod sim;
