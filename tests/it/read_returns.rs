//! The return reader against forms made here (rust_xlsxwriter, LibreOffice) and against
//! broken and hostile files crafted byte by byte. Nothing is downloaded.
//!
//! Every hostile case asserts the outcome a methodologist sees: the file is refused with
//! the right code and a Russian message, or read without misreading — and the process is
//! still alive to read the next school's file.

use crate::lo;
use crate::reference;

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::Path;

use profplan::finding::Code;
use profplan::form::layout::{self, Identity};
use profplan::read::{self, FileKind, Format, Limits, NumberParse, RawReturn, SkipReason, Value};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Formula, Workbook};
use zip::write::SimpleFileOptions;

// ---------------------------------------------------------------- fixtures

fn identity() -> Identity {
    Identity {
        plan_id: "tambov".into(),
        plan_version: "abc123".into(),
        campaign: "2025-12-20".into(),
        school_id: "07".into(),
        school_name: "МБОУ «Покрово-Пригородная СОШ»".into(),
        layout: layout::LAYOUT_VERSION,
    }
}

/// A small form the way the writer lays it out: fields on «Отчёт» with their codes in
/// column A, a table sheet with the codes row, the identity sheet and properties.
fn form_xlsx() -> Vec<u8> {
    let id = identity();
    let mut wb = Workbook::new();
    let mut props = DocProperties::new().set_creation_datetime(
        &ExcelDateTime::from_ymd(2025, 12, 18).unwrap().and_hms(9, 30, 0).unwrap(),
    );
    for (k, v) in id.rows() {
        props = props.set_custom_property(format!("{}{k}", layout::PROPERTY_PREFIX), v.as_str());
    }
    wb.set_properties(&props);

    let ws = wb.add_worksheet();
    ws.set_name(layout::FORM_SHEET).unwrap();
    ws.set_active(true);
    let fields: [(u32, &str, Option<f64>, Option<&str>); 5] = [
        (4, "p2_1_covered", Some(120.0), None),
        (5, "p2_1_total", None, Some("1 234")),
        (6, "p1_5_events", None, Some("12,5")),
        (7, "p1_5_parents", None, Some("15 чел.")),
        (8, "p6_1_has", None, Some("да")),
    ];
    for (row, code, num, text) in fields {
        ws.write_string(row, 0, code).unwrap();
        ws.write_string(row, 2, format!("Показатель {code}")).unwrap();
        if let Some(n) = num {
            ws.write_number(row, 4, n).unwrap();
        }
        if let Some(t) = text {
            ws.write_string(row, 4, t).unwrap();
        }
    }
    // A formula with an error result and one with a number result.
    ws.write_string(9, 0, "p9_share").unwrap();
    ws.write_formula(9, 4, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    ws.write_string(10, 0, "p9_sum").unwrap();
    ws.write_formula(10, 4, Formula::new("=E5+1").set_result("121")).unwrap();
    // A field left blank.
    ws.write_string(11, 0, "p4_1_grads").unwrap();

    let t = wb.add_worksheet();
    t.set_name("1.6 ВсОШ").unwrap();
    t.write_string(layout::table_rows::TITLE, 0, "Участие во ВсОШ").unwrap();
    for (i, c) in ["subject", "stage", "participants"].iter().enumerate() {
        t.write_string(layout::table_rows::CODES, 1 + i as u16, *c).unwrap();
        t.write_string(layout::table_rows::HEADER, 1 + i as u16, format!("Заголовок {c}")).unwrap();
    }
    t.write_string(3, 1, "Математика").unwrap();
    t.write_string(3, 2, "школьный").unwrap();
    t.write_number(3, 3, 14).unwrap();
    t.write_string(5, 1, "Физика").unwrap();
    t.write_number(5, 3, 3).unwrap();

    let idws = wb.add_worksheet();
    idws.set_name(layout::IDENTITY_SHEET).unwrap();
    for (r, (k, v)) in id.rows().into_iter().enumerate() {
        idws.write_string(r as u32, 0, k).unwrap();
        idws.write_string(r as u32, 1, v).unwrap();
    }
    idws.set_hidden(true);

    for (row, code, _, _) in fields {
        wb.define_name(
            layout::field_name(code),
            &format!("='{}'!$E${}", layout::FORM_SHEET, row + 1),
        )
        .unwrap();
    }
    wb.define_name(layout::field_name("p9_share"), "='Отчёт'!$E$10").unwrap();
    wb.define_name(layout::field_name("p9_sum"), "='Отчёт'!$E$11").unwrap();
    wb.define_name(layout::field_name("p4_1_grads"), "='Отчёт'!$E$12").unwrap();
    wb.define_name(layout::table_name("t1_6"), "='1.6 ВсОШ'!$B$4:$D$13").unwrap();
    wb.save_to_buffer().unwrap()
}

/// A minimal xlsx written part by part, for files no real writer would produce.
fn raw_xlsx(sheet_data: &str, shared_strings: Option<&str>, names: &[(&str, &str)]) -> Vec<u8> {
    let defined: String =
        names.iter().map(|(n, r)| format!("<definedName name=\"{n}\">{r}</definedName>")).collect();
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Отчёт" sheetId="1" r:id="rId1"/></sheets><definedNames>{defined}</definedNames></workbook>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    );
    if shared_strings.is_some() {
        rels.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
    }
    rels.push_str("</Relationships>");
    let sheet = if sheet_data.starts_with("<?xml") || sheet_data.starts_with("<!DOCTYPE") {
        sheet_data.to_string()
    } else {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
        )
    };
    let mut parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(ss) = shared_strings {
        parts.push(("xl/sharedStrings.xml", ss.to_string()));
    }
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
    zip_of(&refs)
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in parts {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[allow(clippy::result_large_err)]
fn read(bytes: &[u8]) -> Result<RawReturn, profplan::finding::Finding> {
    read::read_bytes(bytes, "returns/07.xlsx", &Limits::default())
}

fn refused(bytes: &[u8]) -> profplan::finding::Finding {
    match read(bytes) {
        Ok(raw) => panic!("expected a refusal, read {:?}", raw.cells),
        Err(f) => {
            assert_eq!(f.file, "returns/07.xlsx");
            assert!(!f.message.is_empty());
            f
        }
    }
}

fn value(raw: &RawReturn, code: &str) -> Value {
    raw.cells
        .get(code)
        .unwrap_or_else(|| panic!("no cell {code}: {:?}", raw.cells.keys()))
        .value
        .clone()
}

// ---------------------------------------------------------------- good forms

#[test]
fn reads_fields_tables_identity_and_saved_time_from_xlsx() {
    let raw = read(&form_xlsx()).unwrap();
    assert_eq!(raw.format, Format::Xlsx);
    assert!(raw.notes.is_empty(), "{:?}", raw.notes);
    let e5 = &raw.cells["p2_1_covered"];
    assert_eq!((e5.sheet.as_str(), e5.a1.as_str()), ("Отчёт", "E5"));
    assert_eq!(e5.value, Value::Number(120.0));
    assert_eq!(e5.row_code.as_deref(), Some("p2_1_covered"));
    assert_eq!(value(&raw, "p2_1_total"), Value::Text("1 234".into()));
    assert_eq!(value(&raw, "p4_1_grads"), Value::Empty);
    assert_eq!(value(&raw, "p9_sum"), Value::Number(121.0));
    assert!(raw.cells["p9_sum"].formula);
    assert_eq!(value(&raw, "p9_share"), Value::Error("#DIV/0!".into()));
    // The row-code route finds the same cells.
    assert_eq!(raw.row_codes["p2_1_covered"].value, Value::Number(120.0));

    let t = &raw.tables["t1_6"];
    assert_eq!(t.sheet, "1.6 ВсОШ");
    assert_eq!(
        t.column_codes,
        vec![Some("subject".into()), Some("stage".into()), Some("participants".into())]
    );
    assert_eq!(t.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![3, 5]);
    assert_eq!(t.rows[0].cells[2].value, Value::Number(14.0));
    assert_eq!(t.rows[1].cells[1].value, Value::Empty);
    assert_eq!(t.rows[1].cells[0].a1, "B6");

    let expected: BTreeMap<String, String> =
        identity().rows().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    assert_eq!(raw.identity.sheet.as_ref(), Some(&expected));
    assert_eq!(raw.identity.properties.as_ref(), Some(&expected));
    assert_eq!(
        raw.saved_at,
        Some(profplan::clock::SavedTime::Instant(
            chrono::DateTime::parse_from_rfc3339("2025-12-18T09:30:00Z").unwrap().to_utc()
        ))
    );
}

#[test]
fn numbers_as_people_type_them_are_parsed_or_refused_with_the_text() {
    let raw = read(&form_xlsx()).unwrap();
    assert!(
        matches!(read::parse_number(&value(&raw, "p2_1_total"), true), NumberParse::OkWithNote(x, _) if x == 1234.0)
    );
    let err = |code: &str| match read::parse_number(&value(&raw, code), true) {
        NumberParse::Err(m) => m,
        other => panic!("{code}: {other:?}"),
    };
    assert!(err("p1_5_events").contains("«12,5»"));
    assert!(err("p1_5_parents").contains("«15 чел.»"));
    assert!(err("p9_share").contains("#DIV/0!"));
    assert_eq!(read::parse_number(&value(&raw, "p4_1_grads"), true), NumberParse::Blank);
}

#[test]
fn xlsm_is_read_as_data() {
    // Same parts plus a (fake) VBA project: sniffed as xlsm, data read, nothing run.
    let base = form_xlsx();
    let mut zip = zip::ZipArchive::new(Cursor::new(&base[..])).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let f = zip.by_index(i).unwrap();
        w.raw_copy_file(f).unwrap();
    }
    w.start_file("xl/vbaProject.bin", SimpleFileOptions::default()).unwrap();
    w.write_all(b"Sub AutoOpen(): Shell \"calc\": End Sub").unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let raw = read(&bytes).unwrap();
    assert_eq!(raw.format, Format::Xlsm);
    assert_eq!(value(&raw, "p2_1_covered"), Value::Number(120.0));
}

#[test]
fn formula_without_stored_value_is_marked() {
    let bytes = raw_xlsx(
        r#"<row r="5"><c r="A5" t="inlineStr"><is><t>p1</t></is></c><c r="E5"><f>SUM(F1:F3)</f></c></row>
           <row r="6"><c r="A6" t="inlineStr"><is><t>p2</t></is></c><c r="E6" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>"#,
        None,
        &[("PP_p1", "'Отчёт'!$E$5"), ("PP_p2", "'Отчёт'!$E$6")],
    );
    let raw = read(&bytes).unwrap();
    assert_eq!(value(&raw, "p1"), Value::FormulaNoValue);
    assert!(raw.cells["p1"].formula);
    assert_eq!(value(&raw, "p2"), Value::Error("#DIV/0!".into()));
}

#[test]
fn name_pointing_at_a_row_with_another_code_is_not_read() {
    // The school moved rows: PP_a now sits in the row coded «b».
    let bytes = raw_xlsx(
        r#"<row r="5"><c r="A5" t="inlineStr"><is><t>b</t></is></c><c r="E5"><v>7</v></c></row>"#,
        None,
        &[("PP_a", "'Отчёт'!$E$5"), ("PP_gone", "'Отчёт'!#REF!")],
    );
    let raw = read(&bytes).unwrap();
    assert!(!raw.cells.contains_key("a"));
    let codes: Vec<Code> = raw.notes.iter().map(|n| n.code).collect();
    assert!(codes.contains(&Code::LayoutChanged), "{:?}", raw.notes);
    assert!(codes.contains(&Code::NameMissing), "{:?}", raw.notes);
    let moved = raw.notes.iter().find(|n| n.code == Code::LayoutChanged).unwrap();
    assert_eq!(moved.cell.as_deref(), Some("E5"));
    assert_eq!(raw.row_codes["b"].value, Value::Number(7.0));
    // No identity sheet: nothing invented.
    assert_eq!(raw.identity.sheet, None);
}

#[test]
fn form_sheet_deleted_is_noted() {
    let bytes = raw_xlsx("", None, &[]).to_vec();
    // Rename the only sheet.
    let renamed = {
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut s = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut s).unwrap();
            let s = String::from_utf8(s).unwrap().replace("name=\"Отчёт\"", "name=\"Лист1\"");
            parts.push((f.name().to_string(), s));
        }
        let refs: Vec<(&str, &[u8])> =
            parts.iter().map(|(n, c)| (n.as_str(), c.as_bytes())).collect();
        zip_of(&refs)
    };
    let raw = read(&renamed).unwrap();
    assert!(raw.notes.iter().any(|n| n.code == Code::SheetMissing && n.message.contains("Отчёт")));
}

