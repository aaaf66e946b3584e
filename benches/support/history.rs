//! A repository with a long history, made fast with `git fast-import`: one commit imports the
//! corpus, then each commit adds one progress note (an update entry) to one open incident,
//! authored and committed by the member whose entry it is. The stream is written to
//! fast-import as it is made, so a million commits need no more memory than the corpus.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The first commit's time: 2027-01-01T08:00:00+07:00, after every entry of the corpus.
pub const START: i64 = 1_798_768_800;
/// Seconds between commits.
pub const STEP: i64 = 60;

/// A `--now` after every commit of a history of `commits`.
pub fn now_after(commits: usize) -> String {
    let t = START + (commits as i64 + 10) * STEP;
    chrono::DateTime::from_timestamp(t, 0)
        .expect("time")
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn data(out: &mut impl Write, text: &str) {
    write!(out, "data {}\n{text}\n", text.len()).expect("write");
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git");
    assert!(st.success(), "git {args:?}");
}

/// Makes the repository in `dir`: `n` incidents of the corpus, then `commits` update commits;
/// `config` is the `insiden.yaml` committed with them.
pub fn build(dir: &Path, n: usize, commits: usize, config: &str) {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet", "--depth=10"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import");
    let mut s = std::io::BufWriter::with_capacity(1 << 20, child.stdin.take().expect("stdin"));
    writeln!(
        s,
        "commit refs/heads/main\ncommitter Siti <siti@example.go.id> {START} +0700"
    )
    .expect("write");
    data(&mut s, "Impor insiden");
    writeln!(s, "M 100644 inline insiden.yaml").expect("write");
    data(&mut s, config);
    let mut texts: Vec<(String, String)> = (0..n).map(|i| super::corpus::incident(i, n)).collect();
    for (path, text) in &texts {
        writeln!(s, "M 100644 inline {path}").expect("write");
        data(&mut s, text);
    }
    // Open incidents, with the team that notes progress in each state.
    let open: Vec<(usize, &'static str, &'static str, &'static str, &'static str)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, (_, t))| {
            let status = t.split("\nstatus: ").nth(1)?.split('\n').next()?;
            let (state, by, actor, email) = match status {
                "reported" => ("reported", "helpdesk", "siti", "siti@example.go.id"),
                "registered" => ("registered", "data", "agus", "agus@example.go.id"),
                "triage" => ("triage", "analysis", "dewi", "dewi@example.go.id"),
                "coordination" => ("coordination", "coordination", "bayu", "bayu@example.go.id"),
                "handling" => ("handling", "handling", "rina", "rina@example.go.id"),
                "handled" => ("handled", "coordination", "bayu", "bayu@example.go.id"),
                "compiled" => ("compiled", "data", "agus", "agus@example.go.id"),
                "recorded" => ("recorded", "helpdesk", "siti", "siti@example.go.id"),
                _ => return None,
            };
            Some((i, state, by, actor, email))
        })
        .collect();
    assert!(!open.is_empty() || commits == 0, "no open incident to update");
    for c in 0..commits {
        let t = START + (c as i64 + 1) * STEP;
        let (i, state, by, actor, email) = open[(c * 7919) % open.len()];
        let at = chrono::DateTime::from_timestamp(t, 0)
            .expect("time")
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"));
        let entry = format!(
            "  - {{ at: {}, to: {state}, by: {by}, actor: {actor}, note: \"Pembaruan {c} dari tim\" }}\n---\n## Laporan",
            at.format("%Y-%m-%dT%H:%M:%S%:z")
        );
        let (path, text) = &mut texts[i];
        *text = text.replacen("---\n## Laporan", &entry, 1);
        let name = format!("{}{}", actor[..1].to_uppercase(), &actor[1..]);
        writeln!(s, "commit refs/heads/main\ncommitter {name} <{email}> {t} +0700").expect("write");
        data(
            &mut s,
            &format!("{} {state}: pembaruan {c}", path.rsplit('/').next().unwrap_or("")),
        );
        writeln!(s, "M 100644 inline {path}").expect("write");
        data(&mut s, text);
    }
    s.flush().expect("flush");
    drop(s);
    assert!(child.wait().expect("wait").success());
    git(dir, &["checkout", "-q", "main"]);
}
