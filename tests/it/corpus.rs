//! The bad-input corpus, end to end through the `profplan` binary.
//!
//! A district of 20 valid returns with known values (library-filled) is checked once as
//! the baseline. Each case then puts one bad file into a copy of that folder — an extra
//! file, or one school's return replaced by a broken version of itself — runs
//! `profplan check --format json` (and `--format text`), and asserts what the
//! methodologist would look at: the exit code, the Russian message naming the file
//! (and sheet and cell where there is one), and that every other school's status and
//! values are exactly those of the baseline. Values are compared through the library's
//! intake (the same code the binary runs), since `check` prints statuses, not figures.
//!
//! The reader's unit-level hostile cases are in `read_returns.rs`; this file proves the
//! whole run survives them with nothing lost.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use crate::cli::Cli;
use crate::support::*;
use profplan::check::intake::{assess, IntakeOptions};
use profplan::check::values::SchoolData;
use profplan::form::layout::{self, key, FORM_SHEET, IDENTITY_SHEET};
use profplan::read::Limits;
use profplan::synth::FillValue;
use serde_json::Value as Json;

/// profplan as user `nobody` (who cannot read what only root may): `Cli::under(NOBODY)`.
const NOBODY: [&str; 5] =
    ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"];

// ------------------------------------------------------------------ the district

/// The baseline: every school's return, and the run over them.
struct Baseline {
    files: Vec<(String, Vec<u8>)>,
    run: Checked,
}

fn file_name(id: &str) -> String {
    layout::form_file_name(id, &school(id).short_name)
}

fn baseline() -> &'static Baseline {
    static B: OnceLock<Baseline> = OnceLock::new();
    B.get_or_init(|| {
        let files: Vec<(String, Vec<u8>)> =
            registry().schools.iter().map(|s| (file_name(&s.id), valid_return(&s.id))).collect();
        let dir = tempfile::tempdir().unwrap();
        let returns = dir.path().join("returns");
        std::fs::create_dir(&returns).unwrap();
        for (n, b) in &files {
            std::fs::write(returns.join(n), b).unwrap();
        }
        let run = check(&returns, &registry_path());
        // The baseline itself must be what the corpus assumes: all 20 accepted, exit 0.
        assert_eq!(run.code, 0, "baseline: {}", run.text);
        assert_eq!(run.json["counts"]["accepted"], 20, "baseline: {}", run.text);
        assert_eq!(run.data.len(), 20);
        Baseline { files, run }
    })
}

/// One `check` of a returns folder.
struct Checked {
    code: i32,
    json: Json,
    text: String,
    /// The figures that would go into the summary (library intake of the same folder).
    data: Vec<SchoolData>,
}

fn profplan(dir: &Path, registry: &Path, extra: &[&str]) -> crate::cli::Run {
    Cli::new()
        .in_dir(dir.parent().unwrap())
        .no_color()
        .registry(registry)
        .campaign(CAMPAIGN)
        .cmd("check")
        .returns(dir)
        .today(AS_OF)
        .args(extra)
        .run()
}

fn check(dir: &Path, registry: &Path) -> Checked {
    let out = profplan(dir, registry, &["--format", "json"]);
    let code = out.code;
    let json: Json = out.json();
    let text_out = profplan(dir, registry, &["--format", "text"]);
    assert_eq!(text_out.code, code, "text and JSON runs disagree");
    let text = text_out.stdout;
    let reg = profplan::schools::Registry::load(registry, plan()).unwrap();
    let files = profplan::read::folder::read_folder(dir, &Limits::default(), &|| {}).unwrap();
    let as_of = profplan::plan::campaign::parse_date(AS_OF).unwrap();
    let intake = assess(
        &campaign(),
        &reg,
        files,
        IntakeOptions { as_of, include_invalid: false, district: Default::default(), key: None },
    );
    Checked { code, json, text, data: intake.data }
}

/// A copy of the district's folder, changed by `edit`, checked.
fn case(edit: impl FnOnce(&Path)) -> (tempfile::TempDir, Checked) {
    case_with_registry(&registry_path(), edit)
}

fn case_with_registry(registry: &Path, edit: impl FnOnce(&Path)) -> (tempfile::TempDir, Checked) {
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    for (n, b) in &baseline().files {
        std::fs::write(returns.join(n), b).unwrap();
    }
    edit(&returns);
    let run = check(&returns, registry);
    (dir, run)
}

/// Puts `bytes` in place of school `id`'s return, under `name`.
fn replace(returns: &Path, id: &str, name: &str, bytes: &[u8]) {
    std::fs::remove_file(returns.join(file_name(id))).unwrap();
    std::fs::write(returns.join(name), bytes).unwrap();
}

fn base_bytes(id: &str) -> Vec<u8> {
    let name = file_name(id);
    baseline().files.iter().find(|(n, _)| *n == name).unwrap().1.clone()
}

// ------------------------------------------------------------------ assertions

fn school_json<'a>(run: &'a Checked, id: &str) -> &'a Json {
    run.json["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no school {id} in the report"))
}

fn data_of<'a>(run: &'a Checked, id: &str) -> Option<&'a SchoolData> {
    run.data.iter().find(|d| d.school_id == id)
}

/// Every school but `except` has the baseline's status entry and exactly its values.
fn assert_others_unchanged(run: &Checked, except: &[&str]) {
    let base = &baseline().run;
    for s in &registry().schools {
        if except.contains(&s.id.as_str()) {
            continue;
        }
        assert_eq!(school_json(run, &s.id), school_json(base, &s.id), "school {}", s.id);
        assert_eq!(data_of(run, &s.id), data_of(base, &s.id), "values of school {}", s.id);
    }
}

/// The values a school sent, without where they came from (to compare the same values
/// read from a differently named or differently formatted file).
fn values_only(d: &SchoolData) -> String {
    let mut out = String::new();
    for (k, v) in &d.fields {
        out.push_str(&format!("{k} = {}\n", v.value.display()));
    }
    for (k, rows) in &d.tables {
        for r in rows {
            out.push_str(&format!("{k} «{}» {}: {:?}\n", r.sheet, r.row, r.values));
        }
    }
    out
}

fn findings_of<'a>(run: &'a Checked, file: &str) -> Vec<&'a Json> {
    run.json["findings"].as_array().unwrap().iter().filter(|f| f["file"] == file).collect()
}

/// The one finding with `code` about `file`; its message must contain `words`, and the
/// text report must show the file and the message.
fn finding<'a>(run: &'a Checked, file: &str, code: &str, words: &str) -> &'a Json {
    let all = findings_of(run, file);
    let f = all
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding for {file}; findings: {all:#?}"));
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(words), "{file}: «{msg}» does not say «{words}»");
    assert!(run.text.contains(file), "the text report does not name {file}:\n{}", run.text);
    assert!(run.text.contains(msg), "the text report does not show «{msg}»:\n{}", run.text);
    f
}

fn file_record<'a>(run: &'a Checked, path: &str) -> &'a Json {
    run.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not among the files: {:#?}", run.json["files"]))
}

/// An extra file nobody can use: refused with `code`, named in the report, the district
/// untouched and still all accepted (exit 0: every school has its return).
fn assert_refused_extra(run: &Checked, file: &str, code: &str, words: &str) {
    let f = finding(run, file, code, words);
    assert_eq!(f["severity"], "error");
    assert_eq!(file_record(run, file)["outcome"], "rejected");
    assert_eq!(run.json["counts"]["rejected_files"], 1);
    assert_eq!(run.code, 0, "every school still has its accepted return");
    assert_others_unchanged(run, &[]);
}

/// A school's return replaced by a file that cannot be its return: the school is
/// «не сдан», the file is named with the reason, exit 1, everyone else untouched.
fn assert_school_lost(run: &Checked, id: &str, file: &str, code: &str, words: &str) {
    finding(run, file, code, words);
    assert_eq!(school_json(run, id)["status"], "missing", "school {id}");
    assert!(data_of(run, id).is_none(), "nothing of {file} may reach the figures");
    assert_eq!(run.code, 1);
    assert_others_unchanged(run, &[id]);
}

// ------------------------------------------------------------------ not spreadsheets

#[test]
fn empty_file_is_refused_as_empty() {
    let (_d, run) = case(|r| std::fs::write(r.join("пустой.xlsx"), b"").unwrap());
    assert_refused_extra(&run, "пустой.xlsx", "file_empty", "файл пустой");
}

