//! The benchmark corpus: incidents as a CSIRT's repository holds them after a few years.
//!
//! Every file has all five body sections filled (3–4 KB of Markdown with lists, emphasis,
//! links and code), 8 to 25 history entries (about 10 on average) with update notes and the
//! occasional loop back (coordination ↔ handling), observables, handler, onward reports and
//! tags; every state of the SOP and every TLP label occurs. The same `i` always gives the same
//! file, so runs and machines compare.

use std::fmt::Write as _;

/// Teams for the corpus: one member per team, as the history's actors.
pub const CONFIG: &str = "teams:\n  helpdesk: { name: H, members: [{ id: siti, name: Siti, emails: [siti@example.go.id] }] }\n  data: { name: D, members: [{ id: agus, name: Agus, emails: [agus@example.go.id] }] }\n  analysis: { name: A, members: [{ id: dewi, name: Dewi, emails: [dewi@example.go.id] }] }\n  coordination: { name: C, members: [{ id: bayu, name: Bayu, emails: [bayu@example.go.id] }] }\n  handling: { name: P, members: [{ id: rina, name: Rina, emails: [rina@example.go.id] }] }\n";

/// The time the corpus is measured at (`--now`): after every entry.
pub const NOW: &str = "2026-11-28T09:00:00+07:00";

/// Incidents are spread over these years; ids are numbered per year.
pub const FIRST_YEAR: i32 = 2019;
pub const YEARS: usize = 8;

const TLPS: &[&str] = &["clear", "clear", "green", "amber", "amber", "amber+strict", "red"];
const CATS: &[&str] = &[
    "judi-online",
    "defacement",
    "phishing",
    "malware",
    "ransomware",
    "ddos",
    "eksploitasi-aplikasi",
    "kebocoran-data",
    "akses-ilegal",
    "akun-diretas",
    "brute-force",
    "kerentanan",
    "gangguan-layanan",
    "lainnya",
];
const SEVERITIES: &[&str] = &["low", "medium", "medium", "high", "critical"];
const OPDS: &[&str] = &[
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "RSUD dr. Soedomo",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Badan Pendapatan Daerah",
    "Sekretariat Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Sosial",
];
/// The states an incident may rest in, weighted towards `closed` as in a real repository.
const FINAL: &[&str] = &[
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
    "rejected",
    "reported",
    "registered",
    "triage",
    "coordination",
    "handling",
    "handled",
    "compiled",
    "recorded",
    "resolved",
    "documented",
];

const SENTENCES: &[&str] = &[
    "Pemeriksaan awal menunjukkan adanya berkas asing pada direktori unggahan yang dibuat di luar jam kerja operator.",
    "Log akses server web memperlihatkan permintaan berulang dari beberapa alamat IP luar negeri ke halaman login panel admin.",
    "Operator situs mengonfirmasi bahwa kata sandi akun administrator belum pernah diganti sejak situs pertama kali dipasang.",
    "Tim menelusuri riwayat perubahan berkas dan menemukan bahwa plugin formulir kontak memiliki celah unggah berkas yang sudah dipublikasikan.",
    "Tidak ditemukan indikasi akses ke basis data kependudukan maupun data pribadi pemohon layanan.",
    "Hasil pencarian di mesin pencari menampilkan ratusan judul halaman bertema *slot gacor* di bawah domain instansi.",
    "Sertifikat TLS situs masih berlaku, namun konfigurasi server mengizinkan protokol lama yang sudah tidak direkomendasikan.",
    "Pelapor menyertakan tangkapan layar dan tautan ke halaman yang mencurigakan melalui kanal WhatsApp Helpdesk.",
    "Analisis lalu lintas jaringan pada jam kejadian menunjukkan lonjakan permintaan hingga dua puluh kali lipat dari rata-rata harian.",
    "Akun surel dinas yang terdampak digunakan untuk mengirim pesan phishing ke alamat internal lain selama kurang lebih dua jam.",
    "Cadangan harian tersedia dan telah diverifikasi dapat dipulihkan pada lingkungan uji sebelum dipasang kembali.",
    "Koordinasi dilakukan dengan penyedia hosting untuk memperoleh salinan log yang tidak tersedia di panel pengguna.",
];
const STEPS: &[&str] = &[
    "Menghapus seluruh berkas sisipan dan memeriksa integritas berkas inti aplikasi.",
    "Memperbarui CMS, tema, dan seluruh plugin; menghapus plugin yang tidak dipakai.",
    "Mengganti kata sandi akun administrator, basis data, dan panel hosting.",
    "Mengaktifkan autentikasi dua faktor untuk seluruh akun pengelola.",
    "Membatasi akses panel admin hanya dari jaringan kantor atau VPN.",
    "Mengajukan penghapusan halaman dari indeks mesin pencari.",
    "Memasang pemantauan perubahan berkas dan peringatan ke operator.",
    "Menyusun jadwal pemeriksaan pembaruan bulanan bersama operator.",
];

