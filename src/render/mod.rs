//! Everything a command shows or writes as text: the check report (readable text, JSON,
//! CSV of findings), letters to schools, the plan, the campaigns of a year, the registry
//! as understood, and the closing lines of `collect` and `region`. Renderers return
//! strings or bytes; the binary prints or writes them (the library never prints).
//!
//! - [`report`]: `check` as text (terminal, e-mail) and JSON (stable schema, docs/check.md);
//! - [`csv`]: the one CSV writer (Russian Excel's dialect, formula-like text made inert)
//!   and `check --format csv`;
//! - [`letters`]: a letter per school that must act, and the mailing list;
//! - [`plan`], [`campaigns`], [`schools`]: `profplan plan`, `campaigns`, `schools`;
//! - [`outcome`]: what `collect` and `region` say when they are done.

use std::fmt::Write as _;

use crate::check::report::CheckReport;
use crate::finding::Finding;

pub mod campaigns;
pub mod csv;
pub mod letters;
pub mod outcome;
pub mod plan;
pub mod report;
pub mod schools;

pub use self::csv::{csv_findings, csv_table};
pub use self::letters::{letters, letters_csv, Letter};
pub use self::report::{counts_line, json, json_to, text, JSON_SCHEMA_VERSION};

/// Terminal styles; all empty when colour is off.
pub(crate) struct Paint {
    pub(crate) on: bool,
}

impl Paint {
    pub(crate) fn wrap(&self, style: anstyle::Style, s: &str) -> String {
        if self.on {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.wrap(anstyle::Style::new().bold(), s)
    }
    pub(crate) fn red(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Red.on_default().bold(), s)
    }
    pub(crate) fn yellow(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Yellow.on_default(), s)
    }
    pub(crate) fn green(&self, s: &str) -> String {
        self.wrap(anstyle::AnsiColor::Green.on_default(), s)
    }
}

/// The place and message of a finding inside a school's block (the file is named once above).
pub(crate) fn finding_line(f: &Finding) -> String {
    let mut s = String::new();
    if let Some(sheet) = &f.sheet {
        let _ = write!(s, "«{sheet}»");
        if let Some(cell) = &f.cell {
            let _ = write!(s, "!{cell}");
        }
        s.push(' ');
    }
    if let Some(item) = &f.item {
        let _ = write!(s, "(п. {item}) ");
    }
    s.push_str(&f.message);
    s
}

pub(crate) fn school_findings<'a>(r: &'a CheckReport, id: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.school.as_deref() == Some(id)).collect()
}
