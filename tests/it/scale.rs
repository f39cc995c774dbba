//! A summary usable at every district size (issue 13, target 6), through the CLI:
//!
//! - «Данные» past a sheet's row limit goes on in «Данные 2», …: the split summary holds
//!   the same rows, and `--compare` and `region` read it back with the same figures as the
//!   unsplit one. The limit is lowered for the test through a test-only variable; users
//!   always get Excel's 1 048 576 rows (a unit test in `summary::data` pins that).
//! - «Доли по школам» of a large district (more than 40 schools) shows the 15 lowest and
//!   15 highest schools and the distribution of all schools by share, not a bar per
//!   school; a small district keeps its bar per school.
//! - Lists of schools by name (late, missing, tied at an extreme) stop after
//!   `ru::NAMES_SHOWN` names and say how many more there are and where all of them are —
//!   on «Свод по району», «Сдача отчётов» and in the analytic note.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, SheetVisible, Xlsx};
use profplan::form::fill::FillValue;
use profplan::plan::campaign::Campaign;
use profplan::plan::{Plan, Share};
use profplan::schools::School;
use profplan::summary::data::{range_name, sheet_name, HEADERS, TEST_ROWS_ENV};
use profplan::summary::{SHEET_DATA, SHEET_DISTRICT, SHEET_REGION, SHEET_RETURNS, SHEET_SHARES};
use profplan::synth::{fill, Fill};

use crate::cli::Cli;
use crate::common::*;
use crate::support::part_text as part;

const DEC: &str = "2025-12-20";

/// A district's work folder: `n` schools, every one with a return before the deadline.
struct District {
    dir: tempfile::TempDir,
    fills: BTreeMap<String, Fill>,
}

/// A folder with a registry of `n` test schools (`schools.csv`) and an empty `returns`.
fn registry_folder(n: usize) -> (tempfile::TempDir, Vec<School>) {
    let dir = tempfile::Builder::new().prefix("profplan-scale-").tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("returns")).unwrap();
    let schools: Vec<School> = (1..=n).map(test_school).collect();
    write_registry(&dir.path().join("schools.csv"), &schools, &Plan::default_plan());
    (dir, schools)
}

fn district(n: usize, seed: u64) -> District {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, DEC).unwrap();
    let (dir, schools) = registry_folder(n);
    std::fs::write(
        dir.path().join("profplan.toml"),
        "schools = \"schools.csv\"\ndistrict = \"A\"\ndistrict_name = \"Альфинский район\"\n",
    )
    .unwrap();
    let mut fills = BTreeMap::new();
    for s in &schools {
        let f = fill(&c, s, seed, None);
        std::fs::write(
            dir.path().join("returns").join(file_name(s)),
            filled(&c, s, &f, at("2025-12-19 10:00")),
        )
        .unwrap();
        fills.insert(s.id.clone(), f);
    }
    District { dir, fills }
}

