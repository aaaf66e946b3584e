//! A period's report page: what the built-in `report-page.html` (the built-in
//! `report-body.html` in the built-in `layout.html`) makes of a [`ReportView`].
//!
//! Where the engine would stop — a KPI or group with no statistic in the view, which its
//! strict lookups refuse — this writes nothing and leaves the page to the engine, so the build
//! fails as it did. A statistic's missing number prints `None` as the engine prints it.

use super::{escaped, some, Frame, Page};
use crate::disclosure::Count;
use crate::site::{Charts, SiteView};
use crate::views::{Breakdown, Labelled, ReportView};
use crate::workflow::Lang;
use std::collections::BTreeMap;

/// The templates this module writes the page of: the page's own and every template it
/// extends, imports or includes (a test reads the built-ins to keep this list whole).
pub(in crate::site) const TEMPLATES: &[&str] = &["layout.html", "report-body.html", "report-page.html"];

/// Report pages sit one folder down.
pub(in crate::site) const ROOT: &str = "../";

/// What every report page of a build shares: the layout, and the KPI and group labels,
/// escaped.
pub(in crate::site) struct Reports {
    frame: Frame,
    /// (key, label escaped), in report order.
    kpis: Vec<(String, String)>,
    groups: Vec<(String, String)>,
}

impl Reports {
    pub(in crate::site) fn new(
        site: &SiteView,
        ui: &BTreeMap<&'static str, &'static str>,
        kpis: &[Labelled],
        groups: &[Labelled],
    ) -> Reports {
        let labels = |xs: &[Labelled]| xs.iter().map(|x| (x.id.clone(), escaped(&x.label))).collect();
        Reports {
            frame: Frame::new(site, ui, ROOT, "reports"),
            kpis: labels(kpis),
            groups: labels(groups),
        }
    }

