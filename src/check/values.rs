//! A school's validated values: what validation hands to consolidation and the summary.
//! Every value keeps the file, sheet and cell it came from, so that every figure of the
//! summary can be traced back to the schools' files.
//!
//! Vocabulary of values, one name each:
//! - [`crate::read::Value`] — a cell's value as the file stores it (a number typed as
//!   text is still text, an error is `#DIV/0!`); the reader's.
//! - [`CheckedValue`] — what the value means once validation accepted it: a number, a
//!   choice or yes/no as its canonical text, a date.
//! - [`CheckedField`] — a field's checked value and the cell it came from ([`Source`]);
//!   a table's filled [`Row`] holds checked values by column code.
//! - [`SchoolData`] — all of one school's return, checked.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// A checked value: numbers as numbers, yes/no and choices as their canonical text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CheckedValue {
    Num(f64),
    Text(String),
    Date(NaiveDate),
}

impl CheckedValue {
    pub fn num(&self) -> Option<f64> {
        match self {
            CheckedValue::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match self {
            CheckedValue::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The value as a person reads it: «12», «12,5», «да», «20.12.2025».
    pub fn display(&self) -> String {
        match self {
            CheckedValue::Num(n) => crate::text::plain_number(*n),
            CheckedValue::Text(s) => s.clone(),
            CheckedValue::Date(d) => d.format("%d.%m.%Y").to_string(),
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Source {
    /// File path relative to the returns folder.
    pub file: String,
    pub sheet: String,
    /// A1 address.
    pub cell: String,
}

impl Source {
    /// «returns/07.xlsx → «Отчёт»!E14»
    pub fn display(&self) -> String {
        format!("{} → «{}»!{}", self.file, self.sheet, self.cell)
    }
}

/// A field's checked value and the cell it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedField {
    pub value: CheckedValue,
    pub source: Source,
}

/// A filled row of a detail table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub sheet: String,
    /// 1-based row number on the sheet.
    pub row: u32,
    /// Column code → value (blank cells absent).
    pub values: BTreeMap<String, CheckedValue>,
}

/// One school's return, validated (accepted, or taken in with `--include-invalid`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolData {
    pub school_id: String,
    pub school_name: String,
    /// File path relative to the returns folder.
    pub file: String,
    /// Field code → value (blank fields absent). Includes profile and meta fields.
    pub fields: BTreeMap<String, CheckedField>,
    /// Table code → filled rows in sheet order.
    pub tables: BTreeMap<String, Vec<Row>>,
    /// The return had errors and was taken in only because of `--include-invalid`.
    pub invalid: bool,
}

impl SchoolData {
    pub fn num(&self, code: &str) -> Option<f64> {
        self.fields.get(code).and_then(|v| v.value.num())
    }
}

/// A school in the figures as every sheet names it, without its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head<'a> {
    pub school_id: &'a str,
    pub school_name: &'a str,
    /// File path relative to the returns folder.
    pub file: &'a str,
    /// Taken in only because of `--include-invalid`.
    pub invalid: bool,
}

/// The schools in the figures, registry order, as the figures and the summary read them:
/// their names at hand, their values one school at a time — from memory ([`Schools::new`]:
/// tests, `region`, library callers) or from the spill file `collect` wrote while reading
/// ([`Schools::spilled`], [`crate::check::spill`]), so that memory does not grow with the
/// number of schools.
pub struct Schools {
    /// Each school; without its fields and tables where `spans` says where they are.
    list: Vec<SchoolData>,
    spans: Vec<Option<crate::check::spill::Span>>,
    file: Option<crate::check::spill::SpillFile>,
}

impl std::fmt::Debug for Schools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schools")
            .field("len", &self.len())
            .field("spill", &self.spill_path())
            .finish()
    }
}

impl From<Vec<SchoolData>> for Schools {
    fn from(list: Vec<SchoolData>) -> Schools {
        Schools::new(list)
    }
}

