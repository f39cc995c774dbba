//! `--compare`: reading a previous profplan summary back and showing what changed.
//!
//! The previous summary is read from its «Данные» sheet only (format in [`super::data`]):
//! per-school values are the ground truth, and district figures are recomputed from them
//! with the current plan's definitions — shares as Σ numerators / Σ denominators — rather
//! than read from «Свод по району», whose layout is for people and may change.
//!
//! It is our own file, but the user names it and it could be anything: it is opened by the
//! read stage's safe opener ([`crate::read::open_bounded_xlsx`]: file size, the zip's
//! directory and the shared-string count checked before anything is inflated), the sheet
//! is read with calamine's streaming cell reader (memory independent of the sheet's
//! claimed dimension), the number of cells is capped, and everything runs inside
//! [`crate::read::guarded`]: a parser panic becomes an error instead of the end of the run.

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

use anyhow::bail;
use calamine::{DataRef, Reader, Xlsx};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::data::{COL_CODE, COL_ROW, COL_SCHOOL, COL_SCHOOL_ID, COL_VALUE};
use super::previous::{Builder, Data, Value};
use super::style::Styles;
use super::*;
use crate::plan::expr::{Formula, Term};
use crate::plan::{Kind, Share};

/// Larger files are not summaries: the summary of 10 000 schools is ~42 MB (BENCHMARKS.md),
/// so this leaves room for a national one (~40 000 schools, ~170 MB).
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Bounds on the unpacked zip: total and per entry (declared sizes; the zip crate stops an
/// entry at its declared size, so a lying header cannot get past them). A full «Данные»
/// sheet (1 048 576 rows) is ~470 MB of XML; the sheets are streamed, never held whole.
const MAX_UNPACKED_TOTAL: u64 = 4 * 1024 * 1024 * 1024;
const MAX_UNPACKED_ENTRY: u64 = 1024 * 1024 * 1024;
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Cells of the «Данные» sheets read at most (~46 rows × 12 cells a school: 40 000
/// schools are ~22 M cells).
const MAX_CELLS: u64 = 60_000_000;
/// The header row is looked for in the first rows only.
const HEADER_SEARCH_ROWS: u32 = 20;

/// A previous summary, as read from its «Данные» sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    /// The file name, for the summary's notes.
    pub file: String,
    /// Campaign id of the previous summary (`2025-12-20`), from its document properties.
    pub campaign: Option<String>,
    pub campaign_title: Option<String>,
    /// Date the previous summary was made.
    pub generated: Option<String>,
    /// Plan id and version the summary was made with, from its document properties.
    pub plan_id: Option<String>,
    pub plan_version: Option<String>,
    /// Every `profplan.*` document property, as written (the district, the counts of
    /// schools, the data check: see [`super::PROP_DATA_CHECK`]).
    pub properties: BTreeMap<String, String>,
    /// The check of «Данные» recomputed from what was read (compare with the
    /// `profplan.data_check` property to find a summary edited by hand).
    pub data_check: String,
    /// The rows of its «Данные».
    pub rows: Data,
}

/// What a line of «Свод по району» shows, to find the same figure in a previous summary.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'a> {
    /// Σ of a numeric field.
    Sum(&'a str),
    /// Σ numerators / Σ denominators, in percent.
    Share(&'a Share),
    /// Schools answering «да».
    Yes(&'a str),
    /// Schools answering «да», in percent of those answering.
    YesShare(&'a str),
    /// Schools with this choice.
    Choice(&'a str, &'a str),
    /// Schools that filled a text or date field.
    Filled(&'a str),
    /// Rows of a detail table.
    TableRows(&'a str),
    /// Σ of a table column: table code, column code.
    TableSum(&'a str, &'a str),
}

impl Key<'_> {
    /// Percentages compare in percentage points, everything else as counts.
    pub(crate) fn measure(&self) -> Measure {
        match self {
            Key::Share(_) | Key::YesShare(_) => Measure::Percent,
            _ => Measure::Count,
        }
    }
}

/// How a change is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Counts and sums: a change by a factor.
    Count,
    /// Percentages: a change in percentage points.
    Percent,
}

/// Why a change from `prev` to `cur` deserves a second look, if it does: a share moving by
/// more than 30 percentage points, or a count growing or shrinking threefold (by at least
/// 10, so that 1 → 3 in a small school is not an alarm).
pub fn implausible(measure: Measure, prev: f64, cur: f64) -> Option<&'static str> {
    const PP: f64 = 30.0;
    const FACTOR: f64 = 3.0;
    const MIN_DELTA: f64 = 10.0;
    match measure {
        Measure::Percent => ((cur - prev).abs() > PP).then_some("изменение больше 30 п.п."),
        Measure::Count => {
            if (cur - prev).abs() < MIN_DELTA {
                None
            } else if prev <= 0.0 {
                Some("было 0")
            } else if cur >= prev * FACTOR {
                Some("рост более чем в 3 раза")
            } else if cur * FACTOR <= prev {
                Some("снижение более чем в 3 раза")
            } else {
                None
            }
        }
    }
}

/// The direction of a change as a head reads it at a glance: «▲ рост», «▼ снижение»,
/// «= без изменений». Shares compare in percentage points, counts as counts.
pub fn trend(was: f64, now: f64) -> &'static str {
    // Two sums of the same whole numbers are exactly equal; the margin only absorbs the
    // last bit of a recomputed percentage.
    const EPS: f64 = 1e-9;
    if now - was > EPS {
        "▲ рост"
    } else if was - now > EPS {
        "▼ снижение"
    } else {
        "= без изменений"
    }
}

impl Previous {
    /// Whether this is the summary of the same campaign of `c`'s previous school year
    /// (same plan, same campaign of the plan, one year earlier): the year-over-year view.
    pub fn is_year_before(&self, c: &crate::plan::campaign::Campaign) -> bool {
        let Some(d) = self.campaign.as_deref().and_then(crate::plan::campaign::parse_date) else {
            return false;
        };
        self.plan_id.as_deref() == Some(c.plan.id.as_str())
            && c.academic_year().prev().date(c.def.month, c.def.day) == Some(d)
    }

    /// The header of the «was» column: «Прошлый год (2024/25)» for the same campaign a year
    /// before, «Было (предыдущий свод)» for any other summary.
    pub(crate) fn was_header(&self, c: &crate::plan::campaign::Campaign) -> String {
        if self.is_year_before(c) {
            format!("Прошлый год ({})", c.academic_year().prev())
        } else {
            "Было (предыдущий свод)".to_string()
        }
    }

    /// The line under the title naming what the summary is compared with.
    pub(crate) fn compared_with(&self, c: &crate::plan::campaign::Campaign) -> String {
        if self.is_year_before(c) {
            format!(
                "Сравнение с тем же периодом прошлого учебного года ({}): {}. ▲ — рост, \
                 ▼ — снижение, = — без изменений.",
                c.academic_year().prev(),
                self.describe()
            )
        } else {
            format!(
                "Сравнение с предыдущим сводом: {}. ▲ — рост, ▼ — снижение, = — без изменений.",
                self.describe()
            )
        }
    }

    pub fn num(&self, school: &str, code: &str) -> Option<f64> {
        self.rows.value(school, code)?.num()
    }

    pub fn text(&self, school: &str, code: &str) -> Option<&str> {
        self.rows.value(school, code)?.text()
    }

    /// Numerator and denominator of a share for one school, when every term is there.
    pub fn school_share(&self, share: &Share, school: &str) -> Option<(f64, f64)> {
        let side = |e: &Formula| {
            e.value_if_filled(|term| match term {
                Term::Field(c) => self.num(school, c),
                _ => None,
            })
        };
        Some((side(&share.numerator)?, side(&share.denominator)?))
    }

    /// «Промежуточный отчёт за I полугодие (2025-12-20), файл svod-dec.xlsx».
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(t) = &self.campaign_title {
            s.push_str(&format!("«{t}»"));
        }
        if let Some(c) = &self.campaign {
            let date = crate::plan::campaign::parse_date(c).map(super::ru).unwrap_or(c.clone());
            s.push_str(&format!(" (срок {date})"));
        }
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!("файл {}", self.file));
        if let Some(g) = &self.generated {
            let date = crate::plan::campaign::parse_date(g).map(super::ru).unwrap_or(g.clone());
            s.push_str(&format!(", свод от {date}"));
        }
        s
    }

    /// A figure of one school, in the units of `Key::measure`.
    pub(crate) fn school_value(&self, key: &Key, school: &str) -> Option<f64> {
        match key {
            Key::Sum(code) => self.num(school, code),
            Key::Share(sh) => {
                self.school_share(sh, school).and_then(|(n, d)| (d > 0.0).then(|| n * 100.0 / d))
            }
            Key::TableSum(t, c) => self.rows.table_sum(school, &format!("{t}.{c}")),
            Key::TableRows(t) => self.rows.table_rows(school, t).map(|n| n as f64),
            _ => None,
        }
    }

    /// The district figure of the previous summary; None when it did not have it at all.
    pub(crate) fn district(&self, key: &Key) -> Option<f64> {
        let with = |code: &str| -> Vec<Value> {
            self.rows.schools().filter_map(|(s, _)| self.rows.value(s, code)).collect()
        };
        match key {
            Key::Sum(code) => {
                let v: Vec<f64> = with(code).iter().filter_map(Value::num).collect();
                (!v.is_empty()).then(|| v.iter().sum())
            }
            Key::Share(sh) => {
                let (mut n, mut d, mut any) = (0.0, 0.0, false);
                for (s, _) in self.rows.schools() {
                    if let Some((a, b)) = self.school_share(sh, s) {
                        n += a;
                        d += b;
                        any = true;
                    }
                }
                (any && d > 0.0).then(|| n * 100.0 / d)
            }
            Key::Yes(code) => {
                let v = with(code);
                (!v.is_empty()).then(|| v.iter().filter(|x| x.text() == Some("да")).count() as f64)
            }
            Key::YesShare(code) => {
                let v = with(code);
                let answered = v.iter().filter(|x| matches!(x.text(), Some("да" | "нет"))).count();
                let yes = v.iter().filter(|x| x.text() == Some("да")).count();
                (answered > 0).then(|| yes as f64 * 100.0 / answered as f64)
            }
            Key::Choice(code, choice) => {
                let v = with(code);
                (!v.is_empty())
                    .then(|| v.iter().filter(|x| x.text() == Some(*choice)).count() as f64)
            }
            Key::Filled(code) => {
                let n = with(code).len();
                (n > 0).then_some(n as f64)
            }
            Key::TableRows(t) => {
                let n = self.rows.table_rows_total(t);
                (n > 0).then_some(n as f64)
            }
            Key::TableSum(t, c) => self.rows.table_sum_total(&format!("{t}.{c}")),
        }
    }
}

