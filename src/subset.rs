//! The strict subset of YAML an incident's front matter is written in, and where its parts
//! sit: a plain block mapping of `field: value` lines at the top level; no complex (`?`) keys,
//! tags, anchors or aliases anywhere; no Unicode line separators (U+2028, U+2029, U+0085),
//! which YAML reads as line breaks and a line-by-line reader does not.
//!
//! One linear pass over the text both enforces the subset and records the line of every
//! top-level key and history entry. `doc` then compares those keys with the ones the YAML
//! parser produced: when they differ, the file is refused, so every position a finding quotes
//! is the position of what the parser (and so every rule) judged. The editor in `edit` works
//! line by line on this same subset.
//!
//! The same pass bounds the work the YAML parser will do, before it runs: collections nest at
//! most [`MAX_DEPTH`] levels and the front matter holds at most [`MAX_NODES`] values. The
//! parser's time grows with the square of the nesting of flow collections (`[[[[…`), and its
//! memory with the number of values; past either limit the file is refused in linear time.

use std::borrow::Cow;

/// A top-level key and its 1-based line. The format's own field names are kept as the
/// static names (no allocation for each key of each file); anything else is copied.
pub type Key = (Cow<'static, str>, usize);

/// `key` as a [`Key`] name.
pub(crate) fn key_name(key: &str) -> Cow<'static, str> {
    match crate::model::FIELDS.iter().find(|f| **f == key) {
        Some(f) => Cow::Borrowed(f),
        None => Cow::Owned(key.to_owned()),
    }
}

/// What the pass found: the top-level keys in order and the line of each block history entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub keys: Vec<Key>,
    /// Lines of the `- ` items of a block-style `history` (empty for a flow list).
    pub entries: Vec<usize>,
}

/// How deep collections (block and flow, counted together) may nest.
pub const MAX_DEPTH: usize = 64;

/// How many values (keys, scalars, lists and maps, at every level) a front matter may hold.
pub const MAX_NODES: usize = 100_000;

/// Why a front matter is outside the subset: where, what, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: &'static str,
    /// Inside the subset, but past [`MAX_DEPTH`] or [`MAX_NODES`].
    pub limit: bool,
}

/// Characters YAML treats as line breaks that a line-oriented reader does not (beside a lone
/// carriage return).
const LINE_SEPARATORS: [char; 3] = ['\u{2028}', '\u{2029}', '\u{85}'];

/// Scans `front` (the lines between the `---` fences; `first_line` is the 1-based line of
/// its first line in the file).
pub fn scan(front: &str, first_line: usize) -> Result<Outline, Outside> {
    separators(front, first_line)?;
    let mut out = Outline::default();
    let mut lx = Lexer::default();
    let mut in_history = false;
    let mut item_indent: Option<usize> = None;
    for (i, raw) in front.split('\n').enumerate() {
        let line_no = first_line + i;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if let Some(parent) = lx.block {
            if trimmed.trim().is_empty() || indent > parent {
                continue;
            }
            lx.block = None;
        }
        let continuing = lx.quote.is_some() || lx.flow > 0;
        if !continuing {
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            lx.open_block(indent).map_err(|e| e.at(line_no, line))?;
            let item = trimmed == "-" || trimmed.starts_with("- ");
            if indent == 0 && !item {
                let key = top_key(trimmed).map_err(|(message, help)| Outside {
                    line: line_no,
                    column: 1,
                    message,
                    help,
                    limit: false,
                })?;
                in_history = key == "history";
                item_indent = None;
                out.keys.push((key_name(key), line_no));
                lx.line(line, key.len() + 1, indent).map_err(|e| e.at(line_no, line))?;
                continue;
            }
            if in_history && item && item_indent.is_none_or(|n| n == indent) {
                item_indent = Some(indent);
                out.entries.push(line_no);
            }
        }
        lx.line(line, if continuing { 0 } else { indent }, indent)
            .map_err(|e| e.at(line_no, line))?;
    }
    Ok(out)
}

