//! Shared by the bad-input corpus (`corpus.rs`) and the mutation test (`mutation.rs`): a
//! district of filled returns with known values, and the tools to take an .xlsx apart
//! and put it back together with one thing wrong — at the level of zip entries, XML
//! parts and raw zip headers. Nothing is downloaded; LibreOffice (when installed) is
//! used only to convert our own files.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use profplan::form::layout::{self, Identity};
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};
use profplan::synth::{fill, Fill};
use zip::write::SimpleFileOptions;

/// The campaign every return of the corpus belongs to.
pub const CAMPAIGN: &str = "2025-12-20";
/// «Today» of the checks: after the deadline, so that a school without a return is
/// «не сдан» and the exit code says so.
pub const AS_OF: &str = "2025-12-25";
pub const SEED: u64 = 11;

pub fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(Plan::default_plan)
}

pub fn campaign() -> Campaign<'static> {
    Campaign::parse(plan(), CAMPAIGN).expect("campaign of the default plan")
}

/// The example registry of the repository (20 schools of the Tambov district).
pub fn registry_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/schools.csv")
}

pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::load(&registry_path(), plan()).expect("example registry"))
}

pub fn school(id: &str) -> &'static School {
    registry().get(id).unwrap_or_else(|| panic!("no school {id} in the example registry"))
}

/// When every return of the corpus says it was saved: five days before the deadline.
pub fn saved_at() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 12, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
}

/// Realistic valid values of a school (seeded).
pub fn values_of(id: &str) -> Fill {
    fill(&campaign(), school(id), SEED, None)
}

/// A school's form filled with `f`, as the school would send it back.
pub fn return_with(id: &str, f: &Fill) -> Vec<u8> {
    write_filled_form(&campaign(), school(id), f, saved_at(), None).expect("filled form")
}

/// A school's valid return.
pub fn valid_return(id: &str) -> Vec<u8> {
    return_with(id, &values_of(id))
}

/// The identity a school's form of the campaign carries.
pub fn identity_of(id: &str) -> Identity {
    profplan::form::writer::identity(&campaign(), school(id))
}

// ------------------------------------------------------------------ zip entries

/// The entries of a zip, inflated, in order.
pub fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().to_string(), out)
        })
        .collect()
}

