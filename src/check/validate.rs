//! Validation of a return's values against the campaign's form: per field (required, kind,
//! bounds, choices), per table row (column kinds, half-filled rows), then the plan's
//! control rules. Produces findings (data) and the school's checked values.
//!
//! Blank is not zero: a required field left blank is a finding of its own, and a form
//! returned untouched is «не заполнен» — one finding, not a page of «не заполнено».

use std::collections::BTreeMap;

use crate::check::values::{CheckedField, CheckedValue, Row, SchoolData, Source};
use crate::finding::{Code, Finding};
use crate::form::layout::{self, META_FIELDS};
use crate::plan::campaign::Campaign;
use crate::plan::expr::Term;
use crate::plan::{Field, Item, Kind, Op, Rule, Severity, Table, WhenBlank};
use crate::read::{FormInput, InputCell, InputTable, NumberParse, Value};
use crate::text::plain_number as fmt_num;

/// How a value looks to a person, for «найдено …».
fn shown(v: &Value) -> String {
    match v {
        Value::Empty => "пусто".into(),
        Value::Number(n) => format!("«{}»", fmt_num(*n)),
        Value::Text(s) => format!("«{}»", shorten(s, 60)),
        Value::Bool(b) => format!("«{}»", if *b { "ИСТИНА" } else { "ЛОЖЬ" }),
        Value::DateTime(d) => format!("дата {}", d.format("%d.%m.%Y")),
        Value::Error(e) => format!("ошибка формулы {e}"),
        Value::FormulaNoValue => "формула без значения".into(),
    }
}

/// The outcome of validating one return.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub data: SchoolData,
    pub findings: Vec<Finding>,
}

/// Longest text a cell can hold in Excel.
pub const MAX_TEXT: usize = 32_767;

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Describe what a field expects: «целое число от 0 до 5000».
pub fn expected(field: &Field, choices: &[&str]) -> String {
    let bounds = match (field.min, field.max) {
        (Some(a), Some(b)) => format!(" от {} до {}", fmt_num(a), fmt_num(b)),
        (Some(a), None) => format!(" ≥ {}", fmt_num(a)),
        (None, Some(b)) => format!(" ≤ {}", fmt_num(b)),
        (None, None) => String::new(),
    };
    match field.kind {
        Kind::Integer => format!("целое число{bounds}"),
        Kind::Decimal => format!("число{bounds}"),
        Kind::Choice | Kind::YesNo => {
            let shown: Vec<String> = choices.iter().take(6).map(|c| format!("«{c}»")).collect();
            let more = if choices.len() > 6 { ", …" } else { "" };
            format!("значение из списка ({}{more})", shown.join(", "))
        }
        Kind::Text => "текст".into(),
        Kind::Date => "дата в виде ДД.ММ.ГГГГ".into(),
    }
}

/// The result of checking one cell against its field.
enum Checked {
    Blank,
    Ok(CheckedValue),
    /// Accepted, with a warning finding.
    Noted(CheckedValue, Code, String),
    Bad(Code, String),
}

fn check_value(field: &Field, choices: &[&str], raw: &Value) -> Checked {
    if raw.is_empty() {
        return Checked::Blank;
    }
    let exp = || expected(field, choices);
    match raw {
        Value::Error(e) => {
            return Checked::Bad(Code::FormulaError, format!("в ячейке формула с ошибкой {e}; ожидалось {}: введите значение числом", exp()))
        }
        Value::FormulaNoValue => {
            return Checked::Bad(Code::FormulaNoValue, format!("в ячейке формула без сохранённого значения; ожидалось {}: введите значение, а не формулу", exp()))
        }
        _ => {}
    }
    match field.kind {
        Kind::Integer | Kind::Decimal => check_number(field, raw),
        Kind::YesNo | Kind::Choice => check_choice(field, choices, raw),
        Kind::Text => check_text(raw),
        Kind::Date => check_date(field, raw),
    }
}

