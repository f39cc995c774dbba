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
    /// The schools whose values are in memory (with their names).
    list: Vec<SchoolData>,
    /// The names of the others, one after another (see [`Slot::Spilled`]): one text, not
    /// three `String`s and an empty [`SchoolData`] (~300 bytes) a school (issue 13).
    names: String,
    /// Each school, registry order.
    slots: Vec<Slot>,
    file: Option<crate::check::spill::SpillFile>,
}

/// Where a school of [`Schools`] is.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `list[i]`.
    Memory(u32),
    /// Its id, name and file are `names[at..id]`, `[id..name]`, `[name..file]`; its values
    /// in the spill file at `span` (none: a return with no values).
    Spilled { at: u32, ends: [u32; 3], invalid: bool, span: Option<crate::check::spill::Span> },
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
        let slots = (0..list.len()).map(|i| Slot::Memory(index(i))).collect();
        Schools { list, names: String::new(), slots, file: None }
    }

    /// The schools in the figures of a folder run ([`SchoolStatus::in_figures`], registry
    /// order): those in `list` (the intake's, registry order) with their values in memory,
    /// the others' in `file` where `span_of` (by the school's file) says.
    ///
    /// [`SchoolStatus::in_figures`]: crate::check::report::SchoolStatus::in_figures
    pub fn spilled(
        statuses: &[crate::check::report::SchoolStatus],
        list: Vec<SchoolData>,
        file: crate::check::spill::SpillFile,
        span_of: impl Fn(&str) -> Option<crate::check::spill::Span>,
    ) -> Schools {
        let taken: Vec<_> = statuses.iter().filter(|s| s.in_figures).collect();
        let mut names = String::new();
        let mut slots = Vec::with_capacity(taken.len());
        let mut next = 0;
        for s in taken {
            let path = s.file.as_deref().unwrap_or_default();
            if list.get(next).is_some_and(|d| d.school_id == s.id && d.file == path) {
                slots.push(Slot::Memory(index(next)));
                next += 1;
                continue;
            }
            let at = index(names.len());
            let mut ends = [0; 3];
            for (end, part) in ends.iter_mut().zip([&s.id, &s.name, path]) {
                names.push_str(part);
                *end = index(names.len());
            }
            let invalid = s.status == crate::check::report::Status::Invalid;
            slots.push(Slot::Spilled { at, ends, invalid, span: span_of(path) });
        }
        debug_assert_eq!(next, list.len(), "every school in memory is in the figures");
        names.shrink_to_fit();
        Schools { list, names, slots, file: Some(file) }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The `i`-th school's id, name, file and mark.
    pub fn head(&self, i: usize) -> Head<'_> {
        match self.slots[i] {
            Slot::Memory(j) => {
                let d = &self.list[j as usize];
                Head {
                    school_id: &d.school_id,
                    school_name: &d.school_name,
                    file: &d.file,
                    invalid: d.invalid,
                }
            }
            Slot::Spilled { at, ends: [id, name, file], invalid, .. } => {
                let part = |a: u32, b: u32| &self.names[a as usize..b as usize];
                Head {
                    school_id: part(at, id),
                    school_name: part(id, name),
                    file: part(name, file),
                    invalid,
                }
            }
        }
    }

    /// Every school's id, name, file and mark, registry order.
    pub fn heads(&self) -> impl ExactSizeIterator<Item = Head<'_>> + '_ {
        (0..self.len()).map(|i| self.head(i))
    }

    /// The `i`-th school with its values (read from the spill file when they are there).
    pub fn get(&self, i: usize) -> std::io::Result<std::borrow::Cow<'_, SchoolData>> {
        use std::borrow::Cow;
        if let Slot::Memory(j) = self.slots[i] {
            return Ok(Cow::Borrowed(&self.list[j as usize]));
        }
        let mut scratch = None;
        self.get_into(i, &mut scratch)?;
        Ok(Cow::Owned(scratch.expect("a spilled school is read into the scratch")))
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
        let span = match self.slots[i] {
            Slot::Memory(j) => return Ok(&self.list[j as usize]),
            Slot::Spilled { span, .. } => span,
        };
        let h = self.head(i);
        let s = scratch.get_or_insert_with(|| SchoolData {
            school_id: String::new(),
            school_name: String::new(),
            file: String::new(),
            fields: BTreeMap::new(),
            tables: BTreeMap::new(),
            invalid: false,
        });
        for (to, from) in [
            (&mut s.school_id, h.school_id),
            (&mut s.school_name, h.school_name),
            (&mut s.file, h.file),
        ] {
            to.clear();
            to.push_str(from);
        }
        s.invalid = h.invalid;
        match (span, &self.file) {
            (Some(span), Some(file)) => file.load(span, s)?,
            // A return with no values.
            _ => {
                s.fields.clear();
                s.tables.clear();
            }
        }
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

/// A place in [`Schools`]' lists and names: they are far below 4 GB (a school's values
/// are in the spill file, not in memory).
fn index(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 4 billion schools and bytes of names")
}
