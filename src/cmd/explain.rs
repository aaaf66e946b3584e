//! `insiden explain [CODE]`: the documentation of a diagnostic code (why the rule exists and
//! what to do), or every code with its one-line description.

use super::{print, Failure, Result, OK};
use crate::cli::ExplainArgs;
use crate::diag::Code;

pub(super) fn run(args: &ExplainArgs) -> Result<u8> {
    let Some(name) = args.code.as_deref() else {
        print(&crate::explain::index());
        return Ok(OK);
    };
    match crate::explain::code(name) {
        Some(code) => {
            print(&crate::explain::render(code));
            Ok(OK)
        }
        None => {
            let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
            let help = match crate::doc::suggest(name, &names) {
                Some(s) => format!("did you mean `{s}`? `insiden explain` lists every code"),
                None => "`insiden explain` lists every code".to_owned(),
            };
            Err(Failure::usage(format!("`{name}` is not a diagnostic code"), help))
        }
    }
}
