//! Renderers of a check report: readable Russian text (for the terminal and for pasting
//! into an e-mail), JSON (a stable schema, documented in docs/check.md), CSV of findings, and
//! per-school letters with the registry's contacts. Renderers return strings; the binary
//! prints or writes them.

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::intake::ru_datetime;
use crate::check::report::{CheckReport, Outcome, SchoolStatus, Status};
use crate::config::contacts::Contacts;
use crate::finding::{Finding, Severity};
use crate::plan::campaign::ru_date;
use crate::schools::Registry;

/// Version of the JSON schema of `check --format json`.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Terminal styles; all empty when colour is off.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, style: anstyle::Style, s: &str) -> String {
        if self.on {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap(anstyle::Style::new().bold(), s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Red.on_default().bold(), s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Yellow.on_default(), s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Green.on_default(), s)
    }
}

/// The place and message of a finding inside a school's block (the file is named once above).
fn finding_line(f: &Finding) -> String {
    let mut s = String::new();
    if let Some(sheet) = &f.sheet {
        let _ = write!(s, "«{sheet}»");
        if let Some(cell) = &f.cell {
            let _ = write!(s, "!{cell}");
        }
        s.push(' ');
    }
    if let Some(item) = &f.item {
        let _ = write!(s, "(п. {item}) ");
    }
    s.push_str(&f.message);
    s
}

fn school_findings<'a>(r: &'a CheckReport, id: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.school.as_deref() == Some(id)).collect()
}

/// The headline counts, one line.
pub fn counts_line(r: &CheckReport) -> String {
    let c = &r.counts;
    let mut s = format!("ОО: {} · принято: {}", c.schools, c.accepted);
    // Each late count is a part of the count it follows: a late return with errors is
    // counted (and named) with the returns with errors, never with the accepted ones.
    if c.late > 0 {
        let _ = write!(s, " (из них с опозданием: {})", c.late);
    }
    let _ = write!(s, " · с ошибками: {}", c.invalid);
    if c.invalid_late > 0 {
        let _ = write!(s, " (из них с опозданием: {})", c.invalid_late);
    }
    if c.missing > 0 || c.expected == 0 {
        let _ = write!(s, " · не сдано: {}", c.missing);
    }
    if c.expected > 0 {
        let _ = write!(s, " · ожидается: {}", c.expected);
    }
    s
}

/// The readable report: counts first, then each school that must act with its findings.
pub fn text(r: &CheckReport, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "Проверка отчётов: {} (кампания {}, срок {}), на {}",
            r.campaign_title,
            r.campaign,
            ru_date(r.deadline),
            ru_date(r.as_of)
        ))
    );
    let _ = writeln!(out, "{}", counts_line(r));
    let c = &r.counts;
    let _ = writeln!(
        out,
        "Файлов в папке: {} · отклонено: {} · пропущено служебных: {}",
        c.files, c.rejected_files, c.skipped_files
    );

    let group = |status: Status| -> Vec<&SchoolStatus> {
        r.schools.iter().filter(|s| s.status == status).collect()
    };
    let missing = group(Status::Missing);
    if !missing.is_empty() {
        let _ = writeln!(out, "\n{}", p.red(&format!("Не сдали отчёт ({}):", missing.len())));
        for s in missing {
            let _ = writeln!(out, "  {} — {}", s.id, s.name);
            for f in school_findings(r, &s.id) {
                let _ = writeln!(out, "    • {}: {}", f.file, finding_line(f));
            }
        }
    }
    let expected = group(Status::Expected);
    if !expected.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.bold(&format!("Ожидаются до {} ({}):", ru_date(r.deadline), expected.len()))
        );
        for s in expected {
            let _ = writeln!(out, "  {} — {}", s.id, s.name);
            for f in school_findings(r, &s.id) {
                let _ = writeln!(out, "    • {}: {}", f.file, finding_line(f));
            }
        }
    }
    let invalid = group(Status::Invalid);
    if !invalid.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.red(&format!("С ошибками — вернуть на доработку ({}):", invalid.len()))
        );
        for s in invalid {
            school_block(&mut out, &p, r, s);
        }
    }
    let warned: Vec<&SchoolStatus> =
        r.schools.iter().filter(|s| s.status == Status::Accepted && s.warnings > 0).collect();
    if !warned.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.yellow(&format!("Приняты с предупреждениями ({}):", warned.len()))
        );
        for s in warned {
            school_block(&mut out, &p, r, s);
        }
    }
    let clean: Vec<&SchoolStatus> =
        r.schools.iter().filter(|s| s.status == Status::Accepted && s.warnings == 0).collect();
    if !clean.is_empty() {
        let _ =
            writeln!(out, "\n{}", p.green(&format!("Приняты без замечаний ({}):", clean.len())));
        for s in clean {
            let _ = writeln!(out, "  {} — {}", s.id, s.name);
        }
    }
    let foreign: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.school.as_deref().is_none_or(|id| r.schools.iter().all(|s| s.id != id)))
        .collect();
    if !foreign.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.bold(&format!("Файлы, которые не удалось использовать ({}):", foreign.len()))
        );
        for f in foreign {
            let _ = writeln!(out, "  • {}: {}", f.file, finding_line(f));
        }
    }
    let skipped: Vec<&str> =
        r.files.iter().filter(|f| f.outcome == Outcome::Skipped).map(|f| f.path.as_str()).collect();
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nПропущены служебные файлы ({}): {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
    out
}