// ---------------------------------------------------------------- not workbooks

#[test]
fn empty_html_csv_xml_files_named_xlsx_get_their_own_messages() {
    assert_eq!(refused(b"").code, Code::FileEmpty);
    let html =
        refused(b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>");
    assert_eq!(html.code, Code::FileHtml);
    assert!(html.message.contains("веб-страница"));
    let csv = refused("ОО;Количество\n07;12\n".as_bytes());
    assert_eq!(csv.code, Code::FileCsv);
    assert!(csv.message.contains("CSV"));
    let xml = refused(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"/>");
    assert_eq!(xml.code, Code::FileHtml);
    assert!(xml.message.contains("XML"));
    assert_eq!(refused(&[0u8, 159, 146, 150, 1, 2, 3]).code, Code::FileNotSpreadsheet);
}

#[test]
fn truncated_xlsx_is_damaged() {
    let good = form_xlsx();
    for cut in [good.len() / 2, good.len() - 30, 100] {
        let f = refused(&good[..cut]);
        assert_eq!(f.code, Code::FileDamaged, "cut at {cut}: {}", f.message);
        assert!(f.message.contains("повреждён"));
    }
}

#[test]
fn encrypted_workbook_says_remove_the_password() {
    let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    c.create_stream("EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    c.create_stream("EncryptedPackage").unwrap().write_all(&[0u8; 4096]).unwrap();
    c.flush().unwrap();
    let bytes = c.into_inner().into_inner();
    assert_eq!(read::sniff(&bytes), Format::Encrypted);
    let f = refused(&bytes);
    assert_eq!(f.code, Code::FileEncrypted);
    assert!(f.message.contains("паролем"));
}

#[test]
fn word_document_and_other_zip_are_not_spreadsheets() {
    let docx =
        zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]);
    assert_eq!(read::sniff(&docx), Format::OtherDocument);
    assert_eq!(refused(&docx).code, Code::FileNotSpreadsheet);
    let z = zip_of(&[("photo.jpg", b"\xFF\xD8\xFF")]);
    assert!(refused(&z).message.contains("архив"));
}

