//! `profplan campaigns`: the campaigns of an academic year — deadline, the id to pass as
//! `--campaign`, title, the items each collects — as text, JSON or CSV.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::csv::csv_table;
use crate::config::CampaignOrigin;
use crate::plan::campaign::{ru_date, AcademicYear, Campaign};
use crate::plan::Plan;

/// The campaigns of one academic year, and the one commands use when none is named.
pub struct Year<'a> {
    pub plan: &'a Plan,
    pub year: AcademicYear,
    pub campaigns: &'a [Campaign<'a>],
    /// The deadline of the campaign commands use when none is named, and why it is that one.
    pub selected: Option<(NaiveDate, CampaignOrigin)>,
}

impl Year<'_> {
    fn is_selected(&self, c: &Campaign<'_>) -> bool {
        self.selected.is_some_and(|(d, _)| d == c.deadline)
    }
}

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

/// `campaigns --format json` (pretty-printed, newline at the end).
pub fn json(y: &Year<'_>) -> String {
    let doc = YearJson {
        academic_year: y.year.to_string(),
        plan: PlanRef { id: y.plan.id.clone(), version: y.plan.version.clone() },
        campaigns: y
            .campaigns
            .iter()
            .map(|c| CampaignJson {
                id: c.id(),
                code: c.def.code.clone(),
                title: c.text(&c.def.title),
                deadline: c.id(),
                items_count: c.items().len(),
                items: c.items().iter().map(|i| i.code.clone()).collect(),
                selected: y.is_selected(c),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("campaigns serialize");
    s.push('\n');
    s
}

/// `campaigns --format csv`: one row per campaign.
pub fn csv(y: &Year<'_>) -> Vec<u8> {
    let rows = y
        .campaigns
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
    csv_table(&["Срок", "Кампания", "Код", "Название", "Пунктов", "Пункты"], rows)
}

/// The year as a table, the default campaign marked «→», and how to issue its forms.
pub fn text(y: &Year<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Отчётные кампании {} учебного года ({})", y.year, y.plan.title);
    let _ = writeln!(out);
    let title_width = y.campaigns.iter().map(|c| c.def.title.chars().count()).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "  {:<10}  {:<10}  {:<title_width$}  {:>7}  Пункты",
        "Срок", "--campaign", "Название", "Пунктов"
    );
    for c in y.campaigns {
        let mark = if y.is_selected(c) { "→" } else { " " };
        let _ = writeln!(
            out,
            "{mark} {:<10}  {:<10}  {:<title_width$}  {:>7}  {}",
            ru_date(c.deadline),
            c.id(),
            c.text(&c.def.title),
            c.items().len(),
            item_list(c)
        );
    }
    if let Some((sel, origin)) =
        y.selected.filter(|(d, _)| y.campaigns.iter().any(|c| c.deadline == *d))
    {
        let why = match origin {
            CampaignOrigin::Flag => "указана ключом --campaign",
            CampaignOrigin::Config => "указана в profplan.toml",
            CampaignOrigin::Today => "ближайший срок",
        };
        let _ = writeln!(out, "\n→ кампания по умолчанию для команд ({why}): {}", ru_date(sel));
    }
    let _ = writeln!(
        out,
        "\nВыпустить формы кампании: profplan --campaign {} template",
        y.campaigns
            .iter()
            .find(|c| y.is_selected(c))
            .or(y.campaigns.first())
            .map(|c| c.id())
            .unwrap_or_else(|| "ГГГГ-ММ-ДД".into())
    );
    out
}

fn item_list(c: &Campaign<'_>) -> String {
    c.items().iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(", ")
}
