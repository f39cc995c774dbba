//! One module per subcommand, each with the same shape: `run(global, args) -> exit code`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use profplan::check::intake::{
    admit_file, assess_admissions, validate_early, Admitted, Early, Intake, IntakeOptions,
};
use profplan::check::periods::{add_to_report, find_earlier, PeriodCheck};
use profplan::check::spill::{Span, Spill, SpillFile};
use profplan::check::validate::Form;
use profplan::check::values::Schools;
use profplan::config::{CampaignOrigin, PlanSource, Settings};
use profplan::finding::Finding;
use profplan::key::{key_path, DistrictKey, KEY_FILE_NAME};
use profplan::output::Inputs;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::read::FileRead;
use profplan::schools::Registry;

use crate::cli::{Cli, Command, GlobalArgs};

pub mod campaigns;
pub mod check;
pub mod collect;
pub mod init;
pub mod plan;
pub mod region;
pub mod schools;
pub mod template;

/// Run a parsed command line; `Ok(code)` is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let g = &cli.global;
    match &cli.command {
        Command::Init(a) => init::run(g, a),
        Command::Plan(a) => plan::run(g, a),
        Command::Campaigns(a) => campaigns::run(g, a),
        Command::Schools(a) => schools::run(g, a),
        Command::Template(a) => template::run(g, a),
        Command::Check(a) => check::run(g, a),
        Command::Collect(a) => collect::run(g, a),
        Command::Region(a) => region::run(g, a),
    }
}

/// What every command starts from: the settings (flags over `profplan.toml`) and the plan
/// they name, loaded and checked once. The preamble every command shares lives here, so
/// that a warning (the example registry, a campaign chosen by date) is said the same way
/// by every command.
pub struct Workspace {
    pub settings: Settings,
    /// The plan's source text and name (`plan --format toml` prints it unchanged).
    pub source: PlanSource,
    pub plan: Plan,
}

impl Workspace {
    /// Resolve the settings and load the plan they name.
    pub fn open(g: &GlobalArgs) -> anyhow::Result<Workspace> {
        let settings = Settings::resolve(&g.overrides())?;
        let source = settings.plan_source()?;
        // Loaded even for `plan --format toml`: a broken plan is reported, not copied on.
        let plan = source.load()?;
        Ok(Workspace { settings, source, plan })
    }

    /// The school registry of this run; a warning on stderr when it is the example one.
    pub fn registry(&self) -> anyhow::Result<Registry> {
        let registry = self.settings.registry(&self.plan)?;
        self.warn_if_example(&registry);
        Ok(registry)
    }

    /// Forms and letters must not go out on the example's invented schools unnoticed.
    pub fn warn_if_example(&self, registry: &Registry) {
        if registry.is_example() {
            let path =
                self.settings.schools_path().map(|p| p.display().to_string()).unwrap_or_default();
            eprintln!(
                "profplan: предупреждение: реестр {path} — пример с выдуманными школами \
                 (адреса @example.ru): замените его реестром своих школ (CSV или Excel) и \
                 укажите его в profplan.toml (schools = \"…\")"
            );
        }
    }

    /// The campaign of this run for the day `today`. When it was chosen by that date
    /// rather than named, the user is told (on stderr), so that nobody checks December's
    /// returns against May's form by accident.
    pub fn campaign(&self, today: NaiveDate) -> anyhow::Result<Campaign<'_>> {
        let campaign = self.settings.campaign(&self.plan, today)?;
        if self.settings.campaign_origin() == CampaignOrigin::Today {
            eprintln!(
                "profplan: кампания не указана — взята ближайшая по сроку: {} ({}); \
                 другую можно указать ключом --campaign или в profplan.toml",
                campaign.id(),
                campaign.def.title
            );
        }
        Ok(campaign)
    }

    /// The district key of this run's work folder (`.profplan-key` beside
    /// `profplan.toml`); `None` when there is no settings file (a run with
    /// `--schools`/`--plan` only) or no key.
    pub fn district_key(&self) -> anyhow::Result<Option<DistrictKey>> {
        match self.settings.config {
            Some(_) => profplan::key::load(&key_path(&self.settings.base_dir)),
            None => Ok(None),
        }
    }

    /// What a run reads: the settings, plan and registry files, `extra` files, and the
    /// returns folder. Outputs are checked against it ([`Inputs::refuse`]).
    pub fn inputs(&self, returns: Option<&Path>, extra: &[&Path]) -> Inputs {
        let s = &self.settings;
        let mut files: Vec<PathBuf> = Vec::new();
        files.extend(s.config.as_ref().map(|c| c.path.clone()));
        files.extend(s.plan_file.clone());
        files.extend(s.schools.clone());
        files.extend(extra.iter().map(|p| p.to_path_buf()));
        Inputs::new(files, returns.map(Path::to_path_buf).into_iter().collect())
    }
}

/// A campaign's returns folder, as `check` and `collect` start from it.
pub struct Returns<'w> {
    pub ws: &'w Workspace,
    pub registry: Registry,
    /// «Today» of the run: `--as-of` or the computer's date (see [`as_of`]).
    pub as_of: NaiveDate,
    pub campaign: Campaign<'w>,
    pub dir: PathBuf,
}

