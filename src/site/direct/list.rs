//! A list of incidents (the archive's years and months, a category's, an owner's): what the
//! built-in `list.html` in the built-in `layout.html`, with the `counts` and `incidents`
//! macros of the built-in `macros.html`, make of a [`ListPage`].

use super::{some, Frame, Page};
use crate::site::{CountTable, ListPage, SiteView};
use crate::views::IncidentRow;
use std::collections::BTreeMap;

/// The templates this module writes the page of: the page's own and every template it
/// extends, imports or includes (a test reads the built-ins to keep this list whole).
pub(in crate::site) const TEMPLATES: &[&str] = &["layout.html", "list.html", "macros.html"];

/// The frames of list pages, one per place and navigation entry.
pub(in crate::site) struct Lists {
    /// ((way to the root, navigation entry), frame).
    frames: Vec<((&'static str, &'static str), Frame)>,
}

/// The navigation entries list pages belong to.
const NAVS: [&str; 3] = ["archive", "categories", "owners"];

impl Lists {
    pub(in crate::site) fn new(site: &SiteView, ui: &BTreeMap<&'static str, &'static str>) -> Lists {
        let mut frames = Vec::new();
        for root in ["", "../"] {
            for nav in NAVS {
                frames.push(((root, nav), Frame::new(site, ui, root, nav)));
            }
        }
        Lists { frames }
    }

    /// The whole page of `page` seen from `root`, or `None` for a place or navigation entry
    /// this has no frame for (the engine writes that one).
    pub(in crate::site) fn page(&self, root: &str, page: &ListPage) -> Option<String> {
        let (_, frame) = self.frames.iter().find(|((r, n), _)| *r == root && *n == page.nav)?;
        Some(frame.page(4096 + 640 * page.rows.len(), &page.title, |w| w.list(page)))
    }
}