/// `profplan collect` in the district's folder; `rows`: the test-only rows per «Данные» sheet.
fn collect(d: &District, out: &Path, rows: Option<usize>, extra: &[&str]) {
    let mut cli = Cli::new()
        .in_dir(d.dir.path())
        .args(["--campaign", DEC, "collect", "returns", "--as-of", "2025-12-25", "--no-note"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove(TEST_ROWS_ENV);
    if let Some(n) = rows {
        cli = cli.env(TEST_ROWS_ENV, n.to_string());
    }
    cli.run().success();
}

/// Every cell of a sheet as text, row by row (absolute positions).
fn grid(r: &Range<Data>) -> Vec<Vec<String>> {
    let Some((h, w)) = r.end() else { return Vec::new() };
    (0..=h).map(|row| (0..=w).map(|col| cell(r, row, col)).collect()).collect()
}

fn custom_property(path: &Path, name: &str) -> String {
    let bytes = std::fs::read(path).unwrap();
    let xml = part(&bytes, "docProps/custom.xml");
    let i = xml.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no {name}"));
    let v = &xml[i..];
    let v = &v[v.find("<vt:lpwstr>").unwrap() + 11..];
    v[..v.find("</vt:lpwstr>").unwrap()].to_string()
}

#[test]
fn a_long_table_split_into_sheets_is_read_back_with_equal_figures() {
    let d = district(12, 5);
    let whole = d.dir.path().join("whole.xlsx");
    let split = d.dir.path().join("split.xlsx");
    collect(&d, &whole, None, &[]);
    // About 46 rows a school: 100 rows a sheet makes several sheets of two schools each.
    collect(&d, &split, Some(100), &[]);

    split_sheets_hold_the_same_rows(&whole, &split);
    compare_reads_the_split_as_the_whole(&d, &whole, &split);
    region_reads_the_split_as_the_whole(&d, &whole, &split);
}

/// «Данные», «Данные 2», … each at most 100 data rows under the same header, hidden,
/// saying what it is; a school on one sheet only; together the rows of the whole sheet.
fn split_sheets_hold_the_same_rows(whole: &Path, split: &Path) {
    let mut wa: Xlsx<_> = open_workbook(whole).unwrap();
    let mut wb: Xlsx<_> = open_workbook(split).unwrap();
    assert_eq!(wa.sheet_names().iter().filter(|s| s.starts_with(SHEET_DATA)).count(), 1);
    let a = wa.worksheet_range(SHEET_DATA).unwrap();
    let a_rows = grid(&a);
    assert!(a_rows.len() > 12 * 30, "{} rows", a_rows.len());
    assert_eq!(a_rows[0][..12], HEADERS.map(String::from));

    let names = wb.sheet_names();
    let sheets: Vec<String> = (0..).map(sheet_name).take_while(|n| names.contains(n)).collect();
    assert!(sheets.len() >= 5, "{sheets:?}");
    assert_eq!(names.iter().filter(|s| s.starts_with(SHEET_DATA)).count(), sheets.len());
    let hidden: BTreeSet<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|m| m.visible != SheetVisible::Visible)
        .map(|m| m.name.clone())
        .collect();
    let mut joined: Vec<Vec<String>> = Vec::new();
    let mut school_sheet: BTreeMap<String, usize> = BTreeMap::new();
    for (i, name) in sheets.iter().enumerate() {
        assert!(hidden.contains(name), "{name} is visible");
        let r = wb.worksheet_range(name).unwrap();
        let g = grid(&r);
        assert!(g.len() - 1 <= 100, "{name}: {} rows", g.len());
        assert_eq!(g[0][..12], a_rows[0][..12], "{name}: header");
        let note = &g[0][13];
        assert!(note.contains(&format!("Лист {} из {}", i + 1, sheets.len())), "{note}");
        assert!(note.contains("1\u{a0}048\u{a0}576 строк"), "{note}");
        if i + 1 < sheets.len() {
            assert!(note.contains(&format!("Продолжение — на листе «{}»", sheets[i + 1])));
        }
        for row in &g[1..] {
            let at = *school_sheet.entry(row[0].clone()).or_insert(i);
            assert_eq!(at, i, "school {} on two sheets", row[0]);
            joined.push(row[..12].to_vec());
        }
    }
    let a_data: Vec<Vec<String>> = a_rows[1..].iter().map(|r| r[..12].to_vec()).collect();
    assert_eq!(joined, a_data);
    named_and_filtered(whole, &[SHEET_DATA.to_string()], &[a_rows.len()]);
    let rows: Vec<usize> =
        sheets.iter().map(|n| grid(&wb.worksheet_range(n).unwrap()).len()).collect();
    named_and_filtered(split, &sheets, &rows);
    // The data check (what `region` trusts) is the same.
    let check = custom_property(whole, "profplan.data_check");
    assert_eq!(custom_property(split, "profplan.data_check"), check);
}

/// Each sheet of the long table (header and data rows: `rows`) is named by its defined
/// name «ProfplanData», «ProfplanData2», … — a pivot table's source — and filtered over
/// the same range; no Excel table (its per-cell overlap map was most of `collect`'s memory).
fn named_and_filtered(book: &Path, sheets: &[String], rows: &[usize]) {
    let bytes = std::fs::read(book).unwrap();
    let x: Xlsx<_> = open_workbook(book).unwrap();
    let names: BTreeMap<String, String> = x.defined_names().iter().cloned().collect();
    let wbxml = part(&bytes, "xl/workbook.xml");
    for (i, (sheet, n)) in sheets.iter().zip(rows).enumerate() {
        let range = format!("$A$1:$L${n}");
        assert_eq!(names.get(&range_name(i)), Some(&format!("'{sheet}'!{range}")), "{sheet}");
        let filter = format!("hidden=\"1\">{}!{range}</definedName>", sheet_ref(sheet));
        assert!(wbxml.contains(&filter), "{sheet}: no autofilter {filter} in {wbxml}");
    }
    assert!(!crate::support::entries(&bytes).iter().any(|(n, _)| n.starts_with("xl/tables/")));
}

/// A sheet name as Excel writes it in a reference: quoted when it has a space.
fn sheet_ref(sheet: &str) -> String {
    if sheet.contains(' ') {
        format!("'{sheet}'")
    } else {
        sheet.to_string()
    }
}

/// `--compare` with either gives the same «Свод по району», «Было» filled for the figures
/// and no change.
fn compare_reads_the_split_as_the_whole(d: &District, whole: &Path, split: &Path) {
    // (Under one file name: the summary names the file it compares with.)
    let named = |file: &Path, tag: &str| {
        let dir = d.dir.path().join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(file, dir.join("prev.xlsx")).unwrap();
        dir.join("prev.xlsx")
    };
    let (pa, pb) = (named(whole, "a"), named(split, "b"));
    let ca = d.dir.path().join("compare-whole.xlsx");
    let cb = d.dir.path().join("compare-split.xlsx");
    collect(d, &ca, None, &["--compare", pa.to_str().unwrap()]);
    collect(d, &cb, None, &["--compare", pb.to_str().unwrap()]);
    let mut xa: Xlsx<_> = open_workbook(&ca).unwrap();
    let mut xb: Xlsx<_> = open_workbook(&cb).unwrap();
    let sa = xa.worksheet_range(SHEET_DISTRICT).unwrap();
    let sb = xb.worksheet_range(SHEET_DISTRICT).unwrap();
    assert_eq!(grid(&sa), grid(&sb));
    let (h, w) = sa.end().unwrap();
    let was_col = |r: u32| (0..=w).find(|&c| cell(&sa, r, c).starts_with("Было"));
    let head = (0..=h).rev().find(|&r| was_col(r).is_some()).unwrap();
    let was = was_col(head).unwrap();
    let change = (0..=w).find(|&c| cell(&sa, head, c) == "Изменение").unwrap();
    let value = 3;
    let mut compared = 0;
    for r in head + 1..=h {
        if let Some(Data::Float(prev)) = sb.get_value((r, was)) {
            assert_eq!(*prev, number(&sb, r, value), "row {r}");
            assert_eq!(number(&sb, r, change), 0.0, "row {r}");
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} figures compared");
}

/// `region` reads the split summary as the whole one.
fn region_reads_the_split_as_the_whole(d: &District, whole: &Path, split: &Path) {
    let regions = |file: &Path, tag: &str| -> Vec<Vec<String>> {
        let root = d.dir.path().join(format!("region-{tag}"));
        std::fs::create_dir_all(root.join("svody")).unwrap();
        std::fs::copy(file, root.join("svody").join("A.xlsx")).unwrap();
        std::fs::write(
            root.join("districts.csv"),
            "Код;Наименование;Ответственный;E-mail;Телефон\n\
             A;Альфинский район;Иванова И. И.;a@example.ru;+7 1\n",
        )
        .unwrap();
        Cli::new()
            .in_dir(&root)
            .args(["--campaign", DEC, "region", "svody", "--districts", "districts.csv"])
            .args(["--out", "oblast.xlsx", "--as-of", "2025-12-26"])
            .run()
            .success();
        let mut book: Xlsx<_> = open_workbook(root.join("oblast.xlsx")).unwrap();
        grid(&book.worksheet_range(SHEET_REGION).unwrap())
    };
    let ra = regions(whole, "whole");
    let rb = regions(split, "split");
    assert_eq!(ra, rb);
    let row = ra.iter().find(|r| r.iter().any(|c| c == "Альфинский район")).unwrap();
    let figures = row.iter().filter(|c| c.parse::<f64>().is_ok()).count();
    assert!(figures >= 30, "only {figures} figures in the region's row: {row:?}");
}

/// (numerator, denominator) of a share as the school typed it; None when a side is blank.
fn typed_share(sh: &Share, f: &Fill) -> Option<(f64, f64)> {
    let side = |expr: &str| -> Option<f64> {
        expr.split('+').map(|t| f.values.get(t.trim()).and_then(typed_number)).sum()
    };
    Some((side(sh.numerator.text())?, side(sh.denominator.text())?))
}

/// The charts of a sheet: (title text, category range) from the xlsx parts.
fn charts_of(path: &Path, sheet: &str) -> Vec<(String, String)> {
    let bytes = std::fs::read(path).unwrap();
    let wb = part(&bytes, "xl/workbook.xml");
    let names: Vec<&str> = wb.split("<sheet ").skip(1).collect();
    let k = names.iter().position(|s| s.contains(&format!("name=\"{sheet}\""))).unwrap();
    // rust_xlsxwriter numbers sheet parts in sheet order.
    let rels = part(&bytes, &format!("xl/worksheets/_rels/sheet{}.xml.rels", k + 1));
    let drawing = rels.split("Target=\"../drawings/").nth(1).unwrap();
    let drawing = &drawing[..drawing.find('"').unwrap()];
    let drels = part(&bytes, &format!("xl/drawings/_rels/{drawing}.rels"));
    drels
        .split("Target=\"../charts/")
        .skip(1)
        .map(|t| {
            let chart = part(&bytes, &format!("xl/charts/{}", &t[..t.find('"').unwrap()]));
            let title: String = chart
                .split("<a:t>")
                .nth(1)
                .map(|t| t[..t.find("</a:t>").unwrap()].to_string())
                .unwrap_or_default();
            let cat = chart.split("<c:cat>").nth(1).unwrap_or("");
            let f = cat.split("<c:f>").nth(1).map(|f| &f[..f.find("</c:f>").unwrap()]);
            (title, f.unwrap_or("").to_string())
        })
        .collect()
}

/// Rows a category range such as `'Доли по школам'!$A$6:$A$36` spans.
fn span(range: &str) -> u32 {
    let rows: Vec<u32> = range
        .split('!')
        .nth(1)
        .unwrap()
        .split(':')
        .map(|a| a.trim_start_matches('$').split('$').nth(1).unwrap().parse().unwrap())
        .collect();
    rows[1] - rows[0] + 1
}

#[test]
fn shares_of_a_large_district_show_the_edges_and_the_distribution() {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, DEC).unwrap();
    let d = district(45, 7);
    let out = d.dir.path().join("svod.xlsx");
    collect(&d, &out, None, &[]);
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let sheet = book.worksheet_range(SHEET_SHARES).unwrap();
    let g = grid(&sheet);
    let shares = c.shares();
    assert!(shares.len() >= 3);
    let charts = charts_of(&out, SHEET_SHARES);
    let mut checked = 0;
    for (_, sh) in &shares {
        let label = c.text(&sh.label);
        // Titles cut long labels at a word past half of 70 characters: 35 are always there.
        let prefix: String = label.chars().take(35).collect();
        let mut typed: Vec<(f64, f64)> =
            d.fills.values().filter_map(|f| typed_share(sh, f)).filter(|p| p.1 > 0.0).collect();
        if typed.len() <= 30 {
            continue;
        }
        typed.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
        // The edges: 15 lowest, a line for the rest, 15 highest, the district.
        let head = (0..g.len()).find(|&r| g[r][0] == "ОО" && r > 0 && g[r - 1][0].contains(&label));
        let head = head.unwrap_or_else(|| panic!("no table for {label}")) as u32;
        let low = number(&sheet, head + 1, 1);
        let high = number(&sheet, head + 31, 1);
        assert!((low - typed[0].0 / typed[0].1).abs() < 1e-12, "{label}: lowest {low}");
        let top = typed[typed.len() - 1];
        assert!((high - top.0 / top.1).abs() < 1e-12, "{label}: highest {high}");
        assert_eq!(cell(&sheet, head + 16, 0), format!("… ещё {} ОО", typed.len() - 30));
        assert_eq!(cell(&sheet, head + 32, 0), "По району");
        let (n, den) = typed.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        assert_eq!(number(&sheet, head + 32, 2), n, "{label}");
        assert_eq!(number(&sheet, head + 32, 3), den, "{label}");
        // The distribution: schools per tenth, counted from what was typed.
        let dist = (0..g.len())
            .find(|&r| g[r][0] == "Доля ОО" && g[r - 2][0].contains(&prefix))
            .unwrap_or_else(|| panic!("no distribution for {label}")) as u32;
        let mut want = [0usize; 10];
        for (a, b) in &typed {
            want[((10.0 * a / b).floor() as usize).min(9)] += 1;
        }
        for (k, w) in want.iter().enumerate() {
            let r = dist + 1 + k as u32;
            assert_eq!(cell(&sheet, r, 0), format!("{}–{} %", k * 10, k * 10 + 10));
            assert_eq!(number(&sheet, r, 1), *w as f64, "{label}, bin {k}");
        }
        assert_eq!(cell(&sheet, dist + 11, 0), "Всего ОО");
        assert_eq!(number(&sheet, dist + 11, 1), typed.len() as f64);
        // Its two charts: the edges (31 categories) and the distribution (10 bins).
        let edge = charts
            .iter()
            .find(|(t, r)| {
                t.starts_with(&prefix) && t.contains("15 ОО с самой низкой") && span(r) == 31
            })
            .unwrap_or_else(|| panic!("{label}: no chart of the edges in {charts:?}"));
        let hist = charts
            .iter()
            .find(|(t, r)| {
                t.starts_with(&format!("Распределение ОО по доле: {prefix}")) && span(r) == 10
            })
            .unwrap_or_else(|| panic!("{label}: no distribution chart in {charts:?}"));
        assert!(!edge.0.is_empty() && !hist.0.is_empty());
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} shares checked");
    // Two charts a share, none with a bar per school.
    assert!(charts.len() >= 2 * checked, "{charts:?}");
    assert!(charts.iter().all(|(_, r)| span(r) <= 31), "{charts:?}");
    // No list of every school: at most the 30 edge schools a share.
    let school_rows = g.iter().filter(|r| r[0].starts_with("Тестовая СОШ")).count();
    assert!(school_rows <= 30 * shares.len(), "{school_rows} school rows");
}

#[test]
fn shares_of_a_small_district_keep_a_bar_per_school() {
    let d = district(12, 3);
    let out = d.dir.path().join("svod.xlsx");
    collect(&d, &out, None, &[]);
    let charts = charts_of(&out, SHEET_SHARES);
    assert!(!charts.is_empty());
    // One bar per school with the share (all 12 report every share here, or fewer).
    assert!(charts.iter().all(|(t, r)| !t.contains("15 ОО") && span(r) <= 12), "{charts:?}");
    assert!(charts.iter().any(|(_, r)| span(r) >= 10), "{charts:?}");
    assert!(!charts.iter().any(|(t, _)| t.starts_with("Распределение")), "{charts:?}");
}

/// `n` schools in the registry: the first `sent` send the same values after the deadline
/// (late, and tied at every extreme), the others send nothing.
fn late_and_tied(n: usize, sent: usize) -> (tempfile::TempDir, Vec<School>) {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, DEC).unwrap();
    let (dir, schools) = registry_folder(n);
    let same = fill(&c, &schools[0], 11, None);
    for s in &schools[..sent] {
        let bytes = filled(&c, s, &same, at("2025-12-22 10:00"));
        std::fs::write(dir.path().join("returns").join(file_name(s)), bytes).unwrap();
    }
    (dir, schools)
}

