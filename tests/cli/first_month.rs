//! A new team's first month, each dead-end it met as a scripted scenario in a real repository.
//! Issue "A real team's first month on GitHub, without dead-ends".

use crate::support::{reported, Repo};

const SITI: (&str, &str) = ("Siti Rahayu", "siti@example.go.id");
const BAYU: (&str, &str) = ("Bayu Aji", "bayu@example.go.id");

/// Splits one shell command line into words: spaces separate, double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in {line:?}");
    if any {
        out.push(word);
    }
    out
}

/// The fenced code blocks of a Markdown text in `lang`, each without its fences and with the
/// common indentation removed.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &mut current {
            None if trimmed == format!("```{lang}") => current = Some((indent, Vec::new())),
            Some((i, lines)) if trimmed == "```" && indent == *i => {
                out.push(lines.join("\n") + "\n");
                current = None;
            }
            Some((i, lines)) => lines.push(line.get(*i..).unwrap_or("").to_owned()),
            None => {}
        }
    }
    out
}

/// The one line of the README's `sh` blocks that starts with `prefix`, split into words
/// without the leading `insiden`.
fn command(readme: &str, prefix: &str) -> Vec<String> {
    let found: Vec<String> = blocks(readme, "sh")
        .iter()
        .flat_map(|b| b.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "one `{prefix}` command in the README: {found:?}");
    let mut w = words(&found[0]);
    assert_eq!(w.remove(0), "insiden");
    w
}

fn run_words(r: &Repo, dir: &std::path::Path, w: &[String], extra: &[&str]) -> crate::support::Run {
    let mut args: Vec<&str> = w.iter().map(String::as_str).collect();
    args.extend_from_slice(extra);
    r.run_in(dir, &args, None)
}

/// Item 5: the helpdesk's first command, copied from the README, registers the README's own
/// example report: every field the step requires is in it.
#[test]
fn the_readme_registration_command_registers_the_readme_example() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let example = blocks(&readme, "markdown")
        .into_iter()
        .find(|b| b.contains("id: INC-2026-0016"))
        .expect("the README's example file");
    let r = Repo::new();
    r.git_init();
    r.git(&["config", "user.email", SITI.1]);
    r.write("incidents/2026/INC-2026-0016.md", &example);
    r.run(&["validate", "--now", "2026-11-28T09:30:00+07:00"]).code(0);
    let register = command(&readme, "insiden transition INC-2026-0016 registered");
    run_words(&r, r.path(), &register, &["--at", "2026-11-28T10:02:00+07:00"])
        .code(0)
        .stdout_has("reported → registered by helpdesk (siti)");
    let text = r.read("incidents/2026/INC-2026-0016.md");
    assert!(text.contains("category: judi-online\nowner: Pemerintah Desa Sumberagung\nassets: [https://sumberagung.trenggalekkab.go.id]\n"), "{text}");
    r.run(&["validate", "--now", "2026-11-28T10:30:00+07:00"]).code(0);
}

/// Items 5 and 6: in a repository fresh from `init`, the README's two commands (file the first
/// report, register it) work as written.
#[test]
fn an_initialised_repository_files_and_registers_its_first_incident_as_its_readme_says() {
    let r = Repo::empty();
    r.run(&["init", "baru", "--at", "2026-05-02T10:00:00+07:00"]).code(0);
    let dir = r.file("baru");
    let d = dir.display().to_string();
    r.git(&["-C", &d, "init", "-q", "-b", "main"]);
    // The placeholder helpdesk member of the generated insiden.yaml.
    r.git(&["-C", &d, "config", "user.email", "helpdesk@example.go.id"]);
    let readme = r.read("baru/README.md");
    let new = command(&readme, "insiden new ");
    run_words(&r, &dir, &new, &["--at", "2026-05-04T08:00:00+07:00"])
        .code(0)
        .stdout_has("incidents/2026/INC-2026-0001.md");
    let register = command(&readme, "insiden transition INC-2026-0001 registered");
    run_words(&r, &dir, &register, &["--at", "2026-05-04T09:00:00+07:00"]).code(0);
    r.run_in(&dir, &["validate", "--now", "2026-05-04T09:30:00+07:00"], None)
        .code(0);
    let text = r.read("baru/incidents/2026/INC-2026-0001.md");
    assert!(text.contains("assets: [https://sumberagung.example.go.id]"), "{text}");
}

