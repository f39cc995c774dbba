//! Reading returns safely: any file in, either the contents of a form or a plain-Russian
//! rejection out — never a crash, never a modified input.
//!
//! The pipeline for one file (in a run of `check` or `collect`: [`folder::read_entry`],
//! which also bounds the run's memory; a file on its own: [`read_file`]):
//! 1. read the bytes once (bounded by [`Limits::max_file_bytes`]); the file is opened
//!    read-only and nothing is ever written;
//! 2. [`sniff`] the format from the content (extensions lie: HTML saved as `.xls`,
//!    encrypted `.xlsx` that is really a CFB container, …);
//! 3. for zip containers, check the central directory against [`Limits`] *before*
//!    anything is inflated (bombs, thousands of entries, overlapping entries) — steps 2
//!    and 3 once per file ([`Sniffed`]): the memory gate's estimate and the reading share
//!    the format and the opened, checked archive;
//! 4. open the workbook with the format's backend (`xlsx.rs` and `ods.rs` our own
//!    streaming readers over the zip, `xls.rs` calamine) and read *only* the parts and
//!    cells the form's defined names point at, plus the hidden codes that cross-check
//!    them (`assemble.rs`);
//! 5. everything runs under `catch_unwind`: a parser panic becomes
//!    [`Code::FileParserFailed`] for that file only.
//!
//! Validation (kinds, bounds, rules) is not done here: the output, [`RawReturn`], is what
//! the file says, with structural notes; `validate` decides what it means.

mod assemble;
mod container;
pub mod folder;
mod form;
mod ods;
mod refs;
mod scan;
mod sniff;
mod value;
mod xls;
mod xlsx;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::clock::SavedTime;
use crate::finding::{Code, Finding};

pub use form::{FileMeta, FileRead, FormInput, InputCell, InputTable, ReadForm, ResolvedIdentity};
pub use refs::{parse_reference, CellRef};
pub use scan::{display_name, scan, FileEntry, FileKind, SkipReason};
pub use sniff::{sniff, Format};
pub use value::{parse_number, NumberParse};

/// The reader's hash maps (cell positions, part and sheet names, string and style
/// indexes: every file looks them up thousands of times). Their keys come from the files,
/// so the hasher is seeded per run like std's, but foldhash's is several times cheaper
/// than std's SipHash. Nothing iterates them in an order that reaches an output.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Bounds on what one file may cost. Checked before inflating (zip directory) and while
/// reading (cells, time), so a hostile file is refused instead of taking the run down.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Size of the file on disk.
    pub max_file_bytes: u64,
    /// Entries in a zip container.
    pub max_zip_entries: usize,
    /// Sum of the declared uncompressed sizes of all entries.
    pub max_total_uncompressed: u64,
    /// Declared uncompressed size of one entry.
    pub max_entry_uncompressed: u64,
    /// Uncompressed / compressed, checked for entries larger than
    /// [`Limits::ratio_min_entry`]; real spreadsheets stay well under 100.
    pub max_ratio: u64,
    /// Entries smaller than this are not ratio-checked (tiny XML compresses very well).
    pub ratio_min_entry: u64,
    /// Cells visited while streaming sheets (stored cells, not the grid area).
    pub max_cells: u64,
    /// Declared count of shared strings (kept for compatibility; the xlsx reader no
    /// longer reserves memory for the declared count, so it is not checked).
    pub max_shared_strings: u64,
    /// Declared uncompressed size of one part that profplan parses (workbook, the
    /// form's sheets, shared strings, styles, properties): bounds the largest XML token,
    /// hence the parser's buffer.
    pub max_read_part: u64,
    /// Cells in the used area of a legacy .xls sheet (calamine allocates it densely).
    pub max_xls_area: u64,
    /// Bytes of text kept from the wanted cells.
    pub max_text_bytes: u64,
    /// Wall time for one file (all of its reading: directory, names, styles, strings,
    /// cells).
    pub max_time: Duration,
    /// Bytes of returns held in memory at once by a run that reads files in parallel
    /// (see [`crate::read::folder::read_folder`]): files wait for their turn beyond it.
    pub max_run_file_bytes: u64,
    /// Memory that the parsing of files read at once may take, by [`reading_cost`]:
    /// files wait for their turn beyond it, and a file that alone would need more is
    /// refused.
    pub max_run_parse_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_zip_entries: 2000,
            max_total_uncompressed: 200 * 1024 * 1024,
            max_entry_uncompressed: 100 * 1024 * 1024,
            max_ratio: 200,
            ratio_min_entry: 1024 * 1024,
            max_cells: 2_000_000,
            max_shared_strings: 1_000_000,
            max_read_part: 64 * 1024 * 1024,
            max_xls_area: 4_000_000,
            max_text_bytes: 16 * 1024 * 1024,
            max_time: Duration::from_secs(60),
            max_run_file_bytes: 128 * 1024 * 1024,
            max_run_parse_bytes: 384 * 1024 * 1024,
        }
    }
}

