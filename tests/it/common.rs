//! Helpers shared by the `check`, `figures`, `periods`, `region` and LibreOffice test
//! modules: a registry of schools written for the test, filled returns (through the
//! library; inside LibreOffice see `lo.rs`), the cell a defined name points at (read with
//! calamine, independently of profplan's reader), `check` through the CLI, and snapshots
//! of a folder's bytes and times.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::NaiveDateTime;
use profplan::form::layout::{field_name, form_file_name};
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};
use profplan::synth::{Fill, FillValue};
use sha2::{Digest, Sha256};

use crate::cli::Cli;

pub use crate::cli::root;

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
    /// profplan run in this folder with its registry: add the campaign, the command…
    pub fn cli(&self) -> Cli {
        Cli::new().in_dir(self.path()).registry(self.registry_path())
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

// The tools are in `support.rs` (one copy for every module).
pub use crate::support::{part_text, rewrite};

/// Replace `from` by `to` in one part, asserting it was there.
pub fn replace_in_part(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    crate::support::edit_part(bytes, part, |text| {
        assert!(text.contains(from), "«{from}» not found in {part}");
        text.replacen(from, to, 1)
    })
}

// ------------------------------------------------------------------ the CLI

/// `profplan --schools <registry> --campaign <c> [--plan <p>] check <returns> <args…>`,
/// with `NO_COLOR` unset and stdout piped.
pub fn check(w: &Workdir, campaign: &str, args: &[&str]) -> crate::cli::Run {
    check_in(w, campaign, None, args)
}

pub fn check_in(
    w: &Workdir,
    campaign: &str,
    plan: Option<&Path>,
    args: &[&str],
) -> crate::cli::Run {
    let mut cli = w.cli().env_remove("NO_COLOR").campaign(campaign);
    if let Some(p) = plan {
        cli = cli.plan(p);
    }
    cli.cmd("check").returns(w.returns()).args(args).run()
}

/// `profplan check … --format json`, parsed; panics with stderr when it is not JSON.
pub fn check_json(w: &Workdir, campaign: &str, as_of: &str) -> (i32, serde_json::Value) {
    let out = check(w, campaign, &["--format", "json", "--as-of", as_of]);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout.clone(), out.stderr));
    (out.code, v)
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

// ------------------------------------------------------------------ one district

/// The embedded plan, loaded once for the whole test binary.
pub fn plan() -> &'static Plan {
    static PLAN: std::sync::OnceLock<Plan> = std::sync::OnceLock::new();
    PLAN.get_or_init(Plan::default_plan)
}

/// The December campaign (2025-12-20) of the embedded plan.
pub fn campaign() -> Campaign<'static> {
    Campaign::parse(plan(), "2025-12-20").unwrap()
}

/// A working folder with a registry of `n` test schools.
pub fn district(n: usize) -> (Workdir, Vec<School>) {
    let w = Workdir::new();
    let schools: Vec<School> = (1..=n).map(test_school).collect();
    write_registry(&w.registry_path(), &schools, plan());
    (w, schools)
}

// ------------------------------------------------------------------ workbooks read back

/// A cell's text as calamine gives it (empty when blank), absolute position.
pub fn cell(r: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    r.get_value((row, col)).map(|d| d.to_string()).unwrap_or_default()
}

/// A cell's number; panics, naming the place, when it holds none.
pub fn number(r: &calamine::Range<calamine::Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(calamine::Data::Float(f)) => *f,
        Some(calamine::Data::Int(i)) => *i as f64,
        other => panic!("no number at ({row}, {col}): {other:?}"),
    }
}
