//! Signed commits: real ed25519 keys made in the test, commits signed by git itself
//! (`gpg.format=ssh`), verified by `check` and `audit`; the bot signs in process.

use crate::support::{Repo, CONFIG};
use ssh_key::{rand_core::OsRng, Algorithm, LineEnding, PrivateKey};
use std::path::PathBuf;

/// A member: (id, name, email).
type Who = (&'static str, &'static str, &'static str);
const SITI: Who = ("siti", "Siti Rahayu", "siti@example.go.id");
const AGUS: Who = ("agus", "Agus Salim", "agus@example.go.id");
const DEWI: Who = ("dewi", "Dewi Lestari", "dewi@example.go.id");
const BAYU: Who = ("bayu", "Bayu Aji", "bayu@example.go.id");
const RINA: Who = ("rina", "Rina Wati", "rina@example.go.id");
const PEOPLE: [Who; 5] = [SITI, AGUS, DEWI, BAYU, RINA];

/// A repository whose rulebook requires signatures, with a key per member and for the bot.
struct Signed {
    repo: Repo,
    keys: tempfile::TempDir,
    clock: chrono::DateTime<chrono::FixedOffset>,
}

fn keypair(dir: &std::path::Path, name: &str) -> (PathBuf, String) {
    let key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519).expect("key");
    let path = dir.join(name);
    std::fs::write(&path, key.to_openssh(LineEnding::LF).expect("private").as_bytes()).expect("write key");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    (path, key.public_key().to_openssh().expect("public"))
}

impl Signed {
    fn new() -> Signed {
        let keys = tempfile::tempdir().expect("dir");
        let mut cfg = CONFIG.replace(
            "bot: { id: insiden-bot, emails: [\"bot@example.org\"] }",
            &format!(
                "bot: {{ id: insiden-bot, emails: [\"bot@example.org\"], signing_keys: [\"{}\"] }}",
                keypair(keys.path(), "insiden-bot").1
            ),
        );
        for (id, _, _) in PEOPLE {
            let (_, public) = keypair(keys.path(), id);
            let handle = format!("github: {id}-");
            let at = cfg.find(&handle).expect("member");
            let end = at + cfg[at..].find(" }").expect("end");
            cfg.insert_str(end, &format!(", signing_keys: [\"{public}\"]"));
        }
        cfg.push_str("signing: required\n");
        let repo = Repo::new();
        repo.write("insiden.yaml", &cfg);
        repo.git_init();
        let clock = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00+07:00").expect("t");
        let s = Signed { repo, keys, clock };
        s.commit(BAYU, "Konfigurasi");
        s
    }

    fn key(&self, id: &str) -> PathBuf {
        self.keys.path().join(id)
    }

    fn tick(&mut self, minutes: i64) -> String {
        self.clock += chrono::Duration::minutes(minutes);
        self.clock.to_rfc3339()
    }

    /// Stages everything and commits as `who`, signed with `who`'s key by git.
    fn commit(&self, who: Who, message: &str) -> String {
        self.commit_with_key(who, &self.key(who.0), message)
    }

