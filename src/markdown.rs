//! Markdown: the body's level-2 sections, and safe HTML.
//!
//! pulldown-cmark's only home, so there is one place to audit how untrusted text becomes HTML:
//! raw HTML (block and inline) is escaped and shown as text, links whose scheme could run
//! script (`javascript:`, `vbscript:`, `data:`, `file:`) keep their text but lose their
//! target, images with such a source are replaced by their alt text, and headings get stable
//! anchors. No templates, no files.

use crate::model::Section;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// How many lines and markup characters a body may hold ([`over_budget`]).
pub const MAX_BODY_UNITS: usize = 100_000;

/// The bytes the Markdown parser may turn into a node of its own: line breaks, and the
/// characters that open or close emphasis, code, links, images, autolinks, raw HTML,
/// entities, escapes, tables, headings and block quotes.
const MARKUP: &[u8] = b"\n*_~`[]!<>&\\|#";

/// Where in `body` (a byte offset) the [`MAX_BODY_UNITS`]-th line or markup character lies,
/// if it holds that many. The parser's memory grows with their number (up to some 150 bytes
/// for each byte of a body made of nothing else), so this bounds it before it runs; one pass.
pub fn over_budget(body: &str) -> Option<usize> {
    // Each unit is a byte: a body no longer than the budget is within it.
    if body.len() <= MAX_BODY_UNITS {
        return None;
    }
    let mut table = [false; 256];
    for &b in MARKUP {
        table[usize::from(b)] = true;
    }
    body.bytes()
        .enumerate()
        .filter(|&(_, b)| table[usize::from(b)])
        .nth(MAX_BODY_UNITS)
        .map(|(i, _)| i)
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The level-2 sections of `body`; `first_line` is the body's first line in the file.
pub fn sections(body: &str, first_line: usize) -> Vec<Section> {
    split_sections(body, first_line)
        .into_iter()
        .map(|(heading, line, content)| Section {
            heading,
            line,
            filled: !body.get(content.clone()).unwrap_or("").trim().is_empty(),
            content,
        })
        .collect()
}

/// (heading, line, byte range of the content) of every level-2 section.
fn split_sections(body: &str, first_line: usize) -> Vec<(String, usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut heading: Option<(String, usize)> = None;
    // (heading, line, byte where its content starts)
    let mut open: Vec<(String, usize, usize)> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    // Lines are counted from the previous heading on, so many headings cost one pass.
    let (mut counted_to, mut line_of) = (0, first_line);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                ends.push(range.start);
                if level == HeadingLevel::H2 {
                    let upto = range.start.max(counted_to);
                    line_of += body.get(counted_to..upto).map_or(0, |s| s.matches('\n').count());
                    counted_to = upto;
                    let line = line_of;
                    heading = Some((String::new(), line));
                } else {
                    heading = None;
                    open.push((String::new(), 0, range.start));
                }
            }
            Event::End(TagEnd::Heading(level)) if level <= HeadingLevel::H2 => {
                if let Some((text, line)) = heading.take() {
                    open.push((text, line, range.end));
                } else if let Some(last) = open.last_mut() {
                    last.2 = range.end;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((text, _)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            _ => {}
        }
    }
    ends.push(body.len());
    for (i, (text, line, start)) in open.into_iter().enumerate() {
        if line == 0 {
            continue; // a level-1 heading only ends the section before it
        }
        let end = ends.get(i + 1).copied().unwrap_or(body.len()).max(start);
        out.push((text.trim().to_owned(), line, start..end));
    }
    out
}

/// Whether a link target is safe to keep.
fn safe_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let slash = lower.find('/').unwrap_or(usize::MAX);
    match scheme_end {
        Some(i) if i < slash => ["http:", "https:", "mailto:"].iter().any(|s| lower.starts_with(s)),
        _ => true, // relative
    }
}

/// A heading anchor: lower-case letters and digits joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "bagian".into()
    } else {
        out
    }
}

/// Renders `body` as HTML that cannot run script. Headings are shifted down by `shift`
/// levels (a page title is the `h1`), and their anchors are prefixed with `anchor_prefix`.
/// Events stream from the parser to the HTML writer; only a heading's own events wait, until
/// its text (and so its anchor) is known.
pub fn to_html(body: &str, shift: u8, anchor_prefix: &str) -> String {
    let safe = Safe {
        inner: Parser::new_ext(body, options()),
        queue: std::collections::VecDeque::new(),
        used: HashMap::new(),
        dropped_links: 0,
        images: Vec::new(),
        shift,
        anchor_prefix,
    };
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, safe);
    html
}

/// The parser's events made safe: raw HTML as text, script-scheme links and images dropped,
/// headings shifted and given unique anchors.
struct Safe<'a, 'p, I> {
    inner: I,
    /// A heading's events, once its anchor is set.
    queue: std::collections::VecDeque<Event<'a>>,
    used: HashMap<String, usize>,
    dropped_links: usize,
    /// For each open image: whether it was dropped (its alt text stays as plain text).
    images: Vec<bool>,
    shift: u8,
    anchor_prefix: &'p str,
}