// ---------------------------------------------------------------- bombs and lies

#[test]
fn high_ratio_entry_is_refused_before_inflating() {
    let zeros = vec![0u8; 3 * 1024 * 1024];
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (n, c) in [
        ("[Content_Types].xml", &b"<Types/>"[..]),
        ("xl/workbook.xml", b"<workbook/>"),
        ("xl/worksheets/sheet1.xml", &zeros),
    ] {
        w.start_file(
            n,
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        w.write_all(c).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let f = refused(&bytes);
    assert_eq!(f.code, Code::FileTooLarge);
    assert!(f.message.contains("сжата в"), "{}", f.message);
}

#[test]
fn thousands_of_entries_are_refused() {
    let names: Vec<String> = (0..5000).map(|i| format!("xl/media/{i}.bin")).collect();
    let mut parts: Vec<(&str, &[u8])> =
        vec![("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")];
    parts.extend(names.iter().map(|n| (n.as_str(), &b"x"[..])));
    let f = refused(&zip_of(&parts));
    assert_eq!(f.code, Code::FileTooLarge);
    assert!(f.message.contains("5002"), "{}", f.message);
}

/// Offsets of central-directory records (`PK\x01\x02`) and their file names.
fn central_records(bytes: &[u8]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for i in 0..bytes.len().saturating_sub(46) {
        if &bytes[i..i + 4] == b"PK\x01\x02" {
            let n = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            out.push((i, String::from_utf8_lossy(&bytes[i + 46..i + 46 + n]).into_owned()));
        }
    }
    out
}

fn local_header_of(bytes: &[u8], central: usize) -> usize {
    u32::from_le_bytes(bytes[central + 42..central + 46].try_into().unwrap()) as usize
}

#[test]
fn declared_sizes_that_lie_do_not_inflate_more_or_misread() {
    let good = raw_xlsx(
        &(0..200)
            .map(|r| format!("<row r=\"{}\"><c r=\"E{}\"><v>{}</v></c></row>", r + 1, r + 1, r))
            .collect::<String>(),
        None,
        &[("PP_a", "'Отчёт'!$E$150")],
    );
    // Sheet declared as 100 bytes (it is several KB), in both headers.
    let mut small = good.clone();
    let (cd, _) =
        central_records(&good).into_iter().find(|(_, n)| n == "xl/worksheets/sheet1.xml").unwrap();
    let lh = local_header_of(&good, cd);
    small[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
    small[lh + 22..lh + 26].copy_from_slice(&100u32.to_le_bytes());
    match read(&small) {
        Err(f) => assert_eq!(f.code, Code::FileDamaged, "{}", f.message),
        Ok(raw) => {
            assert_ne!(value(&raw, "a"), Value::Number(149.0), "read past the declared size")
        }
    }
    // Declared as 3 GB: refused from the directory alone.
    let mut huge = good.clone();
    huge[cd + 24..cd + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    huge[lh + 22..lh + 26].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    assert_eq!(refused(&huge).code, Code::FileTooLarge);
}

#[test]
fn overlapping_entries_are_refused() {
    let good = raw_xlsx("", None, &[]);
    let recs = central_records(&good);
    let first_local = local_header_of(&good, recs[0].0) as u32;
    let mut bad = good.clone();
    // Every entry points at the first entry's data (the "non-recursive zip bomb").
    for (cd, _) in &recs[1..] {
        bad[cd + 42..cd + 46].copy_from_slice(&first_local.to_le_bytes());
    }
    let f = refused(&bad);
    assert!(matches!(f.code, Code::FileDamaged | Code::FileTooLarge), "{f:?}");
}

#[test]
fn a1_and_xfd1048576_is_read_in_constant_memory() {
    // THE critical case: a dense read of this 1 KB sheet would need ~550 GB and abort.
    let bytes = raw_xlsx(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="E5"><v>42</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
        None,
        &[
            ("PP_a", "'Отчёт'!$E$5"),
            ("PP_far", "'Отчёт'!$XFD$1048576"),
            ("PPT_t", "'Отчёт'!$B$4:$D$40"),
        ],
    );
    // Memory is asserted under a real limit in tests/it/corpus.rs (prlimit); here: the values.
    let raw = read(&bytes).unwrap();
    assert_eq!(value(&raw, "a"), Value::Number(42.0));
    assert_eq!(value(&raw, "far"), Value::Number(2.0));
    // A dimension that claims the whole sheet changes nothing.
    let with_dim = raw_xlsx(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="5"><c r="E5"><v>42</v></c></row></sheetData></worksheet>"#,
        None,
        &[("PP_a", "'Отчёт'!$E$5")],
    );
    assert_eq!(value(&read(&with_dim).unwrap(), "a"), Value::Number(42.0));
    // A reversed dimension (which made calamine's debug build panic) is ignored: the
    // (empty) sheet is read as empty.
    let reversed = raw_xlsx(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="XFD1048576:A1"/><sheetData/></worksheet>"#,
        None,
        &[("PP_a", "'Отчёт'!$E$5")],
    );
    let raw = read(&reversed).unwrap();
    assert!(raw.cells.get("a").is_none_or(|c| c.value == Value::Empty), "{raw:?}");
}

/// What follows a sheet's cells (merged ranges, data validation, page setup) is not parsed
/// — calamine stops there too —, so broken markup there does not cost the school its
/// figures; but the part is still inflated to its end, so a wrong checksum refuses the
/// file as before.
#[test]
fn markup_after_the_cells_is_not_parsed_but_its_checksum_is_checked() {
    let sheet = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="5"><c r="E5"><v>42</v></c></row></sheetData><mergeCells><mergeCell ref="B1:E1"></worksheet>"#;
    let bytes = raw_xlsx(sheet, None, &[("PP_a", "'Отчёт'!$E$5")]);
    assert_eq!(value(&read(&bytes).unwrap(), "a"), Value::Number(42.0));
    // The same parts stored (not deflated), then one byte after the cells changed.
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file(part.name().to_string(), options).unwrap();
        std::io::copy(&mut part, &mut w).unwrap();
    }
    let stored = w.finish().unwrap().into_inner();
    assert_eq!(value(&read(&stored).unwrap(), "a"), Value::Number(42.0));
    let at = stored.windows(5).position(|w| w == b"B1:E1").expect("the sheet is stored");
    let mut tampered = stored.clone();
    tampered[at] = b'C';
    let f = refused(&tampered);
    assert_eq!(f.code, Code::FileDamaged);
    assert!(f.message.contains("Invalid checksum"), "{}", f.message);
}

#[test]
fn too_many_cells_are_refused_not_read_forever() {
    let limits = Limits { max_cells: 1000, ..Limits::default() };
    let rows: String =
        (1..=2000).map(|r| format!("<row r=\"{r}\"><c r=\"A{r}\"><v>1</v></c></row>")).collect();
    let f = read::read_bytes(&raw_xlsx(&rows, None, &[]), "x.xlsx", &limits).unwrap_err();
    assert_eq!(f.code, Code::FileTooLarge);
}

#[test]
fn billion_laughs_and_external_entities_are_inert() {
    let dtd = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#;
    let sheet = format!(
        r#"{dtd}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="5"><c r="E5" t="inlineStr"><is><t>&lol9;&xxe;</t></is></c><c r="F5" t="s"><v>0</v></c></row></sheetData></worksheet>"#
    );
    let sst = format!(
        r#"{dtd}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;&xxe;</t></si></sst>"#
    );
    for bytes in [
        raw_xlsx(&sheet, Some(&sst), &[("PP_a", "'Отчёт'!$E$5"), ("PP_b", "'Отчёт'!$F$5")]),
        raw_xlsx(
            r#"<row r="5"><c r="F5" t="s"><v>0</v></c></row>"#,
            Some(&sst),
            &[("PP_b", "'Отчёт'!$F$5")],
        ),
    ] {
        match read(&bytes) {
            Err(f) => {
                assert!(matches!(f.code, Code::FileDamaged | Code::FileParserFailed), "{f:?}")
            }
            Ok(raw) => {
                for c in raw.cells.values() {
                    let text = c.value.display();
                    assert!(
                        text.len() < 1000 && !text.contains("root:"),
                        "expanded: {}",
                        &text[..text.len().min(80)]
                    );
                }
            }
        }
    }
}

#[test]
fn missing_or_short_shared_strings_are_damaged_not_a_crash() {
    let cell = r#"<row r="5"><c r="E5" t="s"><v>7</v></c></row>"#;
    for bytes in [
        raw_xlsx(cell, None, &[("PP_a", "'Отчёт'!$E$5")]),
        raw_xlsx(
            cell,
            Some(
                r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>один</t></si></sst>"#,
            ),
            &[("PP_a", "'Отчёт'!$E$5")],
        ),
    ] {
        assert_eq!(refused(&bytes).code, Code::FileDamaged);
    }
}

#[test]
fn shared_strings_declaring_a_huge_count_reserve_nothing() {
    // calamine reserved memory for uniqueCount up front (10^11 strings would abort); our
    // reader reserves nothing and reads only the strings the wanted cells use.
    let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000"><si><t>x</t></si></sst>"#;
    let cell = r#"<row r="5"><c r="E5" t="s"><v>0</v></c></row>"#;
    let raw = read(&raw_xlsx(cell, Some(sst), &[("PP_a", "'Отчёт'!$E$5")])).unwrap();
    assert_eq!(value(&raw, "a"), Value::Text("x".into()));
}

/// The example returns (written by rust_xlsxwriter) read by profplan's own reader exactly
/// as calamine reads them, cell by cell.
#[test]
fn own_xlsx_reader_reads_the_example_returns_like_calamine() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/returns");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 20);
    for f in &files {
        let n = reference::assert_reader_matches_calamine(f);
        assert!(n > 50, "{}: only {n} cells compared", f.display());
    }
}

/// A date typed into a date-formatted cell is a number with a style: the reader looks up
/// that style's number format (and nothing else of styles.xml).
#[test]
fn a_date_formatted_number_is_a_date_and_other_styles_are_numbers() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Отчёт").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    let money = rust_xlsxwriter::Format::new().set_num_format("0.00");
    ws.write_datetime_with_format(4, 4, ExcelDateTime::from_ymd(2025, 12, 20).unwrap(), &date)
        .unwrap();
    ws.write_number_with_format(5, 4, 12.5, &money).unwrap();
    wb.define_name("PP_d", "='Отчёт'!$E$5").unwrap();
    wb.define_name("PP_n", "='Отчёт'!$E$6").unwrap();
    let raw = read(&wb.save_to_buffer().unwrap()).unwrap();
    assert_eq!(value(&raw, "d").display(), "20.12.2025");
    assert_eq!(value(&raw, "n"), Value::Number(12.5));
}

#[test]
fn part_names_differing_only_in_case_are_refused() {
    let good =
        raw_xlsx(r#"<row r="5"><c r="E5"><v>111</v></c></row>"#, None, &[("PP_a", "'Отчёт'!$E$5")]);
    let mut parts: Vec<(String, Vec<u8>)> = {
        let mut z = zip::ZipArchive::new(Cursor::new(&good)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).unwrap();
                (f.name().to_string(), b)
            })
            .collect()
    };
    parts.push((
        "xl/worksheets/SHEET1.xml".into(),
        br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="5"><c r="E5"><v>499</v></c></row></sheetData></worksheet>"#.to_vec(),
    ));
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
    let f = refused(&zip_of(&refs));
    assert_eq!(f.code, Code::FileDamaged);
    assert!(
        f.message.contains("«xl/worksheets/sheet1.xml» и «xl/worksheets/SHEET1.xml»"),
        "{}",
        f.message
    );
}

