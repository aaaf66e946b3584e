//! Byte-preserving edits to incident text: appending an entry to the `history`
//! sequence of the YAML front matter and adding or replacing a scalar field.
//! This module owns those edits; it never re-serialises the document and only
//! scans enough to locate where to edit (top-level keys, their extent, and the
//! span of the value being changed).
//!
//! It must not reformat, reorder, re-quote or normalise anything it does not
//! edit, must not touch the Markdown body after the closing `---` (even when
//! the body contains `---` or key-looking lines), must not change the BOM, the
//! line-ending style or a missing final newline, and must not panic on any
//! input: whatever it cannot edit safely is reported as an [`EditError`]
//! naming the line to fix. It is not a YAML parser and does not validate the
//! record's schema.

use std::fmt;
use std::fmt::Write as _;

/// An edit that could not be made. `line` is the 1-based line in the whole
/// file (0 when no single line is to blame); `message` says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub line: usize,
    pub message: String,
}

impl EditError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        EditError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for EditError {}

/// A value to write into the front matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text: emitted plain when safe, otherwise double-quoted with escapes.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// Emitted verbatim; must be a valid plain scalar (ids, enum words,
    /// RFC 3339 times, numbers). Obviously unsafe values are rejected.
    Raw(String),
}

// ---------------------------------------------------------------------------
// Scalars

/// Characters that are always written as escapes inside double quotes:
/// control characters, Unicode line/paragraph separators, the BOM,
/// non-characters and bidirectional formatting controls.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// Plain scalars that YAML 1.1 or 1.2 would read as something other than a
/// string (compared case-insensitively).
const SPECIAL_WORDS: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf", "+.inf", "<<", "=",
];

fn plain_is_safe(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().next_back()) else {
        return false;
    };
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_ascii_digit() || first == '+' || first == '.' {
        return false;
    }
    if s.contains(": ") || s.contains(":\t") || s.contains(" #") || s.contains("\t#") {
        return false;
    }
    // Flow indicators are quoted everywhere so the result is also safe inside
    // `{ ... }` and `[ ... ]`; so is `:?`, which libyaml refuses inside a plain scalar in a
    // flow collection (`{ actor: a:? }`).
    if s.contains(":?")
        || s.chars()
            .any(|c| needs_escape(c) || matches!(c, ',' | '[' | ']' | '{' | '}'))
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !SPECIAL_WORDS.contains(&lower.as_str())
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders a string as a YAML scalar that reads back as the same string: plain
/// when safe, otherwise double-quoted (`"..."` with `\"`, `\\`, `\n`, `\t`,
/// `\r` and `\uXXXX` escapes for control and invisible formatting characters).
pub fn yaml_scalar(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

fn raw_is_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if s.chars().any(|c| needs_escape(c) || (c != ' ' && c.is_whitespace()))
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.ends_with(':')
        || s.contains(": ")
        || s.contains(" #")
        || s.contains([',', '[', ']', '{', '}'])
        || b"#&*!|>'\"%@`".contains(&first)
    {
        return false;
    }
    let indicator_then_space = matches!(first, b'-' | b'?' | b':') && matches!(b.get(1), None | Some(b' '));
    !indicator_then_space
}

fn render(value: &Scalar) -> Result<String, EditError> {
    match value {
        Scalar::Str(s) => Ok(yaml_scalar(s)),
        Scalar::Bool(b) => Ok(b.to_string()),
        Scalar::Raw(r) if raw_is_safe(r) => Ok(r.clone()),
        Scalar::Raw(r) => Err(EditError::new(
            0,
            format!("raw value {r:?} is not a safe plain YAML scalar; pass it as Scalar::Str so it gets quoted"),
        )),
    }
}

fn check_key(key: &str) -> Result<&str, EditError> {
    let ok = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(key)
    } else {
        Err(EditError::new(
            0,
            format!("{key:?} is not a usable field name; use letters, digits, `_` or `-`, starting with a letter"),
        ))
    }
}

// ---------------------------------------------------------------------------
// Scanning

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FlowState {
    depth: usize,
    quote: Option<u8>,
}

impl FlowState {
    fn is_open(self) -> bool {
        self.depth > 0 || self.quote.is_some()
    }
}

/// Result of scanning one fragment of a line.
struct Scan {
    /// Offset where the significant text ends (before a comment and the
    /// whitespace preceding it).
    sig_end: usize,
    /// Flow indicators outside quotes: (offset, byte, depth after it).
    events: Vec<(usize, u8, usize)>,
}

/// Scans a fragment that starts where a new token may begin, tracking flow
/// depth and open quotes across calls through `st`.
fn scan(s: &str, st: &mut FlowState) -> Scan {
    let b = s.as_bytes();
    let mut out = Scan {
        sig_end: 0,
        events: Vec::new(),
    };
    let mut i = 0usize;
    let mut prev_ws = true;
    let mut token_start = true;
    while let Some(&c) = b.get(i) {
        if let Some(q) = st.quote {
            if q == b'"' && c == b'\\' {
                i = i.saturating_add(2).min(b.len());
                out.sig_end = i;
                continue;
            }
            if c == q {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    out.sig_end = i;
                    continue;
                }
                st.quote = None;
                token_start = false;
            }
            i += 1;
            out.sig_end = i;
            prev_ws = false;
            continue;
        }
        if c == b' ' || c == b'\t' {
            prev_ws = true;
            i += 1;
            continue;
        }
        if c == b'#' && prev_ws {
            break;
        }
        let in_flow = st.depth > 0;
        if token_start && (c == b'"' || c == b'\'') {
            st.quote = Some(c);
        } else if (in_flow || token_start) && (c == b'[' || c == b'{') {
            st.depth += 1;
            out.events.push((i, c, st.depth));
            token_start = true;
        } else if in_flow && (c == b']' || c == b'}') {
            st.depth -= 1;
            out.events.push((i, c, st.depth));
            token_start = false;
        } else if in_flow && (c == b',' || c == b':') {
            out.events.push((i, c, st.depth));
            token_start = true;
        } else {
            token_start = false;
        }
        prev_ws = false;
        i += 1;
        out.sig_end = i;
    }
    out
}

