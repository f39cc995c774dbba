//! What a user sees who starts `profplan.exe` by double-clicking it in Explorer.
//!
//! profplan is a console program. Started from Explorer, it gets a console window of its
//! own that Windows closes the moment the program exits: a window that flashes and
//! vanishes, with whatever it said unread. So when profplan is the only process attached
//! to its console (a console opened by cmd or PowerShell has the shell attached too) and
//! someone can answer (standard input and output are that console), it explains itself
//! if it was given nothing to do, and in any case waits for Enter before the window
//! closes. Everywhere else — Linux, a script, a pipe, a shell — nothing changes.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

/// The console window Explorer opened for this run; dropping it (at the end of `main`)
/// waits for Enter so that the user can read what was said.
pub struct ExplorerWindow(());

impl ExplorerWindow {
    /// `Some` when profplan was double-clicked in Explorer (see the module comment).
    pub fn detect() -> Option<ExplorerWindow> {
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        // `then`, not `then_some`: a guard built eagerly and dropped would wait for Enter.
        (interactive && alone_in_console()).then(|| ExplorerWindow(()))
    }
}

impl Drop for ExplorerWindow {
    fn drop(&mut self) {
        print!("\nНажмите Enter, чтобы закрыть окно.");
        let _ = std::io::stdout().flush();
        let _ = std::io::stdin().lock().read_line(&mut String::new());
    }
}

/// What a double click with no arguments shows: what profplan is and how to run it.
pub const EXPLORER_HELP: &str = "\
profplan — программа для отчётов по плану профориентации: формы для школ,
проверка присланных отчётов и сводный отчёт по району.

Её запускают не двойным щелчком, а командами в окне «Командная строка»:

  1. Положите profplan.exe в папку, где будете работать
     (например, «Профориентация»).
  2. Откройте эту папку в Проводнике, щёлкните по адресной строке,
     наберите cmd и нажмите Enter: откроется командная строка в этой папке.
  3. Наберите команды, после каждой — Enter:
       profplan init              — настройки и пример реестра школ
       profplan template          — формы для школ (папка forms)
       profplan check             — проверка отчётов из папки returns
       profplan collect returns   — сводный отчёт по району

Подробнее — в файле КАК-НАЧАТЬ.txt и по команде profplan --help.
";

/// Show [`EXPLORER_HELP`]; the window then waits for Enter when the guard is dropped.
pub fn explain() -> ExitCode {
    // Lines fit the 80 columns of a classic console window.
    print!("{EXPLORER_HELP}");
    ExitCode::SUCCESS
}

/// Whether this process is the only one attached to its console.
#[cfg(windows)]
#[allow(unsafe_code)]
fn alone_in_console() -> bool {
    use windows_sys::Win32::System::Console::GetConsoleProcessList;
    let mut ids = [0u32; 4];
    // SAFETY: the buffer is valid for `ids.len()` process ids; the call writes at most that
    // many and returns how many processes share the console (0 on failure: no console).
    let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
    n == 1
}

#[cfg(not(windows))]
fn alone_in_console() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanation_fits_a_classic_console() {
        for line in EXPLORER_HELP.lines() {
            assert!(line.chars().count() <= 80, "longer than 80 columns: {line}");
        }
    }
}
