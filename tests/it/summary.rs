//! The district summary workbook, read back with calamine as a methodologist would check
//! it: every district figure against an independent computation in this file, the
//! totals row, detail tables, school text kept as text, «Данные», «Источники»,
//! `--compare`, determinism, and that LibreOffice can open and print it.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use chrono::{DateTime, FixedOffset, NaiveDate};

use profplan::check::report::{
    CheckReport, Counts, FileRecord, Outcome, SchoolStatus, Sha256, Status,
};
use profplan::check::values::{CheckedField, CheckedValue, Row, SchoolData, Schools, Source};
use profplan::finding::{Code, Finding};
use profplan::plan::campaign::Campaign;
use profplan::plan::Plan;
use profplan::schools::{Registry, School};
use profplan::summary::figures::consolidate;
use profplan::summary::{
    self, read_previous, read_previous_bytes, read_previous_head, write_summary, Previous,
    SummaryInput,
};

// ---------------------------------------------------------------------------------------
// The district: 7 schools. 01–04 accepted (02 late), 05 with errors but taken in with
// --include-invalid, 06 missing, 07 with errors and left out.

const CAMPAIGN: &str = "2026-05-25";
const FORMULA_TEXT: &str = "=HYPERLINK(\"http://example.com\",\"нажми\")";
const CMD_TEXT: &str = "=cmd|' /C calc'!A0";

fn registry() -> Registry {
    let school = |id: &str, name: &str, short: &str| School {
        id: id.into(),
        name: name.into(),
        short_name: short.into(),
        profile: Default::default(),
        contact_person: String::new(),
        email: String::new(),
        phone: String::new(),
    };
    Registry::new(vec![
        school("01", "МБОУ «Первая средняя общеобразовательная школа»", "СОШ № 1"),
        school("02", "МБОУ «Вторая основная общеобразовательная школа»", "ООШ № 2"),
        school("03", "МАОУ «Лицей № 3»", "Лицей № 3"),
        school("04", "МБОУ «Сельская школа № 4»", "Школа № 4"),
        school("05", "МБОУ «Школа № 5 с ошибками»", "Школа № 5"),
        school("06", "МБОУ «Несдавшая школа № 6»", "Школа № 6"),
        school("07", "МБОУ «Школа № 7, отчёт не принят»", "Школа № 7"),
    ])
}

fn t(s: &str) -> CheckedValue {
    CheckedValue::Text(s.into())
}

fn n(v: f64) -> CheckedValue {
    CheckedValue::Num(v)
}

fn school(id: &str, fields: &[(&str, CheckedValue)]) -> SchoolData {
    let name = registry().get(id).unwrap().name.clone();
    let file = format!("{id}.xlsx");
    SchoolData {
        school_id: id.into(),
        school_name: name,
        file: file.clone(),
        fields: fields
            .iter()
            .enumerate()
            .map(|(i, (code, v))| {
                let source = Source {
                    file: file.clone(),
                    sheet: "Отчёт".into(),
                    cell: format!("E{}", 10 + i),
                };
                (code.to_string(), CheckedField { value: v.clone(), source })
            })
            .collect(),
        tables: BTreeMap::new(),
        invalid: false,
    }
}

fn rows(sheet: &str, rows: &[&[(&str, CheckedValue)]]) -> Vec<Row> {
    rows.iter()
        .enumerate()
        .map(|(i, vals)| Row {
            sheet: sheet.into(),
            row: 5 + i as u32,
            values: vals.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        })
        .collect()
}

/// The schools in the figures. Covered / students 6–11: 10/100, 9/10, 150/200, —/50,
/// 40/80: the district share is 209/390 = 53.6 %, the mean of school percentages 56.25 %.
/// Five schools: 01–03 with tables and formula-like text, 04 with the denominator only,
/// 05 invalid.
fn schools() -> Vec<SchoolData> {
    let s4 = school(
        "04",
        &[("oo_students_6_11", n(50.0)), ("p2_1_events", n(4.0)), ("p6_1_has_acts", t("да"))],
    );
    let mut s5 = school(
        "05",
        &[
            ("oo_students_6_11", n(80.0)),
            ("p2_1_events", n(1.0)),
            ("p2_1_covered", n(40.0)),
            ("p6_1_has_acts", t("нет")),
            ("p1_2_mark", t("не выполнено")),
        ],
    );
    s5.invalid = true;
    // 04 reports the denominator only: not in the share.
    vec![school_01(), school_02(), school_03(), s4, s5]
}

fn school_01() -> SchoolData {
    let mut s1 = school(
        "01",
        &[
            ("oo_students_6_11", n(100.0)),
            ("oo_teachers", n(20.0)),
            ("p2_1_events", n(3.0)),
            ("p2_1_covered", n(10.0)),
            ("p6_1_has_acts", t("да")),
            ("p1_2_mark", t("выполнено")),
            ("p1_2_comment", t(FORMULA_TEXT)),
            ("p6_2_trained", n(5.0)),
            ("meta_fio", t("Иванова Мария Петровна")),
        ],
    );
    s1.tables.insert(
        "t1_6".into(),
        rows(
            "1.6 ВсОШ",
            &[
                &[
                    ("subject", t("физика")),
                    ("stage", t("муниципальный")),
                    ("participants", n(5.0)),
                    ("winners", n(1.0)),
                ],
                &[
                    ("subject", t("биология")),
                    ("stage", t("школьный")),
                    ("participants", n(20.0)),
                    ("winners", n(3.0)),
                ],
            ],
        ),
    );
    s1.tables.insert(
        "t1_3".into(),
        rows(
            "1.3 Профессии",
            &[
                &[
                    ("profession", t("врач")),
                    ("activity", t("здравоохранение и социальные услуги")),
                    ("students", n(3.0)),
                ],
                &[
                    ("profession", t("программист")),
                    ("activity", t("информационные технологии и связь")),
                    ("students", n(4.0)),
                ],
            ],
        ),
    );
    s1
}

