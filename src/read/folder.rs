//! Reading a returns folder: every file found is accounted for — read as a form, skipped
//! (lock and hidden files) or rejected with a reason — in parallel, with the result in a
//! stable order whatever the thread count.
//!
//! Memory is bounded for the run, not only per file: a [`Gate`] admits a file's bytes
//! ([`Limits::max_run_file_bytes`] for all files held at once) and then its parsing
//! ([`read::Sniffed::reading_cost`], [`Limits::max_run_parse_bytes`] for all files parsed at
//! once). Files beyond the bound wait for their turn; a file that alone would need more
//! than the bound is refused with a reason. The two pools are separate so that no
//! reader ever waits while holding what another reader needs: a file waiting to be
//! parsed only waits for files being parsed, which finish.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Condvar, Mutex};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::clock::SavedTime;
use crate::finding::{Code, Finding};
use crate::read::{
    self, FileEntry, FileKind, FileMeta, FileRead, FormInput, InputCell, InputTable, Limits,
    RawReturn, ReadForm, SkipReason,
};
use crate::text::{a1, hex};

/// Read every file under `dir` (sorted by path). `progress` is called once per file done.
pub fn read_folder(
    dir: &Path,
    limits: &Limits,
    progress: &(dyn Fn() + Sync),
) -> std::io::Result<Vec<FileRead>> {
    let files = read_folder_then(dir, limits, progress, &|_| ())?;
    Ok(files.into_iter().map(|(f, ())| f).collect())
}

/// [`read_folder`], with `each` applied to every file as soon as it is read, on the
/// reading thread, and its result kept beside the file. A later stage uses it to do its
/// work while the file is at hand and let go of what it no longer needs (the check stage
/// validates a return and drops its cells, which keeps memory flat whatever the number of
/// returns); the reader knows nothing of what `each` does.
pub fn read_folder_then<T: Send>(
    dir: &Path,
    limits: &Limits,
    progress: &(dyn Fn() + Sync),
    each: &(dyn Fn(&mut FileRead) -> T + Sync),
) -> std::io::Result<Vec<(FileRead, T)>> {
    let entries = read::scan(dir)?;
    let gate = Gate::new(limits);
    let mut out: Vec<(FileRead, T)> = entries
        .par_iter()
        .map(|e| {
            let mut r = read_entry_within(e, limits, Some(&gate));
            let t = each(&mut r);
            progress();
            (r, t)
        })
        .collect();
    // Mostly in order already (the folder is listed sorted, rayon keeps the order): a
    // sort would still take a scratch copy of every file's result.
    if !out.is_sorted_by(|a, b| a.0.file.path <= b.0.file.path) {
        out.sort_by(|a, b| a.0.file.path.cmp(&b.0.file.path));
    }
    Ok(out)
}

/// [`read_folder_then`] for a stage that keeps only what `each` makes of a file, and
/// keeps it its own way: `each` takes the file's read result by value on the reading
/// thread, and `sink` gets what it returns, on the calling thread, file after file in the
/// order of [`FileMeta::path`] (the relative path as messages name it). The check stage
/// admits each file there — its record and, for a return, what the choice of a school's
/// return needs — so that no file's read result is held until the report, nor a list of
/// every file's (issue 13: memory flat in the number of files).
///
/// The files are read in parallel a batch of [`BATCH`] at a time; the folder's listing
/// is let go of batch by batch. `entries` is the folder's listing ([`read::scan`]; the
/// caller counts the files from it for a progress bar).
pub fn read_folder_each<T: Send>(
    mut entries: Vec<FileEntry>,
    limits: &Limits,
    progress: &(dyn Fn() + Sync),
    each: &(dyn Fn(FileRead) -> T + Sync),
    sink: &mut dyn FnMut(T),
) {
    // In the order the report lists the files (the listing is by the path's bytes: the
    // same order but for names that are not UTF-8 or not in NFC).
    if !entries.is_sorted_by(|a, b| a.display <= b.display) {
        entries.sort_by(|a, b| a.display.cmp(&b.display));
    }
    // Taken from the end, a batch at a time.
    entries.reverse();
    let gate = Gate::new(limits);
    let mut done = Vec::with_capacity(BATCH.min(entries.len()));
    while !entries.is_empty() {
        let mut batch = entries.split_off(entries.len().saturating_sub(BATCH));
        batch.reverse();
        if entries.capacity() - entries.len() > entries.capacity() / 4 {
            entries.shrink_to_fit();
        }
        batch
            .into_par_iter()
            .map(|e| {
                let t = each(read_entry_within(&e, limits, Some(&gate)));
                progress();
                t
            })
            .collect_into_vec(&mut done);
        done.drain(..).for_each(&mut *sink);
    }
}

/// How many files [`read_folder_each`] reads at once: enough that both threads are busy
/// almost all the time (the batch's last file leaves one idle for a moment), few enough
/// that what the batch's files become is small beside the run's own memory.
pub const BATCH: usize = 512;

/// A file's metadata before (or without) reading it: its path and size on disk.
fn meta(e: &FileEntry, skipped: bool) -> FileMeta {
    FileMeta {
        path: e.display.clone(),
        size: std::fs::symlink_metadata(&e.path).map(|m| m.len()).unwrap_or(0),
        sha256: String::new(),
        format: String::new(),
        saved: None,
        saved_from_fs: false,
        skipped,
    }
}

/// The file's modification time: an instant (whole seconds).
fn file_time(path: &Path) -> Option<SavedTime> {
    use chrono::Timelike;
    let t = std::fs::metadata(path).and_then(|m| m.modified()).ok().map(DateTime::<Utc>::from)?;
    Some(SavedTime::Instant(t.with_nanosecond(0)?))
}

