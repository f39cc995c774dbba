//! A summary read back: every row of its «Данные», held compactly.
//!
//! `--compare`, last year's summary and `region`'s district summaries all read a
//! summary's «Данные» (≈ 46 rows a school: 1.9 million at 40 000 schools). Each row is
//! kept as one 24-byte record of indexes — the school, the code, the table row and the
//! value — into sorted lists of the strings the sheet holds, each string once. Held as
//! `String` keys in maps, the same rows took ~15 times the room (BENCHMARKS.md, issue 13).
//!
//! What is read is what the sheet says, row by row; the views of it ([`Previous::num`],
//! [`Previous::table_sum`], …) are computed from the rows when asked:
//! - a value (a row without a table row number, or whose code is not `table.column`):
//!   the last row of that school and code in the sheet;
//! - a table cell (`table.column` with a table row): summed into the column's sum when a
//!   number; the table's rows counted by their distinct row numbers as written.

use std::collections::{BTreeMap, HashMap};

use crate::check::values::CheckedValue;

/// No string (a row without a table row number; a number value).
const NONE: u32 = u32::MAX;

/// One row of «Данные».
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rec {
    /// Index into [`Data::schools`].
    school: u32,
    /// Index into [`Data::strs`]: the code (`p2_1_covered`, `t1_6.participants`).
    code: u32,
    /// Index into [`Data::strs`]: the table row as written («1»), or [`NONE`].
    row: u32,
    /// Index into [`Data::strs`]: a text value as written, or [`NONE`] for a number.
    text: u32,
    /// A number value (0 for a text).
    num: f64,
}

impl Rec {
    fn value<'a>(&self, strs: &'a [Box<str>]) -> Value<'a> {
        match self.text {
            NONE => Value::Num(self.num),
            t => Value::Text(&strs[t as usize]),
        }
    }
}

/// A value of «Данные» as read back: a number, or a text as written (a date is the word
/// «дата», as the data check sees it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Num(f64),
    Text(&'a str),
}

impl<'a> Value<'a> {
    pub fn num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Text(_) => None,
        }
    }

    pub fn text(&self) -> Option<&'a str> {
        match self {
            Value::Text(t) => Some(t),
            Value::Num(_) => None,
        }
    }

    fn checked(&self) -> CheckedValue {
        match self {
            Value::Num(n) => CheckedValue::Num(*n),
            Value::Text(t) => CheckedValue::Text(t.to_string()),
        }
    }
}

/// The rows of a summary's «Данные», compact. Built by [`Builder`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Data {
    /// (id, name) of every school with a row, sorted by id; the name of its first row.
    schools: Vec<(Box<str>, Box<str>)>,
    /// Every code, table row and text value, each once, sorted (index order is string order).
    strs: Vec<Box<str>>,
    /// Sorted by (school, code); rows of the same school and code in sheet order.
    recs: Vec<Rec>,
}

/// The table and column of a table code (`t1_6.participants`).
fn table_column(code: &str) -> Option<(&str, &str)> {
    code.split_once('.')
}

impl Data {
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// The schools with a row, sorted by id: (id, name).
    pub fn schools(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.schools.iter().map(|(id, name)| (&**id, &**name))
    }

    pub fn school_count(&self) -> usize {
        self.schools.len()
    }

    fn school_index(&self, id: &str) -> Option<u32> {
        self.schools.binary_search_by(|(s, _)| (**s).cmp(id)).ok().map(|i| i as u32)
    }

    pub fn has_school(&self, id: &str) -> bool {
        self.school_index(id).is_some()
    }

    pub fn school_name(&self, id: &str) -> Option<&str> {
        self.school_index(id).map(|i| &*self.schools[i as usize].1)
    }

    fn str_index(&self, s: &str) -> Option<u32> {
        self.strs.binary_search_by(|x| (**x).cmp(s)).ok().map(|i| i as u32)
    }

    fn str(&self, i: u32) -> &str {
        &self.strs[i as usize]
    }

