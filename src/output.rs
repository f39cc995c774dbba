//! Writing output files safely: atomically (temp file in the target folder, flushed to disk,
//! then renamed), and never over an existing file unless the user asked for it.
//!
//! `rust_xlsxwriter`'s own `save` truncates the target before it knows the workbook is
//! valid, and a crash mid-write leaves a half file that a school may receive. A rename
//! within one folder is atomic: readers see the old file or the new one, never a mix.
//! When the old file cannot be replaced (on Windows: it is open in Excel) the message says
//! so in Russian and the old file stays as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What a run reads, so that its outputs can be kept off them.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Input files (registry, plan, settings, a previous summary).
    pub files: Vec<PathBuf>,
    /// Folders whose every file is an input (the returns folder).
    pub dirs: Vec<PathBuf>,
    /// Every input file as (device, inode), listed once when first needed: a hard link
    /// elsewhere to a return is the return.
    ids: std::sync::OnceLock<Vec<(FileId, PathBuf)>>,
}

type FileId = (u64, u64);

impl Inputs {
    pub fn new(files: Vec<PathBuf>, dirs: Vec<PathBuf>) -> Inputs {
        Inputs { files, dirs, ids: Default::default() }
    }

    /// Refuses `out` when it is, or resolves to (through links, `..`, a hard link), one of
    /// the input files, or lies in an input folder: inputs are never modified, `--force`
    /// or not. `what` names the output in the message («сводный отчёт»).
    pub fn refuse(&self, out: &Path, what: &str) -> Result<()> {
        let target = resolve(out);
        for dir in &self.dirs {
            if target.starts_with(resolve(dir)) {
                anyhow::bail!(
                    "{}: {what} нельзя записать в папку с отчётами школ {} — присланные файлы \
                     не изменяются. Укажите другую папку",
                    out.display(),
                    dir.display()
                );
            }
        }
        let by_name = self.files.iter().find(|f| resolve(f) == target);
        let by_id = file_id(out).and_then(|id| {
            self.ids.get_or_init(|| self.list_ids()).iter().find(|(x, _)| *x == id).map(|(_, p)| p)
        });
        if let Some(input) = by_name.or(by_id) {
            anyhow::bail!(
                "{}: {what} нельзя записать в этот файл — это входной файл {}, а входные файлы \
                 не изменяются. Укажите другой файл",
                out.display(),
                input.display()
            );
        }
        Ok(())
    }

    fn list_ids(&self) -> Vec<(FileId, PathBuf)> {
        let in_dirs =
            self.dirs.iter().filter_map(|d| crate::read::scan(d).ok()).flatten().map(|e| e.path);
        self.files.iter().cloned().chain(in_dirs).filter_map(|p| Some((file_id(&p)?, p))).collect()
    }
}

/// Device and inode of an existing file (links followed); `None` elsewhere.
fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// `path` made absolute with links resolved as far as it exists: the file itself when it
/// exists, else its folder plus the name (the file is about to be created there).
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => resolve(dir).join(name),
        _ => abs,
    }
}

/// Temporary files being written right now: removed by [`remove_temp_files`] when the
/// user interrupts the run (Ctrl+C), since an exit from a signal handler runs no
/// destructors.
static LIVE_TEMP_FILES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE_TEMP_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file being written, then runs `then` (the binary exits there)
/// while no write can finish or start: an interrupted run leaves no `.tmpXXXXXX` and no
/// half-written output; a file already renamed into place is complete.
pub fn remove_temp_files(then: impl FnOnce()) {
    let files = live();
    for p in files.iter() {
        let _ = std::fs::remove_file(p);
    }
    then();
    drop(files);
}

/// Environment variable of the interruption test: when set, [`write_atomic`] stops before
/// the rename, with the temporary file written, and says so on stderr.
pub const TEST_PAUSE_ENV: &str = "PROFPLAN_TEST_PAUSE_BEFORE_PERSIST";

