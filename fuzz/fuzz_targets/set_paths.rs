//! Fuzz target: each line of the input is a `--set PATH=VALUE` assignment,
//! applied with `funnelsim::scenario::paths::apply_assignment` to a fixed valid scenario
//! (fuzz/set_paths_base.toml), then validated and (when small) run.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
#[allow(dead_code)]
mod harness;

fuzz_target!(|data: &[u8]| {
    let _ = harness::set_paths(data);
});
