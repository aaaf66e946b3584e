//! Pages written straight from their views: byte for byte what the built-in templates make of
//! them, at a fraction of the cost (the template engine was most of a build's time, and
//! incident pages, lists of incidents and reports nearly all of its pages and bytes).
//!
//! A kind of page is written here only while none of its templates (its `TEMPLATES`: the
//! page's own and every template it extends, imports or includes) is replaced in
//! `site-templates/`; a replaced one is rendered by the engine as before. The two stay one
//! page by test, not by care: each kind's tests render generated views through both and
//! compare the bytes, and the build tests compare whole sites with sites whose
//! `site-templates/` holds copies of the built-ins. A change to a template is a change here
//! too.
//!
//! What the engine does, done the same way: every value is HTML-escaped as minijinja escapes
//! (`& < > " ' /`), except markup made safe before (an incident's body from
//! `markdown::to_html`); an empty text counts as absent where a template tests a text's truth
//! (not where it asks whether a value is defined); counts print as the `count` filter prints
//! them.
//!
//! An interface string missing from `i18n::ui` would stop the engine and prints its key here;
//! every key these pages use is in both languages (`i18n`'s tests), and each kind's tests
//! reach each of its keys.

pub(super) mod incident;
pub(super) mod list;
pub(super) mod report;

use super::SiteView;
use crate::disclosure::Count;
use crate::i18n::TimeText;
use crate::workflow::Lang;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Appends `s` HTML-escaped as the template engine escapes it.
fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2f;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// What every page of one kind and place shares: the built-in `layout.html` around the page,
/// made once per build, and the interface strings, escaped once.
pub(super) struct Frame {
    /// Up to `<title>`.
    head: String,
    /// From ` — <site title></title>` to the start of the page's own part.
    header: String,
    /// From the end of the page's own part to the end.
    footer: String,
    /// Interface strings, escaped.
    t: BTreeMap<&'static str, String>,
    /// The page's way to the site root (`""` or `"../"`), escaped as every link's start.
    root: String,
    lang: Lang,
}

/// The navigation's entries: (key, target).
const NAV: [(&str, &str); 5] = [
    ("overview", "index.html"),
    ("archive", "archive/index.html"),
    ("categories", "categories/index.html"),
    ("owners", "owners/index.html"),
    ("reports", "reports/index.html"),
];

impl Frame {
    /// The layout of a page whose way to the root is `root` and whose entry of the
    /// navigation is `nav` (the template's `nav`; `""` for none).
    pub(super) fn new(site: &SiteView, ui: &BTreeMap<&'static str, &'static str>, root: &str, nav: &str) -> Frame {
        let t: BTreeMap<&'static str, String> = ui.iter().map(|(k, v)| (*k, escaped(v))).collect();
        let tt = |k: &'static str| t.get(k).map_or(k, String::as_str);
        let root = escaped(root);
        let current = |key: &str| if nav == key { " aria-current=\"page\"" } else { "" };
        let lang = site.lang.code();
        let head = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n<title>"
        );
        let mut header = format!(
            " — {title}</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\">\n\
             <link rel=\"alternate\" type=\"application/atom+xml\" title=\"{feed}\" href=\"{root}feed.xml\">\n\
             </head>\n<body class=\"edition-{audience}\">\n<a class=\"skip\" href=\"#isi\">{skip}</a>\n\
             <header class=\"site-header\">\n<div class=\"wrap\">\n<p class=\"org\">{org} · {unit}</p>\n\
             <p class=\"site-title\"><a href=\"{root}index.html\">{title}</a></p>\n<p class=\"edition\">",
            title = escaped(&site.title),
            feed = tt("feed"),
            audience = site.audience.as_str(),
            skip = tt("skip"),
            org = escaped(&site.organization),
            unit = escaped(&site.unit),
        );
        if site.internal {
            header.push_str("<span class=\"tlp tlp-amber\">TLP:AMBER</span> ");
        }
        escape_into(&mut header, &site.edition);
        if let Some(u) = &site.updated {
            let _ = write!(
                header,
                " · <span class=\"updated\">{} <time datetime=\"{}\">{}</time></span>",
                tt("updated"),
                escaped(&u.date),
                escaped(&u.date_text)
            );
        }
        let _ = write!(
            header,
            "</p>\n</div>\n<nav class=\"wrap\" aria-label=\"{}\">\n<ul>",
            tt("nav_label")
        );
        for (key, href) in NAV {
            let _ = write!(
                header,
                "\n<li><a href=\"{root}{}\"{}>{}</a></li>",
                escaped(href),
                current(key),
                tt(key)
            );
        }
        if site.internal {
            let _ = write!(
                header,
                "\n<li><a href=\"{root}sop.html\"{}>{}</a></li>",
                current("sop_page"),
                tt("sop_page")
            );
        }
        header.push_str("\n</ul>\n</nav>\n</header>\n<main id=\"isi\" class=\"wrap\" tabindex=\"-1\">\n");
        let footer = format!(
            "\n</main>\n<footer class=\"site-footer\">\n<div class=\"wrap\">\n<p class=\"notice\">{notice}</p>\n\
             <p><a href=\"{root}feed.xml\">{feed}</a> · <a href=\"{root}api/incidents.json\">{api}</a> · {sop_label} {sop}</p>\n\
             <p class=\"small\">{footer}</p>\n</div>\n</footer>\n</body>\n</html>",
            notice = escaped(&site.notice),
            feed = tt("feed"),
            api = tt("api"),
            sop_label = tt("sop"),
            sop = escaped(&site.sop),
            footer = tt("footer"),
        );
        Frame {
            head,
            header,
            footer,
            t,
            root,
            lang: site.lang,
        }
    }

    /// An interface string, escaped. The keys are this module's own, each reached by the
    /// tests (where the engine would stop at an unknown key, this prints the key).
    fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key).map_or(key, String::as_str)
    }

    /// A whole page: the layout with `title` and the page's own part, which `main` writes.
    fn page(&self, capacity: usize, title: &str, main: impl FnOnce(&mut Page<'_>)) -> String {
        let mut w = Page {
            out: String::with_capacity(capacity),
            f: self,
        };
        w.raw(&self.head);
        w.esc(title);
        w.raw(&self.header);
        main(&mut w);
        w.raw(&self.footer);
        w.out
    }
}

