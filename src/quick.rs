//! The quick reader: front matter in the shape insiden writes and people type, read in one
//! pass over its lines instead of through the general YAML parser, which was the largest
//! cost of loading an incident (a third of `validate`, nearly half of `audit`).
//!
//! It reads block mappings and block sequences (the indentless `key:` / `- item` form too),
//! flow sequences and flow mappings of scalars on one line, plain, single- and double-quoted
//! scalars on one line, and a mapping value written as a literal or folded block (`|`, `|-`,
//! `>`, `>-`: the long notes people type). It *declines* everything else: other block
//! headers, blank lines that hold spaces inside a block and more-indented lines in a folded
//! one, scalars or flow collections over several lines, nested flow collections, anchors,
//! aliases, tags, tabs, document markers, duplicate keys, keys other than plain words,
//! escapes other than `\\ \" \/ \n \t \r \0 \uXXXX`, and characters YAML does not print.
//! Declining is its only answer: it never judges a file. The caller ([`crate::doc::parse`])
//! then reads the front matter with serde_yaml, as every file was read before. So each file
//! is read by exactly one parser, every rule judges that one reading, and a file the quick
//! reader takes reads as serde_yaml would read it: `doc::quick_agrees` states that property,
//! and the unit tests, the property tests and the `parse` fuzz target hold the reader to it.
//!
//! [`Node`] is the value read; [`NodeDe`] hands it to serde with serde_yaml's meaning of each
//! request (which plain scalars are null, booleans or numbers; an empty value as an empty list
//! or mapping; a scalar as a unit enum variant).

use crate::subset::{self, Outline};
use serde::de::{self, DeserializeSeed, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// A value of the front matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// A plain scalar, trimmed; empty for a key with nothing after it.
    Plain(&'a str),
    /// A single- or double-quoted scalar, unescaped, or a literal or folded block: text
    /// that is never a null, a boolean or a number.
    Quoted(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Pairs in the order written; keys are plain words.
    Map(Vec<(&'a str, Node<'a>)>),
}

/// How deep block collections may nest before the reader declines.
const MAX_DEPTH: usize = 32;

/// A front matter the reader took: its value, and where its top-level keys and block history
/// entries are. A front matter taken is inside the subset and its bounds, and `outline` is
/// what [`subset::scan`] finds in it (`doc::quick_agrees` states that too), so a file the
/// reader takes is not scanned a second time.
#[derive(Debug)]
pub struct Read<'a> {
    pub node: Node<'a>,
    pub outline: Outline,
}

/// Reads `front` (the lines between the `---` fences), or `None` when it is outside what
/// this reader takes. `first_line` is the 1-based line of its first line in the file.
pub fn read(front: &str, first_line: usize) -> Option<Read<'_>> {
    // Within [`subset::MAX_NODES`] bytes there cannot be more values than that: the scan
    // counts at most one value per byte. Longer front matters are left to the scan's count.
    if front.len() > subset::MAX_NODES || !all_printable(front) {
        return None;
    }
    let mut raw = Vec::new();
    let mut lines = Vec::new();
    for (n, line) in front.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains('\r') {
            return None;
        }
        raw.push(line);
        let text = line.trim_start_matches(' ');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let indent = line.len() - text.len();
        if indent == 0 && (text.starts_with("---") || text.starts_with("...")) {
            return None;
        }
        lines.push(Line { indent, text, raw: n });
    }
    if lines.first()?.indent != 0 {
        return None;
    }
    let mut r = Reader {
        raw,
        lines,
        i: 0,
        outline: Outline::default(),
        first_line,
    };
    let node = r.map(0, 0)?;
    (r.i == r.lines.len()).then_some(Read {
        node,
        outline: r.outline,
    })
}

/// Whether every character of `s` is [`printable`]. Printable ASCII and line breaks, nearly
/// all of a front matter, are checked a block at a time; from the first block holding
/// anything else (on a character boundary: every byte before it is ASCII), character by
/// character.
fn all_printable(s: &str) -> bool {
    let ascii = |b: u8| (0x20..0x7f).contains(&b) | (b == b'\n') | (b == b'\r');
    s[crate::ascii::allowed_prefix(s.as_bytes(), ascii)..]
        .chars()
        .all(printable)
}