/// A cell's value as the file stores it. Numbers typed as text stay text here; see
/// [`parse_number`] for the lenient reading validation applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Empty,
    Number(f64),
    Text(String),
    Bool(bool),
    /// A date (or date-time) cell.
    DateTime(NaiveDateTime),
    /// An error value as the file shows it: `#DIV/0!`, `#REF!`, `#ДЕЛ/0!`, `Err:502`.
    Error(String),
    /// A formula whose result was never stored (written by a program that does not
    /// calculate): the value is unknown, not zero.
    FormulaNoValue,
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person would read it, for messages and identity keys.
    pub fn display(&self) -> String {
        match self {
            Value::Empty | Value::FormulaNoValue => String::new(),
            Value::Number(n) => crate::text::stored_number(*n),
            Value::Text(s) => s.clone(),
            Value::Bool(true) => "ИСТИНА".into(),
            Value::Bool(false) => "ЛОЖЬ".into(),
            Value::DateTime(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.format("%d.%m.%Y").to_string()
                } else {
                    d.format("%d.%m.%Y %H:%M").to_string()
                }
            }
            Value::Error(e) => e.clone(),
        }
    }
}

/// One cell read from a return, with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub sheet: String,
    /// 0-based.
    pub row: u32,
    /// 0-based.
    pub col: u32,
    /// «E14».
    pub a1: String,
    pub value: Value,
    /// The cell holds a formula (its cached value, if any, is in `value`).
    pub formula: bool,
    /// On [`crate::form::layout::FORM_SHEET`]: the code in the hidden column A of the row.
    pub row_code: Option<String>,
}

/// A table's entry area, found through its `PPT_<code>` name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableData {
    pub sheet: String,
    /// 0-based bounds of the entry area (inclusive).
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
    /// The hidden codes row ([`crate::form::layout::table_rows::CODES`]) over the area's
    /// columns; `None` where the cell is blank.
    pub column_codes: Vec<Option<String>>,
    /// Only rows with at least one non-blank cell, in sheet order.
    pub rows: Vec<TableRow>,
}

/// One non-blank row of a table: one cell per column of the area (blank ones as
/// [`Value::Empty`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// 0-based sheet row.
    pub row: u32,
    pub cells: Vec<Cell>,
}

/// Where a return says who it is from. Both are kept raw: cross-checking them (and the
/// identity check hash) is validation's job, which knows the registry and the campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IdentitySources {
    /// Key/value rows of the identity sheet (column A → column B); `None` when the sheet
    /// is missing.
    pub sheet: Option<BTreeMap<String, String>>,
    /// Custom document properties `profplan.<key>`, with the prefix removed; `None` when
    /// the file has none (legacy .xls loses them).
    pub properties: Option<BTreeMap<String, String>>,
}

