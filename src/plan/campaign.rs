//! Academic years and campaigns: which items a campaign collects, which school-profile
//! figures its form asks for, which control rules apply, and the year placeholders in texts.
//!
//! A campaign is named by its deadline date (`2025-12-20`). The academic year runs from
//! 1 September to 31 August, so 20.12.2025 and 25.05.2026 both belong to 2025/26.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::plan::expr::Term;
use crate::plan::{CampaignDef, Field, Item, Plan, Rule, Share, Table};

/// An academic year, named by the calendar year it starts in: 2025 is 2025/26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcademicYear(pub i32);

impl AcademicYear {
    /// The academic year a date falls in.
    pub fn of(date: NaiveDate) -> AcademicYear {
        if date.month() >= 9 {
            AcademicYear(date.year())
        } else {
            AcademicYear(date.year() - 1)
        }
    }
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 9, 1).expect("1 September exists")
    }
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 8, 31).expect("31 August exists")
    }
    pub fn prev(self) -> AcademicYear {
        AcademicYear(self.0 - 1)
    }
    /// The date in this academic year with the given month and day (29.02 in a common
    /// year is None).
    pub fn date(self, month: u32, day: u32) -> Option<NaiveDate> {
        let year = if month >= 9 { self.0 } else { self.0 + 1 };
        NaiveDate::from_ymd_opt(year, month, day)
    }
}

impl fmt::Display for AcademicYear {
    /// «2025/26»
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

/// Parse a date as users type it: `2025-12-20` or `20.12.2025`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

/// Russian date as on forms: «20.12.2025».
pub fn ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Russian date in words: «20 декабря 2025 г.».
pub fn ru_date_long(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    format!("{} {} {} г.", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// Why a campaign date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CampaignError {
    /// The text is not a date.
    #[error("«{0}» — не дата кампании: укажите срок в виде ГГГГ-ММ-ДД, например 2025-12-20")]
    NotADate(String),
    /// A date, but no campaign of the plan has it as its deadline; `campaigns` lists
    /// those of its academic year.
    #[error("в плане нет кампании со сроком {}; кампании {year} учебного года: {campaigns}", ru_date(*.date))]
    NoSuchDeadline { date: NaiveDate, year: AcademicYear, campaigns: String },
}

/// One campaign of a plan in one academic year.
#[derive(Debug, Clone, Copy)]
pub struct Campaign<'p> {
    pub plan: &'p Plan,
    pub def: &'p CampaignDef,
    pub deadline: NaiveDate,
}

impl<'p> Campaign<'p> {
    /// The campaign whose deadline is `date`.
    pub fn resolve(plan: &'p Plan, date: NaiveDate) -> Result<Campaign<'p>, CampaignError> {
        match plan.campaigns.iter().find(|c| c.month == date.month() && c.day == date.day()) {
            Some(def) => Ok(Campaign { plan, def, deadline: date }),
            None => {
                let year = AcademicYear::of(date);
                let valid: Vec<String> = campaigns_of_year(plan, year)
                    .iter()
                    .map(|c| format!("{} ({})", c.id(), c.def.title))
                    .collect();
                Err(CampaignError::NoSuchDeadline { date, year, campaigns: valid.join(", ") })
            }
        }
    }

    /// Parse `2025-12-20` / `20.12.2025` and resolve.
    pub fn parse(plan: &'p Plan, text: &str) -> Result<Campaign<'p>, CampaignError> {
        let date = parse_date(text).ok_or_else(|| CampaignError::NotADate(text.to_string()))?;
        Campaign::resolve(plan, date)
    }

    /// «2025-12-20»: the campaign's name in files, JSON and on the command line.
    pub fn id(&self) -> String {
        self.deadline.format("%Y-%m-%d").to_string()
    }

    pub fn academic_year(&self) -> AcademicYear {
        AcademicYear::of(self.deadline)
    }

    /// Replace `{year}` and `{prev_year}` with this campaign's academic years.
    pub fn text(&self, s: &str) -> String {
        if !s.contains('{') {
            return s.to_string();
        }
        let y = self.academic_year();
        s.replace("{year}", &y.to_string()).replace("{prev_year}", &y.prev().to_string())
    }

    /// Items collected, in plan order.
    pub fn items(&self) -> Vec<&'p Item> {
        self.plan.items().filter(|i| self.def.items.iter().any(|c| c == &i.code)).collect()
    }

    pub fn has_item(&self, code: &str) -> bool {
        self.def.items.iter().any(|c| c == code)
    }

    /// Fields of the campaign's items (not the profile), in plan order.
    pub fn item_fields(&self) -> Vec<(&'p Item, &'p Field)> {
        self.items().into_iter().flat_map(|i| i.fields.iter().map(move |f| (i, f))).collect()
    }

    pub fn shares(&self) -> Vec<(&'p Item, &'p Share)> {
        self.items().into_iter().flat_map(|i| i.shares.iter().map(move |s| (i, s))).collect()
    }

    pub fn tables(&self) -> Vec<(&'p Item, &'p Table)> {
        self.items().into_iter().flat_map(|i| i.tables.iter().map(move |t| (i, t))).collect()
    }

    /// Profile fields this campaign's form asks for: those its shares and applicable
    /// control rules refer to, in profile order.
    pub fn profile_fields(&self) -> Vec<&'p Field> {
        let item_fields: BTreeSet<&str> =
            self.item_fields().iter().map(|(_, f)| f.code.as_str()).collect();
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for (_, s) in self.shares() {
            for e in [&s.numerator, &s.denominator] {
                wanted.extend(e.expr().fields().map(str::to_string));
            }
        }
        for r in &self.plan.rules {
            if r.table.is_some() {
                continue;
            }
            let fields = rule_fields(r);
            // A rule is about this campaign when it names one of its item fields.
            if fields.iter().any(|f| item_fields.contains(f.as_str())) {
                wanted.extend(fields);
            }
        }
        self.plan.profile.iter().filter(|f| wanted.contains(&f.code)).collect()
    }

