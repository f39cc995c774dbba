//! xlsx / xlsm, read by our own streaming reader over the zip — the way `ods.rs` reads
//! OpenDocument. Only the parts the form needs are opened, and each is streamed once:
//!
//! - `_rels/.rels` and the workbook's relationships: where the parts are;
//! - `workbook.xml`: sheet names, the `PP_`/`PPT_` defined names, the 1904 flag;
//! - the worksheets the form's names point at, keeping only the wanted cells;
//! - `sharedStrings.xml`, materialising only the strings those cells use;
//! - `styles.xml` only when a wanted number cell has a style (dates are numbers with a
//!   date format), and then only the number format of the styles those cells use — fonts,
//!   fills and borders are never expanded;
//! - `docProps/core.xml` and `docProps/custom.xml`: saved time and identity properties.
//!
//! Why not calamine's `Xlsx`: `Xlsx::new` parses every style, the whole shared-string
//! table and all defined names before a single cell is asked for. A 279 KB file with a
//! 30 000-character font shared by 100 000 formats cost 2.96 GB there; 600 000 copies of
//! one defined name took minutes. Here memory is bounded by the wanted cells and the
//! largest XML token of a part we read (each part's declared size is checked first),
//! and every XML event counts against the file's time budget.
//!
//! A malformed cell address (`A0`) is a note naming the sheet and the address, and the
//! cell is skipped; a number that does not parse (`0x10`) stays text, so validation
//! names the sheet and cell if the form needs it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::HashMap;
use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::container::{self, Parts};
use super::ods::{parse_iso_datetime, push_entity};
use super::{serial_to_datetime, Backend, Budget, Limits, Opened, Reject, StoredCell, Value, Want};
use crate::finding::{Code, Finding};
use crate::form::layout::{FIELD_NAME_PREFIX, PROPERTY_PREFIX, TABLE_NAME_PREFIX};
use crate::text::a1;

type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;
/// A streaming XML reader over one inflated part.
type PartReader<'z, 'a> = Reader<Source<'z, 'a>>;
/// An entry as the zip crate reads it.
type ZipEntry<'z, 'a> = zip::read::ZipFile<'z, Cursor<&'a [u8]>>;

/// Where a part's bytes come from: stored or deflated parts straight from the file
/// ([`container::PartStream`], an inflater reused by the thread); anything else (another
/// method, encryption) through the zip crate's reader, which reads it or says why not.
enum Source<'z, 'a> {
    Own(container::PartStream<'a>),
    /// Boxed: rare, and large.
    Zip(Box<BufReader<Declared<ZipEntry<'z, 'a>>>>),
}

impl std::io::Read for Source<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::Own(s) => s.read(buf),
            Source::Zip(z) => z.read(buf),
        }
    }
}

impl std::io::BufRead for Source<'_, '_> {
    #[inline(always)]
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        match self {
            Source::Own(s) => s.fill_buf(),
            Source::Zip(z) => z.fill_buf(),
        }
    }
    #[inline(always)]
    fn consume(&mut self, n: usize) {
        match self {
            Source::Own(s) => s.consume(n),
            Source::Zip(z) => z.consume(n),
        }
    }
}

/// Text kept per cell or shared string (Excel stops at 32 767 characters; beyond a
/// megabyte a value is hostile and validation flags it as too long anyway).
const MAX_CELL_TEXT: usize = 1024 * 1024;
/// Text kept per defined name: a reference is short; a longer one is not a reference.
const MAX_NAME_TEXT: usize = 4096;

pub(crate) struct XlsxBackend<'a> {
    zip: Zip<'a>,
    /// The file the archive is over: stored and deflated parts are read from it directly.
    bytes: &'a [u8],
    parts: Parts,
    max_part: u64,
    /// Sheet name → worksheet part path.
    sheet_parts: HashMap<String, String>,
    shared_strings: Option<String>,
    styles: Option<String>,
    is_1904: bool,
    /// Structural notes (malformed addresses) for [`super::assemble`].
    notes: Vec<Finding>,
}

/// Opens the workbook in `zip`, an archive whose directory [`container::check_opened`]
/// accepted (`parts`).
pub(crate) fn open<'a>(
    zip: Zip<'a>,
    bytes: &'a [u8],
    parts: Parts,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<(Opened, XlsxBackend<'a>), Reject> {
    let mut b = XlsxBackend {
        zip,
        bytes,
        parts,
        max_part: limits.max_read_part,
        sheet_parts: HashMap::default(),
        shared_strings: None,
        styles: None,
        is_1904: false,
        notes: Vec::new(),
    };
    let root = b.read_rels("_rels/.rels", "", budget)?;
    let by_type = |rels: &[Rel], suffix: &str| {
        rels.iter().find(|r| r.kind.ends_with(suffix)).map(|r| r.target.clone())
    };
    let workbook =
        by_type(&root, "/officeDocument").unwrap_or_else(|| "xl/workbook.xml".to_string());
    let (dir, file) = match workbook.rsplit_once('/') {
        Some((d, f)) => (d.to_string(), f.to_string()),
        None => (String::new(), workbook.clone()),
    };
    let rels_path = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let rels = b.read_rels(&rels_path, &dir, budget)?;
    let sibling =
        |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
    b.shared_strings =
        by_type(&rels, "/sharedStrings").or_else(|| Some(sibling("sharedStrings.xml")));
    b.styles = by_type(&rels, "/styles").or_else(|| Some(sibling("styles.xml")));

    let wb = b.read_workbook(&workbook, budget)?;
    b.is_1904 = wb.is_1904;
    let rel_by_id: HashMap<&str, &Rel> = rels.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut seen = HashSet::new();
    for (name, rid) in &wb.sheets {
        // Excel compares sheet names without case: two «Отчёт» are one sheet written twice.
        if !seen.insert(name.to_lowercase()) {
            return Err(ambiguous(format!("в книге два листа с именем «{name}»")));
        }
        if let Some(rel) = rid.as_deref().and_then(|id| rel_by_id.get(id)) {
            b.sheet_parts.insert(name.clone(), rel.target.clone());
        }
    }
    let sheets = wb.sheets.into_iter().map(|(n, _)| n).collect();

    let core = by_type(&root, "/core-properties").unwrap_or_else(|| "docProps/core.xml".into());
    let custom =
        by_type(&root, "/custom-properties").unwrap_or_else(|| "docProps/custom.xml".into());
    // Properties are optional: a broken docProps part must not cost the school its data.
    let app = by_type(&root, "/extended-properties").unwrap_or_else(|| "docProps/app.xml".into());
    let modified = b.read_text_of(&core, b"modified", budget).ok().flatten();
    let application = b.read_text_of(&app, b"Application", budget).ok().flatten();
    let saved_at = super::saved_time(modified.as_deref(), application.as_deref());
    let properties = b.read_custom(&custom, budget).ok().flatten();
    Ok((Opened { sheets, names: wb.names, properties, saved_at }, b))
}

fn ambiguous(what: String) -> Reject {
    Reject::new(
        Code::FileDamaged,
        format!(
            "файл повреждён или подделан: {what}. Разные программы покажут в нём разные \
             значения, поэтому он не используется. Откройте форму в Excel или LibreOffice, \
             сохраните её как «Книга Excel (.xlsx)» и пришлите заново"
        ),
    )
}

fn damaged(part: &str, e: impl std::fmt::Display) -> Reject {
    Reject::damaged(format!("часть «{part}»: {e}"))
}

/// One relationship: id, type URI, target resolved to a part path.
struct Rel {
    id: String,
    kind: String,
    target: String,
}

struct Workbook {
    /// `(sheet name, relationship id)` in workbook order.
    sheets: Vec<(String, Option<String>)>,
    names: Vec<(String, String)>,
    is_1904: bool,
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    attr_ref(e, local).map(Cow::into_owned)
}

/// [`attr`] without a copy when the value has no entity (cell addresses, types and
/// styles never do): the hot path of streaming a sheet. The attributes' duplicate check
/// is off — it allocates per element, and the first of two equal keys is taken either way.
fn attr_ref<'e>(e: &'e BytesStart<'_>, local: &[u8]) -> Option<Cow<'e, str>> {
    let a = e
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)?;
    Some(match a.value {
        Cow::Borrowed(raw) if !raw.contains(&b'&') => String::from_utf8_lossy(raw),
        _ => Cow::Owned(
            a.unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned()),
        ),
    })
}