/// What YAML reads as a character of the document, less tabs, the Unicode line breaks and
/// the byte-order mark (which YAML skips at the start of a line): those are declined.
fn printable(c: char) -> bool {
    matches!(c,
        '\n' | '\r' | ' '..='~' | '\u{A0}'..='\u{2027}' | '\u{202A}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FEFE}' | '\u{FF00}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A line that holds something: its indentation, the text after it, and its index among
/// all the lines.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
    raw: usize,
}

struct Reader<'a> {
    /// Every line, blank and comment lines too (they are text inside a block scalar).
    raw: Vec<&'a str>,
    /// The lines that hold something, in order.
    lines: Vec<Line<'a>>,
    /// The next of `lines` to read.
    i: usize,
    /// The top-level keys and block history entries read so far, by line in the file.
    outline: Outline,
    first_line: usize,
}

impl<'a> Reader<'a> {
    fn next_indent(&self) -> Option<usize> {
        self.lines.get(self.i).map(|l| l.indent)
    }

    /// The block mapping whose keys sit at `indent`, from the current line.
    fn map(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut pairs = Pairs::default();
        while let Some(line) = self.lines.get(self.i).copied() {
            if line.indent != indent {
                break;
            }
            let (key, rest) = split_key(line.text)?;
            if depth == 0 {
                // A top-level field name is a word of letters, digits and `_` (the scan's).
                if key.contains('-') {
                    return None;
                }
                self.outline
                    .keys
                    .push((subset::key_name(key), self.first_line + line.raw));
            }
            self.i += 1;
            let value = if rest.is_empty() {
                self.nested(indent, depth, depth == 0 && key == "history")?
            } else if let Some(header) = block_header(rest) {
                self.block(header, indent, line.raw)?
            } else {
                let v = inline(rest)?;
                if self.next_indent().is_some_and(|n| n > indent) {
                    return None;
                }
                v
            };
            pairs.push(key, value)?;
        }
        Some(Node::Map(pairs.list))
    }

    /// The value of a key at `indent` with nothing after its colon: a block below it, an
    /// indentless sequence, or nothing (an empty plain scalar). `history`: the key is the
    /// top-level `history`, whose block list items the outline records.
    fn nested(&mut self, indent: usize, depth: usize, history: bool) -> Option<Node<'a>> {
        match self.lines.get(self.i).copied() {
            Some(next) if next.indent > indent && is_item(next.text) => self.seq(next.indent, depth + 1, history),
            // A `history` written as a mapping is declined: the scan counts the items of any
            // list inside it as entries, which this reader's outline would not.
            Some(next) if next.indent > indent && !history => self.map(next.indent, depth + 1),
            Some(next) if next.indent == indent && is_item(next.text) => self.seq(indent, depth + 1, history),
            _ => Some(Node::Plain("")),
        }
    }

    /// A literal (`|`) or folded (`>`) block, clipped or stripped (`-`), after the header on
    /// line `header_raw` of a key at `indent`. Its text starts on the next line, at the
    /// indentation every line of it keeps; a blank line that holds spaces, and in a folded
    /// block a more-indented line (which YAML does not fold), are declined.
    fn block(&mut self, header: Header, indent: usize, header_raw: usize) -> Option<Node<'a>> {
        let first = *self.raw.get(header_raw + 1)?;
        let n = first.len() - first.trim_start_matches(' ').len();
        if n <= indent || n == first.len() {
            return None;
        }
        let mut text = String::new();
        let mut blanks = 0;
        let mut any = false;
        let mut end = header_raw + 1;
        for line in &self.raw[header_raw + 1..] {
            let rest = line.trim_start_matches(' ');
            let at = line.len() - rest.len();
            if line.is_empty() {
                blanks += 1;
            } else if rest.is_empty() {
                return None;
            } else if at < n {
                break;
            } else if at > n && !header.literal {
                return None;
            } else {
                if any {
                    let breaks = if header.literal { blanks + 1 } else { blanks };
                    if breaks == 0 {
                        text.push(' ');
                    }
                    text.extend(std::iter::repeat_n('\n', breaks));
                }
                blanks = 0;
                any = true;
                text.push_str(&line[n..]);
            }
            end += 1;
        }
        if !header.strip {
            text.push('\n');
        }
        while self.lines.get(self.i).is_some_and(|l| l.raw < end) {
            self.i += 1;
        }
        Some(Node::Quoted(Cow::Owned(text)))
    }

    /// The block sequence whose `-` sit at `indent`, from the current line; `entries`: the
    /// top-level `history`, whose items' lines the outline records.
    fn seq(&mut self, indent: usize, depth: usize, entries: bool) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.i).copied() {
            if line.indent != indent || !is_item(line.text) {
                break;
            }
            if entries {
                self.outline.entries.push(self.first_line + line.raw);
            }
            let rest = line.text[1..].trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                return None;
            }
            if split_key(rest).is_some() {
                // `- key: value`: a mapping whose keys sit where this first key does.
                let col = indent + line.text.len() - rest.len();
                self.lines[self.i] = Line {
                    indent: col,
                    text: rest,
                    raw: line.raw,
                };
                items.push(self.map(col, depth + 1)?);
            } else {
                self.i += 1;
                items.push(inline(rest)?);
                if self.next_indent().is_some_and(|n| n > indent) {
                    return None;
                }
            }
        }
        Some(Node::Seq(items))
    }
}

