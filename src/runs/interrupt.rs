//! Ctrl-C and SIGTERM: remembered, so a run stops between Monte Carlo runs and
//! exits without writing anything half-done (exit codes 130 and 143).

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

struct Flags {
    interrupt: Arc<AtomicBool>,
    terminate: Arc<AtomicBool>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();

/// Starts listening for SIGINT and SIGTERM (once; later calls do nothing).
pub fn install() {
    FLAGS.get_or_init(|| {
        let flags = Flags {
            interrupt: Arc::new(AtomicBool::new(false)),
            terminate: Arc::new(AtomicBool::new(false)),
        };
        // If a handler cannot be installed, signals keep their default action: the
        // process ends, and the temporary-then-rename writes still leave no partial file.
        let _ =
            signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flags.interrupt));
        let _ =
            signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&flags.terminate));
        flags
    });
}

/// The exit code to stop with, if a signal arrived: 130 for Ctrl-C, 143 for SIGTERM.
pub fn requested() -> Option<i32> {
    let flags = FLAGS.get()?;
    if flags.interrupt.load(Ordering::Relaxed) {
        Some(130)
    } else if flags.terminate.load(Ordering::Relaxed) {
        Some(143)
    } else {
        None
    }
}
