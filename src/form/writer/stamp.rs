//! A campaign's forms for many schools (`profplan template`), without building each
//! workbook from scratch.
//!
//! The forms of one campaign differ only in the school: its name, code and short name
//! (shared strings, page footers, document properties), the identity check, the prefilled
//! profile figures, and the heights of the rows its name wraps in. [`FormStamp`] builds the
//! campaign's form once per [`Shape`] (those heights, which profile figures are prefilled
//! and from where) with the full writer and placeholders for the school. A part that does
//! not mention the school is copied into every form as it is (its compressed bytes); in
//! the others — the shared strings, the sheets (footer, prefilled figures), the document
//! properties — each school's texts are put in place of the placeholders, escaped the way
//! rust_xlsxwriter escapes them.
//!
//! The full writer stays the reference: every part of a stamped form, unzipped, equals the
//! same part of the form [`super::write_form_carried`] makes (tests/it/form_stamp.rs). Where
//! that cannot be guaranteed the form is made by the full writer: a school text with a
//! literal «_x» (rust_xlsxwriter escapes «_xHHHH_» in shared strings), a school text equal
//! to another text of the form (shared strings would be merged), a template whose
//! placeholders are not where they are expected.
//!
//! Only the zip container differs from the full writer's: the same entries in the same
//! order, but each part's unchanging text is deflated once per template (level 6, each run
//! between two school values on its own and ended with a sync flush, so that the runs can
//! be joined), the school's values between them are stored as they are (stored deflate
//! blocks), and the CRC of the part is combined from those of its pieces. A form costs
//! copying ~20 KB and a few hundred bytes of school text instead of compressing ~70 KB.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

use crc32fast::Hasher;
use flate2::{Compress, Compression, FlushCompress};
use zip::ZipArchive;

use super::*;
use crate::form::layout::key as id_key;

/// Placeholders of the school's texts in a template. The private-use character cannot come
/// from rust_xlsxwriter's escaping, so a placeholder found in a part is one we put there.
const MARK: char = '\u{E000}';
const NAME: &str = "\u{E000}N\u{E000}";
const ID: &str = "\u{E000}I\u{E000}";
const SHORT: &str = "\u{E000}S\u{E000}";
/// The placeholder of the prefilled figure of profile field `i` is `NUMBER_BASE + i`.
const NUMBER_BASE: f64 = 987_654_321_000.0;

/// Makes the forms of one campaign, district key and contacts: [`FormStamp::form`] gives
/// the same form as [`super::write_form_carried`] (or [`super::write_form_with_contacts`]
/// without carried figures). Shared by the threads of a run.
pub struct FormStamp<'c, 'p> {
    campaign: &'c Campaign<'p>,
    created: ExcelDateTime,
    key: Option<&'c DistrictKey>,
    contacts: &'c Contacts,
    styles: Styles,
    /// The campaign's profile fields, in form order.
    profile: Vec<String>,
    /// A template per shape met so far; `None`: this shape's forms use the full writer.
    templates: Mutex<HashMap<Shape, Option<Arc<Template>>>>,
}

impl<'c, 'p> FormStamp<'c, 'p> {
    /// `generated` is the document date of the forms (see [`form_date`]).
    pub fn new(
        campaign: &'c Campaign<'p>,
        generated: NaiveDate,
        key: Option<&'c DistrictKey>,
        contacts: &'c Contacts,
    ) -> Result<Self> {
        Ok(FormStamp {
            campaign,
            created: form_created(generated)?,
            key,
            contacts,
            styles: Styles::new(),
            profile: campaign.profile_fields().iter().map(|f| f.code.clone()).collect(),
            templates: Mutex::default(),
        })
    }

    /// The form of `school`, with profile figures `carried` from an earlier campaign.
    pub fn form(&self, school: &School, carried: Option<&Carried>) -> Result<Vec<u8>> {
        if let Some(bytes) = self.stamped(school, carried)? {
            return Ok(bytes);
        }
        let (c, key, contacts) = (self.campaign, self.key, self.contacts);
        build_with(c, school, self.created.clone(), None, key, contacts, carried)
    }

