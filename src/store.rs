//! Working-tree access: finding incident files (walkdir), reading them as text, and writing
//! atomically (a temp file in the same directory, then a rename; a site is built in a sibling
//! temp directory, then swapped in).
//!
//! It knows no YAML, git or HTML: it moves bytes and reports I/O problems as diagnostics that
//! name the file. It follows no link and reads no special file under `incidents/` or
//! `site-templates/`: those are `forbidden-path` findings, worded as `git.rs` words the same
//! entries in a git tree. Sizes are checked before a file is read.

use crate::diag::{Code, Diagnostic};
use crate::doc::MAX_FILE_BYTES;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder incidents live in, relative to the repository root.
pub const INCIDENTS_DIR: &str = "incidents";

/// One incident file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub text: String,
}

/// The result of scanning the working tree.
#[derive(Debug, Default)]
pub struct Scan {
    pub files: Vec<SourceFile>,
    /// Every file (not only incidents) under `incidents/`, for attachment checks.
    pub present: std::collections::HashSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A repository-relative display path for `p` under `root`.
pub fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Why a path under `incidents/` or `site-templates/` (or `insiden.yaml`) is refused. The same
/// words are used whether the path was found in the working tree or in a git tree, so both
/// sources report the same finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// A symbolic link (git mode 120000).
    Symlink,
    /// A submodule (a gitlink, git mode 160000).
    Submodule,
    /// A FIFO, socket or device.
    Special,
    /// A name that is not valid UTF-8.
    NotUtf8,
    /// A `.gitattributes` file, which would change how files are checked out.
    Attributes,
    /// `incidents` or `site-templates` is not a folder.
    NotAFolder,
    /// `insiden.yaml` is not a regular file.
    NotAFile,
}

/// A `forbidden-path` finding for `path`.
pub fn forbidden(path: impl Into<String>, why: Forbidden) -> Diagnostic {
    let (message, help) = match why {
        Forbidden::Symlink => (
            "a symbolic link; links are never followed, here or in git",
            "commit the file itself in place of the link",
        ),
        Forbidden::Submodule => (
            "a submodule; its content is not part of this repository",
            "remove the submodule and commit the files themselves",
        ),
        Forbidden::Special => (
            "not a regular file (a FIFO, socket or device)",
            "remove it; only regular files are read",
        ),
        Forbidden::NotUtf8 => ("the path is not valid UTF-8", "rename it with a UTF-8 name"),
        Forbidden::Attributes => (
            "a .gitattributes file here would change how files are checked out",
            "remove it: incident and template files are published exactly as committed",
        ),
        Forbidden::NotAFolder => (
            "not a folder",
            "incidents/ and site-templates/ are folders of regular files",
        ),
        Forbidden::NotAFile => (
            "not a regular file",
            "insiden.yaml is a regular file at the repository root",
        ),
    };
    Diagnostic::error(Code::ForbiddenPath, path, message).help(help)
}

/// `file-too-large` for a file of `size` bytes, known before reading it.
pub fn too_large(rel: impl Into<String>, size: u64, limit: usize) -> Diagnostic {
    let help = if limit == MAX_FILE_BYTES {
        "keep evidence out of the incident file; attach it or store it elsewhere"
    } else {
        "make the file smaller"
    };
    Diagnostic::error(
        Code::FileTooLarge,
        rel,
        format!("the file is {size} bytes; the limit is {} MiB", limit >> 20),
    )
    .help(help)
}

fn io_error(rel: &str, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::Io, rel, format!("cannot read: {e}")).help("check that the file exists and is readable")
}

/// A regular file found by [`walk`], not yet read.
#[derive(Debug)]
pub struct Found {
    abs: PathBuf,
    rel: String,
}