fn school_02() -> SchoolData {
    let mut s2 = school(
        "02",
        &[
            ("oo_students_6_11", n(10.0)),
            ("oo_teachers", n(10.0)),
            ("p2_1_events", n(5.0)),
            ("p2_1_covered", n(9.0)),
            ("p6_1_has_acts", t("нет")),
            ("p1_2_mark", t("частично")),
            ("p1_2_comment", t("+7 (999) 123-45-67")),
            ("p6_2_trained", n(10.0)),
        ],
    );
    s2.tables.insert(
        "t1_3".into(),
        rows(
            "1.3 Профессии",
            &[
                &[
                    ("profession", t(" Врач ")),
                    ("activity", t("здравоохранение и социальные услуги")),
                    ("students", n(5.0)),
                ],
                &[("profession", t(CMD_TEXT)), ("activity", t("другое")), ("students", n(1.0))],
            ],
        ),
    );
    s2
}

fn school_03() -> SchoolData {
    let mut s3 = school(
        "03",
        &[
            ("oo_students_6_11", n(200.0)),
            ("oo_teachers", n(40.0)),
            ("p2_1_events", n(12.0)),
            ("p2_1_covered", n(150.0)),
            ("p6_1_has_acts", t("да")),
            ("p1_2_mark", t("выполнено")),
            ("p1_2_comment", t("@SUM(A1:A2)")),
            ("p6_2_trained", n(0.0)),
        ],
    );
    s3.tables.insert(
        "t1_6".into(),
        rows(
            "1.6 ВсОШ",
            &[&[
                ("subject", t("физика")),
                ("stage", t("муниципальный")),
                ("participants", n(2.0)),
                ("winners", n(2.0)),
            ]],
        ),
    );
    s3.tables.insert(
        "t10_1".into(),
        rows(
            "10.1 Конкурсы",
            &[&[
                ("contest", t("-Профи-")),
                ("level", t("региональный")),
                ("participants", n(7.0)),
                ("winners", n(1.0)),
            ]],
        ),
    );
    s3
}

fn time(s: &str) -> DateTime<FixedOffset> {
    profplan::clock::District::default().local(DateTime::parse_from_rfc3339(s).unwrap().to_utc())
}

fn file(path: &str, school: Option<&str>, outcome: Outcome, reason: &str) -> FileRecord {
    FileRecord {
        path: path.into(),
        size: 12_345,
        sha256: Sha256::from_hex(&format!("{:0>64}", path.len())),
        format: "xlsx".into(),
        saved_at: Some(time("2026-05-20T11:30:00Z")),
        saved_at_other: None,
        saved_at_from_fs: path.starts_with("02"),
        school: school.map(str::to_string),
        outcome,
        reason: reason.into(),
    }
}

fn report() -> CheckReport {
    let st = |id: &str, status: Status, late: bool, errors: usize| {
        let returned = !matches!(status, Status::Missing);
        SchoolStatus {
            id: id.into(),
            name: registry().get(id).unwrap().name.clone(),
            status,
            late,
            file: returned.then(|| format!("{id}.xlsx")),
            files: if returned { vec![format!("{id}.xlsx")] } else { vec![] },
            saved_at: returned.then(|| time("2026-05-20T11:30:00Z")),
            errors,
            warnings: usize::from(id == "03"),
            in_figures: matches!(status, Status::Accepted),
        }
    };
    let findings = vec![
        Finding::warning(Code::Late, "02.xlsx", "отчёт сохранён после срока").school("02"),
        Finding::warning(Code::Rule, "03.xlsx", "Охваченных совместными мероприятиями больше")
            .school("03")
            .at("Отчёт", "E40")
            .item("7.2")
            .field("p7_2_students"),
        Finding::error(Code::NotInteger, "05.xlsx", "ожидалось целое число ≥ 0, найдено «12,5»")
            .school("05")
            .at("Отчёт", "E14")
            .item("2.1")
            .field("p2_1_events"),
        Finding::error(Code::Required, "07.xlsx", "=не заполнено обязательное поле")
            .school("07")
            .at("Отчёт", "E20"),
    ];
    CheckReport {
        plan_id: "tambov-proforientation".into(),
        plan_version: "x".into(),
        campaign: CAMPAIGN.into(),
        campaign_title: "Итоговый отчёт за учебный год".into(),
        deadline: NaiveDate::from_ymd_opt(2026, 5, 25).unwrap(),
        district: Default::default(),
        as_of: NaiveDate::from_ymd_opt(2026, 5, 27).unwrap(),
        counts: Counts::default(),
        schools: vec![
            st("01", Status::Accepted, false, 0),
            st("02", Status::Accepted, true, 0),
            st("03", Status::Accepted, false, 0),
            st("04", Status::Accepted, false, 0),
            st("05", Status::Invalid, false, 1),
            st("06", Status::Missing, false, 0),
            st("07", Status::Invalid, false, 1),
        ],
        findings,
        files: vec![
            file("01.xlsx", Some("01"), Outcome::Accepted, "принят"),
            file("02.xlsx", Some("02"), Outcome::Accepted, "принят, с опозданием"),
            file("03.xlsx", Some("03"), Outcome::Accepted, "принят"),
            file("04.xlsx", Some("04"), Outcome::Accepted, "принят"),
            file("05.xlsx", Some("05"), Outcome::Invalid, "1 ошибка"),
            file("07.xlsx", Some("07"), Outcome::Invalid, "1 ошибка"),
            file("broken.xlsx", None, Outcome::Rejected, "файл повреждён"),
            file("unknown-99.xlsx", Some("99"), Outcome::NotUsed, "школы 99 нет в реестре"),
            file("~$01.xlsx", None, Outcome::Skipped, "файл блокировки"),
        ],
    }
}

