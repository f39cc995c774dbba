//! «Данные»: every value of every school in the figures, one row per value — for pivot
//! tables, and the input of the next `--compare`.
//!
//! # Format (stable: `--compare` reads it back; readers find columns by header text)
//!
//! A range starting at A1, header in row 1, with an autofilter, named by the workbook-level
//! defined name «ProfplanData» (a pivot table's source «ProfplanData» takes the whole
//! range). Not an Excel table: rust_xlsxwriter keeps every cell of a table's range in a
//! map to check overlaps — 143 MB at 10 000 schools (BENCHMARKS.md, issue 13).
//!
//! | column | header            | content |
//! |--------|-------------------|---------|
//! | A | «Код ОО»              | registry id of the school (text) |
//! | B | «ОО»                  | school name |
//! | C | «Пункт»               | plan item («2.1»); «ОО» for the school profile; «титул» for who filled the form |
//! | D | «Код»                 | field or share code (`p2_1_covered`, `s2_1_covered`); `table.column` for detail tables (`t1_6.participants`) |
//! | E | «Показатель»          | label as in the plan, years filled in |
//! | F | «Строка таблицы»      | detail tables: number of the row among the school's rows (1, 2, …); blank otherwise |
//! | G | «Значение»            | a number, a text (yes/no and choices as their words) or a date; shares: the fraction (0.25, shown as 25 %), only when the denominator is > 0 |
//! | H | «Ед. изм.»            | unit |
//! | I | «Файл»                | the school's file, relative to the returns folder |
//! | J | «Лист»                | sheet of the form the value came from |
//! | K | «Ячейка»              | cell («E14»); for table values the sheet row («строка 5»); for shares the formula they are computed by |
//! | L | «Отчёт с ошибками»    | «да» when the school was taken in with `--include-invalid` |
//!
//! Order: schools in registry order; within a school the profile, then the items in plan
//! order (fields, then shares, then table rows column by column), then who filled it.
//! A share's numerator and denominator fields have rows of their own, so a share can be
//! recomputed from this sheet alone — which is what `--compare` does.
//!
//! # More rows than a sheet holds
//!
//! A sheet holds 1 048 576 rows (header included); a district passes that at about
//! 23 000 schools (~46 rows each). The table then goes on in continuation sheets «Данные 2»,
//! «Данные 3», … with the same header and their own names («ProfplanData2», …); a
//! school's rows are never split between sheets, and every sheet says so right of its
//! header (column N). Readers ([`sheets_of`]) take the sheets in number order: together
//! they are the one table. All of them are hidden, like «Данные».

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::style::Styles;
use super::{excel_date, num, text, widths, Ctx, SHEET_DATA};
use crate::check::values::{CheckedValue, SchoolData};
use crate::form::layout::META_FIELDS;
use crate::plan::Field;

pub const COL_SCHOOL_ID: &str = "Код ОО";
pub const COL_SCHOOL: &str = "ОО";
pub const COL_ITEM: &str = "Пункт";
pub const COL_CODE: &str = "Код";
pub const COL_LABEL: &str = "Показатель";
pub const COL_ROW: &str = "Строка таблицы";
pub const COL_VALUE: &str = "Значение";
pub const COL_UNIT: &str = "Ед. изм.";
pub const COL_FILE: &str = "Файл";
pub const COL_SHEET: &str = "Лист";
pub const COL_CELL: &str = "Ячейка";
pub const COL_INVALID: &str = "Отчёт с ошибками";

/// The header of «Данные», in column order.
pub const HEADERS: [&str; 12] = [
    COL_SCHOOL_ID,
    COL_SCHOOL,
    COL_ITEM,
    COL_CODE,
    COL_LABEL,
    COL_ROW,
    COL_VALUE,
    COL_UNIT,
    COL_FILE,
    COL_SHEET,
    COL_CELL,
    COL_INVALID,
];

/// The defined name of the long table's range (ASCII: some spreadsheet programs refuse
/// other names).
pub const RANGE_NAME: &str = "ProfplanData";

/// A value of «Данные» as the data check sees it.
pub(crate) enum CheckValue<'a> {
    Num(f64),
    Text(&'a str),
}

