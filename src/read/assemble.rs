//! From a workbook's names and cells to a [`RawReturn`], the same way for every format.
//!
//! Values are found through the form's defined names (`PP_<field>`, `PPT_<table>`),
//! which follow their cells when a school inserts rows or LibreOffice re-saves the file.
//! The hidden codes the form carries — column A of «Отчёт», the codes row above each
//! table — are read too and cross-checked: a name that now points at a row with another
//! code is reported ([`Code::LayoutChanged`]) and its value is not used, because a
//! misread figure in the district summary is worse than a refused file.

use std::collections::{BTreeMap, BTreeSet};

use super::HashMap;

use super::refs::{parse_reference, CellRef};
use super::{
    Backend, Budget, Cell, IdentitySources, Opened, RawReturn, Reject, StoredCell, TableData,
    TableRow, Value, Want,
};
use crate::finding::{Code, Finding};
use crate::form::layout::{
    col, table_rows, FIELD_NAME_PREFIX, FORM_SHEET, IDENTITY_SHEET, TABLE_NAME_PREFIX,
};
use crate::text::a1;

/// Rows of the identity sheet that are read (the block has 8 keys; room for growth).
const IDENTITY_ROWS: u32 = 200;
/// Largest table entry area accepted: what any form can have (a plan allows at most
/// this many blank rows and columns per table). A name stretched beyond it
/// (`B4:IV100003`) is a changed layout, not a table, and is not read — so a few hundred
/// KB cannot turn into millions of cell records.
const MAX_TABLE_ROWS: u32 = crate::plan::MAX_TABLE_ROWS;
const MAX_TABLE_COLS: u32 = crate::plan::MAX_TABLE_COLUMNS as u32;
/// Rows of «Отчёт» whose hidden code column is read (forms have a few hundred rows; a
/// bound keeps a sheet filled down to row 1 048 576 from costing a million cells).
const FORM_CODE_ROWS: u32 = 10_000;

pub(crate) fn assemble(
    opened: Opened,
    backend: &mut dyn Backend,
    budget: &mut Budget,
    display: &str,
) -> Result<RawReturn, Reject> {
    let mut notes = Vec::new();
    let sheet_set: BTreeSet<&str> = opened.sheets.iter().map(String::as_str).collect();
    let (fields, tables) = resolve_names(&opened, &sheet_set, display, &mut notes);
    let wants = wanted(&sheet_set, &fields, &tables, display, &mut notes);
    let grids = Grids { sheets: backend.read_sheets(&wants, budget)?, empty: HashMap::default() };
    for mut n in backend.take_notes() {
        n.file = display.to_string();
        notes.push(n);
    }

    // Identity sheet: key in A, value in B.
    let identity_sheet = sheet_set.contains(IDENTITY_SHEET).then(|| {
        (0..IDENTITY_ROWS)
            .filter_map(|r| {
                let key = grids.text_at(IDENTITY_SHEET, r, 0)?;
                Some((key, grids.text_at(IDENTITY_SHEET, r, 1).unwrap_or_default()))
            })
            .collect::<BTreeMap<_, _>>()
    });
    let row_codes = grids.form_row_codes();
    let cells = grids.field_cells(&fields, display, &mut notes);
    let table_data = tables
        .iter()
        .map(|(code, r)| (code.clone(), grids.table(code, r, display, &mut notes)))
        .collect();

    Ok(RawReturn {
        path: Default::default(),
        display: display.to_string(),
        format: super::Format::Unknown,
        identity: IdentitySources { sheet: identity_sheet, properties: opened.properties },
        saved_at: opened.saved_at,
        sheets: opened.sheets,
        cells,
        row_codes,
        tables: table_data,
        notes,
    })
}