/// How much of a summary to read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// Its document properties only (plan, campaign, district, date): enough to tell
    /// whether it is the summary looked for, without parsing its «Данные».
    Head,
    Whole,
}

/// Read a previous profplan summary for `--compare`.
pub fn read_previous(path: &Path) -> anyhow::Result<Previous> {
    read_path(path, Depth::Whole)
}

/// A summary's document properties only (`data` empty): what the searches for earlier
/// campaigns' and last year's summaries look at first, so that a summary of another
/// campaign in the folder (this campaign's own, most often) is not parsed whole.
pub fn read_previous_head(path: &Path) -> anyhow::Result<Previous> {
    read_path(path, Depth::Head)
}

fn read_path(path: &Path, depth: Depth) -> anyhow::Result<Previous> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        anyhow::anyhow!("{name}: файл не найден или не читается ({})", crate::oserror::describe(&e))
    })?;
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "{name}: файл слишком большой ({} МБ) для сводного отчёта profplan",
            meta.len() / (1024 * 1024)
        );
    }
    let file = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or(name.clone());
    let unreadable = |e: std::io::Error| {
        anyhow::anyhow!("{name}: не удалось прочитать ({})", crate::oserror::describe(&e))
    };
    // The head of a summary is a few small parts; the summary itself is 36 MB at 10 000
    // schools, 146 MB at 40 000, and `collect` looks at the head of every workbook in the
    // folder of its output (last year's summary is found that way). The whole of it is
    // read from the file as the reader goes, not loaded.
    let read = match depth {
        Depth::Head => match head_copy(path) {
            Some(bytes) => read_summary(&bytes, depth),
            None => read_summary(&std::fs::read(path).map_err(unreadable)?, depth),
        },
        Depth::Whole => read_summary_file(std::fs::File::open(path).map_err(unreadable)?),
    };
    let mut prev = read.map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
    prev.file = file;
    Ok(prev)
}

