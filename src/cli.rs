//! Command-line definitions (clap derive). The doc comments are the `--help` text.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use profplan::plan::campaign::{parse_date, CampaignError};

/// profplan — отчётность по муниципальному плану профориентации: формы для школ,
/// проверка сданных отчётов и сводный отчёт по району.
#[derive(Debug, Parser)]
#[command(name = "profplan", version, about, long_about = None)]
#[command(
    after_help = "Коды выхода: 0 — всё в порядке; 1 — есть несданные отчёты или отчёты с ошибками \
(check, collect); 2 — ошибка запуска или настройки.\n\nНачало работы: profplan init; затем profplan template, \
profplan check, profplan collect."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts; each overrides `profplan.toml`.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Файл настроек (по умолчанию ./profplan.toml, если он есть).
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub config: Option<PathBuf>,
    /// Файл плана (TOML); без него — встроенный план Тамбовского района.
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub plan: Option<PathBuf>,
    /// Реестр школ (CSV или книга Excel .xlsx).
    #[arg(long, global = true, value_name = "ФАЙЛ")]
    pub schools: Option<PathBuf>,
    /// Отчётная кампания: дата срока, например 2025-12-20.
    #[arg(long, global = true, value_name = "ДАТА", value_parser = campaign_date)]
    pub campaign: Option<NaiveDate>,
}

impl GlobalArgs {
    /// The library's view of these flags.
    pub fn overrides(&self) -> profplan::config::Overrides {
        profplan::config::Overrides {
            config: self.config.clone(),
            plan: self.plan.clone(),
            schools: self.schools.clone(),
            campaign: self.campaign,
        }
    }
}

/// A date on the command line that is not one, with the Russian sentence that says what
/// to type (the console prints it as the whole error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DateArgError(String);

/// `--campaign`: the deadline, `2025-12-20` or `20.12.2025`. Whether the plan has a
/// campaign with this deadline is decided later, with the plan.
fn campaign_date(s: &str) -> Result<NaiveDate, DateArgError> {
    parse_date(s).ok_or_else(|| DateArgError(CampaignError::NotADate(s.to_string()).to_string()))
}