/// What to read, per sheet: the identity block, the form sheet's code and value columns,
/// each named field's cell, each table's area and the rows that may hold its codes. A
/// missing form sheet is noted here.
fn wanted(
    sheet_set: &BTreeSet<&str>,
    fields: &BTreeMap<String, CellRef>,
    tables: &BTreeMap<String, CellRef>,
    display: &str,
    notes: &mut Vec<Finding>,
) -> BTreeMap<String, Want> {
    let mut wants: BTreeMap<String, Want> = BTreeMap::new();
    if sheet_set.contains(IDENTITY_SHEET) {
        wants.entry(IDENTITY_SHEET.into()).or_default().add(0, 0, IDENTITY_ROWS - 1, 1);
    }
    if sheet_set.contains(FORM_SHEET) {
        let w = wants.entry(FORM_SHEET.into()).or_default();
        w.add(0, col::CODE.into(), FORM_CODE_ROWS - 1, col::CODE.into());
        w.add(0, col::VALUE.into(), FORM_CODE_ROWS - 1, col::VALUE.into());
    } else {
        notes.push(Finding::error(
            Code::SheetMissing,
            display,
            format!(
                "в файле нет листа «{FORM_SHEET}» (он удалён или переименован): верните \
                 исходное название листа или заполните присланную форму заново"
            ),
        ));
    }
    for r in fields.values() {
        wants.entry(r.sheet.clone()).or_default().add(
            r.first_row,
            r.first_col,
            r.first_row,
            r.first_col,
        );
    }
    for r in tables.values() {
        let w = wants.entry(r.sheet.clone()).or_default();
        w.add(r.first_row, r.first_col, r.last_row, r.last_col);
        w.add(codes_row(r), r.first_col, codes_row(r), r.last_col);
        w.add(table_rows::CODES, r.first_col, table_rows::CODES, r.last_col);
    }
    wants
}

/// The cells read, by sheet.
struct Grids {
    sheets: HashMap<String, super::Grid>,
    empty: super::Grid,
}

impl Grids {
    fn grid(&self, sheet: &str) -> &super::Grid {
        self.sheets.get(sheet).unwrap_or(&self.empty)
    }

    /// The text of a cell, trimmed; `None` when blank.
    fn text_at(&self, sheet: &str, r: u32, c: u32) -> Option<String> {
        self.grid(sheet)
            .get(&(r, c))
            .map(|v| v.value.display().trim().to_string())
            .filter(|s| !s.is_empty())
    }

    fn cell(&self, sheet: &str, r: u32, c: u32, row_code: Option<String>) -> Cell {
        let raw = self
            .grid(sheet)
            .get(&(r, c))
            .cloned()
            .unwrap_or(StoredCell { value: Value::Empty, formula: false });
        Cell {
            sheet: sheet.to_string(),
            row: r,
            col: c,
            a1: a1(r, c),
            value: raw.value,
            formula: raw.formula,
            row_code,
        }
    }

    /// For every code in the hidden column A of the form sheet, the cell in the value
    /// column of its row (the first row with that code; rows listing several codes are
    /// left out).
    fn form_row_codes(&self) -> BTreeMap<String, Cell> {
        let mut row_codes = BTreeMap::new();
        let mut code_rows: Vec<(u32, String)> = self
            .grid(FORM_SHEET)
            .iter()
            .filter(|((_, c), _)| *c == u32::from(col::CODE))
            .filter_map(|((r, _), v)| {
                let t = v.value.display().trim().to_string();
                (!t.is_empty()).then_some((*r, t))
            })
            .collect();
        code_rows.sort();
        for (r, code) in &code_rows {
            let codes = split_codes(code);
            if codes.len() == 1 {
                row_codes.entry(codes[0].to_string()).or_insert_with(|| {
                    self.cell(FORM_SHEET, *r, col::VALUE.into(), Some(code.clone()))
                });
            }
        }
        row_codes
    }

