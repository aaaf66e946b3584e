//! The incident page: what the built-in `incident.html` in the built-in `layout.html` make of
//! an incident's view. A missing team prints `None`, as the engine prints a missing value.

use super::{some, Frame, Page};
use crate::i18n::TimeText;
use crate::views::{IncidentView, Link};
use std::fmt::Write as _;

/// The templates this module writes the page of: the page's own and every template it
/// extends, imports or includes (a test reads the built-ins to keep this list whole).
pub(in crate::site) const TEMPLATES: &[&str] = &["incident.html", "layout.html"];

/// Incident pages sit one folder down.
pub(in crate::site) const ROOT: &str = "../";

impl Frame {
    /// The whole page of `v` (on a frame made with [`ROOT`] and no navigation entry).
    pub(in crate::site) fn incident_page(&self, v: &IncidentView) -> String {
        let capacity = 16 * 1024 + v.body_html.as_ref().map_or(0, String::len);
        self.page(capacity, &v.title, |w| w.incident(v))
    }
}

impl Page<'_> {
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

    fn incident(&mut self, i: &IncidentView) {
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
    use super::super::tests::{assert_same, each_site, made_of, Pick};
    use super::*;
    use crate::site::incident_context;
    use crate::site::templates::Templates;

    fn attachment(pick: &mut Pick) -> crate::views::AttachmentView {
        crate::views::AttachmentView {
            path: pick.text(),
            kind: pick.opt(),
            scan_report: pick.n(2) == 0,
            at: pick.time(),
            tool: pick.opt(),
            target: pick.opt(),
        }
    }

    /// A generated incident view: every optional part absent, empty or there.
    fn view(pick: &mut Pick, internal: bool) -> crate::views::IncidentView {
        use crate::views::*;
        let some = |p: &mut Pick| p.n(3) > 0;
        IncidentView {
            id: pick.text(),
            title: pick.text(),
            href: "incidents/INC-2026-0001.html".into(),
            status: pick.labelled(),
            is_final: pick.n(2) == 0,
            tlp: pick.tlp(),
            severity: some(pick).then(|| pick.labelled()),
            category: some(pick).then(|| pick.link()),
            owner: some(pick).then(|| pick.link()),
            summary: pick.opt(),
            reported_at: pick.time(),
            occurred_at: pick.time(),
            detected_at: pick.time(),
            closed_at: pick.time(),
            red_withheld: pick.n(4) == 0,
            body_html: (pick.n(3) > 0).then(|| ["", "<p>Isi <em>laporan</em> &amp; “x”</p>\n"][pick.n(2)].to_owned()),
            steps: (0..pick.n(11))
                .map(|k| StepView {
                    step: k as u8 + 1,
                    label: pick.text(),
                    state: ["done", "current", "skipped", "pending"][pick.n(4)],
                    at: pick.time(),
                    team: pick.opt(),
                })
                .collect(),
            timeline: (0..pick.n(6))
                .map(|_| EntryView {
                    at: pick.time().unwrap_or_else(|| TimeText {
                        iso: String::new(),
                        text: String::new(),
                        date: String::new(),
                        date_text: String::new(),
                    }),
                    state: pick.labelled(),
                    update: pick.n(2) == 0,
                    team: pick.text(),
                    actor: pick.opt(),
                    note: pick.opt(),
                })
                .collect(),
            internal,
            // On public views too: the page must not print it there.
            reporter: some(pick).then(|| ReporterView {
                name: pick.opt(),
                organization: pick.opt(),
                contact: pick.opt(),
                kind: pick.opt(),
                channel: pick.opt(),
            }),
            assets: pick.texts(),
            handler: some(pick).then(|| HandlerView {
                kind: pick.opt(),
                name: pick.opt(),
                contact: pick.opt(),
            }),
            delivered_to: some(pick).then(|| DeliveryView {
                to: pick.opt(),
                at: pick.time(),
                channel: pick.opt(),
                letter_number: pick.opt(),
            }),
            resolution: pick.opt(),
            impact: pick.opt(),
            pap: pick.opt(),
            in_scope: some(pick).then(|| pick.n(2) == 0),
            rejection: pick.opt(),
            duplicate_of: some(pick).then(|| pick.link()),
            related: (0..pick.n(4)).map(|_| pick.link()).collect(),
            rsit: pick.texts(),
            attack: pick.texts(),
            external_reports: (0..pick.n(3))
                .map(|_| ExternalReportView {
                    to: pick.text(),
                    at: pick.time(),
                    reference: pick.opt(),
                })
                .collect(),
            observables: (0..pick.n(3))
                .map(|_| ObservableView {
                    kind: pick.text(),
                    value: pick.text(),
                    ioc: pick.n(2) == 0,
                })
                .collect(),
            attachments: (0..pick.n(3)).map(|_| attachment(pick)).collect(),
            scan_reports: (0..pick.n(3)).map(|_| attachment(pick)).collect(),
            tags: pick.texts(),
            sla: some(pick).then(|| SlaView {
                state: pick.text(),
                spent: pick.text(),
                limit: pick.text(),
                breached: pick.n(2) == 0,
            }),
            window_ends: pick.time(),
        }
    }

    #[test]
    fn incident_pages_written_directly_are_the_templates_pages_byte_for_byte() {
        let tpl = Templates::new(Vec::new()).expect("templates");
        let mut pages = 0;
        each_site(&mut Pick(7), |pick, _, site, ui, base| {
            let frame = Frame::new(site, ui, ROOT, "");
            for _ in 0..150 {
                let v = view(pick, site.internal);
                let by_template = tpl
                    .render("incident.html", &base[1], incident_context(&v))
                    .expect("render");
                assert_same(&frame.incident_page(&v), &by_template, &v);
                pages += 1;
            }
        });
        assert_eq!(pages, 1200);
    }

    /// Every template the built-in incident page is made of is one whose replacement turns the
    /// direct writing off (an organisation's own `macros.html` must not be ignored once
    /// `incident.html` imports it).
    #[test]
    fn the_direct_incident_page_knows_every_template_it_stands_for() {
        let mut known = TEMPLATES.to_vec();
        known.sort_unstable();
        assert_eq!(made_of("incident.html"), known);
    }
}
