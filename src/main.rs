//! profplan binary: parse the command line, run the command, print the error chain once,
//! map the outcome to an exit code (0 — all good, 1 — schools missing or with errors,
//! 2 — usage or set-up error).

mod cli;
mod cmd;
mod console;
mod windows;

use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic inside a file parser is caught and becomes a finding for that file; the
    // default hook would still print a backtrace note for it. Other panics are bugs and
    // are printed as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if console::is_broken_pipe_panic(info) {
            // `println!` to a reader that has gone away (`profplan init | head -1`).
            std::process::exit(0);
        }
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
    let cli = match console::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader of our output has gone away: nothing to say, nothing went wrong.
        Err(e) if console::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("profplan: ошибка: {}", console::error_text(&e));
            ExitCode::from(2)
        }
    }
}
