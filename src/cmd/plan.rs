//! `profplan plan`: show the plan.
//!
//! - `--format text` (default): the whole plan, readable — sections, items with deadline
//!   and responsible, fields with kind, unit and bounds, shares, tables, rules, campaigns.
//!   `{year}` / `{prev_year}` are shown as written: they take a campaign's years.
//! - `--format toml`: the plan's source text, unchanged (the embedded plan or the
//!   `--plan` file), to edit and pass back with `--plan FILE`.
//! - `--format json`: the description of one campaign's form (see `profplan::form::describe`),
//!   for the campaign of `--campaign`, `profplan.toml`, or the next deadline.

use std::io::Write as _;

use profplan::form::describe::describe;

use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};

pub fn run(g: &GlobalArgs, a: &PlanArgs) -> anyhow::Result<u8> {
    let ws = super::Workspace::open(g)?;
    let out = match a.format {
        PlanFormat::Toml => {
            let mut text = ws.source.text.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        }
        PlanFormat::Json => {
            let campaign = ws.campaign(super::today())?;
            let mut json = serde_json::to_string_pretty(&describe(&campaign))?;
            json.push('\n');
            json
        }
        PlanFormat::Text => profplan::render::plan::text(&ws.plan, &ws.source.name),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(0)
}
