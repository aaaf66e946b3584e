//! `insiden build`: validates every incident (stopping with `validate`'s diagnostics on an
//! error), loads the templates (built-ins plus `site-templates/` overrides), renders the site
//! for one audience and language straight into a staging folder, and swaps that folder in for
//! the output atomically once every page is written. With `--internal-out`, the internal
//! edition is rendered beside the public one from the same reading, into its own folder, and
//! both are swapped in only once both are written. With
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
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
fn site_folder(out: PathBuf) -> Result<PathBuf> {
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

/// One edition a call builds: for whom, the folder as given and the folder written (the one
/// a link given as `--out` names, and `..` resolved).
struct Edition {
    audience: Audience,
    given: PathBuf,
    out: PathBuf,
    /// Whether the folder given is a link (the done line then names the folder too).
    linked: bool,
}

impl Edition {
    /// Judges `arg` (the value of `flag`) as a place for a site before anything is read.
    fn at(ctx: &Ctx, audience: Audience, flag: &str, arg: PathBuf) -> Result<Edition> {
        let given = ctx.root.join(&arg);
        super::output::refuse_tracked(ctx, flag, &arg, &given, true)?;
        let folder = site_folder(given.clone())?;
        let linked = folder != given;
        if linked {
            super::output::refuse_tracked(ctx, flag, &folder, &folder, true)?;
        }
        // The place as it will be once written: a `..` after a folder not made yet goes back
        // up from it when the staging folder's parents are made, so `nope/../..` is judged
        // (and written) as the folder it reaches, not as words.
        let out = crate::store::resolved(&folder).unwrap_or(folder);
        check_out(&ctx.root, &out)?;
        Ok(Edition {
            audience,
            given: arg,
            out,
            linked,
        })
    }

    /// How the done line names the folder: a link's folder too, since the site is there.
    fn named(&self) -> String {
        if self.linked {
            format!("{} ({})", self.given.display(), self.out.display())
        } else {
            self.given.display().to_string()
        }
    }
}

/// The editions of one call go to folders apart: the internal edition inside the public
/// site would be served with it, and either site replacing the other would undo it.
fn apart(public: &Edition, internal: &Edition) -> Result<()> {
    let (p, i) = (&public.out, &internal.out);
    if holds(p, i) || holds(i, p) {
        return Err(Failure::usage(
            format!(
                "--out {} and --internal-out {} are the same folder or one holds the other",
                public.given.display(),
                internal.given.display()
            ),
            "give the two editions folders side by side, e.g. --out public --internal-out internal",
        ));
    }
    Ok(())
}

/// Whether folder `outer` is `inner` or holds it, a name at a time and in any case: on the
/// file systems of macOS and Windows `site` and `SITE` are one folder.
fn holds(outer: &Path, inner: &Path) -> bool {
    let name = |c: std::path::Component<'_>| c.as_os_str().to_string_lossy().to_lowercase();
    let (o, i): (Vec<_>, Vec<_>) = (
        outer.components().map(name).collect(),
        inner.components().map(name).collect(),
    );
    o.len() <= i.len() && o.iter().zip(&i).all(|(a, b)| a == b)
}

pub(super) fn run(ctx: &Ctx, args: BuildArgs) -> Result<u8> {
    let first = audience(args.audience);
    if args.internal_out.is_some() && first == Audience::Internal {
        return Err(Failure::usage(
            "--internal-out builds the internal edition beside the public one given as --out",
            "leave out --audience internal, or --internal-out",
        ));
    }
    let source = ctx.source(args.rev.as_deref())?;
    let cfg = source.config()?;
    let now_t = now(args.now.as_deref(), &cfg)?;
    let mut editions = vec![Edition::at(ctx, first, "--out", args.out)?];
    if let Some(dir) = args.internal_out {
        let internal = Edition::at(ctx, Audience::Internal, "--internal-out", dir)?;
        apart(&editions[0], &internal)?;
        editions.push(internal);
    }
    let tpl = source.templates()?;
    // Bodies are read again when their pages are rendered, not held meanwhile.
    let (v, bodies) = source.load_stashed(&cfg, now_t);
    if v.has_errors() {
        emit(&v.diagnostics, FormatArg::Human);
        return Ok(FINDINGS);
    }
    let incidents = v.into_incidents();
    let lang = lang(args.lang, cfg.language);
    let stagings = editions
        .iter()
        .map(|e| crate::store::Staging::begin(&e.out).map_err(|e2| io_failure(&e.out, &e2)))
        .collect::<Result<Vec<_>>>()?;
    // Pages go straight into each staging folder as they are rendered; a folder replaces its
    // output in one step only once every page of every edition is written. Two editions are
    // rendered side by side from the one reading.
    let written: Vec<Result<usize>> = editions
        .par_iter()
        .zip(&stagings)
        .map(|(e, staging)| {
            let b = crate::site::Build {
                cfg: &cfg,
                incidents: incidents.iter().map(|i| &**i).collect(),
                bodies: Some(&bodies),
                audience: e.audience,
                lang,
                now: now_t,
                show_now: args.now.is_some(),
            };
            let n = match crate::site::render(&b, &tpl, &StagingSink(staging)) {
                Ok(n) => n,
                Err(crate::site::Error::Template(t)) => return Err(template_failure(t)),
                Err(crate::site::Error::Write(w)) => return Err(io_failure(&e.out, &w)),
                Err(crate::site::Error::Read(d)) => return Err(Failure::Diags(vec![d])),
            };
            staging
                .write(MARKER, b"insiden build\n")
                .map_err(|w| io_failure(&e.out, &w))?;
            Ok(n + 1)
        })
        .collect();
    // The first edition's failure is told (the public one's, when both fail alike).
    let written = written.into_iter().collect::<Result<Vec<usize>>>()?;
    // The loaded incidents are freed while the new sites are flushed and swapped in. The
    // previous sites are removed only once every edition is in place: when one cannot be
    // swapped in, those already swapped are put back.
    let (swapped, ()) = rayon::join(
        || {
            let mut swapped: Vec<crate::store::Swapped> = Vec::with_capacity(stagings.len());
            for (e, staging) in editions.iter().zip(stagings) {
                match staging.swap() {
                    Ok(s) => swapped.push(s),
                    Err(w) => {
                        for s in swapped.into_iter().rev() {
                            let _ = s.undo();
                        }
                        return Err(io_failure(&e.out, &w));
                    }
                }
            }
            Ok(swapped)
        },
        move || drop(incidents),
    );
    swapped?.into_iter().for_each(crate::store::Swapped::finish);
    for (e, n) in editions.iter().zip(written) {
        let _ = writeln_err(&format!(
            "built {n} files into {} ({}, {})",
            e.named(),
            e.audience.as_str(),
            lang.code()
        ));
    }
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