/// Everything profplan needs from one returned file, before validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawReturn {
    pub path: PathBuf,
    /// How the file is named in messages (relative to the returns folder).
    pub display: String,
    pub format: Format,
    pub identity: IdentitySources,
    /// When the workbook says it was last saved (`dcterms:modified` / `dc:date`), as
    /// written: with a zone, without one, or ambiguous (see [`crate::clock`]).
    pub saved_at: Option<SavedTime>,
    /// Sheet names, in workbook order.
    pub sheets: Vec<String>,
    /// Single cells by field code (the `PP_` name without its prefix).
    pub cells: BTreeMap<String, Cell>,
    /// Second way to find a field: for every code in the hidden column A of the form
    /// sheet, the cell in the value column of that row. Lets validation read a field
    /// whose name was lost, and cross-check the ones that were not.
    pub row_codes: BTreeMap<String, Cell>,
    /// Tables by table code (the `PPT_` name without its prefix).
    pub tables: BTreeMap<String, TableData>,
    /// Structural problems found while reading (names broken, codes that disagree).
    pub notes: Vec<Finding>,
}

/// The saved time of a workbook from its `dcterms:modified` text and the application
/// that saved it (`docProps/app.xml`). LibreOffice (7.4 at least) writes its local wall
/// time into `dcterms:modified` and marks it `Z`: such a time is UTC or local, and the
/// reader cannot tell which.
pub(crate) fn saved_time(modified: Option<&str>, application: Option<&str>) -> Option<SavedTime> {
    let modified = modified?;
    let saved = parse_saved_time(modified)?;
    let by_libreoffice =
        application.is_some_and(|a| a.contains("LibreOffice") || a.contains("OpenOffice"));
    match saved {
        SavedTime::Instant(t) if by_libreoffice && modified.trim().ends_with('Z') => {
            Some(SavedTime::UtcOrWall(t.naive_utc()))
        }
        other => Some(other),
    }
}

/// The `profplan.*` custom properties (prefix removed; `None` when there are none) and the
/// saved time of a workbook's document properties. Properties are optional: a broken
/// docProps part (`None` here) must not cost the school its data.
fn identity_properties(
    p: Option<calamine::WorkbookProperties>,
) -> (Option<BTreeMap<String, String>>, Option<SavedTime>) {
    let Some(p) = p else { return (None, None) };
    let custom: BTreeMap<String, String> = p
        .custom_properties
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(crate::form::layout::PROPERTY_PREFIX).map(|k| (k.to_string(), v.clone()))
        })
        .collect();
    let saved = saved_time(p.modified.as_deref(), p.application.as_deref());
    ((!custom.is_empty()).then_some(custom), saved)
}

thread_local! {
    static IN_PARSER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread is inside a parser whose panics are caught and reported as
/// findings. The binary's panic hook stays quiet for those: the finding says it all.
pub fn in_parser() -> bool {
    IN_PARSER.with(|f| f.get())
}

/// Reads one file on its own, without a folder run's memory gate ([`folder::Gate`]): what
/// tests and tools use (`check` and `collect` read through [`folder::read_entry`]).
/// `display` names the file in messages. Never panics, never writes; every failure is a
/// [`Finding`] naming the file.
// A refusal is a finding, once per file: its size does not matter, boxing it would.
#[allow(clippy::result_large_err)]
pub fn read_file(path: &Path, display: &str, limits: &Limits) -> Result<RawReturn, Finding> {
    let bytes = read_bounded(path, display, limits)?;
    let mut raw = read_bytes(&bytes, display, limits)?;
    raw.path = path.to_path_buf();
    Ok(raw)
}

/// Reads a return already in memory (the fuzz target and tests use this directly).
/// `path` of the result is empty.
// A refusal is a finding, once per file: its size does not matter, boxing it would.
#[allow(clippy::result_large_err)]
pub fn read_bytes(bytes: &[u8], display: &str, limits: &Limits) -> Result<RawReturn, Finding> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big_file(display, bytes.len() as u64, limits));
    }
    caught(display, || read_inner(Sniffed::new(bytes, limits), display, limits))
}

/// [`read_bytes`] of a file already sniffed (a folder run sniffs it once, for the memory
/// gate and the reading); `sniffed` was made from at most [`Limits::max_file_bytes`].
// A refusal is a finding, once per file: its size does not matter, boxing it would.
#[allow(clippy::result_large_err)]
pub fn read_sniffed(
    sniffed: Sniffed<'_>,
    display: &str,
    limits: &Limits,
) -> Result<RawReturn, Finding> {
    if sniffed.bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big_file(display, sniffed.bytes.len() as u64, limits));
    }
    caught(display, || read_inner(sniffed, display, limits))
}

