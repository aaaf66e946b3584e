//! The incident page written straight from its view: byte for byte what the built-in
//! `incident.html` in the built-in `layout.html` make of it, at a fraction of the cost (the
//! template engine was most of a build's time, and incident pages most of its pages).
//!
//! It is used only while none of [`TEMPLATES`] is replaced in `site-templates/`; a replaced
//! one is rendered by the engine as before. The two stay one page by test, not by care: the
//! tests below render generated views through both and compare the bytes, and the build
//! tests compare whole sites with sites whose `site-templates/` holds copies of the built-ins.
//! A change to either template is a change here too.
//!
//! What the engine does, done the same way: every value is HTML-escaped as minijinja
//! escapes (`& < > " ' /`), except the body, which `markdown::to_html` made safe; an empty
//! text counts as absent; a missing team prints `None`.

use super::SiteView;
use crate::i18n::TimeText;
use crate::views::{IncidentView, Link};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The templates this module writes the page of: the page's own and every template it
/// extends, imports or includes (a test reads the built-ins to keep this list whole).
pub(super) const TEMPLATES: &[&str] = &["incident.html", "layout.html"];

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

/// What every incident page shares: the layout around the page, made once per build, and
/// the interface strings, escaped once.
pub(super) struct Frame {
    /// Up to `<title>`.
    head: String,
    /// From ` — <site title></title>` to the start of the page's own part.
    header: String,
    /// From the end of the page's own part to the end.
    footer: String,
    /// Interface strings, escaped.
    t: BTreeMap<&'static str, String>,
    /// [`ROOT`], escaped as every link's start.
    root: String,
}

/// Incident pages sit one folder down.
const ROOT: &str = "../";

impl Frame {
    pub(super) fn new(site: &SiteView, ui: &BTreeMap<&'static str, &'static str>) -> Frame {
        let t: BTreeMap<&'static str, String> = ui.iter().map(|(k, v)| (*k, escaped(v))).collect();
        let tt = |k: &str| t.get(k).map_or_else(|| escaped(k), Clone::clone);
        let root = escaped(ROOT);
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
        for (key, href) in [
            ("overview", "index.html"),
            ("archive", "archive/index.html"),
            ("categories", "categories/index.html"),
            ("owners", "owners/index.html"),
            ("reports", "reports/index.html"),
        ] {
            let _ = write!(header, "\n<li><a href=\"{root}{}\">{}</a></li>", escaped(href), tt(key));
        }
        if site.internal {
            let _ = write!(header, "\n<li><a href=\"{root}sop.html\">{}</a></li>", tt("sop_page"));
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
        }
    }

