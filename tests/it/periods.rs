//! Inter-period checks (межпериодный контроль) through the command line: a school year of
//! 20 schools — September, December, May — each campaign's returns made from generated
//! values, each summary written by `profplan collect` into the work folder. In May a few
//! schools report a cumulative count lower than in December, or a profile figure that
//! moved more than the plan allows: `check` and `collect` report exactly those, with both
//! values and the cell, as warnings; without December's summary they say so once.

use std::collections::{BTreeMap, BTreeSet};

use calamine::{open_workbook, Reader, Xlsx};
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::School;
use profplan::synth::{fill, Fill, FillValue};
use serde_json::Value;

use crate::common::*;

const SEPT: &str = "2025-09-15";
const DEC: &str = "2025-12-20";
const MAY: &str = "2026-05-25";
const SEED: u64 = 21;

fn num(f: &Fill, code: &str) -> Option<f64> {
    f.values.get(code).and_then(typed_number)
}

fn set(f: &mut Fill, code: &str, v: f64) {
    f.values.insert(code.to_string(), FillValue::Num(v));
}

/// Write a campaign's returns into `returns-<id>/`, saved the day before the deadline.
fn put_returns(w: &Workdir, c: &Campaign, schools: &[School], fills: &BTreeMap<String, Fill>) {
    let dir = w.path().join(format!("returns-{}", c.id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = c.deadline.pred_opt().unwrap().and_hms_opt(9, 0, 0).unwrap();
    for s in schools {
        std::fs::write(dir.join(file_name(s)), filled(c, s, &fills[&s.id], saved)).unwrap();
    }
}

fn run(w: &Workdir, campaign: &str, args: &[&str]) -> crate::cli::Run {
    w.cli().env_remove("NO_COLOR").campaign(campaign).args(args).run()
}

fn collect(w: &Workdir, campaign: &str, as_of: &str) -> crate::cli::Run {
    let returns = format!("returns-{campaign}");
    let out = format!("svod-{campaign}.xlsx");
    let o = run(w, campaign, &["collect", &returns, "--as-of", as_of, "--out", &out, "--no-note"]);
    assert!(o.code <= 1, "{}", o.stderr);
    o
}

fn check_json(w: &Workdir, campaign: &str, as_of: &str, extra: &[&str]) -> (Value, String) {
    let returns = format!("returns-{campaign}");
    let mut args = vec!["check", returns.as_str(), "--format", "json", "--as-of", as_of];
    args.extend_from_slice(extra);
    let o = run(w, campaign, &args);
    let v: Value =
        serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", o.stderr));
    (v, o.stderr)
}

/// (school, code, field) of every inter-period finding.
fn period_findings(v: &Value) -> BTreeSet<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("period_"))
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f}");
            (
                f["school"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

struct Year {
    w: Workdir,
    dec: BTreeMap<String, Fill>,
    may: BTreeMap<String, Fill>,
    planted: BTreeSet<(String, String, String)>,
}

/// The school year: September and December returns and summaries in the work folder,
/// May's returns with the planted falls and jumps.
fn school_year() -> Year {
    let plan = Plan::default_plan();
    let w = Workdir::new();
    let schools: Vec<School> = (1..=20).map(test_school).collect();
    write_registry(&w.registry_path(), &schools, &plan);
    let (sept, dec, may) = (
        Campaign::parse(&plan, SEPT).unwrap(),
        Campaign::parse(&plan, DEC).unwrap(),
        Campaign::parse(&plan, MAY).unwrap(),
    );
    let fills = |c: &Campaign| -> BTreeMap<String, Fill> {
        schools.iter().map(|s| (s.id.clone(), fill(c, s, SEED, None))).collect()
    };
    let sept_f = fills(&sept);
    let mut dec_f = fills(&dec);
    // School 09 corrected its number of students in December (the registry is behind):
    // May's form should carry December's figure forward.
    let reg = num(&dec_f["09"], "oo_students_6_11").unwrap();
    set(dec_f.get_mut("09").unwrap(), "oo_students_6_11", reg + 5.0);
    let mut may_f = fills(&may);
    // Counted from 1 September: May's counts are at least December's (the generator's
    // values are independent per campaign). `max` keeps the rules among them true.
    let cumulative: Vec<&str> = may
        .fields()
        .iter()
        .filter(|f| f.cumulative && dec.fields().iter().any(|d| d.code == f.code))
        .map(|f| f.code.as_str())
        .collect();
    assert!(cumulative.len() >= 10, "the plan marks December and May counts: {cumulative:?}");
    for s in &schools {
        for code in &cumulative {
            if let (Some(d), Some(m)) = (num(&dec_f[&s.id], code), num(&may_f[&s.id], code)) {
                set(may_f.get_mut(&s.id).unwrap(), code, d.max(m));
            }
        }
    }
    let mut planted = BTreeSet::new();
    let mut plant = |school: &str, code: &str, field: &str| {
        planted.insert((school.to_string(), code.to_string(), field.to_string()));
    };
    // Falls of cumulative counts.
    let d = num(&dec_f["03"], "p1_5_class_hours").unwrap();
    assert!(d >= 2.0);
    set(may_f.get_mut("03").unwrap(), "p1_5_class_hours", d - 1.0);
    plant("03", "period_decrease", "p1_5_class_hours");
    let d = num(&dec_f["07"], "p2_1_covered").unwrap();
    set(may_f.get_mut("07").unwrap(), "p2_1_covered", (d / 2.0).floor());
    plant("07", "period_decrease", "p2_1_covered");
    let d = num(&dec_f["18"], "p7_2_students").unwrap();
    set(may_f.get_mut("18").unwrap(), "p7_2_students", d - 1.0);
    plant("18", "period_decrease", "p7_2_students");
    // Jumps of stable profile figures: students +50 % (allowed 15 %), teachers −30 %
    // (allowed 20 %; the trained teachers fit under the new number).
    let students = num(&may_f["11"], "oo_students_6_11").unwrap();
    set(may_f.get_mut("11").unwrap(), "oo_students_6_11", (students * 1.5).round());
    plant("11", "period_change", "oo_students_6_11");
    let teachers = num(&may_f["15"], "oo_teachers").unwrap();
    let fewer = (teachers * 0.7).floor();
    set(may_f.get_mut("15").unwrap(), "oo_teachers", fewer);
    let trained = num(&may_f["15"], "p6_2_trained").unwrap();
    set(may_f.get_mut("15").unwrap(), "p6_2_trained", trained.min(fewer));
    plant("15", "period_change", "oo_teachers");
    // Within the allowed change, and an unchanged count: no warning.
    let students = num(&may_f["05"], "oo_students_6_11").unwrap();
    set(may_f.get_mut("05").unwrap(), "oo_students_6_11", (students * 1.1).round());

    put_returns(&w, &sept, &schools, &sept_f);
    put_returns(&w, &dec, &schools, &dec_f);
    put_returns(&w, &may, &schools, &may_f);
    Year { w, dec: dec_f, may: may_f, planted }
}

#[test]
fn a_school_year_gets_exactly_the_planted_falls_and_jumps() {
    let y = school_year();
    // September: the first campaign of the year, nothing to compare with, nothing said.
    let (v, err) = check_json(&y.w, SEPT, "2025-09-20", &[]);
    assert!(period_findings(&v).is_empty());
    assert!(!err.contains("межпериодный"), "{err}");
    collect(&y.w, SEPT, "2025-09-20");

    // December: September's summary is found in the work folder; September collects none
    // of the marked figures December does, so there is nothing to compare and no note.
    let (v, err) = check_json(&y.w, DEC, "2025-12-22", &[]);
    assert!(period_findings(&v).is_empty(), "{:?}", period_findings(&v));
    assert!(!err.contains("межпериодный"), "{err}");
    assert_eq!(v["counts"]["accepted"], 20);
    collect(&y.w, DEC, "2025-12-22");

    // May: exactly the planted warnings; the returns stay accepted.
    let (v, err) = check_json(&y.w, MAY, "2026-05-27", &[]);
    assert_eq!(period_findings(&v), y.planted);
    assert!(!err.contains("межпериодный"), "{err}");
    assert_eq!(v["counts"]["accepted"], 20, "warnings do not reject a return");
    assert_eq!(v["exit_code"], 0);

    // The message names both values, the earlier campaign, the cell, and what to do.
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["school"] == "03" && f["code"] == "period_decrease")
        .unwrap();
    let was = num(&y.dec["03"], "p1_5_class_hours").unwrap();
    let now = num(&y.may["03"], "p1_5_class_hours").unwrap();
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("{now} — меньше")), "{msg}");
    assert!(msg.contains(&format!(": {was}.")), "{msg}");
    assert!(msg.contains("Промежуточный отчёт за I полугодие") && msg.contains("20.12.2025"));
    assert!(msg.contains("нарастающим итогом с 1 сентября"), "{msg}");
    assert_eq!(f["item"], "1.5");
    let may_form = y.w.path().join(format!("returns-{MAY}/{}", file_name(&test_school(3))));
    let (sheet, cell) = field_cell(&std::fs::read(may_form).unwrap(), "p1_5_class_hours");
    assert_eq!((f["sheet"].as_str().unwrap(), f["cell"].as_str().unwrap()), (&*sheet, &*cell));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["school"] == "11" && f["code"] == "period_change")
        .unwrap();
    let was = num(&y.dec["11"], "oo_students_6_11").unwrap();
    let now = num(&y.may["11"], "oo_students_6_11").unwrap();
    let pct = ((now - was) / was * 1000.0).round() / 10.0;
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("{now} — в прошлой кампании")), "{msg}");
    assert!(msg.contains(&format!("было {was} (+{}", pct.to_string().replace('.', ","))), "{msg}");
    assert!(msg.contains("не больше чем на 15 %"), "{msg}");

    // The text report lists them under the school, accepted with warnings.
    let o = run(&y.w, MAY, &["check", &format!("returns-{MAY}"), "--as-of", "2026-05-27"]);
    let text = o.stdout.clone();
    assert!(text.contains("Приняты с предупреждениями (5)"), "{text}");

    // collect writes them into «Замечания» of May's summary.
    collect(&y.w, MAY, "2026-05-27");
    let mut book: Xlsx<_> = open_workbook(y.w.path().join(format!("svod-{MAY}.xlsx"))).unwrap();
    let sheet = book.worksheet_range(profplan::summary::SHEET_FINDINGS).unwrap();
    let codes: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .filter(|c| c.starts_with("period_"))
        .collect();
    assert_eq!(codes.len(), y.planted.len(), "{codes:?}");
}

