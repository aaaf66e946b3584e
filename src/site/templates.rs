//! minijinja's only home: the environment with the built-in templates (embedded from
//! `src/templates/` with `include_str!`), each replaceable by a same-named file in the
//! repository's `site-templates/` folder, strict undefined values, HTML escaping for `.html`
//! and `.xml`, and errors located in the template's file and line.
//!
//! Templates only ever receive view structs from `audience` (and numbers and SVG from
//! `report` and `site::charts`); this module never sees an `Incident`. It reads no file: the
//! override files are handed to it, from the working tree or from a git revision.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;

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
    ("sop.html", include_str!("../templates/sop.html")),
    ("letter.html", include_str!("../templates/letter.html")),
    ("letter.md", include_str!("../templates/letter.md")),
];

/// Files copied as they are (not templates), also replaceable by name: (name, bytes).
pub const STATIC_FILES: &[(&str, &str)] = &[
    ("style.css", include_str!("../templates/style.css")),
    ("report.css", include_str!("../templates/report.css")),
    ("letter.css", include_str!("../templates/letter.css")),
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
    /// The names `site-templates/` replaced.
    replaced: std::collections::BTreeSet<String>,
    statics: BTreeMap<String, Vec<u8>>,
}

/// Override files larger than this are refused (a style sheet may embed its fonts).
pub const MAX_OVERRIDE_BYTES: usize = 8 * 1024 * 1024;

/// The overrides among the files of `site-templates/`, given as (path relative to it, bytes):
/// (name, text) for every built-in name that has one. Names with a part starting with `.`
/// are ignored; any other name that is not a built-in's is an error (it would silently do
/// nothing), and so is a file that is not UTF-8.
///
/// The files come from the working tree (`store::read_folder`) or from a revision's objects
/// (`git::Repo::revision_files`); both refuse links and special files before anything
/// reaches this function, so an override can never pull in a file from elsewhere.
pub fn overrides(files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, String)>, TemplateError> {
    let mut files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(n, _)| !n.split('/').any(|part| part.starts_with('.')))
        .collect();
    files.sort();
    let names = || {
        BUILTINS
            .iter()
            .map(|(n, _)| *n)
            .chain(STATIC_FILES.iter().map(|(n, _)| *n))
    };
    if let Some((unknown, _)) = files.iter().find(|(n, _)| !names().any(|b| b == n)) {
        return Err(TemplateError {
            path: format!("{OVERRIDE_DIR}/{unknown}"),
            line: None,
            message: format!(
                "`{unknown}` is not the name of a built-in template, so it would replace nothing; the names are: {}",
                names().collect::<Vec<_>>().join(", ")
            ),
            source: None,
        });
    }
    files
        .into_iter()
        .map(|(name, bytes)| {
            String::from_utf8(bytes)
                .map(|text| (name.clone(), text))
                .map_err(|_| TemplateError {
                    path: format!("{OVERRIDE_DIR}/{name}"),
                    line: None,
                    message: "the template is not UTF-8".into(),
                    source: None,
                })
        })
        .collect()
}

impl Templates {
    /// The built-ins with `overrides` (name, text) replacing same-named ones.
    pub fn new(overrides: Vec<(String, String)>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // `.html` and `.xml` escape HTML by default; nothing else is rendered through here.
        env.set_auto_escape_callback(minijinja::default_auto_escape_callback);
        env.set_recursion_limit(64);
        env.add_filter("count", count_filter);
        env.add_filter("num", num_filter);
        let mut over: BTreeMap<String, String> = overrides.into_iter().collect();
        let mut origin = BTreeMap::new();
        let replaced = over.keys().cloned().collect();
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
        Ok(Templates {
            env,
            origin,
            replaced,
            statics,
        })
    }

    /// Whether template `name` is the organisation's own (from `site-templates/`), even one
    /// that copies the built-in.
    pub fn replaced(&self, name: &str) -> bool {
        self.replaced.contains(name)
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

/// The page's language, from the `lang` every render receives.
fn lang_of(state: &minijinja::State<'_, '_>) -> crate::workflow::Lang {
    match state.lookup("lang").as_ref().and_then(Value::as_str) {
        Some("en") => crate::workflow::Lang::En,
        _ => crate::workflow::Lang::Id,
    }
}

/// `{{ x|count }}`: a count (a number, or the `{min, max}` of a range) as a reader of the
/// page's language writes it ("1.234", "< 3", "2–4").
fn count_filter(state: &minijinja::State<'_, '_>, v: Value) -> String {
    use crate::disclosure::Count;
    let lang = lang_of(state);
    let count = match v.as_usize() {
        Some(n) => Count::Shown(n),
        None => match v.get_attr("min").ok().and_then(|m| m.as_usize()) {
            Some(min) => Count::Range {
                min,
                max: v.get_attr("max").ok().and_then(|m| m.as_usize()),
            },
            None => return v.to_string(),
        },
    };
    crate::i18n::count(lang, count)
}

/// `{{ x|num }}` or `{{ x|num(2) }}`: a number with one (or the given number of) decimals in
/// the page's language ("2,5" in Indonesian).
fn num_filter(state: &minijinja::State<'_, '_>, v: Value, places: Option<usize>) -> String {
    match f64::try_from(v.clone()) {
        Ok(x) => crate::i18n::decimal(lang_of(state), x, places.unwrap_or(1)),
        Err(_) => v.to_string(),
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
        let file = |n: &str| (n.to_owned(), b"x".to_vec());
        let mut files = vec![
            file("index.html"),
            file("api/schema/status.schema.json"),
            file(".gitkeep"),
            file(".git/index.html"),
        ];
        let got = overrides(files.clone()).expect("known names");
        assert_eq!(got.len(), 2);
        files.push(file("indeks.html"));
        let e = overrides(files).expect_err("unknown");
        assert_eq!(e.path, "site-templates/indeks.html");
        assert!(
            e.message.contains("index.html") && e.message.contains("feed.xml"),
            "{}",
            e.message
        );
        let e = overrides(vec![("style.css".into(), vec![0xff])]).expect_err("not UTF-8");
        assert_eq!(e.path, "site-templates/style.css");
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
