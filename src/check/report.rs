//! The outcome of checking a returns folder: a status per school of the registry, every
//! finding, and what became of every file. Shared by `check` (rendered as text, JSON,
//! CSV) and `collect` (the «Сдача отчётов», «Замечания» and «Источники» sheets).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::finding::Finding;

/// Status of a school's report in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No return, and the deadline has passed.
    Missing,
    /// No return yet, before the deadline.
    Expected,
    /// A return with at least one error.
    Invalid,
    /// Accepted (perhaps with warnings).
    Accepted,
}

impl Status {
    /// The word the methodologist uses.
    pub fn ru(self) -> &'static str {
        match self {
            Status::Missing => "не сдан",
            Status::Expected => "ожидается",
            Status::Invalid => "с ошибками",
            Status::Accepted => "принят",
        }
    }
}

/// What became of a file found in the returns folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The school's return, accepted.
    Accepted,
    /// The school's return, with errors.
    Invalid,
    /// Another return of the same school was taken instead.
    Superseded,
    /// A form, but not one this run can use (other campaign, unknown school, …).
    NotUsed,
    /// Could not be read as a form (damaged, not a spreadsheet, encrypted, …).
    Rejected,
    /// Skipped on purpose: lock files, hidden files.
    Skipped,
}

impl Outcome {
    pub fn ru(&self) -> &'static str {
        match self {
            Outcome::Accepted => "принят",
            Outcome::Invalid => "с ошибками",
            Outcome::Superseded => "заменён более поздним файлом",
            Outcome::NotUsed => "не используется",
            Outcome::Rejected => "отклонён",
            Outcome::Skipped => "пропущен",
        }
    }
}

/// A file of the returns folder and its fate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileRecord {
    /// Path relative to the returns folder, `/`-separated.
    pub path: String,
    pub size: u64,
    /// SHA-256 of the content (none when the file could not be read).
    pub sha256: Sha256,
    /// Format detected from the content («xlsx», «ods», «xls», «html», …).
    pub format: String,
    /// When the file was last saved, with the district's offset. For an ambiguous time
    /// (LibreOffice's .xlsx) the earlier reading.
    #[serde(serialize_with = "crate::check::report::rfc3339")]
    pub saved_at: Option<DateTime<FixedOffset>>,
    /// The other reading of an ambiguous saved time; `None` when the time is certain.
    #[serde(serialize_with = "crate::check::report::rfc3339")]
    pub saved_at_other: Option<DateTime<FixedOffset>>,
    /// Whether `saved_at` came from the file system rather than the workbook.
    pub saved_at_from_fs: bool,
    /// School id from the form's identity, when there is one.
    pub school: Option<String>,
    pub outcome: Outcome,
    /// Russian explanation of the outcome.
    pub reason: String,
}

impl FileRecord {
    /// The record of a file as the reader left it: refused (or skipped) until the intake
    /// finds a return in it; its saved time read in the district (the time as the file
    /// wrote it is not kept: one record is kept for every file until the report).
    pub fn of(file: crate::read::FileMeta, district: crate::clock::District) -> FileRecord {
        let resolved = file.saved.map(|saved| district.resolve(saved));
        FileRecord {
            path: file.path,
            size: file.size,
            sha256: Sha256::from_hex(&file.sha256),
            format: file.format,
            saved_at: resolved.as_ref().map(|r| district.local(r.at)),
            saved_at_other: resolved.and_then(|r| r.other).map(|t| district.local(t)),
            saved_at_from_fs: file.saved_from_fs,
            school: None,
            outcome: if file.skipped { Outcome::Skipped } else { Outcome::Rejected },
            reason: String::new(),
        }
    }
}

/// A file's SHA-256 as its 32 bytes — not as the 64 hex digits it is shown as: one is
/// kept for every file of the returns folder until the report (issue 13). Shown and
/// written to JSON as lowercase hex; as an empty text when the file could not be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256(Option<[u8; 32]>);