#[test]
fn without_the_earlier_summary_it_is_said_once_and_nothing_else_changes() {
    let y = school_year();
    // No December summary anywhere.
    let (v, err) = check_json(&y.w, MAY, "2026-05-27", &[]);
    assert!(period_findings(&v).is_empty());
    assert_eq!(err.matches("нет данных прошлой кампании").count(), 1, "{err}");
    assert!(err.contains("«Промежуточный отчёт за I полугодие» (срок 20.12.2025)"), "{err}");
    assert_eq!(v["exit_code"], 0);

    // December's summary made elsewhere and named with --previous: found.
    collect(&y.w, DEC, "2025-12-22");
    let elsewhere = y.w.path().join("arhiv");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::rename(
        y.w.path().join(format!("svod-{DEC}.xlsx")),
        elsewhere.join("svod-dekabr.xlsx"),
    )
    .unwrap();
    let (v, err) = check_json(&y.w, MAY, "2026-05-27", &["--previous", "arhiv"]);
    assert_eq!(period_findings(&v), y.planted);
    assert!(!err.contains("межпериодный"), "{err}");

    // A file named that is not a summary of the plan is said so, and is not an error.
    std::fs::write(y.w.path().join("chuzhoy.xlsx"), b"not a workbook").unwrap();
    let (v, err) = check_json(&y.w, MAY, "2026-05-27", &["--previous", "chuzhoy.xlsx"]);
    assert!(err.contains("chuzhoy.xlsx"), "{err}");
    assert!(err.contains("нет данных прошлой кампании"), "{err}");
    assert_eq!(v["exit_code"], 0);
}

