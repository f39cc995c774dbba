//! Reading a returns folder: every file found is accounted for — read as a form, skipped
//! (lock and hidden files) or rejected with a reason — in parallel, with the result in a
//! stable order whatever the thread count.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::finding::{a1, Code, Finding};
use crate::intake::{FileRead, ReadForm};
use crate::read::{self, FileEntry, FileKind, Limits, RawReturn, SkipReason};
use crate::report::{FileRecord, Outcome};
use crate::validate::{FormInput, RawCell, RawTable};

/// Read every file under `dir` (sorted by path). `progress` is called once per file done.
pub fn read_folder(
    dir: &Path,
    limits: &Limits,
    progress: &(dyn Fn() + Sync),
) -> std::io::Result<Vec<FileRead>> {
    let entries = read::scan(dir)?;
    let mut out: Vec<FileRead> = entries
        .par_iter()
        .map(|e| {
            let r = read_entry(e, limits);
            progress();
            r
        })
        .collect();
    out.sort_by(|a, b| a.record.path.cmp(&b.record.path));
    Ok(out)
}

/// How many files a folder holds (for a progress bar), without reading them.
pub fn count_files(dir: &Path) -> usize {
    read::scan(dir).map(|e| e.len()).unwrap_or(0)
}

fn record(e: &FileEntry, outcome: Outcome, reason: String) -> FileRecord {
    FileRecord {
        path: e.display.clone(),
        size: std::fs::symlink_metadata(&e.path).map(|m| m.len()).unwrap_or(0),
        sha256: String::new(),
        format: String::new(),
        saved_at: None,
        saved_at_from_fs: false,
        school: None,
        outcome,
        reason,
    }
}

fn file_time(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok().map(DateTime::<Utc>::from)
}

/// Read one entry of the folder.
pub fn read_entry(e: &FileEntry, limits: &Limits) -> FileRead {
    match &e.kind {
        FileKind::Skipped(why) => {
            let reason = match why {
                SkipReason::LockFile => "файл блокировки Excel/LibreOffice (документ открыт)",
                SkipReason::Hidden => "скрытый или служебный файл",
                SkipReason::Link => "ссылка за пределы папки или на папку",
            };
            let rec = record(e, Outcome::Skipped, reason.into());
            FileRead {
                result: Err(Finding::warning(Code::FileNotSpreadsheet, &e.display, reason)),
                record: rec,
            }
        }
        FileKind::NotSpreadsheet => {
            let msg = "это не таблица (документ, изображение или архив): форму нужно сдавать файлом .xlsx";
            FileRead {
                record: record(e, Outcome::Rejected, msg.into()),
                result: Err(Finding::error(Code::FileNotSpreadsheet, &e.display, msg)),
            }
        }
        FileKind::Unreadable(why) => {
            let msg =
                format!("файл не удалось открыть для чтения ({why}): проверьте права доступа");
            FileRead {
                record: record(e, Outcome::Rejected, msg.clone()),
                result: Err(Finding::error(Code::FileUnreadable, &e.display, msg)),
            }
        }
        FileKind::NotFile(what) => {
            let f = read::not_a_file(&e.display, what);
            FileRead { record: record(e, Outcome::Rejected, f.message.clone()), result: Err(f) }
        }
        FileKind::Candidate => {
            let mut rec = record(e, Outcome::Rejected, String::new());
            let bytes = match read::read_bounded(&e.path, &e.display, limits) {
                Ok(b) => b,
                Err(f) => {
                    rec.reason = f.message.clone();
                    return FileRead { record: rec, result: Err(f) };
                }
            };
            rec.size = bytes.len() as u64;
            rec.sha256 = hex(&Sha256::digest(&bytes));
            rec.format = format_name(read::sniff(&bytes));
            let fs_time = file_time(&e.path);
            match read::read_bytes(&bytes, &e.display, limits) {
                Err(f) => {
                    rec.reason = f.message.clone();
                    rec.saved_at = fs_time;
                    rec.saved_at_from_fs = true;
                    FileRead { record: rec, result: Err(f) }
                }
                Ok(raw) => {
                    match raw.saved_at {
                        Some(t) => rec.saved_at = Some(t),
                        None => {
                            rec.saved_at = fs_time;
                            rec.saved_at_from_fs = true;
                        }
                    }
                    FileRead { record: rec, result: Ok(to_form(raw)) }
                }
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn format_name(f: read::Format) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| v.as_str().map(str::to_lowercase))
        .unwrap_or_else(|| format!("{f:?}").to_lowercase())
}

/// The reader's record of a form → what intake and validation need.
///
/// A field whose defined name was lost is found by the code in the hidden column A of its
/// row (the second way the form carries its structure); a field the reader refused to read
/// (its name points at another field's row) is left out and marked as reported, so the
/// school sees one message about it, not two.
pub fn to_form(raw: RawReturn) -> ReadForm {
    let file = raw.display.clone();
    let mut reported = std::collections::BTreeSet::new();
    for n in &raw.notes {
        if let Some(f) = &n.field {
            reported.insert(f.clone());
        }
    }
    let cell = |c: &read::CellValue| RawCell {
        sheet: c.sheet.clone(),
        cell: c.a1.clone(),
        value: c.value.clone(),
    };
    let mut fields: BTreeMap<String, RawCell> =
        raw.cells.iter().map(|(k, v)| (k.clone(), cell(v))).collect();
    for (code, v) in &raw.row_codes {
        if !fields.contains_key(code) && !reported.contains(code) {
            fields.insert(code.clone(), cell(v));
        }
    }
    let mut tables = BTreeMap::new();
    for (code, t) in &raw.tables {
        let columns: Vec<String> = t.column_codes.iter().flatten().cloned().collect();
        let rows = t
            .rows
            .iter()
            .map(|r| {
                let cells = r
                    .cells
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| {
                        t.column_codes.get(i).cloned().flatten().map(|code| (code, cell(c)))
                    })
                    .collect();
                (r.row + 1, cells)
            })
            .collect();
        tables.insert(
            code.clone(),
            RawTable {
                sheet: t.sheet.clone(),
                first_cell: a1(t.first_row, t.first_col),
                columns,
                rows,
            },
        );
    }
    ReadForm {
        identity_sheet: raw.identity.sheet,
        identity_props: raw.identity.properties,
        input: FormInput { file, fields, tables, reported, ..Default::default() },
        notes: raw.notes,
    }
}
