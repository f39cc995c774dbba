//! Inter-period checks (межпериодный контроль): a school's figures against what the same
//! school reported in the earlier campaigns of the school year.
//!
//! The plan marks fields: `cumulative = true` — counted from 1 September, so the value may
//! not fall from one campaign of the year to the next; `stable = { percent = N }` — a
//! profile figure (students, teachers) whose change by more than N % is worth a question.
//! Both give warnings, never errors: the school may be right, and the methodologist
//! decides.
//!
//! Earlier data comes from earlier profplan summaries (their «Данные» sheet, read by
//! [`crate::summary::read_previous`]): every summary of the same plan and school year
//! whose campaign came before this one, found in the folders and files the caller names.
//! For each school and field the latest earlier value is the baseline. No earlier data is
//! a note said once, not an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::check::report::CheckReport;
use crate::check::values::SchoolData;
use crate::finding::{Code, Finding};
use crate::plan::campaign::{campaigns_of_year, parse_date, ru_date, AcademicYear, Campaign};
use crate::plan::Field;
use crate::schools::Registry;
use crate::summary::{read_previous, read_previous_head, Previous};
use crate::text::plain_number;

/// Summaries of earlier campaigns of the school year, latest campaign first.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    pub summaries: Vec<EarlierSummary>,
}

#[derive(Debug, Clone)]
pub struct EarlierSummary {
    /// Deadline of its campaign.
    pub deadline: NaiveDate,
    /// Where it was read from (as the user named it or as found in a folder).
    pub path: PathBuf,
    pub data: Previous,
}

/// The outcome of looking for earlier data: what was found and what to tell the user
/// (once, on stderr or in the summary's notes).
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub earlier: Earlier,
    pub notes: Vec<String>,
}

/// Marked fields of a campaign's form.
fn marked<'p>(c: &Campaign<'p>) -> Vec<&'p Field> {
    c.fields().into_iter().filter(|f| f.cumulative || f.stable.is_some()).collect()
}

/// The `.xlsx` files a path stands for: the file itself, or the workbooks directly in the
/// folder (no subfolders: forms and returns live there), sorted by name.
fn candidates(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let Ok(rd) = std::fs::read_dir(path) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            !name.starts_with('.')
                && !name.starts_with("~$")
                && name.to_lowercase().ends_with(".xlsx")
        })
        .collect();
    v.sort();
    v
}

