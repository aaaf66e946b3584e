//! `insiden config`: prints the effective configuration.

use super::{print, Ctx, Result, OK};

pub(super) fn run(ctx: &Ctx) -> Result<u8> {
    let cfg = ctx.config()?;
    let source = if cfg.from_file {
        "insiden.yaml over the built-in default"
    } else {
        "the built-in default (no insiden.yaml)"
    };
    print(&format!("# effective configuration: {source}\n{}", cfg.to_yaml()));
    Ok(OK)
}