/// Runs a parser so that a panic in it becomes [`Code::FileParserFailed`] for this file
/// only, and a refusal a finding naming the file.
// A refusal is a finding, once per file: its size does not matter, boxing it would.
#[allow(clippy::result_large_err)]
fn caught(
    display: &str,
    parse: impl FnOnce() -> Result<RawReturn, Reject>,
) -> Result<RawReturn, Finding> {
    match guarded(parse) {
        Some(Ok(raw)) => Ok(raw),
        Some(Err(reject)) => Err(reject.into_finding(display)),
        None => Err(Finding::error(
            Code::FileParserFailed,
            display,
            "файл не удалось прочитать: он повреждён или сохранён нестандартной программой. \
             Откройте форму в Excel или LibreOffice, сохраните как «Книга Excel (.xlsx)» и \
             пришлите заново",
        )),
    }
}

/// What parsing `bytes` may cost in memory at most, before anything is inflated — what
/// admission control in [`crate::read::folder::read_folder`] reserves for the file.
/// ([`Sniffed::reading_cost`] on the file sniffed once.)
pub fn reading_cost(bytes: &[u8], limits: &Limits) -> u64 {
    Sniffed::new(bytes, limits).reading_cost(limits)
}

/// A file's bytes with their format sniffed and, for a zip container, its central
/// directory opened and checked against [`Limits`] — once per file: the memory gate's
/// estimate ([`Sniffed::reading_cost`]) and the reading ([`read_sniffed`]) share them.
pub struct Sniffed<'a> {
    bytes: &'a [u8],
    format: Format,
    /// For a zip workbook (xlsx, xlsm, ods): the archive and its parts, or why the
    /// directory checks refuse it (the file's finding when it is read).
    zip: Option<Result<(sniff::Zip<'a>, container::Parts), Reject>>,
}

impl<'a> Sniffed<'a> {
    /// Sniffs `bytes` and, for a zip workbook, checks its directory (nothing is inflated
    /// but the 46-byte `mimetype` of an ODF file).
    pub fn new(bytes: &'a [u8], limits: &Limits) -> Sniffed<'a> {
        let (format, zip) = sniff::sniff_open(bytes);
        let zip = match format {
            Format::Xlsx | Format::Xlsm | Format::Ods => Some(match zip {
                Some(mut zip) => {
                    container::check_opened(&mut zip, bytes, limits).map(|parts| (zip, parts))
                }
                // Not a readable archive: container::open says so in its words.
                None => container::open(bytes).and_then(|mut zip| {
                    container::check_opened(&mut zip, bytes, limits).map(|parts| (zip, parts))
                }),
            }),
            _ => None,
        };
        Sniffed { bytes, format, zip }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// What parsing the file may cost in memory at most, before anything is inflated.
    ///
    /// For a zip (xlsx, ods): the parsers stream each part they read, so they hold at
    /// most the largest XML token of a part, the values kept from the wanted cells (each
    /// no larger than the XML it came from, plus a record per cell) and the text copies
    /// bounded by [`Limits::max_text_bytes`]. Eight times the declared size of the XML
    /// parts (capped at [`Limits::max_read_part`] each: a larger part we read is refused)
    /// plus the text bound covers that. A legacy .xls is parsed whole by calamine into
    /// grids bounded by [`Limits::max_xls_area`]: a fixed 128 MB. Anything else is not
    /// parsed.
    pub fn reading_cost(&self, limits: &Limits) -> u64 {
        const MB: u64 = 1024 * 1024;
        match (&self.zip, self.format) {
            (Some(Ok((_, parts))), _) => parts
                .xml_bytes
                .saturating_mul(8)
                .saturating_add(limits.max_text_bytes)
                .saturating_add(8 * MB),
            // A container the directory checks refuse is never parsed: it costs nothing
            // here, and reading gives its own reason (a bomb, twin parts…).
            (Some(Err(_)), _) => MB,
            (None, Format::Xls) => 128 * MB,
            (None, _) => MB,
        }
    }
}

/// Why [`open_regular`] did not give a file.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// A FIFO, socket or device: what it is, in Russian.
    NotFile(String),
    Io(std::io::Error),
}

/// Opens a path for reading only if it is a regular file. On Unix the open itself does
/// not block (`O_NONBLOCK`: opening a FIFO without a writer would wait forever), and the
/// type is checked on the opened handle, so a file swapped for a FIFO or a device after
/// the folder was listed is still refused without being read.
pub(crate) fn open_regular(path: &Path) -> Result<std::fs::File, OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() {
        return Err(OpenError::NotFile(scan::special_kind(&meta.file_type())));
    }
    Ok(file)
}