/// The values of `keys` among an element's attributes in one pass over its bytes, when
/// every attribute is plain: `name="value"` (or `'value'`), a name of letters, digits,
/// `_`, `-` or `.` (no prefix), a value without entities, valid UTF-8 — how every
/// spreadsheet program writes a row or a cell. `None` for anything else, and the caller
/// takes the general path ([`attr_ref`]). On plain attributes quick-xml's parser (which
/// [`attr_ref`] uses) reads the same names and values, and in both the first of two
/// equal names wins; this one only skips its per-attribute machinery, a tenth of the
/// instructions of streaming a sheet.
fn plain_attrs<'e, const N: usize>(
    e: &'e BytesStart<'_>,
    keys: [&[u8]; N],
) -> Option<[Option<&'e str>; N]> {
    plain_attrs_in(e.attributes_raw(), keys)
}

/// [`plain_attrs`] over a tag's bytes after its name.
fn plain_attrs_in<'r, const N: usize>(
    raw: &'r [u8],
    keys: [&[u8]; N],
) -> Option<[Option<&'r str>; N]> {
    let mut out = [None; N];
    let mut i = 0;
    loop {
        while i < raw.len() && matches!(raw[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i == raw.len() {
            return Some(out);
        }
        let start = i;
        while i < raw.len()
            && matches!(raw[i], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.')
        {
            i += 1;
        }
        let key = &raw[start..i];
        if key.is_empty() || raw.get(i) != Some(&b'=') {
            return None;
        }
        let quote = *raw.get(i + 1)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = raw[i + 2..].iter().position(|&b| b == quote)?;
        let value = &raw[i + 2..i + 2 + len];
        if value.contains(&b'&') {
            return None;
        }
        if let Some(k) = keys.iter().position(|k| *k == key) {
            if out[k].is_none() {
                out[k] = Some(std::str::from_utf8(value).ok()?);
            }
        }
        i += 2 + len + 1;
    }
}

/// A `<row>`'s 0-based number: its `r`, else the one after the row before; `u32::MAX`
/// when `r` is malformed (its cells carry their own addresses, or are skipped).
fn row_index(e: &BytesStart<'_>, next_row: u32) -> u32 {
    let r = match plain_attrs(e, [b"r"]) {
        Some([r]) => r.map(Cow::Borrowed),
        None => attr_ref(e, b"r"),
    };
    match r.map(|r| r.trim().parse::<u32>()) {
        Some(Ok(r)) if (1..=1_048_576).contains(&r) => r - 1,
        None => next_row,
        Some(_) => u32::MAX,
    }
}

/// `r:id`: the `id` attribute in a namespace (the sheet's own `sheetId` is not it).
fn rel_id_attr(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// Resolves a relationship target against the folder of the part that declares it.
fn resolve_target(base_dir: &str, target: &str) -> String {
    let joined = if let Some(abs) = target.strip_prefix('/') {
        abs.to_string()
    } else if base_dir.is_empty() {
        target.to_string()
    } else {
        format!("{base_dir}/{target}")
    };
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// The element `<name …>…</name>` (or `<name …/>`) at the start of `window`, after
/// whitespace: its length and the attributes of its start tag, when the XML reader would
/// pass over exactly those bytes the same way — up to its end tag every tag is plain (no
/// comment, CDATA, processing instruction or entity; every end tag matching its start
/// tag, as the reader checks; quotes closed within their tag). `None` for anything else,
/// or when the end is not in `window`: then the reader takes it.
fn plain_element<'w>(window: &'w [u8], name: &[u8]) -> Option<(usize, &'w [u8])> {
    let start = plain_start(window, name)?;
    let end = plain_end(window, &start, name)?;
    Some((end, start.attrs))
}

/// The start tag of [`plain_element`].
struct PlainStart<'w> {
    /// Where the tag ends (past its `>`) in the window.
    end: usize,
    /// Its bytes after the name.
    attrs: &'w [u8],
    /// `<name …/>`.
    empty: bool,
}

/// The plain start tag `<name …>` or `<name …/>` at the start of `window`, after
/// whitespace.
fn plain_start<'w>(window: &'w [u8], name: &[u8]) -> Option<PlainStart<'w>> {
    let at = window.iter().position(|b| !is_xml_space(*b))?;
    let w = &window[at..];
    if w.len() < name.len() + 2 || w[0] != b'<' || &w[1..=name.len()] != name {
        return None;
    }
    if !matches!(w[name.len() + 1], b'>' | b'/') && !is_xml_space(w[name.len() + 1]) {
        return None;
    }
    let (tag, end) = plain_tag(w, 0)?;
    let (tag, empty) = match tag.strip_suffix(b"/") {
        Some(t) => (t, true),
        None => (tag, false),
    };
    Some(PlainStart { end: at + end, attrs: &tag[name.len()..], empty })
}

/// The tag whose `<` is at `lt`: its bytes between `<` and `>`, and where it ends (past
/// `>`). Quotes are respected, as the XML reader finds a tag's end; `None` for a comment,
/// CDATA or processing instruction, a `<` in the tag, or a tag cut at the window's end.
fn plain_tag(w: &[u8], lt: usize) -> Option<(&[u8], usize)> {
    let first = *w.get(lt + 1)?;
    if first == b'!' || first == b'?' {
        return None;
    }
    let mut j = lt + 1;
    let mut quote = None;
    loop {
        let b = *w.get(j)?;
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some((&w[lt + 1..j], j + 1)),
            None if b == b'<' => return None,
            None => {}
        }
        j += 1;
    }
}

/// Where the element that `start` opens ends in `window` (past its end tag), every tag
/// in it plain and matched; `None` otherwise.
fn plain_end(window: &[u8], start: &PlainStart<'_>, name: &[u8]) -> Option<usize> {
    if start.empty {
        return Some(start.end);
    }
    // The open elements (a plain string or a cell nests two or three deep).
    let mut open: [&[u8]; 8] = [&[]; 8];
    open[0] = name;
    let mut depth = 1;
    let mut i = start.end;
    loop {
        // Text up to the next tag: an entity is left to the reader.
        let lt = i + memchr::memchr2(b'<', b'&', &window[i..])?;
        if window[lt] == b'&' {
            return None;
        }
        let (tag, end) = plain_tag(window, lt)?;
        i = end;
        if let Some(close) = tag.strip_prefix(b"/") {
            let len = close.iter().rposition(|b| !is_xml_space(*b)).map_or(0, |p| p + 1);
            depth -= 1;
            if open[depth] != &close[..len] {
                return None;
            }
            if depth == 0 {
                return Some(i);
            }
        } else if tag.last() != Some(&b'/') {
            if depth == open.len() {
                return None;
            }
            open[depth] = &tag[..tag.iter().position(|b| is_xml_space(*b)).unwrap_or(tag.len())];
            depth += 1;
        }
    }
}

/// A shared string `<si><t>text</t></si>` (or `<t xml:space="preserve">`) at the start of
/// `window`: its length and its text as [`read_rich_text`] reads it (trimmed unless
/// preserved, `_xHHHH_` resolved), when the text has no markup, entity or carriage
/// return. `None` for anything else (rich text, phonetic runs…): the reader takes it.
fn plain_string(window: &[u8]) -> Option<(usize, String)> {
    let start = plain_start(window, b"si")?;
    if start.empty || start.attrs.iter().any(|b| !is_xml_space(*b)) {
        return None;
    }
    let rest = &window[start.end..];
    const PRESERVE: &[u8] = br#"<t xml:space="preserve">"#;
    let (preserve, open) = if rest.starts_with(b"<t>") {
        (false, 3)
    } else if rest.starts_with(PRESERVE) {
        (true, PRESERVE.len())
    } else {
        return None;
    };
    let text = &rest[open..];
    let lt = memchr::memchr2(b'<', b'&', text)?;
    if !text[lt..].starts_with(b"</t></si>") || text[..lt].contains(&b'\r') {
        return None;
    }
    let text = std::str::from_utf8(&text[..lt]).ok()?;
    let text = if preserve { text } else { text.trim_matches([' ', '\t', '\r', '\n']) };
    Some((start.end + open + lt + 9, unescape_ooxml(text).into_owned()))
}

/// A cell [`quick_cell`] read.
struct QuickCell {
    /// The bytes it takes.
    len: usize,
    col: u32,
    /// A wanted cell's position and what it holds; `None` for a cell not wanted.
    kept: Option<((u32, u32), Pending)>,
}