/// Walks `root/dir` without following any link, the folder itself included. Returns its
/// regular files, and a `forbidden-path` finding for each symlink, special file,
/// `.gitattributes` and non-UTF-8 name (whose folder is not entered). A missing folder is empty.
/// File types come from the directory listing, so no file is opened or stat'ed here.
fn walk(root: &Path, dir: &str) -> (Vec<Found>, Vec<Diagnostic>) {
    let top = root.join(dir);
    let mut found = Vec::new();
    let mut diags = Vec::new();
    match std::fs::symlink_metadata(&top) {
        Ok(m) if m.is_dir() => {}
        Ok(m) => {
            let why = if m.file_type().is_symlink() {
                Forbidden::Symlink
            } else {
                Forbidden::NotAFolder
            };
            return (found, vec![forbidden(dir, why)]);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (found, diags),
        Err(e) => return (found, vec![io_error(dir, &e)]),
    }
    let mut entries = walkdir::WalkDir::new(&top)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = entries.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let p = err.path().map_or_else(|| dir.to_owned(), |p| rel(root, p));
                diags.push(io_error(&p, &err).help("check the file permissions"));
                continue;
            }
        };
        if e.depth() == 0 {
            continue;
        }
        let ft = e.file_type();
        let rel = rel(root, e.path());
        let Some(name) = e.file_name().to_str() else {
            diags.push(forbidden(rel, Forbidden::NotUtf8));
            if ft.is_dir() {
                entries.skip_current_dir();
            }
            continue;
        };
        if ft.is_dir() {
            continue;
        }
        let why = if ft.is_symlink() {
            Forbidden::Symlink
        } else if !ft.is_file() {
            Forbidden::Special
        } else if name.eq_ignore_ascii_case(".gitattributes") {
            Forbidden::Attributes
        } else {
            found.push(Found {
                abs: e.path().to_owned(),
                rel,
            });
            continue;
        };
        diags.push(forbidden(rel, why));
    }
    (found, diags)
}

/// Every `incidents/**/*.md` of the working tree, found but not yet read.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<Found>,
    /// Every file path under `incidents/` (for attachments).
    pub present: std::collections::HashSet<String>,
    /// Symlinks, special files, non-UTF-8 names and unreadable folders.
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds every `incidents/**/*.md` (README.md aside), following no link.
pub fn list(root: &Path) -> Listing {
    let (found, diagnostics) = walk(root, INCIDENTS_DIR);
    let mut out = Listing {
        diagnostics,
        ..Listing::default()
    };
    for f in found {
        let name = f.rel.rsplit('/').next().unwrap_or("");
        out.present.insert(f.rel.clone());
        if f.rel.ends_with(".md") && !name.eq_ignore_ascii_case("README.md") {
            out.files.push(f);
        }
    }
    out
}

impl Found {
    /// Reads the file: its size is checked before its content; unreadable, non-UTF-8 and too
    /// large files become diagnostics.
    pub fn read(self) -> Result<SourceFile, Diagnostic> {
        read_limited(&self.abs, &self.rel, MAX_FILE_BYTES).and_then(|b| decode(b, self.rel))
    }
}

/// Finds and reads every `incidents/**/*.md` in parallel, following no link (see [`list`]
/// and [`Found::read`]).
pub fn scan(root: &Path) -> Scan {
    use rayon::prelude::*;
    let listing = list(root);
    let mut out = Scan {
        diagnostics: listing.diagnostics,
        present: listing.present,
        ..Scan::default()
    };
    let read: Vec<Result<SourceFile, Diagnostic>> = listing.files.into_par_iter().map(Found::read).collect();
    for r in read {
        match r {
            Ok(f) => out.files.push(f),
            Err(d) => out.diagnostics.push(d),
        }
    }
    out
}

