//! The summary and the analytic note as a head of department reads them: converted to PDF
//! by LibreOffice and checked from the PDF's text (poppler's `pdftotext`). The example
//! summary prints without the raw sheets, with whole titles and uncut charts; the note
//! («Аналитическая справка», .docx) says the summary's figures, in Russian, for every
//! campaign of the embedded plan; `collect` keeps the note under the same --force rule
//! as the summary.

use crate::lo;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use calamine::{open_workbook, Data, DataType, Range, Reader, Xlsx};

use profplan::form::layout::form_file_name;
use profplan::form::writer::write_filled_form;
use profplan::plan::campaign::{campaigns_of_year, AcademicYear};
use profplan::plan::Plan;
use profplan::schools::Registry;
use profplan::synth::fill;

use crate::cli::{root, Cli};

fn collect(args: &[&str]) -> crate::cli::Run {
    Cli::new().in_dir(root()).registry("examples/schools.csv").args(args).run()
}

/// The example summary and its note, as the README's quick start makes them.
fn example(dir: &Path) -> (PathBuf, PathBuf) {
    let out = dir.join("svod.xlsx");
    let o = collect(&[
        "--campaign",
        "2025-12-20",
        "collect",
        "examples/returns",
        "--as-of",
        "2025-12-25",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let note = dir.join("svod-spravka.docx");
    assert!(note.exists(), "collect writes the note beside the summary");
    let stdout = o.stdout.clone();
    assert!(stdout.contains(&format!("Аналитическая справка: {}", note.display())), "{stdout}");
    (out, note)
}

/// `pdftotext` of a PDF, page by page; None without poppler outside CI.
fn pdf_pages(pdf: &Path) -> Option<Vec<String>> {
    let run = Process::new("pdftotext").arg("-layout").arg(pdf).arg("-").output();
    let out = match run {
        Ok(o) if o.status.success() => o.stdout,
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("pdftotext не найден, а CI=true: установите poppler-utils")
        }
        _ => {
            eprintln!("note: pdftotext (poppler-utils) не найден — проверка PDF пропущена");
            return None;
        }
    };
    let text = String::from_utf8(out).unwrap();
    // Pages end with a form feed; no-break spaces read as spaces.
    let mut pages: Vec<String> = text.split('\u{c}').map(|p| p.replace('\u{a0}', " ")).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Some(pages)
}

/// Words of a text joined by single spaces: line breaks of the layout do not matter.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sheet a page belongs to, from the footer «Лист «…», страница N из M».
fn sheet_of(page: &str) -> Option<String> {
    let flat = flat(page);
    let start = flat.rfind("Лист «")? + "Лист «".len();
    let end = flat[start..].find("», страница")?;
    Some(flat[start..start + end].to_string())
}

#[test]
fn example_summary_prints_whole_without_raw_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = example(dir.path());
    let Some(pdf) = lo::convert(&out, "pdf", dir.path()) else { return };
    let Some(pages) = pdf_pages(&pdf) else { return };
    let sheets: Vec<String> =
        pages.iter().map(|p| sheet_of(p).unwrap_or_else(|| panic!("no footer on:\n{p}"))).collect();

    // The raw sheets are kept in the workbook, and left out of the print.
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    for raw in ["Данные", "Источники"] {
        assert!(wb.sheet_names().iter().any(|s| s == raw), "{raw} is in the workbook");
        assert!(!sheets.iter().any(|s| s == raw), "{raw} is printed: {sheets:?}");
    }
    for read in ["Свод по району", "Сдача отчётов", "По школам", "Доли по школам", "Замечания"]
    {
        assert!(sheets.iter().any(|s| s == read), "{read} is not printed: {sheets:?}");
    }

    // Titles are whole: every page of «По школам» that shows its title shows all of it
    // (a merged title wider than the first page was cut at the page edge).
    let title = "Показатели по школам: Промежуточный отчёт за I полугодие, 2025/26 учебный год";
    for (p, s) in pages.iter().zip(&sheets).filter(|(_, s)| *s == "По школам") {
        let f = flat(p);
        assert_eq!(
            f.matches("Показатели по школам").count(),
            f.matches(title).count(),
            "a cut title on a page of «{s}»:\n{p}"
        );
    }
    assert!(pages.iter().any(|p| flat(p).contains(title)));

    // Charts are whole: some page shows a chart's title and its last category inside the
    // page's printable area. (LibreOffice also writes, clipped, the part of a drawing that
    // lies beyond a page: text outside the area is not what a reader sees.) In «Доли по
    // школам» the chart is beside its table, so the school with the highest share — the
    // table's last row and the chart's last bar — is seen twice on that page.
    let words = pdf_words(&pdf);
    let district = wb.worksheet_range("Свод по району").unwrap();
    let shares = wb.worksheet_range("Доли по школам").unwrap();
    let blocks = share_blocks(&shares);
    assert!(blocks.len() >= 5, "only {} share charts found", blocks.len());
    for block in &blocks {
        // Below the block's title: its table's last row and the chart's last bar. (Every
        // block names every school: only what lies below this block's title counts.)
        let whole = words.iter().any(|page| {
            let title = tops(page, &block.label);
            title.first().is_some_and(|t| {
                tops(page, &block.last).iter().filter(|y| *y > t).count() >= 2
                    && tops(page, "По району").iter().any(|y| y > t)
            })
        });
        assert!(
            whole,
            "«{}»: no page shows the chart with its last bar «{}»",
            block.label, block.last
        );
    }
    // The contests view: below the chart's title (the second, after the table's), its last
    // category and its legend.
    let view = "Участники конкурсов по уровням";
    let whole = words.iter().any(|page| {
        let title = tops(page, view);
        title.len() >= 2 && {
            let t = title[title.len() - 1];
            tops(page, "международный").iter().any(|y| *y > t)
                && tops(page, "Из них победителей и призёров").iter().any(|y| *y > t)
        }
    });
    assert!(whole, "the chart «{view}» is not seen whole on one page");

    // The headline is on the first page: completeness and the shares with Σ.
    let first = flat(&pages[0]);
    assert!(first.contains("Главное"), "{first}");
    assert!(first.contains("из них сдано с опозданием"), "{first}");
    let (num, den) = share_row(&district, "Доля обучающихся 6–11 классов, охваченных");
    // The spreadsheet groups digits as LibreOffice's locale does: «5 903» or «5,903».
    let shown =
        |v: f64| first.contains(&grouped(v)) || first.contains(&grouped(v).replace(' ', ","));
    assert!(shown(num) && shown(den), "{first}");
}

