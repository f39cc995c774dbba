//! What the reader hands to the check stage: for each file of the returns folder its
//! record and either the form read from it or why it could not be read. The check stage
//! resolves the identity, picks one return per school and validates [`FormInput`].
//!
//! Vocabulary of the read stage: [`Value`] is a cell's value as the file stores it;
//! [`super::Cell`] a cell read from a workbook with its place; [`RawReturn`] everything
//! read from one workbook; [`ReadForm`] / [`FormInput`] / [`InputCell`] / [`InputTable`]
//! the same return keyed by field and table code, as the check stage uses it. The
//! checked values (numbers as numbers, choices as their canonical text) are the check
//! stage's own: [`crate::check::values`].
//!
//! [`RawReturn`]: super::RawReturn

use std::collections::BTreeMap;

use crate::check::report::FileRecord;
use crate::finding::Finding;
use crate::read::Value;

/// A cell of a form as validation reads it: where it is and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct InputCell {
    pub sheet: String,
    /// A1 address.
    pub cell: String,
    pub value: Value,
}

/// A table of a return: its entry rows (1-based sheet row → column code → cell).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputTable {
    pub sheet: String,
    /// A1 address of the entry area's first cell (for messages about the whole table).
    pub first_cell: String,
    /// Column codes found in the table's hidden codes row.
    pub columns: Vec<String>,
    pub rows: Vec<(u32, BTreeMap<String, InputCell>)>,
}

/// What validation needs from a read return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormInput {
    /// File path relative to the returns folder.
    pub file: String,
    pub school_id: String,
    pub school_name: String,
    /// Field (and meta field) code → its input cell. A field absent here has no named cell.
    pub fields: BTreeMap<String, InputCell>,
    /// Table code → its rows. A table absent here has no named entry area.
    pub tables: BTreeMap<String, InputTable>,
    /// Field and table codes whose structural problem the reader already reported: they
    /// are neither read nor reported again as missing.
    pub reported: std::collections::BTreeSet<String>,
}

/// What the reader made of a form: identity sources, values, structural findings.
#[derive(Debug, Clone, Default)]
pub struct ReadForm {
    /// Key/value rows of the hidden identity sheet, when present.
    pub identity_sheet: Option<BTreeMap<String, String>>,
    /// `profplan.*` custom document properties (prefix removed), when present.
    pub identity_props: Option<BTreeMap<String, String>>,
    /// Values by defined name (school id and name are filled in here from the identity).
    pub input: FormInput,
    /// Structural problems found while reading (a moved block, a missing sheet).
    pub notes: Vec<Finding>,
    /// The return validated as soon as it was read
    /// ([`crate::check::intake::validate_early`]); its cells (`input`) are then dropped.
    /// `None`: validated by the intake, if chosen.
    pub validated: Option<crate::check::validate::Validated>,
}

/// One file of the returns folder after reading.
#[derive(Debug, Clone)]
pub struct FileRead {
    pub record: FileRecord,
    /// `Ok` for a workbook that could be read; `Err` is why it could not (or was skipped).
    pub result: Result<ReadForm, Finding>,
}