/// Every regular file under `root/dir` as (path relative to `dir`, bytes), following no link;
/// symlinks, special files, `.gitattributes`, non-UTF-8 names and files over `limit` bytes are
/// diagnostics instead.
pub fn read_folder(root: &Path, dir: &str, limit: usize) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    let (found, mut diags) = walk(root, dir);
    let mut files = Vec::new();
    let prefix = format!("{dir}/");
    for f in found {
        match read_limited(&f.abs, &f.rel, limit) {
            Ok(bytes) => files.push((f.rel.strip_prefix(&prefix).unwrap_or(&f.rel).to_owned(), bytes)),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// The regular file `root/rel` (at most `limit` bytes), `None` when there is none. A link or
/// anything else that is not a regular file is a `forbidden-path` error.
pub fn read_file(root: &Path, rel: &str, limit: usize) -> Result<Option<Vec<u8>>, Diagnostic> {
    let abs = root.join(rel);
    match std::fs::symlink_metadata(&abs) {
        Ok(m) if m.is_file() => read_limited(&abs, rel, limit).map(Some),
        Ok(m) if m.file_type().is_symlink() => Err(forbidden(rel, Forbidden::Symlink)),
        Ok(_) => Err(forbidden(rel, Forbidden::NotAFile)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(rel, &e)),
    }
}

/// Reads at most `limit` bytes of the file at `abs`. Its size is taken from the open file's
/// metadata before reading, and the read stops after `limit` bytes in case it grows
/// meanwhile, so a huge (or sparse) file is never loaded.
fn read_limited(abs: &Path, rel: &str, limit: usize) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let file = std::fs::File::open(abs).map_err(|e| io_error(rel, &e))?;
    let len = file.metadata().map_err(|e| io_error(rel, &e))?.len();
    if len > limit as u64 {
        return Err(too_large(rel, len, limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(limit));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(rel, &e))?;
    if bytes.len() > limit {
        return Err(too_large(rel, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Reads one incident-sized text file, refusing a link or a special file.
pub fn read_text(abs: &Path, rel: String) -> Result<SourceFile, Diagnostic> {
    match std::fs::symlink_metadata(abs) {
        Ok(m) if m.file_type().is_symlink() => return Err(forbidden(rel, Forbidden::Symlink)),
        Ok(m) if !m.is_file() => return Err(forbidden(rel, Forbidden::Special)),
        _ => {}
    }
    let bytes = read_limited(abs, &rel, MAX_FILE_BYTES)?;
    decode(bytes, rel)
}

/// Checks size and UTF-8 of file content (from disk or a git blob).
pub fn decode(bytes: Vec<u8>, rel: String) -> Result<SourceFile, Diagnostic> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(rel, bytes.len() as u64, MAX_FILE_BYTES));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path: rel, text }),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            Err(Diagnostic::error(Code::InvalidUtf8, rel, "the file is not valid UTF-8")
                .at_line(line, col)
                .help("save the file as UTF-8"))
        }
    }
}

/// Every temporary name insiden writes starts with this, then the writing process's id and a
/// dash: `.insiden-tmp-<pid>-<random>` for a file being written, `.insiden-tmp-<pid>-<random>.<out>`
/// for a site being built and `.insiden-tmp-<pid>-old.<out>` for a site being replaced.
/// `insiden init` lists the pattern in `.gitignore`, git status checks skip it, and every
/// writer removes what killed runs left beside what it writes.
pub const TEMP_PREFIX: &str = ".insiden-tmp-";

/// Whether a file or folder name is one of insiden's temporary names: [`TEMP_PREFIX`], or
/// `.insiden-` and six random letters and digits as versions before it wrote them.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
        || name
            .strip_prefix(".insiden-")
            .is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The id of the process that wrote temporary name `name`, when the name carries one.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    rest[..rest.find('-')?].parse().ok()
}

/// Whether process `pid` exists (`None`: this system cannot tell). This process counts.
pub fn process_alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    #[cfg(unix)]
    {
        // `kill(pid, 0)`: no signal is sent; it only asks whether the process exists.
        let alive = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .is_some_and(|p| !matches!(rustix::process::test_kill_process(p), Err(e) if e == rustix::io::Errno::SRCH));
        Some(alive)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether the process that wrote a temporary name may still be writing it: this process,
/// or one that still exists. Without a process id in the name, or where processes cannot be
/// asked, a leftover counts as abandoned after an hour.
fn owner_alive(name: &str, path: &Path) -> bool {
    match temp_owner(name).and_then(process_alive) {
        Some(alive) => alive,
        None => std::fs::symlink_metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age < std::time::Duration::from_secs(3600)),
    }
}