#[test]
fn truncated_zip_is_refused_as_damaged() {
    let half = base_bytes("101");
    let half = &half[..half.len() / 2];
    let (_d, run) = case(|r| std::fs::write(r.join("101_обрезан.xlsx"), half).unwrap());
    assert_refused_extra(&run, "101_обрезан.xlsx", "file_damaged", "повреждён");
}

#[test]
fn html_csv_and_xml_named_as_spreadsheets_say_what_they_are() {
    let html = "<html><head><meta charset=utf-8></head><body><table><tr><td>Отчёт</td><td>12</td></tr></table></body></html>";
    let cases: [(&str, &[u8], &str, &str); 4] = [
        ("портал.xls", html.as_bytes(), "file_html", "веб-страница"),
        ("портал.xlsx", html.as_bytes(), "file_html", "веб-страница"),
        ("выгрузка.xlsx", "ОО;Охвачено\n101;120\n".as_bytes(), "file_csv", "CSV"),
        (
            "таблица2003.xls",
            br#"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>"#,
            "file_html",
            "XML",
        ),
    ];
    for (name, bytes, code, words) in cases {
        let (_d, run) = case(|r| std::fs::write(r.join(name), bytes).unwrap());
        assert_refused_extra(&run, name, code, words);
    }
}

// ------------------------------------------------------------------ other real formats

#[test]
fn legacy_xls_return_saved_by_libreoffice_is_read_like_the_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("102_Стрелецкая.xlsx");
    std::fs::write(&src, base_bytes("102")).unwrap();
    let Some(xls) = crate::lo::convert(&src, "xls", dir.path()) else { return };
    let xls_bytes = std::fs::read(&xls).unwrap();
    let (_d, run) = case(|r| {
        replace(r, "102", "102_Стрелецкая.xls", &xls_bytes);
        // LibreOffice stamps «now» as the save time; the school saved it before the
        // deadline, which the file's time says.
        let f = std::fs::File::options().write(true).open(r.join("102_Стрелецкая.xls")).unwrap();
        f.set_modified(saved_at().and_utc().into()).unwrap();
    });
    let rec = file_record(&run, "102_Стрелецкая.xls");
    assert_eq!(rec["format"], "xls");
    assert_eq!(rec["outcome"], "accepted", "{:#?}", findings_of(&run, "102_Стрелецкая.xls"));
    assert_eq!(school_json(&run, "102")["status"], "accepted");
    let got = data_of(&run, "102").expect("values of the xls return");
    let want = data_of(&baseline().run, "102").unwrap();
    assert_eq!(values_only(got), values_only(want), "the xls says what the xlsx said");
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["102"]);
}

/// A real encrypted package when msoffcrypto-tool is installed; otherwise a CFB with
/// the two streams Excel writes (which is all profplan looks at).
fn encrypted_xlsx(plain: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("in.xlsx"), dir.path().join("out.xlsx"));
    std::fs::write(&src, plain).unwrap();
    let real = Command::new("msoffcrypto-tool")
        .args(["-e", "-p", "школа103"])
        .arg(&src)
        .arg(&dst)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if real {
        return std::fs::read(&dst).unwrap();
    }
    eprintln!("note: msoffcrypto-tool not installed; encrypted container made with cfb");
    use std::io::Write;
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    c.create_stream("EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    c.create_stream("EncryptedPackage").unwrap().write_all(plain).unwrap();
    c.flush().unwrap();
    c.into_inner().into_inner()
}

#[test]
fn password_protected_return_asks_to_remove_the_password() {
    let enc = encrypted_xlsx(&base_bytes("103"));
    assert_eq!(&enc[..4], &[0xD0, 0xCF, 0x11, 0xE0], "an encrypted xlsx is a CFB container");
    let name = file_name("103");
    let (_d, run) = case(|r| replace(r, "103", &name, &enc));
    assert_school_lost(&run, "103", &name, "file_encrypted", "защищён паролем");
    assert_eq!(file_record(&run, &name)["outcome"], "rejected");
}

#[test]
fn xlsm_with_a_macro_is_read_as_data_and_left_untouched() {
    let xlsm = rewrite(&base_bytes("104"), |n, c| {
        if n == "[Content_Types].xml" {
            let t = String::from_utf8(c).unwrap().replace(
                "</Types>",
                r#"<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>"#,
            );
            return Some(t.into_bytes());
        }
        Some(c)
    });
    let mut parts = entries(&xlsm);
    parts.push((
        "xl/vbaProject.bin".into(),
        b"Attribute VB_Name = \"ThisWorkbook\"\nSub Workbook_Open(): Kill \"*.xlsx\": End Sub"
            .to_vec(),
    ));
    let xlsm = zip_of(&parts);
    let name = "104_Цнинская_СОШ_1.xlsm";
    let (d, run) = case(|r| replace(r, "104", name, &xlsm));
    let rec = file_record(&run, name);
    assert_eq!(rec["format"], "xlsm");
    assert_eq!(rec["outcome"], "accepted");
    let got = data_of(&run, "104").expect("values of the xlsm");
    assert_eq!(values_only(got), values_only(data_of(&baseline().run, "104").unwrap()));
    // Nothing ran: the file and its neighbours are all still there, byte for byte.
    let returns = d.path().join("returns");
    assert_eq!(std::fs::read(returns.join(name)).unwrap(), xlsm);
    assert_eq!(std::fs::read_dir(&returns).unwrap().count(), 20);
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["104"]);
}

// ------------------------------------------------------------------ zip bombs

/// A return of school 105 whose form sheet is one deflate stream of `mib` MiB of zeros,
/// declaring `declared` bytes.
fn bomb_sheet(mib: usize, declared: u32) -> Vec<u8> {
    let good = base_bytes("105");
    let part = sheet_part(&good, FORM_SHEET);
    let mut parts = raw_entries_of(&good);
    let e = parts.iter_mut().find(|e| e.name == part).unwrap();
    e.data = deflated_zeros(mib);
    e.declared_size = declared;
    e.crc = 0;
    raw_zip(&parts)
}

/// The bombs of the corpus: name, bytes, expected code, words of the message.
fn bombs() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let good = base_bytes("105");
    // Thousands of entries.
    let mut many = entries(&good);
    many.extend((0..5000).map(|i| (format!("xl/media/image{i}.png"), b"x".to_vec())));
    // Overlapping entries: every central record points at the first local header.
    let overlapping = {
        let mut b = raw_zip(&raw_entries_of(&good));
        let cd = u32::from_le_bytes(b[b.len() - 6..b.len() - 2].try_into().unwrap()) as usize;
        let mut i = cd;
        while i + 46 <= b.len() && b[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let n = u16::from_le_bytes([b[i + 28], b[i + 29]]) as usize;
            b[i + 42..i + 46].copy_from_slice(&0u32.to_le_bytes());
            i += 46 + n;
        }
        b
    };
    // Shared strings that inflate to 2 GiB while declaring 4 KB.
    let lying_strings = {
        let mut parts = raw_entries_of(&good);
        let e = parts.iter_mut().find(|e| e.name == "xl/sharedStrings.xml").unwrap();
        e.data = deflated_zeros(2048);
        e.declared_size = 4096;
        raw_zip(&parts)
    };
    vec![
        // 50 MiB of zeros in 50 KB: honest sizes, a ratio no spreadsheet has.
        ("бомба_сжатие.xlsx", bomb_sheet(50, 50 << 20), "file_too_large", "сжата в"),
        // 2 GiB declared honestly: refused from the directory.
        ("бомба_2ГБ.xlsx", bomb_sheet(2048, 2048 << 20), "file_too_large", "после распаковки"),
        // 2 GiB of data declared as 40 KB: inflation stops at the declared size.
        ("бомба_ложный_размер.xlsx", bomb_sheet(2048, 40_000), "file_damaged", "повреждён"),
        ("бомба_строки.xlsx", lying_strings, "file_damaged", "повреждён"),
        ("бомба_5000_частей.xlsx", zip_of(&many), "file_too_large", "частей"),
        ("бомба_перекрытие.xlsx", overlapping, "file_damaged", "перекрывают"),
    ]
}

#[test]
fn zip_bombs_are_refused_and_the_district_is_untouched() {
    for (name, bytes, code, words) in bombs() {
        let (_d, run) = case(|r| std::fs::write(r.join(name), &bytes).unwrap());
        assert_refused_extra(&run, name, code, words);
    }
}

