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

use std::borrow::Cow;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::style::{Styles, DATE, DEC, INT, PCT};
use super::{bare_text, excel_date, num, text, widths, Ctx, SHEET_DATA};
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
    use std::fmt::Write as _;
    // ~390 000 lines at 10 000 schools: made in one string.
    let mut line = String::with_capacity(school.len() + code.len() + row.len() + 24);
    for part in [school, code, row] {
        line.push_str(part.trim());
        line.push('\t');
    }
    match v {
        CheckValue::Num(n) => write!(line, "{n:.6}").expect("writing to a String does not fail"),
        CheckValue::Text(t) => line.push_str(t.trim()),
    }
    line
}

/// The data check: SHA-256 of the sorted lines (a sorted «Данные» is the same data),
/// first 16 hex digits. The definition: what is written and what is read back make it a
/// school at a time ([`check_by_school`]), and tests hold them to this.
#[cfg(test)]
pub(crate) fn check_of(mut lines: Vec<String>) -> String {
    use sha2::{Digest, Sha256};
    // Sorted in place: a summary read back holds ~46 lines a school (1.6 million at 40 000
    // schools), and a sorted copy of them was as large again.
    lines.sort_unstable();
    let mut h = Sha256::new();
    hash_lines(&mut h, &lines);
    crate::text::hex(&h.finalize()[..8])
}

/// Each line and a line feed, in order.
fn hash_lines(h: &mut sha2::Sha256, lines: &[String]) {
    use sha2::Digest;
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
}

/// [`check_of`] of the lines of every school in `schools` (`lines` of one school, `id` its
/// code as the lines start with it), holding one school's lines at a time. Each line
/// starts with the school's code and a tab, so the sorted lines are the schools sorted by
/// «code, tab» — a line of «1» sorts before every line of «10», as the tab sorts before
/// «0» — each school's own lines sorted: the same bytes are hashed as by sorting all.
pub(crate) fn check_by_school<T, E>(
    schools: &[T],
    id: impl Fn(&T) -> String,
    mut lines: impl FnMut(&T) -> Result<Vec<String>, E>,
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
        hash_lines(&mut h, &lines);
    }
    Ok(crate::text::hex(&h.finalize()[..8]))
}

/// The data check of the «Данные» sheet [`write`] writes for `ctx`: its 390 000 lines at
/// 10 000 schools are made a school at a time (read in the order of their codes).
pub(crate) fn check(ctx: &Ctx) -> std::io::Result<String> {
    let plan = RowPlan::new(ctx.campaign());
    let schools = ctx.input.schools;
    let all: Vec<usize> = (0..schools.len()).collect();
    let mut scratch = None;
    check_by_school(
        &all,
        |&i| schools.head(i).school_id.trim().to_string(),
        |&i| Ok(school_lines(&plan, schools.get_into(i, &mut scratch)?)),
    )
}

/// The lines of the data check of one school's rows of «Данные».
fn school_lines(plan: &RowPlan, s: &SchoolData) -> Vec<String> {
    let mut lines = Vec::new();
    for row in plan.rows(s) {
        let table_row = row.table_row.map(|n| n.to_string()).unwrap_or_default();
        let v = match row.value {
            DataVal::Checked(CheckedValue::Num(n)) => CheckValue::Num(*n),
            DataVal::Checked(CheckedValue::Text(t)) => CheckValue::Text(t),
            DataVal::Checked(CheckedValue::Date(d)) => {
                // As written: a date Excel cannot hold is written as its text.
                let ok = excel_date(*d).is_ok();
                let shown = CheckedValue::Date(*d).display();
                let t = if ok { "дата" } else { shown.as_str() };
                lines.push(check_line(
                    &s.school_id,
                    &row.line.code,
                    &table_row,
                    &CheckValue::Text(t),
                ));
                continue;
            }
            DataVal::Fraction(f) => CheckValue::Num(f),
        };
        lines.push(check_line(&s.school_id, &row.line.code, &table_row, &v));
    }
    lines
}

/// What a row of «Данные» takes from the plan — the same for every school, so made once
/// per summary, not for each of the ~46 rows of every school.
struct Line {
    item: String,
    code: String,
    label: String,
    unit: String,
    /// Column K of a share: the formula it is computed by.
    cell: String,
}