/// Item 5: `--set` fills list fields, surgically; other lists are named in the refusal.
#[test]
fn set_fills_list_fields_and_keeps_every_other_byte() {
    let r = Repo::new();
    let p = "incidents/2026/INC-2026-0001.md";
    let before = reported("INC-2026-0001", "2026-01-21T09:15:00+07:00")
        .replace("status: reported\n", "status: reported\ntags:\n  - lama   # diganti\n");
    r.write(p, &before);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "registered",
        "--actor",
        "siti",
        "--at",
        "2026-01-21T10:00:00+07:00",
        "--set",
        "category=defacement",
        "--set",
        "owner=Pemdes Sumberagung",
        "--set",
        "assets=https://a.example.go.id, https://b.example.go.id",
        "--set",
        "tags=deface,situs-desa",
        "--set",
        "attack=T1491.002",
    ])
    .code(0);
    let expected = before
        .replace(
            "tags:\n  - lama   # diganti\n",
            "tags:\n  - deface\n  - situs-desa\n",
        )
        .replace("status: reported\n", "status: registered\n")
        .replace(
            "history:\n",
            "category: defacement\nowner: Pemdes Sumberagung\nassets: [https://a.example.go.id, https://b.example.go.id]\nattack: [T1491.002]\nhistory:\n",
        )
        .replace(
            "actor: siti }\n---",
            "actor: siti }\n  - { at: 2026-01-21T10:00:00+07:00, to: registered, by: helpdesk, actor: siti }\n---",
        );
    assert_eq!(r.read(p), expected);
    r.run(&["validate", "--now", "2026-01-21T10:30:00+07:00"]).code(0);
    r.run(&[
        "transition",
        "INC-2026-0001",
        "registered",
        "--actor",
        "siti",
        "--note",
        "x",
        "--set",
        "observables=1.2.3.4",
    ])
    .code(2)
    .stderr_has("the lists assets, related, tags, attack, rsit")
    .stderr_has("insiden explain");
}

/// Item 4: a report that arrived on Friday evening and is recorded on Tuesday. Dating the first
/// entry Friday is `entry-backdated`, and the hint says what to do; with `--reported-at` the
/// arrival is kept and the commit passes.
#[test]
fn a_friday_evening_report_recorded_on_tuesday_keeps_its_arrival_time() {
    let friday = "2026-11-27T19:30:00+07:00";
    let tuesday = "2026-12-01T09:00:00+07:00";
    let committed = "2026-12-01T09:05:00+07:00";
    let new = |r: &Repo, extra: &[&str]| {
        let mut args = vec![
            "new",
            "--title",
            "Situs desa menampilkan judi online",
            "--reporter",
            "Budi",
            "--actor",
            "siti",
            "--description",
            "Dilaporkan lewat WhatsApp pada Jumat malam.",
        ];
        args.extend_from_slice(extra);
        r.run(&args).code(0);
    };
    for (extra, ok) in [
        (vec!["--at", friday], false),
        (vec!["--reported-at", friday, "--at", tuesday], true),
    ] {
        let r = Repo::new();
        r.git_init();
        let base = r.commit(BAYU.0, BAYU.1, "2026-11-20T08:00:00+07:00", "Konfigurasi");
        new(&r, &extra);
        r.commit(SITI.0, SITI.1, committed, "Catat laporan Jumat malam");
        let check = r.run(&["check", "--base", &base, "--now", "2026-12-01T09:10:00+07:00"]);
        let text = r.read("incidents/2026/INC-2026-0001.md");
        assert!(text.contains(&format!("reported_at: {friday}\n")), "{text}");
        if ok {
            check.code(0);
            assert!(
                text.contains(&format!(
                    "  - {{ at: {tuesday}, to: reported, by: helpdesk, actor: siti }}"
                )),
                "{text}"
            );
        } else {
            check.code(1).stderr_has("entry-backdated").stderr_has(
                "record the arrival time in `reported_at` (`insiden new --reported-at …`) and date the entry now",
            );
        }
    }
    // An arrival after the recording is a mistake.
    let r = Repo::new();
    r.run(&[
        "new",
        "--title",
        "x",
        "--reporter",
        "Budi",
        "--actor",
        "siti",
        "--description",
        "x",
        "--reported-at",
        tuesday,
        "--at",
        friday,
    ])
    .code(2)
    .stderr_has("after the recording time");
}

