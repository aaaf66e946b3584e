//! Benchmark: build the public and the internal site from 10,000 incidents
//! (`cargo bench --bench build`).
//!
//! The corpus (a mix of TLP labels, states and categories over six years) is written to tmpfs
//! (`/dev/shm` when present). Reported, as medians of several runs: loading (scan, parse,
//! validate), computing the page plan per audience (indexes once, pages in parallel), writing
//! it atomically, and — as a yardstick — the time to merely write the same number of files
//! of the same sizes.

mod support;
use support::{median, ms};

use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N: usize = 10_000;
const RUNS: usize = 5;
const TLPS: &[&str] = &["clear", "green", "amber", "amber+strict", "red", "clear"];
const CATS: &[&str] = &["judi-online", "defacement", "phishing", "malware", "kerentanan", "ddos"];

fn incident(i: usize) -> (String, String) {
    let year = 2020 + (i % 6);
    let n = i / 6 + 1;
    let id = format!("INC-{year}-{n:04}");
    let month = 1 + (i % 12);
    let day = 1 + (i % 27);
    let tlp = TLPS[i % TLPS.len()];
    let cat = CATS[(i / 7) % CATS.len()];
    let d = format!("{year}-{month:02}-{day:02}");
    let full = i % 4 != 0;
    let closed = (chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32).expect("date")
        + chrono::Duration::days(6))
    .format("%Y-%m-%d");
    let (status, tail) = if full {
        (
            "closed",
            format!(
                "- {{ at: {d}T12:00:00+07:00, to: handling, by: coordination, actor: bayu }}\n\
  - {{ at: {d}T13:00:00+07:00, to: handling, by: handling, actor: rina, note: Pembersihan berjalan {i} }}\n\
  - {{ at: {d}T14:00:00+07:00, to: handled, by: handling, actor: rina }}\n\
  - {{ at: {d}T15:00:00+07:00, to: compiled, by: coordination, actor: bayu }}\n\
  - {{ at: {d}T16:00:00+07:00, to: recorded, by: data, actor: agus }}\n\
  - {{ at: {d}T17:00:00+07:00, to: resolved, by: helpdesk, actor: siti }}\n\
  - {{ at: {d}T18:00:00+07:00, to: documented, by: data, actor: agus }}\n\
  - {{ at: {closed}T01:00:00+07:00, to: closed, by: system, actor: insiden-bot }}\n",
            ),
        )
    } else {
        ("coordination", String::new())
    };
    let text = format!(
        "---\nid: {id}\ntitle: Konten judi online pada situs desa nomor {i}\nstatus: {status}\nreported_at: {d}T08:00:00+07:00\n\
reporter: {{ name: Pelapor {i}, organization: Pemdes, contact: pelapor{i}@example.org, type: public, channel: whatsapp }}\n\
owner: Pemerintah Desa {}\nassets: [https://desa{i}.example.go.id]\ncategory: {cat}\nseverity: medium\ntlp: {tlp}\nin_scope: true\n\
summary: Halaman berisi tautan judi online.\nhandler: {{ type: internal, name: Tim CSIRT }}\ndelivered_to: Pemdes\nresolution: true-positive\n\
observables: [{{ type: domain, value: judi{i}.example, ioc: true }}]\n\
history:\n\
  - {{ at: {d}T08:00:00+07:00, to: reported, by: helpdesk, actor: siti }}\n\
  - {{ at: {d}T09:00:00+07:00, to: registered, by: helpdesk, actor: siti }}\n\
  - {{ at: {d}T10:00:00+07:00, to: triage, by: data, actor: agus }}\n\
  - {{ at: {d}T11:00:00+07:00, to: coordination, by: analysis, actor: dewi }}\n{tail}\
---\n## Laporan\n\nSitus desa menampilkan **tautan judi online**.\n\n## Analisis\n\nInjeksi konten melalui plugin usang.\n\n\
## Rekomendasi\n\n1. Perbarui plugin.\n2. Ganti kata sandi.\n\n## Penanganan\n\nKonten dihapus, plugin diperbarui.\n\n## Kesimpulan\n\nSelesai.\n",
        i % 400
    );
    (format!("incidents/{year}/{id}.md"), text)
}

