//! The checks a plan passes when it is loaded, one function per family: the plan's
//! header and choice lists, fields, sections and items, tables and their views, shares,
//! control rules, campaigns. Each problem is a Russian message with the byte position of
//! the element it is about (the caller turns it into a line number); every problem is
//! reported, not only the first, so that a methodologist fixes a plan in one pass.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::expr::{ExprError, Formula, Term};
use crate::plan::{
    bad_sheet_name, is_code, Field, Item, Kind, Plan, Table, View, MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
};

/// Problems found: (byte position in the source when known, message).
pub(super) type Problems = Vec<(Option<usize>, String)>;

/// Codes and names that must be unique across the plan, gathered while checking it.
#[derive(Default)]
struct Names<'a> {
    /// Fields, shares and tables share one namespace (they become workbook names).
    fields: BTreeMap<&'a str, usize>,
    items: BTreeMap<&'a str, usize>,
    sections: BTreeSet<&'a str>,
    /// Sheet names of tables, lower case.
    sheets: BTreeSet<String>,
}

impl Plan {
    /// Check the definition; returns (byte position, message) per problem.
    pub(super) fn check(&self) -> Problems {
        let mut p = Problems::new();
        self.check_header(&mut p);
        let mut names = Names::default();
        for f in &self.profile {
            self.check_field(f, "поля", &mut p);
            if names.fields.insert(&f.code, f.pos).is_some() {
                p.push((Some(f.pos), format!("код поля «{}» повторяется", f.code)));
            }
        }
        self.check_sections(&mut names, &mut p);
        for sheet in ["отчёт", "инструкция", "_profplan", "_списки"] {
            if names.sheets.contains(sheet) {
                p.push((None, format!("имя листа «{sheet}» занято самой формой")));
            }
        }
        self.check_share_expressions(&mut p);
        self.check_rules(&mut p);
        self.check_campaigns(&names.items, &mut p);
        p
    }

    /// The plan's id, that it has sections, the default number of table rows, and the
    /// choice lists (not empty, no value twice).
    fn check_header(&self, p: &mut Problems) {
        if !is_code(&self.id.replace('-', "_")) {
            p.push((
                None,
                format!(
                    "идентификатор плана «{}» должен состоять из латинских букв, цифр, «-» и «_»",
                    self.id
                ),
            ));
        }
        if self.sections.is_empty() {
            p.push((None, "в плане нет ни одного раздела ([[section]])".into()));
        }
        if self.table_rows == 0 || self.table_rows > MAX_TABLE_ROWS {
            p.push((
                None,
                format!(
                    "table_rows = {}: число пустых строк таблиц должно быть от 1 до 1000",
                    self.table_rows
                ),
            ));
        }
        for (name, list) in &self.choices {
            if list.is_empty() {
                p.push((None, format!("список выбора «{name}» пуст")));
            }
            let mut seen = BTreeSet::new();
            for v in list {
                if !seen.insert(v.trim().to_lowercase()) {
                    p.push((None, format!("в списке выбора «{name}» значение «{v}» повторяется")));
                }
            }
        }
    }

    /// One field or table column (`what` says which, in the genitive): its code, label,
    /// choice list, bounds and inter-period marks.
    fn check_field(&self, f: &Field, what: &str, p: &mut Problems) {
        let at = Some(f.pos);
        if !is_code(&f.code) {
            p.push((at, format!("код {what} «{}» должен начинаться с латинской буквы и состоять из строчных латинских букв, цифр и «_» (не длиннее 60 знаков)", f.code)));
        }
        if f.label.trim().is_empty() {
            p.push((at, format!("у {what} «{}» нет подписи (label)", f.code)));
        }
        match f.kind {
            Kind::Choice => match &f.choices {
                None => p.push((
                    at,
                    format!("{what} «{}» типа choice без списка выбора (choices)", f.code),
                )),
                Some(c) if !self.choices.contains_key(c) => p.push((
                    at,
                    format!("{what} «{}» ссылается на неизвестный список выбора «{c}»", f.code),
                )),
                _ => {}
            },
            _ if f.choices.is_some() => p.push((
                at,
                format!("у {what} «{}» указан список выбора, но тип не choice", f.code),
            )),
            _ => {}
        }
        if (f.min.is_some() || f.max.is_some()) && !f.kind.is_numeric() {
            p.push((
                at,
                format!("границы min/max у {what} «{}» допустимы только для чисел", f.code),
            ));
        }
        if let (Some(a), Some(b)) = (f.min, f.max) {
            if a > b {
                p.push((at, format!("у {what} «{}» min = {a} больше max = {b}", f.code)));
            }
        }
        if (f.cumulative || f.stable.is_some()) && !f.kind.is_numeric() {
            p.push((
                at,
                format!(
                    "отметки cumulative и stable у {what} «{}» допустимы только для чисел",
                    f.code
                ),
            ));
        }
        if let Some(st) = f.stable {
            if !(st.percent > 0.0 && st.percent <= 1000.0) {
                p.push((
                    at,
                    format!(
                        "у {what} «{}» stable = {{ percent = {} }}: допустимое изменение \
                         указывается в процентах, больше 0 и не больше 1000",
                        f.code, st.percent
                    ),
                ));
            }
        }
        if f.kind == Kind::Integer {
            for b in [f.min, f.max].into_iter().flatten() {
                if b.fract() != 0.0 || b.abs() > i32::MAX as f64 {
                    p.push((
                        at,
                        format!("граница {b} целого поля «{}» должна быть целым числом", f.code),
                    ));
                }
            }
        }
    }

