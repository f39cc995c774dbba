//! What the user sees in the console besides a command's own output: the Russian help
//! text and command-line errors (clap's own texts are English), the error chain printed
//! once with operating-system errors in Russian, and a quiet end when the reader of our
//! output goes away (`profplan schools | head -1`).
//!
//! clap builds the help and its messages itself; we give it Russian templates, our own
//! `-h/--help` and `-V/--version` flags, a usage line per command, and turn every
//! [`clap::Error`] into a Russian sentence that says what to do.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Help of `profplan` itself.
const ROOT_TEMPLATE: &str = "\
{about}

Использование: {usage}

Команды:
{subcommands}

Ключи (для любой команды):
{options}{after-help}";

/// The command-line definition with Russian help texts.
pub fn command() -> Command {
    let root = Cli::command()
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help("Показать эту справку"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Показать версию программы"),
        )
        .help_template(ROOT_TEMPLATE)
        .override_usage("profplan [КЛЮЧИ] КОМАНДА")
        .mut_args(|a| a.hide_possible_values(true).hide_default_value(true));
    root.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        let positionals: Vec<String> = sub
            .get_positionals()
            .map(|a| {
                let v = a
                    .get_value_names()
                    .and_then(|v| v.first())
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| a.get_id().to_string().to_uppercase());
                if a.is_required_set() {
                    v
                } else {
                    format!("[{v}]")
                }
            })
            .collect();
        let has_positionals = !positionals.is_empty();
        let usage = std::iter::once(format!("profplan {name} [КЛЮЧИ]"))
            .chain(positionals)
            .collect::<Vec<_>>()
            .join(" ");
        let mut template = String::from("{about}\n\nИспользование: {usage}\n\n");
        if has_positionals {
            template.push_str("Аргументы:\n{positionals}\n\n");
        }
        template.push_str("Ключи:\n{options}{after-help}");
        sub.help_template(template)
            .override_usage(usage)
            .mut_args(|a| a.hide_possible_values(true).hide_default_value(true))
    })
}

/// Parse the command line. `Err` carries the exit code after the help, the version or
/// a Russian error message has been printed.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, u8> {
    let args: Vec<OsString> = args.into_iter().collect();
    let mut cmd = command();
    let matches = match cmd.try_get_matches_from_mut(&args) {
        Ok(m) => m,
        Err(e) => return Err(report_clap_error(&e, &args)),
    };
    Cli::from_arg_matches(&matches).map_err(|e| report_clap_error(&e, &args))
}

/// Print a clap error (or the help and version, which clap delivers as errors) and
/// return the exit code.
fn report_clap_error(e: &clap::Error, args: &[OsString]) -> u8 {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Rendered from our Russian templates.
            let _ = e.print();
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            2
        }
        _ => {
            let sub = subcommand_of(args);
            let help = match &sub {
                Some(s) => format!("profplan {s} --help"),
                None => "profplan --help".to_string(),
            };
            eprintln!("profplan: ошибка: {}\nСправка: {help}", clap_message(e));
            2
        }
    }
}

/// The subcommand named on the command line, if any.
fn subcommand_of(args: &[OsString]) -> Option<String> {
    let cmd = Cli::command();
    args.iter().skip(1).filter_map(|a| a.to_str()).find_map(|a| {
        cmd.get_subcommands().find(|s| s.get_name() == a).map(|s| s.get_name().to_string())
    })
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => {
            Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "))
        }
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        ContextValue::None => None,
        _ => None,
    }
}

fn quoted_list(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::Strings(v) if !v.is_empty() => {
            Some(v.iter().map(|s| format!("«{s}»")).collect::<Vec<_>>().join(", "))
        }
        ContextValue::String(s) => Some(format!("«{s}»")),
        _ => None,
    }
}

/// The argument an error is about, as typed in help: `--format <FORMAT>` → `--format`.
fn arg_name(e: &clap::Error) -> String {
    let a = context(e, ContextKind::InvalidArg).unwrap_or_default();
    a.split([' ', '=']).next().unwrap_or_default().to_string()
}

