//! Properties shared by the property tests (`properties.rs`, on stable, part of `cargo test`)
//! and the fuzz targets (`fuzz/fuzz_targets/*.rs`, which include this file by path): each
//! returns `Err(what went wrong)` instead of panicking, so a caller can show the input.
//! It uses only `insiden` and std.
#![allow(dead_code)] // each includer uses a part

use insiden::diag::Code;
use insiden::edit::Scalar;

/// The fixed configuration the properties validate against: the built-in SOP and one member
/// per team.
pub const CONFIG: &str = r#"
autoresolve: { days: 5, bot: { id: insiden-bot, emails: ["bot@example.org"] } }
teams:
  helpdesk: { name: Helpdesk, members: [{ id: siti, name: Siti, emails: [siti@example.go.id] }] }
  data: { name: Data, members: [{ id: agus, name: Agus, emails: [agus@example.go.id] }] }
  analysis: { name: Analisis, members: [{ id: dewi, name: Dewi, emails: [dewi@example.go.id] }] }
  coordination: { name: Koordinasi, members: [{ id: bayu, name: Bayu, emails: [bayu@example.go.id] }] }
  handling: { name: Penanganan, members: [{ id: rina, name: Rina, emails: [rina@example.go.id] }] }
"#;

/// The path every checked file is given.
pub const PATH: &str = "incidents/2026/INC-2026-0001.md";

pub fn config() -> insiden::config::Config {
    insiden::config::Config::parse(Some(CONFIG), "insiden.yaml").expect("the fixed configuration parses")
}

/// Whether `text`'s front matter reads as YAML inside the subset (whatever the schema says).
pub fn front_matter_reads(text: &str, cfg: &insiden::config::Config) -> bool {
    let p = insiden::doc::parse(text, PATH, cfg.timezone);
    !p.diagnostics.iter().any(|d| {
        matches!(
            d.code,
            Code::NoFrontMatter
                | Code::UnclosedFrontMatter
                | Code::YamlSyntax
                | Code::UnsupportedYaml
                | Code::TooComplex
                | Code::NotAMapping
        )
    })
}

/// The lines of `text`, each with its line ending.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The range of lines (0-based, end exclusive, BOM not counted) of top-level key `key`'s
/// value in the front matter: from its line to the next top-level key or the closing fence,
/// as `subset::scan`, the reader the editor works on, sees them.
fn key_block(text: &str, key: &str) -> Option<(usize, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ls = lines(text);
    let close = ls.iter().skip(1).position(|l| l.trim_end() == "---")? + 1;
    let front = ls[1..close].concat();
    let outline = insiden::subset::scan(front.strip_suffix('\n').unwrap_or(&front), 2).ok()?;
    let i = outline.keys.iter().position(|(k, _)| k == key)?;
    let start = outline.keys[i].1 - 1;
    let end = outline.keys.get(i + 1).map_or(close, |k| k.1 - 1);
    Some((start, end))
}