/// Words of each page of a PDF with their top and bottom (points from the top), from
/// `pdftotext -bbox`; empty pages when poppler is absent (the caller has checked).
fn pdf_words(pdf: &Path) -> Vec<Vec<(String, f64, f64)>> {
    let out = Process::new("pdftotext").arg("-bbox").arg(pdf).arg("-").output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let mut pages = Vec::new();
    for page in html.split("<page ").skip(1) {
        let words = page
            .split("<word ")
            .skip(1)
            .map(|w| {
                let (tag, rest) = w.split_once('>').unwrap();
                let text = rest.split("</word>").next().unwrap();
                let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
                (text.replace('\u{a0}', " "), attr(tag, "yMin"), attr(tag, "yMax"))
            })
            .collect();
        pages.push(words);
    }
    pages
}

/// Where `phrase` is seen on a page (the top of each occurrence, points from the page's
/// top): its words in a row, all inside the printable area of an A4 landscape page
/// (margins 0.55" top and bottom; the footer is below it).
fn tops(page: &[(String, f64, f64)], phrase: &str) -> Vec<f64> {
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 595.3 - 0.55 * 72.0 + 5.0;
    let want: Vec<&str> = phrase.split_whitespace().collect();
    let words: Vec<&(String, f64, f64)> =
        page.iter().filter(|(w, _, _)| !w.trim().is_empty()).collect();
    (0..words.len())
        .filter(|&i| {
            i + want.len() <= words.len()
                && want.iter().enumerate().all(|(k, w)| {
                    let (text, top, bottom) = words[i + k];
                    text == w && *top >= TOP && *bottom <= BOTTOM
                })
        })
        .map(|i| words[i].1)
        .collect()
}

