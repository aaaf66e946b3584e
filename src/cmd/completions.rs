//! `insiden completions <shell>`: a completion script generated from the command line's types.

use super::{Result, OK};
use crate::cli::CompletionsArgs;
use std::io::Write;

pub(super) fn run(args: &CompletionsArgs) -> Result<u8> {
    let _ = std::io::stdout().lock().write_all(&crate::cli::completions(args.shell));
    Ok(OK)
}