/// One line of the data check: school, code, table row and value, with numbers rounded
/// (a spreadsheet program that re-saves the summary may write the last digit of a
/// fraction differently) and dates as the word «дата» (what the reader sees of them).
pub(crate) fn check_line(school: &str, code: &str, row: &str, v: &CheckValue) -> String {
    let v = match v {
        CheckValue::Num(n) => format!("{n:.6}"),
        CheckValue::Text(t) => t.trim().to_string(),
    };
    format!("{}\t{}\t{}\t{v}", school.trim(), code.trim(), row.trim())
}

/// The data check: SHA-256 of the sorted lines (a sorted «Данные» is the same data),
/// first 16 hex digits.
pub(crate) fn check_of(lines: Vec<String>) -> String {
    let one = check_by_school(
        &[((), lines)],
        |_| String::new(),
        |(_, l)| Ok::<_, std::convert::Infallible>(l.clone()),
    );
    match one {
        Ok(check) => check,
        Err(never) => match never {},
    }
}

/// [`check_of`] of the lines of every school in `schools` (`lines` of one school, `id` its
/// code as the lines start with it), holding one school's lines at a time. Each line
/// starts with the school's code and a tab, so the sorted lines are the schools sorted by
/// «code, tab» — a line of «1» sorts before every line of «10», as the tab sorts before
/// «0» — each school's own lines sorted: the same bytes are hashed as by sorting all.
fn check_by_school<T, E>(
    schools: &[T],
    id: impl Fn(&T) -> String,
    lines: impl Fn(&T) -> Result<Vec<String>, E>,
) -> Result<String, E> {
    use sha2::{Digest, Sha256};
    let mut order: Vec<(String, &T)> = schools.iter().map(|s| (id(s) + "\t", s)).collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let mut all = Vec::new();
        for (_, s) in group {
            all.extend(lines(s)?);
        }
        let mut lines = all;
        lines.sort_unstable();
        for l in &lines {
            h.update(l.as_bytes());
            h.update(b"\n");
        }
    }
    Ok(crate::text::hex(&h.finalize()[..8]))
}

/// The data check of the «Данные» sheet [`write`] writes for `ctx`: its 390 000 lines at
/// 10 000 schools are made a school at a time (read in the order of their codes).
pub(crate) fn check(ctx: &Ctx) -> std::io::Result<String> {
    let schools = ctx.input.schools;
    let all: Vec<usize> = (0..schools.len()).collect();
    check_by_school(
        &all,
        |&i| schools.head(i).school_id.trim().to_string(),
        |&i| Ok(school_lines(ctx, &*schools.get(i)?)),
    )
}

/// The lines of the data check of one school's rows of «Данные».
fn school_lines(ctx: &Ctx, s: &SchoolData) -> Vec<String> {
    let mut lines = Vec::new();
    for row in school_rows(ctx, s) {
        let table_row = row.table_row.map(|n| n.to_string()).unwrap_or_default();
        let v = match row.value {
            DataVal::Checked(CheckedValue::Num(n)) => CheckValue::Num(*n),
            DataVal::Checked(CheckedValue::Text(t)) => CheckValue::Text(t),
            DataVal::Checked(CheckedValue::Date(d)) => {
                // As written: a date Excel cannot hold is written as its text.
                let ok = excel_date(*d).is_ok();
                let shown = CheckedValue::Date(*d).display();
                let t = if ok { "дата" } else { shown.as_str() };
                lines.push(check_line(&s.school_id, &row.code, &table_row, &CheckValue::Text(t)));
                continue;
            }
            DataVal::Fraction(f) => CheckValue::Num(f),
        };
        lines.push(check_line(&s.school_id, &row.code, &table_row, &v));
    }
    lines
}

/// One row of «Данные».
struct DataRow<'a> {
    item: String,
    code: String,
    label: String,
    table_row: Option<usize>,
    value: DataVal<'a>,
    unit: String,
    sheet: String,
    cell: String,
}

enum DataVal<'a> {
    Checked(&'a CheckedValue),
    Fraction(f64),
}