/// Refuses the first character YAML reads as a line break and a reader of lines does not:
/// U+2028, U+2029, U+0085, and a carriage return not followed by a line feed. One pass over
/// the bytes: each of these starts with a byte that is rare in front matter.
fn separators(front: &str, first_line: usize) -> Result<(), Outside> {
    let b = front.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..]
        .iter()
        .position(|&x| matches!(x, 0xE2 | 0xC2 | b'\r'))
        .map(|i| i + from)
    {
        from = i + 1;
        let hit = match b[i] {
            // The last line's `\r` is the CR of the CRLF that ends the front matter.
            b'\r' => i + 1 < b.len() && b[i + 1] != b'\n',
            _ => front[i..].starts_with(LINE_SEPARATORS),
        };
        if hit {
            let line_start = front[..i].rfind('\n').map_or(0, |n| n + 1);
            let c = front[i..].chars().next().unwrap_or('\r');
            return Err(Outside {
                limit: false,
                line: first_line + front[..i].matches('\n').count(),
                column: column(&front[line_start..], i - line_start),
                message: format!(
                    "the character U+{:04X} is a line break to YAML but not to a reader of lines",
                    c as u32
                ),
                help: "delete it and write an ordinary line break",
            });
        }
    }
    Ok(())
}

/// The key of a top-level line, which must read `name:` followed by a space or the end.
fn top_key(line: &str) -> Result<&str, (String, &'static str)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    let rest = &line[end..];
    let starts_well = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if starts_well && (rest == ":" || rest.starts_with(": ") || rest.starts_with(":\t")) {
        return Ok(name);
    }
    let first = line.chars().next().unwrap_or(' ');
    Err(match first {
        '?' | ':' => (
            "a complex key (`? key` / `: value`) is not supported in the front matter".into(),
            "write the field as one line, `field: value`",
        ),
        '{' | '[' => (
            "the front matter is a flow collection; it must be a block of `field: value` lines".into(),
            "write one `field: value` per line",
        ),
        '"' | '\'' => (
            "a quoted field name is not supported in the front matter".into(),
            "write the field name without quotes, e.g. `title: …`",
        ),
        '&' | '*' | '!' => (
            "anchors, aliases and tags are not supported in the front matter".into(),
            "write the value out in full, without `&`, `*` or `!`",
        ),
        '%' | '.' => (
            "YAML directives and document markers are not supported in the front matter".into(),
            "delete the line; the front matter ends with `---`",
        ),
        _ => (
            format!(
                "`{}` is not a `field: value` line",
                line.chars().take(40).collect::<String>()
            ),
            "write one `field: value` per line; field names are letters, digits and `_`",
        ),
    })
}

/// The 1-based column of byte `at` in `line`, counted in characters.
fn column(line: &str, at: usize) -> usize {
    line[..at].chars().count() + 1
}

/// A problem found inside a line, before its line number is known.
struct Found {
    at: usize,
    message: &'static str,
    help: &'static str,
    limit: bool,
}

impl Found {
    fn at(self, line_no: usize, line: &str) -> Outside {
        Outside {
            line: line_no,
            column: column(line, self.at),
            message: self.message.into(),
            help: self.help,
            limit: self.limit,
        }
    }
}

const TOO_DEEP: &str = "collections nest more than 64 levels deep";
const TOO_MANY: &str = "the front matter holds more than 100,000 values";
const LIMIT_HELP: &str =
    "incident fields nest a few levels and hold far fewer values; move bulk data into an attachment";

fn limit(at: usize, message: &'static str) -> Found {
    Found {
        at,
        message,
        help: LIMIT_HELP,
        limit: true,
    }
}

/// The lexical state that crosses line ends: an open quoted scalar, open flow collections,
/// and a block scalar (`|`, `>`) whose content lines are indented more than `block`.
#[derive(Default)]
struct Lexer {
    quote: Option<u8>,
    flow: usize,
    block: Option<usize>,
    /// The indents of the block collections open at the current line, increasing.
    indents: Vec<usize>,
    /// Values seen so far.
    nodes: usize,
}

impl Lexer {
    /// A line of block content starts at `indent`: it closes the block collections indented
    /// as much or more, and opens one of its own.
    fn open_block(&mut self, indent: usize) -> Result<(), Found> {
        while self.indents.last().is_some_and(|&i| i >= indent) {
            self.indents.pop();
        }
        self.indents.push(indent);
        if self.indents.len() > MAX_DEPTH {
            return Err(limit(indent, TOO_DEEP));
        }
        Ok(())
    }