/// Removes from `dir` what killed runs left: temporary files and folders whose writing
/// process is gone. Returns the names removed. A folder is looked at once per process.
pub fn remove_leftovers(dir: &Path) -> Vec<String> {
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<std::collections::HashSet<PathBuf>>> = OnceLock::new();
    let first = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .map(|mut s| s.insert(dir.to_path_buf()))
        .unwrap_or(true);
    if !first {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for e in entries.filter_map(std::result::Result::ok) {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if !is_temp_name(&name) || owner_alive(&name, &e.path()) {
            continue;
        }
        let gone = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(e.path()),
            _ => std::fs::remove_file(e.path()),
        };
        if gone.is_ok() {
            removed.push(name);
        }
    }
    removed.sort();
    removed
}

/// [`remove_leftovers`] in `root/dir` and in each folder directly under it (for `incidents/`:
/// the year folders, where incident files are written).
pub fn remove_leftovers_under(root: &Path, dir: &str) -> Vec<String> {
    let top = root.join(dir);
    let mut removed = remove_leftovers(&top);
    for e in std::fs::read_dir(&top)
        .into_iter()
        .flatten()
        .filter_map(std::result::Result::ok)
    {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            removed.extend(remove_leftovers(&e.path()));
        }
    }
    removed
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, synced, then renamed.
/// The file keeps its permissions (a new file is readable by everyone, like files git checks out).
/// Temp files that killed runs left in that directory are removed first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` with `bytes` only if it does not exist yet (never overwrites).
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Where `path` (absolute) leads, for an output that may not exist yet: the part that exists
/// resolved by the system (links, `.`, `..`), the rest appended as written, each `..` of it
/// taking off the name before it, as the system does once a folder is made there. `None` when
/// not even the first folder resolves.
pub fn resolved(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut rest = Vec::new();
    let mut existing = path;
    let mut full = loop {
        if let Ok(c) = std::fs::canonicalize(existing) {
            break c;
        }
        rest.push(existing.components().next_back()?);
        existing = existing.parent()?;
    };
    for part in rest.iter().rev() {
        match part {
            Component::ParentDir => {
                full.pop();
            }
            Component::Normal(n) => full.push(n),
            _ => {}
        }
    }
    Some(full)
}

/// The folder a path is in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// This process's temporary-name prefix: [`TEMP_PREFIX`], its id and a dash.
fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