    /// The form stamped from its shape's template; `None` when the full writer must make
    /// it (see the module header). [`FormStamp::form`] is this or the full writer's form.
    pub fn stamped(&self, school: &School, carried: Option<&Carried>) -> Result<Option<Vec<u8>>> {
        let shape = Shape::of(self, school, carried);
        let Some(template) = self.template(&shape)? else {
            return Ok(None);
        };
        let figures = self.profile.iter().map(|code| shown_figure(school, carried, code));
        let school_values = Values {
            name: &school.name,
            id: &school.id,
            check: check_of(self.campaign, school, self.key),
            footer: footer_xml(school),
            figures: figures.map(|v| v.map(|v| format!("<v>{v}</v>"))).collect(),
        };
        template.fill(&school_values)
    }

    fn template(&self, shape: &Shape) -> Result<Option<Arc<Template>>> {
        let mut templates = self.templates.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = templates.get(shape) {
            return Ok(t.clone());
        }
        let t = Template::build(self, shape)?.map(Arc::new);
        templates.insert(shape.clone(), t.clone());
        Ok(t)
    }
}

/// What makes two schools' forms the same apart from the school's texts and figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Shape {
    rows: NameRows,
    /// Per profile field: is a registry figure there (and finite), is a carried one.
    profile: Vec<(Presence, Presence)>,
    /// Where the carried figures come from, when a profile field has one.
    from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Presence {
    Absent,
    NotFinite,
    Finite,
}

impl Presence {
    fn of(v: Option<&f64>) -> Presence {
        match v {
            None => Presence::Absent,
            Some(v) if v.is_finite() => Presence::Finite,
            Some(_) => Presence::NotFinite,
        }
    }

    /// A stand-in with this presence: `placeholder` when finite.
    fn stand_in(self, placeholder: f64) -> Option<f64> {
        match self {
            Presence::Absent => None,
            Presence::NotFinite => Some(f64::NAN),
            Presence::Finite => Some(placeholder),
        }
    }
}

impl Shape {
    fn of(stamp: &FormStamp, school: &School, carried: Option<&Carried>) -> Shape {
        let profile: Vec<(Presence, Presence)> = stamp
            .profile
            .iter()
            .map(|code| {
                let from_carried = carried.and_then(|c| c.values.get(code));
                (Presence::of(school.profile.get(code)), Presence::of(from_carried))
            })
            .collect();
        // The form names the campaign the figures come from when one of its profile fields
        // is among them (`sheet::profile_block`).
        let from = match profile.iter().any(|(_, c)| *c != Presence::Absent) {
            true => carried.map(|c| c.from.clone()),
            false => None,
        };
        Shape { rows: NameRows::of(stamp.campaign, school, &stamp.styles), profile, from }
    }

    /// The school and carried figures a template of this shape is built from: placeholders
    /// for every text and figure of the school.
    fn stand_in(&self, profile: &[String]) -> (School, Option<Carried>) {
        let mut school = School {
            id: ID.to_string(),
            name: NAME.to_string(),
            short_name: SHORT.to_string(),
            profile: Default::default(),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
        };
        let mut carried =
            self.from.as_ref().map(|from| Carried { values: BTreeMap::new(), from: from.clone() });
        for (i, (code, (registry, from_carried))) in profile.iter().zip(&self.profile).enumerate() {
            let placeholder = NUMBER_BASE + i as f64;
            if let Some(v) = registry.stand_in(placeholder) {
                school.profile.insert(code.clone(), v);
            }
            if let (Some(c), Some(v)) = (carried.as_mut(), from_carried.stand_in(placeholder)) {
                c.values.insert(code.clone(), v);
            }
        }
        (school, carried)
    }
}

/// The figure a form shows in profile field `code`: carried from an earlier campaign, else
/// the registry's (`sheet::profile_block`).
fn shown_figure(school: &School, carried: Option<&Carried>, code: &str) -> Option<f64> {
    let finite = |v: Option<&f64>| v.copied().filter(|v| v.is_finite());
    finite(carried.and_then(|c| c.values.get(code))).or_else(|| finite(school.profile.get(code)))
}