/// A block of «Доли по школам»: its title and the school with the highest share.
struct ShareBlock {
    label: String,
    last: String,
}

/// Blocks of «Доли по школам»: a title row («2.1. Доля …»), the table, «По району».
fn share_blocks(sheet: &Range<Data>) -> Vec<ShareBlock> {
    let (h, _) = sheet.end().unwrap();
    let mut out = Vec::new();
    let mut label = None;
    let mut prev = String::new();
    for r in 0..=h {
        let a = sheet.get_value((r, 0)).map(|d| d.to_string()).unwrap_or_default();
        if a.len() > 4 && a.chars().next().is_some_and(|c| c.is_ascii_digit()) && a.contains(". ") {
            // The chart's title is the label without the item code.
            label = Some(a.split_once(". ").unwrap().1.to_string());
        } else if a == "По району" {
            if let Some(l) = label.take() {
                out.push(ShareBlock { label: l, last: prev.clone() });
            }
        }
        prev = a;
    }
    out
}

/// Numerator and denominator of a share line of «Свод по району» (the main table).
fn share_row(sheet: &Range<Data>, starts: &str) -> (f64, f64) {
    let (h, _) = sheet.end().unwrap();
    for r in 0..=h {
        let label = sheet.get_value((r, 1)).map(|d| d.to_string()).unwrap_or_default();
        if label.starts_with(starts) {
            let n = |c| sheet.get_value((r, c)).and_then(|d: &Data| d.as_f64()).unwrap();
            return (n(4), n(5));
        }
    }
    panic!("no share line «{starts}…»");
}

/// «7 577»: digits in groups of three, as a reader writes them (independent of the code
/// under test).
fn grouped(v: f64) -> String {
    assert_eq!(v.fract(), 0.0, "{v}");
    let d = (v as i64).to_string();
    let mut s = String::new();
    for (i, ch) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            s.push(' ');
        }
        s.push(ch);
    }
    s
}

/// «77,9 %» of a fraction, as the summary's «0.0%» format shows it.
fn pct(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0).replace('.', ",")
}

/// A line of «Свод по району»'s main table: label, value, numerator, denominator.
type Line = (String, Option<f64>, Option<f64>, Option<f64>);

/// Every line of «Свод по району»'s main table.
fn district_lines(sheet: &Range<Data>) -> Vec<Line> {
    let (h, _) = sheet.end().unwrap();
    let header = (0..=h)
        .find(|r| sheet.get_value((*r, 1)).map(|d| d.to_string()).as_deref() == Some("Показатель"))
        .expect("the main table's header");
    let num = |r: u32, c: u32| sheet.get_value((r, c)).and_then(|d: &Data| d.as_f64());
    (header + 1..=h)
        .filter_map(|r| {
            let code = sheet.get_value((r, 0)).map(|d| d.to_string()).unwrap_or_default();
            let label = sheet.get_value((r, 1)).map(|d| d.to_string()).unwrap_or_default();
            (!code.is_empty() && !label.is_empty())
                .then(|| (label, num(r, 3), num(r, 4), num(r, 5)))
        })
        .collect()
}

/// What no finished document may contain: template marks a person must replace.
fn assert_no_placeholders(text: &str) {
    for mark in ["{", "}", "___", "XXX", "ХХХ", "[", "]", "NaN", "inf"] {
        assert!(!text.contains(mark), "placeholder-like «{mark}» in the note:\n{text}");
    }
}