    /// The whole page of `r` with its `charts`, or `None` where the engine would stop.
    pub(in crate::site) fn page(&self, r: &ReportView, charts: &Charts) -> Option<String> {
        // Every statistic the KPI table looks up, before anything is written.
        let stats = self
            .kpis
            .iter()
            .map(|(k, _)| {
                let row = r.kpi.get(k.as_str())?;
                self.groups
                    .iter()
                    .map(|(g, _)| row.get(g.as_str()).copied())
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        let title = format!("{} — {}", r.title, r.period.label);
        let capacity = 24 * 1024 + r.incidents.len() * 900 + r.incident_texts.as_ref().map_or(0, |t| t.len() * 1500);
        Some(self.frame.page(capacity, &title, |w| {
            w.raw("\n");
            w.report(r, charts, self, &stats);
            w.raw("\n");
        }))
    }
}

/// `{{ x|num }}`: one decimal in the page's language; a missing number prints `None`.
fn num(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(|| "None".to_owned(), |x| crate::i18n::decimal(lang, x, 1))
}

impl Page<'_> {
    fn num(&mut self, x: Option<f64>) {
        let lang = self.f.lang;
        self.esc(&num(lang, x));
    }

    /// `<tr><th scope="row">{{ t[key] }}</th><td class="num">…</td></tr>` and its line's end.
    fn count_line(&mut self, key: &str, count: Count) {
        self.raw("<tr><th scope=\"row\">");
        self.t(key);
        self.raw("</th><td class=\"num\">");
        self.count(count);
        self.raw("</td></tr>\n");
    }

    /// The `breakdown` macro.
    fn breakdown(&mut self, key: &str, rows: &[Breakdown], withheld: bool) {
        self.raw("\n");
        if withheld {
            self.raw("<div class=\"withheld\"><h3>");
            self.t(key);
            self.raw("</h3><p class=\"note\">");
            self.t("withheld_breakdown");
            self.raw("</p></div>");
        } else {
            self.raw("\n<table class=\"counts\">\n<caption>");
            self.t(key);
            self.raw("</caption>\n<thead><tr><th scope=\"col\"><span class=\"visually-hidden\">");
            self.t(key);
            self.raw("</span></th><th scope=\"col\" class=\"num\">");
            self.t("count");
            self.raw("</th></tr></thead>\n<tbody>");
            for b in rows {
                self.raw("\n<tr><th scope=\"row\">");
                self.esc(&b.label);
                if !b.rsit.is_empty() {
                    self.raw("<br><span class=\"small muted\">");
                    self.esc(&b.rsit.join(", "));
                    self.raw("</span>");
                }
                self.raw("</th><td class=\"num\">");
                self.count(b.count);
                self.raw("</td></tr>");
            }
            if rows.is_empty() {
                self.raw("\n<tr><td colspan=\"2\">–</td></tr>");
            }
            self.raw("\n</tbody>\n</table>\n");
        }
        self.raw("\n");
    }

    fn report(&mut self, r: &ReportView, charts: &Charts, shared: &Reports, stats: &[Vec<crate::views::StatView>]) {
        self.raw("\n\n<article class=\"report\">\n<header class=\"report-head\">\n<p class=\"report-tlp\"><span class=\"tlp tlp-");
        self.raw(if r.tlp == "TLP:AMBER" { "amber" } else { "clear" });
        self.raw("\">");
        self.esc(r.tlp);
        self.raw("</span></p>\n<h1>");
        self.esc(&r.title);
        self.raw("<br><span class=\"subtitle\">");
        self.esc(&r.period.label);
        self.raw("</span></h1>\n<dl class=\"meta\">\n");
        for (key, value) in [
            ("organization", &r.organization.name),
            ("unit", &r.organization.unit),
            ("sop", &r.organization.sop),
        ] {
            self.raw("<div><dt>");
            self.t(key);
            self.raw("</dt><dd>");
            self.esc(value);
            self.raw("</dd></div>\n");
        }
        self.raw("<div><dt>");
        self.t("period");
        self.raw("</dt><dd>");
        self.time(&r.period.from);
        self.raw(" – ");
        self.time(&r.period.to);
        self.raw("</dd></div>\n");
        if let Some(g) = &r.generated {
            self.raw("<div><dt>");
            self.t("generated");
            self.raw("</dt><dd>");
            self.time(g);
            self.raw("</dd></div>");
        }
        self.raw("\n<div><dt>");
        self.t("audience");
        self.raw("</dt><dd>");
        self.esc(&r.audience_label);
        self.raw("</dd></div>\n</dl>\n</header>\n<section aria-labelledby=\"r-totals\">\n<h2 id=\"r-totals\">");
        self.t("totals");
        self.raw("</h2>\n<table class=\"counts wide\">\n<tbody>\n");
        for (key, count) in r.totals.rows() {
            self.count_line(key, count);
        }
        self.raw("</tbody>\n</table>\n</section>\n<section aria-labelledby=\"r-charts\" class=\"charts\">\n<h2 id=\"r-charts\">");
        self.t("charts");
        self.raw("</h2>\n");
        for (chart, caption) in [
            (&charts.month, "by_month"),
            (&charts.category, "by_category"),
            (&charts.severity, "by_severity"),
        ] {
            self.raw("\n");
            match some(chart) {
                Some(svg) => {
                    self.raw("<figure>");
                    self.raw(svg);
                    self.raw("<figcaption>");
                    self.t(caption);
                    self.raw("</figcaption></figure>");
                }
                None => {
                    self.raw("<div class=\"withheld\"><h3>");
                    self.t(caption);
                    self.raw("</h3><p class=\"note\">");
                    self.t("withheld_chart");
                    self.raw("</p></div>");
                }
            }
        }
        self.raw("\n</section>\n<section aria-labelledby=\"r-breakdowns\">\n<h2 id=\"r-breakdowns\">");
        self.t("breakdowns");
        self.raw("</h2>\n<div class=\"count-grid\">\n");
        for (key, rows) in [
            ("by_category", &r.by_category),
            ("by_severity", &r.by_severity),
            ("by_owner", &r.by_owner),
            ("by_reporter_type", &r.by_reporter_type),
            ("by_channel", &r.by_channel),
            ("by_tlp", &r.by_tlp),
            ("by_resolution", &r.by_resolution),
            ("rejected_by_code", &r.rejected_by_code),
        ] {
            self.breakdown(key, rows, r.withheld.contains(&key));
            self.raw("\n");
        }
        self.raw("</div>\n</section>\n");
        self.kpi(shared, stats);
        self.sla(r);
        self.onward(r);
        self.period_incidents(r);
        self.records(r);
        self.texts(r);
        self.closing(r);
        self.raw("</article>");
    }

    fn kpi(&mut self, shared: &Reports, stats: &[Vec<crate::views::StatView>]) {
        self.raw("<section aria-labelledby=\"r-kpi\">\n<h2 id=\"r-kpi\">");
        self.t("kpi");
        self.raw("</h2>\n<p>");
        self.t("kpi_help");
        self.raw("</p>\n<div class=\"table-wrap\">\n<table class=\"kpi\">\n<thead><tr><th scope=\"col\"><span class=\"visually-hidden\">");
        self.t("kpi_col");
        self.raw("</span></th>");
        for (_, label) in &shared.groups {
            self.raw("<th scope=\"col\" class=\"num\">");
            self.raw(label);
            self.raw("</th>");
        }
        self.raw("</tr></thead>\n<tbody>");
        for ((_, label), row) in shared.kpis.iter().zip(stats) {
            self.raw("\n<tr><th scope=\"row\">");
            self.raw(label);
            self.raw("</th>");
            for s in row {
                self.raw("<td class=\"num\">");
                if s.median_hours.is_some() {
                    self.num(s.median_hours);
                    self.raw(" / ");
                    self.num(s.p90_hours);
                } else {
                    self.raw("–");
                }
                self.raw("<br><span class=\"small muted\">n = ");
                self.count(s.n);
                self.raw("</span></td>");
            }
            self.raw("</tr>");
        }
        self.raw("\n</tbody>\n</table>\n</div>\n</section>\n");
    }

    fn sla(&mut self, r: &ReportView) {
        self.raw("<section aria-labelledby=\"r-sla\">\n<h2 id=\"r-sla\">");
        self.t("sla");
        self.raw("</h2>\n<div class=\"table-wrap\">\n<table class=\"kpi\">\n<thead><tr><th scope=\"col\">");
        self.t("status");
        for key in ["sla_within", "sla_breached", "sla_ongoing"] {
            self.raw("</th><th scope=\"col\" class=\"num\">");
            self.t(key);
        }
        self.raw("</th></tr></thead>\n<tbody>");
        for s in &r.sla_rows {
            self.raw("\n<tr><th scope=\"row\">");
            self.esc(&s.label);
            self.raw("</th>");
            for c in [s.within, s.breached, s.ongoing_breached] {
                self.raw("<td class=\"num\">");
                self.count(c);
                self.raw("</td>");
            }
            self.raw("</tr>");
        }
        if r.sla_rows.is_empty() {
            self.raw("<tr><td colspan=\"4\">–</td></tr>");
        }
        self.raw("\n</tbody>\n</table>\n</div>\n");
        if let Some(breaches) = &r.breaches {
            self.raw("\n<h3>");
            self.t("sla_breach_list");
            self.raw("</h3>\n");
            if breaches.is_empty() {
                self.raw("<p>–</p>");
            } else {
                self.raw("\n<table class=\"kpi\">\n<thead><tr><th scope=\"col\">");
                self.t("id");
                self.raw("</th><th scope=\"col\">");
                self.t("status");
                self.raw("</th><th scope=\"col\" class=\"num\">");
                self.t("spent_hours");
                self.raw("</th><th scope=\"col\" class=\"num\">");
                self.t("limit_hours");
                self.raw("</th></tr></thead>\n<tbody>");
                for b in breaches {
                    self.raw("\n<tr><td><a href=\"");
                    self.root();
                    self.esc(&b.href);
                    self.raw("\">");
                    self.esc(&b.id);
                    self.raw("</a></td><td>");
                    self.esc(&b.state_label);
                    if b.ongoing {
                        self.raw(" (");
                        self.t("sla_ongoing");
                        self.raw(")");
                    }
                    self.raw("</td><td class=\"num\">");
                    self.num(Some(b.spent_hours));
                    self.raw("</td><td class=\"num\">");
                    self.num(Some(b.limit_hours));
                    self.raw("</td></tr>");
                }
                self.raw("\n</tbody>\n</table>\n");
            }
            self.raw("\n");
        }
        self.raw("\n</section>\n");
    }

    fn onward(&mut self, r: &ReportView) {
        let o = &r.onward_reporting;
        self.raw("<section aria-labelledby=\"r-onward\">\n<h2 id=\"r-onward\">");
        self.t("onward");
        self.raw("</h2>\n<p>");
        self.t("onward_help");
        self.raw("</p>\n<table class=\"counts\">\n<tbody>\n");
        self.count_line("onward_required", o.required);
        self.count_line("onward_recorded", o.recorded);
        self.raw("</tbody>\n</table>\n");
        if let Some(missing) = o.missing.as_ref().filter(|m| !m.is_empty()) {
            self.raw("<p>");
            self.t("onward_missing");
            self.raw(": ");
            self.esc(&missing.join(", "));
            self.raw("</p>");
        }
        self.raw("\n</section>\n");
    }

    fn period_incidents(&mut self, r: &ReportView) {
        self.raw("<section aria-labelledby=\"r-incidents\">\n<h2 id=\"r-incidents\">");
        self.t("incidents_of_period");
        self.raw("</h2>\n");
        const COLUMNS: [&str; 7] = [
            "id",
            "reported_at",
            "title",
            "category",
            "severity",
            "tlp",
            "status_at_end",
        ];
        if r.incidents.is_empty() {
            self.raw("<p>");
            self.t("no_visible");
            self.raw("</p>");
        } else {
            self.raw("\n<div class=\"table-wrap\">\n<table class=\"incidents\">\n<thead><tr>");
            for key in COLUMNS {
                self.raw("<th scope=\"col\">");
                self.t(key);
                self.raw("</th>");
            }
            self.raw("</tr></thead>\n<tbody>");
            for i in &r.incidents {
                let [id, reported_at, title, category, severity, tlp, status] = COLUMNS;
                self.raw("\n<tr><td class=\"nowrap\" data-label=\"");
                self.t(id);
                self.raw("\"><a href=\"");
                self.root();
                self.esc(&i.href);
                self.raw("\">");
                self.esc(&i.id);
                self.raw("</a></td><td class=\"nowrap\" data-label=\"");
                self.t(reported_at);
                self.raw("\">");
                self.time(&i.reported_at);
                self.raw("</td><td data-label=\"");
                self.t(title);
                self.raw("\"><bdi>");
                self.esc(&i.title);
                self.raw("</bdi></td>");
                for (key, text) in [
                    (category, &*i.category_label),
                    (severity, &*i.severity_label),
                    (tlp, i.tlp),
                    (status, &*i.status_label),
                ] {
                    self.raw("<td data-label=\"");
                    self.t(key);
                    self.raw("\">");
                    self.esc(text);
                    self.raw("</td>");
                }
                self.raw("</tr>");
            }
            self.raw("\n</tbody>\n</table>\n</div>\n");
        }
        self.raw("\n");
        if let Some(restricted) = &r.restricted {
            self.raw("<p class=\"restricted\">");
            self.t("restricted_count");
            self.raw(": <strong>");
            self.count(restricted.count);
            self.raw("</strong>. ");
            self.t("restricted_help");
            self.raw("</p>");
        }
        self.raw("\n</section>\n");
    }

    fn records(&mut self, r: &ReportView) {
        if let Some(x) = &r.records {
            self.raw("\n<section aria-labelledby=\"r-records\">\n<h2 id=\"r-records\">");
            self.t("records");
            self.raw("</h2>\n<table class=\"counts wide\">\n<tbody>\n");
            for (key, n) in [
                ("scan_report_count", x.scan_reports),
                ("scan_report_incidents", x.incidents_with_scan_report),
                ("scan_required_incidents", x.incidents_requiring_scan_report),
                ("letters_count", x.letters),
            ] {
                self.raw("<tr><th scope=\"row\">");
                self.t(key);
                self.raw("</th><td class=\"num\">");
                self.raw(&n.to_string());
                self.raw("</td></tr>\n");
            }
            self.raw("</tbody>\n</table>\n</section>\n");
        }
        self.raw("\n");
    }

    fn texts(&mut self, r: &ReportView) {
        if let Some(texts) = &r.incident_texts {
            self.raw("\n<section aria-labelledby=\"r-texts\" class=\"incident-texts\">\n<h2 id=\"r-texts\">");
            self.t("incident_texts");
            self.raw("</h2>");
            for x in texts {
                self.raw("\n<article class=\"incident-text\">\n<h3><span class=\"incident-id\">");
                self.esc(&x.id);
                self.raw("</span> <bdi>");
                self.esc(&x.title);
                self.raw("</bdi></h3>");
                if x.withheld {
                    self.raw("\n<p class=\"note\">");
                    self.t("restricted_red");
                    self.raw("</p>");
                } else {
                    if let Some(summary) = some(&x.summary) {
                        self.raw("<p><strong>");
                        self.t("summary");
                        self.raw(".</strong> <bdi>");
                        self.esc(summary);
                        self.raw("</bdi></p>");
                    }
                    for (key, html) in [
                        ("recommendation", &x.recommendation_html),
                        ("conclusion", &x.conclusion_html),
                    ] {
                        self.raw("\n<h4>");
                        self.t(key);
                        self.raw("</h4>\n");
                        match some(html) {
                            Some(html) => {
                                self.raw("<div class=\"incident-text-body\">");
                                self.raw(html);
                                self.raw("</div><!-- incident-text-body -->");
                            }
                            None => self.raw("<p>–</p>"),
                        }
                    }
                }
                self.raw("\n</article>");
            }
            if texts.is_empty() {
                self.raw("\n<p>–</p>");
            }
            self.raw("\n</section>\n");
        }
        self.raw("\n");
    }

    /// The legal basis and the approval.
    fn closing(&mut self, r: &ReportView) {
        if let Some(basis) = &r.legal_basis {
            self.raw("\n<section aria-labelledby=\"r-legal\">\n<h2 id=\"r-legal\">");
            self.t("legal_basis");
            self.raw("</h2>\n<ol class=\"legal-basis\">");
            for b in basis {
                self.raw("\n<li><bdi>");
                self.esc(b);
                self.raw("</bdi></li>");
            }
            self.raw("\n</ol>\n</section>\n");
        }
        self.raw("\n");
        if let Some(a) = &r.approval {
            self.raw("\n<section class=\"approval\" aria-label=\"");
            self.t("approval_known");
            self.raw("\">\n<div class=\"approval-block\">");
            if let Some(place_date) = &r.approval_place_date {
                self.raw("<p>");
                self.esc(place_date);
                self.raw("</p>");
            }
            self.raw("\n<p>");
            self.t("approval_known");
            self.raw("<br><bdi>");
            self.esc(&a.title);
            self.raw("</bdi>,</p>\n<p class=\"approval-space\"></p>\n<p class=\"approval-name\"><strong><bdi>");
            self.esc(&a.name);
            self.raw("</bdi></strong></p>");
            if let Some(nip) = some(&a.nip) {
                self.raw("<p>NIP. ");
                self.esc(nip);
                self.raw("</p>");
            }
            self.raw("\n</div>\n</section>\n");
        }
        self.raw("\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same, each_site, made_of, Pick};
    use super::*;
    use crate::i18n::{self, TimeText};
    use crate::period::PeriodKind;
    use crate::site::templates::{value, Templates};
    use crate::site::{report_context, shared};
    use crate::views::*;

    fn time(p: &mut Pick) -> TimeText {
        p.time().unwrap_or_else(|| TimeText {
            iso: p.text(),
            text: p.text(),
            date: p.text(),
            date_text: p.text(),
        })
    }

    /// Hours as the report has them: none, whole, with decimals, large.
    fn hours(p: &mut Pick) -> Option<f64> {
        [None, Some(0.0), Some(1.25), Some(7.0), Some(2.04951), Some(1234.56)][p.n(6)]
    }

    fn breakdowns(p: &mut Pick) -> Vec<Breakdown> {
        (0..p.n(4))
            .map(|_| Breakdown {
                key: p.text(),
                label: p.text(),
                count: p.count(),
                rsit: p.texts(),
            })
            .collect()
    }

    /// A generated report: every optional part absent, empty or there.
    fn report(p: &mut Pick, lang: Lang) -> ReportView {
        let some = |p: &mut Pick| p.n(3) > 0;
        let names = [
            "by_category",
            "by_severity",
            "by_owner",
            "by_reporter_type",
            "by_channel",
            "by_tlp",
            "by_resolution",
            "rejected_by_code",
            "by_month",
        ];
        let sla_rows: Vec<SlaRow> = (0..p.n(4))
            .map(|_| SlaRow {
                state: p.text(),
                label: p.text(),
                within: p.count(),
                breached: p.count(),
                ongoing_breached: p.count(),
            })
            .collect();
        ReportView {
            title: p.text(),
            organization: OrgView {
                name: p.text(),
                unit: p.text(),
                sop: p.text(),
            },
            period: PeriodView {
                key: p.text(),
                kind: [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year][p.n(3)],
                label: p.text(),
                from: time(p),
                to: time(p),
            },
            generated: p.time(),
            audience: [Audience::Public, Audience::Internal][p.n(2)],
            audience_label: p.text(),
            tlp: ["TLP:AMBER", "TLP:CLEAR", "TLP:GREEN"][p.n(3)],
            lang,
            totals: TotalsView {
                reported: p.count(),
                rejected: p.count(),
                in_scope: p.count(),
                out_of_scope: p.count(),
                closed: p.count(),
                autoresolved: p.count(),
                reopened: p.count(),
                open_at_end: p.count(),
            },
            rejected_by_code: breakdowns(p),
            by_month: breakdowns(p),
            by_category: breakdowns(p),
            by_severity: breakdowns(p),
            by_owner: breakdowns(p),
            by_reporter_type: breakdowns(p),
            by_channel: breakdowns(p),
            by_tlp: breakdowns(p),
            by_resolution: breakdowns(p),
            withheld: names.into_iter().filter(|_| p.n(4) == 0).collect(),
            kpi: crate::report::KPIS
                .iter()
                .map(|(k, _, _)| {
                    let groups = crate::report::GROUPS
                        .iter()
                        .map(|g| {
                            let stat = StatView {
                                median_hours: hours(p),
                                p90_hours: hours(p),
                                n: p.count(),
                            };
                            (*g, stat)
                        })
                        .collect();
                    (*k, groups)
                })
                .collect(),
            sla: sla_rows.iter().map(|r| (r.state.clone(), r.clone())).collect(),
            sla_rows,
            breaches: some(p).then(|| {
                (0..p.n(3))
                    .map(|_| BreachView {
                        id: p.text(),
                        href: p.text(),
                        state: p.text(),
                        state_label: p.text(),
                        spent_hours: hours(p).unwrap_or(2.5),
                        limit_hours: hours(p).unwrap_or(8.0),
                        ongoing: p.n(2) == 0,
                    })
                    .collect()
            }),
            onward_reporting: OnwardView {
                required: p.count(),
                recorded: p.count(),
                missing: some(p).then(|| p.texts()),
            },
            incidents: (0..p.n(4))
                .map(|_| ReportIncident {
                    id: p.text(),
                    href: p.text(),
                    title: p.text(),
                    reported_at: time(p),
                    category: p.opt(),
                    category_label: p.text(),
                    severity: p.opt(),
                    severity_label: p.text(),
                    tlp: ["TLP:CLEAR", "TLP:AMBER+STRICT", "TLP:RED"][p.n(3)],
                    status_at_end: p.text(),
                    status_label: p.text(),
                    kpi_hours: BTreeMap::new(),
                })
                .collect(),
            restricted: some(p).then(|| RestrictedView {
                count: p.count(),
                by_category: breakdowns(p),
            }),
            records: some(p).then(|| RecordsView {
                scan_reports: p.n(3),
                incidents_with_scan_report: p.n(1500),
                incidents_requiring_scan_report: p.n(20),
                letters: p.n(20),
            }),
            incident_texts: some(p).then(|| {
                (0..p.n(4))
                    .map(|_| {
                        let html = |p: &mut Pick| {
                            (p.n(3) > 0)
                                .then(|| ["", "<p>Ganti <em>kata sandi</em> &amp; “x”</p>\n"][p.n(2)].to_owned())
                        };
                        IncidentTextView {
                            id: p.text(),
                            title: p.text(),
                            summary: p.opt(),
                            recommendation: p.opt(),
                            recommendation_html: html(p),
                            conclusion: p.opt(),
                            conclusion_html: html(p),
                            withheld: p.n(3) == 0,
                        }
                    })
                    .collect()
            }),
            legal_basis: some(p).then(|| p.texts()),
            approval: some(p).then(|| SignatoryView {
                name: p.text(),
                title: p.text(),
                nip: p.opt(),
            }),
            approval_place_date: p.opt(),
        }
    }

    fn charts(p: &mut Pick) -> Charts {
        let mut chart = || (p.n(3) > 0).then(|| ["", "<svg role=\"img\"><title>x</title></svg>"][p.n(2)].to_owned());
        Charts {
            month: chart(),
            category: chart(),
            severity: chart(),
        }
    }

    #[test]
    fn report_pages_written_directly_are_the_templates_pages_byte_for_byte() {
        let tpl = Templates::new(Vec::new()).expect("templates");
        let mut pages = 0;
        each_site(&mut Pick(17), |pick, lang, site, ui, base| {
            let (kpis, groups) = (crate::audience::kpi_labels(lang), crate::audience::group_labels(lang));
            let reports = Reports::new(site, ui, &kpis, &groups);
            let labels = (&value(&kpis), &value(&groups));
            for _ in 0..100 {
                let r = report(pick, lang);
                let c = charts(pick);
                let ctx = report_context(&r, &c, labels);
                let by_template = tpl.render("report-page.html", &base[1], ctx).expect("render");
                let direct = reports.page(&r, &c).expect("every statistic");
                assert_same(&direct, &by_template, &r);
                pages += 1;
            }
        });
        assert_eq!(pages, 800);
    }

    /// Every template the built-in report page is made of is one whose replacement turns the
    /// direct writing off.
    #[test]
    fn the_direct_report_page_knows_every_template_it_stands_for() {
        assert_eq!(made_of("report-page.html"), TEMPLATES);
    }

    /// A view without a statistic the KPI table looks up is left to the engine, which refuses
    /// it.
    #[test]
    fn a_report_missing_a_statistic_is_left_to_the_engine() {
        let mut pick = Pick(19);
        let site = pick.site(Lang::Id, true, false);
        let ui = i18n::ui(Lang::Id);
        let (kpis, groups) = (
            crate::audience::kpi_labels(Lang::Id),
            crate::audience::group_labels(Lang::Id),
        );
        let reports = Reports::new(&site, &ui, &kpis, &groups);
        let mut r = report(&mut pick, Lang::Id);
        assert!(reports.page(&r, &Charts::default()).is_some());
        r.kpi.values_mut().next().expect("a KPI").remove("all");
        assert!(reports.page(&r, &Charts::default()).is_none());
        let tpl = Templates::new(Vec::new()).expect("templates");
        let base = shared(value(&site), value(&ui), Lang::Id);
        let ctx = report_context(&r, &Charts::default(), (&value(&kpis), &value(&groups)));
        assert!(tpl.render("report-page.html", &base[1], ctx).is_err());
    }
}
