//! Habits of Windows users, checked through the CLI on Linux (tests/wine/run checks the
//! same under Wine with profplan.exe): a path copied from Explorer into `profplan.toml`,
//! paths that `init` writes, and a summary that cannot be replaced (on Windows: open in
//! Excel) — the message says so in Russian, the old file is kept, exit code 2.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::cli::{root, Cli};

const CAMPAIGN: &str = "2025-12-20";
const AS_OF: &str = "2025-12-25";

fn profplan(dir: &Path) -> Cli {
    Cli::new().in_dir(dir)
}

#[test]
fn explorer_path_in_quotes_is_taken_as_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("profplan.toml"),
        "schools = \"D:\\Отдел\\Реестр\\schools.csv\"\ncampaign = \"2025-12-20\"\n",
    )
    .unwrap();
    let err = profplan(dir.path()).arg("schools").run().code(2).stderr;
    // Not TOML's «missing escaped value»: the path was read as typed, and is just not there
    // on this computer.
    assert!(err.contains(r"D:\Отдел\Реестр\schools.csv"), "{err}");
    assert!(!err.contains("escape"), "{err}");
}

#[test]
fn init_writes_paths_that_read_back_as_written() {
    // A folder name with a backslash and a quote (legal on Linux) must survive the trip
    // through profplan.toml, as `D:\Отдел\…` must on Windows.
    let dir = tempfile::tempdir().unwrap();
    let reg_dir = dir.path().join(r"Отдел\Реестр 'основной'");
    std::fs::create_dir_all(&reg_dir).unwrap();
    std::fs::copy(root().join("examples/schools.csv"), reg_dir.join("schools.csv")).unwrap();
    let registry = Path::new(r"Отдел\Реестр 'основной'").join("schools.csv");
    profplan(dir.path())
        .args(["--campaign", CAMPAIGN, "init", "work", "--schools"])
        .arg(&registry)
        .run()
        .success();
    let toml = std::fs::read_to_string(dir.path().join("work/profplan.toml")).unwrap();
    let line = toml.lines().find(|l| l.starts_with("schools = ")).unwrap();
    assert!(line.contains(r"Отдел\Реестр"), "{line}");
    profplan(&dir.path().join("work")).arg("schools").run().success().stdout_has("101");

    // Without quotes in the name the line is a literal string: 'D:\Отдел\…' on Windows.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir2.path().join(r"a\b")).unwrap();
    std::fs::copy(root().join("examples/schools.csv"), dir2.path().join(r"a\b/schools.csv"))
        .unwrap();
    profplan(dir2.path())
        .args(["--campaign", CAMPAIGN, "init", "w", "--schools", r"a\b/schools.csv"])
        .run()
        .success();
    let toml = std::fs::read_to_string(dir2.path().join("w/profplan.toml")).unwrap();
    let line = toml.lines().find(|l| l.starts_with("schools = ")).unwrap();
    assert!(line.starts_with("schools = '") && line.ends_with(r"a\b/schools.csv'"), "{line}");
}

/// Makes a file immutable (`chattr +i`) for the life of the guard: even root cannot
/// rename over it, as nobody can replace a workbook open in Excel on Windows.
struct Immutable<'a>(&'a Path);

impl Immutable<'_> {
    fn set(path: &Path) -> Option<Immutable<'_>> {
        let ok = StdCommand::new("chattr").arg("+i").arg(path).status().is_ok_and(|s| s.success());
        ok.then_some(Immutable(path))
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = StdCommand::new("chattr").arg("-i").arg(self.0).status();
    }
}

#[test]
fn summary_that_cannot_be_replaced_is_kept_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |force: bool| {
        profplan(d)
            .campaign(CAMPAIGN)
            .registry(root().join("examples/schools.csv"))
            .cmd("collect")
            .returns(root().join("examples/returns"))
            .today(AS_OF)
            .args(["--out", "svod.xlsx", "--no-note"])
            .args(force.then_some("--force"))
            .run()
    };
    let first = run(false);
    assert!(first.code < 2, "{first}");
    let summary = d.join("svod.xlsx");
    let before = std::fs::read(&summary).unwrap();

    let Some(_lock) = Immutable::set(&summary) else {
        // Containers without CAP_LINUX_IMMUTABLE; tests/wine/run covers this under Wine.
        assert!(std::env::var_os("CI").is_none(), "chattr +i is needed in CI");
        eprintln!("skipped: chattr +i is not available here");
        return;
    };
    let err = run(true).code(2).stderr;
    assert!(
        err.contains("не удалось заменить")
            && err.contains("Закройте файл svod.xlsx в Excel")
            && err.contains("прежний файл остался без изменений"),
        "{err}"
    );
    assert_eq!(err.matches("не удалось заменить").count(), 1, "said once: {err}");
    assert_eq!(std::fs::read(&summary).unwrap(), before, "the old summary must be kept");
    // The new summary's temporary file is gone.
    let names: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}
