//! minijinja's only home: the environment with the built-in templates (embedded from
//! `src/templates/` with `include_str!`), each replaceable by a same-named file in the
//! repository's `site-templates/` folder, strict undefined values, HTML escaping for `.html`
//! and `.xml`, and errors located in the template's file and line.
//!
//! Templates only ever receive view structs from `audience` (and numbers and SVG from
//! `report` and `site::charts`); this module never sees an `Incident`. It reads the override
//! folder and nothing else.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The template value type and the `context!` macro, re-exported so that minijinja is named
/// only here.
pub use minijinja::{context, Value};

/// The folder, at the repository root, whose files replace built-ins of the same name.
pub const OVERRIDE_DIR: &str = "site-templates";

/// The built-in templates: (name, source).
pub const BUILTINS: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("incident.html", include_str!("../templates/incident.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("archive.html", include_str!("../templates/archive.html")),
    ("index-list.html", include_str!("../templates/index-list.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("report-page.html", include_str!("../templates/report-page.html")),
    ("report-body.html", include_str!("../templates/report-body.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("feed.xml", include_str!("../templates/feed.xml")),
    ("404.html", include_str!("../templates/404.html")),
];

/// Files copied as they are (not templates), also replaceable by name: (name, bytes).
pub const STATIC_FILES: &[(&str, &str)] = &[
    ("style.css", include_str!("../templates/style.css")),
    ("report.css", include_str!("../templates/report.css")),
    (
        "api/schema/incidents.schema.json",
        include_str!("../templates/api/incidents.schema.json"),
    ),
    (
        "api/schema/status.schema.json",
        include_str!("../templates/api/status.schema.json"),
    ),
];

/// A template problem: the file (`site-templates/<name>` or the built-in's name), the line
/// when known, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    /// The template's text, for a source snippet.
    pub source: Option<String>,
}

/// The loaded templates and static files.
pub struct Templates {
    env: Environment<'static>,
    /// name → where it came from (for error messages) and its text.
    origin: BTreeMap<String, (String, String)>,
    statics: BTreeMap<String, Vec<u8>>,
}

/// Every file under `dir` (not starting with `.`), as paths relative to it with `/`.
fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if e.path().is_dir() {
            files_under(&e.path(), &format!("{rel}/"), out);
        } else {
            out.push(rel);
        }
    }
}

/// Reads `site-templates/<name>` for every built-in name that has one: (name, text). A file
/// there whose name is not a built-in's is an error (it would silently do nothing).
pub fn read_overrides(root: &Path) -> Result<Vec<(String, String)>, TemplateError> {
    let dir = root.join(OVERRIDE_DIR);
    let mut present = Vec::new();
    files_under(&dir, "", &mut present);
    present.sort();
    let known = |n: &str| {
        BUILTINS
            .iter()
            .map(|(b, _)| *b)
            .chain(STATIC_FILES.iter().map(|(b, _)| *b))
            .any(|b| b == n)
    };
    if let Some(unknown) = present.iter().find(|n| !known(n)) {
        let names: Vec<&str> = BUILTINS
            .iter()
            .map(|(n, _)| *n)
            .chain(STATIC_FILES.iter().map(|(n, _)| *n))
            .collect();
        return Err(TemplateError {
            path: format!("{OVERRIDE_DIR}/{unknown}"),
            line: None,
            message: format!(
                "`{unknown}` is not the name of a built-in template, so it would replace nothing; the names are: {}",
                names.join(", ")
            ),
            source: None,
        });
    }
    let mut out = Vec::new();
    let names = BUILTINS
        .iter()
        .map(|(n, _)| *n)
        .chain(STATIC_FILES.iter().map(|(n, _)| *n));
    for name in names {
        let p = dir.join(name);
        match std::fs::read(&p) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| TemplateError {
                    path: format!("{OVERRIDE_DIR}/{name}"),
                    line: None,
                    message: "the template is not UTF-8".into(),
                    source: None,
                })?;
                out.push((name.to_owned(), text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(TemplateError {
                    path: format!("{OVERRIDE_DIR}/{name}"),
                    line: None,
                    message: format!("cannot read: {e}"),
                    source: None,
                })
            }
        }
    }
    Ok(out)
}

impl Templates {
    /// The built-ins with `overrides` (name, text) replacing same-named ones.
    pub fn new(overrides: Vec<(String, String)>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // `.html` and `.xml` escape HTML by default; nothing else is rendered through here.
        env.set_auto_escape_callback(minijinja::default_auto_escape_callback);
        env.set_recursion_limit(64);
        let mut over: BTreeMap<String, String> = overrides.into_iter().collect();
        let mut origin = BTreeMap::new();
        let mut statics = BTreeMap::new();
        for (name, text) in STATIC_FILES {
            let bytes = over
                .remove(*name)
                .map_or_else(|| text.as_bytes().to_vec(), String::into_bytes);
            statics.insert((*name).to_owned(), bytes);
        }
        for (name, builtin) in BUILTINS {
            let (path, text) = match over.remove(*name) {
                Some(t) => (format!("{OVERRIDE_DIR}/{name}"), t),
                None => (format!("<built-in>/{name}"), (*builtin).to_owned()),
            };
            env.add_template_owned(*name, text.clone()).map_err(|e| TemplateError {
                path: path.clone(),
                line: e.line(),
                message: describe(&e),
                source: Some(text.clone()),
            })?;
            origin.insert((*name).to_owned(), (path, text));
        }
        Ok(Templates { env, origin, statics })
    }

    /// A static file's bytes.
    pub fn static_file(&self, name: &str) -> &[u8] {
        self.statics.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every static file: (name, bytes).
    pub fn statics(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.statics.iter().map(|(n, b)| (n.as_str(), b.as_slice()))
    }

    /// Renders template `name` with `base` (shared values) merged under `ctx`.
    pub fn render(&self, name: &str, base: &Value, ctx: Value) -> Result<String, TemplateError> {
        let ctx = minijinja::value::merge_maps([ctx, base.clone()]);
        let tpl = self.env.get_template(name).map_err(|e| self.error(name, &e))?;
        tpl.render(ctx).map_err(|e| self.error(name, &e))
    }

    fn error(&self, name: &str, e: &minijinja::Error) -> TemplateError {
        // The innermost template the error happened in (an include or a parent).
        let at = e.name().unwrap_or(name);
        let (path, text) = self
            .origin
            .get(at)
            .cloned()
            .unwrap_or_else(|| (at.to_owned(), String::new()));
        TemplateError {
            path,
            line: e.line(),
            message: describe(e),
            source: Some(text),
        }
    }
}

/// Serialises shared values once, so each page only adds its own.
pub fn value<T: Serialize>(v: &T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// Marks generated markup (SVG charts built by `site::charts`) as safe.
pub fn safe(s: String) -> Value {
    Value::from_safe_string(s)
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.kind().to_string();
    if let Some(d) = e.detail() {
        msg.push_str(": ");
        msg.push_str(d);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_with_a_typo_names_its_file_and_line() {
        let t = Templates::new(vec![("404.html".into(), "a\n{{ nope }}\n".into())]).expect("parses");
        let e = t
            .render("404.html", &value(&BTreeMap::<String, String>::new()), value(&()))
            .expect_err("undefined");
        assert_eq!((e.path.as_str(), e.line), ("site-templates/404.html", Some(2)));
        let e = Templates::new(vec![("404.html".into(), "x\n\n{% if %}".into())])
            .err()
            .expect("syntax");
        assert_eq!((e.path.as_str(), e.line), ("site-templates/404.html", Some(3)));
    }

    #[test]
    fn an_unknown_override_name_is_an_error_listing_the_names() {
        let dir = tempfile::tempdir().expect("tmp");
        let over = dir.path().join(OVERRIDE_DIR);
        std::fs::create_dir_all(over.join("api/schema")).expect("mkdir");
        std::fs::write(over.join("index.html"), "x").expect("write");
        std::fs::write(over.join("api/schema/status.schema.json"), "{}").expect("write");
        std::fs::write(over.join(".gitkeep"), "").expect("write");
        let got = read_overrides(dir.path()).expect("known names");
        assert_eq!(got.len(), 2);
        std::fs::write(over.join("indeks.html"), "x").expect("write");
        let e = read_overrides(dir.path()).expect_err("unknown");
        assert_eq!(e.path, "site-templates/indeks.html");
        assert!(
            e.message.contains("index.html") && e.message.contains("feed.xml"),
            "{}",
            e.message
        );
    }

    #[test]
    fn html_templates_escape_by_default() {
        let t = Templates::new(vec![("404.html".into(), "{{ x }}".into())]).expect("parses");
        let mut m = BTreeMap::new();
        m.insert("x", "<script>\"'&");
        let out = t
            .render("404.html", &value(&BTreeMap::<String, String>::new()), value(&m))
            .expect("renders");
        assert!(!out.contains('<') && !out.contains('"'), "{out}");
    }
}