/// School 106's return with one more value at XFD1048576 (and A1 already used): a grid
/// read would need ~550 GB.
fn a1_and_xfd_return() -> Vec<u8> {
    let good = base_bytes("106");
    let part = sheet_part(&good, FORM_SHEET);
    edit_part(&good, &part, |x| {
        x.replace(
            "</sheetData>",
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>край листа</t></is></c></row></sheetData>"#,
        )
    })
}

#[test]
fn values_in_a1_and_xfd1048576_are_read_without_a_grid() {
    let bytes = a1_and_xfd_return();
    let name = file_name("106");
    let (_d, run) = case(|r| std::fs::write(r.join(&name), &bytes).unwrap());
    assert_eq!(file_record(&run, &name)["outcome"], "accepted");
    // The far cell is no field: school 106's figures are exactly the baseline's.
    assert_others_unchanged(&run, &[]);
    assert_eq!(run.code, 0);
}

/// Runs the bombs and the A1:XFD1048576 sheet under a 1 GiB address-space limit: the
/// process must end normally (exit 0, not a signal) with every bomb refused. The same
/// run fits in a quarter of that; under 8 MiB it must fail — proof that the limit is
/// applied at all.
#[cfg(target_os = "linux")]
#[test]
fn bombs_stay_within_a_memory_limit() {
    if !Path::new("/usr/bin/prlimit").exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("prlimit (util-linux) is required in CI");
        }
        eprintln!("note: prlimit not found, memory-limit run skipped");
        return;
    }
    const LIMIT: u64 = 1 << 30; // 1 GiB of address space
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    for (n, b) in &baseline().files {
        std::fs::write(returns.join(n), b).unwrap();
    }
    std::fs::write(returns.join(file_name("106")), a1_and_xfd_return()).unwrap();
    for (name, bytes, _, _) in bombs() {
        std::fs::write(returns.join(name), bytes).unwrap();
    }
    let limited = |limit: u64| {
        Cli::new()
            .under(["/usr/bin/prlimit", &format!("--as={limit}"), "--"])
            .registry(registry_path())
            .campaign(CAMPAIGN)
            .cmd("check")
            .returns(&returns)
            .today(AS_OF)
            .args(["--format", "json"])
            .output()
    };
    // A normal check of the 20 returns needs 32–64 MiB of address space (release build,
    // two rayon threads; measured with `prlimit --as`). Two of the bombs would inflate to
    // 2 GiB if any reader trusted them, so 1 GiB is both generous and decisive.
    let out = limited(LIMIT);
    let status = out.status;
    assert!(
        status.code().is_some(),
        "killed by a signal under a {} MiB limit: {status:?}; stderr: {}",
        LIMIT >> 20,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["counts"]["accepted"], 20);
    assert_eq!(json["counts"]["rejected_files"], bombs().len());
    for (name, _, code, _) in bombs() {
        let rec = json["files"].as_array().unwrap().iter().find(|f| f["path"] == name).unwrap();
        assert_eq!(rec["outcome"], "rejected", "{name}");
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["file"] == name && f["code"] == code),
            "{name}: no {code}"
        );
    }
    // The same run fits in a quarter of the limit: the limit is not tight by luck.
    assert_eq!(limited(LIMIT / 4).status.code(), Some(0));
    // And a limit far too small does stop it: the mechanism works.
    assert_ne!(limited(8 << 20).status.code(), Some(0), "an 8 MiB limit must not be enough");
}

// ------------------------------------------------------------------ hostile XML

#[test]
fn billion_laughs_and_external_entities_in_a_sheet_and_in_shared_strings_are_inert() {
    let dtd = r#"<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#;
    let good = base_bytes("107");
    let sheet = sheet_part(&good, FORM_SHEET);
    let with_dtd = |x: String, marker: &str| -> String {
        let decl_end = x.find("?>").unwrap() + 2;
        let x = format!("{}{dtd}{}", &x[..decl_end], &x[decl_end..]);
        x.replacen(marker, &format!("{marker}&lol9;&xxe;"), 1)
    };
    let in_sheet = {
        let b = set_field(&good, "p1_2_comment", |a1| {
            format!("<c r=\"{a1}\" t=\"inlineStr\"><is><t>Приказ</t></is></c>")
        });
        edit_part(&b, &sheet, |x| with_dtd(x, "<t>Приказ"))
    };
    let in_strings = edit_part(&good, "xl/sharedStrings.xml", |x| with_dtd(x, "<si><t>"));
    for (name, bytes) in
        [("107_сущности_лист.xlsx", in_sheet), ("107_сущности_строки.xlsx", in_strings)]
    {
        let (_d, run) = case(|r| replace(r, "107", name, &bytes));
        // Never expanded, never fetched: nothing of /etc/passwd and no 10^9 «lol» in any
        // output; the file is either refused as damaged or read with the entity text
        // left as it is.
        let all = format!("{}{}", run.json, run.text);
        assert!(!all.contains("root:"), "an external entity was resolved");
        assert!(!all.contains("lollollol"), "an entity was expanded");
        let rec = file_record(&run, name);
        match rec["outcome"].as_str().unwrap() {
            "rejected" => {
                finding(&run, name, "file_damaged", "повреждён");
                assert_school_lost(&run, "107", name, "file_damaged", "повреждён");
            }
            other => {
                assert!(matches!(other, "accepted" | "invalid"), "{name}: {other}");
                assert_others_unchanged(&run, &["107"]);
            }
        }
    }
}

#[test]
fn missing_shared_strings_or_an_index_out_of_range_is_damaged() {
    let good = base_bytes("108");
    let missing = rewrite(&good, |n, c| (n != "xl/sharedStrings.xml").then_some(c));
    let short = edit_part(&good, "xl/sharedStrings.xml", |x| {
        // Keep the first five strings: the form refers to hundreds.
        let mut cut = 0;
        for _ in 0..5 {
            cut += x[cut..].find("</si>").unwrap() + 5;
        }
        format!("{}</sst>", &x[..cut])
    });
    let name = file_name("108");
    for bytes in [missing, short] {
        let (_d, run) = case(|r| replace(r, "108", &name, &bytes));
        assert_school_lost(&run, "108", &name, "file_damaged", "повреждён");
    }
}

// ------------------------------------------------------------------ structure and identity

#[test]
fn form_sheet_renamed_or_deleted_makes_the_return_invalid_naming_the_sheet() {
    let good = base_bytes("109");
    // Renamed the way Excel does it: the sheet and every name that points at it.
    let renamed = edit_part(&good, "xl/workbook.xml", |wb| {
        wb.replace("name=\"Отчёт\"", "name=\"Лист1\"").replace("'Отчёт'!", "'Лист1'!")
    });
    let deleted = delete_sheet(&good, FORM_SHEET);
    let name = file_name("109");
    for bytes in [renamed, deleted] {
        let (_d, run) = case(|r| replace(r, "109", &name, &bytes));
        let f = finding(&run, &name, "sheet_missing", "нет листа «Отчёт»");
        assert_eq!(f["severity"], "error");
        assert_eq!(school_json(&run, "109")["status"], "invalid");
        assert_eq!(file_record(&run, &name)["outcome"], "invalid");
        assert!(data_of(&run, "109").is_none());
        assert_eq!(run.code, 1);
        assert_others_unchanged(&run, &["109"]);
    }
}

fn rows_of(id: &profplan::form::layout::Identity) -> Vec<(&'static str, String)> {
    id.rows()
}

#[test]
fn identity_sheet_deleted_falls_back_to_document_properties_with_a_warning() {
    let bytes = delete_sheet(&base_bytes("110"), IDENTITY_SHEET);
    let name = file_name("110");
    let (_d, run) = case(|r| replace(r, "110", &name, &bytes));
    let f = finding(&run, &name, "identity_missing", "«_profplan» удалён");
    assert_eq!(f["severity"], "warning");
    assert_eq!(school_json(&run, "110")["status"], "accepted");
    assert_eq!(data_of(&run, "110"), data_of(&baseline().run, "110"));
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["110"]);

    // Both sources gone: not a form profplan issued.
    let bare = rewrite(&bytes, |n, c| (n != "docProps/custom.xml").then_some(c));
    let (_d, run) = case(|r| replace(r, "110", &name, &bare));
    assert_school_lost(&run, "110", &name, "identity_missing", "нет отметки формы");
    assert_eq!(file_record(&run, &name)["outcome"], "not_used");
}