    /// A value starts at byte `at`; `depth` collections hold it.
    fn node(&mut self, at: usize, depth: usize) -> Result<(), Found> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(limit(at, TOO_MANY));
        }
        if depth > MAX_DEPTH {
            return Err(limit(at, TOO_DEEP));
        }
        Ok(())
    }

    /// Reads `line` from byte `from`, where a node may start; `indent` is the line's indent.
    fn line(&mut self, line: &str, from: usize, indent: usize) -> Result<(), Found> {
        let b = line.as_bytes();
        let mut i = from;
        let mut expect_node = true;
        // Block sequences opened on this line (`- - x`).
        let mut dashes = 0;
        let space_at = |j: usize| j >= b.len() || matches!(b[j], b' ' | b'\t');
        while i < b.len() {
            if let Some(q) = self.quote {
                match b[i] {
                    b'\\' if q == b'"' => i += 2,
                    b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                    c if c == q => {
                        self.quote = None;
                        expect_node = false;
                        i += 1;
                    }
                    _ => i += 1,
                }
                continue;
            }
            let c = b[i];
            if c == b' ' || c == b'\t' {
                i += 1;
                continue;
            }
            if c == b'#' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')) {
                return Ok(());
            }
            if expect_node {
                if !matches!(c, b']' | b'}' | b',') {
                    self.node(i, self.indents.len() + dashes + self.flow)?;
                }
                match c {
                    b'!' => return Err(found(i, "a tag (`!…`) is not supported in the front matter")),
                    b'&' => return Err(found(i, "an anchor (`&…`) is not supported in the front matter")),
                    b'*' => return Err(found(i, "an alias (`*…`) is not supported in the front matter")),
                    b'?' if space_at(i + 1) => {
                        return Err(Found {
                            at: i,
                            message: "a complex key (`? key`) is not supported in the front matter",
                            help: "write the key as `key: value`",
                            limit: false,
                        })
                    }
                    b'|' | b'>' if self.flow == 0 => {
                        self.block = Some(indent);
                        return Ok(());
                    }
                    b'"' | b'\'' => {
                        self.quote = Some(c);
                        i += 1;
                    }
                    b'[' | b'{' => {
                        self.flow += 1;
                        i += 1;
                    }
                    b']' | b'}' => {
                        self.flow = self.flow.saturating_sub(1);
                        expect_node = false;
                        i += 1;
                    }
                    b'-' if space_at(i + 1) && self.flow == 0 => {
                        dashes += 1;
                        i += 1;
                    }
                    b',' if self.flow > 0 => i += 1,
                    _ => {
                        i = self.plain_end(b, i);
                        expect_node = false;
                    }
                }
                continue;
            }
            match c {
                b':' if space_at(i + 1) || (self.flow > 0 && matches!(b.get(i + 1), Some(b',' | b']' | b'}'))) => {
                    expect_node = true;
                }
                b',' if self.flow > 0 => expect_node = true,
                b'[' | b'{' => {
                    self.flow += 1;
                    self.node(i, self.indents.len() + dashes + self.flow)?;
                    expect_node = true;
                }
                b']' | b'}' => self.flow = self.flow.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// Where a plain scalar starting at `i` ends: at `: `, ` #`, or (in a flow collection) at
    /// a flow indicator.
    fn plain_end(&self, b: &[u8], mut i: usize) -> usize {
        while i < b.len() {
            let c = b[i];
            let next_space = i + 1 >= b.len() || matches!(b[i + 1], b' ' | b'\t');
            if c == b':' && (next_space || (self.flow > 0 && matches!(b[i + 1], b',' | b']' | b'}'))) {
                break;
            }
            if c == b'#' && i > 0 && matches!(b[i - 1], b' ' | b'\t') {
                break;
            }
            if self.flow > 0 && matches!(c, b',' | b'[' | b']' | b'{' | b'}') {
                break;
            }
            i += 1;
        }
        i
    }
}

fn found(at: usize, message: &'static str) -> Found {
    Found {
        at,
        message,
        help: "write the value out in full, without `!`, `&` or `*` at its start (quote text that begins with them)",
        limit: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(front: &str) -> Vec<String> {
        scan(front, 2)
            .unwrap_or_else(|e| panic!("{front:?}: {e:?}"))
            .keys
            .into_iter()
            .map(|k| k.0.into_owned())
            .collect()
    }

    fn refused(front: &str) -> Outside {
        match scan(front, 2) {
            Err(e) => e,
            Ok(o) => panic!("{front:?} was accepted: {o:?}"),
        }
    }

    #[test]
    fn keys_and_entries_of_ordinary_front_matter() {
        let front = "id: INC-2026-0001\ntitle: \"Tom & Jerry: *bukan* alias\" # komentar\nsummary: |\n  baris satu\n  history: palsu\n\nassets:\n- https://a.example\nhistory:\n  - { at: 2026-01-01T00:00:00+07:00, to: reported, by: helpdesk, actor: siti, note: \"a, b: c\" }\n  - at: 2026-01-02T00:00:00+07:00\n    to: registered\n    note: >\n      - bukan entri\n";
        let o = scan(front, 2).expect("accepted");
        assert_eq!(
            o.keys.iter().map(|k| &*k.0).collect::<Vec<_>>(),
            ["id", "title", "summary", "assets", "history"]
        );
        assert_eq!(o.keys[4].1, 10);
        assert_eq!(o.entries, vec![11, 12]);
    }

    #[test]
    fn plain_text_may_hold_indicator_characters_inside() {
        assert_eq!(
            keys("title: Tom & Jerry * bintang ! seru? ya\nnote: a-b, c [d] {e}\n"),
            ["title", "note"]
        );
    }

    #[test]
    fn multi_line_quotes_and_flows_hide_no_keys() {
        assert_eq!(keys("title: \"baris\nhistory: []\"\nid: x\n"), ["title", "id"]);
        assert_eq!(keys("assets: [a,\nb]\nid: x\n"), ["assets", "id"]);
    }

    #[test]
    fn everything_outside_the_subset_is_refused_with_its_position() {
        let cases: &[(&str, usize, usize, &str)] = &[
            ("id: x\n? history\n: []\n", 3, 1, "complex key"),
            ("{id: x, history: []}\n", 2, 1, "flow collection"),
            ("id: x # a\u{2028}history: []\n", 2, 10, "U+2028"),
            ("id: x\ntitle: a\u{85}b\n", 3, 9, "U+0085"),
            ("id: x\ntitle: a\u{2029}\n", 3, 9, "U+2029"),
            ("id: x\rhistory: []\n", 2, 6, "U+000D"),
            ("\"id\": x\n", 2, 1, "quoted field name"),
            ("id: !!str x\n", 2, 5, "tag"),
            ("id: &a x\ntitle: *a\n", 2, 5, "anchor"),
            ("id: x\ntitle: *a\n", 3, 8, "alias"),
            ("reporter:\n  ? name\n  : Budi\n", 3, 3, "complex key"),
            ("reporter: { ? name : Budi }\n", 2, 13, "complex key"),
            ("history:\n  - &e { at: x }\n", 3, 5, "anchor"),
            ("history: [ *e ]\n", 2, 12, "alias"),
            ("id: x\n...\n", 3, 1, "document markers"),
            ("%YAML 1.2\nid: x\n", 2, 1, "directives"),
            ("1d: x\n", 2, 1, "not a `field: value`"),
        ];
        for (front, line, col, words) in cases {
            let e = refused(front);
            assert_eq!((e.line, e.column), (*line, *col), "{front:?}: {e:?}");
            assert!(e.message.contains(words), "{front:?}: {}", e.message);
        }
    }

    #[test]
    fn nesting_is_bounded_in_flow_and_block_collections_alike() {
        let flow = |n: usize| format!("extra: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(scan(&flow(MAX_DEPTH - 2), 2).is_ok());
        let dashes = |n: usize| format!("extra:\n  {}x\n", "- ".repeat(n));
        assert!(scan(&dashes(MAX_DEPTH - 2), 2).is_ok());
        let block = |n: usize| {
            let mut s = String::from("extra:\n");
            for i in 1..n {
                s.push_str(&format!("{}k:\n", " ".repeat(i)));
            }
            s
        };
        assert!(scan(&block(MAX_DEPTH - 1), 2).is_ok());
        for (front, line) in [
            (flow(MAX_DEPTH + 1), 2),
            (flow(400_000), 2),
            (format!("extra: {}\n", "{a: ".repeat(MAX_DEPTH + 1)), 2),
            (dashes(MAX_DEPTH + 1), 3),
            (block(MAX_DEPTH + 1), MAX_DEPTH + 2),
        ] {
            let e = refused(&front);
            assert!(e.limit && e.message.contains("64 levels"), "{e:?}");
            assert_eq!(e.line, line);
        }
    }

    #[test]
    fn the_number_of_values_is_bounded() {
        let items = |n: usize| format!("extra: [{}]\n", vec!["1"; n].join(","));
        assert!(scan(&items(MAX_NODES - 10), 2).is_ok());
        let e = refused(&items(MAX_NODES + 1));
        assert!(e.limit && e.message.contains("100,000 values"), "{e:?}");
        let keys: String = (0..MAX_NODES).map(|i| format!("  k{i}: v\n")).collect();
        assert!(refused(&format!("extra:\n{keys}")).limit);
    }

    #[test]
    fn refusing_a_megabyte_of_nesting_takes_linear_time() {
        let t = std::time::Instant::now();
        for unit in ["[", "{a: ", "- "] {
            let front = format!("extra:\n  {}\n", unit.repeat((1 << 20) / unit.len()));
            assert!(refused(&front).limit);
        }
        assert!(t.elapsed() < std::time::Duration::from_secs(2), "{:?}", t.elapsed());
    }
}
