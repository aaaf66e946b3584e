//! Labels of the site and the report in Indonesian and English: interface strings, the closed
//! enumerations of the format (severity, reporter type, channel…), month names and how a time
//! is written for a reader ("21 Januari 2026 09.15 WIB").
//!
//! Pure tables and formatting. Labels that the configuration defines (states, steps, roles,
//! categories) come from `Config`, not from here; TLP labels are never translated. No
//! templates, no I/O.

use crate::model::Timestamp;
use crate::workflow::Lang;
use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// Interface strings: (key, Indonesian, English). Templates reach them as `t.<key>`.
const UI: &[(&str, &str, &str)] = &[
    ("skip", "Langsung ke isi", "Skip to content"),
    ("nav_label", "Navigasi utama", "Main navigation"),
    ("overview", "Ringkasan", "Overview"),
    ("archive", "Arsip", "Archive"),
    ("categories", "Kategori", "Categories"),
    ("owners", "Pemilik aplikasi", "Application owners"),
    ("reports", "Laporan berkala", "Periodic reports"),
    ("feed", "Umpan Atom", "Atom feed"),
    ("api", "Data (JSON)", "Data (JSON)"),
    ("audience_public", "Edisi publik", "Public edition"),
    ("audience_internal", "Edisi internal — hanya untuk organisasi", "Internal edition — for the organisation only"),
    ("internal_notice", "Halaman ini memuat informasi TLP:AMBER dan TLP:AMBER+STRICT. Jangan teruskan ke luar organisasi.", "This page holds TLP:AMBER and TLP:AMBER+STRICT information. Do not forward it outside the organisation."),
    ("public_notice", "Rincian hanya ditampilkan untuk insiden berlabel TLP:CLEAR. Insiden lain hanya dihitung: bila jumlahnya kurang dari {n} (nol termasuk), yang ditampilkan hanya rentangnya, \"< {n}\" atau \"2–4\" bila dua insiden TLP:CLEAR yang tercantum termasuk di dalamnya, dan kategori, tingkat keparahan, atau nilai lain yang terlalu jarang digabung menjadi \"Lainnya\". Jumlah yang dapat dipakai untuk menghitung jumlah tersembunyi ditampilkan sebagai \"≥ {n}\" atau \"x\".", "Details are shown only for incidents labelled TLP:CLEAR. Other incidents are only counted: where there are fewer than {n} (zero included), only the range is shown, \"< {n}\", or \"2–4\" when two listed TLP:CLEAR incidents are among them, and categories, severities or other values too rare to name are merged into \"Other\". Counts that would let a hidden one be worked out are shown as \"≥ {n}\" or \"x\"."),
    ("pipeline", "Insiden terbuka per tahap SOP", "Open incidents by SOP step"),
    ("pipeline_help", "Tahap adalah langkah SOP yang sedang dikerjakan.", "The step is the SOP step being worked on."),
    ("open_total", "Insiden terbuka", "Open incidents"),
    ("count", "Jumlah", "Count"),
    ("recent_closures", "Penutupan terbaru", "Recent closures"),
    ("no_recent_closures", "Belum ada insiden yang dapat ditampilkan.", "No incidents to show yet."),
    ("sla_breaches", "Melewati target waktu (SLA)", "Past the target time (SLA)"),
    ("no_sla_breaches", "Tidak ada insiden terbuka yang melewati target waktu.", "No open incident is past its target time."),
    ("doc_overdue", "Dokumentasi terlambat", "Documentation overdue"),
    ("doc_overdue_help", "Masa autoresolve sudah berakhir tetapi insiden belum didokumentasikan (Tim Pengelolaan Data).", "The autoresolve window has elapsed but the incident is not documented yet (data team)."),
    ("no_doc_overdue", "Tidak ada dokumentasi yang terlambat.", "No documentation is overdue."),
    ("id", "Nomor", "Number"),
    ("title", "Judul", "Title"),
    ("status", "Status", "Status"),
    ("category", "Kategori", "Category"),
    ("severity", "Tingkat keparahan", "Severity"),
    ("tlp", "TLP", "TLP"),
    ("owner", "Pemilik aplikasi", "Application owner"),
    ("reported_at", "Dilaporkan", "Reported"),
    ("occurred_at", "Terjadi", "Occurred"),
    ("detected_at", "Terdeteksi", "Detected"),
    ("closed_at", "Ditutup", "Closed"),
    ("summary", "Ringkasan", "Summary"),
    ("details", "Rincian", "Details"),
    ("progress", "Kemajuan menurut SOP", "Progress through the SOP"),
    ("timeline", "Linimasa", "Timeline"),
    ("report_body", "Isi laporan", "Report text"),
    ("team", "Tim", "Team"),
    ("time", "Waktu", "Time"),
    ("note", "Catatan", "Note"),
    ("update", "Pembaruan", "Update"),
    ("status_set", "Status menjadi", "Status set to"),
    ("by_team", "oleh", "by"),
    ("step_done", "Selesai", "Done"),
    ("step_current", "Sedang berjalan", "In progress"),
    ("step_skipped", "Dilewati", "Skipped"),
    ("step_pending", "Belum", "Not yet"),
    ("reporter", "Pelapor", "Reporter"),
    ("contact", "Kontak", "Contact"),
    ("organization", "Organisasi", "Organisation"),
    ("reporter_type", "Jenis pelapor", "Reporter type"),
    ("channel", "Saluran", "Channel"),
    ("assets", "Aset terdampak", "Affected assets"),
    ("handler", "Penanganan oleh", "Handled by"),
    ("delivered_to", "Diserahkan kepada", "Delivered to"),
    ("resolution", "Hasil", "Resolution"),
    ("impact", "Dampak", "Impact"),
    ("pap", "PAP", "PAP"),
    ("in_scope", "Dalam ruang lingkup", "In scope"),
    ("yes", "Ya", "Yes"),
    ("no", "Tidak", "No"),
    ("rejection", "Alasan penolakan", "Reason for rejection"),
    ("duplicate_of", "Duplikat dari", "Duplicate of"),
    ("related", "Terkait", "Related"),
    ("rsit", "Taksonomi RSIT", "RSIT taxonomy"),
    ("attack", "MITRE ATT&CK", "MITRE ATT&CK"),
    ("external_reports", "Pelaporan lanjutan", "Onward reporting"),
    ("observables", "Observable (indikator)", "Observables (indicators)"),
    ("ioc", "IoC", "IoC"),
    ("attachments", "Lampiran", "Attachments"),
    ("scan_reports", "Laporan hasil scanning website", "Website scan reports"),
    ("scan_tool", "Alat", "Tool"),
    ("scan_target", "Sasaran", "Target"),
    ("scanned_at", "Waktu scanning", "Scanned at"),
    ("delivered_at", "Diserahkan pada", "Delivered at"),
    ("delivery_channel", "Melalui", "Via"),
    ("letter_number", "Nomor surat", "Letter number"),
    ("delivery", "Penyerahan laporan", "Delivery of the report"),
    ("sop_page", "SOP Layanan Insiden", "Incident service SOP"),
    ("sop_intro", "Halaman ini menampilkan SOP sebagaimana dikonfigurasi dan ditegakkan oleh alat ini: setiap langkah, tim pelaksana, mutu baku, dan target waktunya.", "This page shows the SOP as configured and enforced by this tool: every step, the team that performs it, its quality standard and its target time."),
    ("sop_step", "Langkah", "Step"),
    ("sop_steps", "Langkah, pelaksana, dan mutu baku", "Steps, teams and quality standard"),
    ("sop_activity", "Kegiatan", "Activity"),
    ("sop_team", "Pelaksana", "Performed by"),
    ("sop_inputs", "Kelengkapan", "Inputs"),
    ("sop_time", "Waktu", "Time"),
    ("sop_output", "Output", "Output"),
    ("sop_moves", "Perpindahan status dan syaratnya", "State changes and their requirements"),
    ("sop_requires", "Syarat", "Requires"),
    ("sop_qualifications", "Kualifikasi pelaksana", "Qualifications of the staff"),
    ("sop_equipment", "Perlengkapan/persyaratan", "Equipment and requirements"),
    ("sop_records", "Pencatatan dan pendataan", "Records kept"),
    ("sop_warning", "Peringatan", "Warning"),
    ("legal_basis", "Dasar hukum", "Legal basis"),
    ("approval_known", "Mengetahui,", "Acknowledged by,"),
    ("incident_texts", "Ringkasan, rekomendasi, dan kesimpulan per insiden", "Summary, recommendation and conclusion per incident"),
    ("recommendation", "Rekomendasi", "Recommendation"),
    ("conclusion", "Kesimpulan", "Conclusion"),
    ("records", "Pencatatan dan pendataan", "Records"),
    ("scan_report_incidents", "Insiden dengan laporan hasil scanning website", "Incidents with a website scan report"),
    ("scan_required_incidents", "Insiden yang kategorinya mewajibkan hasil scanning website", "Incidents whose category requires a website scan report"),
    ("letters_count", "Surat Laporan dan/atau Rekomendasi bernomor yang tercatat", "Numbered report letters recorded"),
    ("scan_report_count", "Laporan hasil scanning website tercatat", "Website scan reports recorded"),
    ("scan_required_categories", "Kategori yang mewajibkan hasil scanning website", "Categories that require a website scan report"),
    ("tags", "Label", "Tags"),
    ("window_ends", "Masa autoresolve berakhir", "Autoresolve window ends"),
    ("sla_now", "Target waktu status saat ini", "Target time of the current state"),
    ("breached", "terlampaui", "exceeded"),
    ("within", "terpenuhi", "met"),
    ("restricted_red", "Insiden TLP:RED: isi laporan, catatan, dan lampiran tidak ditampilkan. Rincian disimpan di luar repositori bersama.", "TLP:RED incident: the report text, notes and attachments are not shown. Details are kept outside the shared repository."),
    ("no_body", "Tidak ada isi laporan.", "No report text."),
    ("restricted_count", "Insiden dengan rincian terbatas", "Incidents with restricted details"),
    ("restricted_help", "Insiden yang tidak berlabel TLP:CLEAR hanya dihitung.", "Incidents not labelled TLP:CLEAR are only counted."),
    ("visible_incidents", "Insiden", "Incidents"),
    ("no_visible", "Tidak ada insiden yang rinciannya dapat ditampilkan.", "No incident whose details can be shown."),
    ("by_status", "Menurut status", "By status"),
    ("by_category", "Menurut kategori", "By category"),
    ("years", "Tahun", "Years"),
    ("months", "Bulan", "Months"),
    ("total", "Total", "Total"),
    ("not_found", "Halaman tidak ditemukan", "Page not found"),
    ("not_found_help", "Halaman yang Anda cari tidak ada atau sudah dipindahkan. Silakan kembali ke ringkasan.", "The page you are looking for does not exist or has moved. Please return to the overview."),
    ("back_home", "Kembali ke ringkasan", "Back to the overview"),
    ("as_of", "Keadaan per", "As of"),
    ("period", "Periode", "Period"),
    ("monthly", "Bulanan", "Monthly"),
    ("quarterly", "Triwulanan", "Quarterly"),
    ("yearly", "Tahunan", "Yearly"),
    ("report_title", "Laporan Layanan Insiden Keamanan Informasi", "Incident Service Report"),
    ("generated", "Dibuat", "Generated"),
    ("audience", "Edisi", "Edition"),
    ("sop", "SOP", "SOP"),
    ("unit", "Unit", "Unit"),
    ("totals", "Jumlah", "Totals"),
    ("t_reported", "Dilaporkan dalam periode", "Reported in the period"),
    ("t_rejected", "Ditolak", "Rejected"),
    ("t_in_scope", "Dalam ruang lingkup", "In scope"),
    ("t_out_of_scope", "Di luar ruang lingkup", "Out of scope"),
    ("t_closed", "Ditutup dalam periode", "Closed in the period"),
    ("t_autoresolved", "Ditutup otomatis (autoresolve)", "Closed by autoresolve"),
    ("t_reopened", "Dibuka kembali (laporan lanjutan)", "Reopened (follow-up reports)"),
    ("t_open_at_end", "Terbuka pada akhir periode", "Open at the end of the period"),
    ("rejected_by_code", "Penolakan menurut alasan", "Rejections by reason"),
    ("breakdowns", "Rincian jumlah", "Breakdowns"),
    ("by_severity", "Menurut tingkat keparahan", "By severity"),
    ("by_owner", "Menurut pemilik aplikasi", "By application owner"),
    ("by_reporter_type", "Menurut jenis pelapor", "By reporter type"),
    ("by_channel", "Menurut saluran", "By channel"),
    ("by_tlp", "Menurut TLP", "By TLP"),
    ("by_resolution", "Menurut hasil", "By resolution"),
    ("by_month", "Laporan per bulan", "Reports per month"),
    ("kpi", "Indikator kinerja (jam)", "Performance indicators (hours)"),
    ("kpi_help", "Median dan persentil ke-90 dalam jam; n adalah jumlah insiden yang mendasarinya.", "Median and 90th percentile in hours; n is the number of incidents behind each."),
    ("median", "Median", "Median"),
    ("p90", "P90", "P90"),
    ("all", "Semua", "All"),
    ("sla", "Target waktu (SLA) per status", "Target time (SLA) per state"),
    ("sla_within", "Terpenuhi", "Within"),
    ("sla_breached", "Terlampaui", "Breached"),
    ("sla_ongoing", "Masih berjalan dan terlampaui", "Still running, exceeded"),
    ("sla_breach_list", "Daftar pelampauan", "Breaches"),
    ("spent_hours", "Lama (jam)", "Time spent (hours)"),
    ("limit_hours", "Target (jam)", "Target (hours)"),
    ("onward", "Pelaporan lanjutan ke BSSN / CSIRT sektoral", "Onward reporting to BSSN / the sectoral CSIRT"),
    ("onward_help", "Insiden tingkat tinggi dan kritis dilaporkan lanjut (Peraturan BSSN Nomor 1 Tahun 2024 Pasal 15).", "High and critical incidents are reported onward (BSSN Regulation 1/2024 art. 15)."),
    ("onward_required", "Wajib dilaporkan", "Required"),
    ("onward_recorded", "Tercatat sudah dilaporkan", "Recorded as reported"),
    ("onward_missing", "Belum tercatat", "Not recorded"),
    ("incidents_of_period", "Insiden dalam periode", "Incidents of the period"),
    ("status_at_end", "Status akhir periode", "Status at period end"),
    ("none", "(tidak diisi)", "(not set)"),
    ("other_restricted", "lainnya (terbatas)", "others (restricted)"),
    ("withheld", "(rincian disembunyikan)", "(breakdown withheld)"),
    ("charts", "Grafik", "Charts"),
    ("report_index", "Laporan berkala", "Periodic reports"),
    ("no_reports", "Belum ada periode dengan data.", "No period with data yet."),
    ("open_report", "Lihat laporan", "View report"),
    ("other", "Lainnya", "Other"),
    ("phase_received", "Diterima", "Received"),
    ("phase_handled", "Ditangani", "Being handled"),
    ("phase_delivered", "Disampaikan", "Being delivered"),
    ("phase_completion", "Selesai", "Completion"),
    ("steps_label", "Langkah", "Steps"),
    ("stages", "Insiden terbuka per tahap", "Open incidents by phase"),
    ("steps_withheld", "Jumlah per langkah SOP tidak ditampilkan karena sebagian terlalu kecil; insiden terbuka dihitung per tahap.", "Counts per SOP step are not shown because some are too small; open incidents are counted by phase."),
    ("phases_withheld", "Insiden terbatas yang sedang berjalan terlalu sedikit untuk dihitung per tahap tanpa mengungkap insiden tertentu.", "Too few restricted incidents are open to count them by phase without singling one out."),
    ("withheld_breakdown", "Tidak dirinci: insiden terbatas dalam periode ini terlalu sedikit untuk dirinci tanpa mengungkap insiden tertentu.", "Not broken down: too few restricted incidents in this period to show this without singling one out."),
    ("withheld_table", "Tidak ditampilkan: semua jumlahnya terlalu kecil untuk dipublikasikan.", "Not shown: every count in it is too small to publish."),
    ("withheld_chart", "Grafik tidak ditampilkan: jumlahnya terlalu kecil untuk dipublikasikan.", "Chart not shown: its counts are too small to publish."),
    ("key_figures", "Angka utama", "Key figures"),
    ("ytd_reported", "Dilaporkan tahun {year}", "Reported in {year}"),
    ("ytd_closed", "Ditutup tahun {year}", "Closed in {year}"),
    ("ytd_by_category", "Insiden tahun berjalan menurut kategori", "This year's incidents by category"),
    ("recent_reported", "Dilaporkan 30 hari terakhir", "Reported in the last 30 days"),
    ("recent_closed", "Ditutup 30 hari terakhir", "Closed in the last 30 days"),
    ("all_time", "Seluruh insiden tercatat", "All incidents on record"),
    ("updated", "Diperbarui", "Updated"),
    ("open_clear", "Insiden TLP:CLEAR yang sedang berjalan", "Open TLP:CLEAR incidents"),
    ("open_incidents", "Insiden yang sedang berjalan", "Open incidents"),
    ("no_open_incidents", "Tidak ada insiden yang sedang berjalan.", "No incident is open."),
    ("no_open_clear", "Tidak ada insiden TLP:CLEAR yang sedang berjalan.", "No TLP:CLEAR incident is open."),
    ("step", "Langkah", "Step"),
    ("period_report", "Laporan periode ini", "This period's report"),
    ("categories_help", "Jumlah sepanjang waktu. Insiden yang tidak berlabel TLP:CLEAR hanya dihitung, dan hanya untuk kategori yang memuat sedikitnya 3 insiden terbatas; kategori lain menunjukkan insiden TLP:CLEAR-nya saja (\"≥ n\"), sedangkan insiden terbatasnya dihitung dalam \"Lainnya\" pada ringkasan.", "Counts over all time. Incidents not labelled TLP:CLEAR are only counted, and only for categories with at least 3 restricted incidents; other categories show their TLP:CLEAR incidents only (\"≥ n\"), their restricted incidents being counted under \"Other\" on the overview."),
    ("obs_type", "Jenis", "Type"),
    ("obs_value", "Nilai", "Value"),
    ("kpi_col", "Indikator", "Indicator"),
    ("footer", "Dibuat dengan insiden dari berkas insiden di repositori Git.", "Made with insiden from the incident files in a Git repository."),
];

