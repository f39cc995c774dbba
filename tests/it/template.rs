//! Report forms: what a reader (calamine, LibreOffice, a school deputy) finds in a form
//! written by `form::writer` and by `profplan template`.
//!
//! The LibreOffice tests convert real forms with `soffice --headless`. Without LibreOffice
//! they print a note and pass, except under CI (`CI=true`), where a silent skip would hide
//! a broken round trip.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader, SheetVisible, Xlsx};

use profplan::form::layout::{
    col, field_name, form_file_name, table_name, table_rows, FORM_SHEET, IDENTITY_SHEET,
    INSTRUCTIONS_SHEET, LISTS_SHEET, META_FIELDS, PROPERTY_PREFIX, TABLE_FIRST_COL,
};
use profplan::form::writer::{form_date, identity, write_form};
use profplan::plan::campaign::Campaign;
use profplan::plan::{Kind, Plan};
use profplan::schools::School;

use crate::cli::Cli;
use crate::lo::{self, soffice};

// ---------------------------------------------------------------------------------------
// Fixtures

fn school() -> School {
    School {
        id: "07".into(),
        name: "МБОУ «Покрово-Пригородная средняя общеобразовательная школа»".into(),
        short_name: "Покрово-Пригородная СОШ".into(),
        profile: profplan::schools::Profile::from([
            ("oo_students_6_11".to_string(), 412.0),
            ("oo_teachers".to_string(), 38.0),
        ]),
        contact_person: String::new(),
        email: String::new(),
        phone: String::new(),
    }
}

/// The campaign of the default plan with this deadline.
fn form(plan: &Plan, campaign: &str) -> Vec<u8> {
    let c = Campaign::parse(plan, campaign).unwrap();
    write_form(&c, &school(), form_date(&c), None).unwrap()
}

/// Campaigns exercising every part of the layout: December (shares, a table), May (four
/// tables, long choice lists), September (yes/no, text, a share over sums).
const CAMPAIGNS: [&str; 3] = ["2025-12-20", "2026-05-25", "2025-09-15"];

/// Every defined name a campaign's form must have: (name, sheet, what it names).
#[derive(Debug)]
enum Target {
    /// A value cell on the form sheet whose code column holds this code.
    Cell(String),
    /// A table's entry area: sheet, column codes, rows.
    Area { sheet: String, columns: Vec<String>, rows: u32 },
}

fn expected_names(c: &Campaign) -> BTreeMap<String, Target> {
    let mut m = BTreeMap::new();
    for (code, _) in META_FIELDS {
        m.insert(field_name(code), Target::Cell(code.to_string()));
    }
    for f in c.fields() {
        m.insert(field_name(&f.code), Target::Cell(f.code.clone()));
    }
    for (_, s) in c.shares() {
        m.insert(field_name(&s.code), Target::Cell(s.code.clone()));
    }
    for (_, t) in c.tables() {
        m.insert(
            table_name(&t.code),
            Target::Area {
                sheet: t.sheet.clone(),
                columns: t.columns.iter().map(|c| c.code.clone()).collect(),
                rows: c.plan.rows_of(t),
            },
        );
    }
    m
}

// ---------------------------------------------------------------------------------------
// Reference parsing (xlsx `'Отчёт'!$E$12` and ODF `$'Отчёт'.$E$12` / `$Отчёт.$E$12`)

/// A parsed reference: sheet, first (row, col), last (row, col), 0-based.
#[derive(Debug, PartialEq, Eq)]
struct Ref {
    sheet: String,
    first: (u32, u32),
    last: (u32, u32),
}

fn parse_ref(text: &str) -> Option<Ref> {
    let t = text.trim().trim_start_matches('=').trim_start_matches('[').trim_end_matches(']');
    let t = t.trim_start_matches('$');
    let (sheet, rest) = if let Some(q) = t.strip_prefix('\'') {
        // Quoted sheet name; '' is an escaped quote.
        let mut name = String::new();
        let mut chars = q.char_indices().peekable();
        let mut end = None;
        while let Some((i, ch)) = chars.next() {
            if ch == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    name.push('\'');
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                name.push(ch);
            }
        }
        (name, &q[end?..])
    } else {
        let cut = t.find('!').or_else(|| t.find('.'))?;
        (t[..cut].to_string(), &t[cut..])
    };
    let rest = rest.trim_start_matches(['!', '.']);
    let mut parts = rest.split(':');
    let first = parse_cell(parts.next()?)?;
    let last = match parts.next() {
        // ODF repeats the sheet in the second part: `.$E$23` or `$'Лист'.$E$23`.
        Some(p) => parse_cell(p.rsplit(['.', '!']).next()?)?,
        None => first,
    };
    Some(Ref { sheet, first, last })
}

