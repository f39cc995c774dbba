//! `profplan check`: who has not returned the form, who is late, which returns are invalid
//! and what exactly each school must fix. Exit code 0 when every school is accepted, 1
//! when some school is missing (or still expected) or has errors.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use profplan::output::{existing, write_atomic, Inputs};
use profplan::render::{self, Letter};

use crate::cli::{CheckArgs, GlobalArgs, OutputFormat};

pub fn run(g: &GlobalArgs, a: &CheckArgs) -> Result<u8> {
    let ws = super::Workspace::open(g)?;
    let run = ws.returns(a.as_of, a.returns.as_deref())?;
    // Letters never go among the returns (nor over an input): refused before any work.
    let inputs = ws.inputs(Some(&run.dir), &[]);
    let letters_dir = ws.settings.letters_dir(a.letters.as_deref());
    if let Some(d) = &letters_dir {
        inputs.refuse(&d.join(MAILING_LIST), "письма")?;
    }
    let summary = ws.settings.summary_path(None, &run.campaign.id());
    let intake = run.intake(false, a.previous.as_deref(), &summary)?;
    let report = &intake.report;

    let mut out = std::io::stdout().lock();
    match a.format {
        OutputFormat::Text => out.write_all(render::text(report, super::color()).as_bytes())?,
        OutputFormat::Json => render::json_to(report, std::io::BufWriter::new(&mut out))?,
        OutputFormat::Csv => out.write_all(&render::csv_findings(report, &run.registry))?,
    }
    out.flush()?;

    if let Some(dir) = letters_dir {
        let letters = render::letters(report, &run.registry, &ws.settings.contacts());
        write_letters(&letters, &dir, &inputs, a.force)?;
        eprintln!(
            "Писем: {} в папку {} (и список рассылки {MAILING_LIST})",
            letters.len(),
            dir.display()
        );
    }
    Ok(report.exit_code())
}

/// The mailing list beside the letters.
const MAILING_LIST: &str = "рассылка.csv";

/// Each letter as a text file, and the mailing list; none written when one exists
/// (without `--force`) or would go over an input.
fn write_letters(letters: &[Letter], dir: &Path, inputs: &Inputs, force: bool) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("не удалось создать папку {}", dir.display()))?;
    let mut files: Vec<(PathBuf, Vec<u8>)> =
        letters.iter().map(|l| (dir.join(l.file_name()), l.file_text().into_bytes())).collect();
    files.push((dir.join(MAILING_LIST), render::letters_csv(letters)));
    if let Some(list) = existing(files.iter().map(|(p, _)| p.as_path()), force) {
        anyhow::bail!("письма уже есть: {list}; чтобы заменить их, добавьте --force");
    }
    for (path, _) in &files {
        inputs.refuse(path, "письмо")?;
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes, force)?;
    }
    Ok(())
}