impl Page<'_> {
    fn list(&mut self, p: &ListPage) {
        self.raw("\n<h1>");
        self.esc(&p.title);
        self.raw("</h1>\n");
        if let Some(intro) = some(&p.intro) {
            self.raw("<p>");
            self.esc(intro);
            self.raw("</p>");
        }
        self.raw("\n");
        if let Some(count) = p.count {
            self.raw("<p class=\"page-count\">");
            self.t("count");
            self.raw(": <strong>");
            self.count(count);
            self.raw("</strong>");
            if let Some(report) = some(&p.report) {
                self.raw(" · <a href=\"");
                self.root();
                self.esc(report);
                self.raw("\">");
                self.t("period_report");
                self.raw("</a>");
            }
            self.raw("</p>");
        }
        self.raw("\n");
        if !p.tables.is_empty() {
            self.raw("<div class=\"count-grid\">");
            for table in &p.tables {
                self.counts(table);
            }
            self.raw("</div>");
        }
        self.raw("\n<section aria-labelledby=\"h-list\">\n<h2 id=\"h-list\">");
        self.t("visible_incidents");
        self.raw("</h2>\n");
        if p.rows.is_empty() {
            self.raw("<p>");
            self.t("no_visible");
            self.raw("</p>");
        } else {
            self.incidents(&p.rows);
        }
        self.raw("\n");
        if let Some(restricted) = p.restricted {
            self.raw("<p class=\"restricted\">");
            self.t("restricted_count");
            self.raw(": <strong>");
            self.count(restricted);
            self.raw("</strong>. ");
            self.t("restricted_help");
            self.raw("</p>");
        }
        self.raw("\n</section>\n");
    }

    /// The `counts` macro.
    fn counts(&mut self, table: &CountTable) {
        self.raw("\n");
        if let Some(withheld) = some(&table.withheld) {
            self.raw("<p class=\"note\"><strong>");
            self.esc(&table.title);
            self.raw("</strong>: ");
            self.esc(withheld);
            self.raw("</p>");
        } else {
            self.raw("\n<table class=\"counts\">\n<caption>");
            self.esc(&table.title);
            self.raw("</caption>\n<thead><tr><th scope=\"col\"><span class=\"visually-hidden\">");
            self.esc(&table.title);
            self.raw("</span></th><th scope=\"col\" class=\"num\">");
            self.t("count");
            self.raw("</th></tr></thead>\n<tbody>");
            for r in &table.rows {
                self.raw("\n<tr><th scope=\"row\">");
                match some(&r.href) {
                    Some(href) => {
                        self.raw("<a href=\"");
                        self.root();
                        self.esc(href);
                        self.raw("\">");
                        self.esc(&r.label);
                        self.raw("</a>");
                    }
                    None => self.esc(&r.label),
                }
                self.raw("</th><td class=\"num\">");
                self.count(r.count);
                self.raw("</td></tr>");
            }
            self.raw("\n</tbody>\n</table>\n");
        }
        self.raw("\n");
    }

    /// The `incidents` macro.
    fn incidents(&mut self, rows: &[IncidentRow]) {
        self.raw("\n<div class=\"table-wrap\">\n<table class=\"incidents\">\n<thead><tr>");
        for key in ["id", "title", "status", "category", "tlp", "reported_at"] {
            self.raw("<th scope=\"col\">");
            self.t(key);
            self.raw("</th>");
        }
        self.raw("</tr></thead>\n<tbody>");
        for r in rows {
            self.raw("\n<tr><td class=\"nowrap\" data-label=\"");
            self.t("id");
            self.raw("\"><a href=\"");
            self.root();
            self.esc(&r.href);
            self.raw("\">");
            self.esc(&r.id);
            self.raw("</a></td><td data-label=\"");
            self.t("title");
            self.raw("\"><bdi>");
            self.esc(&r.title);
            self.raw("</bdi></td><td data-label=\"");
            self.t("status");
            self.raw("\">");
            self.esc(&r.status.label);
            self.raw("</td><td data-label=\"");
            self.t("category");
            self.raw("\">");
            self.or_dash(&r.category);
            self.raw("</td><td data-label=\"");
            self.t("tlp");
            self.raw("\"><span class=\"tlp tlp-");
            self.esc(r.tlp.class);
            self.raw("\">");
            self.esc(r.tlp.label);
            self.raw("</span></td><td class=\"nowrap\" data-label=\"");
            self.t("reported_at");
            self.raw("\">");
            match &r.reported_at {
                Some(at) => self.date(at),
                None => self.raw("–"),
            }
            self.raw("</td></tr>");
        }
        self.raw("\n</tbody>\n</table>\n</div>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_same, each_site, made_of, Pick};
    use super::*;
    use crate::i18n;
    use crate::site::templates::{value, Templates};
    use crate::site::CountRow;
    use crate::workflow::Lang;

    fn row(pick: &mut Pick) -> IncidentRow {
        IncidentRow {
            id: pick.text(),
            title: pick.text(),
            href: pick.text(),
            status: pick.labelled(),
            tlp: pick.tlp(),
            category: pick.opt(),
            severity: pick.opt(),
            owner: pick.opt(),
            reported_at: pick.time(),
            closed_at: pick.time(),
        }
    }

    fn table(pick: &mut Pick) -> CountTable {
        CountTable {
            title: pick.text(),
            rows: (0..pick.n(4))
                .map(|_| CountRow {
                    label: pick.text(),
                    href: pick.opt(),
                    count: pick.count(),
                })
                .collect(),
            withheld: pick.opt(),
        }
    }

    /// A generated list page of navigation entry `nav`: every optional part absent, empty or
    /// there.
    fn page(pick: &mut Pick, nav: &'static str) -> ListPage {
        ListPage {
            title: pick.text(),
            nav,
            intro: pick.opt(),
            count: (pick.n(3) > 0).then(|| pick.count()),
            restricted: (pick.n(3) > 0).then(|| pick.count()),
            report: pick.opt(),
            tables: (0..pick.n(3)).map(|_| table(pick)).collect(),
            rows: (0..pick.n(5)).map(|_| row(pick)).collect(),
        }
    }

    #[test]
    fn list_pages_written_directly_are_the_templates_pages_byte_for_byte() {
        let tpl = Templates::new(Vec::new()).expect("templates");
        let mut pages = 0;
        each_site(&mut Pick(11), |pick, _, site, ui, base| {
            let lists = Lists::new(site, ui);
            for (depth, root) in ["", "../"].into_iter().enumerate() {
                for nav in NAVS {
                    for _ in 0..40 {
                        let p = page(pick, nav);
                        let by_template = tpl.render("list.html", &base[depth], value(&p)).expect("render");
                        let direct = lists.page(root, &p).expect("a frame");
                        assert_same(&direct, &by_template, &p);
                        pages += 1;
                    }
                }
            }
        });
        assert_eq!(pages, 1920);
    }

    /// Every template the built-in list page is made of is one whose replacement turns the
    /// direct writing off.
    #[test]
    fn the_direct_list_page_knows_every_template_it_stands_for() {
        assert_eq!(made_of("list.html"), TEMPLATES);
    }

    #[test]
    fn a_list_page_of_another_navigation_entry_is_left_to_the_engine() {
        let mut pick = Pick(5);
        let site = pick.site(Lang::Id, true, false);
        let lists = Lists::new(&site, &i18n::ui(Lang::Id));
        assert!(lists.page("../", &page(&mut pick, "reports")).is_none());
        assert!(lists.page("../../", &page(&mut pick, "archive")).is_none());
    }
}