#[test]
fn note_says_the_summary_figures_in_russian() {
    let dir = tempfile::tempdir().unwrap();
    let (out, note) = example(dir.path());
    let Some(pdf) = lo::convert(&note, "pdf", dir.path()) else { return };
    let Some(pages) = pdf_pages(&pdf) else { return };
    let text = flat(&pages.join("\n"));
    assert_no_placeholders(&text);
    assert!(text.contains("Аналитическая справка"), "{text}");
    assert!(text.contains("«Промежуточный отчёт за I полугодие» 2025/26 учебного года"), "{text}");
    assert!(text.contains("20 декабря 2025 г."), "{text}");
    assert!(text.contains("25 декабря 2025 г."), "{text}");
    // Completeness, with plurals: 20 schools, 2 of them late, named.
    assert!(text.contains("Ожидались отчёты от 20 школ района"), "{text}");
    assert!(text.contains("Приняты отчёты 20 школ, из них 2 — с опозданием"), "{text}");
    assert!(text.contains("Сатинская СОШ и Красносвободненская СОШ"), "{text}");

    // Every figure of the main table of «Свод по району» is in the note: sums as «7 577»,
    // shares as «77,9 % (5 903 из 7 577», the same rounding as the summary shows.
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let district = wb.worksheet_range("Свод по району").unwrap();
    let mut checked = (0, 0);
    for (label, value, n, d) in district_lines(&district) {
        match (value, n, d) {
            (Some(v), Some(n), Some(d)) => {
                let said = format!("{} ({} из {}", pct(v), grouped(n), grouped(d));
                assert!(text.contains(&said), "«{label}»: «{said}» is not in the note");
                checked.1 += 1;
            }
            (Some(v), None, None) if v.fract() == 0.0 && !label.starts_with("Таблица") => {
                let said = format!("{} — {}", flat(&label), grouped(v));
                let table_total = format!(
                    "{} — всего {}",
                    flat(label.trim_end_matches(": всего по строкам таблицы")),
                    grouped(v)
                );
                let marks = label.ends_with("заполнили ОО");
                assert!(
                    marks || text.contains(&said) || text.contains(&table_total),
                    "«{label}» = {v} is not in the note"
                );
                checked.0 += 1;
            }
            _ => {}
        }
    }
    assert!(checked.0 >= 15 && checked.1 >= 5, "checked sums and shares: {checked:?}");
    // The plan's lists: the contests by level, with the summary's total.
    assert!(text.contains("Участники конкурсов по уровням"), "{text}");
    assert!(text.contains("Итого 896 147"), "{text}");
}