#[test]
fn the_latest_earlier_summary_is_the_baseline() {
    // Two summaries of December in the folder: the one made later wins, and it is said.
    let y = school_year();
    collect(&y.w, DEC, "2025-12-22");
    std::fs::rename(
        y.w.path().join(format!("svod-{DEC}.xlsx")),
        y.w.path().join("svod-dec-old.xlsx"),
    )
    .unwrap();
    collect(&y.w, DEC, "2025-12-28");
    let (v, err) = check_json(&y.w, MAY, "2026-05-27", &[]);
    assert_eq!(period_findings(&v), y.planted);
    assert!(err.contains("найдено сводов: 2"), "{err}");
    assert!(err.contains(&format!("svod-{DEC}.xlsx")), "{err}");
}

#[test]
fn a_superseded_drafts_falls_are_not_reported() {
    // School 05 sent an early draft with a fall of a cumulative count, then its return
    // (the later file, taken): only the taken return's warnings are reported.
    let y = school_year();
    collect(&y.w, DEC, "2025-12-22");
    let plan = Plan::default_plan();
    let may = Campaign::parse(&plan, MAY).unwrap();
    let mut draft = y.may["05"].clone();
    let d = num(&y.dec["05"], "p1_5_class_hours").unwrap();
    assert!(d >= 1.0);
    set(&mut draft, "p1_5_class_hours", d - 1.0);
    let early = may.deadline.pred_opt().unwrap().and_hms_opt(8, 0, 0).unwrap();
    let path = y.w.path().join(format!("returns-{MAY}/05-черновик.xlsx"));
    std::fs::write(&path, filled(&may, &test_school(5), &draft, early)).unwrap();

    let (v, _) = check_json(&y.w, MAY, "2026-05-27", &[]);
    let draft_rec =
        v["files"].as_array().unwrap().iter().find(|f| f["path"] == "05-черновик.xlsx").unwrap();
    assert_eq!(draft_rec["outcome"], "superseded", "{draft_rec}");
    assert_eq!(period_findings(&v), y.planted);
    // The same draft taken (saved after the return): its fall is reported.
    let later = may.deadline.pred_opt().unwrap().and_hms_opt(10, 0, 0).unwrap();
    std::fs::write(&path, filled(&may, &test_school(5), &draft, later)).unwrap();
    let (v, _) = check_json(&y.w, MAY, "2026-05-27", &[]);
    let mut planted = y.planted.clone();
    planted.insert(("05".into(), "period_decrease".into(), "p1_5_class_hours".into()));
    assert_eq!(period_findings(&v), planted);
}