/// The files of `paths` that already exist, named for a message that refuses to replace
/// them before any work is done: «a.xlsx, b.xlsx», the first five and «и ещё N».
/// `None` when none exists, or with `force` (the user asked to replace them).
pub fn existing<'a>(paths: impl IntoIterator<Item = &'a Path>, force: bool) -> Option<String> {
    if force {
        return None;
    }
    let found: Vec<String> =
        paths.into_iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    match found.len() {
        0 => None,
        n if n > 5 => Some(format!("{} и ещё {}", found[..5].join(", "), n - 5)),
        _ => Some(found.join(", ")),
    }
}

/// Write `bytes` to `path` atomically. With `overwrite` false an existing file is an
/// error (checked at the rename, so a file created meanwhile is not clobbered either).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    write_atomic_as(path, bytes, overwrite, false)
}

/// [`write_atomic`] for a secret (the district key): the file is readable by its owner
/// only from the moment it exists.
pub fn write_atomic_private(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    write_atomic_as(path, bytes, overwrite, true)
}

fn write_atomic_as(path: &Path, bytes: &[u8], overwrite: bool, private: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = {
        // Created and registered under the lock: an interrupt sees it or it does not exist.
        let mut files = live();
        let tmp = temp_builder(private).tempfile_in(dir).with_context(|| {
            format!("не удалось создать временный файл в папке {}", dir.display())
        })?;
        files.push(tmp.path().to_path_buf());
        tmp
    };
    let tmp_path = tmp.path().to_path_buf();
    let forget = |files: &mut Vec<PathBuf>| files.retain(|p| *p != tmp_path);
    let written = tmp
        .write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("не удалось записать {}", path.display()));
    if let Err(e) = written {
        let mut files = live();
        drop(tmp);
        forget(&mut files);
        return Err(e);
    }
    if std::env::var_os(TEST_PAUSE_ENV).is_some_and(|v| !v.is_empty()) {
        eprintln!("profplan-test: paused before persist {}", tmp_path.display());
        loop {
            std::thread::park();
        }
    }
    let mut files = live();
    let persisted = if overwrite {
        tmp.persist(path).map_err(|e| e.error)
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)
    };
    forget(&mut files);
    drop(files);
    match persisted {
        Ok(_) => Ok(()),
        // The temporary file is removed when `tmp` is dropped: the old file stays as it was.
        Err(e) if held_by_another_program(&e) => Err(anyhow::anyhow!(
            "не удалось заменить {}: файл открыт в другой программе или защищён от записи. \
             Закройте файл {} в Excel (или другой программе) и запустите снова; прежний файл \
             остался без изменений",
            path.display(),
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        )),
        Err(e) => Err(e).with_context(|| format!("не удалось сохранить {}", path.display())),
    }
}

/// Whether the rename failed because the old file is in use or protected: on Windows a
/// workbook open in Excel cannot be replaced (sharing violation, lock violation or access
/// denied); elsewhere, a file or folder the user may not change.
fn held_by_another_program(e: &std::io::Error) -> bool {
    const ERROR_SHARING_VIOLATION: i32 = 32;
    const ERROR_LOCK_VIOLATION: i32 = 33;
    e.kind() == std::io::ErrorKind::PermissionDenied
        || (cfg!(windows)
            && matches!(e.raw_os_error(), Some(ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION)))
}

/// Temporary files are created as ordinary files: read-write for everyone, less what the
/// user's umask removes (0644 under the usual 022). tempfile's default is 0600, which left
/// every form and summary readable by its owner only.
fn temp_builder(private: bool) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".profplan-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // 0666 less the umask, like any file a program writes; a secret 0600.
        b.permissions(std::fs::Permissions::from_mode(if private { 0o600 } else { 0o666 }));
    }
    #[cfg(not(unix))]
    let _ = private;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xlsx");
        write_atomic(&p, b"one", false).unwrap();
        assert!(write_atomic(&p, b"two", false).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Forms and summaries were 0600 whatever the umask (tempfile's default).
    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others_under_umask_022() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xlsx");
        write_atomic(&p, b"one", false).unwrap();
        // What the umask allows for an ordinary file, seen on a file made without us.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let ordinary = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, ordinary, "written {mode:o}, ordinary files {ordinary:o}");
    }
}