    /// Every input field of the form: profile block first, then items.
    pub fn fields(&self) -> Vec<&'p Field> {
        let mut v = self.profile_fields();
        v.extend(self.item_fields().into_iter().map(|(_, f)| f));
        v
    }

    /// Control rules that apply: every field and table they name is on this form.
    pub fn rules(&self) -> Vec<&'p Rule> {
        let fields: BTreeSet<String> = self.fields().iter().map(|f| f.code.clone()).collect();
        let tables: BTreeSet<&str> = self.tables().iter().map(|(_, t)| t.code.as_str()).collect();
        self.plan
            .rules
            .iter()
            .filter(|r| match &r.table {
                Some(t) => tables.contains(t.as_str()),
                None => [&r.left, &r.right].iter().all(|e| {
                    e.expr().terms.iter().all(|t| match t {
                        Term::Number(_) => true,
                        Term::Field(c) => fields.contains(c),
                        Term::Sum { table, .. } => tables.contains(table.as_str()),
                    })
                }),
            })
            .collect()
    }
}

/// Field codes named by a (non-table) rule.
fn rule_fields(r: &Rule) -> Vec<String> {
    [&r.left, &r.right].iter().flat_map(|e| e.expr().fields().map(str::to_string)).collect()
}

/// The campaigns of an academic year, by deadline.
pub fn campaigns_of_year(plan: &Plan, year: AcademicYear) -> Vec<Campaign<'_>> {
    let mut v: Vec<Campaign<'_>> = plan
        .campaigns
        .iter()
        .filter_map(|def| {
            year.date(def.month, def.day).map(|deadline| Campaign { plan, def, deadline })
        })
        .collect();
    v.sort_by_key(|c| c.deadline);
    v
}

/// The campaign a methodologist most likely means today: the next deadline on or after
/// `today`, or the last one of the year when all have passed.
pub fn current_campaign(plan: &Plan, today: NaiveDate) -> Option<Campaign<'_>> {
    let this = campaigns_of_year(plan, AcademicYear::of(today));
    let next = campaigns_of_year(plan, AcademicYear::of(today).0.checked_add(1).map(AcademicYear)?);
    this.into_iter().chain(next).find(|c| c.deadline >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn academic_years() {
        assert_eq!(AcademicYear::of(d(2025, 9, 1)), AcademicYear(2025));
        assert_eq!(AcademicYear::of(d(2025, 8, 31)), AcademicYear(2024));
        assert_eq!(AcademicYear::of(d(2026, 5, 25)).to_string(), "2025/26");
        assert_eq!(AcademicYear(1999).to_string(), "1999/00");
        assert_eq!(AcademicYear(2025).date(5, 25), Some(d(2026, 5, 25)));
        assert_eq!(AcademicYear(2025).date(2, 29), None);
        assert_eq!(AcademicYear(2027).date(2, 29), Some(d(2028, 2, 29)));
    }

    #[test]
    fn default_plan_campaigns() {
        let plan = Plan::default_plan();
        let year = campaigns_of_year(&plan, AcademicYear(2025));
        let ids: Vec<String> = year.iter().map(|c| c.id()).collect();
        assert_eq!(ids, ["2025-09-15", "2025-12-20", "2026-05-25", "2026-06-01"]);
        let dec = Campaign::parse(&plan, "2025-12-20").unwrap();
        assert!(dec.has_item("2.1") && !dec.has_item("1.3"));
        let profile: Vec<&str> = dec.profile_fields().iter().map(|f| f.code.as_str()).collect();
        assert_eq!(profile, ["oo_students_6_11", "oo_students_ovz", "oo_teachers"]);
        assert!(Campaign::parse(&plan, "2025-12-21")
            .unwrap_err()
            .to_string()
            .contains("2025-12-20"));
        assert!(Campaign::parse(&plan, "завтра").is_err());
    }

    #[test]
    fn year_placeholders_use_the_campaign_year() {
        let plan = Plan::default_plan();
        let sep = Campaign::parse(&plan, "15.09.2025").unwrap();
        let item = plan.item("4.1").unwrap();
        assert!(sep.text(&item.indicator).contains("2024/25 учебного года"));
        assert_eq!(sep.text("{year}"), "2025/26");
        let june = Campaign::parse(&plan, "2026-06-01").unwrap();
        assert_eq!(june.profile_fields().len(), 1);
        assert_eq!(june.rules().len(), 1);
    }

    #[test]
    fn current_campaign_is_next_deadline() {
        let plan = Plan::default_plan();
        assert_eq!(current_campaign(&plan, d(2025, 11, 26)).unwrap().id(), "2025-12-20");
        assert_eq!(current_campaign(&plan, d(2026, 6, 2)).unwrap().id(), "2026-09-15");
    }
}