#[test]
fn identity_edited_to_another_school_is_not_used() {
    let name = file_name("111");
    // The hidden sheet says 112, the document properties still say 111.
    let mut edited = identity_of("111");
    edited.school_id = "112".into();
    let mut rows = rows_of(&edited);
    // …with the old check copied along (a person edits the id only).
    let old_check = profplan::form::layout::identity_check(&identity_of("111"));
    rows.iter_mut().find(|(k, _)| *k == key::CHECK).unwrap().1 = old_check;
    let sheet_only = with_identity(&base_bytes("111"), Some(&rows), None);
    let (_d, run) = case(|r| replace(r, "111", &name, &sheet_only));
    assert_school_lost(&run, "111", &name, "identity_contradictory", "ОО 112");
    assert_eq!(file_record(&run, &name)["outcome"], "not_used");
    // 112's own return is untouched and still the one taken.
    assert_eq!(school_json(&run, "112")["file"], file_name("112"));
}

/// Bug: the finding about a file whose identity was edited consistently (sheet and
/// properties) but whose check no longer matched was attributed to the school the edit
/// named. That school (112, with its own clean return) was listed «без замечаний», so the
/// text report never showed the file at all, and its letter would have blamed 112.
#[test]
fn edited_identity_with_a_broken_check_is_shown_as_unusable_not_hidden_under_the_school_it_names() {
    let name = file_name("111");
    let mut edited = identity_of("111");
    edited.school_id = "112".into();
    let mut rows = rows_of(&edited);
    let old_check = profplan::form::layout::identity_check(&identity_of("111"));
    rows.iter_mut().find(|(k, _)| *k == key::CHECK).unwrap().1 = old_check;
    let both = with_identity(&base_bytes("111"), Some(&rows), Some(&rows));
    let (_d, run) = case(|r| replace(r, "111", &name, &both));
    assert_school_lost(&run, "111", &name, "identity_contradictory", "контрольная сумма");
    let f = finding(&run, &name, "identity_contradictory", "указана ОО 112");
    assert!(f["school"].is_null(), "an untrusted id names no school: {f:#}");
    assert!(run.text.contains("Файлы, которые не удалось использовать"), "{}", run.text);
    let s112 = school_json(&run, "112");
    assert_eq!(
        (s112["errors"].as_u64(), s112["file"].as_str()),
        (Some(0), Some(file_name("112").as_str()))
    );
}

#[test]
fn identity_sheet_copied_from_another_schools_form_is_contradictory() {
    // School 113 pasted the hidden sheet of 114's form into its own (valid check and all).
    let copied = with_identity(&base_bytes("113"), Some(&rows_of(&identity_of("114"))), None);
    let name = file_name("113");
    let (_d, run) = case(|r| replace(r, "113", &name, &copied));
    let f = finding(&run, &name, "identity_contradictory", "скопирован из формы другой школы");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("ОО 113") && msg.contains("ОО 114"), "{msg}");
    assert_school_lost(&run, "113", &name, "identity_contradictory", "ОО 114");
    assert_eq!(school_json(&run, "114")["file"], file_name("114"));
}

#[test]
fn form_of_an_older_layout_is_invalid_with_the_layout_named() {
    let mut old = identity_of("114");
    old.layout = 0;
    let rows = rows_of(&old); // check recomputed: a genuine old form, not an edit
    let bytes = with_identity(&base_bytes("114"), Some(&rows), Some(&rows));
    let name = file_name("114");
    let (_d, run) = case(|r| replace(r, "114", &name, &bytes));
    finding(&run, &name, "other_layout", "старого образца (макет 0");
    assert_eq!(school_json(&run, "114")["status"], "invalid");
    assert!(data_of(&run, "114").is_none(), "an old layout is never read into the figures");
    assert_eq!(run.code, 1);
    assert_others_unchanged(&run, &["114"]);
}

// ------------------------------------------------------------------ cell contents

#[test]
fn formulas_without_a_value_and_with_an_error_are_named_by_sheet_and_cell() {
    let good = base_bytes("115");
    let (s1, no_value) = name_cell(&good, "PP_p2_1_covered");
    let (s2, error) = name_cell(&good, "PP_p1_5_parents");
    let bytes =
        set_field(&good, "p2_1_covered", |a1| format!("<c r=\"{a1}\"><f>SUM(F1:F3)</f></c>"));
    let bytes = set_field(&bytes, "p1_5_parents", |a1| {
        format!("<c r=\"{a1}\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>")
    });
    let name = file_name("115");
    let (_d, run) = case(|r| replace(r, "115", &name, &bytes));
    let f = finding(&run, &name, "formula_no_value", "без сохранённого значения");
    assert_eq!(
        (f["sheet"].as_str(), f["cell"].as_str()),
        (Some(s1.as_str()), Some(no_value.as_str()))
    );
    let f = finding(&run, &name, "formula_error", "#DIV/0!");
    assert_eq!(
        (f["sheet"].as_str(), f["cell"].as_str()),
        (Some(s2.as_str()), Some(error.as_str()))
    );
    assert!(run.text.contains(&format!("«{s1}»!{no_value}")), "{}", run.text);
    assert_eq!(school_json(&run, "115")["status"], "invalid");
    assert_eq!(run.code, 1);
    assert_others_unchanged(&run, &["115"]);
}

#[test]
fn text_over_32767_characters_is_an_error_and_control_characters_are_removed() {
    let good = base_bytes("116");
    let (_, cell) = name_cell(&good, "PP_p1_2_comment");
    let long = "ы".repeat(40_000);
    let bytes = set_field(&good, "p1_2_comment", |a1| inline_cell(a1, &long));
    let name = file_name("116");
    let (_d, run) = case(|r| replace(r, "116", &name, &bytes));
    let f = finding(&run, &name, "text_invalid", "длиннее 32767");
    assert_eq!(f["cell"].as_str(), Some(cell.as_str()));
    assert_eq!(school_json(&run, "116")["status"], "invalid");
    assert_others_unchanged(&run, &["116"]);

    // A bell and an escape typed through Excel's _xHHHH_ escape: a warning, the text
    // kept without them.
    let bytes = set_field(&good, "p1_2_comment", |a1| {
        format!("<c r=\"{a1}\" t=\"inlineStr\"><is><t>Приказ_x0007_ № 5_x001B_</t></is></c>")
    });
    let (_d, run) = case(|r| replace(r, "116", &name, &bytes));
    let f = finding(&run, &name, "text_invalid", "управляющие");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["cell"].as_str(), Some(cell.as_str()));
    assert_eq!(school_json(&run, "116")["status"], "accepted");
    let v = &data_of(&run, "116").unwrap().fields["p1_2_comment"].value;
    assert_eq!(v.display(), "Приказ № 5");
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["116"]);
}

/// Bug: the «who filled the form» fields skipped the text checks — control characters
/// went through as they were, and a 40 000-character ФИО would have reached the summary,
/// where Excel's 32 767-character limit fails the whole workbook. Now: the same checks
/// as any text field, as warnings (these fields never block a return), and an over-long
/// value is left out.
#[test]
fn meta_fields_were_not_checked_for_length_or_control_characters() {
    let good = base_bytes("116");
    let name = file_name("116");
    let (_, fio) = name_cell(&good, "PP_meta_fio");
    let bytes = set_field(&good, "meta_fio", |a1| {
        format!("<c r=\"{a1}\" t=\"inlineStr\"><is><t>Иванова_x0007_ Мария_x001B_</t></is></c>")
    });
    let (_d, run) = case(|r| replace(r, "116", &name, &bytes));
    let f = finding(&run, &name, "text_invalid", "управляющие");
    assert_eq!((f["severity"].as_str(), f["cell"].as_str()), (Some("warning"), Some(fio.as_str())));
    assert_eq!(school_json(&run, "116")["status"], "accepted");
    let v = &data_of(&run, "116").unwrap().fields["meta_fio"].value;
    assert_eq!(v.display(), "Иванова Мария");
    assert_others_unchanged(&run, &["116"]);

    let long = "ы".repeat(40_000);
    let bytes = set_field(&good, "meta_position", |a1| inline_cell(a1, &long));
    let (_d, run) = case(|r| replace(r, "116", &name, &bytes));
    let f = finding(&run, &name, "text_invalid", "длиннее 32767");
    assert_eq!(f["severity"], "warning");
    assert_eq!(school_json(&run, "116")["status"], "accepted");
    assert!(!data_of(&run, "116").unwrap().fields.contains_key("meta_position"));
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["116"]);
}