/// The rows of one school, in the documented order.
fn school_rows<'a>(ctx: &Ctx, s: &'a SchoolData) -> Vec<DataRow<'a>> {
    let c = ctx.campaign();
    let mut out = Vec::new();
    let field_row = |item: &str, f: &Field, out: &mut Vec<DataRow<'a>>| {
        if let Some(v) = s.fields.get(&f.code) {
            out.push(DataRow {
                item: item.to_string(),
                code: f.code.clone(),
                label: c.text(&f.label),
                table_row: None,
                value: DataVal::Checked(&v.value),
                unit: f.unit.clone(),
                sheet: v.source.sheet.clone(),
                cell: v.source.cell.clone(),
            });
        }
    };
    for f in c.profile_fields() {
        field_row("ОО", f, &mut out);
    }
    for item in c.items() {
        for f in &item.fields {
            field_row(&item.code, f, &mut out);
        }
        for sh in &item.shares {
            if let Some((n, d)) = crate::summary::figures::school_share(sh, s) {
                if d > 0.0 {
                    out.push(DataRow {
                        item: item.code.clone(),
                        code: sh.code.clone(),
                        label: c.text(&sh.label),
                        table_row: None,
                        value: DataVal::Fraction(n / d),
                        unit: "%".into(),
                        sheet: String::new(),
                        cell: format!("доля: ({}) / ({})", sh.numerator, sh.denominator),
                    });
                }
            }
        }
        for t in &item.tables {
            let rows = s.tables.get(&t.code).map(Vec::as_slice).unwrap_or_default();
            for (i, row) in rows.iter().enumerate() {
                for col in &t.columns {
                    if let Some(v) = row.values.get(&col.code) {
                        out.push(DataRow {
                            item: item.code.clone(),
                            code: format!("{}.{}", t.code, col.code),
                            label: c.text(&col.label),
                            table_row: Some(i + 1),
                            value: DataVal::Checked(v),
                            unit: col.unit.clone(),
                            sheet: row.sheet.clone(),
                            cell: format!("строка {}", row.row),
                        });
                    }
                }
            }
        }
    }
    for (code, label) in META_FIELDS {
        if let Some(v) = s.fields.get(code) {
            out.push(DataRow {
                item: "титул".into(),
                code: code.to_string(),
                label: label.to_string(),
                table_row: None,
                value: DataVal::Checked(&v.value),
                unit: String::new(),
                sheet: v.source.sheet.clone(),
                cell: v.source.cell.clone(),
            });
        }
    }
    out
}

/// Excel's rows per sheet (1 048 576); the header takes one, the rest hold data.
pub const EXCEL_ROWS: u32 = 1_048_576;

/// Test-only: lower the data rows per «Данные» sheet (a small district then shows the
/// continuation sheets). Users always get Excel's limit.
pub const TEST_ROWS_ENV: &str = "PROFPLAN_TEST_DATA_SHEET_ROWS";