fn school_block(out: &mut String, p: &Paint, r: &CheckReport, s: &SchoolStatus) {
    let file = s.file.as_deref().unwrap_or("—");
    let saved = s
        .saved_at
        .map(|t| format!("{} {}", ru_datetime(t), r.district.label()))
        .unwrap_or_else(|| "время сохранения неизвестно".into());
    let late = if s.late { ", сдан с опозданием" } else { "" };
    let _ = writeln!(out, "  {} — {}", p.bold(&s.id), p.bold(&s.name));
    let _ = writeln!(
        out,
        "    файл {file} (сохранён {saved}{late}); ошибок: {}, предупреждений: {}",
        s.errors, s.warnings
    );
    for f in school_findings(r, &s.id) {
        let mark = match f.severity {
            Severity::Error => p.red("ошибка"),
            Severity::Warning => p.yellow("предупреждение"),
        };
        let other_file = if Some(f.file.as_str()) != s.file.as_deref() {
            format!("{}: ", f.file)
        } else {
            String::new()
        };
        let _ = writeln!(out, "    • {mark}: {other_file}{}", finding_line(f));
    }
}

/// `check --format json`.
#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    plan: JsonPlan<'a>,
    campaign: JsonCampaign<'a>,
    timezone: &'static str,
    as_of: String,
    counts: &'a crate::check::report::Counts,
    schools: Vec<JsonSchool<'a>>,
    findings: Vec<JsonFinding<'a>>,
    files: &'a [crate::check::report::FileRecord],
    exit_code: u8,
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    id: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonCampaign<'a> {
    id: &'a str,
    title: &'a str,
    deadline: String,
}

#[derive(Serialize)]
struct JsonSchool<'a> {
    id: &'a str,
    name: &'a str,
    status: Status,
    status_ru: &'static str,
    late: bool,
    file: Option<&'a str>,
    files: &'a [String],
    saved_at: Option<String>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    school: Option<&'a str>,
    file: &'a str,
    sheet: Option<&'a str>,
    cell: Option<&'a str>,
    item: Option<&'a str>,
    field: Option<&'a str>,
    severity: Severity,
    code: crate::finding::Code,
    message: &'a str,
}