#[test]
fn school_text_starting_with_formula_characters_stays_inert_text() {
    let mut f = values_of("117");
    let texts = [
        ("meta_fio", "=HYPERLINK(\"http://example.com\",\"Иванова\")"),
        ("meta_position", "+заместитель директора"),
        ("meta_phone", "-8 (4752) 61-10-17"),
        ("p1_2_comment", "@приказ № 12"),
    ];
    for (code, t) in texts {
        f.values.insert(code.into(), FillValue::Text(t.into()));
    }
    let bytes = return_with("117", &f);
    let name = file_name("117");
    let (_d, run) = case(|r| replace(r, "117", &name, &bytes));
    assert_eq!(school_json(&run, "117")["status"], "accepted", "{:#?}", findings_of(&run, &name));
    let d = data_of(&run, "117").unwrap();
    for (code, t) in texts {
        assert_eq!(
            d.fields[code].value,
            profplan::check::values::CheckedValue::Text(t.into()),
            "{code} must arrive as the text typed, never evaluated"
        );
    }
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["117"]);
}

#[test]
fn latin_look_alike_letters_in_a_registry_name_do_not_break_identity() {
    // The registry says «Cтрелецкая» with a Latin C; the form (issued from the correct
    // registry) says «Стрелецкая». Identity is by school id: the return is 102's.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(registry_path()).unwrap();
    assert!(text.contains("МБОУ «Стрелецкая СОШ»"));
    let reg = dir.path().join("schools.csv");
    std::fs::write(&reg, text.replace("МБОУ «Стрелецкая СОШ»", "МБОУ «Cтрелецкая СОШ»")).unwrap();
    let (_d, run) = case_with_registry(&reg, |_| {});
    let s = school_json(&run, "102");
    assert_eq!(s["status"], "accepted");
    assert_eq!(s["name"], "МБОУ «Cтрелецкая СОШ»", "the registry's name is shown");
    assert_eq!(run.code, 0);
    for other in &registry().schools {
        if other.id != "102" {
            assert_eq!(school_json(&run, &other.id), school_json(&baseline().run, &other.id));
        }
    }
    let got = data_of(&run, "102").unwrap();
    assert_eq!(values_only(got), values_only(data_of(&baseline().run, "102").unwrap()));
}

// ------------------------------------------------------------------ the folder

#[test]
fn file_names_with_cyrillic_nfd_spaces_and_a_leading_dash_are_read() {
    let nfd = "118 Крои\u{0306}ка.xlsx"; // «й» decomposed, as macOS names files
    let renames = [
        ("118", nfd, "118 Кройка.xlsx"),
        ("119", "119 отчёт школы  (итог).xlsx", "119 отчёт школы  (итог).xlsx"),
        ("120", "-120.xlsx", "-120.xlsx"),
    ];
    let (_d, run) = case(|r| {
        for (id, name, _) in renames {
            std::fs::rename(r.join(file_name(id)), r.join(name)).unwrap();
        }
    });
    for (id, _, shown) in renames {
        let s = school_json(&run, id);
        assert_eq!(s["status"], "accepted", "{id}");
        assert_eq!(s["file"], shown, "{id}: the file is named in NFC");
        assert_eq!(file_record(&run, shown)["outcome"], "accepted");
        let got = data_of(&run, id).unwrap();
        assert_eq!(values_only(got), values_only(data_of(&baseline().run, id).unwrap()));
    }
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["118", "119", "120"]);
}

#[test]
fn lock_files_are_skipped_quietly() {
    let (_d, run) = case(|r| {
        std::fs::write(r.join("~$101_Покрово-Пригородная_СОШ.xlsx"), b"\x00locked").unwrap();
        std::fs::write(r.join(".~lock.102_Стрелецкая_СОШ.xlsx#"), b"User,host,2025").unwrap();
    });
    assert_eq!(run.json["counts"]["skipped_files"], 2);
    assert_eq!(run.json["counts"]["rejected_files"], 0);
    for lock in ["~$101_Покрово-Пригородная_СОШ.xlsx", ".~lock.102_Стрелецкая_СОШ.xlsx#"]
    {
        assert_eq!(file_record(&run, lock)["outcome"], "skipped");
        assert!(
            findings_of(&run, lock).iter().all(|f| f["severity"] != "error"),
            "a lock file is not an error"
        );
    }
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &[]);
}

#[test]
fn a_folder_named_like_a_workbook_is_walked_into() {
    let (_d, run) = case(|r| {
        std::fs::create_dir(r.join("пустая.xlsx")).unwrap();
        std::fs::create_dir(r.join("x.xlsx")).unwrap();
        std::fs::rename(r.join(file_name("101")), r.join("x.xlsx").join(file_name("101"))).unwrap();
    });
    let inner = format!("x.xlsx/{}", file_name("101"));
    assert_eq!(school_json(&run, "101")["file"], inner.as_str());
    assert_eq!(school_json(&run, "101")["status"], "accepted");
    assert!(
        run.json["files"].as_array().unwrap().iter().all(|f| f["path"] != "пустая.xlsx"),
        "a folder is not a file"
    );
    assert_eq!(run.json["counts"]["rejected_files"], 0);
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &["101"]);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_named_with_its_reason() {
    use std::os::unix::fs::PermissionsExt;
    let (d, run) = case(|r| {
        // Its content does not matter (nobody can read it); for the values compared
        // below, which come from a run that can read it, it must not be a return.
        let p = r.join("закрытый.xlsx");
        std::fs::write(&p, b"closed").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    });
    if !permissions_do_not_bind() {
        assert_refused_extra(&run, "закрытый.xlsx", "file_unreadable", "права доступа");
        return;
    }
    // Root reads a 000 file anyway: run profplan as `nobody`, for whom the file is closed.
    if !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("note: root and no setpriv: unreadable-file assertion skipped");
        return;
    }
    let returns = d.path().join("returns");
    for p in [d.path(), returns.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let as_nobody = |format: &str| {
        Cli::new()
            .under(NOBODY)
            .in_dir("/")
            .no_color()
            .registry(registry_path())
            .campaign(CAMPAIGN)
            .cmd("check")
            .returns(&returns)
            .today(AS_OF)
            .args(["--format", format])
            .output()
    };
    let out = as_nobody("json");
    let err = String::from_utf8_lossy(&out.stderr);
    if out.stdout.is_empty() && err.contains("Permission denied") {
        eprintln!("note: nobody cannot run the test binary here; check skipped: {err}");
        return;
    }
    let json: Json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    let text = String::from_utf8(as_nobody("text").stdout).unwrap();
    let run = Checked { code: out.status.code().unwrap(), json, text, data: run.data };
    assert_refused_extra(&run, "закрытый.xlsx", "file_unreadable", "права доступа");
}

// ------------------------------------------------------------------ collect

fn collect(returns: &Path, out: &Path, extra: &[&str]) -> crate::cli::Run {
    Cli::new()
        .in_dir(returns.parent().unwrap())
        .no_color()
        .registry(registry_path())
        .campaign(CAMPAIGN)
        .cmd("collect")
        .returns(returns)
        .today(AS_OF)
        .arg("--out")
        .arg(out)
        .args(extra)
        .run()
}

#[test]
fn formula_like_school_text_reaches_the_summary_as_string_cells() {
    use calamine::{Data, Reader};
    let texts = ["=HYPERLINK(\"http://example.com\",\"Иванова\")", "+заместитель директора"];
    let mut f = values_of("117");
    f.values.insert("meta_fio".into(), FillValue::Text(texts[0].into()));
    f.values.insert("meta_position".into(), FillValue::Text(texts[1].into()));
    let bytes = return_with("117", &f);
    let (d, run) = case(|r| replace(r, "117", &file_name("117"), &bytes));
    assert_eq!(school_json(&run, "117")["status"], "accepted");
    let out = d.path().join("свод.xlsx");
    let o = collect(&d.path().join("returns"), &out, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let mut found = vec![false; texts.len()];
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for (_, _, cell) in range.used_cells() {
            let shown = cell.to_string();
            for (i, t) in texts.iter().enumerate() {
                if shown == *t {
                    assert!(matches!(cell, Data::String(_)), "«{sheet}»: {t} is not a string cell");
                    found[i] = true;
                }
            }
        }
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        for (_, _, f) in formulas.used_cells() {
            assert!(!f.contains("HYPERLINK"), "«{sheet}»: school text became a formula: {f}");
        }
    }
    assert!(found.iter().all(|&x| x), "school text missing from the summary: {found:?}");
}

