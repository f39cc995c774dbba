//! Settings of a working folder: `profplan.toml` merged with command-line flags.
//!
//! Every command needs the same few things — the plan, the school registry, the campaign,
//! the forms and returns folders, the summary file — and each can come from a flag or from
//! `profplan.toml` (flags win). [`Settings::resolve`] does that merge once, before any work
//! starts, and the accessors load what a command needs with messages that say what is
//! missing and how to fix it. The library does not know clap: the binary converts its
//! flags into [`Overrides`].
//!
//! Paths in `profplan.toml` are relative to the file's own folder, so a working folder can
//! be moved or opened from elsewhere (`profplan --config D:/профориентация/profplan.toml`).
//! Paths given as flags are relative to the current folder, as in every other program.
//!
//! Campaign choice: `--campaign`, else `campaign` of `profplan.toml`, else the campaign
//! with the next deadline on or after today ([`crate::plan::campaign::current_campaign`]); the
//! caller can tell which by [`Settings::campaign_origin`] and say so to the user.

pub mod contacts;
mod toml_paths;
pub mod toml_ru;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use crate::clock::District;
use crate::config::contacts::Contacts;
use crate::plan::campaign::{current_campaign, parse_date, ru_date, Campaign, CampaignError};
use crate::plan::{Plan, PlanErrors, DEFAULT_PLAN_NAME, DEFAULT_PLAN_TOML};
use crate::schools::{Registry, RegistryError, RegistryWarning};

/// Name of the settings file looked for in the current folder.
pub const CONFIG_FILE_NAME: &str = "profplan.toml";

/// Placeholder in `summary` replaced by the campaign id (`svod-{campaign}.xlsx`).
pub const CAMPAIGN_PLACEHOLDER: &str = "{campaign}";

/// Default summary file name (in the working folder) when none is configured.
pub const DEFAULT_SUMMARY: &str = "svod-{campaign}.xlsx";

/// The settings that can be given on the command line (the library's view of the
/// binary's global flags). Relative paths are relative to the current folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--config FILE`: must exist when given.
    pub config: Option<PathBuf>,
    /// `--plan FILE`.
    pub plan: Option<PathBuf>,
    /// `--schools FILE`.
    pub schools: Option<PathBuf>,
    /// `--campaign DATE` (parsed by the command line).
    pub campaign: Option<NaiveDate>,
}

/// `profplan.toml`, read and checked; paths are resolved against its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the file is.
    pub path: PathBuf,
    pub plan: Option<PathBuf>,
    pub schools: Option<PathBuf>,
    pub campaign: Option<NaiveDate>,
    pub forms: Option<PathBuf>,
    pub returns: Option<PathBuf>,
    /// May contain [`CAMPAIGN_PLACEHOLDER`].
    pub summary: Option<PathBuf>,
    pub letters: Option<PathBuf>,
    /// The district's time zone (`timezone = "Europe/Moscow"`).
    pub timezone: Option<District>,
    /// The methodologist's contacts for forms and letters.
    pub contacts: Contacts,
    /// Summaries of earlier campaigns (a file or a folder) for inter-period checks.
    pub previous: Option<PathBuf>,
    /// The district's code in the region's registry of districts, and its name.
    pub district: Option<String>,
    pub district_name: Option<String>,
    /// The region's registry of districts (`profplan region`).
    pub districts: Option<PathBuf>,
}

/// The file as written. Unknown keys are refused: a misspelt `shools = …` silently
/// ignored would send the user looking for the wrong problem.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    plan: Option<String>,
    schools: Option<String>,
    /// A string (`"2025-12-20"`) or a TOML date (`2025-12-20`).
    campaign: Option<toml::Spanned<toml::Value>>,
    forms: Option<String>,
    returns: Option<String>,
    summary: Option<String>,
    letters: Option<String>,
    timezone: Option<toml::Spanned<String>>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    send_returns_to: Option<String>,
    previous: Option<String>,
    district: Option<String>,
    district_name: Option<String>,
    districts: Option<String>,
}

