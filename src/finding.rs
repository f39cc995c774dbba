//! Findings: what `check` and `collect` report about a return — data, rendered as text,
//! JSON or CSV elsewhere. Every finding has a stable code (documented in docs/check.md),
//! a severity, and the place: file → sheet → cell, plan item, field.
//!
//! Shared by the stages: the reader raises the findings about a file it cannot read
//! (damaged, encrypted, too large) and the structural notes of a form it read; the check
//! stage those about identities, values and statuses.

use serde::Serialize;

pub use crate::plan::Severity;

/// Stable codes of findings. The serialized name (snake_case) is part of the JSON schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    // --- the file as a whole ---
    /// Empty file (0 bytes).
    FileEmpty,
    /// Not a spreadsheet we can read (unknown content).
    FileNotSpreadsheet,
    /// HTML or XML saved under a spreadsheet name.
    FileHtml,
    /// CSV/text saved under a spreadsheet name.
    FileCsv,
    /// Password-protected (encrypted) workbook.
    FileEncrypted,
    /// Damaged or truncated file.
    FileDamaged,
    /// Limits exceeded: too large when unpacked, too many entries, too many cells.
    FileTooLarge,
    /// Could not be read from disk (permissions, I/O).
    FileUnreadable,
    /// Not a regular file (FIFO, socket, device): never opened.
    FileNotRegular,
    /// The parser failed unexpectedly (a panic caught and reported).
    FileParserFailed,
    /// Reading took longer than allowed.
    FileTimeout,
    // --- identity ---
    /// No profplan identity: not a form issued by profplan (or the identity was removed).
    IdentityMissing,
    /// Identity sheet and document properties disagree, or the check does not match (also
    /// a keyed check the district key does not confirm).
    IdentityContradictory,
    /// The identity's check is the old public hash (no district key): accepted with a
    /// warning, or not used when the school has a return with a confirmed keyed check.
    IdentityUnverified,
    /// A form of another plan.
    OtherPlan,
    /// A form of an older (or different) version of the plan.
    OtherPlanVersion,
    /// A form of an older (or newer) layout.
    OtherLayout,
    /// A form of another campaign.
    OtherCampaign,
    /// School id not in the registry.
    UnknownSchool,
    /// Two or more returns for one school.
    DuplicateReturn,
    // --- structure ---
    /// A sheet of the form is missing (deleted or renamed).
    SheetMissing,
    /// A defined name of the form is missing or points somewhere else.
    NameMissing,
    /// The form's structure was changed (row code does not match, block moved).
    LayoutChanged,
    // --- values ---
    /// A required field is blank.
    Required,
    /// Not a number where a number is expected.
    NotANumber,
    /// A fraction in a whole-number field.
    NotInteger,
    /// Outside the field's bounds.
    OutOfRange,
    /// Not one of the allowed choices.
    NotInList,
    /// Not a date.
    NotADate,
    /// A formula whose value is an error (#DIV/0!, #REF!).
    FormulaError,
    /// A formula without a stored value.
    FormulaNoValue,
    /// A number typed as text, with a comma or spaces: accepted, noted.
    NumberAsText,
    /// Text too long or with control characters.
    TextInvalid,
    /// A table row partly filled: a required column is blank.
    RowIncomplete,
    /// The form was returned untouched.
    NotFilled,
    /// A control rule does not hold.
    Rule,
    // --- timing ---
    /// Saved after the deadline.
    Late,
    /// The saved time cannot be trusted (LibreOffice's .xlsx) and its two readings fall
    /// on two sides of the deadline: taken as on time, and said so.
    SavedTimeUncertain,
    // --- across campaigns (межпериодный контроль) ---
    /// A cumulative figure fell since the earlier campaign of the school year.
    PeriodDecrease,
    /// A stable figure changed by more than the plan allows since the earlier campaign.
    PeriodChange,
}

impl Code {
    /// The code as it appears in JSON and CSV.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// One thing a school (or the methodologist) must know about a return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// School id, when known.
    pub school: Option<String>,
    /// Path of the file, relative to the returns folder.
    pub file: String,
    pub sheet: Option<String>,
    /// A1 address.
    pub cell: Option<String>,
    /// Plan item («2.1»).
    pub item: Option<String>,
    /// Field (or table/rule) code.
    pub field: Option<String>,
    /// Russian: what was expected, what was found.
    pub message: String,
}

impl Finding {
    pub fn new(
        code: Code,
        severity: Severity,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            severity,
            school: None,
            file: file.into(),
            sheet: None,
            cell: None,
            item: None,
            field: None,
            message: message.into(),
        }
    }
    pub fn error(code: Code, file: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Error, file, message)
    }
    pub fn warning(code: Code, file: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Warning, file, message)
    }
    pub fn at(mut self, sheet: impl Into<String>, cell: impl Into<String>) -> Finding {
        self.sheet = Some(sheet.into());
        self.cell = Some(cell.into());
        self
    }
    pub fn item(mut self, item: impl Into<String>) -> Finding {
        self.item = Some(item.into());
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Finding {
        self.field = Some(field.into());
        self
    }
    pub fn school(mut self, school: impl Into<String>) -> Finding {
        self.school = Some(school.into());
        self
    }

    /// One line for a person: `file: «Sheet»!E14 (2.1): message`.
    pub fn line(&self) -> String {
        let mut s = self.file.clone();
        s.push_str(": ");
        if let Some(sheet) = &self.sheet {
            s.push_str(&format!("«{sheet}»"));
            if let Some(cell) = &self.cell {
                s.push('!');
                s.push_str(cell);
            }
            s.push(' ');
        }
        if let Some(item) = &self.item {
            s.push_str(&format!("(п. {item}) "));
        }
        s.push_str(&self.message);
        s
    }
}

/// A1 address of a 0-based (row, col), for a finding's cell (the helper is
/// [`crate::text::a1`]).
pub use crate::text::a1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_addresses() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(13, 4), "E14");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn codes_are_snake_case() {
        assert_eq!(Code::NotInteger.as_str(), "not_integer");
        assert_eq!(Code::FileHtml.as_str(), "file_html");
    }

    #[test]
    fn line_names_the_place() {
        let f = Finding::error(
            Code::NotInteger,
            "returns/07.xlsx",
            "ожидалось целое число ≥ 0, найдено «12,5»",
        )
        .at("Отчёт", "E14")
        .item("2.1");
        assert_eq!(
            f.line(),
            "returns/07.xlsx: «Отчёт»!E14 (п. 2.1) ожидалось целое число ≥ 0, найдено «12,5»"
        );
    }
}