/// Parses `key:` at the start of `rest`. Returns the key name and the offset
/// of its colon. In flow context a quoted key may be followed directly by the
/// value (`"a":1`).
fn parse_key(rest: &str, flow: bool) -> Option<(String, usize)> {
    let b = rest.as_bytes();
    let first = *b.first()?;
    match first {
        b'"' | b'\'' => {
            let mut i = 1usize;
            loop {
                let c = *b.get(i)?;
                if first == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == first {
                    if first == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            let inner = rest.get(1..i)?;
            let mut j = i + 1;
            while matches!(b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if b.get(j) != Some(&b':') {
                return None;
            }
            if !flow && !matches!(b.get(j + 1), None | Some(b' ' | b'\t')) {
                return None;
            }
            let name = if first == b'\'' {
                inner.replace("''", "'")
            } else {
                inner.to_owned()
            };
            Some((name, j))
        }
        b'[' | b'{' | b']' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' => None,
        _ => {
            for (i, &c) in b.iter().enumerate() {
                if c == b'#' && i > 0 && matches!(b.get(i - 1), Some(b' ' | b'\t')) {
                    return None;
                }
                let sep = match b.get(i + 1) {
                    None | Some(b' ' | b'\t') => true,
                    Some(b',' | b'}' | b']') => flow,
                    _ => false,
                };
                if c == b':' && sep {
                    let name = rest.get(..i)?.trim_end();
                    return (!name.is_empty()).then(|| (name.to_owned(), i));
                }
            }
            None
        }
    }
}

/// `|`, `>-`, `|2+`, optionally preceded by an anchor or tag.
fn is_block_header(value: &str) -> bool {
    let mut toks = value
        .split_whitespace()
        .filter(|t| !t.starts_with('&') && !t.starts_with('!'));
    match (toks.next(), toks.next()) {
        (Some(t), None) => {
            let mut cs = t.chars();
            matches!(cs.next(), Some('|' | '>')) && cs.all(|c| c.is_ascii_digit() || c == '+' || c == '-')
        }
        _ => false,
    }
}

fn is_fence(content: &str) -> bool {
    content.trim_end_matches([' ', '\t', '\r']) == "---"
}

fn is_blank(s: &str) -> bool {
    s.trim_matches([' ', '\t', '\r']).is_empty()
}

fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or("")
}

fn splice(text: &str, start: usize, end: usize, rep: &str) -> Result<String, EditError> {
    match (text.get(..start), text.get(end..)) {
        (Some(head), Some(tail)) if start <= end => {
            let mut out = String::with_capacity(head.len() + rep.len() + tail.len());
            out.push_str(head);
            out.push_str(rep);
            out.push_str(tail);
            Ok(out)
        }
        _ => Err(EditError::new(
            0,
            "internal error: edit position is not on a character boundary; please report this file",
        )),
    }
}

// ---------------------------------------------------------------------------
// Front matter structure

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Byte offset of the first byte.
    start: usize,
    /// End of the content (excludes `\n` / `\r\n`).
    end: usize,
    /// Start of the next line.
    next: usize,
}

fn line_at(text: &str, start: usize) -> Option<Line> {
    let rest = text.get(start..)?;
    if rest.is_empty() {
        return None;
    }
    let (len, next) = match rest.find('\n') {
        Some(i) => (i, start + i + 1),
        None => (rest.len(), text.len()),
    };
    let mut end = start + len;
    if len > 0 && rest.as_bytes().get(len - 1) == Some(&b'\r') {
        end -= 1;
    }
    Some(Line { start, end, next })
}

#[derive(Debug)]
struct Key {
    name: String,
    /// Column (byte offset in the line) where the key starts.
    col: usize,
    /// Absolute byte offset of the `:`.
    colon: usize,
}

#[derive(Debug)]
struct Node {
    indent: usize,
    /// Column of the first `- ` indicator, if any.
    dash: Option<usize>,
    dashes: usize,
    key: Option<Key>,
    /// Absolute byte range of the value (no comment, no trailing blanks).
    value: (usize, usize),
    /// The line leaves a quoted string or flow collection open.
    open: bool,
}

#[derive(Debug)]
enum Kind {
    Fence,
    Blank,
    Comment(usize),
    /// Continuation of a block scalar, multi-line flow collection or quote.
    Cont,
    Node(Node),
}

#[derive(Default)]
struct Classifier {
    st: FlowState,
    block_parent: Option<usize>,
    open_line: usize,
}

impl Classifier {
    fn classify(&mut self, content: &str, base: usize, idx: usize) -> Result<Kind, EditError> {
        if is_blank(content) {
            return Ok(Kind::Blank);
        }
        let indent = content.len() - content.trim_start_matches(' ').len();
        if let Some(parent) = self.block_parent {
            if indent > parent {
                return Ok(Kind::Cont);
            }
            self.block_parent = None;
        }
        if self.st.is_open() {
            scan(content, &mut self.st);
            return Ok(Kind::Cont);
        }
        let rest = content.get(indent..).unwrap_or("");
        if rest.starts_with('#') {
            return Ok(Kind::Comment(indent));
        }
        if rest.starts_with('\t') {
            return Err(EditError::new(
                idx + 1,
                "indentation uses a tab; YAML allows only spaces here, replace the tab with spaces",
            ));
        }
        let bytes = content.as_bytes();
        let mut pos = indent;
        let mut dash = None;
        let mut dashes = 0usize;
        while bytes.get(pos) == Some(&b'-') && matches!(bytes.get(pos + 1), None | Some(b' ' | b'\t')) {
            if dash.is_none() {
                dash = Some(pos);
            }
            dashes += 1;
            pos += 1;
            while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
                pos += 1;
            }
        }
        let after_dash = content.get(pos..).unwrap_or("");
        let (key, vstart) = match parse_key(after_dash, false) {
            Some((name, colon)) => {
                let colon = pos + colon;
                let mut v = colon + 1;
                while matches!(bytes.get(v), Some(b' ' | b'\t')) {
                    v += 1;
                }
                let key = Key {
                    name,
                    col: pos,
                    colon: base + colon,
                };
                (Some(key), v)
            }
            None => (None, pos),
        };
        let frag = content.get(vstart..).unwrap_or("");
        let sc = scan(frag, &mut self.st);
        let open = self.st.is_open();
        if open {
            self.open_line = idx;
        }
        let vtext = frag.get(..sc.sig_end).unwrap_or("");
        if !open && is_block_header(vtext) {
            let parent = key.as_ref().map_or(dash.unwrap_or(indent), |k| k.col);
            self.block_parent = Some(parent);
        }
        Ok(Kind::Node(Node {
            indent,
            dash,
            dashes,
            key,
            value: (base + vstart, base + vstart + sc.sig_end),
            open,
        }))
    }
}

/// A top-level key and the lines it owns.
#[derive(Debug)]
struct Seg {
    name: String,
    /// Index of the `key:` line.
    line: usize,
    /// Index of the last line belonging to the value (trailing blank lines and
    /// column-0 comments are not included).
    last: usize,
}

struct Doc<'a> {
    text: &'a str,
    nl: &'static str,
    lines: Vec<Line>,
    kinds: Vec<Kind>,
    close: usize,
    segs: Vec<Seg>,
}

impl<'a> Doc<'a> {
    fn parse(text: &'a str) -> Result<Self, EditError> {
        let start = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let no_front_matter = || {
            EditError::new(
                usize::from(text.len() > start),
                "no front matter: the file must start with a `---` line, then the fields, then a closing `---` line",
            )
        };
        let open = line_at(text, start).ok_or_else(no_front_matter)?;
        if !is_fence(slice(text, open.start, open.end)) {
            return Err(no_front_matter());
        }
        let nl = if slice(text, open.end, open.next) == "\r\n" {
            "\r\n"
        } else {
            "\n"
        };
        let mut lines = vec![open];
        let mut kinds = vec![Kind::Fence];
        let mut cls = Classifier::default();
        let mut pos = open.next;
        let close = loop {
            let Some(line) = line_at(text, pos) else {
                return Err(EditError::new(
                    1,
                    "the front matter opened here is never closed; add a line `---` after the last field",
                ));
            };
            let idx = lines.len();
            let content = slice(text, line.start, line.end);
            lines.push(line);
            if is_fence(content) {
                kinds.push(Kind::Fence);
                break idx;
            }
            kinds.push(cls.classify(content, line.start, idx)?);
            pos = line.next;
        };
        if cls.st.is_open() {
            return Err(EditError::new(
                cls.open_line + 1,
                "a quoted string or flow collection starting on this line is not closed before the closing `---`; close it",
            ));
        }
        let mut segs: Vec<Seg> = Vec::new();
        for (idx, kind) in kinds.iter().enumerate().take(close).skip(1) {
            match kind {
                Kind::Node(n) if n.indent == 0 && n.dash.is_none() => {
                    let Some(k) = &n.key else {
                        return Err(EditError::new(
                            idx + 1,
                            "expected a top-level `key: value` line; indent continuation lines or fix the key",
                        ));
                    };
                    if let Some(prev) = segs.iter().find(|s| s.name == k.name) {
                        return Err(EditError::new(
                            idx + 1,
                            format!(
                                "top-level key `{}` appears twice (lines {} and {}); remove or merge one of them",
                                k.name,
                                prev.line + 1,
                                idx + 1
                            ),
                        ));
                    }
                    segs.push(Seg {
                        name: k.name.clone(),
                        line: idx,
                        last: idx,
                    });
                }
                Kind::Fence | Kind::Blank | Kind::Comment(0) => {}
                Kind::Comment(_) => {
                    if let Some(s) = segs.last_mut() {
                        s.last = idx;
                    }
                }
                Kind::Cont | Kind::Node(_) => match segs.last_mut() {
                    Some(s) => s.last = idx,
                    None => {
                        return Err(EditError::new(
                            idx + 1,
                            "indented text before the first top-level key; start the front matter with a `key: value` line",
                        ));
                    }
                },
            }
        }
        Ok(Doc {
            text,
            nl,
            lines,
            kinds,
            close,
            segs,
        })
    }

    fn seg(&self, name: &str) -> Option<&Seg> {
        self.segs.iter().find(|s| s.name == name)
    }

    fn node(&self, idx: usize) -> Option<&Node> {
        match self.kinds.get(idx) {
            Some(Kind::Node(n)) => Some(n),
            _ => None,
        }
    }

