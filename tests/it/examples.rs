//! The README's quick start works as written, and the example returns are current (a plan
//! change that makes them stale fails here, not in a newcomer's hands).

use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};

use crate::cli::{root, Cli};

/// The `cargo run --release -- …` line of the README's quick start, as arguments.
fn quick_start_args() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- "))
        .expect("README has a `cargo run --release -- …` quick start line");
    line.trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn readme_quick_start_builds_the_example_summary() {
    let mut args = quick_start_args();
    // Same command, but the summary goes to a temporary folder instead of the repository.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("svod.xlsx");
    let i = args.iter().position(|a| a == "--out").expect("quick start names --out");
    args[i + 1] = out.display().to_string();
    Cli::new().in_dir(root()).args(&args).run().success().stdout_has("Принято 20 из 20 ОО");

    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let sheets = wb.sheet_names();
    assert_eq!(sheets.first().map(String::as_str), Some("Свод по району"), "{sheets:?}");
    let district = wb.worksheet_range("Свод по району").unwrap();
    let text: Vec<String> = district.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    // The headline: 20 reports expected, 20 accepted.
    let cells: Vec<Vec<String>> =
        district.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let status = |label: &str| {
        cells.iter().find(|r| r.get(1).map(String::as_str) == Some(label)).map(|r| r[3].clone())
    };
    assert_eq!(status("Ожидалось отчётов (ОО в реестре)").as_deref(), Some("20"), "{text:?}");
    assert_eq!(status("Принято").as_deref(), Some("20"), "{text:?}");
}

#[test]
fn example_returns_are_current_and_accepted() {
    let out = Cli::new()
        .in_dir(root())
        .registry("examples/schools.csv")
        .campaign("2025-12-20")
        .cmd("check")
        .returns("examples/returns")
        .today("2025-12-25")
        .args(["--format", "json"])
        .run();
    let json = out.json();
    assert_eq!(json["counts"]["accepted"], 20, "{out}");
    assert_eq!(json["counts"]["late"], 2);
    out.success();
}

#[test]
fn after_init_every_command_runs_without_flags() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let run = |args: &[&str], cwd: &Path| Cli::new().in_dir(cwd).args(args).run();
    run(&["init", work.to_str().unwrap()], dir.path()).success();

    run(&["template"], &work).success().stdout_has("Записано форм: 20");
    let forms: Vec<_> = std::fs::read_dir(work.join("forms")).unwrap().collect();
    assert_eq!(forms.len(), 20);

    // Two schools return their (blank) forms: «не заполнен» is an error, the rest are not in.
    for e in forms.iter().take(2) {
        let p = e.as_ref().unwrap().path();
        std::fs::copy(&p, work.join("returns").join(p.file_name().unwrap())).unwrap();
    }
    let json = run(&["check", "--format", "json"], &work).code(1).json();
    assert_eq!(json["counts"]["invalid"], 2);
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["code"] == "not_filled"));

    run(&["collect", "returns/"], &work).code(1);
    let summary: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".xlsx"))
        .collect();
    assert_eq!(summary.len(), 1, "one summary written into the working folder");
}