    fn commit_with_key(&self, who: Who, key: &std::path::Path, message: &str) -> String {
        self.repo.git(&["add", "-A"]);
        let signing = format!("user.signingkey={}", key.display());
        self.repo.git_as(
            who.1,
            who.2,
            &self.clock.to_rfc3339(),
            &[
                "-c",
                "gpg.format=ssh",
                "-c",
                &signing,
                "commit",
                "-q",
                "-S",
                "-m",
                message,
            ],
        );
        self.repo.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn step(&mut self, who: Who, id: &str, state: &str, extra: &[&str]) {
        let at = self.tick(60);
        let mut args = vec!["transition", id, state, "--actor", who.0, "--at", &at];
        args.extend_from_slice(extra);
        self.repo.run(&args).code(0);
        self.tick(5);
        self.commit(who, &format!("{id}: {state}"));
    }

    fn section(&self, id: &str, heading: &str, text: &str) {
        let p = format!("incidents/2026/{id}.md");
        let body = self.repo.read(&p) + &format!("\n## {heading}\n\n{text}\n");
        self.repo.write(&p, &body);
    }

    fn check(&self, base: &str) -> crate::support::Run {
        let now = (self.clock + chrono::Duration::minutes(1)).to_rfc3339();
        self.repo
            .run(&["check", "--base", base, "--format", "json", "--now", &now])
    }

    /// `check` of the range as the pull request `login` opened (`--pr-author`).
    fn check_as(&self, base: &str, login: &str) -> crate::support::Run {
        let now = (self.clock + chrono::Duration::minutes(1)).to_rfc3339();
        self.repo.run(&[
            "check",
            "--base",
            base,
            "--format",
            "json",
            "--now",
            &now,
            "--pr-author",
            login,
        ])
    }

    /// Makes `raw` (a commit object's text, written by hand as a forger writes it) the
    /// branch's head.
    fn replace_head(&self, raw: &str) {
        let id = self
            .repo
            .git_with_stdin(&["hash-object", "-t", "commit", "-w", "--stdin"], raw);
        self.repo.git(&["reset", "-q", "--hard", id.trim()]);
    }

    /// Files an incident as Siti (signed) and returns its id.
    fn new_incident(&mut self) -> String {
        let at = self.tick(30);
        let run = self.repo.run(&[
            "new",
            "--title",
            "Situs desa",
            "--reporter",
            "Budi",
            "--owner",
            "Pemdes",
            "--asset",
            "https://desa.example",
            "--category",
            "defacement",
            "--at",
            &at,
            "--actor",
            "siti",
            "--description",
            "Situs berubah.",
        ]);
        run.code(0);
        self.tick(5);
        let id = run
            .stdout
            .trim()
            .rsplit('/')
            .next()
            .expect("path")
            .trim_end_matches(".md")
            .to_owned();
        self.commit(SITI, &format!("Laporan baru {id}"));
        id
    }
}

fn codes(run: &crate::support::Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Files an incident and takes it through steps 1 to 9, each move signed by its member;
/// returns its id.
fn walk_to_documented(s: &mut Signed) -> String {
    let id = s.new_incident();
    s.step(SITI, &id, "registered", &[]);
    s.step(AGUS, &id, "triage", &[]);
    s.section(&id, "Analisis", "Plugin usang.");
    s.section(&id, "Rekomendasi", "Perbarui plugin.");
    s.step(
        DEWI,
        &id,
        "coordination",
        &[
            "--set",
            "severity=medium",
            "--set",
            "tlp=green",
            "--set",
            "in_scope=true",
        ],
    );
    s.step(
        BAYU,
        &id,
        "handling",
        &["--set", "handler.type=internal", "--set", "handler.name=Tim CSIRT"],
    );
    s.section(&id, "Penanganan", "Dipulihkan.");
    s.step(RINA, &id, "handled", &[]);
    s.section(&id, "Kesimpulan", "Selesai.");
    s.step(BAYU, &id, "compiled", &[]);
    s.step(AGUS, &id, "recorded", &[]);
    s.step(SITI, &id, "resolved", &["--set", "delivered_to=Pemdes"]);
    s.step(AGUS, &id, "documented", &["--set", "resolution=true-positive"]);
    id
}

/// `raw` (a commit object's text) with its `gpgsig` header, if any, replaced by `block`.
fn with_gpgsig(raw: &str, block: &str) -> String {
    let (head, message) = raw.split_once("\n\n").expect("message");
    let mut in_signature = false;
    let kept: Vec<&str> = head
        .lines()
        .filter(|l| {
            in_signature = l.starts_with("gpgsig ") || (in_signature && l.starts_with(' '));
            !in_signature
        })
        .collect();
    format!("{}\n{block}\n\n{message}", kept.join("\n"))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The codes of the errors `run` found (warnings such as a rule change left out).
fn errors(run: &crate::support::Run) -> Vec<String> {
    run.json()["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn a_signed_history_through_all_ten_steps_and_the_bots_signed_close_pass() {
    let mut s = Signed::new();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let id = walk_to_documented(&mut s);
    // Step 10: the bot closes after the window, signing in process.
    let now = s.tick(60 * 24 * 6);
    let bot_key = s.key("insiden-bot");
    s.repo
        .run(&[
            "autoresolve",
            "--commit",
            "--now",
            &now,
            "--signing-key",
            bot_key.to_str().expect("path"),
        ])
        .code(0);
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    run.code(0);
    // The record shows who signed each move.
    let trail = s.repo.run(&["audit", "--trail", &id, "--format", "json"]);
    trail.code(0);
    let v = trail.json();
    let sigs: Vec<&str> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["signature"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sigs.first(), Some(&"signed by siti"));
    assert_eq!(sigs.last(), Some(&"signed by insiden-bot"));
    let audit = s.repo.run(&["audit", "--format", "json"]);
    audit.code(0);
    assert_eq!(codes(&audit), Vec::<String>::new(), "{}", audit.stdout);
    assert_eq!(audit.json()["signatures"]["siti"]["unsigned"], 0, "{}", audit.stdout);
    assert_eq!(audit.json()["signatures"]["agus"]["signed"], 3, "{}", audit.stdout);
    let human = s.repo.run(&["audit"]);
    human.code(0);
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l.contains("agus") && l.contains("signed 3, unsigned 0")),
        "{}",
        human.stdout
    );

    // Agus's key is revoked later: his past moves stay signed by him, as they were when
    // they landed (each is read by the rulebook it was made under).
    let cfg = s.repo.read("insiden.yaml");
    let at = cfg.find("github: agus-s, signing_keys: [").expect("agus");
    let end = at + cfg[at..].find(']').expect("end");
    let revoked = format!("{}github: agus-s{}", &cfg[..at], &cfg[end + 1..]);
    s.repo.write("insiden.yaml", &revoked);
    s.tick(5);
    s.commit(BAYU, "Kunci Agus dicabut");
    let trail = s.repo.run(&["audit", "--trail", &id, "--format", "json"]);
    trail.code(0);
    let v = trail.json();
    let agus: Vec<&str> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["actor"] == "agus")
        .map(|e| e["signature"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(agus, ["signed by agus"; 3], "{}", trail.stdout);
}

#[test]
fn the_bot_signs_with_the_key_its_secret_holds_and_never_commits_what_check_would_refuse() {
    let mut s = Signed::new();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let id = walk_to_documented(&mut s);
    let now = s.tick(60 * 24 * 6);
    let head = s.repo.git(&["rev-parse", "HEAD"]);
    let text = |who: &str| std::fs::read_to_string(s.key(who)).expect("key");
    // No key at all, or a member's key in the secret: refused before anything is written.
    s.repo
        .run(&["autoresolve", "--commit", "--now", &now])
        .code(2)
        .stderr_has("signing: required");
    s.repo
        .run_env(
            &[("INSIDEN_SIGNING_KEY", &text("agus"))],
            &["autoresolve", "--commit", "--now", &now],
        )
        .code(2)
        .stderr_has("not one of the bot's keys");
    assert_eq!(s.repo.git(&["rev-parse", "HEAD"]), head, "nothing was committed");
    assert!(s.repo.git(&["status", "--porcelain"]).trim().is_empty());
    // The bot's key, as a repository secret holds it.
    s.repo
        .run_env(
            &[("INSIDEN_SIGNING_KEY", &text("insiden-bot"))],
            &["autoresolve", "--commit", "--now", &now],
        )
        .code(0);
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    let trail = s.repo.run(&["audit", "--trail", &id, "--format", "json"]);
    let v = trail.json();
    let last = v["entries"].as_array().and_then(|e| e.last()).expect("entry");
    assert_eq!(last["signature"], "signed by insiden-bot", "{}", trail.stdout);
}

#[test]
fn a_pull_request_cannot_sign_with_a_key_it_adds_to_the_rulebook_itself() {
    let mut s = Signed::new();
    let id = s.new_incident();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.step(SITI, &id, "registered", &[]);
    // Siti's pull request lists a key of her own as Agus's, then records Agus's move with it.
    let (own, public) = keypair(s.keys.path(), "siti-as-agus");
    let cfg = s.repo.read("insiden.yaml").replace(
        "github: agus-s, signing_keys: [\"",
        &format!("github: agus-s, signing_keys: [\"{public}\", \""),
    );
    s.repo.write("insiden.yaml", &cfg);
    s.commit(SITI, "Kunci Agus");
    let at = s.tick(60);
    s.repo
        .run(&["transition", &id, "triage", "--actor", "agus", "--at", &at])
        .code(0);
    s.tick(5);
    let forged = s.commit_with_key(AGUS, &own, "Input");
    let run = s.check(&base);
    run.code(1);
    let found: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["code"] == "signature-mismatch")
        .map(|d| d["commit"]["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert!(forged.starts_with(&found[0]), "{found:?} {forged}");
}

#[test]
fn signatures_are_asked_only_of_commits_that_change_what_signing_protects() {
    let mut s = Signed::new();
    let id = s.new_incident();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // A README changed unsigned, then under a signature that is garbage: neither touches
    // incidents, the rules or the templates.
    s.repo.write("README.md", "Catatan tim.\n");
    let t = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &t, "Catatan");
    let garbage = "gpgsig -----BEGIN SSH SIGNATURE-----\n bukan tanda tangan\n -----END SSH SIGNATURE-----";
    s.replace_head(&with_gpgsig(&s.repo.git(&["cat-file", "commit", "HEAD"]), garbage));
    assert_eq!(codes(&s.check(&base)), Vec::<String>::new());
    // A signed move on a branch, joined by a merge that adds nothing of its own, unsigned.
    s.repo.git(&["checkout", "-q", "-b", "samping"]);
    s.step(SITI, &id, "registered", &[]);
    s.repo.git(&["checkout", "-q", "main"]);
    let t = s.tick(5);
    s.repo.git_as(
        SITI.1,
        SITI.2,
        &t,
        &["merge", "-q", "--no-ff", "-m", "Gabung", "samping"],
    );
    assert_eq!(codes(&s.check(&base)), Vec::<String>::new());
    // The same garbage on a commit that records a move: a finding.
    s.repo.git(&["reset", "-q", "--hard", "samping"]);
    let raw = s.repo.git(&["cat-file", "commit", "HEAD"]);
    assert!(raw.contains("\ngpgsig "), "the move is signed: {raw}");
    s.replace_head(&with_gpgsig(&raw, garbage));
    assert_eq!(codes(&s.check(&base)), ["bad-signature"]);
}

#[test]
fn unsigned_wrongly_signed_altered_and_copied_commits_fail_with_their_codes() {
    let mut s = Signed::new();
    let id = s.new_incident();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let at = s.tick(60);
    s.repo
        .run(&["transition", &id, "registered", "--actor", "siti", "--at", &at])
        .code(0);
    // Unsigned.
    let t = s.tick(5);
    s.repo.commit(SITI.1, SITI.2, &t, "Registrasi");
    assert_eq!(codes(&s.check(&base)), ["unsigned-commit"]);
    // Signed, but with Agus's key.
    s.repo.git(&["reset", "-q", "--soft", &base]);
    let agus_key = s.key("agus");
    s.commit_with_key(SITI, &agus_key, "Registrasi");
    assert_eq!(codes(&s.check(&base)), ["signature-mismatch"]);
    // Signed by Siti, then the content altered (the message), signature kept.
    s.repo.git(&["reset", "-q", "--soft", &base]);
    s.commit(SITI, "Registrasi");
    let raw = s
        .repo
        .git(&["cat-file", "commit", "HEAD"])
        .replace("Registrasi", "Registrasi palsu");
    s.replace_head(&raw);
    assert_eq!(codes(&s.check(&base)), ["bad-signature"]);
    // A signature copied from another signed commit.
    let signed = s.repo.git(&["cat-file", "commit", &base]);
    let gpgsig: String = signed
        .split_once("gpgsig ")
        .map(|(_, rest)| {
            let mut lines = rest.lines();
            let mut block = format!("gpgsig {}\n", lines.next().unwrap_or(""));
            for l in lines.take_while(|l| l.starts_with(' ')) {
                block.push_str(l);
                block.push('\n');
            }
            block
        })
        .expect("base is signed");
    s.repo.git(&["reset", "-q", "--soft", &base]);
    let t = s.tick(1);
    s.repo.commit(SITI.1, SITI.2, &t, "Registrasi");
    s.replace_head(&with_gpgsig(
        &s.repo.git(&["cat-file", "commit", "HEAD"]),
        gpgsig.trim_end(),
    ));
    assert_eq!(codes(&s.check(&base)), ["bad-signature"]);
}

#[test]
fn without_signing_a_pull_request_records_moves_only_in_its_authors_name() {
    let r = Repo::new();
    r.git_init();
    r.commit(
        "Bayu Aji",
        "bayu@example.go.id",
        "2026-03-02T08:00:00+07:00",
        "Konfigurasi",
    );
    let base = r.git(&["rev-parse", "HEAD"]).trim().to_owned();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &crate::support::reported("INC-2026-0001", "2026-03-02T08:30:00+07:00"),
    );
    r.commit(SITI.1, SITI.2, "2026-03-02T08:35:00+07:00", "Laporan");
    let now = "2026-03-02T09:00:00+07:00";
    let run = |login: &str| {
        r.run(&[
            "check",
            "--base",
            &base,
            "--format",
            "json",
            "--now",
            now,
            "--pr-author",
            login,
        ])
    };
    assert_eq!(codes(&run("siti-r")), Vec::<String>::new());
    // The same commit in a pull request opened by Agus's account.
    let other = run("agus-s");
    other.code(1);
    assert_eq!(codes(&other), ["actor-not-pr-author"]);
}

#[test]
fn keys_in_the_rulebook_must_parse_and_belong_to_one_member() {
    let r = Repo::new();
    let bad = CONFIG.replace(
        "github: siti-r }",
        "github: siti-r, signing_keys: [\"ssh-ed25519 bukan-kunci\"] }",
    );
    r.write("insiden.yaml", &bad);
    r.run(&["validate"]).code(2).stderr_has("signing key of `siti`");
    let dir = tempfile::tempdir().expect("dir");
    let (_, public) = keypair(dir.path(), "shared");
    let twice = CONFIG
        .replace(
            "github: siti-r }",
            &format!("github: siti-r, signing_keys: [\"{public}\"] }}"),
        )
        .replace(
            "github: agus-s }",
            &format!("github: agus-s, signing_keys: [\"{public}\"] }}"),
        );
    r.write("insiden.yaml", &twice);
    r.run(&["validate"]).code(2).stderr_has("listed for both");
    // The forge's keys are read too: text that is neither an OpenPGP block nor a key line.
    r.write(
        "insiden.yaml",
        &format!("{CONFIG}check:\n  forge_keys: [\"kunci GitHub\"]\n"),
    );
    r.run(&["validate"]).code(2).stderr_has("check.forge_keys");
    // The bot refuses a key it cannot use before writing anything.
    r.write("insiden.yaml", CONFIG);
    let key = dir.path().join("bukan");
    std::fs::write(&key, "bukan kunci").expect("write");
    r.run(&["autoresolve", "--commit", "--signing-key", key.to_str().expect("path")])
        .code(2)
        .stderr_has("not an OpenSSH private key");
}

/// Runs git with an explicit author and committer, and extra environment.
fn git_as_pair(r: &Repo, author: Who, committer: (&str, &str), date: &str, env: &[(&str, &str)], args: &[&str]) {
    let mut all = vec![
        ("GIT_AUTHOR_NAME", author.1),
        ("GIT_AUTHOR_EMAIL", author.2),
        ("GIT_AUTHOR_DATE", date),
        ("GIT_COMMITTER_NAME", committer.0),
        ("GIT_COMMITTER_EMAIL", committer.1),
        ("GIT_COMMITTER_DATE", date),
    ];
    all.extend_from_slice(env);
    r.git_with(&all, args);
}

/// The forge's committer identity.
const FORGE: (&str, &str) = ("GitHub", "noreply@github.com");

/// Commits what is staged as `author`, committed by `committer` and signed with the forge's
/// OpenPGP key (in the gpg home `gnupg`), as the forge signs its squash merges.
fn forge_signed(r: &Repo, author: Who, committer: (&str, &str), date: &str, gnupg: &str, message: &str) {
    git_as_pair(
        r,
        author,
        committer,
        date,
        &[("GNUPGHOME", gnupg)],
        &[
            "-c",
            "gpg.format=openpgp",
            "-c",
            "user.signingkey=noreply@github.com",
            "commit",
            "-q",
            "-S",
            "-m",
            message,
        ],
    );
}

/// Siti's registration, signed with her key, then Agus's triage authored as Agus, committed
/// and signed by the forge (its API takes any author).
fn agus_through_the_forge(s: &mut Signed, id: &str, gnupg: &str) {
    s.step(SITI, id, "registered", &[]);
    let at = s.tick(10);
    s.repo
        .run(&["transition", id, "triage", "--actor", "agus", "--at", &at])
        .code(0);
    s.repo.git(&["add", "-A"]);
    let date = s.tick(5);
    forge_signed(&s.repo, AGUS, FORGE, &date, gnupg, "Input");
    s.tick(1);
}

#[test]
fn a_forge_squash_merge_speaks_for_its_co_authors_only_where_it_lands_and_when_the_forge_signed_it() {
    // The forge's OpenPGP key, as GitHub publishes its web-flow key.
    let gnupg = tempfile::tempdir().expect("dir");
    let home = gnupg.path().to_str().expect("path").to_owned();
    let gpg = |args: &[&str]| {
        let out = std::process::Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    gpg(&[
        "--quick-gen-key",
        "GitHub <noreply@github.com>",
        "ed25519",
        "sign",
        "never",
    ]);
    let public = gpg(&["--armor", "--export", "noreply@github.com"]);
    let indented: String = public.lines().map(|l| format!("      {l}\n")).collect();

    let mut s = Signed::new();
    let cfg = s.repo.read("insiden.yaml")
        + &format!("check:\n  forge_committer: GitHub <noreply@github.com>\n  forge_keys:\n    - |\n{indented}");
    s.repo.write("insiden.yaml", &cfg);
    s.commit(BAYU, "Kunci forge");
    let id = s.new_incident();
    let base = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Two moves by two members land as one squash commit authored by Siti, committed and
    // signed by the forge, naming Agus in a trailer.
    let at = s.tick(10);
    s.repo
        .run(&["transition", &id, "registered", "--actor", "siti", "--at", &at])
        .code(0);
    let at = s.tick(10);
    s.repo
        .run(&["transition", &id, "triage", "--actor", "agus", "--at", &at])
        .code(0);
    s.repo.git(&["add", "-A"]);
    let date = s.tick(5);
    let message = "Registrasi dan input (#12)\n\nCo-authored-by: Agus Salim <agus@example.go.id>";
    forge_signed(&s.repo, SITI, FORGE, &date, &home, message);
    // Where squash merges land, on the branch's first-parent line, `audit` reads the trailer.
    let audit = |r: &Repo| r.run(&["audit", "--format", "json"]);
    let run = audit(&s.repo);
    assert_eq!(errors(&run), Vec::<String>::new(), "{}", run.stdout);
    run.code(0);
    // In a pull request the same commit is one made in the forge's web editor, with a message
    // its author typed: it speaks for Siti alone, and proves no member's key.
    assert_eq!(
        sorted(codes(&s.check(&base))),
        ["actor-not-author", "signature-mismatch"]
    );
    let squash = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // Nor does the forge's signature prove who authored a pull request's commit (its API
    // takes any author): Agus's move, authored as Agus and signed by the forge, is no
    // member's signature, and in a pull request Siti's account opened it is not Agus's.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    agus_through_the_forge(&mut s, &id, &home);
    assert_eq!(
        sorted(codes(&s.check_as(&base, "siti-r"))),
        ["actor-not-pr-author", "signature-mismatch"]
    );
    assert_eq!(codes(&s.check_as(&base, "agus-s")), ["signature-mismatch"]);
    // Off the first-parent line (a branch merged in), the squash commit is such a commit too.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let t = s.tick(5);
    s.repo
        .git_as(BAYU.1, BAYU.2, &t, &["merge", "-q", "--no-ff", "-m", "Gabung", &squash]);
    assert_eq!(
        sorted(errors(&audit(&s.repo))),
        ["actor-not-author", "signature-mismatch"]
    );
    // The trail says the same of it as `audit` does; of the squash commit where it lands, that
    // the forge signed it.
    let signature_of_last = |r: &Repo| {
        let v = r.run(&["audit", "--trail", &id, "--format", "json"]).json();
        v["entries"].as_array().and_then(|e| e.last()).expect("entry")["signature"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(
        signature_of_last(&s.repo),
        "signed by the forge's editor or API, not by the author's key"
    );
    s.repo.git(&["reset", "-q", "--hard", &squash]);
    assert_eq!(signature_of_last(&s.repo), "signed by the forge");
    // The same commit unsigned: the trailer is a claim like any other.
    s.repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let env = [("GNUPGHOME", home.as_str())];
    git_as_pair(&s.repo, SITI, FORGE, &date, &env, &["commit", "-q", "-m", message]);
    let found = errors(&audit(&s.repo));
    assert!(
        found.contains(&"unsigned-commit".to_owned()) && found.contains(&"actor-not-author".to_owned()),
        "{found:?}"
    );
    // Signed by the forge's key, but committed by someone else: trailers grant nothing.
    s.repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    forge_signed(&s.repo, SITI, (SITI.1, SITI.2), &date, &home, message);
    let found = errors(&audit(&s.repo));
    assert!(
        found.contains(&"signature-mismatch".to_owned()) || found.contains(&"bad-signature".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"actor-not-author".to_owned()), "{found:?}");

    // Without required signing, the forge's signature on a pull request's commit still binds
    // nothing: Agus's move, authored as Agus and signed by the forge, in a pull request Siti's
    // account opened, is refused as not hers.
    s.repo.git(&["reset", "-q", "--hard", &base]);
    let off = s.repo.read("insiden.yaml").replace("signing: required", "signing: off");
    s.repo.write("insiden.yaml", &off);
    s.tick(5);
    let base = s.commit(BAYU, "Tanpa tanda tangan wajib");
    agus_through_the_forge(&mut s, &id, &home);
    assert_eq!(codes(&s.check_as(&base, "siti-r")), ["actor-not-pr-author"]);
    assert_eq!(codes(&s.check_as(&base, "agus-s")), Vec::<String>::new());
}

#[test]
fn ecdsa_and_rsa_keys_made_by_ssh_keygen_sign_as_well_as_ed25519() {
    let mut s = Signed::new();
    // Siti moves to an ECDSA P-256 key and Agus to an RSA key, made as members make them.
    let mut cfg = s.repo.read("insiden.yaml");
    for (who, kind, bits) in [("siti", "ecdsa", "256"), ("agus", "rsa", "3072")] {
        let path = s.key(who);
        let old = PrivateKey::from_openssh(std::fs::read_to_string(&path).expect("key"))
            .expect("key")
            .public_key()
            .to_openssh()
            .expect("public");
        std::fs::remove_file(&path).expect("remove");
        let made = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-b", bits, "-N", "", "-C", who, "-f"])
            .arg(&path)
            .status()
            .expect("ssh-keygen");
        assert!(made.success());
        let new = std::fs::read_to_string(path.with_extension("pub")).expect("public");
        cfg = cfg.replace(&old, new.trim());
    }
    assert!(
        cfg.contains("ecdsa-sha2-nistp256 ") && cfg.contains("ssh-rsa "),
        "{cfg}"
    );
    s.repo.write("insiden.yaml", &cfg);
    s.repo.run(&["validate"]).code(0);
    s.tick(5);
    let base = s.commit(BAYU, "Kunci baru");
    let id = s.new_incident();
    s.step(SITI, &id, "registered", &[]);
    s.step(AGUS, &id, "triage", &[]);
    let run = s.check(&base);
    assert_eq!(codes(&run), Vec::<String>::new(), "{}", run.stdout);
    let v = s.repo.run(&["audit", "--trail", &id, "--format", "json"]).json();
    let sigs: Vec<&str> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["signature"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sigs, ["signed by siti", "signed by siti", "signed by agus"]);
    // Signed with Siti's ECDSA key, a commit authored as Agus is still not Agus's.
    s.repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let at = s.tick(60);
    s.repo
        .run(&["transition", &id, "triage", "--actor", "agus", "--at", &at])
        .code(0);
    s.tick(5);
    let siti_key = s.key("siti");
    s.commit_with_key(AGUS, &siti_key, "Input");
    assert_eq!(codes(&s.check(&base)), ["signature-mismatch"]);
}