    fn key_node(&self, idx: usize) -> Result<(&Node, &Key), EditError> {
        match self.node(idx) {
            Some(n @ Node { key: Some(k), .. }) => Ok((n, k)),
            _ => Err(EditError::new(
                idx + 1,
                "internal error: expected a `key:` line here; please report this file",
            )),
        }
    }

    fn line(&self, idx: usize) -> Result<Line, EditError> {
        self.lines
            .get(idx)
            .copied()
            .ok_or_else(|| EditError::new(0, "internal error: line index out of range; please report this file"))
    }

    fn value_text(&self, n: &Node) -> &'a str {
        slice(self.text, n.value.0, n.value.1)
    }

    /// Indices of value lines (nodes and continuations) in `from..=to`.
    fn content_lines(&self, from: usize, to: usize) -> Vec<usize> {
        (from..=to)
            .filter(|&i| matches!(self.kinds.get(i), Some(Kind::Node(_) | Kind::Cont)))
            .collect()
    }

    /// Where a new top-level key goes: before `history:` (and before the
    /// blank lines and column-0 comments directly above it), or else just
    /// before the closing `---`.
    fn new_key_point(&self) -> Result<usize, EditError> {
        match self.seg("history") {
            Some(h) => {
                let mut i = h.line;
                while i > 1 && matches!(self.kinds.get(i - 1), Some(Kind::Blank | Kind::Comment(0))) {
                    i -= 1;
                }
                Ok(self.line(i)?.start)
            }
            None => Ok(self.line(self.close)?.start),
        }
    }

    /// Replaces the value of the `key:` line `idx` whose value extends to line
    /// `last`: in place when it is a one-line value, otherwise the lines are
    /// replaced by the single line `key: value`.
    fn replace_value(&self, idx: usize, last: usize, value: &str) -> Result<String, EditError> {
        let (n, k) = self.key_node(idx)?;
        let multi = n.open || !self.content_lines(idx + 1, last).is_empty();
        if multi {
            let first = self.line(idx)?;
            let end = self.line(last)?.next;
            let prefix = slice(self.text, first.start, k.colon);
            let rep = format!("{prefix}: {value}{}", self.nl);
            splice(self.text, first.start, end, &rep)
        } else if n.value.0 == n.value.1 {
            splice(self.text, k.colon + 1, k.colon + 1, &format!(" {value}"))
        } else {
            splice(self.text, n.value.0, n.value.1, value)
        }
    }
}

// ---------------------------------------------------------------------------
// Flow collections on one line

/// Locates the closing bracket of a single-line flow collection that spans the
/// whole of `vtext` (which starts with `[` or `{`).
fn flow_close(vtext: &str, line: usize, what: &str) -> Result<Scan, EditError> {
    let sc = scan(vtext, &mut FlowState::default());
    let close = sc.events.iter().find(|e| e.2 == 0).map(|e| e.0);
    if close.map(|c| c + 1) != Some(vtext.len()) {
        return Err(EditError::new(
            line,
            format!(
                "unexpected text around the {what}; keep it a single `[...]` or `{{...}}` followed only by a comment"
            ),
        ));
    }
    Ok(sc)
}

/// Offset just after the last non-blank byte before `close`, and whether that
/// byte is a comma.
fn before_close(vtext: &str, close: usize) -> (usize, bool) {
    let head = vtext.get(..close).unwrap_or("");
    let trimmed = head.trim_end_matches([' ', '\t']);
    (trimmed.len(), trimmed.ends_with(','))
}

fn brace_spaced(after_brace: Option<&u8>) -> bool {
    matches!(after_brace, None | Some(b' ' | b'}'))
}

fn flow_map(fields: &[(String, String)], spaced: bool) -> String {
    let inner = fields
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    if spaced {
        format!("{{ {inner} }}")
    } else {
        format!("{{{inner}}}")
    }
}

fn unquote_key(k: &str) -> String {
    let b = k.as_bytes();
    match (b.first(), b.last()) {
        (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\'')) if b.len() >= 2 => {
            let inner = k.get(1..k.len() - 1).unwrap_or("");
            if b.first() == Some(&b'\'') {
                inner.replace("''", "'")
            } else {
                inner.to_owned()
            }
        }
        _ => k.to_owned(),
    }
}