fn parse_cell(a1: &str) -> Option<(u32, u32)> {
    let a1: String = a1.chars().filter(|c| *c != '$').collect();
    let letters: String = a1.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &a1[letters.len()..];
    if letters.is_empty() {
        return None;
    }
    let col = letters
        .to_ascii_uppercase()
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    Some((digits.parse::<u32>().ok()? - 1, col))
}

#[test]
fn references_in_both_syntaxes_parse() {
    let want = Ref { sheet: "Отчёт".into(), first: (11, 4), last: (11, 4) };
    assert_eq!(parse_ref("'Отчёт'!$E$12"), Some(want));
    assert_eq!(parse_ref("$'Отчёт'.$E$12").unwrap().first, (11, 4));
    assert_eq!(parse_ref("$Отчёт.$E$12").unwrap().sheet, "Отчёт");
    let area = parse_ref("$'10.1 Конкурсы'.$B$4:.$E$23").unwrap();
    assert_eq!((area.sheet.as_str(), area.first, area.last), ("10.1 Конкурсы", (3, 1), (22, 4)));
    let area = parse_ref("'10.1 Конкурсы'!$B$4:$E$23").unwrap();
    assert_eq!(area.last, (22, 4));
    assert_eq!(parse_ref("'It''s'!A1").unwrap().sheet, "It's");
}

// ---------------------------------------------------------------------------------------
// Reading a workbook back

fn cell_text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Check a workbook (ours, or as re-saved by LibreOffice) for the identity and every
/// defined name; `what` names it in failures.
fn assert_identity_and_names<R: Reader<RS>, RS: std::io::Read + std::io::Seek>(
    wb: &mut R,
    c: &Campaign,
    what: &str,
) where
    R::Error: std::fmt::Debug,
{
    let id = identity(c, &school());

    // Identity sheet: key in A, value in B, hidden.
    let meta = wb.sheets_metadata().to_vec();
    let id_sheet = meta.iter().find(|s| s.name == IDENTITY_SHEET).expect("identity sheet");
    assert_ne!(id_sheet.visible, SheetVisible::Visible, "{what}: identity sheet is visible");
    let range = wb.worksheet_range(IDENTITY_SHEET).unwrap();
    for (i, (key, value)) in id.rows().into_iter().enumerate() {
        assert_eq!(cell_text(&range, i as u32, 0), key, "{what}: identity key row {}", i + 1);
        assert_eq!(cell_text(&range, i as u32, 1), value, "{what}: identity {key}");
    }
    let visible: Vec<&str> = meta
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(visible[0], FORM_SHEET, "{what}: the form sheet comes first");
    assert!(visible.contains(&INSTRUCTIONS_SHEET), "{what}: instructions sheet");
    assert!(!visible.contains(&LISTS_SHEET), "{what}: lists sheet must be hidden");

    // Every name, pointing at the right place.
    let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    let form_range = wb.worksheet_range(FORM_SHEET).unwrap();
    for (name, target) in expected_names(c) {
        let text = names.get(&name).unwrap_or_else(|| panic!("{what}: no name {name}"));
        let r = parse_ref(text).unwrap_or_else(|| panic!("{what}: {name} = {text}?"));
        match target {
            Target::Cell(code) => {
                assert_eq!(r.sheet, FORM_SHEET, "{what}: {name} = {text}");
                assert_eq!(r.first, r.last, "{what}: {name} is one cell");
                assert_eq!(r.first.1, u32::from(col::VALUE), "{what}: {name} in the value column");
                assert_eq!(
                    cell_text(&form_range, r.first.0, u32::from(col::CODE)),
                    code,
                    "{what}: code column next to {name} ({text})"
                );
            }
            Target::Area { sheet, columns, rows } => {
                assert_eq!(r.sheet, sheet, "{what}: {name} = {text}");
                assert_eq!(r.first, (table_rows::FIRST_ENTRY, u32::from(TABLE_FIRST_COL)));
                assert_eq!(r.last.0 - r.first.0 + 1, rows, "{what}: rows of {name}");
                assert_eq!(r.last.1 - r.first.1 + 1, columns.len() as u32, "{what}: {name}");
                let t = wb.worksheet_range(&sheet).unwrap();
                for (i, code) in columns.iter().enumerate() {
                    let got = cell_text(&t, table_rows::CODES, r.first.1 + i as u32);
                    assert_eq!(&got, code, "{what}: column code {} of {name}", i + 1);
                }
            }
        }
    }
    // No stray names of ours: a reader treats PP_ names as the form's contract.
    let ours: BTreeSet<&String> = names.keys().filter(|n| n.starts_with("PP")).collect();
    let expected: BTreeSet<String> = expected_names(c).into_keys().collect();
    assert_eq!(ours, expected.iter().collect(), "{what}: PP_/PPT_ names");
}