/// A number of an integer or decimal field: «12,5», «1 234» and numbers typed as text are
/// read (with a note), a fraction in an integer field and a value out of bounds are not.
fn check_number(field: &Field, raw: &Value) -> Checked {
    let exp = || expected(field, &[]);
    let found = shown(raw);
    let (n, note) = match crate::read::parse_number(raw, false) {
        NumberParse::Ok(n) => (n, None),
        NumberParse::OkWithNote(n, note) => (n, Some(note)),
        NumberParse::Blank => return Checked::Blank,
        NumberParse::Err(msg) => {
            return Checked::Bad(Code::NotANumber, format!("ожидалось {}; {msg}", exp()))
        }
    };
    if field.kind == Kind::Integer && n.fract() != 0.0 {
        return Checked::Bad(
            Code::NotInteger,
            format!("ожидалось {}, найдено {found}: дробное число в поле для целых", exp()),
        );
    }
    if field.min.is_some_and(|m| n < m) || field.max.is_some_and(|m| n > m) {
        return Checked::Bad(Code::OutOfRange, format!("ожидалось {}, найдено {found}", exp()));
    }
    match note {
        Some(note) => Checked::Noted(CheckedValue::Num(n), Code::NumberAsText, note),
        None => Checked::Ok(CheckedValue::Num(n)),
    }
}

/// A value of a list (or yes/no) field: one of its choices, whatever the case, the «ё»
/// and the spaces; stored as the choice is written in the plan.
fn check_choice(field: &Field, choices: &[&str], raw: &Value) -> Checked {
    let exp = || expected(field, choices);
    let found = shown(raw);
    let typed = match raw {
        Value::Text(s) => s.split_whitespace().collect::<Vec<_>>().join(" "),
        Value::Number(n) => fmt_num(*n),
        Value::Bool(b) if field.kind == Kind::YesNo => (if *b { "да" } else { "нет" }).to_string(),
        _ => return Checked::Bad(Code::NotInList, format!("ожидалось {}, найдено {found}", exp())),
    };
    let key = crate::text::fold(&typed);
    match choices.iter().find(|c| crate::text::fold(c) == key) {
        Some(c) => Checked::Ok(CheckedValue::Text(c.to_string())),
        None => Checked::Bad(
            Code::NotInList,
            format!("ожидалось {}, найдено {found}: выберите значение из списка в ячейке", exp()),
        ),
    }
}

/// A text: any value as it is shown, at most the length of an Excel cell, without
/// control characters (removed, with a note).
fn check_text(raw: &Value) -> Checked {
    let s = match raw {
        Value::Text(s) => s.clone(),
        Value::Number(n) => fmt_num(*n),
        Value::Bool(b) => (if *b { "ИСТИНА" } else { "ЛОЖЬ" }).to_string(),
        Value::DateTime(d) => d.format("%d.%m.%Y").to_string(),
        _ => String::new(),
    };
    if s.chars().count() > MAX_TEXT {
        return Checked::Bad(
            Code::TextInvalid,
            format!("текст длиннее {MAX_TEXT} знаков ({} знаков): сократите", s.chars().count()),
        );
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        let clean: String =
            s.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r')).collect();
        return Checked::Noted(
            CheckedValue::Text(clean.trim().to_string()),
            Code::TextInvalid,
            "в тексте есть управляющие (невидимые) символы; они удалены".into(),
        );
    }
    Checked::Ok(CheckedValue::Text(s.trim().to_string()))
}

/// A date: a date cell, or a text `ДД.ММ.ГГГГ` / `ГГГГ-ММ-ДД`.
fn check_date(field: &Field, raw: &Value) -> Checked {
    let exp = || expected(field, &[]);
    let found = shown(raw);
    match raw {
        Value::DateTime(d) => Checked::Ok(CheckedValue::Date(d.date())),
        Value::Text(s) => match crate::plan::campaign::parse_date(s) {
            Some(d) => Checked::Ok(CheckedValue::Date(d)),
            None => Checked::Bad(Code::NotADate, format!("ожидалась {}, найдено {found}", exp())),
        },
        _ => Checked::Bad(Code::NotADate, format!("ожидалась {}, найдено {found}", exp())),
    }
}

/// What validation needs of a campaign — its rules, its profile and item fields, its
/// tables — worked out once for a run: the campaign makes these lists anew on every
/// call, and making them for every return cost as much as a third of validating it
/// (callgrind, BENCHMARKS.md «Issue 13, sixth session»).
pub struct Form<'p> {
    campaign: Campaign<'p>,
    rules: Vec<&'p Rule>,
    profile: Vec<&'p Field>,
    items: Vec<(&'p Item, &'p Field)>,
    tables: Vec<(&'p Item, &'p Table)>,
}