/// Checks an edit of `before` into `after` that targets top-level key `key`: the BOM and the
/// body are kept, inserted lines end like the file's lines (LF or CRLF), and, when `before`'s
/// front matter reads (the only files `transition` and `autoresolve` edit), every line
/// outside one contiguous run is kept byte for byte and the lines removed (if any) lie inside
/// `key`'s block. On other text, where YAML and a reader of lines may disagree on where a
/// field ends, the fuzzer found that no reading of "the field's lines" is the editor's.
pub fn edit_is_local(before: &str, after: &str, key: &str) -> Result<(), String> {
    if before.starts_with('\u{feff}') != after.starts_with('\u{feff}') {
        return Err("the BOM changed".into());
    }
    let (b, a) = (lines(before), lines(after));
    let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let max_suffix = b.len().min(a.len()) - prefix;
    let suffix = b
        .iter()
        .rev()
        .zip(a.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let removed = (prefix, b.len() - suffix);
    let inserted = &a[prefix..a.len() - suffix];
    if removed.0 < removed.1 {
        // Lines are counted without the BOM in `key_block`; the BOM sits on line 0 only.
        if front_matter_reads(before, fixed()) {
            let Some((start, end)) = key_block(before, key) else {
                return Err(format!(
                    "lines {}..{} changed, and there is no `{key}:`",
                    removed.0 + 1,
                    removed.1
                ));
            };
            if removed.0 < start || removed.1 > end {
                return Err(format!(
                    "lines {}..{} changed, outside `{key}` (lines {}..{})",
                    removed.0 + 1,
                    removed.1,
                    start + 1,
                    end
                ));
            }
        }
    }
    // A file with one line-ending style keeps it; in a file that mixes them (the fuzzer's
    // first finding), a written line may end like any line of the file.
    let ended: Vec<&&str> = b.iter().filter(|l| l.ends_with('\n')).collect();
    let crlf = ended.iter().filter(|l| l.ends_with("\r\n")).count();
    let mixed = crlf != 0 && crlf != ended.len();
    for l in inserted {
        if !mixed && l.ends_with('\n') && !ended.is_empty() && l.ends_with("\r\n") != (crlf != 0) {
            return Err(format!("an inserted line ends differently from the file: {l:?}"));
        }
    }
    let body = |t: &str| {
        let ls = lines(t);
        ls.iter()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|i| ls[i + 2..].concat())
    };
    if body(before) != body(after) {
        return Err("the body changed".into());
    }
    Ok(())
}

/// Tags `markdown::to_html` may write.
const TAGS: &[&str] = &[
    "p",
    "a",
    "img",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
];

/// Decodes the character references `&…;` of an attribute value.
fn decode_entities(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "colon" => Some(':'),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks that HTML from `markdown::to_html` cannot run script: only the tags the renderer
/// writes, no `<script`, no `on…` attribute, and no link or image whose target has a script
/// (or `data:`/`file:`) scheme, even through character references, case, controls or spaces.
pub fn html_is_safe(html: &str) -> Result<(), String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Err("`<script` survived".into());
    }
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').ok_or("a tag is not closed")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag).trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if !TAGS.contains(&name) {
            return Err(format!("the tag <{name}> is not one the renderer writes"));
        }
        // Attributes: name="value" (the renderer always quotes with ").
        let mut attrs = &tag[name_end..];
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                break;
            }
            let eq = attrs
                .find('=')
                .ok_or_else(|| format!("an attribute without a value in <{tag}>"))?;
            let attr = attrs[..eq].trim().to_ascii_lowercase();
            let after = &attrs[eq + 1..];
            let value_end = after
                .strip_prefix('"')
                .and_then(|v| v.find('"'))
                .ok_or_else(|| format!("an unquoted attribute in <{tag}>"))?;
            let value = &after[1..=value_end];
            attrs = &after[value_end + 2..];
            if attr.starts_with("on") {
                return Err(format!("an event handler attribute `{attr}` in <{tag}>"));
            }
            if attr == "href" || attr == "src" {
                let v: String = decode_entities(value)
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if ["javascript:", "vbscript:", "data:", "file:"]
                    .iter()
                    .any(|s| v.starts_with(s))
                {
                    return Err(format!("a script-scheme {attr} `{value}` in <{tag}>"));
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The fuzz targets' bodies. Each takes the fuzzer's bytes and panics when a property fails;
// `fuzz/fuzz_targets/*.rs` call them, and `properties.rs` runs them on every seed and every
// input the fuzzer ever found (`fuzz/seeds/`, `fuzz/regressions/`), on stable.

/// The fixed configuration, parsed once.
fn fixed() -> &'static insiden::config::Config {
    static CFG: std::sync::OnceLock<insiden::config::Config> = std::sync::OnceLock::new();
    CFG.get_or_init(config)
}

/// The fixed clock of the fuzz targets.
fn fixed_now() -> insiden::model::Timestamp {
    chrono::DateTime::parse_from_rfc3339("2026-07-01T09:00:00+07:00").expect("time")
}

/// `doc::parse`: never panics, on any text; and when the quick reader takes a front matter,
/// serde_yaml reads the same from it ([`insiden::doc::quick_agrees`]).
pub fn fuzz_parse(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = insiden::doc::parse(text, PATH, fixed().timezone);
        if let Err(e) = insiden::doc::quick_agrees(text) {
            panic!("{e}\n{text:?}");
        }
    }
}