/// The parts of a summary [`Depth::Head`] reads, copied (still compressed, as they are)
/// into a small archive in memory: every part but the sheets, the shared strings and the
/// drawings, which hold all of a summary's bulk. Read from the file, not loaded whole.
/// `None` when the file is not a zip that opens, or has more parts than a summary may:
/// it is then read whole, as any file, so that it is refused with the same message.
fn head_copy(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return None;
    }
    let bulk = |name: &str| {
        ["xl/worksheets/", "xl/drawings/", "xl/charts/", "xl/media/"]
            .iter()
            .any(|p| name.starts_with(p))
            || name == "xl/sharedStrings.xml"
    };
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).ok()?;
        if !bulk(part.name()) {
            out.raw_copy_file(part).ok()?;
        }
    }
    Some(out.finish().ok()?.into_inner())
}

/// Read a previous summary from memory; `name` names it in messages.
pub fn read_previous_bytes(bytes: &[u8], name: &str) -> anyhow::Result<Previous> {
    let mut prev = read_summary_bytes(bytes).map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
    prev.file = name.to_string();
    Ok(prev)
}

/// The bounds of a summary: those of a return, with room for a large district's
/// «Данные» (a summary is larger than any one school's form).
fn summary_limits() -> crate::read::Limits {
    crate::read::Limits {
        max_file_bytes: MAX_FILE_BYTES,
        max_zip_entries: MAX_ZIP_ENTRIES,
        max_total_uncompressed: MAX_UNPACKED_TOTAL,
        max_entry_uncompressed: MAX_UNPACKED_ENTRY,
        max_read_part: MAX_UNPACKED_ENTRY,
        ..crate::read::Limits::default()
    }
}