/// The parts of a school's rows, in the documented order.
enum Part<'p> {
    /// A field (profile, item or who filled the form) by its code.
    Field(&'p str, Line),
    Share(&'p crate::plan::Share, Line),
    /// A detail table by its code: its columns, each with its line.
    Table(&'p str, Vec<(&'p str, Line)>),
}

/// The plan of «Данные»'s rows: what every school's rows are made of.
pub(crate) struct RowPlan<'p> {
    parts: Vec<Part<'p>>,
}

impl<'p> RowPlan<'p> {
    pub(crate) fn new(c: &crate::plan::campaign::Campaign<'p>) -> RowPlan<'p> {
        let line = |item: &str, code: String, label: String, unit: &str, cell: String| Line {
            item: item.to_string(),
            code,
            label,
            unit: unit.to_string(),
            cell,
        };
        let field = |item: &str, f: &'p Field| {
            Part::Field(
                &f.code,
                line(item, f.code.clone(), c.text(&f.label), &f.unit, String::new()),
            )
        };
        let mut parts: Vec<Part<'p>> =
            c.profile_fields().into_iter().map(|f| field("ОО", f)).collect();
        for item in c.items() {
            parts.extend(item.fields.iter().map(|f| field(&item.code, f)));
            for sh in &item.shares {
                let cell = format!("доля: ({}) / ({})", sh.numerator, sh.denominator);
                parts.push(Part::Share(
                    sh,
                    line(&item.code, sh.code.clone(), c.text(&sh.label), "%", cell),
                ));
            }
            for t in &item.tables {
                let columns = t
                    .columns
                    .iter()
                    .map(|col| {
                        let code = format!("{}.{}", t.code, col.code);
                        (
                            col.code.as_str(),
                            line(&item.code, code, c.text(&col.label), &col.unit, String::new()),
                        )
                    })
                    .collect();
                parts.push(Part::Table(&t.code, columns));
            }
        }
        for (code, label) in META_FIELDS {
            parts.push(Part::Field(
                code,
                line("титул", code.to_string(), label.to_string(), "", String::new()),
            ));
        }
        RowPlan { parts }
    }