#[test]
fn form_carries_identity_properties_and_every_name() {
    let plan = Plan::default_plan();
    for campaign in CAMPAIGNS {
        let c = Campaign::parse(&plan, campaign).unwrap();
        let bytes = form(&plan, campaign);
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_identity_and_names(&mut wb, &c, campaign);

        let props = wb.workbook_properties().unwrap();
        for (key, value) in identity(&c, &school()).rows() {
            assert_eq!(
                props.custom_properties.get(&format!("{PROPERTY_PREFIX}{key}")),
                Some(&value),
                "{campaign}: property {key}"
            );
        }
        // Fixed document date: 1 September of the academic year.
        assert_eq!(props.created.as_deref(), Some("2025-09-01T00:00:00Z"));
    }
}

#[test]
fn form_shows_school_prefills_profile_and_caches_blank_shares() {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, "2025-12-20").unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(form(&plan, "2025-12-20"))).unwrap();
    let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    let range = wb.worksheet_range(FORM_SHEET).unwrap();
    let at = |name: &str| {
        let r = parse_ref(&names[name]).unwrap();
        range.get_value(r.first).cloned().unwrap_or(Data::Empty)
    };
    assert_eq!(at("PP_oo_students_6_11"), Data::Float(412.0));
    assert_eq!(at("PP_oo_students_ovz"), Data::Empty, "not in the registry: blank, not 0");
    // A share of a blank numerator is blank, not 0 %.
    assert!(matches!(at("PP_s2_1_covered"), Data::Empty | Data::String(_)));
    assert_ne!(at("PP_s2_1_covered"), Data::Float(0.0));
    let formulas = wb.worksheet_formula(FORM_SHEET).unwrap();
    let r = parse_ref(&names["PP_s2_1_covered"]).unwrap();
    let f = formulas.get_value(r.first).unwrap();
    assert!(f.contains("PP_p2_1_covered") && f.contains("PP_oo_students_6_11"), "{f}");

    let all: Vec<String> = range.rows().flatten().map(|d| d.to_string()).collect();
    let text = all.join("\n");
    assert!(text.contains(&school().name));
    assert!(text.contains("до 20.12.2025"));
    assert!(text.contains(&c.def.title));
    assert!(text.contains("2025/26"));
}

// ---------------------------------------------------------------------------------------
// Protection and validation, read from the package XML

/// The parts of an xlsx package, by path.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(f.name().to_string(), s);
        }
    }
    out
}

/// Indexes of the cell formats (cellXfs) that unlock a cell.
fn unlocked_xfs(styles: &str) -> BTreeSet<usize> {
    let start = styles.find("<cellXfs").unwrap();
    let end = styles[start..].find("</cellXfs>").unwrap() + start;
    styles[start..end]
        .split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| xf.contains("locked=\"0\""))
        .map(|(i, _)| i)
        .collect()
}

/// (cell reference, style index) of every cell in a sheet part.
fn cells(sheet: &str) -> Vec<((u32, u32), usize)> {
    sheet
        .split("<c ")
        .skip(1)
        .map(|c| {
            let tag = &c[..c.find('>').unwrap()];
            let attr = |name: &str| {
                let k = format!("{name}=\"");
                tag.find(&k).map(|p| {
                    let v = &tag[p + k.len()..];
                    v[..v.find('"').unwrap()].to_string()
                })
            };
            let r = parse_cell(&attr("r").unwrap()).unwrap();
            (r, attr("s").map_or(0, |s| s.parse().unwrap()))
        })
        .collect()
}