/// The next cell in `source`'s bytes at hand, read without the XML reader when its
/// markup is plain ([`plain_start`]) and its address good: one not wanted is passed over
/// (most cells of a sheet are not wanted); a wanted one is read when it is empty or
/// holds a plain `<v>` (a number, a shared string's index) — as the reader reads it.
/// `None` for anything else: the reader takes it.
fn quick_cell<R: std::io::BufRead>(
    source: &mut R,
    want: &Want,
    sheet: &str,
    path: &str,
) -> Result<Option<QuickCell>, Reject> {
    let window = source.fill_buf().map_err(|e| damaged(path, quick_xml::Error::from(e)))?;
    let Some(start) = plain_start(window, b"c") else { return Ok(None) };
    let r = first_r(start.attrs).or_else(|| plain_attrs_in(start.attrs, [b"r"]).and_then(|[r]| r));
    let Some((row, col)) = r.and_then(cell_address) else { return Ok(None) };
    if !want.contains(row, col) {
        return Ok(plain_end(window, &start, b"c").map(|len| QuickCell { len, col, kept: None }));
    }
    let Some([Some(_), kind, style]) = plain_attrs_in(start.attrs, [b"r", b"t", b"s"]) else {
        return Ok(None);
    };
    let rest = &window[start.end..];
    let (len, v) = if start.empty {
        (start.end, None)
    } else if rest.starts_with(b"</c>") {
        (start.end + 4, None)
    } else if let Some(text) = rest.strip_prefix(b"<v>") {
        // `<v>text</v></c>`, the text without markup, entity or carriage return (which
        // the reader would turn into a line feed).
        let Some(lt) = memchr::memchr2(b'<', b'&', text) else { return Ok(None) };
        if !text[lt..].starts_with(b"</v></c>") || text[..lt].contains(&b'\r') {
            return Ok(None);
        }
        let Ok(text) = std::str::from_utf8(&text[..lt]) else { return Ok(None) };
        (start.end + 3 + lt + 8, Some(text.to_string()))
    } else {
        return Ok(None);
    };
    let style = style.and_then(|s| s.trim().parse::<u32>().ok());
    let p = pending(kind, style, CellXml { v, inline: None, formula: false }, sheet, row, col)?;
    Ok(Some(QuickCell { len, col, kept: Some(((row, col), p)) }))
}

/// [`quick_cell`] on the bytes at hand, the cell taken as the reader's path takes one
/// (counted, kept if wanted): the next column, or `None` when the reader is to take it.
fn take_quick_cell<R: std::io::BufRead>(
    source: &mut R,
    want: &Want,
    sheet: &str,
    path: &str,
    budget: &mut Budget,
    out: &mut HashMap<(u32, u32), Pending>,
) -> Result<Option<u32>, Reject> {
    let Some(q) = quick_cell(source, want, sheet, path)? else { return Ok(None) };
    source.consume(q.len);
    budget.step()?;
    budget.tick()?;
    if let Some((pos, p)) = q.kept {
        keep(out, pos, p, budget)?;
    }
    Ok(Some(q.col.saturating_add(1)))
}

/// The value of `r` when it is a tag's first attribute, plain (`r="E14"`): the value the
/// general path takes too, the first `r` winning.
fn first_r(attrs: &[u8]) -> Option<&str> {
    let rest = attrs.strip_prefix(b" r=\"")?;
    let value = &rest[..memchr::memchr(b'"', rest)?];
    if value.contains(&b'&') {
        return None;
    }
    std::str::from_utf8(value).ok()
}

/// Keeps a wanted cell's value (an empty one removes an earlier cell at its place),
/// counting its text against the budget.
fn keep(
    out: &mut HashMap<(u32, u32), Pending>,
    pos: (u32, u32),
    p: Pending,
    budget: &mut Budget,
) -> Result<(), Reject> {
    if let Pending::Done(raw) = &p {
        budget.keep_text(&raw.value)?;
        if raw.value == Value::Empty {
            out.remove(&pos);
            return Ok(());
        }
    }
    out.insert(pos, p);
    Ok(())
}

/// XML's whitespace, as the XML reader splits names at it.
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads the rest of a part without parsing it: inflated (or copied) to its end, where
/// the source checks its size and checksum. Each chunk counts against the time budget.
/// Errors in the same words as the XML reader's (`I/O error: …`).
fn drain<R: std::io::BufRead>(
    source: &mut R,
    path: &str,
    budget: &mut Budget,
) -> Result<(), Reject> {
    loop {
        let n = source.fill_buf().map_err(|e| damaged(path, quick_xml::Error::from(e)))?.len();
        if n == 0 {
            return Ok(());
        }
        source.consume(n);
        budget.step()?;
    }
}