#[test]
fn long_lists_of_schools_stop_at_fifty_names_and_say_where_all_are() {
    let (n, sent) = (60, 55);
    let (dir, schools) = late_and_tied(n, sent);
    let out = dir.path().join("svod.xlsx");
    Cli::new()
        .in_dir(dir.path())
        .args(["--schools", "schools.csv", "--campaign", DEC, "collect", "returns"])
        .args(["--as-of", "2025-12-25", "--out"])
        .arg(&out)
        .run()
        .code(1);
    let names = |k: usize| -> String {
        schools[..k].iter().map(|s| s.short_name.as_str()).collect::<Vec<_>>().join(", ")
    };
    let shown = profplan::ru::NAMES_SHOWN;
    assert_eq!(shown, 50);
    let more = sent - shown;
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();

    // «Свод по району»: the late schools, then every extreme (all 55 are tied).
    let district = book.worksheet_range(SHEET_DISTRICT).unwrap();
    let g = grid(&district);
    let late = g.iter().find(|r| r[1] == "из них сдано с опозданием").expect("late line");
    assert_eq!(late[3], sent.to_string());
    assert_eq!(
        late[4],
        format!("{} и ещё {more} ОО — все на листе «{SHEET_RETURNS}»", names(shown))
    );
    let short: Vec<&str> = schools[..shown].iter().map(|s| s.short_name.as_str()).collect();
    let tied = format!(
        "{} и ещё {more} ОО с тем же значением — значение каждой ОО на листе «По школам»",
        short.join(", ")
    );
    let extremes = g.iter().flat_map(|r| [&r[8], &r[10]]).filter(|t| **t == tied).count();
    assert!(extremes > 10, "{extremes} capped extremes");
    // The 51st school is named nowhere on the sheet (neither inside a list nor last).
    let the_51st = &schools[shown].short_name;
    let named =
        |t: &str| t.split(", ").any(|p| p == the_51st || p.starts_with(&format!("{the_51st} ")));
    assert!(!g.iter().flatten().any(|t| named(t)));

    // «Сдача отчётов»: the banner is capped, the table below still names every school.
    let returns = book.worksheet_range(SHEET_RETURNS).unwrap();
    let g = grid(&returns);
    let banner = g.iter().flatten().find(|t| t.starts_with("Принято ")).expect("banner");
    let short_late =
        format!("с опозданием {sent}: {} и ещё {more} ОО — все в таблице ниже", short.join(", "));
    assert!(banner.contains(&short_late), "{banner}");
    for s in &schools {
        assert!(g.iter().any(|r| r.contains(&s.id)), "{} not in the table", s.id);
    }

    // The note: the same list, capped, pointing at the summary.
    let note = std::fs::read(dir.path().join("svod-spravka.docx")).unwrap();
    let xml = part(&note, "word/document.xml");
    let said = format!(
        "из них {sent} — с опозданием: {} и ещё {more}\u{a0}школ — полный список в сводном \
         отчёте на листе «{SHEET_RETURNS}».",
        names(shown)
    );
    assert!(xml.contains(&said), "note: {}", &xml[..xml.len().min(3000)]);
    assert!(!xml.contains(&format!("{},", schools[shown].short_name)));
}