/// Why the settings cannot be used. Messages are for the user, in Russian, and say how
/// to fix the problem.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// `--config FILE` names a file that does not exist.
    #[error("файл настроек {} не найден; создайте рабочую папку командой «profplan init»", path.display())]
    ConfigNotFound { path: PathBuf },
    /// The settings file cannot be read.
    #[error("не удалось прочитать файл настроек {}: {}", path.display(), crate::oserror::describe(error))]
    ConfigRead {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    /// A mistake in the settings file.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", строка {l}")).unwrap_or_default())]
    Config { path: PathBuf, line: Option<usize>, message: String },
    /// The plan file cannot be read.
    #[error("не удалось прочитать файл плана {}: {}", path.display(), crate::oserror::describe(error))]
    PlanRead {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    /// The plan has mistakes (each with its line).
    #[error(transparent)]
    Plan(#[from] PlanErrors),
    /// Neither `--schools` nor `schools` in a settings file.
    #[error(
        "не указан реестр школ (CSV-файл со списком школ).\n\
         Создайте рабочую папку командой «profplan init» — она запишет profplan.toml с путём \
         к реестру и пример реестра schools.csv — или укажите файл явно: --schools ФАЙЛ.csv"
    )]
    NoSchools,
    /// No settings file here and no `--schools`: the user is outside the working folder.
    #[error(
        "в папке {} нет файла настроек profplan.toml.\n{}",
        dir.display(),
        match nearby.as_slice() {
            [] => "Перейдите (cd) в рабочую папку, которую создала команда «profplan init», \
                   или создайте её: profplan init ПАПКА; реестр можно указать и явно: \
                   --schools ФАЙЛ"
                .to_string(),
            [one] => format!("Рабочая папка есть рядом — перейдите в неё: cd {one}"),
            many => format!(
                "Рабочие папки есть рядом — перейдите в нужную: {}",
                many.iter().map(|d| format!("cd {d}")).collect::<Vec<_>>().join(" или ")
            ),
        }
    )]
    NoWorkFolder { dir: PathBuf, nearby: Vec<String> },
    /// The registry cannot be used.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The date is not a deadline of the plan.
    #[error(transparent)]
    Campaign(#[from] CampaignError),
    /// No campaign was named and the plan has none around today.
    #[error("не удалось выбрать отчётную кампанию на {today}: укажите её явно, например --campaign 2025-12-20")]
    NoCampaign { today: String },
    /// No returns folder was named and there is no `returns/` in the working folder.
    #[error(
        "не указана папка со сданными отчётами: укажите её (profplan check ПАПКА) или \
         задайте returns = \"ПАПКА\" в profplan.toml"
    )]
    NoReturns,
    /// `profplan region` without `--districts` and without `districts` in a settings file.
    #[error(
        "не указан реестр районов: укажите его ключом --districts ФАЙЛ.csv или строкой \
         districts = \"ФАЙЛ.csv\" в profplan.toml рабочей папки области"
    )]
    NoDistricts,
}

/// Where the campaign of a run comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignOrigin {
    /// `--campaign`.
    Flag,
    /// `campaign` in `profplan.toml`.
    Config,
    /// Neither: the next deadline on or after today.
    Today,
}

/// The plan's source text and its name for messages.
#[derive(Debug, Clone)]
pub struct PlanSource {
    /// The TOML text (the embedded plan's or the file's).
    pub text: Cow<'static, str>,
    /// The file path, or [`DEFAULT_PLAN_NAME`].
    pub name: String,
    /// The file, when the plan is not the embedded one.
    pub path: Option<PathBuf>,
}

impl PlanSource {
    /// The embedded default plan.
    pub fn embedded() -> PlanSource {
        PlanSource {
            text: Cow::Borrowed(DEFAULT_PLAN_TOML),
            name: DEFAULT_PLAN_NAME.to_string(),
            path: None,
        }
    }

