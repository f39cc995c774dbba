//! profplan binary: parse the command line, run the command, print the error chain once,
//! map the outcome to an exit code (0 — all good, 1 — schools missing or with errors,
//! 2 — usage or set-up error).

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("profplan: ошибка: {e:#}");
            ExitCode::from(2)
        }
    }
}
