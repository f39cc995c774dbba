//! CLI tests of setting up (help text and first messages are snapshots in `snapshots.rs`):
//! `init`, `plan`, `campaigns`, `schools`, and the errors a
//! user meets first (no registry, a bad campaign date) — exit codes and messages.

use std::path::Path;

use profplan::plan::Plan;

use crate::cli::Cli;

fn profplan(dir: &Path) -> Cli {
    Cli::new().in_dir(dir)
}

/// stdout of a run that must succeed.
fn stdout_of(cli: Cli) -> String {
    cli.run().success().stdout.clone()
}

#[test]
fn init_creates_a_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    profplan(dir.path()).args(["init", "work"]).run().success().stdout_has("profplan template");
    let work = dir.path().join("work");
    assert!(work.join("profplan.toml").is_file());
    assert!(work.join("forms").is_dir());
    assert!(work.join("returns").is_dir());
    let csv = std::fs::read(work.join("schools.csv")).unwrap();
    let example =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/schools.csv")).unwrap();
    assert_eq!(csv, example, "the example registry is copied byte for byte");

    // The folder works without flags: settings, registry and campaign come from it.
    let listed = stdout_of(profplan(&work).arg("schools"));
    assert!(listed.contains("20 школ"), "{listed}");
    let json = stdout_of(profplan(&work).args(["plan", "--format", "json"]));
    let config = std::fs::read_to_string(work.join("profplan.toml")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let id = v["campaign"]["id"].as_str().unwrap();
    assert!(config.contains(&format!("campaign = \"{id}\"")), "{config}");
}

/// Whole bounds print as the plan writes them (`5000`, not `5000.0`); others keep their
/// fraction.
#[test]
fn plan_json_prints_whole_bounds_as_integers() {
    let dir = tempfile::tempdir().unwrap();
    let json = stdout_of(profplan(dir.path()).args(["plan", "--format", "json"]));
    assert!(!json.contains(".0,") && !json.contains(".0\n"), "a bound printed as x.0");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fields = v["fields"].as_array().unwrap();
    let students = fields.iter().find(|f| f["kind"] == "integer" && f["max"].is_number()).unwrap();
    assert!(students["min"].is_i64() && students["max"].is_i64(), "{students}");
}

#[test]
fn second_init_refuses_without_force() {
    let dir = tempfile::tempdir().unwrap();
    profplan(dir.path()).arg("init").run().success();
    std::fs::write(dir.path().join("schools.csv"), "id;name\n1;Моя школа\n").unwrap();
    profplan(dir.path()).arg("init").run().code(2).stderr_has("уже есть").stderr_has("--force");
    // Nothing was overwritten.
    let csv = std::fs::read_to_string(dir.path().join("schools.csv")).unwrap();
    assert_eq!(csv, "id;name\n1;Моя школа\n");
    profplan(dir.path()).args(["init", "--force"]).run().success();
    let csv = std::fs::read_to_string(dir.path().join("schools.csv")).unwrap();
    assert!(csv.contains("Покрово-Пригородная"));
}

