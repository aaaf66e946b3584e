//! Working-tree access: finding incident files (walkdir), reading them as text, and writing
//! atomically (a temp file in the same directory, then a rename; a site is built in a sibling
//! temp directory, then swapped in).
//!
//! It knows no YAML, git or HTML: it moves bytes and reports I/O problems as diagnostics that
//! name the file.

use crate::diag::{Code, Diagnostic};
use crate::doc::MAX_FILE_BYTES;
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

/// Finds and reads every `incidents/**/*.md` in parallel; unreadable, non-UTF-8 and too
/// large files become diagnostics.
pub fn scan(root: &Path) -> Scan {
    use rayon::prelude::*;
    let dir = root.join(INCIDENTS_DIR);
    let mut out = Scan::default();
    if !dir.is_dir() {
        return out;
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = rel(root, e.path());
                if rel.ends_with(".md") && !e.file_name().to_string_lossy().eq_ignore_ascii_case("README.md") {
                    paths.push((e.path().to_owned(), rel.clone()));
                }
                out.present.insert(rel);
            }
            Ok(_) => {}
            Err(e) => {
                let p = e.path().map_or_else(|| INCIDENTS_DIR.to_owned(), |p| rel(root, p));
                out.diagnostics.push(
                    Diagnostic::error(Code::Io, p, format!("cannot read: {e}")).help("check the file permissions"),
                );
            }
        }
    }
    let read: Vec<Result<SourceFile, Diagnostic>> =
        paths.into_par_iter().map(|(abs, rel)| read_text(&abs, rel)).collect();
    for r in read {
        match r {
            Ok(f) => out.files.push(f),
            Err(d) => out.diagnostics.push(d),
        }
    }
    out
}

/// Reads one incident-sized text file.
pub fn read_text(abs: &Path, rel: String) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(abs).map_err(|e| {
        Diagnostic::error(Code::Io, rel.clone(), format!("cannot read: {e}"))
            .help("check that the file exists and is readable")
    })?;
    decode(bytes, rel)
}

/// Checks size and UTF-8 of file content (from disk or a git blob).
pub fn decode(bytes: Vec<u8>, rel: String) -> Result<SourceFile, Diagnostic> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            Code::FileTooLarge,
            rel,
            format!("the file is {} bytes; the limit is 1 MiB", bytes.len()),
        )
        .help("keep evidence out of the incident file; attach it or store it elsewhere"));
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

/// Writes `bytes` to `path` atomically: a temp file in the same directory, synced, then renamed.
/// The file keeps its permissions (a new file is readable by everyone, like files git checks out).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` with `bytes` only if it does not exist yet (never overwrites).
pub fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged(path, bytes)?.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// The content written and synced to a temp file beside `path`, with `path`'s permissions.
fn staged(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .ok()
        .or_else(default_permissions);
    let mut tmp = tempfile::Builder::new().prefix(".insiden-").tempfile_in(dir)?;
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

/// Writes a whole tree of files (relative path → bytes) into `out` atomically: everything is
/// written into a sibling temp directory which then replaces `out`. On failure the previous
/// `out` is left as it was.
pub fn write_tree_atomic(out: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<()> {
    use rayon::prelude::*;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(parent)?;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|(p, _)| Path::new(p).parent().map(|d| staging.path().join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    files.par_iter().try_for_each(|(p, bytes)| {
        if p.split('/').any(|c| c == ".." || c.is_empty()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing to write outside the site: {p}"),
            ));
        }
        std::fs::write(staging.path().join(p), bytes)
    })?;
    let staged = staging.keep();
    if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(out, &old)?;
        if let Err(e) = std::fs::rename(&staged, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
    } else if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
