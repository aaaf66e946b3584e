//! `insiden validate`: every incident in the working tree, and the repository-wide rules.

use super::{emit, load, now, Ctx, Result, FINDINGS, OK};
use crate::cli::{DenyArg, ValidateArgs};

pub(super) fn run(ctx: &Ctx, args: ValidateArgs) -> Result<u8> {
    let cfg = ctx.config()?;
    let now = now(args.now.as_deref(), &cfg)?;
    let v = load(ctx, &cfg, now);
    emit(&v.diagnostics, args.format);
    let deny_warnings = args.deny == Some(DenyArg::Warnings);
    let failed = v.has_errors() || (deny_warnings && !v.diagnostics.is_empty());
    if args.format == crate::cli::FormatArg::Human && v.diagnostics.is_empty() {
        eprintln!("{} incident(s) valid", v.files.len());
    }
    Ok(if failed { FINDINGS } else { OK })
}