// ---------------------------------------------------------------- ODS

fn ods_of(content: &str, meta: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "mimetype",
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    for (n, c) in [("content.xml", content), ("meta.xml", meta), ("META-INF/manifest.xml", "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>")] {
        w.start_file(n, SimpleFileOptions::default()).unwrap();
        w.write_all(c.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const ODS_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/""#;

#[test]
fn ods_repeats_are_arithmetic_not_allocation() {
    // One non-empty cell repeated over the whole grid: 1 048 576 × 16 384 positions.
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>
<table:table table:name="Отчёт"><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>
<table:named-expressions><table:named-range table:name="PP_a" table:base-cell-address="$Отчёт.$A$1" table:cell-range-address="$Отчёт.$E$5"/><table:named-range table:name="PPT_t" table:base-cell-address="$Отчёт.$A$1" table:cell-range-address="$Отчёт.$B$4:.$D$40"/></table:named-expressions>
</office:spreadsheet></office:body></office:document-content>"#
    );
    let raw = read(&ods_of(&content, "<office:document-meta/>")).unwrap();
    assert_eq!(raw.format, Format::Ods);
    // Column A holds «1», not the code «a»: the value is refused, not misread.
    assert!(!raw.cells.contains_key("a"));
    assert!(raw.notes.iter().any(|n| n.code == Code::LayoutChanged), "{:?}", raw.notes);
    assert_eq!(raw.row_codes["1"].value, Value::Number(1.0));
    assert_eq!(raw.tables["t"].rows.len(), 37);
}

#[test]
fn ods_values_errors_formulas_identity_and_date() {
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>
<table:table table:name="Отчёт">
<table:table-row table:number-rows-repeated="4"><table:table-cell table:number-columns-repeated="5"/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>c</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell table:formula="of:=[.F1]"/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>d</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="string"><text:p>1<text:s text:c="2"/>234 &amp; <text:span>чел.</text:span></text:p><text:p>вторая</text:p></table:table-cell></table:table-row>
</table:table>
<table:table table:name="_profplan"><table:table-row><table:table-cell office:value-type="string"><text:p>school_id</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell></table:table-row></table:table>
<table:named-expressions><table:named-range table:name="PP_a" table:cell-range-address="$Отчёт.$E$5"/><table:named-range table:name="PP_b" table:cell-range-address="$'Отчёт'.$E$6"/><table:named-expression table:name="PP_c" table:expression="of:[$Отчёт.$E$7]"/><table:named-range table:name="PP_d" table:cell-range-address="$Отчёт.$E$8"/></table:named-expressions>
</office:spreadsheet></office:body></office:document-content>"#
    );
    let meta = format!(
        r#"<office:document-meta {ODS_NS}><office:meta><dc:date>2025-12-21T08:15:00.123456789</dc:date><meta:user-defined meta:name="profplan.school_id">07</meta:user-defined><meta:user-defined meta:name="Другое">x</meta:user-defined></office:meta></office:document-meta>"#
    );
    let raw = read(&ods_of(&content, &meta)).unwrap();
    assert!(raw.notes.is_empty(), "{:?}", raw.notes);
    assert_eq!(value(&raw, "a"), Value::Number(12.0));
    assert_eq!(raw.cells["a"].row_code.as_deref(), Some("a"));
    assert_eq!(value(&raw, "b"), Value::Error("#DIV/0!".into()));
    assert_eq!(value(&raw, "c"), Value::FormulaNoValue);
    assert_eq!(value(&raw, "d"), Value::Text("1  234 & чел.\nвторая".into()));
    assert_eq!(raw.identity.sheet.as_ref().unwrap()["school_id"], "7");
    assert_eq!(raw.identity.properties.as_ref().unwrap()["school_id"], "07");
    // No zone in an .ods: the wall time of the computer that saved it (to the second).
    assert_eq!(
        raw.saved_at,
        Some(profplan::clock::SavedTime::Wall(
            chrono::NaiveDateTime::parse_from_str("2025-12-21 08:15:00", "%Y-%m-%d %H:%M:%S")
                .unwrap()
        ))
    );
}

#[test]
fn libreoffice_saves_as_ods_and_xls_read_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("07_форма.xlsx");
    std::fs::write(&src, form_xlsx()).unwrap();
    let outdir = dir.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let Some(ods) = lo::convert(&src, "ods", &outdir) else { return };
    if let Ok(keep) = std::env::var("PROFPLAN_KEEP_FIXTURES") {
        let _ = std::fs::copy(&src, Path::new(&keep).join("form.xlsx"));
        let _ = std::fs::copy(&ods, Path::new(&keep).join("form.ods"));
    }
    let raw = read::read_file(&ods, "07_форма.ods", &Limits::default()).unwrap();
    assert_eq!(raw.format, Format::Ods);
    assert!(raw.notes.is_empty(), "{:?}", raw.notes);
    assert_eq!(value(&raw, "p2_1_covered"), Value::Number(120.0));
    assert_eq!(value(&raw, "p2_1_total"), Value::Text("1 234".into()));
    assert_eq!(value(&raw, "p9_sum"), Value::Number(121.0));
    assert_eq!(raw.cells["p2_1_covered"].row_code.as_deref(), Some("p2_1_covered"));
    let t = &raw.tables["t1_6"];
    assert_eq!(t.column_codes[2].as_deref(), Some("participants"));
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].cells[2].value, Value::Number(14.0));
    let expected: BTreeMap<String, String> =
        identity().rows().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    assert_eq!(raw.identity.sheet.as_ref(), Some(&expected));
    assert_eq!(raw.identity.properties.as_ref(), Some(&expected));
    assert!(raw.saved_at.is_some());

    // And back to xlsx through LibreOffice, and to legacy xls.
    let out2 = dir.path().join("out2");
    std::fs::create_dir(&out2).unwrap();
    for to in ["xlsx", "xls"] {
        let Some(f) = lo::convert(&ods, to, &out2) else { return };
        if let Ok(keep) = std::env::var("PROFPLAN_KEEP_FIXTURES") {
            let _ = std::fs::copy(&f, Path::new(&keep).join(format!("form-lo.{to}")));
        }
        let raw = read::read_file(&f, "x", &Limits::default()).unwrap();
        assert_eq!(value(&raw, "p2_1_covered"), Value::Number(120.0), "{to}");
        assert_eq!(raw.tables["t1_6"].rows.len(), 2, "{to}");
        assert_eq!(raw.identity.sheet.as_ref(), Some(&expected), "{to}");
    }
}

