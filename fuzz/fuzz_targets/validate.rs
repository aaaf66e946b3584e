//! Validation of one file (`rules::validate_file`) with a fixed configuration and clock: no panic, findings inside the file.
#![no_main]

#[path = "../../tests/cli/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::fuzz_validate(data));