    /// An interface string, escaped. The keys are this module's own, each reached by the
    /// tests (where the engine would stop at an unknown key, this prints the key).
    fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key).map_or(key, String::as_str)
    }

    /// The whole page of `v`.
    pub(super) fn page(&self, v: &IncidentView) -> String {
        let mut w = Page {
            out: String::with_capacity(16 * 1024 + v.body_html.as_ref().map_or(0, String::len)),
            f: self,
        };
        w.raw(&self.head);
        w.esc(&v.title);
        w.raw(&self.header);
        w.main(v);
        w.raw(&self.footer);
        w.out
    }
}

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

    fn time(&mut self, at: &TimeText) {
        self.raw("<time datetime=\"");
        self.esc(&at.iso);
        self.raw("\">");
        self.esc(&at.text);
        self.raw("</time>");
    }

    fn link(&mut self, l: &Link) {
        self.raw("<a href=\"");
        self.root();
        self.esc(&l.href);
        self.raw("\">");
        self.esc(&l.label);
        self.raw("</a>");
    }

    /// `<div><dt>label</dt><dd>` … `</dd></div>`.
    fn item(&mut self, key: &str, dd: impl FnOnce(&mut Self)) {
        self.raw("<div><dt>");
        self.t(key);
        self.raw("</dt><dd>");
        dd(self);
        self.raw("</dd></div>");
    }

    /// A details line of plain text, and the line's end.
    fn text_item(&mut self, key: &str, s: &Option<String>) {
        if let Some(s) = some(s) {
            self.item(key, |w| w.esc(s));
        }
        self.raw("\n");
    }

    fn time_item(&mut self, key: &str, at: &Option<TimeText>) {
        if let Some(at) = at {
            self.item(key, |w| w.time(at));
        }
        self.raw("\n");
    }

    fn list_item(&mut self, key: &str, xs: &[String]) {
        if !xs.is_empty() {
            self.item(key, |w| {
                for (n, x) in xs.iter().enumerate() {
                    if n > 0 {
                        w.raw(", ");
                    }
                    w.esc(x);
                }
            });
        }
        self.raw("\n");
    }

    fn main(&mut self, i: &IncidentView) {
        self.raw("\n\n<p class=\"breadcrumb\"><a href=\"");
        self.root();
        self.raw("index.html\">");
        self.t("overview");
        self.raw("</a> › <a href=\"");
        self.root();
        self.raw("archive/index.html");
        self.raw("\">");
        self.t("archive");
        self.raw("</a> › ");
        self.esc(&i.id);
        self.raw("</p>\n<h1><span class=\"incident-id\">");
        self.esc(&i.id);
        self.raw("</span> <bdi>");
        self.esc(&i.title);
        self.raw("</bdi></h1>\n<p class=\"badges\"><span class=\"tlp tlp-");
        self.esc(i.tlp.class);
        self.raw("\">");
        self.esc(i.tlp.label);
        self.raw("</span> <span class=\"badge\">");
        self.t("status");
        self.raw(": <strong>");
        self.esc(&i.status.label);
        self.raw("</strong></span>");
        if let Some(s) = &i.severity {
            self.raw(" <span class=\"badge sev-");
            self.esc(&s.id);
            self.raw("\">");
            self.t("severity");
            self.raw(": <strong>");
            self.esc(&s.label);
            self.raw("</strong></span>");
        }
        self.raw("</p>\n");
        if i.red_withheld {
            self.raw("<p class=\"notice notice-red\" role=\"note\">");
            self.t("restricted_red");
            self.raw("</p>");
        }
        self.raw("\n");
        if let Some(s) = some(&i.summary) {
            self.raw("<p class=\"lead\" dir=\"auto\">");
            self.esc(s);
            self.raw("</p>");
        }
        self.raw("\n<section aria-labelledby=\"h-details\">\n<h2 id=\"h-details\">");
        self.t("details");
        self.raw("</h2>\n<dl class=\"meta\">\n");
        if let Some(c) = &i.category {
            self.item("category", |w| w.link(c));
        }
        self.raw("\n");
        if let Some(o) = &i.owner {
            self.item("owner", |w| {
                w.raw("<a href=\"");
                w.root();
                w.esc(&o.href);
                w.raw("\"><bdi>");
                w.esc(&o.label);
                w.raw("</bdi></a>");
            });
        }
        self.raw("\n");
        self.time_item("reported_at", &i.reported_at);
        self.time_item("occurred_at", &i.occurred_at);
        self.time_item("detected_at", &i.detected_at);
        self.time_item("closed_at", &i.closed_at);
        if i.internal {
            self.internal_details(i);
        }
        self.raw("\n</dl>\n</section>\n<section aria-labelledby=\"h-steps\">\n<h2 id=\"h-steps\">");
        self.t("progress");
        self.raw("</h2>\n<ol class=\"steps\">");
        for s in &i.steps {
            self.raw("\n<li class=\"step step-");
            self.esc(s.state);
            self.raw("\"><span class=\"step-mark\" aria-hidden=\"true\">");
            self.raw(match s.state {
                "done" => "✓",
                "current" => "●",
                "skipped" => "–",
                _ => "○",
            });
            self.raw("</span>\n<span class=\"step-body\"><span class=\"step-title\">");
            let _ = write!(self.out, "{}", s.step);
            self.raw(". ");
            self.esc(&s.label);
            self.raw("</span>\n<span class=\"step-state\">");
            self.t(&format!("step_{}", s.state));
            if let Some(at) = &s.at {
                self.raw(" · ");
                self.time(at);
                self.raw(" · ");
                match &s.team {
                    Some(team) => self.esc(team),
                    None => self.raw("None"),
                }
            }
            self.raw("</span></span></li>");
        }
        self.raw("\n</ol>\n</section>\n<section aria-labelledby=\"h-timeline\">\n<h2 id=\"h-timeline\">");
        self.t("timeline");
        self.raw("</h2>\n<ol class=\"timeline\">");
        for e in &i.timeline {
            self.raw("\n<li><p class=\"entry-head\">");
            self.time(&e.at);
            self.raw(" — ");
            if e.update {
                self.raw("<strong>");
                self.t("update");
                self.raw("</strong> (");
                self.esc(&e.state.label);
                self.raw(")");
            } else {
                self.t("status_set");
                self.raw(" <strong>");
                self.esc(&e.state.label);
                self.raw("</strong>");
            }
            self.raw(" · ");
            self.t("by_team");
            self.raw(" ");
            self.esc(&e.team);
            if let Some(a) = some(&e.actor) {
                self.raw(" (");
                self.esc(a);
                self.raw(")");
            }
            self.raw("</p>");
            if let Some(n) = some(&e.note) {
                self.raw("<p class=\"entry-note\" dir=\"auto\">");
                self.esc(n);
                self.raw("</p>");
            }
            self.raw("</li>");
        }
        self.raw("\n</ol>\n</section>\n");
        if !i.red_withheld {
            self.raw("\n<section aria-labelledby=\"h-body\" class=\"body\">\n<h2 id=\"h-body\">");
            self.t("report_body");
            self.raw("</h2>\n");
            match some(&i.body_html) {
                Some(html) => self.raw(html),
                None => {
                    self.raw("<p>");
                    self.t("no_body");
                    self.raw("</p>");
                }
            }
            self.raw("\n</section>\n");
        }
        self.raw("\n");
        if i.internal {
            self.internal_sections(i);
        }
        self.raw("\n");
    }

    /// The details only the internal edition has, each line with its end.
    fn internal_details(&mut self, i: &IncidentView) {
        self.raw("\n");
        if let Some(yes) = i.in_scope {
            self.item("in_scope", |w| w.t(if yes { "yes" } else { "no" }));
        }
        self.raw("\n");
        self.text_item("resolution", &i.resolution);
        self.text_item("impact", &i.impact);
        self.text_item("pap", &i.pap);
        if let Some(h) = &i.handler {
            self.item("handler", |w| {
                w.or_dash(&h.name);
                if let Some(k) = some(&h.kind) {
                    w.raw(" (");
                    w.esc(k);
                    w.raw(")");
                }
                if let Some(c) = some(&h.contact) {
                    w.raw(" · ");
                    w.esc(c);
                }
            });
        }
        self.raw("\n");
        if let Some(d) = &i.delivered_to {
            self.item("delivered_to", |w| {
                w.or_dash(&d.to);
                if let Some(at) = &d.at {
                    w.raw(" · ");
                    w.time(at);
                }
                if let Some(c) = some(&d.channel) {
                    w.raw(" · ");
                    w.t("delivery_channel");
                    w.raw(" ");
                    w.esc(c);
                }
                if let Some(n) = some(&d.letter_number) {
                    w.raw(" · ");
                    w.t("letter_number");
                    w.raw(" <code>");
                    w.esc(n);
                    w.raw("</code>");
                }
            });
        }
        self.raw("\n");
        self.text_item("rejection", &i.rejection);
        if let Some(d) = &i.duplicate_of {
            self.item("duplicate_of", |w| w.link(d));
        }
        self.raw("\n");
        if !i.related.is_empty() {
            self.item("related", |w| {
                for (n, r) in i.related.iter().enumerate() {
                    w.link(r);
                    if n + 1 < i.related.len() {
                        w.raw(", ");
                    }
                }
            });
        }
        self.raw("\n");
        self.list_item("rsit", &i.rsit);
        self.list_item("attack", &i.attack);
        self.list_item("tags", &i.tags);
        self.time_item("window_ends", &i.window_ends);
        if let Some(s) = &i.sla {
            self.item("sla_now", |w| {
                if s.breached {
                    w.raw("<span class=\"flag flag-breach\">⚠ ");
                    w.t("breached");
                } else {
                    w.raw("<span class=\"flag flag-ok\">✓ ");
                    w.t("within");
                }
                w.raw("</span> ");
                w.esc(&s.state);
                w.raw(": ");
                w.esc(&s.spent);
                w.raw(" / ");
                w.esc(&s.limit);
            });
        }
        self.raw("\n");
    }

    /// The sections only the internal edition has.
    fn internal_sections(&mut self, i: &IncidentView) {
        self.raw("\n");
        if let Some(r) = &i.reporter {
            self.raw("\n<section aria-labelledby=\"h-reporter\">\n<h2 id=\"h-reporter\">");
            self.t("reporter");
            self.raw("</h2>\n<dl class=\"meta\">\n");
            self.text_item("reporter", &r.name);
            self.text_item("organization", &r.organization);
            self.text_item("contact", &r.contact);
            self.text_item("reporter_type", &r.kind);
            self.text_item("channel", &r.channel);
            self.raw("</dl>\n</section>\n");
        }
        self.raw("\n");
        if !i.assets.is_empty() {
            self.raw("<section aria-labelledby=\"h-assets\"><h2 id=\"h-assets\">");
            self.t("assets");
            self.raw("</h2><ul class=\"plain\">");
            for a in &i.assets {
                self.raw("<li><code>");
                self.esc(a);
                self.raw("</code></li>");
            }
            self.raw("</ul></section>");
        }
        self.raw("\n");
        if !i.external_reports.is_empty() {
            self.raw("\n<section aria-labelledby=\"h-onward\"><h2 id=\"h-onward\">");
            self.t("external_reports");
            self.raw("</h2><ul class=\"plain\">");
            for x in &i.external_reports {
                self.raw("<li>");
                self.esc(&x.to);
                if let Some(at) = &x.at {
                    self.raw(" · ");
                    self.time(at);
                }
                if let Some(r) = some(&x.reference) {
                    self.raw(" · <code>");
                    self.esc(r);
                    self.raw("</code>");
                }
                self.raw("</li>");
            }
            self.raw("</ul></section>\n");
        }
        self.raw("\n");
        if !i.observables.is_empty() {
            self.raw("\n<section aria-labelledby=\"h-obs\"><h2 id=\"h-obs\">");
            self.t("observables");
            self.raw("</h2>\n<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">");
            self.t("obs_type");
            self.raw("</th><th scope=\"col\">");
            self.t("obs_value");
            self.raw("</th><th scope=\"col\">");
            self.t("ioc");
            self.raw("</th></tr></thead><tbody>");
            for o in &i.observables {
                self.raw("<tr><td>");
                self.esc(&o.kind);
                self.raw("</td><td><code>");
                self.esc(&o.value);
                self.raw("</code></td><td>");
                self.t(if o.ioc { "yes" } else { "no" });
                self.raw("</td></tr>");
            }
            self.raw("\n</tbody></table></div></section>\n");
        }
        self.raw("\n");
        if !i.scan_reports.is_empty() {
            self.raw("\n<section aria-labelledby=\"h-scan\"><h2 id=\"h-scan\">");
            self.t("scan_reports");
            self.raw("</h2>\n<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">");
            self.t("attachments");
            self.raw("</th><th scope=\"col\">");
            self.t("scan_target");
            self.raw("</th><th scope=\"col\">");
            self.t("scan_tool");
            self.raw("</th><th scope=\"col\">");
            self.t("scanned_at");
            self.raw("</th></tr></thead><tbody>");
            for a in &i.scan_reports {
                self.raw("<tr><td><code>");
                self.esc(&a.path);
                self.raw("</code></td><td>");
                match some(&a.target) {
                    Some(t) => {
                        self.raw("<code>");
                        self.esc(t);
                        self.raw("</code>");
                    }
                    None => self.raw("–"),
                }
                self.raw("</td><td>");
                self.or_dash(&a.tool);
                self.raw("</td><td>");
                match &a.at {
                    Some(at) => self.time(at),
                    None => self.raw("–"),
                }
                self.raw("</td></tr>");
            }
            self.raw("\n</tbody></table></div></section>\n");
        }
        self.raw("\n");
        if !i.attachments.is_empty() {
            self.raw("<section aria-labelledby=\"h-att\"><h2 id=\"h-att\">");
            self.t("attachments");
            self.raw("</h2><ul class=\"plain\">");
            for a in &i.attachments {
                self.raw("<li><code>");
                self.esc(&a.path);
                self.raw("</code>");
                if let Some(k) = some(&a.kind) {
                    self.raw(" · ");
                    self.esc(k);
                }
                self.raw("</li>");
            }
            self.raw("</ul></section>");
        }
        self.raw("\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n;
    use crate::site::templates::{self, value, Templates};
    use crate::site::{incident_context, shared};
    use crate::views::Audience;
    use crate::workflow::Lang;

    /// A small deterministic sequence for the generated views.
    struct Pick(u64);

    impl Pick {
        fn n(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as usize
        }

        /// Texts a template treats differently: empty, plain, every character HTML escapes,
        /// non-ASCII.
        fn text(&mut self) -> String {
            [
                "",
                "Dinas Kominfo",
                "a<b>&\"c'/d </p>",
                "Pemkab Trenggalek / Diskominfo",
                "ünï © ✓ — “x”",
            ][self.n(5)]
            .to_owned()
        }

        fn opt(&mut self) -> Option<String> {
            (self.n(3) > 0).then(|| self.text())
        }

        fn time(&mut self) -> Option<TimeText> {
            (self.n(3) > 0).then(|| TimeText {
                iso: self.text(),
                text: self.text(),
                date: self.text(),
                date_text: self.text(),
            })
        }

        fn texts(&mut self) -> Vec<String> {
            (0..self.n(4)).map(|_| self.text()).collect()
        }

        fn link(&mut self) -> crate::views::Link {
            crate::views::Link {
                label: self.text(),
                href: self.text(),
            }
        }

        fn labelled(&mut self) -> crate::views::Labelled {
            crate::views::Labelled {
                id: self.text(),
                label: self.text(),
            }
        }

        fn attachment(&mut self) -> crate::views::AttachmentView {
            crate::views::AttachmentView {
                path: self.text(),
                kind: self.opt(),
                scan_report: self.n(2) == 0,
                at: self.time(),
                tool: self.opt(),
                target: self.opt(),
            }
        }

        fn view(&mut self, internal: bool) -> crate::views::IncidentView {
            use crate::views::*;
            let tlps = [
                crate::model::Tlp::Clear,
                crate::model::Tlp::Green,
                crate::model::Tlp::Amber,
                crate::model::Tlp::AmberStrict,
                crate::model::Tlp::Red,
            ];
            let some = |p: &mut Pick| p.n(3) > 0;
            IncidentView {
                id: self.text(),
                title: self.text(),
                href: "incidents/INC-2026-0001.html".into(),
                status: self.labelled(),
                is_final: self.n(2) == 0,
                tlp: tlps[self.n(5)].into(),
                severity: some(self).then(|| self.labelled()),
                category: some(self).then(|| self.link()),
                owner: some(self).then(|| self.link()),
                summary: self.opt(),
                reported_at: self.time(),
                occurred_at: self.time(),
                detected_at: self.time(),
                closed_at: self.time(),
                red_withheld: self.n(4) == 0,
                body_html: (self.n(3) > 0)
                    .then(|| ["", "<p>Isi <em>laporan</em> &amp; “x”</p>\n"][self.n(2)].to_owned()),
                steps: (0..self.n(11))
                    .map(|k| StepView {
                        step: k as u8 + 1,
                        label: self.text(),
                        state: ["done", "current", "skipped", "pending"][self.n(4)],
                        at: self.time(),
                        team: self.opt(),
                    })
                    .collect(),
                timeline: (0..self.n(6))
                    .map(|_| EntryView {
                        at: self.time().unwrap_or_else(|| TimeText {
                            iso: String::new(),
                            text: String::new(),
                            date: String::new(),
                            date_text: String::new(),
                        }),
                        state: self.labelled(),
                        update: self.n(2) == 0,
                        team: self.text(),
                        actor: self.opt(),
                        note: self.opt(),
                    })
                    .collect(),
                internal,
                reporter: (internal && some(self)).then(|| ReporterView {
                    name: self.opt(),
                    organization: self.opt(),
                    contact: self.opt(),
                    kind: self.opt(),
                    channel: self.opt(),
                }),
                assets: self.texts(),
                handler: some(self).then(|| HandlerView {
                    kind: self.opt(),
                    name: self.opt(),
                    contact: self.opt(),
                }),
                delivered_to: some(self).then(|| DeliveryView {
                    to: self.opt(),
                    at: self.time(),
                    channel: self.opt(),
                    letter_number: self.opt(),
                }),
                resolution: self.opt(),
                impact: self.opt(),
                pap: self.opt(),
                in_scope: some(self).then(|| self.n(2) == 0),
                rejection: self.opt(),
                duplicate_of: some(self).then(|| self.link()),
                related: (0..self.n(4)).map(|_| self.link()).collect(),
                rsit: self.texts(),
                attack: self.texts(),
                external_reports: (0..self.n(3))
                    .map(|_| ExternalReportView {
                        to: self.text(),
                        at: self.time(),
                        reference: self.opt(),
                    })
                    .collect(),
                observables: (0..self.n(3))
                    .map(|_| ObservableView {
                        kind: self.text(),
                        value: self.text(),
                        ioc: self.n(2) == 0,
                    })
                    .collect(),
                attachments: (0..self.n(3)).map(|_| self.attachment()).collect(),
                scan_reports: (0..self.n(3)).map(|_| self.attachment()).collect(),
                tags: self.texts(),
                sla: some(self).then(|| SlaView {
                    state: self.text(),
                    spent: self.text(),
                    limit: self.text(),
                    breached: self.n(2) == 0,
                }),
                window_ends: self.time(),
            }
        }
    }

    #[test]
    fn incident_pages_written_directly_are_the_templates_pages_byte_for_byte() {
        let tpl = Templates::new(Vec::new()).expect("templates");
        let mut pick = Pick(7);
        let mut pages = 0;
        for lang in [Lang::Id, Lang::En] {
            for internal in [false, true] {
                for updated in [None, Some(pick.text())] {
                    let updated = updated.map(|t| TimeText {
                        iso: pick.text(),
                        text: pick.text(),
                        date: t,
                        date_text: pick.text(),
                    });
                    let site = SiteView {
                        title: pick.text(),
                        organization: pick.text(),
                        unit: pick.text(),
                        sop: pick.text(),
                        lang,
                        audience: if internal { Audience::Internal } else { Audience::Public },
                        internal,
                        edition: pick.text(),
                        notice: pick.text(),
                        base_url: pick.text(),
                        as_of: pick.time(),
                        updated,
                    };
                    let ui = i18n::ui(lang);
                    let base = shared(value(&site), value(&ui), lang);
                    let frame = Frame::new(&site, &ui);
                    for _ in 0..150 {
                        let v = pick.view(internal);
                        let by_template = tpl
                            .render("incident.html", &base[1], incident_context(&v))
                            .expect("render");
                        let direct = frame.page(&v);
                        if direct != by_template {
                            let at = direct
                                .bytes()
                                .zip(by_template.bytes())
                                .take_while(|(a, b)| a == b)
                                .count();
                            panic!(
                                "the pages part at byte {at}:\ndirect:   {:?}\ntemplate: {:?}\n{v:#?}",
                                &direct[at.saturating_sub(80)..(at + 80).min(direct.len())],
                                &by_template[at.saturating_sub(80)..(at + 80).min(by_template.len())],
                            );
                        }
                        pages += 1;
                    }
                }
            }
        }
        assert_eq!(pages, 1200);
    }

    /// Every template the built-in incident page is made of is one whose replacement turns the
    /// direct writing off (an organisation's own `macros.html` must not be ignored once
    /// `incident.html` imports it).
    #[test]
    fn the_direct_incident_page_knows_every_template_it_stands_for() {
        let builtin = |name: &str| {
            templates::BUILTINS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| *text)
                .expect("a built-in")
        };
        let mut seen = vec!["incident.html"];
        let mut i = 0;
        while let Some(name) = seen.get(i).copied() {
            for tag in builtin(name).split("{%").skip(1) {
                let tag = tag.split("%}").next().unwrap_or("").trim_start_matches('-').trim();
                let keyword = tag.split_whitespace().next().unwrap_or("");
                if ["extends", "import", "include", "from"].contains(&keyword) {
                    for used in tag.split('"').skip(1).step_by(2) {
                        if !seen.contains(&used) {
                            seen.push(used);
                        }
                    }
                }
            }
            i += 1;
        }
        seen.sort_unstable();
        let mut known = TEMPLATES.to_vec();
        known.sort_unstable();
        assert_eq!(seen, known);
    }
}
