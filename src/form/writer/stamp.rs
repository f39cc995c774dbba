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
//! placeholders are not where they are expected. Only the zip container differs: entries
//! in the same order, the changed ones compressed again (deflate level 1, like the full
//! writer) and without data descriptors.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Write};
use std::sync::{Arc, Mutex};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

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
            profile: BTreeMap::new(),
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
    /// The same in every form: copied compressed, entry `index` of the template.
    Same(usize),
    /// XML with slots (sheets, document properties).
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

struct Template {
    archive: ZipArchive<Cursor<Arc<[u8]>>>,
    parts: Vec<Part>,
    /// Size of the template's zip: the capacity of a form's buffer.
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
        let mut archive = ZipArchive::new(Cursor::new(Arc::<[u8]>::from(bytes)))?;
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
                _ => xml_part(name, &xml, &patterns, index),
            };
            match part {
                Some(p) => parts.push(p),
                None => return Ok(None),
            }
        }
        Ok(Some(Template { archive, parts, size }))
    }

    /// A school's form; `None` when the full writer must make it (see the module header).
    fn fill(&self, v: &Values) -> Result<Option<Vec<u8>>> {
        let mut texts = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            texts.push(match part {
                Part::Same(_) => None,
                Part::Xml { pieces, .. } => match fill_pieces(pieces, v, Escape::Xml) {
                    Some(xml) => Some(xml),
                    None => return Ok(None),
                },
                Part::Strings { table, .. } => match table.fill(v) {
                    Some(xml) => Some(xml),
                    None => return Ok(None),
                },
            });
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .unix_permissions(0o600)
            .last_modified_time(DateTime::default());
        let mut archive = self.archive.clone();
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(self.size + 1024)));
        for (part, text) in self.parts.iter().zip(texts) {
            match (part, text) {
                (Part::Same(index), _) => zip.raw_copy_file(archive.by_index_raw(*index)?)?,
                (Part::Xml { name, .. } | Part::Strings { name, .. }, Some(text)) => {
                    zip.start_file(name.as_str(), options)?;
                    zip.write_all(text.as_bytes())?;
                }
                (_, None) => unreachable!("every changed part has its text"),
            }
        }
        Ok(Some(zip.finish()?.into_inner()))
    }
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
        let text = match piece {
            Piece::Text(t) => {
                out.push_str(t);
                continue;
            }
            Piece::Slot(Slot::Name) => v.name,
            Piece::Slot(Slot::Id) => v.id,
            Piece::Slot(Slot::Check) => &v.check,
            Piece::Slot(Slot::Footer) => {
                out.push_str(&v.footer);
                continue;
            }
            Piece::Slot(Slot::Figure(i)) => {
                out.push_str(v.figures.get(*i)?.as_deref()?);
                continue;
            }
        };
        match escape {
            Escape::Xml => escape_data(&mut out, text),
            Escape::Plain => out.push_str(text),
        }
    }
    Some(out)
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
fn xml_part(name: String, xml: &str, patterns: &[(String, Slot)], index: usize) -> Option<Part> {
    let pieces = split(xml, patterns);
    let sheet = name.starts_with("xl/worksheets/");
    let properties = name == "docProps/core.xml" || name == "docProps/custom.xml";
    let mut slots = 0;
    for piece in &pieces {
        match piece {
            Piece::Text(t) if t.contains(MARK) || t.contains(patterns[2].0.as_str()) => {
                return None;
            }
            Piece::Text(_) => {}
            Piece::Slot(Slot::Footer | Slot::Figure(_)) if sheet => slots += 1,
            Piece::Slot(Slot::Name | Slot::Id | Slot::Check) if properties => slots += 1,
            Piece::Slot(_) => return None,
        }
    }
    Some(match slots {
        0 => Part::Same(index),
        _ => Part::Xml { name, pieces },
    })
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

    /// The school's table; `None` when a school's string would be escaped otherwise than
    /// [`si_element`] does, or merged with another string.
    fn fill(&self, v: &Values) -> Option<String> {
        let mut out = String::with_capacity(self.head.len() + self.tail.len() + 32 * 1024);
        out.push_str(&self.head);
        let mut school = HashSet::new();
        for entry in &self.entries {
            match entry {
                Entry::Same(si) => out.push_str(si),
                Entry::School(pieces) => {
                    let si = si_element(&fill_pieces(pieces, v, Escape::Plain)?)?;
                    if self.same.contains(&si) || !school.insert(si.clone()) {
                        return None;
                    }
                    out.push_str(&si);
                }
            }
        }
        out.push_str(&self.tail);
        Some(out)
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
