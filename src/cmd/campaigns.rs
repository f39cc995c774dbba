//! `profplan campaigns [--year 2025]`: the campaigns of an academic year — deadline,
//! campaign id to pass as `--campaign`, title, and the items each collects.
//!
//! The default year is the academic year of today. The campaign a run would use without
//! `--campaign` (the configured one, or the next deadline) is marked.

use std::io::Write as _;

use profplan::plan::campaign::{campaigns_of_year, AcademicYear};
use profplan::render::campaigns::{self, Year};

use crate::cli::{CampaignsArgs, GlobalArgs, OutputFormat};

pub fn run(g: &GlobalArgs, a: &CampaignsArgs) -> anyhow::Result<u8> {
    let ws = super::Workspace::open(g)?;
    let today = super::today();
    let year = match a.year {
        Some(y) if !(1900..=2200).contains(&y) => {
            anyhow::bail!("--year {y}: укажите год начала учебного года, например --year 2025")
        }
        Some(y) => AcademicYear(y),
        None => AcademicYear::of(today),
    };
    // The campaign a command would use; a bad configured date is not this command's
    // business, so it only loses the mark.
    let selected = ws
        .settings
        .campaign(&ws.plan, today)
        .ok()
        .map(|c| (c.deadline, ws.settings.campaign_origin()));
    let list = campaigns_of_year(&ws.plan, year);
    let view = Year { plan: &ws.plan, year, campaigns: &list, selected };
    let bytes = match a.format {
        OutputFormat::Json => campaigns::json(&view).into_bytes(),
        OutputFormat::Csv => campaigns::csv(&view),
        OutputFormat::Text => campaigns::text(&view).into_bytes(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(0)
}