/// A small deterministic mixer (splitmix64), so the corpus needs no random crate.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Picks from `v` by the `k`-th draw of incident `i`.
fn pick<T: Copy>(v: &[T], i: usize, k: u64) -> T {
    v[(mix((i as u64) << 8 | k) % v.len() as u64) as usize]
}

fn paragraph(out: &mut String, i: usize, k: u64, n: usize) {
    for j in 0..n {
        if j > 0 {
            out.push(' ');
        }
        out.push_str(pick(SENTENCES, i, k * 31 + j as u64));
    }
    out.push_str("\n\n");
}

/// The Markdown body: five filled sections, 3–4 KB.
fn body(i: usize, id: &str, asset: &str) -> String {
    let mut b = String::with_capacity(4096);
    b.push_str("## Laporan\n\n");
    let _ = writeln!(
        b,
        "Helpdesk menerima laporan mengenai **{id}** pada aset <{asset}>. Pelapor menyebutkan bahwa gangguan pertama kali terlihat pada pagi hari dan berulang beberapa kali.\n"
    );
    paragraph(&mut b, i, 1, 3);
    b.push_str("## Analisis\n\n");
    paragraph(&mut b, i, 2, 5);
    let _ = writeln!(
        b,
        "Indikator yang ditemukan:\n\n- domain `judi{i}.example` pada berkas `wp-content/uploads/{}.php`\n- alamat `198.51.100.{}` pada log akses\n- hash `{:016x}{:016x}`\n",
        i % 997,
        i % 250,
        mix(i as u64),
        mix(i as u64 + 1)
    );
    paragraph(&mut b, i, 3, 2);
    b.push_str("## Rekomendasi\n\n");
    for (n, k) in (0..5).enumerate() {
        let _ = writeln!(b, "{}. {}", n + 1, pick(STEPS, i, 40 + k));
    }
    b.push('\n');
    paragraph(&mut b, i, 4, 1);
    b.push_str("## Penanganan\n\n");
    paragraph(&mut b, i, 5, 4);
    let _ = writeln!(
        b,
        "| langkah | status |\n|---|---|\n| pembersihan | selesai |\n| pembaruan | selesai |\n| pemantauan | berjalan |\n"
    );
    b.push_str("## Kesimpulan\n\n");
    paragraph(&mut b, i, 6, 2);
    let _ = writeln!(
        b,
        "Laporan lengkap disampaikan kepada pemilik aplikasi. Lihat juga [panduan pengamanan situs](https://csirt.example.go.id/panduan/{}).",
        i % 17
    );
    b
}