    /// Sections and their items: unique numbers and codes, each item in its section and
    /// collecting something; the items' fields, share codes and tables.
    fn check_sections<'a>(&'a self, names: &mut Names<'a>, p: &mut Problems) {
        for s in &self.sections {
            if !names.sections.insert(&s.number) {
                p.push((Some(s.pos), format!("раздел {} повторяется", s.number)));
            }
            if s.items.is_empty() {
                p.push((Some(s.pos), format!("в разделе {} нет пунктов", s.number)));
            }
            for i in &s.items {
                if names.items.insert(&i.code, i.pos).is_some() {
                    p.push((Some(i.pos), format!("код пункта «{}» повторяется", i.code)));
                }
                if !i.code.starts_with(&format!("{}.", s.number)) {
                    p.push((
                        Some(i.pos),
                        format!("пункт {} не может стоять в разделе {}", i.code, s.number),
                    ));
                }
                if i.fields.is_empty() && i.tables.is_empty() {
                    p.push((
                        Some(i.pos),
                        format!(
                            "пункт {} ничего не собирает: нужно хотя бы одно поле или таблица",
                            i.code
                        ),
                    ));
                }
                self.check_item_contents(i, names, p);
            }
        }
    }

    /// An item's fields, share codes and tables, in that order.
    fn check_item_contents<'a>(&'a self, i: &'a Item, names: &mut Names<'a>, p: &mut Problems) {
        for f in &i.fields {
            self.check_field(f, "поля", p);
            if names.fields.insert(&f.code, f.pos).is_some() {
                p.push((Some(f.pos), format!("код поля «{}» повторяется", f.code)));
            }
        }
        for sh in &i.shares {
            if !is_code(&sh.code) {
                p.push((
                    Some(sh.pos),
                    format!(
                        "код доли «{}» должен состоять из строчных латинских букв, цифр и «_»",
                        sh.code
                    ),
                ));
            }
            if names.fields.insert(&sh.code, sh.pos).is_some() {
                p.push((Some(sh.pos), format!("код доли «{}» повторяется", sh.code)));
            }
        }
        for t in &i.tables {
            self.check_table(t, names, p);
        }
    }

    /// A table: code, sheet name, size, its columns and its views.
    fn check_table<'a>(&'a self, t: &'a Table, names: &mut Names<'a>, p: &mut Problems) {
        let at = Some(t.pos);
        if !is_code(&t.code) {
            p.push((
                at,
                format!(
                    "код таблицы «{}» должен состоять из строчных латинских букв, цифр и «_»",
                    t.code
                ),
            ));
        }
        if names.fields.insert(&t.code, t.pos).is_some() {
            p.push((at, format!("код таблицы «{}» повторяется", t.code)));
        }
        if let Some(msg) = bad_sheet_name(&t.sheet) {
            p.push((at, format!("лист таблицы «{}»: {msg}", t.sheet)));
        }
        if !names.sheets.insert(t.sheet.to_lowercase()) {
            p.push((at, format!("лист «{}» уже занят другой таблицей", t.sheet)));
        }
        if t.columns.is_empty() {
            p.push((at, format!("в таблице «{}» нет столбцов", t.code)));
        }
        if matches!(t.rows, Some(0)) || t.rows.is_some_and(|r| r > MAX_TABLE_ROWS) {
            p.push((at, format!("в таблице «{}» число строк должно быть от 1 до 1000", t.code)));
        }
        if t.columns.len() > MAX_TABLE_COLUMNS {
            p.push((
                at,
                format!(
                    "в таблице «{}» {} столбцов: допускается не более {MAX_TABLE_COLUMNS}",
                    t.code,
                    t.columns.len()
                ),
            ));
        }
        let mut cols = BTreeSet::new();
        for c in &t.columns {
            self.check_field(c, "столбца", p);
            if c.cumulative || c.stable.is_some() {
                p.push((
                    Some(c.pos),
                    format!(
                        "столбец «{}» таблицы «{}»: отметки cumulative и stable \
                         ставятся только у полей, не у столбцов таблиц",
                        c.code, t.code
                    ),
                ));
            }
            if !cols.insert(&c.code) {
                p.push((
                    Some(c.pos),
                    format!("столбец «{}» в таблице «{}» повторяется", c.code, t.code),
                ));
            }
        }
        for v in &t.views {
            self.check_view(t, v, p);
        }
    }

    /// Shares: numerator and denominator are expressions over numeric fields.
    fn check_share_expressions(&self, p: &mut Problems) {
        for i in self.items() {
            for sh in &i.shares {
                for (side, formula) in
                    [("числитель", &sh.numerator), ("знаменатель", &sh.denominator)]
                {
                    match self.formula_problems(formula, None) {
                        Err(e) => p.push((
                            Some(sh.pos),
                            format!("доля «{}»: {side} «{formula}»: {e}", sh.code),
                        )),
                        Ok(msgs) => p.extend(msgs.into_iter().map(|msg| {
                            (Some(sh.pos), format!("доля «{}», {side}: {msg}", sh.code))
                        })),
                    }
                }
            }
        }
    }

    /// Control rules: unique codes, a message, a known table for per-row rules, and both
    /// sides expressions over numeric fields (or that table's numeric columns).
    fn check_rules(&self, p: &mut Problems) {
        let mut rule_codes = BTreeSet::new();
        for r in &self.rules {
            if !rule_codes.insert(&r.code) {
                p.push((Some(r.pos), format!("код правила «{}» повторяется", r.code)));
            }
            if r.message.trim().is_empty() {
                p.push((Some(r.pos), format!("у правила «{}» нет сообщения (message)", r.code)));
            }
            let table = match &r.table {
                Some(tc) => match self.table(tc) {
                    Some((_, t)) => Some(t),
                    None => {
                        p.push((
                            Some(r.pos),
                            format!("правило «{}» ссылается на неизвестную таблицу «{tc}»", r.code),
                        ));
                        continue;
                    }
                },
                None => None,
            };
            for (side, formula) in [("левая часть", &r.left), ("правая часть", &r.right)]
            {
                match self.formula_problems(formula, table) {
                    Err(e) => p.push((
                        Some(r.pos),
                        format!("правило «{}», {side} «{formula}»: {e}", r.code),
                    )),
                    Ok(msgs) => {
                        p.extend(msgs.into_iter().map(|msg| {
                            (Some(r.pos), format!("правило «{}», {side}: {msg}", r.code))
                        }))
                    }
                }
            }
        }
    }

    /// One side of a share or a rule: why it did not parse, or what is wrong with each of
    /// its terms (nothing when every term names something numeric).
    fn formula_problems<'f>(
        &self,
        formula: &'f Formula,
        table: Option<&Table>,
    ) -> Result<Vec<String>, &'f ExprError> {
        if let Some(e) = formula.error() {
            return Err(e);
        }
        Ok(formula.expr().terms.iter().filter_map(|t| self.check_term(t, table)).collect())
    }

    /// Campaigns: unique codes and deadlines, a date that exists, known items.
    fn check_campaigns(&self, item_codes: &BTreeMap<&str, usize>, p: &mut Problems) {
        let mut campaign_codes = BTreeSet::new();
        let mut campaign_dates = BTreeSet::new();
        for c in &self.campaigns {
            let at = Some(c.pos);
            if !is_code(&c.code) {
                p.push((
                    at,
                    format!(
                        "код кампании «{}» должен состоять из строчных латинских букв, цифр и «_»",
                        c.code
                    ),
                ));
            }
            if !campaign_codes.insert(&c.code) {
                p.push((at, format!("кампания «{}» повторяется", c.code)));
            }
            // 2024 is a leap year: 29 February is possible, 30 February and 31 April are not.
            if chrono::NaiveDate::from_ymd_opt(2024, c.month, c.day).is_none() {
                p.push((
                    at,
                    format!(
                        "кампания «{}»: даты {:02}.{:02} не существует",
                        c.code, c.day, c.month
                    ),
                ));
            } else if !campaign_dates.insert((c.month, c.day)) {
                p.push((
                    at,
                    format!(
                        "кампания «{}»: срок {:02}.{:02} уже занят другой кампанией",
                        c.code, c.day, c.month
                    ),
                ));
            }
            if c.items.is_empty() {
                p.push((at, format!("кампания «{}» не собирает ни одного пункта", c.code)));
            }
            for ic in &c.items {
                if !item_codes.contains_key(ic.as_str()) {
                    p.push((
                        at,
                        format!("кампания «{}» ссылается на неизвестный пункт «{ic}»", c.code),
                    ));
                }
            }
        }
        if self.campaigns.is_empty() {
            p.push((None, "в плане нет ни одной кампании ([[campaign]])".into()));
        }
    }

    /// A view must name columns of its table: `rows` any column, `columns` a choice or
    /// yes/no column, `values` one or more numeric columns; the summary relies on it.
    fn check_view(&self, t: &Table, v: &View, p: &mut Problems) {
        let at = Some(v.pos);
        let name = format!("вид «{}» таблицы «{}»", v.title, t.code);
        let col = |code: &str| t.columns.iter().find(|c| c.code == code);
        let known = || t.columns.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join(", ");
        if v.title.trim().is_empty() {
            p.push((at, format!("у вида таблицы «{}» нет названия (title)", t.code)));
        }
        if col(&v.rows).is_none() {
            p.push((
                at,
                format!(
                    "{name}: rows = \"{}\" — такого столбца в таблице нет; столбцы: {}",
                    v.rows,
                    known()
                ),
            ));
        }
        if let Some(cc) = &v.columns {
            match col(cc) {
                None => p.push((
                    at,
                    format!(
                        "{name}: columns = \"{cc}\" — такого столбца в таблице нет; столбцы: {}",
                        known()
                    ),
                )),
                Some(c) if !matches!(c.kind, Kind::Choice | Kind::YesNo) => p.push((
                    at,
                    format!(
                        "{name}: columns = \"{cc}\" — столбцами вида может быть только столбец \
                         со списком значений (kind = \"choice\" или \"yesno\")"
                    ),
                )),
                Some(_) if *cc == v.rows => {
                    p.push((at, format!("{name}: rows и columns — один и тот же столбец «{cc}»")))
                }
                Some(_) => {}
            }
        }
        if v.values.is_empty() {
            p.push((
                at,
                format!(
                    "{name}: values = [] — укажите хотя бы один числовой столбец, значения \
                     которого складываются"
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        for code in &v.values {
            match col(code) {
                None => p.push((
                    at,
                    format!(
                        "{name}: values — столбца «{code}» в таблице нет; столбцы: {}",
                        known()
                    ),
                )),
                Some(c) if !c.kind.is_numeric() => p.push((
                    at,
                    format!(
                        "{name}: values — столбец «{code}» не числовой ({}), его нельзя сложить",
                        c.kind.describe()
                    ),
                )),
                Some(_) => {}
            }
            if !seen.insert(code) {
                p.push((at, format!("{name}: values — столбец «{code}» указан дважды")));
            }
        }
        if v.top == Some(0) {
            p.push((at, format!("{name}: top = 0 — укажите число строк больше нуля")));
        }
    }

    /// Why an expression term does not name something that exists and is numeric (in a
    /// per-row rule, a numeric column of `table`).
    fn check_term(&self, t: &Term, table: Option<&Table>) -> Option<String> {
        match t {
            Term::Number(_) => None,
            Term::Field(code) => {
                if let Some(table) = table {
                    return match table.columns.iter().find(|c| &c.code == code) {
                        None => Some(format!("в таблице «{}» нет столбца «{code}»", table.code)),
                        Some(c) if !c.kind.is_numeric() => {
                            Some(format!("столбец «{code}» не числовой"))
                        }
                        _ => None,
                    };
                }
                match self.field(code) {
                    None => Some(format!("неизвестное поле «{code}»")),
                    Some(f) if !f.kind.is_numeric() => Some(format!("поле «{code}» не числовое")),
                    _ => None,
                }
            }
            Term::Sum { table: tc, column } => match self.table(tc) {
                None => Some(format!("неизвестная таблица «{tc}»")),
                Some((_, t)) => match t.columns.iter().find(|c| &c.code == column) {
                    None => Some(format!("в таблице «{tc}» нет столбца «{column}»")),
                    Some(c) if !c.kind.is_numeric() => {
                        Some(format!("столбец «{tc}.{column}» не числовой"))
                    }
                    _ => None,
                },
            },
        }
    }
}