#[test]
fn marks_are_checked_at_plan_load_with_the_line() {
    let bad = profplan::plan::DEFAULT_PLAN_TOML.replacen(
        "code = \"p1_1_comment\"\nlabel = \"Комментарий (реквизиты утверждённой программы)\"\nkind = \"text\"",
        "code = \"p1_1_comment\"\nlabel = \"Комментарий (реквизиты утверждённой программы)\"\nkind = \"text\"\ncumulative = true",
        1,
    );
    assert_ne!(bad, profplan::plan::DEFAULT_PLAN_TOML);
    let e = Plan::from_toml(&bad, "plan.toml").unwrap_err().to_string();
    let line = bad.lines().position(|l| l.contains("code = \"p1_1_comment\"")).unwrap();
    assert!(e.contains(&format!("строка {}", line)), "{e}");
    assert!(e.contains("«p1_1_comment»") && e.contains("только для чисел"), "{e}");

    let bad = profplan::plan::DEFAULT_PLAN_TOML.replacen(
        "stable = { percent = 15 }",
        "stable = { percent = -5 }",
        1,
    );
    let e = Plan::from_toml(&bad, "plan.toml").unwrap_err().to_string();
    assert!(e.contains("oo_students_6_11") && e.contains("больше 0"), "{e}");

    // The marks do not change the plan's version: forms issued before stay valid.
    let unmarked = profplan::plan::DEFAULT_PLAN_TOML
        .lines()
        .filter(|l| !l.starts_with("cumulative = ") && !l.starts_with("stable = "))
        .collect::<Vec<_>>()
        .join("\n");
    let a = Plan::from_toml(&unmarked, "a").unwrap();
    let b = Plan::default_plan();
    assert_eq!(a.version, b.version);
    assert!(b.field("p2_1_covered").unwrap().cumulative);
    assert_eq!(b.field("oo_students_6_11").unwrap().stable.unwrap().percent, 15.0);
    assert!(!a.field("p2_1_covered").unwrap().cumulative);
}

