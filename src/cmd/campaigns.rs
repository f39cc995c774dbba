//! `profplan campaigns [--year 2025]`: the campaigns of an academic year — deadline,
//! campaign id to pass as `--campaign`, title, and the items each collects.
//!
//! The default year is the academic year of today. The campaign a run would use without
//! `--campaign` (the configured one, or the next deadline) is marked.

use std::io::Write as _;

use chrono::NaiveDate;
use profplan::config::CampaignOrigin;
use profplan::plan::campaign::{campaigns_of_year, ru_date, AcademicYear, Campaign};
use serde::Serialize;

use crate::cli::{CampaignsArgs, GlobalArgs, OutputFormat};

#[derive(Serialize)]
struct YearJson {
    academic_year: String,
    plan: PlanRef,
    campaigns: Vec<CampaignJson>,
}

#[derive(Serialize)]
struct PlanRef {
    id: String,
    version: String,
}

#[derive(Serialize)]
struct CampaignJson {
    id: String,
    code: String,
    title: String,
    deadline: String,
    items_count: usize,
    items: Vec<String>,
    /// The campaign commands use when none is named.
    selected: bool,
}

pub fn run(g: &GlobalArgs, a: &CampaignsArgs) -> anyhow::Result<u8> {
    let settings = super::settings(g)?;
    let plan = settings.plan()?;
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
    let selected: Option<NaiveDate> =
        settings.campaign(&plan, today).ok().map(|c: Campaign<'_>| c.deadline);
    let campaigns = campaigns_of_year(&plan, year);

    let mut out = std::io::stdout().lock();
    match a.format {
        OutputFormat::Json => {
            let json = YearJson {
                academic_year: year.to_string(),
                plan: PlanRef { id: plan.id.clone(), version: plan.version.clone() },
                campaigns: campaigns
                    .iter()
                    .map(|c| CampaignJson {
                        id: c.id(),
                        code: c.def.code.clone(),
                        title: c.text(&c.def.title),
                        deadline: c.id(),
                        items_count: c.items().len(),
                        items: c.items().iter().map(|i| i.code.clone()).collect(),
                        selected: selected == Some(c.deadline),
                    })
                    .collect(),
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        OutputFormat::Csv => {
            let rows = campaigns
                .iter()
                .map(|c| {
                    vec![
                        ru_date(c.deadline),
                        c.id(),
                        c.def.code.clone(),
                        c.text(&c.def.title),
                        c.items().len().to_string(),
                        item_list(c),
                    ]
                })
                .collect();
            out.write_all(&profplan::render::csv_table(
                &["Срок", "Кампания", "Код", "Название", "Пунктов", "Пункты"],
                rows,
            ))?;
        }
        OutputFormat::Text => {
            writeln!(out, "Отчётные кампании {year} учебного года ({})", plan.title)?;
            writeln!(out)?;
            let title_width =
                campaigns.iter().map(|c| c.def.title.chars().count()).max().unwrap_or(0);
            writeln!(
                out,
                "  {:<10}  {:<10}  {:<title_width$}  {:>7}  Пункты",
                "Срок", "--campaign", "Название", "Пунктов"
            )?;
            for c in &campaigns {
                let mark = if selected == Some(c.deadline) { "→" } else { " " };
                writeln!(
                    out,
                    "{mark} {:<10}  {:<10}  {:<title_width$}  {:>7}  {}",
                    ru_date(c.deadline),
                    c.id(),
                    c.text(&c.def.title),
                    c.items().len(),
                    item_list(c)
                )?;
            }
            if let Some(sel) = selected.filter(|d| campaigns.iter().any(|c| c.deadline == *d)) {
                let why = match settings.campaign_origin() {
                    CampaignOrigin::Flag => "указана ключом --campaign",
                    CampaignOrigin::Config => "указана в profplan.toml",
                    CampaignOrigin::Today => "ближайший срок",
                };
                writeln!(out, "\n→ кампания по умолчанию для команд ({why}): {}", ru_date(sel))?;
            }
            writeln!(
                out,
                "\nВыпустить формы кампании: profplan --campaign {} template",
                campaigns
                    .iter()
                    .find(|c| selected == Some(c.deadline))
                    .or(campaigns.first())
                    .map(|c| c.id())
                    .unwrap_or_else(|| "ГГГГ-ММ-ДД".into())
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

fn item_list(c: &Campaign<'_>) -> String {
    c.items().iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(", ")
}
