//! OpenDocument spreadsheets (LibreOffice saves), read by our own streaming reader.
//!
//! Why not calamine's `Ods`: it parses every sheet of `content.xml` into memory when the
//! workbook is opened, expanding `table:number-columns-repeated` /
//! `table:number-rows-repeated` as it goes — a 2 KB file that repeats one non-empty cell
//! across 1 048 576 × 16 384 positions costs gigabytes before we could look at anything.
//! A pre-scan that rejects "absurd" repeat counts would also reject honest files:
//! LibreOffice itself writes rows repeated ~1 M times (empty trailing rows with a
//! style), and a school that fills a column with one value legitimately repeats it.
//! So we stream `content.xml` with quick-xml and treat repeats arithmetically: the
//! position advances by the count, and a value is materialised only at positions the
//! form's names ask for. Memory is bounded by the wanted cells, time by the number of
//! XML elements (each one ticks the [`Budget`]).
//!
//! Pass 1 (at open) collects sheet names and named ranges (they follow the tables in
//! `content.xml`); `meta.xml` gives custom properties (`meta:user-defined`) and the
//! saved time (`dc:date`). Each `read_cells` streams the document again up to the end of
//! the wanted sheet — a few milliseconds for a form.

use std::collections::BTreeMap;

use super::HashMap;

use chrono::NaiveDateTime;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::container;
use super::{parse_saved_time, Backend, Budget, Limits, Opened, Reject, StoredCell, Value, Want};
use crate::finding::Code;
use crate::form::layout::PROPERTY_PREFIX;

pub(crate) struct OdsBackend {
    content: Vec<u8>,
}

/// Opens the spreadsheet in `zip`, an archive whose directory
/// [`container::check_opened`] accepted.
pub(crate) fn open(
    mut zip: super::sniff::Zip<'_>,
    limits: &Limits,
) -> Result<(Opened, OdsBackend), Reject> {
    if let Some(manifest) = container::read_entry(&mut zip, "META-INF/manifest.xml", limits)? {
        if manifest.windows(15).any(|w| w == b"encryption-data") {
            return Err(Reject::new(Code::FileEncrypted, super::Format::Encrypted.message()));
        }
    }
    let content = container::read_entry(&mut zip, "content.xml", limits)?
        .ok_or_else(|| Reject::damaged("нет части content.xml"))?;
    let (sheets, names) = scan_structure(&content)?;
    let (properties, saved_at) = match container::read_entry(&mut zip, "meta.xml", limits) {
        Ok(Some(meta)) => read_meta(&meta),
        _ => (None, None),
    };
    Ok((Opened { sheets, names, properties, saved_at }, OdsBackend { content }))
}

fn xml_reader(bytes: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(bytes);
    // Keep whitespace inside cells (text:p) exactly; quick-xml never expands DTD
    // entities, so billion-laughs and external entities are inert.
    r.config_mut().trim_text(false);
    r
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).map(|a| {
        a.unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
    })
}

fn damaged(e: impl std::fmt::Display) -> Reject {
    Reject::damaged(format!("content.xml: {e}"))
}

/// Sheet names and `(name, reference)` of named ranges and expressions.
type Names = Vec<(String, String)>;