fn generated() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 27).unwrap()
}

fn build(schools: &[SchoolData], previous: Option<&Previous>) -> Vec<u8> {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    let district = consolidate(&c, schools);
    let reg = registry();
    let rep = report();
    let schools = Schools::new(schools.to_vec());
    let input = SummaryInput {
        campaign: &c,
        registry: &reg,
        report: &rep,
        schools: &schools,
        district: &district,
        generated: generated(),
        previous,
    };
    write_summary(&input).unwrap()
}

// ---------------------------------------------------------------------------------------
// Reading back.

struct Book {
    wb: Xlsx<Cursor<Vec<u8>>>,
}

impl Book {
    fn open(bytes: &[u8]) -> Book {
        Book { wb: open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap() }
    }
    fn sheet(&mut self, name: &str) -> Range<Data> {
        self.wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet «{name}»: {e}"))
    }
    fn formulas(&mut self, name: &str) -> Range<String> {
        self.wb.worksheet_formula(name).unwrap()
    }
}

fn s(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(x)) => x.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn f(r: &Range<Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        Some(Data::DateTime(d)) => d.as_f64(),
        other => panic!("({row}, {col}): expected a number, found {other:?}"),
    }
}

/// The first row whose column `col` equals `text`.
fn find_row(r: &Range<Data>, col: u32, text: &str) -> u32 {
    let (h, _) = r.end().unwrap();
    (0..=h).find(|&row| s(r, row, col) == text).unwrap_or_else(|| panic!("no row «{text}»"))
}

