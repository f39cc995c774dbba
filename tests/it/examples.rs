//! The README's quick start works as written, and the example returns are current (a plan
//! change that makes them stale fails here, not in a newcomer's hands).

use std::path::Path;

use assert_cmd::Command;
use calamine::{open_workbook, Reader, Xlsx};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

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
    let assert = Command::cargo_bin("profplan").unwrap().current_dir(root()).args(&args).assert();
    let output = assert.get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Принято 20 из 20 ОО"), "{stdout}");

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
    let out = Command::cargo_bin("profplan")
        .unwrap()
        .current_dir(root())
        .args(["--schools", "examples/schools.csv", "--campaign", "2025-12-20", "check"])
        .args(["examples/returns", "--as-of", "2025-12-25", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["counts"]["accepted"], 20, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json["counts"]["late"], 2);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn after_init_every_command_runs_without_flags() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let run = |args: &[&str], cwd: &Path| {
        Command::cargo_bin("profplan").unwrap().current_dir(cwd).args(args).output().unwrap()
    };
    assert_eq!(run(&["init", work.to_str().unwrap()], dir.path()).status.code(), Some(0));

    let template = run(&["template"], &work);
    assert_eq!(template.status.code(), Some(0), "{}", String::from_utf8_lossy(&template.stderr));
    assert!(String::from_utf8_lossy(&template.stdout).contains("Записано форм: 20"));
    let forms: Vec<_> = std::fs::read_dir(work.join("forms")).unwrap().collect();
    assert_eq!(forms.len(), 20);

    // Two schools return their (blank) forms: «не заполнен» is an error, the rest are not in.
    for e in forms.iter().take(2) {
        let p = e.as_ref().unwrap().path();
        std::fs::copy(&p, work.join("returns").join(p.file_name().unwrap())).unwrap();
    }
    let check = run(&["check", "--format", "json"], &work);
    assert_eq!(check.status.code(), Some(1), "{}", String::from_utf8_lossy(&check.stderr));
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(json["counts"]["invalid"], 2);
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["code"] == "not_filled"));

    let collect = run(&["collect", "returns/"], &work);
    assert_eq!(collect.status.code(), Some(1), "{}", String::from_utf8_lossy(&collect.stderr));
    let summary: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".xlsx"))
        .collect();
    assert_eq!(summary.len(), 1, "one summary written into the working folder");
}
