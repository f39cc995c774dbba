//! Issue 9, through the command line: every status and every figure right — the district's
//! time zone, LibreOffice's ambiguous .xlsx times, late counts, ties, shares of 0 of 0,
//! a school that sent only another campaign's form, `--as-of` choosing the campaign, the
//! filler fields, and plan mistakes found when the plan loads.

use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use profplan::plan::campaign::Campaign;
use profplan::schools::School;
use profplan::summary::{SHEET_DISTRICT, SHEET_RETURNS, SHEET_SCHOOLS, SHEET_SHARES};
use profplan::synth::{fill, Defect, FillValue};
use serde_json::Value;

use crate::cli::Cli;
use crate::common::*;
use crate::lo::{soffice, uno_python};

const CAMPAIGN: &str = "2025-12-20";
const AFTER: &str = "2025-12-25";
const SEED: u64 = 9;

/// A clean return saved at `utc` (`YYYY-MM-DD HH:MM`, UTC).
fn saved(s: &School, utc: &str) -> Vec<u8> {
    filled(&campaign(), s, &fill(&campaign(), s, SEED, None), at(utc))
}

fn school<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["schools"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()
}

fn codes<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

fn json(out: &crate::cli::Run) -> Value {
    out.json()
}

/// `profplan check` run inside the working folder (so its profplan.toml is read).
fn check_here(w: &Workdir, args: &[&str]) -> crate::cli::Run {
    Cli::new().in_dir(w.path()).cmd("check").args(args).run()
}

fn settings(w: &Workdir, extra: &str) {
    std::fs::write(
        w.path().join("profplan.toml"),
        format!(
            "schools = \"schools.csv\"\ncampaign = \"{CAMPAIGN}\"\nreturns = \"returns\"\n{extra}"
        ),
    )
    .unwrap();
}

/// An .xlsx as LibreOffice writes it: `Application` LibreOffice, and `dcterms:modified`
/// = `text` (LibreOffice 7.4 writes the local wall time there and marks it `Z`).
fn as_libreoffice(bytes: &[u8], modified: &str) -> Vec<u8> {
    let core = part_text(bytes, "docProps/core.xml");
    let start = core.find("<dcterms:modified").unwrap();
    let close = start + core[start..].find("</dcterms:modified>").unwrap();
    let open_end = start + core[start..close].find('>').unwrap() + 1;
    let b = replace_in_part(
        bytes,
        "docProps/core.xml",
        &core[start..close],
        &format!("{}{modified}", &core[start..open_end]),
    );
    let app = part_text(&b, "docProps/app.xml");
    let s = app.find("<Application>").unwrap() + "<Application>".len();
    let e = app.find("</Application>").unwrap();
    replace_in_part(
        &b,
        "docProps/app.xml",
        &app[s - "<Application>".len()..e],
        "<Application>LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2",
    )
}

// ================================================================== time zone

/// The deadline day ends at midnight in the district's zone (`timezone` in
/// profplan.toml); the saved time is shown, in text and JSON, in that zone.
#[test]
fn timezone_setting_moves_the_end_of_the_deadline_day() {
    let (w, s) = district(1);
    // 19:30 UTC on the deadline day: 22:30 in Moscow (on time), 00:30 in Yekaterinburg.
    w.put(&file_name(&s[0]), &saved(&s[0], "2025-12-20 19:30"));

    settings(&w, "");
    let r = json(&check_here(&w, &["--format", "json", "--as-of", AFTER]));
    assert_eq!(r["timezone"], "Europe/Moscow");
    assert_eq!(school(&r, "01")["late"], false);
    assert_eq!(school(&r, "01")["saved_at"], "2025-12-20T22:30:00+03:00");

    settings(&w, "timezone = \"Asia/Yekaterinburg\"\n");
    let out = check_here(&w, &["--format", "json", "--as-of", AFTER]);
    let r = json(&out);
    assert_eq!(r["timezone"], "Asia/Yekaterinburg");
    assert_eq!(school(&r, "01")["late"], true);
    assert_eq!(school(&r, "01")["saved_at"], "2025-12-21T00:30:00+05:00");
    assert_eq!(r["files"][0]["saved_at"], "2025-12-21T00:30:00+05:00");
    let late = codes(&r, "late");
    assert_eq!(late.len(), 1);
    assert_eq!(
        late[0]["message"],
        "отчёт сохранён 21.12.2025 00:30 (МСК+2), после срока 20.12.2025"
    );
    assert_eq!(out.code, 0, "late but accepted");
}

