//! What the runs say: summaries of each setup and the paired uplift against
//! the first, parameter sweeps and goal seeking, and which inputs drive a metric.

pub mod sensitivity;
pub mod summary;
pub mod sweep;