/// `--out` into a folder that cannot be written: exit 2 and a message naming the path;
/// an existing summary with `--force` whose replacement cannot be written stays intact
/// byte for byte. Permissions do not bind root, so as root the folder is made
/// unwritable by running profplan as `nobody` (setpriv); without setpriv the check is
/// skipped with a note.
#[cfg(unix)]
#[test]
fn failed_summary_write_exits_2_and_leaves_the_old_summary_intact() {
    use std::os::unix::fs::PermissionsExt;
    let (d, _run) = case(|_| {});
    let returns = d.path().join("returns");
    let locked = d.path().join("только_чтение");
    std::fs::create_dir(&locked).unwrap();
    let old = locked.join("свод.xlsx");
    std::fs::write(&old, b"old summary, must survive").unwrap();
    let root = permissions_do_not_bind();
    let mut setpriv = None;
    if root {
        if !Path::new("/usr/bin/setpriv").exists() {
            eprintln!("note: root and no setpriv: read-only output check skipped");
            return;
        }
        setpriv = Some(());
        // nobody must be able to reach and read everything but the locked folder.
        for p in [d.path(), returns.as_path()] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let run_collect = |out: &Path, extra: &[&str]| {
        let cli = if setpriv.is_some() { Cli::new().under(NOBODY) } else { Cli::new() };
        cli.in_dir("/")
            .no_color()
            .registry(registry_path())
            .campaign(CAMPAIGN)
            .cmd("collect")
            .returns(&returns)
            .today(AS_OF)
            .arg("--out")
            .arg(out)
            .args(extra)
            .output()
    };
    let new_file = locked.join("новый.xlsx");
    let o = run_collect(&new_file, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    if setpriv.is_some() && err.contains("Permission denied") && !err.contains("только_чтение")
    {
        eprintln!("note: nobody cannot run the test binary here; check skipped: {err}");
        return;
    }
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("только_чтение"), "the message names the folder: {err}");
    assert!(!new_file.exists());
    let o = run_collect(&old, &["--force"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("только_чтение"), "{err}");
    assert_eq!(std::fs::read(&old).unwrap(), b"old summary, must survive");
    assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 1, "no temporary file left");
}

/// Whether permissions bind this process (root reads and writes through mode 000).
fn permissions_do_not_bind() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = tempfile::tempdir().unwrap();
    let p = probe.path().join("x");
    std::fs::create_dir(&p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::write(p.join("y"), b"").is_ok()
}

// ------------------------------------------------------------------ issue 10: the reading path

/// School 105's return with a second copy of its form sheet part whose name differs only
/// in case (`xl/worksheets/SHEET1.xml`), holding another figure for one field. calamine
/// looked parts up by lower-cased name, so the hidden copy won; LibreOffice and openpyxl
/// show the first. Such a file is ambiguous and refused.
fn case_twin_part() -> Vec<u8> {
    let good = base_bytes("105");
    let part = sheet_part(&good, FORM_SHEET);
    let (dir, file) = part.rsplit_once('/').unwrap();
    let twin = format!("{dir}/{}", file.to_uppercase());
    let forged = set_field(&good, "oo_teachers", |a1| format!("<c r=\"{a1}\"><v>499</v></c>"));
    let mut parts = entries(&good);
    parts.push((twin, part_text(&forged, &part).into_bytes()));
    zip_of(&parts)
}

#[test]
fn a_part_twice_with_names_differing_in_case_or_not_at_all_is_refused_as_damaged() {
    let name = file_name("105");
    let twin = case_twin_part();
    let (_d, run) = case(|r| replace(r, "105", &name, &twin));
    assert_school_lost(&run, "105", &name, "file_damaged", "две части с одним именем");
    // The same part name twice, byte for byte (the zip crate alone would keep the last).
    let good = base_bytes("105");
    let part = sheet_part(&good, FORM_SHEET);
    let mut raw = raw_entries_of(&good);
    let copy = raw.iter().find(|e| e.name == part).unwrap().clone();
    raw.push(copy);
    let same = raw_zip(&raw);
    let (_d, run) = case(|r| replace(r, "105", &name, &same));
    assert_school_lost(&run, "105", &name, "file_damaged", "несколько частей с одним");
}

/// School 106's return whose styles hold one font with a 30 000-character name shared by
/// 100 000 more cell formats (calamine copied the font into every format: 2.96 GB).
fn styles_bomb() -> Vec<u8> {
    let good = base_bytes("106");
    edit_part(&good, "xl/styles.xml", |x| {
        let font = format!("<font><name val=\"{}\"/></font></fonts>", "Ш".repeat(30_000));
        let fonts_count: usize = x
            .split("<fonts count=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        let xfs: String = (0..100_000)
            .map(|i| {
                format!(
                    "<xf numFmtId=\"{}\" fontId=\"{fonts_count}\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
                    i % 7
                )
            })
            .collect();
        x.replacen("</fonts>", &font, 1).replacen("</cellXfs>", &format!("{xfs}</cellXfs>"), 1)
    })
}

#[test]
fn a_font_shared_by_100000_formats_is_never_expanded_and_the_return_is_read() {
    let name = file_name("106");
    let bytes = styles_bomb();
    let (_d, run) = case(|r| std::fs::write(r.join(&name), &bytes).unwrap());
    assert_eq!(file_record(&run, &name)["outcome"], "accepted");
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &[]);
}

/// School 107's return with 600 000 copies of one of its defined names (same target),
/// its workbook part stored uncompressed (deflated, 600 000 equal lines look like a zip
/// bomb and are refused before any name is read).
fn many_names() -> Vec<u8> {
    let good = base_bytes("107");
    let name = layout::field_name("oo_teachers");
    let wb = part_text(&good, "xl/workbook.xml");
    let def = format!("<definedName name=\"{name}\">");
    let start = wb.find(&def).unwrap();
    let end = start + wb[start..].find("</definedName>").unwrap() + "</definedName>".len();
    let copies = wb[start..end].repeat(600_000);
    let wb = wb.replacen("</definedNames>", &format!("{copies}</definedNames>"), 1);
    let mut raw = raw_entries_of(&good);
    let e = raw.iter_mut().find(|e| e.name == "xl/workbook.xml").unwrap();
    let mut crc = flate2::Crc::new();
    crc.update(wb.as_bytes());
    *e = RawEntry {
        name: e.name.clone(),
        method: 0,
        declared_size: wb.len() as u32,
        crc: crc.sum(),
        data: wb.into_bytes(),
    };
    raw_zip(&raw)
}

#[test]
fn six_hundred_thousand_copies_of_a_defined_name_are_read_in_linear_time() {
    let name = file_name("107");
    let bytes = many_names();
    // A quadratic reader needed 257 s for this file: the per-file limit (60 s) would
    // refuse it as file_timeout. Read in linear time, it is simply accepted as it was.
    let (_d, run) = case(|r| std::fs::write(r.join(&name), &bytes).unwrap());
    assert_eq!(file_record(&run, &name)["outcome"], "accepted", "{}", run.text);
    assert_eq!(run.code, 0);
    assert_others_unchanged(&run, &[]);
}

/// School 109's return with a cell at the address «A0» (no such row) and «0x10» stored as
/// the number of teachers.
fn malformed_cell_and_number() -> Vec<u8> {
    let good = base_bytes("109");
    let b = set_field(&good, "oo_teachers", |a1| format!("<c r=\"{a1}\"><v>0x10</v></c>"));
    let part = sheet_part(&b, FORM_SHEET);
    edit_part(&b, &part, |x| {
        let row_end = x.find("</row>").unwrap();
        format!("{}<c r=\"A0\"><v>1</v></c>{}", &x[..row_end], &x[row_end..])
    })
}

#[test]
fn a_malformed_cell_address_or_number_is_a_finding_naming_sheet_and_cell() {
    let name = file_name("109");
    let bytes = malformed_cell_and_number();
    let (_d, run) = case(|r| std::fs::write(r.join(&name), &bytes).unwrap());
    // Not a rejected file with English parser text: the return is read, and what is wrong
    // is named by sheet and cell, in Russian.
    assert_eq!(file_record(&run, &name)["outcome"], "invalid", "{}", run.text);
    assert_eq!(school_json(&run, "109")["status"], "invalid");
    let (_, teachers) = name_cell(&bytes, &layout::field_name("oo_teachers"));
    let f = finding(&run, &name, "not_a_number", "«0x10»");
    assert_eq!(f["sheet"], FORM_SHEET);
    assert_eq!(f["cell"], teachers.as_str());
    let a0 = finding(&run, &name, "file_damaged", "неверным адресом «A0»");
    assert_eq!(a0["severity"], "warning");
    assert_eq!(a0["sheet"], FORM_SHEET);
    assert_eq!(run.code, 1);
    assert_others_unchanged(&run, &["109"]);
}

/// School 110's return whose table name 10.1 is stretched over `B4:IV100003`, with one «x»
/// per row: read cell by cell, that was 25 million cell records.
fn stretched_table(last_col: &str) -> Vec<u8> {
    let good = base_bytes("110");
    let (sheet, _) = name_cell(&good, &layout::table_name("t10_1"));
    let part = sheet_part(&good, &sheet);
    let target = format!("'{sheet}'!$B$4:${last_col}$100003");
    rewrite(&good, |n, c| {
        let text = || String::from_utf8(c.clone()).unwrap();
        if n == "xl/workbook.xml" {
            let x = text();
            let start = x.find("<definedName name=\"PPT_t10_1\">").unwrap();
            let end = start + x[start..].find("</definedName>").unwrap();
            let open = "<definedName name=\"PPT_t10_1\">".len();
            Some(format!("{}{target}{}", &x[..start + open], &x[end..]).into_bytes())
        } else if n == part {
            let x = text();
            let rows: String = (2000..=100_003)
                .map(|r| {
                    format!(
                        "<row r=\"{r}\"><c r=\"B{r}\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
                    )
                })
                .collect();
            Some(x.replacen("</sheetData>", &format!("{rows}</sheetData>"), 1).into_bytes())
        } else {
            Some(c)
        }
    })
}

#[test]
fn a_table_name_stretched_over_the_sheet_is_a_changed_layout_not_millions_of_cells() {
    let name = file_name("110");
    for last_col in ["IV", "E"] {
        let bytes = stretched_table(last_col);
        let (_d, run) = case(|r| std::fs::write(r.join(&name), &bytes).unwrap());
        assert_eq!(file_record(&run, &name)["outcome"], "invalid", "{}", run.text);
        assert_eq!(school_json(&run, "110")["status"], "invalid");
        finding(&run, &name, "layout_changed", "не бывает больше 1000");
        // One finding about the table, not one per row.
        assert!(findings_of(&run, &name).len() < 20, "{:#?}", findings_of(&run, &name));
        assert_eq!(run.code, 1);
        assert_others_unchanged(&run, &["110"]);
    }
}

/// The returns of issue 10 that sank the run, several of each at once, read by eight
/// threads (as on an 8-core PC) under a 1 GiB address-space limit: the process ends
/// normally, every school untouched keeps its accepted return, and every hostile file is
/// accounted for. docs/damaged-files.md states the bound this checks.
#[cfg(target_os = "linux")]
#[test]
fn hostile_returns_read_by_eight_threads_stay_within_the_memory_bound() {
    if !Path::new("/usr/bin/prlimit").exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("prlimit (util-linux) is required in CI");
        }
        eprintln!("note: prlimit not found, memory-limit run skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    for (n, b) in &baseline().files {
        std::fs::write(returns.join(n), b).unwrap();
    }
    let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
    let (styles, table_iv, table_e) = (styles_bomb(), stretched_table("IV"), stretched_table("E"));
    for i in 0..8 {
        extra.push((format!("x_стили_{i}.xlsx"), styles.clone()));
        extra.push((format!("x_таблица_IV_{i}.xlsx"), table_iv.clone()));
        extra.push((format!("x_таблица_E_{i}.xlsx"), table_e.clone()));
    }
    extra.push(("x_имена.xlsx".into(), many_names()));
    extra.push(("x_двойник.xlsx".into(), case_twin_part()));
    extra.push(("x_адрес.xlsx".into(), malformed_cell_and_number()));
    for (name, bytes, _, _) in bombs() {
        extra.push((format!("x_{name}"), bytes));
    }
    for (n, b) in &extra {
        std::fs::write(returns.join(n), b).unwrap();
    }
    let out = Cli::new()
        .under(["/usr/bin/prlimit", &format!("--as={}", 1u64 << 30), "--"])
        .env("RAYON_NUM_THREADS", "8")
        .registry(registry_path())
        .campaign(CAMPAIGN)
        .cmd("check")
        .returns(&returns)
        .today(AS_OF)
        .args(["--format", "json"])
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 1: the extra files are duplicate returns of schools 105–110; never a signal.
    assert_eq!(out.status.code(), Some(1), "{:?}; stderr: {stderr}", out.status);
    let json: Json = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 20 + extra.len());
    for (n, _) in &extra {
        assert!(files.iter().any(|f| f["path"] == n.as_str()), "{n} not accounted for");
    }
    let schools = json["schools"].as_array().unwrap();
    for s in schools {
        let id = s["id"].as_str().unwrap();
        if !["105", "106", "107", "109", "110"].contains(&id) {
            assert_eq!(s, school_json(&baseline().run, id), "school {id}");
        }
    }
}