/// `--as-of`: the date taken as today.
fn as_of_date(s: &str) -> Result<NaiveDate, DateArgError> {
    parse_date(s).ok_or_else(|| {
        DateArgError(format!("--as-of «{s}»: укажите дату в виде ГГГГ-ММ-ДД, например 2025-12-22"))
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Создать рабочую папку: profplan.toml, пример реестра школ, папки forms/ и returns/.
    Init(InitArgs),
    /// Показать план: читаемо, как TOML (для правки) или как JSON-описание формы кампании.
    Plan(PlanArgs),
    /// Перечислить отчётные кампании учебного года.
    Campaigns(CampaignsArgs),
    /// Проверить и показать реестр школ (что profplan прочитал из файла).
    Schools(SchoolsArgs),
    /// Выпустить формы отчёта: по одному файлу .xlsx на каждую школу реестра.
    Template(TemplateArgs),
    /// Проверить сданные отчёты: кто не сдал, кто опоздал, что исправить.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Собрать сводный отчёт по району из принятых отчётов.
    #[command(after_help = EXIT_CODES)]
    Collect(CollectArgs),
    /// Свод по области из сводных отчётов районов (папка сводов profplan).
    #[command(after_help = "Коды выхода: 0 — получены своды всех районов реестра; 1 — нет свода \
какого-то района (свод по области всё равно записан); 2 — ошибка запуска или настройки.")]
    Region(RegionArgs),
}

/// Exit codes of `check` and `collect`, shown in their `--help`.
const EXIT_CODES: &str = "Коды выхода: 0 — все школы реестра сдали отчёты и они приняты; 1 — есть \
несданные (или ещё ожидаемые) отчёты или отчёты с ошибками; 2 — ошибка запуска или настройки.";

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Папка (по умолчанию текущая).
    #[arg(value_name = "ПАПКА")]
    pub dir: Option<PathBuf>,
    /// Перезаписать существующие файлы.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Читаемый текст.
    Text,
    /// Файл плана для правки (передаётся обратно через --plan).
    Toml,
    /// Описание формы кампании для других программ (см. docs/form-json.md).
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Формат вывода: text (читаемо), toml (для правки) или json (по умолчанию text).
    #[arg(long, value_enum, default_value_t = PlanFormat::Text, value_name = "ФОРМАТ")]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct CampaignsArgs {
    /// Учебный год по году начала: 2025 — это 2025/26 (по умолчанию текущий).
    #[arg(long, value_name = "ГОД")]
    pub year: Option<i32>,
    /// Формат вывода: text, json или csv (по умолчанию text).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "ФОРМАТ")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SchoolsArgs {
    /// Формат вывода: text, json или csv (по умолчанию text).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "ФОРМАТ")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Папка для форм (по умолчанию из profplan.toml или ./forms).
    #[arg(long, short, value_name = "ПАПКА")]
    pub out: Option<PathBuf>,
    /// Перезаписать существующие формы.
    #[arg(long)]
    pub force: bool,
    /// Только эти школы (коды через запятую).
    #[arg(long, value_delimiter = ',', value_name = "КОД,...")]
    pub only: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Папка со сданными отчётами (по умолчанию из profplan.toml).
    #[arg(value_name = "ПАПКА")]
    pub returns: Option<PathBuf>,
    /// Формат вывода: text, json или csv (по умолчанию text).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "ФОРМАТ")]
    pub format: OutputFormat,
    /// Считать «сегодня» этой датой (ГГГГ-ММ-ДД): для проверки до срока и воспроизводимости.
    #[arg(long, value_name = "ДАТА", value_parser = as_of_date)]
    pub as_of: Option<NaiveDate>,
    /// Письма школам, которым нужно что-то сделать (адрес из реестра и текст), в эту папку.
    #[arg(long, value_name = "ПАПКА")]
    pub letters: Option<PathBuf>,
    /// Перезаписать существующие письма.
    #[arg(long)]
    pub force: bool,
    /// Своды прошлых кампаний учебного года (файл или папка) для межпериодного контроля;
    /// своды в рабочей папке находятся и без этого ключа.
    #[arg(long, value_name = "ПУТЬ")]
    pub previous: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegionArgs {
    /// Папка со сводными отчётами районов (.xlsx, сделанными profplan collect).
    #[arg(value_name = "ПАПКА")]
    pub summaries: PathBuf,
    /// Реестр районов (CSV: Код; Наименование; Ответственный; E-mail; Телефон); по
    /// умолчанию — districts из profplan.toml.
    #[arg(long, value_name = "ФАЙЛ")]
    pub districts: Option<PathBuf>,
    /// Файл свода по области (по умолчанию svod-oblast-<кампания>.xlsx).
    #[arg(long, short, value_name = "ФАЙЛ")]
    pub out: Option<PathBuf>,
    /// Перезаписать существующий файл.
    #[arg(long)]
    pub force: bool,
    /// Дата свода (ГГГГ-ММ-ДД; по умолчанию сегодня).
    #[arg(long, value_name = "ДАТА", value_parser = as_of_date)]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Папка со сданными отчётами (по умолчанию из profplan.toml).
    #[arg(value_name = "ПАПКА")]
    pub returns: Option<PathBuf>,
    /// Файл сводного отчёта (.xlsx).
    #[arg(long, short, value_name = "ФАЙЛ")]
    pub out: Option<PathBuf>,
    /// Перезаписать существующие файлы (свод и аналитическую справку).
    #[arg(long)]
    pub force: bool,
    /// Не писать аналитическую справку (.docx рядом со сводом).
    #[arg(long)]
    pub no_note: bool,
    /// Включить в свод и отчёты с ошибками (они будут отмечены).
    #[arg(long)]
    pub include_invalid: bool,
    /// Сравнить с предыдущим сводом profplan (.xlsx).
    #[arg(long, value_name = "ФАЙЛ")]
    pub compare: Option<PathBuf>,
    /// Считать «сегодня» этой датой (ГГГГ-ММ-ДД).
    #[arg(long, value_name = "ДАТА", value_parser = as_of_date)]
    pub as_of: Option<NaiveDate>,
    /// Число потоков (по умолчанию — по числу ядер).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Своды прошлых кампаний учебного года (файл или папка) для межпериодного контроля;
    /// своды в папке сводного отчёта находятся и без этого ключа.
    #[arg(long, value_name = "ПУТЬ")]
    pub previous: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dates_are_parsed_by_clap() {
        let cli = Cli::try_parse_from([
            "profplan",
            "--campaign",
            "20.12.2025",
            "check",
            "--as-of",
            "2025-12-25",
        ])
        .unwrap();
        assert_eq!(cli.global.campaign, NaiveDate::from_ymd_opt(2025, 12, 20));
        let Command::Check(a) = cli.command else { panic!("not check") };
        assert_eq!(a.as_of, NaiveDate::from_ymd_opt(2025, 12, 25));

        let e = Cli::try_parse_from(["profplan", "--campaign", "2025-13-01", "check"]).unwrap_err();
        let source = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<DateArgError>());
        assert_eq!(
            source.map(|s| s.to_string()).as_deref(),
            Some("«2025-13-01» — не дата кампании: укажите срок в виде ГГГГ-ММ-ДД, например 2025-12-20")
        );
    }
}
