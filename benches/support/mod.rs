//! What every benchmark shares: where to put its files, and how to summarise timings.
// Each benchmark is its own crate and uses only some of these.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::time::Duration;

/// tmpfs when the machine has it, so disk speed does not blur the result.
pub fn scratch_base() -> PathBuf {
    if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    }
}

/// The median of several timings.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Milliseconds as a decimal.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
