//! The sheets that list the check report: «Сдача отчётов» (who returned what, when),
//! «Замечания» (every finding) and «Источники» (every file read, with its SHA-256).
//! Paths, reasons and messages may contain anything a file name can: written as text.

use std::collections::HashMap;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::style::Styles;
use super::*;
use crate::check::report::{FileRecord, Outcome, SchoolStatus};
use crate::plan::Severity;

fn saved(
    ws: &mut Worksheet,
    st: &Styles,
    r: u32,
    c: u16,
    t: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<(), XlsxError> {
    match t.and_then(local_time) {
        Some(x) => {
            ws.write_datetime_with_format(r, c, &x, &st.datetime)?;
        }
        None => {
            ws.write_blank(r, c, &st.text)?;
        }
    }
    Ok(())
}

/// The files of the check report by path, and the unusable files (another campaign's
/// form, another plan) by school: looked up per school row, where a search of every file
/// made «Сдача отчётов» quadratic in the number of schools.
struct Files<'a> {
    by_path: HashMap<&'a str, &'a FileRecord>,
    not_used: HashMap<&'a str, Vec<&'a FileRecord>>,
}

impl<'a> Files<'a> {
    fn new(ctx: &Ctx<'a>) -> Files<'a> {
        let files = &ctx.input.report.files;
        let mut by_path = HashMap::with_capacity(files.len());
        let mut not_used: HashMap<&str, Vec<&FileRecord>> = HashMap::new();
        // The first record of a path, as a search from the start finds it.
        for f in files.iter().rev() {
            by_path.insert(f.path.as_str(), f);
        }
        for f in files {
            if let Some(id) = f.school.as_deref().filter(|_| f.outcome == Outcome::NotUsed) {
                not_used.entry(id).or_default().push(f);
            }
        }
        Files { by_path, not_used }
    }
}

/// «Сохранён (МСК+1)»: the header of the saved-time column, in the district's time.
fn saved_head(ctx: &Ctx) -> String {
    format!("Сохранён ({})", ctx.input.report.district.label())
}

/// Columns of «Сдача отчётов».
const RETURNS_W: [f64; 10] = [8.0, 34.0, 17.0, 13.0, 30.0, 16.0, 11.0, 8.0, 15.0, 30.0];

/// «Сдача отчётов»: a row per registry school (then schools of no registry that the check
/// met), and the files no registry school can be matched to.
pub(crate) fn write_returns(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let saved_head = saved_head(ctx);
    let ws = super::new_long_sheet(wb, SHEET_RETURNS)?;
    widths(ws, &RETURNS_W)?;
    returns_banners(ws, ctx, st)?;
    let list = List { header: 4, cols: RETURNS_W.len() as u16 };
    header_cells(
        ws,
        st,
        list.header,
        &[
            "Код ОО",
            "ОО",
            "Статус",
            "В своде",
            "Файл",
            &saved_head,
            "С опозданием",
            "Ошибок",
            "Предупреждений",
            "Другие файлы этой ОО",
        ],
        &RETURNS_W,
    )?;
    let mut r = list.header + 1;
    let files = Files::new(ctx);
    let extra: Vec<&SchoolStatus> = ctx
        .input
        .report
        .schools
        .iter()
        .filter(|s| ctx.input.registry.get(&s.id).is_none())
        .collect();
    for (id, name) in ctx
        .input
        .registry
        .schools
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .chain(extra.iter().map(|s| (s.id.as_str(), s.name.as_str())))
    {
        write_return_row(ws, ctx, st, &files, (r, id, name))?;
        r += 1;
    }
    let last = r - 1;
    write_orphans(ws, ctx, st, r, &saved_head)?;
    list.finish(ws, ctx, last)
}

/// The three lines over «Сдача отчётов»: the title, the completeness, how times are told.
fn returns_banners(ws: &mut Worksheet, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    let c = ctx.campaign();
    banner(
        ws,
        0,
        &RETURNS_W,
        &format!("Сдача отчётов: {}, срок {}", c.def.title, ru(c.deadline)),
        &st.title,
        PT_TITLE,
    )?;
    banner(ws, 1, &RETURNS_W, &ctx.completeness(), &st.subtitle, PT_SUBTITLE)?;
    banner(
        ws,
        2,
        &RETURNS_W,
        &format!(
            "Время сохранения — по времени района ({}, пояс {}), как его записала программа, в \
             которой школа сохранила файл; «*» после имени файла — время взято из файловой \
             системы. Опоздание — файл сохранён после окончания дня срока по времени района.",
            ctx.input.report.district.label(),
            ctx.input.report.district.name()
        ),
        &st.note,
        PT_NOTE,
    )
}

/// One school's row of «Сдача отчётов»: its status, whether it is in the figures, the file
/// taken, when it was saved, whether late, its findings and its other files.
fn write_return_row(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    files: &Files,
    (r, id, name): (u32, &str, &str),
) -> Result<(), XlsxError> {
    let status = ctx.status.get(id).copied();
    let data = ctx.head(id);
    text(ws, r, 0, id, &st.text_center)?;
    text(ws, r, 1, name, &st.text)?;
    match status {
        Some(s) => text(ws, r, 2, s.status.ru(), st.status(s))?,
        None => text(ws, r, 2, "—", &st.text)?,
    }
    let included = match data {
        Some(d) if d.invalid => "да, с ошибками",
        Some(_) => "да",
        None => "нет",
    };
    text(
        ws,
        r,
        3,
        included,
        if data.is_some_and(|d| d.invalid) { &st.status_included } else { &st.text_center },
    )?;
    let file = status.and_then(|s| s.file.as_deref());
    let from_fs = file.and_then(|f| files.by_path.get(f)).is_some_and(|f| f.saved_at_from_fs);
    let shown = file.map(|f| if from_fs { format!("{f} *") } else { f.to_string() });
    text(ws, r, 4, shown.as_deref().unwrap_or(""), &st.text)?;
    saved(ws, st, r, 5, status.and_then(|s| s.saved_at))?;
    let late = match status {
        Some(s) if s.file.is_some() => {
            if s.late {
                "да"
            } else {
                "нет"
            }
        }
        _ => "",
    };
    text(ws, r, 6, late, if late == "да" { &st.status_late } else { &st.text_center })?;
    match status {
        Some(s) if s.file.is_some() || s.errors + s.warnings > 0 => {
            num(ws, r, 7, s.errors as f64, &st.int)?;
            num(ws, r, 8, s.warnings as f64, &st.int)?;
        }
        _ => {
            ws.write_blank(r, 7, &st.text)?;
            ws.write_blank(r, 8, &st.text)?;
        }
    }
    let mut others: Vec<String> = status
        .map(|s| s.files.iter().filter(|f| Some(f.as_str()) != file).cloned().collect())
        .unwrap_or_default();
    // Files this school sent that cannot be used (another campaign's form, another
    // plan): a school with only such a file is «не сдан», and this says why.
    others.extend(
        files
            .not_used
            .get(id)
            .into_iter()
            .flatten()
            .map(|f| format!("{} — не используется: {}", f.path, f.reason)),
    );
    let others = others.join("\n");
    text(ws, r, 9, &others, &st.text)?;
    fit_row(
        ws,
        r,
        &[
            (name, RETURNS_W[1]),
            (shown.as_deref().unwrap_or(""), RETURNS_W[4]),
            (&others, RETURNS_W[9]),
        ],
        PT_CELL,
    )
}

/// Under the schools of «Сдача отчётов», after a blank row from `r`: the files no registry
/// school can be matched to (unknown school codes, unreadable files), if any.
fn write_orphans(
    ws: &mut Worksheet,
    ctx: &Ctx,
    st: &Styles,
    mut r: u32,
    saved_head: &str,
) -> Result<(), XlsxError> {
    let known =
        |f: &FileRecord| f.school.as_deref().is_some_and(|id| ctx.input.registry.get(id).is_some());
    let orphans: Vec<&FileRecord> = ctx
        .input
        .report
        .files
        .iter()
        .filter(|f| f.outcome != Outcome::Skipped && !known(f))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    r += 1;
    banner(
        ws,
        r,
        &RETURNS_W,
        &format!("Файлы, не отнесённые ни к одной ОО реестра: {}", orphans.len()),
        &st.section,
        PT_SECTION,
    )?;
    r += 1;
    text(ws, r, 0, "Код ОО в файле", &st.header)?;
    ws.merge_range(r, 1, r, 3, "Что стало с файлом", &st.header)?;
    text(ws, r, 4, "Файл", &st.header)?;
    text(ws, r, 5, saved_head, &st.header)?;
    fit_row(ws, r, &[("Код ОО в файле", RETURNS_W[0]), (saved_head, RETURNS_W[5])], PT_HEADER)?;
    ws.merge_range(r, 6, r, 9, "Причина", &st.header)?;
    r += 1;
    for f in orphans {
        text(ws, r, 0, f.school.as_deref().unwrap_or("—"), &st.text_center)?;
        ws.merge_range(r, 1, r, 3, "", &st.text)?;
        text(ws, r, 1, f.outcome.ru(), &st.text)?;
        text(ws, r, 4, &f.path, &st.text)?;
        saved(ws, st, r, 5, f.saved_at)?;
        ws.merge_range(r, 6, r, 9, "", &st.text)?;
        text(ws, r, 6, &f.reason, &st.text)?;
        // Merged cells do not grow with their text.
        fit_row(
            ws,
            r,
            &[(&f.reason, RETURNS_W[6..].iter().sum()), (&f.path, RETURNS_W[4])],
            PT_CELL,
        )?;
        r += 1;
    }
    Ok(())
}

/// «Замечания»: every finding of the check, a row each.
pub(crate) fn write_findings(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    const W: [f64; 10] = [8.0, 24.0, 24.0, 13.0, 8.0, 7.0, 18.0, 14.0, 17.0, 64.0];
    let ws = super::new_long_sheet(wb, SHEET_FINDINGS)?;
    widths(ws, &W)?;
    let findings = &ctx.input.report.findings;
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let list = List::start(
        ws,
        st,
        &W,
        &format!(
            "Замечания по отчётам: ошибок — {errors}, предупреждений — {}",
            findings.len() - errors
        ),
        "Ошибка — отчёт возвращается школе на доработку; предупреждение — сообщается, отчёт \
         принимается. «Код» — постоянный код замечания (описан в документации profplan, docs/check.md).",
        &["Код ОО", "ОО", "Файл", "Лист", "Ячейка", "Пункт", "Поле", "Вид", "Код", "Сообщение"],
    )?;
    let mut r = list.header + 1;
    for f in findings {
        let id = f.school.as_deref().unwrap_or("");
        let name = if id.is_empty() { "" } else { ctx.full_name(id) };
        text(ws, r, 0, id, &st.text_center)?;
        text(ws, r, 1, name, &st.text)?;
        text(ws, r, 2, &f.file, &st.text)?;
        text(ws, r, 3, f.sheet.as_deref().unwrap_or(""), &st.text)?;
        text(ws, r, 4, f.cell.as_deref().unwrap_or(""), &st.text_center)?;
        text(ws, r, 5, f.item.as_deref().unwrap_or(""), &st.text_center)?;
        text(ws, r, 6, f.field.as_deref().unwrap_or(""), &st.text)?;
        let (sev, fmt) = match f.severity {
            Severity::Error => ("ошибка", &st.status_bad),
            Severity::Warning => ("предупреждение", &st.status_late),
        };
        text(ws, r, 7, sev, fmt)?;
        text(ws, r, 8, &f.code.as_str(), &st.text)?;
        text(ws, r, 9, &f.message, &st.text)?;
        fit_row(
            ws,
            r,
            &[
                (name, W[1]),
                (&f.file, W[2]),
                (&f.message, W[9]),
                (f.sheet.as_deref().unwrap_or(""), W[3]),
            ],
            PT_CELL,
        )?;
        r += 1;
    }
    list.end(ws, ctx, st, r, (1, "Замечаний нет."))
}

/// «Источники»: every file of the returns folder, what became of it, its SHA-256.
pub(crate) fn write_sources(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    const W: [f64; 10] = [28.0, 7.0, 11.0, 16.0, 13.0, 8.0, 26.0, 18.0, 44.0, 60.0];
    let saved_head = saved_head(ctx);
    let ws = super::new_long_sheet(wb, SHEET_SOURCES)?;
    widths(ws, &W)?;
    let files = &ctx.input.report.files;
    let list = List::start(
        ws,
        st,
        &W,
        &format!("Источники: прочитано файлов — {}", files.len()),
        "Каждый файл папки с отчётами и что с ним стало. SHA-256 — контрольная сумма \
         содержимого: по ней можно убедиться, что свод собран именно из этого файла.",
        &[
            "Файл",
            "Формат",
            "Размер, байт",
            &saved_head,
            "Время сохранения взято из",
            "Код ОО",
            "ОО",
            "Что стало с файлом",
            "Причина",
            "SHA-256",
        ],
    )?;
    let mut r = list.header + 1;
    for f in files {
        text(ws, r, 0, &f.path, &st.text)?;
        text(ws, r, 1, &f.format, &st.text_center)?;
        num(ws, r, 2, f.size as f64, &st.int)?;
        saved(ws, st, r, 3, f.saved_at)?;
        let from = match (f.saved_at, f.saved_at_from_fs) {
            (None, _) => "",
            (Some(_), true) => "файловой системы",
            (Some(_), false) => "свойств книги",
        };
        text(ws, r, 4, from, &st.text)?;
        let id = f.school.as_deref().unwrap_or("");
        text(ws, r, 5, id, &st.text_center)?;
        text(ws, r, 6, if id.is_empty() { "" } else { ctx.full_name(id) }, &st.text)?;
        let fmt = match f.outcome {
            Outcome::Accepted => &st.status_good,
            Outcome::Invalid | Outcome::Rejected => &st.status_bad,
            _ => &st.text,
        };
        text(ws, r, 7, f.outcome.ru(), fmt)?;
        text(ws, r, 8, &f.reason, &st.text)?;
        text(ws, r, 9, &f.sha256.to_string(), &st.mono)?;
        fit_row(
            ws,
            r,
            &[
                (&f.path, W[0]),
                (ctx.full_name(id), W[6]),
                (f.outcome.ru(), W[7]),
                (&f.reason, W[8]),
            ],
            PT_CELL,
        )?;
        r += 1;
    }
    list.end(ws, ctx, st, r, (0, "В папке с отчётами нет файлов."))
}
