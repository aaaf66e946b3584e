//! SVG bar charts from report aggregates (by month, category, severity), shared by the
//! site's report pages and `insiden report --format html`.
//!
//! Pure string building: every label is escaped here, values are drawn as bars *and* written
//! as text (never colour alone) in the reader's number format, a count shown as a range
//! ("< 3", "2–4", "≥ 3", "x") gets a dashed placeholder of one fixed width instead of a bar
//! (its length would give the number away), and the output is the same bytes for the same
//! input. A chart whose every count is a range is not drawn at all: the page says why
//! instead (`site::charts`). No templates, no files.

use crate::disclosure::Count;
use crate::views::Breakdown;
use crate::workflow::Lang;
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A horizontal bar chart of `rows` with an accessible title. `id` must be unique in the
/// page (it names the title element).
pub fn bars(id: &str, title: &str, rows: &[Breakdown], lang: Lang) -> String {
    // Narrow enough to stay legible when a phone scales it to its width.
    const W: usize = 480;
    const LABEL_W: usize = 180;
    const BAR_W: usize = 240;
    const ROW_H: usize = 24;
    const TOP: usize = 8;
    const UNKNOWN_W: usize = 24;
    let id = crate::audience::slug(id);
    let text = |c: Count| crate::i18n::count(lang, c);
    let max = rows.iter().filter_map(|r| r.count.value()).max().unwrap_or(0).max(1);
    let h = TOP * 2 + ROW_H * rows.len().max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-labelledby=\"chart-{id}\"><title id=\"chart-{id}\">{}</title>",
        esc(title)
    );
    if rows.is_empty() {
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" class=\"chart-label\" fill=\"currentColor\">–</text>",
            TOP + 16
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + i * ROW_H;
        let _ = write!(
            s,
            "<g><title>{}: {}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\" fill=\"currentColor\">{}</text>",
            esc(&r.label),
            esc(&text(r.count)),
            LABEL_W - 8,
            y + 16,
            esc(&shorten(&r.label, 22))
        );
        let len = match r.count {
            Count::Shown(n) => n * BAR_W / max,
            _ => UNKNOWN_W,
        };
        if r.count.value().is_none() {
            let _ = write!(
                s,
                "<rect x=\"{LABEL_W}\" y=\"{}\" width=\"{UNKNOWN_W}\" height=\"{}\" class=\"chart-bar-unknown\" fill=\"none\" stroke=\"currentColor\" stroke-dasharray=\"3 3\"/>",
                y + 4,
                ROW_H - 8
            );
        } else if len > 0 {
            let _ = write!(
                s,
                "<rect x=\"{LABEL_W}\" y=\"{}\" width=\"{len}\" height=\"{}\" class=\"chart-bar\" fill=\"#2f6db5\"/>",
                y + 4,
                ROW_H - 8
            );
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" class=\"chart-value\" fill=\"currentColor\">{}</text></g>",
            LABEL_W + len + 6,
            y + 16,
            esc(&text(r.count))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, count: Count) -> Breakdown {
        Breakdown {
            key: label.into(),
            label: label.into(),
            count,
            rsit: Vec::new(),
        }
    }

    #[test]
    fn labels_are_escaped_and_values_written_as_text() {
        let svg = bars(
            "x",
            "Judul <b>",
            &[row("<script>", Count::Shown(4)), row("a&b", Count::below(3))],
            Lang::Id,
        );
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("&lt; 3"), "{svg}");
        assert_eq!(svg.matches("class=\"chart-bar\"").count(), 1);
        assert_eq!(svg.matches("chart-bar-unknown").count(), 1);
        // A suppressed count never gets a bar proportional to its value.
        let svg = bars(
            "y",
            "t",
            &[
                row("a", Count::Shown(10)),
                row("b", Count::at_least(3)),
                row("c", Count::WITHHELD),
                row("d", Count::Shown(1500)),
            ],
            Lang::Id,
        );
        assert_eq!(svg.matches("class=\"chart-bar\"").count(), 2);
        assert!(
            svg.contains("≥ 3") && svg.contains(">x<") && svg.contains(">1.500<"),
            "{svg}"
        );
    }
}
