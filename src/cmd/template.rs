//! `profplan template`: write one report form (.xlsx) per school of the registry.
//!
//! Shape: [`resolve`] turns flags (and, later, `profplan.toml`) into checked [`Settings`]
//! before any work starts; [`run`] builds every form in memory (in parallel — each form is
//! independent and the bytes do not depend on the thread count), refuses to overwrite
//! existing forms without `--force`, then writes each file atomically.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use profplan::campaign::{campaigns_of_year, current_campaign, AcademicYear, Campaign};
use profplan::form::layout::form_file_name;
use profplan::form::writer::{form_date, write_form};
use profplan::output::write_atomic;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};

use crate::cli::{GlobalArgs, TemplateArgs};

/// Forms folder when neither the flag nor the config names one.
const DEFAULT_OUT: &str = "forms";
/// Show a progress bar from this many schools on (and only on a terminal).
const PROGRESS_FROM: usize = 20;

/// Everything `template` needs, checked.
struct Settings {
    plan: Plan,
    campaign: String,
    schools: PathBuf,
    out: PathBuf,
    only: Vec<String>,
    force: bool,
}

/// Flags → settings. The config module (profplan.toml) will supply defaults here.
fn resolve(g: &GlobalArgs, a: &TemplateArgs) -> Result<Settings> {
    let plan = match &g.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("не удалось прочитать файл плана {}", path.display()))?;
            Plan::from_toml(&text, &path.display().to_string())?
        }
        None => Plan::default_plan(),
    };
    let campaign = match &g.campaign {
        Some(c) => c.clone(),
        None => {
            let today = chrono::Local::now().date_naive();
            let hint = current_campaign(&plan, today)
                .map(|c| format!(", например --campaign {}", c.id()))
                .unwrap_or_default();
            let year = campaigns_of_year(&plan, AcademicYear::of(today))
                .iter()
                .map(|c| format!("{} ({})", c.id(), c.def.title))
                .collect::<Vec<_>>()
                .join(", ");
            bail!(
                "не указана отчётная кампания: добавьте --campaign ГГГГ-ММ-ДД{hint}. \
                 Кампании текущего учебного года: {year}"
            );
        }
    };
    let Some(schools) = g.schools.clone() else {
        bail!(
            "не указан реестр школ: добавьте --schools ФАЙЛ.csv (столбцы id и name; \
             пример создаёт profplan init)"
        );
    };
    Ok(Settings {
        plan,
        campaign,
        schools,
        out: a.out.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUT)),
        only: a.only.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        force: a.force,
    })
}

pub fn run(g: &GlobalArgs, a: &TemplateArgs) -> Result<u8> {
    let s = resolve(g, a)?;
    let campaign = Campaign::parse(&s.plan, &s.campaign)?;
    let registry = load_registry_temp(&s.schools)?;
    let schools = select(&registry, &s.only)?;

    // Every target first: the no-overwrite rule is all or nothing, so a refused run leaves
    // the folder exactly as it was.
    let targets: Vec<(&School, PathBuf)> = schools
        .iter()
        .map(|sc| (*sc, s.out.join(form_file_name(&sc.id, &sc.short_name))))
        .collect();
    let mut seen = BTreeSet::new();
    for (sc, path) in &targets {
        if !seen.insert(path.clone()) {
            bail!(
                "у двух школ совпадает имя файла формы {} (школа {}): исправьте коды в реестре",
                path.display(),
                sc.id
            );
        }
    }
    if !s.force {
        let existing: Vec<String> = targets
            .iter()
            .filter(|(_, p)| p.exists())
            .map(|(_, p)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            let shown: Vec<&str> = existing.iter().take(5).map(String::as_str).collect();
            let more = if existing.len() > 5 {
                format!(" и ещё {}", existing.len() - 5)
            } else {
                String::new()
            };
            bail!(
                "формы уже существуют: {}{more}. Ничего не записано. Чтобы заменить их, \
                 добавьте --force (заполненные школами формы будут потеряны), или укажите \
                 другую папку --out",
                shown.join(", ")
            );
        }
    }
    std::fs::create_dir_all(&s.out)
        .with_context(|| format!("не удалось создать папку {}", s.out.display()))?;

    let progress = (std::io::stderr().is_terminal() && targets.len() >= PROGRESS_FROM).then(|| {
        let pb = indicatif::ProgressBar::new(targets.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} форм {wide_msg}")
                .expect("static template"),
        );
        pb
    });
    let date = form_date(&campaign);
    let results: Vec<Result<()>> = targets
        .par_iter()
        .map(|(school, path)| {
            let bytes = write_form(&campaign, school, date)
                .with_context(|| format!("форма школы {}", school.id))?;
            write_atomic(path, &bytes, s.force)?;
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            Ok(())
        })
        .collect();
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    for r in results {
        r?;
    }
    println!(
        "Записано форм: {} в папку {} (кампания {} «{}», срок {})",
        targets.len(),
        s.out.display(),
        campaign.id(),
        campaign.def.title,
        profplan::campaign::ru_date(campaign.deadline)
    );
    Ok(0)
}

/// The schools to issue forms to: all, or those named by `--only` (every one must exist).
fn select<'r>(registry: &'r Registry, only: &[String]) -> Result<Vec<&'r School>> {
    if only.is_empty() {
        return Ok(registry.schools.iter().collect());
    }
    let unknown: Vec<&str> =
        only.iter().filter(|id| registry.get(id).is_none()).map(String::as_str).collect();
    if !unknown.is_empty() {
        bail!("в реестре нет школ с кодами: {}", unknown.join(", "));
    }
    Ok(registry.schools.iter().filter(|s| only.contains(&s.id)).collect())
}

// TEMP until schools::Registry::load lands: a minimal CSV reader (comma or semicolon,
// optional BOM, header with `id` and `name`, optional `short_name`; other columns named
// like profile fields prefill them). No line-level diagnostics beyond the basics.
fn load_registry_temp(path: &Path) -> Result<Registry> {
    let raw = std::fs::read(path)
        .with_context(|| format!("не удалось прочитать реестр школ {}", path.display()))?;
    let text = String::from_utf8(raw)
        .with_context(|| format!("{}: файл не в кодировке UTF-8", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter =
        if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut rdr =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = rdr.headers()?.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let id_col =
        find(&["id", "код"]).with_context(|| format!("{}: нет столбца id", path.display()))?;
    let name_col = find(&["name", "наименование", "название"])
        .with_context(|| format!("{}: нет столбца name", path.display()))?;
    let short_col = find(&["short_name", "краткое наименование"]);
    let mut schools = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{}, строка {}", path.display(), i + 2))?;
        let get = |c: usize| rec.get(c).unwrap_or_default().trim().to_string();
        let (id, name) = (get(id_col), get(name_col));
        if id.is_empty() && name.is_empty() {
            continue;
        }
        if id.is_empty() || name.is_empty() {
            bail!("{}, строка {}: пустой код или наименование школы", path.display(), i + 2);
        }
        let short = short_col.map(get).filter(|s| !s.is_empty()).unwrap_or_else(|| name.clone());
        let mut profile = std::collections::BTreeMap::new();
        for (c, h) in headers.iter().enumerate() {
            if h.starts_with("oo_") {
                if let Ok(v) = get(c).replace(',', ".").parse::<f64>() {
                    profile.insert(h.clone(), v);
                }
            }
        }
        schools.push(School {
            id,
            name,
            short_name: short,
            profile,
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        });
    }
    Ok(Registry { schools })
}