/// The content written and synced to a temp file beside `path`, with `path`'s permissions.
fn staged(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = parent_of(path);
    std::fs::create_dir_all(dir)?;
    remove_leftovers(dir);
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .ok()
        .or_else(default_permissions);
    let mut tmp = tempfile::Builder::new().prefix(&temp_prefix()).tempfile_in(dir)?;
    if let Some(p) = permissions {
        // Set after creating: a mode given at creation would be narrowed by the umask.
        tmp.as_file().set_permissions(p)?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Permissions for a new file: `rw-r--r--` on Unix; elsewhere the platform's default.
fn default_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Swaps two existing paths in one step, so that each name always names a complete folder:
/// `renameat2(RENAME_EXCHANGE)` on Linux, `renameatx_np(RENAME_SWAP)` on macOS. `Ok(false)`
/// where neither the system nor the file system can (then the caller falls back to two
/// renames).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // An old kernel, or a file system without exchange (some network file systems).
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Whether a leftover named `name` beside output folder `out_name` holds a site that was
/// being replaced: `.insiden-tmp-<pid>-old.<out>`, or `.<out>.old-<pid>` from versions
/// before [`TEMP_PREFIX`].
fn is_old_site(name: &str, out_name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(_, r)| r.strip_prefix("old.") == Some(out_name))
        || name.starts_with(&format!(".{out_name}.old-"))
}

/// Whether `name` is a staging folder of `out_name` from versions before [`TEMP_PREFIX`]
/// (`.<out>.new-<random>`, `.<out>.old-<pid>`).
fn is_legacy_staging(name: &str, out_name: &str) -> bool {
    name.starts_with(&format!(".{out_name}.new-")) || name.starts_with(&format!(".{out_name}.old-"))
}

/// Repairs what killed builds left beside output folder `out`: when `out` is missing (a
/// build killed between the two renames of the fallback swap), the previous site is put
/// back; then every staging folder whose process is gone is removed.
fn recover_site(parent: &Path, out: &Path, out_name: &str) {
    if std::fs::symlink_metadata(out).is_err() {
        let old = std::fs::read_dir(parent)
            .into_iter()
            .flatten()
            .filter_map(std::result::Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok().map(|n| (n, e.path())))
            .find(|(n, p)| is_old_site(n, out_name) && !(is_temp_name(n) && owner_alive(n, p)));
        if let Some((_, p)) = old {
            let _ = std::fs::rename(p, out);
        }
    }
    for e in std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .filter_map(std::result::Result::ok)
    {
        if let Ok(n) = e.file_name().into_string() {
            if is_legacy_staging(&n, out_name) && e.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    remove_leftovers(parent);
}

/// Writes a whole tree of files (relative path → bytes) into `out` atomically: everything is
/// written into a sibling temp folder, which is then exchanged with `out` in one step, so
/// `out` is at every instant either the complete previous site or the complete new one. On
/// failure the previous `out` is left as it was. What killed builds left beside `out` is
/// cleaned up first (and a previous site put back if a kill left `out` missing).
///
/// Where the system cannot exchange two folders, the fallback is two renames (`out` aside,
/// the new tree in); a build killed between them leaves `out` missing for that instant, and
/// the next build puts the previous site back before it starts.
pub fn write_tree_atomic(out: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    use rayon::prelude::*;
    let staging = Staging::begin(out)?;
    files.par_iter().try_for_each(|(p, bytes)| staging.write(p, bytes))?;
    staging.commit()
}

/// A tree being written for [`write_tree_atomic`]'s swap, a file at a time and from any
/// thread, so a caller can write each file as soon as it has it and hold none of them:
/// [`Staging::begin`], [`Staging::write`] for every file, then [`Staging::commit`]. Dropped
/// without a commit (an error, a panic), the staging folder is removed and `out` is untouched.
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    dir: tempfile::TempDir,
    /// Folders made so far, so each is created once.
    made: std::sync::Mutex<HashSet<PathBuf>>,
}

impl Staging {
    /// Cleans up after killed builds beside `out` and opens a new staging folder there.
    pub fn begin(out: &Path) -> std::io::Result<Staging> {
        let parent = parent_of(out).to_path_buf();
        std::fs::create_dir_all(&parent)?;
        let name = out
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        recover_site(&parent, out, &name);
        let dir = tempfile::Builder::new()
            .prefix(&temp_prefix())
            .suffix(&format!(".{name}"))
            .tempdir_in(&parent)?;
        #[cfg(unix)]
        {
            // A temp folder is private (0700); a site is read by a web server.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        }
        Ok(Staging {
            out: out.to_path_buf(),
            parent,
            name,
            dir,
            made: std::sync::Mutex::new(HashSet::new()),
        })
    }

    /// Writes one file of the tree (`rel` is relative, `/`-separated, never leaving it).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.path_for(rel)?, bytes)
    }

    /// Writes one large file of the tree a part at a time, through a buffer.
    pub fn write_with(
        &self,
        rel: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(self.path_for(rel)?)?);
        write(&mut w)?;
        w.flush()
    }

    /// Where `rel` goes in the staging folder, its folder made.
    fn path_for(&self, rel: &str) -> std::io::Result<PathBuf> {
        if rel.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write outside the site: {rel}"),
            ));
        }
        let path = self.dir.path().join(rel);
        if let Some(d) = Path::new(rel).parent().filter(|d| !d.as_os_str().is_empty()) {
            // The lock is held while the folder is made, so no writer goes ahead of it.
            let mut made = self
                .made
                .lock()
                .map_err(|_| std::io::Error::other("a writer panicked"))?;
            if !made.contains(d) {
                std::fs::create_dir_all(self.dir.path().join(d))?;
                made.insert(d.to_path_buf());
            }
        }
        Ok(path)
    }

    /// Swaps the written tree in for `out` in one step, once its files are on disk (a power
    /// cut after the swap must not leave empty pages behind a complete-looking site), and
    /// removes the previous site.
    pub fn commit(self) -> std::io::Result<()> {
        self.swap()?.finish();
        Ok(())
    }

    /// [`Staging::commit`] but for the removal: the previous site is kept aside (under a
    /// temporary name a later build cleans up) until [`Swapped::finish`], so that
    /// [`Swapped::undo`] can put it back when another site of the same build fails to swap.
    pub fn swap(self) -> std::io::Result<Swapped> {
        let Staging {
            out, parent, name, dir, ..
        } = self;
        sync_filesystem(dir.path())?;
        let kept = if std::fs::symlink_metadata(&out).is_err() {
            // Nothing to replace. The staging folder is removed (by its guard) if this fails.
            std::fs::rename(dir.path(), &out)?;
            let _ = dir.keep();
            None
        } else if exchange(dir.path(), &out)? {
            // The staging name now holds the previous site.
            Some(dir.keep())
        } else {
            let staged = dir.keep();
            let old = parent.join(format!("{}old.{name}", temp_prefix()));
            let _ = std::fs::remove_dir_all(&old);
            if let Err(e) = std::fs::rename(&out, &old) {
                let _ = std::fs::remove_dir_all(&staged);
                return Err(e);
            }
            if let Err(e) = std::fs::rename(&staged, &out) {
                let _ = std::fs::rename(&old, &out);
                let _ = std::fs::remove_dir_all(&staged);
                return Err(e);
            }
            Some(old)
        };
        Ok(Swapped {
            out,
            parent,
            name,
            kept,
        })
    }
}