/// Sheet part of each sheet name. rust_xlsxwriter numbers parts in sheet order.
fn sheet_parts(bytes: &[u8]) -> Vec<(String, String)> {
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let names = wb.sheet_names();
    let parts = unzip(bytes);
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), parts[&format!("xl/worksheets/sheet{}.xml", i + 1)].clone()))
        .collect()
}

#[test]
fn only_input_cells_are_unlocked_and_every_sheet_is_protected() {
    let plan = Plan::default_plan();
    for campaign in CAMPAIGNS {
        let c = Campaign::parse(&plan, campaign).unwrap();
        let bytes = form(&plan, campaign);
        let parts = unzip(&bytes);
        let unlocked = unlocked_xfs(&parts["xl/styles.xml"]);
        let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
        let shares: BTreeSet<String> =
            c.shares().iter().map(|(_, s)| field_name(&s.code)).collect();

        // The cells that must be unlocked, per sheet: named inputs (not shares) and tables.
        let mut want: BTreeMap<String, BTreeSet<(u32, u32)>> = BTreeMap::new();
        for (name, text) in &names {
            if !name.starts_with("PP") || shares.contains(name) {
                continue;
            }
            let r = parse_ref(text).unwrap();
            let set = want.entry(r.sheet.clone()).or_default();
            for row in r.first.0..=r.last.0 {
                for col in r.first.1..=r.last.1 {
                    set.insert((row, col));
                }
            }
        }
        for (sheet, xml) in sheet_parts(&bytes) {
            assert!(xml.contains("<sheetProtection"), "{campaign}: «{sheet}» is not protected");
            let got: BTreeSet<(u32, u32)> = cells(&xml)
                .into_iter()
                .filter(|(_, s)| unlocked.contains(s))
                .map(|(r, _)| r)
                .collect();
            assert_eq!(got, want.remove(&sheet).unwrap_or_default(), "{campaign}: «{sheet}»");
        }
        assert!(want.is_empty(), "{campaign}: names on unknown sheets: {want:?}");
    }
}

#[test]
fn every_input_has_a_typed_validation() {
    let plan = Plan::default_plan();
    for campaign in CAMPAIGNS {
        let c = Campaign::parse(&plan, campaign).unwrap();
        let bytes = form(&plan, campaign);
        let parts = sheet_parts(&bytes);
        let xml = |sheet: &str| parts.iter().find(|(n, _)| n == sheet).unwrap().1.clone();
        let count = |xml: &str, kind: &str| xml.matches(&format!("type=\"{kind}\"")).count();

        let kinds: Vec<Kind> = c.fields().iter().map(|f| f.kind).collect();
        let n = |k: &[Kind]| kinds.iter().filter(|x| k.contains(x)).count();
        let form = xml(FORM_SHEET);
        assert_eq!(form.matches("<dataValidation ").count(), META_FIELDS.len() + kinds.len());
        assert_eq!(count(&form, "whole"), n(&[Kind::Integer]), "{campaign}");
        assert_eq!(count(&form, "list"), n(&[Kind::Choice, Kind::YesNo]), "{campaign}");
        assert_eq!(count(&form, "textLength"), n(&[Kind::Text]) + META_FIELDS.len());
        // Stop style is the default (no errorStyle attribute); prompts and errors are Russian.
        assert!(!form.contains("errorStyle="), "{campaign}: errors must stop the input");
        assert!(form.contains("promptTitle=") && form.contains("Неверное значение"));

        for (_, t) in c.tables() {
            let x = xml(&t.sheet);
            assert_eq!(x.matches("<dataValidation ").count(), t.columns.len(), "{}", t.sheet);
            for col in &t.columns {
                if col.kind == Kind::Choice {
                    let values = plan.choices_of(col);
                    let joined = values.join(",");
                    if joined.chars().count() > 255 {
                        assert!(
                            x.contains(LISTS_SHEET),
                            "{}: long list on the lists sheet",
                            t.sheet
                        );
                    } else {
                        assert!(x.contains(&joined), "{}: inline list of {}", t.sheet, col.code);
                    }
                }
            }
        }
    }
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let plan = Plan::default_plan();
    for campaign in CAMPAIGNS {
        assert!(form(&plan, campaign) == form(&plan, campaign), "{campaign}");
    }
}