/// Read a profplan summary from memory, as carefully as a school's return (the `read`
/// stage's bounded zip and a caught parser panic). Errors say in Russian what the file is
/// instead (never a parser's English text) and do not name the file: the caller does.
pub fn read_summary_bytes(bytes: &[u8]) -> anyhow::Result<Previous> {
    read_summary(bytes, Depth::Whole)
}

fn read_summary(bytes: &[u8], depth: Depth) -> anyhow::Result<Previous> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        bail!("файл слишком большой для сводного отчёта profplan");
    }
    refuse_other(bytes, || is_word_document(bytes))?;
    opened(|| crate::read::open_bounded_xlsx(bytes, &summary_limits()), depth)
}

/// [`read_summary`] of the whole of a file whose size was checked, read as the reader
/// goes.
fn read_summary_file(mut file: std::fs::File) -> anyhow::Result<Previous> {
    use std::io::Read;
    if file.metadata().is_ok_and(|m| m.len() > MAX_FILE_BYTES) {
        bail!("файл слишком большой для сводного отчёта profplan");
    }
    let mut head = Vec::with_capacity(4);
    if (&mut file).take(4).read_to_end(&mut head).is_err() {
        bail!("файл не читается");
    }
    refuse_other(&head, || {
        file.try_clone().is_ok_and(|f| {
            zip::ZipArchive::new(std::io::BufReader::new(f))
                .is_ok_and(|z| z.file_names().any(|n| n == "word/document.xml"))
        })
    })?;
    opened(|| crate::read::open_bounded_xlsx_file(file, &summary_limits()), Depth::Whole)
}

