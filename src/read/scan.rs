//! Walking the returns folder: every file is accounted for — a candidate to read, or
//! skipped/rejected with a reason — in a deterministic order (relative path bytes).
//!
//! Lock files (`~$…` of Excel, `.~lock.…#` of LibreOffice) and hidden files are skipped
//! and counted, not reported as errors: they appear whenever someone has a return open.
//! Symbolic links are followed only to files inside the folder; linked directories are
//! not entered (no cycles, no escaping the folder). Only regular files are ever opened:
//! a FIFO, socket or device (also behind a link) is accounted for as «не файл» without
//! being opened — opening a FIFO blocks until someone writes to it, and a device such as
//! `/dev/zero` never ends. Paths are never passed to a shell, so names with spaces, a
//! leading `-` or decomposed Unicode need no care beyond showing them in NFC; bytes that
//! are not UTF-8 are shown escaped (`\xFF`), so that two such names never look alike.

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
    /// To be read as a return (the content decides what it is).
    Candidate,
    /// Skipped on purpose, counted.
    Skipped(SkipReason),
    /// An extension that is never a spreadsheet (.pdf, .docx, .jpg…): «не таблица».
    NotSpreadsheet,
    /// Could not be opened or listed; the OS error text.
    Unreadable(String),
    /// Not a regular file (FIFO, socket, device): never opened. What it is, in Russian.
    NotFile(String),
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
    // Compared in place: no copy of the two paths per comparison.
    fn key<'e>(e: &'e FileEntry, dir: &Path) -> &'e [u8] {
        e.path.strip_prefix(dir).unwrap_or(&e.path).as_os_str().as_encoded_bytes()
    }
    out.sort_by(|a, b| key(a, dir).cmp(key(b, dir)));
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
        let name_s = display_name(&name);
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
            // Follow only to a regular file inside the folder; a link to a FIFO or a
            // device inside it is «не файл», like the thing itself.
            let target = fs::canonicalize(&path)
                .ok()
                .filter(|t| t.starts_with(root))
                .and_then(|t| fs::metadata(t).ok());
            let kind = match target {
                Some(m) if m.is_file() => classify(&path, &name_s),
                Some(m) if !m.is_dir() => FileKind::NotFile(special_kind(&m.file_type())),
                _ => FileKind::Skipped(SkipReason::Link),
            };
            out.push(entry(path, &rel_child, kind));
            continue;
        }
        if meta.is_dir() {
            // A folder named «x.xlsx» is a folder: walk into it.
            walk(&path, root, &rel_child, out);
            continue;
        }
        if !meta.is_file() {
            out.push(entry(path, &rel_child, FileKind::NotFile(special_kind(&meta.file_type()))));
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
    // Opening read-only neither changes the file nor its times; `open_regular` does not
    // block should the file have been replaced by a FIFO since it was listed.
    match super::open_regular(path) {
        Ok(_) => FileKind::Candidate,
        Err(super::OpenError::NotFile(what)) => FileKind::NotFile(what),
        Err(super::OpenError::Io(e)) => FileKind::Unreadable(e.to_string()),
    }
}

/// What a non-regular file is, in the words of the message.
pub(crate) fn special_kind(t: &fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "именованный канал (FIFO)".into();
        }
        if t.is_socket() {
            return "сокет".into();
        }
        if t.is_block_device() || t.is_char_device() {
            return "устройство".into();
        }
    }
    let _ = t;
    "особый файл системы, а не документ".into()
}

/// A file name as messages show it: UTF-8 in NFC; each byte that is not UTF-8 escaped as
/// `\xFF` and a backslash doubled, so that different names never show alike (two names
/// differing in an invalid byte would otherwise both show as `�1.xlsx`).
pub fn display_name(name: &std::ffi::OsStr) -> String {
    let bytes = name.as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.contains('\\') {
            out.extend(valid.replace('\\', "\\\\").nfc());
        } else {
            out.extend(valid.nfc());
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

fn is_lock_file(name: &str) -> bool {
    name.starts_with("~$") || (name.starts_with(".~lock.") && name.ends_with('#'))
}

fn entry(path: PathBuf, rel: &Path, kind: FileKind) -> FileEntry {
    let display =
        rel.components().map(|c| display_name(c.as_os_str())).collect::<Vec<_>>().join("/");
    FileEntry { path, display, kind }
}
