//! The long documentation of each diagnostic code, for `insiden explain <code>`: why the rule
//! exists and what to do. The text lives in `docs/CODES.md` (one `## <code>` section per code),
//! compiled in, so a repository made by `insiden init` needs no copy of the docs.
//!
//! Pure: no files, no terminal. It knows the codes of `diag` and nothing of the rules.

use crate::diag::Code;

const CODES_MD: &str = include_str!("../docs/CODES.md");

/// The code named `name` (its kebab-case name), if there is one.
pub fn code(name: &str) -> Option<Code> {
    let name = name.trim().trim_start_matches("error[").trim_end_matches(']');
    Code::ALL.iter().copied().find(|c| c.name() == name)
}

/// The section of `docs/CODES.md` for `code`, without its heading and trimmed; `None` when the
/// documentation has no section for it.
pub fn explanation(code: Code) -> Option<&'static str> {
    let heading = format!("## {}", code.name());
    let mut rest = CODES_MD;
    loop {
        let at = rest.find(&heading)?;
        let after = &rest[at + heading.len()..];
        let at_line_start = at == 0 || rest[..at].ends_with('\n');
        if at_line_start && (after.starts_with('\n') || after.starts_with("\r\n")) {
            let end = after.find("\n## ").unwrap_or(after.len());
            return Some(after[..end].trim());
        }
        rest = after;
    }
}

/// The text `insiden explain <code>` prints: the name, the one-line description, and the
/// section of the documentation.
pub fn render(code: Code) -> String {
    let mut out = format!("{}: {}\n", code.name(), code.description());
    if let Some(text) = explanation(code) {
        out.push('\n');
        // Bold marks are for the rendered page; a terminal shows them as noise.
        out.push_str(&text.replace("**", ""));
        out.push('\n');
    }
    out
}

/// Every code with its description, one per line (`insiden explain` without a code).
pub fn index() -> String {
    let width = Code::ALL.iter().map(|c| c.name().len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in Code::ALL {
        out.push_str(&format!("{:width$}  {}\n", c.name(), c.description()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_with_what_to_do() {
        for c in Code::ALL {
            let text = explanation(*c).unwrap_or_else(|| panic!("docs/CODES.md has no `## {}`", c.name()));
            assert!(text.contains("**What to do:**"), "{}: no **What to do:**", c.name());
        }
    }

    #[test]
    fn every_section_of_the_documentation_names_a_code() {
        for line in CODES_MD.lines().filter(|l| l.starts_with("## ")) {
            let name = &line[3..];
            assert!(
                code(name).is_some(),
                "docs/CODES.md explains `{name}`, which is not a code"
            );
        }
    }

    #[test]
    fn a_heading_that_only_starts_with_the_name_is_not_its_section() {
        // `config` must not find `## config-changed`.
        let text = explanation(Code::Config).expect("config");
        assert!(text.starts_with("insiden.yaml is not valid"), "{text}");
    }

    #[test]
    fn codes_are_found_by_name_also_as_printed_in_a_finding() {
        assert_eq!(code("entry-backdated"), Some(Code::EntryBackdated));
        assert_eq!(code("error[entry-backdated]"), Some(Code::EntryBackdated));
        assert_eq!(code("no-such-code"), None);
    }
}