/// Refuses a file that is not a workbook (by its first bytes) or is a Word document.
fn refuse_other(head: &[u8], is_word: impl FnOnce() -> bool) -> anyhow::Result<()> {
    if !head.starts_with(b"PK\x03\x04") {
        bail!("это не книга .xlsx, а нужен сводный отчёт profplan (.xlsx)");
    }
    if is_word() {
        bail!("это документ Word (.docx), а нужен сводный отчёт profplan (.xlsx)");
    }
    Ok(())
}

/// Opens a summary's workbook with the read stage's bounds and parses it, a parser panic
/// caught.
fn opened<RS: Read + Seek>(
    open: impl FnOnce() -> Result<Xlsx<RS>, crate::read::NotOpened>,
    depth: Depth,
) -> anyhow::Result<Previous> {
    let parsed = crate::read::guarded(|| -> anyhow::Result<Previous> {
        let wb = match open() {
            Ok(wb) => wb,
            Err(crate::read::NotOpened::Refused(why)) => {
                bail!("файл повреждён или не является книгой .xlsx: {why}")
            }
            Err(_) => bail!("книга Excel не читается"),
        };
        parse(wb, depth)
    });
    match parsed {
        Some(r) => r,
        None => bail!("файл повреждён, прочитать его не удалось"),
    }
}

/// A zip holding `word/document.xml`: a Word document (a district's «Аналитическая
/// справка» sent along with its summary, most often).
pub fn is_word_document(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .is_ok_and(|z| z.file_names().any(|n| n == "word/document.xml"))
}

/// Column positions of «Данные», found by header text.
struct Columns {
    school_id: u32,
    school: Option<u32>,
    code: u32,
    row: Option<u32>,
    value: u32,
}

impl Columns {
    fn find(header: &BTreeMap<u32, String>) -> Option<Columns> {
        let col = |name: &str| header.iter().find(|(_, v)| v.trim() == name).map(|(c, _)| *c);
        Some(Columns {
            school_id: col(COL_SCHOOL_ID)?,
            school: col(COL_SCHOOL),
            code: col(COL_CODE)?,
            row: col(COL_ROW),
            value: col(COL_VALUE)?,
        })
    }
}

