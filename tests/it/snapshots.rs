//! Snapshots of what a user reads first: `--help` of profplan and of every subcommand, and
//! the main messages — a mistyped command, no work folder, no registry or plan, a wrong
//! campaign date, a broken settings file or registry — and the check report of the
//! example returns. insta keeps each in `tests/it/snapshots/`; a change in any line fails
//! the test and shows the difference (see docs/development.md to accept a new text).
//! Temporary folders and the repository path are written as `[TMP]` and `[ROOT]`, help is
//! wrapped at 100 columns, so the snapshots do not depend on where or how the tests run.

use std::path::Path;

use insta::assert_snapshot;

use crate::cli::{root, Cli, Run};

/// The commands of `profplan --help`; a new one fails `help_of_every_subcommand` until it
/// is added here (and its help snapshot reviewed).
const SUBCOMMANDS: [&str; 8] =
    ["init", "plan", "campaigns", "schools", "template", "check", "collect", "region"];

/// profplan in an empty temporary folder: no profplan.toml, nothing to find. Help is
/// wrapped at a fixed width and nothing is coloured.
fn in_empty_folder() -> (tempfile::TempDir, Cli) {
    let dir = tempfile::Builder::new().prefix("profplan-snap-").tempdir().unwrap();
    let cli = Cli::new().in_dir(dir.path()).env("COLUMNS", "100").no_color();
    (dir, cli)
}

/// The run as the snapshot shows it: the temporary folder as `[TMP]`, the repository as
/// `[ROOT]`.
fn seen(run: &Run, tmp: &Path) -> String {
    run.transcript(&[(tmp, "[TMP]"), (root(), "[ROOT]")])
}

#[test]
fn help_of_profplan() {
    let (dir, cli) = in_empty_folder();
    let run = cli.arg("--help").run().success();
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn help_of_every_subcommand() {
    let (dir, cli) = in_empty_folder();
    let top = cli.clone().arg("--help").run();
    // Every command the top-level help lists has a snapshot here.
    let listed: Vec<&str> = top
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Команды:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(listed, SUBCOMMANDS, "the commands of profplan --help");
    for sub in SUBCOMMANDS {
        let run = cli.clone().args([sub, "--help"]).run().success();
        assert_snapshot!(format!("help_{sub}"), seen(&run, dir.path()));
    }
}

#[test]
fn unknown_subcommand() {
    let (dir, cli) = in_empty_folder();
    let run = cli.arg("frobnicate").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn outside_a_work_folder() {
    let (dir, cli) = in_empty_folder();
    let run = cli.arg("schools").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn in_the_parent_of_a_work_folder() {
    let (dir, cli) = in_empty_folder();
    cli.clone().args(["init", "work"]).run().success();
    let run = cli.arg("check").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn settings_without_a_registry() {
    let (dir, cli) = in_empty_folder();
    std::fs::write(dir.path().join("profplan.toml"), "forms = \"f\"\n").unwrap();
    let run = cli.arg("schools").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn registry_file_missing() {
    let (dir, cli) = in_empty_folder();
    let run = cli.registry("Реестр школ.csv").arg("schools").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn registry_with_a_repeated_school_code() {
    let (dir, cli) = in_empty_folder();
    std::fs::write(dir.path().join("r.csv"), "id;name\n1;A\n1;B\n").unwrap();
    let run = cli.registry("r.csv").arg("schools").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn plan_file_missing() {
    let (dir, cli) = in_empty_folder();
    let run = cli.plan("план.toml").arg("plan").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn plan_file_with_a_wrong_month() {
    let (dir, cli) = in_empty_folder();
    let text = profplan::plan::DEFAULT_PLAN_TOML.replacen("month = 12", "month = 13", 1);
    std::fs::write(dir.path().join("plan.toml"), text).unwrap();
    let run = cli.plan("plan.toml").arg("plan").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn campaign_date_that_is_not_a_date() {
    let (dir, cli) = in_empty_folder();
    let run = cli.campaign("2025-02-30").args(["plan", "--format", "json"]).run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn campaign_date_that_is_not_a_deadline() {
    let (dir, cli) = in_empty_folder();
    let run = cli.campaign("2025-12-21").args(["plan", "--format", "json"]).run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn as_of_that_is_not_a_date() {
    let (dir, cli) = in_empty_folder();
    let run = cli
        .registry(root().join("examples/schools.csv"))
        .campaign("2025-12-20")
        .cmd("check")
        .returns(root().join("examples/returns"))
        .today("2025-13-45")
        .run()
        .code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

#[test]
fn unknown_key_in_the_settings_file() {
    let (dir, cli) = in_empty_folder();
    std::fs::write(dir.path().join("profplan.toml"), "forms = \"forms\"\nshools = \"s.csv\"\n")
        .unwrap();
    let run = cli.arg("plan").run().code(2);
    assert_snapshot!(seen(&run, dir.path()));
}

/// The check report of the example returns: every school in, two late, one number typed
/// as text — what the README shows.
#[test]
fn check_report_of_the_examples() {
    let run = Cli::new()
        .in_dir(root())
        .no_color()
        .registry("examples/schools.csv")
        .campaign("2025-12-20")
        .cmd("check")
        .returns("examples/returns")
        .today("2025-12-25")
        .run()
        .success();
    assert_snapshot!(seen(&run, root()));
}

/// The check report of a folder where most schools have not sent their return yet and one
/// file is not a workbook: who is missing, what was refused and why.
#[test]
fn check_report_with_missing_schools_and_a_refused_file() {
    let (dir, cli) = in_empty_folder();
    let returns = dir.path().join("returns");
    std::fs::create_dir(&returns).unwrap();
    let examples = root().join("examples/returns");
    let mut names: Vec<_> =
        std::fs::read_dir(&examples).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    for name in names.iter().take(7) {
        std::fs::copy(examples.join(name), returns.join(name)).unwrap();
    }
    std::fs::write(returns.join("заметки.xlsx"), "не форма\n").unwrap();
    let run = cli
        .registry(root().join("examples/schools.csv"))
        .campaign("2025-12-20")
        .cmd("check")
        .returns("returns")
        .today("2025-12-25")
        .run()
        .code(1);
    assert_snapshot!(seen(&run, dir.path()));
}