fn scan_structure(content: &[u8]) -> Result<(Vec<String>, Names), Reject> {
    let mut xml = xml_reader(content);
    let mut buf = Vec::new();
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    let mut elements: u64 = 0;
    loop {
        let ev = xml.read_event_into(&mut buf).map_err(damaged)?;
        elements += 1;
        if elements > 50_000_000 {
            return Err(Reject::too_large("слишком много элементов в content.xml"));
        }
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"table:table" => {
                    if let Some(n) = attr(&e, b"table:name") {
                        sheets.push(n);
                    }
                }
                b"table:named-range" => {
                    if let (Some(n), Some(r)) =
                        (attr(&e, b"table:name"), attr(&e, b"table:cell-range-address"))
                    {
                        names.push((n, r));
                    }
                }
                b"table:named-expression" => {
                    if let (Some(n), Some(x)) =
                        (attr(&e, b"table:name"), attr(&e, b"table:expression"))
                    {
                        let x = x.strip_prefix("of:").unwrap_or(&x).to_string();
                        names.push((n, x));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok((sheets, names))
}

fn read_meta(meta: &[u8]) -> (Option<BTreeMap<String, String>>, Option<crate::clock::SavedTime>) {
    let mut xml = xml_reader(meta);
    let mut buf = Vec::new();
    let mut props = BTreeMap::new();
    let mut saved = None;
    let mut current: Option<String> = None; // property name, or "\0date"
    let mut text = String::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                b"meta:user-defined" => {
                    current = attr(&e, b"meta:name");
                    text.clear();
                }
                b"dc:date" => {
                    current = Some("\0date".into());
                    text.clear();
                }
                _ => {}
            },
            Ok(Event::Text(t)) if current.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) if current.is_some() => {
                push_entity(&mut text, &r);
            }
            Ok(Event::End(_)) => {
                if let Some(name) = current.take() {
                    if name == "\0date" {
                        saved = parse_saved_time(&text);
                    } else if let Some(key) = name.strip_prefix(PROPERTY_PREFIX) {
                        props.insert(key.to_string(), text.clone());
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    ((!props.is_empty()).then_some(props), saved)
}

/// The five predefined XML entities and character references; anything else (a DTD
/// entity) is dropped, never expanded.
pub(crate) fn push_entity(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
        return;
    }
    let name: &[u8] = r;
    match name {
        b"lt" => out.push('<'),
        b"gt" => out.push('>'),
        b"amp" => out.push('&'),
        b"apos" => out.push('\''),
        b"quot" => out.push('"'),
        _ => {}
    }
}

/// Text kept per cell. Excel stops at 32 767 characters; beyond a megabyte a cell is
/// hostile (`<text:s text:c="1024"/>` repeated), and validation flags it as too long
/// anyway, so the rest is dropped instead of growing memory.
const MAX_CELL_TEXT: usize = 1024 * 1024;

/// A non-empty cell element being read: its value attributes and text.
struct PendingCell {
    col: u32,
    repeat: u32,
    value_type: Option<String>,
    calc_type: Option<String>,
    value: Option<String>,
    date: Option<String>,
    boolean: Option<String>,
    string_value: Option<String>,
    formula: bool,
    text: String,
    paragraphs: u32,
}

impl PendingCell {
    /// A cell element's attributes; its text follows.
    fn start(e: &BytesStart<'_>, col: u32, repeat: u32) -> PendingCell {
        PendingCell {
            col,
            repeat,
            value_type: attr(e, b"office:value-type"),
            calc_type: attr(e, b"calcext:value-type"),
            value: attr(e, b"office:value"),
            date: attr(e, b"office:date-value"),
            boolean: attr(e, b"office:boolean-value"),
            string_value: attr(e, b"office:string-value"),
            formula: attr(e, b"table:formula").is_some(),
            text: String::new(),
            paragraphs: 0,
        }
    }

    /// Text markup inside the cell: paragraphs become lines, `text:s` spaces, tabs and
    /// line breaks themselves.
    fn markup(&mut self, name: &[u8], e: &BytesStart<'_>, empty: bool) {
        match name {
            b"text:p" if !empty => {
                if self.paragraphs > 0 {
                    self.push("\n");
                }
                self.paragraphs += 1;
            }
            b"text:s" => {
                let n = repeat_attr(e, b"text:c").min(1024);
                self.push(&" ".repeat(n as usize));
            }
            b"text:tab" => self.push("\t"),
            b"text:line-break" => self.push("\n"),
            _ => {}
        }
    }

    fn push(&mut self, s: &str) {
        if self.text.len() + s.len() <= MAX_CELL_TEXT {
            self.text.push_str(s);
        }
    }

    /// Text inside the cell: characters, and entity references resolved.
    fn content(&mut self, ev: &Event<'_>) {
        match ev {
            Event::Text(t) => {
                if let Ok(s) = t.decode() {
                    self.push(&s);
                }
            }
            Event::GeneralRef(r) => {
                let mut s = String::new();
                push_entity(&mut s, r);
                self.push(&s);
            }
            _ => {}
        }
    }

    /// The end of the cell element: its value (when not blank) joins the row's cells.
    fn finish(self, row_cells: &mut Vec<(u32, u32, StoredCell)>) {
        let (c, r) = (self.col, self.repeat);
        if let Some(raw) = self.into_raw() {
            row_cells.push((c, r, raw));
        }
    }

    fn into_raw(self) -> Option<StoredCell> {
        let text = self.text;
        let value = if self.calc_type.as_deref() == Some("error") {
            Value::Error(text.trim().to_string())
        } else {
            match self.value_type.as_deref() {
                Some("float" | "percentage" | "currency") => {
                    match self.value.as_deref().and_then(|v| v.trim().parse::<f64>().ok()) {
                        Some(x) => Value::Number(x),
                        None => Value::Text(text),
                    }
                }
                Some("date") => match self.date.as_deref().and_then(parse_iso_datetime) {
                    Some(d) => Value::DateTime(d),
                    None => Value::Text(text),
                },
                Some("boolean") => {
                    Value::Bool(matches!(self.boolean.as_deref(), Some("true" | "1")))
                }
                Some("string") => Value::Text(self.string_value.unwrap_or(text)),
                Some(_) => Value::Text(text),
                None if self.formula => Value::FormulaNoValue,
                None if !text.is_empty() => Value::Text(text),
                None => return None,
            }
        };
        Some(StoredCell { value, formula: self.formula })
    }
}

/// `2025-12-20`, `2025-12-20T10:30:00`, with optional fraction.
pub(crate) fn parse_iso_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

fn repeat_attr(e: &BytesStart<'_>, name: &[u8]) -> u32 {
    attr(e, name).and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(1).max(1)
}

impl Backend for OdsBackend {
    fn read_cells(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
    ) -> Result<HashMap<(u32, u32), StoredCell>, Reject> {
        let mut out: HashMap<(u32, u32), StoredCell> = HashMap::default();
        let mut xml = xml_reader(&self.content);
        let mut buf = Vec::new();
        let max_row = want.max_row();
        let mut in_sheet = false;
        let mut depth_tables = 0u32; // nested tables (sub-tables) are not expected; be safe
        let mut row: u64 = 0;
        let mut row_repeat: u32 = 1;
        let mut col: u64 = 0;
        // Non-empty cells of the current row element, applied to each repeated row at its end.
        let mut row_cells: Vec<(u32, u32, StoredCell)> = Vec::new();
        let mut cell: Option<PendingCell> = None;
        loop {
            let ev = xml.read_event_into(&mut buf).map_err(damaged)?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    let name = e.name();
                    let name = name.as_ref();
                    if name == b"table:table" {
                        if in_sheet {
                            depth_tables += 1;
                        } else if attr(e, b"table:name").as_deref() == Some(sheet) {
                            in_sheet = true;
                            row = 0;
                            if empty {
                                break;
                            }
                        }
                    } else if in_sheet && depth_tables == 0 {
                        match name {
                            b"table:table-row" => {
                                budget.tick()?;
                                row_repeat = repeat_attr(e, b"table:number-rows-repeated");
                                col = 0;
                                row_cells.clear();
                                if empty {
                                    row += u64::from(row_repeat);
                                }
                            }
                            b"table:table-cell" | b"table:covered-table-cell" => {
                                budget.tick()?;
                                let repeat = repeat_attr(e, b"table:number-columns-repeated");
                                let start_col = col;
                                col += u64::from(repeat);
                                // Only cells that can land on a wanted position are parsed.
                                let hits = start_col <= u64::from(u32::MAX)
                                    && row <= u64::from(u32::MAX)
                                    && hits_want(want, row, row_repeat, start_col, repeat);
                                if hits {
                                    let p = PendingCell::start(e, start_col as u32, repeat);
                                    if empty {
                                        p.finish(&mut row_cells);
                                    } else {
                                        cell = Some(p);
                                    }
                                }
                            }
                            other => {
                                if let Some(p) = cell.as_mut() {
                                    p.markup(other, e, empty);
                                }
                            }
                        }
                    }
                }
                Event::Text(_) | Event::GeneralRef(_) => {
                    if let Some(p) = cell.as_mut() {
                        p.content(&ev);
                    }
                }
                Event::End(e) if in_sheet => match e.name().as_ref() {
                    b"table:table" => {
                        if depth_tables == 0 {
                            break;
                        }
                        depth_tables -= 1;
                    }
                    b"table:table-cell" | b"table:covered-table-cell" if depth_tables == 0 => {
                        if let Some(p) = cell.take() {
                            p.finish(&mut row_cells);
                        }
                    }
                    b"table:table-row" if depth_tables == 0 => {
                        apply_row(&mut out, want, row, row_repeat, &row_cells, budget)?;
                        row_cells.clear();
                        row += u64::from(row_repeat);
                        if row > u64::from(max_row) {
                            break; // nothing wanted below this row
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        Ok(out)
    }
}

/// Whether a cell repeated over rows `row..row+row_repeat` and columns
/// `col..col+repeat` covers a wanted position.
fn hits_want(want: &Want, row: u64, row_repeat: u32, col: u64, repeat: u32) -> bool {
    let (r1, r2) = (row, row + u64::from(row_repeat) - 1);
    let (c1, c2) = (col, col + u64::from(repeat) - 1);
    want.rects.iter().any(|x| {
        u64::from(x.r1) <= r2
            && r1 <= u64::from(x.r2)
            && u64::from(x.c1) <= c2
            && c1 <= u64::from(x.c2)
    })
}

/// Puts a row element's non-empty cells at every wanted position they cover.
fn apply_row(
    out: &mut HashMap<(u32, u32), StoredCell>,
    want: &Want,
    row: u64,
    row_repeat: u32,
    cells: &[(u32, u32, StoredCell)],
    budget: &mut Budget,
) -> Result<(), Reject> {
    for rect in &want.rects {
        let r1 = row.max(u64::from(rect.r1));
        let r2 = (row + u64::from(row_repeat) - 1).min(u64::from(rect.r2));
        if r1 > r2 {
            continue;
        }
        for (c, repeat, raw) in cells {
            let c1 = u64::from(*c).max(u64::from(rect.c1));
            let c2 = (u64::from(*c) + u64::from(*repeat) - 1).min(u64::from(rect.c2));
            if c1 > c2 {
                continue;
            }
            for r in r1..=r2 {
                for cc in c1..=c2 {
                    budget.tick()?;
                    budget.keep_text(&raw.value)?;
                    out.insert((r as u32, cc as u32), raw.clone());
                }
            }
        }
    }
    Ok(())
}