/// The value in a form's cell of a field, read with calamine.
fn form_value(bytes: &[u8], code: &str) -> f64 {
    let (sheet, cell) = field_cell(bytes, code);
    let col = cell
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .fold(0u32, |a, c| a * 26 + (c as u32 - 'A' as u32 + 1))
        - 1;
    let row: u32 =
        cell.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse::<u32>().unwrap() - 1;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let r = book.worksheet_range(&sheet).unwrap();
    match r.get_value((row, col)) {
        Some(calamine::Data::Float(f)) => *f,
        other => panic!("{code} at {sheet}!{cell}: {other:?}"),
    }
}

fn form_text(bytes: &[u8]) -> String {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let r = book.worksheet_range("Отчёт").unwrap();
    r.rows().flat_map(|row| row.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("\n")
}

#[test]
fn carry_forward_prefills_what_the_earlier_campaign_accepted() {
    let y = school_year();
    let template = |force: bool| {
        let mut args = vec!["template", "--out", "forms-may"];
        if force {
            args.push("--force");
        }
        let o = run(&y.w, MAY, &args);
        assert_eq!(o.code, 0, "{}", o.stderr);
        o
    };
    let form = |n: usize| {
        std::fs::read(y.w.path().join("forms-may").join(file_name(&test_school(n)))).unwrap()
    };
    let registry = test_school(9).profile["oo_students_6_11"];
    // No December summary yet: the registry's figures.
    template(false);
    assert_eq!(form_value(&form(9), "oo_students_6_11"), registry);
    assert!(!form_text(&form(9)).contains("перенесены"));
    // With December's summary: what school 09 reported and December accepted.
    collect(&y.w, DEC, "2025-12-22");
    let o = template(true);
    assert!(o.stderr.contains("перенесены из сводов прошлых кампаний"), "{}", o.stderr);
    let dec = num(&y.dec["09"], "oo_students_6_11").unwrap();
    assert_eq!(dec, registry + 5.0);
    assert_eq!(form_value(&form(9), "oo_students_6_11"), dec);
    assert_eq!(form_value(&form(15), "oo_teachers"), num(&y.dec["15"], "oo_teachers").unwrap());
    let text = form_text(&form(9));
    assert!(
        text.contains("перенесены из принятого отчёта школы за прошлую кампанию («Промежуточный отчёт за I полугодие», срок 20.12.2025)"),
        "{text}"
    );
}

/// Column of «Свод по району» or «Изменения» whose header (in the first rows) is `head`.
fn column(sheet: &calamine::Range<calamine::Data>, head: &str) -> (u32, u32) {
    let (h, w) = sheet.end().unwrap();
    (0..=h.min(60))
        .flat_map(|r| (0..=w).map(move |c| (r, c)))
        .find(|&(r, c)| sheet.get_value((r, c)).map(|d| d.to_string()).as_deref() == Some(head))
        .unwrap_or_else(|| panic!("no column «{head}»"))
}

fn cell_text(sheet: &calamine::Range<calamine::Data>, r: u32, c: u32) -> String {
    sheet.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default()
}

fn cell_num(sheet: &calamine::Range<calamine::Data>, r: u32, c: u32) -> f64 {
    match sheet.get_value((r, c)) {
        Some(calamine::Data::Float(f)) => *f,
        other => panic!("no number at ({r}, {c}): {other:?}"),
    }
}

/// The arrow a head reads, computed here from the two values.
fn arrow(was: f64, now: f64) -> &'static str {
    if now > was + 1e-9 {
        "▲ рост"
    } else if now < was - 1e-9 {
        "▼ снижение"
    } else {
        "= без изменений"
    }
}