/// The finding for a path that is not a regular file (`what` from [`open_regular`]).
pub fn not_a_file(display: &str, what: &str) -> Finding {
    Finding::error(
        Code::FileNotRegular,
        display,
        format!(
            "это не файл, а {what}: profplan его не открывает. Уберите его из папки отчётов \
             и положите туда файл формы"
        ),
    )
}

/// Reads a file's bytes, refusing files over the size limit without reading them, and
/// anything that is not a regular file without opening it for reading.
// A refusal is a finding, once per file: its size does not matter, boxing it would.
#[allow(clippy::result_large_err)]
pub fn read_bounded(path: &Path, display: &str, limits: &Limits) -> Result<Vec<u8>, Finding> {
    let unreadable = |e: std::io::Error| {
        Finding::error(
            Code::FileUnreadable,
            display,
            format!(
                "файл не удалось открыть для чтения ({}): проверьте права доступа",
                crate::oserror::describe(&e)
            ),
        )
    };
    let file = match open_regular(path) {
        Ok(f) => f,
        Err(OpenError::NotFile(what)) => return Err(not_a_file(display, &what)),
        Err(OpenError::Io(e)) => return Err(unreadable(e)),
    };
    let len = file.metadata().map_err(unreadable)?.len();
    if len > limits.max_file_bytes {
        return Err(too_big_file(display, len, limits));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // take(): the file may grow while we read it.
    file.take(limits.max_file_bytes + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big_file(display, bytes.len() as u64, limits));
    }
    Ok(bytes)
}

fn too_big_file(display: &str, len: u64, limits: &Limits) -> Finding {
    Finding::error(
        Code::FileTooLarge,
        display,
        format!(
            "файл слишком большой ({} МБ, допускается не более {} МБ): форма столько весить не \
             может — пришлите заполненную форму без лишних листов и вложений",
            len / (1024 * 1024),
            limits.max_file_bytes / (1024 * 1024)
        ),
    )
}

fn read_inner(sniffed: Sniffed<'_>, display: &str, limits: &Limits) -> Result<RawReturn, Reject> {
    let Sniffed { bytes, format, zip } = sniffed;
    let mut budget = Budget::new(limits);
    let (opened, mut backend): (Opened, Box<dyn Backend + '_>) = match (format, zip) {
        (Format::Xlsx | Format::Xlsm, Some(zip)) => {
            let (zip, parts) = zip?;
            let (o, b) = xlsx::open(zip, bytes, parts, limits, &mut budget)?;
            (o, Box::new(b))
        }
        (Format::Ods, Some(zip)) => {
            let (zip, _) = zip?;
            let (o, b) = ods::open(zip, limits)?;
            (o, Box::new(b))
        }
        (Format::Xls, _) => {
            let (o, b) = xls::open(bytes, limits)?;
            (o, Box::new(b))
        }
        (other, _) => return Err(Reject::new(other.code(), other.message())),
    };
    let mut raw = assemble::assemble(opened, backend.as_mut(), &mut budget, display)?;
    raw.format = format;
    Ok(raw)
}

/// Why a workbook that is not a return could not be opened safely.
#[derive(Debug, thiserror::Error)]
pub enum NotOpened {
    /// Refused by the container checks, before anything was inflated: the reason.
    #[error("{0}")]
    Refused(String),
    /// calamine could not open it: its words.
    #[error("книга не читается: {0}")]
    Unreadable(String),
}