/// The identity check a school's form carries.
fn check_of(campaign: &Campaign, school: &School, key: Option<&DistrictKey>) -> String {
    let rows = identity(campaign, school).rows_with(key);
    rows.into_iter().find(|(k, _)| *k == id_key::CHECK).map(|(_, v)| v).unwrap_or_default()
}

/// The `<oddFooter>` element of a school's sheets, as rust_xlsxwriter writes it: the
/// footer's `&[…]` codes expanded (`Worksheet::set_footer`), the text escaped.
fn footer_xml(school: &School) -> String {
    let expanded = footer(school)
        .replace("&[Tab]", "&A")
        .replace("&[Date]", "&D")
        .replace("&[File]", "&F")
        .replace("&[Page]", "&P")
        .replace("&[Path]", "&Z")
        .replace("&[Time]", "&T")
        .replace("&[Pages]", "&N")
        .replace("&[Picture]", "&G");
    let mut xml = String::from("<oddFooter>");
    escape_data(&mut xml, &expanded);
    xml.push_str("</oddFooter>");
    xml
}

/// rust_xlsxwriter's escaping of element text (`escape_xml_data`): `&`, `<`, `>`, and
/// control characters as `_xHHHH_`.
fn escape_data(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                out.push_str(&format!("_x{:04X}_", u32::from(ch)));
            }
            _ => out.push(ch),
        }
    }
}

/// A shared string as rust_xlsxwriter writes it (`xml_si_element`); `None` where its
/// escaping of «_xHHHH_» sequences or rich strings would apply.
fn si_element(text: &str) -> Option<String> {
    if text.contains("_x") || (text.starts_with("<r>") && text.ends_with("</r>")) {
        return None;
    }
    let space = ['\t', '\n', ' '];
    let mut xml = String::with_capacity(text.len() + 24);
    match text.starts_with(space) || text.ends_with(space) {
        true => xml.push_str(r#"<si><t xml:space="preserve">"#),
        false => xml.push_str("<si><t>"),
    }
    escape_data(&mut xml, text);
    xml.push_str("</t></si>");
    Some(xml)
}

/// One school's values for a template's slots.
struct Values<'s> {
    name: &'s str,
    id: &'s str,
    check: String,
    /// The whole `<oddFooter>` element.
    footer: String,
    /// Per profile field, the `<v>` element of its prefilled figure.
    figures: Vec<Option<String>>,
}

/// A place in a part that takes a school's value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Name,
    Id,
    Check,
    Footer,
    Figure(usize),
}

#[derive(Debug)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// A part of the form, in zip order.
#[derive(Debug)]
enum Part {
    /// XML with slots (sheets, document properties), or without (the same in every form).
    Xml { name: String, pieces: Vec<Piece> },
    /// The shared strings.
    Strings { name: String, table: Strings },
}

/// `xl/sharedStrings.xml` of a template: the strings that mention the school, unescaped
/// with their slots, between the others as they are.
#[derive(Debug)]
struct Strings {
    head: String,
    entries: Vec<Entry>,
    tail: String,
    /// Every `<si>` element that does not mention the school: a school's string equal to
    /// one of them would be merged with it by rust_xlsxwriter.
    same: HashSet<String>,
}

#[derive(Debug)]
enum Entry {
    Same(String),
    School(Vec<Piece>),
}

/// A run of a part's text that is the same in every form: deflated once, ended with a
/// sync flush (byte-aligned, so that what follows can start a new block).
struct Deflated {
    bytes: Vec<u8>,
    crc: Hasher,
}

impl Deflated {
    fn of(text: &str) -> Result<Deflated> {
        let mut c = Compress::new(Compression::default(), false);
        let data = text.as_bytes();
        let mut bytes = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let done = c.total_in() as usize;
            c.compress_vec(&data[done..], &mut bytes, FlushCompress::Sync)?;
            // Finished when all is in and the flush did not fill the buffer.
            if c.total_in() as usize == data.len() && bytes.len() < bytes.capacity() {
                break;
            }
            bytes.reserve(bytes.capacity().max(1024));
        }
        let mut crc = Hasher::new();
        crc.update(data);
        Ok(Deflated { bytes, crc })
    }
}

