//! `profplan collect` end to end: a district of generated returns with known values (some
//! re-saved by LibreOffice as .xlsx and .ods) → every district figure in the summary,
//! read back with calamine, equals an independent computation from the values that were
//! typed in; invalid returns are left out and listed; the output is byte-identical across
//! runs and thread counts; `--compare` works from the command line.

use crate::lo;

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use chrono::NaiveDate;

use profplan::form::layout::form_file_name;
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::Campaign;
use profplan::plan::{Kind, Plan};
use profplan::schools::Registry;
use profplan::summary::{SHEET_DATA, SHEET_DISTRICT, SHEET_RETURNS};
use profplan::synth::{fill, Defect, Fill, FillValue};

use crate::cli::{root, Cli};
use crate::common::{cell, number};

const CAMPAIGN: &str = "2025-12-20";
const SEED: u64 = 11;

fn registry(plan: &Plan) -> Registry {
    Registry::load(&root().join("examples/schools.csv"), plan).unwrap()
}

/// What was typed into each school's return, and which schools are in the figures.
struct District {
    dir: tempfile::TempDir,
    fills: BTreeMap<String, Fill>,
    included: Vec<String>,
    invalid: String,
    missing: String,
}

/// Build the returns folder: school 3 breaks a control rule (error), school 6 types a
/// number as text (warning), school 8 is late, school 10 sends nothing; with LibreOffice,
/// school 1 is re-saved as .ods and school 2 as .xlsx by LibreOffice.
fn district() -> District {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    let reg = registry(&plan);
    let dir = tempfile::tempdir().unwrap();
    let returns = dir.path().join("returns");
    std::fs::create_dir_all(&returns).unwrap();
    let staging = dir.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let deadline = NaiveDate::from_ymd_opt(2025, 12, 20).unwrap();
    let mut fills = BTreeMap::new();
    let mut included = Vec::new();
    let (mut invalid, mut missing) = (String::new(), String::new());
    let office = lo::soffice();
    for (i, school) in reg.schools.iter().enumerate() {
        if i == 9 {
            missing = school.id.clone();
            continue;
        }
        let defect = match i {
            2 => Some(Defect::RuleBroken),
            5 => Some(Defect::NumberAsText),
            _ => None,
        };
        let f = fill(&c, school, SEED, defect);
        let day = if i == 7 { deadline.succ_opt().unwrap() } else { deadline.pred_opt().unwrap() };
        let bytes =
            write_filled_form(&c, school, &f, day.and_hms_opt(9, 30, 0).unwrap(), None).unwrap();
        let name = form_file_name(&school.id, &school.short_name);
        match (i, &office) {
            (0 | 1, Some(_)) => {
                let staged = staging.join(&name);
                std::fs::write(&staged, bytes).unwrap();
                let format = if i == 0 { "ods" } else { "xlsx" };
                let dir = staging.join(format!("lo{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                let out = lo::convert(&staged, format, &dir).unwrap();
                std::fs::copy(&out, returns.join(out.file_name().unwrap())).unwrap();
            }
            _ => std::fs::write(returns.join(&name), bytes).unwrap(),
        }
        if i == 2 {
            invalid = school.id.clone();
        } else {
            included.push(school.id.clone());
        }
        fills.insert(school.id.clone(), f);
    }
    District { dir, fills, included, invalid, missing }
}

fn collect(dir: &Path, out: &Path, extra: &[&str]) -> crate::cli::Run {
    collect_with_temp(dir, out, extra, None)
}

/// [`collect`] with its temporary folder (`TMPDIR`, and `TMP`/`TEMP` as on Windows) set to
/// `temp`.
fn collect_with_temp(
    dir: &Path,
    out: &Path,
    extra: &[&str],
    temp: Option<&Path>,
) -> crate::cli::Run {
    let mut cli = Cli::new()
        .in_dir(root())
        .registry("examples/schools.csv")
        .campaign(CAMPAIGN)
        .cmd("collect")
        .returns(dir.join("returns"))
        .today("2025-12-25")
        .arg("--out")
        .arg(out)
        .args(extra);
    if let Some(t) = temp {
        cli = cli.env("TMPDIR", t).env("TMP", t).env("TEMP", t);
    }
    cli.run()
}

fn num(f: &Fill, code: &str) -> Option<f64> {
    match f.values.get(code) {
        Some(FillValue::Num(n)) => Some(*n),
        // The warning case types a number as text: «1 234» or «12,0».
        Some(FillValue::Text(t)) => t.replace(['\u{a0}', ' '], "").replace(',', ".").parse().ok(),
        None => None,
    }
}

// Columns of «Свод по району».
const D_ITEM: u32 = 0;
const D_LABEL: u32 = 1;
const D_VALUE: u32 = 3;
const D_NUM: u32 = 4;
const D_DEN: u32 = 5;
const D_REPORTED: u32 = 6;

/// The row of «Свод по району» of an indicator, by item and label.
fn row_of(r: &Range<Data>, item: &str, label: &str) -> u32 {
    let (h, _) = r.end().unwrap();
    (0..=h)
        .find(|&row| cell(r, row, D_ITEM) == item && cell(r, row, D_LABEL) == label)
        .unwrap_or_else(|| panic!("no row for {item} «{label}»"))
}

#[test]
fn district_figures_equal_an_independent_computation() {
    let d = district();
    let out = d.dir.path().join("svod.xlsx");
    let run = collect(d.dir.path(), &out, &[]);
    let stdout = run.stdout.clone();
    // One school missing and one with errors: exit code 1, and the completeness line says so.
    assert_eq!(run.code, 1, "{stdout}\n{}", run.stderr);
    assert!(stdout.contains("Принято 18 из 20 ОО (в свод вошло: 18); с опозданием: 1"), "{stdout}");

    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = wb.worksheet_range(SHEET_DISTRICT).unwrap();
    let included: Vec<&Fill> = d.included.iter().map(|id| &d.fills[id]).collect();

    // Counts: the sum of what the schools in the figures typed.
    let mut checked = 0;
    for f in c.fields().into_iter().filter(|f| f.kind == Kind::Integer) {
        let item = plan.items().find(|i| i.fields.iter().any(|x| x.code == f.code));
        let item_code = item.map(|i| i.code.clone()).unwrap_or_else(|| "ОО".into());
        let values: Vec<f64> = included.iter().filter_map(|x| num(x, &f.code)).collect();
        let row = row_of(&sheet, &item_code, &c.text(&f.label));
        assert_eq!(number(&sheet, row, D_VALUE), values.iter().sum::<f64>(), "{}", f.code);
        assert_eq!(number(&sheet, row, D_REPORTED), values.len() as f64, "{}", f.code);
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} count fields checked");

    // Shares: Σ numerators / Σ denominators — and for this district that is not the mean
    // of the schools' percentages.
    for (item, sh) in c.shares() {
        let pairs: Vec<(f64, f64)> = included
            .iter()
            .filter_map(|x| Some((num(x, sh.numerator.text())?, num(x, sh.denominator.text())?)))
            .collect();
        let (n, den) = pairs.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        let mean = pairs.iter().map(|p| p.0 / p.1).sum::<f64>() / pairs.len() as f64;
        assert!((mean - n / den).abs() > 1e-4, "{}: the fixture must tell the mean apart", sh.code);
        let row = row_of(&sheet, &item.code, &c.text(&sh.label));
        assert_eq!(number(&sheet, row, D_NUM), n, "{}", sh.code);
        assert_eq!(number(&sheet, row, D_DEN), den, "{}", sh.code);
        assert!((number(&sheet, row, D_VALUE) - n / den).abs() < 1e-12, "{}", sh.code);
    }

    // Detail table 10.1: every row of every school in the figures, nothing else.
    let expected_rows: usize = included.iter().map(|x| x.tables["t10_1"].len()).sum();
    let data = wb.worksheet_range(SHEET_DATA).unwrap();
    let (h, _) = data.end().unwrap();
    let header: Vec<String> = (0..12).map(|col| cell(&data, 0, col)).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    let mut rows = std::collections::BTreeSet::new();
    for r in 1..=h {
        let code = cell(&data, r, col("Код"));
        if code.starts_with("t10_1.") {
            rows.insert((cell(&data, r, col("Код ОО")), cell(&data, r, col("Строка таблицы"))));
        }
        // The invalid school's values are not in the figures.
        assert_ne!(cell(&data, r, col("Код ОО")), d.invalid, "row {r}");
    }
    assert_eq!(rows.len(), expected_rows);

    // The invalid and the missing school are listed with their status.
    let returns = wb.worksheet_range(SHEET_RETURNS).unwrap();
    let all: Vec<String> = returns
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|"))
        .collect();
    let line =
        |id: &str| all.iter().find(|l| l.split('|').any(|c| c == id)).cloned().unwrap_or_default();
    assert!(line(&d.invalid).contains("с ошибками"), "{}", line(&d.invalid));
    assert!(line(&d.missing).contains("не сдан"), "{}", line(&d.missing));
}

#[test]
fn summary_is_byte_identical_across_runs_and_threads_and_compare_works() {
    let d = district();
    let a = d.dir.path().join("a.xlsx");
    let b = d.dir.path().join("b.xlsx");
    assert_eq!(collect(d.dir.path(), &a, &[]).code, 1);
    assert_eq!(collect(d.dir.path(), &b, &["--threads", "1"]).code, 1);
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(), "summaries differ");

    // Without --force an existing summary is not touched.
    let before = std::fs::read(&a).unwrap();
    let again = collect(d.dir.path(), &a, &[]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("--force"));
    assert_eq!(std::fs::read(&a).unwrap(), before);

    // --compare against the previous summary of the same returns: no change anywhere.
    let c = d.dir.path().join("c.xlsx");
    let run = collect(d.dir.path(), &c, &["--compare", a.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut wb: Xlsx<_> = open_workbook(&c).unwrap();
    let sheet = wb.worksheet_range(SHEET_DISTRICT).unwrap();
    let (h, w) = sheet.end().unwrap();
    let change_col = (0..=w)
        .find(|&col| (0..=h.min(15)).any(|r| cell(&sheet, r, col) == "Изменение"))
        .expect("a change column");
    let changes: Vec<f64> = (0..=h)
        .filter_map(|r| match sheet.get_value((r, change_col)) {
            Some(Data::Float(f)) => Some(*f),
            _ => None,
        })
        .collect();
    assert!(changes.len() >= 10, "{changes:?}");
    assert!(changes.iter().all(|x| *x == 0.0), "{changes:?}");
}

#[test]
fn summary_opens_in_libreoffice() {
    if lo::soffice().is_none() {
        return;
    }
    let d = district();
    let out = d.dir.path().join("svod.xlsx");
    collect(d.dir.path(), &out, &[]);
    let pdf = lo::convert(&out, "pdf", d.dir.path()).unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    // Page objects: «/Type/Page» (or «/Type /Page»), not «/Type/Pages».
    let text = String::from_utf8_lossy(&bytes).replace("/Type /Page", "/Type/Page");
    let pages = text.matches("/Type/Page").count() - text.matches("/Type/Pages").count();
    assert!(pages >= 3, "{pages} pages");
}

/// The schools' values as `collect` keeps them — written to a spill file on the reading
/// threads and read back one school at a time — make the same summary and note, byte for
/// byte, as the same values held in memory; the `collect` command (two threads, one
/// thread) writes that summary; and its spill file, in the temporary folder it is given,
/// is gone after the run.
#[test]
fn the_values_through_the_spill_file_make_the_same_summary_as_in_memory() {
    use profplan::check::intake::{assess, IntakeOptions};
    use profplan::check::spill::Spill;
    use profplan::check::values::Schools;
    use profplan::summary::figures::{consolidate, consolidate_schools};
    use profplan::summary::note::write_note;
    use profplan::summary::{write_summary, SummaryInput};

    let d = district();
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    let reg = registry(&plan);
    let files = profplan::read::folder::read_folder(
        &d.dir.path().join("returns"),
        &profplan::read::Limits::default(),
        &|| {},
    )
    .unwrap();
    let opts = IntakeOptions {
        as_of: NaiveDate::from_ymd_opt(2025, 12, 25).unwrap(),
        include_invalid: false,
        district: Default::default(),
        key: None,
    };
    let intake = assess(&c, &reg, files, opts);
    assert!(intake.data.len() >= 8, "{}", intake.data.len());
    assert!(intake.data.iter().all(|s| !s.fields.is_empty()));
    let make = |schools: &Schools| {
        let district = consolidate_schools(&c, schools).unwrap();
        let input = SummaryInput {
            campaign: &c,
            registry: &reg,
            report: &intake.report,
            schools,
            district: &district,
            generated: opts.as_of,
            previous: None,
        };
        (district.clone(), write_summary(&input).unwrap(), write_note(&input, "svod.xlsx").unwrap())
    };
    let in_memory = Schools::new(intake.data.clone());
    let (district, summary, note) = make(&in_memory);
    assert_eq!(district, consolidate(&c, &intake.data));

    // Spilled in another order than the registry's, as the reading threads finish.
    let spill = Spill::create().unwrap();
    let path = spill.path().to_path_buf();
    let mut spans = BTreeMap::new();
    for s in intake.data.iter().rev() {
        spans.insert(s.file.clone(), spill.put(s).unwrap());
    }
    // Every school's values from the file, its names from its status (as a folder run's).
    let spilled =
        Schools::spilled(&intake.report.schools, Vec::new(), spill.finish().unwrap(), |f| {
            spans.get(f).copied()
        });
    assert_eq!(spilled.spill_path(), Some(path.as_path()));
    let (district_2, summary_2, note_2) = make(&spilled);
    assert_eq!(district_2, district);
    assert!(summary_2 == summary, "the summary through the spill file differs");
    assert!(note_2 == note, "the note through the spill file differs");
    drop(spilled);
    assert!(!path.exists(), "{} left behind", path.display());

    // Some schools' values in memory (returns validated by the assessment), the others'
    // in the file: each school in its place, with its own values and names.
    let spill = Spill::create().unwrap();
    let mut spans = BTreeMap::new();
    for s in intake.data.iter().skip(1).step_by(2) {
        spans.insert(s.file.clone(), spill.put(s).unwrap());
    }
    let in_memory: Vec<_> = intake.data.iter().step_by(2).cloned().collect();
    assert!(in_memory.len() >= 4 && spans.len() >= 4, "{} {}", in_memory.len(), spans.len());
    let mixed = Schools::spilled(&intake.report.schools, in_memory, spill.finish().unwrap(), |f| {
        spans.get(f).copied()
    });
    assert_eq!(mixed.len(), intake.data.len());
    let (district_3, summary_3, note_3) = make(&mixed);
    assert_eq!(district_3, district);
    assert!(summary_3 == summary, "the summary from memory and the spill file differs");
    assert!(note_3 == note, "the note from memory and the spill file differs");

    // The command: the same summary, with either thread count; nothing left in its
    // temporary folder.
    let tmp = tempfile::tempdir().unwrap();
    for (name, extra) in [("a.xlsx", &[][..]), ("b.xlsx", &["--threads", "1"][..])] {
        let out = d.dir.path().join(name);
        let run = collect_with_temp(d.dir.path(), &out, extra, Some(tmp.path()));
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(std::fs::read(&out).unwrap() == summary, "{name}: differs from the library's");
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{name}: left in the temporary folder: {left:?}");
    }
}

/// A run that fails after the values were spilled (the summary cannot be written: its
/// folder is a file) leaves no spill file behind either.
#[test]
fn a_failed_collect_leaves_no_spill_file() {
    let d = district();
    let tmp = tempfile::tempdir().unwrap();
    let blocker = d.dir.path().join("blocker");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let run = collect_with_temp(d.dir.path(), &blocker.join("svod.xlsx"), &[], Some(tmp.path()));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left in the temporary folder: {left:?}");
}

/// The spill file goes to the temporary folder (`TMPDIR`): when that folder cannot be
/// written, `collect` stops with a message that names it, and writes no summary.
#[test]
fn collect_says_when_its_temporary_folder_is_unusable() {
    let d = district();
    let tmp = tempfile::tempdir().unwrap();
    let gone = tmp.path().join("no-such-folder");
    let out = d.dir.path().join("svod.xlsx");
    let run = collect_with_temp(d.dir.path(), &out, &[], Some(&gone));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("не удалось создать временный файл в папке")
            && run.stderr.contains(&gone.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}