/// Item 1: `git add -A` once committed a reporter's phone number with 44 internal pages. Output
/// where git would track it is refused, naming the `.gitignore` line to add.
#[test]
fn build_and_report_refuse_to_write_where_git_would_track_the_output() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    r.git_init();
    r.commit(SITI.0, SITI.1, "2026-01-21T10:00:00+07:00", "Laporan");
    r.run(&["build", "--audience", "internal"])
        .code(2)
        .stderr_has("add the line `/public/` to .gitignore");
    assert!(!r.file("public").exists(), "nothing was written");
    r.run(&["build", "--out", "situs/dalam", "--audience", "internal"])
        .code(2)
        .stderr_has("`/situs/dalam/`");
    r.run(&["report", "--period", "2026", "--out", "laporan.md"])
        .code(2)
        .stderr_has("add the line `/laporan.md` to .gitignore");
    assert!(!r.file("laporan.md").exists());
    // Spelled through a folder that does not exist and `..`, the same places are judged
    // where they land (the folder is made, and `..` goes back up from it).
    r.run(&["report", "--period", "2026", "--out", "nope/../laporan.md"])
        .code(2)
        .stderr_has("add the line `/laporan.md` to .gitignore");
    r.run(&["build", "--out", "nope/../public", "--audience", "internal"])
        .code(2)
        .stderr_has("add the line `/public/` to .gitignore");
    assert!(!r.file("laporan.md").exists() && !r.file("public").exists());
    // Outside the repository, anything goes.
    let outside = tempfile::tempdir().expect("temp");
    let out = outside.path().join("situs");
    r.run(&["build", "--out", &out.display().to_string()]).code(0);
    // Ignored, the same outputs are written and git does not see them.
    r.write(".gitignore", "/public/\n/situs/\n/laporan.md\n");
    r.run(&["build", "--audience", "internal"]).code(0);
    r.run(&["build", "--out", "situs/dalam"]).code(0);
    r.run(&["report", "--period", "2026", "--out", "laporan.md"]).code(0);
    r.run(&["report", "--period", "2026", "--out", "nope/../laporan.md"])
        .code(0);
    assert_eq!(
        r.git(&["status", "--porcelain", "--untracked-files=all"]),
        "?? .gitignore\n"
    );
    // An ignore rule does not untrack what was committed before it.
    r.git(&["add", "-f", "laporan.md"]);
    r.run(&["report", "--period", "2026", "--out", "laporan.md"])
        .code(2)
        .stderr_has("git rm -r --cached laporan.md");
}

/// A link committed where an output goes, or on the way to it, would take the site or the
/// report wherever the commit's author chose, even with the path ignored: refused, and nothing
/// is written where the links point.
#[cfg(unix)]
#[test]
fn outputs_are_refused_through_links_a_commit_put_on_their_way() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &reported("INC-2026-0001", "2026-01-21T09:15:00+07:00"),
    );
    r.write(".gitignore", "/public/\n/laporan/\n/situs/\n");
    let elsewhere = tempfile::tempdir().expect("temp");
    let target = elsewhere.path().join("target");
    std::fs::create_dir(&target).expect("mkdir");
    for link in ["public", "laporan", "situs"] {
        std::os::unix::fs::symlink(&target, r.file(link)).expect("link");
    }
    r.git_init();
    r.git(&["add", "-f", "public", "laporan", "situs"]);
    r.commit(SITI.0, SITI.1, "2026-01-21T10:00:00+07:00", "Laporan");
    r.run(&["build", "--audience", "internal"])
        .code(2)
        .stderr_has("goes through `public`");
    r.run(&["build", "--out", "situs/dalam"])
        .code(2)
        .stderr_has("goes through `situs`");
    r.run(&["report", "--period", "2026", "--out", "laporan/2026.md"])
        .code(2)
        .stderr_has("goes through `laporan`");
    r.run(&["letter", "INC-2026-0001", "--out", "./laporan/../laporan/surat.html"])
        .code(2)
        .stderr_has("goes through `laporan`");
    // `laporan/..` is the parent of wherever the link points, not the repository.
    r.run(&["report", "--period", "2026", "--out", "laporan/../ringkasan.md"])
        .code(2)
        .stderr_has("goes through `laporan`");
    assert_eq!(
        std::fs::read_dir(&target).expect("ls").count(),
        0,
        "nothing written there"
    );
    // The same links made by the operator, not committed, are the operator's to use.
    r.git(&["rm", "-q", "--cached", "public"]);
    r.run(&["build"]).code(0);
    assert!(target.join("index.html").is_file());
}