/// A piece of a part in a template: deflated text, or a school's value.
enum Seg {
    Same(Deflated),
    Slot(Slot),
    /// A shared string that mentions the school (its pieces, unescaped).
    String(Vec<Piece>),
}

/// A part of a template, ready to be stamped.
struct Stamped {
    name: String,
    segs: Vec<Seg>,
    /// Shared strings only: the `<si>` elements a school's string must not equal.
    same: Option<HashSet<String>>,
}

struct Template {
    parts: Vec<Stamped>,
    /// Size of a form, about: the capacity of a form's buffer.
    size: usize,
}

impl Template {
    /// The template of `shape`; `None` when its placeholders are not all where expected.
    fn build(stamp: &FormStamp, shape: &Shape) -> Result<Option<Template>> {
        let (school, carried) = shape.stand_in(&stamp.profile);
        let (c, key, contacts) = (stamp.campaign, stamp.key, stamp.contacts);
        let created = stamp.created.clone();
        let bytes =
            build_rows(c, &school, created, None, key, contacts, carried.as_ref(), &shape.rows)?;
        let check = check_of(c, &school, key);
        let mut patterns = vec![
            (NAME.to_string(), Slot::Name),
            (ID.to_string(), Slot::Id),
            (check, Slot::Check),
            (footer_xml(&school), Slot::Footer),
        ];
        for (i, (code, _)) in stamp.profile.iter().zip(&shape.profile).enumerate() {
            if shown_figure(&school, carried.as_ref(), code).is_some() {
                patterns.push((format!("<v>{}</v>", NUMBER_BASE + i as f64), Slot::Figure(i)));
            }
        }
        let size = bytes.len();
        let mut archive = ZipArchive::new(Cursor::new(bytes))?;
        let mut parts = Vec::with_capacity(archive.len());
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index)?;
            let name = entry.name().to_string();
            let mut xml = String::new();
            if entry.read_to_string(&mut xml).is_err() {
                return Ok(None);
            }
            let part = match name.as_str() {
                "xl/sharedStrings.xml" => {
                    Strings::parse(&xml, &patterns[..3]).map(|table| Part::Strings { name, table })
                }
                _ => xml_part(name, &xml, &patterns),
            };
            match part {
                Some(p) => parts.push(Stamped::of(p)?),
                None => return Ok(None),
            }
        }
        Ok(Some(Template { parts, size }))
    }

    /// A school's form; `None` when the full writer must make it (see the module header).
    fn fill(&self, v: &Values) -> Result<Option<Vec<u8>>> {
        let mut zip = ZipOut::with_capacity(self.size);
        let mut data = Vec::with_capacity(self.size);
        let mut text = String::new();
        let mut school = HashSet::new();
        for part in &self.parts {
            data.clear();
            let mut crc = Hasher::new();
            for seg in &part.segs {
                text.clear();
                match seg {
                    Seg::Same(d) => {
                        data.extend_from_slice(&d.bytes);
                        crc.combine(&d.crc);
                        continue;
                    }
                    Seg::Slot(slot) => {
                        if !fill_slot(&mut text, *slot, v, Escape::Xml) {
                            return Ok(None);
                        }
                    }
                    Seg::String(pieces) => {
                        let Some(plain) = fill_pieces(pieces, v, Escape::Plain) else {
                            return Ok(None);
                        };
                        let Some(si) = si_element(&plain) else {
                            return Ok(None);
                        };
                        let same = part.same.as_ref().is_some_and(|s| s.contains(&si));
                        if same || !school.insert(si.clone()) {
                            return Ok(None);
                        }
                        text = si;
                    }
                }
                crc.update(text.as_bytes());
                stored_blocks(&mut data, text.as_bytes());
            }
            // The last block: empty, final.
            data.extend_from_slice(&[0x01, 0x00, 0x00, 0xFF, 0xFF]);
            let size = crc.total_len();
            zip.entry(&part.name, crc.finalize(), size, &data);
        }
        Ok(Some(zip.finish()))
    }
}