impl<'a, I: Iterator<Item = Event<'a>>> Safe<'a, '_, I> {
    /// The event to write for `event`, or `None` to drop it.
    fn transform(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        Some(match event {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if !safe_url(&dest_url) {
                    self.dropped_links += 1;
                    return None;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) if self.dropped_links > 0 => {
                self.dropped_links -= 1;
                return None;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = safe_url(&dest_url);
                self.images.push(!safe);
                if !safe {
                    return None;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) => {
                if self.images.pop().unwrap_or(false) {
                    return None;
                }
                Event::End(TagEnd::Image)
            }
            Event::Start(Tag::Heading {
                level, classes, attrs, ..
            }) => Event::Start(Tag::Heading {
                level: shift_level(level, self.shift),
                id: None,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift_level(level, self.shift))),
            other => other,
        })
    }

    /// A unique anchor for a heading whose text is `text`.
    fn anchor(&mut self, text: &str) -> String {
        let base = slug(text);
        let n = self.used.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            format!("{}{base}", self.anchor_prefix)
        } else {
            format!("{}{base}-{n}", self.anchor_prefix)
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Safe<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.queue.pop_front() {
            return Some(e);
        }
        loop {
            let raw = self.inner.next()?;
            let Some(event) = self.transform(raw) else {
                continue;
            };
            if !matches!(event, Event::Start(Tag::Heading { .. })) {
                return Some(event);
            }
            // Hold the heading until its end, gathering its text for the anchor.
            let mut text = String::new();
            self.queue.push_back(event);
            while let Some(e) = self.inner.next() {
                if let Event::Text(t) = &e {
                    text.push_str(t);
                }
                let end = matches!(e, Event::End(TagEnd::Heading(_)));
                if let Some(e) = self.transform(e) {
                    self.queue.push_back(e);
                }
                if end {
                    break;
                }
            }
            let anchor = self.anchor(&text);
            if let Some(Event::Start(Tag::Heading { id, .. })) = self.queue.front_mut() {
                *id = Some(CowStr::from(anchor));
            }
            return self.queue.pop_front();
        }
    }
}

fn shift_level(level: HeadingLevel, shift: u8) -> HeadingLevel {
    let n = (level as usize + usize::from(shift)).min(6);
    HeadingLevel::try_from(n).unwrap_or(HeadingLevel::H6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_level_two_headings_with_their_fill() {
        let body = "## Laporan\nIsi.\n\n## Analisis\n\n## Rekomendasi\n### Detail\nx\n# Lain\n## Penanganan\n   \n";
        let s = sections(body, 10);
        let got: Vec<_> = s.iter().map(|s| (s.heading.as_str(), s.line, s.filled)).collect();
        assert_eq!(
            got,
            [
                ("Laporan", 10, true),
                ("Analisis", 13, false),
                ("Rekomendasi", 15, true),
                ("Penanganan", 19, false)
            ]
        );
    }

    #[test]
    fn a_body_is_measured_in_lines_and_markup_characters() {
        assert_eq!(over_budget("teks biasa tanpa tanda apa pun"), None);
        let lines = "a\n".repeat(MAX_BODY_UNITS);
        assert_eq!(over_budget(&lines), None);
        assert_eq!(over_budget(&format!("{lines}*")), Some(lines.len()));
        assert_eq!(over_budget(&"[".repeat(MAX_BODY_UNITS + 5)), Some(MAX_BODY_UNITS));
    }

    /// Regression: each level-2 heading counted the lines from the top of the body, so
    /// 200,000 headings (a 1 MiB file) took minutes.
    #[test]
    fn many_headings_take_linear_time() {
        let body = "## a\n".repeat(50_000);
        let t = std::time::Instant::now();
        let s = sections(&body, 7);
        assert_eq!((s.len(), s[49_999].line), (50_000, 50_006));
        assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("<script>alert(1)</script>\n\nhalo <img src=x onerror=alert(1)>", 0, "");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_links_lose_their_target_but_keep_their_text() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " java\tscript:x",
            "vbscript:x",
            "data:text/html,x",
        ] {
            let html = to_html(&format!("[klik]({url})"), 0, "");
            assert!(!html.contains("<a"), "{url}: {html}");
            assert!(html.contains("klik"), "{url}: {html}");
        }
        let html = to_html("[ok](https://example.org) [rel](../x.html)", 0, "");
        assert!(
            html.contains("href=\"https://example.org\"") && html.contains("href=\"../x.html\""),
            "{html}"
        );
        let html = to_html("![x](javascript:alert(1))", 0, "");
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn an_image_whose_source_is_dropped_becomes_its_alt_text() {
        let html = to_html(
            "Lihat ![peta *jaringan*](javascript:alert(1)) dan ![logo](data:image/png;base64,AAAA).",
            0,
            "",
        );
        assert!(!html.contains("<img") && !html.contains("src="), "{html}");
        assert!(
            html.contains("peta") && html.contains("jaringan") && html.contains("logo"),
            "{html}"
        );
        let html = to_html("![ok](gambar/peta.png)", 0, "");
        assert!(html.contains("<img src=\"gambar/peta.png\" alt=\"ok\""), "{html}");
    }

    #[test]
    fn headings_get_stable_unique_anchors_and_shift() {
        let html = to_html("## Analisis Awal\n## Analisis Awal\n", 1, "s-");
        assert!(html.contains("<h3 id=\"s-analisis-awal\">"), "{html}");
        assert!(html.contains("<h3 id=\"s-analisis-awal-2\">"), "{html}");
    }
}