#[test]
fn collect_names_at_most_fifty_missing_schools_on_its_last_line() {
    let (dir, schools) = late_and_tied(60, 2);
    let o = Cli::new()
        .in_dir(dir.path())
        .args(["--schools", "schools.csv", "--campaign", DEC, "collect", "returns"])
        .args(["--as-of", "2025-12-25", "--no-note", "--out", "svod.xlsx"])
        .run()
        .code(1);
    let names: Vec<&str> = schools[2..52].iter().map(|s| s.name.as_str()).collect();
    let said = format!(
        "не сдали (58): {} и ещё 8 — все на листе «{SHEET_RETURNS}» сводного отчёта\n",
        names.join(", ")
    );
    assert!(o.stdout.contains(&said), "{}", o.stdout);
    assert!(!o.stdout.contains(&schools[52].name), "{}", o.stdout);
}

#[test]
fn the_note_names_at_most_fifty_schools_far_below_the_district_share() {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, DEC).unwrap();
    // A share of one field over one field: half the schools at 0 %, half at 100 %.
    let (item, sh) = *c
        .shares()
        .iter()
        .find(|(_, sh)| {
            sh.numerator.expr().fields().count() == 1 && sh.denominator.expr().fields().count() == 1
        })
        .expect("a share of one field over one field");
    let num = sh.numerator.expr().fields().next().unwrap().to_string();
    let den = sh.denominator.expr().fields().next().unwrap().to_string();
    let (dir, schools) = late_and_tied(120, 0);
    for (i, s) in schools.iter().enumerate() {
        let mut f = fill(&c, s, 5, None);
        // The largest count the form takes: above every other count of the school, so
        // that no rule is broken.
        let all = 5_000.0;
        f.values.insert(num.clone(), FillValue::Num(if i < 60 { 0.0 } else { all }));
        f.values.insert(den.clone(), FillValue::Num(all));
        let bytes = filled(&c, s, &f, at("2025-12-19 10:00"));
        std::fs::write(dir.path().join("returns").join(file_name(s)), bytes).unwrap();
    }
    Cli::new()
        .in_dir(dir.path())
        .args(["--schools", "schools.csv", "--campaign", DEC, "collect", "returns"])
        .args(["--as-of", "2025-12-25", "--out", "svod.xlsx"])
        .run()
        .success();
    let note = std::fs::read(dir.path().join("svod-spravka.docx")).unwrap();
    let xml = part(&note, "word/document.xml");
    let label = c.text(&sh.label);
    let start = xml.find(&format!("{label} ({})", item.code)).expect("the far bullet");
    let bullet = &xml[start..];
    let bullet = &bullet[..bullet.find("</w:t>").unwrap()];
    let listed = bullet.matches("(0,0\u{a0}%)").count();
    assert_eq!(listed, 50, "{bullet}");
    assert!(
        bullet.ends_with(
            "и ещё 10\u{a0}школ — доля каждой школы в сводном отчёте на листе «По школам»."
        ),
        "{bullet}"
    );
}