/// Collects an element's text up to its end, resolving the five XML entities and
/// character references (DTD entities are dropped, never expanded), keeping at most
/// `cap` bytes. Every event counts against the time budget.
fn read_text<R: std::io::BufRead>(
    xml: &mut Reader<R>,
    buf: &mut Vec<u8>,
    end: &[u8],
    cap: usize,
    budget: &mut Budget,
) -> Result<String, quick_xml::Error> {
    let mut out = String::new();
    let push = |out: &mut String, s: &str| {
        if out.len() + s.len() <= cap {
            out.push_str(s);
        }
    };
    let mut depth = 0u32;
    loop {
        buf.clear();
        let ev = xml.read_event_into(buf)?;
        if budget.step().is_err() {
            return Ok(out); // the caller's next step() reports the timeout
        }
        match ev {
            Event::Text(t) => {
                if let Ok(s) = t.xml10_content() {
                    push(&mut out, &s);
                }
            }
            Event::CData(t) => {
                if let Ok(s) = t.xml10_content() {
                    push(&mut out, &s);
                }
            }
            Event::GeneralRef(r) => {
                let mut s = String::new();
                push_entity(&mut s, &r);
                push(&mut out, &s);
            }
            Event::Start(_) => depth += 1,
            Event::End(e) => {
                if depth == 0 && e.local_name().as_ref() == end {
                    return Ok(out);
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

impl<'a> XlsxBackend<'a> {
    /// A streaming XML reader over one part, refused when its declared size is over the
    /// limit for parts we parse. `Ok(None)` when the part is absent.
    fn part<'z>(
        zip: &'z mut Zip<'a>,
        bytes: &'a [u8],
        parts: &Parts,
        max_part: u64,
        name: &str,
    ) -> Result<Option<PartReader<'z, 'a>>, Reject> {
        let Some(index) = parts.get(name) else { return Ok(None) };
        let too_large = |size: u64| {
            Reject::too_large(format!(
                "часть «{name}» после распаковки заняла бы {} МБ (для частей, которые читает \
                 profplan, допускается не более {} МБ)",
                size / (1024 * 1024),
                max_part / (1024 * 1024)
            ))
        };
        if let Some(own) =
            container::PartStream::open(zip, bytes, index).map_err(|e| damaged(name, e))?
        {
            if own.declared() > max_part {
                return Err(too_large(own.declared()));
            }
            let mut xml = Reader::from_reader(Source::Own(own));
            xml.config_mut().trim_text(false);
            return Ok(Some(xml));
        }
        let entry = zip.by_index(index).map_err(|e| damaged(name, e))?;
        if entry.size() > max_part {
            return Err(too_large(entry.size()));
        }
        let left = entry.size();
        let entry = Declared { inner: entry, left };
        // Declared never gives more than `left` bytes: a buffer past that is never
        // filled, and the buffer is zeroed once when made (most parts are a few KB).
        let capacity = usize::try_from(left).unwrap_or(usize::MAX).saturating_add(1);
        let capacity = capacity.clamp(256, 32 * 1024);
        let mut xml =
            Reader::from_reader(Source::Zip(Box::new(BufReader::with_capacity(capacity, entry))));
        xml.config_mut().trim_text(false);
        Ok(Some(xml))
    }

    fn read_rels(
        &mut self,
        path: &str,
        base_dir: &str,
        budget: &mut Budget,
    ) -> Result<Vec<Rel>, Reject> {
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, path)?
        else {
            return Ok(Vec::new());
        };
        let mut buf = Vec::new();
        let mut out: Vec<Rel> = Vec::new();
        let mut ids = HashSet::new();
        loop {
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            budget.step()?;
            match ev {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                    if attr(&e, b"TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External")) {
                        continue;
                    }
                    let (Some(id), Some(kind), Some(target)) =
                        (attr(&e, b"Id"), attr(&e, b"Type"), attr(&e, b"Target"))
                    else {
                        continue;
                    };
                    if !ids.insert(id.clone()) {
                        return Err(ambiguous(format!(
                            "в части «{path}» две связи с одним именем «{id}»"
                        )));
                    }
                    out.push(Rel { id, kind, target: resolve_target(base_dir, &target) });
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    fn read_workbook(&mut self, path: &str, budget: &mut Budget) -> Result<Workbook, Reject> {
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, path)?
        else {
            return Err(Reject::damaged(format!("нет части «{path}» (описание книги)")));
        };
        let mut buf = Vec::new();
        let mut text_buf = Vec::new();
        let mut wb = Workbook { sheets: Vec::new(), names: Vec::new(), is_1904: false };
        // Every distinct (name, target) once: 600 000 copies of one name cost one entry,
        // and the work stays linear in the part's size.
        let mut seen: HashSet<(String, String)> = HashSet::new();
        loop {
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            budget.step()?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                    b"workbookPr" => {
                        wb.is_1904 = attr(e, b"date1904")
                            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                    }
                    b"sheet" => {
                        if let Some(name) = attr(e, b"name") {
                            wb.sheets.push((name, rel_id_attr(e)));
                        }
                    }
                    b"definedName" if matches!(ev, Event::Start(_)) => {
                        let name = attr(e, b"name").unwrap_or_default();
                        let text = read_text(
                            &mut xml,
                            &mut text_buf,
                            b"definedName",
                            MAX_NAME_TEXT,
                            budget,
                        )
                        .map_err(|e| damaged(path, e))?;
                        // Only the form's names matter; the others are not kept.
                        let ours = strip_ci(&name, FIELD_NAME_PREFIX)
                            || strip_ci(&name, TABLE_NAME_PREFIX);
                        if ours && seen.insert((name.clone(), text.clone())) {
                            if seen.len() > 100_000 {
                                return Err(Reject::too_large(
                                    "в книге больше 100 000 разных меток ячеек",
                                ));
                            }
                            wb.names.push((name, text));
                        }
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(wb)
    }

    /// The text of the first element named `local` in a small XML part (`dcterms:modified`
    /// of core.xml, `Application` of app.xml), or `None` when there is no such part or element.
    fn read_text_of(
        &mut self,
        path: &str,
        local: &[u8],
        budget: &mut Budget,
    ) -> Result<Option<String>, Reject> {
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, path)?
        else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        let mut text_buf = Vec::new();
        loop {
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            budget.step()?;
            match ev {
                Event::Start(e) if e.local_name().as_ref() == local => {
                    let t = read_text(&mut xml, &mut text_buf, local, 256, budget)
                        .map_err(|e| damaged(path, e))?;
                    return Ok(Some(t));
                }
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }

    fn read_custom(
        &mut self,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Option<BTreeMap<String, String>>, Reject> {
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, path)?
        else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        let mut text_buf = Vec::new();
        let mut props = BTreeMap::new();
        let mut current: Option<String> = None;
        loop {
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(path, e))?;
            budget.step()?;
            match ev {
                Event::Start(e) if e.local_name().as_ref() == b"property" => {
                    current = attr(&e, b"name");
                }
                // The value is the text of the `vt:*` element inside `<property>`.
                Event::Start(e) if current.is_some() => {
                    let local = e.local_name().as_ref().to_vec();
                    let t = read_text(&mut xml, &mut text_buf, &local, MAX_NAME_TEXT, budget)
                        .map_err(|e| damaged(path, e))?;
                    if let Some(key) =
                        current.take().as_deref().and_then(|n| n.strip_prefix(PROPERTY_PREFIX))
                    {
                        props.insert(key.to_string(), t);
                    }
                }
                // An empty value element: the property is there, with no text.
                Event::Empty(_) if current.is_some() => {
                    if let Some(key) =
                        current.take().as_deref().and_then(|n| n.strip_prefix(PROPERTY_PREFIX))
                    {
                        props.insert(key.to_string(), String::new());
                    }
                }
                Event::End(e) if e.local_name().as_ref() == b"property" => current = None,
                Event::Eof => break,
                _ => {}
            }
        }
        Ok((!props.is_empty()).then_some(props))
    }

    /// Streams one worksheet, keeping the wanted cells (shared strings and styled
    /// numbers still to resolve).
    fn stream_sheet(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
        out: &mut HashMap<(u32, u32), Pending>,
    ) -> Result<(), Reject> {
        let Some(path) = self.sheet_parts.get(sheet).cloned() else {
            return Err(Reject::damaged(format!("у листа «{sheet}» нет части с ячейками")));
        };
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, &path)?
        else {
            return Err(Reject::damaged(format!("нет части «{path}» с ячейками листа «{sheet}»")));
        };
        let mut buf = Vec::new();
        let mut text_buf = Vec::new();
        let mut in_data = false;
        // Next positions for rows and cells without an address.
        let mut next_row: u32 = 0;
        let mut row: u32 = 0;
        let mut next_col: u32 = 0;
        let mut bad_addresses = 0u32;
        loop {
            // A cell in plain markup is read without the XML reader (quick_cell).
            if in_data {
                if let Some(next) = take_quick_cell(xml.get_mut(), want, sheet, &path, budget, out)?
                {
                    next_col = next;
                    continue;
                }
            }
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(&path, e))?;
            budget.step()?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    match e.local_name().as_ref() {
                        // An empty `<sheetData/>`: the sheet has no cells.
                        b"sheetData" if empty => break,
                        b"sheetData" => in_data = true,
                        b"row" if in_data => {
                            budget.tick()?;
                            row = row_index(e, next_row);
                            next_row = row.saturating_add(1);
                            next_col = 0;
                        }
                        b"c" if in_data => {
                            budget.tick()?;
                            let plain = plain_attrs(e, [b"r", b"t", b"s"]);
                            let attr = |i: usize, local: &[u8]| match plain {
                                Some(a) => a[i].map(Cow::Borrowed),
                                None => attr_ref(e, local),
                            };
                            let pos = match attr(0, b"r") {
                                Some(r) => match cell_address(&r) {
                                    Some(p) => Some(p),
                                    None => {
                                        if bad_addresses < 20 {
                                            self.notes.push(bad_address(sheet, &r));
                                        }
                                        bad_addresses += 1;
                                        None
                                    }
                                },
                                None if row != u32::MAX => Some((row, next_col)),
                                None => None,
                            };
                            if let Some((_, c)) = pos {
                                next_col = c.saturating_add(1);
                            }
                            let wanted = pos.filter(|&(r, c)| want.contains(r, c));
                            let Some((r, c)) = wanted else {
                                if !empty {
                                    xml.read_to_end_into(e.name(), &mut text_buf)
                                        .map_err(|e| damaged(&path, e))?;
                                }
                                continue;
                            };
                            let kind = attr(1, b"t");
                            let style = attr(2, b"s").and_then(|s| s.trim().parse::<u32>().ok());
                            let mut cell = CellXml::default();
                            if !empty {
                                read_cell(&mut xml, &mut text_buf, &mut cell, budget)
                                    .map_err(|e| damaged(&path, e))?;
                            }
                            let p = pending(kind.as_deref(), style, cell, sheet, r, c)?;
                            keep(out, (r, c), p, budget)?;
                        }
                        _ => {}
                    }
                }
                // The cells end here; what follows (merged ranges, data validation,
                // page setup: often as long as the cells) is not tokenized — calamine
                // stops here too — but still inflated to its end, so that a damaged
                // stream or a wrong checksum refuses the file as before.
                Event::End(e) if in_data && e.local_name().as_ref() == b"sheetData" => break,
                Event::Eof => break,
                _ => {}
            }
        }
        drain(xml.get_mut(), &path, budget)?;
        if bad_addresses > 20 {
            self.notes.push(Finding::warning(
                Code::FileDamaged,
                "",
                format!(
                    "на листе «{sheet}» ещё {} ячеек с неверным адресом пропущены",
                    bad_addresses - 20
                ),
            ));
        }
        Ok(())
    }

    /// Streams the shared-string table once, keeping only the strings in `wanted`.
    fn shared_strings(
        &mut self,
        wanted: &BTreeSet<u32>,
        budget: &mut Budget,
    ) -> Result<HashMap<u32, String>, Reject> {
        let mut out = HashMap::default();
        if wanted.is_empty() {
            return Ok(out);
        }
        let path = self.shared_strings.clone().unwrap_or_default();
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, &path)?
        else {
            return Err(Reject::damaged(
                "ячейки ссылаются на таблицу строк (sharedStrings.xml), а её в файле нет",
            ));
        };
        let last = *wanted.last().expect("not empty");
        let mut buf = Vec::new();
        let mut text_buf = Vec::new();
        let mut index: u32 = 0;
        loop {
            // A string in plain markup in the bytes at hand is passed over (most of the
            // table is not wanted) or read without the XML reader.
            let window = std::io::BufRead::fill_buf(xml.get_mut())
                .map_err(|e| damaged(&path, quick_xml::Error::from(e)))?;
            let quick = if wanted.contains(&index) {
                plain_string(window).map(|(n, s)| (n, Some(s)))
            } else {
                plain_element(window, b"si").map(|(n, _)| (n, None))
            };
            if let Some((n, s)) = quick {
                std::io::BufRead::consume(xml.get_mut(), n);
                budget.step()?;
                if let Some(s) = s {
                    out.insert(index, s);
                }
                index += 1;
                if index > last {
                    break;
                }
                continue;
            }
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(&path, e))?;
            budget.step()?;
            match ev {
                Event::Start(ref e) if e.local_name().as_ref() == b"si" => {
                    if wanted.contains(&index) {
                        let s = read_rich_text(&mut xml, &mut text_buf, b"si", budget)
                            .map_err(|e| damaged(&path, e))?;
                        out.insert(index, s);
                    } else {
                        xml.read_to_end_into(e.name(), &mut text_buf)
                            .map_err(|e| damaged(&path, e))?;
                    }
                    index += 1;
                    if index > last {
                        break;
                    }
                }
                Event::Empty(ref e) if e.local_name().as_ref() == b"si" => {
                    if wanted.contains(&index) {
                        out.insert(index, String::new());
                    }
                    index += 1;
                    if index > last {
                        break;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// Which of the `wanted` cell styles have a date format: streams `styles.xml`,
    /// keeping custom number formats and the format id of the wanted `cellXfs` only.
    fn date_styles(
        &mut self,
        wanted: &BTreeSet<u32>,
        budget: &mut Budget,
    ) -> Result<HashMap<u32, NumFormat>, Reject> {
        let mut out = HashMap::default();
        if wanted.is_empty() {
            return Ok(out);
        }
        let path = self.styles.clone().unwrap_or_default();
        // A workbook without styles has only the default style: no dates.
        let Some(mut xml) =
            Self::part(&mut self.zip, self.bytes, &self.parts, self.max_part, &path)?
        else {
            return Ok(out);
        };
        let mut buf = Vec::new();
        let mut custom: HashMap<u32, NumFormat> = HashMap::default();
        let mut xf_ids: HashMap<u32, u32> = HashMap::default();
        let mut in_xfs = false;
        let mut in_num_fmts = false;
        let mut xf_index: u32 = 0;
        loop {
            buf.clear();
            let ev = xml.read_event_into(&mut buf).map_err(|e| damaged(&path, e))?;
            budget.step()?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    match e.local_name().as_ref() {
                        b"numFmts" => in_num_fmts = !empty,
                        b"cellXfs" => in_xfs = !empty,
                        b"numFmt" if in_num_fmts => {
                            if let (Some(id), Some(code)) = (
                                attr(e, b"numFmtId").and_then(|v| v.trim().parse::<u32>().ok()),
                                attr(e, b"formatCode"),
                            ) {
                                custom.insert(id, classify_format(&code));
                            }
                        }
                        b"xf" if in_xfs => {
                            if wanted.contains(&xf_index) {
                                let id = attr(e, b"numFmtId")
                                    .and_then(|v| v.trim().parse::<u32>().ok())
                                    .unwrap_or(0);
                                xf_ids.insert(xf_index, id);
                            }
                            xf_index = xf_index.saturating_add(1);
                        }
                        _ => {}
                    }
                }
                Event::End(ref e) => match e.local_name().as_ref() {
                    b"numFmts" => in_num_fmts = false,
                    b"cellXfs" => in_xfs = false,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        for (xf, id) in xf_ids {
            let f = custom.get(&id).copied().unwrap_or_else(|| builtin_format(id));
            out.insert(xf, f);
        }
        Ok(out)
    }
}

/// An entry's inflated bytes, never more than its declared size: a header that lies
/// (small size, large stream) is an error, not more data.
pub(crate) struct Declared<R> {
    inner: R,
    left: u64,
}

impl<R: std::io::Read> std::io::Read for Declared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One more byte would be beyond the declared end.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "часть больше заявленного размера",
                )),
            };
        }
        let max = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn strip_ci(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn bad_address(sheet: &str, r: &str) -> Finding {
    let shown: String = r.chars().take(20).collect();
    Finding::warning(
        Code::FileDamaged,
        "",
        format!(
            "на листе «{sheet}» ячейка с неверным адресом «{shown}» пропущена: такой ячейки \
             на листе нет. Если значения формы не на месте, пересохраните форму в Excel или \
             LibreOffice"
        ),
    )
    .at(sheet.to_string(), shown)
}

/// `E14` → (13, 4); `None` for anything that is not a cell of the grid (`A0`, `XFE1`).
fn cell_address(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().as_bytes();
    let split = s.iter().position(|c| !c.is_ascii_alphabetic())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut row: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u32::from(d - b'0');
    }
    let mut col: u32 = 0;
    for &b in letters {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    if row == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// What a `<c>` element holds.
#[derive(Default)]
struct CellXml {
    v: Option<String>,
    inline: Option<String>,
    formula: bool,
}

fn read_cell<R: std::io::BufRead>(
    xml: &mut Reader<R>,
    buf: &mut Vec<u8>,
    cell: &mut CellXml,
    budget: &mut Budget,
) -> Result<(), quick_xml::Error> {
    let mut inner = Vec::new();
    loop {
        buf.clear();
        let ev = xml.read_event_into(buf)?;
        if budget.step().is_err() {
            return Ok(());
        }
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"v" => cell.v = Some(read_text(xml, &mut inner, b"v", MAX_CELL_TEXT, budget)?),
                b"f" => {
                    cell.formula = true;
                    let name = e.name().as_ref().to_vec();
                    xml.read_to_end_into(quick_xml::name::QName(&name), &mut inner)?;
                }
                b"is" => cell.inline = Some(read_rich_text(xml, &mut inner, b"is", budget)?),
                _ => {
                    let name = e.name().as_ref().to_vec();
                    xml.read_to_end_into(quick_xml::name::QName(&name), &mut inner)?;
                }
            },
            Event::Empty(e) if e.local_name().as_ref() == b"f" => cell.formula = true,
            Event::End(e) if e.local_name().as_ref() == b"c" => return Ok(()),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The text of a `<si>` or `<is>`: its `<t>` runs (plain or rich), phonetic runs
/// (`<rPh>`) left out, `_xHHHH_` escapes resolved; whitespace trimmed unless
/// `xml:space="preserve"` — as Excel and calamine read it.
fn read_rich_text<R: std::io::BufRead>(
    xml: &mut Reader<R>,
    buf: &mut Vec<u8>,
    end: &[u8],
    budget: &mut Budget,
) -> Result<String, quick_xml::Error> {
    let mut out = String::new();
    let mut inner = Vec::new();
    loop {
        buf.clear();
        let ev = xml.read_event_into(buf)?;
        if budget.step().is_err() {
            return Ok(out);
        }
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => {
                    let preserve = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"xml:space" && a.value.as_ref() == b"preserve");
                    let t = read_text(xml, &mut inner, b"t", MAX_CELL_TEXT, budget)?;
                    let t =
                        if preserve { t.as_str() } else { t.trim_matches([' ', '\t', '\r', '\n']) };
                    if out.len() + t.len() <= MAX_CELL_TEXT {
                        out.push_str(&unescape_ooxml(t));
                    }
                }
                b"rPh" | b"phoneticPr" => {
                    let name = e.name().as_ref().to_vec();
                    xml.read_to_end_into(quick_xml::name::QName(&name), &mut inner)?;
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == end => return Ok(out),
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// `_x000D_` → CR (a UTF-16 unit in hex; surrogate pairs combined, lone ones → U+FFFD).
fn unescape_ooxml(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("_x") {
        return std::borrow::Cow::Borrowed(s);
    }
    let unit_at = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes();
        if i + 7 <= b.len() && &b[i..i + 2] == b"_x" && b[i + 6] == b'_' {
            let hex = std::str::from_utf8(&b[i + 2..i + 6]).ok()?;
            if hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return u16::from_str_radix(hex, 16).ok();
            }
        }
        None
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if let Some(u) = unit_at(s, i) {
            i += 7;
            match u {
                0xD800..=0xDBFF => match unit_at(s, i) {
                    Some(lo @ 0xDC00..=0xDFFF) => {
                        let cp =
                            0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                        out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                        i += 7;
                    }
                    _ => out.push(char::REPLACEMENT_CHARACTER),
                },
                0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
                _ => out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER)),
            }
        } else {
            let ch = s[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Wanted cells of one sheet before their shared strings and styles are read.
type PendingGrid = HashMap<(u32, u32), Pending>;

/// A wanted cell before the shared strings and styles it refers to are read.
enum Pending {
    Done(StoredCell),
    Shared { index: u32, formula: bool },
    Styled { number: f64, style: u32, formula: bool },
}

fn pending(
    kind: Option<&str>,
    style: Option<u32>,
    cell: CellXml,
    sheet: &str,
    r: u32,
    c: u32,
) -> Result<Pending, Reject> {
    let formula = cell.formula;
    let done = |value: Value| {
        let value = if formula && value == Value::Empty { Value::FormulaNoValue } else { value };
        Ok(Pending::Done(StoredCell { value, formula }))
    };
    let has_v = cell.v.is_some();
    let v = cell.v.unwrap_or_default();
    let t = v.trim();
    match kind.map(str::trim) {
        Some("s") => {
            if t.is_empty() {
                return done(Value::Empty);
            }
            match t.parse::<u32>() {
                Ok(index) => Ok(Pending::Shared { index, formula }),
                Err(_) => Err(Reject::damaged(format!(
                    "лист «{sheet}», ячейка {}: вместо номера строки из таблицы строк записано «{}»",
                    a1(r, c),
                    t.chars().take(20).collect::<String>()
                ))),
            }
        }
        Some("inlineStr") => done(match cell.inline {
            Some(s) => Value::Text(s),
            None if !v.is_empty() => Value::Text(unescape_ooxml(&v).into_owned()),
            None => Value::Empty,
        }),
        Some("str") => {
            done(if !has_v { Value::Empty } else { Value::Text(unescape_ooxml(&v).into_owned()) })
        }
        Some("b") => done(match t {
            "" => Value::Empty,
            "1" | "true" | "TRUE" => Value::Bool(true),
            "0" | "false" | "FALSE" => Value::Bool(false),
            _ => Value::Text(v.clone()),
        }),
        Some("e") => done(if t.is_empty() { Value::Empty } else { Value::Error(t.to_string()) }),
        Some("d") => done(match parse_iso_datetime(t) {
            Some(d) => Value::DateTime(d),
            None if t.is_empty() => Value::Empty,
            None => Value::Text(v.clone()),
        }),
        // «n», no type, or a type we do not know: a number if it parses, else the text
        // as it is («0x10»), which validation names by sheet and cell.
        _ => {
            if t.is_empty() {
                return done(Value::Empty);
            }
            match t.parse::<f64>() {
                Ok(number) if number.is_finite() => match style {
                    Some(style) => Ok(Pending::Styled { number, style, formula }),
                    None => done(Value::Number(number)),
                },
                _ => done(Value::Text(v.clone())),
            }
        }
    }
}

/// What a number format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumFormat {
    Date,
    Duration,
    Other,
}

/// Built-in format ids (ECMA-376 18.8.30) that show dates and times.
fn builtin_format(id: u32) -> NumFormat {
    match id {
        14..=22 | 45 | 47 | 27..=36 | 50..=58 => NumFormat::Date,
        46 => NumFormat::Duration,
        _ => NumFormat::Other,
    }
}

/// A custom format shows a date when its first section has a date or time token
/// (d, m, y, h, s, AM/PM) outside quotes, escapes and brackets; `[h]`, `[mm]`, `[ss]`
/// are elapsed times (durations), which stay numbers.
fn classify_format(code: &str) -> NumFormat {
    let mut escaped = false;
    let mut quoted = false;
    let mut bracket = String::new();
    let mut in_bracket = false;
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        if escaped {
            escaped = false;
            continue;
        }
        if quoted {
            if ch == '"' {
                quoted = false;
            }
            continue;
        }
        if in_bracket {
            if ch == ']' {
                in_bracket = false;
                let b = bracket.to_ascii_lowercase();
                if !b.is_empty() && b.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    return NumFormat::Duration;
                }
            } else {
                bracket.push(ch);
            }
            continue;
        }
        match ch {
            '\\' | '_' | '*' => escaped = true,
            '"' => quoted = true,
            '[' => {
                in_bracket = true;
                bracket.clear();
            }
            ';' => return NumFormat::Other,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return NumFormat::Date,
            'a' | 'A' => {
                let rest: String =
                    chars[i - 1..].iter().take(5).collect::<String>().to_ascii_uppercase();
                if rest.starts_with("AM/PM") || rest.starts_with("A/P") {
                    return NumFormat::Date;
                }
            }
            _ => {}
        }
    }
    NumFormat::Other
}

impl Backend for XlsxBackend<'_> {
    fn read_cells(
        &mut self,
        sheet: &str,
        want: &Want,
        budget: &mut Budget,
    ) -> Result<HashMap<(u32, u32), StoredCell>, Reject> {
        let mut one = BTreeMap::new();
        one.insert(sheet.to_string(), want.clone());
        Ok(self.read_sheets(&one, budget)?.remove(sheet).unwrap_or_default())
    }

    /// All wanted sheets, then one pass over the shared strings (and the styles, if a
    /// wanted number has one) for all of them.
    fn read_sheets(
        &mut self,
        wants: &BTreeMap<String, Want>,
        budget: &mut Budget,
    ) -> Result<HashMap<String, super::Grid>, Reject> {
        let mut pending: Vec<(String, PendingGrid)> = Vec::new();
        for (sheet, want) in wants {
            let mut cells = HashMap::default();
            self.stream_sheet(sheet, want, budget, &mut cells)?;
            pending.push((sheet.clone(), cells));
        }
        let mut strings_wanted = BTreeSet::new();
        let mut styles_wanted = BTreeSet::new();
        for (_, cells) in &pending {
            for p in cells.values() {
                match p {
                    Pending::Shared { index, .. } => {
                        strings_wanted.insert(*index);
                    }
                    Pending::Styled { style, .. } => {
                        styles_wanted.insert(*style);
                    }
                    Pending::Done(_) => {}
                }
            }
        }
        let strings = self.shared_strings(&strings_wanted, budget)?;
        let formats = self.date_styles(&styles_wanted, budget)?;
        let is_1904 = self.is_1904;
        let mut out = HashMap::default();
        for (sheet, cells) in pending {
            let mut grid = HashMap::with_capacity_and_hasher(cells.len(), Default::default());
            // In sheet order, so that the first broken cell reported is the same every run.
            let mut cells: Vec<((u32, u32), Pending)> = cells.into_iter().collect();
            cells.sort_unstable_by_key(|(pos, _)| *pos);
            for ((r, c), p) in cells {
                let raw = match p {
                    Pending::Done(raw) => raw,
                    Pending::Shared { index, formula } => {
                        let Some(s) = strings.get(&index) else {
                            return Err(Reject::damaged(format!(
                                "лист «{sheet}», ячейка {}: ссылка на строку {index}, которой \
                                 нет в таблице строк",
                                a1(r, c)
                            )));
                        };
                        let value = Value::Text(s.clone());
                        budget.keep_text(&value)?;
                        StoredCell { value, formula }
                    }
                    Pending::Styled { number, style, formula } => {
                        let value = match formats.get(&style) {
                            Some(NumFormat::Date) => match serial_to_datetime(number, is_1904) {
                                Some(d) => Value::DateTime(d),
                                None => Value::Number(number),
                            },
                            _ => Value::Number(number),
                        };
                        StoredCell { value, formula }
                    }
                };
                grid.insert((r, c), raw);
            }
            out.insert(sheet, grid);
        }
        Ok(out)
    }

    fn take_notes(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.notes)
    }
}

// ---- the school registry: read by calamine (not a return), checked first

/// calamine reserves memory for the `uniqueCount` that `sharedStrings.xml` declares,
/// before reading a single string: `uniqueCount="100000000000"` would abort the process
/// on a failed allocation. Read the declaration ourselves first (the `<sst>` start tag
/// is at the top of the part; we inflate at most 64 KB to find it).
pub(super) fn precheck_shared_strings(bytes: &[u8], limits: &Limits) -> Result<(), Reject> {
    precheck_shared_strings_in(&mut container::open(bytes)?, limits)
}

/// [`precheck_shared_strings`] on an opened archive.
pub(super) fn precheck_shared_strings_in<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), Reject> {
    // calamine finds the part relative to the workbook's folder (normally
    // `xl/sharedStrings.xml`); check every part of that name, wherever it is.
    let parts: Vec<String> = zip
        .file_names()
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(str::to_string)
        .collect();
    for part in parts {
        check_declared_count(zip, &part, limits)?;
    }
    Ok(())
}

fn check_declared_count<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    part: &str,
    limits: &Limits,
) -> Result<(), Reject> {
    use std::io::Read;
    let Ok(entry) = zip.by_name(part) else {
        return Ok(());
    };
    // Inflate lazily through a small buffer: the `<sst>` tag is within the first few
    // hundred bytes, and inflating the whole part here (calamine inflates it again) was a
    // visible share of the per-file cost in profiles. Same 64 KB bound as before; an
    // inflate error ends the search like the end of the part did.
    let head = std::io::BufReader::with_capacity(1024, entry.take(64 * 1024));
    let mut xml = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == b"sst" => {
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() == b"uniqueCount" {
                        let text = String::from_utf8_lossy(&attr.value).trim().to_string();
                        let ok = text.parse::<u64>().map(|n| n <= limits.max_shared_strings);
                        // Unparseable counts are ignored by calamine too; only a large
                        // number is dangerous.
                        if let Ok(false) = ok {
                            return Err(Reject::too_large(format!(
                                "таблица строк объявляет {text} строк (допускается не более {})",
                                limits.max_shared_strings
                            )));
                        }
                    }
                }
                return Ok(());
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_addresses() {
        assert_eq!(cell_address("A1"), Some((0, 0)));
        assert_eq!(cell_address("E14"), Some((13, 4)));
        assert_eq!(cell_address("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["A0", "XFE1", "A1048577", "", "1", "A", "A-1", "AAAA1", "A1x"] {
            assert_eq!(cell_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(classify_format("dd.mm.yyyy"), NumFormat::Date);
        assert_eq!(classify_format("[$-419]d mmmm yyyy"), NumFormat::Date);
        assert_eq!(classify_format("[h]:mm"), NumFormat::Duration);
        assert_eq!(classify_format("0.00"), NumFormat::Other);
        assert_eq!(classify_format("\"дней\" 0"), NumFormat::Other);
        assert_eq!(classify_format("General"), NumFormat::Other);
        assert_eq!(builtin_format(14), NumFormat::Date);
        assert_eq!(builtin_format(0), NumFormat::Other);
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("_xD83D__xDCF7_"), "\u{1F4F7}");
        assert_eq!(unescape_ooxml("_x00"), "_x00");
    }

    /// Wherever the one-pass reader of plain attributes answers, it answers what the
    /// general path does; it declines what it does not read the same way.
    #[test]
    fn plain_attributes_read_as_the_general_path_does() {
        let tag = |xml: &str| {
            let mut r = Reader::from_str(xml);
            match r.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => e.into_owned(),
                other => panic!("{other:?}"),
            }
        };
        let general = |e: &BytesStart<'_>| {
            [b"r".as_slice(), b"t", b"s"].map(|k| attr_ref(e, k).map(|v| v.into_owned()))
        };
        let plain = [
            (r#"<c r="E14" s="10" t="s"/>"#, [Some("E14"), Some("s"), Some("10")]),
            (r#"<c r="E14"/>"#, [Some("E14"), None, None]),
            ("<c/>", [None, None, None]),
            (
                r#"<c  r='B2'	t="str"
                 s="3" />"#,
                [Some("B2"), Some("str"), Some("3")],
            ),
            (r#"<c r="A1" r="B2"/>"#, [Some("A1"), None, None]),
            (r#"<c r="A1"s="2"/>"#, [Some("A1"), None, Some("2")]),
            (r#"<c r=" E5 " cm="1" vm="x.y-z_w"/>"#, [Some(" E5 "), None, None]),
            (r#"<c r="Ф1"/>"#, [Some("Ф1"), None, None]),
            (r#"<row r="7" spans="1:5" ht="17.25" customHeight="1">"#, [Some("7"), None, None]),
        ];
        for (xml, want) in plain {
            let e = tag(xml);
            let got = plain_attrs(&e, [b"r", b"t", b"s"]).unwrap_or_else(|| panic!("{xml}"));
            assert_eq!(got, want, "{xml}");
            assert_eq!(got.map(|v| v.map(str::to_string)), general(&e), "{xml}");
        }
        let declined = [
            r#"<c r="A&amp;1"/>"#,
            r#"<c x:r="A1"/>"#,
            r#"<c r = "A1"/>"#,
            r#"<c r=A1/>"#,
            r#"<c r/>"#,
            r#"<c ="A1"/>"#,
        ];
        for xml in declined {
            let e = tag(xml);
            assert_eq!(plain_attrs(&e, [b"r", b"t", b"s"]), None, "{xml}");
        }
    }

    /// Passing over an element by [`plain_element`] consumes exactly what the XML
    /// reader's `read_to_end_into` consumes after the element's start, and never passes
    /// over what the reader refuses.
    #[test]
    fn plain_elements_are_passed_over_as_the_reader_does() {
        // (the bytes at hand, whether the fast path takes the element)
        let cases: &[(&str, bool)] = &[
            ("<si><t>Отчёт</t></si><si>", true),
            ("<si></si>", true),
            ("  \n<si><t xml:space=\"preserve\"> a </t></si>", true),
            ("<si><r><rPr><b/><sz val=\"11\"/></rPr><t>жирный</t></r><r><t>x</t></r></si>", true),
            ("<si><t a=\"</si>\">x</t></si>", true),
            ("<si><t a='>'>x</t></si><t>", true),
            ("<si><t>a > b</t></si>", true),
            ("<si><si><t>вложенная</t></si></si>", true),
            ("<si><t>x</t ></si >", true),
            ("<si><t\ta=\"1\"\n>x</t\r\n></si>", true),
            // Left to the reader: entities, comments, CDATA, instructions, other forms.
            ("<si><t>&amp;</t></si>", false),
            ("<si><!-- </si> --></si>", false),
            ("<si><![CDATA[</si>]]></si>", false),
            ("<si><?pi </si>?></si>", false),
            ("<si >x</si>", true),
            ("<si/>", true),
            ("<si a=\"/>\" />", true),
            ("<x:si>x</x:si>", false),
            ("<sir>x</sir>", false),
            ("<si><t x=\"<\">x</t></si>", true),
            // What the reader refuses, or cannot see the end of.
            ("<si><t>x</u></si>", false),
            ("<si><t>x</si>", false),
            ("<si><t>не закрыта", false),
            ("<si><t>x</t>", false),
            ("<si><t>x</t><</si>", false),
        ];
        for &(case, fast) in cases {
            let ours = plain_element(case.as_bytes(), b"si").map(|(n, _)| n);
            // The reader: the start event (after any whitespace), then read_to_end_into.
            let mut xml = Reader::from_reader(case.as_bytes());
            xml.config_mut().trim_text(false);
            let mut buf = Vec::new();
            let theirs = loop {
                buf.clear();
                match xml.read_event_into(&mut buf) {
                    Ok(Event::Text(t)) if t.iter().all(|b| is_xml_space(*b)) => continue,
                    Ok(Event::Start(e)) if e.name().as_ref() == b"si" => {
                        let name = e.name().as_ref().to_vec();
                        let mut inner = Vec::new();
                        break xml
                            .read_to_end_into(quick_xml::name::QName(&name), &mut inner)
                            .ok()
                            .map(|_| xml.buffer_position() as usize);
                    }
                    Ok(Event::Empty(e)) if e.name().as_ref() == b"si" => {
                        break Some(xml.buffer_position() as usize)
                    }
                    _ => break None,
                }
            };
            if fast {
                assert!(ours.is_some(), "{case}: not taken");
                assert_eq!(ours, theirs, "{case}");
            } else {
                assert_eq!(ours, None, "{case}");
            }
        }
        // Cut at the window's end: left to the reader.
        assert_eq!(plain_element(b"<si><t>x</t></s", b"si"), None);
        // A cell: its length and its attributes.
        let cell = br#"<c r="B1" s="1" t="s"><v>0</v></c><c r="C1" s="1"/>"#;
        let (n, attrs) = plain_element(cell, b"c").expect("plain");
        assert_eq!((n, attrs), (34, &br#" r="B1" s="1" t="s""#[..]));
        assert_eq!(plain_attrs_in(attrs, [b"r", b"t"]), Some([Some("B1"), Some("s")]));
        assert_eq!(plain_element(&cell[n..], b"c"), Some((17, &br#" r="C1" s="1""#[..])));
        assert_eq!(plain_element(b"<col min=\"1\"/>", b"c"), None);
    }

    /// A shared string read without the XML reader reads as the reader reads it.
    #[test]
    fn plain_strings_read_as_the_reader_reads_them() {
        let cases: &[(&str, bool)] = &[
            ("<si><t>Отчёт</t></si><si>", true),
            ("<si><t>  по краям \n</t></si>", true),
            (r#"<si><t xml:space="preserve">  по краям </t></si>"#, true),
            ("<si><t></t></si>", true),
            ("<si><t>a_x000D_b</t></si>", true),
            ("<si><t>a &amp; b</t></si>", false),
            ("<si><t>a\r\nb</t></si>", false),
            ("<si><r><t>rich</t></r></si>", false),
            ("<si><t>x</t><rPh><t>ふ</t></rPh></si>", false),
            ("<si><t/></si>", false),
            ("<si><t>x</t> </si>", false),
        ];
        for &(case, fast) in cases {
            let ours = plain_string(case.as_bytes());
            let mut xml = Reader::from_reader(case.as_bytes());
            xml.config_mut().trim_text(false);
            let mut buf = Vec::new();
            assert!(matches!(xml.read_event_into(&mut buf), Ok(Event::Start(_))));
            let mut budget = Budget::new(&Limits::default());
            let theirs = read_rich_text(&mut xml, &mut buf, b"si", &mut budget).unwrap();
            let theirs = (xml.buffer_position() as usize, theirs);
            match ours {
                Some(ours) => {
                    assert!(fast, "{case}: taken");
                    assert_eq!(ours, theirs, "{case}");
                }
                None => assert!(!fast, "{case}: not taken"),
            }
        }
    }

    /// A cell read without the XML reader: what the reader would make of it, or left to
    /// the reader.
    #[test]
    fn quick_cells_are_read_as_the_reader_reads_them_or_left_to_it() {
        let mut want = Want::default();
        want.add(0, 0, 0, 0); // A1 only
        let quick = |xml: &str| {
            let mut source = xml.as_bytes();
            quick_cell(&mut source, &want, "Отчёт", "sheet1.xml").unwrap()
        };
        let kept = |xml: &str| match quick(xml) {
            Some(QuickCell { len, col: 0, kept: Some(((0, 0), p)) }) => {
                assert_eq!(len, xml.len(), "{xml}");
                p
            }
            _ => panic!("not read: {xml}"),
        };
        assert!(matches!(
            kept(r#"<c r="A1"><v>42</v></c>"#),
            Pending::Done(StoredCell { value: Value::Number(n), formula: false }) if n == 42.0
        ));
        assert!(matches!(
            kept(r#"<c r="A1" s="3" t="s"><v>7</v></c>"#),
            Pending::Shared { index: 7, formula: false }
        ));
        assert!(matches!(
            kept(r#"<c r="A1" s="3"><v>46000</v></c>"#),
            Pending::Styled { style: 3, formula: false, .. }
        ));
        assert!(matches!(
            kept(r#"<c r="A1" t="str"><v>текст</v></c>"#),
            Pending::Done(StoredCell { value: Value::Text(t), .. }) if t == "текст"
        ));
        assert!(matches!(
            kept(r#"<c s="1" r="A1"/>"#),
            Pending::Done(StoredCell { value: Value::Empty, .. })
        ));
        assert!(matches!(kept(r#"<c r="A1"></c>"#), Pending::Done(_)));
        // Left to the reader: a formula, an entity, a carriage return, rich content, no
        // address, a bad address.
        for xml in [
            r#"<c r="A1"><f>1+1</f><v>2</v></c>"#,
            r#"<c r="A1" t="str"><v>a&amp;b</v></c>"#,
            "<c r=\"A1\" t=\"str\"><v>a\rb</v></c>",
            r#"<c r="A1" t="inlineStr"><is><t>x</t></is></c>"#,
            r#"<c r="A1"><v>1</v> </c>"#,
            r#"<c><v>1</v></c>"#,
            r#"<c r="A0"><v>1</v></c>"#,
            r#"<c r="A1" t="s"><v>1</v>"#,
        ] {
            assert!(quick(xml).is_none(), "{xml}");
        }
        // A cell not wanted is passed over whatever it holds, when its markup is plain.
        for xml in [r#"<c r="B1"><f>1+1</f><v>2</v></c>"#, r#"<c r="B1" s="1"/>"#] {
            assert!(
                matches!(quick(xml), Some(QuickCell { len, col: 1, kept: None }) if len == xml.len()),
                "{xml}"
            );
        }
        assert!(quick(r#"<c r="B1"><v>&amp;</v></c>"#).is_none());
    }

    #[test]
    fn targets() {
        assert_eq!(resolve_target("xl", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve_target("xl", "/xl/worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve_target("xl/sub", "../styles.xml"), "xl/styles.xml");
    }

    /// A one-entry archive of `content`, stored or deflated.
    fn one_entry(content: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file("xl/part.xml", options).unwrap();
        w.write_all(content).unwrap();
        w.finish().unwrap().into_inner()
    }

    /// The entry read to its end as the parsers read it: through the zip crate's reader
    /// bounded by [`Declared`] (`own` false), or [`container::PartStream`] (`own` true) —
    /// its bytes, or the error's words as a parser shows them.
    fn read_part(bytes: &[u8], own: bool) -> Result<Vec<u8>, String> {
        use std::io::Read;
        let mut zip = container::open(bytes).map_err(|r| r.what)?;
        let mut out = Vec::new();
        let read = if own {
            container::PartStream::open(&mut zip, bytes, 0)
                .map_err(|e| e.to_string())?
                .expect("stored or deflated")
                .read_to_end(&mut out)
        } else {
            let entry = zip.by_index(0).map_err(|e| e.to_string())?;
            let left = entry.size();
            let mut r = BufReader::with_capacity(256, Declared { inner: entry, left });
            std::io::copy(&mut r, &mut out).map(|n| n as usize)
        };
        read.map(|_| out).map_err(|e| e.to_string())
    }

    /// The offset of the central directory record of the only entry.
    fn central(bytes: &[u8]) -> usize {
        bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap()
    }

    /// A part streamed from the file by the reused inflater gives what the zip crate's
    /// reader gave, bytes or refusal, whatever the entry's header says: sizes that lie
    /// either way, a wrong CRC, a damaged or cut stream; stored or deflated. The inflater
    /// is reused from one case to the next (one thread), as in a run.
    #[test]
    fn own_part_stream_reads_as_the_zip_crate_does() {
        let content: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("<c r=\"A{i}\"><v>{}</v></c>", i % 97).into_bytes())
            .collect();
        let set_u32 = |b: &mut Vec<u8>, at: usize, v: u32| {
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        };
        let get_u32 = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        for (m, method) in [
            ("stored", zip::CompressionMethod::Stored),
            ("deflated", zip::CompressionMethod::Deflated),
        ] {
            let good = one_entry(&content, method);
            let cd = central(&good);
            let (crc, packed, size) =
                (get_u32(&good, cd + 16), get_u32(&good, cd + 20), get_u32(&good, cd + 24));
            cases.push((m, good.clone()));
            let mut b = good.clone();
            set_u32(&mut b, cd + 16, crc ^ 1);
            cases.push((m, b)); // wrong CRC
            let mut b = good.clone();
            set_u32(&mut b, cd + 24, size - 10);
            cases.push((m, b)); // declared smaller than the stream
            let mut b = good.clone();
            set_u32(&mut b, cd + 24, size + 10);
            cases.push((m, b)); // declared larger
            let mut b = good.clone();
            set_u32(&mut b, cd + 20, packed / 2);
            cases.push((m, b)); // the stream cut
            let mut b = good.clone();
            let data = 30 + "xl/part.xml".len() + 100;
            for x in &mut b[data..data + 64] {
                *x ^= 0x5a;
            }
            cases.push((m, b)); // the stream damaged
        }
        let mut outcomes = std::collections::BTreeSet::new();
        for (i, (m, bytes)) in cases.iter().enumerate() {
            let theirs = read_part(bytes, false);
            let ours = read_part(bytes, true);
            assert_eq!(ours, theirs, "case {i} ({m})");
            outcomes.insert(match &ours {
                Ok(b) if *b == content => "the content".to_string(),
                Ok(b) => format!("{} bytes", b.len()),
                Err(e) => e.clone(),
            });
        }
        // The cases reach every way an entry ends.
        for end in ["the content", "Invalid checksum", "часть больше заявленного размера"]
        {
            assert!(outcomes.contains(end), "{end}: {outcomes:?}");
        }
        assert!(outcomes.iter().any(|o| o.contains("deflate stream")), "{outcomes:?}");
    }
}