/// Find the summaries of earlier campaigns of `c`'s school year among `paths` (files or
/// folders). `explicit` paths were named by the user: a file there that cannot be used is
/// said so; other workbooks of a folder that are not summaries are passed over quietly.
/// `district`: this folder's district code, when set — summaries of other districts (a
/// folder may hold several) are not this district's schools.
pub fn find_earlier(
    c: &Campaign,
    paths: &[PathBuf],
    explicit: &[PathBuf],
    district: Option<&str>,
) -> Search {
    let mut notes = Vec::new();
    let year = c.academic_year();
    let mut seen: Vec<PathBuf> = Vec::new();
    // Campaign deadline → the summaries of it.
    let mut by_campaign: BTreeMap<NaiveDate, Vec<(PathBuf, Previous)>> = BTreeMap::new();
    for path in explicit.iter().chain(paths) {
        let named = explicit.contains(path);
        if named && !path.exists() {
            notes.push(format!("{}: файл или папка не найдены", path.display()));
            continue;
        }
        for file in candidates(path) {
            let key = std::fs::canonicalize(&file).unwrap_or(file.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let named_file = named && path.is_file();
            let prev = match read_previous_head(&file) {
                Ok(p) => p,
                Err(e) => {
                    if named_file {
                        notes.push(format!("{e:#}"));
                    }
                    continue;
                }
            };
            let theirs = prev.properties.get(crate::summary::PROP_DISTRICT).map(String::as_str);
            let why_not = if prev.plan_id.as_deref() != Some(c.plan.id.as_str()) {
                Some("свод другого плана".to_string())
            } else if theirs.is_some() && district.is_some() && theirs != district {
                Some(format!("свод другого района ({})", theirs.unwrap_or("")))
            } else {
                match prev.campaign.as_deref().and_then(parse_date) {
                    None => Some("в своде не указана кампания".to_string()),
                    Some(d) if AcademicYear::of(d) != year => {
                        Some(format!("свод {} учебного года", AcademicYear::of(d)))
                    }
                    Some(d) if d >= c.deadline => Some("свод не более ранней кампании".into()),
                    // An earlier campaign's summary: now read whole.
                    Some(d) => match read_previous(&file) {
                        Ok(whole) => {
                            by_campaign.entry(d).or_default().push((file.clone(), whole));
                            None
                        }
                        Err(e) => {
                            if named_file {
                                notes.push(format!("{e:#}"));
                            }
                            continue;
                        }
                    },
                }
            };
            if let (Some(why), true) = (why_not, named_file) {
                notes.push(format!(
                    "{}: не используется для межпериодного контроля: {why}",
                    file.display()
                ));
            }
        }
    }
    let mut summaries = Vec::new();
    for (deadline, mut list) in by_campaign.into_iter().rev() {
        // Two summaries of one campaign: the one made last (then the last by name).
        list.sort_by(|a, b| a.1.generated.cmp(&b.1.generated).then_with(|| a.0.cmp(&b.0)));
        let (path, data) = list.pop().expect("non-empty");
        if !list.is_empty() {
            notes.push(format!(
                "для кампании со сроком {} найдено сводов: {}; взят {}",
                ru_date(deadline),
                list.len() + 1,
                path.display()
            ));
        }
        summaries.push(EarlierSummary { deadline, path, data });
    }
    // Said once: the earlier campaign whose data is missing, when there is one to miss.
    let wanted: Vec<&str> = marked(c).iter().map(|f| f.code.as_str()).collect();
    let before = campaigns_of_year(c.plan, year).into_iter().rfind(|e| {
        e.deadline < c.deadline && e.fields().iter().any(|f| wanted.contains(&f.code.as_str()))
    });
    if let Some(b) = before {
        if !summaries.iter().any(|s| s.deadline == b.deadline) {
            let mut where_ = String::new();
            if let Some(p) = paths.first() {
                where_ = format!(" в папку {}", p.display());
            }
            notes.push(format!(
                "нет данных прошлой кампании «{}» (срок {}): межпериодный контроль по ней не \
                 выполнен. Положите её сводный отчёт (svod-{}.xlsx){where_} или укажите его \
                 ключом --previous",
                b.def.title,
                ru_date(b.deadline),
                b.id()
            ));
        }
    }
    Search { earlier: Earlier { summaries }, notes }
}

/// The summary of the same campaign of the previous school year, for the year-over-year
/// columns of `collect`, and what to say (once) when there is none.
#[derive(Debug, Clone, Default)]
pub struct YearBefore {
    pub found: Option<(PathBuf, Previous)>,
    pub notes: Vec<String>,
}

/// Find the summary of `c`'s campaign a school year earlier — same plan id, same campaign
/// of the plan (its deadline one year before), this district's or unmarked — among the
/// workbooks of `paths` (files or folders; other workbooks are passed over quietly). Two
/// such summaries: the one made last (then the last by name), said so.
pub fn find_year_before(c: &Campaign, paths: &[PathBuf], district: Option<&str>) -> YearBefore {
    let mut out = YearBefore::default();
    let Some(deadline) = c.academic_year().prev().date(c.def.month, c.def.day) else {
        return out;
    };
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut found: Vec<(PathBuf, Previous)> = Vec::new();
    for path in paths {
        for file in candidates(path) {
            let key = std::fs::canonicalize(&file).unwrap_or(file.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let Ok(head) = read_previous_head(&file) else { continue };
            let theirs = head.properties.get(crate::summary::PROP_DISTRICT).map(String::as_str);
            let other_district = theirs.is_some() && district.is_some() && theirs != district;
            if head.is_year_before(c) && !other_district {
                // Last year's summary of this campaign: now read whole.
                let Ok(prev) = read_previous(&file) else { continue };
                found.push((file, prev));
            }
        }
    }
    found.sort_by(|a, b| a.1.generated.cmp(&b.1.generated).then_with(|| a.0.cmp(&b.0)));
    out.found = found.pop();
    match &out.found {
        Some((path, _)) if !found.is_empty() => out.notes.push(format!(
            "сводов «{}» {} учебного года найдено: {}; для сравнения взят {}",
            c.def.title,
            c.academic_year().prev(),
            found.len() + 1,
            path.display()
        )),
        Some(_) => {}
        None => {
            // The summary's folder is "." when it is written into the current folder.
            let where_ = match paths.first() {
                Some(p) if p.as_os_str().is_empty() || p == std::path::Path::new(".") => {
                    " в текущей папке".to_string()
                }
                Some(p) => format!(" в папке {}", p.display()),
                None => String::new(),
            };
            out.notes.push(format!(
                "свода «{}» прошлого, {} учебного года (svod-{}.xlsx){where_} нет: свод \
                 составлен без сравнения с прошлым годом. Чтобы сравнить, положите тот свод \
                 в эту папку или укажите его ключом --compare",
                c.def.title,
                c.academic_year().prev(),
                deadline.format("%Y-%m-%d")
            ));
        }
    }
    out
}

/// Warnings for the schools' values against the earlier campaigns.
pub fn check(c: &Campaign, earlier: &Earlier, schools: &[SchoolData]) -> Vec<Finding> {
    let check = PeriodCheck::new(c, earlier);
    schools.iter().flat_map(|s| check.school(s)).collect()
}

/// The inter-period check of a campaign against the earlier campaigns found, ready to be
/// run on one school's values at a time: during the read, so that a school's values need
/// not be kept when nothing else needs them (`check`).
pub struct PeriodCheck<'a> {
    c: &'a Campaign<'a>,
    earlier: &'a Earlier,
    fields: Vec<&'a Field>,
    item_of: BTreeMap<&'a str, &'a str>,
}

impl<'a> PeriodCheck<'a> {
    pub fn new(c: &'a Campaign<'a>, earlier: &'a Earlier) -> PeriodCheck<'a> {
        let item_of =
            c.item_fields().into_iter().map(|(i, f)| (f.code.as_str(), i.code.as_str())).collect();
        PeriodCheck { c, earlier, fields: marked(c), item_of }
    }

    /// Nothing to compare with: no earlier summary was found.
    pub fn is_empty(&self) -> bool {
        self.earlier.summaries.is_empty()
    }

    /// The warnings of one school's values.
    pub fn school(&self, s: &SchoolData) -> Vec<Finding> {
        let (c, earlier, item_of) = (self.c, self.earlier, &self.item_of);
        let mut out = Vec::new();
        for f in &self.fields {
            let Some(fv) = s.fields.get(&f.code) else { continue };
            let Some(now) = fv.value.num() else { continue };
            let Some((was, from)) = earlier
                .summaries
                .iter()
                .find_map(|e| e.data.num(&s.school_id, &f.code).map(|v| (v, e)))
            else {
                continue;
            };
            let label = c.text(&f.label);
            let when = match &from.data.campaign_title {
                Some(t) => format!("«{t}», срок {}", ru_date(from.deadline)),
                None => format!("срок {}", ru_date(from.deadline)),
            };
            let mut found = Vec::new();
            if f.cumulative && now < was {
                found.push((
                    Code::PeriodDecrease,
                    format!(
                        "«{label}»: {} — меньше, чем в прошлой кампании ({when}): {}. \
                         Показатель считается нарастающим итогом с 1 сентября и уменьшиться \
                         не может: укажите значение за весь период с 1 сентября или объясните \
                         снижение методисту",
                        plain_number(now),
                        plain_number(was)
                    ),
                ));
            }
            if let Some(st) = f.stable {
                let jump = if was == 0.0 {
                    (now != 0.0).then(|| "было 0".to_string())
                } else {
                    let pct = (now - was) / was * 100.0;
                    (pct.abs() > st.percent).then(|| {
                        let sign = if pct > 0.0 { "+" } else { "−" };
                        format!("{sign}{} %", plain_number((pct.abs() * 10.0).round() / 10.0))
                    })
                };
                if let Some(change) = jump {
                    found.push((
                        Code::PeriodChange,
                        format!(
                            "«{label}»: {} — в прошлой кампании ({when}) было {} ({change}; \
                             обычно меняется не больше чем на {} %). Проверьте значение; если \
                             оно верно, сообщите методисту причину изменения",
                            plain_number(now),
                            plain_number(was),
                            plain_number(st.percent)
                        ),
                    ));
                }
            }
            for (code, message) in found {
                let mut x = Finding::warning(code, &s.file, message)
                    .at(&fv.source.sheet, &fv.source.cell)
                    .field(&f.code)
                    .school(&s.school_id);
                if let Some(i) = item_of.get(f.code.as_str()) {
                    x = x.item(*i);
                }
                out.push(x);
            }
        }
        out
    }
}

/// Put inter-period findings into a check report: each after its school's other
/// findings, counted among the school's warnings.
pub fn add_to_report(report: &mut CheckReport, registry: &Registry, findings: Vec<Finding>) {
    // The statuses are in registry order (issue 13: no map of every school's id).
    for f in &findings {
        let at = f.school.as_deref().and_then(|s| registry.first_position(s));
        if let Some(s) = at.and_then(|i| report.schools.get_mut(i)) {
            s.warnings += 1;
        }
    }
    report.findings.extend(findings);
    let rank =
        |f: &Finding| f.school.as_deref().and_then(|s| registry.position(s)).unwrap_or(usize::MAX);
    // Stable: within a school, the return's own findings keep their order and come first.
    report.findings.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.file.cmp(&b.file)));
}