/// A block scalar's header: `|`, `|-`, `>` or `>-` (no indentation digit, no `+`, nothing
/// after it).
#[derive(Clone, Copy)]
struct Header {
    literal: bool,
    strip: bool,
}

fn block_header(rest: &str) -> Option<Header> {
    let (literal, strip) = match rest.trim_end_matches(' ') {
        "|" => (true, false),
        "|-" => (true, true),
        ">" => (false, false),
        ">-" => (false, true),
        _ => return None,
    };
    Some(Header { literal, strip })
}

/// A mapping's pairs as they are read; a key seen twice makes the reader decline. Past a
/// few keys they are also kept in a set, so a mapping of many keys costs linear time.
#[derive(Default)]
struct Pairs<'a> {
    list: Vec<(&'a str, Node<'a>)>,
    seen: HashSet<&'a str>,
}

impl<'a> Pairs<'a> {
    fn push(&mut self, key: &'a str, value: Node<'a>) -> Option<()> {
        const FEW: usize = 16;
        if self.list.len() < FEW {
            if self.list.iter().any(|(k, _)| *k == key) {
                return None;
            }
        } else {
            if self.seen.is_empty() {
                self.seen.extend(self.list.iter().map(|(k, _)| *k));
            }
            if !self.seen.insert(key) {
                return None;
            }
        }
        self.list.push((key, value));
        Some(())
    }
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key:` or `key: rest` (a comment after the colon counts as nothing) with a plain-word key.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let (key, after) = word(text)?;
    let after = after.strip_prefix(':')?;
    if after.is_empty() {
        return Some((key, ""));
    }
    let rest = after.strip_prefix(' ')?.trim_start_matches(' ');
    Some((key, if rest.starts_with('#') { "" } else { rest }))
}

/// A key: a letter or `_`, then letters, digits, `_` and `-`, at most 128 of them.
fn word(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    if !b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
        return None;
    }
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-')))
        .unwrap_or(b.len());
    // YAML bounds a key on its line (libyaml: 1,024 characters); field names are short.
    (end <= 128).then(|| text.split_at(end))
}

/// Characters that start something other than a plain scalar (or might).
fn indicator(first: u8) -> bool {
    b"-?:,[]{}#&*!|>'\"%@`".contains(&first)
}

