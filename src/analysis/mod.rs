//! What the runs say: summaries of each setup and the paired uplift against
//! the first, parameter sweeps and goal seeking.

pub mod summary;
pub mod sweep;