/// A Russian sentence for a clap error, with clap's suggestion when it has one.
fn clap_message(e: &clap::Error) -> String {
    let arg = arg_name(e);
    let suggestion = |kind| {
        quoted_list(e, kind).map(|s| format!("; возможно, имелось в виду {s}")).unwrap_or_default()
    };
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let mut s = format!(
                "неизвестный ключ «{}»{}",
                context(e, ContextKind::InvalidArg).unwrap_or_default(),
                suggestion(ContextKind::SuggestedArg)
            );
            if context(e, ContextKind::TrailingArg).as_deref() == Some("true") {
                s.push_str("; значение, начинающееся с «-», передайте после «--»");
            }
            s.push_str(". Ключи команды перечислены в справке");
            s
        }
        ErrorKind::InvalidSubcommand => {
            let names: Vec<String> =
                Cli::command().get_subcommands().map(|s| s.get_name().to_string()).collect();
            format!(
                "неизвестная команда «{}»{}. Команды: {}",
                context(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
                suggestion(ContextKind::SuggestedSubcommand),
                names.join(", ")
            )
        }
        ErrorKind::InvalidValue => {
            let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
            let valid = quoted_list(e, ContextKind::ValidValue);
            if value.is_empty() {
                format!("у ключа {arg} не указано значение")
            } else {
                match valid {
                    Some(v) => format!(
                        "«{value}» — недопустимое значение ключа {arg}; допустимые: {v}{}",
                        suggestion(ContextKind::SuggestedValue)
                    ),
                    None => format!("«{value}» — недопустимое значение ключа {arg}"),
                }
            }
        }
        ErrorKind::ValueValidation => {
            // Our own value parsers (dates) say the whole sentence themselves.
            if let Some(own) = std::error::Error::source(e)
                .and_then(|s| s.downcast_ref::<crate::cli::DateArgError>())
            {
                return own.to_string();
            }
            let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
            format!("«{value}» — недопустимое значение ключа {arg}: ожидалось число")
        }
        ErrorKind::NoEquals => format!("укажите значение ключа {arg} через «=»"),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("неверное число значений у {arg}")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(e, ContextKind::PriorArg).unwrap_or_default();
            if prior.is_empty() || prior == arg {
                format!("ключ {arg} указан дважды: оставьте один")
            } else {
                format!("ключи {arg} и {prior} нельзя указать вместе")
            }
        }
        ErrorKind::MissingRequiredArgument => format!(
            "не указан обязательный аргумент {}",
            context(e, ContextKind::InvalidArg).unwrap_or_default()
        ),
        ErrorKind::MissingSubcommand => "не указана команда".to_string(),
        ErrorKind::InvalidUtf8 => {
            "в аргументах есть недопустимые символы: переименуйте файл или папку".to_string()
        }
        _ => "не удалось разобрать командную строку".to_string(),
    }
}

/// An error of a command, printed once: the message, then each cause that adds
/// something new (a cause already contained in the text so far is skipped: library
/// messages often embed their cause). Operating-system errors are said in Russian.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => profplan::oserror::describe(io),
            None => cause.to_string(),
        };
        let part = part.trim();
        if part.is_empty() || text.contains(part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(part);
    }
    text
}

/// Whether an error only says that the reader of our output has gone away (`| head`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether a panic is `println!` failing because the reader of our output has gone away.
pub fn is_broken_pipe_panic(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    text.starts_with("failed printing to std") && text.contains("Broken pipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_command_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn an_error_and_its_cause_are_said_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::new(io).context("не удалось прочитать реестр школ r.csv");
        let text = error_text(&e);
        assert_eq!(
            text,
            "не удалось прочитать реестр школ r.csv: файл или папка не найдены: проверьте путь"
        );
        let e = anyhow::anyhow!("в плане нет кампании").context("в плане нет кампании");
        assert_eq!(error_text(&e), "в плане нет кампании");
    }
}