    /// The cell of each named field; a name that now points at the row of another code
    /// is noted and its value not read.
    fn field_cells(
        &self,
        fields: &BTreeMap<String, CellRef>,
        display: &str,
        notes: &mut Vec<Finding>,
    ) -> BTreeMap<String, Cell> {
        let mut cells = BTreeMap::new();
        for (code, r) in fields {
            let row_code = (r.sheet == FORM_SHEET)
                .then(|| self.text_at(FORM_SHEET, r.first_row, col::CODE.into()))
                .flatten();
            if let Some(rc) = &row_code {
                if !split_codes(rc).iter().any(|c| c == code) {
                    notes.push(
                        Finding::error(
                            Code::LayoutChanged,
                            display,
                            format!(
                                "ячейка поля «{code}» оказалась в строке другого показателя («{rc}»): \
                                 строки формы переставлены или перенесены. Значение не прочитано — \
                                 заполните присланную форму, не меняя её строк"
                            ),
                        )
                        .at(r.sheet.clone(), a1(r.first_row, r.first_col))
                        .field(code.clone()),
                    );
                    continue;
                }
            }
            cells.insert(code.clone(), self.cell(&r.sheet, r.first_row, r.first_col, row_code));
        }
        cells
    }

    /// A table's entry area: its column codes (from the codes row above it, or the
    /// form's fixed codes row) and its rows with at least one value.
    fn table(&self, code: &str, r: &CellRef, display: &str, notes: &mut Vec<Finding>) -> TableData {
        let read_codes = |row: u32| -> Vec<Option<String>> {
            (r.first_col..=r.last_col).map(|c| self.text_at(&r.sheet, row, c)).collect()
        };
        let mut column_codes = read_codes(codes_row(r));
        if column_codes.iter().all(Option::is_none) {
            column_codes = read_codes(table_rows::CODES);
        }
        if column_codes.iter().all(Option::is_none) {
            notes.push(
                Finding::error(
                    Code::LayoutChanged,
                    display,
                    format!(
                        "у таблицы «{code}» не найдена служебная строка с кодами столбцов: \
                         лист изменён. Заполните таблицу в присланной форме, не удаляя строк над ней"
                    ),
                )
                .at(r.sheet.clone(), a1(r.first_row, r.first_col))
                .field(code.to_string()),
            );
        }
        let rows_used: BTreeSet<u32> = self
            .grid(&r.sheet)
            .iter()
            .filter(|((row, c), v)| {
                *row >= r.first_row
                    && *row <= r.last_row
                    && *c >= r.first_col
                    && *c <= r.last_col
                    && !v.value.is_empty()
            })
            .map(|((row, _), _)| *row)
            .collect();
        let rows = rows_used
            .into_iter()
            .map(|row| TableRow {
                row,
                cells: (r.first_col..=r.last_col)
                    .map(|c| self.cell(&r.sheet, row, c, None))
                    .collect(),
            })
            .collect();
        TableData {
            sheet: r.sheet.clone(),
            first_row: r.first_row,
            first_col: r.first_col,
            last_row: r.last_row,
            last_col: r.last_col,
            column_codes,
            rows,
        }
    }
}

/// The hidden codes row sits [`table_rows::FIRST_ENTRY`] − [`table_rows::CODES`] rows
/// above the entry area. Taken relative to the area, so rows inserted above the table
/// (which move the area and the codes row together) do not break the check.
fn codes_row(r: &CellRef) -> u32 {
    r.first_row.saturating_sub(table_rows::FIRST_ENTRY - table_rows::CODES)
}