#[test]
fn year_over_year_shows_last_years_figures_changes_and_arrows() {
    const LAST: &str = "2024-12-20";
    let plan = Plan::default_plan();
    let w = Workdir::new();
    let schools: Vec<School> = (1..=8).map(test_school).collect();
    write_registry(&w.registry_path(), &schools, &plan);
    let (last, this) =
        (Campaign::parse(&plan, LAST).unwrap(), Campaign::parse(&plan, DEC).unwrap());
    let (last_f, this_f) = planted_fills(&schools, &last, &this);
    put_returns(&w, &last, &schools, &last_f);
    put_returns(&w, &this, &schools, &this_f);

    // Last year's collect has no summary of the year before: said once, not an error.
    let o = collect(&w, LAST, "2024-12-25");
    let err = o.stderr.clone();
    assert_eq!(err.matches("сравнение с прошлым годом").count(), 1, "{err}");
    assert!(err.contains("2023/24 учебного года") && err.contains("--compare"), "{err}");
    // This year's finds it in the work folder by plan and campaign; of two copies, the one
    // made last (then the last by name) is taken, and that is said.
    std::fs::copy(
        w.path().join(format!("svod-{LAST}.xlsx")),
        w.path().join("svod-kopiya-staraya.xlsx"),
    )
    .unwrap();
    let o = collect(&w, DEC, "2025-12-25");
    let err = o.stderr.clone();
    assert!(err.contains("для сравнения взят"), "two copies of last year's summary: {err}");
    assert!(!err.contains("составлен без сравнения"), "{err}");

    let mut book: Xlsx<_> = open_workbook(w.path().join(format!("svod-{DEC}.xlsx"))).unwrap();
    district_sheet_compares_the_years(&mut book, &this, &last_f, &this_f);
    changes_sheet_compares_each_school(&mut book, &plan, &this, &schools, &last_f, &this_f);
}

/// Last year's and this year's fills of `schools`, planted so that every arrow shows: more
/// events everywhere, fewer events with the employment centre, the same number of teachers.
fn planted_fills(
    schools: &[School],
    last: &Campaign,
    this: &Campaign,
) -> (BTreeMap<String, Fill>, BTreeMap<String, Fill>) {
    let last_f: BTreeMap<String, Fill> =
        schools.iter().map(|s| (s.id.clone(), fill(last, s, SEED, None))).collect();
    let mut this_f: BTreeMap<String, Fill> =
        schools.iter().map(|s| (s.id.clone(), fill(this, s, SEED + 1, None))).collect();
    for s in schools {
        let (l, t) = (&last_f[&s.id], this_f.get_mut(&s.id).unwrap());
        if let Some(v) = num(l, "p2_1_events") {
            set(t, "p2_1_events", v + 3.0);
        }
        if let Some(v) = num(l, "p7_2_events") {
            set(t, "p7_2_events", (v / 2.0).floor());
        }
        if let Some(v) = num(l, "oo_teachers") {
            set(t, "oo_teachers", v);
            if let Some(tr) = num(t, "p6_2_trained") {
                set(t, "p6_2_trained", tr.min(v));
            }
        }
    }
    (last_f, this_f)
}

