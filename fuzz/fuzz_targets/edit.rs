//! The `transition` editor (`edit::set_field`, `edit::append_history`): edits stay on their lines and read back.
#![no_main]

#[path = "../../tests/cli/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::fuzz_edit(data));
