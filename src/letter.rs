//! The requester's letter, *Laporan dan/atau Rekomendasi* (SOP steps 6–8): one incident as an
//! Indonesian government letter — letterhead, number, date, *Sifat*, *Lampiran*, *Perihal*,
//! recipient, the incident's summary and its *Analisis*, *Rekomendasi*, *Penanganan* and
//! *Kesimpulan*, and the signature block — as a view the `letter.html` and `letter.md`
//! templates render. Letter numbers come from `letter.number` in the configuration.
//!
//! Pure: the date, the sequence number and whether TLP:RED text may appear are arguments.

use crate::audience::clean;
use crate::config::{Config, Signatory};
use crate::i18n;
use crate::model::{Incident, Tlp};
use crate::views::{SignatoryView, TlpView};
use crate::workflow::Lang;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The state from which an incident has a letter: its report is compiled (SOP step 6).
pub const FROM_STATE: &str = "compiled";

/// The body sections a letter carries, in order.
pub const SECTIONS: &[&str] = &["analisis", "rekomendasi", "penanganan", "kesimpulan"];

/// Why an incident has no letter yet, or `None` when it has one.
pub fn not_ready(inc: &Incident, cfg: &Config) -> Option<String> {
    let w = &cfg.workflow;
    let needed = w.step_of(FROM_STATE);
    let at = w.step_of(&inc.status);
    let ready = match (needed, at) {
        (Some(n), Some(a)) => a >= n,
        _ => w.section_filled(inc, "kesimpulan"),
    };
    let rejected = w.is_final(&inc.status) && !ready;
    if ready {
        return None;
    }
    let label = |s: &str| w.state(s).map_or_else(|| s.to_owned(), |d| d.label.id.clone());
    Some(if rejected {
        format!(
            "{} is `{}` ({}): a rejected report gets no Laporan dan/atau Rekomendasi",
            inc.id,
            inc.status,
            label(&inc.status)
        )
    } else {
        format!(
            "{} is `{}` ({}); the Laporan dan/atau Rekomendasi exists from `{FROM_STATE}` ({}, SOP step 6) on",
            inc.id,
            inc.status,
            label(&inc.status),
            label(FROM_STATE)
        )
    })
}

/// `I`…`XII`.
pub fn roman_month(m: u32) -> &'static str {
    const R: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];
    R[(m.clamp(1, 12) - 1) as usize]
}

