//! The schools' checked values on disk while `collect` runs (issue 13: flat memory).
//!
//! A school's [`SchoolData`] is ~9 KB in memory (every field a `String` key and a
//! [`Source`] of three `String`s): held from reading to the end of the summary, the values
//! of 10 000 schools were ~90 MB, of 40 000 ~360 MB. `collect` therefore writes each return's
//! values to one temporary file as soon as the return is validated on its reading thread
//! ([`Spill::put`]: encoded on the thread, appended under a lock), keeps only where they
//! are ([`Span`]) and the school's id, name and file, and reads them back one school at a
//! time, in registry order, for each sheet that needs them ([`crate::check::values::Schools`]).
//!
//! The file is in the system's temporary folder (`TMPDIR`, `%TEMP%`), not beside the
//! summary: it is needed while the returns are read, before the summary's folder is made,
//! and it is scratch that nobody opens. It is readable by its owner only, removed when
//! the run ends (also when it fails) and on Ctrl+C ([`crate::output::Scratch`]). Its
//! encoding is private to one run ([`postcard`] of mirror types below): `CheckedValue`
//! is untagged for the JSON a user reads, which a compact binary encoding cannot decode.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::check::values::{CheckedField, CheckedValue, Row, SchoolData, Source};
use crate::output::Scratch;

/// Where one school's values are in the spill file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    offset: u64,
    len: u32,
}

/// The spill file being written, by the reading threads.
pub struct Spill {
    path: PathBuf,
    out: Mutex<Writer>,
}

struct Writer {
    file: std::io::BufWriter<Scratch>,
    len: u64,
}

/// The spill file once every return is read: the values are read back from it.
pub struct SpillFile {
    path: PathBuf,
    file: Mutex<Scratch>,
}

/// A spill file error, naming the file (disk full, the file gone, a short read).
fn error(path: &Path, doing: &str, e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(
        e.kind(),
        format!(
            "не удалось {doing} временный файл {} (значения школ на время сборки свода): {}",
            path.display(),
            crate::oserror::describe(e)
        ),
    )
}

impl Spill {
    /// A new, empty spill file in the system's temporary folder.
    pub fn create() -> anyhow::Result<Spill> {
        let scratch = Scratch::new("profplan-values-")?;
        let path = scratch.path().to_path_buf();
        let file = std::io::BufWriter::with_capacity(256 * 1024, scratch);
        Ok(Spill { path, out: Mutex::new(Writer { file, len: 0 }) })
    }

    /// The file's path (for messages and tests).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one school's fields and tables (not its id, name or file: those stay in
    /// memory); where they are.
    pub fn put(&self, d: &SchoolData) -> std::io::Result<Span> {
        let bytes = encode(d);
        let mut w = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let len = u32::try_from(bytes.len()).map_err(|_| {
            error(&self.path, "записать", &std::io::Error::other("слишком большой отчёт"))
        })?;
        w.file.write_all(&bytes).map_err(|e| error(&self.path, "записать", &e))?;
        let span = Span { offset: w.len, len };
        w.len += u64::from(len);
        Ok(span)
    }

    /// Everything written, ready to be read back.
    pub fn finish(self) -> std::io::Result<SpillFile> {
        let path = self.path;
        let w = self.out.into_inner().unwrap_or_else(|e| e.into_inner());
        let file = w.file.into_inner().map_err(|e| error(&path, "записать", e.error()))?;
        Ok(SpillFile { path, file: Mutex::new(file) })
    }
}

impl SpillFile {
    /// The file's path (for messages and tests).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fill `d` (a school's id, name and file) with the fields and tables at `span`: those
    /// `d` held before are replaced (their allocations reused, see [`decode`]).
    pub fn load(&self, span: Span, d: &mut SchoolData) -> std::io::Result<()> {
        // The summary reads every school ~12 times: one buffer a thread, not one a read
        // (a fresh buffer of a few KB each time also made malloc consolidate its free
        // lists: 2 % of `collect`'s CPU at 10 000 schools, BENCHMARKS.md).
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            buf.resize(span.len as usize, 0);
            {
                let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
                f.seek(SeekFrom::Start(span.offset))
                    .and_then(|_| f.read_exact(buf))
                    .map_err(|e| error(&self.path, "прочитать", &e))?;
            }
            decode(buf, d).map_err(|e| {
                let e = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
                error(&self.path, "прочитать", &e)
            })
        })
    }
}

// ---------------------------------------------------------------------------------------
// The encoding: mirrors of the values with the variant tags a binary encoding needs. The
// borrowed mirror is written, the owned one read; postcard writes `&str` and `String`
// alike, and enum variants by position, so the two must keep the same order of variants
// and fields (`round_trip` below).

#[derive(Serialize)]
enum ValRef<'a> {
    Num(f64),
    Text(&'a str),
    Date(NaiveDate),
}

/// [`ValRef`] as read: its text borrowed from the bytes read.
#[derive(Deserialize)]
enum Val<'a> {
    Num(f64),
    Text(&'a str),
    Date(NaiveDate),
}