/// Opens an .xlsx workbook that is not a return (the school registry, a previous or a
/// district summary) within the same bounds as returns: the zip directory (entry count,
/// declared sizes, compression ratio, overlapping and duplicate parts) and the declared
/// shared-string count are checked before calamine allocates anything. Read its cells
/// inside [`guarded`]: calamine may still panic on a malformed sheet.
pub fn open_bounded_xlsx<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<calamine::Xlsx<std::io::Cursor<&'a [u8]>>, NotOpened> {
    container::check_zip(bytes, limits).map_err(|r| NotOpened::Refused(r.what))?;
    xlsx::precheck_shared_strings(bytes, limits).map_err(|r| NotOpened::Refused(r.what))?;
    calamine::Reader::new(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| NotOpened::Unreadable(e.to_string()))
}

/// [`open_bounded_xlsx`] over a file, read from it as needed instead of loaded whole (a
/// summary read back is 146 MB at 40 000 schools): the same checks, the same refusals.
pub fn open_bounded_xlsx_file(
    file: std::fs::File,
    limits: &Limits,
) -> Result<calamine::Xlsx<std::io::BufReader<std::fs::File>>, NotOpened> {
    let reader = std::io::BufReader::new(file);
    let (mut zip, _) =
        container::check_reader(reader, limits).map_err(|r| NotOpened::Refused(r.what))?;
    xlsx::precheck_shared_strings_in(&mut zip, limits).map_err(|r| NotOpened::Refused(r.what))?;
    let mut reader = zip.into_inner();
    std::io::Seek::rewind(&mut reader).map_err(|e| NotOpened::Unreadable(e.to_string()))?;
    calamine::Reader::new(reader)
        .map_err(|e: calamine::XlsxError| NotOpened::Unreadable(e.to_string()))
}

/// Runs a parser over a file a user named so that a panic in it is caught (`None`), not
/// the end of the run; the binary's panic hook stays quiet for it ([`in_parser`]). Returns
/// are read this way, and so are previous and district summaries.
pub fn guarded<T>(parse: impl FnOnce() -> T) -> Option<T> {
    // AssertUnwindSafe: nothing borrowed across the boundary is used after a panic.
    IN_PARSER.with(|f| f.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    IN_PARSER.with(|f| f.set(false));
    outcome.ok()
}

/// Why a file is refused, before the display name is attached.
#[derive(Debug, Clone)]
pub(crate) struct Reject {
    pub code: Code,
    /// The message for the school's file, with what to do.
    pub message: String,
    /// What is wrong, in a few words: for files that are not returns, where the advice
    /// of [`Reject::message`] does not fit.
    pub what: String,
}

impl Reject {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Reject {
        let message = message.into();
        Reject { code, what: message.clone(), message }
    }

    /// The same refusal, with `what` as its short reason.
    pub(crate) fn because(mut self, what: impl std::fmt::Display) -> Reject {
        self.what = what.to_string();
        self
    }

    /// A damaged file; `detail` is the parser's own words, kept for the methodologist.
    pub(crate) fn damaged(detail: impl std::fmt::Display) -> Reject {
        let short = format!("файл повреждён ({detail})");
        Reject::new(
            Code::FileDamaged,
            format!(
                "файл повреждён и не читается ({detail}). Откройте форму в Excel или \
                 LibreOffice; если она открывается — сохраните её как «Книга Excel (.xlsx)» \
                 и пришлите заново, иначе заполните форму повторно"
            ),
        )
        .because(short)
    }

    pub(crate) fn too_large(what: impl std::fmt::Display) -> Reject {
        let short = what.to_string();
        Reject::new(
            Code::FileTooLarge,
            format!(
                "файл отклонён: {what}. Так не выглядит ни одна заполненная форма — возможно, \
                 файл повреждён или подменён. Пришлите исходную форму, заполненную заново"
            ),
        )
        .because(short)
    }

    fn into_finding(self, display: &str) -> Finding {
        Finding::error(self.code, display, self.message)
    }
}

/// What a backend learns when it opens a workbook, before any cell is read.
#[derive(Debug, Default)]
pub(crate) struct Opened {
    pub sheets: Vec<String>,
    /// Defined names as `(name, reference text)`, in the file's syntax.
    pub names: Vec<(String, String)>,
    pub properties: Option<BTreeMap<String, String>>,
    pub saved_at: Option<SavedTime>,
}

/// A stored cell: value and whether it is a formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredCell {
    pub value: Value,
    pub formula: bool,
}

