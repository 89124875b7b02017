//! report.md (to be written).
