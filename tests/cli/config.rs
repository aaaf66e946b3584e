//! `insiden config`: the effective configuration.

use crate::support::Repo;

#[test]
fn prints_the_effective_configuration_layered_over_the_builtin() {
    let r = Repo::new();
    let run = r.run(&["config"]);
    run.code(0)
        .stdout_has("insiden.yaml over the built-in default")
        .stdout_has("Test-CSIRT")
        .stdout_has("window_opens: resolved")
        .stdout_has("judi-online");
    let empty = Repo::empty();
    empty
        .run(&["config"])
        .code(0)
        .stdout_has("the built-in default (no insiden.yaml)")
        .stdout_has("Trenggalekkab-CSIRT");
}

/// Issue "The public site and report: leak nothing": `site.base_url` reaches every feed link
/// and the API's `$id`s, so anything but an http(s) URL is a configuration error.
#[test]
fn a_base_url_that_is_not_http_is_a_config_error_naming_its_line() {
    let r = Repo::new();
    let cfg = r.read("insiden.yaml")
        + "site:\n  title: Uji\n  base_url: \"javascript:alert(document.domain)\"\n  public_min_count: 3\n";
    r.write("insiden.yaml", &cfg);
    let line = cfg.lines().position(|l| l.contains("base_url")).expect("line") + 1;
    for args in [
        &["build", "--out", "public"][..],
        &["report", "--period", "2026-01", "--audience", "public"],
    ] {
        let run = r.run(args);
        run.code(2).stderr_has(&format!("insiden.yaml:{line}:"));
        assert!(run.stderr.contains("base_url"), "{}", run.stderr);
    }
    assert!(!r.file("public").exists());
}

#[test]
fn names_that_would_take_a_list_pages_place_are_kept_apart() {
    // A category id `index` would overwrite categories/index.html: a config error.
    let r = Repo::new();
    let cfg = r.read("insiden.yaml") + "categories:\n  - id: index\n    label: { id: Indeks, en: Index }\n";
    r.write("insiden.yaml", &cfg);
    let line = cfg.lines().position(|l| l.contains("id: index")).expect("line") + 1;
    r.run(&["validate"])
        .code(2)
        .stderr_has(&format!("insiden.yaml:{line}:"))
        .stderr_has("categories' list page");
    // An owner called "Index" gets a page of its own beside the owners' list.
    let r = Repo::new();
    r.write(
        "incidents/2026/INC-2026-0001.md",
        &crate::support::reported("INC-2026-0001", "2026-03-02T09:00:00+07:00")
            .replace("status: reported\n", "status: reported\nowner: Index\n"),
    );
    r.run(&[
        "build",
        "--audience",
        "internal",
        "--out",
        "site",
        "--now",
        "2026-03-02T10:00:00+07:00",
    ])
    .code(0);
    assert!(r.read("site/owners/index.html").contains("Index"));
    assert!(r.file("site/owners/index-2.html").is_file());
}