/// Terms of the file format's closed enumerations: (kind.value, Indonesian, English).
const TERMS: &[(&str, &str, &str)] = &[
    ("severity.low", "Rendah", "Low"),
    ("severity.medium", "Sedang", "Medium"),
    ("severity.high", "Tinggi", "High"),
    ("severity.critical", "Kritis", "Critical"),
    ("reporter_type.owner", "Pemilik aplikasi", "Application owner"),
    ("reporter_type.employee", "Pegawai", "Employee"),
    ("reporter_type.public", "Masyarakat", "Member of the public"),
    ("reporter_type.bssn", "BSSN", "BSSN"),
    ("reporter_type.csirt-province", "CSIRT provinsi", "Provincial CSIRT"),
    ("reporter_type.other-csirt", "CSIRT lain", "Other CSIRT"),
    ("reporter_type.vendor", "Vendor", "Vendor"),
    ("reporter_type.researcher", "Peneliti keamanan", "Security researcher"),
    ("reporter_type.internal-scan", "Pemindaian internal", "Internal scan"),
    ("reporter_type.other", "Lainnya", "Other"),
    (
        "attachment_kind.scan-report",
        "Hasil scanning website",
        "Website scan report",
    ),
    ("attachment_kind.evidence", "Bukti", "Evidence"),
    ("attachment_kind.other", "Lainnya", "Other"),
    ("channel.email", "Surel", "Email"),
    ("channel.phone", "Telepon", "Phone"),
    ("channel.whatsapp", "WhatsApp", "WhatsApp"),
    ("channel.web-form", "Formulir web", "Web form"),
    ("channel.letter", "Surat", "Letter"),
    ("channel.walk-in", "Datang langsung", "Walk-in"),
    ("channel.bssn-notification", "Notifikasi BSSN", "BSSN notification"),
    ("channel.scan", "Pemindaian", "Scan"),
    ("channel.other", "Lainnya", "Other"),
    ("resolution.true-positive", "Insiden nyata", "True positive"),
    ("resolution.false-positive", "Positif palsu", "False positive"),
    ("resolution.duplicate", "Duplikat", "Duplicate"),
    ("resolution.not-an-incident", "Bukan insiden", "Not an incident"),
    ("resolution.indeterminate", "Tidak dapat dipastikan", "Indeterminate"),
    ("resolution.other", "Lainnya", "Other"),
    ("impact.with-impact", "Berdampak", "With impact"),
    ("impact.no-impact", "Tidak berdampak", "No impact"),
    ("impact.not-applicable", "Tidak berlaku", "Not applicable"),
    (
        "rejection_code.insufficient-data",
        "Data tidak cukup",
        "Insufficient data",
    ),
    (
        "rejection_code.faulty-indicator",
        "Indikator keliru",
        "Faulty indicator",
    ),
    (
        "rejection_code.misconfiguration",
        "Salah konfigurasi",
        "Misconfiguration",
    ),
    ("rejection_code.scan-probe", "Pemindaian/percobaan", "Scan or probe"),
    ("rejection_code.failed", "Serangan gagal", "Failed attempt"),
    ("rejection_code.refuted", "Terbantahkan", "Refuted"),
    ("rejection_code.duplicate", "Duplikat", "Duplicate"),
    ("rejection_code.transferred", "Dialihkan", "Transferred"),
    ("handler.internal", "Internal", "Internal"),
    ("handler.external", "Pihak eksternal", "External party"),
    ("target.bssn", "BSSN", "BSSN"),
    ("target.csirt-province", "CSIRT provinsi", "Provincial CSIRT"),
    ("target.csirt-sectoral", "CSIRT sektoral", "Sectoral CSIRT"),
    ("target.police", "Kepolisian", "Police"),
    ("target.vendor", "Vendor", "Vendor"),
    ("target.other", "Lainnya", "Other"),
    ("role.system", "Sistem (otomatis)", "System (automatic)"),
    ("audience.public", "Publik", "Public"),
    ("audience.internal", "Internal", "Internal"),
];

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn pick<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// Every interface string in `lang`, for templates.
pub fn ui(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    UI.iter().map(|(k, id, en)| (*k, pick(lang, id, en))).collect()
}

