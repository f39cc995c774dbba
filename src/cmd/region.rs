//! `profplan region`: the regional summary from a folder of district summaries made by
//! `profplan collect`. Every file of the folder is accounted for (taken, replaced by a
//! later summary of the same district, or refused with its reason); exit code 0 when a
//! summary of every district of the registry was taken, 1 otherwise (the regional
//! summary is written anyway).

use anyhow::{Context, Result};

use profplan::output::write_atomic;
use profplan::region::{assess, Districts};
use profplan::summary::write_region;

use crate::cli::{GlobalArgs, RegionArgs};

pub fn run(g: &GlobalArgs, a: &RegionArgs) -> Result<u8> {
    let ws = super::Workspace::open(g)?;
    let campaign = ws.campaign(super::today())?;
    let registry = Districts::load(&ws.settings.districts_path(a.districts.as_deref())?)?;
    let out = a.out.clone().unwrap_or_else(|| {
        ws.settings.base_dir.join(format!("svod-oblast-{}.xlsx", campaign.id()))
    });
    if let Some(file) = profplan::output::existing([out.as_path()], a.force) {
        anyhow::bail!(
            "файл {file} уже существует: чтобы заменить его, добавьте --force, или укажите другой файл ключом --out"
        );
    }
    if !a.summaries.is_dir() {
        anyhow::bail!("папка со сводами районов {} не найдена", a.summaries.display());
    }
    let as_of = super::as_of(a.as_of);
    let region = assess(&campaign, &registry, &a.summaries)?;
    let bytes = write_region(&campaign, &region, as_of)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("не удалось создать папку {}", parent.display()))?;
    }
    write_atomic(&out, &bytes, a.force)?;
    print!("{}", profplan::render::outcome::region(&region, &out));
    Ok(region.exit_code())
}
