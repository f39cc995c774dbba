//! `profplan collect`: validate every return (as `check` does) and write the district
//! summary workbook from the accepted ones. Exit code as `check`: 0 when every school is
//! accepted, 1 when some school is missing or has errors (the summary is written anyway).

use anyhow::{Context, Result};

use profplan::check::intake::IntakeOptions;
use profplan::check::periods::find_year_before;
use profplan::check::report::Status;
use profplan::output::{replace_all, stage};
use profplan::summary::figures::consolidate;
use profplan::summary::note::{note_path, write_note};
use profplan::summary::{read_previous, write_summary_of, DistrictMark, SummaryInput};

use crate::cli::{CollectArgs, GlobalArgs};

pub fn run(g: &GlobalArgs, a: &CollectArgs) -> Result<u8> {
    if let Some(n) = a.threads {
        // Output never depends on the thread count; this only bounds the CPU used.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("не удалось задать число потоков")?;
    }
    let settings = super::settings(g)?;
    let plan = settings.plan()?;
    let registry = super::registry(&settings, &plan)?;
    // `--as-of` is «today» for every choice, the campaign's included.
    let as_of = super::as_of(a.as_of);
    let campaign = settings.campaign(&plan, as_of)?;
    super::note_campaign_choice(&settings, &campaign);
    let dir = settings.returns_dir(a.returns.as_deref())?;
    let out = settings.summary_path(a.out.as_deref(), &campaign.id());
    let compare: Vec<&std::path::Path> = a.compare.as_deref().into_iter().collect();
    super::inputs(&settings, Some(&dir), &compare).refuse(&out, "сводный отчёт")?;
    // Refuse before any work: reading a large district only to refuse at the end wastes
    // the user's time.
    let note = (!a.no_note).then(|| note_path(&out));
    if let Some(file) = profplan::output::existing([out.as_path()], a.force) {
        anyhow::bail!(
            "файл {file} уже существует: чтобы заменить его, добавьте --force, или укажите другой файл ключом --out"
        );
    }
    if let Some(file) = profplan::output::existing(note.as_deref(), a.force) {
        anyhow::bail!(
            "файл аналитической справки {file} уже существует: чтобы заменить его, добавьте --force; \
             чтобы не писать справку — --no-note"
        );
    }
    // The summary compared with: the one named by --compare, else the same campaign of
    // the previous school year when its summary is at hand (missing: said once).
    let previous = match &a.compare {
        Some(p) => Some(read_previous(p).with_context(|| format!("--compare {}", p.display()))?),
        None => {
            let (folders, _) = settings.previous_paths(a.previous.as_deref(), &out);
            let district = settings.district_mark().map(|(code, _)| code);
            let search = find_year_before(&campaign, &folders, district.as_deref());
            for note in &search.notes {
                eprintln!("profplan: сравнение с прошлым годом: {note}");
            }
            search.found.map(|(_, p)| p)
        }
    };
    let key = super::district_key(&settings)?;
    let mut intake = super::intake(
        &campaign,
        &registry,
        &dir,
        IntakeOptions {
            as_of,
            include_invalid: a.include_invalid,
            district: settings.district(),
            key,
        },
    )?;
    super::note_missing_key(&settings, key.as_ref(), intake.unverifiable);
    super::inter_period(&settings, &campaign, a.previous.as_deref(), &out, &mut intake);
    let district = consolidate(&campaign, &intake.data);
    let mark = settings.district_mark().map(|(code, name)| DistrictMark { code, name });
    let input = SummaryInput {
        campaign: &campaign,
        registry: &registry,
        report: &intake.report,
        schools: &intake.data,
        district: &district,
        generated: as_of,
        previous: previous.as_ref(),
    };
    let bytes = write_summary_of(&input, mark.as_ref())?;
    let summary_name =
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let note_bytes = match &note {
        Some(_) => Some(write_note(&input, &summary_name)?),
        None => None,
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("не удалось создать папку {}", parent.display()))?;
    }
    // The summary and its note go in place together: one open in Excel or Word leaves both
    // old files as they were.
    let mut staged = vec![stage(&out, &bytes)?];
    if let (Some(path), Some(b)) = (&note, &note_bytes) {
        staged.push(stage(path, b)?);
    }
    replace_all(staged, a.force)?;

    let r = &intake.report;
    let names = |s: Status| -> Vec<String> {
        r.schools.iter().filter(|x| x.status == s).map(|x| x.name.clone()).collect()
    };
    println!("Сводный отчёт: {}", out.display());
    if let Some(path) = &note {
        println!("Аналитическая справка: {}", path.display());
    }
    let mut line = format!(
        "Принято {} из {} ОО (в свод вошло: {}); с опозданием: {}",
        r.counts.accepted,
        r.counts.schools,
        intake.data.len(),
        r.counts.late
    );
    for (status, title) in [
        (Status::Missing, "не сдали"),
        (Status::Expected, "ожидаются"),
        (Status::Invalid, "с ошибками"),
    ] {
        let n = names(status);
        if !n.is_empty() {
            line.push_str(&format!("; {title} ({}): {}", n.len(), n.join(", ")));
        }
    }
    println!("{line}");
    if r.counts.invalid > 0 && !a.include_invalid {
        println!(
            "Отчёты с ошибками в свод не вошли; подробности — profplan check или лист «Замечания»."
        );
    }
    Ok(r.exit_code())
}