// ------------------------------------------------------------------ not files (issue 10)

/// Issue 10, point 3: `mkfifo returns/x.xlsx; profplan check` never returned — the folder
/// scan opened every file to classify it, and opening a FIFO waits for a writer. A FIFO, a
/// socket and (where this test may make one) a device are now «не файл», never opened.
/// Should a run open the FIFO again, a watchdog writes junk into it every minute so that
/// the runs end and the assertions below fail instead of the test hanging forever.
#[cfg(unix)]
#[test]
fn fifo_socket_and_device_in_the_returns_folder_are_not_files_and_nothing_blocks() {
    let mut device = false;
    let (_d, run) = case(|r| {
        let fifo = r.join("x.xlsx");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success(), "mkfifo failed");
        // Every minute, for each run that may be waiting on it (a write without a reader
        // waits too, harmlessly, in this thread). Ends when the folder is gone.
        std::thread::spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
            if !fifo.exists() {
                break;
            }
            let _ = std::fs::write(&fifo, b"watchdog: the FIFO was opened");
        });
        // The listener is dropped at once; the socket file stays.
        std::os::unix::net::UnixListener::bind(r.join("сокет.xlsx")).unwrap();
        // A character device (like /dev/zero) needs root; skipped with a note elsewhere.
        device = Command::new("mknod")
            .arg(r.join("устройство.xls"))
            .args(["c", "1", "5"])
            .status()
            .is_ok_and(|s| s.success());
    });
    let mut expected = vec![("x.xlsx", "именованный канал (FIFO)"), ("сокет.xlsx", "сокет")];
    if device {
        expected.push(("устройство.xls", "устройство"));
    } else {
        eprintln!(
            "note: mknod is not permitted here: the device case is covered by read_returns.rs"
        );
    }
    for (file, what) in &expected {
        let f = finding(&run, file, "file_not_regular", &format!("это не файл, а {what}"));
        assert_eq!(f["severity"], "error");
        assert!(!f["message"].as_str().unwrap().contains("слишком большой"), "{f:#}");
        assert_eq!(file_record(&run, file)["outcome"], "rejected");
    }
    assert_eq!(run.json["counts"]["rejected_files"], expected.len());
    assert_eq!(run.code, 0, "every school still has its accepted return");
    assert_others_unchanged(&run, &[]);
}

// ------------------------------------------------------------------ outputs (issue 10)

