use clap::Parser;
use std::process::ExitCode;

// YAML parsing allocates many small strings on every core; mimalloc avoids the system
// allocator's contention (see benches/validate.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