fn find_col(r: &Range<Data>, row: u32, pred: impl Fn(&str) -> bool) -> u32 {
    let (_, w) = r.end().unwrap();
    (0..=w).find(|&c| pred(&s(r, row, c))).expect("column")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn plan_label(code: &str) -> String {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    if let Some(f) = plan.field(code) {
        return c.text(&f.label);
    }
    let (_, sh) = c.shares().into_iter().find(|(_, s)| s.code == code).unwrap();
    c.text(&sh.label)
}

/// Independent computation of a share: Σ numerators / Σ denominators over the schools
/// that reported both.
fn district_share(schools: &[SchoolData], num: &str, den: &str) -> (f64, f64) {
    schools
        .iter()
        .filter_map(|s| Some((s.num(num)?, s.num(den)?)))
        .fold((0.0, 0.0), |a, (x, y)| (a.0 + x, a.1 + y))
}

// Columns of «Свод по району».
const D_VALUE: u32 = 3;
const D_NUM: u32 = 4;
const D_DEN: u32 = 5;
const D_REPORTED: u32 = 6;
const D_MIN: u32 = 7;
const D_MIN_SCHOOL: u32 = 8;
const D_MAX: u32 = 9;
const D_MAX_SCHOOL: u32 = 10;
const D_PREV: u32 = 11;
const D_CHANGE: u32 = 12;
const D_TREND: u32 = 13;
const D_FLAG: u32 = 14;

#[test]
fn district_share_is_ratio_of_sums_not_mean_of_percentages() {
    let schools = schools();
    let mut book = Book::open(&build(&schools, None));
    let sheet = book.sheet(summary::SHEET_DISTRICT);
    let r = find_row(&sheet, 1, &plan_label("s2_1_covered"));
    let (num, den) = district_share(&schools, "p2_1_covered", "oo_students_6_11");
    assert_eq!((num, den), (209.0, 390.0));
    assert_eq!(f(&sheet, r, D_NUM), num);
    assert_eq!(f(&sheet, r, D_DEN), den);
    assert!(close(f(&sheet, r, D_VALUE), num / den), "{}", f(&sheet, r, D_VALUE));
    let mean: f64 =
        [10.0 / 100.0, 9.0 / 10.0, 150.0 / 200.0, 40.0 / 80.0].iter().sum::<f64>() / 4.0;
    assert!((f(&sheet, r, D_VALUE) - mean).abs() > 0.02, "must not be the mean of percentages");
    assert_eq!(f(&sheet, r, D_REPORTED), 4.0);
    // Lowest and highest school percentages, named.
    assert!(close(f(&sheet, r, D_MIN), 0.1));
    assert_eq!(s(&sheet, r, D_MIN_SCHOOL), "СОШ № 1");
    assert!(close(f(&sheet, r, D_MAX), 0.9));
    assert_eq!(s(&sheet, r, D_MAX_SCHOOL), "ООШ № 2");
    // A live formula over the Σ cells of its own row.
    let formulas = book.formulas(summary::SHEET_DISTRICT);
    let (r0, c0) = formulas.start().unwrap();
    let fx = formulas.get(((r - r0) as usize, (D_VALUE - c0) as usize)).unwrap();
    assert_eq!(fx, &format!("IF(F{0}>0,E{0}/F{0},\"\")", r + 1));
}

#[test]
fn district_sums_yes_no_and_marks() {
    let schools = schools();
    let mut book = Book::open(&build(&schools, None));
    let sheet = book.sheet(summary::SHEET_DISTRICT);

    let events: f64 = schools.iter().filter_map(|s| s.num("p2_1_events")).sum();
    let r = find_row(&sheet, 1, &plan_label("p2_1_events"));
    assert_eq!(f(&sheet, r, D_VALUE), events);
    assert_eq!(f(&sheet, r, D_REPORTED), 5.0);
    assert_eq!((f(&sheet, r, D_MIN), s(&sheet, r, D_MIN_SCHOOL).as_str()), (1.0, "Школа № 5"));
    assert_eq!((f(&sheet, r, D_MAX), s(&sheet, r, D_MAX_SCHOOL).as_str()), (12.0, "Лицей № 3"));

    let yes = schools
        .iter()
        .filter(|s| s.fields.get("p6_1_has_acts").and_then(|v| v.value.text()) == Some("да"))
        .count();
    let r = find_row(&sheet, 1, &plan_label("p6_1_has_acts"));
    assert_eq!(f(&sheet, r, D_VALUE), yes as f64);
    assert_eq!(f(&sheet, r, D_REPORTED), 5.0);
    // The next line: the share of «да» among the schools that answered.
    assert!(s(&sheet, r + 1, 1).starts_with("доля ОО с ответом «да»"));
    assert!(close(f(&sheet, r + 1, D_VALUE), yes as f64 / 5.0));

    let r = find_row(&sheet, 1, &plan_label("p1_2_mark"));
    assert_eq!(f(&sheet, r, D_REPORTED), 4.0);
    assert_eq!(s(&sheet, r + 1, 1), "«выполнено»");
    assert_eq!(f(&sheet, r + 1, D_VALUE), 2.0);
    assert_eq!(f(&sheet, r + 2, D_VALUE), 1.0);
    assert_eq!(f(&sheet, r + 3, D_VALUE), 1.0);

    let r = find_row(&sheet, 1, &format!("{} — заполнили ОО", plan_label("p1_2_comment")));
    assert_eq!(f(&sheet, r, D_VALUE), 3.0);

    // Detail tables: row count and column totals.
    let r = find_row(&sheet, 1, "Количество участников: всего по строкам таблицы");
    assert_eq!(f(&sheet, r, D_VALUE), 27.0);
    assert_eq!(f(&sheet, r, D_REPORTED), 2.0);

    // Top: campaign, dates, and the headline's completeness, a status a line, with names.
    let (h, _) = sheet.end().unwrap();
    let top: Vec<String> = (0..h.min(8)).map(|row| s(&sheet, row, 0)).collect();
    assert!(top.iter().any(|l| l.contains("25.05.2026") && l.contains("27.05.2026")));
    assert!(top.iter().any(|l| l.contains("2025/26 учебный год")));
    let status = |label: &str| {
        let r = find_row(&sheet, 1, label);
        (f(&sheet, r, 3), s(&sheet, r, 4))
    };
    assert_eq!(status("Ожидалось отчётов (ОО в реестре)").0, 7.0);
    assert_eq!(status("Принято").0, 4.0);
    assert_eq!(status("из них сдано с опозданием"), (1.0, "ООШ № 2".to_string()));
    assert_eq!(status("Не сдали"), (1.0, "Школа № 6".to_string()));
    assert_eq!(
        status("С ошибками — возвращены на доработку"),
        (2.0, "Школа № 5, Школа № 7".to_string())
    );
    let (n, who) = status("В показателях свода учтены данные ОО");
    assert_eq!(n, schools.len() as f64);
    assert!(who.contains("--include-invalid") && who.contains("Школа № 5"), "{who}");
}

#[test]
fn headline_shares_equal_the_table_and_name_the_lagging_schools() {
    let schools = schools();
    let book_bytes = build(&schools, None);
    let mut book = Book::open(&book_bytes);
    let sheet = book.sheet(summary::SHEET_DISTRICT);
    let label = plan_label("s2_1_covered");
    let table = find_row(&sheet, 1, &label);
    let head = find_row(&sheet, 1, &format!("2.1. {label}"));
    assert!(head < table, "the headline comes first");
    for col in [D_VALUE, D_NUM, D_DEN, D_REPORTED] {
        assert_eq!(f(&sheet, head, col), f(&sheet, table, col), "column {col}");
    }
    assert_eq!((f(&sheet, head, D_NUM), f(&sheet, head, D_DEN)), (209.0, 390.0));
    // 209/390 = 53,6 % in the district; СОШ № 1 has 10/100 = 10 %, the furthest below.
    let lagging = s(&sheet, head, 7).replace('\u{a0}', " ");
    assert!(lagging.starts_with("СОШ № 1 — 10,0 % (на 43,6 п. п. ниже)"), "{lagging}");
    // Only schools below the district share are named.
    assert!(!lagging.contains("ООШ № 2"), "{lagging}");
}

#[test]
fn schools_sheet_totals_are_live_and_right() {
    let schools = schools();
    let mut book = Book::open(&build(&schools, None));
    let sheet = book.sheet(summary::SHEET_SCHOOLS);
    let header = find_row(&sheet, 0, "Код ОО");
    // One row per registry school, registry order.
    let ids: Vec<String> = (1..=7).map(|i| s(&sheet, header + i, 0)).collect();
    assert_eq!(ids, ["01", "02", "03", "04", "05", "06", "07"]);
    let total = find_row(&sheet, 1, "Итого по району (5 ОО в своде)");
    assert_eq!(total, header + 8);

    let share_col =
        find_col(&sheet, header, |h| h.starts_with("2.1\nДоля обучающихся 6–11 классов"));
    let (num, den) = district_share(&schools, "p2_1_covered", "oo_students_6_11");
    assert!(close(f(&sheet, total, share_col), num / den));
    // School 02: 9 of 10.
    assert!(close(f(&sheet, header + 2, share_col), 0.9));
    // 04 did not report the numerator: blank, and not counted.
    assert_eq!(s(&sheet, header + 4, share_col), "");

    let events_col =
        find_col(&sheet, header, |h| h.starts_with("2.1\nКоличество профориентационных"));
    assert_eq!(f(&sheet, total, events_col), 25.0);
    let yes_col = find_col(&sheet, header, |h| h.starts_with("6.1\n"));
    assert_eq!(f(&sheet, total, yes_col), 3.0);

    // Schools outside the figures: their status and empty cells.
    assert_eq!(s(&sheet, header + 6, 2), "не сдан");
    assert_eq!(s(&sheet, header + 6, events_col), "");
    assert_eq!(s(&sheet, header + 7, 2), "с ошибками");
    assert_eq!(s(&sheet, header + 7, events_col), "");
    assert_eq!(s(&sheet, header + 5, 2), "с ошибками, включён в свод");
    assert_eq!(s(&sheet, header + 2, 2), "принят, с опозданием");

    let formulas = book.formulas(summary::SHEET_SCHOOLS);
    let fx = |row: u32, col: u32| -> String {
        let (r0, c0) = formulas.start().unwrap();
        formulas.get(((row - r0) as usize, (col - c0) as usize)).cloned().unwrap_or_default()
    };
    let share_total = fx(total, share_col);
    assert!(
        share_total.starts_with("IF(SUM(") && !share_total.contains("AVERAGE"),
        "{share_total}"
    );
    assert_eq!(
        fx(total, events_col),
        format!("SUM({}:{})", a1(header + 1, events_col), a1(header + 7, events_col))
    );
}

fn a1(row: u32, col: u32) -> String {
    profplan::finding::a1(row, col)
}

#[test]
fn detail_tables_have_every_row_with_school_and_source() {
    let schools = schools();
    let mut book = Book::open(&build(&schools, None));
    let sheet = book.sheet("Т 1.6 ВсОШ");
    let header = find_row(&sheet, 0, "Код ОО");
    let expected: Vec<(String, String, f64)> = schools
        .iter()
        .flat_map(|s| {
            s.tables.get("t1_6").into_iter().flatten().map(move |r| {
                (
                    s.school_id.clone(),
                    r.values["subject"].display(),
                    r.values["participants"].num().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(expected.len(), 3);
    for (i, (id, subject, participants)) in expected.iter().enumerate() {
        let r = header + 1 + i as u32;
        assert_eq!(&s(&sheet, r, 0), id);
        assert!(!s(&sheet, r, 1).is_empty());
        assert_eq!(&s(&sheet, r, 2), subject);
        assert_eq!(f(&sheet, r, 4), *participants);
        assert!(s(&sheet, r, 7).starts_with("«1.6 ВсОШ», строка "), "{}", s(&sheet, r, 7));
    }
    assert_eq!(s(&sheet, header + 4, 1), "Итого");
    assert_eq!(f(&sheet, header + 4, 4), 27.0);

    // The views: ВсОШ by subject × stage, with totals.
    let views = book.sheet("Вид 1.6 ВсОШ");
    let title = find_row(&views, 0, "Участники ВсОШ по предметам и этапам");
    let head = title + 2;
    assert_eq!(s(&views, head, 1), "школьный");
    assert_eq!(s(&views, head, 2), "муниципальный");
    assert_eq!(s(&views, head + 1, 0), "биология");
    assert_eq!(s(&views, head + 2, 0), "физика");
    assert_eq!(f(&views, head + 2, 2), 7.0);
    assert_eq!(f(&views, head + 2, 5), 7.0, "row total");
    assert_eq!(s(&views, head + 3, 0), "Итого");
    assert_eq!(f(&views, head + 3, 5), 27.0);

    // The ranking of professions: «врач» and « Врач » are one profession.
    let prof = book.sheet("Вид 1.3 Профессии");
    let title = find_row(&prof, 0, "Наиболее часто выбираемые профессии");
    assert_eq!(s(&prof, title + 3, 0), "Врач");
    assert_eq!(f(&prof, title + 3, 1), 8.0);
}

#[test]
fn text_from_schools_stays_text() {
    let schools = schools();
    let mut book = Book::open(&build(&schools, None));
    // «Данные»: the comment starting with «=» is a string, not a formula.
    let data = book.sheet(summary::SHEET_DATA);
    let r = find_row(&data, 6, FORMULA_TEXT);
    assert_eq!(s(&data, r, 3), "p1_2_comment");
    for text in ["+7 (999) 123-45-67", "@SUM(A1:A2)", CMD_TEXT, "-Профи-"] {
        find_row(&data, 6, text);
    }
    let formulas = book.formulas(summary::SHEET_DATA);
    assert!(formulas.used_cells().all(|(_, _, fx)| fx.is_empty()), "no formulas in «Данные»");

    // Detail rows and the ranking of professions, where school text becomes row keys.
    let rows = book.sheet("Т 1.3 Профессии");
    find_row(&rows, 2, CMD_TEXT);
    let views = book.sheet("Вид 1.3 Профессии");
    find_row(&views, 0, CMD_TEXT);
    for sheet in ["Т 1.3 Профессии", "Вид 1.3 Профессии"] {
        let fx = book.formulas(sheet);
        assert!(fx.used_cells().all(|(_, _, f)| !f.contains("cmd")), "{sheet}");
    }
    // Findings: a message starting with «=» too.
    let findings = book.sheet(summary::SHEET_FINDINGS);
    find_row(&findings, 9, "=не заполнено обязательное поле");
}

#[test]
fn data_sheet_has_one_row_per_value() {
    let schools = schools();
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, CAMPAIGN).unwrap();
    // Independently: every field value, every share with a denominator > 0, every table
    // cell.
    let mut expected = 0;
    for s in &schools {
        expected += s.fields.len();
        for (_, sh) in c.shares() {
            let num = s.num(sh.numerator.text());
            let den = s.num(sh.denominator.text());
            if num.is_some() && den.is_some_and(|d| d > 0.0) {
                expected += 1;
            }
        }
        expected += s.tables.values().flatten().map(|r| r.values.len()).sum::<usize>();
    }
    let mut book = Book::open(&build(&schools, None));
    let data = book.sheet(summary::SHEET_DATA);
    let header: Vec<String> = (0..12).map(|c| s(&data, 0, c)).collect();
    assert_eq!(header, summary::data::HEADERS);
    let (last, _) = data.end().unwrap();
    assert_eq!(last as usize, expected);
    // A share row: the fraction, and its formula as the source.
    let r =
        (1..=last).find(|&r| s(&data, r, 0) == "02" && s(&data, r, 3) == "s2_1_covered").unwrap();
    assert!(close(f(&data, r, 6), 0.9));
    // A table value with its row number.
    let r = (1..=last)
        .find(|&r| {
            s(&data, r, 0) == "01" && s(&data, r, 3) == "t1_6.participants" && s(&data, r, 5) == "2"
        })
        .unwrap();
    assert_eq!(f(&data, r, 6), 20.0);
    assert_eq!(s(&data, r, 10), "строка 6");
    // The invalid school is marked.
    let r = (1..=last).find(|&r| s(&data, r, 0) == "05").unwrap();
    assert_eq!(s(&data, r, 11), "да");
}

#[test]
fn lists_name_every_school_file_and_finding() {
    let rep = report();
    let mut book = Book::open(&build(&schools(), None));
    let sources = book.sheet(summary::SHEET_SOURCES);
    for f in &rep.files {
        let r = find_row(&sources, 0, &f.path);
        assert_eq!(s(&sources, r, 9), f.sha256.to_string());
        assert_eq!(s(&sources, r, 7), f.outcome.ru());
    }
    let returns = book.sheet(summary::SHEET_RETURNS);
    for st in &rep.schools {
        let r = find_row(&returns, 0, &st.id);
        assert_eq!(s(&returns, r, 2), st.status.ru());
    }
    let r = find_row(&returns, 0, "02");
    assert_eq!(s(&returns, r, 6), "да", "late");
    assert_eq!(s(&returns, r, 4), "02.xlsx *", "time from the file system is marked");
    // 11:30 UTC is 14:30 in Moscow.
    let saved = f(&returns, r, 5);
    assert!(close(saved.fract(), 14.5 / 24.0), "{saved}");
    find_row(&returns, 4, "unknown-99.xlsx");
    find_row(&returns, 4, "broken.xlsx");
    let findings = book.sheet(summary::SHEET_FINDINGS);
    for fnd in &rep.findings {
        let r = find_row(&findings, 9, &fnd.message);
        let sev = if fnd.severity == profplan::plan::Severity::Error {
            "ошибка"
        } else {
            "предупреждение"
        };
        assert_eq!(s(&findings, r, 7), sev);
        assert_eq!(s(&findings, r, 8), fnd.code.as_str());
    }
}

#[test]
fn compare_round_trip_shows_changes_and_flags_jumps() {
    let before = schools();
    let first = build(&before, None);
    let prev = read_previous_bytes(&first, "svod-dec.xlsx").unwrap();
    assert_eq!(prev.campaign.as_deref(), Some(CAMPAIGN));
    assert_eq!(prev.num("03", "p2_1_events"), Some(12.0));
    assert_eq!(prev.rows.table_sum("01", "t1_6.participants"), Some(25.0));
    assert_eq!(prev.text("01", "p1_2_comment"), Some(FORMULA_TEXT));

    // Lyceum 3 reports four times as many events and covers everyone now.
    let mut after = before.clone();
    let s3 = after.iter_mut().find(|s| s.school_id == "03").unwrap();
    s3.fields.get_mut("p2_1_events").unwrap().value = n(48.0);
    s3.fields.get_mut("p2_1_covered").unwrap().value = n(200.0);
    let second = build(&after, Some(&prev));
    let mut book = Book::open(&second);
    let sheet = book.sheet(summary::SHEET_DISTRICT);
    let r = find_row(&sheet, 1, &plan_label("p2_1_events"));
    assert_eq!(f(&sheet, r, D_PREV), 25.0);
    assert_eq!(f(&sheet, r, D_CHANGE), 36.0);
    assert_eq!(s(&sheet, r, D_TREND), "▲ рост");
    assert_eq!(s(&sheet, r, D_FLAG), "");
    let r = find_row(&sheet, 1, &plan_label("s2_1_covered"));
    assert!(close(f(&sheet, r, D_PREV), 209.0 / 390.0));
    assert!(close(f(&sheet, r, D_CHANGE), (259.0 / 390.0 - 209.0 / 390.0) * 100.0));
    // The headline shows the same «Было» and change for the share.
    let h = find_row(&sheet, 1, &format!("2.1. {}", plan_label("s2_1_covered")));
    assert!(h < r);
    assert!(close(f(&sheet, h, D_PREV), 209.0 / 390.0));
    assert!(close(f(&sheet, h, D_CHANGE), (259.0 / 390.0 - 209.0 / 390.0) * 100.0));

    let changes = book.sheet(summary::SHEET_CHANGES);
    let label = plan_label("p2_1_events");
    let (last, _) = changes.end().unwrap();
    let row = (0..=last)
        .find(|&r| s(&changes, r, 0) == "03" && s(&changes, r, 3) == label)
        .expect("row of school 03");
    assert_eq!((f(&changes, row, 4), f(&changes, row, 5), f(&changes, row, 6)), (12.0, 48.0, 36.0));
    assert_eq!(s(&changes, row, 7), "▲ рост");
    assert_eq!(s(&changes, row, 8), "рост более чем в 3 раза");
    // A school that did not change is not flagged.
    let row =
        (0..=last).find(|&r| s(&changes, r, 0) == "01" && s(&changes, r, 3) == label).unwrap();
    assert_eq!(f(&changes, row, 6), 0.0);
    assert_eq!(s(&changes, row, 7), "= без изменений");
    assert_eq!(s(&changes, row, 8), "");
}

#[test]
fn compare_flags_implausible_district_jumps() {
    let before = schools();
    let prev = read_previous_bytes(&build(&before, None), "prev.xlsx").unwrap();
    let mut after = before.clone();
    for s in after.iter_mut() {
        if let Some(v) = s.fields.get_mut("p2_1_events") {
            v.value = n(v.value.num().unwrap() * 4.0);
        }
    }
    let mut book = Book::open(&build(&after, Some(&prev)));
    let sheet = book.sheet(summary::SHEET_DISTRICT);
    let r = find_row(&sheet, 1, &plan_label("p2_1_events"));
    assert_eq!((f(&sheet, r, D_PREV), f(&sheet, r, D_VALUE)), (25.0, 100.0));
    assert!(s(&sheet, r, D_FLAG).contains("рост более чем в 3 раза"));
}

/// `collect` reads the head of every workbook beside its output (last year's summary is
/// found that way) from the few parts it needs, not the whole file: what it says is what
/// the whole read says.
#[test]
fn the_head_of_a_summary_is_its_whole_reads_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svod-dec.xlsx");
    std::fs::write(&path, build(&schools(), None)).unwrap();
    let head = read_previous_head(&path).unwrap();
    let whole = read_previous(&path).unwrap();
    assert_eq!(head.campaign.as_deref(), Some(CAMPAIGN));
    assert_eq!(
        (&head.file, &head.campaign, &head.campaign_title, &head.generated),
        (&whole.file, &whole.campaign, &whole.campaign_title, &whole.generated)
    );
    assert_eq!((&head.plan_id, &head.plan_version), (&whole.plan_id, &whole.plan_version));
    assert_eq!(head.properties, whole.properties);
    assert!(head.properties.contains_key(summary::PROP_DATA_CHECK), "{:?}", head.properties);
    // The head has no values; the whole has them.
    assert!(head.rows.is_empty() && !whole.rows.is_empty());
    // A workbook that is not a summary is refused by the head read as by the whole.
    let other = dir.path().join("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Лист1").unwrap();
    wb.save(&other).unwrap();
    let e = read_previous_head(&other).unwrap_err();
    assert!(format!("{e:#}").contains("нет листа «Данные»"), "{e:#}");
    let text = dir.path().join("text.xlsx");
    std::fs::write(&text, "не книга").unwrap();
    let e = read_previous_head(&text).unwrap_err();
    assert!(format!("{e:#}").contains("это не книга .xlsx"), "{e:#}");
}

/// A summary named with `--compare` is read from its file as the reader goes, not loaded
/// whole; a file that is not one is refused as the read from memory refuses it, with the
/// same message: not a zip, a Word document, a zip bomb, a zip with one part twice, a cut
/// file, a workbook of another kind.
#[test]
fn the_whole_read_from_a_file_refuses_what_the_read_from_memory_refuses() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_of = |parts: &[(&str, Vec<u8>)], method| {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, data) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap().into_inner()
    };
    let stored = zip::CompressionMethod::Stored;
    let word = zip_of(&[("word/document.xml", b"<w:document/>".to_vec())], stored);
    let bomb = zip_of(
        &[("xl/workbook.xml", vec![b' '; 64 * 1024 * 1024])],
        zip::CompressionMethod::Deflated,
    );
    // Two parts, then the second renamed to the first in both of its records.
    let mut twice = zip_of(&[("xl/a.xml", b"1".to_vec()), ("xl/b.xml", b"2".to_vec())], stored);
    for i in 0..twice.len() - 8 {
        if &twice[i..i + 8] == b"xl/b.xml" {
            twice[i..i + 8].copy_from_slice(b"xl/a.xml");
        }
    }
    let summary = build(&schools(), None);
    let cut = summary[..summary.len() / 2].to_vec();
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Лист1").unwrap();
    let other = wb.save_to_buffer().unwrap();
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("text.xlsx", "не книга".as_bytes().to_vec(), "это не книга .xlsx"),
        ("spravka.xlsx", word, "документ Word"),
        ("bomb.xlsx", bomb, "архивные бомбы"),
        ("twice.xlsx", twice, "несколько частей с одним и тем же именем"),
        ("cut.xlsx", cut, "повреждён"),
        ("other.xlsx", other, "нет листа «Данные»"),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let from_file = format!("{:#}", read_previous(&path).unwrap_err());
        let shown = path.display().to_string();
        let from_memory = format!("{:#}", read_previous_bytes(&bytes, &shown).unwrap_err());
        assert_eq!(from_file, from_memory, "{name}");
        assert!(from_file.contains(says), "{name}: {from_file}");
    }
    // And a summary reads the same both ways.
    let path = dir.path().join("svod.xlsx");
    std::fs::write(&path, &summary).unwrap();
    let (a, b) =
        (read_previous(&path).unwrap(), read_previous_bytes(&summary, "svod.xlsx").unwrap());
    assert_eq!((a.rows, a.data_check, a.properties), (b.rows, b.data_check, b.properties));
}

#[test]
fn read_previous_refuses_other_workbooks() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Лист1").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let e = read_previous_bytes(&bytes, "other.xlsx").unwrap_err();
    assert!(format!("{e:#}").contains("нет листа «Данные»"), "{e:#}");
}

