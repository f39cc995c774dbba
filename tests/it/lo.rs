//! LibreOffice for the tests, the one copy: find `soffice`, convert files with it (each
//! start with a throwaway profile, so parallel tests never share one), and fill forms
//! inside it through its Python bridge (`tests/lo/fill.py`).

use std::path::{Path, PathBuf};

use profplan::form::layout::{field_name, table_name};
use profplan::synth::{Fill, FillValue};

use crate::cli::root;

/// `soffice` if installed. Without it: a note, or a failure when `CI=true` (CI must run
/// the real-application tests, never skip them silently).
pub fn soffice() -> Option<PathBuf> {
    let found = [
        "/usr/bin/soffice",
        "/usr/local/bin/soffice",
        "/usr/lib/libreoffice/program/soffice",
        "/usr/bin/libreoffice",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths).map(|p| p.join("soffice")).find(|p| p.is_file())
        })
    });
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("LibreOffice (soffice) не найден, а CI=true: установите libreoffice-calc-nogui");
        }
        eprintln!("note: LibreOffice (soffice) не найден — проверка через LibreOffice пропущена");
    }
    found
}

/// Convert `src` with `soffice --headless --convert-to <to>` into `outdir`. `None` when
/// soffice is absent outside CI.
pub fn convert(src: &Path, to: &str, outdir: &Path) -> Option<PathBuf> {
    convert_all(&[src], to, outdir).map(|mut v| v.remove(0))
}

/// Convert several files in one LibreOffice start (it is slow to start), with a private
/// profile; returns the outputs in the order of `srcs`. `None` when soffice is absent
/// outside CI.
pub fn convert_all(srcs: &[&Path], to: &str, outdir: &Path) -> Option<Vec<PathBuf>> {
    let soffice = soffice()?;
    std::fs::create_dir_all(outdir).unwrap();
    let profile = tempfile::Builder::new().prefix("lo-").tempdir().unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(outdir)
        .args(srcs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "soffice --convert-to {to} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let outs: Vec<PathBuf> =
        srcs.iter().map(|src| outdir.join(src.with_extension(to).file_name().unwrap())).collect();
    for out in &outs {
        assert!(out.is_file(), "LibreOffice did not write {}", out.display());
    }
    Some(outs)
}

/// The Python with the UNO bridge (Debian's python3-uno lives in the system Python).
pub fn uno_python() -> PathBuf {
    PathBuf::from("/usr/bin/python3")
}

/// One form to fill inside LibreOffice (see tests/lo/fill.py).
pub struct LoJob {
    pub input: PathBuf,
    pub fill: Fill,
    /// `(path, "xlsx" | "ods" | "xls")`.
    pub outputs: Vec<(PathBuf, &'static str)>,
}

fn json_value(v: &FillValue) -> serde_json::Value {
    match v {
        FillValue::Num(n) => serde_json::json!(n),
        FillValue::Text(t) => serde_json::json!(t),
    }
}

/// Fill every job inside one LibreOffice start, typing values by the forms' defined names.
pub fn lo_fill(jobs: &[LoJob], scratch: &Path) {
    let jobs_json: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| {
            let values: serde_json::Map<String, serde_json::Value> =
                j.fill.values.iter().map(|(k, v)| (field_name(k), json_value(v))).collect();
            let tables: serde_json::Map<String, serde_json::Value> = j
                .fill
                .tables
                .iter()
                .map(|(k, rows)| {
                    let rows: Vec<Vec<serde_json::Value>> = rows
                        .iter()
                        .map(|r| {
                            r.iter()
                                .map(|c| c.as_ref().map(json_value).unwrap_or(serde_json::Value::Null))
                                .collect()
                        })
                        .collect();
                    (table_name(k), serde_json::json!(rows))
                })
                .collect();
            let outputs: Vec<serde_json::Value> = j
                .outputs
                .iter()
                .map(|(p, f)| serde_json::json!({"path": p, "format": f}))
                .collect();
            serde_json::json!({"input": j.input, "values": values, "tables": tables, "outputs": outputs})
        })
        .collect();
    let path = scratch.join("jobs.json");
    std::fs::write(&path, serde_json::to_vec(&serde_json::json!({ "jobs": jobs_json })).unwrap())
        .unwrap();
    let out = std::process::Command::new(uno_python())
        .arg(root().join("tests/lo/fill.py"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fill.py failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for j in jobs {
        for (p, _) in &j.outputs {
            assert!(p.is_file(), "LibreOffice did not write {}", p.display());
        }
    }
}
