//! Helpers shared by the `check` and LibreOffice test files: a registry of schools
//! written for the test, filled returns (through the library or inside LibreOffice),
//! the cell a defined name points at (read with calamine, independently of profplan's
//! reader), running the CLI, and snapshots of a folder's bytes and times.
//!
//! Each test binary uses part of these; the rest would be dead code there.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::SystemTime;

use chrono::{NaiveDate, NaiveDateTime};
use profplan::form::layout::{field_name, form_file_name, table_name};
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};
use profplan::synth::{Fill, FillValue};
use sha2::{Digest, Sha256};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary working folder with `returns/` inside.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        let dir = tempfile::Builder::new().prefix("profplan-test-").tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("returns")).unwrap();
        Workdir { dir }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn returns(&self) -> PathBuf {
        self.dir.path().join("returns")
    }
    pub fn registry_path(&self) -> PathBuf {
        self.dir.path().join("schools.csv")
    }
    /// Put a return into `returns/` under `name`.
    pub fn put(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.returns().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// A school of a test registry: id `NN`, a Russian name, a contact and an e-mail, and the
/// profile figures the example registry has.
pub fn test_school(n: usize) -> School {
    let students = 150.0 + 37.0 * n as f64;
    School {
        id: format!("{n:02}"),
        name: format!("МБОУ «Тестовая СОШ № {n}»"),
        short_name: format!("Тестовая СОШ № {n}"),
        profile: [
            ("oo_students_6_11".to_string(), students),
            ("oo_students_ovz".to_string(), (students / 25.0).round()),
            ("oo_teachers".to_string(), (students / 10.0).round()),
            ("oo_graduates_9".to_string(), (students / 6.0).round()),
            ("oo_graduates_11".to_string(), (students / 14.0).round()),
            ("oo_profile_11".to_string(), (students / 20.0).round()),
        ]
        .into_iter()
        .collect(),
        contact_person: format!("Ответственная Школы {n}"),
        email: format!("school{n:02}@example.ru"),
        phone: format!("+7 (4752) 61-10-{n:02}"),
    }
}

/// Write a registry CSV (the format of `examples/schools.csv`) for `schools`, and load
/// it back the way the CLI will.
pub fn write_registry(path: &Path, schools: &[School], plan: &Plan) -> Registry {
    let profile = [
        "oo_students_6_11",
        "oo_students_ovz",
        "oo_teachers",
        "oo_graduates_9",
        "oo_graduates_11",
        "oo_profile_11",
    ];
    let mut s =
        String::from("\u{feff}Код;Наименование;Краткое наименование;Ответственный;E-mail;Телефон");
    for p in profile {
        s.push(';');
        s.push_str(p);
    }
    s.push('\n');
    for x in schools {
        s.push_str(&format!(
            "{};{};{};{};{};{}",
            x.id, x.name, x.short_name, x.contact_person, x.email, x.phone
        ));
        for p in profile {
            s.push(';');
            if let Some(v) = x.profile.get(p) {
                s.push_str(&v.to_string());
            }
        }
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
    Registry::load(path, plan).unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `2025-12-19 09:30` (UTC) → NaiveDateTime.
pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A return filled through the library and "saved" at `saved` (UTC).
pub fn filled(c: &Campaign, school: &School, fill: &Fill, saved: NaiveDateTime) -> Vec<u8> {
    write_filled_form(c, school, fill, saved, None).unwrap()
}

/// The file name profplan gives a school's form.
pub fn file_name(school: &School) -> String {
    form_file_name(&school.id, &school.short_name)
}

/// The number a value of a fill stands for (text typed «1 234», «12,0» included).
pub fn typed_number(v: &FillValue) -> Option<f64> {
    match v {
        FillValue::Num(n) => Some(*n),
        FillValue::Text(t) => t.replace(['\u{a0}', ' '], "").replace(',', ".").parse().ok(),
    }
}

// ------------------------------------------------------------------ defined names

/// Where a defined name points in a workbook, read with calamine (not profplan's reader):
/// `(sheet, "E27")` for a single cell, the first cell of a range.
pub fn name_target(bytes: &[u8], name: &str) -> (String, String) {
    use calamine::Reader;
    let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .expect("a workbook");
    let formula = wb
        .defined_names()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, f)| f.clone())
        .unwrap_or_else(|| panic!("no defined name {name}"));
    // 'Отчёт'!$E$27  or  'Отчёт'!$B$4:$F$23
    let (sheet, cell) = formula.trim_start_matches('=').rsplit_once('!').expect("sheet!cell");
    let sheet = sheet.trim_matches('\'').replace("''", "'");
    let first = cell.split(':').next().unwrap().replace('$', "");
    (sheet, first)
}

/// Cell of field `code` in a form: `(sheet, A1)`.
pub fn field_cell(bytes: &[u8], code: &str) -> (String, String) {
    name_target(bytes, &field_name(code))
}

// ------------------------------------------------------------------ zip surgery

/// Rewrite the parts of an xlsx/ods: `edit(name, content)` returns the new content,
/// or `None` to drop the part. Stored deflated, order kept.
pub fn rewrite_zip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        if let Some(new) = edit(&name, content) {
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name, opts).unwrap();
            out.write_all(&new).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// Replace `from` by `to` in one part, asserting it was there.
pub fn replace_in_part(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    let found = std::cell::Cell::new(false);
    let out = rewrite_zip(bytes, |name, content| {
        if name != part {
            return Some(content);
        }
        let text = String::from_utf8(content).unwrap();
        if text.contains(from) {
            found.set(true);
        }
        Some(text.replacen(from, to, 1).into_bytes())
    });
    assert!(found.get(), "«{from}» not found in {part}");
    out
}

/// The text of one part of a zip container.
pub fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zin.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

// ------------------------------------------------------------------ the CLI

/// `profplan --schools <registry> --campaign <c> [--plan <p>] check <returns> <args…>`,
/// with `NO_COLOR` unset and stdout piped.
pub fn check(w: &Workdir, campaign: &str, args: &[&str]) -> Output {
    check_in(w, campaign, None, args)
}

pub fn check_in(w: &Workdir, campaign: &str, plan: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("profplan").unwrap();
    cmd.current_dir(w.path()).env_remove("NO_COLOR");
    cmd.arg("--schools").arg(w.registry_path()).args(["--campaign", campaign]);
    if let Some(p) = plan {
        cmd.arg("--plan").arg(p);
    }
    cmd.arg("check").arg(w.returns()).args(args);
    cmd.output().unwrap()
}

/// `profplan check … --format json`, parsed; panics with stderr when it is not JSON.
pub fn check_json(w: &Workdir, campaign: &str, as_of: &str) -> (i32, serde_json::Value) {
    let out = check(w, campaign, &["--format", "json", "--as-of", as_of]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", stdout(&out), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap(), v)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ------------------------------------------------------------------ snapshots

/// Every file under `dir`: relative path → (SHA-256, modification time).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (String, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else if m.is_file() {
                let bytes = std::fs::read(e.path()).unwrap();
                let hash: String =
                    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    (hash, m.modified().unwrap()),
                );
            }
        }
    }
    out
}

