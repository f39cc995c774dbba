//! `check` as readable text (for the terminal and for pasting into an e-mail) and as JSON
//! (a stable schema, documented in docs/check.md).

use std::fmt::Write as _;

use serde::Serialize;

use super::{finding_line, school_findings, Paint};
use crate::check::intake::ru_datetime;
use crate::check::report::{CheckReport, Outcome, SchoolStatus, Status};
use crate::finding::{Finding, Severity};
use crate::plan::campaign::ru_date;

/// Version of the JSON schema of `check --format json`.
pub const JSON_SCHEMA_VERSION: u32 = 1;

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
    schools_to_act(&mut out, &p, r);
    files_not_used(&mut out, &p, r);
    out
}

/// The schools by status, those that must act first: missing, expected, with errors,
/// accepted with warnings; then the accepted ones, named only.
fn schools_to_act(out: &mut String, p: &Paint, r: &CheckReport) {
    let group = |keep: &dyn Fn(&SchoolStatus) -> bool| -> Vec<&SchoolStatus> {
        r.schools.iter().filter(|s| keep(s)).collect()
    };
    let missing = group(&|s| s.status == Status::Missing);
    if !missing.is_empty() {
        let _ = writeln!(out, "\n{}", p.red(&format!("Не сдали отчёт ({}):", missing.len())));
        named_with_findings(out, r, &missing);
    }
    let expected = group(&|s| s.status == Status::Expected);
    if !expected.is_empty() {
        let title = format!("Ожидаются до {} ({}):", ru_date(r.deadline), expected.len());
        let _ = writeln!(out, "\n{}", p.bold(&title));
        named_with_findings(out, r, &expected);
    }
    let invalid = group(&|s| s.status == Status::Invalid);
    if !invalid.is_empty() {
        let title = format!("С ошибками — вернуть на доработку ({}):", invalid.len());
        let _ = writeln!(out, "\n{}", p.red(&title));
        for s in invalid {
            school_block(out, p, r, s);
        }
    }
    let warned = group(&|s| s.status == Status::Accepted && s.warnings > 0);
    if !warned.is_empty() {
        let title = format!("Приняты с предупреждениями ({}):", warned.len());
        let _ = writeln!(out, "\n{}", p.yellow(&title));
        for s in warned {
            school_block(out, p, r, s);
        }
    }
    let clean = group(&|s| s.status == Status::Accepted && s.warnings == 0);
    if !clean.is_empty() {
        let _ =
            writeln!(out, "\n{}", p.green(&format!("Приняты без замечаний ({}):", clean.len())));
        for s in clean {
            let _ = writeln!(out, "  {} — {}", s.id, s.name);
        }
    }
}

/// Schools without a usable return: each named, with what was found in its files.
fn named_with_findings(out: &mut String, r: &CheckReport, schools: &[&SchoolStatus]) {
    for s in schools {
        let _ = writeln!(out, "  {} — {}", s.id, s.name);
        for f in school_findings(r, &s.id) {
            let _ = writeln!(out, "    • {}: {}", f.file, finding_line(f));
        }
    }
}

/// Files that belong to no school of the registry, and the skipped service files.
fn files_not_used(out: &mut String, p: &Paint, r: &CheckReport) {
    let foreign: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.school.as_deref().is_none_or(|id| r.schools.iter().all(|s| s.id != id)))
        .collect();
    if !foreign.is_empty() {
        let title = format!("Файлы, которые не удалось использовать ({}):", foreign.len());
        let _ = writeln!(out, "\n{}", p.bold(&title));
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
    schools: JsonSchools<'a>,
    findings: JsonFindings<'a>,
    files: &'a [crate::check::report::FileRecord],
    exit_code: u8,
}

/// The report's schools, each made into its JSON as it is written (the report of a
/// national check holds tens of thousands: not copied into a list first).
struct JsonSchools<'a>(&'a [crate::check::report::SchoolStatus]);

impl Serialize for JsonSchools<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.0.iter().map(|s| JsonSchool {
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
        }))
    }
}

/// The report's findings, each made into its JSON as it is written.
struct JsonFindings<'a>(&'a [Finding]);

impl Serialize for JsonFindings<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.0.iter().map(|f| JsonFinding {
            school: f.school.as_deref(),
            file: &f.file,
            sheet: f.sheet.as_deref(),
            cell: f.cell.as_deref(),
            item: f.item.as_deref(),
            field: f.field.as_deref(),
            severity: f.severity,
            code: f.code,
            message: &f.message,
        }))
    }
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
    let mut out = Vec::new();
    json_to(r, &mut out).expect("report serializes into memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The JSON report written to `w` as it is made (a national report is tens of megabytes:
/// it is not built in memory first).
pub fn json_to(r: &CheckReport, mut w: impl std::io::Write) -> std::io::Result<()> {
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
        schools: JsonSchools(&r.schools),
        findings: JsonFindings(&r.findings),
        files: &r.files,
        exit_code: r.exit_code(),
    };
    serde_json::to_writer_pretty(&mut w, &doc)?;
    w.write_all(b"\n")
}