impl<'p> Form<'p> {
    pub fn new(c: &Campaign<'p>) -> Form<'p> {
        Form {
            campaign: *c,
            rules: c.rules(),
            profile: c.profile_fields(),
            items: c.item_fields(),
            tables: c.tables(),
        }
    }

    pub fn campaign(&self) -> &Campaign<'p> {
        &self.campaign
    }

    /// Validate one return's values against the campaign.
    pub fn validate(&self, input: &FormInput) -> Validated {
        let c = &self.campaign;
        let mut run = Run {
            c,
            input,
            file: input.file.as_str(),
            rules: &self.rules,
            findings: Vec::new(),
            data: SchoolData {
                school_id: input.school_id.clone(),
                school_name: input.school_name.clone(),
                file: input.file.clone(),
                fields: BTreeMap::new(),
                tables: BTreeMap::new(),
                invalid: false,
            },
        };
        let items = &self.items;
        if !touched(items, input) {
            let mut f = Finding::error(
                Code::NotFilled,
                run.file,
                "форма не заполнена: ни один показатель и ни одна таблица не заполнены",
            );
            f.sheet = Some(layout::FORM_SHEET.to_string());
            run.findings.push(f);
            return run.done();
        }
        for f in &self.profile {
            run.field(None, f);
        }
        for (item, f) in items {
            run.field(Some(&item.code), f);
        }
        run.meta_fields();
        for (item, t) in &self.tables {
            run.table(item, t);
        }
        run.form_rules(items);
        run.done()
    }
}

/// Validate one return's values against a campaign ([`Form::validate`]; a run of many
/// returns makes the [`Form`] once).
pub fn validate(c: &Campaign, input: &FormInput) -> Validated {
    Form::new(c).validate(input)
}

/// An untouched form: nothing typed in any item field or table row. Profile figures may
/// be prefilled by profplan itself, so they do not count as «filled».
fn touched(items: &[(&Item, &Field)], input: &FormInput) -> bool {
    items.iter().any(|(_, f)| input.fields.get(&f.code).is_some_and(|v| !v.value.is_empty()))
        || input
            .tables
            .values()
            .any(|t| t.rows.iter().any(|(_, r)| r.values().any(|v| !v.value.is_empty())))
}

/// One validation: the campaign, the return, and what has been found so far.
struct Run<'a> {
    c: &'a Campaign<'a>,
    input: &'a FormInput,
    file: &'a str,
    rules: &'a [&'a Rule],
    findings: Vec<Finding>,
    data: SchoolData,
}

impl<'a> Run<'a> {
    fn done(self) -> Validated {
        Validated { data: self.data, findings: self.findings }
    }

    fn source(&self, cell: &InputCell) -> Source {
        Source { file: self.file.to_string(), sheet: cell.sheet.clone(), cell: cell.cell.clone() }
    }

    /// A field of the profile block (`item` None) or of an item: its named cell is there,
    /// its value is of its kind and within bounds, and a required field is not blank.
    fn field(&mut self, item: Option<&str>, f: &Field) {
        let (c, input, file) = (self.c, self.input, self.file);
        let choices = c.plan.choices_of(f);
        let label = c.text(&f.label);
        if input.reported.contains(&f.code) {
            return;
        }
        let Some(cell) = input.fields.get(&f.code) else {
            let mut fi = Finding::error(
                Code::NameMissing,
                file,
                format!("в форме нет ячейки «{label}» (имя {}): форма изменена; заполните форму, выданную для этой кампании", layout::field_name(&f.code)),
            )
            .field(&f.code);
            fi.item = item.map(str::to_string);
            self.findings.push(fi);
            return;
        };
        let finding = |code: Code, sev: Severity, msg: String| {
            let mut fi =
                Finding::new(code, sev, file, msg).at(&cell.sheet, &cell.cell).field(&f.code);
            fi.item = item.map(str::to_string);
            fi
        };
        let source = self.source(cell);
        match check_value(f, &choices, &cell.value) {
            Checked::Blank => {
                if f.required {
                    let hint = if f.kind.is_numeric() {
                        "; если значение равно нулю, укажите 0"
                    } else {
                        ""
                    };
                    self.findings.push(finding(
                        Code::Required,
                        Severity::Error,
                        format!(
                            "не заполнено «{label}»: ожидалось {}{hint}",
                            expected(f, &choices)
                        ),
                    ));
                }
            }
            Checked::Ok(v) => {
                self.data.fields.insert(f.code.clone(), CheckedField { value: v, source });
            }
            Checked::Noted(v, code, msg) => {
                self.findings.push(finding(code, Severity::Warning, format!("«{label}»: {msg}")));
                self.data.fields.insert(f.code.clone(), CheckedField { value: v, source });
            }
            Checked::Bad(code, msg) => {
                self.findings.push(finding(code, Severity::Error, format!("«{label}»: {msg}")))
            }
        }
    }