const CONFIG: &str = "teams:\n  helpdesk: { name: H, members: [{ id: siti, name: Siti, emails: [s@x] }] }\n  data: { name: D, members: [{ id: agus, name: Agus, emails: [a@x] }] }\n  analysis: { name: A, members: [{ id: dewi, name: Dewi, emails: [d@x] }] }\n  coordination: { name: C, members: [{ id: bayu, name: Bayu, emails: [b@x] }] }\n  handling: { name: P, members: [{ id: rina, name: Rina, emails: [r@x] }] }\n";

fn main() {
    use insiden::audience::Audience;
    let base = support::scratch_base();
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let repo = dir.path().join("repo");
    for (rel, text) in (0..N).map(incident) {
        let p = repo.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    std::fs::write(repo.join("insiden.yaml"), CONFIG).expect("config");
    let cfg = insiden::config::Config::parse(Some(CONFIG), "insiden.yaml").expect("config");
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T09:00:00+07:00").expect("now");
    let tpl = insiden::site::templates::Templates::new(Vec::new()).expect("templates");

    let (mut load_t, mut plan_t, mut write_t, mut total_t, mut baseline_t) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut counts = (0, 0);
    for run in 0..RUNS {
        let start = Instant::now();
        let scan = insiden::store::scan(&repo);
        let v = insiden::rules::validate(&scan.files, &scan.present, &cfg, now);
        assert!(!v.has_errors(), "{:?}", v.diagnostics.iter().find(|d| d.is_error()));
        load_t.push(start.elapsed());
        let mut plan = Duration::ZERO;
        let mut write = Duration::ZERO;
        let mut all_pages = Vec::new();
        for audience in [Audience::Public, Audience::Internal] {
            let b = insiden::site::Build {
                cfg: &cfg,
                incidents: v.incidents(),
                audience,
                lang: insiden::workflow::Lang::Id,
                now,
                show_now: true,
            };
            let t = Instant::now();
            let pages = insiden::site::plan(&b, &tpl).expect("plan");
            plan += t.elapsed();
            let t = Instant::now();
            let out = dir.path().join(format!("out-{}", audience.as_str()));
            insiden::store::write_tree_atomic(&out, &pages).expect("write");
            write += t.elapsed();
            if audience == Audience::Public {
                counts.0 = pages.len();
            } else {
                counts.1 = pages.len();
            }
            all_pages.extend(pages);
        }
        plan_t.push(plan);
        write_t.push(write);
        total_t.push(start.elapsed());
        // Yardstick: write the same files (same paths and sizes) with plain std::fs::write.
        let target = dir.path().join(format!("baseline-{run}"));
        let t = Instant::now();
        let mut made = std::collections::HashSet::new();
        for (i, (rel, bytes)) in all_pages.iter().enumerate() {
            let p = target.join(if i < counts.0 { "a" } else { "b" }).join(rel);
            if let Some(parent) = p.parent() {
                if made.insert(parent.to_path_buf()) {
                    std::fs::create_dir_all(parent).expect("mkdir");
                }
            }
            std::fs::write(p, bytes).expect("write");
        }
        baseline_t.push(t.elapsed());
        let _ = std::fs::remove_dir_all(&target);
    }
    println!("incidents:                          {N}");
    println!("threads:                            {}", rayon::current_num_threads());
    println!("files: public {} + internal {}", counts.0, counts.1);
    println!("load (scan+parse+validate), median: {:>8.1} ms", ms(median(load_t)));
    println!("plan (render both sites), median:   {:>8.1} ms", ms(median(plan_t)));
    println!("write atomically (both), median:    {:>8.1} ms", ms(median(write_t)));
    println!("total public + internal, median:    {:>8.1} ms", ms(median(total_t)));
    println!("baseline: just write the files:     {:>8.1} ms", ms(median(baseline_t)));
}