/// A code cell may list several codes (a row holding more than one input cell).
fn split_codes(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Picks the `PP_` and `PPT_` names, resolves them to cells, and notes the broken ones.
fn resolve_names(
    opened: &Opened,
    sheets: &BTreeSet<&str>,
    display: &str,
    notes: &mut Vec<Finding>,
) -> (BTreeMap<String, CellRef>, BTreeMap<String, CellRef>) {
    // Group every definition of a name (calamine reports sheet-scoped copies, made when a
    // school copies a sheet, under the same name and without their scope).
    let mut by_name: BTreeMap<(bool, String), Vec<&str>> = BTreeMap::new();
    for (name, target) in &opened.names {
        let (is_table, code) = if let Some(c) = strip_prefix_ci(name, TABLE_NAME_PREFIX) {
            (true, c)
        } else if let Some(c) = strip_prefix_ci(name, FIELD_NAME_PREFIX) {
            (false, c)
        } else {
            continue;
        };
        by_name.entry((is_table, code.to_string())).or_default().push(target);
    }
    let mut fields = BTreeMap::new();
    let mut tables = BTreeMap::new();
    for ((is_table, code), targets) in by_name {
        let name =
            format!("{}{code}", if is_table { TABLE_NAME_PREFIX } else { FIELD_NAME_PREFIX });
        let mut refs: Vec<CellRef> = Vec::new();
        // Distinct targets through a set: a name defined 600 000 times stays linear.
        let mut seen: BTreeSet<(String, u32, u32, u32, u32)> = BTreeSet::new();
        let mut broken = false;
        for t in &targets {
            match parse_reference(t) {
                Some(r) if sheets.contains(r.sheet.as_str()) => {
                    let key = (r.sheet.clone(), r.first_row, r.first_col, r.last_row, r.last_col);
                    if seen.insert(key) {
                        refs.push(r)
                    }
                }
                _ => broken = true,
            }
        }
        if refs.len() > 1 {
            // Prefer the definition on a sheet that is not a copy («Отчёт (2)»).
            refs.retain(|r| !is_sheet_copy(&r.sheet));
        }
        let note =
            |code_: Code, msg: String| Finding::error(code_, display, msg).field(code.clone());
        let r = match refs.len() {
            1 => refs.pop().expect("one element"),
            0 if broken => {
                notes.push(note(
                    Code::NameMissing,
                    format!(
                        "метка «{name}» больше не указывает на ячейку формы (строки или столбцы \
                         удалены, лист удалён). Значение не прочитано — заполните присланную \
                         форму заново, не удаляя строк и столбцов"
                    ),
                ));
                continue;
            }
            0 => continue,
            _ => {
                notes.push(note(
                    Code::LayoutChanged,
                    format!("метка «{name}» указывает на несколько разных ячеек (лист скопирован?): значение не прочитано"),
                ));
                continue;
            }
        };
        if is_table {
            let rows = r.last_row - r.first_row + 1;
            let cols = r.last_col - r.first_col + 1;
            if rows > MAX_TABLE_ROWS
                || cols > MAX_TABLE_COLS
                || r.first_row < table_rows::FIRST_ENTRY - table_rows::CODES
            {
                notes.push(note(
                    Code::LayoutChanged,
                    format!(
                        "метка таблицы «{name}» указывает на область {rows} × {cols} (строк × \
                         столбцов), а таблица формы не бывает больше {MAX_TABLE_ROWS} × \
                         {MAX_TABLE_COLS} — структура листа изменена; таблица не прочитана. \
                         Заполните таблицу в присланной форме, не меняя её границ"
                    ),
                ));
                continue;
            }
            tables.insert(code, r);
        } else {
            if !r.is_single() {
                notes.push(note(
                    Code::LayoutChanged,
                    format!("метка «{name}» указывает на диапазон, а не на одну ячейку — структура формы изменена; значение не прочитано"),
                ));
                continue;
            }
            fields.insert(code, r);
        }
    }
    (fields, tables)
}

fn strip_prefix_ci<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &name[prefix.len()..])
}

/// «Отчёт (2)»: how Excel and LibreOffice name a copied sheet.
fn is_sheet_copy(sheet: &str) -> bool {
    sheet.ends_with(')')
        && sheet
            .rsplit_once(" (")
            .is_some_and(|(_, n)| n[..n.len() - 1].chars().all(|c| c.is_ascii_digit()))
}
