//! The integration tests, one crate (one build) with a module per concern.
//! `cargo test --test suite MODULE::` runs one of them, e.g.
//! `cargo test --release --test suite reference_model::`.

mod common;

mod assumptions;
mod bad_input;
mod charts;
mod cli_runs;
mod closed_forms;
mod commands;
mod compare;
mod correlation;
mod expected_funnel;
mod money;
mod properties;
mod reference_model;
mod sensitivity;
mod sweep;
mod workbook;