#[test]
fn note_is_written_for_every_campaign_of_the_plan() {
    let plan = Plan::default_plan();
    let reg = Registry::load(&root().join("examples/schools.csv"), &plan).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut notes = Vec::new();
    for c in campaigns_of_year(&plan, AcademicYear(2025)) {
        let id = c.id();
        let returns = dir.path().join(format!("returns-{id}"));
        std::fs::create_dir_all(&returns).unwrap();
        // Four schools send a return the day before the deadline; the fifth sends nothing.
        let day = c.deadline.pred_opt().unwrap().and_hms_opt(10, 0, 0).unwrap();
        for (i, school) in reg.schools.iter().take(4).enumerate() {
            let f = fill(&c, school, 7 + i as u64, None);
            let bytes = write_filled_form(&c, school, &f, day, None).unwrap();
            std::fs::write(returns.join(form_file_name(&school.id, &school.short_name)), bytes)
                .unwrap();
        }
        let out = dir.path().join(format!("svod-{id}.xlsx"));
        let o = collect(&[
            "--campaign",
            &id,
            "collect",
            returns.to_str().unwrap(),
            "--as-of",
            &c.deadline.succ_opt().unwrap().format("%Y-%m-%d").to_string(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.code, 1, "{id}: {}", o.stderr);
        let note = dir.path().join(format!("svod-{id}-spravka.docx"));
        assert!(note.exists(), "{id}: no note");
        notes.push((c.def.title.clone(), id, out, note));
    }
    assert_eq!(notes.len(), 4, "the embedded plan has four campaigns a year");
    let paths: Vec<&Path> = notes.iter().map(|n| n.3.as_path()).collect();
    let Some(pdfs) = lo::convert_all(&paths, "pdf", dir.path()) else { return };
    for ((title, id, out, _), pdf) in notes.iter().zip(pdfs) {
        let Some(pages) = pdf_pages(&pdf) else { return };
        let text = flat(&pages.join("\n"));
        assert_no_placeholders(&text);
        assert!(text.contains(&format!("«{title}»")), "{id}: {text}");
        // 16 registry schools sent nothing: counted and named, with the right plural.
        assert!(text.contains("Приняты отчёты 4 школ."), "{id}: {text}");
        assert!(text.contains("Отчёт не получен от 16 школ:"), "{id}: {text}");
        // Each share of the campaign's summary, as the summary shows it.
        let mut wb: Xlsx<_> = open_workbook(out).unwrap();
        let district = wb.worksheet_range("Свод по району").unwrap();
        for (label, v, n, d) in district_lines(&district) {
            if let (Some(v), Some(n), Some(d)) = (v, n, d) {
                let said = format!("{} ({} из {}", pct(v), grouped(n), grouped(d));
                assert!(text.contains(&said), "{id} «{label}»: «{said}» not in the note");
            }
        }
    }
}

#[test]
fn note_follows_the_summary_overwrite_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("svod.xlsx");
    let note = dir.path().join("svod-spravka.docx");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--campaign",
            "2025-12-20",
            "collect",
            "examples/returns",
            "--as-of",
            "2025-12-25",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        collect(&args)
    };
    // --no-note: the summary only.
    let o = run(&["--no-note"]);
    assert_eq!(o.code, 0);
    assert!(out.exists() && !note.exists());
    std::fs::remove_file(&out).unwrap();

    // A note already there is not replaced without --force, and nothing is written.
    std::fs::write(&note, b"my edits").unwrap();
    let o = run(&[]);
    assert_eq!(o.code, 2);
    let stderr = o.stderr.clone();
    assert!(stderr.contains("svod-spravka.docx") && stderr.contains("--force"), "{stderr}");
    assert!(stderr.contains("--no-note"), "{stderr}");
    assert_eq!(std::fs::read(&note).unwrap(), b"my edits");
    assert!(!out.exists());

    // With --force both are written; the same input gives the same note, byte for byte.
    assert_eq!(run(&["--force"]).code, 0);
    let first = std::fs::read(&note).unwrap();
    assert_ne!(first, b"my edits");
    assert_eq!(&first[..2], b"PK");
    assert_eq!(run(&["--force"]).code, 0);
    assert_eq!(std::fs::read(&note).unwrap(), first);
}

/// Every sheet of the summary lists each of its rows once, in order: a row written twice
/// (rust_xlsxwriter 0.102 wrote the last row of a long sheet again when its height was
/// set; `vendor/rust_xlsxwriter/PATCH.md`) breaks the rule of the format that Excel checks
/// when it opens a file.
#[test]
fn every_sheet_of_the_summary_has_its_rows_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = example(dir.path());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let sheets: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .map(String::from)
        .collect();
    assert!(sheets.len() >= 8, "{sheets:?}");
    for name in sheets {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(&name).unwrap(), &mut xml).unwrap();
        let rows: Vec<u32> = xml
            .split("<row r=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(!rows.is_empty(), "{name}: no rows");
        for w in rows.windows(2) {
            assert!(w[0] < w[1], "{name}: row {} follows row {}", w[1], w[0]);
        }
    }
}