/// The JSON report (pretty-printed, stable key order).
pub fn json(r: &CheckReport) -> String {
    let doc = JsonReport {
        schema: JSON_SCHEMA_VERSION,
        plan: JsonPlan { id: &r.plan_id, version: &r.plan_version },
        campaign: JsonCampaign {
            id: &r.campaign,
            title: &r.campaign_title,
            deadline: r.deadline.to_string(),
        },
        timezone: r.district.name(),
        as_of: r.as_of.to_string(),
        counts: &r.counts,
        schools: r
            .schools
            .iter()
            .map(|s| JsonSchool {
                id: &s.id,
                name: &s.name,
                status: s.status,
                status_ru: s.status.ru(),
                late: s.late,
                file: s.file.as_deref(),
                files: &s.files,
                saved_at: s.saved_at.map(crate::check::report::rfc3339_text),
                errors: s.errors,
                warnings: s.warnings,
            })
            .collect(),
        findings: r
            .findings
            .iter()
            .map(|f| JsonFinding {
                school: f.school.as_deref(),
                file: &f.file,
                sheet: f.sheet.as_deref(),
                cell: f.cell.as_deref(),
                item: f.item.as_deref(),
                field: f.field.as_deref(),
                severity: f.severity,
                code: f.code,
                message: &f.message,
            })
            .collect(),
        files: &r.files,
        exit_code: r.exit_code(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
    s.push('\n');
    s
}

/// CSV as Russian Excel opens it: UTF-8 with BOM, `;`-separated, Russian headers. The one
/// CSV writer of every command (`check`, `schools`, `campaigns`, letters), so that every
/// CSV neutralises formula-like text the same way.
pub fn csv_table(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(header).expect("write to memory");
    for r in rows {
        // Excel takes a CSV cell starting with = + - @ (or a tab or carriage return before
        // one) for a formula (CSV injection): text from schools and registries is made inert.
        let safe: Vec<String> = r.into_iter().map(|c| inert(&c)).collect();
        w.write_record(&safe).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Text a spreadsheet would take for a formula gets a leading apostrophe.
fn inert(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `check --format csv`: one row per finding.
pub fn csv_findings(r: &CheckReport, registry: &Registry) -> Vec<u8> {
    let name = |id: &Option<String>| {
        id.as_deref().and_then(|i| registry.get(i)).map(|s| s.name.clone()).unwrap_or_default()
    };
    let rows = r
        .findings
        .iter()
        .map(|f| {
            vec![
                f.school.clone().unwrap_or_default(),
                name(&f.school),
                f.file.clone(),
                f.sheet.clone().unwrap_or_default(),
                f.cell.clone().unwrap_or_default(),
                f.item.clone().unwrap_or_default(),
                f.field.clone().unwrap_or_default(),
                match f.severity {
                    Severity::Error => "ошибка".into(),
                    Severity::Warning => "предупреждение".into(),
                },
                f.code.as_str(),
                f.message.clone(),
            ]
        })
        .collect();
    csv_table(
        &[
            "ОО",
            "Наименование",
            "Файл",
            "Лист",
            "Ячейка",
            "Пункт",
            "Поле",
            "Важность",
            "Код",
            "Сообщение",
        ],
        rows,
    )
}

/// A letter to a school that must act.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    pub school_id: String,
    pub school_name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub subject: String,
    pub body: String,
}

/// Letters to the schools that must act: missing, with errors (and accepted with warnings,
/// which they may want to correct).
pub fn letters(r: &CheckReport, registry: &Registry, contacts: &Contacts) -> Vec<Letter> {
    let send_to = if contacts.send_to.is_empty() {
        "в отдел образования"
    } else {
        contacts.send_to.as_str()
    };
    let mut out = Vec::new();
    for s in &r.schools {
        let must = matches!(s.status, Status::Missing | Status::Invalid | Status::Expected)
            || s.warnings > 0;
        if !must {
            continue;
        }
        let school = registry.get(&s.id);
        let mut body = String::new();
        let greeting = school
            .map(|x| x.contact_person.trim())
            .filter(|p| !p.is_empty())
            .map(|p| format!("Уважаемый(ая) {p}!"))
            .unwrap_or_else(|| "Добрый день!".into());
        let _ = writeln!(body, "{greeting}\n");
        let subject;
        match s.status {
            Status::Missing => {
                subject =
                    format!("Отчёт по профориентации: не получен (срок {})", ru_date(r.deadline));
                let _ = writeln!(
                    body,
                    "Отчёт «{}» (кампания {}) от {} не получен, а срок сдачи — {} — прошёл. Пожалуйста, заполните выданную форму и направьте её {send_to} как можно скорее.",
                    r.campaign_title, r.campaign, s.name, ru_date(r.deadline)
                );
            }
            Status::Expected => {
                subject =
                    format!("Отчёт по профориентации: напоминание, срок {}", ru_date(r.deadline));
                let _ = writeln!(
                    body,
                    "Напоминаем: отчёт «{}» (кампания {}) от {} нужно сдать до {} включительно. Заполните выданную форму и направьте её {send_to}.",
                    r.campaign_title, r.campaign, s.name, ru_date(r.deadline)
                );
            }
            Status::Invalid => {
                subject = "Отчёт по профориентации: требуется исправление".into();
                let _ = writeln!(
                    body,
                    "В отчёте «{}» ({}), полученном от {}, есть ошибки. Исправьте их в том же файле и направьте его повторно:",
                    r.campaign_title, s.file.as_deref().unwrap_or(""), s.name
                );
            }
            Status::Accepted => {
                subject = "Отчёт по профориентации: принят, есть замечания".into();
                let _ = writeln!(body, "Отчёт {} принят. Обратите внимание на замечания:", s.name);
            }
        }
        for f in school_findings(r, &s.id) {
            let kind = match f.severity {
                Severity::Error => "ошибка",
                Severity::Warning => "замечание",
            };
            let _ = writeln!(body, "  • {kind}: {}", finding_line(f));
        }
        let _ = writeln!(body, "\n{}", contacts.signature());
        out.push(Letter {
            school_id: s.id.clone(),
            school_name: s.name.clone(),
            contact_person: school.map(|x| x.contact_person.clone()).unwrap_or_default(),
            email: school.map(|x| x.email.clone()).unwrap_or_default(),
            phone: school.map(|x| x.phone.clone()).unwrap_or_default(),
            subject,
            body,
        });
    }
    out
}

/// The mailing list as CSV: one row per letter.
pub fn letters_csv(letters: &[Letter]) -> Vec<u8> {
    let rows = letters
        .iter()
        .map(|l| {
            vec![
                l.school_id.clone(),
                l.school_name.clone(),
                l.contact_person.clone(),
                l.email.clone(),
                l.phone.clone(),
                l.subject.clone(),
                l.body.clone(),
            ]
        })
        .collect();
    csv_table(
        &["ОО", "Наименование", "Контактное лицо", "E-mail", "Телефон", "Тема", "Текст"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::{CheckReport, Counts, SchoolStatus};
    use crate::schools::School;

    fn report(status: Status) -> CheckReport {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, 20).unwrap();
        CheckReport {
            plan_id: "p".into(),
            plan_version: "v".into(),
            campaign: "2025-12-20".into(),
            campaign_title: "Промежуточный отчёт".into(),
            deadline: d,
            district: Default::default(),
            as_of: d,
            counts: Counts::default(),
            schools: vec![SchoolStatus {
                id: "101".into(),
                name: "Школа".into(),
                status,
                late: false,
                file: None,
                files: vec![],
                saved_at: None,
                errors: 0,
                warnings: 0,
            }],
            findings: vec![],
            files: vec![],
        }
    }

    #[test]
    fn letters_remind_before_the_deadline_and_chase_after_it() {
        let school = School {
            id: "101".into(),
            name: "Школа".into(),
            short_name: "Школа".into(),
            profile: Default::default(),
            contact_person: "Иванова М. П.".into(),
            email: "school@example.ru".into(),
            phone: String::new(),
        };
        let reg = Registry::new(vec![school]);
        let before = letters(&report(Status::Expected), &reg, &Contacts::default());
        assert_eq!(before[0].subject, "Отчёт по профориентации: напоминание, срок 20.12.2025");
        assert!(before[0].body.starts_with("Уважаемый(ая) Иванова М. П.!"));
        assert!(before[0].body.contains("до 20.12.2025 включительно"));
        let after = letters(&report(Status::Missing), &reg, &Contacts::default());
        assert!(after[0].subject.contains("не получен"));
        assert!(after[0].body.contains("прошёл"));
        assert_eq!(after[0].email, "school@example.ru");
        assert!(letters(&report(Status::Accepted), &reg, &Contacts::default()).is_empty());
    }
}