/// Data rows one «Данные» sheet holds.
fn rows_per_sheet() -> usize {
    let max = EXCEL_ROWS as usize - 1;
    std::env::var(TEST_ROWS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .map_or(max, |n| n.min(max))
}

/// The name of the `i`-th (0-based) sheet of the long table: «Данные», «Данные 2», …
pub fn sheet_name(i: usize) -> String {
    if i == 0 {
        SHEET_DATA.to_string()
    } else {
        format!("{SHEET_DATA} {}", i + 1)
    }
}

/// The 0-based number of a sheet of the long table, from its name (see [`sheet_name`]).
pub fn sheet_index(name: &str) -> Option<usize> {
    if name == SHEET_DATA {
        return Some(0);
    }
    let n: usize = name.strip_prefix(SHEET_DATA)?.strip_prefix(' ')?.parse().ok()?;
    (n >= 2 && name == sheet_name(n - 1)).then(|| n - 1)
}

/// The sheets of the long table in a workbook's sheet list, in order.
pub fn sheets_of(names: &[String]) -> Vec<String> {
    let mut v: Vec<(usize, &String)> =
        names.iter().filter_map(|n| sheet_index(n).map(|i| (i, n))).collect();
    v.sort();
    v.into_iter().map(|(_, n)| n.clone()).collect()
}

/// Rows of each «Данные» sheet, for schools with `counts` rows each: a school's rows stay
/// on one sheet unless it alone has more than a sheet holds; always at least one sheet.
fn split(counts: &[usize], limit: usize) -> Vec<usize> {
    let limit = limit.max(1);
    let mut sheets = vec![0usize];
    for &n in counts {
        let cur = sheets.last_mut().expect("one sheet at least");
        if *cur > 0 && *cur + n > limit {
            sheets.push(0);
        }
        let mut left = n;
        while left > 0 {
            let cur = sheets.last_mut().expect("one sheet at least");
            let take = left.min(limit - *cur);
            *cur += take;
            left -= take;
            if left > 0 {
                sheets.push(0);
            }
        }
    }
    sheets
}

/// The defined name of the `i`-th sheet's range (names are unique in a workbook).
pub fn range_name(i: usize) -> String {
    if i == 0 {
        RANGE_NAME.to_string()
    } else {
        format!("{RANGE_NAME}{}", i + 1)
    }
}

/// Start the `i`-th of `n` sheets of the long table, holding `rows` data rows.
fn start_sheet<'w>(
    wb: &'w mut Workbook,
    ctx: &Ctx,
    st: &Styles,
    i: usize,
    n: usize,
    rows: usize,
) -> Result<&'w mut Worksheet, XlsxError> {
    // An empty district gets one blank row under the header, as the Excel table of
    // earlier versions had: a pivot table's source is never the header alone.
    let last = (rows as u32).max(1);
    let cols = HEADERS.len() as u16;
    let range = format!(
        "='{}'!$A$1:${}${}",
        sheet_name(i),
        crate::text::column_letters(u32::from(cols - 1)),
        last + 1
    );
    wb.define_name(range_name(i), &range)?;
    // The long table is the largest sheet by far (~46 rows a school). Its rows are written
    // strictly in order (the header first, then each school's rows) and flushed like those
    // of the other long sheets, but in low-memory mode rather than constant-memory mode:
    // its strings go to the shared-string table instead of into every cell. A school's
    // ~46 rows repeat its id, name and file and a few hundred labels, units and cells, so
    // the table holds ~3 strings a school, while inline strings made the sheet's XML
    // almost twice as large (330 vs 177 MB at 10 000 schools) — and `--compare` and
    // `region` read it back, a full sheet nearing the 1 GiB limit of a part they read.
    let ws = wb.add_worksheet_with_low_memory()?;
    ws.set_name(sheet_name(i))?;
    ws.set_formula_result_default("");
    widths(ws, &[8.0, 30.0, 7.0, 22.0, 60.0, 9.0, 14.0, 8.0, 24.0, 14.0, 12.0, 10.0])?;
    for (c, h) in HEADERS.iter().enumerate() {
        text(ws, 0, c as u16, h, &st.header)?;
    }
    ws.autofilter(0, 0, last, cols - 1)?;
    if n > 1 {
        // Said on the sheet itself, right of the header, in the row written first.
        let gap = HEADERS.len() as u16;
        ws.set_column_width(gap, 3.0)?;
        ws.set_column_width(gap + 1, 90.0)?;
        text(ws, 0, gap + 1, &continuation_note(i, n), &st.note)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Kept printable, though it is meant for filters and pivot tables.
    super::print_setup(ws, ctx, Some((0, 0)))?;
    // A work sheet, not for paper: hidden, like the first one (see `build`).
    ws.set_hidden(true);
    Ok(ws)
}

/// The note on the `i`-th of `n` sheets of a long table that did not fit one sheet.
fn continuation_note(i: usize, n: usize) -> String {
    let all: Vec<String> = (0..n).map(|k| format!("«{}»", sheet_name(k))).collect();
    let next = if i + 1 < n {
        format!(" Продолжение — на листе «{}».", sheet_name(i + 1))
    } else {
        String::new()
    };
    format!(
        "Лист {} из {n} длинной таблицы: на одном листе Excel не больше {} строк, поэтому \
         таблица разделена на листы {} с одинаковыми столбцами; строки одной ОО не \
         разделяются между листами.{next} Для сводной таблицы по всем строкам объедините \
         листы (Power Query в Excel или «Данные → Консолидация»).",
        i + 1,
        crate::ru::int(i64::from(EXCEL_ROWS)),
        all.join(", ")
    )
}