/// Cells wanted from one sheet: rectangles, 0-based inclusive.
#[derive(Debug, Default, Clone)]
pub(crate) struct Want {
    pub rects: Vec<Rect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub r1: u32,
    pub c1: u32,
    pub r2: u32,
    pub c2: u32,
}

impl Want {
    pub fn add(&mut self, r1: u32, c1: u32, r2: u32, c2: u32) {
        self.rects.push(Rect { r1, c1, r2, c2 });
    }
    pub fn contains(&self, r: u32, c: u32) -> bool {
        self.rects.iter().any(|x| r >= x.r1 && r <= x.r2 && c >= x.c1 && c <= x.c2)
    }
    /// Largest row any rectangle reaches (lets streaming stop early).
    pub fn max_row(&self) -> u32 {
        self.rects.iter().map(|x| x.r2).max().unwrap_or(0)
    }
}

/// The wanted cells read from one sheet, by 0-based (row, column).
pub(crate) type Grid = HashMap<(u32, u32), StoredCell>;

/// A format's way to stream the cells of one sheet. Only wanted cells are kept, so memory
/// is bounded by what the form needs, whatever the sheet's extent.
pub(crate) trait Backend {
    fn read_cells(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
    ) -> Result<HashMap<(u32, u32), StoredCell>, Reject>;

    /// Every wanted sheet. A backend that shares work between sheets (the xlsx shared
    /// strings) reads them together.
    fn read_sheets(
        &mut self,
        wants: &BTreeMap<String, Want>,
        budget: &mut Budget,
    ) -> Result<HashMap<String, Grid>, Reject> {
        let mut out = HashMap::default();
        for (sheet, want) in wants {
            out.insert(sheet.clone(), self.read_cells(sheet, want, budget)?);
        }
        Ok(out)
    }

    /// Structural notes found while reading (without the file name).
    fn take_notes(&mut self) -> Vec<Finding> {
        Vec::new()
    }
}

/// Cells and time left for one file.
pub(crate) struct Budget {
    cells_left: u64,
    max_cells: u64,
    deadline: Instant,
    ticks: u32,
    /// Bytes of text kept: one huge shared string referenced by many wanted cells must
    /// not multiply in memory.
    text_left: u64,
}

impl Budget {
    pub fn new(limits: &Limits) -> Budget {
        Budget {
            cells_left: limits.max_cells,
            max_cells: limits.max_cells,
            deadline: Instant::now() + limits.max_time,
            ticks: 0,
            text_left: limits.max_text_bytes,
        }
    }

    /// Accounts for a value about to be kept.
    pub fn keep_text(&mut self, value: &Value) -> Result<(), Reject> {
        let len = match value {
            Value::Text(s) | Value::Error(s) => s.len() as u64,
            _ => 0,
        };
        if len > self.text_left {
            return Err(Reject::too_large("в ячейках формы слишком много текста"));
        }
        self.text_left -= len;
        Ok(())
    }

    /// Called for each XML event or other unit of work that is not a cell: only the
    /// clock is watched, so every repeated structure of a file (names, styles, strings)
    /// is covered by the file's time budget.
    pub fn step(&mut self) -> Result<(), Reject> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(4096) && Instant::now() > self.deadline {
            return Err(timeout());
        }
        Ok(())
    }

    /// Called for each cell (or repeated run of cells) visited.
    pub fn tick(&mut self) -> Result<(), Reject> {
        if self.cells_left == 0 {
            return Err(Reject::too_large(format!(
                "в листах больше {} заполненных ячеек",
                self.max_cells
            )));
        }
        self.cells_left -= 1;
        self.ticks = self.ticks.wrapping_add(1);
        // Instant::now() is cheap but not free: look at the clock every 4096 cells.
        if self.ticks.is_multiple_of(4096) && Instant::now() > self.deadline {
            return Err(timeout());
        }
        Ok(())
    }
}

