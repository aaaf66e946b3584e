//! `insiden explain`, `insiden completions` and `insiden man`: the documentation an
//! initialised repository carries inside the binary. Issue "A real team's first month on
//! GitHub", items 5 and 8.

use crate::support::Repo;

#[test]
fn every_code_is_explained_with_what_to_do() {
    let r = Repo::empty();
    let index = r.run(&["explain"]);
    index.code(0);
    let codes: Vec<&str> = index
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        codes.len() > 50 && codes.contains(&"entry-backdated"),
        "{}",
        index.stdout
    );
    for code in codes {
        let run = r.run(&["explain", code]);
        run.code(0)
            .stdout_has(&format!("{code}: "))
            .stdout_has("\nWhat to do: ");
    }
    r.run(&["explain", "error[entry-backdated]"])
        .code(0)
        .stdout_has("--reported-at");
}

#[test]
fn an_unknown_code_is_a_usage_error_with_a_suggestion() {
    Repo::empty()
        .run(&["explain", "entry-backdate"])
        .code(2)
        .stderr_has("did you mean `entry-backdated`?");
}

#[test]
fn findings_point_to_explain() {
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        "---\nid: INC-2026-0001\ntitel: x\n---\n",
    );
    r.run(&["validate"])
        .code(1)
        .stderr_has("run `insiden explain")
        .stderr_has("insiden explain missing-field");
}

#[test]
fn completions_and_the_manual_page_are_generated_for_every_command() {
    let r = Repo::empty();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = r.run(&["completions", shell]);
        run.code(0).stdout_has("renumber").stdout_has("explain");
    }
    r.run(&["man"]).code(0).stdout_has(".TH insiden").stdout_has("renumber");
}