pub(crate) fn write(wb: &mut Workbook, ctx: &Ctx, st: &Styles) -> Result<(), XlsxError> {
    // More than one sheet past Excel's row limit (~23 000 schools): continuation sheets
    // «Данные 2», … with the same header; their extents are counted first (the table is
    // added before its rows).
    let mut counts: Vec<usize> = Vec::with_capacity(ctx.input.schools.len());
    for s in ctx.input.schools.iter() {
        counts.push(school_rows(ctx, &*s?).len());
    }
    let sizes = split(&counts, rows_per_sheet());
    let mut sheet = 0usize;
    let mut ws = start_sheet(wb, ctx, st, 0, sizes.len(), sizes[0])?;
    let mut r = 1u32;
    for s in ctx.input.schools.iter() {
        let s = &*s?;
        for row in school_rows(ctx, s) {
            if r as usize > sizes[sheet] {
                sheet += 1;
                ws = start_sheet(wb, ctx, st, sheet, sizes.len(), sizes[sheet])?;
                r = 1;
            }
            text(ws, r, 0, &s.school_id, &st.plain)?;
            text(ws, r, 1, &s.school_name, &st.plain)?;
            text(ws, r, 2, &row.item, &st.plain)?;
            text(ws, r, 3, &row.code, &st.plain)?;
            text(ws, r, 4, &row.label, &st.plain)?;
            if let Some(n) = row.table_row {
                num(ws, r, 5, n as f64, &st.int)?;
            }
            match row.value {
                DataVal::Checked(CheckedValue::Num(n)) => num(ws, r, 6, *n, st.number(*n))?,
                DataVal::Checked(CheckedValue::Text(t)) => text(ws, r, 6, t, &st.plain)?,
                DataVal::Checked(CheckedValue::Date(d)) => match excel_date(*d) {
                    Ok(x) => {
                        ws.write_datetime_with_format(r, 6, &x, &st.date)?;
                    }
                    Err(_) => text(ws, r, 6, &CheckedValue::Date(*d).display(), &st.plain)?,
                },
                DataVal::Fraction(f) => num(ws, r, 6, f, &st.pct)?,
            }
            text(ws, r, 7, &row.unit, &st.plain)?;
            text(ws, r, 8, &s.file, &st.plain)?;
            text(ws, r, 9, &row.sheet, &st.plain)?;
            text(ws, r, 10, &row.cell, &st.plain)?;
            text(ws, r, 11, if s.invalid { "да" } else { "" }, &st.plain)?;
            r += 1;
        }
    }
    debug_assert_eq!(sheet + 1, sizes.len(), "sheets planned and written differ");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_stays_on_one_sheet() {
        assert_eq!(split(&[], 10), vec![0]);
        assert_eq!(split(&[4, 4], 10), vec![8]);
        assert_eq!(split(&[4, 4, 4], 10), vec![8, 4]);
        assert_eq!(split(&[10, 1], 10), vec![10, 1]);
        // Only a school larger than a sheet is cut.
        assert_eq!(split(&[3, 25], 10), vec![3, 10, 10, 5]);
        assert_eq!(split(&[0, 0, 5], 10), vec![5]);
    }

    /// The check made a school at a time is the check of all lines sorted, whatever the
    /// codes: one a prefix of another, with spaces, out of order, repeated.
    #[test]
    fn the_check_by_school_is_the_check_of_all_lines() {
        let schools: Vec<(&str, Vec<&str>)> = vec![
            ("10", vec!["b", "a", "c"]),
            ("1", vec!["z", "a"]),
            ("1 0", vec!["x"]),
            ("", vec!["q"]),
            ("1", vec!["m"]),
            ("01", vec!["k", "k"]),
            ("1-", vec!["y"]),
            ("2", vec![]),
        ];
        let line = |id: &str, rest: &str| check_line(id, "code", rest, &CheckValue::Num(1.5));
        let all: Vec<String> =
            schools.iter().flat_map(|(id, l)| l.iter().map(|r| line(id, r))).collect();
        let by_school = check_by_school(
            &schools,
            |(id, _)| id.to_string(),
            |(id, l)| Ok::<_, ()>(l.iter().map(|r| line(id, r)).collect()),
        )
        .unwrap();
        assert_eq!(by_school, check_of(all.clone()));
        // And it depends on every line.
        let mut fewer = all;
        fewer.pop();
        assert_ne!(by_school, check_of(fewer));
    }

    #[test]
    fn sheet_names_round_trip() {
        assert_eq!(sheet_name(0), "Данные");
        assert_eq!(sheet_name(1), "Данные 2");
        for i in 0..12 {
            assert_eq!(sheet_index(&sheet_name(i)), Some(i));
        }
        assert_eq!(sheet_index("Данные 1"), None);
        assert_eq!(sheet_index("Данные 02"), None);
        assert_eq!(sheet_index("Данные (2)"), None);
        let names: Vec<String> =
            ["Данные 10", "Свод", "Данные", "Данные 2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(sheets_of(&names), vec!["Данные", "Данные 2", "Данные 10"]);
    }

    #[test]
    fn users_get_excels_limit() {
        if std::env::var_os(TEST_ROWS_ENV).is_none() {
            assert_eq!(rows_per_sheet(), 1_048_575);
        }
    }
}