/// A page being written.
struct Page<'a> {
    out: String,
    f: &'a Frame,
}

/// Text that is there: present and not empty (the templates' truth of a text).
fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl Page<'_> {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn esc(&mut self, s: &str) {
        escape_into(&mut self.out, s);
    }

    fn t(&mut self, key: &str) {
        let f = self.f;
        self.out.push_str(f.t(key));
    }

    /// `{{ root }}`, the start of every link.
    fn root(&mut self) {
        let f = self.f;
        self.out.push_str(&f.root);
    }

    /// `{{ x or "–" }}`.
    fn or_dash(&mut self, s: &Option<String>) {
        match some(s) {
            Some(s) => self.esc(s),
            None => self.raw("–"),
        }
    }

    /// `{{ c|count }}`.
    fn count(&mut self, c: Count) {
        let f = self.f;
        self.esc(&crate::i18n::count(f.lang, c));
    }

    /// The `time` macro: `<time datetime="iso">text</time>`.
    fn time(&mut self, at: &TimeText) {
        self.raw("<time datetime=\"");
        self.esc(&at.iso);
        self.raw("\">");
        self.esc(&at.text);
        self.raw("</time>");
    }

    /// The `date` macro: `<time datetime="date">date_text</time>`.
    fn date(&mut self, at: &TimeText) {
        self.raw("<time datetime=\"");
        self.esc(&at.date);
        self.raw("\">");
        self.esc(&at.date_text);
        self.raw("</time>");
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::site::templates::{self, value, Value};
    use crate::views::Audience;

    /// A small deterministic sequence for generated views.
    pub(crate) struct Pick(pub u64);

    impl Pick {
        pub(crate) fn n(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as usize
        }

        /// Texts a template treats differently: empty, plain, every character HTML escapes,
        /// non-ASCII.
        pub(crate) fn text(&mut self) -> String {
            [
                "",
                "Dinas Kominfo",
                "a<b>&\"c'/d </p>",
                "Pemkab Trenggalek / Diskominfo",
                "ünï © ✓ — “x”",
            ][self.n(5)]
            .to_owned()
        }

        pub(crate) fn opt(&mut self) -> Option<String> {
            (self.n(3) > 0).then(|| self.text())
        }

        pub(crate) fn time(&mut self) -> Option<TimeText> {
            (self.n(3) > 0).then(|| TimeText {
                iso: self.text(),
                text: self.text(),
                date: self.text(),
                date_text: self.text(),
            })
        }

        pub(crate) fn texts(&mut self) -> Vec<String> {
            (0..self.n(4)).map(|_| self.text()).collect()
        }

        pub(crate) fn link(&mut self) -> crate::views::Link {
            crate::views::Link {
                label: self.text(),
                href: self.text(),
            }
        }

        pub(crate) fn labelled(&mut self) -> crate::views::Labelled {
            crate::views::Labelled {
                id: self.text(),
                label: self.text(),
            }
        }

        pub(crate) fn tlp(&mut self) -> crate::views::TlpView {
            use crate::model::Tlp;
            [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red][self.n(5)].into()
        }

        /// Every kind of count the disclosure control gives: shown, below a bound, a range
        /// (of one value too), a lower bound, withheld; large ones with digit groups.
        pub(crate) fn count(&mut self) -> Count {
            match self.n(6) {
                0 => Count::Shown(self.n(20)),
                1 => Count::Shown(1_000 + self.n(2_000_000)),
                2 => Count::below(3 + self.n(5) as u32),
                3 => {
                    let min = self.n(3_000);
                    Count::Range {
                        min,
                        max: Some(min + self.n(3)),
                    }
                }
                4 => Count::at_least(self.n(5_000)),
                _ => Count::WITHHELD,
            }
        }

        /// The site every page of one build shares, with a time it is as of when `updated`.
        pub(crate) fn site(&mut self, lang: Lang, internal: bool, updated: bool) -> SiteView {
            let updated = updated.then(|| TimeText {
                iso: self.text(),
                text: self.text(),
                date: self.text(),
                date_text: self.text(),
            });
            SiteView {
                title: self.text(),
                organization: self.text(),
                unit: self.text(),
                sop: self.text(),
                lang,
                audience: if internal { Audience::Internal } else { Audience::Public },
                internal,
                edition: self.text(),
                notice: self.text(),
                base_url: self.text(),
                as_of: self.time(),
                updated,
            }
        }
    }

    /// Calls `f` with each site a test renders pages of: both languages, both editions, with
    /// and without `updated`; with the interface strings and the engine's shared values
    /// (`[root, one folder down]`).
    pub(crate) fn each_site(
        pick: &mut Pick,
        mut f: impl FnMut(&mut Pick, Lang, &SiteView, &BTreeMap<&'static str, &'static str>, &[Value; 2]),
    ) {
        for lang in [Lang::Id, Lang::En] {
            for internal in [false, true] {
                for updated in [false, true] {
                    let site = pick.site(lang, internal, updated);
                    let ui = crate::i18n::ui(lang);
                    let base = crate::site::shared(value(&site), value(&ui), lang);
                    f(pick, lang, &site, &ui, &base);
                }
            }
        }
    }

    /// Panics with where `direct` and `by_template` part, when they do.
    pub(crate) fn assert_same(direct: &str, by_template: &str, what: &dyn std::fmt::Debug) {
        if direct != by_template {
            let at = direct
                .bytes()
                .zip(by_template.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let near = |s: &str| {
                let mut from = at.saturating_sub(80);
                while !s.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (at + 80).min(s.len());
                while !s.is_char_boundary(to) {
                    to += 1;
                }
                s[from..to].to_owned()
            };
            panic!(
                "the pages part at byte {at}:\ndirect:   {:?}\ntemplate: {:?}\n{what:#?}",
                near(direct),
                near(by_template),
            );
        }
    }

    /// The templates a built-in page is made of: `page` and every built-in it extends,
    /// imports or includes, sorted.
    pub(crate) fn made_of(page: &'static str) -> Vec<&'static str> {
        let builtin = |name: &str| {
            templates::BUILTINS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| *text)
                .expect("a built-in")
        };
        let mut seen = vec![page];
        let mut i = 0;
        while let Some(name) = seen.get(i).copied() {
            for tag in builtin(name).split("{%").skip(1) {
                let tag = tag.split("%}").next().unwrap_or("").trim_start_matches('-').trim();
                let keyword = tag.split_whitespace().next().unwrap_or("");
                if ["extends", "import", "include", "from"].contains(&keyword) {
                    for used in tag.split('"').skip(1).step_by(2) {
                        let used = templates::BUILTINS
                            .iter()
                            .map(|(n, _)| *n)
                            .find(|n| *n == used)
                            .expect("a built-in");
                        if !seen.contains(&used) {
                            seen.push(used);
                        }
                    }
                }
            }
            i += 1;
        }
        seen.sort_unstable();
        seen
    }

    #[test]
    fn every_page_of_the_navigation_is_marked_current_on_its_own_frame_only() {
        let mut pick = Pick(3);
        let site = pick.site(Lang::Id, true, true);
        let ui = crate::i18n::ui(Lang::Id);
        for (key, _) in NAV.iter().chain([("sop_page", "")].iter()) {
            let f = Frame::new(&site, &ui, "../", key);
            assert_eq!(f.header.matches("aria-current=\"page\"").count(), 1, "{key}");
        }
        let f = Frame::new(&site, &ui, "", "");
        assert!(!f.header.contains("aria-current"));
    }
}