fn parse<RS: Read + Seek>(mut wb: Xlsx<RS>, depth: Depth) -> anyhow::Result<Previous> {
    let mut prev = Previous::default();
    if let Ok(props) = wb.workbook_properties() {
        let p = &props.custom_properties;
        if p.get(super::PROP_KIND).is_some_and(|k| k != super::SUMMARY_MARKER) {
            bail!("это не сводный отчёт profplan");
        }
        prev.campaign = p.get(super::PROP_CAMPAIGN).cloned();
        prev.campaign_title = p.get(super::PROP_CAMPAIGN_TITLE).cloned();
        prev.generated = p.get(super::PROP_GENERATED).cloned();
        prev.plan_id = p.get(super::PROP_PLAN_ID).cloned();
        prev.plan_version = p.get(super::PROP_PLAN_VERSION).cloned();
        prev.properties = p
            .iter()
            .filter(|(k, _)| k.starts_with("profplan."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
    if !wb.sheet_names().iter().any(|s| s == SHEET_DATA) {
        bail!("в книге нет листа «{SHEET_DATA}»: это не сводный отчёт profplan");
    }
    if depth == Depth::Head {
        return Ok(prev);
    }
    // A long table past Excel's row limit goes on in «Данные 2», … (see `super::data`):
    // together they are one table.
    let sheets = super::data::sheets_of(&wb.sheet_names());
    let mut rows = Builder::default();
    let mut count = 0;
    for sheet in &sheets {
        read_data(&mut wb, sheet, &mut rows, &mut count)?;
    }
    prev.rows = rows.finish();
    prev.data_check = prev.rows.check();
    Ok(prev)
}

fn read_data<RS: Read + Seek>(
    wb: &mut Xlsx<RS>,
    sheet: &str,
    rows: &mut Builder,
    count: &mut u64,
) -> anyhow::Result<()> {
    let mut cells = wb
        .worksheet_cells_reader(sheet)
        .map_err(|_| anyhow::anyhow!("лист «{sheet}» не читается"))?;
    let mut cols: Option<Columns> = None;
    let mut row_no: Option<u32> = None;
    let mut row: BTreeMap<u32, CellVal> = BTreeMap::new();
    loop {
        let next = cells.next_cell().map_err(|_| anyhow::anyhow!("лист «{sheet}» повреждён"))?;
        let pos = next.as_ref().map(|c| c.get_position().0);
        if pos != row_no {
            // The previous row is complete: rows arrive in order.
            if let Some(r) = row_no {
                match &cols {
                    None if r < HEADER_SEARCH_ROWS => {
                        let header: BTreeMap<u32, String> = row
                            .iter()
                            .filter_map(|(c, v)| match v {
                                CellVal::Text(s) => Some((*c, s.clone())),
                                _ => None,
                            })
                            .collect();
                        cols = Columns::find(&header);
                    }
                    None => bail!("на листе «{sheet}» нет строки заголовков («{COL_SCHOOL_ID}», «{COL_CODE}», «{COL_VALUE}»)"),
                    Some(c) => take_row(c, &row, rows),
                }
            }
            row.clear();
            row_no = pos;
        }
        let Some(cell) = next else { break };
        *count += 1;
        if *count > MAX_CELLS {
            bail!("на листах «{SHEET_DATA}» слишком много ячеек");
        }
        let v = match cell.get_value() {
            DataRef::String(s) => CellVal::Text(s.clone()),
            DataRef::SharedString(s) => CellVal::Text(s.to_string()),
            DataRef::Float(f) => CellVal::Num(*f),
            DataRef::Int(i) => CellVal::Num(*i as f64),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) => CellVal::Text("дата".into()),
            _ => continue,
        };
        row.insert(cell.get_position().1, v);
    }
    if cols.is_none() {
        bail!("на листе «{sheet}» нет строки заголовков («{COL_SCHOOL_ID}», «{COL_CODE}», «{COL_VALUE}»)");
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum CellVal {
    Text(String),
    Num(f64),
}

impl CellVal {
    fn text(&self) -> String {
        match self {
            CellVal::Text(s) => s.trim().to_string(),
            CellVal::Num(n) => crate::text::plain_number(*n),
        }
    }
}

fn take_row(c: &Columns, row: &BTreeMap<u32, CellVal>, rows: &mut Builder) {
    let get = |col: u32| row.get(&col);
    let (Some(id), Some(code), Some(value)) = (get(c.school_id), get(c.code), get(c.value)) else {
        return;
    };
    let (id, code) = (id.text(), code.text());
    if id.is_empty() || code.is_empty() {
        return;
    }
    let name = c.school.and_then(get).map(CellVal::text).unwrap_or_default();
    let table_row = c.row.and_then(get).map(CellVal::text).filter(|s| !s.is_empty());
    let value = match value {
        CellVal::Num(n) => Value::Num(*n),
        CellVal::Text(t) => Value::Text(t),
    };
    rows.add((&id, &name), &code, table_row.as_deref(), value);
}

// ---------------------------------------------------------------------------------------
// «Изменения»: per school and indicator.

/// Numeric fields and shares of the campaign, in plan order: (item, key, label).
fn school_indicators<'a>(ctx: &Ctx<'a>) -> Vec<(String, Key<'a>, String)> {
    let c = ctx.campaign();
    let mut v: Vec<(String, Key<'a>, String)> = Vec::new();
    for f in c.profile_fields() {
        if f.kind.is_numeric() {
            v.push(("ОО".into(), Key::Sum(&f.code), c.text(&f.label)));
        }
    }
    for item in c.items() {
        for f in &item.fields {
            if matches!(f.kind, Kind::Integer | Kind::Decimal) {
                v.push((item.code.clone(), Key::Sum(&f.code), c.text(&f.label)));
            }
        }
        for sh in &item.shares {
            v.push((item.code.clone(), Key::Share(sh), c.text(&sh.label)));
        }
    }
    v
}

/// The current value of a school, in the units of the key.
fn current(s: Option<&SchoolData>, key: &Key) -> Option<f64> {
    let s = s?;
    match key {
        Key::Sum(code) => s.num(code),
        Key::Share(sh) => crate::summary::figures::school_share(sh, s)
            .and_then(|(n, d)| (d > 0.0).then(|| n * 100.0 / d)),
        _ => None,
    }
}

/// Columns of «Изменения».
const CHANGES_W: [f64; 9] = [8.0, 30.0, 7.0, 52.0, 12.0, 12.0, 13.0, 15.0, 22.0];

/// «Изменения»: per school and indicator, the previous value, the current one and the
/// change, with the changes worth checking with the school marked.
pub(crate) fn write_changes(
    wb: &mut Workbook,
    ctx: &Ctx,
    st: &Styles,
    prev: &Previous,
) -> Result<(), XlsxError> {
    let ws = super::new_long_sheet(wb, SHEET_CHANGES)?;
    widths(ws, &CHANGES_W)?;
    let c = ctx.campaign();
    let title = if prev.is_year_before(c) {
        "Изменения по школам за год"
    } else {
        "Изменения по школам с предыдущего свода"
    };
    banner(ws, 0, &CHANGES_W, title, &st.title, PT_TITLE)?;
    banner(ws, 1, &CHANGES_W, &prev.compared_with(c), &st.subtitle, PT_SUBTITLE)?;
    banner(
        ws,
        2,
        &CHANGES_W,
        "Доли сравниваются в процентных пунктах (п.п.). В столбце «Проверить» отмечены \
         изменения, которые стоит уточнить у школы: доля изменилась больше чем на 30 п.п.; \
         количество выросло или уменьшилось больше чем в 3 раза (при разнице не меньше 10).",
        &st.note,
        PT_NOTE,
    )?;
    let list = List { header: 4, cols: CHANGES_W.len() as u16 };
    let header = list.header;
    let was = prev.was_header(c);
    let heads = [
        "Код ОО",
        "ОО",
        "Пункт",
        "Показатель",
        &was,
        "Стало",
        "Изменение",
        "Динамика",
        "Проверить",
    ];
    header_cells(ws, st, header, &heads, &CHANGES_W)?;
    let inds = school_indicators(ctx);
    let mut r = header + 1;
    for school in &ctx.input.registry.schools {
        let in_prev = prev.rows.has_school(&school.id);
        if !in_prev && !ctx.data.contains_key(school.id.as_str()) {
            continue;
        }
        let values = ctx.values(&school.id)?;
        for (item, key, label) in &inds {
            let was = prev.school_value(key, &school.id);
            let now = current(values.as_deref(), key);
            if was.is_none() && now.is_none() {
                continue;
            }
            let ind = (item.as_str(), key, label.as_str());
            write_change(ws, st, r, school, ind, (was, now))?;
            r += 1;
        }
    }
    list.end(ws, ctx, st, r, (0, "Нет показателей, которые можно сравнить."))
}

/// One row of «Изменения» in `r`: a school, an indicator (item, key, label), its value
/// then and now (at least one of them known), the change and what to check.
fn write_change(
    ws: &mut Worksheet,
    st: &Styles,
    r: u32,
    school: &crate::schools::School,
    (item, key, label): (&str, &Key, &str),
    (was, now): (Option<f64>, Option<f64>),
) -> Result<(), XlsxError> {
    text(ws, r, 0, &school.id, &st.text_center)?;
    text(ws, r, 1, &school.short_name, &st.text)?;
    text(ws, r, 2, item, &st.text_center)?;
    text(ws, r, 3, label, &st.text)?;
    let pct = key.measure() == Measure::Percent;
    for (col, v) in [(4u16, was), (5, now)] {
        match v {
            Some(v) if pct => num(ws, r, col, v / 100.0, &st.pct)?,
            Some(v) => num(ws, r, col, v, st.number(v))?,
            None => text(ws, r, col, "", &st.text)?,
        }
    }
    // «Проверить»: an implausible jump, or that the value is on one side only.
    let flag = match (was, now) {
        (Some(a), Some(b)) => {
            let f = if pct {
                &st.delta_pp
            } else if (b - a).fract() == 0.0 {
                &st.delta_int
            } else {
                &st.delta_dec
            };
            num(ws, r, 6, b - a, f)?;
            text(ws, r, 7, trend(a, b), &st.text_center)?;
            let flag = implausible(key.measure(), a, b).unwrap_or("");
            text(ws, r, 8, flag, &st.warn)?;
            flag
        }
        (was, _) => {
            let flag = if was.is_none() {
                "не было в предыдущем своде"
            } else {
                "нет в текущем своде"
            };
            text(ws, r, 6, "", &st.text)?;
            text(ws, r, 7, "", &st.text)?;
            text(ws, r, 8, flag, &st.text)?;
            flag
        }
    };
    fit_row(
        ws,
        r,
        &[(&school.short_name, CHANGES_W[1]), (label, CHANGES_W[3]), (flag, CHANGES_W[8])],
        PT_CELL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head copy keeps the small parts and leaves out the sheets, shared strings and
    /// drawings: their bytes are not read into memory.
    #[test]
    fn the_head_copy_leaves_the_bulk_out() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("svod.xlsx");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, len) in [
            ("[Content_Types].xml", 10),
            ("docProps/custom.xml", 10),
            ("xl/workbook.xml", 10),
            ("xl/worksheets/sheet1.xml", 1_000_000),
            ("xl/sharedStrings.xml", 500_000),
            ("xl/drawings/drawing1.xml", 100_000),
            ("xl/charts/chart1.xml", 100_000),
        ] {
            z.start_file(name, opts).unwrap();
            z.write_all(&vec![b'x'; len]).unwrap();
        }
        z.finish().unwrap();
        let head = head_copy(&path).expect("a zip");
        assert!(head.len() < 2_000, "{} bytes", head.len());
        let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&head[..]))
            .unwrap()
            .file_names()
            .map(String::from)
            .collect();
        assert_eq!(names, ["[Content_Types].xml", "docProps/custom.xml", "xl/workbook.xml"]);
        // Not a zip: no copy (the file is then read whole and refused as before).
        std::fs::write(&path, "не книга").unwrap();
        assert!(head_copy(&path).is_none());
    }

    #[test]
    fn implausible_jumps() {
        assert_eq!(implausible(Measure::Percent, 20.0, 55.0), Some("изменение больше 30 п.п."));
        assert_eq!(implausible(Measure::Percent, 20.0, 49.0), None);
        assert_eq!(implausible(Measure::Count, 10.0, 30.0), Some("рост более чем в 3 раза"));
        assert_eq!(implausible(Measure::Count, 10.0, 29.0), None);
        assert_eq!(implausible(Measure::Count, 1.0, 3.0), None, "small numbers are not alarms");
        assert_eq!(implausible(Measure::Count, 60.0, 20.0), Some("снижение более чем в 3 раза"));
        assert_eq!(implausible(Measure::Count, 0.0, 25.0), Some("было 0"));
    }

    #[test]
    fn trend_arrows() {
        assert_eq!(trend(10.0, 12.0), "▲ рост");
        assert_eq!(trend(12.0, 10.0), "▼ снижение");
        assert_eq!(trend(10.0, 10.0), "= без изменений");
        assert_eq!(trend(100.0 / 3.0, 100.0 / 3.0 + 1e-12), "= без изменений");
    }

    #[test]
    fn not_an_xlsx_is_refused() {
        let e = read_previous_bytes(b"<html></html>", "x.xlsx").unwrap_err();
        assert!(format!("{e:#}").contains("не книга .xlsx"), "{e:#}");
        let e = read_previous_bytes(b"PK\x03\x04garbage", "x.xlsx").unwrap_err();
        assert!(format!("{e:#}").contains("повреждён"), "{e:#}");
    }
}
