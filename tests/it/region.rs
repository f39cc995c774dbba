//! `profplan region` end to end: three districts, each a work folder of its own (registry,
//! returns generated with known values, profplan.toml naming the district), each
//! summary made by `profplan collect`. District B sends its summary twice, district C
//! sends one of another campaign, and a school's form lies in the folder too. Every figure
//! of «Свод по области» — each district's and the region's — equals an independent
//! computation from the values typed into the schools' returns (shares from summed
//! numerators and denominators); completeness and the fate of every file are checked.
//! A summary edited by hand, one of another plan version and one of a district not in the
//! registry are refused with their reasons.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use profplan::plan::campaign::Campaign;
use profplan::plan::{Plan, Share};
use profplan::schools::School;
use profplan::summary::{REGION_CODE_ROW, SHEET_DISTRICTS, SHEET_REGION, SHEET_REGION_SOURCES};
use profplan::synth::{fill, Fill};

use crate::cli::Cli;
use crate::common::*;

const DEC: &str = "2025-12-20";
const SEPT: &str = "2025-09-15";

fn profplan(dir: &Path, args: &[&str]) -> crate::cli::Run {
    Cli::new().in_dir(dir).args(args).run()
}

/// A district's work folder with six schools' returns of December (seeded by the
/// district, so the districts differ though their schools have the same codes).
struct DistrictDir {
    dir: PathBuf,
    fills: BTreeMap<String, Fill>,
}

fn district(root: &Path, code: &str, name: &str, seed: u64, late: Option<&str>) -> DistrictDir {
    let plan = Plan::default_plan();
    let c = Campaign::parse(&plan, DEC).unwrap();
    let dir = root.join(code);
    std::fs::create_dir_all(dir.join("returns")).unwrap();
    // Same school codes in every district (codes are unique within a district only),
    // different sizes: district B's schools are larger.
    let bigger = if code == "B" { 12 } else { 0 };
    let schools: Vec<School> =
        (1..=6).map(|n| School { id: format!("{n:02}"), ..test_school(n + bigger) }).collect();
    write_registry(&dir.join("schools.csv"), &schools, &plan);
    std::fs::write(
        dir.join("profplan.toml"),
        format!("schools = \"schools.csv\"\ndistrict = \"{code}\"\ndistrict_name = \"{name}\"\n"),
    )
    .unwrap();
    let mut fills = BTreeMap::new();
    for s in &schools {
        let f = fill(&c, s, seed, None);
        let day = if late == Some(s.id.as_str()) { "2025-12-21 10:00" } else { "2025-12-19 10:00" };
        std::fs::write(dir.join("returns").join(file_name(s)), filled(&c, s, &f, at(day))).unwrap();
        fills.insert(s.id.clone(), f);
    }
    DistrictDir { dir, fills }
}