/// A site swapped in by [`Staging::swap`], the previous one (if any) still kept aside.
pub struct Swapped {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    kept: Option<PathBuf>,
}

impl Swapped {
    /// Removes the previous site.
    pub fn finish(self) {
        if let Some(old) = &self.kept {
            remove_tree(old);
        }
    }

    /// Puts the previous site back in one step (or, when there was none, takes the new one
    /// away) and removes the new one.
    pub fn undo(self) -> std::io::Result<()> {
        let aside = self.parent.join(format!("{}undone.{}", temp_prefix(), self.name));
        match &self.kept {
            Some(old) if exchange(old, &self.out)? => remove_tree(old),
            Some(old) => {
                std::fs::rename(&self.out, &aside)?;
                std::fs::rename(old, &self.out)?;
                remove_tree(&aside);
            }
            None => {
                std::fs::rename(&self.out, &aside)?;
                remove_tree(&aside);
            }
        }
        Ok(())
    }
}

/// Removes a replaced site, its files on every core: on tmpfs most of the cost of removing a
/// file is freeing its pages, which the kernel does outside the folder's lock. Links are
/// removed, never followed — the root too: when the output path is a link to a folder (`build`
/// resolves such an `--out` first; one put there meanwhile), the link is what was replaced,
/// and the folder it names is left as it is. What cannot be removed so is
/// left to `remove_dir_all` (which follows no link either), whose failure is ignored as
/// before: the new site is already in place.
fn remove_tree(root: &Path) {
    use rayon::prelude::*;
    let removed = tree_listing(root).is_some_and(|(files, dirs)| {
        files.par_iter().all(|f| std::fs::remove_file(f).is_ok()) && dirs.iter().all(|d| std::fs::remove_dir(d).is_ok())
    });
    if !removed {
        let _ = std::fs::remove_dir_all(root);
    }
}