#[test]
fn a_timezone_outside_russia_or_unknown_is_refused_with_its_line() {
    let (w, _) = district(1);
    settings(&w, "timezone = \"Europe/London\"\n");
    let out = check_here(&w, &["--as-of", AFTER]);
    assert_eq!(out.code, 2);
    let e = out.stderr.clone();
    assert!(e.contains("profplan.toml, строка 4"), "{e}");
    assert!(e.contains("«Europe/London» (UTC+0) — не пояс России"), "{e}");
    settings(&w, "timezone = \"МСК\"\n");
    let out = check_here(&w, &["--as-of", AFTER]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("часовой пояс «МСК» не найден"), "{}", out.stderr);
}

/// LibreOffice's `Z`-marked .xlsx time is UTC or local wall time: late only when late
/// under both readings; when the readings straddle the deadline, on time and said so.
#[test]
fn libreoffice_xlsx_time_never_makes_an_on_time_return_late_without_saying_why() {
    let (w, s) = district(4);
    let cases = [
        ("2025-12-20T20:59:00Z", false, false), // 20:59 or 23:59 МСК: on time either way
        ("2025-12-20T21:30:00Z", false, true),  // 21:30 or 00:30: uncertain, on time
        ("2025-12-20T23:59:00Z", false, true),  // 23:59 or 02:59: uncertain, on time
        ("2025-12-21T00:01:00Z", true, false),  // 00:01 or 03:01: late either way
    ];
    for (i, (t, _, _)) in cases.iter().enumerate() {
        w.put(&file_name(&s[i]), &as_libreoffice(&saved(&s[i], "2025-12-19 09:30"), t));
    }
    let (code, r) = check_json(&w, CAMPAIGN, AFTER);
    assert_eq!(code, 0, "all accepted");
    for (i, (t, late, uncertain)) in cases.iter().enumerate() {
        let id = &s[i].id;
        assert_eq!(school(&r, id)["late"], *late, "{t}");
        let u: Vec<&Value> =
            codes(&r, "saved_time_uncertain").into_iter().filter(|f| f["school"] == *id).collect();
        assert_eq!(u.len(), usize::from(*uncertain), "{t}");
        // The earlier reading is shown: LibreOffice's wall time, in Moscow.
        let wall = &t[..19];
        assert_eq!(school(&r, id)["saved_at"], format!("{wall}+03:00"), "{t}");
    }
    let u = codes(&r, "saved_time_uncertain");
    assert_eq!(u[0]["severity"], "warning");
    assert_eq!(
        u[0]["message"],
        "время сохранения нельзя проверить: файл .xlsx сохранён в LibreOffice, который \
         записывает местное время с пометкой UTC, поэтому это 20.12.2025 21:30 или 21.12.2025 \
         00:30 (МСК); срок 20.12.2025 — отчёт считается сданным вовремя. Если опоздание \
         важно, уточните у школы время отправки (например, по письму)"
    );
    assert_eq!(r["files"][1]["saved_at_other"], "2025-12-21T00:30:00+03:00");
    let late = codes(&r, "late");
    assert_eq!(late.len(), 1);
    assert!(
        late[0]["message"].as_str().unwrap().contains("21.12.2025 00:01 или 21.12.2025 03:01"),
        "{}",
        late[0]["message"]
    );
    // The same text written by Excel is an instant: 21:30 UTC is 00:30 МСК, late.
    let (w2, s2) = district(1);
    let excel = replace_in_part(
        &as_libreoffice(&saved(&s2[0], "2025-12-19 09:30"), "2025-12-20T21:30:00Z"),
        "docProps/app.xml",
        "LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2",
        "Microsoft Excel",
    );
    w2.put(&file_name(&s2[0]), &excel);
    let (_, r2) = check_json(&w2, CAMPAIGN, AFTER);
    assert_eq!(school(&r2, "01")["late"], true);
    assert!(codes(&r2, "saved_time_uncertain").is_empty());
}

