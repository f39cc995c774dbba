//! `profplan collect`: validate every return (as `check` does) and write the district
//! summary workbook from the accepted ones. Exit code as `check`: 0 when every school is
//! accepted, 1 when some school is missing or has errors (the summary is written anyway).

use std::path::Path;

use anyhow::{Context, Result};

use profplan::check::periods::find_year_before;
use profplan::output::{existing, make_dirs, replace_all, stage, stage_with, MadeDirs};
use profplan::render::outcome;
use profplan::summary::figures::consolidate_schools;
use profplan::summary::note::{note_path, write_note};
use profplan::summary::{read_previous, write_summary_to, DistrictMark, Previous, SummaryInput};

use crate::cli::{CollectArgs, GlobalArgs};

pub fn run(g: &GlobalArgs, a: &CollectArgs) -> Result<u8> {
    if let Some(n) = a.threads {
        // Output never depends on the thread count; this only bounds the CPU used.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("не удалось задать число потоков")?;
    }
    let ws = super::Workspace::open(g)?;
    let run = ws.returns(a.as_of, a.returns.as_deref())?;
    let out = ws.settings.summary_path(a.out.as_deref(), &run.campaign.id());
    let note = (!a.no_note).then(|| note_path(&out));
    refuse_outputs(&ws, &run, a, &out, note.as_deref())?;
    let previous = last_year(&ws, &run, a, &out)?;
    let (intake, schools) = run.intake_values(a.include_invalid, a.previous.as_deref(), &out)?;
    let district = consolidate_schools(&run.campaign, &schools)?;
    let mark = ws.settings.district_mark().map(|(code, name)| DistrictMark { code, name });
    let input = SummaryInput {
        campaign: &run.campaign,
        registry: &run.registry,
        report: &intake.report,
        schools: &schools,
        district: &district,
        generated: run.as_of,
        previous: previous.as_ref(),
    };
    let summary_name =
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // The summary is saved straight into its temporary file, so its folder is made first —
    // and removed again if the summary is not written after all.
    let made = match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => Some(make_dirs(parent)?),
        None => None,
    };
    // The note is written while the summary is (on the other thread, or before it with
    // `--threads 1`); the summary and its note go in place together: one open in Excel or
    // Word leaves both old files as they were.
    let (note_bytes, summary) = rayon::join(
        || note.as_ref().map(|_| write_note(&input, &summary_name)).transpose(),
        || stage_with(&out, |f| write_summary_to(&input, mark.as_ref(), f)),
    );
    let written = (|| {
        let note_bytes = note_bytes?;
        let mut staged = vec![summary?];
        if let (Some(path), Some(b)) = (&note, &note_bytes) {
            staged.push(stage(path, b)?);
        }
        replace_all(staged, a.force)
    })();
    if written.is_err() {
        made.into_iter().for_each(MadeDirs::undo);
    }
    written?;

    let r = &intake.report;
    print!("{}", outcome::collect(r, schools.len(), &out, note.as_deref(), a.include_invalid));
    Ok(r.exit_code())
}

/// The summary never goes over an input, and neither it nor its note over an existing
/// file without `--force`: refused before any work, as reading a large district only to
/// refuse at the end wastes the user's time.
fn refuse_outputs(
    ws: &super::Workspace,
    run: &super::Returns<'_>,
    a: &CollectArgs,
    out: &Path,
    note: Option<&Path>,
) -> Result<()> {
    let compare: Vec<&Path> = a.compare.as_deref().into_iter().collect();
    ws.inputs(Some(&run.dir), &compare).refuse(out, "сводный отчёт")?;
    if let Some(file) = existing([out], a.force) {
        anyhow::bail!(
            "файл {file} уже существует: чтобы заменить его, добавьте --force, или укажите другой файл ключом --out"
        );
    }
    if let Some(file) = existing(note, a.force) {
        anyhow::bail!(
            "файл аналитической справки {file} уже существует: чтобы заменить его, добавьте --force; \
             чтобы не писать справку — --no-note"
        );
    }
    Ok(())
}

/// The summary compared with: the one named by `--compare`, else the same campaign of
/// the previous school year when its summary is at hand (missing: said once).
fn last_year(
    ws: &super::Workspace,
    run: &super::Returns<'_>,
    a: &CollectArgs,
    out: &Path,
) -> Result<Option<Previous>> {
    if let Some(p) = &a.compare {
        return Ok(Some(read_previous(p).with_context(|| format!("--compare {}", p.display()))?));
    }
    let (folders, _) = ws.settings.previous_paths(a.previous.as_deref(), out);
    let district = ws.settings.district_mark().map(|(code, _)| code);
    let search = find_year_before(&run.campaign, &folders, district.as_deref());
    for note in &search.notes {
        eprintln!("profplan: сравнение с прошлым годом: {note}");
    }
    Ok(search.found.map(|(_, p)| p))
}