    /// A plan file.
    pub fn read(path: &Path) -> Result<PlanSource, SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| SettingsError::PlanRead { path: path.to_path_buf(), error })?;
        Ok(PlanSource {
            text: Cow::Owned(text),
            name: path.display().to_string(),
            path: Some(path.to_path_buf()),
        })
    }

    /// Parse and check the plan.
    pub fn load(&self) -> Result<Plan, PlanErrors> {
        Plan::from_toml(&self.text, &self.name)
    }
}

/// Checked settings of a run: flags merged over `profplan.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The settings file used, if any.
    pub config: Option<Config>,
    /// The working folder: the settings file's folder, or the current folder.
    pub base_dir: PathBuf,
    /// Plan file; `None` is the embedded plan.
    pub plan_file: Option<PathBuf>,
    pub schools: Option<PathBuf>,
    pub campaign: Option<NaiveDate>,
    pub campaign_origin: CampaignOrigin,
    pub forms: PathBuf,
    pub returns: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    pub letters: Option<PathBuf>,
}

impl Config {
    /// Read and check a settings file.
    pub fn load(path: &Path) -> Result<Config, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                SettingsError::ConfigNotFound { path: path.to_path_buf() }
            } else {
                SettingsError::ConfigRead { path: path.to_path_buf(), error }
            }
        })?;
        Config::parse(&text, path)
    }

    /// Parse settings text; `path` is where it was read from (relative paths in the text
    /// are resolved against its folder).
    pub fn parse(text: &str, path: &Path) -> Result<Config, SettingsError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // `schools = "D:\Отдел\schools.csv"` as copied from Explorer (src/config/toml_paths.rs).
        let text = crate::config::toml_paths::accept_backslash_paths(text);
        let text = &*text;
        let line_of = |pos: usize| crate::text::line_of(text, pos);
        let raw: RawConfig = toml::from_str(text).map_err(|e| SettingsError::Config {
            path: path.to_path_buf(),
            line: e.span().map(|s| line_of(s.start)),
            message: crate::config::toml_ru::message(e.message(), CONFIG_KEYS),
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let clean = |v: Option<String>| v.map(|v| v.trim().to_string()).unwrap_or_default();
        let resolve = |p: Option<String>| p.filter(|p| !p.trim().is_empty()).map(|p| dir.join(p));
        let campaign = match raw.campaign {
            None => None,
            Some(spanned) => {
                let line = Some(line_of(spanned.span().start));
                let text = match spanned.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(d) => d.to_string(),
                    other => other.to_string(),
                };
                match parse_date(&text) {
                    Some(d) => Some(d),
                    None => {
                        return Err(SettingsError::Config {
                            path: path.to_path_buf(),
                            line,
                            message: format!(
                                "campaign = {text}: это не дата; укажите срок кампании в виде \
                                 \"ГГГГ-ММ-ДД\", например campaign = \"2025-12-20\""
                            ),
                        })
                    }
                }
            }
        };
        let timezone = match raw.timezone {
            None => None,
            Some(spanned) => match District::parse(spanned.get_ref()) {
                Ok(d) => Some(d),
                Err(message) => {
                    return Err(SettingsError::Config {
                        path: path.to_path_buf(),
                        line: Some(line_of(spanned.span().start)),
                        message,
                    })
                }
            },
        };
        Ok(Config {
            path: path.to_path_buf(),
            timezone,
            plan: resolve(raw.plan),
            schools: resolve(raw.schools),
            campaign,
            forms: resolve(raw.forms),
            returns: resolve(raw.returns),
            summary: resolve(raw.summary),
            letters: resolve(raw.letters),
            contacts: Contacts {
                name: clean(raw.contact_name),
                phone: clean(raw.contact_phone),
                email: clean(raw.contact_email),
                send_to: clean(raw.send_returns_to),
            },
            previous: resolve(raw.previous),
            district: raw.district.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            district_name: raw
                .district_name
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            districts: resolve(raw.districts),
        })
    }
}