// ================================================================== statuses

/// Point 2: a late return with errors is counted (and named) with the returns with
/// errors, not as «принято … с опозданием»; the JSON counts agree with the text.
/// Point 3: with --include-invalid its late mark stays in «По школам».
#[test]
fn late_counts_are_parts_of_their_own_status() {
    let (w, s) = district(3);
    let c = campaign();
    w.put(&file_name(&s[0]), &saved(&s[0], "2025-12-21 10:00")); // late, accepted
    let bad = fill(&c, &s[1], SEED, Some(Defect::RuleBroken));
    w.put(&file_name(&s[1]), &filled(&c, &s[1], &bad, at("2025-12-21 10:00"))); // late, errors
    w.put(&file_name(&s[2]), &saved(&s[2], "2025-12-19 10:00"));
    let (_, r) = check_json(&w, CAMPAIGN, AFTER);
    assert_eq!(school(&r, "02")["status"], "invalid");
    assert_eq!(school(&r, "02")["late"], true);
    let accepted_late = r["schools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "accepted" && s["late"] == true)
        .count();
    assert_eq!(r["counts"]["late"], accepted_late);
    assert_eq!(r["counts"]["late"], 1);
    assert_eq!(r["counts"]["invalid_late"], 1);
    let text = check(&w, CAMPAIGN, &["--as-of", AFTER]).stdout;
    assert!(
        text.contains(
            "принято: 2 (из них с опозданием: 1) · с ошибками: 1 (из них с опозданием: 1)"
        ),
        "{text}"
    );

    let out = w.path().join("svod.xlsx");
    let o = collect(&w, &out, &["--include-invalid"]);
    assert!(o.code == 1, "{}", o.stderr);
    let returns = sheet(&out, SHEET_RETURNS);
    let head = cell(&returns, 1, 0);
    let name = |i: usize| s[i].short_name.clone();
    assert!(head.contains(&format!("с опозданием 1: {}", name(0))), "{head}");
    assert!(head.contains(&format!("с ошибками 1: {} (с опозданием)", name(1))), "{head}");
    let by_school = sheet(&out, SHEET_SCHOOLS);
    let row = find_row(&by_school, 0, "02");
    assert_eq!(cell(&by_school, row, 2), "с ошибками, с опозданием, включён в свод");
}

/// Point 4: two returns saved in the same second: the tie is broken by name, and said so.
#[test]
fn duplicate_returns_saved_at_the_same_time_say_the_tie() {
    let (w, s) = district(1);
    let b = saved(&s[0], "2025-12-19 10:00");
    w.put("01_a.xlsx", &b);
    w.put("01_b.xlsx", &b);
    let (_, r) = check_json(&w, CAMPAIGN, AFTER);
    assert_eq!(school(&r, "01")["file"], "01_b.xlsx");
    let old = r["files"].as_array().unwrap().iter().find(|f| f["path"] == "01_a.xlsx").unwrap();
    assert_eq!(
        old["reason"],
        "заменён файлом 01_b.xlsx: оба сохранены в одно время, взят последний по имени файла"
    );
    let d = codes(&r, "duplicate_return");
    assert!(
        d[0]["message"].as_str().unwrap().contains(
            "в работу взят последний по имени файла (файлы сохранены в одно время) — 01_b.xlsx"
        ),
        "{}",
        d[0]["message"]
    );
}

/// Point 7: a school whose only file is another campaign's form is «не сдан», and
/// «Сдача отчётов» names the file and why it is not used.
#[test]
fn a_school_with_only_another_campaigns_form_is_told_about_it() {
    let (w, s) = district(2);
    w.put(&file_name(&s[0]), &saved(&s[0], "2025-12-19 10:00"));
    let may = Campaign::parse(plan(), "2026-05-25").unwrap();
    let f = fill(&may, &s[1], SEED, None);
    w.put("02_май.xlsx", &filled(&may, &s[1], &f, at("2025-12-19 10:00")));
    let out = w.path().join("svod.xlsx");
    let o = collect(&w, &out, &[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let returns = sheet(&out, SHEET_RETURNS);
    let row = find_row(&returns, 0, "02");
    assert_eq!(cell(&returns, row, 2), "не сдан");
    let others = cell(&returns, row, 9);
    assert!(
        others.starts_with(
            "02_май.xlsx — не используется: форма другой отчётной кампании (срок 25.05.2026)"
        ),
        "{others}"
    );
}

/// Point 8: with --as-of and no campaign named, the campaign is chosen by that date.
#[test]
fn as_of_chooses_the_campaign() {
    let (w, s) = district(1);
    w.put(&file_name(&s[0]), &saved(&s[0], "2025-12-19 10:00"));
    let run = |as_of: &str| {
        let out =
            w.cli().cmd("check").returns("returns").args(["--format", "json"]).today(as_of).run();
        (json(&out), out.stderr)
    };
    let (r, e) = run("2026-01-10");
    assert_eq!(r["campaign"]["id"], "2026-05-25", "{e}");
    assert_eq!(r["as_of"], "2026-01-10");
    assert!(e.contains("2026-05-25"), "{e}");
    let (r, _) = run("2025-12-01");
    assert_eq!(r["campaign"]["id"], "2025-12-20");
    assert_eq!(school(&r, "01")["status"], "accepted");
}

/// Point 9: the filler fields (ФИО, должность, телефон) are required, as a warning: a
/// blank phone is named, the return is accepted.
#[test]
fn a_blank_filler_phone_is_a_required_warning_and_the_return_is_accepted() {
    let (w, s) = district(1);
    let c = campaign();
    let mut f = fill(&c, &s[0], SEED, None);
    assert!(f.values.remove("meta_phone").is_some());
    w.put(&file_name(&s[0]), &filled(&c, &s[0], &f, at("2025-12-19 10:00")));
    let (code, r) = check_json(&w, CAMPAIGN, AFTER);
    assert_eq!(code, 0);
    assert_eq!(school(&r, "01")["status"], "accepted");
    let req = codes(&r, "required");
    assert_eq!(req.len(), 1);
    assert_eq!(req[0]["severity"], "warning");
    assert_eq!(req[0]["field"], "meta_phone");
    assert!(
        req[0]["message"].as_str().unwrap().starts_with("не заполнено «Контактный телефон»"),
        "{}",
        req[0]["message"]
    );
}

// ================================================================== figures

/// Point 5: every school sharing the lowest or highest value is named.
/// Point 6: a school that reported 0 of 0 is «доля не применима», not «нет данных».
#[test]
fn ties_name_every_school_and_zero_of_zero_is_not_no_data() {
    let (w, s) = district(3);
    let c = campaign();
    // Schools 1 and 2 send the same values: every extreme they reach is a tie.
    let same = fill(&c, &s[0], SEED, None);
    w.put(&file_name(&s[0]), &filled(&c, &s[0], &same, at("2025-12-19 10:00")));
    w.put(&file_name(&s[1]), &filled(&c, &s[1], &same, at("2025-12-19 10:00")));
    // School 3: the share of trained teachers (6.2) at 0 of 0 — no teachers counted.
    let (_, share) =
        *c.shares().iter().find(|(_, sh)| sh.denominator.text() == "oo_teachers").unwrap();
    let mut zero = fill(&c, &s[2], SEED + 1, None);
    for side in [&share.numerator, &share.denominator] {
        for code in side.expr().fields() {
            zero.values.insert(code.to_string(), FillValue::Num(0.0));
        }
    }
    w.put(&file_name(&s[2]), &filled(&c, &s[2], &zero, at("2025-12-19 10:00")));
    let out = w.path().join("svod.xlsx");
    let o = collect(&w, &out, &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout.clone(), o.stderr);

    let both = format!("{}, {}", s[0].short_name, s[1].short_name);
    let district = sheet(&out, SHEET_DISTRICT);
    let mut tied = 0;
    for r in 0..district.height() as u32 {
        for col in [8, 10] {
            if cell(&district, r, col) == both {
                tied += 1;
            }
        }
    }
    assert!(tied > 0, "no extreme names both tied schools");

    let shares = sheet(&out, SHEET_SHARES);
    let expected =
        format!("Доля не применима (знаменатель 0, отчёт сдан): {} (0 из 0)", s[2].short_name);
    let all: Vec<String> = (0..shares.height() as u32).map(|r| cell(&shares, r, 0)).collect();
    assert!(all.contains(&expected), "{all:#?}");
    assert!(!all.iter().any(|t| t.starts_with("Нет данных") && t.contains(&s[2].short_name)));
}

// ================================================================== plan errors

/// Point 10: a view that names no column, or sums nothing, is refused when the plan
/// loads — `profplan plan` and `collect` alike exit 2 with the line.
#[test]
fn plan_views_are_checked_when_the_plan_loads() {
    let text = profplan::plan::DEFAULT_PLAN_TOML;
    let first_view = text.find("[[section.item.table.view]]").expect("the plan has a view");
    // Messages name the line of the view's header.
    let line = text[..first_view].matches('\n').count() + 1;
    let values_line = line;
    let rows_at = first_view + text[first_view..].find("rows = \"").unwrap();
    let rows_end = rows_at + text[rows_at..].find('\n').unwrap();
    let values_at = first_view + text[first_view..].find("values = [").unwrap();
    let values_end = values_at + text[values_at..].find('\n').unwrap();
    let cases = [
        (
            format!("{}rows = \"nope\"{}", &text[..rows_at], &text[rows_end..]),
            line,
            "rows = \"nope\" — такого столбца в таблице нет",
        ),
        (
            format!("{}values = []{}", &text[..values_at], &text[values_end..]),
            values_line,
            "values = [] — укажите хотя бы один числовой столбец",
        ),
    ];
    let (w, _) = district(1);
    for (plan_text, line, part) in cases {
        let p = w.path().join("plan.toml");
        std::fs::write(&p, &plan_text).unwrap();
        for args in [vec!["plan"], vec!["collect", "returns", "--out", "s.xlsx"]] {
            let out = w.cli().plan("plan.toml").campaign(CAMPAIGN).args(&args).run();
            let e = out.stderr.clone();
            assert_eq!(out.code, 2, "{args:?}: {e}");
            assert!(e.contains(&format!("plan.toml, строка {line}: вид")), "{e}");
            assert!(e.contains(part), "{e}");
        }
    }
}

// ------------------------------------------------------------------ helpers

fn collect(w: &Workdir, out: &Path, extra: &[&str]) -> crate::cli::Run {
    w.cli()
        .campaign(CAMPAIGN)
        .cmd("collect")
        .returns("returns")
        .today(AFTER)
        .args(["--force", "--out"])
        .arg(out)
        .args(extra)
        .run()
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn find_row(r: &Range<Data>, col: u32, text: &str) -> u32 {
    (0..r.end().map(|e| e.0 + 1).unwrap_or(0))
        .find(|&row| cell(r, row, col) == text)
        .unwrap_or_else(|| panic!("no «{text}» in column {col}"))
}

// ================================================================== really saved by LibreOffice

/// libfaketime, which makes LibreOffice save at a chosen wall-clock time (Debian package
/// `faketime`, installed by .ci/run). Without it: a failure when `CI=true`, else `None`.
fn libfaketime() -> Option<std::path::PathBuf> {
    let found = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
    ]
    .iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("libfaketime не найден, а CI=true: установите пакет faketime");
        }
        eprintln!(
            "note: libfaketime не найден — проверка времени сохранения LibreOffice пропущена"
        );
    }
    found
}

/// Forms saved by LibreOffice 7.4 (through UNO, tests/lo/fill.py) as .xlsx and .ods, with
/// the computer's zone set to Moscow and to UTC, at 20:59, 21:30 and 23:59 on the deadline
/// day and 00:01 after it by the computer's clock (libfaketime; its clock runs at a tenth
/// of real speed so that the save lands within a second of the chosen minute).
///
/// LibreOffice writes its wall-clock time in both formats (.xlsx: marked `Z`; .ods: no
/// zone), so the outcome follows the clock the school saw, whatever the zone setting:
/// .ods is read as district wall time; .xlsx is ambiguous — on time at 20:59, on time with
/// `saved_time_uncertain` at 21:30 and 23:59, late at 00:01.
#[test]
fn returns_really_saved_by_libreoffice_at_the_deadline() {
    let (Some(_office), Some(faketime)) = (soffice(), libfaketime()) else { return };
    let clocks = [
        "2025-12-20 20:59:00",
        "2025-12-20 21:30:00",
        "2025-12-20 23:59:00",
        "2025-12-21 00:01:00",
    ];
    let zones = ["Europe/Moscow", "UTC"];
    let n = clocks.len() * zones.len() * 2;
    let (w, s) = district(n);
    let scratch = tempfile::tempdir().unwrap();
    // (school index, zone, clock, format)
    let mut cases = Vec::new();
    let mut runs = Vec::new();
    for (zi, zone) in zones.iter().enumerate() {
        for (ci, clock) in clocks.iter().enumerate() {
            let run = scratch.path().join(format!("run{zi}{ci}"));
            std::fs::create_dir_all(&run).unwrap();
            let mut outputs = Vec::new();
            let mut jobs = Vec::new();
            for (fi, format) in ["xlsx", "ods"].iter().enumerate() {
                let i = (zi * clocks.len() + ci) * 2 + fi;
                let input = run.join(format!("in{fi}.xlsx"));
                std::fs::write(&input, saved(&s[i], "2025-12-01 09:00")).unwrap();
                let out = w.returns().join(format!("{}.{format}", s[i].id));
                jobs.push(serde_json::json!({
                    "input": input,
                    "values": {"PP_meta_fio": "Иванова Ирина Петровна"},
                    "outputs": [{"path": out, "format": format}],
                }));
                outputs.push(out);
                cases.push((i, *zone, *clock, *format));
            }
            let jobs_path = run.join("jobs.json");
            std::fs::write(
                &jobs_path,
                serde_json::to_vec(&serde_json::json!({ "jobs": jobs })).unwrap(),
            )
            .unwrap();
            runs.push((jobs_path, zone.to_string(), format!("@{clock} x0.1"), outputs));
        }
    }
    // Two LibreOffice starts at a time: each has its own clock.
    for pair in runs.chunks(2) {
        let handles: Vec<_> = pair
            .iter()
            .map(|(jobs, zone, fake, _)| {
                let (jobs, zone, fake, faketime) =
                    (jobs.clone(), zone.clone(), fake.clone(), faketime.clone());
                std::thread::spawn(move || {
                    std::process::Command::new(uno_python())
                        .arg(root().join("tests/lo/fill.py"))
                        .arg(&jobs)
                        .env("TZ", zone)
                        .env("FAKETIME", fake)
                        .env("LD_PRELOAD", faketime)
                        .output()
                        .unwrap()
                })
            })
            .collect();
        for (h, (_, _, _, outputs)) in handles.into_iter().zip(pair) {
            let out = h.join().unwrap();
            assert!(out.status.success(), "fill.py: {}", String::from_utf8_lossy(&out.stderr));
            for o in outputs {
                assert!(o.is_file(), "LibreOffice did not write {}", o.display());
            }
        }
    }

    let (_, r) = check_json(&w, CAMPAIGN, AFTER);
    for (i, zone, clock, format) in cases {
        let id = &s[i].id;
        let what = format!("{format}, TZ={zone}, clock {clock}");
        let st = school(&r, id);
        assert_eq!(st["status"], "accepted", "{what}: {st:#}");
        let after = clock.starts_with("2025-12-21");
        assert_eq!(st["late"], after, "{what}: {st:#}");
        // The time shown is the clock the school saw, in the district's offset.
        let shown = st["saved_at"].as_str().unwrap();
        assert!(shown.starts_with(&clock[..16].replace(' ', "T")), "{what}: {shown}");
        assert!(shown.ends_with("+03:00"), "{what}: {shown}");
        let uncertain = codes(&r, "saved_time_uncertain").iter().any(|f| f["school"] == *id);
        let expect_uncertain = format == "xlsx" && !after && clock >= "2025-12-20 21:00";
        assert_eq!(uncertain, expect_uncertain, "{what}");
    }
}
