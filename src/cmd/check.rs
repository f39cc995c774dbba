//! `profplan check`: who has not returned the form, who is late, which returns are invalid
//! and what exactly each school must fix. Exit code 0 when every school is accepted, 1
//! when some school is missing (or still expected) or has errors.

use std::io::Write;

use anyhow::{Context, Result};

use profplan::check::intake::IntakeOptions;
use profplan::output::{existing, write_atomic};
use profplan::render;

use crate::cli::{CheckArgs, GlobalArgs, OutputFormat};

pub fn run(g: &GlobalArgs, a: &CheckArgs) -> Result<u8> {
    let settings = super::settings(g)?;
    let plan = settings.plan()?;
    let registry = super::registry(&settings, &plan)?;
    // `--as-of` is «today» for every choice, the campaign's included.
    let as_of = super::as_of(a.as_of);
    let campaign = settings.campaign(&plan, as_of)?;
    super::note_campaign_choice(&settings, &campaign);
    let dir = settings.returns_dir(a.returns.as_deref())?;
    // Letters never go among the returns (nor over an input): refused before any work.
    let inputs = super::inputs(&settings, Some(&dir), &[]);
    let letters_dir = settings.letters_dir(a.letters.as_deref());
    if let Some(d) = &letters_dir {
        inputs.refuse(&d.join("рассылка.csv"), "письма")?;
    }
    let key = super::district_key(&settings)?;
    let mut intake = super::intake(
        &campaign,
        &registry,
        &dir,
        IntakeOptions { as_of, include_invalid: false, district: settings.district(), key },
    )?;
    super::note_missing_key(&settings, key.as_ref(), intake.unverifiable);
    let summary = settings.summary_path(None, &campaign.id());
    super::inter_period(&settings, &campaign, a.previous.as_deref(), &summary, &mut intake);
    let report = &intake.report;

    let mut out = std::io::stdout().lock();
    match a.format {
        OutputFormat::Text => out.write_all(render::text(report, super::color()).as_bytes())?,
        OutputFormat::Json => out.write_all(render::json(report).as_bytes())?,
        OutputFormat::Csv => out.write_all(&render::csv_findings(report, &registry))?,
    }
    out.flush()?;

    if let Some(letters_dir) = letters_dir {
        let letters = render::letters(report, &registry, &settings.contacts());
        std::fs::create_dir_all(&letters_dir)
            .with_context(|| format!("не удалось создать папку {}", letters_dir.display()))?;
        let mut files: Vec<(std::path::PathBuf, Vec<u8>)> = letters
            .iter()
            .map(|l| {
                let name = profplan::form::layout::form_file_name(&l.school_id, "письмо");
                let name = name.trim_end_matches(".xlsx").to_string() + ".txt";
                let text = format!(
                    "Кому: {} <{}>\nТема: {}\n\n{}",
                    l.contact_person, l.email, l.subject, l.body
                );
                (letters_dir.join(name), text.into_bytes())
            })
            .collect();
        files.push((letters_dir.join("рассылка.csv"), render::letters_csv(&letters)));
        if let Some(list) = existing(files.iter().map(|(p, _)| p.as_path()), a.force) {
            anyhow::bail!("письма уже есть: {list}; чтобы заменить их, добавьте --force");
        }
        for (path, _) in &files {
            inputs.refuse(path, "письмо")?;
        }
        for (path, bytes) in &files {
            write_atomic(path, bytes, a.force)?;
        }
        eprintln!(
            "Писем: {} в папку {} (и список рассылки рассылка.csv)",
            letters.len(),
            letters_dir.display()
        );
    }
    Ok(report.exit_code())
}
