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

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The level-2 sections of `body`; `first_line` is the body's first line in the file.
pub fn sections(body: &str, first_line: usize) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut heading: Option<(String, usize)> = None;
    // (heading, line, byte where its content starts)
    let mut open: Vec<(String, usize, usize)> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                ends.push(range.start);
                if level == HeadingLevel::H2 {
                    let line = first_line + body[..range.start].matches('\n').count();
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
        let content = body.get(start..end).unwrap_or("");
        out.push(Section {
            heading: text.trim().to_owned(),
            line,
            filled: !content.trim().is_empty(),
        });
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
pub fn to_html(body: &str, shift: u8, anchor_prefix: &str) -> String {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut heading_text: Option<(usize, String)> = None;
    let mut dropped_links = 0usize;
    // For each open image: whether it was dropped (its alt text stays as plain text).
    let mut images: Vec<bool> = Vec::new();
    for event in Parser::new_ext(body, options()) {
        let event = match event {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if safe_url(&dest_url) {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                } else {
                    dropped_links += 1;
                    continue;
                }
            }
            Event::End(TagEnd::Link) if dropped_links > 0 => {
                dropped_links -= 1;
                continue;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = safe_url(&dest_url);
                images.push(!safe);
                if !safe {
                    continue;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) => {
                if images.pop().unwrap_or(false) {
                    continue;
                }
                Event::End(TagEnd::Image)
            }
            Event::Start(Tag::Heading {
                level, classes, attrs, ..
            }) => {
                heading_text = Some((events.len(), String::new()));
                Event::Start(Tag::Heading {
                    level: shift_level(level, shift),
                    id: None,
                    classes,
                    attrs,
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((idx, text)) = heading_text.take() {
                    let base = slug(&text);
                    let n = used.entry(base.clone()).or_insert(0);
                    *n += 1;
                    let anchor = if *n == 1 {
                        format!("{anchor_prefix}{base}")
                    } else {
                        format!("{anchor_prefix}{base}-{n}")
                    };
                    if let Some(Event::Start(Tag::Heading { id, .. })) = events.get_mut(idx) {
                        *id = Some(CowStr::from(anchor));
                    }
                }
                Event::End(TagEnd::Heading(shift_level(level, shift)))
            }
            Event::Text(t) => {
                if let Some((_, text)) = heading_text.as_mut() {
                    text.push_str(&t);
                }
                Event::Text(t)
            }
            other => other,
        };
        events.push(event);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
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
