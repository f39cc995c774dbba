//! Walking the returns folder: every file is accounted for — a candidate to read, or
//! skipped/rejected with a reason — in a deterministic order (relative path bytes).
//!
//! Lock files (`~$…` of Excel, `.~lock.…#` of LibreOffice) and hidden files are skipped
//! and counted, not reported as errors: they appear whenever someone has a return open.
//! Symbolic links are followed only to files inside the folder; linked directories are
//! not entered (no cycles, no escaping the folder). Paths are never passed to a shell,
//! so names with spaces, a leading `-` or decomposed Unicode need no care beyond
//! showing them in NFC.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// One file (or unreadable directory) found in the returns folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Relative to the folder, `/`-separated, NFC: how messages name the file.
    pub display: String,
    pub kind: FileKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum FileKind {
    /// To be read with [`super::read_return`] (the content decides what it is).
    Candidate,
    /// Skipped on purpose, counted.
    Skipped(SkipReason),
    /// An extension that is never a spreadsheet (.pdf, .docx, .jpg…): «не таблица».
    NotSpreadsheet,
    /// Could not be opened or listed; the OS error text.
    Unreadable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// `~$…` or `.~lock.…#`: a spreadsheet is open somewhere.
    LockFile,
    /// A dot-file or dot-folder, `Thumbs.db`, `desktop.ini`.
    Hidden,
    /// A symbolic link leading outside the folder, or to a directory.
    Link,
}

/// Counts by kind, for the report's summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanResult {
    pub candidates: usize,
    pub lock_files: usize,
    pub hidden: usize,
    pub links: usize,
    pub not_spreadsheets: usize,
    pub unreadable: usize,
}

impl ScanResult {
    pub fn count(entries: &[FileEntry]) -> ScanResult {
        let mut r = ScanResult::default();
        for e in entries {
            match e.kind {
                FileKind::Candidate => r.candidates += 1,
                FileKind::Skipped(SkipReason::LockFile) => r.lock_files += 1,
                FileKind::Skipped(SkipReason::Hidden) => r.hidden += 1,
                FileKind::Skipped(SkipReason::Link) => r.links += 1,
                FileKind::NotSpreadsheet => r.not_spreadsheets += 1,
                FileKind::Unreadable(_) => r.unreadable += 1,
            }
        }
        r
    }
}

const NOT_SPREADSHEET: &[&str] = &[
    "pdf", "doc", "docx", "docm", "odt", "rtf", "txt", "jpg", "jpeg", "png", "gif", "bmp", "tif",
    "tiff", "heic", "webp", "ppt", "pptx", "odp", "zip", "rar", "7z", "gz", "eml", "msg", "mp4",
    "mov", "exe",
];

/// Lists every file under `dir`, sorted by relative path bytes. An unreadable `dir`
/// itself is an `Err` (a set-up error, not a finding about a school).
pub fn scan(dir: &Path) -> std::io::Result<Vec<FileEntry>> {
    let root = fs::canonicalize(dir)?;
    fs::read_dir(dir)?; // fail early if the folder itself cannot be listed
    let mut out = Vec::new();
    walk(dir, &root, Path::new(""), &mut out);
    out.sort_by(|a, b| {
        let ka =
            a.path.strip_prefix(dir).unwrap_or(&a.path).as_os_str().as_encoded_bytes().to_vec();
        let kb =
            b.path.strip_prefix(dir).unwrap_or(&b.path).as_os_str().as_encoded_bytes().to_vec();
        ka.cmp(&kb)
    });
    Ok(out)
}

fn walk(dir: &Path, root: &Path, rel: &Path, out: &mut Vec<FileEntry>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(entry(dir.to_path_buf(), rel, FileKind::Unreadable(e.to_string())));
            return;
        }
    };
    for item in entries {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                out.push(entry(dir.to_path_buf(), rel, FileKind::Unreadable(e.to_string())));
                continue;
            }
        };
        let path = item.path();
        let name = item.file_name();
        let name_s = name.to_string_lossy();
        let rel_child = rel.join(&name);
        if is_lock_file(&name_s) {
            out.push(entry(path, &rel_child, FileKind::Skipped(SkipReason::LockFile)));
            continue;
        }
        if name_s.starts_with('.')
            || name_s.eq_ignore_ascii_case("thumbs.db")
            || name_s.eq_ignore_ascii_case("desktop.ini")
        {
            out.push(entry(path, &rel_child, FileKind::Skipped(SkipReason::Hidden)));
            continue;
        }
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                out.push(entry(path, &rel_child, FileKind::Unreadable(e.to_string())));
                continue;
            }
        };
        if meta.file_type().is_symlink() {
            // Follow only to a regular file inside the folder.
            let inside =
                fs::canonicalize(&path).ok().filter(|t| t.starts_with(root) && t.is_file());
            let kind = if inside.is_some() {
                classify(&path, &name_s)
            } else {
                FileKind::Skipped(SkipReason::Link)
            };
            out.push(entry(path, &rel_child, kind));
            continue;
        }
        if meta.is_dir() {
            // A folder named «x.xlsx» is a folder: walk into it.
            walk(&path, root, &rel_child, out);
            continue;
        }
        let kind = classify(&path, &name_s);
        out.push(entry(path, &rel_child, kind));
    }
}

fn classify(path: &Path, name: &str) -> FileKind {
    let ext =
        Path::new(name).extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if NOT_SPREADSHEET.contains(&ext.as_str()) {
        return FileKind::NotSpreadsheet;
    }
    // Opening read-only neither changes the file nor its times.
    match fs::File::open(path) {
        Ok(_) => FileKind::Candidate,
        Err(e) => FileKind::Unreadable(e.to_string()),
    }
}

fn is_lock_file(name: &str) -> bool {
    name.starts_with("~$") || (name.starts_with(".~lock.") && name.ends_with('#'))
}

fn entry(path: PathBuf, rel: &Path, kind: FileKind) -> FileEntry {
    let display = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().nfc().collect::<String>())
        .collect::<Vec<_>>()
        .join("/");
    FileEntry { path, display, kind }
}
