//! `profplan template`: write one report form (.xlsx) per school of the registry.
//!
//! Shape: flags over `profplan.toml` become checked settings (`config::Settings`)
//! before any work starts; [`run`] builds every form in memory (in parallel — each form is
//! independent and the bytes do not depend on the thread count), refuses to overwrite
//! existing forms without `--force`, then writes each file atomically.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use profplan::config::contacts::Contacts;
use profplan::form::layout::form_file_name;
use profplan::form::writer::stamp::FormStamp;
use profplan::form::writer::{form_date, Carried};
use profplan::key::{key_path, DistrictKey};
use profplan::output::{replace_all, stage, Staged};
use profplan::plan::campaign::Campaign;
use profplan::schools::{Registry, School};

use crate::cli::{GlobalArgs, TemplateArgs};

pub fn run(g: &GlobalArgs, a: &TemplateArgs) -> Result<u8> {
    let ws = super::Workspace::open(g)?;
    let registry = ws.registry()?;
    let campaign = ws.campaign(super::today())?;
    let settings = &ws.settings;
    let out = settings.forms_dir(a.out.as_deref());
    let only: Vec<String> =
        a.only.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let schools = select(&registry, &only)?;
    // Forms never go over a school's return (`--out returns/ --force`) or an input file.
    let inputs = ws.inputs(settings.returns_dir(None).ok().as_deref(), &[]);
    for sc in &schools {
        inputs.refuse(&out.join(form_file_name(&sc.id, &sc.short_name)), "форму")?;
    }
    let key = template_key(&ws)?;
    let carried = carry_forward(settings, &campaign, &schools);
    let signing = Signing { key: key.as_ref(), contacts: &settings.contacts() };
    write_forms(&campaign, &schools, &out, a.force, &carried, &signing)
}

/// What every form of a run carries besides its school: the district key its identity is
/// signed with and the methodologist's contacts.
struct Signing<'a> {
    key: Option<&'a DistrictKey>,
    contacts: &'a Contacts,
}

/// The district key the forms are signed with: the work folder's, made now if the folder
/// was made by a profplan without keys. Without a work folder (`--schools` only) the
/// forms get the public check, and the user is told so once.
fn template_key(ws: &super::Workspace) -> Result<Option<DistrictKey>> {
    let settings = &ws.settings;
    if settings.config.is_none() {
        eprintln!(
            "profplan: нет рабочей папки (profplan.toml), поэтому формы выпущены без ключа \
             района: их отметку может подделать кто угодно. Формы для школ выпускайте в рабочей \
             папке (profplan init)"
        );
        return Ok(None);
    }
    if let Some(key) = ws.district_key()? {
        return Ok(Some(key));
    }
    let path = key_path(&settings.base_dir);
    let key = profplan::key::create(&path)?;
    eprintln!(
        "profplan: создан ключ района {}: им подписаны отметки форм. Не пересылайте его \
         школам и не удаляйте — без него присланные формы не проверить",
        path.display()
    );
    Ok(Some(key))
}

/// Carry-forward: each school's profile figures as accepted in the latest earlier
/// campaign of the school year whose summary is at hand (the registry stays the fallback).
fn carry_forward(
    settings: &profplan::config::Settings,
    campaign: &Campaign,
    schools: &[&School],
) -> std::collections::BTreeMap<String, Carried> {
    let summary = settings.summary_path(None, &campaign.id());
    let (folders, named) = settings.previous_paths(None, &summary);
    let district = settings.district_mark().map(|(code, _)| code);
    let search =
        profplan::check::periods::find_earlier(campaign, &folders, &named, district.as_deref());
    let mut out = std::collections::BTreeMap::new();
    let profile = campaign.profile_fields();
    for school in schools {
        let mut c = Carried::default();
        for f in &profile {
            let found = search
                .earlier
                .summaries
                .iter()
                .find_map(|e| e.data.num(&school.id, &f.code).map(|v| (v, e)));
            if let Some((v, e)) = found {
                if c.from.is_empty() {
                    let title = e.data.campaign_title.clone().unwrap_or_default();
                    c.from = format!(
                        "«{title}», срок {}",
                        profplan::plan::campaign::ru_date(e.deadline)
                    );
                }
                c.values.insert(f.code.clone(), v);
            }
        }
        if !c.values.is_empty() {
            out.insert(school.id.clone(), c);
        }
    }
    if !out.is_empty() {
        eprintln!(
            "profplan: общие сведения ОО перенесены из сводов прошлых кампаний учебного года \
             (школ: {}); в формах они отмечены для проверки",
            out.len()
        );
    }
    out
}

/// Write the forms of `schools` into `out`; all or nothing about existing files.
fn write_forms(
    campaign: &Campaign,
    schools: &[&School],
    out: &Path,
    force: bool,
    carried: &std::collections::BTreeMap<String, Carried>,
    signing: &Signing,
) -> Result<u8> {
    // Every target first: the no-overwrite rule is all or nothing, so a refused run leaves
    // the folder exactly as it was.
    let targets: Vec<(&School, PathBuf)> =
        schools.iter().map(|sc| (*sc, out.join(form_file_name(&sc.id, &sc.short_name)))).collect();
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
    if let Some(list) = profplan::output::existing(targets.iter().map(|(_, p)| p.as_path()), force)
    {
        bail!(
            "формы уже существуют: {list}. Ничего не записано. Чтобы заменить их, добавьте \
             --force (заполненные школами формы будут потеряны), или укажите другую папку --out"
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("не удалось создать папку {}", out.display()))?;

    let progress = super::progress(targets.len(), "форм");
    // The campaign's form is built once per shape and each school's form stamped from it
    // (`form::writer::stamp`): the same parts as the full writer's, at a fraction of its cost.
    let stamp = FormStamp::new(campaign, form_date(campaign), signing.key, signing.contacts)?;
    // Every form is written under a temporary name first, then all are put in place at
    // once: a form open in Excel (or any failure) leaves every old form as it was.
    let results: Vec<Result<Staged>> = targets
        .par_iter()
        .map(|(school, path)| {
            let bytes = stamp
                .form(school, carried.get(&school.id))
                .with_context(|| format!("форма школы {}", school.id))?;
            let staged = stage(path, &bytes)?;
            if let Some(pb) = &progress {
                pb.inc(1);
            }
            Ok(staged)
        })
        .collect();
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let staged = results.into_iter().collect::<Result<Vec<Staged>>>()?;
    replace_all(staged, force)?;
    println!(
        "Записано форм: {} в папку {} (кампания {} «{}», срок {})",
        targets.len(),
        out.display(),
        campaign.id(),
        campaign.def.title,
        profplan::plan::campaign::ru_date(campaign.deadline)
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
