//! PNG charts (to be written).