/// A value written on its key's line (block context), up to an optional comment.
fn inline(text: &str) -> Option<Node<'_>> {
    let (node, after) = match *text.as_bytes().first()? {
        b'"' => double_quoted(text)?,
        b'\'' => single_quoted(text)?,
        b'[' => flow_seq(text)?,
        b'{' => flow_map(text)?,
        c if indicator(c) => return None,
        _ => return plain_block(text),
    };
    let rest = after.trim_start_matches(' ');
    (rest.is_empty() || (rest.len() < after.len() && rest.starts_with('#'))).then_some(node)
}

/// A plain scalar in block context: it ends at ` #` or the end of the line.
fn plain_block(text: &str) -> Option<Node<'_>> {
    let end = text.find(" #").unwrap_or(text.len());
    let v = text[..end].trim_end_matches(' ');
    (!v.ends_with(':') && !v.contains(": ")).then_some(Node::Plain(v))
}

/// A plain scalar in a flow collection: it ends at `,`, `[`, `]`, `{` or `}`; a `:` before a
/// space, the end of the line or a flow indicator, and a comment, are declined.
fn plain_flow(text: &str) -> Option<(Node<'_>, &str)> {
    let b = text.as_bytes();
    if b.first().is_none_or(|c| indicator(*c)) {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b',' | b'[' | b']' | b'{' | b'}' => break,
            b':' if b.get(i + 1).is_none_or(|c| b" ,?[]{}".contains(c)) => return None,
            b'#' if b[i - 1] == b' ' => return None,
            _ => {}
        }
        i += 1;
    }
    let v = text[..i].trim_end_matches(' ');
    Some((Node::Plain(v), &text[i..]))
}

/// A scalar inside a flow collection.
fn flow_scalar(text: &str) -> Option<(Node<'_>, &str)> {
    match *text.as_bytes().first()? {
        b'"' => double_quoted(text),
        b'\'' => single_quoted(text),
        _ => plain_flow(text),
    }
}

/// `[a, "b", c]` on one line: the sequence and what follows the `]`.
fn flow_seq(text: &str) -> Option<(Node<'_>, &str)> {
    let mut s = text[1..].trim_start_matches(' ');
    let mut items = Vec::new();
    if let Some(rest) = s.strip_prefix(']') {
        return Some((Node::Seq(items), rest));
    }
    loop {
        let (item, rest) = flow_scalar(s)?;
        items.push(item);
        let rest = rest.trim_start_matches(' ');
        if let Some(rest) = rest.strip_prefix(']') {
            return Some((Node::Seq(items), rest));
        }
        s = rest.strip_prefix(',')?.trim_start_matches(' ');
    }
}

/// `{ a: b, c: "d" }` on one line: the mapping and what follows the `}`.
fn flow_map(text: &str) -> Option<(Node<'_>, &str)> {
    let mut s = text[1..].trim_start_matches(' ');
    let mut pairs = Pairs::default();
    if let Some(rest) = s.strip_prefix('}') {
        return Some((Node::Map(pairs.list), rest));
    }
    loop {
        let (key, after) = word(s)?;
        let after = after.strip_prefix(": ")?.trim_start_matches(' ');
        let (value, rest) = flow_scalar(after)?;
        pairs.push(key, value)?;
        let rest = rest.trim_start_matches(' ');
        if let Some(rest) = rest.strip_prefix('}') {
            return Some((Node::Map(pairs.list), rest));
        }
        s = rest.strip_prefix(',')?.trim_start_matches(' ');
    }
}

/// `'…'` on one line (`''` is a quote): the text and what follows the closing quote.
fn single_quoted(text: &str) -> Option<(Node<'_>, &str)> {
    let body = &text[1..];
    let mut owned: Option<String> = None;
    let mut from = 0;
    let mut i = 0;
    let b = body.as_bytes();
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                owned.get_or_insert_with(String::new).push_str(&body[from..=i]);
                i += 2;
                from = i;
                continue;
            }
            let value = match owned {
                Some(mut s) => {
                    s.push_str(&body[from..i]);
                    Cow::Owned(s)
                }
                None => Cow::Borrowed(&body[..i]),
            };
            return Some((Node::Quoted(value), &body[i + 1..]));
        }
        i += 1;
    }
    None
}

