//! `insiden build`: validates every incident (stopping with `validate`'s diagnostics on an
//! error), loads the templates (built-ins plus `site-templates/` overrides), renders the site
//! for one audience and language straight into a staging folder, and swaps that folder in for
//! the output atomically once every page is written. With
//! `--rev`, everything is read from that revision's git objects, never from the working tree.
//!
//! It refuses to replace a folder that is not a site it built (no marker file), so a wrong
//! `--out` can never delete the repository.

use super::{emit, now, Ctx, Failure, Result, FINDINGS, OK};
use crate::audience::Audience;
use crate::cli::{AudienceArg, BuildArgs, FormatArg, LangArg};
use crate::diag::{Code, Diagnostic};
use crate::site::templates::TemplateError;
use crate::workflow::Lang;
use std::path::Path;

/// The file that marks a folder as a site `insiden build` wrote.
pub(super) const MARKER: &str = ".insiden-site";

pub(super) fn audience(a: AudienceArg) -> Audience {
    match a {
        AudienceArg::Public => Audience::Public,
        AudienceArg::Internal => Audience::Internal,
    }
}

pub(super) fn lang(a: Option<LangArg>, default: Lang) -> Lang {
    match a {
        Some(LangArg::Id) => Lang::Id,
        Some(LangArg::En) => Lang::En,
        None => default,
    }
}

/// A template problem as a located diagnostic (exit 2).
pub(super) fn template_failure(e: TemplateError) -> Failure {
    let mut d = Diagnostic::error(Code::Config, e.path.clone(), format!("template: {}", e.message))
        .help("fix the template at this line; run `insiden explain template`");
    if let Some(line) = e.line {
        d = match &e.source {
            Some(text) if !text.is_empty() => d.at(text, line, 1),
            _ => d.at_line(line, 1),
        };
    }
    Failure::Diags(vec![d])
}

fn io_failure(path: &Path, e: &std::io::Error) -> Failure {
    Failure::Diags(vec![Diagnostic::error(
        Code::Io,
        path.display().to_string(),
        format!("cannot write the site: {e}"),
    )
    .help("check the folder's permissions and free space; the previous site is untouched")])
}

/// Where the site goes: `out` itself, or, when `out` is a link, the folder it names. A web
/// root reached through a link is then the one updated; swapping a new folder in for the
/// link would leave the served site as it was, without a word.
fn site_folder(out: std::path::PathBuf) -> Result<std::path::PathBuf> {
    let is_link = std::fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(out);
    }
    std::fs::canonicalize(&out).map_err(|e| {
        Failure::usage(
            format!("`{}` is a link to a folder that cannot be reached: {e}", out.display()),
            "create the folder the link names, or give the folder itself as --out",
        )
    })
}

/// Refuses outputs that would replace the repository or a folder that is not a built site.
fn check_out(root: &Path, out: &Path) -> Result<()> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_c, out_c) = (canon(root), canon(out));
    let help = "choose an empty or new folder, e.g. --out public";
    if root_c.starts_with(&out_c) {
        return Err(Failure::usage(
            format!("refusing to replace `{}`: it contains the repository", out.display()),
            help,
        ));
    }
    if out.is_file() {
        return Err(Failure::usage(format!("`{}` is a file", out.display()), help));
    }
    let non_empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if non_empty && !out.join(MARKER).is_file() {
        return Err(Failure::usage(
            format!(
                "refusing to replace `{}`: it is not empty and was not written by `insiden build`",
                out.display()
            ),
            help,
        ));
    }
    Ok(())
}

pub(super) fn run(ctx: &Ctx, args: BuildArgs) -> Result<u8> {
    let source = ctx.source(args.rev.as_deref())?;
    let cfg = source.config()?;
    let now_t = now(args.now.as_deref(), &cfg)?;
    let given = ctx.root.join(&args.out);
    super::output::refuse_tracked(ctx, "--out", &args.out, &given, true)?;
    let out = site_folder(given.clone())?;
    check_out(&ctx.root, &out)?;
    if out != given {
        super::output::refuse_tracked(ctx, "--out", &out, &out, true)?;
    }
    let tpl = source.templates()?;
    // Bodies are read again when their pages are rendered, not held meanwhile.
    let (v, bodies) = source.load_stashed(&cfg, now_t);
    if v.has_errors() {
        emit(&v.diagnostics, FormatArg::Human);
        return Ok(FINDINGS);
    }
    let incidents = v.into_incidents();
    let b = crate::site::Build {
        cfg: &cfg,
        incidents: incidents.iter().map(|i| &**i).collect(),
        bodies: Some(&bodies),
        audience: audience(args.audience),
        lang: lang(args.lang, cfg.language),
        now: now_t,
        show_now: args.now.is_some(),
    };
    // Pages go straight into the staging folder as they are rendered; the folder replaces
    // `out` in one step only once every page is written.
    let staging = crate::store::Staging::begin(&out).map_err(|e| io_failure(&out, &e))?;
    let written = match crate::site::render(&b, &tpl, &StagingSink(&staging)) {
        Ok(n) => n,
        Err(crate::site::Error::Template(e)) => return Err(template_failure(e)),
        Err(crate::site::Error::Write(e)) => return Err(io_failure(&out, &e)),
        Err(crate::site::Error::Read(d)) => return Err(Failure::Diags(vec![d])),
    };
    staging
        .write(MARKER, b"insiden build\n")
        .map_err(|e| io_failure(&out, &e))?;
    let (audience, lang) = (b.audience, b.lang);
    drop(b);
    // The loaded incidents are freed while the new site is flushed, swapped in and the
    // previous one removed.
    let (committed, ()) = rayon::join(|| staging.commit(), move || drop(incidents));
    committed.map_err(|e| io_failure(&out, &e))?;
    // A link's folder is named too: the site is where the link points.
    let into = if out == given {
        args.out.display().to_string()
    } else {
        format!("{} ({})", args.out.display(), out.display())
    };
    let _ = writeln_err(&format!(
        "built {} files into {into} ({}, {})",
        written + 1,
        audience.as_str(),
        lang.code()
    ));
    Ok(OK)
}

/// The site's pages, written into the staging folder.
struct StagingSink<'a>(&'a crate::store::Staging);

impl crate::site::Sink for StagingSink<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write(path, bytes)
    }

    fn put_with(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.0.write_with(path, write)
    }
}

fn writeln_err(s: &str) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(std::io::stderr().lock(), "{}", crate::diag::sanitize_terminal(s))
}