    /// The rows of one school.
    fn school_recs(&self, school: u32) -> &[Rec] {
        let lo = self.recs.partition_point(|r| r.school < school);
        let hi = self.recs.partition_point(|r| r.school <= school);
        &self.recs[lo..hi]
    }

    /// The rows of one school and code, in sheet order.
    fn recs_of(&self, school: u32, code: u32) -> &[Rec] {
        let recs = self.school_recs(school);
        let lo = recs.partition_point(|r| r.code < code);
        let hi = recs.partition_point(|r| r.code <= code);
        &recs[lo..hi]
    }

    /// Whether a row is a table cell (`table.column` with a table row), not a value.
    fn is_table_cell(&self, r: &Rec) -> bool {
        r.row != NONE && self.str(r.code).contains('.')
    }

    /// The value of a school's field or share: its last row in the sheet.
    pub fn value(&self, school: &str, code: &str) -> Option<Value<'_>> {
        let (s, c) = (self.school_index(school)?, self.str_index(code)?);
        self.recs_of(s, c)
            .iter()
            .rev()
            .find(|r| !self.is_table_cell(r))
            .map(|r| r.value(&self.strs))
    }

    /// The values of one school, by code (sorted).
    pub fn values_of(&self, school: &str) -> Vec<(&str, Value<'_>)> {
        let Some(s) = self.school_index(school) else { return Vec::new() };
        let mut out: Vec<(&str, Value<'_>)> = Vec::new();
        let mut last_code = NONE;
        for r in self.school_recs(s).iter().filter(|r| !self.is_table_cell(r)) {
            let v = (self.str(r.code), r.value(&self.strs));
            if r.code == last_code {
                *out.last_mut().expect("a value of this code") = v;
            } else {
                out.push(v);
                last_code = r.code;
            }
        }
        out
    }

    /// Σ of a table column (`t1_6.participants`) over one school's rows; None when no
    /// row of it holds a number.
    pub fn table_sum(&self, school: &str, code: &str) -> Option<f64> {
        let (s, c) = (self.school_index(school)?, self.str_index(code)?);
        self.sum_of(self.recs_of(s, c))
    }

    fn sum_of(&self, recs: &[Rec]) -> Option<f64> {
        // From 0, in sheet order: as a sum kept while reading would be.
        let mut sum = None;
        for r in recs.iter().filter(|r| self.is_table_cell(r) && r.text == NONE) {
            sum = Some(sum.unwrap_or(0.0) + r.num);
        }
        sum
    }

    /// The column sums of one school's tables, by code (sorted).
    pub fn table_sums_of(&self, school: &str) -> Vec<(&str, f64)> {
        let Some(s) = self.school_index(school) else { return Vec::new() };
        self.school_recs(s)
            .chunk_by(|a, b| a.code == b.code)
            .filter_map(|g| Some((self.str(g[0].code), self.sum_of(g)?)))
            .collect()
    }

    /// Σ of a table column over every school, schools in id order; None when no school
    /// has a number in it.
    pub fn table_sum_total(&self, code: &str) -> Option<f64> {
        let c = self.str_index(code)?;
        let sums: Vec<f64> = (0..self.schools.len() as u32)
            .filter_map(|s| self.sum_of(self.recs_of(s, c)))
            .collect();
        (!sums.is_empty()).then(|| sums.iter().sum())
    }

    /// The rows of one school's table: their distinct row numbers as written.
    fn table_row_count(&self, school: u32, table: &str) -> usize {
        let mut rows: Vec<u32> = self
            .school_recs(school)
            .iter()
            .filter(|r| {
                self.is_table_cell(r)
                    && table_column(self.str(r.code)).is_some_and(|(t, _)| t == table)
            })
            .map(|r| r.row)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }

    /// The number of rows of a table at one school; None when it has none.
    pub fn table_rows(&self, school: &str, table: &str) -> Option<usize> {
        let n = self.table_row_count(self.school_index(school)?, table);
        (n > 0).then_some(n)
    }

    /// The number of rows of a table over every school.
    pub fn table_rows_total(&self, table: &str) -> usize {
        (0..self.schools.len() as u32).map(|s| self.table_row_count(s, table)).sum()
    }

    /// One school's table rows: table code → row number → column code → value (the last
    /// row in the sheet of each). Rows whose number is not a whole number are left out.
    pub fn table_cells_of(
        &self,
        school: &str,
    ) -> BTreeMap<String, BTreeMap<u32, BTreeMap<String, CheckedValue>>> {
        let mut out: BTreeMap<String, BTreeMap<u32, BTreeMap<String, CheckedValue>>> =
            BTreeMap::new();
        let Some(s) = self.school_index(school) else { return out };
        for r in self.school_recs(s).iter().filter(|r| self.is_table_cell(r)) {
            let Some((table, column)) = table_column(self.str(r.code)) else { continue };
            let Ok(no) = self.str(r.row).parse::<u32>() else { continue };
            out.entry(table.to_string())
                .or_default()
                .entry(no)
                .or_default()
                .insert(column.to_string(), r.value(&self.strs).checked());
        }
        out
    }

    /// The data check of the rows read (see [`super::data::check_of`]): every row's line,
    /// made a school at a time.
    pub(crate) fn check(&self) -> String {
        let all: Vec<u32> = (0..self.schools.len() as u32).collect();
        let lines = |&s: &u32| -> Result<_, std::convert::Infallible> {
            let id = &*self.schools[s as usize].0;
            Ok(self
                .school_recs(s)
                .iter()
                .map(|r| {
                    let row = if r.row == NONE { "" } else { self.str(r.row) };
                    let v = match r.value(&self.strs) {
                        Value::Num(n) => super::data::CheckValue::Num(n),
                        Value::Text(t) => super::data::CheckValue::Text(t),
                    };
                    super::data::check_line(id, self.str(r.code), row, &v)
                })
                .collect())
        };
        let Ok(check) =
            super::data::check_by_school(&all, |&s| self.schools[s as usize].0.to_string(), lines);
        check
    }
}

