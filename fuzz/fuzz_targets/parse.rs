//! The front-matter parser (`doc::parse`) on any text: no panic, no hang.
#![no_main]

#[path = "../../tests/cli/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::fuzz_parse(data));