impl Workspace {
    /// The shared preamble of `check` and `collect`: the registry, «today» (`--as-of`,
    /// which also picks the campaign), the campaign and the returns folder.
    pub fn returns(
        &self,
        as_of_flag: Option<NaiveDate>,
        dir: Option<&Path>,
    ) -> anyhow::Result<Returns<'_>> {
        let registry = self.registry()?;
        let as_of = as_of(as_of_flag);
        let campaign = self.campaign(as_of)?;
        let dir = self.settings.returns_dir(dir)?;
        Ok(Returns { ws: self, registry, as_of, campaign, dir })
    }
}

impl Returns<'_> {
    /// Read and assess the folder, each return compared with the earlier campaigns'
    /// summaries (beside `summary`, or in `previous`) as soon as it is validated: the
    /// shared first half of `check` and `collect`. For `check` the schools' values are
    /// dropped as soon as they are checked (nothing is spilled), so memory stays small
    /// whatever the number of returns; `intake.data` is left empty (`check` reports on
    /// the schools, it does not sum them).
    pub fn intake(
        &self,
        include_invalid: bool,
        previous: Option<&Path>,
        summary: &Path,
    ) -> anyhow::Result<Intake> {
        let mut intake = self.read(include_invalid, None, previous, summary)?.0;
        // Not needed once the inter-period warnings are chosen: a name and a file of
        // every school in the figures (issue 13: memory flat in the number of schools).
        intake.data = Vec::new();
        Ok(intake)
    }

    /// [`Returns::intake`] keeping the schools' values (`collect`): each return's values
    /// go to a temporary spill file as soon as it is validated ([`Spill`]), and are read
    /// back one school at a time in registry order ([`Schools`]); memory holds their
    /// names and where their values are. `intake.data` is moved into the [`Schools`].
    pub fn intake_values(
        &self,
        include_invalid: bool,
        previous: Option<&Path>,
        summary: &Path,
    ) -> anyhow::Result<(Intake, Schools)> {
        let spill = Spill::create()?;
        let (mut intake, spilled) = self.read(include_invalid, Some(spill), previous, summary)?;
        let (file, spans) = spilled.expect("a spill given, a spill returned");
        let data = std::mem::take(&mut intake.data);
        let records = &intake.report.files;
        let schools = Schools::spilled(&intake.report.schools, data, file, |f| {
            file_index(records, f).and_then(|i| spans.get(i).copied().flatten())
        });
        Ok((intake, schools))
    }

    fn read(
        &self,
        include_invalid: bool,
        spill: Option<Spill>,
        previous: Option<&Path>,
        summary: &Path,
    ) -> anyhow::Result<(Intake, Option<Spilled>)> {
        let settings = &self.ws.settings;
        let key = self.ws.district_key()?;
        let opts = IntakeOptions {
            as_of: self.as_of,
            include_invalid,
            district: settings.district(),
            key,
        };
        if !self.dir.is_dir() {
            anyhow::bail!(
                "папка с отчётами {} не найдена: укажите её аргументом или ключом returns в \
                 profplan.toml",
                self.dir.display()
            );
        }
        let (folders, named) = settings.previous_paths(previous, summary);
        let district = settings.district_mark().map(|(code, _)| code);
        let search = find_earlier(&self.campaign, &folders, &named, district.as_deref());
        let periods = PeriodCheck::new(&self.campaign, &search.earlier);
        let read = Read { campaign: &self.campaign, registry: &self.registry, periods, spill };
        let (mut intake, period_findings, spilled) = read.folder(&self.dir, opts)?;
        note_missing_key(settings, key.as_ref(), intake.unverifiable);
        for note in &search.notes {
            eprintln!("profplan: межпериодный контроль: {note}");
        }
        add_to_report(&mut intake.report, &self.registry, period_findings);
        Ok((intake, spilled))
    }
}

/// Today's date on this computer (the methodologist's local date).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Say once (on stderr) what a run without a district key could not do: check/collect in
/// a work folder without a key, or returns with a keyed check and no key to verify it.
fn note_missing_key(settings: &Settings, key: Option<&DistrictKey>, unverifiable: usize) {
    if key.is_some() {
        return;
    }
    if unverifiable > 0 {
        eprintln!(
            "profplan: ключа района нет ({}), поэтому подлинность отметки {unverifiable} {} \
             с ключом не проверена; проверяйте отчёты в рабочей папке, которая выдала формы",
            if settings.config.is_some() {
                format!("в рабочей папке нет файла {KEY_FILE_NAME}")
            } else {
                "нет рабочей папки profplan.toml".to_string()
            },
            profplan::ru::plural(unverifiable as u64, ["формы", "форм", "форм"])
        );
    } else if settings.config.is_some() {
        eprintln!(
            "profplan: в рабочей папке нет ключа района ({KEY_FILE_NAME}): отметки форм \
             проверяются только по открытой контрольной сумме. Ключ создаст profplan template \
             при следующем выпуске форм"
        );
    }
}