/// «Свод по району»: last year's figure, the change and the arrow of every whole-number
/// field, and of a share (Σ numerators / Σ denominators, the change in percentage points).
fn district_sheet_compares_the_years(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    this: &Campaign,
    last_f: &BTreeMap<String, Fill>,
    this_f: &BTreeMap<String, Fill>,
) {
    let sheet = book.worksheet_range(profplan::summary::SHEET_DISTRICT).unwrap();
    let (head, was_col) = column(&sheet, "Прошлый год (2024/25)");
    let (_, change_col) = column(&sheet, "Изменение");
    let (_, trend_col) = column(&sheet, "Динамика");
    let (_, value_col) = column(&sheet, "Значение по району");
    let text_all: String = (0..head).map(|r| cell_text(&sheet, r, 0)).collect::<Vec<_>>().join(" ");
    assert!(text_all.contains("Сравнение с тем же периодом прошлого учебного года (2024/25)"));
    let row_of = |label: &str| {
        (head + 1..=sheet.end().unwrap().0)
            .find(|&r| cell_text(&sheet, r, 1) == label)
            .unwrap_or_else(|| panic!("no row «{label}»"))
    };
    let sum = |fills: &BTreeMap<String, Fill>, code: &str| -> Option<f64> {
        let v: Vec<f64> = fills.values().filter_map(|f| num(f, code)).collect();
        (!v.is_empty()).then(|| v.iter().sum())
    };
    let mut arrows = BTreeSet::new();
    let mut checked = 0;
    let fields =
        this.profile_fields().into_iter().chain(this.item_fields().into_iter().map(|(_, f)| f));
    for f in fields {
        if f.kind != profplan::plan::Kind::Integer {
            continue;
        }
        let (Some(was), Some(now)) = (sum(last_f, &f.code), sum(this_f, &f.code)) else {
            continue;
        };
        let r = row_of(&this.text(&f.label));
        assert_eq!(cell_num(&sheet, r, value_col), now, "{}", f.code);
        assert_eq!(cell_num(&sheet, r, was_col), was, "{}", f.code);
        assert_eq!(cell_num(&sheet, r, change_col), now - was, "{}", f.code);
        assert_eq!(cell_text(&sheet, r, trend_col), arrow(was, now), "{}", f.code);
        arrows.insert(arrow(was, now));
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
    assert_eq!(arrows.len(), 3, "every arrow planted: {arrows:?}");
    // A share: Σ numerators / Σ denominators in each year, the change in percentage points.
    let sh = this.shares().into_iter().map(|(_, s)| s).find(|s| s.code == "s2_1_covered").unwrap();
    let pct = |fills: &BTreeMap<String, Fill>| {
        let (mut n, mut d) = (0.0, 0.0);
        for f in fills.values() {
            if let (Some(a), Some(b)) = (num(f, sh.numerator.text()), num(f, sh.denominator.text()))
            {
                n += a;
                d += b;
            }
        }
        n / d
    };
    let (was, now) = (pct(last_f), pct(this_f));
    let r = row_of(&this.text(&sh.label));
    assert!((cell_num(&sheet, r, was_col) - was).abs() < 1e-9);
    assert!((cell_num(&sheet, r, change_col) - (now - was) * 100.0).abs() < 1e-9);
    assert_eq!(cell_text(&sheet, r, trend_col), arrow(was, now));
}

/// «Изменения по школам за год»: each school's value last year and now.
fn changes_sheet_compares_each_school(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    plan: &Plan,
    this: &Campaign,
    schools: &[School],
    last_f: &BTreeMap<String, Fill>,
    this_f: &BTreeMap<String, Fill>,
) {
    let changes = book.worksheet_range(profplan::summary::SHEET_CHANGES).unwrap();
    let (head, was_col) = column(&changes, "Прошлый год (2024/25)");
    assert_eq!(cell_text(&changes, 0, 0), "Изменения по школам за год");
    let label = this.text(&plan.field("p2_1_events").unwrap().label);
    for s in schools {
        let r = (head + 1..=changes.end().unwrap().0)
            .find(|&r| cell_text(&changes, r, 0) == s.id && cell_text(&changes, r, 3) == label)
            .unwrap_or_else(|| panic!("no row of school {}", s.id));
        let (was, now) = (
            num(&last_f[&s.id], "p2_1_events").unwrap(),
            num(&this_f[&s.id], "p2_1_events").unwrap(),
        );
        assert_eq!(
            (cell_num(&changes, r, was_col), cell_num(&changes, r, was_col + 1)),
            (was, now)
        );
        assert_eq!(cell_num(&changes, r, was_col + 2), now - was);
        assert_eq!(cell_text(&changes, r, was_col + 3), "▲ рост");
    }
}
