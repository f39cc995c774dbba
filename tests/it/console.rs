//! What a methodologist reads in the console, through the CLI: every command of the cycle
//! and its common mistakes (issue 11) must speak Russian and say each message once. A
//! line fails when it holds three or more English words that are not paths, options or
//! codes, or when a message (or a clause of one) is repeated.
//!
//! Also here: the registry from .xlsx, all registry errors in one run, the example
//! registry warning, CSV neutralisation and headers, whole numbers in JSON, file
//! permissions, a quiet broken pipe, and the methodologist's contacts in forms and letters.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::cli::{Cli, Run};

fn run(dir: &Path, args: &[&str]) -> Run {
    Cli::new().in_dir(dir).args(args).run()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// English words of a line that are not paths, options, e-mails, codes or file names.
fn english_words(line: &str) -> Vec<String> {
    // What the user typed, quoted back in `backticks`, is not our sentence.
    let line: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    line.split(|c: char| c.is_whitespace() || "«»()[],;:!?\"'`".contains(c))
        .filter(|w| !w.is_empty())
        .filter(|w| !w.contains(['/', '\\', '.', '@', '_', '=', '-', '{', '<']))
        .filter(|w| w.chars().count() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
        // Names the user types: the program, its commands and formats.
        .filter(|w| {
            ![
                "profplan",
                "init",
                "plan",
                "campaigns",
                "campaign",
                "schools",
                "forms",
                "returns",
                "summary",
                "letters",
                "template",
                "check",
                "collect",
                "text",
                "json",
                "csv",
                "toml",
                // Keys of profplan.toml, listed when one is misspelt.
                "timezone",
                "previous",
                "district",
                "districts",
                "cd",
                "xlsx",
                "CSV",
                "TOML",
                "JSON",
                "Excel",
                "LibreOffice",
                "UTF",
                "ID",
                "N",
                "I",
                "II",
                "MB",
                "Calc",
                // Keys of profplan.toml, listed when one is mistyped.
                "timezone",
                "previous",
                "district",
            ]
            .contains(w)
        })
        .map(str::to_string)
        .collect()
}

/// Fails on an English sentence or a repeated message in `text`.
fn assert_russian_once(what: &str, text: &str) {
    for line in text.lines() {
        let words = english_words(line);
        assert!(words.len() < 3, "{what}: English in «{line}»: {words:?}\n---\n{text}");
        // A message and its cause said twice on one line: «X: X».
        let parts: Vec<&str> =
            line.split(": ").map(str::trim).filter(|p| p.chars().count() > 15).collect();
        for (i, p) in parts.iter().enumerate() {
            assert!(!parts[i + 1..].contains(p), "{what}: repeated «{p}» in «{line}»");
        }
    }
    let messages: Vec<&str> = text.lines().filter(|l| l.starts_with("profplan:")).collect();
    for (i, m) in messages.iter().enumerate() {
        assert!(!messages[i + 1..].contains(m), "{what}: said twice: «{m}»\n---\n{text}");
    }
    assert!(!text.contains("os error"), "{what}: raw OS error\n{text}");
}

/// Run and check both streams; JSON and CSV on stdout are machine formats (stderr is
/// still checked).
fn run_checked(dir: &Path, args: &[&str]) -> Run {
    let out = run(dir, args);
    let what = args.join(" ");
    let machine = args.windows(2).any(|w| w[0] == "--format" && w[1] != "text");
    if !machine {
        assert_russian_once(&format!("{what} (stdout)"), &out.stdout);
    }
    assert_russian_once(&format!("{what} (stderr)"), &out.stderr);
    out
}

#[test]
fn the_whole_cycle_and_its_common_mistakes_speak_russian_once() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().join("Отдел образования");
    std::fs::create_dir_all(&top).unwrap();
    let reg = examples().join("schools.csv");
    let reg = reg.to_str().unwrap();
    let returns = examples().join("returns");
    let returns = returns.to_str().unwrap();

    let work = help_and_the_cycle(&top, reg, returns);
    mistakes_said_once(&top, &work, reg);
    broken_settings_files();
}

/// Help of every command; the commands of the cycle in a new work folder; the quick
/// start. Gives the work folder.
fn help_and_the_cycle(top: &Path, reg: &str, returns: &str) -> std::path::PathBuf {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["init", "--help"],
        &["plan", "--help"],
        &["campaigns", "--help"],
        &["schools", "--help"],
        &["template", "--help"],
        &["check", "--help"],
        &["collect", "--help"],
    ] {
        let out = run_checked(top, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let help = run(top, &["check", "--help"]).stdout;
    for english in ["Usage", "Options", "Print help", "Arguments", "possible values"] {
        assert!(!help.contains(english), "«{english}» in help:\n{help}");
    }
    assert_eq!(run_checked(top, &["init", "Рабочая папка"]).code, 0);
    let work = top.join("Рабочая папка");
    for args in [
        &["campaigns"][..],
        &["campaigns", "--format", "csv"],
        &["campaigns", "--format", "json"],
        &["plan"],
        &["schools"],
        &["schools", "--format", "csv"],
        &["schools", "--format", "json"],
        &["template"],
        &["check"],
        &["check", "--letters", "letters"],
        &["check", "--format", "json"],
        &["check", "--format", "csv"],
        &["collect"],
    ] {
        let out = run_checked(&work, args);
        assert!(out.code <= 1, "{args:?}: {}", out.stderr);
    }
    // The quick start: a summary of the example returns, and nothing from libraries.
    let out = run_checked(
        top,
        &[
            "--schools",
            reg,
            "--campaign",
            "2025-12-20",
            "collect",
            returns,
            "--as-of",
            "2025-12-25",
            "--out",
            "svod.xlsx",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("Ignoring"), "{}", out.stderr);
    let out = run_checked(
        top,
        &["--schools", reg, "--campaign", "2025-12-20", "check", returns, "--as-of", "2025-12-25"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);

    work
}

/// Mistakes: each is an error (2) said once, in Russian.
fn mistakes_said_once(top: &Path, work: &Path, reg: &str) {
    std::fs::write(top.join("bad.csv"), "id;name;oo_teachers\n1;A;12,5\n1;B;3\n").unwrap();
    std::fs::write(top.join("nocol.csv"), "код;город\n1;Тамбов\n").unwrap();
    let mistakes: Vec<Vec<&str>> = vec![
        vec!["--bogus"],
        vec!["chek"],
        vec!["check", "--bogus"],
        vec!["check", "--format", "xml"],
        vec!["campaigns", "--year", "abc"],
        vec![],
        vec!["--campaign", "2026-12-21", "check"],
        vec!["--campaign", "21 декабря", "check"],
        vec!["--schools", "nope.csv", "schools"],
        vec!["--schools", "bad.csv", "schools"],
        vec!["--schools", "nocol.csv", "schools"],
        vec!["--config", "nope.toml", "schools"],
        vec!["check"],
        vec!["collect"],
        vec!["--schools", reg, "check", "нет такой папки"],
        vec!["--plan", "nope.toml", "plan"],
    ];
    for args in &mistakes {
        let out = run_checked(top, args);
        assert_eq!(out.code, 2, "{args:?} exit code\n{}", out.stderr);
        assert!(!out.stderr.trim().is_empty(), "{args:?}: no message");
    }
    let chek = run(top, &["chek"]).stderr;
    assert!(chek.contains("«check»"), "no suggestion: {chek}");
    let missing = run(top, &["--schools", "nope.csv", "schools"]).stderr;
    assert_eq!(missing.matches("nope.csv").count(), 1, "{missing}");
    let campaign = run(work, &["--campaign", "2026-12-21", "check"]).stderr;
    assert_eq!(campaign.matches("21.12.2026").count(), 1, "{campaign}");

    // Outside the work folder: say so, and name it.
    let out = run(top, &["check"]);
    assert!(out.stderr.contains("нет файла настроек profplan.toml"), "{}", out.stderr);
    assert!(out.stderr.contains("cd \"Рабочая папка\""), "{}", out.stderr);
}

/// Broken settings files: the line and what to do, in Russian.
fn broken_settings_files() {
    for text in [
        "schools = \"D:\\Отдел\\schools.csv\"\n",
        "schools = \"a.csv\n",
        "schools = a.csv\n",
        "schools \"a.csv\"\n",
        "[x\n",
        "forms = 5\n",
        "shools = \"a.csv\"\n",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("profplan.toml"), text).unwrap();
        let out = run_checked(dir.path(), &["schools"]);
        assert!(out.code == 2 || out.code == 0, "{text}: {}", out.stderr);
        if text.contains("D:\\") {
            // A Windows path in "…" is read as written (docs/registry-and-settings.md): the
            // registry is then missing here, and the message names the path as typed.
            assert!(out.stderr.contains("D:\\Отдел\\schools.csv"), "{text}: {}", out.stderr);
        } else if out.code == 2 {
            assert!(out.stderr.contains("строка 1"), "{text}: {}", out.stderr);
        }
    }
}

#[test]
fn all_registry_mistakes_are_reported_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        "id;name;oo_teachers\n1;A;12,5\n1;B;3\n;C;\n4;Д;много\n",
    )
    .unwrap();
    let out = run_checked(dir.path(), &["--schools", "r.csv", "schools"]);
    assert_eq!(out.code, 2);
    for expected in [
        "строка 2, столбец «oo_teachers»: ожидалось целое число ≥ 0, найдено «12,5»",
        "строка 3: код школы «1» уже встречался в строке 2",
        "строка 4: не указан код школы",
        "строка 5, столбец «oo_teachers»: ожидалось целое число ≥ 0, найдено «много»",
    ] {
        assert_eq!(out.stderr.matches(expected).count(), 1, "{expected}\n{}", out.stderr);
    }
    assert!(out.stderr.contains("4 ошибки"), "{}", out.stderr);
}

/// A registry workbook as Excel saves one: header row, then schools; numbers as numbers.
fn registry_xlsx(path: &Path, teachers_of_2: &str) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Школы").unwrap();
    for (c, h) in ["Код", "Наименование", "E-mail", "Численность педагогических работников"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 101).unwrap();
    ws.write_string(1, 1, "МБОУ «Первая СОШ»").unwrap();
    ws.write_string(1, 2, "first@school.ru").unwrap();
    ws.write_number(1, 3, 58).unwrap();
    ws.write_string(2, 0, "102").unwrap();
    ws.write_string(2, 1, "МБОУ «Вторая СОШ»").unwrap();
    ws.write_string(2, 3, teachers_of_2).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn registry_from_xlsx_reads_like_csv_and_names_cells() {
    let dir = tempfile::tempdir().unwrap();
    registry_xlsx(&dir.path().join("schools.xlsx"), "47");
    let out =
        run_checked(dir.path(), &["--schools", "schools.xlsx", "schools", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["schools"][0]["id"], "101");
    assert_eq!(v["schools"][0]["name"], "МБОУ «Первая СОШ»");
    assert_eq!(v["schools"][0]["email"], "first@school.ru");
    assert_eq!(v["schools"][1]["id"], "102");
    // Whole numbers are integers in JSON: 58, not 58.0.
    assert!(out.stdout.contains("\"oo_teachers\": 58\n"), "{}", out.stdout);

    registry_xlsx(&dir.path().join("bad.xlsx"), "12,5");
    let out = run_checked(dir.path(), &["--schools", "bad.xlsx", "schools"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bad.xlsx, лист «Школы», строка 3, столбец «Численность педагогических работников», ячейка D3: ожидалось целое число ≥ 0, найдено «12,5»"),
        "{}",
        out.stderr
    );
    // Not a workbook at all, but named .xlsx: a Russian message, no binary garbage.
    std::fs::write(dir.path().join("zip.xlsx"), b"PK\x03\x04garbage").unwrap();
    let out = run_checked(dir.path(), &["--schools", "zip.xlsx", "schools"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("сохраните"), "{}", out.stderr);
}

#[test]
fn csv_outputs_neutralise_formulas_and_have_russian_headers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        "id;name;email\n1;\"=HYPERLINK(\"\"http://x\"\";\"\"жми\"\")\";a@b.ru\n",
    )
    .unwrap();
    let out = run(dir.path(), &["--schools", "r.csv", "schools", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert!(header.starts_with("Код;Наименование;Краткое наименование"), "{header}");
    let row = lines.next().unwrap();
    assert!(row.contains(";\"'=HYPERLINK("), "{row}");
    // The output is itself a registry profplan reads back, apostrophe dropped.
    std::fs::write(dir.path().join("again.csv"), &out.stdout).unwrap();
    let back = run(dir.path(), &["--schools", "again.csv", "schools", "--format", "json"]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert!(back.stdout.contains("\"name\": \"=HYPERLINK("), "{}", back.stdout);

    let out = run(dir.path(), &["campaigns", "--year", "2025", "--format", "csv"]);
    assert!(out.stdout.trim_start_matches('\u{feff}').starts_with("Срок;Кампания;"));
}

#[test]
fn example_registry_is_announced_and_files_are_ordinary() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["init", "w"]).code, 0);
    let w = dir.path().join("w");
    let out = run(&w, &["template"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("пример с выдуманными школами"), "{}", out.stderr);
    let out = run(&w, &["check", "--letters", "letters"]);
    assert!(out.stderr.contains("пример с выдуманными школами"), "{}", out.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What the umask gives an ordinary file, seen on one made without profplan.
        std::fs::write(w.join("probe"), b"").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let ordinary = mode(&w.join("probe"));
        let form = std::fs::read_dir(w.join("forms")).unwrap().next().unwrap().unwrap().path();
        for p in [w.join("profplan.toml"), w.join("schools.csv"), form] {
            assert_eq!(mode(&p), ordinary, "{}", p.display());
        }
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Enough output to fill the pipe: 3000 schools.
    let mut csv = String::from("id;name\n");
    for i in 0..3000 {
        csv.push_str(&format!("{i};МБОУ «Школа номер {i}»\n"));
    }
    std::fs::write(dir.path().join("r.csv"), csv).unwrap();
    let mut child = Cli::new()
        .in_dir(dir.path())
        .registry("r.csv")
        .arg("schools")
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("Реестр школ"), "{first}");
    // The reader is dropped here, as `head -1` exits.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn contacts_from_settings_reach_the_form_and_the_letters() {
    use calamine::{Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["init", "w"]).code, 0);
    let w = dir.path().join("w");
    let toml = std::fs::read_to_string(w.join("profplan.toml")).unwrap();
    // `init` asks for nothing: the placeholders are commented.
    assert!(toml.contains("# contact_name = "), "{toml}");
    let toml = toml
        .replace(
            "# contact_name = \"Иванова Мария Петровна, методист отдела образования\"",
            "contact_name = \"Сидорова Ольга Ивановна\"",
        )
        .replace(
            "# contact_phone = \"+7 (4752) 00-00-00\"",
            "contact_phone = \"+7 (4752) 55-12-34\"",
        )
        .replace("# contact_email = \"metodist@example.ru\"", "contact_email = \"sidorova@obr.ru\"")
        .replace(
            "# send_returns_to = \"на адрес metodist@example.ru с темой «Профориентация»\"",
            "send_returns_to = \"на адрес sidorova@obr.ru\"",
        );
    std::fs::write(w.join("profplan.toml"), &toml).unwrap();
    let out = run(&w, &["template", "--only", "101"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let form = std::fs::read_dir(w.join("forms")).unwrap().next().unwrap().unwrap().path();
    let mut wb: Xlsx<_> = calamine::open_workbook(&form).unwrap();
    let text = |wb: &mut Xlsx<_>, sheet: &str| -> String {
        let range = wb.worksheet_range(sheet).unwrap();
        range.rows().flatten().map(|c| c.to_string()).collect::<Vec<_>>().join("\n")
    };
    let instructions = text(&mut wb, "Инструкция");
    assert!(
        instructions.contains(
            "Сидорова Ольга Ивановна, телефон +7 (4752) 55-12-34, e-mail sidorova@obr.ru"
        ),
        "{instructions}"
    );
    assert!(instructions.contains("Отправьте заполненный файл на адрес sidorova@obr.ru до"));
    let sheets = wb.sheet_names();
    let header = text(&mut wb, &sheets[0]);
    assert!(header.contains("Вопросы по заполнению: Сидорова Ольга Ивановна"), "{header}");
    assert!(header.contains("отправить на адрес sidorova@obr.ru"), "{header}");

    let out = run(&w, &["check", "--letters", "letters"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let letter = std::fs::read_dir(w.join("letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "txt"))
        .unwrap();
    let letter = std::fs::read_to_string(letter).unwrap();
    assert!(
        letter.ends_with(
            "С уважением,\nСидорова Ольга Ивановна\nтелефон: +7 (4752) 55-12-34\ne-mail: sidorova@obr.ru\n"
        ),
        "{letter}"
    );
    assert!(letter.contains("направьте её на адрес sidorova@obr.ru"), "{letter}");
}