    /// Who filled the form: asked, but never blocking — a blank or a bad value is a
    /// warning. The text checks of text fields still apply: a 40 000-character or
    /// control-character «ФИО» must not reach the summary (Excel refuses cells over
    /// 32 767 characters, and one such cell would fail the whole summary).
    fn meta_fields(&mut self) {
        let (input, file) = (self.input, self.file);
        for (code, label) in META_FIELDS {
            let Some(cell) = input.fields.get(code) else { continue };
            let meta = Field {
                code: code.to_string(),
                label: label.to_string(),
                unit: String::new(),
                kind: Kind::Text,
                min: None,
                max: None,
                choices: None,
                required: false,
                hint: String::new(),
                width: None,
                cumulative: false,
                stable: None,
                pos: 0,
            };
            let warn = |code_: Code, msg: String| {
                Finding::warning(code_, file, msg).at(&cell.sheet, &cell.cell).field(code)
            };
            let source = self.source(cell);
            match check_value(&meta, &[], &cell.value) {
                Checked::Blank => self.findings.push(warn(
                    Code::Required,
                    format!(
                        "не заполнено «{label}» — сведения о заполнившем форму обязательны (ФИО, \
                         должность, телефон), отчёт принят с предупреждением: заполните это поле"
                    ),
                )),
                Checked::Ok(v) => {
                    self.data.fields.insert(code.to_string(), CheckedField { value: v, source });
                }
                Checked::Noted(v, c, msg) => {
                    self.findings.push(warn(c, format!("«{label}»: {msg}")));
                    self.data.fields.insert(code.to_string(), CheckedField { value: v, source });
                }
                Checked::Bad(c, msg) => self.findings.push(warn(c, format!("«{label}»: {msg}"))),
            }
        }
    }

    /// A detail table: its named area is there with every column, and each filled row is
    /// checked (a blank row is skipped; a half-filled one is a finding).
    fn table(&mut self, item: &Item, t: &Table) {
        let (c, input, file) = (self.c, self.input, self.file);
        if input.reported.contains(&t.code) {
            return;
        }
        let Some(raw) = input.tables.get(&t.code) else {
            self.findings.push(
                Finding::error(
                    Code::NameMissing,
                    file,
                    format!("в форме нет таблицы «{}» (лист «{}», имя {}): форма изменена; заполните форму, выданную для этой кампании", c.text(&t.title), t.sheet, layout::table_name(&t.code)),
                )
                .item(&item.code)
                .field(&t.code),
            );
            return;
        };
        let lost: Vec<&str> = t
            .columns
            .iter()
            .filter(|col| !raw.columns.contains(&col.code))
            .map(|col| col.code.as_str())
            .collect();
        if !lost.is_empty() {
            let mut fi = Finding::error(
                Code::LayoutChanged,
                file,
                format!(
                    "в таблице «{}» не найдены столбцы {}: столбцы удалены или переставлены; \
                     заполните таблицу в выданной форме, не меняя её столбцов",
                    c.text(&t.title),
                    lost.join(", ")
                ),
            )
            .item(&item.code)
            .field(&t.code);
            fi.sheet = Some(raw.sheet.clone());
            fi.cell = (!raw.first_cell.is_empty()).then(|| raw.first_cell.clone());
            self.findings.push(fi);
            return;
        }
        let mut rows = Vec::new();
        for (rownum, cells) in &raw.rows {
            if cells.values().all(|v| v.value.is_empty()) {
                continue;
            }
            let (row, row_ok) = self.row(item, t, raw, *rownum, cells);
            if row_ok {
                self.row_rules(item, t, raw, *rownum, cells, &row);
            }
            rows.push(row);
        }
        self.data.tables.insert(t.code.clone(), rows);
    }