/// The time `h` hours after `t`, as the file writes it (WIB).
fn at(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("time")
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Incident `i` of a corpus of `n`: its path and text.
pub fn incident(i: usize, n: usize) -> (String, String) {
    let year = FIRST_YEAR + (i % YEARS) as i32;
    let number = i / YEARS + 1;
    let id = format!("INC-{year}-{number:04}");
    // Reported through the year in id order, ending by mid-October (every entry is before `NOW`).
    let per_year = n.div_ceil(YEARS).max(1) as i64;
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("date")
        .and_hms_opt(1, 0, 0)
        .expect("time")
        .and_utc()
        .timestamp();
    let mut t = start + (number as i64 - 1) * 280 * 86_400 / per_year + (mix(i as u64) % 36_000) as i64;
    let tlp = pick(TLPS, i, 2);
    let cat = pick(CATS, i, 3);
    let severity = pick(SEVERITIES, i, 4);
    let opd = pick(OPDS, i, 5);
    let target = pick(FINAL, i, 6);
    let in_scope = !(target != "rejected" && mix(i as u64 ^ 0x55) % 40 == 0);
    let asset = format!("https://layanan{}.example.go.id", i % 503);
    let reported_at = at(t);

    // The history: each step by its team, with notes and updates on the way.
    let mut h = String::new();
    let mut entries = 0usize;
    let step = |h: &mut String, to: &str, by: &str, actor: &str, note: Option<String>, gap: i64, t: &mut i64| {
        *t += gap;
        match note {
            Some(n) => {
                let _ = writeln!(
                    h,
                    "  - {{ at: {}, to: {to}, by: {by}, actor: {actor}, note: \"{n}\" }}",
                    at(*t)
                );
            }
            None => {
                let _ = writeln!(h, "  - {{ at: {}, to: {to}, by: {by}, actor: {actor} }}", at(*t));
            }
        }
    };
    let hours = |k: u64| 3600 * (1 + (mix((i as u64) << 16 | k) % 20) as i64);
    let updates = |k: u64| usize::from(mix((i as u64) << 20 | k) % 3 == 0);
    let note = |k: u64| {
        Some(format!(
            "Perkembangan {k}. {}",
            pick(STEPS, i, 100 + k).trim_end_matches('.')
        ))
    };
    step(&mut h, "reported", "helpdesk", "siti", None, 0, &mut t);
    entries += 1;
    let path: &[(&str, &str, &str)] = if !in_scope {
        &[
            ("registered", "helpdesk", "siti"),
            ("triage", "data", "agus"),
            ("handled", "analysis", "dewi"),
            ("compiled", "coordination", "bayu"),
            ("recorded", "data", "agus"),
            ("resolved", "helpdesk", "siti"),
            ("documented", "data", "agus"),
            ("closed", "system", "insiden-bot"),
        ]
    } else {
        &[
            ("registered", "helpdesk", "siti"),
            ("triage", "data", "agus"),
            ("coordination", "analysis", "dewi"),
            ("handling", "coordination", "bayu"),
            ("handled", "handling", "rina"),
            ("compiled", "coordination", "bayu"),
            ("recorded", "data", "agus"),
            ("resolved", "helpdesk", "siti"),
            ("documented", "data", "agus"),
            ("closed", "system", "insiden-bot"),
        ]
    };
    let mut k = 10u64;
    if target == "rejected" {
        for _ in 0..6 + updates(1) {
            k += 1;
            step(&mut h, "reported", "helpdesk", "siti", note(k), hours(k), &mut t);
            entries += 1;
        }
        step(&mut h, "rejected", "helpdesk", "siti", note(99), hours(99), &mut t);
    } else if target != "reported" {
        let mut state = "reported";
        for (to, by, actor) in path {
            k += 1;
            let gap = if *to == "closed" { 6 * 86_400 } else { hours(k) };
            step(
                &mut h,
                to,
                by,
                actor,
                (k % 3 == 0).then(|| note(k)).flatten(),
                gap,
                &mut t,
            );
            entries += 1;
            state = to;
            if *to == target {
                break;
            }
            // Progress notes while working, and now and then a loop back to coordination.
            if matches!(*to, "triage" | "coordination" | "handling") {
                let acts = match *to {
                    "triage" => ("analysis", "dewi"),
                    "coordination" => ("coordination", "bayu"),
                    _ => ("handling", "rina"),
                };
                for _ in 0..updates(k) {
                    k += 1;
                    step(&mut h, to, acts.0, acts.1, note(k), hours(k), &mut t);
                    entries += 1;
                }
                if *to == "handling" && mix(i as u64 ^ 0xa5) % 8 == 0 {
                    for _ in 0..1 + mix(i as u64 ^ 0x5a) % 3 {
                        k += 1;
                        step(&mut h, "coordination", "handling", "rina", note(k), hours(k), &mut t);
                        k += 1;
                        step(
                            &mut h,
                            "coordination",
                            "coordination",
                            "bayu",
                            note(k),
                            hours(k),
                            &mut t,
                        );
                        k += 1;
                        step(&mut h, "handling", "coordination", "bayu", None, hours(k), &mut t);
                        k += 1;
                        step(&mut h, "handling", "handling", "rina", note(k), hours(k), &mut t);
                        entries += 4;
                    }
                }
            }
        }
        let _ = state;
    }
    // Open incidents early in the SOP still have fewer entries; updates bring them to eight.
    let current = h
        .lines()
        .last()
        .and_then(|l| l.split("to: ").nth(1))
        .and_then(|r| r.split(',').next())
        .unwrap_or("reported")
        .to_owned();
    if current != "closed" && current != "rejected" {
        let by = match current.as_str() {
            "reported" | "recorded" => ("helpdesk", "siti"),
            "registered" | "compiled" | "resolved" | "documented" => ("data", "agus"),
            "triage" => ("analysis", "dewi"),
            "coordination" | "handled" => ("coordination", "bayu"),
            _ => ("handling", "rina"),
        };
        while entries < 8 {
            k += 1;
            step(&mut h, &current, by.0, by.1, note(k), hours(k), &mut t);
            entries += 1;
        }
    }

    let mut fm = String::with_capacity(2048);
    let _ = write!(
        fm,
        "---\nid: {id}\ntitle: Insiden {cat} pada layanan {opd} nomor {i}\nstatus: {current}\nreported_at: {reported_at}\n\
occurred_at: {}\ndetected_at: {}\n\
reporter:\n  name: Pelapor {i}\n  organization: {opd}\n  contact: pelapor{i}@example.org\n  type: public\n  channel: whatsapp\n\
owner: {opd}\nassets:\n  - {asset}\n  - https://api{}.example.go.id\ncategory: {cat}\nseverity: {severity}\ntlp: {tlp}\n\
summary: Gangguan {cat} pada layanan {opd}; aset dipulihkan dan celah ditutup setelah koordinasi dengan operator.\n\
in_scope: {in_scope}\nimpact: with-impact\nhandler:\n  type: internal\n  name: Tim Penanganan CSIRT\n  contact: penanganan@example.go.id\n\
delivered_to: Kepala {opd}\nresolution: true-positive\n",
        at(start + (number as i64 - 1) * 280 * 86_400 / per_year - 86_400),
        at(start + (number as i64 - 1) * 280 * 86_400 / per_year - 3_600),
        i % 211,
    );
    if current == "rejected" {
        fm.push_str("rejection_reason: Laporan berada di luar lingkup layanan CSIRT.\n");
    }
    let _ = write!(
        fm,
        "external_reports:\n  - {{ to: bssn, at: {reported_at}, reference: BSSN-{year}-{i} }}\n\
observables:\n  - {{ type: domain, value: judi{i}.example, ioc: true }}\n  - {{ type: ip, value: 198.51.100.{}, ioc: true }}\n  - {{ type: url, value: \"{asset}/wp-content/uploads/{}.php\", ioc: false }}\n\
tags: [{cat}, situs-opd, tahun-{year}]\nhistory:\n{h}---\n",
        i % 250,
        i % 997,
    );
    fm.push_str(&body(i, &id, &asset));
    (format!("incidents/{year}/{id}.md"), fm)
}

/// Writes `n` incidents and the configuration into `root`, in parallel.
pub fn write(root: &std::path::Path, n: usize) {
    use rayon::prelude::*;
    for y in 0..YEARS {
        std::fs::create_dir_all(root.join(format!("incidents/{}", FIRST_YEAR + y as i32))).expect("mkdir");
    }
    std::fs::write(root.join("insiden.yaml"), CONFIG).expect("config");
    (0..n).into_par_iter().for_each(|i| {
        let (rel, text) = incident(i, n);
        std::fs::write(root.join(rel), text).expect("write");
    });
}