#[test]
fn same_input_same_bytes() {
    let a = build(&schools(), None);
    let b = build(&schools(), None);
    assert!(a == b, "two runs differ");
    let prev = read_previous_bytes(&a, "prev.xlsx").unwrap();
    assert!(build(&schools(), Some(&prev)) == build(&schools(), Some(&prev)));
}

#[test]
fn empty_district_still_makes_a_summary() {
    let bytes = build(&[], None);
    let mut book = Book::open(&bytes);
    let sheet = book.sheet(summary::SHEET_DISTRICT);
    let r = find_row(&sheet, 1, &plan_label("s2_1_covered"));
    assert_eq!(f(&sheet, r, D_DEN), 0.0);
    assert_eq!(s(&sheet, r, D_VALUE), "");
    let prev = read_previous_bytes(&bytes, "empty.xlsx").unwrap();
    assert!(prev.rows.is_empty());
}

/// Runs soffice headless with its own profile; None when it is not installed (a failure
/// on CI, where it must be).
fn soffice(args: &[&str], dir: &std::path::Path, input: &std::path::Path) -> Option<()> {
    let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(soffice) = soffice else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("soffice is not installed");
        }
        eprintln!("note: soffice not installed, LibreOffice round trip not checked");
        return None;
    };
    let profile = dir.join("lo-profile");
    let out = std::process::Command::new(soffice)
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(args)
        .arg("--outdir")
        .arg(dir)
        .arg(input)
        .output()
        .unwrap();
    assert!(out.status.success(), "soffice failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(())
}

