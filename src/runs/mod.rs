//! Many runs: the Monte Carlo engine over every setup on the same run
//! indices, the metrics of each run, and statistics across runs.

pub mod engine;
pub(crate) mod interrupt;
pub mod measure;
pub mod stats;