// ------------------------------------------------------------------ LibreOffice

/// `soffice` if installed. Without it: a failure when `CI=true`, otherwise `None` and a
/// printed note (the caller skips).
pub fn soffice() -> Option<PathBuf> {
    let found =
        ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| {
                std::env::var_os("PATH").and_then(|paths| {
                    std::env::split_paths(&paths).map(|p| p.join("soffice")).find(|p| p.is_file())
                })
            });
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("LibreOffice (soffice) не найден, а CI=true: установите libreoffice-calc-nogui и python3-uno");
        }
        eprintln!("note: LibreOffice (soffice) не найден — тесты с LibreOffice пропущены");
    }
    found
}

/// The Python with the UNO bridge (Debian's python3-uno lives in the system Python).
pub fn uno_python() -> PathBuf {
    PathBuf::from("/usr/bin/python3")
}

/// Re-save `files` through `soffice --headless --convert-to <format>` into `outdir`,
/// in one soffice start (with its own throwaway profile). Returns the new paths.
pub fn convert(soffice: &Path, files: &[PathBuf], format: &str, outdir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(outdir).unwrap();
    let profile = tempfile::Builder::new().prefix("lo-").tempdir().unwrap();
    let out = std::process::Command::new(soffice)
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--convert-to", format, "--outdir"])
        .arg(outdir)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "soffice --convert-to {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    files
        .iter()
        .map(|f| {
            let p = outdir.join(f.file_stem().unwrap()).with_extension(format);
            assert!(p.is_file(), "soffice did not write {}", p.display());
            p
        })
        .collect()
}

/// One form to fill inside LibreOffice (see tests/lo/fill.py).
pub struct LoJob {
    pub input: PathBuf,
    pub fill: Fill,
    /// `(path, "xlsx" | "ods" | "xls")`.
    pub outputs: Vec<(PathBuf, &'static str)>,
}

fn json_value(v: &FillValue) -> serde_json::Value {
    match v {
        FillValue::Num(n) => serde_json::json!(n),
        FillValue::Text(t) => serde_json::json!(t),
    }
}

/// Fill every job inside one LibreOffice start, typing values by the forms' defined names.
pub fn lo_fill(jobs: &[LoJob], scratch: &Path) {
    let jobs_json: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| {
            let values: serde_json::Map<String, serde_json::Value> =
                j.fill.values.iter().map(|(k, v)| (field_name(k), json_value(v))).collect();
            let tables: serde_json::Map<String, serde_json::Value> = j
                .fill
                .tables
                .iter()
                .map(|(k, rows)| {
                    let rows: Vec<Vec<serde_json::Value>> = rows
                        .iter()
                        .map(|r| {
                            r.iter()
                                .map(|c| c.as_ref().map(json_value).unwrap_or(serde_json::Value::Null))
                                .collect()
                        })
                        .collect();
                    (table_name(k), serde_json::json!(rows))
                })
                .collect();
            let outputs: Vec<serde_json::Value> = j
                .outputs
                .iter()
                .map(|(p, f)| serde_json::json!({"path": p, "format": f}))
                .collect();
            serde_json::json!({"input": j.input, "values": values, "tables": tables, "outputs": outputs})
        })
        .collect();
    let path = scratch.join("jobs.json");
    std::fs::write(&path, serde_json::to_vec(&serde_json::json!({ "jobs": jobs_json })).unwrap())
        .unwrap();
    let out = std::process::Command::new(uno_python())
        .arg(root().join("tests/lo/fill.py"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fill.py failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for j in jobs {
        for (p, _) in &j.outputs {
            assert!(p.is_file(), "LibreOffice did not write {}", p.display());
        }
    }
}