/// Issue 10, point 7: `collect returns --out returns/105_….xlsx --force` overwrote a
/// school's return with the summary. An output that is, or resolves to, an input is
/// refused with exit 2 whatever `--force` says: in the returns folder (directly, through
/// `..`, through a link to the folder), a hard link to a return, the registry.
#[cfg(unix)]
#[test]
fn summary_output_onto_a_return_or_another_input_is_refused_even_with_force() {
    let (d, _run) = case(|_| {});
    let returns = d.path().join("returns");
    let victim = returns.join(file_name("105"));
    let before = std::fs::read(&victim).unwrap();
    std::os::unix::fs::symlink(&returns, d.path().join("ссылка")).unwrap();
    std::fs::hard_link(&victim, d.path().join("жёсткая.xlsx")).unwrap();
    let registry_copy = d.path().join("schools.csv");
    std::fs::copy(registry_path(), &registry_copy).unwrap();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (victim.clone(), "папку с отчётами школ"),
        (returns.join("новый.xlsx"), "папку с отчётами школ"),
        (d.path().join("returns/../returns/").join(file_name("105")), "папку с отчётами школ"),
        (d.path().join("ссылка").join(file_name("105")), "папку с отчётами школ"),
        (d.path().join("жёсткая.xlsx"), "это входной файл"),
    ];
    for (out, words) in &cases {
        let o = collect(&returns, out, &["--force"]);
        let err = o.stderr;
        assert_eq!(o.code, 2, "{}: {err}", out.display());
        assert!(err.contains(words), "{}: «{err}» does not say «{words}»", out.display());
        assert!(err.contains("не изменяются"), "{err}");
        assert!(o.stdout.is_empty(), "refused before any work");
    }
    // The registry as the output (run with that registry, so it is an input).
    let o = Cli::new()
        .in_dir(d.path())
        .registry("schools.csv")
        .campaign(CAMPAIGN)
        .cmd("collect")
        .returns("returns")
        .today(AS_OF)
        .args(["--force", "--out", "schools.csv"])
        .output();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let input = d.path().join("schools.csv");
    assert!(err.contains(&format!("это входной файл {}", input.display())), "{err}");
    assert_eq!(std::fs::read(&registry_copy).unwrap(), std::fs::read(registry_path()).unwrap());
    assert_eq!(std::fs::read(&victim).unwrap(), before, "the return is untouched");
    let names: Vec<String> = std::fs::read_dir(&returns)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 20, "nothing written into the returns folder: {names:?}");
    // A summary beside the returns folder is still written.
    let o = collect(&returns, &d.path().join("свод.xlsx"), &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// `check --letters` into the returns folder would put `рассылка.csv` (and the letters)
/// among the returns, over a file of the same name with `--force`: refused before the
/// check runs, exit 2, nothing written.
#[test]
fn letters_into_the_returns_folder_are_refused() {
    let (d, _run) = case(|_| {});
    let returns = d.path().join("returns");
    for dir in [returns.clone(), returns.join("письма")] {
        let o =
            profplan(&returns, &registry_path(), &["--letters", dir.to_str().unwrap(), "--force"]);
        let err = o.stderr;
        assert_eq!(o.code, 2, "{err}");
        assert!(err.contains("письма нельзя записать в папку с отчётами школ"), "{err}");
        assert!(o.stdout.is_empty(), "refused before the check: {}", o.stdout);
    }
    assert_eq!(std::fs::read_dir(&returns).unwrap().count(), 20);
}

// ------------------------------------------------------------------ Ctrl+C (issue 10)

/// Runs `cmd` with the test hook that stops before the temporary output is renamed into
/// place, waits until it says so, interrupts it as Ctrl+C does (SIGINT), and returns its
/// exit code and stderr.
#[cfg(unix)]
fn interrupt_before_persist(mut cmd: Command) -> (Option<i32>, String) {
    use std::io::BufRead;
    let mut child = cmd
        .env(profplan::output::TEST_PAUSE_ENV, "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("profplan ended before writing its output: {seen}");
        }
        seen.push_str(&line);
        if line.contains("paused before persist") {
            break;
        }
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let code = child.wait().unwrap().code();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    (code, seen + &rest)
}

/// Issue 10, point 8: Ctrl+C during the summary write left a `.tmpXXXXXX` of the
/// summary's size in the output folder. Interrupted just before the rename, the run now
/// removes its temporary file, keeps the old summary byte for byte and exits 130.
#[cfg(unix)]
#[test]
fn ctrl_c_during_the_summary_write_leaves_no_temp_file_and_the_old_summary_intact() {
    let (d, _run) = case(|_| {});
    let out_dir = d.path().join("свод");
    std::fs::create_dir(&out_dir).unwrap();
    let old = out_dir.join("свод.xlsx");
    std::fs::write(&old, b"old summary").unwrap();
    let cmd = Cli::new()
        .in_dir(d.path())
        .registry(registry_path())
        .campaign(CAMPAIGN)
        .cmd("collect")
        .returns("returns")
        .today(AS_OF)
        .args(["--force", "--out"])
        .arg(&old);
    let (code, err) = interrupt_before_persist(cmd.command());
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("прервано"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["свод.xlsx"], "no temporary file may remain");
    assert_eq!(std::fs::read(&old).unwrap(), b"old summary");
}

/// The same for the forms of `template --force`: no temporary file, the old forms intact.
#[cfg(unix)]
#[test]
fn ctrl_c_during_the_forms_write_leaves_no_temp_file() {
    let d = tempfile::tempdir().unwrap();
    let forms = d.path().join("forms");
    std::fs::create_dir(&forms).unwrap();
    let old = forms.join(file_name("101"));
    std::fs::write(&old, b"old form").unwrap();
    let cmd = Cli::new().in_dir(d.path()).registry(registry_path()).campaign(CAMPAIGN);
    let cmd = cmd.cmd("template").args(["--force", "--out", "forms"]);
    let (code, err) = interrupt_before_persist(cmd.command());
    assert_eq!(code, Some(130), "{err}");
    let left: Vec<String> = std::fs::read_dir(&forms)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [file_name("101")], "no temporary file may remain");
    assert_eq!(std::fs::read(&old).unwrap(), b"old form");
}

// ------------------------------------------------------------------ file names (issue 10)

/// Issue 10, point 9: two names that differ only in a byte that is not UTF-8
/// (`\xff1.xlsx`, `\xfe1.xlsx`) both showed as `�1.xlsx`. The bytes are now shown escaped,
/// distinguishably, in the JSON, the text report, the CSV, the letters and the summary.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_shown_with_the_bytes_escaped_everywhere() {
    use std::os::unix::ffi::OsStrExt;
    let (d, run) = case(|r| {
        let bytes = base_bytes("105");
        std::fs::remove_file(r.join(file_name("105"))).unwrap();
        for name in [&b"\xff1.xlsx"[..], &b"\xfe1.xlsx"[..]] {
            std::fs::write(r.join(std::ffi::OsStr::from_bytes(name)), &bytes).unwrap();
        }
    });
    let (ff, fe) = ("\\xFF1.xlsx", "\\xFE1.xlsx");
    // Both files are school 105's (the same return twice): a duplicate naming both.
    let dup = finding(&run, ff, "duplicate_return", fe);
    assert!(dup["message"].as_str().unwrap().contains(ff), "{dup:#}");
    assert!(file_record(&run, ff)["outcome"] == "accepted");
    assert!(file_record(&run, fe)["outcome"] == "superseded");
    assert!(!run.text.contains('\u{fffd}') && run.text.contains(fe), "{}", run.text);
    assert_others_unchanged(&run, &["105"]);
    let returns = d.path().join("returns");
    let csv = profplan(&returns, &registry_path(), &["--format", "csv"]);
    let csv = csv.stdout;
    assert!(csv.contains(ff) && csv.contains(fe), "{csv}");
    let letters = d.path().join("письма");
    let o = profplan(&returns, &registry_path(), &["--letters", letters.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let letter = std::fs::read_to_string(
        std::fs::read_dir(&letters)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.to_string_lossy().starts_with(&letters.join("105").to_string_lossy().into_owned())
            })
            .expect("a letter to 105"),
    )
    .unwrap();
    assert!(letter.contains(ff) && letter.contains(fe), "{letter}");
    // The summary: «Замечания» and «Источники» name both files.
    use calamine::Reader;
    let out = d.path().join("свод.xlsx");
    let o = collect(&returns, &out, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    for sheet in [profplan::summary::SHEET_FINDINGS, profplan::summary::SHEET_SOURCES] {
        let range = wb.worksheet_range(sheet).unwrap();
        let text: String = range.used_cells().map(|(_, _, c)| c.to_string() + "\n").collect();
        assert!(text.contains(ff) && text.contains(fe), "«{sheet}»: {text}");
        assert!(!text.contains('\u{fffd}'), "«{sheet}»: {text}");
    }
}