/// A progress bar on stderr for runs of 20 or more (files, forms), only when stderr is a
/// terminal; its message (`set_message`) shows after the count.
pub fn progress(len: usize, what: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (std::io::stderr().is_terminal() && len >= 20).then(|| {
        let pb = indicatif::ProgressBar::new(len as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} {{wide_msg}}"
            ))
            .expect("static template"),
        );
        pb
    })
}

/// Colour on stdout: a terminal, and `NO_COLOR` not set.
pub fn color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The «today» of a check: `--as-of` or the computer's date. Every choice that depends on
/// today — the campaign, missing or expected, the date of the summary — uses this date.
pub fn as_of(flag: Option<NaiveDate>) -> NaiveDate {
    flag.unwrap_or_else(today)
}

/// How a returns folder is read: for which campaign and registry, compared with which
/// earlier campaigns, keeping the schools' values in a spill file (`collect`) or not.
struct Read<'a> {
    campaign: &'a Campaign<'a>,
    registry: &'a Registry,
    periods: PeriodCheck<'a>,
    spill: Option<Spill>,
}

/// The spill file once the folder is read, and where each file's values are in it (by
/// the file's place in the report's list of files, [`file_index`]).
type Spilled = (SpillFile, Vec<Option<Span>>);

/// The place of the file at `path` in the report's list of files (sorted by path).
fn file_index(records: &[profplan::check::report::FileRecord], path: &str) -> Option<usize> {
    records.binary_search_by(|r| r.path.as_str().cmp(path)).ok()
}

impl Read<'_> {
    /// Read and assess the folder; gives the intake and the inter-period warnings of the
    /// returns taken into the figures.
    fn folder(
        self,
        dir: &Path,
        opts: IntakeOptions,
    ) -> anyhow::Result<(Intake, Vec<Finding>, Option<Spilled>)> {
        use anyhow::Context;
        // Listed once: the count for the progress bar is the listing's.
        let entries = profplan::read::scan(dir)
            .with_context(|| format!("не удалось прочитать папку {}", dir.display()))?;
        let total = entries.len();
        let bar = progress(total, "файлов");
        let tick = || {
            if let Some(b) = &bar {
                b.inc(1);
            }
        };
        // Each return is validated as soon as it is read and its cells dropped, compared
        // with the earlier campaigns, and its values dropped too — for `collect` after
        // they are written to the spill file — and the file admitted: only its record and,
        // for a return, a small candidate are kept, so memory stays small whatever the
        // number of returns.
        let form = Form::new(self.campaign);
        let early = |mut f: FileRead| {
            let v = validate_early(&form, self.registry, opts.key.as_ref(), &mut f);
            let found = v.as_ref().map(|v| self.periods.school(&v.data));
            let spilled = match (&self.spill, v.as_ref()) {
                (Some(spill), Some(v)) => Some(spill.put(&v.data)),
                _ => None,
            };
            let v = v.map(|v| Early::ValuesGone(v.findings));
            (admit_file(self.campaign, self.registry, &opts, f, v), found, spilled)
        };
        // Kept by the file's place in the order of paths, not by its path.
        let mut period = Vec::new();
        let mut compared = Vec::with_capacity(total);
        let mut spans = Vec::with_capacity(if self.spill.is_some() { total } else { 0 });
        let mut failed = None;
        // Each file admitted as it comes, in order of path: no list of the files.
        let mut files = Admitted::with_capacity(total);
        let spilling = self.spill.is_some();
        profplan::read::folder::read_folder_each(
            entries,
            &profplan::read::Limits::default(),
            &tick,
            &early,
            &mut |(a, found, spilled)| {
                compared.push(found.is_some());
                period.extend(found.into_iter().flatten());
                match spilled {
                    Some(Ok(span)) => spans.push(Some(span)),
                    Some(Err(e)) => {
                        failed = failed.take().or(Some(e));
                        spans.push(None);
                    }
                    None if spilling => spans.push(None),
                    None => {}
                }
                files.push(a);
            },
        );
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if let Some(e) = failed {
            return Err(e.into());
        }
        let spilled = match self.spill {
            Some(spill) => Some((spill.finish()?, spans)),
            None => None,
        };
        let intake = assess_admissions(self.campaign, self.registry, files, opts);
        // The warnings of the returns taken into the figures (not of a superseded draft);
        // a return validated only by the assessment is compared now.
        // The statuses are in registry order: a school's is found by its place in the
        // registry, without a set of every school's (id, file) (issue 13).
        let schools = &intake.report.schools;
        let taken = |id: &str, file: &str| {
            self.registry
                .position(id)
                .and_then(|i| schools.get(i))
                .is_some_and(|s| s.id == id && s.in_figures && s.file.as_deref() == Some(file))
        };
        period.retain(|f| f.school.as_deref().is_some_and(|s| taken(s, &f.file)));
        let records = &intake.report.files;
        for d in &intake.data {
            if !file_index(records, &d.file).is_some_and(|i| compared[i]) {
                period.extend(self.periods.school(d));
            }
        }
        Ok((intake, period, spilled))
    }
}