/// Field code, value, and its source: the file when it is not the school's, sheet, cell.
type FieldRef<'a> = (&'a str, ValRef<'a>, Option<&'a str>, &'a str, &'a str);
/// Table code → rows (sheet, row, column code → value).
type RowRef<'a> = (&'a str, u32, Vec<(&'a str, ValRef<'a>)>);

fn val_ref(v: &CheckedValue) -> ValRef<'_> {
    match v {
        CheckedValue::Num(n) => ValRef::Num(*n),
        CheckedValue::Text(t) => ValRef::Text(t),
        CheckedValue::Date(d) => ValRef::Date(*d),
    }
}

fn val(v: Val) -> CheckedValue {
    match v {
        Val::Num(n) => CheckedValue::Num(n),
        Val::Text(t) => CheckedValue::Text(t.to_string()),
        Val::Date(d) => CheckedValue::Date(d),
    }
}

/// `slot` made `v`, keeping a text's allocation.
fn set_val(slot: &mut CheckedValue, v: Val) {
    match (slot, v) {
        (CheckedValue::Text(s), Val::Text(t)) => set(s, t),
        (slot, v) => *slot = val(v),
    }
}

/// `s` made `v`, keeping its allocation.
fn set(s: &mut String, v: &str) {
    if s != v {
        s.clear();
        s.push_str(v);
    }
}

/// `map` keeping only the keys of `sorted` (ascending, as a `BTreeMap` wrote them).
fn keep_only<V, T>(map: &mut BTreeMap<String, V>, sorted: &[T], key: impl Fn(&T) -> &str) {
    if map.len() != sorted.len() || !map.keys().zip(sorted).all(|(k, t)| k == key(t)) {
        map.retain(|k, _| sorted.binary_search_by(|t| key(t).cmp(k)).is_ok());
    }
}

fn encode(d: &SchoolData) -> Vec<u8> {
    let fields: Vec<FieldRef> = d
        .fields
        .iter()
        .map(|(code, f)| {
            let file = (f.source.file != d.file).then_some(f.source.file.as_str());
            (
                code.as_str(),
                val_ref(&f.value),
                file,
                f.source.sheet.as_str(),
                f.source.cell.as_str(),
            )
        })
        .collect();
    let tables: Vec<(&str, Vec<RowRef>)> = d
        .tables
        .iter()
        .map(|(code, rows)| {
            let rows = rows
                .iter()
                .map(|r| {
                    let values = r.values.iter().map(|(k, v)| (k.as_str(), val_ref(v))).collect();
                    (r.sheet.as_str(), r.row, values)
                })
                .collect();
            (code.as_str(), rows)
        })
        .collect();
    postcard::to_allocvec(&(fields, tables)).expect("encoding into memory does not fail")
}

