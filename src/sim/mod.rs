//! One run, day by day (docs/model.md "One run, day by day"): the resolved
//! parameters of a run, its random streams and samplers, the score laws of
//! its MQLs, the follow-up queue, field sales, and the model that steps them.

pub mod calendar;
pub(crate) mod fresh;
pub(crate) mod mix;
pub mod model;
pub mod params;
pub(crate) mod queue;
pub mod random;
pub(crate) mod sales;