    /// One filled row of a table: each column's value; whether the row holds (no error),
    /// so that its per-row rules can be checked.
    fn row(
        &mut self,
        item: &Item,
        t: &Table,
        raw: &InputTable,
        rownum: u32,
        cells: &BTreeMap<String, InputCell>,
    ) -> (Row, bool) {
        let (c, file) = (self.c, self.file);
        let mut row = Row { sheet: raw.sheet.clone(), row: rownum, values: BTreeMap::new() };
        let mut row_ok = true;
        for col in &t.columns {
            let choices = c.plan.choices_of(col);
            let label = c.text(&col.label);
            let (sheet, a1) = cells
                .get(&col.code)
                .map(|v| (v.sheet.clone(), v.cell.clone()))
                .unwrap_or_else(|| (raw.sheet.clone(), String::new()));
            let value = cells.get(&col.code).map(|v| v.value.clone()).unwrap_or(Value::Empty);
            let finding = |code: Code, sev: Severity, msg: String| {
                let mut fi = Finding::new(code, sev, file, msg)
                    .item(&item.code)
                    .field(format!("{}.{}", t.code, col.code));
                fi.sheet = Some(sheet.clone());
                fi.cell = (!a1.is_empty()).then(|| a1.clone());
                fi
            };
            match check_value(col, &choices, &value) {
                Checked::Blank => {
                    if col.required {
                        row_ok = false;
                        self.findings.push(finding(Code::RowIncomplete, Severity::Error, format!("строка {rownum} заполнена не полностью: не указано «{label}» (ожидалось {})", expected(col, &choices))));
                    }
                }
                Checked::Ok(v) => {
                    row.values.insert(col.code.clone(), v);
                }
                Checked::Noted(v, code, msg) => {
                    self.findings.push(finding(
                        code,
                        Severity::Warning,
                        format!("строка {rownum}, «{label}»: {msg}"),
                    ));
                    row.values.insert(col.code.clone(), v);
                }
                Checked::Bad(code, msg) => {
                    row_ok = false;
                    self.findings.push(finding(
                        code,
                        Severity::Error,
                        format!("строка {rownum}, «{label}»: {msg}"),
                    ));
                }
            }
        }
        (row, row_ok)
    }

    /// The per-row rules of a table, on one row without errors; a finding points at the
    /// cell of the first column its left side names.
    fn row_rules(
        &mut self,
        item: &Item,
        t: &Table,
        raw: &InputTable,
        rownum: u32,
        cells: &BTreeMap<String, InputCell>,
        row: &Row,
    ) {
        let file = self.file;
        for r in self.rules.iter().filter(|r| r.table.as_deref() == Some(t.code.as_str())) {
            let value = |t: &Term| match t {
                Term::Field(col) => row.values.get(col).and_then(CheckedValue::num),
                _ => None,
            };
            if let Some(msg) = check_rule(r, value) {
                let first = r.left.expr().fields().next();
                let a1 = first.and_then(|col| cells.get(col)).map(|v| v.cell.clone());
                let mut fi =
                    Finding::new(Code::Rule, r.severity, file, format!("строка {rownum}: {msg}"))
                        .item(&item.code)
                        .field(&r.code);
                fi.sheet = Some(raw.sheet.clone());
                fi.cell = a1;
                self.findings.push(fi);
            }
        }
    }