/// A methodologist may open last term's summary in LibreOffice and save it again before
/// comparing: `--compare` still reads the same values.
#[test]
fn compare_reads_a_summary_resaved_by_libreoffice() {
    let bytes = build(&schools(), None);
    let original = read_previous_bytes(&bytes, "svod.xlsx").unwrap();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let xlsx = src.path().join("svod.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    if soffice(&["--convert-to", "xlsx:Calc MS Excel 2007 XML"], out.path(), &xlsx).is_none() {
        return;
    }
    let resaved = summary::read_previous(&out.path().join("svod.xlsx")).unwrap();
    // Every row of «Данные» read back the same: schools, codes, table rows, values.
    assert_eq!(resaved.rows, original.rows);
    assert!(!original.rows.is_empty());
    assert_eq!(resaved.file, "svod.xlsx");
}

/// LibreOffice opens the summary and prints it. Set `PROFPLAN_KEEP_PDF=dir` to keep the PDF
/// (and PNG pages, when pdftoppm is installed) for a look.
#[test]
fn summary_converts_to_pdf_with_libreoffice() {
    let before = schools();
    let prev = read_previous_bytes(&build(&before, None), "svod-dec.xlsx").unwrap();
    let bytes = build(&before, Some(&prev));
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("svod.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    if soffice(&["--convert-to", "pdf"], dir.path(), &xlsx).is_none() {
        return;
    }
    let pdf = dir.path().join("svod.pdf");
    let pdf_bytes = std::fs::read(&pdf).expect("no PDF written");
    assert!(pdf_bytes.len() > 10_000 && pdf_bytes.starts_with(b"%PDF"), "PDF is empty");
    if let Ok(keep) = std::env::var("PROFPLAN_KEEP_PDF") {
        let keep = std::path::Path::new(&keep);
        std::fs::create_dir_all(keep).unwrap();
        std::fs::copy(&pdf, keep.join("svod.pdf")).unwrap();
        std::fs::copy(&xlsx, keep.join("svod.xlsx")).unwrap();
        let _ = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "50"])
            .arg(keep.join("svod.pdf"))
            .arg(keep.join("page"))
            .status();
    }
}