/// Collects the rows of «Данные» as they are read, then sorts them into [`Data`].
#[derive(Default)]
pub(crate) struct Builder {
    school_ids: HashMap<Box<str>, u32>,
    schools: Vec<(Box<str>, Box<str>)>,
    str_ids: HashMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
    recs: Vec<Rec>,
}

impl Builder {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.str_ids.get(s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(s.into());
        self.str_ids.insert(s.into(), i);
        i
    }

    /// A row: the school's id and name, the code, the table row (None when blank) and
    /// the value. `id` and `code` are not blank.
    pub(crate) fn add(
        &mut self,
        (id, name): (&str, &str),
        code: &str,
        row: Option<&str>,
        value: Value,
    ) {
        let school = match self.school_ids.get(id) {
            Some(&i) => i,
            None => {
                let i = self.schools.len() as u32;
                self.schools.push((id.into(), name.into()));
                self.school_ids.insert(id.into(), i);
                i
            }
        };
        let code = self.intern(code);
        let row = row.map_or(NONE, |r| self.intern(r));
        let (text, num) = match value {
            Value::Num(n) => (NONE, n),
            Value::Text(t) => (self.intern(t), 0.0),
        };
        self.recs.push(Rec { school, code, row, text, num });
    }

    /// The rows sorted: strings and schools in string order, the rows by school and code.
    pub(crate) fn finish(self) -> Data {
        let Builder { schools, strs, mut recs, .. } = self;
        let (schools, school_new) = sorted(schools, |(id, _)| id);
        let (strs, str_new) = sorted(strs, |s| s);
        let remap = |i: u32, new: &[u32]| if i == NONE { NONE } else { new[i as usize] };
        for r in &mut recs {
            r.school = school_new[r.school as usize];
            r.code = str_new[r.code as usize];
            r.row = remap(r.row, &str_new);
            r.text = remap(r.text, &str_new);
        }
        // Stable: rows of the same school and code stay in sheet order (the last wins).
        recs.sort_by_key(|r| (r.school, r.code));
        recs.shrink_to_fit();
        Data { schools, strs, recs }
    }
}