/// One interface string; the key itself when unknown (never panics).
pub fn text(lang: Lang, key: &str) -> String {
    UI.iter()
        .find(|(k, ..)| *k == key)
        .map_or_else(|| key.to_owned(), |(_, id, en)| pick(lang, id, en).to_owned())
}

/// The label of an enumeration value, e.g. `term(Lang::Id, "severity", "high")` → "Tinggi".
/// Unknown values are shown as written.
pub fn term(lang: Lang, kind: &str, value: &str) -> String {
    let key = format!("{kind}.{value}");
    TERMS
        .iter()
        .find(|(k, ..)| *k == key)
        .map_or_else(|| value.to_owned(), |(_, id, en)| pick(lang, id, en).to_owned())
}

/// A month's name.
pub fn month_name(lang: Lang, month: u32) -> &'static str {
    let i = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::Id => MONTHS_ID[i],
        Lang::En => MONTHS_EN[i],
    }
}

/// "Januari 2026".
pub fn month_year(lang: Lang, year: i32, month: u32) -> String {
    format!("{} {year}", month_name(lang, month))
}

/// "21 Januari 2026" / "21 January 2026".
pub fn date(lang: Lang, d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name(lang, d.month()), d.year())
}

/// A time as a reader sees it and as `<time datetime>` states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeText {
    /// RFC 3339 in the configured zone, e.g. `2026-01-21T09:15:00+07:00`.
    pub iso: String,
    /// "21 Januari 2026 09.15 WIB".
    pub text: String,
    /// `2026-01-21`.
    pub date: String,
    /// "21 Januari 2026".
    pub date_text: String,
}