#[test]
fn plan_toml_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let toml = stdout_of(profplan(dir.path()).args(["plan", "--format", "toml"]));
    let exported = Plan::from_toml(&toml, "plan.toml").unwrap();
    assert_eq!(exported.version, Plan::default_plan().version);
    // An edited copy passed back with --plan is the plan used.
    let edited = toml.replace("table_rows = 20", "table_rows = 25");
    std::fs::write(dir.path().join("plan.toml"), &edited).unwrap();
    let again =
        stdout_of(profplan(dir.path()).args(["--plan", "plan.toml", "plan", "--format", "toml"]));
    assert_eq!(again, edited);
    let json = stdout_of(profplan(dir.path()).args([
        "--plan",
        "plan.toml",
        "--campaign",
        "2025-12-20",
        "plan",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let version = v["plan"]["version"].as_str().unwrap();
    assert_eq!(version, Plan::from_toml(&edited, "x").unwrap().version);
    assert_ne!(version, exported.version);
}

#[test]
fn plan_json_names_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let json = stdout_of(profplan(dir.path()).args([
        "--campaign",
        "2025-12-20",
        "plan",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["campaign"]["id"], "2025-12-20");
    assert_eq!(v["campaign"]["academic_year"], "2025/26");
    let fields = v["fields"].as_array().unwrap();
    let plan = Plan::default_plan();
    let dec = profplan::plan::campaign::Campaign::parse(&plan, "2025-12-20").unwrap();
    assert_eq!(fields.len(), dec.fields().len());
    for f in fields {
        let code = f["code"].as_str().unwrap();
        assert_eq!(f["name"], format!("PP_{code}"));
        assert!(f["kind"].is_string() && f["label"].is_string() && f["required"].is_boolean());
    }
    assert!(fields.iter().any(|f| f["section"] == "profile"));
    assert!(fields.iter().any(|f| f["item"] == "2.1"));
    for t in v["tables"].as_array().unwrap() {
        assert_eq!(t["name"], format!("PPT_{}", t["code"].as_str().unwrap()));
        assert!(!t["columns"].as_array().unwrap().is_empty());
    }
    assert!(!v["rules"].as_array().unwrap().is_empty());
    assert_eq!(v["meta_fields"][0]["name"], "PP_meta_fio");
}

#[test]
fn plan_text_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout_of(profplan(dir.path()).arg("plan"));
    for needle in ["Раздел 10.", "10.1", "Контрольные соотношения", "Отчётные кампании", "до 20.12"]
    {
        assert!(text.contains(needle), "«{needle}» missing");
    }
}

#[test]
fn campaigns_of_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout_of(profplan(dir.path()).args(["campaigns", "--year", "2025"]));
    assert!(text.contains("2025/26"));
    for id in ["2025-09-15", "2025-12-20", "2026-05-25", "2026-06-01"] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
    let json =
        stdout_of(profplan(dir.path()).args(["campaigns", "--year", "2025", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["campaigns"][1]["id"], "2025-12-20");
    assert_eq!(v["campaigns"][1]["items_count"], 12);
}

#[test]
fn init_makes_the_district_key_and_template_signs_forms_with_it() {
    use profplan::key::{key_path, load};
    let dir = tempfile::tempdir().unwrap();
    let out = stdout_of(profplan(dir.path()).arg("init"));
    assert!(out.contains(".profplan-key") && out.contains("не пересылайте"), "{out}");
    let path = key_path(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let key = load(&path).unwrap().expect("a key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key is readable by its owner only");
    }
    let again = stdout_of(profplan(dir.path()).args(["init", "--force"]));
    assert!(again.contains("прежний, сохранён"), "{again}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "the key is never replaced");

    let t = profplan(dir.path()).args(["--campaign", "2025-12-20", "template"]).run().success();
    // Nothing about keys: the only line is the warning about init's example registry.
    let said = t.stderr.clone();
    assert!(
        said.lines().all(|l| l.contains("пример с выдуманными школами")),
        "{}",
        t.stderr.clone()
    );
    let form = std::fs::read_dir(dir.path().join("forms")).unwrap().next().unwrap().unwrap().path();
    let bytes = std::fs::read(&form).unwrap();
    let secret = text.lines().find(|l| !l.starts_with('#')).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut custom = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("docProps/custom.xml").unwrap(), &mut custom)
        .unwrap();
    assert!(custom.contains("k1-"), "the check is keyed: {custom}");
    for i in 0..zip.len() {
        let mut part = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_index(i).unwrap(), &mut part).unwrap();
        let part = String::from_utf8_lossy(&part);
        assert!(!part.contains(secret), "the key is inside the form");
    }
    let _ = key;
}

/// A work folder made by a profplan without keys: the next `template` makes the key and
/// says so once; `check` there before that says once that identities are checked only
/// against the public hash.
#[test]
fn work_folder_without_a_key_gets_one_at_the_next_template() {
    let dir = tempfile::tempdir().unwrap();
    profplan(dir.path()).arg("init").run().success();
    let path = profplan::key::key_path(dir.path());
    std::fs::remove_file(&path).unwrap();
    let c = profplan(dir.path())
        .args(["--campaign", "2025-12-20", "check", "--as-of", "2025-12-01"])
        .run()
        .code(1);
    let err = c.stderr.clone();
    assert_eq!(err.matches("нет ключа района").count(), 1, "{err}");
    let t = profplan(dir.path()).args(["--campaign", "2025-12-20", "template"]).run().success();
    let err = t.stderr.clone();
    assert_eq!(err.matches("создан ключ района").count(), 1, "{err}");
    assert!(profplan::key::load(&path).unwrap().is_some());
}