    /// The rows of one school, in the documented order.
    fn rows<'a>(&'a self, s: &'a SchoolData) -> Vec<DataRow<'a>> {
        let mut out = Vec::new();
        for part in &self.parts {
            match part {
                Part::Field(code, line) => {
                    if let Some(v) = s.fields.get(*code) {
                        out.push(DataRow {
                            line,
                            table_row: None,
                            value: DataVal::Checked(&v.value),
                            sheet: &v.source.sheet,
                            cell: Cow::Borrowed(&v.source.cell),
                        });
                    }
                }
                Part::Share(sh, line) => {
                    if let Some((n, d)) = crate::summary::figures::school_share(sh, s) {
                        if d > 0.0 {
                            out.push(DataRow {
                                line,
                                table_row: None,
                                value: DataVal::Fraction(n / d),
                                sheet: "",
                                cell: Cow::Borrowed(&line.cell),
                            });
                        }
                    }
                }
                Part::Table(table, columns) => {
                    let rows = s.tables.get(*table).map(Vec::as_slice).unwrap_or_default();
                    for (i, row) in rows.iter().enumerate() {
                        for (col, line) in columns {
                            if let Some(v) = row.values.get(*col) {
                                out.push(DataRow {
                                    line,
                                    table_row: Some(i + 1),
                                    value: DataVal::Checked(v),
                                    sheet: &row.sheet,
                                    cell: Cow::Owned(format!("строка {}", row.row)),
                                });
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// One row of «Данные»: the plan's line and the school's value.
struct DataRow<'a> {
    line: &'a Line,
    table_row: Option<usize>,
    value: DataVal<'a>,
    sheet: &'a str,
    cell: Cow<'a, str>,
}

enum DataVal<'a> {
    Checked(&'a CheckedValue),
    Fraction(f64),
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

/// The formats of «Данные»'s values. The sheet is for filters, pivot tables and
/// `--compare`, not for reading: its text cells carry no format (no borders), only numbers
/// and dates do. A format on each of the 12 cells of ~46 rows a school made rust_xlsxwriter
/// hash the whole format for every cell: a third of writing the summary at 40 000 schools
/// (BENCHMARKS.md, issue 13, fourth session).
struct Formats {
    int: Format,
    dec: Format,
    pct: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            int: Format::new().set_num_format(INT),
            dec: Format::new().set_num_format(DEC),
            pct: Format::new().set_num_format(PCT),
            date: Format::new().set_num_format(DATE).set_align(FormatAlign::Center),
        }
    }

    fn number(&self, v: f64) -> &Format {
        if v.fract() == 0.0 {
            &self.int
        } else {
            &self.dec
        }
    }
}

/// «Данные» ready to be filled: its sheets made — header, names, print setup — and taken
/// out of the workbook, so that its rows (most of the summary's cells) can be written
/// while the other sheets are ([`fill`]); [`put_back`] returns the sheets to the
/// workbook. The sheets share the workbook's tables of formats and strings: the formats
/// the rows use are registered first, and no other sheet writes to the string table while
/// the rows are written (the other sheets write their strings into their cells), so the
/// workbook's bytes do not depend on which thread runs first.
pub(crate) struct DataSheets<'p> {
    plan: RowPlan<'p>,
    formats: Formats,
    sizes: Vec<usize>,
    sheets: Vec<Worksheet>,
}

pub(crate) fn start<'p>(
    wb: &mut Workbook,
    ctx: &Ctx<'p>,
    st: &Styles,
) -> Result<DataSheets<'p>, XlsxError> {
    let plan = RowPlan::new(ctx.campaign());
    let formats = Formats::new();
    for f in [&formats.int, &formats.dec, &formats.pct, &formats.date] {
        wb.register_format(f);
    }
    // More than one sheet past Excel's row limit (~23 000 schools): continuation sheets
    // «Данные 2», … with the same header; their extents are counted first (the range is
    // named before its rows are written).
    let mut counts: Vec<usize> = Vec::with_capacity(ctx.input.schools.len());
    ctx.each_school(|s| {
        counts.push(plan.rows(s).len());
        Ok(())
    })?;
    let sizes = split(&counts, rows_per_sheet());
    let first = wb.worksheets_mut().len();
    for (i, rows) in sizes.iter().enumerate() {
        start_sheet(wb, ctx, st, i, sizes.len(), *rows)?;
    }
    let sheets = wb.worksheets_mut().drain(first..).collect();
    Ok(DataSheets { plan, formats, sizes, sheets })
}

/// Write the rows of «Данные» (on any thread).
pub(crate) fn fill(d: &mut DataSheets, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = &d.formats;
    let mut sheet = 0usize;
    let mut r = 1u32;
    ctx.each_school(|s| {
        for row in d.plan.rows(s) {
            if r as usize > d.sizes[sheet] {
                sheet += 1;
                r = 1;
            }
            let ws = &mut d.sheets[sheet];
            let line = row.line;
            bare_text(ws, r, 0, &s.school_id)?;
            bare_text(ws, r, 1, &s.school_name)?;
            bare_text(ws, r, 2, &line.item)?;
            bare_text(ws, r, 3, &line.code)?;
            bare_text(ws, r, 4, &line.label)?;
            if let Some(n) = row.table_row {
                num(ws, r, 5, n as f64, &f.int)?;
            }
            match row.value {
                DataVal::Checked(CheckedValue::Num(n)) => num(ws, r, 6, *n, f.number(*n))?,
                DataVal::Checked(CheckedValue::Text(t)) => bare_text(ws, r, 6, t)?,
                DataVal::Checked(CheckedValue::Date(d)) => match excel_date(*d) {
                    Ok(x) => {
                        ws.write_datetime_with_format(r, 6, &x, &f.date)?;
                    }
                    Err(_) => bare_text(ws, r, 6, &CheckedValue::Date(*d).display())?,
                },
                DataVal::Fraction(x) => num(ws, r, 6, x, &f.pct)?,
            }
            bare_text(ws, r, 7, &line.unit)?;
            bare_text(ws, r, 8, &s.file)?;
            bare_text(ws, r, 9, row.sheet)?;
            bare_text(ws, r, 10, &row.cell)?;
            if s.invalid {
                bare_text(ws, r, 11, "да")?;
            }
            r += 1;
        }
        Ok(())
    })?;
    debug_assert_eq!(sheet + 1, d.sizes.len(), "sheets planned and written differ");
    Ok(())
}

/// Return the sheets of «Данные» to the workbook, after the sheets added meanwhile.
pub(crate) fn put_back(wb: &mut Workbook, d: DataSheets) {
    for ws in d.sheets {
        wb.push_worksheet(ws);
    }
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
