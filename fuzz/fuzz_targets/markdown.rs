//! Markdown rendering (`markdown::to_html`): no script, event handler or script-scheme URL survives.
#![no_main]

#[path = "../../tests/cli/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::fuzz_markdown(data));
