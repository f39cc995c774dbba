//! `profplan init [DIR]`: create a working folder — `profplan.toml`, an example registry
//! `schools.csv`, and the `forms/` and `returns/` folders — so that `profplan template`,
//! `profplan check` and `profplan collect returns/` then run there without flags.
//!
//! Existing files are never overwritten without `--force`; nothing is written when one
//! would be (a half-made folder is worse than none). The district key (`.profplan-key`,
//! see `profplan::key`) is made when the folder has none and never replaced,
//! not even with `--force`. The campaign written into the
//! settings is the one with the next deadline from today. `--plan` and `--schools`, when
//! given, are written into the settings (as absolute paths) instead of the defaults.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use profplan::config::{config_template, PlanSource, CONFIG_FILE_NAME};
use profplan::key::{key_path, KEY_FILE_NAME};
use profplan::plan::campaign::{current_campaign, ru_date};
use profplan::schools::EXAMPLE_REGISTRY_CSV;

use crate::cli::{GlobalArgs, InitArgs};

/// Name of the example registry in a new folder.
const SCHOOLS_FILE: &str = "schools.csv";

pub fn run(g: &GlobalArgs, a: &InitArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("не удалось определить текущую папку")?;
    let dir = match &a.dir {
        Some(d) => cwd.join(d),
        None => cwd.clone(),
    };
    // Only --plan and --schools matter here: a settings file is being created, and an
    // existing one in the folder must not be read (it may be the one being replaced).
    let plan_file = g.plan.as_ref().map(|p| cwd.join(p));
    let schools_file = g.schools.as_ref().map(|p| cwd.join(p));
    let plan = match &plan_file {
        Some(p) => PlanSource::read(p)?.load()?,
        None => PlanSource::embedded().load()?,
    };
    let today = super::today();
    let campaign = match &g.campaign {
        Some(date) => profplan::plan::campaign::Campaign::resolve(&plan, *date)?,
        None => current_campaign(&plan, today).with_context(|| {
            format!("в плане нет кампании после {}: укажите --campaign", ru_date(today))
        })?,
    };

    // dunce: on Windows a plain `D:\…` path, not the `\\?\D:\…` form canonicalize gives.
    let absolute = |p: &Path| -> String {
        dunce::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string()
    };
    let plan_setting = plan_file.as_deref().map(absolute);
    let schools_setting = match &schools_file {
        Some(s) => {
            anyhow::ensure!(s.is_file(), "реестр школ {} не найден", s.display());
            absolute(s)
        }
        None => SCHOOLS_FILE.to_string(),
    };

    let mut files: Vec<(PathBuf, String)> = vec![(
        dir.join(CONFIG_FILE_NAME),
        config_template(&campaign.id(), plan_setting.as_deref(), &schools_setting),
    )];
    if schools_file.is_none() {
        files.push((dir.join(SCHOOLS_FILE), EXAMPLE_REGISTRY_CSV.to_string()));
    }
    if let Some(list) = profplan::output::existing(files.iter().map(|(p, _)| p.as_path()), a.force)
    {
        anyhow::bail!("уже есть: {list}. Ничего не изменено; чтобы перезаписать, добавьте --force");
    }

    std::fs::create_dir_all(&dir)
        .with_context(|| format!("не удалось создать папку {}", dir.display()))?;
    for (path, text) in &files {
        // Existing files were refused above unless --force; one made meanwhile is refused
        // at the rename.
        profplan::output::write_atomic(path, text.as_bytes(), a.force)?;
    }
    for sub in ["forms", "returns"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p)
            .with_context(|| format!("не удалось создать папку {}", p.display()))?;
    }
    // The district key is kept even with --force: replacing it would make every form
    // already issued from this folder unrecognisable.
    let key_file = key_path(&dir);
    let key_made = if profplan::key::load(&key_file)?.is_none() {
        profplan::key::create(&key_file)?;
        true
    } else {
        false
    };

    println!("Рабочая папка: {}", dir.display());
    println!(
        "  {CONFIG_FILE_NAME}   — настройки: кампания {} ({}), {}",
        campaign.id(),
        campaign.def.title,
        if plan_setting.is_some() {
            "план из файла"
        } else {
            "встроенный план"
        }
    );
    if schools_file.is_none() {
        println!("  {SCHOOLS_FILE}     — ПРИМЕР реестра школ (выдуманные данные): замените своим");
    } else {
        println!("  реестр школ: {schools_setting}");
    }
    println!(
        "  {KEY_FILE_NAME}   — ключ района{}: подписывает формы; не пересылайте его и не удаляйте",
        if key_made { "" } else { " (прежний, сохранён)" }
    );
    println!("  forms/          — сюда profplan template положит формы для школ");
    println!("  returns/        — сюда складывайте отчёты, присланные школами");
    println!();
    println!("Дальше:");
    if let Some(d) = a.dir.as_ref().filter(|_| dir != cwd) {
        println!("  cd {}", d.display());
    }
    println!("  profplan campaigns          — кампании учебного года и их сроки");
    println!("  profplan template           — выпустить формы для всех школ реестра");
    println!("  profplan check              — проверить присланные отчёты");
    println!("  profplan collect returns/   — собрать сводный отчёт по району");
    Ok(0)
}