// ---------------------------------------------------------------------------------------
// The command

const REGISTRY: &str = "\u{feff}id;name;short_name;oo_students_6_11;oo_teachers\n\
07;МБОУ «Покрово-Пригородная средняя общеобразовательная школа»;Покрово-Пригородная СОШ;412;38\n\
12;МБОУ «Стрелецкая СОШ»;Стрелецкая СОШ;;\n\
15;МБОУ «Цнинская СОШ № 1»;Цнинская СОШ № 1;630;51\n";

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schools.csv"), REGISTRY).unwrap();
    dir
}

fn template(dir: &Path) -> Cli {
    Cli::new().in_dir(dir).campaign("2025-12-20").registry("schools.csv").cmd("template")
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn cli_writes_one_form_per_school_and_never_overwrites_without_force() {
    let dir = workdir();
    template(dir.path())
        .run()
        .success()
        .stdout_has("Записано форм: 3 в папку")
        .stdout_has("forms (кампания 2025-12-20");
    let forms = dir.path().join("forms");
    let first = files(&forms);
    assert_eq!(
        first.keys().cloned().collect::<Vec<_>>(),
        [
            form_file_name("07", "Покрово-Пригородная СОШ"),
            form_file_name("12", "Стрелецкая СОШ"),
            form_file_name("15", "Цнинская СОШ № 1"),
        ]
    );

    // One existing form is enough to refuse the whole run and write nothing.
    std::fs::remove_file(forms.join(form_file_name("12", "Стрелецкая СОШ"))).unwrap();
    std::fs::write(forms.join(form_file_name("07", "Покрово-Пригородная СОШ")), b"filled").unwrap();
    template(dir.path())
        .run()
        .code(2)
        .stderr_has("уже существуют")
        .stderr_has("07_Покрово")
        .stderr_has("--force");
    let after = files(&forms);
    assert_eq!(after.len(), 2, "nothing written on refusal");
    assert_eq!(after[&form_file_name("07", "Покрово-Пригородная СОШ")], b"filled");

    template(dir.path()).arg("--force").run().success().stdout_has("Записано форм: 3");
    assert_eq!(files(&forms), first, "--force rewrites the same bytes");
}

#[test]
fn cli_output_does_not_depend_on_threads() {
    let dir = workdir();
    template(dir.path()).env("RAYON_NUM_THREADS", "1").args(["--out", "one"]).run().success();
    template(dir.path()).env("RAYON_NUM_THREADS", "3").args(["--out", "three"]).run().success();
    let one = files(&dir.path().join("one"));
    assert_eq!(one.len(), 3);
    assert_eq!(one, files(&dir.path().join("three")));
}

#[test]
fn cli_only_selects_schools_and_refuses_unknown_ids() {
    let dir = workdir();
    template(dir.path())
        .args(["--only", "15,07", "--out", "x"])
        .run()
        .success()
        .stdout_has("Записано форм: 2");
    assert_eq!(files(&dir.path().join("x")).len(), 2);
    template(dir.path())
        .args(["--only", "99", "--out", "y"])
        .run()
        .code(2)
        .stderr_has("нет школ с кодами: 99");
    assert!(!dir.path().join("y").exists());
}

#[test]
fn cli_explains_missing_campaign_schools_and_bad_dates() {
    let dir = workdir();
    // No campaign: the nearest deadline is taken, and the user is told so.
    Cli::new()
        .in_dir(dir.path())
        .args(["--schools", "schools.csv", "template"])
        .run()
        .success()
        .stderr_has("кампания не указана — взята ближайшая по сроку")
        .stderr_has("--campaign");
    Cli::new()
        .in_dir(dir.path())
        .args(["--campaign", "2025-12-20", "template"])
        .run()
        .code(2)
        .stderr_has("--schools");
    Cli::new()
        .in_dir(dir.path())
        .args(["--campaign", "2025-12-21", "--schools", "schools.csv", "template"])
        .run()
        .code(2)
        .stderr_has("2025-12-20");
}

// ---------------------------------------------------------------------------------------
// LibreOffice

fn write_form_file(dir: &Path, campaign: &str) -> PathBuf {
    let plan = Plan::default_plan();
    let path = dir.join(format!("form-{campaign}.xlsx"));
    std::fs::write(&path, form(&plan, campaign)).unwrap();
    path
}

#[test]
fn libreoffice_keeps_identity_and_names_in_xlsx_and_ods() {
    let plan = Plan::default_plan();
    let dir = tempfile::tempdir().unwrap();
    for campaign in ["2026-05-25", "2025-09-15"] {
        let c = Campaign::parse(&plan, campaign).unwrap();
        let input = write_form_file(dir.path(), campaign);
        for format in ["xlsx", "ods"] {
            let outdir = dir.path().join(format!("{campaign}-{format}"));
            std::fs::create_dir_all(&outdir).unwrap();
            let Some(converted) = lo::convert(&input, format, &outdir) else { return };
            let what = format!("{campaign} via LibreOffice .{format}");
            let mut wb = open_workbook_auto(&converted).unwrap();
            assert_identity_and_names(&mut wb, &c, &what);
            let props = wb.workbook_properties().unwrap();
            for (key, value) in identity(&c, &school()).rows() {
                assert_eq!(
                    props.custom_properties.get(&format!("{PROPERTY_PREFIX}{key}")),
                    Some(&value),
                    "{what}: property {key}"
                );
            }
        }
    }
}

#[test]
fn libreoffice_prints_a_sensible_number_of_pages() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_form_file(dir.path(), "2026-05-25");
    let Some(pdf) = lo::convert(&input, "pdf", dir.path()) else { return };
    let pdf = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
        + text.matches("/Type /Page").count()
        - text.matches("/Type /Pages").count();
    // May: the form (~3 pages), instructions (~2) and four tables (1–2 pages each).
    // Many more pages means a sheet is not fitted to the page width.
    assert!((6..=16).contains(&pages), "{pages} pages");
}