// ---------------------------------------------------------------- files on disk

#[test]
fn reading_never_modifies_the_input_or_its_times() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("-07 школа.xlsx");
    let bytes = form_xlsx();
    std::fs::write(&p, &bytes).unwrap();
    let before = std::fs::metadata(&p).unwrap();
    read::read_file(&p, "-07 школа.xlsx", &Limits::default()).unwrap();
    let after = std::fs::metadata(&p).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    assert_eq!(before.len(), after.len());
}

#[test]
fn file_over_the_size_limit_is_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.xlsx");
    std::fs::write(&p, vec![b'x'; 4096]).unwrap();
    let limits = Limits { max_file_bytes: 1024, ..Limits::default() };
    assert_eq!(read::read_file(&p, "big.xlsx", &limits).unwrap_err().code, Code::FileTooLarge);
    let missing = read::read_file(&dir.path().join("нет.xlsx"), "нет.xlsx", &limits).unwrap_err();
    assert_eq!(missing.code, Code::FileUnreadable);
}

#[test]
fn scan_accounts_for_every_file_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nfd = "Крои\u{0306}"; // «й» decomposed
    for name in [
        "b.xlsx",
        "a.ods",
        "~$b.xlsx",
        ".~lock.a.ods#",
        ".hidden.xlsx",
        "скан.pdf",
        "-07 школа.xlsx",
        "отчёт.csv",
    ] {
        std::fs::write(d.join(name), b"x").unwrap();
    }
    std::fs::write(d.join(format!("{nfd}.xlsx")), b"x").unwrap();
    std::fs::create_dir(d.join("x.xlsx")).unwrap();
    std::fs::write(d.join("x.xlsx").join("inner.xlsx"), b"x").unwrap();
    std::fs::create_dir(d.join(".git")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", d.join("link.xlsx")).unwrap();
        std::os::unix::fs::symlink(d.join("b.xlsx"), d.join("c.xlsx")).unwrap();
    }
    let entries = read::scan(d).unwrap();
    let shown: Vec<(&str, &FileKind)> =
        entries.iter().map(|e| (e.display.as_str(), &e.kind)).collect();
    let kind = |n: &str| {
        shown
            .iter()
            .find(|(d, _)| *d == n)
            .map(|(_, k)| (*k).clone())
            .unwrap_or_else(|| panic!("{n} missing from {shown:?}"))
    };
    assert_eq!(kind("b.xlsx"), FileKind::Candidate);
    assert_eq!(kind("-07 школа.xlsx"), FileKind::Candidate);
    assert_eq!(kind("отчёт.csv"), FileKind::Candidate);
    assert_eq!(kind("x.xlsx/inner.xlsx"), FileKind::Candidate);
    assert_eq!(kind("Крой.xlsx"), FileKind::Candidate); // shown in NFC
    assert_eq!(kind("~$b.xlsx"), FileKind::Skipped(SkipReason::LockFile));
    assert_eq!(kind(".~lock.a.ods#"), FileKind::Skipped(SkipReason::LockFile));
    assert_eq!(kind(".hidden.xlsx"), FileKind::Skipped(SkipReason::Hidden));
    assert_eq!(kind(".git"), FileKind::Skipped(SkipReason::Hidden));
    assert_eq!(kind("скан.pdf"), FileKind::NotSpreadsheet);
    #[cfg(unix)]
    {
        assert_eq!(kind("link.xlsx"), FileKind::Skipped(SkipReason::Link));
        assert_eq!(kind("c.xlsx"), FileKind::Candidate);
    }
    assert!(!shown.iter().any(|(d, _)| *d == "x.xlsx"), "a folder is not a file");
    // Sorted by relative path bytes, and the same on every run.
    let again: Vec<String> = read::scan(d).unwrap().into_iter().map(|e| e.display).collect();
    assert_eq!(again, entries.iter().map(|e| e.display.clone()).collect::<Vec<_>>());
    let mut keys: Vec<Vec<u8>> = entries
        .iter()
        .map(|e| e.path.strip_prefix(d).unwrap().as_os_str().as_encoded_bytes().to_vec())
        .collect();
    let sorted = {
        let mut k = keys.clone();
        k.sort();
        k
    };
    assert_eq!(keys, sorted);
    keys.clear();
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("закрыт.xlsx");
    std::fs::write(&p, b"x").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&p).is_ok() {
        eprintln!(
            "note: running with privileges that ignore permissions; unreadable-file check skipped"
        );
        return;
    }
    let entries = read::scan(dir.path()).unwrap();
    assert!(matches!(entries[0].kind, FileKind::Unreadable(_)));
    assert_eq!(
        read::read_file(&p, "закрыт.xlsx", &Limits::default()).unwrap_err().code,
        Code::FileUnreadable
    );
}

