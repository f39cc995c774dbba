//! A school's validated values: what validation hands to consolidation and the summary.
//! Every value keeps the file, sheet and cell it came from, so that every figure of the
//! summary can be traced back to the schools' files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// A checked value: numbers as numbers, yes/no and choices as their canonical text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Val {
    Num(f64),
    Text(String),
    Date(NaiveDate),
}

impl Val {
    pub fn num(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The value as a person reads it: «12», «12,5», «да», «20.12.2025».
    pub fn display(&self) -> String {
        match self {
            Val::Num(n) => crate::text::plain_number(*n),
            Val::Text(s) => s.clone(),
            Val::Date(d) => d.format("%d.%m.%Y").to_string(),
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldValue {
    pub value: Val,
    pub source: Source,
}

/// A filled row of a detail table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub sheet: String,
    /// 1-based row number on the sheet.
    pub row: u32,
    /// Column code → value (blank cells absent).
    pub values: BTreeMap<String, Val>,
}

/// One school's return, validated (accepted, or taken in with `--include-invalid`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolData {
    pub school_id: String,
    pub school_name: String,
    /// File path relative to the returns folder.
    pub file: String,
    /// Field code → value (blank fields absent). Includes profile and meta fields.
    pub fields: BTreeMap<String, FieldValue>,
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