impl Schools {
    /// Schools whose values are all in memory.
    pub fn new(list: Vec<SchoolData>) -> Schools {
        let spans = vec![None; list.len()];
        Schools { list, spans, file: None }
    }

    /// Schools whose values are in `file` where `span_of` (by the school's file) says,
    /// the others in memory. The spilled ones' fields and tables in `list` are dropped.
    pub fn spilled(
        mut list: Vec<SchoolData>,
        file: crate::check::spill::SpillFile,
        span_of: impl Fn(&str) -> Option<crate::check::spill::Span>,
    ) -> Schools {
        let spans: Vec<_> = list.iter().map(|d| span_of(&d.file)).collect();
        for (d, span) in list.iter_mut().zip(&spans) {
            if span.is_some() {
                d.fields = Default::default();
                d.tables = Default::default();
            }
        }
        Schools { list, spans, file: Some(file) }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The `i`-th school's id, name, file and mark.
    pub fn head(&self, i: usize) -> Head<'_> {
        let d = &self.list[i];
        Head {
            school_id: &d.school_id,
            school_name: &d.school_name,
            file: &d.file,
            invalid: d.invalid,
        }
    }

    /// Every school's id, name, file and mark, registry order.
    pub fn heads(&self) -> impl ExactSizeIterator<Item = Head<'_>> + '_ {
        (0..self.len()).map(|i| self.head(i))
    }

    /// The `i`-th school with its values (read from the spill file when they are there).
    pub fn get(&self, i: usize) -> std::io::Result<std::borrow::Cow<'_, SchoolData>> {
        use std::borrow::Cow;
        let d = &self.list[i];
        match (self.spans[i], &self.file) {
            (Some(span), Some(file)) => {
                let mut full = SchoolData {
                    school_id: d.school_id.clone(),
                    school_name: d.school_name.clone(),
                    file: d.file.clone(),
                    fields: BTreeMap::new(),
                    tables: BTreeMap::new(),
                    invalid: d.invalid,
                };
                file.load(span, &mut full)?;
                Ok(Cow::Owned(full))
            }
            _ => Ok(Cow::Borrowed(d)),
        }
    }

    /// Every school with its values, registry order, one school in memory at a time.
    pub fn iter(
        &self,
    ) -> impl Iterator<Item = std::io::Result<std::borrow::Cow<'_, SchoolData>>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The `i`-th school with its values. One read from the spill file is read into
    /// `scratch`, over the school it held before: its map entries and strings are reused
    /// (the summary goes through the schools ~12 times, and a fresh `SchoolData` a school
    /// cost twice the reading).
    pub fn get_into<'s>(
        &'s self,
        i: usize,
        scratch: &'s mut Option<SchoolData>,
    ) -> std::io::Result<&'s SchoolData> {
        let d = &self.list[i];
        let (Some(span), Some(file)) = (self.spans[i], &self.file) else {
            return Ok(d);
        };
        let s = scratch.get_or_insert_with(|| SchoolData {
            school_id: String::new(),
            school_name: String::new(),
            file: String::new(),
            fields: BTreeMap::new(),
            tables: BTreeMap::new(),
            invalid: false,
        });
        s.school_id.clone_from(&d.school_id);
        s.school_name.clone_from(&d.school_name);
        s.file.clone_from(&d.file);
        s.invalid = d.invalid;
        file.load(span, s)?;
        Ok(s)
    }

    /// `f` of every school with its values, registry order, one school in memory at a
    /// time (each read over the one before: [`Schools::get_into`]); stops at the first
    /// error (of `f`, or reading the spill file).
    pub fn try_for_each<E: From<std::io::Error>>(
        &self,
        mut f: impl FnMut(&SchoolData) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut scratch = None;
        for i in 0..self.len() {
            f(self.get_into(i, &mut scratch)?)?;
        }
        Ok(())
    }

    /// The spill file the values are read from, if any (tests: it is gone after a run).
    pub fn spill_path(&self) -> Option<&std::path::Path> {
        self.file.as_ref().map(|f| f.path())
    }
}