impl Sha256 {
    /// From its hex digits (as the reader gives them); none from anything else (the empty
    /// text of a file that could not be read).
    pub fn from_hex(hex: &str) -> Sha256 {
        let digits = hex.as_bytes();
        if digits.len() != 64 {
            return Sha256(None);
        }
        let mut bytes = [0u8; 32];
        for (b, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            match std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()) {
                Some(v) => *b = v,
                None => return Sha256(None),
            }
        }
        Sha256(Some(bytes))
    }
}

impl std::fmt::Display for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().flatten().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One school of the registry and the state of its report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchoolStatus {
    pub id: String,
    pub name: String,
    pub status: Status,
    /// Returned after the deadline.
    pub late: bool,
    /// The file taken as the school's return.
    pub file: Option<String>,
    /// All files that claim to be this school's return of this campaign.
    pub files: Vec<String>,
    #[serde(serialize_with = "crate::check::report::rfc3339")]
    pub saved_at: Option<DateTime<FixedOffset>>,
    pub errors: usize,
    pub warnings: usize,
    /// Its return goes into the district's figures (accepted, or with errors under
    /// `--include-invalid`). Its values are in [`crate::check::intake::Intake::data`], or —
    /// a folder run's, validated while read — in `collect`'s spill file.
    #[serde(skip)]
    pub in_figures: bool,
}

/// One form for every time in JSON output: RFC 3339, whole seconds, the district's
/// offset (`2025-12-20T22:30:00+03:00`).
pub fn rfc3339<S: serde::Serializer>(
    t: &Option<DateTime<FixedOffset>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339_text(*t)),
        None => s.serialize_none(),
    }
}

/// `2025-12-20T22:30:00+03:00`
pub fn rfc3339_text(t: DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Counts per status for the first line of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub schools: usize,
    pub accepted: usize,
    pub invalid: usize,
    pub missing: usize,
    pub expected: usize,
    /// Accepted returns saved after the deadline (a part of `accepted`).
    pub late: usize,
    /// Returns with errors saved after the deadline (a part of `invalid`).
    pub invalid_late: usize,
    pub files: usize,
    pub skipped_files: usize,
    pub rejected_files: usize,
}

/// The result of checking a returns folder against a campaign and a registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub plan_id: String,
    pub plan_version: String,
    /// Campaign id, `YYYY-MM-DD`.
    pub campaign: String,
    pub campaign_title: String,
    pub deadline: NaiveDate,
    /// The district's time zone: deadlines end at its midnight, times are shown in it.
    #[serde(skip)]
    pub district: crate::clock::District,
    /// The date the check considers «today».
    pub as_of: NaiveDate,
    pub counts: Counts,
    /// Registry order.
    pub schools: Vec<SchoolStatus>,
    /// Ordered by school (registry order), file, then sheet/cell order.
    pub findings: Vec<Finding>,
    /// Every file found, sorted by path.
    pub files: Vec<FileRecord>,
}

impl CheckReport {
    /// 0 — every school accepted; 1 — some school missing, still expected or with errors.
    /// Schools still «ожидается» before the deadline also give 1: «all in and accepted» is
    /// what 0 promises (see `exit_code_is_0_only_when_every_school_is_accepted`).
    pub fn exit_code(&self) -> u8 {
        let bad =
            self.schools.iter().any(|s| matches!(s.status, Status::Missing | Status::Invalid));
        let waiting = self.schools.iter().any(|s| s.status == Status::Expected);
        if bad || waiting {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's SHA-256 kept as bytes reads back as the reader's hex digits, in text and
    /// in JSON; a file that was not read has none (an empty text, as before).
    #[test]
    fn sha256_is_kept_as_bytes_and_shown_as_hex() {
        use sha2::Digest;
        let hex = crate::text::hex(&sha2::Sha256::digest(b"profplan"));
        let sha = Sha256::from_hex(&hex);
        assert_eq!(sha.to_string(), hex);
        assert_eq!(serde_json::to_string(&sha).unwrap(), format!("\"{hex}\""));
        assert_eq!(Sha256::from_hex(""), Sha256::default());
        assert_eq!(serde_json::to_string(&Sha256::from_hex("")).unwrap(), "\"\"");
        assert_eq!(Sha256::from_hex(&hex[1..]).to_string(), "");
        assert_eq!(Sha256::from_hex(&format!("{}zz", &hex[2..])).to_string(), "");
    }
}