/// Admission control for reading files in parallel: two pools of bytes (see the module
/// comment).
pub struct Gate {
    files: Pool,
    parsing: Pool,
}

struct Pool {
    capacity: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// A share of a [`Pool`], given back when dropped.
struct Share<'a> {
    pool: &'a Pool,
    bytes: u64,
}

impl Pool {
    fn new(capacity: u64) -> Pool {
        Pool { capacity, used: Mutex::new(0), freed: Condvar::new() }
    }

    /// Waits until `bytes` fit; `None` when they never can.
    fn take(&self, bytes: u64) -> Option<Share<'_>> {
        if bytes > self.capacity {
            return None;
        }
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used + bytes > self.capacity {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += bytes;
        Some(Share { pool: self, bytes })
    }
}

impl Drop for Share<'_> {
    fn drop(&mut self) {
        let mut used = self.pool.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= self.bytes;
        self.pool.freed.notify_all();
    }
}

impl Gate {
    pub fn new(limits: &Limits) -> Gate {
        Gate {
            files: Pool::new(limits.max_run_file_bytes),
            parsing: Pool::new(limits.max_run_parse_bytes),
        }
    }
}

const MB: u64 = 1024 * 1024;

/// Read one entry of the folder.
pub fn read_entry(e: &FileEntry, limits: &Limits) -> FileRead {
    read_entry_within(e, limits, None)
}

/// Read one entry of the folder, admitted by `gate` when there is one.
fn read_entry_within(e: &FileEntry, limits: &Limits, gate: Option<&Gate>) -> FileRead {
    let refuse = |file: FileMeta, f: Finding| FileRead { file, result: Err(f) };
    match &e.kind {
        FileKind::Skipped(why) => {
            let reason = match why {
                SkipReason::LockFile => "файл блокировки Excel/LibreOffice (документ открыт)",
                SkipReason::Hidden => "скрытый или служебный файл",
                SkipReason::Link => "ссылка за пределы папки или на папку",
            };
            refuse(meta(e, true), Finding::warning(Code::FileNotSpreadsheet, &e.display, reason))
        }
        FileKind::NotSpreadsheet => {
            let msg = "это не таблица (документ, изображение или архив): форму нужно сдавать файлом .xlsx";
            refuse(meta(e, false), Finding::error(Code::FileNotSpreadsheet, &e.display, msg))
        }
        FileKind::Unreadable(why) => {
            let msg =
                format!("файл не удалось открыть для чтения ({why}): проверьте права доступа");
            refuse(meta(e, false), Finding::error(Code::FileUnreadable, &e.display, msg))
        }
        FileKind::NotFile(what) => refuse(meta(e, false), read::not_a_file(&e.display, what)),
        FileKind::Candidate => {
            let mut file = meta(e, false);
            // The file's bytes are admitted before they are read (its size on disk now;
            // read_bounded refuses it if it grows past the limit meanwhile).
            let _held = match gate {
                Some(g) => {
                    let len = std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
                    let len = len.min(limits.max_file_bytes + 1);
                    match g.files.take(len) {
                        Some(s) => Some(s),
                        None => return refuse(file, too_costly(&e.display, len, g.files.capacity)),
                    }
                }
                None => None,
            };
            let bytes = match read::read_bounded(&e.path, &e.display, limits) {
                Ok(b) => b,
                Err(f) => return refuse(file, f),
            };
            file.size = bytes.len() as u64;
            file.sha256 = hex(&Sha256::digest(&bytes));
            // Sniffed once: the format, the gate's estimate and the reading share it (and
            // a zip's checked directory).
            let sniffed = read::Sniffed::new(&bytes, limits);
            file.format = format_name(sniffed.format());
            let fs_time = file_time(&e.path);
            let _parsing = match gate {
                Some(g) => {
                    let cost = sniffed.reading_cost(limits);
                    match g.parsing.take(cost) {
                        Some(s) => Some(s),
                        None => {
                            file.saved = fs_time;
                            file.saved_from_fs = true;
                            return refuse(file, too_costly(&e.display, cost, g.parsing.capacity));
                        }
                    }
                }
                None => None,
            };
            let result = read::read_sniffed(sniffed, &e.display, limits);
            match result.as_ref().ok().and_then(|raw| raw.saved_at) {
                Some(t) => file.saved = Some(t),
                None => {
                    file.saved = fs_time;
                    file.saved_from_fs = true;
                }
            }
            FileRead { file, result: result.map(to_form) }
        }
    }
}

/// A file that alone would need more memory than the run allows for reading.
fn too_costly(display: &str, cost: u64, capacity: u64) -> Finding {
    Finding::error(
        Code::FileTooLarge,
        display,
        format!(
            "файл отклонён: для его чтения понадобилось бы до {} МБ памяти, а profplan читает \
             отчёты, не расходуя больше {} МБ. Так не выглядит ни одна заполненная форма — \
             возможно, файл повреждён или подменён. Пришлите исходную форму, заполненную заново",
            cost.div_ceil(MB),
            capacity / MB
        ),
    )
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
    let cell = |c: &read::Cell| InputCell {
        sheet: c.sheet.clone(),
        cell: c.a1.clone(),
        value: c.value.clone(),
    };
    let mut fields: BTreeMap<String, InputCell> =
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
            InputTable {
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
        resolved: None,
        input: FormInput { file, fields, tables, reported, ..Default::default() },
        notes: raw.notes,
    }
}
