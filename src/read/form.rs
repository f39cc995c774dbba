//! What the reader hands to the check stage: for each file of the returns folder its
//! metadata ([`FileMeta`]) and either the form read from it or why it could not be read. The check stage
//! resolves the identity, picks one return per school and validates [`FormInput`].
//!
//! Vocabulary of the read stage: [`Value`] is a cell's value as the file stores it;
//! [`super::Cell`] a cell read from a workbook with its place; [`RawReturn`] everything
//! read from one workbook; [`ReadForm`] / [`FormInput`] / [`InputCell`] / [`InputTable`]
//! the same return keyed by field and table code, as the check stage uses it. The
//! checked values (numbers as numbers, choices as their canonical text) are the check
//! stage's own (`check::values`): the reader does not know the stages after it.
//!
//! [`RawReturn`]: super::RawReturn

use std::collections::BTreeMap;

use crate::clock::SavedTime;
use crate::finding::Finding;
use crate::form::layout::{Identity, Seal};
use crate::read::Value;

/// A form's identity resolved from its two sources (the hidden sheet and the document
/// properties) and how its check stands against the run's district key, with the notes
/// about it — or why it cannot be trusted (`check::intake::resolve_identity`).
pub type ResolvedIdentity = Result<(Identity, Seal, Vec<Finding>), Finding>;

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
    /// The identity, once the check stage resolved it while the file was at hand
    /// (`check::intake::validate_early`, with the run's key): the two sources above are
    /// dropped then, so that a run does not hold them for every file until the report.
    pub resolved: Option<ResolvedIdentity>,
    /// Values by defined name (school id and name are filled in here from the identity).
    pub input: FormInput,
    /// Structural problems found while reading (a moved block, a missing sheet).
    pub notes: Vec<Finding>,
}

/// What the reader knows of a file of the returns folder, whatever became of it. The
/// check stage builds its record of the file (`check::report::FileRecord`: this and the
/// file's fate) from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    /// Path relative to the returns folder, `/`-separated.
    pub path: String,
    pub size: u64,
    /// SHA-256 of the content (empty when the file could not be read).
    pub sha256: String,
    /// Format detected from the content («xlsx», «ods», «xls», «html», …; empty when the
    /// file could not be read).
    pub format: String,
    /// The saved time as the workbook wrote it, or the file's modification time when the
    /// workbook has none or could not be parsed (then `saved_from_fs`).
    pub saved: Option<SavedTime>,
    /// Whether `saved` is the file's modification time rather than the workbook's.
    pub saved_from_fs: bool,
    /// Skipped on purpose, not refused: a lock file, a hidden file, a link out of the
    /// folder (the `Err` of [`FileRead::result`] says which).
    pub skipped: bool,
}

/// One file of the returns folder after reading.
#[derive(Debug, Clone)]
pub struct FileRead {
    pub file: FileMeta,
    /// `Ok` for a workbook that could be read; `Err` is why it could not (or was skipped).
    pub result: Result<ReadForm, Finding>,
}
