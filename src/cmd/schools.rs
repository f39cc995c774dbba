//! `profplan schools`: read the school registry and show what profplan understood —
//! ids, short names (used in form file names), contacts and prefilled profile figures —
//! so that a mistake in the CSV is found before forms go out, not after.
//!
//! Warnings (ignored columns, odd e-mails) go to stderr; a registry that cannot be used
//! is an error (exit 2) naming the line.

use std::io::Write as _;

use profplan::render::schools;

use crate::cli::{GlobalArgs, OutputFormat, SchoolsArgs};

pub fn run(g: &GlobalArgs, a: &SchoolsArgs) -> anyhow::Result<u8> {
    let ws = super::Workspace::open(g)?;
    let (registry, warnings) = ws.settings.registry_with_warnings(&ws.plan)?;
    for w in &warnings {
        eprintln!("profplan: предупреждение: {w}");
    }
    ws.warn_if_example(&registry);
    let bytes = match a.format {
        OutputFormat::Json => schools::json(&registry).into_bytes(),
        OutputFormat::Csv => schools::csv(&registry, &ws.plan),
        OutputFormat::Text => {
            schools::text(&registry, &ws.plan, ws.settings.schools_path()?).into_bytes()
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(0)
}