impl Settings {
    /// Merge flags over the settings file (`--config`, else `./profplan.toml` when it
    /// exists), relative to the current folder.
    pub fn resolve(o: &Overrides) -> Result<Settings, SettingsError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        Settings::resolve_in(o, &cwd)
    }

    /// [`Settings::resolve`] with an explicit current folder (for tests and embedding).
    pub fn resolve_in(o: &Overrides, cwd: &Path) -> Result<Settings, SettingsError> {
        let config = match &o.config {
            Some(p) => Some(Config::load(&cwd.join(p))?),
            None => {
                let p = cwd.join(CONFIG_FILE_NAME);
                if p.is_file() {
                    Some(Config::load(&p)?)
                } else {
                    None
                }
            }
        };
        let base_dir = match &config {
            Some(c) => c.path.parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.to_path_buf()),
            None => cwd.to_path_buf(),
        };
        let flag = |p: &Option<PathBuf>| p.as_ref().map(|p| cwd.join(p));
        let from_config = |f: fn(&Config) -> Option<PathBuf>| config.as_ref().and_then(f);

        let (campaign, campaign_origin) = match o.campaign {
            Some(date) => (Some(date), CampaignOrigin::Flag),
            None => match config.as_ref().and_then(|c| c.campaign) {
                Some(d) => (Some(d), CampaignOrigin::Config),
                None => (None, CampaignOrigin::Today),
            },
        };

        Ok(Settings {
            plan_file: flag(&o.plan).or_else(|| from_config(|c| c.plan.clone())),
            schools: flag(&o.schools).or_else(|| from_config(|c| c.schools.clone())),
            campaign,
            campaign_origin,
            forms: from_config(|c| c.forms.clone()).unwrap_or_else(|| base_dir.join("forms")),
            returns: from_config(|c| c.returns.clone()),
            summary: from_config(|c| c.summary.clone()),
            letters: from_config(|c| c.letters.clone()),
            base_dir,
            config,
        })
    }

    /// The plan's text and name: the `--plan` / `plan =` file, or the embedded plan.
    pub fn plan_source(&self) -> Result<PlanSource, SettingsError> {
        match &self.plan_file {
            None => Ok(PlanSource::embedded()),
            Some(path) => PlanSource::read(path),
        }
    }

    /// Load and check the plan.
    pub fn plan(&self) -> Result<Plan, SettingsError> {
        Ok(self.plan_source()?.load()?)
    }

    /// The registry file, or an error explaining how to name one.
    pub fn schools_path(&self) -> Result<&Path, SettingsError> {
        match (&self.schools, &self.config) {
            (Some(p), _) => Ok(p),
            (None, Some(_)) => Err(SettingsError::NoSchools),
            (None, None) => Err(SettingsError::NoWorkFolder {
                dir: self.base_dir.clone(),
                nearby: work_folders_in(&self.base_dir),
            }),
        }
    }

    /// Load the school registry.
    pub fn registry(&self, plan: &Plan) -> Result<Registry, SettingsError> {
        Ok(Registry::load(self.schools_path()?, plan)?)
    }

    /// Load the school registry with its warnings (ignored columns, odd e-mails).
    pub fn registry_with_warnings(
        &self,
        plan: &Plan,
    ) -> Result<(Registry, Vec<RegistryWarning>), SettingsError> {
        Ok(Registry::load_with_warnings(self.schools_path()?, plan)?)
    }

    /// The campaign of this run: the named one (flag, then settings file), else the one
    /// with the next deadline on or after `today` (see [`Settings::campaign_origin`]).
    pub fn campaign<'p>(
        &self,
        plan: &'p Plan,
        today: NaiveDate,
    ) -> Result<Campaign<'p>, SettingsError> {
        match self.campaign {
            Some(date) => Ok(Campaign::resolve(plan, date)?),
            None => current_campaign(plan, today)
                .ok_or_else(|| SettingsError::NoCampaign { today: ru_date(today) }),
        }
    }

    /// The district's time zone: `timezone` of the settings file, else Europe/Moscow.
    pub fn district(&self) -> District {
        self.config.as_ref().and_then(|c| c.timezone).unwrap_or_default()
    }

    /// Where the campaign comes from: say so when it was chosen by today's date.
    pub fn campaign_origin(&self) -> CampaignOrigin {
        self.campaign_origin
    }

    /// Folder for forms: the command's flag, else `forms` of the settings file, else
    /// `forms/` in the working folder.
    pub fn forms_dir(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_path_buf).unwrap_or_else(|| self.forms.clone())
    }

    /// Folder of returns: the command's argument, else `returns` of the settings file,
    /// else `returns/` in the working folder when it exists.
    pub fn returns_dir(&self, flag: Option<&Path>) -> Result<PathBuf, SettingsError> {
        if let Some(f) = flag {
            return Ok(f.to_path_buf());
        }
        if let Some(r) = &self.returns {
            return Ok(r.clone());
        }
        let default = self.base_dir.join("returns");
        if default.is_dir() {
            Ok(default)
        } else {
            Err(SettingsError::NoReturns)
        }
    }

    /// The summary file for a campaign: the command's flag, else `summary` of the
    /// settings file, else `svod-<campaign>.xlsx` in the working folder. A
    /// `{campaign}` in the configured name is replaced by the campaign id.
    pub fn summary_path(&self, flag: Option<&Path>, campaign_id: &str) -> PathBuf {
        if let Some(f) = flag {
            return f.to_path_buf();
        }
        let configured =
            self.summary.clone().unwrap_or_else(|| self.base_dir.join(DEFAULT_SUMMARY));
        let text = configured.to_string_lossy().replace(CAMPAIGN_PLACEHOLDER, campaign_id);
        PathBuf::from(text)
    }

    /// The methodologist's contacts (`contact_*` and `send_returns_to` of the settings
    /// file); empty without one.
    pub fn contacts(&self) -> Contacts {
        self.config.as_ref().map(|c| c.contacts.clone()).unwrap_or_default()
    }

    /// Where to look for summaries of earlier campaigns (inter-period checks): the
    /// `--previous` flag or `previous` of the settings file (named: what is wrong with
    /// them is said), and the folder the summaries are written to (searched quietly).
    /// Returns (searched folders, named paths).
    pub fn previous_paths(
        &self,
        flag: Option<&Path>,
        summary: &Path,
    ) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let named: Vec<PathBuf> = flag
            .map(Path::to_path_buf)
            .or_else(|| self.config.as_ref().and_then(|c| c.previous.clone()))
            .into_iter()
            .collect();
        let dir = summary.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        (vec![dir.to_path_buf()], named)
    }

    /// The district of this work folder (`district`, `district_name` in the settings
    /// file): written into the summary for the regional summary.
    pub fn district_mark(&self) -> Option<(String, String)> {
        let c = self.config.as_ref()?;
        let code = c.district.clone()?;
        Some((code, c.district_name.clone().unwrap_or_default()))
    }

    /// The region's registry of districts (`profplan region`): the command's flag, else
    /// `districts` of the settings file.
    pub fn districts_path(&self, flag: Option<&Path>) -> Result<PathBuf, SettingsError> {
        flag.map(Path::to_path_buf)
            .or_else(|| self.config.as_ref().and_then(|c| c.districts.clone()))
            .ok_or(SettingsError::NoDistricts)
    }

    /// Folder for letters to schools: the command's flag, else `letters` of the settings
    /// file; none when neither.
    pub fn letters_dir(&self, flag: Option<&Path>) -> Option<PathBuf> {
        flag.map(Path::to_path_buf).or_else(|| self.letters.clone())
    }
}