/// `items` sorted by `key`, and for each old index its new one.
fn sorted<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> (Vec<T>, Vec<u32>) {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_by(|&a, &b| key(&items[a as usize]).cmp(key(&items[b as usize])));
    let mut new = vec![0u32; items.len()];
    for (n, &old) in order.iter().enumerate() {
        new[old as usize] = n as u32;
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    let out = order.iter().map(|&old| slots[old as usize].take().expect("each once")).collect();
    (out, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rows: &[(&str, &str, Option<&str>, Value)]) -> Data {
        let mut b = Builder::default();
        for (id, code, row, v) in rows {
            b.add((id, &format!("Школа {id}")), code, *row, *v);
        }
        b.finish()
    }

    /// What the old maps held, computed from the rows: the last value wins, table
    /// columns sum their numbers, a table's rows are its distinct row numbers.
    #[test]
    fn views_of_the_rows() {
        use Value::{Num, Text};
        let d = data(&[
            ("2", "p1", None, Num(5.0)),
            ("10", "p1", None, Num(1.0)),
            ("2", "t1.a", Some("1"), Num(3.0)),
            ("2", "t1.b", Some("1"), Text("кружок")),
            ("2", "t1.a", Some("2"), Num(4.0)),
            ("2", "p1", None, Num(7.0)),
            ("2", "yes", None, Text("да")),
            ("2", "t1.a", Some("x"), Text("—")),
        ]);
        let ids: Vec<&str> = d.schools().map(|(id, _)| id).collect();
        assert_eq!(ids, ["10", "2"]);
        assert_eq!(d.school_name("2"), Some("Школа 2"));
        assert_eq!(d.value("2", "p1").and_then(|v| v.num()), Some(7.0), "the last row wins");
        assert_eq!(d.value("2", "yes").and_then(|v| v.text()), Some("да"));
        assert_eq!(d.value("2", "t1.a"), None, "a table cell is not a value");
        assert_eq!(d.value("3", "p1"), None);
        assert_eq!(d.table_sum("2", "t1.a"), Some(7.0));
        assert_eq!(d.table_sum("2", "t1.b"), None, "no number in the column");
        assert_eq!(d.table_rows("2", "t1"), Some(3), "rows 1, 2 and «x»");
        assert_eq!(d.table_rows_total("t1"), 3);
        assert_eq!(d.table_sum_total("t1.a"), Some(7.0));
        let codes: Vec<&str> = d.values_of("2").iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["p1", "yes"]);
        let cells = d.table_cells_of("2");
        assert_eq!(cells["t1"][&1]["b"], CheckedValue::Text("кружок".into()));
        assert_eq!(cells["t1"][&2]["a"], CheckedValue::Num(4.0));
        assert_eq!(cells["t1"].len(), 2, "row «x» is not a row number");
    }

    /// The check made a school at a time from the records is the check of all the
    /// sheet's lines, duplicates included.
    #[test]
    fn the_check_is_that_of_every_line() {
        use Value::{Num, Text};
        let rows = [
            ("1", "p1", None, Num(5.0)),
            ("10", "p1", None, Num(1.0)),
            ("1", "p1", None, Num(5.0)),
            ("1", "t1.a", Some("1"), Text(" да ")),
        ];
        let lines: Vec<String> = rows
            .iter()
            .map(|(id, code, row, v)| {
                let v = match v {
                    Num(n) => super::super::data::CheckValue::Num(*n),
                    Text(t) => super::super::data::CheckValue::Text(t),
                };
                super::super::data::check_line(id, code, row.unwrap_or(""), &v)
            })
            .collect();
        assert_eq!(data(&rows).check(), super::super::data::check_of(lines));
    }
}
