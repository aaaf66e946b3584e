//! `insiden man`: the manual page (roff) generated from the command line's types.

use super::{Failure, Result, OK};
use std::io::Write;

pub(super) fn run() -> Result<u8> {
    let page = crate::cli::man()
        .map_err(|e| Failure::usage(format!("cannot render the manual page: {e}"), "report this as a bug"))?;
    let _ = std::io::stdout().lock().write_all(&page);
    Ok(OK)
}