/// Subfolders of `dir` that hold a `profplan.toml` (sorted; at most a few are named).
fn work_folders_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join(CONFIG_FILE_NAME).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .map(|n| if n.contains(char::is_whitespace) { format!("\"{n}\"") } else { n })
        .collect();
    found.sort();
    found.truncate(5);
    found
}

/// The text of a new `profplan.toml` (written by `profplan init`): every key, commented in
/// Russian. `plan` is written only when given (otherwise the embedded plan is used).
pub fn config_template(campaign_id: &str, plan: Option<&str>, schools: &str) -> String {
    let plan_line = match plan {
        Some(p) => format!("plan = {}", toml_string(p)),
        None => "# plan = \"plan.toml\"".to_string(),
    };
    format!(
        r#"# Настройки рабочей папки profplan. Пути — относительно папки этого файла.
# Любую настройку можно заменить ключом командной строки: --plan, --schools, --campaign,
# у команд — --out и папка отчётов (profplan collect ПАПКА).

# План (TOML). Без этой строки используется встроенный план Тамбовского района.
# Выгрузить план для правки: profplan plan --format toml > plan.toml
{plan_line}

# Реестр школ: CSV из Excel (разделитель «;» или «,», UTF-8 или Windows-1251).
# Обязательные столбцы: код и наименование; формат — в docs/registry-and-settings.md.
schools = {schools}

# Отчётная кампания — дата срока сдачи (ГГГГ-ММ-ДД). Все кампании года: profplan campaigns
# Без этой строки берётся кампания с ближайшим сроком.
campaign = "{campaign_id}"

# Папка для выпущенных форм (profplan template).
forms = "forms"

# Папка для отчётов, присланных школами (profplan check, profplan collect).
returns = "returns"

# Сводный отчёт (profplan collect); {{campaign}} заменяется датой кампании.
summary = "svod-{{campaign}}.xlsx"

# Папка для писем школам, которым нужно что-то сделать (profplan check).
# letters = "letters"

# Часовой пояс района: срок «до 20 декабря» кончается в полночь по этому времени, и в нём
# показано время сохранения отчётов. По умолчанию — московское время. Например:
# "Europe/Samara" (МСК+1), "Asia/Yekaterinburg" (МСК+2), "Asia/Novosibirsk" (МСК+4).
# timezone = "Europe/Moscow"
# Контакты методиста: попадают в шапку формы, на лист «Инструкция» и в подпись писем
# школам. Уберите «#» в начале строки и впишите свои данные.
# contact_name = "Иванова Мария Петровна, методист отдела образования"
# contact_phone = "+7 (4752) 00-00-00"
# contact_email = "metodist@example.ru"
# Куда школам отправлять заполненные формы (продолжает фразу «Отправьте заполненный файл …»).
# send_returns_to = "на адрес metodist@example.ru с темой «Профориентация»"
# Своды прошлых кампаний учебного года для межпериодного контроля (файл или папка).
# Своды в папке, куда пишется сводный отчёт, находятся и без этой строки.
# previous = "svody"

# Код района в реестре районов области и его название: записываются в сводный отчёт,
# по ним региональный свод (profplan region) узнаёт район.
# district = "tambovsky"
# district_name = "Тамбовский район"

# Только в рабочей папке области: реестр районов для свода по области (profplan region).
# districts = "districts.csv"
"#,
        schools = toml_string(schools),
    )
}

