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
