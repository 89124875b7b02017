//! The `funnelsim` binary: parses arguments and prints; all logic is in the library.

fn main() {
    std::process::exit(funnelsim::cli::main());
}