fn timeout() -> Reject {
    Reject::new(
        Code::FileTimeout,
        "файл читается слишком долго и отклонён: пересохраните форму в Excel или \
         LibreOffice как «Книга Excel (.xlsx)» и пришлите заново",
    )
}

/// Excel serial date → date-time (1900 system, or 1904 when the workbook says so).
pub(crate) fn serial_to_datetime(serial: f64, is_1904: bool) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let base = if is_1904 {
        chrono::NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else {
        // 1899-12-30 absorbs Excel's fictitious 29.02.1900 for every date after it.
        chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let days = serial.floor();
    let secs = ((serial - days) * 86_400.0).round() as i64;
    base.and_hms_opt(0, 0, 0)?
        .checked_add_signed(chrono::Duration::days(days as i64))?
        .checked_add_signed(chrono::Duration::seconds(secs))
}

/// `2025-12-20T10:00:00Z`, `2025-12-20T10:00:00+03:00` (instants);
/// `2025-12-20T10:00:00.123456789` (LibreOffice's .ods: no zone, the wall time of the
/// computer that saved it). Fractions of a second are dropped: times are shown and
/// compared to the second.
pub(crate) fn parse_saved_time(text: &str) -> Option<SavedTime> {
    use chrono::Timelike;
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(SavedTime::Instant(d.with_timezone(&Utc).with_nanosecond(0)?));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(SavedTime::Wall(d.with_nanosecond(0)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates() {
        let d = serial_to_datetime(46011.5, false).unwrap();
        assert_eq!(d.to_string(), "2025-12-20 12:00:00");
        assert!(serial_to_datetime(f64::NAN, false).is_none());
        assert!(serial_to_datetime(1e300, false).is_none());
    }

    #[test]
    fn saved_times() {
        let at = |s: &str| match parse_saved_time(s) {
            Some(SavedTime::Instant(t)) => t.to_rfc3339(),
            other => panic!("{other:?}"),
        };
        assert_eq!(at("2025-12-20T10:00:00Z"), "2025-12-20T10:00:00+00:00");
        assert_eq!(at("2025-12-20T13:00:00+03:00"), "2025-12-20T10:00:00+00:00");
        assert_eq!(
            parse_saved_time("2025-12-20T10:00:00.123456789"),
            Some(SavedTime::Wall(
                chrono::NaiveDate::from_ymd_opt(2025, 12, 20)
                    .unwrap()
                    .and_hms_opt(10, 0, 0)
                    .unwrap()
            ))
        );
        assert!(parse_saved_time("вчера").is_none());
    }

    /// No known file makes our parsers panic (the reversed `<dimension>` that made
    /// calamine's debug build panic is read as an empty sheet now), so the catching is
    /// tested with a parser that panics.
    #[test]
    fn parser_panic_becomes_file_parser_failed() {
        let f = caught("returns/07.xlsx", || panic!("a parser bug")).unwrap_err();
        assert_eq!(f.code, Code::FileParserFailed);
        assert_eq!(f.file, "returns/07.xlsx");
        assert!(f.message.contains("сохраните как «Книга Excel (.xlsx)»"), "{}", f.message);
        assert!(!in_parser(), "the flag for the quiet panic hook is reset");
        // A refusal keeps its own code and gets the file's name.
        let f = caught("x.xlsx", || Err(Reject::damaged("тест"))).unwrap_err();
        assert_eq!((f.code, f.file.as_str()), (Code::FileDamaged, "x.xlsx"));
    }

    #[test]
    fn numbers_display_without_fraction() {
        assert_eq!(Value::Number(1.0).display(), "1");
        assert_eq!(Value::Number(12.5).display(), "12.5");
    }
}