/// The parts of a number pattern: literal text and placeholder names.
fn parts(pattern: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        if i > 0 {
            out.push((false, &rest[..i]));
        }
        out.push((true, &rest[i + 1..i + j]));
        rest = &rest[i + j + 1..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// The letter number for `inc` dated `date`, sequence number `seq`.
pub fn number(pattern: &str, inc: &Incident, prefix: &str, date: NaiveDate, seq: u32) -> String {
    let id = crate::model::IncidentId::parse(&inc.id, prefix);
    parts(pattern)
        .into_iter()
        .map(|(ph, s)| {
            if !ph {
                return s.to_owned();
            }
            match s {
                "seq" => format!("{seq:03}"),
                "number" => id.as_ref().map_or_else(String::new, |i| format!("{:04}", i.number)),
                "id" => inc.id.clone(),
                "month" => format!("{:02}", date.month()),
                "month_roman" => roman_month(date.month()).to_owned(),
                "year" => date.year().to_string(),
                other => format!("{{{other}}}"),
            }
        })
        .collect()
}

/// Reads the placeholders back out of a number written with `pattern`; `None` when it does
/// not have the pattern's shape.
pub fn read_number(pattern: &str, s: &str) -> Option<BTreeMap<String, String>> {
    let ps = parts(pattern);
    let mut out = BTreeMap::new();
    let mut rest = s;
    for (i, (ph, text)) in ps.iter().enumerate() {
        if !ph {
            rest = rest.strip_prefix(text)?;
            continue;
        }
        let end = match ps.get(i + 1) {
            Some((false, lit)) => rest.find(lit)?,
            _ => rest.len(),
        };
        out.insert((*text).to_owned(), rest[..end].to_owned());
        rest = &rest[end..];
    }
    rest.is_empty().then_some(out)
}

/// The next free `{seq}` for a letter of `year`: one more than the highest among the
/// recorded letter numbers of that year (all years when the pattern has no `{year}`).
pub fn next_seq<'a>(pattern: &str, recorded: impl Iterator<Item = &'a str>, year: i32) -> u32 {
    let yearly = pattern.contains("{year}");
    recorded
        .filter_map(|n| read_number(pattern, n))
        .filter(|m| !yearly || m.get("year").is_some_and(|y| *y == year.to_string()))
        .filter_map(|m| m.get("seq").and_then(|s| s.parse::<u32>().ok()))
        .max()
        .unwrap_or(0)
        .saturating_add(1)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterSection {
    pub title: String,
    /// The section's Markdown as written.
    pub markdown: String,
    /// Safe HTML from `markdown::to_html`.
    pub html: String,
}

/// A configured signatory as templates see it.
pub fn signatory(s: &Signatory) -> SignatoryView {
    SignatoryView {
        name: clean(&s.name),
        title: clean(&s.title),
        nip: s.nip.as_deref().map(clean).filter(|n| !n.trim().is_empty()),
    }
}

/// Everything a letter shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterView {
    pub lang: Lang,
    pub id: String,
    pub title: String,
    pub tlp: TlpView,
    /// What the TLP label allows the recipient to do, in the letter's language.
    pub tlp_note: String,
    pub letterhead: Vec<String>,
    pub organization: String,
    pub unit: String,
    pub city: String,
    pub date_text: String,
    /// `Trenggalek, 3 Maret 2026` (the city left out when not configured).
    pub place_date: String,
    pub number: String,
    pub sifat: String,
    pub lampiran: String,
    pub perihal: String,
    pub recipient: String,
    pub opening: String,
    /// `opening` split around the incident id, so that HTML can keep the id on one line.
    pub opening_parts: Vec<String>,
    pub facts: Vec<Fact>,
    pub sections: Vec<LetterSection>,
    /// TLP:RED text left out (without `--include-red`).
    pub red_withheld: bool,
    pub red_note: String,
    pub closing: String,
    pub signatory: Option<SignatoryView>,
    /// Labels of the letter's fixed parts.
    pub t: BTreeMap<&'static str, String>,
}

/// What a letter is made from besides the incident and the configuration.
pub struct LetterArgs {
    pub lang: Lang,
    pub date: NaiveDate,
    pub number: String,
    pub include_red: bool,
}

fn pick(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn tlp_note(lang: Lang, t: Tlp) -> String {
    match t {
        Tlp::Clear => pick(lang, "Informasi ini dapat disebarluaskan tanpa batasan.", "Recipients may share this information without restriction."),
        Tlp::Green => pick(lang, "Informasi ini boleh dibagikan kepada komunitas penerima, tetapi tidak melalui saluran yang dapat diakses publik.", "Recipients may share this information within their community, but not via publicly accessible channels."),
        Tlp::Amber => pick(lang, "Informasi ini hanya boleh dibagikan di dalam organisasi penerima dan kepada pihak yang membantu penanganannya, sebatas yang perlu mengetahui.", "Recipients may share this information only within their organisation and with those who help handle it, on a need-to-know basis."),
        Tlp::AmberStrict => pick(lang, "Informasi ini hanya boleh dibagikan di dalam organisasi penerima, sebatas yang perlu mengetahui.", "Recipients may share this information only within their organisation, on a need-to-know basis."),
        Tlp::Red => pick(lang, "Informasi ini hanya untuk penerima yang disebut namanya dan tidak boleh dibagikan lebih lanjut.", "For the eyes and ears of the named recipients only; not to be shared further."),
    }
}

fn sifat(lang: Lang, t: Tlp) -> String {
    match t {
        Tlp::Clear | Tlp::Green => pick(lang, "Biasa", "Ordinary"),
        Tlp::Amber | Tlp::AmberStrict => pick(lang, "Terbatas", "Restricted"),
        Tlp::Red => pick(lang, "Rahasia", "Confidential"),
    }
}

/// The number of enclosures in words, as letters write it: `1 (satu) berkas`.
fn enclosures(lang: Lang, n: usize) -> String {
    const ID: [&str; 10] = [
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    const EN: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    if n == 0 {
        return "–".into();
    }
    let word = |w: &[&str; 10]| w.get(n).map_or_else(|| n.to_string(), |s| (*s).to_owned());
    match lang {
        Lang::Id => format!("{n} ({}) berkas hasil scanning website", word(&ID)),
        Lang::En => format!(
            "{n} ({}) website scan report{}",
            word(&EN),
            if n == 1 { "" } else { "s" }
        ),
    }
}

fn labels(lang: Lang) -> BTreeMap<&'static str, String> {
    let rows: &[(&str, &str, &str)] = &[
        ("number", "Nomor", "Number"),
        ("sifat", "Sifat", "Classification"),
        ("lampiran", "Lampiran", "Enclosure"),
        ("perihal", "Perihal", "Subject"),
        ("to", "Kepada Yth.", "To"),
        ("at_place", "di –", ""),
        ("place", "Tempat", ""),
        ("summary_heading", "Ringkasan insiden", "Incident summary"),
        ("nip", "NIP.", "NIP"),
        (
            "document_title",
            "Laporan dan/atau Rekomendasi",
            "Report and/or recommendation",
        ),
        ("page", "Halaman", "Page"),
        ("of", "dari", "of"),
        (
            "page_footer",
            "Dokumen ini dibuat dari catatan insiden",
            "This document is made from the incident record",
        ),
    ];
    rows.iter().map(|(k, id, en)| (*k, pick(lang, id, en))).collect()
}

/// Builds the letter of `inc`.
pub fn letter(inc: &Incident, cfg: &Config, a: &LetterArgs) -> LetterView {
    let lang = a.lang;
    let tz = cfg.timezone;
    let w = &cfg.workflow;
    let tlp = inc.effective_tlp();
    let red_withheld = tlp == Tlp::Red && !a.include_red;
    let org = clean(&cfg.organization.name);
    let unit = clean(&cfg.organization.unit);
    let letterhead: Vec<String> = if cfg.letter.letterhead.is_empty() {
        vec![unit.to_uppercase(), org.clone()]
    } else {
        cfg.letter.letterhead.iter().map(|l| clean(l)).collect()
    };
    let city = clean(&cfg.letter.city);
    let date_text = i18n::date(lang, a.date);
    let place_date = if city.trim().is_empty() {
        date_text.clone()
    } else {
        format!("{city}, {date_text}")
    };
    let recipient = inc
        .delivered_to
        .as_ref()
        .and_then(|d| d.to.as_deref())
        .or(inc.owner.as_deref())
        .or(inc.reporter.organization.as_deref())
        .or(inc.reporter.name.as_deref())
        .map(clean)
        .unwrap_or_else(|| "–".into());
    let reported = inc.reported_at.map(|t| i18n::time(lang, t, tz));
    let reported_date = reported
        .as_ref()
        .map_or_else(|| "–".to_owned(), |r| r.date_text.clone());
    let out_of_scope = inc.in_scope == Some(false);
    let perihal = match (out_of_scope, lang) {
        (false, Lang::Id) => "Laporan dan Rekomendasi Penanganan Insiden Keamanan Informasi".to_owned(),
        (true, Lang::Id) => "Rekomendasi atas Laporan Insiden Keamanan Informasi".to_owned(),
        (false, Lang::En) => "Report and recommendation on the handling of an information security incident".to_owned(),
        (true, Lang::En) => "Recommendation on an information security incident report".to_owned(),
    };
    let opening = match lang {
        Lang::Id => format!(
            "Menindaklanjuti laporan insiden keamanan informasi yang diterima {org} pada tanggal {reported_date} dan tercatat dengan nomor registrasi {}, bersama ini kami sampaikan {} sebagai berikut.",
            clean(&inc.id),
            if out_of_scope {
                "hasil analisis dan rekomendasi atas laporan tersebut"
            } else {
                "laporan dan rekomendasi hasil penanganan insiden tersebut"
            }
        ),
        Lang::En => format!(
            "Following the information security incident report received by {org} on {reported_date} and registered as {}, we hereby send you {}, as follows.",
            clean(&inc.id),
            if out_of_scope {
                "our analysis of the report and our recommendation"
            } else {
                "our report and recommendation on the handling of the incident"
            }
        ),
    };
    let mut facts = vec![
        Fact {
            label: pick(lang, "Nomor registrasi", "Registration number"),
            value: clean(&inc.id),
        },
        Fact {
            label: pick(lang, "Judul", "Title"),
            value: clean(&inc.title),
        },
    ];
    if let Some(c) = inc.category.as_deref() {
        let label = cfg
            .category(c)
            .map_or_else(|| c.to_owned(), |d| d.label.get(lang).to_owned());
        facts.push(Fact {
            label: pick(lang, "Kategori", "Category"),
            value: clean(&label),
        });
    }
    if let Some(s) = inc.severity {
        facts.push(Fact {
            label: pick(lang, "Tingkat keparahan", "Severity"),
            value: i18n::term(lang, "severity", s.as_str()),
        });
    }
    if !inc.assets.is_empty() {
        facts.push(Fact {
            label: pick(lang, "Aset terdampak", "Affected assets"),
            value: inc.assets.iter().map(|a| clean(a)).collect::<Vec<_>>().join(", "),
        });
    }
    if let Some(r) = &reported {
        facts.push(Fact {
            label: pick(lang, "Waktu laporan", "Reported"),
            value: r.text.clone(),
        });
    }
    let reporter = [inc.reporter.name.as_deref(), inc.reporter.organization.as_deref()]
        .into_iter()
        .flatten()
        .map(clean)
        .collect::<Vec<_>>()
        .join(", ");
    if !reporter.is_empty() {
        facts.push(Fact {
            label: pick(lang, "Pelapor", "Reporter"),
            value: reporter,
        });
    }
    if let Some(h) = inc.handler.as_ref().and_then(|h| h.name.as_deref()) {
        facts.push(Fact {
            label: pick(lang, "Ditangani oleh", "Handled by"),
            value: clean(h),
        });
    }
    if let Some(s) = inc.summary.as_deref().filter(|_| !red_withheld) {
        facts.push(Fact {
            label: pick(lang, "Ringkasan", "Summary"),
            value: clean(s),
        });
    }
    let mut sections = Vec::new();
    if !red_withheld {
        let texts: Vec<(&str, &str)> = inc.section_texts().collect();
        for id in SECTIONS {
            let Some(def) = w.section(id) else { continue };
            let Some((_, content)) = texts.iter().find(|(h, c)| def.matches(h) && !c.trim().is_empty()) else {
                continue;
            };
            let md = clean(content.trim());
            sections.push(LetterSection {
                title: def.label.get(lang).to_owned(),
                html: crate::markdown::to_html(&md, 1, &format!("surat-{id}-")),
                markdown: md,
            });
        }
    }
    let red_note = if red_withheld {
        pick(
            lang,
            "Rincian analisis, rekomendasi, dan penanganan insiden ini berlabel TLP:RED sehingga tidak dimuat dalam surat ini; rincian tersebut disampaikan langsung kepada penerima yang berhak.",
            "The analysis, recommendation and handling of this incident are TLP:RED and are not part of this letter; they are given directly to the named recipients.",
        )
    } else {
        String::new()
    };
    let closing = pick(
        lang,
        "Demikian laporan ini kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih.",
        "Thank you for your attention and cooperation.",
    );
    let scans = inc.scan_reports().count();
    LetterView {
        lang,
        id: clean(&inc.id),
        title: clean(&inc.title),
        tlp: TlpView::from(tlp),
        tlp_note: tlp_note(lang, tlp),
        letterhead,
        organization: org,
        unit,
        city,
        date_text,
        place_date,
        number: clean(&a.number),
        sifat: sifat(lang, tlp),
        lampiran: enclosures(lang, scans),
        perihal,
        recipient,
        opening_parts: opening.split(inc.id.as_str()).map(clean).collect(),
        opening,
        facts,
        sections,
        red_withheld,
        red_note,
        closing,
        signatory: cfg.letter.signatory.as_ref().map(signatory),
        t: labels(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_and_read_back_with_the_pattern() {
        let inc = Incident {
            id: "INC-2026-0012".into(),
            ..Incident::default()
        };
        let d = NaiveDate::from_ymd_opt(2026, 3, 4).expect("date");
        let p = "{seq}/CSIRT/{month_roman}/{year}";
        let n = number(p, &inc, "INC", d, 7);
        assert_eq!(n, "007/CSIRT/III/2026");
        let back = read_number(p, &n).expect("read");
        assert_eq!(back.get("seq").map(String::as_str), Some("007"));
        assert_eq!(
            number("400.14/{number}/{month}/{year}", &inc, "INC", d, 1),
            "400.14/0012/03/2026"
        );
        assert_eq!(read_number(p, "Kepala Desa"), None);
    }

    #[test]
    fn the_sequence_continues_within_the_year_only() {
        let p = "{seq}/CSIRT/{month_roman}/{year}";
        let recorded = ["001/CSIRT/I/2026", "004/CSIRT/II/2026", "009/CSIRT/XII/2025", "bebas"];
        assert_eq!(next_seq(p, recorded.iter().copied(), 2026), 5);
        assert_eq!(next_seq(p, recorded.iter().copied(), 2027), 1);
        assert_eq!(next_seq("{seq}-{id}", ["002-INC-2025-0001"].into_iter(), 2026), 3);
    }

    #[test]
    fn roman_months() {
        assert_eq!(roman_month(1), "I");
        assert_eq!(roman_month(9), "IX");
        assert_eq!(roman_month(12), "XII");
    }
}