/// Sets `child` inside the one-line flow mapping `vtext` found at absolute
/// offset `base` on line `line`.
fn set_in_flow_map(
    doc: &Doc<'_>,
    base: usize,
    vtext: &str,
    line: usize,
    child: &str,
    value: &str,
) -> Result<String, EditError> {
    let sc = flow_close(vtext, line, "flow mapping")?;
    let close = vtext.len().saturating_sub(1);
    let b = vtext.as_bytes();
    let mut bounds = vec![0usize];
    bounds.extend(sc.events.iter().filter(|e| e.1 == b',' && e.2 == 1).map(|e| e.0));
    bounds.push(close);
    // (value start, value end, whether the entry has a `:`)
    let mut found: Option<(usize, usize, bool)> = None;
    for pair in bounds.windows(2) {
        let &[open, z] = pair else {
            continue;
        };
        let a = open + 1;
        let raw = vtext.get(a..z).unwrap_or("");
        let es = a + (raw.len() - raw.trim_start_matches([' ', '\t']).len());
        let ee = a + raw.trim_end_matches([' ', '\t']).len();
        if es >= ee {
            continue;
        }
        let colon = sc.events.iter().copied().find(|&(p, c, d)| {
            c == b':'
                && d == 1
                && p >= es
                && p < ee
                && (matches!(b.get(p + 1), None | Some(b' ' | b'\t' | b',' | b'}'))
                    || matches!(p.checked_sub(1).and_then(|q| b.get(q)), Some(b'"' | b'\'')))
        });
        let key_end = colon.map_or(ee, |c| c.0);
        let name = unquote_key(vtext.get(es..key_end).unwrap_or("").trim_end());
        if name != child {
            continue;
        }
        if found.is_some() {
            return Err(EditError::new(
                line,
                format!("`{child}` appears twice in this flow mapping; remove one of them"),
            ));
        }
        found = Some(match colon {
            Some((p, _, _)) => {
                let mut vs = p + 1;
                while vs < ee && matches!(b.get(vs), Some(b' ' | b'\t')) {
                    vs += 1;
                }
                (vs, ee, true)
            }
            None => (ee, ee, false),
        });
    }
    match found {
        Some((vs, ve, has_colon)) if vs == ve => {
            let rep = if has_colon {
                format!(" {value}")
            } else {
                format!(": {value}")
            };
            splice(doc.text, base + ve, base + ve, &rep)
        }
        Some((vs, ve, _)) => splice(doc.text, base + vs, base + ve, value),
        None => {
            let inner = vtext.get(1..close).unwrap_or("");
            if is_blank(inner) {
                let rep = format!("{{ {child}: {value} }}");
                splice(doc.text, base, base + vtext.len(), &rep)
            } else {
                let (at, comma) = before_close(vtext, close);
                // After an entry with an empty value (`key: }`) the colon keeps its space:
                // YAML reads `key:,` differently from `key: ,` (found by the `edit` fuzz target).
                let empty_value = vtext.get(..at).is_some_and(|h| h.ends_with(':'));
                let rep = if comma {
                    format!(" {child}: {value}")
                } else if empty_value {
                    format!(" , {child}: {value}")
                } else {
                    format!(", {child}: {value}")
                };
                splice(doc.text, base + at, base + at, &rep)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Public edits

enum EntryStyle {
    Flow { spaced: bool },
    Block { key_col: usize },
}

/// Appends one entry at the end of the `history` sequence. `fields` are in
/// output order (e.g. at, to, by, actor, note). The new entry copies the style
/// of the last existing entry (one-line flow mapping or block mapping with the
/// same indentation); a one-line flow sequence gets `, { ... }` before its
/// closing `]`; a missing `history` is added at the end of the front matter.
/// Every other byte of the file is unchanged.
pub fn append_history(text: &str, fields: &[(&str, Scalar)]) -> Result<String, EditError> {
    if fields.is_empty() {
        return Err(EditError::new(
            0,
            "no fields given for the history entry; pass at least `at` and `to`",
        ));
    }
    let rendered = fields
        .iter()
        .map(|(k, v)| Ok((check_key(k)?.to_owned(), render(v)?)))
        .collect::<Result<Vec<_>, EditError>>()?;
    let doc = Doc::parse(text)?;
    let nl = doc.nl;
    let Some(seg) = doc.seg("history") else {
        let at = doc.line(doc.close)?.start;
        let ins = format!("history:{nl}  - {}{nl}", flow_map(&rendered, true));
        return splice(text, at, at, &ins);
    };
    let hline = seg.line + 1;
    let (node, _) = doc.key_node(seg.line)?;
    let vtext = doc.value_text(node);
    let body = doc.content_lines(seg.line + 1, seg.last);

    if vtext.starts_with('[') {
        if node.open {
            return Err(EditError::new(
                hline,
                "`history` is a multi-line flow sequence `[ ... ]`; rewrite it in block style (one `- { ... }` entry per line) and retry",
            ));
        }
        if let Some(&i) = body.first() {
            return Err(EditError::new(
                i + 1,
                "unexpected indented text after the one-line `history: [ ... ]`; remove it or use block style",
            ));
        }
        let sc = flow_close(vtext, hline, "`history` flow sequence")?;
        let close = vtext.len().saturating_sub(1);
        let spaced = sc
            .events
            .iter()
            .rev()
            .find(|e| e.1 == b'{' && e.2 == 2)
            .is_none_or(|e| brace_spaced(vtext.as_bytes().get(e.0 + 1)));
        let entry = flow_map(&rendered, spaced);
        let base = node.value.0;
        if is_blank(vtext.get(1..close).unwrap_or("")) {
            return splice(text, base, base + vtext.len(), &format!("[{entry}]"));
        }
        let (at, comma) = before_close(vtext, close);
        let rep = if comma {
            format!(" {entry}")
        } else {
            format!(", {entry}")
        };
        return splice(text, base + at, base + at, &rep);
    }
    if !vtext.is_empty() {
        return Err(EditError::new(
            hline,
            "`history` is not a sequence; it must be a list of `- { at: ..., to: ... }` entries",
        ));
    }
    let insert_at = doc.line(seg.last)?.next;
    let Some(&first) = body.first() else {
        // `history:` with no entries yet.
        let ins = format!("  - {}{nl}", flow_map(&rendered, true));
        return splice(text, insert_at, insert_at, &ins);
    };
    let item_col = match doc.node(first) {
        Some(n) if n.dash == Some(n.indent) => n.indent,
        _ => {
            return Err(EditError::new(
                first + 1,
                "`history` must be a sequence whose entries start with `- `",
            ));
        }
    };
    let is_item = |i: usize| {
        doc.node(i)
            .is_some_and(|n| n.indent == item_col && n.dash == Some(item_col))
    };
    let last_item = body.iter().rev().copied().find(|&i| is_item(i)).unwrap_or(first);
    let not_mapping = || {
        EditError::new(
            last_item + 1,
            "this `history` entry is not a mapping; entries must look like `- { at: ..., to: ... }` or `- at: ...`",
        )
    };
    let n = doc.node(last_item).ok_or_else(not_mapping)?;
    if n.dashes > 1 {
        return Err(not_mapping());
    }
    let item_text = doc.value_text(n);
    let style = if let Some(k) = &n.key {
        EntryStyle::Block { key_col: k.col }
    } else if item_text.starts_with('{') {
        EntryStyle::Flow {
            spaced: brace_spaced(item_text.as_bytes().get(1)),
        }
    } else if item_text.is_empty() {
        let next = body.iter().copied().find(|&i| i > last_item);
        match next.and_then(|i| doc.node(i)) {
            Some(m) if m.key.is_some() && m.dash.is_none() && m.indent > item_col => {
                EntryStyle::Block { key_col: m.indent }
            }
            _ => return Err(not_mapping()),
        }
    } else {
        return Err(not_mapping());
    };
    let ins = match style {
        EntryStyle::Flow { spaced } => format!("{}- {}{nl}", " ".repeat(item_col), flow_map(&rendered, spaced)),
        EntryStyle::Block { key_col } => {
            let gap = key_col.saturating_sub(item_col + 1).max(1);
            let mut out = String::new();
            for (i, (k, v)) in rendered.iter().enumerate() {
                if i == 0 {
                    out.push_str(&" ".repeat(item_col));
                    out.push('-');
                    out.push_str(&" ".repeat(gap));
                } else {
                    out.push_str(&" ".repeat(item_col + 1 + gap));
                }
                let _ = write!(out, "{k}: {v}{nl}");
            }
            out
        }
    };
    splice(text, insert_at, insert_at, &ins)
}

/// Adds or replaces a scalar field. `key` is a top-level key (`status`) or a
/// dotted key of two levels (`handler.type`). A replaced value changes only
/// the value part of its line (a trailing comment is kept); a multi-line or
/// block-scalar value is replaced by the single line `key: value`. New
/// top-level keys go just before `history:` (or at the end of the front
/// matter). Setting `history` is refused.
pub fn set_field(text: &str, key: &str, value: Scalar) -> Result<String, EditError> {
    let value = render(&value)?;
    let parts: Vec<&str> = key.split('.').collect();
    for p in &parts {
        check_key(p)?;
    }
    if parts.first() == Some(&"history") {
        return Err(EditError::new(
            0,
            "`history` cannot be set as a field; use append_history to add an entry",
        ));
    }
    let doc = Doc::parse(text)?;
    let nl = doc.nl;
    match parts.as_slice() {
        [top] => match doc.seg(top) {
            Some(seg) => doc.replace_value(seg.line, seg.last, &value),
            None => {
                let at = doc.new_key_point()?;
                splice(text, at, at, &format!("{top}: {value}{nl}"))
            }
        },
        [parent, child] => set_child(&doc, parent, child, &value),
        _ => Err(EditError::new(
            0,
            format!("`{key}` has more than two levels; only `key` or `parent.child` can be set"),
        )),
    }
}

/// Sets the top-level list field `key` to `items` (each rendered as [`yaml_scalar`] does). A
/// block sequence (`- item` lines) stays a block sequence at the same indentation; a flow
/// sequence `[...]` (or any other value) becomes a one-line flow sequence, keeping a space
/// inside the brackets when the old one had it and a trailing comment. A missing key is added
/// as `key: [...]` before `history:`. Only the lines of the value change.
pub fn set_list(text: &str, key: &str, items: &[String]) -> Result<String, EditError> {
    check_key(key)?;
    if key == "history" {
        return Err(EditError::new(
            0,
            "`history` cannot be set as a field; use append_history to add an entry",
        ));
    }
    let rendered: Vec<String> = items.iter().map(|i| yaml_scalar(i)).collect();
    let flow = |spaced: bool| match (rendered.is_empty(), spaced) {
        (true, _) => "[]".to_owned(),
        (false, true) => format!("[ {} ]", rendered.join(", ")),
        (false, false) => format!("[{}]", rendered.join(", ")),
    };
    let doc = Doc::parse(text)?;
    let nl = doc.nl;
    let Some(seg) = doc.seg(key) else {
        let at = doc.new_key_point()?;
        return splice(text, at, at, &format!("{key}: {}{nl}", flow(false)));
    };
    let (node, _) = doc.key_node(seg.line)?;
    let vtext = doc.value_text(node);
    let body = doc.content_lines(seg.line + 1, seg.last);
    let block_indent = match (vtext.is_empty(), body.first().and_then(|&i| doc.node(i))) {
        (true, Some(n)) if n.dash == Some(n.indent) => Some(n.indent),
        _ => None,
    };
    match (block_indent, body.first(), body.last()) {
        (Some(indent), Some(&first), Some(&last)) if !rendered.is_empty() => {
            let start = doc.line(first)?.start;
            let end = doc.line(last)?.next;
            let rep: String = rendered
                .iter()
                .map(|r| format!("{}- {r}{nl}", " ".repeat(indent)))
                .collect();
            splice(text, start, end, &rep)
        }
        _ => doc.replace_value(seg.line, seg.last, &flow(vtext.starts_with("[ "))),
    }
}

struct Child {
    name: String,
    line: usize,
    last: usize,
}

fn set_child(doc: &Doc<'_>, parent: &str, child: &str, value: &str) -> Result<String, EditError> {
    let nl = doc.nl;
    let Some(seg) = doc.seg(parent) else {
        let at = doc.new_key_point()?;
        return splice(doc.text, at, at, &format!("{parent}:{nl}  {child}: {value}{nl}"));
    };
    let pline = seg.line + 1;
    let (node, _) = doc.key_node(seg.line)?;
    let vtext = doc.value_text(node);
    let body = doc.content_lines(seg.line + 1, seg.last);
    let not_mapping = |line: usize| {
        EditError::new(
            line,
            format!(
                "`{parent}` is not a mapping, so `{parent}.{child}` cannot be set; make `{parent}` a mapping (indented `key: value` lines) first"
            ),
        )
    };

    if vtext.starts_with('{') {
        if node.open {
            return Err(EditError::new(
                pline,
                format!("`{parent}` is a multi-line flow mapping; rewrite it on one line or in block style and retry"),
            ));
        }
        if let Some(&i) = body.first() {
            return Err(not_mapping(i + 1));
        }
        return set_in_flow_map(doc, node.value.0, vtext, pline, child, value);
    }
    if !vtext.is_empty() {
        return Err(not_mapping(pline));
    }
    let Some(&first) = body.first() else {
        // `parent:` with an empty (null) value becomes a block mapping.
        let at = doc.line(seg.last)?.next;
        return splice(doc.text, at, at, &format!("  {child}: {value}{nl}"));
    };
    let child_indent = match doc.node(first) {
        Some(n) if n.key.is_some() && n.dash.is_none() => n.indent,
        _ => return Err(not_mapping(first + 1)),
    };
    let mut children: Vec<Child> = Vec::new();
    for &i in &body {
        match doc.node(i) {
            Some(n) if n.indent == child_indent => match (&n.key, n.dash) {
                (Some(k), None) => {
                    if let Some(prev) = children.iter().find(|c| c.name == k.name) {
                        return Err(EditError::new(
                            i + 1,
                            format!(
                                "`{parent}.{}` appears twice (lines {} and {}); remove one of them",
                                k.name,
                                prev.line + 1,
                                i + 1
                            ),
                        ));
                    }
                    children.push(Child {
                        name: k.name.clone(),
                        line: i,
                        last: i,
                    });
                }
                _ => return Err(not_mapping(i + 1)),
            },
            Some(n) if n.indent < child_indent => {
                return Err(EditError::new(
                    i + 1,
                    format!("unexpected indentation inside `{parent}`; align it with the other entries"),
                ));
            }
            _ => {
                if let Some(c) = children.last_mut() {
                    c.last = i;
                }
            }
        }
    }
    if let Some(c) = children.iter().find(|c| c.name == child) {
        return doc.replace_value(c.line, c.last, value);
    }
    let last = children.last().map_or(seg.last, |c| c.last);
    let at = doc.line(last)?.next;
    splice(
        doc.text,
        at,
        at,
        &format!("{}{child}: {value}{nl}", " ".repeat(child_indent)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = concat!(
        "---\n",
        "id: INC-2026-0007\n",
        "title: Defacement pada situs desa \"sumberagung\"\n",
        "status: triage\n",
        "reported_at: 2026-01-21T09:15:00+07:00\n",
        "reporter: { name: Budi, organization: Pemdes Sumberagung, contact: budi@example.org }\n",
        "owner: Diskominfo - Bidang Aplikasi         # a comment\n",
        "assets: [https://sumberagung.trenggalekkab.go.id]\n",
        "handler:\n",
        "  type: internal\n",
        "  name: Tim CSIRT\n",
        "history:\n",
        "  - { at: 2026-01-21T09:15:00+07:00, to: reported,   by: helpdesk, actor: siti }\n",
        "  - { at: 2026-01-21T10:02:00+07:00, to: registered, by: helpdesk, actor: siti }\n",
        "  - at: 2026-01-21T13:40:00+07:00\n",
        "    to: triage\n",
        "    by: data\n",
        "    actor: agus\n",
        "    note: Masuk aplikasi\n",
        "---\n",
        "## Laporan\n",
        "body text, which may itself contain a line `---`\n",
    );

    fn entry(at: &str, to: &str) -> Vec<(&'static str, Scalar)> {
        vec![
            ("at", Scalar::Raw(at.to_owned())),
            ("to", Scalar::Raw(to.to_owned())),
            ("by", Scalar::Str("data".to_owned())),
        ]
    }

    fn flow_doc(nl: &str) -> String {
        [
            "---",
            "id: INC-2026-0001",
            "status: registered",
            "history:",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }",
            "  - { at: 2026-01-21T10:02:00+07:00, to: registered }",
            "---",
            "body",
            "",
        ]
        .join(nl)
    }

    // ---- append_history ----------------------------------------------------

    #[test]
    fn appends_flow_entry_after_last_flow_item() {
        let out = append_history(&flow_doc("\n"), &entry("2026-01-22T08:00:00+07:00", "triage")).expect("append");
        let expected = concat!(
            "---\n",
            "id: INC-2026-0001\n",
            "status: registered\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "  - { at: 2026-01-21T10:02:00+07:00, to: registered }\n",
            "  - { at: 2026-01-22T08:00:00+07:00, to: triage, by: data }\n",
            "---\n",
            "body\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_flow_entry_keeping_crlf() {
        let out = append_history(&flow_doc("\r\n"), &entry("2026-01-22T08:00:00+07:00", "triage")).expect("append");
        let expected = concat!(
            "---\r\n",
            "id: INC-2026-0001\r\n",
            "status: registered\r\n",
            "history:\r\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\r\n",
            "  - { at: 2026-01-21T10:02:00+07:00, to: registered }\r\n",
            "  - { at: 2026-01-22T08:00:00+07:00, to: triage, by: data }\r\n",
            "---\r\n",
            "body\r\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_block_entry_with_same_key_indentation() {
        let fields = vec![
            ("at", Scalar::Raw("2026-01-22T08:00:00+07:00".to_owned())),
            ("to", Scalar::Raw("containment".to_owned())),
            ("by", Scalar::Str("data".to_owned())),
            ("actor", Scalar::Str("agus".to_owned())),
            ("note", Scalar::Str("Server diisolasi: jaringan diputus".to_owned())),
        ];
        let out = append_history(SAMPLE, &fields).expect("append");
        let expected = SAMPLE.replace(
            "    note: Masuk aplikasi\n---\n",
            concat!(
                "    note: Masuk aplikasi\n",
                "  - at: 2026-01-22T08:00:00+07:00\n",
                "    to: containment\n",
                "    by: data\n",
                "    actor: agus\n",
                "    note: \"Server diisolasi: jaringan diputus\"\n",
                "---\n",
            ),
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_block_entry_to_indentless_sequence() {
        let text = concat!(
            "---\n",
            "history:\n",
            "- at: 2026-01-21T09:15:00+07:00\n",
            "  to: reported\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history:\n",
            "- at: 2026-01-21T09:15:00+07:00\n",
            "  to: reported\n",
            "- at: 2026-01-22T08:00:00+07:00\n",
            "  to: registered\n",
            "  by: data\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_after_last_entry_not_after_trailing_comment_and_next_key() {
        let text = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "\n",
            "# reviewed by lead\n",
            "severity: high\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "  - { at: 2026-01-22T08:00:00+07:00, to: registered, by: data }\n",
            "\n",
            "# reviewed by lead\n",
            "severity: high\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_after_indented_comment_that_belongs_to_history() {
        let text = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "  # next: escalate\n",
            "owner: CSIRT\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "  # next: escalate\n",
            "  - { at: 2026-01-22T08:00:00+07:00, to: registered, by: data }\n",
            "owner: CSIRT\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_when_history_is_not_the_last_key() {
        let text = concat!(
            "---\n",
            "id: INC-2026-0002\n",
            "history:\n",
            "    -   {at: 2026-01-21T09:15:00+07:00, to: reported}\n",
            "status: reported\n",
            "tags: [web]\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "id: INC-2026-0002\n",
            "history:\n",
            "    -   {at: 2026-01-21T09:15:00+07:00, to: reported}\n",
            "    - {at: 2026-01-22T08:00:00+07:00, to: registered, by: data}\n",
            "status: reported\n",
            "tags: [web]\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_after_block_scalar_note_in_last_entry() {
        let text = concat!(
            "---\n",
            "history:\n",
            "  - at: 2026-01-21T09:15:00+07:00\n",
            "    note: |\n",
            "      - looks like an item\n",
            "      key: [not flow\n",
            "\n",
            "status: x\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history:\n",
            "  - at: 2026-01-21T09:15:00+07:00\n",
            "    note: |\n",
            "      - looks like an item\n",
            "      key: [not flow\n",
            "  - at: 2026-01-22T08:00:00+07:00\n",
            "    to: registered\n",
            "    by: data\n",
            "\n",
            "status: x\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_one_line_flow_entry_after_multi_line_flow_entry() {
        let text = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00,\n",
            "      to: reported }\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history:\n",
            "  - { at: 2026-01-21T09:15:00+07:00,\n",
            "      to: reported }\n",
            "  - { at: 2026-01-22T08:00:00+07:00, to: registered, by: data }\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn inserts_into_one_line_flow_sequence_before_closing_bracket() {
        let text = concat!(
            "---\n",
            "history: [ { at: 2026-01-21T09:15:00+07:00, to: reported } ]  # compact\n",
            "---\n",
        );
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let expected = concat!(
            "---\n",
            "history: [ { at: 2026-01-21T09:15:00+07:00, to: reported }, { at: 2026-01-22T08:00:00+07:00, to: registered, by: data } ]  # compact\n",
            "---\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn fills_empty_flow_sequence() {
        let text = "---\nid: X\nhistory: []\n---\n";
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "reported")).expect("append");
        assert_eq!(
            out,
            "---\nid: X\nhistory: [{ at: 2026-01-22T08:00:00+07:00, to: reported, by: data }]\n---\n"
        );
    }

    #[test]
    fn refuses_multi_line_flow_sequence_naming_its_line() {
        let text = concat!(
            "---\n",
            "id: X\n",
            "history: [\n",
            "  { at: 2026-01-21T09:15:00+07:00, to: reported }\n",
            "]\n",
            "---\n",
        );
        let err = append_history(text, &entry("2026-01-22T08:00:00+07:00", "registered")).expect_err("multi-line flow");
        assert_eq!(err.line, 3);
        assert!(err.message.contains("block style"), "{}", err.message);
    }

    #[test]
    fn adds_history_at_end_of_front_matter_when_missing() {
        let text = "---\nid: X\n# trailing note\n---\nbody";
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "reported")).expect("append");
        assert_eq!(
            out,
            "---\nid: X\n# trailing note\nhistory:\n  - { at: 2026-01-22T08:00:00+07:00, to: reported, by: data }\n---\nbody"
        );
    }

    #[test]
    fn fills_null_history() {
        let text = "---\nhistory:   # none yet\nid: X\n---\n";
        let out = append_history(text, &entry("2026-01-22T08:00:00+07:00", "reported")).expect("append");
        assert_eq!(
            out,
            "---\nhistory:   # none yet\n  - { at: 2026-01-22T08:00:00+07:00, to: reported, by: data }\nid: X\n---\n"
        );
    }

    #[test]
    fn preserves_bom_and_missing_final_newline() {
        let text = "\u{feff}---\r\nhistory:\r\n  - { to: reported }\r\n---\r\nbody without newline";
        let out = append_history(text, &[("to", Scalar::Raw("registered".to_owned()))]).expect("append");
        assert_eq!(
            out,
            "\u{feff}---\r\nhistory:\r\n  - { to: reported }\r\n  - { to: registered }\r\n---\r\nbody without newline"
        );
    }

    #[test]
    fn keeps_missing_newline_after_closing_fence() {
        let text = "---\nhistory:\n  - { to: reported }\n---";
        let out = append_history(text, &[("to", Scalar::Raw("registered".to_owned()))]).expect("append");
        assert_eq!(out, "---\nhistory:\n  - { to: reported }\n  - { to: registered }\n---");
    }

    #[test]
    fn body_with_fences_and_history_lines_is_untouched() {
        let body = concat!(
            "## Kronologi\n",
            "---\n",
            "history:\n",
            "  - { at: 1999-01-01, to: fake }\n",
            "status: not-front-matter\n",
            "---\n",
        );
        let text = format!("---\nid: X\nhistory:\n  - {{ to: reported }}\n---\n{body}");
        let out = append_history(&text, &[("to", Scalar::Raw("registered".to_owned()))]).expect("append");
        assert_eq!(
            out,
            format!("---\nid: X\nhistory:\n  - {{ to: reported }}\n  - {{ to: registered }}\n---\n{body}")
        );
        let out = set_field(&text, "status", Scalar::Raw("triage".to_owned())).expect("set");
        assert_eq!(
            out,
            format!("---\nid: X\nstatus: triage\nhistory:\n  - {{ to: reported }}\n---\n{body}")
        );
    }

    #[test]
    fn comments_and_odd_quoting_elsewhere_are_untouched() {
        let text = concat!(
            "---\n",
            "# leading comment\n",
            "title: 'It''s \"odd\" # not a comment'   # real comment\n",
            "summary: \"multi\n",
            "  line: [quoted\"\n",
            "'quoted key': { a: \"}\", b: '[' }\n",
            "desc: >-\n",
            "  folded text with history:\n",
            "  - and a dash\n",
            "history:\n",
            "  - { to: reported, note: \"a, b\" }   # first\n",
            "---\n",
        );
        let out = append_history(
            text,
            &[
                ("to", Scalar::Raw("registered".to_owned())),
                ("note", Scalar::Str("cek log, \"akses\"".to_owned())),
            ],
        )
        .expect("append");
        let expected = text.replace(
            "# first\n",
            "# first\n  - { to: registered, note: \"cek log, \\\"akses\\\"\" }\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn appends_in_history_order_of_fields_with_bool() {
        let text = "---\nhistory:\n  - { to: reported }\n---\n";
        let out = append_history(
            text,
            &[
                ("to", Scalar::Raw("closed".to_owned())),
                ("public", Scalar::Bool(false)),
            ],
        )
        .expect("append");
        assert_eq!(
            out,
            "---\nhistory:\n  - { to: reported }\n  - { to: closed, public: false }\n---\n"
        );
    }

    #[test]
    fn refuses_history_that_is_not_a_sequence() {
        let text = "---\nid: X\nhistory: none\n---\n";
        let err = append_history(text, &[("to", Scalar::Raw("x".to_owned()))]).expect_err("scalar");
        assert_eq!(err.line, 3);
        let text = "---\nhistory:\n  at: x\n---\n";
        let err = append_history(text, &[("to", Scalar::Raw("x".to_owned()))]).expect_err("map");
        assert_eq!(err.line, 3);
        let text = "---\nhistory:\n  - reported\n---\n";
        let err = append_history(text, &[("to", Scalar::Raw("x".to_owned()))]).expect_err("item");
        assert_eq!(err.line, 3);
    }

    #[test]
    fn refuses_empty_fields_and_unsafe_raw_values() {
        let text = "---\nhistory: []\n---\n";
        assert_eq!(append_history(text, &[]).expect_err("empty").line, 0);
        let err = append_history(text, &[("to", Scalar::Raw("a, b".to_owned()))]).expect_err("raw with comma");
        assert!(err.message.contains("Scalar::Str"), "{}", err.message);
        assert!(append_history(text, &[("bad key", Scalar::Bool(true))]).is_err());
    }

    // ---- set_field ---------------------------------------------------------

    #[test]
    fn replaces_value_keeping_trailing_comment() {
        let text = "---\nid: X\nstatus: triage  # comment\nhistory: []\n---\n";
        let out = set_field(text, "status", Scalar::Raw("containment".to_owned())).expect("set");
        assert_eq!(out, "---\nid: X\nstatus: containment  # comment\nhistory: []\n---\n");
    }

    #[test]
    fn replaces_quoted_value_with_quoted_text() {
        let out = set_field(SAMPLE, "title", Scalar::Str("Defacement: situs desa #2".to_owned())).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "title: Defacement pada situs desa \"sumberagung\"\n",
                "title: \"Defacement: situs desa #2\"\n"
            )
        );
    }

    #[test]
    fn fills_empty_value_before_comment() {
        let text = "---\nowner: # to be assigned\n---\n";
        let out = set_field(text, "owner", Scalar::Str("CSIRT".to_owned())).expect("set");
        assert_eq!(out, "---\nowner: CSIRT # to be assigned\n---\n");
    }

    #[test]
    fn replaces_block_scalar_with_single_line() {
        let text = concat!(
            "---\n",
            "summary: |\n",
            "  line one\n",
            "  line two\n",
            "status: triage\n",
            "---\n",
        );
        let out = set_field(text, "summary", Scalar::Str("satu baris".to_owned())).expect("set");
        assert_eq!(out, "---\nsummary: satu baris\nstatus: triage\n---\n");
    }

    #[test]
    fn replaces_multi_line_flow_value_with_single_line_in_crlf() {
        let text = "---\r\nassets: [\r\n  a,\r\n  b\r\n]\r\nid: X\r\n---\r\n";
        let out = set_field(text, "assets", Scalar::Str("none".to_owned())).expect("set");
        assert_eq!(out, "---\r\nassets: none\r\nid: X\r\n---\r\n");
    }

    #[test]
    fn adds_new_top_level_key_before_history() {
        let out = set_field(SAMPLE, "severity", Scalar::Raw("high".to_owned())).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "  name: Tim CSIRT\nhistory:\n",
                "  name: Tim CSIRT\nseverity: high\nhistory:\n"
            )
        );
    }

    #[test]
    fn adds_new_key_above_comment_that_introduces_history() {
        let text = "---\r\nid: X\r\n\r\n# audit trail\r\nhistory: []\r\n---\r\n";
        let out = set_field(text, "public", Scalar::Bool(true)).expect("set");
        assert_eq!(
            out,
            "---\r\nid: X\r\npublic: true\r\n\r\n# audit trail\r\nhistory: []\r\n---\r\n"
        );
    }

    #[test]
    fn adds_new_key_at_end_when_there_is_no_history() {
        let text = "\u{feff}---\nid: X\n---\nbody";
        let out = set_field(text, "status", Scalar::Raw("reported".to_owned())).expect("set");
        assert_eq!(out, "\u{feff}---\nid: X\nstatus: reported\n---\nbody");
    }

    #[test]
    fn replaces_child_in_block_mapping() {
        let out = set_field(SAMPLE, "handler.type", Scalar::Raw("external".to_owned())).expect("set");
        assert_eq!(out, SAMPLE.replace("  type: internal\n", "  type: external\n"));
    }

    #[test]
    fn adds_child_after_last_child_of_block_mapping() {
        let out = set_field(SAMPLE, "handler.contact", Scalar::Str("csirt@example.org".to_owned())).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "  name: Tim CSIRT\n",
                "  name: Tim CSIRT\n  contact: csirt@example.org\n"
            )
        );
    }

    #[test]
    fn adds_child_with_existing_four_space_indentation() {
        let text = "---\nhandler:\n    type: internal\n    # nested comment\nhistory: []\n---\n";
        let out = set_field(text, "handler.name", Scalar::Str("Tim".to_owned())).expect("set");
        assert_eq!(
            out,
            "---\nhandler:\n    type: internal\n    name: Tim\n    # nested comment\nhistory: []\n---\n"
        );
    }

    #[test]
    fn replaces_child_in_flow_mapping() {
        let out = set_field(
            SAMPLE,
            "reporter.organization",
            Scalar::Str("Desa Sumberagung".to_owned()),
        )
        .expect("set");
        assert_eq!(
            out,
            SAMPLE.replace("organization: Pemdes Sumberagung,", "organization: Desa Sumberagung,")
        );
    }

    #[test]
    fn adds_child_to_flow_mapping_before_closing_brace() {
        let out = set_field(SAMPLE, "reporter.phone", Scalar::Str("+62 812".to_owned())).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "contact: budi@example.org }",
                "contact: budi@example.org, phone: \"+62 812\" }"
            )
        );
    }

    #[test]
    fn edits_flow_mapping_with_quoted_keys_and_empty_braces() {
        let text = "---\na: {\"x\":1, 'y': \"}\"}\nb: {}\n---\n";
        let out = set_field(text, "a.y", Scalar::Raw("2".to_owned())).expect("set");
        assert_eq!(out, "---\na: {\"x\":1, 'y': 2}\nb: {}\n---\n");
        let out = set_field(text, "b.z", Scalar::Bool(true)).expect("set");
        assert_eq!(out, "---\na: {\"x\":1, 'y': \"}\"}\nb: { z: true }\n---\n");
    }

    #[test]
    fn creates_missing_parent_before_history() {
        let out = set_field(SAMPLE, "impact.scope", Scalar::Str("publik".to_owned())).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "  name: Tim CSIRT\nhistory:\n",
                "  name: Tim CSIRT\nimpact:\n  scope: publik\nhistory:\n"
            )
        );
    }

    #[test]
    fn fills_null_parent_as_block_mapping() {
        let text = "---\nhandler:\nstatus: x\n---\n";
        let out = set_field(text, "handler.type", Scalar::Raw("internal".to_owned())).expect("set");
        assert_eq!(out, "---\nhandler:\n  type: internal\nstatus: x\n---\n");
    }

    #[test]
    fn refuses_child_of_non_mapping_parent() {
        let err = set_field(SAMPLE, "status.x", Scalar::Bool(true)).expect_err("scalar parent");
        assert_eq!(err.line, 4);
        let err = set_field(SAMPLE, "assets.x", Scalar::Bool(true)).expect_err("seq parent");
        assert_eq!(err.line, 8);
        let text = "---\ntags:\n  - a\n---\n";
        let err = set_field(text, "tags.x", Scalar::Bool(true)).expect_err("block seq parent");
        assert_eq!(err.line, 3);
    }

    #[test]
    fn refuses_history_and_deep_or_bad_keys() {
        assert!(set_field(SAMPLE, "history", Scalar::Bool(true)).is_err());
        assert!(set_field(SAMPLE, "history.x", Scalar::Bool(true)).is_err());
        assert!(set_field(SAMPLE, "a.b.c", Scalar::Bool(true)).is_err());
        assert!(set_field(SAMPLE, "", Scalar::Bool(true)).is_err());
        assert!(set_field(SAMPLE, "a..b", Scalar::Bool(true)).is_err());
    }

    #[test]
    fn refuses_duplicate_child_naming_both_lines() {
        let text = "---\nhandler:\n  type: a\n  type: b\n---\n";
        let err = set_field(text, "handler.type", Scalar::Bool(true)).expect_err("dup");
        assert_eq!(err.line, 4);
        assert!(err.message.contains("lines 3 and 4"), "{}", err.message);
    }

    // ---- errors ------------------------------------------------------------

    #[test]
    fn reports_missing_front_matter() {
        let err = set_field("# Judul\n", "status", Scalar::Bool(true)).expect_err("none");
        assert_eq!(err.line, 1);
        assert!(err.message.contains("---"));
        let err = append_history("", &entry("2026-01-01", "x")).expect_err("empty");
        assert_eq!(err.line, 0);
        assert!(append_history("\u{feff}", &entry("2026-01-01", "x")).is_err());
    }

    #[test]
    fn reports_unclosed_front_matter() {
        let err = set_field("---\nid: X\nstatus: a\n", "status", Scalar::Bool(true)).expect_err("unclosed");
        assert_eq!(err.line, 1);
        assert!(err.message.contains("never closed"));
        assert_eq!(
            err.to_string(),
            format!("line 1: {}", err.message),
            "Display prefixes the line"
        );
        assert!(set_field("---", "status", Scalar::Bool(true)).is_err());
    }

    #[test]
    fn reports_duplicate_top_level_keys_with_both_lines() {
        let text = "---\nid: X\nstatus: a\nowner: b\nstatus: c\n---\n";
        let err = set_field(text, "owner", Scalar::Bool(true)).expect_err("dup");
        assert_eq!(err.line, 5);
        assert!(err.message.contains("`status`"), "{}", err.message);
        assert!(err.message.contains("lines 3 and 5"), "{}", err.message);
        let err = append_history(text, &entry("2026-01-01", "x")).expect_err("dup");
        assert_eq!(err.line, 5);
    }

    #[test]
    fn reports_structural_problems_with_lines() {
        let err = set_field("---\nid: \"open\nstatus: a\n---\n", "id", Scalar::Bool(true)).expect_err("unclosed quote");
        assert_eq!(err.line, 2);
        let err = set_field("---\n\tid: X\n---\n", "id", Scalar::Bool(true)).expect_err("tab indent");
        assert_eq!(err.line, 2);
        let err = set_field("---\nid: X\njust text\n---\n", "id", Scalar::Bool(true)).expect_err("not a key");
        assert_eq!(err.line, 3);
        let err = set_field("---\n  id: X\n---\n", "id", Scalar::Bool(true)).expect_err("indented first");
        assert_eq!(err.line, 2);
    }

    // ---- yaml_scalar -------------------------------------------------------

    #[test]
    fn yaml_scalar_quotes_only_what_needs_it() {
        let cases: &[(&str, &str)] = &[
            ("yes", "\"yes\""),
            ("No", "\"No\""),
            ("null", "\"null\""),
            ("NULL", "\"NULL\""),
            ("~", "\"~\""),
            ("12", "\"12\""),
            ("1e3", "\"1e3\""),
            ("-1", "\"-1\""),
            (".5", "\".5\""),
            ("+62 812", "\"+62 812\""),
            ("2026-01-21", "\"2026-01-21\""),
            ("a: b", "\"a: b\""),
            ("key:", "\"key:\""),
            ("# x", "\"# x\""),
            ("a #b", "\"a #b\""),
            ("\"q\"", "\"\\\"q\\\"\""),
            ("'q'", "\"'q'\""),
            ("- x", "\"- x\""),
            ("a, b", "\"a, b\""),
            ("[x]", "\"[x]\""),
            ("C:\\path", "C:\\path"),
            ("a:?", "\"a:?\""),
            ("\\ at start\"", "\\ at start\""),
            ("🚨 insiden", "🚨 insiden"),
            ("هجوم على الموقع", "هجوم على الموقع"),
            ("abc\u{202e}def", "\"abc\\u202Edef\""),
            ("a\nb", "\"a\\nb\""),
            ("tab\there", "\"tab\\there\""),
            ("cr\r", "\"cr\\r\""),
            ("bell\u{7}", "\"bell\\u0007\""),
            ("", "\"\""),
            (" leading", "\" leading\""),
            ("trailing ", "\"trailing \""),
            ("Budi's laptop", "Budi's laptop"),
            ("https://example.org/a?b=c", "https://example.org/a?b=c"),
            ("Tim CSIRT", "Tim CSIRT"),
            ("yesterday", "yesterday"),
        ];
        for (input, want) in cases {
            assert_eq!(yaml_scalar(input), *want, "input {input:?}");
        }
    }

    // ---- robustness --------------------------------------------------------

    #[test]
    fn never_panics_on_truncated_or_mangled_input() {
        let extra = "title: \"é 🚨 'x\"\nnote: |\n  ü [ {\n\u{feff}\r\n";
        let base = format!("{SAMPLE}{extra}");
        let ends: Vec<usize> = base.char_indices().map(|(i, _)| i).collect();
        for &end in &ends {
            let prefix = base.get(..end).unwrap_or("");
            let _ = append_history(prefix, &entry("2026-01-01", "x"));
            let _ = set_field(prefix, "handler.type", Scalar::Str("é".to_owned()));
            let _ = set_field(prefix, "reporter.name", Scalar::Bool(true));
            let _ = set_field(prefix, "status", Scalar::Raw("x".to_owned()));
        }
        // Pseudo-random documents assembled from awkward fragments.
        let pieces = [
            "---",
            "\n",
            "\r\n",
            "history:",
            " - ",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\"",
            "'",
            "#",
            "|",
            "é",
            "🚨",
            "\t",
            "a",
            "handler:",
            "  type: x",
            "\\",
            "-",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut doc = String::from("---\n");
            for _ in 0..24 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let idx = usize::try_from(seed >> 33).unwrap_or(0) % pieces.len();
                doc.push_str(pieces[idx]);
            }
            let _ = append_history(&doc, &entry("2026-01-01", "x"));
            let _ = set_field(&doc, "handler.type", Scalar::Str("y".to_owned()));
            let _ = set_field(&doc, "history2", Scalar::Bool(false));
        }
    }

    // ---- set_list ----------------------------------------------------------

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_flow_list_stays_a_flow_list_and_keeps_its_comment() {
        let out = set_list(SAMPLE, "assets", &items(&["https://a.go.id", "https://b.go.id"])).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "assets: [https://sumberagung.trenggalekkab.go.id]\n",
                "assets: [https://a.go.id, https://b.go.id]\n"
            )
        );
        let text = "---\ntags: [ a ]   # kata kunci\nhistory: []\n---\n";
        let out = set_list(text, "tags", &items(&["judol", "seo"])).expect("set");
        assert_eq!(out, "---\ntags: [ judol, seo ]   # kata kunci\nhistory: []\n---\n");
    }

    #[test]
    fn a_block_list_stays_a_block_list_at_its_indentation_in_crlf() {
        let text = "---\r\nid: X\r\nassets:\r\n    - https://a.go.id   # lama\r\n    - https://b.go.id\r\nstatus: reported\r\n---\r\nbody\r\n";
        let out = set_list(text, "assets", &items(&["https://c.go.id", "d: e"])).expect("set");
        assert_eq!(
            out,
            "---\r\nid: X\r\nassets:\r\n    - https://c.go.id\r\n    - \"d: e\"\r\nstatus: reported\r\n---\r\nbody\r\n"
        );
        let text = "---\nrelated:\n- INC-2026-0001\nid: X\n---\n";
        let out = set_list(text, "related", &items(&["INC-2026-0002"])).expect("set");
        assert_eq!(out, "---\nrelated:\n- INC-2026-0002\nid: X\n---\n");
    }

    #[test]
    fn a_missing_list_is_added_in_flow_style_before_history() {
        let out = set_list(SAMPLE, "attack", &items(&["T1190", "T1491.002"])).expect("set");
        assert_eq!(
            out,
            SAMPLE.replace(
                "  name: Tim CSIRT\nhistory:\n",
                "  name: Tim CSIRT\nattack: [T1190, T1491.002]\nhistory:\n"
            )
        );
    }

    #[test]
    fn a_null_or_scalar_value_becomes_a_flow_list_and_an_empty_list_is_brackets() {
        let text = "---\nassets:\nrsit: x\nstatus: reported\n---\n";
        let out = set_list(text, "assets", &items(&["10.0.0.1"])).expect("set");
        // A leading digit is quoted, so an address stays text.
        assert_eq!(out, "---\nassets: [\"10.0.0.1\"]\nrsit: x\nstatus: reported\n---\n");
        let out = set_list(text, "rsit", &items(&["fraud:phishing"])).expect("set");
        assert_eq!(out, "---\nassets:\nrsit: [fraud:phishing]\nstatus: reported\n---\n");
        let text = "---\ntags:\n  - a\n  - b\nid: X\n---\n";
        assert_eq!(set_list(text, "tags", &[]).expect("set"), "---\ntags: []\nid: X\n---\n");
        assert!(set_list(text, "history", &[]).is_err());
    }

    #[test]
    fn edits_keep_everything_outside_the_edit_identical() {
        let out = append_history(SAMPLE, &entry("2026-01-22T08:00:00+07:00", "registered")).expect("append");
        let cut = SAMPLE.find("---\n## Laporan").expect("fence");
        assert!(out.starts_with(&SAMPLE[..cut]));
        assert!(out.ends_with(&SAMPLE[cut..]));
    }

    /// Regression (found by the `edit` fuzz target): a key added to a flow mapping whose
    /// last entry has an empty value made `type: }` into `type:, contact: …`, which the YAML
    /// parser then refused.
    #[test]
    fn a_key_added_after_an_empty_value_keeps_the_colon_readable() {
        let text = "---\nid: INC-2026-0001\nreporter: { name: Budi, type: }\n---\n";
        let out = set_field(text, "reporter.contact", Scalar::Str("budi@example.org".into())).expect("edit");
        assert_eq!(
            out,
            "---\nid: INC-2026-0001\nreporter: { name: Budi, type: , contact: budi@example.org }\n---\n"
        );
        let parsed = crate::doc::parse(&out, "a.md", chrono_tz::Asia::Jakarta);
        assert!(
            !parsed
                .diagnostics
                .iter()
                .any(|d| d.code == crate::diag::Code::YamlSyntax),
            "{:?}",
            parsed.diagnostics
        );
    }
}