fn collect(d: &Path, campaign: &str, as_of: &str, out: &Path) {
    let o = profplan(
        d,
        &["--campaign", campaign, "collect", "returns", "--as-of", as_of, "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([out.display().to_string(), "--force".into(), "--no-note".into()])
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(o.code <= 1, "{}", o.stderr);
}

fn write_districts(path: &Path) {
    std::fs::write(
        path,
        "Код;Наименование;Ответственный;E-mail;Телефон\n\
         A;Альфинский район;Иванова И. И.;a@example.ru;+7 1\n\
         B;Бетинский район;Петров П. П.;b@example.ru;+7 2\n\
         C;Гаммовский район;Сидорова С. С.;c@example.ru;+7 3\n",
    )
    .unwrap();
}

fn region(root: &Path, folder: &str) -> (crate::cli::Run, PathBuf) {
    let out = root.join("oblast.xlsx");
    let o = profplan(
        root,
        &[
            "--campaign",
            DEC,
            "region",
            folder,
            "--districts",
            "districts.csv",
            "--out",
            "oblast.xlsx",
            "--force",
            "--as-of",
            "2025-12-26",
        ],
    );
    (o, out)
}

/// Independent computation from what was typed: (Σ numerator, Σ denominator) of a share.
fn share_sides(sh: &Share, fills: &[&Fill]) -> (f64, f64) {
    let side = |expr: &str, f: &Fill| -> Option<f64> {
        expr.split('+').map(|t| f.values.get(t.trim()).and_then(typed_number)).sum()
    };
    let mut n = 0.0;
    let mut d = 0.0;
    for f in fills {
        if let (Some(a), Some(b)) = (side(sh.numerator.text(), f), side(sh.denominator.text(), f)) {
            n += a;
            d += b;
        }
    }
    (n, d)
}

/// The expected figure of a column code over some schools' fills.
fn expected(plan: &Plan, code: &str, fills: &[&Fill]) -> Option<f64> {
    let share = |c: &str| plan.items().flat_map(|i| i.shares.iter()).find(|s| s.code == c).cloned();
    if let Some(c) = code.strip_suffix(":числитель") {
        return Some(share_sides(&share(c).unwrap(), fills).0);
    }
    if let Some(c) = code.strip_suffix(":знаменатель") {
        return Some(share_sides(&share(c).unwrap(), fills).1);
    }
    if let Some(sh) = share(code) {
        let (n, d) = share_sides(&sh, fills);
        return (d > 0.0).then(|| n / d);
    }
    if let Some(t) = code.strip_suffix(":строк") {
        let n: usize = fills
            .iter()
            .map(|f| {
                f.tables
                    .get(t)
                    .map_or(0, |rows| rows.iter().filter(|r| r.iter().any(Option::is_some)).count())
            })
            .sum();
        return Some(n as f64);
    }
    if let Some((t, col)) = code.split_once('.') {
        let (_, table) = plan.table(t).unwrap();
        let k = table.columns.iter().position(|c| c.code == col).unwrap();
        let v: Vec<f64> = fills
            .iter()
            .flat_map(|f| f.tables.get(t).into_iter().flatten())
            .filter_map(|row| row.get(k).cloned().flatten())
            .filter_map(|v| typed_number(&v))
            .collect();
        return (!v.is_empty()).then(|| v.iter().sum());
    }
    let v: Vec<f64> =
        fills.iter().filter_map(|f| f.values.get(code).and_then(typed_number)).collect();
    (!v.is_empty()).then(|| v.iter().sum())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

#[test]
fn a_region_of_three_districts_equals_the_schools_returns() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let folder = root.join("svody");
    std::fs::create_dir_all(&folder).unwrap();
    write_districts(&root.join("districts.csv"));
    let plan = Plan::default_plan();

    let a = district(root, "A", "Альфинский район", 1, Some("03"));
    collect(&a.dir, DEC, "2025-12-25", &folder.join("A.xlsx"));
    // B sends twice: first without school 06's return, then complete; the later counts.
    let b = district(root, "B", "Бетинский район", 2, None);
    let six = b.dir.join("returns").join(file_name(&School { id: "06".into(), ..test_school(18) }));
    let kept = std::fs::read(&six).unwrap();
    std::fs::remove_file(&six).unwrap();
    collect(&b.dir, DEC, "2025-12-21", &folder.join("B-pervyj.xlsx"));
    std::fs::write(&six, kept).unwrap();
    collect(&b.dir, DEC, "2025-12-24", &folder.join("B.xlsx"));
    // C sends the summary of September.
    let c = district(root, "C", "Гаммовский район", 3, None);
    collect(&c.dir, SEPT, "2025-09-20", &folder.join("C.xlsx"));
    // And a school's form, which is no summary.
    std::fs::copy(
        a.dir.join("returns").join(file_name(&test_school(1))),
        folder.join("forma.xlsx"),
    )
    .unwrap();

    let (o, out) = region(root, "svody");
    assert_eq!(o.code, 1, "C has no usable summary: {}", o.stderr);
    let text = o.stdout.clone();
    assert!(
        text.contains("Получены своды 2 из 3 районов; нет свода (1): Гаммовский район"),
        "{text}"
    );

    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    // «Данные» is a working sheet, hidden (out of print) as in a district's summary; the
    // sheets a reader prints stay visible.
    let visible = |name: &str| {
        book.sheets_metadata().iter().find(|m| m.name == name).unwrap().visible
            == calamine::SheetVisible::Visible
    };
    assert!(!visible("Данные"), "«Данные» of the regional summary is visible");
    assert!(visible(SHEET_REGION) && visible("Районы") && visible("Источники"));
    let fa: Vec<&Fill> = a.fills.values().collect();
    let fb: Vec<&Fill> = b.fills.values().collect();
    region_sheet_equals_the_returns(&mut book, &plan, &fa, &fb);
    districts_sheet_counts_each_district(&mut book);
    sources_sheet_accounts_for_every_file(&mut book, &folder);
    tables_and_views_merged(&mut book, &fa, &fb);

    // The same inputs give the same bytes.
    let first = std::fs::read(&out).unwrap();
    region(root, "svody");
    assert_eq!(first, std::fs::read(&out).unwrap());
}

/// «Свод по области»: each district's figures and the region's total equal the sums of
/// its schools' returns; the region's share is Σ numerators / Σ denominators.
fn region_sheet_equals_the_returns(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    plan: &Plan,
    fa: &[&Fill],
    fb: &[&Fill],
) {
    let sheet = book.worksheet_range(SHEET_REGION).unwrap();
    let codes: Vec<String> =
        (0..sheet.width() as u32).map(|c| cell(&sheet, REGION_CODE_ROW, c)).collect();
    let row_of = |name: &str| {
        (REGION_CODE_ROW..=sheet.end().unwrap().0).find(|&r| cell(&sheet, r, 1) == name).unwrap()
    };
    let both: Vec<&Fill> = fa.iter().chain(fb.iter()).copied().collect();
    let mut checked = 0;
    for (name, fills) in
        [("Альфинский район", fa), ("Бетинский район", fb), ("Итого по области", &both[..])]
    {
        let r = row_of(name);
        for (col, code) in codes.iter().enumerate().skip(2) {
            let want = expected(plan, code, fills);
            match want {
                Some(w) => {
                    let got = number(&sheet, r, col as u32);
                    assert!(close(got, w), "{name}, {code}: {got} ≠ {w}");
                    checked += 1;
                }
                None => assert_eq!(cell(&sheet, r, col as u32), "", "{name}, {code}"),
            }
        }
    }
    assert!(checked > 100, "only {checked} figures checked");
    assert!(
        codes.iter().any(|c| c == "s2_1_covered") && codes.iter().any(|c| c.starts_with("t10_1."))
    );
    // The region's share is Σ numerators / Σ denominators, not the mean of the districts'.
    let col = codes.iter().position(|c| c == "s2_1_covered").unwrap() as u32;
    let (pa, pb, pr) = (
        number(&sheet, row_of("Альфинский район"), col),
        number(&sheet, row_of("Бетинский район"), col),
        number(&sheet, row_of("Итого по области"), col),
    );
    assert!(!close(pr, (pa + pb) / 2.0), "{pa} {pb} {pr}");
    assert_eq!(cell(&sheet, row_of("Гаммовский район"), 2), "нет свода");
}

/// «Районы»: completeness per district.
fn districts_sheet_counts_each_district(book: &mut Xlsx<std::io::BufReader<std::fs::File>>) {
    let d = book.worksheet_range(SHEET_DISTRICTS).unwrap();
    let r = (0..20).find(|&r| cell(&d, r, 0) == "A").unwrap();
    assert_eq!(cell(&d, r, 3), "A.xlsx");
    assert_eq!((number(&d, r, 5), number(&d, r, 6), number(&d, r, 7)), (6.0, 6.0, 1.0));
    let r = (0..20).find(|&r| cell(&d, r, 0) == "B").unwrap();
    assert_eq!(cell(&d, r, 3), "B.xlsx");
    assert_eq!((number(&d, r, 5), number(&d, r, 6), number(&d, r, 8)), (6.0, 6.0, 6.0));
    let r = (0..20).find(|&r| cell(&d, r, 0) == "C").unwrap();
    assert_eq!(cell(&d, r, 2), "нет свода");
    let r = (0..20).find(|&r| cell(&d, r, 1) == "Итого по области").unwrap();
    assert_eq!((number(&d, r, 5), number(&d, r, 6), number(&d, r, 7)), (12.0, 12.0, 1.0));
}

/// «Источники»: every file accounted for, with its hash.
fn sources_sheet_accounts_for_every_file(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    folder: &Path,
) {
    let s = book.worksheet_range(SHEET_REGION_SOURCES).unwrap();
    let fate: BTreeMap<String, (String, String)> = (1..s.height() as u32)
        .map(|r| (cell(&s, r, 0), (cell(&s, r, 4), cell(&s, r, 5))))
        .collect();
    assert_eq!(fate.len(), 5, "{fate:?}");
    assert_eq!(fate["A.xlsx"].0, "принят");
    assert_eq!(fate["B.xlsx"].0, "принят");
    assert_eq!(fate["B-pervyj.xlsx"].0, "заменён более поздним сводом");
    assert!(fate["B-pervyj.xlsx"].1.contains("прислал свод дважды"), "{fate:?}");
    assert_eq!(fate["C.xlsx"].0, "не принят");
    assert!(fate["C.xlsx"].1.contains("другой кампании"), "{fate:?}");
    assert!(fate["forma.xlsx"].1.contains("не сводный отчёт"), "{fate:?}");
    let hash = cell(&s, (1..6).find(|&r| cell(&s, r, 0) == "A.xlsx").unwrap(), 6);
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(std::fs::read(folder.join("A.xlsx")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, want);
}

/// Detail tables merged, the district named on every row: each district's rows and column
/// sums equal the rows typed into its schools' returns; the plan's view over the region.
fn tables_and_views_merged(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    fa: &[&Fill],
    fb: &[&Fill],
) {
    let both: Vec<&Fill> = fa.iter().chain(fb.iter()).copied().collect();
    let t = book.worksheet_range("Т 10.1 Конкурсы").unwrap();
    let head = (0..10).find(|&r| cell(&t, r, 0) == "Код района").unwrap();
    assert_eq!(cell(&t, head, 4), "Название конкурса");
    let rows: Vec<u32> = (head + 1..=t.end().unwrap().0).collect();
    for (code, name, fills) in [("A", "Альфинский район", &fa), ("B", "Бетинский район", &fb)]
    {
        let mut got: Vec<(String, f64)> = rows
            .iter()
            .filter(|&&r| cell(&t, r, 1) == name)
            .map(|&r| {
                assert_eq!(cell(&t, r, 0), code);
                assert!(!cell(&t, r, 2).is_empty() && !cell(&t, r, 3).is_empty());
                (cell(&t, r, 5), number(&t, r, 6))
            })
            .collect();
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert!(!got.is_empty(), "{name} has rows");
        assert_eq!(got, typed_contests(fills), "{name}");
    }
    assert!(rows.iter().all(|&r| cell(&t, r, 1) != "Гаммовский район"), "C's summary was refused");
    // The plan's view of the table over the region: participants by level.
    let v = book.worksheet_range("Вид 10.1 Конкурсы").unwrap();
    let title =
        (0..v.height() as u32).find(|&r| cell(&v, r, 0) == "Участники конкурсов по уровням");
    let head = title.unwrap() + 1;
    assert_eq!(cell(&v, head, 1), "Количество участников");
    let mut want: BTreeMap<String, f64> = BTreeMap::new();
    for (level, n) in typed_contests(&both) {
        *want.entry(level).or_insert(0.0) += n;
    }
    let mut got: BTreeMap<String, f64> = BTreeMap::new();
    let mut r = head + 1;
    while cell(&v, r, 0) != "Итого по области" {
        got.insert(cell(&v, r, 0), number(&v, r, 1));
        r += 1;
    }
    assert_eq!(got, want);
    assert_eq!(number(&v, r, 1), want.values().sum::<f64>());
}

/// The rows of table 10.1 typed into `fills`: (level, participants), sorted.
fn typed_contests(fills: &[&Fill]) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = fills
        .iter()
        .flat_map(|f| f.tables.get("t10_1").into_iter().flatten())
        .filter(|row| row.iter().any(Option::is_some))
        .map(|row| {
            let level = match &row[1] {
                Some(profplan::synth::FillValue::Text(s)) => s.clone(),
                other => panic!("{other:?}"),
            };
            (level, row[2].as_ref().and_then(typed_number).unwrap())
        })
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

/// The part of «Данные» in a summary: workbook.xml → relationship → worksheet part.
fn data_part(bytes: &[u8]) -> String {
    crate::support::sheet_part(bytes, "Данные")
}

#[test]
fn edited_other_version_and_unknown_districts_are_refused_with_reasons() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let folder = root.join("svody");
    std::fs::create_dir_all(&folder).unwrap();
    write_districts(&root.join("districts.csv"));

    // A: a figure of «Данные» changed by hand (a school's 12 becomes 120).
    let a = district(root, "A", "Альфинский район", 1, None);
    collect(&a.dir, DEC, "2025-12-25", &root.join("A.xlsx"));
    let bytes = std::fs::read(root.join("A.xlsx")).unwrap();
    let book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let mut book = book;
    let data = book.worksheet_range("Данные").unwrap();
    let (r, _) = (1..data.height() as u32)
        .map(|r| (r, cell(&data, r, 3)))
        .find(|(r, code)| {
            code == "p2_1_events" && matches!(data.get_value((*r, 6)), Some(Data::Float(_)))
        })
        .unwrap();
    let v = number(&data, r, 6);
    let sheet = data_part(&bytes);
    let xml = part_text(&bytes, &sheet);
    let at = xml.find(&format!("<c r=\"G{}\"", r + 1)).unwrap();
    let end = at + xml[at..].find("</c>").unwrap();
    let old = &xml[at..end];
    let new = old.replace(&format!("<v>{v}</v>"), &format!("<v>{}</v>", v * 10.0 + 1.0));
    assert_ne!(old, new, "{old}");
    let edited = replace_in_part(&bytes, &sheet, old, &new);
    std::fs::write(folder.join("A-ispravlen.xlsx"), edited).unwrap();

    // B: made with another version of the plan (a label reworded); nothing collected.
    let b = district(root, "B", "Бетинский район", 2, None);
    let other = profplan::plan::DEFAULT_PLAN_TOML.replacen(
        "Количество мероприятий совместно с центром занятости",
        "Мероприятия с центром занятости",
        1,
    );
    std::fs::write(b.dir.join("plan.toml"), other).unwrap();
    std::fs::remove_dir_all(b.dir.join("returns")).unwrap();
    std::fs::create_dir_all(b.dir.join("returns")).unwrap();
    let o = profplan(
        &b.dir,
        &[
            "--plan",
            "plan.toml",
            "--campaign",
            DEC,
            "collect",
            "returns",
            "--as-of",
            "2025-12-25",
            "--out",
            "../svody/B.xlsx",
        ],
    );
    assert!(o.code <= 1, "{}", o.stderr);

    // C: a district the registry does not know.
    let c = district(root, "C", "Гаммовский район", 3, None);
    std::fs::write(
        c.dir.join("profplan.toml"),
        "schools = \"schools.csv\"\ndistrict = \"Z\"\ndistrict_name = \"Зетский район\"\n",
    )
    .unwrap();
    collect(&c.dir, DEC, "2025-12-25", &folder.join("Z.xlsx"));

    let (o, out) = region(root, "svody");
    assert_eq!(o.code, 1);
    let text = o.stdout.clone();
    assert!(text.contains("Получены своды 0 из 3 районов"), "{text}");
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let s = book.worksheet_range(SHEET_REGION_SOURCES).unwrap();
    let reason = |file: &str| {
        let r = (1..s.height() as u32).find(|&r| cell(&s, r, 0) == file).unwrap();
        assert_eq!(cell(&s, r, 4), "не принят");
        cell(&s, r, 5)
    };
    assert!(reason("A-ispravlen.xlsx").contains("изменён вручную"));
    assert!(reason("B.xlsx").contains("другой версии плана"));
    assert!(reason("Z.xlsx").contains("«Z» (Зетский район) нет в реестре районов"));
    // The unedited summary is accepted: the check is of the data, not of the file's bytes.
    std::fs::copy(root.join("A.xlsx"), folder.join("A.xlsx")).unwrap();
    let (o, _) = region(root, "svody");
    assert!(o.stdout.contains("Получены своды 1 из 3 районов"), "{}", o.stdout);
}

/// What is left of a reason once file names and the words profplan writes itself are taken
/// out: no Latin word may remain (a parser's English text would).
fn english_in(reason: &str) -> Vec<String> {
    let allowed = ["profplan", "xlsx", "docx", "excel", "district", "toml"];
    reason
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !allowed.contains(&w.to_lowercase().as_str()))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_districts_note_is_skipped_and_every_reason_is_russian() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let folder = root.join("svody");
    std::fs::create_dir_all(&folder).unwrap();
    write_districts(&root.join("districts.csv"));

    // District A sends its summary with the «Аналитическая справка» collect writes beside it.
    let a = district(root, "A", "Альфинский район", 1, None);
    let o = profplan(
        &a.dir,
        &["--campaign", DEC, "collect", "returns", "--as-of", "2025-12-25", "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([folder.join("A.xlsx").display().to_string()])
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(o.code <= 1, "{}", o.stderr);
    assert!(folder.join("A-spravka.docx").is_file(), "collect writes the note beside");
    // The same note renamed by the district, a damaged workbook, a zip that is no
    // workbook, a text file and an old .xls-like binary.
    std::fs::copy(folder.join("A-spravka.docx"), folder.join("spravka dlya oblasti.docx")).unwrap();
    let mut damaged = std::fs::read(folder.join("A.xlsx")).unwrap();
    damaged.truncate(damaged.len() / 2);
    std::fs::write(folder.join("polovina.xlsx"), damaged).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, b"hello").unwrap();
    std::fs::write(folder.join("arhiv.xlsx"), zip.finish().unwrap().into_inner()).unwrap();
    std::fs::write(folder.join("pismo.txt"), "Направляем свод.").unwrap();
    std::fs::write(folder.join("staryj.xls"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage").unwrap();

    // The registry of districts comes from profplan.toml when --districts is not given.
    let run = |args: &[&str]| {
        Cli::new().in_dir(root).args(["--campaign", DEC, "region", "svody"]).args(args).run()
    };
    let o = run(&["--as-of", "2025-12-26"]);
    assert_eq!(o.code, 2);
    let err = o.stderr.clone();
    assert!(err.contains("не указан реестр районов") && err.contains("--districts"), "{err}");
    assert!(!root.join(format!("svod-oblast-{DEC}.xlsx")).exists());
    std::fs::write(root.join("profplan.toml"), "districts = \"districts.csv\"\n").unwrap();
    let o = run(&["--as-of", "2025-12-26"]);
    assert_eq!(o.code, 1, "B and C sent nothing: {}", o.stderr);
    let text = o.stdout.clone();
    assert!(text.contains("Получены своды 1 из 3 районов"), "{text}");
    let out = root.join(format!("svod-oblast-{DEC}.xlsx"));

    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let s = book.worksheet_range(SHEET_REGION_SOURCES).unwrap();
    let fate: BTreeMap<String, (String, String)> = (1..s.height() as u32)
        .map(|r| (cell(&s, r, 0), (cell(&s, r, 4), cell(&s, r, 5))))
        .filter(|(f, _)| !f.is_empty())
        .collect();
    assert_eq!(fate.len(), 7, "{fate:?}");
    assert_eq!(fate["A.xlsx"].0, "принят");
    for note in ["A-spravka.docx", "spravka dlya oblasti.docx"] {
        assert_eq!(fate[note].0, "пропущен", "{fate:?}");
        assert!(fate[note].1.starts_with("аналитическая справка района (.docx)"), "{fate:?}");
    }
    for f in ["polovina.xlsx", "arhiv.xlsx", "pismo.txt", "staryj.xls"] {
        assert_eq!(fate[f].0, "не принят", "{f}: {fate:?}");
        assert!(
            fate[f].1.contains("не сводный отчёт")
                || fate[f].1.contains("сводный отчёт profplan (.xlsx)"),
            "{f}: {fate:?}"
        );
    }
    for (file, (_, reason)) in &fate {
        assert!(english_in(reason).is_empty(), "{file}: {reason}");
        assert!(
            text.contains(file.as_str()) || fate[file].0 == "принят",
            "{file} not said: {text}"
        );
    }
    // The note is said as skipped, not as a broken summary.
    assert!(text.contains("A-spravka.docx: пропущен — аналитическая справка"), "{text}");
}