impl Stamped {
    fn of(part: Part) -> Result<Stamped> {
        let mut segs = Vec::new();
        let mut run = String::new();
        let flush = |run: &mut String, segs: &mut Vec<Seg>| -> Result<()> {
            if !run.is_empty() {
                segs.push(Seg::Same(Deflated::of(run)?));
                run.clear();
            }
            Ok(())
        };
        Ok(match part {
            Part::Xml { name, pieces } => {
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => run.push_str(&t),
                        Piece::Slot(slot) => {
                            flush(&mut run, &mut segs)?;
                            segs.push(Seg::Slot(slot));
                        }
                    }
                }
                flush(&mut run, &mut segs)?;
                Stamped { name, segs, same: None }
            }
            Part::Strings { name, table } => {
                run.push_str(&table.head);
                for entry in table.entries {
                    match entry {
                        Entry::Same(si) => run.push_str(&si),
                        Entry::School(pieces) => {
                            flush(&mut run, &mut segs)?;
                            segs.push(Seg::String(pieces));
                        }
                    }
                }
                run.push_str(&table.tail);
                flush(&mut run, &mut segs)?;
                Stamped { name, segs, same: Some(table.same) }
            }
        })
    }
}

/// `data` as stored deflate blocks (not final), at most 65 535 bytes each.
fn stored_blocks(out: &mut Vec<u8>, data: &[u8]) {
    for chunk in data.chunks(0xFFFF) {
        let len = chunk.len() as u16;
        out.push(0x00);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

/// A zip archive of deflated entries, written in memory: the local headers and data, then
/// the central directory. No zip64 (a form is far below 4 GB), no data descriptors, the
/// date of every entry 1980-01-01 00:00 and permissions rw------- like rust_xlsxwriter's.
struct ZipOut {
    out: Vec<u8>,
    directory: Vec<u8>,
    entries: u16,
}

impl ZipOut {
    fn with_capacity(size: usize) -> ZipOut {
        ZipOut { out: Vec::with_capacity(size + 1024), directory: Vec::new(), entries: 0 }
    }

    fn entry(&mut self, name: &str, crc: u32, size: u64, deflated: &[u8]) {
        const DEFLATE: u16 = 8;
        const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;
        const VERSION: u16 = 20;
        let offset = self.out.len() as u32;
        let (size, compressed) = (size as u32, deflated.len() as u32);
        // Names are ASCII part names: no UTF-8 flag needed.
        let common = |w: &mut Vec<u8>| {
            put16(w, VERSION);
            put16(w, 0); // flags
            put16(w, DEFLATE);
            put16(w, 0); // time 00:00:00
            put16(w, DOS_DATE_1980_01_01);
            put32(w, crc);
            put32(w, compressed);
            put32(w, size);
            put16(w, name.len() as u16);
            put16(w, 0); // extra field
        };
        put32(&mut self.out, 0x0403_4b50);
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(deflated);

        let d = &mut self.directory;
        put32(d, 0x0201_4b50);
        put16(d, (3 << 8) | VERSION); // made by: Unix
        common(d);
        put16(d, 0); // comment
        put16(d, 0); // disk
        put16(d, 0); // internal attributes
        put32(d, 0o100_600 << 16); // a regular file, rw-------
        put32(d, offset);
        d.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u32;
        self.out.extend_from_slice(&self.directory);
        let out = &mut self.out;
        put32(out, 0x0605_4b50);
        put16(out, 0); // this disk
        put16(out, 0); // the directory's disk
        put16(out, self.entries);
        put16(out, self.entries);
        put32(out, self.directory.len() as u32);
        put32(out, offset);
        put16(out, 0); // comment
        self.out
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// How a slot's value is written: as XML element text, or as plain text (to be escaped
/// with the whole shared string it is part of).
#[derive(Clone, Copy)]
enum Escape {
    Xml,
    Plain,
}

fn fill_pieces(pieces: &[Piece], v: &Values, escape: Escape) -> Option<String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Slot(slot) => {
                if !fill_slot(&mut out, *slot, v, escape) {
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// Append a slot's value; false when the school has none for it.
fn fill_slot(out: &mut String, slot: Slot, v: &Values, escape: Escape) -> bool {
    let text = match slot {
        Slot::Name => v.name,
        Slot::Id => v.id,
        Slot::Check => &v.check,
        Slot::Footer => {
            out.push_str(&v.footer);
            return true;
        }
        Slot::Figure(i) => match v.figures.get(i) {
            Some(Some(figure)) => {
                out.push_str(figure);
                return true;
            }
            _ => return false,
        },
    };
    match escape {
        Escape::Xml => escape_data(out, text),
        Escape::Plain => out.push_str(text),
    }
    true
}

/// `text` cut at every pattern, each becoming its slot.
fn split(text: &str, patterns: &[(String, Slot)]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    loop {
        let next = patterns
            .iter()
            .filter_map(|(p, slot)| rest.find(p.as_str()).map(|at| (at, p.len(), *slot)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, len, slot)) = next else {
            break;
        };
        if at > 0 {
            pieces.push(Piece::Text(rest[..at].to_string()));
        }
        pieces.push(Piece::Slot(slot));
        rest = &rest[at + len..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    pieces
}

/// A part other than the shared strings: the same in every form, or with the slots its
/// kind may have — footers and figures in sheets, names and the check in the document
/// properties (element text). `None` when a placeholder is left elsewhere.
fn xml_part(name: String, xml: &str, patterns: &[(String, Slot)]) -> Option<Part> {
    let pieces = split(xml, patterns);
    let sheet = name.starts_with("xl/worksheets/");
    let properties = name == "docProps/core.xml" || name == "docProps/custom.xml";
    for piece in &pieces {
        match piece {
            Piece::Text(t) if t.contains(MARK) || t.contains(patterns[2].0.as_str()) => {
                return None;
            }
            Piece::Text(_) => {}
            Piece::Slot(Slot::Footer | Slot::Figure(_)) if sheet => {}
            Piece::Slot(Slot::Name | Slot::Id | Slot::Check) if properties => {}
            Piece::Slot(_) => return None,
        }
    }
    Some(Part::Xml { name, pieces })
}

impl Strings {
    /// The table of a template; `patterns` are the name, code and check placeholders.
    fn parse(xml: &str, patterns: &[(String, Slot)]) -> Option<Strings> {
        let first = xml.find("<si>")?;
        let head = xml[..first].to_string();
        let mut rest = &xml[first..];
        let (mut entries, mut same) = (Vec::new(), HashSet::new());
        while rest.starts_with("<si>") {
            let end = rest.find("</si>")? + "</si>".len();
            let si = &rest[..end];
            rest = &rest[end..];
            if !si.contains(MARK) && !si.contains(patterns[2].0.as_str()) {
                same.insert(si.to_string());
                entries.push(Entry::Same(si.to_string()));
                continue;
            }
            let inner = si
                .strip_prefix("<si><t>")
                .or_else(|| si.strip_prefix(r#"<si><t xml:space="preserve">"#))?
                .strip_suffix("</t></si>")?;
            let pieces = split(&unescape(inner)?, patterns);
            if pieces.iter().any(|p| matches!(p, Piece::Text(t) if t.contains(MARK))) {
                return None;
            }
            entries.push(Entry::School(pieces));
        }
        Some(Strings { head, entries, tail: rest.to_string(), same })
    }
}

/// The text of a shared string of a template: `&amp;`, `&lt;`, `&gt;` back to characters;
/// `None` for any other escape (`_xHHHH_`, other entities), which [`si_element`] does not
/// write.
fn unescape(xml: &str) -> Option<String> {
    if xml.contains("_x") {
        return None;
    }
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (ch, len) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
            .iter()
            .find(|(e, _)| rest.starts_with(e))
            .map(|(e, ch)| (*ch, e.len()))?;
        out.push(ch);
        rest = &rest[len..];
    }
    out.push_str(rest);
    Some(out)
}