/// A copy of an xlsx package with `value` typed into the (blank) cell `a1` of sheet part 1.
fn fill_cell(bytes: &[u8], a1: &str, value: f64) -> Vec<u8> {
    use std::io::Write;
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).unwrap();
            let start = xml.find(&format!("<c r=\"{a1}\" ")).expect("cell written by the form");
            let end = start + xml[start..].find("/>").unwrap();
            let filled = format!("{}><v>{value}</v></c>{}", &xml[..end], &xml[end + 2..]);
            data = filled.into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn libreoffice_computes_shares_from_the_named_cells() {
    let Some(soffice) = soffice() else { return };
    let plan = Plan::default_plan();
    let bytes = form(&plan, "2025-12-20");
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    let covered = parse_ref(&names["PP_p2_1_covered"]).unwrap().first;
    let a1 = format!("E{}", covered.0 + 1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("filled.xlsx");
    std::fs::write(&input, fill_cell(&bytes, &a1, 103.0)).unwrap();

    // A profile that makes LibreOffice recalculate on load (by default it trusts the
    // cached values, which is what a school sees until it edits a cell).
    let profile = dir.path().join("lo-profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>"#,
    )
    .unwrap();
    let outdir = dir.path().join("out");
    let status = Command::new(&soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "xlsx", "--outdir"])
        .arg(&outdir)
        .arg(&input)
        .output()
        .unwrap();
    let converted = outdir.join("filled.xlsx");
    assert!(converted.is_file(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut wb = open_workbook_auto(&converted).unwrap();
    let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    let range = wb.worksheet_range(FORM_SHEET).unwrap();
    let at = |name: &str| range.get_value(parse_ref(&names[name]).unwrap().first).cloned();
    // 103 of 412 students (the registry's figure): 25 %.
    assert_eq!(at("PP_s2_1_covered"), Some(Data::Float(0.25)));
    // Numerator blank: the share stays blank even though the denominator is known.
    assert!(
        matches!(at("PP_s5_1_registered"), None | Some(Data::Empty) | Some(Data::String(_))),
        "{:?}",
        at("PP_s5_1_registered")
    );
    // No error values (#DIV/0!, #NAME?) anywhere among the shares.
    for name in ["PP_s2_1_covered", "PP_s5_1_registered", "PP_s5_1_probes", "PP_s6_2_trained"] {
        assert!(!matches!(at(name), Some(Data::Error(_))), "{name}: {:?}", at(name));
    }
}