/// Item 9: the bot commits on a branch of its own for a pull request; the current branch, the
/// index and the working tree are untouched, and the commit passes `check`.
#[test]
fn autoresolve_commits_on_a_new_branch_and_leaves_the_current_one_alone() {
    let r = Repo::new();
    let p = "incidents/2026/INC-2026-0001.md";
    let entries = [
        ("2026-03-02T08:00:00+07:00", "reported", "helpdesk", "siti"),
        ("2026-03-02T08:10:00+07:00", "registered", "helpdesk", "siti"),
        ("2026-03-02T08:20:00+07:00", "triage", "data", "agus"),
        ("2026-03-02T08:30:00+07:00", "handled", "analysis", "dewi"),
        ("2026-03-02T08:40:00+07:00", "compiled", "coordination", "bayu"),
        ("2026-03-02T08:50:00+07:00", "recorded", "data", "agus"),
        ("2026-03-02T09:00:00+07:00", "resolved", "helpdesk", "siti"),
        ("2026-03-02T10:00:00+07:00", "documented", "data", "agus"),
    ];
    let history: String = entries
        .iter()
        .map(|(at, to, by, actor)| format!("  - {{ at: {at}, to: {to}, by: {by}, actor: {actor} }}\n"))
        .collect();
    let text = format!(
        "---\nid: INC-2026-0001\ntitle: Pemindaian port\nstatus: documented\nreported_at: 2026-03-02T08:00:00+07:00\nreporter: {{ name: Budi }}\n\
category: kerentanan\nowner: Dinas Kesehatan\nassets: [https://dinkes.example]\nin_scope: false\ndelivered_to: Dinas Kesehatan\nresolution: not-an-incident\n\
history:\n{history}---\n## Laporan\n\nPort terbuka.\n\n## Analisis\n\nBukan insiden.\n\n## Rekomendasi\n\nTutup port.\n\n## Kesimpulan\n\nSelesai.\n"
    );
    r.write(p, &text);
    r.git_init();
    let main = r.commit(
        "Agus Salim",
        "agus@example.go.id",
        "2026-03-02T10:05:00+07:00",
        "Dokumentasi",
    );
    let branch = "autoresolve/2026-03-07";
    r.run(&[
        "autoresolve",
        "--commit",
        "--branch",
        branch,
        "--now",
        "2026-03-07T10:00:00+07:00",
    ])
    .code(0)
    .stdout_has("closed INC-2026-0001")
    .stderr_has("on the new branch autoresolve/2026-03-07");
    assert_eq!(r.git(&["rev-parse", "HEAD"]).trim(), main, "HEAD did not move");
    assert_eq!(r.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "main");
    assert_eq!(
        r.git(&["status", "--porcelain"]),
        "",
        "index and working tree untouched"
    );
    assert_eq!(r.read(p), text);
    assert_eq!(r.git(&["rev-parse", &format!("{branch}~1")]).trim(), main);
    let log = r.git(&["log", "-1", "--format=%an <%ae>%n%s", branch]);
    assert_eq!(
        log,
        "github-actions[bot] <bot@example.org>\nautoresolve: tutup INC-2026-0001\n"
    );
    let closed = r.git(&["show", &format!("{branch}:{p}")]);
    assert!(
        closed.contains("status: closed\n") && closed.contains("to: closed, by: system, actor: insiden-bot"),
        "{closed}"
    );
    r.run(&[
        "check",
        "--base",
        "main",
        "--head",
        branch,
        "--now",
        "2026-03-07T10:01:00+07:00",
    ])
    .code(0);
    // The same branch twice is refused before anything is made.
    r.run(&[
        "autoresolve",
        "--commit",
        "--branch",
        branch,
        "--now",
        "2026-03-07T10:00:00+07:00",
    ])
    .code(2)
    .stderr_has("exists already");
    r.run(&["autoresolve", "--branch", branch]).code(2);
}
