//! What `collect` and `region` say on stdout when they are done: where the summary went
//! and, in one line, who is in it and who is not.

use std::fmt::Write as _;
use std::path::Path;

use crate::check::report::{CheckReport, Status};
use crate::region::{Outcome, Region};
use crate::summary::SHEET_RETURNS;

/// The closing lines of `collect`: the files written, the counts, and the schools not in
/// the summary by name (past `ru::NAMES_SHOWN` names: how many more, and where all are). `in_summary` is the number of returns the summary was built from.
pub fn collect(
    r: &CheckReport,
    in_summary: usize,
    summary: &Path,
    note: Option<&Path>,
    include_invalid: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Сводный отчёт: {}", summary.display());
    if let Some(path) = note {
        let _ = writeln!(out, "Аналитическая справка: {}", path.display());
    }
    let _ = write!(
        out,
        "Принято {} из {} ОО (в свод вошло: {in_summary}); с опозданием: {}",
        r.counts.accepted, r.counts.schools, r.counts.late
    );
    for (status, title) in [
        (Status::Missing, "не сдали"),
        (Status::Expected, "ожидаются"),
        (Status::Invalid, "с ошибками"),
    ] {
        let names: Vec<&str> =
            r.schools.iter().filter(|x| x.status == status).map(|x| x.name.as_str()).collect();
        if !names.is_empty() {
            let all = |n: usize| {
                format!(
                    "и ещё {} — все на листе «{SHEET_RETURNS}» сводного отчёта",
                    crate::ru::int(n as i64)
                )
            };
            let _ = write!(out, "; {title} ({}): {}", names.len(), crate::ru::capped(&names, all));
        }
    }
    out.push('\n');
    if r.counts.invalid > 0 && !include_invalid {
        out.push_str(
            "Отчёты с ошибками в свод не вошли; подробности — profplan check или лист «Замечания».\n",
        );
    }
    out
}

/// The closing lines of `region`: the file written, the districts received and missing,
/// and every file of the folder that was not taken, with why.
pub fn region(region: &Region, summary: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Свод по области: {}", summary.display());
    let got = region.district_names(true).len();
    let _ = write!(out, "Получены своды {} из {} районов", got, region.districts.len());
    let missing = region.district_names(false);
    if !missing.is_empty() {
        let _ = write!(out, "; нет свода ({}): {}", missing.len(), missing.join(", "));
    }
    out.push('\n');
    for s in &region.sources {
        if s.outcome != Outcome::Accepted {
            let _ = writeln!(out, "  • {}: {} — {}", s.path, s.outcome.ru(), s.reason);
        }
    }
    out
}
