use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match insiden::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; every other parse problem is a usage error (2).
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    ExitCode::from(insiden::run(cli))
}