/// A zip of `parts` (deflated).
pub fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in parts {
        w.start_file(
            name.as_str(),
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Rewrites a zip entry by entry: `edit(name, content)` returns the new content, or
/// `None` to drop the entry.
pub fn rewrite(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let parts: Vec<(String, Vec<u8>)> =
        entries(bytes).into_iter().filter_map(|(n, c)| edit(&n, c).map(|c| (n, c))).collect();
    zip_of(&parts)
}

/// Rewrites one part as text.
pub fn edit_part(bytes: &[u8], part: &str, edit: impl FnOnce(String) -> String) -> Vec<u8> {
    let mut edit = Some(edit);
    let mut found = false;
    let out = rewrite(bytes, |n, c| {
        if n == part {
            found = true;
            let f = edit.take().unwrap();
            Some(f(String::from_utf8(c).expect("an XML part is UTF-8")).into_bytes())
        } else {
            Some(c)
        }
    });
    assert!(found, "no part {part}");
    out
}

pub fn part_text(bytes: &[u8], part: &str) -> String {
    entries(bytes)
        .into_iter()
        .find(|(n, _)| n == part)
        .map(|(_, c)| String::from_utf8(c).unwrap())
        .unwrap_or_else(|| panic!("no part {part}"))
}

/// The text between `start` and the next `end` after it in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// The worksheet part of a sheet (`xl/worksheets/sheetN.xml`), through workbook.xml and
/// its relationships, as any reader finds it.
pub fn sheet_part(bytes: &[u8], sheet: &str) -> String {
    let wb = part_text(bytes, "xl/workbook.xml");
    let tag = between(&wb, &format!("<sheet name=\"{sheet}\""), "/>")
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    let rid = between(tag, "r:id=\"", "\"").unwrap();
    let rels = part_text(bytes, "xl/_rels/workbook.xml.rels");
    let rel = between(&rels, &format!("Id=\"{rid}\""), "/>").unwrap();
    format!("xl/{}", between(rel, "Target=\"", "\"").unwrap())
}

/// Where a defined name points: `("Отчёт", "E35")`.
pub fn name_cell(bytes: &[u8], name: &str) -> (String, String) {
    let wb = part_text(bytes, "xl/workbook.xml");
    let r = between(&wb, &format!("<definedName name=\"{name}\">"), "</definedName>")
        .unwrap_or_else(|| panic!("no defined name {name}"));
    let (sheet, cell) = r.rsplit_once('!').unwrap();
    (sheet.trim_matches('\'').to_string(), cell.replace('$', ""))
}

/// Replaces the `<c r="A1" …>…</c>` (or `<c … />`) element of a cell in a sheet's XML.
pub fn set_cell(xml: &str, a1: &str, new_cell: &str) -> String {
    let open = format!("<c r=\"{a1}\"");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no cell {a1} in the sheet"));
    let tag_end = start + xml[start..].find('>').unwrap();
    let end = if xml.as_bytes()[tag_end - 1] == b'/' {
        tag_end + 1
    } else {
        start + xml[start..].find("</c>").unwrap() + 4
    };
    format!("{}{}{}", &xml[..start], new_cell, &xml[end..])
}

/// An inline-string cell (`t="inlineStr"`), XML-escaped.
pub fn inline_cell(a1: &str, text: &str) -> String {
    format!(
        "<c r=\"{a1}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        esc(text)
    )
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Sets a field's cell (found through its `PP_` name) to `new_cell(a1)`.
pub fn set_field(bytes: &[u8], code: &str, new_cell: impl FnOnce(&str) -> String) -> Vec<u8> {
    let (sheet, a1) = name_cell(bytes, &layout::field_name(code));
    let part = sheet_part(bytes, &sheet);
    let cell = new_cell(&a1);
    edit_part(bytes, &part, |x| set_cell(&x, &a1, &cell))
}

/// The identity sheet's XML with `rows` as inline strings (what a copied or edited
/// identity sheet holds).
pub fn identity_sheet_xml(rows: &[(&str, String)]) -> String {
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let r = i + 1;
            format!("<row r=\"{r}\">{}{}</row>", inline_cell(&format!("A{r}"), k), {
                inline_cell(&format!("B{r}"), v)
            })
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>"#
    )
}

/// docProps/custom.xml with the identity `rows` as `profplan.*` properties.
pub fn custom_props_xml(rows: &[(&str, String)]) -> String {
    let props: String = rows
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            format!(
                r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{}" name="{}{k}"><vt:lpwstr>{}</vt:lpwstr></property>"#,
                i + 2,
                layout::PROPERTY_PREFIX,
                esc(v)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>"#
    )
}

/// Replaces a form's identity: the hidden sheet's rows and/or the document properties
/// (`None` keeps that source as it is).
pub fn with_identity(
    bytes: &[u8],
    sheet: Option<&[(&str, String)]>,
    props: Option<&[(&str, String)]>,
) -> Vec<u8> {
    let id_part = sheet_part(bytes, layout::IDENTITY_SHEET);
    rewrite(bytes, |n, c| {
        if n == id_part {
            if let Some(rows) = sheet {
                return Some(identity_sheet_xml(rows).into_bytes());
            }
        }
        if n == "docProps/custom.xml" {
            if let Some(rows) = props {
                return Some(custom_props_xml(rows).into_bytes());
            }
        }
        Some(c)
    })
}

/// Removes a sheet from the workbook (its entry in workbook.xml; the orphan part stays,
/// as it does in files some programs write).
pub fn delete_sheet(bytes: &[u8], sheet: &str) -> Vec<u8> {
    edit_part(bytes, "xl/workbook.xml", |wb| {
        let start = wb.find(&format!("<sheet name=\"{sheet}\"")).unwrap();
        let end = start + wb[start..].find("/>").unwrap() + 2;
        format!("{}{}", &wb[..start], &wb[end..])
    })
}

// ------------------------------------------------------------------ raw zips

/// One entry of a hand-made zip: the bytes as stored and what the headers declare.
#[derive(Clone)]
pub struct RawEntry {
    pub name: String,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub data: Vec<u8>,
    pub declared_size: u32,
    pub crc: u32,
}

impl RawEntry {
    /// An honest deflated entry.
    pub fn deflated(name: &str, content: &[u8]) -> RawEntry {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(content).unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(content);
        RawEntry {
            name: name.into(),
            method: 8,
            data: e.finish().unwrap(),
            declared_size: content.len() as u32,
            crc: crc.sum(),
        }
    }
}

/// A zip written header by header, so that headers can say what no writer would.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        let common = |v: &mut Vec<u8>| {
            v.extend(20u16.to_le_bytes()); // version needed
            v.extend(0x0800u16.to_le_bytes()); // UTF-8 names
            v.extend(e.method.to_le_bytes());
            v.extend(0u16.to_le_bytes()); // time
            v.extend(0x21u16.to_le_bytes()); // date 1980-01-01
            v.extend(e.crc.to_le_bytes());
            v.extend((e.data.len() as u32).to_le_bytes());
            v.extend(e.declared_size.to_le_bytes());
            v.extend((name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes()); // extra
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name);
        out.extend(&e.data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A raw deflate stream of `mib` MiB of zeros, built from one compressed MiB repeated:
/// a 2 GiB bomb costs 2 MB and milliseconds to make.
pub fn deflated_zeros(mib: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut chunk = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut chunk, flate2::FlushCompress::Sync).unwrap();
    assert_eq!(c.total_in(), 1 << 20, "one call compresses the whole MiB");
    // After a sync flush the block is not final and ends on a byte boundary; the chunk
    // only refers back to zeros, so it can be repeated.
    let mut out = Vec::with_capacity(chunk.len() * mib + 2);
    for _ in 0..mib {
        out.extend(&chunk);
    }
    out.extend([0x03, 0x00]); // an empty final block
    out
}

/// Every part of a real return, as honest raw entries (to mix with lying ones).
pub fn raw_entries_of(bytes: &[u8]) -> Vec<RawEntry> {
    entries(bytes).iter().map(|(n, c)| RawEntry::deflated(n, c)).collect()
}