/// `rules::validate_file` with the fixed configuration and clock: never panics, and every
/// finding points inside the file.
pub fn fuzz_validate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = insiden::store::SourceFile {
        path: PATH.into(),
        text: text.to_owned(),
    };
    let (_, diags) = insiden::rules::validate_file(&file, fixed(), fixed_now());
    let lines = text.split('\n').count();
    for d in &diags {
        if let Some(l) = d.line {
            assert!(l <= lines + 1, "{}: line {l} of a {lines}-line file", d.code.name());
        }
    }
    // Rendering the findings never panics either.
    let _ = insiden::diag::render(&diags, insiden::diag::Format::Human);
}

/// The `transition` editor: `[op][key][text]\0[value]`. When an edit is made, it is local
/// ([`edit_is_local`]), readable front matter stays readable, and what was written reads back.
pub fn fuzz_edit(data: &[u8]) {
    const KEYS: &[&str] = &[
        "status",
        "title",
        "owner",
        "summary",
        "handler.name",
        "reporter.contact",
        "tags",
        "history",
    ];
    let [op, k, rest @ ..] = data else { return };
    let Ok(rest) = std::str::from_utf8(rest) else { return };
    let (text, value) = rest.split_once('\0').unwrap_or((rest, "nilai"));
    let cfg = fixed();
    let key = KEYS[usize::from(*k) % KEYS.len()];
    let (result, target) = if op % 2 == 0 {
        let v = match op % 6 {
            0 => Scalar::Str(value.to_owned()),
            2 => Scalar::Bool(value.len() % 2 == 0),
            _ => Scalar::Raw(value.to_owned()),
        };
        (
            insiden::edit::set_field(text, key, v),
            key.split('.').next().unwrap_or(key),
        )
    } else {
        let fields = [
            ("at", Scalar::Raw("2026-07-01T09:00:00+07:00".into())),
            ("to", Scalar::Raw("triage".into())),
            ("by", Scalar::Raw("data".into())),
            ("actor", Scalar::Str("agus".into())),
            ("note", Scalar::Str(value.to_owned())),
        ];
        (insiden::edit::append_history(text, &fields), "history")
    };
    let Ok(out) = result else { return };
    if let Err(e) = edit_is_local(text, &out, target) {
        panic!("{e}\n{text:?}\n→\n{out:?}");
    }
    if front_matter_reads(text, cfg) {
        assert!(
            front_matter_reads(&out, cfg),
            "unreadable after the edit:\n{text:?}\n→\n{out:?}"
        );
        let before = insiden::doc::parse(text, PATH, cfg.timezone).incident;
        let after = insiden::doc::parse(&out, PATH, cfg.timezone).incident;
        if op % 2 == 1 {
            if let (Some(b), Some(a)) = (before, after) {
                assert_eq!(a.history.len(), b.history.len() + 1, "{out:?}");
                assert_eq!(
                    a.history.last().and_then(|e| e.note.clone()).as_deref(),
                    Some(value),
                    "{out:?}"
                );
            }
        } else if op % 6 == 0 && key == "title" {
            assert_eq!(after.map(|i| i.title).as_deref(), Some(value), "{out:?}");
        }
    }
}

/// `markdown::to_html`: never lets script through ([`html_is_safe`]).
pub fn fuzz_markdown(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let html = insiden::markdown::to_html(body, 1, "isi-");
    if let Err(e) = html_is_safe(&html) {
        panic!("{e}\n{body:?}\n→\n{html}");
    }
}

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/Cargo.toml` names them.
pub const TARGETS: &[(&str, Body)] = &[
    ("parse", fuzz_parse),
    ("validate", fuzz_validate),
    ("edit", fuzz_edit),
    ("markdown", fuzz_markdown),
];