/// `"…"` on one line with the common escapes: the text and what follows the closing quote.
fn double_quoted(text: &str) -> Option<(Node<'_>, &str)> {
    let body = &text[1..];
    let mut owned: Option<String> = None;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let value = owned.map_or(Cow::Borrowed(&body[..i]), Cow::Owned);
                return Some((Node::Quoted(value), &body[i + 1..]));
            }
            '\\' => {
                let s = owned.get_or_insert_with(|| body[..i].to_owned());
                let (_, e) = chars.next()?;
                s.push(match e {
                    '\\' | '"' | '/' => e,
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    'u' => {
                        let at = i + 2;
                        let hex = body.get(at..at + 4)?;
                        if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                            return None;
                        }
                        for _ in 0..4 {
                            chars.next();
                        }
                        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                    }
                    _ => return None,
                });
            }
            c => {
                if let Some(s) = owned.as_mut() {
                    s.push(c);
                }
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Scalar resolution: what serde_yaml makes of an untagged plain scalar asked for "any"
// value (YAML 1.2's core schema, as serde_yaml reads it).

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// A radix-prefixed (`0x`, `0o`, `0b`) or decimal integer without a sign.
fn unsigned<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>) -> Option<T> {
    let unpositive = s.strip_prefix('+').unwrap_or(s);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = from_str_radix(rest, radix) {
                return Some(n);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(s) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// A negative integer, radix-prefixed (`-0x`, `-0o`, `-0b`) or decimal.
fn negative<T>(s: &str, from_str_radix: fn(&str, u32) -> Result<T, std::num::ParseIntError>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if let Ok(n) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(n);
            }
        }
    }
    if digits_but_not_number(s) {
        return None;
    }
    from_str_radix(s, 10).ok()
}

fn parse_f64(s: &str) -> Option<f64> {
    let unpositive = match s.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => s,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = s {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = s {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn visit_plain<'de, V: Visitor<'de>>(s: &'de str, v: V) -> Result<V::Value, Declined> {
    if is_null(s) {
        return v.visit_unit();
    }
    if let Some(b) = parse_bool(s) {
        return v.visit_bool(b);
    }
    if let Some(n) = unsigned(s, u64::from_str_radix) {
        return v.visit_u64(n);
    }
    if let Some(n) = negative(s, i64::from_str_radix) {
        return v.visit_i64(n);
    }
    if let Some(n) = unsigned(s, u128::from_str_radix) {
        return v.visit_u128(n);
    }
    if let Some(n) = negative(s, i128::from_str_radix) {
        return v.visit_i128(n);
    }
    if !digits_but_not_number(s) {
        if let Some(f) = parse_f64(s) {
            return v.visit_f64(f);
        }
    }
    v.visit_borrowed_str(s)
}

// ---------------------------------------------------------------------------------------
// serde

/// Why a value could not be taken as the type asked for. The caller then reads the file the
/// careful way, which says what is wrong and where.
#[derive(Debug)]
pub struct Declined(String);

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Declined(msg.to_string())
    }
}

/// A [`Node`] as a serde deserializer.
pub struct NodeDe<'n, 'a>(pub &'n Node<'a>);

impl<'n, 'a> NodeDe<'n, 'a> {
    fn unexpected(&self, what: &str) -> Declined {
        Declined(format!("expected {what}"))
    }

    fn scalar(&self) -> Option<Scalar<'n, 'a>> {
        match self.0 {
            Node::Plain(s) => Some(Scalar::Plain(s)),
            Node::Quoted(s) => Some(Scalar::Quoted(s)),
            _ => None,
        }
    }

    /// An empty plain scalar, which serde_yaml takes as an empty list or mapping.
    fn empty(&self) -> bool {
        matches!(self.0, Node::Plain(""))
    }
}

enum Scalar<'n, 'a> {
    Plain(&'a str),
    Quoted(&'n Cow<'a, str>),
}

fn visit_text<'de, V: Visitor<'de>>(s: &Cow<'de, str>, v: V) -> Result<V::Value, Declined> {
    match s {
        Cow::Borrowed(b) => v.visit_borrowed_str(b),
        Cow::Owned(o) => v.visit_str(o),
    }
}

macro_rules! declined {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'a>>(self, _v: V) -> Result<V::Value, Declined> {
            Err(self.unexpected("a value serde_yaml reads"))
        }
    )*};
}

