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