/// `d`'s fields and tables made those encoded in `bytes`. The summary reads every school
/// ~12 times, one after the other: what the previous school left in `d` — its map entries
/// and strings, mostly of the same codes, sheets and cells — is reused rather than freed
/// and made again (`Schools::try_for_each`); an empty `d` is filled anew. The result is
/// the same either way (`decoding_over_another_school_gives_the_same`).
fn decode(bytes: &[u8], d: &mut SchoolData) -> Result<(), postcard::Error> {
    type Field<'a> = (&'a str, Val<'a>, Option<&'a str>, &'a str, &'a str);
    type TableRow<'a> = (&'a str, u32, Vec<(&'a str, Val<'a>)>);
    let (fields, tables): (Vec<Field>, Vec<(&str, Vec<TableRow>)>) = postcard::from_bytes(bytes)?;
    let SchoolData { file: school_file, fields: map, tables: table_map, .. } = d;
    keep_only(map, &fields, |f| f.0);
    for (code, v, file, sheet, cell) in fields {
        let file = file.unwrap_or(school_file);
        match map.get_mut(code) {
            Some(f) => {
                set_val(&mut f.value, v);
                set(&mut f.source.file, file);
                set(&mut f.source.sheet, sheet);
                set(&mut f.source.cell, cell);
            }
            None => {
                let source = Source { file: file.into(), sheet: sheet.into(), cell: cell.into() };
                map.insert(code.to_string(), CheckedField { value: val(v), source });
            }
        }
    }
    keep_only(table_map, &tables, |t| t.0);
    for (code, rows) in tables {
        let have = match table_map.get_mut(code) {
            Some(have) => have,
            None => table_map.entry(code.to_string()).or_default(),
        };
        have.truncate(rows.len());
        for (i, (sheet, row, values)) in rows.into_iter().enumerate() {
            if i == have.len() {
                have.push(Row { sheet: String::new(), row, values: BTreeMap::new() });
            }
            let r = &mut have[i];
            set(&mut r.sheet, sheet);
            r.row = row;
            keep_only(&mut r.values, &values, |v| v.0);
            for (col, v) in values {
                match r.values.get_mut(col) {
                    Some(slot) => set_val(slot, v),
                    None => {
                        r.values.insert(col.to_string(), val(v));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> SchoolData {
        let src = |file: &str, cell: &str| Source {
            file: file.into(),
            sheet: "Отчёт".into(),
            cell: cell.into(),
        };
        let mut fields = BTreeMap::new();
        for (code, value, file) in [
            ("a", CheckedValue::Num(12.5), "r/1.xlsx"),
            ("b", CheckedValue::Num(-0.0), "r/1.xlsx"),
            ("c", CheckedValue::Num(f64::MIN_POSITIVE), "other.xlsx"),
            ("d", CheckedValue::Text("да «ё» =1+1".into()), "r/1.xlsx"),
            ("e", CheckedValue::Text(String::new()), ""),
            ("f", CheckedValue::Date(NaiveDate::from_ymd_opt(2025, 12, 20).unwrap()), "r/1.xlsx"),
        ] {
            fields.insert(code.to_string(), CheckedField { value, source: src(file, "E14") });
        }
        let row = |n: u32| Row {
            sheet: "1.6 ВсОШ".into(),
            row: n,
            values: [
                ("x".to_string(), CheckedValue::Num(3.0)),
                ("y".to_string(), CheckedValue::Text("Химия".into())),
            ]
            .into_iter()
            .collect(),
        };
        let mut tables = BTreeMap::new();
        tables.insert("t1".to_string(), vec![row(5), row(6)]);
        tables.insert("t2".to_string(), Vec::new());
        SchoolData {
            school_id: "001".into(),
            school_name: "Школа".into(),
            file: "r/1.xlsx".into(),
            fields,
            tables,
            invalid: true,
        }
    }

    /// Every kind of value, a source in another file, empty texts and tables: what is
    /// written is read back equal, through the file.
    #[test]
    fn round_trip() {
        let spill = Spill::create().unwrap();
        let path = spill.path().to_path_buf();
        assert!(path.exists());
        let a = school();
        let mut b = school();
        b.fields.clear();
        let spans = [spill.put(&a).unwrap(), spill.put(&b).unwrap(), spill.put(&a).unwrap()];
        let file = spill.finish().unwrap();
        for (span, want) in spans.iter().zip([&a, &b, &a]) {
            let mut d =
                SchoolData { fields: Default::default(), tables: Default::default(), ..a.clone() };
            file.load(*span, &mut d).unwrap();
            assert_eq!(&d, want);
        }
        drop(file);
        assert!(!path.exists(), "the spill file is removed when dropped");
    }

    /// A school read over another (as `Schools::try_for_each` does) is the school read
    /// into an empty one: fields and table rows fewer and more, codes gone and new, values
    /// of another kind, a source in another file.
    #[test]
    fn decoding_over_another_school_gives_the_same() {
        let a = school();
        let mut b = school();
        b.file = "r/2.xlsx".into();
        b.fields.remove("a");
        b.fields.insert(
            "aa".into(),
            CheckedField {
                value: CheckedValue::Text("новое".into()),
                source: Source {
                    file: "r/2.xlsx".into(), sheet: "Лист".into(), cell: "B2".into()
                },
            },
        );
        b.fields.get_mut("b").unwrap().value = CheckedValue::Text("было число".into());
        b.fields.get_mut("d").unwrap().value = CheckedValue::Num(7.0);
        b.fields.get_mut("e").unwrap().source.cell = "E15".into();
        let t1 = b.tables.get_mut("t1").unwrap();
        t1[0].values.remove("x");
        t1[0].values.insert("z".into(), CheckedValue::Num(1.0));
        t1[1].sheet = "другой".into();
        t1.push(Row { sheet: "1.6 ВсОШ".into(), row: 9, values: BTreeMap::new() });
        let first = t1[0].clone();
        b.tables.remove("t2");
        b.tables.insert("t0".into(), vec![first]);
        let mut c = school();
        c.tables.get_mut("t1").unwrap().truncate(1);
        c.fields.clear();
        let empty =
            || SchoolData { fields: Default::default(), tables: Default::default(), ..a.clone() };
        let mut d = empty();
        for want in [&a, &b, &a, &c, &b, &c, &a] {
            let bytes = encode(want);
            d.file.clone_from(&want.file);
            decode(&bytes, &mut d).unwrap();
            let mut fresh = SchoolData { file: want.file.clone(), ..empty() };
            decode(&bytes, &mut fresh).unwrap();
            assert_eq!(&d, want);
            assert_eq!(fresh, d);
        }
    }

    /// A short file is an error naming the file, not a panic.
    #[test]
    fn a_short_read_names_the_file() {
        let spill = Spill::create().unwrap();
        let span = spill.put(&school()).unwrap();
        let file = spill.finish().unwrap();
        let past = Span { offset: span.offset + 10, len: span.len };
        let mut d = school();
        let e = file.load(past, &mut d).unwrap_err().to_string();
        assert!(e.contains(&file.path().display().to_string()), "{e}");
        assert!(e.starts_with("не удалось прочитать временный файл"), "{e}");
    }
}