#[test]
fn ods_cell_text_is_capped() {
    let spaces = r#"<text:s text:c="1024"/>"#.repeat(5000);
    let content = format!(
        r#"<?xml version="1.0"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>
<table:table table:name="Отчёт"><table:table-row table:number-rows-repeated="4"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="4"/><table:table-cell office:value-type="string"><text:p>x{spaces}</text:p></table:table-cell></table:table-row></table:table>
<table:named-expressions><table:named-range table:name="PP_a" table:cell-range-address="$Отчёт.$E$5"/></table:named-expressions>
</office:spreadsheet></office:body></office:document-content>"#
    );
    let raw = read(&ods_of(&content, "<office:document-meta/>")).unwrap();
    let Value::Text(t) = value(&raw, "a") else { panic!() };
    assert!(t.starts_with('x') && t.len() <= 1024 * 1024, "{}", t.len());
}

// ---------------------------------------------------------------- memory for the run

fn example_returns() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/returns")
}

/// With room to parse only one file at a time, eight threads still read every return,
/// exactly as without the bound: files wait for their turn, none is lost, nothing hangs.
#[test]
fn files_wait_for_their_turn_when_the_run_budget_is_small_and_read_the_same() {
    let dir = example_returns();
    let outcome = |limits: &Limits| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(8).build().unwrap();
        let files =
            pool.install(|| profplan::read::folder::read_folder(&dir, limits, &|| {}).unwrap());
        files
            .into_iter()
            .map(|f| (f.file.path.clone(), f.result.map(|r| format!("{:?}", r.input)).ok()))
            .collect::<Vec<_>>()
    };
    let free = outcome(&Limits::default());
    assert_eq!(free.len(), 20);
    assert!(free.iter().all(|(_, r)| r.is_some()), "every example is read");
    let most = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| read::reading_cost(&std::fs::read(e.unwrap().path()).unwrap(), &Limits::default()))
        .max()
        .unwrap();
    let one_at_a_time =
        Limits { max_run_parse_bytes: most, max_run_file_bytes: 200 * 1024, ..Limits::default() };
    assert_eq!(outcome(&one_at_a_time), free);
}

