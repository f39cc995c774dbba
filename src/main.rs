//! profplan binary: parse the command line, run the command, print the error chain once,
//! map the outcome to an exit code (0 — all good, 1 — schools missing or with errors,
//! 2 — usage or set-up error).

mod cli;
mod cmd;
mod windows;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic inside a file parser is caught and becomes a finding for that file; the
    // default hook would still print a backtrace note for it. Other panics are bugs and
    // are printed as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !profplan::read::in_parser() {
            default_hook(info);
        }
    }));
    // Ctrl+C: remove the temporary files of outputs being written (the old outputs stay
    // as they were), then stop. Without a handler the temporary files would stay.
    let _ = ctrlc::set_handler(|| {
        profplan::output::remove_temp_files(|| {
            eprintln!("profplan: прервано; незаписанные файлы удалены, прежние не тронуты");
            std::process::exit(130);
        })
    });
    // Double-clicked in Explorer: explain when given nothing to do, and keep the window
    // open until Enter (the guard waits when main returns). Elsewhere nothing happens.
    let explorer = windows::ExplorerWindow::detect();
    if explorer.is_some() && std::env::args_os().len() < 2 {
        return windows::explain();
    }
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