impl<'a> de::Deserializer<'a> for NodeDe<'_, 'a> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Plain(s) => visit_plain(s, v),
            Node::Quoted(s) => visit_text(s, v),
            Node::Seq(items) => v.visit_seq(Items(items.iter())),
            Node::Map(pairs) => v.visit_map(Entries::of(pairs)),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Plain(s) => match parse_bool(s) {
                Some(b) => v.visit_bool(b),
                None => Err(self.unexpected("a boolean")),
            },
            _ => Err(self.unexpected("a boolean")),
        }
    }

    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.scalar() {
            Some(Scalar::Plain(s)) => v.visit_borrowed_str(s),
            Some(Scalar::Quoted(s)) => visit_text(s, v),
            None => Err(self.unexpected("text")),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        self.deserialize_str(v)
    }

    fn deserialize_char<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Plain(s) if is_null(s) => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Plain(s) if is_null(s) => v.visit_unit(),
            _ => Err(self.unexpected("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, _name: &'static str, v: V) -> Result<V::Value, Declined> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, v: V) -> Result<V::Value, Declined> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Seq(items) => v.visit_seq(Items(items.iter())),
            _ if self.empty() => v.visit_seq(Items([].iter())),
            _ => Err(self.unexpected("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, v: V) -> Result<V::Value, Declined> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        match self.0 {
            Node::Map(pairs) => v.visit_map(Entries::of(pairs)),
            _ if self.empty() => v.visit_map(Entries::of(&[])),
            _ => Err(self.unexpected("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_map(v)
    }

    /// A scalar names a unit variant (every enum of the format is one of those).
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Declined> {
        match self.scalar() {
            Some(Scalar::Plain(s)) => v.visit_enum(de::value::BorrowedStrDeserializer::new(s)),
            Some(Scalar::Quoted(s)) => v.visit_enum(de::value::StrDeserializer::new(s)),
            None => Err(self.unexpected("a name")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, Declined> {
        v.visit_unit()
    }

    // No field of the format is a number or bytes: declining sends such a file the
    // careful way, where the field's own rule speaks.
    declined!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_bytes deserialize_byte_buf);
}

struct Items<'n, 'a>(std::slice::Iter<'n, Node<'a>>);

impl<'a> de::SeqAccess<'a> for Items<'_, 'a> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, Declined> {
        self.0.next().map(|n| seed.deserialize(NodeDe(n))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'n, 'a> {
    pairs: std::slice::Iter<'n, (&'a str, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'n, 'a> Entries<'n, 'a> {
    fn of(pairs: &'n [(&'a str, Node<'a>)]) -> Self {
        Entries {
            pairs: pairs.iter(),
            value: None,
        }
    }
}

impl<'a> de::MapAccess<'a> for Entries<'_, 'a> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Declined> {
        let Some((key, value)) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(NodeDe(&Node::Plain(key))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Declined("a value before its key".into()))?;
        seed.deserialize(NodeDe(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_yaml_does_not_print_is_found_wherever_it_stands() {
        // Every position in and around the 32-byte blocks checked at once, and the tail.
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let text = "id: a\r\n- b ~".chars().cycle().take(len).collect::<String>();
            assert!(all_printable(&text));
            for at in 0..=len {
                for c in [
                    '\t', '\u{0}', '\u{7f}', '\u{85}', '\u{2028}', '\u{feff}', 'é', '名', '😀',
                ] {
                    let mut s = text.clone();
                    s.insert(at, c);
                    assert_eq!(all_printable(&s), printable(c), "{c:?} at {at} of {len}");
                    // After text outside ASCII, the rest is still checked.
                    s.insert(0, 'é');
                    assert_eq!(all_printable(&s), printable(c), "{c:?} after é at {at} of {len}");
                }
            }
        }
    }

    fn plain(s: &str) -> Node<'_> {
        Node::Plain(s)
    }

    /// The value read, without its outline.
    fn read(front: &str) -> Option<Node<'_>> {
        super::read(front, 2).map(|r| r.node)
    }

    fn quoted(s: &str) -> Node<'_> {
        Node::Quoted(Cow::Borrowed(s))
    }

    #[test]
    fn reads_the_shape_insiden_writes() {
        let front = "id: INC-2026-0001\ntitle: \"Situs \\\"desa\\\" diretas\"\nreporter:\n  name: Budi # pelapor\n  contact: 'budi@example.org'\ntags: [web, \"a, b\"]\nassets:\n- https://desa.example/a#b\nhistory:\n  - { at: 2026-01-21T09:15:00+07:00, to: reported, by: helpdesk, note: \"x\" }\n  - at: 2026-01-21 10:02\n    to: registered\n\nowner:\n";
        let expected = Node::Map(vec![
            ("id", plain("INC-2026-0001")),
            ("title", Node::Quoted(Cow::Owned("Situs \"desa\" diretas".into()))),
            (
                "reporter",
                Node::Map(vec![("name", plain("Budi")), ("contact", quoted("budi@example.org"))]),
            ),
            ("tags", Node::Seq(vec![plain("web"), quoted("a, b")])),
            ("assets", Node::Seq(vec![plain("https://desa.example/a#b")])),
            (
                "history",
                Node::Seq(vec![
                    Node::Map(vec![
                        ("at", plain("2026-01-21T09:15:00+07:00")),
                        ("to", plain("reported")),
                        ("by", plain("helpdesk")),
                        ("note", quoted("x")),
                    ]),
                    Node::Map(vec![("at", plain("2026-01-21 10:02")), ("to", plain("registered"))]),
                ]),
            ),
            ("owner", plain("")),
        ]);
        assert_eq!(read(front), Some(expected));
    }

    #[test]
    fn finds_the_outline_the_subset_scan_finds() {
        let front =
            "# kepala\nid: A\nhistory:\n  - at: x\n    to: y\n\n  - { at: z }\nnote: |\n  - bukan entri\nowner: b\n";
        let taken = super::read(front, 2).expect("taken");
        assert_eq!(Ok(taken.outline.clone()), subset::scan(front.trim_end(), 2));
        let keys: Vec<(&str, usize)> = taken.outline.keys.iter().map(|(k, l)| (&**k, *l)).collect();
        assert_eq!(keys, [("id", 3), ("history", 4), ("note", 9), ("owner", 11)]);
        assert_eq!(taken.outline.entries, [5, 8]);
    }

    #[test]
    fn declines_what_the_scan_outlines_otherwise() {
        // A top-level name with `-` is outside the subset; items of a list inside a
        // `history` mapping count as entries to the scan.
        assert_eq!(read("top-key: x\n"), None);
        assert!(read("extra:\n  sub-key: x\n").is_some());
        assert_eq!(read("history:\n  a:\n  - x\n"), None);
        // Past as many bytes as values may be counted, the scan counts.
        let long = format!("tags: [{}]\n", vec!["a"; subset::MAX_NODES / 2 + 1].join(","));
        assert_eq!(read(&long), None);
    }

    #[test]
    fn crlf_and_comments_read_like_lf() {
        let lf = "# kepala\nid: A # satu\ntags: []   # kosong\n";
        assert_eq!(read(lf), read(&lf.replace('\n', "\r\n")));
        assert_eq!(
            read(lf),
            Some(Node::Map(vec![("id", plain("A")), ("tags", Node::Seq(vec![]))]))
        );
    }

    #[test]
    fn escapes_are_unescaped() {
        let n = read("t: \"\\u00e9\\n\\t\\\\\\/\\0\"\ns: 'it''s'\n");
        assert_eq!(
            n,
            Some(Node::Map(vec![
                ("t", Node::Quoted(Cow::Owned("é\n\t\\/\0".into()))),
                ("s", Node::Quoted(Cow::Owned("it's".into()))),
            ]))
        );
    }

    #[test]
    fn literal_and_folded_blocks_read_as_yaml_folds_them() {
        let front = "a: |\n  satu\n  # dua: 3\n\n    - tiga\nb: >-\n  satu\n  dua\n\n  tiga\n\n\nhistory:\n- note: >\n    x\n    y\n  by: data\n";
        let text = |s: &str| Node::Quoted(Cow::Owned(s.into()));
        assert_eq!(
            read(front),
            Some(Node::Map(vec![
                ("a", text("satu\n# dua: 3\n\n  - tiga\n")),
                ("b", text("satu dua\ntiga")),
                (
                    "history",
                    Node::Seq(vec![Node::Map(vec![("note", text("x y\n")), ("by", plain("data"))])])
                ),
            ]))
        );
    }

    #[test]
    fn a_key_repeated_among_many_declines() {
        let many: String = (0..40).map(|i| format!("  k{i}: v\n")).collect();
        assert!(read(&format!("extra:\n{many}")).is_some());
        assert_eq!(read(&format!("extra:\n{many}  k3: w\n")), None);
        let flow: Vec<String> = (0..40).map(|i| format!("k{i}: v")).collect();
        assert!(read(&format!("extra: {{ {} }}\n", flow.join(", "))).is_some());
        assert_eq!(read(&format!("extra: {{ {}, k39: w }}\n", flow.join(", "))), None);
    }

    #[test]
    fn declines_everything_outside_its_shape() {
        for front in [
            "summary: |+\n  baris\n",
            "summary: |2\n  baris\n",
            "summary: > # catatan\n  baris\n",
            "summary: >\n  baris\n    lebih\n",
            "summary: |\n  baris\n   \n  lagi\n",
            "summary: |\nnext: x\n",
            "summary: |\n\n  baris\n",
            "- |\n  baris\n",
            "title: satu\n  dua\n",
            "title:\n  satu dua\n",
            "tags: [a,\n  b]\n",
            "a: &x 1\nb: *x\n",
            "a: !tag x\n",
            "a:\tx\n",
            "a: x\na: y\n",
            "\"a\": x\n",
            "a: x\n---\nb: y\n",
            "a: x\n...\n",
            "\u{feff}a: x\n",
            "a: x\u{85}y\n",
            "a: \"\\x41\"\n",
            "a: \"\\ud800\"\n",
            "a: \"open\n",
            "a: [[x]]\n",
            "a: [x, ]\n",
            "a: [x #c]\n",
            "a: {b: c: d}\n",
            "a: { b: x, b: y }\n",
            "a: b: c\n",
            "a: b:\n",
            "a:\n  -\n    b: c\n",
            "a: x\n  - y\n",
            "a: [x] y\n",
            "a: \"x\"y\n",
            "a: -1\n",
            "a: ? x\n",
            "a:\n  b: x\n c: y\n",
            "  a: x\n",
            "a: x\ry\n",
        ] {
            assert_eq!(read(front), None, "{front:?}");
        }
    }

    #[test]
    fn plain_scalars_resolve_to_nulls_booleans_numbers_and_text() {
        use serde::Deserialize;
        let node = read("a: [~, null, '', TRUE, 0x1F, 0o17, +5, 007, 1e3, .5, x, 'true']\n").expect("read");
        let Node::Map(pairs) = &node else { panic!("{node:?}") };
        let v = serde_json::Value::deserialize(NodeDe(&pairs[0].1)).expect("value");
        assert_eq!(
            v,
            serde_json::json!([null, null, "", true, 31, 15, 5, "007", 1000.0, 0.5, "x", "true"])
        );
    }
}