/// A file that alone would need more than the run allows is refused with the reason,
/// and the other files are read.
#[test]
fn a_file_costing_more_than_the_run_budget_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let small =
        raw_xlsx(r#"<row r="5"><c r="E5"><v>7</v></c></row>"#, None, &[("PP_a", "'Отчёт'!$E$5")]);
    // The same form with 17 MB of (unread, not very compressible) XML on the side:
    // parsing may cost up to 8× that.
    let mut x: u64 = 1;
    let ys: String = (0..1_000_000)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            format!("<y>{}</y>", x >> 24)
        })
        .collect();
    let big_part = format!("<x>{ys}</x>");
    let mut parts: Vec<(String, Vec<u8>)> = {
        let mut z = zip::ZipArchive::new(Cursor::new(&small)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).unwrap();
                (f.name().to_string(), b)
            })
            .collect()
    };
    parts.push(("xl/extra.xml".into(), big_part.into_bytes()));
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
    let big = zip_of(&refs);
    std::fs::write(tmp.path().join("a.xlsx"), &small).unwrap();
    std::fs::write(tmp.path().join("b.xlsx"), &big).unwrap();
    let limits = Limits { max_run_parse_bytes: 64 * 1024 * 1024, ..Limits::default() };
    assert!(read::reading_cost(&big, &limits) > limits.max_run_parse_bytes);
    let files = profplan::read::folder::read_folder(tmp.path(), &limits, &|| {}).unwrap();
    assert!(files[0].result.is_ok(), "a.xlsx is read");
    let f = files[1].result.as_ref().unwrap_err();
    assert_eq!((f.code, f.file.as_str()), (Code::FileTooLarge, "b.xlsx"));
    assert!(f.message.contains("не расходуя больше 64 МБ"), "{}", f.message);
    // Refused after its bytes were read: still accounted for, with its size and digest
    // (the check stage gives the finding's message as the file's reason).
    assert_eq!((files[1].file.size, files[1].file.sha256.len()), (big.len() as u64, 64));
}

