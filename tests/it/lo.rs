//! LibreOffice for the tests: find `soffice`, convert a file with it. Shared by the test
//! files that include it (`mod lo;`, or `#[path = "../lo/mod.rs"] mod lo;` from a
//! subfolder module).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `soffice` if installed. Without it: a note, or a failure when `CI=true` (CI must run
/// the real-application tests, never skip them silently).
pub fn soffice() -> Option<PathBuf> {
    let found = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("LibreOffice (soffice) не найден, а CI=true: установите libreoffice-calc-nogui");
        }
        eprintln!("note: LibreOffice (soffice) не найден — проверка через LibreOffice пропущена");
    }
    found
}

/// Convert `src` with `soffice --headless --convert-to <to>` into `outdir`, with a private
/// profile per call (parallel tests must not share one). `None` when soffice is absent
/// outside CI.
pub fn convert(src: &Path, to: &str, outdir: &Path) -> Option<PathBuf> {
    let soffice = soffice()?;
    let profile = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(soffice)
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--convert-to", to, "--outdir"])
        .arg(outdir)
        .arg(src)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "soffice --convert-to {to} failed");
    let out = outdir.join(src.with_extension(to).file_name().unwrap());
    assert!(out.exists(), "LibreOffice did not write {}", out.display());
    Some(out)
}

/// Convert several files in one LibreOffice start (it is slow to start); returns the
/// outputs in the order of `srcs`. `None` when soffice is absent outside CI.
pub fn convert_all(srcs: &[&Path], to: &str, outdir: &Path) -> Option<Vec<PathBuf>> {
    let soffice = soffice()?;
    let profile = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(soffice)
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--convert-to", to, "--outdir"])
        .arg(outdir)
        .args(srcs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "soffice --convert-to {to} failed");
    let outs: Vec<PathBuf> =
        srcs.iter().map(|src| outdir.join(src.with_extension(to).file_name().unwrap())).collect();
    for out in &outs {
        assert!(out.exists(), "LibreOffice did not write {}", out.display());
    }
    Some(outs)
}