    /// Control rules over fields and table sums; a finding points at the cell of the first
    /// field the rule's left side names.
    fn form_rules(&mut self, items: &[(&Item, &Field)]) {
        let (input, file, data) = (self.input, self.file, &self.data);
        let item_of =
            |code: &str| items.iter().find(|(_, f)| f.code == code).map(|(i, _)| i.code.clone());
        for r in self.rules.iter().filter(|r| r.table.is_none()) {
            let value = |t: &Term| match t {
                Term::Field(code) => data.num(code),
                Term::Sum { table, column } => data.tables.get(table).map(|rows| {
                    rows.iter()
                        .filter_map(|r| r.values.get(column).and_then(CheckedValue::num))
                        .sum()
                }),
                Term::Number(n) => Some(*n),
            };
            // A field that failed its own check is not blank: it is wrong, and already reported.
            let failed = |t: &Term| matches!(t, Term::Field(code) if input.fields.get(code).is_some_and(|v| !v.value.is_empty()) && data.num(code).is_none());
            if [&r.left, &r.right].iter().any(|e| e.expr().terms.iter().any(failed)) {
                continue;
            }
            if let Some(msg) = check_rule(r, value) {
                let first = r.left.expr().fields().next();
                let cell = first.and_then(|code| input.fields.get(code));
                let mut fi = Finding::new(Code::Rule, r.severity, file, msg).field(&r.code);
                fi.item = first.and_then(item_of);
                if let Some(cell) = cell {
                    fi.sheet = Some(cell.sheet.clone());
                    fi.cell = Some(cell.cell.clone());
                }
                self.findings.push(fi);
            }
        }
    }
}