/// Issue 10, points 3 and 10: a device read as a return got «файл слишком большой (50 МБ,
/// допускается не более 50 МБ)» after 50 MB of zeros had been read. Anything that is not a
/// regular file is refused before a byte is read, named for what it is; a FIFO is not even
/// waited for (the open does not block).
#[cfg(unix)]
#[test]
fn a_device_or_a_fifo_is_not_a_file_and_is_never_read() {
    let f = read::read_file(Path::new("/dev/zero"), "zero.xlsx", &Limits::default()).unwrap_err();
    assert_eq!(f.code, Code::FileNotRegular);
    assert_eq!(
        f.message,
        "это не файл, а устройство: profplan его не открывает. Уберите его из папки отчётов и \
         положите туда файл формы"
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("x.xlsx");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let f = read::read_file(&fifo, "x.xlsx", &Limits::default()).unwrap_err();
    assert_eq!(f.code, Code::FileNotRegular);
    assert!(f.message.contains("именованный канал (FIFO)"), "{}", f.message);
    // The scan says the same without opening it; a link inside the folder to the FIFO
    // is the FIFO; a link to a device outside the folder is a link, skipped.
    std::os::unix::fs::symlink(&fifo, dir.path().join("ссылка.xlsx")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("ноль.xlsx")).unwrap();
    let kinds: Vec<(String, FileKind)> =
        read::scan(dir.path()).unwrap().into_iter().map(|e| (e.display, e.kind)).collect();
    let fifo_kind = FileKind::NotFile("именованный канал (FIFO)".into());
    assert_eq!(
        kinds,
        [
            ("x.xlsx".to_string(), fifo_kind.clone()),
            ("ноль.xlsx".to_string(), FileKind::Skipped(SkipReason::Link)),
            ("ссылка.xlsx".to_string(), fifo_kind),
        ]
    );
}

/// Names are shown as the user would type them, except bytes that are not UTF-8 (shown
/// `\xFF`) and a backslash (doubled, so that a real `\xFF` in a name stays different).
#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_shown_escaped_and_distinct() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let show = |b: &[u8]| read::display_name(OsStr::from_bytes(b));
    assert_eq!(show(b"\xff1.xlsx"), "\\xFF1.xlsx");
    assert_eq!(show(b"\xfe1.xlsx"), "\\xFE1.xlsx");
    assert_eq!(show(b"\\xFF1.xlsx"), "\\\\xFF1.xlsx");
    assert_eq!(show("школа.xlsx".as_bytes()), "школа.xlsx");
    // Decomposed Unicode (macOS) is shown composed, as before.
    assert_eq!(show("и\u{306}.xlsx".as_bytes()), "й.xlsx");
    // Cyrillic in Windows-1251 bytes: every byte escaped, nothing lost.
    assert_eq!(show(b"\xf8\xea.xlsx"), "\\xF8\\xEA.xlsx");
}
