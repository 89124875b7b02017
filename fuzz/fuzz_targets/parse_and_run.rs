//! Fuzz target: arbitrary bytes as a scenario file's text, through parse,
//! validation and (when small) a 2-run simulation of every setup. See
//! fuzz/harness.rs for the caps and the invariants checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    let _ = harness::parse_and_run(data);
});