/// A TOML string for a path: `'D:\Отдел\schools.csv'` as the user would type it.
fn toml_string(s: &str) -> String {
    crate::config::toml_paths::literal(s)
}

/// The keys of `profplan.toml`, named when an unknown one is met.
const CONFIG_KEYS: &[&str] = &[
    "plan",
    "schools",
    "campaign",
    "forms",
    "returns",
    "summary",
    "letters",
    "timezone",
    "contact_name",
    "contact_phone",
    "contact_email",
    "send_returns_to",
    "previous",
    "district",
    "district_name",
    "districts",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn paths_are_relative_to_the_config_file() {
        let c = Config::parse(
            "schools = \"schools.csv\"\ncampaign = 2025-12-20\nsummary = \"out/svod-{campaign}.xlsx\"\n",
            Path::new("/w/profplan.toml"),
        )
        .unwrap();
        assert_eq!(c.schools, Some(PathBuf::from("/w/schools.csv")));
        assert_eq!(c.campaign, Some(d(2025, 12, 20)));
        assert_eq!(c.plan, None);
    }

    #[test]
    fn template_parses() {
        let text = config_template("2025-12-20", None, "schools.csv");
        let c = Config::parse(&text, Path::new("/w/profplan.toml")).unwrap();
        assert_eq!(c.plan, None);
        assert_eq!(c.campaign, Some(d(2025, 12, 20)));
        assert_eq!(c.forms, Some(PathBuf::from("/w/forms")));
        assert_eq!(c.returns, Some(PathBuf::from("/w/returns")));
        assert_eq!(c.summary, Some(PathBuf::from("/w/svod-{campaign}.xlsx")));
        assert_eq!(c.letters, None);
        let text = config_template("2025-12-20", Some(r"C:\планы\plan.toml"), "s.csv");
        let c = Config::parse(&text, Path::new("profplan.toml")).unwrap();
        assert_eq!(c.plan, Some(PathBuf::from(r"C:\планы\plan.toml")));
    }

    #[test]
    fn unknown_key_names_its_line() {
        let e =
            Config::parse("forms = \"f\"\nshools = \"s.csv\"\n", Path::new("p.toml")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("p.toml, строка 2: неизвестный ключ `shools`"), "{msg}");
    }

    #[test]
    fn bad_campaign_in_config_names_its_line() {
        let e = Config::parse("\n\ncampaign = \"20 декабря\"\n", Path::new("p.toml")).unwrap_err();
        assert!(e.to_string().starts_with("p.toml, строка 3: campaign = 20 декабря"), "{e}");
    }

    #[test]
    fn flags_override_config_and_defaults_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE_NAME),
            "schools = \"reg.csv\"\ncampaign = \"2025-12-20\"\n",
        )
        .unwrap();
        let s = Settings::resolve_in(&Overrides::default(), dir.path()).unwrap();
        assert_eq!(s.schools, Some(dir.path().join("reg.csv")));
        assert_eq!(s.campaign_origin(), CampaignOrigin::Config);
        assert_eq!(s.forms_dir(None), dir.path().join("forms"));
        assert_eq!(s.summary_path(None, "2025-12-20"), dir.path().join("svod-2025-12-20.xlsx"));
        assert!(matches!(s.returns_dir(None), Err(SettingsError::NoReturns)));

        let o = Overrides {
            schools: Some("other.csv".into()),
            campaign: Some(d(2026, 5, 25)),
            ..Overrides::default()
        };
        let s = Settings::resolve_in(&o, dir.path()).unwrap();
        assert_eq!(s.schools, Some(dir.path().join("other.csv")));
        assert_eq!(s.campaign, Some(d(2026, 5, 25)));
        assert_eq!(s.campaign_origin(), CampaignOrigin::Flag);
    }

    #[test]
    fn without_config_the_campaign_is_the_next_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::resolve_in(&Overrides::default(), dir.path()).unwrap();
        assert!(s.config.is_none());
        assert!(matches!(s.schools_path(), Err(SettingsError::NoWorkFolder { .. })));
        let plan = s.plan().unwrap();
        let c = s.campaign(&plan, d(2025, 11, 26)).unwrap();
        assert_eq!(c.id(), "2025-12-20");
        assert_eq!(s.campaign_origin(), CampaignOrigin::Today);
    }

    #[test]
    fn missing_explicit_config_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let o = Overrides { config: Some("nope.toml".into()), ..Overrides::default() };
        assert!(matches!(
            Settings::resolve_in(&o, dir.path()),
            Err(SettingsError::ConfigNotFound { .. })
        ));
    }
}
