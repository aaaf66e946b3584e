//! Benchmark: read, parse and validate 10,000 incidents (`cargo bench --bench validate`).
//!
//! The corpus is written to tmpfs (`/dev/shm` when present) so disk speed does not blur the
//! result, and the time to merely write the same files is reported beside it as a yardstick.
//! Prints medians of several runs.

mod support;
use support::median;

use std::time::Instant;

// The same allocator as the binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N: usize = 10_000;
const RUNS: usize = 7;

fn incident(i: usize) -> (String, String) {
    let year = 2020 + (i % 6);
    let n = i / 6 + 1;
    let id = format!("INC-{year}-{n:04}");
    let day = 1 + (i % 27);
    let text = format!(
        "---\nid: {id}\ntitle: Konten judi online pada situs desa nomor {i}\nstatus: closed\nreported_at: {year}-03-{day:02}T08:00:00+07:00\n\
reporter: {{ name: Pelapor {i}, organization: Pemdes, contact: pelapor{i}@example.org, type: public, channel: whatsapp }}\n\
owner: Pemerintah Desa {i}\nassets: [https://desa{i}.example.go.id]\ncategory: judi-online\nseverity: medium\ntlp: clear\nin_scope: true\n\
summary: Halaman berisi tautan judi online.\nhandler: {{ type: internal, name: Tim CSIRT }}\ndelivered_to: Pemdes\nresolution: true-positive\n\
history:\n\
  - {{ at: {year}-03-{day:02}T08:00:00+07:00, to: reported, by: helpdesk, actor: siti }}\n\
  - {{ at: {year}-03-{day:02}T09:00:00+07:00, to: registered, by: helpdesk, actor: siti }}\n\
  - {{ at: {year}-03-{day:02}T10:00:00+07:00, to: triage, by: data, actor: agus }}\n\
  - {{ at: {year}-03-{day:02}T11:00:00+07:00, to: coordination, by: analysis, actor: dewi }}\n\
  - {{ at: {year}-03-{day:02}T12:00:00+07:00, to: handling, by: coordination, actor: bayu }}\n\
  - {{ at: {year}-03-{day:02}T13:00:00+07:00, to: handled, by: handling, actor: rina }}\n\
  - {{ at: {year}-03-{day:02}T14:00:00+07:00, to: compiled, by: coordination, actor: bayu }}\n\
  - {{ at: {year}-03-{day:02}T15:00:00+07:00, to: recorded, by: data, actor: agus }}\n\
  - {{ at: {year}-03-{day:02}T16:00:00+07:00, to: resolved, by: helpdesk, actor: siti }}\n\
  - {{ at: {year}-03-{day:02}T17:00:00+07:00, to: documented, by: data, actor: agus }}\n\
  - {{ at: {year}-04-{day:02}T01:00:00+07:00, to: closed, by: system, actor: insiden-bot }}\n\
---\n## Laporan\n\nSitus desa menampilkan tautan judi online.\n\n## Analisis\n\nInjeksi konten melalui plugin usang.\n\n\
## Rekomendasi\n\nPerbarui plugin dan ganti kata sandi.\n\n## Penanganan\n\nKonten dihapus, plugin diperbarui.\n\n## Kesimpulan\n\nSelesai.\n"
    );
    (format!("incidents/{year}/{id}.md"), text)
}

const CONFIG: &str = "teams:\n  helpdesk: { name: H, members: [{ id: siti, name: Siti, emails: [s@x] }] }\n  data: { name: D, members: [{ id: agus, name: Agus, emails: [a@x] }] }\n  analysis: { name: A, members: [{ id: dewi, name: Dewi, emails: [d@x] }] }\n  coordination: { name: C, members: [{ id: bayu, name: Bayu, emails: [b@x] }] }\n  handling: { name: P, members: [{ id: rina, name: Rina, emails: [r@x] }] }\n";

fn main() {
    let base = support::scratch_base();
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let root = dir.path();
    let files: Vec<(String, String)> = (0..N).map(incident).collect();

    let mut write_times = Vec::new();
    for run in 0..RUNS {
        let target = root.join(format!("w{run}"));
        let t = Instant::now();
        for (rel, text) in &files {
            let p = target.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write");
        }
        write_times.push(t.elapsed());
    }
    let repo = root.join("w0");
    std::fs::write(repo.join("insiden.yaml"), CONFIG).expect("config");
    let cfg = insiden::config::Config::parse(Some(CONFIG), "insiden.yaml").expect("config");
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T09:00:00+07:00").expect("now");

    let mut validate_times = Vec::new();
    let mut count = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let scan = insiden::store::scan(&repo);
        let v = insiden::rules::validate(&scan.files, &scan.present, &cfg, now);
        validate_times.push(t.elapsed());
        assert!(!v.has_errors(), "{:?}", v.diagnostics.first());
        count = v.files.len();
    }
    let mut scan_times = Vec::new();
    let mut parse_times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let scan = insiden::store::scan(&repo);
        scan_times.push(t.elapsed());
        let t = Instant::now();
        use rayon::prelude::*;
        let n: usize = scan
            .files
            .par_iter()
            .map(|f| insiden::doc::parse(&f.text, &f.path, cfg.timezone).diagnostics.len())
            .sum();
        parse_times.push(t.elapsed());
        assert_eq!(n, 0);
    }
    let w = median(write_times);
    let v = median(validate_times);
    println!("incidents:                 {count}");
    println!("threads:                   {}", rayon::current_num_threads());
    println!("write the files (median):  {:>8.1} ms", w.as_secs_f64() * 1e3);
    println!("scan+parse+validate (med): {:>8.1} ms", v.as_secs_f64() * 1e3);
    println!(
        "  of which scan (read):    {:>8.1} ms",
        median(scan_times).as_secs_f64() * 1e3
    );
    println!(
        "  of which parse (doc):    {:>8.1} ms",
        median(parse_times).as_secs_f64() * 1e3
    );
    println!("ratio validate/write:      {:>8.2}", v.as_secs_f64() / w.as_secs_f64());
}