/// What is under `root`, itself included, without following any link: the files and links,
/// and the folders, each after everything it holds; `None` when a folder cannot be read.
fn tree_listing(root: &Path) -> Option<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let walk = walkdir::WalkDir::new(root)
        .follow_root_links(false)
        .contents_first(true);
    for e in walk {
        let e = e.ok()?;
        if e.file_type().is_dir() {
            dirs.push(e.into_path());
        } else {
            files.push(e.into_path());
        }
    }
    Some((files, dirs))
}

/// Flushes the file system holding `dir` to disk: one `syncfs` for the whole staged tree
/// instead of one `fsync` per page (a no-op on tmpfs).
#[cfg(target_os = "linux")]
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    let d = std::fs::File::open(dir)?;
    rustix::fs::syncfs(&d).map_err(std::io::Error::from)
}

/// Elsewhere each written file was closed normally; the swap is as durable as the platform
/// makes renames.
#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn invalid_utf8_names_its_line_and_column() {
        let e = decode(b"---\nid: \xff\n".to_vec(), "a.md".into()).expect_err("invalid");
        assert_eq!((e.code, e.line, e.column), (Code::InvalidUtf8, Some(2), Some(5)));
    }

    #[test]
    fn files_over_one_mebibyte_are_refused() {
        let e = decode(vec![b'a'; MAX_FILE_BYTES + 1], "a.md".into()).expect_err("large");
        assert_eq!(e.code, Code::FileTooLarge);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_permissions_and_new_files_are_readable() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().expect("dir");
        let p = d.path().join("a.md");
        create_new(&p, b"one").expect("create");
        assert_eq!(std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777, 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o664)).expect("chmod");
        write_atomic(&p, b"two").expect("write");
        assert_eq!(std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777, 0o664);
    }

    #[test]
    fn create_new_never_overwrites() {
        let d = tempfile::tempdir().expect("dir");
        let p = d.path().join("x/a.md");
        create_new(&p, b"one").expect("first");
        assert!(create_new(&p, b"two").is_err());
        assert_eq!(std::fs::read(&p).expect("read"), b"one");
    }

    #[test]
    fn tree_writes_replace_the_whole_output() {
        let d = tempfile::tempdir().expect("dir");
        let out = d.path().join("public");
        write_tree_atomic(
            &out,
            &[
                ("a/index.html".into(), b"1".to_vec()),
                ("old.html".into(), b"x".to_vec()),
            ],
        )
        .expect("first");
        write_tree_atomic(&out, &[("a/index.html".into(), b"2".to_vec())]).expect("second");
        assert_eq!(std::fs::read(out.join("a/index.html")).expect("read"), b"2");
        assert!(!out.join("old.html").exists());
        assert!(write_tree_atomic(&out, &[("../escape".into(), vec![])]).is_err());
        assert_eq!(std::fs::read(out.join("a/index.html")).expect("read"), b"2");
        let leftovers: Vec<_> = std::fs::read_dir(d.path())
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    /// A build of two sites swaps both in before removing either previous one; when the
    /// second cannot be swapped in, the first is put back as it was.
    #[test]
    fn a_swapped_site_is_put_back_whole_or_its_previous_one_removed() {
        let d = tempfile::tempdir().expect("dir");
        let site = |at: &Path, text: &str| {
            let s = Staging::begin(at).expect("begin");
            s.write("index.html", text.as_bytes()).expect("write");
            s.write("a/b.html", text.as_bytes()).expect("write");
            s
        };
        let out = d.path().join("public");
        site(&out, "old").commit().expect("first");
        // Undone: the previous site is back, and nothing is left beside it.
        site(&out, "new").swap().expect("swap").undo().expect("undo");
        assert_eq!(std::fs::read_to_string(out.join("index.html")).expect("read"), "old");
        assert_eq!(std::fs::read_to_string(out.join("a/b.html")).expect("read"), "old");
        assert_eq!(names(d.path()), ["public"]);
        // Finished: the new site stays and the previous one is gone.
        site(&out, "new").swap().expect("swap").finish();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).expect("read"), "new");
        assert_eq!(names(d.path()), ["public"]);
        // A site where there was none, undone: there is none again.
        let other = d.path().join("internal");
        site(&other, "new").swap().expect("swap").undo().expect("undo");
        assert_eq!(names(d.path()), ["public"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_site_is_removed_whole_and_its_links_are_never_followed() {
        let d = tempfile::tempdir().expect("dir");
        let keep = d.path().join("keep");
        std::fs::create_dir(&keep).expect("mkdir");
        std::fs::write(keep.join("precious.txt"), b"kept").expect("write");
        let out = d.path().join("public");
        let pages: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| (format!("incidents/INC-{i:04}.html"), vec![b'x'; 5000]))
            .chain([("index.html".to_owned(), b"1".to_vec())])
            .collect();
        write_tree_atomic(&out, &pages).expect("first");
        // Links to a folder and a file outside, planted in the site being replaced.
        std::os::unix::fs::symlink(&keep, out.join("incidents/dir-link")).expect("link");
        std::os::unix::fs::symlink(keep.join("precious.txt"), out.join("file-link")).expect("link");
        write_tree_atomic(&out, &[("index.html".into(), b"2".to_vec())]).expect("second");
        assert_eq!(names(&out), ["index.html"]);
        assert_eq!(names(d.path()), ["keep", "public"].map(String::from).to_vec());
        assert_eq!(std::fs::read(keep.join("precious.txt")).expect("kept"), b"kept");
    }

    #[cfg(unix)]
    #[test]
    fn an_out_that_is_a_link_is_replaced_and_the_folder_it_names_is_left_alone() {
        let d = tempfile::tempdir().expect("dir");
        let elsewhere = d.path().join("elsewhere");
        let old: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| (format!("incidents/INC-{i:04}.html"), vec![b'x'; 5000]))
            .chain([("index.html".to_owned(), b"old".to_vec())])
            .collect();
        write_tree_atomic(&elsewhere, &old).expect("first");
        std::fs::write(elsewhere.join("notes.txt"), b"not ours").expect("write");
        let out = d.path().join("public");
        std::os::unix::fs::symlink(&elsewhere, &out).expect("link");
        write_tree_atomic(&out, &[("index.html".into(), b"new".to_vec())]).expect("second");
        assert!(
            std::fs::symlink_metadata(&out).expect("out").is_dir(),
            "out is a folder now"
        );
        assert_eq!(std::fs::read(out.join("index.html")).expect("new"), b"new");
        assert_eq!(std::fs::read(elsewhere.join("index.html")).expect("old"), b"old");
        assert_eq!(std::fs::read(elsewhere.join("notes.txt")).expect("kept"), b"not ours");
        assert_eq!(std::fs::read_dir(elsewhere.join("incidents")).expect("ls").count(), 300);
        let mut names: Vec<_> = std::fs::read_dir(d.path())
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["elsewhere", "public"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_folder_is_listed_for_removal_as_itself_alone() {
        let d = tempfile::tempdir().expect("dir");
        let target = d.path().join("target");
        std::fs::create_dir_all(target.join("sub")).expect("mkdir");
        std::fs::write(target.join("sub/a.html"), b"a").expect("write");
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("link");
        assert_eq!(tree_listing(&link), Some((vec![link.clone()], vec![])));
        let (files, dirs) = tree_listing(&target).expect("listed");
        assert_eq!(files, [target.join("sub/a.html")]);
        assert_eq!(
            dirs,
            [target.join("sub"), target.clone()],
            "each folder after what it holds"
        );
    }
}