/// Formats `t` in `tz` with its zone label (WIB). Pages show thousands of times: the zone is
/// looked up once and the text assembled without format strings.
pub fn time(lang: Lang, t: Timestamp, tz: Tz) -> TimeText {
    use crate::time::push_digits;
    let local = crate::time::in_zone(t, tz);
    let d = local.date_naive();
    let date_text = date(lang, d);
    let mut text = String::with_capacity(date_text.len() + 10);
    text.push_str(&date_text);
    text.push(' ');
    push_digits(&mut text, local.hour(), 2);
    text.push(match lang {
        Lang::Id => '.',
        Lang::En => ':',
    });
    push_digits(&mut text, local.minute(), 2);
    text.push(' ');
    text.push_str(&crate::time::zone_label(t, tz));
    let mut day = String::with_capacity(10);
    crate::time::push_date(&mut day, d);
    TimeText {
        iso: crate::time::rfc3339_of(&local),
        text,
        date: day,
        date_text,
    }
}

/// The digit-group and decimal separators of a language: Indonesian writes 1.234,5 and
/// English 1,234.5.
fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::Id => ('.', ','),
        Lang::En => (',', '.'),
    }
}

fn group_digits(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A whole number as a reader of `lang` writes it: "1.234" / "1,234".
pub fn number(lang: Lang, n: usize) -> String {
    group_digits(&n.to_string(), separators(lang).0)
}

/// A decimal number with `places` decimals as a reader of `lang` writes it: "1.234,5" /
/// "1,234.5".
pub fn decimal(lang: Lang, x: f64, places: usize) -> String {
    let s = format!("{:.*}", places, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (group, point) = separators(lang);
    let mut out = String::new();
    if x < 0.0 && s.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        out.push('-');
    }
    out.push_str(&group_digits(int, group));
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// Hours as text with one decimal, as a reader of `lang` writes numbers.
pub fn hours(lang: Lang, h: f64) -> String {
    decimal(lang, h, 1)
}

/// A count as text: a number in the language's digit grouping, or its range ("< 3").
pub fn count(lang: Lang, c: crate::disclosure::Count) -> String {
    c.text(|n| number(lang, n))
}

/// A length of time in words: "5 hari 8 jam", "3 jam 20 menit" / "5 days 8 hours".
pub fn duration(lang: Lang, d: chrono::Duration) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    let unit = |n: i64, id: &str, en: &str, en_plural: &str| match lang {
        Lang::Id => format!("{} {id}", number(lang, n as usize)),
        Lang::En => format!("{} {}", number(lang, n as usize), if n == 1 { en } else { en_plural }),
    };
    // The larger unit and, when it is not zero, the next one: "1 hari", "1 hari 4 jam".
    let (big, small) = if days > 0 {
        (
            unit(days, "hari", "day", "days"),
            (hours > 0).then(|| unit(hours, "jam", "hour", "hours")),
        )
    } else if hours > 0 {
        (
            unit(hours, "jam", "hour", "hours"),
            (mins > 0).then(|| unit(mins, "menit", "minute", "minutes")),
        )
    } else {
        (unit(mins, "menit", "minute", "minutes"), None)
    };
    match small {
        Some(small) => format!("{big} {small}"),
        None => big,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_zone_with_its_label() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-21T02:15:00Z").expect("t");
        let x = time(Lang::Id, t, chrono_tz::Asia::Jakarta);
        assert_eq!(x.iso, "2026-01-21T09:15:00+07:00");
        assert_eq!(x.text, "21 Januari 2026 09.15 WIB");
        assert_eq!(
            time(Lang::En, t, chrono_tz::Asia::Jakarta).text,
            "21 January 2026 09:15 WIB"
        );
    }

    /// The texts assembled without format strings are the ones format strings write, in
    /// every month, both languages, zones east and west, and years of fewer digits.
    #[test]
    fn times_are_written_as_their_format_strings_write_them() {
        use chrono::{Datelike, Timelike};
        for zone in [
            chrono_tz::Asia::Jakarta,
            chrono_tz::America::St_Johns,
            chrono_tz::Europe::Berlin,
        ] {
            for s in [
                "2026-01-21T02:15:00Z",
                "2026-12-31T23:59:59Z",
                "2024-02-29T16:59:00Z",
                "0999-06-05T00:00:00Z",
                "0001-01-01T12:00:00Z",
            ] {
                for month in 0..12u32 {
                    let t = chrono::DateTime::parse_from_rfc3339(s).expect("t")
                        + chrono::Duration::days(31 * i64::from(month));
                    for lang in [Lang::Id, Lang::En] {
                        let local = t.with_timezone(&zone);
                        let d = local.date_naive();
                        let date_text = format!("{} {} {}", d.day(), month_name(lang, d.month()), d.year());
                        let sep = if lang == Lang::Id { '.' } else { ':' };
                        let x = time(lang, t, zone);
                        assert_eq!(x.date_text, date_text);
                        assert_eq!(date(lang, d), date_text);
                        assert_eq!(
                            x.text,
                            format!(
                                "{date_text} {:02}{sep}{:02} {}",
                                local.hour(),
                                local.minute(),
                                crate::time::zone_label(t, zone)
                            )
                        );
                        assert_eq!(x.date, local.format("%Y-%m-%d").to_string());
                        // (Offsets of whole minutes: the local mean times of old years have
                        // seconds, which RFC 3339 cannot say.)
                        if chrono::Offset::fix(local.offset()).local_minus_utc() % 60 == 0 {
                            assert_eq!(x.iso, local.format("%Y-%m-%dT%H:%M:%S%:z").to_string());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_and_durations_read_in_the_language() {
        assert_eq!(number(Lang::Id, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::En, 1_234), "1,234");
        assert_eq!(number(Lang::Id, 999), "999");
        assert_eq!(hours(Lang::Id, 1234.56), "1.234,6");
        assert_eq!(hours(Lang::En, 2.5), "2.5");
        assert_eq!(decimal(Lang::Id, -0.04, 1), "0,0");
        let d = chrono::Duration::minutes(5 * 1440 + 8 * 60);
        assert_eq!(duration(Lang::Id, d), "5 hari 8 jam");
        assert_eq!(duration(Lang::En, d), "5 days 8 hours");
        assert_eq!(duration(Lang::En, chrono::Duration::minutes(61)), "1 hour 1 minute");
        // A zero second unit is left out: "1 hari", not "1 hari 0 jam".
        assert_eq!(duration(Lang::Id, chrono::Duration::days(1)), "1 hari");
        assert_eq!(duration(Lang::Id, chrono::Duration::hours(4)), "4 jam");
        assert_eq!(duration(Lang::En, chrono::Duration::minutes(1441)), "1 day");
        assert_eq!(count(Lang::Id, crate::disclosure::Count::Shown(1500)), "1.500");
        assert_eq!(
            count(Lang::Id, crate::disclosure::Count::below(3).plus(1000)),
            "1.000–1.002"
        );
    }

    #[test]
    fn every_key_has_both_languages_and_no_duplicates() {
        let mut keys: Vec<&str> = UI
            .iter()
            .map(|(k, ..)| *k)
            .chain(TERMS.iter().map(|(k, ..)| *k))
            .collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(UI
            .iter()
            .chain(TERMS)
            .all(|(_, id, en)| !id.is_empty() && !en.is_empty()));
        assert_eq!(term(Lang::Id, "severity", "high"), "Tinggi");
        assert_eq!(term(Lang::En, "severity", "weird"), "weird");
    }
}