/// Check a rule; the Russian message when it does not hold (or a side is blank under
/// `when_blank = "fail"`).
fn check_rule(r: &Rule, mut value: impl FnMut(&Term) -> Option<f64>) -> Option<String> {
    let (l, lb) = r.left.expr().eval(&mut value);
    let (rv, rb) = r.right.expr().eval(&mut value);
    if lb || rb {
        match r.when_blank {
            WhenBlank::Skip => return None,
            WhenBlank::Zero => {}
            WhenBlank::Fail => {
                return Some(format!("{}: не заполнены данные для проверки", r.message))
            }
        }
    }
    if r.op.holds(l, rv) {
        return None;
    }
    let broken = match r.op {
        Op::Le => ">",
        Op::Lt => "≥",
        Op::Ge => "<",
        Op::Gt => "≤",
        Op::Eq => "≠",
        Op::Ne => "=",
    };
    Some(format!("{} (найдено {} {broken} {})", r.message, fmt_num(l), fmt_num(rv)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

    fn cell(a1: &str, v: Value) -> InputCell {
        InputCell { sheet: "Отчёт".into(), cell: a1.into(), value: v }
    }

    fn input(c: &Campaign, values: &[(&str, Value)]) -> FormInput {
        let mut fields = BTreeMap::new();
        for (i, f) in c.fields().iter().enumerate() {
            fields.insert(f.code.clone(), cell(&format!("E{}", i + 10), Value::Empty));
        }
        for (code, _) in META_FIELDS {
            fields.insert(code.to_string(), cell("E5", Value::Text("Иванова И. И.".into())));
        }
        for (code, v) in values {
            fields.get_mut(*code).unwrap().value = v.clone();
        }
        let tables = c
            .tables()
            .iter()
            .map(|(_, t)| {
                let columns = t.columns.iter().map(|c| c.code.clone()).collect();
                (
                    t.code.clone(),
                    InputTable { sheet: t.sheet.clone(), columns, ..Default::default() },
                )
            })
            .collect();
        FormInput {
            file: "07.xlsx".into(),
            school_id: "07".into(),
            school_name: "Школа".into(),
            fields,
            tables,
            ..Default::default()
        }
    }

    fn codes(v: &Validated) -> Vec<(Code, Option<&str>)> {
        v.findings.iter().map(|f| (f.code, f.cell.as_deref())).collect()
    }

    #[test]
    fn untouched_form_is_one_finding() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let v = validate(&c, &input(&c, &[("oo_students_6_11", Value::Number(100.0))]));
        assert_eq!(codes(&v), [(Code::NotFilled, None)]);
        assert_eq!(v.findings[0].sheet.as_deref(), Some("Отчёт"));
    }

    #[test]
    fn field_findings_name_the_cell() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let v = validate(
            &c,
            &input(
                &c,
                &[
                    ("oo_students_6_11", Value::Number(100.0)),
                    ("p2_1_covered", Value::Text("12,5".into())),
                    ("p2_1_events", Value::Text("1 234".into())),
                    ("p1_5_students", Value::Text("15 чел.".into())),
                    ("p1_5_parents", Value::Number(-3.0)),
                    ("p1_2_mark", Value::Text("Выполнено".into())),
                    ("p5_1_registered", Value::Error("#DIV/0!".into())),
                ],
            ),
        );
        let f = |code: &str| v.findings.iter().find(|x| x.field.as_deref() == Some(code)).unwrap();
        assert_eq!(f("p2_1_covered").code, Code::NotInteger);
        assert!(
            f("p2_1_covered").message.contains("найдено «12,5»"),
            "{}",
            f("p2_1_covered").message
        );
        assert_eq!(f("p2_1_events").code, Code::NumberAsText);
        assert_eq!(f("p2_1_events").severity, Severity::Warning);
        assert_eq!(v.data.num("p2_1_events"), Some(1234.0));
        assert_eq!(f("p1_5_students").code, Code::NotANumber);
        assert_eq!(f("p1_5_parents").code, Code::OutOfRange);
        assert_eq!(f("p5_1_registered").code, Code::FormulaError);
        assert_eq!(v.data.fields["p1_2_mark"].value, CheckedValue::Text("выполнено".into()));
        assert_eq!(f("p9_2_events").code, Code::Required);
        assert_eq!(f("p9_2_events").item.as_deref(), Some("9.2"));
        assert!(f("p9_2_events").cell.is_some());
    }

    #[test]
    fn control_rules() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let v = validate(
            &c,
            &input(
                &c,
                &[
                    ("oo_students_6_11", Value::Number(100.0)),
                    ("p2_1_covered", Value::Number(120.0)),
                    ("p7_2_students", Value::Number(150.0)),
                    ("p5_1_registered", Value::Number(50.0)),
                    ("p5_1_probes", Value::Number(40.0)),
                ],
            ),
        );
        let rule = |code: &str| v.findings.iter().find(|x| x.field.as_deref() == Some(code));
        let r = rule("r2_1_covered").unwrap();
        assert_eq!(r.severity, Severity::Error);
        assert!(r.message.ends_with("(найдено 120 > 100)"), "{}", r.message);
        assert_eq!(r.item.as_deref(), Some("2.1"));
        assert_eq!(rule("r7_2_students").unwrap().severity, Severity::Warning);
        assert!(rule("r5_1_probes").is_none());
        // p6_3_students blank → rule skipped (the blank is reported as required).
        assert!(rule("r6_3_students").is_none());
    }

    #[test]
    fn table_rows() {
        let plan = Plan::default_plan();
        let c = Campaign::parse(&plan, "2025-12-20").unwrap();
        let mut inp = input(&c, &[("p2_1_events", Value::Number(3.0))]);
        let row = |n: u32, vals: &[(&str, Value)]| {
            (
                n,
                vals.iter()
                    .enumerate()
                    .map(|(i, (k, v))| {
                        (
                            k.to_string(),
                            InputCell {
                                sheet: "10.1 Конкурсы".into(),
                                cell: crate::finding::a1(n - 1, i as u32),
                                value: v.clone(),
                            },
                        )
                    })
                    .collect(),
            )
        };
        inp.tables.get_mut("t10_1").unwrap().rows = vec![
            row(
                4,
                &[
                    ("contest", Value::Text("Профи".into())),
                    ("level", Value::Text("региональный".into())),
                    ("participants", Value::Number(3.0)),
                    ("winners", Value::Number(5.0)),
                ],
            ),
            row(
                5,
                &[("contest", Value::Text("Старт".into())), ("participants", Value::Number(3.0))],
            ),
            row(6, &[("contest", Value::Empty)]),
        ];
        let v = validate(&c, &inp);
        let t: Vec<_> = v
            .findings
            .iter()
            .filter(|f| {
                f.field.as_deref().is_some_and(|x| x.starts_with("t10_1") || x.starts_with("r10_1"))
            })
            .collect();
        assert_eq!(t.len(), 2, "{t:#?}");
        assert_eq!(t[0].code, Code::Rule);
        assert_eq!(t[0].cell.as_deref(), Some("D4"));
        assert_eq!(t[1].code, Code::RowIncomplete);
        assert_eq!(v.data.tables["t10_1"].len(), 2);
    }
}
